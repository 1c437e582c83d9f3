package notify

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"settle/internal/civil"
	"settle/internal/money"
)

// Steps of the escalation ladder and of plan follow-up (domain §4). The collections run
// picks the step; Render words it.
const (
	StepReminder            = "reminder"             // before the due date (e.g. −3 days)
	StepDueToday            = "due_today"            // on the due date
	StepOverdue             = "overdue"              // a few days late, friendly
	StepFirm                = "firm"                 // +7: firm
	StepDemand              = "demand"               // +30: formal demand letter
	StepFinal               = "final_notice"         // +45: final notice before agency/legal
	StepInstallmentReminder = "installment_reminder" // a plan installment is due soon
	StepInstallmentMissed   = "installment_missed"   // a plan installment was not received
	StepInvoiceResend       = "invoice_resend"       // "never received the invoice": send it again
	StepFollowUp            = "follow_up"            // meeting/call invitation (with an .ics)
	StepPlanDefaulted       = "plan_defaulted"       // a payment plan ended: the remaining balance is due
	StepPlanCompleted       = "plan_completed"       // a payment plan is paid off: thank you, confirmed
)

// Steps lists every step in ladder order.
var Steps = []string{StepReminder, StepDueToday, StepOverdue, StepFirm, StepDemand, StepFinal,
	StepInstallmentReminder, StepInstallmentMissed, StepInvoiceResend, StepFollowUp, StepPlanDefaulted,
	StepPlanCompleted}

// Tones (domain §4): direct states facts and dates first; indirect puts the relationship
// first and words the same facts more softly.
const (
	ToneDirect   = "direct"
	ToneIndirect = "indirect"
)

// Channels a message can be rendered for.
const (
	ChannelEmail  = "email"
	ChannelSMS    = "sms"
	ChannelLetter = "letter"
)

// NextStep keys: what happens if the deadline of a demand or final notice passes.
const (
	NextAgency = "agency" // referral to a collection agency
	NextLegal  = "legal"  // legal action; never for time-barred debt (Regulation F §1006.26(b))
	// NextMediation: referral to an independent mediator.
	NextMediation = "mediation"
)

// Benefit keys: what paying restores (domain §2: remind of benefits, not threats).
const (
	BenefitDelivery    = "delivery"
	BenefitCreditLimit = "credit_limit"
)

// SMSMaxChars is the longest SMS Render produces, in characters (Unicode code points).
const SMSMaxChars = 320

// InvoiceLine is one invoice a message is about.
type InvoiceLine struct {
	Number             string
	IssueDate, DueDate civil.Date
	Amount, Balance    money.Amount
	DaysOverdue        int // as of MessageData.AsOf; 0 or less: not overdue
	// NewToCase: none of the case's earlier steps (MessageData.Earlier)
	// was about this invoice; it fell overdue since and joined the case.
	// "Despite our reminders" is said only of the others, and this one is
	// named as overdue as well.
	NewToCase bool
}

// InstallmentLine is the plan installment an installment step is about.
type InstallmentLine struct {
	Seq     int // 1-based
	DueDate civil.Date
	Amount  money.Amount
	// PlanID is how the message names the plan to the customer: its
	// reference (STL-…, on their agreement and quoted with payments), not
	// our internal id (the service passes the reference when it has one).
	PlanID string
	// Autopay: the installment is charged automatically on its due date
	// (a saved payment method and online payments on): its reminder says
	// so and asks for no payment.
	Autopay bool
}

// DefaultLine is the payment plan a default notice (plan_defaulted) is
// about: when it was agreed and the installments whose miss ended it.
type DefaultLine struct {
	PlanID   string // the plan's reference, as InstallmentLine.PlanID
	AgreedOn civil.Date
	// Missed are the installments missed and still unpaid, oldest first;
	// Amount is what is unpaid of each.
	Missed []InstallmentLine
}

// MeetingLine is the call or meeting a follow-up invites to.
type MeetingLine struct {
	Start    time.Time
	Location *time.Location // the customer's time zone: the time is shown there
	Length   time.Duration
	With     string // who the customer will speak to, e.g. "Anna Schmidt, Accounts"
}

