package service

import (
	"context"
	"sort"
	"strings"
	"time"

	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/money"
	"settle/internal/store"
)

// TaskCard is what an agent needs on a task before picking up the phone
// (issue 16, item 6): how much is overdue and how late, the number to
// call, the customer's local time now and whether a call is allowed now
// (the contact rules: hours, weekends, holidays, opt-outs, Regulation F),
// and the reasons in plain words, one per line.
type TaskCard struct {
	Overdue     []money.Amount // per currency, as of the customer's today
	DaysLate    int            // the oldest overdue invoice's
	Phone       string         // "" none on file
	LocalTime   string         // "14:05 Mon 7 Dec, Europe/London"
	CallAllowed bool
	CallNote    string   // why not, and the next allowed slot; or the rule that allows it
	Reasons     []string // the task's reasons, one per merged line
}

// TaskCard builds the card of a task as of now.
func (s *Service) TaskCard(ctx context.Context, t store.Task, now time.Time) (*TaskCard, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	card := &TaskCard{}
	for _, line := range strings.Split(t.Reason, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			card.Reasons = append(card.Reasons, line)
		}
	}
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		cust, err := tx.Customer(ctx, t.CustomerID)
		if err != nil {
			return err
		}
		card.Phone = strings.TrimSpace(cust.Phone)
		loc, err := time.LoadLocation(cust.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		local := now.In(loc)
		card.LocalTime = local.Format("15:04 Mon 2 Jan") + ", " + loc.String()
		today := civil.Of(local)
		invs, _, err := tx.CustomerLedger(ctx, cust.ID)
		if err != nil {
			return err
		}
		about := map[string]bool{}
		for _, id := range t.InvoiceIDs {
			about[id] = true
		}
		sums := map[money.Currency]int64{}
		for _, inv := range invs {
			if len(about) > 0 && !about[inv.ID] {
				continue
			}
			if !inv.Balance.IsPositive() || !today.After(inv.DueDate) || (!inv.VoidedOn.IsZero() && !inv.VoidedOn.After(today)) {
				continue
			}
			sums[inv.Balance.Currency()] += inv.Balance.Minor()
			card.DaysLate = max(card.DaysLate, today.DaysSince(inv.DueDate))
		}
		for cur, v := range sums {
			card.Overdue = append(card.Overdue, money.New(v, cur))
		}
		sort.Slice(card.Overdue, func(i, j int) bool { return card.Overdue[i].Currency() < card.Overdue[j].Currency() })
		optOuts, err := tx.OptOuts(ctx, []string{cust.ID})
		if err != nil {
			return err
		}
		calls, err := tx.CallsFor(ctx, []string{cust.ID})
		if err != nil {
			return err
		}
		party := collect.Party{Kind: cust.Kind, Jurisdiction: cust.Jurisdiction, TimeZone: cust.TimeZone, OptOuts: optOuts[cust.ID]}
		dec := collect.Decide(party, collect.Call, strings.Join(t.InvoiceIDs, ","), now, contactHistory(calls[cust.ID]), collect.DefaultRules())
		card.CallAllowed, card.CallNote = dec.Allowed, dec.Reason
		switch {
		case dec.Blocked:
			// Opted out of calls: no number to dial on the card.
			card.Phone, card.CallNote = "", "the customer opted out of calls: do not call; write instead"
		case card.Phone == "":
			card.CallAllowed, card.CallNote = false, "no phone number on file: write instead, or ask for one"
		}
		return nil
	})
	return card, err
}
