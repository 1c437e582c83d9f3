package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"settle/internal/apperr"
	"settle/internal/httpapi"
	"settle/internal/money"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
	"settle/internal/web"
)

const viewerEmail = "viewer@example.com"

// ownBook is a store of its own (the tests here change it): a consumer
// in arrears, Gina Gray (G-1, GBP), with three invoices of 400.00 due
// before the test clock's date, and an agent and a viewer.
func ownBook(t *testing.T) (*service.Service, *httptest.Server) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"), testutil.Clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := service.New(st, testutil.Clock)
	ctx := testutil.Admin(context.Background())
	for _, u := range []service.UserInput{
		{Email: agentEmail, Name: "Alex Agent", Role: service.RoleAgent, Password: agentPassword},
		{Email: viewerEmail, Name: "Vic Viewer", Role: service.RoleViewer, Password: agentPassword},
	} {
		if _, err := svc.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "G-1", Name: "Gina Gray", Kind: "consumer", Jurisdiction: "GB",
		TimeZone: "Europe/London", Email: "gina@example.com"}); err != nil {
		t.Fatal(err)
	}
	today := svc.Today()
	for i, n := range []string{"G-1-1", "G-1-2", "G-1-3"} {
		due := today.AddDays(-20 - 30*i)
		if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: n, CustomerID: "G-1", IssueDate: due.AddDays(-30).String(),
			DueDate: due.String(), Currency: "GBP", Amount: "400.00"}); err != nil {
			t.Fatal(err)
		}
	}
	ui := web.New(svc, quiet)
	ui.Fallback = httpapi.New(svc, quiet).Handler()
	srv := httptest.NewServer(ui.Handler())
	t.Cleanup(srv.Close)
	return svc, srv
}

// post posts a form from the page at from (with its CSRF token).
func (b *browser) post(from, action string, form url.Values) response {
	b.t.Helper()
	form.Set("csrf_token", match(b.t, csrfInput, b.get(from).Body))
	return b.do(http.MethodPost, action, form)
}

// fieldError matches an input/select/textarea with id marked invalid and
// its error paragraph beside it, linked by aria-describedby.
func fieldError(t *testing.T, body, id string) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)id="` + regexp.QuoteMeta(id) + `"[^>]*aria-invalid="true" aria-describedby="` + regexp.QuoteMeta(id) + `-error">.*?<p class="field-error" id="` + regexp.QuoteMeta(id) + `-error">([^<]+)</p>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no error beside #%s", id)
	}
	return m[1]
}

// TestWeb_CustomersList: the list shows each customer's balance and
// overdue as the aging report has them (a second method: Position), the
// search narrows it by name or reference, and each row links to the page.
func TestWeb_CustomersList(t *testing.T) {
	srv, _ := newServer(t)
	svc := fixture(t)
	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	page := b.get("/customers")
	wantStatus(t, page, 200)
	noInline(t, "/customers", page.Body)
	rows := regexp.MustCompile(`<a href="/customers/(cus_[A-Za-z0-9]+)">`).FindAllStringSubmatch(page.Body, -1)
	if len(rows) != 40 {
		t.Fatalf("%d customers listed, the demo has 40", len(rows))
	}
	ctx := testutil.Admin(context.Background())
	pos, err := svc.Position(ctx, "C-1001", asOf)
	if err != nil {
		t.Fatal(err)
	}
	usd := pos.Currencies[0]
	for _, want := range []string{
		`<a href="/customers/` + pos.Customer.ID + `">Harbor Freight Logistics LLC</a>`,
		"USD\u00a0" + groupedMinor(narrowT(t, usd.Total())), "USD\u00a0" + groupedMinor(narrowT(t, usd.Overdue())),
		`<span class="risk risk-` + pos.Risk.Band + `"`,
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the list lacks %q", want)
		}
	}

	for q, want := range map[string]int{"harbor": 1, "C-20": 7, "zzzz": 0, "gmbh": 2} {
		r := b.get("/customers?q=" + url.QueryEscape(q))
		wantStatus(t, r, 200)
		if n := len(regexp.MustCompile(`<a href="/customers/cus_`).FindAllString(r.Body, -1)); n != want {
			t.Errorf("search %q: %d rows, want %d", q, n, want)
		}
	}
}

