package service_test

import (
	"context"
	"strings"
	"testing"

	"settle/internal/apperr"
	"settle/internal/plan"
	"settle/internal/reconcile"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// bankBook is the statement tests' ledger (the clock is 2026-06-01):
//
//	C-1001 Alder: A-1 300.00 (due 2026-05-01) in plan A, 3 × 100.00 monthly from 2026-06-15, accepted.
//	C-1002 Birch: B-1 250.00 (due 2026-05-01), B-2 80.00 (due 2026-05-31); no plan.
//	C-1003 Cedar: C-1 450.00 (due 2026-05-01) in plan C, 3 × 150.00 monthly from 2026-06-20, accepted.
//
// Plan amounts: 300.00 / 3 = 100.00 exactly; 450.00 / 3 = 150.00 exactly.
type bankBook struct {
	svc          *service.Service
	st           store.Store
	ctx          context.Context
	planA, planC *service.PlanView
}

func newBankBook(t *testing.T, st store.Store) *bankBook {
	t.Helper()
	svc := service.New(st, testutil.Clock)
	ctx := testutil.Admin(context.Background())
	mustImport(t, svc, "customers", "external_ref,name\nC-1001,Alder Ltd\nC-1002,Birch plc\nC-1003,Cedar GmbH\n")
	mustImport(t, svc, "invoices", "number,customer_ref,issue_date,due_date,currency,amount\n"+
		"A-1,C-1001,2026-04-01,2026-05-01,USD,300.00\n"+
		"B-1,C-1002,2026-04-01,2026-05-01,USD,250.00\n"+
		"B-2,C-1002,2026-05-01,2026-05-31,USD,80.00\n"+
		"C-1,C-1003,2026-04-01,2026-05-01,USD,450.00\n")
	b := &bankBook{svc: svc, st: st, ctx: ctx}
	mk := func(cust, inv, start string) *service.PlanView {
		p, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: cust, InvoiceIDs: []string{inv},
			PlanTermsInput: service.PlanTermsInput{Installments: 3, Frequency: "monthly", StartDate: start}})
		if err != nil {
			t.Fatalf("CreatePlan %s: %v", cust, err)
		}
		if !reconcile.ValidReference(p.BankRef) {
			t.Fatalf("plan %s has bank reference %q", p.Plan.ID, p.BankRef)
		}
		v, err := svc.AcceptPlan(ctx, p.Plan.ID, service.AcceptInput{AcceptedBy: "Pat", Channel: "phone"})
		if err != nil {
			t.Fatal(err)
		}
		if v.BankRef != p.BankRef {
			t.Fatalf("the accepted plan's reference %q is not the proposed one's %q", v.BankRef, p.BankRef)
		}
		return v
	}
	b.planA = mk("C-1001", "A-1", "2026-06-15")
	b.planC = mk("C-1003", "C-1", "2026-06-20")
	return b
}

// typo changes one symbol of a reference (position 2 of the code) to
// another symbol of the alphabet: the check catches it.
func typo(ref string) string {
	b := []byte(ref)
	i := len(reconcile.Prefix) + 2
	if b[i] == 'X' {
		b[i] = 'Y'
	} else {
		b[i] = 'X'
	}
	return string(b)
}

