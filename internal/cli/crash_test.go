package cli_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"settle/internal/cli"
	"settle/internal/testutil"
)

// writeInvoices writes n valid invoice rows for customers C1..C10.
func writeInvoices(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("number,customer_ref,issue_date,due_date,currency,amount\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "K%07d,C%d,2026-01-%02d,2026-02-%02d,USD,%d.%02d\n", i, i%10+1, i%28+1, i%28+1, 10+i%5000, i%100)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func storeCounts(t *testing.T, dsn string) map[string]int64 {
	t.Helper()
	st, err := cli.OpenStore(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return testutil.Counts(t, st)
}

// TestImport_SIGKILLLeavesStoreUnchanged kills a real `settle import` in
// the middle of a large file and checks that the store holds exactly what
// it held before; then the same import runs to the end.
func TestImport_SIGKILLLeavesStoreUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("large import")
	}
	dir := t.TempDir()
	engines := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "crash.db") },
		"postgres": testutil.FreshPostgresDSN,
	}
	customers := filepath.Join(dir, "customers.csv")
	var sb strings.Builder
	sb.WriteString("external_ref,name\n")
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&sb, "C%d,Customer %d\n", i, i)
	}
	if err := os.WriteFile(customers, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	invoices := filepath.Join(dir, "invoices.csv")
	writeInvoices(t, invoices, 400000)

	for name, dsnFor := range engines {
		t.Run(name, func(t *testing.T) {
			dsn := dsnFor(t)
			if _, stderr, code := runSettle(t, "--db", dsn, "import", "customers", customers); code != 0 {
				t.Fatalf("import customers: %s", stderr)
			}
			before := storeCounts(t, dsn)

			cmd := settleCmd(t, "--db", dsn, "import", "invoices", invoices)
			// The 10th progress line is 100,000 rows, well inside the file;
			// the fault point holds the import there, inside its
			// transaction, until it is killed: it cannot commit first.
			cmd.Env = append(cmd.Env, "SETTLE_TEST_FAULT=import-progress:10")
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if !killWhen(t, cmd, stderr, "SETTLE_TEST_FAULT import-progress reached at 100000 rows") {
				t.Fatal("the import finished or failed before it could be killed")
			}
			if st := cmd.ProcessState.Sys().(syscall.WaitStatus); !st.Signaled() || st.Signal() != syscall.SIGKILL {
				t.Fatalf("import was not killed by SIGKILL: %v", cmd.ProcessState)
			}

			after := storeCounts(t, dsn)
			for table, n := range before {
				if after[table] != n {
					t.Errorf("%s: %d rows before, %d after the killed import", table, n, after[table])
				}
			}
			if strings.HasPrefix(dsn, "sqlite:") {
				checkSQLiteIntegrity(t, strings.TrimPrefix(dsn, "sqlite:"))
			}

			// The same import, run again, completes.
			out, errOut, code := runSettle(t, "--db", dsn, "import", "invoices", invoices)
			if code != 0 || !strings.Contains(out, "400000 inserted") {
				t.Fatalf("re-run: exit %d\n%s\n%s", code, out, errOut)
			}
		})
	}
}

// killWhen SIGKILLs the started cmd as soon as a line of its stderr
// contains marker, waits for it, and reports whether it was killed then.
func killWhen(t *testing.T, cmd *exec.Cmd, stderr io.Reader, marker string) bool {
	t.Helper()
	sc := bufio.NewScanner(stderr)
	killed := false
	deadline := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		if strings.Contains(sc.Text(), marker) {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
			break
		}
	}
	_ = cmd.Wait()
	return killed
}

func checkSQLiteIntegrity(t *testing.T, path string) {
	t.Helper()
	st, err := cli.OpenStore(context.Background(), "sqlite:"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db := st.(interface{ SQL() *sql.DB }).SQL()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
}

// TestRun_SIGKILLThenRerunCompletes kills a real `settle run` after its
// first batch, checks that what it wrote is whole batches only, and that
// running the same date again finishes the run without a duplicate.
func TestRun_SIGKILLThenRerunCompletes(t *testing.T) {
	if testing.Short() {
		t.Skip("large run")
	}
	const n = 2000
	dir := t.TempDir()
	customers, invoices := filepath.Join(dir, "customers.csv"), filepath.Join(dir, "invoices.csv")
	var cs, is strings.Builder
	cs.WriteString("external_ref,name,email,phone,time_zone,kind,jurisdiction\n")
	is.WriteString("number,customer_ref,issue_date,due_date,currency,amount\n")
	for i := range n {
		fmt.Fprintf(&cs, "R%05d,Customer %d,c%d@example.com,+44 7700 9%05d,Europe/London,consumer,GB\n", i, i, i, i)
		fmt.Fprintf(&is, "RI%05d,R%05d,2026-05-01,2026-06-01,GBP,25.00\n", i, i)
	}
	if err := os.WriteFile(customers, []byte(cs.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(invoices, []byte(is.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	engines := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "run.db") },
		"postgres": testutil.FreshPostgresDSN,
	}
	for name, dsnFor := range engines {
		t.Run(name, func(t *testing.T) {
			dsn := dsnFor(t)
			for _, f := range []struct{ kind, path string }{{"customers", customers}, {"invoices", invoices}} {
				if _, stderr, code := runSettle(t, "--db", dsn, "import", f.kind, f.path); code != 0 {
					t.Fatalf("import %s: %s", f.kind, stderr)
				}
			}
			cmd := settleCmd(t, "--db", dsn, "run", "--as-of", "2026-06-01")
			// Held after its first batch until killed: never finished first.
			cmd.Env = append(cmd.Env, "SETTLE_TEST_FAULT=run-progress")
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if !killWhen(t, cmd, stderr, "SETTLE_TEST_FAULT run-progress reached") {
				t.Fatal("the run finished or failed before it could be killed")
			}
			// Whole batches only: every visited customer has its email and SMS.
			st, err := cli.OpenStore(context.Background(), dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			db := st.(interface{ SQL() *sql.DB }).SQL()
			count := func(q string) int {
				var k int
				if err := db.QueryRow(q).Scan(&k); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				return k
			}
			visited := count(`SELECT COUNT(*) FROM run_customers WHERE status = 'done'`)
			if msgs := count(`SELECT COUNT(*) FROM messages`); visited == 0 || visited == n || msgs != 2*visited {
				t.Errorf("after the kill: %d customers visited, %d messages (want two each, and a partial run)", visited, msgs)
			}
			st.Close()

			out, errOut, code := runSettle(t, "--db", dsn, "run", "--as-of", "2026-06-01")
			if code != 0 || !strings.Contains(out, "status done") {
				t.Fatalf("re-run: exit %d\n%s\n%s", code, out, errOut)
			}
			st, err = cli.OpenStore(context.Background(), dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			db = st.(interface{ SQL() *sql.DB }).SQL()
			if msgs, keys := count(`SELECT COUNT(*) FROM messages`), count(`SELECT COUNT(DISTINCT dedupe_key) FROM messages`); msgs != 2*n || keys != msgs {
				t.Errorf("after the re-run: %d messages, %d distinct (want %d)", msgs, keys, 2*n)
			}
			if done := count(`SELECT COUNT(*) FROM run_customers WHERE status = 'done'`); done != n {
				t.Errorf("%d of %d customers visited", done, n)
			}
		})
	}
}
