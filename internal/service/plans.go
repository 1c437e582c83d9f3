package service

import (
	"context"
	"errors"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/notify"
	"settle/internal/plan"
	"settle/internal/store"
	"settle/internal/text"
)

// Default plan terms (domain.md §3), used when the request leaves them out.
const (
	DefaultGraceDays          = 5
	DefaultAfterMissed        = 2
	DefaultDaysLate           = 60
	defaultMethod             = "bank_transfer"
	maxConcessionsPerProposal = 10
)

// ConcessionInput is one concession granted, in money.
type ConcessionInput struct {
	Kind   string `json:"kind" doc:"fee_waived, interest_frozen, settlement_discount or early_payment_discount"`
	Amount string `json:"amount"`
	Note   string `json:"note,omitempty" maxLength:"500"`
}

// PlanInput proposes a plan over a customer's invoices. The balance is the
// sum of the invoices' open balances; the schedule terms are the quote's.
type PlanInput struct {
	CustomerID string   `json:"customer_id" doc:"Customer id or external_ref"`
	InvoiceIDs []string `json:"invoice_ids" doc:"Invoices (ids or numbers) the plan covers: open, of one currency, in no other open plan"`
	PlanTermsInput
	// settlement, when set, is what the plan collects in full settlement
	// of the invoices (a negotiated lump sum); the rest is written off
	// when the plan completes.
	settlement *money.Amount
}

// PlanTermsInput are a plan's schedule and terms.
type PlanTermsInput struct {
	Installments        int               `json:"installments,omitempty"`
	InstallmentAmount   string            `json:"installment_amount,omitempty"`
	Frequency           string            `json:"frequency,omitempty"`
	StartDate           string            `json:"start_date,omitempty"`
	Dates               []string          `json:"dates,omitempty"`
	DownPayment         string            `json:"down_payment,omitempty"`
	AnnualRate          string            `json:"annual_rate,omitempty"`
	Roll                string            `json:"roll,omitempty"`
	Country             string            `json:"country,omitempty"`
	Methods             []string          `json:"methods,omitempty" doc:"Accepted payment methods (default bank_transfer)"`
	Autopay             bool              `json:"autopay,omitempty"`
	GraceDays           *int              `json:"grace_days,omitempty" doc:"Days after a due date before a payment is missed (default 5)"`
	LateFee             string            `json:"late_fee,omitempty" doc:"Fee per missed installment (default none)"`
	DefaultAfterMissed  *int              `json:"default_after_missed,omitempty" doc:"The plan defaults after this many missed installments (default 2; 0 = never)"`
	DefaultDaysLate     *int              `json:"default_days_late,omitempty" doc:"…or when a payment is this many days late (default 60; 0 = never)"`
	Concessions         []ConcessionInput `json:"concessions,omitempty"`
	EarlyPayoffDiscount string            `json:"early_payoff_discount,omitempty" doc:"Share of the remaining balance waived when it is all paid early, e.g. 0.02"`
	AsOf                string            `json:"as_of,omitempty" doc:"Start may not be before this date (default today)"`
	// OverrideReason lets an admin make a plan outside the segment's
	// policy (docs/negotiation.md "Policies bind every path").
	OverrideReason string `json:"override_reason,omitempty" doc:"Admins only: why the plan may break the limits of the customer's segment policy (term, smallest installment, start, down payment). Required to make such a plan; recorded on the plan and in the audit log" maxLength:"500"`
}

// PlanView is a plan with its tracking as of a date (nil tracking for a
// plan that is not active).
type PlanView struct {
	Plan     plan.Plan
	AsOf     civil.Date
	Status   string
	Tracking *plan.Tracking
	Invoices []ledger.Invoice
	Events   []store.PlanEvent
	// BankRef is the reference the customer quotes on a bank transfer
	// ("STL-…", bank.go); "" for a plan made before migration 00017 until
	// it is first read in a writing transaction.
	BankRef string
}

// planEvent records an event of the plan, in the caller's transaction.
func planEvent(ctx context.Context, tx store.Tx, planID, kind string, on civil.Date) error {
	if kind == "plan_proposed" {
		// Every new plan (proposed here, renegotiated, or accepted from a
		// negotiation) gets its bank reference with its first event.
		if _, err := assignBankRef(ctx, tx, planID); err != nil {
			return err
		}
	}
	return tx.AppendPlanEvent(ctx, &store.PlanEvent{PlanID: planID, Kind: kind, On: on})
}

