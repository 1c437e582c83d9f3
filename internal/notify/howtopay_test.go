package notify

import (
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ladderSteps are the steps that ask for money: every one of them must say how to pay.
var ladderSteps = []string{StepReminder, StepDueToday, StepOverdue, StepFirm, StepDemand, StepFinal,
	StepInstallmentReminder, StepInstallmentMissed, StepInvoiceResend, StepPlanDefaulted}

const (
	testPortalURL = "https://pay.example.com/p/Xy7kQ2mN9aBcDeFg"
	testPayURL    = "https://pay.example.com/portal/tok/pay"
)

// withHowToPay adds what every reminder carries: the portal link, the pay link, bank
// details and the creditor's contact.
func withHowToPay(d MessageData) MessageData {
	d.PortalURL = testPortalURL
	d.PayURL = testPayURL
	d.Bank = &BankDetails{AccountHolder: "Northwind Supplies Ltd", IBAN: "GB33 BUKB 2020 1555 5555 55", BIC: "BUKBGB22",
		Lines: []string{"Barclays Bank, 1 Churchill Place, London"}}
	d.Contact = &CreditorContact{Phone: "+44 117 496 0123", Email: "accounts@northwind.example"}
	return d
}

// howToPayWords are the sentences (hand-written here, not taken from the phrase
// books) that every email of a language shows, in plain form (no-break spaces as
// spaces). The reference line is the one the templates already had. A tab separates
// the label and value of a row: "Label: value" in text ("Label : value" in French),
// two table cells in HTML.
var howToPayWords = map[string][]string{
	"en": {
		"View your account, propose a payment plan or tell us about a problem: " + testPortalURL,
		"Account holder\tNorthwind Supplies Ltd", "IBAN\tGB33 BUKB 2020 1555 5555 55", "BIC\tBUKBGB22",
		"Barclays Bank, 1 Churchill Place, London",
		"Please quote the payment reference C-1001-2603 with your payment.",
		"Pay online now: " + testPayURL,
		"Questions? Call us on +44 117 496 0123 or email accounts@northwind.example.",
	},
	"de": {
		"Ihr Kundenkonto ansehen, eine Ratenzahlung vorschlagen oder uns ein Problem melden: " + testPortalURL,
		"Kontoinhaber\tNorthwind Supplies Ltd", "IBAN\tGB33 BUKB 2020 1555 5555 55", "BIC\tBUKBGB22",
		"Barclays Bank, 1 Churchill Place, London",
		"Bitte geben Sie bei der Zahlung den Verwendungszweck C-1001-2603 an.",
		"Jetzt online bezahlen: " + testPayURL,
		"Fragen? Rufen Sie uns an unter +44 117 496 0123 oder schreiben Sie an accounts@northwind.example.",
	},
	"fr": {
		"Consultez votre compte, proposez un échéancier ou signalez-nous un problème : " + testPortalURL,
		"Titulaire du compte\tNorthwind Supplies Ltd", "IBAN\tGB33 BUKB 2020 1555 5555 55", "BIC\tBUKBGB22",
		"Barclays Bank, 1 Churchill Place, London",
		"Merci d'indiquer la référence C-1001-2603 lors de votre paiement.",
		"Payer en ligne maintenant : " + testPayURL,
		"Des questions ? Appelez-nous au +44 117 496 0123 ou écrivez-nous à accounts@northwind.example.",
	},
}

// TestRender_HowToPay: every ladder email, in every language and tone, shows the
// portal link, the bank details with the reference, the pay link and the contact, in
// the text and in the HTML part (the portal link clickable there).
func TestRender_HowToPay(t *testing.T) {
	for _, step := range ladderSteps {
		for _, tone := range []string{ToneDirect, ToneIndirect} {
			for _, loc := range goldenLocales {
				t.Run(step+"/"+tone+"/"+loc, func(t *testing.T) {
					d := withHowToPay(stepData(t, step, tone, loc))
					r, err := Render(step, d)
					if err != nil {
						t.Fatalf("Render: %v", err)
					}
					text, html := collapse(plain(r.Text)), collapse(plain(stripTags(r.HTML)))
					for _, w := range howToPayWords[loc] {
						if tw := asText(w, loc); !strings.Contains(text, tw) {
							t.Errorf("text lacks %q", tw)
						}
						if hw := strings.ReplaceAll(w, "\t", " "); !strings.Contains(html, hw) {
							t.Errorf("HTML lacks %q", hw)
						}
					}
					if !strings.Contains(r.HTML, `<a href="`+testPortalURL+`"`) {
						t.Error("HTML has no link to the portal")
					}
					if t.Failed() {
						t.Logf("text:\n%s", r.Text)
					}
				})
			}
		}
	}
}

// asText is how a word of howToPayWords reads in plain text: a row's label and value
// joined by the language's colon.
func asText(w, loc string) string {
	if loc == "fr" {
		return strings.ReplaceAll(w, "\t", " : ")
	}
	return strings.ReplaceAll(w, "\t", ": ")
}

var tag = regexp.MustCompile(`<[^>]*>`)

// stripTags is the HTML part as a reader sees it: tags become spaces.
func stripTags(s string) string { return tag.ReplaceAllString(s, " ") }

// collapse removes the space that table rows put between a label's colon and its value
// beyond one, so that "IBAN:      GB33" reads "IBAN: GB33" in the comparisons.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// TestRender_HowToPayOptional: without the new fields a reminder says nothing about
// them (no empty heading, no "call us on" without a number), and the contact sentence
// has a form for a phone alone and for an email alone.
func TestRender_HowToPayOptional(t *testing.T) {
	d := stepData(t, StepReminder, ToneDirect, "en")
	plainR, err := Render(StepReminder, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"View your account", "Account holder", "Questions?"} {
		if strings.Contains(plainR.Text, w) || strings.Contains(plainR.HTML, w) {
			t.Errorf("a reminder without portal, bank or contact says %q", w)
		}
	}
	for _, c := range []struct {
		loc, phone, email, want string
	}{
		{"en", "+44 117 496 0123", "", "Questions? Call us on +44 117 496 0123."},
		{"en", "", "a@b.example", "Questions? Email us at a@b.example."},
		{"en-US", "+1 212 555 0100", "a@b.example", "Questions? Call us at +1 212 555 0100 or email a@b.example."},
		{"de", "030 1234", "", "Fragen? Rufen Sie uns an unter 030 1234."},
		{"de", "", "a@b.example", "Fragen? Schreiben Sie uns an a@b.example."},
		{"fr", "01 23 45 67 89", "", "Des questions ? Appelez-nous au 01 23 45 67 89."},
		{"fr", "", "a@b.example", "Des questions ? Écrivez-nous à a@b.example."},
	} {
		d := stepData(t, StepOverdue, ToneIndirect, c.loc)
		d.Contact = &CreditorContact{Phone: c.phone, Email: c.email}
		r, err := Render(StepOverdue, d)
		if err != nil {
			t.Fatalf("%s: %v", c.loc, err)
		}
		if got := collapse(plain(r.Text)); !strings.Contains(got, c.want) {
			t.Errorf("%s %q %q: text lacks %q:\n%s", c.loc, c.phone, c.email, c.want, r.Text)
		}
	}
	// A US account number and routing number instead of an IBAN.
	d = stepData(t, StepFirm, ToneDirect, "en-US")
	d.Bank = &BankDetails{AccountHolder: "Northwind Inc.", AccountNumber: "000123456789", SortCode: "021000021"}
	r, err := Render(StepFirm, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Account holder: Northwind Inc.", "Account number: 000123456789", "Routing number: 021000021"} {
		if !strings.Contains(collapse(plain(r.Text)), w) {
			t.Errorf("text lacks %q:\n%s", w, r.Text)
		}
	}
}

// TestRender_HowToPayGolden: one reminder per language with everything set, as text and
// HTML, for review (hand-checked when written).
func TestRender_HowToPayGolden(t *testing.T) {
	for _, loc := range goldenLocales {
		t.Run(loc, func(t *testing.T) {
			r, err := Render(StepOverdue, withHowToPay(stepData(t, StepOverdue, ToneDirect, loc)))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "messages", "howtopay.overdue."+loc+".txt"), "Subject: "+r.Subject+"\n\n"+r.Text)
			checkGolden(t, filepath.Join("testdata", "messages", "howtopay.overdue."+loc+".html"), r.HTML)
		})
	}
}

