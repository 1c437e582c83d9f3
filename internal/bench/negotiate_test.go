package bench_test

import (
	"bytes"
	"context"
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
