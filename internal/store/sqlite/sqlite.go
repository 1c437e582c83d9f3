// Package sqlite opens settle's embedded default store: SQLite through the
// pure-Go modernc.org/sqlite driver, in WAL mode, with its migrations.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"settle/internal/store/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open opens (creating if needed) the SQLite database at path and applies
// pending migrations. now is the clock (nil: time.Now).
func Open(ctx context.Context, path string, now func() time.Time) (*sqldb.DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	// Every connection: foreign keys on, WAL, wait up to 10 s for a lock,
	// NORMAL sync (durable at checkpoints, safe against corruption in WAL),
	// and BEGIN IMMEDIATE so two writers never deadlock upgrading a read lock.
	q := url.Values{}
	for _, p := range []string{"foreign_keys(1)", "journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	dsn := "file:" + escapePath(path) + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return sqldb.New(db, dialect{}, now), nil
}

func escapePath(p string) string {
	return strings.NewReplacer("?", "%3f", "#", "%23").Replace(p)
}

func migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

type dialect struct{}

func (dialect) Engine() string         { return "sqlite" }
func (dialect) Rebind(q string) string { return q }
func (dialect) IsUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// CopyInvoices: SQLite's fastest path from Go is the generic multi-row
// INSERT, so there is nothing faster to take here.
func (dialect) CopyInvoices(context.Context, *sqldb.Tx, [][]any) (bool, error) { return false, nil }
