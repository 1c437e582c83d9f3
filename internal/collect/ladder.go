package collect

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
)

// The escalation ladder (domain.md §4): steps relative to an invoice's due
// date, each with its channels, tier and optional fee. The daily run asks
// Due which steps are due for a customer on a date; the steps already
// taken are recorded once each, so a rerun creates nothing new.

// Step names (the message templates of internal/notify use the same).
const (
	StepReminder            = "reminder"
	StepDueToday            = "due_today"
	StepOverdue             = "overdue"
	StepFirm                = "firm"
	StepCall                = "call"
	StepDemand              = "demand"
	StepFinal               = "final_notice"
	StepReview              = "review" // agency or legal review
	StepInstallmentReminder = "installment_reminder"
	StepInstallmentMissed   = "installment_missed"
	StepPlanDefaulted       = "plan_defaulted"
	StepPlanCompleted       = "plan_completed"  // the thank-you for a plan paid off
	StepInvoiceOverdue      = "invoice_overdue" // the event, once per invoice
	StepPromiseReview       = "promise_review"  // a task: a promise too small to pause the case
)

// StepDefaultNotice is what the default notice (the customer's message of
// step plan_defaulted) is recorded under, per plan: apart from the event
// and the review task, so that a notice that could not go yet (no channel
// reaches the customer) is due again, and goes once.
const StepDefaultNotice = "plan_defaulted_notice"

// StepCompletedNotice is what the thank-you for a completed plan (the
// customer's message of step plan_completed) is recorded under, per plan:
// once, even if the plan's completion is seen again on later days.
const StepCompletedNotice = "plan_completed_notice"

// CompletedNoticeDays is how many days after a plan's completion its
// thank-you may still go: a run that sees the plan completed first within
// them (the day of the final payment, or the next day the run ran) sends
// it; a plan paid off longer ago (before the thank-you existed, or while
// the run did not run) gets none: a thank-you weeks late reads oddly.
const CompletedNoticeDays = 7

// Queues of the tiers: tier 0 is automated (no queue).
var tierQueues = map[int]string{1: "tier1", 2: "tier2", 3: "legal"}

// LadderStep is one rung.
type LadderStep struct {
	Name   string   `json:"name"`
	Offset int      `json:"offset_days" doc:"Days from the due date (negative: before)"`
	Via    []string `json:"channels" doc:"email, sms, letter; call or review make a task"`
	Tier   int      `json:"tier" doc:"0 automated, 1 agents, 2 senior, 3 legal"`
	// Fee: "" none, "statutory" (the statutory compensation and interest
	// are stated and claimed from this step on).
	Fee string `json:"fee,omitempty"`
	// KeyAccountCall: key accounts get a personal call from a senior agent
	// (tier 2) at this step before its automated mail, which follows
	// KeyAccountMailDelayDays later.
	KeyAccountCall bool `json:"key_account_call,omitempty"`
	// PayByDays: the step states a deadline this many days after it is
	// taken, and the case's next step waits until it has passed. 0: none,
	// except demand and final_notice, which always carry one
	// (DefaultPayByDays).
	PayByDays int `json:"pay_by_days,omitempty" doc:"Days the customer is given to pay (demand and final_notice: 14 when 0)"`
}

// DefaultPayByDays is the deadline of a demand or a final notice.
const DefaultPayByDays = 14

// payByDays is the deadline the step states, 0 none.
func (st LadderStep) payByDays() int {
	if st.PayByDays > 0 {
		return st.PayByDays
	}
	if st.Name == StepDemand || st.Name == StepFinal {
		return DefaultPayByDays
	}
	return 0
}

// Ladder is a segment's escalation ladder.
type Ladder struct {
	Steps []LadderStep `json:"steps"`
	// InstallmentReminderDays: plan installments are reminded this many
	// days before they fall due.
	InstallmentReminderDays int `json:"installment_reminder_days"`
	// SeniorBalance: an agent's task (tier 1) goes to the senior queue
	// (tier 2) when the balance it is about reaches this many major units
	// of its currency (large accounts); 0: the default, 10,000.
	SeniorBalance int64 `json:"senior_balance,omitempty"`
	// SeniorRisk: … or, when set, when the customer's risk score reaches
	// it. Off by default: a customer at the call step is late by
	// definition, so the score alone would send nearly every call up.
	SeniorRisk int `json:"senior_risk,omitempty"`
	// SeniorBalances: the senior threshold per currency, in major units,
	// overriding SeniorBalance for that currency (10,000 JPY is not
	// 10,000 USD). DefaultSeniorBalances fills the common currencies.
	SeniorBalances map[string]int64 `json:"senior_balances,omitempty"`
	// MinGapDays: at least this many days between two escalation steps of
	// a case (0: DefaultMinGapDays). An account that enters late catches
	// up one step at a time at this pace.
	MinGapDays int `json:"min_gap_days,omitempty"`
	// PromiseSharePercent: a promise to pay pauses the case only when it
	// covers at least this share of the case's overdue balance (0:
	// DefaultPromiseSharePercent); a smaller one is acknowledged, the rest
	// is chased and an agent reviews the promise.
	PromiseSharePercent int `json:"promise_share_percent,omitempty"`
	// FeeMinimum: the statutory claim of a step marked fee "statutory" is
	// made only when the case's overdue balance is at least this many
	// major units of its currency (0: DefaultFeeMinimum): never a fixed
	// compensation on a negligible remainder.
	FeeMinimum int64 `json:"fee_minimum,omitempty"`
	// Fallback is what the policy does after a final notice that is not
	// paid, and what demands and final notices say follows: "agency"
	// (the default), "legal" or "mediation".
	Fallback string `json:"fallback,omitempty" doc:"agency (default), legal or mediation: what a demand or final notice says follows"`
}

