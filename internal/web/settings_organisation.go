package web

import (
	"net/http"
	"strings"

	"settle/internal/service"
)

// The organisation settings page (admins): the creditor's legal name,
// postal address, registration, contact and bank account, printed on
// letters and agreements and shown in the portal (service.Organisation).

type orgForm struct {
	Values map[string]string
	Errors map[string]string
	Saved  bool
}

func (f orgForm) Error(field string) string { return f.Errors[field] }
func (f orgForm) Value(field string) string { return f.Values[field] }

// orgField is one input of the form, in order.
type orgField struct{ Name, Label, Type, Hint string }

// Fields are the form's inputs in order (the template ranges over them).
func (orgForm) Fields() []orgField { return orgFields }

var orgFields = []orgField{
	{"legal_name", "Legal name", "text", "As letters and agreements name you (required)."},
	{"address_line1", "Street line 1", "text", ""},
	{"address_line2", "Street line 2", "text", ""},
	{"address_line3", "Street line 3", "text", ""},
	{"postal_code", "Postcode", "text", ""},
	{"city", "City", "text", ""},
	{"region", "Region", "text", ""},
	{"country", "Country", "text", "ISO code, e.g. GB, DE, FR."},
	{"company_number", "Company number", "text", "e.g. 01234567 (Companies House), HRB 12345 (Handelsregister)."},
	{"vat_id", "VAT id", "text", ""},
	{"phone", "Phone", "tel", ""},
	{"email", "Email", "email", ""},
	{"website", "Website", "url", "Its full address, starting with https."},
	{"bank_holder", "Bank account holder", "text", ""},
	{"bank_number", "IBAN or account number", "text", ""},
	{"bank_code", "BIC, sort code or routing number", "text", ""},
	{"bank_name", "Bank", "text", ""},
}

// orgFieldOf maps a service field to the form's input.
func orgFieldOf(field string) string {
	switch field {
	case "address.lines", "address.lines[0]":
		return "address_line1"
	case "address.lines[1]":
		return "address_line2"
	case "address.lines[2]":
		return "address_line3"
	case "bank_account.holder":
		return "bank_holder"
	case "bank_account.number":
		return "bank_number"
	case "bank_account.code":
		return "bank_code"
	case "bank_account.name":
		return "bank_name"
	}
	return strings.TrimPrefix(field, "address.")
}

func orgFormOf(o *service.OrganisationSettings) orgForm {
	f := orgForm{Values: map[string]string{"legal_name": o.LegalName, "company_number": o.CompanyNumber, "vat_id": o.VATID,
		"phone": o.Phone, "email": o.Email, "website": o.Website}, Saved: o.Saved}
	if a := o.Address; a != nil {
		for i, l := range a.Lines {
			if i < 3 {
				f.Values[lineName(i)] = l
			}
		}
		f.Values["postal_code"], f.Values["city"], f.Values["region"], f.Values["country"] = a.PostalCode, a.City, a.Region, a.Country
	}
	if b := o.BankAccount; b != nil {
		f.Values["bank_holder"], f.Values["bank_number"], f.Values["bank_code"], f.Values["bank_name"] = b.Holder, b.Number, b.Code, b.Name
	}
	return f
}

func (s *Server) organisationPage(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	o, err := s.svc.OrganisationSettings(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := newSettingsView(u, "organisation", "organisation", orgFormOf(o))
	if r.URL.Query().Get("done") == "saved" {
		v.Notice = "Saved: letters, agreements and the portal use these details from now on."
	}
	s.renderSettings(w, r, u, http.StatusOK, "Organisation", v)
}

func (s *Server) saveOrganisation(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	f := orgForm{Values: map[string]string{}}
	for _, fd := range orgFields {
		f.Values[fd.Name] = strings.TrimSpace(r.PostForm.Get(fd.Name))
	}
	val := f.Values
	var lines []string
	for i := range 3 {
		if l := val[lineName(i)]; l != "" {
			lines = append(lines, l)
		}
	}
	in := service.OrganisationSettings{LegalName: val["legal_name"], CompanyNumber: val["company_number"], VATID: val["vat_id"],
		Phone: val["phone"], Email: val["email"], Website: val["website"],
		Address:     &service.AddressInput{Lines: lines, PostalCode: val["postal_code"], City: val["city"], Region: val["region"], Country: val["country"]},
		BankAccount: &service.BankAccountInput{Holder: val["bank_holder"], Number: val["bank_number"], Code: val["bank_code"], Name: val["bank_name"]}}
	_, err := s.svc.UpdateOrganisation(r.Context(), in)
	if err == nil {
		http.Redirect(w, r, "/settings/organisation?done=saved", http.StatusSeeOther)
		return
	}
	fields, ae, ok := settingsFormErrors(err, orgFieldOf)
	if !ok {
		if status, ok := actionStatus(ae); ok {
			v := newSettingsView(u, "organisation", "organisation", f)
			v.Alert = ae.Error()
			s.renderSettings(w, r, u, status, "Organisation", v)
			return
		}
		s.serverError(w, r, err)
		return
	}
	f.Errors = fields
	s.renderSettings(w, r, u, http.StatusUnprocessableEntity, "Organisation", newSettingsView(u, "organisation", "organisation", f))
}
