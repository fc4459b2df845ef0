package mapping

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/junctionhq/junction/canonical"
)

func testOrder() canonical.SalesOrder {
	return canonical.SalesOrder{
		Meta:     canonical.Meta{ID: "so-1", Refs: []canonical.ExternalRef{{System: "shopify", ID: "1001", Version: "3"}}},
		Number:   "1001",
		Currency: "EUR",
		Status:   canonical.OrderSubmitted,
		ShipTo:   canonical.Address{City: "Berlin", Country: "DE"},
		Lines: []canonical.SalesOrderLine{
			{LineID: "1", SKU: "A", Ordered: qty("1", "C62"), UnitPrice: canonical.MustMoney("10.00", "EUR"),
				Discounts: []canonical.AllowanceCharge{{Code: "PROMO", Amount: canonical.MustMoney("1.00", "EUR")}}},
			{LineID: "2", SKU: "B", Ordered: qty("2", "C62"), UnitPrice: canonical.MustMoney("5.00", "EUR")},
		},
		OrderedAt: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC),
	}
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name string
		edit func(*canonical.SalesOrder)
		opts []cmp.Option
		want []Change
	}{
		{"identical", func(*canonical.SalesOrder) {}, nil, nil},
		{"decimal scale is not a change", func(o *canonical.SalesOrder) {
			o.Lines[1].Ordered.Value = canonical.MustDecimal("2.000")
			o.Lines[0].UnitPrice = canonical.MustMoney("10", "EUR")
		}, nil, nil},
		{"same instant in another zone is not a change", func(o *canonical.SalesOrder) {
			o.OrderedAt = o.OrderedAt.In(time.FixedZone("CET", 3600))
		}, nil, nil},
		{"nil and empty slices are equal", func(o *canonical.SalesOrder) { o.Holds = []canonical.Hold{} }, nil, nil},
		{"quantity change has a JSON path", func(o *canonical.SalesOrder) {
			o.Lines[1].Ordered.Value = canonical.MustDecimal("3")
		}, nil, []Change{{Path: "lines[1].ordered.value", Kind: Changed, Old: "2", New: "3"}}},
		{"money compares currency and amount", func(o *canonical.SalesOrder) {
			o.Lines[0].UnitPrice = canonical.MustMoney("10.00", "GBP")
		}, nil, []Change{{Path: "lines[0].unitPrice", Kind: Changed, Old: "10.00 EUR", New: "10.00 GBP"}}},
		{"embedded Meta is flattened", func(o *canonical.SalesOrder) {
			o.Refs[0].Version = "4"
		}, nil, []Change{{Path: "refs[0].version", Kind: Changed, Old: "3", New: "4"}}},
		{"several changes in field order", func(o *canonical.SalesOrder) {
			o.Status = canonical.OrderAccepted
			o.ShipTo.City = "Hamburg"
		}, nil, []Change{
			{Path: "shipTo.city", Kind: Changed, Old: "Berlin", New: "Hamburg"},
			{Path: "status", Kind: Changed, Old: "submitted", New: "accepted"},
		}},
		{"added line", func(o *canonical.SalesOrder) {
			o.Lines = append(o.Lines, canonical.SalesOrderLine{LineID: "3", SKU: "C"})
		}, []cmp.Option{IgnorePaths("lines[*].ordered", "lines[*].unitPrice", "lines[*].net")}, []Change{
			{Path: "lines[2]", Kind: Added, New: `{"lineId":"3","sku":"C","ordered":{"value":"0","unit":""},"unitPrice":{"amount":"0","currency":""},"net":{"amount":"0","currency":""}}`},
		}},
		{"removed line", func(o *canonical.SalesOrder) { o.Lines = o.Lines[:1] }, nil, []Change{
			{Path: "lines[1]", Kind: Removed, Old: `{"lineId":"2","sku":"B","ordered":{"value":"2","unit":"C62"},"unitPrice":{"amount":"5.00","currency":"EUR"},"net":{"amount":"0","currency":""}}`},
		}},
		{"pointer set", func(o *canonical.SalesOrder) {
			o.Lines[0].Discounts[0].Percent = ptr(canonical.MustDecimal("10"))
		}, nil, []Change{{Path: "lines[0].discounts[0].percent", Kind: Changed, Old: "null", New: "10"}}},
		{"ignore by path", func(o *canonical.SalesOrder) {
			o.Status = canonical.OrderAccepted
			o.ShipTo.City = "Hamburg"
		}, []cmp.Option{IgnorePaths("status", "shipTo")}, nil},
		{"ignore by path with index wildcard", func(o *canonical.SalesOrder) {
			o.Lines[0].SKU = "X"
			o.Lines[1].SKU = "Y"
			o.Lines[1].Description = "new"
		}, []cmp.Option{IgnorePaths("lines[*].sku")}, []Change{
			{Path: "lines[1].description", Kind: Changed, Old: "", New: "new"},
		}},
		{"ignore by field name, JSON or Go", func(o *canonical.SalesOrder) {
			o.Refs[0].Version = "9"
			o.OrderedAt = o.OrderedAt.Add(time.Hour)
			o.Note = "call first"
		}, []cmp.Option{IgnoreFields("version", "OrderedAt")}, []Change{
			{Path: "note", Kind: Changed, Old: "", New: "call first"},
		}},
		{"time is RFC 3339", func(o *canonical.SalesOrder) { o.OrderedAt = o.OrderedAt.Add(time.Minute) }, nil, []Change{
			{Path: "orderedAt", Kind: Changed, Old: "2026-11-26T10:00:00Z", New: "2026-11-26T10:01:00Z"},
		}},
		{"extra go-cmp options apply", func(o *canonical.SalesOrder) {
			o.Lines[0], o.Lines[1] = o.Lines[1], o.Lines[0]
		}, []cmp.Option{cmpopts.SortSlices(func(a, b canonical.SalesOrderLine) bool { return a.LineID < b.LineID })}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := testOrder()
			after := testOrder()
			tt.edit(&after)
			got := Diff(before, after, tt.opts...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Diff (-want +got):\n%s", diff)
			}
			if eq := Equal(before, after, tt.opts...); eq != (len(tt.want) == 0) {
				t.Errorf("Equal = %v with %d changes", eq, len(tt.want))
			}
		})
	}
}

