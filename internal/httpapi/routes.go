package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/csvin"
	"settle/internal/money"
	"settle/internal/service"
	"settle/internal/store"
)

// List is the envelope of every list response.
type List[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor,omitempty" doc:"Pass as ?cursor= for the next page; absent on the last page"`
}

type listOut[T any] struct{ Body List[T] }

type bodyOut[T any] struct{ Body T }

type PageParams struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Items per page"`
	Cursor string `query:"cursor" doc:"next_cursor of the previous page"`
}

func (p PageParams) page() store.Page { return store.Page{Limit: p.Limit, Cursor: p.Cursor} }

type IDParam struct {
	ID string `path:"id" doc:"The id, or the external_ref (customers) or number (invoices)"`
}

func (s *Server) fail(err error) error { return problemOf(s.log, err) }

func (s *Server) routes() {
	s.auditRoutes()
	s.negotiateRoutes()
	s.collectRoutes()
	s.webhookRoutes()
	s.followUpRoutes()
	s.messageRoutes()
	s.outboxRoutes()
	s.optOutRoutes()
	s.portalRoutes()
	s.bankRoutes()
	s.stripeRoutes()
	api := s.api
	// Customers.
	huma.Register(api, huma.Operation{OperationID: "create-customer", Method: http.MethodPost, Path: "/v1/customers",
		Summary: "Create a customer", Tags: []string{"Customers"}, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct{ Body service.CustomerInput }) (*bodyOut[Customer], error) {
			c, err := s.svc.CreateCustomer(ctx, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Customer]{Body: customerOut(c)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-customers", Method: http.MethodGet, Path: "/v1/customers",
		Summary: "List customers", Tags: []string{"Customers"}},
		func(ctx context.Context, in *struct {
			PageParams
			Segment string `query:"segment"`
			Query   string `query:"q" doc:"Keep customers whose name or external_ref contains this (ASCII letters in any case)"`
		}) (*listOut[Customer], error) {
			list, next, err := s.svc.Customers(ctx, store.CustomerFilter{Page: in.page(), Segment: in.Segment, Query: strings.TrimSpace(in.Query)})
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[Customer]{Body: List[Customer]{Data: []Customer{}, NextCursor: next}}
			for i := range list {
				o.Body.Data = append(o.Body.Data, customerOut(&list[i]))
			}
			return o, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-customer", Method: http.MethodGet, Path: "/v1/customers/{id}",
		Summary: "Get a customer", Tags: []string{"Customers"}},
		func(ctx context.Context, in *IDParam) (*bodyOut[Customer], error) {
			c, err := s.svc.Customer(ctx, in.ID)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Customer]{Body: customerOut(c)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "update-customer", Method: http.MethodPatch, Path: "/v1/customers/{id}",
		Summary: "Change a customer's fields", Tags: []string{"Customers"}},
		func(ctx context.Context, in *struct {
			IDParam
			Body service.CustomerPatch
		}) (*bodyOut[Customer], error) {
			c, err := s.svc.UpdateCustomer(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Customer]{Body: customerOut(c)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "set-credit-hold", Method: http.MethodPut, Path: "/v1/customers/{id}/credit-hold",
		Summary: "Set or release a customer's credit hold and credit limit", Tags: []string{"Customers"},
		Description: "Replaces the hold's state (held, reason, optional limit); every change is an audit entry customer.credit_hold."},
		func(ctx context.Context, in *struct {
			IDParam
			Body service.CreditHoldInput
		}) (*bodyOut[Customer], error) {
			c, err := s.svc.SetCreditHold(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Customer]{Body: customerOut(c)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-organisation", Method: http.MethodGet, Path: "/v1/settings/organisation",
		Summary: "The creditor's own details", Tags: []string{"Settings"},
		Description: "Printed on letters and agreements and shown in the portal. Until saved, the configuration's SETTLE_CREDITOR and SETTLE_BANK_ACCOUNT (saved false)."},
		func(ctx context.Context, _ *struct{}) (*bodyOut[service.OrganisationSettings], error) {
			o, err := s.svc.OrganisationSettings(ctx)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[service.OrganisationSettings]{Body: *o}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "put-organisation", Method: http.MethodPut, Path: "/v1/settings/organisation",
		Summary: "Replace the creditor's own details (admins)", Tags: []string{"Settings"}},
		func(ctx context.Context, in *struct{ Body service.OrganisationSettings }) (*bodyOut[service.OrganisationSettings], error) {
			o, err := s.svc.UpdateOrganisation(ctx, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[service.OrganisationSettings]{Body: *o}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-position", Method: http.MethodGet, Path: "/v1/customers/{id}/position",
		Summary: "A customer's balances and aging as of a date", Tags: []string{"Customers"}},
		func(ctx context.Context, in *struct {
			IDParam
			AsOf string `query:"as_of" doc:"YYYY-MM-DD or RFC 3339; default today"`
		}) (*bodyOut[Position], error) {
			asOf, err := s.svc.AsOf("as_of", in.AsOf)
			if err != nil {
				return nil, s.fail(err)
			}
			p, err := s.svc.Position(ctx, in.ID, asOf)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Position]{Body: positionOut(p)}, nil
		})

	// Invoices.
	huma.Register(api, huma.Operation{OperationID: "create-invoice", Method: http.MethodPost, Path: "/v1/invoices",
		Summary: "Create an invoice", Tags: []string{"Invoices"}, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct{ Body service.InvoiceInput }) (*bodyOut[Invoice], error) {
			inv, err := s.svc.CreateInvoice(ctx, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Invoice]{Body: invoiceOut(inv)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-invoices", Method: http.MethodGet, Path: "/v1/invoices",
		Summary: "List invoices", Tags: []string{"Invoices"}},
		func(ctx context.Context, in *struct {
			PageParams
			CustomerID string `query:"customer_id" doc:"Customer id or external_ref"`
			Status     string `query:"status" enum:"open,paid,void"`
			Currency   string `query:"currency"`
		}) (*listOut[Invoice], error) {
			list, next, err := s.svc.Invoices(ctx, store.InvoiceFilter{Page: in.page(), CustomerID: in.CustomerID,
				Status: in.Status, Currency: money.Currency(in.Currency)})
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[Invoice]{Body: List[Invoice]{Data: []Invoice{}, NextCursor: next}}
			for i := range list {
				o.Body.Data = append(o.Body.Data, invoiceOut(&list[i]))
			}
			return o, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-invoice", Method: http.MethodGet, Path: "/v1/invoices/{id}",
		Summary: "Get an invoice", Tags: []string{"Invoices"}},
		func(ctx context.Context, in *IDParam) (*bodyOut[Invoice], error) {
			inv, err := s.svc.Invoice(ctx, in.ID)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Invoice]{Body: invoiceOut(inv)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "update-invoice", Method: http.MethodPatch, Path: "/v1/invoices/{id}",
		Summary: "Flag or clear a dispute, or void an invoice", Tags: []string{"Invoices"}},
		func(ctx context.Context, in *struct {
			IDParam
			Body service.InvoicePatch
		}) (*bodyOut[Invoice], error) {
			inv, err := s.svc.UpdateInvoice(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Invoice]{Body: invoiceOut(inv)}, nil
		})

	// Payments.
	huma.Register(api, huma.Operation{OperationID: "create-payment", Method: http.MethodPost, Path: "/v1/payments",
		Summary: "Record a payment or credit note", Description: "Allocated to the named invoice first, then oldest due first; any rest is kept as the customer's credit.",
		Tags: []string{"Payments"}, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct{ Body service.PaymentInput }) (*bodyOut[Payment], error) {
			v, err := s.svc.RecordPayment(ctx, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Payment]{Body: paymentOut(v)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-payments", Method: http.MethodGet, Path: "/v1/payments",
		Summary: "List payments", Tags: []string{"Payments"}},
		func(ctx context.Context, in *struct {
			PageParams
			CustomerID string `query:"customer_id"`
		}) (*listOut[Payment], error) {
			list, next, err := s.svc.Payments(ctx, store.PaymentFilter{Page: in.page(), CustomerID: in.CustomerID})
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[Payment]{Body: List[Payment]{Data: []Payment{}, NextCursor: next}}
			for i := range list {
				o.Body.Data = append(o.Body.Data, paymentOut(&list[i]))
			}
			return o, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-payment", Method: http.MethodGet, Path: "/v1/payments/{id}",
		Summary: "Get a payment", Tags: []string{"Payments"}},
		func(ctx context.Context, in *IDParam) (*bodyOut[Payment], error) {
			v, err := s.svc.Payment(ctx, in.ID)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Payment]{Body: paymentOut(v)}, nil
		})

	// Imports.
	huma.Register(api, huma.Operation{OperationID: "import", Method: http.MethodPost, Path: "/v1/imports/{kind}",
		Summary: "Import a CSV file", Tags: []string{"Imports"},
		Description: "All rows or none. A 422 lists every bad row with its line (header = 1), column and message.",
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
			"text/csv": {Schema: &huma.Schema{Type: "string", Description: "CSV with a header row (contract.md formats)"}}}}},
		func(ctx context.Context, in *importInput) (*bodyOut[service.ImportResult], error) {
			var mapping map[string]string
			if in.Map != "" {
				var err error
				if mapping, err = csvin.ParseMapping(in.Map); err != nil {
					return nil, s.fail(err)
				}
			}
			res, err := s.svc.Import(ctx, in.Kind, in.body, service.ImportOptions{Filename: in.Filename, DateFormat: in.DateFormat, Mapping: mapping})
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[service.ImportResult]{Body: *res}, nil
		})

	// Plans.
	huma.Register(api, huma.Operation{OperationID: "quote-plan", Method: http.MethodPost, Path: "/v1/plans/quote",
		Summary: "Calculate an installment schedule (nothing is stored)", Tags: []string{"Plans"},
		Description: "Equal installments with the rounding remainder in the last; with annual_rate, a standard annuity (PMT) whose last payment absorbs rounding. Alternatives show paying a little more each time to finish sooner."},
		func(ctx context.Context, in *struct{ Body service.QuoteInput }) (*bodyOut[Quote], error) {
			q, err := s.svc.Quote(ctx, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Quote]{Body: QuoteOf(q)}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "create-plan", Method: http.MethodPost, Path: "/v1/plans",
		Summary: "Propose a payment plan over a customer's invoices", Tags: []string{"Plans"}, DefaultStatus: http.StatusCreated,
		Description: "The plan must keep to the customer's segment policy: term (max_term_months), smallest installment (min_installment; the last may be smaller), start (max_start_days) and down payment (down_payment_share, rounded up). " +
			"Each limit broken is a 422 naming its field (installments, installment_amount, dates, start_date, down_payment) with the limit in words, and nothing is written. " +
			"An admin may make it anyway with override_reason: the plan then shows policy_override and the audit log a plan.policy_override entry. An agent's override_reason is a 422 on override_reason."},
		func(ctx context.Context, in *struct{ Body service.PlanInput }) (*bodyOut[Plan], error) {
			v, err := s.svc.CreatePlan(ctx, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Plan]{Body: planOut(v)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-plan", Method: http.MethodGet, Path: "/v1/plans/{id}",
		Summary: "A plan and each installment's state as of a date", Tags: []string{"Plans"}},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			AsOf string `query:"as_of" doc:"YYYY-MM-DD; default today"`
		}) (*bodyOut[Plan], error) {
			asOf, err := s.svc.AsOf("as_of", in.AsOf)
			if err != nil {
				return nil, s.fail(err)
			}
			v, err := s.svc.Plan(ctx, in.ID, asOf)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Plan]{Body: planOut(v)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "accept-plan", Method: http.MethodPost, Path: "/v1/plans/{id}/accept",
		Summary: "Record the customer's acceptance: the plan becomes active", Tags: []string{"Plans"},
		Description: "The written agreement (PDF) is emailed to the customer in their language, scheduled for the next slot the contact rules allow (not when the customer has no email address or opted out of email)."},
		func(ctx context.Context, in *acceptInput) (*bodyOut[Plan], error) {
			in.Body.IP = in.ip
			v, err := s.svc.AcceptPlan(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Plan]{Body: planOut(v)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "renegotiate-plan", Method: http.MethodPost, Path: "/v1/plans/{id}/renegotiate",
		Summary: "Replace a plan with a new version over what is still owed", Tags: []string{"Plans"}, DefaultStatus: http.StatusCreated,
		Description: "The old plan becomes superseded (and stays readable); the new version is proposed over its still-open invoices and needs the customer's acceptance. Its proposed agreement (PDF) is emailed to the customer like an accepted one. " +
			"The new terms keep to the customer's segment policy as in create-plan (422 naming each field; an admin may override with override_reason); a refused renegotiation leaves the old plan as it was."},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body service.PlanTermsInput
		}) (*bodyOut[Plan], error) {
			v, err := s.svc.RenegotiatePlan(ctx, in.ID, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Plan]{Body: planOut(v)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "cancel-plan", Method: http.MethodPost, Path: "/v1/plans/{id}/cancel",
		Summary: "Cancel a proposed or active plan", Tags: []string{"Plans"}},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body struct {
				Reason string `json:"reason,omitempty" maxLength:"500"`
			}
		}) (*bodyOut[Plan], error) {
			v, err := s.svc.CancelPlan(ctx, in.ID, in.Body.Reason)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Plan]{Body: planOut(v)}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "plan-agreement", Method: http.MethodGet, Path: "/v1/plans/{id}/agreement.pdf",
		Summary: "The plan's written agreement (PDF)", Tags: []string{"Plans"},
		Responses: map[string]*huma.Response{"200": {Description: "The agreement", Content: map[string]*huma.MediaType{"application/pdf": {}}}}},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*pdfOut, error) {
			b, err := s.svc.AgreementPDF(ctx, in.ID)
			if err != nil {
				return nil, s.fail(err)
			}
			return &pdfOut{ContentType: "application/pdf", Disposition: `inline; filename="agreement-` + in.ID + `.pdf"`, Body: b}, nil
		})

	// Promises to pay.
	huma.Register(api, huma.Operation{OperationID: "create-promise", Method: http.MethodPost, Path: "/v1/promises",
		Summary: "Record a promise to pay", Tags: []string{"Promises"}, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct{ Body service.PromiseInput }) (*bodyOut[Promise], error) {
			v, err := s.svc.CreatePromise(ctx, in.Body)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Promise]{Body: promiseOut(v)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-promises", Method: http.MethodGet, Path: "/v1/promises",
		Summary: "List promises to pay: open, kept or broken as of a date", Tags: []string{"Promises"}},
		func(ctx context.Context, in *struct {
			PageParams
			CustomerID string `query:"customer_id"`
			Status     string `query:"status" doc:"open, kept or broken (applied within each page: follow next_cursor)"`
			AsOf       string `query:"as_of" doc:"YYYY-MM-DD; default today"`
		}) (*listOut[Promise], error) {
			asOf, err := s.svc.AsOf("as_of", in.AsOf)
			if err != nil {
				return nil, s.fail(err)
			}
			list, next, err := s.svc.Promises(ctx, store.PromiseFilter{Page: in.page(), CustomerID: in.CustomerID}, asOf, in.Status)
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[Promise]{Body: List[Promise]{Data: []Promise{}, NextCursor: next}}
			for i := range list {
				o.Body.Data = append(o.Body.Data, promiseOut(&list[i]))
			}
			return o, nil
		})

	// Reports.
	huma.Register(api, huma.Operation{OperationID: "report-aging", Method: http.MethodGet, Path: "/v1/reports/aging",
		Summary: "Aging by bucket, per customer and in total", Tags: []string{"Reports"}},
		func(ctx context.Context, in *struct {
			AsOf     string `query:"as_of" doc:"YYYY-MM-DD; default today"`
			Currency string `query:"currency"`
		}) (*bodyOut[Aging], error) {
			asOf, err := s.svc.AsOf("as_of", in.AsOf)
			if err != nil {
				return nil, s.fail(err)
			}
			cur, err := optionalCurrency(in.Currency)
			if err != nil {
				return nil, s.fail(err)
			}
			r, err := s.svc.Aging(ctx, asOf, cur)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[Aging]{Body: agingOut(r)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "report-kpis", Method: http.MethodGet, Path: "/v1/reports/kpis",
		Summary: "DSO, best DSO, ADD and CEI for a period", Tags: []string{"Reports"}},
		func(ctx context.Context, in *struct {
			From     string `query:"from" required:"true" doc:"YYYY-MM-DD, first day of the period"`
			To       string `query:"to" required:"true" doc:"YYYY-MM-DD, last day of the period"`
			Currency string `query:"currency" doc:"Required when invoices use several currencies"`
		}) (*bodyOut[KPIs], error) {
			var fs apperr.Fields
			from, ferr := civil.Parse(in.From)
			if ferr != nil {
				fs.Add("from", "%s", ferr)
			}
			to, terr := civil.Parse(in.To)
			if terr != nil {
				fs.Add("to", "%s", terr)
			}
			if err := fs.Err("period"); err != nil {
				return nil, s.fail(err)
			}
			cur, err := optionalCurrency(in.Currency)
			if err != nil {
				return nil, s.fail(err)
			}
			r, err := s.svc.KPIs(ctx, from, to, cur)
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[KPIs]{Body: kpisOut(r)}, nil
		})
}

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Detail     json.RawMessage `json:"detail"`
}

