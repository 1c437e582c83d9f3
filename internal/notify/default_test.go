package notify

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/civil"
)

// defaultData is a default notice as the run passes it: a plan agreed on
// 15 May 2026 over one invoice of 300.00, installments 1 (10 June) and 2
// (10 July) of 100.00 each missed, the plan defaulted on 16 July and the
// balance due by 30 July (+14 days).
func defaultData(locale, tone, channel string) MessageData {
	creditor, customer, cur, _ := people(locale)
	d := MessageData{Creditor: creditor, CustomerName: customer, Locale: locale, Tone: tone, Channel: channel,
		AsOf: day("2026-07-16"), PayBy: day("2026-07-30"),
		Invoices: []InvoiceLine{{Number: "INV-2026-0117", IssueDate: day("2026-04-01"), DueDate: day("2026-05-01"),
			Amount: amt("300.00", cur), Balance: amt("300.00", cur), DaysOverdue: 76}},
		Total: amt("300.00", cur),
		Default: &DefaultLine{PlanID: "STL-2345678K", AgreedOn: day("2026-05-15"), Missed: []InstallmentLine{
			{Seq: 1, DueDate: day("2026-06-10"), Amount: amt("100.00", cur), PlanID: "STL-2345678K"},
			{Seq: 2, DueDate: day("2026-07-10"), Amount: amt("100.00", cur), PlanID: "STL-2345678K"}}},
		PortalURL: "https://pay.example.com/p/k7Q2x",
	}
	if channel != ChannelLetter {
		d.OptOutURL = "https://pay.example.com/optout/9f8e7d6c"
	}
	return d
}

// blocks splits a plain-text message into its paragraphs, each with its
// white space (line wrapping, no-break spaces) made single spaces, and
// leaves out the invoice table (laid out by the code every step shares).
func blocks(text string) []string {
	var out []string
	for _, p := range strings.Split(text, "\n\n") {
		p = strings.Join(strings.Fields(p), " ")
		if p == "" || strings.HasPrefix(p, "Invoice Issued") || strings.HasPrefix(p, "Rechnung ") || strings.HasPrefix(p, "Facture ") {
			continue
		}
		out = append(out, p)
	}
	return out
}

// The English email, direct, as the customer reads it (written by hand).
func TestRender_PlanDefaultedEnglish(t *testing.T) {
	r, err := Render(StepPlanDefaulted, defaultData("en", ToneDirect, ChannelEmail))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Your payment plan has ended: 300.00\u00a0USD due by 30\u00a0July\u00a02026"; r.Subject != want {
		t.Errorf("subject %q, want %q", r.Subject, want)
	}
	want := []string{
		"Dear O'Neill & Sons Ltd,",
		"The payment plan we agreed with you on 15 May 2026 (plan STL-2345678K) has ended, because these installments were not paid:",
		"Installment 1, due 10 June 2026: 100.00 USD Installment 2, due 10 July 2026: 100.00 USD",
		"As the agreement provides, the remaining balance is now due in full:",
		"Total due: 300.00 USD",
		"Please pay 300.00 USD by 30 July 2026.",
		"If it is not paid by then, collection resumes, as the agreement says.",
		"View your account, propose a payment plan or tell us about a problem: https://pay.example.com/p/k7Q2x",
		"If your circumstances have changed, reply to this email or propose a new plan through the link above. We would rather agree a plan you can keep.",
		"Kind regards, Northwind Supplies Ltd",
		"You can opt out of emails from us about this account at any time: https://pay.example.com/optout/9f8e7d6c",
	}
	if diff := cmp.Diff(want, blocks(r.Text)); diff != "" {
		t.Errorf("text (-want +got):\n%s\n%s", diff, r.Text)
	}
	for _, s := range []string{"STL-2345678K", "100.00\u00a0USD", "300.00\u00a0USD", "https://pay.example.com/p/k7Q2x"} {
		if !strings.Contains(r.HTML, s) {
			t.Errorf("HTML lacks %q", s)
		}
	}
}

