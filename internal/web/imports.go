package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"settle/internal/apperr"
	"settle/internal/service"
	"settle/internal/store"
)

// The import page: choose what a CSV file holds (customers, invoices or
// payments), the file, its date format and, if its columns are named
// otherwise, which of its columns is which settle column. The upload is
// checked by a dry run of the import and kept server-side
// (service.StageImport); the preview shows what the import would do, the
// first rows as they will be read and every error by line and column.
// Confirming imports exactly the bytes the preview checked. Agents and
// admins import; viewers see the recent imports only.

// importRoutes registers the section's pages.
func (s *Server) importRoutes() {
	s.mux.HandleFunc("GET /import", s.user(s.importPage))
	s.mux.HandleFunc("POST /import", s.withUpload(s.importUpload))
	s.mux.HandleFunc("GET /import/{id}", s.user(s.stagedImportPage))
	s.mux.HandleFunc("POST /import/{id}/confirm", s.user(s.confirmImport))
}

// MaxUploadBytes is the largest file the import page takes.
const MaxUploadBytes = service.MaxStagedImportBytes

// mappingRows is how many "file column → settle column" pairs the form has.
const mappingRows = 5

// importKinds are the kinds of file, in the form's order.
var importKinds = []struct{ Key, Label string }{
	{"customers", "Customers"},
	{"invoices", "Invoices"},
	{"payments", "Payments"},
}

// dateFormats are suggested for the date format field.
var dateFormats = []string{"YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "D.M.YYYY", "DD.MM.YYYY"}

func init() {
	sectionFuncs["importSize"] = service.ByteSize
	sectionFuncs["importCount"] = func(n int) string { return formatMajor(int64(n)) }
}

type importKind struct {
	Key, Label         string
	Required, Optional []string
}

type importView struct {
	CanImport   bool
	Kinds       []importKind
	DateFormats []string
	Form        importForm
	MaxSize     string
	Recent      []recentImport
}

// importForm is the upload form as entered, with field errors.
type importForm struct {
	Kind, DateFormat string
	Mapping          []mappingRow
	Errors           map[string]string // field → message
}

type mappingRow struct {
	N        int
	From, To string
}

func (f importForm) Error(field string) string { return f.Errors[field] }

func (f *importForm) fail(field, msg string) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	if _, ok := f.Errors[field]; !ok {
		f.Errors[field] = msg
	}
}

type recentImport struct {
	store.Import
	By string
}

func (s *Server) importView(r *http.Request, u *service.SignedIn, form importForm) (*importView, error) {
	v := &importView{CanImport: u.Actor.Role != service.RoleViewer, DateFormats: dateFormats, Form: form,
		MaxSize: service.ByteSize(MaxUploadBytes)}
	for _, k := range importKinds {
		req, opt, err := service.ImportColumns(k.Key)
		if err != nil {
			return nil, err
		}
		v.Kinds = append(v.Kinds, importKind{Key: k.Key, Label: k.Label, Required: req, Optional: opt})
	}
	for len(v.Form.Mapping) < mappingRows {
		v.Form.Mapping = append(v.Form.Mapping, mappingRow{})
	}
	for i := range v.Form.Mapping {
		v.Form.Mapping[i].N = i + 1
	}
	recent, err := s.svc.RecentImports(r.Context(), 10)
	if err != nil {
		return nil, err
	}
	for _, im := range recent {
		by := im.Actor
		if by == u.Actor.ID {
			by = "You"
		}
		v.Recent = append(v.Recent, recentImport{Import: im, By: by})
	}
	return v, nil
}

func validKind(k string) bool {
	return slices.ContainsFunc(importKinds, func(x struct{ Key, Label string }) bool { return x.Key == k })
}

// importPage shows the upload form (not to viewers) and the recent imports.
func (s *Server) importPage(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	q := r.URL.Query()
	form := importForm{Kind: q.Get("kind"), DateFormat: q.Get("date_format")}
	if !validKind(form.Kind) {
		form.Kind = "customers"
	}
	v, err := s.importView(r, u, form)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "import", "", pageFor(u, "Import", "import", v))
}

// ---- the upload ---------------------------------------------------------------------

// upload is a multipart form read up to its file: the fields before it,
// and the file part, left to be read by the handler (which knows by then
// who is asking).
type upload struct {
	fields url.Values
	mr     *multipart.Reader
	file   *multipart.Part
	err    error
}

type uploadKey struct{}

// Upload limits: the form's other fields, and the whole request.
const (
	maxUploadField  = 64 << 10
	maxUploadFields = 64
	maxUploadBody   = MaxUploadBytes + 1<<20
)

