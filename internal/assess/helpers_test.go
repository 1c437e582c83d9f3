package assess

import (
	"slices"
	"testing"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
)

const (
	EUR = money.Currency("EUR")
	USD = money.Currency("USD")
	GBP = money.Currency("GBP")
)

// day parses a YYYY-MM-DD literal of a test table (a bad literal is a bug
// in the test itself, hence the panic).
func day(s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// amt parses a decimal amount literal, e.g. amt("150.25", EUR).
func amt(s string, c money.Currency) money.Amount {
	a, err := money.Parse(s, c)
	if err != nil {
		panic(err)
	}
	return a
}

// inv is an invoice of a test ledger: id, issue and due dates, amount.
func inv(id, issued, due, amount string, c money.Currency) ledger.Invoice {
	return ledger.Invoice{
		ID: id, Number: "N-" + id, CustomerID: "cus_1",
		IssueDate: day(issued), DueDate: day(due), Amount: amt(amount, c),
	}
}

// pay is a payment that names the invoice it pays.
func pay(id, invoiceID, on, amount string, c money.Currency) ledger.Payment {
	return ledger.Payment{
		ID: id, Kind: ledger.KindPayment, CustomerID: "cus_1",
		ReceivedOn: day(on), Amount: amt(amount, c), InvoiceID: invoiceID,
	}
}

// history replays the ledger with ledger.Allocate, as the service does.
func history(invoices []ledger.Invoice, payments []ledger.Payment) History {
	return History{
		Customer:    ledger.Customer{ID: "cus_1", Name: "Test", Kind: ledger.KindBusiness},
		Invoices:    invoices,
		Allocations: ledger.Allocate(invoices, payments).Allocations,
		Payments:    payments,
	}
}

// fieldsOf returns the field names of an apperr.Invalid error, in order.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid {
		t.Fatalf("error %v (%T) is not an apperr.Invalid", err, err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

// messageOf returns the message of field in an apperr.Invalid error.
func messageOf(t *testing.T, err error, field string) string {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("error %v is not an apperr.Error", err)
	}
	i := slices.IndexFunc(e.Fields, func(f apperr.FieldError) bool { return f.Field == field })
	if i < 0 {
		t.Fatalf("no error on %s in %v", field, err)
	}
	return e.Fields[i].Message
}
