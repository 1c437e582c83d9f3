package service

import (
	"context"

	"settle/internal/apperr"
	"settle/internal/ledger"
	"settle/internal/store"
)

// CustomerInput is the body of a customer create; every field but name is optional.
type CustomerInput struct {
	ExternalRef      string `json:"external_ref,omitempty" doc:"Id in your accounting system; unique; usable wherever a customer id is" maxLength:"64"`
	Name             string `json:"name" doc:"Legal or trading name" maxLength:"200"`
	Email            string `json:"email,omitempty" maxLength:"254"`
	Phone            string `json:"phone,omitempty" maxLength:"32"`
	TimeZone         string `json:"time_zone,omitempty" doc:"IANA time zone (default UTC)"`
	Locale           string `json:"locale,omitempty" doc:"BCP 47 locale (default en)"`
	Kind             string `json:"kind,omitempty" doc:"business (default) or consumer"`
	Jurisdiction     string `json:"jurisdiction,omitempty" doc:"ISO 3166-1 alpha-2 country code"`
	Segment          string `json:"segment,omitempty" doc:"Picks the policy (default standard)" maxLength:"64"`
	Style            string `json:"style,omitempty" doc:"direct (default) or indirect"`
	PaymentTermsDays *int   `json:"payment_terms_days,omitempty" doc:"Default 30"`

	// Issue 16: where letters go, and who owns the relationship.
	Address *AddressInput `json:"address,omitempty" doc:"Postal address; letters are sent to it"`
	Owner   string        `json:"owner,omitempty" doc:"The staff user who owns the relationship: a user id (usr_…) or email" maxLength:"254"`
}

// AddressInput is a postal address as the API and the CSV import take it.
type AddressInput struct {
	Lines      []string `json:"lines,omitempty" doc:"Street lines: street and number, building, PO box (at most 3)"`
	PostalCode string   `json:"postal_code,omitempty"`
	City       string   `json:"city,omitempty"`
	Region     string   `json:"region,omitempty" doc:"State, county or province where the post needs it"`
	Country    string   `json:"country,omitempty" doc:"ISO 3166-1 alpha-2 country code"`
}

func (a *AddressInput) address() ledger.Address {
	if a == nil {
		return ledger.Address{}
	}
	return ledger.Address{Lines: append([]string(nil), a.Lines...), PostalCode: a.PostalCode, City: a.City, Region: a.Region, Country: a.Country}
}

func (in CustomerInput) customer() ledger.Customer {
	c := ledger.Customer{
		ExternalRef: in.ExternalRef, Name: in.Name, Email: in.Email, Phone: in.Phone,
		TimeZone: in.TimeZone, Locale: in.Locale, Kind: in.Kind, Jurisdiction: in.Jurisdiction,
		Segment: in.Segment, Style: in.Style, PaymentTermsDays: ledger.DefaultPaymentTermsDays,
		Address: in.Address.address(), Owner: in.Owner,
	}
	if in.PaymentTermsDays != nil {
		c.PaymentTermsDays = *in.PaymentTermsDays
	}
	c.Normalize()
	return c
}

// CustomerPatch changes the fields that are set.
type CustomerPatch struct {
	ExternalRef      *string `json:"external_ref,omitempty" maxLength:"64"`
	Name             *string `json:"name,omitempty" maxLength:"200"`
	Email            *string `json:"email,omitempty" maxLength:"254"`
	Phone            *string `json:"phone,omitempty" maxLength:"32"`
	TimeZone         *string `json:"time_zone,omitempty"`
	Locale           *string `json:"locale,omitempty"`
	Kind             *string `json:"kind,omitempty"`
	Jurisdiction     *string `json:"jurisdiction,omitempty"`
	Segment          *string `json:"segment,omitempty" maxLength:"64"`
	Style            *string `json:"style,omitempty"`
	PaymentTermsDays *int    `json:"payment_terms_days,omitempty"`

	// Issue 16.
	Address *AddressInput `json:"address,omitempty" doc:"Replaces the whole address; {} removes it"`
	Owner   *string       `json:"owner,omitempty" doc:"A user id or email; \"\" removes the owner" maxLength:"254"`
}

