package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"settle/internal/civil"
)

// outcome is what the client learnt of a write.
type outcome int

const (
	notSent  outcome = iota
	acked            // a 2xx: it happened, exactly once
	rejected         // a definite 4xx: it did not happen
	inDoubt          // no answer (its process was killed, the key still reserved): at most once
	executed         // 409 Idempotent-Outcome: executed: it happened once, its response was lost in a kill
)

func (o outcome) String() string {
	return [...]string{"not sent", "acknowledged", "rejected", "in doubt", "executed"}[o]
}

// call is one logical request: sent until answered, to one instance after
// another, always with the same Idempotency-Key.
type call struct {
	op, method, path string
	body             []byte
	key              string
	pin              int // first instance to try; -1: round robin

	status  int
	resp    []byte
	outcome outcome
	parked  bool // in balancer.doubts
}

func (c *call) decode(v any) error { return json.Unmarshal(c.resp, v) }

// recorder collects per-operation figures.
type recorder struct {
	mu     sync.Mutex
	lat    map[string][]time.Duration // per op, every exchange that got an HTTP answer
	counts map[string]*OpStats
	errs   map[string]int // by class
	fives  []string       // 5xx outside a kill window
	// samples: the first request and answer of each 4xx class.
	samples map[string]string
}

func newRecorder() *recorder {
	return &recorder{lat: map[string][]time.Duration{}, counts: map[string]*OpStats{}, errs: map[string]int{}, samples: map[string]string{}}
}

func (r *recorder) op(name string) *OpStats {
	o := r.counts[name]
	if o == nil {
		o = &OpStats{}
		r.counts[name] = o
	}
	return o
}

// balancer is the client-side load balancer and the load generator's
// memory of what it asked for.
type balancer struct {
	s      *soak
	client *http.Client
	rr     atomic.Uint64
	tag    string
	base   civil.Date // the first run's as-of date
	seq    atomic.Int64

	mu       sync.Mutex
	hot      []string // customers many workers pay at once
	cust     map[string]outcome
	invoices map[string]*invoiceIntent
	payments map[string]*paymentIntent
	promises map[string]outcome
	negs     []*negIntent
	runs     map[string]*runIntent
	doubts   []*call
}

type invoiceIntent struct {
	customer string
	minor    int64
	outcome  outcome
}

type paymentIntent struct {
	customer string
	minor    int64
	outcome  outcome
}

// negIntent is one negotiation flow on its own customer.
type negIntent struct {
	customer                        string
	open, counter, accept           outcome
	negID, planID                   string
	planAccept, cancel, renegotiate outcome
	newPlanID                       string
}

type runIntent struct {
	outcomes []outcome
	ids      []string
}

func newBalancer(s *soak) *balancer {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxIdleConnsPerHost: s.opt.Workers + 4,
		IdleConnTimeout:     30 * time.Second,
	}
	var b [4]byte
	r := rand.New(rand.NewPCG(s.opt.Seed, 7))
	for i := range b {
		b[i] = "abcdefghijkmnpqrstuvwxyz23456789"[r.IntN(32)]
	}
	return &balancer{s: s, client: &http.Client{Transport: tr, Timeout: 3 * time.Minute}, tag: "SK" + string(b[:]),
		base: civil.In(time.Now(), time.UTC).AddDays(-45), cust: map[string]outcome{}, invoices: map[string]*invoiceIntent{},
		payments: map[string]*paymentIntent{}, promises: map[string]outcome{}, runs: map[string]*runIntent{}}
}

func (lb *balancer) id(kind string) string {
	return fmt.Sprintf("%s-%s-%d", lb.tag, kind, lb.seq.Add(1))
}

// Retry limits: a connection refused or reset moves on to the next
// instance at once; a key still in progress (its request is running or
// its process died holding it) is retried a few times a second apart and
// then left in doubt.
const (
	maxSendTime     = 45 * time.Second
	inProgressTries = 3
)

