package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/sqlite"
)

var testAsOf = civil.New(2026, 3, 31)

// fixture is a demo loaded once per date and seed and shared by the tests
// that only read it (loading lives months of daily runs).
type fixture struct {
	svc *service.Service
	clk *Clock
	ctx context.Context
	sum Summary
}

var (
	fixturesMu  sync.Mutex
	fixtures    = map[string]*fixture{}
	fixtureDirs []string
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range fixtureDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// loaded returns the demo of asOf and seed, loading it on first use.
func loaded(t *testing.T, asOf civil.Date, seed int64) *fixture {
	t.Helper()
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	key := fmt.Sprint(asOf, seed)
	if f := fixtures[key]; f != nil {
		return f
	}
	dir, err := os.MkdirTemp("", "settle-demo-test-")
	if err != nil {
		t.Fatal(err)
	}
	fixtureDirs = append(fixtureDirs, dir)
	f := load(t, dir, asOf, seed)
	fixtures[key] = f
	return f
}

// noonOf is a clock stopped at noon UTC of d: the base of the tests' demo
// clocks, so that nothing depends on the day the tests run.
func noonOf(d civil.Date) func() time.Time {
	return func() time.Time { return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC) }
}

// fresh loads the demo of asOf and seed into a new database of its own.
func fresh(t *testing.T, asOf civil.Date, seed int64) *fixture {
	t.Helper()
	f := load(t, t.TempDir(), asOf, seed)
	t.Cleanup(func() { f.svc.Store().Close() })
	return f
}

func load(t *testing.T, dir string, asOf civil.Date, seed int64) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := NewClock(noonOf(asOf))
	st, err := sqlite.Open(ctx, filepath.Join(dir, "demo.db"), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{svc: service.New(st, clk.Now), clk: clk,
		ctx: service.WithActor(ctx, service.Actor{ID: "test", Role: service.RoleAdmin})}
	if f.sum, err = Generate(f.ctx, f.svc, clk, asOf, seed); err != nil {
		st.Close()
		t.Fatal(err)
	}
	return f
}

func counts(t *testing.T, ctx context.Context, svc *service.Service) map[string]int64 {
	t.Helper()
	var n map[string]int64
	err := svc.Store().Tx(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.Counts(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBuild_Deterministic(t *testing.T) {
	a, err := Build(testAsOf, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(testAsOf, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Customers, b.Customers) || !bytes.Equal(a.Invoices, b.Invoices) || !bytes.Equal(a.Payments, b.Payments) {
		t.Fatal("the same seed built different files")
	}
	c, err := Build(testAsOf, 2)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Invoices, c.Invoices) {
		t.Error("another seed built the same invoices")
	}
}

func readCSV(t *testing.T, b []byte) []map[string]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// The files look like a real business's: the sizes asked for, no payment
// from the future, about 2% disputed, whole yen.
func TestBuild_Shape(t *testing.T) {
	f, err := Build(testAsOf, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := f.Summary
	if s.Customers != 40 || s.Invoices < 1000 || s.Invoices > 1400 || s.Payments < 800 {
		t.Errorf("summary %+v: want 40 customers, about 1,200 invoices and most of them paid", s)
	}
	kinds := map[string]int{}
	for _, c := range readCSV(t, f.Customers) {
		kinds[c["kind"]]++
	}
	if kinds["business"] < 25 || kinds["consumer"] < 8 {
		t.Errorf("customer kinds %v", kinds)
	}
	invs := readCSV(t, f.Invoices)
	disputed := 0
	for _, inv := range invs {
		if inv["disputed"] == "true" {
			disputed++
		}
		if inv["currency"] == "JPY" && bytes.ContainsRune([]byte(inv["amount"]), '.') {
			t.Errorf("JPY amount %q has a fraction", inv["amount"])
		}
		if d, _ := civil.Parse(inv["issue_date"]); d.After(testAsOf) || d.Before(testAsOf.AddDays(-366)) {
			t.Errorf("invoice %s issued %s, outside the year before %s", inv["number"], d, testAsOf)
		}
	}
	if share := disputed * 1000 / len(invs); share < 15 || share > 25 {
		t.Errorf("%d of %d invoices disputed; want about 2%%", disputed, len(invs))
	}
	lumps := 0
	for _, p := range readCSV(t, f.Payments) {
		if d, _ := civil.Parse(p["received_on"]); d.After(testAsOf) {
			t.Errorf("payment %s dated %s, after as-of %s", p["reference"], d, testAsOf)
		}
		if p["invoice_number"] == "" {
			lumps++
		}
	}
	if lumps == 0 {
		t.Error("no lump payment without an invoice number")
	}
}

func TestGenerate(t *testing.T) {
	for _, tc := range []struct {
		asOf civil.Date
		seed int64
	}{{testAsOf, 1}, {civil.New(2026, 11, 15), 42}} {
		t.Run(tc.asOf.String(), func(t *testing.T) {
			f := loaded(t, tc.asOf, tc.seed)
			svc, clk, ctx, sum := f.svc, f.clk, f.ctx, f.sum
			if sum.AlreadyLoaded {
				t.Error("first load reported as already loaded")
			}
			n := counts(t, ctx, svc)
			// The ledger also holds the charges the demo's 90 days of runs
			// and deliveries posted (fees claimed, late fees): settle's,
			// not the demo's own invoices.
			charges := int64(0)
			for cursor := ""; ; {
				list, next, err := svc.Invoices(ctx, store.InvoiceFilter{Page: store.Page{Limit: 500, Cursor: cursor}})
				if err != nil {
					t.Fatal(err)
				}
				for _, inv := range list {
					if inv.IsCharge() {
						charges++
					}
				}
				if cursor = next; next == "" {
					break
				}
			}
			if n["customers"] != int64(sum.Customers) || n["invoices"]-charges != int64(sum.Invoices) || n["payments"] != int64(sum.Payments) {
				t.Errorf("store holds %v (%d of the invoices charges); Generate reported %+v", n, charges, sum)
			}

			r, err := svc.Aging(ctx, tc.asOf, "")
			if err != nil {
				t.Fatal(err)
			}
			byCur := map[money.Currency]*ledger.Buckets{}
			totals := r.Totals()
			for i := range totals {
				byCur[totals[i].Currency] = &totals[i]
			}
			for _, cur := range []money.Currency{"USD", "EUR", "GBP", "JPY"} {
				if b := byCur[cur]; b == nil || b.Total().Sign() <= 0 {
					t.Errorf("no open %s receivables as of %s", cur, tc.asOf)
				}
			}
			usd := byCur["USD"]
			if usd == nil {
				t.Fatal("no USD row")
			}
			for k, name := range ledger.BucketNames {
				if usd.Amounts[k].Sign() <= 0 {
					t.Errorf("USD bucket %s is %s; want every bucket populated", name, usd.Text(k))
				}
			}

			// The overpaying customer is left with a credit.
			pos, err := svc.Position(ctx, "C-2006", tc.asOf)
			if err != nil {
				t.Fatal(err)
			}
			if len(pos.Currencies) == 0 || pos.Currencies[0].Credit.Sign() <= 0 {
				t.Errorf("C-2006 position %+v: want a credit", pos.Currencies)
			}

			again, err := Generate(ctx, svc, clk, tc.asOf, tc.seed)
			if err != nil {
				t.Fatal(err)
			}
			if !again.AlreadyLoaded {
				t.Error("second load not reported as already loaded")
			}
			if n2 := counts(t, ctx, svc); !maps.Equal(n, n2) {
				t.Errorf("second Generate changed the store: %v, then %v", n, n2)
			}
		})
	}
}
