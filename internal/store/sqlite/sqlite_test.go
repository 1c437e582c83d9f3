package sqlite_test

import (
	"path/filepath"
	"strings"
	"testing"

	"settle/internal/store"
	"settle/internal/store/sqlite"
	"settle/internal/store/storetest"
)

// openSQLite opens a fresh database file in the test's temp dir.
func openSQLite(t *testing.T) store.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), storetest.Clock)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLite_Store(t *testing.T) {
	storetest.Run(t, openSQLite)
}

// TestSQLite_Open checks the connection settings on several pooled
// connections at once (pragmas are per connection).
func TestSQLite_Open(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), storetest.Clock)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	defer s.Close()
	if s.Engine() != "sqlite" {
		t.Errorf("Engine() = %q, want sqlite", s.Engine())
	}
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
		{"synchronous", "1"}, // NORMAL
	}
	db := s.SQL()
	for i := range 3 {
		conn, err := db.Conn(t.Context())
		if err != nil {
			t.Fatalf("conn %d: %v", i, err)
		}
		defer conn.Close() // held until the end: forces distinct connections
		for _, tt := range tests {
			var got string
			if err := conn.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
				t.Fatalf("conn %d: PRAGMA %s: %v", i, tt.pragma, err)
			}
			if !strings.EqualFold(got, tt.want) {
				t.Errorf("conn %d: PRAGMA %s = %q, want %q", i, tt.pragma, got, tt.want)
			}
		}
	}
}

// TestSQLite_Reopen: reopening a database keeps its data and does not
// re-apply migrations; a path with URI-special characters works.
func TestSQLite_Reopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd ?#name.db")
	s, err := sqlite.Open(t.Context(), path, storetest.Clock)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	if _, err := s.SQL().ExecContext(t.Context(), `INSERT INTO customers (id, name, time_zone, locale, kind, segment, style, payment_terms_days, created_at, updated_at)
		VALUES ('cus_1', 'A', 'UTC', 'en', 'business', 'standard', 'direct', 30, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')`); err != nil {
		t.Fatal(err)
	}
	v1, err := s.SchemaVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(t.Context(), path, storetest.Clock)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	v2, err := s.SchemaVersion(t.Context())
	if err != nil || v2 != v1 {
		t.Errorf("schema version %d → %d (%v)", v1, v2, err)
	}
	var n int
	if err := s.SQL().QueryRowContext(t.Context(), "SELECT COUNT(*) FROM customers").Scan(&n); err != nil || n != 1 {
		t.Errorf("customers after reopen = %d, %v; want 1", n, err)
	}
	if _, err := sqlite.Open(t.Context(), "", storetest.Clock); err == nil {
		t.Errorf("Open with empty path succeeded")
	}
}

// BenchmarkSQLite_AddRunCustomers: a run of 100,000 customers.
func BenchmarkSQLite_AddRunCustomers(b *testing.B) {
	s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "s.db"), storetest.Clock)
	if err != nil {
		b.Fatalf("sqlite.Open: %v", err)
	}
	defer s.Close()
	storetest.BenchAddRunCustomers(b, s, 100_000)
}
