package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"settle/internal/testutil"
)

// TestAPI_TextLimits: on both engines, every free-text field refuses a value
// over its documented limit and control characters (a newline only where it
// means something) with a 422 naming the field, and writes nothing. Before,
// accepted_by took 200,000 characters and CR, LF and ESC.
func TestAPI_TextLimits(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			st := open(t)
			admin, agent, _, _ := setupOn(t, st)
			want(t, agent.do("POST", "/v1/customers", `{"name":"Tess","external_ref":"T"}`), 201)
			want(t, agent.do("POST", "/v1/invoices", `{"number":"T-1","customer_id":"T","issue_date":"2026-03-01","due_date":"2026-03-31","currency":"USD","amount":"300.00"}`), 201)
			r := agent.do("POST", "/v1/plans", `{"customer_id":"T","invoice_ids":["T-1"],"installments":3,"frequency":"monthly","start_date":"2026-06-10"}`)
			want(t, r, 201)
			var plan struct{ ID string }
			if err := json.Unmarshal(r.Body, &plan); err != nil {
				t.Fatal(err)
			}
			q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
			long := func(n int) string { return q(strings.Repeat("é", n)) } // 2 bytes each: limits count characters
			before := testutil.Counts(t, st)

			for _, c := range []struct {
				name        string
				c           *client
				path, body  string
				field       string
				messagePart string
			}{
				{"accepted_by 200,000", agent, "/v1/plans/" + plan.ID + "/accept", `{"accepted_by":` + long(200_000) + `,"channel":"phone"}`, "accepted_by", "longer than 200 characters"},
				{"accepted_by 201", agent, "/v1/plans/" + plan.ID + "/accept", `{"accepted_by":` + long(201) + `,"channel":"phone"}`, "accepted_by", "longer than 200 characters"},
				{"accepted_by LF", agent, "/v1/plans/" + plan.ID + "/accept", `{"accepted_by":"Tess\nEvil","channel":"phone"}`, "accepted_by", "control character"},
				{"accepted_by CR", agent, "/v1/plans/" + plan.ID + "/accept", `{"accepted_by":"Tess\rEvil","channel":"phone"}`, "accepted_by", "control character"},
				{"accepted_by ESC", agent, "/v1/plans/" + plan.ID + "/accept", `{"accepted_by":"Tess\u001b[2J","channel":"phone"}`, "accepted_by", "control character"},
				{"cancel reason ESC", agent, "/v1/plans/" + plan.ID + "/cancel", `{"reason":"dup\u001b"}`, "reason", "control character"},
				{"customer name LF", agent, "/v1/customers", `{"name":"A\nB"}`, "name", "control character"},
				{"customer email 300", agent, "/v1/customers", `{"name":"A","email":"` + strings.Repeat("a", 290) + `@example.com"}`, "email", "longer than 254"},
				{"customer phone 33", agent, "/v1/customers", `{"name":"A","phone":"+44 ` + strings.Repeat(" ", 20) + `20 7946 0000"}`, "phone", "longer than 32"},
				{"customer ref 65", agent, "/v1/customers", `{"name":"A","external_ref":` + long(65) + `}`, "external_ref", "longer than 64"},
				{"invoice number TAB", agent, "/v1/invoices", `{"number":"X\t1","customer_id":"T","issue_date":"2026-03-01","due_date":"2026-03-31","currency":"USD","amount":"1.00"}`, "number", "control character"},
				{"payment reference LF", agent, "/v1/payments", `{"customer_id":"T","received_on":"2026-05-01","currency":"USD","amount":"1.00","reference":"a\nb"}`, "reference", "control character"},
				{"interaction summary 4001", agent, "/v1/customers/T/interactions", `{"kind":"note","summary":` + long(4001) + `}`, "summary", "longer than 4000"},
				{"interaction summary ESC", agent, "/v1/customers/T/interactions", `{"kind":"note","summary":"x\u001by"}`, "summary", "control character"},
				{"interaction evidence NUL", agent, "/v1/customers/T/interactions", `{"kind":"call","direction":"inbound","summary":"s","reason":{"category":"dispute","evidence":"a\u0000"}}`, "reason.evidence", "control character"},
				{"promise note LF", agent, "/v1/promises", `{"customer_id":"T","currency":"USD","amount":"10.00","due_date":"2026-06-20","note":"a\nb"}`, "note", "control character"},
				{"follow-up with LF", agent, "/v1/customers/T/follow-ups", `{"with":"Anna\nX"}`, "with", "control character"},
				{"webhook url CR", admin, "/v1/webhooks", `{"url":"https://example.com/\r\nX-Evil: 1","events":["plan.accepted"]}`, "url", "control character"},
				{"webhook url 2049", admin, "/v1/webhooks", `{"url":"https://example.com/` + strings.Repeat("a", 2049) + `","events":["plan.accepted"]}`, "url", "longer than 2048"},
				{"policy segment 65", admin, "/v1/policies", `{"segment":` + long(65) + `}`, "segment", "longer than 64"},
			} {
				r := c.c.do("POST", c.path, c.body)
				if r.Status != 422 {
					t.Errorf("%s: status %d, want 422: %.300s", c.name, r.Status, r.Body)
					continue
				}
				var p struct {
					Errors []struct{ Field, Message string }
				}
				if err := json.Unmarshal(r.Body, &p); err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				found := false
				for _, e := range p.Errors {
					found = found || (e.Field == c.field && strings.Contains(e.Message, c.messagePart))
				}
				if !found {
					t.Errorf("%s: errors %+v, want field %s: …%s…", c.name, p.Errors, c.field, c.messagePart)
				}
			}
			after := testutil.Counts(t, st)
			for table, n := range after {
				if table != "idempotency_keys" && n != before[table] {
					t.Errorf("table %s: %d rows, was %d: a refused write wrote something", table, n, before[table])
				}
			}

			// A newline is fine where it means something: a note's lines.
			want(t, agent.do("POST", "/v1/customers/T/interactions", `{"kind":"note","summary":"line one\nline two\r\n\tindented"}`), 201)
			// The limits count characters: 200 two-byte characters are accepted.
			want(t, agent.do("POST", "/v1/plans/"+plan.ID+"/accept", `{"accepted_by":`+long(200)+`,"channel":"phone"}`), 200)
		})
	}
}

