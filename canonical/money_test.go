package canonical

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestDecimalRound(t *testing.T) {
	tests := []struct {
		in     string
		scale  int
		halfUp string
		even   string
	}{
		{"2.345", 2, "2.35", "2.34"}, // tie: away from zero vs to even
		{"2.355", 2, "2.36", "2.36"}, // tie, even neighbour is up
		{"-2.345", 2, "-2.35", "-2.34"},
		{"-2.355", 2, "-2.36", "-2.36"},
		{"0.5", 0, "1", "0"},
		{"1.5", 0, "2", "2"},
		{"2.5", 0, "3", "2"},
		{"-0.5", 0, "-1", "0"},
		{"-1.5", 0, "-2", "-2"},
		{"1.005", 2, "1.01", "1.00"},
		{"2.3449", 2, "2.34", "2.34"}, // below the tie
		{"2.3451", 2, "2.35", "2.35"}, // above the tie
		{"-2.3451", 2, "-2.35", "-2.35"},
		{"12.3", 2, "12.30", "12.30"}, // pads to the scale
		{"7", 3, "7.000", "7.000"},
		{"0.0049", 2, "0.00", "0.00"},
		{"999.995", 2, "1000.00", "1000.00"},
		{"0.1234567890123456789", 18, "0.123456789012345679", "0.123456789012345679"},
		{"5.5", -1, "6", "6"}, // negative scale means 0
	}
	for _, tt := range tests {
		d := dec(tt.in)
		if got := d.Round(tt.scale, HalfUp).String(); got != tt.halfUp {
			t.Errorf("Round(%s, %d, HalfUp) = %s, want %s", tt.in, tt.scale, got, tt.halfUp)
		}
		if got := d.Round(tt.scale, HalfEven).String(); got != tt.even {
			t.Errorf("Round(%s, %d, HalfEven) = %s, want %s", tt.in, tt.scale, got, tt.even)
		}
		if got := d.Round(tt.scale, "unknown").String(); got != tt.halfUp {
			t.Errorf("Round(%s, %d, unknown mode) = %s, want half-up %s", tt.in, tt.scale, got, tt.halfUp)
		}
	}
}

func TestMoneyRound(t *testing.T) {
	tests := []struct {
		m    Money
		mode RoundingMode
		want string
	}{
		{MustMoney("10.125", "EUR"), HalfUp, "10.13 EUR"},
		{MustMoney("10.125", "EUR"), HalfEven, "10.12 EUR"},
		{MustMoney("1500.5", "JPY"), HalfUp, "1501 JPY"},
		{MustMoney("1500.5", "JPY"), HalfEven, "1500 JPY"},
		{MustMoney("1.2345", "KWD"), HalfUp, "1.235 KWD"},
		{MustMoney("1.2345", "KWD"), HalfEven, "1.234 KWD"},
		{MustMoney("-0.125", "USD"), HalfUp, "-0.13 USD"},
		{MustMoney("3", "EUR"), HalfUp, "3.00 EUR"},
		{MustMoney("1.005", "XTS"), HalfUp, "1.01 XTS"}, // unknown currency: two digits
	}
	for _, tt := range tests {
		if got := tt.m.Round(tt.mode).String(); got != tt.want {
			t.Errorf("%s.Round(%s) = %s, want %s", tt.m, tt.mode, got, tt.want)
		}
	}
}

