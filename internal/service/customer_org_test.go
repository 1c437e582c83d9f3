package service_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/notify"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// TestImport_CustomerAddressAndOwner: the customers CSV takes the postal
// address and the account owner (optional columns); bad values are
// reported by line and column and nothing is written.
func TestImport_CustomerAddressAndOwner(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			st := open(t)
			svc := service.New(st, testutil.Clock)
			ctx := testutil.Admin(context.Background())
			owner, err := svc.CreateUser(ctx, service.UserInput{Email: "olive@example.com", Name: "Olive", Role: "agent", Password: "correct horse battery"})
			if err != nil {
				t.Fatal(err)
			}
			mustImport(t, svc, "customers", "external_ref,name,address_line1,address_line2,postal_code,city,region,country,owner\n"+
				"A1,Acme Ltd,14 Harbour Street,Unit 3,BS1 4DJ,Bristol,,gb,Olive@Example.com\n"+
				"A2,Bare Co,,,,,,,\n")
			c, err := svc.Customer(ctx, "A1")
			if err != nil {
				t.Fatal(err)
			}
			wantAddr := ledger.Address{Lines: []string{"14 Harbour Street", "Unit 3"}, PostalCode: "BS1 4DJ", City: "Bristol", Country: "GB"}
			if diff := cmp.Diff(wantAddr, c.Address); diff != "" || c.Owner != owner.ID {
				t.Errorf("A1 address (-want +got):\n%s\nowner %q, want %q", diff, c.Owner, owner.ID)
			}
			// A file without the address columns leaves the address alone;
			// the same values again are unchanged.
			res := mustImport(t, svc, "customers", "external_ref,name\nA1,Acme Ltd\n")
			if res.Unchanged != 1 {
				t.Errorf("result = %+v, want 1 unchanged", res)
			}
			if c, _ := svc.Customer(ctx, "A1"); !c.Address.Equal(wantAddr) {
				t.Errorf("address lost by a file without the columns: %+v", c.Address)
			}

			before := testutil.Counts(t, st)
			e := importErr(t, svc, "customers", "external_ref,name,address_line1,address_line2,address_line3,city,country,owner\n"+
				"B1,Bad One,Street 1,,,Paris,FRA,\n"+
				"B2,Bad Two,Street 2,,,Lyon,FR,nobody@example.com\n"+
				"B3,Bad Three,\"Line\x07bell\",,,Nice,FR,\n"+
				"B4,Bad Four,Street 4,,\"Tab\there\",Nice,FR,\n", service.ImportOptions{})
			var got []string
			for _, f := range e.Fields {
				got = append(got, fmt.Sprintf("%d %s", f.Line, f.Column))
			}
			if diff := cmp.Diff([]string{"2 country", "3 owner", "4 address_line1", "5 address_line3"}, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s\n%v", diff, e)
			}
			if diff := cmp.Diff(before, testutil.Counts(t, st)); diff != "" {
				t.Errorf("a refused import wrote (-before +after):\n%s", diff)
			}
		})
	}
}

// TestSetCreditHoldTx: the call a collection step makes sets the hold
// once (audited as the system), keeps the limit, and leaves a customer
// already on hold unchanged.
func TestSetCreditHoldTx(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			st := open(t)
			svc := service.New(st, testutil.Clock)
			ctx := testutil.Admin(context.Background())
			c, err := svc.CreateCustomer(ctx, service.CustomerInput{Name: "Held GmbH"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SetCreditHold(ctx, c.ID, service.CreditHoldInput{Held: false, Reason: "limit agreed", Limit: "2500.00", Currency: "EUR"}); err != nil {
				t.Fatal(err)
			}
			sys := service.WithActor(context.Background(), service.Actor{ID: "system", Role: service.RoleAdmin})
			on := civil.Date{Year: 2026, Month: 6, Day: 20}
			for range 2 {
				err := st.Tx(sys, func(tx store.Tx) error {
					return svc.SetCreditHoldTx(sys, tx, c.ID, "Final notice step", "collect:final", on)
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			got, err := svc.Customer(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			h := got.CreditHold
			if !h.Held || h.Reason != "Final notice step" || h.By != "collect:final" || h.Since != on ||
				h.Limit.String() != "2500.00" || h.Limit.Currency() != "EUR" {
				t.Errorf("hold = %+v", h)
			}
			entries, err := svc.Audit(ctx, store.AuditFilter{ObjectID: c.ID})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range entries {
				actions = append(actions, e.Actor+" "+e.Action)
			}
			want := []string{"test:admin customer.create", "test:admin customer.credit_hold", "system customer.credit_hold"}
			if diff := cmp.Diff(want, actions); diff != "" {
				t.Errorf("audit (-want +got):\n%s", diff)
			}
			// A customer that does not exist: NotFound, nothing written.
			err = st.Tx(sys, func(tx store.Tx) error {
				return svc.SetCreditHoldTx(sys, tx, "cus_00000000000000000000000000", "x", "system", on)
			})
			if err == nil {
				t.Error("SetCreditHoldTx on an unknown customer succeeded")
			}
		})
	}
}

func TestLetterAddress(t *testing.T) {
	de := notify.Creditor{Name: "Beispiel GmbH", Country: "DE"}
	for _, c := range []struct {
		name string
		addr ledger.Address
		from notify.Creditor
		want []string
	}{
		{"none", ledger.Address{}, de, nil},
		{"country alone", ledger.Address{Country: "FR"}, de, nil},
		{"home", ledger.Address{Lines: []string{"Königstraße 12"}, PostalCode: "70173", City: "Stuttgart", Country: "DE"}, de,
			[]string{"Königstraße 12", "70173 Stuttgart"}},
		{"abroad", ledger.Address{Lines: []string{"8 rue des Lilas", "Bât. B"}, PostalCode: "75011", City: "Paris", Country: "FR"}, de,
			[]string{"8 rue des Lilas", "Bât. B", "75011 Paris", "FRANCE"}},
		{"region", ledger.Address{Lines: []string{"200 Harbor Street"}, PostalCode: "02110", City: "Boston", Region: "MA", Country: "US"},
			notify.Creditor{Country: "US"}, []string{"200 Harbor Street", "Boston, MA 02110"}},
		{"UK postcode line", ledger.Address{Lines: []string{"14 Harbour Street"}, PostalCode: "BS1 4DJ", City: "Bristol", Country: "GB"},
			notify.Creditor{Country: "GB"}, []string{"14 Harbour Street", "Bristol", "BS1 4DJ"}},
		{"Canada from Germany", ledger.Address{Lines: []string{"1 Front St W"}, PostalCode: "M5J 2X2", City: "Toronto", Region: "ON", Country: "CA"},
			de, []string{"1 Front St W", "Toronto ON M5J 2X2", "CANADA"}},
		{"sender country unknown", ledger.Address{Lines: []string{"1 High St"}, City: "Leeds", Country: "GB"}, notify.Creditor{},
			[]string{"1 High St", "Leeds", "UNITED KINGDOM"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := service.LetterAddress(&ledger.Customer{Address: c.addr}, c.from)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
