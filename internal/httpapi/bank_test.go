package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"settle/internal/reconcile"
)

// The bank routes over HTTP: a plan shows its reference; a statement is
// imported (one line matched by it, one held for review); the review list,
// assign and ignore; roles and unauthenticated calls are refused.
func TestAPI_BankStatement(t *testing.T) {
	admin, agent, viewer, anon := setup(t)
	want(t, agent.do("POST", "/v1/imports/customers", "external_ref,name\nC-1,One\nC-2,Two\n", "Content-Type", "text/csv"), 200)
	want(t, agent.do("POST", "/v1/imports/invoices", "number,customer_ref,issue_date,due_date,currency,amount\nI-1,C-1,2026-04-01,2026-05-01,USD,200.00\nI-2,C-2,2026-04-01,2026-05-01,USD,60.00\n", "Content-Type", "text/csv"), 200)
	r := agent.do("POST", "/v1/plans", `{"customer_id":"C-1","invoice_ids":["I-1"],"installments":2,"frequency":"monthly","start_date":"2026-06-15"}`)
	want(t, r, 201)
	p := r.json(t)
	ref, _ := p["bank_reference"].(string)
	if !reconcile.ValidReference(ref) {
		t.Fatalf("plan bank_reference %q", ref)
	}
	want(t, agent.do("POST", "/v1/plans/"+p["id"].(string)+"/accept", `{"accepted_by":"Pat","channel":"phone"}`), 200)
	if got := viewer.do("GET", "/v1/plans/"+p["id"].(string), "").json(t)["bank_reference"]; got != ref {
		t.Errorf("GET plan bank_reference %v, want %s", got, ref)
	}

	csv := "Booked,amount,currency,reference,bank_id\n10/06/2026,100.00,USD," + ref + ",T1\n11/06/2026,12.00,USD,who knows,T2\n12/06/2026,-5.00,USD,fee,T3\n"
	want(t, viewer.do("POST", "/v1/imports/bank-statement?date_format=DD/MM/YYYY&map=Booked=date", csv, "Content-Type", "text/csv"), 403)
	want(t, anon.do("POST", "/v1/imports/bank-statement", csv, "Content-Type", "text/csv"), 401)
	r = agent.do("POST", "/v1/imports/bank-statement?date_format=DD/MM/YYYY&map=Booked=date&filename=june.csv", csv, "Content-Type", "text/csv")
	want(t, r, 200)
	var res struct {
		Rows, Matched, Review, Skipped int
		Lines                          []struct {
			ID, Status, Amount, PaymentID, BookedOn string
		}
	}
	if err := json.Unmarshal(r.Body, &res); err != nil {
		t.Fatal(err)
	}
	if res.Rows != 3 || res.Matched != 1 || res.Review != 1 || res.Skipped != 1 || len(res.Lines) != 2 {
		t.Fatalf("import: %s", r.Body)
	}
	if !strings.Contains(string(r.Body), `"payment_id":"pay_`) || !strings.Contains(string(r.Body), `"booked_on":"2026-06-10"`) {
		t.Errorf("matched line lacks its payment or date: %s", r.Body)
	}
	r = agent.do("POST", "/v1/imports/bank-statement", "date,amount,currency\n2026-13-01,1.00,USD\n", "Content-Type", "text/csv")
	want(t, r, 422)
	if !strings.Contains(string(r.Body), `"line":2`) || !strings.Contains(string(r.Body), `"column":"date"`) {
		t.Errorf("422 lacks line and column: %s", r.Body)
	}

	r = viewer.do("GET", "/v1/bank-lines?status=review", "")
	want(t, r, 200)
	var list struct {
		Data []struct{ ID, Status, Reason string }
	}
	r.decode(t, &list)
	if len(list.Data) != 1 || list.Data[0].Status != "review" || !strings.Contains(list.Data[0].Reason, "who knows") {
		t.Fatalf("review list: %s", r.Body)
	}
	id := list.Data[0].ID
	want(t, viewer.do("POST", "/v1/bank-lines/"+id+"/assign", `{"customer_id":"C-2"}`), 403)
	want(t, agent.do("GET", "/v1/bank-lines?status=odd", ""), 422)
	r = agent.do("POST", "/v1/bank-lines/"+id+"/assign", `{"customer_id":"C-9"}`)
	want(t, r, 422)
	if !strings.Contains(string(r.Body), `"field":"customer_id"`) {
		t.Errorf("assign to an unknown customer: %s", r.Body)
	}
	r = agent.do("POST", "/v1/bank-lines/"+id+"/assign", `{"customer_id":"C-2","invoice_id":"I-2"}`)
	want(t, r, 200)
	// I-2: 60.00 − 12.00 = 48.00 left.
	if inv := viewer.do("GET", "/v1/invoices/I-2", "").json(t); inv["balance"] != "48.00" {
		t.Errorf("I-2 balance %v, want 48.00", inv["balance"])
	}
	want(t, agent.do("POST", "/v1/bank-lines/"+id+"/assign", `{"customer_id":"C-2"}`), 409)
	want(t, agent.do("POST", "/v1/bank-lines/"+id+"/ignore", `{"reason":"x"}`), 409)
	want(t, admin.do("GET", "/v1/bank-lines/"+id, ""), 200)
	want(t, admin.do("GET", "/v1/bank-lines/bnk_nope", ""), 404)
	r = agent.do("POST", "/v1/bank-lines/bnk_nope/ignore", `{"reason":""}`)
	want(t, r, 422)
}
