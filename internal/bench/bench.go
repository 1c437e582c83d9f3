// Package bench measures settle's CSV invoice import against the raw
// database engines doing the same load: `sqlite3 .import` for SQLite and
// psql's `\copy` for PostgreSQL, into equivalent tables.
//
// Data is generated (deterministic files, see Generate). Settle's import
// runs in a child process — the current binary re-executed with the
// hidden `bench ingest-child` command, which imports through
// service.Import exactly like `settle import` — so that its peak RSS can
// be read from the operating system (rusage) like the raw tools'.
package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// Targets of the ingest benchmark.
const (
	MaxRatio    = 1.5 // settle's time at most 1.5× the raw engine's
	MaxPeakRSS  = 200 // MB (10^6 bytes), settle's process
	DefaultRows = 1_000_000
)

// Engines the benchmark knows.
var Engines = []string{"sqlite", "postgres"}

// Options configure a run.
type Options struct {
	Invoices int
	Engines  []string // default: Engines
	Postgres string   // server DSN (postgres:// URL); "" skips PostgreSQL
	Dir      string   // work directory; "" makes a temporary one
	Keep     bool     // keep the temporary directory and PostgreSQL database
	// Exe is the settle binary run as the child (default os.Executable()),
	// with Env added to the environment.
	Exe string
	Env []string
	// Log receives progress lines (nil: discarded).
	Log io.Writer
}

// Result is one load.
type Result struct {
	Engine string `json:"engine"` // sqlite, postgres
	Path   string `json:"path"`   // settle, raw
	Rows   int    `json:"rows"`
	// Seconds is the wall time of the process that did the load: the
	// settle child (start to exit), or sqlite3/psql.
	Seconds float64 `json:"seconds"`
	// ImportSeconds is the time of service.Import alone, measured inside
	// the settle child (0 for raw).
	ImportSeconds float64 `json:"import_seconds,omitempty"`
	RowsPerSecond float64 `json:"rows_per_second"`
	// PeakRSSMB is the loading process's peak resident set (rusage
	// maxrss) in MB; the PostgreSQL server's memory is not counted.
	PeakRSSMB float64 `json:"peak_rss_mb"`
	// For settle, against the raw engine on the same data.
	Ratio float64 `json:"ratio,omitempty"` // settle seconds / raw seconds
	// RatioSameRows is settle's time over the raw engine's loading the very
	// rows settle stored into settle's own schema (path "raw-same"): the
	// cost of settle's work alone, with the schema's width taken out.
	RatioSameRows float64 `json:"ratio_same_rows,omitempty"`
	TimeOK        *bool   `json:"time_ok,omitempty"` // Ratio <= MaxRatio
	MemOK         *bool   `json:"mem_ok,omitempty"`  // PeakRSSMB <= MaxPeakRSS
}

// Report is a whole run.
type Report struct {
	Invoices  int    `json:"invoices"`
	Customers int    `json:"customers"`
	Dir       string `json:"dir,omitempty"` // set when kept
	// SelfPeakRSSMB is the benchmark process's own peak RSS: on Linux a
	// child's reading may include it, so readings below it are upper
	// bounds.
	SelfPeakRSSMB float64  `json:"self_peak_rss_mb"`
	Results       []Result `json:"results"`
	Notes         []string `json:"notes,omitempty"` // skipped engines and paths, with why
}

// Run generates the data and loads it with settle and the raw engine for
// each engine asked for. An engine that cannot run (no PostgreSQL server,
// no sqlite3 or psql) is noted in the report, not an error.
func Run(ctx context.Context, opt Options) (*Report, error) {
	if opt.Invoices <= 0 {
		return nil, fmt.Errorf("bench: --invoices must be positive, got %d", opt.Invoices)
	}
	engines := opt.Engines
	if len(engines) == 0 {
		engines = Engines
	}
	for _, e := range engines {
		if e != "sqlite" && e != "postgres" {
			return nil, fmt.Errorf("bench: unknown engine %q (use sqlite, postgres)", e)
		}
	}
	if opt.Exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("bench: cannot find the settle binary: %w", err)
		}
		opt.Exe = exe
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}

	dir := opt.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "settle-bench-")
		if err != nil {
			return nil, err
		}
		dir = tmp
		if !opt.Keep {
			defer os.RemoveAll(tmp)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}

	fmt.Fprintf(opt.Log, "generating %d invoices in %s\n", opt.Invoices, dir)
	data, err := Generate(dir, opt.Invoices)
	if err != nil {
		return nil, err
	}
	rep := &Report{Invoices: data.Invoices, Customers: data.Customers}
	if opt.Keep || opt.Dir != "" {
		rep.Dir = dir
	}
	for _, e := range engines {
		var err error
		switch e {
		case "sqlite":
			err = runSQLite(ctx, opt, data, rep)
		case "postgres":
			err = runPostgres(ctx, opt, data, rep)
		}
		if err != nil {
			return rep, fmt.Errorf("bench %s: %w", e, err)
		}
	}
	rep.SelfPeakRSSMB = selfPeakRSSMB()
	return rep, nil
}