// FallbackOrDefault is the ladder's fallback, "agency" when unset.
func (l Ladder) FallbackOrDefault() string {
	if l.Fallback == "" {
		return "agency"
	}
	return l.Fallback
}

// DefaultFeeMinimum is FeeMinimum's default, in major units.
const DefaultFeeMinimum = 100

// FeeApplies reports whether a step's statutory claim is made on an
// overdue balance (minor units) of a currency.
func (l Ladder) FeeApplies(cur money.Currency, overdueMinor int64) bool {
	m := l.FeeMinimum
	if m <= 0 {
		m = DefaultFeeMinimum
	}
	return overdueMinor >= m*cur.Unit()
}

// Defaults of the case rules.
const (
	DefaultMinGapDays          = 4
	DefaultPromiseSharePercent = 80
)

// DefaultSeniorBalances is the senior threshold of the common currencies,
// about 10,000 USD each, rounded: a currency not listed (and not in the
// policy's SeniorBalances) uses SeniorBalance.
var DefaultSeniorBalances = map[string]int64{
	"USD": 10000, "EUR": 10000, "GBP": 8000, "CHF": 10000, "CAD": 13000, "AUD": 15000, "NZD": 16000,
	"JPY": 1500000, "CNY": 70000, "HKD": 80000, "SGD": 13000, "INR": 800000, "SEK": 100000, "NOK": 100000,
	"DKK": 70000, "PLN": 40000, "CZK": 230000, "HUF": 3600000, "MXN": 170000, "BRL": 50000, "ZAR": 180000,
}

func (l Ladder) minGap() int {
	if l.MinGapDays > 0 {
		return l.MinGapDays
	}
	return DefaultMinGapDays
}

// PromiseShare is the share of the overdue balance (percent) a promise must
// cover to pause a case.
func (l Ladder) PromiseShare() int64 {
	if l.PromiseSharePercent > 0 {
		return int64(l.PromiseSharePercent)
	}
	return DefaultPromiseSharePercent
}

// SeniorBalanceMinor is the senior threshold for a currency in minor
// units: a large account.
func (l Ladder) SeniorBalanceMinor(cur money.Currency) int64 {
	return l.seniorBalance(cur) * cur.Unit()
}

// seniorBalance is the senior threshold for a currency, in major units.
func (l Ladder) seniorBalance(cur money.Currency) int64 {
	if v, ok := l.SeniorBalances[string(cur)]; ok && v > 0 {
		return v
	}
	if l.SeniorBalance > 0 {
		return l.SeniorBalance
	}
	if v, ok := DefaultSeniorBalances[string(cur)]; ok {
		return v
	}
	return DefaultSeniorBalance
}

// Defaults of the assignment rules.
const DefaultSeniorBalance = 10000

// queueFor assigns a task of tier to a queue: tier 1 work on a large or
// risky account goes to the senior agents (tier 2).
func (l Ladder) queueFor(tier int, total money.Amount, risk int) (string, string) {
	tier = max(tier, 1)
	if tier != 1 {
		return tierQueues[tier], ""
	}
	bal, r := l.seniorBalance(total.Currency()), l.SeniorRisk
	switch {
	case total.Minor() >= l.SeniorBalanceMinor(total.Currency()):
		return tierQueues[2], fmt.Sprintf("; a large account (%s %s ≥ %d): senior agent", total, total.Currency(), bal)
	case r > 0 && risk >= r:
		return tierQueues[2], fmt.Sprintf("; risk score %d ≥ %d: senior agent", risk, r)
	}
	return tierQueues[1], ""
}

// DefaultLadder is domain.md §4's common ladder.
func DefaultLadder() Ladder {
	return Ladder{InstallmentReminderDays: 3, Steps: []LadderStep{
		{Name: StepReminder, Offset: -3, Via: []string{Email}, Tier: 0},
		{Name: StepDueToday, Offset: 0, Via: []string{Email, SMS}, Tier: 0},
		{Name: StepOverdue, Offset: 3, Via: []string{Email}, Tier: 0},
		{Name: StepFirm, Offset: 7, Via: []string{Email, SMS}, Tier: 0, KeyAccountCall: true},
		{Name: StepCall, Offset: 14, Via: []string{Call}, Tier: 1},
		{Name: StepDemand, Offset: 30, Via: []string{Letter, Email}, Tier: 1, Fee: "statutory", KeyAccountCall: true},
		{Name: StepFinal, Offset: 45, Via: []string{Letter, Email}, Tier: 2, Fee: "statutory"},
		{Name: StepReview, Offset: 60, Via: []string{"review"}, Tier: 3},
	}}
}

