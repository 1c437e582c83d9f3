package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"settle/internal/civil"
	"settle/internal/httpapi"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
	"settle/internal/web"
)

// TestWeb_Worklist: an agent sees a queue's tasks from a collections run,
// claims one, completes it with an outcome; a promise without its amount
// is refused with the error next to the field and nothing changes; a task
// another agent holds cannot be taken (409, said on the page).
func TestWeb_Worklist(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"), testutil.Clock)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := service.New(st, testutil.Clock)
	ctx := testutil.Admin(context.Background())
	for _, u := range []service.UserInput{
		{Email: agentEmail, Name: "Alex Agent", Role: service.RoleAgent, Password: agentPassword},
		{Email: "other@example.com", Name: "Olga Other", Role: service.RoleAgent, Password: agentPassword},
	} {
		if _, err := svc.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ ref, name string }{{"W-1", "Wanda Walker"}, {"W-2", "Walt Wren"}} {
		if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: c.ref, Name: c.name, Email: strings.ToLower(c.ref) + "@example.com", Phone: "+44 20 7946 00" + c.ref[2:] + "0", Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: c.ref + "-1", CustomerID: c.ref, IssueDate: "2026-04-01", DueDate: "2026-05-01", Currency: "GBP", Amount: "120.00"}); err != nil {
			t.Fatal(err)
		}
	}
	// The daily runs: each customer's case takes its overdue (+3) and firm
	// (+7) steps, then on +14 a call task each.
	for d := 2; d <= 15; d++ {
		if _, err := svc.StartRun(ctx, service.RunInput{AsOf: fmt.Sprintf("2026-05-%02d", d)}); err != nil {
			t.Fatal(err)
		}
	}
	tasks, _, err := svc.Tasks(ctx, store.TaskFilter{Queue: "tier1"})
	if err != nil || len(tasks) != 2 {
		t.Fatalf("tasks %v, %v", tasks, err)
	}
	ui := web.New(svc, quiet)
	ui.Fallback = httpapi.New(svc, quiet).Handler()
	srv := httptest.NewServer(ui.Handler())
	defer srv.Close()

	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	page := b.get("/worklist")
	wantStatus(t, page, 200)
	// The task cards: the amount overdue and days late (120.00 GBP due
	// 1 May, the test clock's 1 June: 31 days), the phone as a tel: link,
	// the customer's time now (12:00 UTC is 13:00 in London in June) and
	// whether a call is allowed then: not at 13:00, outside the default
	// call window 09:30–11:30 on weekdays; next 09:30 Tuesday.
	for _, want := range []string{"Wanda Walker (W-1)", "Walt Wren (W-2)", "The call step (14 days after the due date; after the firm reminder on 8 May 2026) for W-1-1", `aria-current="page">Tier 1`,
		"<dd>GBP\u00a0120.00 · 31 days late</dd>", `href="tel:&#43;442079460010"`, "13:00 Mon 1 Jun, Europe/London", "do not call now",
		"outside the call window 09:30–11:30 on weekdays; next 09:30 Tue 2 Jun 2026"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the worklist lacks %q", want)
		}
	}
	id := tasks[0].ID
	post := func(b *browser, form url.Values) response {
		form.Set("csrf_token", match(t, csrfInput, b.get("/worklist").Body))
		form.Set("queue", "tier1")
		return b.do(http.MethodPost, "/worklist/"+id, form)
	}

	// Claim: back to the queue, the task marked as the agent's.
	r := post(b, url.Values{"action": {"claim"}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "/worklist?") || !strings.HasSuffix(loc, "#task-"+id) {
		t.Errorf("after claiming: Location %q", loc)
	}
	page = b.get(r.Header.Get("Location"))
	if !strings.Contains(page.Body, "Task claimed") || !strings.Contains(page.Body, "Yours") {
		t.Errorf("the claimed task is not shown as the agent's:\n%s", page.Body)
	}

	// Another agent cannot take it.
	o := newBrowser(t, srv)
	wantStatus(t, o.signIn("other@example.com", agentPassword), http.StatusSeeOther)
	r = post(o, url.Values{"action": {"claim"}})
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.Body, `role="alert"`) || !strings.Contains(r.Body, "claimed by") {
		t.Errorf("the conflict is not said on the page")
	}
	// The other agent's card names who holds the task, not their user id.
	if page := o.get("/worklist"); !strings.Contains(page.Body, `<span class="badge">Claimed by Alex Agent</span>`) {
		t.Errorf("the other agent's card does not name the holder: %q", regexp.MustCompile(`<span class="badge">[^<]*</span>`).FindAllString(page.Body, -1))
	}

	// A promise without amount and date: errors next to the fields, the
	// task still open and claimed.
	r = post(b, url.Values{"action": {"complete"}, "outcome": {"promise_made"}, "promise_currency": {"GBP"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldErr := regexp.MustCompile(`(?s)id="amount-` + id + `"[^>]*aria-invalid="true">\s*<p class="field-error">[^<]+</p>`)
	if !fieldErr.MatchString(r.Body) {
		t.Errorf("no error beside the amount:\n%s", r.Body)
	}
	if k, _, _ := svc.Tasks(ctx, store.TaskFilter{Queue: "tier1", Status: store.TaskClaimed}); len(k) != 1 {
		t.Errorf("after a refused completion, %d claimed tasks, want 1", len(k))
	}

	// Completed with a promise: done, the promise recorded.
	r = post(b, url.Values{"action": {"complete"}, "outcome": {"promise_made"}, "promise_amount": {"120.00"}, "promise_currency": {"GBP"}, "promise_due": {"2026-06-15"}})
	wantStatus(t, r, http.StatusSeeOther)
	done, _, _ := svc.Tasks(ctx, store.TaskFilter{Queue: "tier1", Status: store.TaskDone})
	if len(done) != 1 || done[0].ID != id || done[0].Outcome != "promise_made" {
		t.Fatalf("done tasks %+v", done)
	}
	promises, _, err := svc.Promises(ctx, store.PromiseFilter{CustomerID: tasks[0].CustomerID}, civil.New(2026, 6, 1), "")
	if err != nil || len(promises) != 1 || promises[0].Promise.Amount.String() != "120.00" {
		t.Fatalf("promises %+v, %v", promises, err)
	}
	page = b.get("/worklist")
	if strings.Contains(page.Body, "task-"+id) {
		t.Error("a done task is still on the worklist")
	}
}

// TestWeb_WorklistCard: a task card says money as every other page does
// (the code, then the amount in groups of thousands: "GBP 1,234.50"), and
// its tel: link dials the number as typed without its spaces, brackets and
// dashes (RFC 3966 allows none of the spaces people type), while the link
// shows the number as stored.
func TestWeb_WorklistCard(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"), testutil.Clock)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := service.New(st, testutil.Clock)
	ctx := testutil.Admin(context.Background())
	if _, err := svc.CreateUser(ctx, service.UserInput{Email: agentEmail, Name: "Alex Agent", Role: service.RoleAgent, Password: agentPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "C-1", Name: "Cora Card", Email: "c-1@example.com", Phone: "+1 (555) 010-2030",
		Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "C-1-1", CustomerID: "C-1", IssueDate: "2026-04-01", DueDate: "2026-05-01", Currency: "GBP", Amount: "1234.50"}); err != nil {
		t.Fatal(err)
	}
	// Overdue (+3), firm (+7), then the call on +14, as in TestWeb_Worklist.
	for d := 2; d <= 15; d++ {
		if _, err := svc.StartRun(ctx, service.RunInput{AsOf: fmt.Sprintf("2026-05-%02d", d)}); err != nil {
			t.Fatal(err)
		}
	}
	tasks, _, err := svc.Tasks(ctx, store.TaskFilter{Status: store.TaskOpen})
	if err != nil || len(tasks) != 1 || tasks[0].Kind != "call" {
		t.Fatalf("tasks %+v, %v", tasks, err)
	}
	srv := httptest.NewServer(web.New(svc, quiet).Handler())
	defer srv.Close()
	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	page := b.get("/worklist?queue=" + tasks[0].Queue)
	wantStatus(t, page, 200)
	// 1,234.50 GBP due 1 May, the test clock's 1 June: 31 days late. The
	// reason in words: the run wrote "ladder step call (14 days after the
	// due date; after firm on 2026-05-08) for C-1-1" (the firm step on
	// 8 May: due + 7, four days after the overdue step on 4 May).
	for _, want := range []string{"<dd>GBP\u00a01,234.50 · 31 days late</dd>", `<a href="tel:&#43;15550102030">&#43;1 (555) 010-2030</a>`,
		`</span>The call step (14 days after the due date; after the firm reminder on 8 May 2026) for C-1-1</p>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the card lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`<div><dt>(?:Overdue|Phone)</dt><dd>.*?</dd></div>|<p class="task-why">.*?</p>`).FindAllString(page.Body, -1); t.Failed() {
		t.Logf("the card's facts: %q", m)
	}
}

// TestWeb_WorklistOwnersCall: the run claims a key account's personal call
// for the account owner; on the owner's worklist it is theirs ("Yours",
// with Release and Complete), and another agent's card names the owner.
func TestWeb_WorklistOwnersCall(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"), testutil.Clock)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := service.New(st, testutil.Clock)
	ctx := testutil.Admin(context.Background())
	for _, u := range []service.UserInput{
		{Email: agentEmail, Name: "Alex Agent", Role: service.RoleAgent, Password: agentPassword},
		{Email: "other@example.com", Name: "Olga Other", Role: service.RoleAgent, Password: agentPassword},
	} {
		if _, err := svc.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "K-1", Name: "Kappa Key Ltd", Email: "k-1@example.com", Phone: "+44 20 7946 0020",
		Kind: "business", Jurisdiction: "GB", TimeZone: "Europe/London", Segment: "key_account", Owner: agentEmail}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "K-1-1", CustomerID: "K-1", IssueDate: "2026-04-01", DueDate: "2026-05-01", Currency: "GBP", Amount: "900.00"}); err != nil {
		t.Fatal(err)
	}
	// The firm step (+7, 8 May) of a key account is a personal call first.
	for d := 2; d <= 8; d++ {
		if _, err := svc.StartRun(ctx, service.RunInput{AsOf: fmt.Sprintf("2026-05-%02d", d)}); err != nil {
			t.Fatal(err)
		}
	}
	tasks, _, err := svc.Tasks(ctx, store.TaskFilter{Status: store.TaskClaimed})
	if err != nil || len(tasks) != 1 || tasks[0].Kind != "call" {
		t.Fatalf("claimed tasks %+v, %v", tasks, err)
	}
	id, queue := tasks[0].ID, tasks[0].Queue
	srv := httptest.NewServer(web.New(svc, quiet).Handler())
	defer srv.Close()

	owner := newBrowser(t, srv)
	wantStatus(t, owner.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	page := owner.get("/worklist?queue=" + queue)
	card := regexp.MustCompile(`(?s)<li class="task panel" id="task-` + id + `">.*?</li>\s*(?:<li class="task panel"|</ol>)`).FindString(page.Body)
	for _, want := range []string{`<span class="badge">Yours</span>`, `value="release"`, `value="complete"`} {
		if !strings.Contains(card, want) {
			t.Errorf("the owner's card lacks %q:\n%s", want, card)
		}
	}
	other := newBrowser(t, srv)
	wantStatus(t, other.signIn("other@example.com", agentPassword), http.StatusSeeOther)
	if page := other.get("/worklist?queue=" + queue); !strings.Contains(page.Body, `<span class="badge">Claimed by Alex Agent</span>`) {
		t.Errorf("another agent's card does not name the owner: %q", regexp.MustCompile(`<span class="badge">[^<]*</span>`).FindAllString(page.Body, -1))
	}
	// The owner completes it from the card.
	r := owner.do(http.MethodPost, "/worklist/"+id, url.Values{"csrf_token": {match(t, csrfInput, page.Body)}, "queue": {queue},
		"action": {"complete"}, "outcome": {"reached"}, "note": {"spoke to the finance director"}})
	wantStatus(t, r, http.StatusSeeOther)
	if done, _, err := svc.Tasks(ctx, store.TaskFilter{Status: store.TaskDone}); err != nil || len(done) != 1 || done[0].ID != id || done[0].Outcome != "reached" {
		t.Errorf("done tasks %+v, %v", done, err)
	}
}

// BenchmarkWorklist renders the fullest queue of the demo organisation
// after today's collections run.
func BenchmarkWorklist(b *testing.B) {
	svc := fixture(b)
	if _, err := svc.StartRun(testutil.Admin(context.Background()), service.RunInput{AsOf: asOf.String()}); err != nil {
		b.Fatal(err)
	}
	queue, most := "", 0
	for _, q := range []string{"tier1", "tier2", "legal"} {
		list, _, err := svc.Tasks(testutil.Admin(context.Background()), store.TaskFilter{Queue: q})
		if err != nil {
			b.Fatal(err)
		}
		if len(list) > most {
			queue, most = q, len(list)
		}
	}
	if most == 0 {
		b.Fatal("the run made no tasks")
	}
	b.Logf("queue %s: %d tasks", queue, most)
	h := web.New(svc, quiet).Handler()
	secret, err := svc.SignIn(context.Background(), agentEmail, agentPassword)
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/worklist?queue="+queue, nil)
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: secret})
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `class="task panel"`) {
			b.Fatalf("status %d, or no task", w.Code)
		}
	}
}
