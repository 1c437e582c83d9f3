package httpapi_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/httpapi"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
	"settle/internal/testutil/testenv"
)

// Issue 16: customers' postal addresses, account owners and credit holds;
// the organisation's own details. On both engines.

func setupSvc(t *testing.T, st store.Store) (svc *service.Service, admin, agent, viewer *client) {
	t.Helper()
	svc = service.New(st, testutil.Clock)
	svc.Creditor = "Config Creditor Ltd"
	svc.BankAccount = "IBAN GB33 BUKB 2020 1555 5555 55"
	srv := httptest.NewServer(httpapi.New(svc, nil).Handler())
	t.Cleanup(srv.Close)
	tok := func(role string) string {
		secret, _, err := svc.CreateToken(testutil.Admin(context.Background()), role, role)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	return svc, &client{t, srv.URL, tok("admin")}, &client{t, srv.URL, tok("agent")}, &client{t, srv.URL, tok("viewer")}
}

type apiCustomer struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Address *struct {
		Lines      []string `json:"lines"`
		PostalCode string   `json:"postal_code"`
		City       string   `json:"city"`
		Region     string   `json:"region"`
		Country    string   `json:"country"`
	} `json:"address"`
	Owner      string `json:"owner"`
	CreditHold struct {
		Held     bool   `json:"held"`
		Reason   string `json:"reason"`
		Since    string `json:"since"`
		By       string `json:"by"`
		Limit    string `json:"limit"`
		Currency string `json:"currency"`
	} `json:"credit_hold"`
}

type problem struct {
	Status int
	Errors []struct{ Field, Message string }
}

func (p problem) fields() []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	sort.Strings(out)
	return out
}

func wantFields(t *testing.T, r resp, fields ...string) {
	t.Helper()
	want(t, r, 422)
	var p problem
	r.decode(t, &p)
	sort.Strings(fields)
	if diff := cmp.Diff(fields, p.fields()); diff != "" {
		t.Errorf("fields (-want +got):\n%s\n%s", diff, r.Body)
	}
}

func auditActions(t *testing.T, admin *client, objectID string) []string {
	t.Helper()
	r := admin.do("GET", "/v1/audit?object_id="+objectID, "")
	want(t, r, 200)
	var list struct{ Data []struct{ Action string } }
	r.decode(t, &list)
	var out []string
	for _, e := range list.Data {
		out = append(out, e.Action)
	}
	return out
}

