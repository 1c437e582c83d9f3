package plan

import (
	"fmt"
	"sort"

	"settle/internal/civil"
	"settle/internal/money"
)

// Installment statuses as of a date (domain.md §3–§4).
const (
	StatusDue     = "due"     // not yet past its due date, nothing paid
	StatusPartial = "partial" // not yet past its due date, part paid
	StatusPaid    = "paid"    // fully paid
	StatusLate    = "late"    // past its due date, within the grace days, not fully paid
	StatusMissed  = "missed"  // past its due date and the grace days, not fully paid
)

// Plan states as of a date, as tracking sees them.
const (
	PlanActive    = "active"
	PlanCompleted = "completed"
	PlanDefaulted = "defaulted"
)

// Event kinds that tracking reports, each on the date it happened.
const (
	EventInstallmentMissed = "installment_missed"
	EventPlanDefaulted     = "plan_defaulted"
	EventPlanCompleted     = "plan_completed"
)

// Rules are the plan's terms that tracking applies.
type Rules struct {
	GraceDays int          // days after a due date before an unpaid installment is missed
	LateFee   money.Amount // charged once for each missed installment (zero: none)
	// The plan defaults when DefaultAfterMissed installments have been
	// missed, or when an installment is still unpaid DefaultDaysLate days
	// after its due date (0 turns a rule off).
	DefaultAfterMissed int
	DefaultDaysLate    int
}

// Receipt is money received for the plan.
type Receipt struct {
	On     civil.Date
	Amount money.Amount
}

// InstallmentState is one installment as of a date.
type InstallmentState struct {
	Installment
	Paid     money.Amount
	PaidOn   civil.Date // when it was fully paid (zero if not)
	Status   string
	DaysLate int        // days past due if unpaid, or how late it was paid in full
	MissedOn civil.Date // the day it became missed, if it did (even if paid later)
}

// Event is something that happened to the plan, on its date.
type Event struct {
	On   civil.Date
	Kind string
	Seq  int // the installment, for installment events
}

// Tracking is a plan's state as of a date.
type Tracking struct {
	AsOf         civil.Date
	Installments []InstallmentState
	Paid         money.Amount // received by AsOf and applied to installments
	Outstanding  money.Amount // scheduled but not yet paid
	Overpaid     money.Amount // received beyond the whole schedule
	Missed       int
	Fees         money.Amount // LateFee × installments missed by AsOf, up to and on the default date
	Status       string       // PlanActive, PlanCompleted or PlanDefaulted
	CompletedOn  civil.Date
	DefaultedOn  civil.Date
	Events       []Event // by date, then installment
}

