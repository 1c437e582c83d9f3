// Package sqlite opens settle's embedded default store: SQLite through
// github.com/mattn/go-sqlite3 (cgo), in WAL mode, with its migrations.
//
// Why the cgo driver: the pure-Go modernc.org/sqlite loaded 1M invoices in
// 30.9 s where native sqlite3 took 15.8 s (1.96×); mattn took 22.1 s
// (1.40×), within the 1.5× ingest target (docs/architecture.md).
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

	sqlite3 "github.com/mattn/go-sqlite3"
	"github.com/pressly/goose/v3"

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
	q.Set("_foreign_keys", "1")
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_synchronous", "NORMAL")
	q.Set("_cache_size", "-32768")
	q.Set("_txlock", "immediate")
	dsn := "file:" + escapePath(path) + "?" + q.Encode()
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Keep every connection: opening an SQLite connection (and preparing
	// its statements again) costs far more than a query; database/sql
	// would otherwise keep only 2 idle.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	// Readers get their own pool: DEFERRED transactions on query-only
	// connections, which in WAL mode read a snapshot while the writer works.
	q.Set("_txlock", "deferred")
	q.Set("_query_only", "true")
	rdb, err := sql.Open(driverName, "file:"+escapePath(path)+"?"+q.Encode())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	rdb.SetMaxOpenConns(8)
	rdb.SetMaxIdleConns(8)
	return sqldb.New(db, dialect{}, now).WithReader(rdb), nil
}

// driverName is mattn's driver with memory-mapped reads on every
// connection: a page the cache misses is read from the mapping rather than
// by a system call, which halved the daily run's reads on a 1 GB book
// (1M invoices). The mapping is address space, not memory: the OS pages
// the file in and out as it likes.
const driverName = "sqlite3_settle"

// MmapSize is the most of the database file memory-mapped (bytes).
const MmapSize = 8 << 30

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec(fmt.Sprintf("PRAGMA mmap_size = %d", MmapSize), nil)
		return err
	}})
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
func (dialect) PrepareInTx() bool      { return true }
func (dialect) SingleWriter() bool     { return true }

// IsTransient implements sqldb.Dialect: SQLite runs one writer at a
// time and has no deadlocks to retry.
func (dialect) IsTransient(error) bool { return false }

func (dialect) IsUniqueViolation(err error) bool {
	var e sqlite3.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.ExtendedCode == sqlite3.ErrConstraintUnique || e.ExtendedCode == sqlite3.ErrConstraintPrimaryKey
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
