package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/payments"
	"settle/internal/plan"
	"settle/internal/store"
)

// The provider's webhook events. Each delivery is verified (signature
// under the endpoint secret) before anything in it is read, and processed
// once per event id in one transaction: the event's record (online_events)
// is written in the same transaction as its effects, so a crash leaves
// neither and the provider's retry does it all; a second delivery finds
// the record and changes nothing. Money is recorded by claiming the
// intent it pays (open/pending/failed → paid, in one conditional update),
// so the two events one checkout sends (checkout.session.completed and
// payment_intent.succeeded) record one payment between them.
//
// Money that does not match what its intent asked for (another amount, an
// invoice paid meanwhile, a plan no longer active, a payment settle did
// not ask for) is never dropped: it is recorded as a payment on the
// customer's account — the ledger applies it to the oldest open invoices
// and keeps any rest as credit — the intent says why in Review, and a
// review task asks an agent to look.

// onlineActor is who the audit log shows for webhook effects.
const onlineActor = "webhook:"

// earlyPayoffMethod and earlyPayoffRef mark the credit notes that waive
// the rest of a plan paid off early (the discount, and interest not yet
// earned); the plan's tracking counts them as paid (planPayments).
const earlyPayoffMethod = "early_payoff"

func earlyPayoffRef(planID string) string { return "early payoff of plan " + planID }

// WebhookResult is what a delivery did.
type WebhookResult struct {
	EventID   string
	Type      string
	Duplicate bool   // processed already: nothing changed
	Outcome   string // what it did, for the log
}

// HandleOnlineWebhook verifies and processes one webhook delivery from
// the payment provider. It needs no actor: the signature is the
// credential. A bad signature or body is Invalid (answer 400; nothing is
// recorded); other errors are internal (answer 500: the provider retries).
func (s *Service) HandleOnlineWebhook(ctx context.Context, payload []byte, signature string) (*WebhookResult, error) {
	if s.online == nil {
		return nil, errNoOnline()
	}
	ev, err := s.online.p.ParseWebhook(payload, signature)
	if err != nil {
		if errors.Is(err, payments.ErrBadSignature) {
			return nil, apperr.Field("Stripe-Signature", "the signature does not verify")
		}
		return nil, apperr.Errorf(apperr.Invalid, "the event cannot be read: %v", err)
	}
	provider := s.online.p.Name()
	res := &WebhookResult{EventID: ev.ID, Type: ev.Type}
	ctx = WithActor(ctx, Actor{ID: onlineActor + provider, Role: RoleAgent})
	// Done already? (Read first: no call to the provider for a repeat.)
	err = s.store.ReadTx(ctx, func(tx store.Tx) error {
		_, err := tx.OnlineEvent(ctx, provider, ev.ID)
		return err
	})
	if err == nil {
		res.Duplicate, res.Outcome = true, "processed already"
		return res, nil
	}
	if apperr.CodeOf(err) != apperr.NotFound {
		return nil, err
	}
	// A completed set-up session names its SetupIntent; its payment
	// method is read from the provider before the transaction.
	if ev.Type == payments.EventCheckoutCompleted && ev.Mode == payments.ModeSetup && ev.PaymentMethod == "" && ev.SetupIntent != "" {
		pm, cu, err := s.online.p.SetupPaymentMethod(ctx, ev.SetupIntent)
		if err != nil {
			return nil, err
		}
		ev.PaymentMethod = pm
		if ev.Customer == "" {
			ev.Customer = cu
		}
	}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		customerID, outcome, err := s.processEvent(ctx, tx, ev)
		if err != nil {
			return err
		}
		res.Outcome = outcome
		created, err := tx.InsertOnlineEvent(ctx, &store.OnlineEvent{Provider: provider, ID: ev.ID, Type: ev.Type, CustomerID: customerID, Outcome: outcome})
		if err != nil {
			return err
		}
		if !created {
			return errDuplicateEvent
		}
		return nil
	})
	if errors.Is(err, errDuplicateEvent) {
		res.Duplicate, res.Outcome = true, "processed by a concurrent delivery"
		return res, nil
	}
	if err != nil {
		return nil, fmt.Errorf("webhook event %s (%s): %w", ev.ID, ev.Type, err)
	}
	return res, nil
}

