package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/negotiate"
)

func (a *App) simulateCmd() *cobra.Command {
	var (
		debtors    int
		seed       uint64
		asOf       string
		currency   string
		policyFile string
		format     string
		family     bool
	)
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Compare the negotiation engine with simple strategies on synthetic debtors",
		Long: `Generates a population of synthetic debtors (hidden true capacity, savings,
honesty of their stated budget, patience, counter-offer style), plays every
negotiation through the real engine and through three baselines (take it or
leave it: the whole balance in 3 months; split the difference; accept the
first counter-offer), simulates the payments of every agreed plan, and prints
agreement rate, expected and realised recovery (present value as a share of
the balance), default rate and rounds side by side. Seeded: the same flags
give the same table. docs/negotiation.md describes the population.`,
		Example: `  settle simulate
  settle simulate --debtors 50000 --seed 7 --policy policy.json
  settle simulate --family`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if debtors < 1 || debtors > 10_000_000 {
				return usageError{fmt.Errorf("simulate: --debtors %d must be between 1 and 10000000", debtors)}
			}
			cur, err := money.ParseCurrency(currency)
			if err != nil {
				return usageError{fmt.Errorf("simulate: --currency: %w", err)}
			}
			d := civil.In(a.Now(), time.UTC)
			if asOf != "" {
				if d, err = civil.Parse(asOf); err != nil {
					return usageError{fmt.Errorf("simulate: --as-of: %w", err)}
				}
			}
			p := negotiate.DefaultPolicy("standard")
			if policyFile != "" {
				b, err := os.ReadFile(policyFile)
				if err != nil {
					return err
				}
				if err := json.Unmarshal(b, &p); err != nil {
					return fmt.Errorf("simulate: %s: %w", policyFile, err)
				}
			}
			cfg := negotiate.SimConfig{Seed: seed, Debtors: debtors, AsOf: d, Currency: cur, Policy: p}
			start := time.Now()
			if format != "json" && format != "table" {
				return usageError{fmt.Errorf("simulate: --format %q must be table or json", format)}
			}
			doc := map[string]any{"debtors": debtors, "seed": seed, "as_of": d, "currency": cur, "policy": p}
			var table func()
			if family {
				fam, err := negotiate.SimulateFamily(cfg)
				if err != nil {
					return err
				}
				doc["populations"], table = fam, func() { negotiate.WriteFamily(a.Stdout, cfg, fam) }
			} else {
				ss, err := negotiate.Simulate(cfg)
				if err != nil {
					return err
				}
				doc["strategies"], table = ss, func() { negotiate.WriteSummaries(a.Stdout, cfg, ss) }
			}
			if format == "json" {
				enc := json.NewEncoder(a.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(doc)
			}
			table()
			fmt.Fprintf(a.Stdout, "\n(%s)\n", time.Since(start).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().IntVar(&debtors, "debtors", 10000, "population size")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed")
	cmd.Flags().StringVar(&asOf, "as-of", "", "date of the negotiations (default today)")
	cmd.Flags().StringVar(&currency, "currency", "USD", "currency of the balances")
	cmd.Flags().StringVar(&policyFile, "policy", "", "JSON file with a policy (the /v1/policies shape; default: the built-in defaults)")
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	cmd.Flags().BoolVar(&family, "family", false, "run the family of populations the engine's model does not share (budgets overstated and understated, overcommitters, life events, impatient and patient debtors, businesses with history; and a stress case, budgets understated by a fifth or more) with two more strategies: offer the stated surplus, and an oracle that knows the true capacity")
	return cmd
}
