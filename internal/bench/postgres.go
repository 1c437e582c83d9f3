package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// rawPostgresSchema is the raw engine's table: the CSV's columns with what
// settle's invoices table maintains for every row — a primary key, a
// unique number, an index and a foreign key on the customer, and the
// amount check.
const rawPostgresSchema = `
CREATE TABLE customers_raw (
    external_ref TEXT PRIMARY KEY,
    name         TEXT NOT NULL
);
CREATE TABLE invoices_raw (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,
    customer_ref TEXT NOT NULL REFERENCES customers_raw (external_ref),
    issue_date   DATE NOT NULL,
    due_date     DATE NOT NULL,
    currency     TEXT NOT NULL,
    amount       NUMERIC(20, 2) NOT NULL CHECK (amount > 0)
);
CREATE INDEX invoices_raw_customer ON invoices_raw (customer_ref);
`

func runPostgres(ctx context.Context, opt Options, data *Data, rep *Report) error {
	if opt.Postgres == "" {
		rep.note("postgres: skipped: no server given (--postgres, or env SETTLE_BENCH_POSTGRES or SETTLE_TEST_POSTGRES)")
		return nil
	}
	server, err := url.Parse(opt.Postgres)
	if err != nil || (server.Scheme != "postgres" && server.Scheme != "postgresql") {
		rep.note("postgres: skipped: the server DSN must be a postgres:// URL")
		return nil
	}
	admin, err := sql.Open("pgx", opt.Postgres)
	if err != nil {
		rep.note("postgres: skipped: %v", err)
		return nil
	}
	defer admin.Close()
	if err := admin.PingContext(ctx); err != nil {
		rep.note("postgres: skipped: cannot connect to the server: %s", oneLine(err))
		return nil
	}

	// A fresh database for this run, dropped at the end.
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "settle_bench_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		rep.note("postgres: skipped: cannot create a database for the run: %s", oneLine(err))
		return nil
	}
	fmt.Fprintf(opt.Log, "postgres: created database %s\n", name)
	if opt.Keep {
		rep.note("postgres: database %s kept", name)
	} else {
		defer func() {
			_, _ = admin.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		}()
	}
	u := *server
	u.Path = "/" + name
	dsn := u.String()

	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	if err := settleCustomers(ctx, opt, "postgres", dsn, data); err != nil {
		return err
	}
	checkpoint(ctx, db)
	res, err := settleInvoices(ctx, opt, "postgres", dsn, data)
	if err != nil {
		return err
	}
	rep.add(res)

	psql, err := exec.LookPath("psql")
	if err != nil {
		rep.note("postgres: raw path skipped: the psql command is not installed")
		rep.judge("postgres")
		return nil
	}
	raw, err := rawPostgres(ctx, opt, psql, db, dsn, data)
	if err != nil {
		return err
	}
	rep.add(raw)
	same, err := rawPostgresSameRows(ctx, opt, psql, admin, server, dsn, data)
	if err != nil {
		return err
	}
	rep.add(same)
	rep.judge("postgres")
	return nil
}

