package service_test

import (
	"context"
	"testing"
	"time"

	"settle/internal/apperr"
	"settle/internal/service"
	"settle/internal/testutil"
)

// A token with a lifetime authenticates until just before its expiry and
// is refused (401) from the expiry on — also when it was verified a
// moment before and sits in the token cache. A token without one lasts.
func TestTokens_Expiry(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	st := testutil.SQLiteAt(t, clock.Now)
	svc := service.New(st, clock.Now)
	admin := testutil.Admin(context.Background())
	ctx := context.Background()

	secret, tok, err := svc.CreateTokenFor(admin, service.RoleAgent, "ci", 90*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	wantExp := time.Date(2026, 8, 30, 12, 0, 0, 0, time.UTC)
	if tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(wantExp) {
		t.Fatalf("ExpiresAt %v, want %v", tok.ExpiresAt, wantExp)
	}
	forever, _, err := svc.CreateToken(admin, service.RoleViewer, "cron")
	if err != nil {
		t.Fatal(err)
	}

	// One second before the expiry: it works, and is now cached.
	clock.Advance(90*24*time.Hour - time.Second)
	if a, err := svc.Authenticate(ctx, secret); err != nil || a.Role != service.RoleAgent {
		t.Fatalf("just before expiry: %+v, %v", a, err)
	}
	// At the expiry (well inside the cache's TokenCacheTTL): refused.
	clock.Advance(time.Second)
	if _, err := svc.Authenticate(ctx, secret); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Fatalf("at expiry (cached a second ago): %v, want unauthorized", err)
	}
	// And after the cache entry would have lapsed anyway (from the store).
	clock.Advance(time.Hour)
	if _, err := svc.Authenticate(ctx, secret); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Fatalf("after expiry: %v, want unauthorized", err)
	}
	if _, err := svc.Authenticate(ctx, forever); err != nil {
		t.Fatalf("a token without expiry: %v", err)
	}

	// The lifetime is checked: negative or over ten years is a field error.
	for _, ttl := range []time.Duration{-time.Second, service.MaxTokenTTL + time.Hour} {
		if _, _, err := svc.CreateTokenFor(admin, service.RoleAgent, "x", ttl); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("ttl %v: %v, want invalid", ttl, err)
		}
	}
	// Only admins make tokens, with or without a lifetime.
	if _, _, err := svc.CreateTokenFor(as(service.RoleAgent), service.RoleAgent, "x", time.Hour); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("agent creating a token: %v", err)
	}
}
