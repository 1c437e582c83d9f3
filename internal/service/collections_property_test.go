package service_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/ledger"
	"settle/internal/notify"
	"settle/internal/plan"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// TestCollections_Property runs random books through 180 days of daily
// runs and deliveries, on both engines, with random events between them —
// new invoices, partial and full payments, plans accepted (and left to
// default), disputes opened and resolved, promises kept and broken,
// opt-outs, some of them after the day's run and before its emails leave
// — and checks, as the customer receives each email:
//
//  1. steps never go backwards within a case;
//  2. a final notice comes only after a demand of the same case was sent
//     and its deadline has passed; after a plan's default notice, no
//     friendly reminder and no demand or final notice inside its deadline;
//  3. nothing is sent about a debt that is settled, covered by a plan or
//     disputed at that moment;
//  4. what a message claims is true then: the earlier reminders it names
//     were sent on those dates, "due today" is sent on the due date;
//  5. after each run, at most one open task per customer and queue.
//
// The expectations come from the ledger as the service reports it
// (balances, disputes, plans) and from the emails actually received, not
// from the collections code. SETTLE_PROPERTY_SEEDS widens the search.
func TestCollections_Property(t *testing.T) {
	seeds := 2
	if v, err := strconv.Atoi(os.Getenv("SETTLE_PROPERTY_SEEDS")); err == nil && v > 0 {
		seeds = v
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			for seed := range seeds {
				t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
					w := newPropWorld(t, uint64(seed))
					w.run(t, testutil.EnginesAt(t, w.clock)[name])
				})
			}
		})
	}
}

// propWorld is one random book and what the customers received.
type propWorld struct {
	t     *testing.T
	ctx   context.Context
	svc   *service.Service
	rng   *rand.Rand
	mu    sync.Mutex
	now   time.Time
	start civil.Date

	customers []propCustomer
	plans     []string // plan ids created
	nextInv   int

	// episodes: per customer and currency, the escalation emails of the
	// current case as received, oldest first.
	episodes    map[string][]propSent
	opened      map[string]civil.Date // the case each episode belongs to (its opening date)
	seenLetters map[string]bool
	st          store.Store
	sent        int
	problems    []string
}

type propCustomer struct {
	ref, zone string
}

type propSent struct {
	step    string
	on      civil.Date // the customer's date it was received
	stepOn  civil.Date // the date the case took the step
	payBy   civil.Date
	numbers []string // the invoices it was about
}

var escalation = map[string]int{collect.StepOverdue: 1, collect.StepFirm: 2, collect.StepDemand: 4, collect.StepFinal: 5,
	collect.StepPlanDefaulted: 0} // a plan's default notice: a case's contact, not a rung (record)

func (w *propWorld) clock() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }

func (w *propWorld) setTime(d civil.Date, hour int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = time.Date(d.Year, d.Month, d.Day, hour, 0, 0, 0, time.UTC)
}

func (w *propWorld) violate(format string, args ...any) {
	w.problems = append(w.problems, fmt.Sprintf(format, args...))
}

func newPropWorld(t *testing.T, seed uint64) *propWorld {
	w := &propWorld{t: t, rng: rand.New(rand.NewPCG(seed, 16)), start: civil.New(2026, 3, 2), episodes: map[string][]propSent{}, opened: map[string]civil.Date{}, seenLetters: map[string]bool{}}
	w.setTime(w.start, 12)
	return w
}

