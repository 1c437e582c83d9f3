package storetest

import (
	"bytes"
	"testing"

	"settle/internal/apperr"
	"settle/internal/store"
)

// testPortalKeys: the first call creates the key from the caller's fresh
// secret; later calls (with other fresh secrets) get that same key; it
// reads back by id; an unknown id is NotFound; a short secret is refused.
func testPortalKeys(t *testing.T, s store.Store) {
	short := bytes.Repeat([]byte{1}, 16)
	err := s.Tx(t.Context(), func(tx store.Tx) error { _, _, err := tx.CurrentPortalKey(t.Context(), short); return err })
	if err == nil {
		t.Fatal("a 16-byte secret was accepted")
	}
	first := bytes.Repeat([]byte{0xA5}, 32)
	second := bytes.Repeat([]byte{0x5A}, 32)
	var id1, id2 string
	var k1, k2, byID []byte
	mustTx(t, s, func(tx store.Tx) (err error) { id1, k1, err = tx.CurrentPortalKey(t.Context(), first); return err })
	mustTx(t, s, func(tx store.Tx) (err error) { id2, k2, err = tx.CurrentPortalKey(t.Context(), second); return err })
	if id1 == "" || id1 != id2 || !bytes.Equal(k1, first) || !bytes.Equal(k2, first) {
		t.Fatalf("keys: %q %x then %q %x; want the first secret both times", id1, k1, id2, k2)
	}
	mustTx(t, s, func(tx store.Tx) (err error) { byID, err = tx.PortalKey(t.Context(), id1); return err })
	if !bytes.Equal(byID, first) {
		t.Errorf("PortalKey(%s) = %x, want %x", id1, byID, first)
	}
	err = s.ReadTx(t.Context(), func(tx store.Tx) error { _, err := tx.PortalKey(t.Context(), "pk-none"); return err })
	if apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("unknown key: %v, want NotFound", err)
	}
}
