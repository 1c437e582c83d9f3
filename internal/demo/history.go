package demo

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/notify"
	"settle/internal/service"
	"settle/internal/store"
)

// Clock is the demo's time. While Generate lives the demo's year it sets
// the clock to each moment of each day in turn (the run at 06:00 UTC, the
// sender's passes); afterwards it hands over to the base clock. The store
// and the service the demo loads into must both read it (pass Now to
// sqlite.Open / postgres.Open and to service.New): the run, the sender and
// every record's timestamps then say when things happened.
type Clock struct {
	mu   sync.Mutex
	base func() time.Time
	at   time.Time // zero: the base clock
}

// NewClock returns a clock that reads base (time.Now if nil) until the
// demo sets it.
func NewClock(base func() time.Time) *Clock {
	if base == nil {
		base = time.Now
	}
	return &Clock{base: base}
}

// Now is the demo's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() {
		return c.base()
	}
	return c.at
}

func (c *Clock) set(t time.Time) {
	c.mu.Lock()
	c.at = t
	c.mu.Unlock()
}

// at is the instant hour:00 UTC of day d.
func at(d civil.Date, hour int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, 0, 0, 0, time.UTC)
}

// The hours (UTC) of a demo day. The run runs at 06:00, settle serve's
// default (SETTLE_RUN_AT); the sender passes at 06:00 (Asia's morning),
// at 12:00 (Europe's), and at 18:00 (the Americas'). The day's events —
// the invoices issued, the payments the bank reports, the disputes
// raised — are recorded at 12:00, after Europe's morning emails left and
// before the Americas' do: so some messages queued in the morning meet a
// payment at delivery and are withdrawn, as in life. The calls due are
// made at 18:00. The as-of day stops at 06:00 (Generate).
const (
	runHour    = 6
	eventsHour = 12
	lateHour   = 18
)

// HistoryDays is how long the demo organisation has used settle by its
// as-of date: it went live that many days before, importing its book (the
// year's invoices and payments up to then) through the CSV import, and
// settle has run every day since. A longer history tells the same story
// more slowly: each simulated day costs a run and three sender passes.
const HistoryDays = 90

