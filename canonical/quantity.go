package canonical

import "fmt"

// UnitCode is a UN/ECE Recommendation 20 unit of measure code, such as "C62"
// (one), "H87" (piece), "KGM" (kilogram).
type UnitCode string

// Common Rec 20 codes. Any code in the table below is accepted; these constants
// name the ones connectors use most.
const (
	UnitOne      UnitCode = "C62"
	UnitPiece    UnitCode = "H87"
	UnitEach     UnitCode = "EA"
	UnitKilogram UnitCode = "KGM"
	UnitGram     UnitCode = "GRM"
	UnitMetre    UnitCode = "MTR"
	UnitLitre    UnitCode = "LTR"
	UnitHour     UnitCode = "HUR"
	UnitPair     UnitCode = "PR"
	UnitSet      UnitCode = "SET"
	UnitDozen    UnitCode = "DZN"
	UnitBox      UnitCode = "BX"
)

// rec20 holds the Rec 20 codes the model accepts: the trade units that appear in
// order-to-cash documents. Extend it when a connector meets a new one.
var rec20 = map[UnitCode]string{
	"C62": "one", "H87": "piece", "EA": "each", "KGM": "kilogram", "GRM": "gram",
	"MGM": "milligram", "TNE": "tonne", "LBR": "pound", "ONZ": "ounce",
	"MTR": "metre", "CMT": "centimetre", "MMT": "millimetre", "KMT": "kilometre",
	"INH": "inch", "FOT": "foot", "YRD": "yard", "MTK": "square metre", "MTQ": "cubic metre",
	"LTR": "litre", "MLT": "millilitre", "GLL": "US gallon",
	"HUR": "hour", "MIN": "minute", "DAY": "day", "WEE": "week", "MON": "month", "ANN": "year",
	"PR": "pair", "SET": "set", "DZN": "dozen", "BX": "box", "PK": "pack", "CT": "carton",
	"PA": "packet", "BG": "bag", "BO": "bottle", "CS": "case", "PF": "pallet (lift)",
	"RO": "roll", "TU": "tube", "KT": "kit", "XPP": "piece (package)", "LS": "lump sum",
}

// Valid reports whether u is a Rec 20 code the model accepts.
func (u UnitCode) Valid() bool {
	_, ok := rec20[u]
	return ok
}

// Name returns the unit's English name, or "" if unknown.
func (u UnitCode) Name() string { return rec20[u] }

// Quantity is an exact amount of a unit. JSON: {"value":"2","unit":"C62"}.
// A zero Quantity with no unit (Quantity{}) is the empty bucket: it is what an
// omitted field decodes to, and arithmetic treats it as zero in any unit.
// Validate requires a unit wherever a quantity is mandatory.
type Quantity struct {
	Value Decimal  `json:"value"`
	Unit  UnitCode `json:"unit" validate:"omitempty,unit"`
}

// UnitMismatchError reports arithmetic between two units.
type UnitMismatchError struct {
	Left, Right UnitCode
}

// Error names both units.
func (e *UnitMismatchError) Error() string {
	return fmt.Sprintf("canonical: unit mismatch: %s and %s", e.Left, e.Right)
}

// Qty returns a whole-number quantity of unit u, such as Qty(3, UnitOne).
func Qty(n int64, u UnitCode) Quantity { return Quantity{Value: DecimalFromInt(n), Unit: u} }

// String returns "3 C62".
func (q Quantity) String() string { return q.Value.String() + " " + string(q.Unit) }

// IsZero reports whether the value is zero.
func (q Quantity) IsZero() bool { return q.Value.IsZero() }

// unitOf lets a zero quantity with no unit take the other's unit, so sums and
// buckets can start from Quantity{}.
func unitOf(q, r Quantity) (UnitCode, error) {
	switch {
	case q.Unit == r.Unit:
		return q.Unit, nil
	case q.Unit == "" && q.Value.IsZero():
		return r.Unit, nil
	case r.Unit == "" && r.Value.IsZero():
		return q.Unit, nil
	}
	return "", &UnitMismatchError{Left: q.Unit, Right: r.Unit}
}

// Add returns q + r in the same unit.
func (q Quantity) Add(r Quantity) (Quantity, error) {
	u, err := unitOf(q, r)
	if err != nil {
		return Quantity{}, err
	}
	v, err := q.Value.Add(r.Value)
	return Quantity{Value: v, Unit: u}, err
}

// Sub returns q - r in the same unit.
func (q Quantity) Sub(r Quantity) (Quantity, error) {
	u, err := unitOf(q, r)
	if err != nil {
		return Quantity{}, err
	}
	v, err := q.Value.Sub(r.Value)
	return Quantity{Value: v, Unit: u}, err
}

// Cmp compares two quantities of the same unit.
func (q Quantity) Cmp(r Quantity) (int, error) {
	if _, err := unitOf(q, r); err != nil {
		return 0, err
	}
	return q.Value.Cmp(r.Value), nil
}
