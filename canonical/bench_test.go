package canonical

import (
	"encoding/json"
	"testing"
)

func BenchmarkValidateOrder20(b *testing.B) {
	o := bigOrder(b, 20)
	if err := o.Validate(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := o.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateOrder20Invalid(b *testing.B) {
	o := bigOrder(b, 20)
	o.Lines[3].SKU = "bad sku"
	o.Lines[7].Shipped = qty("99", UnitPiece)
	o.Totals.Payable = eur("1.00")
	b.ReportAllocs()
	for b.Loop() {
		if err := o.Validate(); err == nil {
			b.Fatal("want errors")
		}
	}
}

func BenchmarkMoneyAdd(b *testing.B) {
	m, n := eur("1234.56"), eur("0.99")
	b.ReportAllocs()
	for b.Loop() {
		r, err := m.Add(n)
		if err != nil {
			b.Fatal(err)
		}
		m = r.Neg() // keep the value bounded and the work live
	}
}

func BenchmarkMoneyMul(b *testing.B) {
	m, f := eur("19.99"), dec("1.5")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Mul(f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMoneyRound(b *testing.B) {
	for _, mode := range []RoundingMode{HalfUp, HalfEven} {
		b.Run(string(mode), func(b *testing.B) {
			m := eur("29.985")
			b.ReportAllocs()
			for b.Loop() {
				if r := m.Round(mode); r.Amount.Scale() != 2 {
					b.Fatal(r)
				}
			}
		})
	}
}

func BenchmarkMoneyAllocate(b *testing.B) {
	m := eur("10.00")
	w := []Decimal{dec("25.00"), dec("7.99"), dec("14.50"), dec("3.20"), dec("99.99")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Allocate(w...); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONEncodeOrder20(b *testing.B) {
	o := bigOrder(b, 20)
	data, _ := json.Marshal(o)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJSONDecodeOrder20(b *testing.B) {
	data, err := json.Marshal(bigOrder(b, 20))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var o SalesOrder
		if err := json.Unmarshal(data, &o); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMoneyArithmeticDoesNotAllocate pins the zero-allocation property the
// benchmarks report.
func TestMoneyArithmeticDoesNotAllocate(t *testing.T) {
	m, n, f, tie := eur("1234.56"), eur("0.99"), dec("1.5"), eur("29.985")
	var sink Money
	for name, fn := range map[string]func(){
		"Add":            func() { sink, _ = m.Add(n) },
		"Sub":            func() { sink, _ = m.Sub(n) },
		"Mul":            func() { sink, _ = m.Mul(f) },
		"Round HalfUp":   func() { sink = tie.Round(HalfUp) },
		"Round HalfEven": func() { sink = m.Round(HalfEven) },
		"Cmp":            func() { _, _ = m.Cmp(n) },
	} {
		if allocs := testing.AllocsPerRun(100, fn); allocs != 0 {
			t.Errorf("%s allocates %v times per call", name, allocs)
		}
	}
	_ = sink
}
