// Package sqldb implements store.Store over database/sql for both engines.
// Queries are written once with '?' placeholders; the dialect rebinds them
// and supplies the few engine-specific pieces (bulk load, error codes).
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"settle/internal/apperr"
	"settle/internal/store"
)

// Dialect is what differs between engines.
type Dialect interface {
	Engine() string
	// Rebind turns '?' placeholders into the engine's own.
	Rebind(query string) string
	// IsUniqueViolation reports a unique-constraint failure.
	IsUniqueViolation(err error) bool
	// IsTransient reports a failure that running the whole transaction
	// again can cure (PostgreSQL: a deadlock the server broke, or a
	// serialization failure).
	IsTransient(err error) bool
	// PrepareInTx says whether a transaction should keep its statements
	// prepared (SQLite: database/sql would re-prepare each one on every
	// call) or leave that to the driver (pgx caches them per connection).
	PrepareInTx() bool
	// SingleWriter says the engine runs one write transaction at a time
	// (SQLite): the store then queues its transactions on a mutex instead
	// of letting them spin on the database lock (busy_timeout sleeps in
	// growing steps, which wrecks latency under concurrent requests).
	SingleWriter() bool
	// BulkInvoices is the engine's fast path for loading a batch of
	// invoice rows (columns as InvoiceColumns). It returns the indexes of
	// rows not inserted because their number exists, or handled=false,
	// with nothing written, when the batch must take the generic
	// multi-row INSERT path.
	BulkInvoices(ctx context.Context, t *Tx, rows [][]any) (conflicts []int, handled bool, err error)
}

// DB is a store.Store.
type DB struct {
	db      *sql.DB
	rdb     *sql.DB // read-only pool for ReadTx (SQLite: deferred, query_only); nil: db
	dialect Dialect
	now     func() time.Time
	queries map[string]string
	writer  sync.Mutex // held for each transaction when the dialect is SingleWriter

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // prepared once per database; database/sql prepares each on a connection once
}

// maxDBStmts bounds the database-level statement cache (queries whose
// text varies, like bulk inserts, stay per transaction beyond it).
const maxDBStmts = 256

// dbStmt returns q prepared at the database level, or nil when the cache
// is full.
func (s *DB) dbStmt(ctx context.Context, q string) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.stmts[q]; ok {
		return st, nil
	}
	if len(s.stmts) >= maxDBStmts {
		return nil, nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	s.stmts[q] = st
	return st, nil
}

// New wraps an open, migrated database.
func New(db *sql.DB, d Dialect, now func() time.Time) *DB {
	if now == nil {
		now = time.Now
	}
	return &DB{db: db, dialect: d, now: now, queries: map[string]string{}}
}

// WithReader gives the store a separate pool for read-only transactions
// (SQLite: connections that begin DEFERRED, so that readers never queue
// behind the writer).
func (s *DB) WithReader(r *sql.DB) *DB {
	s.rdb = r
	return s
}

// ReadTx implements store.Store: a read-only transaction that does not
// queue behind writers.
func (s *DB) ReadTx(ctx context.Context, fn func(store.Tx) error) error {
	if s.rdb == nil {
		if s.dialect.SingleWriter() {
			return s.Tx(ctx, fn)
		}
		return s.run(ctx, s.db, &sql.TxOptions{ReadOnly: true}, false, fn)
	}
	// Statements are not kept: the cache holds statements of the write pool.
	return s.run(ctx, s.rdb, &sql.TxOptions{ReadOnly: true}, false, fn)
}

// Analyze implements store.Store.
func (s *DB) Analyze(ctx context.Context, tables ...string) error {
	if s.dialect.Engine() != "postgres" || len(tables) == 0 {
		return nil
	}
	for _, t := range tables {
		if !analyzable[t] {
			return fmt.Errorf("store: Analyze: unknown table %q", t)
		}
	}
	_, err := s.db.ExecContext(ctx, "ANALYZE "+strings.Join(tables, ", "))
	return err
}

// analyzable are the tables Analyze accepts (its names go into SQL).
var analyzable = map[string]bool{"customers": true, "invoices": true, "payments": true, "allocations": true,
	"collection_steps": true, "messages": true, "tasks": true, "run_customers": true}

// SQL returns the underlying handle (for tests and tools).
func (s *DB) SQL() *sql.DB { return s.db }

// Engine implements store.Store.
func (s *DB) Engine() string { return s.dialect.Engine() }

