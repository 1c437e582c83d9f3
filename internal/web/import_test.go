package web_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
	"settle/internal/web"
)

// uploadForm is the import page's form as a browser would post it: the
// CSRF token first, the file last.
type uploadForm struct {
	token      string // "" : the page's token; "-": none
	kind       string
	dateFormat string
	maps       [][2]string // file column → settle column
	filename   string
	data       []byte
	noFile     bool
}

func (b *browser) upload(f uploadForm) response {
	b.t.Helper()
	if f.token == "" {
		f.token = match(b.t, csrfInput, b.get("/import").Body)
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if f.token != "-" {
		w.WriteField("csrf_token", f.token)
	}
	w.WriteField("kind", f.kind)
	w.WriteField("date_format", f.dateFormat)
	for _, m := range f.maps {
		w.WriteField("map_from", m[0])
		w.WriteField("map_to_"+f.kind, m[1])
	}
	if !f.noFile {
		fw, err := w.CreateFormFile("file", f.filename)
		if err != nil {
			b.t.Fatal(err)
		}
		fw.Write(f.data)
	}
	w.Close()
	req, err := http.NewRequest(http.MethodPost, b.base+"/import", &body)
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

// stage uploads a file and returns its preview page's path.
func (b *browser) stage(f uploadForm) string {
	b.t.Helper()
	r := b.upload(f)
	wantStatus(b.t, r, http.StatusSeeOther)
	loc := r.Header.Get("Location")
	if !regexp.MustCompile(`^/import/stg_[A-Z2-7]{26}$`).MatchString(loc) {
		b.t.Fatalf("upload → %q", loc)
	}
	return loc
}

func (b *browser) confirm(preview string) response {
	b.t.Helper()
	tok := match(b.t, csrfAttr, b.get("/import").Body)
	return b.do(http.MethodPost, preview+"/confirm", url.Values{"csrf_token": {tok}})
}

// count reads a figure of the preview or result page.
func count(t *testing.T, body, name string) string {
	t.Helper()
	return match(t, regexp.MustCompile(`data-count="`+name+`">([^<]+)<`), body)
}

// errorRows reads the preview's table of problems: line, column, message.
func errorRows(body string) [][3]string {
	table := regexp.MustCompile(`(?s)<table class="data import-errors">.*?</table>`).FindString(body)
	var out [][3]string
	for _, m := range regexp.MustCompile(`<tr><td class="num">(\d+)</td><td>(?:<code>([^<]*)</code>|—)</td><td class="msg">([^<]*)</td></tr>`).FindAllStringSubmatch(table, -1) {
		out = append(out, [3]string{m[1], m[2], html.UnescapeString(m[3])})
	}
	return out
}

type movableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movableClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movableClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// importServer is a UI over a store of its own, on a clock the test moves.
func importServer(t *testing.T) (*httptest.Server, *service.Service, store.Store, *movableClock) {
	t.Helper()
	clk := &movableClock{t: testutil.Clock()}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "i.db"), clk.now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := service.New(st, clk.now)
	ctx := testutil.Admin(context.Background())
	for _, u := range []service.UserInput{
		{Email: agentEmail, Name: "Alex Agent", Role: service.RoleAgent, Password: agentPassword},
		{Email: "other@example.com", Name: "Olga Other", Role: service.RoleAgent, Password: agentPassword},
		{Email: viewerEmail, Name: "Vic Viewer", Role: service.RoleViewer, Password: agentPassword},
	} {
		if _, err := svc.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(web.New(svc, quiet).Handler())
	t.Cleanup(srv.Close)
	return srv, svc, st, clk
}

func TestWeb_Import(t *testing.T) {
	srv, svc, st, clk := importServer(t)
	ctx := testutil.Admin(context.Background())
	b := newBrowser(t, srv)
	wantStatus(t, b.signIn(agentEmail, agentPassword), http.StatusSeeOther)

	t.Run("the form", func(t *testing.T) {
		page := b.get("/import")
		wantStatus(t, page, 200)
		for _, want := range []string{
			`<form method="post" action="/import" enctype="multipart/form-data"`,
			`<label class="choice" for="kind-invoices"><input type="radio" id="kind-invoices" name="kind" value="invoices">`,
			`<label for="file">CSV file</label>`, `<label for="date_format">Date format</label>`,
			`<label for="map-from-1">`, `<label for="map-to-payments-1">`,
			"<code>customer_ref</code> <span class=\"req\">required</span>", "<code>invoice_number</code>",
			"at most 50 MB", "Nothing has been imported yet.", `href="/import" aria-current="page"`,
		} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the import page lacks %q", want)
			}
		}
		// The file comes after the token in the form.
		if strings.Index(page.Body, `name="csrf_token"`) > strings.Index(page.Body, `name="file"`) {
			t.Errorf("the form puts the file before the CSRF token")
		}
		noInline(t, "/import", page.Body)
	})

	t.Run("good files: preview, confirm, rows in the store", func(t *testing.T) {
		before := testutil.Counts(t, st)
		preview := b.stage(uploadForm{kind: "customers", filename: "people.csv",
			data: []byte("external_ref,name,email\nG-1,Grace Gray,grace@example.com\nG-2,Gil Green,\nG-3,\"Gus, the Third\",gus@example.com\n")})
		page := b.get(preview)
		wantStatus(t, page, 200)
		if diff := cmp.Diff(before, testutil.Counts(t, st)); diff != "" {
			t.Fatalf("the preview wrote (-before +after):\n%s", diff)
		}
		for name, want := range map[string]string{"rows": "3", "inserted": "3", "updated": "0", "unchanged": "0"} {
			if got := count(t, page.Body, name); got != want {
				t.Errorf("preview %s = %s, want %s", name, got, want)
			}
		}
		for _, want := range []string{"people.csv", "No problems found", "Confirm import", `<th scope="col"><code>external_ref</code></th>`,
			`<td>Gus, the Third</td>`, `<td>grace@example.com</td>`} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the preview lacks %q", want)
			}
		}
		noInline(t, preview, page.Body)

		r := b.confirm(preview)
		wantStatus(t, r, http.StatusSeeOther)
		if r.Header.Get("Location") != preview {
			t.Errorf("confirm → %q", r.Header.Get("Location"))
		}
		done := b.get(preview)
		if count(t, done.Body, "inserted") != "3" || !strings.Contains(done.Body, `href="/customers"`) || !strings.Contains(done.Body, "Import done") {
			t.Errorf("the result page:\n%s", done.Body)
		}
		c, err := svc.Customer(ctx, "G-3")
		if err != nil || c.Name != "Gus, the Third" || c.Email != "gus@example.com" {
			t.Fatalf("G-3 stored as %+v, %v", c, err)
		}

		// Confirming again imports nothing and shows the first result.
		after := testutil.Counts(t, st)
		r = b.confirm(preview)
		wantStatus(t, r, http.StatusSeeOther)
		again := b.get(r.Header.Get("Location"))
		if !strings.Contains(again.Body, "You had confirmed this file already") || count(t, again.Body, "inserted") != "3" {
			t.Errorf("second confirmation:\n%s", again.Body)
		}
		if diff := cmp.Diff(after, testutil.Counts(t, st)); diff != "" {
			t.Errorf("the second confirmation wrote (-before +after):\n%s", diff)
		}

		// Invoices with their own column names and day-first dates.
		preview = b.stage(uploadForm{kind: "invoices", filename: "inv.csv", dateFormat: "DD/MM/YYYY",
			maps: [][2]string{{"Invoice No", "number"}, {"Client", "customer_ref"}},
			data: []byte("Invoice No,Client,issue_date,due_date,currency,amount,Memo\nGI-1,G-1,01/03/2026,31/03/2026,EUR,150.5,x\nGI-2,G-2,15/03/2026,14/04/2026,EUR,99.99,y\n")})
		page = b.get(preview)
		for _, want := range []string{"dates as DD/MM/YYYY", "<code>Client</code> → <code>customer_ref</code>", "<code>Memo</code>",
			`<td>GI-2</td><td>G-2</td><td>15/03/2026</td>`} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the invoices preview lacks %q", want)
			}
		}
		if count(t, page.Body, "inserted") != "2" {
			t.Errorf("would insert %s, want 2", count(t, page.Body, "inserted"))
		}
		wantStatus(t, b.confirm(preview), http.StatusSeeOther)
		inv, err := svc.Invoice(ctx, "GI-1")
		if err != nil || inv.Amount.String() != "150.50" || inv.IssueDate.String() != "2026-03-01" || inv.DueDate.String() != "2026-03-31" {
			t.Fatalf("GI-1 stored as %+v, %v", inv, err)
		}

		// The same customers file again: the preview says it was imported.
		preview = b.stage(uploadForm{kind: "customers", filename: "people.csv",
			data: []byte("external_ref,name,email\nG-1,Grace Gray,grace@example.com\nG-2,Gil Green,\nG-3,\"Gus, the Third\",gus@example.com\n")})
		if page := b.get(preview); !strings.Contains(page.Body, "importing it again changes nothing") {
			t.Errorf("a repeated file is not recognised:\n%s", page.Body)
		}

		// Both imports are listed, newest first, as the agent's.
		list := b.get("/import").Body
		i, c2 := strings.Index(list, "<td>invoices</td>"), strings.Index(list, "<td>customers</td>")
		if i < 0 || c2 < 0 || i > c2 || !strings.Contains(list, "<td>You</td>") || !strings.Contains(list, `<td class="file-name">inv.csv</td>`) {
			t.Errorf("recent imports:\n%s", list)
		}
	})

	t.Run("bad file: every error by line and column; confirm refused", func(t *testing.T) {
		before := testutil.Counts(t, st)
		file := "number,customer_ref,issue_date,due_date,currency,amount\n" +
			"B-1,G-1,2026-03-01,2026-03-31,EUR,10.00\n" + // line 2: fine
			"B-2,G-1,2026-03-01,2026-03-31,EUR,ten\n" + // line 3: bad amount
			"B-3,G-1,2026-03-01,2026-03-31,EUR\n" + // line 4: a column missing
			"B-4,NOBODY,2026-03-01,2026-03-31,EUR,5.00\n" // line 5: unknown customer
		preview := b.stage(uploadForm{kind: "invoices", filename: "bad.csv", data: []byte(file)})
		page := b.get(preview)
		wantStatus(t, page, 200)
		rows := errorRows(page.Body)
		if len(rows) != 3 || rows[0][0] != "3" || rows[0][1] != "amount" || rows[1][0] != "4" || rows[1][1] != "" ||
			!strings.Contains(rows[1][2], "has 5 columns, the header has 6") || rows[2][0] != "5" || rows[2][1] != "customer_ref" ||
			!strings.Contains(rows[2][2], `unknown customer "NOBODY"`) {
			t.Errorf("problems listed: %q", rows)
		}
		// Errors come before the rows; the bad lines are marked in them.
		if e, s := strings.Index(page.Body, "import-errors"), strings.Index(page.Body, "import-sample"); e < 0 || s < 0 || e > s {
			t.Errorf("the errors are not listed first")
		}
		if n := strings.Count(page.Body, `class="row-bad"`); n != 3 {
			t.Errorf("%d rows marked bad, want 3", n)
		}
		if strings.Contains(page.Body, "Confirm import") || !strings.Contains(page.Body, "3 of 4 rows have errors") {
			t.Errorf("a bad file can be confirmed, or the summary is missing:\n%s", page.Body)
		}
		r := b.confirm(preview)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if len(errorRows(r.Body)) != 3 {
			t.Errorf("the refused confirmation does not list the problems")
		}
		if diff := cmp.Diff(before, testutil.Counts(t, st)); diff != "" {
			t.Errorf("a bad file wrote (-before +after):\n%s", diff)
		}

		// A required column missing from the header: line 1, that column.
		preview = b.stage(uploadForm{kind: "payments", filename: "p.csv", data: []byte("customer_ref,received_on,currency\nG-1,2026-03-01,EUR\n")})
		rows = errorRows(b.get(preview).Body)
		if len(rows) != 1 || rows[0][0] != "1" || rows[0][1] != "amount" || !strings.Contains(rows[0][2], "required column is missing") {
			t.Errorf("missing column: %q", rows)
		}
	})

	t.Run("form errors next to the fields", func(t *testing.T) {
		csv := []byte("external_ref,name\nF-1,Fay\n")
		for name, tc := range map[string]struct {
			form  uploadForm
			field string // the id of the field's error
			want  string
		}{
			"no kind":      {uploadForm{filename: "f.csv", data: csv}, "kind-error", "Choose what the file holds."},
			"no file":      {uploadForm{kind: "customers", noFile: true}, "file-error", "Choose a CSV file."},
			"empty file":   {uploadForm{kind: "customers", filename: "e.csv"}, "file-error", "The file is empty"},
			"date format":  {uploadForm{kind: "customers", filename: "f.csv", data: csv, dateFormat: "DD/MM/YYYYY"}, "date-format-error", "DD/MM/YYYYY"},
			"mapping to":   {uploadForm{kind: "customers", filename: "f.csv", data: csv, maps: [][2]string{{"Ref", "amount"}}}, "map-to-customers-1-error", `Customers files have no column &#34;amount&#34;`},
			"mapping from": {uploadForm{kind: "customers", filename: "f.csv", data: csv, maps: [][2]string{{"", "name"}}}, "map-from-1-error", "Type the name of the file"},
			"no target":    {uploadForm{kind: "customers", filename: "f.csv", data: csv, maps: [][2]string{{"Ref", ""}}}, "map-to-customers-1-error", "Choose the settle column"},
		} {
			r := b.upload(tc.form)
			if r.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d", name, r.StatusCode)
				continue
			}
			re := regexp.MustCompile(`aria-describedby="[^"]*` + tc.field + `"[^>]*>[\s\S]*?<p class="field-error" id="` + tc.field + `">([^<]*)</p>`)
			m := re.FindStringSubmatch(r.Body)
			if m == nil || !strings.Contains(m[1], tc.want) {
				t.Errorf("%s: no error %q linked to its field:\n%s", name, tc.want, r.Body)
			}
			if !strings.Contains(r.Body, `role="alert"`) {
				t.Errorf("%s: no alert", name)
			}
		}
		// What was entered is kept.
		r := b.upload(uploadForm{kind: "invoices", filename: "f.csv", data: csv, dateFormat: "DD.MM.YYYY", maps: [][2]string{{"Client", "customer_ref"}, {"Nope", ""}}})
		for _, want := range []string{`value="invoices" checked`, `value="DD.MM.YYYY"`, `name="map_from" value="Client"`, `<option value="customer_ref" selected>`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the form lost %q", want)
			}
		}
	})

	t.Run("oversize", func(t *testing.T) {
		big := bytes.Repeat([]byte("external_ref,name\n"), web.MaxUploadBytes/18+1)
		if len(big) <= web.MaxUploadBytes {
			t.Fatalf("the file is only %d bytes", len(big))
		}
		start := time.Now()
		r := b.upload(uploadForm{kind: "customers", filename: "big.csv", data: big})
		wantStatus(t, r, http.StatusRequestEntityTooLarge)
		t.Logf("oversize refused in %s", time.Since(start))
		if !regexp.MustCompile(`<p class="field-error" id="file-error">The file is larger than 50 MB`).MatchString(r.Body) {
			t.Errorf("oversize is not explained next to the file:\n%.2000s", r.Body)
		}
		// Exactly the limit is taken (one long row, quick to check).
		head := "external_ref,name\nL-1,\""
		atLimit := append([]byte(head), bytes.Repeat([]byte("x"), web.MaxUploadBytes-len(head)-2)...)
		atLimit = append(atLimit, '"', '\n')
		start = time.Now()
		wantStatus(t, b.upload(uploadForm{kind: "customers", filename: "limit.csv", data: atLimit}), http.StatusSeeOther)
		t.Logf("a %d-byte upload staged in %s", len(atLimit), time.Since(start))
	})

	t.Run("staged files: the owner's, until they expire", func(t *testing.T) {
		preview := b.stage(uploadForm{kind: "customers", filename: "o.csv", data: []byte("external_ref,name\nO-1,Olive\n")})
		o := newBrowser(t, srv)
		wantStatus(t, o.signIn("other@example.com", agentPassword), http.StatusSeeOther)
		wantStatus(t, o.get(preview), http.StatusNotFound)
		wantStatus(t, o.confirm(preview), http.StatusNotFound)
		wantStatus(t, b.get("/import/stg_AAAAAAAAAAAAAAAAAAAAAAAAAA"), http.StatusNotFound)
		wantStatus(t, b.get("/import/anything"), http.StatusNotFound)
		wantStatus(t, b.get(preview), 200)
		clk.add(service.StagedImportLifetime)
		wantStatus(t, b.get(preview), http.StatusNotFound)
		r := b.confirm(preview)
		wantStatus(t, r, http.StatusNotFound)
		if !strings.Contains(r.Body, "expired") {
			t.Errorf("404 does not say why:\n%s", r.Body)
		}
		if _, err := svc.Customer(ctx, "O-1"); err == nil {
			t.Errorf("an expired file was imported")
		}
	})

	t.Run("CSRF", func(t *testing.T) {
		csv := []byte("external_ref,name\nX-1,Xena\n")
		for name, tok := range map[string]string{"none": "-", "wrong": strings.Repeat("A", 43)} {
			r := b.upload(uploadForm{token: tok, kind: "customers", filename: "x.csv", data: csv})
			wantStatus(t, r, http.StatusForbidden)
			_ = name
		}
		preview := b.stage(uploadForm{kind: "customers", filename: "x.csv", data: csv})
		wantStatus(t, b.do(http.MethodPost, preview+"/confirm", url.Values{}), http.StatusForbidden)
		wantStatus(t, b.do(http.MethodPost, preview+"/confirm", url.Values{"csrf_token": {strings.Repeat("B", 43)}}), http.StatusForbidden)
		// From another site, even with the token.
		tok := match(t, csrfAttr, b.get("/import").Body)
		wantStatus(t, b.do(http.MethodPost, preview+"/confirm", url.Values{"csrf_token": {tok}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"), http.StatusForbidden)
		if _, err := svc.Customer(ctx, "X-1"); err == nil {
			t.Errorf("a forged confirmation imported the file")
		}
		// Signed out: sent to sign in, nothing read.
		anon := newBrowser(t, srv)
		r := anon.upload(uploadForm{token: "-", kind: "customers", filename: "x.csv", data: csv})
		wantStatus(t, r, http.StatusUnauthorized)
	})

	t.Run("viewers see the page without the form", func(t *testing.T) {
		wantStatus(t, b.confirm(b.stage(uploadForm{kind: "customers", filename: "seen.csv", data: []byte("external_ref,name\nS-1,Sid\n")})), http.StatusSeeOther)
		v := newBrowser(t, srv)
		wantStatus(t, v.signIn(viewerEmail, agentPassword), http.StatusSeeOther)
		page := v.get("/import")
		wantStatus(t, page, 200)
		if strings.Contains(page.Body, `action="/import"`) || !strings.Contains(page.Body, "Your role (viewer)") || !strings.Contains(page.Body, `<td class="file-name">seen.csv</td>`) {
			t.Errorf("the viewer's import page:\n%s", page.Body)
		}
		tok := match(t, csrfAttr, page.Body)
		r := v.upload(uploadForm{token: tok, kind: "customers", filename: "v.csv", data: []byte("external_ref,name\nV-1,Vera\n")})
		wantStatus(t, r, http.StatusForbidden)
	})
}

// BenchmarkImportPage renders /import over the demo organisation, with
// its recent imports.
func BenchmarkImportPage(b *testing.B) {
	svc := fixture(b)
	h := web.New(svc, quiet).Handler()
	secret, err := svc.SignIn(context.Background(), agentEmail, agentPassword)
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/import", nil)
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: secret})
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 || !strings.Contains(w.Body.String(), "Upload and preview") {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// thousandInvoices is a 1,000-row invoices file for the demo's customers.
func thousandInvoices(b *testing.B, svc *service.Service) []byte {
	custs, _, err := svc.Customers(testutil.Admin(context.Background()), store.CustomerFilter{Page: store.Page{Limit: 500}})
	if err != nil || len(custs) == 0 {
		b.Fatalf("customers: %d, %v", len(custs), err)
	}
	var buf bytes.Buffer
	buf.WriteString("number,customer_ref,issue_date,due_date,currency,amount\n")
	for i := range 1000 {
		c := custs[i%len(custs)]
		fmt.Fprintf(&buf, "BENCH-%06d,%s,2026-03-%02d,2026-04-%02d,USD,%d.%02d\n", i, c.ExternalRef, i%28+1, i%28+1, 50+i%700, i%100)
	}
	return buf.Bytes()
}

func stagePost(b *testing.B, h http.Handler, secret, token string, data []byte) *httptest.ResponseRecorder {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf_token", token)
	w.WriteField("kind", "invoices")
	fw, _ := w.CreateFormFile("file", "thousand.csv")
	fw.Write(data)
	w.Close()
	req := httptest.NewRequest(http.MethodPost, "/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: secret})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// BenchmarkImportPreview renders the preview page of a staged 1,000-row
// invoices file (the page only: the dry run was done at upload).
func BenchmarkImportPreview(b *testing.B) {
	svc := fixture(b)
	h := web.New(svc, quiet).Handler()
	secret, err := svc.SignIn(context.Background(), agentEmail, agentPassword)
	if err != nil {
		b.Fatal(err)
	}
	u, err := svc.SessionActor(context.Background(), secret)
	if err != nil {
		b.Fatal(err)
	}
	rec := stagePost(b, h, secret, u.CSRFToken, thousandInvoices(b, svc))
	if rec.Code != http.StatusSeeOther {
		b.Fatalf("upload: %d\n%s", rec.Code, rec.Body)
	}
	req := httptest.NewRequest(http.MethodGet, rec.Header().Get("Location"), nil)
	req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: secret})
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `data-count="inserted">1,000<`) {
			b.Fatalf("status %d:\n%.3000s", w.Code, w.Body)
		}
	}
}

// BenchmarkImportUpload uploads a 1,000-row invoices file: reading it,
// its dry run (every row checked, inserted and rolled back) and staging.
func BenchmarkImportUpload(b *testing.B) {
	svc := fixture(b)
	h := web.New(svc, quiet).Handler()
	secret, err := svc.SignIn(context.Background(), agentEmail, agentPassword)
	if err != nil {
		b.Fatal(err)
	}
	u, err := svc.SessionActor(context.Background(), secret)
	if err != nil {
		b.Fatal(err)
	}
	data := thousandInvoices(b, svc)
	b.ReportAllocs()
	for b.Loop() {
		if rec := stagePost(b, h, secret, u.CSRFToken, data); rec.Code != http.StatusSeeOther {
			b.Fatalf("upload: %d", rec.Code)
		}
	}
}
