package notify

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"settle/internal/testutil/testenv"
)

// samplePlan is a 12-installment EUR plan with a down payment, interest, two invoices,
// concessions and an acceptance: everything the agreement can show.
func samplePlan() AgreementData {
	d := AgreementData{
		PlanID:       "pln_01JH8Z3K4M5N6P7Q8R9S0T1V2W",
		Version:      "2",
		Creditor:     "Settle Demo Ltd (London £ office)",
		CustomerName: "Müller & Söhne GmbH — Łódź",
		CustomerRef:  "CUST-0042 / Øresund",
		Currency:     "EUR",
		Balance:      "1234.56",
		Total:        "1270.34",
		Invoices: []AgreementInvoice{
			{Number: "INV-2024-0917", IssueDate: "2024-09-17", DueDate: "2024-10-17", Amount: "734.56", Balance: "734.56"},
			{Number: "INV-2024-1102", IssueDate: "2024-11-02", DueDate: "2024-12-02", Amount: "600.00", Balance: "500.00"},
		},
		Methods:            []string{"bank transfer (SEPA, €)", "card"},
		BankReference:      "STL-2345678K",
		BankAccount:        "IBAN DE89 3704 0044 0532 0130 00",
		Autopay:            true,
		GraceDays:          5,
		LateFee:            "15.00",
		DefaultAfterMissed: 2,
		DefaultDaysLate:    45,
		EarlyPayoff:        "Pay the remaining balance early at any time; a 2% discount applies (café rule, é).",
		Concessions: []AgreementConcession{
			{Kind: "fee_waived", Amount: "45.00", Text: "Late fees waived"},
			{Kind: "interest_reduced", Amount: "61.20", Text: "Interest reduced from 8% to 4% per year"},
			{Kind: "collection_paused", Text: "Collection activity paused while the plan is kept"},
		},
		Acceptance: &AgreementAcceptance{By: "Jürgen Müller", At: "2025-01-15T10:32:05+01:00", Channel: "web", IP: "203.0.113.77"},
		IssuedOn:   "2025-01-15",
	}
	d.Installments = append(d.Installments, AgreementInstallment{Seq: 1, DueDate: "2025-01-20", Amount: "200.00", Principal: "200.00", Interest: "0.00", DownPayment: true})
	for i := 2; i <= 12; i++ {
		d.Installments = append(d.Installments, AgreementInstallment{
			Seq:       i,
			DueDate:   fmt.Sprintf("2025-%02d-15", i),
			Amount:    fmt.Sprintf("97.%02d", 30+i),
			Principal: fmt.Sprintf("9%d.%02d", i%10, 10+i),
			Interest:  fmt.Sprintf("3.%02d", 40+i),
		})
	}
	return d
}

// pdfText renders d, writes it under dir and returns the file path and pdftotext -layout output.
func pdfText(t *testing.T, d AgreementData) (string, string, []byte) {
	t.Helper()
	testenv.Tool(t, "pdftotext", "poppler-utils") // to check the PDF's text
	b, err := AgreementPDF(d)
	if err != nil {
		t.Fatalf("AgreementPDF: %v", err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "agreement.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.txt")
	if msg, err := exec.Command("pdftotext", "-layout", path, out).CombinedOutput(); err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, msg)
	}
	txt, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return path, string(txt), b
}

