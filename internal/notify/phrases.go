package notify

import (
	"strings"
)

// phrasebook holds the wording of one language. Every method returns finished
// sentences (never fragments glued by the caller), because word order, agreement and
// punctuation differ between English, German and French.
type phrasebook interface {
	subject(f *facts) string
	greeting(f *facts) string
	intro(f *facts) []string       // the opening paragraph(s): the facts of the step
	aboutInvoices(f *facts) string // follow_up: introduces the invoice table
	action(f *facts) string        // what to pay by when ("" for follow_up)
	consequence(f *facts) string   // what happens after the deadline ("" when nothing is said)
	help(f *facts) string          // already paid / difficulties / the invitation
	benefits(keys []string) string // what paying restores
	feeBasis(basis string) string  // the law the claimed fee and interest rest on
	payHeading() string            // heading of the payment methods
	method(key string, l locale) string
	reference(ref string) string  // how to quote the payment reference
	payOnline(url string) string  // the pay-online line of an email
	closing(f *facts) []string    // sign-off lines, the creditor last
	optOut(channel string) string // the opt-out sentence; the URL follows it
	labels() labels
	installmentNo(seq int) string    // the value of the installment row: "3", "n° 3"
	days(n int) string               // "5 days"
	minutes(n int) string            // "30 minutes"
	sms(f *facts, detail int) string // the SMS sentence; detail 2 lists invoice numbers, 1 counts them
	smsRef(ref string) string
	invite(f *facts) (summary, description string)
	// plan_defaulted: the label of a missed installment's row ("Installment
	// 1, due 10 June 2026"), and the sentence before the balance now due.
	missedRow(seq int, due string) string
	defaultDue(f *facts) string
}

// labels are the words of tables and label/value rows.
type labels struct {
	invoice, issued, due, late, amountCol, balanceCol string // invoice table columns
	balance, fee, amountDue, totalDue                 string // totals
	plan, installment, dueDate, amount                string // installment rows
	when, duration, with                              string // meeting rows
	date, reference, page                             string // letters
}

func phrasebookFor(l locale) phrasebook {
	switch l.lang {
	case "de":
		return german{}
	case "fr":
		return french{}
	default:
		return english{us: l.us()}
	}
}

// invoiceNumbers lists the invoice numbers joined by sep.
func invoiceNumbers(f *facts, sep string) string {
	nums := make([]string, len(f.d.Invoices))
	for i, inv := range f.d.Invoices {
		nums[i] = inv.Number
	}
	return strings.Join(nums, sep)
}

// joinAnd joins items as "a", "a and b", "a, b and c" with the language's word for and.
func joinAnd(items []string, and string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + and + " " + items[len(items)-1]
}

// upperFirst capitalises the first letter (for sentences that start with a phrase).
func upperFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// inviteDescription is the plain text of a calendar invitation: the opening, the
// meeting rows and the invoices it is about.
func inviteDescription(f *facts, p phrasebook) string {
	lb := p.labels()
	colon := ": "
	if f.loc.lang == "fr" {
		colon = " : "
	}
	var lines []string
	for i, s := range p.intro(f) {
		if i == 0 {
			s = upperFirst(s) // German openings continue the salutation in lower case
		}
		lines = append(lines, s)
	}
	lines = append(lines, "", lb.when+colon+f.meetWhen, lb.duration+colon+p.minutes(f.meetMin))
	if w := strings.TrimSpace(f.d.Meeting.With); w != "" {
		lines = append(lines, lb.with+colon+w)
	}
	if f.n > 0 {
		lines = append(lines, "", lb.invoice+colon+invoiceNumbers(f, ", "), lb.totalDue+colon+f.total)
	}
	// Plain spaces: calendar clients differ in how they wrap no-break spaces.
	return strings.ReplaceAll(strings.Join(lines, "\n"), nbsp, " ")
}

// joinWords joins a list as prose: "a", "a and b", "a, b and c" (sep ", ",
// last " and ").
func joinWords(list []string, sep, last string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], sep) + last + list[len(list)-1]
}

// lowerFirst lower-cases the first letter (a German sentence right after
// the salutation's comma starts in lower case).
func lowerFirst(s string) string {
	for i, r := range s {
		return strings.ToLower(string(r)) + s[i+len(string(r)):]
	}
	return s
}
