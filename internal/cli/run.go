package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"settle/internal/service"
)

func (a *App) runCmd() *cobra.Command {
	var asOf string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run collections for a date: reminders, escalations, tasks (idempotent per date)",
		Long: `Visits every customer once for the date: the ladder steps due (reminders,
firm messages, demand letters, final notices, call and review tasks), plan
installment reminders and misses, and the events. Messages go to the outbox
(GET /v1/messages) at the next allowed contact time in the customer's zone.
Running the same date again creates nothing new; a run that stopped half-way
finishes what is left.`,
		Example: `  settle run
  settle run --as-of 2026-12-01`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, ctx, done, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			v, err := svc.StartRunProgress(ctx, service.RunInput{AsOf: asOf}, func(n int) {
				fmt.Fprintf(a.Stderr, "… %d customers visited\n", n)
				if svc.Fault != nil { // crash tests only (SETTLE_TEST_FAULT)
					svc.Fault(faultRunProgress, fmt.Sprint(n, " customers"))
				}
			})
			if err != nil {
				return err
			}
			r := v.Run
			state := "ran"
			if !v.Created {
				state = "already run"
			}
			fmt.Fprintf(a.Stdout, "%s %s (%s): %d customers visited; created %d messages, %d tasks, %d events; status %s\n",
				r.ID, r.AsOf, state, r.Done, r.Messages, r.Tasks, r.Events, r.Status)
			return nil
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "the date to run for (default today)")
	return cmd
}
