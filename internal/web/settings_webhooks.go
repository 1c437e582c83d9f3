package web

import (
	"net/http"
	"strings"

	"settle/internal/service"
	"settle/internal/store"
)

// Webhooks (administrators only): subscriptions, their signing secret
// shown once, enable and disable, and each one's recent deliveries.

type webhookRow struct {
	ID, URL, Events, Created string
	Active                   bool
}

type webhookForm struct {
	URL    string
	Events map[string]bool
	Active bool
	Errors map[string]string
}

func (f webhookForm) Error(field string) string { return f.Errors[field] }

type webhooksData struct {
	Hooks  []webhookRow
	Form   webhookForm
	Events []string
}

type webhookCreated struct {
	Secret string
	Hook   webhookRow
}

type deliveryRow struct {
	ID, Event, Status, Created, Last string
	Attempts, Code                   int
	Error                            string
}

type webhookDetail struct {
	Hook       webhookRow
	Deliveries []deliveryRow
	More       bool
}

func webhookRowOf(h store.Webhook) webhookRow {
	return webhookRow{ID: h.ID, URL: h.URL, Events: strings.Join(h.Events, ", "), Created: formatTime(h.CreatedAt), Active: h.Active}
}

// webhooks lists every subscription (with their secrets: kept here, never shown).
func (s *Server) webhooks(r *http.Request) ([]store.Webhook, error) {
	var out []store.Webhook
	p := store.Page{Limit: 500}
	for {
		list, next, err := s.svc.Webhooks(r.Context(), p)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
		if next == "" {
			return out, nil
		}
		p.Cursor = next
	}
}

func (s *Server) webhooksData(r *http.Request) (*webhooksData, error) {
	hooks, err := s.webhooks(r)
	if err != nil {
		return nil, err
	}
	d := &webhooksData{Events: service.WebhookEvents, Form: webhookForm{Active: true, Events: map[string]bool{}}}
	for _, h := range hooks {
		d.Hooks = append(d.Hooks, webhookRowOf(h))
	}
	return d, nil
}

func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	d, err := s.webhooksData(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := newSettingsView(u, "webhooks", "webhooks", d)
	switch r.URL.Query().Get("done") {
	case "enabled":
		v.Notice = "Webhook enabled: events are sent to it again."
	case "disabled":
		v.Notice = "Webhook disabled: no events are sent to it until it is enabled."
	}
	s.renderSettings(w, r, u, http.StatusOK, "Webhooks", v)
}

// createWebhook subscribes a URL; the answer (201) shows the signing
// secret, this once.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	f := webhookForm{URL: strings.TrimSpace(r.PostForm.Get("url")), Events: map[string]bool{}, Active: r.PostForm.Get("active") != ""}
	events := r.PostForm["events"]
	for _, e := range events {
		f.Events[e] = true
	}
	active := f.Active
	v, err := s.svc.CreateWebhook(r.Context(), service.WebhookInput{URL: f.URL, Events: events, Active: &active})
	if err == nil {
		sv := newSettingsView(u, "webhook-created", "webhooks", webhookCreated{Secret: v.Secret, Hook: webhookRowOf(v.Webhook)})
		s.renderSettings(w, r, u, http.StatusCreated, "Webhook added", sv)
		return
	}
	fields, ae, ok := settingsFormErrors(err, nil)
	if !ok {
		s.serverError(w, r, err)
		return
	}
	f.Errors = fields
	d, derr := s.webhooksData(r)
	if derr != nil {
		s.serverError(w, r, derr)
		return
	}
	d.Form = f
	sv := newSettingsView(u, "webhooks", "webhooks", d)
	sv.Alert = "The webhook was not added: correct the fields marked below."
	s.renderSettings(w, r, u, statusOf(ae.Code), "Webhooks", sv)
}

func (s *Server) webhookByID(r *http.Request, id string) (*store.Webhook, error) {
	hooks, err := s.webhooks(r)
	if err != nil {
		return nil, err
	}
	for i := range hooks {
		if hooks[i].ID == id {
			return &hooks[i], nil
		}
	}
	return nil, nil
}

// webhookPage shows a subscription and its recent deliveries.
func (s *Server) webhookPage(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	h, err := s.webhookByID(r, r.PathValue("id"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if h == nil {
		s.errorPage(w, r, http.StatusNotFound, "There is no such webhook.")
		return
	}
	list, next, err := s.svc.WebhookDeliveries(r.Context(), h.ID, store.Page{Limit: 50})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := webhookDetail{Hook: webhookRowOf(*h), More: next != ""}
	for _, dl := range list {
		row := deliveryRow{ID: dl.ID, Event: dl.Event, Status: dl.Status, Created: formatTime(dl.CreatedAt),
			Attempts: dl.Attempts, Code: dl.LastStatusCode, Error: dl.LastError}
		switch {
		case dl.DeliveredAt != nil:
			row.Last = "Delivered " + formatTime(*dl.DeliveredAt)
		case dl.Status == store.DeliveryPending && !dl.NextAttemptAt.IsZero():
			row.Last = "Next attempt " + formatTime(dl.NextAttemptAt)
		}
		d.Deliveries = append(d.Deliveries, row)
	}
	s.renderSettings(w, r, u, http.StatusOK, "Webhook", newSettingsView(u, "webhook", "webhooks", d))
}

// toggleWebhook enables (action=enable) or disables (action=disable) a
// subscription; its URL and events stay.
func (s *Server) toggleWebhook(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	action := r.PostForm.Get("action")
	if action != "enable" && action != "disable" {
		s.errorPage(w, r, http.StatusBadRequest, "Unknown action.")
		return
	}
	h, err := s.webhookByID(r, r.PathValue("id"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if h == nil {
		s.errorPage(w, r, http.StatusNotFound, "There is no such webhook.")
		return
	}
	active := action == "enable"
	if _, err := s.svc.UpdateWebhook(r.Context(), h.ID, service.WebhookInput{URL: h.URL, Events: h.Events, Active: &active}); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/settings/webhooks?done="+action+"d#webhook-"+h.ID, http.StatusSeeOther)
}
