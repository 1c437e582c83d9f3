package collect

import (
	"fmt"
	"math"
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
	StepInvoiceOverdue      = "invoice_overdue" // the event, once per invoice
)

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
	// (tier 2) at this step instead of automated mail.
	KeyAccountCall bool `json:"key_account_call,omitempty"`
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
	bal, r := l.SeniorBalance, l.SeniorRisk
	if bal <= 0 {
		bal = DefaultSeniorBalance
	}
	unit := int64(1)
	for range total.Currency().Digits() {
		unit *= 10
	}
	switch {
	case total.Minor() >= bal*unit:
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
	Promised  bool // paused: covered by an open promise to pay
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

// CustomerState is one customer as of the run's date.
type CustomerState struct {
	CustomerID   string
	KeyAccount   bool
	RiskScore    int // 0..100
	Items        []Item
	Installments []Installment
	Defaulted    []string // plans that defaulted by the date
	// Done lists the steps already taken per subject (invoice id, plan
	// installment subject, or plan id).
	Done map[string]map[string]bool
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
	Subjects []string // what the step is recorded under (invoice ids, installment subjects, plan ids)
	// SubjectSteps, when set, is the step to record for each subject (a
	// consolidated message covers invoices that reached different steps:
	// each records its own, so that it is not due again tomorrow).
	SubjectSteps []string
	InvoiceIDs   []string // the invoices a message or task is about
	Installment  *Installment
	Fee          bool   // the step states the statutory claim
	Priority     int64  // task: higher first
	Reason       string // plain language: why this action now
}

// Due returns the actions due for a customer as of a date: one
// consolidated message per channel for the most severe ladder step
// reached by any of its invoices (listing every invoice whose step is due),
// tasks for call and review steps, plan installment reminders and misses,
// and the events. Disputed invoices and invoices covered by a plan or an
// open promise are paused. An invoice that skipped steps (imported late,
// or a pause that ended) takes only the latest step it has reached: no
// catch-up barrage.
func Due(l Ladder, s CustomerState, asOf civil.Date) []Action {
	var out []Action
	type hit struct {
		item Item
		step int // index into l.Steps
	}
	var hits []hit
	paused := 0
	for _, it := range s.Items {
		if it.Disputed || it.InPlan || it.Promised {
			paused++
			continue
		}
		d := asOf.DaysSince(it.DueDate)
		if d >= 1 && !s.done(it.InvoiceID, StepInvoiceOverdue) {
			out = append(out, Action{Kind: ActEvent, Step: StepInvoiceOverdue, Subjects: []string{it.InvoiceID}, InvoiceIDs: []string{it.InvoiceID},
				Reason: fmt.Sprintf("invoice %s is overdue since %s", it.Number, it.DueDate.AddDays(1))})
		}
		k := -1
		for i, st := range l.Steps {
			if st.Offset <= d {
				k = i
			}
		}
		if k < 0 || s.done(it.InvoiceID, l.Steps[k].Name) {
			continue
		}
		hits = append(hits, hit{it, k})
	}
	// One consolidated message per currency: amounts in different
	// currencies are never added up.
	byCur := map[money.Currency][]hit{}
	var curs []money.Currency
	for _, h := range hits {
		c := h.item.Balance.Currency()
		if _, ok := byCur[c]; !ok {
			curs = append(curs, c)
		}
		byCur[c] = append(byCur[c], h)
	}
	sort.Slice(curs, func(i, j int) bool { return curs[i] < curs[j] })
	for _, cur := range curs {
		hits := byCur[cur]
		top := 0
		for _, h := range hits {
			top = max(top, h.step)
		}
		st := l.Steps[top]
		var subjects, subjectSteps, invoices, numbers []string
		var total int64
		oldest := 0
		for _, h := range hits {
			subjects = append(subjects, h.item.InvoiceID)
			subjectSteps = append(subjectSteps, l.Steps[h.step].Name)
			invoices = append(invoices, h.item.InvoiceID)
			numbers = append(numbers, h.item.Number)
			total += h.item.Balance.Minor()
			oldest = max(oldest, asOf.DaysSince(h.item.DueDate))
		}
		reason := fmt.Sprintf("ladder step %s (%s) reached by %s", st.Name, offsetText(st.Offset), strings.Join(numbers, ", "))
		if s.KeyAccount && st.KeyAccountCall {
			out = append(out, Action{Kind: ActTask, Step: st.Name, Channel: Call, Queue: tierQueues[2], Subjects: subjects, SubjectSteps: subjectSteps, InvoiceIDs: invoices,
				Fee: st.Fee == "statutory", Priority: priority(total, s.RiskScore, oldest),
				Reason: reason + "; a key account: a personal call instead of automated mail"})
		} else {
			for _, ch := range st.Via {
				switch ch {
				case Call, "review":
					q, why := l.queueFor(st.Tier, money.New(total, hits[0].item.Balance.Currency()), s.RiskScore)
					out = append(out, Action{Kind: ActTask, Step: st.Name, Channel: ch, Queue: q, Subjects: subjects, SubjectSteps: subjectSteps, InvoiceIDs: invoices,
						Fee: st.Fee == "statutory", Priority: priority(total, s.RiskScore, oldest), Reason: reason + why})
				default:
					out = append(out, Action{Kind: ActMessage, Step: st.Name, Channel: ch, Subjects: subjects, SubjectSteps: subjectSteps, InvoiceIDs: invoices,
						Fee: st.Fee == "statutory", Reason: reason})
				}
			}
		}
	}
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
	for _, p := range s.Defaulted {
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
	_ = paused
	return out
}

func (s CustomerState) done(subject, step string) bool { return s.Done[subject][step] }

func offsetText(d int) string {
	switch {
	case d < 0:
		return fmt.Sprintf("%d days before the due date", -d)
	case d == 0:
		return "the due date"
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
