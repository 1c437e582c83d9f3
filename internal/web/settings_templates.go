package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"unicode/utf8"

	"settle/internal/apperr"
	"settle/internal/notify"
	"settle/internal/service"
)

// The message templates, previewed for a sample customer: pick a step,
// tone, language and channel and see the subject, the text and — for an
// email — the HTML part, which is served from its own URL with its own
// strict CSP (no script at all; its inline styles only) and shown in a
// sandboxed <iframe>; a letter is a PDF link.

// EmailFrameCSP is the policy of an email's HTML part shown in the
// preview frame: nothing may load or run; the email's inline styles apply.
const EmailFrameCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox"

var stepLabels = map[string]string{
	notify.StepReminder: "Reminder (before the due date)", notify.StepDueToday: "Due today", notify.StepOverdue: "Overdue",
	notify.StepFirm: "Firm reminder", notify.StepDemand: "Demand", notify.StepFinal: "Final notice",
	notify.StepInstallmentReminder: "Installment reminder", notify.StepInstallmentMissed: "Installment missed",
	notify.StepInvoiceResend: "Invoice sent again", notify.StepFollowUp: "Follow-up meeting",
	notify.StepPlanDefaulted: "Plan ended (default notice)",
	notify.StepPlanCompleted: "Plan completed (thank you)",
}

var localeLabels = map[string]string{"en": "English", "de": "German (Deutsch)", "fr": "French (français)"}

type choice struct {
	Value, Label string
	Selected     bool
}

type templatesData struct {
	Steps, Tones, Locales, Channels []choice
	Errors                          map[string]string
	Preview                         *service.Preview
	Query                           template.URL // the selection (encoded here), for the frame and PDF URLs
	SMSChars                        int
}

func (d templatesData) Error(field string) string { return d.Errors[field] }

func options(values []string, labels map[string]string, selected string) []choice {
	out := make([]choice, 0, len(values))
	for _, v := range values {
		l := labels[v]
		if l == "" {
			l = v
		}
		out = append(out, choice{Value: v, Label: l, Selected: v == selected})
	}
	return out
}

// previewInput reads the selection from the query, with defaults.
func previewInput(r *http.Request) service.PreviewInput {
	q := r.URL.Query()
	in := service.PreviewInput{Step: q.Get("step"), Tone: q.Get("tone"), Locale: q.Get("locale"), Channel: q.Get("channel")}
	if in.Step == "" {
		in.Step = notify.StepOverdue
	}
	if in.Tone == "" {
		in.Tone = notify.ToneDirect
	}
	if in.Locale == "" {
		in.Locale = "en"
	}
	if in.Channel == "" {
		in.Channel = notify.ChannelEmail
	}
	return in
}

func (in previewQuery) encode() string {
	return url.Values{"step": {in.Step}, "tone": {in.Tone}, "locale": {in.Locale}, "channel": {in.Channel}}.Encode()
}

type previewQuery service.PreviewInput

// templatesPage shows the picker and the preview (htmx: the preview alone).
func (s *Server) templatesPage(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	in := previewInput(r)
	d := templatesData{
		Steps:    options(notify.Steps, stepLabels, in.Step),
		Tones:    options([]string{notify.ToneDirect, notify.ToneIndirect}, map[string]string{"direct": "Direct", "indirect": "Indirect"}, in.Tone),
		Locales:  options(service.PreviewLocales, localeLabels, in.Locale),
		Channels: options(service.PreviewChannels, map[string]string{"email": "Email", "sms": "SMS", "letter": "Letter"}, in.Channel),
		Query:    template.URL(previewQuery(in).encode()),
	}
	status := http.StatusOK
	p, err := s.svc.PreviewMessage(r.Context(), in, s.svc.Today())
	if err != nil {
		fields, _, ok := settingsFormErrors(err, nil)
		if !ok {
			s.serverError(w, r, err)
			return
		}
		d.Errors, status = fields, http.StatusUnprocessableEntity
	} else {
		d.Preview = p
		d.SMSChars = utf8.RuneCountInString(p.Text)
	}
	block := ""
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "preview" {
		block = "template-preview"
	}
	s.render(w, r, status, "settings", block, pageFor(u, "Templates · Settings", "settings", newSettingsView(u, "templates", "templates", d)))
}

// templateEmailHTML serves the HTML part of a previewed email for the
// sandboxed frame, under EmailFrameCSP.
func (s *Server) templateEmailHTML(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	in := previewInput(r)
	in.Channel = notify.ChannelEmail
	p, err := s.svc.PreviewMessage(r.Context(), in, s.svc.Today())
	if err != nil {
		s.previewFailed(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", EmailFrameCSP)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(p.HTML))
}

// templateLetterPDF serves the printed letter of a step.
func (s *Server) templateLetterPDF(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	in := previewInput(r)
	pdf, err := s.svc.LetterPreview(r.Context(), in, s.svc.Today())
	if err != nil {
		s.previewFailed(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `inline; filename="`+in.Step+"-"+in.Tone+"-"+in.Locale+`.pdf"`)
	h.Set("Content-Length", strconv.Itoa(len(pdf)))
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(pdf)
}

func (s *Server) previewFailed(w http.ResponseWriter, r *http.Request, err error) {
	if ae, ok := apperr.As(err); ok && ae.Code == apperr.Invalid {
		s.errorPage(w, r, http.StatusUnprocessableEntity, "There is no such template: "+ae.Error()+".")
		return
	}
	s.serverError(w, r, err)
}