func (b *bankBook) balance(t *testing.T, number string) string {
	t.Helper()
	inv, err := b.svc.Invoice(b.ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	return inv.Balance.String()
}

func (b *bankBook) paid(t *testing.T, planID string, seq int) string {
	t.Helper()
	v, err := b.svc.Plan(b.ctx, planID, mustDate(t, "2026-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	return v.Tracking.Installments[seq-1].Paid.String()
}

func importStatement(t *testing.T, b *bankBook, csv string, opt service.BankImportOptions) *service.BankImportResult {
	t.Helper()
	res, err := b.svc.ImportBankStatement(b.ctx, strings.NewReader(csv), opt)
	if err != nil {
		t.Fatalf("ImportBankStatement: %v", err)
	}
	return res
}

const statementHeader = "date,amount,currency,reference,payer_name,bank_id\n"

func fourLines(b *bankBook) string {
	return statementHeader +
		"2026-06-10,100.00,USD," + b.planA.BankRef + ",Alder Ltd,TX-1\n" +
		"2026-06-10,80.00,USD,Invoice B-2 thank you,Birch plc,TX-2\n" +
		"2026-06-11,150.00,USD,ref " + typo(b.planC.BankRef) + ",Cedar GmbH,TX-3\n" +
		"2026-06-12,199.99,USD,B-1,Birch plc,TX-4\n"
}

// The 4-line statement: 3 matched (by plan reference, by invoice number,
// by a reference with one mistyped symbol), 1 held for review (an amount
// that is no open item). Hand-worked allocations:
//
//	line 2: 100.00 to plan A → installment 1 paid 100.00; A-1 300.00 − 100.00 = 200.00.
//	line 3: 80.00 names B-2 → B-2 80.00 − 80.00 = 0.00; B-1 stays 250.00.
//	line 4: 150.00 to plan C (reference corrected) → installment 1 paid 150.00; C-1 450.00 − 150.00 = 300.00.
//	line 5: 199.99 for B-1 — Birch owes B-1 250.00 only (B-2 was paid by line 3): review, no payment.
func TestImportBankStatement_FourLines(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			b := newBankBook(t, open(t))
			before := testutil.Counts(t, b.st)["payments"]
			res := importStatement(t, b, fourLines(b), service.BankImportOptions{Filename: "june.csv"})
			if res.Rows != 4 || res.Matched != 3 || res.Review != 1 || res.Skipped != 0 || res.AlreadyImported != 0 {
				t.Fatalf("result %+v: want 4 rows, 3 matched, 1 review", res)
			}
			if got := testutil.Counts(t, b.st)["payments"] - before; got != 3 {
				t.Errorf("%d payments recorded, want 3", got)
			}
			want := []struct {
				line              int
				status, by        string
				plan, invoiceNum  string
				customer, reason  string
				amountWithPayment bool
			}{
				{2, reconcile.StatusMatched, reconcile.ByPlanRef, b.planA.Plan.ID, "", b.planA.Plan.CustomerID, "installment due", true},
				{3, reconcile.StatusMatched, reconcile.ByInvoiceNumber, "", "B-2", "", "open amount", true},
				{4, reconcile.StatusMatched, reconcile.ByPlanRefFixed, b.planC.Plan.ID, "", b.planC.Plan.CustomerID, "written " + typo(b.planC.BankRef), true},
				{5, reconcile.StatusReview, reconcile.ByInvoiceNumber, "", "", "", "199.99 USD matches no open item, installment or balance (open: B-1 250.00; balance 250.00)", false},
			}
			for i, w := range want {
				l := res.Lines[i]
				if l.Line != w.line || l.Status != w.status || l.MatchedBy != w.by || l.PlanID != w.plan || !strings.Contains(l.Reason, w.reason) ||
					(l.PaymentID != "") != w.amountWithPayment || (w.customer != "" && l.CustomerID != w.customer) {
					t.Errorf("line %d = %+v\nwant %+v", w.line, l, w)
				}
				if w.invoiceNum != "" {
					inv, _ := b.svc.Invoice(b.ctx, w.invoiceNum)
					if l.InvoiceID != inv.ID {
						t.Errorf("line %d invoice %q, want %s", w.line, l.InvoiceID, inv.ID)
					}
				}
			}
			for number, want := range map[string]string{"A-1": "200.00", "B-1": "250.00", "B-2": "0.00", "C-1": "300.00"} {
				if got := b.balance(t, number); got != want {
					t.Errorf("%s balance %s, want %s", number, got, want)
				}
			}
			if got := b.paid(t, b.planA.Plan.ID, 1); got != "100.00" {
				t.Errorf("plan A installment 1 paid %s, want 100.00", got)
			}
			if got := b.paid(t, b.planC.Plan.ID, 1); got != "150.00" {
				t.Errorf("plan C installment 1 paid %s, want 150.00", got)
			}
			pays, _, err := b.svc.Payments(b.ctx, store.PaymentFilter{CustomerID: "C-1003"})
			if err != nil || len(pays) != 1 || pays[0].Payment.Method != "bank_transfer" || pays[0].Payment.Amount.String() != "150.00" ||
				pays[0].Payment.ReceivedOn.String() != "2026-06-11" || !strings.Contains(pays[0].Payment.Reference, typo(b.planC.BankRef)) {
				t.Errorf("Cedar's payments: %+v, %v", pays, err)
			}
			review, _, err := b.svc.BankLines(b.ctx, service.BankLineFilter{Status: "review"})
			if err != nil || len(review) != 1 || review[0].Line != 5 || review[0].Amount.String() != "199.99" {
				t.Errorf("lines for review: %+v, %v", review, err)
			}

			// The same file again: nothing new.
			again := importStatement(t, b, fourLines(b), service.BankImportOptions{Filename: "june.csv"})
			if !again.FileAlreadyImported || again.ID != res.ID || again.Matched+again.Review != 0 {
				t.Errorf("re-import: %+v", again)
			}
			// A later statement repeating the four lines, with one new
			// transfer (plan A's second installment, 100.00) and one
			// outgoing: only the new one is imported.
			later := fourLines(b) +
				"2026-07-14,100.00,USD," + strings.ToLower(b.planA.BankRef) + ",Alder Ltd,TX-5\n" +
				"2026-07-14,-35.00,USD,bank fee,,TX-6\n"
			res2 := importStatement(t, b, later, service.BankImportOptions{})
			if res2.Rows != 6 || res2.AlreadyImported != 4 || res2.Matched != 1 || res2.Review != 0 || res2.Skipped != 1 {
				t.Errorf("overlapping statement: %+v; want 6 rows, 4 already imported, 1 matched, 1 skipped", res2)
			}
			// 200.00 − 100.00 = 100.00; installment 2 paid 100.00.
			if got := b.balance(t, "A-1"); got != "100.00" {
				t.Errorf("A-1 balance %s after TX-5, want 100.00", got)
			}
			if got := testutil.Counts(t, b.st)["payments"] - before; got != 4 {
				t.Errorf("%d payments in all, want 4 (3 + TX-5)", got)
			}
		})
	}
}

