package collect

import (
	"math/rand/v2"
	"testing"

	"settle/internal/civil"
	"settle/internal/money"
)

// randomLadderState draws a ladder (the default, or a random valid one)
// and a customer with up to 6 invoices due within ±120 days of asOf, some
// disputed, in a plan or promised, with a random set of steps done, and up
// to 3 installments.
func randomLadderState(rng *rand.Rand, asOf civil.Date) (Ladder, CustomerState) {
	l := DefaultLadder()
	if rng.IntN(2) == 0 {
		l = Ladder{InstallmentReminderDays: rng.IntN(8)}
		off := -rng.IntN(10)
		for i := range 1 + rng.IntN(6) {
			l.Steps = append(l.Steps, LadderStep{Name: []string{"a", "b", "c", "d", "e", "f"}[i], Offset: off, Via: []string{Email}})
			off += 1 + rng.IntN(20)
		}
	}
	s := CustomerState{CustomerID: "cus_1", Done: map[string]map[string]bool{}}
	names := []string{StepInvoiceOverdue}
	for _, st := range l.Steps {
		names = append(names, st.Name)
	}
	for i := range rng.IntN(7) {
		id := "inv_" + string(rune('A'+i))
		it := Item{InvoiceID: id, Number: id, DueDate: asOf.AddDays(rng.IntN(241) - 120), Balance: money.New(int64(1+rng.IntN(100000)), "USD")}
		switch rng.IntN(10) {
		case 0:
			it.Disputed = true
		case 1:
			it.InPlan = true
		}
		for _, n := range names {
			if rng.IntN(3) == 0 {
				if s.Done[id] == nil {
					s.Done[id] = map[string]bool{}
				}
				s.Done[id][n] = true
			}
		}
		s.Items = append(s.Items, it)
	}
	if rng.IntN(5) == 0 {
		s.Promises = append(s.Promises, Promise{ID: "prm_1", Amount: money.New(int64(1+rng.IntN(200000)), "USD"), DueDate: asOf.AddDays(rng.IntN(30))})
	}
	if rng.IntN(2) == 0 {
		// A case at a random step taken a random number of days ago.
		var esc []LadderStep
		for _, st := range l.Steps {
			if st.Offset > 0 {
				esc = append(esc, st)
			}
		}
		if len(esc) > 0 {
			st := esc[rng.IntN(len(esc))]
			c := Case{Step: st.Name, StepOn: asOf.AddDays(-rng.IntN(30))}
			if d := st.payByDays(); d > 0 {
				c.Deadline = c.StepOn.AddDays(d)
			}
			s.Cases = map[money.Currency]Case{"USD": c}
		}
	}
	s.Paused = rng.IntN(10) == 0
	if rng.IntN(3) == 0 {
		for seq := 1; seq <= 1+rng.IntN(3); seq++ {
			in := Installment{PlanID: "pln_1", Seq: seq, DueDate: asOf.AddDays(rng.IntN(60) - 20), Outstanding: money.New(1000, "USD")}
			in.Missed = !in.DueDate.After(asOf) && rng.IntN(2) == 0
			s.Installments = append(s.Installments, in)
		}
	}
	return l, s
}

// TestNextWake_NeverLate: after the run's actions of asOf are recorded,
// Due returns nothing on every day before the wake date; and for customers
// whose ladder moves by time alone (no plan, promise or installment), the
// wake date is exact: Due returns something on it.
func TestNextWake_NeverLate(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	exact, checked := 0, 0
	for c := range 3000 {
		asOf := civil.New(2026, 1, 1).AddDays(rng.IntN(365))
		l, s := randomLadderState(rng, asOf)
		after := s.WithDone(Due(l, s, asOf))
		wake, ok := NextWake(l, after, asOf)
		if ok && !wake.After(asOf) {
			t.Fatalf("case %d: wake %s is not after %s", c, wake, asOf)
		}
		for d := asOf.AddDays(1); d.Before(asOf.AddDays(400)); d = d.AddDays(1) {
			if ok && !d.Before(wake) {
				break
			}
			if acts := Due(l, after, d); len(acts) > 0 {
				t.Fatalf("case %d: as of %s the wake date is %s (ok %v) but on %s %s %s is due", c, asOf, wake, ok, d, acts[0].Step, acts[0].Subjects)
			}
			checked++
		}
		timeOnly := len(s.Installments) == 0 && len(s.Promises) == 0 && !s.Paused
		for _, it := range s.Items {
			timeOnly = timeOnly && !it.InPlan
		}
		if ok && timeOnly {
			if len(Due(l, after, wake)) == 0 {
				t.Fatalf("case %d: as of %s the wake date %s brings nothing", c, asOf, wake)
			}
			exact++
		}
	}
	if exact < 500 || checked < 50000 {
		t.Fatalf("too few cases exercised: %d exact wakes, %d quiet days", exact, checked)
	}
}

