package civil

import (
	"strings"
	"testing"
	"time"
)

func mustLayout(t *testing.T, format string) Layout {
	t.Helper()
	l, err := ParseLayout(format)
	if err != nil {
		t.Fatalf("ParseLayout(%q): %v", format, err)
	}
	return l
}

func TestParseLayout_Valid(t *testing.T) {
	for _, format := range []string{
		"DD/MM/YYYY", "MM/DD/YYYY", "D.M.YYYY", "YYYY-MM-DD", "YYYYMMDD",
		"DD.MM.YY", "D/M/YY", "YYYY M D", "M/D/YYYY", "DDMMYYYY", "YYYY-MM-D",
	} {
		t.Run(format, func(t *testing.T) {
			l := mustLayout(t, format)
			if l.String() != format {
				t.Errorf("String() = %q, want %q", l.String(), format)
			}
		})
	}
}

func TestParseLayout_Invalid(t *testing.T) {
	tests := []struct {
		name    string
		format  string
		wantMsg string // substring
	}{
		{"empty", "", "exactly once"},
		{"lower case", "dd/mm/yyyy", `unknown token "d"`},
		{"three Y", "DD/MM/YYY", `unknown token "YYY"`},
		{"five Y", "YYYYY-MM-DD", `unknown token "YYYYY"`},
		{"month name", "DD-MMM-YYYY", `unknown token "MMM"`},
		{"three D", "DDD/MM/YYYY", `unknown token "DDD"`},
		{"unknown letter", "DD/MM/YYYY hh", `unknown token "h"`},
		{"comma separator", "DD,MM,YYYY", `unknown token ","`},
		{"non-ASCII", "DD·MM·YYYY", `unknown token "·"`},
		{"no year", "DD/MM", "exactly once"},
		{"two years", "YYYY/MM/DD/YY", "exactly once"},
		{"two days", "DD/MM/YYYY/D", "exactly once"},
		{"no month", "DD/YYYY", "exactly once"},
		{"ambiguous D then M", "DM/YYYY", "separator"},
		{"ambiguous M then YYYY", "D/MYYYY", "separator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLayout(tt.format)
			if err == nil {
				t.Fatalf("ParseLayout(%q): want error", tt.format)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ParseLayout(%q) error = %q, want it to contain %q", tt.format, err, tt.wantMsg)
			}
			if !strings.Contains(err.Error(), `"`+tt.format+`"`) {
				t.Errorf("ParseLayout(%q) error = %q does not name the format", tt.format, err)
			}
		})
	}
}

func TestLayout_Parse(t *testing.T) {
	jan5 := date(2026, time.January, 5)
	dec31 := date(2026, time.December, 31)
	tests := []struct {
		format  string
		in      string
		want    Date
		wantErr string // substring; "" means success
	}{
		{"DD/MM/YYYY", "05/01/2026", jan5, ""},
		{"DD/MM/YYYY", "31/12/2026", dec31, ""},
		{"DD/MM/YYYY", "5/01/2026", Date{}, "does not match"},
		{"DD/MM/YYYY", "05/1/2026", Date{}, "does not match"},
		{"DD/MM/YYYY", "05/01/26", Date{}, "does not match"},
		{"DD/MM/YYYY", "31/02/2026", Date{}, "not a real calendar date"},
		{"DD/MM/YYYY", "29/02/2026", Date{}, "not a real calendar date"},
		{"DD/MM/YYYY", "29/02/2028", date(2028, time.February, 29), ""},
		{"DD/MM/YYYY", "05/13/2026", Date{}, "not a real calendar date"},
		{"DD/MM/YYYY", "05/01/2026 ", Date{}, "does not match"},
		{"DD/MM/YYYY", "05-01-2026", Date{}, "does not match"},
		{"DD/MM/YYYY", "00/01/2026", Date{}, "not a real calendar date"},
		{"DD/MM/YYYY", "05/01/0000", Date{}, "not a real calendar date"},
		{"MM/DD/YYYY", "01/05/2026", jan5, ""},
		{"MM/DD/YYYY", "12/31/2026", dec31, ""},
		{"MM/DD/YYYY", "31/12/2026", Date{}, "not a real calendar date"},
		{"D.M.YYYY", "5.1.2026", jan5, ""},
		{"D.M.YYYY", "05.01.2026", jan5, ""},
		{"D.M.YYYY", "31.12.2026", dec31, ""},
		{"D.M.YYYY", "123.1.2026", Date{}, "does not match"},
		{"D.M.YYYY", ".1.2026", Date{}, "does not match"},
		{"D.M.YYYY", "5.1.", Date{}, "does not match"},
		{"D/M/YY", "5/1/26", jan5, ""},
		{"D/M/YY", "5/1/2026", Date{}, "does not match"},
		{"DD.MM.YY", "31.12.99", date(2099, time.December, 31), ""},
		{"YYYY-MM-DD", "2026-01-05", jan5, ""},
		{"YYYY-MM-DD", "2026-1-5", Date{}, "does not match"},
		{"YYYY-MM-D", "2026-01-5", jan5, ""},
		{"YYYY-MM-D", "2026-01-31", date(2026, time.January, 31), ""},
		{"YYYYMMDD", "20260105", jan5, ""},
		{"YYYYMMDD", "2026015", Date{}, "does not match"},
		{"YYYYMMDD", "202601051", Date{}, "does not match"},
		{"YYYYMMDD", "2026-105", Date{}, "does not match"},
		{"YYYY M D", "2026 1 5", jan5, ""},
		{"YYYY M D", "2026  1 5", Date{}, "does not match"},
		{"DD/MM/YYYY", "", Date{}, "does not match"},
		{"DD/MM/YYYY", "+5/01/2026", Date{}, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.format+"/"+tt.in, func(t *testing.T) {
			l := mustLayout(t, tt.format)
			got, err := l.Parse(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Parse(%q): %v", tt.in, err)
				}
				if got != tt.want {
					t.Errorf("Parse(%q) = %v, want %v", tt.in, got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error", tt.in, got)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantErr) || !strings.Contains(msg, `"`+tt.in+`"`) || !strings.Contains(msg, `"`+tt.format+`"`) {
				t.Errorf("Parse(%q) error = %q, want %q quoting value and format", tt.in, msg, tt.wantErr)
			}
		})
	}
}

func TestLayout_ZeroValue(t *testing.T) {
	var l Layout
	if _, err := l.Parse("2026-01-05"); err == nil {
		t.Error("zero Layout parsed a date, want error")
	}
}

func TestISOLayout_MatchesParse(t *testing.T) {
	if ISOLayout.String() != "YYYY-MM-DD" {
		t.Errorf("ISOLayout = %q", ISOLayout)
	}
	for _, s := range []string{"2026-01-05", "2028-02-29", "2026-02-29", "2026-1-05", "0000-01-01", "x"} {
		want, wantErr := Parse(s)
		got, err := ISOLayout.Parse(s)
		if got != want || (err == nil) != (wantErr == nil) {
			t.Errorf("ISOLayout.Parse(%q) = %v, %v; Parse gives %v, %v", s, got, err, want, wantErr)
		}
	}
}

func BenchmarkLayout_Parse(b *testing.B) {
	l, err := ParseLayout("DD/MM/YYYY")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Parse("05/01/2026"); err != nil {
			b.Fatal(err)
		}
	}
}