func TestAgreementPDFContent(t *testing.T) {
	d := samplePlan()
	path, txt, b := pdfText(t, d)

	want := []string{
		"Payment plan agreement", d.PlanID,
		"Müller & Söhne", "Łódź", "Øresund", "£", "€", "café",
		"INV-2024-0917", "INV-2024-1102", "1234.56 EUR",
		d.Total,
		"Down payment",
		"Principal", "Interest",
		"Each missed payment adds a late fee of 15.00 EUR.",
		"missed if not received within 5 days.",
		"If 2 payments are missed, or any payment is more than 45 days late, the plan ends",
		"Late fees waived", "45.00 EUR", "61.20 EUR", "106.20 EUR",
		"2% discount",
		"Jürgen Müller", "2025-01-15T10:32:05+01:00", "203.0.113.77",
		"Pay by bank transfer to IBAN DE89 3704 0044 0532 0130 00 quoting STL-2345678K as the reference",
	}
	for _, in := range d.Installments {
		want = append(want, in.DueDate, in.Amount, in.Interest)
	}
	// pdftotext may break long sentences across lines; compare with whitespace collapsed.
	flat := strings.Join(strings.Fields(txt), " ")
	for _, w := range want {
		if !strings.Contains(flat, w) {
			t.Errorf("PDF text lacks %q", w)
		}
	}
	if strings.Contains(txt, "Not yet accepted") {
		t.Error("accepted plan says it is not accepted")
	}
	if strings.Contains(txt, "?") {
		t.Errorf("Latin text was replaced by '?':\n%s", txt)
	}

	if len(b) >= 100*1024 {
		t.Errorf("PDF is %d bytes, want < 100 KB", len(b))
	}
	if pages := pageCount(t, path); pages < 1 || pages > 2 {
		t.Errorf("PDF has %d pages, want 1 or 2", pages)
	}
	if t.Failed() {
		t.Logf("pdftotext output:\n%s", txt)
	}
}

func pageCount(t *testing.T, path string) int {
	t.Helper()
	testenv.Tool(t, "pdfinfo", "poppler-utils")
	info, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, info)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo gave no page count:\n%s", info)
	}
	var n int
	fmt.Sscan(string(m[1]), &n)
	return n
}

func TestAgreementPDFDeterministic(t *testing.T) {
	a, err := AgreementPDF(samplePlan())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		b, err := AgreementPDF(samplePlan())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatal("two renders of the same data differ")
		}
	}
	// The creation date comes from IssuedOn, not the clock.
	if !bytes.Contains(a, []byte("D:20250115")) {
		t.Error("creation date is not taken from IssuedOn")
	}
}

func TestAgreementPDFNotAccepted(t *testing.T) {
	d := samplePlan()
	d.Acceptance = nil
	_, txt, _ := pdfText(t, d)
	for _, w := range []string{"Not yet accepted", "Accepted by", "IP address"} {
		if !strings.Contains(txt, w) {
			t.Errorf("PDF text lacks %q", w)
		}
	}
	if strings.Contains(txt, "203.0.113.77") {
		t.Error("unaccepted plan shows an IP address")
	}
}

func TestAgreementPDFNoInterest(t *testing.T) {
	d := samplePlan()
	d.Total = d.Balance
	for i := range d.Installments {
		d.Installments[i].Interest = "0.00"
		d.Installments[i].Principal = d.Installments[i].Amount
	}
	_, txt, _ := pdfText(t, d)
	for _, w := range []string{"Principal", "Interest ("} {
		if strings.Contains(txt, w) {
			t.Errorf("plan without interest shows %q column", w)
		}
	}
	if !strings.Contains(txt, "Amount (EUR)") {
		t.Error("amount column missing")
	}
}

func TestAgreementPDFCJKName(t *testing.T) {
	d := samplePlan()
	d.CustomerName = "株式会社サンプル Müller"
	_, txt, _ := pdfText(t, d)
	if !strings.Contains(txt, "???????? Müller") {
		t.Errorf("CJK characters not replaced by '?':\n%s", txt)
	}
	if strings.ContainsAny(txt, "株式会社サンプル") {
		t.Error("CJK characters printed although the font lacks them")
	}
}

