package stripepay_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v84/webhook"

	"settle/internal/money"
	"settle/internal/payments"
	"settle/internal/payments/stripemock"
	"settle/internal/payments/stripepay"
)

// recorder keeps every request the client sends (form body and headers)
// and passes it on to stripe-mock, which checks it against Stripe's API
// spec: a parameter Stripe does not know, or a wrong type, is a 400 there.
type recorder struct {
	mu   sync.Mutex
	reqs []sent
}

type sent struct {
	method, path string
	form         url.Values
	idem         string
	auth         string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	form, _ := url.ParseQuery(string(body))
	r.mu.Lock()
	r.reqs = append(r.reqs, sent{req.Method, req.URL.Path, form, req.Header.Get("Idempotency-Key"), req.Header.Get("Authorization")})
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) last(t *testing.T) sent {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		t.Fatal("no request was sent")
	}
	return r.reqs[len(r.reqs)-1]
}

func newClient(t *testing.T) (*stripepay.Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	none := int64(0)
	c, err := stripepay.New(stripepay.Config{SecretKey: stripemock.SecretKey, WebhookSecret: stripemock.WebhookSecret,
		URL: stripemock.URL(t), HTTPClient: &http.Client{Transport: rec, Timeout: 10 * time.Second}, MaxNetworkRetries: &none})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

func amt(t *testing.T, s, cur string) money.Amount {
	t.Helper()
	a, err := money.Parse(s, money.MustCurrency(cur))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func wantForm(t *testing.T, s sent, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := s.form.Get(k); got != v {
			t.Errorf("%s %s: %s = %q, want %q", s.method, s.path, k, got, v)
		}
	}
}

func TestNew_NeedsBothSecrets(t *testing.T) {
	if _, err := stripepay.New(stripepay.Config{WebhookSecret: "whsec_x"}); err == nil {
		t.Error("no secret key: accepted")
	}
	if _, err := stripepay.New(stripepay.Config{SecretKey: "sk_test_x"}); err == nil {
		t.Error("no webhook secret: accepted")
	}
}

func TestClient_CreateCustomer(t *testing.T) {
	c, rec := newClient(t)
	id, err := c.CreateCustomer(t.Context(), payments.Customer{SettleID: "cus_1", Name: "Acme GmbH", Email: "ap@acme.example"}, "customer:cus_1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(id, "cus_") {
		t.Errorf("id %q", id)
	}
	s := rec.last(t)
	if s.method != "POST" || s.path != "/v1/customers" || s.idem != "customer:cus_1" || s.auth != "Bearer "+stripemock.SecretKey {
		t.Errorf("sent %s %s idem %q auth %q", s.method, s.path, s.idem, s.auth)
	}
	wantForm(t, s, map[string]string{"name": "Acme GmbH", "email": "ap@acme.example", "metadata[settle_customer]": "cus_1"})
}

func TestClient_CreateCheckout(t *testing.T) {
	c, rec := newClient(t)
	meta := map[string]string{payments.MetaIntent: "opi_1", payments.MetaCustomer: "cus_1"}
	t.Run("payment in USD", func(t *testing.T) {
		co, err := c.CreateCheckout(t.Context(), payments.CheckoutRequest{Mode: payments.ModePayment, Customer: "cus_S1", Amount: amt(t, "123.45", "USD"),
			Title: "Invoice R-1", SuccessURL: "https://pay.example/ok", CancelURL: "https://pay.example/no", Locale: "de", Metadata: meta, IdempotencyKey: "checkout:opi_1"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(co.ID, "cs_") || !strings.HasPrefix(co.URL, "https://") {
			t.Errorf("checkout %+v", co)
		}
		s := rec.last(t)
		if s.path != "/v1/checkout/sessions" || s.idem != "checkout:opi_1" {
			t.Errorf("sent %s idem %q", s.path, s.idem)
		}
		// 123.45 USD is 12345 cents.
		wantForm(t, s, map[string]string{"mode": "payment", "customer": "cus_S1", "locale": "de",
			"line_items[0][price_data][currency]": "usd", "line_items[0][price_data][unit_amount]": "12345",
			"line_items[0][price_data][product_data][name]": "Invoice R-1", "line_items[0][quantity]": "1",
			"metadata[settle_intent]": "opi_1", "payment_intent_data[metadata][settle_intent]": "opi_1",
			"success_url": "https://pay.example/ok", "cancel_url": "https://pay.example/no"})
	})
	t.Run("payment in JPY and BHD", func(t *testing.T) {
		// 1200 JPY is amount 1200 (zero-decimal); 12.340 BHD is 12340.
		for _, tt := range []struct{ amount, cur, want string }{{"1200", "JPY", "1200"}, {"12.340", "BHD", "12340"}} {
			if _, err := c.CreateCheckout(t.Context(), payments.CheckoutRequest{Mode: payments.ModePayment, Customer: "cus_S1", Amount: amt(t, tt.amount, tt.cur),
				Title: "x", SuccessURL: "https://a/", CancelURL: "https://a/", IdempotencyKey: "k-" + tt.cur}); err != nil {
				t.Fatal(err)
			}
			wantForm(t, rec.last(t), map[string]string{"line_items[0][price_data][unit_amount]": tt.want})
		}
	})
	t.Run("an amount Stripe cannot take is refused before any request", func(t *testing.T) {
		n := len(rec.reqs)
		_, err := c.CreateCheckout(t.Context(), payments.CheckoutRequest{Mode: payments.ModePayment, Customer: "cus_S1", Amount: amt(t, "1.234", "BHD"),
			Title: "x", SuccessURL: "https://a/", CancelURL: "https://a/"})
		if err == nil || !strings.Contains(err.Error(), "BHD") {
			t.Errorf("1.234 BHD: %v", err)
		}
		if len(rec.reqs) != n {
			t.Error("a request was sent")
		}
	})
	t.Run("setup", func(t *testing.T) {
		co, err := c.CreateCheckout(t.Context(), payments.CheckoutRequest{Mode: payments.ModeSetup, Customer: "cus_S1", Amount: money.Zero("EUR"),
			Title: "Autopay for plan pln_1", SuccessURL: "https://a/ok", CancelURL: "https://a/no", Metadata: map[string]string{payments.MetaPlan: "pln_1"}, IdempotencyKey: "setup:opi_2"})
		if err != nil {
			t.Fatal(err)
		}
		if co.URL == "" {
			t.Error("no URL")
		}
		wantForm(t, rec.last(t), map[string]string{"mode": "setup", "currency": "eur", "setup_intent_data[metadata][settle_plan]": "pln_1",
			"line_items[0][price_data][unit_amount]": ""})
	})
}

func TestClient_Charge(t *testing.T) {
	c, rec := newClient(t)
	ch, err := c.Charge(t.Context(), payments.ChargeRequest{Customer: "cus_S1", PaymentMethod: "pm_1", Amount: amt(t, "80.00", "USD"),
		Description: "Plan pln_1 installment 2", Metadata: map[string]string{payments.MetaIntent: "opi_3"}, IdempotencyKey: "autopay:pln_1:2:1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ch.PaymentIntent, "pi_") {
		t.Errorf("payment intent %q", ch.PaymentIntent)
	}
	// stripe-mock answers with its fixture (status requires_payment_method,
	// no error): the outcome is left to the webhook.
	if ch.Status != payments.ChargePending {
		t.Errorf("status %q, want pending", ch.Status)
	}
	s := rec.last(t)
	if s.path != "/v1/payment_intents" || s.idem != "autopay:pln_1:2:1" {
		t.Errorf("sent %s idem %q", s.path, s.idem)
	}
	wantForm(t, s, map[string]string{"amount": "8000", "currency": "usd", "customer": "cus_S1", "payment_method": "pm_1",
		"confirm": "true", "off_session": "true", "metadata[settle_intent]": "opi_3"})
}

func TestClient_SetupPaymentMethod(t *testing.T) {
	c, rec := newClient(t)
	if _, _, err := c.SetupPaymentMethod(t.Context(), "seti_123"); err != nil {
		t.Fatal(err)
	}
	if s := rec.last(t); s.method != "GET" || s.path != "/v1/setup_intents/seti_123" {
		t.Errorf("sent %s %s", s.method, s.path)
	}
}

// TestClient_ErrorsHideTheKey: stripe-mock refuses a key of the wrong
// shape and quotes the Authorization header back; the error settle logs
// must not carry the key.
func TestClient_ErrorsHideTheKey(t *testing.T) {
	const key = "sk_test_wrong_shape_SECRET"
	none := int64(0)
	c, err := stripepay.New(stripepay.Config{SecretKey: key, WebhookSecret: "whsec_x", URL: stripemock.URL(t), MaxNetworkRetries: &none})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateCustomer(t.Context(), payments.Customer{SettleID: "cus_1", Name: "A"}, "k1")
	if err == nil {
		t.Fatal("stripe-mock accepted a malformed key")
	}
	if strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("error %q: want a 401 without the key", err)
	}
}

func TestClient_ParseWebhook(t *testing.T) {
	none := int64(0)
	c, err := stripepay.New(stripepay.Config{SecretKey: "sk_test_x", WebhookSecret: stripemock.WebhookSecret, URL: "http://127.0.0.1:1", MaxNetworkRetries: &none})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	pi := stripemock.Event("evt_1", "payment_intent.payment_failed", now, map[string]any{
		"id": "pi_9", "object": "payment_intent", "amount": 8000, "amount_received": 0, "currency": "usd", "customer": "cus_S1",
		"payment_method": "pm_1", "status": "requires_payment_method", "metadata": map[string]string{"settle_intent": "opi_3"},
		"last_payment_error": map[string]any{"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."},
	})
	t.Run("signed", func(t *testing.T) {
		ev, err := c.ParseWebhook(pi, stripemock.Sign(pi, stripemock.WebhookSecret))
		if err != nil {
			t.Fatal(err)
		}
		if ev.ID != "evt_1" || ev.Type != payments.EventPaymentFailed || ev.PaymentIntent != "pi_9" || ev.Customer != "cus_S1" || ev.PaymentMethod != "pm_1" ||
			ev.Metadata["settle_intent"] != "opi_3" || ev.FailureCode != "insufficient_funds" || !strings.Contains(ev.FailureMessage, "insufficient") {
			t.Errorf("event %+v", ev)
		}
		if !ev.Amount.IsZero() || ev.Amount.Currency() != "USD" {
			t.Errorf("amount %v %s, want 0 USD (nothing received)", ev.Amount, ev.Amount.Currency())
		}
	})
	t.Run("checkout session", func(t *testing.T) {
		b := stripemock.Event("evt_2", "checkout.session.completed", now, map[string]any{"id": "cs_1", "object": "checkout.session", "mode": "payment",
			"payment_status": "paid", "amount_total": 1200, "currency": "jpy", "payment_intent": "pi_8", "customer": "cus_S1",
			"metadata": map[string]string{"settle_intent": "opi_4"}})
		ev, err := c.ParseWebhook(b, stripemock.Sign(b, stripemock.WebhookSecret))
		if err != nil {
			t.Fatal(err)
		}
		// 1200 jpy is 1200 JPY (zero-decimal both sides).
		if ev.ObjectID != "cs_1" || !ev.Paid || ev.Mode != "payment" || ev.PaymentIntent != "pi_8" || ev.Amount != money.New(1200, "JPY") {
			t.Errorf("event %+v", ev)
		}
	})
	t.Run("dispute", func(t *testing.T) {
		b := stripemock.Event("evt_3", "charge.dispute.created", now, map[string]any{"id": "dp_1", "object": "dispute", "amount": 12340,
			"currency": "bhd", "payment_intent": "pi_8", "charge": "ch_1", "reason": "fraudulent", "status": "needs_response"})
		ev, err := c.ParseWebhook(b, stripemock.Sign(b, stripemock.WebhookSecret))
		if err != nil {
			t.Fatal(err)
		}
		// 12340 bhd (three decimals) is 12.340 BHD.
		if ev.ObjectID != "dp_1" || ev.DisputeReason != "fraudulent" || ev.DisputeStatus != "needs_response" || ev.Amount != money.New(12340, "BHD") {
			t.Errorf("event %+v", ev)
		}
	})
	bad := []struct{ name, header string }{
		{"unsigned", ""},
		{"wrong secret", stripemock.Sign(pi, "whsec_someone_else")},
		{"garbage header", "t=abc,v1=zz"},
		{"too old", webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: pi, Secret: stripemock.WebhookSecret, Timestamp: now.Add(-time.Hour)}).Header},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.ParseWebhook(pi, tt.header); !errors.Is(err, payments.ErrBadSignature) {
				t.Errorf("error %v, want ErrBadSignature", err)
			}
		})
	}
	t.Run("tampered body", func(t *testing.T) {
		sig := stripemock.Sign(pi, stripemock.WebhookSecret)
		tampered := bytes.Replace(pi, []byte(`"amount_received":0`), []byte(`"amount_received":8000`), 1)
		if _, err := c.ParseWebhook(tampered, sig); !errors.Is(err, payments.ErrBadSignature) {
			t.Errorf("error %v, want ErrBadSignature", err)
		}
	})
}
