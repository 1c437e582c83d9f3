package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"settle/internal/plan"
	"settle/internal/service"
	"settle/internal/testutil"
)

// TestWeb_RenegotiateKeepsToPolicy: the staff plan form shows the segment
// policy's limits beside its fields, refuses terms outside them with the
// error beside each field, and lets an admin (only) override with a reason
// that the new plan's page shows (issue 17, item 7).
func TestWeb_RenegotiateKeepsToPolicy(t *testing.T) {
	srv, _ := newServer(t)
	svc := fixture(t)
	ctx := testutil.Admin(context.Background())
	// Segment pbweb: at most 12 months, 25.00 a month, the first payment
	// within 14 days, a 20% down payment (of 500.00: 100.00).
	term, least, days, share := 12, "25.00", 14, "0.20"
	if _, err := svc.CreatePolicy(ctx, service.PolicyInput{Segment: "pbweb", MaxTermMonths: &term, MinInstallment: &least, MaxStartDays: &days, DownPaymentShare: &share}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "PB-WEB", Name: "Polly Bound", Segment: "pbweb"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "PB-WEB-1", CustomerID: "PB-WEB", IssueDate: asOf.AddDays(-60).String(),
		DueDate: asOf.AddDays(-30).String(), Currency: "USD", Amount: "500.00"}); err != nil {
		t.Fatal(err)
	}
	today := svc.Today()
	pv, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: "PB-WEB", InvoiceIDs: []string{"PB-WEB-1"}, PlanTermsInput: service.PlanTermsInput{
		Installments: 8, DownPayment: "100.00", StartDate: today.AddDays(3).String()}})
	if err != nil {
		t.Fatal(err)
	}
	id := pv.Plan.ID
	page := "/plans/" + id

	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	p := b.get(page)
	wantStatus(t, p, 200)
	for _, limit := range []string{
		`id="rn-count-limit" data-limit="installments">Policy: at most 12 months</p>`,
		`id="rn-amount-limit" data-limit="installment_amount">Policy: at least 25.00 USD</p>`,
		`id="rn-start-limit" data-limit="start_date">Policy: within 14 days (by ` + today.AddDays(14).String() + `)</p>`,
		`id="rn-down-limit" data-limit="down_payment">Policy: at least 20% (100.00 USD)</p>`,
	} {
		if !strings.Contains(p.Body, limit) {
			t.Errorf("no %s on the plan page", limit)
		}
	}
	for _, id := range []string{"rn-count", "rn-amount", "rn-start", "rn-down"} {
		if !regexp.MustCompile(`<input id="` + id + `"[^>]* aria-describedby="` + id + `-limit">`).MatchString(p.Body) {
			t.Errorf("#%s is not described by its limit", id)
		}
	}
	if strings.Contains(p.Body, `name="override_reason"`) {
		t.Error("an agent is offered an override")
	}

	// 24 monthly installments of 20.83 (500.00 / 24), 40 days away, no
	// down payment.
	start := today.AddDays(40)
	bad := url.Values{"installments": {"24"}, "frequency": {"monthly"}, "start_date": {start.String()}}
	r := b.post(page, page+"/renegotiate", bad)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	for id, want := range map[string]string{
		"rn-count": "24 monthly installments run 24 months; the policy for segment pbweb allows at most 12; 20.83 USD is below the policy's smallest installment, 25.00 USD",
		"rn-start": start.String() + " is 40 days away; the policy allows at most 14 (by " + today.AddDays(14).String() + ")",
		"rn-down":  "the policy asks for a down payment of at least 20% (100.00 USD)",
	} {
		if got := fieldError(t, r.Body, id); got != html.EscapeString(want) {
			t.Errorf("beside #%s: %q, want %q", id, got, want)
		}
	}
	// An agent's override is refused, beside the form.
	withReason := url.Values{"override_reason": {"Hardship agreed with the director"}}
	for k, v := range bad {
		withReason[k] = v
	}
	r = b.post(page, page+"/renegotiate", withReason)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, `<p class="field-error" id="rn-override-error">only an admin may override the policy</p>`) {
		t.Error("an agent's override is not refused beside the form")
	}
	if v, _ := svc.Plan(ctx, id, today); v.Status != plan.Proposed {
		t.Fatalf("after refused renegotiations the plan is %s", v.Status)
	}

	// An admin sees the override field, must fill it, and then overrides.
	a := newBrowser(t, srv)
	wantStatus(t, a.signIn(adminEmail, adminPassword), http.StatusSeeOther)
	if p := a.get(page); !strings.Contains(p.Body, `name="override_reason"`) {
		t.Fatal("an admin is not offered an override reason")
	}
	r = a.post(page, page+"/renegotiate", bad)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if got := fieldError(t, r.Body, "rn-override"); got != "the plan is outside the policy for segment pbweb: give a reason to override it" {
		t.Errorf("beside the override reason: %q", got)
	}
	r = a.post(page, page+"/renegotiate", withReason)
	wantStatus(t, r, http.StatusSeeOther)
	newID := match(t, regexp.MustCompile(`^/plans/(pln_[A-Za-z0-9]+)\?done=renegotiate$`), r.Header.Get("Location"))
	np := a.get("/plans/" + newID)
	wantStatus(t, np, 200)
	shown := regexp.MustCompile(`(?s)<div data-policy-override><dt>Policy overridden</dt><dd>by Ada Admin: “Hardship agreed with the director”\. Outside the policy for segment pbweb:.*?</dd></div>`).FindString(np.Body)
	if shown == "" || !strings.Contains(shown, "<li>"+html.EscapeString("the policy asks for a down payment of at least 20% (100.00 USD)")+"</li>") {
		t.Errorf("the override is not shown on the new plan's page:\n%s", shown)
	}
}
