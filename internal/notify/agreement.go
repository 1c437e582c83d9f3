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
	"math/big"
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
)

// AgreementData is everything the written agreement shows, already formatted for people
// (amounts are decimal strings with their currency code, dates YYYY-MM-DD).
type AgreementData struct {
	PlanID, Version    string // e.g. "pln_01…", "1"
	Creditor           string // the business owed, e.g. "Settle Demo Ltd"
	CustomerName       string // may contain any Unicode: "Müller & Söhne GmbH", "Łódź Sp. z o.o.", "株式会社サンプル"
	CustomerRef        string // external ref, may be ""
	Currency           string // "EUR"
	Balance            string // "1234.56" — what the plan covers
	Total              string // balance + interest
	Invoices           []AgreementInvoice
	Installments       []AgreementInstallment
	Methods            []string // accepted payment methods, e.g. "bank transfer", "card"
	BankReference      string   // the plan's reference to quote on a bank transfer, e.g. "STL-2345678K"; "" none
	BankAccount        string   // where to send transfers, e.g. "IBAN DE89 3704 0044 0532 0130 00"; "" not configured
	Autopay            bool
	GraceDays          int
	LateFee            string // "15.00" or "" for none
	DefaultAfterMissed int    // 0 = rule off
	DefaultDaysLate    int    // 0 = rule off
	EarlyPayoff        string // plain sentence, e.g. "Pay the remaining balance early at any time; a 2% discount applies." or ""
	Concessions        []AgreementConcession
	Acceptance         *AgreementAcceptance // nil: not accepted yet (the PDF then says so and shows where acceptance will be recorded)
	IssuedOn           string               // date the document was produced
}

// AgreementInvoice is one invoice the plan covers.
type AgreementInvoice struct{ Number, IssueDate, DueDate, Amount, Balance string }

// AgreementInstallment is one scheduled payment.
type AgreementInstallment struct {
	Seq                                  int
	DueDate, Amount, Principal, Interest string
	DownPayment                          bool
}

// AgreementConcession is something granted to the customer, e.g. Kind "fee_waived",
// Amount "45.00", Text "Late fees waived".
type AgreementConcession struct{ Kind, Amount, Text string }

// AgreementAcceptance records who accepted the plan, when (RFC 3339), how and from where.
type AgreementAcceptance struct{ By, At, Channel, IP string }

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
	issued, err := time.Parse(time.DateOnly, d.IssuedOn)
	if err != nil {
		return nil, fmt.Errorf("notify: agreement IssuedOn %q is not a YYYY-MM-DD date: %w", d.IssuedOn, err)
	}
	if len(d.Installments) == 0 {
		return nil, errors.New("notify: agreement has no installments")
	}
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

	r := &renderer{pdf: pdf, d: d, fonts: fs}
	pdf.SetTitle(r.clean("Payment plan agreement "+d.PlanID), true)
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

// renderer carries the document being drawn and the data it shows.
type renderer struct {
	pdf   *fpdf.Fpdf
	d     AgreementData
	fonts []*sfnt.Font
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

// money formats an amount with the plan's currency, e.g. "15.00 EUR".
func (r *renderer) money(amount string) string {
	if r.d.Currency == "" {
		return amount
	}
	return amount + " " + r.d.Currency
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
	left := "Payment plan agreement · " + r.d.PlanID + " · version " + r.d.Version
	r.pdf.SetX(margin)
	r.fitCell(w*0.75, 4, left, "L", false)
	r.pdf.CellFormat(w*0.25, 4, fmt.Sprintf("Page %d of {nb}", r.pdf.PageNo()), "", 0, "R", false, 0, "")
	r.color(colText)
}

// Sections, in the order they appear.

func (r *renderer) header() {
	d := r.d
	r.font("B", titleSize)
	r.color(colHeading)
	r.pdf.CellFormat(0, 9, "Payment plan agreement", "", 1, "L", false, 0, "")
	r.font("", smallSize+1)
	r.color(colMuted)
	r.para(fmt.Sprintf("Plan %s · version %s · issued %s", d.PlanID, d.Version, d.IssuedOn))
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
		r.pdf.CellFormat(colW, 4, strings.ToUpper(label), "", 1, "L", false, 0, "")
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
		ref = []string{"Customer reference: " + d.CustomerRef}
	}
	y1 := block(margin, "Creditor", d.Creditor, nil)
	y2 := block(margin+colW+8, "Customer", d.CustomerName, ref)
	r.pdf.SetXY(margin, max(y1, y2)+2)

	r.font("", bodySize)
	n := len(d.Installments)
	plural := "s"
	if n == 1 {
		plural = ""
	}
	r.para(fmt.Sprintf("The customer agrees to pay the creditor the balance below in %d installment%s, "+
		"on the dates and in the amounts set out in this agreement.", n, plural))
}

