package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"settle/internal/store"
	"settle/internal/store/postgres"
	"settle/internal/store/storetest"
	"settle/internal/testutil"
)

// openPostgres opens (and so migrates) a store on a fresh database that
// is dropped when the test ends.
func openPostgres(t *testing.T) store.Store {
	t.Helper()
	dsn := testutil.FreshPostgresDSN(t)
	s, err := postgres.Open(t.Context(), dsn, storetest.Clock)
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgres_Store(t *testing.T) {
	testutil.PostgresDSN(t)
	storetest.Run(t, openPostgres)
}

func TestPostgres_Open(t *testing.T) {
	s := openPostgres(t)
	if s.Engine() != "postgres" {
		t.Errorf("Engine() = %q, want postgres", s.Engine())
	}
	// Opening an already-migrated database again is a no-op.
	db := s.(interface{ SQL() *sql.DB }).SQL()
	var dbname string
	if err := db.QueryRowContext(t.Context(), "SELECT current_database()").Scan(&dbname); err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(testutil.PostgresDSN(t))
	u.Path = "/" + dbname
	s2, err := postgres.Open(t.Context(), u.String(), storetest.Clock)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	defer s2.Close()
	v1, err1 := s.SchemaVersion(t.Context())
	v2, err2 := s2.SchemaVersion(t.Context())
	if err1 != nil || err2 != nil || v1 != v2 || v1 < 1 {
		t.Errorf("schema versions %d (%v), %d (%v)", v1, err1, v2, err2)
	}
	if !strings.HasPrefix(dbname, "settle_t_") {
		t.Errorf("test database %q", dbname)
	}
	// A server that does not answer is an error, not a hang.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := postgres.Open(ctx, "postgres://settle@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", nil); err == nil {
		t.Errorf("Open on a closed port succeeded")
	}
}

// BenchmarkPostgres_AddRunCustomers: a run of 100,000 customers, on a
// fresh database of the SETTLE_TEST_POSTGRES server.
func BenchmarkPostgres_AddRunCustomers(b *testing.B) {
	dsn := os.Getenv("SETTLE_TEST_POSTGRES")
	if dsn == "" {
		b.Skip("SETTLE_TEST_POSTGRES is not set; run ./scripts/test.sh to benchmark PostgreSQL")
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	var r [6]byte
	_, _ = rand.Read(r[:])
	name := "settle_b_" + hex.EncodeToString(r[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		b.Fatalf("create database: %v", err)
	}
	defer admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	u, err := url.Parse(dsn)
	if err != nil {
		b.Fatal(err)
	}
	u.Path = "/" + name
	s, err := postgres.Open(b.Context(), u.String(), storetest.Clock)
	if err != nil {
		b.Fatalf("postgres.Open: %v", err)
	}
	defer s.Close()
	storetest.BenchAddRunCustomers(b, s, 100_000)
}
