package service

import (
	"context"
	"net/mail"
	"net/url"
	"strings"

	"settle/internal/apperr"
	"settle/internal/ledger"
	"settle/internal/notify"
	"settle/internal/store"
	"settle/internal/text"
)

// The creditor's own details (issue 16): legal name, postal address,
// registration, contact and bank account. Admins edit them (web settings,
// PUT /v1/settings/organisation); until first saved, the configuration's
// Creditor (SETTLE_CREDITOR) and BankAccount (SETTLE_BANK_ACCOUNT) stand
// in. Letters, agreements and the portal take them from Organisation.

// OrganisationSettings is the organisation as admins edit it and the API
// shows it.
type OrganisationSettings struct {
	LegalName     string            `json:"legal_name" doc:"The creditor's legal name, as letters and agreements name it"`
	Address       *AddressInput     `json:"address,omitempty" doc:"Postal address: the letters' sender and return address"`
	CompanyNumber string            `json:"company_number,omitempty" doc:"Registration in the companies register (e.g. HRB 12345, 01234567)"`
	VATID         string            `json:"vat_id,omitempty" doc:"VAT or tax id"`
	Phone         string            `json:"phone,omitempty"`
	Email         string            `json:"email,omitempty"`
	Website       string            `json:"website,omitempty" doc:"http or https URL"`
	BankAccount   *BankAccountInput `json:"bank_account,omitempty" doc:"Where customers send bank transfers"`
	// Read only: whether these were saved (false: the defaults from the
	// configuration), and when and by whom.
	Saved     bool   `json:"saved" readOnly:"true" doc:"false: nothing saved yet; the values are the configuration's defaults"`
	UpdatedAt string `json:"updated_at,omitempty" readOnly:"true"`
	UpdatedBy string `json:"updated_by,omitempty" readOnly:"true"`
}

// BankAccountInput is a bank account as free text, as the bank writes it.
type BankAccountInput struct {
	Holder string `json:"holder,omitempty" doc:"Account holder"`
	Number string `json:"number,omitempty" doc:"IBAN or account number"`
	Code   string `json:"code,omitempty" doc:"BIC, sort code or routing number"`
	Name   string `json:"name,omitempty" doc:"The bank's name"`
}

// Field limits of the organisation settings (docs/security.md).
const maxBankNumber = 100

func (in OrganisationSettings) organisation() (store.Organisation, error) {
	o := store.Organisation{LegalName: strings.TrimSpace(in.LegalName), Address: in.Address.address(),
		CompanyNumber: strings.TrimSpace(in.CompanyNumber), VATID: strings.TrimSpace(in.VATID),
		Phone: strings.TrimSpace(in.Phone), Email: strings.TrimSpace(in.Email), Website: strings.TrimSpace(in.Website)}
	if b := in.BankAccount; b != nil {
		o.BankAccountHolder, o.BankAccountNumber = strings.TrimSpace(b.Holder), strings.TrimSpace(b.Number)
		o.BankCode, o.BankName = strings.TrimSpace(b.Code), strings.TrimSpace(b.Name)
	}
	o.Address.Normalize()
	var fs apperr.Fields
	if o.LegalName == "" {
		fs.Add("legal_name", "is required")
	} else {
		text.Field(&fs, "legal_name", o.LegalName, text.Name)
	}
	o.Address.ValidateFields(&fs, "address")
	text.Field(&fs, "company_number", o.CompanyNumber, text.Code)
	text.Field(&fs, "vat_id", o.VATID, text.Code)
	if o.Phone != "" && (text.Check(o.Phone, 32) != "" || !ledger.ValidPhone(o.Phone)) {
		fs.Add("phone", "%q is not a phone number (digits, spaces, +, -, ( ) and . only; 6 to 20 digits)", o.Phone)
	}
	if o.Email != "" {
		if msg := text.Check(o.Email, text.Email); msg != "" {
			fs.Add("email", "%s", msg)
		} else if a, err := mail.ParseAddress(o.Email); err != nil || a.Address != o.Email {
			fs.Add("email", "%q is not an email address", o.Email)
		}
	}
	if o.Website != "" {
		if msg := text.Check(o.Website, text.URL); msg != "" {
			fs.Add("website", "%s", msg)
		} else if u, err := url.Parse(o.Website); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			fs.Add("website", "%q is not an http or https URL", o.Website)
		}
	}
	text.Field(&fs, "bank_account.holder", o.BankAccountHolder, text.Name)
	text.Field(&fs, "bank_account.number", o.BankAccountNumber, maxBankNumber)
	text.Field(&fs, "bank_account.code", o.BankCode, text.Code)
	text.Field(&fs, "bank_account.name", o.BankName, text.Name)
	return o, fs.Err("organisation settings")
}

