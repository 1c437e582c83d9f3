package storetest

import (
	"bytes"
	"strings"
	"testing"
	"time"

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

// testPortalShortLinks: a short link reads back exactly (times in UTC to
// the second); inserting the same code hash again is no error and keeps
// the first row (two runs making one day's link at once); an unknown hash
// is NotFound; a link for a customer that does not exist is refused and
// writes nothing.
func testPortalShortLinks(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("SLA"))
	b := addCustomer(t, s, newCustomer("SLB"))
	created := time.Date(2026, 12, 6, 9, 30, 15, 0, time.UTC)
	first := store.PortalShortLink{CodeHash: strings.Repeat("ab", 32), CustomerID: a.ID, Scope: "home",
		ExpiresAt: created.Add(30 * 24 * time.Hour), CreatedAt: created}
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertPortalShortLink(t.Context(), &first) })
	again := first
	again.CustomerID, again.ExpiresAt = b.ID, created.Add(time.Hour)
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertPortalShortLink(t.Context(), &again) })
	var got *store.PortalShortLink
	err := s.ReadTx(t.Context(), func(tx store.Tx) (err error) {
		got, err = tx.PortalShortLink(t.Context(), first.CodeHash)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if *got != first {
		t.Errorf("read back %+v, want %+v", *got, first)
	}
	err = s.ReadTx(t.Context(), func(tx store.Tx) error {
		_, err := tx.PortalShortLink(t.Context(), strings.Repeat("cd", 32))
		return err
	})
	wantCode(t, err, apperr.NotFound)

	ghost := store.PortalShortLink{CodeHash: strings.Repeat("ef", 32), CustomerID: "cus_nobody", Scope: "home",
		ExpiresAt: created.Add(time.Hour), CreatedAt: created}
	if err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertPortalShortLink(t.Context(), &ghost) }); err == nil {
		t.Error("a link for a customer that does not exist was stored")
	}
	err = s.ReadTx(t.Context(), func(tx store.Tx) error {
		_, err := tx.PortalShortLink(t.Context(), ghost.CodeHash)
		return err
	})
	wantCode(t, err, apperr.NotFound)
}
