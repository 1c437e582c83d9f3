package assess

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/ledger"
)

// profileLedger is a hand-worked EUR ledger, judged as of 2026-06-30
// (so the 12-month window takes due dates after 2025-06-30 and "recent"
// means due on or after 2026-04-02, fewer than 90 days before):
//
//	i1  due 2025-01-31  1000.00  paid 2025-02-10      10 days late, outside the window
//	i2  due 2025-10-01   500.00  paid 2025-09-25      on time (early),  0, prior (272 days ago)
//	i3  due 2025-12-31   800.00  300 on 01-10, 500 on 2026-01-20: paid 01-20, 20 late, prior (181)
//	i10 due 2026-03-03   400.00  disputed, open       119 days overdue, left out of lateness
//	i4  due 2026-04-05   600.00  paid 2026-04-20      15 late, recent (86 days ago)
//	i5  due 2026-05-15   700.00  200 on 05-20, open   46 days overdue, recent
//	i7  due 2026-06-30   100.00  open, due today      not judged yet
//	i6  due 2026-07-01   900.00  paid 2026-07-02      after asOf: open and not yet due
//	i11 due 2026-07-10   300.00  paid 2026-06-20      early, but not due yet: not judged
//	i8  voided 2026-02-01                              not counted
//	i9  issued 2026-07-05                              not counted
//
// Lateness population: i2 0, i3 20, i4 15, i5 46 → 4 due, 1 on time,
// 2 late, 1 open overdue; average 81/4 = 20.25; recent (15+46)/2 = 30.5;
// prior (0+20)/2 = 10; trend 20.5; max 46.
// Open as of asOf: i5 500 + i10 400 overdue, i6 900 + i7 100 current:
// overdue share 900/1900. Oldest overdue: i10, 119 days (28+30+31+30).
func profileLedger() History {
	i8 := inv("i8", "2026-01-05", "2026-02-04", "250.00", EUR)
	i8.VoidedOn = day("2026-02-01")
	i10 := inv("i10", "2026-02-01", "2026-03-03", "400.00", EUR)
	i10.Disputed = true
	invoices := []ledger.Invoice{
		inv("i1", "2025-01-01", "2025-01-31", "1000.00", EUR),
		inv("i2", "2025-09-01", "2025-10-01", "500.00", EUR),
		inv("i3", "2025-12-01", "2025-12-31", "800.00", EUR),
		inv("i4", "2026-03-06", "2026-04-05", "600.00", EUR),
		inv("i5", "2026-04-15", "2026-05-15", "700.00", EUR),
		inv("i6", "2026-06-01", "2026-07-01", "900.00", EUR),
		inv("i7", "2026-06-01", "2026-06-30", "100.00", EUR),
		i8,
		inv("i9", "2026-07-05", "2026-08-04", "100.00", EUR),
		i10,
		inv("i11", "2026-06-10", "2026-07-10", "300.00", EUR),
	}
	payments := []ledger.Payment{
		pay("p1", "i1", "2025-02-10", "1000.00", EUR),
		pay("p2", "i2", "2025-09-25", "500.00", EUR),
		pay("p3a", "i3", "2026-01-10", "300.00", EUR),
		pay("p3b", "i3", "2026-01-20", "500.00", EUR),
		pay("p4", "i4", "2026-04-20", "600.00", EUR),
		pay("p5", "i5", "2026-05-20", "200.00", EUR),
		pay("p11", "i11", "2026-06-20", "300.00", EUR),
		pay("p6", "i6", "2026-07-02", "900.00", EUR),
	}
	h := history(invoices, payments)
	promise := func(id, on, due, amount string) ledger.Promise {
		return ledger.Promise{ID: id, CustomerID: "cus_1", Amount: amt(amount, EUR), PromisedOn: day(on), DueDate: day(due)}
	}
	h.Promises = []ledger.Promise{
		promise("pr1", "2026-05-01", "2026-05-20", "200.00"), // p5's 200.00 on 05-20: kept
		promise("pr2", "2026-06-01", "2026-06-15", "500.00"), // nothing 06-01..06-15: broken
		promise("pr3", "2026-06-25", "2026-07-05", "500.00"), // not due yet: open
		promise("pr4", "2026-07-01", "2026-07-10", "500.00"), // made after asOf: ignored
	}
	h.Plans = []PlanOutcome{
		{"pl1", "completed"}, {"pl2", "defaulted"}, {"pl3", "active"},
		{"pl4", "superseded"}, {"pl5", "superseded"}, {"pl6", "cancelled"}, {"pl7", "proposed"},
	}
	return h
}