// TestLetterPDF_HowToPay: letters print the bank details, the reference, the contact
// and the portal address, but no pay-online link (a letter cannot be clicked, and the
// pay link is a credential for paying only).
func TestLetterPDF_HowToPay(t *testing.T) {
	for _, step := range []string{StepDemand, StepFinal, StepInstallmentMissed} {
		for _, loc := range goldenLocales {
			t.Run(step+"/"+loc, func(t *testing.T) {
				d := withHowToPay(stepData(t, step, ToneDirect, loc))
				d.OptOutURL = ""
				// The run states no benefit of paying (settle lifts no
				// credit hold yet): without it, the longest letter — the
				// German demand naming two earlier reminders, in the window
				// envelope layout — still fits one page.
				d.Benefits = nil
				txt, _ := letterText(t, step, d, letterAddress[loc])
				txt = collapse(txt)
				for _, w := range howToPayWords[loc] {
					if strings.Contains(w, testPayURL) {
						continue
					}
					// Letters lay rows out as a table, like the HTML part: no colon.
					if w = strings.ReplaceAll(w, "\t", " "); !strings.Contains(txt, w) {
						t.Errorf("letter lacks %q", w)
					}
				}
				if strings.Contains(txt, testPayURL) {
					t.Error("a letter prints the pay-online link")
				}
				if t.Failed() {
					t.Logf("pdftotext:\n%s", txt)
				}
				// The stored form of a letter keeps the new fields.
				spec, err := MarshalLetter(step, d, letterAddress[loc])
				if err != nil {
					t.Fatal(err)
				}
				fromSpec, err := LetterFromSpec(spec)
				if err != nil {
					t.Fatal(err)
				}
				direct, err := LetterPDF(step, d, letterAddress[loc])
				if err != nil {
					t.Fatal(err)
				}
				if string(fromSpec) != string(direct) {
					t.Error("the letter laid out from its stored spec differs from the letter itself")
				}
			})
		}
	}
}

