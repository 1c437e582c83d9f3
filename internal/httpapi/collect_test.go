package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// The run over HTTP: a demand letter with its PDF, a task in the
// worklist completed with an outcome, a repeat run, and roles.
func TestAPI_RunTasksMessages(t *testing.T) {
	admin, agent, viewer, anon := setup(t) // clock: 2026-06-01
	want(t, agent.do("POST", "/v1/customers", `{"name":"Late Ltd","external_ref":"LL","kind":"business","jurisdiction":"GB","time_zone":"Europe/London","email":"ap@late.example","address":{"lines":["1 Late Lane"],"city":"Leeds","postal_code":"LS1 1AA","country":"GB"}}`), 201)
	want(t, agent.do("POST", "/v1/invoices", `{"number":"LL-1","customer_id":"LL","issue_date":"2026-04-01","due_date":"2026-05-02","currency":"GBP","amount":"640.00"}`), 201)
	want(t, anon.do("POST", "/v1/runs", `{"as_of":"2026-06-01"}`), 401)
	want(t, viewer.do("POST", "/v1/runs", `{"as_of":"2026-06-01"}`), 403)
	// The daily runs of May: overdue (+3), firm (+7) and call (+14) steps
	// of LL's case come before its demand.
	for d := 3; d <= 31; d++ {
		want(t, agent.do("POST", "/v1/runs", fmt.Sprintf(`{"as_of":"2026-05-%02d"}`, d)), 200)
	}
	r := agent.do("POST", "/v1/runs", `{"as_of":"2026-06-01"}`) // +30: demand letter and email
	want(t, r, 200)
	var run struct {
		ID, Status string
		Repeat     bool
		Created    struct{ Messages, Tasks, Events int }
	}
	r.decode(t, &run)
	if run.Status != "done" || run.Repeat || run.Created.Messages != 2 || run.Created.Events != 0 { // the overdue event came with the May runs
		t.Fatalf("run = %s", r.Body)
	}
	r = agent.do("POST", "/v1/runs", `{"as_of":"2026-06-01"}`)
	if !strings.Contains(string(r.Body), `"repeat":true`) || !strings.Contains(string(r.Body), run.ID) {
		t.Errorf("repeat = %s", r.Body)
	}
	want(t, viewer.do("GET", "/v1/runs/2026-06-01", ""), 200)

	r = viewer.do("GET", "/v1/messages?customer_id=LL", "")
	want(t, r, 200)
	var msgs struct {
		Data []struct {
			ID, Channel, Step string
			Attachments       []struct {
				Name string
				Size int
			}
		}
	}
	r.decode(t, &msgs)
	var letter string
	for _, m := range msgs.Data {
		if m.Channel == "letter" && m.Step == "demand" && len(m.Attachments) == 1 && m.Attachments[0].Name == "demand.pdf" {
			letter = m.ID
		}
	}
	if letter == "" {
		t.Fatalf("no demand letter with its PDF: %s", r.Body)
	}
	r = viewer.do("GET", "/v1/messages/"+letter+"/attachments/demand.pdf", "")
	want(t, r, 200)
	if r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(r.Body), "%PDF-") {
		t.Errorf("attachment: %s %q", r.Header.Get("Content-Type"), r.Body[:min(20, len(r.Body))])
	}
	want(t, viewer.do("GET", "/v1/messages/"+letter+"/attachments/nope.pdf", ""), 404)

	// A second invoice, 15 days overdue on 2 June, joins LL's case (at its
	// demand): no new step; the call task of the case's +14 step (16 May)
	// is the one open task in tier 1.
	want(t, agent.do("POST", "/v1/invoices", `{"number":"LL-2","customer_id":"LL","issue_date":"2026-05-01","due_date":"2026-05-18","currency":"GBP","amount":"100.00"}`), 201)
	want(t, agent.do("POST", "/v1/runs", `{"as_of":"2026-06-02"}`), 200)
	r = viewer.do("GET", "/v1/tasks?queue=tier1", "")
	want(t, r, 200)
	var tasks struct {
		Data []struct{ ID, Kind, Status, Queue string }
	}
	r.decode(t, &tasks)
	if len(tasks.Data) != 1 || tasks.Data[0].Kind != "call" {
		t.Fatalf("tasks = %s", r.Body)
	}
	id := tasks.Data[0].ID
	want(t, viewer.do("PATCH", "/v1/tasks/"+id, `{"action":"claim"}`), 403)
	want(t, agent.do("PATCH", "/v1/tasks/"+id, `{"action":"claim"}`), 200)
	r = agent.do("PATCH", "/v1/tasks/"+id, `{"action":"complete","outcome":"promise_made"}`)
	want(t, r, 422)
	if !strings.Contains(string(r.Body), `"field":"promise"`) {
		t.Errorf("promise missing: %s", r.Body)
	}
	r = agent.do("PATCH", "/v1/tasks/"+id, `{"action":"complete","outcome":"promise_made","promise":{"currency":"GBP","amount":"740.00","due_date":"2026-06-15"}}`)
	want(t, r, 200)
	if !strings.Contains(string(r.Body), `"status":"done"`) {
		t.Errorf("completed = %s", r.Body)
	}
	want(t, agent.do("PATCH", "/v1/tasks/"+id, `{"action":"complete","outcome":"reached"}`), 409)
	// The call is in the customer's history (it counts toward the caps).
	r = viewer.do("GET", "/v1/customers/LL/interactions", "")
	if !strings.Contains(string(r.Body), `"kind":"call"`) {
		t.Errorf("the call was not recorded: %s", r.Body)
	}
	// Webhooks are for admins.
	want(t, agent.do("POST", "/v1/webhooks", `{"url":"https://hooks.example/x","events":["plan.accepted"]}`), 403)
	r = admin.do("POST", "/v1/webhooks", `{"url":"https://hooks.example/x","events":["plan.accepted"]}`)
	want(t, r, 201)
	if !strings.Contains(string(r.Body), `"secret":"whsec_`) {
		t.Errorf("webhook = %s", r.Body)
	}
	r = admin.do("GET", "/v1/webhooks", "")
	if strings.Contains(string(r.Body), "whsec_") {
		t.Errorf("the list shows the secret: %s", r.Body)
	}
}
