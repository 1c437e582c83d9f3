package csvin

// BankStatement is the bank-statement import format (docs/api.md): one
// transfer per row. date is the booking date; amount is signed (money
// going out is negative and is skipped); reference is the remittance text
// the payer typed; bank_id is the bank's own transaction id, which makes
// re-imports idempotent (without it a hash of the row stands in).
var BankStatement = Format{Kind: "bank-statement",
	Required: []string{"date", "amount", "currency"},
	Optional: []string{"reference", "payer_name", "bank_id"}}
