// Package notify produces the documents a customer receives about a payment plan.
//
// AgreementPDF renders the written plan agreement (domain §3): what the plan covers,
// every installment, how to pay, what a missed payment causes, what the customer gains
// and who accepted it.
//
// Font limitation: text is set in the embedded Go fonts (Go Regular and Go Bold), which
// cover Latin (including €, £, ü, ł, ø, é), Greek and Cyrillic, but not CJK, Arabic,
// Hebrew, emoji and other scripts. Every character the fonts have no glyph for is printed
// as '?' instead of an empty box, so a name such as "株式会社サンプル" appears as "????????".
// The data itself is untouched; only its rendering in the PDF is lossy.
package notify

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"

	"settle/internal/civil"
	"settle/internal/money"
)

// AgreementData is everything the written agreement shows. Amounts and dates are
// values: the agreement formats them for the customer's locale (Locale, a BCP 47 tag;
// en, de or fr, anything else English), as the messages do: "1,234.56 EUR",
// "1.234,56 EUR", "1 234,56 EUR"; "7 Dec 2026", "07.12.2026", "07/12/2026" in tables
// and "7 December 2026", "7. Dezember 2026", "7 décembre 2026" in sentences.
type AgreementData struct {
	PlanID, Version    string       // e.g. "pln_01…", "1"
	Locale             string       // the customer's language and formats
	Creditor           string       // the business owed, e.g. "Settle Demo Ltd"
	CustomerName       string       // may contain any Unicode: "Müller & Söhne GmbH", "Łódź Sp. z o.o.", "株式会社サンプル"
	CustomerRef        string       // external ref, may be ""
	Balance            money.Amount // what the plan covers; its currency is the plan's
	Total              money.Amount // balance + interest
	Invoices           []AgreementInvoice
	Installments       []AgreementInstallment
	Methods            []string // accepted payment method keys: bank_transfer, card, direct_debit, check, cash (others shown as given)
	BankReference      string   // the plan's reference to quote on a bank transfer, e.g. "STL-2345678K"; "" none
	BankAccount        string   // where to send transfers, e.g. "IBAN DE89 3704 0044 0532 0130 00"; "" not configured
	Autopay            bool
	GraceDays          int
	LateFee            money.Amount // zero: none
	DefaultAfterMissed int          // 0 = rule off
	DefaultDaysLate    int          // 0 = rule off
	// EarlyPayoffPercent is the share of the remainder waived on early payoff in
	// percent with a '.' decimal point, e.g. "2" or "2.5"; "" none. Paying early is
	// always allowed at no charge; Interest (any installment with interest) adds that
	// interest stops then.
	EarlyPayoffPercent string
	Concessions        []AgreementConcession
	Acceptance         *AgreementAcceptance // nil: not accepted yet (the PDF then says so and shows where acceptance will be recorded)
	IssuedOn           civil.Date           // date the document was produced
}

// Ref is how the agreement names the plan to the customer: its reference
// (STL-…, which they also quote with every payment), else its id.
func (d AgreementData) Ref() string {
	if d.BankReference != "" {
		return d.BankReference
	}
	return d.PlanID
}

// AgreementInvoice is one invoice the plan covers.
type AgreementInvoice struct {
	Number             string
	IssueDate, DueDate civil.Date
	Amount, Balance    money.Amount
}

// AgreementInstallment is one scheduled payment.
type AgreementInstallment struct {
	Seq                         int
	DueDate                     civil.Date
	Amount, Principal, Interest money.Amount
	DownPayment                 bool
}

// AgreementConcession is something granted to the customer: Kind is a plan
// concession kind ("fee_waived", "interest_frozen", "settlement_discount",
// "early_payment_discount"; others are shown as given), worded in the customer's
// language; Note is staff's own words, shown as typed.
type AgreementConcession struct {
	Kind   string
	Amount money.Amount // zero: no amount shown
	Note   string
}

// AgreementAcceptance records who accepted the plan, when, how (portal, email, phone,
// in_person, api; others shown as given) and from where.
type AgreementAcceptance struct {
	By      string
	At      time.Time
	Channel string
	IP      string
}

