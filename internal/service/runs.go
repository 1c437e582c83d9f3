package service

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/assess"
	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/notify"
	"settle/internal/plan"
	"settle/internal/store"
)

// The daily collections run (domain.md §4): for a date, visit each
// customer whose wake date has come (collect.NextWake; any change to a
// customer's ledger wakes it), ask the ladder what is due (collect.Due),
// and write the messages, tasks and events in the transaction of that
// customer's batch. Each step is recorded once per invoice or installment
// (collection_steps) and each message and task has a dedupe key, so a
// rerun of the same date creates nothing new; a batch is taken and
// written in one transaction, so a crash loses only that batch's work,
// which the rerun does; on PostgreSQL two workers never take the same
// customer (row locks). workRun says how reading and writing overlap.

// RunBatch is how many customers one transaction visits.
const RunBatch = 200

// RunView is a run and whether this call created it.
type RunView struct {
	Run     store.Run
	Created bool
}

// RunInput asks for the run of a date.
type RunInput struct {
	AsOf string `json:"as_of,omitempty" doc:"The date to run for (default today)"`
}

// StartRun runs the collections run for a date to completion and returns
// it. A second call for the same date returns the same run (and visits
// only what is left, if an earlier one stopped half-way).
func (s *Service) StartRun(ctx context.Context, in RunInput) (*RunView, error) {
	return s.StartRunProgress(ctx, in, nil)
}

// StartRunProgress is StartRun calling progress (if set) after each
// committed batch with the number of customers this call has visited.
func (s *Service) StartRunProgress(ctx context.Context, in RunInput, progress func(visited int)) (*RunView, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	asOf, err := s.AsOf("as_of", in.AsOf)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	view, worked, err := s.startRun(ctx, a, asOf, progress)
	if worked || err != nil {
		s.observer().RunFinished(time.Since(start), err)
	}
	return view, err
}

// startRun is StartRunProgress after the checks; worked is false when the
// run of the date was done already.
func (s *Service) startRun(ctx context.Context, a Actor, asOf civil.Date, progress func(visited int)) (_ *RunView, worked bool, _ error) {
	var view RunView
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		r, created, err := tx.InsertRun(ctx, &store.Run{AsOf: asOf, Status: store.RunRunning})
		if err != nil {
			return err
		}
		view = RunView{Run: *r, Created: created}
		if !created {
			return nil
		}
		// Only the customers whose wake date has come: the others have
		// nothing due today (collect.NextWake), and any change to their
		// ledger since has woken them.
		n, err := tx.AddDueRunCustomers(ctx, r.ID, asOf)
		if err != nil {
			return err
		}
		view.Run.Customers = n
		return audit(ctx, tx, "run.start", "run", r.ID, map[string]any{"as_of": asOf, "customers": n})
	})
	if err != nil {
		return nil, true, err
	}
	// Autopay charges first (autopay.go): idempotent, so every call for a date may try.
	if _, err := s.chargeAutopay(ctx, asOf); err != nil {
		return nil, true, err
	}
	if view.Run.Status == store.RunDone {
		return &view, false, nil
	}
	if view.Created && view.Run.Customers >= BulkAnalyze {
		// Thousands of fresh pending rows: without statistics PostgreSQL
		// claims a batch by filtering every pending row of the run (135 ms
		// a batch at 15,000 instead of a few).
		if err := s.store.Analyze(ctx, "run_customers"); err != nil {
			return nil, true, err
		}
	}
	worker := workerName(a.ID)
	if err := s.workRun(ctx, view.Run.ID, asOf, worker, progress); err != nil {
		return nil, true, err
	}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		r, err := tx.Run(ctx, view.Run.ID)
		if err != nil {
			return err
		}
		view.Run = *r
		return nil
	})
	return &view, true, err
}

// Run returns a run by id or date.
func (s *Service) Run(ctx context.Context, idOrDate string) (*store.Run, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var r *store.Run
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		r, err = tx.Run(ctx, idOrDate)
		return err
	})
	return r, err
}

func workerName(actor string) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), actor)
}

// staleClaim is how long a worker's claim on a batch lasts: a worker that
// died holding one lets another take it over after this.
const staleClaim = 10 * time.Minute

// snapshot is a batch of a run's customers read, unclaimed, in a read-only
// transaction while the batch before is written.
type snapshot struct {
	ids      []string
	versions map[string]int64
	b        *batch
	err      error
}

