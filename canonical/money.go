package canonical

import (
	"encoding/json"
	"fmt"
)

// Money is an exact amount in one currency. JSON carries it as
// {"amount":"12.30","currency":"EUR"}; the amount is always a string.
type Money struct {
	Amount   Decimal      `json:"amount"`
	Currency CurrencyCode `json:"currency" validate:"required,currency"`
}

// CurrencyMismatchError reports arithmetic between two currencies.
type CurrencyMismatchError struct {
	Left, Right CurrencyCode
}

// Error names both currencies.
func (e *CurrencyMismatchError) Error() string {
	return fmt.Sprintf("canonical: currency mismatch: %s and %s", e.Left, e.Right)
}

// NewMoney parses amount and pairs it with currency.
func NewMoney(amount string, currency CurrencyCode) (Money, error) {
	d, err := ParseDecimal(amount)
	if err != nil {
		return Money{}, err
	}
	return Money{Amount: d, Currency: currency}, nil
}

// MustMoney is NewMoney for constants in code and tests; it panics on a bad
// amount. Never use it on data that comes from a system.
func MustMoney(amount string, currency CurrencyCode) Money {
	m, err := NewMoney(amount, currency)
	if err != nil {
		panic(err)
	}
	return m
}

// Zero returns zero in currency c.
func Zero(c CurrencyCode) Money { return Money{Currency: c} }

// String returns "12.30 EUR".
func (m Money) String() string { return m.Amount.String() + " " + string(m.Currency) }

// IsZero reports whether the amount is zero.
func (m Money) IsZero() bool { return m.Amount.IsZero() }

// Equal reports whether m and n have the same currency and numerically equal
// amounts (12.3 EUR equals 12.30 EUR).
func (m Money) Equal(n Money) bool { return m.Currency == n.Currency && m.Amount.Equal(n.Amount) }

func (m Money) same(n Money) error {
	if m.Currency != n.Currency {
		return &CurrencyMismatchError{Left: m.Currency, Right: n.Currency}
	}
	return nil
}

// Add returns m + n; both must share a currency. A zero Money with no currency
// takes the other's currency, so sums can start from Money{}.
func (m Money) Add(n Money) (Money, error) {
	if m.Currency == "" && m.Amount.IsZero() {
		m.Currency = n.Currency
	}
	if err := m.same(n); err != nil {
		return Money{}, err
	}
	a, err := m.Amount.Add(n.Amount)
	return Money{Amount: a, Currency: m.Currency}, err
}

// Sub returns m - n; both must share a currency.
func (m Money) Sub(n Money) (Money, error) {
	if m.Currency == "" && m.Amount.IsZero() {
		m.Currency = n.Currency
	}
	if err := m.same(n); err != nil {
		return Money{}, err
	}
	a, err := m.Amount.Sub(n.Amount)
	return Money{Amount: a, Currency: m.Currency}, err
}

// Mul returns m × factor, exactly (a unit price times a quantity, an amount times
// a rate). Round the result when it must become a payable amount.
func (m Money) Mul(factor Decimal) (Money, error) {
	a, err := m.Amount.Mul(factor)
	return Money{Amount: a, Currency: m.Currency}, err
}

// Neg returns -m.
func (m Money) Neg() Money { return Money{Amount: m.Amount.Neg(), Currency: m.Currency} }

// Cmp compares two amounts of the same currency.
func (m Money) Cmp(n Money) (int, error) {
	if err := m.same(n); err != nil {
		return 0, err
	}
	return m.Amount.Cmp(n.Amount), nil
}

// Round rounds m to its currency's minor units (2 for EUR, 0 for JPY) using
// mode. An unknown currency rounds to 2 digits.
func (m Money) Round(mode RoundingMode) Money {
	digits, ok := m.Currency.MinorUnits()
	if !ok {
		digits = 2
	}
	return Money{Amount: m.Amount.Round(digits, mode), Currency: m.Currency}
}

