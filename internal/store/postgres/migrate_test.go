package postgres_test

import (
	"database/sql"
	"os"
	"testing"

	"github.com/pressly/goose/v3"

	"settle/internal/store"
	"settle/internal/store/postgres"
	"settle/internal/store/storetest"
	"settle/internal/testutil"
)

// TestMigrate_ForwardFromEveryVersion: a database left at any earlier
// version upgrades with its data (storetest.MigrateForward).
func TestMigrate_ForwardFromEveryVersion(t *testing.T) {
	dsn := testutil.FreshPostgresDSN(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, os.DirFS("migrations"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.MigrateForward(t, db, p, "+00", func() store.Store {
		s, err := postgres.Open(t.Context(), dsn, storetest.Clock)
		if err != nil {
			t.Fatalf("open the migrated database: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
