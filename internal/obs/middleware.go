package obs

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"
)

// Options configure Middleware.
type Options struct {
	Metrics *Metrics     // nil: no metrics
	Log     *slog.Logger // nil: no access log
	// Route names the pattern that serves r ("" when none does: the
	// request is counted as "unmatched"). Never the raw path: portal paths
	// carry customer tokens.
	Route func(r *http.Request) string
}

// Middleware is the outermost layer: it takes the request's id (a sane
// incoming X-Request-Id, else a new one) into the context and the
// response's X-Request-Id header, counts the request by method, route
// pattern and status, and writes one access-log line (method, route,
// status, bytes, duration, request id — never the path, query, headers or
// cookies). A panic is logged with the request id and answered 500.
func Middleware(next http.Handler, o Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !ValidRequestID(id) {
			id = NewID()
		}
		w.Header().Set(RequestIDHeader, id)
		r = r.WithContext(WithRequestID(r.Context(), id))
		route := ""
		if o.Route != nil {
			route = o.Route(r)
		}
		if route == "" {
			route = "unmatched"
		}
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler { //nolint:errorlint // net/http compares it so too
					panic(p)
				}
				if o.Log != nil {
					o.Log.Error("panic serving a request", "route", route, "request_id", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				}
				if rec.status == 0 {
					http.Error(rec, "Internal error. Request id: "+id, http.StatusInternalServerError)
				}
				rec.status = http.StatusInternalServerError
			}
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			d := time.Since(start)
			method := methodLabel(r.Method)
			if o.Metrics != nil {
				o.Metrics.ObserveRequest(method, route, rec.status, d)
			}
			if o.Log != nil {
				level := slog.LevelInfo
				if route == "GET /metrics" || route == "GET /healthz" {
					level = slog.LevelDebug // probes every few seconds
				}
				o.Log.LogAttrs(r.Context(), level, "request", slog.String("method", method), slog.String("route", route),
					slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
					slog.Float64("duration_ms", float64(d.Microseconds())/1000), slog.String("request_id", id))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// recorder remembers the status and counts the body's bytes.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush passes flushes on (streamed responses).
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		if r.status == 0 {
			r.status = http.StatusOK
		}
		f.Flush()
	}
}

// Hijack passes hijacking on.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := r.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("obs: the response writer cannot be hijacked")
}

// methodLabel keeps the label's values few: the standard methods, or OTHER.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

func statusLabel(code int) string { return strconv.Itoa(code) }
