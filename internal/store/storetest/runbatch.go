package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"settle/internal/store"
)

// testBulkMessagesAndTasks: InsertMessages and InsertTasks insert across
// statement chunks (25 and 29 rows), skip a dedupe key already stored or
// repeated in the call, and count only what they created; what they
// stored reads back as given.
func testBulkMessagesAndTasks(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("BULK-A"))
	when := Now.Add(time.Hour)
	var ms []*store.Message
	for i := range 60 {
		ms = append(ms, &store.Message{CustomerID: a.ID, Channel: "email", Step: "reminder", Tone: "direct", Locale: "en",
			ScheduledFor: when, Status: store.MessageQueued, Subject: fmt.Sprint("s", i), Body: "b", InvoiceNumbers: []string{"I-1"},
			DedupeKey: fmt.Sprint("bulk:", i%55)}) // 5 repeat a key of the call
	}
	var ks []*store.Task
	for i := range 70 {
		ks = append(ks, &store.Task{CustomerID: a.ID, Queue: "tier1", Kind: "call", DueAt: when, Priority: int64(i), Reason: "r",
			InvoiceIDs: []string{"inv_1"}, DedupeKey: fmt.Sprint("bulk:", i%66)})
	}
	mustTx(t, s, func(tx store.Tx) error {
		// One of each stored before: its key is taken.
		if _, _, err := tx.InsertMessage(t.Context(), &store.Message{CustomerID: a.ID, Channel: "email", Step: "x", ScheduledFor: when,
			Status: store.MessageQueued, DedupeKey: "bulk:7"}); err != nil {
			return err
		}
		_, _, err := tx.InsertTask(t.Context(), &store.Task{CustomerID: a.ID, Queue: "tier1", Kind: "call", DueAt: when, DedupeKey: "bulk:7"})
		return err
	})
	mustTx(t, s, func(tx store.Tx) error {
		n, err := tx.InsertMessages(t.Context(), ms)
		if err != nil {
			return err
		}
		if n != 54 {
			t.Errorf("InsertMessages created %d, want 54 (55 keys, one taken)", n)
		}
		if n, err = tx.InsertTasks(t.Context(), ks); err != nil {
			return err
		}
		if n != 65 {
			t.Errorf("InsertTasks created %d, want 65 (66 keys, one taken)", n)
		}
		return nil
	})
	got := getMessage(t, s, ms[54].ID)
	want := storedMessage(*ms[54])
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("a bulk message (-want +got):\n%s", diff)
	}
	mustTx(t, s, func(tx store.Tx) error {
		k, err := tx.Task(t.Context(), ks[65].ID)
		if err != nil {
			return err
		}
		if k.Priority != 65 || k.Queue != "tier1" || !slices.Equal(k.InvoiceIDs, []string{"inv_1"}) || !k.DueAt.Equal(when) {
			t.Errorf("a bulk task: %+v", k)
		}
		return nil
	})
}

// testRunPeekAndClaim: PendingRunCustomers lists free pending customers
// after a cursor without claiming them; TakeRunCustomers takes, of the
// ones named, those still pending and free (or claimed by the taker, or
// claimed long ago) and marks them done; a claim another worker holds
// (ClaimRunCustomers) is respected until it goes stale.
func testRunPeekAndClaim(t *testing.T, s store.Store) {
	var cs []string
	for i := range 5 {
		cs = append(cs, addCustomer(t, s, newCustomer(fmt.Sprint("PK-", i))).ID)
	}
	slices.Sort(cs)
	var runID string
	mustTx(t, s, func(tx store.Tx) error {
		r, _, err := tx.InsertRun(t.Context(), &store.Run{AsOf: day("2026-08-01")})
		if err != nil {
			return err
		}
		runID = r.ID
		return tx.AddRunCustomers(t.Context(), r.ID, cs)
	})
	stale := Now.Add(-time.Minute)
	peek := func(after string, staleBefore time.Time) (ids []string) {
		t.Helper()
		mustTx(t, s, func(tx store.Tx) (err error) {
			ids, err = tx.PendingRunCustomers(t.Context(), runID, after, 3, staleBefore)
			return err
		})
		return ids
	}
	claim := func(worker string, ids []string, staleBefore time.Time) (got []string) {
		t.Helper()
		mustTx(t, s, func(tx store.Tx) (err error) {
			got, err = tx.TakeRunCustomers(t.Context(), runID, worker, ids, staleBefore)
			return err
		})
		return got
	}
	check := func(what string, got, want []string) {
		t.Helper()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", what, diff)
		}
	}
	check("first peek", peek("", stale), cs[:3])
	check("peek after the second", peek(cs[1], stale), cs[2:5])
	check("w1 takes 0 and 1", claim("w1", cs[:2], stale), cs[:2])
	check("peek skips the taken (done)", peek("", stale), cs[2:5])
	check("w2 takes 1 and 2: only 2 is pending", claim("w2", []string{cs[2], cs[1]}, stale), cs[2:3])
	check("taking a done one again gives nothing", claim("w1", cs[1:2], stale), nil)
	// w3 claims 3 the old way (claimed, still pending).
	mustTx(t, s, func(tx store.Tx) error {
		ids, err := tx.ClaimRunCustomers(t.Context(), runID, "w3", 1, stale)
		check("w3 claims the next pending", ids, cs[3:4])
		return err
	})
	check("peek skips a fresh claim", peek(cs[2], stale), cs[4:5])
	check("w2 cannot take w3's fresh claim", claim("w2", cs[3:4], stale), nil)
	check("w3 takes its own", claim("w3", cs[3:4], stale), cs[3:4])
	check("nothing pending but 4", peek("", Now.Add(time.Hour)), cs[4:5])
}

// testAnalyze: statistics can be refreshed for the tables the bulk paths
// write; a name outside them is refused (it would go into SQL).
func testAnalyze(t *testing.T, s store.Store) {
	if err := s.Analyze(t.Context(), "customers", "invoices", "collection_steps", "messages", "tasks", "run_customers", "payments", "allocations"); err != nil {
		t.Fatal(err)
	}
	if s.Engine() == "postgres" {
		if err := s.Analyze(t.Context(), "invoices; DROP TABLE invoices"); err == nil {
			t.Fatal("an unknown table was analyzed")
		}
	}
}
