package cli

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/demo"
	"settle/internal/ledger"
	"settle/internal/service"
	"settle/internal/store"
)

// DemoDB is where the demo keeps its data unless --db or SETTLE_DB says
// otherwise, so that a demo never mixes with real data in settle.db.
const DemoDB = "sqlite:settle-demo.db"

func (a *App) demoCmd() *cobra.Command {
	var addr, asOf string
	var seed int64
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Create a demo organisation on the embedded database and serve it",
		Long: `Create a demo organisation — 40 customers in the US, UK, Germany, France,
the Netherlands and Japan, a year of invoices and payments with every kind
of payer — in settle-demo.db (unless --db or SETTLE_DB names another
database), then serve the web UI and the API, and print the demo admin's
sign-in, a token and commands to try. The demo organisation has used
settle for its last 90 days: the demo lives them day by day (settle's own
daily runs, the day's invoices, payments, disputes and calls, the email
sender to a mailer that sends nothing), so what it shows is what settle
produced.

Running it again reuses the data it made and prints a new token and a new
password for the demo admin.`,
		Example: `  settle demo
  settle demo --addr 127.0.0.1:0 --as-of 2026-03-31 --seed 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// cmd.Flag finds the root's persistent --db from this subcommand.
			if !cmd.Flag("db").Changed && os.Getenv("SETTLE_DB") == "" {
				a.DB = DemoDB
			}
			// The demo lives its year on its own clock (demo.Clock), then
			// hands over to the real one.
			clk := demo.NewClock(a.Now)
			a.Now = clk.Now
			svc, ctx, done, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer done()
			if os.Getenv("SETTLE_CREDITOR") == "" {
				svc.Creditor = "Settle Demo Ltd"
			}
			date, err := svc.AsOf("--as-of", asOf)
			if err != nil {
				return usageError{err}
			}
			sum, reused, err := a.loadDemo(ctx, svc, clk, date, seed, cmd.Flag("as-of").Changed || cmd.Flag("seed").Changed)
			if err != nil {
				return err
			}
			// Fill the worklist and the outbox of the demo's date now,
			// whatever the time: serve's scheduler runs today's collections
			// only once SETTLE_RUN_AT (06:00 UTC by default) has passed, so
			// a demo started at night showed an empty worklist. The run is
			// idempotent per date: the scheduler finds it done.
			if _, err := svc.StartRun(ctx, service.RunInput{AsOf: date.String()}); err != nil {
				return err
			}
			if err := demoCallTask(ctx, svc, date); err != nil {
				return err
			}
			token, _, err := svc.CreateToken(ctx, service.RoleAdmin, "demo")
			if err != nil {
				return err
			}
			password, err := demoAdmin(ctx, svc)
			if err != nil {
				return err
			}
			return a.serve(ctx, svc, addr, func(base string) {
				portal := ""
				if link, err := svc.CreatePortalLink(ctx, DemoPortalCustomer, 0, base); err == nil {
					portal = link.URL
				} else {
					fmt.Fprintf(a.Stderr, "settle: no portal link for %s: %v\n", DemoPortalCustomer, err)
				}
				a.printDemo(svc, sum, reused, date, token, password, base, portal)
			})
		},
	}
	cmd.Flags().StringVar(&addr, "addr", envOr("SETTLE_ADDR", DefaultAddr), "listen address (env SETTLE_ADDR)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "date the demo's year ends, YYYY-MM-DD (default today)")
	cmd.Flags().Int64Var(&seed, "seed", 1, "random seed: the same seed and date give the same data")
	return cmd
}

// loadDemo fills the database with the demo unless it holds data already.
// Demo data is made relative to its as-of date, so data made yesterday
// differs from today's and cannot be loaded over it; it is kept as it is,
// unless the user explicitly asked for a date or seed.
func (a *App) loadDemo(ctx context.Context, svc *service.Service, clk *demo.Clock, asOf civil.Date, seed int64, explicit bool) (sum demo.Summary, reused bool, err error) {
	var n map[string]int64
	err = svc.Store().Tx(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.Counts(ctx)
		return err
	})
	if err != nil {
		return sum, false, err
	}
	if n["customers"] > 0 {
		// Never mix the demo into real data.
		if _, err := svc.Customer(ctx, demo.ShowcaseRef); apperr.CodeOf(err) == apperr.NotFound {
			return sum, false, fmt.Errorf("%s holds data that is not the demo's; choose another --db", a.dbName())
		} else if err != nil {
			return sum, false, err
		}
	}
	if n["customers"] > 0 && !explicit {
		return demo.Summary{Customers: int(n["customers"]), Invoices: int(n["invoices"]),
			Payments: int(n["payments"]), AlreadyLoaded: true}, true, nil
	}
	fmt.Fprintf(a.Stderr, "Loading the demo organisation as of %s (seed %d)…\n", asOf, seed)
	sum, err = demo.Generate(ctx, svc, clk, asOf, seed)
	if apperr.CodeOf(err) == apperr.Invalid && n["customers"] > 0 {
		// Generate found another demo's history (demo.checkLoaded).
		return sum, false, fmt.Errorf("%s holds a demo made for another date or seed; "+
			"remove it or choose another --db", a.dbName())
	}
	return sum, sum.AlreadyLoaded, err
}

// dbName is the database for people: a SQLite file's full path, or a
// PostgreSQL URL without its password.
func (a *App) dbName() string {
	if path, ok := strings.CutPrefix(a.DB, "sqlite:"); ok {
		if abs, err := filepath.Abs(path); err == nil {
			return abs
		}
		return path
	}
	if u, err := url.Parse(a.DB); err == nil {
		return u.Redacted()
	}
	return a.DB
}

// printDemo tells the user what they have and what to try. It runs once
// the server listens, so the URLs carry the real address (--addr :0 too).
func (a *App) printDemo(svc *service.Service, sum demo.Summary, reused bool, asOf civil.Date, token, password, base, portal string) {
	state := "created"
	if reused {
		state = "already there, reused"
	}
	auth := fmt.Sprintf(`curl -H "Authorization: Bearer %s"`, token)
	w := a.Stdout
	fmt.Fprintf(w, "\nsettle demo is running at %s\n\n", base)
	fmt.Fprintf(w, "  Database  %s (%s)\n", a.dbName(), svc.Store().Engine())
	fmt.Fprintf(w, "  Data      %d customers, %d invoices, %d payments in USD, GBP, EUR and JPY (%s)\n",
		sum.Customers, sum.Invoices, sum.Payments, state)
	fmt.Fprintf(w, "  Sign in   %s/login as %s, password %s (admin; new at each start)\n", base, DemoAdminEmail, password)
	fmt.Fprintf(w, "  Token     %s (admin; shown only once)\n", token)
	if portal != "" {
		fmt.Fprintf(w, "  Portal    %s (what %s, a consumer in arrears, sees; 30 days)\n", portal, DemoPortalCustomer)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Try:\n")
	fmt.Fprintf(w, "  %s %s/v1/customers\n", auth, base)
	fmt.Fprintf(w, "  %s '%s/v1/reports/aging?as_of=%s'\n", auth, base, asOf)
	fmt.Fprintf(w, "  %s '%s/v1/customers/%s/position?as_of=%s'\n", auth, base, demo.ShowcaseRef, asOf)
	fmt.Fprintf(w, "  %s -H 'Content-Type: application/json' -d '{\"customer_id\":\"C-1014\"}' %s/v1/negotiations\n\n", auth, base)
	fmt.Fprintf(w, "%s is a key account that pays 45–75 days late; C-1014 is a consumer in arrears with a stated budget\n", demo.ShowcaseRef)
	fmt.Fprintf(w, "(negotiate: POST the customer's counter-offers to /v1/negotiations/{id}/counteroffers). Press Ctrl+C to stop.\n")
}

// DemoPortalCustomer is the customer whose portal link the demo prints.
const DemoPortalCustomer = "C-1014"

// DemoAdminEmail is the demo's staff admin, who signs in to the web UI.
const DemoAdminEmail = "admin@example.com"

// demoAdmin makes sure the demo admin exists with a fresh random password,
// and returns the password (printed, never stored).
func demoAdmin(ctx context.Context, svc *service.Service) (string, error) {
	var raw [10]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	enc := strings.ToLower(base32.StdEncoding.EncodeToString(raw[:])) // 16 characters
	password := enc[0:4] + "-" + enc[4:8] + "-" + enc[8:12] + "-" + enc[12:16]
	_, err := svc.CreateUser(ctx, service.UserInput{Email: DemoAdminEmail, Name: "Demo Admin", Role: service.RoleAdmin, Password: password})
	if apperr.CodeOf(err) == apperr.Conflict {
		admin, enabled := service.RoleAdmin, false
		_, err = svc.UpdateUser(ctx, DemoAdminEmail, service.UserPatch{Role: &admin, Disabled: &enabled, Password: &password})
	}
	if err != nil {
		return "", fmt.Errorf("demo admin: %w", err)
	}
	return password, nil
}

// demoCallTask makes sure the first-line queue (the worklist's first tab)
// has a call to make: on some dates the day's run asks for none (the
// demo's calls fall due on other days), and an empty worklist shows the
// demo badly. It books a follow-up call with a customer who owes overdue
// money and has no plan, promise or task yet — someone to negotiate with,
// a consumer if there is one.
func demoCallTask(ctx context.Context, svc *service.Service, asOf civil.Date) error {
	open, _, err := svc.Tasks(ctx, store.TaskFilter{Queue: "tier1", Status: store.TaskOpen, Page: store.Page{Limit: 1}})
	if err != nil || len(open) > 0 {
		return err
	}
	busy := map[string]bool{}
	tasks, _, err := svc.Tasks(ctx, store.TaskFilter{Status: store.TaskOpen, Page: store.Page{Limit: 500}})
	if err != nil {
		return err
	}
	for _, t := range tasks {
		busy[t.CustomerID] = true
	}
	rows, _, err := svc.CustomerList(ctx, service.CustomerListInput{AsOf: asOf, Page: store.Page{Limit: 100}})
	if err != nil {
		return err
	}
	// A consumer first: a household's arrears are what a first call
	// negotiates (a plan of small monthly installments); a business
	// owing tens of thousands is not the example to start with.
	var pick *ledger.Customer
	for _, r := range rows {
		if busy[r.Customer.ID] || r.OpenPlans > 0 || r.OpenPromises > 0 || len(r.Balances) != 1 {
			continue
		}
		if r.Balances[0].Overdue().Sign() <= 0 {
			continue
		}
		if pick == nil || (r.Customer.Kind == "consumer" && pick.Kind != "consumer") {
			pick = &r.Customer
		}
	}
	if pick == nil {
		return nil
	}
	_, err = svc.BookFollowUp(ctx, pick.ID, service.FollowUpInput{Note: "demo: a call to make"})
	return err
}
