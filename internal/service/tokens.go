package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"settle/internal/apperr"
	"settle/internal/store"
)

// tokenPrefix marks settle API tokens (so secret scanners can spot them).
const tokenPrefix = "stl_"

// HashToken is how tokens are stored: only the SHA-256 of the secret.
// Tokens carry 160 random bits, so a fast hash is enough (no salt needed:
// they cannot be guessed from a dictionary).
func HashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateToken makes a new API token with a role and returns its secret,
// shown once. The caller must be an admin (the CLI acts as admin locally).
func (s *Service) CreateToken(ctx context.Context, role, name string) (secret string, tok *store.Token, err error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return "", nil, err
	}
	if !ValidRole(role) {
		return "", nil, apperr.Field("role", "%q must be admin, agent or viewer", role)
	}
	var raw [20]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, err
	}
	secret = tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:]))
	tok = &store.Token{Name: name, Role: role, Hash: HashToken(secret)}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		if err := tx.InsertToken(ctx, tok); err != nil {
			return err
		}
		return audit(ctx, tx, "token.create", "token", tok.ID, map[string]string{"role": role, "name": name})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, tok, nil
}

// Authenticate returns the actor a bearer token stands for.
func (s *Service) Authenticate(ctx context.Context, secret string) (Actor, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return Actor{}, apperr.Errorf(apperr.Unauthorized, "invalid token")
	}
	hash := HashToken(secret)
	if a, ok := s.tokens.get(hash, s.now()); ok {
		return a, nil
	}
	var tok *store.Token
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		tok, err = tx.TokenByHash(ctx, hash)
		return err
	})
	if err != nil {
		if apperr.CodeOf(err) == apperr.Unauthorized {
			return Actor{}, apperr.Errorf(apperr.Unauthorized, "invalid token")
		}
		return Actor{}, err
	}
	if tok.RevokedAt != nil {
		return Actor{}, apperr.Errorf(apperr.Unauthorized, "token revoked")
	}
	a := Actor{ID: "token:" + tok.ID, Role: tok.Role}
	s.tokens.put(hash, a, s.now())
	return a, nil
}

// TokenCacheTTL is how long a verified token is remembered: requests in
// that window skip the database lookup (on SQLite a transaction that
// queues behind writers). A token revoked in the database stops working
// within this time.
const TokenCacheTTL = 10 * time.Second

// tokenCache remembers verified tokens by hash (never the secret).
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedActor
}

type cachedActor struct {
	actor   Actor
	expires time.Time
}

func (c *tokenCache) get(hash string, now time.Time) (Actor, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || now.After(e.expires) || now.Before(e.expires.Add(-TokenCacheTTL)) {
		return Actor{}, false
	}
	return e.actor, true
}

func (c *tokenCache) put(hash string, a Actor, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cachedActor{} // bounded: start afresh rather than grow
	}
	c.m[hash] = cachedActor{actor: a, expires: now.Add(TokenCacheTTL)}
}