// workRun visits the run's customers until none is left, then marks the
// run done. Reading and writing overlap: each batch is read in a snapshot
// (a read-only transaction, concurrent with the writer) while the batch
// before it is written. The write transaction takes the batch (marking
// it done), reads the customers' wake versions again and reads anew,
// inside itself, any customer that changed since the snapshot — so no
// decision rests on data older than the write. Customers no snapshot offered (another worker's
// claims gone stale) are then claimed and read in the write transaction.
func (s *Service) workRun(ctx context.Context, runID string, asOf civil.Date, worker string, progress func(int)) error {
	if err := s.loadPortalKey(ctx); err != nil { // before the batches' transactions sign opt-out links
		return err
	}
	// The book's open receivables per currency, once: a customer holding
	// assess.KeyShare of them is a key account, whatever its segment.
	var totals map[money.Currency]money.Wide
	if err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		totals, err = tx.OpenBalances(ctx)
		return err
	}); err != nil {
		return err
	}
	visited := 0
	done := func(n int) {
		visited += n
		if progress != nil && n > 0 {
			progress(visited)
		}
	}
	read := func(after string) <-chan snapshot {
		ch := make(chan snapshot, 1)
		go func() {
			var sn snapshot
			sn.err = s.store.ReadTx(ctx, func(tx store.Tx) error {
				var err error
				if sn.ids, err = tx.PendingRunCustomers(ctx, runID, after, RunBatch, tx.Now().Add(-s.claimTimeout(staleClaim))); err != nil || len(sn.ids) == 0 {
					return err
				}
				if sn.versions, err = tx.CustomerWakeVersions(ctx, sn.ids); err != nil {
					return err
				}
				sn.b, err = loadBatch(ctx, tx, sn.ids)
				return err
			})
			ch <- sn
		}()
		return ch
	}
	for next := read(""); ; {
		sn := <-next
		if sn.err != nil {
			return sn.err
		}
		if len(sn.ids) == 0 {
			break
		}
		next = read(sn.ids[len(sn.ids)-1])
		var n int
		err := s.store.Tx(ctx, func(tx store.Tx) error {
			// Taken and marked done at once: this transaction visits them.
			ids, err := tx.TakeRunCustomers(ctx, runID, worker, sn.ids, tx.Now().Add(-s.claimTimeout(staleClaim)))
			if err != nil || len(ids) == 0 {
				return err // another worker has them
			}
			n = len(ids)
			return s.visitBatch(ctx, tx, runID, asOf, ids, &sn, totals)
		})
		if err != nil {
			return err
		}
		done(n)
	}
	for {
		var n int
		err := s.store.Tx(ctx, func(tx store.Tx) error {
			ids, err := tx.ClaimRunCustomers(ctx, runID, worker, RunBatch, tx.Now().Add(-s.claimTimeout(staleClaim)))
			if err != nil || len(ids) == 0 {
				return err
			}
			n = len(ids)
			if err := s.visitBatch(ctx, tx, runID, asOf, ids, nil, totals); err != nil {
				return err
			}
			return tx.FinishRunCustomers(ctx, runID, ids)
		})
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		done(n)
	}
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		r, err := tx.Run(ctx, runID)
		if err != nil {
			return err
		}
		if r.Done < r.Customers || r.Status == store.RunDone {
			return nil // another worker still has a batch, or finished it
		}
		now := tx.Now()
		if err := tx.UpdateRunCounts(ctx, runID, 0, 0, 0, 0, store.RunDone, &now); err != nil {
			return err
		}
		return audit(ctx, tx, "run.done", "run", runID, map[string]any{"done": r.Done, "messages": r.Messages, "tasks": r.Tasks, "events": r.Events})
	})
	if err == nil && visited >= RunAnalyze {
		// A run over most of a big book (the first on it) leaves the
		// statistics of the steps it wrote behind; tomorrow's run reads
		// them per customer. A daily run's few thousand rows are left to
		// autovacuum (analysing after each cost 2.7 s at 1M invoices).
		err = s.store.Analyze(ctx, "collection_steps", "customers")
	}
	return err
}

// RunAnalyze is how many customers a run visits before it refreshes the
// statistics of what it wrote (store.Store.Analyze).
const RunAnalyze = 50000

// visitBatch visits the customers ids, taken or claimed in tx, records
// their wake dates and counts them done in the run. sn, when set, is the
// batch as read in a snapshot: a customer whose wake version is still the
// snapshot's is decided on it, any other is read again here.
func (s *Service) visitBatch(ctx context.Context, tx store.Tx, runID string, asOf civil.Date, ids []string, sn *snapshot, totals map[money.Currency]money.Wide) error {
	c := runCounts{ladders: map[string]collect.Ladder{}, hooks: map[string][]store.Webhook{}}
	// The versions first: a change committed after this read (on
	// PostgreSQL, which does not serialise writers) keeps its customer due
	// rather than being written over by a wake date computed without it.
	versions, err := tx.CustomerWakeVersions(ctx, ids)
	if err != nil {
		return err
	}
	from := map[string]*batch{}
	var reread []string
	for _, id := range ids {
		if v, ok := versions[id]; ok && sn != nil && sn.b != nil && sn.versions[id] == v {
			from[id] = sn.b
		} else {
			reread = append(reread, id)
		}
	}
	if len(reread) > 0 {
		// The batch's customers, ledgers and steps in a few queries, not a
		// few per customer.
		b, err := loadBatch(ctx, tx, reread)
		if err != nil {
			return err
		}
		for _, id := range reread {
			from[id] = b
		}
	}
	for _, b := range from {
		b.totals = totals
	}
	wakes := make([]store.CustomerWake, 0, len(ids))
	plans := make([]*customerPlan, 0, len(ids))
	for _, id := range ids {
		p, err := s.plan(ctx, tx, runID, id, asOf, c.ladders, from[id])
		if err != nil {
			return fmt.Errorf("run %s: customer %s: %w", runID, id, err)
		}
		plans = append(plans, p)
		if v, ok := versions[id]; ok {
			wakes = append(wakes, store.CustomerWake{CustomerID: id, On: p.wake, Version: v})
		}
	}
	// Segments whose policy says approve_before_sending: their new
	// messages wait in the outbox for staff (outbox.go).
	if err := s.markForApproval(ctx, tx, plans, from); err != nil {
		return fmt.Errorf("run %s: %w", runID, err)
	}
	if err := s.apply(ctx, tx, asOf, plans, &c); err != nil {
		return fmt.Errorf("run %s: %w", runID, err)
	}
	if err := tx.SetCustomerWakes(ctx, wakes); err != nil {
		return err
	}
	return tx.UpdateRunCounts(ctx, runID, len(ids), c.messages, c.tasks, c.events, store.RunRunning, nil)
}

type runCounts struct {
	messages, tasks, events int
	ladders                 map[string]collect.Ladder  // per segment, for the batch
	hooks                   map[string][]store.Webhook // subscriptions per event, for the batch
}

// runState is a customer's ladder state and the ledger it came from.
type runState struct {
	collect.CustomerState
	ledger      []ledger.Invoice
	payments    []ledger.Payment
	allocations []ledger.Allocation
	// nextIssue is the first issue date after the run's date of an
	// invoice already recorded (a replay, or one entered ahead): the
	// invoice joins the ladder then, with no change to wake the customer.
	nextIssue civil.Date
	// inPlans: the open invoices covered by a proposed or active plan, and
	// which. plans: what became of the plans the customer's queued
	// messages are about (and of its active plans), for the re-check's
	// reasons (cases.go).
	inPlans map[string]string
	plans   map[string]planFate
}

