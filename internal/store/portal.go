package store

import "context"

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
