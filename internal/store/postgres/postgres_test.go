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

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"settle/internal/store"
	"settle/internal/store/postgres"
	"settle/internal/store/storetest"
)

// testDSN returns SETTLE_TEST_POSTGRES, skipping the test when it is unset
// (failing instead in CI, where the PostgreSQL suite must run).
func testDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("SETTLE_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("SETTLE_TEST_POSTGRES is required in CI")
		}
		t.Skip("SETTLE_TEST_POSTGRES is not set (scripts/test.sh starts a throwaway PostgreSQL)")
	}
	return dsn
}

// openPostgres creates a fresh database settle_t_<random> on the server of
// SETTLE_TEST_POSTGRES, opens (and so migrates) the store on it, and drops
// the database when the test ends.
func openPostgres(t *testing.T) store.Store {
	t.Helper()
	dsn := testDSN(t)
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("SETTLE_TEST_POSTGRES must be a postgres:// URL (got %q): %v", dsn, err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "settle_t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("CREATE DATABASE %s: %v", name, err)
	}
	u.Path = "/" + name
	s, err := postgres.Open(t.Context(), u.String(), storetest.Clock)
	t.Cleanup(func() {
		if s != nil {
			s.Close()
		}
		// t.Context() is already cancelled during cleanup.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("DROP DATABASE %s: %v", name, err)
		}
		admin.Close()
	})
	if err != nil {
		t.Fatalf("postgres.Open(%s): %v", u.Redacted(), err)
	}
	return s
}

func TestPostgres_Store(t *testing.T) {
	testDSN(t)
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
	u, _ := url.Parse(testDSN(t))
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