// planFate is what became of a plan as of the run's date: tracking's
// status (active, completed, defaulted) for an accepted plan, else the
// stored one (superseded, cancelled, proposed); found is false when no
// plan has the id.
type planFate struct {
	found       bool
	status      string
	defaultedOn civil.Date
}

// batch is what a run's batch loads at once.
type batch struct {
	customers map[string]ledger.Customer
	invoices  map[string][]ledger.Invoice
	payments  map[string][]ledger.Payment
	steps     map[string]map[string]bool // steps done, per subject of the batch's customers
	inPlans   map[string]string          // invoice → the proposed or active plan covering it
	promises  map[string][]ledger.Promise
	plans     map[string][]string // customer → active plan ids
	calls     map[string][]store.Interaction
	optOuts   map[string]map[string]bool
	bankRefs  map[string]string // active plan → the reference to quote on a transfer
	cases     map[string][]store.Case
	live      map[string][]store.Message     // queued messages, re-checked by the run
	sent      map[string][]store.Message     // sent messages of the customers with a case (the earlier steps)
	totals    map[money.Currency]money.Wide  // the book's open receivables (key accounts by share)
	tasks     map[string][]store.Task        // open and claimed tasks
	org       *notify.Creditor               // the organisation (letters' sender), read once by plan
	pauses    map[string]store.CustomerPause // staff pauses (outbox.go)
}

func loadBatch(ctx context.Context, tx store.Tx, ids []string) (*batch, error) {
	b := &batch{}
	var err error
	if b.customers, err = tx.CustomersByIDs(ctx, ids); err != nil {
		return nil, err
	}
	if b.invoices, b.payments, err = tx.CustomerLedgers(ctx, ids); err != nil {
		return nil, err
	}
	// Every step of the customers' invoices and plans: an invoice paid by
	// now may have been open on the run's date.
	if b.steps, err = tx.StepsDoneFor(ctx, ids); err != nil {
		return nil, err
	}
	if b.inPlans, err = tx.InvoicesInOpenPlansFor(ctx, ids); err != nil {
		return nil, err
	}
	if b.promises, err = tx.PromisesFor(ctx, ids); err != nil {
		return nil, err
	}
	if b.plans, err = tx.ActivePlansFor(ctx, ids); err != nil {
		return nil, err
	}
	var planIDs []string
	for _, ps := range b.plans {
		planIDs = append(planIDs, ps...)
	}
	if b.bankRefs, err = tx.PlanBankRefs(ctx, planIDs); err != nil {
		return nil, err
	}
	if b.calls, err = tx.CallsFor(ctx, ids); err != nil {
		return nil, err
	}
	if b.optOuts, err = tx.OptOuts(ctx, ids); err != nil {
		return nil, err
	}
	if b.cases, err = tx.CasesFor(ctx, ids); err != nil {
		return nil, err
	}
	if b.live, err = tx.LiveMessagesFor(ctx, ids); err != nil {
		return nil, err
	}
	var withCase []string
	for id, cs := range b.cases {
		if len(cs) > 0 {
			withCase = append(withCase, id)
		}
	}
	if b.sent, err = tx.SentMessagesFor(ctx, withCase); err != nil {
		return nil, err
	}
	if b.pauses, err = tx.CustomerPausesFor(ctx, ids); err != nil {
		return nil, err
	}
	b.tasks, err = tx.OpenTasksFor(ctx, ids)
	return b, err
}

// customerPlan is what the run decided for one customer, before any
// write: the steps to record, the messages and tasks to create, and the
// date the run next needs the customer (store.WakeNever: only a change).
type customerPlan struct {
	customerID string
	wake       civil.Date
	steps      []store.CollectionStep
	owner      []int // steps[i] belongs to actions[owner[i]]
	actions    []plannedAction
	cases      []store.Case // cases that took a step
	closed     []store.Case // cases with nothing overdue left
	withdrawn  []withdrawal // queued messages and open tasks no longer true
	openTasks  []store.Task // the customer's open tasks (new ones merge into them)
}

// plannedAction is an action with what it writes.
type plannedAction struct {
	collect.Action
	message *store.Message // a message (nil when the channel is opted out of)
	task    *store.Task    // a task
}

