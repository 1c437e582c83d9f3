package notify

import (
	"fmt"
	netmail "net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What every reminder carries besides the step's own sentences (issue 16,
// item 8): the customer's portal link, how to pay (the creditor's bank
// account and the reference to quote) and whom to ask. These blocks are
// added by compose around the step's wording, which they never change.

// BankDetails is the creditor's account that a customer pays into by bank
// transfer. AccountHolder and one of IBAN, AccountNumber or Lines are
// required; the rest is shown when set.
// The JSON names are those of a stored letter (letterspec.go).
type BankDetails struct {
	AccountHolder string   `json:"account_holder"`
	IBAN          string   `json:"iban,omitempty"`
	AccountNumber string   `json:"account_number,omitempty"`
	BIC           string   `json:"bic,omitempty"`
	SortCode      string   `json:"sort_code,omitempty"` // UK sort code, US routing number, German Bankleitzahl
	Lines         []string `json:"lines,omitempty"`     // free text, e.g. the bank's name and address; one line each
}

// CreditorContact is whom the customer can ask: at least one of Phone and
// Email.
type CreditorContact struct {
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// howToPayPhrases is the wording of these blocks; every phrasebook has it (the
// methods sit at the end of phrases_{en,de,fr}.go).
type howToPayPhrases interface {
	portalLink() string // the sentence before the portal URL, ending in a colon
	bankLabels() bankLabels
	contact(phone, email string) string // one sentence; phone or email may be ""
	// autopay replaces the request to pay in an installment reminder
	// whose installment is collected automatically (InstallmentLine.Autopay):
	// amount and date formatted; nothing to do but have the funds there.
	autopay(amount, due string) string
}

// bankLabels are the row labels of the bank details.
type bankLabels struct {
	holder, iban, account, bic, sortCode string
}

// maxHowToPayField bounds each of these fields in characters: they come from the
// organisation's settings and are printed on every letter.
const maxHowToPayField = 200

// checkHowToPay validates PortalURL, Bank and Contact, reporting through bad.
func checkHowToPay(d MessageData, bad func(field, format string, args ...any)) {
	if d.PortalURL != "" {
		if u, err := url.Parse(d.PortalURL); err != nil || !(u.Scheme == "https" || u.Scheme == "http") || u.Host == "" || strings.ContainsAny(d.PortalURL, " \t\r\n") {
			bad("PortalURL", "%q is not an absolute https or http URL", d.PortalURL)
		}
	}
	line := func(field, v string) {
		switch {
		case utf8.RuneCountInString(v) > maxHowToPayField:
			bad(field, "is longer than %d characters", maxHowToPayField)
		case strings.IndexFunc(v, unicode.IsControl) >= 0:
			bad(field, "contains a line break or control character")
		}
	}
	if b := d.Bank; b != nil {
		if strings.TrimSpace(b.AccountHolder) == "" {
			bad("Bank.AccountHolder", "missing")
		}
		if strings.TrimSpace(b.IBAN) == "" && strings.TrimSpace(b.AccountNumber) == "" && len(b.Lines) == 0 {
			bad("Bank.IBAN", "missing; give the IBAN, the account number or the account in Lines")
		}
		line("Bank.AccountHolder", b.AccountHolder)
		line("Bank.IBAN", b.IBAN)
		line("Bank.AccountNumber", b.AccountNumber)
		line("Bank.BIC", b.BIC)
		line("Bank.SortCode", b.SortCode)
		for i, l := range b.Lines {
			line(fmt.Sprintf("Bank.Lines[%d]", i), l)
		}
	}
	if c := d.Contact; c != nil {
		if strings.TrimSpace(c.Phone) == "" && strings.TrimSpace(c.Email) == "" {
			bad("Contact", "has neither Phone nor Email")
		}
		line("Contact.Phone", c.Phone)
		line("Contact.Email", c.Email)
		if e := strings.TrimSpace(c.Email); e != "" {
			if a, err := netmail.ParseAddress(e); err != nil || a.Address != e {
				bad("Contact.Email", "%q is not an email address", c.Email)
			}
		}
	}
}

// bankRows are the bank details as label/value rows, the set fields only.
func bankRows(b *BankDetails, lb bankLabels) [][2]string {
	var rows [][2]string
	for _, r := range [][2]string{{lb.holder, b.AccountHolder}, {lb.iban, b.IBAN}, {lb.account, b.AccountNumber},
		{lb.bic, b.BIC}, {lb.sortCode, b.SortCode}} {
		if v := strings.TrimSpace(r[1]); v != "" {
			rows = append(rows, [2]string{r[0], v})
		}
	}
	return rows
}

// keepTogether joins the words of a phone number with no-break spaces, so that
// wrapping never splits it.
func keepTogether(s string) string {
	return strings.Join(strings.Fields(s), nbsp)
}
