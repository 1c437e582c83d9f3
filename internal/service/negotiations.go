package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/assess"
	"settle/internal/civil"
	"settle/internal/ids"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/negotiate"
	"settle/internal/notify"
	"settle/internal/plan"
	"settle/internal/store"
)

// NegotiationInput opens a negotiation with a customer.
type NegotiationInput struct {
	CustomerID string   `json:"customer_id" doc:"Customer id or external_ref"`
	InvoiceIDs []string `json:"invoice_ids,omitempty" doc:"Invoices to settle (ids or numbers); default: every open, undisputed invoice in the currency that is in no open plan"`
	Currency   string   `json:"currency,omitempty" doc:"Needed when no invoices are named and the customer owes in several currencies"`
	AsOf       string   `json:"as_of,omitempty" doc:"Date of the negotiation (default today)"`
}

// CounterOfferInput is the customer's counter-offer: any of the fields.
type CounterOfferInput struct {
	Currency          string `json:"currency,omitempty" doc:"If given, must be the negotiation's currency"`
	InstallmentAmount string `json:"installment_amount,omitempty"`
	Installments      int    `json:"installments,omitempty"`
	Frequency         string `json:"frequency,omitempty" doc:"weekly, biweekly or monthly"`
	StartDate         string `json:"start_date,omitempty" doc:"First due date, YYYY-MM-DD"`
	DownPayment       string `json:"down_payment,omitempty"`
	LumpSum           string `json:"lump_sum,omitempty" doc:"A one-off settlement instead of installments"`
	AsOf              string `json:"as_of,omitempty" doc:"When the counter-offer is made (default today)"`
}

// AcceptNegotiationInput turns the standing offer (or one alternative) into a proposed plan.
type AcceptNegotiationInput struct {
	Alternative int    `json:"alternative,omitempty" doc:"1-based index of an alternative of the last response; 0 (default) accepts the offer itself"`
	AsOf        string `json:"as_of,omitempty"`
}

// NegotiationInstallment is one due payment of an offer.
type NegotiationInstallment struct {
	Seq       int    `json:"seq"`
	DueDate   string `json:"due_date"`
	Amount    string `json:"amount"`
	Principal string `json:"principal"`
	Interest  string `json:"interest"`
	Down      bool   `json:"down,omitempty"`
}

// NegotiationOffer is an offer as a full schedule.
type NegotiationOffer struct {
	Kind                string                   `json:"kind" doc:"plan or lump_sum"`
	Currency            string                   `json:"currency"`
	Frequency           string                   `json:"frequency,omitempty"`
	StartDate           string                   `json:"start_date"`
	DownPayment         string                   `json:"down_payment"`
	InstallmentCount    int                      `json:"installment_count" doc:"Regular installments (not counting the down payment)"`
	InstallmentAmount   string                   `json:"installment_amount,omitempty" doc:"Each regular installment but the last"`
	LumpSum             string                   `json:"lump_sum,omitempty"`
	Installments        []NegotiationInstallment `json:"installments"`
	Total               string                   `json:"total"`
	EarlyPayoffDiscount string                   `json:"early_payoff_discount,omitempty"`
	Value               string                   `json:"value" doc:"Expected present value to us (model figure)"`
	Completion          float64                  `json:"completion_probability" doc:"Modelled probability the plan is paid to the end"`
}

// NegotiationAlternative is another acceptable offer.
type NegotiationAlternative struct {
	Label string           `json:"label"`
	Offer NegotiationOffer `json:"offer"`
}

// NegotiationConcession is something conceded, in money.
type NegotiationConcession struct {
	Kind   string `json:"kind"`
	Amount string `json:"amount"`
	Note   string `json:"note,omitempty" doc:"What it is, in English (kept for tools that read it)"`
	// CustomerNote is Note in the customer's language and formats, as the
	// explanation is.
	CustomerNote string `json:"customer_note,omitempty" doc:"The note in the customer's language (locale: de, fr, else en) and formats"`
}

