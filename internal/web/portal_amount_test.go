package web_test

import (
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// TestPortal_AmountStrict: what the portal's amount fields refuse and
// accept, through the pages. Anything that is not a number written with
// the customer's own marks is refused beside the field, in their language,
// and nothing is stored; a well-written amount is stored exactly.
func TestPortal_AmountStrict(t *testing.T) {
	w := newPortalWorld(t)
	// C: a French customer owing EUR 2,000.
	if _, err := w.svc.CreateCustomer(w.ctx, service.CustomerInput{ExternalRef: "C", Name: "Claire Cour", Kind: "consumer", Jurisdiction: "FR",
		TimeZone: "Europe/Paris", Locale: "fr-FR"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.CreateInvoice(w.ctx, service.InvoiceInput{Number: "C-1", CustomerID: "C", IssueDate: asOf.AddDays(-60).String(),
		DueDate: asOf.AddDays(-30).String(), Currency: "EUR", Amount: "2000.00"}); err != nil {
		t.Fatal(err)
	}
	l, err := w.svc.CreatePortalLink(w.ctx, "C", 0, w.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	linkC := strings.TrimPrefix(l.URL, w.srv.URL)
	due := asOf.AddDays(14).String()

	refused := []struct {
		link, amount, msg string
	}{
		{w.linkB, "1e3", "Enter an amount"},
		{w.linkB, "1.2.3", "Enter an amount"},
		{w.linkB, "0x10", "Enter an amount"},
		{w.linkB, "5 hundred 0", "Enter an amount"},
		{w.linkB, "12,34", "Enter an amount"},                       // en: a comma groups three digits
		{w.linkB, "1,2345.00", "Enter an amount"},                   // groups of three
		{w.linkB, "450.005", "EUR allows at most 2 decimal places"}, // not rounded
		{w.linkB, "€450", "Enter an amount"},
		{w.linkA, "300.00", "Geben Sie einen Betrag ein"}, // de: a dot groups three digits
		{w.linkA, "1e3", "Geben Sie einen Betrag ein"},
		{w.linkA, "1,000", "Geben Sie einen Betrag ein"}, // 1.000 EUR has too many decimals
		{linkC, "1.234,50", "Saisissez un montant"},
		{linkC, "1 23,50", "Saisissez un montant"},
	}
	before := testutil.Counts(t, w.st)
	for _, c := range refused {
		b := newBrowser(t, w.srv)
		page := b.get(c.link + "/promise")
		wantStatus(t, page, http.StatusOK)
		r := portalPost(t, b, page, c.link+"/promise", url.Values{"currency": {"EUR"}, "amount": {c.amount}, "due_date": {due}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("promise %q: status %d, want 422", c.amount, r.StatusCode)
			continue
		}
		errMsg := regexp.MustCompile(`id="amount-error">([^<]*)<`).FindStringSubmatch(r.Body)
		if errMsg == nil || !strings.Contains(errMsg[1], c.msg) {
			t.Errorf("promise %q: error beside the field %v, want %q", c.amount, errMsg, c.msg)
		}
	}
	if after := testutil.Counts(t, w.st); !maps.Equal(before, after) {
		t.Errorf("refused promises wrote rows: %v → %v", before, after)
	}

	accepted := []struct {
		link, cust, amount, want string
	}{
		{w.linkB, "B", "1.5", "1.50"},
		{w.linkA, "A", "1.000", "1000.00"},
		{w.linkA, "A", "12,5", "12.50"},
		{linkC, "C", "1 234,50", "1234.50"},
		{linkC, "C", "1\u202f234,5", "1234.50"},
		{linkC, "C", "1\u00a0000", "1000.00"},
	}
	for _, c := range accepted {
		b := newBrowser(t, w.srv)
		page := b.get(c.link + "/promise")
		r := portalPost(t, b, page, c.link+"/promise", url.Values{"currency": {"EUR"}, "amount": {c.amount}, "due_date": {due}})
		if r.StatusCode != http.StatusSeeOther {
			t.Errorf("promise %q: status %d, want 303", c.amount, r.StatusCode)
			continue
		}
		ps, _, err := w.svc.Promises(w.ctx, store.PromiseFilter{CustomerID: c.cust}, asOf, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) == 0 || ps[len(ps)-1].Promise.Amount.String() != c.want {
			found := []string{}
			for _, p := range ps {
				found = append(found, p.Promise.Amount.String())
			}
			t.Errorf("promise %q: stored %v, want %s last", c.amount, found, c.want)
		}
	}

	// The counter-offer's installment amount: 1e9 was read as 19.
	b := newBrowser(t, w.srv)
	opts := startPlan(t, b, w.linkB)
	counter := match(t, regexp.MustCompile(`action="(/portal/[^"]+/counter)"`), opts.Body)
	before = testutil.Counts(t, w.st)
	for _, amt := range []string{"1e9", "1.2.3", "0x10", "19 and 0"} {
		r := portalPost(t, b, opts, counter, url.Values{"installment_amount": {amt}, "frequency": {"monthly"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r.Body, `id="installment_amount-error"`, "Enter an amount")
	}
	if after := testutil.Counts(t, w.st); !maps.Equal(before, after) {
		t.Errorf("refused counter-offers wrote rows: %v → %v", before, after)
	}
}

// TestPortal_DateRange: dates outside 1900-01-01 … 2199-12-31 in the
// portal's forms (promise date, counter-offer start date) are refused
// beside the field, nothing is written, never a 500.
func TestPortal_DateRange(t *testing.T) {
	w := newPortalWorld(t)
	b := newBrowser(t, w.srv)
	page := b.get(w.linkB + "/promise")
	before := testutil.Counts(t, w.st)
	for _, d := range []string{"0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"} {
		r := portalPost(t, b, page, w.linkB+"/promise", url.Values{"currency": {"EUR"}, "amount": {"10.00"}, "due_date": {d}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r.Body, `id="due_date-error"`)
	}
	if after := testutil.Counts(t, w.st); !maps.Equal(before, after) {
		t.Errorf("refused promises wrote rows: %v → %v", before, after)
	}
	opts := startPlan(t, b, w.linkB)
	counter := match(t, regexp.MustCompile(`action="(/portal/[^"]+/counter)"`), opts.Body)
	before = testutil.Counts(t, w.st)
	for _, d := range []string{"0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"} {
		r := portalPost(t, b, opts, counter, url.Values{"installment_amount": {"100.00"}, "frequency": {"monthly"}, "start_date": {d}})
		if r.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("start_date %s: %d %s", d, r.StatusCode, r.Header.Get("Location"))
		}
		wantIn(t, r.Body, `id="start_date-error"`)
	}
	if after := testutil.Counts(t, w.st); !maps.Equal(before, after) {
		t.Errorf("refused dates wrote rows: %v → %v", before, after)
	}
	// In range, but the plan would run past 2199-12-31: the engine's
	// answer (no plan), never a 500.
	r := portalPost(t, b, opts, counter, url.Values{"installment_amount": {"100.00"}, "frequency": {"monthly"}, "start_date": {"2199-12-01"}})
	wantStatus(t, r, http.StatusSeeOther)
	if strings.Contains(r.Header.Get("Location"), "/agreement/") {
		t.Errorf("a plan running past 2199-12-31 was agreed: %s", r.Header.Get("Location"))
	}
}