func TestMissedText(t *testing.T) {
	tests := []struct {
		name string
		d    AgreementData
		want string
	}{
		{"all rules", AgreementData{Currency: "EUR", GraceDays: 5, LateFee: "15.00", DefaultAfterMissed: 2, DefaultDaysLate: 45},
			"A payment is late after its due date and missed if not received within 5 days. " +
				"Each missed payment adds a late fee of 15.00 EUR. " +
				"If 2 payments are missed, or any payment is more than 45 days late, the plan ends: " +
				"the remaining balance becomes due at once and collection resumes."},
		{"all off", AgreementData{Currency: "EUR", LateFee: "0.00"},
			"A payment is missed if it is not received by its due date."},
		{"days only", AgreementData{GraceDays: 1, DefaultDaysLate: 30},
			"A payment is late after its due date and missed if not received within 1 day. " +
				"If any payment is more than 30 days late, the plan ends: the remaining balance becomes due at once and collection resumes."},
		{"one missed", AgreementData{DefaultAfterMissed: 1},
			"A payment is missed if it is not received by its due date. " +
				"If a payment is missed, the plan ends: the remaining balance becomes due at once and collection resumes."},
	}
	for _, tt := range tests {
		if got := strings.Join(missedText(tt.d), " "); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestAgreementPDFErrors(t *testing.T) {
	d := samplePlan()
	d.IssuedOn = "15/01/2025"
	if _, err := AgreementPDF(d); err == nil {
		t.Error("invalid IssuedOn accepted")
	}
	d = samplePlan()
	d.Installments = nil
	if _, err := AgreementPDF(d); err == nil {
		t.Error("plan without installments accepted")
	}
}

// TestWriteSample writes the sample agreement to $AGREEMENT_SAMPLE for visual review.
func TestWriteSample(t *testing.T) {
	out := os.Getenv("AGREEMENT_SAMPLE")
	if out == "" {
		t.Skip("set AGREEMENT_SAMPLE=/path/file.pdf to write a sample agreement")
	}
	b, err := AgreementPDF(samplePlan())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A long plan crosses a page: the installment table header repeats, a long invoice
// number wraps instead of being cut, and a long customer name wraps.
func TestAgreementPDFLongPlan(t *testing.T) {
	d := samplePlan()
	d.CustomerName = "Müller & Söhne Gesellschaft mit beschränkter Haftung und Compagnie Kommanditgesellschaft — Łódź Branch"
	long := "INV-VERY-LONG-NUMBER-2024-11-02-ABCDEFGHIJKLMNOP-QRSTUVWXYZ-0123456789"
	d.Invoices = append(d.Invoices, AgreementInvoice{Number: long, IssueDate: "2024-11-02", DueDate: "2024-12-02", Amount: "10.00", Balance: "10.00"})
	d.Installments = nil
	for i := 1; i <= 36; i++ {
		d.Installments = append(d.Installments, AgreementInstallment{Seq: i, DueDate: fmt.Sprintf("2026-%02d-15", i%12+1), Amount: "97.30", Principal: "97.30", Interest: "0.00"})
	}
	path, txt, _ := pdfText(t, d)
	if n := pageCount(t, path); n < 2 {
		t.Errorf("36 installments fit on %d page", n)
	}
	if n := strings.Count(txt, "Due date"); n < 2 {
		t.Errorf("installment table header appears %d times, want it repeated on the next page", n)
	}
	// The wrapped invoice number is split over lines, and -layout interleaves them with
	// the other columns; raw (content-order) text keeps the pieces together.
	raw, err := exec.Command("pdftotext", "-raw", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -raw: %v", err)
	}
	noSpace := strings.Join(strings.Fields(string(raw)), "")
	if !strings.Contains(noSpace, long) {
		t.Errorf("long invoice number %q was cut", long)
	}
	if !strings.Contains(noSpace, "Kommanditgesellschaft—ŁódźBranch") {
		t.Error("long customer name was cut")
	}
}

func TestBankTransferText(t *testing.T) {
	for _, tt := range []struct{ account, ref, want string }{
		{"", "", ""},
		{"IBAN X", "", ""},
		{"", "STL-2345678K", "When you pay by bank transfer, quote STL-2345678K as the reference, so that your payment is matched to this plan."},
		{"IBAN X", "STL-2345678K", "Pay by bank transfer to IBAN X quoting STL-2345678K as the reference, so that your payment is matched to this plan."},
	} {
		if got := bankTransferText(tt.account, tt.ref); got != tt.want {
			t.Errorf("bankTransferText(%q, %q) = %q, want %q", tt.account, tt.ref, got, tt.want)
		}
	}
}