// NegotiationEvaluation shows the figures behind a decision.
type NegotiationEvaluation struct {
	CounterValue string `json:"counter_value,omitempty" doc:"Expected present value of the customer's counter-offer"`
	Target       string `json:"target" doc:"What this round required (the concession tactic)"`
	Floor        string `json:"floor" doc:"The reservation value: never offered or accepted below"`
	NoDeal       string `json:"no_deal" doc:"Value of the alternative (agency or legal)"`
	Opening      string `json:"opening" doc:"Value of the opening offer"`
	Basis        string `json:"basis,omitempty" enum:"target,dominates,dominates_alternative,settlement" doc:"Why the counter-offer was accepted: worth this round's target; it pays at least as much, no later, than an offer we would accept (dominates: our standing offer or one of its alternatives; dominates_alternative: an alternative we were about to give with our answer); or a settlement within the discount limit worth at least the floor"`
}

// NegotiationReply is one response of the engine (contract.md's shape).
type NegotiationReply struct {
	ID           string                   `json:"id"`
	CustomerID   string                   `json:"customer_id"`
	Status       string                   `json:"status" doc:"open, agreed, final, accepted or closed"`
	Round        int                      `json:"round"`
	Decision     string                   `json:"decision" doc:"open, accept, counter or reject"`
	Offer        *NegotiationOffer        `json:"offer"`
	Alternatives []NegotiationAlternative `json:"alternatives"`
	Concessions  []NegotiationConcession  `json:"concessions"`
	Explanation  string                   `json:"explanation" doc:"Why, in the customer's language (locale: de, fr, else en) and formats; no internal figures (see evaluation)"`
	Evaluation   NegotiationEvaluation    `json:"evaluation"`
	ExpiresOn    string                   `json:"expires_on"`
	Balance      string                   `json:"balance"`
	Currency     string                   `json:"currency"`
	InvoiceIDs   []string                 `json:"invoice_ids"`
	PlanID       string                   `json:"plan_id,omitempty"`
}

// NegotiationView is a negotiation with its rounds.
type NegotiationView struct {
	Reply  NegotiationReply
	Rounds []NegotiationRoundView
	Plan   *PlanView // on accept
}

// NegotiationRoundView is one exchange.
type NegotiationRoundView struct {
	Round    int              `json:"round"`
	At       time.Time        `json:"at"`
	Actor    string           `json:"actor"`
	Decision string           `json:"decision"`
	Request  json.RawMessage  `json:"request"`
	Reply    NegotiationReply `json:"reply"`
}

// negState is what a negotiation stores between requests.
type negState struct {
	Session    negotiate.Session `json:"session"`
	InvoiceIDs []string          `json:"invoice_ids"`
}

// OpenNegotiation opens a negotiation: the engine's opening offer from the
// customer's position, budget and risk and the segment's policy.
func (s *Service) OpenNegotiation(ctx context.Context, in NegotiationInput) (*NegotiationView, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	asOf, err := s.AsOf("as_of", in.AsOf)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.CustomerID) == "" {
		return nil, apperr.Field("customer_id", "is required")
	}
	var view *NegotiationView
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, in.CustomerID)
		if err != nil {
			return fieldNotFound("customer_id", err)
		}
		invs, balance, err := negotiationInvoices(ctx, tx, c.ID, in, asOf)
		if err != nil {
			return err
		}
		as, err := assessCustomer(ctx, tx, c, asOf)
		if err != nil {
			return err
		}
		cs, err := negotiationCase(ctx, tx, c, as, invs, balance, asOf)
		if err != nil {
			return err
		}
		sess, resp, err := negotiate.Open(cs, as.Policy)
		if err != nil {
			return err
		}
		st := negState{Session: sess}
		for _, inv := range invs {
			st.InvoiceIDs = append(st.InvoiceIDs, inv.ID)
		}
		n := &store.Negotiation{CustomerID: c.ID, Currency: balance.Currency(), Status: sess.Status, AsOf: asOf, ExpiresOn: sess.Expires}
		n.ID = ids.New(ids.Negotiation)
		last := reply(n, st, resp, c.Locale)
		if n.State, err = json.Marshal(st); err != nil {
			return err
		}
		if err := tx.InsertNegotiation(ctx, n); err != nil {
			return err
		}
		if err := appendRound(ctx, tx, n.ID, 0, resp.Decision, []byte(`{}`), last, a.ID); err != nil {
			return err
		}
		view = &NegotiationView{Reply: last}
		return audit(ctx, tx, "negotiation.open", "negotiation", n.ID, map[string]any{"input": in, "decision": resp.Decision})
	})
	return view, err
}