// plan decides one customer's due actions from the batch b, reading
// through tx (plans, policies) but writing nothing; ladders caches the
// ladder of each segment.
func (s *Service) plan(ctx context.Context, tx store.Tx, runID, customerID string, asOf civil.Date, ladders map[string]collect.Ladder, b *batch) (*customerPlan, error) {
	p := &customerPlan{customerID: customerID, wake: store.WakeNever}
	cu, ok := b.customers[customerID]
	if !ok {
		return p, nil // deleted meanwhile: nothing to do
	}
	cust := &cu
	if b.org == nil {
		org, err := s.organisationTx(ctx, tx)
		if err != nil {
			return nil, err
		}
		b.org = &org
	}
	st, invs, err := customerState(ctx, tx, cust, asOf, b)
	if err != nil {
		return nil, err
	}
	ladder, ok := ladders[cust.Segment]
	if !ok {
		if ladder, err = ladderFor(ctx, tx, cust.Segment); err != nil {
			return nil, err
		}
		ladders[cust.Segment] = ladder
	}
	// Close the cases with nothing overdue left, and withdraw what was
	// queued but is no longer true (cases.go).
	p.closed = closedCases(b.cases[cust.ID], st.CustomerState, asOf)
	p.openTasks = b.tasks[cust.ID]
	p.withdrawn = s.recheckQueued(ladder, cust, st, invs, b, asOf)
	thank := false // a completed plan's thank-you is due (collect: it may be all there is to do)
	for _, cp := range st.Completed {
		thank = thank || collect.CompletionNoticeDue(st.CustomerState, cp, asOf)
	}
	if len(st.Items) == 0 && len(st.Installments) == 0 && len(st.Defaulted) == 0 && !thank {
		if !st.nextIssue.IsZero() {
			p.wake = st.nextIssue
		}
		return p, nil
	}
	if !st.KeyAccount && len(b.totals) > 0 {
		st.KeyAccount = keyByShare(invs, b.totals, ladder)
	}
	actions := collect.Due(ladder, st.CustomerState, asOf)
	for _, act := range actions {
		if act.Kind == collect.ActTask {
			// Tasks are ordered by risk: score it only when one is due.
			h := assess.History{Customer: *cust, Invoices: st.ledger, Payments: st.payments, Allocations: st.allocations}
			st.RiskScore = assess.ScoreRisk(assess.BuildProfile(h, asOf)).Score
			actions = collect.Due(ladder, st.CustomerState, asOf)
			break
		}
	}
	if d, ok := collect.NextWake(ladder, st.WithDone(actions), asOf); ok {
		p.wake = d
	}
	if !st.nextIssue.IsZero() && st.nextIssue.Before(p.wake) {
		p.wake = st.nextIssue
	}
	if len(actions) == 0 {
		return p, nil
	}
	history := contactHistory(b.calls[cust.ID])
	party := collect.Party{Kind: cust.Kind, Jurisdiction: cust.Jurisdiction, TimeZone: cust.TimeZone, OptOuts: b.optOuts[cust.ID]}
	rules := collect.DefaultRules()
	// The run's instant: 09:00 in the customer's zone on the run's date;
	// contact rules move it to the next allowed slot when needed.
	loc, err := time.LoadLocation(cust.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	want := time.Date(asOf.Year, asOf.Month, asOf.Day, 9, 0, 0, 0, loc)
	actions, silent := letterFallback(actions, func(ch string) bool {
		switch ch {
		case notify.ChannelEmail:
			return strings.TrimSpace(cust.Email) != "" && !b.optOuts[cust.ID][ch]
		case notify.ChannelLetter:
			return !b.optOuts[cust.ID][ch] && LetterAddress(cust, *b.org) != nil
		}
		return false // a text message only adds to a step: settle has no SMS gateway to send it yet
	})
	var earlier map[string]caseSent
	for _, act := range actions {
		if act.Case != nil && act.Kind == collect.ActMessage && earlier == nil {
			if earlier, err = caseHistory(cust, b.cases[cust.ID], b.sent[cust.ID], ladder); err != nil {
				return nil, err
			}
		}
	}
	seenCase := map[money.Currency]bool{}
	for ai, act := range actions {
		if act.Case != nil && silent[act.Currency] {
			// Nothing of the step can reach the customer: the case does
			// not move on; the letter's action asks for the address.
			if act.Kind == collect.ActMessage && act.Channel == notify.ChannelLetter {
				p.actions = append(p.actions, plannedAction{Action: act, task: addressTask(cust, act, runID, want, asOf)})
			} else {
				p.actions = append(p.actions, plannedAction{Action: act})
			}
			continue
		}
		if act.Case != nil && !seenCase[act.Currency] {
			seenCase[act.Currency] = true
			// A plan's default notice opens a new case on the day (the
			// plan ended: what the case says from now is about that).
			first := act.Case.Step == ladder.FirstEscalation() || act.Case.Step == collect.StepPlanDefaulted
			p.cases = append(p.cases, nextCase(cust.ID, act.Currency, b.cases[cust.ID], *act.Case, asOf, first))
		}
		if act.Kind == collect.ActMessage && !s.canReach(cust, act.Channel, *b.org) {
			// No phone for a text, no postal address for a letter: the
			// other channels of the step still go (a letter that cannot
			// go asks an agent for the address: addressTask).
			p.actions = append(p.actions, plannedAction{Action: act})
			if act.Channel == notify.ChannelLetter {
				p.actions = append(p.actions, plannedAction{Action: act, task: addressTask(cust, act, runID, want, asOf)})
			}
			continue
		}
		for i, subj := range act.Subjects {
			step := act.Step
			if i < len(act.SubjectSteps) {
				step = act.SubjectSteps[i]
			}
			p.steps = append(p.steps, store.CollectionStep{SubjectID: subj, CustomerID: cust.ID, Step: step, RunID: runID, On: asOf})
			p.owner = append(p.owner, ai)
		}
		pa := plannedAction{Action: act}
		cur := ""
		switch {
		case len(act.InvoiceIDs) > 0:
			cur = string(invs[act.InvoiceIDs[0]].Amount.Currency())
		case act.Installment != nil:
			cur = string(act.Installment.Outstanding.Currency())
		case act.Completed != nil:
			cur = string(act.Currency)
		}
		key := fmt.Sprintf("ladder:%s:%s:%s:%s:%s", asOf, cust.ID, act.Step, act.Channel, cur)
		// One message per plan (installment), even when two plans of the
		// customer have the step on the same day.
		switch {
		case act.Default != nil:
			key += ":" + act.Default.PlanID
		case act.Completed != nil:
			key += ":" + act.Completed.PlanID
		case act.Installment != nil:
			key += ":" + act.Installment.Subject()
		}
		switch act.Kind {
		case collect.ActMessage:
			at := want
			if act.DelayDays > 0 {
				d := asOf.AddDays(act.DelayDays)
				at = time.Date(d.Year, d.Month, d.Day, 9, 0, 0, 0, loc)
			}
			dec := collect.Decide(party, act.Channel, strings.Join(act.InvoiceIDs, ","), at, history, rules)
			if !dec.Blocked && !courtesyInTime(ladder, act, invs, dec.At.In(loc)) {
				// A "due today" that can first leave after the due date (a
				// business's Saturday due date: emails on weekdays) would
				// only be withdrawn: it is not queued.
				dec.Blocked = true
			}
			if !dec.Blocked { // opted out of this channel: the other channels of the step still go
				optOut, err := s.optOutURL(ctx, tx, cust.ID, tx.Now())
				if err != nil {
					return nil, err
				}
				payRef, autopay := "", false
				if act.Installment != nil {
					payRef = b.bankRefs[act.Installment.PlanID]
					if autopay, err = s.chargedAutomatically(ctx, tx, act.Installment.PlanID); err != nil {
						return nil, err
					}
				}
				if act.Default != nil {
					payRef = b.bankRefs[act.Default.PlanID] // what the customer paid the plan with
				}
				if act.Completed != nil {
					payRef = b.bankRefs[act.Completed.PlanID] // the plan's reference, named in the thank-you
				}
				payURL := ""
				if act.Channel == notify.ChannelEmail {
					if payURL, err = s.payURL(ctx, tx, cust.ID, tx.Now()); err != nil {
						return nil, err
					}
				}
				claim := claimFor(cust, act, invs, asOf)
				if pa.message, err = s.message(cust, act, invs, asOf, dec.At, messageLinks{optOut: optOut, payRef: payRef, payURL: payURL, autopay: autopay}, earlier[string(act.Currency)], claim, *b.org); err != nil {
					return nil, err
				}
				pa.message.DedupeKey = key
				pa.message.Context = messageContext(act, invs, claim)
			}
		case collect.ActTask:
			dueAt, kind, reason := want, act.Channel, act.Reason
			if act.Channel == collect.Call {
				dec := collect.Decide(party, collect.Call, strings.Join(act.InvoiceIDs, ","), want, history, rules)
				if dec.Blocked {
					// Opted out of calls: the agent reviews the account and writes.
					kind, reason = "review", reason+"; the customer opted out of calls: write instead"
				} else {
					dueAt = dec.At
				}
			}
			pa.task = &store.Task{CustomerID: cust.ID, Queue: act.Queue, Kind: kind, DueAt: dueAt.UTC(), Priority: act.Priority,
				Status: store.TaskOpen, Reason: reason, InvoiceIDs: act.InvoiceIDs, RunID: runID, DedupeKey: key}
			if act.Personal && cust.Owner != "" {
				// The account owner makes a key account's personal call:
				// the task is theirs from the start (they may release it).
				now := tx.Now()
				pa.task.Status, pa.task.ClaimedBy, pa.task.ClaimedAt = store.TaskClaimed, UserActorID(cust.Owner), &now
				pa.task.Reason += "; for the account owner"
			}
		}
		p.actions = append(p.actions, pa)
	}
	return p, nil
}

// apply writes the plans of a batch in tx, a few statements for all. The
// steps go first: an action none of whose steps is new was done by an
// earlier (or concurrent) run, and its event is not sent again; messages
// and tasks carry dedupe keys of their own.
func (s *Service) apply(ctx context.Context, tx store.Tx, asOf civil.Date, plans []*customerPlan, c *runCounts) error {
	type ref struct{ plan, action int }
	var steps []store.CollectionStep
	var owners []ref
	for pi, p := range plans {
		for i, st := range p.steps {
			steps = append(steps, st)
			owners = append(owners, ref{pi, p.owner[i]})
		}
	}
	created, err := tx.InsertCollectionSteps(ctx, steps)
	if err != nil {
		return err
	}
	fresh := map[ref]bool{}
	for i, k := range created {
		if k {
			fresh[owners[i]] = true
		}
	}
	var messages []*store.Message
	var tasks []*store.Task
	for pi, p := range plans {
		for ai, pa := range p.actions {
			act := pa.Action
			switch {
			case pa.message != nil:
				messages = append(messages, pa.message)
			case pa.task != nil:
				tasks = append(tasks, pa.task)
			case act.Kind == collect.ActEvent && fresh[ref{pi, ai}]:
				c.events++
				if err := emitRunEvent(ctx, tx, c.hooks, p.customerID, act, asOf); err != nil {
					return fmt.Errorf("customer %s: %w", p.customerID, err)
				}
				if act.Installment != nil || act.Step == collect.StepPlanDefaulted {
					planID := act.Subjects[0]
					if act.Installment != nil {
						planID = act.Installment.PlanID
					}
					detail, _ := json.Marshal(map[string]any{"reason": act.Reason})
					if err := tx.AppendPlanEvent(ctx, &store.PlanEvent{PlanID: planID, Kind: act.Step, On: asOf, Detail: string(detail)}); err != nil {
						return err
					}
					// A missed installment costs the plan's late fee, posted
					// to the ledger (charges.go), up to the plan's default.
					if err := postLateFees(ctx, tx, p.customerID, []string{planID}, asOf); err != nil {
						return err
					}
				}
			}
		}
	}
	n, err := tx.InsertMessages(ctx, messages)
	if err != nil {
		return err
	}
	c.messages += n
	fresh2, err := s.mergeTasks(ctx, tx, plans, tasks)
	if err != nil {
		return err
	}
	if n, err = tx.InsertTasks(ctx, fresh2); err != nil {
		return err
	}
	c.tasks += n
	return s.applyCases(ctx, tx, plans)
}

// emitRunEvent queues the webhook event of a run's event action.
func emitRunEvent(ctx context.Context, tx store.Tx, hooks map[string][]store.Webhook, customerID string, act collect.Action, asOf civil.Date) error {
	switch act.Step {
	case collect.StepInvoiceOverdue:
		return emitTo(ctx, tx, hooks, "invoice.overdue", map[string]any{"customer_id": customerID, "invoice_ids": act.InvoiceIDs, "as_of": asOf.String()})
	case collect.StepInstallmentMissed:
		in := act.Installment
		return emitTo(ctx, tx, hooks, "installment.missed", map[string]any{"customer_id": customerID, "plan_id": in.PlanID, "seq": in.Seq,
			"due_date": in.DueDate.String(), "outstanding": in.Outstanding.String(), "currency": string(in.Outstanding.Currency()), "as_of": asOf.String()})
	case collect.StepPlanDefaulted:
		return emitTo(ctx, tx, hooks, "plan.defaulted", map[string]any{"customer_id": customerID, "plan_id": act.Subjects[0], "as_of": asOf.String()})
	}
	return nil
}

// customerState gathers what the ladder needs for one customer as of a date.
func customerState(ctx context.Context, tx store.Tx, cust *ledger.Customer, asOf civil.Date, b *batch) (runState, map[string]ledger.Invoice, error) {
	st := runState{CustomerState: collect.CustomerState{CustomerID: cust.ID, KeyAccount: isKeyAccount(cust.Segment)}}
	invs, pays := b.invoices[cust.ID], b.payments[cust.ID]
	alloc := ledger.Allocate(invs, pays)
	applied := ledger.AppliedAsOf(alloc.Allocations, asOf)
	byID := map[string]ledger.Invoice{}
	var open []string
	for _, inv := range invs {
		if inv.IssueDate.After(asOf) && (st.nextIssue.IsZero() || inv.IssueDate.Before(st.nextIssue)) {
			st.nextIssue = inv.IssueDate
		}
		if inv.IssueDate.After(asOf) || (!inv.VoidedOn.IsZero() && !inv.VoidedOn.After(asOf)) {
			continue
		}
		bal := inv.Amount.Minor() - applied[inv.ID]
		if inv.IsCharge() {
			if bal > 0 {
				// Owed: a thank-you for a completed plan counts it.
				st.Charges = append(st.Charges, collect.Item{InvoiceID: inv.ID, Number: inv.Number, DueDate: inv.DueDate,
					Balance: money.New(bal, inv.Amount.Currency())})
			}
			// A charge (charges.go) is owed but never opens a case: the
			// statutory ones are kept, paid or not, for the next claim.
			if inv.Charge == ledger.ChargeStatutory {
				inv.Balance = money.New(max(bal, 0), inv.Amount.Currency())
				byID[inv.ID] = inv
			}
			continue
		}
		if bal <= 0 {
			continue
		}
		inv.Balance = money.New(bal, inv.Amount.Currency())
		byID[inv.ID] = inv
		open = append(open, inv.ID)
	}
	inPlans := map[string]string{}
	for _, id := range open {
		if p, ok := b.inPlans[id]; ok {
			inPlans[id] = p
		}
	}
	st.Promises = openPromises(b.promises[cust.ID], asOf, pays)
	st.Cases = casesOf(b.cases[cust.ID])
	// A staff pause holds until its date (outbox.go).
	p, paused := b.pauses[cust.ID]
	st.Paused = pausedOn(p, paused, asOf)
	planIDs := b.plans[cust.ID]
	subjects := append([]string{}, open...)
	st.plans = map[string]planFate{}
	for _, pid := range planIDs {
		v, err := loadPlan(ctx, tx, pid, asOf)
		if err != nil {
			return st, nil, err
		}
		if v.Tracking == nil {
			st.plans[pid] = planFate{found: true, status: v.Status}
			continue
		}
		st.plans[pid] = planFate{found: true, status: v.Tracking.Status, defaultedOn: v.Tracking.DefaultedOn}
		if v.Tracking.Status == plan.PlanDefaulted {
			// A defaulted plan no longer covers its invoices: the balance
			// is due and the ladder takes them up again, after the
			// customer is told (collect: the default notice).
			st.Defaulted = append(st.Defaulted, defaultedPlan(cust, v))
			subjects = append(subjects, pid)
			for _, invID := range v.Plan.InvoiceIDs {
				if inPlans[invID] == pid {
					delete(inPlans, invID)
				}
			}
			continue
		}
		if v.Tracking.Status == plan.PlanCompleted {
			// Paid off, possibly outside the plan: nothing to chase; the
			// customer is thanked (collect: the thank-you), once.
			if cp, ok := completedPlan(v, pays, alloc); ok {
				st.Completed = append(st.Completed, cp)
				subjects = append(subjects, pid)
			}
			continue
		}
		for _, is := range v.Tracking.Installments {
			if is.Status == plan.StatusPaid {
				continue
			}
			out, _ := is.Amount.Sub(is.Paid)
			in := collect.Installment{PlanID: pid, Seq: is.Seq, DueDate: is.DueDate, Outstanding: out, Missed: is.Status == plan.StatusMissed}
			st.Installments = append(st.Installments, in)
			subjects = append(subjects, in.Subject())
		}
	}
	for _, id := range open {
		inv := byID[id]
		st.Items = append(st.Items, collect.Item{InvoiceID: id, Number: inv.Number, DueDate: inv.DueDate, Balance: inv.Balance,
			Disputed: inv.Disputed, InPlan: inPlans[id] != ""})
	}
	st.inPlans = inPlans
	// The plans queued messages are about that are no longer active
	// (superseded, cancelled, gone): the re-check says which.
	for _, m := range b.live[cust.ID] {
		if err := st.notePlan(ctx, tx, m.Context.PlanID); err != nil {
			return st, nil, err
		}
	}
	st.Done = map[string]map[string]bool{}
	for _, subj := range subjects {
		if steps, ok := b.steps[subj]; ok {
			st.Done[subj] = steps
		}
	}
	st.ledger, st.payments, st.allocations = invs, pays, alloc.Allocations
	return st, byID, nil
}

// completedPlan is what the thank-you for a completed plan says: the
// customer's final payment towards it (the payments of the last day on
// which the plan counted one, up to its completion) and the invoices it
// covered. A plan whose invoices were settled outside it (paid before
// its acceptance: no payment of the plan) names the last payment applied
// to them; one settled with no payment at all (credited, voided) has no
// final payment to thank for: ok is false.
func completedPlan(v *PlanView, pays []ledger.Payment, alloc ledger.Allocated) (collect.CompletedPlan, bool) {
	cp := collect.CompletedPlan{PlanID: v.Plan.ID, CompletedOn: v.Tracking.CompletedOn, InvoiceIDs: slices.Clone(v.Plan.InvoiceIDs)}
	for _, inv := range v.Invoices {
		cp.InvoiceNumbers = append(cp.InvoiceNumbers, inv.Number)
	}
	var final []money.Amount
	var on civil.Date
	take := func(d civil.Date, a money.Amount) {
		switch {
		case d.After(cp.CompletedOn) || d.Before(on):
		case d.After(on):
			on, final = d, []money.Amount{a}
		default:
			final = append(final, a)
		}
	}
	for _, pay := range planPayments(&v.Plan, pays) {
		if pay.Kind == ledger.KindPayment {
			take(pay.ReceivedOn, pay.Amount)
		}
	}
	if len(final) == 0 {
		kinds := map[string]string{}
		for _, pay := range pays {
			kinds[pay.ID] = pay.Kind
		}
		covered := map[string]bool{}
		for _, id := range v.Plan.InvoiceIDs {
			covered[id] = true
		}
		for _, al := range alloc.Allocations {
			if covered[al.InvoiceID] && kinds[al.PaymentID] == ledger.KindPayment {
				take(al.AppliedOn, al.Amount)
			}
		}
	}
	if len(final) == 0 {
		return cp, false
	}
	if on.Before(cp.CompletedOn) {
		// Settled outside the plan: tracking dates the completion on each
		// day asked (plans.go loadPlan); the plan was truly paid off on
		// the day of that payment, which the thank-you's window counts
		// from (a transfer weeks before the run saw it gets none).
		cp.CompletedOn = on
	}
	cp.PaidOn, cp.FinalPayment = on, final[0]
	for _, a := range final[1:] {
		if t, err := cp.FinalPayment.Add(a); err == nil {
			cp.FinalPayment = t
		}
	}
	return cp, true
}

// notePlan records what became of a plan that is not among the
// customer's active ones ("" none).
func (st *runState) notePlan(ctx context.Context, tx store.Tx, id string) error {
	if id == "" {
		return nil
	}
	if _, ok := st.plans[id]; ok {
		return nil
	}
	p, err := tx.Plan(ctx, id)
	switch {
	case apperr.CodeOf(err) == apperr.NotFound:
		st.plans[id] = planFate{}
		return nil
	case err != nil:
		return err
	}
	st.plans[id] = planFate{found: true, status: p.Status}
	return nil
}

// defaultedPlan is what the default notice of a defaulted plan says: when
// it was agreed (the acceptance's day in the customer's zone) and the
// installments missed by its default and still unpaid.
func defaultedPlan(cust *ledger.Customer, v *PlanView) collect.DefaultedPlan {
	dp := collect.DefaultedPlan{PlanID: v.Plan.ID, DefaultedOn: v.Tracking.DefaultedOn, InvoiceIDs: slices.Clone(v.Plan.InvoiceIDs)}
	if a := v.Plan.Acceptance; a != nil {
		loc, err := time.LoadLocation(cust.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		dp.AgreedOn = civil.Of(a.At.In(loc))
	}
	for _, is := range v.Tracking.Installments {
		if is.MissedOn.IsZero() || is.MissedOn.After(dp.DefaultedOn) || is.Status == plan.StatusPaid {
			continue
		}
		out, _ := is.Amount.Sub(is.Paid)
		dp.Missed = append(dp.Missed, collect.Installment{PlanID: v.Plan.ID, Seq: is.Seq, DueDate: is.DueDate, Outstanding: out, Missed: true})
	}
	return dp
}

// openPromises are the customer's open promises to pay as of the date,
// each with what is still to come: one that covers enough of a case's
// overdue balance pauses it (collect.Ladder.PromiseSharePercent).
func openPromises(list []ledger.Promise, asOf civil.Date, pays []ledger.Payment) []collect.Promise {
	var out []collect.Promise
	for _, p := range list {
		if p.PromisedOn.After(asOf) {
			continue
		}
		v := judge(p, asOf, pays)
		if v.Status != ledger.PromiseOpen {
			continue
		}
		left := p.Amount
		if r, err := p.Amount.Sub(v.Paid); err == nil && r.IsPositive() {
			left = r
		}
		out = append(out, collect.Promise{ID: p.ID, Amount: left, DueDate: p.DueDate})
	}
	return out
}

func isKeyAccount(segment string) bool {
	s := strings.ToLower(segment)
	return s == "key" || s == "key_account"
}

// contactHistory turns the customer's calls into attempts (for the call caps).
func contactHistory(calls []store.Interaction) []collect.Attempt {
	var out []collect.Attempt
	for _, it := range calls {
		out = append(out, collect.Attempt{At: it.OccurredAt, Channel: collect.Call, DebtID: strings.Join(it.InvoiceIDs, ","),
			Conversation: it.Conversation})
	}
	return out
}

// message renders the message of an action.
// messageLinks are a message's customer-specific lines: the opt-out link
// (optOutURL), the plan's bank reference for an installment ("" none) and
// the pay-online link (payURL; "" none).
type messageLinks struct {
	optOut, payRef, payURL string
	autopay                bool // an installment charged automatically (chargedAutomatically)
}

func (s *Service) message(cust *ledger.Customer, act collect.Action, invs map[string]ledger.Invoice, asOf civil.Date, at time.Time, l messageLinks, history caseSent, claim statutoryClaim, org notify.Creditor) (*store.Message, error) {
	d, err := s.messageData(cust, act, invs, asOf, l, history, claim)
	if err != nil {
		return nil, err
	}
	r, err := notify.RenderText(act.Step, d)
	if err != nil {
		return nil, err
	}
	m := &store.Message{CustomerID: cust.ID, Channel: act.Channel, Step: act.Step, Tone: d.Tone, Locale: cust.Locale,
		ScheduledFor: at.UTC(), Status: store.MessageQueued, Subject: r.Subject, Body: r.Text, InvoiceNumbers: invoiceNumbers(act, invs)}
	if act.Channel == notify.ChannelLetter {
		// The letter itself, ready to print and post: what it says is
		// stored, and the PDF laid out when it is fetched (9 ms a letter
		// would dominate a day's run).
		d.Sender = org
		spec, err := notify.MarshalLetter(act.Step, d, LetterAddress(cust, org))
		if err != nil {
			return nil, err
		}
		m.Attachments = []store.MessageAttachment{{Name: act.Step + ".pdf", ContentType: "application/pdf", Spec: spec}}
	}
	return m, nil
}

// invoiceNumbers are the numbers of the invoices an action is about.
func invoiceNumbers(act collect.Action, invs map[string]ledger.Invoice) []string {
	var numbers []string
	for _, id := range act.InvoiceIDs {
		numbers = append(numbers, invs[id].Number)
	}
	return numbers
}

// messageData is what a collections message says, from the ledger as of
// asOf: the run renders it when it queues the message, and delivery again
// when it leaves (cases.go), so that amounts, dates and the earlier steps
// it names are true when the customer reads them.
func (s *Service) messageData(cust *ledger.Customer, act collect.Action, invs map[string]ledger.Invoice, asOf civil.Date, l messageLinks, history caseSent, claim statutoryClaim) (notify.MessageData, error) {
	d := notify.MessageData{Creditor: s.Creditor, CustomerName: cust.Name, Locale: cust.Locale, Tone: toneOf(cust.Style),
		Channel: act.Channel, AsOf: asOf, OptOutURL: l.optOut, PayURL: l.payURL, Earlier: history.steps}
	var total money.Amount
	for i, id := range act.InvoiceIDs {
		inv := invs[id]
		// An invoice that fell overdue after the case's earlier steps
		// joins it, but those steps were not about it: "despite our
		// reminders" is not said of it (notify: InvoiceLine.NewToCase).
		d.Invoices = append(d.Invoices, notify.InvoiceLine{Number: inv.Number, IssueDate: inv.IssueDate, DueDate: inv.DueDate,
			Amount: inv.Amount, Balance: inv.Balance, DaysOverdue: max(0, asOf.DaysSince(inv.DueDate)),
			NewToCase: len(history.steps) > 0 && !history.named[id]})
		if i == 0 {
			total = inv.Balance
		} else if t, err := total.Add(inv.Balance); err == nil {
			total = t
		}
	}
	d.Total = total
	// The customer knows a plan by its reference (STL-…: on the agreement,
	// and quoted with every payment), not by our internal id.
	planRef := func(id string) string {
		if l.payRef != "" {
			return l.payRef
		}
		return id
	}
	if act.Installment != nil {
		in := act.Installment
		d.Installment = &notify.InstallmentLine{Seq: in.Seq, DueDate: in.DueDate, Amount: in.Outstanding, PlanID: planRef(in.PlanID), Autopay: l.autopay}
		d.Total = in.Outstanding
		d.PayReference = l.payRef
	}
	if dp := act.Default; dp != nil {
		d.Default = &notify.DefaultLine{PlanID: planRef(dp.PlanID), AgreedOn: dp.AgreedOn}
		for _, in := range dp.Missed {
			d.Default.Missed = append(d.Default.Missed, notify.InstallmentLine{Seq: in.Seq, DueDate: in.DueDate, Amount: in.Outstanding, PlanID: planRef(in.PlanID)})
		}
		d.PayReference = l.payRef
	}
	if cp := act.Completed; cp != nil {
		// A thank-you asks for nothing: no payment reference, only the
		// plan's and what is still open elsewhere.
		d.Completed = &notify.CompletionLine{PlanID: planRef(cp.PlanID), FinalPayment: cp.FinalPayment, PaidOn: cp.PaidOn,
			InvoiceNumbers: slices.Clone(cp.InvoiceNumbers), Others: slices.Clone(act.Others)}
	}
	if !act.PayBy.IsZero() {
		// The deadline the case took the step with: the next step waits
		// until it has passed (collect.Ladder.nextEscalation).
		d.PayBy = act.PayBy
	}
	switch act.Step {
	case collect.StepDemand, collect.StepFinal:
		if d.PayBy.IsZero() {
			d.PayBy = asOf.AddDays(collect.DefaultPayByDays)
		}
		// What the policy itself does next (collect.Ladder.Fallback).
		d.NextStep = act.Next
		if d.NextStep == "" {
			d.NextStep = notify.NextAgency
		}
	}
	for _, p := range act.Promises {
		d.Promises = append(d.Promises, notify.PromiseLine{Amount: p.Amount, DueDate: p.DueDate})
	}
	// The statutory claim (UK Late Payment Act, EU 2011/7/EU, BGB, Code
	// de commerce) is stated from the first step marked fee "statutory":
	// fixed compensation and interest to date, with the law it rests on
	// named; with the earlier claims still owed (charges.go).
	if claim.basis != "" && claim.fee().IsPositive() && len(d.Invoices) > 0 {
		d.Fee, d.FeeBasis = claim.fee(), claim.basis
	}
	// "We can resume deliveries and restore your credit limit" only while
	// a credit hold is set on the customer: it is what paying lifts.
	if cust.Kind == ledger.KindBusiness && cust.CreditHold.Held {
		d.Benefits = []string{notify.BenefitDelivery, notify.BenefitCreditLimit}
	}
	return d, nil
}

func toneOf(style string) string {
	if style == ledger.StyleIndirect {
		return ledger.StyleIndirect
	}
	return ledger.StyleDirect
}
