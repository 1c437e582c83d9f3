// Package postgres opens settle's scale store: PostgreSQL through pgx
// (database/sql adapter), with its migrations and a COPY fast path for
// bulk invoice loads.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"settle/internal/civil"
	"settle/internal/store/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open connects to the database at dsn (a postgres:// URL or key=value
// string) and applies pending migrations. now is the clock (nil: time.Now).
func Open(ctx context.Context, dsn string, now func() time.Time) (*sqldb.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return sqldb.New(db, dialect{}, now), nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	// Several instances may start at once: goose takes a session lock.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(locker))
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

type dialect struct{}

func (dialect) Engine() string         { return "postgres" }
func (dialect) Rebind(q string) string { return sqldb.RebindDollar(q) }
func (dialect) PrepareInTx() bool      { return false }
func (dialect) SingleWriter() bool     { return false }

func (dialect) IsUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// IsTransient implements sqldb.Dialect: 40P01 deadlock_detected, 40001
// serialization_failure.
func (dialect) IsTransient(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "40P01" || e.Code == "40001")
}

// copyMin is the batch size from which COPY beats a multi-row INSERT.
const copyMin = 256

// BulkInvoices loads a batch with COPY inside a savepoint. COPY cannot skip
// conflicting rows, so on a duplicate number it rolls back to the
// savepoint and lets the generic path find and report the conflicts.
func (d dialect) BulkInvoices(ctx context.Context, t *sqldb.Tx, rows [][]any) ([]int, bool, error) {
	if len(rows) < copyMin {
		return nil, false, nil
	}
	for _, r := range rows {
		for i, v := range r {
			if dt, ok := v.(civil.Date); ok {
				if dt.IsZero() {
					r[i] = nil
				} else {
					r[i] = time.Date(dt.Year, dt.Month, dt.Day, 0, 0, 0, 0, time.UTC)
				}
			}
		}
	}
	if _, err := t.Exec(ctx, "SAVEPOINT bulk_invoices"); err != nil {
		return nil, false, err
	}
	err := t.Conn().Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres: unexpected driver connection %T", dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{"invoices"}, sqldb.InvoiceColumns, pgx.CopyFromRows(rows))
		return err
	})
	if d.IsUniqueViolation(err) {
		_, rerr := t.Exec(ctx, "ROLLBACK TO SAVEPOINT bulk_invoices")
		return nil, false, rerr
	}
	if err != nil {
		return nil, false, err
	}
	_, err = t.Exec(ctx, "RELEASE SAVEPOINT bulk_invoices")
	return nil, err == nil, err
}