// processEvent applies one event in tx and says what it did.
func (s *Service) processEvent(ctx context.Context, tx store.Tx, ev *payments.Event) (customerID, outcome string, err error) {
	it, err := s.findIntent(ctx, tx, ev)
	if err != nil {
		return "", "", err
	}
	if it != nil {
		customerID = it.CustomerID
	} else if customerID, err = s.eventCustomer(ctx, tx, ev); err != nil {
		return "", "", err
	}
	switch ev.Type {
	case payments.EventCheckoutCompleted, "checkout.session.async_payment_succeeded":
		switch {
		case ev.Mode == payments.ModeSetup:
			outcome, err = s.saveMandate(ctx, tx, ev, it)
		case ev.Paid:
			outcome, err = s.applyPayment(ctx, tx, ev, it, customerID)
		default:
			outcome = "checkout completed, payment not yet confirmed"
		}
	case payments.EventPaymentSucceeded:
		outcome, err = s.applyPayment(ctx, tx, ev, it, customerID)
	case payments.EventPaymentFailed, "checkout.session.async_payment_failed":
		outcome, err = s.failPayment(ctx, tx, ev, it)
	case "checkout.session.expired":
		outcome, err = s.expireCheckout(ctx, tx, it)
	case payments.EventSetupSucceeded:
		outcome, err = s.saveMandate(ctx, tx, ev, it)
	case payments.EventDisputeCreated, payments.EventDisputeUpdated, payments.EventDisputeClosed:
		outcome, err = s.recordDispute(ctx, tx, ev, it, customerID)
	default:
		outcome = "ignored: settle does not act on " + ev.Type
	}
	return customerID, outcome, err
}

// findIntent finds the intent an event is about: by the metadata settle
// put on the provider's object, else by the payment intent or session id.
func (s *Service) findIntent(ctx context.Context, tx store.Tx, ev *payments.Event) (*store.OnlineIntent, error) {
	try := func(it *store.OnlineIntent, err error) (*store.OnlineIntent, error) {
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil, nil
		}
		if err == nil && it.Provider != s.online.p.Name() {
			return nil, nil
		}
		return it, err
	}
	if id := ev.Metadata[payments.MetaIntent]; id != "" {
		if it, err := try(tx.OnlineIntent(ctx, id)); it != nil || err != nil {
			return it, err
		}
	}
	for _, ref := range []string{ev.PaymentIntent, ev.ObjectID} {
		if ref == "" {
			continue
		}
		if it, err := try(tx.OnlineIntentByRef(ctx, ref)); it != nil || err != nil {
			return it, err
		}
	}
	return nil, nil
}

// eventCustomer is the settle customer of an event with no intent: by
// metadata, else by the provider's customer id; "" when unknown.
func (s *Service) eventCustomer(ctx context.Context, tx store.Tx, ev *payments.Event) (string, error) {
	if id := ev.Metadata[payments.MetaCustomer]; id != "" {
		c, err := tx.Customer(ctx, id)
		if err == nil {
			return c.ID, nil
		}
		if apperr.CodeOf(err) != apperr.NotFound {
			return "", err
		}
	}
	if ev.Customer != "" {
		id, err := tx.OnlineCustomerByRef(ctx, s.online.p.Name(), ev.Customer)
		if err == nil {
			return id, nil
		}
		if apperr.CodeOf(err) != apperr.NotFound {
			return "", err
		}
	}
	return "", nil
}

