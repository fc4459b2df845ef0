package mapping

import (
	"strings"
	"sync"

	"github.com/junctionhq/junction/canonical"
)

// NormalizeUnit returns the UN/ECE Recommendation 20 code for s: a code the
// canonical model accepts, in any case ("kgm"), or a common abbreviation or
// name ("kg", "pcs", "each", "box", "dozen", "ml", "lbs"). Anything else is a
// *ValueError with code CodeUnit.
func NormalizeUnit(s string) (canonical.UnitCode, error) {
	t := strings.TrimSpace(s)
	if u := canonical.UnitCode(strings.ToUpper(t)); u.Valid() {
		return u, nil
	}
	if u, ok := unitAliases[strings.ToLower(t)]; ok {
		return u, nil
	}
	if t == "" {
		return "", valueErr(CodeUnit, s, "unit is empty")
	}
	return "", valueErr(CodeUnit, s, "not a UN/ECE Rec 20 unit code or a known unit name")
}

// unitAliases maps lower-case unit names and abbreviations to Rec 20 codes.
// Read-only.
var unitAliases = map[string]canonical.UnitCode{
	"pc": "H87", "pcs": "H87", "piece": "H87", "pieces": "H87", "stk": "H87", "stück": "H87",
	"each": "EA", "unit": "C62", "units": "C62",
	"kg": "KGM", "kgs": "KGM", "kilo": "KGM", "kilogram": "KGM", "kilograms": "KGM",
	"g": "GRM", "gr": "GRM", "gram": "GRM", "grams": "GRM", "mg": "MGM",
	"t": "TNE", "tonne": "TNE", "tonnes": "TNE",
	"lb": "LBR", "lbs": "LBR", "pound": "LBR", "pounds": "LBR", "oz": "ONZ", "ounce": "ONZ", "ounces": "ONZ",
	"m": "MTR", "metre": "MTR", "meter": "MTR", "metres": "MTR", "meters": "MTR",
	"cm": "CMT", "mm": "MMT", "km": "KMT", "in": "INH", "inch": "INH", "inches": "INH",
	"ft": "FOT", "foot": "FOT", "feet": "FOT", "yd": "YRD", "yard": "YRD", "yards": "YRD",
	"l": "LTR", "ltr": "LTR", "litre": "LTR", "liter": "LTR", "litres": "LTR", "liters": "LTR",
	"ml": "MLT", "gal": "GLL", "gallon": "GLL", "m2": "MTK", "sqm": "MTK", "m3": "MTQ",
	"h": "HUR", "hr": "HUR", "hrs": "HUR", "hour": "HUR", "hours": "HUR", "minute": "MIN", "minutes": "MIN",
	"day": "DAY", "days": "DAY", "week": "WEE", "weeks": "WEE",
	"box": "BX", "boxes": "BX", "dozen": "DZN", "dz": "DZN", "pair": "PR", "pairs": "PR",
	"pack": "PK", "carton": "CT", "ctn": "CT", "case": "CS", "cases": "CS", "pallet": "PF",
	"roll": "RO", "bag": "BG", "bottle": "BO", "kit": "KT",
}

// EquivalentUnits reports whether a and b are the same unit. H87 (piece), EA
// (each) and C62 (one) are all "one" of something and so equivalent; any
// other code is only equivalent to itself.
func EquivalentUnits(a, b canonical.UnitCode) bool {
	return a == b || isOne(a) && isOne(b)
}

func isOne(u canonical.UnitCode) bool { return u == "C62" || u == "H87" || u == "EA" }

// dimension groups units that convert by a fixed factor.
type dimension uint8

const (
	dimCount  dimension = iota + 1 // base C62
	dimMass                        // base KGM
	dimLength                      // base MTR
	dimVolume                      // base LTR
	dimTime                        // base MIN
)

type fixedFactor struct {
	dim    dimension
	factor canonical.Decimal // how many base units one unit holds
}

// fixedFactors holds the exact, definition-based factors (1 lb is exactly
// 0.45359237 kg, 1 in exactly 0.0254 m, 1 US gal exactly 3.785411784 l). It is
// built once, on first use, and only read afterwards.
var fixedFactors = sync.OnceValue(func() map[canonical.UnitCode]fixedFactor {
	def := []struct {
		u   canonical.UnitCode
		dim dimension
		f   string
	}{
		{"C62", dimCount, "1"}, {"H87", dimCount, "1"}, {"EA", dimCount, "1"}, {"DZN", dimCount, "12"},
		{"KGM", dimMass, "1"}, {"GRM", dimMass, "0.001"}, {"MGM", dimMass, "0.000001"},
		{"TNE", dimMass, "1000"}, {"LBR", dimMass, "0.45359237"}, {"ONZ", dimMass, "0.028349523125"},
		{"MTR", dimLength, "1"}, {"CMT", dimLength, "0.01"}, {"MMT", dimLength, "0.001"},
		{"KMT", dimLength, "1000"}, {"INH", dimLength, "0.0254"}, {"FOT", dimLength, "0.3048"},
		{"YRD", dimLength, "0.9144"},
		{"LTR", dimVolume, "1"}, {"MLT", dimVolume, "0.001"}, {"MTQ", dimVolume, "1000"},
		{"GLL", dimVolume, "3.785411784"},
		{"MIN", dimTime, "1"}, {"HUR", dimTime, "60"}, {"DAY", dimTime, "1440"}, {"WEE", dimTime, "10080"},
	}
	m := make(map[canonical.UnitCode]fixedFactor, len(def))
	for _, d := range def {
		f, err := canonical.ParseDecimal(d.f)
		if err == nil { // the literals above are valid; a test checks every entry
			m[d.u] = fixedFactor{dim: d.dim, factor: f}
		}
	}
	return m
})

