package storetest

import (
	"database/sql"
	"testing"

	"github.com/pressly/goose/v3"

	"settle/internal/store"
)

// MigrateForward migrates db, empty, one version at a time with p, puts a
// customer, an invoice, a payment and its allocation in at version 1 (when
// the ledger's tables appear), checks they survive every later migration,
// then opens the result with open and reads the customer through the
// store: a database left at any earlier version upgrades with its data.
// ts is how the engine takes a timestamp literal's zone ("" or "+00").
// It returns the latest version.
func MigrateForward(t *testing.T, db *sql.DB, p *goose.Provider, ts string, open func() store.Store) int64 {
	t.Helper()
	sources := p.ListSources()
	latest := sources[len(sources)-1].Version
	if int64(len(sources)) != latest || latest < 2 {
		t.Fatalf("%d migration files, latest version %d", len(sources), latest)
	}
	count := func(table string) int {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		return n
	}
	for v := int64(1); v <= latest; v++ {
		if _, err := p.UpTo(t.Context(), v); err != nil {
			t.Fatalf("migrate to %d: %v", v, err)
		}
		if got, err := p.GetDBVersion(t.Context()); err != nil || got != v {
			t.Fatalf("at version %d goose says %d (%v)", v, got, err)
		}
		if v == 1 { // 00001 creates the ledger
			for _, q := range []string{
				`INSERT INTO customers (id, external_ref, name, time_zone, locale, kind, segment, style, payment_terms_days, created_at, updated_at)
				 VALUES ('cus_old', 'OLD-1', 'Old Customer Ltd', 'Europe/Berlin', 'de', 'business', 'standard', 'direct', 30, '2025-01-02 03:04:05` + ts + `', '2025-01-02 03:04:05` + ts + `')`,
				`INSERT INTO invoices (id, number, customer_id, issue_date, due_date, currency, amount_minor, balance_minor, created_at)
				 VALUES ('inv_old', 'OLD-INV-1', 'cus_old', '2025-01-01', '2025-01-31', 'EUR', 12345, 2345, '2025-01-02 03:04:05` + ts + `')`,
				`INSERT INTO payments (id, kind, customer_id, received_on, currency, amount_minor, unapplied_minor, method, created_at)
				 VALUES ('pay_old', 'payment', 'cus_old', '2025-02-01', 'EUR', 10000, 0, 'bank_transfer', '2025-02-01 00:00:00` + ts + `')`,
				`INSERT INTO allocations (customer_id, payment_id, invoice_id, amount_minor, applied_on)
				 VALUES ('cus_old', 'pay_old', 'inv_old', 10000, '2025-02-01')`,
			} {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("version 1: %v", err)
				}
			}
		}
		for _, table := range []string{"customers", "invoices", "payments", "allocations"} {
			if n := count(table); n != 1 {
				t.Fatalf("after version %d: %d rows in %s, want 1", v, n, table)
			}
		}
	}
	db.Close()

	s := open()
	if v, err := s.SchemaVersion(t.Context()); err != nil || v != latest {
		t.Fatalf("schema version %d (%v), want %d", v, err, latest)
	}
	err := s.Tx(t.Context(), func(tx store.Tx) error {
		c, err := tx.Customer(t.Context(), "OLD-1")
		if err != nil {
			return err
		}
		if c.ID != "cus_old" || c.Name != "Old Customer Ltd" || c.TimeZone != "Europe/Berlin" || c.Locale != "de" {
			t.Errorf("customer read back as %+v", c)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read the old customer through the store: %v", err)
	}
	return latest
}
