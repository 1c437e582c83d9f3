package bench_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"settle/internal/bench"
	"settle/internal/testutil/testenv"
)

// The short scale-out soak (the full one is `make soak`): three instances
// of this test binary acting as `settle serve` on one fresh PostgreSQL
// database, 45 s of mixed load with an instance SIGKILLed every 15 s, then
// the whole verification: every acknowledged write exactly once, ledger
// invariants, one run per date, every email and webhook event received,
// no 5xx outside a kill window.
func TestSoakShort(t *testing.T) {
	if testing.Short() {
		t.Skip("the soak takes about a minute")
	}
	dsn := os.Getenv("SETTLE_TEST_POSTGRES")
	if dsn == "" {
		testenv.Missing(t, "SETTLE_TEST_POSTGRES is not set (./scripts/test.sh sets it)")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	rep, err := bench.RunSoak(context.Background(), bench.SoakOptions{DB: dsn, Exe: exe, Env: []string{childEnv + "=1"},
		Instances: 3, Duration: 45 * time.Second, KillEvery: 15 * time.Second, Workers: 4, Seed: 2,
		RunEvery: 8 * time.Second, Drain: 40 * time.Second, Log: &log})
	var table strings.Builder
	if rep != nil {
		rep.WriteTable(&table)
	}
	t.Logf("soak log:\n%s\n%s", log.String(), table.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Kills) < 2 {
		t.Errorf("%d kills, want at least 2", len(rep.Kills))
	}
	// The load did what it is there for: writes of every kind, runs that
	// queued emails, webhook events, all checked.
	for _, k := range []string{"customer", "invoice", "payment", "promise", "negotiation", "plan", "run", "email", "webhook", "customer balance"} {
		if rep.Checked[k] == 0 {
			t.Errorf("nothing of kind %q was checked: %v", k, rep.Checked)
		}
	}
	if rep.Checked["run"] < 3 || rep.Ops["record payment"] == nil || rep.Ops["record payment"].Acked < 100 {
		t.Errorf("too little load: checked %v, ops %v", rep.Checked, rep.Ops)
	}
	if o := rep.Overall; o.P50ms <= 0 || o.P50ms > o.P95ms || o.P95ms > o.P99ms || o.P99ms > o.MaxMs {
		t.Errorf("latencies out of order: %+v", o)
	}
}

func TestSoakRefusesSQLite(t *testing.T) {
	_, err := bench.RunSoak(context.Background(), bench.SoakOptions{DB: "sqlite:x.db", Exe: "settle", Instances: 1, Workers: 1, Duration: time.Second})
	if err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Fatalf("err = %v, want a refusal naming postgres://", err)
	}
}
