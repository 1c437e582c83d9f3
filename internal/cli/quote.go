package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"settle/internal/httpapi"
	"settle/internal/service"
)

func (a *App) quoteCmd() *cobra.Command {
	var in service.QuoteInput
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "quote --balance AMOUNT --currency CUR (--installments N | --amount AMOUNT) [flags]",
		Short: "Calculate an installment schedule (nothing is stored)",
		Long: `Calculate an installment schedule: equal installments with the rounding
remainder in the last one, or, with --rate, a standard annuity whose last
payment absorbs rounding. Also shows how paying a little more each time
finishes sooner.`,
		Example: `  settle quote --balance 1200.00 --currency USD --installments 12 --start 2026-12-01
  settle quote --balance 10000 --currency EUR --installments 12 --rate 0.12 --start 2027-01-31 --roll following --country DE`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// A pure calculation: no database is opened.
			svc := service.New(nil, a.Now)
			ctx := service.WithActor(cmd.Context(), service.Actor{ID: "cli", Role: service.RoleViewer})
			q, err := svc.Quote(ctx, in)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(a.Stdout).Encode(httpapi.QuoteOf(q))
			}
			s := q.Schedule
			w := tabwriter.NewWriter(a.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(w, "#\tdue\tamount\tprincipal\tinterest\t")
			for _, i := range s.Installments {
				note := ""
				if i.Down {
					note = " (down payment)"
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", i.Seq, i.DueDate, i.Amount, i.Principal, i.Interest, note)
			}
			w.Flush()
			fmt.Fprintf(a.Stdout, "total %s %s (balance %s, interest %s)\n", s.Total, s.Currency, s.Balance, s.Interest)
			for _, alt := range q.Alternatives {
				fmt.Fprintf(a.Stdout, "pay %s more each time: %d installments, %d fewer, finished %d days sooner", alt.Extra, alt.Installments, alt.Fewer, alt.DaysSooner)
				if alt.InterestSaved.IsPositive() {
					fmt.Fprintf(a.Stdout, ", %s less interest", alt.InterestSaved)
				}
				fmt.Fprintln(a.Stdout)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&in.Balance, "balance", "", "amount the plan covers, e.g. 1200.00")
	f.StringVar(&in.Currency, "currency", "", "ISO 4217 code, e.g. USD")
	f.IntVar(&in.Installments, "installments", 0, "number of regular installments")
	f.StringVar(&in.InstallmentAmount, "amount", "", "or: amount of each regular installment")
	f.StringVar(&in.Frequency, "frequency", "", "weekly, biweekly or monthly (default monthly)")
	f.StringVar(&in.StartDate, "start", "", "first due date YYYY-MM-DD")
	f.StringSliceVar(&in.Dates, "dates", nil, "explicit due dates instead of a frequency (comma-separated)")
	f.StringVar(&in.DownPayment, "down", "", "down payment, due on --start")
	f.StringVar(&in.AnnualRate, "rate", "", "nominal annual interest rate, e.g. 0.12")
	f.StringVar(&in.Roll, "roll", "", "move dates off weekends/holidays: following or preceding")
	f.StringVar(&in.Country, "country", "", "holiday calendar for --roll, e.g. US, GB, DE")
	f.StringVar(&in.AsOf, "as-of", "", "--start may not be before this date (default today)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
