package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"settle/internal/payments/stripemock"
	"settle/internal/payments/stripepay"
	"settle/internal/service"
)

// TestPortal_PayOnline: without Stripe there is no pay button and no pay
// page; with it (stripe-mock), B's home links to the pay page, which
// offers B-1; paying it sends the browser to Stripe's Checkout page
// (303); A's invoice cannot be paid from B's link; coming back shows a
// thank-you that promises nothing.
func TestPortal_PayOnline(t *testing.T) {
	w := newPortalWorld(t)
	b := newBrowser(t, w.srv)
	home := b.get(w.linkB)
	wantStatus(t, home, 200)
	if strings.Contains(home.Body, "Pay online now") || strings.Contains(home.Body, "/pay") {
		t.Error("a pay button without a payment provider")
	}
	wantStatus(t, b.get(w.linkB+"/pay"), http.StatusNotFound)

	none := int64(0)
	sp, err := stripepay.New(stripepay.Config{SecretKey: stripemock.SecretKey, WebhookSecret: stripemock.WebhookSecret, URL: stripemock.URL(t),
		HTTPClient: &http.Client{Timeout: 10 * time.Second}, MaxNetworkRetries: &none})
	if err != nil {
		t.Fatal(err)
	}
	w.svc.EnableOnlinePayments(service.OnlineDeps{Provider: sp})
	home = b.get(w.linkB)
	wantIn(t, home.Body, `href="`+w.linkB+`/pay"`, "Pay online now")
	page := b.get(w.linkB + "/pay")
	wantStatus(t, page, 200)
	wantIn(t, page.Body, "Invoice B-1", `name="kind" value="invoice"`, "Pay ")
	if strings.Contains(page.Body, "A-1") || strings.Contains(page.Body, "A-2") {
		t.Error("B's pay page shows A's invoices")
	}
	b1, err := w.svc.Invoice(w.ctx, "B-1")
	if err != nil {
		t.Fatal(err)
	}
	a1, err := w.svc.Invoice(w.ctx, "A-1")
	if err != nil {
		t.Fatal(err)
	}
	r := portalPost(t, b, page, w.linkB+"/pay", url.Values{"kind": {"invoice"}, "ref": {b1.ID}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "https://checkout.stripe.com/") {
		t.Errorf("Location %q", loc)
	}
	wantStatus(t, portalPost(t, b, page, w.linkB+"/pay", url.Values{"kind": {"invoice"}, "ref": {a1.ID}}), http.StatusNotFound)
	wantStatus(t, b.do(http.MethodPost, w.linkB+"/pay", url.Values{"kind": {"invoice"}, "ref": {b1.ID}}), http.StatusForbidden) // no form token
	back := b.get(w.linkB + "/pay?result=paid")
	wantIn(t, back.Body, "We will confirm your payment as soon as our payment provider tells us")
	// A (German) sees the page in German.
	wantIn(t, b.get(w.linkA+"/pay").Body, "Online bezahlen", "Rechnung A-1")
}
