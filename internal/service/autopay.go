package service

import (
	"context"
	"fmt"
	"settle/internal/apperr"
	"strconv"
	"strings"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/notify"
	"settle/internal/payments"
	"settle/internal/plan"
	"settle/internal/store"
)

// Autopay: the daily run charges, for every plan with a saved payment
// method (online_mandates) that is still active, each installment that
// is due by the run's date and not paid, off-session. Attempts are rows
// of online_intents (kind autopay) keyed autopay:<plan>:<seq>:<attempt>,
// and the provider call carries the same string as its idempotency key:
//
//   - the row is written (open) and committed before the call, so a run
//     that dies mid-call finds it open next time and calls again with the
//     same key — the provider answers with the first charge, never a
//     second one;
//   - an attempt that fails (declined now, or later by webhook) is retried
//     on the due date + 3 days, then + 7 days; after the third failure the
//     run stops and an agent gets a task. The customer is told of each
//     failure (an email, or a call task when email is not possible);
//   - an attempt pending at the provider waits for its webhook.
//
// The hook is StartRun (runs.go): every call for a date charges what is
// due (idempotent as above), before the ladder visits the customers.

// AutopayRetryDays are the retries after a failed attempt, in days after
// the installment's due date; the first attempt is on the due date.
var AutopayRetryDays = []int{3, 7}

// AutopayReport counts what a charge pass did.
type AutopayReport struct {
	Charged   int // attempts made (succeeded, pending or failed at once)
	Succeeded int
	Pending   int
	Failed    int
	Errors    []string // calls whose outcome is unknown (retried at the next run)
}

// autopayCharge is one attempt to make.
type autopayCharge struct {
	it      store.OnlineIntent
	mandate store.OnlineMandate
	due     civil.Date
}

// ChargeAutopay charges the autopay installments due by asOf (admins and
// agents; the daily run calls it). Without a provider it does nothing.
func (s *Service) ChargeAutopay(ctx context.Context, asOf civil.Date) (*AutopayReport, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	return s.chargeAutopay(ctx, asOf)
}