// Validate checks a ladder and names the bad step.
func (l Ladder) Validate() error {
	var fs apperr.Fields
	if len(l.Steps) == 0 {
		fs.Add("ladder.steps", "at least one step")
	}
	seen := map[string]bool{}
	for i, s := range l.Steps {
		f := fmt.Sprintf("ladder.steps[%d]", i)
		if strings.TrimSpace(s.Name) == "" {
			fs.Add(f+".name", "is required")
		}
		if seen[s.Name] {
			fs.Add(f+".name", "%q appears twice", s.Name)
		}
		if s.Name == StepPlanDefaulted {
			fs.Add(f+".name", "%q is reserved: a case stands at it after a plan's default notice", s.Name)
		}
		if s.Name == StepPlanCompleted {
			fs.Add(f+".name", "%q is reserved: the thank-you for a completed payment plan", s.Name)
		}
		seen[s.Name] = true
		if i > 0 && s.Offset <= l.Steps[i-1].Offset {
			fs.Add(f+".offset_days", "%d must be after the previous step's %d", s.Offset, l.Steps[i-1].Offset)
		}
		if s.Offset < -60 || s.Offset > 365 {
			fs.Add(f+".offset_days", "%d must be between -60 and 365", s.Offset)
		}
		if len(s.Via) == 0 {
			fs.Add(f+".channels", "at least one channel")
		}
		for _, c := range s.Via {
			switch c {
			case Email, SMS, Letter, Call, "review":
			default:
				fs.Add(f+".channels", "%q must be email, sms, letter, call or review", c)
			}
		}
		if s.Tier < 0 || s.Tier > 3 {
			fs.Add(f+".tier", "%d must be 0 to 3", s.Tier)
		}
		if s.Fee != "" && s.Fee != "statutory" {
			fs.Add(f+".fee", "%q must be statutory or empty", s.Fee)
		}
		if s.PayByDays < 0 || s.PayByDays > 90 {
			fs.Add(f+".pay_by_days", "%d must be between 0 and 90", s.PayByDays)
		}
	}
	if l.MinGapDays < 0 || l.MinGapDays > 60 {
		fs.Add("ladder.min_gap_days", "%d must be between 0 and 60", l.MinGapDays)
	}
	switch l.Fallback {
	case "", "agency", "legal", "mediation":
	default:
		fs.Add("ladder.fallback", "%q must be agency, legal or mediation", l.Fallback)
	}
	if l.FeeMinimum < 0 || l.FeeMinimum > 1_000_000 {
		fs.Add("ladder.fee_minimum", "%d must be between 0 and 1000000", l.FeeMinimum)
	}
	if l.PromiseSharePercent < 0 || l.PromiseSharePercent > 100 {
		fs.Add("ladder.promise_share_percent", "%d must be between 0 and 100", l.PromiseSharePercent)
	}
	for cur, v := range l.SeniorBalances {
		if _, err := money.ParseCurrency(cur); err != nil {
			fs.Add("ladder.senior_balances."+cur, "%q is not a currency code", cur)
		} else if v <= 0 {
			fs.Add("ladder.senior_balances."+cur, "%d must be positive", v)
		}
	}
	if l.InstallmentReminderDays < 0 || l.InstallmentReminderDays > 30 {
		fs.Add("ladder.installment_reminder_days", "%d must be between 0 and 30", l.InstallmentReminderDays)
	}
	return fs.Err("ladder")
}

// Item is an open invoice as the run sees it.
type Item struct {
	InvoiceID string
	Number    string
	DueDate   civil.Date
	Balance   money.Amount
	Disputed  bool // paused: a dispute is worked by a person
	InPlan    bool // paused: covered by a proposed or active plan
}

// Installment is an unpaid installment of an active plan.
type Installment struct {
	PlanID      string
	Seq         int
	DueDate     civil.Date
	Outstanding money.Amount
	Missed      bool // past its due date and grace
}

// Subject is the key a step is recorded under for an installment.
func (in Installment) Subject() string { return fmt.Sprintf("%s#%d", in.PlanID, in.Seq) }

// DefaultedPlan is a plan that defaulted by the run's date: what its
// default notice tells the customer.
type DefaultedPlan struct {
	PlanID      string
	AgreedOn    civil.Date // the day the customer accepted it
	DefaultedOn civil.Date
	InvoiceIDs  []string // the invoices it covered: their open balance is now due
	// Missed are the installments missed and still unpaid as of the
	// default, Outstanding what is unpaid of each.
	Missed []Installment
}

// CompletedPlan is an accepted plan that was paid off by the run's date:
// what its thank-you tells the customer.
type CompletedPlan struct {
	PlanID      string
	CompletedOn civil.Date
	InvoiceIDs  []string // the invoices it covered
	// InvoiceNumbers are their numbers (paid, so not among Items).
	InvoiceNumbers []string
	// FinalPayment is what the customer paid towards the plan on PaidOn,
	// the day of the last payment that completed it.
	FinalPayment money.Amount
	PaidOn       civil.Date
}

// Promise is an open promise to pay (made, not yet kept or broken).
type Promise struct {
	ID      string
	Amount  money.Amount // what is still to come
	DueDate civil.Date
}

