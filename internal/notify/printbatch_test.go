package notify

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"settle/internal/testutil/testenv"
)

// The print batch is one PDF: each letter on pages of its own, numbered
// within the letter ("1 / 1", not "2 / 3"), each with its own address.
func TestLettersPDF_OneLetterPerPageSet(t *testing.T) {
	testenv.Tool(t, "pdftotext", "poppler-utils")
	var specs [][]byte
	names := []string{"Ada Lovelace", "Blaise Pascal", "Carl Gauss"}
	for _, name := range names {
		d := stepData(t, StepDemand, ToneDirect, "en")
		d.OptOutURL, d.Meeting, d.CustomerName = "", nil, name
		spec, err := MarshalLetter(StepDemand, d, []string{name, "1 High Street", "Leeds LS1 1AA"})
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, spec)
	}
	b, err := LettersPDF(specs, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "batch.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	// pdftotext separates pages with a form feed.
	pages := strings.Split(strings.TrimRight(string(out), "\f\n"), "\f")
	if len(pages) != 3 {
		t.Fatalf("%d pages, want 3 (one per letter):\n%s", len(pages), out)
	}
	for i, p := range pages {
		if !strings.Contains(p, names[i]) {
			t.Errorf("page %d does not name %s:\n%s", i+1, names[i], p)
		}
		if !strings.Contains(p, "1 / 1") {
			t.Errorf("page %d is not numbered 1 / 1 within its letter:\n%s", i+1, p)
		}
	}
	if _, err := LettersPDF(nil, time.Now()); err == nil {
		t.Error("an empty batch was laid out")
	}
}
