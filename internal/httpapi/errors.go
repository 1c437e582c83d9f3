package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/validation"

	"settle/internal/apperr"
	"settle/internal/obs"
)

// Problem is an RFC 9457 problem document. Validation problems list every
// bad field; import problems give each row's line and column.
type Problem struct {
	Type    string              `json:"type" doc:"A URI reference naming the kind of problem"`
	Title   string              `json:"title"`
	Status  int                 `json:"status"`
	Detail  string              `json:"detail,omitempty"`
	Errors  []apperr.FieldError `json:"errors,omitempty"`
	Omitted int                 `json:"omitted_errors,omitempty" doc:"Further errors not listed"`
	// RequestID is set on server errors (5xx): quote it to the operator,
	// whose log has the error under it.
	RequestID string `json:"request_id,omitempty" doc:"The request's id (X-Request-Id), on server errors"`

	cause error        // an internal error, logged when the problem is written
	log   *slog.Logger // where
}

// Error implements error.
func (p *Problem) Error() string { return p.Detail }

// GetStatus implements huma.StatusError.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType implements huma.ContentTypeFilter.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

var statusOf = map[string]int{
	apperr.Invalid:      http.StatusUnprocessableEntity,
	apperr.NotFound:     http.StatusNotFound,
	apperr.Conflict:     http.StatusConflict,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.Forbidden:    http.StatusForbidden,
	apperr.Internal:     http.StatusInternalServerError,
}

var codeOfStatus = map[int]string{}

func init() {
	for code, st := range statusOf {
		codeOfStatus[st] = code
	}
	// Huma's own errors (bad JSON, schema violations) come through here too.
	huma.NewError = newHumaError
}

func problemType(status int) string {
	code, ok := codeOfStatus[status]
	if !ok {
		code = strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
	}
	return "/problems/" + code
}

// requiredProperty matches huma's message for a missing required property.
// maxLengthMsg is huma's message for a string over its maxLength.
var maxLengthMsg = regexp.MustCompile(`^expected length <= (\d+)$`)

var requiredProperty = regexp.MustCompile("^" + strings.Replace(regexp.QuoteMeta(validation.MsgExpectedRequiredProperty), "%s", `(\S+)`, 1) + "$")

// newHumaError converts huma's validation details (location "body.amount")
// into settle's field errors ("amount").
func newHumaError(status int, msg string, errs ...error) huma.StatusError {
	p := &Problem{Type: problemType(status), Title: http.StatusText(status), Status: status, Detail: msg}
	for _, e := range errs {
		if e == nil {
			continue
		}
		var d huma.ErrorDetailer
		if errors.As(e, &d) {
			det := d.ErrorDetail()
			field := det.Location
			for _, prefix := range []string{"body.", "query.", "path.", "header."} {
				field = strings.TrimPrefix(field, prefix)
			}
			if field == "body" {
				field = ""
			}
			// A missing property is reported at its parent ("body"); its
			// name is only in the message.
			if m := requiredProperty.FindStringSubmatch(det.Message); m != nil {
				if field == "" {
					field = m[1]
				} else {
					field += "." + m[1]
				}
			}
			msg := det.Message
			// A maxLength tag (the free-text limits, docs/security.md) says it
			// the way the service's own check does, in characters.
			if m := maxLengthMsg.FindStringSubmatch(msg); m != nil {
				msg = "is longer than " + m[1] + " characters"
			}
			p.Errors = append(p.Errors, apperr.FieldError{Field: field, Message: msg})
			continue
		}
		p.Errors = append(p.Errors, apperr.FieldError{Message: e.Error()})
	}
	if status == http.StatusUnprocessableEntity && p.Detail == "validation failed" && len(p.Errors) > 0 {
		p.Detail = "invalid request: " + p.Errors[0].String()
	}
	return p
}

// problemOf maps any service error to a problem. Internal errors are
// logged and shown as "Internal error." (their text may hold secrets or SQL).
func problemOf(log *slog.Logger, err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	if p, ok := asTooLarge(err); ok {
		return p
	}
	var se huma.StatusError
	if errors.As(err, &se) {
		return &Problem{Type: problemType(se.GetStatus()), Title: http.StatusText(se.GetStatus()), Status: se.GetStatus(), Detail: se.Error()}
	}
	if errors.Is(err, context.Canceled) {
		// The client went away: nobody reads this answer, and it is not
		// the server's fault (nginx's 499 is the usual name for it).
		log.Debug("request cancelled by the client", "err", err)
		return &Problem{Type: "/problems/cancelled", Title: "Client Closed Request", Status: 499, Detail: "The request was cancelled."}
	}
	e, ok := apperr.As(err)
	if !ok || e.Code == apperr.Internal {
		// Logged when written (stamp), with the request id.
		return &Problem{Type: problemType(500), Title: http.StatusText(500), Status: 500, Detail: "Internal error.", cause: err, log: log}
	}
	st := statusOf[e.Code]
	return &Problem{Type: problemType(st), Title: http.StatusText(st), Status: st, Detail: e.Error(), Errors: e.Fields, Omitted: e.Omitted}
}

// stamp gives a server error the request id and logs its cause under it
// (once; never the cause's text in the body: it may hold SQL or secrets).
func (p *Problem) stamp(requestID string) {
	if p.Status < 500 {
		return
	}
	p.RequestID = requestID
	if p.cause != nil && p.log != nil {
		p.log.Error("internal error", "err", p.cause, "request_id", requestID)
		p.cause = nil
	}
}

// stampProblem is the huma transformer that stamps the problems that
// handlers return.
func stampProblem(ctx huma.Context, _ string, v any) (any, error) {
	if p, ok := v.(*Problem); ok {
		p.stamp(obs.RequestID(ctx.Context()))
	}
	return v, nil
}

// writeProblem writes p; a server error is stamped with the request id
// that obs.Middleware set on the response.
func writeProblem(w http.ResponseWriter, p *Problem) {
	p.stamp(w.Header().Get(obs.RequestIDHeader))
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
