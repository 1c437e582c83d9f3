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
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"settle/internal/httpapi"
	"settle/internal/service"
)

func (a *App) serveCmd() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the REST API",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// serve runs the HTTP server until SIGINT/SIGTERM or ctx ends. ready, if
// set, is called with the base URL once the listener is open.
func (a *App) serve(ctx context.Context, svc *service.Service, addr string, ready func(url string)) error {
	log := slog.New(slog.NewTextHandler(a.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           httpapi.New(svc, log).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	url := "http://" + ln.Addr().String()
	log.Info("settle is serving", "url", url, "db", svc.Store().Engine())
	if ready != nil {
		ready(url)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
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