func TestAPI_CustomerAddressAndOwner(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			svc, admin, agent, viewer := setupSvc(t, open(t))
			owner, err := svc.CreateUser(testutil.Admin(t.Context()), service.UserInput{Email: "olive@example.com", Name: "Olive Owner", Role: "agent", Password: "correct horse battery"})
			if err != nil {
				t.Fatal(err)
			}
			r := agent.do("POST", "/v1/customers", `{"name":"Müller GmbH","external_ref":"MUE",
				"address":{"lines":["Königstraße 12"," "],"postal_code":"70173","city":"Stuttgart","country":"de"},
				"owner":"OLIVE@example.com"}`)
			want(t, r, 201)
			var c apiCustomer
			r.decode(t, &c)
			if c.Address == nil || !cmp.Equal(c.Address.Lines, []string{"Königstraße 12"}) || c.Address.PostalCode != "70173" ||
				c.Address.City != "Stuttgart" || c.Address.Country != "DE" {
				t.Errorf("address = %s", r.Body)
			}
			if c.Owner != owner.ID {
				t.Errorf("owner = %q, want %q (the user named by email)", c.Owner, owner.ID)
			}
			var got apiCustomer
			viewer.do("GET", "/v1/customers/MUE", "").decode(t, &got)
			if diff := cmp.Diff(c, got); diff != "" {
				t.Errorf("read back (-created +read):\n%s", diff)
			}

			// Bad input names the field; nothing is written.
			before := testutil.Counts(t, svc.Store())
			wantFields(t, agent.do("POST", "/v1/customers", `{"name":"X","owner":"nobody@example.com",
				"address":{"lines":["a","b","c","d"],"city":"Paris","country":"XX","postal_code":"`+strings.Repeat("9", 17)+`"}}`),
				"owner", "address.lines", "address.country", "address.postal_code")
			wantFields(t, agent.do("PATCH", "/v1/customers/MUE", `{"address":{"lines":["ok\u0007"],"city":"Paris"}}`), "address.lines[0]")
			wantFields(t, agent.do("PATCH", "/v1/customers/MUE", `{"owner":"usr_00000000000000000000000000"}`), "owner")
			if diff := cmp.Diff(before, testutil.Counts(t, svc.Store())); diff != "" {
				t.Errorf("refused writes changed the store (-before +after):\n%s", diff)
			}

			// PATCH replaces the address; "" clears the owner.
			r = agent.do("PATCH", "/v1/customers/MUE", `{"address":{"lines":["Marktplatz 1"],"postal_code":"10115","city":"Berlin","country":"DE"},"owner":""}`)
			want(t, r, 200)
			got = apiCustomer{} // decode does not clear fields the body leaves out
			r.decode(t, &got)
			if got.Address == nil || got.Address.City != "Berlin" || got.Address.Lines[0] != "Marktplatz 1" || got.Owner != "" {
				t.Errorf("after patch: %s", r.Body)
			}
			r = agent.do("PATCH", "/v1/customers/MUE", `{"address":{}}`)
			want(t, r, 200)
			got = apiCustomer{}
			r.decode(t, &got)
			if got.Address != nil {
				t.Errorf("empty address kept: %s", r.Body)
			}
			_ = admin
		})
	}
}

func TestAPI_CustomerCreditHold(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			svc, admin, agent, viewer := setupSvc(t, open(t))
			r := agent.do("POST", "/v1/customers", `{"name":"Hold Co","external_ref":"HOLD"}`)
			want(t, r, 201)
			var c apiCustomer
			r.decode(t, &c)
			if c.CreditHold.Held || c.CreditHold.Limit != "" {
				t.Fatalf("new customer on hold: %s", r.Body)
			}

			want(t, viewer.do("PUT", "/v1/customers/HOLD/credit-hold", `{"held":true,"reason":"x"}`), 403)
			before := testutil.Counts(t, svc.Store())
			wantFields(t, agent.do("PUT", "/v1/customers/HOLD/credit-hold", `{"held":true,"reason":" "}`), "reason")
			wantFields(t, agent.do("PUT", "/v1/customers/HOLD/credit-hold", `{"held":true,"reason":"r","limit":"12.345","currency":"EUR"}`), "limit")
			wantFields(t, agent.do("PUT", "/v1/customers/HOLD/credit-hold", `{"held":true,"reason":"r","limit":"-5.00","currency":"EUR"}`), "limit")
			wantFields(t, agent.do("PUT", "/v1/customers/HOLD/credit-hold", `{"held":true,"reason":"r","limit":"5.00"}`), "currency")
			wantFields(t, agent.do("PUT", "/v1/customers/HOLD/credit-hold", `{"held":true,"reason":"r","limit":"5.00","currency":"XXY"}`), "currency")
			wantFields(t, agent.do("PUT", "/v1/customers/HOLD/credit-hold", `{"held":true,"reason":"r","limit":"99999999999999.00","currency":"EUR"}`), "limit")
			if diff := cmp.Diff(before, testutil.Counts(t, svc.Store())); diff != "" {
				t.Errorf("refused writes changed the store (-before +after):\n%s", diff)
			}

			r = agent.do("PUT", "/v1/customers/HOLD/credit-hold", `{"held":true,"reason":"Final notice unanswered","limit":"5000","currency":"jpy"}`)
			want(t, r, 200)
			r.decode(t, &c)
			h := c.CreditHold
			if !h.Held || h.Reason != "Final notice unanswered" || h.Since != "2026-06-01" || !strings.HasPrefix(h.By, "token:tok_") ||
				h.Limit != "5000" || h.Currency != "JPY" {
				t.Errorf("credit hold = %+v", h)
			}
			// Shown in the list too.
			var list struct{ Data []apiCustomer }
			viewer.do("GET", "/v1/customers", "").decode(t, &list)
			if len(list.Data) != 1 || !list.Data[0].CreditHold.Held {
				t.Errorf("list does not show the hold: %+v", list.Data)
			}
			// Released, limit removed.
			r = agent.do("PUT", "/v1/customers/HOLD/credit-hold", `{"held":false,"reason":"Paid in full"}`)
			want(t, r, 200)
			c = apiCustomer{}
			r.decode(t, &c)
			if c.CreditHold.Held || c.CreditHold.Reason != "Paid in full" || c.CreditHold.Limit != "" || c.CreditHold.Currency != "" {
				t.Errorf("released = %+v", c.CreditHold)
			}
			if diff := cmp.Diff([]string{"customer.create", "customer.credit_hold", "customer.credit_hold"}, auditActions(t, admin, c.ID)); diff != "" {
				t.Errorf("audit (-want +got):\n%s", diff)
			}
			want(t, agent.do("PUT", "/v1/customers/NOPE/credit-hold", `{"held":true,"reason":"r"}`), 404)
		})
	}
}

