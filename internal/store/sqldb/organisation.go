package sqldb

import (
	"context"

	"settle/internal/store"
)

const organisationCols = `legal_name, address_lines, address_postal_code, address_city, address_region, address_country,
	company_number, vat_id, phone, email, website, bank_account_holder, bank_account_number, bank_code, bank_name,
	updated_at, updated_by`

// Organisation implements store.Tx.
func (t *Tx) Organisation(ctx context.Context) (*store.Organisation, error) {
	var o store.Organisation
	var lines string
	err := t.queryRow(ctx, `SELECT `+organisationCols+` FROM organisation_settings WHERE id = 1`).Scan(
		&o.LegalName, &lines, &o.Address.PostalCode, &o.Address.City, &o.Address.Region, &o.Address.Country,
		&o.CompanyNumber, &o.VATID, &o.Phone, &o.Email, &o.Website, &o.BankAccountHolder, &o.BankAccountNumber,
		&o.BankCode, &o.BankName, &o.UpdatedAt, &o.UpdatedBy)
	if isNoRows(err) {
		return nil, notFound("organisation settings", "1")
	}
	if err != nil {
		return nil, err
	}
	o.Address.Lines = splitLines(lines)
	o.UpdatedAt = o.UpdatedAt.UTC()
	return &o, nil
}

// PutOrganisation implements store.Tx: the one row is inserted or replaced.
func (t *Tx) PutOrganisation(ctx context.Context, o *store.Organisation) error {
	o.UpdatedAt = t.now.UTC()
	_, err := t.Exec(ctx, `INSERT INTO organisation_settings (id, `+organisationCols+`)
		VALUES (1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (id) DO UPDATE SET legal_name=excluded.legal_name, address_lines=excluded.address_lines,
			address_postal_code=excluded.address_postal_code, address_city=excluded.address_city,
			address_region=excluded.address_region, address_country=excluded.address_country,
			company_number=excluded.company_number, vat_id=excluded.vat_id, phone=excluded.phone, email=excluded.email,
			website=excluded.website, bank_account_holder=excluded.bank_account_holder,
			bank_account_number=excluded.bank_account_number, bank_code=excluded.bank_code, bank_name=excluded.bank_name,
			updated_at=excluded.updated_at, updated_by=excluded.updated_by`,
		o.LegalName, joinLines(o.Address.Lines), o.Address.PostalCode, o.Address.City, o.Address.Region, o.Address.Country,
		o.CompanyNumber, o.VATID, o.Phone, o.Email, o.Website, o.BankAccountHolder, o.BankAccountNumber, o.BankCode, o.BankName,
		o.UpdatedAt, o.UpdatedBy)
	return err
}