// do sends c until it is answered (see outcome).
func (lb *balancer) do(ctx context.Context, c *call) {
	rec := lb.s.rec
	n := len(lb.s.insts)
	i := c.pin
	if i < 0 {
		i = int(lb.rr.Add(1) % uint64(n))
	}
	write := c.method != http.MethodGet
	if write && c.key == "" {
		c.key = lb.id("k")
	}
	start := time.Now()
	inProgress := 0
	wasParked := c.parked
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			i = (i + 1) % n
		}
		if ctx.Err() != nil || time.Since(start) > maxSendTime {
			c.outcome = inDoubt
			break
		}
		var body io.Reader
		if c.body != nil {
			body = bytes.NewReader(c.body)
		}
		req, _ := http.NewRequestWithContext(ctx, c.method, lb.s.insts[i].base()+c.path, body)
		req.Header.Set("Authorization", "Bearer "+lb.s.token)
		if c.body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if write {
			req.Header.Set("Idempotency-Key", c.key)
		}
		t0 := time.Now()
		res, err := lb.client.Do(req)
		if err != nil {
			rec.mu.Lock()
			rec.errs["connection"]++
			rec.op(c.op).ConnErrors++
			rec.mu.Unlock()
			time.Sleep(20 * time.Millisecond)
			continue
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		d := time.Since(t0)
		if err != nil { // cut off mid-body: the process died
			rec.mu.Lock()
			rec.errs["connection"]++
			rec.op(c.op).ConnErrors++
			rec.mu.Unlock()
			continue
		}
		rec.mu.Lock()
		rec.lat[c.op] = append(rec.lat[c.op], d)
		rec.op(c.op).Requests++
		rec.mu.Unlock()
		c.status, c.resp = res.StatusCode, b
		switch {
		case res.StatusCode >= 500:
			killed := lb.s.inKillWindow(i, time.Now())
			rec.mu.Lock()
			if killed {
				rec.errs["5xx at a kill"]++
			} else {
				rec.errs["5xx"]++
				rec.fives = append(rec.fives, fmt.Sprintf("%s %s on instance %d at %s: %d %s", c.method, c.path, i,
					time.Now().UTC().Format(time.RFC3339Nano), res.StatusCode, tail(string(b), 300)))
			}
			rec.mu.Unlock()
			time.Sleep(50 * time.Millisecond)
			continue // 5xx answers are not kept with the key: retry
		case res.StatusCode == http.StatusConflict && res.Header.Get("Idempotent-Outcome") == "executed":
			// The first attempt wrote, then its instance was killed before
			// it stored the response: done once, nothing to replay.
			rec.mu.Lock()
			rec.errs["409 executed, response lost"]++
			rec.mu.Unlock()
			c.outcome = executed
		case res.StatusCode == http.StatusConflict && res.Header.Get("Retry-After") != "":
			rec.mu.Lock()
			rec.errs["409 key in progress"]++
			rec.mu.Unlock()
			inProgress++
			if inProgress >= inProgressTries {
				c.outcome = inDoubt
				break
			}
			time.Sleep(time.Second)
			continue
		case res.StatusCode >= 400:
			rec.mu.Lock()
			class := fmt.Sprintf("%d %s", res.StatusCode, c.op)
			rec.errs[class]++
			if _, ok := rec.samples[class]; !ok {
				rec.samples[class] = fmt.Sprintf("%s %s %s → %s", c.method, c.path, tail(string(c.body), 200), tail(string(b), 300))
			}
			rec.mu.Unlock()
			c.outcome = rejected
		default:
			c.outcome = acked
		}
		break
	}
	if c.outcome == inDoubt && !c.parked {
		c.parked = true
		lb.mu.Lock()
		lb.doubts = append(lb.doubts, c)
		lb.mu.Unlock()
	}
	switch {
	case !wasParked:
		lb.count(c)
	case c.outcome != inDoubt: // a late answer to a request left in doubt
		lb.s.rec.mu.Lock()
		lb.s.rec.op(c.op).InDoubt--
		lb.s.rec.mu.Unlock()
		lb.count(c)
	}
}

func (lb *balancer) count(c *call) {
	rec := lb.s.rec
	rec.mu.Lock()
	defer rec.mu.Unlock()
	o := rec.op(c.op)
	switch c.outcome {
	case acked, executed:
		o.Acked++
	case rejected:
		o.Rejected++
	case inDoubt:
		o.InDoubt++
	}
}

func (lb *balancer) send(ctx context.Context, op, method, path string, body any) *call {
	c := &call{op: op, method: method, path: path, pin: -1}
	if body != nil {
		c.body, _ = json.Marshal(body)
	}
	lb.do(ctx, c)
	return c
}

func money(minor int64) string { return fmt.Sprintf("%d.%02d", minor/100, minor%100) }

