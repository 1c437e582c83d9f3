package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/store"
)

// testCollectFields: a task's invoices and an interaction's conversation
// flag are stored and read back as given.
func testCollectFields(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("CF-A"))
	task := store.Task{CustomerID: a.ID, Queue: "tier1", Kind: "call", DueAt: Now, Reason: "r", InvoiceIDs: []string{"inv_1", "inv_2"}}
	calls := []store.Interaction{
		{CustomerID: a.ID, Kind: "call", Direction: "outbound", Summary: "spoke", InvoiceIDs: []string{"inv_1"}, Conversation: true},
		{CustomerID: a.ID, Kind: "call", Direction: "outbound", Summary: "no answer", InvoiceIDs: []string{"inv_1"}},
	}
	mustTx(t, s, func(tx store.Tx) error {
		if _, _, err := tx.InsertTask(t.Context(), &task); err != nil {
			return err
		}
		for i := range calls {
			if err := tx.InsertInteraction(t.Context(), &calls[i]); err != nil {
				return err
			}
		}
		return nil
	})
	mustTx(t, s, func(tx store.Tx) error {
		got, err := tx.Task(t.Context(), task.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]string{"inv_1", "inv_2"}, got.InvoiceIDs); diff != "" {
			t.Errorf("task invoices (-want +got):\n%s", diff)
		}
		byCustomer, err := tx.CallsFor(t.Context(), []string{a.ID})
		if err != nil {
			return err
		}
		conv := map[string]bool{}
		for _, c := range byCustomer[a.ID] {
			conv[c.Summary] = c.Conversation
		}
		if diff := cmp.Diff(map[string]bool{"spoke": true, "no answer": false}, conv); diff != "" {
			t.Errorf("conversations (-want +got):\n%s", diff)
		}
		return nil
	})
}
