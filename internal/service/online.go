package service

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/payments"
	"settle/internal/plan"
	"settle/internal/store"
)

// Online payments (issue 7; docs/payments.md, "Stripe"). With a provider
// configured (SETTLE_STRIPE_SECRET_KEY and SETTLE_STRIPE_WEBHOOK_SECRET),
// the portal offers "pay now" for the next installment of a plan, an
// open invoice, the whole balance and a plan's payoff (with the
// early-payment discount the plan allows); each makes an online intent
// (what the money pays, for how much) and a hosted Checkout page. The
// customer may also save a payment method for a plan (autopay): the daily
// run then charges each installment on its due date (autopay.go). What
// happened is told by the provider's webhook events (online_events.go),
// which are the only source of truth: the customer coming back to the
// success page records nothing. Without a provider nothing online is
// offered at all.

// OnlineDeps is what online payments need.
type OnlineDeps struct {
	Provider payments.Provider
}

// online is the service's online-payment set-up (nil: not offered).
type online struct {
	p payments.Provider
}

// EnableOnlinePayments turns online payments on with provider p.
func (s *Service) EnableOnlinePayments(d OnlineDeps) {
	if d.Provider == nil {
		s.online = nil
		return
	}
	s.online = &online{p: d.Provider}
}

// OnlinePayments reports whether online payment is offered.
func (s *Service) OnlinePayments() bool { return s.online != nil }

// errNoOnline is the answer to online actions when no provider is set.
func errNoOnline() error {
	return apperr.Errorf(apperr.NotFound, "online payment is not offered (no payment provider is configured)")
}

// PayOption is one thing the customer can pay online.
type PayOption struct {
	Kind   string // store.IntentInstallment, IntentInvoice, IntentBalance, IntentPayoff
	Ref    string // what the form names: the plan id, invoice id or currency
	Amount money.Amount
	// The installment (Kind installment): its number and due date.
	Seq     int
	DueDate civil.Date
	// The invoice (Kind invoice).
	InvoiceNumber string
	// A payoff: what remains, the discount and the interest not charged.
	Payoff *Payoff
	// Unavailable says why this cannot be paid online (the provider does
	// not take the amount); "" when it can.
	Unavailable string
}

// Payoff is what paying a plan off today costs.
type Payoff struct {
	Remaining money.Amount // every installment's unpaid part
	Interest  money.Amount // of Remaining: interest of installments not yet due, not charged on early payoff
	Discount  money.Amount // the plan's early-payment discount on what is left after that
	Rate      string       // the discount as the plan states it ("0.02")
	Amount    money.Amount // Remaining − Interest − Discount: what the customer pays
}

// Waived is what the plan forgoes when the payoff is paid.
func (p *Payoff) Waived() money.Amount {
	return money.New(p.Interest.Minor()+p.Discount.Minor(), p.Amount.Currency())
}

// payoffQuote works out a plan's payoff as of asOf from its tracking: the
// unpaid part of every installment, less the interest of installments
// due after asOf (interest stops on the day of payoff, as the agreement
// says), less the early-payment discount (plan.EarlyPayoffDiscount, a
// share of what is left, rounded down to the minor unit: the customer is
// never promised more than the share).
func payoffQuote(p *plan.Plan, tr *plan.Tracking, asOf civil.Date) (*Payoff, error) {
	cur := p.Balance.Currency()
	var remaining, interest int64
	for _, st := range tr.Installments {
		unpaid := st.Amount.Minor() - st.Paid.Minor()
		remaining += unpaid
		if st.DueDate.After(asOf) {
			interest += min(st.Interest.Minor(), unpaid)
		}
	}
	base := remaining - interest
	var discount int64
	rate := strings.TrimSpace(p.EarlyPayoffDiscount)
	if r, ok := parseRate(rate); ok && r.Sign() > 0 && base > 0 {
		d := new(big.Int).Mul(big.NewInt(base), r.Num())
		d.Quo(d, r.Denom()) // both positive: truncation is rounding down
		discount = d.Int64()
	} else {
		rate = ""
	}
	return &Payoff{Remaining: money.New(remaining, cur), Interest: money.New(interest, cur), Discount: money.New(discount, cur), Rate: rate,
		Amount: money.New(base-discount, cur)}, nil
}

