package service_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"settle/internal/apperr"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// Eight agents claim the same call task at once: exactly one gets it, the
// others a Conflict naming the winner; then the winner completes it twice
// at once (a double click): one completion, one call recorded.
func TestUpdateTask_Concurrent(t *testing.T) {
	for name, open := range testutil.Engines(t) {
		t.Run(name, func(t *testing.T) {
			svc := service.New(open(t), testutil.Clock)
			ctx := testutil.Admin(context.Background())
			if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "T", Email: "tess@example.com", Name: "Tess", Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London"}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "T-1", CustomerID: "T", IssueDate: "2026-04-01", DueDate: "2026-05-01", Currency: "GBP", Amount: "80.00"}); err != nil {
				t.Fatal(err)
			}
			runDays(t, ctx, svc, "2026-05-01", "2026-05-15") // +14: the call step
			tasks, _, err := svc.Tasks(ctx, store.TaskFilter{Queue: "tier1"})
			if err != nil || len(tasks) != 1 {
				t.Fatalf("tasks %v, %v", tasks, err)
			}
			id := tasks[0].ID
			agent := func(i int) context.Context {
				return service.WithActor(context.Background(), service.Actor{ID: fmt.Sprintf("agent-%d", i), Role: service.RoleAgent})
			}

			const n = 8
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = svc.UpdateTask(agent(i), id, service.TaskUpdate{Action: "claim"})
				}()
			}
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil && winner >= 0:
					t.Fatalf("agents %d and %d both claimed the task", winner, i)
				case err == nil:
					winner = i
				case apperr.CodeOf(err) != apperr.Conflict:
					t.Fatalf("agent %d: %v, want a Conflict", i, err)
				}
			}
			if winner < 0 {
				t.Fatal("no agent claimed the task")
			}

			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = svc.UpdateTask(agent(winner), id, service.TaskUpdate{Action: "complete", Outcome: "no_answer"})
				}()
			}
			wg.Wait()
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("two completions at once: %v and %v, want one success and one Conflict", errs[0], errs[1])
			}
			calls, _, err := svc.Interactions(ctx, "T", store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) != 1 {
				t.Fatalf("%d calls recorded, want 1", len(calls))
			}
		})
	}
}