// Generate lives the demo's year through svc, whose store and service must
// read clk (see Clock); ctx must carry an actor that may import. On the
// go-live day (HistoryDays before asOf) the customers and the book so far
// are imported through the CSV import, with negotiation policies and
// budgets; then each day until asOf the collections run for the day runs,
// the day's invoices, payments and disputes (raised and resolved) are
// recorded, the agents make the calls due, and the email
// sender delivers what is due to a mailer that keeps nothing (no network).
// On asOf, early, the day's events are recorded and a few plans and
// promises agreed (seedPlans), then today's run runs. clk is handed back
// to its base clock when Generate returns.
//
// Running it again with the same asOf and seed changes nothing; a database
// that holds a demo made for another date or seed is refused
// (apperr.Invalid).
func Generate(ctx context.Context, svc *service.Service, clk *Clock, asOf civil.Date, seed int64) (Summary, error) {
	if clk == nil {
		return Summary{}, fmt.Errorf("demo: no clock: the demo sets the time of its store and service")
	}
	defer clk.set(time.Time{})
	f, g, err := build(asOf, seed)
	if err != nil {
		return Summary{}, err
	}
	sum := f.Summary
	live := asOf.AddDays(-HistoryDays)
	days := g.story(seed, live)
	sum.Payments = len(g.payments) // with the payments of resolved disputes
	opening, err := g.opening(live)
	if err != nil {
		return Summary{}, err
	}
	clk.set(at(live, runHour))
	for i, file := range []struct {
		kind string
		data []byte
	}{{"customers", f.Customers}, {"invoices", opening.Invoices}, {"payments", opening.Payments}} {
		res, err := svc.Import(ctx, file.kind, bytes.NewReader(file.data),
			service.ImportOptions{Filename: "demo-" + file.kind + ".csv"})
		if err != nil {
			return Summary{}, fmt.Errorf("demo: import %s: %w", file.kind, err)
		}
		if i == 0 && res.AlreadyImported {
			if err := checkLoaded(ctx, svc, g, asOf); err != nil {
				return Summary{}, err
			}
			sum.AlreadyLoaded = true
			return sum, nil
		}
	}
	if err := seedNegotiation(ctx, svc); err != nil {
		return Summary{}, err
	}
	refs, err := customerIndex(ctx, svc)
	if err != nil {
		return Summary{}, err
	}
	mailer := &discardMailer{}
	for d := live; d.Before(asOf); d = d.AddDays(1) {
		clk.set(at(d, runHour))
		if _, err := svc.StartRun(ctx, service.RunInput{AsOf: d.String()}); err != nil {
			return Summary{}, fmt.Errorf("demo: run of %s: %w", d, err)
		}
		if err := deliver(ctx, svc, mailer); err != nil {
			return Summary{}, fmt.Errorf("demo: deliveries of %s: %w", d, err)
		}
		clk.set(at(d, eventsHour))
		if err := deliver(ctx, svc, mailer); err != nil {
			return Summary{}, fmt.Errorf("demo: deliveries of %s: %w", d, err)
		}
		if err := apply(ctx, svc, days[d]); err != nil {
			return Summary{}, fmt.Errorf("demo: %s: %w", d, err)
		}
		clk.set(at(d, lateHour))
		if err := g.workCalls(ctx, svc, refs, at(d, lateHour)); err != nil {
			return Summary{}, fmt.Errorf("demo: calls of %s: %w", d, err)
		}
		if err := deliver(ctx, svc, mailer); err != nil {
			return Summary{}, fmt.Errorf("demo: deliveries of %s: %w", d, err)
		}
	}
	// Today, asOf, until the run: what yesterday's run queued for this
	// early hour leaves; the day's invoices and payments (the bank's
	// morning statement) are recorded, and the plans and promises agreed
	// on today's first calls (seedPlans); then today's run sees them all —
	// its calls and reviews wait on the worklist for the demo's user. The
	// rest of today belongs to settle serve and its clock.
	clk.set(at(asOf, runHour))
	if err := deliver(ctx, svc, mailer); err != nil {
		return Summary{}, fmt.Errorf("demo: deliveries of %s: %w", asOf, err)
	}
	if err := apply(ctx, svc, days[asOf]); err != nil {
		return Summary{}, fmt.Errorf("demo: %s: %w", asOf, err)
	}
	if err := seedPlans(ctx, svc, asOf); err != nil {
		return Summary{}, err
	}
	if _, err := svc.StartRun(ctx, service.RunInput{AsOf: asOf.String()}); err != nil {
		return Summary{}, fmt.Errorf("demo: run of %s: %w", asOf, err)
	}
	if err := deliver(ctx, svc, mailer); err != nil {
		return Summary{}, fmt.Errorf("demo: deliveries of %s: %w", asOf, err)
	}
	return sum, nil
}

// apply records a day's events.
func apply(ctx context.Context, svc *service.Service, events []event) error {
	for _, e := range events {
		if err := e.apply(ctx, svc); err != nil {
			return err
		}
	}
	return nil
}

// deliver runs the email sender until nothing due is left.
func deliver(ctx context.Context, svc *service.Service, m service.Mailer) error {
	for {
		rep, err := svc.DeliverEmails(ctx, m, "demo", 100)
		if err != nil {
			return err
		}
		if rep.Claimed < 100 {
			return nil
		}
	}
}

// discardMailer accepts every email and keeps nothing: the demo's emails
// are stored as sent in the outbox, where staff read them.
type discardMailer struct{}

func (discardMailer) Send(context.Context, notify.Email) error { return nil }

// checkLoaded confirms that the database holds this demo (the same date and
// seed), complete: its run of asOf is done and its last invoice is the one
// this seed makes.
func checkLoaded(ctx context.Context, svc *service.Service, g *gen, asOf civil.Date) error {
	other := apperr.Errorf(apperr.Invalid, "the database holds a demo made for another date or seed, or one that was interrupted")
	last := g.invoices[len(g.invoices)-1]
	inv, err := svc.Invoice(ctx, last.number)
	if apperr.CodeOf(err) == apperr.NotFound {
		return other
	} else if err != nil {
		return err
	}
	if inv.Amount != last.amount || inv.IssueDate != last.issue {
		return other
	}
	if _, err := svc.Run(ctx, asOf.String()); apperr.CodeOf(err) == apperr.NotFound {
		return other
	} else if err != nil {
		return err
	}
	return nil
}

// event is something that happens to the book on a day.
type event struct {
	kind         eventKind
	invoice      *invoice
	payment      *payment
	ref, channel string // optedOut: the customer and the channel
}