// Without a bank_id, a hash of the row (and its occurrence) identifies
// it: two equal transfers on one day are both kept, and kept once.
func TestImportBankStatement_NoBankID(t *testing.T) {
	b := newBankBook(t, testutil.SQLite(t))
	file := "Booked,Value,Curr,Text\n" +
		"03/06/2026,20.00,USD,misc\n" +
		"03/06/2026,20.00,USD,misc\n"
	opt := service.BankImportOptions{DateFormat: "DD/MM/YYYY", Mapping: map[string]string{"Booked": "date", "Value": "amount", "Curr": "currency", "Text": "reference"}}
	res := importStatement(t, b, file, opt)
	if res.Review != 2 || res.Matched != 0 || res.Lines[0].BookedOn.String() != "2026-06-03" {
		t.Fatalf("two equal lines: %+v", res)
	}
	if !strings.Contains(res.Lines[0].Reason, `no plan reference, invoice number or customer reference found in "misc"`) {
		t.Errorf("reason %q", res.Lines[0].Reason)
	}
	res = importStatement(t, b, file+"04/06/2026,20.00,USD,misc\n", opt)
	if res.AlreadyImported != 2 || res.Review != 1 {
		t.Errorf("the same two again and one more: %+v", res)
	}
}

// Bad rows: every one listed by line and column; nothing written.
func TestImportBankStatement_BadLines(t *testing.T) {
	b := newBankBook(t, testutil.SQLite(t))
	before := testutil.Counts(t, b.st)
	file := statementHeader +
		"2026-06-10,100.00,USD," + b.planA.BankRef + ",Alder,TX-1\n" + // good, but the file fails
		"2026-02-30,10.00,USD,x,,TX-2\n" +
		"2026-06-10,12.345,USD,x,,TX-3\n" +
		"2026-06-10,10.00,XYZ,x,,TX-4\n" +
		"2026-06-10,0.00,USD,x,,TX-5\n" +
		"2026-06-10,10.00,USD,x,,TX-1\n" +
		"2026-06-10,10.00,USD\n"
	_, err := b.svc.ImportBankStatement(b.ctx, strings.NewReader(file), service.BankImportOptions{Filename: "bad.csv"})
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid {
		t.Fatalf("want invalid, got %v", err)
	}
	want := []struct {
		line int
		col  string
		msg  string
	}{
		{3, "date", `"2026-02-30" is not a date`},
		{4, "amount", "12.345"},
		{5, "currency", "XYZ"},
		{6, "amount", "is zero"},
		{7, "bank_id", `"TX-1" is on line 2 too`},
		{8, "", "has 3 columns, the header has 6"},
	}
	if len(e.Fields) != len(want) {
		t.Fatalf("errors %v, want %d", e.Fields, len(want))
	}
	for i, w := range want {
		f := e.Fields[i]
		if f.Line != w.line || f.Column != w.col || !strings.Contains(f.Message, w.msg) {
			t.Errorf("error %d = %+v, want line %d column %q ⊇ %q", i, f, w.line, w.col, w.msg)
		}
	}
	if !strings.Contains(e.Message, "bad.csv: 6 of 7 rows have errors; nothing was imported") {
		t.Errorf("message %q", e.Message)
	}
	after := testutil.Counts(t, b.st)
	if after["payments"] != before["payments"] || after["imports"] != before["imports"] {
		t.Errorf("a failed import wrote: %v → %v", before, after)
	}
	// A header without a required column, and a bad date format.
	_, err = b.svc.ImportBankStatement(b.ctx, strings.NewReader("date,amount\n2026-06-01,1.00\n"), service.BankImportOptions{})
	if e, ok := apperr.As(err); !ok || len(e.Fields) != 1 || e.Fields[0].Column != "currency" {
		t.Errorf("missing currency column: %v", err)
	}
	_, err = b.svc.ImportBankStatement(b.ctx, strings.NewReader(statementHeader), service.BankImportOptions{DateFormat: "QQ"})
	if e, ok := apperr.As(err); !ok || e.Fields[0].Field != "date_format" {
		t.Errorf("bad date format: %v", err)
	}
}

