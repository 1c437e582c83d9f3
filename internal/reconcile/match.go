package reconcile

import (
	"fmt"
	"strings"

	"settle/internal/money"
)

// Line statuses (table bank_lines).
const (
	StatusMatched  = "matched"  // became a payment at import
	StatusReview   = "review"   // waits for a person
	StatusAssigned = "assigned" // a person made it a payment
	StatusIgnored  = "ignored"  // a person decided it is not a customer's payment
)

// How a line was matched.
const (
	ByPlanRef       = "plan_reference"
	ByPlanRefFixed  = "plan_reference_corrected"
	ByInvoiceNumber = "invoice_number"
	ByCustomerRef   = "customer_ref"
)

// Line is the part of a statement line the matcher needs.
type Line struct {
	Amount    money.Amount // positive: money received
	Reference string
	Payer     string
}

// Plan is a plan found by its reference (or a customer's active plan).
type Plan struct {
	ID         string
	Reference  string
	CustomerID string
	Active     bool
	// Due are the outstanding amounts of the unpaid installments, in
	// order (the first partly paid one with what is left of it).
	Due []money.Amount
}

// Invoice is an invoice found by its number.
type Invoice struct {
	ID, Number, CustomerID string
	Open                   money.Amount // zero when paid or void
}

// Item is one of a customer's open invoices.
type Item struct {
	InvoiceID, Number string
	Open              money.Amount
}

// Customer is what the matcher knows of a customer the line points to:
// their open invoices in the line's currency, oldest due first (the order
// the ledger allocates in), and their active plans.
type Customer struct {
	ID, Ref string
	Items   []Item
	Plans   []Plan
}

// Evidence is what the service found for the line's mentions.
type Evidence struct {
	Plans     map[string]Plan     // by reference
	Invoices  map[string]Invoice  // by number as written in the text
	Customers map[string]Customer // by id: every customer named by a plan, invoice or ref
	Refs      map[string]string   // customer external_ref as written → customer id
}

// Result is the matcher's verdict.
type Result struct {
	Status     string // matched or review
	By         string // how the customer was found ("" when not found)
	CustomerID string // found customer (also for review: the likely payer)
	PlanID     string // the plan it pays, when matched to a plan
	InvoiceID  string // the invoice it pays first, when matched to one
	Reference  string // the plan reference it was matched by (corrected when it was mistyped)
	Rule       string // which amount it equals, e.g. "next 2 installments", "open amount of INV-1"
	Reason     string // for people: why matched, or why it needs review
}

type found struct {
	by, customerID, planID, invoiceID, number, ref, what string
}

// Match decides one line. The customer is found by plan reference (as
// written, or corrected from a single slip when exactly one correction is
// a stored plan's), else by an invoice number in the text, else by a
// customer external_ref in the text. Identifiers naming two different
// customers send the line to review. The amount must then equal:
// for a plan, its next installment or several next installments; for an
// invoice, its open amount; and in every case, one of the customer's
// open invoices, the oldest few together, the whole open balance, or the
// next installments of one of their active plans. Anything else waits for
// a person — never guessed, never lost.
func Match(l Line, sc Scanned, ev Evidence) Result {
	if !l.Amount.IsPositive() {
		return Result{Status: StatusReview, Reason: "the amount is not a receipt"}
	}
	var hits []found
	var notes []string
	for _, r := range sc.Refs {
		if r.Valid {
			if p, ok := ev.Plans[r.Written]; ok {
				hits = append(hits, found{by: ByPlanRef, customerID: p.CustomerID, planID: p.ID, ref: p.Reference, what: "plan reference " + p.Reference})
			} else {
				notes = append(notes, fmt.Sprintf("%s is no plan's reference", r.Written))
			}
			continue
		}
		var stored []Plan
		for _, fix := range r.Fixes {
			if p, ok := ev.Plans[fix]; ok {
				stored = append(stored, p)
			}
		}
		switch len(stored) {
		case 0:
			notes = append(notes, fmt.Sprintf("%s fails its check and no plan's reference is one slip away", r.Written))
		case 1:
			p := stored[0]
			hits = append(hits, found{by: ByPlanRefFixed, customerID: p.CustomerID, planID: p.ID, ref: p.Reference,
				what: fmt.Sprintf("plan reference %s (written %s)", p.Reference, r.Written)})
		default:
			var names []string
			for _, p := range stored {
				names = append(names, p.Reference)
			}
			notes = append(notes, fmt.Sprintf("%s fails its check and could be %s", r.Written, strings.Join(names, " or ")))
		}
	}
	for _, w := range sc.Words {
		if inv, ok := ev.Invoices[w]; ok {
			hits = append(hits, found{by: ByInvoiceNumber, customerID: inv.CustomerID, invoiceID: inv.ID, number: w, what: "invoice " + inv.Number})
		}
	}
	for _, w := range sc.Words {
		if id, ok := ev.Refs[w]; ok {
			hits = append(hits, found{by: ByCustomerRef, customerID: id, what: "customer " + w})
		}
	}
	if len(hits) == 0 {
		reason := fmt.Sprintf("no plan reference, invoice number or customer reference found in %q", l.Reference)
		if len(notes) > 0 {
			reason += ": " + strings.Join(notes, "; ")
		}
		return Result{Status: StatusReview, Reason: reason}
	}
	first := hits[0]
	for _, h := range hits[1:] {
		if h.customerID != first.customerID {
			return Result{Status: StatusReview, Reason: fmt.Sprintf("the reference names two customers: %s and %s", first.what, h.what)}
		}
	}
	res := Result{Status: StatusReview, By: first.by, CustomerID: first.customerID, Reference: first.ref}
	cust := ev.Customers[first.customerID]
	amount := l.Amount

	// The identifier's own figures first: a plan's next installments, an invoice's open amount.
	for _, h := range hits {
		switch {
		case h.planID != "":
			p := ev.Plans[h.ref]
			if !p.Active {
				continue
			}
			if k, ok := nextInstallments(p.Due, amount); ok {
				return matched(res, h, p.ID, "", installmentsRule(k), fmt.Sprintf("by %s: the next %s", h.what, installmentsRule(k)))
			}
		case h.invoiceID != "":
			inv := ev.Invoices[h.number]
			if inv.Open == amount {
				return matched(res, h, "", inv.ID, "open amount of "+inv.Number, fmt.Sprintf("by %s: its open amount %s", h.what, amount))
			}
		}
	}
	// Then the customer's open items and active plans.
	if rule, invID, planID, ok := customerAmount(cust, amount); ok {
		h := first
		return matched(res, h, planID, invID, rule, fmt.Sprintf("by %s: %s", h.what, rule))
	}
	res.Reason = fmt.Sprintf("%s found by %s, but %s %s matches no open item, installment or balance%s",
		customerName(cust, first.customerID), first.what, amount, amount.Currency(), openSummary(cust))
	if len(notes) > 0 {
		res.Reason += "; " + strings.Join(notes, "; ")
	}
	return res
}

