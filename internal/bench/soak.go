package bench

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"settle/internal/service"
	"settle/internal/store/postgres"
)

// SoakOptions configure the scale-out soak (`settle bench soak`).
type SoakOptions struct {
	DB        string        // PostgreSQL server URL; the soak creates (and drops) its own database there
	Exe       string        // the settle binary the instances run
	Env       []string      // extra environment for the instances
	Instances int           // settle serve processes
	Duration  time.Duration // how long the load runs
	KillEvery time.Duration // a random instance is SIGKILLed and restarted this often (0: never)
	Workers   int           // concurrent clients
	Seed      uint64
	RunEvery  time.Duration // a daily run (next as-of date) this often
	// Settle is how long, after the load, requests left in doubt by a
	// kill (their key still reserved by the dead process) are retried:
	// the API takes an abandoned key over after 2 minutes. 0: they stay
	// in doubt and are only checked to exist at most once.
	Settle time.Duration
	Drain  time.Duration // at most this long for the outbox and webhooks to drain
	Keep   bool          // keep the database and the instances' logs
	Log    io.Writer
}

func (o *SoakOptions) defaults() error {
	u, err := url.Parse(o.DB)
	if o.DB == "" || err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("bench soak: --db must be a postgres:// URL (several instances share one PostgreSQL; SQLite is not for that)")
	}
	if o.Exe == "" {
		return fmt.Errorf("bench soak: no settle binary")
	}
	if o.Instances <= 0 || o.Workers <= 0 || o.Duration <= 0 {
		return fmt.Errorf("bench soak: instances, workers and duration must be positive")
	}
	if o.RunEvery <= 0 {
		o.RunEvery = 20 * time.Second
	}
	if o.Drain <= 0 {
		o.Drain = 2 * time.Minute
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	return nil
}

// instance is one `settle serve` child, restarted on the same port.
type instance struct {
	idx  int
	addr string
	opt  *SoakOptions
	env  []string
	logf *os.File

	mu   sync.Mutex
	cmd  *exec.Cmd
	up   bool
	exit chan struct{}
	pids []int // every process this instance has been
}

func (in *instance) base() string { return "http://" + in.addr }

func (in *instance) start(ctx context.Context) error {
	cmd := exec.Command(in.opt.Exe, "serve", "--addr", in.addr)
	cmd.Env = in.env
	cmd.Stdout = in.logf
	cmd.Stderr = in.logf
	if err := cmd.Start(); err != nil {
		return err
	}
	exit := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exit) }()
	in.mu.Lock()
	in.cmd, in.exit = cmd, exit
	in.pids = append(in.pids, cmd.Process.Pid)
	in.mu.Unlock()
	// Wait for /healthz.
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exit:
			return fmt.Errorf("instance %d (pid %d) exited at start; log %s", in.idx, cmd.Process.Pid, in.logf.Name())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		res, err := client.Get(in.base() + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				in.mu.Lock()
				in.up = true
				in.mu.Unlock()
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("instance %d: /healthz did not answer 200 within 60 s; log %s", in.idx, in.logf.Name())
}

// kill SIGKILLs the process and waits for it to be gone.
func (in *instance) kill() int {
	in.mu.Lock()
	cmd, exit := in.cmd, in.exit
	in.up = false
	in.mu.Unlock()
	if cmd == nil {
		return 0
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exit
	return cmd.Process.Pid
}

// stop ends the process gracefully (SIGTERM), SIGKILL after 15 s.
func (in *instance) stop() {
	in.mu.Lock()
	cmd, exit := in.cmd, in.exit
	in.up = false
	in.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exit:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-exit
	}
}

// KillWindow is when an instance was down: from its SIGKILL until the
// restarted process answered /healthz.
type KillWindow struct {
	Instance int       `json:"instance"`
	PID      int       `json:"pid"` // the process killed
	Killed   time.Time `json:"killed"`
	Up       time.Time `json:"up"`
}

// freePorts finds n loopback ports nothing listens on now.
func freePorts(n int) ([]string, error) {
	var lns []net.Listener
	defer func() {
		for _, l := range lns {
			l.Close()
		}
	}()
	var out []string
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, l)
		out = append(out, l.Addr().String())
	}
	return out, nil
}