// Review: a person assigns the held line to Birch's B-1 (a payment), or
// ignores a line with a reason.
func TestBankLines_AssignAndIgnore(t *testing.T) {
	b := newBankBook(t, testutil.SQLite(t))
	res := importStatement(t, b, fourLines(b)+"2026-06-12,42.00,USD,refund from supplier,Acme,TX-9\n", service.BankImportOptions{})
	if res.Review != 2 {
		t.Fatalf("want 2 lines for review: %+v", res)
	}
	held, other := res.Lines[3], res.Lines[4]

	viewer := service.WithActor(context.Background(), service.Actor{ID: "test:viewer", Role: service.RoleViewer})
	if _, _, err := b.svc.AssignBankLine(viewer, held.ID, service.BankAssignInput{CustomerID: "C-1002"}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("a viewer assigned: %v", err)
	}
	if _, _, err := b.svc.AssignBankLine(b.ctx, held.ID, service.BankAssignInput{}); !namesField(err, "customer_id") {
		t.Errorf("no customer: %v", err)
	}
	if _, _, err := b.svc.AssignBankLine(b.ctx, held.ID, service.BankAssignInput{CustomerID: "C-9999"}); !namesField(err, "customer_id") {
		t.Errorf("unknown customer: %v", err)
	}
	if _, _, err := b.svc.AssignBankLine(b.ctx, held.ID, service.BankAssignInput{CustomerID: "C-1002", InvoiceID: "A-1"}); !namesField(err, "invoice_id") {
		t.Errorf("another customer's invoice: %v", err)
	}
	l, pv, err := b.svc.AssignBankLine(b.ctx, held.ID, service.BankAssignInput{CustomerID: "C-1002", InvoiceID: "B-1", Note: "short payment, agreed by phone"})
	if err != nil {
		t.Fatal(err)
	}
	// B-1: 250.00 − 199.99 = 50.01.
	if l.Status != reconcile.StatusAssigned || l.PaymentID != pv.Payment.ID || l.ResolvedBy != "test:admin" || l.MatchedBy != "manual" ||
		!strings.Contains(l.Reason, "short payment") || pv.Payment.ReceivedOn.String() != "2026-06-12" || pv.Payment.Amount.String() != "199.99" {
		t.Errorf("assigned line %+v, payment %+v", l, pv.Payment)
	}
	if got := b.balance(t, "B-1"); got != "50.01" {
		t.Errorf("B-1 balance %s, want 50.01", got)
	}
	if _, _, err := b.svc.AssignBankLine(b.ctx, held.ID, service.BankAssignInput{CustomerID: "C-1002"}); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("assigned twice: %v", err)
	}
	if _, err := b.svc.IgnoreBankLine(b.ctx, other.ID, "  "); !namesField(err, "reason") {
		t.Errorf("ignore without a reason: %v", err)
	}
	ig, err := b.svc.IgnoreBankLine(b.ctx, other.ID, "supplier refund, not a customer payment")
	if err != nil || ig.Status != reconcile.StatusIgnored || ig.Reason != "supplier refund, not a customer payment" {
		t.Fatalf("ignore: %+v, %v", ig, err)
	}
	if _, err := b.svc.IgnoreBankLine(b.ctx, held.ID, "x"); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("ignoring an assigned line: %v", err)
	}
	if review, _, _ := b.svc.BankLines(b.ctx, service.BankLineFilter{Status: "review"}); len(review) != 0 {
		t.Errorf("still for review: %+v", review)
	}
	if _, _, err := b.svc.BankLines(b.ctx, service.BankLineFilter{Status: "odd"}); !namesField(err, "status") {
		t.Errorf("bad status filter: %v", err)
	}
	// An ignored line can still be assigned, to plan C (its second
	// installment, 150.00, is not what it is — any amount may be assigned).
	l, _, err = b.svc.AssignBankLine(b.ctx, other.ID, service.BankAssignInput{CustomerID: "C-1003", PlanID: b.planC.Plan.ID})
	if err != nil || l.Status != reconcile.StatusAssigned || l.PlanID != b.planC.Plan.ID {
		t.Errorf("assign an ignored line: %+v, %v", l, err)
	}
}

