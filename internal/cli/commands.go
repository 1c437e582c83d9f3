package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"settle/internal/civil"
	"settle/internal/csvin"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/service"
)

func (a *App) migrateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade the database schema",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := OpenStore(cmd.Context(), a.DB, a.Now) // Open applies pending migrations
			if err != nil {
				return err
			}
			defer st.Close()
			v, err := st.SchemaVersion(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.Stdout, "%s database is at schema version %d\n", st.Engine(), v)
			return nil
		},
	}
}

func (a *App) importCmd() *cobra.Command {
	var dateFormat, mapping string
	cmd := &cobra.Command{
		Use:   "import {customers|invoices|payments} FILE",
		Short: "Import a CSV file: every row or none",
		Long: `Import a CSV file (formats in docs/api.md). Every row is imported or none;
every bad row is reported with its line and column. Importing the same file
again changes nothing and says so.`,
		Example: `  settle import customers customers.csv
  settle import invoices export.csv --date-format DD/MM/YYYY --map "Invoice No=number,Client=customer_ref"`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, path := args[0], args[1]
			if _, err := csvin.FormatOf(kind); err != nil {
				return usageError{fmt.Errorf("import: %q: must be customers, invoices or payments", kind)}
			}
			m, err := csvin.ParseMapping(mapping)
			if err != nil {
				return err
			}
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			svc, ctx, done, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.Import(ctx, kind, f, service.ImportOptions{
				Filename: filepath.Base(path), DateFormat: dateFormat, Mapping: m,
				Progress: func(n int) {
					fmt.Fprintf(a.Stderr, "… %d rows read\n", n)
					if svc.Fault != nil { // crash tests only (SETTLE_TEST_FAULT)
						svc.Fault(faultImportProgress, fmt.Sprint(n, " rows"))
					}
				},
			})
			if err != nil {
				return err
			}
			fmt.Fprintln(a.Stdout, res.Summary())
			if len(res.IgnoredColumns) > 0 {
				fmt.Fprintf(a.Stdout, "ignored columns: %v\n", res.IgnoredColumns)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dateFormat, "date-format", "", "date format of the file, e.g. DD/MM/YYYY or MM/DD/YYYY (default YYYY-MM-DD)")
	cmd.Flags().StringVar(&mapping, "map", "", "rename file columns to settle's: fileColumn=settleColumn,…")
	cmd.AddCommand(a.importBankCmd())
	return cmd
}

func (a *App) agingCmd() *cobra.Command {
	var asOf, currency string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "aging",
		Short: "Print the aging report as of a date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, ctx, done, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			d, err := svc.AsOf("--as-of", asOf)
			if err != nil {
				return err
			}
			var cur money.Currency
			if currency != "" {
				if cur, err = money.ParseCurrency(currency); err != nil {
					return fmt.Errorf("--currency: %w", err)
				}
			}
			r, err := svc.Aging(ctx, d, cur)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(a.Stdout).Encode(agingJSON(r))
			}
			printAging(a, r)
			return nil
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "date YYYY-MM-DD (default today)")
	cmd.Flags().StringVar(&currency, "currency", "", "only this currency")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (the API's shape)")
	return cmd
}

func printAging(a *App, r *ledger.AgingReport) {
	w := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(a.Stdout, "Aging as of %s\n", r.AsOf)
	fmt.Fprintln(w, "customer\tcurrency\tcurrent\t1-30\t31-60\t61-90\t90+\ttotal\t")
	row := func(name string, b ledger.Buckets) {
		fmt.Fprintf(w, "%s\t%s\t", name, b.Currency)
		for k := range ledger.BucketNames {
			fmt.Fprintf(w, "%s\t", b.Text(k))
		}
		fmt.Fprintf(w, "%s\t\n", b.Total().Text(b.Currency))
	}
	for _, c := range r.Customers() {
		name := c.ExternalRef
		if name == "" {
			name = c.CustomerID
		}
		row(name, c.Buckets)
	}
	for _, t := range r.Totals() {
		row("TOTAL", t)
	}
	w.Flush()
}