// rawPostgresSameRows times psql's \copy loading the rows settle stored
// into a fresh database with settle's schema and customers (set up
// untimed; the database is dropped afterwards).
func rawPostgresSameRows(ctx context.Context, opt Options, psql string, admin *sql.DB, server *url.URL, settleDSN string, data *Data) (Result, error) {
	rows := filepath.Join(data.Dir, "settle-rows.csv")
	custs := filepath.Join(data.Dir, "settle-customers.csv")
	if strings.ContainsAny(data.Dir, "'\n") {
		return Result{}, fmt.Errorf("cannot pass the path %q to psql: use a --dir without quotes", data.Dir)
	}
	defer os.Remove(rows)
	defer os.Remove(custs)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "settle_bench_same_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return Result{}, fmt.Errorf("create a database for raw-same: %w", err)
	}
	defer func() {
		_, _ = admin.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}()
	u := *server
	u.Path = "/" + name
	dsn := u.String()
	fmt.Fprintf(opt.Log, "postgres: raw-same: exporting settle's rows and copying its schema and customers (not timed)\n")
	psqlRun := func(dsn, script string) (proc, error) {
		cmd := exec.CommandContext(ctx, psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn)
		cmd.Stdin = strings.NewReader(script)
		_, p, err := run(cmd)
		return p, err
	}
	if _, err := psqlRun(settleDSN, "\\copy invoices TO '"+rows+"' WITH (FORMAT csv)\n\\copy customers TO '"+custs+"' WITH (FORMAT csv)\n"); err != nil {
		return Result{}, err
	}
	if err := migrateChild(ctx, opt, dsn); err != nil {
		return Result{}, err
	}
	if _, err := psqlRun(dsn, "\\copy customers FROM '"+custs+"' WITH (FORMAT csv)\nCHECKPOINT;\n"); err != nil {
		return Result{}, err
	}
	fmt.Fprintf(opt.Log, "postgres: raw-same: psql \\copy of settle's %d rows\n", data.Invoices)
	p, err := psqlRun(dsn, "BEGIN;\n\\copy invoices FROM '"+rows+"' WITH (FORMAT csv)\nCOMMIT;\n")
	if err != nil {
		return Result{}, err
	}
	fmt.Fprintf(opt.Log, "postgres: raw-same: %.2f s, peak RSS %.1f MB\n", p.Seconds, p.PeakRSSMB)
	return Result{Engine: "postgres", Path: "raw-same", Rows: data.Invoices, Seconds: p.Seconds, PeakRSSMB: p.PeakRSSMB}, nil
}

// rawPostgres loads the invoices with psql's \copy in one transaction into
// an equivalent table. The customers are copied from settle's table (not
// timed).
func rawPostgres(ctx context.Context, opt Options, psql string, db *sql.DB, dsn string, data *Data) (Result, error) {
	if strings.ContainsAny(data.InvoiceFile, "'\n") {
		return Result{}, fmt.Errorf("cannot pass the path %q to psql: use a --dir without quotes", data.InvoiceFile)
	}
	fmt.Fprintf(opt.Log, "postgres: raw: creating the table and loading %d customers (not timed)\n", data.Customers)
	if _, err := db.ExecContext(ctx, rawPostgresSchema); err != nil {
		return Result{}, fmt.Errorf("create the raw table: %w", err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO customers_raw (external_ref, name) SELECT external_ref, name FROM customers"); err != nil {
		return Result{}, fmt.Errorf("load the raw customers: %w", err)
	}
	checkpoint(ctx, db)

	fmt.Fprintf(opt.Log, "postgres: raw: psql \\copy of %d invoices\n", data.Invoices)
	script := "BEGIN;\n\\copy invoices_raw (number, customer_ref, issue_date, due_date, currency, amount) FROM '" +
		data.InvoiceFile + "' WITH (FORMAT csv, HEADER true)\nCOMMIT;\n"
	cmd := exec.CommandContext(ctx, psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn)
	cmd.Stdin = strings.NewReader(script)
	cmd.Env = append(os.Environ(), "PGAPPNAME=settle-bench-raw")
	_, p, err := run(cmd)
	if err != nil {
		return Result{}, fmt.Errorf("psql: %w", err)
	}

	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM invoices_raw").Scan(&n); err != nil {
		return Result{}, err
	}
	if n != data.Invoices {
		return Result{}, fmt.Errorf("psql \\copy loaded %d rows, want %d", n, data.Invoices)
	}
	fmt.Fprintf(opt.Log, "postgres: raw: %.2f s, peak RSS %.1f MB\n", p.Seconds, p.PeakRSSMB)
	return Result{Engine: "postgres", Path: "raw", Rows: n, Seconds: p.Seconds, PeakRSSMB: p.PeakRSSMB}, nil
}

// checkpoint flushes the server's dirty buffers so that neither load pays
// for the other's writes. It needs superuser (or pg_checkpoint); without
// it the loads run as they are.
func checkpoint(ctx context.Context, db *sql.DB) {
	_, _ = db.ExecContext(ctx, "CHECKPOINT")
}

func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", " ")
}
