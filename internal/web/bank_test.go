package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"settle/internal/service"
	"settle/internal/testutil"
)

// uploadStatement posts a bank statement from the bank page.
func (b *browser) uploadStatement(dateFormat, mapping, data string) response {
	b.t.Helper()
	tok := match(b.t, csrfInput, b.get("/bank").Body)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf_token", tok)
	w.WriteField("date_format", dateFormat)
	w.WriteField("map", mapping)
	fw, err := w.CreateFormFile("file", "june.csv")
	if err != nil {
		b.t.Fatal(err)
	}
	fw.Write([]byte(data))
	w.Close()
	req, err := http.NewRequest(http.MethodPost, b.base+"/bank/statement", &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{res, string(raw)}
}

// The customer page's "Record a payment": errors beside the fields, then
// a cheque for G-1-1 (400.00 − 150.00 = 250.00 left).
func TestWeb_RecordPayment(t *testing.T) {
	svc, srv := ownBook(t)
	ctx := testutil.Admin(context.Background())
	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	page := "/customers/G-1"
	if p := b.get(page); !strings.Contains(p.Body, `id="h-payment">Record a payment</h2>`) || !strings.Contains(p.Body, `value="GBP"`) {
		t.Fatalf("the customer page lacks the payment form (or its currency)")
	}
	g11, err := svc.Invoice(ctx, "G-1-1")
	if err != nil {
		t.Fatal(err)
	}
	form := func(method, amount string) url.Values {
		return url.Values{"method": {method}, "received_on": {"2026-05-30"}, "currency": {"GBP"}, "amount": {amount},
			"reference": {"cheque 000123"}, "invoice_id": {g11.ID}, "plan_id": {""}}
	}
	r := b.post(page, "/customers/G-1/payments", form("barter", "150.00"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if msg := fieldError(t, r.Body, "pay-method"); !strings.Contains(msg, "cheque") {
		t.Errorf("method error %q", msg)
	}
	r = b.post(page, "/customers/G-1/payments", form("check", "12.345"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldError(t, r.Body, "pay-amount")
	if !strings.Contains(r.Body, `value="12.345"`) || !strings.Contains(r.Body, `value="cheque 000123"`) {
		t.Error("the refused payment is not shown as entered")
	}
	bad := form("check", "150.00")
	bad.Set("received_on", "2026-02-30")
	r = b.post(page, "/customers/G-1/payments", bad)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldError(t, r.Body, "pay-received")
	// Outside 1900-01-01 … 2199-12-31, or in the future: beside the field.
	for d, want := range map[string]string{"0001-01-01": "outside the supported dates", "2200-01-01": "outside the supported dates",
		"2026-06-10": "in the future"} {
		bad.Set("received_on", d)
		r = b.post(page, "/customers/G-1/payments", bad)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if msg := fieldError(t, r.Body, "pay-received"); !strings.Contains(msg, want) {
			t.Errorf("received_on %s: error %q, want %q", d, msg, want)
		}
	}

	r = b.post(page, "/customers/G-1/payments", form("check", "150.00"))
	wantStatus(t, r, http.StatusSeeOther)
	if loc := r.Header.Get("Location"); loc != "/customers/G-1?done=payment#payment" {
		t.Errorf("redirect to %q", loc)
	}
	inv, _ := svc.Invoice(ctx, "G-1-1")
	if inv.Balance.String() != "250.00" {
		t.Errorf("G-1-1 balance %s, want 250.00", inv.Balance)
	}
	if p := b.get("/customers/G-1?done=payment"); !strings.Contains(p.Body, "Payment recorded") {
		t.Error("no notice after the payment")
	}
	// The staff plan page shows the plan's bank reference; a payment for a
	// plan not yet accepted is refused (409) with the reason in the alert.
	pv, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: "G-1", InvoiceIDs: []string{"G-1-3"},
		PlanTermsInput: service.PlanTermsInput{Installments: 2, Frequency: "monthly", StartDate: "2026-06-15"}})
	if err != nil {
		t.Fatal(err)
	}
	if p := b.get("/plans/" + pv.Plan.ID); !strings.Contains(p.Body, `<code class="bank-ref">`+pv.BankRef+`</code>`) {
		t.Errorf("the plan page lacks the bank reference %s", pv.BankRef)
	}
	onPlan := form("bank_transfer", "10.00")
	onPlan.Set("invoice_id", "")
	onPlan.Set("plan_id", pv.Plan.ID)
	r = b.post(page, "/customers/G-1/payments", onPlan)
	wantStatus(t, r, http.StatusConflict)
	if !strings.Contains(r.Body, "it takes no payments") {
		t.Error("the refusal's reason is not shown")
	}
	// A viewer sees no form and may not post.
	v := newBrowser(t, srv)
	wantStatus(t, v.signIn(viewerEmail, agentPassword), http.StatusSeeOther)
	if p := v.get(page); strings.Contains(p.Body, `id="h-payment"`) {
		t.Error("a viewer sees the payment form")
	}
	wantStatus(t, v.post("/customers/G-1?x=1", "/customers/G-1/payments", form("check", "1.00")), http.StatusForbidden)
}

// The bank page: a statement (one line matched by invoice number, one for
// review, one outgoing), a refused file's problems by line, then the held
// line assigned (errors beside the fields first) or ignored.
func TestWeb_BankPage(t *testing.T) {
	svc, srv := ownBook(t)
	ctx := testutil.Admin(context.Background())
	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)
	if p := b.get("/bank"); !strings.Contains(p.Body, "Nothing waits for review.") || !strings.Contains(p.Body, `href="/bank"`) {
		t.Fatalf("empty bank page: %d", p.StatusCode)
	}

	r := b.uploadStatement("DD/MM/YYYY", "Text=reference", "date,amount,currency,Text,bank_id\n01/06/2026,40.00,GBP,no idea,T1\n")
	wantStatus(t, r, http.StatusOK)
	r = b.uploadStatement("", "", "date,amount,currency,reference,bank_id\n2026-06-31,40.00,GBP,x,T9\n")
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "line 2: date:") {
		t.Errorf("the refused file's problem is not listed by line")
	}
	r = b.uploadStatement("", "", "date,amount,currency,reference,bank_id\n2026-06-01,1.00,GBP,x,T8\n")
	wantStatus(t, r, http.StatusOK)

	// G-1-2 is 400.00 open: a transfer of 400.00 naming it matches.
	r = b.uploadStatement("DD/MM/YYYY", "Text=reference",
		"date,amount,currency,Text,bank_id\n01/06/2026,400.00,GBP,Invoice G-1-2,T2\n02/06/2026,-3.00,GBP,fee,T3\n")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, "2 rows read, 1 matched, 0 for review, 1 skipped (outgoing)") {
		t.Errorf("upload result not shown: %s", r.Body)
	}
	inv, _ := svc.Invoice(ctx, "G-1-2")
	if inv.Balance.String() != "0.00" {
		t.Errorf("G-1-2 balance %s after the statement, want 0.00", inv.Balance)
	}

	lines, _, err := svc.BankLines(ctx, service.BankLineFilter{Status: "review"})
	if err != nil || len(lines) != 2 {
		t.Fatalf("lines for review: %+v, %v", lines, err)
	}
	held, other := lines[0], lines[1] // 40.00 "no idea"; 1.00 "x"
	page := b.get("/bank")
	if !strings.Contains(page.Body, `id="line-`+held.ID+`"`) || !strings.Contains(page.Body, "no idea") {
		t.Fatal("the held line is not listed")
	}
	r = b.post("/bank", "/bank/lines/"+held.ID+"/assign", url.Values{"customer_id": {"NOPE"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldError(t, r.Body, "cust-"+held.ID)
	r = b.post("/bank", "/bank/lines/"+held.ID+"/assign", url.Values{"customer_id": {"G-1"}, "invoice_id": {"G-9-9"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldError(t, r.Body, "inv-"+held.ID)
	r = b.post("/bank", "/bank/lines/"+held.ID+"/assign", url.Values{"customer_id": {"G-1"}, "invoice_id": {"G-1-3"}, "note": {"called them"}})
	wantStatus(t, r, http.StatusSeeOther)
	// G-1-3: 400.00 − 40.00 = 360.00.
	if inv, _ := svc.Invoice(ctx, "G-1-3"); inv.Balance.String() != "360.00" {
		t.Errorf("G-1-3 balance %s, want 360.00", inv.Balance)
	}
	r = b.post("/bank", "/bank/lines/"+other.ID+"/ignore", url.Values{"reason": {""}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	fieldError(t, r.Body, "why-"+other.ID)
	wantStatus(t, b.post("/bank", "/bank/lines/"+other.ID+"/ignore", url.Values{"reason": {"test transfer"}}), http.StatusSeeOther)
	if p := b.get("/bank?done=ignored"); !strings.Contains(p.Body, "Nothing waits for review.") || !strings.Contains(p.Body, "set aside") {
		t.Error("the review list is not empty after assign and ignore")
	}

	v := newBrowser(t, srv)
	wantStatus(t, v.signIn(viewerEmail, agentPassword), http.StatusSeeOther)
	if p := v.get("/bank"); p.StatusCode != 200 || strings.Contains(p.Body, `action="/bank/statement"`) {
		t.Error("a viewer sees the upload form")
	}
	wantStatus(t, v.post("/bank", "/bank/lines/"+other.ID+"/assign", url.Values{"customer_id": {"G-1"}}), http.StatusForbidden)
}
