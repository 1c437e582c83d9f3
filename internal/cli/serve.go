package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"settle/internal/clientip"
	"settle/internal/httpapi"
	"settle/internal/notify"
	"settle/internal/obs"
	"settle/internal/service"
	"settle/internal/web"
)

func (a *App) serveCmd() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the REST API",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := claimTimeoutFromEnv(); err != nil {
				return err
			}
			if _, err := faultFromEnv(); err != nil {
				return err
			}
			st, err := OpenStore(cmd.Context(), a.DB, a.Now)
			if err != nil {
				return err
			}
			defer st.Close()
			return a.serve(cmd.Context(), newService(st, a.Now), addr, nil)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", envOr("SETTLE_ADDR", DefaultAddr), "listen address (env SETTLE_ADDR)")
	return cmd
}

// schedule runs the collections run every day at the given UTC clock
// time ("HH:MM", env SETTLE_RUN_AT; "off" disables it), and at start-up
// when today's time has passed. The run is idempotent per date, so several
// instances (or a restart) running the same date create nothing twice.
func (a *App) schedule(ctx context.Context, svc *service.Service, log *slog.Logger, at string) {
	hh, mm, ok := parseClock(at)
	if !ok {
		log.Error("SETTLE_RUN_AT must be HH:MM (UTC) or off; the daily run is not scheduled", "value", at)
		return
	}
	actor := service.WithActor(ctx, service.Actor{ID: "system:scheduler", Role: service.RoleAdmin})
	log = log.With("job", "daily-run")
	for {
		now := a.Now().UTC()
		today := time.Date(now.Year(), now.Month(), now.Day(), hh, mm, 0, 0, time.UTC)
		if !now.Before(today) {
			jlog := log.With("job_id", obs.NewID(), "as_of", now.Format(time.DateOnly))
			v, err := svc.StartRun(actor, service.RunInput{AsOf: now.Format(time.DateOnly)})
			switch {
			case err != nil:
				jlog.Error("daily run failed", "err", err)
			case v.Created:
				jlog.Info("daily run done", "run", v.Run.ID, "messages", v.Run.Messages, "tasks", v.Run.Tasks, "events", v.Run.Events)
			}
			today = today.AddDate(0, 0, 1)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(today)):
		}
	}
}

// deliver sends the due emails of the outbox every 30 seconds.
func (a *App) deliver(ctx context.Context, svc *service.Service, log *slog.Logger, m service.Mailer) {
	actor := service.WithActor(ctx, service.Actor{ID: "system:mailer", Role: service.RoleAdmin})
	host, _ := os.Hostname()
	worker := fmt.Sprintf("%s/%d/mailer", host, os.Getpid())
	log = log.With("job", "email-delivery")
	for {
		for {
			jlog := log.With("job_id", obs.NewID())
			rep, err := svc.DeliverEmails(actor, m, worker, 100)
			if err != nil {
				jlog.Error("email delivery failed", "err", err)
				break
			}
			if rep.Claimed > 0 {
				jlog.Info("emails delivered", "sent", rep.Sent, "retried", rep.Retried, "bounced", rep.Bounced, "failed", rep.Failed, "superseded", rep.Superseded)
			}
			if rep.Claimed < 100 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(30 * time.Second):
		}
	}
}

// deliverWebhooks posts the due webhook deliveries every 10 seconds.
func (a *App) deliverWebhooks(ctx context.Context, svc *service.Service, log *slog.Logger) {
	actor := service.WithActor(ctx, service.Actor{ID: "system:webhooks", Role: service.RoleAdmin})
	host, _ := os.Hostname()
	worker := fmt.Sprintf("%s/%d/webhooks", host, os.Getpid())
	client := &http.Client{Timeout: 15 * time.Second}
	log = log.With("job", "webhook-delivery")
	for {
		jlog := log.With("job_id", obs.NewID())
		rep, err := svc.DeliverWebhooks(actor, client, worker, 100)
		if err != nil {
			jlog.Error("webhook delivery failed", "err", err)
		} else if rep.Claimed > 0 {
			jlog.Info("webhooks delivered", "delivered", rep.Delivered, "retried", rep.Retried, "failed", rep.Failed, "superseded", rep.Superseded)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Second):
		}
	}
}