// recordCompletions writes plan_completed for each of the customer's
// active plans that the payments complete by asOf (once: a repeat is
// ignored by the store). A settlement plan's completion writes off the
// rest of its invoices (settleWriteOff).
func recordCompletions(ctx context.Context, tx store.Tx, customerID string, asOf civil.Date) error {
	ids, err := tx.ActivePlans(ctx, customerID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		v, err := loadPlan(ctx, tx, id, asOf)
		if err != nil {
			return err
		}
		if v.Tracking == nil || v.Tracking.Status != plan.PlanCompleted {
			continue
		}
		done := false
		for _, e := range v.Events {
			done = done || e.Kind == plan.EventPlanCompleted
		}
		if done {
			continue
		}
		if err := planEvent(ctx, tx, id, plan.EventPlanCompleted, v.Tracking.CompletedOn); err != nil {
			return err
		}
		if err := settleWriteOff(ctx, tx, v); err != nil {
			return err
		}
	}
	return nil
}

// settleWriteOff posts, for a completed settlement plan, a credit note on
// each of its invoices for what is left of it (up to the settlement
// discount), so that the ledger shows them paid: the customer kept the
// settlement.
func settleWriteOff(ctx context.Context, tx store.Tx, v *PlanView) error {
	var discount int64
	for _, c := range v.Plan.Concessions {
		if c.Kind == "settlement_discount" {
			discount += c.Amount.Minor()
		}
	}
	if discount <= 0 {
		return nil
	}
	for _, invID := range v.Plan.InvoiceIDs {
		inv, err := tx.Invoice(ctx, invID)
		if err != nil {
			return err
		}
		amt := min(inv.Balance.Minor(), discount)
		if amt <= 0 {
			continue
		}
		cn := ledger.Payment{Kind: ledger.KindCreditNote, CustomerID: v.Plan.CustomerID, ReceivedOn: v.Tracking.CompletedOn,
			Amount: money.New(amt, inv.Amount.Currency()), Method: "write_off", Reference: "settlement of plan " + v.Plan.ID, InvoiceID: inv.ID}
		if err := tx.InsertPayment(ctx, &cn); err != nil {
			return err
		}
		discount -= amt
	}
	_, err := reallocate(ctx, tx, v.Plan.CustomerID)
	return err
}

// CreatePlan proposes a plan: the customer accepts it later.
func (s *Service) CreatePlan(ctx context.Context, in PlanInput) (*PlanView, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	var fs apperr.Fields
	if in.CustomerID == "" {
		fs.Add("customer_id", "is required")
	}
	if len(in.InvoiceIDs) == 0 {
		fs.Add("invoice_ids", "name at least one invoice")
	}
	if err := fs.Err("plan"); err != nil {
		return nil, err
	}
	var view PlanView
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		p, invs, asOf, err := s.proposePlan(ctx, tx, in)
		if err != nil {
			return err
		}
		if err := s.bindPolicy(ctx, tx, p, in.PlanTermsInput, asOf); err != nil {
			return err
		}
		if err := tx.InsertPlan(ctx, p); err != nil {
			return err
		}
		if err := auditOverride(ctx, tx, p); err != nil {
			return err
		}
		view = PlanView{Plan: *p, AsOf: asOf, Status: p.Status, Invoices: invs}
		if err := planEvent(ctx, tx, p.ID, "plan_proposed", civil.In(tx.Now(), time.UTC)); err != nil {
			return err
		}
		if view.BankRef, err = assignBankRef(ctx, tx, p.ID); err != nil {
			return err
		}
		return audit(ctx, tx, "plan.propose", "plan", p.ID, in)
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}

