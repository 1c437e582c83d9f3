package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sort"
	"strconv"
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
}

// NegotiateReport is what the load test measured.
type NegotiateReport struct {
	Engine       string  `json:"engine"`
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
	rep := &NegotiateReport{Engine: st.Engine(), Negotiations: opt.Negotiations, Connections: opt.Connections, GOMAXPROCS: runtime.GOMAXPROCS(0)}
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

// WriteTable prints the report.
func (r *NegotiateReport) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "counter-offers over HTTP on %s: %d negotiations, %d connections, GOMAXPROCS %d (setup %.1f s)\n",
		r.Engine, r.Negotiations, r.Connections, r.GOMAXPROCS, r.SetupSeconds)
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
