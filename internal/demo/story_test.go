package demo

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/ledger"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// The steps of the collections ladder (docs/collections.md): the courtesy
// notices, then the escalation in order.
var (
	firstSteps  = map[string]bool{"reminder": true, "due_today": true, "overdue": true}
	ladderSteps = map[string]bool{"reminder": true, "due_today": true, "overdue": true, "firm": true, "call": true,
		"demand": true, "final_notice": true, "review": true}
)

// The demo's history is what settle's own daily runs and sender made of
// the demo's events, so it reads like a careful credit controller's
// correspondence (issue 16: the key account's first message was a final
// notice). For every customer, as the customer received it:
//   - the first collections message is a courtesy notice or the first
//     overdue step, never a firm reminder, demand or final notice;
//   - nothing was delivered about an invoice that was paid (by the
//     payments recorded before the message left) or disputed by then;
//   - "Despite our reminders of <dates>" names only days on which the
//     customer was sent a collections email.
//
// What was paid and disputed when is worked out from the demo's own rows
// (the generator's dispute dates, the ledger's allocations with the
// moment each payment was recorded), not from the re-check that decided
// what to send.
//
// On both engines: SQLite (the demo's own) and PostgreSQL (settle demo
// --db postgres://…).
func TestGenerate_TrueStory(t *testing.T) {
	// The demos the other tests load too: no extra load when the whole
	// package runs.
	for _, tc := range []struct {
		asOf civil.Date
		seed int64
	}{{testAsOf, 1}, {civil.New(2026, 11, 15), 42}, {civil.New(2026, 12, 31), 1}} {
		t.Run(fmt.Sprintf("sqlite/%s/%d", tc.asOf, tc.seed), func(t *testing.T) {
			checkStory(t, loaded(t, tc.asOf, tc.seed), tc.asOf, tc.seed)
		})
	}
	t.Run("postgres", func(t *testing.T) {
		clk := NewClock(noonOf(testAsOf))
		st := testutil.PostgresAt(t, clk.Now)
		f := &fixture{svc: service.New(st, clk.Now), clk: clk, ctx: testutil.Admin(context.Background())}
		var err error
		if f.sum, err = Generate(f.ctx, f.svc, clk, testAsOf, 1); err != nil {
			t.Fatal(err)
		}
		checkStory(t, f, testAsOf, 1)
	})
}