// MessageData is everything a message may show. Which fields a step needs is checked by
// Render (see docs/messages.md).
type MessageData struct {
	Creditor       string           // our name
	Sender         Creditor         // our details (organisation settings) for letters; zero: the name alone
	CustomerName   string           // any Unicode; HTML output escapes it
	Locale         string           // BCP 47: en, en-GB, en-US, de, de-DE, fr, fr-FR, …; other languages → en
	Tone           string           // direct | indirect
	Channel        string           // email | sms | letter
	AsOf           civil.Date       // the date of the message
	Invoices       []InvoiceLine    // what the message is about (one consolidated message per customer)
	Total          money.Amount     // sum of the invoice balances (checked)
	Fee            money.Amount     // fee or statutory interest added at this step; zero: none
	FeeBasis       string           // the law the fee rests on, e.g. "Late Payment of Commercial Debts (Interest) Act 1998"; stated with the fee
	PayBy          civil.Date       // the deadline; required for demand and final_notice
	NextStep       string           // "agency", "legal" or "": what happens after the deadline
	Installment    *InstallmentLine // installment steps
	Default        *DefaultLine     // plan_defaulted: the plan that ended
	Completed      *CompletionLine  // plan_completed: the plan paid off
	Benefits       []string         // "delivery", "credit_limit"
	PaymentMethods []string         // bank_transfer, card, direct_debit, check, cash (others shown as given)
	PayReference   string           // reference to quote with the payment
	PayURL         string           // where the customer can pay online (emails only; "" none)
	Meeting        *MeetingLine     // follow_up
	OptOutURL      string           // required for email and SMS (Regulation F §1006.6(e)); letters have none
	PortalURL      string           // the customer's own portal link ("" none); emails link it, letters print it
	Bank           *BankDetails     // the creditor's account to pay into (nil: not shown); see howtopay.go
	Contact        *CreditorContact // the creditor's phone and email for questions (nil: not shown)
	// Earlier are the steps of this collection case that reached the
	// customer before this message, oldest first: "despite our reminders"
	// is said only when there were some, naming their dates.
	Earlier []SentStep
	// Promises are open promises to pay too small to pause the case: the
	// message acknowledges them.
	Promises []PromiseLine
}

// SentStep is an earlier message of the case: its step and the date it
// left.
type SentStep struct {
	Step string
	On   civil.Date
}

// PromiseLine is a promise to pay the customer made.
type PromiseLine struct {
	Amount  money.Amount
	DueDate civil.Date
}

// Rendered is a message ready to send. SMS has Text only; a letter has Subject and Text
// (LetterPDF lays it out); an email has all three.
type Rendered struct{ Subject, Text, HTML string }

// FieldError names a MessageData field that is missing or wrong for the step.
type FieldError struct {
	Field   string // e.g. "PayBy", "Invoices[1].Balance"
	Problem string
}

func (e *FieldError) Error() string { return "notify: " + e.Field + ": " + e.Problem }

// Render words step for d in d's language and tone, for d.Channel. It fails, naming
// every missing or inconsistent field, when the step is unknown or the data do not
// support it (e.g. a demand without PayBy, a Total that is not the sum of the balances).
func Render(step string, d MessageData) (Rendered, error) {
	return render(step, d, true)
}

// RenderText is Render without the HTML part of an email: the outbox
// stores and sends the text, and the HTML would double the run's cost of
// writing a message.
func RenderText(step string, d MessageData) (Rendered, error) {
	return render(step, d, false)
}

func render(step string, d MessageData, withHTML bool) (Rendered, error) {
	f, err := prepare(step, d)
	if err != nil {
		return Rendered{}, err
	}
	if f.channel == ChannelSMS {
		return Rendered{Text: smsText(f)}, nil
	}
	doc := compose(f)
	out := Rendered{Subject: doc.subject, Text: doc.text()}
	if f.channel == ChannelEmail && withHTML {
		h, err := doc.html()
		if err != nil {
			return Rendered{}, fmt.Errorf("notify: render %s HTML: %w", step, err)
		}
		out.HTML = h
	}
	return out, nil
}

// facts are the data of one message, checked and formatted for its locale.
type facts struct {
	step, channel string
	direct        bool
	loc           locale
	lang          phrasebook
	d             MessageData

	n         int    // number of invoices
	no        string // the invoice number when n == 1
	due       string // the due date (words) when n == 1
	days      int    // days overdue of the only invoice, or of the oldest
	total     string // formatted Total ("" without invoices)
	fee       string // formatted Fee ("" when none)
	amountDue string // what to pay now: Total (or the installment) plus Fee
	payBy     string // PayBy in words, "" when none
	asOf      string // AsOf in words

	inst *instFacts
	def  *defFacts  // plan_defaulted
	done *doneFacts // plan_completed
	// What the case sent before (MessageData.Earlier), dates in words:
	// the reminders, and the formal demand ("" none).
	reminded []string
	demanded string
	// old and fresh split the invoices when some joined the case after
	// its earlier steps (InvoiceLine.NewToCase): the earlier steps are
	// named for old only, and fresh are overdue as well. Both nil
	// otherwise.
	old, fresh []string
	meetWhen   string // formatMeeting: day, time span and zone
	meetShort  string // formatMeetingShort: day and start time
	meetMin    int    // length in minutes
}

type instFacts struct {
	seq         int
	amount, due string // formatted
	plan        string
}

// defFacts are a default notice's plan: its id, the day it was agreed and
// the installments whose miss ended it (amount: what is unpaid).
type defFacts struct {
	plan, agreed string
	missed       []instFacts
}

