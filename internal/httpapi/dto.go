package httpapi

import (
	"fmt"
	"time"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/plan"
	"settle/internal/service"
)

// Customer is a customer as the API shows it.
type Customer struct {
	ID               string    `json:"id" example:"cus_01JD2Z3X4Y5W6V7T8S9R0QPNMK"`
	ExternalRef      string    `json:"external_ref,omitempty"`
	Name             string    `json:"name"`
	Email            string    `json:"email,omitempty"`
	Phone            string    `json:"phone,omitempty"`
	TimeZone         string    `json:"time_zone"`
	Locale           string    `json:"locale"`
	Kind             string    `json:"kind" enum:"business,consumer"`
	Jurisdiction     string    `json:"jurisdiction,omitempty"`
	Segment          string    `json:"segment"`
	Style            string    `json:"style" enum:"direct,indirect"`
	PaymentTermsDays int       `json:"payment_terms_days"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`

	// Issue 16: postal address, account owner, credit hold.
	Address    *service.AddressInput `json:"address,omitempty" doc:"Absent: no postal address"`
	Owner      string                `json:"owner,omitempty" doc:"The staff user (usr_…) who owns the relationship"`
	CreditHold CreditHold            `json:"credit_hold"`
}

// CreditHold is a customer's credit hold and optional credit limit.
type CreditHold struct {
	Held     bool        `json:"held"`
	Reason   string      `json:"reason,omitempty" doc:"Why it was last set or released"`
	Since    *civil.Date `json:"since,omitempty" doc:"When it was last set or released"`
	By       string      `json:"by,omitempty" doc:"Who set or released it (an actor id; system for a collection step)"`
	Limit    string      `json:"limit,omitempty" doc:"Credit limit; absent: none"`
	Currency string      `json:"currency,omitempty" doc:"The limit's currency"`
}