func (w *propWorld) run(t *testing.T, open func(*testing.T) store.Store) {
	st := open(t)
	w.st = st
	w.svc = service.New(st, w.clock)
	w.ctx = testutil.Admin(context.Background())
	zones := []string{"Europe/London", "America/New_York", "Europe/Berlin"}
	for i := range 8 {
		c := propCustomer{ref: fmt.Sprintf("P%02d", i), zone: zones[i%len(zones)]}
		kind := []string{"consumer", "business"}[w.rng.IntN(2)]
		in := service.CustomerInput{ExternalRef: c.ref, Name: "Customer " + c.ref, Email: strings.ToLower(c.ref) + "@example.com",
			Kind: kind, Jurisdiction: "GB", TimeZone: c.zone, Locale: "en-GB", Segment: []string{"", "", "key_account"}[w.rng.IntN(3)]}
		if w.rng.IntN(2) == 0 {
			in.Phone = fmt.Sprintf("+44 7700 900%03d", i)
		}
		if _, err := w.svc.CreateCustomer(w.ctx, in); err != nil {
			t.Fatal(err)
		}
		w.customers = append(w.customers, c)
		// A book that enters late: invoices due from 90 days ago to 60 ahead.
		for range 1 + w.rng.IntN(3) {
			w.invoice(c, w.start.AddDays(w.rng.IntN(150)-90))
		}
	}
	mailer := &propMailer{w: w}
	for day := range 180 {
		d := w.start.AddDays(day)
		w.setTime(d, 7)
		w.events(d, 0.5)
		if _, err := w.svc.StartRun(w.ctx, service.RunInput{AsOf: d.String()}); err != nil {
			t.Fatalf("run %s: %v", d, err)
		}
		w.checkTasks(d)
		w.setTime(d, 8)
		w.events(d, 0.5) // after the run, before its emails leave
		w.setTime(d, 21)
		if _, err := w.svc.DeliverEmails(w.ctx, mailer, "prop", 500); err != nil {
			t.Fatalf("deliver %s: %v", d, err)
		}
		w.letters(d)
		if len(w.problems) > 0 {
			break
		}
	}
	if len(w.problems) > 0 && os.Getenv("SETTLE_PROPERTY_DUMP") != "" {
		for _, c := range w.customers {
			msgs, _, _ := w.svc.Messages(w.ctx, store.MessageFilter{CustomerID: c.ref, Page: store.Page{Limit: 500}})
			for _, m := range msgs {
				t.Logf("%s %s %s %-8s %-9s on=%s pay=%s sched=%s %v %q", c.ref, m.Context.Currency, m.Step, m.Channel, m.Status, m.Context.StepOn, m.Context.PayBy,
					m.ScheduledFor.Format("01-02 15:04"), m.InvoiceNumbers, m.StatusReason)
			}
			invs, _, _ := w.svc.Invoices(w.ctx, store.InvoiceFilter{CustomerID: c.ref, Page: store.Page{Limit: 500}})
			for _, inv := range invs {
				t.Logf("%s invoice %s %s due %s balance %s disputed %v", c.ref, inv.Number, inv.Amount.Currency(), inv.DueDate, inv.Balance, inv.Disputed)
			}
		}
	}
	for i, p := range w.problems {
		if i == 10 {
			t.Errorf("… %d more", len(w.problems)-10)
			break
		}
		t.Error(p)
	}
	if w.sent < 40 {
		t.Errorf("only %d emails sent over 180 days: the book exercised too little", w.sent)
	}
}

func (w *propWorld) invoice(c propCustomer, due civil.Date) {
	w.nextInv++
	cur := "GBP"
	if w.rng.IntN(4) == 0 {
		cur = "EUR"
	}
	cents := 5000 + w.rng.IntN(200000)
	in := service.InvoiceInput{Number: fmt.Sprintf("N%04dX", w.nextInv), CustomerID: c.ref, IssueDate: due.AddDays(-30).String(), DueDate: due.String(),
		Currency: cur, Amount: fmt.Sprintf("%d.%02d", cents/100, cents%100)}
	if _, err := w.svc.CreateInvoice(w.ctx, in); err != nil {
		w.t.Fatalf("invoice %+v: %v", in, err)
	}
}

// openInvoices are a customer's open invoices as the ledger has them now.
func (w *propWorld) openInvoices(ref string) []ledger.Invoice {
	list, _, err := w.svc.Invoices(w.ctx, store.InvoiceFilter{CustomerID: ref, Status: "open", Page: store.Page{Limit: 500}})
	if err != nil {
		w.t.Fatal(err)
	}
	return list
}