func (s *Server) auditRoutes() {
	huma.Register(s.api, huma.Operation{OperationID: "list-audit", Method: http.MethodGet, Path: "/v1/audit",
		Summary: "The audit log: who changed what, when (admins)", Tags: []string{"Audit"}},
		func(ctx context.Context, in *struct {
			ObjectID string `query:"object_id"`
			After    int64  `query:"after" doc:"Only entries after this seq"`
			Limit    int    `query:"limit" minimum:"1" maximum:"1000" default:"100"`
		}) (*listOut[AuditEntry], error) {
			list, err := s.svc.Audit(ctx, store.AuditFilter{ObjectID: in.ObjectID, AfterSeq: in.After, Limit: in.Limit})
			if err != nil {
				return nil, s.fail(err)
			}
			o := &listOut[AuditEntry]{Body: List[AuditEntry]{Data: []AuditEntry{}}}
			for _, e := range list {
				o.Body.Data = append(o.Body.Data, AuditEntry{Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action,
					ObjectType: e.ObjectType, ObjectID: e.ObjectID, Detail: json.RawMessage(e.Detail)})
			}
			if len(list) == in.Limit && len(list) > 0 {
				o.Body.NextCursor = strconv.FormatInt(list[len(list)-1].Seq, 10)
			}
			return o, nil
		})
}

