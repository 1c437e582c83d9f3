package notify

import (
	"errors"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"settle/internal/civil"
	"settle/internal/money"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/messages")

func day(s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func amt(s string, c money.Currency) money.Amount {
	a, err := money.Parse(s, c)
	if err != nil {
		panic(err)
	}
	return a
}

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

// goldenLocales are the languages every step × tone is rendered in for the golden files.
var goldenLocales = []string{"en", "de", "fr"}

// people per locale: creditor, customer, currency, meeting zone.
func people(locale string) (creditor, customer string, cur money.Currency, zone string) {
	switch parseLocale(locale).lang {
	case "de":
		return "Nordwind Handel GmbH", "Müller & Söhne GmbH", "EUR", "Europe/Berlin"
	case "fr":
		return "Vent du Nord SARL", "José Álvarez", "EUR", "Europe/Paris"
	default:
		return "Northwind Supplies Ltd", "O'Neill & Sons Ltd", "USD", "America/New_York"
	}
}

// stepData is realistic data for one step: what the collections run would pass.
func stepData(t testing.TB, step, tone, locale string) MessageData {
	creditor, customer, cur, zone := people(locale)
	inv1 := InvoiceLine{Number: "INV-2026-0117", IssueDate: day("2026-02-01"), DueDate: day("2026-03-03"),
		Amount: amt("1234.50", cur), Balance: amt("1234.50", cur)}
	inv2 := InvoiceLine{Number: "INV-2026-0142", IssueDate: day("2026-02-14"), DueDate: day("2026-03-16"),
		Amount: amt("980.00", cur), Balance: amt("480.00", cur)}
	d := MessageData{
		Creditor: creditor, CustomerName: customer, Locale: locale, Tone: tone, Channel: ChannelEmail,
		PaymentMethods: []string{"bank_transfer", "card"}, PayReference: "C-1001-2603",
		OptOutURL: "https://pay.example.com/optout/9f8e7d6c",
	}
	with := func(asOf string, invs ...InvoiceLine) {
		d.AsOf = day(asOf)
		d.Total = money.Zero(cur)
		for _, inv := range invs {
			if n := d.AsOf.DaysSince(inv.DueDate); n > 0 {
				inv.DaysOverdue = n
			}
			d.Invoices = append(d.Invoices, inv)
			d.Total, _ = d.Total.Add(inv.Balance)
		}
	}
	switch step {
	case StepReminder:
		with("2026-02-28", inv1)
	case StepDueToday:
		with("2026-03-03", inv1)
	case StepOverdue:
		with("2026-03-19", inv1, inv2)
		d.Benefits = []string{BenefitDelivery}
	case StepFirm:
		with("2026-03-10", inv1)
		d.PayBy = day("2026-03-17")
		d.Earlier = []SentStep{{Step: StepOverdue, On: day("2026-03-06")}}
		d.Benefits = []string{BenefitDelivery, BenefitCreditLimit}
	case StepDemand:
		with("2026-04-02", inv1, inv2)
		d.Earlier = []SentStep{{Step: StepOverdue, On: day("2026-03-06")}, {Step: StepFirm, On: day("2026-03-10")}}
		d.Fee = amt("40.00", cur)
		d.FeeBasis = feeBasisFor(locale)
		d.PayBy = day("2026-04-16")
		d.NextStep = NextAgency
		d.Benefits = []string{BenefitDelivery, BenefitCreditLimit}
	case StepFinal:
		with("2026-04-17", inv1, inv2)
		d.Earlier = []SentStep{{Step: StepOverdue, On: day("2026-03-06")}, {Step: StepFirm, On: day("2026-03-10")}, {Step: StepDemand, On: day("2026-04-02")}}
		d.Fee = amt("52.37", cur)
		d.FeeBasis = feeBasisFor(locale)
		d.PayBy = day("2026-05-01")
		d.NextStep = NextLegal
	case StepInstallmentReminder:
		d.AsOf = day("2026-05-12")
		d.Installment = &InstallmentLine{Seq: 3, DueDate: day("2026-05-15"), Amount: amt("250.00", cur), PlanID: "STL-2345678K"}
	case StepInstallmentMissed:
		d.AsOf = day("2026-05-20")
		d.Installment = &InstallmentLine{Seq: 3, DueDate: day("2026-05-15"), Amount: amt("250.00", cur), PlanID: "STL-2345678K"}
		d.Fee = amt("15.00", cur)
		d.PayBy = day("2026-05-27")
	case StepPlanDefaulted:
		// A plan agreed on 15 May over INV-2026-0117 (1,234.50): the
		// first two of its three installments of 411.50 (10 June, 10 July)
		// were missed: nothing paid, the whole balance is now due.
		with("2026-07-16", inv1)
		d.PayBy = day("2026-07-30")
		d.Default = &DefaultLine{PlanID: "STL-2345678K", AgreedOn: day("2026-05-15"), Missed: []InstallmentLine{
			{Seq: 1, DueDate: day("2026-06-10"), Amount: amt("411.50", cur), PlanID: "STL-2345678K"},
			{Seq: 2, DueDate: day("2026-07-10"), Amount: amt("411.50", cur), PlanID: "STL-2345678K"}}}
		d.PortalURL = "https://pay.example.com/p/k7Q2x"
	case StepPlanCompleted:
		// The plan over INV-2026-0117 and INV-2026-0142 was paid off by
		// its last installment of 411.50 on 10 August; nothing else open.
		d.AsOf = day("2026-08-11")
		d.Completed = &CompletionLine{PlanID: "STL-2345678K", FinalPayment: amt("411.50", cur), PaidOn: day("2026-08-10"),
			InvoiceNumbers: []string{"INV-2026-0117", "INV-2026-0142"}}
		d.PortalURL = "https://pay.example.com/p/k7Q2x"
	case StepInvoiceResend:
		with("2026-03-20", inv2)
		d.PayBy = day("2026-04-03")
	case StepFollowUp:
		with("2026-04-01", inv1, inv2)
		d.Meeting = &MeetingLine{Start: time.Date(2026, 4, 7, 10, 0, 0, 0, mustZone(t, zone)),
			Location: mustZone(t, zone), Length: 30 * time.Minute, With: "Anna Schmidt, Accounts Receivable"}
	}
	return d
}

// fullData has every field set, so that every step has every figure to show.
func fullData(t testing.TB, step, tone, locale, channel string) MessageData {
	creditor, customer, cur, zone := people(locale)
	d := MessageData{
		Creditor: creditor, CustomerName: customer, Locale: locale, Tone: tone, Channel: channel,
		AsOf: day("2026-04-02"),
		Invoices: []InvoiceLine{
			{Number: "INV-2026-0117", IssueDate: day("2026-02-01"), DueDate: day("2026-03-03"),
				Amount: amt("1234.50", cur), Balance: amt("1234.50", cur), DaysOverdue: 30},
			{Number: "INV-2026-0142", IssueDate: day("2026-02-14"), DueDate: day("2026-03-16"),
				Amount: amt("980.00", cur), Balance: amt("480.05", cur), DaysOverdue: 17},
			{Number: "CN/77-ß", IssueDate: day("2026-03-01"), DueDate: day("2026-03-31"),
				Amount: amt("12000.00", cur), Balance: amt("11999.99", cur), DaysOverdue: 2},
		},
		Total:          amt("13714.54", cur),
		Fee:            amt("40.00", cur),
		PayBy:          day("2026-05-01"),
		NextStep:       NextAgency,
		Installment:    &InstallmentLine{Seq: 4, DueDate: day("2026-04-15"), Amount: amt("333.33", cur), PlanID: "pln_X"},
		Benefits:       []string{BenefitDelivery, BenefitCreditLimit},
		PaymentMethods: []string{"bank_transfer", "card", "direct_debit", "check", "cash", "crypto_wallet"},
		PayReference:   "REF-42",
		Meeting: &MeetingLine{Start: time.Date(2026, 4, 7, 10, 30, 0, 0, mustZone(t, zone)), Location: mustZone(t, zone),
			Length: 45 * time.Minute, With: "Anna Schmidt"},
		OptOutURL: "https://pay.example.com/optout/abc",
	}
	d.Default = &DefaultLine{PlanID: "pln_X", AgreedOn: day("2026-01-20"), Missed: []InstallmentLine{
		{Seq: 2, DueDate: day("2026-03-15"), Amount: amt("333.33", cur), PlanID: "pln_X"}}}
	d.Completed = &CompletionLine{PlanID: "pln_X", FinalPayment: amt("333.33", cur), PaidOn: day("2026-04-01"),
		InvoiceNumbers: []string{"INV-2026-0117"}, Others: []money.Amount{amt("480.05", cur)}}
	if channel == ChannelLetter {
		d.OptOutURL = ""
	}
	return d
}

func TestRender_Golden(t *testing.T) {
	dir := filepath.Join("testdata", "messages")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range Steps {
		for _, tone := range []string{ToneDirect, ToneIndirect} {
			for _, loc := range goldenLocales {
				name := step + "." + tone + "." + loc
				t.Run(name, func(t *testing.T) {
					r, err := Render(step, stepData(t, step, tone, loc))
					if err != nil {
						t.Fatalf("Render: %v", err)
					}
					checkGolden(t, filepath.Join(dir, name+".txt"), "Subject: "+r.Subject+"\n\n"+r.Text)
					checkGolden(t, filepath.Join(dir, name+".html"), r.HTML)
				})
			}
		}
	}
}

// TestRender_GoldenSMS writes every step × tone of one locale into one file, so the SMS
// wording can be read side by side.
func TestRender_GoldenSMS(t *testing.T) {
	for _, loc := range goldenLocales {
		t.Run(loc, func(t *testing.T) {
			var b strings.Builder
			for _, step := range Steps {
				for _, tone := range []string{ToneDirect, ToneIndirect} {
					d := stepData(t, step, tone, loc)
					d.Channel = ChannelSMS
					r, err := Render(step, d)
					if err != nil {
						t.Fatalf("%s %s: %v", step, tone, err)
					}
					fmt.Fprintf(&b, "%s %s (%d chars)\n%s\n\n", step, tone, utf8.RuneCountInString(r.Text), r.Text)
				}
			}
			checkGolden(t, filepath.Join("testdata", "messages", "sms."+loc+".txt"), b.String())
		})
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/notify -run Golden -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the rendering (run with -update and review the diff):\n--- got ---\n%s", path, got)
	}
}

// plain turns rendered text into what a reader sees: HTML unescaped, no-break spaces as
// spaces, runs of whitespace collapsed.
func plain(s string) string {
	s = html.UnescapeString(s)
	s = strings.ReplaceAll(s, nbsp, " ")
	return strings.Join(strings.Fields(s), " ")
}

// TestRender_Figures checks that every rendering shows every figure: each invoice number
// and balance, the total, the fee, the amount due and the deadline.
func TestRender_Figures(t *testing.T) {
	for _, step := range Steps {
		for _, tone := range []string{ToneDirect, ToneIndirect} {
			for _, loc := range []string{"en", "en-US", "en-GB", "de-DE", "fr-FR", "ja-JP"} {
				for _, ch := range []string{ChannelEmail, ChannelLetter} {
					t.Run(strings.Join([]string{step, tone, loc, ch}, "/"), func(t *testing.T) {
						d := fullData(t, step, tone, loc, ch)
						r, err := Render(step, d)
						if err != nil {
							t.Fatalf("Render: %v", err)
						}
						l := parseLocale(loc)
						var want []string
						switch step {
						case StepPlanCompleted:
							// A thank-you shows what was paid and what is
							// still open: nothing is asked, so no invoice
							// table, fee or deadline.
							c := d.Completed
							want = append(want, c.PlanID, formatMoney(c.FinalPayment, l), formatDate(c.PaidOn, l), formatMoney(c.Others[0], l))
							want = append(want, c.InvoiceNumbers...)
						default:
							for _, inv := range d.Invoices {
								want = append(want, inv.Number, formatNumber(inv.Balance, l))
							}
							want = append(want, formatMoney(d.Total, l), formatMoney(d.Fee, l))
							due, _ := d.Total.Add(d.Fee)
							if isInstallmentStep(step) {
								due, _ = d.Installment.Amount.Add(d.Fee)
								want = append(want, formatMoney(d.Installment.Amount, l), formatDate(d.Installment.DueDate, l))
							}
							want = append(want, formatMoney(due, l))
							if step != StepFollowUp { // an invitation has no deadline to pay
								want = append(want, formatDate(d.PayBy, l))
							} else {
								want = append(want, formatClock(d.Meeting.Start, l))
							}
						}
						outputs := map[string]string{"text": r.Text, "subject+text": r.Subject + " " + r.Text}
						if ch == ChannelEmail {
							outputs["html"] = r.HTML
						}
						for name, out := range outputs {
							got := plain(out)
							for _, w := range want {
								if !strings.Contains(got, plain(w)) {
									t.Errorf("%s lacks %q", name, w)
								}
							}
						}
						if ch == ChannelEmail {
							lines := strings.Split(strings.TrimRight(r.Text, "\n"), "\n")
							if last := lines[len(lines)-1]; !strings.HasSuffix(last, d.OptOutURL) {
								t.Errorf("email text does not end with the opt-out line: %q", last)
							}
							if !strings.Contains(r.HTML, `href="`+d.OptOutURL+`"`) {
								t.Error("HTML lacks the opt-out link")
							}
						} else if strings.Contains(r.Text, "optout") || r.HTML != "" {
							t.Error("a letter carries an opt-out line or HTML")
						}
					})
				}
			}
		}
	}
}

func TestRender_SMS(t *testing.T) {
	long := strings.Repeat("Very Long Creditor Name Holdings International ", 4)
	for _, step := range Steps {
		for _, tone := range []string{ToneDirect, ToneIndirect} {
			for _, loc := range []string{"en-US", "de", "fr"} {
				t.Run(step+"/"+tone+"/"+loc, func(t *testing.T) {
					// Realistic data: everything fits, invoice numbers listed.
					d := stepData(t, step, tone, loc)
					d.Channel = ChannelSMS
					r, err := Render(step, d)
					if err != nil {
						t.Fatal(err)
					}
					checkSMS(t, r, d)
					if r.Subject != "" || r.HTML != "" {
						t.Error("SMS has a subject or HTML")
					}
					l := parseLocale(loc)
					for _, inv := range d.Invoices {
						if step != StepFollowUp && !strings.Contains(r.Text, inv.Number) {
							t.Errorf("SMS lacks invoice %s: %s", inv.Number, r.Text)
						}
					}
					if !d.PayBy.IsZero() && !strings.Contains(r.Text, plain(formatDate(d.PayBy, l))) {
						t.Errorf("SMS lacks the deadline: %s", r.Text)
					}
					switch {
					case step == StepPlanCompleted:
						// Nothing to pay: the thank-you names the plan, not a payment reference.
						if !strings.Contains(r.Text, d.Completed.PlanID) || strings.Contains(r.Text, d.PayReference) {
							t.Errorf("SMS should name plan %s and no payment reference: %s", d.Completed.PlanID, r.Text)
						}
					case d.PayReference != "" && step != StepFollowUp && !strings.Contains(r.Text, d.PayReference):
						t.Errorf("SMS lacks the reference: %s", r.Text)
					}

					// Too much to say: 25 invoices and a long creditor name are shortened.
					d = fullData(t, step, tone, loc, ChannelSMS)
					d.Creditor = long
					d.OptOutURL = "https://pay.example.com/optout/" + strings.Repeat("x", 60)
					cur := d.Total.Currency()
					d.Invoices, d.Total = nil, money.Zero(cur)
					for i := range 25 {
						b := amt(fmt.Sprintf("%d.10", 100+i), cur)
						d.Invoices = append(d.Invoices, InvoiceLine{Number: fmt.Sprintf("INV-2026-%05d", i), IssueDate: day("2026-01-01"),
							DueDate: day("2026-02-01"), Amount: b, Balance: b, DaysOverdue: 60})
						d.Total, _ = d.Total.Add(b)
					}
					r, err = Render(step, d)
					if err != nil {
						t.Fatal(err)
					}
					checkSMS(t, r, d)
				})
			}
		}
	}
}

func checkSMS(t *testing.T, r Rendered, d MessageData) {
	t.Helper()
	if n := utf8.RuneCountInString(r.Text); n > SMSMaxChars {
		t.Errorf("SMS has %d characters, want ≤ %d: %s", n, SMSMaxChars, r.Text)
	}
	if !strings.HasSuffix(r.Text, d.OptOutURL) {
		t.Errorf("SMS does not end with the opt-out URL: %s", r.Text)
	}
	if strings.Contains(r.Text, nbsp) || strings.Contains(r.Text, "\n") {
		t.Errorf("SMS has a no-break space or a line break: %q", r.Text)
	}
}

func TestRender_HTMLEscaping(t *testing.T) {
	d := stepData(t, StepOverdue, ToneDirect, "en")
	d.CustomerName = `O'Neill & <Sons>`
	d.Creditor = `Smith & Co <script>alert(1)</script>`
	d.Invoices[0].Number = `INV-<b>1</b>`
	d.PayReference = `"quoted" & <ref>`
	r, err := Render(StepOverdue, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"<Sons>", "<script>", "<b>1</b>", `"quoted"`, "<ref>"} {
		if strings.Contains(r.HTML, raw) {
			t.Errorf("HTML contains unescaped %q", raw)
		}
	}
	for _, esc := range []string{"O&#39;Neill &amp; &lt;Sons&gt;", "&lt;script&gt;", "INV-&lt;b&gt;1&lt;/b&gt;", "&#34;quoted&#34; &amp; &lt;ref&gt;"} {
		if !strings.Contains(r.HTML, esc) {
			t.Errorf("HTML lacks escaped %q", esc)
		}
	}
	// The plain text shows the name as it is.
	if !strings.Contains(r.Text, "Dear O'Neill & <Sons>,") {
		t.Errorf("text greeting: %q", r.Text[:40])
	}
	// An opt-out URL that is not http(s)/mailto is refused rather than linked.
	d.OptOutURL = "javascript:alert(1)"
	if _, err := Render(StepOverdue, d); err == nil || !strings.Contains(err.Error(), "OptOutURL") {
		t.Errorf("javascript: opt-out URL: err = %v", err)
	}
}

func TestRender_Errors(t *testing.T) {
	good := func() MessageData { return stepData(t, StepDemand, ToneDirect, "en") }
	cases := []struct {
		name   string
		step   string
		mutate func(*MessageData)
		want   []string // substrings of the error
	}{
		{"unknown step", "dunning", func(*MessageData) {}, []string{`unknown step "dunning"`}},
		{"unknown tone", StepDemand, func(d *MessageData) { d.Tone = "blunt" }, []string{"Tone", `"blunt"`}},
		{"missing tone", StepDemand, func(d *MessageData) { d.Tone = "" }, []string{"Tone: missing"}},
		{"missing channel", StepDemand, func(d *MessageData) { d.Channel = "" }, []string{"Channel: missing"}},
		{"fax", StepDemand, func(d *MessageData) { d.Channel = "fax" }, []string{"Channel", `"fax"`}},
		{"no creditor, no customer", StepDemand, func(d *MessageData) { d.Creditor, d.CustomerName = " ", "" },
			[]string{"Creditor: missing", "CustomerName: missing"}},
		{"no as-of", StepDemand, func(d *MessageData) { d.AsOf = civil.Date{} }, []string{"AsOf"}},
		{"demand without deadline", StepDemand, func(d *MessageData) { d.PayBy = civil.Date{} }, []string{"PayBy: missing"}},
		{"final without deadline", StepFinal, func(d *MessageData) { d.PayBy = civil.Date{} }, []string{"PayBy: missing"}},
		{"deadline in the past", StepDemand, func(d *MessageData) { d.PayBy = day("2026-01-01") }, []string{"PayBy", "before AsOf"}},
		{"no invoices", StepOverdue, func(d *MessageData) { d.Invoices = nil }, []string{"Invoices: none given"}},
		{"total wrong", StepDemand, func(d *MessageData) { d.Total = amt("1.00", "USD") }, []string{"Total", "not the sum", "1714.50"}},
		{"mixed currency", StepDemand, func(d *MessageData) { d.Invoices[1].Balance = amt("480.00", "EUR") },
			[]string{"Invoices[1].Balance", `"EUR"`}},
		{"fee currency", StepDemand, func(d *MessageData) { d.Fee = amt("40.00", "GBP") }, []string{"Fee", `"GBP"`}},
		{"negative fee", StepDemand, func(d *MessageData) { d.Fee = amt("-1.00", "USD") }, []string{"Fee", "negative"}},
		{"paid invoice", StepDemand, func(d *MessageData) {
			d.Invoices[1].Balance = money.Zero("USD")
			d.Total = amt("1234.50", "USD")
		}, []string{"Invoices[1].Balance", "not positive"}},
		{"no number", StepDemand, func(d *MessageData) { d.Invoices[0].Number = "" }, []string{"Invoices[0].Number: missing"}},
		{"next step", StepDemand, func(d *MessageData) { d.NextStep = "jail" }, []string{"NextStep", `"jail"`}},
		{"benefit", StepDemand, func(d *MessageData) { d.Benefits = []string{"discount"} }, []string{"Benefits[0]", `"discount"`}},
		{"no opt-out", StepDemand, func(d *MessageData) { d.OptOutURL = "" }, []string{"OptOutURL: missing"}},
		{"installment missing", StepInstallmentMissed, func(d *MessageData) { d.Installment = nil }, []string{"Installment: missing"}},
		{"installment fields", StepInstallmentReminder, func(d *MessageData) {
			d.Installment = &InstallmentLine{Amount: amt("10.00", "USD")}
		}, []string{"Installment.Seq", "Installment.DueDate", "Installment.PlanID"}},
		{"meeting missing", StepFollowUp, func(d *MessageData) { d.Meeting = nil }, []string{"Meeting: missing"}},
		{"meeting fields", StepFollowUp, func(d *MessageData) { d.Meeting = &MeetingLine{} },
			[]string{"Meeting.Start", "Meeting.Location", "Meeting.Length"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := good()
			if c.step == StepFinal {
				d = stepData(t, StepFinal, ToneDirect, "en")
			}
			if c.step == StepFollowUp {
				d = stepData(t, StepFollowUp, ToneDirect, "en")
			}
			c.mutate(&d)
			_, err := Render(c.step, d)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			var fe *FieldError
			if c.step != "dunning" && !errors.As(err, &fe) {
				t.Errorf("error %v is not a *FieldError", err)
			}
		})
	}
	// A letter needs no opt-out URL.
	d := good()
	d.Channel, d.OptOutURL = ChannelLetter, ""
	if _, err := Render(StepDemand, d); err != nil {
		t.Errorf("letter without opt-out: %v", err)
	}
}

// TestRender_LocaleFallback: unknown languages are written in English; regions only
// change formats.
func TestRender_LocaleFallback(t *testing.T) {
	for _, c := range []struct{ tag, greeting, date string }{
		{"", "Dear", "16 April 2026"},
		{"nl-NL", "Dear", "16 April 2026"},
		{"ja_JP", "Dear", "16 April 2026"},
		{"en-US", "Dear", "April 16, 2026"},
		{"EN_us", "Dear", "April 16, 2026"},
		{"de-AT", "Guten Tag", "16. April 2026"},
		{"fr-CA", "Bonjour", "16 avril 2026"},
	} {
		d := stepData(t, StepDemand, ToneDirect, "en")
		d.Locale = c.tag
		r, err := Render(StepDemand, d)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.Text, c.greeting) || !strings.Contains(plain(r.Text), c.date) {
			t.Errorf("%q: text starts %q, want greeting %q and date %q", c.tag, r.Text[:30], c.greeting, c.date)
		}
	}
}

func TestWrap(t *testing.T) {
	in := "aaa bbb ccc https://example.com/" + strings.Repeat("x", 80) + " d" + nbsp + "e"
	got := wrap(in, 10)
	want := "aaa bbb\nccc\nhttps://example.com/" + strings.Repeat("x", 80) + "\nd" + nbsp + "e\n"
	if got != want {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	for _, l := range strings.Split(strings.TrimSpace(wrap(strings.Repeat("word ", 50), 72)), "\n") {
		if utf8.RuneCountInString(l) > 72 {
			t.Errorf("line longer than 72: %q", l)
		}
	}
}

// feeBasisFor is the law a sample customer's fee rests on, by locale.
func feeBasisFor(locale string) string {
	switch {
	case strings.HasPrefix(locale, "de"):
		return "§ 288 BGB"
	case strings.HasPrefix(locale, "fr"):
		return "l'article L441-10 du Code de commerce"
	}
	return "the Late Payment of Commercial Debts (Interest) Act 1998"
}

// An invoice that fell overdue after the case's earlier steps joins the
// case, but "despite our reminders" is said only of the invoices those
// steps were about; the new one is named as overdue as well. When none of
// the invoices was named before, no earlier step is claimed at all.
func TestRender_NewToCase(t *testing.T) {
	for _, tc := range []struct {
		locale, step string
		fresh        []bool // per invoice (INV-2026-0117, INV-2026-0142)
		want, not    string
	}{
		{"en", StepDemand, []bool{false, true},
			"Despite our reminders of 6 March 2026 and 10 March 2026, invoice INV-2026-0117 remains unpaid. Invoice INV-2026-0142 is now overdue as well.", "the invoices below remain"},
		{"de", StepDemand, []bool{false, true},
			"trotz unserer Zahlungserinnerungen vom 6. März 2026 und 10. März 2026 ist die Rechnung INV-2026-0117 weiterhin unbezahlt. Die Rechnung INV-2026-0142 ist nun ebenfalls überfällig.", "folgenden Rechnungen"},
		{"fr", StepDemand, []bool{false, true},
			"Malgré nos rappels des 6 mars 2026 et 10 mars 2026, la facture INV-2026-0117 reste impayée. La facture INV-2026-0142 est désormais également échue.", "les factures ci-dessous"},
		{"en", StepFinal, []bool{true, false},
			"invoice INV-2026-0142 remains unpaid. Invoice INV-2026-0117 is now overdue as well.", "the invoices below remain"},
		{"en", StepDemand, []bool{true, true}, "The invoices below remain unpaid.", "Despite"},
		{"en", StepDemand, []bool{false, false}, "Despite our reminders of 6 March 2026 and 10 March 2026, the invoices below remain unpaid.", "as well"},
	} {
		t.Run(tc.locale+"/"+tc.step+fmt.Sprint(tc.fresh), func(t *testing.T) {
			d := stepData(t, tc.step, ToneDirect, tc.locale)
			for i := range d.Invoices {
				d.Invoices[i].NewToCase = tc.fresh[i]
			}
			r, err := Render(tc.step, d)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(r.Text), " ")
			if !strings.Contains(text, tc.want) || strings.Contains(text, tc.not) {
				t.Errorf("want %q and not %q in:\n%s", tc.want, tc.not, text)
			}
		})
	}
}

// An installment charged automatically: its reminder says when the money
// will be collected and asks for nothing — no "please pay", no payment
// methods, bank details or pay link.
func TestRender_AutopayInstallment(t *testing.T) {
	for _, tc := range []struct{ locale, want, ask string }{
		{"en", "We will collect 250.00 USD automatically from your saved payment method on 15 May 2026. There is nothing you need to do", "Please pay"},
		{"de", "Wir ziehen 250,00 EUR am 15. Mai 2026 automatisch über Ihre hinterlegte Zahlungsmethode ein.", "Bitte zahlen Sie"},
		{"fr", "Nous prélèverons automatiquement 250,00", "Merci de régler"},
	} {
		t.Run(tc.locale, func(t *testing.T) {
			d := stepData(t, StepInstallmentReminder, ToneDirect, tc.locale)
			d.PayURL = "https://pay.example.com/p/abc"
			plain, err := Render(StepInstallmentReminder, d)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(plain.Text, tc.ask) {
				t.Fatalf("without autopay the reminder should ask %q:\n%s", tc.ask, plain.Text)
			}
			d.Installment.Autopay = true
			r, err := Render(StepInstallmentReminder, d)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(r.Text), " ")
			if !strings.Contains(text, tc.want) || strings.Contains(text, tc.ask) || strings.Contains(text, "C-1001-2603") || strings.Contains(text, "pay.example.com/p/abc") {
				t.Errorf("want %q, no %q, no reference or pay link in:\n%s", tc.want, tc.ask, text)
			}
		})
	}
}