// Track applies the receipts (those on or before asOf) to the schedule and
// judges it as of asOf. The rules:
//
//   - Receipts are taken in date order and fill installments in sequence:
//     the oldest unpaid first, then the next, so a partial payment leaves
//     the rest of that installment owing and an early or large payment
//     pays ahead. Money beyond the whole schedule is Overpaid, never lost.
//   - An installment not fully paid is due (or partial, if part paid)
//     until its due date, late for GraceDays after it, and missed from the
//     day after that: MissedOn = due date + GraceDays + 1. An installment
//     paid in full after its MissedOn was still missed: the miss stands.
//   - Every missed installment costs LateFee once, up to the default:
//     an installment missed after the plan defaulted costs nothing.
//   - The plan defaults on the earliest of: the MissedOn of the
//     DefaultAfterMissed-th missed installment, and due date +
//     DefaultDaysLate + 1 of the first installment still unpaid then.
//     It completes on the day its last installment is paid in full, unless
//     it defaulted first. Both are judged as of asOf and dated, so
//     replaying any date gives the same answer.
func Track(installments []Installment, receipts []Receipt, rules Rules, asOf civil.Date) (Tracking, error) {
	if len(installments) == 0 {
		return Tracking{}, fmt.Errorf("plan: no installments to track")
	}
	cur := installments[0].Amount.Currency()
	for _, r := range receipts {
		if r.Amount.Currency() != cur {
			return Tracking{}, fmt.Errorf("plan: a %s receipt for a %s plan", r.Amount.Currency(), cur)
		}
		if !r.Amount.IsPositive() {
			return Tracking{}, fmt.Errorf("plan: receipt of %s on %s is not positive", r.Amount, r.On)
		}
	}
	if !rules.LateFee.IsZero() && rules.LateFee.Currency() != cur {
		return Tracking{}, fmt.Errorf("plan: late fee in %s for a %s plan", rules.LateFee.Currency(), cur)
	}
	rs := make([]Receipt, 0, len(receipts))
	for _, r := range receipts {
		if !r.On.After(asOf) {
			rs = append(rs, r)
		}
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].On.Before(rs[j].On) })

	t := Tracking{AsOf: asOf, Installments: make([]InstallmentState, len(installments)), Status: PlanActive}
	paid := make([]int64, len(installments))
	var overpaid, received int64
	k := 0
	for _, r := range rs {
		left := r.Amount.Minor()
		received += left
		for left > 0 && k < len(installments) {
			n := min(left, installments[k].Amount.Minor()-paid[k])
			paid[k] += n
			left -= n
			if paid[k] == installments[k].Amount.Minor() {
				t.Installments[k].PaidOn = r.On
				k++
			}
		}
		overpaid += left
	}

	var scheduled int64
	var missedOn []civil.Date
	var firstDefault civil.Date
	for i, in := range installments {
		st := &t.Installments[i]
		st.Installment = in
		st.Paid = money.New(paid[i], cur)
		scheduled += in.Amount.Minor()
		missed := in.DueDate.AddDays(rules.GraceDays + 1)
		full := paid[i] == in.Amount.Minor()
		switch {
		case full:
			st.Status = StatusPaid
			st.DaysLate = max(0, st.PaidOn.DaysSince(in.DueDate))
		case !asOf.After(in.DueDate) && paid[i] > 0:
			st.Status = StatusPartial
		case !asOf.After(in.DueDate):
			st.Status = StatusDue
		case asOf.Before(missed):
			st.Status = StatusLate
			st.DaysLate = asOf.DaysSince(in.DueDate)
		default:
			st.Status = StatusMissed
			st.DaysLate = asOf.DaysSince(in.DueDate)
		}
		// Missed on its day if it was not fully paid before that day.
		if !asOf.Before(missed) && (!full || !st.PaidOn.Before(missed)) {
			st.MissedOn = missed
			missedOn = append(missedOn, missed)
			t.Events = append(t.Events, Event{On: missed, Kind: EventInstallmentMissed, Seq: in.Seq})
		}
		// Still unpaid DefaultDaysLate days after its due date?
		if rules.DefaultDaysLate > 0 && firstDefault.IsZero() {
			limit := in.DueDate.AddDays(rules.DefaultDaysLate + 1)
			if !asOf.Before(limit) && (!full || !st.PaidOn.Before(limit)) {
				firstDefault = limit
			}
		}
	}
	t.Missed = len(missedOn)
	t.Paid = money.New(received-overpaid, cur)
	t.Outstanding = money.New(scheduled-(received-overpaid), cur)
	t.Overpaid = money.New(overpaid, cur)
	// Dates are per installment; the N-th miss is the N-th earliest.
	sort.Slice(missedOn, func(i, j int) bool { return missedOn[i].Before(missedOn[j]) })
	defaultOn := firstDefault
	if n := rules.DefaultAfterMissed; n > 0 && len(missedOn) >= n {
		if d := missedOn[n-1]; defaultOn.IsZero() || d.Before(defaultOn) {
			defaultOn = d
		}
	}
	// Late fees stop at the default: from then the whole balance is due,
	// and an installment that falls due after it is not "missed" again.
	charged := 0
	for _, d := range missedOn {
		if defaultOn.IsZero() || !d.After(defaultOn) {
			charged++
		}
	}
	fee, err := rules.LateFee.MulRat(int64(charged), 1)
	if rules.LateFee.IsZero() {
		fee, err = money.Zero(cur), nil
	}
	if err != nil {
		return Tracking{}, err
	}
	t.Fees = fee
	last := t.Installments[len(t.Installments)-1]
	completedOn := civil.Date{}
	if last.Status == StatusPaid {
		completedOn = last.PaidOn
	}
	switch {
	case !completedOn.IsZero() && (defaultOn.IsZero() || !defaultOn.Before(completedOn)):
		t.Status, t.CompletedOn = PlanCompleted, completedOn
		t.Events = append(t.Events, Event{On: completedOn, Kind: EventPlanCompleted})
	case !defaultOn.IsZero():
		t.Status, t.DefaultedOn = PlanDefaulted, defaultOn
		t.Events = append(t.Events, Event{On: defaultOn, Kind: EventPlanDefaulted})
	}
	sort.SliceStable(t.Events, func(i, j int) bool { return t.Events[i].On.Before(t.Events[j].On) })
	return t, nil
}