// negotiationInvoices picks the invoices a negotiation covers.
func negotiationInvoices(ctx context.Context, tx store.Tx, customerID string, in NegotiationInput, asOf civil.Date) ([]ledger.Invoice, money.Amount, error) {
	if len(in.InvoiceIDs) > 0 {
		invs, bal, _, err := planInvoices(ctx, tx, customerID, in.InvoiceIDs, asOf)
		if err != nil {
			return nil, money.Amount{}, renameField(err, "invoice_ids")
		}
		if in.Currency != "" && string(bal.Currency()) != in.Currency {
			return nil, money.Amount{}, apperr.Field("currency", "%s is not the invoices' currency %s", in.Currency, bal.Currency())
		}
		return invs, bal, nil
	}
	var cur money.Currency
	if in.Currency != "" {
		c, err := money.ParseCurrency(in.Currency)
		if err != nil {
			return nil, money.Amount{}, apperr.Field("currency", "%s", err)
		}
		cur = c
	}
	var all []ledger.Invoice
	for cursor := ""; ; {
		list, next, err := tx.Invoices(ctx, store.InvoiceFilter{CustomerID: customerID, Status: ledger.StatusOpen, Currency: cur, Page: store.Page{Limit: 500, Cursor: cursor}})
		if err != nil {
			return nil, money.Amount{}, err
		}
		all = append(all, list...)
		if next == "" {
			break
		}
		cursor = next
	}
	ids := make([]string, 0, len(all))
	for _, inv := range all {
		ids = append(ids, inv.ID)
	}
	inPlans, _, err := coveringPlans(ctx, tx, ids, asOf)
	if err != nil {
		return nil, money.Amount{}, err
	}
	var invs []ledger.Invoice
	curs := map[money.Currency]bool{}
	for _, inv := range all {
		if inv.Disputed || inPlans[inv.ID] != "" || !inv.Balance.IsPositive() {
			continue
		}
		invs = append(invs, inv)
		curs[inv.Amount.Currency()] = true
	}
	if len(invs) == 0 {
		return nil, money.Amount{}, apperr.Field("customer_id", "the customer has no open, undisputed invoice outside a plan to negotiate")
	}
	if len(curs) > 1 {
		return nil, money.Amount{}, apperr.Field("currency", "is required: the customer owes in %d currencies", len(curs))
	}
	total, err := sumBalances("customer_id", invs)
	if err != nil {
		return nil, money.Amount{}, err
	}
	return invs, total, nil
}

// renameField moves planInvoices' field errors (named for plans) onto field.
func renameField(err error, field string) error {
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid {
		return err
	}
	out := *e
	out.Fields = append([]apperr.FieldError(nil), e.Fields...)
	for i := range out.Fields {
		out.Fields[i].Field = field
	}
	return &out
}

