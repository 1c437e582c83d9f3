package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Letter layout in millimetres and points. A DIN 5008-like page: the creditor at the
// top, the customer's address block on the left at 45 mm with the date and reference
// beside it, then subject, salutation, body and sign-off.
const (
	letterMargin    = 20.0 // left and right margin
	letterSize      = 10.0 // pt, body
	letterLineH     = 4.9
	letterTitleSize = 14.0 // pt, creditor name
	addressTop      = 45.0
	asideX          = 125.0 // left edge of the date/reference column

	// The window of a C5/6 or DL envelope shows, on an A4 sheet folded in
	// three, the area 20–110 mm from the left edge and 45–90 mm from the top
	// (DIN 5008 form B, DIN 680 window 90 × 45 mm): the return address in
	// its top 17.7 mm, the recipient's address in the 27.3 mm below.
	windowLeft   = 20.0
	windowWidth  = 85.0 // 5 mm short of the 90 mm window: a folded sheet moves in the envelope
	returnLineY  = 57.5 // top of the return address line, above the address zone
	addressZoneY = 62.7 // top of the recipient's address zone
	windowBottom = 90.0
	addressLineH = 4.2 // six 10.5 pt lines fit the 27.3 mm zone
)

// LetterPDF renders step as a printed letter (compact A4 PDF): creditor header, date
// and payment reference, the customer's address block (addressLines, without the name,
// which is taken from d.CustomerName unless the first line repeats it), subject,
// salutation, the same body as the email in d's language and tone (invoice table,
// totals, the deadline, payment details, what happens next) and the sign-off.
//
// Intended for the demand and final notice, it accepts every step. d.Channel is set
// to "letter": no opt-out line (Regulation F's opt-out concerns email and SMS).
// Deterministic: the same input gives the same bytes (the PDF dates come from d.AsOf).
// One page holds 8 invoices in the longest wording (more in shorter ones); a longer
// table continues on a second page with its header repeated (invoices are never left
// out of a demand).
func LetterPDF(step string, d MessageData, addressLines []string) ([]byte, error) {
	created := time.Date(d.AsOf.Year, d.AsOf.Month, d.AsOf.Day, 0, 0, 0, 0, time.UTC)
	pdf := newLetterPDF(created)
	pdf.AliasNbPages("{nb}")
	l, err := addLetter(pdf, step, d, addressLines, "{nb}")
	if err != nil {
		return nil, err
	}
	pdf.SetTitle(l.r.clean(l.doc.subject), true)
	pdf.SetSubject(l.r.clean(d.Creditor+" · "+d.CustomerName), true)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("notify: render %s letter: %w", step, err)
	}
	return buf.Bytes(), nil
}

// newLetterPDF is an empty A4 document set up for letters.
func newLetterPDF(created time.Time) *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.AddUTF8FontFromBytes(fontFamily, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", gobold.TTF)
	pdf.SetMargins(letterMargin, 15, letterMargin)
	pdf.SetAutoPageBreak(false, margin)
	pdf.SetCellMargin(cellPad)
	pdf.SetCreator("settle", true)
	return pdf
}

// addLetter lays one letter out on new pages of pdf (its footer numbers
// its own pages: the caller sets the {nb} alias to the letter's count).
func addLetter(pdf *fpdf.Fpdf, step string, d MessageData, addressLines []string, nb string) (*letter, error) {
	d.Channel = ChannelLetter
	f, err := prepare(step, d)
	if err != nil {
		return nil, err
	}
	doc := compose(f)
	fs, err := fonts()
	if err != nil {
		return nil, err
	}
	r := &renderer{pdf: pdf, fonts: fs}
	l := &letter{r: r, doc: doc, lb: f.lang.labels(), first: pdf.PageNo() + 1, nb: nb}
	// AddPage closes the page before it with the footer then set (the
	// previous letter's), so this letter's footer is set after it.
	pdf.AddPage()
	pdf.SetFooterFunc(l.footer)
	l.header()
	l.address(addressLines)
	l.body()
	return l, nil
}