// events applies random events of day d, each with probability about p
// per customer.
func (w *propWorld) events(d civil.Date, p float64) {
	for _, c := range w.customers {
		if w.rng.Float64() > p*0.3 {
			continue
		}
		open := w.openInvoices(c.ref)
		var overdue []ledger.Invoice
		for _, inv := range open {
			if d.After(inv.DueDate) {
				overdue = append(overdue, inv)
			}
		}
		switch r := w.rng.IntN(100); {
		case r < 20: // a new invoice, due in 0..40 days
			w.invoice(c, d.AddDays(w.rng.IntN(41)))
		case r < 40 && len(open) > 0: // a payment: full or partial
			inv := open[w.rng.IntN(len(open))]
			if os.Getenv("SETTLE_PROPERTY_DUMP") != "" {
				w.t.Logf("%s: %s pays on %s", d, c.ref, inv.Number)
			}
			amt := inv.Balance
			if w.rng.IntN(2) == 0 {
				amt, _ = amt.MulRat(1, 3)
			}
			if amt.IsPositive() {
				if _, err := w.svc.RecordPayment(w.ctx, service.PaymentInput{CustomerID: c.ref, ReceivedOn: d.String(), Currency: string(amt.Currency()),
					Amount: amt.String(), InvoiceID: inv.ID}); err != nil {
					w.t.Fatalf("payment: %v", err)
				}
			}
		case r < 52 && len(overdue) > 0: // a dispute opened or resolved
			inv := overdue[w.rng.IntN(len(overdue))]
			flag := !inv.Disputed
			if _, err := w.svc.UpdateInvoice(w.ctx, inv.ID, service.InvoicePatch{Disputed: &flag}); err != nil {
				w.t.Fatalf("dispute: %v", err)
			}
		case r < 64 && len(overdue) > 0: // a promise, of a random share
			inv := overdue[w.rng.IntN(len(overdue))]
			amt, _ := inv.Balance.MulRat(int64(1+w.rng.IntN(10)), 10)
			if amt.IsPositive() {
				if _, err := w.svc.CreatePromise(w.ctx, service.PromiseInput{CustomerID: c.ref, Currency: string(amt.Currency()), Amount: amt.String(),
					DueDate: d.AddDays(3 + w.rng.IntN(14)).String(), PromisedOn: d.String()}); err != nil {
					w.t.Fatalf("promise: %v", err)
				}
			}
		case r < 72 && len(overdue) > 0: // a plan, accepted; paid or left to default
			inv := overdue[w.rng.IntN(len(overdue))]
			if inv.Disputed {
				break
			}
			pv, err := w.svc.CreatePlan(w.ctx, service.PlanInput{CustomerID: c.ref, InvoiceIDs: []string{inv.ID}, PlanTermsInput: service.PlanTermsInput{
				Installments: 2 + w.rng.IntN(3), Frequency: "monthly", StartDate: d.AddDays(7).String(), AsOf: d.String()}})
			if err != nil {
				break // e.g. already in a plan: not this test's subject
			}
			if _, err := w.svc.AcceptPlan(w.ctx, pv.Plan.ID, service.AcceptInput{AcceptedBy: "Customer " + c.ref, Channel: "phone"}); err != nil {
				w.t.Fatalf("accept: %v", err)
			}
			w.plans = append(w.plans, pv.Plan.ID)
		case r < 74: // an opt-out of email, now and then
			if _, err := w.svc.SetOptOut(w.ctx, c.ref, service.OptOutInput{Channel: "email", OptedOut: w.rng.IntN(3) != 0, Source: "test"}); err != nil {
				w.t.Fatalf("opt-out: %v", err)
			}
		}
	}
}

// covered are the invoices in a plan that covers them now (proposed or
// active, not defaulted, completed or cancelled).
func (w *propWorld) covered(d civil.Date) map[string]bool {
	out := map[string]bool{}
	for _, id := range w.plans {
		pv, err := w.svc.Plan(w.ctx, id, d)
		if err != nil {
			w.t.Fatal(err)
		}
		if pv.Tracking != nil && (pv.Tracking.Status == plan.PlanDefaulted || pv.Tracking.Status == plan.PlanCompleted) {
			continue
		}
		if pv.Status != plan.Active && pv.Status != plan.Proposed {
			continue
		}
		for _, inv := range pv.Plan.InvoiceIDs {
			out[inv] = true
		}
	}
	return out
}

func (w *propWorld) checkTasks(d civil.Date) {
	tasks, _, err := w.svc.Tasks(w.ctx, store.TaskFilter{Status: store.TaskOpen, Page: store.Page{Limit: 500}})
	if err != nil {
		w.t.Fatal(err)
	}
	seen := map[string]string{}
	for _, k := range tasks {
		key := k.CustomerID + " " + k.Queue
		if other, ok := seen[key]; ok {
			w.violate("%s: two open tasks for %s: %s and %s", d, key, other, k.ID)
		}
		seen[key] = k.ID
	}
}

type propMailer struct{ w *propWorld }

var (
	despiteRe = regexp.MustCompile(`Despite ([^,]*(?:, [^,]*)*?), (?:the )?invoice`)
	// "…, invoice A remains unpaid. Invoice B is now overdue as well." /
	// "…, invoices A and B remain unpaid. Invoices C and D are now overdue as well."
	splitRe = regexp.MustCompile(`, invoices? (\S+(?:(?:, | and )\S+)*) remains? unpaid\. Invoices? (\S+(?:(?:, | and )\S+)*) (?:is|are) now overdue as well\.`)
	listRe  = regexp.MustCompile(`, | and `)
	dateRe  = regexp.MustCompile(`\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}`)
)

