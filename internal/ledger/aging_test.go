package ledger_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"settle/internal/ledger"
	"settle/internal/money"
)

func TestBucketOf_Boundaries(t *testing.T) {
	// As of 2026-06-30; days past due = as-of − due (contract.md).
	tests := []struct {
		due      string
		daysPast int
		want     int
	}{
		{"2026-07-15", -15, ledger.BucketCurrent},
		{"2026-06-30", 0, ledger.BucketCurrent}, // due today: not yet past due
		{"2026-06-29", 1, ledger.Bucket1To30},
		{"2026-05-31", 30, ledger.Bucket1To30},   // June has 30 days
		{"2026-05-30", 31, ledger.Bucket31To60},  // 1 (May) + 30 (June)
		{"2026-05-01", 60, ledger.Bucket31To60},  // 30 (May 1→31) + 30
		{"2026-04-30", 61, ledger.Bucket61To90},  // 31 (May) + 30 (June)
		{"2026-04-01", 90, ledger.Bucket61To90},  // 29 + 31 + 30
		{"2026-03-31", 91, ledger.BucketOver90},  // 30 + 31 + 30
		{"2025-06-30", 365, ledger.BucketOver90}, // a year
	}
	asOf := day("2026-06-30")
	for _, tt := range tests {
		t.Run(tt.due, func(t *testing.T) {
			if got := ledger.DaysPastDue(asOf, day(tt.due)); got != tt.daysPast {
				t.Errorf("DaysPastDue(%s, %s) = %d, want %d", asOf, tt.due, got, tt.daysPast)
			}
			if got := ledger.BucketOf(asOf, day(tt.due)); got != tt.want {
				t.Errorf("BucketOf(%s, %s) = %s, want %s", asOf, tt.due, ledger.BucketNames[got], ledger.BucketNames[tt.want])
			}
		})
	}
}

