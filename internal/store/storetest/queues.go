package storetest

import (
	"testing"
	"time"

	"settle/internal/ids"
	"settle/internal/store"
)

// testQueueDepths: each queue counts exactly the rows waiting in it at now
// — the boundaries (scheduled exactly now: due; a retry due exactly now:
// due; an upload expiring exactly now: gone) and the rows of other
// statuses, channels and times left out, worked out by hand below.
func testQueueDepths(t *testing.T, s store.Store) {
	depths := func(now time.Time) store.QueueDepths {
		t.Helper()
		var q store.QueueDepths
		mustTx(t, s, func(tx store.Tx) (err error) { q, err = tx.QueueDepths(t.Context(), now); return err })
		return q
	}
	if got := depths(Now); got != (store.QueueDepths{}) {
		t.Fatalf("empty store: %+v", got)
	}

	c := addCustomer(t, s, newCustomer("QD-A"))
	past, soon, claimedAt := Now.Add(-time.Second), Now.Add(15*time.Minute), Now.Add(-time.Minute)
	msg := func(channel, status string, scheduled time.Time) store.Message {
		return store.Message{CustomerID: c.ID, Channel: channel, Step: "reminder_0", ScheduledFor: scheduled, Status: status}
	}
	ms := []store.Message{
		msg("email", store.MessageQueued, Now.Add(-time.Hour)),  // due
		msg("email", store.MessageQueued, Now),                  // due (scheduled exactly now)
		msg("email", store.MessageQueued, Now.Add(-time.Hour)),  // due: its retry time has come (below)
		msg("email", store.MessageQueued, Now.Add(-time.Hour)),  // retrying (next attempt soon)
		msg("email", store.MessageQueued, Now.Add(-time.Hour)),  // claimed
		msg("email", store.MessageQueued, Now.Add(time.Hour)),   // scheduled later: no queue
		msg("email", store.MessageSent, Now.Add(-time.Hour)),    // sent: no queue
		msg("letter", store.MessageQueued, Now.Add(-time.Hour)), // not an email
		msg("email", store.MessageQueued, Now.Add(-time.Hour)),  // held by staff: waits for them, not due
		msg("email", store.MessageQueued, Now.Add(-time.Hour)),  // awaiting approval: not due
	}
	ms[8].HeldAt, ms[8].HeldBy = &past, "user:usr_q"
	ms[9].AwaitingApproval = true
	ms[2].NextAttemptAt, ms[2].Attempts = &past, 1
	ms[3].NextAttemptAt, ms[3].Attempts = &soon, 2
	ms[4].ClaimedBy, ms[4].ClaimedAt = "w1", &claimedAt
	addMessages(t, s, ms)

	w := addWebhook(t, s, store.Webhook{URL: "https://q.example", Secret: "k", Events: []string{"invoice.overdue"}, Active: true})
	dl := func(status string) store.WebhookDelivery {
		return store.WebhookDelivery{WebhookID: w.ID, EventID: ids.New(ids.Event), Event: "invoice.overdue", Status: status}
	}
	later := dl(store.DeliveryPending)
	later.NextAttemptAt = Now.Add(time.Hour) // pending, not yet due: still pending
	addDeliveries(t, s, []store.WebhookDelivery{dl(store.DeliveryPending), later, dl(store.DeliveryDelivered), dl(store.DeliveryFailed)})

	mustTx(t, s, func(tx store.Tx) error {
		for i, st := range []string{store.TaskOpen, store.TaskClaimed, store.TaskDone, store.TaskOpen} {
			tk := store.Task{CustomerID: c.ID, Queue: "tier1", Kind: "call", DueAt: Now, Priority: int64(i), Status: st}
			if st != store.TaskOpen {
				tk.ClaimedBy, tk.ClaimedAt = "w1", &claimedAt
			}
			if _, _, err := tx.InsertTask(t.Context(), &tk); err != nil {
				return err
			}
		}
		for i, st := range []string{"review", "review", "ignored", "assigned", "review"} {
			l := store.BankLine{ImportID: "imp_q", Line: i + 2, BookedOn: day("2026-06-20"), Amount: amt("1.00", EUR),
				DedupeKey: "qd#" + string(rune('a'+i)), Status: st}
			if st == "assigned" {
				l.CustomerID = c.ID
			}
			if err := tx.InsertBankLine(t.Context(), &l); err != nil {
				return err
			}
		}
		for _, u := range []store.StagedUpload{
			{ID: "stg_Q1", Kind: "invoices", SHA256: "a", Owner: "u", ExpiresAt: Now.Add(time.Hour)},        // staged
			{ID: "stg_Q2", Kind: "invoices", SHA256: "b", Owner: "u", ExpiresAt: Now.Add(time.Microsecond)}, // staged
			{ID: "stg_Q3", Kind: "invoices", SHA256: "c", Owner: "u", ExpiresAt: Now},                       // expired now
			{ID: "stg_Q4", Kind: "invoices", SHA256: "d", Owner: "u", ExpiresAt: Now.Add(-time.Hour)},       // expired
			{ID: "stg_Q5", Kind: "invoices", SHA256: "e", Owner: "u", ExpiresAt: Now.Add(time.Hour)},        // imported (below)
		} {
			if err := tx.InsertStagedUpload(t.Context(), &u); err != nil {
				return err
			}
		}
		_, err := tx.FinishStagedUpload(t.Context(), "stg_Q5", []byte(`{"id":"imp_1"}`))
		return err
	})

	want := store.QueueDepths{EmailsDue: 3, EmailsRetrying: 1, EmailsClaimed: 1, WebhooksPending: 2,
		TasksOpen: 3, BankLinesReview: 3, StagedImports: 2}
	if got := depths(Now); got != want {
		t.Errorf("QueueDepths(now) = %+v\nwant %+v", got, want)
	}
	// Two seconds before: the email scheduled exactly now and the retry
	// due a second ago are not due yet (the latter still waits for its
	// retry); the upload expiring now is still staged.
	want.EmailsDue, want.EmailsRetrying, want.StagedImports = 1, 2, 3
	if got := depths(Now.Add(-2 * time.Second)); got != want {
		t.Errorf("QueueDepths(now-2s) = %+v\nwant %+v", got, want)
	}
}