// Layout in millimetres and points. The numbers are chosen so a 12-installment plan with
// a few invoices and concessions fits on one or two A4 pages.
const (
	margin     = 15.0
	bodySize   = 9.5  // pt
	smallSize  = 7.5  // pt, labels and footer
	minFitSize = 6.0  // pt, smallest size a too-long table cell is shrunk to
	lineH      = 4.6  // body line height
	rowH       = 5.6  // table row height
	cellPad    = 1.5  // horizontal padding inside cells
	headSize   = 11.0 // pt, section headings
	titleSize  = 17.0 // pt
	fontFamily = "gofont"
)

// Colours (RGB). Dark blue-grey for headings, light greys for table rules and fills,
// a light green for the "What you gain" box so it stands out.
var (
	colText    = [3]int{0x1a, 0x1a, 0x1a}
	colMuted   = [3]int{0x5f, 0x66, 0x6d}
	colHeading = [3]int{0x1f, 0x3a, 0x5f}
	colRule    = [3]int{0xc8, 0xcd, 0xd2}
	colHeadBg  = [3]int{0xed, 0xf0, 0xf3}
	colGainBg  = [3]int{0xe8, 0xf5, 0xea}
	colGainFg  = [3]int{0x1b, 0x5e, 0x20}
)

// fonts holds the parsed Go fonts used to test glyph coverage. Parsing once is enough:
// sfnt.Font methods are safe for concurrent use when each call passes a nil Buffer.
var fonts = sync.OnceValues(func() ([]*sfnt.Font, error) {
	var out []*sfnt.Font
	for _, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			return nil, fmt.Errorf("notify: parse embedded font: %w", err)
		}
		out = append(out, f)
	}
	return out, nil
})

// AgreementPDF renders the agreement. Deterministic: the same data gives the same bytes.
// The PDF's creation and modification dates come from IssuedOn (not the clock), so
// IssuedOn must be a valid YYYY-MM-DD date.
func AgreementPDF(d AgreementData) ([]byte, error) {
	if d.IssuedOn.IsZero() {
		return nil, errors.New("notify: agreement has no IssuedOn date")
	}
	if len(d.Installments) == 0 {
		return nil, errors.New("notify: agreement has no installments")
	}
	if err := checkAgreementCurrencies(d); err != nil {
		return nil, err
	}
	issued := time.Date(d.IssuedOn.Year, d.IssuedOn.Month, d.IssuedOn.Day, 0, 0, 0, 0, time.UTC)
	fs, err := fonts()
	if err != nil {
		return nil, err
	}

	pdf := fpdf.New("P", "mm", "A4", "")
	// Fixed dates and sorted catalogs are what make the output byte-identical across runs.
	pdf.SetCreationDate(issued)
	pdf.SetModificationDate(issued)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.AddUTF8FontFromBytes(fontFamily, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", gobold.TTF)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(false, margin) // we break pages ourselves so table headers repeat
	pdf.SetCellMargin(cellPad)
	pdf.AliasNbPages("{nb}")

	l := parseLocale(d.Locale)
	r := &renderer{pdf: pdf, d: d, fonts: fs, loc: l, w: agreementWordsFor(l)}
	pdf.SetTitle(r.clean(r.w.agTitle()+" "+d.Ref()), true)
	pdf.SetCreator("settle", true)
	pdf.SetFooterFunc(r.footer)

	pdf.AddPage()
	r.header()
	r.parties()
	r.covers()
	r.payments()
	r.howToPay()
	r.missed()
	r.gains()
	r.earlyPayoff()
	r.acceptance()

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("notify: render agreement: %w", err)
	}
	return buf.Bytes(), nil
}

// checkAgreementCurrencies refuses amounts in another currency than the balance's:
// the tables show one currency in their headings.
func checkAgreementCurrencies(d AgreementData) error {
	cur := d.Balance.Currency()
	check := func(field string, a money.Amount) error {
		if !a.IsZero() && a.Currency() != cur {
			return fmt.Errorf("notify: agreement %s is in %q, the balance in %q", field, a.Currency(), cur)
		}
		return nil
	}
	errs := []error{check("Total", d.Total), check("LateFee", d.LateFee)}
	for i, inv := range d.Invoices {
		errs = append(errs, check(fmt.Sprintf("Invoices[%d].Amount", i), inv.Amount), check(fmt.Sprintf("Invoices[%d].Balance", i), inv.Balance))
	}
	for i, in := range d.Installments {
		errs = append(errs, check(fmt.Sprintf("Installments[%d].Amount", i), in.Amount))
	}
	for i, c := range d.Concessions {
		errs = append(errs, check(fmt.Sprintf("Concessions[%d].Amount", i), c.Amount))
	}
	return errors.Join(errs...)
}