// withUpload is s.user for a multipart upload form. The session's CSRF
// token is a form field, as on every form; s.user would find it by
// parsing the whole form (within a 1 MB limit), which a file of up to
// 50 MB defeats. So the fields before the file (the form puts the token
// first) are read here and the token is handed on in the header s.user
// also accepts; the file itself is read only by the handler, that is
// after the session and the token have been checked.
func (s *Server) withUpload(h func(http.ResponseWriter, *http.Request, *service.SignedIn)) http.HandlerFunc {
	inner := s.user(h)
	return func(w http.ResponseWriter, r *http.Request) {
		up := &upload{fields: url.Values{}}
		r.Body = http.MaxBytesReader(w, r.Body, maxUploadBody)
		if up.mr, up.err = r.MultipartReader(); up.err == nil {
			up.err = up.readFields(true)
		}
		if tok := up.fields.Get(CSRFField); tok != "" && r.Header.Get(CSRFHeader) == "" {
			r.Header.Set(CSRFHeader, tok)
		}
		inner(w, r.WithContext(context.WithValue(r.Context(), uploadKey{}, up)))
	}
}

// readFields reads form fields until the file part (untilFile) or the end.
func (up *upload) readFields(untilFile bool) error {
	for {
		p, err := up.mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if p.FormName() == "file" {
			if !untilFile {
				return errors.New("more than one file")
			}
			up.file = p
			return nil
		}
		if len(up.fields) >= maxUploadFields {
			return errors.New("too many fields")
		}
		b, err := io.ReadAll(io.LimitReader(p, maxUploadField+1))
		if err != nil {
			return err
		}
		if len(b) > maxUploadField {
			return fmt.Errorf("field %q is too long", p.FormName())
		}
		up.fields.Add(p.FormName(), string(b))
	}
}

// importUpload stages the uploaded file and shows its preview.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	if u.Actor.Role == service.RoleViewer {
		s.errorPage(w, r, http.StatusForbidden, "Your role (viewer) may not import files.")
		return
	}
	up, _ := r.Context().Value(uploadKey{}).(*upload)
	if up == nil || up.mr == nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read: send it as multipart/form-data.")
		return
	}
	status := http.StatusUnprocessableEntity
	var data []byte
	filename := ""
	if up.err == nil && up.file != nil {
		filename = cleanFilename(up.file.FileName())
		var err error
		data, err = io.ReadAll(io.LimitReader(up.file, MaxUploadBytes+1))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig) || len(data) > MaxUploadBytes:
			status = http.StatusRequestEntityTooLarge
		case err != nil:
			up.err = err
		default:
			up.err = up.readFields(false) // any fields after the file
		}
	}
	form := importForm{Kind: up.fields.Get("kind"), DateFormat: strings.TrimSpace(up.fields.Get("date_format"))}
	froms, tos := up.fields["map_from"], up.fields["map_to_"+form.Kind] // one select per kind: the chosen kind's counts
	for i := range max(len(froms), len(tos)) {
		row := mappingRow{}
		if i < len(froms) {
			row.From = strings.TrimSpace(froms[i])
		}
		if i < len(tos) {
			row.To = strings.TrimSpace(tos[i])
		}
		form.Mapping = append(form.Mapping, row)
	}
	var mapping map[string]string
	switch {
	case status == http.StatusRequestEntityTooLarge:
		form.fail("file", fmt.Sprintf("The file is larger than %s, the most this page takes. Split it, or use settle import on the command line.", service.ByteSize(MaxUploadBytes)))
	case up.err != nil:
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read ("+up.err.Error()+"). Reload the page and try again.")
		return
	case up.file == nil || (filename == "" && len(data) == 0):
		form.fail("file", "Choose a CSV file.")
	case len(data) == 0:
		form.fail("file", "The file is empty: it needs a header row and at least one row.")
	}
	if !validKind(form.Kind) {
		form.fail("kind", "Choose what the file holds.")
	} else {
		mapping = checkMapping(&form)
	}
	if form.Errors == nil {
		st, err := s.svc.StageImport(r.Context(), form.Kind, data, service.ImportOptions{Filename: filename,
			DateFormat: form.DateFormat, Mapping: mapping})
		if err == nil {
			http.Redirect(w, r, "/import/"+st.ID, http.StatusSeeOther)
			return
		}
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Invalid || len(ae.Fields) == 0 || ae.Fields[0].Field == "" {
			s.serverError(w, r, err)
			return
		}
		for _, f := range ae.Fields {
			form.fail(f.Field, sentence(f.Message)+".")
		}
	}
	v, err := s.importView(r, u, form)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "import", "", pageFor(u, "Import", "import", v))
}

