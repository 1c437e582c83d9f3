package cli

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"settle/internal/payments/stripepay"
	"settle/internal/service"
)

// configureOnline turns on online payments through Stripe when both
// SETTLE_STRIPE_SECRET_KEY and SETTLE_STRIPE_WEBHOOK_SECRET are set
// (SETTLE_STRIPE_API_URL, for tests and the demo, points the client at
// another API base such as stripe-mock). Without them nothing online is
// offered; with only one of them neither is used and a warning says which
// is missing. The secrets are never printed: the log says only whether
// the key is a test-mode or a live one.
func configureOnline(svc *service.Service, getenv func(string) string) error {
	key := strings.TrimSpace(getenv("SETTLE_STRIPE_SECRET_KEY"))
	whsec := strings.TrimSpace(getenv("SETTLE_STRIPE_WEBHOOK_SECRET"))
	switch {
	case key == "" && whsec == "":
		return nil
	case key == "":
		return fmt.Errorf("SETTLE_STRIPE_WEBHOOK_SECRET is set but SETTLE_STRIPE_SECRET_KEY is not: online payments are off")
	case whsec == "":
		return fmt.Errorf("SETTLE_STRIPE_SECRET_KEY is set but SETTLE_STRIPE_WEBHOOK_SECRET is not: online payments are off (payments could not be confirmed)")
	}
	c, err := stripepay.New(stripepay.Config{SecretKey: key, WebhookSecret: whsec, URL: strings.TrimSpace(getenv("SETTLE_STRIPE_API_URL"))})
	if err != nil {
		return err
	}
	svc.EnableOnlinePayments(service.OnlineDeps{Provider: c})
	return nil
}

// stripeMode is what the log may say about a key.
func stripeMode(key string) string {
	switch {
	case strings.HasPrefix(key, "sk_live_"), strings.HasPrefix(key, "rk_live_"):
		return "live"
	case strings.HasPrefix(key, "sk_test_"), strings.HasPrefix(key, "rk_test_"):
		return "test"
	}
	return "unknown"
}

// onlineFromEnv is configureOnline on the process environment, warning
// on stderr when the configuration is half done.
func onlineFromEnv(svc *service.Service) {
	if err := configureOnline(svc, os.Getenv); err != nil {
		slog.Warn(err.Error())
		return
	}
	if svc.OnlinePayments() {
		slog.Debug("online payments through Stripe are on", "mode", stripeMode(os.Getenv("SETTLE_STRIPE_SECRET_KEY")))
	}
}