type eventKind int

// In this order within a day: an invoice exists before it is disputed or
// paid.
const (
	issued eventKind = iota
	disputed
	undisputed
	paid
	optedOut
)

// story dates the disputes and lays the generator's rows from the go-live
// day on out on the days they happen. Disputes are raised around the due
// date — when the customer's payables team looks at the invoice, usually
// after the courtesy reminder — drawn from their own random stream, so
// that the CSV files stay as Build makes them.
func (g *gen) story(seed int64, live civil.Date) map[civil.Date][]event {
	rng := rand.New(rand.NewPCG(uint64(seed), 0xd15b07e))
	days := map[civil.Date][]event{}
	add := func(on civil.Date, e event) {
		if !on.Before(live) {
			days[on] = append(days[on], e)
		}
	}
	for _, inv := range g.invoices {
		add(inv.issue, event{kind: issued, invoice: inv})
		if !inv.disputed {
			continue
		}
		on := inv.due.AddDays(-3 + rng.IntN(11))
		if on.After(g.asOf) {
			on = g.asOf
		}
		if !on.After(inv.issue) {
			on = inv.issue
		}
		inv.disputedOn = on
		add(on, event{kind: disputed, invoice: inv})
		// About half the disputes raised since go-live are resolved: two
		// to four weeks later the customer's question is answered (a
		// delivery note, a purchase order number), the flag cleared,
		// and the invoice paid in full within the week — never by a
		// customer who has stopped paying.
		resolved := on.AddDays(14 + rng.IntN(15))
		payOn := weekday(resolved.AddDays(2 + rng.IntN(5)))
		if rng.IntN(2) == 0 || on.Before(live) || payOn.After(g.asOf) || profiles[inv.cust].pays == stopped {
			continue
		}
		inv.resolvedOn = resolved
		add(resolved, event{kind: undisputed, invoice: inv})
		g.addPayment(inv.cust, payOn, inv.amount, profiles[inv.cust].method, inv.number)
	}
	for i := range g.payments {
		p := &g.payments[i]
		add(p.on, event{kind: paid, payment: p})
	}
	// A consumer tired of the phone writes in, a month after go-live:
	// "please do not call me, write instead" (Regulation F lets him).
	add(live.AddDays(30), event{kind: optedOut, ref: "C-1015", channel: "call"})
	for _, list := range days {
		sort.SliceStable(list, func(i, j int) bool { return list[i].kind < list[j].kind })
	}
	return days
}

// opening is the book the demo organisation imported when it went live:
// the invoices issued and the payments received before that day, an
// invoice marked disputed if the dispute was raised before it too.
func (g *gen) opening(live civil.Date) (Files, error) {
	var f Files
	var err error
	f.Invoices, err = g.invoicesCSV(func(inv *invoice) (bool, bool) {
		return inv.issue.Before(live), inv.disputed && inv.disputedOn.Before(live)
	})
	if err != nil {
		return Files{}, err
	}
	f.Payments, err = g.paymentsCSV(func(p *payment) bool { return p.on.Before(live) })
	return f, err
}

// apply records the event through the service, as a person or the
// accounting system would.
func (e event) apply(ctx context.Context, svc *service.Service) error {
	switch e.kind {
	case issued:
		inv := e.invoice
		_, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: inv.number, CustomerID: profiles[inv.cust].ref,
			IssueDate: inv.issue.String(), DueDate: inv.due.String(), Currency: string(inv.amount.Currency()), Amount: inv.amount.String()})
		if err != nil {
			return fmt.Errorf("invoice %s: %w", inv.number, err)
		}
	case disputed:
		yes := true
		if _, err := svc.UpdateInvoice(ctx, e.invoice.number, service.InvoicePatch{Disputed: &yes}); err != nil {
			return fmt.Errorf("dispute of %s: %w", e.invoice.number, err)
		}
	case undisputed:
		no := false
		if _, err := svc.UpdateInvoice(ctx, e.invoice.number, service.InvoicePatch{Disputed: &no}); err != nil {
			return fmt.Errorf("dispute of %s resolved: %w", e.invoice.number, err)
		}
	case optedOut:
		if _, err := svc.SetOptOut(ctx, e.ref, service.OptOutInput{Channel: e.channel, OptedOut: true, Source: "email"}); err != nil {
			return fmt.Errorf("opt-out of %s: %w", e.ref, err)
		}
	case paid:
		p := e.payment
		_, err := svc.RecordPayment(ctx, service.PaymentInput{CustomerID: profiles[p.cust].ref, ReceivedOn: p.on.String(),
			Currency: string(p.amount.Currency()), Amount: p.amount.String(), Method: p.method, Reference: p.reference, InvoiceID: p.invoice})
		if err != nil {
			return fmt.Errorf("payment %s: %w", p.reference, err)
		}
	}
	return nil
}

