package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// rawSQLiteSchema is the raw engine's table: the CSV's columns with what
// settle's invoices table maintains for every row — a primary key (settle:
// a text id in insertion order; here the rowid plus a unique text key in
// insertion order, 'inv_' || number, since the CSV has no id column), a
// unique number, an index and a foreign key on the customer, and the
// amount check. WAL like settle; synchronous=NORMAL is set per connection.
const rawSQLiteSchema = `PRAGMA journal_mode=WAL;
CREATE TABLE customers_raw (
    external_ref TEXT PRIMARY KEY,
    name         TEXT NOT NULL
);
CREATE TABLE invoices_raw (
    number       TEXT NOT NULL UNIQUE,
    customer_ref TEXT NOT NULL REFERENCES customers_raw (external_ref),
    issue_date   DATE NOT NULL,
    due_date     DATE NOT NULL,
    currency     TEXT NOT NULL,
    amount       NUMERIC NOT NULL CHECK (amount > 0)
);
CREATE UNIQUE INDEX invoices_raw_pk ON invoices_raw ('inv_' || number);
CREATE INDEX invoices_raw_customer ON invoices_raw (customer_ref);
`

func runSQLite(ctx context.Context, opt Options, data *Data, rep *Report) error {
	settleDB := filepath.Join(data.Dir, "settle-sqlite.db")
	rawDB := filepath.Join(data.Dir, "raw-sqlite.db")
	for _, p := range []string{settleDB, rawDB} {
		if err := removeSQLite(p); err != nil {
			return err
		}
	}
	dsn := "sqlite:" + settleDB
	if err := settleCustomers(ctx, opt, "sqlite", dsn, data); err != nil {
		return err
	}
	res, err := settleInvoices(ctx, opt, "sqlite", dsn, data)
	if err != nil {
		return err
	}
	rep.add(res)

	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		rep.note("sqlite: raw path skipped: the sqlite3 command is not installed")
		rep.judge("sqlite")
		return nil
	}
	raw, err := rawSQLite(ctx, opt, sqlite3, rawDB, data)
	if err != nil {
		return err
	}
	rep.add(raw)
	same, err := rawSQLiteSameRows(ctx, opt, sqlite3, settleDB, filepath.Join(data.Dir, "same-sqlite.db"), data)
	if err != nil {
		return err
	}
	rep.add(same)
	rep.judge("sqlite")
	return nil
}