// Every language and tone: the subject and the sentences that carry the
// facts and the invitation, written by hand; the tone changes the words,
// never the figures. A letter says "contact us" where an email says
// "reply to this email".
func TestRender_PlanDefaulted(t *testing.T) {
	tests := []struct {
		locale, tone, channel string
		subject               string
		want                  []string
	}{
		{"en", ToneIndirect, ChannelEmail, "Your payment plan of 15\u00a0May\u00a02026 has ended", []string{
			"We are sorry to have to tell you that the payment plan we agreed with you on 15 May 2026 (plan STL-2345678K) has ended, because these installments did not reach us:",
			"Installment 1, due 10 June 2026: 100.00 USD Installment 2, due 10 July 2026: 100.00 USD",
			"Under the terms of the agreement, this means that the remaining balance is now due in full:",
			"We ask you to pay 300.00 USD by 30 July 2026.",
			"If it has not been paid by then, the agreement provides that collection resumes. We would much rather avoid that.",
			"If something has changed in your circumstances, please reply to this email or propose a new plan through the link above. We would much rather agree a new plan with you, one that you can keep.",
		}},
		{"en", ToneDirect, ChannelLetter, "Your payment plan has ended: 300.00\u00a0USD due by 30\u00a0July\u00a02026", []string{
			"If your circumstances have changed, contact us or propose a new plan through your account page above. We would rather agree a plan you can keep.",
		}},
		{"de", ToneDirect, ChannelEmail, "Ihr Ratenplan ist beendet: 300,00\u00a0EUR zahlbar bis zum 30.\u00a0Juli\u00a02026", []string{
			"Guten Tag Müller & Söhne GmbH,",
			"der Ratenplan STL-2345678K, den wir am 15. Mai 2026 mit Ihnen vereinbart haben, ist beendet, weil diese Raten nicht bezahlt wurden:",
			"Rate 1, fällig am 10. Juni 2026: 100,00 EUR Rate 2, fällig am 10. Juli 2026: 100,00 EUR",
			"Wie in der Vereinbarung vorgesehen, ist der verbleibende Betrag damit jetzt in voller Höhe fällig:",
			"Bitte zahlen Sie 300,00 EUR bis zum 30. Juli 2026.",
			"Ist der Betrag bis dahin nicht bezahlt, setzen wir das Mahnverfahren fort, wie es die Vereinbarung vorsieht.",
			"Hat sich an Ihrer Lage etwas geändert, antworten Sie auf diese E-Mail oder schlagen Sie über den Link oben einen neuen Ratenplan vor. Uns ist ein Plan lieber, den Sie einhalten können.",
		}},
		{"de", ToneIndirect, ChannelEmail, "Ihr Ratenplan vom 15.\u00a0Mai\u00a02026 ist beendet", []string{
			"leider müssen wir Ihnen mitteilen, dass der Ratenplan STL-2345678K, den wir am 15. Mai 2026 mit Ihnen vereinbart haben, beendet ist, weil diese Raten nicht bei uns eingegangen sind:",
			"Nach der Vereinbarung ist der verbleibende Betrag damit nun in voller Höhe fällig:",
			"Wir bitten Sie, 300,00 EUR bis zum 30. Juli 2026 zu zahlen.",
			"Sollte der Betrag bis dahin nicht eingegangen sein, sieht die Vereinbarung vor, dass wir das Mahnverfahren fortsetzen. Das möchten wir gern vermeiden.",
			"Falls sich an Ihrer Lage etwas geändert hat, antworten Sie bitte auf diese E-Mail oder schlagen Sie über den Link oben einen neuen Ratenplan vor. Wir vereinbaren viel lieber einen neuen Plan mit Ihnen, den Sie einhalten können.",
		}},
		{"fr", ToneDirect, ChannelEmail, "Votre plan de paiement a pris fin\u00a0: 300,00\u00a0EUR à régler au plus tard le 30\u00a0juillet\u00a02026", []string{
			"Bonjour José Álvarez,",
			"Le plan de paiement STL-2345678K convenu avec vous le 15 mai 2026 a pris fin, car ces échéances n'ont pas été payées :",
			"Échéance n° 1, due le 10 juin 2026 : 100,00 EUR Échéance n° 2, due le 10 juillet 2026 : 100,00 EUR",
			"Comme le prévoit l'accord, le solde restant est désormais exigible en totalité :",
			"Merci de régler 300,00 EUR au plus tard le 30 juillet 2026.",
			"À défaut de paiement à cette date, le recouvrement reprendra, comme le prévoit l'accord.",
			"Si votre situation a changé, répondez à cet e-mail ou proposez un nouveau plan via le lien ci-dessus. Nous préférons convenir d'un plan que vous pourrez tenir.",
		}},
		{"fr", ToneIndirect, ChannelEmail, "Votre plan de paiement du 15\u00a0mai\u00a02026 a pris fin", []string{
			"Nous avons le regret de vous informer que le plan de paiement STL-2345678K convenu avec vous le 15 mai 2026 a pris fin, car ces échéances ne nous sont pas parvenues :",
			"Conformément à l'accord, le solde restant est donc désormais exigible en totalité :",
			"Nous vous prions de régler 300,00 EUR au plus tard le 30 juillet 2026.",
			"Si le solde n'est pas réglé d'ici là, l'accord prévoit la reprise du recouvrement. Nous souhaitons vivement l'éviter.",
			"Si votre situation a changé, n'hésitez pas à nous le dire : répondez à cet e-mail ou proposez un nouveau plan via le lien ci-dessus. Nous préférons de loin convenir avec vous d'un nouveau plan que vous pourrez tenir.",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.locale+"/"+tt.tone+"/"+tt.channel, func(t *testing.T) {
			r, err := Render(StepPlanDefaulted, defaultData(tt.locale, tt.tone, tt.channel))
			if err != nil {
				t.Fatal(err)
			}
			if r.Subject != tt.subject {
				t.Errorf("subject %q, want %q", r.Subject, tt.subject)
			}
			got := blocks(r.Text)
			for _, w := range tt.want {
				found := false
				for _, g := range got {
					found = found || g == w
				}
				if !found {
					t.Errorf("no paragraph %q in:\n%s", w, strings.Join(got, "\n"))
				}
			}
		})
	}
}

// One installment: singular words; no portal link: the invitation says
// how to agree a new plan without pointing at a link that is not there.
func TestRender_PlanDefaultedOneInstallmentNoPortal(t *testing.T) {
	d := defaultData("en", ToneDirect, ChannelEmail)
	d.Default.Missed = d.Default.Missed[:1]
	d.PortalURL = ""
	r, err := Render(StepPlanDefaulted, d)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(blocks(r.Text), "\n")
	for _, w := range []string{"has ended, because this installment was not paid:",
		"If your circumstances have changed, reply to this email to agree a new plan. We would rather agree a plan you can keep."} {
		if !strings.Contains(got, w) {
			t.Errorf("no %q in:\n%s", w, got)
		}
	}
	if strings.Contains(got, "link above") {
		t.Errorf("points at a link it does not carry:\n%s", got)
	}
}

// SMS: the facts in one short text, in every language.
func TestRender_PlanDefaultedSMS(t *testing.T) {
	for _, tt := range []struct{ locale, tone, want string }{
		{"en", ToneDirect, "Northwind Supplies Ltd: Your payment plan has ended: installments were not paid. Please pay 300.00 USD (invoice INV-2026-0117) by 30 July 2026. To agree a new plan, contact us. Opt out: https://pay.example.com/optout/9f8e7d6c"},
		{"de", ToneIndirect, "Nordwind Handel GmbH: Leider ist Ihr Ratenplan beendet, da Raten nicht eingegangen sind. Bitte zahlen Sie 300,00 EUR (Rechnung INV-2026-0117) bis zum 30. Juli 2026 oder sprechen Sie uns wegen eines neuen Plans an. Abmelden: https://pay.example.com/optout/9f8e7d6c"},
		{"fr", ToneDirect, "Vent du Nord SARL: Votre plan de paiement a pris fin : des échéances n'ont pas été payées. Merci de régler 300,00 EUR (facture INV-2026-0117) au plus tard le 30 juillet 2026. Pour un nouveau plan, contactez-nous. Désinscription : https://pay.example.com/optout/9f8e7d6c"},
	} {
		r, err := Render(StepPlanDefaulted, defaultData(tt.locale, tt.tone, ChannelSMS))
		if err != nil {
			t.Fatal(err)
		}
		if r.Text != tt.want {
			t.Errorf("%s %s SMS:\n got %q\nwant %q", tt.locale, tt.tone, r.Text, tt.want)
		}
	}
}

// Render refuses a default notice without what it must state, naming
// each field.
func TestRender_PlanDefaultedErrors(t *testing.T) {
	for _, tt := range []struct {
		name  string
		edit  func(d *MessageData)
		wants []string
	}{
		{"no plan", func(d *MessageData) { d.Default = nil }, []string{"Default: missing"}},
		{"no deadline", func(d *MessageData) { d.PayBy = civil.Date{} }, []string{"PayBy: missing"}},
		{"no installments", func(d *MessageData) { d.Default.Missed = nil }, []string{"Default.Missed: none given"}},
		{"bad installment", func(d *MessageData) {
			d.Default.Missed[1].Seq = 0
			d.Default.Missed[1].Amount = amt("100.00", "GBP")
		}, []string{"Default.Missed[1].Seq", "Default.Missed[1].Amount: currency \"GBP\""}},
		{"no agreement date, no plan id", func(d *MessageData) { d.Default.AgreedOn = civil.Date{}; d.Default.PlanID = " " },
			[]string{"Default.AgreedOn: missing", "Default.PlanID: missing"}},
		{"no invoices", func(d *MessageData) { d.Invoices = nil }, []string{"Invoices: none given"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := defaultData("en", ToneDirect, ChannelEmail)
			tt.edit(&d)
			_, err := Render(StepPlanDefaulted, d)
			if err == nil {
				t.Fatal("rendered; want an error")
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Errorf("%v is not a FieldError", err)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}