// checkDefault checks a default notice's plan (docs/messages.md).
func checkDefault(df *DefaultLine, cur money.Currency, bad func(field, format string, args ...any)) {
	if df == nil {
		bad("Default", "missing; step plan_defaulted is about a plan that ended")
		return
	}
	if strings.TrimSpace(df.PlanID) == "" {
		bad("Default.PlanID", "missing")
	}
	if !df.AgreedOn.IsValid() {
		bad("Default.AgreedOn", "missing or not a valid date")
	}
	if len(df.Missed) == 0 {
		bad("Default.Missed", "none given; the notice names the installments that were missed")
	}
	for i, in := range df.Missed {
		p := fmt.Sprintf("Default.Missed[%d]", i)
		if in.Seq < 1 {
			bad(p+".Seq", "%d; want 1 or more", in.Seq)
		}
		if !in.DueDate.IsValid() {
			bad(p+".DueDate", "missing or not a valid date")
		}
		switch {
		case !in.Amount.IsPositive():
			bad(p+".Amount", "%s is not positive", in.Amount)
		case in.Amount.Currency() != cur:
			bad(p+".Amount", "currency %q differs from Total's %q", in.Amount.Currency(), cur)
		}
	}
}

var knownSteps = map[string]bool{}

func init() {
	for _, s := range Steps {
		knownSteps[s] = true
	}
}

// needsInvoices are the steps that are about invoices; the others are about an
// installment or a meeting (and may list invoices too).
func needsInvoices(step string) bool {
	switch step {
	case StepInstallmentReminder, StepInstallmentMissed, StepFollowUp, StepPlanCompleted:
		return false
	}
	return true
}

func isInstallmentStep(step string) bool {
	return step == StepInstallmentReminder || step == StepInstallmentMissed
}