// CustomerState is one customer as of the run's date.
type CustomerState struct {
	CustomerID   string
	KeyAccount   bool
	RiskScore    int // 0..100
	Items        []Item
	Installments []Installment
	Defaulted    []DefaultedPlan // plans that defaulted by the date
	Completed    []CompletedPlan // accepted plans paid off by the date
	Promises     []Promise
	// Cases are the customer's open collection cases by currency (the
	// escalation steps taken); a currency without one has none yet.
	Cases map[money.Currency]Case
	// Paused: staff paused chasing (until a date, with a reason): no
	// courtesy or escalation step is taken; plans are still followed.
	Paused bool
	// Done lists the steps already taken per subject (invoice id for the
	// courtesy steps and the overdue event, plan installment subject, plan
	// id, promise id).
	Done map[string]map[string]bool
	// Charges are the open charges (a statutory claim, a plan's late fee):
	// owed, but never chased on their own; a thank-you counts them in
	// what is still open.
	Charges []Item
}

// Case is the escalation state of a customer's debt in one currency
// (docs/collections.md): the last escalation step taken, when, and the
// deadline it stated. The zero Case has taken none.
type Case struct {
	Step     string
	StepOn   civil.Date
	Deadline civil.Date
}

// Action kinds.
const (
	ActMessage = "message"
	ActTask    = "task"
	ActEvent   = "event"
)

// Action is something the run must do for a customer.
type Action struct {
	Kind     string
	Step     string
	Channel  string   // message: email, sms or letter; task: call or review
	Queue    string   // task: tier1, tier2 or legal
	Subjects []string // what the step is recorded under (invoice ids, installment subjects, plan ids, promise ids)
	// SubjectSteps, when set, is the step to record for each subject (a
	// consolidated courtesy message covers invoices that reached different
	// steps: each records its own, so that it is not due again tomorrow).
	SubjectSteps []string
	InvoiceIDs   []string // the invoices a message or task is about
	Installment  *Installment
	Fee          bool   // the step states the statutory claim
	Priority     int64  // task: higher first
	Reason       string // plain language: why this action now
	// Default: the plan a default notice is about.
	Default *DefaultedPlan
	// Completed: the plan a thank-you is about; Others what is still open
	// on the customer's other invoices, one amount per currency.
	Completed *CompletedPlan
	Others    []money.Amount
	// Currency is the case an escalation step belongs to; Case, set on
	// every action of an escalation step, is the case after it.
	Currency money.Currency
	Case     *Case
	PayBy    civil.Date // the deadline the step states (zero: none)
	// Promises are open promises too small to pause the case: the message
	// acknowledges them.
	Promises []Promise
	// DelayDays: the message is scheduled this many days after the run's
	// date (a key account's mail after its personal call).
	DelayDays int
	// Next is what the message says follows an unpaid deadline (the
	// ladder's Fallback): "agency", "legal" or "mediation".
	Next string
	// Personal: a key account's personal call, for its account owner when
	// it has one.
	Personal bool
}

// KeyAccountMailDelayDays is how long a key account's automated mail at a
// key_account_call step waits after the personal call task.
const KeyAccountMailDelayDays = 3

// escalation reports whether a step is an escalation step (after the due
// date) rather than a courtesy notice before it.
func (st LadderStep) escalation() bool { return st.Offset > 0 }

// stepIndex is the index of a named step, -1 when the ladder has none.
func (l Ladder) stepIndex(name string) int {
	for i, st := range l.Steps {
		if st.Name == name {
			return i
		}
	}
	return -1
}

// nextEscalation is the case's next escalation step and the first date
// it may be taken, given the oldest due date among its open items:
//   - steps never go backwards: the next is the first escalation step
//     after the one taken (a case that took none starts at the first:
//     never directly at a demand, a final notice or a review);
//   - it is due its offset after the oldest open item's due date;
//   - and at least MinGapDays after the step before;
//   - and, when the step before stated a deadline, after that deadline.
//
// ok is false when the case has taken the last step.
func (l Ladder) nextEscalation(c Case, oldestDue civil.Date) (int, civil.Date, bool) {
	from := 0
	if c.Step != "" {
		i := l.stepIndex(c.Step)
		if c.Step == StepPlanDefaulted {
			// The default notice stood in for the friendly and firm
			// reminders: the case resumes at the first step that is
			// more (ResumeAfterDefault).
			i = l.ResumeAfterDefault() - 1
		} else if i < 0 {
			// A step the policy no longer has: go on from the first
			// escalation step after the one it stood at by offset is not
			// known, so from the start, never skipping ahead.
			i = -1
		}
		from = i + 1
	}
	for i := from; i < len(l.Steps); i++ {
		if !l.Steps[i].escalation() {
			continue
		}
		at := oldestDue.AddDays(l.Steps[i].Offset)
		if c.Step != "" && !c.StepOn.IsZero() {
			if g := c.StepOn.AddDays(l.minGap()); g.After(at) {
				at = g
			}
			if !c.Deadline.IsZero() {
				if d := c.Deadline.AddDays(1); d.After(at) {
					at = d
				}
			}
		}
		return i, at, true
	}
	return 0, civil.Date{}, false
}

