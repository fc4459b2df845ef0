package canonical

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
)

// Money is an exact amount in one currency. JSON carries it as
// {"amount":"12.30","currency":"EUR"}; the amount is always a string.
//
// Money{} (zero, no currency) is the empty amount: it is what an omitted
// field decodes to, arithmetic treats it as zero in any currency, and Validate
// accepts it where a document's amount is optional. A non-zero amount always
// needs a currency.
type Money struct {
	Amount   Decimal      `json:"amount"`
	Currency CurrencyCode `json:"currency" validate:"omitempty,currency"`
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

// common returns the currency shared by m and n. A zero amount with no
// currency is the empty amount (what an omitted JSON field decodes to): it
// takes the other operand's currency, so sums can start from Money{} and
// absent totals subtract cleanly.
func common(m, n Money) (CurrencyCode, error) {
	switch {
	case m.Currency == n.Currency:
		return m.Currency, nil
	case m.Currency == "" && m.Amount.IsZero():
		return n.Currency, nil
	case n.Currency == "" && n.Amount.IsZero():
		return m.Currency, nil
	}
	return "", &CurrencyMismatchError{Left: m.Currency, Right: n.Currency}
}

// Add returns m + n; both must share a currency. A zero amount with no
// currency (Money{}) takes the other's currency, so sums can start from
// Money{}.
func (m Money) Add(n Money) (Money, error) {
	c, err := common(m, n)
	if err != nil {
		return Money{}, err
	}
	a, err := m.Amount.Add(n.Amount)
	return Money{Amount: a, Currency: c}, err
}

// Sub returns m - n; both must share a currency. As with Add, Money{} stands
// for zero in any currency.
func (m Money) Sub(n Money) (Money, error) {
	c, err := common(m, n)
	if err != nil {
		return Money{}, err
	}
	a, err := m.Amount.Sub(n.Amount)
	return Money{Amount: a, Currency: c}, err
}

// Mul returns m × factor, exactly (a unit price times a quantity, an amount times
// a rate). Round the result when it must become a payable amount.
func (m Money) Mul(factor Decimal) (Money, error) {
	a, err := m.Amount.Mul(factor)
	return Money{Amount: a, Currency: m.Currency}, err
}

// Neg returns -m.
func (m Money) Neg() Money { return Money{Amount: m.Amount.Neg(), Currency: m.Currency} }

// Cmp compares two amounts of the same currency: -1, 0 or 1. Money{} compares
// as zero in any currency.
func (m Money) Cmp(n Money) (int, error) {
	if _, err := common(m, n); err != nil {
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

// Allocate splits m over weights so that the parts add up to m exactly, each
// part in the currency's minor units (largest-remainder method: the minor units
// lost to flooring go to the parts with the largest remainders, ties to the
// earliest part). Use it to spread an order discount or a shipping charge over
// lines in proportion to their amounts.
//
// Weights must be non-negative with a positive sum; a zero weight gets a zero
// part. A negative amount is split like its absolute value, with every part
// negative. An amount with more decimals than its currency (10.005 EUR) is
// split at its own precision so the sum stays exact; round it first to get
// whole minor units. An unknown currency is split in hundredths, as Round does.
// The arithmetic is exact for any weights: there is no intermediate rounding.
func (m Money) Allocate(weights ...Decimal) ([]Money, error) {
	if len(weights) == 0 {
		return nil, fmt.Errorf("canonical: allocate %s: no weights", m)
	}
	scale := 0
	for i, w := range weights {
		if w.IsNeg() {
			return nil, fmt.Errorf("canonical: allocate %s: weight %d is negative (%s)", m, i, w)
		}
		scale = max(scale, w.Scale())
	}
	// Bring every weight to one scale as an exact integer: w × 10^scale.
	ws := make([]big.Int, len(weights))
	var total big.Int
	for i, w := range weights {
		ws[i].SetUint64(w.d.Coef())
		if s := scale - w.Scale(); s > 0 {
			ws[i].Mul(&ws[i], new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s)), nil))
		}
		total.Add(&total, &ws[i])
	}
	if total.Sign() == 0 {
		return nil, fmt.Errorf("canonical: allocate %s: weights sum to zero", m)
	}
	digits, ok := m.Currency.MinorUnits()
	if !ok {
		digits = 2
	}
	digits = max(digits, m.Amount.d.MinScale())
	units, ok := m.Amount.Int64(digits) // exact: digits covers every decimal of m
	if !ok {
		return nil, fmt.Errorf("canonical: allocate %s: amount overflows", m)
	}
	neg := units < 0
	whole := new(big.Int).SetInt64(units)
	whole.Abs(whole)

	parts := make([]int64, len(weights))
	rems := make([]big.Int, len(weights))
	var given, share big.Int
	for i := range ws {
		share.Mul(whole, &ws[i])
		share.QuoRem(&share, &total, &rems[i])
		parts[i] = share.Int64() // share ≤ |units|, so it fits
		given.Add(&given, &share)
	}
	// Fewer than len(weights) units are left over; hand them out by largest
	// remainder. A zero weight has a zero remainder and never gets one.
	left := new(big.Int).Sub(whole, &given).Int64()
	if left > 0 {
		order := make([]int, len(weights))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return rems[b].Cmp(&rems[a]) })
		for _, i := range order[:left] {
			parts[i]++
		}
	}
	out := make([]Money, len(parts))
	for i, p := range parts {
		if neg {
			p = -p
		}
		d, err := NewDecimal(p, digits)
		if err != nil {
			return nil, fmt.Errorf("canonical: allocate %s: %w", m, err)
		}
		out[i] = Money{Amount: d, Currency: m.Currency}
	}
	return out, nil
}

