package notify

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/testutil/testenv"
)

func sampleInvoice(locale string) InvoiceData {
	return InvoiceData{Creditor: "Settle Demo Ltd", CustomerName: "Müller & Söhne GmbH", CustomerRef: "C-42", Number: "INV-2026-0042",
		IssueDate: civil.Date{Year: 2026, Month: 3, Day: 1}, DueDate: civil.Date{Year: 2026, Month: 3, Day: 31},
		Amount: money.New(123450, "EUR"), Balance: money.New(23450, "EUR"), Locale: locale, AsOf: civil.Date{Year: 2026, Month: 5, Day: 15}}
}

// invoiceText renders d and returns pdftotext's text with whitespace collapsed.
func invoiceText(t *testing.T, d InvoiceData) string {
	t.Helper()
	testenv.Tool(t, "pdftotext", "poppler-utils") // to check the PDF's text
	b, err := InvoicePDF(d)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "invoice.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(string(out), "\u00a0", " ")), " ")
}

// TestInvoicePDF_Content: the copy shows the invoice's figures in the
// customer's language; paid = amount − open (1,234.50 − 234.50 = 1,000.00),
// days late = 15 May − 31 Mar = 45.
func TestInvoicePDF_Content(t *testing.T) {
	cases := map[string][]string{
		"en-GB": {"Invoice INV-2026-0042", "Settle Demo Ltd", "Müller & Söhne GmbH", "Customer reference: C-42", "1 March 2026",
			"31 March 2026 (45 days past the due date)", "1,234.50 EUR", "1,000.00 EUR", "Open balance as of 15 May 2026 234.50 EUR", "Page 1 of 1"},
		"de-DE": {"Rechnung INV-2026-0042", "Rechnungsdatum 1. März 2026", "31. März 2026 (45 Tage nach Fälligkeit)", "1.234,50 EUR",
			"Bezahlt oder gutgeschrieben 1.000,00 EUR", "Offener Betrag Stand 15. Mai 2026 234,50 EUR"},
		"fr-FR": {"Facture INV-2026-0042", "1er mars 2026", "31 mars 2026 (45 jours après l'échéance)", "1 234,50 EUR", "Reste dû au 15 mai 2026 234,50 EUR"},
	}
	for loc, wants := range cases {
		t.Run(loc, func(t *testing.T) {
			txt := invoiceText(t, sampleInvoice(loc))
			for _, w := range wants {
				if !strings.Contains(txt, w) {
					t.Errorf("the %s invoice lacks %q:\n%s", loc, w, txt)
				}
			}
		})
	}
}

func TestInvoicePDF_PaidAndDisputed(t *testing.T) {
	d := sampleInvoice("en")
	d.Balance = money.New(0, "EUR")
	txt := invoiceText(t, d)
	if !strings.Contains(txt, "paid in full") || strings.Contains(txt, "days past") {
		t.Errorf("a paid invoice should say so and not count days late:\n%s", txt)
	}
	d = sampleInvoice("en")
	d.Disputed = true
	if txt := invoiceText(t, d); !strings.Contains(txt, "You have disputed this invoice") {
		t.Errorf("a disputed invoice should say so:\n%s", txt)
	}
}

func TestInvoicePDF_Deterministic(t *testing.T) {
	a, err := InvoicePDF(sampleInvoice("en"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := InvoicePDF(sampleInvoice("en"))
	if !bytes.Equal(a, b) || !bytes.HasPrefix(a, []byte("%PDF-")) {
		t.Error("the same invoice should give the same PDF bytes")
	}
	if len(a) > 60_000 {
		t.Errorf("the invoice PDF is %d bytes: streams should be compressed", len(a))
	}
}

func TestInvoicePDF_Errors(t *testing.T) {
	d := sampleInvoice("en")
	d.AsOf = civil.Date{}
	if _, err := InvoicePDF(d); err == nil {
		t.Error("no as-of date: want an error")
	}
	d = sampleInvoice("en")
	d.Balance = money.New(100, "USD")
	if _, err := InvoicePDF(d); err == nil {
		t.Error("mixed currencies: want an error")
	}
}
