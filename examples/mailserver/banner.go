package main

import (
	"fmt"
	"io"
	"strings"
)

// printBanner tells the user what listens where and how to log in.
func printBanner(w io.Writer, m *Mailserver) {
	for _, s := range m.Listening {
		fmt.Fprintf(w, "mailserver: %-10s on %s\n", s.Name, s.Addr)
	}
	if m.cfg.Maildir != "" {
		fmt.Fprintf(w, "mailserver: mail kept in %s/<user>/Maildir\n", m.cfg.Maildir)
	}
	users := m.Store.Users()
	names := users.Names()
	for i, n := range names {
		names[i] = n + "@" + users.Domain()
	}
	fmt.Fprintf(w, "mailserver: users %s (log in with the name or the address)\n", strings.Join(names, ", "))
	if m.cfg.UserList == "demo:demo" {
		fmt.Fprintf(w, "mailserver: demo user: demo@%s, password demo\n", users.Domain())
	}
}