// setup subscribes the webhook receiver and creates the hot customers.
func (lb *balancer) setup(ctx context.Context) (string, error) {
	c := lb.send(ctx, "setup", http.MethodPost, "/v1/webhooks", map[string]any{"url": lb.s.hooks.url,
		"events": []string{"plan.accepted", "message.sent", "installment.missed", "plan.defaulted"}})
	var w struct {
		ID string `json:"id"`
	}
	if c.outcome != acked || c.decode(&w) != nil {
		return "", fmt.Errorf("POST /v1/webhooks: %d %s", c.status, tail(string(c.resp), 300))
	}
	lb.s.webhook = w.ID
	rng := rand.New(rand.NewPCG(lb.s.opt.Seed, 99))
	n := max(4, lb.s.opt.Workers)
	for range n {
		ref := lb.createCustomer(ctx, rng)
		if ref == "" {
			return "", fmt.Errorf("could not create a hot customer")
		}
		for range 3 {
			lb.createInvoice(ctx, rng, ref, 100000+int64(rng.IntN(400000)))
		}
		lb.hot = append(lb.hot, ref)
	}
	return w.ID, nil
}

func (lb *balancer) createCustomer(ctx context.Context, rng *rand.Rand) string {
	ref := lb.id("C")
	kind := "business"
	if rng.IntN(2) == 0 {
		kind = "consumer"
	}
	c := lb.send(ctx, "create customer", http.MethodPost, "/v1/customers", map[string]any{"external_ref": ref,
		"name": "Soak " + ref, "email": ref + "@soak.example", "kind": kind, "jurisdiction": "GB"})
	lb.mu.Lock()
	lb.cust[ref] = c.outcome
	lb.mu.Unlock()
	if c.outcome != acked {
		return ""
	}
	return ref
}

func (lb *balancer) createInvoice(ctx context.Context, rng *rand.Rand, customer string, minor int64) bool {
	num := lb.id("I")
	issue := lb.base.AddDays(-30 - rng.IntN(60))
	c := lb.send(ctx, "create invoice", http.MethodPost, "/v1/invoices", map[string]any{"number": num, "customer_id": customer,
		"issue_date": issue.String(), "due_date": issue.AddDays(30).String(), "currency": "EUR", "amount": money(minor)})
	lb.mu.Lock()
	lb.invoices[num] = &invoiceIntent{customer: customer, minor: minor, outcome: c.outcome}
	lb.mu.Unlock()
	return c.outcome == acked
}

func (lb *balancer) pick(rng *rand.Rand, list []string) string {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return list[rng.IntN(len(list))]
}

// worker runs a random mix of operations until the deadline.
func (lb *balancer) worker(ctx context.Context, w int, deadline time.Time) {
	rng := rand.New(rand.NewPCG(lb.s.opt.Seed, uint64(w)+1))
	rctx := context.WithoutCancel(ctx) // a request under way finishes after the deadline
	var mine []string
	for time.Now().Before(deadline) && ctx.Err() == nil {
		r := rng.IntN(100)
		switch {
		case r < 8 || len(mine) == 0:
			if ref := lb.createCustomer(rctx, rng); ref != "" {
				lb.createInvoice(rctx, rng, ref, 5000+int64(rng.IntN(200000)))
				mine = append(mine, ref)
			}
		case r < 33:
			lb.payment(rctx, rng, lb.pick(rng, lb.hot))
		case r < 40:
			lb.payment(rctx, rng, mine[rng.IntN(len(mine))])
		case r < 46:
			ref := mine[rng.IntN(len(mine))]
			if rng.IntN(2) == 0 {
				ref = lb.pick(rng, lb.hot)
			}
			lb.createInvoice(rctx, rng, ref, 5000+int64(rng.IntN(200000)))
		case r < 52:
			lb.promise(rctx, rng, mine[rng.IntN(len(mine))])
		case r < 60:
			lb.negotiation(rctx, rng)
		default:
			ref := mine[rng.IntN(len(mine))]
			if rng.IntN(2) == 0 {
				ref = lb.pick(rng, lb.hot)
			}
			lb.read(rctx, rng, ref)
		}
	}
}

func (lb *balancer) payment(ctx context.Context, rng *rand.Rand, customer string) {
	ref := lb.id("P")
	minor := 100 + int64(rng.IntN(3000))
	c := lb.send(ctx, "record payment", http.MethodPost, "/v1/payments", map[string]any{"customer_id": customer,
		"received_on": lb.base.AddDays(-rng.IntN(20)).String(), "currency": "EUR", "amount": money(minor), "method": "bank_transfer", "reference": ref})
	lb.mu.Lock()
	lb.payments[ref] = &paymentIntent{customer: customer, minor: minor, outcome: c.outcome}
	lb.mu.Unlock()
}

