package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"settle/internal/service"
	"settle/internal/store"
)

// RunReport is what `settle bench run` measured.
type RunReport struct {
	Engine      string  `json:"engine"`
	Invoices    int     `json:"invoices"`
	Customers   int     `json:"customers"`
	LoadSeconds float64 `json:"load_seconds"`
	ScanSeconds float64 `json:"scan_seconds"` // one raw GROUP BY customer aggregate over the open invoices
	// The first run on the freshly loaded book (the day before): it visits
	// every customer and takes every step reached so far.
	CatchUpSeconds float64 `json:"catch_up_seconds"`
	CatchUpVisited int     `json:"catch_up_customers"`
	RunSeconds     float64 `json:"run_seconds"` // the next day's run: the daily run
	Visited        int     `json:"run_customers"`
	RerunMillis    float64 `json:"rerun_ms"` // the same date again
	// Between the catch-up and the measured day, the daily runs of the
	// days in between, as a scheduler would run them: the first of them
	// (2026-01-31) is the day be9ae5b's benchmark measured.
	Between  []DayRun `json:"between"`
	Messages int      `json:"messages"`
	Tasks    int      `json:"tasks"`
	Events   int      `json:"events"`
}

// DayRun is one daily run's figures.
type DayRun struct {
	Date     string  `json:"date"`
	Seconds  float64 `json:"seconds"`
	Visited  int     `json:"customers"`
	Messages int     `json:"messages"`
	Tasks    int     `json:"tasks"`
}

// RunCollections loads n open invoices over n/10 customers (all overdue
// by 31 January 2026, or within the ladder's reach of it), times one raw
// aggregate scan of the invoices by customer, the first run on the new
// book (the catch-up, 2026-01-30), the daily runs of the days after it as
// a scheduler runs them (Between), the measured day's run, and a second
// run of that date. st must be empty. When cpuProfile is set, a CPU
// profile of the measured day's run is written there.
// measuredDay is the day the benchmark times: the catch-up's date
// (2026-01-30) plus the minimum gap between two steps of a case.
const measuredDay = "2026-02-03"

