package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// ChildResult is what `settle bench ingest-child` prints on stdout: one
// JSON object.
type ChildResult struct {
	Kind          string  `json:"kind"`
	Rows          int     `json:"rows"`
	Inserted      int     `json:"inserted"`
	ImportSeconds float64 `json:"import_seconds"` // service.Import alone
}

// proc is what the operating system says about a finished process.
type proc struct {
	Seconds   float64 // wall time, start to exit
	PeakRSSMB float64
}

// run runs cmd to completion, measuring its wall time and peak RSS. Its
// stdout is returned; its stderr is kept for the error message.
func run(cmd *exec.Cmd) ([]byte, proc, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, proc{}, err
	}
	err := cmd.Wait()
	p := proc{Seconds: time.Since(start).Seconds()}
	if cmd.ProcessState != nil {
		p.PeakRSSMB = peakRSSMB(cmd.ProcessState)
	}
	if err != nil {
		return nil, p, fmt.Errorf("%s: %w: %s", cmd.Path, err, tail(stderr.String(), 2000))
	}
	return stdout.Bytes(), p, nil
}

// tail is the end of s, at most n bytes, on one line.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return strings.ReplaceAll(s, "\n", " | ")
}

// importChild imports file (customers or invoices) into the database dsn
// with settle, in a child process.
func importChild(ctx context.Context, opt Options, dsn, kind, file string) (ChildResult, proc, error) {
	cmd := exec.CommandContext(ctx, opt.Exe, "--db", dsn, "bench", "ingest-child", "--kind", kind, "--file", file)
	cmd.Env = append(os.Environ(), opt.Env...)
	out, p, err := run(cmd)
	if err != nil {
		return ChildResult{}, p, fmt.Errorf("settle import %s: %w", kind, err)
	}
	var res ChildResult
	if err := json.Unmarshal(out, &res); err != nil {
		return ChildResult{}, p, fmt.Errorf("settle import %s: unexpected child output %q: %w", kind, tail(string(out), 200), err)
	}
	return res, p, nil
}

// settleCustomers imports the customers into the fresh database dsn (not
// measured: the benchmark is about invoices).
func settleCustomers(ctx context.Context, opt Options, engine, dsn string, data *Data) error {
	fmt.Fprintf(opt.Log, "%s: settle: importing %d customers (not timed)\n", engine, data.Customers)
	res, _, err := importChild(ctx, opt, dsn, "customers", data.CustomerFile)
	if err == nil && res.Inserted != data.Customers {
		err = fmt.Errorf("settle import customers: inserted %d, want %d", res.Inserted, data.Customers)
	}
	return err
}

// settleInvoices imports the invoices with settle and measures it.
func settleInvoices(ctx context.Context, opt Options, engine, dsn string, data *Data) (Result, error) {
	fmt.Fprintf(opt.Log, "%s: settle: importing %d invoices\n", engine, data.Invoices)
	res, p, err := importChild(ctx, opt, dsn, "invoices", data.InvoiceFile)
	if err != nil {
		return Result{}, err
	}
	if res.Rows != data.Invoices || res.Inserted != data.Invoices {
		return Result{}, fmt.Errorf("settle import invoices: read %d rows and inserted %d, want %d", res.Rows, res.Inserted, data.Invoices)
	}
	fmt.Fprintf(opt.Log, "%s: settle: %.2f s (import %.2f s), peak RSS %.1f MB\n", engine, p.Seconds, res.ImportSeconds, p.PeakRSSMB)
	return Result{Engine: engine, Path: "settle", Rows: res.Inserted, Seconds: p.Seconds,
		ImportSeconds: res.ImportSeconds, PeakRSSMB: p.PeakRSSMB}, nil
}

// migrateChild creates settle's schema in the database dsn.
func migrateChild(ctx context.Context, opt Options, dsn string) error {
	cmd := exec.CommandContext(ctx, opt.Exe, "--db", dsn, "migrate")
	cmd.Env = append(os.Environ(), opt.Env...)
	_, _, err := run(cmd)
	return err
}
