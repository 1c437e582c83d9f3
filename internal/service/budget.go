package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"settle/internal/apperr"
	"settle/internal/assess"
	"settle/internal/money"
	"settle/internal/store"
)

// BudgetLineInput is one monthly income or expense line.
type BudgetLineInput struct {
	Category string `json:"category"`
	Label    string `json:"label,omitempty"`
	Monthly  string `json:"monthly"`
}

// BudgetDebtInput is another debt the customer pays each month.
type BudgetDebtInput struct {
	Creditor string `json:"creditor"`
	Monthly  string `json:"monthly"`
	Balance  string `json:"balance,omitempty"`
	Priority bool   `json:"priority,omitempty" doc:"A priority debt (rent or mortgage arrears, council tax, energy, …)"`
}

// BudgetInput is a customer's stated monthly budget.
type BudgetInput struct {
	Currency string            `json:"currency"`
	Income   []BudgetLineInput `json:"income"`
	Expenses []BudgetLineInput `json:"expenses"`
	Debts    []BudgetDebtInput `json:"debts,omitempty"`
}

// BudgetView is a stored budget with what it leaves for this debt.
type BudgetView struct {
	CustomerID string
	Input      BudgetInput
	Budget     assess.Budget
	assess.Affordability
	UpdatedAt time.Time
	UpdatedBy string
}

const maxBudgetLines = 100

// parse turns the input into an assess.Budget for a customer kind,
// naming every bad field.
func (in BudgetInput) parse(kind string) (assess.Budget, error) {
	var fs apperr.Fields
	cur, err := money.ParseCurrency(strings.TrimSpace(in.Currency))
	if err != nil {
		fs.Add("currency", "%s", err)
	}
	b := assess.Budget{Currency: cur, Kind: kind}
	amount := func(field, v string, required bool) money.Amount {
		v = strings.TrimSpace(v)
		if v == "" {
			if required {
				fs.Add(field, "is required")
			}
			return money.Zero(cur)
		}
		if cur == "" {
			return money.Amount{}
		}
		a, err := money.Parse(v, cur)
		if err != nil {
			fs.Add(field, "%s", err)
			return money.Zero(cur)
		}
		return a
	}
	lines := func(name string, in []BudgetLineInput) []assess.Line {
		if len(in) > maxBudgetLines {
			fs.Add(name, "at most %d lines", maxBudgetLines)
			return nil
		}
		out := make([]assess.Line, 0, len(in))
		for i, l := range in {
			out = append(out, assess.Line{Category: strings.TrimSpace(l.Category), Label: strings.TrimSpace(l.Label),
				Monthly: amount(fmt.Sprintf("%s[%d].monthly", name, i), l.Monthly, true)})
		}
		return out
	}
	b.Income = lines("income", in.Income)
	b.Expenses = lines("expenses", in.Expenses)
	if len(in.Debts) > maxBudgetLines {
		fs.Add("debts", "at most %d lines", maxBudgetLines)
	} else {
		for i, d := range in.Debts {
			b.Debts = append(b.Debts, assess.Debt{Creditor: strings.TrimSpace(d.Creditor), Priority: d.Priority,
				Monthly: amount(fmt.Sprintf("debts[%d].monthly", i), d.Monthly, true),
				Balance: amount(fmt.Sprintf("debts[%d].balance", i), d.Balance, false)})
		}
	}
	if err := fs.Err("budget"); err != nil {
		return b, err
	}
	return b, b.Validate()
}

// PutBudget stores (replaces) a customer's budget.
func (s *Service) PutBudget(ctx context.Context, customer string, in BudgetInput) (*BudgetView, error) {
	a, err := require(ctx, RoleAgent)
	if err != nil {
		return nil, err
	}
	var view *BudgetView
	err = s.store.Tx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customer)
		if err != nil {
			return err
		}
		b, err := in.parse(c.Kind)
		if err != nil {
			return err
		}
		body, err := json.Marshal(in)
		if err != nil {
			return err
		}
		sb := &store.Budget{CustomerID: c.ID, Currency: b.Currency, Body: body, UpdatedBy: a.ID}
		if err := tx.PutBudget(ctx, sb); err != nil {
			return err
		}
		view = &BudgetView{CustomerID: c.ID, Input: in, Budget: b, Affordability: assess.Afford(b), UpdatedAt: sb.UpdatedAt, UpdatedBy: sb.UpdatedBy}
		return audit(ctx, tx, "budget.put", "customer", c.ID, in)
	})
	return view, err
}

// Budget returns a customer's budget (NotFound when none was given).
func (s *Service) Budget(ctx context.Context, customer string) (*BudgetView, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	var view *BudgetView
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, customer)
		if err != nil {
			return err
		}
		view, err = loadBudget(ctx, tx, c.ID, c.Kind)
		return err
	})
	return view, err
}

func loadBudget(ctx context.Context, tx store.Tx, customerID, kind string) (*BudgetView, error) {
	sb, err := tx.Budget(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var in BudgetInput
	if err := json.Unmarshal(sb.Body, &in); err != nil {
		return nil, fmt.Errorf("budget of %s: %w", customerID, err)
	}
	b, err := in.parse(kind)
	if err != nil {
		// Stored budgets were valid when stored; a customer whose kind
		// changed since may have lines of the other kind's categories.
		return nil, apperr.Errorf(apperr.Conflict, "the stored budget no longer fits the customer (%v): put a new one", err)
	}
	return &BudgetView{CustomerID: customerID, Input: in, Budget: b, Affordability: assess.Afford(b), UpdatedAt: sb.UpdatedAt, UpdatedBy: sb.UpdatedBy}, nil
}
