package civil

import (
	"fmt"
	"time"
)

// Layout parses dates in one user-given format, such as the "DD/MM/YYYY"
// that an accounting tool's CSV export uses. Build one with ParseLayout.
//
// Tokens:
//
//	YYYY  4-digit year 0001..9999
//	YY    2-digit year, meaning 2000..2099
//	MM    2-digit month, DD 2-digit day (leading zero required)
//	M     month with 1 or 2 digits, D day with 1 or 2 digits
//
// and the literal separators '-', '/', '.' and ' '. Year, month and day
// must each appear exactly once. Matching is strict: the whole input must
// match and the date must exist in the calendar.
type Layout struct {
	format string
	fields []field
}

type fieldKind uint8

const (
	fieldLiteral fieldKind = iota
	fieldYear4             // YYYY
	fieldYear2             // YY
	fieldMonth2            // MM
	fieldMonth             // M
	fieldDay2              // DD
	fieldDay               // D
)

type field struct {
	kind fieldKind
	lit  byte // the separator, for fieldLiteral
}

// ISOLayout is "YYYY-MM-DD", the format Parse reads.
var ISOLayout = mustParseLayout("YYYY-MM-DD")

// mustParseLayout is for package-level layouts written in this file only.
func mustParseLayout(format string) Layout {
	l, err := ParseLayout(format)
	if err != nil {
		panic(err)
	}
	return l
}

// ParseLayout checks format and returns its Layout. Errors name the format.
func ParseLayout(format string) (Layout, error) {
	var fields []field
	var years, months, days int
	for i := 0; i < len(format); {
		c := format[i]
		run := 1
		for i+run < len(format) && format[i+run] == c {
			run++
		}
		var f field
		switch {
		case c == 'Y' && run == 4:
			f, years = field{kind: fieldYear4}, years+1
		case c == 'Y' && run == 2:
			f, years = field{kind: fieldYear2}, years+1
		case c == 'M' && run == 2:
			f, months = field{kind: fieldMonth2}, months+1
		case c == 'M' && run == 1:
			f, months = field{kind: fieldMonth}, months+1
		case c == 'D' && run == 2:
			f, days = field{kind: fieldDay2}, days+1
		case c == 'D' && run == 1:
			f, days = field{kind: fieldDay}, days+1
		case c == '-' || c == '/' || c == '.' || c == ' ':
			// Separators are single characters; "--" is two of them.
			f, run = field{kind: fieldLiteral, lit: c}, 1
		case c == 'Y' || c == 'M' || c == 'D':
			return Layout{}, fmt.Errorf("layout %q: unknown token %q", format, format[i:i+run])
		default:
			return Layout{}, fmt.Errorf("layout %q: unknown token %q (want YYYY, YY, MM, M, DD, D or one of \"-/. \")", format, tokenAt(format, i))
		}
		fields = append(fields, f)
		i += run
	}
	if years != 1 || months != 1 || days != 1 {
		return Layout{}, fmt.Errorf("layout %q: year, month and day must each appear exactly once", format)
	}
	// A 1-or-2-digit field directly followed by another number would be
	// ambiguous ("DM" on "111" is 1 Nov or 11 Jan), so it needs a separator.
	for i, f := range fields[:len(fields)-1] {
		if (f.kind == fieldMonth || f.kind == fieldDay) && fields[i+1].kind != fieldLiteral {
			return Layout{}, fmt.Errorf("layout %q: a one-letter M or D must be followed by a separator or the end", format)
		}
	}
	return Layout{format: format, fields: fields}, nil
}

// tokenAt returns the whole (possibly multi-byte) character at format[i],
// so the error does not show half a UTF-8 sequence.
func tokenAt(format string, i int) string {
	for _, r := range format[i:] {
		return string(r)
	}
	return ""
}

// String returns the format the Layout was parsed from.
func (l Layout) String() string { return l.format }

// Parse reads s in l's format. Errors quote both the value and the format.
func (l Layout) Parse(s string) (Date, error) {
	if len(l.fields) == 0 {
		return Date{}, fmt.Errorf("date %q: zero Layout, use ParseLayout", s)
	}
	d, matched := l.scan(s)
	if !matched {
		return Date{}, fmt.Errorf("date %q: does not match format %q", s, l.format)
	}
	if !d.IsValid() {
		return Date{}, fmt.Errorf("date %q: not a real calendar date in format %q", s, l.format)
	}
	if !d.InRange() {
		return Date{}, rangeError{date: s}
	}
	return d, nil
}

// scan matches s against l's fields by hand, without allocating; it checks
// shape only, and Parse checks the calendar.
func (l Layout) scan(s string) (Date, bool) {
	var d Date
	i := 0
	for _, f := range l.fields {
		var n, width int
		var ok bool
		switch f.kind {
		case fieldLiteral:
			if i >= len(s) || s[i] != f.lit {
				return Date{}, false
			}
			i++
			continue
		case fieldYear4:
			width = 4
		case fieldYear2, fieldMonth2, fieldDay2:
			width = 2
		case fieldMonth, fieldDay:
			// One digit, or two if the next byte is a digit too.
			width = 1
			if i+1 < len(s) && isDigit(s[i+1]) {
				width = 2
			}
		}
		if i+width > len(s) {
			return Date{}, false
		}
		n, ok = atoi(s[i : i+width])
		if !ok {
			return Date{}, false
		}
		i += width
		switch f.kind {
		case fieldYear4:
			d.Year = n
		case fieldYear2:
			d.Year = 2000 + n
		case fieldMonth2, fieldMonth:
			d.Month = time.Month(n)
		case fieldDay2, fieldDay:
			d.Day = n
		}
	}
	if i != len(s) {
		return Date{}, false
	}
	return d, true
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }
