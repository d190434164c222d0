package netserver

import (
	"net"
	"net/netip"
)

// AddrKey names one client for the limits that count per client: the
// connections it holds at once and its failed logins. An IPv4 address is
// one client; an IPv6 address is counted by its /64 prefix, the subnet in
// which a host picks its own interface identifier (RFC 4291 section
// 2.5.4), so that an attacker cannot multiply itself by taking a new
// address out of its subnet for each connection (a client given a larger
// block still counts as one client per /64). IPv4-mapped IPv6 addresses
// count as the IPv4 address.
// Addresses that are not IP (a Unix socket, a pipe) share one key per
// network. The zero AddrKey is a valid key of its own.
type AddrKey struct {
	ip      netip.Addr
	network string // for addresses that are not IP
}

// KeyOf returns the AddrKey of a remote address.
func KeyOf(a net.Addr) AddrKey {
	if a == nil {
		return AddrKey{}
	}
	var ip netip.Addr
	switch t := a.(type) {
	case *net.TCPAddr:
		ip, _ = netip.AddrFromSlice(t.IP)
	case *net.UDPAddr:
		ip, _ = netip.AddrFromSlice(t.IP)
	default:
		if ap, err := netip.ParseAddrPort(a.String()); err == nil {
			ip = ap.Addr()
		}
	}
	if !ip.IsValid() {
		return AddrKey{network: a.Network()}
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		ip = p.Addr()
	}
	return AddrKey{ip: ip}
}

// String returns the address or prefix the key stands for.
func (k AddrKey) String() string {
	switch {
	case k.ip.Is6():
		return k.ip.String() + "/64"
	case k.ip.IsValid():
		return k.ip.String()
	}
	return k.network
}
