package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/store"
)

// testTokensListRevoke: tokens are listed in creation order with their
// revocation; revoking twice keeps the first time; an unknown id is
// NotFound.
func testTokensListRevoke(t *testing.T, s store.Store) {
	var made []store.Token
	for i, name := range []string{"ci", "reports", "backup"} {
		tok := store.Token{Name: name, Role: []string{"admin", "agent", "viewer"}[i], Hash: string(rune('a'+i)) + "hash"}
		mustTx(t, s, func(tx store.Tx) error { return tx.InsertToken(t.Context(), &tok) })
		made = append(made, tok)
	}
	list := func(p store.Page) ([]store.Token, string) {
		t.Helper()
		var out []store.Token
		var next string
		mustTx(t, s, func(tx store.Tx) (err error) { out, next, err = tx.Tokens(t.Context(), p); return err })
		return out, next
	}
	first, next := list(store.Page{Limit: 2})
	rest, end := list(store.Page{Limit: 2, Cursor: next})
	if next == "" || end != "" || len(first) != 2 || len(rest) != 1 {
		t.Fatalf("pages of 2: %d (next %q), %d (next %q)", len(first), next, len(rest), end)
	}
	for i, tok := range append(first, rest...) {
		want := made[i]
		want.CreatedAt = Now
		if diff := cmp.Diff(want, tok); diff != "" {
			t.Errorf("token %d (-want +got):\n%s", i, diff)
		}
	}

	at := time.Date(2026, 7, 2, 8, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	var got *store.Token
	mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.RevokeToken(t.Context(), made[1].ID, at); return err })
	if got.ID != made[1].ID || got.RevokedAt == nil || !got.RevokedAt.Equal(at) || got.RevokedAt.Location() != time.UTC {
		t.Fatalf("RevokeToken returned %+v", got)
	}
	// Again, later: the first time stands.
	mustTx(t, s, func(tx store.Tx) (err error) {
		got, err = tx.RevokeToken(t.Context(), made[1].ID, at.Add(time.Hour))
		return err
	})
	if !got.RevokedAt.Equal(at) {
		t.Errorf("a second revocation moved RevokedAt to %v", got.RevokedAt)
	}
	all, _ := list(store.Page{})
	for i, tok := range all {
		if revoked := tok.RevokedAt != nil; revoked != (i == 1) {
			t.Errorf("token %d (%s) revoked = %v", i, tok.Name, revoked)
		}
	}
	// TokenByHash sees the revocation (Authenticate refuses on it).
	mustTx(t, s, func(tx store.Tx) error {
		tok, err := tx.TokenByHash(t.Context(), made[1].Hash)
		if err != nil {
			return err
		}
		if tok.RevokedAt == nil || !tok.RevokedAt.Equal(at) {
			t.Errorf("TokenByHash after revoking: RevokedAt %v", tok.RevokedAt)
		}
		return nil
	})
	err := s.Tx(t.Context(), func(tx store.Tx) error {
		_, err := tx.RevokeToken(t.Context(), "tok_nonesuch", at)
		return err
	})
	wantCode(t, err, apperr.NotFound)
}
