package storetest

import (
	"testing"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/store"
)

// testWake: the daily run's wake dates. A new customer is due at once;
// a wake date set by the run holds until something the ladder depends on
// changes (an invoice, a payment, a promise, the customer's segment),
// which makes the customer due again; a wake written with a stale
// version is ignored; WakeAllCustomers makes everyone due.
func testWake(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := addCustomer(t, s, newCustomer("WK-A"))
	b := addCustomer(t, s, newCustomer("WK-B"))
	asOf := day("2026-07-01")
	runDate := asOf
	// due lists which of a and b a run as of asOf would visit.
	due := func(t *testing.T) map[string]bool {
		t.Helper()
		out := map[string]bool{}
		mustTx(t, s, func(tx store.Tx) error {
			runDate = runDate.AddDays(1) // a fresh run each time: runs are one per date
			r, _, err := tx.InsertRun(ctx, &store.Run{AsOf: runDate})
			if err != nil {
				return err
			}
			if _, err := tx.AddDueRunCustomers(ctx, r.ID, asOf); err != nil {
				return err
			}
			ids, err := tx.ClaimRunCustomers(ctx, r.ID, "w", 1000, Now.Add(-1e9))
			for _, id := range ids {
				switch id {
				case a.ID:
					out["a"] = true
				case b.ID:
					out["b"] = true
				}
			}
			return err
		})
		return out
	}
	versions := func(t *testing.T) map[string]int64 {
		t.Helper()
		var v map[string]int64
		mustTx(t, s, func(tx store.Tx) (err error) {
			v, err = tx.CustomerWakeVersions(ctx, []string{a.ID, b.ID, "cus_unknown"})
			return err
		})
		if len(v) != 2 {
			t.Fatalf("CustomerWakeVersions: %v, want a and b only", v)
		}
		return v
	}
	// sleep sets both customers' wake to a date after asOf, with the
	// versions just read.
	sleep := func(t *testing.T, on civil.Date) {
		t.Helper()
		v := versions(t)
		mustTx(t, s, func(tx store.Tx) error {
			return tx.SetCustomerWakes(ctx, []store.CustomerWake{{CustomerID: a.ID, On: on, Version: v[a.ID]}, {CustomerID: b.ID, On: on, Version: v[b.ID]}})
		})
		if got := due(t); len(got) != 0 {
			t.Fatalf("after sleeping until %s, due as of %s: %v, want none", on, asOf, got)
		}
	}
	if got := due(t); !got["a"] || !got["b"] {
		t.Fatalf("new customers due: %v, want both", got)
	}
	sleep(t, store.WakeNever)
	// Waking on the date itself.
	v := versions(t)
	mustTx(t, s, func(tx store.Tx) error {
		return tx.SetCustomerWakes(ctx, []store.CustomerWake{{CustomerID: a.ID, On: asOf, Version: v[a.ID]}})
	})
	if got := due(t); !got["a"] || got["b"] {
		t.Fatalf("a wakes on %s: due %v, want a only", asOf, got)
	}

	changes := []struct {
		name   string
		change func(tx store.Tx) error
	}{
		{"an invoice", func(tx store.Tx) error {
			inv := newInvoice(a, "WK-1", "2026-06-01", "2026-07-01", amt("10.00", USD))
			return tx.InsertInvoice(ctx, &inv)
		}},
		{"a bulk load", func(tx store.Tx) error {
			_, err := tx.InsertInvoices(ctx, []ledger.Invoice{newInvoice(a, "WK-B1", "2026-06-01", "2026-07-01", amt("10.00", USD)),
				newInvoice(a, "WK-B2", "2026-06-02", "2026-07-02", amt("11.00", USD))})
			return err
		}},
		{"a dispute", func(tx store.Tx) error {
			inv, err := tx.Invoice(ctx, "WK-1")
			if err != nil {
				return err
			}
			inv.Disputed = true
			return tx.UpdateInvoiceFlags(ctx, inv)
		}},
		{"a payment", func(tx store.Tx) error {
			p := newPayment(a, "2026-06-20", amt("5.00", USD))
			return tx.InsertPayment(ctx, &p)
		}},
		{"a promise", func(tx store.Tx) error {
			return tx.InsertPromise(ctx, &ledger.Promise{CustomerID: a.ID, Amount: amt("5.00", USD), PromisedOn: day("2026-06-21"), DueDate: day("2026-07-05"), Channel: "call"})
		}},
		{"a new segment", func(tx store.Tx) error {
			c, err := tx.Customer(ctx, a.ID)
			if err != nil {
				return err
			}
			c.Segment = "key_account"
			return tx.UpdateCustomer(ctx, c)
		}},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			sleep(t, asOf.AddDays(30))
			mustTx(t, s, c.change)
			if got := due(t); !got["a"] || got["b"] {
				t.Fatalf("after %s: due %v, want a only", c.name, got)
			}
		})
	}

	t.Run("a new name changes nothing", func(t *testing.T) {
		sleep(t, asOf.AddDays(30))
		mustTx(t, s, func(tx store.Tx) error {
			c, err := tx.Customer(ctx, b.ID)
			if err != nil {
				return err
			}
			c.Name = "Renamed"
			return tx.UpdateCustomer(ctx, c)
		})
		if got := due(t); len(got) != 0 {
			t.Fatalf("after a rename: due %v, want none", got)
		}
	})

	t.Run("a stale version is not written", func(t *testing.T) {
		v := versions(t)
		// a changes after the run read its version …
		mustTx(t, s, func(tx store.Tx) error {
			p := newPayment(a, "2026-06-22", amt("1.00", USD))
			return tx.InsertPayment(ctx, &p)
		})
		// … so the run's wake date, computed without the change, is dropped.
		mustTx(t, s, func(tx store.Tx) error {
			return tx.SetCustomerWakes(ctx, []store.CustomerWake{{CustomerID: a.ID, On: store.WakeNever, Version: v[a.ID]}, {CustomerID: b.ID, On: store.WakeNever, Version: v[b.ID]}})
		})
		if got := due(t); !got["a"] || got["b"] {
			t.Fatalf("due %v, want a only", got)
		}
	})

	t.Run("wake all", func(t *testing.T) {
		sleep(t, store.WakeNever)
		mustTx(t, s, func(tx store.Tx) error { return tx.WakeAllCustomers(ctx) })
		if got := due(t); !got["a"] || !got["b"] {
			t.Fatalf("after WakeAllCustomers: due %v, want both", got)
		}
	})
}