// callWindow is how far ahead an agent looks, on a call, at what the
// customer is about to pay: a customer who pays within it says so.
const callWindow = 10

// workCalls is the agents' afternoon: every open call task due by now is
// made and completed as the customer's behaviour says it goes. A customer
// who is about to pay (the generator's payments in the next callWindow
// days) promises exactly that, by the day of the last of those payments —
// a promise kept. A customer who has stopped paying promises a quarter of
// the overdue balance within a week and pays nothing — a promise broken
// (only when the week ends by asOf, so that today's open promises stay the
// ones seedPlans makes). Anyone else does not answer. Review tasks are
// left to the legal queue.
func (g *gen) workCalls(ctx context.Context, svc *service.Service, refs map[string]int, now time.Time) error {
	today := civil.In(now, time.UTC)
	tasks, _, err := svc.Tasks(ctx, store.TaskFilter{Status: store.TaskOpen, Page: store.Page{Limit: 500}})
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if t.Kind != "call" || t.DueAt.After(now) {
			continue
		}
		ci, ok := refs[t.CustomerID]
		if !ok {
			continue
		}
		up := service.TaskUpdate{Action: "complete", Outcome: "no_answer", Note: "Called; no answer (demo)."}
		var paying money.Amount
		var by civil.Date
		for _, p := range g.payments {
			if p.cust != ci || !p.on.After(today) || p.on.After(today.AddDays(callWindow)) {
				continue
			}
			if paying.Currency() == "" {
				paying = money.Zero(p.amount.Currency())
			}
			if paying, err = paying.Add(p.amount); err != nil {
				return err
			}
			by = p.on
		}
		switch {
		case paying.IsPositive():
			up.Outcome, up.Note = "promise_made", "Reached accounts payable; payment is on its way (demo)."
			up.Promise = &service.TaskPromise{Currency: string(paying.Currency()), Amount: paying.String(), DueDate: by.String()}
		case profiles[ci].pays == stopped && !today.AddDays(7).After(g.asOf):
			part, err := g.overdueShare(ctx, svc, t.CustomerID, today)
			if err != nil {
				return err
			}
			if part.IsPositive() {
				up.Outcome, up.Note = "promise_made", "Reached; short of cash, promised a part payment within a week (demo)."
				up.Promise = &service.TaskPromise{Currency: string(part.Currency()), Amount: part.String(), DueDate: today.AddDays(7).String()}
			}
		}
		if _, err := svc.UpdateTask(ctx, t.ID, up); err != nil {
			return fmt.Errorf("call %s: %w", t.ID, err)
		}
	}
	return nil
}

// overdueShare is a quarter of a customer's overdue balance on a day (zero
// when nothing is overdue).
func (g *gen) overdueShare(ctx context.Context, svc *service.Service, customerID string, on civil.Date) (money.Amount, error) {
	r, err := svc.Aging(ctx, on, "")
	if err != nil {
		return money.Amount{}, err
	}
	for _, c := range r.Customers() {
		if c.CustomerID != customerID {
			continue
		}
		overdue, ok := c.Overdue().Amount(c.Currency)
		if !ok {
			return money.Amount{}, nil
		}
		return overdue.MulRat(1, 4)
	}
	return money.Amount{}, nil
}

// customerIndex maps the demo customers' ids to their profiles.
func customerIndex(ctx context.Context, svc *service.Service) (map[string]int, error) {
	byRef := map[string]int{}
	for i, p := range profiles {
		byRef[p.ref] = i
	}
	out := map[string]int{}
	list, _, err := svc.Customers(ctx, store.CustomerFilter{Page: store.Page{Limit: 500}})
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if i, ok := byRef[c.ExternalRef]; ok {
			out[c.ID] = i
		}
	}
	return out, nil
}
