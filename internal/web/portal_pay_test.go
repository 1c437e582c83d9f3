package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"settle/internal/payments/stripemock"
	"settle/internal/payments/stripepay"
	"settle/internal/service"
	"settle/internal/store"
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

var payLinkRe = regexp.MustCompile(`(http://[^\s"<>]+/portal/([^\s"<>/]+)/pay)`)

// TestPortal_PayLinkInEmails: with online payment offered, the run's email
// to B carries a pay-online link; it opens B's pay page and nothing else
// (home redirects there; contact, promise and dispute are refused); without
// online payment the email has no such link.
func TestPortal_PayLinkInEmails(t *testing.T) {
	w := newPortalWorld(t)
	w.svc.PortalURL = w.srv.URL
	email := "ben@example.com"
	if _, err := w.svc.UpdateCustomer(w.ctx, "B", service.CustomerPatch{Email: &email}); err != nil {
		t.Fatal(err)
	}
	none := int64(0)
	sp, err := stripepay.New(stripepay.Config{SecretKey: stripemock.SecretKey, WebhookSecret: stripemock.WebhookSecret, URL: stripemock.URL(t),
		HTTPClient: &http.Client{Timeout: 10 * time.Second}, MaxNetworkRetries: &none})
	if err != nil {
		t.Fatal(err)
	}
	w.svc.EnableOnlinePayments(service.OnlineDeps{Provider: sp})
	if _, err := w.svc.StartRun(w.ctx, service.RunInput{AsOf: asOf.String()}); err != nil {
		t.Fatal(err)
	}
	msgs, _, err := w.svc.Messages(w.ctx, store.MessageFilter{CustomerID: w.custB})
	if err != nil {
		t.Fatal(err)
	}
	var link, token string
	for _, m := range msgs {
		if mm := payLinkRe.FindStringSubmatch(m.Body); mm != nil {
			if m.Channel != "email" {
				t.Errorf("a %s carries the pay link", m.Channel)
			}
			link, token = mm[1], mm[2]
		}
	}
	if link == "" {
		t.Fatalf("no email to B with a pay link among %d messages", len(msgs))
	}
	sess, err := w.svc.VerifyPortalToken(w.ctx, token)
	if err != nil || sess.CustomerID() != w.custB || sess.Scope() != service.ScopePay {
		t.Fatalf("the pay link: %v (scope %q)", err, sess.Scope())
	}
	b := newBrowser(t, w.srv)
	base := strings.TrimPrefix(strings.TrimSuffix(link, "/pay"), w.srv.URL)
	r := b.get(base)
	wantStatus(t, r, http.StatusSeeOther)
	if r.Header.Get("Location") != base+"/pay" {
		t.Errorf("home redirects to %q, want the pay page", r.Header.Get("Location"))
	}
	page := b.get(base + "/pay")
	wantStatus(t, page, 200)
	wantIn(t, page.Body, "Invoice B-1")
	if strings.Contains(page.Body, `class="portal-home"`) || strings.Contains(page.Body, `href="`+base+`"`) {
		t.Error("the pay-only page links to the rest of the portal")
	}
	for _, p := range []string{"/contact", "/promise", "/dispute"} {
		wantStatus(t, b.get(base+p), http.StatusForbidden)
	}
}