func matched(res Result, h found, planID, invoiceID, rule, reason string) Result {
	res.Status, res.By, res.CustomerID, res.Reference = StatusMatched, h.by, h.customerID, h.ref
	res.PlanID, res.InvoiceID, res.Rule, res.Reason = planID, invoiceID, rule, reason
	return res
}

// nextInstallments reports whether amount equals the sum of the first k
// outstanding installments (k ≥ 1), and k.
func nextInstallments(due []money.Amount, amount money.Amount) (int, bool) {
	var sum int64
	for i, d := range due {
		if d.Currency() != amount.Currency() {
			return 0, false
		}
		sum += d.Minor()
		if sum == amount.Minor() {
			return i + 1, true
		}
		if sum > amount.Minor() {
			break
		}
	}
	return 0, false
}

func installmentsRule(k int) string {
	if k == 1 {
		return "installment due"
	}
	return fmt.Sprintf("%d installments due", k)
}

// customerAmount checks amount against a customer's open items (one of
// them; the oldest k together, which is how the ledger would allocate it;
// all of them) and their active plans' next installments.
func customerAmount(c Customer, amount money.Amount) (rule, invoiceID, planID string, ok bool) {
	for _, p := range c.Plans {
		if !p.Active {
			continue
		}
		if k, ok := nextInstallments(p.Due, amount); ok {
			return "the next " + installmentsRule(k) + " of plan " + p.Reference, "", p.ID, true
		}
	}
	var sum int64
	for i, it := range c.Items {
		if it.Open.Currency() != amount.Currency() {
			continue
		}
		sum += it.Open.Minor()
		if sum == amount.Minor() {
			if i == len(c.Items)-1 {
				return "the whole open balance", "", "", true
			}
			if i == 0 {
				return "open amount of " + it.Number, it.InvoiceID, "", true
			}
			return fmt.Sprintf("the oldest %d open invoices", i+1), "", "", true
		}
	}
	for _, it := range c.Items {
		if it.Open == amount {
			return "open amount of " + it.Number, it.InvoiceID, "", true
		}
	}
	return "", "", "", false
}

func customerName(c Customer, id string) string {
	if c.Ref != "" {
		return "customer " + c.Ref
	}
	return "customer " + id
}

func openSummary(c Customer) string {
	if len(c.Items) == 0 {
		return " (nothing is open)"
	}
	var parts []string
	var total int64
	for i, it := range c.Items {
		total += it.Open.Minor()
		if i < 5 {
			parts = append(parts, it.Number+" "+it.Open.String())
		}
	}
	if len(c.Items) > 5 {
		parts = append(parts, fmt.Sprintf("and %d more", len(c.Items)-5))
	}
	return fmt.Sprintf(" (open: %s; balance %s)", strings.Join(parts, ", "), money.New(total, c.Items[0].Open.Currency()))
}
