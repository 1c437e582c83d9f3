package bench_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"settle/internal/bench"
	"settle/internal/cli"
	"settle/internal/testutil/testenv"
)

// childEnv makes the test binary act as the settle binary: Run re-executes
// it for the settle side of the benchmark (`bench ingest-child`).
const childEnv = "SETTLE_BENCH_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func options(t *testing.T, n int, engines ...string) bench.Options {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return bench.Options{Invoices: n, Engines: engines, Dir: t.TempDir(), Exe: exe, Env: []string{childEnv + "=1"}}
}

func TestGenerateIsDeterministic(t *testing.T) {
	const n = 1234
	a, err := bench.Generate(t.TempDir(), n)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bench.Generate(t.TempDir(), n)
	if err != nil {
		t.Fatal(err)
	}
	if a.Customers != 12 || bench.CustomerCount(50) != 10 || bench.CustomerCount(1_000_000) != 10_000 {
		t.Errorf("customers: %d for %d invoices; CustomerCount(50)=%d, (1e6)=%d", a.Customers, n, bench.CustomerCount(50), bench.CustomerCount(1_000_000))
	}
	for _, f := range [][2]string{{a.CustomerFile, b.CustomerFile}, {a.InvoiceFile, b.InvoiceFile}} {
		x, err := os.ReadFile(f[0])
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(f[1])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs", filepath.Base(f[0]))
		}
	}

	customers := lines(t, a.CustomerFile)
	if len(customers) != a.Customers+1 || customers[0] != "external_ref,name,email" || customers[1] != "C000001,Customer 000001,ap000001@example.com" {
		t.Errorf("customers.csv: %d lines, starting %q", len(customers), customers[:min(2, len(customers))])
	}
	refs := map[string]bool{}
	for _, l := range customers[1:] {
		ref, _, _ := strings.Cut(l, ",")
		refs[ref] = true
	}
	invoices := lines(t, a.InvoiceFile)
	if len(invoices) != n+1 {
		t.Fatalf("invoices.csv has %d lines, want %d", len(invoices), n+1)
	}
	if invoices[0] != "number,customer_ref,issue_date,due_date,currency,amount" {
		t.Errorf("header %q", invoices[0])
	}
	for i, l := range invoices[1:] {
		f := strings.Split(l, ",")
		if len(f) != 6 || !strings.HasPrefix(f[2], "2025-") || f[3] <= f[2] || f[4] != "USD" || !refs[f[1]] {
			t.Fatalf("line %d: %q", i+2, l)
		}
		if dot := strings.IndexByte(f[5], '.'); dot < 1 || len(f[5])-dot != 3 {
			t.Fatalf("line %d: amount %q does not have 2 decimals", i+2, f[5])
		}
	}
	if !strings.HasPrefix(invoices[1], "INV00000001,") || !strings.HasPrefix(invoices[n], "INV00001234,") {
		t.Errorf("numbers: first %q, last %q", invoices[1], invoices[n])
	}
}

func lines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkRun checks a run's report for one engine: a settle, a raw and a
// raw-same row with the whole file loaded, and a verdict on settle.
func checkRun(t *testing.T, rep *bench.Report, engine string, n int) {
	t.Helper()
	if len(rep.Results) != 3 {
		t.Fatalf("results: %+v (notes %v)", rep.Results, rep.Notes)
	}
	for i, path := range []string{"settle", "raw", "raw-same"} {
		r := rep.Results[i]
		if r.Engine != engine || r.Path != path || r.Rows != n || r.Seconds <= 0 || r.RowsPerSecond <= 0 || r.PeakRSSMB <= 0 {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	s := rep.Results[0]
	if s.ImportSeconds <= 0 || s.ImportSeconds > s.Seconds || s.Ratio <= 0 || s.RatioSameRows <= 0 || s.TimeOK == nil || s.MemOK == nil {
		t.Errorf("settle: %+v", s)
	}

	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), engine) || !strings.Contains(table.String(), "rows/s") {
		t.Errorf("table:\n%s", table.String())
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back bench.Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Results) != 3 || back.Invoices != n {
		t.Errorf("JSON %s: %v", js.String(), err)
	}
}

func TestRunSQLite(t *testing.T) {
	testenv.Tool(t, "sqlite3", "sqlite3")
	const n = 2000
	rep, err := bench.Run(context.Background(), options(t, n, "sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	checkRun(t, rep, "sqlite", n)
}

func TestRunPostgres(t *testing.T) {
	dsn := os.Getenv("SETTLE_TEST_POSTGRES")
	if dsn == "" {
		testenv.Missing(t, "SETTLE_TEST_POSTGRES is not set (./scripts/test.sh starts a throwaway PostgreSQL)")
	}
	testenv.Tool(t, "psql", "postgresql-client-15")
	const n = 2000
	opt := options(t, n, "postgres")
	opt.Postgres = dsn
	rep, err := bench.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	checkRun(t, rep, "postgres", n)
}

func TestRunWithoutPostgresSkips(t *testing.T) {
	rep, err := bench.Run(context.Background(), options(t, 10, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 0 || len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "postgres: skipped") {
		t.Errorf("results %+v, notes %q", rep.Results, rep.Notes)
	}
}

func TestParseEngines(t *testing.T) {
	got, err := bench.ParseEngines(" SQLite, postgres,sqlite")
	if err != nil || strings.Join(got, ",") != "sqlite,postgres" {
		t.Errorf("got %v, %v", got, err)
	}
	for _, bad := range []string{"", "mysql", "sqlite,oracle"} {
		if _, err := bench.ParseEngines(bad); err == nil {
			t.Errorf("ParseEngines(%q): no error", bad)
		}
	}
}
