package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"settle/internal/service"
	"settle/internal/testutil"
	"settle/internal/web"
)

// TestPortal_ExpiredOffersSayWhatToDo: a customer who comes back to a
// negotiation after its offers expired (offer_valid_days, 14 in the default
// policy; here 16 days later, through a service on the same store with a
// later clock) reads that they expired and when, and may start again — not
// the old offers with buttons that only answer "that is no longer
// possible". Starting again opens a new negotiation with today's offer.
// A proposal from a tab left open gets the same page, under an alert.
func TestPortal_ExpiredOffersSayWhatToDo(t *testing.T) {
	w := newPortalWorld(t)
	opts := startPlan(t, newBrowser(t, w.srv), w.linkB)
	oldPath := match(t, regexp.MustCompile(`action="(/portal/[^"]+)/counter"`), opts.Body)

	later := service.New(w.st, func() time.Time { return testutil.Clock().Add(16 * 24 * time.Hour) })
	later.Creditor = "Settle Demo Ltd"
	srv := httptest.NewServer(web.New(later, quiet).Handler())
	defer srv.Close()
	b := newBrowser(t, srv)
	page := b.get(oldPath)
	wantStatus(t, page, http.StatusOK)
	// Opened on 1 June 2026 (the test clock); valid 14 days, to 15 June.
	// Dates are written with no-break spaces.
	wantIn(t, strings.ReplaceAll(page.Body, "\u00a0", " "), "These offers expired on 15 June 2026.", "Start again")
	for _, stale := range []string{"/counter\"", "/choose\"", "These offers are valid until", "Choose a plan"} {
		if strings.Contains(page.Body, stale) {
			t.Errorf("the expired page still has %q", stale)
		}
	}
	// A proposal sent from a tab left open: the page as it stands now, under
	// the conflict's alert (before: a bare "this page shows where things
	// stand now" on a page that showed nothing).
	stale := portalPost(t, b, page, oldPath+"/counter", url.Values{"installment_amount": {"300.00"}, "frequency": {"monthly"}})
	wantStatus(t, stale, http.StatusConflict)
	wantIn(t, strings.ReplaceAll(stale.Body, "\u00a0", " "), "That is no longer possible: this page shows where things stand now.",
		"These offers expired on 15 June 2026.", "Start again")
	r := portalPost(t, b, page, w.linkB+"/plan", url.Values{"currency": {"EUR"}})
	wantStatus(t, r, http.StatusSeeOther)
	next := r.Header.Get("Location")
	if strings.HasPrefix(next, oldPath) {
		t.Fatalf("starting again went back to the expired negotiation %s", next)
	}
	fresh := b.get(next)
	wantStatus(t, fresh, http.StatusOK)
	// Opened again on 17 June: valid to 1 July.
	wantIn(t, strings.ReplaceAll(fresh.Body, "\u00a0", " "), "These offers are valid until 1 July 2026.")
}