// UnmarshalJSON decodes {"amount":"12.30","currency":"EUR"}; a bare JSON number
// amount ({"amount":12.30,...}) is accepted too. null leaves m unchanged. Errors
// are *json.UnmarshalTypeError, so encoding/json names the field that is wrong
// ("lines.unitPrice.amount").
func (m *Money) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	if len(data) == 0 || data[0] != '{' {
		return &json.UnmarshalTypeError{Value: describeJSON(data), Type: moneyType, Struct: "Money"}
	}
	if v, ok := decodeMoneyFast(data); ok {
		*m = v
		return nil
	}
	v, err := decodeMoneyGeneral(data)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// decodeMoneyGeneral decodes a Money object with encoding/json.
func decodeMoneyGeneral(data []byte) (Money, error) {
	type plain Money // same fields, no methods: no recursion
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			te.Struct = "Money"
			return Money{}, te
		}
		return Money{}, fmt.Errorf("canonical: money: %w", err)
	}
	return Money(p), nil
}

// decodeMoneyFast decodes the shape Money is written in,
// {"amount":"12.30","currency":"EUR"} (keys in either order, either missing
// or null, a bare number amount, any whitespace), without a second pass of
// encoding/json. On valid JSON it gives the same result as
// decodeMoneyGeneral (FuzzMoneyJSON checks this); ok is false
// for anything else (other keys, escapes, non-ASCII text, bad amounts), which
// the general path decodes or reports.
func decodeMoneyFast(data []byte) (m Money, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return Money{}, false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return Money{}, skipSpace(data, i+1) == len(data)
	}
	for {
		key, j, ok := plainString(data, i)
		if !ok {
			return Money{}, false
		}
		i = skipSpace(data, j)
		if i >= len(data) || data[i] != ':' {
			return Money{}, false
		}
		i = skipSpace(data, i+1)
		if i >= len(data) {
			return Money{}, false
		}
		isNull := len(data)-i >= 4 && string(data[i:i+4]) == "null"
		switch string(key) {
		case "amount":
			end := i
			switch c := data[i]; {
			case isNull:
				end = i + 4 // null keeps what an earlier key set, as encoding/json does
			case c == '"':
				_, e, ok := plainString(data, i)
				if !ok {
					return Money{}, false
				}
				end = e
			case c == '-' || (c >= '0' && c <= '9'):
				for end < len(data) && isNumberByte(data[end]) {
					end++
				}
			default:
				return Money{}, false
			}
			if !isNull && m.Amount.UnmarshalJSON(data[i:end]) != nil {
				return Money{}, false
			}
			i = end
		case "currency":
			switch {
			case isNull:
				i += 4
			case data[i] == '"':
				c, e, ok := plainString(data, i)
				if !ok {
					return Money{}, false
				}
				m.Currency, i = CurrencyCode(c), e
			default:
				return Money{}, false
			}
		default:
			return Money{}, false
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return Money{}, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return m, skipSpace(data, i+1) == len(data)
		default:
			return Money{}, false
		}
	}
}

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// plainString reads a JSON string at data[i] made only of printable ASCII
// without escapes, returning its contents and the index after its closing
// quote.
func plainString(data []byte, i int) (s []byte, end int, ok bool) {
	if i >= len(data) || data[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return data[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20 || c >= 0x7f:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// isNumberByte reports whether c can appear in a JSON number.
func isNumberByte(c byte) bool {
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}