func parseClock(s string) (hh, mm int, ok bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// handler is everything settle serves on one listener: the staff web UI
// (/, /login, /logout, /static/…, the UI's pages), and everything else —
// /v1/…, /openapi.json, /healthz, /metrics — by the REST API exactly as
// before (the UI hands over every request none of its routes matches).
// Outermost, obs.Middleware gives every request its id, counts it in the
// process's one registry (served on /metrics) by the route pattern that
// serves it, and writes the access log. The service reports runs,
// deliveries and autopay charges to the same registry.
func handler(svc *service.Service, log *slog.Logger) http.Handler {
	m := obs.NewMetrics()
	m.Register(obs.NewQueueCollector(svc.Store(), 0, log))
	svc.Metrics = m
	ui := web.New(svc, log)
	api := httpapi.NewWith(svc, log, m)
	api.ImportMaxBytes, _ = importMaxBytes() // checked at start-up (serve)
	ui.Fallback = api.Unobserved()
	route := func(r *http.Request) string {
		if p := ui.Route(r); p != "" {
			return p
		}
		return api.Route(r)
	}
	return obs.Middleware(ui.Handler(), obs.Options{Metrics: m, Log: log, Route: route})
}

// serve runs the HTTP server until SIGINT/SIGTERM or ctx ends. ready, if
// set, is called with the base URL once the listener is open.
func (a *App) serve(ctx context.Context, svc *service.Service, addr string, ready func(url string)) error {
	log, err := obs.NewLogger(a.Stderr, os.Getenv("SETTLE_LOG_FORMAT"), os.Getenv("SETTLE_LOG_LEVEL"))
	if err != nil {
		return err
	}
	proxies, err := clientip.Parse(os.Getenv("SETTLE_TRUSTED_PROXIES"))
	if err != nil {
		return fmt.Errorf("SETTLE_TRUSTED_PROXIES: %w", err)
	}
	if _, err := importMaxBytes(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           proxies.Middleware(handler(svc, log)),
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn), // e.g. TLS handshake and header errors, as structured lines
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	url := "http://" + ln.Addr().String()
	if svc.PortalURL != "" && strings.TrimSpace(os.Getenv("SETTLE_PUBLIC_URL")) == "" {
		// No public address configured: the links in messages point at
		// this listener (the address actually bound, e.g. for --addr :0).
		svc.PortalURL = service.PortalBaseURL(func(k string) string {
			if k == "SETTLE_ADDR" {
				return ln.Addr().String()
			}
			return ""
		})
	}
	log.Info("settle is serving", "url", url, "db", svc.Store().Engine())
	if ready != nil {
		ready(url)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if at := envOr("SETTLE_RUN_AT", "06:00"); at != "off" {
		go a.schedule(ctx, svc, log, at)
	}
	go a.deliverWebhooks(ctx, svc, log)
	if u := os.Getenv("SETTLE_SMTP_URL"); u != "" {
		sender, err := notify.NewSender(u)
		if err != nil {
			return fmt.Errorf("SETTLE_SMTP_URL: %w", err)
		}
		go a.deliver(ctx, svc, log, sender)
	} else {
		log.Info("SETTLE_SMTP_URL is not set: emails stay queued in the outbox")
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// importMaxBytes is SETTLE_IMPORT_MAX_BYTES: the largest CSV body the API's
// imports accept (default httpapi.DefaultImportMaxBytes, 10 MiB). Larger
// files go through `settle import`, which streams them from disk.
func importMaxBytes() (int64, error) {
	v := strings.TrimSpace(os.Getenv("SETTLE_IMPORT_MAX_BYTES"))
	if v == "" {
		return httpapi.DefaultImportMaxBytes, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1024 {
		return 0, fmt.Errorf("SETTLE_IMPORT_MAX_BYTES must be a number of bytes, at least 1024 (got %q)", v)
	}
	return n, nil
}
