package ledger

import (
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/text"
)

// MaxAddressLines is how many street lines an address may have: with the
// name, the postcode and city line and the country, six lines fill the
// address zone of a DIN 5008 letter (27.3 mm), the window of a C5/6 or DL
// envelope.
const MaxAddressLines = 3

// Address is a postal address. Every field is optional; an address with
// no field set is "no address" (IsZero).
type Address struct {
	Lines      []string // street lines: street and number, building, PO box (at most MaxAddressLines)
	PostalCode string
	City       string
	Region     string // state, county, province where the post needs it
	Country    string // ISO 3166-1 alpha-2, upper case
}

// Normalize trims every field, drops empty street lines and upper-cases
// the country.
func (a *Address) Normalize() {
	var lines []string
	for _, l := range a.Lines {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	a.Lines = lines
	a.PostalCode = strings.TrimSpace(a.PostalCode)
	a.City = strings.TrimSpace(a.City)
	a.Region = strings.TrimSpace(a.Region)
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
}

// IsZero reports whether no field is set.
func (a Address) IsZero() bool {
	return len(a.Lines) == 0 && a.PostalCode == "" && a.City == "" && a.Region == "" && a.Country == ""
}

// Equal reports whether a and b are the same address.
func (a Address) Equal(b Address) bool {
	return slices.Equal(a.Lines, b.Lines) && a.PostalCode == b.PostalCode && a.City == b.City &&
		a.Region == b.Region && a.Country == b.Country
}

// ValidateFields appends a's problems to fs under prefix ("address"):
// fields are named prefix.lines[0], prefix.postal_code, …
func (a *Address) ValidateFields(fs *apperr.Fields, prefix string) {
	if len(a.Lines) > MaxAddressLines {
		fs.Add(prefix+".lines", "has %d lines; at most %d street lines fit a window envelope", len(a.Lines), MaxAddressLines)
	}
	for i, l := range a.Lines {
		text.Field(fs, prefix+".lines["+strconv.Itoa(i)+"]", l, text.Line)
	}
	text.Field(fs, prefix+".postal_code", a.PostalCode, 16)
	text.Field(fs, prefix+".city", a.City, text.Name)
	text.Field(fs, prefix+".region", a.Region, text.Name)
	if a.Country != "" {
		if r, err := language.ParseRegion(a.Country); err != nil || len(a.Country) != 2 || !r.IsCountry() {
			fs.Add(prefix+".country", "%q is not an ISO 3166-1 alpha-2 country code", a.Country)
		}
	}
	if !a.IsZero() && len(a.Lines) == 0 && a.City == "" {
		// A country alone, or a postcode alone, reaches nobody.
		fs.Add(prefix+".city", "is required with an address (with at least one street line or a city)")
	}
}

// PostalLines returns the address as printed below the recipient's name:
// the street lines, the town line in the destination's order, then — for
// mail abroad — the country's name in capitals (UPU: the last line, in
// English). home is the sender's country; "" prints the country always.
// Town lines: the US "Boston, MA 02110"; Canada and Australia
// "Toronto ON M5V 2T6"; the UK and Ireland the town, then the postcode on
// a line of its own; elsewhere "postcode town" (with the region after it).
func (a Address) PostalLines(home string) []string {
	out := append([]string(nil), a.Lines...)
	join := func(sep string, parts ...string) string { return strings.Join(nonEmpty(parts...), sep) }
	switch a.Country {
	case "US":
		out = append(out, join(" ", join(", ", a.City, a.Region), a.PostalCode))
	case "CA", "AU":
		out = append(out, join(" ", a.City, a.Region, a.PostalCode))
	case "GB", "IE":
		out = append(out, join(", ", a.City, a.Region), a.PostalCode)
	default:
		out = append(out, join(" ", a.PostalCode, a.City, a.Region))
	}
	out = nonEmpty(out...)
	if a.Country != "" && !strings.EqualFold(a.Country, home) {
		out = append(out, countryName(a.Country))
	}
	return out
}

// countryName is the country's English name in capitals ("FRANCE"), or
// the code when it has none.
func countryName(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.English.Regions().Name(r); n != "" {
		return strings.ToUpper(n)
	}
	return code
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// CreditHold is a per-customer stop on further credit (no new deliveries
// on account), set by staff or by a collection step, with an optional
// credit limit. Held false with a limit is a limit alone.
type CreditHold struct {
	Held   bool
	Reason string     // why it was set (or released)
	Since  civil.Date // when it was last set or released
	By     string     // who: an actor id ("usr_…", "token:…", "system")
	// Limit is the credit limit, in one currency; the zero Amount (no
	// currency) is none.
	Limit money.Amount
}

// HasLimit reports whether a credit limit is set.
func (h CreditHold) HasLimit() bool { return h.Limit.Currency() != "" }

// ValidPhone reports whether s is a phone number as customers' phones are
// checked (digits, spaces, + - ( ) . only; 6 to 20 digits).
func ValidPhone(s string) bool { return validPhone(s) }