// A call that reached the customer starts Regulation F's 7-day quiet
// period for that debt: the next call about it is held until it ends; a
// call with no answer holds nothing, and a call about another debt is not
// held. The customer said on an inbound call (with a reason, so a
// conversation) that U-1 is coming; the ladder's call step about U-1
// (with U-2, which joined it there) falls two days later. Hand-worked:
// the conversation is at the test clock, Mon 1 June 2026 12:00 UTC; the
// run of Wed 3 June wants 09:00 Chicago; calls go weekdays 09:30–11:30
// (CDT, UTC−5): 3 June 09:30 CDT = 14:30 UTC without the quiet period,
// 8 June 09:30 CDT (the first slot after 8 June 12:00 UTC) with it.
func TestConversation_HoldsTheNextCall(t *testing.T) {
	yes, no := true, false
	for _, c := range []struct {
		name         string
		conversation *bool
		invoices     []string
		due          string
	}{
		{"conversation about the debt", nil, []string{"U-1"}, "2026-06-08T14:30:00Z"},
		{"no answer", &no, []string{"U-1"}, "2026-06-03T14:30:00Z"},
		{"conversation about another debt", &yes, []string{"U-9"}, "2026-06-03T14:30:00Z"},
	} {
		t.Run(c.name, func(t *testing.T) {
			svc := service.New(testutil.SQLite(t), testutil.Clock)
			ctx := testutil.Admin(context.Background())
			if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "U", Email: "una@example.com", Name: "Una", Kind: "consumer", Jurisdiction: "US", TimeZone: "America/Chicago"}); err != nil {
				t.Fatal(err)
			}
			for _, in := range []service.InvoiceInput{
				{Number: "U-1", CustomerID: "U", IssueDate: "2026-04-20", DueDate: "2026-05-20", Currency: "USD", Amount: "80.00"},
				{Number: "U-2", CustomerID: "U", IssueDate: "2026-04-20", DueDate: "2026-05-20", Currency: "USD", Amount: "40.00"},
				{Number: "U-9", CustomerID: "U", IssueDate: "2026-05-20", DueDate: "2026-06-20", Currency: "USD", Amount: "10.00"},
			} {
				if _, err := svc.CreateInvoice(ctx, in); err != nil {
					t.Fatal(err)
				}
			}
			it, err := svc.CreateInteraction(ctx, "U", service.InteractionInput{Kind: "call", Direction: "inbound", Summary: "paying on Friday",
				Reason: &service.ReasonInput{Category: "cash_flow"}, InvoiceIDs: c.invoices, Conversation: c.conversation})
			if err != nil {
				t.Fatal(err)
			}
			if want := c.conversation == nil || *c.conversation; it.Interaction.Conversation != want {
				t.Fatalf("conversation %v, want %v", it.Interaction.Conversation, want)
			}
			runDays(t, ctx, svc, "2026-05-20", "2026-06-03") // U-1 and U-2 at +14
			tasks, _, err := svc.Tasks(ctx, store.TaskFilter{Queue: "tier1", Status: store.TaskOpen})
			if err != nil || len(tasks) != 1 || len(tasks[0].InvoiceIDs) != 2 {
				t.Fatalf("open tasks %+v, %v; want one about two invoices", tasks, err)
			}
			if got := tasks[0].DueAt.UTC().Format(time.RFC3339); got != c.due {
				t.Errorf("the call is due %s, want %s (%s)", got, c.due, tasks[0].Reason)
			}

			// Completing it records the call about the task's invoices.
			if _, err := svc.UpdateTask(ctx, tasks[0].ID, service.TaskUpdate{Action: "complete", Outcome: "reached"}); err != nil {
				t.Fatal(err)
			}
			calls, _, err := svc.Interactions(ctx, "U", store.Page{})
			if err != nil || len(calls) != 2 {
				t.Fatalf("calls %+v, %v", calls, err)
			}
			for _, call := range calls {
				if call.FollowUp == "task:"+tasks[0].ID && (!call.Conversation || len(call.InvoiceIDs) != 2) {
					t.Errorf("the task's call: conversation %v, invoices %v", call.Conversation, call.InvoiceIDs)
				}
			}
		})
	}
}

// A customer who opted out of calls after a call task was made: the card
// offers no number to dial and says why.
func TestTaskCard_OptedOutOfCalls(t *testing.T) {
	svc := service.New(testutil.SQLite(t), testutil.Clock)
	ctx := testutil.Admin(context.Background())
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "OC", Name: "Olive Caller", Email: "oc@example.com", Phone: "+44 20 7946 0011",
		Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "OC-1", CustomerID: "OC", IssueDate: "2026-04-01", DueDate: "2026-05-01", Currency: "GBP", Amount: "120.00"}); err != nil {
		t.Fatal(err)
	}
	runDays(t, ctx, svc, "2026-05-02", "2026-05-16")
	var call *store.Task
	for _, k := range allTasks(t, ctx, svc) {
		if k.Kind == "call" && k.Status == store.TaskOpen {
			call = &k
		}
	}
	if call == nil {
		t.Fatal("no open call task by +15")
	}
	card, err := svc.TaskCard(ctx, *call, testutil.Clock())
	if err != nil || card.Phone == "" {
		t.Fatalf("before the opt-out: %+v, %v; want the phone", card, err)
	}
	if _, err := svc.SetOptOut(ctx, "OC", service.OptOutInput{Channel: "call", OptedOut: true, Source: "call"}); err != nil {
		t.Fatal(err)
	}
	card, err = svc.TaskCard(ctx, *call, testutil.Clock())
	if err != nil || card.Phone != "" || card.CallAllowed || !strings.Contains(card.CallNote, "opted out of calls") {
		t.Errorf("after the opt-out: %+v, %v; want no phone, no call, the reason", card, err)
	}
}
