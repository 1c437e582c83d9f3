// Package assess knows the position before a collector talks to a customer
// (domain.md §1): the customer's payment profile, a transparent risk score
// that predicts late payment of their next invoices, their importance to
// us, the impact of the delay on us (carrying cost, statutory interest and
// compensation) and what they can afford from their budget.
//
// Like ledger, it is pure: no SQL, no HTTP, no clock. Every time-dependent
// function takes its "as of" date, so an assessment can be reproduced for
// any past date and tested against hand-worked figures. Money stays exact
// (money.Amount, rates as *big.Rat); only ratios, shares, probabilities and
// averages of days are float64. The rules, thresholds and the risk model's
// derivation are in docs/assess.md.
package assess
