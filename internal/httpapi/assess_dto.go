package httpapi

import (
	"math"
	"time"

	"settle/internal/assess"
	"settle/internal/collect"
	"settle/internal/negotiate"
	"settle/internal/service"
	"settle/internal/store"
)

// Profile is a customer's payment profile.
type Profile struct {
	InvoicesDue       int     `json:"invoices_due" doc:"Invoices due by the date (paid or not)"`
	PaidOnTime        int     `json:"paid_on_time"`
	PaidLate          int     `json:"paid_late"`
	OpenOverdue       int     `json:"open_overdue"`
	OnTimeShare       float64 `json:"on_time_share" doc:"0..1"`
	AvgDaysLate       float64 `json:"avg_days_late"`
	RecentAvgDaysLate float64 `json:"recent_avg_days_late" doc:"Invoices due in the last 90 days"`
	PriorAvgDaysLate  float64 `json:"prior_avg_days_late"`
	TrendDaysLate     float64 `json:"trend_days_late" doc:"Recent minus prior: positive is getting worse"`
	MaxDaysLate       int     `json:"max_days_late"`
	OldestOverdueDays int     `json:"oldest_overdue_days"`
	Disputes          int     `json:"disputes"`
	PromisesKept      int     `json:"promises_kept"`
	PromisesBroken    int     `json:"promises_broken"`
	PromisesOpen      int     `json:"promises_open"`
	PlansCompleted    int     `json:"plans_completed"`
	PlansDefaulted    int     `json:"plans_defaulted"`
	PlansActive       int     `json:"plans_active"`
	PlansRenegotiated int     `json:"plans_renegotiated"`
	FirstInvoice      string  `json:"first_invoice,omitempty"`
}

// RiskFactor is one factor of the risk score and its contribution.
type RiskFactor struct {
	Name    string  `json:"name"`
	Label   string  `json:"label"`
	Value   float64 `json:"value"`
	Display string  `json:"display"`
	Points  float64 `json:"points" doc:"Contribution to the score (signed)"`
}

// Risk is the customer's risk of paying late.
type Risk struct {
	Score       int          `json:"score" doc:"0..100, higher is riskier"`
	Band        string       `json:"band" doc:"A (low) .. E (severe)"`
	Label       string       `json:"label"`
	Probability float64      `json:"probability" doc:"Calibrated probability that the next invoices are paid more than 7 days late"`
	Base        float64      `json:"base" doc:"The score's starting points before the factors"`
	Factors     []RiskFactor `json:"factors"`
	Model       string       `json:"model"`
}

// ReceivablesShare is a share of the book in one currency.
type ReceivablesShare struct {
	Currency string  `json:"currency"`
	Share    float64 `json:"share"`
}

// Importance is how much the customer matters to us.
type Importance struct {
	Revenue12m         []MoneyOut         `json:"revenue_12m"`
	ShareOfReceivables []ReceivablesShare `json:"share_of_receivables"`
	Since              string             `json:"since,omitempty"`
	TenureDays         int                `json:"tenure_days"`
	Segment            string             `json:"segment"`
	KeyAccount         bool               `json:"key_account"`
	Level              string             `json:"level" doc:"key, major, standard or minor"`
	Reasons            []string           `json:"reasons"`
}

// MoneyOut is an amount with its currency.
type MoneyOut struct {
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
}

// ImpactLine is one overdue invoice's cost to us.
type ImpactLine struct {
	InvoiceID    string `json:"invoice_id"`
	Number       string `json:"number"`
	DaysOverdue  int    `json:"days_overdue"`
	Balance      string `json:"balance"`
	CarryingCost string `json:"carrying_cost"`
	Compensation string `json:"compensation"`
	Interest     string `json:"interest"`
}

// Impact is what the delay costs us, in one currency.
type Impact struct {
	Currency             string       `json:"currency"`
	Overdue              string       `json:"overdue"`
	CarryingCost         string       `json:"carrying_cost" doc:"Cost of capital on the overdue balances to date"`
	CarryingCostPerMonth string       `json:"carrying_cost_per_month"`
	Compensation         string       `json:"compensation" doc:"Statutory fixed sums that could be claimed"`
	StatutoryInterest    string       `json:"statutory_interest"`
	TotalClaimable       string       `json:"total_claimable"`
	Regime               string       `json:"regime" doc:"uk_late_payment, eu_late_payment or none"`
	RegimeName           string       `json:"regime_name"`
	StatutoryRate        string       `json:"statutory_rate,omitempty"`
	Lines                []ImpactLine `json:"lines"`
	Notes                []string     `json:"notes"`
}