// negotiationCase is what the engine is told: the balance, the fees we may
// claim, what the customer can afford and the risk band.
func negotiationCase(ctx context.Context, tx store.Tx, c *ledger.Customer, as *Assessment, invs []ledger.Invoice, balance money.Amount, asOf civil.Date) (negotiate.Case, error) {
	cur := balance.Currency()
	cs := negotiate.Case{CustomerID: c.ID, Currency: cur, AsOf: asOf, Balance: balance.Minor(), RiskBand: as.Risk.Band, AffordableSource: "assumed", Kind: c.Kind,
		Country: c.Address.Country}
	// Fees: statutory compensation and interest on these invoices.
	var items []assess.OverdueItem
	for _, inv := range invs {
		if inv.IsCharge() {
			continue // a fee already posted is in the balance; no fee on a fee
		}
		if ledger.DaysPastDue(asOf, inv.DueDate) > 0 {
			items = append(items, assess.OverdueItem{InvoiceID: inv.ID, Number: inv.Number, DueDate: inv.DueDate, Amount: inv.Amount, Balance: inv.Balance})
		}
	}
	if len(items) > 0 {
		var coc = "0"
		if as.Policy.CostOfCapital != "" {
			coc = as.Policy.CostOfCapital
		}
		r, _ := parseRate(coc)
		im, err := assess.AssessImpact(assess.ImpactInput{AsOf: asOf, Kind: c.Kind, Jurisdiction: c.Jurisdiction, Items: items, CostOfCapital: r})
		if err != nil {
			return cs, err
		}
		// Less what demands and final notices already claimed and posted
		// (charges.go): that is owed on the ledger, not claimable again.
		all, _, err := tx.CustomerLedger(ctx, c.ID)
		if err != nil {
			return cs, err
		}
		posted := map[string]int64{}
		for _, inv := range all {
			if inv.Charge == ledger.ChargeStatutory && inv.VoidedOn.IsZero() {
				posted[inv.ChargeFor] += inv.Amount.Minor()
			}
		}
		for _, l := range im.Lines {
			cs.Fees += max(0, l.Compensation.Minor()+l.Interest.Minor()-posted[l.InvoiceID])
		}
	}
	switch {
	case as.Budget != nil && as.Budget.Budget.Currency == cur:
		cs.Affordable = max(as.Budget.Affordable.Minor(), 0)
		cs.Available = max(as.Budget.Available.Minor(), 0)
		cs.AffordableSource = "budget"
		if cs.Available == 0 {
			// A budget with no surplus: nothing is affordable; the engine
			// then opens with the lowest installment its limits allow.
			cs.Affordable, cs.Available = 1, 1
		}
	default:
		// No budget: what the customer paid us per month over the last
		// twelve months shows what they can pay.
		_, pays, err := tx.CustomerLedger(ctx, c.ID)
		if err != nil {
			return cs, err
		}
		from := asOf.AddMonths(-12)
		var paid int64
		for _, p := range pays {
			if p.Kind == ledger.KindPayment && p.Amount.Currency() == cur && p.ReceivedOn.After(from) && !p.ReceivedOn.After(asOf) {
				paid += p.Amount.Minor()
			}
		}
		if paid > 0 {
			cs.Affordable, cs.Available = negotiate.MeansFromHistory(paid)
			cs.AffordableSource = "history"
		}
	}
	return cs, nil
}

// CounterOffer answers the customer's counter-offer.
func (s *Service) CounterOffer(ctx context.Context, id string, in CounterOfferInput) (*NegotiationView, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	req, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	// The engine works outside the write transaction: read the state,
	// answer, then write only if nobody moved the negotiation meanwhile
	// (else answer again from the new state). On SQLite this keeps the
	// single writer's critical section to the three writes.
	for attempt := 0; ; attempt++ {
		var n *store.Negotiation
		var st *negState
		var locale string
		err := s.store.ReadTx(ctx, func(tx store.Tx) error {
			var err error
			if n, st, err = loadNegotiation(ctx, tx, id, false); err != nil {
				return err
			}
			// The explanation is written in the customer's language.
			c, err := tx.Customer(ctx, n.CustomerID)
			if err != nil {
				return err
			}
			locale = c.Locale
			return nil
		})
		if err != nil {
			return nil, err
		}
		c, err := s.counter(in, n)
		if err != nil {
			return nil, err
		}
		sess, resp, err := negotiate.Respond(st.Session, c)
		if err != nil {
			return nil, err
		}
		prevRound, prevStatus := n.Round, n.Status
		st.Session = sess
		n.Status, n.Round = sess.Status, sess.Round
		last := reply(n, *st, resp, locale)
		if n.State, err = json.Marshal(st); err != nil {
			return nil, err
		}
		lastJSON, err := json.Marshal(last)
		if err != nil {
			return nil, err
		}
		detail := map[string]any{"input": in, "decision": resp.Decision, "round": n.Round}
		err = s.store.Tx(ctx, func(tx store.Tx) error {
			cur, err := tx.Negotiation(ctx, id, true)
			if err != nil {
				return err
			}
			if cur.Round != prevRound || cur.Status != prevStatus {
				return errMoved
			}
			if err := tx.UpdateNegotiation(ctx, n, prevRound); err != nil {
				return err
			}
			if err := tx.AppendNegotiationRound(ctx, &store.NegotiationRound{NegotiationID: n.ID, Round: n.Round, Decision: resp.Decision,
				Request: req, Response: lastJSON, Actor: a.ID}); err != nil {
				return err
			}
			return audit(ctx, tx, "negotiation.counter", "negotiation", n.ID, detail)
		})
		if errors.Is(err, errMoved) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &NegotiationView{Reply: last}, nil
	}
}

