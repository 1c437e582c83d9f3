package store

import (
	"context"
	"time"
)

// PortalKeysTx keeps the customer portal's signing keys (migration
// 00014). The key lives in the database so that every instance over one
// database signs and verifies portal links alike.
type PortalKeysTx interface {
	// PortalKey returns the secret of key id; NotFound when there is none.
	PortalKey(ctx context.Context, id string) ([]byte, error)
	// CurrentPortalKey returns the newest key, creating the first one
	// with secret fresh (≥ 32 bytes) when there is none yet; two
	// transactions creating it at once both get the same key.
	CurrentPortalKey(ctx context.Context, fresh []byte) (id string, secret []byte, err error)
}

// PortalShortLink is a short portal link (/p/{code}) as stored: the
// SHA-256 of its code, never the code (migration 00020).
type PortalShortLink struct {
	CodeHash   string // hex SHA-256 of the code
	CustomerID string
	Scope      string // what it opens: "home"
	ExpiresAt  time.Time
	CreatedAt  time.Time
}

// PortalShortLinksTx keeps the short portal links.
type PortalShortLinksTx interface {
	// InsertPortalShortLink stores l. A link whose CodeHash is stored
	// already is left as it is (no error): two transactions making the
	// same day's link for a customer both succeed, the first one's row
	// stays. Read it back with PortalShortLink.
	InsertPortalShortLink(ctx context.Context, l *PortalShortLink) error
	// PortalShortLink returns the link with the code hash, expired or
	// not; NotFound when there is none.
	PortalShortLink(ctx context.Context, codeHash string) (*PortalShortLink, error)
}
