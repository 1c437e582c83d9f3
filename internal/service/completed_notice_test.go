package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"settle/internal/civil"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// TestRun_PlanCompletedThankYou runs the daily run day by day (explicit
// as-of dates) and delivers every evening (18:00 UTC), as `settle serve`
// does, over three customers who agreed on 15 May 2026 a plan over one
// invoice of 300.00 (due 1 May): installments of 100.00 on 10 June,
// 10 July and 10 August. Worked by hand (collect.DefaultLadder: installment
// reminders 3 days before; docs/collections.md "When a plan is completed"):
//
//   - A-1 (en-GB, direct) pays each installment on its day; invoice
//     A-1-X (120.00 GBP, issued 1 August, due 31 August) is outside the
//     plan. Reminders on 7 June, 7 July and 7 August; on 10 August the
//     final 100.00 completes the plan: one thank-you that day, telling
//     the customer that 120.00 GBP is still open on other invoices.
//   - B-2 (de, indirect) pays 100.00 on 10 June and the remaining 200.00
//     on 20 June (paid off early); staff paused chasing on 18 June until
//     30 August. The reminder of 7 June; the thank-you on 20 June despite
//     the pause (the customer wants it), naming the final 200,00 EUR and
//     saying nothing more is due; no reminder of installment 2 or 3.
//   - C-3 (fr, direct) opted out of email before the plan and pays every
//     installment on its day: no email at all, no thank-you either.
//
// Nobody gets a second thank-you on the days after (the run until 20
// August).
func TestRun_PlanCompletedThankYou(t *testing.T) {
	clk := &testClock{now: time.Date(2026, 5, 15, 12, 0, 0, 0, time.UTC)}
	setTime := func(d civil.Date, hour int) { clk.Set(time.Date(d.Year, d.Month, d.Day, hour, 0, 0, 0, time.UTC)) }
	for name, open := range testutil.EnginesAt(t, clk.Now) {
		t.Run(name, func(t *testing.T) {
			setTime(civil.New(2026, 5, 15), 12)
			st := open(t)
			svc := service.New(st, clk.Now)
			svc.PortalURL = "https://settle.example.com"
			ctx := testutil.Admin(context.Background())
			mailer := &captureMailer{}
			refs := map[string]string{} // customer ref → plan reference (STL-…)
			for _, c := range []struct {
				in  service.CustomerInput
				cur string
			}{
				{service.CustomerInput{ExternalRef: "A-1", Name: "Alan Reed", Email: "alan@example.com", Kind: "consumer", Jurisdiction: "GB",
					TimeZone: "Europe/London", Locale: "en-GB"}, "GBP"},
				{service.CustomerInput{ExternalRef: "B-2", Name: "Bernd Vogel", Email: "bernd@example.com", Kind: "consumer", Jurisdiction: "DE",
					TimeZone: "Europe/Berlin", Locale: "de", Style: "indirect"}, "EUR"},
				{service.CustomerInput{ExternalRef: "C-3", Name: "Claire Martin", Email: "claire@example.com", Kind: "consumer", Jurisdiction: "FR",
					TimeZone: "Europe/Paris", Locale: "fr-FR"}, "EUR"},
			} {
				if _, err := svc.CreateCustomer(ctx, c.in); err != nil {
					t.Fatal(err)
				}
				if c.in.ExternalRef == "C-3" {
					if _, err := svc.SetOptOut(ctx, "C-3", service.OptOutInput{Channel: "email", OptedOut: true, Source: "call"}); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: c.in.ExternalRef + "-INV", CustomerID: c.in.ExternalRef,
					IssueDate: "2026-04-01", DueDate: "2026-05-01", Currency: c.cur, Amount: "300.00"}); err != nil {
					t.Fatal(err)
				}
				pv, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: c.in.ExternalRef, InvoiceIDs: []string{c.in.ExternalRef + "-INV"},
					PlanTermsInput: service.PlanTermsInput{Installments: 3, Frequency: "monthly", StartDate: "2026-06-10", AsOf: "2026-05-15"}})
				if err != nil {
					t.Fatal(err)
				}
				av, err := svc.AcceptPlan(ctx, pv.Plan.ID, service.AcceptInput{AcceptedBy: c.in.Name, Channel: "phone"})
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(av.BankRef, "STL-") {
					t.Fatalf("plan reference %q", av.BankRef)
				}
				refs[c.in.ExternalRef] = av.BankRef
			}
			if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "A-1-X", CustomerID: "A-1", IssueDate: "2026-08-01",
				DueDate: "2026-08-31", Currency: "GBP", Amount: "120.00"}); err != nil {
				t.Fatal(err)
			}
			pay := func(cust, cur, amount string, on civil.Date) {
				t.Helper()
				if _, err := svc.RecordPayment(ctx, service.PaymentInput{CustomerID: cust, ReceivedOn: on.String(), Currency: cur, Amount: amount}); err != nil {
					t.Fatal(err)
				}
			}
			for d := civil.New(2026, 5, 16); !d.After(civil.New(2026, 8, 20)); d = d.AddDays(1) {
				setTime(d, 12)
				if d.Day == 10 && d.Month >= 6 {
					pay("A-1", "GBP", "100.00", d)
					pay("C-3", "EUR", "100.00", d)
				}
				switch d.String() {
				case "2026-06-10":
					pay("B-2", "EUR", "100.00", d)
				case "2026-06-18":
					if _, err := svc.PauseCustomer(ctx, "B-2", service.PauseInput{Until: "2026-08-30", Reason: "customer in hospital"}); err != nil {
						t.Fatal(err)
					}
				case "2026-06-20":
					pay("B-2", "EUR", "200.00", d)
				}
				if _, err := svc.StartRun(ctx, service.RunInput{AsOf: d.String()}); err != nil {
					t.Fatalf("run %s: %v", d, err)
				}
				setTime(d, 18)
				if _, err := svc.DeliverEmails(ctx, mailer, "test", 500); err != nil {
					t.Fatalf("deliver %s: %v", d, err)
				}
			}
			custs, _, err := svc.Customers(ctx, store.CustomerFilter{})
			if err != nil {
				t.Fatal(err)
			}
			extRef := map[string]string{}
			for _, c := range custs {
				extRef[c.ID] = c.ExternalRef
			}
			got := map[string][]string{}
			for _, m := range allMessages(t, ctx, svc) {
				if !strings.HasPrefix(m.DedupeKey, "ladder:") {
					continue // the plan's agreement email
				}
				ref := extRef[m.CustomerID]
				got[ref] = append(got[ref], fmt.Sprintf("%s %s %s %s", keyDate(m.DedupeKey), m.Step, m.Channel, m.Status))
			}
			want := map[string][]string{
				"A-1": {
					"2026-06-07 installment_reminder email sent",
					"2026-07-07 installment_reminder email sent",
					"2026-08-07 installment_reminder email sent",
					"2026-08-10 plan_completed email sent",
				},
				"B-2": {
					"2026-06-07 installment_reminder email sent",
					"2026-06-20 plan_completed email sent",
				},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("messages (-want +got):\n%s", diff)
			}
			// What each customer received, as delivery rendered it
			// (hand-written: the final payment, the plan's reference, the
			// invoice it covered, what is still open).
			received := map[string]string{}
			for _, e := range mailer.sent {
				for who, ref := range map[string]string{"alan": refs["A-1"], "bernd": refs["B-2"]} {
					if strings.Contains(e.To, who+"@") && strings.Contains(e.Subject, ref) {
						received[who] += e.Subject + "\n" + strings.Join(strings.Fields(e.Text), " ") + "\n"
					}
				}
			}
			for who, parts := range map[string][]string{
				"alan": {"Your payment plan " + refs["A-1"] + " is complete",
					"Thank you: we received your final payment of 100.00 GBP on 10 August 2026.",
					"Your payment plan " + refs["A-1"] + " is complete, and the invoice it covered (A-1-INV) is paid in full.",
					"Your other invoices still have an open balance of 120.00 GBP."},
				"bernd": {"Vielen Dank: Ihr Ratenplan " + refs["B-2"] + " ist abgeschlossen",
					"herzlichen Dank: Ihre letzte Zahlung über 200,00 EUR ist am 20. Juni 2026 bei uns eingegangen.",
					"Die Rechnung, die er umfasste (B-2-INV), ist vollständig bezahlt.",
					"Ihr Konto ist damit ausgeglichen; es ist nichts mehr zu zahlen."},
			} {
				text := received[who]
				for _, p := range parts {
					if !strings.Contains(text, p) {
						t.Errorf("%s's thank-you lacks %q:\n%s", who, p, text)
					}
				}
				if strings.Contains(text, "pln_") {
					t.Errorf("%s's thank-you names the internal plan id:\n%s", who, text)
				}
			}
		})
	}
}
