package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"settle/internal/httpapi"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
	"settle/internal/web"
)

// TestWeb_Outbox: an agent reads the queued email as it would leave,
// holds it, skips it (a missing reason is an error beside the field and
// changes nothing) and pauses the customer (a past date is an error
// beside the date); a viewer reads but may not act.
func TestWeb_Outbox(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "o.db"), testutil.Clock)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := service.New(st, testutil.Clock)
	ctx := testutil.Admin(context.Background())
	for _, u := range []service.UserInput{
		{Email: agentEmail, Name: "Alex Agent", Role: service.RoleAgent, Password: agentPassword},
		{Email: "viewer@example.com", Name: "Vic Viewer", Role: service.RoleViewer, Password: agentPassword},
	} {
		if _, err := svc.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "O-1", Name: "Olive Oak", Email: "olive@example.com", Kind: "consumer",
		Jurisdiction: "GB", TimeZone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "O-1-1", CustomerID: "O-1", IssueDate: "2026-05-01", DueDate: "2026-06-01", Currency: "GBP", Amount: "120.00"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.StartRun(ctx, service.RunInput{AsOf: "2026-06-01"}); err != nil {
		t.Fatal(err)
	}
	queued, _, err := svc.Messages(ctx, store.MessageFilter{Status: store.MessageQueued})
	if err != nil || len(queued) != 1 {
		t.Fatalf("queued %v %v", queued, err)
	}
	id := queued[0].ID
	ui := web.New(svc, quiet)
	ui.Fallback = httpapi.New(svc, quiet).Handler()
	srv := httptest.NewServer(ui.Handler())
	defer srv.Close()

	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	page := b.get("/outbox")
	wantStatus(t, page, 200)
	for _, want := range []string{"Olive Oak", "O-1-1", "120.00", `id="msg-` + id + `"`, `aria-current="page">Outbox`, "· Due today</h2>"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the outbox lacks %q", want)
		}
	}
	// The HTML part, in its sandboxed frame, under the email frame's CSP.
	if !strings.Contains(page.Body, `src="/outbox/`+id+`/email.html"`) {
		t.Error("no frame for the email's HTML part")
	}
	html := b.get("/outbox/" + id + "/email.html")
	wantStatus(t, html, 200)
	if html.Header.Get("Content-Security-Policy") != web.EmailFrameCSP || !strings.Contains(html.Body, "120.00") {
		t.Errorf("the HTML part: CSP %q\n%.300s", html.Header.Get("Content-Security-Policy"), html.Body)
	}
	post := func(b *browser, path string, form url.Values) response {
		form.Set("csrf_token", match(t, csrfInput, b.get("/outbox").Body))
		return b.do(http.MethodPost, path, form)
	}
	r := post(b, "/outbox/"+id, url.Values{"action": {"skip"}, "reason": {""}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !regexp.MustCompile(`(?s)id="reason-` + id + `"[^>]*aria-invalid="true"[^>]*>\s*<p class="field-error"[^>]*>[^<]*required`).MatchString(r.Body) {
		t.Errorf("no error beside the reason:\n%s", r.Body)
	}
	if m, _ := svc.Message(ctx, id); m.Status != store.MessageQueued {
		t.Fatalf("a refused skip changed the message: %s", m.Status)
	}
	r = post(b, "/outbox/"+id, url.Values{"action": {"hold"}})
	wantStatus(t, r, http.StatusSeeOther)
	page = b.get(r.Header.Get("Location"))
	if !strings.Contains(page.Body, "Held by Alex Agent") || strings.Contains(page.Body, "Held by user:") || !strings.Contains(page.Body, "Release") {
		t.Errorf("the held message is not shown held:\n%s", page.Body)
	}

	// The pause panel: a date that is not after today, beside the field.
	r = post(b, "/customers/O-1/pause", url.Values{"until": {"2026-06-01"}, "reason": {"holiday"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !regexp.MustCompile(`(?s)id="pause-until"[^>]*aria-invalid="true"[^>]*>\s*<p class="field-error"`).MatchString(r.Body) {
		t.Errorf("no error beside the date:\n%s", r.Body)
	}
	r = post(b, "/customers/O-1/pause", url.Values{"until": {"2026-06-20"}, "reason": {"on holiday"}})
	wantStatus(t, r, http.StatusSeeOther)
	panel := b.get("/customers/O-1/pause", "HX-Request", "true")
	if !strings.Contains(panel.Body, "paused until") || !strings.Contains(panel.Body, "on holiday") {
		t.Errorf("the pause is not shown:\n%s", panel.Body)
	}
	page = b.get("/outbox")
	if !strings.Contains(page.Body, "Chasing paused until") || !strings.Contains(page.Body, "chasing is paused by staff") {
		t.Errorf("the outbox does not show the pause and what it withdraws")
	}

	v := newBrowser(t, srv)
	wantStatus(t, v.signIn("viewer@example.com", agentPassword), http.StatusSeeOther)
	vp := v.get("/outbox")
	wantStatus(t, vp, 200)
	if strings.Contains(vp.Body, `value="hold"`) || strings.Contains(vp.Body, `value="release"`) {
		t.Error("a viewer is offered actions")
	}
	wantStatus(t, post(v, "/outbox/"+id, url.Values{"action": {"release"}}), http.StatusForbidden)
	wantStatus(t, v.get("/outbox/print?date=2026-06-01"), http.StatusForbidden)
}