func (r *renderer) covers() {
	d := r.d
	r.section("What this plan covers", 3*rowH)
	if len(d.Invoices) > 0 {
		cur := ""
		if d.Currency != "" {
			cur = " (" + d.Currency + ")"
		}
		t := &table{r: r, cols: []column{
			{"Invoice", 60, "L", true},
			{"Issued", 28, "L", false},
			{"Due", 28, "L", false},
			{"Amount" + cur, 32, "R", false},
			{"Balance" + cur, 32, "R", false},
		}}
		t.header()
		for _, inv := range d.Invoices {
			t.row("", inv.Number, inv.IssueDate, inv.DueDate, inv.Amount, inv.Balance)
		}
		r.pdf.Ln(1.5)
	}
	r.ensure(rowH)
	r.font("B", bodySize+0.5)
	r.pdf.SetX(margin)
	w := r.contentWidth()
	r.fitCell(w-50, rowH, "Balance covered by this plan", "R", false)
	r.fitCell(50, rowH, r.money(d.Balance), "R", false)
	r.pdf.Ln(rowH)
	r.font("", bodySize)
}

func (r *renderer) payments() {
	d := r.d
	r.section("Your payments", 4*rowH)

	withInterest := false
	for _, in := range d.Installments {
		if !isZeroAmount(in.Interest) {
			withInterest = true
			break
		}
	}
	cur := ""
	if d.Currency != "" {
		cur = " (" + d.Currency + ")"
	}
	cols := []column{
		{"#", 12, "R", false},
		{"Due date", 32, "L", false},
		{"Amount" + cur, 36, "R", false},
	}
	if withInterest {
		cols = append(cols, column{"Principal" + cur, 36, "R", false}, column{"Interest" + cur, 36, "R", false})
	}
	used := 0.0
	for _, c := range cols {
		used += c.w
	}
	cols = append(cols, column{"", r.contentWidth() - used, "L", false})
	t := &table{r: r, cols: cols}

	t.header()
	for _, in := range d.Installments {
		cells := []string{strconv.Itoa(in.Seq), in.DueDate, in.Amount}
		if withInterest {
			cells = append(cells, in.Principal, in.Interest)
		}
		style := ""
		if in.DownPayment {
			// Bold plus a note: the down payment is usually due first and sooner than the rest.
			cells = append(cells, "Down payment")
			style = "B"
		}
		t.row(style, cells...)
	}
	total := []string{"", "Total", d.Total}
	t.row("B", total...)

	if withInterest && d.Total != d.Balance {
		r.pdf.Ln(1.5)
		r.font("", bodySize)
		r.para(fmt.Sprintf("The total of %s is the balance of %s plus interest; each installment shows "+
			"how much of it reduces the balance (principal) and how much is interest.",
			r.money(d.Total), r.money(d.Balance)))
	}
}

func (r *renderer) howToPay() {
	d := r.d
	r.section("How to pay", 2*lineH)
	if len(d.Methods) > 0 {
		r.para("Accepted payment methods: " + strings.Join(d.Methods, ", ") + ".")
	}
	if s := bankTransferText(d.BankAccount, d.BankReference); s != "" {
		r.para(s)
	}
	if d.Autopay {
		r.para("Autopay is on: each installment is collected automatically on its due date.")
	} else {
		r.para("Please pay each installment so that it is received by its due date.")
	}
}

// bankTransferText is the sentence telling the customer how to pay by
// transfer so that the payment is matched to the plan: "" without a
// reference.
func bankTransferText(account, ref string) string {
	switch {
	case ref == "":
		return ""
	case account != "":
		return "Pay by bank transfer to " + account + " quoting " + ref + " as the reference, so that your payment is matched to this plan."
	default:
		return "When you pay by bank transfer, quote " + ref + " as the reference, so that your payment is matched to this plan."
	}
}

// missedText builds the plain sentences about late and missed payments, leaving out the
// rules that are switched off.
func missedText(d AgreementData) []string {
	var out []string
	switch {
	case d.GraceDays == 1:
		out = append(out, "A payment is late after its due date and missed if not received within 1 day.")
	case d.GraceDays > 1:
		out = append(out, fmt.Sprintf("A payment is late after its due date and missed if not received within %d days.", d.GraceDays))
	default:
		out = append(out, "A payment is missed if it is not received by its due date.")
	}
	if !isZeroAmount(d.LateFee) {
		fee := d.LateFee
		if d.Currency != "" {
			fee += " " + d.Currency
		}
		out = append(out, "Each missed payment adds a late fee of "+fee+".")
	}
	var conds []string
	switch {
	case d.DefaultAfterMissed == 1:
		conds = append(conds, "a payment is missed")
	case d.DefaultAfterMissed > 1:
		conds = append(conds, fmt.Sprintf("%d payments are missed", d.DefaultAfterMissed))
	}
	switch {
	case d.DefaultDaysLate == 1:
		conds = append(conds, "any payment is more than 1 day late")
	case d.DefaultDaysLate > 1:
		conds = append(conds, fmt.Sprintf("any payment is more than %d days late", d.DefaultDaysLate))
	}
	if len(conds) > 0 {
		out = append(out, "If "+strings.Join(conds, ", or ")+
			", the plan ends: the remaining balance becomes due at once and collection resumes.")
	}
	return out
}

