package canonical

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/govalues/decimal"
)

// Decimal is an exact decimal number: a coefficient of up to 19 digits and a
// scale. It is a value type with no global state, it never panics on bad input,
// and its arithmetic does not allocate. JSON carries it as a string ("12.30"),
// so trailing zeros survive a round trip; a bare JSON number is also accepted
// when decoding.
//
// The zero value is 0. Arithmetic returns an error only on overflow (more than
// 19 significant digits), which a business amount never reaches in practice.
//
// Decimal wraps github.com/govalues/decimal; the wrapper is thin on purpose so
// the representation can change without touching callers.
type Decimal struct{ d decimal.Decimal }

// RoundingMode says how to round a value that lies between two steps.
type RoundingMode string

// Rounding modes. HalfUp rounds ties away from zero (EN 16931 and most ERPs);
// HalfEven rounds ties to the even neighbour (banker's rounding).
const (
	HalfUp   RoundingMode = "half_up"
	HalfEven RoundingMode = "half_even"
)

// NewDecimal returns coef × 10^-scale, for example NewDecimal(1230, 2) is 12.30.
// Scale must lie in [0, 19].
func NewDecimal(coef int64, scale int) (Decimal, error) {
	d, err := decimal.New(coef, scale)
	return Decimal{d}, err
}

// DecimalFromInt returns the integer i as a Decimal.
func DecimalFromInt(i int64) Decimal {
	d, _ := decimal.New(i, 0) // scale 0 is always valid
	return Decimal{d}
}

// ParseDecimal parses a decimal such as "12.30", "-0.5" or "1e3".
func ParseDecimal(s string) (Decimal, error) {
	d, err := decimal.Parse(s)
	if err != nil {
		return Decimal{}, fmt.Errorf("canonical: invalid decimal %q: %w", s, err)
	}
	return Decimal{d}, nil
}

// MustDecimal is ParseDecimal for constants in code and tests; it panics if s is
// not a valid decimal. Never use it on data that comes from a system.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// String returns the decimal with its scale, such as "12.30".
func (d Decimal) String() string { return d.d.String() }

// Scale returns the number of digits after the decimal point.
func (d Decimal) Scale() int { return d.d.Scale() }

// Add returns d + e.
func (d Decimal) Add(e Decimal) (Decimal, error) {
	r, err := d.d.Add(e.d)
	return Decimal{r}, err
}

// Sub returns d - e.
func (d Decimal) Sub(e Decimal) (Decimal, error) {
	r, err := d.d.Sub(e.d)
	return Decimal{r}, err
}

// Mul returns d × e, exactly.
func (d Decimal) Mul(e Decimal) (Decimal, error) {
	r, err := d.d.Mul(e.d)
	return Decimal{r}, err
}

// Quo returns d ÷ e rounded to 19 significant digits. Division by zero is an
// error.
func (d Decimal) Quo(e Decimal) (Decimal, error) {
	r, err := d.d.Quo(e.d)
	return Decimal{r}, err
}

// Neg returns -d.
func (d Decimal) Neg() Decimal { return Decimal{d.d.Neg()} }

// Abs returns |d|.
func (d Decimal) Abs() Decimal { return Decimal{d.d.Abs()} }

// Sign returns -1, 0 or 1.
func (d Decimal) Sign() int { return d.d.Sign() }

// IsZero reports whether d is 0, at any scale.
func (d Decimal) IsZero() bool { return d.d.IsZero() }

// IsNeg reports whether d < 0.
func (d Decimal) IsNeg() bool { return d.d.IsNeg() }

// IsPos reports whether d > 0.
func (d Decimal) IsPos() bool { return d.d.IsPos() }

// Cmp compares numerically: -1 if d < e, 0 if equal (1.0 equals 1.00), 1 if d > e.
func (d Decimal) Cmp(e Decimal) int { return d.d.Cmp(e.d) }

// Equal reports whether d and e are numerically equal, ignoring scale.
func (d Decimal) Equal(e Decimal) bool { return d.d.Cmp(e.d) == 0 }

// Pad returns d with at least scale digits after the point (12.3 → 12.30). It
// never removes digits.
func (d Decimal) Pad(scale int) Decimal { return Decimal{d.d.Pad(scale)} }

// Trim removes trailing zeros down to scale (12.300 → 12.3 with scale 1).
func (d Decimal) Trim(scale int) Decimal { return Decimal{d.d.Trim(scale)} }

