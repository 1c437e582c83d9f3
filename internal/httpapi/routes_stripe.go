package httpapi

import (
	"encoding/json"
	"io"
	"net/http"

	"settle/internal/apperr"
)

// maxWebhookBody bounds a provider's webhook delivery (Stripe's events are
// a few kilobytes).
const maxWebhookBody = 1 << 20

// stripeRoutes registers the endpoint Stripe delivers events to. It is
// outside /v1 (no bearer token): the Stripe-Signature header, an HMAC of
// the body under the endpoint's signing secret, is the credential, checked
// by the service before it reads anything. Answers: 200 when processed (or
// a repeat of an event processed already); 400 when the signature or the
// body is bad (nothing is recorded; Stripe shows the failure); 404 when
// online payments are not configured; 500 on a server fault (Stripe
// retries for up to three days, and a retry is safe: events are processed
// once per id). Not in the OpenAPI document: it is Stripe's to call.
func (s *Server) stripeRoutes() {
	s.mux.HandleFunc("POST /webhooks/stripe", s.stripeWebhook)
}

func (s *Server) stripeWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		writeProblem(w, &Problem{Type: problemType(http.StatusBadRequest), Title: http.StatusText(http.StatusBadRequest), Status: http.StatusBadRequest,
			Detail: "the body cannot be read (at most 1 MiB)"})
		return
	}
	res, err := s.svc.HandleOnlineWebhook(r.Context(), body, r.Header.Get("Stripe-Signature"))
	if err != nil {
		p := problemOf(s.log, err)
		if apperr.CodeOf(err) == apperr.Invalid {
			p.Status, p.Title, p.Type = http.StatusBadRequest, http.StatusText(http.StatusBadRequest), problemType(http.StatusBadRequest)
			s.log.Warn("stripe webhook refused", "err", err)
		}
		writeProblem(w, p)
		return
	}
	s.log.Info("stripe webhook", "event", res.EventID, "type", res.Type, "duplicate", res.Duplicate, "outcome", res.Outcome)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"received": true, "duplicate": res.Duplicate})
}
