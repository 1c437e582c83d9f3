package service

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"settle/internal/assess"
	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/notify"
	"settle/internal/plan"
	"settle/internal/store"
)

// Collection cases (docs/collections.md). The rules live in
// internal/collect; this file keeps the cases in the store and re-checks
// what was queued: the daily run (runs.go) asks collect.Due what a
// customer's cases do next, then calls in here to
//
//   - record the step each case took (and close the cases with nothing
//     overdue left),
//   - withdraw the queued messages and open tasks that are no longer true
//     (paid, covered by a plan, disputed, under a promise, paused, opted
//     out, superseded by a later step), undoing the case's step when what
//     it queued never left,
//   - merge a new task into the customer's open task of the same queue.
//
// Delivery (deliver.go) runs the same re-check on each message as it
// leaves, and renders it again from the ledger of that moment.

// withdrawal is a queued message or an open task the run withdraws.
type withdrawal struct {
	messageID, taskID string
	reason            string
	// revert: the reason is about the whole case (not one channel), so
	// the case's step is undone when it was this message's: a step that
	// never reached the customer is taken again when the case resumes.
	revert   bool
	currency string
	step     string
	stepOn   civil.Date
}

// casesOf turns stored cases into the rules' view.
func casesOf(list []store.Case) map[money.Currency]collect.Case {
	if len(list) == 0 {
		return nil
	}
	out := make(map[money.Currency]collect.Case, len(list))
	for _, c := range list {
		out[money.Currency(c.Currency)] = collect.Case{Step: c.Step, StepOn: c.StepOn, Deadline: c.Deadline}
	}
	return out
}

// closedCases are the stored cases in a currency with nothing overdue
// left: paid, voided or credited. (Disputed and covered items keep the
// case open, paused.)
func closedCases(list []store.Case, st collect.CustomerState, asOf civil.Date) []store.Case {
	if len(list) == 0 {
		return nil
	}
	open := collect.OpenCurrencies(st, asOf)
	var out []store.Case
	for _, c := range list {
		if !open[money.Currency(c.Currency)] {
			out = append(out, c)
		}
	}
	return out
}

// nextCase is the stored case after a step: the step before is kept to
// be restored if this one is withdrawn before it leaves.
//
// A case at its first escalation step starts anew (collect: a case whose
// debts are all gone is over): it is opened on asOf, so that the earlier
// steps a message names are this case's only.
func nextCase(customerID string, cur money.Currency, list []store.Case, c collect.Case, asOf civil.Date, first bool) store.Case {
	out := store.Case{CustomerID: customerID, Currency: string(cur), OpenedOn: asOf, Step: c.Step, StepOn: c.StepOn, Deadline: c.Deadline}
	for _, old := range list {
		if old.Currency == string(cur) {
			out.PrevStep, out.PrevStepOn, out.PrevDeadline = old.Step, old.StepOn, old.Deadline
			if !first {
				out.OpenedOn = old.OpenedOn
			}
		}
	}
	return out
}

// messageContext is what a queued collections message is about, kept for
// the re-check at delivery.
func messageContext(act collect.Action, invs map[string]ledger.Invoice, claim statutoryClaim) store.MessageContext {
	c := store.MessageContext{Currency: string(act.Currency), InvoiceIDs: slices.Clone(act.InvoiceIDs), PayBy: act.PayBy, Fee: act.Fee,
		Claims: claim.lines}
	if act.Case != nil {
		c.StepOn = act.Case.StepOn
	}
	if act.Installment != nil {
		c.PlanID, c.Seq = act.Installment.PlanID, act.Installment.Seq
		c.Currency = string(act.Installment.Outstanding.Currency())
	}
	if act.Default != nil {
		c.PlanID = act.Default.PlanID
	}
	if act.Completed != nil {
		c.PlanID = act.Completed.PlanID
	}
	if c.Currency == "" && len(act.InvoiceIDs) > 0 {
		c.Currency = string(invs[act.InvoiceIDs[0]].Amount.Currency())
	}
	return c
}