func TestAPI_OrganisationSettings(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			svc, admin, agent, viewer := setupSvc(t, open(t))
			// Unset: the configuration's creditor and bank account.
			r := viewer.do("GET", "/v1/settings/organisation", "")
			want(t, r, 200)
			var o map[string]any
			r.decode(t, &o)
			if o["legal_name"] != "Config Creditor Ltd" || o["bank_account"].(map[string]any)["number"] != "IBAN GB33 BUKB 2020 1555 5555 55" {
				t.Errorf("defaults = %s", r.Body)
			}
			body := `{"legal_name":"Muster & Söhne GmbH","address":{"lines":["Hauptstraße 1"],"postal_code":"10115","city":"Berlin","country":"DE"},
				"company_number":"HRB 12345","vat_id":"DE123456789","phone":"+49 30 1234567","email":"ar@muster.example",
				"website":"https://muster.example","bank_account":{"holder":"Muster & Söhne GmbH","number":"DE89 3704 0044 0532 0130 00","code":"COBADEFFXXX","name":"Commerzbank"}}`
			want(t, agent.do("PUT", "/v1/settings/organisation", body), 403)
			before := testutil.Counts(t, svc.Store())
			wantFields(t, admin.do("PUT", "/v1/settings/organisation", `{"legal_name":"","email":"nope","website":"ftp://x","phone":"abc",
				"address":{"country":"ZZ","city":"B"},"bank_account":{"number":"`+strings.Repeat("1", 101)+`"}}`),
				"legal_name", "email", "website", "phone", "address.country", "bank_account.number")
			if diff := cmp.Diff(before, testutil.Counts(t, svc.Store())); diff != "" {
				t.Errorf("refused write changed the store (-before +after):\n%s", diff)
			}
			r = admin.do("PUT", "/v1/settings/organisation", body)
			want(t, r, 200)
			r = viewer.do("GET", "/v1/settings/organisation", "")
			want(t, r, 200)
			r.decode(t, &o)
			if o["legal_name"] != "Muster & Söhne GmbH" || o["vat_id"] != "DE123456789" ||
				o["address"].(map[string]any)["city"] != "Berlin" || o["bank_account"].(map[string]any)["code"] != "COBADEFFXXX" {
				t.Errorf("saved = %s", r.Body)
			}
			if diff := cmp.Diff([]string{"organisation.update"}, auditActions(t, admin, "organisation")); diff != "" {
				t.Errorf("audit (-want +got):\n%s", diff)
			}
			// What letters and the portal use.
			cr, err := svc.Organisation(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if cr.Name != "Muster & Söhne GmbH" || !cmp.Equal(cr.AddressLines, []string{"Hauptstraße 1", "10115 Berlin"}) ||
				cr.Country != "DE" || cr.Bank.Account != "DE89 3704 0044 0532 0130 00" {
				t.Errorf("Organisation() = %+v", cr)
			}
		})
	}
}

