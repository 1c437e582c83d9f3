package ledger_test

import (
	"math"
	"testing"

	"settle/internal/ledger"
	"settle/internal/money"
)

func TestPromise_StatusAsOf(t *testing.T) {
	cents := func(minor int64) money.Amount { return money.New(minor, USD) }
	pay := func(on string, minor int64, kind string) ledger.Payment {
		return ledger.Payment{Kind: kind, ReceivedOn: day(on), Amount: cents(minor)}
	}
	// 500.00 promised on 1 March for 15 March.
	promise := ledger.Promise{Amount: cents(50000), PromisedOn: day("2026-03-01"), DueDate: day("2026-03-15")}
	for _, tc := range []struct {
		name     string
		payments []ledger.Payment
		asOf     string
		status   string
		paid     int64
	}{
		{"nothing yet", nil, "2026-03-08", ledger.PromiseOpen, 0},
		{"part paid, not due", []ledger.Payment{pay("2026-03-05", 20000, ledger.KindPayment)}, "2026-03-08", ledger.PromiseOpen, 20000},
		// 200.00 + 300.00 = 500.00 by 10 March: kept, before the due date.
		{"kept early", []ledger.Payment{pay("2026-03-05", 20000, ledger.KindPayment), pay("2026-03-10", 30000, ledger.KindPayment)}, "2026-03-10", ledger.PromiseKept, 50000},
		{"kept on the due date", []ledger.Payment{pay("2026-03-15", 50000, ledger.KindPayment)}, "2026-03-15", ledger.PromiseKept, 50000},
		{"more than promised", []ledger.Payment{pay("2026-03-15", 60000, ledger.KindPayment)}, "2026-03-20", ledger.PromiseKept, 60000},
		// Due 15 March, only 200.00 by then: broken from 16 March; the 300.00 of 20 March does not mend it.
		{"broken the day after", []ledger.Payment{pay("2026-03-05", 20000, ledger.KindPayment)}, "2026-03-16", ledger.PromiseBroken, 20000},
		{"late money does not keep it", []ledger.Payment{pay("2026-03-05", 20000, ledger.KindPayment), pay("2026-03-20", 30000, ledger.KindPayment)}, "2026-03-25", ledger.PromiseBroken, 20000},
		{"payment before the promise does not count", []ledger.Payment{pay("2026-02-28", 50000, ledger.KindPayment)}, "2026-03-10", ledger.PromiseOpen, 0},
		{"credit notes do not count", []ledger.Payment{pay("2026-03-05", 50000, ledger.KindCreditNote)}, "2026-03-16", ledger.PromiseBroken, 0},
		{"other currency does not count", []ledger.Payment{{Kind: ledger.KindPayment, ReceivedOn: day("2026-03-05"), Amount: money.New(50000, EUR)}}, "2026-03-16", ledger.PromiseBroken, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, paid := promise.StatusAsOf(day(tc.asOf), tc.payments)
			if status != tc.status || paid.Minor() != tc.paid {
				t.Fatalf("as of %s: %s with %d paid; want %s with %d", tc.asOf, status, paid.Minor(), tc.status, tc.paid)
			}
		})
	}
}

func TestPromise_Validate(t *testing.T) {
	p := ledger.Promise{CustomerID: "cus_1", Amount: money.New(-1, USD), PromisedOn: day("2026-03-10"), DueDate: day("2026-03-01"), Channel: "pigeon"}
	p.Normalize()
	e := p.Validate()
	got := fieldsOf(t, e)
	want := []string{"amount", "due_date", "channel"}
	if len(got) != len(want) {
		t.Fatalf("fields %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("fields %v, want %v", got, want)
		}
	}
}

// Finding 1: payments written before the amount limit existed must not
// wrap the promise's paid sum (two int64-max payments wrapped to -2, and
// the promise read as open with a negative paid).
func TestPromise_StatusAsOf_HugeLegacyPayments(t *testing.T) {
	usd := money.MustCurrency("USD")
	p := ledger.Promise{Amount: money.New(10000, usd), PromisedOn: day("2026-03-01"), DueDate: day("2026-03-31")}
	pay := ledger.Payment{Kind: ledger.KindPayment, ReceivedOn: day("2026-03-10"), Amount: money.New(math.MaxInt64, usd)}
	status, paid := p.StatusAsOf(day("2026-03-20"), []ledger.Payment{pay, pay})
	if status != ledger.PromiseKept || paid.Minor() != math.MaxInt64 {
		t.Errorf("status %s paid %d, want kept with the most an amount holds", status, paid.Minor())
	}
}
