package cli_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"settle/internal/service"
	"settle/internal/store/sqlite"
)

// TestMain_PortalLink: settle portal-link prints a URL under
// SETTLE_PUBLIC_URL whose token opens that customer's portal; an unknown
// customer is exit 1 with one clear line; no argument is a usage error.
func TestMain_PortalLink(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "cli.db")
	csv := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(csv, []byte("external_ref,name,locale\nC-7,Clara Coe,fr-FR\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runSettle(t, "--db", db, "import", "customers", csv); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	run := func(env []string, args ...string) (string, string, int) {
		cmd := settleCmd(t, append([]string{"--db", db, "portal-link"}, args...)...)
		cmd.Env = append(cmd.Env, env...)
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
	out, stderr, code := run([]string{"SETTLE_PUBLIC_URL=https://pay.example.com/"}, "C-7", "--ttl", "48h")
	if code != 0 || !strings.HasPrefix(out, "https://pay.example.com/portal/") || strings.Count(out, "\n") != 1 || !strings.Contains(stderr, "valid until") {
		t.Fatalf("exit %d, out %q, stderr %q", code, out, stderr)
	}
	st, err := sqlite.Open(context.Background(), strings.TrimPrefix(db, "sqlite:"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := service.New(st, nil)
	p, err := svc.VerifyPortalToken(context.Background(), strings.TrimSpace(strings.TrimPrefix(out, "https://pay.example.com/portal/")))
	if err != nil {
		t.Fatal(err)
	}
	if p.Customer().ExternalRef != "C-7" || time.Until(p.ExpiresAt()) > 48*time.Hour || time.Until(p.ExpiresAt()) < 47*time.Hour {
		t.Errorf("the link opens %s until %s", p.Customer().ExternalRef, p.ExpiresAt())
	}

	out, _, code = run([]string{"SETTLE_PUBLIC_URL=", "SETTLE_ADDR=0.0.0.0:9090"}, p.CustomerID())
	if code != 0 || !strings.HasPrefix(out, "http://localhost:9090/portal/") {
		t.Errorf("by id with SETTLE_ADDR: exit %d, out %q", code, out)
	}
	out, stderr, code = run(nil, "NOBODY")
	if code != 1 || out != "" || stderr != "settle: customer \"NOBODY\" not found\n" {
		t.Errorf("unknown customer: exit %d, out %q, stderr %q", code, out, stderr)
	}
	if _, _, code = run(nil); code != 2 {
		t.Errorf("no customer: exit %d, want 2", code)
	}
}
