package text

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		name, s    string
		max        int
		line, note string // "" = valid; otherwise a part of the message
	}{
		{"empty", "", 5, "", ""},
		{"at limit", "abcde", 5, "", ""},
		{"runes not bytes", "ÄÖÜßé", 5, "", ""}, // 10 bytes, 5 characters
		{"one over", "abcdef", 5, "longer than 5 characters", "longer than 5 characters"},
		{"LF", "a\nb", 10, "control character ('\\n'); it must be a single line", ""},
		{"CRLF", "a\r\nb", 10, "control character ('\\r')", ""},
		{"lone CR", "a\rb", 10, "control character ('\\r')", "control character ('\\r')"},
		{"tab", "a\tb", 10, "control character ('\\t')", ""},
		{"ESC", "a\x1b[31m", 10, "control character ('\\x1b')", "control character ('\\x1b')"},
		{"NUL", "a\x00", 10, "control character ('\\x00')", "control character ('\\x00')"},
		{"DEL", "a\x7f", 10, "control character ('\\x7f')", "control character ('\\x7f')"},
		{"C1 NEL", "a\u0085", 10, "control character ('\\u0085')", "control character ('\\u0085')"},
		{"bad UTF-8", "a\xff", 10, "not valid UTF-8", "not valid UTF-8"},
		{"200k", strings.Repeat("x", 200_000), 200, "longer than 200 characters", "longer than 200 characters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []struct {
				kind, want string
				got        string
			}{{"Check", c.line, Check(c.s, c.max)}, {"CheckNote", c.note, CheckNote(c.s, c.max)}} {
				if (k.want == "") != (k.got == "") || !strings.Contains(k.got, k.want) {
					t.Errorf("%s(%q) = %q, want %q", k.kind, c.s[:min(len(c.s), 20)], k.got, k.want)
				}
			}
		})
	}
}
