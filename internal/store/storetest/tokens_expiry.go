package storetest

import (
	"testing"
	"time"

	"settle/internal/store"
)

// testTokensExpiry: a token's expiry is stored to the microsecond, read
// back in UTC by TokenByHash and Tokens; a token without one reads nil.
func testTokensExpiry(t *testing.T, s store.Store) {
	exp := time.Date(2026, 9, 29, 14, 0, 0, 500000000, time.FixedZone("CEST", 2*3600))
	expiring := store.Token{Name: "ci", Role: "agent", Hash: "exphash", ExpiresAt: &exp}
	forever := store.Token{Name: "cron", Role: "viewer", Hash: "foreverhash"}
	mustTx(t, s, func(tx store.Tx) error {
		if err := tx.InsertToken(t.Context(), &expiring); err != nil {
			return err
		}
		return tx.InsertToken(t.Context(), &forever)
	})
	mustTx(t, s, func(tx store.Tx) error {
		got, err := tx.TokenByHash(t.Context(), "exphash")
		if err != nil {
			return err
		}
		if got.ExpiresAt == nil || !got.ExpiresAt.Equal(exp) || got.ExpiresAt.Location() != time.UTC {
			t.Errorf("TokenByHash ExpiresAt = %v, want %v in UTC", got.ExpiresAt, exp)
		}
		if got.Expired(exp.Add(-time.Microsecond)) || !got.Expired(exp) {
			t.Errorf("Expired around %v is wrong", exp)
		}
		got, err = tx.TokenByHash(t.Context(), "foreverhash")
		if err != nil {
			return err
		}
		if got.ExpiresAt != nil || got.Expired(exp.AddDate(100, 0, 0)) {
			t.Errorf("a token without expiry reads ExpiresAt %v", got.ExpiresAt)
		}
		list, _, err := tx.Tokens(t.Context(), store.Page{})
		if err != nil {
			return err
		}
		if len(list) != 2 || list[0].ExpiresAt == nil || !list[0].ExpiresAt.Equal(exp) || list[1].ExpiresAt != nil {
			t.Errorf("Tokens = %+v", list)
		}
		return nil
	})
}
