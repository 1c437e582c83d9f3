package cli_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"settle/internal/cli"
)

// The test binary doubles as the settle binary: with SETTLE_RUN_MAIN=1 it
// runs the CLI on its arguments, so tests can start, and kill, a real
// settle process without building one.
func TestMain(m *testing.M) {
	if os.Getenv("SETTLE_RUN_MAIN") == "1" {
		os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// settleCmd returns a command running settle with args.
func settleCmd(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SETTLE_RUN_MAIN=1")
	return cmd
}

// runSettle runs settle to completion and returns stdout, stderr and the exit code.
func runSettle(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	cmd := settleCmd(t, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestMain_ExitCodesAndErrors(t *testing.T) {
	db := "sqlite:" + t.TempDir() + "/cli.db"
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"unknown flag", []string{"aging", "--nope"}, 2, "unknown flag"},
		{"bad role", []string{"--db", db, "token", "create", "--role", "root"}, 2, `--role "root": must be admin, agent or viewer`},
		{"bad db", []string{"--db", "mysql://x", "migrate"}, 2, "use sqlite:PATH or postgres://"},
		{"bad as-of", []string{"--db", db, "aging", "--as-of", "2026-02-30"}, 1, `"2026-02-30" is not a date`},
		{"as-of before the range", []string{"--db", db, "aging", "--as-of", "0001-01-01"}, 1, `"0001-01-01" is outside the supported dates 1900-01-01 to 2199-12-31`},
		{"as-of after the range", []string{"--db", db, "run", "--as-of", "2200-01-01"}, 1, `"2200-01-01" is outside the supported dates`},
		{"kpis from before the range", []string{"--db", db, "kpis", "--from", "1899-12-31", "--to", "2026-01-31"}, 2, `--from: "1899-12-31" is outside the supported dates`},
		{"kpis to after the range", []string{"--db", db, "kpis", "--from", "2026-01-01", "--to", "9999-12-31"}, 2, `--to: "9999-12-31" is outside the supported dates`},
		{"bad import kind", []string{"--db", db, "import", "refunds", "x.csv"}, 2, "must be customers, invoices or payments"},
		{"missing file", []string{"--db", db, "import", "invoices", "/nonexistent.csv"}, 1, "no such file"},
		{"migrate", []string{"--db", db, "migrate"}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runSettle(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want exit %d containing %q", code, stderr, tc.code, tc.stderr)
			}
			if code != 0 && !strings.HasPrefix(stderr, "settle: ") {
				t.Errorf("error does not start with 'settle: ': %q", stderr)
			}
		})
	}
}

func TestMain_TokenCreate(t *testing.T) {
	db := "sqlite:" + t.TempDir() + "/cli.db"
	out, stderr, code := runSettle(t, "--db", db, "token", "create", "--role", "viewer")
	if code != 0 || !strings.HasPrefix(out, "stl_") || len(strings.TrimSpace(out)) != 36 {
		t.Fatalf("exit %d, out %q, stderr %q", code, out, stderr)
	}
}