// letterFallback adds a letter to each escalation step none of whose
// messages can reach the customer (no email address, opted out of email,
// a text message alone): a case never moves on in silence, and the first
// message the customer receives is its first step. When a letter cannot
// go either (no postal address), the step is not taken (silent lists its
// currencies): the letter's action stays, and asks an agent for the
// address.
func letterFallback(actions []collect.Action, usable func(channel string) bool) (_ []collect.Action, silent map[money.Currency]bool) {
	type group struct {
		cur  money.Currency
		step string
	}
	reached := map[group]bool{}
	first := map[group]collect.Action{}
	hasLetter := map[group]bool{}
	var order []group
	for _, a := range actions {
		if a.Case == nil || a.Kind != collect.ActMessage {
			continue
		}
		g := group{a.Currency, a.Step}
		if _, ok := first[g]; !ok {
			first[g] = a
			order = append(order, g)
		}
		if usable(a.Channel) {
			reached[g] = true
		}
		hasLetter[g] = hasLetter[g] || a.Channel == notify.ChannelLetter
	}
	silent = map[money.Currency]bool{}
	for _, g := range order {
		if reached[g] {
			continue
		}
		if !usable(notify.ChannelLetter) {
			silent[g.cur] = true
		}
		if hasLetter[g] {
			continue
		}
		a := first[g]
		a.Channel = notify.ChannelLetter
		a.InvoiceIDs = slices.Clone(a.InvoiceIDs)
		a.Reason += "; by letter: no other channel of the step reaches the customer"
		actions = append(actions, a)
	}
	return actions, silent
}

// courtesyInTime reports whether a courtesy notice, first allowed to
// leave at (the customer's local time), is still true then: a "due today"
// on the due date, a reminder before it. Other messages always are.
func courtesyInTime(l collect.Ladder, act collect.Action, invs map[string]ledger.Invoice, at time.Time) bool {
	if !l.IsCourtesy(act.Step) {
		return true
	}
	day := civil.Of(at)
	for _, id := range act.InvoiceIDs {
		due := invs[id].DueDate
		switch act.Step {
		case collect.StepDueToday:
			if !day.Equal(due) {
				return false
			}
		case collect.StepReminder:
			if day.After(due) {
				return false
			}
		}
	}
	return true
}

// canReach reports whether a message on channel can reach the customer:
// no text message without a phone number, no letter without a postal
// address.
func (s *Service) canReach(cust *ledger.Customer, channel string, org notify.Creditor) bool {
	switch channel {
	case notify.ChannelSMS:
		return strings.TrimSpace(cust.Phone) != ""
	case notify.ChannelLetter:
		return LetterAddress(cust, org) != nil
	}
	return true
}

// addressTask asks an agent for a customer's postal address: a letter of
// a collections step could not be written without it.
func addressTask(cust *ledger.Customer, act collect.Action, runID string, due time.Time, asOf civil.Date) *store.Task {
	return &store.Task{CustomerID: cust.ID, Queue: "tier1", Kind: "review", DueAt: due.UTC(), Priority: 1, Status: store.TaskOpen,
		Reason:     fmt.Sprintf("no postal address: the %s letter of %s could not be written; add the address to the customer", act.Step, asOf),
		InvoiceIDs: slices.Clone(act.InvoiceIDs), RunID: runID,
		DedupeKey: fmt.Sprintf("address:%s:%s:%s", cust.ID, act.Step, asOf)}
}