// add appends a result, computing its rate.
func (r *Report) add(res Result) {
	if res.Seconds > 0 {
		res.RowsPerSecond = float64(res.Rows) / res.Seconds
	}
	r.Results = append(r.Results, res)
}

func (r *Report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// judge fills the settle row of engine with its ratio and verdicts.
func (r *Report) judge(engine string) {
	var settle, raw, same *Result
	for i := range r.Results {
		res := &r.Results[i]
		if res.Engine != engine {
			continue
		}
		switch res.Path {
		case "settle":
			settle = res
		case "raw":
			raw = res
		case "raw-same":
			same = res
		}
	}
	if settle == nil {
		return
	}
	memOK := settle.PeakRSSMB > 0 && settle.PeakRSSMB <= MaxPeakRSS
	settle.MemOK = &memOK
	if same != nil && same.Seconds > 0 {
		settle.RatioSameRows = settle.Seconds / same.Seconds
	}
	if raw != nil && raw.Seconds > 0 {
		settle.Ratio = settle.Seconds / raw.Seconds
		timeOK := settle.Ratio <= MaxRatio
		settle.TimeOK = &timeOK
	}
}

// WriteJSON prints the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable prints the report for people.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "ingest: %d invoices, %d customers (targets: settle ≤ %.1f× the raw engine's time, peak RSS ≤ %d MB)\n",
		r.Invoices, r.Customers, MaxRatio, MaxPeakRSS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "engine\tpath\trows\tseconds\timport s\trows/s\tpeak RSS MB\tsettle/raw\ttime\tmemory\tsettle/raw-same\t")
	for _, res := range r.Results {
		imp, ratio, same := "-", "-", "-"
		if res.ImportSeconds > 0 {
			imp = fmt.Sprintf("%.2f", res.ImportSeconds)
		}
		if res.Ratio > 0 {
			ratio = fmt.Sprintf("%.2f×", res.Ratio)
		}
		if res.RatioSameRows > 0 {
			same = fmt.Sprintf("%.2f×", res.RatioSameRows)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.2f\t%s\t%.0f\t%.1f\t%s\t%s\t%s\t%s\t\n", res.Engine, res.Path, res.Rows, res.Seconds,
			imp, res.RowsPerSecond, res.PeakRSSMB, ratio, verdict(res.TimeOK), verdict(res.MemOK), same)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "seconds: wall time of the loading process (settle: the `settle import invoices` child, start to exit;")
	fmt.Fprintln(w, "raw: sqlite3 .import / psql \\copy of the CSV into an equivalent table; raw-same: the same tool loading")
	fmt.Fprintln(w, "the very rows settle stored (ids, balances, timestamps) into settle's own schema); import s: service.Import alone.")
	fmt.Fprintln(w, "peak RSS: the loading process only (rusage maxrss); the PostgreSQL server's memory is not counted.")
	if r.SelfPeakRSSMB > 0 {
		fmt.Fprintf(w, "(a child's maxrss can include this benchmark process's own, %.1f MB: readings near it are upper bounds.)\n", r.SelfPeakRSSMB)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if r.Dir != "" {
		fmt.Fprintf(w, "files kept in %s\n", r.Dir)
	}
	return nil
}

func verdict(ok *bool) string {
	switch {
	case ok == nil:
		return "-"
	case *ok:
		return "PASS"
	default:
		return "MISS"
	}
}

// ParseEngines reads a comma-separated engine list ("sqlite,postgres").
func ParseEngines(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, e := range strings.Split(s, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" || seen[e] {
			continue
		}
		if e != "sqlite" && e != "postgres" {
			return nil, fmt.Errorf("unknown engine %q (use sqlite, postgres)", e)
		}
		seen[e] = true
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, errors.New("no engine given (use sqlite, postgres)")
	}
	return out, nil
}