// soak is one soak run's shared state.
type soak struct {
	opt     SoakOptions
	dsn     string
	db      *sql.DB
	token   string
	insts   []*instance
	smtp    *smtpSink
	hooks   *hookSink
	webhook string // the subscription's id
	rep     *SoakReport
	rec     *recorder

	kmu   sync.Mutex
	kills []KillWindow
}

// RunSoak runs the scale-out soak: opt.Instances `settle serve` processes
// on one fresh PostgreSQL database under a mixed API load, one of them
// SIGKILLed and restarted every opt.KillEvery, then checks that every
// acknowledged write exists exactly once and the rest of SoakReport's
// checks. The report is returned with its violations; err is set when the
// soak could not run or found a violation.
func RunSoak(ctx context.Context, opt SoakOptions) (*SoakReport, error) {
	if err := opt.defaults(); err != nil {
		return nil, err
	}
	s := &soak{opt: opt, rep: &SoakReport{Instances: opt.Instances, Workers: opt.Workers, Seed: opt.Seed,
		KillEvery: opt.KillEvery.String(), Ops: map[string]*OpStats{}}, rec: newRecorder()}
	logf := func(format string, a ...any) { fmt.Fprintf(opt.Log, "soak: "+format+"\n", a...) }

	// A fresh database for the soak, dropped at the end unless Keep.
	server, _ := url.Parse(opt.DB)
	admin, err := sql.Open("pgx", opt.DB)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	var b [6]byte
	_, _ = crand.Read(b[:])
	name := "settle_soak_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("bench soak: create the soak's database: %w", err)
	}
	s.rep.Database = name
	if !opt.Keep {
		defer func() {
			_, _ = admin.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		}()
	}
	u := *server
	u.Path = "/" + name
	s.dsn = u.String()
	logf("database %s", name)

	// Schema and an admin token, in process (settle token create).
	st, err := postgres.Open(ctx, s.dsn, nil)
	if err != nil {
		return nil, err
	}
	svc := service.New(st, nil)
	s.token, _, err = svc.CreateToken(service.WithActor(ctx, service.Actor{ID: "cli:soak", Role: service.RoleAdmin}), service.RoleAdmin, "soak")
	st.Close()
	if err != nil {
		return nil, err
	}
	if s.db, err = sql.Open("pgx", s.dsn); err != nil {
		return nil, err
	}
	defer s.db.Close()
	s.db.SetMaxOpenConns(4)

	if s.smtp, err = startSMTPSink(); err != nil {
		return nil, err
	}
	defer s.smtp.Close()
	if s.hooks, err = startHookSink(); err != nil {
		return nil, err
	}
	defer s.hooks.Close()

	// The instances.
	dir, err := os.MkdirTemp("", "settle-soak-")
	if err != nil {
		return nil, err
	}
	if opt.Keep {
		logf("instance logs in %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	addrs, err := freePorts(opt.Instances)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), opt.Env...)
	env = append(env, "SETTLE_DB="+s.dsn, "SETTLE_RUN_AT=off", "SETTLE_SMTP_URL=smtp://"+s.smtp.addr+"?tls=none",
		"SETTLE_PUBLIC_URL=http://"+addrs[0], "SETTLE_ADDR=", "SETTLE_OPT_OUT_URL=")
	for i, a := range addrs {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("instance-%d.log", i)))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		s.insts = append(s.insts, &instance{idx: i, addr: a, opt: &s.opt, env: env, logf: f})
	}
	defer func() {
		for _, in := range s.insts {
			in.stop()
		}
	}()
	var wg sync.WaitGroup
	errs := make([]error, len(s.insts))
	for i, in := range s.insts {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = in.start(ctx) }()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	logf("%d instances up: %s", len(s.insts), strings.Join(addrs, ", "))

	lb := newBalancer(s)
	setupStart := time.Now()
	w, err := lb.setup(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench soak: setup: %w", err)
	}
	s.rep.SetupSeconds = time.Since(setupStart).Seconds()
	logf("setup done in %.1f s: webhook %s, %d hot customers", s.rep.SetupSeconds, w, len(lb.hot))

	// Load, kills and daily runs until the deadline.
	start := time.Now()
	deadline := start.Add(opt.Duration)
	loadCtx, stopLoad := context.WithDeadline(ctx, deadline)
	defer stopLoad()
	var killerDone = make(chan struct{})
	go func() { defer close(killerDone); s.killer(loadCtx, logf) }()
	var runnerDone = make(chan struct{})
	go func() { defer close(runnerDone); lb.runner(loadCtx, deadline) }()
	var lw sync.WaitGroup
	for i := range opt.Workers {
		lw.Add(1)
		go func() { defer lw.Done(); lb.worker(loadCtx, i, deadline) }()
	}
	lw.Wait()
	<-runnerDone
	<-killerDone
	s.rep.LoadSeconds = time.Since(start).Seconds()
	logf("load done after %.1f s; %d kills", s.rep.LoadSeconds, len(s.kills))
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	// Requests left in doubt: retried once their keys can be taken over.
	if opt.Settle > 0 {
		logf("retrying %d requests left in doubt (for up to %s)", len(lb.doubt()), opt.Settle)
		lb.settle(ctx, time.Now().Add(opt.Settle))
	}
	// Quiet: let the outbox and the webhooks drain.
	logf("draining the outbox and the webhooks (up to %s)", opt.Drain)
	drainStart := time.Now()
	s.drain(ctx, time.Now().Add(opt.Drain))
	s.rep.DrainSeconds = time.Since(drainStart).Seconds()

	s.rep.Kills = s.kills
	lb.report(s.rep)
	if err := s.verify(ctx, lb); err != nil {
		return s.rep, err
	}
	if len(s.rep.Violations) > 0 {
		return s.rep, fmt.Errorf("bench soak: %d violations; first: %s", len(s.rep.Violations), s.rep.Violations[0])
	}
	return s.rep, nil
}

