// Package httpapi is settle's REST API (contract.md): huma operations on a
// net/http ServeMux, bearer-token auth, RFC 9457 problems, idempotency
// keys, cursor pagination, /openapi.json, /healthz and /metrics. Handlers
// only translate HTTP into service calls.
package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"settle/internal/apperr"
	"settle/internal/obs"
	"settle/internal/service"
	"settle/internal/store"
)

// ContentSecurityPolicy is sent with every API response: they are data
// (JSON, PDF, metrics), never pages, so nothing may load or frame them.
const ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'"

// Version is the API version reported in the OpenAPI document.
const Version = "0.1.0"

// Server is the HTTP API.
type Server struct {
	svc     *service.Service
	log     *slog.Logger
	mux     *http.ServeMux
	api     huma.API
	metrics *obs.Metrics
	access  *slog.Logger // the access log of Handler; nil: none

	// ImportMaxBytes is the largest body POST /v1/imports/… accepts
	// (SETTLE_IMPORT_MAX_BYTES); 0: DefaultImportMaxBytes.
	ImportMaxBytes int64
}

// New builds the API over svc with a metrics registry of its own (the
// queue depths of svc's store included); /metrics serves it.
func New(svc *service.Service, log *slog.Logger) *Server { return NewWith(svc, log, nil) }

// NewWith builds the API over svc counting its requests in m and serving
// m on /metrics (nil: as New). When SETTLE_METRICS_TOKEN is set, /metrics
// asks for it as a bearer token. With log nil, errors go to slog.Default
// and Handler writes no access log (tools and benchmarks).
func NewWith(svc *service.Service, log *slog.Logger, m *obs.Metrics) *Server {
	access := log
	if log == nil {
		log = slog.Default()
	}
	if m == nil {
		m = obs.NewMetrics()
		if st := svc.Store(); st != nil {
			m.Register(obs.NewQueueCollector(st, 0, log))
		}
	}
	s := &Server{svc: svc, log: log, mux: http.NewServeMux(), metrics: m, access: access}

	cfg := huma.DefaultConfig("settle API", Version)
	cfg.CreateHooks = nil // no $schema links: response shapes are exactly contract.md's
	cfg.DocsPath = ""     // the docs page would load scripts from a CDN
	cfg.OpenAPI.Info.Description = "Collect late payments through negotiated plans. Money is a decimal string with the currency's minor digits; dates are YYYY-MM-DD."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "A token from `settle token create --role admin|agent|viewer`."},
	}
	cfg.Security = []map[string][]string{{"bearer": {}}}
	cfg.Transformers = append(cfg.Transformers, stampProblem)
	s.api = humago.New(s.mux, cfg)
	s.routes()
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.Handle("GET /metrics", m.Handler(os.Getenv("SETTLE_METRICS_TOKEN")))
	return s
}

// API exposes the huma API (for the OpenAPI document in tests and tools).
func (s *Server) API() huma.API { return s.api }

// Handler is the whole HTTP handler with middleware, request ids,
// metrics and the access log included (obs.Middleware).
func (s *Server) Handler() http.Handler {
	return obs.Middleware(s.Unobserved(), obs.Options{Metrics: s.metrics, Log: s.access, Route: s.Route})
}

// Unobserved is Handler without obs.Middleware, for a caller that puts
// one around more than the API (settle serve: UI and API on one listener).
func (s *Server) Unobserved() http.Handler {
	return nosniff(s.authenticate(s.limitBody(s.idempotent(http.HandlerFunc(s.serveMux)))))
}

// serveMux serves r by its route; a request under /v1/ that no route
// takes (an unknown path, or a method the path does not have) gets the
// mux's status as problem JSON, like every other API error, instead of
// its plain text.
func (s *Server) serveMux(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern != "" || !strings.HasPrefix(r.URL.Path, "/v1/") {
		s.mux.ServeHTTP(w, r)
		return
	}
	rec := &headerRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	status := rec.status
	if status < 400 {
		// The mux redirects a path to its clean form ("/v1/x/../y"): let it.
		s.mux.ServeHTTP(w, r)
		return
	}
	if allow := rec.header.Get("Allow"); allow != "" {
		w.Header().Set("Allow", allow)
	}
	detail := fmt.Sprintf("no endpoint %s %s", r.Method, r.URL.EscapedPath())
	if status == http.StatusMethodNotAllowed {
		detail = fmt.Sprintf("%s is not allowed on %s (allowed: %s)", r.Method, r.URL.EscapedPath(), rec.header.Get("Allow"))
	}
	writeProblem(w, &Problem{Type: problemType(status), Title: http.StatusText(status), Status: status, Detail: detail})
}

// headerRecorder keeps the status and headers a handler writes and drops
// its body.
type headerRecorder struct {
	header http.Header
	status int
}

