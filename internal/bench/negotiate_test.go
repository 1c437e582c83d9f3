package bench_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"settle/internal/bench"
	"settle/internal/testutil"
)

// A short run of the counter-offer load test: every request succeeds and
// the report adds up (the full run is `make bench-negotiate`).
func TestRunNegotiate(t *testing.T) {
	st := testutil.SQLite(t)
	rep, err := bench.RunNegotiate(context.Background(), st, bench.NegotiateOptions{Negotiations: 20, Connections: 4, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests == 0 || rep.Errors != 0 || rep.PerSecond <= 0 || rep.P50ms > rep.P99ms || rep.P99ms > rep.MaxMs {
		t.Fatalf("report = %+v", rep)
	}
	var b bytes.Buffer
	rep.WriteTable(&b)
	if !strings.Contains(b.String(), "requests in") {
		t.Errorf("table = %s", b.String())
	}
}

func TestParseWrk(t *testing.T) {
	out := `Running 8s test @ http://127.0.0.1:40123
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.21ms    4.02ms  34.04ms   72.10%
    Req/Sec   636.52     80.11   800.00     70.00%
  Latency Distribution
     50%    5.77ms
     75%    8.12ms
     90%   13.45ms
     99%   22.24ms
  10137 requests in 8.00s, 98.41MB read
Requests/sec:   1266.91
Transfer/sec:     12.30MB
`
	var rep bench.NegotiateReport
	if err := bench.ParseWrk(&rep, out); err != nil {
		t.Fatal(err)
	}
	if rep.Requests != 10137 || rep.Seconds != 8 || rep.P50ms != 5.77 || rep.P90ms != 13.45 || rep.P99ms != 22.24 || rep.MaxMs != 34.04 || rep.Errors != 0 {
		t.Errorf("parsed %+v", rep)
	}
	if err := bench.ParseWrk(&rep, out+"  Non-2xx or 3xx responses: 12\n"); err == nil || rep.Errors != 12 {
		t.Errorf("non-2xx not reported: %v %+v", err, rep)
	}
}

// A small daily-run benchmark: the first run visits every customer (each
// opens a case), the measured day — when the cases may step on — visits
// those with something due, and a rerun of the date is instant (the full
// figures: `make bench-run`).
func TestRunCollections(t *testing.T) {
	rep, err := bench.RunCollections(context.Background(), testutil.SQLite(t), 500, io.Discard, "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Customers != 50 || rep.CatchUpVisited != 50 || rep.Visited <= 0 || rep.Visited > 50 || rep.Messages <= 0 ||
		rep.RunSeconds <= 0 || rep.RerunMillis > 1000 {
		t.Fatalf("report %+v", rep)
	}
}