func (s *Service) chargeAutopay(ctx context.Context, asOf civil.Date) (*AutopayReport, error) {
	rep := &AutopayReport{}
	if s.online == nil {
		return rep, nil
	}
	var todo []autopayCharge
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		ms, err := tx.OnlineMandates(ctx)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Provider != s.online.p.Name() {
				continue
			}
			cs, err := s.autopayDue(ctx, tx, m, asOf)
			if err != nil {
				return fmt.Errorf("autopay plan %s: %w", m.PlanID, err)
			}
			todo = append(todo, cs...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	defer func() { s.observer().AutopayCharged(*rep) }()
	for i := range todo {
		if err := s.chargeOne(ctx, &todo[i], asOf, rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// autopayDue lists the attempts a plan needs on asOf.
func (s *Service) autopayDue(ctx context.Context, tx store.Tx, m store.OnlineMandate, asOf civil.Date) ([]autopayCharge, error) {
	v, err := loadPlan(ctx, tx, m.PlanID, asOf)
	if err != nil {
		return nil, err
	}
	if v.Status != plan.Active || v.Tracking == nil || v.Plan.CustomerID != m.CustomerID {
		return nil, nil
	}
	past, err := tx.OnlineIntents(ctx, store.OnlineIntentFilter{PlanID: m.PlanID, Kind: store.IntentAutopay, Limit: 500})
	if err != nil {
		return nil, err
	}
	latest := map[int]store.OnlineIntent{} // per installment: its last attempt
	for _, it := range past {
		if prev, ok := latest[it.InstallmentSeq]; !ok || it.Attempt > prev.Attempt {
			latest[it.InstallmentSeq] = it
		}
	}
	var out []autopayCharge
	for _, st := range v.Tracking.Installments {
		unpaid := st.Amount.Minor() - st.Paid.Minor()
		if unpaid <= 0 || st.DueDate.After(asOf) {
			continue
		}
		attempt := 1
		if last, ok := latest[st.Seq]; ok {
			switch {
			case last.Status == store.IntentOpen:
				// A call that never answered: again, with the same key and amount.
				out = append(out, autopayCharge{it: last, mandate: m, due: st.DueDate})
				continue
			case last.Status != store.IntentFailed:
				continue // pending at the provider, or paid (the ledger will show it)
			case last.Attempt > len(AutopayRetryDays) || last.NextRetryOn.IsZero() || last.NextRetryOn.After(asOf):
				continue // given up, or not yet
			}
			attempt = last.Attempt + 1
		}
		it := store.OnlineIntent{Provider: m.Provider, CustomerID: m.CustomerID, Kind: store.IntentAutopay, PlanID: m.PlanID, InstallmentSeq: st.Seq,
			Amount: money.New(unpaid, st.Amount.Currency()), Status: store.IntentOpen, Attempt: attempt, AsOf: asOf,
			DedupeKey: autopayKey(m.PlanID, st.Seq, attempt)}
		out = append(out, autopayCharge{it: it, mandate: m, due: st.DueDate})
	}
	return out, nil
}

func autopayKey(planID string, seq, attempt int) string {
	return "autopay:" + planID + ":" + strconv.Itoa(seq) + ":" + strconv.Itoa(attempt)
}

// chargeOne makes one attempt: the row first (committed), then the call,
// then its outcome.
func (s *Service) chargeOne(ctx context.Context, c *autopayCharge, asOf civil.Date, rep *AutopayReport) error {
	ctx = WithActor(ctx, Actor{ID: "system:autopay", Role: RoleAgent})
	it := &c.it
	if it.ID == "" {
		err := s.store.Tx(ctx, func(tx store.Tx) error {
			created, err := tx.InsertOnlineIntent(ctx, it)
			if err != nil || !created {
				return err
			}
			return audit(ctx, tx, "online.autopay_attempt", "plan", it.PlanID, map[string]any{"intent_id": it.ID, "seq": it.InstallmentSeq,
				"attempt": it.Attempt, "amount": it.Amount.String(), "currency": it.Amount.Currency()})
		})
		if err != nil {
			return err
		}
		if it.Status != store.IntentOpen {
			return nil // another worker made this attempt meanwhile
		}
	}
	ch, cerr := s.online.p.Charge(ctx, payments.ChargeRequest{Customer: c.mandate.ProviderCustomer, PaymentMethod: c.mandate.PaymentMethod,
		Amount: it.Amount, Description: fmt.Sprintf("Installment %d of payment plan %s", it.InstallmentSeq, it.PlanID),
		Metadata:       map[string]string{payments.MetaIntent: it.ID, payments.MetaCustomer: it.CustomerID, payments.MetaPlan: it.PlanID},
		IdempotencyKey: it.DedupeKey})
	if cerr != nil {
		// The outcome is unknown: the row stays open and the next run
		// asks again with the same key.
		rep.Errors = append(rep.Errors, fmt.Sprintf("%s: %v", it.ID, cerr))
		return nil
	}
	rep.Charged++
	return s.store.Tx(ctx, func(tx store.Tx) error {
		cur, err := tx.OnlineIntent(ctx, it.ID)
		if err != nil {
			return err
		}
		if cur.Status != store.IntentOpen {
			return nil // a webhook told us first
		}
		cur.PaymentIntentID = ch.PaymentIntent
		switch ch.Status {
		case payments.ChargeFailed:
			rep.Failed++
			reason := ch.FailureMessage
			if ch.FailureCode != "" {
				reason = ch.FailureCode + ": " + reason
			}
			_, err := s.autopayFailed(ctx, tx, cur, reason, asOf)
			return err
		case payments.ChargeSucceeded:
			rep.Succeeded++
			// Taken at once: booked now (the webhook that follows finds
			// the intent paid and changes nothing).
			ev := &payments.Event{ID: "charge:" + cur.ID, PaymentIntent: ch.PaymentIntent, ObjectID: ch.PaymentIntent, Amount: cur.Amount,
				Created: tx.Now()}
			_, err := s.applyPayment(ctx, tx, ev, cur, cur.CustomerID)
			return err
		default:
			rep.Pending++
			cur.Status = store.IntentPending
			_, err := tx.UpdateOnlineIntent(ctx, cur, store.IntentOpen)
			return err
		}
	})
}

// autopayFailed marks an attempt failed, schedules the next one (due
// date + 3, then + 7 days; never before tomorrow) or gives up after the
// last, and tells the customer.
func (s *Service) autopayFailed(ctx context.Context, tx store.Tx, it *store.OnlineIntent, reason string, on civil.Date) (string, error) {
	p, err := tx.Plan(ctx, it.PlanID)
	if err != nil {
		return "", err
	}
	var due civil.Date
	for _, in := range p.Installments {
		if in.Seq == it.InstallmentSeq {
			due = in.DueDate
		}
	}
	failed := *it
	failed.Status, failed.Failure, failed.NextRetryOn = store.IntentFailed, reason, civil.Date{}
	if it.Attempt <= len(AutopayRetryDays) {
		next := due.AddDays(AutopayRetryDays[it.Attempt-1])
		if !next.After(on) {
			next = on.AddDays(1)
		}
		failed.NextRetryOn = next
	}
	ok, err := tx.UpdateOnlineIntent(ctx, &failed, store.IntentOpen, store.IntentPending)
	if err != nil {
		return "", err
	}
	if !ok {
		return "intent " + it.ID + " is " + it.Status + " already", nil
	}
	c, err := tx.Customer(ctx, it.CustomerID)
	if err != nil {
		return "", err
	}
	if err := s.tellAutopayFailed(ctx, tx, c, &failed, due); err != nil {
		return "", err
	}
	if failed.NextRetryOn.IsZero() {
		if _, _, err := tx.InsertTask(ctx, &store.Task{CustomerID: c.ID, Queue: "tier1", Kind: "call", DueAt: tx.Now(), Status: store.TaskOpen,
			Priority: it.Amount.Minor(), DedupeKey: "autopay-gave-up:" + it.PlanID + ":" + strconv.Itoa(it.InstallmentSeq),
			Reason: fmt.Sprintf("autopay failed %d times for installment %d of plan %s (%s %s due %s; last: %s): settle will not try again — agree how the customer pays",
				it.Attempt, it.InstallmentSeq, it.PlanID, it.Amount, it.Amount.Currency(), due, reason)}); err != nil {
			return "", err
		}
	}
	if err := audit(ctx, tx, "online.autopay_failed", "plan", it.PlanID, map[string]any{"intent_id": it.ID, "seq": it.InstallmentSeq,
		"attempt": it.Attempt, "reason": reason, "next_retry_on": failed.NextRetryOn}); err != nil {
		return "", err
	}
	out := fmt.Sprintf("autopay attempt %d of installment %d failed: %s", it.Attempt, it.InstallmentSeq, reason)
	if !failed.NextRetryOn.IsZero() {
		out += "; next attempt " + failed.NextRetryOn.String()
	}
	return out, nil
}

// tellAutopayFailed queues an email to the customer (once per attempt),
// or, when the customer has no email or opted out of it, a call task.
func (s *Service) tellAutopayFailed(ctx context.Context, tx store.Tx, c *ledger.Customer, it *store.OnlineIntent, due civil.Date) error {
	outs, err := tx.OptOuts(ctx, []string{c.ID})
	if err != nil {
		return err
	}
	key := "autopay-failed:" + it.ID
	if strings.TrimSpace(c.Email) == "" || outs[c.ID]["email"] {
		_, _, err := tx.InsertTask(ctx, &store.Task{CustomerID: c.ID, Queue: "tier1", Kind: "call", DueAt: tx.Now(), Status: store.TaskOpen,
			Priority: it.Amount.Minor(), DedupeKey: key,
			Reason: fmt.Sprintf("tell the customer: autopay of installment %d of plan %s (%s %s) failed: %s", it.InstallmentSeq, it.PlanID,
				it.Amount, it.Amount.Currency(), it.Failure)})
		return err
	}
	optOut, err := s.optOutURL(ctx, tx, c.ID, tx.Now())
	if err != nil {
		return err
	}
	payURL, err := s.payURL(ctx, tx, c.ID, tx.Now())
	if err != nil {
		return err
	}
	subject, body := notify.AutopayFailedEmail(notify.AutopayFailed{Creditor: s.Creditor, CustomerName: c.Name, Locale: c.Locale,
		Amount: it.Amount, Installment: it.InstallmentSeq, DueDate: due, Reason: it.Failure, RetryOn: it.NextRetryOn,
		PayURL: payURL, OptOutURL: optOut})
	m := &store.Message{CustomerID: c.ID, Channel: "email", Step: "autopay_failed", Tone: toneOf(c.Style), Locale: c.Locale, ScheduledFor: tx.Now().UTC(),
		Status: store.MessageQueued, Subject: subject, Body: body, DedupeKey: key}
	if _, _, err := tx.InsertMessage(ctx, m); err != nil {
		return err
	}
	return nil
}

// chargedAutomatically reports whether a plan's installments are charged
// by the daily run (online payments on, and a saved payment method for
// the plan with that provider): its installment reminders then say that
// the money will be collected, and ask for no payment.
func (s *Service) chargedAutomatically(ctx context.Context, tx store.Tx, planID string) (bool, error) {
	if s.online == nil {
		return false, nil
	}
	m, err := tx.OnlineMandate(ctx, planID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return m.Provider == s.online.p.Name(), nil
}
