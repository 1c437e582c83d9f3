// Package cli is the settle command line. Commands translate flags into
// service calls on a locally opened store; they print results to stdout
// and errors to stderr in one line. Exit status: 0 ok, 1 error, 2 usage.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"settle/internal/apperr"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/postgres"
	"settle/internal/store/sqlite"
)

// DefaultDB is the embedded default database.
const DefaultDB = "sqlite:settle.db"

// DefaultAddr is where serve listens.
const DefaultAddr = "127.0.0.1:8080"

// App holds what every command shares.
type App struct {
	Stdout, Stderr io.Writer
	DB             string
	Now            func() time.Time
}

// usageError marks errors that exit with status 2.
type usageError struct{ error }

// Main runs the command line and returns the exit status.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	now, err := clockFromEnv(time.Now)
	if err != nil {
		fmt.Fprintf(stderr, "settle: %v\n", err)
		return 2
	}
	app := &App{Stdout: stdout, Stderr: stderr, Now: now}
	root := app.root()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err = root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		fmt.Fprintf(stderr, "settle: %v\n", err)
		fmt.Fprintln(stderr, "Run 'settle --help' for usage.")
		return 2
	}
	fmt.Fprintf(stderr, "settle: %s\n", oneLine(err))
	if e, ok := apperr.As(err); ok && listsFields(e) {
		// Field errors (import rows) follow, one per line.
		for _, f := range e.Fields {
			fmt.Fprintf(stderr, "  %s\n", f.String())
		}
		if e.Omitted > 0 {
			fmt.Fprintf(stderr, "  … and %d more\n", e.Omitted)
		}
	}
	return 1
}

// listsFields: several field errors, or import rows, go one per line
// under the message; a single field error fits in the message itself.
func listsFields(e *apperr.Error) bool {
	return len(e.Fields) > 1 || (len(e.Fields) == 1 && e.Fields[0].Line > 0)
}

func oneLine(err error) string {
	if e, ok := apperr.As(err); ok {
		if !listsFields(e) {
			return e.Error()
		}
		return e.Message
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}

func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "flag needs an argument", "invalid argument", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func (a *App) root() *cobra.Command {
	root := &cobra.Command{
		Use:           "settle",
		Short:         "Turn overdue invoices into specific, kept payment plans",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	def := os.Getenv("SETTLE_DB")
	if def == "" {
		def = DefaultDB
	}
	root.PersistentFlags().StringVar(&a.DB, "db", def, "database: sqlite:PATH (embedded) or postgres://… (env SETTLE_DB)")
	root.AddCommand(a.serveCmd(), a.demoCmd(), a.migrateCmd(), a.importCmd(), a.agingCmd(), a.kpisCmd(), a.tokenCmd(), a.benchCmd(), a.openapiCmd(), a.quoteCmd(), a.simulateCmd(), a.runCmd(), a.userCmd(), a.portalLinkCmd(), a.backupCmd(), a.restoreCmd())
	return root
}

// OpenStore opens the store a DSN names: "sqlite:PATH" or a PostgreSQL
// URL ("postgres://…", "postgresql://…").
func OpenStore(ctx context.Context, dsn string, now func() time.Time) (store.Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite:"), now)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn, now)
	}
	return nil, usageError{fmt.Errorf("--db %q: use sqlite:PATH or postgres://…", dsn)}
}

// open opens the store and a service acting as the local operator (admin).
func (a *App) open(ctx context.Context) (*service.Service, context.Context, func(), error) {
	if _, err := faultFromEnv(); err != nil {
		return nil, ctx, nil, err
	}
	st, err := OpenStore(ctx, a.DB, a.Now)
	if err != nil {
		return nil, ctx, nil, err
	}
	name := "operator"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	ctx = service.WithActor(ctx, service.Actor{ID: "cli:" + name, Role: service.RoleAdmin})
	return newService(st, a.Now), ctx, func() { st.Close() }, nil
}

// newService makes the service, naming the creditor from SETTLE_CREDITOR
// (written agreements show it).
func newService(st store.Store, now func() time.Time) *service.Service {
	svc := service.New(st, now)
	if v := strings.TrimSpace(os.Getenv("SETTLE_CREDITOR")); v != "" {
		svc.Creditor = v
	}
	svc.BankAccount = strings.TrimSpace(os.Getenv("SETTLE_BANK_ACCOUNT"))
	if v := strings.TrimSpace(os.Getenv("SETTLE_MAIL_FROM")); v != "" {
		svc.MailFrom = v
	}
	// An opt-out address set explicitly is used for everyone; otherwise
	// each message links to its customer's contact preferences in the
	// portal.
	if v := strings.TrimSpace(os.Getenv("SETTLE_OPT_OUT_URL")); v != "" {
		svc.OptOutURL = v
	} else {
		svc.PortalURL = service.PortalBaseURL(os.Getenv)
	}
	onlineFromEnv(svc) // SETTLE_STRIPE_* (online.go)
	// serve refuses a bad SETTLE_CLAIM_TIMEOUT before it starts.
	svc.ClaimTimeout, _ = claimTimeoutFromEnv()
	// serve and open refuse a bad SETTLE_TEST_FAULT before they start.
	svc.Fault, _ = faultFromEnv()
	return svc
}

// claimTimeoutFromEnv reads SETTLE_CLAIM_TIMEOUT (a Go duration such as
// 10m; empty: the defaults).
func claimTimeoutFromEnv() (time.Duration, error) {
	v := strings.TrimSpace(os.Getenv("SETTLE_CLAIM_TIMEOUT"))
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("SETTLE_CLAIM_TIMEOUT=%q: want a positive duration such as 10m or 90s", v)
	}
	return d, nil
}
