package web_test

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"settle/internal/ledger"
	"settle/internal/plan"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
	"settle/internal/web"
)

// portalWorld: on the test clock's date, customer A (German, a budget that
// leaves EUR 1,500 a month; invoices A-1 EUR 600 due 45 days ago and A-2
// EUR 400 due 10 days ago) and customer B (English, B-1 EUR 900), each
// with a portal link, served by the UI over its own SQLite store.
type portalWorld struct {
	svc   *service.Service
	st    store.Store
	path  string // the SQLite file
	srv   *httptest.Server
	ctx   context.Context
	linkA string // path /portal/…
	linkB string
	custA string
	custB string
}

func newPortalWorld(t *testing.T) *portalWorld {
	t.Helper()
	path := filepath.Join(t.TempDir(), "p.db")
	st, err := sqlite.Open(context.Background(), path, testutil.Clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := service.New(st, testutil.Clock)
	svc.Creditor = "Settle Demo Ltd"
	ctx := testutil.Admin(context.Background())
	today := asOf
	for _, c := range []struct{ ref, name, locale string }{{"A", "Anna Arden", "de-DE"}, {"B", "Ben Brook", "en-GB"}} {
		if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: c.ref, Name: c.name, Kind: "consumer", Jurisdiction: "DE",
			TimeZone: "Europe/Berlin", Locale: c.locale}); err != nil {
			t.Fatal(err)
		}
	}
	for _, inv := range []service.InvoiceInput{
		{Number: "A-1", CustomerID: "A", IssueDate: today.AddDays(-75).String(), DueDate: today.AddDays(-45).String(), Currency: "EUR", Amount: "600.00"},
		{Number: "A-2", CustomerID: "A", IssueDate: today.AddDays(-40).String(), DueDate: today.AddDays(-10).String(), Currency: "EUR", Amount: "400.00"},
		{Number: "B-1", CustomerID: "B", IssueDate: today.AddDays(-75).String(), DueDate: today.AddDays(-45).String(), Currency: "EUR", Amount: "900.00"},
	} {
		if _, err := svc.CreateInvoice(ctx, inv); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.PutBudget(ctx, "A", service.BudgetInput{Currency: "EUR",
		Income:   []service.BudgetLineInput{{Category: "earnings", Monthly: "4000.00"}},
		Expenses: []service.BudgetLineInput{{Category: "rent", Monthly: "2500.00"}}}); err != nil {
		t.Fatal(err)
	}
	ui := web.New(svc, quiet)
	srv := httptest.NewServer(ui.Handler())
	t.Cleanup(srv.Close)
	w := &portalWorld{svc: svc, st: st, path: path, srv: srv, ctx: ctx}
	for _, ref := range []string{"A", "B"} {
		l, err := svc.CreatePortalLink(ctx, ref, 0, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		path := strings.TrimPrefix(l.URL, srv.URL)
		if ref == "A" {
			w.linkA, w.custA = path, l.CustomerID
		} else {
			w.linkB, w.custB = path, l.CustomerID
		}
	}
	return w
}

var hrefRe = regexp.MustCompile(`href="(/portal/[^"]+)"`)

// form posts a portal form with the page's csrf token.
func portalPost(t *testing.T, b *browser, page response, action string, form url.Values) response {
	t.Helper()
	form.Set("csrf_token", match(t, csrfInput, page.Body))
	return b.do(http.MethodPost, action, form)
}

func wantIn(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("the page lacks %q", w)
		}
	}
}

