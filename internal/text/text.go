// Package text holds the one check every free-text field goes through: a
// maximum length in characters (runes), valid UTF-8, and no control
// characters except a newline (and tab) where a line break means something,
// as in notes. Every transport (API, staff web, portal, CSV) reaches it
// through the domain and service validation, so a field has the same limit
// on every path. The limits are documented in docs/security.md.
//
// Why limits at all: a 200,000-character accepted_by used to be stored and
// then printed in every agreement PDF; control characters (CR, LF, ESC) in a
// single-line field corrupt logs, CSV exports and letters.
package text

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Maximum lengths in characters, by kind of field.
const (
	Code  = 64   // identifiers and short codes: external_ref, invoice number, segment, category
	Name  = 200  // a person's or company's name; accepted_by; a policy name
	Line  = 500  // a single line of free text: a reason, an address line, a payment reference
	Email = 254  // an email address (RFC 5321 path limit)
	URL   = 2048 // a URL (webhooks)
	Note  = 4000 // multi-line free text: interaction notes, evidence, task notes, messages
)

// Check returns "" when s is valid UTF-8, at most max characters and free of
// control characters; otherwise what is wrong, phrased to follow a field name
// ("accepted_by is longer than 200 characters").
func Check(s string, max int) string { return check(s, max, false) }

// CheckNote is Check for multi-line text: newlines (LF, and CR in a CRLF
// pair) and tabs are allowed, every other control character is not.
func CheckNote(s string, max int) string { return check(s, max, true) }

func check(s string, max int, multiline bool) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	// Counting stops one past the limit: the answer needs no more.
	n := 0
	for i, r := range s {
		n++
		if n > max {
			return "is longer than " + strconv.Itoa(max) + " characters"
		}
		if !unicode.IsControl(r) {
			continue
		}
		if multiline && (r == '\n' || r == '\t' || (r == '\r' && i+1 < len(s) && s[i+1] == '\n')) {
			continue
		}
		return "contains a control character (" + strconv.QuoteRune(r) + ")" + lineHint(multiline)
	}
	return ""
}

func lineHint(multiline bool) string {
	if multiline {
		return ""
	}
	return "; it must be a single line"
}

// Adder is what collects field errors (apperr.Fields).
type Adder interface {
	Add(field, format string, args ...any)
}

// Field checks a single-line field and adds its problem to fs under field.
func Field(fs Adder, field, s string, max int) {
	if msg := Check(s, max); msg != "" {
		fs.Add(field, "%s", msg)
	}
}

// NoteField checks a multi-line field and adds its problem to fs under field.
func NoteField(fs Adder, field, s string, max int) {
	if msg := CheckNote(s, max); msg != "" {
		fs.Add(field, "%s", msg)
	}
}
