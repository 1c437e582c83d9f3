package cli_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // driver "sqlite3", to read files as they are

	"settle/internal/cli"
	"settle/internal/service"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
)

// keyTables are compared row by row between a source and its copies.
var keyTables = []string{"customers", "invoices", "payments", "allocations", "audit_log", "goose_db_version"}

// runIn runs the CLI in this process.
func runIn(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Main(t.Context(), args, &out, &errb)
	return out.String(), errb.String(), code
}

// rawDB opens an SQLite file read-only with the plain driver.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// snapshot returns each key table's row count and a hash of every row,
// all read in one transaction.
func snapshot(t *testing.T, db *sql.DB) (map[string]int, string) {
	t.Helper()
	tx, err := db.BeginTx(t.Context(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	counts := map[string]int{}
	h := sha256.New()
	for _, table := range keyTables {
		rows, err := tx.Query("SELECT * FROM " + table + " ORDER BY rowid")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			counts[table]++
			fmt.Fprintf(h, "%s %q\n", table, vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return counts, hex.EncodeToString(h.Sum(nil))
}

// checkConsistent fails unless the database is whole and its tables
// agree with one another as they do after every committed transaction.
func checkConsistent(t *testing.T, db *sql.DB, name string) {
	t.Helper()
	var ok string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("%s: integrity_check = %q, %v", name, ok, err)
	}
	var fk int
	if err := db.QueryRow("SELECT COUNT(*) FROM pragma_foreign_key_check").Scan(&fk); err != nil || fk != 0 {
		t.Fatalf("%s: %d foreign key violations (%v): an allocation or invoice without its parent", name, fk, err)
	}
	// Every invoice was created with its audit row in one transaction.
	var inv, audited int
	db.QueryRow("SELECT COUNT(*) FROM invoices").Scan(&inv)
	db.QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'invoice.create'").Scan(&audited)
	if inv != audited {
		t.Fatalf("%s: %d invoices but %d invoice.create audit rows: not one moment", name, inv, audited)
	}
	// A payment is its allocations plus what is left unapplied.
	var bad int
	err := db.QueryRow(`SELECT COUNT(*) FROM payments p WHERE p.amount_minor !=
		p.unapplied_minor + COALESCE((SELECT SUM(a.amount_minor) FROM allocations a WHERE a.payment_id = p.id), 0)`).Scan(&bad)
	if err != nil || bad != 0 {
		t.Fatalf("%s: %d payments whose allocations and unapplied part do not add up (%v)", name, bad, err)
	}
	// The payments' sum is what the invoices' balances went down by
	// (allocations only go to invoices).
	var paid, reduced int64
	db.QueryRow("SELECT COALESCE(SUM(amount_minor - unapplied_minor), 0) FROM payments").Scan(&paid)
	db.QueryRow("SELECT COALESCE(SUM(amount_minor - balance_minor), 0) FROM invoices").Scan(&reduced)
	if paid != reduced {
		t.Fatalf("%s: payments applied %d, invoices reduced by %d", name, paid, reduced)
	}
}

// addBusiness adds a customer with n invoices and a payment on each.
func addBusiness(ctx context.Context, svc *service.Service, tag string, n int) error {
	c, err := svc.CreateCustomer(ctx, service.CustomerInput{Name: "Customer " + tag, ExternalRef: "C-" + tag})
	if err != nil {
		return err
	}
	for i := range n {
		inv, err := svc.CreateInvoice(ctx, service.InvoiceInput{
			Number: fmt.Sprintf("INV-%s-%d", tag, i), CustomerID: c.ID,
			IssueDate: "2026-03-01", Currency: "EUR", Amount: fmt.Sprintf("%d.50", 100+i),
		})
		if err != nil {
			return err
		}
		if _, err := svc.RecordPayment(ctx, service.PaymentInput{
			CustomerID: c.ID, ReceivedOn: "2026-04-01", Currency: "EUR", Amount: "40.00", InvoiceID: inv.ID,
		}); err != nil {
			return err
		}
	}
	return nil
}

// TestBackupRestore_RoundTrip backs a database up while another
// goroutine keeps writing to it, checks the copy is one consistent
// moment, restores it, and compares a quiet backup's restore with the
// source row by row.
func TestBackupRestore_RoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "live.db")
	st, err := sqlite.Open(t.Context(), src, testutil.Clock)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := service.New(st, testutil.Clock)
	ctx := testutil.Admin(t.Context())
	for i := range 20 {
		if err := addBusiness(ctx, svc, fmt.Sprint("seed", i), 10); err != nil {
			t.Fatal(err)
		}
	}
	liveDB := rawDB(t, src)
	before, _ := snapshot(t, liveDB)

	// A writer keeps adding customers, invoices and payments.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written atomic.Int64
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := addBusiness(ctx, svc, fmt.Sprint("w", i), 2); err != nil {
				writeErr = err
				return
			}
			written.Add(1)
		}
	}()
	for written.Load() < 3 { // the writer is under way
		time.Sleep(time.Millisecond)
	}
	backup := filepath.Join(dir, "backup.db")
	start := time.Now()
	out, errOut, code := runIn(t, "--db", "sqlite:"+src, "backup", backup)
	took := time.Since(start)
	duringBackup := written.Load()
	for written.Load() < duringBackup+3 { // and carries on after
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writer: %v", writeErr)
	}
	if code != 0 {
		t.Fatalf("backup: exit %d: %s", code, errOut)
	}
	fi, _ := os.Stat(backup)
	t.Logf("backup of %s in %v while writing: %d bytes; %s", src, took, fi.Size(), strings.TrimSpace(out))
	if want := fmt.Sprintf("wrote %s (%d bytes, schema version %d)", backup, fi.Size(), sqlite.LatestVersion()); !strings.Contains(out, want) {
		t.Errorf("backup said %q, want %q", out, want)
	}
	after, _ := snapshot(t, liveDB)
	backupDB := rawDB(t, backup)
	checkConsistent(t, backupDB, "backup")
	got, backupHash := snapshot(t, backupDB)
	for _, table := range []string{"customers", "invoices", "payments"} {
		if got[table] < before[table] || got[table] > after[table] {
			t.Errorf("backup has %d %s, want between %d (before) and %d (after)", got[table], table, before[table], after[table])
		}
	}
	if got["invoices"] == before["invoices"] {
		t.Errorf("backup has no row the writer added (%d invoices): the test did not back up during writes", got["invoices"])
	}
	if _, err := os.Stat(backup + "-wal"); err == nil {
		t.Errorf("backup left %s-wal: the copy is not one file", backup)
	}

	// Restore the concurrent backup into a new path: the same rows.
	restored := filepath.Join(dir, "restored.db")
	out, errOut, code = runIn(t, "--db", "sqlite:"+restored, "restore", backup)
	if code != 0 {
		t.Fatalf("restore: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "restored "+backup+" to "+restored) {
		t.Errorf("restore said %q", out)
	}
	_, h := snapshot(t, rawDB(t, restored))
	if h != backupHash {
		t.Errorf("restored rows differ from the backup's")
	}

	// Quiet now: a backup's restore equals the source, and the store
	// opened on it works.
	quiet := filepath.Join(dir, "quiet.db")
	if _, errOut, code := runIn(t, "--db", "sqlite:"+src, "backup", quiet); code != 0 {
		t.Fatalf("backup: %s", errOut)
	}
	srcCounts, srcHash := snapshot(t, liveDB)
	restored2 := filepath.Join(dir, "restored2.db")
	if _, errOut, code := runIn(t, "--db", "sqlite:"+restored2, "restore", quiet); code != 0 {
		t.Fatalf("restore: %s", errOut)
	}
	st2, err := sqlite.Open(t.Context(), restored2, testutil.Clock)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	c2 := testutil.Counts(t, st2)
	c1 := testutil.Counts(t, st)
	for k, v := range c1 {
		if c2[k] != v {
			t.Errorf("restored %s = %d, source %d", k, c2[k], v)
		}
	}
	gotCounts, h2 := snapshot(t, rawDB(t, restored2))
	if h2 != srcHash {
		t.Errorf("restored rows differ from the source's: %v vs %v", gotCounts, srcCounts)
	}
	t.Logf("source: %v", srcCounts)
	pos, err := service.New(st2, testutil.Clock).CreateInvoice(ctx, service.InvoiceInput{
		Number: "AFTER-RESTORE", CustomerID: "C-seed0", IssueDate: "2026-05-01", Currency: "EUR", Amount: "10.00",
	})
	if err != nil || pos.Number != "AFTER-RESTORE" {
		t.Fatalf("write to the restored store: %v", err)
	}
}

