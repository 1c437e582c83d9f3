package cli_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"settle/internal/store"
	"settle/internal/store/sqlite"
)

// settle token create --ttl 90d stores an expiry 90 days from now; without
// --ttl the token never expires; a lifetime that is not one is a usage
// error (exit 2) and makes no token.
func TestMain_TokenCreateTTL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cli.db")
	db := "sqlite:" + path
	before := time.Now()
	if out, stderr, code := runSettle(t, "--db", db, "token", "create", "--role", "agent", "--name", "ci", "--ttl", "90d"); code != 0 || !strings.HasPrefix(out, "stl_") {
		t.Fatalf("--ttl 90d: exit %d, out %q, stderr %q", code, out, stderr)
	}
	after := time.Now()
	if _, _, code := runSettle(t, "--db", db, "token", "create", "--role", "viewer", "--name", "forever"); code != 0 {
		t.Fatalf("without --ttl: exit %d", code)
	}
	for _, bad := range []string{"0d", "-3d", "banana", "4000w"} {
		if _, stderr, code := runSettle(t, "--db", db, "token", "create", "--role", "viewer", "--ttl", bad); code != 2 || !strings.Contains(stderr, "--ttl") {
			t.Errorf("--ttl %s: exit %d, stderr %q", bad, code, stderr)
		}
	}
	st, err := sqlite.Open(context.Background(), path, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var toks []store.Token
	if err := st.Tx(context.Background(), func(tx store.Tx) (err error) {
		toks, _, err = tx.Tokens(context.Background(), store.Page{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(toks) != 2 {
		t.Fatalf("%d tokens, want 2 (bad lifetimes make none)", len(toks))
	}
	const d90 = 90 * 24 * time.Hour
	if e := toks[0].ExpiresAt; e == nil || e.Before(before.Add(d90).Add(-time.Second)) || e.After(after.Add(d90)) {
		t.Errorf("ci expires at %v, want 90 days after %v", e, before)
	}
	if toks[1].ExpiresAt != nil {
		t.Errorf("a token made without --ttl expires at %v", toks[1].ExpiresAt)
	}
}
