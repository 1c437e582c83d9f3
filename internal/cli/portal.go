package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"settle/internal/service"
)

// portalLinkCmd prints a signed link to a customer's portal.
func (a *App) portalLinkCmd() *cobra.Command {
	var ttl time.Duration
	cmd := &cobra.Command{
		Use:   "portal-link CUSTOMER [--ttl 720h]",
		Short: "Print a link to a customer's self-service portal (CUSTOMER: id or external_ref)",
		Long: `Print a signed link to the customer's portal, where they see what they owe and why,
choose or propose a payment plan, accept the agreement, promise to pay, dispute an
invoice and set their contact preferences. The link opens this customer only and
stops working after --ttl (default 720h, 30 days).

The link starts with SETTLE_PUBLIC_URL (e.g. https://pay.example.com), or else
http:// and SETTLE_ADDR (default 127.0.0.1:8080). Only the URL is printed, so it
can be used in scripts; the link's expiry is written to stderr.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, ctx, done, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			l, err := svc.CreatePortalLink(ctx, args[0], ttl, service.PortalBaseURL(os.Getenv))
			if err != nil {
				return err
			}
			fmt.Fprintln(a.Stdout, l.URL)
			fmt.Fprintf(a.Stderr, "valid until %s\n", l.ExpiresAt.Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().DurationVar(&ttl, "ttl", service.DefaultPortalTTL, "how long the link works (at most 8784h, 366 days)")
	return cmd
}
