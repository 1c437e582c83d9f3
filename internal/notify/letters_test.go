package notify

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"settle/internal/testutil/testenv"
)

var letterAddress = map[string][]string{
	"en": {"Attn: Accounts Payable", "14 Harbour Street", "Bristol BS1 4DJ", "United Kingdom"},
	"de": {"z. Hd. Frau Jürgens", "Königstraße 12", "70173 Stuttgart"},
	"fr": {"12, rue de l'Église", "69002 Lyon"},
}

// letterText renders the letter, checks the properties every letter has (size,
// determinism, page count) and returns pdftotext's text with whitespace collapsed.
func letterText(t *testing.T, step string, d MessageData, addr []string) (string, int) {
	t.Helper()
	b, err := LetterPDF(step, d, addr)
	if err != nil {
		t.Fatalf("LetterPDF: %v", err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	if len(b) >= 40*1024 {
		t.Errorf("PDF is %d bytes, want < 40 KB", len(b))
	}
	again, err := LetterPDF(step, d, addr)
	if err != nil || !bytes.Equal(b, again) {
		t.Error("two renderings differ")
	}
	if dir := os.Getenv("LETTER_SAMPLE_DIR"); dir != "" {
		name := strings.ReplaceAll(t.Name(), "/", "_") + ".pdf"
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	testenv.Tool(t, "pdftotext", "poppler-utils") // to check the letter's text
	if n := len(pageObject.FindAll(b, -1)); n != 1 {
		t.Errorf("%d page objects, want 1", n)
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	if pages := bytes.Count(out, []byte("\f")); pages != 1 {
		t.Errorf("%d pages, want 1", pages)
	}
	return plain(string(out)), len(b)
}

var pageObject = regexp.MustCompile(`/Type /Page\b[^s]`)

func TestLetterPDF_Steps(t *testing.T) {
	var mu sync.Mutex
	sizes := map[string]int{}
	t.Cleanup(func() { t.Logf("largest letter per step (bytes): %v", sizes) })
	for _, step := range Steps {
		for _, tone := range []string{ToneDirect, ToneIndirect} {
			for _, loc := range goldenLocales {
				t.Run(step+"/"+tone+"/"+loc, func(t *testing.T) {
					t.Parallel()
					d := stepData(t, step, tone, loc)
					d.OptOutURL = ""
					txt, size := letterText(t, step, d, letterAddress[loc])
					mu.Lock()
					sizes[step] = max(sizes[step], size)
					mu.Unlock()
					f, err := prepare(step, MessageData(withChannel(d, ChannelLetter)))
					if err != nil {
						t.Fatal(err)
					}
					want := []string{d.Creditor, d.CustomerName, f.asOf}
					want = append(want, letterAddress[loc]...)
					for _, inv := range d.Invoices {
						want = append(want, inv.Number, formatNumber(inv.Balance, f.loc))
					}
					if f.total != "" {
						want = append(want, f.total)
					}
					if f.amountDue != "" {
						want = append(want, f.amountDue)
					}
					if f.fee != "" {
						want = append(want, f.fee)
					}
					if f.payBy != "" {
						want = append(want, f.payBy)
					}
					if d.PayReference != "" {
						want = append(want, d.PayReference)
					}
					for _, w := range want {
						if !strings.Contains(txt, plain(w)) {
							t.Errorf("letter lacks %q", w)
						}
					}
					if strings.Contains(txt, "optout") || strings.Contains(txt, "opt out") {
						t.Error("a letter carries an opt-out line")
					}
					if t.Failed() {
						t.Logf("pdftotext:\n%s", txt)
					}
				})
			}
		}
	}
}

func withChannel(d MessageData, ch string) MessageData {
	d.Channel = ch
	return d
}

// TestLetterPDF_Demand is the letter the brief names: a demand to a German customer and a
// final notice to a French one, with every field set and non-ASCII names.
func TestLetterPDF_Demand(t *testing.T) {
	for _, c := range []struct {
		step, loc, customer string
		want                []string
	}{
		{StepDemand, "de-DE", "Müller & Söhne GmbH", []string{"Zahlungsaufforderung", "13.754,54 EUR", "1. Mai 2026",
			"Inkassounternehmen", "Sehr geehrte Damen und Herren", "Mit freundlichen Grüßen", "Überweisung", "CN/77-ß", "11.999,99"}},
		{StepFinal, "fr-FR", "José Álvarez", []string{"Dernier avis", "13 754,54 EUR", "1er mai 2026",
			"société de recouvrement", "Madame, Monsieur", "salutations distinguées", "Virement bancaire", "CN/77-ß", "11 999,99"}},
		{StepDemand, "en-US", "O'Neill & <Sons> LLC", []string{"Formal demand for payment", "13,754.54 USD", "May 1, 2026",
			"collection agency", "Sincerely", "Check", "CN/77-ß"}},
	} {
		t.Run(c.loc, func(t *testing.T) {
			d := fullData(t, c.step, ToneDirect, c.loc, ChannelLetter)
			d.CustomerName = c.customer
			txt, _ := letterText(t, c.step, d, []string{c.customer, "Königstraße 12", "70173 Stuttgart"})
			for _, w := range append(c.want, c.customer, "Königstraße 12") {
				if !strings.Contains(txt, plain(w)) {
					t.Errorf("letter lacks %q", w)
				}
			}
			// Once in the address (the address line repeating it is dropped); English
			// letters also greet by name ("Dear …"), German and French ones formally.
			want := 1
			if strings.HasPrefix(c.loc, "en") {
				want = 2
			}
			if n := strings.Count(txt, c.customer); n != want {
				t.Errorf("customer name printed %d times, want %d", n, want)
			}
			if t.Failed() {
				t.Logf("pdftotext:\n%s", txt)
			}
		})
	}
}

// TestLetterPDF_EightFit: the longest wording with every field set still fits 8
// invoices on one page.
func TestLetterPDF_EightFit(t *testing.T) {
	for _, loc := range []string{"en", "de", "fr"} {
		for _, step := range []string{StepDemand, StepFinal} {
			d := fullData(t, step, ToneIndirect, loc, ChannelLetter)
			base := d.Invoices[0]
			d.Invoices = nil
			d.Total, _ = d.Fee.Sub(d.Fee)
			for i := range 8 {
				inv := base
				inv.Number = "INV-2026-000" + string(rune('0'+i))
				d.Invoices = append(d.Invoices, inv)
				d.Total, _ = d.Total.Add(inv.Balance)
			}
			b, err := LetterPDF(step, d, letterAddress[loc])
			if err != nil {
				t.Fatal(err)
			}
			if n := len(pageObject.FindAll(b, -1)); n != 1 {
				t.Errorf("%s %s: 8 invoices take %d pages, want 1", step, loc, n)
			}
		}
	}
}

func TestLetterPDF_ManyInvoices(t *testing.T) {
	d := fullData(t, StepDemand, ToneDirect, "en", ChannelLetter)
	base := d.Invoices[0]
	d.Invoices = nil
	d.Total = d.Fee
	d.Total, _ = d.Total.Sub(d.Fee)
	for i := range 40 {
		inv := base
		inv.Number = "INV-2026-" + strings.Repeat("9", 3) + string(rune('A'+i%26)) + string(rune('a'+i/26))
		d.Invoices = append(d.Invoices, inv)
		d.Total, _ = d.Total.Add(inv.Balance)
	}
	b, err := LetterPDF(StepDemand, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pageObject.FindAll(b, -1)); n < 2 {
		t.Errorf("%d pages for 40 invoices, want the table to continue on a second page", n)
	}
	testenv.Tool(t, "pdftotext", "poppler-utils")
	path := filepath.Join(t.TempDir(), "l.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, inv := range d.Invoices {
		if !bytes.Contains(out, []byte(inv.Number)) {
			t.Errorf("invoice %s missing", inv.Number)
		}
	}
}

func TestLetterPDF_Errors(t *testing.T) {
	d := stepData(t, StepDemand, ToneDirect, "en")
	d.PayBy = d.AsOf.AddDays(-1)
	if _, err := LetterPDF(StepDemand, d, nil); err == nil || !strings.Contains(err.Error(), "PayBy") {
		t.Errorf("err = %v", err)
	}
	if _, err := LetterPDF("nope", d, nil); err == nil {
		t.Error("unknown step accepted")
	}
}
