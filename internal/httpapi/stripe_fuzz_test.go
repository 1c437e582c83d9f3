package httpapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"settle/internal/httpapi"
	"settle/internal/money"
	"settle/internal/payments"
	"settle/internal/payments/stripemock"
	"settle/internal/payments/stripepay"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
)

// offlineStripe is the real Stripe client (signature check and event
// parsing) with the one call a webhook can make answered locally, so that
// fuzzing needs no network.
type offlineStripe struct{ payments.Provider }

func (offlineStripe) SetupPaymentMethod(context.Context, string) (string, string, error) {
	return "pm_fuzz", "", nil
}

// customerPlaceholder in a fuzzed body is replaced by a customer created
// for that input alone, so its payments are that input's.
const customerPlaceholder = "{customer}"

// FuzzStripeWebhook posts any body, signed with the endpoint's secret (or,
// when the fuzzer says so, badly signed), to POST /webhooks/stripe of one
// server per fuzzing process. The answer is 200 or 400, never 5xx nor a
// panic; a refused delivery writes nothing (no audit entry, no row); and
// money is never created: the payments an event books for its customer
// add up to nothing or to exactly one amount the event states (amount,
// amount_received or amount_total in its currency), and no payment lands
// anywhere else.
func FuzzStripeWebhook(f *testing.F) {
	for _, seed := range []string{
		`{"id":"evt_1","object":"event","type":"payment_intent.succeeded","created":1780000000,"data":{"object":{"id":"pi_1","object":"payment_intent","amount":2500,"amount_received":2500,"currency":"usd","status":"succeeded","metadata":{"settle_customer":"{customer}"}}}}`,
		`{"id":"evt_2","object":"event","type":"checkout.session.completed","created":1780000000,"data":{"object":{"id":"cs_1","object":"checkout.session","mode":"payment","payment_status":"paid","amount_total":1200,"currency":"jpy","payment_intent":"pi_8","metadata":{"settle_customer":"{customer}"}}}}`,
		`{"id":"evt_3","object":"event","type":"checkout.session.completed","created":1780000000,"data":{"object":{"id":"cs_2","object":"checkout.session","mode":"setup","setup_intent":"seti_1","metadata":{"settle_customer":"{customer}"}}}}`,
		`{"id":"evt_4","object":"event","type":"charge.dispute.created","created":1780000000,"data":{"object":{"id":"dp_1","object":"dispute","amount":2500,"currency":"usd","reason":"fraudulent","status":"needs_response","payment_intent":"pi_1"}}}`,
		`{"id":"evt_5","object":"event","type":"payment_intent.payment_failed","created":1780000000,"data":{"object":{"id":"pi_2","object":"payment_intent","amount":8000,"amount_received":0,"currency":"eur","metadata":{"settle_customer":"{customer}"}}}}`,
		`{"id":"evt_6","object":"event","type":"payment_intent.succeeded","created":1780000000,"data":{"object":{"id":"pi_3","object":"payment_intent","amount_received":-5,"currency":"usd","metadata":{"settle_customer":"{customer}"}}}}`,
		`{"id":"evt_7","object":"event","type":"payment_intent.succeeded","created":1780000000,"data":{"object":{"id":"pi_4","object":"payment_intent","amount_received":9223372036854775807,"currency":"bhd","metadata":{"settle_customer":"{customer}"}}}}`,
		`{"id":"evt_8","object":"event","type":"setup_intent.succeeded","created":1780000000,"data":{"object":{"id":"seti_2","object":"setup_intent","payment_method":"pm_1","customer":"cus_x","metadata":{"settle_customer":"{customer}"}}}}`,
		`{"id":"evt_9","object":"event","type":"customer.created","data":{"object":{}}}`,
		`not json`, ``,
	} {
		f.Add(uint8(0), []byte(seed))
	}
	f.Add(uint8(1), []byte(`{"id":"evt_1","object":"event","type":"payment_intent.succeeded","data":{"object":{"amount_received":100,"currency":"usd","metadata":{"settle_customer":"{customer}"}}}}`))

	st, err := sqlite.Open(context.Background(), filepath.Join(f.TempDir(), "settle.db"), testutil.Clock)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	svc := service.New(st, testutil.Clock)
	none := int64(0)
	sp, err := stripepay.New(stripepay.Config{SecretKey: stripemock.SecretKey, WebhookSecret: stripemock.WebhookSecret, URL: "http://127.0.0.1:1", MaxNetworkRetries: &none})
	if err != nil {
		f.Fatal(err)
	}
	svc.EnableOnlinePayments(service.OnlineDeps{Provider: offlineStripe{sp}})
	logs := &syncBuffer{}
	h := httpapi.New(svc, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))).Handler()
	ctx := testutil.Admin(context.Background())
	a := &fuzzAPI{t: f, st: st}

	f.Fuzz(func(t *testing.T, mode uint8, body []byte) {
		a.t = t
		var rnd [6]byte
		_, _ = rand.Read(rnd[:])
		ref := "WH-" + hex.EncodeToString(rnd[:])
		c, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: ref, Name: "Webhook " + ref})
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.ReplaceAll(body, []byte(customerPlaceholder), []byte(ref))
		sig := stripemock.Sign(body, stripemock.WebhookSecret)
		if mode&1 != 0 {
			sig = stripemock.Sign(body, "whsec_not_the_secret")
		}
		seq := a.lastSeq()
		before := a.counts()
		logs.take()

		req := httptest.NewRequest("POST", "http://settle.test/webhooks/stripe", bytes.NewReader(body))
		req.Header.Set("Stripe-Signature", sig)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		r := fuzzResp{w.Code, w.Header().Get("Content-Type"), w.Body.Bytes()}

		switch r.status {
		case http.StatusOK:
			if mode&1 != 0 {
				t.Fatalf("badly signed %q accepted", body)
			}
		case http.StatusBadRequest:
			checkProblem(t, "POST /webhooks/stripe", body, r)
			if a.auditSeq(seq) != seq || !maps.Equal(before, a.counts()) {
				t.Fatalf("refused %q but wrote: counts %v → %v", body, before, a.counts())
			}
			return
		default:
			t.Fatalf("%q: status %d, want 200 or 400: %s\nlog: %s", body, r.status, r.body, logs.take())
		}

		// Money: the fresh customer's payments are this event's.
		var pays []money.Amount
		if err := st.ReadTx(context.Background(), func(tx store.Tx) error {
			list, _, err := tx.Payments(context.Background(), store.PaymentFilter{CustomerID: c.ID})
			for _, p := range list {
				pays = append(pays, p.Amount)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		after := a.counts()
		if got := after["payments"] - before["payments"]; got != int64(len(pays)) {
			t.Fatalf("%q: %d payments booked, %d of them for the event's customer", body, got, len(pays))
		}
		if len(pays) > 1 {
			t.Fatalf("%q: one event booked %d payments: %v", body, len(pays), pays)
		}
		if len(pays) == 1 && !statedAmount(body, pays[0]) {
			t.Fatalf("%q: booked %s %s, which the event does not state", body, pays[0], pays[0].Currency())
		}
	})
}

// statedAmount reports whether the event's object states amount a.
func statedAmount(body []byte, a money.Amount) bool {
	var ev struct {
		Data struct {
			Object map[string]json.RawMessage `json:"object"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &ev) != nil {
		return false
	}
	var cur string
	if json.Unmarshal(ev.Data.Object["currency"], &cur) != nil {
		return false
	}
	for _, k := range []string{"amount", "amount_received", "amount_total"} {
		var n int64
		if json.Unmarshal(ev.Data.Object[k], &n) != nil {
			continue
		}
		if b, err := payments.FromMinorUnits(n, cur); err == nil && b == a {
			return true
		}
	}
	return false
}
