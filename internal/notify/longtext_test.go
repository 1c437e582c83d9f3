package notify

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// longWords is n characters of numbered words ("w0001 w0002 …"), so a test can check
// every word came out, in order.
func longWords(n int) string {
	var b strings.Builder
	for i := 1; b.Len() < n; i++ {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "w%04d", i)
	}
	return b.String()[:n]
}

// longAgreement is the sample plan with 10,000-character free text in every field a
// person can type: the customer's acceptance name and a concession's note.
func longAgreement() AgreementData {
	d := samplePlan()
	long := longWords(10_000)
	d.Acceptance.By = long
	d.Concessions[0].Note = long
	return d
}

// BenchmarkAgreementPDF_LongText renders an agreement whose free-text fields hold
// 10,000 characters. Before the layout was made linear the one-line cells cut text
// with an ellipsis by measuring ever shorter prefixes: seconds per document.
func BenchmarkAgreementPDF_LongText(b *testing.B) {
	d := longAgreement()
	for b.Loop() {
		if _, err := AgreementPDF(d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLetterPDF_LongText renders a letter whose address lines hold 10,000
// characters, with and without spaces.
func BenchmarkLetterPDF_LongText(b *testing.B) {
	d := letterData(b)
	addr := []string{longWords(10_000), strings.Repeat("x", 10_000)}
	for b.Loop() {
		if _, err := LetterPDF("reminder", d, addr); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAgreementPDF_LongNote: a 10,000-character note wraps over as many lines and pages
// as it needs, and every word comes out once, in order.
func TestAgreementPDF_LongNote(t *testing.T) {
	d := samplePlan()
	long := longWords(10_000)
	d.Concessions[2].Note = long
	_, txt, _ := pdfText(t, d)
	got := wordsLike(txt)
	want := wordsLike(long) // the last word may be cut short at 10,000 characters
	if !equalWords(got, want) {
		t.Errorf("the note's words came out as %d words (first difference at %d), want all %d in order",
			len(got), firstDiff(got, want), len(want))
	}
}

// TestAgreementPDF_LongAcceptedBy: a one-line field far wider than its cell is cut to
// fit with an ellipsis; what is printed is the field's start, and the cut is cheap.
func TestAgreementPDF_LongAcceptedBy(t *testing.T) {
	d := samplePlan()
	d.Acceptance.By = longWords(200_000)
	_, txt, _ := pdfText(t, d)
	got := wordsLike(txt)
	if len(got) < 5 {
		t.Fatalf("accepted-by words printed: %v, want the field's first words", got)
	}
	want := strings.Fields(d.Acceptance.By)[:len(got)]
	if !equalWords(got, want) {
		t.Errorf("accepted-by printed %v, want the start of the field %v", got, want)
	}
	if !strings.Contains(txt, "…") {
		t.Error("the cut field has no ellipsis")
	}
}

// TestLetterPDF_LongWord: a word longer than the line is broken over lines instead of
// running off the page; all its characters are printed.
func TestLetterPDF_LongWord(t *testing.T) {
	d := letterData(t)
	word := strings.Repeat("x", 300)
	b, err := LetterPDF("reminder", d, []string{word})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not found (install poppler-utils)")
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	var xs, lines int
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" && strings.Trim(l, "x") == "" {
			xs += len(l)
			lines++
		}
	}
	if xs != 300 || lines < 2 {
		t.Errorf("printed %d x's on %d lines, want all 300 broken over several lines", xs, lines)
	}
}

// letterData is a reminder letter's data (no opt-out URL: letters have none).
func letterData(t testing.TB) MessageData {
	d := stepData(t, StepReminder, ToneDirect, "en")
	d.Channel = ChannelLetter
	d.OptOutURL = ""
	return d
}

// wordsLike picks the numbered words (w0001 …) out of pdftotext output.
func wordsLike(txt string) []string {
	var out []string
	for _, f := range strings.Fields(txt) {
		f = strings.Trim(strings.TrimSuffix(f, "…"), "()")
		if len(f) == 5 && f[0] == 'w' && strings.Trim(f[1:], "0123456789") == "" {
			out = append(out, f)
		}
	}
	return out
}

func equalWords(a, b []string) bool { return firstDiff(a, b) == -1 }

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}
