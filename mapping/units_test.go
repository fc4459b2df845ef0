package mapping

import (
	"errors"
	"testing"

	"github.com/junctionhq/junction/canonical"
)

func qty(v string, u canonical.UnitCode) canonical.Quantity {
	return canonical.Quantity{Value: canonical.MustDecimal(v), Unit: u}
}

func TestFixedFactorsAreValid(t *testing.T) {
	// Every unit with a fixed factor is one the canonical model accepts, and
	// every literal parsed (a typo would drop the entry silently).
	const want = 25
	if n := len(fixedFactors()); n != want {
		t.Errorf("%d fixed factors, want %d: a literal failed to parse", n, want)
	}
	for u, f := range fixedFactors() {
		if !u.Valid() {
			t.Errorf("fixed factor for %q, which canonical does not accept", u)
		}
		if !f.factor.IsPos() {
			t.Errorf("factor for %s is %s", u, f.factor)
		}
	}
	for alias, u := range unitAliases {
		if !u.Valid() {
			t.Errorf("alias %q points at unknown unit %q", alias, u)
		}
	}
}

func TestNormalizeUnit(t *testing.T) {
	tests := []struct {
		in   string
		want canonical.UnitCode
	}{
		{"C62", "C62"}, {"kgm", "KGM"}, {" KG ", "KGM"}, {"pcs", "H87"}, {"Each", "EA"}, {"ea", "EA"},
		{"Box", "BX"}, {"dozen", "DZN"}, {"ml", "MLT"}, {"lbs", "LBR"}, {"Stück", "H87"}, {"min", "MIN"},
	}
	for _, tt := range tests {
		if got, err := NormalizeUnit(tt.in); err != nil || got != tt.want {
			t.Errorf("NormalizeUnit(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "BOX12", "furlong", "XYZ"} {
		var ve *ValueError
		if _, err := NormalizeUnit(bad); !errors.As(err, &ve) || ve.Code != CodeUnit {
			t.Errorf("NormalizeUnit(%q) = %v, want a unit ValueError", bad, err)
		}
	}
}

func TestConvertQuantity(t *testing.T) {
	box12 := canonical.UnitConversion{Unit: "BX", Factor: canonical.MustDecimal("12")}
	case6 := canonical.UnitConversion{Unit: "CS", Factor: canonical.MustDecimal("6")}
	tests := []struct {
		name string
		q    canonical.Quantity
		to   canonical.UnitCode
		conv []canonical.UnitConversion
		want string // "" means an error
	}{
		{"same unit keeps value and scale", qty("2.50", "KGM"), "KGM", nil, "2.50"},
		{"H87 is C62", qty("3", "H87"), "C62", nil, "3"},
		{"EA is H87", qty("3", "EA"), "H87", nil, "3"},
		{"DZN to C62", qty("2", "DZN"), "C62", nil, "24"},
		{"C62 to DZN", qty("18", "C62"), "DZN", nil, "1.5"},
		{"box to each", qty("2", "BX"), "EA", []canonical.UnitConversion{box12}, "24"},
		{"each to box", qty("36", "H87"), "BX", []canonical.UnitConversion{box12}, "3"},
		{"box to dozen", qty("3", "BX"), "DZN", []canonical.UnitConversion{box12}, "3"},
		{"box to case through the base", qty("1", "BX"), "CS", []canonical.UnitConversion{box12, case6}, "2"},
		{"part of a box", qty("5", "C62"), "BX", []canonical.UnitConversion{box12}, "0.4166666666666666667"},
		{"box without conversion", qty("1", "BX"), "C62", nil, ""},
		{"g to kg drops extra zeros", qty("1500", "GRM"), "KGM", nil, "1.5"},
		{"kg to g", qty("1.25", "KGM"), "GRM", nil, "1250"},
		{"mg to g", qty("250", "MGM"), "GRM", nil, "0.25"},
		{"t to kg keeps the input scale", qty("0.5", "TNE"), "KGM", nil, "500.0"},
		{"lb to kg is exact", qty("1", "LBR"), "KGM", nil, "0.45359237"},
		{"16 oz is 1 lb exactly", qty("16", "ONZ"), "LBR", nil, "1"},
		{"cm to m", qty("250", "CMT"), "MTR", nil, "2.5"},
		{"m to mm", qty("1.2", "MTR"), "MMT", nil, "1200"},
		{"12 in is 1 ft", qty("12", "INH"), "FOT", nil, "1"},
		{"ml to l", qty("750", "MLT"), "LTR", nil, "0.75"},
		{"hours to minutes", qty("1.5", "HUR"), "MIN", nil, "90.0"},
		{"weight is not length", qty("1", "KGM"), "MTR", nil, ""},
		{"count is not weight", qty("1", "C62"), "KGM", nil, ""},
		{"unknown unit", qty("1", "ZZZ"), "C62", nil, ""},
		{"zero factor", qty("1", "BX"), "C62", []canonical.UnitConversion{{Unit: "BX"}}, ""},
		{"product conversion wins over fixed factor", qty("2", "KGM"), "C62", []canonical.UnitConversion{{Unit: "KGM", Factor: canonical.MustDecimal("4")}}, "8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ConvertQuantity(tt.q, tt.to, tt.conv...)
			if tt.want == "" {
				var ve *ValueError
				if !errors.As(err, &ve) || ve.Code != CodeUnit {
					t.Fatalf("ConvertQuantity = %v, %v; want a unit ValueError", got, err)
				}
				return
			}
			if err != nil || got.Unit != tt.to || got.Value.String() != tt.want {
				t.Fatalf("ConvertQuantity(%v → %s) = %v, %v; want %s %s", tt.q, tt.to, got, err, tt.want, tt.to)
			}
		})
	}
}

func TestConvertRoundTrip(t *testing.T) {
	// Converting there and back gives the same number for every pair of units
	// in a dimension whose factors divide exactly.
	units := map[string][]canonical.UnitCode{
		"mass":   {"MGM", "GRM", "KGM", "TNE", "LBR", "ONZ"},
		"length": {"MMT", "CMT", "MTR", "KMT", "INH", "FOT", "YRD"},
		"volume": {"MLT", "LTR", "MTQ"},
	}
	for dim, us := range units {
		for _, a := range us {
			for _, b := range us {
				q := qty("3", a)
				there, err := ConvertQuantity(q, b)
				if err != nil {
					t.Fatalf("%s: %s → %s: %v", dim, a, b, err)
				}
				back, err := ConvertQuantity(there, a)
				if err != nil {
					t.Fatalf("%s: %s → %s: %v", dim, b, a, err)
				}
				// A non-terminating division rounds to 19 digits; allow the last.
				diff, _ := back.Value.Sub(q.Value)
				if diff.Abs().Cmp(canonical.MustDecimal("0.000000000001")) > 0 {
					t.Errorf("%s: 3 %s → %s → %s = %s", dim, a, b, a, back)
				}
			}
		}
	}
}

func TestConvertForProduct(t *testing.T) {
	flour := canonical.Product{SKU: "FLOUR", BaseUnit: "KGM", Conversions: []canonical.UnitConversion{
		{Unit: "BG", Factor: canonical.MustDecimal("25")},
	}}
	wine := canonical.Product{SKU: "WINE", BaseUnit: "BO", Conversions: []canonical.UnitConversion{
		{Unit: "CS", Factor: canonical.MustDecimal("6")},
	}}
	socks := canonical.Product{SKU: "SOCKS", Conversions: []canonical.UnitConversion{
		{Unit: "PK", Factor: canonical.MustDecimal("3")},
	}}
	tests := []struct {
		p    canonical.Product
		q    canonical.Quantity
		to   canonical.UnitCode
		want string
	}{
		{flour, qty("2", "BG"), "KGM", "50"},
		{flour, qty("2", "BG"), "GRM", "50000"},
		{flour, qty("100", "LBR"), "BG", "1.81436948"},
		{wine, qty("2", "CS"), "BO", "12"},
		{wine, qty("18", "BO"), "CS", "3"},
		{wine, qty("1", "CS"), "C62", ""}, // a bottle is not a C62 without a conversion
		{socks, qty("2", "PK"), "H87", "6"},
	}
	for _, tt := range tests {
		got, err := ConvertForProduct(tt.p, tt.q, tt.to)
		if tt.want == "" {
			if err == nil {
				t.Errorf("%s: %v → %s = %v, want an error", tt.p.SKU, tt.q, tt.to, got)
			}
			continue
		}
		if err != nil || got.Value.String() != tt.want {
			t.Errorf("%s: %v → %s = %v, %v; want %s", tt.p.SKU, tt.q, tt.to, got, err, tt.want)
		}
	}
}
