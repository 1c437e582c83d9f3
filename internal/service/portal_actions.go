package service

import (
	"context"
	"errors"
	"slices"
	"strings"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/negotiate"
	"settle/internal/notify"
	"settle/internal/plan"
	"settle/internal/store"
	"settle/internal/text"
)

// What a customer does in the portal. Every function takes the verified
// PortalSession and touches only that customer's objects: an id from the
// URL or a form that names another customer's negotiation, plan or invoice
// is answered NotFound (not Forbidden: the portal does not confirm that
// another customer's object exists), before anything is written. The
// shared use cases (negotiation, plans, promises) run with the portal's
// actor, "portal:<customer id>", which is what the audit log shows.

// Portal limits of their own (the negotiation engine's limits apply to
// plans, the policy's to everything the engine offers).
const (
	// PortalPromiseMaxDays: a promise made in the portal is for a date at
	// most this far ahead; longer needs a payment plan.
	PortalPromiseMaxDays = 60
	maxPortalText        = 2000
)

// PortalDisputeReasons are the reasons a customer may give for a dispute.
var PortalDisputeReasons = []string{"not_received", "wrong_amount", "goods_or_service", "already_paid", "other"}

// PortalInvoice is an open invoice as the customer sees it.
type PortalInvoice struct {
	ledger.Invoice
	DaysLate int    // days past the due date as of the overview's date (0 when not due yet)
	PlanID   string // the open plan covering it, if any
}

// PortalTotal is what is owed in one currency.
type PortalTotal struct {
	Currency money.Currency
	Open     money.Amount // every open invoice
	Overdue  money.Amount // past their due date
	Disputed money.Amount // of Open: disputed, not chased meanwhile
}

// PortalOverview is the portal's home: what is owed and why, the plan, the
// promises, the standing negotiation, the contact preferences.
type PortalOverview struct {
	Customer    ledger.Customer
	AsOf        civil.Date
	Totals      []PortalTotal
	Invoices    []PortalInvoice // open, oldest due first
	Plans       []*PlanView     // proposed or active
	Promises    []PromiseView   // open
	Negotiation *store.Negotiation
	OptOuts     map[string]bool
	// Negotiable: there are open, undisputed invoices outside any plan
	// (the engine has something to offer), by currency.
	Negotiable []money.Currency
}