// PortalPayOptions lists what the customer can pay online today: for
// each active plan its next installment (what is unpaid of it) and its
// payoff; each open, undisputed invoice outside a plan; and, per
// currency with more than one open invoice, the whole balance. An option the
// provider cannot take says why instead of offering a button.
func (s *Service) PortalPayOptions(ctx context.Context, p *PortalSession) ([]PayOption, error) {
	if s.online == nil {
		return nil, errNoOnline()
	}
	var out []PayOption
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		out, err = payOptions(ctx, tx, p.customerID, s.Today())
		return err
	})
	return out, err
}

func payOptions(ctx context.Context, tx store.Tx, customerID string, today civil.Date) ([]PayOption, error) {
	var out []PayOption
	planIDs, err := tx.ActivePlans(ctx, customerID)
	if err != nil {
		return nil, err
	}
	for _, id := range planIDs {
		v, err := loadPlan(ctx, tx, id, today)
		if err != nil {
			return nil, err
		}
		if v.Status != plan.Active || v.Tracking == nil {
			continue
		}
		for _, st := range v.Tracking.Installments {
			if unpaid := st.Amount.Minor() - st.Paid.Minor(); unpaid > 0 {
				out = append(out, PayOption{Kind: store.IntentInstallment, Ref: id, Seq: st.Seq, DueDate: st.DueDate,
					Amount: money.New(unpaid, st.Amount.Currency())})
				break
			}
		}
		po, err := payoffQuote(&v.Plan, v.Tracking, today)
		if err != nil {
			return nil, err
		}
		if po.Amount.IsPositive() {
			out = append(out, PayOption{Kind: store.IntentPayoff, Ref: id, Amount: po.Amount, Payoff: po})
		}
	}
	invs, err := portalOpenInvoices(ctx, tx, customerID)
	if err != nil {
		return nil, err
	}
	var invIDs []string
	for _, inv := range invs {
		invIDs = append(invIDs, inv.ID)
	}
	inPlans, err := tx.InvoicesInOpenPlans(ctx, invIDs)
	if err != nil {
		return nil, err
	}
	// The whole balance of a currency is every open, undisputed invoice,
	// those in a plan too (paying it all also completes the plan).
	count := map[money.Currency]int{}
	total := map[money.Currency]int64{}
	var curs []money.Currency
	for _, inv := range invs {
		if inv.Disputed {
			continue
		}
		c := inv.Balance.Currency()
		if count[c] == 0 {
			curs = append(curs, c)
		}
		count[c]++
		total[c] += inv.Balance.Minor()
		if inPlans[inv.ID] == "" {
			out = append(out, PayOption{Kind: store.IntentInvoice, Ref: inv.ID, InvoiceNumber: inv.Number, DueDate: inv.DueDate, Amount: inv.Balance})
		}
	}
	for _, c := range curs {
		if count[c] > 1 {
			out = append(out, PayOption{Kind: store.IntentBalance, Ref: string(c), Amount: money.New(total[c], c)})
		}
	}
	for i := range out {
		if _, _, err := payments.MinorUnits(out[i].Amount); err != nil {
			out[i].Unavailable = err.Error()
		}
	}
	return out, nil
}

// PayInput names the option the customer chose.
type PayInput struct {
	Kind string // installment, invoice, balance, payoff
	Ref  string // plan id, invoice id or currency
}