// prepare validates d for step and computes the formatted facts.
func prepare(step string, d MessageData) (*facts, error) {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if !knownSteps[step] {
		return nil, fmt.Errorf("notify: unknown step %q (want one of %s)", step, strings.Join(Steps, ", "))
	}
	switch d.Tone {
	case ToneDirect, ToneIndirect:
	case "":
		bad("Tone", "missing (want direct or indirect)")
	default:
		bad("Tone", "unknown tone %q (want direct or indirect)", d.Tone)
	}
	switch d.Channel {
	case ChannelEmail, ChannelSMS, ChannelLetter:
	case "":
		bad("Channel", "missing (want email, sms or letter)")
	default:
		bad("Channel", "unknown channel %q (want email, sms or letter)", d.Channel)
	}
	if strings.TrimSpace(d.Creditor) == "" {
		bad("Creditor", "missing")
	}
	if strings.TrimSpace(d.CustomerName) == "" {
		bad("CustomerName", "missing")
	}
	if !d.AsOf.IsValid() {
		bad("AsOf", "missing or not a valid date")
	}

	// Money: one currency throughout, the total adds up, the fee is positive.
	cur := d.Total.Currency()
	if isInstallmentStep(step) && d.Installment != nil && len(d.Invoices) == 0 {
		cur = d.Installment.Amount.Currency()
	}
	if needsInvoices(step) && len(d.Invoices) == 0 {
		bad("Invoices", "none given; step %s is about invoices", step)
	}
	if len(d.Invoices) > 0 {
		if _, err := money.ParseCurrency(string(cur)); err != nil {
			bad("Total", "has no valid currency (%q)", cur)
		}
		sum := money.Zero(cur)
		for i, inv := range d.Invoices {
			p := fmt.Sprintf("Invoices[%d]", i)
			if strings.TrimSpace(inv.Number) == "" {
				bad(p+".Number", "missing")
			}
			if !inv.DueDate.IsValid() {
				bad(p+".DueDate", "missing or not a valid date")
			}
			if !inv.IssueDate.IsZero() && !inv.IssueDate.IsValid() {
				bad(p+".IssueDate", "not a valid date")
			}
			if inv.Amount.Currency() != cur {
				bad(p+".Amount", "currency %q differs from Total's %q", inv.Amount.Currency(), cur)
			}
			if inv.Balance.Currency() != cur {
				bad(p+".Balance", "currency %q differs from Total's %q", inv.Balance.Currency(), cur)
				continue
			}
			if !inv.Balance.IsPositive() {
				bad(p+".Balance", "%s is not positive; only open invoices belong in a message", inv.Balance)
			}
			if s, err := sum.Add(inv.Balance); err == nil {
				sum = s
			} else {
				bad(p+".Balance", "%v", err)
			}
		}
		if d.Total.Currency() == cur && d.Total != sum {
			bad("Total", "%s %s is not the sum of the invoice balances (%s %s)", d.Total, cur, sum, cur)
		}
	}
	if !d.Fee.IsZero() {
		switch {
		case d.Fee.Currency() != cur:
			bad("Fee", "currency %q differs from the message's %q", d.Fee.Currency(), cur)
		case d.Fee.IsNegative():
			bad("Fee", "%s is negative", d.Fee)
		}
	}

	// Deadline and what follows it.
	switch {
	case d.PayBy.IsZero():
		if step == StepDemand || step == StepFinal || step == StepPlanDefaulted {
			bad("PayBy", "missing; a %s states the deadline", step)
		}
	case !d.PayBy.IsValid():
		bad("PayBy", "not a valid date")
	case d.AsOf.IsValid() && d.PayBy.Before(d.AsOf):
		bad("PayBy", "%s is before AsOf %s", d.PayBy, d.AsOf)
	}
	switch d.NextStep {
	case "", NextAgency, NextLegal, NextMediation:
	default:
		bad("NextStep", "unknown key %q (want agency, legal or empty)", d.NextStep)
	}
	for i, b := range d.Benefits {
		if b != BenefitDelivery && b != BenefitCreditLimit {
			bad(fmt.Sprintf("Benefits[%d]", i), "unknown key %q (want delivery or credit_limit)", b)
		}
	}

	// Step-specific parts.
	if isInstallmentStep(step) {
		in := d.Installment
		switch {
		case in == nil:
			bad("Installment", "missing; step %s is about a plan installment", step)
		default:
			if in.Seq < 1 {
				bad("Installment.Seq", "%d; want 1 or more", in.Seq)
			}
			if !in.DueDate.IsValid() {
				bad("Installment.DueDate", "missing or not a valid date")
			}
			if !in.Amount.IsPositive() {
				bad("Installment.Amount", "%s is not positive", in.Amount)
			} else if in.Amount.Currency() != cur {
				bad("Installment.Amount", "currency %q differs from Total's %q", in.Amount.Currency(), cur)
			}
			if strings.TrimSpace(in.PlanID) == "" {
				bad("Installment.PlanID", "missing")
			}
		}
	}
	if step == StepPlanDefaulted {
		checkDefault(d.Default, cur, bad)
	}
	if step == StepPlanCompleted {
		checkCompletion(d.Completed, d.AsOf, bad)
	}
	if step == StepFollowUp {
		m := d.Meeting
		switch {
		case m == nil:
			bad("Meeting", "missing; step follow_up invites to a meeting")
		default:
			if m.Start.IsZero() {
				bad("Meeting.Start", "missing")
			}
			if m.Location == nil {
				bad("Meeting.Location", "missing (the customer's time zone)")
			}
			if m.Length <= 0 || m.Length > 24*time.Hour {
				bad("Meeting.Length", "%s; want more than 0 and at most 24h", m.Length)
			}
		}
	}
	if d.Channel == ChannelEmail || d.Channel == ChannelSMS {
		if d.PayURL != "" {
			if u, err := url.Parse(d.PayURL); err != nil || !(u.Scheme == "https" || u.Scheme == "http") || strings.ContainsAny(d.PayURL, " \t\r\n") {
				bad("PayURL", "%q is not an absolute https or http URL", d.PayURL)
			}
		}
		if d.OptOutURL == "" {
			bad("OptOutURL", "missing; every email and SMS carries an opt-out (Regulation F §1006.6(e))")
		} else if u, err := url.Parse(d.OptOutURL); err != nil || !(u.Scheme == "https" || u.Scheme == "http" || u.Scheme == "mailto") || strings.ContainsAny(d.OptOutURL, " \t\r\n") {
			bad("OptOutURL", "%q is not an absolute https, http or mailto URL", d.OptOutURL)
		}
	}
	checkHowToPay(d, bad)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	loc := parseLocale(d.Locale)
	f := &facts{
		step:    step,
		channel: d.Channel,
		direct:  d.Tone == ToneDirect,
		loc:     loc,
		lang:    phrasebookFor(loc),
		d:       d,
		n:       len(d.Invoices),
		payBy:   formatDate(d.PayBy, loc),
		asOf:    formatDate(d.AsOf, loc),
	}
	for _, inv := range d.Invoices {
		f.days = max(f.days, inv.DaysOverdue)
	}
	earlier := d.Earlier
	if len(earlier) > 0 {
		var old, fresh []string
		for _, inv := range d.Invoices {
			if inv.NewToCase {
				fresh = append(fresh, inv.Number)
			} else {
				old = append(old, inv.Number)
			}
		}
		switch {
		case len(old) == 0 && len(fresh) > 0:
			earlier = nil // nothing the case sent was about these invoices
		case len(fresh) > 0:
			f.old, f.fresh = old, fresh
		}
	}
	for _, e := range earlier {
		switch e.Step {
		case StepDemand:
			f.demanded = formatDate(e.On, loc)
		case StepFinal:
		default:
			f.reminded = append(f.reminded, formatDate(e.On, loc))
		}
	}
	if f.n == 1 {
		f.no = d.Invoices[0].Number
		f.due = formatDate(d.Invoices[0].DueDate, loc)
	}
	due := d.Total
	if f.n > 0 {
		f.total = formatMoney(d.Total, loc)
	}
	if in := d.Installment; isInstallmentStep(step) {
		f.inst = &instFacts{seq: in.Seq, amount: formatMoney(in.Amount, loc), due: formatDate(in.DueDate, loc), plan: in.PlanID}
		due = in.Amount
	}
	if !d.Fee.IsZero() {
		f.fee = formatMoney(d.Fee, loc)
		s, err := due.Add(d.Fee)
		if err != nil {
			return nil, &FieldError{Field: "Fee", Problem: err.Error()}
		}
		due = s
	}
	if f.n > 0 || f.inst != nil {
		f.amountDue = formatMoney(due, loc)
	}
	if df := d.Default; step == StepPlanDefaulted {
		f.def = &defFacts{plan: df.PlanID, agreed: formatDate(df.AgreedOn, loc)}
		for _, in := range df.Missed {
			f.def.missed = append(f.def.missed, instFacts{seq: in.Seq, amount: formatMoney(in.Amount, loc), due: formatDate(in.DueDate, loc)})
		}
	}
	if step == StepPlanCompleted {
		f.done = completionFacts(d.Completed, loc)
	}
	if m := d.Meeting; step == StepFollowUp {
		f.meetWhen = formatMeeting(m.Start, m.Length, m.Location, loc)
		f.meetShort = formatMeetingShort(m.Start, m.Location, loc)
		f.meetMin = int(m.Length.Round(time.Minute) / time.Minute)
	}
	return f, nil
}