// agingLedger is a hand-worked ledger: three customers, USD and EUR.
//
// Customer A (USD):
//
//	a1  A-001 issued 03-01 due 03-31 1000.00
//	a2  A-002 issued 03-02 due 04-01  500.00
//	a3  A-003 issued 05-01 due 05-31  250.00
//	a4  A-004 issued 07-05 due 08-04  400.00
//	a5  A-005 issued 06-01 due 07-01   60.00  voided 07-20
//	pa1 04-15  900.00 → a1 900.00 (oldest due)                          a1 left 100.00
//	pa2 07-10  300.00 → a1 100.00, a2 200.00 (a5 void: never allocated) a2 left 300.00
//
// Customer B (ref B-1, USD and EUR):
//
//	b1  B-001 USD issued 04-01 due 04-30  800.00
//	b2  B-002 USD issued 05-01 due 06-29  150.25
//	b3  B-003 EUR issued 04-01 due 05-01 2000.00
//	b4  B-004 EUR issued 06-01 due 06-30   99.99
//	pb1 05-15 EUR 500.00 → b3 (only EUR invoice open)                  b3 left 1500.00
//	pb2 06-30 USD 100.00 naming B-002 → b2 (named, though b1 is older)  b2 left 50.25
//
// Customer C (ref C-1, EUR):
//
//	c1  C-001 issued 05-01 due 05-30  700.00
//	c2  C-002 issued 06-15 due 07-15  320.00
//	c3  C-003 issued 08-10 due 09-09  250.00
//	pc1 06-20  200.00 → c1 200.00                                       c1 left 500.00
//	pc2 07-01 1000.00 → c1 500.00, c2 320.00; credit 180.00
//	                  → c3 180.00 on its issue date 08-10               c3 left 70.00
func agingLedger() (map[string]*ledger.Customer, map[string][]ledger.Invoice, map[string][]ledger.Payment) {
	customers := map[string]*ledger.Customer{
		"cus_A": {ID: "cus_A", ExternalRef: "A-1"},
		"cus_B": {ID: "cus_B", ExternalRef: "B-1"},
		"cus_C": {ID: "cus_C", ExternalRef: "C-1"},
	}
	i := func(cus, id, number, issue, due string, a money.Amount) ledger.Invoice {
		return ledger.Invoice{ID: id, Number: number, CustomerID: cus, IssueDate: day(issue), DueDate: day(due), Amount: a}
	}
	p := func(cus, id, received string, a money.Amount, names string) ledger.Payment {
		return ledger.Payment{ID: id, Kind: ledger.KindPayment, CustomerID: cus, ReceivedOn: day(received), Amount: a, InvoiceID: names}
	}
	a5 := i("cus_A", "a5", "A-005", "2026-06-01", "2026-07-01", usd("60.00"))
	a5.VoidedOn = day("2026-07-20")
	invoices := map[string][]ledger.Invoice{
		"cus_A": {
			i("cus_A", "a1", "A-001", "2026-03-01", "2026-03-31", usd("1000.00")),
			i("cus_A", "a2", "A-002", "2026-03-02", "2026-04-01", usd("500.00")),
			i("cus_A", "a3", "A-003", "2026-05-01", "2026-05-31", usd("250.00")),
			i("cus_A", "a4", "A-004", "2026-07-05", "2026-08-04", usd("400.00")),
			a5,
		},
		"cus_B": {
			i("cus_B", "b1", "B-001", "2026-04-01", "2026-04-30", usd("800.00")),
			i("cus_B", "b2", "B-002", "2026-05-01", "2026-06-29", usd("150.25")),
			i("cus_B", "b3", "B-003", "2026-04-01", "2026-05-01", eur("2000.00")),
			i("cus_B", "b4", "B-004", "2026-06-01", "2026-06-30", eur("99.99")),
		},
		"cus_C": {
			i("cus_C", "c1", "C-001", "2026-05-01", "2026-05-30", eur("700.00")),
			i("cus_C", "c2", "C-002", "2026-06-15", "2026-07-15", eur("320.00")),
			i("cus_C", "c3", "C-003", "2026-08-10", "2026-09-09", eur("250.00")),
		},
	}
	payments := map[string][]ledger.Payment{
		"cus_A": {
			p("cus_A", "pa1", "2026-04-15", usd("900.00"), ""),
			p("cus_A", "pa2", "2026-07-10", usd("300.00"), ""),
		},
		"cus_B": {
			p("cus_B", "pb1", "2026-05-15", eur("500.00"), ""),
			p("cus_B", "pb2", "2026-06-30", usd("100.00"), "b2"),
		},
		"cus_C": {
			p("cus_C", "pc1", "2026-06-20", eur("200.00"), ""),
			p("cus_C", "pc2", "2026-07-01", eur("1000.00"), ""),
		},
	}
	return customers, invoices, payments
}

// agingRow is one report row in readable form: amounts as decimals.
type agingRow struct {
	Customer string // "" for a currency total
	Ref      string
	Currency money.Currency
	// current, 1–30, 31–60, 61–90, over 90, then the total.
	Current, D1To30, D31To60, D61To90, Over90, Total string
}

func rowOf(customer, ref string, b ledger.Buckets) agingRow {
	return agingRow{
		Customer: customer, Ref: ref, Currency: b.Currency,
		Current: b.Text(ledger.BucketCurrent),
		D1To30:  b.Text(ledger.Bucket1To30),
		D31To60: b.Text(ledger.Bucket31To60),
		D61To90: b.Text(ledger.Bucket61To90),
		Over90:  b.Text(ledger.BucketOver90),
		Total:   b.Total().Text(b.Currency),
	}
}