func TestMoneyArithmetic(t *testing.T) {
	a, b := eur("10.10"), eur("0.95")
	tests := []struct {
		name string
		op   func() (Money, error)
		want string
	}{
		{"add", func() (Money, error) { return a.Add(b) }, "11.05 EUR"},
		{"sub", func() (Money, error) { return a.Sub(b) }, "9.15 EUR"},
		{"sub to negative", func() (Money, error) { return b.Sub(a) }, "-9.15 EUR"},
		{"mul keeps precision", func() (Money, error) { return b.Mul(dec("1.5")) }, "1.425 EUR"},
		{"empty plus amount", func() (Money, error) { return Money{}.Add(a) }, "10.10 EUR"},
		{"amount plus empty", func() (Money, error) { return a.Add(Money{}) }, "10.10 EUR"},
		{"amount minus empty", func() (Money, error) { return a.Sub(Money{}) }, "10.10 EUR"},
		{"empty minus amount", func() (Money, error) { return Money{}.Sub(a) }, "-10.10 EUR"},
		{"zero keeps currency", func() (Money, error) { return Zero("JPY").Add(MustMoney("5", "JPY")) }, "5 JPY"},
		{"neg", func() (Money, error) { return a.Neg(), nil }, "-10.10 EUR"},
	}
	for _, tt := range tests {
		got, err := tt.op()
		if err != nil || got.String() != tt.want {
			t.Errorf("%s = %v, %v; want %s", tt.name, got, err, tt.want)
		}
	}
	if c, err := a.Cmp(b); err != nil || c != 1 {
		t.Errorf("Cmp = %d, %v", c, err)
	}
	if c, err := (Money{}).Cmp(eur("0.00")); err != nil || c != 0 {
		t.Errorf("Money{}.Cmp(0.00 EUR) = %d, %v", c, err)
	}
	if !eur("12.3").Equal(eur("12.30")) || eur("1").Equal(MustMoney("1", "USD")) {
		t.Error("Equal must compare numerically within one currency")
	}
}

func TestCurrencyMismatch(t *testing.T) {
	e, u := eur("1.00"), MustMoney("1.00", "USD")
	ops := map[string]func() error{
		"Add": func() error { _, err := e.Add(u); return err },
		"Sub": func() error { _, err := e.Sub(u); return err },
		"Cmp": func() error { _, err := e.Cmp(u); return err },
		// A zero with a currency is a real amount in that currency.
		"Add zero USD": func() error { _, err := e.Add(MustMoney("0", "USD")); return err },
	}
	for name, op := range ops {
		err := op()
		var cm *CurrencyMismatchError
		if !errors.As(err, &cm) {
			t.Errorf("%s: error %v, want *CurrencyMismatchError", name, err)
			continue
		}
		if cm.Left != "EUR" || cm.Right != "USD" || !strings.Contains(err.Error(), "EUR") || !strings.Contains(err.Error(), "USD") {
			t.Errorf("%s: %+v / %q", name, cm, err)
		}
	}
}

func TestMinorUnits(t *testing.T) {
	tests := []struct {
		m     Money
		units int64
		fails bool
	}{
		{MustMoney("12.30", "EUR"), 1230, false},
		{MustMoney("12.3", "EUR"), 1230, false},
		{MustMoney("1500", "JPY"), 1500, false},
		{MustMoney("1.234", "KWD"), 1234, false},
		{MustMoney("12.345", "EUR"), 1235, false}, // half-up
		{MustMoney("-12.345", "EUR"), -1235, false},
		{MustMoney("0", "EUR"), 0, false},
		{MustMoney("92233720368547758.07", "EUR"), 9223372036854775807, false},
		{MustMoney("92233720368547758.08", "EUR"), 0, true}, // overflows int64
		{MustMoney("1.00", "XTS"), 0, true},                 // unknown currency
	}
	for _, tt := range tests {
		got, err := tt.m.MinorUnits()
		if tt.fails {
			if err == nil {
				t.Errorf("%s.MinorUnits() = %d, want an error", tt.m, got)
			}
			continue
		}
		if err != nil || got != tt.units {
			t.Errorf("%s.MinorUnits() = %d, %v; want %d", tt.m, got, err, tt.units)
		}
		if tt.m.Amount.Scale() > 2 && tt.m.Currency == "EUR" {
			continue // rounded: not a round trip
		}
		back, err := FromMinorUnits(got, tt.m.Currency)
		if err != nil || !back.Equal(tt.m) {
			t.Errorf("FromMinorUnits(%d, %s) = %v, %v; want %s", got, tt.m.Currency, back, err, tt.m)
		}
	}
	if m, err := FromMinorUnits(1230, "EUR"); err != nil || m.Amount.String() != "12.30" {
		t.Errorf("FromMinorUnits(1230, EUR) = %v, %v; want 12.30 with its scale", m, err)
	}
	if m, err := FromMinorUnits(-5, "KWD"); err != nil || m.Amount.String() != "-0.005" {
		t.Errorf("FromMinorUnits(-5, KWD) = %v, %v", m, err)
	}
	if _, err := FromMinorUnits(1, "XTS"); err == nil {
		t.Error("FromMinorUnits with an unknown currency must fail")
	}
}

