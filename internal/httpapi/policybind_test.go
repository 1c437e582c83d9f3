package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"settle/internal/testutil"
)

// TestAPI_PlanPolicyBinds: POST /v1/plans keeps to the segment's policy
// (issue 17, item 7): breaches are a 422 naming each field, an agent may
// not override, an admin overrides with a reason that is on the plan and in
// the audit log.
func TestAPI_PlanPolicyBinds(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	admin, agent, _, _ := setupWith(t, testutil.SQLiteAt(t, clock), clock)
	want(t, admin.do("POST", "/v1/policies", `{"segment":"retail","down_payment_share":"0.10"}`), 201)
	want(t, agent.do("POST", "/v1/customers", `{"name":"Rita Retail","external_ref":"RET","segment":"retail"}`), 201)
	want(t, agent.do("POST", "/v1/invoices", `{"number":"RET-1","customer_id":"RET","issue_date":"2026-09-01","due_date":"2026-10-01","currency":"USD","amount":"427.75"}`), 201)

	type fieldErr struct{ Field, Message string }
	var problem struct {
		Status int
		Errors []fieldErr
	}
	// 36 monthly installments of 11.88 (427.75 / 36) from 1 March 2027, 85
	// days after 6 December; 10% of 427.75 is 42.775, asked as 42.78.
	breaches := []fieldErr{
		{"installments", "36 monthly installments run 36 months; the policy for segment retail allows at most 24"},
		{"installments", "11.88 USD is below the policy's smallest installment, 20.00 USD"},
		{"start_date", "2027-03-01 is 85 days away; the policy allows at most 30 (by 2027-01-05)"},
		{"down_payment", "the policy asks for a down payment of at least 10% (42.78 USD)"},
	}
	body := `{"customer_id":"RET","invoice_ids":["RET-1"],"installments":36,"start_date":"2027-03-01"%s}`

	r := agent.do("POST", "/v1/plans", strings.Replace(body, "%s", "", 1))
	want(t, r, 422)
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q", ct)
	}
	r.decode(t, &problem)
	if diff := cmp.Diff(breaches, problem.Errors); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}

	r = agent.do("POST", "/v1/plans", strings.Replace(body, "%s", `,"override_reason":"hardship"`, 1))
	want(t, r, 422)
	problem.Errors = nil
	r.decode(t, &problem)
	if diff := cmp.Diff(append(append([]fieldErr{}, breaches...), fieldErr{"override_reason", "only an admin may override the policy"}), problem.Errors); diff != "" {
		t.Errorf("agent's override: errors (-want +got):\n%s", diff)
	}

	r = admin.do("POST", "/v1/plans", strings.Replace(body, "%s", `,"override_reason":"Hardship agreed with the finance director"`, 1))
	want(t, r, 201)
	var p struct {
		ID       string
		Override *struct {
			Reason, By, Segment string
			Breaches            []fieldErr
		} `json:"policy_override"`
	}
	r.decode(t, &p)
	if p.Override == nil || p.Override.Reason != "Hardship agreed with the finance director" || !strings.HasPrefix(p.Override.By, "token:tok_") || p.Override.Segment != "retail" {
		t.Fatalf("policy_override = %s", r.Body)
	}
	if diff := cmp.Diff(breaches, p.Override.Breaches); diff != "" {
		t.Errorf("policy_override.breaches (-want +got):\n%s", diff)
	}
	r = agent.do("GET", "/v1/plans/"+p.ID, "")
	want(t, r, 200)
	var again struct {
		Override *struct{ Reason string } `json:"policy_override"`
	}
	r.decode(t, &again)
	if again.Override == nil || again.Override.Reason != p.Override.Reason {
		t.Errorf("GET plan: policy_override = %s", r.Body)
	}

	r = admin.do("GET", "/v1/audit?object_id="+p.ID, "")
	want(t, r, 200)
	var list struct {
		Data []struct {
			Action, Actor string
			Detail        struct {
				Reason   string
				Breaches []fieldErr
			}
		}
	}
	r.decode(t, &list)
	found := false
	for _, e := range list.Data {
		if e.Action == "plan.policy_override" {
			found = e.Actor == p.Override.By && e.Detail.Reason == p.Override.Reason && len(e.Detail.Breaches) == len(breaches)
		}
	}
	if !found {
		t.Errorf("no plan.policy_override entry by the admin: %s", r.Body)
	}
}