func TestBuildProfile_HandWorked(t *testing.T) {
	p := BuildProfile(profileLedger(), day("2026-06-30"))
	want := Profile{
		AsOf:        day("2026-06-30"),
		InvoicesDue: 4, PaidOnTime: 1, PaidLate: 2, OpenOverdue: 1, OnTimeShare: 0.25,
		AvgDaysLate: 20.25, RecentAvgDaysLate: 30.5, PriorAvgDaysLate: 10, TrendDaysLate: 20.5, MaxDaysLate: 46,
		OldestOverdueDays: 119, OverdueShare: 900.0 / 1900.0,
		Disputes:     1,
		PromisesKept: 1, PromisesBroken: 1, PromisesOpen: 1,
		PlansCompleted: 1, PlansDefaulted: 1, PlansActive: 1, PlansRenegotiated: 2,
		FirstInvoice: day("2025-01-01"),
	}
	timings := p.Timings
	p.Timings = nil
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("profile (-want +got):\n%s", diff)
	}
	type row struct {
		id, paid string
		late     int
		open     bool
	}
	wantT := []row{
		{"i1", "2025-02-10", 10, false},
		{"i2", "2025-09-25", 0, false},
		{"i3", "2026-01-20", 20, false},
		{"i10", "", 119, true},
		{"i4", "2026-04-20", 15, false},
		{"i5", "", 46, true},
		{"i7", "", 0, true},
		{"i6", "", 0, true}, // paid 07-02, after asOf
		{"i11", "2026-06-20", 0, false},
	}
	var gotT []row
	for _, tm := range timings {
		gotT = append(gotT, row{tm.InvoiceID, tm.PaidOn.String(), tm.DaysLate, tm.Open})
		if tm.Currency != EUR || tm.Number != "N-"+tm.InvoiceID {
			t.Errorf("timing %s: currency %s number %s", tm.InvoiceID, tm.Currency, tm.Number)
		}
	}
	if diff := cmp.Diff(wantT, gotT, cmp.AllowUnexported(row{})); diff != "" {
		t.Errorf("timings (-want +got):\n%s", diff)
	}
}

