package relay

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"slices"
	"strings"

	"github.com/mailwire/mailwire/smtp"
)

// Resolver looks up the DNS records address resolution needs (RFC 5321
// section 5.1). *net.Resolver is one; tests and special setups supply
// their own.
type Resolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// hop is one address to try for a destination.
type hop struct {
	host string // name of the mail exchanger, for Remote-MTA and TLS
	addr string // "ip:port" or "host:port" to dial
}

// Replies for failures of address resolution.
var (
	// RFC 7505 section 4.1: a null MX domain is "not accepting email",
	// with 556 and 5.1.10 (RFC 7504, RFC 7505 section 4.2).
	replyNullMX = smtp.NewReply(556, smtp.EnhancedNullMX, "Recipient address has null MX")
	// RFC 3463 section 3.2: X.1.2 bad destination system address.
	replyNoDomain = smtp.NewReply(550, smtp.EnhancedBadSystem, "Domain not found")
	// RFC 3463 section 3.5: X.4.3 directory server failure, temporary.
	replyLookup = smtp.NewReply(451, smtp.EnhancedTempRoutingFailure, "Domain lookup failed")
)

// route returns the hosts to try for domain, best first, or the reply
// that fails or defers its recipients.
func (r *Relay) route(ctx context.Context, domain string) ([]hop, *smtp.Reply) {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	if to, ok := r.Routes[domain]; ok {
		return r.routeHops(to)
	}
	if to, ok := r.Routes["*"]; ok {
		return r.routeHops(to)
	}
	if strings.HasPrefix(domain, "[") {
		// An address literal (RFC 5321 section 4.1.3) names the host.
		lit := strings.TrimPrefix(strings.Trim(domain, "[]"), "ipv6:")
		return []hop{{host: domain, addr: net.JoinHostPort(lit, r.port())}}, nil
	}
	mxs, err := r.resolver().LookupMX(ctx, domain)
	if err != nil && !notFound(err) {
		return nil, replyLookup
	}
	if len(mxs) == 1 && (mxs[0].Host == "." || mxs[0].Host == "") {
		return nil, replyNullMX
	}
	hosts := sortMX(mxs)
	if len(hosts) == 0 {
		// RFC 5321 section 5.1: no MX records, so the domain itself is
		// the implicit MX, with preference 0.
		hosts = []string{domain}
	}
	var hops []hop
	var lookupErr error
	for _, h := range hosts {
		addrs, err := r.resolver().LookupHost(ctx, h)
		if err != nil {
			lookupErr = err
			continue
		}
		for _, a := range addrs {
			hops = append(hops, hop{host: h, addr: net.JoinHostPort(a, r.port())})
		}
	}
	if len(hops) == 0 {
		if lookupErr != nil && notFound(lookupErr) && len(mxs) == 0 {
			return nil, replyNoDomain
		}
		return nil, replyLookup
	}
	return hops, nil
}

// routeHops turns a static route "host:port" (or "host", port 25) into
// hops; the host is used as it is, so a name is resolved when dialled.
func (r *Relay) routeHops(to string) ([]hop, *smtp.Reply) {
	host, port, err := net.SplitHostPort(to)
	if err != nil {
		host, port = to, r.port()
	}
	return []hop{{host: host, addr: net.JoinHostPort(host, port)}}, nil
}

// sortMX orders the exchangers by preference, those of equal preference
// at random (RFC 5321 section 5.1), and drops "." entries.
func sortMX(mxs []*net.MX) []string {
	mxs = slices.Clone(mxs)
	rand.Shuffle(len(mxs), func(i, j int) { mxs[i], mxs[j] = mxs[j], mxs[i] })
	slices.SortStableFunc(mxs, func(a, b *net.MX) int { return int(a.Pref) - int(b.Pref) })
	var hosts []string
	for _, mx := range mxs {
		h := strings.TrimSuffix(mx.Host, ".")
		if h != "" && !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// notFound reports a lookup that says the name or record does not exist,
// as opposed to one that failed.
func notFound(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}