// ResumeAfterDefault is the index of the escalation step a case resumes
// at after a plan's default notice (len(Steps): none): the first that is
// more than an automated reminder — a person's task (tier 1 and up: the
// call of the default ladder) or a step that states a deadline (a
// demand). The notice told the customer plainly that the plan has ended
// and what is due by when, so a friendly "your invoice is overdue" or a
// second reminder after it would ignore what it said; and that step, like
// any, waits for the notice's deadline (nextEscalation).
func (l Ladder) ResumeAfterDefault() int {
	for i, st := range l.Steps {
		if st.escalation() && (st.Tier >= 1 || st.payByDays() > 0) {
			return i
		}
	}
	return len(l.Steps)
}

// DefaultNoticePayByDays is the deadline a default notice gives for the
// remaining balance: a demand's (DefaultPayByDays).
const DefaultNoticePayByDays = DefaultPayByDays

// defaultNotices returns the default notices due: one per defaulted plan
// whose customer has not had it and whose invoices are still open, not
// disputed and not covered by a new plan. Each sets its currency's case
// (the notice is the case's contact; see ResumeAfterDefault), and
// noticed lists those currencies: their case takes no other step today.
func (l Ladder) defaultNotices(s CustomerState, views []*caseView, asOf civil.Date) (out []Action, noticed map[money.Currency]bool) {
	noticed = map[money.Currency]bool{}
	for _, dp := range s.Defaulted {
		if s.done(dp.PlanID, StepDefaultNotice) {
			continue
		}
		ids, total := DefaultNoticeInvoices(s, dp)
		if len(ids) == 0 {
			continue // paid, credited, disputed or under a new plan: nothing to tell
		}
		cur := total.Currency()
		payBy := asOf.AddDays(DefaultNoticePayByDays)
		next := Case{Step: StepPlanDefaulted, StepOn: asOf, Deadline: payBy}
		for _, v := range views {
			if v.cur != cur {
				continue
			}
			// A case already past the step it would resume at keeps its
			// step (never a step back); the notice's deadline holds it.
			c := v.current(s.Cases[cur])
			if i := l.stepIndex(c.Step); i >= 0 && i >= l.ResumeAfterDefault() {
				next.Step = c.Step
				if c.Deadline.After(payBy) {
					next.Deadline = c.Deadline
				}
			}
		}
		d := dp
		d.Missed = slices.Clone(dp.Missed)
		out = append(out, Action{Kind: ActMessage, Step: StepPlanDefaulted, Channel: Email, Subjects: []string{dp.PlanID},
			SubjectSteps: []string{StepDefaultNotice}, InvoiceIDs: ids, Currency: cur, Case: &next, PayBy: payBy, Default: &d,
			Next: l.FallbackOrDefault(),
			Reason: fmt.Sprintf("plan %s defaulted on %s: the customer is told that it has ended and that the remaining %s %s is due by %s",
				dp.PlanID, dp.DefaultedOn, total, cur, payBy)})
		noticed[cur] = true
	}
	return out, noticed
}

// DefaultNoticeInvoices are the invoices of a defaulted plan a default
// notice is about — open, not disputed, not covered by a new plan — and
// their balance.
func DefaultNoticeInvoices(s CustomerState, dp DefaultedPlan) (ids []string, total money.Amount) {
	for _, id := range dp.InvoiceIDs {
		for _, it := range s.Items {
			if it.InvoiceID != id || it.Disputed || it.InPlan || !it.Balance.IsPositive() {
				continue
			}
			if len(ids) == 0 {
				total = it.Balance
			} else if t, err := total.Add(it.Balance); err == nil {
				total = t
			}
			ids = append(ids, id)
		}
	}
	return ids, total
}

// completionNotices returns the thank-yous due: one per completed plan
// whose customer has not had it, completed within CompletedNoticeDays of
// asOf.
func completionNotices(s CustomerState, asOf civil.Date) []Action {
	var out []Action
	for _, cp := range s.Completed {
		if !CompletionNoticeDue(s, cp, asOf) {
			continue
		}
		c := cp
		c.InvoiceIDs = slices.Clone(cp.InvoiceIDs)
		others := OtherBalances(s, cp)
		why := "nothing more is due"
		if len(others) > 0 {
			var owed []string
			for _, o := range others {
				owed = append(owed, fmt.Sprintf("%s %s", o, o.Currency()))
			}
			why = "other invoices still owe " + strings.Join(owed, " and ")
		}
		out = append(out, Action{Kind: ActMessage, Step: StepPlanCompleted, Channel: Email, Subjects: []string{cp.PlanID},
			SubjectSteps: []string{StepCompletedNotice}, Completed: &c, Others: others, Currency: cp.FinalPayment.Currency(),
			Reason: fmt.Sprintf("plan %s was paid off on %s: the customer is thanked and told the plan is complete (%s)", cp.PlanID, cp.CompletedOn, why)})
	}
	return out
}

// CompletionNoticeDue reports whether a completed plan's thank-you is due
// on asOf: not sent yet, and completed at most CompletedNoticeDays before.
func CompletionNoticeDue(s CustomerState, cp CompletedPlan, asOf civil.Date) bool {
	return !s.done(cp.PlanID, StepCompletedNotice) && !cp.CompletedOn.After(asOf) && asOf.DaysSince(cp.CompletedOn) <= CompletedNoticeDays
}

