package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"

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
	var tok *store.Token
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		tok, err = tx.TokenByHash(ctx, HashToken(secret))
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
	return Actor{ID: "token:" + tok.ID, Role: tok.Role}, nil
}