// recheck decides whether a queued collections message still holds as of
// asOf. When it does, act is the action to render it from now (the
// invoices still open, the installment as it stands); when it does not,
// reason says why in plain words, and revert whether the case's step is
// to be undone. Messages that are not about the ladder (invoice copies,
// invitations, agreements) pass unchanged (ok with a zero act).
func recheck(l collect.Ladder, st runState, invs map[string]ledger.Invoice, cases map[money.Currency]collect.Case, optOuts map[string]bool, m store.Message, asOf civil.Date) (act collect.Action, reason string, revert bool) {
	if optOuts[m.Channel] {
		// Undone too (when no other channel of the step reached the
		// customer: withdraw checks): the case takes the step again, by
		// a channel that reaches them.
		return act, "the customer opted out of " + channelWord(m.Channel), true
	}
	cur := money.Currency(m.Context.Currency)
	act = collect.Action{Kind: collect.ActMessage, Step: m.Step, Channel: m.Channel, Currency: cur, PayBy: m.Context.PayBy, Fee: m.Context.Fee,
		Next: l.FallbackOrDefault()}
	items := map[string]collect.Item{}
	for _, it := range st.Items {
		items[it.InvoiceID] = it
	}
	switch {
	case m.Step == collect.StepInstallmentReminder || m.Step == collect.StepInstallmentMissed:
		for _, in := range st.Installments {
			if in.PlanID == m.Context.PlanID && in.Seq == m.Context.Seq {
				if m.Step == collect.StepInstallmentReminder && in.DueDate.Before(asOf) {
					return act, fmt.Sprintf("installment %d was due on %s: a reminder before it is no longer true", in.Seq, in.DueDate), false
				}
				in := in
				act.Installment = &in
				return act, "", false
			}
		}
		return act, installmentGone(m.Context.PlanID, m.Context.Seq, st.plans[m.Context.PlanID]), false
	case m.Step == collect.StepPlanDefaulted:
		return recheckDefaultNotice(st, m, act)
	case m.Step == collect.StepPlanCompleted:
		return recheckCompletion(st, m, act)
	case l.IsCourtesy(m.Step):
		if st.Paused {
			return act, "chasing is paused by staff", false
		}
		var passed []string
		for _, id := range m.Context.InvoiceIDs {
			it, ok := items[id]
			if !ok || it.Disputed || it.InPlan {
				continue
			}
			if m.Step == collect.StepDueToday && !it.DueDate.Equal(asOf) || it.DueDate.Before(asOf) {
				passed = append(passed, it.Number)
				continue
			}
			act.InvoiceIDs = append(act.InvoiceIDs, id)
		}
		if len(act.InvoiceIDs) == 0 {
			if len(passed) > 0 {
				return act, "no longer true on " + asOf.String() + ": " + strings.Join(passed, ", ") + " is not due on that day any more", false
			}
			return act, invoicesReason(m.Context.InvoiceIDs, items, allInvoices(st)), false
		}
		return act, "", false
	case l.IsEscalation(m.Step):
		if st.Paused {
			return act, "chasing is paused by staff", true
		}
		var sum int64
		for _, it := range st.Items {
			if it.Balance.Currency() != cur || it.Disputed || it.InPlan || !asOf.After(it.DueDate) {
				continue
			}
			act.InvoiceIDs = append(act.InvoiceIDs, it.InvoiceID)
			sum += it.Balance.Minor()
		}
		if len(act.InvoiceIDs) == 0 {
			return act, invoicesReason(m.Context.InvoiceIDs, items, allInvoices(st)), true
		}
		var promised int64
		var ps []collect.Promise
		for _, p := range st.Promises {
			if p.Amount.Currency() == cur {
				promised += p.Amount.Minor()
				ps = append(ps, p)
			}
		}
		if promised > 0 && promised*100 >= l.PromiseShare()*sum {
			return act, fmt.Sprintf("under a promise to pay %s %s by %s", money.New(promised, cur), cur, ps[0].DueDate), true
		}
		act.Promises = ps
		act.Fee = m.Context.Fee && l.FeeApplies(cur, sum)
		c, ok := cases[cur]
		switch {
		case !ok:
			return act, "the collection case was closed", false
		case c.Step != m.Step || !c.StepOn.Equal(m.Context.StepOn):
			return act, fmt.Sprintf("superseded: the case took step %s on %s", c.Step, c.StepOn), false
		}
		return act, "", false
	}
	return collect.Action{}, "", false
}

// installmentGone words why an installment a queued message is about is
// not among the unpaid installments of the customer's active plans: what
// became of it or of its plan, as it is (not a guess).
func installmentGone(planID string, seq int, pf planFate) string {
	switch {
	case !pf.found:
		return fmt.Sprintf("plan %s not found", planID)
	case pf.status == plan.PlanActive:
		return fmt.Sprintf("installment %d of plan %s is paid", seq, planID)
	}
	return fmt.Sprintf("installment %d: %s", seq, planEnded(planID, pf))
}

// planEnded words what became of a plan that is no longer active.
func planEnded(planID string, pf planFate) string {
	switch pf.status {
	case plan.PlanDefaulted:
		return fmt.Sprintf("plan %s ended: it defaulted on %s", planID, pf.defaultedOn)
	case plan.PlanCompleted:
		return fmt.Sprintf("plan %s is completed: paid off", planID)
	case plan.Superseded:
		return fmt.Sprintf("plan %s was superseded: renegotiated as a new plan", planID)
	case plan.Cancelled:
		return fmt.Sprintf("plan %s was cancelled", planID)
	case plan.PlanActive:
		return fmt.Sprintf("plan %s is active again, not in default", planID)
	}
	return fmt.Sprintf("plan %s is %s", planID, pf.status)
}

