package web_test

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/httpapi"
	"settle/internal/service"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
	"settle/internal/web"
)

// Finding 1: amounts an older version wrote beyond the limit (two int64-max
// invoices and payments, whose sums overflow an int64) must not take the
// staff pages down — dashboard, customer list, the customer's page, and a
// normal customer's page — on either engine. Before the fix they answered
// 500 ("integer overflow", "ledger: total too large").
func TestWeb_LegacyOversizedAmounts(t *testing.T) {
	for name, open := range testutil.Engines(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			svc := service.New(st, testutil.Clock)
			ctx := testutil.Admin(context.Background())
			if _, err := svc.CreateUser(ctx, service.UserInput{Email: adminEmail, Name: "Ada Admin", Role: service.RoleAdmin, Password: adminPassword}); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, ref := range []string{"OLD", "NRM"} {
				c, err := svc.CreateCustomer(ctx, service.CustomerInput{Name: "Customer " + ref, ExternalRef: ref})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, c.ID)
				if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "N-" + ref, CustomerID: ref, IssueDate: "2026-03-01", Currency: "USD", Amount: "100.00"}); err != nil {
					t.Fatal(err)
				}
			}
			// A promise for the forecast, judged against the huge payments.
			if _, err := svc.CreatePromise(ctx, service.PromiseInput{CustomerID: "OLD", Currency: "USD", Amount: "50.00", PromisedOn: "2026-03-01", DueDate: "2026-06-10"}); err != nil {
				t.Fatal(err)
			}
			for _, n := range []string{"L-1", "L-2"} {
				testutil.InsertRawInvoice(t, st, ids[0], n, math.MaxInt64, "USD")
				testutil.InsertRawPayment(t, st, ids[0], math.MaxInt64, "USD")
			}
			ui := web.New(svc, quiet)
			ui.Fallback = httpapi.New(svc, quiet).Handler()
			srv := httptest.NewServer(ui.Handler())
			t.Cleanup(srv.Close)
			b := newBrowser(t, srv)
			b.signIn(adminEmail, adminPassword)
			for _, path := range []string{"/?as_of=2026-06-01", "/customers?as_of=2026-06-01", "/customers/" + ids[0] + "?as_of=2026-06-01", "/customers/" + ids[1] + "?as_of=2026-06-01"} {
				r := b.get(path)
				if r.StatusCode != 200 {
					t.Errorf("GET %s: %d\n%.600s", path, r.StatusCode, r.Body)
				}
			}
			// The dashboard shows the exact wide total: 2 × 92,233,720,368,547,758.07 + 200.00.
			if r := b.get("/?as_of=2026-06-01"); !strings.Contains(r.Body, "184,467,440,737,095,716.14") {
				t.Errorf("dashboard lacks the exact USD total")
			}
		})
	}
}

// Findings 1 and 8 on a staff form: a payment beyond the amount limit, or
// in a pseudo-currency, is refused with the error beside its field, and
// nothing is written.
func TestWeb_AmountLimit_PaymentForm(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settle.db")
	st, err := sqlite.Open(context.Background(), path, testutil.Clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := service.New(st, testutil.Clock)
	ctx := testutil.Admin(context.Background())
	if _, err := svc.CreateUser(ctx, service.UserInput{Email: adminEmail, Name: "Ada Admin", Role: service.RoleAdmin, Password: adminPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{Name: "Form customer", ExternalRef: "F-1"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(svc, quiet).Handler())
	t.Cleanup(srv.Close)
	b := newBrowser(t, srv)
	b.signIn(adminEmail, adminPassword)
	for _, tc := range []struct{ amount, currency, field, want string }{
		{"10000000000000.00", "USD", "pay-amount", "too large (at most 9999999999999.99 USD)"},
		{"92233720368547758.07", "USD", "pay-amount", "too large"},
		{"1.00", "XAU", "pay-currency", "precious metal"},
		{"1.00", "XXX", "pay-currency", "no currency"},
	} {
		before := testutil.TableDigest(t, path)
		r := b.post("/customers/F-1", "/customers/F-1/payments", url.Values{"method": {"bank_transfer"}, "received_on": {"2026-05-30"},
			"currency": {tc.currency}, "amount": {tc.amount}, "reference": {"r"}, "invoice_id": {""}, "plan_id": {""}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if msg := fieldError(t, r.Body, tc.field); !strings.Contains(msg, tc.want) {
			t.Errorf("%s %s: %s error %q, want %q", tc.amount, tc.currency, tc.field, msg, tc.want)
		}
		if diff := cmp.Diff(before, testutil.TableDigest(t, path)); diff != "" {
			t.Errorf("%s %s refused, but the database changed:\n%s", tc.amount, tc.currency, diff)
		}
	}
}
