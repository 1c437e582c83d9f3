package notify

import "strings"

// Creditor is who the customer owes, as letters, agreements, emails and the
// portal present it: the organisation settings (service.Organisation), or
// the configuration's name and bank account while none were saved.
type Creditor struct {
	Name          string      `json:"name"`                    // legal name
	AddressLines  []string    `json:"address_lines,omitempty"` // street lines, then "postcode city" (no country)
	Country       string      `json:"country,omitempty"`       // ISO 3166-1 alpha-2; "" unknown
	CompanyNumber string      `json:"company_number,omitempty"`
	VATID         string      `json:"vat_id,omitempty"`
	Phone         string      `json:"phone,omitempty"`
	Email         string      `json:"email,omitempty"`
	Website       string      `json:"website,omitempty"`
	Bank          BankAccount `json:"bank,omitempty"`
}

// IsZero reports whether nothing is known.
func (c Creditor) IsZero() bool {
	return c.Name == "" && len(c.AddressLines) == 0 && c.Country == "" && c.Registration() == "" && c.Contact() == "" && c.Bank.IsZero()
}

// BankAccount is where customers send transfers; free text as the bank
// writes it.
type BankAccount struct {
	Holder  string `json:"holder,omitempty"`
	Account string `json:"account,omitempty"` // IBAN or account number
	Code    string `json:"code,omitempty"`    // BIC, sort code or routing number
	Name    string `json:"name,omitempty"`    // the bank's name
}

// IsZero reports whether no bank detail is known.
func (b BankAccount) IsZero() bool { return b == BankAccount{} }

// Line is the account on one line, as agreements state it:
// "Muster GmbH · DE89 3704 … · COBADEFFXXX · Commerzbank"; "" when none.
func (b BankAccount) Line() string {
	var parts []string
	for _, p := range []string{b.Holder, b.Account} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if b.Code != "" {
		parts = append(parts, b.Code)
	}
	if b.Name != "" {
		parts = append(parts, b.Name)
	}
	return strings.Join(parts, " · ")
}

// Registration is the company number and VAT id on one line ("" none),
// as a letter's footer prints them.
func (c Creditor) Registration() string {
	var parts []string
	if c.CompanyNumber != "" {
		parts = append(parts, c.CompanyNumber)
	}
	if c.VATID != "" {
		parts = append(parts, "VAT "+c.VATID)
	}
	return strings.Join(parts, " · ")
}

// ReturnLine is the sender's one-line return address printed above the
// recipient in an envelope's window (DIN 5008): "Name · street · city";
// "" when no address is known (a name alone returns nothing).
func (c Creditor) ReturnLine() string {
	if len(c.AddressLines) == 0 {
		return ""
	}
	parts := []string{c.Name}
	parts = append(parts, c.AddressLines...)
	if c.Country != "" {
		parts = append(parts, c.Country)
	}
	return strings.Join(parts, " · ")
}

// Contact is the phone, email and website on one line ("" none).
func (c Creditor) Contact() string {
	var parts []string
	for _, p := range []string{c.Phone, c.Email, c.Website} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}