// OtherBalances is what is still open on the customer's invoices outside
// a completed plan (issued by the run's date, disputed or under another
// plan included, and open charges: the customer owes them), one amount
// per currency, the plan's currency first.
func OtherBalances(s CustomerState, cp CompletedPlan) []money.Amount {
	covered := map[string]bool{}
	for _, id := range cp.InvoiceIDs {
		covered[id] = true
	}
	var out []money.Amount
	add := func(a money.Amount) {
		for i, o := range out {
			if o.Currency() == a.Currency() {
				if t, err := o.Add(a); err == nil {
					out[i] = t
				}
				return
			}
		}
		out = append(out, a)
	}
	owed := append(slices.Clone(s.Items), s.Charges...)
	if cur := cp.FinalPayment.Currency(); cur != "" {
		for _, it := range owed {
			if !covered[it.InvoiceID] && it.Balance.IsPositive() && it.Balance.Currency() == cur {
				add(it.Balance)
			}
		}
	}
	for _, it := range owed {
		if !covered[it.InvoiceID] && it.Balance.IsPositive() && it.Balance.Currency() != cp.FinalPayment.Currency() {
			add(it.Balance)
		}
	}
	return out
}

// caseView is one currency's open items as the run sees them.
type caseView struct {
	cur        money.Currency
	active     []Item // not disputed, not in a plan: chased
	overdue    []Item // active and past due
	oldestDue  civil.Date
	overdueSum int64
	promised   int64 // open promises in the currency
	promises   []Promise
	paused     string // why the case is paused ("" not)
	all        []Item // every open item of the currency, paused ones too
}

// current is the case as it stands for the view: a case whose last step
// was about debts that are all gone — no open item of the currency fell
// due before that step (paid, credited or voided since) — is over, and
// what is overdue now starts a new case at the first step. (Paused items
// keep the case: it resumes where it stood.)
func (v *caseView) current(c Case) Case {
	if c.Step == "" || c.StepOn.IsZero() {
		return c
	}
	for _, it := range v.all {
		if it.DueDate.Before(c.StepOn) {
			return c
		}
	}
	return Case{}
}

// views splits the customer's items by currency.
func (l Ladder) views(s CustomerState, asOf civil.Date) []*caseView {
	byCur := map[money.Currency]*caseView{}
	var out []*caseView
	get := func(c money.Currency) *caseView {
		v, ok := byCur[c]
		if !ok {
			v = &caseView{cur: c}
			byCur[c] = v
			out = append(out, v)
		}
		return v
	}
	for _, it := range s.Items {
		v := get(it.Balance.Currency())
		v.all = append(v.all, it)
		if it.Disputed || it.InPlan {
			continue
		}
		v.active = append(v.active, it)
		if asOf.After(it.DueDate) {
			v.overdue = append(v.overdue, it)
			v.overdueSum += it.Balance.Minor()
			if v.oldestDue.IsZero() || it.DueDate.Before(v.oldestDue) {
				v.oldestDue = it.DueDate
			}
		}
	}
	for _, p := range s.Promises {
		if v, ok := byCur[p.Amount.Currency()]; ok {
			v.promised += p.Amount.Minor()
			v.promises = append(v.promises, p)
		}
	}
	for _, v := range out {
		switch {
		case s.Paused:
			v.paused = "chasing paused by staff"
		case v.promised > 0 && v.overdueSum > 0 && v.promised*100 >= l.PromiseShare()*v.overdueSum:
			v.paused = "under a promise to pay"
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].cur < out[j].cur })
	return out
}

// OpenCurrencies lists the currencies in which the customer has open
// overdue invoices as of asOf (chased or paused): a case in any other
// currency is closed.
func OpenCurrencies(s CustomerState, asOf civil.Date) map[money.Currency]bool {
	out := map[money.Currency]bool{}
	for _, it := range s.Items {
		if asOf.After(it.DueDate) && it.Balance.IsPositive() {
			out[it.Balance.Currency()] = true
		}
	}
	return out
}

