package httpapi

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"settle/internal/civil"
	"settle/internal/csvin"
	"settle/internal/service"
	"settle/internal/store"
)

// BankLine is one line of an imported bank statement and what became of it.
type BankLine struct {
	ID         string     `json:"id" example:"bnk_01J…"`
	ImportID   string     `json:"import_id"`
	Line       int        `json:"line" doc:"Its line in the statement file (header = 1)"`
	BookedOn   civil.Date `json:"booked_on"`
	Currency   string     `json:"currency"`
	Amount     string     `json:"amount"`
	Reference  string     `json:"reference"`
	PayerName  string     `json:"payer_name,omitempty"`
	BankID     string     `json:"bank_id,omitempty" doc:"The bank's own transaction id"`
	Status     string     `json:"status" enum:"matched,review,assigned,ignored"`
	MatchedBy  string     `json:"matched_by,omitempty" doc:"plan_reference, plan_reference_corrected (one mistyped symbol), invoice_number, customer_ref or manual"`
	Reason     string     `json:"reason,omitempty" doc:"Why it matched, why it waits for review, or why it was ignored"`
	CustomerID string     `json:"customer_id,omitempty" doc:"The customer paid (for review: the likely one, when found)"`
	PlanID     string     `json:"plan_id,omitempty"`
	InvoiceID  string     `json:"invoice_id,omitempty"`
	PaymentID  string     `json:"payment_id,omitempty" doc:"The payment it became"`
	ResolvedBy string     `json:"resolved_by,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

func bankLineOut(l *store.BankLine) BankLine {
	return BankLine{ID: l.ID, ImportID: l.ImportID, Line: l.Line, BookedOn: l.BookedOn, Currency: string(l.Amount.Currency()),
		Amount: l.Amount.String(), Reference: l.Reference, PayerName: l.PayerName, BankID: l.BankID, Status: l.Status,
		MatchedBy: l.MatchedBy, Reason: l.Reason, CustomerID: l.CustomerID, PlanID: l.PlanID, InvoiceID: l.InvoiceID,
		PaymentID: l.PaymentID, ResolvedBy: l.ResolvedBy, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
}

// BankImport is what a statement import did, with the lines it stored.
type BankImport struct {
	service.BankImportResult
	Lines []BankLine `json:"lines"`
}

// BankAssigned is a line assigned by a person and the payment it became.
type BankAssigned struct {
	Line    BankLine `json:"line"`
	Payment Payment  `json:"payment"`
}

// BankIgnoreInput says why a line is not a customer's payment.
type BankIgnoreInput struct {
	Reason string `json:"reason" doc:"Why the line is not a customer's payment (a refund, a transfer between own accounts …)" maxLength:"500"`
}

type bankImportInput struct {
	DateFormat string `query:"date_format" doc:"e.g. DD/MM/YYYY; default YYYY-MM-DD"`
	Map        string `query:"map" doc:"Rename file columns: fileColumn=settleColumn,… (date, amount, currency, reference, payer_name, bank_id)"`
	Filename   string `query:"filename" doc:"Recorded with the import"`
	body       io.Reader
}

// Resolve implements huma.Resolver: it keeps the body reader.
func (in *bankImportInput) Resolve(ctx huma.Context) []error {
	in.body = ctx.BodyReader()
	return nil
}

// bankRoutes registers bank-statement imports and the review of their lines.
func (s *Server) bankRoutes() {
	huma.Register(s.api, huma.Operation{OperationID: "import-bank-statement", Method: http.MethodPost, Path: "/v1/imports/bank-statement",
		Summary: "Import a bank statement: match incoming transfers to customers", Tags: []string{"Imports", "Bank"},
		Description: "CSV columns date, amount, currency (required), reference, payer_name, bank_id. Each incoming transfer is matched by plan " +
			"reference (STL-…, one mistyped symbol corrected), invoice number or customer external_ref, and its amount must be the next " +
			"installment(s), the invoice's open amount or one of the customer's open items; a match becomes a bank_transfer payment, " +
			"anything else waits for review. Outgoing (negative) lines are skipped and counted. One transaction: a 422 lists every bad " +
			"row and nothing is written. A line imported before (same bank_id, or same date, amount, currency, reference and payer) is not imported again.",
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
			"text/csv": {Schema: &huma.Schema{Type: "string", Description: "CSV with a header row"}}}}},
		func(ctx context.Context, in *bankImportInput) (*bodyOut[BankImport], error) {
			var mapping map[string]string
			if in.Map != "" {
				var err error
				if mapping, err = csvin.ParseMapping(in.Map); err != nil {
					return nil, s.fail(err)
				}
			}
			res, err := s.svc.ImportBankStatement(ctx, in.body, service.BankImportOptions{Filename: in.Filename, DateFormat: in.DateFormat, Mapping: mapping})
			if err != nil {
				return nil, s.fail(err)
			}
			out := BankImport{BankImportResult: *res, Lines: []BankLine{}}
			for i := range res.Lines {
				out.Lines = append(out.Lines, bankLineOut(&res.Lines[i]))
			}
			return &bodyOut[BankImport]{Body: out}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "list-bank-lines", Method: http.MethodGet, Path: "/v1/bank-lines",
		Summary: "List bank-statement lines (e.g. ?status=review)", Tags: []string{"Bank"}},
		func(ctx context.Context, in *struct {
			PageParams
			Status string `query:"status" enum:"matched,review,assigned,ignored"`
		}) (*listOut[BankLine], error) {
			list, next, err := s.svc.BankLines(ctx, service.BankLineFilter{Page: in.page(), Status: in.Status})
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[BankLine]{Body: List[BankLine]{Data: []BankLine{}, NextCursor: next}}
			for i := range list {
				o.Body.Data = append(o.Body.Data, bankLineOut(&list[i]))
			}
			return o, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "get-bank-line", Method: http.MethodGet, Path: "/v1/bank-lines/{id}",
		Summary: "Get a bank-statement line", Tags: []string{"Bank"}},
		func(ctx context.Context, in *IDParam) (*bodyOut[BankLine], error) {
			l, err := s.svc.BankLine(ctx, in.ID)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[BankLine]{Body: bankLineOut(l)}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "assign-bank-line", Method: http.MethodPost, Path: "/v1/bank-lines/{id}/assign",
		Summary: "Make a line held for review (or ignored) a customer's payment", Tags: []string{"Bank"},
		Description: "The payment takes the line's date, amount and reference, method bank_transfer; plan_id (active) and invoice_id are optional. 409 when the line is matched or assigned already."},
		func(ctx context.Context, in *struct {
			IDParam
			Body service.BankAssignInput
		}) (*bodyOut[BankAssigned], error) {
			l, pv, err := s.svc.AssignBankLine(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[BankAssigned]{Body: BankAssigned{Line: bankLineOut(l), Payment: paymentOut(pv)}}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "ignore-bank-line", Method: http.MethodPost, Path: "/v1/bank-lines/{id}/ignore",
		Summary: "Set a line held for review aside, with the reason", Tags: []string{"Bank"}},
		func(ctx context.Context, in *struct {
			IDParam
			Body BankIgnoreInput
		}) (*bodyOut[BankLine], error) {
			l, err := s.svc.IgnoreBankLine(ctx, in.ID, in.Body.Reason)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[BankLine]{Body: bankLineOut(l)}, nil
		})
}
