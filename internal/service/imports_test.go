package service_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/service"
	"settle/internal/testutil"
)

func mustImport(t *testing.T, svc *service.Service, kind, csv string) *service.ImportResult {
	t.Helper()
	res, err := svc.Import(testutil.Admin(context.Background()), kind, strings.NewReader(csv), service.ImportOptions{})
	if err != nil {
		t.Fatalf("import %s: %v", kind, err)
	}
	return res
}

// importErr imports and returns the field errors of the expected failure.
func importErr(t *testing.T, svc *service.Service, kind, csv string, opt service.ImportOptions) *apperr.Error {
	t.Helper()
	_, err := svc.Import(testutil.Admin(context.Background()), kind, strings.NewReader(csv), opt)
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid {
		t.Fatalf("import %s: want an invalid-input error, got %v", kind, err)
	}
	return e
}

const tenCustomers = "external_ref,name\nC1,One\nC2,Two\nC3,Three\nC4,Four\nC5,Five\nC6,Six\nC7,Seven\nC8,Eight\nC9,Nine\nC10,Ten\n"

// bigInvoiceFile writes n invoice rows; bad maps a 1-based line number to
// the row to write there instead.
func bigInvoiceFile(n int, bad map[int]string) []byte {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	w.WriteString("number,customer_ref,issue_date,due_date,currency,amount\n")
	for i := 1; i <= n; i++ {
		line := i + 1
		if row, ok := bad[line]; ok {
			w.WriteString(row + "\n")
			continue
		}
		fmt.Fprintf(w, "N%06d,C%d,2026-01-%02d,2026-02-%02d,USD,%d.%02d\n", i, i%10+1, i%28+1, i%28+1, 100+i%900, i%100)
	}
	w.Flush()
	return buf.Bytes()
}

func TestImport_HundredThousandRowsWithThreeBadRows(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			st := open(t)
			svc := service.New(st, testutil.Clock)
			ctx := testutil.Admin(context.Background())
			mustImport(t, svc, "customers", tenCustomers)
			before := testutil.Counts(t, st)

			// Line 1,001: 30 February; line 50,001: negative amount;
			// line 99,999: the number of the row on line 2.
			bad := map[int]string{
				1001:  "N001000,C1,2026-02-30,2026-03-30,USD,10.00",
				50001: "N050000,C1,2026-01-05,2026-02-05,USD,-5.00",
				99999: "N000001,C2,2026-01-02,2026-02-02,USD,101.01",
			}
			file := bigInvoiceFile(100000, bad)
			_, err := svc.Import(ctx, "invoices", bytes.NewReader(file), service.ImportOptions{Filename: "big.csv"})
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.Invalid {
				t.Fatalf("want invalid, got %v", err)
			}
			var got []string
			for _, f := range e.Fields {
				got = append(got, fmt.Sprintf("%d %s", f.Line, f.Column))
			}
			want := []string{"1001 issue_date", "50001 amount", "99999 number"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("reported rows (-want +got):\n%s\nerrors: %v", diff, e)
			}
			if !strings.Contains(e.Message, "3 of 100000 rows have errors; nothing was imported") {
				t.Errorf("message = %q", e.Message)
			}
			if diff := cmp.Diff(before, testutil.Counts(t, st)); diff != "" {
				t.Fatalf("store changed by a failed import (-before +after):\n%s", diff)
			}

			// The corrected file imports whole; the same file again changes nothing.
			good := bigInvoiceFile(100000, nil)
			res, err := svc.Import(ctx, "invoices", bytes.NewReader(good), service.ImportOptions{Filename: "big.csv"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows != 100000 || res.Inserted != 100000 {
				t.Fatalf("result = %+v", res)
			}
			after := testutil.Counts(t, st)
			res2, err := svc.Import(ctx, "invoices", bytes.NewReader(good), service.ImportOptions{Filename: "big.csv"})
			if err != nil {
				t.Fatal(err)
			}
			if !res2.AlreadyImported || res2.ID != res.ID {
				t.Fatalf("second import = %+v, want already imported as %s", res2, res.ID)
			}
			if diff := cmp.Diff(after, testutil.Counts(t, st)); diff != "" {
				t.Fatalf("repeat import changed the store:\n%s", diff)
			}
		})
	}
}

