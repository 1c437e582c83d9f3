package service_test

import (
	"context"
	"testing"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// listBook is a hand-worked book as of Monday 2026-06-01 (the dashboard
// test's, plus a third customer):
//
//	A Ltd (USD): INV-1 1200.00 due 03-31 in an active plan of 3 × 400.00
//	  (400.00 paid 04-15); INV-2 300.00 due 06-19. Balance 1100.00, of
//	  which 800.00 overdue (INV-1). One open promise (100.00 due 06-05);
//	  one broken, one kept; one made after the date (not counted).
//	B GmbH (EUR): INV-3 500.00 due 04-09 in a plan that defaulted on
//	  04-26 (one miss defaults it); 10.00 paid 04-15. Balance 490.00,
//	  all overdue.
//	Carla Cole (ref C-9, GBP): INV-4 90.00 due 05-01 in a proposed plan;
//	  INV-5 60.00 due 05-15 in a plan that was cancelled. Balance 150.00,
//	  all overdue.
type listBook struct {
	svc            *service.Service
	clock          *testClock
	ctx            context.Context
	asOf           civil.Date
	pa, pb, pc, pd string // plans: active, defaulted, proposed, cancelled
}

func newListBook(t *testing.T) *listBook {
	t.Helper()
	clock := &testClock{now: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)}
	st := testutil.SQLiteAt(t, clock.Now)
	svc := service.New(st, clock.Now)
	ctx := testutil.Admin(context.Background())
	b := &listBook{svc: svc, clock: clock, ctx: ctx, asOf: mustDate(t, "2026-06-01")}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "A", Name: "A Ltd"}))
	must(svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "B", Name: "B GmbH"}))
	must(svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "C-9", Name: "Carla Cole", Kind: "consumer", Jurisdiction: "GB"}))
	must(svc.CreateInvoice(ctx, service.InvoiceInput{Number: "INV-1", CustomerID: "A", IssueDate: "2026-03-01", DueDate: "2026-03-31", Currency: "USD", Amount: "1200.00"}))
	must(svc.CreateInvoice(ctx, service.InvoiceInput{Number: "INV-3", CustomerID: "B", IssueDate: "2026-03-10", DueDate: "2026-04-09", Currency: "EUR", Amount: "500.00"}))
	must(svc.CreateInvoice(ctx, service.InvoiceInput{Number: "INV-4", CustomerID: "C-9", IssueDate: "2026-03-20", DueDate: "2026-05-01", Currency: "GBP", Amount: "90.00"}))
	must(svc.CreateInvoice(ctx, service.InvoiceInput{Number: "INV-5", CustomerID: "C-9", IssueDate: "2026-03-25", DueDate: "2026-05-15", Currency: "GBP", Amount: "60.00"}))
	plan := func(cust, inv string, n int, start string, terms service.PlanTermsInput) string {
		t.Helper()
		terms.Installments, terms.Frequency, terms.StartDate, terms.AsOf = n, "monthly", start, "2026-04-01"
		p, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: cust, InvoiceIDs: []string{inv}, PlanTermsInput: terms})
		if err != nil {
			t.Fatal(err)
		}
		return p.Plan.ID
	}
	one := 1
	b.pa = plan("A", "INV-1", 3, "2026-04-15", service.PlanTermsInput{})
	b.pb = plan("B", "INV-3", 2, "2026-04-20", service.PlanTermsInput{DefaultAfterMissed: &one})
	// Carla's plans start on 15 June, 75 days after 1 April: beyond the
	// default policy's 30 days, so they are made with an admin's override.
	late := service.PlanTermsInput{OverrideReason: "first payment after her notice period ends"}
	b.pc = plan("C-9", "INV-4", 2, "2026-06-15", late)
	b.pd = plan("C-9", "INV-5", 2, "2026-06-15", late)
	for _, id := range []string{b.pa, b.pb} {
		must(svc.AcceptPlan(ctx, id, service.AcceptInput{AcceptedBy: "Pat", Channel: "phone"}))
	}
	must(svc.CancelPlan(ctx, b.pd, "the customer asked for a longer plan"))
	must(svc.RecordPayment(ctx, service.PaymentInput{AllowFuture: true, CustomerID: "A", ReceivedOn: "2026-04-15", Currency: "USD", Amount: "400.00"}))
	// B's payment: it counts toward B's plan, never A's.
	must(svc.RecordPayment(ctx, service.PaymentInput{AllowFuture: true, CustomerID: "B", ReceivedOn: "2026-04-15", Currency: "EUR", Amount: "10.00"}))
	must(svc.CreateInvoice(ctx, service.InvoiceInput{Number: "INV-2", CustomerID: "A", IssueDate: "2026-05-20", DueDate: "2026-06-19", Currency: "USD", Amount: "300.00"}))
	for _, p := range []service.PromiseInput{
		{CustomerID: "A", Currency: "USD", Amount: "100.00", PromisedOn: "2026-05-30", DueDate: "2026-06-05"},
		{CustomerID: "A", Currency: "USD", Amount: "50.00", PromisedOn: "2026-05-10", DueDate: "2026-05-20"},
		{CustomerID: "A", Currency: "USD", Amount: "400.00", PromisedOn: "2026-04-10", DueDate: "2026-04-16"},
		{CustomerID: "A", Currency: "USD", Amount: "70.00", PromisedOn: "2026-06-02", DueDate: "2026-06-03"},
	} {
		must(svc.CreatePromise(ctx, p))
	}
	return b
}

