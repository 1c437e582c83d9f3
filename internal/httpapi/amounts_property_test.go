package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/civil"
	"settle/internal/httpapi"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/postgres"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
)

// limitEngine is a store on either engine with a digest of every table.
type limitEngine struct {
	st     store.Store
	digest func(t *testing.T) map[string]string
}

func limitEngines(t *testing.T) map[string]func(t *testing.T) limitEngine {
	return map[string]func(t *testing.T) limitEngine{
		"sqlite": func(t *testing.T) limitEngine {
			path := filepath.Join(t.TempDir(), "settle.db")
			st, err := sqlite.Open(context.Background(), path, testutil.Clock)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return limitEngine{st, func(t *testing.T) map[string]string { return testutil.TableDigest(t, path) }}
		},
		"postgres": func(t *testing.T) limitEngine {
			dsn := testutil.FreshPostgresDSN(t)
			st, err := postgres.Open(context.Background(), dsn, testutil.Clock)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return limitEngine{st, testutil.PostgresDigest(t, dsn)}
		},
	}
}

// limitCurrency is a currency with its single-amount limit worked by hand
// from docs/ledger.md: min(10^13 major units, 10^15 minor units) − 1 minor
// unit.
type limitCurrency struct {
	code   string
	digits int
	max    int64 // minor units
}

var limitCurrencies = []limitCurrency{
	{"EUR", 2, 999_999_999_999_999},
	{"JPY", 0, 9_999_999_999_999},
	{"BHD", 3, 999_999_999_999_999},
}

