package mapping_test

import (
	"fmt"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/mapping"
)

func BenchmarkTableLookup(b *testing.B) {
	m := make(map[string]string, 500)
	for i := range 500 {
		m[fmt.Sprintf("SKU-%04d", i)] = fmt.Sprintf("%06d", 100000+i)
	}
	t := mapping.NewTable("sku shop→erp", m)
	b.Run("hit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := t.Lookup("SKU-0250"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("miss-default", func(b *testing.B) {
		d := t.WithDefault("UNKNOWN")
		b.ReportAllocs()
		for b.Loop() {
			if v, _ := d.Lookup("SKU-9999"); v != "UNKNOWN" {
				b.Fatal(v)
			}
		}
	})
}

// orderMapper is a realistic shop → ERP order mapping: SKUs through a table,
// some SKUs sold by the box in the ERP, statuses, currency and countries
// normalised, every problem collected.
type orderMapper struct {
	skus     *mapping.Table[string, string]
	statuses *mapping.Table[canonical.OrderStatus, canonical.OrderStatus]
	boxes    map[string][]canonical.UnitConversion // ERP SKU → its box size
}

func (m *orderMapper) mapOrder(src canonical.SalesOrder) (canonical.SalesOrder, error) {
	errs := mapping.Errors{System: "shopify", Entity: "SalesOrder", Key: src.Number}
	out := src
	out.Status = m.statuses.Map(&errs, "status", src.Status)
	cur, err := mapping.NormalizeCurrency(string(src.Currency))
	if err := errs.Collect("currency", err); err != nil {
		return out, err
	}
	out.Currency = cur
	for _, a := range []struct {
		path string
		addr *canonical.Address
	}{{"shipTo", &out.ShipTo}, {"billTo", &out.BillTo}} {
		c, err := mapping.NormalizeCountry(a.addr.Country)
		_ = errs.Collect(a.path+".country", err)
		a.addr.Country = c
	}
	out.Lines = make([]canonical.SalesOrderLine, len(src.Lines))
	for i, l := range src.Lines {
		nl := l
		sku, err := m.skus.Lookup(l.SKU)
		if err != nil {
			_ = errs.Collect(mapping.Path("lines", i, "sku"), err)
		}
		nl.SKU = sku
		if conv, ok := m.boxes[sku]; ok {
			q, err := mapping.ConvertQuantity(l.Ordered, "BX", conv...)
			if err != nil {
				_ = errs.Collect(mapping.Path("lines", i, "ordered"), err)
			}
			nl.Ordered = q
		} else {
			nl.Ordered.Unit = canonical.UnitPiece
		}
		out.Lines[i] = nl
	}
	return out, errs.Err()
}

func benchOrder(lines int) (*orderMapper, canonical.SalesOrder) {
	skus := make(map[string]string)
	boxes := make(map[string][]canonical.UnitConversion)
	src := canonical.SalesOrder{
		Number: "1001", Currency: "eur", Status: canonical.OrderSubmitted,
		ShipTo: canonical.Address{City: "London", Country: "United Kingdom"},
		BillTo: canonical.Address{City: "Berlin", Country: "Deutschland"},
	}
	for i := range lines {
		shop, erp := fmt.Sprintf("TS-%02d", i), fmt.Sprintf("1000%02d", i)
		skus[shop] = erp
		if i%3 == 0 {
			boxes[erp] = []canonical.UnitConversion{{Unit: "BX", Factor: canonical.MustDecimal("12")}}
		}
		src.Lines = append(src.Lines, canonical.SalesOrderLine{
			LineID: fmt.Sprint(i + 1), SKU: shop, Ordered: canonical.Qty(24, canonical.UnitEach),
			UnitPrice: canonical.MustMoney("9.95", "EUR"),
		})
	}
	m := &orderMapper{
		skus: mapping.NewTable("sku shop→erp", skus),
		statuses: mapping.NewTable("status shop→erp", map[canonical.OrderStatus]canonical.OrderStatus{
			canonical.OrderSubmitted: canonical.OrderAccepted,
		}),
		boxes: boxes,
	}
	return m, src
}

func BenchmarkMapOrder20Lines(b *testing.B) {
	m, src := benchOrder(20)
	if out, err := m.mapOrder(src); err != nil || out.Lines[0].Ordered.String() != "2 BX" || out.ShipTo.Country != "GB" {
		b.Fatalf("mapping is wrong: %v %v", out.Lines[0].Ordered, err)
	}
	b.Run("clean", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.mapOrder(src); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Every line's SKU unknown: the cost of reporting 20 problems.
	bad := src
	bad.Lines = make([]canonical.SalesOrderLine, len(src.Lines))
	for i, l := range src.Lines {
		l.SKU = "GONE-" + l.SKU
		bad.Lines[i] = l
	}
	b.Run("20-problems", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.mapOrder(bad); err == nil {
				b.Fatal("no error")
			}
		}
	})
}

func BenchmarkNormalizeCountry(b *testing.B) {
	for _, in := range []string{"GB", "The Netherlands"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := mapping.NormalizeCountry(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkE164(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mapping.E164("+44 (0)20 7946 0958", "GB"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDiff20Lines(b *testing.B) {
	m, src := benchOrder(20)
	before, _ := m.mapOrder(src)
	after, _ := m.mapOrder(src)
	after.Lines[6].Ordered = canonical.Qty(5, "BX")
	b.ReportAllocs()
	for b.Loop() {
		if len(mapping.Diff(before, after)) != 1 {
			b.Fatal("want one change")
		}
	}
}
