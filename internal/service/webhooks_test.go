package service_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"settle/internal/apperr"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// A subscriber gets invoice.overdue from the run and plan.accepted from an
// acceptance, signed with its secret; a 500 is retried after the backoff;
// a rerun of the date sends nothing new.
func TestWebhooks(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 16, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	svc := service.New(testutil.SQLiteAt(t, clock), clock)
	ctx := testutil.Admin(context.Background())

	type got struct {
		event, delivery, sig string
		body                 []byte
	}
	var (
		rmu      sync.Mutex
		received []got
		fail     = 1 // answer 500 this many times first
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rmu.Lock()
		defer rmu.Unlock()
		if fail > 0 {
			fail--
			http.Error(w, "busy", http.StatusInternalServerError)
			return
		}
		received = append(received, got{r.Header.Get("Settle-Event"), r.Header.Get("Settle-Delivery"), r.Header.Get("Settle-Signature"), b})
	}))
	t.Cleanup(srv.Close)

	// Bad subscriptions are refused naming the field; agents may not subscribe.
	_, err := svc.CreateWebhook(ctx, service.WebhookInput{URL: "ftp://example.com/x", Events: []string{"invoice.paid"}})
	if e, ok := apperr.As(err); !ok || len(e.Fields) != 2 || e.Fields[0].Field != "url" || e.Fields[1].Field != "events" {
		t.Fatalf("bad subscription: %v", err)
	}
	agent := service.WithActor(context.Background(), service.Actor{ID: "test:agent", Role: service.RoleAgent})
	if _, err := svc.CreateWebhook(agent, service.WebhookInput{URL: srv.URL, Events: []string{"plan.accepted"}}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("agent subscribed: %v", err)
	}
	wh, err := svc.CreateWebhook(ctx, service.WebhookInput{URL: srv.URL + "/hook", Events: []string{"invoice.overdue", "plan.accepted"}})
	if err != nil || !strings.HasPrefix(wh.Secret, "whsec_") {
		t.Fatalf("subscribe: %+v %v", wh, err)
	}

	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "W", Name: "Webster", Kind: "business", Jurisdiction: "US", TimeZone: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"W-1", "W-2"} {
		if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: n, CustomerID: "W", IssueDate: "2025-12-16", DueDate: "2026-01-15", Currency: "USD", Amount: "80.00"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.StartRun(ctx, service.RunInput{AsOf: "2026-01-16"}); err != nil {
		t.Fatal(err)
	}
	pv, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: "W", InvoiceIDs: []string{"W-2"}, PlanTermsInput: service.PlanTermsInput{Installments: 2, StartDate: "2026-02-01", AsOf: "2026-01-16"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AcceptPlan(ctx, pv.Plan.ID, service.AcceptInput{AcceptedBy: "Web Ster", Channel: "email"}); err != nil {
		t.Fatal(err)
	}

	client := srv.Client()
	// invoice.overdue for each invoice and plan.accepted: three deliveries;
	// the first meets the 500.
	rep, err := svc.DeliverWebhooks(ctx, client, "test", 10)
	if err != nil || rep.Claimed != 3 || rep.Retried != 1 || rep.Delivered != 2 {
		t.Fatalf("first pass %+v %v", rep, err)
	}
	if rep, _ := svc.DeliverWebhooks(ctx, client, "test", 10); rep.Claimed != 0 {
		t.Fatalf("retried before the backoff: %+v", rep)
	}
	advance(61 * time.Second)
	if rep, err := svc.DeliverWebhooks(ctx, client, "test", 10); err != nil || rep.Delivered != 1 {
		t.Fatalf("retry %+v %v", rep, err)
	}
	// A rerun of the date queues nothing new.
	if _, err := svc.StartRun(ctx, service.RunInput{AsOf: "2026-01-16"}); err != nil {
		t.Fatal(err)
	}
	if rep, _ := svc.DeliverWebhooks(ctx, client, "test", 10); rep.Claimed != 0 {
		t.Fatalf("rerun queued deliveries: %+v", rep)
	}

	rmu.Lock()
	defer rmu.Unlock()
	events := map[string]int{}
	for _, g := range received {
		events[g.event]++
		// Settle-Signature: t=<unix>,v1=<hmac>; recompute it with the secret.
		parts := strings.SplitN(g.sig, ",", 2)
		ts, err := strconv.ParseInt(strings.TrimPrefix(parts[0], "t="), 10, 64)
		if err != nil || service.Sign(wh.Secret, time.Unix(ts, 0), g.body) != g.sig {
			t.Errorf("bad signature %q on %s", g.sig, g.body)
		}
		if service.Sign("whsec_wrong", time.Unix(ts, 0), g.body) == g.sig {
			t.Error("a wrong secret gives the same signature")
		}
		var payload struct {
			ID, Type string
			Data     map[string]any
		}
		if err := json.Unmarshal(g.body, &payload); err != nil || payload.Type != g.event || !strings.HasPrefix(payload.ID, "evt_") {
			t.Errorf("payload %s", g.body)
		}
	}
	if events["invoice.overdue"] != 2 || events["plan.accepted"] != 1 || len(received) != 3 {
		t.Errorf("received %v", events)
	}
	list, _, err := svc.WebhookDeliveries(ctx, wh.ID, store.Page{Limit: 10})
	if err != nil || len(list) != 3 {
		t.Fatalf("deliveries %d %v", len(list), err)
	}
	for _, d := range list {
		if d.Status != store.DeliveryDelivered || d.DeliveredAt == nil {
			t.Errorf("delivery %+v", d)
		}
		if d.Attempts == 2 && d.LastStatusCode != 200 {
			t.Errorf("retried delivery: %+v", d)
		}
	}
}