// errMoved: the negotiation changed between reading it and writing the answer.
var errMoved = apperr.Errorf(apperr.Conflict, "the negotiation changed meanwhile: send the counter-offer again")

// counter parses a counter-offer in the negotiation's currency.
func (s *Service) counter(in CounterOfferInput, n *store.Negotiation) (negotiate.Counter, error) {
	var fs apperr.Fields
	cur := n.Currency
	c := negotiate.Counter{Installments: in.Installments, Frequency: strings.ToLower(strings.TrimSpace(in.Frequency))}
	if v := strings.TrimSpace(in.Currency); v != "" {
		if v != string(cur) {
			fs.Add("currency", "%s is not the negotiation's currency %s", v, cur)
		}
		c.Currency = money.Currency(v)
	}
	amount := func(field, v string) *int64 {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil
		}
		a, err := money.Parse(v, cur)
		if err != nil {
			fs.Add(field, "%s", err)
			return nil
		}
		m := a.Minor()
		return &m
	}
	c.InstallmentAmount = amount("installment_amount", in.InstallmentAmount)
	c.DownPayment = amount("down_payment", in.DownPayment)
	c.LumpSum = amount("lump_sum", in.LumpSum)
	if v := strings.TrimSpace(in.StartDate); v != "" {
		d, err := civil.Parse(v)
		if err != nil {
			fs.Add("start_date", "%s", err)
		}
		c.Start = d
	}
	asOf, err := s.AsOf("as_of", in.AsOf)
	if err != nil {
		return c, err
	}
	c.AsOf = asOf
	return c, fs.Err("counter-offer")
}

func loadNegotiation(ctx context.Context, tx store.Tx, id string, forUpdate bool) (*store.Negotiation, *negState, error) {
	n, err := tx.Negotiation(ctx, id, forUpdate)
	if err != nil {
		return nil, nil, err
	}
	var st negState
	if err := json.Unmarshal(n.State, &st); err != nil {
		return nil, nil, fmt.Errorf("negotiation %s: state: %w", id, err)
	}
	return n, &st, nil
}

func appendRound(ctx context.Context, tx store.Tx, id string, round int, decision string, req []byte, r NegotiationReply, actor string) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.AppendNegotiationRound(ctx, &store.NegotiationRound{NegotiationID: id, Round: round, Decision: decision, Request: req, Response: b, Actor: actor})
}

// AcceptNegotiation turns the standing offer (or an alternative) into a
// proposed plan, which the customer then accepts (POST /v1/plans/{id}/accept).
func (s *Service) AcceptNegotiation(ctx context.Context, id string, in AcceptNegotiationInput) (*NegotiationView, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	asOf, err := s.AsOf("as_of", in.AsOf)
	if err != nil {
		return nil, err
	}
	var view *NegotiationView
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		n, st, err := loadNegotiation(ctx, tx, id, true)
		if err != nil {
			return err
		}
		sess, offer, err := negotiate.Accept(st.Session, asOf, in.Alternative)
		if err != nil {
			return err
		}
		// The plan's concession notes are the customer's to read (the
		// agreement shows them): in their language.
		c, err := tx.Customer(ctx, n.CustomerID)
		if err != nil {
			return err
		}
		p, invs, err := s.planFromOffer(ctx, tx, n, st, sess, offer, c.Locale)
		if err != nil {
			return err
		}
		if err := tx.InsertPlan(ctx, p); err != nil {
			return err
		}
		if err := planEvent(ctx, tx, p.ID, "plan_proposed", civil.In(tx.Now(), time.UTC)); err != nil {
			return err
		}
		prev := n.Round
		st.Session = sess
		n.Status, n.PlanID = sess.Status, p.ID
		last, err := lastReply(ctx, tx, n)
		if err != nil {
			return err
		}
		last.Status, last.PlanID = sess.Status, p.ID
		if n.State, err = json.Marshal(st); err != nil {
			return err
		}
		if err := tx.UpdateNegotiation(ctx, n, prev); err != nil {
			return err
		}
		view = &NegotiationView{Reply: last, Plan: &PlanView{Plan: *p, AsOf: asOf, Status: p.Status, Invoices: invs}}
		return audit(ctx, tx, "negotiation.accept", "negotiation", n.ID, map[string]any{"plan_id": p.ID, "alternative": in.Alternative, "actor": a.ID})
	})
	return view, err
}