// TestNextWake_Table: hand-worked wake dates on the default ladder
// (−3, 0, +3, +7, +14, +30, +45, +60).
func TestNextWake_Table(t *testing.T) {
	asOf := civil.New(2026, 3, 10)
	usd := money.New(5000, "USD")
	done := func(pairs ...string) map[string]map[string]bool {
		m := map[string]map[string]bool{}
		for i := 0; i < len(pairs); i += 2 {
			if m[pairs[i]] == nil {
				m[pairs[i]] = map[string]bool{}
			}
			m[pairs[i]][pairs[i+1]] = true
		}
		return m
	}
	cases := []struct {
		name  string
		state CustomerState
		want  string // "" = never
	}{
		{"nothing open", CustomerState{}, ""},
		{"due in 10 days: the reminder at -3", CustomerState{Items: []Item{{InvoiceID: "i1", DueDate: asOf.AddDays(10), Balance: usd}}}, "2026-03-17"},
		{"due today, due_today done: overdue event tomorrow", CustomerState{Items: []Item{{InvoiceID: "i1", DueDate: asOf, Balance: usd}},
			Done: done("i1", StepDueToday)}, "2026-03-11"},
		{"8 days late, firm taken yesterday: call at +14", CustomerState{Items: []Item{{InvoiceID: "i1", DueDate: asOf.AddDays(-8), Balance: usd}},
			Done: done("i1", StepInvoiceOverdue), Cases: map[money.Currency]Case{"USD": {Step: StepFirm, StepOn: asOf.AddDays(-1)}}}, "2026-03-16"},
		{"8 days late, firm taken today: call at +14", CustomerState{Items: []Item{{InvoiceID: "i1", DueDate: asOf.AddDays(-8), Balance: usd}},
			Done: done("i1", StepInvoiceOverdue), Cases: map[money.Currency]Case{"USD": {Step: StepFirm, StepOn: asOf}}}, "2026-03-16"},
		{"20 days late, firm taken today (catching up): call after the 4-day gap", CustomerState{Items: []Item{{InvoiceID: "i1", DueDate: asOf.AddDays(-20), Balance: usd}},
			Done: done("i1", StepInvoiceOverdue), Cases: map[money.Currency]Case{"USD": {Step: StepFirm, StepOn: asOf}}}, "2026-03-14"},
		{"demand with a deadline: final notice the day after it", CustomerState{Items: []Item{
			{InvoiceID: "i1", DueDate: asOf.AddDays(-8), Balance: usd},
			{InvoiceID: "i2", DueDate: asOf.AddDays(-40), Balance: usd}},
			Done:  done("i1", StepInvoiceOverdue, "i2", StepInvoiceOverdue),
			Cases: map[money.Currency]Case{"USD": {Step: StepDemand, StepOn: asOf.AddDays(-10), Deadline: asOf.AddDays(4)}}}, "2026-03-15"},
		{"past the last step: never", CustomerState{Items: []Item{{InvoiceID: "i1", DueDate: asOf.AddDays(-90), Balance: usd}},
			Done: done("i1", StepInvoiceOverdue), Cases: map[money.Currency]Case{"USD": {Step: StepReview, StepOn: asOf.AddDays(-20)}}}, ""},
		{"disputed: never (the resolution wakes it)", CustomerState{Items: []Item{{InvoiceID: "i1", DueDate: asOf.AddDays(-8), Balance: usd, Disputed: true}}}, ""},
		{"promised: tomorrow", CustomerState{Items: []Item{{InvoiceID: "i1", DueDate: asOf.AddDays(-8), Balance: usd}},
			Done: done("i1", StepInvoiceOverdue), Promises: []Promise{{ID: "prm_1", Amount: usd, DueDate: asOf.AddDays(3)}}}, "2026-03-11"},
		{"installment due in 9 days: its reminder at -3", CustomerState{Installments: []Installment{{PlanID: "p", Seq: 1, DueDate: asOf.AddDays(9), Outstanding: usd}}}, "2026-03-16"},
		{"installment reminded, due in 2 days: the day after it is due", CustomerState{Installments: []Installment{{PlanID: "p", Seq: 1, DueDate: asOf.AddDays(2), Outstanding: usd}},
			Done: done("p#1", StepInstallmentReminder)}, "2026-03-13"},
		{"missed installment: every day", CustomerState{Installments: []Installment{{PlanID: "p", Seq: 1, DueDate: asOf.AddDays(-5), Outstanding: usd, Missed: true}},
			Done: done("p#1", StepInstallmentMissed)}, "2026-03-11"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := NextWake(DefaultLadder(), c.state, asOf)
			if c.want == "" {
				if ok {
					t.Fatalf("wake %s, want never", got)
				}
				return
			}
			if !ok || got.String() != c.want {
				t.Fatalf("wake %s (ok %v), want %s", got, ok, c.want)
			}
		})
	}
}