// proposePlan builds (but does not store) a proposed plan from in.
func (s *Service) proposePlan(ctx context.Context, tx store.Tx, in PlanInput) (*plan.Plan, []ledger.Invoice, civil.Date, error) {
	c, err := tx.Customer(ctx, in.CustomerID)
	if err != nil {
		return nil, nil, civil.Date{}, fieldNotFound("customer_id", err)
	}
	// Two plans proposed at once over the same invoice would each find it
	// in no open plan: the second waits here and then finds the first's.
	if err := tx.LockCustomer(ctx, c.ID); err != nil {
		return nil, nil, civil.Date{}, err
	}
	asOf, err := s.AsOf("as_of", in.AsOf)
	if err != nil {
		return nil, nil, civil.Date{}, err
	}
	invs, balance, defaulted, err := planInvoices(ctx, tx, c.ID, in.InvoiceIDs, asOf)
	if err != nil {
		return nil, nil, civil.Date{}, err
	}
	// A plan that has defaulted covers its invoices no longer; the new plan
	// over them supersedes it (its next version), so that each invoice is
	// in one open plan and the history stays linked.
	var replaced *plan.Plan
	for _, id := range defaulted {
		old, err := endPlan(ctx, tx, id, plan.Superseded, "plan_superseded")
		if err != nil {
			return nil, nil, civil.Date{}, err
		}
		if replaced == nil {
			replaced = old
		}
	}
	if in.settlement != nil {
		if in.settlement.Currency() != balance.Currency() || !in.settlement.IsPositive() || in.settlement.Minor() > balance.Minor() {
			return nil, nil, civil.Date{}, apperr.Field("settlement", "%s %s must be positive and at most the invoices' balance %s", in.settlement, in.settlement.Currency(), balance)
		}
		balance = *in.settlement
	}
	q := QuoteInput{Balance: balance.String(), Currency: string(balance.Currency()), Installments: in.Installments,
		InstallmentAmount: in.InstallmentAmount, Frequency: in.Frequency, StartDate: in.StartDate, Dates: in.Dates,
		DownPayment: in.DownPayment, AnnualRate: in.AnnualRate, Roll: in.Roll, Country: in.Country, AsOf: in.AsOf}
	terms, err := s.quoteTerms(q)
	if err != nil {
		return nil, nil, civil.Date{}, err
	}
	sched, err := plan.Quote(terms)
	if err != nil {
		return nil, nil, civil.Date{}, err
	}
	p := &plan.Plan{CustomerID: c.ID, Version: 1, Status: plan.Proposed, Balance: balance, Installments: sched.Installments,
		Methods: in.Methods, Autopay: in.Autopay, AnnualRate: strings.TrimSpace(in.AnnualRate)}
	if replaced != nil {
		p.Version, p.SupersedesID = replaced.Version+1, replaced.ID
	}
	for _, inv := range invs {
		p.InvoiceIDs = append(p.InvoiceIDs, inv.ID)
	}
	if p.Rules, err = planRules(in.PlanTermsInput, balance.Currency()); err != nil {
		return nil, nil, civil.Date{}, err
	}
	if len(p.Methods) == 0 {
		p.Methods = []string{defaultMethod}
	}
	if v := strings.TrimSpace(in.EarlyPayoffDiscount); v != "" {
		r, ok := parseRate(v)
		if !ok || r.Cmp(big.NewRat(1, 2)) > 0 {
			return nil, nil, civil.Date{}, apperr.Field("early_payoff_discount", "%q must be a share between 0 and 0.5, e.g. 0.02", v)
		}
		p.EarlyPayoffDiscount = v
	}
	if p.Concessions, err = concessions(in.Concessions, balance.Currency()); err != nil {
		return nil, nil, civil.Date{}, err
	}
	return p, invs, terms.AsOf, nil
}