// applyPayment records money received. See the file comment for what is
// held for review.
func (s *Service) applyPayment(ctx context.Context, tx store.Tx, ev *payments.Event, it *store.OnlineIntent, customerID string) (string, error) {
	received := ev.Amount
	if !received.IsPositive() {
		return "nothing received", nil
	}
	if customerID == "" {
		// Money settle cannot attribute to anyone (a payment taken at the
		// provider outside settle): kept in the event record for the log;
		// it is not settle's to book.
		return fmt.Sprintf("unmatched: %s %s from provider customer %q, no settle customer: not booked", received, received.Currency(), ev.Customer), nil
	}
	c, err := tx.Customer(ctx, customerID)
	if err != nil {
		return "", err
	}
	on := receivedOn(c, ev.Created)
	ref := ev.PaymentIntent
	if ref == "" {
		ref = ev.ObjectID
	}
	pay := ledger.Payment{Kind: ledger.KindPayment, CustomerID: c.ID, ReceivedOn: on, Amount: received, Method: s.online.p.Name(), Reference: ref}
	if it == nil || it.Kind == store.IntentSetup {
		review := fmt.Sprintf("an online payment settle did not ask for (%s)", ref)
		if err := s.bookPayment(ctx, tx, &pay, 0, ""); err != nil {
			return "", err
		}
		if err := s.holdForReview(ctx, tx, c.ID, "online-review:"+ref, received, pay.ID, review); err != nil {
			return "", err
		}
		return "held for review: " + review + "; recorded on account as " + pay.ID, nil
	}
	claimed := *it
	claimed.Status = store.IntentPaid
	if claimed.PaymentIntentID == "" {
		claimed.PaymentIntentID = ev.PaymentIntent
	}
	ok, err := tx.UpdateOnlineIntent(ctx, &claimed, store.IntentOpen, store.IntentPending, store.IntentFailed)
	if err != nil {
		return "", err
	}
	if !ok {
		return "recorded already (intent " + it.ID + ")", nil
	}
	review, waive, planID, err := s.checkTarget(ctx, tx, it, &pay, on)
	if err != nil {
		return "", err
	}
	if err := s.bookPayment(ctx, tx, &pay, waive, planID); err != nil {
		return "", err
	}
	claimed.PaymentID, claimed.Review = pay.ID, review
	if _, err := tx.UpdateOnlineIntent(ctx, &claimed); err != nil {
		return "", err
	}
	if err := audit(ctx, tx, "online.payment", "payment", pay.ID, map[string]any{"intent_id": it.ID, "kind": it.Kind, "reference": ref,
		"amount": received.String(), "currency": received.Currency(), "waived": money.New(waive, received.Currency()).String(), "review": review}); err != nil {
		return "", err
	}
	if review != "" {
		if err := s.holdForReview(ctx, tx, c.ID, "online-review:"+it.ID, received, pay.ID, review); err != nil {
			return "", err
		}
		return "held for review: " + review + "; recorded on account as " + pay.ID, nil
	}
	out := fmt.Sprintf("payment %s of %s %s for %s", pay.ID, received, received.Currency(), it.Kind)
	if waive > 0 {
		out += fmt.Sprintf(", %s waived", money.New(waive, received.Currency()))
	}
	return out, nil
}

// checkTarget decides where a payment for intent it goes: what it asked
// for (an invoice named, a plan paid), or on account with a reason for
// review. For a payoff it also says how much of the plan to waive.
func (s *Service) checkTarget(ctx context.Context, tx store.Tx, it *store.OnlineIntent, pay *ledger.Payment, on civil.Date) (review string, waive int64, planID string, err error) {
	received := pay.Amount
	if received != it.Amount {
		return fmt.Sprintf("received %s %s; the payment asked for %s %s", received, received.Currency(), it.Amount, it.Amount.Currency()), 0, "", nil
	}
	switch it.Kind {
	case store.IntentInvoice:
		inv, err := tx.Invoice(ctx, it.InvoiceID)
		if err != nil {
			return "", 0, "", err
		}
		if inv.Status() != ledger.StatusOpen || inv.Balance.Minor() < received.Minor() {
			return fmt.Sprintf("invoice %s is %s with %s open: it no longer needs %s", inv.Number, inv.Status(), inv.Balance, received), 0, "", nil
		}
		pay.InvoiceID = inv.ID
	case store.IntentInstallment, store.IntentAutopay, store.IntentPayoff:
		v, err := loadPlan(ctx, tx, it.PlanID, on)
		if err != nil {
			return "", 0, "", err
		}
		if v.Status != plan.Active || v.Tracking == nil {
			return fmt.Sprintf("plan %s is %s: it takes no payments", it.PlanID, v.Status), 0, "", nil
		}
		if it.Kind == store.IntentPayoff {
			left := v.Tracking.Outstanding.Minor() - received.Minor()
			if left > it.Waived.Minor() {
				return fmt.Sprintf("the payoff of plan %s no longer covers it: %s would still be owed, %s was to be waived", it.PlanID,
					money.New(left, received.Currency()), it.Waived), 0, "", nil
			}
			waive = max(0, left)
		}
		planID = it.PlanID
	case store.IntentBalance:
		invs, err := portalOpenInvoices(ctx, tx, it.CustomerID)
		if err != nil {
			return "", 0, "", err
		}
		var open int64
		for _, inv := range invs {
			if inv.Balance.Currency() == received.Currency() && !inv.Disputed {
				open += inv.Balance.Minor()
			}
		}
		if received.Minor() > open {
			return fmt.Sprintf("%s %s is more than the %s open now; the rest stays as credit", received, received.Currency(), money.New(open, received.Currency())), 0, "", nil
		}
	}
	return "", waive, planID, nil
}