// planFromOffer builds the proposed plan of an accepted offer.
func (s *Service) planFromOffer(ctx context.Context, tx store.Tx, n *store.Negotiation, st *negState, sess negotiate.Session, o negotiate.Offer, locale string) (*plan.Plan, []ledger.Invoice, error) {
	cur := n.Currency
	in := PlanInput{CustomerID: n.CustomerID, InvoiceIDs: st.InvoiceIDs}
	in.AsOf = n.AsOf.String()
	in.StartDate = o.Start.String()
	in.Frequency = o.Frequency
	// Due dates on business days, as the engine offered them.
	in.Roll, in.Country = plan.RollFollowing, plan.RollCountry(sess.Case.Country)
	in.EarlyPayoffDiscount = o.EarlyPayoffDiscount
	for _, c := range negotiate.Concessions(sess, o) {
		in.Concessions = append(in.Concessions, ConcessionInput{Kind: c.Kind, Amount: money.New(c.Amount, cur).String(), Note: concessionNote(c, locale)})
	}
	switch o.Kind {
	case negotiate.KindLump:
		in.Installments, in.Frequency = 1, plan.Monthly
		lump := money.New(o.LumpSum, cur)
		in.settlement = &lump
	default:
		if o.DownPayment > 0 {
			in.DownPayment = money.New(o.DownPayment, cur).String()
		}
		if o.Fixed {
			in.InstallmentAmount = money.New(o.Installment, cur).String()
		} else {
			in.Installments = o.Installments
		}
		if o.Schedule.Interest.IsPositive() {
			in.AnnualRate = sess.Policy.PlanRate
		}
	}
	p, invs, _, err := s.proposePlan(ctx, tx, in)
	if err != nil {
		return nil, nil, err
	}
	// The plan must be exactly the offer the customer saw.
	if len(p.Installments) != len(o.Schedule.Installments) {
		return nil, nil, fmt.Errorf("negotiation %s: the plan has %d installments, the offer %d", n.ID, len(p.Installments), len(o.Schedule.Installments))
	}
	for i, inst := range p.Installments {
		if inst.Amount != o.Schedule.Installments[i].Amount || inst.DueDate != o.Schedule.Installments[i].DueDate {
			return nil, nil, fmt.Errorf("negotiation %s: installment %d differs from the offer", n.ID, i+1)
		}
	}
	return p, invs, nil
}

// Negotiation returns a negotiation with all its rounds.
func (s *Service) Negotiation(ctx context.Context, id string) (*NegotiationView, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var view *NegotiationView
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		n, err := tx.Negotiation(ctx, id, false)
		if err != nil {
			return err
		}
		view = &NegotiationView{}
		rounds, err := tx.NegotiationRounds(ctx, n.ID)
		if err != nil {
			return err
		}
		for _, r := range rounds {
			rv := NegotiationRoundView{Round: r.Round, At: r.At, Actor: r.Actor, Decision: r.Decision, Request: json.RawMessage(r.Request)}
			if err := json.Unmarshal(r.Response, &rv.Reply); err != nil {
				return err
			}
			view.Rounds = append(view.Rounds, rv)
		}
		if len(view.Rounds) == 0 {
			return fmt.Errorf("negotiation %s has no rounds", n.ID)
		}
		view.Reply = view.Rounds[len(view.Rounds)-1].Reply
		view.Reply.Status, view.Reply.PlanID = n.Status, n.PlanID
		return nil
	})
	return view, err
}

// lastReply is the reply of a negotiation's latest round, with its
// current status.
func lastReply(ctx context.Context, tx store.Tx, n *store.Negotiation) (NegotiationReply, error) {
	rounds, err := tx.NegotiationRounds(ctx, n.ID)
	if err != nil {
		return NegotiationReply{}, err
	}
	if len(rounds) == 0 {
		return NegotiationReply{}, fmt.Errorf("negotiation %s has no rounds", n.ID)
	}
	var r NegotiationReply
	if err := json.Unmarshal(rounds[len(rounds)-1].Response, &r); err != nil {
		return r, err
	}
	r.Status, r.PlanID = n.Status, n.PlanID
	return r, nil
}