// LettersPDF lays several stored letters (MarshalLetter specs) out in one
// PDF, each starting on a new page and numbering its own pages ("page 1 /
// 2"): the day's print batch, one letter per page-set, each address where
// a window envelope shows it. created dates the document.
func LettersPDF(specs [][]byte, created time.Time) ([]byte, error) {
	if len(specs) == 0 {
		return nil, fmt.Errorf("notify: a print batch needs at least one letter")
	}
	pdf := newLetterPDF(created)
	var prev *letter
	for i, spec := range specs {
		var s letterSpec
		if err := json.Unmarshal(spec, &s); err != nil {
			return nil, fmt.Errorf("notify: letter %d: spec: %w", i+1, err)
		}
		// Each letter counts its own pages: a per-letter alias for the
		// total, filled in once its last page is known.
		l, err := addLetter(pdf, s.Step, s.data(), s.Address, fmt.Sprintf("{nb%d}", i+1))
		if err != nil {
			return nil, fmt.Errorf("notify: letter %d: %w", i+1, err)
		}
		if prev != nil {
			pdf.RegisterAlias(prev.nb, fmt.Sprint(l.first-prev.first))
		}
		prev = l
	}
	pdf.SetTitle("Print batch", true)
	pdf.RegisterAlias(prev.nb, fmt.Sprint(pdf.PageNo()-prev.first+1))
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("notify: render print batch: %w", err)
	}
	return buf.Bytes(), nil
}

// letter lays a composed message out on the page with the agreement's renderer.
type letter struct {
	r     *renderer
	doc   *doc
	lb    labels
	first int    // the document's page number of the letter's first page
	nb    string // the alias its footer prints for its page count
}

func (l *letter) width() float64 {
	w, _ := l.r.pdf.GetPageSize()
	return w - 2*letterMargin
}

// wrapped splits cleaned text into lines no wider than w at ASCII spaces only (fpdf's
// SplitText also breaks at no-break spaces, which would split amounts and dates). A word
// wider than a line is broken between characters rather than run off the page. Each word
// and each character of a broken word is measured once, so the work is linear in the
// text (glyph widths add up: fpdf applies no kerning).
func (l *letter) wrapped(text string, w float64) []string {
	pdf := l.r.pdf
	_, unit := pdf.GetFontSize()
	avail := w - 2*cellPad
	fits := func(units int) bool { return float64(units)*unit/1000 <= avail }
	space := pdf.GetStringSymbolWidth(" ")
	var lines []string
	for _, par := range strings.Split(l.r.clean(strings.ReplaceAll(text, "\n", "\x00")), "\x00") {
		var cur strings.Builder
		curW := 0
		for _, word := range strings.Split(par, " ") {
			ww := pdf.GetStringSymbolWidth(word)
			if cur.Len() > 0 {
				if fits(curW + space + ww) {
					cur.WriteByte(' ')
					cur.WriteString(word)
					curW += space + ww
					continue
				}
				lines = append(lines, cur.String())
				cur.Reset()
			}
			for !fits(ww) {
				n, nw := 0, 0
				for i, c := range word {
					cw := pdf.GetStringSymbolWidth(string(c))
					if i > 0 && !fits(nw+cw) {
						break
					}
					n, nw = i+utf8.RuneLen(c), nw+cw
				}
				lines = append(lines, word[:n])
				word, ww = word[n:], ww-nw
			}
			cur.WriteString(word)
			curW = ww
		}
		lines = append(lines, cur.String())
	}
	return lines
}

// para prints text wrapped over width w from x.
func (l *letter) paraAt(x, w float64, text string) {
	for _, line := range l.wrapped(text, w) {
		l.r.ensure(letterLineH)
		l.r.pdf.SetX(x)
		l.r.pdf.CellFormat(w, letterLineH, line, "", 1, "L", false, 0, "")
	}
}

func (l *letter) para(text string) { l.paraAt(letterMargin, l.width(), text) }