func optionalCurrency(v string) (money.Currency, error) {
	if v == "" {
		return "", nil
	}
	c, err := money.ParseCurrency(v)
	if err != nil {
		return "", apperr.Field("currency", "%s", err)
	}
	return c, nil
}

// importInput streams the CSV body straight to the importer.
type importInput struct {
	Kind       string `path:"kind" enum:"customers,invoices,payments"`
	DateFormat string `query:"date_format" doc:"e.g. DD/MM/YYYY; default YYYY-MM-DD"`
	Map        string `query:"map" doc:"Rename file columns: fileColumn=settleColumn,…"`
	Filename   string `query:"filename" doc:"Recorded with the import"`
	body       io.Reader
}

// Resolve implements huma.Resolver: it keeps the body reader.
func (in *importInput) Resolve(ctx huma.Context) []error {
	in.body = ctx.BodyReader()
	return nil
}

// acceptInput keeps the caller's address as the acceptance IP.
type acceptInput struct {
	ID   string `path:"id"`
	Body service.AcceptInput
	ip   string
}

// Resolve implements huma.Resolver.
func (in *acceptInput) Resolve(ctx huma.Context) []error {
	host, _, err := net.SplitHostPort(ctx.RemoteAddr())
	if err != nil {
		host = ctx.RemoteAddr()
	}
	in.ip = host
	return nil
}

// pdfOut is a PDF response.
type pdfOut struct {
	ContentType string `header:"Content-Type"`
	Disposition string `header:"Content-Disposition"`
	Body        []byte
}
