package web_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"settle/internal/web"
)

// spellings returns the other spellings of the base64url string s that a
// lenient decoder reads as the same bytes: its last character with other
// spare (padding) bits. Worked out here from the alphabet, not from the
// decoder: a raw base64 string of length n ≡ 3 (mod 4) carries 2 spare
// bits in its last character, one of length n ≡ 2 (mod 4) carries 4.
func spellings(t *testing.T, s string) []string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var spare uint
	switch len(s) % 4 {
	case 2:
		spare = 4
	case 3:
		spare = 2
	default:
		return nil
	}
	last := strings.IndexByte(alphabet, s[len(s)-1])
	if last < 0 {
		t.Fatalf("%q is not base64url", s)
	}
	var out []string
	for bits := 0; bits < 1<<spare; bits++ {
		v := last&^(1<<spare-1) | bits
		if v != last {
			out = append(out, s[:len(s)-1]+string(alphabet[v]))
		}
	}
	return out
}

// TestPortal_TokenCanonical: a link whose base64 has other spare bits in
// its last character, or a line break inside, names the same bytes but is
// not the link we issued: it is refused like any bad link (and counted by
// the refusals' throttle), while the link itself still opens.
func TestPortal_TokenCanonical(t *testing.T) {
	w := newPortalWorld(t)
	b := newBrowser(t, w.srv)
	tok := strings.TrimPrefix(w.linkA, "/portal/")
	payload, mac, _ := strings.Cut(tok, ".")
	var variants []string
	for _, m := range spellings(t, mac) {
		variants = append(variants, payload+"."+m)
	}
	for _, p := range spellings(t, payload) {
		variants = append(variants, p+"."+mac)
	}
	if len(variants) == 0 {
		t.Fatalf("token %q has no spare bits to flip", tok)
	}
	// The variants decode to the same bytes (so they are real aliases).
	for _, v := range variants {
		p, m, _ := strings.Cut(v, ".")
		rp, err1 := base64.RawURLEncoding.DecodeString(p)
		rm, err2 := base64.RawURLEncoding.DecodeString(m)
		wp, _ := base64.RawURLEncoding.DecodeString(payload)
		wm, _ := base64.RawURLEncoding.DecodeString(mac)
		if err1 != nil || err2 != nil || string(rp) != string(wp) || string(rm) != string(wm) {
			t.Fatalf("variant %q is not an alias of the link", v)
		}
	}
	variants = append(variants, payload[:4]+"%0A"+payload[4:]+"."+mac, payload+"."+mac[:4]+"%0D"+mac[4:])

	for _, v := range variants[:min(len(variants), web.PortalRefusals-1)] {
		r := b.get("/portal/" + v)
		wantStatus(t, r, http.StatusForbidden)
		wantIn(t, r.Body, "This link does not work")
		if strings.Contains(r.Body, "Anna") {
			t.Errorf("variant %q opens the account", v)
		}
	}
	wantStatus(t, b.get(w.linkA), http.StatusOK)

	// The post throttle counts one link's posts together: posts through
	// the link fill it, and a spelling of the link is refused outright
	// rather than opening a fresh allowance.
	b2 := newBrowser(t, w.srv)
	page := b2.get(w.linkB + "/contact")
	for i := range web.PortalPosts {
		on := []string{"1", "0"}[i%2]
		if r := portalPost(t, b2, page, w.linkB+"/contact", url.Values{"channel": {"sms"}, "opted_out": {on}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("post %d: %d", i+1, r.StatusCode)
		}
	}
	tokB := strings.TrimPrefix(w.linkB, "/portal/")
	pB, mB, _ := strings.Cut(tokB, ".")
	alias := pB + "." + spellings(t, mB)[0]
	r := portalPost(t, b2, page, "/portal/"+alias+"/contact", url.Values{"channel": {"sms"}, "opted_out": {"1"}})
	if r.StatusCode == http.StatusSeeOther {
		t.Errorf("a spelling of a throttled link posted: %d", r.StatusCode)
	}
}
