package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
)

// ---- issue 16: postal address, account owner, credit hold, organisation ----------

func getCustomer(t *testing.T, s store.Store, id string) ledger.Customer {
	t.Helper()
	var c *ledger.Customer
	mustTx(t, s, func(tx store.Tx) (err error) { c, err = tx.Customer(t.Context(), id); return err })
	return *c
}

// testCustomerAddressOwnerHold: the address, owner and credit hold round
// trip; UpdateCustomer leaves the hold alone, SetCustomerCreditHold only
// the hold.
func testCustomerAddressOwnerHold(t *testing.T, s store.Store) {
	owner := addUser(t, s, store.User{Email: "owner@example.com", Name: "Olive Owner", Role: "agent", PasswordHash: phc})
	in := newCustomer("ADDR-1")
	in.Address = ledger.Address{Lines: []string{"Königstraße 12", "Hinterhaus, 2. OG"}, PostalCode: "70173",
		City: "Stuttgart", Region: "BW", Country: "DE"}
	in.Owner = owner.ID
	c := addCustomer(t, s, in)
	got := getCustomer(t, s, c.ID)
	want := in
	want.ID, want.CreatedAt, want.UpdatedAt = c.ID, Now, Now
	if diff := cmp.Diff(want, got, cmpAmount); diff != "" {
		t.Fatalf("customer with address (-want +got):\n%s", diff)
	}

	hold := ledger.CreditHold{Held: true, Reason: "final notice sent", Since: day("2026-11-30"), By: "system",
		Limit: money.New(500000, EUR)}
	mustTx(t, s, func(tx store.Tx) error { return tx.SetCustomerCreditHold(t.Context(), c.ID, hold) })
	got = getCustomer(t, s, c.ID)
	if diff := cmp.Diff(hold, got.CreditHold, cmpAmount); diff != "" {
		t.Errorf("credit hold (-want +got):\n%s", diff)
	}

	// An edit of the details written from a copy read before the hold
	// must not release it; it clears the address and the owner.
	stale := want
	stale.Address, stale.Owner, stale.Name = ledger.Address{}, "", "Renamed GmbH"
	mustTx(t, s, func(tx store.Tx) error { return tx.UpdateCustomer(t.Context(), &stale) })
	got = getCustomer(t, s, c.ID)
	if !got.Address.IsZero() || got.Owner != "" || got.Name != "Renamed GmbH" {
		t.Errorf("after update: address %+v owner %q name %q, want none, none, Renamed GmbH", got.Address, got.Owner, got.Name)
	}
	if diff := cmp.Diff(hold, got.CreditHold, cmpAmount); diff != "" {
		t.Errorf("UpdateCustomer changed the credit hold (-want +got):\n%s", diff)
	}

	// Released, without a limit: the limit is gone (NULL), not 0.
	released := ledger.CreditHold{Reason: "paid", Since: day("2026-12-02"), By: "usr_x"}
	mustTx(t, s, func(tx store.Tx) error { return tx.SetCustomerCreditHold(t.Context(), c.ID, released) })
	if got := getCustomer(t, s, c.ID).CreditHold; got.HasLimit() || got.Held || got != released {
		t.Errorf("released hold = %+v, want %+v", got, released)
	}

	// An owner that is no user is refused by the database as well.
	bad := newCustomer("ADDR-2")
	bad.Owner = "usr_00000000000000000000000000"
	err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertCustomer(t.Context(), &bad) })
	if err == nil {
		t.Error("InsertCustomer with an unknown owner succeeded")
	}
	err = s.Tx(t.Context(), func(tx store.Tx) error {
		return tx.SetCustomerCreditHold(t.Context(), "cus_00000000000000000000000000", hold)
	})
	wantCode(t, err, apperr.NotFound)
}

func testOrganisation(t *testing.T, s store.Store) {
	err := s.Tx(t.Context(), func(tx store.Tx) error { _, err := tx.Organisation(t.Context()); return err })
	wantCode(t, err, apperr.NotFound)
	o := store.Organisation{LegalName: "Muster & Söhne GmbH", Address: ledger.Address{Lines: []string{"Hauptstraße 1"},
		PostalCode: "10115", City: "Berlin", Country: "DE"}, CompanyNumber: "HRB 12345", VATID: "DE123456789",
		Phone: "+49 30 1234567", Email: "ar@muster.example", Website: "https://muster.example",
		BankAccountHolder: "Muster & Söhne GmbH", BankAccountNumber: "DE89 3704 0044 0532 0130 00", BankCode: "COBADEFFXXX",
		BankName: "Commerzbank", UpdatedBy: "usr_admin"}
	for i, name := range []string{"Muster & Söhne GmbH", "Muster AG"} {
		o.LegalName = name
		if i == 1 {
			o.Address.Lines = []string{"Zeile 1", "Zeile 2"}
		}
		mustTx(t, s, func(tx store.Tx) error { return tx.PutOrganisation(t.Context(), &o) })
		var got *store.Organisation
		mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.Organisation(t.Context()); return err })
		want := o
		want.UpdatedAt = Now
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("save %d (-want +got):\n%s", i+1, diff)
		}
	}
}