func TestAgingReport_HandWorked(t *testing.T) {
	tests := []struct {
		asOf      string
		totals    []agingRow // by currency
		customers []agingRow // by currency, then overdue desc, total desc, id
	}{
		{
			// As of 2026-06-30 (every boundary day appears):
			//   a1 1000−900 = 100.00 due 03-31 d=91 (30+31+30)  → over 90
			//   a2  500.00 (pa2 not yet)  due 04-01 d=90 (29+31+30) → 61–90
			//   a3  250.00                due 05-31 d=30            → 1–30
			//   a4  issued 07-05 > as-of                            → excluded
			//   a5   60.00 (void only from 07-20) due 07-01 d=−1    → current
			//   b1  800.00                due 04-30 d=61 (31+30)    → 61–90
			//   b2 150.25−100 = 50.25 (pb2 received ON 06-30 counts) due 06-29 d=1 → 1–30
			//   b3 2000−500 = 1500.00     due 05-01 d=60 (30+30)    → 31–60
			//   b4   99.99                due 06-30 d=0             → current
			//   c1  700−200 = 500.00 (pc2 07-01 not counted) due 05-30 d=31 → 31–60
			//   c2  320.00                due 07-15 d=−15           → current
			//   c3  issued 08-10                                    → excluded
			// A USD: 60.00 | 250.00 | 0 | 500.00 | 100.00 = 910.00 (overdue 850.00)
			// B USD: 0 | 50.25 | 0 | 800.00 | 0 = 850.25 (overdue 850.25) → B before A
			// B EUR: 99.99 | 0 | 1500.00 | 0 | 0 = 1599.99 (overdue 1500.00)
			// C EUR: 320.00 | 0 | 500.00 | 0 | 0 = 820.00 (overdue 500.00)
			// USD total: 60.00 | 250.00+50.25=300.25 | 0 | 500+800=1300.00 | 100.00 = 1760.25
			// EUR total: 99.99+320=419.99 | 0 | 1500+500=2000.00 | 0 | 0 = 2419.99
			asOf: "2026-06-30",
			totals: []agingRow{
				{"", "", EUR, "419.99", "0.00", "2000.00", "0.00", "0.00", "2419.99"},
				{"", "", USD, "60.00", "300.25", "0.00", "1300.00", "100.00", "1760.25"},
			},
			customers: []agingRow{
				{"cus_B", "B-1", EUR, "99.99", "0.00", "1500.00", "0.00", "0.00", "1599.99"},
				{"cus_C", "C-1", EUR, "320.00", "0.00", "500.00", "0.00", "0.00", "820.00"},
				{"cus_B", "B-1", USD, "0.00", "50.25", "0.00", "800.00", "0.00", "850.25"},
				{"cus_A", "A-1", USD, "60.00", "250.00", "0.00", "500.00", "100.00", "910.00"},
			},
		},
		{
			// As of 2026-07-31 (pa2, pc2 counted; a4 issued; a5 void by now):
			//   a1 0 (paid 07-10)                                   → none
			//   a2 500−200 = 300.00 due 04-01 d=29+31+30+31=121     → over 90
			//   a3 250.00           due 05-31 d=30+31=61            → 61–90
			//   a4 400.00           due 08-04 d=−4                  → current
			//   a5 voided 07-20 ≤ as-of                             → excluded
			//   b1 800.00           due 04-30 d=31+30+31=92         → over 90
			//   b2  50.25           due 06-29 d=1+31=32             → 31–60
			//   b3 1500.00          due 05-01 d=30+30+31=91         → over 90
			//   b4  99.99           due 06-30 d=31                  → 31–60
			//   c1, c2 paid by pc2 07-01; c3 not issued             → C has no row
			// A USD: 400.00 | 0 | 0 | 250.00 | 300.00 = 950.00 (overdue 550.00)
			// B USD: 0 | 0 | 50.25 | 0 | 800.00 = 850.25 (overdue 850.25) → B before A
			// B EUR: 0 | 0 | 99.99 | 0 | 1500.00 = 1599.99
			// USD total: 400.00 | 0 | 50.25 | 250.00 | 1100.00 = 1800.25
			asOf: "2026-07-31",
			totals: []agingRow{
				{"", "", EUR, "0.00", "0.00", "99.99", "0.00", "1500.00", "1599.99"},
				{"", "", USD, "400.00", "0.00", "50.25", "250.00", "1100.00", "1800.25"},
			},
			customers: []agingRow{
				{"cus_B", "B-1", EUR, "0.00", "0.00", "99.99", "0.00", "1500.00", "1599.99"},
				{"cus_B", "B-1", USD, "0.00", "0.00", "50.25", "0.00", "800.00", "850.25"},
				{"cus_A", "A-1", USD, "400.00", "0.00", "0.00", "250.00", "300.00", "950.00"},
			},
		},
		{
			// As of 2026-08-10 (c3 issued today and takes C's 180.00 credit today):
			//   a2 300.00  d=121+10=131 → over 90;  a3 250.00 d=71 → 61–90
			//   a4 400.00  due 08-04 d=6 → 1–30
			//   b1 800.00  d=102 → over 90;  b2 50.25 d=42 → 31–60
			//   b3 1500.00 d=101 → over 90;  b4 99.99 d=41 → 31–60
			//   c3 250−180 = 70.00 due 09-09 d=−30 → current
			// A USD: 0 | 400.00 | 0 | 250.00 | 300.00 = 950.00 (overdue 950.00) → A before B now
			// B USD: 0 | 0 | 50.25 | 0 | 800.00 = 850.25 (overdue 850.25)
			// B EUR: 0 | 0 | 99.99 | 0 | 1500.00 = 1599.99;  C EUR: 70.00 | 0… = 70.00
			// USD total: 0 | 400.00 | 50.25 | 250.00 | 1100.00 = 1800.25
			// EUR total: 70.00 | 0 | 99.99 | 0 | 1500.00 = 1669.99
			asOf: "2026-08-10",
			totals: []agingRow{
				{"", "", EUR, "70.00", "0.00", "99.99", "0.00", "1500.00", "1669.99"},
				{"", "", USD, "0.00", "400.00", "50.25", "250.00", "1100.00", "1800.25"},
			},
			customers: []agingRow{
				{"cus_B", "B-1", EUR, "0.00", "0.00", "99.99", "0.00", "1500.00", "1599.99"},
				{"cus_C", "C-1", EUR, "70.00", "0.00", "0.00", "0.00", "0.00", "70.00"},
				{"cus_A", "A-1", USD, "0.00", "400.00", "0.00", "250.00", "300.00", "950.00"},
				{"cus_B", "B-1", USD, "0.00", "0.00", "50.25", "0.00", "800.00", "850.25"},
			},
		},
	}
	customers, invoices, payments := agingLedger()
	allocs := map[string][]ledger.Allocation{}
	for id := range customers {
		allocs[id] = ledger.Allocate(invoices[id], payments[id]).Allocations
	}
	for _, tt := range tests {
		t.Run(tt.asOf, func(t *testing.T) {
			asOf := day(tt.asOf)
			r := ledger.NewAgingReport(asOf)
			for _, id := range []string{"cus_A", "cus_B", "cus_C"} {
				for _, it := range ledger.OpenItemsAsOf(asOf, customers[id], invoices[id], allocs[id]) {
					r.Add(it)
				}
			}
			var totals []agingRow
			for _, b := range r.Totals() {
				totals = append(totals, rowOf("", "", b))
			}
			if diff := cmp.Diff(tt.totals, totals, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Totals() mismatch (-want +got):\n%s", diff)
			}
			var rows []agingRow
			for _, c := range r.Customers() {
				rows = append(rows, rowOf(c.CustomerID, c.ExternalRef, c.Buckets))
			}
			if diff := cmp.Diff(tt.customers, rows, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Customers() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAgingReport_Empty(t *testing.T) {
	r := ledger.NewAgingReport(day("2026-01-01"))
	if len(r.Totals()) != 0 || len(r.Customers()) != 0 {
		t.Errorf("empty report: totals %v customers %v", r.Totals(), r.Customers())
	}
}

// Finding 1: totals beyond int64 are summed exactly (Wide), never refused:
// a report must not fail because of data.
func TestAgingReport_SumsBeyondInt64(t *testing.T) {
	const maxInt64 = 1<<63 - 1
	r := ledger.NewAgingReport(day("2026-01-01"))
	item := ledger.OpenItem{CustomerID: "cus_A", Currency: USD, DueDate: day("2026-01-01")}
	item.Balance = maxInt64 - 10
	r.Add(item)
	item.Balance = 10
	r.Add(item)
	item.Balance = 1
	r.Add(item)
	item.CustomerID, item.Balance = "cus_B", maxInt64
	r.Add(item)
	// Hand-worked: 2 × 9223372036854775807 + 1 = 18446744073709551615.
	if got := r.Totals()[0].Total().Text(USD); got != "184467440737095516.15" {
		t.Errorf("total = %s, want 184467440737095516.15", got)
	}
	cs := r.Customers()
	if len(cs) != 2 || cs[0].CustomerID != "cus_A" || cs[0].Total().Text(USD) != "92233720368547758.08" || cs[1].Total().Text(USD) != "92233720368547758.07" {
		t.Errorf("customers = %+v", cs)
	}
}

// TestOpenItemsAsOf_Boundaries: "as of D" includes what happens ON D.
// One invoice i1 issued 03-10 due 04-09, 100.00, voided 03-20; one
// allocation of 30.00 applied 03-15 to i2 (issued 03-10, 50.00).
func TestOpenItemsAsOf_Boundaries(t *testing.T) {
	c := &ledger.Customer{ID: "cus_A", ExternalRef: "A-1"}
	invs := []ledger.Invoice{
		voided(inv("i1", "2026-03-10", "2026-04-09", usd("100.00")), "2026-03-20"),
		inv("i2", "2026-03-10", "2026-04-09", usd("50.00")),
	}
	allocs := []ledger.Allocation{alloc("p1", "i2", usd("30.00"), "2026-03-15")}
	item := func(minor int64) ledger.OpenItem {
		return ledger.OpenItem{CustomerID: "cus_A", ExternalRef: "A-1", Currency: USD, DueDate: day("2026-04-09"), Balance: minor}
	}
	tests := []struct {
		asOf string
		want []ledger.OpenItem
	}{
		{"2026-03-09", nil}, // day before issue: nothing
		{"2026-03-10", []ledger.OpenItem{item(10000), item(5000)}}, // issued on D: included
		{"2026-03-14", []ledger.OpenItem{item(10000), item(5000)}}, // allocation tomorrow: not counted
		{"2026-03-15", []ledger.OpenItem{item(10000), item(2000)}}, // allocation on D: 50.00 − 30.00
		{"2026-03-19", []ledger.OpenItem{item(10000), item(2000)}}, // void tomorrow: still open
		{"2026-03-20", []ledger.OpenItem{item(2000)}},              // void on D: excluded
	}
	for _, tt := range tests {
		t.Run(tt.asOf, func(t *testing.T) {
			got := ledger.OpenItemsAsOf(day(tt.asOf), c, invs, allocs)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("OpenItemsAsOf(%s) (-want +got):\n%s", tt.asOf, diff)
			}
		})
	}
}

// BenchmarkAgingReport_Add: one open item into the report (the per-invoice
// cost of every aging, position and KPI figure).
func BenchmarkAgingReport_Add(b *testing.B) {
	r := ledger.NewAgingReport(day("2026-06-01"))
	items := make([]ledger.OpenItem, 1000)
	for i := range items {
		items[i] = ledger.OpenItem{CustomerID: fmt.Sprintf("cus_%d", i%100), Currency: USD, DueDate: day("2026-03-01").AddDays(i % 120), Balance: int64(1000 + i)}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Add(items[i%len(items)])
		i++
	}
}
