package notify

import (
	"settle/internal/civil"
	"settle/internal/money"
)

// Exported formatting for other presentations in the customer's locale (the
// customer portal): the same words and formats as the messages.

// Lang is the language the customer is written to in: "en", "de" or "fr"
// (anything else is English).
func Lang(tag string) string { return parseLocale(tag).lang }

// LocalMoney formats an amount for the locale: "1,234.50 USD", "1.234,50 EUR",
// "1 234,50 EUR" (no-break spaces).
func LocalMoney(a money.Amount, tag string) string { return formatMoney(a, parseLocale(tag)) }

// LocalDate writes a date in words: "31 March 2026", "March 31, 2026" (en-US),
// "31. März 2026", "31 mars 2026".
func LocalDate(d civil.Date, tag string) string { return formatDate(d, parseLocale(tag)) }

// LocalShortDate is the compact form for tables: "31 Mar 2026", "31.03.2026",
// "31/03/2026".
func LocalShortDate(d civil.Date, tag string) string { return formatShortDate(d, parseLocale(tag)) }