func agingJSON(r *ledger.AgingReport) map[string]any {
	row := func(b ledger.Buckets) map[string]any {
		m := map[string]any{"currency": b.Currency, "total": b.Total().Text(b.Currency)}
		for k, name := range ledger.BucketNames {
			m[name] = b.Text(k)
		}
		return m
	}
	totals := []map[string]any{}
	for _, t := range r.Totals() {
		totals = append(totals, row(t))
	}
	custs := []map[string]any{}
	for _, c := range r.Customers() {
		m := row(c.Buckets)
		m["customer_id"], m["external_ref"] = c.CustomerID, c.ExternalRef
		custs = append(custs, m)
	}
	return map[string]any{"as_of": r.AsOf.String(), "totals": totals, "customers": custs}
}

func (a *App) kpisCmd() *cobra.Command {
	var from, to, currency string
	cmd := &cobra.Command{
		Use:   "kpis --from DATE --to DATE",
		Short: "Print DSO, best DSO, ADD and CEI for a period",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := civil.Parse(from)
			if err != nil {
				return usageError{fmt.Errorf("--from: %w", err)}
			}
			t, err := civil.Parse(to)
			if err != nil {
				return usageError{fmt.Errorf("--to: %w", err)}
			}
			var cur money.Currency
			if currency != "" {
				if cur, err = money.ParseCurrency(currency); err != nil {
					return fmt.Errorf("--currency: %w", err)
				}
			}
			svc, ctx, done, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			r, err := svc.KPIs(ctx, f, t, cur)
			if err != nil {
				return err
			}
			show := func(v *float64) string {
				if v == nil {
					return "n/a"
				}
				return fmt.Sprintf("%.1f", *v)
			}
			fmt.Fprintf(a.Stdout, "%s to %s (%d days), %s\n", r.From, r.To, r.Days, r.Currency)
			fmt.Fprintf(a.Stdout, "credit sales %s, AR opening %s, closing %s (current %s)\n",
				r.Input.Sales.Text(r.Currency), r.Input.OpeningAR.Text(r.Currency),
				r.Input.ClosingAR.Text(r.Currency), r.Input.ClosingCurrentAR.Text(r.Currency))
			fmt.Fprintf(a.Stdout, "DSO %s days, best DSO %s, ADD %s, CEI %s%%\n", show(r.DSO), show(r.BestDSO), show(r.ADD), show(r.CEI))
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first day YYYY-MM-DD")
	cmd.Flags().StringVar(&to, "to", "", "last day YYYY-MM-DD")
	cmd.Flags().StringVar(&currency, "currency", "", "currency (required with several)")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

func (a *App) tokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	var role, name, ttlFlag string
	create := &cobra.Command{
		Use:   "create --role admin|agent|viewer [--ttl 90d]",
		Short: "Create an API token and print it (shown once)",
		Long: "Create an API token and print it (shown once; settle keeps only its hash).\n" +
			"Without --ttl the token never expires; with --ttl (e.g. 90d, 2w, 12h) it is refused after that time.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !service.ValidRole(role) {
				return usageError{fmt.Errorf("--role %q: must be admin, agent or viewer", role)}
			}
			ttl, err := service.ParseTTL(ttlFlag)
			if err != nil {
				return usageError{fmt.Errorf("--ttl %q: use e.g. 90d, 2w or 12h (at most ten years)", ttlFlag)}
			}
			svc, ctx, done, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			secret, _, err := svc.CreateTokenFor(ctx, role, name, ttl)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.Stdout, secret)
			return nil
		},
	}
	create.Flags().StringVar(&role, "role", "", "admin, agent or viewer")
	create.Flags().StringVar(&name, "name", "", "a label for the token")
	create.Flags().StringVar(&ttlFlag, "ttl", "", "lifetime, e.g. 90d, 2w, 12h (default: never expires)")
	_ = create.MarkFlagRequired("role")
	cmd.AddCommand(create)
	return cmd
}
