package notify

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"settle/internal/civil"
	"settle/internal/money"
)

// InvoiceData is one invoice as the customer portal offers it for download: a copy
// of the invoice with what is still open on it as of a date, in the customer's
// language (Locale, a BCP 47 tag; en, de or fr, anything else English).
type InvoiceData struct {
	Creditor     string
	CustomerName string
	CustomerRef  string // external ref, may be ""
	Number       string
	IssueDate    civil.Date
	DueDate      civil.Date
	Amount       money.Amount // as invoiced
	Balance      money.Amount // still open as of AsOf
	Disputed     bool
	Locale       string
	AsOf         civil.Date // the copy's date: "open as of"; also the PDF's dates
}

// invoiceWords are the words of the invoice copy in one language.
type invoiceWords struct {
	title, copyOf, billedTo, ref, number, issued, due, amount, paid, open, asOf, late, disputed, paidInFull, page string
}

var invoiceWordsByLang = map[string]invoiceWords{
	"en": {title: "Invoice", copyOf: "Copy produced on %s", billedTo: "Billed to", ref: "Customer reference", number: "Invoice number",
		issued: "Issue date", due: "Due date", amount: "Invoiced amount", paid: "Paid or credited", open: "Open balance",
		asOf: "as of %s", late: "%d days past the due date", disputed: "You have disputed this invoice: we are looking into it and do not chase it meanwhile.",
		paidInFull: "This invoice is paid in full. Thank you.", page: "Page %d of {nb}"},
	"de": {title: "Rechnung", copyOf: "Kopie erstellt am %s", billedTo: "Rechnungsempfänger", ref: "Kundennummer", number: "Rechnungsnummer",
		issued: "Rechnungsdatum", due: "Fällig am", amount: "Rechnungsbetrag", paid: "Bezahlt oder gutgeschrieben", open: "Offener Betrag",
		asOf: "Stand %s", late: "%d Tage nach Fälligkeit", disputed: "Sie haben diese Rechnung beanstandet: Wir prüfen das und mahnen sie bis dahin nicht.",
		paidInFull: "Diese Rechnung ist vollständig bezahlt. Vielen Dank.", page: "Seite %d von {nb}"},
	"fr": {title: "Facture", copyOf: "Copie établie le %s", billedTo: "Facturé à", ref: "Référence client", number: "Numéro de facture",
		issued: "Date de facture", due: "Date d'échéance", amount: "Montant facturé", paid: "Payé ou crédité", open: "Reste dû",
		asOf: "au %s", late: "%d jours après l'échéance", disputed: "Vous avez contesté cette facture : nous l'examinons et ne la relançons pas entre-temps.",
		paidInFull: "Cette facture est entièrement réglée. Merci.", page: "Page %d sur {nb}"},
}

// InvoicePDF renders a copy of one invoice with its open balance (compact A4 PDF, the
// embedded Go fonts as the agreement uses them). Deterministic: the same data gives
// the same bytes (the PDF's dates come from AsOf).
func InvoicePDF(d InvoiceData) ([]byte, error) {
	if d.AsOf.IsZero() || d.IssueDate.IsZero() || d.DueDate.IsZero() {
		return nil, errors.New("notify: invoice copy needs its issue date, due date and as-of date")
	}
	if d.Number == "" {
		return nil, errors.New("notify: invoice copy needs its number")
	}
	if d.Amount.Currency() != d.Balance.Currency() {
		return nil, fmt.Errorf("notify: invoice %s: amount in %s, balance in %s", d.Number, d.Amount.Currency(), d.Balance.Currency())
	}
	fs, err := fonts()
	if err != nil {
		return nil, err
	}
	l := parseLocale(d.Locale)
	w := invoiceWordsByLang[l.lang]
	at := time.Date(d.AsOf.Year, d.AsOf.Month, d.AsOf.Day, 0, 0, 0, 0, time.UTC)

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.AddUTF8FontFromBytes(fontFamily, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", gobold.TTF)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(false, margin)
	pdf.SetCellMargin(cellPad)
	pdf.AliasNbPages("{nb}")
	r := &renderer{pdf: pdf, fonts: fs}
	pdf.SetTitle(r.clean(w.title+" "+d.Number), true)
	pdf.SetCreator("settle", true)
	pdf.SetFooterFunc(func() {
		_, ph := pdf.GetPageSize()
		pdf.SetY(ph - margin + 2)
		r.font("", smallSize)
		r.color(colMuted)
		cw := r.contentWidth()
		pdf.SetX(margin)
		r.fitCell(cw*0.75, 4, w.title+" "+d.Number, "L", false)
		pdf.CellFormat(cw*0.25, 4, fmt.Sprintf(w.page, pdf.PageNo()), "", 0, "R", false, 0, "")
		r.color(colText)
	})
	pdf.AddPage()

	// Header: the creditor, the title and the copy's date.
	r.font("B", headSize)
	r.color(colHeading)
	r.paraAt(margin, r.contentWidth(), d.Creditor)
	r.font("B", titleSize)
	pdf.CellFormat(0, 10, r.clean(w.title+" "+d.Number), "", 1, "L", false, 0, "")
	r.font("", smallSize+1)
	r.color(colMuted)
	r.para(fmt.Sprintf(w.copyOf, formatDate(d.AsOf, l)))
	pdf.Ln(2)
	r.rule(colRule, 0.3)
	pdf.Ln(4)

	// Billed to.
	r.font("B", smallSize)
	r.color(colMuted)
	r.para(w.billedTo)
	r.font("B", bodySize+1)
	r.color(colText)
	r.para(d.CustomerName)
	if d.CustomerRef != "" {
		r.font("", bodySize)
		r.para(w.ref + ": " + d.CustomerRef)
	}
	pdf.Ln(4)

	// The figures, as label / value rows.
	row := func(label, value, style string) {
		cw := r.contentWidth()
		pdf.SetX(margin)
		r.font(style, bodySize+0.5)
		r.color(colMuted)
		if style == "B" {
			r.color(colText)
		}
		r.fitCell(cw*0.55, rowH+1, label, "L", false)
		r.color(colText)
		r.fitCell(cw*0.45, rowH+1, value, "R", false)
		pdf.Ln(rowH + 1)
		r.rule(colRule, 0.15)
	}
	row(w.number, d.Number, "")
	row(w.issued, formatDate(d.IssueDate, l), "")
	due := formatDate(d.DueDate, l)
	if late := d.AsOf.DaysSince(d.DueDate); late > 0 && d.Balance.IsPositive() {
		due += " (" + fmt.Sprintf(w.late, late) + ")"
	}
	row(w.due, due, "")
	row(w.amount, formatMoney(d.Amount, l), "")
	paid, err := d.Amount.Sub(d.Balance)
	if err != nil {
		return nil, err
	}
	row(w.paid, formatMoney(paid, l), "")
	row(w.open+" "+fmt.Sprintf(w.asOf, formatDate(d.AsOf, l)), formatMoney(d.Balance, l), "B")
	pdf.Ln(4)
	r.font("", bodySize)
	switch {
	case d.Disputed:
		r.para(w.disputed)
	case !d.Balance.IsPositive():
		r.color(colGainFg)
		r.para(w.paidInFull)
		r.color(colText)
	}

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("notify: render invoice %s: %w", d.Number, err)
	}
	return buf.Bytes(), nil
}
