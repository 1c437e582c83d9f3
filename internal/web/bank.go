package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"settle/internal/apperr"
	"settle/internal/csvin"
	"settle/internal/reconcile"
	"settle/internal/service"
	"settle/internal/store"
)

// The bank page: upload a bank statement (matched lines become payments
// at once), then work the lines held for review — assign each to a
// customer (and optionally a plan or invoice), or ignore it with a reason.
// The customer page's "Record a payment" route is registered here too
// (its handler is customerPayment in customer_forms.go). Errors are shown
// beside the fields (422).

// bankRoutes registers the bank page and the customer payment form.
func (s *Server) bankRoutes() {
	s.mux.HandleFunc("GET /bank", s.user(s.bankPage))
	s.mux.HandleFunc("POST /bank/statement", s.withUpload(s.bankUpload))
	s.mux.HandleFunc("POST /bank/lines/{id}/assign", s.user(s.actor(s.bankAssign)))
	s.mux.HandleFunc("POST /bank/lines/{id}/ignore", s.user(s.actor(s.bankIgnore)))
	s.mux.HandleFunc("POST /customers/{id}/payments", s.user(s.actor(s.customerPayment)))
}

type bankView struct {
	CanAct  bool
	Notice  string
	Alert   string
	Result  *service.BankImportResult
	Upload  bankUploadForm
	Lines   []bankLineRow
	More    bool
	Columns []string
}

type bankUploadForm struct {
	DateFormat, Map string
	Errors          map[string]string
	Problems        []string // per-line problems of a refused file
}

func (f bankUploadForm) Error(field string) string { return f.Errors[field] }

type bankLineRow struct {
	Line     store.BankLine
	Customer string // the likely customer's ref (or id), to prefill the form
	Assign   bankAssignForm
	Ignore   bankIgnoreForm
}

type bankAssignForm struct {
	CustomerID, PlanID, InvoiceID, Note string
	Errors                              map[string]string
}

func (f bankAssignForm) Error(field string) string { return f.Errors[field] }

type bankIgnoreForm struct {
	Reason string
	Errors map[string]string
}

func (f bankIgnoreForm) Error(field string) string { return f.Errors[field] }

// bankLinesShown bounds the review list on one page.
const bankLinesShown = 100

func (s *Server) bankView(r *http.Request, u *service.SignedIn) (*bankView, error) {
	ctx := r.Context()
	lines, next, err := s.svc.BankLines(ctx, service.BankLineFilter{Status: reconcile.StatusReview, Page: store.Page{Limit: bankLinesShown}})
	if err != nil {
		return nil, err
	}
	v := &bankView{CanAct: canAct(u), More: next != "", Columns: append(append([]string{}, csvin.BankStatement.Required...), csvin.BankStatement.Optional...)}
	refs := map[string]string{}
	for _, l := range lines {
		row := bankLineRow{Line: l}
		if l.CustomerID != "" {
			ref, ok := refs[l.CustomerID]
			if !ok {
				ref = l.CustomerID
				if c, err := s.svc.Customer(ctx, l.CustomerID); err == nil && c.ExternalRef != "" {
					ref = c.ExternalRef
				}
				refs[l.CustomerID] = ref
			}
			row.Customer = ref
			row.Assign.CustomerID = ref
		}
		v.Lines = append(v.Lines, row)
	}
	switch r.URL.Query().Get("done") {
	case "assigned":
		v.Notice = "The line is now the customer’s payment."
	case "ignored":
		v.Notice = "The line was set aside with your reason."
	}
	return v, nil
}

func (s *Server) bankPage(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	v, err := s.bankView(r, u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "bank", "", pageFor(u, "Bank", "bank", v))
}

func (s *Server) renderBank(w http.ResponseWriter, r *http.Request, u *service.SignedIn, status int, set func(*bankView)) {
	v, err := s.bankView(r, u)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	set(v)
	s.render(w, r, status, "bank", "", pageFor(u, "Bank", "bank", v))
}