// PortalCheckout starts paying an option online: it records an online
// intent for the amount the option shows now, makes the provider's
// hosted page and returns its URL (the caller redirects there). The
// option is looked up among the session's own (another customer's plan
// or invoice is NotFound). Coming back from the page records nothing;
// the provider's webhook does.
func (s *Service) PortalCheckout(ctx context.Context, p *PortalSession, in PayInput) (string, error) {
	if s.online == nil {
		return "", errNoOnline()
	}
	today := s.Today()
	var opt *PayOption
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		opts, err := payOptions(ctx, tx, p.customerID, today)
		if err != nil {
			return err
		}
		for i := range opts {
			if opts[i].Kind == in.Kind && opts[i].Ref == in.Ref {
				opt = &opts[i]
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if opt == nil {
		return "", apperr.Errorf(apperr.NotFound, "there is no %s %q to pay online", in.Kind, in.Ref)
	}
	if opt.Unavailable != "" {
		return "", apperr.Field("amount", "%s", opt.Unavailable)
	}
	it := store.OnlineIntent{Provider: s.online.p.Name(), CustomerID: p.customerID, Kind: opt.Kind, Amount: opt.Amount, Status: store.IntentOpen, AsOf: today}
	title := ""
	switch opt.Kind {
	case store.IntentInstallment:
		it.PlanID, it.InstallmentSeq = opt.Ref, opt.Seq
		title = fmt.Sprintf("Installment %d of payment plan %s", opt.Seq, opt.Ref)
	case store.IntentPayoff:
		it.PlanID, it.Waived = opt.Ref, opt.Payoff.Waived()
		title = "Payoff of payment plan " + opt.Ref
	case store.IntentInvoice:
		it.InvoiceID = opt.Ref
		title = "Invoice " + opt.InvoiceNumber
	case store.IntentBalance:
		title = "Balance in " + opt.Ref
	}
	return s.startCheckout(ctx, p, &it, payments.ModePayment, title, "paid")
}

// PortalAutopaySetup starts saving a payment method for an active plan
// of the session's customer (the provider's hosted set-up page); once the
// provider confirms it (webhook), the daily run charges each installment
// on its due date. Doing it again replaces the saved method.
func (s *Service) PortalAutopaySetup(ctx context.Context, p *PortalSession, planID string) (string, error) {
	if s.online == nil {
		return "", errNoOnline()
	}
	today := s.Today()
	var pl *plan.Plan
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		v, err := loadPlan(ctx, tx, planID, today)
		if apperr.CodeOf(err) == apperr.NotFound || (err == nil && v.Plan.CustomerID != p.customerID) {
			return apperr.Errorf(apperr.NotFound, "no plan %q", planID)
		}
		if err != nil {
			return err
		}
		if v.Status != plan.Active {
			return apperr.Errorf(apperr.Conflict, "plan %s is %s: autopay is for an active plan", v.Plan.ID, v.Status)
		}
		pl = &v.Plan
		return nil
	})
	if err != nil {
		return "", err
	}
	if _, _, err := payments.MinorUnits(money.New(pl.Installments[0].Amount.Minor(), pl.Balance.Currency())); err != nil {
		return "", apperr.Field("amount", "%s", err)
	}
	it := store.OnlineIntent{Provider: s.online.p.Name(), CustomerID: p.customerID, Kind: store.IntentSetup, PlanID: pl.ID,
		Amount: money.Zero(pl.Balance.Currency()), Status: store.IntentOpen, AsOf: today}
	return s.startCheckout(ctx, p, &it, payments.ModeSetup, "Automatic payments for payment plan "+pl.ID, "autopay")
}

// startCheckout records the intent, makes sure the customer exists at
// the provider, makes the hosted page and stores its id on the intent.
// The provider is called outside any transaction; a failure leaves the
// intent failed with the reason.
func (s *Service) startCheckout(ctx context.Context, p *PortalSession, it *store.OnlineIntent, mode, title, result string) (string, error) {
	ref, err := s.providerCustomer(ctx, p.customer)
	if err != nil {
		return "", err
	}
	actx := p.actor(ctx)
	err = s.store.Tx(actx, func(tx store.Tx) error {
		if _, err := tx.InsertOnlineIntent(actx, it); err != nil {
			return err
		}
		return audit(actx, tx, "online.checkout", "customer", p.customerID, map[string]any{"intent_id": it.ID, "kind": it.Kind,
			"plan_id": it.PlanID, "invoice_id": it.InvoiceID, "amount": it.Amount.String(), "currency": it.Amount.Currency()})
	})
	if err != nil {
		return "", err
	}
	base := s.portalBase() + "/portal/" + p.token + "/pay"
	meta := map[string]string{payments.MetaIntent: it.ID, payments.MetaCustomer: p.customerID}
	if it.PlanID != "" {
		meta[payments.MetaPlan] = it.PlanID
	}
	co, cerr := s.online.p.CreateCheckout(ctx, payments.CheckoutRequest{Mode: mode, Customer: ref, Amount: it.Amount, Title: title,
		SuccessURL: base + "?result=" + result, CancelURL: base + "?result=cancelled", Locale: strings.ToLower(strings.SplitN(p.customer.Locale, "-", 2)[0]),
		Metadata: meta, IdempotencyKey: "checkout:" + it.ID})
	err = s.store.Tx(actx, func(tx store.Tx) error {
		if cerr != nil {
			it.Status, it.Failure = store.IntentFailed, "the payment page could not be made: "+cerr.Error()
		} else {
			it.SessionID = co.ID
		}
		_, err := tx.UpdateOnlineIntent(actx, it, store.IntentOpen)
		return err
	})
	if cerr != nil {
		return "", fmt.Errorf("online payment %s: %w", it.ID, cerr)
	}
	if err != nil {
		return "", err
	}
	return co.URL, nil
}

