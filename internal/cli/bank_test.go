package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// settle import bank-statement prints matched / review / skipped counts
// and each line held for review; a bad row is one error line with its line
// and column, exit 1.
func TestMain_ImportBankStatement(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "bank.db")
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, args := range [][]string{
		{"import", "customers", write("c.csv", "external_ref,name\nC-1,One\n")},
		{"import", "invoices", write("i.csv", "number,customer_ref,issue_date,due_date,currency,amount\nI-1,C-1,2026-04-01,2026-05-01,USD,60.00\n")},
	} {
		if _, stderr, code := runSettle(t, append([]string{"--db", db}, args...)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	file := write("b.csv", "Tag,Betrag,currency,reference,bank_id\n01.06.2026,60.00,USD,Rechnung I-1,T1\n02.06.2026,5.00,USD,??,T2\n02.06.2026,-5.00,USD,Gebühr,T3\n")
	out, stderr, code := runSettle(t, "--db", db, "import", "bank-statement", file, "--date-format", "DD.MM.YYYY", "--map", "Tag=date,Betrag=amount")
	if code != 0 || !strings.Contains(out, "3 rows read, 1 matched, 1 for review, 1 skipped (outgoing), 0 already imported") ||
		!strings.Contains(out, `review: line 3 5.00 USD "??"`) {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, stderr)
	}
	bad := write("bad.csv", "date,amount,currency\n2026-06-01,abc,USD\n")
	_, stderr, code = runSettle(t, "--db", db, "import", "bank-statement", bad)
	if code != 1 || !strings.Contains(stderr, "line 2: amount:") {
		t.Errorf("bad file: exit %d, stderr %q", code, stderr)
	}
}
