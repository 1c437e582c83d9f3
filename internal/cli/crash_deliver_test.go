package cli_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"settle/internal/cli"
	"settle/internal/testutil"
)

// mailSink is an SMTP server that records what it accepted, by
// Message-ID, and can stop the sender at the n-th message: either while
// the message is still unanswered (the sender never learns it arrived), or
// right after it answered 250 (the sender learnt it, but has not yet
// recorded it).
type mailSink struct {
	mu       sync.Mutex
	accepted map[string]int // Message-ID → times accepted
	order    []string
	n        int // messages seen so far (DATA)

	stopAt     int           // the message at which to stop the sender (0: never)
	afterReply bool          // stop after the 250 (in the QUIT that follows) instead of before it
	stopped    chan string   // receives the Message-ID at the stop
	release    chan struct{} // closed by the test once the sender is dead
}

func (s *mailSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct {
	s    *mailSink
	held string // Message-ID accepted in this session whose QUIT is to be held
}

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (ss *sinkSession) Reset()                               {}

func (ss *sinkSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	id := m.Header.Get("Message-Id")
	s := ss.s
	s.mu.Lock()
	s.n++
	stop := s.stopAt > 0 && s.n == s.stopAt
	if stop {
		s.stopAt = 0
	}
	s.mu.Unlock()
	if stop && !s.afterReply {
		// Hold the message unanswered until the sender is dead; it is then
		// not accepted (a real server discards a message whose sender
		// vanished before the reply).
		s.stopped <- id
		<-s.release
		return &smtp.SMTPError{Code: 451, Message: "sender gone"}
	}
	s.mu.Lock()
	s.accepted[id]++
	s.order = append(s.order, id)
	s.mu.Unlock()
	if stop {
		ss.held = id
	}
	return nil
}

// Logout runs when the sender ends the session (QUIT), after it had the
// 250 for its message: holding here stops it between "sent" and
// "recorded".
func (ss *sinkSession) Logout() error {
	if ss.held != "" {
		ss.s.stopped <- ss.held
		<-ss.s.release
	}
	return nil
}

func (s *mailSink) start(t *testing.T) string { return testutil.StartSMTP(t, s) }

func (s *mailSink) snapshot() (map[string]int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.accepted))
	total := 0
	for k, v := range s.accepted {
		out[k] = v
		total += v
	}
	return out, total
}