// rawSQLiteSameRows times sqlite3 loading the rows settle stored into a
// fresh database with settle's schema and customers (set up untimed).
func rawSQLiteSameRows(ctx context.Context, opt Options, sqlite3, settleDB, db string, data *Data) (Result, error) {
	rows := filepath.Join(data.Dir, "settle-rows.csv")
	for _, f := range []string{rows, settleDB} {
		if strings.ContainsAny(f, "'\n") {
			return Result{}, fmt.Errorf("cannot pass the path %q to sqlite3: use a --dir without quotes", f)
		}
	}
	if err := removeSQLite(db); err != nil {
		return Result{}, err
	}
	fmt.Fprintf(opt.Log, "sqlite: raw-same: exporting settle's rows and copying its schema and customers (not timed)\n")
	if _, _, err := sqliteScript(ctx, sqlite3, settleDB, ".mode csv\n.headers off\n.output '"+rows+"'\nSELECT * FROM invoices;\n"); err != nil {
		return Result{}, err
	}
	defer os.Remove(rows)
	if err := migrateChild(ctx, opt, "sqlite:"+db); err != nil {
		return Result{}, err
	}
	if _, _, err := sqliteScript(ctx, sqlite3, db, "ATTACH '"+settleDB+"' AS s;\nINSERT INTO customers SELECT * FROM s.customers;\n"); err != nil {
		return Result{}, err
	}
	fmt.Fprintf(opt.Log, "sqlite: raw-same: sqlite3 .import of settle's %d rows\n", data.Invoices)
	load := "PRAGMA foreign_keys=ON;\nPRAGMA synchronous=NORMAL;\nPRAGMA cache_size=-32768;\n.bail on\n.mode csv\nBEGIN;\n" +
		".import '" + rows + "' invoices\nCOMMIT;\n"
	_, p, err := sqliteScript(ctx, sqlite3, db, load)
	if err != nil {
		return Result{}, err
	}
	out, _, err := sqliteScript(ctx, sqlite3, db, "SELECT count(*) FROM invoices;\n")
	if err != nil {
		return Result{}, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || n != data.Invoices {
		return Result{}, fmt.Errorf("sqlite3 .import of settle's rows loaded %q, want %d", strings.TrimSpace(string(out)), data.Invoices)
	}
	fmt.Fprintf(opt.Log, "sqlite: raw-same: %.2f s, peak RSS %.1f MB\n", p.Seconds, p.PeakRSSMB)
	return Result{Engine: "sqlite", Path: "raw-same", Rows: n, Seconds: p.Seconds, PeakRSSMB: p.PeakRSSMB}, nil
}

// removeSQLite deletes a database file left by an earlier run in --dir.
func removeSQLite(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

// rawSQLite loads the invoices with `sqlite3 .import` in one transaction
// (customers first, not timed).
func rawSQLite(ctx context.Context, opt Options, sqlite3, db string, data *Data) (Result, error) {
	for _, f := range []string{data.CustomerFile, data.InvoiceFile} {
		if strings.ContainsAny(f, "'\n") {
			return Result{}, fmt.Errorf("cannot pass the path %q to sqlite3: use a --dir without quotes", f)
		}
	}
	fmt.Fprintf(opt.Log, "sqlite: raw: creating the table and loading %d customers (not timed)\n", data.Customers)
	setup := rawSQLiteSchema + ".bail on\n.mode csv\n.import --skip 1 '" + data.CustomerFile + "' customers_raw\n"
	if _, _, err := sqliteScript(ctx, sqlite3, db, setup); err != nil {
		return Result{}, err
	}

	fmt.Fprintf(opt.Log, "sqlite: raw: sqlite3 .import of %d invoices\n", data.Invoices)
	// The same connection settings as settle's SQLite store (sqlite.Open),
	// page cache included, so that the comparison is of the work alone.
	load := "PRAGMA foreign_keys=ON;\nPRAGMA synchronous=NORMAL;\nPRAGMA cache_size=-32768;\n.bail on\n.mode csv\nBEGIN;\n" +
		".import --skip 1 '" + data.InvoiceFile + "' invoices_raw\nCOMMIT;\n"
	_, p, err := sqliteScript(ctx, sqlite3, db, load)
	if err != nil {
		return Result{}, err
	}

	out, _, err := sqliteScript(ctx, sqlite3, db, "SELECT count(*) FROM invoices_raw;\n")
	if err != nil {
		return Result{}, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || n != data.Invoices {
		return Result{}, fmt.Errorf("sqlite3 .import loaded %q rows, want %d", strings.TrimSpace(string(out)), data.Invoices)
	}
	fmt.Fprintf(opt.Log, "sqlite: raw: %.2f s, peak RSS %.1f MB\n", p.Seconds, p.PeakRSSMB)
	return Result{Engine: "sqlite", Path: "raw", Rows: n, Seconds: p.Seconds, PeakRSSMB: p.PeakRSSMB}, nil
}

// sqliteScript runs sqlite3 on db with script on its standard input.
func sqliteScript(ctx context.Context, sqlite3, db, script string) ([]byte, proc, error) {
	cmd := exec.CommandContext(ctx, sqlite3, "-batch", "-bail", db)
	cmd.Stdin = strings.NewReader(script)
	out, p, err := run(cmd)
	if err != nil {
		return nil, p, fmt.Errorf("sqlite3: %w", err)
	}
	return out, p, nil
}