// killer SIGKILLs a random instance every KillEvery and restarts it on
// the same port after a short pause.
func (s *soak) killer(ctx context.Context, logf func(string, ...any)) {
	if s.opt.KillEvery <= 0 {
		return
	}
	rng := rand.New(rand.NewPCG(s.opt.Seed, 0x6b696c6c))
	t := time.NewTicker(s.opt.KillEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		in := s.insts[rng.IntN(len(s.insts))]
		w := KillWindow{Instance: in.idx, Killed: time.Now()}
		w.PID = in.kill()
		logf("killed instance %d (pid %d)", in.idx, w.PID)
		time.Sleep(time.Duration(500+rng.IntN(1500)) * time.Millisecond)
		if err := in.start(context.WithoutCancel(ctx)); err != nil {
			logf("restart of instance %d failed: %v", in.idx, err)
			s.rep.violate("restart of instance %d failed: %v", in.idx, err)
		}
		w.Up = time.Now()
		s.kmu.Lock()
		s.kills = append(s.kills, w)
		s.kmu.Unlock()
		logf("instance %d back after %.1f s", in.idx, w.Up.Sub(w.Killed).Seconds())
	}
}

// inKillWindow says whether instance i was being killed or restarted at t
// (with a second's grace either side).
func (s *soak) inKillWindow(i int, t time.Time) bool {
	s.kmu.Lock()
	defer s.kmu.Unlock()
	for _, w := range s.kills {
		up := w.Up
		if up.IsZero() {
			up = time.Now()
		}
		if w.Instance == i && !t.Before(w.Killed.Add(-time.Second)) && !t.After(up.Add(time.Second)) {
			return true
		}
	}
	// A kill in progress (not yet in s.kills).
	in := s.insts[i]
	in.mu.Lock()
	defer in.mu.Unlock()
	return !in.up
}

// killedPIDs are the processes SIGKILLed (their claims go stale).
func (s *soak) killedPIDs() map[int]bool {
	s.kmu.Lock()
	defer s.kmu.Unlock()
	out := map[int]bool{}
	for _, w := range s.kills {
		out[w.PID] = true
	}
	return out
}