// planInvoices resolves the invoices a plan covers and sums their balances.
// An invoice in an open plan is refused unless that plan has defaulted as
// of asOf: those plans are returned, for the caller to supersede.
func planInvoices(ctx context.Context, tx store.Tx, customerID string, refs []string, asOf civil.Date) ([]ledger.Invoice, money.Amount, []string, error) {
	var invs []ledger.Invoice
	var fs apperr.Fields
	var ids []string
	seen := map[string]bool{}
	for _, ref := range refs {
		inv, err := tx.Invoice(ctx, ref)
		switch {
		case apperr.CodeOf(err) == apperr.NotFound:
			fs.Add("invoice_ids", "unknown invoice %q", ref)
			continue
		case err != nil:
			return nil, money.Amount{}, nil, err
		case seen[inv.ID]:
			fs.Add("invoice_ids", "invoice %s is listed twice", inv.Number)
			continue
		case inv.CustomerID != customerID:
			fs.Add("invoice_ids", "invoice %s belongs to another customer", inv.Number)
		case inv.Status() != ledger.StatusOpen:
			fs.Add("invoice_ids", "invoice %s is %s: only open invoices go into a plan", inv.Number, inv.Status())
		case len(invs) > 0 && inv.Amount.Currency() != invs[0].Amount.Currency():
			fs.Add("invoice_ids", "invoice %s is in %s, the others in %s: a plan has one currency", inv.Number, inv.Amount.Currency(), invs[0].Amount.Currency())
		}
		seen[inv.ID] = true
		invs = append(invs, *inv)
		ids = append(ids, inv.ID)
	}
	if err := fs.Err("plan"); err != nil {
		return nil, money.Amount{}, nil, err
	}
	inPlans, defaulted, err := coveringPlans(ctx, tx, ids, asOf)
	if err != nil {
		return nil, money.Amount{}, nil, err
	}
	for _, inv := range invs {
		if pl, ok := inPlans[inv.ID]; ok {
			return nil, money.Amount{}, nil, apperr.Errorf(apperr.Conflict, "invoice %s is already in plan %s", inv.Number, pl)
		}
	}
	total, err := sumBalances("invoice_ids", invs)
	if err != nil {
		return nil, money.Amount{}, nil, err
	}
	return invs, total, defaulted, nil
}