func TestAllocate(t *testing.T) {
	w := func(ss ...string) []Decimal {
		out := make([]Decimal, len(ss))
		for i, s := range ss {
			out[i] = dec(s)
		}
		return out
	}
	tests := []struct {
		name    string
		m       Money
		weights []Decimal
		want    string // parts joined by " "
	}{
		{"thirds", eur("100.00"), w("1", "1", "1"), "33.34 33.33 33.33"},
		{"negative thirds", eur("-100.00"), w("1", "1", "1"), "-33.34 -33.33 -33.33"},
		{"zero weight gets nothing", eur("10.00"), w("1", "0", "1"), "5.00 0.00 5.00"},
		{"leading zero weight", eur("0.03"), w("0", "1", "1"), "0.00 0.02 0.01"},
		{"yen", MustMoney("1000", "JPY"), w("1", "1", "1"), "334 333 333"},
		{"dinar", MustMoney("1.000", "KWD"), w("1", "1", "1"), "0.334 0.333 0.333"},
		{"cents fewer than parts", eur("0.05"), w("1", "1", "1", "1", "1", "1"), "0.01 0.01 0.01 0.01 0.01 0.00"},
		{"ties go to the earliest", eur("0.01"), w("1", "1"), "0.01 0.00"},
		{"largest remainder wins", eur("5.00"), w("53.97", "17.00", "37.35"), "2.49 0.79 1.72"},
		{"mixed weight scales", eur("10.00"), w("0.5", "1.25", "3"), "1.05 2.63 6.32"},
		{"single weight", eur("7.77"), w("42"), "7.77"},
		{"zero amount", eur("0.00"), w("1", "2"), "0.00 0.00"},
		{"amount finer than the currency", eur("10.005"), w("1", "1"), "5.003 5.002"},
		{"unknown currency splits in hundredths", MustMoney("1", "XTS"), w("1", "2"), "0.33 0.67"},
		{"huge weights", eur("1.00"), w("9999999999999999999", "1"), "1.00 0.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, err := tt.m.Allocate(tt.weights...)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(parts))
			var total Money
			for i, p := range parts {
				got[i] = p.Amount.String()
				if p.Currency != tt.m.Currency {
					t.Errorf("part %d currency %s", i, p.Currency)
				}
				if total, err = total.Add(p); err != nil {
					t.Fatal(err)
				}
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("Allocate = %s, want %s", g, tt.want)
			}
			if !total.Amount.Equal(tt.m.Amount) {
				t.Errorf("parts add up to %s, want %s", total, tt.m)
			}
		})
	}
}

func TestAllocateErrors(t *testing.T) {
	tests := map[string][]Decimal{
		"no weights":      nil,
		"zero sum":        {dec("0"), dec("0")},
		"negative weight": {dec("1"), dec("-1"), dec("2")},
	}
	for name, weights := range tests {
		if parts, err := eur("10.00").Allocate(weights...); err == nil {
			t.Errorf("%s: Allocate = %v, want an error", name, parts)
		}
	}
	if _, err := MustMoney("99999999999999999.99", "EUR").Allocate(dec("1")); err == nil {
		t.Error("an amount beyond int64 minor units must fail, not wrap")
	}
}

