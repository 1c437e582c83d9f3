package httpapi_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"settle/internal/store"
	"settle/internal/testutil"
)

func openAt(t *testing.T, engine string, clock func() time.Time) store.Store {
	t.Helper()
	if engine == "postgres" {
		return testutil.PostgresAt(t, clock)
	}
	return testutil.SQLiteAt(t, clock)
}

func wantField(t *testing.T, r resp, field string) {
	t.Helper()
	want(t, r, 422)
	var p problem
	r.decode(t, &p)
	for _, e := range p.Errors {
		if e.Field == field {
			return
		}
	}
	t.Fatalf("no error on %s: %s", field, r.Body)
}

type outboxMsg struct {
	ID               string `json:"id"`
	Channel          string `json:"channel"`
	Status           string `json:"status"`
	WithdrawnReason  string `json:"withdrawn_reason"`
	HeldBy           string `json:"held_by"`
	AwaitingApproval bool   `json:"awaiting_approval"`
	Edited           bool   `json:"edited"`
	Subject          string `json:"subject"`
	Preview          struct {
		Subject, Body, HTML string
	} `json:"preview"`
	WouldWithdraw string `json:"would_withdraw"`
	Pause         *struct {
		Until  string `json:"until"`
		Reason string `json:"reason"`
	} `json:"pause"`
}

// The outbox API on both engines: list with previews, hold/release, skip,
// edit, send now, pause; bad input is a 422 naming the field and writes
// nothing; viewers read but may not act.
func TestAPI_Outbox(t *testing.T) {
	for engine := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			var mu sync.Mutex
			now := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			st := openAt(t, engine, clock)
			admin, agent, viewer, _ := setupWith(t, st, clock)
			want(t, admin.do("POST", "/v1/customers", `{"external_ref":"A","name":"Ann Able","email":"ann@example.com","kind":"consumer","jurisdiction":"GB","time_zone":"Europe/London"}`), 201)
			want(t, admin.do("POST", "/v1/invoices", `{"number":"I-A","customer_id":"A","issue_date":"2025-12-16","due_date":"2026-01-15","currency":"GBP","amount":"120.00"}`), 201)
			want(t, admin.do("POST", "/v1/runs", `{"as_of":"2026-01-15"}`), 200)

			var list struct{ Data []outboxMsg }
			r := viewer.do("GET", "/v1/outbox", "")
			want(t, r, 200)
			r.decode(t, &list)
			if len(list.Data) != 1 || list.Data[0].Status != "queued" || !strings.Contains(list.Data[0].Preview.Body, "120.00") || list.Data[0].Preview.HTML == "" {
				t.Fatalf("outbox: %s", r.Body)
			}
			id := list.Data[0].ID
			wantField(t, viewer.do("GET", "/v1/outbox?status=gone", ""), "status")
			want(t, viewer.do("POST", "/v1/messages/"+id+"/hold", ""), 403)

			var m outboxMsg
			r = agent.do("POST", "/v1/messages/"+id+"/hold", "")
			want(t, r, 200)
			r.decode(t, &m)
			if m.Status != "held" || m.HeldBy == "" {
				t.Fatalf("held: %s", r.Body)
			}
			var held struct{ Data []outboxMsg }
			r = viewer.do("GET", "/v1/messages?status=held", "")
			want(t, r, 200)
			r.decode(t, &held)
			if len(held.Data) != 1 || held.Data[0].ID != id {
				t.Fatalf("?status=held: %s", r.Body)
			}
			r = viewer.do("GET", "/v1/messages?status=queued", "")
			r.decode(t, &held)
			if len(held.Data) != 0 {
				t.Fatalf("?status=queued lists a held message: %s", r.Body)
			}
			want(t, agent.do("POST", "/v1/messages/"+id+"/hold", ""), 409)
			want(t, agent.do("POST", "/v1/messages/msg_nope/hold", ""), 404)
			want(t, agent.do("POST", "/v1/messages/"+id+"/release", ""), 200)

			// Edit: a blank subject is a 422 on subject and changes nothing.
			wantField(t, agent.do("PATCH", "/v1/messages/"+id, `{"subject":"  "}`), "subject")
			r = viewer.do("GET", "/v1/messages/"+id, "")
			want(t, r, 200)
			r.decode(t, &m)
			if m.Edited {
				t.Fatal("a refused edit was stored")
			}
			r = agent.do("PATCH", "/v1/messages/"+id, `{"subject":"About I-A","body":"Dear Ann, invoice I-A is due today."}`)
			want(t, r, 200)
			r.decode(t, &m)
			if !m.Edited || m.Subject != "About I-A" {
				t.Fatalf("edited: %s", r.Body)
			}
			r = viewer.do("GET", "/v1/messages/"+id, "")
			m = outboxMsg{}
			r.decode(t, &m)
			if m.Preview.Subject != "About I-A" || m.Preview.HTML != "" {
				t.Fatalf("an edited message's preview is rendered again: %s", r.Body)
			}

			// Send now at 10:00 in London: allowed now.
			var sn struct {
				Now     bool      `json:"now"`
				Message outboxMsg `json:"message"`
			}
			r = agent.do("POST", "/v1/messages/"+id+"/send", "")
			want(t, r, 200)
			r.decode(t, &sn)
			if !sn.Now {
				t.Fatalf("send now at 10:00: %s", r.Body)
			}

			// Pause: bad date and missing reason name their fields.
			wantField(t, agent.do("PUT", "/v1/customers/A/pause", `{"until":"tomorrow","reason":"x"}`), "until")
			wantField(t, agent.do("PUT", "/v1/customers/A/pause", `{"until":"2026-02-01","reason":""}`), "reason")
			var p struct {
				Paused bool   `json:"paused"`
				Until  string `json:"until"`
			}
			r = viewer.do("GET", "/v1/customers/A/pause", "")
			r.decode(t, &p)
			if p.Paused {
				t.Fatal("a refused pause was stored")
			}
			want(t, agent.do("PUT", "/v1/customers/A/pause", `{"until":"2026-02-01","reason":"on holiday"}`), 200)
			r = viewer.do("GET", "/v1/outbox", "")
			r.decode(t, &list)
			if list.Data[0].Pause == nil || list.Data[0].Pause.Until != "2026-02-01" || list.Data[0].WouldWithdraw != "chasing is paused by staff" {
				t.Fatalf("outbox during a pause: %s", r.Body)
			}
			want(t, agent.do("DELETE", "/v1/customers/A/pause", ""), 204)
			want(t, agent.do("DELETE", "/v1/customers/A/pause", ""), 404)

			// Skip needs a reason.
			wantField(t, agent.do("POST", "/v1/messages/"+id+"/skip", `{"reason":""}`), "reason")
			r = agent.do("POST", "/v1/messages/"+id+"/skip", `{"reason":"agreed on the phone"}`)
			want(t, r, 200)
			r.decode(t, &m)
			if m.Status != "withdrawn" || !strings.HasSuffix(m.WithdrawnReason, ": agreed on the phone") || !strings.HasPrefix(m.WithdrawnReason, "skipped by token:") {
				t.Fatalf("skipped: %s", r.Body)
			}
			// Bulk approval of a list with an unknown id names it.
			wantField(t, agent.do("POST", "/v1/messages/approve", `{"ids":["msg_nope"]}`), "ids[0]")
			wantField(t, agent.do("POST", "/v1/messages/approve", `{"ids":[]}`), "ids")
			wantField(t, agent.do("GET", "/v1/letters/print-batch?date=soon", ""), "date")
			want(t, agent.do("GET", "/v1/letters/print-batch?date=2026-01-15", ""), 404)
		})
	}
}