// TestAPI_TextLimits_CSV: an import names the line and column of a free-text
// value over its limit or holding a control character, and imports nothing.
func TestAPI_TextLimits_CSV(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			st := open(t)
			_, agent, _, _ := setupOn(t, st)
			before := testutil.Counts(t, st)
			csv := "external_ref,name,email\n" +
				"A,Anna,\n" +
				"B,\"Bob\x1b[2J\",\n" + // line 3: ESC in the name
				"C," + strings.Repeat("c", 201) + ",\n" + // line 4: 201 characters
				"D,Dora," + strings.Repeat("d", 250) + "@example.com\n" // line 5: email over 254
			r := agent.do("POST", "/v1/imports/customers", csv, "Content-Type", "text/csv")
			want(t, r, 422)
			var p struct {
				Errors []struct {
					Line            int
					Column, Message string
				}
			}
			if err := json.Unmarshal(r.Body, &p); err != nil {
				t.Fatal(err)
			}
			type at struct {
				line int
				col  string
			}
			got := map[at]string{}
			for _, e := range p.Errors {
				got[at{e.Line, e.Column}] = e.Message
			}
			for _, w := range []struct {
				at
				part string
			}{{at{3, "name"}, "control character"}, {at{4, "name"}, "longer than 200"}, {at{5, "email"}, "longer than 254"}} {
				if !strings.Contains(got[w.at], w.part) {
					t.Errorf("line %d column %s: %q, want …%s… (all: %+v)", w.line, w.col, got[w.at], w.part, p.Errors)
				}
			}

			// A bank statement: the bank's texts may span lines, but no other control character passes.
			bank := "date,amount,currency,reference,payer_name,bank_id\n" +
				"2026-05-01,10.00,USD,\"INV 1\nline two\",Anna,B1\n" + // line 2: fine
				"2026-05-01,10.00,USD,ref,\"Evil\x1b[2J\",B2\n" + // line 4 (line 2 spans two)
				"2026-05-01,10.00,USD,ref,Bob," + strings.Repeat("b", 129) + "\n" // line 5
			r = agent.do("POST", "/v1/imports/bank-statement", bank, "Content-Type", "text/csv")
			want(t, r, 422)
			p.Errors = nil
			if err := json.Unmarshal(r.Body, &p); err != nil {
				t.Fatal(err)
			}
			got = map[at]string{}
			for _, e := range p.Errors {
				got[at{e.Line, e.Column}] = e.Message
			}
			for _, w := range []struct {
				at
				part string
			}{{at{4, "payer_name"}, "control character"}, {at{5, "bank_id"}, "longer than 128"}} {
				if !strings.Contains(got[w.at], w.part) {
					t.Errorf("bank line %d column %s: %q, want …%s… (all: %+v)", w.line, w.col, got[w.at], w.part, p.Errors)
				}
			}
			if len(p.Errors) != 2 {
				t.Errorf("bank statement errors %+v, want the two above", p.Errors)
			}

			after := testutil.Counts(t, st)
			for table, n := range after {
				if table != "idempotency_keys" && n != before[table] {
					t.Errorf("table %s: %d rows, was %d", table, n, before[table])
				}
			}
		})
	}
}
