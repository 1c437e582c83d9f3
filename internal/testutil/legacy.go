package testutil

import (
	"context"
	"testing"

	"settle/internal/civil"
	"settle/internal/ids"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
)

// InsertRawInvoice stores an open invoice of minor units of cur through the
// store, bypassing every validation: data as an older version (before the
// amount limit) could have written it. Issued 2026-03-01, due 2026-03-31.
func InsertRawInvoice(t *testing.T, st store.Store, customerID, number string, minor int64, cur money.Currency) {
	t.Helper()
	inv := ledger.Invoice{ID: ids.New("inv"), Number: number, CustomerID: customerID,
		IssueDate: civil.New(2026, 3, 1), DueDate: civil.New(2026, 3, 31),
		Amount: money.New(minor, cur), Balance: money.New(minor, cur)}
	err := st.Tx(context.Background(), func(tx store.Tx) error { return tx.InsertInvoice(context.Background(), &inv) })
	if err != nil {
		t.Fatal(err)
	}
}

// InsertRawPayment is InsertRawInvoice for a payment received 2026-03-10,
// left unallocated.
func InsertRawPayment(t *testing.T, st store.Store, customerID string, minor int64, cur money.Currency) {
	t.Helper()
	p := ledger.Payment{ID: ids.New("pay"), Kind: ledger.KindPayment, CustomerID: customerID,
		ReceivedOn: civil.New(2026, 3, 10), Amount: money.New(minor, cur), Method: "bank_transfer"}
	err := st.Tx(context.Background(), func(tx store.Tx) error { return tx.InsertPayment(context.Background(), &p) })
	if err != nil {
		t.Fatal(err)
	}
}