// checkMapping checks the form's column pairs against the kind's columns
// and returns them as a mapping (errors go to the rows' fields).
func checkMapping(f *importForm) map[string]string {
	req, opt, _ := service.ImportColumns(f.Kind)
	m := map[string]string{}
	seen := map[string]bool{}
	for i, row := range f.Mapping {
		n := strconv.Itoa(i + 1)
		switch {
		case row.From == "" && row.To == "":
			continue
		case row.From == "":
			f.fail("map_from_"+n, "Type the name of the file's column.")
		case row.To == "":
			f.fail("map_to_"+n, fmt.Sprintf("Choose the settle column that %q holds.", row.From))
		case !slices.Contains(req, row.To) && !slices.Contains(opt, row.To):
			f.fail("map_to_"+n, fmt.Sprintf("%s files have no column %q.", sentence(f.Kind), row.To))
		case seen[strings.ToLower(row.From)]:
			f.fail("map_from_"+n, fmt.Sprintf("%q is mapped twice.", row.From))
		default:
			seen[strings.ToLower(row.From)] = true
			m[row.From] = row.To
		}
	}
	return m
}

// cleanFilename keeps the base name of an uploaded file, at most 200 bytes.
func cleanFilename(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" {
		return ""
	}
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name))
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// ---- the preview and the result -----------------------------------------------------

type stagedView struct {
	*service.StagedImport
	KindLabel string
	Checked   string // how long the dry run took
	MapRows   []mappingRow
	ErrLines  map[int]bool
	Errors    []apperr.FieldError // the preview's, or the failed confirmation's
	Message   string
	Omitted   int
	Again     bool   // confirmed before: the first result is shown
	Alert     string // a problem that belongs to no row
}

func (s *Server) stagedView(st *service.StagedImport) *stagedView {
	v := &stagedView{StagedImport: st, KindLabel: sentence(st.Kind), Errors: st.Preview.Errors,
		Message: st.Preview.Message, Omitted: st.Preview.Omitted, ErrLines: map[int]bool{}}
	v.Checked = fmt.Sprintf("%.1f ms", float64(st.Preview.Took)/float64(time.Millisecond))
	if st.Preview.Took >= 10*time.Second {
		v.Checked = st.Preview.Took.Round(time.Second).String()
	}
	// The preview's summary is the import's ("…; nothing was imported"):
	// true, but the question here is whether it can be.
	v.Message = strings.TrimSuffix(v.Message, "; nothing was imported")
	for from, to := range st.Mapping {
		v.MapRows = append(v.MapRows, mappingRow{From: from, To: to})
	}
	slices.SortFunc(v.MapRows, func(a, b mappingRow) int { return strings.Compare(a.From, b.From) })
	for _, e := range v.Errors {
		v.ErrLines[e.Line] = true
	}
	return v
}

// stagedImportPage shows a staged file's preview, or its import's result.
func (s *Server) stagedImportPage(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	st, err := s.svc.StagedImport(r.Context(), r.PathValue("id"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := s.stagedView(st)
	v.Again = r.URL.Query().Get("again") == "1" && st.Result != nil
	s.render(w, r, http.StatusOK, "import_preview", "", pageFor(u, stagedTitle(st), "import", v))
}

func stagedTitle(st *service.StagedImport) string {
	if st.Result != nil {
		return "Import done"
	}
	return "Import preview"
}

// confirmImport imports a staged file (once).
func (s *Server) confirmImport(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	st, again, err := s.svc.ConfirmStagedImport(r.Context(), id)
	if err == nil {
		to := "/import/" + id
		if again {
			to += "?again=1"
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	var ae *apperr.Error
	if st == nil || !errors.As(err, &ae) || (ae.Code != apperr.Invalid && ae.Code != apperr.Conflict) {
		s.serverError(w, r, err)
		return
	}
	// The import refused the file (it changed since the preview, or the
	// data did): nothing was written; show why.
	v := s.stagedView(st)
	status := http.StatusConflict
	v.Alert = ae.Message
	if ae.Code == apperr.Invalid {
		status = http.StatusUnprocessableEntity
		v.Errors, v.Message, v.Omitted, v.ErrLines = ae.Fields, ae.Message, ae.Omitted, map[int]bool{}
		for _, e := range ae.Fields {
			v.ErrLines[e.Line] = true
		}
		v.Alert = ""
	}
	s.render(w, r, status, "import_preview", "", pageFor(u, "Import preview", "import", v))
}
