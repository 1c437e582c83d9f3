package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"settle/internal/httpapi"
	"settle/internal/ids"
	"settle/internal/service"
	"settle/internal/store"
)

// NegotiateOptions configure the counter-offer load test.
type NegotiateOptions struct {
	Negotiations int           // open negotiations to spread the load over
	Connections  int           // concurrent HTTP clients
	Duration     time.Duration // how long to fire counter-offers
	// Client is "go" (an in-process Go client) or "wrk" (the wrk load
	// generator, which must be on PATH: a C client that leaves more of the
	// machine to the server).
	Client string
}

// NegotiateReport is what the load test measured.
type NegotiateReport struct {
	Engine       string  `json:"engine"`
	Client       string  `json:"client"`
	Negotiations int     `json:"negotiations"`
	Connections  int     `json:"connections"`
	Requests     int     `json:"requests"`
	Errors       int     `json:"errors"`
	Seconds      float64 `json:"seconds"`
	PerSecond    float64 `json:"per_second"`
	P50ms        float64 `json:"p50_ms"`
	P90ms        float64 `json:"p90_ms"`
	P99ms        float64 `json:"p99_ms"`
	MaxMs        float64 `json:"max_ms"`
	SetupSeconds float64 `json:"setup_seconds"`
	GOMAXPROCS   int     `json:"gomaxprocs"`
}

// maxCountersEach keeps every negotiation open: the policy allows 50
// rounds and each negotiation takes at most this many counter-offers.
const maxCountersEach = 45

// RunNegotiate serves the API on a loopback port over st, opens
// negotiations for fresh customers, then has opt.Connections clients post
// counter-offers (lowballs below the policy's limits: the engine's full
// search runs every time and the negotiation stays open) for opt.Duration,
// and reports throughput and latency percentiles. Every request goes
// through the whole stack: HTTP, authentication, the engine and a write
// transaction.
func RunNegotiate(ctx context.Context, st store.Store, opt NegotiateOptions) (*NegotiateReport, error) {
	if opt.Negotiations <= 0 || opt.Connections <= 0 || opt.Duration <= 0 {
		return nil, fmt.Errorf("bench negotiate: negotiations, connections and duration must be positive")
	}
	if opt.Client == "" {
		opt.Client = "go"
	}
	if opt.Client != "go" && opt.Client != "wrk" {
		return nil, fmt.Errorf("bench negotiate: client %q must be go or wrk", opt.Client)
	}
	rep := &NegotiateReport{Client: opt.Client, Engine: st.Engine(), Negotiations: opt.Negotiations, Connections: opt.Connections, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	svc := service.New(st, nil)
	admin := service.WithActor(ctx, service.Actor{ID: "cli:bench", Role: service.RoleAdmin})
	setup := time.Now()
	run := ids.New("")[1:9] // a short unique tag: the bench can share a database with earlier runs
	seg := "bench-" + run
	rounds := 50
	if _, err := svc.CreatePolicy(admin, service.PolicyInput{Segment: seg, MaxRounds: &rounds}); err != nil {
		return nil, err
	}
	today := svc.Today()
	negs := make([]string, opt.Negotiations)
	for i := range negs {
		ref := fmt.Sprintf("NB-%s-%d", run, i)
		if _, err := svc.CreateCustomer(admin, service.CustomerInput{ExternalRef: ref, Name: "Bench customer " + strconv.Itoa(i), Segment: seg}); err != nil {
			return nil, err
		}
		if _, err := svc.CreateInvoice(admin, service.InvoiceInput{Number: ref + "-1", CustomerID: ref, IssueDate: today.AddDays(-120).String(),
			DueDate: today.AddDays(-90).String(), Currency: "USD", Amount: "5000.00"}); err != nil {
			return nil, err
		}
		v, err := svc.OpenNegotiation(admin, service.NegotiationInput{CustomerID: ref, AsOf: today.String()})
		if err != nil {
			return nil, err
		}
		negs[i] = v.Reply.ID
	}
	token, _, err := svc.CreateToken(admin, service.RoleAgent, "bench")
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: httpapi.New(svc, nil).Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	rep.SetupSeconds = time.Since(setup).Seconds()

	base := "http://" + ln.Addr().String()
	if opt.Client == "wrk" {
		return rep, runWrk(ctx, rep, base, token, negs, opt)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: opt.Connections, MaxConnsPerHost: opt.Connections}}
	asks := []string{"20.00", "35.00", "50.00", "65.00"}
	var next atomic.Int64
	var errs atomic.Int64
	limit := int64(opt.Negotiations * maxCountersEach)
	lat := make([][]time.Duration, opt.Connections)
	start := time.Now()
	deadline := start.Add(opt.Duration)
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for w := range opt.Connections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				n := next.Add(1) - 1
				if n >= limit {
					return
				}
				id := negs[n%int64(len(negs))]
				body := `{"installment_amount":"` + asks[(n/int64(len(negs)))%int64(len(asks))] + `"}`
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/negotiations/"+id+"/counteroffers", bytes.NewBufferString(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				lat[w] = append(lat[w], time.Since(t0))
				if res.StatusCode != http.StatusOK {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %s", res.StatusCode, b))
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	rep.Requests, rep.Errors = len(all), int(errs.Load())
	rep.Seconds = elapsed.Seconds()
	if rep.Seconds > 0 {
		rep.PerSecond = float64(rep.Requests) / rep.Seconds
	}
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		k := int(p * float64(len(all)-1))
		return float64(all[k].Microseconds()) / 1000
	}
	rep.P50ms, rep.P90ms, rep.P99ms, rep.MaxMs = pct(0.50), pct(0.90), pct(0.99), pct(1)
	if e, ok := firstErr.Load().(string); ok && rep.Errors > 0 {
		return rep, fmt.Errorf("bench negotiate: %d of %d requests failed; first: %s", rep.Errors, rep.Requests, e)
	}
	return rep, nil
}

