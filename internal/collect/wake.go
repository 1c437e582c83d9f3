package collect

import (
	"settle/internal/civil"
	"settle/internal/money"
)

// The daily run need not visit every customer every day: between changes
// to a customer's ledger (a new invoice, a payment, a dispute, a plan or a
// promise — the store wakes the customer on each), only the passing of time
// moves the ladder, and NextWake says when it next will. The run visits the
// customers whose wake date has come and leaves the rest alone, so a day's
// run costs what that day's ladder does, not what the whole book holds.

// WithDone returns the state with the steps of actions recorded as done, as the
// run records them (each subject under its own step).
func (s CustomerState) WithDone(actions []Action) CustomerState {
	done := make(map[string]map[string]bool, len(s.Done)+len(actions))
	for subj, steps := range s.Done {
		done[subj] = make(map[string]bool, len(steps)+1)
		for st := range steps {
			done[subj][st] = true
		}
	}
	for _, a := range actions {
		for i, subj := range a.Subjects {
			step := a.Step
			if i < len(a.SubjectSteps) {
				step = a.SubjectSteps[i]
			}
			if done[subj] == nil {
				done[subj] = map[string]bool{}
			}
			done[subj][step] = true
		}
	}
	s.Done = done
	cases := make(map[money.Currency]Case, len(s.Cases)+1)
	for c, v := range s.Cases {
		cases[c] = v
	}
	for _, a := range actions {
		if a.Case != nil {
			cases[a.Currency] = *a.Case
		}
	}
	s.Cases = cases
	return s
}

// NextWake returns the first date after asOf on which Due could return an
// action for the customer if nothing but time changes, given the steps
// already done (s.Done, with the actions of asOf included: see WithDone).
// ok is false when no date will: only a change to the customer's ledger
// can bring a new action.
//
// Where the date depends on rules outside the ladder — when a promise is
// broken, when a proposed plan lapses, when a missed installment makes a
// plan default — the answer is the next day: a customer in that state is
// visited every day. The answer is never later than the first date with an
// action (TestNextWake_NeverLate checks it against Due day by day).
func NextWake(l Ladder, s CustomerState, asOf civil.Date) (civil.Date, bool) {
	tomorrow := asOf.AddDays(1)
	var best civil.Date
	found := false
	consider := func(d civil.Date) {
		if d.Before(tomorrow) {
			d = tomorrow
		}
		if !found || d.Before(best) {
			best, found = d, true
		}
	}
	for _, it := range s.Items {
		if it.Disputed {
			continue // resolving a dispute is a change: it wakes the customer
		}
		if it.InPlan {
			consider(tomorrow) // a lapsing plan ends the pause
			continue
		}
		if !s.done(it.InvoiceID, StepInvoiceOverdue) {
			consider(it.DueDate.AddDays(1))
		}
	}
	if len(s.Promises) > 0 {
		consider(tomorrow) // a promise is kept or broken on any day
	}
	for _, v := range l.views(s, asOf) {
		if s.Paused {
			consider(tomorrow) // a staff pause ends on its date
			break
		}
		// Courtesy notices: the next courtesy step of each invoice not yet
		// overdue, or at once when one is reached and not had.
		for _, it := range v.active {
			if !l.courtesyAllowed(v.current(s.Cases[v.cur])) {
				break
			}
			d := asOf.DaysSince(it.DueDate)
			if d > 0 {
				continue
			}
			k := -1
			for i, st := range l.Steps {
				if st.escalation() {
					continue
				}
				if st.Offset <= d {
					k = i
				} else if !s.done(it.InvoiceID, st.Name) {
					consider(it.DueDate.AddDays(st.Offset))
					break
				}
			}
			if k >= 0 && !s.done(it.InvoiceID, l.Steps[k].Name) {
				consider(tomorrow)
			}
		}
		// Escalation: the case's next step, from the oldest chased item
		// (overdue or not yet).
		oldest := civil.Date{}
		for _, it := range v.active {
			if oldest.IsZero() || it.DueDate.Before(oldest) {
				oldest = it.DueDate
			}
		}
		if oldest.IsZero() || v.paused != "" {
			continue
		}
		if _, at, ok := l.nextEscalation(v.current(s.Cases[v.cur]), oldest); ok {
			// Taken only once an item is overdue: the day after the oldest due date at the earliest.
			if d := oldest.AddDays(1); d.After(at) {
				at = d
			}
			consider(at)
		}
	}
	for _, in := range s.Installments {
		subj := in.Subject()
		if in.Missed {
			if !s.done(subj, StepInstallmentMissed) {
				consider(tomorrow)
			}
			consider(tomorrow) // the plan may default on any day now
			continue
		}
		if !s.done(subj, StepInstallmentReminder) {
			consider(in.DueDate.AddDays(-l.InstallmentReminderDays))
		}
		// It is missed after its due date (and the plan's grace days):
		// never before the day after.
		consider(in.DueDate.AddDays(1))
	}
	for _, cp := range s.Completed {
		if CompletionNoticeDue(s, cp, asOf) {
			consider(tomorrow) // a thank-you that could not go today
		}
	}
	for _, p := range s.Defaulted {
		if !s.done(p.PlanID, StepPlanDefaulted) {
			consider(tomorrow)
		}
		if ids, _ := DefaultNoticeInvoices(s, p); len(ids) > 0 && !s.done(p.PlanID, StepDefaultNotice) {
			consider(tomorrow)
		}
	}
	return best, found
}
