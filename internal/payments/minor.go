package payments

import (
	"fmt"
	"strings"

	"settle/internal/money"
)

// Stripe counts minor units its own way (docs.stripe.com/currencies):
//   - zero-decimal currencies take whole units: 1200 JPY is amount 1200;
//   - BHD, JOD, KWD, OMR and TND take three decimals, but the last digit
//     must be 0 (the card networks settle to two);
//   - every other currency takes two decimals;
//   - ISK and UGX are special cases (zero-decimal in name, yet sent as two
//     decimals for compatibility): settle does not take them online rather
//     than risk charging 100 times the amount.
//
// settle's minor units are ISO 4217's (internal/money). Where the two
// agree the amount passes unchanged; where Stripe's unit is coarser
// (MGA: ISO 2 digits, Stripe 0) the amount must be a whole number of
// Stripe's units; a currency whose ISO digits are neither Stripe's nor 2
// is refused, since settle cannot know what Stripe expects for it.

var stripeZeroDecimal = map[money.Currency]bool{
	"BIF": true, "CLP": true, "DJF": true, "GNF": true, "JPY": true, "KMF": true, "KRW": true, "MGA": true,
	"PYG": true, "RWF": true, "VND": true, "VUV": true, "XAF": true, "XOF": true, "XPF": true,
}

var stripeThreeDecimal = map[money.Currency]bool{"BHD": true, "JOD": true, "KWD": true, "OMR": true, "TND": true}

var stripeRefused = map[money.Currency]bool{"ISK": true, "UGX": true}

// stripeDigits is how many decimals Stripe's amounts of c carry.
func stripeDigits(c money.Currency) (int, error) {
	switch {
	case stripeRefused[c]:
		return 0, fmt.Errorf("%s: Stripe treats %s amounts as a special case; settle does not take %s online", c, c, c)
	case stripeZeroDecimal[c]:
		return 0, nil
	case stripeThreeDecimal[c]:
		return 3, nil
	case c.Digits() == 2:
		return 2, nil
	}
	return 0, fmt.Errorf("%s: settle does not know how Stripe counts %s minor units (%d decimals in ISO 4217); it is not taken online", c, c, c.Digits())
}

// MinorUnits converts a settle amount to Stripe's amount and lower-case
// currency code, or says why Stripe cannot take it.
func MinorUnits(a money.Amount) (int64, string, error) {
	c := a.Currency()
	sd, err := stripeDigits(c)
	if err != nil {
		return 0, "", err
	}
	if !a.IsPositive() {
		return 0, "", fmt.Errorf("%s %s: an online payment must be greater than zero", a, c)
	}
	m, d := a.Minor(), c.Digits()
	for ; d > sd; d-- {
		if m%10 != 0 {
			return 0, "", fmt.Errorf("%s %s: Stripe takes %s in whole units of %s; this amount has a smaller fraction", a, c, c,
				money.New(pow10(c.Digits()-sd), c))
		}
		m /= 10
	}
	for ; d < sd; d++ {
		m *= 10
	}
	if stripeThreeDecimal[c] && m%10 != 0 {
		return 0, "", fmt.Errorf("%s %s: Stripe takes %s amounts in steps of %s (the last of the three decimals must be 0)", a, c, c, money.New(10, c))
	}
	return m, strings.ToLower(string(c)), nil
}

// FromMinorUnits converts Stripe's amount and currency code back to a
// settle amount.
func FromMinorUnits(amount int64, code string) (money.Amount, error) {
	c, err := money.ParseCurrency(strings.ToUpper(code))
	if err != nil {
		return money.Amount{}, err
	}
	sd, err := stripeDigits(c)
	if err != nil {
		return money.Amount{}, err
	}
	m, d := amount, c.Digits()
	for ; sd > d; sd-- {
		if m%10 != 0 {
			return money.Amount{}, fmt.Errorf("stripe amount %d %s has a fraction below %s's minor unit", amount, code, c)
		}
		m /= 10
	}
	for ; sd < d; sd++ {
		m *= 10
	}
	return money.New(m, c), nil
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
