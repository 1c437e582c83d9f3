package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strconv"
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

// CreateToken makes a new API token with a role, that never expires, and
// returns its secret, shown once. The caller must be an admin (the CLI
// acts as admin locally).
func (s *Service) CreateToken(ctx context.Context, role, name string) (secret string, tok *store.Token, err error) {
	return s.CreateTokenFor(ctx, role, name, 0)
}

// MaxTokenTTL bounds a token's lifetime when one is given (ten years).
const MaxTokenTTL = 10 * 366 * 24 * time.Hour

// CreateTokenFor is CreateToken with a lifetime: the token stops working
// ttl after now (the service clock); 0 means it never expires.
func (s *Service) CreateTokenFor(ctx context.Context, role, name string, ttl time.Duration) (secret string, tok *store.Token, err error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return "", nil, err
	}
	if !ValidRole(role) {
		return "", nil, apperr.Field("role", "%q must be admin, agent or viewer", role)
	}
	if ttl < 0 || ttl > MaxTokenTTL {
		return "", nil, apperr.Field("ttl", "must be between 0 (never expires) and ten years")
	}
	var raw [20]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, err
	}
	secret = tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:]))
	tok = &store.Token{Name: name, Role: role, Hash: HashToken(secret)}
	detail := map[string]string{"role": role, "name": name}
	if ttl > 0 {
		exp := s.now().Add(ttl).UTC().Truncate(time.Second)
		tok.ExpiresAt = &exp
		detail["expires_at"] = exp.Format(time.RFC3339)
	}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		if err := tx.InsertToken(ctx, tok); err != nil {
			return err
		}
		return audit(ctx, tx, "token.create", "token", tok.ID, detail)
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
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
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
	now := s.now()
	if tok.Expired(now) {
		return Actor{}, apperr.Errorf(apperr.Unauthorized, "token expired")
	}
	a := Actor{ID: "token:" + tok.ID, Role: tok.Role}
	s.tokens.put(hash, a, now, tok.ExpiresAt)
	return a, nil
}

// TokenCacheTTL is how long a verified token is remembered: requests in
// that window skip the database lookup (on SQLite a transaction that
// queues behind writers). A token revoked in the database stops working
// within this time; an expiring token is never remembered past its expiry.
const TokenCacheTTL = 10 * time.Second

// tokenCache remembers verified tokens by hash (never the secret).
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedActor
}

type cachedActor struct {
	actor   Actor
	expires time.Time  // the cache entry's end
	until   *time.Time // the token's own expiry, if any
}

func (c *tokenCache) get(hash string, now time.Time) (Actor, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || now.After(e.expires) || now.Before(e.expires.Add(-TokenCacheTTL)) || (e.until != nil && !now.Before(*e.until)) {
		return Actor{}, false
	}
	return e.actor, true
}

func (c *tokenCache) put(hash string, a Actor, now time.Time, until *time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) > 10000 {
		c.m = map[string]cachedActor{} // bounded: start afresh rather than grow
	}
	c.m[hash] = cachedActor{actor: a, expires: now.Add(TokenCacheTTL), until: until}
}

// ParseTTL reads a token lifetime as people type it: a whole number of
// days ("90d"), weeks ("2w"), hours ("12h") or minutes ("30m"), or a Go
// duration ("1h30m"); "" and "never" mean no expiry (0).
func ParseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" || s == "never" {
		return 0, nil
	}
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	if unit != 0 {
		n, err := strconv.Atoi(s[:len(s)-1])
		if err != nil || n <= 0 || n > int(MaxTokenTTL/unit) {
			return 0, apperr.Field("ttl", "%q is not a lifetime: use e.g. 90d, 2w, 12h (at most ten years)", s)
		}
		return time.Duration(n) * unit, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d > MaxTokenTTL {
		return 0, apperr.Field("ttl", "%q is not a lifetime: use e.g. 90d, 2w, 12h (at most ten years)", s)
	}
	return d, nil
}

// Now is the service clock (pages that show whether a token has expired).
func (s *Service) Now() time.Time { return s.now() }
