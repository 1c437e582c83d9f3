package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"settle/internal/apperr"
	"settle/internal/plan"
	"settle/internal/store"
)

// testRowLocks: a transaction that holds a plan (PlanForUpdate) or a
// customer (LockCustomer) makes a second one wait for it, and the second
// then reads what the first committed. This is what keeps two
// acceptances, or two payments, from acting on the same old state. Both
// engines must pass: SQLite by running one writer at a time, PostgreSQL by
// row locks.
func testRowLocks(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := addCustomer(t, s, newCustomer("LK-A"))
	inv := addInvoice(t, s, newInvoice(c, "LK-1", "2026-01-01", "2026-01-31", amt("90.00", EUR)))
	p := plan.Plan{CustomerID: c.ID, Version: 1, Status: plan.Proposed, Balance: amt("90.00", EUR), InvoiceIDs: []string{inv.ID},
		Methods: []string{"bank_transfer"}, Installments: []plan.Installment{
			{Seq: 1, DueDate: day("2026-02-28"), Amount: amt("45.00", EUR), Principal: amt("45.00", EUR), Interest: amt("0.00", EUR)},
			{Seq: 2, DueDate: day("2026-03-31"), Amount: amt("45.00", EUR), Principal: amt("45.00", EUR), Interest: amt("0.00", EUR)}}}
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertPlan(ctx, &p) })

	mustTx(t, s, func(tx store.Tx) error {
		got, err := tx.PlanForUpdate(ctx, p.ID)
		if err != nil {
			return err
		}
		if got.ID != p.ID || got.Status != plan.Proposed || got.Balance != p.Balance || len(got.Installments) != 2 {
			t.Errorf("PlanForUpdate = %+v, want the plan as inserted", got)
		}
		return nil
	})
	for _, call := range []struct {
		name string
		fn   func(tx store.Tx) error
	}{
		{"PlanForUpdate", func(tx store.Tx) error { _, err := tx.PlanForUpdate(ctx, "pln_missing"); return err }},
		{"LockCustomer", func(tx store.Tx) error { return tx.LockCustomer(ctx, "cus_missing") }},
	} {
		err := s.Tx(ctx, call.fn)
		if apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("%s of a missing row: %v, want NotFound", call.name, err)
		}
	}

	// The first transaction takes the plan, signals, waits a little and
	// activates it; the second, started after the signal, must read it
	// active.
	holding := make(chan struct{})
	var wg sync.WaitGroup
	var firstErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		firstErr = s.Tx(ctx, func(tx store.Tx) error {
			q, err := tx.PlanForUpdate(ctx, p.ID)
			if err != nil {
				close(holding)
				return err
			}
			close(holding)
			time.Sleep(150 * time.Millisecond)
			q.Status, q.Acceptance = plan.Active, &plan.Acceptance{By: "Pat", At: Now, Channel: "phone"}
			return tx.UpdatePlanStatus(ctx, q)
		})
	}()
	<-holding
	var seen string
	start := time.Now()
	err := s.Tx(ctx, func(tx store.Tx) error {
		q, err := tx.PlanForUpdate(ctx, p.ID)
		if err != nil {
			return err
		}
		seen = q.Status
		return nil
	})
	waited := time.Since(start)
	wg.Wait()
	if err := errors.Join(firstErr, err); err != nil {
		t.Fatal(err)
	}
	if seen != plan.Active {
		t.Errorf("the second PlanForUpdate read status %q, want %q (it did not wait for the first)", seen, plan.Active)
	}
	if waited < 100*time.Millisecond {
		t.Errorf("the second PlanForUpdate returned after %v: it did not wait for the holder", waited)
	}

	// The same for a customer: the second transaction, once through
	// LockCustomer, sees the payment the first one inserted.
	holding = make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		firstErr = s.Tx(ctx, func(tx store.Tx) error {
			err := tx.LockCustomer(ctx, c.ID)
			close(holding)
			if err != nil {
				return err
			}
			time.Sleep(150 * time.Millisecond)
			pay := newPayment(c, "2026-02-10", amt("45.00", EUR))
			return tx.InsertPayment(ctx, &pay)
		})
	}()
	<-holding
	var pays int
	err = s.Tx(ctx, func(tx store.Tx) error {
		if err := tx.LockCustomer(ctx, c.ID); err != nil {
			return err
		}
		_, ps, err := tx.CustomerLedger(ctx, c.ID)
		pays = len(ps)
		return err
	})
	wg.Wait()
	if err := errors.Join(firstErr, err); err != nil {
		t.Fatal(err)
	}
	if pays != 1 {
		t.Errorf("after LockCustomer the second transaction saw %d payments, want the first's 1", pays)
	}
}
