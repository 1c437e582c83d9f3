package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"settle/internal/httpapi"
	"settle/internal/service"
	"settle/internal/testutil"
)

// TestAPI_BodyLimits: on both engines, an import over the import limit and
// any other write over 1 MiB get 413 problem JSON, whether the size is
// announced (Content-Length) or only found while reading (chunked), and
// nothing is written. Before the limit a 200 MB import was read whole.
func TestAPI_BodyLimits(t *testing.T) {
	for engine, open := range testutil.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			st := open(t)
			svc := service.New(st, testutil.Clock)
			api := httpapi.New(svc, nil)
			api.ImportMaxBytes = 64 << 10 // 64 KiB: a small limit keeps the test quick
			srv := httptest.NewServer(api.Handler())
			t.Cleanup(srv.Close)
			secret, _, err := svc.CreateToken(testutil.Admin(context.Background()), "admin", "admin")
			if err != nil {
				t.Fatal(err)
			}
			post := func(path, ctype string, body io.Reader, headers ...string) (int, map[string]any) {
				t.Helper()
				req, err := http.NewRequest("POST", srv.URL+path, body)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+secret)
				req.Header.Set("Content-Type", ctype)
				for i := 0; i+1 < len(headers); i += 2 {
					req.Header.Set(headers[i], headers[i+1])
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				var m map[string]any
				if res.StatusCode >= 400 {
					if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
						t.Errorf("POST %s: %d with content type %q: %s", path, res.StatusCode, ct, b)
					}
					if err := json.Unmarshal(b, &m); err != nil {
						t.Fatalf("POST %s: %d, not JSON: %v\n%.300s", path, res.StatusCode, err, b)
					}
				}
				return res.StatusCode, m
			}
			if status, m := post("/v1/customers", "application/json", strings.NewReader(`{"name":"Rita","external_ref":"R"}`)); status != 201 {
				t.Fatalf("create customer: %d %v", status, m)
			}
			before := testutil.Counts(t, st)

			csv := invoiceCSV(3000)                                                             // about 140 KB, over 64 KiB
			chunked := func(s string) io.Reader { return io.MultiReader(strings.NewReader(s)) } // no length: sent chunked
			bigJSON := `{"name":"` + strings.Repeat("x", 1<<20) + `"}`
			for _, c := range []struct {
				name, path, ctype string
				body              io.Reader
				headers           []string
				detail            string
			}{
				{"import with length", "/v1/imports/invoices", "text/csv", strings.NewReader(csv), nil, "64 KiB"},
				{"import chunked", "/v1/imports/invoices", "text/csv", chunked(csv), nil, "64 KiB"},
				{"import with idempotency key", "/v1/imports/invoices", "text/csv", chunked(csv), []string{"Idempotency-Key", "k1"}, "64 KiB"},
				{"bank statement", "/v1/imports/bank-statement", "text/csv", chunked("date,amount,currency\n" + strings.Repeat("2026-05-01,10.00,USD\n", 4000)), nil, "64 KiB"},
				{"JSON write", "/v1/customers", "application/json", strings.NewReader(bigJSON), nil, "1 MiB"},
				{"JSON write chunked", "/v1/customers", "application/json", chunked(bigJSON), nil, "1048576 bytes"}, // huma's own limit answers first
				{"JSON write with idempotency key", "/v1/customers", "application/json", chunked(bigJSON), []string{"Idempotency-Key", "k2"}, "1 MiB"},
			} {
				status, m := post(c.path, c.ctype, c.body, c.headers...)
				if status != 413 {
					t.Errorf("%s: status %d, want 413: %v", c.name, status, m)
					continue
				}
				if d, _ := m["detail"].(string); !strings.Contains(d, c.detail) {
					t.Errorf("%s: detail %q does not state the limit %s", c.name, d, c.detail)
				}
			}
			after := testutil.Counts(t, st)
			for table, n := range after {
				if table != "idempotency_keys" && n != before[table] {
					t.Errorf("table %s: %d rows, was %d: a refused body wrote something", table, n, before[table])
				}
			}

			// At the limit's side: a small import still works.
			if status, m := post("/v1/imports/invoices", "text/csv", strings.NewReader(invoiceCSV(100))); status != 200 {
				t.Errorf("small import: %d %v", status, m)
			}
		})
	}
}