// PortalHome is the customer's overview as of today.
func (s *Service) PortalHome(ctx context.Context, p *PortalSession) (*PortalOverview, error) {
	today := s.Today()
	o := &PortalOverview{AsOf: today}
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, p.customerID)
		if err != nil {
			return err
		}
		o.Customer = *c
		invs, err := portalOpenInvoices(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		invIDs := make([]string, 0, len(invs))
		for _, inv := range invs {
			invIDs = append(invIDs, inv.ID)
		}
		// Invoices of a plan that has defaulted are due again, and may go
		// into a new plan (the default notice invites the customer to
		// propose one).
		inPlans, _, err := coveringPlans(ctx, tx, invIDs, today)
		if err != nil {
			return err
		}
		totals := map[money.Currency]*PortalTotal{}
		negotiable := map[money.Currency]bool{}
		for _, inv := range invs {
			pi := PortalInvoice{Invoice: inv, DaysLate: max(today.DaysSince(inv.DueDate), 0), PlanID: inPlans[inv.ID]}
			o.Invoices = append(o.Invoices, pi)
			cur := inv.Balance.Currency()
			t, ok := totals[cur]
			if !ok {
				z := money.Zero(cur)
				t = &PortalTotal{Currency: cur, Open: z, Overdue: z, Disputed: z}
				totals[cur] = t
			}
			t.Open, _ = t.Open.Add(inv.Balance)
			if pi.DaysLate > 0 {
				t.Overdue, _ = t.Overdue.Add(inv.Balance)
			}
			if inv.Disputed {
				t.Disputed, _ = t.Disputed.Add(inv.Balance)
			} else if pi.PlanID == "" {
				negotiable[cur] = true
			}
		}
		for _, t := range totals {
			o.Totals = append(o.Totals, *t)
		}
		slices.SortFunc(o.Totals, func(a, b PortalTotal) int { return strings.Compare(string(a.Currency), string(b.Currency)) })
		for cur := range negotiable {
			o.Negotiable = append(o.Negotiable, cur)
		}
		slices.Sort(o.Negotiable)

		planIDs, err := tx.CustomerPlans(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, id := range planIDs {
			pl, err := tx.Plan(ctx, id)
			if err != nil {
				return err
			}
			if pl.Status != plan.Proposed && pl.Status != plan.Active {
				continue
			}
			v, err := loadPlan(ctx, tx, id, today)
			if err != nil {
				return err
			}
			o.Plans = append(o.Plans, v)
		}

		promises, _, err := tx.Promises(ctx, store.PromiseFilter{CustomerID: c.ID, Page: store.Page{Limit: 500}})
		if err != nil {
			return err
		}
		if len(promises) > 0 {
			_, pays, err := tx.CustomerLedger(ctx, c.ID)
			if err != nil {
				return err
			}
			for _, pr := range promises {
				if v := judge(pr, today, pays); v.Status == ledger.PromiseOpen {
					o.Promises = append(o.Promises, v)
				}
			}
		}
		if o.Negotiation, err = standingNegotiation(ctx, tx, c.ID, today); err != nil {
			return err
		}
		m, err := tx.OptOuts(ctx, []string{c.ID})
		if err != nil {
			return err
		}
		o.OptOuts = m[c.ID]
		if o.OptOuts == nil {
			o.OptOuts = map[string]bool{}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// portalOpenInvoices lists a customer's open invoices with something to
// pay, oldest due date first.
func portalOpenInvoices(ctx context.Context, tx store.Tx, customerID string) ([]ledger.Invoice, error) {
	var out []ledger.Invoice
	for cursor := ""; ; {
		list, next, err := tx.Invoices(ctx, store.InvoiceFilter{CustomerID: customerID, Status: ledger.StatusOpen, Page: store.Page{Limit: 500, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for _, inv := range list {
			if inv.Balance.IsPositive() {
				out = append(out, inv)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	slices.SortStableFunc(out, func(a, b ledger.Invoice) int { return a.DueDate.Compare(b.DueDate) })
	return out, nil
}

// standingNegotiation is the customer's latest negotiation that still
// takes an answer (open, agreed or final, not expired), or nil.
func standingNegotiation(ctx context.Context, tx store.Tx, customerID string, today civil.Date) (*store.Negotiation, error) {
	var last *store.Negotiation
	for cursor := ""; ; {
		list, next, err := tx.Negotiations(ctx, store.NegotiationFilter{CustomerID: customerID, Page: store.Page{Limit: 500, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for i := range list {
			n := list[i]
			switch n.Status {
			case negotiate.StatusOpen, negotiate.StatusAgreed, negotiate.StatusFinal:
				if !n.ExpiresOn.Before(today) {
					last = &n
				}
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return last, nil
}

// ownNegotiation loads a negotiation of the session's customer (NotFound
// for any other).
func (s *Service) ownNegotiation(ctx context.Context, p *PortalSession, id string) (*store.Negotiation, error) {
	var n *store.Negotiation
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.Negotiation(ctx, id, false)
		if err == nil && n.CustomerID != p.customerID {
			err = portalNotFound("negotiation", id)
		}
		return err
	})
	return n, err
}

func portalNotFound(what, id string) error {
	return apperr.Errorf(apperr.NotFound, "%s %q not found", what, id)
}

// PortalStartNegotiation opens a negotiation for the customer (the
// engine's opening offer), or returns the one that still stands, so that
// a second click does not start over. currency is needed only when the
// customer owes in several.
func (s *Service) PortalStartNegotiation(ctx context.Context, p *PortalSession, currency string) (string, error) {
	today := s.Today()
	var standing *store.Negotiation
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		standing, err = standingNegotiation(ctx, tx, p.customerID, today)
		return err
	})
	if err != nil {
		return "", err
	}
	if standing != nil && (currency == "" || string(standing.Currency) == currency) {
		return standing.ID, nil
	}
	v, err := s.OpenNegotiation(p.actor(ctx), NegotiationInput{CustomerID: p.customerID, Currency: currency})
	if err != nil {
		return "", err
	}
	return v.Reply.ID, nil
}

// PortalNegotiation is one of the customer's negotiations with its latest
// answer.
func (s *Service) PortalNegotiation(ctx context.Context, p *PortalSession, id string) (*NegotiationView, error) {
	if _, err := s.ownNegotiation(ctx, p, id); err != nil {
		return nil, err
	}
	return s.Negotiation(p.actor(ctx), id)
}

// PortalCounterResult is the engine's answer to the customer's proposal;
// PlanID is set when the engine accepted it and the proposed plan (the
// agreement to accept) was made at once.
type PortalCounterResult struct {
	Reply  NegotiationReply
	PlanID string
}

// PortalCounter sends the customer's counter-offer to the engine. Inside
// the limits it is accepted at once: the accepted proposal becomes a
// proposed plan in the same step, so the customer goes straight to the
// agreement (no agent in between).
func (s *Service) PortalCounter(ctx context.Context, p *PortalSession, id string, in CounterOfferInput) (*PortalCounterResult, error) {
	if _, err := s.ownNegotiation(ctx, p, id); err != nil {
		return nil, err
	}
	in.AsOf = ""
	actx := p.actor(ctx)
	v, err := s.CounterOffer(actx, id, in)
	if err != nil {
		// A proposal the engine refuses as bad input: its reasons in the
		// customer's language and formats, as the page is.
		var ce *negotiate.CounterError
		if errors.As(err, &ce) {
			return nil, &LocalizedError{Err: ce.In(localFormat(p.Customer().Locale))}
		}
		return nil, err
	}
	res := &PortalCounterResult{Reply: v.Reply}
	if v.Reply.Decision == negotiate.DecisionAccept {
		a, err := s.AcceptNegotiation(actx, id, AcceptNegotiationInput{})
		if err != nil {
			return nil, err
		}
		res.PlanID = a.Reply.PlanID
	}
	return res, nil
}

// LocalizedError is a refused portal form whose field messages are already
// written in the customer's language and formats: the portal shows them as
// they are (other field errors are in English, and the portal words them
// itself).
type LocalizedError struct{ Err *apperr.Error }

func (e *LocalizedError) Error() string { return e.Err.Error() }

// Unwrap lets apperr.As and apperr.CodeOf see the Invalid error.
func (e *LocalizedError) Unwrap() error { return e.Err }

// PortalChoose takes the engine's standing offer (alternative 0) or one of
// its alternatives: it becomes a proposed plan, whose id is returned.
func (s *Service) PortalChoose(ctx context.Context, p *PortalSession, id string, alternative int) (string, error) {
	if _, err := s.ownNegotiation(ctx, p, id); err != nil {
		return "", err
	}
	v, err := s.AcceptNegotiation(p.actor(ctx), id, AcceptNegotiationInput{Alternative: alternative})
	if err != nil {
		return "", err
	}
	return v.Reply.PlanID, nil
}

// PortalPlan is one of the customer's plans, tracked as of today.
func (s *Service) PortalPlan(ctx context.Context, p *PortalSession, id string) (*PlanView, error) {
	var v *PlanView
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		pl, err := tx.Plan(ctx, id)
		if err != nil {
			return err
		}
		if pl.CustomerID != p.customerID {
			return portalNotFound("plan", id)
		}
		v, err = loadPlan(ctx, tx, id, s.Today())
		return err
	})
	return v, err
}

// PortalAcceptPlan records the customer's acceptance of a proposed plan:
// the name they typed, now, channel portal, their address.
func (s *Service) PortalAcceptPlan(ctx context.Context, p *PortalSession, id, name, ip string) (*PlanView, error) {
	if _, err := s.PortalPlan(ctx, p, id); err != nil {
		return nil, err
	}
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return nil, apperr.Field("accepted_by", "type your name to accept")
	case text.Check(name, text.Name) != "":
		return nil, apperr.Field("accepted_by", "%s", text.Check(name, text.Name))
	}
	return s.AcceptPlan(p.actor(ctx), id, AcceptInput{AcceptedBy: name, Channel: "portal", IP: ip})
}

// PortalAgreementPDF is the written agreement of one of the customer's
// plans, and the plan's name as the customer knows it: its reference
// (STL-…) when it has one, else its id.
func (s *Service) PortalAgreementPDF(ctx context.Context, p *PortalSession, id string) (string, []byte, error) {
	v, err := s.PortalPlan(ctx, p, id)
	if err != nil {
		return "", nil, err
	}
	name := id
	if v.BankRef != "" {
		name = v.BankRef
	}
	b, err := s.AgreementPDF(p.actor(ctx), id)
	return name, b, err
}

// PortalInvoicePDF is a copy of one of the customer's invoices with its
// open balance as of today, in the customer's language.
func (s *Service) PortalInvoicePDF(ctx context.Context, p *PortalSession, id string) (string, []byte, error) {
	var d notify.InvoiceData
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		inv, err := tx.Invoice(ctx, id)
		if err != nil {
			return err
		}
		if inv.CustomerID != p.customerID {
			return portalNotFound("invoice", id)
		}
		c, err := tx.Customer(ctx, p.customerID)
		if err != nil {
			return err
		}
		d = notify.InvoiceData{Creditor: s.Creditor, CustomerName: c.Name, CustomerRef: c.ExternalRef, Number: inv.Number,
			IssueDate: inv.IssueDate, DueDate: inv.DueDate, Amount: inv.Amount, Balance: inv.Balance, Disputed: inv.Disputed,
			Locale: c.Locale, AsOf: s.Today()}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	b, err := notify.InvoicePDF(d)
	return d.Number, b, err
}

// PortalPromiseInput is a promise to pay made in the portal.
type PortalPromiseInput struct {
	Currency string // needed only when the customer owes in several
	Amount   string
	DueDate  string
}

// PortalPromise records the customer's promise to pay (channel portal): a
// positive amount up to what they owe in that currency, by a date from
// today to PortalPromiseMaxDays ahead.
func (s *Service) PortalPromise(ctx context.Context, p *PortalSession, in PortalPromiseInput) (*PromiseView, error) {
	today := s.Today()
	var owed map[money.Currency]int64
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		invs, err := portalOpenInvoices(ctx, tx, p.customerID)
		owed = map[money.Currency]int64{}
		for _, inv := range invs {
			if !inv.Disputed {
				owed[inv.Balance.Currency()] += inv.Balance.Minor()
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var fs apperr.Fields
	cur := money.Currency(strings.ToUpper(strings.TrimSpace(in.Currency)))
	if cur == "" && len(owed) == 1 {
		for c := range owed {
			cur = c
		}
	}
	if _, ok := owed[cur]; !ok {
		if len(owed) == 0 {
			return nil, apperr.Errorf(apperr.Conflict, "there is nothing to promise: no open, undisputed invoice")
		}
		fs.Add("currency", "choose the currency of what you owe")
	}
	amount, err := money.Parse(strings.TrimSpace(in.Amount), cur)
	switch {
	case cur == "":
	case err != nil:
		fs.Add("amount", "%s", err)
	case !amount.IsPositive():
		fs.Add("amount", "must be more than zero")
	case amount.Minor() > owed[cur]:
		fs.Add("amount", "is more than you owe (%s)", money.New(owed[cur], cur))
	}
	due, derr := civil.Parse(strings.TrimSpace(in.DueDate))
	switch {
	case strings.TrimSpace(in.DueDate) == "":
		fs.Add("due_date", "is required")
	case derr != nil:
		fs.Add("due_date", "%s", derr)
	case due.Before(today):
		fs.Add("due_date", "is in the past")
	case due.After(today.AddDays(PortalPromiseMaxDays)):
		fs.Add("due_date", "must be within %d days (%s at the latest); for longer, set up a payment plan", PortalPromiseMaxDays, today.AddDays(PortalPromiseMaxDays))
	}
	if err := fs.Err("promise"); err != nil {
		return nil, err
	}
	return s.CreatePromise(p.actor(ctx), PromiseInput{CustomerID: p.customerID, Currency: string(cur), Amount: amount.String(),
		DueDate: due.String(), Channel: "portal"})
}

// PortalDisputeInput is a dispute raised in the portal.
type PortalDisputeInput struct {
	InvoiceID string
	Reason    string // one of PortalDisputeReasons
	Details   string
}

// PortalDispute marks one of the customer's open invoices disputed (the
// ladder then pauses for it, as for a dispute raised on a call), records
// what the customer said as an unverified claim, and puts a review task in
// the agents' queue: a dispute needs a person. The reason "not_received"
// also queues a copy of the invoice (queueInvoiceCopies).
func (s *Service) PortalDispute(ctx context.Context, p *PortalSession, in PortalDisputeInput) (*ledger.Invoice, error) {
	var fs apperr.Fields
	if strings.TrimSpace(in.InvoiceID) == "" {
		fs.Add("invoice_id", "choose the invoice")
	}
	if !slices.Contains(PortalDisputeReasons, in.Reason) {
		fs.Add("reason", "choose a reason")
	}
	details := strings.TrimSpace(in.Details)
	switch {
	case in.Reason == "other" && details == "":
		fs.Add("details", "tell us what is wrong")
	default:
		text.NoteField(&fs, "details", details, maxPortalText)
	}
	if err := fs.Err("dispute"); err != nil {
		return nil, err
	}
	actx := p.actor(ctx)
	var out *ledger.Invoice
	err := s.store.Tx(actx, func(tx store.Tx) error {
		inv, err := tx.Invoice(ctx, in.InvoiceID)
		if apperr.CodeOf(err) == apperr.NotFound || (err == nil && inv.CustomerID != p.customerID) {
			return portalNotFound("invoice", in.InvoiceID)
		}
		if err != nil {
			return err
		}
		switch {
		case inv.Disputed:
			return apperr.Errorf(apperr.Conflict, "invoice %s is disputed already: we are looking into it", inv.Number)
		case inv.Status() != ledger.StatusOpen:
			return apperr.Errorf(apperr.Conflict, "invoice %s is %s: there is nothing to dispute", inv.Number, inv.Status())
		}
		inv.Disputed = true
		if err := tx.UpdateInvoiceFlags(actx, inv); err != nil {
			return err
		}
		if _, err := reallocate(actx, tx, p.customerID); err != nil {
			return err
		}
		now := tx.Now()
		summary := "Dispute raised in the portal on invoice " + inv.Number + ": " + strings.ReplaceAll(in.Reason, "_", " ")
		if details != "" {
			summary += ": " + details
		}
		if err := tx.InsertInteraction(actx, &store.Interaction{CustomerID: p.customerID, Kind: "note", Direction: "inbound", OccurredAt: now,
			Summary: summary, ReasonCategory: "dispute", Claim: "unverified", InvoiceIDs: []string{inv.ID}, Actor: ActorFrom(actx).ID,
			FollowUp: "review_dispute"}); err != nil {
			return err
		}
		if _, _, err := tx.InsertTask(actx, &store.Task{CustomerID: p.customerID, Queue: "tier1", Kind: "review", DueAt: now,
			Priority: inv.Balance.Minor(), Reason: "review the dispute the customer raised in the portal on invoice " + inv.Number + " (" +
				strings.ReplaceAll(in.Reason, "_", " ") + ")", InvoiceIDs: []string{inv.ID}, DedupeKey: "portal-dispute:" + inv.ID}); err != nil {
			return err
		}
		if in.Reason == "not_received" {
			// "I did not receive this invoice": send the copy, as staff do
			// for a call with that reason.
			c, err := tx.Customer(actx, p.customerID)
			if err != nil {
				return err
			}
			if _, err := s.queueInvoiceCopies(actx, tx, c, []ledger.Invoice{*inv}, "resend:portal:"+inv.ID); err != nil {
				return err
			}
		}
		out = inv
		return audit(actx, tx, "invoice.dispute", "invoice", inv.ID, map[string]string{"reason": in.Reason, "details": details, "channel": "portal"})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PortalChannels are the channels a customer can opt out of, in the
// order the portal lists them ("call" is the telephone).
var PortalChannels = []string{"email", "sms", "call", "letter"}

// PortalSetOptOut opts the customer out of a channel, or back in (source
// portal). What the law requires: an opt-out of email, text or calls is
// always honoured (Regulation F §1006.6(e), §1006.14(h)); but some notices
// must reach the customer in writing (a validation notice, the notice
// before a plan defaults or the debt goes to an agency), so one written
// channel — email or letter — always stays on. Letters can be switched off
// only while email is on; opting out of email while letters are off turns
// letters back on (reported in lettersBack).
func (s *Service) PortalSetOptOut(ctx context.Context, p *PortalSession, channel string, optedOut bool) (out map[string]bool, lettersBack bool, err error) {
	if !slices.Contains(PortalChannels, channel) {
		return nil, false, apperr.Field("channel", "%q must be email, sms, call or letter", channel)
	}
	actx := p.actor(ctx)
	err = s.store.Tx(actx, func(tx store.Tx) error {
		m, err := tx.OptOuts(actx, []string{p.customerID})
		if err != nil {
			return err
		}
		cur := m[p.customerID]
		if channel == "letter" && optedOut && cur["email"] {
			return apperr.Field("channel", "letters cannot be switched off while email is off: notices the law requires must reach you in writing")
		}
		if err := tx.SetOptOut(actx, p.customerID, channel, optedOut, "portal"); err != nil {
			return err
		}
		if channel == "email" && optedOut && cur["letter"] {
			if err := tx.SetOptOut(actx, p.customerID, "letter", false, "portal"); err != nil {
				return err
			}
			lettersBack = true
		}
		m, err = tx.OptOuts(actx, []string{p.customerID})
		if err != nil {
			return err
		}
		out = m[p.customerID]
		if out == nil {
			out = map[string]bool{}
		}
		return audit(actx, tx, "customer.opt_out", "customer", p.customerID, map[string]any{"channel": channel, "opted_out": optedOut,
			"source": "portal", "letters_back_on": lettersBack})
	})
	return out, lettersBack, err
}