// TestAllocateProperties checks on random inputs that the parts always add up
// exactly, carry the currency's scale and sign, give nothing to a zero weight,
// and stay within one minor unit of the exact proportional share.
func TestAllocateProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 3))
	currencies := []CurrencyCode{"EUR", "JPY", "KWD", "USD"}
	for iter := range 3000 {
		cur := currencies[rng.IntN(len(currencies))]
		digits, _ := cur.MinorUnits()
		units := rng.Int64N(2_000_000_001) - 1_000_000_000
		m, err := FromMinorUnits(units, cur)
		if err != nil {
			t.Fatal(err)
		}
		weights := make([]Decimal, 1+rng.IntN(12))
		for i := range weights {
			if rng.IntN(5) == 0 {
				continue // a zero weight
			}
			weights[i], _ = NewDecimal(rng.Int64N(1_000_000), rng.IntN(5))
		}
		weights[rng.IntN(len(weights))], _ = NewDecimal(1+rng.Int64N(1000), rng.IntN(3))
		parts, err := m.Allocate(weights...)
		if err != nil {
			t.Fatalf("iter %d: Allocate(%s, %v): %v", iter, m, weights, err)
		}
		if len(parts) != len(weights) {
			t.Fatalf("iter %d: %d parts for %d weights", iter, len(parts), len(weights))
		}
		total := new(big.Rat)
		for _, w := range weights {
			total.Add(total, rat(w))
		}
		var sum Money
		for i, p := range parts {
			if p.Currency != cur || p.Amount.Scale() != digits {
				t.Fatalf("iter %d: part %s has the wrong currency or scale", iter, p)
			}
			if weights[i].IsZero() && !p.IsZero() {
				t.Fatalf("iter %d: zero weight got %s", iter, p)
			}
			if p.Amount.Sign()*int(sign(units)) < 0 {
				t.Fatalf("iter %d: part %s has the wrong sign for %s", iter, p, m)
			}
			// |part − m × w / Σw| < one minor unit.
			exact := new(big.Rat).Mul(rat(m.Amount), rat(weights[i]))
			exact.Quo(exact, total)
			gap := new(big.Rat).Sub(rat(p.Amount), exact)
			unit := new(big.Rat).SetFrac64(1, pow10(digits))
			if gap.Abs(gap).Cmp(unit) >= 0 {
				t.Fatalf("iter %d: part %s is %s away from the exact share %s", iter, p, gap.FloatString(6), exact.FloatString(6))
			}
			if sum, err = sum.Add(p); err != nil {
				t.Fatal(err)
			}
		}
		if !sum.Amount.Equal(m.Amount) {
			t.Fatalf("iter %d: parts of %s over %v add up to %s", iter, m, weights, sum)
		}
	}
}

func rat(d Decimal) *big.Rat {
	r, ok := new(big.Rat).SetString(d.String())
	if !ok {
		panic("bad decimal " + d.String())
	}
	return r
}