func (l *letter) gap(h float64) { l.r.pdf.Ln(h) }

func (l *letter) header() {
	r, d := l.r, l.doc.f.d
	r.font("B", letterTitleSize)
	r.color(colHeading)
	r.pdf.SetXY(letterMargin, 15)
	r.fitCell(l.width(), 7, d.Creditor, "L", false)
	r.pdf.Ln(8)
	// The sender's address and contact details under the name, when the
	// organisation settings give them.
	sender := d.Sender
	addr := append([]string(nil), sender.AddressLines...)
	if sender.Country != "" && len(addr) > 0 {
		addr = append(addr, sender.Country)
	}
	r.font("", smallSize+0.5)
	r.color(colMuted)
	for _, line := range []string{strings.Join(addr, " · "), sender.Contact()} {
		if line == "" {
			continue
		}
		r.pdf.SetX(letterMargin)
		r.fitCell(l.width(), 4, line, "L", false)
		r.pdf.Ln(4)
	}
	r.pdf.Ln(1)
	r.pdf.SetDrawColor(colHeading[0], colHeading[1], colHeading[2])
	r.pdf.SetLineWidth(0.4)
	y := r.pdf.GetY()
	r.pdf.Line(letterMargin, y, letterMargin+l.width(), y)
	r.color(colText)
}

// address prints the customer's address block and, beside it, the date and reference.
func (l *letter) address(lines []string) {
	r, f := l.r, l.doc.f
	name := strings.TrimSpace(f.d.CustomerName)
	block := []string{name}
	for i, a := range lines {
		if a = strings.TrimSpace(a); a == "" || (i == 0 && a == name) {
			continue
		}
		block = append(block, a)
	}
	// The return address: one small underlined line in the window's top zone.
	if ret := f.d.Sender.ReturnLine(); ret != "" {
		r.font("", smallSize-0.5)
		r.color(colMuted)
		r.pdf.SetXY(windowLeft, returnLineY)
		r.fitCell(windowWidth, 3.5, ret, "L", false)
		r.pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
		r.pdf.SetLineWidth(0.15)
		r.pdf.Line(windowLeft+cellPad, returnLineY+3.6, windowLeft+windowWidth-cellPad, returnLineY+3.6)
		r.color(colText)
	}
	// The recipient in the address zone. A line too long for the window is
	// wrapped; an address of over-long lines may run below the window
	// (nothing is left out: the body then starts below it).
	r.pdf.SetY(addressZoneY + 0.8)
	for i, a := range block {
		if i == 0 {
			r.font("B", letterSize+0.5)
		} else {
			r.font("", letterSize+0.5)
		}
		for _, line := range l.wrapped(a, windowWidth) {
			r.pdf.SetX(windowLeft)
			r.pdf.CellFormat(windowWidth, addressLineH, line, "", 1, "L", false, 0, "")
		}
	}
	yAddr := r.pdf.GetY()

	asideW := letterMargin + l.width() - asideX
	rows := [][2]string{{l.lb.date, f.asOf}}
	if f.d.PayReference != "" {
		rows = append(rows, [2]string{l.lb.reference, f.d.PayReference})
	}
	r.pdf.SetY(addressTop)
	for _, row := range rows {
		r.font("", smallSize+0.5)
		r.color(colMuted)
		r.pdf.SetX(asideX)
		r.fitCell(asideW, 4, row[0], "L", false)
		r.pdf.Ln(4)
		r.font("B", letterSize)
		r.color(colText)
		r.pdf.SetX(asideX)
		r.fitCell(asideW, letterLineH, row[1], "L", false)
		r.pdf.Ln(letterLineH + 1.5)
	}
	// The body starts just below the window, so that none of it shows through.
	r.pdf.SetXY(letterMargin, max(yAddr, r.pdf.GetY(), windowBottom)+1)
}