// TestPortal_ProposeAcceptSchedule is the portal's main path, in German:
// the customer opens the link, sees what is owed and why, starts a plan,
// proposes 300 a month, is accepted at once, accepts the agreement with
// their typed name and sees the schedule.
func TestPortal_ProposeAcceptSchedule(t *testing.T) {
	w := newPortalWorld(t)
	b := newBrowser(t, w.srv)
	home := b.get(w.linkA)
	wantStatus(t, home, 200)
	for h, want := range map[string]string{"Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "Content-Security-Policy": web.ContentSecurityPolicy} {
		if got := home.Header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	wantIn(t, home.Body, `<html lang="de">`, "Guten Tag, Anna Arden", "Settle Demo Ltd", "Rechnung A-1", "45 Tage überfällig",
		"10 Tage überfällig", "1.000,00\u00a0EUR", "Ratenzahlung vereinbaren", "Rechnung A-1 (PDF)")
	if strings.Contains(home.Body, "B-1") || strings.Contains(home.Body, "Ben Brook") || strings.Contains(home.Body, "<script") {
		t.Error("A's home shows B's data or a script")
	}

	// Start: redirected to the options, the engine's offer and a form.
	r := portalPost(t, b, home, w.linkA+"/plan", url.Values{"currency": {"EUR"}})
	wantStatus(t, r, http.StatusSeeOther)
	opts := b.get(r.Header.Get("Location"))
	wantStatus(t, opts, 200)
	// The budget covers the balance: the offer is one payment, and says so
	// (not "1 Monatsraten zu je …").
	wantIn(t, opts.Body, "Unser Angebot", `<p class="p-summary">Eine Zahlung von 1.000,00`+"\u00a0EUR</p>", "Eigenen Vorschlag machen", `for="installment_amount"`)
	if strings.Contains(opts.Body, ">1 Monatsraten") {
		t.Error("the one-payment offer reads as 1 Monatsraten")
	}
	counter := match(t, regexp.MustCompile(`action="(/portal/[^"]+/counter)"`), opts.Body)

	// A bad amount: 422, the error beside the field, in German.
	bad := portalPost(t, b, opts, counter, url.Values{"installment_amount": {"viel"}, "frequency": {"monthly"}})
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	wantIn(t, bad.Body, `id="installment_amount-error"`, "Geben Sie einen Betrag ein", `aria-invalid="true"`)

	// 600,00 a month from a week on (the budget leaves 1.125,00 a month and
	// the opening asks for the whole 1.000,00 at once): accepted at once,
	// straight to the agreement.
	start := asOf.AddDays(7)
	r = portalPost(t, b, opts, counter, url.Values{"installment_amount": {"600,00"}, "frequency": {"monthly"}, "start_date": {start.String()}})
	wantStatus(t, r, http.StatusSeeOther)
	loc := r.Header.Get("Location")
	if !strings.Contains(loc, "/agreement/pln_") {
		t.Fatalf("after an acceptable proposal: %s", loc)
	}
	agr := b.get(loc)
	wantStatus(t, agr, 200)
	wantIn(t, agr.Body, "Ihre Ratenzahlungsvereinbarung", "600,00\u00a0EUR", "400,00\u00a0EUR", "Gesamt: 1.000,00\u00a0EUR",
		"Wenn eine Rate ausbleibt", "Vereinbarung herunterladen (PDF)", "Ich stimme zu")

	// The PDF of the agreement.
	pdfPath := match(t, regexp.MustCompile(`href="(/portal/[^"]+/pdf)"`), agr.Body)
	pdf := b.get(pdfPath)
	wantStatus(t, pdf, 200)
	if pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF-") {
		t.Errorf("agreement pdf: %s", pdf.Header.Get("Content-Type"))
	}
	// Named as the customer knows the plan: by its reference, not our id.
	if cd := pdf.Header.Get("Content-Disposition"); !regexp.MustCompile(`filename="agreement-STL-[0-9A-Z]{8}\.pdf"`).MatchString(cd) {
		t.Errorf("agreement pdf: Content-Disposition %q, want the plan's reference in the name", cd)
	}

	// Accept without a name: 422; with it: home shows the schedule.
	accept := match(t, regexp.MustCompile(`action="(/portal/[^"]+/agreement/pln_[^"]+)"`), agr.Body)
	r = portalPost(t, b, agr, accept, url.Values{"accepted_by": {"  "}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantIn(t, r.Body, `id="accepted_by-error"`)
	// Free-text limits: 201 characters (two bytes each) or an escape character, beside the field.
	for _, bad := range []string{strings.Repeat("é", 201), "Anna\x1b[2J"} {
		r = portalPost(t, b, agr, accept, url.Values{"accepted_by": {bad}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r.Body, `id="accepted_by-error"`)
	}
	r = portalPost(t, b, agr, accept, url.Values{"accepted_by": {"Anna Arden"}})
	wantStatus(t, r, http.StatusSeeOther)
	home = b.get(r.Header.Get("Location"))
	wantStatus(t, home, 200)
	wantIn(t, home.Body, "Ihr Ratenplan ist vereinbart", "Ihr Ratenplan", "Nächste Zahlung: 600,00\u00a0EUR", "Zahlungsplan", "In Ihrem Ratenplan")

	planID := strings.TrimPrefix(accept[strings.LastIndex(accept, "/")+1:], "")
	v, err := w.svc.Plan(w.ctx, planID, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != plan.Active || v.Plan.Acceptance.Channel != "portal" || v.Plan.Acceptance.By != "Anna Arden" || len(v.Plan.Installments) != 2 {
		t.Errorf("plan %s: %+v", v.Status, v.Plan.Acceptance)
	}
}

// TestPortal_LinkRefused: a tampered, unknown or expired link gets a plain
// page with no account data and the right status.
func TestPortal_LinkRefused(t *testing.T) {
	w := newPortalWorld(t)
	b := newBrowser(t, w.srv)
	tok := strings.TrimPrefix(w.linkA, "/portal/")
	flipped := []byte(tok)
	flipped[len(flipped)-2] ^= 1
	for name, path := range map[string]string{
		"tampered":   "/portal/" + string(flipped),
		"garbage":    "/portal/nonsense",
		"other page": "/portal/" + string(flipped) + "/promise",
	} {
		r := b.get(path, "Accept-Language", "fr-FR,fr;q=0.9")
		wantStatus(t, r, http.StatusForbidden)
		wantIn(t, r.Body, `<html lang="fr">`, "Ce lien ne fonctionne pas")
		if strings.Contains(r.Body, "Anna") || strings.Contains(r.Body, "A-1") || strings.Contains(r.Body, "/portal/") {
			t.Errorf("%s: the refusal shows account data or links", name)
		}
		if r.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: referrer policy %q", name, r.Header.Get("Referrer-Policy"))
		}
	}
	// Expired: a link made for a minute, read an hour later (a service on
	// the same store with a later clock).
	short, err := w.svc.CreatePortalLink(w.ctx, "A", time.Minute, w.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	later := service.New(w.st, func() time.Time { return testutil.Clock().Add(time.Hour) })
	srv := httptest.NewServer(web.New(later, quiet).Handler())
	defer srv.Close()
	r := newBrowser(t, srv).get(strings.TrimPrefix(short.URL, w.srv.URL))
	wantStatus(t, r, http.StatusGone)
	wantIn(t, r.Body, "This link has expired")
	if strings.Contains(r.Body, "Anna") {
		t.Error("the expired page shows the customer's name")
	}
}

// TestPortal_Isolation: A's link on B's negotiation, plan and invoice PDF,
// and A's forms naming B's invoice: 404, nothing written.
func TestPortal_Isolation(t *testing.T) {
	w := newPortalWorld(t)
	bg := context.Background()
	pb, err := w.svc.VerifyPortalToken(bg, strings.TrimPrefix(w.linkB, "/portal/"))
	if err != nil {
		t.Fatal(err)
	}
	negB, err := w.svc.PortalStartNegotiation(bg, pb, "")
	if err != nil {
		t.Fatal(err)
	}
	planB, err := w.svc.PortalChoose(bg, pb, negB, 0)
	if err != nil {
		t.Fatal(err)
	}
	invB, _ := w.svc.Invoice(w.ctx, "B-1")
	before := testutil.Counts(t, w.st)
	auditBefore, _ := w.svc.Audit(w.ctx, store.AuditFilter{Limit: 1000})

	b := newBrowser(t, w.srv)
	home := b.get(w.linkA)
	wantStatus(t, home, 200)
	for _, path := range []string{"/plan/" + negB, "/agreement/" + planB, "/agreement/" + planB + "/pdf", "/invoices/" + invB.ID + "/pdf", "/invoices/B-1/pdf"} {
		r := b.get(w.linkA + path)
		wantStatus(t, r, http.StatusNotFound)
		if strings.Contains(r.Body, "Ben Brook") || strings.Contains(r.Body, "900") {
			t.Errorf("GET %s shows B's data", path)
		}
	}
	for path, form := range map[string]url.Values{
		"/plan/" + negB + "/counter": {"installment_amount": {"100"}},
		"/plan/" + negB + "/choose":  {"alternative": {"0"}},
		"/agreement/" + planB:        {"accepted_by": {"Anna Arden"}},
		"/dispute":                   {"invoice_id": {invB.ID}, "reason": {"wrong_amount"}},
	} {
		r := portalPost(t, b, home, w.linkA+path, form)
		wantStatus(t, r, http.StatusNotFound)
	}
	// B's form token does not work on A's link.
	bHome := newBrowser(t, w.srv).get(w.linkB + "/contact")
	r := b.do(http.MethodPost, w.linkA+"/contact", url.Values{"csrf_token": {match(t, csrfInput, bHome.Body)}, "channel": {"sms"}, "opted_out": {"1"}})
	wantStatus(t, r, http.StatusForbidden)

	if after := testutil.Counts(t, w.st); !maps.Equal(before, after) {
		t.Errorf("rows changed: %v → %v", before, after)
	}
	if auditAfter, _ := w.svc.Audit(w.ctx, store.AuditFilter{Limit: 1000}); len(auditAfter) != len(auditBefore) {
		t.Errorf("audit entries %d → %d", len(auditBefore), len(auditAfter))
	}
	if inv, _ := w.svc.Invoice(w.ctx, "B-1"); inv.Disputed {
		t.Error("B's invoice was disputed through A's link")
	}
	if v, _ := w.svc.Plan(w.ctx, planB, asOf); v.Status != plan.Proposed {
		t.Errorf("B's plan is %s", v.Status)
	}
	if m, _ := w.svc.OptOuts(w.ctx, "A"); m["sms"] {
		t.Error("A's sms opt-out was set with B's form token")
	}
}

// TestPortal_PromiseDisputeContact: the three forms, in English (B), with
// their errors beside the fields and their effects stored.
func TestPortal_PromiseDisputeContact(t *testing.T) {
	w := newPortalWorld(t)
	b := newBrowser(t, w.srv)

	page := b.get(w.linkB + "/promise")
	wantStatus(t, page, 200)
	wantIn(t, page.Body, `<html lang="en">`, "You owe 900.00\u00a0EUR", `for="amount"`, `for="due_date"`)
	r := portalPost(t, b, page, w.linkB+"/promise", url.Values{"currency": {"EUR"}, "amount": {"950"}, "due_date": {asOf.AddDays(90).String()}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantIn(t, r.Body, `id="amount-error"`, "is more than you owe", `id="due_date-error"`, "must be within 60 days")
	r = portalPost(t, b, page, w.linkB+"/promise", url.Values{"currency": {"EUR"}, "amount": {"450.00"}, "due_date": {asOf.AddDays(14).String()}})
	wantStatus(t, r, http.StatusSeeOther)
	home := b.get(r.Header.Get("Location"))
	wantIn(t, home.Body, "we have noted your promise", "Your promises to pay", "450.00\u00a0EUR by")
	promises, _, _ := w.svc.Promises(w.ctx, store.PromiseFilter{CustomerID: "B"}, asOf, "")
	if len(promises) != 1 || promises[0].Promise.Channel != "portal" || promises[0].Promise.Amount.String() != "450.00" {
		t.Errorf("promises %+v", promises)
	}

	page = b.get(w.linkB + "/dispute")
	wantStatus(t, page, 200)
	inv, _ := w.svc.Invoice(w.ctx, "B-1")
	r = portalPost(t, b, page, w.linkB+"/dispute", url.Values{"invoice_id": {inv.ID}, "reason": {"other"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantIn(t, r.Body, `id="details-error"`, "tell us what is wrong")
	r = portalPost(t, b, page, w.linkB+"/dispute", url.Values{"invoice_id": {inv.ID}, "reason": {"already_paid"}, "details": {"Paid on 3 March"}})
	wantStatus(t, r, http.StatusSeeOther)
	if got, _ := w.svc.Invoice(w.ctx, "B-1"); !got.Disputed {
		t.Error("B-1 is not disputed")
	}
	home = b.get(w.linkB)
	wantIn(t, home.Body, "Disputed (not chased while we look into it)", ">Disputed<")

	page = b.get(w.linkB + "/contact")
	wantStatus(t, page, 200)
	wantIn(t, page.Body, "Letters by post", "Turn off")
	r = portalPost(t, b, page, w.linkB+"/contact", url.Values{"channel": {"email"}, "opted_out": {"1"}})
	wantStatus(t, r, http.StatusSeeOther)
	page = b.get(w.linkB + "/contact")
	// Email off: letters cannot be turned off now (no button for them).
	if strings.Count(page.Body, `name="channel" value="letter"`) != 0 || !strings.Contains(page.Body, "Off: we do not use it") {
		t.Errorf("contact page after email off:\n%s", page.Body)
	}
	r = portalPost(t, b, page, w.linkB+"/contact", url.Values{"channel": {"letter"}, "opted_out": {"1"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if m, _ := w.svc.OptOuts(w.ctx, "B"); !m["email"] || m["letter"] {
		t.Errorf("opt-outs %v", m)
	}
	entries, _ := w.svc.Audit(w.ctx, store.AuditFilter{ObjectID: w.custB})
	last := entries[len(entries)-1]
	if last.Action != "customer.opt_out" || last.Actor != "portal:"+w.custB {
		t.Errorf("last audit entry %+v", last)
	}

	// No form token: refused.
	r = b.do(http.MethodPost, w.linkB+"/contact", url.Values{"channel": {"sms"}, "opted_out": {"1"}})
	wantStatus(t, r, http.StatusForbidden)
}

// TestPortal_InvoicePDF: the invoice copy of one's own invoice, in the
// customer's language.
func TestPortal_InvoicePDF(t *testing.T) {
	w := newPortalWorld(t)
	b := newBrowser(t, w.srv)
	home := b.get(w.linkA)
	var pdfs []string
	for _, m := range hrefRe.FindAllStringSubmatch(home.Body, -1) {
		if strings.HasSuffix(m[1], "/pdf") {
			pdfs = append(pdfs, m[1])
		}
	}
	if len(pdfs) != 2 {
		t.Fatalf("invoice PDF links %v", pdfs)
	}
	r := b.get(pdfs[0])
	wantStatus(t, r, 200)
	if r.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.Body, "%PDF-") ||
		!strings.Contains(r.Header.Get("Content-Disposition"), "invoice-A-1.pdf") {
		t.Errorf("invoice pdf %v", r.Header)
	}
}

// BenchmarkPortalHome renders the portal home of the demo's customer with
// the most open invoices.
func BenchmarkPortalHome(b *testing.B) {
	benchPortal(b, "")
}

// BenchmarkPortalPlanOptions renders the plan options page (the engine's
// offer, alternatives and the counter-offer form) for the same customer.
func BenchmarkPortalPlanOptions(b *testing.B) {
	benchPortal(b, "plan")
}

func benchPortal(b *testing.B, page string) {
	svc := fixture(b)
	ctx := testutil.Admin(context.Background())
	// The demo's customers by open invoices, most first.
	type cand struct {
		id string
		n  int
	}
	var cands []cand
	for cursor := ""; ; {
		list, next, err := svc.Customers(ctx, store.CustomerFilter{Page: store.Page{Limit: 500, Cursor: cursor}})
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range list {
			invs, _, err := svc.Invoices(ctx, store.InvoiceFilter{CustomerID: c.ID, Status: ledger.StatusOpen, Page: store.Page{Limit: 500}})
			if err != nil {
				b.Fatal(err)
			}
			cands = append(cands, cand{c.ID, len(invs)})
		}
		if next == "" {
			break
		}
		cursor = next
	}
	slices.SortStableFunc(cands, func(x, y cand) int { return y.n - x.n })
	srv := httptest.NewServer(web.New(svc, quiet).Handler())
	defer srv.Close()
	var path string
	var most int
	for _, c := range cands {
		l, err := svc.CreatePortalLink(ctx, c.id, 0, "")
		if err != nil {
			b.Fatal(err)
		}
		path, most = l.URL, c.n
		if page != "plan" {
			break
		}
		// The plan options need something to negotiate: the first
		// customer (most invoices first) the engine makes an offer to.
		p, err := svc.VerifyPortalToken(ctx, l.Token)
		if err != nil {
			b.Fatal(err)
		}
		if neg, err := svc.PortalStartNegotiation(ctx, p, ""); err == nil {
			path += "/plan/" + neg
			break
		}
	}
	client := srv.Client()
	b.ResetTimer()
	for b.Loop() {
		res, err := client.Get(srv.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("GET %s: %d", path, res.StatusCode)
		}
	}
	b.ReportMetric(float64(most), "open_invoices")
}

var optOutLinkRe = regexp.MustCompile(`(http://[^\s"<>]+/portal/([^\s"<>/]+)/contact)`)

// TestPortal_OptOutLinkInMessages: with the portal's address set, the run's
// email to B links to B's own contact preferences; that link opens those
// and nothing else (home redirects there; plans, promises and disputes are
// refused and nothing is written), and it opts B out of email.
func TestPortal_OptOutLinkInMessages(t *testing.T) {
	w := newPortalWorld(t)
	w.svc.PortalURL = w.srv.URL
	email := "ben@example.com"
	if _, err := w.svc.UpdateCustomer(w.ctx, "B", service.CustomerPatch{Email: &email}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.StartRun(w.ctx, service.RunInput{AsOf: asOf.String()}); err != nil {
		t.Fatal(err)
	}
	msgs, _, err := w.svc.Messages(w.ctx, store.MessageFilter{CustomerID: w.custB})
	if err != nil {
		t.Fatal(err)
	}
	var link, token string
	for _, m := range msgs {
		if m.Channel == "email" {
			if mm := optOutLinkRe.FindStringSubmatch(m.Body); mm != nil {
				link, token = mm[1], mm[2]
			}
		}
	}
	if link == "" {
		t.Fatalf("no email to B with a portal opt-out link among %d messages", len(msgs))
	}
	sess, err := w.svc.VerifyPortalToken(w.ctx, token)
	if err != nil || sess.CustomerID() != w.custB || !sess.ContactOnly() {
		t.Fatalf("the message's link: %v, customer %s (want %s), contact only %v", err, sess.CustomerID(), w.custB, sess.ContactOnly())
	}
	if want := testutil.Clock().Add(service.OptOutLinkTTL).Truncate(time.Second); !sess.ExpiresAt().Equal(want) {
		t.Errorf("the link expires %v, want %v (a year after the run)", sess.ExpiresAt(), want)
	}

	b := newBrowser(t, w.srv)
	base := strings.TrimPrefix(strings.TrimSuffix(link, "/contact"), w.srv.URL)
	r := b.get(base)
	wantStatus(t, r, http.StatusSeeOther)
	if r.Header.Get("Location") != base+"/contact" {
		t.Errorf("home redirects to %q, want the contact page", r.Header.Get("Location"))
	}
	page := b.get(base + "/contact")
	wantStatus(t, page, 200)
	wantIn(t, page.Body, "Letters by post", "Turn off")
	if strings.Contains(page.Body, `class="portal-home"`) || strings.Contains(page.Body, `href="`+base+`"`) {
		t.Error("the contact-only page links to the rest of the portal")
	}
	for _, p := range []string{"/promise", "/dispute", "/invoices/x/pdf"} {
		wantStatus(t, b.get(base+p), http.StatusForbidden)
	}
	r = portalPost(t, b, page, base+"/promise", url.Values{"currency": {"EUR"}, "amount": {"100.00"}, "due_date": {asOf.AddDays(7).String()}})
	wantStatus(t, r, http.StatusForbidden)
	wantStatus(t, portalPost(t, b, page, base+"/plan", url.Values{}), http.StatusForbidden)
	if promises, _, _ := w.svc.Promises(w.ctx, store.PromiseFilter{CustomerID: "B"}, asOf, ""); len(promises) != 0 {
		t.Errorf("a contact-only link made a promise: %+v", promises)
	}

	r = portalPost(t, b, page, base+"/contact", url.Values{"channel": {"email"}, "opted_out": {"1"}})
	wantStatus(t, r, http.StatusSeeOther)
	if m, _ := w.svc.OptOuts(w.ctx, "B"); !m["email"] {
		t.Errorf("opt-outs after the link: %v", m)
	}
}

// TestPortal_Throttles: after PortalRefusals refused links from one
// address, the next refused link gets 429 while a real link still opens;
// after PortalPosts posts through one link, its next post gets 429 (with
// Retry-After) and nothing is written, while another link's posts go on.
func TestPortal_Throttles(t *testing.T) {
	w := newPortalWorld(t)
	b := newBrowser(t, w.srv)
	bad := w.linkA[:len(w.linkA)-2] + "xx"
	for i := range web.PortalRefusals {
		if r := b.get(bad); r.StatusCode != http.StatusForbidden {
			t.Fatalf("refused link %d: %d", i+1, r.StatusCode)
		}
	}
	if r := b.get(bad); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("refused link %d: %d (Retry-After %q), want 429", web.PortalRefusals+1, r.StatusCode, r.Header.Get("Retry-After"))
	}
	wantStatus(t, b.get(w.linkA), 200)

	page := b.get(w.linkB + "/contact")
	for i := range web.PortalPosts {
		on := []string{"1", "0"}[i%2]
		r := portalPost(t, b, page, w.linkB+"/contact", url.Values{"channel": {"sms"}, "opted_out": {on}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("post %d: %d", i+1, r.StatusCode)
		}
	}
	before, _ := w.svc.OptOuts(w.ctx, "B")
	r := portalPost(t, b, page, w.linkB+"/contact", url.Values{"channel": {"sms"}, "opted_out": {"1"}})
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("post %d: %d, want 429 with Retry-After", web.PortalPosts+1, r.StatusCode)
	}
	if after, _ := w.svc.OptOuts(w.ctx, "B"); after["sms"] != before["sms"] {
		t.Error("the throttled post was carried out")
	}
	pageA := b.get(w.linkA + "/contact")
	wantStatus(t, portalPost(t, b, pageA, w.linkA+"/contact", url.Values{"channel": {"sms"}, "opted_out": {"1"}}), http.StatusSeeOther)
}

// A proposal we cannot accept, answered with a new (moved) offer: the page
// does not say that our offer "still stands" when it changed.
func TestPortal_RejectThatMovedSaysSo(t *testing.T) {
	w := newPortalWorld(t)
	b := newBrowser(t, w.srv)
	opts := startPlan(t, b, w.linkA)
	offerRe := regexp.MustCompile(`<p class="p-summary">[^<]+</p>`) // the first is our offer
	before := offerRe.FindString(opts.Body)
	counter := match(t, regexp.MustCompile(`action="(/portal/[^"]+/counter)"`), opts.Body)
	// 5,00 a month: far below what we can agree to.
	r := portalPost(t, b, opts, counter, url.Values{"installment_amount": {"5,00"}, "frequency": {"monthly"}})
	wantStatus(t, r, http.StatusSeeOther)
	if !strings.Contains(r.Header.Get("Location"), "d=reject") {
		t.Fatalf("5,00 a month answered %s, want a rejection", r.Header.Get("Location"))
	}
	after := b.get(r.Header.Get("Location"))
	wantStatus(t, after, 200)
	now := offerRe.FindString(after.Body)
	if before == "" || now == "" {
		t.Fatalf("offers not found: %q, %q", before, now)
	}
	stands, moved := strings.Contains(after.Body, "gilt weiter"), strings.Contains(after.Body, "entgegengekommen")
	if now != before && (stands || !moved) {
		t.Errorf("the offer changed (%q → %q) but the page says it still stands (%v) or not that we moved (%v)", before, now, stands, moved)
	}
	if now == before && (!stands || moved) {
		t.Errorf("the offer did not change (%q) but the page does not say it stands (%v) or says we moved (%v)", now, stands, moved)
	}
}

// TestPortal_GermanPageExplainsInGerman: a German customer's answer page
// says why, in German and in German formats (it showed no explanation on
// German and French pages at all).
func TestPortal_GermanPageExplainsInGerman(t *testing.T) {
	w := newPortalWorld(t)
	b := newBrowser(t, w.srv)
	opts := startPlan(t, b, w.linkA)
	counter := match(t, regexp.MustCompile(`action="(/portal/[^"]+/counter)"`), opts.Body)
	// 5,00 a month would take longer than the longest plan.
	r := portalPost(t, b, opts, counter, url.Values{"installment_amount": {"5,00"}, "frequency": {"monthly"}})
	wantStatus(t, r, http.StatusSeeOther)
	after := b.get(r.Header.Get("Location"))
	wantStatus(t, after, 200)
	hint := match(t, regexp.MustCompile(`<p class="hint">(Das können wir nicht annehmen: [^<]+)</p>`), after.Body)
	hint = strings.ReplaceAll(hint, "\u00a0", " ")
	// The budget covers the whole balance: the offer is one payment.
	for _, want := range []string{"Die längste Laufzeit, die wir anbieten können, beträgt ", "Wir können Ihnen anbieten: ", "eine Zahlung von 1.000,00 EUR am "} {
		if !strings.Contains(hint, want) {
			t.Errorf("explanation %q does not say %q", hint, want)
		}
	}
	if m := regexp.MustCompile(`\d{4}-\d{2}-\d{2}|\d\.\d{2}\b|\bWe |\bpayments\b`).FindString(hint); m != "" {
		t.Errorf("explanation %q has %q: English or raw forms", hint, m)
	}
}

// TestPortal_OpeningSaysWhatToDoIfNotAtOnce: B gave no budget and has no
// payment history, so the opening asks for the balance at once. The page
// must say, from the opening on, that B may tell us what they can pay
// instead — not only show "one payment of 900.00 EUR" (issue 17).
func TestPortal_OpeningSaysWhatToDoIfNotAtOnce(t *testing.T) {
	w := newPortalWorld(t)
	b := newBrowser(t, w.srv)
	opts := startPlan(t, b, w.linkB)
	wantIn(t, opts.Body, "Please pay the balance of 900.00", "If you cannot pay it at once, tell us what you can pay each month")
}

// startPlan starts a negotiation from the customer's portal home, as the
// customer does ("Agree a payment plan"), and returns the options page.
func startPlan(t *testing.T, b *browser, link string) response {
	t.Helper()
	home := b.get(link)
	r := portalPost(t, b, home, link+"/plan", url.Values{"currency": {"EUR"}})
	wantStatus(t, r, http.StatusSeeOther)
	opts := b.get(r.Header.Get("Location"))
	wantStatus(t, opts, http.StatusOK)
	return opts
}