// Close implements store.Store.
func (s *DB) Close() error {
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	s.stmtMu.Unlock()
	if s.rdb != nil {
		s.rdb.Close()
	}
	return s.db.Close()
}

// Ping implements store.Store.
func (s *DB) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// SchemaVersion implements store.Store.
func (s *DB) SchemaVersion(ctx context.Context) (int64, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, "SELECT MAX(version_id) FROM goose_db_version WHERE is_applied").Scan(&v)
	return v.Int64, err
}

// Tx implements store.Store. The transaction runs on a dedicated
// connection so that a dialect can reach the driver (PostgreSQL COPY).
func (s *DB) Tx(ctx context.Context, fn func(store.Tx) error) (err error) {
	if s.dialect.SingleWriter() {
		s.writer.Lock()
		defer s.writer.Unlock()
	}
	if actor, key, ok := store.IdempotencyKeyOf(ctx); ok {
		// The request holds an Idempotency-Key: what this transaction
		// writes and the key's "executed" mark commit together.
		use := fn
		fn = func(tx store.Tx) error {
			if err := use(tx); err != nil {
				return err
			}
			_, err := tx.(*Tx).Exec(ctx, `UPDATE idempotency_keys SET status = ? WHERE actor = ? AND key = ? AND status = 0`,
				store.IdempotencyExecuted, actor, key)
			return err
		}
	}
	for attempt := 1; ; attempt++ {
		err = s.run(ctx, s.db, nil, s.dialect.PrepareInTx(), fn)
		if err == nil || attempt == maxTxAttempts || !s.dialect.IsTransient(err) || ctx.Err() != nil {
			return err
		}
	}
}

// maxTxAttempts bounds how often a transaction the database broke off
// (deadlock, serialization failure) is run again. Every use case runs in
// one transaction whose function only reads and writes through it (and
// sets its results), so running it again is safe.
const maxTxAttempts = 3

// run runs fn in one transaction on a connection of pool: committed when
// fn returns nil, rolled back otherwise and on panic.
func (s *DB) run(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, keepStmts bool, fn func(store.Tx) error) error {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: connect: %w", err)
	}
	defer conn.Close()
	sqltx, err := conn.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	t := &Tx{s: s, tx: sqltx, conn: conn, now: s.now().UTC()}
	if keepStmts {
		t.stmts = map[string]*sql.Stmt{}
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqltx.Rollback()
			panic(p)
		}
	}()
	if err := fn(t); err != nil {
		_ = sqltx.Rollback()
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// Tx is one transaction; it implements store.Tx.
type Tx struct {
	s     *DB
	tx    *sql.Tx
	conn  *sql.Conn
	now   time.Time
	stmts map[string]*sql.Stmt // prepared in this transaction; closed with it
	woken map[string]bool      // customers this transaction has woken already (wakeInserted)
}

// maxStmts bounds a transaction's prepared statements (bulk helpers build
// queries whose text varies with the batch size).
const maxStmts = 64

// stmt returns q prepared in the transaction, or nil when statements are
// not kept (the caller then runs q directly).
func (t *Tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if t.stmts == nil {
		return nil, nil
	}
	if st, ok := t.stmts[q]; ok {
		return st, nil
	}
	if len(t.stmts) >= maxStmts {
		return nil, nil
	}
	// A statement prepared for the database is prepared once on each
	// connection and reused by later transactions on it.
	dbst, err := t.s.dbStmt(ctx, q)
	if err != nil {
		return nil, err
	}
	var st *sql.Stmt
	if dbst != nil {
		st = t.tx.StmtContext(ctx, dbst)
	} else if st, err = t.tx.PrepareContext(ctx, q); err != nil {
		return nil, err
	}
	t.stmts[q] = st
	return st, nil
}

// Now implements store.Tx.
func (t *Tx) Now() time.Time { return t.now }

// Conn is the transaction's connection (for dialect fast paths).
func (t *Tx) Conn() *sql.Conn { return t.conn }

// Exec runs a statement written with '?' placeholders.
func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	q = t.s.rebind(q)
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, q, args...)
}

func (t *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	q = t.s.rebind(q)
	st, err := t.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, q, args...)
}

func (t *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	q = t.s.rebind(q)
	if st, err := t.stmt(ctx, q); err == nil && st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	// Without a kept statement (or if preparing failed, which running the
	// query will report again), run it directly.
	return t.tx.QueryRowContext(ctx, q, args...)
}

