package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"

	"settle/internal/bench"
	"settle/internal/service"
	"settle/internal/store"
)

func (a *App) benchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure settle against the raw database engines",
	}
	cmd.AddCommand(a.benchIngestCmd(), a.benchIngestChildCmd(), a.benchNegotiateCmd(), a.benchRunCmd(), a.benchSoakCmd())
	return cmd
}

func (a *App) benchIngestCmd() *cobra.Command {
	var opt bench.Options
	var engines string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ingest",
		Short: "Time an invoice import against sqlite3 .import and psql \\copy",
		Long: `Generate N invoices (deterministic data), then for each engine load them with
settle (the code path of 'settle import invoices', in a child process) and with
the raw engine into an equivalent table (sqlite3 .import; psql \copy), and print
rows/s, peak RSS and settle's time relative to the raw engine's.
Targets: settle ≤ 1.5× the raw engine's time, peak RSS ≤ 200 MB.

Each run uses fresh databases: SQLite files in the work directory, and a new
database on the PostgreSQL server (dropped afterwards unless --keep). Without
a PostgreSQL server (--postgres, env SETTLE_BENCH_POSTGRES or
SETTLE_TEST_POSTGRES) PostgreSQL is skipped.`,
		Example: `  settle bench ingest --invoices 1000000
  settle bench ingest --invoices 100000 --engines sqlite --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opt.Invoices <= 0 {
				return usageError{fmt.Errorf("--invoices must be positive, got %d", opt.Invoices)}
			}
			list, err := bench.ParseEngines(engines)
			if err != nil {
				return usageError{fmt.Errorf("--engines: %w", err)}
			}
			opt.Engines = list
			if opt.Postgres == "" {
				opt.Postgres = os.Getenv("SETTLE_BENCH_POSTGRES")
			}
			if opt.Postgres == "" {
				opt.Postgres = os.Getenv("SETTLE_TEST_POSTGRES")
			}
			opt.Log = a.Stderr
			rep, err := bench.Run(cmd.Context(), opt)
			if err != nil {
				return err
			}
			if asJSON {
				return rep.WriteJSON(a.Stdout)
			}
			return rep.WriteTable(a.Stdout)
		},
	}
	cmd.Flags().IntVar(&opt.Invoices, "invoices", bench.DefaultRows, "number of invoices to generate and load")
	cmd.Flags().StringVar(&engines, "engines", "sqlite,postgres", "engines to measure, comma-separated")
	cmd.Flags().StringVar(&opt.Postgres, "postgres", "", "PostgreSQL server URL to create the run's database on (env SETTLE_BENCH_POSTGRES, SETTLE_TEST_POSTGRES)")
	cmd.Flags().StringVar(&opt.Dir, "dir", "", "work directory for the data and SQLite files, left in place (default: a temporary directory)")
	cmd.Flags().BoolVar(&opt.Keep, "keep", false, "keep the temporary directory and the PostgreSQL database")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as JSON")
	return cmd
}

// benchIngestChildCmd is the settle side of the benchmark, run by ingest
// in a child process so that its peak RSS is its own: the import of
// 'settle import', then one JSON line (bench.ChildResult) on stdout.
func (a *App) benchIngestChildCmd() *cobra.Command {
	var kind, file, cpuProfile string
	cmd := &cobra.Command{
		Use:    "ingest-child --kind customers|invoices --file FILE",
		Short:  "Import a file as 'settle import' does and print the timing as JSON (used by bench ingest)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if kind != "customers" && kind != "invoices" {
				return usageError{fmt.Errorf("--kind %q: must be customers or invoices", kind)}
			}
			if cpuProfile != "" {
				pf, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer pf.Close()
				if err := pprof.StartCPUProfile(pf); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			f, err := os.Open(file)
			if err != nil {
				return err
			}
			defer f.Close()
			svc, ctx, done, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			start := time.Now()
			res, err := svc.Import(ctx, kind, f, service.ImportOptions{
				Filename: filepath.Base(file),
				Progress: func(n int) { fmt.Fprintf(a.Stderr, "… %d rows read\n", n) },
			})
			if err != nil {
				return err
			}
			return json.NewEncoder(a.Stdout).Encode(bench.ChildResult{Kind: kind, Rows: res.Rows,
				Inserted: res.Inserted, ImportSeconds: time.Since(start).Seconds()})
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "invoices", "customers or invoices")
	cmd.Flags().StringVar(&file, "file", "", "the CSV file")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the child to this file")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func (a *App) benchNegotiateCmd() *cobra.Command {
	var opt bench.NegotiateOptions
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "negotiate",
		Short: "Load-test counter-offers over HTTP on a loopback port",
		Long: `Serve the API on a loopback port, open --negotiations negotiations for fresh
customers, then have --connections clients post counter-offers for --duration
and print throughput and latency percentiles (target: ≥ 5,000 counter-offers/s
with p99 ≤ 10 ms on a 2-core machine). Every request runs the whole stack:
HTTP, authentication, the engine and a write transaction.

Without --db it uses a fresh SQLite database in a temporary directory; with
--db it adds its customers (tagged with a run id) to that database.`,
		Example: `  settle bench negotiate
  settle bench negotiate --db postgres://localhost/settle_bench --connections 32`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, done, err := a.benchStore(cmd)
			if err != nil {
				return err
			}
			defer done()
			rep, err := bench.RunNegotiate(cmd.Context(), st, opt)
			if rep != nil {
				if asJSON {
					rep.WriteJSON(a.Stdout)
				} else {
					rep.WriteTable(a.Stdout)
				}
			}
			return err
		},
	}
	cmd.Flags().IntVar(&opt.Negotiations, "negotiations", 2000, "open negotiations to spread the load over")
	cmd.Flags().IntVar(&opt.Connections, "connections", 16, "concurrent HTTP clients")
	cmd.Flags().DurationVar(&opt.Duration, "duration", 10*time.Second, "how long to post counter-offers")
	cmd.Flags().StringVar(&opt.Client, "client", "go", "load generator: go (in-process) or wrk (on PATH)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *App) benchRunCmd() *cobra.Command {
	var n int
	var asJSON bool
	var profile string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Time the daily collections run over N open invoices (N/10 customers)",
		Long: `Load N open invoices over N/10 customers (all overdue on the run's date) into a
fresh database, then time one raw aggregate scan of the invoices by customer,
the collections run for the date, and the same date again. Targets: the run
≤ 2× the scan and ≤ 10 s at 1,000,000 invoices; a rerun ≤ 1 s.

Without --db it uses a fresh SQLite database in a temporary directory; --db
must name an empty database.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, done, err := a.benchStore(cmd)
			if err != nil {
				return err
			}
			defer done()
			rep, err := bench.RunCollections(cmd.Context(), st, n, a.Stderr, profile)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(a.Stdout).Encode(rep)
			}
			rep.WriteTable(a.Stdout)
			return nil
		},
	}
	cmd.Flags().IntVar(&n, "invoices", 1000000, "open invoices to load")
	cmd.Flags().StringVar(&profile, "cpuprofile", "", "write a CPU profile of the daily run to this file")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// benchStore opens --db when given (or SETTLE_DB), else a fresh SQLite
// database in a temporary directory that done removes.
func (a *App) benchStore(cmd *cobra.Command) (store.Store, func(), error) {
	dsn, dir := a.DB, ""
	if !cmd.Flags().Changed("db") && os.Getenv("SETTLE_DB") == "" {
		var err error
		if dir, err = os.MkdirTemp("", "settle-bench-"); err != nil {
			return nil, nil, err
		}
		dsn = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	st, err := OpenStore(cmd.Context(), dsn, nil)
	if err != nil {
		if dir != "" {
			os.RemoveAll(dir)
		}
		return nil, nil, err
	}
	return st, func() {
		st.Close()
		if dir != "" {
			os.RemoveAll(dir)
		}
	}, nil
}

func (a *App) benchSoakCmd() *cobra.Command {
	opt := bench.SoakOptions{Instances: 3, Duration: 10 * time.Minute, KillEvery: time.Minute, Workers: 8,
		RunEvery: 20 * time.Second, Settle: 3 * time.Minute, Drain: 2 * time.Minute}
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "soak --db postgres://…",
		Short: "Scale-out soak: several settle serve instances on one PostgreSQL, one killed every minute",
		Long: `Create a fresh database on the PostgreSQL server --db names, start --instances
'settle serve' processes on it (this binary; SETTLE_RUN_AT=off, email to an
in-process SMTP sink, webhooks to an in-process receiver), and drive them for
--duration with --workers clients through a client-side round-robin balancer:
customers, invoices, payments (many to the same customers at once), promises,
negotiations with counter-offers, acceptances, cancelled and renegotiated
plans, reads, and the daily run of an advancing date every --run-every (often
sent to two instances at once). A request whose connection fails is sent to
the next instance with the same Idempotency-Key. Every --kill-every a random
instance is SIGKILLed and restarted on its port.

Afterwards requests left in doubt by a kill are retried for up to --settle
(the API takes over a key abandoned by a dead process after 2 minutes), the
outbox and the webhooks drain, and the soak checks: every acknowledged write
exists exactly once, nothing unsent exists, the ledger adds up, one run per
date, every queued email received once (a duplicate only across a kill),
every webhook event received, no 5xx outside a kill window. It prints the
counts, the errors by class and the latencies per operation, and exits 1 on
any violation. The database is dropped at the end unless --keep.`,
		Example: `  settle bench soak --db postgres://localhost/postgres
  settle bench soak --db "$SETTLE_TEST_POSTGRES" --duration 1m --kill-every 15s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("db") && os.Getenv("SETTLE_DB") == "" {
				return usageError{fmt.Errorf("bench soak: --db postgres://… is required")}
			}
			opt.DB = a.DB
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			opt.Exe, opt.Log = exe, a.Stderr
			rep, err := bench.RunSoak(cmd.Context(), opt)
			if rep != nil {
				if asJSON {
					rep.WriteJSON(a.Stdout)
				} else {
					rep.WriteTable(a.Stdout)
				}
			}
			return err
		},
	}
	f := cmd.Flags()
	f.IntVar(&opt.Instances, "instances", opt.Instances, "settle serve processes")
	f.DurationVar(&opt.Duration, "duration", opt.Duration, "how long the load runs")
	f.DurationVar(&opt.KillEvery, "kill-every", opt.KillEvery, "SIGKILL and restart a random instance this often (0: never)")
	f.IntVar(&opt.Workers, "workers", opt.Workers, "concurrent clients")
	f.Uint64Var(&opt.Seed, "seed", 1, "random seed of the load and the kills")
	f.DurationVar(&opt.RunEvery, "run-every", opt.RunEvery, "ask for the next date's daily run this often")
	f.DurationVar(&opt.Settle, "settle", opt.Settle, "after the load, retry requests left in doubt for up to this long (0: leave them in doubt)")
	f.DurationVar(&opt.Drain, "drain", opt.Drain, "wait at most this long for emails and webhooks to drain")
	f.BoolVar(&opt.Keep, "keep", false, "keep the database and the instances' logs")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}
