package service_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"settle/internal/civil"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// TestRun_PlanDefaultNotice runs the daily run day by day (explicit as-of
// dates, no sender) over two customers who agreed a plan on 15 May 2026
// over one invoice of 300.00 GBP (due 1 May): installments of 100.00 on
// 10 June, 10 July and 10 August, grace 5 days, default after 2 misses.
// Neither pays an installment. Worked by hand (collect.DefaultLadder,
// docs/collections.md "When a plan defaults"):
//
//   - reminders 3 days before each installment (7 June, 7 July);
//   - installment 1 missed on 16 June (10 June + 5 + 1): the polite notice;
//   - installment 2 missed on 16 July: the plan defaults, and the customer
//     is told so (pay by 16 July + 14 = 30 July) — no "installment
//     missed" for installment 2, no reminder for installment 3, and no
//     friendly "invoice overdue";
//   - D-1 pays nothing: the case resumes at the call on 31 July (the day
//     after the deadline; it merges into the open plan review), the demand
//     on 4 August (call + 4 days' gap; pay by 18 August), the final notice
//     on 19 August;
//   - P-2 (German) pays the remaining 300.00 on 17 July, the day after
//     the default: nothing more;
//   - S-5 (French, indirect) pays the 300.00 on 16 July after the run,
//     before the evening's delivery: paid off on the day it would have
//     defaulted, the plan is complete (plan.Track), the notice is withdrawn
//     saying so, and the next day's run thanks her for the final payment
//     (plan_completed); nothing more.
//
// Emails are delivered every evening (18:00 UTC), as `settle serve` does,
// so what the customers receive is what delivery renders then.
func TestRun_PlanDefaultNotice(t *testing.T) {
	clk := &testClock{now: time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)}
	setDay := func(d civil.Date) { clk.Set(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)) }
	for name, open := range testutil.EnginesAt(t, clk.Now) {
		t.Run(name, func(t *testing.T) {
			setDay(civil.New(2026, 5, 15))
			st := open(t)
			svc := service.New(st, clk.Now)
			svc.PortalURL = "https://settle.example.com" // as `settle serve` sets it: emails carry the portal link
			ctx := testutil.Admin(context.Background())
			mailer := &captureMailer{}
			plans := map[string]string{}
			for _, c := range []service.CustomerInput{
				{ExternalRef: "D-1", Name: "Dana Cole", Email: "dana@example.com", Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London", Locale: "en-GB"},
				{ExternalRef: "P-2", Name: "Paula Berger", Email: "paula@example.com", Kind: "consumer", Jurisdiction: "DE", TimeZone: "Europe/Berlin", Locale: "de"},
				{ExternalRef: "S-5", Name: "Sandrine Roux", Email: "sandrine@example.com", Kind: "consumer", Jurisdiction: "FR", TimeZone: "Europe/Paris",
					Locale: "fr-FR", Style: "indirect"},
			} {
				if _, err := svc.CreateCustomer(ctx, c); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: c.ExternalRef + "-INV", CustomerID: c.ExternalRef, IssueDate: "2026-04-01",
					DueDate: "2026-05-01", Currency: "GBP", Amount: "300.00"}); err != nil {
					t.Fatal(err)
				}
				pv, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: c.ExternalRef, InvoiceIDs: []string{c.ExternalRef + "-INV"},
					PlanTermsInput: service.PlanTermsInput{Installments: 3, Frequency: "monthly", StartDate: "2026-06-10", AsOf: "2026-05-15"}})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := svc.AcceptPlan(ctx, pv.Plan.ID, service.AcceptInput{AcceptedBy: c.Name, Channel: "phone"}); err != nil {
					t.Fatal(err)
				}
				plans[c.ExternalRef] = pv.Plan.ID
			}
			for d := civil.New(2026, 5, 16); !d.After(civil.New(2026, 8, 25)); d = d.AddDays(1) {
				setDay(d)
				if d.String() == "2026-07-17" {
					if _, err := svc.RecordPayment(ctx, service.PaymentInput{CustomerID: "P-2", ReceivedOn: d.String(), Currency: "GBP", Amount: "300.00"}); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := svc.StartRun(ctx, service.RunInput{AsOf: d.String()}); err != nil {
					t.Fatalf("run %s: %v", d, err)
				}
				if d.String() == "2026-07-16" {
					if _, err := svc.RecordPayment(ctx, service.PaymentInput{CustomerID: "S-5", ReceivedOn: d.String(), Currency: "GBP", Amount: "300.00"}); err != nil {
						t.Fatal(err)
					}
				}
				clk.Set(time.Date(d.Year, d.Month, d.Day, 18, 0, 0, 0, time.UTC))
				if _, err := svc.DeliverEmails(ctx, mailer, "test", 500); err != nil {
					t.Fatalf("deliver %s: %v", d, err)
				}
			}
			custs, _, err := svc.Customers(ctx, store.CustomerFilter{})
			if err != nil {
				t.Fatal(err)
			}
			refs := map[string]string{}
			for _, c := range custs {
				refs[c.ID] = c.ExternalRef
			}
			got := map[string][]string{}
			var notices = map[string]store.Message{}
			for _, m := range allMessages(t, ctx, svc) {
				if !strings.HasPrefix(m.DedupeKey, "ladder:") {
					continue // the plan's agreement email
				}
				ref := refs[m.CustomerID]
				got[ref] = append(got[ref], fmt.Sprintf("%s %s %s", keyDate(m.DedupeKey), m.Step, m.Channel))
				if m.Step == "plan_defaulted" {
					notices[ref] = m
				}
			}
			for _, tk := range allTasks(t, ctx, svc) {
				ref := refs[tk.CustomerID]
				got[ref] = append(got[ref], fmt.Sprintf("%s task %s %s", keyDate(tk.DedupeKey), keyStep(tk.DedupeKey), tk.Queue))
			}
			want := map[string][]string{
				"D-1": {
					"2026-06-07 installment_reminder email",
					"2026-06-16 installment_missed email",
					"2026-07-07 installment_reminder email",
					"2026-07-16 plan_defaulted email",
					"2026-08-04 demand email",
					"2026-08-19 final_notice email",
					"2026-07-16 task plan_defaulted tier1",
				},
				"P-2": {
					"2026-06-07 installment_reminder email",
					"2026-06-16 installment_missed email",
					"2026-07-07 installment_reminder email",
					"2026-07-16 plan_defaulted email",
					"2026-07-16 task plan_defaulted tier1",
				},
				"S-5": {
					"2026-06-07 installment_reminder email",
					"2026-06-16 installment_missed email",
					"2026-07-07 installment_reminder email",
					"2026-07-16 plan_defaulted email",
					// Paid off on the default day (after that day's run):
					// the next run thanks her (TestRun_PlanCompletedThankYou).
					"2026-07-17 plan_completed email",
					"2026-07-16 task plan_defaulted tier1",
				},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("messages and tasks (-want +got):\n%s", diff)
			}
			// What the notice says, in the customer's language and formats
			// (hand-written: 100.00 a miss, 300.00 open, 14 days to pay).
			for ref, parts := range map[string][]string{
				"D-1": {"Your payment plan has ended", "agreed with you on 15 May 2026", "Installment 1, due 10 June 2026: 100.00 GBP",
					"Installment 2, due 10 July 2026: 100.00 GBP", "Total due: 300.00 GBP",
					"100.00 GBP", "300.00 GBP", "by 30 July 2026", "agree a plan you can keep"},
				"P-2": {"Ihr Ratenplan ist beendet", "am 15. Mai 2026 mit Ihnen vereinbart", "Rate 1, fällig am 10. Juni 2026: 100,00 GBP",
					"Rate 2, fällig am 10. Juli 2026: 100,00 GBP", "Gesamtbetrag: 300,00 GBP", "bis zum 30. Juli 2026"},
			} {
				m := notices[ref]
				// As read: line breaks and no-break spaces as spaces.
				text := strings.Join(strings.Fields(m.Subject+"\n"+m.Body), " ")
				for _, p := range parts {
					if !strings.Contains(text, p) {
						t.Errorf("%s's default notice lacks %q:\n%s\n%s", ref, p, m.Subject, m.Body)
					}
				}
			}
			for ref, st := range map[string]string{"D-1": store.MessageSent, "P-2": store.MessageSent, "S-5": store.MessageWithdrawn} {
				if m := notices[ref]; m.Status != st {
					t.Errorf("%s's notice is %s (%q), want %s", ref, m.Status, m.StatusReason, st)
				}
			}
			if m := notices["S-5"]; m.StatusReason != "plan "+plans["S-5"]+" is completed: paid off" {
				t.Errorf("S-5's notice withdrawn as %q", m.StatusReason)
			}
			// Her thank-you, as delivered on 17 July (hand-written: the
			// 300.00 of 16 July, nothing else owed).
			var thanks string
			for _, e := range mailer.sent {
				if strings.Contains(e.To, "sandrine@") && strings.Contains(e.Subject, "Merci") {
					thanks += strings.Join(strings.Fields(e.Subject+"\n"+e.Text), " ")
				}
			}
			for _, p := range []string{"nous avons bien reçu votre dernier paiement de 300,00 GBP le 16 juillet 2026.",
				"la facture qu'il couvrait (S-5-INV) est intégralement payée.", "Votre compte est soldé : vous n'avez plus rien à payer."} {
				if !strings.Contains(thanks, p) {
					t.Errorf("S-5's thank-you lacks %q:\n%s", p, thanks)
				}
			}
			// What D-1 received, as delivery rendered it: with the
			// portal link the invitation points to.
			var sent string
			for _, e := range mailer.sent {
				if strings.Contains(e.To, "dana@") && strings.Contains(e.Subject, "payment plan has ended") {
					sent = strings.Join(strings.Fields(e.Text), " ")
				}
			}
			for _, p := range []string{"propose a payment plan or tell us about a problem: http", "reply to this email or propose a new plan through the link above",
				"Installment 2, due 10 July 2026: 100.00 GBP", "Please pay 300.00 GBP by 30 July 2026."} {
				if !strings.Contains(sent, p) {
					t.Errorf("D-1's delivered notice lacks %q:\n%s", p, sent)
				}
			}
		})
	}
}