// ConvertQuantity converts q to the unit to. It knows the fixed factors of
// weight (MGM, GRM, KGM, TNE, LBR, ONZ), length (MMT, CMT, MTR, KMT, INH, FOT,
// YRD), volume (MLT, LTR, MTQ, GLL), time (MIN, HUR, DAY, WEE) and count (C62
// = H87 = EA, DZN = 12), all as exact decimals.
//
// conv are a product's alternative units whose base unit counts ones (C62,
// H87 or EA), as canonical.Product.Conversions usually are: with {BX, 12},
// 2 BX is 24 C62 and 3 BX is 3 DZN. A conversion in conv wins over a fixed
// factor for the same unit. For a product whose base unit is something else
// (sold by the kilogram), use ConvertForProduct.
//
// Multiplying is exact. A division that does not terminate (1 KGM in LBR, 5
// C62 in BX of 12) is rounded to 19 significant digits; check the result if
// the target needs whole units. Trailing zeros beyond q's own scale are
// dropped (1500 GRM is 1.5 KGM). Units with no conversion between them, an
// unknown unit and a factor that is not positive are *ValueError with code
// CodeUnit.
func ConvertQuantity(q canonical.Quantity, to canonical.UnitCode, conv ...canonical.UnitConversion) (canonical.Quantity, error) {
	return convert(q, to, canonical.UnitOne, conv)
}

// ConvertForProduct is ConvertQuantity with p's base unit and alternative
// units (p.BaseUnit and p.Conversions; an empty base unit means C62): for a
// product stocked in KGM with {BG, 25}, 2 BG is 50 KGM or 50000 GRM.
func ConvertForProduct(p canonical.Product, q canonical.Quantity, to canonical.UnitCode) (canonical.Quantity, error) {
	base := p.BaseUnit
	if base == "" {
		base = canonical.UnitOne
	}
	return convert(q, to, base, p.Conversions)
}

func convert(q canonical.Quantity, to, base canonical.UnitCode, conv []canonical.UnitConversion) (canonical.Quantity, error) {
	if EquivalentUnits(q.Unit, to) {
		return canonical.Quantity{Value: q.Value, Unit: to}, nil
	}
	fd, ff, err := unitFactor(q.Unit, base, conv)
	if err != nil {
		return canonical.Quantity{}, err
	}
	td, tf, err := unitFactor(to, base, conv)
	if err != nil {
		return canonical.Quantity{}, err
	}
	if fd != td {
		return canonical.Quantity{}, valueErr(CodeUnit, string(q.Unit),
			"no conversion from "+string(q.Unit)+" to "+string(to))
	}
	v, err := q.Value.Mul(ff)
	if err == nil && !tf.Equal(one) {
		v, err = v.Quo(tf)
	}
	if err != nil {
		return canonical.Quantity{}, valueErr(CodeUnit, q.String(), "converting to "+string(to)+": "+err.Error())
	}
	return canonical.Quantity{Value: v.Trim(q.Value.Scale()), Unit: to}, nil
}

var one = canonical.DecimalFromInt(1)

// unitFactor returns u's dimension and how many of that dimension's base
// unit one u holds. A product's own base unit that has no fixed factor (BO,
// a bottle) forms a dimension of its own, numbered above the fixed ones.
func unitFactor(u, base canonical.UnitCode, conv []canonical.UnitConversion) (dimension, canonical.Decimal, error) {
	fixed := fixedFactors()
	for _, c := range conv {
		if !EquivalentUnits(c.Unit, u) {
			continue
		}
		if !c.Factor.IsPos() {
			return 0, canonical.Decimal{}, valueErr(CodeUnit, string(u),
				"conversion factor for "+string(u)+" is "+c.Factor.String()+", want a positive number")
		}
		bf, ok := fixed[base]
		if !ok {
			return dimProduct, c.Factor, nil
		}
		f, err := c.Factor.Mul(bf.factor)
		if err != nil {
			return 0, canonical.Decimal{}, valueErr(CodeUnit, string(u), err.Error())
		}
		return bf.dim, f, nil
	}
	if f, ok := fixed[u]; ok {
		return f.dim, f.factor, nil
	}
	if u == base {
		return dimProduct, one, nil
	}
	if !u.Valid() {
		return 0, canonical.Decimal{}, valueErr(CodeUnit, string(u), "unknown unit "+quote(string(u)))
	}
	return 0, canonical.Decimal{}, valueErr(CodeUnit, string(u),
		"no conversion for "+string(u)+" (add it to the product's conversions)")
}

// dimProduct is the dimension of a product base unit without fixed factors.
const dimProduct dimension = 100