func customerOut(c *ledger.Customer) Customer {
	out := Customer{ID: c.ID, ExternalRef: c.ExternalRef, Name: c.Name, Email: c.Email, Phone: c.Phone,
		TimeZone: c.TimeZone, Locale: c.Locale, Kind: c.Kind, Jurisdiction: c.Jurisdiction, Segment: c.Segment,
		Style: c.Style, PaymentTermsDays: c.PaymentTermsDays, Owner: c.Owner, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if a := c.Address; !a.IsZero() {
		out.Address = &service.AddressInput{Lines: a.Lines, PostalCode: a.PostalCode, City: a.City, Region: a.Region, Country: a.Country}
	}
	h := c.CreditHold
	out.CreditHold = CreditHold{Held: h.Held, Reason: h.Reason, By: h.By}
	if h.Since.IsValid() {
		since := h.Since
		out.CreditHold.Since = &since
	}
	if h.HasLimit() {
		out.CreditHold.Limit, out.CreditHold.Currency = h.Limit.String(), string(h.Limit.Currency())
	}
	return out
}

// Invoice is an invoice as the API shows it.
type Invoice struct {
	ID         string     `json:"id"`
	Number     string     `json:"number"`
	CustomerID string     `json:"customer_id"`
	IssueDate  civil.Date `json:"issue_date"`
	DueDate    civil.Date `json:"due_date"`
	Currency   string     `json:"currency"`
	Amount     string     `json:"amount"`
	Balance    string     `json:"balance" doc:"Open amount after payments and credits"`
	Status     string     `json:"status" enum:"open,paid,void"`
	Disputed   bool       `json:"disputed"`
	VoidedOn   *string    `json:"voided_on,omitempty"`
	VoidReason string     `json:"void_reason,omitempty"`
	Charge     string     `json:"charge,omitempty" enum:"statutory,late_fee" doc:"Set on a charge settle added itself (docs/ledger.md, Charges): statutory compensation and interest claimed by a demand or final notice, or a plan's late fee"`
	ChargeFor  string     `json:"charge_for,omitempty" doc:"What the charge arose from: the invoice id (statutory) or plan id#installment (late fee)"`
	CreatedAt  time.Time  `json:"created_at"`
}

func invoiceOut(inv *ledger.Invoice) Invoice {
	out := Invoice{ID: inv.ID, Number: inv.Number, CustomerID: inv.CustomerID, IssueDate: inv.IssueDate,
		DueDate: inv.DueDate, Currency: string(inv.Amount.Currency()), Amount: inv.Amount.String(),
		Balance: inv.Balance.String(), Status: inv.Status(), Disputed: inv.Disputed, VoidReason: inv.VoidReason,
		Charge: inv.Charge, ChargeFor: inv.ChargeFor, CreatedAt: inv.CreatedAt}
	if !inv.VoidedOn.IsZero() {
		s := inv.VoidedOn.String()
		out.VoidedOn = &s
	}
	return out
}

// Allocation is the part of a payment applied to one invoice.
type Allocation struct {
	InvoiceID string     `json:"invoice_id"`
	Amount    string     `json:"amount"`
	AppliedOn civil.Date `json:"applied_on"`
}

// Payment is a payment or credit note with its allocations.
type Payment struct {
	ID          string       `json:"id"`
	Kind        string       `json:"kind" enum:"payment,credit_note"`
	CustomerID  string       `json:"customer_id"`
	ReceivedOn  civil.Date   `json:"received_on"`
	Currency    string       `json:"currency"`
	Amount      string       `json:"amount"`
	Method      string       `json:"method"`
	Reference   string       `json:"reference,omitempty"`
	InvoiceID   string       `json:"invoice_id,omitempty"`
	Allocations []Allocation `json:"allocations"`
	Unapplied   string       `json:"unapplied" doc:"Kept as the customer's credit and applied to later invoices"`
	CreatedAt   time.Time    `json:"created_at"`
}

func paymentOut(v *service.PaymentView) Payment {
	p := v.Payment
	out := Payment{ID: p.ID, Kind: p.Kind, CustomerID: p.CustomerID, ReceivedOn: p.ReceivedOn,
		Currency: string(p.Amount.Currency()), Amount: p.Amount.String(), Method: p.Method, Reference: p.Reference,
		InvoiceID: p.InvoiceID, Allocations: []Allocation{}, Unapplied: money.New(v.Unapplied, p.Amount.Currency()).String(),
		CreatedAt: p.CreatedAt}
	for _, a := range v.Allocations {
		out.Allocations = append(out.Allocations, Allocation{InvoiceID: a.InvoiceID, Amount: a.Amount.String(), AppliedOn: a.AppliedOn})
	}
	return out
}

// AgingRow is one currency's (or one customer's) aging.
type AgingRow struct {
	CustomerID  string `json:"customer_id,omitempty"`
	ExternalRef string `json:"external_ref,omitempty"`
	Currency    string `json:"currency"`
	Current     string `json:"current"`
	Days1To30   string `json:"days_1_30"`
	Days31To60  string `json:"days_31_60"`
	Days61To90  string `json:"days_61_90"`
	DaysOver90  string `json:"days_over_90"`
	Total       string `json:"total"`
}

func agingRow(b ledger.Buckets) AgingRow {
	return AgingRow{Currency: string(b.Currency),
		Current: b.Text(ledger.BucketCurrent), Days1To30: b.Text(ledger.Bucket1To30),
		Days31To60: b.Text(ledger.Bucket31To60), Days61To90: b.Text(ledger.Bucket61To90),
		DaysOver90: b.Text(ledger.BucketOver90), Total: b.Total().Text(b.Currency)}
}

// Aging is the aging report.
type Aging struct {
	AsOf      civil.Date `json:"as_of"`
	Totals    []AgingRow `json:"totals"`
	Customers []AgingRow `json:"customers"`
}

func agingOut(r *ledger.AgingReport) Aging {
	out := Aging{AsOf: r.AsOf, Totals: []AgingRow{}, Customers: []AgingRow{}}
	for _, b := range r.Totals() {
		out.Totals = append(out.Totals, agingRow(b))
	}
	for _, c := range r.Customers() {
		row := agingRow(c.Buckets)
		row.CustomerID, row.ExternalRef = c.CustomerID, c.ExternalRef
		out.Customers = append(out.Customers, row)
	}
	return out
}

// KPIs are the collection KPIs (domain.md §6).
type KPIs struct {
	From             civil.Date `json:"from"`
	To               civil.Date `json:"to"`
	Currency         string     `json:"currency"`
	Days             int        `json:"days" doc:"Days in the period, inclusive"`
	DSO              *float64   `json:"dso" doc:"AR at to ÷ credit sales × days; null without sales"`
	BestDSO          *float64   `json:"best_dso" doc:"Current AR at to ÷ credit sales × days"`
	ADD              *float64   `json:"add" doc:"DSO − best DSO"`
	CEI              *float64   `json:"cei" doc:"Collection effectiveness index, percent"`
	Sales            string     `json:"credit_sales"`
	OpeningAR        string     `json:"opening_ar"`
	ClosingAR        string     `json:"closing_ar"`
	ClosingCurrentAR string     `json:"closing_current_ar"`
}

func kpisOut(r *service.KPIReport) KPIs {
	m := func(n money.Wide) string { return n.Text(r.Currency) }
	return KPIs{From: r.From, To: r.To, Currency: string(r.Currency), Days: r.Days, DSO: r.DSO, BestDSO: r.BestDSO,
		ADD: r.ADD, CEI: r.CEI, Sales: m(r.Input.Sales), OpeningAR: m(r.Input.OpeningAR), ClosingAR: m(r.Input.ClosingAR),
		ClosingCurrentAR: m(r.Input.ClosingCurrentAR)}
}

// CurrencyPosition is a customer's standing in one currency.
type CurrencyPosition struct {
	Currency      string   `json:"currency"`
	Balance       string   `json:"balance"`
	Overdue       string   `json:"overdue"`
	Aging         AgingRow `json:"aging"`
	OpenInvoices  int      `json:"open_invoices"`
	OldestOverdue *string  `json:"oldest_overdue_due_date,omitempty"`
	DaysOverdue   int      `json:"days_overdue" doc:"Days past due of the oldest overdue invoice"`
	Credit        string   `json:"credit" doc:"Unapplied payments held for the customer"`
}

// Position is a customer's position as of a date.
type Position struct {
	CustomerID   string             `json:"customer_id"`
	ExternalRef  string             `json:"external_ref,omitempty"`
	Name         string             `json:"name"`
	AsOf         civil.Date         `json:"as_of"`
	Currencies   []CurrencyPosition `json:"currencies"`
	Profile      Profile            `json:"profile"`
	Risk         Risk               `json:"risk"`
	Importance   Importance         `json:"importance"`
	Impact       []Impact           `json:"impact" doc:"What the delay costs us, per currency with overdue invoices"`
	Budget       *BudgetSummary     `json:"budget,omitempty" doc:"Absent when the customer gave no budget"`
	OpenPlans    []PlanRef          `json:"open_plans"`
	OpenPromises []Promise          `json:"open_promises"`
	Warnings     []string           `json:"warnings,omitempty" doc:"Figures that could not be computed from this customer's data (e.g. amounts beyond the limit, written by an older version)"`
}

func positionOut(p *service.Position) Position {
	out := Position{CustomerID: p.Customer.ID, ExternalRef: p.Customer.ExternalRef, Name: p.Customer.Name, AsOf: p.AsOf, Currencies: []CurrencyPosition{}}
	for _, c := range p.Currencies {
		cp := CurrencyPosition{Currency: string(c.Currency), Balance: c.Total().Text(c.Currency),
			Overdue: c.Overdue().Text(c.Currency), Aging: agingRow(c.Buckets), OpenInvoices: c.OpenInvoices,
			DaysOverdue: c.DaysOverdue, Credit: c.Credit.Text(c.Currency)}
		if c.OldestOverdue != nil {
			s := c.OldestOverdue.String()
			cp.OldestOverdue = &s
		}
		out.Currencies = append(out.Currencies, cp)
	}
	assessmentOut(&out, p.Assessment)
	return out
}

// QuoteInstallment is one line of a quoted schedule.
type QuoteInstallment struct {
	Seq       int        `json:"seq"`
	DueDate   civil.Date `json:"due_date"`
	Amount    string     `json:"amount"`
	Principal string     `json:"principal"`
	Interest  string     `json:"interest"`
	Down      bool       `json:"down_payment,omitempty"`
}

// QuoteSchedule is a quoted schedule.
type QuoteSchedule struct {
	Currency     string             `json:"currency"`
	Balance      string             `json:"balance"`
	Total        string             `json:"total" doc:"Balance plus interest"`
	Interest     string             `json:"interest"`
	Installments []QuoteInstallment `json:"installments"`
}

// QuoteAlternative is "pay a little more each time, finish sooner".
type QuoteAlternative struct {
	Label         string        `json:"label" example:"Pay 10.00 more each time: 2 fewer installments, 61 days sooner"`
	Extra         string        `json:"extra"`
	Installments  int           `json:"installments"`
	Fewer         int           `json:"fewer_installments"`
	DaysSooner    int           `json:"days_sooner"`
	InterestSaved string        `json:"interest_saved"`
	Offer         QuoteSchedule `json:"offer"`
}

// Quote is the calculator's answer (contract.md: currency, balance, total, installments, alternatives).
type Quote struct {
	QuoteSchedule
	Alternatives []QuoteAlternative `json:"alternatives"`
}

func scheduleOut(s plan.Schedule) QuoteSchedule {
	out := QuoteSchedule{Currency: string(s.Currency), Balance: s.Balance.String(), Total: s.Total.String(),
		Interest: s.Interest.String(), Installments: []QuoteInstallment{}}
	for _, in := range s.Installments {
		out.Installments = append(out.Installments, QuoteInstallment{Seq: in.Seq, DueDate: in.DueDate, Amount: in.Amount.String(),
			Principal: in.Principal.String(), Interest: in.Interest.String(), Down: in.Down})
	}
	return out
}

// QuoteOf is the API (and `settle quote --json`) shape of a quote.
func QuoteOf(q *service.QuoteResult) Quote {
	out := Quote{QuoteSchedule: scheduleOut(q.Schedule), Alternatives: []QuoteAlternative{}}
	for _, a := range q.Alternatives {
		out.Alternatives = append(out.Alternatives, QuoteAlternative{Label: alternativeLabel(a), Extra: a.Extra.String(),
			Installments: a.Installments, Fewer: a.Fewer, DaysSooner: a.DaysSooner, InterestSaved: a.InterestSaved.String(),
			Offer: scheduleOut(a.Schedule)})
	}
	return out
}

// alternativeLabel says what an alternative gains, in money and time.
func alternativeLabel(a plan.Alternative) string {
	fewer := "1 fewer installment"
	if a.Fewer != 1 {
		fewer = fmt.Sprintf("%d fewer installments", a.Fewer)
	}
	label := fmt.Sprintf("Pay %s more each time: %s, finished %d days sooner", a.Extra, fewer, a.DaysSooner)
	if a.InterestSaved.IsPositive() {
		label += fmt.Sprintf(", %s less interest", a.InterestSaved)
	}
	return label
}

// Promise is a promise to pay, judged as of a date.
type Promise struct {
	ID         string     `json:"id"`
	CustomerID string     `json:"customer_id"`
	Currency   string     `json:"currency"`
	Amount     string     `json:"amount"`
	PromisedOn civil.Date `json:"promised_on"`
	DueDate    civil.Date `json:"due_date"`
	Channel    string     `json:"channel"`
	Note       string     `json:"note,omitempty"`
	AsOf       civil.Date `json:"as_of"`
	Status     string     `json:"status" enum:"open,kept,broken"`
	Paid       string     `json:"paid" doc:"Payments counted towards it: received from promised_on through the due date (or as_of)"`
	CreatedAt  time.Time  `json:"created_at"`
}

func promiseOut(v *service.PromiseView) Promise {
	p := v.Promise
	return Promise{ID: p.ID, CustomerID: p.CustomerID, Currency: string(p.Amount.Currency()), Amount: p.Amount.String(),
		PromisedOn: p.PromisedOn, DueDate: p.DueDate, Channel: p.Channel, Note: p.Note, AsOf: v.AsOf, Status: v.Status,
		Paid: v.Paid.String(), CreatedAt: p.CreatedAt}
}

// PlanInstallment is one installment of a plan, with its state as of a date.
type PlanInstallment struct {
	Seq       int        `json:"seq"`
	DueDate   civil.Date `json:"due_date"`
	Amount    string     `json:"amount"`
	Principal string     `json:"principal"`
	Interest  string     `json:"interest"`
	Down      bool       `json:"down_payment,omitempty"`
	Paid      string     `json:"paid"`
	Status    string     `json:"status" enum:"due,partial,paid,late,missed,pending" doc:"pending until the plan is accepted"`
	PaidOn    *string    `json:"paid_on,omitempty"`
}

// PlanTerms are a plan's terms.
type PlanTerms struct {
	Methods            []string `json:"methods"`
	Autopay            bool     `json:"autopay"`
	GraceDays          int      `json:"grace_days"`
	LateFee            string   `json:"late_fee"`
	DefaultAfterMissed int      `json:"default_after_missed"`
	DefaultDaysLate    int      `json:"default_days_late"`
	AnnualRate         string   `json:"annual_rate,omitempty"`
	EarlyPayoff        string   `json:"early_payoff_discount,omitempty" doc:"Share of the remaining balance waived when it is all paid early"`
}

// PlanConcession is a concession in money.
type PlanConcession struct {
	Kind   string `json:"kind"`
	Amount string `json:"amount"`
	Text   string `json:"text" example:"Late fees waived"`
	Note   string `json:"note,omitempty"`
}

// PlanAcceptance records who accepted, when and how.
type PlanAcceptance struct {
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Channel string    `json:"channel"`
	IP      string    `json:"ip,omitempty"`
}

// PlanOverride records an admin's override of the segment's policy.
type PlanOverride struct {
	Reason   string       `json:"reason"`
	By       string       `json:"by" doc:"Who overrode it (user:usr_…, token:tok_…)"`
	Segment  string       `json:"segment" doc:"The segment whose policy was applied"`
	Breaches []PlanBreach `json:"breaches" doc:"Every limit the plan breaks"`
}

// PlanBreach is one limit of the policy a plan breaks.
type PlanBreach struct {
	Field   string `json:"field" doc:"The input field: installments, installment_amount, dates, start_date or down_payment"`
	Message string `json:"message" example:"36 monthly installments run 36 months; the policy for segment retail allows at most 24"`
}

// Plan is a payment plan as of a date.
type Plan struct {
	ID           string            `json:"id"`
	CustomerID   string            `json:"customer_id"`
	Version      int               `json:"version"`
	SupersedesID string            `json:"supersedes_id,omitempty" doc:"The plan this version replaced"`
	BankRef      string            `json:"bank_reference,omitempty" doc:"The reference to quote on a bank transfer (STL- and 8 symbols, the last a check symbol)"`
	Status       string            `json:"status" enum:"proposed,active,completed,defaulted,superseded,cancelled"`
	AsOf         civil.Date        `json:"as_of"`
	Currency     string            `json:"currency"`
	Balance      string            `json:"balance"`
	Total        string            `json:"total"`
	InvoiceIDs   []string          `json:"invoice_ids"`
	Installments []PlanInstallment `json:"installments"`
	Terms        PlanTerms         `json:"terms"`
	Concessions  []PlanConcession  `json:"concessions"`
	Acceptance   *PlanAcceptance   `json:"acceptance,omitempty"`
	Override     *PlanOverride     `json:"policy_override,omitempty" doc:"Present when an admin made the plan outside its segment's policy"`
	Paid         string            `json:"paid"`
	Outstanding  string            `json:"outstanding"`
	Missed       int               `json:"missed_installments"`
	Fees         string            `json:"fees" doc:"Late fees for missed installments"`
	CompletedOn  *string           `json:"completed_on,omitempty"`
	DefaultedOn  *string           `json:"defaulted_on,omitempty"`
	Events       []PlanEvent       `json:"events" doc:"Recorded events; installment_missed and plan_defaulted are written by the daily collections run"`
	CreatedAt    time.Time         `json:"created_at"`
}

// PlanEvent is something that happened to a plan.
type PlanEvent struct {
	Kind string     `json:"kind"`
	On   civil.Date `json:"on"`
	At   time.Time  `json:"at"`
}

func dateOrNil(d civil.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.String()
	return &s
}

func planOut(v *service.PlanView) Plan {
	p := v.Plan
	cur := p.Balance.Currency()
	total := int64(0)
	for _, in := range p.Installments {
		total += in.Amount.Minor()
	}
	out := Plan{ID: p.ID, CustomerID: p.CustomerID, Version: p.Version, SupersedesID: p.SupersedesID, Status: v.Status, AsOf: v.AsOf, Currency: string(cur),
		Balance: p.Balance.String(), Total: money.New(total, cur).String(), InvoiceIDs: p.InvoiceIDs, Installments: []PlanInstallment{},
		Terms: PlanTerms{Methods: p.Methods, Autopay: p.Autopay, GraceDays: p.Rules.GraceDays, LateFee: p.Rules.LateFee.String(),
			DefaultAfterMissed: p.Rules.DefaultAfterMissed, DefaultDaysLate: p.Rules.DefaultDaysLate, AnnualRate: p.AnnualRate, EarlyPayoff: p.EarlyPayoffDiscount},
		Concessions: []PlanConcession{}, Paid: money.Zero(cur).String(), Outstanding: money.New(total, cur).String(),
		Fees: money.Zero(cur).String(), Events: []PlanEvent{}, CreatedAt: p.CreatedAt}
	out.BankRef = v.BankRef
	for _, e := range v.Events {
		out.Events = append(out.Events, PlanEvent{Kind: e.Kind, On: e.On, At: e.At})
	}
	for _, c := range p.Concessions {
		out.Concessions = append(out.Concessions, PlanConcession{Kind: c.Kind, Amount: c.Amount.String(), Text: plan.ConcessionKinds[c.Kind], Note: c.Note})
	}
	if a := p.Acceptance; a != nil {
		out.Acceptance = &PlanAcceptance{By: a.By, At: a.At, Channel: a.Channel, IP: a.IP}
	}
	if o := p.PolicyOverride; o != nil {
		out.Override = &PlanOverride{Reason: o.Reason, By: o.By, Segment: o.Segment, Breaches: []PlanBreach{}}
		for _, b := range o.Breaches {
			out.Override.Breaches = append(out.Override.Breaches, PlanBreach{Field: b.Field, Message: b.Message})
		}
	}
	for i, in := range p.Installments {
		pi := PlanInstallment{Seq: in.Seq, DueDate: in.DueDate, Amount: in.Amount.String(), Principal: in.Principal.String(),
			Interest: in.Interest.String(), Down: in.Down, Paid: money.Zero(cur).String(), Status: "pending"}
		if t := v.Tracking; t != nil {
			st := t.Installments[i]
			pi.Paid, pi.Status, pi.PaidOn = st.Paid.String(), st.Status, dateOrNil(st.PaidOn)
		}
		out.Installments = append(out.Installments, pi)
	}
	if t := v.Tracking; t != nil {
		out.Paid, out.Outstanding, out.Missed, out.Fees = t.Paid.String(), t.Outstanding.String(), t.Missed, t.Fees.String()
		out.CompletedOn, out.DefaultedOn = dateOrNil(t.CompletedOn), dateOrNil(t.DefaultedOn)
	}
	return out
}