// TestBuildProfile_Rules checks each rule on a one-invoice ledger as of
// 2026-06-30: invoice due dueOn for 100.00, paid in full on paidOn (if
// set; "" is unpaid).
func TestBuildProfile_Rules(t *testing.T) {
	const asOf = "2026-06-30"
	for _, tc := range []struct {
		name          string
		issued, due   string
		paidOn        string
		voided        string
		due1, onTime  int // InvoicesDue, PaidOnTime
		late, overdue int // PaidLate, OpenOverdue
		daysLate      int // the timing's DaysLate
		avg           float64
		timings       int
	}{
		{"paid on the due date is on time", "2026-05-01", "2026-05-31", "2026-05-31", "", 1, 1, 0, 0, 0, 0, 1},
		{"paid a day late is late (no grace)", "2026-05-01", "2026-05-31", "2026-06-01", "", 1, 0, 1, 0, 1, 1, 1},
		{"paid early is on time, 0 days late", "2026-05-01", "2026-05-31", "2026-05-10", "", 1, 1, 0, 0, 0, 0, 1},
		{"open a day after the due date", "2026-05-30", "2026-06-29", "", "", 1, 0, 0, 1, 1, 1, 1},
		{"open and due today is not judged yet", "2026-05-31", "2026-06-30", "", "", 0, 0, 0, 0, 0, 0, 1},
		{"open and not due is not judged", "2026-06-15", "2026-07-15", "", "", 0, 0, 0, 0, 0, 0, 1},
		{"paid before a due date after asOf waits", "2026-06-15", "2026-07-15", "2026-06-20", "", 0, 0, 0, 0, 0, 0, 1},
		{"paid after asOf is open as of asOf", "2026-05-01", "2026-05-31", "2026-07-05", "", 1, 0, 0, 1, 30, 30, 1},
		{"due 364 days ago: in the window", "2025-06-01", "2025-07-01", "2025-07-03", "", 1, 0, 1, 0, 2, 2, 1},
		{"due 365 days ago: out of the window", "2025-05-31", "2025-06-30", "2025-07-03", "", 0, 0, 0, 0, 3, 0, 1},
		{"open 400 days overdue still counts", "2025-04-26", "2025-05-26", "", "", 1, 0, 0, 1, 400, 400, 1},
		{"voided on asOf is left out", "2026-05-01", "2026-05-31", "", "2026-06-30", 0, 0, 0, 0, 0, 0, 0},
		{"voided after asOf still counts", "2026-05-01", "2026-05-31", "", "2026-07-01", 1, 0, 0, 1, 30, 30, 1},
		{"issued after asOf is left out", "2026-07-01", "2026-07-31", "", "", 0, 0, 0, 0, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := inv("i", tc.issued, tc.due, "100.00", EUR)
			if tc.voided != "" {
				i.VoidedOn = day(tc.voided)
			}
			var pays []ledger.Payment
			if tc.paidOn != "" {
				pays = append(pays, pay("p", "i", tc.paidOn, "100.00", EUR))
			}
			p := BuildProfile(history([]ledger.Invoice{i}, pays), day(asOf))
			got := [4]int{p.InvoicesDue, p.PaidOnTime, p.PaidLate, p.OpenOverdue}
			if want := [4]int{tc.due1, tc.onTime, tc.late, tc.overdue}; got != want {
				t.Errorf("due/on time/late/overdue = %v, want %v", got, want)
			}
			if p.AvgDaysLate != tc.avg {
				t.Errorf("AvgDaysLate = %v, want %v", p.AvgDaysLate, tc.avg)
			}
			if len(p.Timings) != tc.timings {
				t.Fatalf("%d timings, want %d", len(p.Timings), tc.timings)
			}
			if tc.timings > 0 && p.Timings[0].DaysLate != tc.daysLate {
				t.Errorf("DaysLate = %d, want %d", p.Timings[0].DaysLate, tc.daysLate)
			}
		})
	}
}

func TestBuildProfile_RecentPriorBoundary(t *testing.T) {
	// As of 2026-06-30: due 2026-04-02 is 89 days ago (recent), due
	// 2026-04-01 is 90 days ago (prior). Paid 10 and 4 days late: recent
	// 10, prior 4, trend +6.
	invoices := []ledger.Invoice{
		inv("a", "2026-03-03", "2026-04-02", "100.00", EUR),
		inv("b", "2026-03-02", "2026-04-01", "100.00", EUR),
	}
	payments := []ledger.Payment{
		pay("pa", "a", "2026-04-12", "100.00", EUR),
		pay("pb", "b", "2026-04-05", "100.00", EUR),
	}
	p := BuildProfile(history(invoices, payments), day("2026-06-30"))
	if p.RecentAvgDaysLate != 10 || p.PriorAvgDaysLate != 4 || p.TrendDaysLate != 6 || p.AvgDaysLate != 7 {
		t.Fatalf("recent %v prior %v trend %v avg %v; want 10, 4, 6, 7", p.RecentAvgDaysLate, p.PriorAvgDaysLate, p.TrendDaysLate, p.AvgDaysLate)
	}
	// With only the recent invoice there is nothing to compare: trend 0.
	p = BuildProfile(history(invoices[:1], payments[:1]), day("2026-06-30"))
	if p.RecentAvgDaysLate != 10 || p.TrendDaysLate != 0 {
		t.Fatalf("recent %v trend %v; want 10, 0", p.RecentAvgDaysLate, p.TrendDaysLate)
	}
}