func (r *renderer) missed() {
	r.section("If a payment is missed", 2*lineH)
	r.para(strings.Join(missedText(r.d), " "))
}

// gains lists the concessions in a tinted box with their amounts in bold, and their total
// when it can be added up, so the customer sees plainly what the plan gives them.
func (r *renderer) gains() {
	d := r.d
	if len(d.Concessions) == 0 {
		return
	}
	r.section("What you gain", 2*rowH)

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
		label := c.Text
		if label == "" {
			label = strings.ReplaceAll(c.Kind, "_", " ")
		}
		ls := r.lines(r.clean(label), textW)
		h := float64(len(ls)) * lineH
		if r.ensure(h + 1.5) {
			fill(1.5)
			r.pdf.Ln(1.5)
		}
		y := r.pdf.GetY()
		fill(h + 1)
		r.color(colText)
		for i, l := range ls {
			r.pdf.SetXY(margin+2, y+float64(i)*lineH)
			prefix := "  "
			if i == 0 {
				prefix = "• "
			}
			r.pdf.CellFormat(textW, lineH, prefix+l, "", 0, "L", false, 0, "")
		}
		if c.Amount != "" {
			r.font("B", bodySize)
			r.color(colGainFg)
			r.pdf.SetXY(margin+w-amountW-2, y)
			r.fitCell(amountW, lineH, r.money(c.Amount), "R", false)
		}
		r.pdf.SetXY(margin, y+h+1)
	}
	if total, ok := sumAmounts(d.Concessions); ok {
		r.ensure(lineH + 2)
		y := r.pdf.GetY()
		fill(lineH + 2)
		r.font("B", bodySize)
		r.color(colGainFg)
		r.pdf.SetXY(margin+2, y+0.5)
		r.pdf.CellFormat(textW, lineH, "Total value of these concessions", "", 0, "L", false, 0, "")
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

func (r *renderer) earlyPayoff() {
	if r.d.EarlyPayoff == "" {
		return
	}
	r.section("Paying early", lineH)
	r.para(r.d.EarlyPayoff)
}

func (r *renderer) acceptance() {
	a := r.d.Acceptance
	r.section("Acceptance", 5*rowH)
	labels := []string{"Accepted by", "Accepted at", "Channel", "IP address"}
	if a == nil {
		r.font("B", bodySize)
		r.para("Not yet accepted.")
		r.font("", bodySize)
		r.para("When the customer accepts this plan, who accepted, when, through which channel " +
			"and from which IP address is recorded here.")
		r.pdf.Ln(1)
	}
	var values []string
	if a != nil {
		values = []string{a.By, a.At, a.Channel, a.IP}
	}
	labelW := 32.0
	valueW := 90.0
	for i, l := range labels {
		r.ensure(rowH)
		r.pdf.SetX(margin)
		r.font("", bodySize)
		r.color(colMuted)
		r.pdf.CellFormat(labelW, rowH, l, "", 0, "L", false, 0, "")
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

// isZeroAmount reports whether a formatted amount is empty or zero ("", "0", "0.00").
// Amounts arrive as strings, so "any interest > 0" means "some digit is not 0".
func isZeroAmount(s string) bool {
	for _, c := range s {
		if c >= '1' && c <= '9' {
			return false
		}
	}
	return true
}

// sumAmounts adds up the concession amounts exactly (big.Rat, no float rounding) and
// formats the total with the largest number of decimals seen. It only reports a total
// when there are at least two amounts and all of them parse; otherwise a sum would be
// either redundant or misleading.
func sumAmounts(cs []AgreementConcession) (string, bool) {
	sum := new(big.Rat)
	n, decimals := 0, 0
	for _, c := range cs {
		if c.Amount == "" {
			continue
		}
		v, ok := new(big.Rat).SetString(c.Amount)
		if !ok {
			return "", false
		}
		if i := strings.IndexByte(c.Amount, '.'); i >= 0 {
			decimals = max(decimals, len(c.Amount)-i-1)
		}
		sum.Add(sum, v)
		n++
	}
	if n < 2 {
		return "", false
	}
	return sum.FloatString(decimals), true
}
