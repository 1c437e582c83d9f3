package httpapi_test

import (
	"encoding/json"
	"slices"
	"testing"
)

// Found by FuzzAPIWrite: a missing required property came back as a 422
// whose error named no field (huma reports it at the parent, "body"), so
// a client could not tell which field to fill in.
func TestAPI_MissingRequiredPropertiesAreNamed(t *testing.T) {
	_, agent, _, _ := setup(t)
	want(t, agent.do("POST", "/v1/customers", `{"name":"Budgeter","external_ref":"BG"}`), 201)
	for _, tc := range []struct {
		method, path, body string
		fields             []string
	}{
		{"POST", "/v1/payments", `{}`, []string{"amount", "currency", "customer_id", "received_on"}},
		{"POST", "/v1/payments", `{"customer_id":"BG","currency":"USD","received_on":"2026-06-01"}`, []string{"amount"}},
		{"PUT", "/v1/customers/BG/budget", `{"currency":"GBP","income":[{"monthly":"1.00"}],"expenses":[]}`, []string{"income[0].category"}},
	} {
		r := agent.do(tc.method, tc.path, tc.body)
		want(t, r, 422)
		var p struct{ Errors []struct{ Field string } }
		if err := json.Unmarshal(r.Body, &p); err != nil {
			t.Fatal(err)
		}
		var fields []string
		for _, e := range p.Errors {
			fields = append(fields, e.Field)
		}
		slices.Sort(fields)
		if !slices.Equal(fields, tc.fields) {
			t.Errorf("%s %s %s: fields %q, want %q (%s)", tc.method, tc.path, tc.body, fields, tc.fields, r.Body)
		}
	}
}