func TestDiffOtherShapes(t *testing.T) {
	type item struct {
		Name    string            `json:"name,omitempty"`
		Tags    map[string]string `json:"tags"`
		Price   *canonical.Money  `json:"price"`
		Valid   canonical.Date    `json:"validFrom"`
		private int
		Skip    string   `json:"-"`
		Lines   []string `json:"lines"`
	}
	a := item{Name: "x", Tags: map[string]string{"size": "M"}, Valid: canonical.Date{Year: 2026, Month: 1, Day: 2}, private: 1, Skip: "a"}
	b := item{Name: "x", Tags: map[string]string{"size": "L", "colour": "red"}, Price: ptr(canonical.MustMoney("1", "EUR")),
		Valid: canonical.Date{Year: 2026, Month: 1, Day: 3}, private: 2, Skip: "b", Lines: []string{"1 Main St"}}
	want := []Change{
		{Path: "tags[colour]", Kind: Added, New: "red"},
		{Path: "tags[size]", Kind: Changed, Old: "M", New: "L"},
		{Path: "price", Kind: Changed, Old: "null", New: "1 EUR"},
		{Path: "validFrom", Kind: Changed, Old: "2026-01-02", New: "2026-01-03"},
		{Path: "private", Kind: Changed, Old: "1", New: "2"},
		{Path: "Skip", Kind: Changed, Old: "a", New: "b"},
		{Path: "lines", Kind: Changed, Old: "[]", New: `["1 Main St"]`},
	}
	if diff := cmp.Diff(want, Diff(a, b)); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
	if got := Diff(1, "1"); len(got) != 1 || got[0].Path != "" {
		t.Errorf("Diff of different types = %+v", got)
	}
}

func TestChangeString(t *testing.T) {
	tests := []struct {
		c    Change
		want string
	}{
		{Change{Path: "status", Kind: Changed, Old: "a", New: "b"}, "status: a → b"},
		{Change{Path: "lines[2]", Kind: Added, New: "{}"}, "lines[2]: + {}"},
		{Change{Path: "lines[2]", Kind: Removed, Old: "{}"}, "lines[2]: - {}"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