// TestAPI_AgreementUsesOrganisation: the written agreement names the
// creditor and its bank account from the organisation settings once they
// are saved (the configuration's values before).
func TestAPI_AgreementUsesOrganisation(t *testing.T) {
	pdftotext := testenv.Tool(t, "pdftotext", "poppler-utils")
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			_, admin, agent, viewer := setupSvc(t, open(t))
			want(t, agent.do("POST", "/v1/customers", `{"name":"Plan Kunde","external_ref":"PK"}`), 201)
			want(t, agent.do("POST", "/v1/invoices", `{"number":"PK-1","customer_id":"PK","issue_date":"2026-03-01","due_date":"2026-03-31","currency":"EUR","amount":"600.00"}`), 201)
			r := agent.do("POST", "/v1/plans", `{"customer_id":"PK","invoice_ids":["PK-1"],"installments":3,"start_date":"2026-06-30"}`)
			want(t, r, 201)
			var p struct{ ID string }
			r.decode(t, &p)
			text := func() string {
				t.Helper()
				r := viewer.do("GET", "/v1/plans/"+p.ID+"/agreement.pdf", "")
				want(t, r, 200)
				f := t.TempDir() + "/agreement.pdf"
				if err := os.WriteFile(f, r.Body, 0o644); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command(pdftotext, "-layout", f, "-").Output()
				if err != nil {
					t.Fatal(err)
				}
				return strings.Join(strings.Fields(string(out)), " ")
			}
			if got := text(); !strings.Contains(got, "Config Creditor Ltd") || !strings.Contains(got, "GB33 BUKB 2020 1555 5555 55") {
				t.Errorf("before the settings are saved, the agreement lacks the configured creditor or account:\n%s", got)
			}
			want(t, admin.do("PUT", "/v1/settings/organisation", `{"legal_name":"Muster & Söhne GmbH",
				"bank_account":{"holder":"Muster & Söhne GmbH","number":"DE89 3704 0044 0532 0130 00","code":"COBADEFFXXX"}}`), 200)
			got := text()
			for _, s := range []string{"Muster & Söhne GmbH", "DE89 3704 0044 0532 0130 00", "COBADEFFXXX"} {
				if !strings.Contains(got, s) {
					t.Errorf("the agreement lacks %q:\n%s", s, got)
				}
			}
			if strings.Contains(got, "Config Creditor Ltd") {
				t.Errorf("the agreement still names the configured creditor:\n%s", got)
			}
		})
	}
}

