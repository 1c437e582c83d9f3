package sqlite_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"settle/internal/store"
	"settle/internal/store/sqlite"
	"settle/internal/store/storetest"
)

// TestMigrate_ForwardFromEveryVersion: a database left at any earlier
// version upgrades with its data (storetest.MigrateForward), and the
// latest version is the one backups are checked against.
func TestMigrate_ForwardFromEveryVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3_settle", "file:"+path+"?_foreign_keys=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectSQLite3, db, os.DirFS("migrations"))
	if err != nil {
		t.Fatal(err)
	}
	latest := storetest.MigrateForward(t, db, p, "", func() store.Store {
		s, err := sqlite.Open(t.Context(), path, storetest.Clock)
		if err != nil {
			t.Fatalf("open the migrated database: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
	if latest != sqlite.LatestVersion() {
		t.Errorf("migrations end at %d, sqlite.LatestVersion says %d", latest, sqlite.LatestVersion())
	}
}