func TestImport_ReportsEveryBadRow(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			svc := service.New(open(t), testutil.Clock)
			mustImport(t, svc, "customers", tenCustomers)
			mustImport(t, svc, "invoices", "number,customer_ref,issue_date,due_date,currency,amount\nOLD-1,C1,2026-01-01,2026-01-31,USD,10.00\n")
			file := "number,customer_ref,issue_date,due_date,currency,amount,disputed\n" +
				"A1,C1,2026-01-01,2026-01-31,USD,10.00,\n" + // line 2: good
				"A2,C1,2026-13-01,2026-01-31,USD,10.00,\n" + // 3: bad month
				"A3,C1,2026-01-01,2026-01-31,USX,10.00,\n" + // 4: unknown currency
				"A4,C1,2026-01-01,2026-01-31,USD,-1.00,\n" + // 5: negative
				"A1,C1,2026-01-01,2026-01-31,USD,10.00,\n" + // 6: duplicate of line 2
				"A6,NOPE,2026-01-01,2026-01-31,USD,10.00,\n" + // 7: unknown customer
				"A7,C1,2026-01-01,USD,10.00,\n" + // 8: wrong column count
				"A8,C1,2026-01-01,2026-01-31,USD,10.00,\xff\n" + // 9: invalid UTF-8
				"A9,C1,2026-01-01,2026-01-31,USD,10.005,\n" + // 10: too many decimals
				"A10,C1,2026-02-01,2026-01-31,USD,10.00,\n" + // 11: due before issue
				"A11,C1,2026-01-01,2026-01-31,USD,10.00,maybe\n" + // 12: bad flag
				"OLD-1,C1,2026-01-01,2026-01-31,USD,99.00,\n" + // 13: exists with other amount
				"A13,C1,2026-01-01,2026-01-31,usd,1e3,\n" // 14: lower-case currency (the amount is then not checked)
			e := importErr(t, svc, "invoices", file, service.ImportOptions{})
			type row struct {
				Line          int
				Column, Match string
			}
			want := []row{
				{3, "issue_date", `"2026-13-01" is not a date`},
				{4, "currency", `"USX"`},
				{5, "amount", "greater than zero"},
				{6, "number", `"A1" appears more than once`},
				{7, "customer_ref", `unknown customer "NOPE"`},
				{8, "", "has 6 columns, the header has 7"},
				{9, "disputed", "not valid UTF-8"},
				{10, "amount", "at most 2 decimal places"},
				{11, "due_date", "before issue_date"},
				{12, "disputed", `"maybe" must be true or false`},
				{13, "number", "amount 10.00 USD, file 99.00 USD"},
				{14, "currency", `"usd"`},
			}
			if len(e.Fields) != len(want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(e.Fields), len(want), e)
			}
			for i, w := range want {
				f := e.Fields[i]
				if f.Line != w.Line || f.Column != w.Column || !strings.Contains(f.Message, w.Match) {
					t.Errorf("error %d = line %d %s %q; want line %d %s containing %q", i, f.Line, f.Column, f.Message, w.Line, w.Column, w.Match)
				}
			}
		})
	}
}

func TestImport_HeaderProblems(t *testing.T) {
	svc := service.New(testutil.SQLite(t), testutil.Clock)
	for _, tc := range []struct {
		name, file, column, match string
	}{
		{"empty file", "", "", "the file is empty"},
		{"missing column", "number,customer_ref,issue_date,currency,amount\n", "due_date", "required column is missing"},
		{"repeated column", "number,number,customer_ref,issue_date,due_date,currency,amount\n", "number", "appears twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := importErr(t, svc, "invoices", tc.file, service.ImportOptions{})
			if len(e.Fields) != 1 || e.Fields[0].Line != 1 || e.Fields[0].Column != tc.column || !strings.Contains(e.Fields[0].Message, tc.match) {
				t.Fatalf("got %v", e)
			}
		})
	}
}

