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
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"settle/internal/apperr"
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
	svc      *service.Service
	log      *slog.Logger
	mux      *http.ServeMux
	api      huma.API
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	registry *prometheus.Registry
}

// New builds the API over svc.
func New(svc *service.Service, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{svc: svc, log: log, mux: http.NewServeMux(), registry: prometheus.NewRegistry()}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "settle_http_requests_total",
		Help: "HTTP requests by route and status."}, []string{"route", "status"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "settle_http_request_seconds",
		Help: "HTTP request latency by route.", Buckets: prometheus.DefBuckets}, []string{"route"})
	s.registry.MustRegister(s.requests, s.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	cfg := huma.DefaultConfig("settle API", Version)
	cfg.CreateHooks = nil // no $schema links: response shapes are exactly contract.md's
	cfg.DocsPath = ""     // the docs page would load scripts from a CDN
	cfg.OpenAPI.Info.Description = "Collect late payments through negotiated plans. Money is a decimal string with the currency's minor digits; dates are YYYY-MM-DD."
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "A token from `settle token create --role admin|agent|viewer`."},
	}
	cfg.Security = []map[string][]string{{"bearer": {}}}
	s.api = humago.New(s.mux, cfg)
	s.routes()
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	return s
}

// API exposes the huma API (for the OpenAPI document in tests and tools).
func (s *Server) API() huma.API { return s.api }

// Handler is the whole HTTP handler with middleware.
func (s *Server) Handler() http.Handler { return s.observe(s.authenticate(s.idempotent(s.mux))) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	if err := s.svc.Store().Ping(ctx); err != nil {
		s.log.Error("healthz: store does not answer", "err", err)
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

// observe records metrics and logs each request (never its headers: they
// carry tokens).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		_, route := s.mux.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		rec := &statusRecorder{ResponseWriter: w}
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		s.requests.WithLabelValues(route, http.StatusText(rec.status)).Inc()
		s.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		s.log.Debug("request", "method", r.Method, "route", route, "status", rec.status, "duration", time.Since(start))
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
func (s *Server) reserveKey(ctx context.Context, rec *store.IdempotencyRecord) (*store.IdempotencyRecord, error) {
	for attempt := 0; ; attempt++ {
		var prior *store.IdempotencyRecord
		err := s.svc.Store().Tx(ctx, func(tx store.Tx) error {
			var err error
			if prior, err = tx.Idempotency(ctx, rec.Actor, rec.Key); err != nil || prior != nil {
				if prior != nil && prior.Status == 0 && tx.Now().Sub(prior.CreatedAt) > abandonedAfter {
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
		return prior, err
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
		prior, err := s.reserveKey(r.Context(), rec)
		if err != nil {
			writeProblem(w, problemOf(s.log, err))
			return
		}
		if prior != nil {
			switch {
			case prior.RequestHash != hash:
				writeProblem(w, problemOf(s.log, apperr.Field("Idempotency-Key", "was used for a different request (%s %s)", prior.Method, prior.Path)))
			case prior.Status == 0:
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
		next.ServeHTTP(out, r)
		ctx := context.WithoutCancel(r.Context())
		err = s.svc.Store().Tx(ctx, func(tx store.Tx) error {
			if out.status >= 500 || out.status == 0 {
				return tx.ReleaseIdempotency(ctx, actor.ID, key) // let the client retry
			}
			return tx.FinishIdempotency(ctx, actor.ID, key, out.status, out.body.Bytes())
		})
		if err != nil {
			s.log.Warn("idempotency record not completed", "err", err)
		}
	})
}