// TestRender_HowToPayErrors: bad portal, bank and contact data are refused naming the
// field, on every channel.
func TestRender_HowToPayErrors(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(d *MessageData)
		field string
	}{
		{"portal not a URL", func(d *MessageData) { d.PortalURL = "pay.example.com/p/x" }, "PortalURL"},
		{"portal javascript", func(d *MessageData) { d.PortalURL = "javascript:alert(1)" }, "PortalURL"},
		{"portal with a space", func(d *MessageData) { d.PortalURL = "https://pay.example.com/p/a b" }, "PortalURL"},
		{"bank without holder", func(d *MessageData) { d.Bank = &BankDetails{IBAN: "DE89370400440532013000"} }, "Bank.AccountHolder"},
		{"bank without account", func(d *MessageData) { d.Bank = &BankDetails{AccountHolder: "X"} }, "Bank.IBAN"},
		{"bank line break", func(d *MessageData) {
			d.Bank = &BankDetails{AccountHolder: "X", IBAN: "DE89\n370400440532013000"}
		}, "Bank.IBAN"},
		{"bank free line too long", func(d *MessageData) {
			d.Bank = &BankDetails{AccountHolder: "X", IBAN: "DE89370400440532013000", Lines: []string{"ok", strings.Repeat("é", 201)}}
		}, "Bank.Lines[1]"},
		{"contact empty", func(d *MessageData) { d.Contact = &CreditorContact{} }, "Contact"},
		{"contact bad email", func(d *MessageData) { d.Contact = &CreditorContact{Email: "Accounts <a@b.example>"} }, "Contact.Email"},
		{"contact phone control", func(d *MessageData) { d.Contact = &CreditorContact{Phone: "+44\x1b117"} }, "Contact.Phone"},
	}
	for _, c := range cases {
		for _, ch := range []string{ChannelEmail, ChannelLetter, ChannelSMS} {
			t.Run(c.name+"/"+ch, func(t *testing.T) {
				d := stepData(t, StepOverdue, ToneDirect, "en")
				d.Channel = ch
				c.edit(&d)
				_, err := Render(StepOverdue, d)
				var fe *FieldError
				if !errors.As(err, &fe) {
					t.Fatalf("err = %v, want a FieldError", err)
				}
				found := false
				for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
					if errors.As(e, &fe) && fe.Field == c.field {
						found = true
					}
				}
				if !found {
					t.Errorf("err = %v, want one naming %s", err, c.field)
				}
			})
		}
	}
}
