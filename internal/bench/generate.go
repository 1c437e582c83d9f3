package bench

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// Seeds of the generator: the same N always gives the same files.
const seed1, seed2 = 20250101, 1000000

// Data names the generated files.
type Data struct {
	Dir          string
	CustomerFile string
	InvoiceFile  string
	Customers    int
	Invoices     int
}

// CustomerCount is the number of customers generated for n invoices:
// n/100, at least 10.
func CustomerCount(n int) int {
	return max(n/100, 10)
}

// Generate writes customers.csv and invoices.csv for n invoices into dir.
func Generate(dir string, n int) (*Data, error) {
	if n <= 0 {
		return nil, fmt.Errorf("bench: --invoices must be positive, got %d", n)
	}
	d := &Data{
		Dir:          dir,
		CustomerFile: filepath.Join(dir, "customers.csv"),
		InvoiceFile:  filepath.Join(dir, "invoices.csv"),
		Customers:    CustomerCount(n),
		Invoices:     n,
	}
	if err := writeFile(d.CustomerFile, func(w io.Writer) error { return WriteCustomers(w, d.Customers) }); err != nil {
		return nil, err
	}
	if err := writeFile(d.InvoiceFile, func(w io.Writer) error { return WriteInvoices(w, n, d.Customers) }); err != nil {
		return nil, err
	}
	return d, nil
}

func writeFile(path string, fill func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	if err := fill(w); err != nil {
		f.Close()
		return fmt.Errorf("bench: write %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("bench: write %s: %w", path, err)
	}
	return f.Close()
}

// WriteCustomers writes the customers file: external_ref C000001… and a
// name.
func WriteCustomers(w io.Writer, customers int) error {
	if _, err := io.WriteString(w, "external_ref,name,email\n"); err != nil {
		return err
	}
	for i := 1; i <= customers; i++ {
		if _, err := fmt.Fprintf(w, "C%06d,Customer %06d,ap%06d@example.com\n", i, i, i); err != nil {
			return err
		}
	}
	return nil
}

// WriteInvoices writes n invoices in the contract format
// number,customer_ref,issue_date,due_date,currency,amount: numbers
// INV00000001…, a random customer, an issue date in 2025 due 30 days
// later, and a USD amount from 1.00 to 10,000.00. Rows are written one
// at a time, so memory does not grow with n.
func WriteInvoices(w io.Writer, n, customers int) error {
	rng := rand.New(rand.NewPCG(seed1, seed2))
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var issue, due [365]string
	for i := range issue {
		day := start.AddDate(0, 0, i)
		issue[i] = day.Format(time.DateOnly)
		due[i] = day.AddDate(0, 0, 30).Format(time.DateOnly)
	}
	if _, err := io.WriteString(w, "number,customer_ref,issue_date,due_date,currency,amount\n"); err != nil {
		return err
	}
	for i := 1; i <= n; i++ {
		c := rng.IntN(customers) + 1
		day := rng.IntN(len(issue))
		cents := rng.IntN(999_901) + 100
		if _, err := fmt.Fprintf(w, "INV%08d,C%06d,%s,%s,USD,%d.%02d\n", i, c, issue[day], due[day], cents/100, cents%100); err != nil {
			return err
		}
	}
	return nil
}
