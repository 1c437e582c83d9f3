package ledger_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
)

// ---- helpers shared by the ledger tests ------------------------------------

const (
	USD = money.Currency("USD")
	EUR = money.Currency("EUR")
)

// day parses a YYYY-MM-DD literal of a test table (a bad literal is a bug
// in the test itself, hence the panic).
func day(s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// amt parses a decimal amount literal of a test table, e.g. amt("150.25", USD).
func amt(s string, c money.Currency) money.Amount {
	a, err := money.Parse(s, c)
	if err != nil {
		panic(err)
	}
	return a
}

func usd(s string) money.Amount { return amt(s, USD) }
func eur(s string) money.Amount { return amt(s, EUR) }

// inv builds an invoice; number is derived from the id.
func inv(id, issue, due string, a money.Amount) ledger.Invoice {
	return ledger.Invoice{ID: id, Number: "N-" + id, CustomerID: "cus_x", IssueDate: day(issue), DueDate: day(due), Amount: a}
}

func disputed(i ledger.Invoice) ledger.Invoice { i.Disputed = true; return i }

func voided(i ledger.Invoice, on string) ledger.Invoice { i.VoidedOn = day(on); return i }

func numbered(i ledger.Invoice, n string) ledger.Invoice { i.Number = n; return i }

func pay(id, received string, a money.Amount) ledger.Payment {
	return ledger.Payment{ID: id, Kind: ledger.KindPayment, CustomerID: "cus_x", ReceivedOn: day(received), Amount: a}
}

func naming(p ledger.Payment, invoiceID string) ledger.Payment { p.InvoiceID = invoiceID; return p }

func alloc(payment, invoice string, a money.Amount, on string) ledger.Allocation {
	return ledger.Allocation{PaymentID: payment, InvoiceID: invoice, Amount: a, AppliedOn: day(on)}
}

// cmpAmount compares money exactly (minor units and currency).
var cmpAmount = cmp.Comparer(func(a, b money.Amount) bool { return a == b })

// ---- hand-worked allocation cases ------------------------------------------

func TestAllocate_HandWorked(t *testing.T) {
	tests := []struct {
		name     string
		invoices []ledger.Invoice
		payments []ledger.Payment
		want     ledger.Allocated
	}{
		{
			// Rule 2. I1 (due 01-31) is older, but P1 names I2:
			// I2 100.00 first, then the rest 50.00 to I1.
			name: "named invoice first",
			invoices: []ledger.Invoice{
				inv("i1", "2026-01-01", "2026-01-31", usd("100.00")),
				inv("i2", "2026-01-05", "2026-02-28", usd("100.00")),
			},
			payments: []ledger.Payment{naming(pay("p1", "2026-02-01", usd("150.00")), "i2")},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{
					alloc("p1", "i2", usd("100.00"), "2026-02-01"),
					alloc("p1", "i1", usd("50.00"), "2026-02-01"),
				},
				Balances: map[string]money.Amount{"i1": usd("50.00"), "i2": usd("0")},
			},
		},
		{
			// Rule 3: oldest DUE date first, not oldest issue date.
			// I2 due 02-15 before I1 due 03-31: I2 100.00, I1 50.00.
			name: "oldest due first",
			invoices: []ledger.Invoice{
				inv("i1", "2026-01-01", "2026-03-31", usd("100.00")),
				inv("i2", "2026-01-15", "2026-02-15", usd("100.00")),
			},
			payments: []ledger.Payment{pay("p1", "2026-03-01", usd("150.00"))},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{
					alloc("p1", "i2", usd("100.00"), "2026-03-01"),
					alloc("p1", "i1", usd("50.00"), "2026-03-01"),
				},
				Balances: map[string]money.Amount{"i1": usd("50.00"), "i2": usd("0")},
			},
		},
		{
			// Rule 3 ties: all due 02-01. i3 issued 01-01 is first; i1 and i2
			// share issue date 01-02, so by number: T-1 (i2) before T-2 (i1).
			// 150.00 → i3 100.00, i2 50.00, i1 nothing.
			name: "due date tie broken by issue date then number",
			invoices: []ledger.Invoice{
				numbered(inv("i1", "2026-01-02", "2026-02-01", usd("100.00")), "T-2"),
				numbered(inv("i2", "2026-01-02", "2026-02-01", usd("100.00")), "T-1"),
				numbered(inv("i3", "2026-01-01", "2026-02-01", usd("100.00")), "T-3"),
			},
			payments: []ledger.Payment{pay("p1", "2026-02-10", usd("150.00"))},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{
					alloc("p1", "i3", usd("100.00"), "2026-02-10"),
					alloc("p1", "i2", usd("50.00"), "2026-02-10"),
				},
				Balances: map[string]money.Amount{"i1": usd("100.00"), "i2": usd("50.00"), "i3": usd("0")},
			},
		},
		{
			// Rule 4. P1 250.00 on 01-10 pays i1 100.00; 150.00 stays as
			// credit and goes to i2 (120.00) on i2's issue date 02-01;
			// 30.00 is left unapplied.
			name: "overpayment kept as credit and applied to later invoice on its issue date",
			invoices: []ledger.Invoice{
				inv("i1", "2026-01-01", "2026-01-31", usd("100.00")),
				inv("i2", "2026-02-01", "2026-03-03", usd("120.00")),
			},
			payments: []ledger.Payment{pay("p1", "2026-01-10", usd("250.00"))},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{
					alloc("p1", "i1", usd("100.00"), "2026-01-10"),
					alloc("p1", "i2", usd("120.00"), "2026-02-01"),
				},
				Balances:  map[string]money.Amount{"i1": usd("0"), "i2": usd("0")},
				Unapplied: map[string]money.Amount{"p1": usd("30.00")},
			},
		},
		{
			// Rule 4, FIFO: p1 50.00 and p2 80.00 arrive before any invoice.
			// i1 100.00 on 01-10 takes p1's 50.00 first, then 50.00 of p2;
			// p2 keeps 30.00.
			name: "credits applied first in first out",
			invoices: []ledger.Invoice{
				inv("i1", "2026-01-10", "2026-02-09", usd("100.00")),
			},
			payments: []ledger.Payment{
				pay("p2", "2026-01-06", usd("80.00")),
				pay("p1", "2026-01-05", usd("50.00")),
			},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{
					alloc("p1", "i1", usd("50.00"), "2026-01-10"),
					alloc("p2", "i1", usd("50.00"), "2026-01-10"),
				},
				Balances:  map[string]money.Amount{"i1": usd("0")},
				Unapplied: map[string]money.Amount{"p2": usd("30.00")},
			},
		},
		{
			// Rule 3: disputed i1 (oldest) is skipped: i2 gets 100.00 and
			// 50.00 stays as credit although i1 is still open.
			name: "disputed invoice skipped by unnamed payment",
			invoices: []ledger.Invoice{
				disputed(inv("i1", "2026-01-01", "2026-01-31", usd("100.00"))),
				inv("i2", "2026-01-01", "2026-02-28", usd("100.00")),
			},
			payments: []ledger.Payment{pay("p1", "2026-02-01", usd("150.00"))},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{
					alloc("p1", "i2", usd("100.00"), "2026-02-01"),
				},
				Balances:  map[string]money.Amount{"i1": usd("100.00"), "i2": usd("0")},
				Unapplied: map[string]money.Amount{"p1": usd("50.00")},
			},
		},
		{
			// Rule 2 beats rule 3's skip: naming the disputed invoice pays it.
			name: "disputed invoice paid when named",
			invoices: []ledger.Invoice{
				disputed(inv("i1", "2026-01-01", "2026-01-31", usd("100.00"))),
			},
			payments: []ledger.Payment{naming(pay("p1", "2026-02-01", usd("60.00")), "i1")},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{alloc("p1", "i1", usd("60.00"), "2026-02-01")},
				Balances:    map[string]money.Amount{"i1": usd("40.00")},
			},
		},
		{
			// Rule 4 also skips disputed invoices: credit 100.00 from 01-05
			// passes over disputed i1 (issued 01-10) and pays i2 (80.00) on
			// 01-20; 20.00 remains.
			name: "credit not applied to disputed invoice at issue",
			invoices: []ledger.Invoice{
				disputed(inv("i1", "2026-01-10", "2026-02-09", usd("100.00"))),
				inv("i2", "2026-01-20", "2026-02-19", usd("80.00")),
			},
			payments: []ledger.Payment{pay("p1", "2026-01-05", usd("100.00"))},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{alloc("p1", "i2", usd("80.00"), "2026-01-20")},
				Balances:    map[string]money.Amount{"i1": usd("100.00"), "i2": usd("0")},
				Unapplied:   map[string]money.Amount{"p1": usd("20.00")},
			},
		},
		{
			// Rule 5: i1 is void (even though p1 names it) and i3 is void
			// when p1's credit is waiting: neither receives anything and
			// both keep their full amount. i2 50.00 is paid; 70.00 left.
			name: "void invoice never allocated",
			invoices: []ledger.Invoice{
				voided(inv("i1", "2026-01-01", "2026-01-31", usd("100.00")), "2026-01-20"),
				inv("i2", "2026-01-02", "2026-02-01", usd("50.00")),
				voided(inv("i3", "2026-02-10", "2026-03-12", usd("40.00")), "2026-02-11"),
			},
			payments: []ledger.Payment{naming(pay("p1", "2026-01-15", usd("120.00")), "i1")},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{alloc("p1", "i2", usd("50.00"), "2026-01-15")},
				Balances:    map[string]money.Amount{"i1": usd("100.00"), "i2": usd("0"), "i3": usd("40.00")},
				Unapplied:   map[string]money.Amount{"p1": usd("70.00")},
			},
		},
		{
			// Currencies never mix: p1 (USD) names EUR i1 — ignored; the
			// older EUR i1 is skipped; USD i2 gets 100.00; the USD credit of
			// 50.00 skips EUR i3 and pays USD i4 30.00 on 02-12; 20.00 left.
			name: "currencies never crossed",
			invoices: []ledger.Invoice{
				inv("i1", "2026-01-01", "2026-01-31", eur("100.00")),
				inv("i2", "2026-01-01", "2026-02-28", usd("100.00")),
				inv("i3", "2026-02-10", "2026-03-12", eur("40.00")),
				inv("i4", "2026-02-12", "2026-03-14", usd("30.00")),
			},
			payments: []ledger.Payment{naming(pay("p1", "2026-02-01", usd("150.00")), "i1")},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{
					alloc("p1", "i2", usd("100.00"), "2026-02-01"),
					alloc("p1", "i4", usd("30.00"), "2026-02-12"),
				},
				Balances:  map[string]money.Amount{"i1": eur("100.00"), "i2": usd("0"), "i3": eur("40.00"), "i4": usd("0")},
				Unapplied: map[string]money.Amount{"p1": usd("20.00")},
			},
		},
		{
			// Rule 1 tie: i1 issued 03-01 (due 03-05) is on the books before
			// p1 received 03-01, so oldest-due-first picks i1 over i0 (due
			// 03-31). Had the payment gone first, i0 would have been paid.
			name: "invoice issued the same day as the payment is paid by it",
			invoices: []ledger.Invoice{
				inv("i0", "2026-01-01", "2026-03-31", usd("100.00")),
				inv("i1", "2026-03-01", "2026-03-05", usd("100.00")),
			},
			payments: []ledger.Payment{pay("p1", "2026-03-01", usd("100.00"))},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{alloc("p1", "i1", usd("100.00"), "2026-03-01")},
				Balances:    map[string]money.Amount{"i0": usd("100.00"), "i1": usd("0")},
			},
		},
		{
			// Rule 1 tie: same received date, ids decide (pay_A before
			// pay_B) whatever the input order: pay_A 60.00, pay_B 40.00,
			// pay_B keeps 20.00.
			name: "payments on the same day applied in id order",
			invoices: []ledger.Invoice{
				inv("i1", "2026-01-01", "2026-01-31", usd("100.00")),
			},
			payments: []ledger.Payment{
				pay("pay_B", "2026-03-01", usd("60.00")),
				pay("pay_A", "2026-03-01", usd("60.00")),
			},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{
					alloc("pay_A", "i1", usd("60.00"), "2026-03-01"),
					alloc("pay_B", "i1", usd("40.00"), "2026-03-01"),
				},
				Balances:  map[string]money.Amount{"i1": usd("0")},
				Unapplied: map[string]money.Amount{"pay_B": usd("20.00")},
			},
		},
		{
			// A payment recorded later (higher id, last in the input) but
			// received earlier is replayed at its date: pay_9 on 01-20 pays
			// i1 50.00; then i2 is issued; pay_2 on 02-15 pays i1's last
			// 50.00 and 30.00 of i2. Input order would have given pay_2
			// 80.00 to i1.
			name: "back-dated payment replayed in date order",
			invoices: []ledger.Invoice{
				inv("i1", "2026-01-01", "2026-01-31", usd("100.00")),
				inv("i2", "2026-02-01", "2026-03-03", usd("100.00")),
			},
			payments: []ledger.Payment{
				pay("pay_2", "2026-02-15", usd("80.00")),
				pay("pay_9", "2026-01-20", usd("50.00")),
			},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{
					alloc("pay_9", "i1", usd("50.00"), "2026-01-20"),
					alloc("pay_2", "i1", usd("50.00"), "2026-02-15"),
					alloc("pay_2", "i2", usd("30.00"), "2026-02-15"),
				},
				Balances: map[string]money.Amount{"i1": usd("0"), "i2": usd("70.00")},
			},
		},
		{
			// A named invoice that is not issued yet on the payment date is
			// not "open by then": p1 goes oldest-due-first to i1.
			name: "named invoice not yet issued is ignored",
			invoices: []ledger.Invoice{
				inv("i1", "2026-01-01", "2026-01-31", usd("100.00")),
				inv("i2", "2026-02-01", "2026-03-03", usd("100.00")),
			},
			payments: []ledger.Payment{naming(pay("p1", "2026-01-15", usd("100.00")), "i2")},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{alloc("p1", "i1", usd("100.00"), "2026-01-15")},
				Balances:    map[string]money.Amount{"i1": usd("0"), "i2": usd("100.00")},
			},
		},
		{
			// A credit note is allocated exactly like a payment: named i2
			// 100.00 first, then 30.00 to i1; a second, unnamed credit note
			// of 90.00 pays i1's remaining 70.00 and keeps 20.00 as credit.
			name: "credit note behaves like a payment",
			invoices: []ledger.Invoice{
				inv("i1", "2026-01-01", "2026-01-31", usd("100.00")),
				inv("i2", "2026-01-10", "2026-02-09", usd("100.00")),
			},
			payments: []ledger.Payment{
				func() ledger.Payment {
					p := naming(pay("cn1", "2026-01-15", usd("130.00")), "i2")
					p.Kind = ledger.KindCreditNote
					return p
				}(),
				func() ledger.Payment {
					p := pay("cn2", "2026-01-16", usd("90.00"))
					p.Kind = ledger.KindCreditNote
					return p
				}(),
			},
			want: ledger.Allocated{
				Allocations: []ledger.Allocation{
					alloc("cn1", "i2", usd("100.00"), "2026-01-15"),
					alloc("cn1", "i1", usd("30.00"), "2026-01-15"),
					alloc("cn2", "i1", usd("70.00"), "2026-01-16"),
				},
				Balances:  map[string]money.Amount{"i1": usd("0"), "i2": usd("0")},
				Unapplied: map[string]money.Amount{"cn2": usd("20.00")},
			},
		},
		{
			name: "empty ledger",
			want: ledger.Allocated{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ledger.Allocate(tt.invoices, tt.payments)
			if diff := cmp.Diff(tt.want, got, cmpAmount, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Allocate() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAllocate_DoesNotReorderInput: Allocate sorts internally but must not
// reorder the caller's slices (services reuse them).
func TestAllocate_DoesNotReorderInput(t *testing.T) {
	invs := []ledger.Invoice{
		inv("i2", "2026-02-01", "2026-03-03", usd("1.00")),
		inv("i1", "2026-01-01", "2026-01-31", usd("1.00")),
	}
	pays := []ledger.Payment{pay("p2", "2026-02-02", usd("1.00")), pay("p1", "2026-01-02", usd("1.00"))}
	ledger.Allocate(invs, pays)
	if invs[0].ID != "i2" || pays[0].ID != "p2" {
		t.Errorf("Allocate reordered its input: invoices %s,%s payments %s,%s", invs[0].ID, invs[1].ID, pays[0].ID, pays[1].ID)
	}
}

// ---- property test -----------------------------------------------------------

// randomLedger makes one customer's ledger: up to 8 invoices and 8 payments in
// USD/EUR over a 60-day window (many same-day ties), some disputed, some
// void, some payments naming an invoice (of any currency, or none that exists).
func randomLedger(rng *rand.Rand) ([]ledger.Invoice, []ledger.Payment) {
	base := day("2026-01-01")
	cur := func() money.Currency {
		if rng.IntN(5) == 0 {
			return EUR
		}
		return USD
	}
	invs := make([]ledger.Invoice, rng.IntN(9))
	for i := range invs {
		issue := base.AddDays(rng.IntN(60))
		invs[i] = ledger.Invoice{
			ID:         fmt.Sprintf("inv_%02d", i),
			Number:     fmt.Sprintf("N-%02d", rng.IntN(100)*100+i), // unique, random order
			CustomerID: "cus_x",
			IssueDate:  issue,
			DueDate:    issue.AddDays(rng.IntN(46)),
			Amount:     money.New(1+rng.Int64N(50_000), cur()),
			Disputed:   rng.IntN(7) == 0,
		}
		if rng.IntN(7) == 0 {
			invs[i].VoidedOn = issue.AddDays(rng.IntN(31))
		}
	}
	pays := make([]ledger.Payment, rng.IntN(9))
	perm := rng.Perm(len(pays)) // ids not in input order
	for i := range pays {
		pays[i] = ledger.Payment{
			ID:         fmt.Sprintf("pay_%02d", perm[i]),
			Kind:       []string{ledger.KindPayment, ledger.KindCreditNote}[rng.IntN(2)],
			CustomerID: "cus_x",
			ReceivedOn: base.AddDays(rng.IntN(60)),
			Amount:     money.New(1+rng.Int64N(60_000), cur()),
		}
		if rng.IntN(3) == 0 {
			if len(invs) > 0 && rng.IntN(4) != 0 {
				pays[i].InvoiceID = invs[rng.IntN(len(invs))].ID
			} else {
				pays[i].InvoiceID = "inv_missing"
			}
		}
	}
	return invs, pays
}

func TestAllocate_Invariants(t *testing.T) {
	const ledgers = 3000
	rng := rand.New(rand.NewPCG(20260701, 42))
	for n := range ledgers {
		invs, pays := randomLedger(rng)
		got := ledger.Allocate(invs, pays)
		if t.Failed() {
			return
		}
		checkAllocationInvariants(t, n, invs, pays, got)
	}
}

func checkAllocationInvariants(t *testing.T, n int, invs []ledger.Invoice, pays []ledger.Payment, got ledger.Allocated) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("ledger #%d: %s\ninvoices: %+v\npayments: %+v\nallocations: %+v", n, fmt.Sprintf(format, args...), invs, pays, got.Allocations)
	}
	invByID := map[string]ledger.Invoice{}
	for _, i := range invs {
		invByID[i.ID] = i
	}
	payByID := map[string]ledger.Payment{}
	for _, p := range pays {
		payByID[p.ID] = p
	}
	toInvoice := map[string]int64{}
	fromPayment := map[string]int64{}
	for _, a := range got.Allocations {
		i, okI := invByID[a.InvoiceID]
		p, okP := payByID[a.PaymentID]
		if !okI || !okP {
			fail("allocation %+v names an unknown invoice or payment", a)
			continue
		}
		if !a.Amount.IsPositive() {
			fail("allocation %+v is not positive", a)
		}
		if a.Amount.Currency() != i.Amount.Currency() || a.Amount.Currency() != p.Amount.Currency() {
			fail("allocation %+v crosses currencies: invoice %s, payment %s", a, i.Amount.Currency(), p.Amount.Currency())
		}
		if a.AppliedOn.Before(p.ReceivedOn) || a.AppliedOn.Before(i.IssueDate) {
			fail("allocation %+v dated before payment %s or invoice issue %s", a, p.ReceivedOn, i.IssueDate)
		}
		// Stronger: the replay applies money at the later of the two events.
		want := p.ReceivedOn
		if i.IssueDate.After(want) {
			want = i.IssueDate
		}
		if a.AppliedOn != want {
			fail("allocation %+v applied on %s, want the later of received %s and issued %s", a, a.AppliedOn, p.ReceivedOn, i.IssueDate)
		}
		if !i.VoidedOn.IsZero() {
			fail("allocation %+v to void invoice", a)
		}
		if i.Disputed && p.InvoiceID != i.ID {
			fail("allocation %+v to disputed invoice from a payment not naming it", a)
		}
		toInvoice[a.InvoiceID] += a.Amount.Minor()
		fromPayment[a.PaymentID] += a.Amount.Minor()
	}
	for _, p := range pays {
		u, ok := got.Unapplied[p.ID]
		if ok && (!u.IsPositive() || u.Currency() != p.Amount.Currency()) {
			fail("payment %s unapplied %v: must be positive and in %s", p.ID, u, p.Amount.Currency())
		}
		if fromPayment[p.ID]+u.Minor() != p.Amount.Minor() {
			fail("payment %s: allocated %d + unapplied %d != amount %d", p.ID, fromPayment[p.ID], u.Minor(), p.Amount.Minor())
		}
	}
	if len(got.Unapplied) > 0 {
		for id := range got.Unapplied {
			if _, ok := payByID[id]; !ok {
				fail("unapplied for unknown payment %s", id)
			}
		}
	}
	if len(got.Balances) != len(invs) {
		fail("%d balances for %d invoices", len(got.Balances), len(invs))
	}
	creditIn := map[money.Currency]bool{}
	for _, u := range got.Unapplied {
		creditIn[u.Currency()] = true
	}
	for _, i := range invs {
		b, ok := got.Balances[i.ID]
		if !ok {
			fail("no balance for invoice %s", i.ID)
			continue
		}
		if b.Currency() != i.Amount.Currency() {
			fail("invoice %s balance %v in wrong currency", i.ID, b)
		}
		if b.IsNegative() || i.Amount.Minor()-toInvoice[i.ID] != b.Minor() {
			fail("invoice %s: amount %d - allocations %d != balance %d (or negative)", i.ID, i.Amount.Minor(), toInvoice[i.ID], b.Minor())
		}
		// Credit is never left idle beside an open, undisputed, live
		// invoice of the same currency.
		if creditIn[i.Amount.Currency()] && i.VoidedOn.IsZero() && !i.Disputed && b.IsPositive() {
			fail("invoice %s open (%v) while the customer holds %s credit", i.ID, b, i.Amount.Currency())
		}
	}
}

// TestAllocate_AsOfEqualsPrefixReplay checks the doc comment's promise: the
// allocations dated on or before D are exactly what the ledger held on D.
// Second method: replay only the invoices issued and payments received by
// D, and compare each invoice's balance with OpenItemsAsOf on the full
// allocation.
func TestAllocate_AsOfEqualsPrefixReplay(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	c := &ledger.Customer{ID: "cus_x", ExternalRef: "X"}
	for n := range 2000 {
		invs, pays := randomLedger(rng)
		full := ledger.Allocate(invs, pays)
		asOf := day("2025-12-31").AddDays(rng.IntN(75))

		var pInvs []ledger.Invoice
		for _, i := range invs {
			if !i.IssueDate.After(asOf) {
				pInvs = append(pInvs, i)
			}
		}
		var pPays []ledger.Payment
		for _, p := range pays {
			if !p.ReceivedOn.After(asOf) {
				pPays = append(pPays, p)
			}
		}
		prefix := ledger.Allocate(pInvs, pPays)

		// Per invoice: the prefix replay's balance for every invoice issued
		// and not void by D that is still open, else no open item.
		for _, i := range invs {
			var want []ledger.OpenItem
			live := !i.IssueDate.After(asOf) && (i.VoidedOn.IsZero() || i.VoidedOn.After(asOf))
			if b := prefix.Balances[i.ID]; live && b.IsPositive() {
				want = []ledger.OpenItem{{CustomerID: "cus_x", ExternalRef: "X", Currency: i.Amount.Currency(), DueDate: i.DueDate, Balance: b.Minor()}}
			}
			got := ledger.OpenItemsAsOf(asOf, c, []ledger.Invoice{i}, full.Allocations)
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("ledger #%d, invoice %s as of %s (-prefix replay +OpenItemsAsOf):\n%s\ninvoices %+v\npayments %+v", n, i.ID, asOf, diff, invs, pays)
			}
		}
	}
}

// BenchmarkAllocate replays a busy customer's year: 500 invoices and 400
// payments, half of them naming an invoice.
func BenchmarkAllocate(b *testing.B) {
	usd := money.MustCurrency("USD")
	start := civil.New(2025, 1, 1)
	var invs []ledger.Invoice
	var pays []ledger.Payment
	for i := 0; i < 500; i++ {
		d := start.AddDays(i * 365 / 500)
		invs = append(invs, ledger.Invoice{ID: fmt.Sprintf("inv_%04d", i), Number: fmt.Sprintf("N%04d", i), IssueDate: d, DueDate: d.AddDays(30), Amount: money.New(int64(10000+i*37), usd)})
	}
	for i := 0; i < 400; i++ {
		p := ledger.Payment{ID: fmt.Sprintf("pay_%04d", i), ReceivedOn: start.AddDays(30 + i*365/400), Amount: money.New(int64(11000+i*41), usd)}
		if i%2 == 0 {
			p.InvoiceID = fmt.Sprintf("inv_%04d", i)
		}
		pays = append(pays, p)
	}
	b.ReportAllocs()
	for b.Loop() {
		ledger.Allocate(invs, pays)
	}
}
