package cli

import (
	"strings"
	"testing"

	"settle/internal/service"
	"settle/internal/testutil"
)

func TestConfigureOnline(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		on      bool
		errWord string
	}{
		{"none", nil, false, ""},
		{"both", map[string]string{"SETTLE_STRIPE_SECRET_KEY": "sk_test_abc", "SETTLE_STRIPE_WEBHOOK_SECRET": "whsec_abc"}, true, ""},
		{"key only", map[string]string{"SETTLE_STRIPE_SECRET_KEY": "sk_test_abc"}, false, "SETTLE_STRIPE_WEBHOOK_SECRET is not"},
		{"secret only", map[string]string{"SETTLE_STRIPE_WEBHOOK_SECRET": "whsec_abc"}, false, "SETTLE_STRIPE_SECRET_KEY is not"},
		{"blank", map[string]string{"SETTLE_STRIPE_SECRET_KEY": "  ", "SETTLE_STRIPE_WEBHOOK_SECRET": " "}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := service.New(testutil.SQLite(t), testutil.Clock)
			err := configureOnline(svc, func(k string) string { return tt.env[k] })
			if svc.OnlinePayments() != tt.on {
				t.Errorf("online %v, want %v", svc.OnlinePayments(), tt.on)
			}
			if (tt.errWord == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.errWord)) {
				t.Errorf("error %v, want one saying %q", err, tt.errWord)
			}
			if err != nil && (strings.Contains(err.Error(), "sk_test_abc") || strings.Contains(err.Error(), "whsec_abc")) {
				t.Errorf("the error quotes a secret: %v", err)
			}
		})
	}
	if stripeMode("sk_live_x") != "live" || stripeMode("sk_test_x") != "test" || stripeMode("x") != "unknown" {
		t.Error("stripeMode")
	}
}