func RunCollections(ctx context.Context, st store.Store, n int, progress io.Writer, cpuProfile string) (*RunReport, error) {
	if n <= 0 {
		return nil, fmt.Errorf("bench run: --invoices must be positive")
	}
	dir, err := os.MkdirTemp("", "settle-bench-run-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	customers := max(n/10, 1)
	rep := &RunReport{Engine: st.Engine(), Invoices: n, Customers: customers}
	cf, inf := filepath.Join(dir, "customers.csv"), filepath.Join(dir, "invoices.csv")
	if err := writeFile(cf, func(w io.Writer) error { return WriteCustomers(w, customers) }); err != nil {
		return nil, err
	}
	if err := writeFile(inf, func(w io.Writer) error { return WriteInvoices(w, n, customers) }); err != nil {
		return nil, err
	}
	svc := service.New(st, func() time.Time { return time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC) })
	admin := service.WithActor(ctx, service.Actor{ID: "cli:bench", Role: service.RoleAdmin})
	t0 := time.Now()
	for _, f := range []struct{ kind, path string }{{"customers", cf}, {"invoices", inf}} {
		r, err := os.Open(f.path)
		if err != nil {
			return nil, err
		}
		_, err = svc.Import(admin, f.kind, r, service.ImportOptions{Filename: f.kind + ".csv"})
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("bench run: import %s: %w", f.kind, err)
		}
	}
	rep.LoadSeconds = time.Since(t0).Seconds()
	fmt.Fprintf(progress, "loaded %d invoices over %d customers in %.1f s\n", n, customers, rep.LoadSeconds)

	db, ok := st.(interface{ SQL() *sql.DB })
	if !ok {
		return nil, fmt.Errorf("bench run: the store gives no SQL handle")
	}
	t0 = time.Now()
	rows, err := db.SQL().QueryContext(ctx, `SELECT customer_id, COUNT(*), SUM(balance_minor), MIN(due_date) FROM invoices WHERE balance_minor > 0 GROUP BY customer_id`)
	if err != nil {
		return nil, err
	}
	groups := 0
	for rows.Next() {
		groups++
	}
	rows.Close()
	rep.ScanSeconds = time.Since(t0).Seconds()
	fmt.Fprintf(progress, "raw aggregate scan: %d customers in %.2f s\n", groups, rep.ScanSeconds)

	// The first run on a freshly loaded book visits every customer and
	// opens a collection case for each (the catch-up: the first overdue
	// step, whatever the age of the debt); the measured run is the day
	// the cases may take their next step (DefaultMinGapDays later), when
	// every customer with overdue invoices is visited and stepped on: a
	// heavier day than most.
	t0 = time.Now()
	last := time.Now()
	first, err := svc.StartRunProgress(admin, service.RunInput{AsOf: "2026-01-30"}, func(k int) {
		if time.Since(last) > 5*time.Second {
			fmt.Fprintf(progress, "… %d customers visited\n", k)
			last = time.Now()
		}
	})
	if err != nil {
		return nil, err
	}
	rep.CatchUpSeconds = time.Since(t0).Seconds()
	rep.CatchUpVisited = first.Run.Done
	fmt.Fprintf(progress, "catch-up run (2026-01-30, the first on this book): %d customers in %.1f s\n", first.Run.Done, rep.CatchUpSeconds)

	for _, day := range []string{"2026-01-31", "2026-02-01", "2026-02-02"} {
		t0 = time.Now()
		v, err := svc.StartRun(admin, service.RunInput{AsOf: day})
		if err != nil {
			return nil, err
		}
		d := DayRun{Date: day, Seconds: time.Since(t0).Seconds(), Visited: v.Run.Done, Messages: v.Run.Messages, Tasks: v.Run.Tasks}
		rep.Between = append(rep.Between, d)
		fmt.Fprintf(progress, "daily run %s: %d customers due in %.2f s (%d messages, %d tasks)\n", day, d.Visited, d.Seconds, d.Messages, d.Tasks)
	}

	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
	}
	t0 = time.Now()
	v, err := svc.StartRun(admin, service.RunInput{AsOf: measuredDay})
	rep.RunSeconds = time.Since(t0).Seconds()
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return nil, err
	}
	rep.Visited = v.Run.Done
	rep.Messages, rep.Tasks, rep.Events = v.Run.Messages, v.Run.Tasks, v.Run.Events
	t0 = time.Now()
	if _, err := svc.StartRun(admin, service.RunInput{AsOf: measuredDay}); err != nil {
		return nil, err
	}
	rep.RerunMillis = float64(time.Since(t0).Microseconds()) / 1000
	return rep, nil
}

// WriteTable prints the report with the targets.
func (r *RunReport) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "daily run on %s: %d open invoices, %d customers (loaded in %.1f s)\n", r.Engine, r.Invoices, r.Customers, r.LoadSeconds)
	fmt.Fprintf(w, "  raw aggregate scan %.2f s\n", r.ScanSeconds)
	fmt.Fprintf(w, "  first run on the new book (catch-up, 2026-01-30): %d customers in %.1f s (%.1f× the scan)\n",
		r.CatchUpVisited, r.CatchUpSeconds, r.CatchUpSeconds/max(r.ScanSeconds, 1e-9))
	for _, d := range r.Between {
		fmt.Fprintf(w, "  daily run (%s): %d customers due, %.2f s (%d messages, %d tasks)\n", d.Date, d.Visited, d.Seconds, d.Messages, d.Tasks)
	}
	fmt.Fprintf(w, "  daily run ("+measuredDay+"): %d customers due, %.2f s (%.1f× the scan; %d messages, %d tasks, %d events); same date again %.0f ms\n",
		r.Visited, r.RunSeconds, r.RunSeconds/max(r.ScanSeconds, 1e-9), r.Messages, r.Tasks, r.Events, r.RerunMillis)
	verdict := func(ok bool) string {
		if ok {
			return "MET"
		}
		return "MISSED"
	}
	fmt.Fprintf(w, "  targets: daily run ≤ 2× the scan and ≤ 10 s: %s; rerun ≤ 1 s: %s; catch-up ≤ 10 s: %s\n",
		verdict(r.RunSeconds <= 2*r.ScanSeconds && r.RunSeconds <= 10), verdict(r.RerunMillis <= 1000), verdict(r.CatchUpSeconds <= 10))
}