// Due returns the actions due for a customer as of a date.
//
// Escalation (steps after the due date) runs per collection case — one
// per currency: the next step follows the one the case took
// (nextEscalation), one message per channel listing every open overdue
// invoice of the currency, or a task for call and review steps. Courtesy
// notices (steps on or before the due date) go per invoice, consolidated
// per currency, only while the invoice is not yet overdue. Disputed
// invoices and invoices covered by a plan are left out; a promise that
// covers enough of the overdue balance (PromiseSharePercent) pauses the
// case; a smaller one is acknowledged and reviewed by an agent. Plan
// installments are reminded and their misses followed, and the events are
// raised once each.
func Due(l Ladder, s CustomerState, asOf civil.Date) []Action {
	var out []Action
	for _, it := range s.Items {
		if it.Disputed || it.InPlan {
			continue
		}
		if asOf.DaysSince(it.DueDate) >= 1 && !s.done(it.InvoiceID, StepInvoiceOverdue) {
			out = append(out, Action{Kind: ActEvent, Step: StepInvoiceOverdue, Subjects: []string{it.InvoiceID}, InvoiceIDs: []string{it.InvoiceID},
				Reason: fmt.Sprintf("invoice %s is overdue since %s", it.Number, it.DueDate.AddDays(1))})
		}
	}
	views := l.views(s, asOf)
	// A plan's default notice is plan follow-up (it goes during a staff
	// pause, like an installment's): it is its case's contact of the day.
	notices, noticed := l.defaultNotices(s, views, asOf)
	out = append(out, notices...)
	for _, v := range views {
		if v.paused != "" && s.Paused || noticed[v.cur] {
			continue
		}
		if l.courtesyAllowed(v.current(s.Cases[v.cur])) {
			out = append(out, l.courtesy(s, v, asOf)...)
		}
		if v.paused != "" || len(v.overdue) == 0 {
			continue
		}
		out = append(out, l.escalate(s, v, asOf)...)
		out = append(out, l.promiseReviews(s, v, asOf)...)
	}
	// A thank-you is plan follow-up the customer wants: it goes during a
	// staff pause, and opens or moves no case.
	out = append(out, completionNotices(s, asOf)...)
	for _, in := range s.Installments {
		in := in
		subj := in.Subject()
		switch {
		case in.Missed && !s.done(subj, StepInstallmentMissed):
			out = append(out,
				Action{Kind: ActEvent, Step: StepInstallmentMissed, Subjects: []string{subj}, Installment: &in,
					Reason: fmt.Sprintf("installment %d of plan %s (due %s) was missed", in.Seq, in.PlanID, in.DueDate)},
				Action{Kind: ActMessage, Step: StepInstallmentMissed, Channel: Email, Subjects: []string{subj}, Installment: &in,
					Reason: fmt.Sprintf("installment %d of plan %s (due %s) was missed: a prompt, polite contact", in.Seq, in.PlanID, in.DueDate)})
		case !in.Missed && in.DueDate.After(asOf) && in.DueDate.DaysSince(asOf) <= l.InstallmentReminderDays && !s.done(subj, StepInstallmentReminder):
			out = append(out, Action{Kind: ActMessage, Step: StepInstallmentReminder, Channel: Email, Subjects: []string{subj}, Installment: &in,
				Reason: fmt.Sprintf("installment %d of plan %s is due on %s", in.Seq, in.PlanID, in.DueDate)})
		}
	}
	for _, dp := range s.Defaulted {
		p := dp.PlanID
		if s.done(p, StepPlanDefaulted) {
			continue
		}
		out = append(out,
			Action{Kind: ActEvent, Step: StepPlanDefaulted, Subjects: []string{p}, Reason: fmt.Sprintf("plan %s defaulted", p)},
			Action{Kind: ActTask, Step: StepPlanDefaulted, Channel: "review", Queue: tierQueues[1], Subjects: []string{p},
				Priority: priority(0, s.RiskScore, 0), Reason: fmt.Sprintf("plan %s defaulted: review the account and renegotiate or escalate", p)})
	}
	// Stable order: events, messages, tasks; then by step and channel.
	rank := map[string]int{ActEvent: 0, ActMessage: 1, ActTask: 2}
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].Kind] != rank[out[j].Kind] {
			return rank[out[i].Kind] < rank[out[j].Kind]
		}
		if out[i].Step != out[j].Step {
			return out[i].Step < out[j].Step
		}
		return out[i].Channel < out[j].Channel
	})
	return out
}

// courtesyAllowed: friendly notices before the due date go out only while
// the currency's case is at most at its first step — not beside a firm
// reminder, a demand or a final notice ("you will not receive another
// reminder"). An invoice coming due then joins the case when it falls
// overdue, and the case's next message names it.
func (l Ladder) courtesyAllowed(c Case) bool {
	return c.Step == "" || c.Step == l.FirstEscalation()
}

// IsCourtesy reports whether the ladder has a step of that name on or
// before the due date (a courtesy notice).
func (l Ladder) IsCourtesy(step string) bool {
	i := l.stepIndex(step)
	return i >= 0 && !l.Steps[i].escalation()
}

// IsEscalation reports whether the ladder has a step of that name after
// the due date (a step of a collection case).
func (l Ladder) IsEscalation(step string) bool {
	i := l.stepIndex(step)
	return i >= 0 && l.Steps[i].escalation()
}

// FirstEscalation is the name of the first escalation step ("" none).
func (l Ladder) FirstEscalation() string {
	for _, st := range l.Steps {
		if st.escalation() {
			return st.Name
		}
	}
	return ""
}

// courtesy returns the courtesy notice of a currency: the latest courtesy
// step each not-yet-overdue invoice has reached and not had, in one
// message per channel.
func (l Ladder) courtesy(s CustomerState, v *caseView, asOf civil.Date) []Action {
	var subjects, subjectSteps, numbers []string
	top := -1
	var total int64
	for _, it := range v.active {
		d := asOf.DaysSince(it.DueDate)
		if d > 0 {
			continue // overdue: the case takes it up
		}
		k := -1
		for i, st := range l.Steps {
			if !st.escalation() && st.Offset <= d {
				k = i
			}
		}
		if k < 0 || s.done(it.InvoiceID, l.Steps[k].Name) {
			continue
		}
		subjects = append(subjects, it.InvoiceID)
		subjectSteps = append(subjectSteps, l.Steps[k].Name)
		numbers = append(numbers, it.Number)
		total += it.Balance.Minor()
		top = max(top, k)
	}
	if top < 0 {
		return nil
	}
	st := l.Steps[top]
	reason := fmt.Sprintf("courtesy notice %s (%s) for %s", st.Name, offsetText(st.Offset), strings.Join(numbers, ", "))
	var out []Action
	for _, ch := range st.Via {
		if ch == Call || ch == "review" {
			continue // a courtesy notice is never a task
		}
		out = append(out, Action{Kind: ActMessage, Step: st.Name, Channel: ch, Subjects: subjects, SubjectSteps: subjectSteps,
			InvoiceIDs: slices.Clone(subjects), Currency: v.cur, Reason: reason})
	}
	return out
}