// bookPayment stores a payment and, for a plan paid off early, the credit
// notes that waive the rest (on the plan's invoices first, up to their
// balances); replays the ledger; and records plans it completes.
func (s *Service) bookPayment(ctx context.Context, tx store.Tx, pay *ledger.Payment, waive int64, planID string) error {
	if err := pay.Validate(); err != nil {
		return err
	}
	if err := tx.InsertPayment(ctx, pay); err != nil {
		return err
	}
	if _, err := reallocate(ctx, tx, pay.CustomerID); err != nil {
		return err
	}
	if waive > 0 {
		pl, err := tx.Plan(ctx, planID)
		if err != nil {
			return err
		}
		cur := pay.Amount.Currency()
		left := waive
		note := func(amount int64, invoiceID string) error {
			cn := ledger.Payment{Kind: ledger.KindCreditNote, CustomerID: pay.CustomerID, ReceivedOn: pay.ReceivedOn, Amount: money.New(amount, cur),
				Method: earlyPayoffMethod, Reference: earlyPayoffRef(planID), InvoiceID: invoiceID}
			return tx.InsertPayment(ctx, &cn)
		}
		for _, invID := range pl.InvoiceIDs {
			inv, err := tx.Invoice(ctx, invID)
			if err != nil {
				return err
			}
			if n := min(left, inv.Balance.Minor()); n > 0 {
				if err := note(n, inv.ID); err != nil {
					return err
				}
				left -= n
			}
		}
		if left > 0 {
			if err := note(left, ""); err != nil {
				return err
			}
		}
		if _, err := reallocate(ctx, tx, pay.CustomerID); err != nil {
			return err
		}
	}
	asOf := civil.In(tx.Now(), time.UTC)
	if pay.ReceivedOn.After(asOf) {
		asOf = pay.ReceivedOn
	}
	return recordCompletions(ctx, tx, pay.CustomerID, asOf)
}

// holdForReview asks an agent to look at money recorded on account.
func (s *Service) holdForReview(ctx context.Context, tx store.Tx, customerID, key string, amount money.Amount, paymentID, why string) error {
	_, _, err := tx.InsertTask(ctx, &store.Task{CustomerID: customerID, Queue: "tier1", Kind: "review", DueAt: tx.Now(), Status: store.TaskOpen,
		Priority: amount.Minor(), DedupeKey: key,
		Reason: fmt.Sprintf("online payment %s of %s %s held for review: %s. It is recorded on the customer's account (applied to the oldest open invoices, any rest kept as credit): move it where it belongs or refund it.",
			paymentID, amount, amount.Currency(), why)})
	return err
}

// failPayment records a failed payment; an autopay attempt is retried
// later and the customer told (autopay.go).
func (s *Service) failPayment(ctx context.Context, tx store.Tx, ev *payments.Event, it *store.OnlineIntent) (string, error) {
	if it == nil {
		return "failure of a payment settle did not ask for: nothing to record", nil
	}
	reason := ev.FailureMessage
	if ev.FailureCode != "" {
		reason = ev.FailureCode + ": " + reason
	}
	if reason == "" {
		reason = "the payment failed"
	}
	if it.PaymentIntentID == "" {
		it.PaymentIntentID = ev.PaymentIntent
	}
	c, err := tx.Customer(ctx, it.CustomerID)
	if err != nil {
		return "", err
	}
	on := receivedOn(c, ev.Created)
	if it.Kind == store.IntentAutopay {
		return s.autopayFailed(ctx, tx, it, reason, on)
	}
	failed := *it
	failed.Status, failed.Failure = store.IntentFailed, reason
	ok, err := tx.UpdateOnlineIntent(ctx, &failed, store.IntentOpen, store.IntentPending)
	if err != nil || !ok {
		return "intent " + it.ID + " is " + it.Status + " already", err
	}
	return "payment failed: " + reason, audit(ctx, tx, "online.failed", "customer", it.CustomerID, map[string]any{"intent_id": it.ID, "reason": reason})
}

// expireCheckout marks an unpaid hosted page that expired.
func (s *Service) expireCheckout(ctx context.Context, tx store.Tx, it *store.OnlineIntent) (string, error) {
	if it == nil {
		return "expiry of a page settle did not make", nil
	}
	x := *it
	x.Status, x.Failure = store.IntentFailed, "the payment page expired unpaid"
	ok, err := tx.UpdateOnlineIntent(ctx, &x, store.IntentOpen)
	if err != nil || !ok {
		return "intent " + it.ID + " is " + it.Status, err
	}
	return "payment page expired", nil
}

