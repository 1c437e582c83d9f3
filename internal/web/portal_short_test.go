package web_test

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"settle/internal/service"
	"settle/internal/testutil"
	"settle/internal/web"
)

// TestPortal_ShortLink: a reminder's short link (/p/{code}) opens its own
// customer's portal home and nothing of another customer; unknown and
// malformed codes get the "link does not work" page (403, no account
// data, counted by the refusals' throttle), an expired one the "expired"
// page (410); never a 500, and opening writes nothing.
func TestPortal_ShortLink(t *testing.T) {
	w := newPortalWorld(t)
	w.svc.PortalURL = w.srv.URL
	codes := map[string]string{}
	for _, ref := range []string{"A", "B"} {
		link, err := w.svc.ShortPortalLink(w.ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		code, ok := strings.CutPrefix(link, w.srv.URL+"/p/")
		if !ok || len(code) != 16 {
			t.Fatalf("short link %q", link)
		}
		codes[ref] = code
	}
	if again, _ := w.svc.ShortPortalLink(w.ctx, "A"); again != w.srv.URL+"/p/"+codes["A"] {
		t.Errorf("a second link for A the same day: %q, want the first", again)
	}
	before := testutil.TableDigest(t, w.path)

	b := newBrowser(t, w.srv)
	open := func(code string) response {
		t.Helper()
		r := b.get("/p/" + code)
		wantStatus(t, r, http.StatusSeeOther)
		if r.Header.Get("Referrer-Policy") != "no-referrer" || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("redirect headers: Referrer-Policy %q, Cache-Control %q", r.Header.Get("Referrer-Policy"), r.Header.Get("Cache-Control"))
		}
		loc := r.Header.Get("Location")
		if !strings.HasPrefix(loc, "/portal/") || strings.Count(loc, "/") != 2 {
			t.Fatalf("redirect to %q, want the portal home", loc)
		}
		home := b.get(loc)
		wantStatus(t, home, http.StatusOK)
		home.Request.URL.Path = loc
		return home
	}
	homeA := open(codes["A"])
	wantIn(t, homeA.Body, "Anna Arden", "A-1", "A-2")
	for _, theirs := range []string{"Ben Brook", "B-1"} {
		if strings.Contains(homeA.Body, theirs) {
			t.Errorf("A's short link shows B's %q", theirs)
		}
	}
	// The session it opens is A's: B's invoice is not there.
	if r := b.get(homeA.Request.URL.Path + "/invoices/B-1/pdf"); r.StatusCode != http.StatusNotFound {
		t.Errorf("B's invoice through A's short link: status %d, want 404", r.StatusCode)
	}
	homeB := open(codes["B"])
	wantIn(t, homeB.Body, "Ben Brook", "B-1")
	if strings.Contains(homeB.Body, "Anna Arden") {
		t.Error("B's short link shows A's name")
	}

	// Unknown and malformed codes: the refusal page, nothing of anyone.
	unknown := "0000000000000000"
	if unknown == codes["A"] || unknown == codes["B"] {
		unknown = "zzzzzzzzzzzzzzzz"
	}
	for _, code := range []string{unknown, "abc", codes["A"] + "0", codes["A"][:15] + "-", "%00", strings.Repeat("x", 600)} {
		r := b.get("/p/"+code, "Accept-Language", "de-DE")
		wantStatus(t, r, http.StatusForbidden)
		wantIn(t, r.Body, `<html lang="de">`)
		for _, data := range []string{"Anna", "Ben", "A-1", "B-1", "/portal/"} {
			if strings.Contains(r.Body, data) {
				t.Errorf("refusal of %q shows %q", code, data)
			}
		}
	}

	// Expired: the same store read 30 days later (the link's lifetime).
	later := service.New(w.st, func() time.Time { return testutil.Clock().Add(service.PortalShortLinkTTL) })
	srv := httptest.NewServer(web.New(later, quiet).Handler())
	defer srv.Close()
	r := newBrowser(t, srv).get("/p/" + codes["A"])
	wantStatus(t, r, http.StatusGone)
	wantIn(t, r.Body, "This link has expired")
	if strings.Contains(r.Body, "Anna") {
		t.Error("the expired page shows the customer's name")
	}
	// A second earlier it still opens.
	earlier := service.New(w.st, func() time.Time { return testutil.Clock().Add(service.PortalShortLinkTTL - time.Second) })
	srv2 := httptest.NewServer(web.New(earlier, quiet).Handler())
	defer srv2.Close()
	wantStatus(t, newBrowser(t, srv2).get("/p/"+codes["A"]), http.StatusSeeOther)

	if after := testutil.TableDigest(t, w.path); !maps.Equal(before, after) {
		t.Error("opening short links changed the database")
	}
}

// TestPortal_ShortLinkThrottle: refused short codes count against the
// same per-address allowance as refused portal tokens; past it, refusals
// get 429 while a valid short link still opens.
func TestPortal_ShortLinkThrottle(t *testing.T) {
	w := newPortalWorld(t)
	w.svc.PortalURL = w.srv.URL
	link, err := w.svc.ShortPortalLink(w.ctx, "A")
	if err != nil {
		t.Fatal(err)
	}
	code := strings.TrimPrefix(link, w.srv.URL+"/p/")
	b := newBrowser(t, w.srv)
	for i := 0; i < web.PortalRefusals; i++ {
		wantStatus(t, b.get("/p/unknown"), http.StatusForbidden)
	}
	wantStatus(t, b.get("/p/unknown"), http.StatusTooManyRequests)
	wantStatus(t, b.get(w.linkA+"x"), http.StatusTooManyRequests) // one allowance for tokens and codes
	wantStatus(t, b.get("/p/"+code), http.StatusSeeOther)
}
