package service

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/ids"
	"settle/internal/notify"
	"settle/internal/store"
	"settle/internal/text"
)

// Webhook events (contract.md: invoice overdue, plan accepted, installment
// missed, plan defaulted, message sent).
var WebhookEvents = []string{"invoice.overdue", "plan.accepted", "installment.missed", "plan.defaulted", "message.sent"}

// MaxWebhookAttempts: a delivery still refused after this many attempts is failed.
const MaxWebhookAttempts = 8

// WebhookInput subscribes a URL to events.
type WebhookInput struct {
	URL    string   `json:"url" doc:"https:// (or http:// on loopback) endpoint that receives the events" maxLength:"2048"`
	Events []string `json:"events" doc:"invoice.overdue, plan.accepted, installment.missed, plan.defaulted, message.sent"`
	Active *bool    `json:"active,omitempty" doc:"Default true"`
}

// WebhookView is a subscription; Secret is set only when it was created.
type WebhookView struct {
	store.Webhook
	ShowSecret bool
}

func (in WebhookInput) validate() (*url.URL, []string, error) {
	var fs apperr.Fields
	u, err := url.Parse(strings.TrimSpace(in.URL))
	switch {
	case text.Check(in.URL, text.URL) != "":
		fs.Add("url", "%s", text.Check(in.URL, text.URL))
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		fs.Add("url", "%q must be an absolute http(s) URL", in.URL)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		fs.Add("url", "must be https:// (http:// only on loopback, for tests)")
	case u.User != nil:
		fs.Add("url", "must not carry credentials; the signature authenticates us")
	}
	var events []string
	if len(in.Events) == 0 {
		fs.Add("events", "name at least one of %s", strings.Join(WebhookEvents, ", "))
	}
	for _, e := range in.Events {
		e = strings.TrimSpace(e)
		if !slices.Contains(WebhookEvents, e) {
			fs.Add("events", "%q must be one of %s", e, strings.Join(WebhookEvents, ", "))
			continue
		}
		if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	return u, events, fs.Err("webhook")
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// CreateWebhook subscribes a URL (admins). The signing secret is returned
// this once.
func (s *Service) CreateWebhook(ctx context.Context, in WebhookInput) (*WebhookView, error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	u, events, err := in.validate()
	if err != nil {
		return nil, err
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	w := &store.Webhook{URL: u.String(), Secret: "whsec_" + hex.EncodeToString(b[:]), Events: events, Active: in.Active == nil || *in.Active}
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		if err := tx.InsertWebhook(ctx, w); err != nil {
			return err
		}
		return audit(ctx, tx, "webhook.create", "webhook", w.ID, map[string]any{"url": w.URL, "events": w.Events, "active": w.Active})
	})
	if err != nil {
		return nil, err
	}
	return &WebhookView{Webhook: *w, ShowSecret: true}, nil
}

// UpdateWebhook changes a subscription's URL, events or active flag (admins).
func (s *Service) UpdateWebhook(ctx context.Context, id string, in WebhookInput) (*WebhookView, error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return nil, err
	}
	u, events, err := in.validate()
	if err != nil {
		return nil, err
	}
	var w *store.Webhook
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		if w, err = tx.Webhook(ctx, id); err != nil {
			return err
		}
		w.URL, w.Events = u.String(), events
		if in.Active != nil {
			w.Active = *in.Active
		}
		if err := tx.UpdateWebhook(ctx, w); err != nil {
			return err
		}
		return audit(ctx, tx, "webhook.update", "webhook", w.ID, map[string]any{"url": w.URL, "events": w.Events, "active": w.Active})
	})
	if err != nil {
		return nil, err
	}
	return &WebhookView{Webhook: *w}, nil
}

// Webhooks lists the subscriptions (admins: they hold secrets).
func (s *Service) Webhooks(ctx context.Context, p store.Page) ([]store.Webhook, string, error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return nil, "", err
	}
	var out []store.Webhook
	var next string
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		var err error
		out, next, err = tx.Webhooks(ctx, p)
		return err
	})
	return out, next, err
}

// WebhookDeliveries lists a subscription's deliveries with their attempts.
func (s *Service) WebhookDeliveries(ctx context.Context, id string, p store.Page) ([]store.WebhookDelivery, string, error) {
	if _, err := require(ctx, RoleAdmin); err != nil {
		return nil, "", err
	}
	var out []store.WebhookDelivery
	var next string
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		if _, err := tx.Webhook(ctx, id); err != nil {
			return err
		}
		var err error
		out, next, err = tx.WebhookDeliveries(ctx, id, p)
		return err
	})
	return out, next, err
}