func checkStory(t *testing.T, f *fixture, asOf civil.Date, seed int64) {
	t.Helper()
	ctx, svc := f.ctx, f.svc
	_, g, err := build(asOf, seed)
	if err != nil {
		t.Fatal(err)
	}
	live := asOf.AddDays(-HistoryDays)
	g.story(seed, live)
	// invoice number → when the dispute was recorded and when it was
	// resolved (zero: never)
	type span struct{ from, to time.Time }
	disputedAt := map[string]span{}
	resolved := 0
	for _, inv := range g.invoices {
		if inv.disputed {
			sp := span{from: recorded(inv.disputedOn, live, asOf)}
			if !inv.resolvedOn.IsZero() {
				sp.to = recorded(inv.resolvedOn, live, asOf)
				resolved++
			}
			disputedAt[inv.number] = sp
		}
	}
	if resolved == 0 {
		t.Error("no dispute resolved in the demo's history")
	}

	err = svc.Store().ReadTx(ctx, func(tx store.Tx) error {
		custs, _, err := tx.Customers(ctx, store.CustomerFilter{Page: store.Page{Limit: 500}})
		if err != nil {
			return err
		}
		if len(custs) != len(profiles) {
			t.Fatalf("%d customers, want %d", len(custs), len(profiles))
		}
		sentTotal := 0
		for _, c := range custs {
			msgs := customerMessages(t, tx, c.ID)
			invs, pays, err := tx.CustomerLedger(ctx, c.ID)
			if err != nil {
				return err
			}
			number := map[string]string{}
			amount := map[string]int64{}
			for _, inv := range invs {
				number[inv.ID], amount[inv.Number] = inv.Number, inv.Amount.Minor()
			}
			payAt := map[string]time.Time{}
			for _, p := range pays {
				payAt[p.ID] = recorded(p.ReceivedOn, live, asOf)
			}
			allocs := ledger.Allocate(invs, pays).Allocations
			// paidBy is how much of an invoice the payments recorded
			// before t cover.
			paidBy := func(num string, at time.Time) int64 {
				var sum int64
				for _, a := range allocs {
					if number[a.InvoiceID] == num && payAt[a.PaymentID].Before(at) {
						sum += a.Amount.Minor()
					}
				}
				return sum
			}
			loc, err := time.LoadLocation(c.TimeZone)
			if err != nil {
				t.Fatalf("%s: zone %q: %v", c.ExternalRef, c.TimeZone, err)
			}

			first := ""
			var emailedOn []civil.Date // local days of collections emails sent so far
			for _, m := range msgs {
				if !ladderSteps[m.Step] || m.Status == store.MessageWithdrawn {
					continue
				}
				if first == "" {
					first = m.Step
					if !firstSteps[m.Step] {
						t.Errorf("%s (%s): the first collections message is %s %s %q (%s); want a courtesy notice or the first overdue step",
							c.ExternalRef, c.Name, m.Channel, m.Step, m.Subject, m.ScheduledFor.Format(time.DateOnly))
					}
				}
				if m.Status != store.MessageSent || m.SentAt == nil {
					continue
				}
				sentTotal++
				at := *m.SentAt
				// The invoices the customer read about (the message's
				// invoice_numbers are those it was queued with).
				for _, num := range slices.Compact(slices.Sorted(slices.Values(invoiceNumber.FindAllString(m.Subject+"\n"+m.Body, -1)))) {
					if amt, ok := amount[num]; ok && paidBy(num, at) >= amt {
						t.Errorf("%s: %s %q sent %s names %s, paid in full before it left", c.ExternalRef, m.Step, m.Subject, at.Format(time.RFC3339), num)
					}
					if d, ok := disputedAt[num]; ok && d.from.Before(at) && (d.to.IsZero() || d.to.After(at)) {
						t.Errorf("%s: %s %q sent %s names %s, disputed since %s", c.ExternalRef, m.Step, m.Subject, at.Format(time.RFC3339), num, d.from.Format(time.RFC3339))
					}
				}
				for _, d := range despiteDates(t, m.Body) {
					if !slices.Contains(emailedOn, d) {
						t.Errorf("%s: %s sent %s says we reminded them on %s; collections emails went on %v", c.ExternalRef, m.Step,
							at.Format(time.RFC3339), d, emailedOn)
					}
				}
				if m.Channel == "email" {
					emailedOn = append(emailedOn, civil.In(at, loc))
				}
			}
		}
		if sentTotal < 100 {
			t.Errorf("only %d collections messages sent in %d days; the sender did not run", sentTotal, HistoryDays)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// recorded is when the demo records a thing dated d: at the day's events
// hour, on the go-live day (before its first run) for the opening book, or
// early on the as-of day (before its run) for that day's.
func recorded(d, live, asOf civil.Date) time.Time {
	switch {
	case d.Before(live):
		return at(live, runHour)
	case d == asOf:
		return at(d, runHour)
	}
	return at(d, eventsHour)
}

// customerMessages returns all of a customer's messages, in the order they
// were scheduled.
func customerMessages(t *testing.T, tx store.Tx, customerID string) []store.Message {
	t.Helper()
	var all []store.Message
	f := store.MessageFilter{CustomerID: customerID, Page: store.Page{Limit: 500}}
	for {
		list, next, err := tx.Messages(t.Context(), f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, list...)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	slices.SortStableFunc(all, func(a, b store.Message) int { return a.ScheduledFor.Compare(b.ScheduledFor) })
	return all
}

var (
	invoiceNumber = regexp.MustCompile(`INV-\d{4}-\d{5}`)
	despiteClause = regexp.MustCompile(`Despite (our .*?), (the|invoice)`)
	usDate        = regexp.MustCompile(`[A-Z][a-z]+ \d{1,2}, \d{4}`)
	gbDate        = regexp.MustCompile(`\d{1,2} [A-Z][a-z]+ \d{4}`)
)

// despiteDates are the dates an English message says earlier reminders
// (or a demand) were sent on: "Despite our reminders of December 1, 2025
// and December 5, 2025, the invoices below…" (en-US and en-GB).
func despiteDates(t *testing.T, body string) []civil.Date {
	t.Helper()
	m := despiteClause.FindStringSubmatch(strings.Join(strings.Fields(body), " "))
	if m == nil {
		return nil
	}
	var out []civil.Date
	for _, s := range usDate.FindAllString(m[1], -1) {
		out = append(out, parseDay(t, "January 2, 2006", s))
	}
	for _, s := range gbDate.FindAllString(m[1], -1) {
		out = append(out, parseDay(t, "2 January 2006", s))
	}
	if len(out) == 0 {
		t.Errorf("no date in %q", m[0])
	}
	return out
}

func parseDay(t *testing.T, layout, s string) civil.Date {
	t.Helper()
	tm, err := time.Parse(layout, s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return civil.In(tm, time.UTC)
}

// The demo's key accounts (C-1001 is 54% of the USD receivables, and pays
// every promise it makes on the phone) are handled as a careful credit
// controller handles them: in person first. At the firm reminder, the
// demand and the final notice a senior agent calls, and the written step
// follows only collect.KeyAccountMailDelayDays later (withdrawn if the
// call settled it: a promise, a plan). A final notice threatening a
// collection agency as the first message was the first thing issue 16
// found; the case rules start every account at the first overdue step.
func TestGenerate_KeyAccountsArePhoned(t *testing.T) {
	f := loaded(t, testAsOf, 1)
	err := f.svc.Store().ReadTx(f.ctx, func(tx store.Tx) error {
		custs, _, err := tx.Customers(f.ctx, store.CustomerFilter{Page: store.Page{Limit: 500}})
		if err != nil {
			return err
		}
		keys := 0
		for _, c := range custs {
			if c.Segment != "key_account" {
				continue
			}
			keys++
			for _, m := range customerMessages(t, tx, c.ID) {
				if m.Status == store.MessageWithdrawn {
					continue
				}
				switch m.Step {
				case "firm", "demand", "final_notice":
					if first := m.Context.StepOn.AddDays(collect.KeyAccountMailDelayDays); civil.Of(m.ScheduledFor).Before(first) {
						t.Errorf("%s (%s): %s %s %q on %s, before the personal call had %d days (step taken %s)", c.ExternalRef, c.Name, m.Channel, m.Step,
							m.Subject, m.ScheduledFor.Format(time.DateOnly), collect.KeyAccountMailDelayDays, m.Context.StepOn)
					}
				}
			}
		}
		if keys != 3 {
			t.Errorf("%d key accounts, want C-1001, C-1002 and C-2001", keys)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The same date and seed live the same history: every customer receives
// the same messages, with the same words, at the same moments, and the
// same tasks are made and closed the same way (ids aside).
func TestGenerate_SameHistory(t *testing.T) {
	a := loaded(t, testAsOf, 1)
	b := fresh(t, testAsOf, 1)
	if got, want := history(t, b), history(t, a); !slices.Equal(got, want) {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("the second load differs at line %d of %d:\n%s\nwant\n%s", i, len(want), got[i], want[i])
			}
		}
		t.Fatalf("the second load has %d lines of history, the first %d", len(got), len(want))
	}
}

// anyID is a settle id (pln_01M95C4PBX7CKBFDB138PP6ZDJ) or a plan's bank
// reference (STL-2975D6PG, which plan messages name the plan by): both are
// random.
var anyID = regexp.MustCompile(`\b[a-z]{3}_[0-9A-Z]{26}\b|\bSTL-[0-9A-Z]{8}\b`)

// history is every message and task of the demo, one line each, in a
// fixed order, ids replaced by <id>.
func history(t *testing.T, f *fixture) []string {
	t.Helper()
	var out []string
	err := f.svc.Store().ReadTx(f.ctx, func(tx store.Tx) error {
		custs, _, err := tx.Customers(f.ctx, store.CustomerFilter{Page: store.Page{Limit: 500}})
		if err != nil {
			return err
		}
		slices.SortFunc(custs, func(a, b ledger.Customer) int { return strings.Compare(a.ExternalRef, b.ExternalRef) })
		for _, c := range custs {
			var lines []string
			for _, m := range customerMessages(t, tx, c.ID) {
				sent := ""
				if m.SentAt != nil {
					sent = m.SentAt.UTC().Format(time.RFC3339)
				}
				lines = append(lines, strings.Join([]string{c.ExternalRef, "message", m.ScheduledFor.UTC().Format(time.RFC3339), m.Channel, m.Step,
					m.Status, sent, m.StatusReason, m.Subject, m.Body}, " | "))
			}
			tasks, _, err := tx.Tasks(f.ctx, store.TaskFilter{CustomerID: c.ID, Page: store.Page{Limit: 500}})
			if err != nil {
				return err
			}
			for _, k := range tasks {
				lines = append(lines, strings.Join([]string{c.ExternalRef, "task", k.DueAt.UTC().Format(time.RFC3339), k.Queue, k.Kind,
					k.Status, k.Outcome, k.StatusReason, k.Reason}, " | "))
			}
			for i := range lines {
				lines[i] = anyID.ReplaceAllString(lines[i], "<id>")
			}
			slices.Sort(lines)
			out = append(out, lines...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
