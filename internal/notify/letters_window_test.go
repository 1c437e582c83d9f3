package notify

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"settle/internal/testutil/testenv"
)

// A word of the letter's first page and where pdftotext -bbox finds it, in
// millimetres from the top left.
type placedWord struct {
	text                   string
	xMin, yMin, xMax, yMax float64
}

func letterWords(t *testing.T, pdf []byte) []placedWord {
	t.Helper()
	testenv.Tool(t, "pdftotext", "poppler-utils")
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-bbox", "-f", "1", "-l", "1", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	// The XHTML has one <word xMin yMin xMax yMax> per word, in points.
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	var words []placedWord
	const mm = 25.4 / 72
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "word" {
			continue
		}
		var w struct {
			XMin float64 `xml:"xMin,attr"`
			YMin float64 `xml:"yMin,attr"`
			XMax float64 `xml:"xMax,attr"`
			YMax float64 `xml:"yMax,attr"`
			Text string  `xml:",chardata"`
		}
		if err := dec.DecodeElement(&w, &se); err != nil {
			t.Fatalf("pdftotext -bbox output: %v", err)
		}
		words = append(words, placedWord{w.Text, w.XMin * mm, w.YMin * mm, w.XMax * mm, w.YMax * mm})
	}
	if len(words) == 0 {
		t.Fatal("pdftotext found no words")
	}
	return words
}

// find returns the first word equal to text at or below y (mm).
func findWord(words []placedWord, text string, below float64) (placedWord, bool) {
	for _, w := range words {
		if w.text == text && w.yMin >= below {
			return w, true
		}
	}
	return placedWord{}, false
}

// TestLetterPDF_WindowEnvelope: a letter folded into a C5/6 (DL) window
// envelope shows, through the window, the sender's one-line return address
// and the customer's postal address — DIN 5008 form B: the window spans
// 20–110 mm from the left edge and 45–90 mm from the top; the return
// address sits in its top 17.7 mm (45–62.7 mm), the recipient below it
// (62.7–90 mm). The sender's registration, contact and bank account are
// printed on the page too.
func TestLetterPDF_WindowEnvelope(t *testing.T) {
	d := fullData(t, StepDemand, ToneDirect, "de-DE", ChannelLetter)
	d.CustomerName = "Müller & Söhne GmbH"
	d.Sender = Creditor{Name: "Beispiel Handel GmbH", AddressLines: []string{"Hafenweg 7", "20457 Hamburg"}, Country: "DE",
		CompanyNumber: "HRB 99887", VATID: "DE811907980", Phone: "+49 40 1234567", Email: "buchhaltung@beispiel.example",
		Website: "https://beispiel.example",
		Bank:    BankAccount{Holder: "Beispiel Handel GmbH", Account: "DE02 1203 0000 0000 2020 51", Code: "BYLADEM1001", Name: "DKB"}}
	d.Creditor = d.Sender.Name
	d.Meeting = nil // a letter carries none
	address := []string{"z. Hd. Frau Jürgens", "Königstraße 12", "70173 Stuttgart"}
	pdf, err := LetterPDF(StepDemand, d, address)
	if err != nil {
		t.Fatal(err)
	}
	words := letterWords(t, pdf)
	inWindow := func(w placedWord, top, bottom float64) bool {
		return w.xMin >= 20 && w.xMax <= 110 && w.yMin >= top && w.yMax <= bottom
	}
	// The return address: one line in the window's top zone.
	for _, text := range []string{"Hafenweg", "20457"} {
		w, ok := findWord(words, text, 45) // the header prints the address too
		if !ok {
			t.Errorf("the sender's address %q is not on the letter", text)
		} else if !inWindow(w, 45, 62.7) {
			t.Errorf("return address word %q at x %.1f–%.1f y %.1f–%.1f mm, want inside x 20–110, y 45–62.7", text, w.xMin, w.xMax, w.yMin, w.yMax)
		}
	}
	// The recipient: name and every address line in the address zone.
	for _, text := range []string{"Müller", "Jürgens", "Königstraße", "70173", "Stuttgart"} {
		w, ok := findWord(words, text, 62.7)
		if !ok {
			t.Errorf("recipient word %q not found in or below the address zone", text)
		} else if !inWindow(w, 62.7, 90) {
			t.Errorf("recipient word %q at x %.1f–%.1f y %.1f–%.1f mm, want inside x 20–110, y 62.7–90", text, w.xMin, w.xMax, w.yMin, w.yMax)
		}
	}
	var all strings.Builder
	for _, w := range words {
		all.WriteString(w.text + " ")
	}
	for _, text := range []string{"HRB", "DE811907980", "+49", "buchhaltung@beispiel.example", "DE02", "BYLADEM1001"} {
		if !strings.Contains(all.String(), text) {
			t.Errorf("the letter lacks the sender's %q", text)
		}
	}
	// The spec stored by the run lays out the same letter.
	spec, err := MarshalLetter(StepDemand, d, address)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LetterFromSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pdf, again) {
		t.Error("the letter from its stored spec differs from the letter (the sender was not stored)")
	}
}
