package httpapi_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"settle/internal/httpapi"
	"settle/internal/payments/stripemock"
	"settle/internal/payments/stripepay"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// TestAPI_StripeWebhook: POST /webhooks/stripe needs no token but a good
// signature: unsigned or wrongly signed → 400 and nothing recorded; a
// signed event → 200 and recorded once (a redelivery → 200, duplicate);
// without Stripe configured the endpoint is 404. The log never holds the
// secrets.
func TestAPI_StripeWebhook(t *testing.T) {
	st := testutil.SQLite(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	// Not configured: 404.
	off := httptest.NewServer(httpapi.New(service.New(st, testutil.Clock), log).Handler())
	defer off.Close()
	if r := post(t, off.URL, []byte(`{}`), "t=1,v1=00"); r != http.StatusNotFound {
		t.Errorf("not configured: %d, want 404", r)
	}

	svc := service.New(st, testutil.Clock)
	none := int64(0)
	sp, err := stripepay.New(stripepay.Config{SecretKey: stripemock.SecretKey, WebhookSecret: stripemock.WebhookSecret, URL: "http://127.0.0.1:1", MaxNetworkRetries: &none})
	if err != nil {
		t.Fatal(err)
	}
	svc.EnableOnlinePayments(service.OnlineDeps{Provider: sp})
	srv := httptest.NewServer(httpapi.New(svc, log).Handler())
	defer srv.Close()
	ctx := testutil.Admin(context.Background())
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "W-1", Name: "Wes Webb"}); err != nil {
		t.Fatal(err)
	}
	body := stripemock.Event("evt_http_1", "payment_intent.succeeded", time.Now(), map[string]any{"id": "pi_w", "object": "payment_intent",
		"amount_received": 2500, "currency": "usd", "status": "succeeded", "customer": "cus_unknown"})
	events := func() int {
		n := 0
		_ = st.ReadTx(context.Background(), func(tx store.Tx) error {
			if _, err := tx.OnlineEvent(context.Background(), "stripe", "evt_http_1"); err == nil {
				n = 1
			}
			return nil
		})
		return n
	}
	for name, sig := range map[string]string{"unsigned": "", "wrong secret": stripemock.Sign(body, "whsec_other"), "garbage": "nonsense"} {
		if r := post(t, srv.URL, body, sig); r != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, r)
		}
	}
	if events() != 0 {
		t.Fatal("a refused delivery was recorded")
	}
	if r := post(t, srv.URL, []byte("not json"), stripemock.Sign([]byte("not json"), stripemock.WebhookSecret)); r != http.StatusBadRequest {
		t.Errorf("signed garbage: %d, want 400", r)
	}
	sig := stripemock.Sign(body, stripemock.WebhookSecret)
	if r := post(t, srv.URL, body, sig); r != http.StatusOK {
		t.Fatalf("signed: %d", r)
	}
	if r := post(t, srv.URL, body, sig); r != http.StatusOK || events() != 1 {
		t.Errorf("redelivery: %d, events %d", r, events())
	}
	if !strings.Contains(logs.String(), "duplicate=true") {
		t.Errorf("log does not show the duplicate:\n%s", logs.String())
	}
	for _, secret := range []string{stripemock.SecretKey, stripemock.WebhookSecret} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds a secret:\n%s", logs.String())
		}
	}
}

func post(t *testing.T, base string, body []byte, sig string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/webhooks/stripe", bytes.NewReader(body))
	if sig != "" {
		req.Header.Set("Stripe-Signature", sig)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}
