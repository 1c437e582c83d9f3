// Package clientip finds the address a request came from when settle
// runs behind load balancers or reverse proxies (SETTLE_TRUSTED_PROXIES).
//
// The peer's address is the client's unless the peer is a trusted proxy.
// Then X-Forwarded-For is read from the right (the hop nearest to settle)
// leftwards, skipping trusted proxies; the first address that is not one
// is the client. Addresses left of it are whatever the client chose to
// send and are never used: a client cannot pose as another by sending the
// header itself. Sign-in and portal throttles, the audit of plan
// acceptances and the access log all see the address found here.
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Trusted is the set of proxies whose X-Forwarded-For is believed.
type Trusted struct {
	prefixes []netip.Prefix
}

// Parse reads a comma-separated list of addresses and CIDR prefixes
// ("10.0.0.0/8, 192.0.2.7, ::1"). Empty means no proxy is trusted.
func Parse(s string) (Trusted, error) {
	var t Trusted
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return Trusted{}, fmt.Errorf("%q is not an address or CIDR prefix (e.g. 10.0.0.0/8)", f)
			}
			t.prefixes = append(t.prefixes, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return Trusted{}, fmt.Errorf("%q is not an address or CIDR prefix (e.g. 10.0.0.0/8)", f)
		}
		a = a.Unmap()
		t.prefixes = append(t.prefixes, netip.PrefixFrom(a, a.BitLen()))
	}
	return t, nil
}

// Empty reports whether no proxy is trusted.
func (t Trusted) Empty() bool { return len(t.prefixes) == 0 }

func (t Trusted) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Client returns the client's address for a request from peer (an
// "ip:port" or bare ip, as in http.Request.RemoteAddr) that carried the
// given X-Forwarded-For header values.
func (t Trusted) Client(peer string, forwardedFor []string) string {
	host := peer
	if h, _, err := net.SplitHostPort(peer); err == nil {
		host = h
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !t.trusts(addr) {
		return host
	}
	var hops []string
	for _, v := range forwardedFor {
		for _, h := range strings.Split(v, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	client := addr
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			break // garbage from the client's side: keep the last hop we know
		}
		client = a.Unmap()
		if !t.trusts(client) {
			break
		}
	}
	return client.String()
}

// Middleware sets r.RemoteAddr to the client's address (port 0) when the
// peer is a trusted proxy, so that everything downstream sees the client.
func (t Trusted) Middleware(next http.Handler) http.Handler {
	if t.Empty() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := t.Client(r.RemoteAddr, r.Header.Values("X-Forwarded-For"))
		if peer, _, _ := net.SplitHostPort(r.RemoteAddr); client != peer {
			r2 := r.Clone(r.Context())
			r2.RemoteAddr = net.JoinHostPort(client, "0")
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}