// runWrk drives the server with wrk: each wrk thread walks the
// negotiations from its own offset so that two threads rarely answer the
// same negotiation at once.
func runWrk(ctx context.Context, rep *NegotiateReport, base, token string, negs []string, opt NegotiateOptions) error {
	dir, err := os.MkdirTemp("", "settle-wrk-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var b strings.Builder
	b.WriteString("local ids = {")
	for i, id := range negs {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q", id)
	}
	fmt.Fprintf(&b, `}
local asks = {"20.00","35.00","50.00","65.00"}
local threads = 0
setup = function(thread) thread:set("tid", threads); threads = threads + 1 end
local i = 0
request = function()
  local tid = tonumber(wrk.thread:get("tid")) or 0
  i = i + 1
  local k = i * 16 + tid
  local id = ids[(k %% #ids) + 1]
  local body = '{"installment_amount":"' .. asks[(math.floor(k / #ids) %% #asks) + 1] .. '"}'
  return wrk.format("POST", "/v1/negotiations/" .. id .. "/counteroffers",
    {["Authorization"] = "Bearer %s", ["Content-Type"] = "application/json"}, body)
end
`, token)
	script := filepath.Join(dir, "counter.lua")
	if err := os.WriteFile(script, []byte(b.String()), 0o600); err != nil {
		return err
	}
	threads := min(2, opt.Connections)
	cmd := exec.CommandContext(ctx, "wrk", "-t", strconv.Itoa(threads), "-c", strconv.Itoa(opt.Connections),
		"-d", fmt.Sprintf("%ds", max(1, int(opt.Duration.Seconds()))), "--latency", "-s", script, base)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("bench negotiate: wrk: %v\n%s", err, out)
	}
	return ParseWrk(rep, string(out))
}

// ParseWrk reads wrk's summary: requests, duration, non-2xx count and the
// latency distribution.
func ParseWrk(rep *NegotiateReport, out string) error {
	dur := func(v string) float64 {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return -1
		}
		return float64(d.Microseconds()) / 1000
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && f[1] == "requests" && f[2] == "in":
			rep.Requests, _ = strconv.Atoi(f[0])
			if d, err := time.ParseDuration(strings.TrimSuffix(f[3], ",")); err == nil {
				rep.Seconds = d.Seconds()
			}
		case len(f) == 2 && f[0] == "50%":
			rep.P50ms = dur(f[1])
		case len(f) == 2 && f[0] == "90%":
			rep.P90ms = dur(f[1])
		case len(f) == 2 && f[0] == "99%":
			rep.P99ms = dur(f[1])
		case len(f) >= 5 && f[0] == "Latency" && !strings.HasSuffix(f[1], "%"):
			rep.MaxMs = dur(f[3])
		case strings.HasPrefix(line, "  Non-2xx or 3xx responses:"):
			rep.Errors, _ = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "  Non-2xx or 3xx responses:")))
		case strings.HasPrefix(line, "  Socket errors:"):
			rep.Errors++
		}
	}
	if rep.Requests == 0 || rep.Seconds == 0 {
		return fmt.Errorf("bench negotiate: could not read wrk's output:\n%s", out)
	}
	rep.PerSecond = float64(rep.Requests) / rep.Seconds
	if rep.Errors > 0 {
		return fmt.Errorf("bench negotiate: wrk saw %d failed requests (non-2xx or socket errors)\n%s", rep.Errors, out)
	}
	return nil
}

// WriteTable prints the report.
func (r *NegotiateReport) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "counter-offers over HTTP on %s (client %s): %d negotiations, %d connections, GOMAXPROCS %d (setup %.1f s)\n",
		r.Engine, r.Client, r.Negotiations, r.Connections, r.GOMAXPROCS, r.SetupSeconds)
	fmt.Fprintf(w, "  %d requests in %.1f s: %.0f/s; latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; errors %d\n",
		r.Requests, r.Seconds, r.PerSecond, r.P50ms, r.P90ms, r.P99ms, r.MaxMs, r.Errors)
	target := "MET"
	if r.PerSecond < 5000 || r.P99ms > 10 {
		target = "MISSED"
	}
	fmt.Fprintf(w, "  target ≥ 5,000/s with p99 ≤ 10 ms: %s\n", target)
}

// WriteJSON prints the report as JSON.
func (r *NegotiateReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
