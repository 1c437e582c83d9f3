package web

import (
	"net/http"
	"net/url"
	"strings"

	"settle/internal/ledger"
	"settle/internal/service"
	"settle/internal/store"
)

// The customer page's account panel (issue 16): the postal address and
// account owner (a form), and the credit hold with its optional limit
// (set or release, with a reason). Both post, are checked by the service
// and answer a bad value with 422 and the message beside its field.

// accountPanel is what the panel shows.
type accountPanel struct {
	Postal []string    // the address as posted (lines), empty: none
	Owner  *store.User // nil: none
	Hold   ledger.CreditHold
	Limit  string // the hold's limit formatted, "" none
	Form   accountForm
	HoldF  holdForm
}

type accountForm struct {
	Line1, Line2, Line3, PostalCode, City, Region, Country, Owner string
	Errors                                                        map[string]string
}

func (f accountForm) Error(field string) string { return f.Errors[field] }

// streetLine is one of the form's three street-line inputs.
type streetLine struct {
	N                  int
	Name, Value, Error string
}

// StreetLines are the three street-line inputs with their values and errors.
func (f accountForm) StreetLines() []streetLine {
	var out []streetLine
	for i, v := range []string{f.Line1, f.Line2, f.Line3} {
		out = append(out, streetLine{N: i + 1, Name: lineName(i), Value: v, Error: f.Errors[lineName(i)]})
	}
	return out
}

type holdForm struct {
	Reason, Limit, Currency string
	Errors                  map[string]string
}

func (f holdForm) Error(field string) string { return f.Errors[field] }

// accountPanelOf fills the panel from the stored customer.
func (s *Server) accountPanelOf(r *http.Request, c ledger.Customer) (accountPanel, error) {
	p := accountPanel{Postal: c.Address.PostalLines(""), Hold: c.CreditHold}
	a := c.Address
	line := func(i int) string {
		if i < len(a.Lines) {
			return a.Lines[i]
		}
		return ""
	}
	p.Form = accountForm{Line1: line(0), Line2: line(1), Line3: line(2), PostalCode: a.PostalCode, City: a.City,
		Region: a.Region, Country: a.Country}
	if c.Owner != "" {
		u, err := s.svc.StaffUser(r.Context(), c.Owner)
		if err != nil {
			return p, err
		}
		p.Owner = u
		p.Form.Owner = u.Email
	}
	if h := c.CreditHold; h.HasLimit() {
		p.Limit = formatMoney(h.Limit.Minor(), h.Limit.Currency())
		p.HoldF.Limit, p.HoldF.Currency = h.Limit.String(), string(h.Limit.Currency())
	}
	return p, nil
}

// customerDetails saves the postal address and the account owner.
func (s *Server) customerDetails(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	pf := r.PostForm
	f := accountForm{Line1: strings.TrimSpace(pf.Get("address_line1")), Line2: strings.TrimSpace(pf.Get("address_line2")),
		Line3: strings.TrimSpace(pf.Get("address_line3")), PostalCode: strings.TrimSpace(pf.Get("postal_code")),
		City: strings.TrimSpace(pf.Get("city")), Region: strings.TrimSpace(pf.Get("region")),
		Country: strings.TrimSpace(pf.Get("country")), Owner: strings.TrimSpace(pf.Get("owner"))}
	// Each line is checked as typed (before empty lines close up), so an
	// error names the box it came from.
	lines := []string{f.Line1, f.Line2, f.Line3}
	var kept []int
	var in []string
	for i, l := range lines {
		if l != "" {
			kept = append(kept, i)
			in = append(in, l)
		}
	}
	patch := service.CustomerPatch{Owner: &f.Owner, Address: &service.AddressInput{Lines: in, PostalCode: f.PostalCode,
		City: f.City, Region: f.Region, Country: f.Country}}
	c, err := s.svc.UpdateCustomer(r.Context(), id, patch)
	if err == nil {
		http.Redirect(w, r, "/customers/"+url.PathEscape(c.ID)+"?done=details#account", http.StatusSeeOther)
		return
	}
	fields, alert, status, ok := formErrors(err, func(field string) string {
		switch field {
		case "address.lines", "address.lines[0]":
			if field == "address.lines[0]" && len(kept) > 0 {
				return lineName(kept[0])
			}
			return "address_line1"
		case "address.lines[1]":
			if len(kept) > 1 {
				return lineName(kept[1])
			}
		case "address.lines[2]":
			if len(kept) > 2 {
				return lineName(kept[2])
			}
		}
		return strings.TrimPrefix(field, "address.")
	})
	if !ok {
		s.serverError(w, r, err)
		return
	}
	f.Errors = fields
	s.renderCustomer(w, r, u, id, status, alert, func(v *customerView) { v.Account.Form = f })
}

func lineName(i int) string { return []string{"address_line1", "address_line2", "address_line3"}[i] }

// customerCreditHold sets or releases the credit hold (held=true/false).
func (s *Server) customerCreditHold(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	pf := r.PostForm
	f := holdForm{Reason: strings.TrimSpace(pf.Get("reason")), Limit: strings.TrimSpace(pf.Get("limit")),
		Currency: strings.ToUpper(strings.TrimSpace(pf.Get("currency")))}
	c, err := s.svc.SetCreditHold(r.Context(), id, service.CreditHoldInput{Held: pf.Get("held") == "true", Reason: f.Reason,
		Limit: f.Limit, Currency: f.Currency})
	if err == nil {
		done := "hold-released"
		if c.CreditHold.Held {
			done = "hold-set"
		}
		http.Redirect(w, r, "/customers/"+url.PathEscape(c.ID)+"?done="+done+"#account", http.StatusSeeOther)
		return
	}
	fields, alert, status, ok := formErrors(err, nil)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	f.Errors = fields
	s.renderCustomer(w, r, u, id, status, alert, func(v *customerView) { v.Account.HoldF = f })
}