// decimal writes v minor units with digits decimals, independently of
// package money.
func decimal(v *big.Int, digits int) string {
	s := new(big.Int).Abs(v).String()
	for len(s) <= digits {
		s = "0" + s
	}
	if digits > 0 {
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if v.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// amountClass is one kind of amount the property test sends.
type amountClass struct {
	name  string
	minor func(c limitCurrency) *big.Int
}

var amountClasses = []amountClass{
	{"small", func(limitCurrency) *big.Int { return big.NewInt(12345) }},
	{"at limit", func(c limitCurrency) *big.Int { return big.NewInt(c.max) }},
	{"limit+1 minor unit", func(c limitCurrency) *big.Int { return big.NewInt(c.max + 1) }},
	{"int64 max", func(limitCurrency) *big.Int { return big.NewInt(math.MaxInt64) }},
	{"beyond int64", func(limitCurrency) *big.Int {
		v, _ := new(big.Int).SetString("1000000000000000000000000000000", 10)
		return v
	}},
	{"negative at limit", func(c limitCurrency) *big.Int { return big.NewInt(-c.max) }},
	{"negative int64 min", func(limitCurrency) *big.Int { return big.NewInt(math.MinInt64) }},
	{"zero", func(limitCurrency) *big.Int { return big.NewInt(0) }},
}

// Finding 1, property: every amount-taking write of the API and of the CSV
// imports, with amounts at and beyond the limit in currencies of 0, 2 and
// 3 digits, is accepted exactly when the amount is within (0, limit], is
// otherwise refused with 422 naming the field (or line and column) and
// writes nothing; nothing answers 500; and afterwards, with many
// maximal invoices for one customer and across customers (sums beyond
// int64), every report still answers with exact figures.
func TestAPI_AmountLimit_Property(t *testing.T) {
	for name, open := range limitEngines(t) {
		t.Run(name, func(t *testing.T) {
			eng := open(t)
			svc := service.New(eng.st, testutil.Clock)
			srv := httptest.NewServer(httpapi.New(svc, nil).Handler())
			t.Cleanup(srv.Close)
			secret, _, err := svc.CreateToken(testutil.Admin(context.Background()), "admin", "admin")
			if err != nil {
				t.Fatal(err)
			}
			api := &client{t, srv.URL, secret}
			want(t, api.do("POST", "/v1/customers", `{"name":"Property A","external_ref":"PA"}`), 201)
			// Each invoice case bills a customer of its own (PI-n), since a
			// customer's balance is held to the same limit as one amount.
			var pis strings.Builder
			pis.WriteString("external_ref,name\n")
			for n := 1; n <= 400; n++ {
				fmt.Fprintf(&pis, "PI-%d,Invoiced %d\n", n, n)
			}
			want(t, api.do("POST", "/v1/imports/customers", pis.String(), "Content-Type", "text/csv"), 200)

			type op struct {
				name     string
				positive bool // only classes > 0 are sent (zero and negatives have their own rules there)
				send     func(n int, c limitCurrency, amt string) resp
			}
			csv := func(kind, header, row string) resp {
				return api.do("POST", "/v1/imports/"+kind, header+"\n"+row+"\n", "Content-Type", "text/csv")
			}
			ops := []op{
				{"invoice", false, func(n int, c limitCurrency, amt string) resp {
					return api.do("POST", "/v1/invoices", fmt.Sprintf(`{"number":"P-%d","customer_id":"PI-%d","issue_date":"2026-04-01","currency":"%s","amount":"%s"}`, n, n, c.code, amt))
				}},
				{"payment", false, func(n int, c limitCurrency, amt string) resp {
					return api.do("POST", "/v1/payments", fmt.Sprintf(`{"customer_id":"PA","received_on":"2026-04-10","currency":"%s","amount":"%s","reference":"R-%d"}`, c.code, amt, n))
				}},
				{"credit note", false, func(n int, c limitCurrency, amt string) resp {
					return api.do("POST", "/v1/payments", fmt.Sprintf(`{"kind":"credit_note","customer_id":"PA","received_on":"2026-04-10","currency":"%s","amount":"%s","reference":"C-%d"}`, c.code, amt, n))
				}},
				{"promise", false, func(n int, c limitCurrency, amt string) resp {
					return api.do("POST", "/v1/promises", fmt.Sprintf(`{"customer_id":"PA","promised_on":"2026-06-01","due_date":"2026-06-20","currency":"%s","amount":"%s"}`, c.code, amt))
				}},
				{"import invoices", false, func(n int, c limitCurrency, amt string) resp {
					// A good row first: a refusal must not keep it either.
					return csv("invoices", "number,customer_ref,issue_date,due_date,currency,amount",
						fmt.Sprintf("IG-%d,PA,2026-04-01,2026-04-30,%s,1\nIP-%d,PI-%d,2026-04-01,2026-04-30,%s,%s", n, c.code, n, n, c.code, amt))
				}},
				{"import payments", false, func(n int, c limitCurrency, amt string) resp {
					return csv("payments", "customer_ref,received_on,currency,amount,method,reference",
						fmt.Sprintf("PA,2026-04-10,%s,1,bank_transfer,G-%d\nPA,2026-04-10,%s,%s,bank_transfer,I-%d", c.code, n, c.code, amt, n))
				}},
				{"import bank statement", false, func(n int, c limitCurrency, amt string) resp {
					return api.do("POST", "/v1/imports/bank-statement", fmt.Sprintf("date,amount,currency,reference,bank_id\n2026-04-12,1,%s,ok,BG-%d\n2026-04-12,%s,%s,x,BX-%d\n", c.code, n, amt, c.code, n), "Content-Type", "text/csv")
				}},
				{"budget", true, func(n int, c limitCurrency, amt string) resp {
					return api.do("PUT", "/v1/customers/PA/budget", fmt.Sprintf(`{"currency":"%s","income":[{"category":"revenue","monthly":"%s"}],"expenses":[],"debts":[]}`, c.code, amt))
				}},
			}
			n := 0
			for _, o := range ops {
				for _, c := range limitCurrencies {
					for _, cl := range amountClasses {
						v := cl.minor(c)
						if o.positive && v.Sign() <= 0 {
							continue
						}
						n++
						amt := decimal(v, c.digits)
						// The oracle: accepted iff 0 < v ≤ limit (a statement
						// line may also be negative, money going out, which
						// is read and skipped: 0 < |v| ≤ limit).
						ok := v.Sign() > 0 && v.Cmp(big.NewInt(c.max)) <= 0
						if o.name == "import bank statement" {
							ok = v.Sign() != 0 && new(big.Int).Abs(v).Cmp(big.NewInt(c.max)) <= 0
						}
						before := eng.digest(t)
						r := o.send(n, c, amt)
						what := fmt.Sprintf("%s %s %s (%s)", o.name, amt, c.code, cl.name)
						if r.Status >= 500 {
							t.Fatalf("%s: %d %s", what, r.Status, r.Body)
						}
						if ok {
							if r.Status != 200 && r.Status != 201 {
								t.Errorf("%s: %d, want accepted: %s", what, r.Status, r.Body)
							}
							continue
						}
						if r.Status != 422 {
							t.Errorf("%s: %d, want 422: %s", what, r.Status, r.Body)
							continue
						}
						checkNamesAmount(t, what, r)
						if diff := cmp.Diff(before, eng.digest(t)); diff != "" {
							t.Errorf("%s: refused, but the database changed (-before +after):\n%s", what, diff)
						}
					}
				}
			}
			// The quote writes nothing; its balance obeys the same limit.
			for _, c := range limitCurrencies {
				for _, cl := range amountClasses[1:5] {
					v := cl.minor(c)
					r := api.do("POST", "/v1/plans/quote", fmt.Sprintf(`{"balance":"%s","currency":"%s","installments":12,"frequency":"monthly","start_date":"2026-07-01"}`, decimal(v, c.digits), c.code))
					if wantOK := v.Cmp(big.NewInt(c.max)) <= 0; (r.Status == 200) != wantOK || (!wantOK && r.Status != 422) {
						t.Errorf("quote %s %s (%s): %d: %s", decimal(v, c.digits), c.code, cl.name, r.Status, r.Body)
					}
				}
			}
			reportsAnswer(t, api, "PA")

			// A balance may not pass the single-amount limit either
			// (docs/ledger.md, "Limits"): BIG may owe one maximal invoice,
			// not two. Then many maximal invoices, 14,300 of them, one per
			// customer: together far beyond int64, shown exactly.
			const customers = 14300
			var cust, two, one, across strings.Builder
			cust.WriteString("external_ref,name\nBIG,Bulk one\n")
			for i := range customers {
				fmt.Fprintf(&cust, "C%05d,Many %05d\n", i, i)
			}
			want(t, api.do("POST", "/v1/imports/customers", cust.String(), "Content-Type", "text/csv"), 200)
			header := "number,customer_ref,issue_date,due_date,currency,amount\n"
			two.WriteString(header + "B-0,BIG,2026-05-15,2026-05-20,USD,9999999999999.99\nB-1,BIG,2026-05-15,2026-05-20,USD,0.01\n")
			before := eng.digest(t)
			r := api.do("POST", "/v1/imports/invoices", two.String(), "Content-Type", "text/csv")
			checkNamesAmount(t, "an import taking BIG's balance past the limit", r)
			if !strings.Contains(string(r.Body), "more than one customer may owe") {
				t.Errorf("balance past the limit: %s", r.Body)
			}
			if diff := cmp.Diff(before, eng.digest(t)); diff != "" {
				t.Errorf("a refused import changed the tables:\n%s", diff)
			}
			one.WriteString(header + "B-0,BIG,2026-05-15,2026-05-20,USD,9999999999999.99\n")
			want(t, api.do("POST", "/v1/imports/invoices", one.String(), "Content-Type", "text/csv"), 200)
			r = api.do("POST", "/v1/invoices", `{"number":"B-2","customer_id":"BIG","issue_date":"2026-05-15","currency":"USD","amount":"0.01"}`)
			want(t, r, 422)
			if f := problemFields(t, r); len(f) != 1 || !strings.Contains(f["amount"], "more than one customer may owe") {
				t.Errorf("one more cent for BIG: %s", r.Body)
			}
			// Another currency is another balance.
			want(t, api.do("POST", "/v1/invoices", `{"number":"B-3","customer_id":"BIG","issue_date":"2026-05-15","currency":"EUR","amount":"0.01"}`), 201)
			across.WriteString(header)
			for i := range customers {
				fmt.Fprintf(&across, "A-%d,C%05d,2026-05-15,2026-05-20,USD,9999999999999.99\n", i, i)
			}
			want(t, api.do("POST", "/v1/imports/invoices", across.String(), "Content-Type", "text/csv"), 200)

			reportsAnswer(t, api, "PA", "BIG", "C00000")
			// Hand-worked: 14,301 × 999,999,999,999,999 =
			// 14,301,000,000,000,000,000 − 14,301 = 14,300,999,999,999,985,699
			// minor units (int64 ends at 9,223,372,036,854,775,807); BIG
			// alone owes the limit, 9,999,999,999,999.99.
			const usdTotal, bigTotal = "143009999999999856.99", "9999999999999.99"
			var aging struct {
				Totals    []map[string]string `json:"totals"`
				Customers []map[string]string `json:"customers"`
			}
			if err := json.Unmarshal(api.do("GET", "/v1/reports/aging?as_of=2026-06-01", "").Body, &aging); err != nil {
				t.Fatal(err)
			}
			foundBig := false
			for _, row := range aging.Totals {
				if row["currency"] == "USD" && (row["total"] != usdTotal || row["days_1_30"] != usdTotal) {
					t.Errorf("USD aging total %v, want %s", row, usdTotal)
				}
			}
			for _, row := range aging.Customers {
				if row["external_ref"] == "BIG" && row["currency"] == "USD" {
					foundBig = true
					if row["total"] != bigTotal {
						t.Errorf("BIG aging %v, want %s", row, bigTotal)
					}
				}
			}
			if !foundBig {
				t.Error("BIG is not in the aging")
			}
			var kpis map[string]any
			if err := json.Unmarshal(api.do("GET", "/v1/reports/kpis?from=2026-05-01&to=2026-06-01&currency=USD", "").Body, &kpis); err != nil {
				t.Fatal(err)
			}
			if kpis["credit_sales"] != usdTotal || kpis["closing_ar"] != usdTotal {
				t.Errorf("USD KPIs %v, want credit sales and closing AR %s", kpis, usdTotal)
			}
			// The staff pages' figures: dashboard (receivables, KPIs,
			// forecast) and the customer list.
			ctx := testutil.Admin(context.Background())
			asOf := civil.New(2026, 6, 1)
			d, err := svc.Dashboard(ctx, asOf)
			if err != nil {
				t.Fatalf("dashboard: %v", err)
			}
			for _, b := range d.Receivables {
				if b.Currency == "USD" && b.Total().Text("USD") != usdTotal {
					t.Errorf("dashboard USD receivables %s, want %s", b.Total().Text("USD"), usdTotal)
				}
			}
			if _, _, err := svc.CustomerList(ctx, service.CustomerListInput{AsOf: asOf, Page: store.Page{Limit: 100}}); err != nil {
				t.Fatalf("customer list: %v", err)
			}
			// A balance at the limit fits in one amount, so it can become
			// a plan (balances beyond it, from older data, are refused:
			// TestAPI_AmountLimit_LegacyOversizedData).
			for _, id := range []string{"BIG", "C00000"} {
				want(t, api.do("POST", "/v1/negotiations", `{"customer_id":"`+id+`","currency":"USD","as_of":"2026-06-01"}`), 201)
			}
		})
	}
}

// checkNamesAmount checks that a 422 names the amount field (API) or the
// amount column of line 3 (imports).
func checkNamesAmount(t *testing.T, what string, r resp) {
	t.Helper()
	var p struct {
		Errors []struct {
			Field, Column, Message string
			Line                   int
		}
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("%s: %v: %s", what, err, r.Body)
	}
	if len(p.Errors) == 0 {
		t.Errorf("%s: 422 names no field: %s", what, r.Body)
	}
	for _, e := range p.Errors {
		switch {
		case e.Column != "":
			if e.Column != "amount" || e.Line != 3 {
				t.Errorf("%s: error at line %d column %q, want line 3 column amount: %s", what, e.Line, e.Column, r.Body)
			}
		case e.Field != "amount" && !strings.HasSuffix(e.Field, "monthly"):
			t.Errorf("%s: error names %q, want the amount: %s", what, e.Field, r.Body)
		}
	}
}
