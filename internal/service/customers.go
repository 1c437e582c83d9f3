package service

import (
	"context"

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
}

func (in CustomerInput) customer() ledger.Customer {
	c := ledger.Customer{
		ExternalRef: in.ExternalRef, Name: in.Name, Email: in.Email, Phone: in.Phone,
		TimeZone: in.TimeZone, Locale: in.Locale, Kind: in.Kind, Jurisdiction: in.Jurisdiction,
		Segment: in.Segment, Style: in.Style, PaymentTermsDays: ledger.DefaultPaymentTermsDays,
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
}

// CreateCustomer adds a customer.
func (s *Service) CreateCustomer(ctx context.Context, in CustomerInput) (*ledger.Customer, error) {
	if _, err := require(ctx, RoleAgent); err != nil {
		return nil, err
	}
	c := in.customer()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	err := s.store.Tx(ctx, func(tx store.Tx) error {
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
		if err := c.Validate(); err != nil {
			return err
		}
		if err := tx.UpdateCustomer(ctx, c); err != nil {
			return err
		}
		return audit(ctx, tx, "customer.update", "customer", c.ID, p)
	})
	return c, err
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