// coveringPlans maps each of the invoices in an open plan that still stands
// as of asOf to that plan. Plans that have defaulted by then (two installments
// missed, or one too late: the remaining balance fell due) are left out and
// returned apart: their invoices may go into a new plan.
func coveringPlans(ctx context.Context, tx store.Tx, ids []string, asOf civil.Date) (map[string]string, []string, error) {
	inPlans, err := tx.InvoicesInOpenPlans(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	fell := map[string]bool{}
	var defaulted []string
	for _, pid := range inPlans {
		if _, seen := fell[pid]; seen {
			continue
		}
		v, err := loadPlan(ctx, tx, pid, asOf)
		if err != nil {
			return nil, nil, err
		}
		fell[pid] = v.Tracking != nil && v.Tracking.Status == plan.PlanDefaulted
		if fell[pid] {
			defaulted = append(defaulted, pid)
		}
	}
	sort.Strings(defaulted)
	for inv, pid := range inPlans {
		if fell[pid] {
			delete(inPlans, inv)
		}
	}
	return inPlans, defaulted, nil
}

// sumBalances adds the invoices' balances for a plan or a negotiation. The
// sum must be a single amount within money's limit (docs/ledger.md,
// "Limits"): a plan's schedule, fees and installments are Amounts. Data
// beyond it (only possible for amounts written before the limit existed)
// is refused naming field, instead of failing with an overflow.
func sumBalances(field string, invs []ledger.Invoice) (money.Amount, error) {
	cur := invs[0].Amount.Currency()
	var sum money.Wide
	for _, inv := range invs {
		sum = sum.AddInt64(inv.Balance.Minor())
	}
	total, ok := sum.Amount(cur)
	if ok {
		ok = total.CheckLimit() == nil
	}
	if !ok {
		return money.Amount{}, apperr.Field(field, "the open balance %s %s is above the largest amount settle handles (%s %s); correct or void the oversized invoices first",
			sum.Text(cur), cur, money.New(cur.MaxMinor(), cur), cur)
	}
	return total, nil
}

func planRules(in PlanTermsInput, cur money.Currency) (plan.Rules, error) {
	var fs apperr.Fields
	r := plan.Rules{GraceDays: DefaultGraceDays, DefaultAfterMissed: DefaultAfterMissed, DefaultDaysLate: DefaultDaysLate, LateFee: money.Zero(cur)}
	set := func(dst *int, v *int, field string, max int) {
		if v == nil {
			return
		}
		if *v < 0 || *v > max {
			fs.Add(field, "%d must be between 0 and %d", *v, max)
			return
		}
		*dst = *v
	}
	set(&r.GraceDays, in.GraceDays, "grace_days", 90)
	set(&r.DefaultAfterMissed, in.DefaultAfterMissed, "default_after_missed", 24)
	set(&r.DefaultDaysLate, in.DefaultDaysLate, "default_days_late", 365)
	if in.LateFee != "" {
		fee, err := money.Parse(strings.TrimSpace(in.LateFee), cur)
		switch {
		case err != nil:
			fs.Add("late_fee", "%s", err)
		case fee.IsNegative():
			fs.Add("late_fee", "%s must not be negative", in.LateFee)
		default:
			r.LateFee = fee
		}
	}
	return r, fs.Err("plan")
}

func concessions(in []ConcessionInput, cur money.Currency) ([]plan.Concession, error) {
	var fs apperr.Fields
	var out []plan.Concession
	if len(in) > maxConcessionsPerProposal {
		fs.Add("concessions", "at most %d", maxConcessionsPerProposal)
	}
	for i, c := range in {
		if _, ok := plan.ConcessionKinds[c.Kind]; !ok {
			fs.Add("concessions", "item %d: kind %q must be fee_waived, interest_frozen, settlement_discount or early_payment_discount", i+1, c.Kind)
			continue
		}
		a, err := money.Parse(strings.TrimSpace(c.Amount), cur)
		if err != nil || !a.IsPositive() {
			fs.Add("concessions", "item %d: amount %q must be a positive %s amount", i+1, c.Amount, cur)
			continue
		}
		if msg := text.Check(strings.TrimSpace(c.Note), text.Line); msg != "" {
			fs.Add("concessions", "item %d: note %s", i+1, msg)
			continue
		}
		out = append(out, plan.Concession{Kind: c.Kind, Amount: a, Note: strings.TrimSpace(c.Note)})
	}
	return out, fs.Err("plan")
}

// Plan returns a plan and, when active, its tracking as of asOf.
func (s *Service) Plan(ctx context.Context, id string, asOf civil.Date) (*PlanView, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	return s.viewPlan(ctx, id, asOf, nil)
}

// viewPlan loads a plan as of asOf and then calls then (if not nil) in the
// same transaction. It is a read: it runs in a read transaction, which on
// SQLite never waits for a writer such as a running import. Only a proposed
// or active plan without a bank reference (made before migration 00017)
// needs a write, once: then it runs again in a write transaction that gives
// the plan its reference.
func (s *Service) viewPlan(ctx context.Context, id string, asOf civil.Date, then func(store.Tx, *PlanView) error) (*PlanView, error) {
	var view *PlanView
	load := func(tx store.Tx, backfill bool) error {
		var err error
		if view, err = loadPlan(ctx, tx, id, asOf); err != nil {
			return err
		}
		if needsBankRef(view) {
			if !backfill {
				return errNeedsWrite
			}
			if err := backfillBankRef(ctx, tx, view); err != nil {
				return err
			}
		}
		if then != nil {
			return then(tx, view)
		}
		return nil
	}
	err := s.store.ReadTx(ctx, func(tx store.Tx) error { return load(tx, false) })
	if errors.Is(err, errNeedsWrite) {
		err = s.store.Tx(ctx, func(tx store.Tx) error { return load(tx, true) })
	}
	return view, err
}

// errNeedsWrite ends a read transaction that found something to write
// first (viewPlan).
var errNeedsWrite = errors.New("service: this read needs a write transaction")

// loadPlan reads a plan and tracks it. Receipts are the customer's
// payments in the plan's currency received from the acceptance date on,
// except those that name an invoice outside the plan (those pay that
// invoice).
func loadPlan(ctx context.Context, tx store.Tx, id string, asOf civil.Date) (*PlanView, error) {
	p, err := tx.Plan(ctx, id)
	if err != nil {
		return nil, err
	}
	view := &PlanView{Plan: *p, AsOf: asOf, Status: p.Status}
	if view.Events, err = tx.PlanEvents(ctx, id); err != nil {
		return nil, err
	}
	refs, err := tx.PlanBankRefs(ctx, []string{p.ID})
	if err != nil {
		return nil, err
	}
	view.BankRef = refs[p.ID]
	for _, invID := range p.InvoiceIDs {
		inv, err := tx.Invoice(ctx, invID)
		if err != nil {
			return nil, err
		}
		view.Invoices = append(view.Invoices, *inv)
	}
	if p.Status != plan.Active {
		return view, nil
	}
	ledgerInvs, pays, err := tx.CustomerLedger(ctx, p.CustomerID)
	if err != nil {
		return nil, err
	}
	var receipts []plan.Receipt
	for _, pay := range planPayments(p, pays) {
		receipts = append(receipts, plan.Receipt{On: pay.ReceivedOn, Amount: pay.Amount})
	}
	tr, err := plan.Track(p.Installments, receipts, p.Rules, asOf)
	if err != nil {
		return nil, err
	}
	if tr.Status == plan.PlanActive && allClosedAsOf(p.InvoiceIDs, ledger.AppliedAsOf(ledger.Allocate(ledgerInvs, pays).Allocations, asOf), ledgerInvs, asOf) {
		// The plan's invoices were paid off outside it (e.g. a transfer
		// received before the acceptance but booked after it): nothing is
		// left to collect, so the plan is complete and no installment is
		// chased.
		tr.Status, tr.CompletedOn = plan.PlanCompleted, asOf
		tr.Events = append(tr.Events, plan.Event{On: asOf, Kind: plan.EventPlanCompleted})
	}
	view.Tracking = &tr
	view.Status = p.StatusAsOf(&tr)
	return view, nil
}

// allClosedAsOf reports whether every one of the invoices (ids, at least
// one) was paid or void on asOf: by the payments applied on or before that
// date (applied: ledger.AppliedAsOf), not by the balance as it stands today. A payment recorded ahead of
// its date (allow_future) or a replayed run of an earlier date must not
// find a plan complete before it was paid.
func allClosedAsOf(ids []string, applied map[string]int64, invs []ledger.Invoice, asOf civil.Date) bool {
	byID := map[string]ledger.Invoice{}
	for _, inv := range invs {
		byID[inv.ID] = inv
	}
	for _, id := range ids {
		inv, ok := byID[id]
		if !ok {
			return false
		}
		voided := !inv.VoidedOn.IsZero() && !inv.VoidedOn.After(asOf)
		if !voided && applied[id] < inv.Amount.Minor() {
			return false
		}
	}
	return len(ids) > 0
}

// AcceptInput is the customer's acceptance.
type AcceptInput struct {
	AcceptedBy string `json:"accepted_by" doc:"The person accepting, as they gave their name" maxLength:"200"`
	Channel    string `json:"channel" doc:"portal, email, phone, in_person or api"`
	IP         string `json:"-"`
}

// AcceptPlan records the customer's acceptance: the plan becomes active
// and cannot change except by renegotiation.
func (s *Service) AcceptPlan(ctx context.Context, id string, in AcceptInput) (*PlanView, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	if msg := text.Check(strings.TrimSpace(in.AcceptedBy), text.Name); msg != "" {
		return nil, apperr.Field("accepted_by", "%s", msg)
	}
	var view *PlanView
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		p, err := tx.PlanForUpdate(ctx, id)
		if err != nil {
			return err
		}
		a := plan.Acceptance{By: strings.TrimSpace(in.AcceptedBy), At: tx.Now(), Channel: strings.ToLower(strings.TrimSpace(in.Channel)), IP: in.IP}
		if err := p.Accept(a); err != nil {
			return err
		}
		if err := tx.UpdatePlanStatus(ctx, p); err != nil {
			return err
		}
		if err := planEvent(ctx, tx, p.ID, "plan_accepted", p.AcceptedOn()); err != nil {
			return err
		}
		if err := audit(ctx, tx, "plan.accept", "plan", p.ID, map[string]string{"accepted_by": a.By, "channel": a.Channel, "ip": a.IP}); err != nil {
			return err
		}
		if err := emit(ctx, tx, "plan.accepted", map[string]any{"plan_id": p.ID, "customer_id": p.CustomerID, "accepted_by": a.By,
			"channel": a.Channel, "accepted_at": a.At.UTC().Format(time.RFC3339)}); err != nil {
			return err
		}
		if view, err = loadPlan(ctx, tx, id, civil.In(tx.Now(), time.UTC)); err != nil {
			return err
		}
		return s.queueAgreementEmail(ctx, tx, view, "accepted")
	})
	return view, err
}