// recheckDefaultNotice re-checks a queued default notice: it holds while
// its plan is in default and some of the plan's invoices are open, not
// disputed and not covered by a new plan; it is then rendered from the
// ledger of now (what is still unpaid). Otherwise the reason says which
// is true: paid in full, a new plan covers the invoices, the plan was
// superseded, disputed.
func recheckDefaultNotice(st runState, m store.Message, act collect.Action) (collect.Action, string, bool) {
	id := m.Context.PlanID
	var dp *collect.DefaultedPlan
	for i := range st.Defaulted {
		if st.Defaulted[i].PlanID == id {
			dp = &st.Defaulted[i]
		}
	}
	if dp == nil {
		pf, ok := st.plans[id]
		if !ok || !pf.found {
			return act, fmt.Sprintf("plan %s not found", id), false
		}
		return act, planEnded(id, pf), false
	}
	ids, total := collect.DefaultNoticeInvoices(st.CustomerState, *dp)
	if len(ids) == 0 {
		items := map[string]collect.Item{}
		for _, it := range st.Items {
			items[it.InvoiceID] = it
		}
		invs := allInvoices(st)
		var paid, covered, disputed []string
		for _, inv := range dp.InvoiceIDs {
			it, open := items[inv]
			switch {
			case !open:
				paid = append(paid, invoiceLabel(inv, invs))
			case it.InPlan:
				covered = append(covered, fmt.Sprintf("invoice %s is covered by a new payment plan (%s)", it.Number, st.inPlans[inv]))
			case it.Disputed:
				disputed = append(disputed, "invoice "+it.Number+" disputed")
			}
		}
		switch {
		case len(covered) > 0:
			return act, strings.Join(append(covered, disputed...), "; "), false
		case len(disputed) > 0:
			return act, strings.Join(disputed, "; "), false
		}
		return act, fmt.Sprintf("the remaining balance of plan %s was paid in full (%s paid or credited)", id, strings.Join(paid, ", ")), false
	}
	d := *dp
	act.Default, act.InvoiceIDs, act.Currency = &d, ids, total.Currency()
	return act, "", false
}

// recheckCompletion re-checks a queued thank-you: it holds while its plan
// is completed as of now (a staff pause does not hold it: the customer
// wants to hear it), and is rendered with what is still open now on the
// customer's other invoices. Otherwise the reason says what became of
// the plan: a payment it counted was reversed (an installment is unpaid
// again), it defaulted, was superseded or cancelled.
func recheckCompletion(st runState, m store.Message, act collect.Action) (collect.Action, string, bool) {
	id := m.Context.PlanID
	for _, cp := range st.Completed {
		if cp.PlanID == id {
			c := cp
			act.Completed, act.Others, act.Currency = &c, collect.OtherBalances(st.CustomerState, cp), cp.FinalPayment.Currency()
			return act, "", false
		}
	}
	pf, ok := st.plans[id]
	switch {
	case !ok || !pf.found:
		return act, fmt.Sprintf("plan %s not found", id), false
	case pf.status == plan.PlanActive:
		for _, in := range st.Installments {
			if in.PlanID == id {
				return act, fmt.Sprintf("plan %s is no longer paid off: installment %d (due %s) has %s %s unpaid again",
					id, in.Seq, in.DueDate, in.Outstanding, in.Outstanding.Currency()), false
			}
		}
		return act, fmt.Sprintf("plan %s is no longer paid off", id), false
	}
	return act, planEnded(id, pf), false
}

// invoicesReason words why the invoices a message was about no longer
// need it: "INV-1 paid; INV-2 disputed".
func invoicesReason(ids []string, items map[string]collect.Item, invs map[string]ledger.Invoice) string {
	var parts []string
	for _, id := range ids {
		it, ok := items[id]
		switch {
		case !ok:
			parts = append(parts, "invoice "+invoiceLabel(id, invs)+" paid or credited")
		case it.Disputed:
			parts = append(parts, "invoice "+it.Number+" disputed")
		case it.InPlan:
			parts = append(parts, "invoice "+it.Number+" covered by a payment plan")
		}
	}
	if len(parts) == 0 {
		return "nothing it was about is overdue any more"
	}
	return strings.Join(parts, "; ")
}