// The document model: a message is a list of blocks that the text, HTML and PDF
// renderers lay out in the same order, so every channel shows the same facts.

type blockKind int

const (
	blockPara     blockKind = iota // a paragraph
	blockStrong                    // the call to action (bold in HTML and PDF)
	blockInvoices                  // the invoice table
	blockRows                      // label/value rows: totals, the installment, the meeting
	blockList                      // a heading with bullet items: how to pay
	blockLink                      // a sentence followed by a URL (a link in HTML): the portal
)

type block struct {
	kind  blockKind
	text  string      // para, strong, link; list heading
	url   string      // link
	items []string    // list items
	rows  [][2]string // label, value
	bold  bool        // rows: the last row is the total to pay
	money bool        // rows: the values are amounts (right-aligned in text)
}

type doc struct {
	f        *facts
	subject  string
	greeting string
	blocks   []block
	closing  []string // sign-off lines
	optOut   string   // the opt-out sentence (email), "" for letters
}

// compose builds the message for email and letters.
func compose(f *facts) *doc {
	p := f.lang
	if f.done != nil {
		return composeCompletion(f)
	}
	d := &doc{f: f, subject: p.subject(f), greeting: p.greeting(f), closing: p.closing(f)}
	para := func(s string) {
		if s != "" {
			d.blocks = append(d.blocks, block{kind: blockPara, text: s})
		}
	}
	for _, s := range p.intro(f) {
		para(s)
	}
	lb := p.labels()
	if f.step == StepFollowUp {
		rows := [][2]string{{lb.when, f.meetWhen}, {lb.duration, p.minutes(f.meetMin)}}
		if w := strings.TrimSpace(f.d.Meeting.With); w != "" {
			rows = append(rows, [2]string{lb.with, w})
		}
		d.blocks = append(d.blocks, block{kind: blockRows, rows: rows})
		if f.n > 0 {
			para(p.aboutInvoices(f))
		}
	}
	if f.def != nil {
		// The installments whose miss ended the plan, then what is due now.
		var rows [][2]string
		for _, m := range f.def.missed {
			rows = append(rows, [2]string{p.missedRow(m.seq, m.due), m.amount})
		}
		d.blocks = append(d.blocks, block{kind: blockRows, money: true, rows: rows})
		para(p.defaultDue(f))
	}
	if f.inst != nil {
		rows := [][2]string{
			{lb.plan, f.inst.plan},
			{lb.installment, p.installmentNo(f.inst.seq)},
			{lb.dueDate, f.inst.due},
			{lb.amount, f.inst.amount},
		}
		if f.fee != "" {
			rows = append(rows, [2]string{lb.fee, f.fee}, [2]string{lb.amountDue, f.amountDue})
		}
		d.blocks = append(d.blocks, block{kind: blockRows, rows: rows, bold: f.fee != ""})
	}
	if f.n > 0 {
		d.blocks = append(d.blocks, block{kind: blockInvoices})
		switch {
		case f.inst != nil:
			d.blocks = append(d.blocks, block{kind: blockRows, money: true, rows: [][2]string{{lb.balance, f.total}}})
		case f.fee != "":
			d.blocks = append(d.blocks, block{kind: blockRows, bold: true, money: true, rows: [][2]string{
				{lb.balance, f.total}, {lb.fee, f.fee}, {lb.amountDue, f.amountDue}}})
		default:
			d.blocks = append(d.blocks, block{kind: blockRows, bold: true, money: true, rows: [][2]string{{lb.totalDue, f.total}}})
		}
	}
	hp := f.lang.(howToPayPhrases)
	autopay := f.step == StepInstallmentReminder && f.inst != nil && f.d.Installment.Autopay
	if autopay {
		d.blocks = append(d.blocks, block{kind: blockStrong, text: hp.autopay(f.inst.amount, f.inst.due)})
	} else if s := p.action(f); s != "" {
		d.blocks = append(d.blocks, block{kind: blockStrong, text: s})
	}
	para(p.consequence(f))
	if f.fee != "" && f.d.FeeBasis != "" {
		para(p.feeBasis(f.d.FeeBasis))
	}
	if len(f.d.Benefits) > 0 {
		para(p.benefits(f.d.Benefits))
	}
	if !autopay && f.step != StepFollowUp && (len(f.d.PaymentMethods) > 0 || f.d.PayReference != "" || f.d.Bank != nil) {
		var items []string
		for _, m := range f.d.PaymentMethods {
			items = append(items, p.method(m, f.loc))
		}
		d.blocks = append(d.blocks, block{kind: blockList, text: p.payHeading(), items: items})
		if b := f.d.Bank; b != nil {
			d.blocks = append(d.blocks, block{kind: blockRows, rows: bankRows(b, hp.bankLabels())})
			for _, l := range b.Lines {
				para(strings.TrimSpace(l))
			}
		}
		if f.d.PayReference != "" {
			para(p.reference(f.d.PayReference))
		}
	}
	if !autopay && f.step != StepFollowUp && f.channel == ChannelEmail && f.d.PayURL != "" {
		// A link in HTML; in text the same sentence as before ("…: URL").
		d.blocks = append(d.blocks, block{kind: blockLink, text: strings.TrimSpace(p.payOnline("")), url: f.d.PayURL})
	}
	if f.d.PortalURL != "" {
		d.blocks = append(d.blocks, block{kind: blockLink, text: hp.portalLink(), url: f.d.PortalURL})
	}
	para(p.help(f))
	if c := f.d.Contact; c != nil {
		para(hp.contact(keepTogether(c.Phone), strings.TrimSpace(c.Email)))
	}
	if f.channel == ChannelEmail {
		d.optOut = p.optOut(ChannelEmail)
	}
	if f.loc.lang == "fr" {
		d.frenchTypography()
	}
	return d
}

