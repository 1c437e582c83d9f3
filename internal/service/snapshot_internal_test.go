package service

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"settle/internal/store"
	"settle/internal/store/sqlite"
)

// The run decides a batch on a snapshot read beside the writer. A customer
// that changes between the snapshot and the write (here: pays the invoice
// a reminder was about to chase) is read again in the write transaction,
// so nothing goes out on stale data; an unchanged customer is decided on
// the snapshot.
func TestVisitBatch_RereadsWhatChangedSinceTheSnapshot(t *testing.T) {
	for _, pays := range []bool{false, true} {
		name := map[bool]string{false: "unchanged", true: "paid after the snapshot"}[pays]
		t.Run(name, func(t *testing.T) {
			clock := func() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) }
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), clock)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			s := New(st, clock)
			ctx := WithActor(context.Background(), Actor{ID: "test", Role: RoleAdmin})
			if _, err := s.CreateCustomer(ctx, CustomerInput{ExternalRef: "A", Name: "Ann", Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London", Phone: "+447700900123"}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateInvoice(ctx, InvoiceInput{Number: "A-1", CustomerID: "A", IssueDate: "2026-04-01", DueDate: "2026-05-01", Currency: "GBP", Amount: "50.00"}); err != nil {
				t.Fatal(err)
			}
			asOf, _ := s.AsOf("as_of", "2026-05-01") // due today: an email and an SMS
			var runID string
			if err := st.Tx(ctx, func(tx store.Tx) error {
				r, _, err := tx.InsertRun(ctx, &store.Run{AsOf: asOf})
				if err != nil {
					return err
				}
				runID = r.ID
				_, err = tx.AddDueRunCustomers(ctx, r.ID, asOf)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			var sn snapshot
			if err := st.ReadTx(ctx, func(tx store.Tx) error {
				var err error
				if sn.ids, err = tx.PendingRunCustomers(ctx, runID, "", RunBatch, clock().Add(-staleClaim)); err != nil {
					return err
				}
				if sn.versions, err = tx.CustomerWakeVersions(ctx, sn.ids); err != nil {
					return err
				}
				sn.b, err = loadBatch(ctx, tx, sn.ids)
				return err
			}); err != nil || len(sn.ids) != 1 {
				t.Fatalf("snapshot %v, %v", sn.ids, err)
			}
			if pays {
				if _, err := s.RecordPayment(ctx, PaymentInput{CustomerID: "A", ReceivedOn: "2026-05-01", Currency: "GBP", Amount: "50.00"}); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.Tx(ctx, func(tx store.Tx) error {
				ids, err := tx.TakeRunCustomers(ctx, runID, "w", sn.ids, clock().Add(-staleClaim))
				if err != nil {
					return err
				}
				return s.visitBatch(ctx, tx, runID, asOf, ids, &sn, nil)
			}); err != nil {
				t.Fatal(err)
			}
			var msgs []store.Message
			if err := st.Tx(ctx, func(tx store.Tx) error {
				var err error
				msgs, _, err = tx.Messages(ctx, store.MessageFilter{})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{false: 2, true: 0}[pays]; len(msgs) != want {
				t.Fatalf("%d messages, want %d", len(msgs), want)
			}
		})
	}
}