// Send checks each email as it reaches the customer.
func (m *propMailer) Send(_ context.Context, e notify.Email) error {
	w := m.w
	w.sent++
	id := strings.TrimSuffix(strings.TrimPrefix(e.MessageID, "<"), "@settle>")
	msg, err := w.svc.Message(w.ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	cust, err := w.svc.Customer(w.ctx, msg.CustomerID)
	if err != nil {
		w.t.Fatal(err)
	}
	loc, _ := time.LoadLocation(cust.TimeZone)
	now := w.clock()
	today := civil.Of(now.In(loc))
	text := e.Subject + "\n" + e.Text
	// 3. Nothing about a settled, covered or disputed debt.
	all, _, err := w.svc.Invoices(w.ctx, store.InvoiceFilter{CustomerID: cust.ID, Page: store.Page{Limit: 500}})
	if err != nil {
		w.t.Fatal(err)
	}
	covered := w.covered(today)
	named := 0
	for _, inv := range all {
		if !strings.Contains(text, inv.Number) {
			continue
		}
		named++
		if msg.Step == collect.StepPlanCompleted {
			// A thank-you is about a settled debt: the invoices it names
			// (those its plan covered) are paid in full.
			if inv.Balance.IsPositive() {
				w.violate("%s: %s %s to %s names %s as paid in full, %s open", today, msg.Step, id, cust.ExternalRef, inv.Number, inv.Balance)
			}
			continue
		}
		switch {
		case !inv.Balance.IsPositive():
			w.violate("%s: %s %s to %s names %s, settled", today, msg.Step, id, cust.ExternalRef, inv.Number)
		case inv.Disputed:
			w.violate("%s: %s %s to %s names %s, disputed", today, msg.Step, id, cust.ExternalRef, inv.Number)
		case covered[inv.ID]:
			w.violate("%s: %s %s to %s names %s, covered by a plan", today, msg.Step, id, cust.ExternalRef, inv.Number)
		case msg.Step == collect.StepDueToday && !inv.DueDate.Equal(today):
			w.violate("%s: due_today %s to %s names %s, due on %s", today, id, cust.ExternalRef, inv.Number, inv.DueDate)
		case msg.Step == collect.StepReminder && inv.DueDate.Before(today):
			w.violate("%s: reminder %s to %s names %s, due on %s, as not yet due", today, id, cust.ExternalRef, inv.Number, inv.DueDate)
		}
	}
	_, isEsc := escalation[msg.Step]
	if (isEsc || msg.Step == collect.StepReminder || msg.Step == collect.StepDueToday || msg.Step == collect.StepPlanCompleted) && named == 0 {
		w.violate("%s: %s %s to %s names no invoice", today, msg.Step, id, cust.ExternalRef)
	}
	if !isEsc {
		return nil
	}
	key := cust.ExternalRef + "/" + msg.Context.Currency
	// 4. The reminders it names were received on those dates, in this case.
	w.sync(key, msg)
	if m := despiteRe.FindStringSubmatch(strings.ReplaceAll(e.Text, "\n", " ")); m != nil {
		received := map[string]bool{}
		for _, s := range w.episodes[key] {
			received[time.Date(s.on.Year, s.on.Month, s.on.Day, 0, 0, 0, 0, time.UTC).Format("2 January 2006")] = true
		}
		for _, date := range dateRe.FindAllString(m[1], -1) {
			if !received[date] {
				w.violate("%s: %s to %s claims a step of %s; received: %v", today, msg.Step, key, date, w.episodes[key])
			}
		}
		// ... and were about the invoices it says remain unpaid despite
		// them; an invoice they did not name is "now overdue as well".
		before := map[string]bool{}
		for _, s := range w.episodes[key] {
			for _, n := range s.numbers {
				before[n] = true
			}
		}
		flat := strings.Join(strings.Fields(e.Text), " ")
		if sm := splitRe.FindStringSubmatch(flat); sm != nil {
			for _, n := range listRe.Split(sm[1], -1) {
				if !before[n] {
					w.violate("%s: %s to %s says %s remains unpaid despite steps that did not name it", today, msg.Step, key, n)
				}
			}
			for _, n := range listRe.Split(sm[2], -1) {
				if before[strings.TrimSuffix(n, ".")] {
					w.violate("%s: %s to %s calls %s newly overdue, but an earlier step named it", today, msg.Step, key, n)
				}
			}
		} else {
			for _, n := range msg.InvoiceNumbers {
				if !before[n] && strings.Contains(flat, " "+n+" ") {
					w.violate("%s: %s to %s says %s remains unpaid despite steps that did not name it (received: %v)", today, msg.Step, key, n, w.episodes[key])
				}
			}
		}
	}
	w.receive(key, msg, today)
	return nil
}

// receive records that an escalation message of a case reached the
// customer on a date, checking the order of the case (1, 2).
//
// A case is the store's: what the checks say is that within one case
// (from its opening to its close) the order holds.
func (w *propWorld) receive(key string, msg *store.Message, today civil.Date) {
	w.sync(key, msg)
	ep := w.episodes[key]
	w.record(key, ep, msg, today)
}

// sync starts a new episode when the message's case is not the episode's.
func (w *propWorld) sync(key string, msg *store.Message) {
	var opened civil.Date
	if err := w.st.ReadTx(w.ctx, func(tx store.Tx) error {
		cases, err := tx.CasesFor(w.ctx, []string{msg.CustomerID})
		for _, c := range cases[msg.CustomerID] {
			if c.Currency == msg.Context.Currency {
				opened = c.OpenedOn
			}
		}
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
	if !opened.Equal(w.opened[key]) {
		w.episodes[key], w.opened[key] = nil, opened
	}
}

func (w *propWorld) record(key string, ep []propSent, msg *store.Message, today civil.Date) {
	rank := escalation[msg.Step]
	if slices.ContainsFunc(ep, func(s propSent) bool { return s.step == msg.Step && s.stepOn.Equal(msg.Context.StepOn) }) {
		return // the same step by another channel
	}
	if msg.Step == collect.StepPlanDefaulted {
		// A plan's default notice opens a case, or joins one at any step:
		// it is no rung of the ladder; what follows it is checked below.
		w.episodes[key] = append(ep, propSent{step: msg.Step, on: today, stepOn: msg.Context.StepOn, payBy: msg.Context.PayBy, numbers: msg.InvoiceNumbers})
		return
	}
	var last, notice *propSent
	for i := range ep {
		if ep[i].step == collect.StepPlanDefaulted {
			notice = &ep[i]
		} else {
			last = &ep[i]
		}
	}
	// 1. Never backwards within a case; a case starts at the first step,
	// or at a default notice — and then never with a friendly reminder
	// that ignores it, nor with a demand inside its deadline.
	switch {
	case last != nil:
		if prev := escalation[last.step]; rank < prev {
			w.violate("%s: %s to %s after %s of %s: backwards", today, msg.Step, key, last.step, last.on)
		}
	case notice != nil:
		if rank < escalation[collect.StepDemand] {
			w.violate("%s: %s to %s after the default notice of %s: a reminder that ignores it", today, msg.Step, key, notice.on)
		}
	case msg.Step != collect.StepOverdue:
		w.violate("%s: %s to %s opens its case (no earlier step received)", today, msg.Step, key)
	}
	if notice != nil && (msg.Step == collect.StepDemand || msg.Step == collect.StepFinal) && !today.After(notice.payBy) {
		w.violate("%s: %s to %s inside the default notice's deadline %s", today, msg.Step, key, notice.payBy)
	}
	// 2. A final notice after a demand's deadline.
	if msg.Step == collect.StepFinal {
		var demand *propSent
		for i := range ep {
			if ep[i].step == collect.StepDemand {
				demand = &ep[i]
			}
		}
		switch {
		case demand == nil:
			w.violate("%s: final notice to %s with no demand received", today, key)
		case !today.After(demand.payBy):
			w.violate("%s: final notice to %s inside the demand's deadline %s", today, key, demand.payBy)
		}
	}
	w.episodes[key] = append(ep, propSent{step: msg.Step, on: today, stepOn: msg.Context.StepOn, payBy: msg.Context.PayBy, numbers: msg.InvoiceNumbers})
}

// letters takes the letters released by the end of day d as received on
// their day (settle hands a letter over for posting at its slot; the
// outbox's print batch and "posted" come later).
func (w *propWorld) letters(d civil.Date) {
	for _, c := range w.customers {
		msgs, _, err := w.svc.Messages(w.ctx, store.MessageFilter{CustomerID: c.ref, Page: store.Page{Limit: 500}})
		if err != nil {
			w.t.Fatal(err)
		}
		loc, _ := time.LoadLocation(c.zone)
		for i := range msgs {
			m := &msgs[i]
			if m.Channel != notify.ChannelLetter || w.seenLetters[m.ID] || m.Status == store.MessageWithdrawn {
				continue
			}
			if _, ok := escalation[m.Step]; !ok || m.ScheduledFor.After(w.clock()) {
				continue
			}
			w.seenLetters[m.ID] = true
			w.receive(c.ref+"/"+m.Context.Currency, m, civil.Of(m.ScheduledFor.In(loc)))
		}
	}
}