func TestImport_DateFormatAndColumnMapping(t *testing.T) {
	st := testutil.SQLite(t)
	svc := service.New(st, testutil.Clock)
	mustImport(t, svc, "customers", tenCustomers)
	// An export as an accounting tool writes it: its own column names, day-first dates, extra columns.
	file := "Invoice No,Client,Date,Due,Curr,Total,Notes\n" +
		"X-1,C1,31/01/2026,02/03/2026,EUR,1234.5,first\n" +
		"X-2,C2,1/2/2026,3/3/2026,EUR,99,second\n"
	res, err := svc.Import(testutil.Admin(context.Background()), "invoices", strings.NewReader(file), service.ImportOptions{
		DateFormat: "D/M/YYYY",
		Mapping:    map[string]string{"Invoice No": "number", "Client": "customer_ref", "Date": "issue_date", "Due": "due_date", "Curr": "currency", "Total": "amount"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 2 || len(res.IgnoredColumns) != 1 || res.IgnoredColumns[0] != "Notes" {
		t.Fatalf("result = %+v", res)
	}
	inv, err := svc.Invoice(testutil.Admin(context.Background()), "X-1")
	if err != nil {
		t.Fatal(err)
	}
	if inv.IssueDate.String() != "2026-01-31" || inv.DueDate.String() != "2026-03-02" || inv.Amount.String() != "1234.50" {
		t.Fatalf("X-1 = %s %s %s", inv.IssueDate, inv.DueDate, inv.Amount)
	}
	// A date in the wrong format names the format.
	e := importErr(t, svc, "invoices", "number,customer_ref,issue_date,due_date,currency,amount\nY-1,C1,2026-01-31,2026-03-02,EUR,1\n",
		service.ImportOptions{DateFormat: "DD/MM/YYYY"})
	if !strings.Contains(e.Fields[0].Message, "DD/MM/YYYY") {
		t.Fatalf("got %v", e)
	}
}

func TestImport_StoredRowsCountAsUnchanged(t *testing.T) {
	st := testutil.SQLite(t)
	svc := service.New(st, testutil.Clock)
	mustImport(t, svc, "customers", tenCustomers)
	head := "number,customer_ref,issue_date,due_date,currency,amount\n"
	a := "I-1,C1,2026-01-01,2026-01-31,USD,10.00\nI-2,C1,2026-01-02,2026-02-01,USD,20.00\n"
	mustImport(t, svc, "invoices", head+a)
	res := mustImport(t, svc, "invoices", head+a+"I-3,C2,2026-01-03,2026-02-02,USD,30.00\n")
	if res.AlreadyImported || res.Inserted != 1 || res.Unchanged != 2 {
		t.Fatalf("result = %+v, want 1 inserted, 2 unchanged", res)
	}
	if n := testutil.Counts(t, st)["invoices"]; n != 3 {
		t.Fatalf("invoices = %d, want 3", n)
	}
}

func TestImport_CustomersUpsert(t *testing.T) {
	st := testutil.SQLite(t)
	svc := service.New(st, testutil.Clock)
	ctx := testutil.Admin(context.Background())
	mustImport(t, svc, "customers", "external_ref,name,email,time_zone\nK1,Kay,kay@example.com,Europe/Berlin\nK2,Lee,,\n")
	// Name changes for K1; K2 is listed as it is; a file without the email column leaves emails alone.
	res := mustImport(t, svc, "customers", "external_ref,name\nK1,Kay GmbH\nK2,Lee\nK3,New\n")
	if res.Inserted != 1 || res.Updated != 1 || res.Unchanged != 1 {
		t.Fatalf("result = %+v", res)
	}
	c, err := svc.Customer(ctx, "K1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Kay GmbH" || c.Email != "kay@example.com" || c.TimeZone != "Europe/Berlin" {
		t.Fatalf("K1 = %+v", c)
	}
	e := importErr(t, svc, "customers", "external_ref,name,time_zone,kind\nK4,Four,Mars/Olympus,robot\nK4,Again,,\n", service.ImportOptions{})
	var got []string
	for _, f := range e.Fields {
		got = append(got, fmt.Sprintf("%d %s", f.Line, f.Column))
	}
	// Line 3 repeats K4, but line 2 was rejected, so line 3 stands on its own.
	if diff := cmp.Diff([]string{"2 time_zone", "2 kind"}, got); diff != "" {
		t.Fatalf("errors (-want +got):\n%s\n%v", diff, e)
	}
}

func TestImport_PaymentsAllocateAndDeduplicate(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			st := open(t)
			svc := service.New(st, testutil.Clock)
			ctx := testutil.Admin(context.Background())
			mustImport(t, svc, "customers", tenCustomers)
			mustImport(t, svc, "invoices", "number,customer_ref,issue_date,due_date,currency,amount\n"+
				"P-1,C1,2026-01-01,2026-01-31,USD,100.00\nP-2,C1,2026-02-01,2026-03-03,USD,50.00\nP-3,C1,2026-02-01,2026-03-03,EUR,70.00\n")
			pays := "customer_ref,received_on,currency,amount,method,reference,invoice_number\n" +
				"C1,2026-02-10,USD,120.00,Bank Transfer,R-1,\n" // oldest first: P-1 100.00, P-2 20.00
			mustImport(t, svc, "payments", pays)
			// The same payment again in a new file (by reference) is unchanged; a new one pays P-2 in full plus 5.00 credit.
			res := mustImport(t, svc, "payments", pays+"C1,2026-03-01,USD,35.00,card,R-2,P-2\n")
			if res.Inserted != 1 || res.Unchanged != 1 {
				t.Fatalf("result = %+v", res)
			}
			for number, want := range map[string]string{"P-1": "0.00 paid", "P-2": "0.00 paid", "P-3": "70.00 open"} {
				inv, err := svc.Invoice(ctx, number)
				if err != nil {
					t.Fatal(err)
				}
				if got := inv.Balance.String() + " " + inv.Status(); got != want {
					t.Errorf("%s = %s, want %s", number, got, want)
				}
			}
			pos, err := svc.Position(ctx, "C1", mustDate(t, "2026-03-05"))
			if err != nil {
				t.Fatal(err)
			}
			var usdCredit int64 = -1
			for _, c := range pos.Currencies {
				if c.Currency == "USD" {
					usdCredit, _ = c.Credit.Int64()
				}
			}
			if usdCredit != 500 {
				t.Fatalf("USD credit = %d minor, want 500 (5.00 overpaid)", usdCredit)
			}
			e := importErr(t, svc, "payments", "customer_ref,received_on,currency,amount,reference,invoice_number\n"+
				"C1,2026-03-02,USD,1.00,R-9,\n"+
				"C1,2026-03-02,USD,1.00,R-9,\n"+ // same payment twice in one file
				"C1,2026-03-02,USD,1.00,R-10,NOPE\n"+
				"C2,2026-03-02,USD,1.00,R-11,P-1\n"+
				"C1,2026-03-02,GBP,1.00,R-12,P-1\n", service.ImportOptions{})
			var got []string
			for _, f := range e.Fields {
				got = append(got, fmt.Sprintf("%d %s", f.Line, f.Column))
			}
			if diff := cmp.Diff([]string{"3 reference", "4 invoice_number", "5 invoice_number", "6 currency"}, got); diff != "" {
				t.Fatalf("errors (-want +got):\n%s\n%v", diff, e)
			}
		})
	}
}

// onlyReader hides Seek, as an HTTP body does.
type onlyReader struct{ io.Reader }

func TestImport_UnseekableRepeatIsNoOp(t *testing.T) {
	st := testutil.SQLite(t)
	svc := service.New(st, testutil.Clock)
	ctx := testutil.Admin(context.Background())
	file := tenCustomers
	first, err := svc.Import(ctx, "customers", onlyReader{strings.NewReader(file)}, service.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	before := testutil.Counts(t, st)
	again, err := svc.Import(ctx, "customers", onlyReader{strings.NewReader(file)}, service.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !again.AlreadyImported || again.ID != first.ID {
		t.Fatalf("second = %+v", again)
	}
	if diff := cmp.Diff(before, testutil.Counts(t, st)); diff != "" {
		t.Fatalf("store changed:\n%s", diff)
	}
}

func TestImport_RolesAndKinds(t *testing.T) {
	svc := service.New(testutil.SQLite(t), testutil.Clock)
	viewer := service.WithActor(context.Background(), service.Actor{ID: "v", Role: service.RoleViewer})
	if _, err := svc.Import(viewer, "customers", strings.NewReader(tenCustomers), service.ImportOptions{}); apperr.CodeOf(err) != apperr.Forbidden {
		t.Fatalf("viewer import: %v, want forbidden", err)
	}
	if _, err := svc.Import(context.Background(), "customers", strings.NewReader(tenCustomers), service.ImportOptions{}); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Fatalf("anonymous import: %v, want unauthorized", err)
	}
	if _, err := svc.Import(testutil.Admin(context.Background()), "refunds", strings.NewReader(""), service.ImportOptions{}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("unknown kind: %v, want invalid", err)
	}
}
