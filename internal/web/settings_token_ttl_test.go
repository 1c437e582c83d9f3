package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"settle/internal/store"
	"settle/internal/testutil"
)

// The tokens page offers a lifetime (90 days preselected): the created
// page and the list say when the token stops working; a token past its
// expiry is listed as Expired; a lifetime not offered is refused.
func TestSettings_TokenExpiry(t *testing.T) {
	e := newSettingsEnv(t)
	admin := e.browser(t, adminEmail, adminPassword)
	api := newBrowser(t, e.srv)

	page := admin.get("/settings/tokens")
	if !regexp.MustCompile(`<option value="90d" selected>90 days</option>`).MatchString(page.Body) {
		t.Errorf("the form does not preselect 90 days:\n%s", page.Body)
	}
	r := admin.postSettings("/settings/tokens", url.Values{"name": {"ERP"}, "role": {"viewer"}, "ttl": {"banana"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	settingsFieldError(t, r.Body, "nt-ttl")

	r = admin.postSettings("/settings/tokens", url.Values{"name": {"ERP export"}, "role": {"viewer"}, "ttl": {"90d"}})
	wantStatus(t, r, http.StatusCreated)
	secret := match(t, tokenSecret, r.Body)
	// testutil.Clock is 1 Jun 2026 12:00 UTC: 90 days later is 30 Aug.
	if !strings.Contains(r.Body, "It stops working on 30 Aug 2026, 12:00 UTC.") {
		t.Errorf("the created page does not say when the token expires:\n%s", r.Body)
	}
	wantStatus(t, api.get("/v1/customers?limit=1", "Authorization", "Bearer "+secret), 200)

	r = admin.postSettings("/settings/tokens", url.Values{"name": {"Forever"}, "role": {"viewer"}, "ttl": {""}})
	wantStatus(t, r, http.StatusCreated)
	if !strings.Contains(r.Body, "It never expires") {
		t.Errorf("the created page of a token without lifetime:\n%s", r.Body)
	}

	past := testutil.Clock().Add(-time.Hour)
	old := store.Token{Name: "Old job", Role: "agent", Hash: "not-a-real-hash", ExpiresAt: &past}
	if err := e.svc.Store().Tx(context.Background(), func(tx store.Tx) error { return tx.InsertToken(context.Background(), &old) }); err != nil {
		t.Fatal(err)
	}
	list := admin.get("/settings/tokens").Body
	row := func(name string) string {
		t.Helper()
		m := regexp.MustCompile(`(?s)<th scope="row">` + name + `</th>.*?</tr>`).FindString(list)
		if m == "" {
			t.Fatalf("no row for %s in:\n%s", name, list)
		}
		return m
	}
	if r := row("ERP export"); !strings.Contains(r, "<td>30 Aug 2026, 12:00 UTC</td>") || !strings.Contains(r, "Active") {
		t.Errorf("ERP export row: %s", r)
	}
	if r := row("Forever"); !strings.Contains(r, "<td>Never</td>") || !strings.Contains(r, "Active") {
		t.Errorf("Forever row: %s", r)
	}
	if r := row("Old job"); !strings.Contains(r, `<span class="status-off">Expired</span>`) {
		t.Errorf("Old job row: %s", r)
	}
}
