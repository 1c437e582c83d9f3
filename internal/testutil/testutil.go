// Package testutil opens real, throwaway databases for tests: SQLite in a
// temporary directory, and PostgreSQL as a fresh database on the server
// that SETTLE_TEST_POSTGRES names (scripts/test.sh starts one). Without
// it, PostgreSQL tests skip — except under CI=true, where they fail.
package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/postgres"
	"settle/internal/store/sqlite"
	"settle/internal/testutil/testenv"
)

// Clock is the fixed time test stores run at.
var Clock = func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }

// Engines lists the stores every cross-engine test runs against.
func Engines(t *testing.T) map[string]func(t *testing.T) store.Store {
	t.Helper()
	return map[string]func(t *testing.T) store.Store{"sqlite": SQLite, "postgres": Postgres}
}

// EnginesAt is Engines with stores that run at the clock now (a test that
// moves time: the stores' transaction clock and the service's agree).
func EnginesAt(t *testing.T, now func() time.Time) map[string]func(t *testing.T) store.Store {
	t.Helper()
	return map[string]func(t *testing.T) store.Store{
		"sqlite":   func(t *testing.T) store.Store { t.Helper(); return sqliteAt(t, now) },
		"postgres": func(t *testing.T) store.Store { t.Helper(); return postgresAt(t, now) },
	}
}

// SQLite opens a fresh SQLite store in t.TempDir().
func SQLite(t *testing.T) store.Store {
	t.Helper()
	return SQLiteAt(t, Clock)
}

// SQLiteAt is SQLite with its own clock.
func SQLiteAt(t *testing.T, now func() time.Time) store.Store { t.Helper(); return sqliteAt(t, now) }

func sqliteAt(t testing.TB, now func() time.Time) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "settle.db"), now)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// PostgresDSN returns the test server's DSN, skipping (or failing in CI)
// when there is none.
func PostgresDSN(t *testing.T) string { t.Helper(); return postgresDSN(t) }

func postgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("SETTLE_TEST_POSTGRES")
	if dsn == "" {
		testenv.Missing(t, "SETTLE_TEST_POSTGRES is not set (./scripts/test.sh starts a throwaway PostgreSQL)")
	}
	return dsn
}

// FreshPostgresDSN creates an empty database on the test server and
// returns its DSN; the database is dropped when the test ends.
func FreshPostgresDSN(t *testing.T) string { t.Helper(); return freshPostgresDSN(t) }

func freshPostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := postgresDSN(t)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "settle_t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("SETTLE_TEST_POSTGRES is not a URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Postgres opens a store on a fresh PostgreSQL database.
func Postgres(t *testing.T) store.Store {
	t.Helper()
	return PostgresAt(t, Clock)
}

// PostgresAt is Postgres with its own clock.
func PostgresAt(t *testing.T, now func() time.Time) store.Store {
	t.Helper()
	return postgresAt(t, now)
}

func postgresAt(t testing.TB, now func() time.Time) store.Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), freshPostgresDSN(t), now)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Open opens a fresh store of engine ("sqlite" or "postgres") for a test
// or a benchmark.
func Open(tb testing.TB, engine string) store.Store {
	tb.Helper()
	if engine == "postgres" {
		return postgresAt(tb, Clock)
	}
	return sqliteAt(tb, Clock)
}

// Admin returns ctx acting as an admin.
func Admin(ctx context.Context) context.Context {
	return service.WithActor(ctx, service.Actor{ID: "test:admin", Role: service.RoleAdmin})
}

// Counts returns the store's row counts per table.
func Counts(t *testing.T, st store.Store) map[string]int64 {
	t.Helper()
	var c map[string]int64
	err := st.Tx(context.Background(), func(tx store.Tx) error {
		var err error
		c, err = tx.Counts(context.Background())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
