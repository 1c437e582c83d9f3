// Package stripemock gives tests the address of stripe-mock (Stripe's own
// API mock: it validates every request against Stripe's OpenAPI spec and
// answers with fixtures), and signs webhook events as Stripe would.
// scripts/test.sh starts stripe-mock on a loopback port and exports
// SETTLE_TEST_STRIPE_MOCK; without it the tests that need it skip, except
// under CI=true, where they fail (like the PostgreSQL ones).
package stripemock

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"settle/internal/testutil/testenv"

	"github.com/stripe/stripe-go/v84"
	"github.com/stripe/stripe-go/v84/webhook"
)

// URL is stripe-mock's base URL, or skips (fails in CI) without one.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("SETTLE_TEST_STRIPE_MOCK")
	if u == "" {
		testenv.Missing(t, "SETTLE_TEST_STRIPE_MOCK is not set (./scripts/test.sh starts stripe-mock) to test the Stripe calls")
	}
	return u
}

// Test secrets: never real ones.
const (
	SecretKey     = "sk_test_settlemock"
	WebhookSecret = "whsec_settle_test_secret"
)

// Event builds the JSON of a Stripe event of type typ about object, as
// Stripe sends it.
func Event(id, typ string, created time.Time, object map[string]any) []byte {
	b, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "type": typ, "api_version": stripe.APIVersion, "created": created.Unix(),
		"livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": object},
	})
	if err != nil {
		panic(err)
	}
	return b
}

// Sign returns the Stripe-Signature header of payload under secret, signed now.
func Sign(payload []byte, secret string) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: time.Now()}).Header
}