// TestRun_QueuedPlanMessagesSayWhyWithdrawn: a queued message about a
// plan that no longer needs it is withdrawn with the reason that is true,
// not "paid, or the plan has ended". No sender runs, so the messages stay
// queued until a run re-checks them. Plans as in
// TestRun_PlanDefaultNotice (agreed 15 May, 100.00 on 10 June, 10 July,
// 10 August; default at the second miss, 16 July):
//
//   - Q-4 pays installment 1 on 8 June: its reminder of 7 June is
//     withdrawn that day as paid;
//   - R-3 pays nothing: its "installment 1 missed" of 16 June is
//     withdrawn on 16 July because the plan defaulted that day; on 17
//     July the plan is renegotiated, and the default notice of 16 July is
//     withdrawn because the plan was superseded.
func TestRun_QueuedPlanMessagesSayWhyWithdrawn(t *testing.T) {
	clk := &testClock{now: time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)}
	setDay := func(d civil.Date) { clk.Set(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)) }
	for name, open := range testutil.EnginesAt(t, clk.Now) {
		t.Run(name, func(t *testing.T) {
			setDay(civil.New(2026, 5, 15))
			svc := service.New(open(t), clk.Now)
			ctx := testutil.Admin(context.Background())
			plans := map[string]string{}
			for _, ref := range []string{"Q-4", "R-3"} {
				if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: ref, Name: "Customer " + ref, Email: ref + "@example.com",
					Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London", Locale: "en-GB"}); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: ref + "-INV", CustomerID: ref, IssueDate: "2026-04-01",
					DueDate: "2026-05-01", Currency: "GBP", Amount: "300.00"}); err != nil {
					t.Fatal(err)
				}
				pv, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: ref, InvoiceIDs: []string{ref + "-INV"},
					PlanTermsInput: service.PlanTermsInput{Installments: 3, Frequency: "monthly", StartDate: "2026-06-10", AsOf: "2026-05-15"}})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := svc.AcceptPlan(ctx, pv.Plan.ID, service.AcceptInput{AcceptedBy: "Customer " + ref, Channel: "phone"}); err != nil {
					t.Fatal(err)
				}
				plans[ref] = pv.Plan.ID
			}
			for d := civil.New(2026, 5, 16); !d.After(civil.New(2026, 7, 17)); d = d.AddDays(1) {
				setDay(d)
				switch d.String() {
				case "2026-06-08":
					if _, err := svc.RecordPayment(ctx, service.PaymentInput{CustomerID: "Q-4", ReceivedOn: d.String(), Currency: "GBP", Amount: "100.00",
						PlanID: plans["Q-4"]}); err != nil {
						t.Fatal(err)
					}
				case "2026-07-17":
					if _, err := svc.RenegotiatePlan(ctx, plans["R-3"], service.PlanTermsInput{Installments: 3, Frequency: "monthly",
						StartDate: "2026-08-10", AsOf: "2026-07-17"}); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := svc.StartRun(ctx, service.RunInput{AsOf: d.String()}); err != nil {
					t.Fatalf("run %s: %v", d, err)
				}
			}
			custs, _, err := svc.Customers(ctx, store.CustomerFilter{})
			if err != nil {
				t.Fatal(err)
			}
			refs := map[string]string{}
			for _, c := range custs {
				refs[c.ID] = c.ExternalRef
			}
			got := map[string]string{}
			for _, m := range allMessages(t, ctx, svc) {
				if strings.HasPrefix(m.DedupeKey, "ladder:") && m.Status == store.MessageWithdrawn {
					got[fmt.Sprintf("%s %s %s", refs[m.CustomerID], keyDate(m.DedupeKey), m.Step)] = m.StatusReason
				}
			}
			want := map[string]string{
				"Q-4 2026-06-07 installment_reminder": "installment 1 of plan " + plans["Q-4"] + " is paid",
				// A reminder left queued past its installment's due date.
				"Q-4 2026-07-07 installment_reminder": "installment 2 was due on 2026-07-10: a reminder before it is no longer true",
				"R-3 2026-06-07 installment_reminder": "installment 1 was due on 2026-06-10: a reminder before it is no longer true",
				"R-3 2026-07-07 installment_reminder": "installment 2 was due on 2026-07-10: a reminder before it is no longer true",
				"R-3 2026-06-16 installment_missed":   "installment 1: plan " + plans["R-3"] + " ended: it defaulted on 2026-07-16",
				"R-3 2026-07-16 plan_defaulted":       "plan " + plans["R-3"] + " was superseded: renegotiated as a new plan",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("withdrawn messages and reasons (-want +got):\n%s", diff)
			}
		})
	}
}

