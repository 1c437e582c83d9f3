package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"settle/internal/csvin"
	"settle/internal/service"
)

// importBankCmd is `settle import bank-statement FILE`: incoming transfers
// matched to customers, the rest held for review (docs/payments.md).
func (a *App) importBankCmd() *cobra.Command {
	var dateFormat, mapping string
	cmd := &cobra.Command{
		Use:   "bank-statement FILE",
		Short: "Import a bank statement: match incoming transfers, hold the rest for review",
		Long: `Import a bank statement CSV (columns date, amount, currency, reference,
payer_name, bank_id; docs/api.md). Each incoming transfer is matched by plan
reference (STL-…; one mistyped symbol is corrected), invoice number or
customer reference, and by amount; a match becomes a bank_transfer payment.
The rest wait for review (GET /v1/bank-lines?status=review, or the staff
page /bank). Outgoing (negative) lines are skipped. Every row or none; a line
imported before is not imported again.`,
		Example: `  settle import bank-statement june.csv
  settle import bank-statement export.csv --date-format DD.MM.YYYY --map "Buchungstag=date,Betrag=amount,Waehrung=currency,Verwendungszweck=reference"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, err := csvin.ParseMapping(mapping)
			if err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			svc, ctx, done, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.ImportBankStatement(ctx, f, service.BankImportOptions{Filename: filepath.Base(args[0]), DateFormat: dateFormat, Mapping: m})
			if err != nil {
				return err
			}
			fmt.Fprintln(a.Stdout, res.Summary())
			for _, l := range res.Lines {
				if l.Status == "review" {
					fmt.Fprintf(a.Stdout, "review: line %d %s %s %q: %s\n", l.Line, l.Amount, l.Amount.Currency(), l.Reference, l.Reason)
				}
			}
			if len(res.IgnoredColumns) > 0 {
				fmt.Fprintf(a.Stdout, "ignored columns: %v\n", res.IgnoredColumns)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dateFormat, "date-format", "", "date format of the file, e.g. DD/MM/YYYY or DD.MM.YYYY (default YYYY-MM-DD)")
	cmd.Flags().StringVar(&mapping, "map", "", "rename file columns to settle's: fileColumn=settleColumn,…")
	return cmd
}
