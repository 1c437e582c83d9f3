package ledger

import (
	"slices"
	"strings"
	"testing"

	"settle/internal/apperr"
)

func TestAddress_ValidateFields(t *testing.T) {
	for _, c := range []struct {
		name string
		in   Address
		want []string // fields named, in order
	}{
		{"none", Address{}, nil},
		{"full", Address{Lines: []string{"Königstraße 12"}, PostalCode: "70173", City: "Stuttgart", Region: "BW", Country: "de"}, nil},
		{"city alone", Address{City: "Paris"}, nil},
		{"PO box line alone", Address{Lines: []string{"PO Box 12"}}, nil},
		{"country alone reaches nobody", Address{Country: "FR"}, []string{"address.city"}},
		{"postcode alone", Address{PostalCode: "75011"}, []string{"address.city"}},
		{"four lines", Address{Lines: []string{"a", "b", "c", "d"}, City: "X"}, []string{"address.lines"}},
		{"bad country", Address{City: "X", Country: "XX"}, []string{"address.country"}},
		{"three letters", Address{City: "X", Country: "FRA"}, []string{"address.country"}},
		{"control character", Address{Lines: []string{"ok", "a\tb"}, City: "X"}, []string{"address.lines[1]"}},
		{"long line", Address{Lines: []string{strings.Repeat("ß", 501)}, City: "X"}, []string{"address.lines[0]"}},
		{"long postcode", Address{PostalCode: strings.Repeat("9", 17), City: "X"}, []string{"address.postal_code"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := c.in
			a.Normalize()
			var fs apperr.Fields
			a.ValidateFields(&fs, "address")
			var got []string
			for _, f := range fs {
				got = append(got, f.Field)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("fields %v, want %v (%v)", got, c.want, fs)
			}
		})
	}
}

func TestAddress_NormalizeAndEqual(t *testing.T) {
	a := Address{Lines: []string{" 1 High St ", "", "  "}, City: " Leeds ", Country: " gb "}
	a.Normalize()
	want := Address{Lines: []string{"1 High St"}, City: "Leeds", Country: "GB"}
	if !a.Equal(want) || a.IsZero() {
		t.Errorf("Normalize = %+v, want %+v", a, want)
	}
	if (Address{Lines: []string{}}).IsZero() != true {
		t.Error("an address with an empty line list is not zero")
	}
	c1 := Customer{Name: "A", Address: want}
	c2 := c1
	c2.Address.Lines = []string{"1 High St"}
	if !c1.Equal(c2) {
		t.Error("equal customers (distinct line slices) differ")
	}
	c2.Address.Lines = []string{"2 High St"}
	if c1.Equal(c2) {
		t.Error("customers with different street lines are equal")
	}
	c2 = c1
	c2.CreditHold.Held = true
	if c1.Equal(c2) {
		t.Error("customers with different credit holds are equal")
	}
}