// TestBackupRestore_Refusals: what backup and restore refuse, and why.
func TestBackupRestore_Refusals(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	st, err := sqlite.Open(t.Context(), src, testutil.Clock)
	if err != nil {
		t.Fatal(err)
	}
	if err := addBusiness(testutil.Admin(t.Context()), service.New(st, testutil.Clock), "x", 2); err != nil {
		t.Fatal(err)
	}
	st.Close()
	good := filepath.Join(dir, "good.db")
	if _, errOut, code := runIn(t, "--db", "sqlite:"+src, "backup", good); code != 0 {
		t.Fatal(errOut)
	}

	// Not a settle database: an SQLite file without goose's table.
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite3", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// A newer schema: a backup with a migration this binary lacks.
	newer := filepath.Join(dir, "newer.db")
	if _, errOut, code := runIn(t, "--db", "sqlite:"+src, "backup", newer); code != 0 {
		t.Fatal(errOut)
	}
	db, err = sql.Open("sqlite3", newer)
	if err != nil {
		t.Fatal(err)
	}
	next := sqlite.LatestVersion() + 1
	if _, err := db.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)", next); err != nil {
		t.Fatal(err)
	}
	db.Close()
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not a database\n", 100)), 0o600)

	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"backup over a file", []string{"--db", "sqlite:" + src, "backup", good}, good + " already exists (use --force to overwrite it)"},
		{"backup of no database", []string{"--db", "sqlite:" + filepath.Join(dir, "none.db"), "backup", filepath.Join(dir, "n.db")}, "none.db: no such file"},
		{"backup of another database", []string{"--db", "sqlite:" + other, "backup", filepath.Join(dir, "o.db")}, other + ": not a settle database (no goose_db_version table)"},
		{"backup of postgres", []string{"--db", "postgres://u@localhost/settle", "backup", filepath.Join(dir, "p.db")}, "pg_dump -Fc"},
		{"restore over data", []string{"--db", "sqlite:" + src, "restore", good}, src + " already holds data"},
		{"restore onto itself", []string{"--db", "sqlite:" + good, "restore", good}, good + " is the database itself"},
		{"restore another database", []string{"--db", "sqlite:" + filepath.Join(dir, "t1.db"), "restore", other}, other + ": not a settle database"},
		{"restore a newer schema", []string{"--db", "sqlite:" + filepath.Join(dir, "t2.db"), "restore", newer}, fmt.Sprintf("%s: schema version %d is newer than this settle's (%d)", newer, next, next-1)},
		{"restore junk", []string{"--db", "sqlite:" + filepath.Join(dir, "t3.db"), "restore", junk}, junk + ": not an SQLite database"},
		{"restore over junk", []string{"--db", "sqlite:" + junk, "restore", good}, junk + " exists and is not an SQLite database"},
		{"restore to postgres", []string{"--db", "postgresql://u@localhost/settle", "restore", good}, "pg_restore"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runIn(t, tc.args...)
			if code != 1 || !strings.Contains(errOut, tc.stderr) || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and stderr containing %q", code, out, errOut, tc.stderr)
			}
		})
	}
	for _, p := range []string{filepath.Join(dir, "t1.db"), filepath.Join(dir, "t2.db"), filepath.Join(dir, "t3.db"), filepath.Join(dir, "o.db")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("a refused command left %s behind", p)
		}
	}
	if b, _ := os.ReadFile(junk); !bytes.HasPrefix(b, []byte("not a database")) {
		t.Errorf("a refused restore changed %s", junk)
	}

	// --force replaces: the backup over a file, the restore over data.
	if _, errOut, code := runIn(t, "--db", "sqlite:"+src, "backup", "--force", good); code != 0 {
		t.Errorf("backup --force: %s", errOut)
	}
	if out, errOut, code := runIn(t, "--db", "sqlite:"+src, "restore", "--force", good); code != 0 || !strings.Contains(out, "restored") {
		t.Errorf("restore --force: exit %d, %s %s", code, out, errOut)
	}
	// A restore into an empty settle database needs no --force.
	empty := filepath.Join(dir, "empty.db")
	if _, errOut, code := runIn(t, "--db", "sqlite:"+empty, "migrate"); code != 0 {
		t.Fatal(errOut)
	}
	if _, errOut, code := runIn(t, "--db", "sqlite:"+empty, "restore", good); code != 0 {
		t.Errorf("restore into an empty database: %s", errOut)
	}
	if _, h1 := snapshot(t, rawDB(t, empty)); true {
		if _, h2 := snapshot(t, rawDB(t, good)); h1 != h2 {
			t.Errorf("the restore into an empty database differs from the backup")
		}
	}
}