// providerCustomer is the provider's customer id for c, made on first use.
// Two first uses at once make one customer at the provider (the same
// idempotency key) and one link (the first stored wins).
func (s *Service) providerCustomer(ctx context.Context, c ledger.Customer) (string, error) {
	name := s.online.p.Name()
	var ref string
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		ref, err = tx.OnlineCustomer(ctx, name, c.ID)
		return err
	})
	if err == nil {
		return ref, nil
	}
	if apperr.CodeOf(err) != apperr.NotFound {
		return "", err
	}
	made, err := s.online.p.CreateCustomer(ctx, payments.Customer{SettleID: c.ID, Name: c.Name, Email: c.Email}, "settle-customer:"+c.ID)
	if err != nil {
		return "", err
	}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		if err := tx.InsertOnlineCustomer(ctx, name, c.ID, made); err != nil {
			return err
		}
		var err error
		ref, err = tx.OnlineCustomer(ctx, name, c.ID)
		return err
	})
	return ref, err
}

// portalBase is the portal's public base URL (PortalURL, else
// SETTLE_PUBLIC_URL / SETTLE_ADDR).
func (s *Service) portalBase() string {
	if s.PortalURL != "" {
		return strings.TrimRight(s.PortalURL, "/")
	}
	return PortalBaseURL(os.Getenv)
}

// PortalAutopay reports whether a plan of the session's customer has a
// saved payment method (autopay on).
func (s *Service) PortalAutopay(ctx context.Context, p *PortalSession, planID string) (bool, error) {
	if s.online == nil {
		return false, nil
	}
	on := false
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		m, err := tx.OnlineMandate(ctx, planID)
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil
		}
		if err != nil {
			return err
		}
		on = m.CustomerID == p.customerID
		return nil
	})
	return on, err
}

// OnlineActivity is what staff see of a customer's (or a plan's) online
// payments: failures, disputes, money held for review, the autopay
// mandate.
type OnlineActivity struct {
	Enabled  bool
	Intents  []store.OnlineIntent // newest first (up to 50)
	Failed   []store.OnlineIntent // of Intents: failed
	Held     []store.OnlineIntent // of Intents: paid but held for review
	Disputes []store.OnlineDispute
	Mandate  *store.OnlineMandate // a plan's saved method, if any
}

// OnlineActivity lists a customer's online payments (planID empty) or a
// plan's.
func (s *Service) OnlineActivity(ctx context.Context, customerID, planID string) (*OnlineActivity, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	a := &OnlineActivity{Enabled: s.online != nil}
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		f := store.OnlineIntentFilter{Limit: 50}
		if planID != "" {
			pl, err := tx.Plan(ctx, planID)
			if err != nil {
				return err
			}
			f.PlanID = pl.ID
			m, err := tx.OnlineMandate(ctx, pl.ID)
			switch {
			case err == nil:
				a.Mandate = m
			case apperr.CodeOf(err) != apperr.NotFound:
				return err
			}
		} else {
			c, err := tx.Customer(ctx, customerID)
			if err != nil {
				return err
			}
			f.CustomerID = c.ID
			customerID = c.ID
		}
		var err error
		if a.Intents, err = tx.OnlineIntents(ctx, f); err != nil {
			return err
		}
		for _, it := range a.Intents {
			switch {
			case it.Status == store.IntentFailed:
				a.Failed = append(a.Failed, it)
			case it.Review != "":
				a.Held = append(a.Held, it)
			}
		}
		a.Disputes, err = tx.OnlineDisputes(ctx, customerID, f.PlanID)
		return err
	})
	return a, err
}

// receivedOn is the civil date of an instant in the customer's zone (UTC
// when the zone is unknown).
func receivedOn(c *ledger.Customer, t time.Time) civil.Date {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil || c.TimeZone == "" {
		loc = time.UTC
	}
	return civil.In(t, loc)
}

// errDuplicateEvent rolls back the processing of an event that another
// delivery recorded first.
var errDuplicateEvent = errors.New("online: event processed by another delivery")
