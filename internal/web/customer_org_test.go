package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"settle/internal/service"
	"settle/internal/testutil"
)

// Issue 16 on the staff pages: a customer's postal address, account owner
// and credit hold (customer page, list), the organisation settings (an
// admin settings page) and the portal's footer.

func TestWeb_CustomerAddressOwnerAndHold(t *testing.T) {
	svc, srv := ownBook(t)
	ctx := testutil.Admin(context.Background())
	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	page := b.get("/customers/G-1")
	wantStatus(t, page, 200)
	noInline(t, "/customers/G-1", page.Body)
	if !strings.Contains(page.Body, "No postal address") {
		t.Error("the page does not say the customer has no postal address")
	}

	// Bad values: 422, the error beside each field, nothing saved.
	bad := url.Values{"address_line1": {"14 Harbour Street"}, "city": {"Bristol"}, "country": {"XX"}, "owner": {"nobody@example.com"}}
	r := b.post("/customers/G-1", "/customers/G-1/details", bad)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if msg := fieldError(t, r.Body, "acc-country"); !strings.Contains(msg, "ISO 3166-1") {
		t.Errorf("country error %q", msg)
	}
	if msg := fieldError(t, r.Body, "acc-owner"); !strings.Contains(msg, "nobody@example.com") {
		t.Errorf("owner error %q", msg)
	}
	if !strings.Contains(r.Body, `value="14 Harbour Street"`) {
		t.Error("the form does not keep what was typed")
	}
	if c, _ := svc.Customer(ctx, "G-1"); !c.Address.IsZero() || c.Owner != "" {
		t.Fatalf("a refused form saved: %+v owner %q", c.Address, c.Owner)
	}

	good := url.Values{"address_line1": {"14 Harbour Street"}, "address_line2": {"Unit 3"}, "postal_code": {"BS1 4DJ"},
		"city": {"Bristol"}, "country": {"gb"}, "owner": {agentEmail}}
	r = b.post("/customers/G-1", "/customers/G-1/details", good)
	wantStatus(t, r, http.StatusSeeOther)
	page = b.get("/customers/G-1")
	for _, want := range []string{"14 Harbour Street", "Unit 3", "Bristol", "BS1 4DJ", "UNITED KINGDOM", "Alex Agent"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the page lacks %q after saving", want)
		}
	}

	// The credit hold: a reason is required (beside the field), then set and shown.
	r = b.post("/customers/G-1", "/customers/G-1/credit-hold", url.Values{"held": {"true"}, "reason": {" "}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if msg := fieldError(t, r.Body, "hold-reason"); msg == "" {
		t.Error("no error beside the reason")
	}
	r = b.post("/customers/G-1", "/customers/G-1/credit-hold", url.Values{"held": {"true"}, "reason": {"Three invoices overdue"},
		"limit": {"1000.005"}, "currency": {"GBP"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if msg := fieldError(t, r.Body, "hold-limit"); !strings.Contains(msg, "decimal") && !strings.Contains(msg, "digits") {
		t.Errorf("limit error %q", msg)
	}
	if c, _ := svc.Customer(ctx, "G-1"); c.CreditHold.Held {
		t.Fatal("a refused hold was saved")
	}
	r = b.post("/customers/G-1", "/customers/G-1/credit-hold", url.Values{"held": {"true"}, "reason": {"Three invoices overdue"},
		"limit": {"1000.00"}, "currency": {"GBP"}})
	wantStatus(t, r, http.StatusSeeOther)
	page = b.get("/customers/G-1")
	for _, want := range []string{"On credit hold", "Three invoices overdue", "Release the hold"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the page lacks %q with the hold set", want)
		}
	}
	list := b.get("/customers")
	if !regexp.MustCompile(`(?s)Gina Gray</a>.*?credit hold`).MatchString(list.Body) {
		t.Error("the customer list does not show the hold")
	}
	r = b.post("/customers/G-1", "/customers/G-1/credit-hold", url.Values{"held": {"false"}, "reason": {"Paid"}})
	wantStatus(t, r, http.StatusSeeOther)
	if c, _ := svc.Customer(ctx, "G-1"); c.CreditHold.Held || c.CreditHold.Reason != "Paid" {
		t.Errorf("released hold = %+v", c.CreditHold)
	}

	// A viewer sees, and may not change.
	v := newBrowser(t, srv)
	wantStatus(t, v.signIn(viewerEmail, agentPassword), http.StatusSeeOther)
	if p := v.get("/customers/G-1"); strings.Contains(p.Body, `action="/customers/`+"G-1"+`/details"`) || strings.Contains(p.Body, "/credit-hold\"") {
		t.Error("a viewer is offered the account forms")
	}
	form := url.Values{"held": {"true"}, "reason": {"x"}}
	form.Set("csrf_token", match(t, csrfAttrOrInput, v.get("/customers/G-1").Body))
	wantStatus(t, v.do(http.MethodPost, "/customers/G-1/credit-hold", form), http.StatusForbidden)
}

var csrfAttrOrInput = regexp.MustCompile(`(?:name="csrf_token" value|data-csrf-token)="([^"]+)"`)

func TestWeb_OrganisationSettings(t *testing.T) {
	svc, srv := ownBook(t)
	ctx := testutil.Admin(context.Background())
	if _, err := svc.CreateUser(ctx, service.UserInput{Email: "admin@example.com", Name: "Ada Admin", Role: service.RoleAdmin, Password: agentPassword}); err != nil {
		t.Fatal(err)
	}
	agent := newBrowser(t, srv)
	wantStatus(t, agent.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	wantStatus(t, agent.get("/settings/organisation"), http.StatusForbidden)

	b := newBrowser(t, srv)
	wantStatus(t, b.signIn("admin@example.com", agentPassword), http.StatusSeeOther)
	page := b.get("/settings/organisation")
	wantStatus(t, page, 200)
	noInline(t, "/settings/organisation", page.Body)

	r := b.post("/settings/organisation", "/settings/organisation", url.Values{"legal_name": {"Muster GmbH"}, "email": {"not an email"},
		"country": {"Deutschland"}, "city": {"Berlin"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldError(t, r.Body, "org-email")
	fieldError(t, r.Body, "org-country")
	if o, err := svc.OrganisationSettings(ctx); err != nil || o.Saved {
		t.Fatalf("a refused form saved: %+v %v", o, err)
	}

	r = b.post("/settings/organisation", "/settings/organisation", url.Values{"legal_name": {"Muster GmbH"},
		"address_line1": {"Hauptstraße 1"}, "postal_code": {"10115"}, "city": {"Berlin"}, "country": {"DE"},
		"company_number": {"HRB 12345"}, "vat_id": {"DE123456789"}, "phone": {"+49 30 1234567"}, "email": {"ar@muster.example"},
		"website": {"https://muster.example"}, "bank_holder": {"Muster GmbH"}, "bank_number": {"DE89 3704 0044 0532 0130 00"},
		"bank_code": {"COBADEFFXXX"}, "bank_name": {"Commerzbank"}})
	wantStatus(t, r, http.StatusSeeOther)
	page = b.get("/settings/organisation")
	for _, want := range []string{`value="Muster GmbH"`, `value="Hauptstraße 1"`, `value="DE89 3704 0044 0532 0130 00"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the settings page lacks %s after saving", want)
		}
	}

	// The portal names the organisation and shows how to reach it.
	l, err := svc.CreatePortalLink(ctx, "G-1", 0, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	portal := b.get(strings.TrimPrefix(l.URL, srv.URL))
	wantStatus(t, portal, 200)
	footer := html.UnescapeString(regexp.MustCompile(`(?s)<footer.*</footer>`).FindString(portal.Body))
	for _, want := range []string{"Muster GmbH", "Hauptstraße 1", "10115 Berlin", "+49 30 1234567", "ar@muster.example", "HRB 12345"} {
		if !strings.Contains(footer, want) {
			t.Errorf("the portal footer lacks %q:\n%s", want, footer)
		}
	}
}