func (p CustomerPatch) apply(c *ledger.Customer) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.ExternalRef, p.ExternalRef)
	set(&c.Name, p.Name)
	set(&c.Email, p.Email)
	set(&c.Phone, p.Phone)
	set(&c.TimeZone, p.TimeZone)
	set(&c.Locale, p.Locale)
	set(&c.Kind, p.Kind)
	set(&c.Jurisdiction, p.Jurisdiction)
	set(&c.Segment, p.Segment)
	set(&c.Style, p.Style)
	if p.PaymentTermsDays != nil {
		c.PaymentTermsDays = *p.PaymentTermsDays
	}
	if p.Address != nil {
		c.Address = p.Address.address()
	}
	set(&c.Owner, p.Owner)
}

// CreateCustomer adds a customer.
func (s *Service) CreateCustomer(ctx context.Context, in CustomerInput) (*ledger.Customer, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	c := in.customer()
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		if err := validateCustomerTx(ctx, tx, &c); err != nil {
			return err
		}
		if err := tx.InsertCustomer(ctx, &c); err != nil {
			return err
		}
		return audit(ctx, tx, "customer.create", "customer", c.ID, in)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// UpdateCustomer changes a customer's fields.
func (s *Service) UpdateCustomer(ctx context.Context, idOrRef string, p CustomerPatch) (*ledger.Customer, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	var c *ledger.Customer
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		if c, err = tx.Customer(ctx, idOrRef); err != nil {
			return err
		}
		p.apply(c)
		c.Normalize()
		if err := validateCustomerTx(ctx, tx, c); err != nil {
			return err
		}
		if err := tx.UpdateCustomer(ctx, c); err != nil {
			return err
		}
		return audit(ctx, tx, "customer.update", "customer", c.ID, p)
	})
	return c, err
}

// validateCustomerTx checks c's fields and that its owner names a user,
// naming every bad field at once; the owner given by email is stored as the
// user's id.
func validateCustomerTx(ctx context.Context, tx store.Tx, c *ledger.Customer) error {
	var fs apperr.Fields
	c.ValidateFields(&fs)
	if err := resolveOwner(ctx, tx, c, &fs); err != nil {
		return err
	}
	return fs.Err("customer")
}

// resolveOwner replaces c.Owner (a user id or email) by the user's id, or
// adds an "owner" field error when no such user exists. Disabled users
// may stay owners: the relationship outlives a sign-in.
func resolveOwner(ctx context.Context, tx store.Tx, c *ledger.Customer, fs *apperr.Fields) error {
	if c.Owner == "" || hasField(*fs, "owner") {
		return nil
	}
	u, err := tx.User(ctx, c.Owner)
	if apperr.CodeOf(err) == apperr.NotFound {
		fs.Add("owner", "%q is not a staff user (give a user id or email)", c.Owner)
		return nil
	}
	if err != nil {
		return err
	}
	c.Owner = u.ID
	return nil
}

// Customer returns one customer by id or external_ref.
func (s *Service) Customer(ctx context.Context, idOrRef string) (*ledger.Customer, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var c *ledger.Customer
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		c, err = tx.Customer(ctx, idOrRef)
		return err
	})
	return c, err
}

// Customers lists customers.
func (s *Service) Customers(ctx context.Context, f store.CustomerFilter) (list []ledger.Customer, next string, err error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, "", err
	}
	err = s.store.ReadTx(ctx, func(tx store.Tx) error {
		list, next, err = tx.Customers(ctx, f)
		return err
	})
	return list, next, err
}

func hasField(fs apperr.Fields, field string) bool {
	for _, f := range fs {
		if f.Field == field {
			return true
		}
	}
	return false
}

// StaffUser returns a member of staff by id or email, without the
// password hash (any role: the customer page names the account owner).
func (s *Service) StaffUser(ctx context.Context, idOrEmail string) (*store.User, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var u *store.User
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		u, err = tx.User(ctx, idOrEmail)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := publicUser(u)
	return &out, nil
}