func namesField(err error, field string) bool {
	e, ok := apperr.As(err)
	if !ok {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// A plan made before bank references existed gets one when it is first
// read, or by the statement import's backfill.
func TestBankRef_Backfill(t *testing.T) {
	st := testutil.SQLite(t)
	b := newBankBook(t, st)
	var old plan.Plan
	err := st.Tx(b.ctx, func(tx store.Tx) error {
		inv, err := tx.Invoice(b.ctx, "B-1")
		if err != nil {
			return err
		}
		old = plan.Plan{CustomerID: inv.CustomerID, Version: 1, Status: plan.Proposed, Balance: inv.Balance, InvoiceIDs: []string{inv.ID},
			Installments: []plan.Installment{{Seq: 1, DueDate: mustDate(t, "2026-07-01"), Amount: inv.Balance, Principal: inv.Balance}}}
		return tx.InsertPlan(b.ctx, &old)
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := b.svc.Plan(b.ctx, old.ID, mustDate(t, "2026-06-01"))
	if err != nil || !reconcile.ValidReference(v.BankRef) {
		t.Fatalf("first read: %q, %v", v.BankRef, err)
	}
	again, _ := b.svc.Plan(b.ctx, old.ID, mustDate(t, "2026-06-01"))
	if again.BankRef != v.BankRef {
		t.Errorf("the reference moved: %s then %s", v.BankRef, again.BankRef)
	}
	if n, err := b.svc.BackfillBankRefs(b.ctx); err != nil || n != 0 {
		t.Errorf("BackfillBankRefs = %d, %v; want 0 left", n, err)
	}
}
