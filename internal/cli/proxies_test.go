package cli_test

import (
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServe_TrustedProxies: behind a trusted proxy, settle tells clients
// apart by X-Forwarded-For — the portal's limit on refused links (20 per
// address in ten minutes) stops one client and not the next — and the
// same header from an untrusted peer changes nothing (a client cannot
// escape the limit by sending it).
func TestServe_TrustedProxies(t *testing.T) {
	if testing.Short() {
		t.Skip("starts settle serve")
	}
	refused := func(base, xff string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", base+"/portal/not-a-link", nil)
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for _, tc := range []struct {
		name, trusted string
		wantOther     int // the second client's first request
	}{
		{"trusted", "127.0.0.1", http.StatusForbidden},
		{"untrusted", "", http.StatusTooManyRequests},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn := "sqlite:" + filepath.Join(t.TempDir(), "proxy.db")
			p, err := startServe(t, dsn, "SETTLE_TRUSTED_PROXIES="+tc.trusted, "SETTLE_RUN_AT=off")
			if err != nil {
				t.Fatal(err)
			}
			defer p.stop(t)
			base := "http://" + regexp.MustCompile(`127\.0\.0\.1:\d+`).FindString(p.url)
			for i := range 20 {
				if got := refused(base, "198.51.100.1"); got != http.StatusForbidden {
					t.Fatalf("refused link %d: %d, want 403", i+1, got)
				}
			}
			if got := refused(base, "198.51.100.1"); got != http.StatusTooManyRequests {
				t.Fatalf("the 21st refused link: %d, want 429", got)
			}
			if got := refused(base, "198.51.100.2"); got != tc.wantOther {
				t.Errorf("another client behind the proxy: %d, want %d", got, tc.wantOther)
			}
		})
	}
	// A bad value stops serve before it listens, naming the variable.
	cmd := settleCmd(t, "--db", "sqlite:"+filepath.Join(t.TempDir(), "bad.db"), "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(cmd.Env, "SETTLE_TRUSTED_PROXIES=proxy.internal")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), `SETTLE_TRUSTED_PROXIES: "proxy.internal" is not an address`) {
		t.Errorf("serve with a bad SETTLE_TRUSTED_PROXIES: %v\n%s", err, out)
	}
}
