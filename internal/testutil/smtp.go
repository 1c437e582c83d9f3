package testutil

import (
	"fmt"
	"net"
	"testing"

	"github.com/emersion/go-smtp"
)

// StartSMTP serves backend as a plain SMTP server on a free loopback port
// until the test ends, and returns the SETTLE_SMTP_URL that reaches it.
func StartSMTP(t *testing.T, backend smtp.Backend) string {
	t.Helper()
	srv := smtp.NewServer(backend)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return fmt.Sprintf("smtp://%s?tls=none", ln.Addr())
}
