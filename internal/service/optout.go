package service

import (
	"context"
	"crypto/rand"
	"strings"
	"sync"
	"time"

	"settle/internal/store"
)

// Opt-out links. With the portal's address configured (Service.PortalURL,
// from SETTLE_PUBLIC_URL or SETTLE_ADDR), every email and SMS carries the
// customer's own link to their contact preferences in the portal, signed
// with ScopeContact: it opens that page and nothing else. Without it, all
// messages carry Service.OptOutURL (a mailbox someone reads).

// OptOutLinkTTL is how long an opt-out link in a message works: a year, so
// that an old email still lets its reader stop the messages (CAN-SPAM asks
// for at least 30 days; Regulation F for a "reasonable and simple" way).
const OptOutLinkTTL = 365 * 24 * time.Hour

// signingKey caches the portal signing key: keys are never changed once
// made (a new key would get a new id, and old ids keep verifying), so the
// cache cannot go stale in a way that matters.
type signingKey struct {
	mu     sync.Mutex
	id     string
	secret []byte
}

// portalKey returns the signing key, reading it (or creating the first
// one) in tx when it is not cached yet; tx must then be writable.
func (s *Service) portalKey(ctx context.Context, tx store.Tx) (string, []byte, error) {
	s.signing.mu.Lock()
	defer s.signing.mu.Unlock()
	if s.signing.secret != nil {
		return s.signing.id, s.signing.secret, nil
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return "", nil, err
	}
	id, secret, err := tx.CurrentPortalKey(ctx, fresh)
	if err != nil {
		return "", nil, err
	}
	s.signing.id, s.signing.secret = id, secret
	return id, secret, nil
}

// loadPortalKey warms the key cache in a transaction of its own (before
// work whose transactions may be read-only, or already hold SQLite's
// write lock). A no-op without a portal address.
func (s *Service) loadPortalKey(ctx context.Context) error {
	if s.PortalURL == "" {
		return nil
	}
	s.signing.mu.Lock()
	cached := s.signing.secret != nil
	s.signing.mu.Unlock()
	if cached {
		return nil
	}
	return s.store.Tx(ctx, func(tx store.Tx) error {
		_, _, err := s.portalKey(ctx, tx)
		return err
	})
}

// optOutURL is where a message to customerID, made at now, lets them opt
// out: their contact preferences in the portal, or OptOutURL for all.
func (s *Service) optOutURL(ctx context.Context, tx store.Tx, customerID string, now time.Time) (string, error) {
	if s.PortalURL == "" {
		return s.OptOutURL, nil
	}
	id, key, err := s.portalKey(ctx, tx)
	if err != nil {
		return "", err
	}
	exp := now.Add(OptOutLinkTTL).Truncate(time.Second).UTC()
	return strings.TrimRight(s.PortalURL, "/") + "/portal/" + signPortal(key, id, customerID, exp, ScopeContact) + "/contact", nil
}

// PayLinkTTL is how long the pay link in a reminder email works.
const PayLinkTTL = 90 * 24 * time.Hour

// payURL is the link in an email to customerID that opens only their
// portal's pay page; "" when online payment is not offered or the
// portal has no address.
func (s *Service) payURL(ctx context.Context, tx store.Tx, customerID string, now time.Time) (string, error) {
	if s.PortalURL == "" || !s.OnlinePayments() {
		return "", nil
	}
	id, key, err := s.portalKey(ctx, tx)
	if err != nil {
		return "", err
	}
	exp := now.Add(PayLinkTTL).Truncate(time.Second).UTC()
	return strings.TrimRight(s.PortalURL, "/") + "/portal/" + signPortal(key, id, customerID, exp, ScopePay) + "/pay", nil
}
