// Package sqlite opens settle's embedded default store: SQLite through the
// pure-Go modernc.org/sqlite driver, in WAL mode, with its migrations.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
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
	// a 32 MiB page cache (the 2 MiB default spills dirty index pages to the
	// WAL again and again during a large import: 41 s instead of 57 s for
	// 1M invoices), and BEGIN IMMEDIATE so two writers never deadlock
	// upgrading a read lock.
	q := url.Values{}
	for _, p := range []string{"foreign_keys(1)", "journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)", "cache_size(-32768)"} {
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

// BulkInvoices inserts the rows one by one through a single prepared
// statement, on the driver connection. From Go this is SQLite's fastest
// load: the statement is parsed once, and a single-row INSERT needs no
// statement journal (a multi-row INSERT with foreign keys on must journal
// every page it touches, to undo itself). A row the INSERT skipped has a
// number that exists: a conflict.
func (dialect) BulkInvoices(ctx context.Context, t *sqldb.Tx, rows [][]any) ([]int, bool, error) {
	var conflicts []int
	err := t.Conn().Raw(func(dc any) error {
		c, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("sqlite: driver connection %T cannot prepare", dc)
		}
		st, err := c.PrepareContext(ctx, sqldb.InsertInvoiceSQL)
		if err != nil {
			return err
		}
		defer st.Close()
		ex, ok := st.(driver.StmtExecContext)
		if !ok {
			return fmt.Errorf("sqlite: driver statement %T cannot exec", st)
		}
		args := make([]driver.NamedValue, len(sqldb.InvoiceColumns))
		for i, r := range rows {
			for k, v := range r {
				if vr, ok := v.(driver.Valuer); ok {
					if v, err = vr.Value(); err != nil {
						return err
					}
				}
				args[k] = driver.NamedValue{Ordinal: k + 1, Value: v}
			}
			res, err := ex.ExecContext(ctx, args)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				conflicts = append(conflicts, i)
			}
		}
		return nil
	})
	return conflicts, err == nil, err
}