func (lb *balancer) promise(ctx context.Context, rng *rand.Rand, customer string) {
	note := lb.id("N")
	c := lb.send(ctx, "promise", http.MethodPost, "/v1/promises", map[string]any{"customer_id": customer, "currency": "EUR",
		"amount": money(1000 + int64(rng.IntN(5000))), "promised_on": lb.base.String(), "due_date": lb.base.AddDays(14).String(),
		"channel": "call", "note": note})
	lb.mu.Lock()
	lb.promises[note] = c.outcome
	lb.mu.Unlock()
}

// negotiation: a fresh customer with two invoices; open, counter-offer,
// accept (a proposed plan); then the customer accepts it, and some plans
// are cancelled or renegotiated.
func (lb *balancer) negotiation(ctx context.Context, rng *rand.Rand) {
	ref := lb.createCustomer(ctx, rng)
	if ref == "" || !lb.createInvoice(ctx, rng, ref, 30000+int64(rng.IntN(60000))) || !lb.createInvoice(ctx, rng, ref, 30000+int64(rng.IntN(60000))) {
		return
	}
	n := &negIntent{customer: ref}
	lb.mu.Lock()
	lb.negs = append(lb.negs, n)
	lb.mu.Unlock()
	var reply struct {
		ID   string `json:"id"`
		Plan struct {
			ID string `json:"id"`
		} `json:"plan"`
	}
	c := lb.send(ctx, "open negotiation", http.MethodPost, "/v1/negotiations", map[string]any{"customer_id": ref})
	if n.open = c.outcome; c.outcome != acked || c.decode(&reply) != nil {
		return
	}
	n.negID = reply.ID
	c = lb.send(ctx, "counter-offer", http.MethodPost, "/v1/negotiations/"+n.negID+"/counteroffers", map[string]any{"installments": 2 + rng.IntN(8)})
	if n.counter = c.outcome; c.outcome == inDoubt || c.outcome == executed {
		return
	}
	c = lb.send(ctx, "accept negotiation", http.MethodPost, "/v1/negotiations/"+n.negID+"/accept", map[string]any{})
	if n.accept = c.outcome; c.outcome != acked || c.decode(&reply) != nil {
		return
	}
	n.planID = reply.Plan.ID
	lb.read(ctx, rng, ref)
	if rng.IntN(3) > 0 {
		c = lb.send(ctx, "accept plan", http.MethodPost, "/v1/plans/"+n.planID+"/accept", map[string]any{"accepted_by": "Soak " + ref, "channel": "api"})
		if n.planAccept = c.outcome; c.outcome == inDoubt || c.outcome == executed {
			return
		}
	}
	switch rng.IntN(4) {
	case 0:
		c = lb.send(ctx, "cancel plan", http.MethodPost, "/v1/plans/"+n.planID+"/cancel", map[string]any{"reason": "soak"})
		n.cancel = c.outcome
	case 1:
		c = lb.send(ctx, "renegotiate plan", http.MethodPost, "/v1/plans/"+n.planID+"/renegotiate", map[string]any{"installments": 3 + rng.IntN(6), "frequency": "monthly",
			"start_date": civil.In(time.Now(), time.UTC).AddDays(7 + rng.IntN(20)).String()})
		if n.renegotiate = c.outcome; c.outcome == acked {
			var p struct {
				ID string `json:"id"`
			}
			if c.decode(&p) == nil {
				n.newPlanID = p.ID
			}
		}
	}
}

func (lb *balancer) read(ctx context.Context, rng *rand.Rand, customer string) {
	var op, path string
	switch rng.IntN(6) {
	case 0, 1:
		op, path = "read position", "/v1/customers/"+customer+"/position"
	case 2:
		op, path = "list invoices", "/v1/invoices?customer_id="+customer
	case 3:
		op, path = "list payments", "/v1/payments?customer_id="+customer+"&limit=100"
	case 4:
		op, path = "list customers", "/v1/customers?limit=50"
	default:
		op, path = "aging report", "/v1/reports/aging?as_of="+lb.base.String()
	}
	lb.send(ctx, op, http.MethodGet, path, nil)
}