// BudgetSummary is the budget's bottom line, on the position.
type BudgetSummary struct {
	Currency              string    `json:"currency"`
	AvailableMonthly      string    `json:"available_monthly"`
	AffordableInstallment string    `json:"affordable_installment"`
	Flags                 int       `json:"flags"`
	UpdatedAt             time.Time `json:"updated_at"`
}

// PlanRef is an open plan on the position.
type PlanRef struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Version  int    `json:"version"`
	Currency string `json:"currency"`
	Balance  string `json:"balance"`
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

func assessmentOut(out *Position, a *service.Assessment) {
	if a == nil {
		return
	}
	out.Warnings = a.Warnings
	p := a.Profile
	out.Profile = Profile{InvoicesDue: p.InvoicesDue, PaidOnTime: p.PaidOnTime, PaidLate: p.PaidLate, OpenOverdue: p.OpenOverdue,
		OnTimeShare: round3(p.OnTimeShare), AvgDaysLate: round1(p.AvgDaysLate), RecentAvgDaysLate: round1(p.RecentAvgDaysLate),
		PriorAvgDaysLate: round1(p.PriorAvgDaysLate), TrendDaysLate: round1(p.TrendDaysLate), MaxDaysLate: p.MaxDaysLate,
		OldestOverdueDays: p.OldestOverdueDays, Disputes: p.Disputes, PromisesKept: p.PromisesKept, PromisesBroken: p.PromisesBroken,
		PromisesOpen: p.PromisesOpen, PlansCompleted: p.PlansCompleted, PlansDefaulted: p.PlansDefaulted, PlansActive: p.PlansActive,
		PlansRenegotiated: p.PlansRenegotiated}
	if !p.FirstInvoice.IsZero() {
		out.Profile.FirstInvoice = p.FirstInvoice.String()
	}
	r := a.Risk
	out.Risk = Risk{Score: r.Score, Band: r.Band, Label: r.Label, Probability: round3(r.Probability), Base: round1(r.Base), Model: r.Model, Factors: []RiskFactor{}}
	for _, f := range r.Factors {
		out.Risk.Factors = append(out.Risk.Factors, RiskFactor{Name: f.Name, Label: f.Label, Value: round3(f.Value), Display: f.Display, Points: round1(f.Points)})
	}
	im := a.Importance
	out.Importance = Importance{TenureDays: im.TenureDays, Segment: im.Segment, KeyAccount: im.KeyAccount, Level: im.Level,
		Reasons: append([]string{}, im.Reasons...), Revenue12m: []MoneyOut{}, ShareOfReceivables: []ReceivablesShare{}}
	if !im.Since.IsZero() {
		out.Importance.Since = im.Since.String()
	}
	for _, m := range im.Revenue12m {
		out.Importance.Revenue12m = append(out.Importance.Revenue12m, MoneyOut{Currency: string(m.Currency()), Amount: m.String()})
	}
	for _, sh := range im.ShareOfReceivables {
		out.Importance.ShareOfReceivables = append(out.Importance.ShareOfReceivables, ReceivablesShare{Currency: string(sh.Currency), Share: round3(sh.Share)})
	}
	out.Impact = []Impact{}
	for _, x := range a.Impacts {
		out.Impact = append(out.Impact, impactOut(x))
	}
	if b := a.Budget; b != nil {
		out.Budget = &BudgetSummary{Currency: string(b.Budget.Currency), AvailableMonthly: b.Available.String(),
			AffordableInstallment: b.Affordable.String(), Flags: len(b.Flags), UpdatedAt: b.UpdatedAt}
	}
	out.OpenPlans = []PlanRef{}
	for _, pl := range a.OpenPlans {
		out.OpenPlans = append(out.OpenPlans, PlanRef{ID: pl.ID, Status: pl.Status, Version: pl.Version, Currency: string(pl.Balance.Currency()), Balance: pl.Balance.String()})
	}
	out.OpenPromises = []Promise{}
	for i := range a.Promises {
		out.OpenPromises = append(out.OpenPromises, promiseOut(&a.Promises[i]))
	}
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

func impactOut(x assess.Impact) Impact {
	o := Impact{Currency: string(x.Currency), Overdue: x.Overdue.String(), CarryingCost: x.CarryingCost.String(),
		CarryingCostPerMonth: x.CarryingCostPerMonth.String(), Compensation: x.Compensation.String(),
		StatutoryInterest: x.StatutoryInterest.String(), TotalClaimable: x.TotalClaimable.String(), Regime: x.Regime,
		RegimeName: x.RegimeName, StatutoryRate: x.StatutoryRate, Lines: []ImpactLine{}, Notes: append([]string{}, x.Notes...)}
	for _, l := range x.Lines {
		o.Lines = append(o.Lines, ImpactLine{InvoiceID: l.InvoiceID, Number: l.Number, DaysOverdue: l.DaysOverdue, Balance: l.Balance.String(),
			CarryingCost: l.CarryingCost.String(), Compensation: l.Compensation.String(), Interest: l.Interest.String()})
	}
	return o
}

// BudgetLine is one line of a budget.
type BudgetLine = service.BudgetLineInput

// BudgetDebt is one other debt of a budget.
type BudgetDebt = service.BudgetDebtInput

// BudgetFlag is a line that looks implausible.
type BudgetFlag struct {
	Field    string `json:"field"`
	Category string `json:"category"`
	Message  string `json:"message"`
}

// Budget is a customer's budget and what it leaves for this debt.
type Budget struct {
	CustomerID            string       `json:"customer_id"`
	Currency              string       `json:"currency"`
	Kind                  string       `json:"kind" doc:"consumer or business: sets the categories"`
	Income                []BudgetLine `json:"income"`
	Expenses              []BudgetLine `json:"expenses"`
	Debts                 []BudgetDebt `json:"debts"`
	IncomeTotal           string       `json:"income_total"`
	ExpensesTotal         string       `json:"expenses_total"`
	DebtsTotal            string       `json:"debts_total"`
	AvailableMonthly      string       `json:"available_monthly" doc:"Income − expenses − other debts (may be negative)"`
	AffordableInstallment string       `json:"affordable_installment" doc:"Monthly installment the customer can sustain for this debt"`
	Share                 string       `json:"share" doc:"Share of the surplus the affordable installment uses"`
	Rule                  string       `json:"rule"`
	Flags                 []BudgetFlag `json:"flags"`
	UpdatedAt             time.Time    `json:"updated_at"`
}

func budgetOut(v *service.BudgetView) Budget {
	b := Budget{CustomerID: v.CustomerID, Currency: string(v.Budget.Currency), Kind: v.Budget.Kind,
		Income: nonNil(v.Input.Income), Expenses: nonNil(v.Input.Expenses), Debts: nonNil(v.Input.Debts),
		IncomeTotal: v.Income.String(), ExpensesTotal: v.Expenses.String(), DebtsTotal: v.Debts.String(),
		AvailableMonthly: v.Available.String(), AffordableInstallment: v.Affordable.String(), Share: v.Share, Rule: v.Rule,
		Flags: []BudgetFlag{}, UpdatedAt: v.UpdatedAt}
	// Amounts as the currency writes them (the input may say "900" for 900.00).
	for i := range b.Income {
		b.Income[i].Monthly = v.Budget.Income[i].Monthly.String()
	}
	for i := range b.Expenses {
		b.Expenses[i].Monthly = v.Budget.Expenses[i].Monthly.String()
	}
	for i := range b.Debts {
		b.Debts[i].Monthly = v.Budget.Debts[i].Monthly.String()
		if bal := v.Budget.Debts[i].Balance; bal.IsPositive() {
			b.Debts[i].Balance = bal.String()
		}
	}
	for _, f := range v.Flags {
		b.Flags = append(b.Flags, BudgetFlag{Field: f.Field, Category: f.Category, Message: f.Message})
	}
	return b
}

func nonNil[T any](xs []T) []T {
	out := make([]T, len(xs))
	copy(out, xs)
	return out
}

// Policy is a segment's negotiation limits (fields: negotiate.Policy).
type Policy struct {
	ID        string     `json:"id,omitempty" doc:"Absent for the built-in defaults of a segment with no stored policy"`
	Version   int        `json:"version,omitempty"`
	Default   bool       `json:"default" doc:"True when no policy is stored for the segment: these are the built-in defaults"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	negotiate.Policy
	Ladder               collect.Ladder `json:"ladder"`
	ApproveBeforeSending bool           `json:"approve_before_sending" doc:"New collections messages of the segment wait in the outbox for staff approval"`
}

func policyOut(v *service.PolicyView) Policy {
	o := Policy{ID: v.ID, Version: v.Version, Default: v.Default, Policy: v.Policy, Ladder: v.Ladder, ApproveBeforeSending: v.ApproveBeforeSending}
	if v.Stored != nil {
		c, u := v.Stored.CreatedAt, v.Stored.UpdatedAt
		o.CreatedAt, o.UpdatedAt = &c, &u
	}
	return o
}

// Interaction is a contact with a customer.
type Interaction struct {
	ID            string    `json:"id"`
	CustomerID    string    `json:"customer_id"`
	Kind          string    `json:"kind"`
	Direction     string    `json:"direction,omitempty"`
	OccurredAt    time.Time `json:"occurred_at"`
	Summary       string    `json:"summary"`
	Reason        *Reason   `json:"reason,omitempty"`
	InvoiceIDs    []string  `json:"invoice_ids"`
	FollowUp      string    `json:"follow_up,omitempty" doc:"What it triggered, e.g. resend_invoice:msg_…"`
	Conversation  bool      `json:"conversation" doc:"A call that reached the customer (Regulation F: no further calls about the debt for 7 days)"`
	Actor         string    `json:"actor"`
	CreatedAt     time.Time `json:"created_at"`
	ResendMessage *Message  `json:"resend_message,omitempty"`
}

// Reason is what the customer said about paying late.
type Reason struct {
	Category string `json:"category"`
	Label    string `json:"label"`
	Claim    string `json:"claim" doc:"fact or unverified"`
	Evidence string `json:"evidence,omitempty"`
}

func interactionOut(it store.Interaction, resend *store.Message) Interaction {
	o := Interaction{ID: it.ID, CustomerID: it.CustomerID, Kind: it.Kind, Direction: it.Direction, OccurredAt: it.OccurredAt,
		Summary: it.Summary, InvoiceIDs: nonNil(it.InvoiceIDs), FollowUp: it.FollowUp, Conversation: it.Conversation, Actor: it.Actor, CreatedAt: it.CreatedAt}
	if it.ReasonCategory != "" {
		o.Reason = &Reason{Category: it.ReasonCategory, Label: service.ReasonCategories[it.ReasonCategory], Claim: it.Claim, Evidence: it.Evidence}
	}
	if resend != nil {
		m := messageOut(*resend)
		o.ResendMessage = &m
	}
	return o
}

// Message is one message in the outbox.
type Message struct {
	ID               string              `json:"id"`
	CustomerID       string              `json:"customer_id"`
	Channel          string              `json:"channel" doc:"email, letter or sms"`
	Step             string              `json:"step"`
	Tone             string              `json:"tone"`
	Locale           string              `json:"locale"`
	ScheduledFor     time.Time           `json:"scheduled_for"`
	Status           string              `json:"status" doc:"queued, held, awaiting_approval, sent, failed, bounced or withdrawn. Held and awaiting_approval are queued messages under staff control; a letter is sent when marked posted"`
	WithdrawnReason  string              `json:"withdrawn_reason,omitempty" doc:"Why a withdrawn message was withdrawn (the re-check, or skipped by staff)"`
	HeldAt           *time.Time          `json:"held_at,omitempty"`
	HeldBy           string              `json:"held_by,omitempty"`
	AwaitingApproval bool                `json:"awaiting_approval" doc:"Waits for staff approval (the segment's policy says approve_before_sending)"`
	Edited           bool                `json:"edited" doc:"Staff edited the subject and body: sent as edited, not rendered again"`
	Subject          string              `json:"subject"`
	Body             string              `json:"body"`
	InvoiceNumbers   []string            `json:"invoice_numbers"`
	Attempts         int                 `json:"attempts"`
	LastError        string              `json:"last_error,omitempty"`
	SentAt           *time.Time          `json:"sent_at,omitempty"`
	CreatedAt        time.Time           `json:"created_at"`
	Attachments      []MessageAttachment `json:"attachments" doc:"Files sent with it (a letter's PDF, a calendar invite): GET /v1/messages/{id}/attachments/{name}"`
}

// MessageAttachment describes a file sent with a message.
type MessageAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size,omitempty" doc:"Bytes; absent for a letter, which is laid out when it is fetched"`
}

func messageOut(m store.Message) Message {
	o := messageOut0(m)
	o.Attachments = []MessageAttachment{}
	for _, a := range m.Attachments {
		o.Attachments = append(o.Attachments, MessageAttachment{Name: a.Name, ContentType: a.ContentType, Size: len(a.Data)})
	}
	return o
}

func messageOut0(m store.Message) Message {
	return Message{ID: m.ID, CustomerID: m.CustomerID, Channel: m.Channel, Step: m.Step, Tone: m.Tone, Locale: m.Locale,
		ScheduledFor: m.ScheduledFor.UTC(), Status: service.OutboxState(m), Subject: m.Subject, Body: m.Body, InvoiceNumbers: nonNil(m.InvoiceNumbers),
		Attempts: m.Attempts, LastError: m.LastError, SentAt: m.SentAt, CreatedAt: m.CreatedAt,
		WithdrawnReason: m.StatusReason, HeldAt: m.HeldAt, HeldBy: m.HeldBy, AwaitingApproval: m.AwaitingApproval, Edited: m.Edited}
}