// reply renders an engine response in the API's shape, its explanation in
// the language and formats of the customer's locale (English when we do not
// write theirs), as their letters are.
func reply(n *store.Negotiation, st negState, r negotiate.Response, locale string) NegotiationReply {
	cur := n.Currency
	m := func(f float64) string { return money.New(int64(math.Round(f)), cur).String() }
	out := NegotiationReply{ID: n.ID, CustomerID: n.CustomerID, Status: r.Status, Round: r.Round, Decision: r.Decision,
		Explanation: explanation(r, locale), ExpiresOn: st.Session.Expires.String(), Currency: string(cur),
		Balance: money.New(st.Session.Case.Balance, cur).String(), InvoiceIDs: st.InvoiceIDs, PlanID: n.PlanID,
		Alternatives: []NegotiationAlternative{}, Concessions: []NegotiationConcession{}}
	if r.Offer != nil {
		o := offerDTO(*r.Offer, cur)
		out.Offer = &o
	}
	for _, a := range r.Alternatives {
		label := a.Label
		if a.Say.Kind != "" {
			label = negotiate.RenderLabel(a.Say, localFormat(locale))
		}
		out.Alternatives = append(out.Alternatives, NegotiationAlternative{Label: label, Offer: offerDTO(a.Offer, cur)})
	}
	for _, c := range r.Concessions {
		out.Concessions = append(out.Concessions, NegotiationConcession{Kind: c.Kind, Amount: money.New(c.Amount, cur).String(), Note: c.Note,
			CustomerNote: concessionNote(c, locale)})
	}
	ev := r.Evaluation
	out.Evaluation = NegotiationEvaluation{Target: m(ev.Target), Floor: m(ev.Floor), NoDeal: m(ev.NoDeal), Opening: m(ev.Opening), Basis: ev.Basis}
	if ev.CounterValue != nil {
		out.Evaluation.CounterValue = m(*ev.CounterValue)
	}
	return out
}

// explanation writes the engine's sentences with notify's money and date
// formats for locale.
func explanation(r negotiate.Response, locale string) string {
	if len(r.Words) == 0 {
		return r.Explanation
	}
	return negotiate.Render(r.Words, localFormat(locale))
}

// concessionNote is a concession's note in the customer's language and
// formats (the engine's English note for one it did not type).
func concessionNote(c negotiate.Concession, locale string) string {
	if c.Say.Kind == "" {
		return c.Note
	}
	return negotiate.RenderNote(c.Say, localFormat(locale))
}

// localFormat is the customer's language and notify's money and date
// formats for their locale (those of their letters).
func localFormat(locale string) negotiate.Format {
	return negotiate.Format{Lang: notify.Lang(locale),
		Money: func(a money.Amount) string { return notify.LocalMoney(a, locale) },
		Date:  func(d civil.Date) string { return notify.LocalDate(d, locale) }}
}

func offerDTO(o negotiate.Offer, cur money.Currency) NegotiationOffer {
	d := NegotiationOffer{Kind: o.Kind, Currency: string(cur), Frequency: o.Frequency, StartDate: o.Start.String(),
		DownPayment: money.New(o.DownPayment, cur).String(), InstallmentCount: o.Installments,
		Total: o.Schedule.Total.String(), EarlyPayoffDiscount: o.EarlyPayoffDiscount,
		Value: money.New(int64(math.Round(o.Value)), cur).String(), Completion: math.Round(o.Completion*1000) / 1000,
		Installments: make([]NegotiationInstallment, 0, len(o.Schedule.Installments))}
	if o.Kind == negotiate.KindLump {
		d.LumpSum = money.New(o.LumpSum, cur).String()
		d.Frequency = ""
		d.InstallmentCount = 1
	} else {
		d.InstallmentAmount = money.New(o.Installment, cur).String()
	}
	for _, in := range o.Schedule.Installments {
		d.Installments = append(d.Installments, NegotiationInstallment{Seq: in.Seq, DueDate: in.DueDate.String(), Amount: in.Amount.String(),
			Principal: in.Principal.String(), Interest: in.Interest.String(), Down: in.Down})
	}
	return d
}
