package cli_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
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
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Kill it once it reports 100,000 rows read: well inside the file.
			sc := bufio.NewScanner(stderr)
			killed := false
			deadline := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() })
			defer deadline.Stop()
			for sc.Scan() {
				if strings.Contains(sc.Text(), "100000 rows read") {
					if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
						t.Fatal(err)
					}
					killed = true
					break
				}
			}
			_ = cmd.Wait()
			if !killed {
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