// Round rounds d to scale digits after the point using mode, and pads it so the
// result has exactly that scale. An unknown mode rounds half-up.
func (d Decimal) Round(scale int, mode RoundingMode) Decimal {
	if scale < 0 {
		scale = 0
	}
	if d.d.Scale() <= scale {
		return Decimal{d.d.Pad(scale)}
	}
	if mode == HalfEven {
		return Decimal{d.d.Round(scale).Pad(scale)}
	}
	// Half-up: truncate, then step away from zero if the dropped part is at least
	// half a step. All values here have fewer digits than d, so nothing overflows.
	t := d.d.Trunc(scale)
	rest, _ := d.d.Sub(t)
	half, _ := decimal.New(5, scale+1)
	if rest.Abs().Cmp(half) >= 0 {
		step, _ := decimal.New(1, scale)
		if d.d.IsNeg() {
			t, _ = t.Sub(step)
		} else {
			t, _ = t.Add(step)
		}
	}
	return Decimal{t.Pad(scale)}
}

// Int64 returns d as a count of 10^-scale units, rounding half-up: with scale 2,
// 12.345 gives 1235. ok is false if the result does not fit in an int64.
func (d Decimal) Int64(scale int) (units int64, ok bool) {
	if scale < 0 || scale > 18 {
		return 0, false
	}
	p := int64(1)
	for range scale {
		p *= 10
	}
	pow, _ := decimal.New(p, 0)
	r, err := d.Round(scale, HalfUp).d.Mul(pow)
	if err != nil {
		return 0, false
	}
	whole, _, ok := r.Int64(0)
	return whole, ok
}

// MarshalJSON writes the decimal as a JSON string.
func (d Decimal) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 24)
	b = append(b, '"')
	b, _ = d.d.AppendText(b)
	return append(b, '"'), nil
}

// UnmarshalJSON accepts a JSON string ("12.30") or a bare JSON number (12.30).
// null leaves d unchanged. On bad input d is left unchanged and the error is a
// *json.UnmarshalTypeError, so encoding/json names the offending field
// ("lines.unitPrice.amount") in its message.
func (d *Decimal) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	text, ok := jsonScalar(data)
	if !ok {
		return &json.UnmarshalTypeError{Value: describeJSON(data), Type: decimalType}
	}
	var p decimal.Decimal
	if err := p.UnmarshalText(text); err != nil {
		return &json.UnmarshalTypeError{Value: describeJSON(data), Type: decimalType}
	}
	d.d = p
	return nil
}

// MarshalText writes the decimal as text.
func (d Decimal) MarshalText() ([]byte, error) { return d.d.MarshalText() }

// UnmarshalText parses a decimal from text. On error d is left unchanged.
func (d *Decimal) UnmarshalText(text []byte) error {
	var p decimal.Decimal
	if err := p.UnmarshalText(text); err != nil {
		return fmt.Errorf("canonical: invalid decimal %q", truncate(text))
	}
	d.d = p
	return nil
}

var (
	decimalType = reflect.TypeFor[Decimal]()
	dateType    = reflect.TypeFor[Date]()
	moneyType   = reflect.TypeFor[Money]()
)

// jsonScalar returns the text of a JSON string (unescaped) or number. ok is
// false for any other JSON value.
func jsonScalar(data []byte) (text []byte, ok bool) {
	if len(data) == 0 {
		return nil, false
	}
	switch c := data[0]; {
	case c == '"':
		if len(data) < 2 || data[len(data)-1] != '"' {
			return nil, false
		}
		inner := data[1 : len(data)-1]
		if bytes.IndexByte(inner, '\\') >= 0 {
			var s string
			if err := json.Unmarshal(data, &s); err != nil {
				return nil, false
			}
			return []byte(s), true
		}
		return inner, true
	case c == '-' || (c >= '0' && c <= '9'):
		return data, true
	}
	return nil, false
}

// describeJSON describes a JSON value for an error message the way
// encoding/json does: `string "12,30"`, "number 1e999", "object".
func describeJSON(data []byte) string {
	if len(data) == 0 {
		return "empty value"
	}
	switch c := data[0]; {
	case c == '"':
		return "string " + string(truncate(data))
	case c == '-' || (c >= '0' && c <= '9'):
		return "number " + string(truncate(data))
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == 't' || c == 'f':
		return "bool"
	}
	return string(truncate(data))
}

// truncate shortens b for an error message.
func truncate(b []byte) []byte {
	const limit = 40
	if len(b) <= limit {
		return b
	}
	out := make([]byte, 0, limit+3)
	out = append(out, b[:limit]...)
	return append(out, "..."...)
}

// Value stores the decimal in a database as text, exactly.
func (d Decimal) Value() (driver.Value, error) { return d.d.String(), nil }

// Scan reads a decimal from a database column (text, numeric or integer).
func (d *Decimal) Scan(src any) error { return d.d.Scan(src) }