func settingsOut(o store.Organisation, saved bool) *OrganisationSettings {
	out := &OrganisationSettings{LegalName: o.LegalName, CompanyNumber: o.CompanyNumber, VATID: o.VATID, Phone: o.Phone,
		Email: o.Email, Website: o.Website, Saved: saved, UpdatedBy: o.UpdatedBy}
	if !o.Address.IsZero() {
		a := o.Address
		out.Address = &AddressInput{Lines: a.Lines, PostalCode: a.PostalCode, City: a.City, Region: a.Region, Country: a.Country}
	}
	if o.BankAccountHolder != "" || o.BankAccountNumber != "" || o.BankCode != "" || o.BankName != "" {
		out.BankAccount = &BankAccountInput{Holder: o.BankAccountHolder, Number: o.BankAccountNumber, Code: o.BankCode, Name: o.BankName}
	}
	if saved {
		out.UpdatedAt = o.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z07:00")
	}
	return out
}

// organisationRow returns the stored settings, or the configuration's
// defaults (saved false) while none were saved.
func (s *Service) organisationRow(ctx context.Context, tx store.Tx) (store.Organisation, bool, error) {
	o, err := tx.Organisation(ctx)
	if apperr.CodeOf(err) == apperr.NotFound {
		return store.Organisation{LegalName: s.Creditor, BankAccountNumber: s.BankAccount}, false, nil
	}
	if err != nil {
		return store.Organisation{}, false, err
	}
	return *o, true, nil
}

// OrganisationSettings returns the organisation settings (any signed-in
// role may read them; they are printed on every letter).
func (s *Service) OrganisationSettings(ctx context.Context) (*OrganisationSettings, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var out *OrganisationSettings
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		o, saved, err := s.organisationRow(ctx, tx)
		out = settingsOut(o, saved)
		return err
	})
	return out, err
}

// UpdateOrganisation replaces the organisation settings (admins), audited
// as "organisation.update" with the values saved.
func (s *Service) UpdateOrganisation(ctx context.Context, in OrganisationSettings) (*OrganisationSettings, error) {
	a, err := require(ctx, RoleAdmin)
	if err != nil {
		return nil, err
	}
	o, err := in.organisation()
	if err != nil {
		return nil, err
	}
	o.UpdatedBy = a.ID
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		if err := tx.PutOrganisation(ctx, &o); err != nil {
			return err
		}
		saved := settingsOut(o, true)
		return audit(ctx, tx, "organisation.update", "organisation", "organisation", saved)
	})
	if err != nil {
		return nil, err
	}
	return settingsOut(o, true), nil
}

// Organisation returns the creditor as letters, agreements, emails and
// the portal present it. No role is needed: the portal (a customer) shows
// it too, and nothing in it is confidential.
func (s *Service) Organisation(ctx context.Context) (notify.Creditor, error) {
	var c notify.Creditor
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		c, err = s.organisationTx(ctx, tx)
		return err
	})
	return c, err
}

// organisationTx is Organisation inside tx (for the run and deliveries).
func (s *Service) organisationTx(ctx context.Context, tx store.Tx) (notify.Creditor, error) {
	o, _, err := s.organisationRow(ctx, tx)
	if err != nil {
		return notify.Creditor{}, err
	}
	// The country is printed apart (Creditor.Country): the address lines
	// are the street lines and the town line in the country's order.
	return notify.Creditor{Name: o.LegalName, AddressLines: o.Address.PostalLines(o.Address.Country), Country: o.Address.Country,
		CompanyNumber: o.CompanyNumber, VATID: o.VATID, Phone: o.Phone, Email: o.Email, Website: o.Website,
		Bank: notify.BankAccount{Holder: o.BankAccountHolder, Account: o.BankAccountNumber, Code: o.BankCode, Name: o.BankName}}, nil
}

// LetterAddress returns the lines a letter to c prints under the
// customer's name (notify.LetterPDF's addressLines): the street lines,
// "postcode city" and, for mail abroad, the country code (from is the
// sender: its country is home). nil when c has no usable postal address
// (no street line and no city): no letter can reach the customer, and
// the collections code should not queue one.
func LetterAddress(c *ledger.Customer, from notify.Creditor) []string {
	if len(c.Address.Lines) == 0 && c.Address.City == "" {
		return nil
	}
	return c.Address.PostalLines(from.Country)
}