func (l *letter) body() {
	r, doc := l.r, l.doc
	r.font("B", letterSize+1.5)
	r.color(colHeading)
	l.paraAt(letterMargin, l.width(), doc.subject)
	r.color(colText)
	l.gap(4)
	r.font("", letterSize)
	l.para(doc.greeting)
	for _, b := range doc.blocks {
		l.gap(2.1) // 2.5 before the window layout moved the body down
		switch b.kind {
		case blockPara:
			r.font("", letterSize)
			l.para(b.text)
		case blockLink:
			// Printed: the reader types the address.
			r.font("", letterSize)
			l.para(b.text + " " + b.url)
		case blockStrong:
			l.deadline(b.text)
		case blockInvoices:
			l.invoices()
		case blockRows:
			l.rows(b)
		case blockList:
			r.font("B", letterSize)
			text := b.text
			if len(b.items) > 0 {
				text += l.doc.colon() + " " + strings.Join(b.items, ", ")
			}
			l.para(text)
			r.font("", letterSize)
		}
	}
	// 3 mm (5 before the window layout): the address zone of a window
	// envelope letter moved the body down, and 8 invoices still fit a page.
	l.gap(3)
	r.font("", letterSize)
	for i, c := range doc.closing {
		if i == len(doc.closing)-1 {
			l.gap(5) // room for a signature (6 before the window layout)
			r.font("B", letterSize)
		}
		l.para(c)
	}
}

// deadline prints the call to action bold in a tinted box so the amount and date stand out.
func (l *letter) deadline(text string) {
	r := l.r
	r.font("B", letterSize)
	lines := l.wrapped(text, l.width()-6)
	h := float64(len(lines))*letterLineH + 3
	r.ensure(h)
	y := r.pdf.GetY()
	r.pdf.SetFillColor(colHeadBg[0], colHeadBg[1], colHeadBg[2])
	r.pdf.Rect(letterMargin, y, l.width(), h, "F")
	r.pdf.SetFillColor(colHeading[0], colHeading[1], colHeading[2])
	r.pdf.Rect(letterMargin, y, 1.2, h, "F")
	for i, line := range lines {
		r.pdf.SetXY(letterMargin+3, y+1.5+float64(i)*letterLineH)
		r.pdf.CellFormat(l.width()-6, letterLineH, line, "", 0, "L", false, 0, "")
	}
	r.pdf.SetXY(letterMargin, y+h)
	r.font("", letterSize)
}

// rows prints label/value pairs; amounts are right-aligned in a column.
func (l *letter) rows(b block) {
	r := l.r
	labelW, valueW := 45.0, 40.0
	if !b.money {
		valueW = l.width() - labelW
	}
	x := letterMargin
	if b.money {
		x = letterMargin + l.width() - labelW - valueW
	}
	for i, row := range b.rows {
		r.ensure(letterLineH + 1)
		bold := b.bold && i == len(b.rows)-1
		if bold {
			r.pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
			r.pdf.SetLineWidth(0.2)
			y := r.pdf.GetY()
			r.pdf.Line(x, y, x+labelW+valueW, y)
		}
		r.pdf.SetX(x)
		r.font("", letterSize)
		r.color(colMuted)
		if bold {
			r.font("B", letterSize)
			r.color(colText)
		}
		r.fitCell(labelW, letterLineH+0.6, row[0], "L", false)
		r.color(colText)
		if bold {
			r.font("B", letterSize)
		}
		align := "L"
		if b.money {
			align = "R"
		}
		r.fitCell(valueW, letterLineH+0.6, row[1], align, false)
		r.pdf.Ln(letterLineH + 0.6)
	}
	r.font("", letterSize)
}