// TestAPI_TextLimits_CustomerOrg: the new free-text fields (docs/security.md)
// refuse over-long values and control characters with a 422 naming the
// field, and write nothing.
func TestAPI_TextLimits_CustomerOrg(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			svc, admin, agent, _ := setupSvc(t, open(t))
			want(t, agent.do("POST", "/v1/customers", `{"name":"Tess","external_ref":"T"}`), 201)
			long := func(n int) string { return `"` + strings.Repeat("é", n) + `"` } // 2 bytes each: limits count characters
			before := testutil.Counts(t, svc.Store())
			for _, c := range []struct {
				name           string
				c              *client
				method, path   string
				body           string
				field, message string
			}{
				{"address line 501", agent, "POST", "/v1/customers", `{"name":"A","address":{"lines":[` + long(501) + `],"city":"X"}}`, "address.lines[0]", "longer than 500"},
				{"address line LF", agent, "PATCH", "/v1/customers/T", `{"address":{"lines":["a","b\nc"],"city":"X"}}`, "address.lines[1]", "control character"},
				{"address city 201", agent, "PATCH", "/v1/customers/T", `{"address":{"lines":["a"],"city":` + long(201) + `}}`, "address.city", "longer than 200"},
				{"address region ESC", agent, "PATCH", "/v1/customers/T", `{"address":{"lines":["a"],"city":"X","region":"R\u001b"}}`, "address.region", "control character"},
				{"address postcode 17", agent, "PATCH", "/v1/customers/T", `{"address":{"lines":["a"],"city":"X","postal_code":` + long(17) + `}}`, "address.postal_code", "longer than 16"},
				{"address lines 4", agent, "PATCH", "/v1/customers/T", `{"address":{"lines":["a","b","c","d"],"city":"X"}}`, "address.lines", "at most 3"},
				{"owner 255", agent, "PATCH", "/v1/customers/T", `{"owner":` + long(255) + `}`, "owner", "longer than 254"},
				{"hold reason 501", agent, "PUT", "/v1/customers/T/credit-hold", `{"held":true,"reason":` + long(501) + `}`, "reason", "longer than 500"},
				{"hold reason CR", agent, "PUT", "/v1/customers/T/credit-hold", `{"held":true,"reason":"a\rb"}`, "reason", "control character"},
				{"org legal_name 201", admin, "PUT", "/v1/settings/organisation", `{"legal_name":` + long(201) + `}`, "legal_name", "longer than 200"},
				{"org company_number 65", admin, "PUT", "/v1/settings/organisation", `{"legal_name":"L","company_number":` + long(65) + `}`, "company_number", "longer than 64"},
				{"org vat_id TAB", admin, "PUT", "/v1/settings/organisation", `{"legal_name":"L","vat_id":"DE\t1"}`, "vat_id", "control character"},
				{"org website 2049", admin, "PUT", "/v1/settings/organisation", `{"legal_name":"L","website":"https://e.com/` + strings.Repeat("a", 2049) + `"}`, "website", "longer than 2048"},
				{"org email 255", admin, "PUT", "/v1/settings/organisation", `{"legal_name":"L","email":"` + strings.Repeat("a", 250) + `@e.com"}`, "email", "longer than 254"},
				{"org bank holder 201", admin, "PUT", "/v1/settings/organisation", `{"legal_name":"L","bank_account":{"holder":` + long(201) + `}}`, "bank_account.holder", "longer than 200"},
				{"org bank code 65", admin, "PUT", "/v1/settings/organisation", `{"legal_name":"L","bank_account":{"code":` + long(65) + `}}`, "bank_account.code", "longer than 64"},
				{"org bank name NUL", admin, "PUT", "/v1/settings/organisation", `{"legal_name":"L","bank_account":{"name":"B\u0000"}}`, "bank_account.name", "control character"},
				{"org bank number 101", admin, "PUT", "/v1/settings/organisation", `{"legal_name":"L","bank_account":{"number":` + long(101) + `}}`, "bank_account.number", "longer than 100"},
			} {
				r := c.c.do(c.method, c.path, c.body)
				if r.Status != 422 {
					t.Errorf("%s: status %d, want 422: %.300s", c.name, r.Status, r.Body)
					continue
				}
				var p problem
				r.decode(t, &p)
				found := false
				for _, e := range p.Errors {
					found = found || (e.Field == c.field && strings.Contains(e.Message, c.message))
				}
				if !found {
					t.Errorf("%s: errors %+v, want field %s: …%s…", c.name, p.Errors, c.field, c.message)
				}
			}
			if diff := cmp.Diff(before, testutil.Counts(t, svc.Store())); diff != "" {
				t.Errorf("refused writes changed the store (-before +after):\n%s", diff)
			}
		})
	}
}