func TestBuildProfile_OverdueSharePerCurrency(t *testing.T) {
	// EUR: 1000.00 open, not yet due (share 0). USD: 300.00 overdue and
	// 100.00 current (share 0.75). Balances in different currencies are
	// never added: the profile reports the worse currency, 0.75.
	invoices := []ledger.Invoice{
		inv("e", "2026-06-20", "2026-07-20", "1000.00", EUR),
		inv("u1", "2026-05-01", "2026-05-31", "300.00", USD),
		inv("u2", "2026-06-20", "2026-07-20", "100.00", USD),
	}
	p := BuildProfile(history(invoices, nil), day("2026-06-30"))
	if p.OverdueShare != 0.75 || p.OldestOverdueDays != 30 {
		t.Fatalf("overdue share %v oldest %d; want 0.75, 30", p.OverdueShare, p.OldestOverdueDays)
	}
}

func TestBuildProfile_PartialPaymentsAndOrder(t *testing.T) {
	// Allocations passed out of order: the invoice is paid on the date of
	// the allocation that completes it (2026-05-20), not the last listed.
	i := inv("i", "2026-04-01", "2026-05-01", "100.00", EUR)
	h := History{
		Invoices: []ledger.Invoice{i},
		Allocations: []ledger.Allocation{
			{PaymentID: "b", InvoiceID: "i", Amount: amt("60.00", EUR), AppliedOn: day("2026-05-20")},
			{PaymentID: "a", InvoiceID: "i", Amount: amt("40.00", EUR), AppliedOn: day("2026-05-05")},
			{PaymentID: "x", InvoiceID: "other", Amount: amt("99.00", EUR), AppliedOn: day("2026-05-01")},
		},
	}
	p := BuildProfile(h, day("2026-06-30"))
	if got := p.Timings[0]; got.PaidOn != day("2026-05-20") || got.DaysLate != 19 || got.Open {
		t.Fatalf("timing %+v; want paid 2026-05-20, 19 days late", got)
	}
	// As of 2026-05-10 only 40.00 is allocated: open, 9 days overdue,
	// balance 60.00 all overdue.
	p = BuildProfile(h, day("2026-05-10"))
	if got := p.Timings[0]; !got.Open || got.DaysLate != 9 || p.OverdueShare != 1 {
		t.Fatalf("timing %+v share %v; want open, 9 days late, share 1", got, p.OverdueShare)
	}
}

func TestBuildProfile_Empty(t *testing.T) {
	p := BuildProfile(History{}, day("2026-06-30"))
	if p.InvoicesDue != 0 || p.OnTimeShare != 0 || !p.FirstInvoice.IsZero() || len(p.Timings) != 0 || math.IsNaN(p.AvgDaysLate) {
		t.Fatalf("empty profile %+v", p)
	}
}

func TestBuildProfile_IgnoresTheFuture(t *testing.T) {
	// A profile as of a date is the same whether or not later events are
	// in the history: the property that lets one History be judged as of
	// any date (and keeps the synthetic validation honest).
	h := profileLedger()
	asOf := day("2026-01-15")
	cut := History{Customer: h.Customer, Plans: h.Plans}
	for _, i := range h.Invoices {
		if !i.IssueDate.After(asOf) {
			cut.Invoices = append(cut.Invoices, i)
		}
	}
	for _, a := range h.Allocations {
		if !a.AppliedOn.After(asOf) {
			cut.Allocations = append(cut.Allocations, a)
		}
	}
	for _, p := range h.Payments {
		if !p.ReceivedOn.After(asOf) {
			cut.Payments = append(cut.Payments, p)
		}
	}
	for _, p := range h.Promises {
		if !p.PromisedOn.After(asOf) {
			cut.Promises = append(cut.Promises, p)
		}
	}
	if diff := cmp.Diff(BuildProfile(cut, asOf), BuildProfile(h, asOf)); diff != "" {
		t.Fatalf("future events changed the profile (-cut +full):\n%s", diff)
	}
}
