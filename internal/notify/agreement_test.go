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
	"time"

	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/testutil/testenv"
)

// eur is an amount in EUR from minor units.
func eur(minor int64) money.Amount { return money.New(minor, "EUR") }

// samplePlan is a 12-installment EUR plan with a down payment, interest, two invoices,
// concessions and an acceptance: everything the agreement can show, in English.
func samplePlan() AgreementData {
	d := AgreementData{
		PlanID:       "pln_01JH8Z3K4M5N6P7Q8R9S0T1V2W",
		Version:      "2",
		Creditor:     "Settle Demo Ltd (London £ office)",
		CustomerName: "Müller & Söhne GmbH — Łódź",
		CustomerRef:  "CUST-0042 / Øresund",
		Balance:      eur(123456),
		Total:        eur(127034),
		Invoices: []AgreementInvoice{
			{Number: "INV-2024-0917", IssueDate: day("2024-09-17"), DueDate: day("2024-10-17"), Amount: eur(73456), Balance: eur(73456)},
			{Number: "INV-2024-1102", IssueDate: day("2024-11-02"), DueDate: day("2024-12-02"), Amount: eur(60000), Balance: eur(50000)},
		},
		Methods:            []string{"bank_transfer", "card", "SEPA (€) café"},
		BankReference:      "STL-2345678K",
		BankAccount:        "IBAN DE89 3704 0044 0532 0130 00",
		Autopay:            true,
		GraceDays:          5,
		LateFee:            eur(1500),
		DefaultAfterMissed: 2,
		DefaultDaysLate:    45,
		EarlyPayoffPercent: "2",
		Concessions: []AgreementConcession{
			{Kind: "fee_waived", Amount: eur(4500)},
			{Kind: "interest_frozen", Amount: eur(6120), Note: "from 8% to 4% per year"},
			{Kind: "settlement_discount"},
		},
		Acceptance: &AgreementAcceptance{By: "Jürgen Müller", At: time.Date(2025, 1, 15, 9, 32, 5, 0, time.UTC), Channel: "portal", IP: "203.0.113.77"},
		IssuedOn:   day("2025-01-15"),
	}
	d.Installments = append(d.Installments, AgreementInstallment{Seq: 1, DueDate: day("2025-01-20"), Amount: eur(20000), Principal: eur(20000), Interest: eur(0), DownPayment: true})
	for i := 2; i <= 12; i++ {
		d.Installments = append(d.Installments, AgreementInstallment{
			Seq:       i,
			DueDate:   day(fmt.Sprintf("2025-%02d-15", i)),
			Amount:    eur(int64(9730 + i)),
			Principal: eur(int64(9000 + (i%10)*100 + 10 + i)),
			Interest:  eur(int64(340 + i)),
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
		// The plan is named by its reference, which the customer also
		// quotes with payments, not by our internal id.
		"Payment plan agreement", "Plan STL-2345678K · version 2", "issued 15 January 2025",
		"Müller & Söhne", "Łódź", "Øresund", "£", "€", "café",
		"INV-2024-0917", "INV-2024-1102", "17 Sep 2024", "2 Dec 2024", "734.56", "1,234.56 EUR",
		"1,270.34",
		"Down payment",
		"Principal", "Interest",
		"Accepted payment methods: Bank transfer, Card payment, SEPA (€) café.",
		"Each missed payment adds a late fee of 15.00 EUR.",
		"missed if not received within 5 days.",
		"If 2 payments are missed, or any payment is more than 45 days late, the plan ends",
		"Late fees waived", "45.00 EUR", "Interest frozen (from 8% to 4% per year)", "61.20 EUR", "106.20 EUR", "Settlement discount",
		"2% of what remains is waived when you do; interest stops on the day you do.",
		"Jürgen Müller", "15 January 2025, 09:32 UTC", "Customer portal", "203.0.113.77",
		"Pay by bank transfer to IBAN DE89 3704 0044 0532 0130 00 quoting STL-2345678K as the reference",
	}
	// Hand-worked: installment i (2…12) is 97.30+i/100 due on the 15th of month i,
	// with 3.40+i/100 interest.
	want = append(want, "20 Jan 2025", "200.00")
	for i := 2; i <= 12; i++ {
		want = append(want, fmt.Sprintf("15 %s 2025", monthsEN[i-1][:3]), fmt.Sprintf("97.%02d", 30+i), fmt.Sprintf("3.%02d", 40+i))
	}
	// pdftotext may break long sentences across lines; compare with whitespace collapsed.
	flat := strings.Join(strings.Fields(txt), " ")
	for _, w := range want {
		if !strings.Contains(flat, w) {
			t.Errorf("PDF text lacks %q", w)
		}
	}
	if strings.Contains(flat, d.PlanID) {
		t.Errorf("the agreement names the plan by our internal id %s", d.PlanID)
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
		d.Installments[i].Interest = eur(0)
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
		{"all rules", AgreementData{GraceDays: 5, LateFee: eur(1500), DefaultAfterMissed: 2, DefaultDaysLate: 45},
			"A payment is late after its due date and missed if not received within 5 days. " +
				"Each missed payment adds a late fee of 15.00\u00a0EUR. " +
				"If 2 payments are missed, or any payment is more than 45 days late, the plan ends: " +
				"the remaining balance becomes due at once and collection resumes."},
		{"all off", AgreementData{LateFee: eur(0)},
			"A payment is missed if it is not received by its due date."},
		{"days only", AgreementData{GraceDays: 1, DefaultDaysLate: 30},
			"A payment is late after its due date and missed if not received within 1 day. " +
				"If any payment is more than 30 days late, the plan ends: the remaining balance becomes due at once and collection resumes."},
		{"one missed", AgreementData{DefaultAfterMissed: 1},
			"A payment is missed if it is not received by its due date. " +
				"If a payment is missed, the plan ends: the remaining balance becomes due at once and collection resumes."},
		{"de all rules", AgreementData{Locale: "de-DE", GraceDays: 5, LateFee: eur(123450), DefaultAfterMissed: 2, DefaultDaysLate: 45},
			"Eine Zahlung ist nach ihrem Fälligkeitstag verspätet und gilt als versäumt, wenn sie nicht innerhalb von 5 Tagen eingeht. " +
				"Für jede versäumte Zahlung wird eine Verzugsgebühr von 1.234,50\u00a0EUR berechnet. " +
				"Wenn 2 Zahlungen versäumt werden oder eine Zahlung mehr als 45 Tage verspätet ist, endet der Plan: " +
				"Der restliche Betrag wird sofort fällig, und das Mahnverfahren wird fortgesetzt."},
		{"fr all rules", AgreementData{Locale: "fr", GraceDays: 1, LateFee: eur(123450), DefaultAfterMissed: 1, DefaultDaysLate: 30},
			"Un paiement est en retard après sa date d'échéance et manqué s'il ne nous parvient pas dans un délai de 1 jour. " +
				"Chaque paiement manqué entraîne des frais de retard de 1\u00a0234,50\u00a0EUR. " +
				"Si un paiement est manqué, ou si un paiement a plus de 30 jours de retard, le plan prend fin : " +
				"le solde restant devient immédiatement exigible et le recouvrement reprend."},
	}
	for _, tt := range tests {
		if got := strings.Join(missedText(tt.d), " "); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestAgreementPDFErrors(t *testing.T) {
	d := samplePlan()
	d.IssuedOn = civil.Date{}
	if _, err := AgreementPDF(d); err == nil {
		t.Error("missing IssuedOn accepted")
	}
	d = samplePlan()
	d.Installments[3].Amount = money.New(9733, "USD")
	if _, err := AgreementPDF(d); err == nil || !strings.Contains(err.Error(), "Installments[3].Amount") {
		t.Errorf("an installment in another currency: %v", err)
	}
	d = samplePlan()
	d.Installments = nil
	if _, err := AgreementPDF(d); err == nil {
		t.Error("plan without installments accepted")
	}
}

// TestWriteSample writes the sample agreement to $AGREEMENT_SAMPLE for visual review,
// in the language of $AGREEMENT_LOCALE (default English).
func TestWriteSample(t *testing.T) {
	out := os.Getenv("AGREEMENT_SAMPLE")
	if out == "" {
		t.Skip("set AGREEMENT_SAMPLE=/path/file.pdf to write a sample agreement")
	}
	d := samplePlan()
	d.Locale = os.Getenv("AGREEMENT_LOCALE")
	b, err := AgreementPDF(d)
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
	d.Invoices = append(d.Invoices, AgreementInvoice{Number: long, IssueDate: day("2024-11-02"), DueDate: day("2024-12-02"), Amount: eur(1000), Balance: eur(1000)})
	d.Installments = nil
	for i := 1; i <= 36; i++ {
		d.Installments = append(d.Installments, AgreementInstallment{Seq: i, DueDate: day(fmt.Sprintf("2026-%02d-15", i%12+1)), Amount: eur(9730), Principal: eur(9730), Interest: eur(0)})
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
	for _, tt := range []struct{ locale, account, ref, want string }{
		{"en", "", "", ""},
		{"en", "IBAN X", "", ""},
		{"en", "", "STL-2345678K", "When you pay by bank transfer, quote STL-2345678K as the reference, so that your payment is matched to this plan."},
		{"en", "IBAN X", "STL-2345678K", "Pay by bank transfer to IBAN X quoting STL-2345678K as the reference, so that your payment is matched to this plan."},
		{"de", "IBAN X", "STL-2345678K", "Überweisen Sie bitte auf das Konto IBAN X mit dem Verwendungszweck STL-2345678K, damit Ihre Zahlung diesem Plan zugeordnet wird."},
		{"fr", "", "STL-2345678K", "Pour un virement, indiquez la référence STL-2345678K, afin que votre paiement soit rattaché à ce plan."},
	} {
		if got := bankTransferText(agreementWordsFor(parseLocale(tt.locale)), tt.account, tt.ref); got != tt.want {
			t.Errorf("bankTransferText(%s, %q, %q) = %q, want %q", tt.locale, tt.account, tt.ref, got, tt.want)
		}
	}
}

// The agreement in German and French: every heading, sentence and label in the
// language, amounts and dates in its formats (issue 16, item 9).
func TestAgreementPDF_Languages(t *testing.T) {
	english := []string{"Payment plan", "Due date", "Down payment", "Accepted by", "Page 1 of", "installment", "What you gain", "1234.56", "2025-01-20"}
	for _, c := range []struct {
		locale string
		want   []string
	}{
		{"de-DE", []string{"Ratenzahlungsvereinbarung", "Version 2 · ausgestellt am 15. Januar 2025", "GLÄUBIGER", "KUNDE", "Kundennummer: CUST-0042",
			"in 12 Raten", "Rechnung Ausgestellt Fällig Betrag (EUR) Offen (EUR)", "17.09.2024", "734,56", "1.234,56 EUR",
			"Nr. Fällig am Betrag (EUR) Tilgung (EUR) Zinsen (EUR)", "20.01.2025", "200,00", "Anzahlung", "97,42", "3,52", "Summe 1.270,34",
			"Akzeptierte Zahlungsarten: Überweisung, Kartenzahlung, SEPA (€) café.",
			"Überweisen Sie bitte auf das Konto IBAN DE89 3704 0044 0532 0130 00 mit dem Verwendungszweck STL-2345678K",
			"Die automatische Zahlung ist eingerichtet", "innerhalb von 5 Tagen", "Verzugsgebühr von 15,00 EUR",
			"Ihre Vorteile", "Verzugsgebühren erlassen 45,00 EUR", "Zinsen eingefroren (from 8% to 4% per year) 61,20 EUR", "106,20 EUR",
			"dabei werden Ihnen 2 % des Restbetrags erlassen", "Angenommen von Jürgen Müller", "Angenommen am 15. Januar 2025, 09:32 UTC",
			"Weg Kundenportal", "IP-Adresse 203.0.113.77", "Seite 1 von 2"}},
		{"fr-FR", []string{"Accord de paiement échelonné", "version 2 · émis le 15 janvier 2025", "CRÉANCIER", "CLIENT", "Référence client : CUST-0042",
			"en 12 échéances", "Facture Émise le Échéance Montant (EUR) Reste dû (EUR)", "17/09/2024", "734,56", "1 234,56 EUR",
			"N° Échéance Montant (EUR) Capital (EUR) Intérêts (EUR)", "20/01/2025", "200,00", "Acompte", "97,42", "3,52", "Total 1 270,34",
			"Moyens de paiement acceptés : Virement bancaire, Carte bancaire, SEPA (€) café.",
			"Payez par virement sur le compte IBAN DE89 3704 0044 0532 0130 00 en indiquant la référence STL-2345678K",
			"Le prélèvement automatique est activé", "dans un délai de 5 jours", "frais de retard de 15,00 EUR",
			"Ce que vous y gagnez", "Frais de retard annulés 45,00 EUR", "106,20 EUR",
			"2 % du montant restant vous est alors remis", "Accepté par Jürgen Müller", "Accepté le 15 janvier 2025, 9 h 32 UTC",
			"Canal Portail client", "Adresse IP 203.0.113.77", "Page 1 sur 2"}},
	} {
		d := samplePlan()
		d.Locale = c.locale
		_, txt, _ := pdfText(t, d)
		flat := strings.Join(strings.Fields(txt), " ")
		for _, w := range c.want {
			if !strings.Contains(flat, w) {
				t.Errorf("%s: PDF text lacks %q", c.locale, w)
			}
		}
		for _, w := range english {
			if strings.Contains(flat, w) {
				t.Errorf("%s: PDF text still says %q", c.locale, w)
			}
		}
		if t.Failed() {
			t.Logf("%s:\n%s", c.locale, txt)
		}
	}
}

// The cover email of the agreement: accepted or proposed, in each language and tone.
func TestAgreementEmail(t *testing.T) {
	d := samplePlan()
	d.Installments = d.Installments[:2]
	proposed := samplePlan()
	proposed.Acceptance = nil
	for _, c := range []struct {
		name   string
		d      AgreementData
		locale string
		tone   string
		want   []string
	}{
		{"en accepted", d, "en-GB", ToneDirect, []string{"Your payment plan agreement STL-2345678K, version 2", "Dear Müller & Söhne GmbH — Łódź,",
			"Thank you for accepting payment plan STL-2345678K on 15 January 2025.",
			"Payments: 2 installments, the first on 20 January 2025", "Total: 1,270.34 EUR", "please reply to this email", "Kind regards, Settle Demo Ltd",
			"https://example.com/optout"}},
		{"en proposed indirect", proposed, "en", ToneIndirect, []string{"Proposed payment plan agreement", "We have prepared version 2 of plan",
			"takes effect once you accept it", "12 installments, the first on 20 January 2025"}},
		{"de accepted", d, "de", ToneDirect, []string{"Ihre Ratenzahlungsvereinbarung STL-2345678K, Version 2", "Guten Tag Müller & Söhne GmbH — Łódź,",
			"vielen Dank, dass Sie den Ratenplan STL-2345678K am 15. Januar 2025 angenommen haben.",
			"Zahlungen: 2 Raten, die erste am 20. Januar 2025", "Gesamtbetrag: 1.270,34 EUR"}},
		{"fr proposed", proposed, "fr", ToneDirect, []string{"Proposition d'accord de paiement échelonné", "Bonjour Müller & Söhne GmbH — Łódź,",
			"Nous avons préparé la version 2 du plan de paiement", "jointe en PDF ; elle prend effet", "Paiements : 12 échéances, la première le 20 janvier 2025",
			"Total : 1 270,34 EUR"}},
	} {
		c.d.Locale = c.locale
		r, err := AgreementEmail(c.d, c.tone, "https://example.com/optout")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		flat := strings.Join(strings.Fields(r.Subject+"\n"+r.Text), " ")
		for _, w := range c.want {
			if !strings.Contains(flat, w) {
				t.Errorf("%s: email lacks %q:\n%s\n%s", c.name, w, r.Subject, r.Text)
			}
		}
		if !strings.Contains(r.HTML, "<html") {
			t.Errorf("%s: no HTML part", c.name)
		}
	}
	if _, err := AgreementEmail(d, ToneDirect, ""); err == nil || !strings.Contains(err.Error(), "OptOutURL") {
		t.Errorf("no opt-out link: %v", err)
	}
}

// BenchmarkAgreementPDF renders the 12-installment sample in German: the work
// added to the transaction that accepts or renegotiates a plan (the agreement
// email carries the PDF).
func BenchmarkAgreementPDF(b *testing.B) {
	d := samplePlan()
	d.Locale = "de-DE"
	for b.Loop() {
		if _, err := AgreementPDF(d); err != nil {
			b.Fatal(err)
		}
	}
}