// rebind caches the dialect's rewrite of each query text. Queries are
// built from constants, so the cache stays small; it is only written from
// transactions, which database/sql runs one per goroutine, hence the lock.
func (s *DB) rebind(q string) string {
	if s.dialect.Engine() == "sqlite" {
		return q
	}
	rebindMu.Lock()
	defer rebindMu.Unlock()
	if r, ok := s.queries[q]; ok {
		return r
	}
	r := s.dialect.Rebind(q)
	if len(s.queries) < 10000 {
		s.queries[q] = r
	}
	return r
}

// RebindDollar rewrites '?' to $1, $2, … (PostgreSQL).
func RebindDollar(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

var rebindMu sync.Mutex

// skipLocked is the suffix of a claim query: on PostgreSQL rows another
// transaction holds are skipped (two workers never claim the same row);
// SQLite has one writer at a time and needs none.
func (t *Tx) skipLocked() string {
	if t.s.dialect.Engine() == "postgres" {
		return ` FOR UPDATE SKIP LOCKED`
	}
	return ""
}

// textDates is a select list of cols with the DATE columns among dates
// read as text on SQLite. civil.Date scans text; the mattn driver turns a
// DATE column into a time.Time by trying nine layouts, the date-only one
// last, which made reading an invoice cost twice what it needs to.
func (t *Tx) textDates(cols []string, dates ...string) string {
	if t.s.dialect.Engine() == "postgres" {
		return strings.Join(cols, ", ")
	}
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c
		if slices.Contains(dates, c) {
			out[i] = "CAST(" + c + " AS TEXT) AS " + c
		}
	}
	return strings.Join(out, ", ")
}

// cast types an expression for PostgreSQL, whose VALUES lists take their
// parameters as text; SQLite compares the stored text as it is (a CAST to
// DATE there would turn '2026-01-31' into the number 2026).
func (t *Tx) cast(expr, typ string) string {
	if t.s.dialect.Engine() == "postgres" {
		return "CAST(" + expr + " AS " + typ + ")"
	}
	return expr
}

func notFound(what, id string) error {
	return apperr.Errorf(apperr.NotFound, "%s %q not found", what, id)
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// execCount runs a statement and returns how many rows it changed.
func (t *Tx) execCount(ctx context.Context, q string, args ...any) (int, error) {
	res, err := t.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func limitOf(p store.Page) int {
	switch {
	case p.Limit <= 0:
		return 50
	case p.Limit > 500:
		return 500
	default:
		return p.Limit
	}
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

type scanner interface{ Scan(...any) error }

// page reads a list query run with LIMIT limit+1: it returns up to limit
// items and, when there was one more, the id to continue after.
func page[T any](rows *sql.Rows, limit int, scan func(scanner) (T, error), id func(T) string) ([]T, string, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = id(out[limit-1])
	}
	return out, next, nil
}

// conds collects a list query's WHERE conditions and their arguments.
type conds struct {
	where []string
	args  []any
}

// eq adds "col = v" unless v is empty (an unset filter).
func (c *conds) eq(col, v string) {
	if v != "" {
		c.where, c.args = append(c.where, col+" = ?"), append(c.args, v)
	}
}

// contains adds "any of cols contains v" (ASCII case folded; LIKE's
// wildcards in v escaped) unless v is empty.
func (c *conds) contains(v string, cols ...string) {
	if v == "" {
		return
	}
	pat := "%" + likeEscaper.Replace(asciiLower(v)) + "%"
	var ors []string
	for _, col := range cols {
		ors = append(ors, "LOWER("+col+`) LIKE ? ESCAPE '\'`)
		c.args = append(c.args, pat)
	}
	c.where = append(c.where, "("+strings.Join(ors, " OR ")+")")
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// asciiLower lower-cases ASCII letters only, as SQLite's LOWER does (so
// both engines match alike).
func asciiLower(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if 'A' <= ch && ch <= 'Z' {
			b[i] = ch + 'a' - 'A'
		}
	}
	return string(b)
}

// listRows runs one page of a list: SELECT cols FROM table, filtered by c
// and after the page's cursor, in id order, one row more than the limit
// (page uses it to tell whether a next page exists).
func (t *Tx) listRows(ctx context.Context, cols, table string, p store.Page, c conds) (*sql.Rows, int, error) {
	if p.Cursor != "" {
		c.where, c.args = append(c.where, "id > ?"), append(c.args, p.Cursor)
	}
	limit := limitOf(p)
	rows, err := t.query(ctx, `SELECT `+cols+` FROM `+table+whereClause(c.where)+` ORDER BY id LIMIT ?`, append(c.args, limit+1)...)
	return rows, limit, err
}