func TestService_CustomerList(t *testing.T) {
	b := newListBook(t)
	svc, ctx := b.svc, b.ctx

	rows, next, err := svc.CustomerList(ctx, service.CustomerListInput{AsOf: b.asOf})
	if err != nil || next != "" || len(rows) != 3 {
		t.Fatalf("list: %d rows, next %q, %v", len(rows), next, err)
	}
	want := map[string]struct {
		cur                 string
		total, overdue      int64
		openPlans, promises int
	}{
		"A":   {"USD", 1100_00, 800_00, 1, 1},
		"B":   {"EUR", 490_00, 490_00, 0, 0}, // 500.00 less the 10.00 paid 04-15
		"C-9": {"GBP", 150_00, 150_00, 1, 0},
	}
	for _, r := range rows {
		w, ok := want[r.Customer.ExternalRef]
		if !ok {
			t.Fatalf("unexpected customer %+v", r.Customer)
		}
		if len(r.Balances) != 1 || string(r.Balances[0].Currency) != w.cur || !r.Balances[0].Total().Equal(money.WideOf(w.total)) || !r.Balances[0].Overdue().Equal(money.WideOf(w.overdue)) {
			t.Errorf("%s: balances %+v, want %s %d (overdue %d)", r.Customer.ExternalRef, r.Balances, w.cur, w.total, w.overdue)
		}
		if r.OpenPlans != w.openPlans || r.OpenPromises != w.promises {
			t.Errorf("%s: %d open plans, %d open promises; want %d, %d", r.Customer.ExternalRef, r.OpenPlans, r.OpenPromises, w.openPlans, w.promises)
		}
		// The risk is the customer page's (Position's assessment).
		pos, err := svc.Position(ctx, r.Customer.ID, b.asOf)
		if err != nil {
			t.Fatal(err)
		}
		if r.Risk.Score != pos.Risk.Score || r.Risk.Band != pos.Risk.Band || len(r.Risk.Factors) != len(pos.Risk.Factors) {
			t.Errorf("%s: list risk %d %s, position %d %s", r.Customer.ExternalRef, r.Risk.Score, r.Risk.Band, pos.Risk.Score, pos.Risk.Band)
		}
	}
	// B's defaulted plan counts in its risk (a defaulted share of 1).
	for _, r := range rows {
		if r.Customer.ExternalRef != "B" {
			continue
		}
		found := false
		for _, f := range r.Risk.Factors {
			if f.Name == "defaulted_plans" {
				found = f.Value == 1
			}
		}
		if !found {
			t.Errorf("B's defaulted plan is not in its risk factors: %+v", r.Risk.Factors)
		}
	}

	for q, refs := range map[string][]string{"gmbh": {"B"}, "c-9": {"C-9"}, "  CARLA ": {"C-9"}, "ltd": {"A"}, "zzz": nil} {
		rows, _, err := svc.CustomerList(ctx, service.CustomerListInput{Query: q, AsOf: b.asOf})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r.Customer.ExternalRef)
		}
		if len(got) != len(refs) || (len(got) > 0 && got[0] != refs[0]) {
			t.Errorf("query %q: %v, want %v", q, got, refs)
		}
	}

	// Pages of one: three pages, each customer once, in id order.
	var seen []string
	cursor := ""
	for range 5 {
		rows, next, err := svc.CustomerList(ctx, service.CustomerListInput{AsOf: b.asOf, Page: store.Page{Limit: 1, Cursor: cursor}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			seen = append(seen, r.Customer.ExternalRef)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(seen) != 3 || seen[0] != "A" || seen[1] != "B" || seen[2] != "C-9" {
		t.Errorf("paged: %v", seen)
	}

	// A viewer may list.
	if _, _, err := svc.CustomerList(service.WithActor(context.Background(), service.Actor{ID: "test:viewer", Role: service.RoleViewer}), service.CustomerListInput{AsOf: b.asOf}); err != nil {
		t.Errorf("viewer: %v", err)
	}
}

func TestService_PlanList(t *testing.T) {
	b := newListBook(t)
	svc, ctx := b.svc, b.ctx
	ids := func(status string, limit int, cursor string) ([]string, string) {
		t.Helper()
		rows, next, err := svc.PlanList(ctx, service.PlanListInput{Status: status, AsOf: b.asOf, Page: store.Page{Limit: limit, Cursor: cursor}})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.Plan.ID)
			if r.Customer.ID != r.Plan.CustomerID || r.Customer.Name == "" {
				t.Errorf("plan %s: customer %+v", r.Plan.ID, r.Customer)
			}
		}
		return out, next
	}
	for status, want := range map[string][]string{
		"": {b.pa, b.pb, b.pc, b.pd}, "active": {b.pa}, "defaulted": {b.pb}, "proposed": {b.pc}, "cancelled": {b.pd},
		"completed": nil, "superseded": nil,
	} {
		got, next := ids(status, 0, "")
		if next != "" || len(got) != len(want) {
			t.Errorf("status %q: %v (next %q), want %v", status, got, next, want)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("status %q: %v, want %v", status, got, want)
			}
		}
	}
	first, next := ids("", 3, "")
	rest, last := ids("", 3, next)
	if len(first) != 3 || next != b.pc || len(rest) != 1 || rest[0] != b.pd || last != "" {
		t.Errorf("pages of 3: %v (next %q), %v (next %q)", first, next, rest, last)
	}
	if _, _, err := svc.PlanList(ctx, service.PlanListInput{Status: "lost", AsOf: b.asOf}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("an unknown status: %v", err)
	}

	// The payments counted: A's 400.00 of 04-15; none for B's other-customer
	// payment in A's plan, none for a proposed plan.
	pays, err := svc.PlanPayments(ctx, b.pa, b.asOf)
	if err != nil || len(pays) != 1 || pays[0].Amount.String() != "400.00" || pays[0].ReceivedOn != mustDate(t, "2026-04-15") {
		t.Errorf("A's plan payments %+v, %v", pays, err)
	}
	if pays, err := svc.PlanPayments(ctx, b.pa, mustDate(t, "2026-04-14")); err != nil || len(pays) != 0 {
		t.Errorf("as of before the payment: %+v, %v", pays, err)
	}
	if pays, err := svc.PlanPayments(ctx, b.pc, b.asOf); err != nil || len(pays) != 0 {
		t.Errorf("proposed plan payments %+v, %v", pays, err)
	}
	// B paid 10.00 after accepting: it counts toward B's plan (its tracking
	// still defaulted it: 10.00 of 250.00).
	if pays, err := svc.PlanPayments(ctx, b.pb, b.asOf); err != nil || len(pays) != 1 || pays[0].Amount.String() != "10.00" {
		t.Errorf("B's plan payments %+v, %v", pays, err)
	}

	// CustomerPlans: Carla's two plans, newest first, with statuses.
	cp, err := svc.CustomerPlans(ctx, "C-9", b.asOf)
	if err != nil || len(cp) != 2 || cp[0].ID != b.pd || cp[0].Status != "cancelled" || cp[1].ID != b.pc || cp[1].Status != "proposed" {
		t.Errorf("Carla's plans %+v, %v", cp, err)
	}
}

func TestService_CurrentNegotiation(t *testing.T) {
	b := newListBook(t)
	svc, ctx := b.svc, b.ctx
	b.clock.mu.Lock()
	b.clock.now = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	b.clock.mu.Unlock()
	if _, err := svc.CurrentNegotiation(ctx, "C-9"); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("before any: %v", err)
	}
	// INV-5's plan was cancelled: it can be negotiated.
	n, err := svc.OpenNegotiation(ctx, service.NegotiationInput{CustomerID: "C-9"})
	if err != nil {
		t.Fatal(err)
	}
	cur, err := svc.CurrentNegotiation(ctx, "C-9")
	if err != nil || cur.Reply.ID != n.Reply.ID || len(cur.Rounds) != 1 || cur.Reply.Offer == nil {
		t.Fatalf("current %+v, %v", cur, err)
	}
	if _, err := svc.CurrentNegotiation(ctx, "A"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("another customer's: %v", err)
	}
	if _, err := svc.AcceptNegotiation(ctx, n.Reply.ID, service.AcceptNegotiationInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CurrentNegotiation(ctx, "C-9"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("after acceptance: %v", err)
	}
}
