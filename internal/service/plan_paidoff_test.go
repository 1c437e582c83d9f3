package service_test

import (
	"context"
	"strings"
	"testing"

	"settle/internal/plan"
	"settle/internal/service"
	"settle/internal/testutil"
)

// A transfer received before the plan was accepted but booked after it
// pays the plan's whole invoice (300.00 of 300.00). The plan's schedule
// does not count it (it predates the acceptance), but nothing is owed any
// more: the plan is complete, and the runs around its installment dates
// (reminder three days before 15 June, missed notice after it) send
// nothing about it.
func TestPlan_PaidOffOutsideThePlan(t *testing.T) {
	st := testutil.SQLite(t)
	svc, p := planBook(t, st)
	ctx := testutil.Admin(context.Background())
	mustImport(t, svc, "customers", "external_ref,name,email\nR-1,Rowan Ltd,r@example.com\n")
	if _, err := svc.AcceptPlan(ctx, p.Plan.ID, service.AcceptInput{AcceptedBy: "Rowan", Channel: "phone"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordPayment(ctx, service.PaymentInput{CustomerID: "R-1", ReceivedOn: "2026-05-20", Currency: "GBP", Amount: "300.00"}); err != nil {
		t.Fatal(err)
	}
	v, err := svc.Plan(ctx, p.Plan.ID, mustDate(t, "2026-06-02"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Tracking == nil || v.Tracking.Status != plan.PlanCompleted || v.Invoices[0].Balance.Minor() != 0 {
		t.Fatalf("plan %s, tracking %+v, invoice balance %v: want completed over a paid invoice", v.Status, v.Tracking, v.Invoices[0].Balance)
	}
	for _, d := range []string{"2026-06-12", "2026-06-16", "2026-06-25", "2026-07-20"} {
		r, err := svc.StartRun(ctx, service.RunInput{AsOf: d})
		if err != nil {
			t.Fatal(err)
		}
		if r.Run.Messages != 0 || r.Run.Tasks != 0 {
			t.Errorf("run %s: %d messages, %d tasks about a plan paid off", d, r.Run.Messages, r.Run.Tasks)
		}
	}
}

// A payment recorded ahead of its date (allow_future: a transfer the
// customer has scheduled) pays the plan's whole invoice on 14 June. As of
// 10 June nothing is paid yet: the plan is active with its first
// installment (100.00, 15 June) due, and the run of 12 June reminds of it.
// Only from 14 June is the plan complete. (Before, the invoice's balance
// as it stands today made the plan complete on every date, so no
// installment was ever reminded of in a replay.)
func TestPlan_PaidOffAsOfTheDatePaid(t *testing.T) {
	st := testutil.SQLite(t)
	svc, p := planBook(t, st)
	ctx := testutil.Admin(context.Background())
	mustImport(t, svc, "customers", "external_ref,name,email\nR-1,Rowan Ltd,r@example.com\n")
	if _, err := svc.AcceptPlan(ctx, p.Plan.ID, service.AcceptInput{AcceptedBy: "Rowan", Channel: "phone"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordPayment(ctx, service.PaymentInput{CustomerID: "R-1", ReceivedOn: "2026-06-14", Currency: "GBP", Amount: "300.00",
		PlanID: p.Plan.ID, AllowFuture: true}); err != nil {
		t.Fatal(err)
	}
	v, err := svc.Plan(ctx, p.Plan.ID, mustDate(t, "2026-06-10"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Tracking == nil || v.Tracking.Status != plan.PlanActive || v.Status != plan.Active {
		t.Fatalf("as of 10 June: plan %s, tracking %+v; want active, nothing paid yet", v.Status, v.Tracking)
	}
	r, err := svc.StartRun(ctx, service.RunInput{AsOf: "2026-06-12"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Run.Messages != 1 {
		t.Errorf("run of 12 June: %d messages, want the reminder of installment 1 (due 15 June)", r.Run.Messages)
	}
	// The reminder names the plan as the customer knows it: by the
	// reference on their agreement, which they quote with payments.
	v, err = svc.Plan(ctx, p.Plan.ID, mustDate(t, "2026-06-12"))
	if err != nil {
		t.Fatal(err)
	}
	reminders := 0
	for _, m := range messagesOf(t, svc, ctx, "R-1") {
		if m.Step != "installment_reminder" {
			continue
		}
		reminders++
		if v.BankRef == "" || !strings.Contains(m.Subject, v.BankRef) || strings.Contains(m.Subject+m.Body, p.Plan.ID) {
			t.Errorf("the reminder names the plan %q / %q, want by its reference %s, never %s", m.Subject, m.Body, v.BankRef, p.Plan.ID)
		}
	}
	if reminders != 1 {
		t.Errorf("%d installment reminders in the outbox, want 1", reminders)
	}
	v, err = svc.Plan(ctx, p.Plan.ID, mustDate(t, "2026-06-14"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Tracking == nil || v.Tracking.Status != plan.PlanCompleted {
		t.Fatalf("as of 14 June: plan %s, tracking %+v; want completed", v.Status, v.Tracking)
	}
}