func invoiceLabel(id string, invs map[string]ledger.Invoice) string {
	if inv, ok := invs[id]; ok && inv.Number != "" {
		return inv.Number
	}
	return id
}

// allInvoices is every invoice of the customer by id, paid ones too (a
// reason names an invoice by its number).
func allInvoices(st runState) map[string]ledger.Invoice {
	out := make(map[string]ledger.Invoice, len(st.ledger))
	for _, inv := range st.ledger {
		out[inv.ID] = inv
	}
	return out
}

func channelWord(ch string) string {
	switch ch {
	case notify.ChannelSMS:
		return "text messages"
	case notify.ChannelLetter:
		return "letters"
	case "call":
		return "calls"
	}
	return ch + "s"
}

// recheckQueued re-checks a visited customer's queued messages and open
// tasks as of the run's date and returns those to withdraw.
func (s *Service) recheckQueued(l collect.Ladder, cust *ledger.Customer, st runState, invs map[string]ledger.Invoice, b *batch, asOf civil.Date) []withdrawal {
	var out []withdrawal
	for _, m := range b.live[cust.ID] {
		if m.ClaimedBy != "" {
			continue // a sender has it: delivery re-checks it
		}
		_, reason, revert := recheck(l, st, invs, st.Cases, b.optOuts[cust.ID], m, asOf)
		if reason != "" {
			out = append(out, withdrawal{messageID: m.ID, reason: reason, revert: revert, currency: m.Context.Currency, step: m.Step, stepOn: m.Context.StepOn})
		}
	}
	items := map[string]collect.Item{}
	for _, it := range st.Items {
		items[it.InvoiceID] = it
	}
	for _, k := range b.tasks[cust.ID] {
		if len(k.InvoiceIDs) == 0 || k.Status != store.TaskOpen {
			continue // not about invoices (a plan review), or someone is on it
		}
		live := false
		for _, id := range k.InvoiceIDs {
			if it, ok := items[id]; ok && !it.Disputed && !it.InPlan {
				live = true
			}
		}
		if st.Paused && live {
			out = append(out, withdrawal{taskID: k.ID, reason: "chasing is paused by staff"})
		} else if !live {
			out = append(out, withdrawal{taskID: k.ID, reason: invoicesReason(k.InvoiceIDs, items, allInvoices(st))})
		}
	}
	return out
}

// caseSent is what an open case sent that reached the customer.
type caseSent struct {
	steps []notify.SentStep // oldest first, one entry per step
	named map[string]bool   // the invoices those messages were about
}