// frenchTypography applies frenchSpaces to every text of the document.
func (d *doc) frenchTypography() {
	d.subject = frenchSpaces(d.subject)
	d.greeting = frenchSpaces(d.greeting)
	d.optOut = frenchSpaces(d.optOut)
	for i := range d.closing {
		d.closing[i] = frenchSpaces(d.closing[i])
	}
	for i := range d.blocks {
		b := &d.blocks[i]
		b.text = frenchSpaces(b.text)
		for j := range b.items {
			b.items[j] = frenchSpaces(b.items[j])
		}
		for j := range b.rows {
			b.rows[j][1] = frenchSpaces(b.rows[j][1])
		}
	}
}

// colon is the label separator of label/value rows: "When:", French "Quand :".
func (d *doc) colon() string {
	if d.f.loc.lang == "fr" {
		return nbsp + ":"
	}
	return ":"
}

// textWidth is where plain-text paragraphs wrap.
const textWidth = 72

// text renders the plain-text body: wrapped paragraphs, aligned tables and, for email,
// the opt-out as the last line.
func (d *doc) text() string {
	var b strings.Builder
	b.WriteString(d.greeting)
	b.WriteString("\n")
	for _, bl := range d.blocks {
		b.WriteString("\n")
		switch bl.kind {
		case blockPara, blockStrong:
			b.WriteString(wrap(bl.text, textWidth))
		case blockLink:
			b.WriteString(wrap(bl.text+" "+bl.url, textWidth))
		case blockInvoices:
			b.WriteString(d.invoiceTableText())
		case blockRows:
			w, vw := 0, 0
			for _, r := range bl.rows {
				w = max(w, utf8.RuneCountInString(r[0]))
				vw = max(vw, utf8.RuneCountInString(r[1]))
			}
			for _, r := range bl.rows {
				pad := w - utf8.RuneCountInString(r[0]) + 2
				if bl.money {
					pad += vw - utf8.RuneCountInString(r[1])
				}
				b.WriteString(r[0] + d.colon() + strings.Repeat(" ", pad) + r[1] + "\n")
			}
		case blockList:
			b.WriteString(bl.text + "\n")
			for _, it := range bl.items {
				b.WriteString("- " + it + "\n")
			}
		}
	}
	b.WriteString("\n")
	b.WriteString(strings.Join(d.closing, "\n"))
	b.WriteString("\n")
	if d.optOut != "" {
		b.WriteString("\n")
		b.WriteString(wrap(d.optOut+" "+d.f.d.OptOutURL, textWidth))
	}
	return b.String()
}