// saveMandate stores the payment method a completed set-up saved, for
// the plan the set-up was for.
func (s *Service) saveMandate(ctx context.Context, tx store.Tx, ev *payments.Event, it *store.OnlineIntent) (string, error) {
	if it == nil || it.Kind != store.IntentSetup || it.PlanID == "" {
		return "set-up settle did not ask for: ignored", nil
	}
	if ev.PaymentMethod == "" {
		return "set-up without a payment method yet", nil
	}
	provider := s.online.p.Name()
	ref, err := tx.OnlineCustomer(ctx, provider, it.CustomerID)
	if err != nil {
		return "", err
	}
	if ev.Customer != "" && ev.Customer != ref {
		return fmt.Sprintf("refused: the payment method belongs to provider customer %s, not %s's %s", ev.Customer, it.CustomerID, ref), nil
	}
	setupRef := ev.SetupIntent
	m := store.OnlineMandate{PlanID: it.PlanID, Provider: provider, CustomerID: it.CustomerID, ProviderCustomer: ref, PaymentMethod: ev.PaymentMethod, SetupRef: setupRef}
	if old, err := tx.OnlineMandate(ctx, it.PlanID); err == nil && old.PaymentMethod == m.PaymentMethod {
		return "autopay set already", nil
	}
	if err := tx.SetOnlineMandate(ctx, &m); err != nil {
		return "", err
	}
	done := *it
	done.Status = store.IntentPaid
	if _, err := tx.UpdateOnlineIntent(ctx, &done, store.IntentOpen, store.IntentFailed); err != nil {
		return "", err
	}
	if err := planEvent(ctx, tx, it.PlanID, "autopay_enabled", civil.In(tx.Now(), time.UTC)); err != nil {
		return "", err
	}
	return "autopay on for plan " + it.PlanID, audit(ctx, tx, "online.autopay", "plan", it.PlanID, map[string]any{"intent_id": it.ID, "setup": setupRef})
}

// recordDispute records a chargeback (or its new status) and asks an
// agent to respond.
func (s *Service) recordDispute(ctx context.Context, tx store.Tx, ev *payments.Event, it *store.OnlineIntent, customerID string) (string, error) {
	d := store.OnlineDispute{Provider: s.online.p.Name(), ID: ev.ObjectID, CustomerID: customerID, PaymentIntentID: ev.PaymentIntent,
		Amount: ev.Amount, Reason: ev.DisputeReason, Status: ev.DisputeStatus}
	if it != nil {
		d.IntentID, d.PlanID, d.PaymentID = it.ID, it.PlanID, it.PaymentID
	}
	if err := tx.UpsertOnlineDispute(ctx, &d); err != nil {
		return "", err
	}
	if customerID == "" {
		return "dispute " + d.ID + " of a payment settle does not know: recorded", nil
	}
	what := fmt.Sprintf("chargeback %s of %s %s (%s) on online payment %s", d.ID, d.Amount, d.Amount.Currency(), d.Reason, d.PaymentID)
	var task, note string
	switch ev.Type {
	case payments.EventDisputeCreated:
		note = "Chargeback opened: " + what
		task = "respond to " + what + " at the provider before its deadline; the ledger still shows the payment"
	case payments.EventDisputeClosed:
		note = "Chargeback closed (" + d.Status + "): " + what
		if d.Status == "lost" {
			task = what + " was lost: the money went back to the customer; settle does not record refunds yet, so take the payment back out of the ledger"
		}
	}
	if note != "" {
		if err := tx.InsertInteraction(ctx, &store.Interaction{CustomerID: customerID, Kind: "note", Direction: "inbound", OccurredAt: tx.Now(),
			Summary: note, ReasonCategory: "dispute", Claim: "unverified", Actor: ActorFrom(ctx).ID}); err != nil {
			return "", err
		}
	}
	if task != "" {
		if _, _, err := tx.InsertTask(ctx, &store.Task{CustomerID: customerID, Queue: "tier2", Kind: "review", DueAt: tx.Now(), Status: store.TaskOpen,
			Priority: d.Amount.Minor(), Reason: task, DedupeKey: "chargeback:" + d.ID + ":" + d.Status}); err != nil {
			return "", err
		}
	}
	return "dispute " + d.ID + " " + d.Status, audit(ctx, tx, "online.dispute", "customer", customerID, map[string]any{"dispute": d.ID, "status": d.Status,
		"amount": d.Amount.String(), "currency": d.Amount.Currency(), "payment_id": d.PaymentID})
}