// Two plans of one customer (one invoice each, the same schedule as in
// TestRun_PlanDefaultNotice) default on the same day, 16 July: the
// customer gets one notice for each plan, each naming its own invoice
// (and one message for each plan's missed installment: a message's key
// names its plan installment).
func TestRun_TwoPlansDefaultTheSameDay(t *testing.T) {
	for name, open := range testutil.Engines(t) {
		t.Run(name, func(t *testing.T) {
			svc := service.New(open(t), testutil.Clock)
			ctx := testutil.Admin(context.Background())
			if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "T-6", Name: "Tom Hale", Email: "tom@example.com",
				Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London"}); err != nil {
				t.Fatal(err)
			}
			for _, n := range []string{"T-6-A", "T-6-B"} {
				if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: n, CustomerID: "T-6", IssueDate: "2026-04-01",
					DueDate: "2026-05-01", Currency: "GBP", Amount: "300.00"}); err != nil {
					t.Fatal(err)
				}
				pv, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: "T-6", InvoiceIDs: []string{n}, PlanTermsInput: service.PlanTermsInput{
					Installments: 3, Frequency: "monthly", StartDate: "2026-06-10", AsOf: "2026-05-15", OverrideReason: "test book"}})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := svc.AcceptPlan(ctx, pv.Plan.ID, service.AcceptInput{AcceptedBy: "Tom Hale", Channel: "phone"}); err != nil {
					t.Fatal(err)
				}
			}
			runDays(t, ctx, svc, "2026-07-15", "2026-07-16")
			var got []string
			for _, m := range allMessages(t, ctx, svc) {
				if m.Step == "plan_defaulted" {
					got = append(got, fmt.Sprintf("%s %v", keyDate(m.DedupeKey), m.InvoiceNumbers))
				}
			}
			sort.Strings(got)
			if want := []string{"2026-07-16 [T-6-A]", "2026-07-16 [T-6-B]"}; !cmp.Equal(want, got) {
				t.Errorf("default notices %v, want %v", got, want)
			}
			// The same for the installments: on 15 July installment 1 of
			// each plan (due 10 June) is missed, one message each.
			missed := 0
			for _, m := range allMessages(t, ctx, svc) {
				if m.Step == "installment_missed" {
					missed++
				}
			}
			if missed != 2 {
				t.Errorf("%d installment_missed messages, want 2 (one per plan)", missed)
			}
		})
	}
}
