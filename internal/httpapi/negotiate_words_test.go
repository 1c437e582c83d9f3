package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAPI_NegotiationWordsForTheCustomer (issue 17, item 6): a bad
// counter-offer's 422 names the field with amounts and dates as a person
// writes them (the API's messages stay English); a concession carries its
// English note and the note in the customer's language (customer_note).
// The texts are written by hand; the clock is 1 June 2026.
func TestAPI_NegotiationWordsForTheCustomer(t *testing.T) {
	_, agent, _, _ := setup(t)
	want(t, agent.do("POST", "/v1/customers", `{"name":"Jürgen Müller","external_ref":"DE","kind":"consumer","locale":"de-DE","time_zone":"Europe/Berlin"}`), 201)
	want(t, agent.do("POST", "/v1/invoices", `{"number":"DE-1","customer_id":"DE","issue_date":"2026-05-01","due_date":"2026-06-30","currency":"EUR","amount":"15972.70"}`), 201)
	r := agent.do("POST", "/v1/negotiations", `{"customer_id":"DE","as_of":"2026-06-01"}`)
	want(t, r, 201)
	id := decodeNeg(t, r).ID

	for _, tc := range []struct{ body, field, message string }{
		{`{"installment_amount":"0.01"}`, "installment_amount", "0.01 EUR would take 1,597,270 installments to pay 15,972.70 EUR"},
		{`{"start_date":"2026-05-31"}`, "start_date", "31 May 2026 is in the past (the counter-offer is made on 1 June 2026)"},
		{`{"down_payment":"20000.00"}`, "down_payment", "20,000.00 EUR must be at least zero and less than the balance 15,972.70 EUR"},
	} {
		r := agent.do("POST", "/v1/negotiations/"+id+"/counteroffers", tc.body)
		want(t, r, 422)
		var p struct {
			Errors []struct{ Field, Message string }
		}
		if err := json.Unmarshal(r.Body, &p); err != nil {
			t.Fatalf("%v: %s", err, r.Body)
		}
		if len(p.Errors) != 1 || p.Errors[0].Field != tc.field || p.Errors[0].Message != tc.message {
			t.Errorf("%s: errors %+v, want %s: %q", tc.body, p.Errors, tc.field, tc.message)
		}
	}
	r = agent.do("GET", "/v1/negotiations/"+id, "")
	want(t, r, 200)
	if n := decodeNeg(t, r); n.Round != 0 || len(n.Rounds) != 1 {
		t.Fatalf("refused counter-offers changed the negotiation: %s", r.Body)
	}

	// A settlement within the discount limit: accepted, its discount noted
	// in English and in German.
	r = agent.do("POST", "/v1/negotiations/"+id+"/counteroffers", `{"lump_sum":"14000.00","start_date":"2026-06-08"}`)
	want(t, r, 200)
	var n struct {
		Decision    string
		Concessions []struct {
			Kind, Amount, Note string
			CustomerNote       string `json:"customer_note"`
		}
	}
	if err := json.Unmarshal(r.Body, &n); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	if n.Decision != "accept" || len(n.Concessions) != 1 {
		t.Fatalf("settlement answered %s", r.Body)
	}
	c := n.Concessions[0]
	if c.Kind != "settlement_discount" || c.Amount != "1972.70" ||
		c.Note != "the rest of the 15,972.70 EUR balance written off when 14,000.00 EUR is paid by 8 June 2026" ||
		strings.ReplaceAll(c.CustomerNote, "\u00a0", " ") != "der Rest des offenen Betrags von 15.972,70 EUR wird erlassen, wenn 14.000,00 EUR bis zum 8. Juni 2026 bezahlt sind" {
		t.Errorf("concession %+v", c)
	}
}