func (r *headerRecorder) Header() http.Header { return r.header }
func (r *headerRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return len(b), nil
}
func (r *headerRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

// Route is the pattern of the API route that serves r ("" if none).
func (s *Server) Route(r *http.Request) string {
	_, pattern := s.mux.Handler(r)
	return pattern
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	if err := s.svc.Store().Ping(ctx); err != nil {
		s.log.Error("healthz: store does not answer", "err", err, "request_id", obs.RequestID(r.Context()))
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"status":"unavailable"}`+"\n")
		return
	}
	_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
}

// statusRecorder remembers the status and, when asked, the body.
type statusRecorder struct {
	http.ResponseWriter
	status int
	body   *bytes.Buffer
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.body != nil {
		r.body.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

// nosniff sets X-Content-Type-Options, and a CSP and Referrer-Policy that
// allow nothing (an API answer is never a page), on every API response.
func nosniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// authenticate requires a valid bearer token on /v1/ and puts the actor
// in the request context.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/v1/") {
			next.ServeHTTP(w, r)
			return
		}
		h := r.Header.Get("Authorization")
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || secret == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="settle"`)
			writeProblem(w, problemOf(s.log, apperr.Errorf(apperr.Unauthorized, "missing bearer token: send Authorization: Bearer <token>")))
			return
		}
		actor, err := s.svc.Authenticate(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="settle", error="invalid_token"`)
			writeProblem(w, problemOf(s.log, err))
			return
		}
		next.ServeHTTP(w, r.WithContext(service.WithActor(r.Context(), actor)))
	})
}

// abandonedAfter is how long a reserved key may stay unanswered (its
// request's process died) before another request may take it over.
const abandonedAfter = 2 * time.Minute

// reserveKey records rec (status 0) unless the key is known; it returns
// the known record, or nil when this request now holds the key.
func (s *Server) reserveKey(ctx context.Context, rec *store.IdempotencyRecord) (prior *store.IdempotencyRecord, abandoned bool, err error) {
	for attempt := 0; ; attempt++ {
		prior, abandoned = nil, false
		err := s.svc.Store().Tx(ctx, func(tx store.Tx) error {
			var err error
			if prior, err = tx.Idempotency(ctx, rec.Actor, rec.Key); err != nil || prior != nil {
				abandoned = prior != nil && tx.Now().Sub(prior.CreatedAt) > abandonedAfter
				// Only a reservation with nothing committed may be taken
				// over: an executed one (its process died after its write)
				// must not run again.
				if prior != nil && prior.Status == 0 && abandoned {
					prior = nil
					if err := tx.ReleaseIdempotency(ctx, rec.Actor, rec.Key); err != nil {
						return err
					}
				} else {
					return err
				}
			}
			rec.CreatedAt = time.Time{}
			return tx.SaveIdempotency(ctx, rec)
		})
		// Two first requests raced: the loser reads the winner's record.
		if apperr.CodeOf(err) == apperr.Conflict && attempt == 0 {
			continue
		}
		return prior, abandoned, err
	}
}

// idempotent replays the first response to a write that repeats an
// Idempotency-Key with the same body; the same key with another body is a
// 422, and while the first request still runs, a 409. The key is reserved
// before the request runs, so two concurrent requests never both execute.
// Responses of 5xx are not kept, so the client may retry them.
func (s *Server) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" || r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 {
			writeProblem(w, problemOf(s.log, apperr.Field("Idempotency-Key", "is longer than 255 characters")))
			return
		}
		actor := service.ActorFrom(r.Context())
		body, err := io.ReadAll(r.Body)
		if p, ok := asTooLarge(err); ok {
			writeProblem(w, p)
			return
		}
		if err != nil {
			writeProblem(w, problemOf(s.log, apperr.Errorf(apperr.Invalid, "cannot read the request body: %v", err)))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		io.WriteString(h, r.Method+" "+r.URL.RequestURI()+"\n")
		h.Write(body)
		hash := hex.EncodeToString(h.Sum(nil))

		rec := &store.IdempotencyRecord{Actor: actor.ID, Key: key, Method: r.Method, Path: r.URL.Path, RequestHash: hash}
		prior, abandoned, err := s.reserveKey(r.Context(), rec)
		if err != nil {
			writeProblem(w, problemOf(s.log, err))
			return
		}
		if prior != nil {
			switch {
			case prior.RequestHash != hash:
				writeProblem(w, problemOf(s.log, apperr.Field("Idempotency-Key", "was used for a different request (%s %s)", prior.Method, prior.Path)))
			case prior.Status == store.IdempotencyExecuted && abandoned:
				// The write committed, then the server stopped before it
				// could store the response: running it again would do it
				// twice, and the response is gone.
				w.Header().Set("Idempotent-Outcome", "executed")
				writeProblem(w, problemOf(s.log, apperr.Errorf(apperr.Conflict,
					"the request with this Idempotency-Key was carried out, but the server stopped before its response was stored: read the resource to see the result")))
			case prior.Status == 0 || prior.Status == store.IdempotencyExecuted:
				w.Header().Set("Retry-After", "1")
				writeProblem(w, problemOf(s.log, apperr.Errorf(apperr.Conflict, "a request with this Idempotency-Key is still in progress")))
			default:
				w.Header().Set("Content-Type", "application/json")
				if prior.Status >= 400 {
					w.Header().Set("Content-Type", "application/problem+json")
				}
				w.Header().Set("Idempotent-Replayed", "true")
				w.WriteHeader(prior.Status)
				_, _ = w.Write(prior.Body)
			}
			return
		}
		out := &statusRecorder{ResponseWriter: w, body: &bytes.Buffer{}}
		next.ServeHTTP(out, r.WithContext(store.WithIdempotencyKey(r.Context(), actor.ID, key)))
		ctx := context.WithoutCancel(r.Context())
		err = s.svc.Store().Tx(ctx, func(tx store.Tx) error {
			if out.status >= 500 || out.status == 0 {
				// Let the client retry; a request that committed a write
				// keeps its executed mark (ReleaseIdempotency drops only a
				// bare reservation), so the retry is told, not run twice.
				return tx.ReleaseIdempotency(ctx, actor.ID, key)
			}
			return tx.FinishIdempotency(ctx, actor.ID, key, out.status, out.body.Bytes())
		})
		if err != nil {
			s.log.Warn("idempotency record not completed", "err", err, "request_id", obs.RequestID(r.Context()))
		}
	})
}