// invoiceColumns returns the table's header and rows, formatted. The days-late column
// appears only when some invoice is overdue; amounts carry the currency in the header.
func (d *doc) invoiceColumns() (head []string, rows [][]string, right []bool) {
	f := d.f
	lb := f.lang.labels()
	late := f.days > 0
	cur := string(f.d.Total.Currency())
	head = []string{lb.invoice, lb.issued, lb.due}
	right = []bool{false, false, false}
	if late {
		head = append(head, lb.late)
		right = append(right, true)
	}
	head = append(head, lb.amountCol+" ("+cur+")", lb.balanceCol+" ("+cur+")")
	right = append(right, true, true)
	for _, inv := range f.d.Invoices {
		r := []string{inv.Number, formatShortDate(inv.IssueDate, f.loc), formatShortDate(inv.DueDate, f.loc)}
		if late {
			ds := ""
			if inv.DaysOverdue > 0 {
				ds = f.lang.days(inv.DaysOverdue)
			}
			r = append(r, ds)
		}
		r = append(r, formatNumber(inv.Amount, f.loc), formatNumber(inv.Balance, f.loc))
		rows = append(rows, r)
	}
	return head, rows, right
}

func (d *doc) invoiceTableText() string {
	head, rows, right := d.invoiceColumns()
	widths := make([]int, len(head))
	for i, h := range head {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		var l strings.Builder
		for i, c := range cells {
			if i > 0 {
				l.WriteString("  ")
			}
			padding := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if right[i] {
				l.WriteString(padding + c)
			} else {
				l.WriteString(c + padding)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	line(head)
	total := 0
	for _, w := range widths {
		total += w
	}
	b.WriteString(strings.Repeat("-", total+2*(len(widths)-1)) + "\n")
	for _, r := range rows {
		line(r)
	}
	return b.String()
}

// wrap breaks s into lines of at most width characters at ASCII spaces only (no-break
// spaces hold amounts and dates together). A word longer than width, such as a URL,
// gets a line of its own.
func wrap(s string, width int) string {
	var b strings.Builder
	for pi, paragraph := range strings.Split(s, "\n") {
		if pi > 0 {
			b.WriteString("\n")
		}
		n := 0
		for i, w := range strings.Split(paragraph, " ") {
			wl := utf8.RuneCountInString(w)
			switch {
			case i == 0:
			case n+1+wl > width:
				b.WriteString("\n")
				n = 0
			default:
				b.WriteString(" ")
				n++
			}
			b.WriteString(w)
			n += wl
		}
	}
	b.WriteString("\n")
	return b.String()
}

// htmlView is what the email template sees; every string is escaped by html/template.
type htmlView struct {
	Lang, Subject, Greeting string
	Blocks                  []htmlBlock
	Closing                 []string
	OptOut, OptOutURL       string
}

type htmlBlock struct {
	Kind      string // para, strong, link, table, rows, list
	Text      string
	URL       string // link
	Items     []string
	Head      []string
	Right     []bool
	Rows      [][]string
	Pairs     [][2]string
	BoldLast  bool
	Money     bool // rows: right-align the values
	LastIndex int
}

var emailTemplate = template.Must(template.New("email").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Subject}}</title>
</head>
<body style="margin:0;padding:0;background:#f4f5f7;">
<div style="max-width:640px;margin:0 auto;padding:24px;background:#ffffff;color:#1a1a1a;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;">
<p style="margin:0 0 16px;">{{.Greeting}}</p>
{{- range .Blocks}}
{{- if eq .Kind "para"}}
<p style="margin:0 0 16px;">{{.Text}}</p>
{{- else if eq .Kind "link"}}
<p style="margin:0 0 16px;">{{.Text}} <a href="{{.URL}}" style="color:#1f3a5f;">{{.URL}}</a></p>
{{- else if eq .Kind "strong"}}
<p style="margin:0 0 16px;font-weight:bold;">{{.Text}}</p>
{{- else if eq .Kind "table"}}
<table role="presentation" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%;margin:0 0 16px;font-size:14px;">
{{- $right := .Right}}
<tr>{{range $i, $h := .Head}}<th style="text-align:{{if index $right $i}}right{{else}}left{{end}};padding:6px 8px;background:#edf0f3;color:#5f666d;font-weight:bold;border-bottom:1px solid #c8cdd2;">{{$h}}</th>{{end}}</tr>
{{- range .Rows}}
<tr>{{range $i, $c := .}}<td style="text-align:{{if index $right $i}}right{{else}}left{{end}};padding:6px 8px;border-bottom:1px solid #e3e6e9;white-space:nowrap;">{{$c}}</td>{{end}}</tr>
{{- end}}
</table>
{{- else if eq .Kind "rows"}}
<table role="presentation" cellspacing="0" cellpadding="0" style="border-collapse:collapse;margin:0 0 16px;">
{{- $last := .LastIndex}}{{$bold := .BoldLast}}{{$money := .Money}}
{{- range $i, $p := .Pairs}}
<tr><td style="padding:2px 16px 2px 0;color:#5f666d;">{{index $p 0}}</td><td style="padding:2px 0;{{if $money}}text-align:right;{{end}}{{if and $bold (eq $i $last)}}font-weight:bold;{{end}}">{{index $p 1}}</td></tr>
{{- end}}
</table>
{{- else if eq .Kind "list"}}
<p style="margin:0 0 4px;font-weight:bold;">{{.Text}}</p>
{{- if .Items}}
<ul style="margin:0 0 16px;padding-left:20px;">
{{- range .Items}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- end}}
{{- end}}
<p style="margin:0 0 16px;">{{range $i, $l := .Closing}}{{if $i}}<br>{{end}}{{$l}}{{end}}</p>
<p style="margin:24px 0 0;padding-top:12px;border-top:1px solid #e3e6e9;font-size:12px;color:#5f666d;">{{.OptOut}} <a href="{{.OptOutURL}}" style="color:#1f3a5f;">{{.OptOutURL}}</a></p>
</div>
</body>
</html>
`))

// html renders the email's HTML alternative from the same blocks as the text.
func (d *doc) html() (string, error) {
	v := htmlView{Lang: d.f.loc.lang, Subject: d.subject, Greeting: d.greeting, Closing: d.closing,
		OptOut: d.optOut, OptOutURL: d.f.d.OptOutURL}
	for _, bl := range d.blocks {
		switch bl.kind {
		case blockPara:
			v.Blocks = append(v.Blocks, htmlBlock{Kind: "para", Text: bl.text})
		case blockStrong:
			v.Blocks = append(v.Blocks, htmlBlock{Kind: "strong", Text: bl.text})
		case blockLink:
			v.Blocks = append(v.Blocks, htmlBlock{Kind: "link", Text: bl.text, URL: bl.url})
		case blockInvoices:
			head, rows, right := d.invoiceColumns()
			v.Blocks = append(v.Blocks, htmlBlock{Kind: "table", Head: head, Rows: rows, Right: right})
		case blockRows:
			v.Blocks = append(v.Blocks, htmlBlock{Kind: "rows", Pairs: bl.rows, BoldLast: bl.bold, Money: bl.money, LastIndex: len(bl.rows) - 1})
		case blockList:
			v.Blocks = append(v.Blocks, htmlBlock{Kind: "list", Text: bl.text, Items: bl.items})
		}
	}
	var b bytes.Buffer
	if err := emailTemplate.Execute(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

// smsText writes the SMS: "<Creditor>: <what, amount, date>. <Ref>. <opt-out>".
//
// Shortening, until the text fits SMSMaxChars characters (code points): list every
// invoice number; else give only their count; else drop the payment reference; else
// shorten the creditor's name to 24 characters with "…"; else cut the message sentence
// with "…". The opt-out is never shortened or dropped. No-break spaces become plain
// spaces so that Latin text can stay in the GSM 7-bit alphabet.
func smsText(f *facts) string {
	p := f.lang
	optOut := p.optOut(ChannelSMS) + " " + f.d.OptOutURL
	creditor := strings.TrimSpace(f.d.Creditor)
	build := func(creditor string, detail int, withRef bool) string {
		parts := []string{creditor + ": " + p.sms(f, detail)}
		if withRef && f.d.PayReference != "" && f.step != StepFollowUp && f.step != StepPlanCompleted {
			parts = append(parts, p.smsRef(f.d.PayReference))
		}
		parts = append(parts, optOut)
		return strings.ReplaceAll(strings.Join(parts, " "), nbsp, " ")
	}
	fits := func(s string) bool { return utf8.RuneCountInString(s) <= SMSMaxChars }
	for _, c := range []struct {
		detail int
		ref    bool
	}{{2, true}, {1, true}, {1, false}} {
		if s := build(creditor, c.detail, c.ref); fits(s) {
			return s
		}
	}
	short := creditor
	if r := []rune(creditor); len(r) > 24 {
		short = strings.TrimSpace(string(r[:23])) + "…"
	}
	s := build(short, 1, false)
	if fits(s) {
		return s
	}
	// Last resort: cut the message before the opt-out.
	tail := " " + strings.ReplaceAll(optOut, nbsp, " ")
	head := []rune(strings.TrimSuffix(s, tail))
	keep := SMSMaxChars - utf8.RuneCountInString(tail) - 1
	if keep < 0 {
		keep = 0
	}
	if keep < len(head) {
		head = head[:keep]
	}
	return strings.TrimSpace(string(head)) + "…" + tail
}
