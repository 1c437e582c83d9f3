// Package apperr is settle's one application error type. Every layer returns
// *Error for conditions a user can act on; the transports map Code to a status
// in one place. Anything else is an internal error, logged and shown as
// "Internal error." (the benbjohnson/wtf pattern).
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Codes, mapped to HTTP statuses by httpapi and to exit codes by cli.
const (
	Invalid      = "invalid"      // 422: bad input, with field errors
	NotFound     = "not_found"    // 404
	Conflict     = "conflict"     // 409: duplicate or state conflict
	Unauthorized = "unauthorized" // 401
	Forbidden    = "forbidden"    // 403
	Internal     = "internal"     // 500
)

// FieldError names one bad value: a field (JSON name or CSV column), and for
// imports the 1-based line (the header is line 1).
type FieldError struct {
	Field   string `json:"field,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

func (f FieldError) String() string {
	var b strings.Builder
	if f.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", f.Line)
	}
	switch {
	case f.Column != "":
		fmt.Fprintf(&b, "%s: ", f.Column)
	case f.Field != "":
		fmt.Fprintf(&b, "%s: ", f.Field)
	}
	b.WriteString(f.Message)
	return b.String()
}

// Error is an error a user can act on.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// Omitted counts field errors beyond those listed (imports cap the list).
	Omitted int
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	if f := e.Fields[0]; len(e.Fields) == 1 && f.Line == 0 && e.Message == "invalid "+f.Field {
		return e.Message + ": " + f.Message // not "invalid x: x: …"
	}
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.String())
	}
	s := e.Message + ": " + strings.Join(parts, "; ")
	if e.Omitted > 0 {
		s += fmt.Sprintf("; and %d more", e.Omitted)
	}
	return s
}

// Errorf returns an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an Invalid error naming one field.
func Field(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: Invalid, Message: "invalid " + field, Fields: []FieldError{{Field: field, Message: msg}}}
}

// CodeOf returns the code of err, or Internal when err is not an *Error.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err as *Error if it is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Fields collects field errors while validating; Err returns nil when none.
type Fields []FieldError

// Add records a problem with field.
func (fs *Fields) Add(field, format string, args ...any) {
	*fs = append(*fs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns an Invalid *Error listing every field, or nil.
func (fs Fields) Err(what string) error {
	if len(fs) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "invalid " + what, Fields: fs}
}