// endPlan cancels or supersedes a plan and records the event, in tx.
func endPlan(ctx context.Context, tx store.Tx, id, status, event string) (*plan.Plan, error) {
	p, err := tx.PlanForUpdate(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := p.End(status, tx.Now()); err != nil {
		return nil, err
	}
	if err := tx.UpdatePlanStatus(ctx, p); err != nil {
		return nil, err
	}
	return p, planEvent(ctx, tx, p.ID, event, civil.In(tx.Now(), time.UTC))
}

// CancelPlan ends a proposed or active plan; its invoices are chased again.
func (s *Service) CancelPlan(ctx context.Context, id, reason string) (*PlanView, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	if msg := text.Check(reason, text.Line); msg != "" {
		return nil, apperr.Field("reason", "%s", msg)
	}
	var view *PlanView
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		p, err := endPlan(ctx, tx, id, plan.Cancelled, "plan_cancelled")
		if err != nil {
			return err
		}
		if err := audit(ctx, tx, "plan.cancel", "plan", p.ID, map[string]string{"reason": reason}); err != nil {
			return err
		}
		view, err = loadPlan(ctx, tx, id, civil.In(tx.Now(), time.UTC))
		return err
	})
	return view, err
}

// AgreementPDF renders the plan's written agreement as of today: parties,
// covered invoices, every installment, methods, what a missed payment
// causes, the concessions in money and the acceptance record.
func (s *Service) AgreementPDF(ctx context.Context, id string) ([]byte, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	today := s.Today()
	var d notify.AgreementData
	_, err := s.viewPlan(ctx, id, today, func(tx store.Tx, v *PlanView) error {
		c, err := tx.Customer(ctx, v.Plan.CustomerID)
		if err != nil {
			return err
		}
		// The creditor's name and bank account: the organisation settings
		// (the configuration's until saved).
		org, err := s.organisationTx(ctx, tx)
		if err != nil {
			return err
		}
		if d, err = agreementData(ctx, tx, org.Name, c, v); err != nil {
			return err
		}
		d.BankAccount = org.Bank.Line()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return notify.AgreementPDF(d)
}

// agreementData is the written agreement of a plan version as it was made:
// issued on the day the version was made (in the customer's time zone),
// with each invoice's balance as it stood then. Downloaded again after a
// payment, or attached to the acceptance email days later, it is the same
// document the customer accepted.
func agreementData(ctx context.Context, tx store.Tx, creditor string, c *ledger.Customer, v *PlanView) (notify.AgreementData, error) {
	p := v.Plan
	cur := p.Balance.Currency()
	var total int64
	made := civil.In(p.CreatedAt, c.Location())
	balances, err := balancesWhenMade(ctx, tx, p.CustomerID, p.CreatedAt, made)
	if err != nil {
		return notify.AgreementData{}, err
	}
	d := notify.AgreementData{PlanID: p.ID, Version: strconv.Itoa(p.Version), Locale: c.Locale, Creditor: creditor, CustomerName: c.Name,
		CustomerRef: c.ExternalRef, Balance: p.Balance, Autopay: p.Autopay, Methods: p.Methods,
		GraceDays: p.Rules.GraceDays, DefaultAfterMissed: p.Rules.DefaultAfterMissed, DefaultDaysLate: p.Rules.DefaultDaysLate,
		IssuedOn: made, BankReference: v.BankRef}
	if p.Rules.LateFee.IsPositive() {
		d.LateFee = p.Rules.LateFee
	}
	for _, inv := range v.Invoices {
		bal, ok := balances[inv.ID]
		if !ok {
			bal = inv.Balance
		}
		d.Invoices = append(d.Invoices, notify.AgreementInvoice{Number: inv.Number, IssueDate: inv.IssueDate,
			DueDate: inv.DueDate, Amount: inv.Amount, Balance: bal})
	}
	for _, in := range p.Installments {
		total += in.Amount.Minor()
		d.Installments = append(d.Installments, notify.AgreementInstallment{Seq: in.Seq, DueDate: in.DueDate,
			Amount: in.Amount, Principal: in.Principal, Interest: in.Interest, DownPayment: in.Down})
	}
	d.Total = money.New(total, cur)
	if r, ok := parseRate(p.EarlyPayoffDiscount); ok && r.Sign() > 0 {
		pct := new(big.Rat).Mul(r, big.NewRat(100, 1)).FloatString(2)
		d.EarlyPayoffPercent = strings.TrimSuffix(strings.TrimRight(pct, "0"), ".")
	}
	for _, con := range p.Concessions {
		d.Concessions = append(d.Concessions, notify.AgreementConcession{Kind: con.Kind, Amount: con.Amount, Note: con.Note})
	}
	if a := p.Acceptance; a != nil {
		d.Acceptance = &notify.AgreementAcceptance{By: a.By, At: a.At, Channel: a.Channel, IP: a.IP}
	}
	return d, nil
}

// balancesWhenMade is each of the customer's invoices' open balance at the
// instant at (on the civil day on): the invoices and payments recorded by
// then, allocated as the ledger allocates them, counting only what was
// applied by that day (a payment recorded ahead of its date was not).
func balancesWhenMade(ctx context.Context, tx store.Tx, customerID string, at time.Time, on civil.Date) (map[string]money.Amount, error) {
	invs, pays, err := tx.CustomerLedger(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var thenInvs []ledger.Invoice
	for _, inv := range invs {
		if !inv.CreatedAt.After(at) {
			thenInvs = append(thenInvs, inv)
		}
	}
	var thenPays []ledger.Payment
	for _, pay := range pays {
		if !pay.CreatedAt.After(at) {
			thenPays = append(thenPays, pay)
		}
	}
	applied := ledger.AppliedAsOf(ledger.Allocate(thenInvs, thenPays).Allocations, on)
	out := make(map[string]money.Amount, len(thenInvs))
	for _, inv := range thenInvs {
		out[inv.ID] = money.New(max(inv.Amount.Minor()-applied[inv.ID], 0), inv.Amount.Currency())
	}
	return out, nil
}

// RenegotiatePlan replaces a proposed or active plan with a new version
// over what is still owed on its invoices: the old plan is superseded
// (kept, readable), the new one is proposed and needs acceptance, over
// the old plan's customer and still-open invoices.
func (s *Service) RenegotiatePlan(ctx context.Context, id string, terms PlanTermsInput) (*PlanView, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	var view PlanView
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		old, err := endPlan(ctx, tx, id, plan.Superseded, "plan_superseded")
		if err != nil {
			return err
		}
		// The invoices still open carry what is owed now.
		var open []string
		for _, invID := range old.InvoiceIDs {
			inv, err := tx.Invoice(ctx, invID)
			if err != nil {
				return err
			}
			if inv.Status() == ledger.StatusOpen {
				open = append(open, inv.ID)
			}
		}
		if len(open) == 0 {
			return apperr.Errorf(apperr.Conflict, "plan %s has nothing left to pay: its invoices are settled", old.ID)
		}
		in := PlanInput{CustomerID: old.CustomerID, InvoiceIDs: open, PlanTermsInput: terms}
		p, invs, asOf, err := s.proposePlan(ctx, tx, in)
		if err != nil {
			return err
		}
		if err := s.bindPolicy(ctx, tx, p, terms, asOf); err != nil {
			return err
		}
		p.Version, p.SupersedesID = old.Version+1, old.ID
		if err := tx.InsertPlan(ctx, p); err != nil {
			return err
		}
		if err := auditOverride(ctx, tx, p); err != nil {
			return err
		}
		view = PlanView{Plan: *p, AsOf: asOf, Status: p.Status, Invoices: invs}
		if err := planEvent(ctx, tx, p.ID, "plan_proposed", civil.In(tx.Now(), time.UTC)); err != nil {
			return err
		}
		if view.BankRef, err = assignBankRef(ctx, tx, p.ID); err != nil {
			return err
		}
		if err := audit(ctx, tx, "plan.renegotiate", "plan", p.ID, map[string]any{"supersedes": old.ID, "terms": in}); err != nil {
			return err
		}
		return s.queueAgreementEmail(ctx, tx, &view, "proposed")
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}