// groupedMinor formats a two-digit amount in minor units with thousands
// separators, independently of the UI's formatter.
func groupedMinor(minor int64) string {
	whole, frac := minor/100, minor%100
	s := []byte{}
	w := []byte(itoa(whole))
	for i := range w {
		if i > 0 && (len(w)-i)%3 == 0 {
			s = append(s, ',')
		}
		s = append(s, w[i])
	}
	return string(s) + "." + string([]byte{byte('0' + frac/10), byte('0' + frac%10)})
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestWeb_CustomerPage: the demo's key account by its reference: the
// position, the risk factors, the seven steps of the guide, the history
// newest first; an unknown customer is a 404.
func TestWeb_CustomerPage(t *testing.T) {
	srv, _ := newServer(t)
	svc := fixture(t)
	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	page := b.get("/customers/C-1001?history=all")
	wantStatus(t, page, 200)
	noInline(t, "/customers/C-1001", page.Body)
	pos, err := svc.Position(testutil.Admin(context.Background()), "C-1001", asOf)
	if err != nil {
		t.Fatal(err)
	}
	usd := pos.Currencies[0]
	for _, want := range []string{
		"<h1>Harbor Freight Logistics LLC</h1>",
		`data-balance="USD">USD` + "\u00a0" + groupedMinor(narrowT(t, usd.Total())) + "<",
		`data-overdue="USD">USD` + "\u00a0" + groupedMinor(narrowT(t, usd.Overdue())) + "<",
		pos.Risk.Factors[0].Label, "Importance: key", "Impact of the delay",
		"Open collaboratively", "Acknowledge their value", "State the issue and its impact", "Ask for their reasons",
		"Offer solutions", "Agree specific next steps", "Confirm in writing",
		"ap.harborfreight@example.com", // the guide: confirm in writing to their address
		`action="/customers/` + pos.Customer.ID + `/negotiations#negotiate"`,
		`action="/customers/` + pos.Customer.ID + `/budget#budget"`,
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := strings.Count(page.Body[strings.Index(page.Body, `class="guide"`):], "<li><h3>"); n != 7 {
		t.Errorf("the guide has %d steps, want 7", n)
	}
	// Every open invoice is listed.
	for _, oi := range pos.OpenInvoices {
		if !strings.Contains(page.Body, "<th scope=\"row\">"+oi.Invoice.Number+"</th>") {
			t.Errorf("open invoice %s is not listed", oi.Invoice.Number)
		}
	}
	// The history: every invoice of the customer, newest first.
	ctx := testutil.Admin(context.Background())
	invs, _, err := svc.Invoices(ctx, store.InvoiceFilter{CustomerID: pos.Customer.ID, Page: store.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(page.Body, `class="ev ev-invoice"`); n != len(invs) {
		t.Errorf("history has %d invoices, the ledger %d", n, len(invs))
	}
	var times []string
	for _, m := range regexp.MustCompile(`<time datetime="([^"]+)">`).FindAllStringSubmatch(page.Body, -1) {
		times = append(times, m[1])
	}
	// One entry per invoice, payment, message, interaction, promise, plan.
	pays, _, _ := svc.Payments(ctx, store.PaymentFilter{CustomerID: pos.Customer.ID, Page: store.Page{Limit: 500}})
	msgs, _, _ := svc.Messages(ctx, store.MessageFilter{CustomerID: pos.Customer.ID, Page: store.Page{Limit: 500}})
	its, _, _ := svc.Interactions(ctx, pos.Customer.ID, store.Page{Limit: 500})
	proms, _, _ := svc.Promises(ctx, store.PromiseFilter{CustomerID: pos.Customer.ID, Page: store.Page{Limit: 500}}, asOf, "")
	plans, _ := svc.CustomerPlans(ctx, pos.Customer.ID, asOf)
	entries := len(invs) + len(pays) + len(msgs) + len(its) + len(proms) + len(plans)
	if len(times) != entries || !sort.SliceIsSorted(times, func(i, j int) bool { return times[i] > times[j] }) {
		t.Errorf("history of %d entries (want %d) is not newest first", len(times), entries)
	}
	// Without ?history=all the page stops at 60 entries and links to the rest.
	short := b.get("/customers/" + pos.Customer.ID)
	if n := strings.Count(short.Body, `<li class="ev ev-`); n != 60 || !strings.Contains(short.Body, "?history=all#history") {
		t.Errorf("the short history has %d entries", n)
	}
	wantStatus(t, b.get("/customers/NOPE-1"), http.StatusNotFound)
}

// TestWeb_CustomerForms: the budget and a stated reason, refused with
// the errors beside the fields, then stored.
func TestWeb_CustomerForms(t *testing.T) {
	svc, srv := ownBook(t)
	ctx := testutil.Admin(context.Background())
	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	page := "/customers/G-1"
	wantStatus(t, b.get(page), 200)

	budget := func(income string) url.Values {
		return url.Values{"currency": {"GBP"},
			"income_category_0": {"earnings"}, "income_label_0": {""}, "income_monthly_0": {"1800.00"},
			"income_category_1": {"benefits"}, "income_label_1": {""}, "income_monthly_1": {income},
			"expenses_category_0": {"home"}, "expenses_label_0": {""}, "expenses_monthly_0": {"900.00"},
			"expenses_category_1": {""}, "expenses_label_1": {""}, "expenses_monthly_1": {""}, // a blank row: dropped
			"expenses_category_2": {"food_housekeeping"}, "expenses_label_2": {""}, "expenses_monthly_2": {"400.00"},
			"debts_creditor_0": {"Card Co"}, "debts_monthly_0": {"100.00"}, "debts_balance_0": {"2000.00"}, "debts_priority_0": {"1"},
		}
	}
	r := b.post(page, "/customers/G-1/budget", budget("lots"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if msg := fieldError(t, r.Body, "income-monthly-1"); msg == "" {
		t.Error("no message for the bad income")
	}
	if !strings.Contains(r.Body, `value="lots"`) || !strings.Contains(r.Body, `<details class="more" open>`) {
		t.Error("the refused budget is not shown as entered, open")
	}
	if _, err := svc.Budget(ctx, "G-1"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("a refused budget was stored: %v", err)
	}
	// A line after a blank row keeps its own row's error.
	bad := budget("200.00")
	bad.Set("expenses_monthly_2", "-5")
	r = b.post(page, "/customers/G-1/budget", bad)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldError(t, r.Body, "expenses-monthly-2")

	r = b.post(page, "/customers/G-1/budget", budget("200.00"))
	wantStatus(t, r, http.StatusSeeOther)
	bv, err := svc.Budget(ctx, "G-1")
	if err != nil {
		t.Fatal(err)
	}
	// 2000 − 1300 − 100 = 600 available; a consumer can afford 75 %: 450.00.
	if bv.Available.String() != "600.00" || bv.Affordable.String() != "450.00" || len(bv.Input.Expenses) != 2 || !bv.Input.Debts[0].Priority {
		t.Errorf("budget stored %+v", bv)
	}
	p := b.get(r.Header.Get("Location"))
	if !strings.Contains(p.Body, "<strong>GBP\u00a0450.00</strong> a month") || !strings.Contains(p.Body, "Budget saved") {
		t.Error("the page does not show what they can afford")
	}

	// A "fact" without evidence is refused beside the evidence field.
	r = b.post(page, "/customers/G-1/interactions", url.Values{"kind": {"call"}, "direction": {"outbound"}, "summary": {"Spoke to Gina."},
		"reason": {"hardship"}, "claim": {"fact"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldError(t, r.Body, "note-evidence")
	r = b.post(page, "/customers/G-1/interactions", url.Values{"kind": {"call"}, "direction": {"outbound"}, "summary": {""}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldError(t, r.Body, "note-summary")
	its, _, _ := svc.Interactions(ctx, "G-1", store.Page{})
	if len(its) != 0 {
		t.Fatalf("refused interactions were stored: %+v", its)
	}
	// "Never received" is recorded and a copy of the invoices is queued.
	r = b.post(page, "/customers/G-1/interactions", url.Values{"kind": {"call"}, "direction": {"inbound"}, "summary": {"Says the invoices never arrived."},
		"reason": {"not_received"}, "claim": {"unverified"}})
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); !strings.Contains(loc, "done=resend") {
		t.Errorf("→ %s", loc)
	}
	p = b.get(r.Header.Get("Location"))
	if !regexp.MustCompile(`Stated reason: <strong>Never received the invoice</strong> — <span class="claim claim-unverified">unverified</span>`).MatchString(p.Body) {
		t.Error("the history does not show the stated reason as unverified")
	}
	its, _, _ = svc.Interactions(ctx, "G-1", store.Page{})
	if len(its) != 1 || its[0].ReasonCategory != "not_received" || its[0].Claim != "unverified" || !its[0].Conversation {
		t.Errorf("interaction %+v", its)
	}
	msgs, _, _ := svc.Messages(ctx, store.MessageFilter{CustomerID: "G-1"})
	if len(msgs) != 1 || msgs[0].Step != "invoice_resend" {
		t.Errorf("messages %+v", msgs)
	}
}

// TestWeb_NegotiationToAgreement: open a negotiation, a counter-offer
// with a bad field (error beside it), a real one (the engine's answer is
// shown), accept → a proposed plan → record the customer's acceptance →
// active; the agreement downloads as a PDF. Viewers see, but get no forms
// and their POSTs are refused.
func TestWeb_NegotiationToAgreement(t *testing.T) {
	svc, srv := ownBook(t)
	ctx := testutil.Admin(context.Background())
	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	c, err := svc.Customer(ctx, "G-1")
	if err != nil {
		t.Fatal(err)
	}
	page := "/customers/" + c.ID

	r := b.post(page, page+"/negotiations", url.Values{})
	wantStatus(t, r, http.StatusSeeOther)
	p := b.get(r.Header.Get("Location"))
	neg, err := svc.CurrentNegotiation(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Body, "<h3>Opening offer</h3>") || !strings.Contains(p.Body, `data-accept="offer"`) || !strings.Contains(p.Body, "The customer’s counter-offer") {
		t.Fatalf("the panel does not show the opening offer:\n%s", p.Body)
	}
	if len(neg.Reply.Alternatives) > 0 && !strings.Contains(p.Body, neg.Reply.Alternatives[0].Label) {
		t.Errorf("the first alternative %q is not shown", neg.Reply.Alternatives[0].Label)
	}
	counter := page + "/negotiations/" + neg.Reply.ID + "/counter"
	r = b.post(page, counter, url.Values{"installments": {"six"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldError(t, r.Body, "co-count")
	r = b.post(page, counter, url.Values{"installment_amount": {"1.2.3"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldError(t, r.Body, "co-amount")
	if n, _ := svc.Negotiation(ctx, neg.Reply.ID); n.Reply.Round != 0 {
		t.Fatalf("a refused counter-offer moved the negotiation to round %d", n.Reply.Round)
	}
	// The customer offers less a month over more months.
	r = b.post(page, counter, url.Values{"installment_amount": {"100.00"}, "frequency": {"monthly"}})
	wantStatus(t, r, http.StatusSeeOther)
	p = b.get(r.Header.Get("Location"))
	n, err := svc.Negotiation(ctx, neg.Reply.ID)
	if err != nil || n.Reply.Round != 1 {
		t.Fatalf("after the counter: %+v, %v", n, err)
	}
	want := map[string]string{"accept": "Accepted", "counter": "Countered", "reject": "Refused"}[n.Reply.Decision]
	if want == "" || !strings.Contains(p.Body, "<h3>"+want) {
		t.Errorf("decision %q is not said plainly on the page", n.Reply.Decision)
	}

	// A viewer sees the panel but no form, and cannot post.
	v := newBrowser(t, srv)
	wantStatus(t, v.signIn(viewerEmail, agentPassword), http.StatusSeeOther)
	vp := v.get(page)
	wantStatus(t, vp, 200)
	if strings.Contains(vp.Body, `method="post" action="/customers/`) || !strings.Contains(vp.Body, "Our offer:") {
		t.Error("a viewer gets forms, or no offer")
	}
	tok := match(t, csrfAttr, vp.Body)
	for _, path := range []string{page + "/negotiations/" + neg.Reply.ID + "/accept", counter, page + "/budget", page + "/interactions", page + "/negotiations"} {
		r := v.do(http.MethodPost, path, url.Values{"csrf_token": {tok}, "installment_amount": {"100.00"}})
		if r.StatusCode != http.StatusForbidden {
			t.Errorf("viewer POST %s: %d", path, r.StatusCode)
		}
	}

	// Accept the standing offer: a proposed plan, and its page.
	r = b.post(page, page+"/negotiations/"+neg.Reply.ID+"/accept", url.Values{"alternative": {"0"}})
	wantStatus(t, r, http.StatusSeeOther)
	loc := r.Header.Get("Location")
	planID := match(t, regexp.MustCompile(`^/plans/(pln_[A-Za-z0-9]+)\?done=proposed$`), loc)
	pv, err := svc.Plan(ctx, planID, svc.Today())
	if err != nil || pv.Status != "proposed" || pv.Plan.CustomerID != c.ID {
		t.Fatalf("plan %+v, %v", pv, err)
	}
	p = b.get(loc)
	wantStatus(t, p, 200)
	noInline(t, loc, p.Body)
	if got := strings.Count(p.Body, `<span class="st st-proposed">proposed</span>`); got != len(pv.Plan.Installments) {
		t.Errorf("%d installments shown as proposed, the plan has %d", got, len(pv.Plan.Installments))
	}
	// The negotiation is done: the panel offers a new one.
	if _, err := svc.CurrentNegotiation(ctx, c.ID); err == nil {
		t.Error("the accepted negotiation is still current")
	}

	// Record the acceptance: the name is required (beside the field).
	r = b.post(loc, "/plans/"+planID+"/accept", url.Values{"accepted_by": {" "}, "channel": {"phone"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldError(t, r.Body, "acc-by")
	// Free-text limits (docs/security.md): over 200 characters, or a control character, is refused beside the field.
	for _, bad := range []string{strings.Repeat("g", 201), "Gina\x1b[2J", "Gina\rGray"} {
		r = b.post(loc, "/plans/"+planID+"/accept", url.Values{"accepted_by": {bad}, "channel": {"phone"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		fieldError(t, r.Body, "acc-by")
	}
	r = b.post(loc, "/plans/"+planID+"/accept", url.Values{"accepted_by": {"Gina Gray"}, "channel": {"phone"}})
	wantStatus(t, r, http.StatusSeeOther)
	p = b.get(r.Header.Get("Location"))
	if !strings.Contains(p.Body, `data-status="active"`) || !strings.Contains(p.Body, "by Gina Gray, phone") {
		t.Errorf("the plan is not shown active and accepted:\n%s", p.Body)
	}
	pv, _ = svc.Plan(ctx, planID, svc.Today())
	if pv.Status != "active" || pv.Plan.Acceptance == nil || pv.Plan.Acceptance.By != "Gina Gray" {
		t.Errorf("plan after acceptance: %+v", pv)
	}

	// The agreement: a PDF attachment, for the viewer too.
	for _, br := range []*browser{b, v} {
		pdf := br.get("/plans/" + planID + "/agreement.pdf")
		wantStatus(t, pdf, 200)
		if ct, cd := pdf.Header.Get("Content-Type"), pdf.Header.Get("Content-Disposition"); ct != "application/pdf" || !strings.HasPrefix(cd, "attachment;") || !strings.HasPrefix(pdf.Body, "%PDF-") {
			t.Errorf("agreement: %s, %s, %.8q", ct, cd, pdf.Body)
		}
	}
	wantStatus(t, b.get("/plans/pln_nothing/agreement.pdf"), http.StatusNotFound)

	// Renegotiate: bad terms beside the field; good terms → a new version
	// that supersedes this one.
	r = b.post("/plans/"+planID, "/plans/"+planID+"/renegotiate", url.Values{"installments": {"0"}, "frequency": {"monthly"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldError(t, r.Body, "rn-count")
	start := svc.Today().AddDays(14).String()
	r = b.post("/plans/"+planID, "/plans/"+planID+"/renegotiate", url.Values{"installments": {"12"}, "frequency": {"monthly"}, "start_date": {start}})
	wantStatus(t, r, http.StatusSeeOther)
	newID := match(t, regexp.MustCompile(`^/plans/(pln_[A-Za-z0-9]+)\?done=renegotiate$`), r.Header.Get("Location"))
	nv, err := svc.Plan(ctx, newID, svc.Today())
	if err != nil || nv.Plan.Version != 2 || nv.Plan.SupersedesID != planID || len(nv.Plan.Installments) != 12 || nv.Status != "proposed" {
		t.Fatalf("new version %+v, %v", nv, err)
	}
	if old, _ := svc.Plan(ctx, planID, svc.Today()); old.Status != "superseded" {
		t.Errorf("the old plan is %s", old.Status)
	}
	// Cancel needs a reason.
	r = b.post("/plans/"+newID, "/plans/"+newID+"/cancel", url.Values{"reason": {""}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldError(t, r.Body, "cancel-reason")
	r = b.post("/plans/"+newID, "/plans/"+newID+"/cancel", url.Values{"reason": {"Customer chose to pay in full"}})
	wantStatus(t, r, http.StatusSeeOther)
	// A second cancel is a conflict, said on the page.
	r = b.post("/plans/"+planID, "/plans/"+newID+"/cancel", url.Values{"reason": {"again"}})
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.Body, `role="alert"`) {
		t.Error("the conflict is not said on the page")
	}

	// The plans list by status.
	l := b.get("/plans?status=cancelled")
	wantStatus(t, l, 200)
	if !strings.Contains(l.Body, `href="/plans/`+newID+`"`) || strings.Contains(l.Body, `href="/plans/`+planID+`"`) {
		t.Error("the cancelled list is wrong")
	}
	l = b.get("/plans?status=superseded")
	if !strings.Contains(l.Body, `href="/plans/`+planID+`"`) {
		t.Error("the superseded list lacks the old version")
	}
	wantStatus(t, b.get("/plans?status=lost"), http.StatusUnprocessableEntity)
	if vp := v.get("/plans/" + planID); vp.StatusCode != 200 || strings.Contains(vp.Body, `method="post" action="/plans/`) {
		t.Errorf("viewer plan page: %d, or with forms", vp.StatusCode)
	}
}

// busiestCustomer is the demo customer with the most invoices.
func busiestCustomer(tb testing.TB, svc *service.Service) string {
	tb.Helper()
	ctx := testutil.Admin(context.Background())
	counts := map[string]int{}
	f := store.InvoiceFilter{Page: store.Page{Limit: 500}}
	for {
		list, next, err := svc.Invoices(ctx, f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, inv := range list {
			counts[inv.CustomerID]++
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	best := ""
	for id, n := range counts {
		if best == "" || n > counts[best] || (n == counts[best] && id < best) {
			best = id
		}
	}
	tb.Logf("busiest customer %s: %d invoices", best, counts[best])
	return best
}

func benchPage(b *testing.B, path, want string) {
	svc := fixture(b)
	h := web.New(svc, quiet).Handler()
	secret, err := svc.SignIn(context.Background(), agentEmail, agentPassword)
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: secret})
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 || !strings.Contains(w.Body.String(), want) {
			b.Fatalf("%s: status %d, or no %q", path, w.Code, want)
		}
	}
}

// BenchmarkCustomerPage renders the page of the demo's busiest customer.
func BenchmarkCustomerPage(b *testing.B) {
	benchPage(b, "/customers/"+busiestCustomer(b, fixture(b)), "Conversation guide")
}

// BenchmarkCustomers renders the customers list (all 40 of the demo).
func BenchmarkCustomers(b *testing.B) { benchPage(b, "/customers", `class="data customers"`) }

// BenchmarkPlanPage renders one of the demo's active plans.
func BenchmarkPlanPage(b *testing.B) {
	rows, _, err := fixture(b).PlanList(testutil.Admin(context.Background()), service.PlanListInput{Status: "active", AsOf: asOf})
	if err != nil || len(rows) == 0 {
		b.Fatalf("no active plan: %v", err)
	}
	benchPage(b, "/plans/"+rows[0].Plan.ID, "Schedule")
}

// TestWeb_CustomerPortalLink: an agent makes a portal link on the
// customer's page; the link opens that customer's portal (and is shown
// only in that response); a viewer has no button and is refused.
func TestWeb_CustomerPortalLink(t *testing.T) {
	svc, srv := ownBook(t)
	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	page := b.get("/customers/G-1")
	if !strings.Contains(page.Body, "Make a portal link") {
		t.Fatal("no portal-link button for an agent")
	}
	r := b.post("/customers/G-1", "/customers/G-1/portal-link", url.Values{})
	wantStatus(t, r, http.StatusOK)
	m := regexp.MustCompile(`id="portal-link" type="text" readonly value="(http://[^"]+/portal/([^"]+))"`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no link on the page:\n%s", r.Body)
	}
	if !strings.HasPrefix(m[1], srv.URL+"/portal/") {
		t.Errorf("link %q is not on this server (%s)", m[1], srv.URL)
	}
	sess, err := svc.VerifyPortalToken(context.Background(), m[2])
	if err != nil || sess.Customer().ExternalRef != "G-1" || sess.ContactOnly() {
		t.Fatalf("the link: %v %+v", err, sess)
	}
	if strings.Contains(b.get("/customers/G-1").Body, m[2]) {
		t.Error("the link is shown again on the next view")
	}
	portal := newBrowser(t, srv).get(strings.TrimPrefix(m[1], srv.URL))
	wantStatus(t, portal, http.StatusOK)
	if !strings.Contains(portal.Body, "Gina Gray") {
		t.Error("the portal does not greet Gina")
	}

	v := newBrowser(t, srv)
	wantStatus(t, v.signIn(viewerEmail, agentPassword), http.StatusSeeOther)
	if strings.Contains(v.get("/customers/G-1").Body, "Make a portal link") {
		t.Error("a viewer is offered a portal link")
	}
	wantStatus(t, v.post("/customers/G-1", "/customers/G-1/portal-link", url.Values{}), http.StatusForbidden)
}

func narrowT(t *testing.T, w money.Wide) int64 {
	t.Helper()
	v, ok := w.Int64()
	if !ok {
		t.Fatalf("%s does not fit in an int64", w)
	}
	return v
}

// TestWeb_NegotiationPanelShowsReasoningAndCustomersWords: the staff panel
// shows the engine's figures (values, completion, target, floor) and the
// explanation as the customer reads it, in their language (French here).
func TestWeb_NegotiationPanelShowsReasoningAndCustomersWords(t *testing.T) {
	svc, srv := ownBook(t)
	ctx := testutil.Admin(context.Background())
	c, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "F-1", Name: "Sophie Martin", Kind: "consumer", Jurisdiction: "FR",
		TimeZone: "Europe/Paris", Locale: "fr-FR"})
	if err != nil {
		t.Fatal(err)
	}
	due := svc.Today().AddDays(-40)
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "F-1-1", CustomerID: "F-1", IssueDate: due.AddDays(-30).String(),
		DueDate: due.String(), Currency: "EUR", Amount: "2400.00"}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	page := "/customers/" + c.ID
	r := b.post(page, page+"/negotiations", url.Values{})
	wantStatus(t, r, http.StatusSeeOther)
	p := b.get(r.Header.Get("Location"))
	wantStatus(t, p, 200)
	neg, err := svc.CurrentNegotiation(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	words := match(t, regexp.MustCompile(`<span lang="fr" data-explanation>([^<]+)</span>`), p.Body)
	if !strings.HasPrefix(strings.ReplaceAll(words, "\u00a0", " "), "Merci de régler le solde de 2 400,00 EUR au plus tard le ") {
		t.Errorf("the panel shows %q, not the customer's French explanation", words)
	}
	figures := match(t, regexp.MustCompile(`(?s)<dl class="plain" data-figures>(.*?)</dl>`), p.Body)
	ev := neg.Reply.Evaluation
	for _, want := range []string{
		"<dt>Value of our offer</dt><dd>EUR " + neg.Reply.Offer.Value + "</dd>",
		"<dt>This round’s target</dt><dd>EUR " + ev.Target + "</dd>",
		"<dt>Floor (never offered or accepted below)</dt><dd>EUR " + ev.Floor + "</dd>",
		"<dt>No-deal alternative</dt><dd>EUR " + ev.NoDeal + "</dd>",
		"<dt>Likely to be paid to the end</dt><dd>",
	} {
		if !strings.Contains(figures, want) {
			t.Errorf("the figures do not show %q:\n%s", want, figures)
		}
	}
}