// invoices draws the invoice table with the agreement's table (header repeated on a
// new page, invoice numbers wrapped rather than cut).
func (l *letter) invoices() {
	head, rows, right := l.doc.invoiceColumns()
	w := l.width()
	// Widths: the fixed columns first, the invoice number takes the rest.
	fixed := map[int]float64{}
	dateW, lateW, moneyW := 24.0, 18.0, 30.0
	for i := 1; i < len(head); i++ {
		switch {
		case i <= 2:
			fixed[i] = dateW
		case right[i] && len(head) == 6 && i == 3:
			fixed[i] = lateW
		default:
			fixed[i] = moneyW
		}
	}
	used := 0.0
	for _, v := range fixed {
		used += v
	}
	cols := make([]column, len(head))
	for i, h := range head {
		align := "L"
		if right[i] {
			align = "R"
		}
		cw := fixed[i]
		if i == 0 {
			cw = w - used
		}
		cols[i] = column{title: h, w: cw, align: align, wrap: i == 0}
	}
	t := &table{r: l.r, cols: cols}
	l.tableHeader(t)
	for _, row := range rows {
		l.tableRow(t, row)
	}
	l.r.font("", letterSize)
}

// tableHeader and tableRow are the agreement's table.header and table.row with the
// letter's left margin (the agreement's are fixed to its 15 mm margin).
func (l *letter) tableHeader(t *table) {
	r := l.r
	r.font("B", smallSize+0.5)
	r.color(colMuted)
	r.pdf.SetFillColor(colHeadBg[0], colHeadBg[1], colHeadBg[2])
	r.pdf.SetX(letterMargin)
	for _, c := range t.cols {
		r.fitCell(c.w, rowH, c.title, c.align, true)
	}
	r.pdf.Ln(rowH)
	r.font("", letterSize)
	r.color(colText)
}

func (l *letter) tableRow(t *table, cells []string) {
	r := l.r
	r.font("", letterSize-0.5)
	wrapped := make([][]string, len(t.cols))
	h := rowH
	for i, c := range t.cols {
		if c.wrap && i < len(cells) {
			wrapped[i] = r.lines(r.clean(cells[i]), c.w)
			h = max(h, rowH+float64(len(wrapped[i])-1)*lineH)
		}
	}
	if r.ensure(h) {
		l.tableHeader(t)
		r.font("", letterSize-0.5)
	}
	y := r.pdf.GetY()
	x := letterMargin
	for i, c := range t.cols {
		switch {
		case wrapped[i] != nil:
			for j, line := range wrapped[i] {
				r.pdf.SetXY(x, y+float64(j)*lineH)
				r.pdf.CellFormat(c.w, rowH, line, "", 0, c.align, false, 0, "")
			}
		case i < len(cells):
			r.pdf.SetXY(x, y)
			r.fitCell(c.w, rowH, cells[i], c.align, false)
		}
		x += c.w
	}
	r.pdf.SetXY(letterMargin, y+h)
	r.pdf.SetDrawColor(colRule[0], colRule[1], colRule[2])
	r.pdf.SetLineWidth(0.15)
	r.pdf.Line(letterMargin, y+h, letterMargin+l.width(), y+h)
}

func (l *letter) footer() {
	r := l.r
	_, ph := r.pdf.GetPageSize()
	r.pdf.SetY(ph - margin - 2)
	r.font("", smallSize)
	r.color(colMuted)
	w := l.width()
	// The sender's registration and bank account, as business letters
	// must state them (e.g. the UK Companies Act, HGB §37a).
	sender := l.doc.f.d.Sender
	var legal []string
	for _, p := range []string{sender.Registration(), sender.Bank.Line()} {
		if p != "" {
			legal = append(legal, p)
		}
	}
	if len(legal) > 0 {
		r.pdf.SetX(letterMargin)
		r.fitCell(w, 4, strings.Join(legal, " · "), "L", false)
		r.pdf.Ln(4)
	}
	r.pdf.SetX(letterMargin)
	r.fitCell(w*0.75, 4, l.doc.f.d.Creditor+" · "+l.doc.subject, "L", false)
	r.pdf.CellFormat(w*0.25, 4, fmt.Sprintf("%s %d / %s", l.lb.page, r.pdf.PageNo()-l.first+1, l.nb), "", 0, "R", false, 0, "")
	r.color(colText)
}