// runner asks for the daily run of the next as-of date every RunEvery;
// every other date goes to two instances at once (two keys): the run
// must happen once.
func (lb *balancer) runner(ctx context.Context, deadline time.Time) {
	rng := rand.New(rand.NewPCG(lb.s.opt.Seed, 0x72756e))
	rctx := context.WithoutCancel(ctx)
	t := time.NewTicker(lb.s.opt.RunEvery)
	defer t.Stop()
	for k := 0; ; k++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		asOf := lb.base.AddDays(k).String()
		ri := &runIntent{}
		lb.mu.Lock()
		lb.runs[asOf] = ri
		lb.mu.Unlock()
		ways := 1 + rng.IntN(2)
		first := rng.IntN(len(lb.s.insts))
		calls := make([]*call, ways)
		var wg sync.WaitGroup
		for j := range ways {
			calls[j] = &call{op: "daily run", method: http.MethodPost, path: "/v1/runs", pin: (first + j) % len(lb.s.insts)}
			calls[j].body, _ = json.Marshal(map[string]string{"as_of": asOf})
			wg.Add(1)
			go func() { defer wg.Done(); lb.do(rctx, calls[j]) }()
		}
		wg.Wait()
		lb.mu.Lock()
		for _, c := range calls {
			ri.outcomes = append(ri.outcomes, c.outcome)
			var r struct {
				ID string `json:"id"`
			}
			if c.outcome == acked && c.decode(&r) == nil {
				ri.ids = append(ri.ids, r.ID)
			}
		}
		lb.mu.Unlock()
		if time.Now().After(deadline) {
			return
		}
	}
}

func (lb *balancer) doubt() []*call {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	var out []*call
	for _, c := range lb.doubts {
		if c.outcome == inDoubt {
			out = append(out, c)
		}
	}
	return out
}

// settle retries the requests left in doubt, with their keys, until each
// is answered or the deadline passes. The outcome is written back to the
// intent each belongs to by resolve.
func (lb *balancer) settle(ctx context.Context, deadline time.Time) {
	for time.Now().Before(deadline) && ctx.Err() == nil {
		open := lb.doubt()
		if len(open) == 0 {
			return
		}
		for _, c := range open {
			lb.do(ctx, c)
			if c.outcome != inDoubt {
				lb.resolve(c)
			}
		}
		time.Sleep(5 * time.Second)
	}
}

// resolve records the late answer to a request that was in doubt.
func (lb *balancer) resolve(c *call) {
	var body map[string]any
	_ = json.Unmarshal(c.body, &body)
	str := func(k string) string { s, _ := body[k].(string); return s }
	lb.mu.Lock()
	defer lb.mu.Unlock()
	switch c.op {
	case "create customer":
		lb.cust[str("external_ref")] = c.outcome
	case "create invoice":
		if in := lb.invoices[str("number")]; in != nil {
			in.outcome = c.outcome
		}
	case "record payment":
		if p := lb.payments[str("reference")]; p != nil {
			p.outcome = c.outcome
		}
	case "promise":
		lb.promises[str("note")] = c.outcome
	case "daily run":
		if ri := lb.runs[str("as_of")]; ri != nil {
			ri.outcomes = append(ri.outcomes, c.outcome)
			var r struct {
				ID string `json:"id"`
			}
			if c.outcome == acked && c.decode(&r) == nil {
				ri.ids = append(ri.ids, r.ID)
			}
		}
	}
	// Negotiation steps left in doubt stay so: their flow stopped there.
}

// report fills in the figures per operation.
func (lb *balancer) report(rep *SoakReport) {
	rec := lb.s.rec
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var all []time.Duration
	for name, o := range rec.counts {
		l := rec.lat[name]
		all = append(all, l...)
		o.percentiles(l)
		rep.Ops[name] = o
	}
	rep.Overall.percentiles(all)
	for _, o := range rec.counts {
		rep.Overall.Requests += o.Requests
		rep.Overall.Acked += o.Acked
		rep.Overall.Rejected += o.Rejected
		rep.Overall.InDoubt += o.InDoubt
		rep.Overall.ConnErrors += o.ConnErrors
	}
	rep.Errors = map[string]int{}
	for k, v := range rec.errs {
		rep.Errors[k] = v
	}
	rep.Samples = rec.samples
	for _, f := range rec.fives {
		rep.violate("5xx outside a kill window: %s", f)
	}
	if rep.LoadSeconds > 0 {
		rep.PerSecond = float64(rep.Overall.Requests) / rep.LoadSeconds
	}
}

func (o *OpStats) percentiles(l []time.Duration) {
	if len(l) == 0 {
		return
	}
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	at := func(p float64) float64 { return float64(l[int(p*float64(len(l)-1))].Microseconds()) / 1000 }
	o.P50ms, o.P95ms, o.P99ms, o.MaxMs = at(0.50), at(0.95), at(0.99), at(1)
}
