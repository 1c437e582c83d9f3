package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Request body limits (docs/api.md, docs/security.md). A file import may be
// large; every other write is a small JSON document. Anything larger is
// refused with 413 before a byte of it reaches a transaction; bigger files
// go through `settle import`, which streams them from disk.
const (
	// DefaultImportMaxBytes is the default limit of POST /v1/imports/…
	// (SETTLE_IMPORT_MAX_BYTES). 10 MiB is about 200,000 invoice rows.
	DefaultImportMaxBytes = 10 << 20
	// MaxBodyBytes is the limit of every other request body: JSON writes
	// and the raw email of POST /v1/inbound/emails.
	MaxBodyBytes = 1 << 20
)

// bodyLimit is the most bytes r's body may have.
func (s *Server) bodyLimit(r *http.Request) int64 {
	if strings.HasPrefix(r.URL.Path, "/v1/imports/") {
		if s.ImportMaxBytes > 0 {
			return s.ImportMaxBytes
		}
		return DefaultImportMaxBytes
	}
	return MaxBodyBytes
}

// limitBody refuses a body over the route's limit with 413: at once when
// Content-Length says so, otherwise when a read passes the limit (chunked
// bodies), which fails the read with *http.MaxBytesError (problemOf maps
// it to 413; the transaction reading it rolls back).
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		limit := s.bodyLimit(r)
		if r.ContentLength > limit {
			// Close the connection: the client may still be sending.
			w.Header().Set("Connection", "close")
			writeProblem(w, tooLarge(limit))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// tooLarge is the 413 problem for a body over limit bytes.
func tooLarge(limit int64) *Problem {
	detail := fmt.Sprintf("the request body is larger than %s", byteSize(limit))
	if limit > MaxBodyBytes {
		detail += "; import larger files with `settle import`, which streams them"
	}
	return &Problem{Type: problemType(http.StatusRequestEntityTooLarge), Title: http.StatusText(http.StatusRequestEntityTooLarge),
		Status: http.StatusRequestEntityTooLarge, Detail: detail}
}

// asTooLarge returns the 413 problem when err comes from reading past a
// body limit.
func asTooLarge(err error) (*Problem, bool) {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return tooLarge(mb.Limit), true
	}
	return nil, false
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