// promiseReviews: a promise too small to pause the case is reviewed by an
// agent, once, whatever step the case is at.
func (l Ladder) promiseReviews(s CustomerState, v *caseView, asOf civil.Date) []Action {
	var out []Action
	var invoices []string
	for _, it := range v.overdue {
		invoices = append(invoices, it.InvoiceID)
	}
	for _, p := range v.promises {
		if s.done(p.ID, StepPromiseReview) {
			continue
		}
		out = append(out, Action{Kind: ActTask, Step: StepPromiseReview, Channel: "review", Queue: tierQueues[1], Subjects: []string{p.ID},
			InvoiceIDs: slices.Clone(invoices), Currency: v.cur, Priority: priority(v.overdueSum, s.RiskScore, asOf.DaysSince(v.oldestDue)),
			Reason: fmt.Sprintf("a promise of %s %s by %s covers less than %d%% of the %s %s overdue: review it with the customer",
				p.Amount, p.Amount.Currency(), p.DueDate, l.PromiseShare(), money.New(v.overdueSum, v.cur), v.cur)})
	}
	return out
}

// escalate returns the case's next escalation step when it is due.
func (l Ladder) escalate(s CustomerState, v *caseView, asOf civil.Date) []Action {
	c := v.current(s.Cases[v.cur])
	k, at, ok := l.nextEscalation(c, v.oldestDue)
	if !ok || at.After(asOf) {
		return nil
	}
	st := l.Steps[k]
	var invoices, numbers []string
	for _, it := range v.overdue {
		invoices = append(invoices, it.InvoiceID)
		numbers = append(numbers, it.Number)
	}
	next := Case{Step: st.Name, StepOn: asOf}
	if d := st.payByDays(); d > 0 {
		next.Deadline = asOf.AddDays(d)
	}
	prev := "the first step of the " + string(v.cur) + " case"
	if c.Step != "" {
		prev = fmt.Sprintf("after %s on %s", c.Step, c.StepOn)
	}
	reason := fmt.Sprintf("ladder step %s (%s; %s) for %s", st.Name, offsetText(st.Offset), prev, strings.Join(numbers, ", "))
	oldest := asOf.DaysSince(v.oldestDue)
	base := Action{Step: st.Name, InvoiceIDs: invoices, Fee: st.Fee == "statutory" && l.FeeApplies(v.cur, v.overdueSum), Currency: v.cur, Case: &next, PayBy: next.Deadline,
		Next: l.FallbackOrDefault()}
	if len(v.promises) > 0 {
		base.Promises = slices.Clone(v.promises)
	}
	var out []Action
	delay := 0
	if s.KeyAccount && st.KeyAccountCall {
		// A key account hears from a person first: a senior agent's call
		// today, and the step's mail KeyAccountMailDelayDays later — the
		// delivery re-check withdraws it if the call settled the matter
		// (a payment, a plan, a promise, a dispute).
		a := base
		a.Kind, a.Channel, a.Queue, a.Personal = ActTask, Call, tierQueues[2], true
		a.Priority = priority(v.overdueSum, s.RiskScore, oldest)
		a.Reason = reason + fmt.Sprintf("; a key account: a personal call before the automated %s, which follows in %d days", st.Name, KeyAccountMailDelayDays)
		out = append(out, a)
		delay = KeyAccountMailDelayDays
	}
	for _, ch := range st.Via {
		a := base
		a.InvoiceIDs = slices.Clone(invoices)
		switch ch {
		case Call, "review":
			q, why := l.queueFor(st.Tier, money.New(v.overdueSum, v.cur), s.RiskScore)
			a.Kind, a.Channel, a.Queue = ActTask, ch, q
			a.Priority = priority(v.overdueSum, s.RiskScore, oldest)
			a.Reason = reason + why
		default:
			a.Kind, a.Channel, a.Reason, a.DelayDays = ActMessage, ch, reason, delay
		}
		out = append(out, a)
	}
	return out
}

func (s CustomerState) done(subject, step string) bool { return s.Done[subject][step] }

func offsetText(d int) string {
	switch {
	case d == -1:
		return "1 day before the due date"
	case d < 0:
		return fmt.Sprintf("%d days before the due date", -d)
	case d == 0:
		return "the due date"
	case d == 1:
		return "1 day after the due date"
	default:
		return fmt.Sprintf("%d days after the due date", d)
	}
}

// priority orders a worklist: amount × risk × age. amount is in minor
// units; the figure is only compared, never shown as money.
func priority(amountMinor int64, risk, daysOverdue int) int64 {
	f := float64(max(amountMinor, 0)) * (1 + float64(risk)/100) * (1 + float64(max(daysOverdue, 0))/30)
	return int64(math.Min(f, math.MaxInt64/2))
}
