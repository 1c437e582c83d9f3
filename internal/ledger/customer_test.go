package ledger_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"settle/internal/apperr"
	"settle/internal/ledger"
)

func validCustomer() ledger.Customer {
	return ledger.Customer{
		Name: "Acme Ltd", ExternalRef: "ACME-1", Email: "ar@acme.example", Phone: "+44 20 7946 0958",
		TimeZone: "Europe/London", Locale: "en-GB", Kind: ledger.KindBusiness, Jurisdiction: "GB",
		Segment: "smb", Style: ledger.StyleDirect, PaymentTermsDays: 30,
	}
}

// fieldsOf returns the field names of an apperr.Invalid error, failing the
// test for any other error.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid {
		t.Fatalf("error %v (%T) is not an apperr.Invalid", err, err)
	}
	var out []string
	for _, f := range e.Fields {
		if f.Message == "" {
			t.Errorf("field %q has an empty message", f.Field)
		}
		out = append(out, f.Field)
	}
	return out
}

func TestCustomer_Validate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *ledger.Customer)
		want   []string // fields named by the error; nil: valid
	}{
		{"valid", func(c *ledger.Customer) {}, nil},
		{"minimal consumer", func(c *ledger.Customer) {
			*c = ledger.Customer{Name: "Jo", TimeZone: "UTC", Locale: "en", Kind: ledger.KindConsumer, Segment: "retail", Style: ledger.StyleIndirect}
		}, nil},
		{"name 200 characters", func(c *ledger.Customer) { c.Name = strings.Repeat("é", 200) }, nil},
		{"payment terms 0", func(c *ledger.Customer) { c.PaymentTermsDays = 0 }, nil},
		{"payment terms 365", func(c *ledger.Customer) { c.PaymentTermsDays = 365 }, nil},

		{"name empty", func(c *ledger.Customer) { c.Name = "" }, []string{"name"}},
		{"name 201 characters", func(c *ledger.Customer) { c.Name = strings.Repeat("a", 201) }, []string{"name"}},
		{"name control character", func(c *ledger.Customer) { c.Name = "Acme\x00Ltd" }, []string{"name"}},
		{"name invalid UTF-8", func(c *ledger.Customer) { c.Name = "Acme \xff" }, []string{"name"}},
		{"external_ref settle prefix", func(c *ledger.Customer) { c.ExternalRef = "cus_123" }, []string{"external_ref"}},
		{"external_ref 65 characters", func(c *ledger.Customer) { c.ExternalRef = strings.Repeat("r", 65) }, []string{"external_ref"}},
		{"external_ref newline", func(c *ledger.Customer) { c.ExternalRef = "A\nB" }, []string{"external_ref"}},
		{"email not an address", func(c *ledger.Customer) { c.Email = "not-an-email" }, []string{"email"}},
		{"email with display name", func(c *ledger.Customer) { c.Email = "Bob <bob@example.com>" }, []string{"email"}},
		{"phone too few digits", func(c *ledger.Customer) { c.Phone = "12345" }, []string{"phone"}},
		{"phone too many digits", func(c *ledger.Customer) { c.Phone = strings.Repeat("1", 21) }, []string{"phone"}},
		{"phone letters", func(c *ledger.Customer) { c.Phone = "call 0123456" }, []string{"phone"}},
		{"time_zone unknown", func(c *ledger.Customer) { c.TimeZone = "Mars/Olympus" }, []string{"time_zone"}},
		{"time_zone Local", func(c *ledger.Customer) { c.TimeZone = "Local" }, []string{"time_zone"}},
		{"time_zone empty", func(c *ledger.Customer) { c.TimeZone = "" }, nil}, // LoadLocation("") is UTC
		{"locale malformed", func(c *ledger.Customer) { c.Locale = "en_GB!!" }, []string{"locale"}},
		{"kind unknown", func(c *ledger.Customer) { c.Kind = "robot" }, []string{"kind"}},
		{"kind empty", func(c *ledger.Customer) { c.Kind = "" }, []string{"kind"}},
		{"jurisdiction alpha-3", func(c *ledger.Customer) { c.Jurisdiction = "GBR" }, []string{"jurisdiction"}},
		{"jurisdiction unknown", func(c *ledger.Customer) { c.Jurisdiction = "ZZ" }, []string{"jurisdiction"}},
		{"jurisdiction numeric region", func(c *ledger.Customer) { c.Jurisdiction = "001" }, []string{"jurisdiction"}},
		{"segment 65 characters", func(c *ledger.Customer) { c.Segment = strings.Repeat("s", 65) }, []string{"segment"}},
		{"style unknown", func(c *ledger.Customer) { c.Style = "passive" }, []string{"style"}},
		{"payment terms negative", func(c *ledger.Customer) { c.PaymentTermsDays = -1 }, []string{"payment_terms_days"}},
		{"payment terms 366", func(c *ledger.Customer) { c.PaymentTermsDays = 366 }, []string{"payment_terms_days"}},
		{"every problem reported", func(c *ledger.Customer) {
			c.Name, c.Email, c.Kind, c.Style = "", "x", "robot", "loud"
		}, []string{"name", "email", "kind", "style"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCustomer()
			tt.mutate(&c)
			got := fieldsOf(t, c.Validate())
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Validate() fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCustomer_Normalize(t *testing.T) {
	tests := []struct {
		name string
		in   ledger.Customer
		want ledger.Customer
	}{
		{
			name: "defaults filled",
			in:   ledger.Customer{Name: "  Jo  "},
			want: ledger.Customer{Name: "Jo", TimeZone: "UTC", Locale: "en", Kind: "business", Segment: "standard", Style: "direct"},
		},
		{
			name: "trimmed and case folded",
			in: ledger.Customer{Name: "Acme", ExternalRef: " A-1 ", Kind: " Consumer ", Jurisdiction: " gb ",
				Style: "INDIRECT", TimeZone: " Europe/Paris ", Locale: " fr ", Segment: " vip "},
			want: ledger.Customer{Name: "Acme", ExternalRef: "A-1", Kind: "consumer", Jurisdiction: "GB",
				Style: "indirect", TimeZone: "Europe/Paris", Locale: "fr", Segment: "vip"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in
			got.Normalize()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Normalize() mismatch (-want +got):\n%s", diff)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("normalized customer invalid: %v", err)
			}
		})
	}
}