// MinorUnits returns the amount in the currency's minor units (cents), rounding
// half-up: 12.30 EUR gives 1230, 1500 JPY gives 1500.
func (m Money) MinorUnits() (int64, error) {
	digits, ok := m.Currency.MinorUnits()
	if !ok {
		return 0, fmt.Errorf("canonical: unknown currency %q", m.Currency)
	}
	u, ok := m.Amount.Int64(digits)
	if !ok {
		return 0, fmt.Errorf("canonical: amount %s overflows minor units", m)
	}
	return u, nil
}

// FromMinorUnits builds Money from an integer count of minor units.
func FromMinorUnits(units int64, c CurrencyCode) (Money, error) {
	digits, ok := c.MinorUnits()
	if !ok {
		return Money{}, fmt.Errorf("canonical: unknown currency %q", c)
	}
	d, err := NewDecimal(units, digits)
	return Money{Amount: d, Currency: c}, err
}

// Allocate splits m over weights so that the parts add up to m exactly, each part
// rounded to the currency's minor units (largest-remainder method: the cents lost
// to rounding go to the parts with the largest remainders, ties to the earliest).
// Use it to spread an order discount or a shipping charge over lines. Weights
// must be non-negative with a positive sum.
func (m Money) Allocate(weights ...Decimal) ([]Money, error) {
	if len(weights) == 0 {
		return nil, fmt.Errorf("canonical: allocate %s: no weights", m)
	}
	var total Decimal
	for i, w := range weights {
		if w.IsNeg() {
			return nil, fmt.Errorf("canonical: allocate %s: weight %d is negative (%s)", m, i, w)
		}
		var err error
		if total, err = total.Add(w); err != nil {
			return nil, err
		}
	}
	if !total.IsPos() {
		return nil, fmt.Errorf("canonical: allocate %s: weights sum to zero", m)
	}
	digits, ok := m.Currency.MinorUnits()
	if !ok {
		digits = 2
	}
	units, ok := m.Amount.Int64(digits)
	if !ok {
		return nil, fmt.Errorf("canonical: allocate %s: amount overflows", m)
	}
	neg := units < 0
	if neg {
		units = -units
	}
	unitsD := DecimalFromInt(units)
	parts := make([]int64, len(weights))
	rems := make([]Decimal, len(weights))
	var given int64
	for i, w := range weights {
		share, err := unitsD.Mul(w)
		if err != nil {
			return nil, err
		}
		if share, err = share.Quo(total); err != nil {
			return nil, err
		}
		floor := share.d.Floor(0)
		whole, _, _ := floor.Int64(0)
		parts[i] = whole
		given += whole
		r, _ := share.d.Sub(floor)
		rems[i] = Decimal{r}
	}
	for left := units - given; left > 0; left-- {
		best := -1
		for i := range rems {
			if weights[i].IsZero() {
				continue
			}
			if best < 0 || rems[i].Cmp(rems[best]) > 0 {
				best = i
			}
		}
		parts[best]++
		rems[best] = Decimal{}
	}
	out := make([]Money, len(parts))
	for i, p := range parts {
		if neg {
			p = -p
		}
		mm, err := FromMinorUnits(p, m.Currency)
		if err != nil {
			// Unknown currency: fall back to two digits, as Round does.
			d, _ := NewDecimal(p, digits)
			mm = Money{Amount: d, Currency: m.Currency}
		}
		out[i] = mm
	}
	return out, nil
}

// UnmarshalJSON decodes {"amount":"12.30","currency":"EUR"} and names the field
// that is wrong.
func (m *Money) UnmarshalJSON(data []byte) error {
	type raw struct {
		Amount   json.RawMessage `json:"amount"`
		Currency CurrencyCode    `json:"currency"`
	}
	var r raw
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("money: %w", err)
	}
	var d Decimal
	if len(r.Amount) > 0 {
		if err := d.UnmarshalJSON(r.Amount); err != nil {
			return fmt.Errorf("money.amount: %w", err)
		}
	}
	m.Amount, m.Currency = d, r.Currency
	return nil
}