// renderer carries the document being drawn, the data it shows and the words and
// formats of the customer's locale.
type renderer struct {
	pdf   *fpdf.Fpdf
	d     AgreementData
	fonts []*sfnt.Font
	loc   locale
	w     agreementWords
}

// number is an amount without its currency, for table cells under a heading that
// names the currency: "1,234.56", "1.234,56", "1 234,56".
func (r *renderer) number(a money.Amount) string { return formatNumber(a, r.loc) }

// date is the compact date of tables: "7 Dec 2026", "07.12.2026", "07/12/2026".
func (r *renderer) date(d civil.Date) string { return formatShortDate(d, r.loc) }

// text applies the language's typography to a sentence (French: no-break space
// before : ; ? !).
func (r *renderer) text(s string) string {
	if r.loc.lang == "fr" {
		return frenchSpaces(s)
	}
	return s
}

// clean makes s safe to print with the embedded fonts: it composes decomposed accents
// (so "u" + combining diaeresis prints as the single glyph "ü"), turns control characters
// into spaces (fields are single-line) and replaces every character the fonts lack with
// '?', because fpdf would otherwise print an empty .notdef box without any error.
func (r *renderer) clean(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	for _, c := range s {
		switch {
		case c < 0x20 || (c >= 0x7f && c < 0xa0):
			b.WriteByte(' ')
		case c == utf8.RuneError || !r.covered(c):
			b.WriteByte('?')
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// covered reports whether every embedded font has a glyph for c. Both are checked
// because a string may be printed in either weight.
func (r *renderer) covered(c rune) bool {
	if c == ' ' {
		return true
	}
	for _, f := range r.fonts {
		gi, err := f.GlyphIndex(nil, c)
		if err != nil || gi == 0 {
			return false
		}
	}
	return true
}

// Drawing primitives.

func (r *renderer) font(style string, size float64) { r.pdf.SetFont(fontFamily, style, size) }

func (r *renderer) color(c [3]int) { r.pdf.SetTextColor(c[0], c[1], c[2]) }

func (r *renderer) contentWidth() float64 {
	w, _ := r.pdf.GetPageSize()
	return w - 2*margin
}

// ensure starts a new page when fewer than h millimetres are left above the bottom
// margin, and reports whether it did.
func (r *renderer) ensure(h float64) bool {
	_, ph := r.pdf.GetPageSize()
	if r.pdf.GetY()+h <= ph-margin-6 { // 6 mm reserved for the footer
		return false
	}
	r.pdf.AddPage()
	return true
}

// lines splits already-cleaned text into lines that fit width w in the current font.
func (r *renderer) lines(text string, w float64) []string {
	ls := r.pdf.SplitText(text, w)
	if len(ls) == 0 {
		return []string{""}
	}
	return ls
}

// para prints a wrapped paragraph across the full width in the current font.
func (r *renderer) para(text string) {
	r.paraAt(r.pdf.GetX(), r.contentWidth()-(r.pdf.GetX()-margin), text)
}

// paraAt prints wrapped text in a column starting at x with width w and leaves the
// cursor at the left margin below it.
func (r *renderer) paraAt(x, w float64, text string) {
	for _, l := range r.lines(r.clean(text), w) {
		r.ensure(lineH)
		r.pdf.SetX(x)
		r.pdf.CellFormat(w, lineH, l, "", 1, "L", false, 0, "")
	}
}

// fitCell prints one table cell on a single line. Text that does not fit is shrunk down
// to minFitSize and, only if still too long, cut with an ellipsis: a row never grows or
// overflows into the next column.
func (r *renderer) fitCell(w, h float64, text, align string, fill bool) {
	text = r.clean(text)
	size, _ := r.pdf.GetFontSize()
	avail := w - 2*cellPad
	if tw := r.pdf.GetStringWidth(text); tw > avail {
		fit := size * avail / tw
		if fit < minFitSize {
			fit = minFitSize
		}
		r.pdf.SetFontSize(fit)
		if r.pdf.GetStringWidth(text) > avail {
			text = r.cut(text, avail)
		}
	}
	r.pdf.CellFormat(w, h, text, "", 0, align, fill, 0, "")
	r.pdf.SetFontSize(size)
}

// cut returns the longest start of text that, followed by "…", is at most avail wide in
// the current font. Glyph widths simply add up (fpdf applies no kerning), so one pass
// that measures each rune once finds the cut; measuring ever shorter copies of the whole
// text, as this once did, took minutes for a 200,000-character name.
func (r *renderer) cut(text string, avail float64) string {
	_, unit := r.pdf.GetFontSize()
	w := r.pdf.GetStringSymbolWidth("…")
	for i, c := range text {
		w += r.pdf.GetStringSymbolWidth(string(c))
		if float64(w)*unit/1000 > avail {
			return text[:i] + "…"
		}
	}
	return text + "…"
}

// rule draws a horizontal line across the content width at the current Y.
func (r *renderer) rule(c [3]int, width float64) {
	r.pdf.SetDrawColor(c[0], c[1], c[2])
	r.pdf.SetLineWidth(width)
	y := r.pdf.GetY()
	r.pdf.Line(margin, y, margin+r.contentWidth(), y)
}

// section starts a titled section, keeping the heading together with at least `keep`
// millimetres of what follows so a heading is never stranded at a page bottom.
func (r *renderer) section(title string, keep float64) {
	r.pdf.Ln(3.5)
	r.ensure(8 + keep)
	r.font("B", headSize)
	r.color(colHeading)
	r.pdf.CellFormat(0, 6, r.clean(title), "", 1, "L", false, 0, "")
	r.rule(colHeading, 0.3)
	r.pdf.Ln(1.5)
	r.font("", bodySize)
	r.color(colText)
}

// money formats an amount with its currency for the locale, e.g. "1,234.56 EUR",
// "1.234,56 EUR".
func (r *renderer) money(a money.Amount) string { return formatMoney(a, r.loc) }

// cur is the " (EUR)" after a column title; "" without a currency.
func (r *renderer) cur() string {
	if c := r.d.Balance.Currency(); c != "" {
		return " (" + string(c) + ")"
	}
	return ""
}

// table draws rows with a header that is repeated whenever the table crosses a page.
type column struct {
	title string
	w     float64
	align string
	// wrap lets the cell grow to several lines instead of shrinking its text. It is
	// used for identifiers such as invoice numbers, which must never be cut short.
	wrap bool
}

type table struct {
	r    *renderer
	cols []column
}

func (t *table) header() {
	r := t.r
	r.font("B", smallSize+0.5)
	r.color(colMuted)
	r.pdf.SetFillColor(colHeadBg[0], colHeadBg[1], colHeadBg[2])
	r.pdf.SetX(margin)
	for _, c := range t.cols {
		r.fitCell(c.w, rowH, c.title, c.align, true)
	}
	r.pdf.Ln(rowH)
	r.font("", bodySize)
	r.color(colText)
}

// row draws one row in the given style ("" or "B") with a light rule underneath.
func (t *table) row(style string, cells ...string) {
	r := t.r
	r.font(style, bodySize)
	// Wrapped cells decide the row height; the first line of every cell sits on the
	// same baseline as a one-line row.
	wrapped := make([][]string, len(t.cols))
	h := rowH
	for i, c := range t.cols {
		if c.wrap && i < len(cells) {
			wrapped[i] = r.lines(r.clean(cells[i]), c.w)
			h = max(h, rowH+float64(len(wrapped[i])-1)*lineH)
		}
	}
	if r.ensure(h) {
		t.header()
		r.font(style, bodySize)
	}
	y := r.pdf.GetY()
	x := margin
	for i, c := range t.cols {
		switch {
		case wrapped[i] != nil:
			for j, l := range wrapped[i] {
				r.pdf.SetXY(x, y+float64(j)*lineH)
				r.pdf.CellFormat(c.w, rowH, l, "", 0, c.align, false, 0, "")
			}
		case i < len(cells):
			r.pdf.SetXY(x, y)
			r.fitCell(c.w, rowH, cells[i], c.align, false)
		}
		x += c.w
	}
	r.pdf.SetXY(margin, y+h)
	r.rule(colRule, 0.15)
	r.font("", bodySize)
}

// Page furniture.

func (r *renderer) footer() {
	_, ph := r.pdf.GetPageSize()
	r.pdf.SetY(ph - margin + 2)
	r.font("", smallSize)
	r.color(colMuted)
	w := r.contentWidth()
	left := r.w.agTitle() + " · " + r.d.Ref() + " · " + r.w.agVersion(r.d.Version)
	r.pdf.SetX(margin)
	r.fitCell(w*0.75, 4, left, "L", false)
	r.pdf.CellFormat(w*0.25, 4, r.w.agPage(r.pdf.PageNo()), "", 0, "R", false, 0, "")
	r.color(colText)
}

// Sections, in the order they appear.

func (r *renderer) header() {
	d := r.d
	r.font("B", titleSize)
	r.color(colHeading)
	r.pdf.CellFormat(0, 9, r.clean(r.w.agTitle()), "", 1, "L", false, 0, "")
	r.font("", smallSize+1)
	r.color(colMuted)
	r.para(r.w.agPlan(d.Ref()) + " · " + r.w.agVersion(d.Version) + " · " + r.w.agIssued(formatDate(d.IssuedOn, r.loc)))
	r.pdf.Ln(2)
	r.rule(colRule, 0.3)
	r.pdf.Ln(3)
	r.color(colText)
}

// parties prints creditor and customer side by side, each in its own wrapped column.
func (r *renderer) parties() {
	d := r.d
	colW := (r.contentWidth() - 8) / 2
	y0 := r.pdf.GetY()

	block := func(x float64, label, name string, extra []string) float64 {
		r.pdf.SetXY(x, y0)
		r.font("B", smallSize)
		r.color(colMuted)
		r.pdf.CellFormat(colW, 4, r.clean(strings.ToUpper(label)), "", 1, "L", false, 0, "")
		r.font("B", bodySize+1)
		r.color(colText)
		for _, l := range r.lines(r.clean(name), colW) {
			r.pdf.SetX(x)
			r.pdf.CellFormat(colW, lineH+0.4, l, "", 1, "L", false, 0, "")
		}
		r.font("", bodySize)
		for _, e := range extra {
			r.paraAt(x, colW, e)
		}
		return r.pdf.GetY()
	}

	var ref []string
	if d.CustomerRef != "" {
		ref = []string{r.text(r.w.agCustomerRef(d.CustomerRef))}
	}
	creditor, customer := r.w.agParties()
	y1 := block(margin, creditor, d.Creditor, nil)
	y2 := block(margin+colW+8, customer, d.CustomerName, ref)
	r.pdf.SetXY(margin, max(y1, y2)+2)

	r.font("", bodySize)
	r.para(r.text(r.w.agAgrees(len(d.Installments))))
}

func (r *renderer) covers() {
	d := r.d
	r.section(r.w.agCoversHeading(), 3*rowH)
	if len(d.Invoices) > 0 {
		h := r.w.agInvoiceCols()
		t := &table{r: r, cols: []column{
			{h[0], 60, "L", true},
			{h[1], 28, "L", false},
			{h[2], 28, "L", false},
			{h[3] + r.cur(), 32, "R", false},
			{h[4] + r.cur(), 32, "R", false},
		}}
		t.header()
		for _, inv := range d.Invoices {
			t.row("", inv.Number, r.date(inv.IssueDate), r.date(inv.DueDate), r.number(inv.Amount), r.number(inv.Balance))
		}
		r.pdf.Ln(1.5)
	}
	r.ensure(rowH)
	r.font("B", bodySize+0.5)
	r.pdf.SetX(margin)
	w := r.contentWidth()
	r.fitCell(w-50, rowH, r.w.agBalanceCovered(), "R", false)
	r.fitCell(50, rowH, r.money(d.Balance), "R", false)
	r.pdf.Ln(rowH)
	r.font("", bodySize)
}

func (r *renderer) payments() {
	d := r.d
	r.section(r.w.agPaymentsHeading(), 4*rowH)

	withInterest := hasInterest(d)
	h := r.w.agPaymentCols()
	cols := []column{
		{h[0], 12, "R", false},
		{h[1], 32, "L", false},
		{h[2] + r.cur(), 36, "R", false},
	}
	if withInterest {
		cols = append(cols, column{h[3] + r.cur(), 36, "R", false}, column{h[4] + r.cur(), 36, "R", false})
	}
	used := 0.0
	for _, c := range cols {
		used += c.w
	}
	cols = append(cols, column{"", r.contentWidth() - used, "L", false})
	t := &table{r: r, cols: cols}

	t.header()
	for _, in := range d.Installments {
		cells := []string{strconv.Itoa(in.Seq), r.date(in.DueDate), r.number(in.Amount)}
		if withInterest {
			cells = append(cells, r.number(in.Principal), r.number(in.Interest))
		}
		style := ""
		if in.DownPayment {
			// Bold plus a note: the down payment is usually due first and sooner than the rest.
			cells = append(cells, r.w.agDownPayment())
			style = "B"
		}
		t.row(style, cells...)
	}
	total := []string{"", r.w.agTotal(), r.number(d.Total)}
	t.row("B", total...)

	if withInterest && d.Total != d.Balance {
		r.pdf.Ln(1.5)
		r.font("", bodySize)
		r.para(r.text(r.w.agInterestNote(r.money(d.Total), r.money(d.Balance))))
	}
}

// hasInterest reports whether any installment carries interest.
func hasInterest(d AgreementData) bool {
	for _, in := range d.Installments {
		if !in.Interest.IsZero() {
			return true
		}
	}
	return false
}

func (r *renderer) howToPay() {
	d := r.d
	r.section(r.w.agHowToPayHeading(), 2*lineH)
	if len(d.Methods) > 0 {
		p := phrasebookFor(r.loc)
		names := make([]string, len(d.Methods))
		for i, m := range d.Methods {
			names[i] = p.method(m, r.loc)
		}
		r.para(r.text(r.w.agMethods(names)))
	}
	if s := bankTransferText(r.w, d.BankAccount, d.BankReference); s != "" {
		r.para(r.text(s))
	}
	r.para(r.text(r.w.agAutopay(d.Autopay)))
}

// bankTransferText is the sentence telling the customer how to pay by
// transfer so that the payment is matched to the plan: "" without a
// reference.
func bankTransferText(w agreementWords, account, ref string) string {
	if ref == "" {
		return ""
	}
	return w.agBankTransfer(account, ref)
}

// missedText builds the plain sentences about late and missed payments, leaving out the
// rules that are switched off.
func missedText(d AgreementData) []string {
	l := parseLocale(d.Locale)
	w := agreementWordsFor(l)
	out := []string{w.agGrace(d.GraceDays)}
	if !d.LateFee.IsZero() {
		out = append(out, w.agLateFee(formatMoney(d.LateFee, l)))
	}
	if d.DefaultAfterMissed > 0 || d.DefaultDaysLate > 0 {
		out = append(out, w.agDefault(d.DefaultAfterMissed, d.DefaultDaysLate))
	}
	return out
}

func (r *renderer) missed() {
	r.section(r.w.agMissedHeading(), 2*lineH)
	r.para(r.text(strings.Join(missedText(r.d), " ")))
}

// gains lists the concessions in a tinted box with their amounts in bold, and their total
// when it can be added up, so the customer sees plainly what the plan gives them.
func (r *renderer) gains() {
	d := r.d
	if len(d.Concessions) == 0 {
		return
	}
	r.section(r.w.agGainsHeading(), 2*rowH)

	w := r.contentWidth()
	amountW := 40.0
	textW := w - amountW - 4
	fill := func(h float64) {
		r.pdf.SetFillColor(colGainBg[0], colGainBg[1], colGainBg[2])
		r.pdf.Rect(margin, r.pdf.GetY(), w, h, "F")
	}

	fill(1.5)
	r.pdf.Ln(1.5)
	for _, c := range d.Concessions {
		r.font("", bodySize)
		label := r.w.agConcession(c.Kind)
		if n := strings.TrimSpace(c.Note); n != "" {
			label += " (" + n + ")"
		}
		ls := r.lines(r.clean(label), textW)
		// Keep a short label together; a long note breaks across pages line by
		// line, the tint continuing on the next page.
		if r.ensure(float64(min(len(ls), 3))*lineH + 1.5) {
			fill(1.5)
			r.pdf.Ln(1.5)
		}
		for i, l := range ls {
			if i > 0 && r.ensure(lineH+1) {
				fill(1.5)
				r.pdf.Ln(1.5)
			}
			y := r.pdf.GetY()
			fill(lineH)
			r.font("", bodySize)
			r.color(colText)
			r.pdf.SetXY(margin+2, y)
			prefix := "  "
			if i == 0 {
				prefix = "• "
			}
			r.pdf.CellFormat(textW, lineH, prefix+l, "", 0, "L", false, 0, "")
			if i == 0 && !c.Amount.IsZero() {
				r.font("B", bodySize)
				r.color(colGainFg)
				r.pdf.SetXY(margin+w-amountW-2, y)
				r.fitCell(amountW, lineH, r.money(c.Amount), "R", false)
			}
			r.pdf.SetXY(margin, y+lineH)
		}
		fill(1)
		r.pdf.Ln(1)
	}
	if total, ok := sumAmounts(d.Concessions); ok {
		r.ensure(lineH + 2)
		y := r.pdf.GetY()
		fill(lineH + 2)
		r.font("B", bodySize)
		r.color(colGainFg)
		r.pdf.SetXY(margin+2, y+0.5)
		r.pdf.CellFormat(textW, lineH, r.clean(r.w.agGainsTotal()), "", 0, "L", false, 0, "")
		r.pdf.SetXY(margin+w-amountW-2, y+0.5)
		r.fitCell(amountW, lineH, r.money(total), "R", false)
		r.pdf.SetXY(margin, y+lineH+2)
	} else {
		fill(1)
		r.pdf.Ln(1)
	}
	r.font("", bodySize)
	r.color(colText)
}

// earlyPayoff says that the customer may always pay early at no charge, with the
// discount and the end of interest when they apply.
func (r *renderer) earlyPayoff() {
	pct := r.d.EarlyPayoffPercent
	if pct != "" {
		_, decimal := r.loc.separators()
		pct = strings.Replace(pct, ".", decimal, 1)
	}
	r.section(r.w.agEarlyHeading(), lineH)
	r.para(r.text(r.w.agEarly(pct, hasInterest(r.d))))
}

func (r *renderer) acceptance() {
	a := r.d.Acceptance
	r.section(r.w.agAcceptanceHeading(), 5*rowH)
	labels := r.w.agAcceptLabels()
	if a == nil {
		title, note := r.w.agNotAccepted()
		r.font("B", bodySize)
		r.para(title)
		r.font("", bodySize)
		r.para(r.text(note))
		r.pdf.Ln(1)
	}
	var values []string
	if a != nil {
		// The instant in UTC, in words: the customer's zone is not part of the
		// record, and UTC says so plainly.
		at := a.At.UTC()
		when := ""
		if !at.IsZero() {
			when = formatDate(civil.Of(at), r.loc) + ", " + formatClock(at, r.loc) + " UTC"
		}
		values = []string{a.By, when, r.w.agChannel(a.Channel), a.IP}
	}
	labelW := 32.0
	valueW := 90.0
	for i, l := range labels {
		r.ensure(rowH)
		r.pdf.SetX(margin)
		r.font("", bodySize)
		r.color(colMuted)
		r.fitCell(labelW, rowH, l, "L", false)
		r.color(colText)
		if a != nil {
			r.font("B", bodySize)
			r.fitCell(valueW, rowH, values[i], "L", false)
			r.pdf.Ln(rowH)
			continue
		}
		// Empty field with a rule where the acceptance details will go.
		r.pdf.Ln(rowH)
		r.pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
		r.pdf.SetLineWidth(0.2)
		y := r.pdf.GetY() - 0.8
		r.pdf.Line(margin+labelW, y, margin+labelW+valueW, y)
	}
	r.font("", bodySize)
}

// sumAmounts adds up the concession amounts. It only reports a total when there are
// at least two amounts: a sum of one would be redundant.
func sumAmounts(cs []AgreementConcession) (money.Amount, bool) {
	var amounts []money.Amount
	var cur money.Currency
	for _, c := range cs {
		if !c.Amount.IsZero() {
			amounts = append(amounts, c.Amount)
			cur = c.Amount.Currency()
		}
	}
	if len(amounts) < 2 {
		return money.Amount{}, false
	}
	sum, err := money.Sum(cur, amounts...)
	return sum, err == nil
}