// TestDeliver_SIGKILLThenRestart kills `settle serve` in the middle of
// delivering a run's emails, on both engines, at the two moments that
// matter, and restarts it:
//
//   - while a message is in flight (the SMTP server has not answered):
//     after the restart every email is delivered exactly once;
//   - after the server answered 250 but before settle recorded it: that
//     one message is handed over a second time, with the same Message-ID
//     (receiving systems drop the duplicate by it); every other email
//     exactly once. This is the one window SMTP leaves: settle delivers at
//     least once, never more than once outside it.
//
// Every email is then recorded sent once, nothing is lost, and the sent
// count in the database equals the distinct Message-IDs accepted.
func TestDeliver_SIGKILLThenRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts settle serve")
	}
	const customers = 150
	dir := t.TempDir()
	cs, is := filepath.Join(dir, "customers.csv"), filepath.Join(dir, "invoices.csv")
	var cb, ib strings.Builder
	cb.WriteString("external_ref,name,email,time_zone,kind,jurisdiction\n")
	ib.WriteString("number,customer_ref,issue_date,due_date,currency,amount\n")
	for i := range customers {
		fmt.Fprintf(&cb, "D%04d,Customer %d,d%d@example.com,Europe/London,business,GB\n", i, i, i)
		fmt.Fprintf(&ib, "DI%04d,D%04d,2026-04-01,2026-05-01,GBP,40.00\n", i, i)
	}
	if err := os.WriteFile(cs, []byte(cb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(is, []byte(ib.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	engines := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "deliver.db") },
		"postgres": testutil.FreshPostgresDSN,
	}
	for name, dsnFor := range engines {
		for _, afterReply := range []bool{false, true} {
			moment := map[bool]string{false: "in-flight", true: "after-250"}[afterReply]
			t.Run(name+"/"+moment, func(t *testing.T) {
				dsn := dsnFor(t)
				for _, f := range []struct{ kind, path string }{{"customers", cs}, {"invoices", is}} {
					if _, stderr, code := runSettle(t, "--db", dsn, "import", f.kind, f.path); code != 0 {
						t.Fatalf("import %s: %s", f.kind, stderr)
					}
				}
				if out, stderr, code := runSettle(t, "--db", dsn, "run", "--as-of", "2026-06-01"); code != 0 {
					t.Fatalf("run: %s %s", out, stderr)
				}
				st, err := cli.OpenStore(context.Background(), dsn, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				db := st.(interface{ SQL() *sql.DB }).SQL()
				count := func(q string) int {
					t.Helper()
					var k int
					if err := db.QueryRow(q).Scan(&k); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
					return k
				}
				emails := count(`SELECT COUNT(*) FROM messages WHERE channel = 'email'`)
				if emails != customers {
					t.Fatalf("the run queued %d emails, want one per customer (%d)", emails, customers)
				}

				sink := &mailSink{accepted: map[string]int{}, stopAt: 40, afterReply: afterReply,
					stopped: make(chan string, 1), release: make(chan struct{})}
				smtpURL := sink.start(t)
				serve := func() (*serveProc, error) {
					return startServe(t, dsn, "SETTLE_SMTP_URL="+smtpURL, "SETTLE_CLAIM_TIMEOUT=2s", "SETTLE_RUN_AT=off")
				}
				p, err := serve()
				if err != nil {
					t.Fatal(err)
				}
				var stoppedAt string
				select {
				case stoppedAt = <-sink.stopped:
				case <-time.After(60 * time.Second):
					p.kill()
					t.Fatal("the sink never reached message 40")
				}
				p.kill()
				close(sink.release)
				_, before := sink.snapshot()
				sentBefore := count(`SELECT COUNT(*) FROM messages WHERE channel = 'email' AND status = 'sent'`)
				// Recorded sent ⊆ accepted: settle records only what the server took.
				if sentBefore > before {
					t.Fatalf("after the kill: %d recorded sent, but the server accepted %d", sentBefore, before)
				}
				// The killed sender's claims go stale after SETTLE_CLAIM_TIMEOUT (2 s).
				time.Sleep(2500 * time.Millisecond)
				p, err = serve()
				if err != nil {
					t.Fatal(err)
				}
				deadline := time.Now().Add(60 * time.Second)
				for count(`SELECT COUNT(*) FROM messages WHERE channel = 'email' AND status = 'sent'`) < emails && time.Now().Before(deadline) {
					time.Sleep(200 * time.Millisecond)
				}
				p.stop(t)

				got, total := sink.snapshot()
				if sent := count(`SELECT COUNT(*) FROM messages WHERE channel = 'email' AND status = 'sent'`); sent != emails {
					t.Fatalf("%d of %d emails recorded sent after the restart", sent, emails)
				}
				if len(got) != emails {
					t.Errorf("the server accepted %d distinct Message-IDs, want %d", len(got), emails)
				}
				var twice []string
				for id, n := range got {
					if n > 1 {
						twice = append(twice, fmt.Sprintf("%s×%d", id, n))
					}
				}
				switch {
				case !afterReply && len(twice) > 0:
					t.Errorf("killed in flight: delivered more than once: %v", twice)
				case afterReply && (len(twice) != 1 || got[stoppedAt] != 2):
					t.Errorf("killed after the 250: duplicates %v, want exactly the stopped message %s twice", twice, stoppedAt)
				}
				wantTotal := emails + map[bool]int{false: 0, true: 1}[afterReply]
				if total != wantTotal {
					t.Errorf("the server accepted %d messages in all, want %d", total, wantTotal)
				}
				if a := count(`SELECT COUNT(*) FROM audit_log WHERE action = 'message.sent'`); a != emails {
					t.Errorf("%d message.sent audit entries, want %d", a, emails)
				}
			})
		}
	}
}

// serveProc is a running `settle serve`.
type serveProc struct {
	cmd  *exec.Cmd
	done chan struct{}
	url  string // from its "settle is serving" line
}

// startServe starts `settle serve` on a free port with env and waits until
// it says it is serving.
func startServe(t *testing.T, dsn string, env ...string) (*serveProc, error) {
	t.Helper()
	cmd := settleCmd(t, "--db", dsn, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &serveProc{cmd: cmd, done: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			if !once && strings.Contains(sc.Text(), "settle is serving") {
				once = true
				p.url = sc.Text()
				close(ready)
			}
		}
		_ = cmd.Wait()
		close(p.done)
	}()
	select {
	case <-ready:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("settle serve exited before serving")
	case <-time.After(30 * time.Second):
		p.kill()
		return nil, fmt.Errorf("settle serve did not start in 30 s")
	}
}

// kill SIGKILLs the process and waits for it.
func (p *serveProc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop asks the process to shut down (SIGTERM) and waits for it.
func (p *serveProc) stop(t *testing.T) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		t.Errorf("settle serve did not stop on SIGTERM")
		p.kill()
	}
}