func sign(i int64) int64 {
	switch {
	case i < 0:
		return -1
	case i > 0:
		return 1
	}
	return 0
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

func TestMoneyJSON(t *testing.T) {
	b, err := json.Marshal(eur("12.30"))
	if err != nil || string(b) != `{"amount":"12.30","currency":"EUR"}` {
		t.Errorf("Marshal = %s, %v", b, err)
	}
	tests := []struct {
		in   string
		want string // Amount.String() and currency
	}{
		{`{"amount":"12.30","currency":"EUR"}`, "12.30 EUR"},
		{`{"amount":12.30,"currency":"EUR"}`, "12.30 EUR"}, // bare number keeps its scale
		{`{"amount":"-0.005","currency":"KWD"}`, "-0.005 KWD"},
		{`{"amount":"1e3","currency":"JPY"}`, "1000 JPY"},
		{`{"amount":"\u0031\u0032.5","currency":"EUR"}`, "12.5 EUR"}, // escaped digits
		{`{"currency":"EUR"}`, "0 EUR"},
		{`{"amount":null,"currency":"EUR"}`, "0 EUR"},
		{`{"amount":"7","currency":"EUR","extra":{"x":[1,2]}}`, "7 EUR"},
	}
	for _, tt := range tests {
		var m Money
		if err := json.Unmarshal([]byte(tt.in), &m); err != nil || m.String() != tt.want {
			t.Errorf("Unmarshal(%s) = %v, %v; want %s", tt.in, m, err, tt.want)
		}
	}
	// null leaves the value alone, like encoding/json does for structs.
	m := eur("1.00")
	if err := json.Unmarshal([]byte(`null`), &m); err != nil || m.String() != "1.00 EUR" {
		t.Errorf("Unmarshal(null) changed the value to %v, %v", m, err)
	}
}

func TestDecodeErrorsNameTheField(t *testing.T) {
	tests := []struct {
		name  string
		into  any
		input string
		field string
	}{
		{"bad amount string", &SalesOrder{}, `{"lines":[{"unitPrice":{"amount":"12,30","currency":"EUR"}}]}`, "lines.unitPrice.amount"},
		{"amount as object", &SalesOrder{}, `{"totals":{"payable":{"amount":{},"currency":"EUR"}}}`, "totals.payable.amount"},
		{"money as string", &SalesOrder{}, `{"lines":[{"net":"12.30"}]}`, "lines.net"},
		{"currency as number", &SalesOrder{}, `{"lines":[{"net":{"amount":"1","currency":978}}]}`, "lines.net.currency"},
		{"quantity value", &SalesOrder{}, `{"lines":[{"ordered":{"value":"two","unit":"C62"}}]}`, "lines.ordered.value"},
		{"amount overflow", &Invoice{}, `{"paid":{"amount":"1e400","currency":"EUR"}}`, "paid.amount"},
		{"bad date", &Invoice{}, `{"dueDate":"2026-02-30"}`, "dueDate"},
		{"date as number", &Payment{}, `{"receivedOn":20260316}`, "receivedOn"},
		{"string as number", &Shipment{}, `{"number":42}`, "number"},
		{"rate", &CreditNote{}, `{"taxes":[{"rate":true}]}`, "taxes.rate"},
		{"factor", &Product{}, `{"conversions":[{"unit":"BX","factor":"a dozen"}]}`, "conversions.factor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := json.Unmarshal([]byte(tt.input), tt.into)
			var te *json.UnmarshalTypeError
			if !errors.As(err, &te) {
				t.Fatalf("Unmarshal error %v (%T), want *json.UnmarshalTypeError", err, err)
			}
			if te.Field != tt.field || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error names field %q (%v), want %q", te.Field, err, tt.field)
			}
		})
	}
}

func TestDecimalJSON(t *testing.T) {
	for _, s := range []string{"0", "12.30", "-0.005", "1234567890123456789", "0.0000000000000000001"} {
		b, err := json.Marshal(dec(s))
		if err != nil || string(b) != `"`+s+`"` {
			t.Errorf("Marshal(%s) = %s, %v", s, b, err)
		}
		var d Decimal
		if err := json.Unmarshal(b, &d); err != nil || d.String() != s {
			t.Errorf("Unmarshal(%s) = %s, %v", b, d, err)
		}
	}
	keep := dec("5")
	for _, bad := range []string{`""`, `"abc"`, `"1.2.3"`, `"12 "`, `true`, `[]`, `{}`, `"1e400"`, `"12345678901234567890"`} {
		d := keep
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("Unmarshal(%s) = %s, want an error", bad, d)
		}
		if !d.Equal(keep) || d.Scale() != 0 {
			t.Errorf("Unmarshal(%s) changed the value to %s", bad, d)
		}
	}
	if err := keep.UnmarshalText([]byte("x")); err == nil || keep.String() != "5" {
		t.Errorf("UnmarshalText(x) = %v and left %s", err, keep)
	}
}

func ExampleMoney_Round() {
	price := MustMoney("10.125", "EUR")
	fmt.Println(price.Round(HalfUp), price.Round(HalfEven))
	// Output: 10.13 EUR 10.12 EUR
}
