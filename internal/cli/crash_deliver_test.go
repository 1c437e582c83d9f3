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
// Message-ID, and can stop the sender at the n-th message while that
// message is still unanswered (the sender never learns it arrived).
type mailSink struct {
	mu       sync.Mutex
	accepted map[string]int // Message-ID → times accepted
	n        int            // messages seen so far (DATA)

	stopAt  int           // the message at which to stop the sender (0: never)
	stopped chan string   // receives the Message-ID at the stop
	release chan struct{} // closed by the test once the sender is dead
}

func (s *mailSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct{ s *mailSink }

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (ss *sinkSession) Reset()                               {}
func (ss *sinkSession) Logout() error                        { return nil }

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
	if stop {
		// Hold the message unanswered until the sender is dead; it is then
		// not accepted (a real server discards a message whose sender
		// vanished before the reply).
		s.stopped <- id
		<-s.release
		return &smtp.SMTPError{Code: 451, Message: "sender gone"}
	}
	s.mu.Lock()
	s.accepted[id]++
	s.mu.Unlock()
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
//   - while a message is in flight (the SMTP server holds its reply to the
//     40th message until the process is dead): after the restart every
//     email is delivered exactly once;
//   - after the server answered 250 for the 40th message but before settle
//     recorded it: the fault point SETTLE_TEST_FAULT=deliver-after-smtp-
//     accept:40 holds the sender right there until it is killed. That one
//     message is handed over a second time, with the same Message-ID
//     (receiving systems drop the duplicate by it); every other email
//     exactly once. This is the one window SMTP leaves: settle delivers at
//     least once, never more than once outside it.
//
// Both stops are points in settle's own sequence, not moments chosen by
// the scheduler: the kill always lands with exactly 39 emails recorded
// sent, and the outcome is the same on every run.
//
// Every email is then recorded sent once, nothing is lost, and the sent
// count in the database equals the distinct Message-IDs accepted.
func TestDeliver_SIGKILLThenRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts settle serve")
	}
	const (
		customers = 150
		stopAt    = 40 // the message at which the sender is stopped
	)
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
				const sentQ = `SELECT COUNT(*) FROM messages WHERE channel = 'email' AND status = 'sent'`
				emails := count(`SELECT COUNT(*) FROM messages WHERE channel = 'email'`)
				if emails != customers {
					t.Fatalf("the run queued %d emails, want one per customer (%d)", emails, customers)
				}

				sink := &mailSink{accepted: map[string]int{}, stopped: make(chan string, 1), release: make(chan struct{})}
				// The run's day at 10:00 in London, a Monday: within the
				// customers' contact hours, which delivery checks again.
				env := []string{"SETTLE_SMTP_URL=" + sink.start(t), "SETTLE_RUN_AT=off", "SETTLE_TEST_CLOCK=2026-06-01T09:00:00Z"}
				first := env
				if afterReply {
					first = append(first, fmt.Sprintf("SETTLE_TEST_FAULT=deliver-after-smtp-accept:%d", stopAt))
				} else {
					sink.stopAt = stopAt
				}
				p, err := startServe(t, dsn, first...)
				if err != nil {
					t.Fatal(err)
				}
				// The timeouts below only keep a broken build from hanging
				// the test; they never decide a passing outcome.
				var stoppedAt string // the Message-ID of the stopped message
				select {
				case stoppedAt = <-sink.stopped:
				case id := <-p.fault:
					stoppedAt = "<" + id + "@settle>"
				case <-p.done:
					t.Fatal("settle serve exited before the stop")
				case <-time.After(2 * time.Minute):
					p.kill()
					t.Fatalf("the sender never reached message %d", stopAt)
				}
				p.kill()
				close(sink.release)

				// At the kill: the first 39 emails were accepted and recorded
				// sent; the 40th was accepted (after-250) or not (in-flight),
				// and not recorded.
				got, before := sink.snapshot()
				wantBefore := stopAt - 1
				if afterReply {
					wantBefore = stopAt
				}
				if before != wantBefore || len(got) != wantBefore {
					t.Errorf("after the kill: the server accepted %d messages (%d distinct), want %d", before, len(got), wantBefore)
				}
				if afterReply && got[stoppedAt] != 1 {
					t.Errorf("after the kill: the stopped message %s was accepted %d times, want 1", stoppedAt, got[stoppedAt])
				}
				if sent := count(sentQ); sent != stopAt-1 {
					t.Errorf("after the kill: %d recorded sent, want the %d before the stopped message", sent, stopAt-1)
				}
				msgID := strings.TrimSuffix(strings.TrimPrefix(stoppedAt, "<"), "@settle>")
				// (msgID is settle's own id, letters and digits: no quoting needed.)
				if n := count(`SELECT COUNT(*) FROM messages WHERE id = '` + msgID + `' AND status = 'queued'`); n != 1 {
					t.Errorf("after the kill: the stopped message %s is not queued (%d rows)", msgID, n)
				}

				// The killed sender's claims are stale at once for a restart
				// with a 1 ms claim timeout: no waiting on the wall clock.
				p, err = startServe(t, dsn, append(env, "SETTLE_CLAIM_TIMEOUT=1ms")...)
				if err != nil {
					t.Fatal(err)
				}
				deadline := time.Now().Add(2 * time.Minute)
				for count(sentQ) < emails && time.Now().Before(deadline) {
					time.Sleep(100 * time.Millisecond)
				}
				p.stop(t)

				got, total := sink.snapshot()
				if sent := count(sentQ); sent != emails {
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
	cmd   *exec.Cmd
	done  chan struct{}
	url   string      // from its "settle is serving" line
	fault chan string // the detail of its SETTLE_TEST_FAULT line, when it reaches the point
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
	p := &serveProc{cmd: cmd, done: make(chan struct{}), fault: make(chan string, 1)}
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
			if _, detail, ok := strings.Cut(sc.Text(), "SETTLE_TEST_FAULT deliver-after-smtp-accept reached at "); ok {
				p.fault <- detail
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

// TestServe_BadTestFault: a misspelt SETTLE_TEST_FAULT is refused at start
// (exit 1, one line naming it) rather than silently never firing, which
// would turn a crash test into a hang.
func TestServe_BadTestFault(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "fault.db")
	for _, tc := range []struct{ value, want string }{
		{"deliver-after-smtp-acept", `unknown fault point "deliver-after-smtp-acept"`},
		{"deliver-after-smtp-accept:0", "must be a whole number of at least 1"},
		{"deliver-after-smtp-accept:x", "must be a whole number of at least 1"},
		{"run-progres", `unknown fault point "run-progres"`},
	} {
		cmd := settleCmd(t, "--db", db, "serve", "--addr", "127.0.0.1:0")
		if strings.HasPrefix(tc.value, "run") { // the other commands refuse it too
			cmd = settleCmd(t, "--db", db, "run", "--as-of", "2026-06-01")
		}
		cmd.Env = append(cmd.Env, "SETTLE_TEST_FAULT="+tc.value)
		var errb strings.Builder
		cmd.Stderr = &errb
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 1 {
			t.Errorf("SETTLE_TEST_FAULT=%s: %v, want exit status 1", tc.value, err)
		}
		if !strings.Contains(errb.String(), tc.want) {
			t.Errorf("SETTLE_TEST_FAULT=%s: stderr %q, want it to say %q", tc.value, errb.String(), tc.want)
		}
	}
}