// caseHistory is, per currency, the escalation steps of the customer's
// open cases that reached the customer (sent emails, released letters),
// oldest first, one entry per step, and the invoices they named: sent are
// the customer's sent messages.
func caseHistory(cust *ledger.Customer, cases []store.Case, sent []store.Message, l collect.Ladder) (map[string]caseSent, error) {
	out := map[string]caseSent{}
	if len(cases) == 0 {
		return out, nil
	}
	opened := map[string]civil.Date{}
	for _, c := range cases {
		opened[c.Currency] = c.OpenedOn
	}
	loc, err := time.LoadLocation(cust.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	seen := map[string]bool{}
	for _, m := range sent {
		cur := m.Context.Currency
		from, ok := opened[cur]
		if !ok || m.SentAt == nil || !l.IsEscalation(m.Step) {
			continue
		}
		on := civil.Of(m.SentAt.In(loc))
		if on.Before(from) {
			continue
		}
		cs := out[cur]
		if cs.named == nil {
			cs.named = map[string]bool{}
		}
		for _, id := range m.Context.InvoiceIDs {
			cs.named[id] = true
		}
		if !seen[cur+"/"+m.Step] {
			seen[cur+"/"+m.Step] = true
			cs.steps = append(cs.steps, notify.SentStep{Step: m.Step, On: on})
		}
		out[cur] = cs
	}
	for cur := range out {
		slices.SortStableFunc(out[cur].steps, func(a, b notify.SentStep) int { return a.On.Compare(b.On) })
	}
	return out, nil
}

// applyCases writes the batch's case changes and withdrawals.
func (s *Service) applyCases(ctx context.Context, tx store.Tx, plans []*customerPlan) error {
	var save, closed []store.Case
	for _, p := range plans {
		save = append(save, p.cases...)
		closed = append(closed, p.closed...)
	}
	if err := tx.SaveCases(ctx, save); err != nil {
		return err
	}
	if err := tx.DeleteCases(ctx, closed); err != nil {
		return err
	}
	for _, p := range plans {
		for _, w := range p.withdrawn {
			if err := s.withdraw(ctx, tx, p.customerID, w, ""); err != nil {
				return err
			}
		}
	}
	return nil
}

// withdraw withdraws one message (queued, and unclaimed or claimed by
// worker) or open task, audits it, and undoes the case's step when the
// reason is about the whole case and the step was this message's.
func (s *Service) withdraw(ctx context.Context, tx store.Tx, customerID string, w withdrawal, worker string) error {
	switch {
	case w.messageID != "":
		ok, err := tx.WithdrawMessage(ctx, w.messageID, worker, w.reason)
		if err != nil || !ok {
			return err
		}
		if err := audit(ctx, tx, "message.withdrawn", "message", w.messageID, map[string]any{"customer_id": customerID, "reason": w.reason}); err != nil {
			return err
		}
		if !w.revert || w.currency == "" {
			return nil
		}
		c, err := tx.CaseForUpdate(ctx, customerID, w.currency)
		if err != nil || c == nil {
			return err
		}
		if c.Step != w.step || !c.StepOn.Equal(w.stepOn) {
			return nil // the case moved on, or another channel's withdrawal undid it
		}
		if left, err := stepReached(ctx, tx, customerID, w); err != nil || left {
			return err // another channel of the step was sent, or may still be
		}
		c.Step, c.StepOn, c.Deadline = c.PrevStep, c.PrevStepOn, c.PrevDeadline
		c.PrevStep, c.PrevStepOn, c.PrevDeadline = "", civil.Date{}, civil.Date{}
		return tx.SaveCases(ctx, []store.Case{*c})
	case w.taskID != "":
		k, err := tx.TaskForUpdate(ctx, w.taskID)
		if err != nil {
			return err
		}
		if k.Status != store.TaskOpen {
			return nil
		}
		k.Status, k.StatusReason = store.TaskWithdrawn, w.reason
		if err := tx.UpdateTask(ctx, k); err != nil {
			return err
		}
		return audit(ctx, tx, "task.withdrawn", "task", k.ID, map[string]any{"customer_id": customerID, "reason": w.reason})
	}
	return nil
}

// stepReached reports whether another message of the withdrawn one's step
// (same case, same day taken) was sent or is still queued: then the step
// reached the customer, or may, and is not undone.
func stepReached(ctx context.Context, tx store.Tx, customerID string, w withdrawal) (bool, error) {
	for cursor := ""; ; {
		list, next, err := tx.Messages(ctx, store.MessageFilter{Page: store.Page{Limit: 500, Cursor: cursor}, CustomerID: customerID})
		if err != nil {
			return false, err
		}
		for _, m := range list {
			if m.ID == w.messageID || m.Step != w.step || m.Context.Currency != w.currency || !m.Context.StepOn.Equal(w.stepOn) {
				continue
			}
			if m.Status == store.MessageSent || m.Status == store.MessageQueued {
				return true, nil
			}
		}
		if next == "" {
			return false, nil
		}
		cursor = next
	}
}

// maxTaskReason bounds a task's reason as reasons merge into it: the
// latest are kept.
const maxTaskReason = 4000

// mergeTasks keeps at most one open task per customer and queue: a new
// task whose customer has an open (or claimed) task in the same queue is
// merged into it — its reason added on a line of its own, its invoices
// joined, the higher priority and the earlier due time kept — and one
// that meets another new task of the batch merges with that. It returns
// the tasks left to insert.
func (s *Service) mergeTasks(ctx context.Context, tx store.Tx, plans []*customerPlan, tasks []*store.Task) ([]*store.Task, error) {
	type key struct{ customer, queue string }
	open := map[key]*store.Task{}
	for _, p := range plans {
		gone := map[string]bool{}
		for _, w := range p.withdrawn {
			if w.taskID != "" {
				gone[w.taskID] = true
			}
		}
		for i := range p.openTasks {
			k := &p.openTasks[i]
			if !gone[k.ID] {
				open[key{k.CustomerID, k.Queue}] = k
			}
		}
	}
	fresh := map[key]*store.Task{}
	var out []*store.Task
	for _, t := range tasks {
		k := key{t.CustomerID, t.Queue}
		if into, ok := open[k]; ok {
			if mergeInto(into, t) {
				if err := tx.MergeTask(ctx, into); err != nil {
					return nil, err
				}
				if err := audit(ctx, tx, "task.merged", "task", into.ID, map[string]any{"reason": t.Reason, "invoice_ids": t.InvoiceIDs}); err != nil {
					return nil, err
				}
			}
			continue
		}
		if into, ok := fresh[k]; ok {
			mergeInto(into, t)
			continue
		}
		fresh[k] = t
		out = append(out, t)
	}
	return out, nil
}

// mergeInto merges task t into into and reports whether into changed.
func mergeInto(into, t *store.Task) bool {
	if strings.Contains(into.Reason, t.Reason) {
		return false // merged already (a rerun of the date)
	}
	into.Reason = into.Reason + "\n" + t.Reason
	if len(into.Reason) > maxTaskReason {
		cut := len(into.Reason) - maxTaskReason
		for cut < len(into.Reason) && !utf8.RuneStart(into.Reason[cut]) {
			cut++
		}
		into.Reason = "…" + into.Reason[cut:]
	}
	for _, id := range t.InvoiceIDs {
		if !slices.Contains(into.InvoiceIDs, id) {
			into.InvoiceIDs = append(into.InvoiceIDs, id)
		}
	}
	into.Priority = max(into.Priority, t.Priority)
	if t.DueAt.Before(into.DueAt) {
		into.DueAt = t.DueAt
	}
	return true
}

// recheckVerdict is what delivery does with a claimed message.
type recheckVerdict struct {
	withdrawn bool       // withdrawn (and stored so): not sent
	html      string     // the message rendered again: its HTML part ("" none)
	asOf      civil.Date // the customer's date now: the day a claim it states is posted
	// waitUntil: outside the customer's contact hours now; it waits, still
	// queued, until this slot (waitReason says why). Zero: it may leave.
	waitUntil  time.Time
	waitReason string
}

// recheckForDelivery re-checks a claimed collections message at the
// moment it leaves, in tx: it is withdrawn when it became moot, and
// otherwise rendered again from the ledger of today (msg's subject and
// body are replaced; the HTML part is returned). The contact rules
// (collect.Decide) are applied again: a message that waited past its slot
// (a backlog, retries, a hold released in the evening) does not reach the
// customer outside their hours, it waits for the next allowed slot.
func (s *Service) recheckForDelivery(ctx context.Context, tx store.Tx, cust *ledger.Customer, msg *store.Message, worker string, now time.Time) (recheckVerdict, error) {
	var v recheckVerdict
	loc, err := time.LoadLocation(cust.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	asOf := civil.Of(now.In(loc))
	v.asOf = asOf
	b, err := loadBatch(ctx, tx, []string{cust.ID})
	if err != nil {
		return v, err
	}
	st, invs, err := customerState(ctx, tx, cust, asOf, b)
	if err != nil {
		return v, err
	}
	if err := st.notePlan(ctx, tx, msg.Context.PlanID); err != nil {
		return v, err
	}
	l, err := ladderFor(ctx, tx, cust.Segment)
	if err != nil {
		return v, err
	}
	act, reason, revert := recheck(l, st, invs, st.Cases, b.optOuts[cust.ID], *msg, asOf)
	if reason != "" {
		w := withdrawal{messageID: msg.ID, reason: reason, revert: revert, currency: msg.Context.Currency, step: msg.Step, stepOn: msg.Context.StepOn}
		v.withdrawn = true
		return v, s.withdraw(ctx, tx, cust.ID, w, worker)
	}
	if act.Kind == "" {
		return v, nil // not a collections message: sent as queued
	}
	party := collect.Party{Kind: cust.Kind, Jurisdiction: cust.Jurisdiction, TimeZone: cust.TimeZone, OptOuts: b.optOuts[cust.ID]}
	if dec := collect.Decide(party, msg.Channel, strings.Join(msg.Context.InvoiceIDs, ","), now, nil, collect.DefaultRules()); !dec.Blocked && !dec.Allowed && dec.At.After(now) {
		v.waitUntil, v.waitReason = dec.At, dec.Reason
		return v, nil
	}
	if msg.Edited {
		// Staff edited it: re-checked above, sent as edited (outbox.go);
		// the words are theirs, so no claim is posted with it.
		msg.Context.Claims = nil
		return v, nil
	}
	earlier := map[string]caseSent{}
	if l.IsEscalation(msg.Step) {
		if earlier, err = caseHistory(cust, b.cases[cust.ID], b.sent[cust.ID], l); err != nil {
			return v, err
		}
	}
	links := messageLinks{}
	if links.optOut, err = s.optOutURL(ctx, tx, cust.ID, now); err != nil {
		return v, err
	}
	if links.payURL, err = s.payURL(ctx, tx, cust.ID, now); err != nil {
		return v, err
	}
	if act.Default != nil {
		links.payRef = b.bankRefs[act.Default.PlanID]
	}
	if act.Completed != nil {
		links.payRef = b.bankRefs[act.Completed.PlanID] // the plan's reference, not a payment reference
	}
	if act.Installment != nil {
		links.payRef = b.bankRefs[act.Installment.PlanID]
		if links.autopay, err = s.chargedAutomatically(ctx, tx, act.Installment.PlanID); err != nil {
			return v, err
		}
	}
	claim := claimFor(cust, act, invs, asOf)
	d, err := s.messageData(cust, act, invs, asOf, links, earlier[msg.Context.Currency], claim)
	if err != nil {
		return v, err
	}
	// What every reminder carries: the customer's portal link, how to pay
	// and whom to ask (portallinks.go).
	if err := s.reminderExtras(ctx, tx, cust, now, &d); err != nil {
		return v, err
	}
	r, err := notify.Render(msg.Step, d)
	if err != nil {
		return v, err
	}
	msg.Subject, msg.Body, v.html = r.Subject, r.Text, r.HTML
	msg.InvoiceNumbers = invoiceNumbers(act, invs)
	// The claim as it leaves: posted when it is sent (charges.go).
	msg.Context.Claims = claim.lines
	return v, nil
}

// feeBasis is the law a business customer's statutory claim rests on, by
// the debt's jurisdiction, named in the customer's language; "" when
// settle knows none (then no fee is claimed).
func feeBasis(jurisdiction, locale string) string {
	lang := strings.ToLower(locale)
	de, fr := strings.HasPrefix(lang, "de"), strings.HasPrefix(lang, "fr")
	switch strings.ToUpper(jurisdiction) {
	case "GB":
		return "the Late Payment of Commercial Debts (Interest) Act 1998"
	case "DE":
		return "§ 288 BGB"
	case "FR":
		switch {
		case fr:
			return "l'article L441-10 du Code de commerce"
		case de:
			return "Art. L441-10 Code de commerce"
		}
		return "article L441-10 of the French Commercial Code"
	case "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE":
		switch {
		case de:
			return "der EU-Zahlungsverzugsrichtlinie 2011/7/EU"
		case fr:
			return "la directive européenne 2011/7/UE"
		}
		return "the EU Late Payment Directive 2011/7/EU"
	}
	return ""
}

// keyByShare reports whether a customer's open balance is at least
// assess.KeyShare of the book's open receivables in some currency, and a
// large account there too (the ladder's senior threshold): a key account
// by measured importance, whatever its segment says. (A share alone would
// make every customer of a small book a key account.)
func keyByShare(open map[string]ledger.Invoice, totals map[money.Currency]money.Wide, l collect.Ladder) bool {
	sums := map[money.Currency]int64{}
	for _, inv := range open {
		sums[inv.Balance.Currency()] += inv.Balance.Minor()
	}
	for cur, v := range sums {
		total, ok := totals[cur]
		if !ok || total.Sign() <= 0 || v <= 0 || v < l.SeniorBalanceMinor(cur) {
			continue
		}
		// v / total ≥ KeyShare, exactly: v·1000 ≥ total·KeyShare·1000.
		lhs := new(big.Int).Mul(big.NewInt(v), big.NewInt(1000))
		rhs := new(big.Int).Mul(total.Big(), big.NewInt(int64(assess.KeyShare*1000)))
		if lhs.Cmp(rhs) >= 0 {
			return true
		}
	}
	return false
}