// bankUpload imports a statement and shows what it did.
func (s *Server) bankUpload(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	if !canAct(u) {
		s.errorPage(w, r, http.StatusForbidden, "Your role (viewer) may not import bank statements.")
		return
	}
	up, _ := r.Context().Value(uploadKey{}).(*upload)
	if up == nil || up.mr == nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read: send it as multipart/form-data.")
		return
	}
	f := bankUploadForm{DateFormat: strings.TrimSpace(up.fields.Get("date_format")), Map: strings.TrimSpace(up.fields.Get("map")), Errors: map[string]string{}}
	fail := func(status int) {
		s.renderBank(w, r, u, status, func(v *bankView) { v.Upload = f })
	}
	if up.err != nil || up.file == nil {
		f.Errors["file"] = "Choose the statement’s CSV file."
		fail(http.StatusUnprocessableEntity)
		return
	}
	filename := cleanFilename(up.file.FileName())
	data, err := io.ReadAll(io.LimitReader(up.file, MaxUploadBytes+1))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || len(data) > MaxUploadBytes {
		f.Errors["file"] = fmt.Sprintf("The file is larger than %d MiB.", MaxUploadBytes>>20)
		fail(http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	mapping, err := csvin.ParseMapping(f.Map)
	if err != nil {
		f.Errors["map"] = fieldMessage(err)
		fail(http.StatusUnprocessableEntity)
		return
	}
	res, err := s.svc.ImportBankStatement(r.Context(), strings.NewReader(string(data)), service.BankImportOptions{Filename: filename, DateFormat: f.DateFormat, Mapping: mapping})
	if err != nil {
		fields, alert, status, ok := formErrors(err, nil)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		for k, m := range fields {
			if k == "date_format" || k == "map" {
				f.Errors[k] = m
			}
		}
		if ae, isApp := apperr.As(err); isApp {
			for _, fe := range ae.Fields {
				if fe.Line > 0 || fe.Column != "" {
					f.Problems = append(f.Problems, fe.String())
				}
			}
			if len(f.Problems) > 0 || alert == "" {
				alert = ae.Message
			}
		}
		s.renderBank(w, r, u, status, func(v *bankView) { v.Upload, v.Alert = f, alert })
		return
	}
	s.renderBank(w, r, u, http.StatusOK, func(v *bankView) { v.Result = res; v.Notice = res.Summary() })
}

// bankAssign makes a line held for review the customer's payment.
func (s *Server) bankAssign(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	pf := r.PostForm
	f := bankAssignForm{CustomerID: strings.TrimSpace(pf.Get("customer_id")), PlanID: strings.TrimSpace(pf.Get("plan_id")),
		InvoiceID: strings.TrimSpace(pf.Get("invoice_id")), Note: strings.TrimSpace(pf.Get("note"))}
	_, _, err := s.svc.AssignBankLine(r.Context(), id, service.BankAssignInput{CustomerID: f.CustomerID, PlanID: f.PlanID, InvoiceID: f.InvoiceID, Note: f.Note})
	if err == nil {
		http.Redirect(w, r, "/bank?done=assigned", http.StatusSeeOther)
		return
	}
	fields, alert, status, ok := formErrors(err, nil)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	if _, known := fields["currency"]; known {
		fields["plan_id"] = fields["currency"] // the currency is the line's: the plan or invoice chosen is in another
	}
	f.Errors = fields
	s.renderBank(w, r, u, status, func(v *bankView) {
		v.Alert = alert
		for i := range v.Lines {
			if v.Lines[i].Line.ID == id {
				v.Lines[i].Assign = f
			}
		}
	})
}

// bankIgnore sets a line held for review aside with the reason.
func (s *Server) bankIgnore(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	id := r.PathValue("id")
	f := bankIgnoreForm{Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
	_, err := s.svc.IgnoreBankLine(r.Context(), id, f.Reason)
	if err == nil {
		http.Redirect(w, r, "/bank?done=ignored", http.StatusSeeOther)
		return
	}
	fields, alert, status, ok := formErrors(err, nil)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	f.Errors = fields
	s.renderBank(w, r, u, status, func(v *bankView) {
		v.Alert = alert
		for i := range v.Lines {
			if v.Lines[i].Line.ID == id {
				v.Lines[i].Ignore = f
			}
		}
	})
}

func fieldMessage(err error) string {
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return ae.Fields[0].Message
	}
	return err.Error()
}

// bankPaymentDone is the customer page's notice after a payment by hand.
func bankPaymentDone(id string) string {
	return "/customers/" + url.PathEscape(id) + "?done=payment#payment"
}

func init() {
	sectionFuncs["paymentMethods"] = func() []option { return paymentMethods }
	sectionFuncs["bankStatus"] = func(s string) string {
		switch s {
		case reconcile.StatusReview:
			return "for review"
		case reconcile.StatusMatched:
			return "matched"
		case reconcile.StatusAssigned:
			return "assigned"
		case reconcile.StatusIgnored:
			return "ignored"
		}
		return s
	}
}
