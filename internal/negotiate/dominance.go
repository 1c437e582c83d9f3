package negotiate

// Dominance (issue 17, "dominance is law"): a counter-offer that pays at
// least as much as an offer we would accept, and no later, is accepted,
// whatever the valuation model says of it. A model may misjudge a
// customer's means; it may not judge that being paid more, sooner, is
// worth less.

// dominates reports whether terms a pay at least as much as terms b, no
// later: on every date b is due to pay, a has paid at least as much in
// total by then (so a is paid in full no later than b). Amounts are the
// exact schedules' (plan.Quote), interest included.
func (e *engine) dominates(a, b Terms) bool {
	sa, err := e.schedule(a)
	if err != nil {
		return false
	}
	sb, err := e.schedule(b)
	if err != nil {
		return false
	}
	// Both schedules are in due-date order (plan.Quote).
	var paidA, paidB int64
	k := 0
	for _, in := range sb.Installments {
		paidB += in.Amount.Minor()
		for k < len(sa.Installments) && !sa.Installments[k].DueDate.After(in.DueDate) {
			paidA += sa.Installments[k].Amount.Minor()
			k++
		}
		if paidA < paidB {
			return false
		}
	}
	return len(sb.Installments) > 0
}

// dominatesOurs reports whether ask dominates our standing offer or one of
// the alternatives we gave with it: offers we would accept.
func (e *engine) dominatesOurs(ask Terms) bool {
	s := e.s
	if s.Standing.Kind != "" && e.dominates(ask, s.Standing) {
		return true
	}
	for _, alt := range s.Alternatives {
		if e.dominates(ask, alt) {
			return true
		}
	}
	return false
}
