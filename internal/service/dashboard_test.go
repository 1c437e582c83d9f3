package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// A hand-worked book, as of Monday 2026-06-01:
//
//	A (USD): INV-1 1200.00 issued 03-01 due 03-31, in a plan of 3 × 400.00
//	  due 04-15, 05-15, 06-15 accepted 04-01; 400.00 paid 04-15. The 05-15
//	  installment was missed on 05-21 (5 grace days): at risk, not
//	  defaulted (2 misses or 60 days late default it). INV-2 300.00 issued
//	  05-20 due 06-19. Promises: 100.00 due 06-05 (open), 50.00 due 05-20
//	  (broken: nothing paid 05-10..05-20), 400.00 due 04-16 (kept 04-15).
//	B (EUR): INV-3 500.00 issued 03-10 due 04-09, in a plan of 2 × 250.00
//	  due 04-20, 05-20 that defaults after one miss: defaulted 04-26.
//
// Receivables: USD 800.00 in 61–90 days (INV-1, due 03-31: 62 days) +
// 300.00 current = 1100.00; EUR 500.00 in 31–60 (53 days).
// Forecast (weeks from Monday 06-01): USD week 0 promises 100.00; week 2
// (06-15) the plan's 400.00; the missed 05-15 installment is overdue
// 400.00. B's defaulted plan expects nothing.
func TestDashboard(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)}
	st := testutil.SQLiteAt(t, clock.Now)
	svc := service.New(st, clock.Now)
	ctx := testutil.Admin(context.Background())
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "A", Name: "A Ltd"}))
	must(svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "B", Name: "B GmbH"}))
	must(svc.CreateInvoice(ctx, service.InvoiceInput{Number: "INV-1", CustomerID: "A", IssueDate: "2026-03-01", DueDate: "2026-03-31", Currency: "USD", Amount: "1200.00"}))
	must(svc.CreateInvoice(ctx, service.InvoiceInput{Number: "INV-3", CustomerID: "B", IssueDate: "2026-03-10", DueDate: "2026-04-09", Currency: "EUR", Amount: "500.00"}))
	pa, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: "A", InvoiceIDs: []string{"INV-1"}, PlanTermsInput: service.PlanTermsInput{
		Installments: 3, Frequency: "monthly", StartDate: "2026-04-15", AsOf: "2026-04-01"}})
	if err != nil {
		t.Fatal(err)
	}
	one := 1
	pb, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: "B", InvoiceIDs: []string{"INV-3"}, PlanTermsInput: service.PlanTermsInput{
		Installments: 2, Frequency: "monthly", StartDate: "2026-04-20", AsOf: "2026-04-01", DefaultAfterMissed: &one}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{pa.Plan.ID, pb.Plan.ID} {
		must(svc.AcceptPlan(ctx, id, service.AcceptInput{AcceptedBy: "Pat", Channel: "phone"}))
	}
	must(svc.RecordPayment(ctx, service.PaymentInput{AllowFuture: true, CustomerID: "A", ReceivedOn: "2026-04-15", Currency: "USD", Amount: "400.00"}))
	must(svc.CreateInvoice(ctx, service.InvoiceInput{Number: "INV-2", CustomerID: "A", IssueDate: "2026-05-20", DueDate: "2026-06-19", Currency: "USD", Amount: "300.00"}))
	for _, p := range []service.PromiseInput{
		{CustomerID: "A", Currency: "USD", Amount: "100.00", PromisedOn: "2026-05-30", DueDate: "2026-06-05"},
		{CustomerID: "A", Currency: "USD", Amount: "50.00", PromisedOn: "2026-05-10", DueDate: "2026-05-20"},
		{CustomerID: "A", Currency: "USD", Amount: "400.00", PromisedOn: "2026-04-10", DueDate: "2026-04-16"},
		// Made after the as-of date: not yet a promise then.
		{CustomerID: "A", Currency: "USD", Amount: "70.00", PromisedOn: "2026-06-02", DueDate: "2026-06-03"},
	} {
		must(svc.CreatePromise(ctx, p))
	}
	a, err := svc.Customer(ctx, "A")
	if err != nil {
		t.Fatal(err)
	}
	err = st.Tx(ctx, func(tx store.Tx) error {
		for _, tk := range []store.Task{
			{Queue: "tier1", Status: store.TaskOpen}, {Queue: "tier1", Status: store.TaskOpen},
			{Queue: "legal", Status: store.TaskClaimed, ClaimedBy: "x", ClaimedAt: &clock.now},
			{Queue: "tier2", Status: store.TaskDone, ClaimedBy: "x", ClaimedAt: &clock.now},
		} {
			tk.CustomerID, tk.Kind, tk.DueAt = a.ID, "call", clock.now
			if _, _, err := tx.InsertTask(ctx, &tk); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(61 * 24 * time.Hour) // 2026-06-01 10:00
	asOf := civil.New(2026, 6, 1)

	viewer := service.WithActor(context.Background(), service.Actor{ID: "test:viewer", Role: service.RoleViewer})
	if _, err := svc.Dashboard(context.Background(), asOf); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Errorf("anonymous: %v", err)
	}
	d, err := svc.Dashboard(viewer, asOf)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("receivables", func(t *testing.T) {
		want := []ledger.Buckets{
			{Currency: "EUR", Amounts: wides(0, 0, 50000, 0, 0)},
			{Currency: "USD", Amounts: wides(30000, 0, 0, 80000, 0)},
		}
		if diff := cmp.Diff(want, d.Receivables); diff != "" {
			t.Errorf("Receivables (-want +got):\n%s", diff)
		}
	})

	t.Run("plans", func(t *testing.T) {
		if want := (service.PlanCounts{Active: 1, AtRisk: 1, Defaulted: 1}); d.Plans != want {
			t.Errorf("Plans = %+v, want %+v", d.Plans, want)
		}
	})

	t.Run("forecast", func(t *testing.T) {
		weeks := make([]service.ForecastWeek, 8)
		for i := range weeks {
			weeks[i].Start = asOf.AddDays(7 * i)
		}
		weeks[0].Promises = money.WideOf(10000)
		weeks[2].Plans = money.WideOf(40000)
		want := []service.CurrencyForecast{{Currency: "USD", Weeks: weeks, Overdue: money.WideOf(40000)}}
		if diff := cmp.Diff(want, d.Forecast); diff != "" {
			t.Errorf("Forecast (-want +got):\n%s", diff)
		}
	})

	t.Run("work", func(t *testing.T) {
		want := []service.QueueWork{{Queue: "tier1", Open: 2}, {Queue: "tier2"}, {Queue: "legal", Claimed: 1}}
		if diff := cmp.Diff(want, d.Work); diff != "" {
			t.Errorf("Work (-want +got):\n%s", diff)
		}
	})

	t.Run("KPIs match the KPI report", func(t *testing.T) {
		if len(d.KPIs) != 2 || d.KPIs[0].Currency != "EUR" || d.KPIs[1].Currency != "USD" {
			t.Fatalf("KPIs for %+v", d.KPIs)
		}
		for _, k := range d.KPIs {
			if k.Window.From != civil.New(2026, 3, 4) || k.Window.To != asOf {
				t.Errorf("%s window %s..%s, want the 90 days 2026-03-04..2026-06-01", k.Currency, k.Window.From, k.Window.To)
			}
			wantMonths := []string{"2026-01-01..2026-01-31", "2026-02-01..2026-02-28", "2026-03-01..2026-03-31",
				"2026-04-01..2026-04-30", "2026-05-01..2026-05-31", "2026-06-01..2026-06-01"}
			var got []string
			for _, m := range k.Months {
				got = append(got, m.From.String()+".."+m.To.String())
			}
			if diff := cmp.Diff(wantMonths, got); diff != "" {
				t.Errorf("%s months (-want +got):\n%s", k.Currency, diff)
			}
			for _, p := range append([]service.KPIPeriod{k.Window}, k.Months...) {
				rep, err := svc.KPIs(viewer, p.From, p.To, k.Currency)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(rep.KPIs, p.KPIs); diff != "" || rep.Input != p.Input {
					t.Errorf("%s %s..%s (-report +dashboard):\n%s\ninputs %+v vs %+v", k.Currency, p.From, p.To, diff, rep.Input, p.Input)
				}
			}
		}
		// By hand, USD over the window 03-04..06-01: sales 300.00 (INV-2;
		// INV-1 was issued 03-01, before it), AR 1100.00 of which 300.00
		// current, opening AR (03-03) 1200.00. DSO = 1100/300 × 90 = 330.0;
		// best = 300/300 × 90 = 90.0; ADD 240.0; CEI = (1200 + 300 − 1100) /
		// (1200 + 300 − 300) = 400/1200 = 33.3 %.
		u := d.KPIs[1].Window
		if *u.DSO != 330.0 || *u.BestDSO != 90.0 || *u.ADD != 240.0 || *u.CEI != 33.3 {
			t.Errorf("USD window DSO %v best %v ADD %v CEI %v", *u.DSO, *u.BestDSO, *u.ADD, *u.CEI)
		}
	})
}

func TestWeekStart(t *testing.T) {
	for in, want := range map[string]string{
		"2026-06-01": "2026-06-01", // Monday
		"2026-06-07": "2026-06-01", // Sunday
		"2026-06-03": "2026-06-01",
		"2026-01-01": "2025-12-29", // Thursday, across the year
	} {
		if got := service.WeekStart(mustDate(t, in)); got.String() != want {
			t.Errorf("WeekStart(%s) = %s, want %s", in, got, want)
		}
	}
}

// wides is five bucket sums.
func wides(a, b, c, d, e int64) [5]money.Wide {
	return [5]money.Wide{money.WideOf(a), money.WideOf(b), money.WideOf(c), money.WideOf(d), money.WideOf(e)}
}
