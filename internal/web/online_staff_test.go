package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"settle/internal/payments/stripemock"
	"settle/internal/payments/stripepay"
	"settle/internal/service"
)

// TestWeb_OnlinePanel: the customer page loads the online-payments panel;
// a chargeback reported by Stripe shows there for a viewer (as the panel
// for htmx, as a page without it); an unknown customer is 404.
func TestWeb_OnlinePanel(t *testing.T) {
	svc, srv := ownBook(t)
	v := newBrowser(t, srv)
	wantStatus(t, v.signIn(viewerEmail, agentPassword), http.StatusSeeOther)
	c, err := svc.Customer(testAdmin(), "G-1")
	if err != nil {
		t.Fatal(err)
	}
	page := v.get("/customers/G-1")
	wantIn(t, page.Body, `hx-get="/customers/`+c.ID+`/online"`)
	panel := v.get("/customers/"+c.ID+"/online", "HX-Request", "true")
	wantStatus(t, panel, 200)
	wantIn(t, panel.Body, `id="online"`, "Online payment is not configured", "No online payments.")
	if strings.Contains(panel.Body, "<html") {
		t.Error("the htmx answer is a whole page")
	}

	none := int64(0)
	sp, err := stripepay.New(stripepay.Config{SecretKey: stripemock.SecretKey, WebhookSecret: stripemock.WebhookSecret, URL: "http://127.0.0.1:1", MaxNetworkRetries: &none})
	if err != nil {
		t.Fatal(err)
	}
	svc.EnableOnlinePayments(service.OnlineDeps{Provider: sp})
	body := stripemock.Event("evt_web_1", "charge.dispute.created", time.Now(), map[string]any{"id": "dp_web", "object": "dispute", "amount": 40000,
		"currency": "gbp", "payment_intent": "pi_web", "reason": "product_not_received", "status": "needs_response",
		"metadata": map[string]string{"settle_customer": c.ID}})
	if _, err := svc.HandleOnlineWebhook(context.Background(), body, stripemock.Sign(body, stripemock.WebhookSecret)); err != nil {
		t.Fatal(err)
	}
	full := v.get("/customers/" + c.ID + "/online")
	wantStatus(t, full, 200)
	wantIn(t, full.Body, "<html", "Chargebacks", "dp_web", "400.00 GBP", "product_not_received", "needs_response")
	if strings.Contains(full.Body, "not configured") {
		t.Error("still says not configured")
	}
	wantStatus(t, v.get("/customers/cus_nobody/online"), http.StatusNotFound)
}

func testAdmin() context.Context {
	return service.WithActor(context.Background(), service.Actor{ID: "test:admin", Role: service.RoleAdmin})
}
