// Package ledger holds settle's receivables rules: customers, invoices,
// payments and credit notes, how a payment is allocated, aging and the
// collection KPIs. It is pure: no SQL, no HTTP, no clock — every
// time-dependent function takes its "as of" date.
package ledger

import (
	"net/mail"
	"reflect"
	"strings"
	"time"

	"golang.org/x/text/language"

	"settle/internal/apperr"
	"settle/internal/text"
)

// Customer kinds and communication styles (contract.md).
const (
	KindBusiness = "business"
	KindConsumer = "consumer"

	StyleDirect   = "direct"
	StyleIndirect = "indirect"
)

// Defaults applied by Normalize when a field is empty. Terms without a
// date default to 30 days (domain.md §5).
const (
	DefaultTimeZone         = "UTC"
	DefaultLocale           = "en"
	DefaultSegment          = "standard"
	DefaultPaymentTermsDays = 30
)

// Customer is a debtor.
type Customer struct {
	ID               string
	ExternalRef      string // id in the creditor's accounting system; unique when set
	Name             string
	Email            string
	Phone            string
	TimeZone         string // IANA name
	Locale           string // BCP 47
	Kind             string
	Jurisdiction     string // ISO 3166-1 alpha-2
	Segment          string
	Style            string
	PaymentTermsDays int
	ImportID         string // the import that created it, if any
	CreatedAt        time.Time
	UpdatedAt        time.Time

	Address    Address    // postal address; letters go to it
	Owner      string     // the staff user (usr_…) who owns the relationship; "" none
	CreditHold CreditHold // changed only through the service's credit-hold calls
}

// Normalize trims fields, fills defaults and canonicalises case.
func (c *Customer) Normalize() {
	c.ExternalRef = strings.TrimSpace(c.ExternalRef)
	c.Name = strings.TrimSpace(c.Name)
	c.Email = strings.TrimSpace(c.Email)
	c.Phone = strings.TrimSpace(c.Phone)
	c.TimeZone = strings.TrimSpace(c.TimeZone)
	c.Locale = strings.TrimSpace(c.Locale)
	c.Kind = strings.ToLower(strings.TrimSpace(c.Kind))
	c.Jurisdiction = strings.ToUpper(strings.TrimSpace(c.Jurisdiction))
	c.Segment = strings.TrimSpace(c.Segment)
	c.Style = strings.ToLower(strings.TrimSpace(c.Style))
	c.Owner = strings.TrimSpace(c.Owner)
	c.Address.Normalize()
	if c.TimeZone == "" {
		c.TimeZone = DefaultTimeZone
	}
	if c.Locale == "" {
		c.Locale = DefaultLocale
	}
	if c.Kind == "" {
		c.Kind = KindBusiness
	}
	if c.Segment == "" {
		c.Segment = DefaultSegment
	}
	if c.Style == "" {
		c.Style = StyleDirect
	}
}

// Validate reports every bad field (JSON field names).
func (c *Customer) Validate() error {
	var fs apperr.Fields
	c.validate(&fs)
	return fs.Err("customer")
}

// ValidateFields appends c's problems to fs (used by imports, which add a line).
func (c *Customer) ValidateFields(fs *apperr.Fields) { c.validate(fs) }

func (c *Customer) validate(fs *apperr.Fields) {
	if c.Name == "" {
		fs.Add("name", "is required")
	} else if msg := checkText(c.Name, 200); msg != "" {
		fs.Add("name", "%s", msg)
	}
	if c.ExternalRef != "" {
		if msg := checkText(c.ExternalRef, 64); msg != "" {
			fs.Add("external_ref", "%s", msg)
		} else if strings.HasPrefix(c.ExternalRef, "cus_") {
			fs.Add("external_ref", "%q must not start with cus_ (that prefix is for settle ids)", c.ExternalRef)
		}
	}
	if c.Email != "" {
		if msg := checkText(c.Email, text.Email); msg != "" {
			fs.Add("email", "%s", msg)
		} else if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			fs.Add("email", "%q is not an email address", c.Email)
		}
	}
	if c.Phone != "" && checkText(c.Phone, maxPhone) != "" {
		fs.Add("phone", "%s", checkText(c.Phone, maxPhone))
	} else if c.Phone != "" && !validPhone(c.Phone) {
		fs.Add("phone", "%q is not a phone number (digits, spaces, +, -, ( ) and . only; 6 to 20 digits)", c.Phone)
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "Local" {
		fs.Add("time_zone", "%q is not an IANA time zone (e.g. Europe/London)", c.TimeZone)
	}
	if _, err := language.Parse(c.Locale); err != nil {
		fs.Add("locale", "%q is not a BCP 47 locale (e.g. en-GB)", c.Locale)
	}
	if c.Kind != KindBusiness && c.Kind != KindConsumer {
		fs.Add("kind", "%q must be business or consumer", c.Kind)
	}
	if c.Jurisdiction != "" {
		if r, err := language.ParseRegion(c.Jurisdiction); err != nil || len(c.Jurisdiction) != 2 || !r.IsCountry() {
			fs.Add("jurisdiction", "%q is not an ISO 3166-1 alpha-2 country code", c.Jurisdiction)
		}
	}
	if msg := checkText(c.Segment, 64); msg != "" {
		fs.Add("segment", "%s", msg)
	}
	if c.Style != StyleDirect && c.Style != StyleIndirect {
		fs.Add("style", "%q must be direct or indirect", c.Style)
	}
	if c.PaymentTermsDays < 0 || c.PaymentTermsDays > 365 {
		fs.Add("payment_terms_days", "%d must be between 0 and 365", c.PaymentTermsDays)
	}
	c.Address.ValidateFields(fs, "address")
	// Whether the owner names an existing user is the service's check
	// (it needs the store); here only its shape.
	text.Field(fs, "owner", c.Owner, text.Email)
}

// Location returns the customer's time zone (UTC if it does not load).
func (c *Customer) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

func validPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-() .", r):
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 20
}

// maxPhone is the longest phone number in characters: 20 digits with room
// for spaces and punctuation.
const maxPhone = 32

// checkText rejects invalid UTF-8, control characters and over-long values
// (the one shared check, package text).
func checkText(s string, max int) string { return text.Check(s, max) }

// Equal reports whether c and o hold the same values in every field (the
// address's street lines make Customer not comparable with ==).
func (c Customer) Equal(o Customer) bool {
	return c.Address.Equal(o.Address) && reflect.DeepEqual(c.withoutLines(), o.withoutLines())
}

func (c Customer) withoutLines() Customer {
	c.Address.Lines = nil
	return c
}