// emit queues an event for every active subscription to it, in the
// caller's transaction (the transactional outbox: the event exists if and
// only if the change that caused it committed).
func emit(ctx context.Context, tx store.Tx, event string, data any) error {
	return emitTo(ctx, tx, nil, event, data)
}

// emitTo is emit with a cache of subscriptions per event (a run's batch
// emits thousands of events; subscriptions do not change within it).
func emitTo(ctx context.Context, tx store.Tx, cache map[string][]store.Webhook, event string, data any) error {
	subs, ok := cache[event]
	if !ok {
		var err error
		if subs, err = tx.WebhooksFor(ctx, event); err != nil {
			return err
		}
		if cache != nil {
			cache[event] = subs
		}
	}
	if len(subs) == 0 {
		return nil
	}
	id := ids.New(ids.Event)
	body, err := json.Marshal(map[string]any{"id": id, "type": event, "created_at": tx.Now().UTC().Format(time.RFC3339), "data": data})
	if err != nil {
		return err
	}
	for _, w := range subs {
		if _, err := tx.InsertWebhookDelivery(ctx, &store.WebhookDelivery{WebhookID: w.ID, EventID: id, Event: event, Payload: body}); err != nil {
			return err
		}
	}
	return nil
}

// Sign is the Settle-Signature header of a body sent at t: the Unix time
// and the hex HMAC-SHA256 of "t.body" under the subscription's secret
// (verify by recomputing; reject old timestamps to stop replays).
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// WebhookReport counts one pass of the webhook sender.
type WebhookReport struct {
	Claimed, Delivered, Retried, Failed int
	Superseded                          int // results dropped: another worker took the claim over
}

// DeliverWebhooks posts the due deliveries: claimed in a transaction,
// POSTed with Settle-Event, Settle-Delivery and Settle-Signature headers,
// and the result stored — delivered on a 2xx, retried with backoff
// otherwise, failed after MaxWebhookAttempts.
func (s *Service) DeliverWebhooks(ctx context.Context, client *http.Client, worker string, limit int) (WebhookReport, error) {
	var rep WebhookReport
	if _, err := require(ctx, RoleAgent); err != nil {
		return rep, err
	}
	defer func() { s.observer().WebhooksDelivered(rep) }()
	var claimed []store.WebhookDelivery
	err := s.store.Tx(ctx, func(tx store.Tx) error {
		var err error
		now := tx.Now()
		claimed, err = tx.ClaimWebhookDeliveries(ctx, worker, now, now.Add(-s.claimTimeout(5*time.Minute)), limit)
		return err
	})
	if err != nil {
		return rep, err
	}
	rep.Claimed = len(claimed)
	for i := range claimed {
		d := &claimed[i]
		var w *store.Webhook
		if err := s.store.ReadTx(ctx, func(tx store.Tx) error {
			var err error
			w, err = tx.Webhook(ctx, d.WebhookID)
			return err
		}); err != nil {
			return rep, err
		}
		code, sendErr := post(ctx, client, w, d, s.now())
		now := s.now().UTC()
		d.Attempts++
		d.LastStatusCode = code
		switch {
		case sendErr == nil:
			d.Status, d.DeliveredAt, d.LastError = store.DeliveryDelivered, &now, ""
			rep.Delivered++
		case d.Attempts >= MaxWebhookAttempts:
			d.Status, d.LastError = store.DeliveryFailed, sendErr.Error()
			rep.Failed++
		default:
			d.Status, d.LastError, d.NextAttemptAt = store.DeliveryPending, sendErr.Error(), now.Add(notify.Backoff(d.Attempts))
			rep.Retried++
		}
		err = s.store.Tx(ctx, func(tx store.Tx) error { return tx.UpdateWebhookDelivery(ctx, d) })
		if apperr.CodeOf(err) == apperr.Conflict {
			rep.Superseded++ // another worker took the claim over: its result stands
			continue
		}
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func post(ctx context.Context, client *http.Client, w *store.Webhook, d *store.WebhookDelivery, now time.Time) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "settle-webhooks/1")
	req.Header.Set("Settle-Event", d.Event)
	req.Header.Set("Settle-Delivery", d.ID)
	req.Header.Set("Settle-Signature", Sign(w.Secret, now, d.Payload))
	res, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("POST %s: %v", w.URL, err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return res.StatusCode, fmt.Errorf("POST %s: %s", w.URL, res.Status)
	}
	return res.StatusCode, nil
}
