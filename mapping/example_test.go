package mapping_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/mapping"
)

func ExampleTable_Lookup() {
	statuses := mapping.NewTable("order-status shopify→bc", map[string]canonical.OrderStatus{
		"open":      canonical.OrderSubmitted,
		"cancelled": canonical.OrderCancelled,
	})
	s, err := statuses.Lookup("open")
	fmt.Println(s, err)

	_, err = statuses.Lookup("archived")
	fmt.Println(err)
	fmt.Println(errors.Is(err, mapping.ErrUnmapped))

	lenient := statuses.WithDefault(canonical.OrderDraft)
	s, _ = lenient.Lookup("archived")
	fmt.Println(s)
	// Output:
	// submitted <nil>
	// mapping: table "order-status shopify→bc" has no entry for "archived"
	// true
	// draft
}

func ExampleTable_Map() {
	skus := mapping.NewTable("sku shop→erp", map[string]string{"TS-RED-M": "100234"})
	errs := mapping.Errors{System: "shopify", Entity: "SalesOrder", Key: "1001"}
	lines := []string{"TS-RED-M", "MUG-01", "CAP-XL"}
	for i, sku := range lines {
		lines[i] = skus.Map(&errs, mapping.Path("lines", i, "sku"), sku)
	}
	fmt.Println(lines)
	fmt.Println(errs.Err())
	// Output:
	// [100234  ]
	// mapping shopify SalesOrder 1001: 2 problems: lines[1].sku: no entry in table "sku shop→erp" (unmapped) [value "MUG-01"]; lines[2].sku: no entry in table "sku shop→erp" (unmapped) [value "CAP-XL"]
}

func ExampleTable_CheckTotal() {
	payment := mapping.NewTable("payment-method", map[string]string{"card": "CC", "paypal": "PP"})
	// In a test: assert the table covers every method the shop can send.
	fmt.Println(payment.CheckTotal("card", "paypal", "klarna", "gift_card"))
	// Output:
	// mapping: table "payment-method" lacks 2 keys: "klarna", "gift_card"
}

func ExampleReverse() {
	carriers := mapping.NewTable("carrier-service", map[string]string{"standard": "DHL-PAKET", "express": "DHL-EXP"})
	back, err := mapping.Reverse(carriers)
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := back.Lookup("DHL-EXP")
	fmt.Println(v)
	// Output:
	// express
}

func ExampleLoadCSV() {
	sheet := `shopify,business central,note
# edited by ops on 2026-11-20
paid,PAID,
partially_paid,PARTIAL,"needs finance review"
pending,OPEN,
`
	t, err := mapping.LoadCSV("payment-status", strings.NewReader(sheet))
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := t.Lookup("partially_paid")
	fmt.Println(t.Len(), v)

	_, err = mapping.LoadCSV("payment-status", strings.NewReader("shop,erp\npaid,PAID\nrefunded,\npaid,SETTLED\n"))
	fmt.Println(err)
	// Output:
	// 3 PARTIAL
	// mapping: load table "payment-status": line 3: empty value for key "refunded"; line 4: duplicate key "paid" (first on line 2)
}

func ExampleLoadJSON() {
	type service struct {
		Carrier string `json:"carrier"`
		Service string `json:"service"`
	}
	t, err := mapping.LoadJSON[service]("carrier-service", strings.NewReader(`{
		"next-day": {"carrier": "dhl", "service": "EXPRESS"},
		"standard": {"carrier": "ups", "service": "GROUND"}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	s, _ := t.Lookup("next-day")
	fmt.Println(s.Carrier, s.Service)
	// Output:
	// dhl EXPRESS
}

func ExampleTranslate() {
	ctx := context.Background()
	cw := mapping.NewMemCrosswalk()
	erp := canonical.ExternalRef{System: "bc", ID: "C10023"}
	// Two guest checkouts in the shop are one ERP account.
	for _, r := range []canonical.ExternalRef{{System: "shopify", ID: "7"}, {System: "shopify", ID: "9"}, erp} {
		_ = cw.Link(ctx, "Customer", "cus-1", r)
	}

	got, err := mapping.Translate(ctx, cw, "Customer", canonical.ExternalRef{System: "shopify", ID: "9"}, "bc")
	fmt.Println(got, err)

	_, err = mapping.Translate(ctx, cw, "Customer", canonical.ExternalRef{System: "shopify", ID: "12"}, "bc")
	fmt.Println(err)

	var errs mapping.Errors
	if err := errs.Collect("customer", err); err != nil {
		return // a crosswalk failure, not a data problem: retry later
	}
	fmt.Println(errs.Len(), "problem collected")
	// Output:
	// bc:C10023 <nil>
	// mapping: Customer shopify:12 is not linked to any bc Customer
	// 1 problem collected
}

func ExampleResolveOrCreate() {
	ctx := context.Background()
	cw := mapping.NewMemCrosswalk()
	shopCustomer := canonical.ExternalRef{System: "shopify", ID: "7"}
	create := func(ctx context.Context) (string, canonical.ExternalRef, error) {
		fmt.Println("creating the ERP customer")
		return "cus-1", canonical.ExternalRef{System: "bc", ID: "C20001"}, nil
	}
	for range 2 {
		id, created, err := mapping.ResolveOrCreate(ctx, cw, "Customer", shopCustomer, create)
		fmt.Println(id, created, err)
	}
	erp, _ := mapping.Translate(ctx, cw, "Customer", shopCustomer, "bc")
	fmt.Println(erp)
	// Output:
	// creating the ERP customer
	// cus-1 true <nil>
	// cus-1 false <nil>
	// bc:C20001
}

func ExampleMerge() {
	ctx := context.Background()
	cw := mapping.NewMemCrosswalk()
	_ = cw.Link(ctx, "Customer", "cus-1", canonical.ExternalRef{System: "bc", ID: "C10023"})
	_ = cw.Link(ctx, "Customer", "cus-2", canonical.ExternalRef{System: "shopify", ID: "12"})

	// A person confirmed that cus-2 duplicates cus-1.
	if err := mapping.Merge(ctx, cw, "Customer", "cus-2", "cus-1"); err != nil {
		fmt.Println(err)
		return
	}
	id, _, _ := cw.Lookup(ctx, "Customer", canonical.ExternalRef{System: "shopify", ID: "12"})
	refs, _ := cw.Refs(ctx, "Customer", "cus-2") // the old ID still resolves
	fmt.Println(id, refs)
	// Output:
	// cus-1 [bc:C10023 shopify:12]
}

func ExampleSubRef() {
	order := canonical.ExternalRef{System: "shopify", Type: "Order", ID: "gid://shopify/Order/1001"}
	line := mapping.SubRef(order, "LineItem", "77")
	fmt.Println(line.ID)
	fmt.Println(mapping.LineKey("SO-1001", "20000"))
	parts, _ := mapping.SplitKey(line.ID)
	fmt.Println(parts[1])
	// Output:
	// gid%3A//shopify/Order/1001::77
	// SO-1001::20000
	// 77
}

func ExampleNormalizeCountry() {
	for _, s := range []string{"GBR", "United Kingdom", "UK", "Great Britain", "U.S.A.", "Deutschland", "Holland", "the netherlands", "Côte d'Ivoire", "Narnia"} {
		c, err := mapping.NormalizeCountry(s)
		fmt.Printf("%-16s %s %v\n", s, c, err)
	}
	// Output:
	// GBR              GB <nil>
	// United Kingdom   GB <nil>
	// UK               GB <nil>
	// Great Britain    GB <nil>
	// U.S.A.           US <nil>
	// Deutschland      DE <nil>
	// Holland          NL <nil>
	// the netherlands  NL <nil>
	// Côte d'Ivoire    CI <nil>
	// Narnia            mapping: invalid country "Narnia": not an ISO 3166-1 code or a known country name
}

func ExampleNormalizeCurrency() {
	for _, s := range []string{" eur", "€", "$"} {
		c, err := mapping.NormalizeCurrency(s)
		fmt.Printf("%q %v\n", c, err)
	}
	// Output:
	// "EUR" <nil>
	// "EUR" <nil>
	// "" mapping: invalid currency "$": not an ISO 4217 currency code
}

func ExampleConvertQuantity() {
	box := canonical.UnitConversion{Unit: "BX", Factor: canonical.MustDecimal("12")}
	show := func(q canonical.Quantity, err error) { fmt.Println(q, err) }

	show(mapping.ConvertQuantity(canonical.Qty(3, "BX"), canonical.UnitEach, box))
	show(mapping.ConvertQuantity(canonical.Qty(36, canonical.UnitPiece), "BX", box))
	show(mapping.ConvertQuantity(canonical.Qty(2, canonical.UnitDozen), canonical.UnitOne))
	show(mapping.ConvertQuantity(canonical.Qty(1500, canonical.UnitGram), canonical.UnitKilogram))
	show(mapping.ConvertQuantity(canonical.Qty(2, "LBR"), canonical.UnitKilogram))
	show(mapping.ConvertQuantity(canonical.Qty(1, canonical.UnitKilogram), canonical.UnitMetre))
	// Output:
	// 36 EA <nil>
	// 3 BX <nil>
	// 24 C62 <nil>
	// 1.5 KGM <nil>
	// 0.90718474 KGM <nil>
	// 0  mapping: invalid unit "KGM": no conversion from KGM to MTR
}

func ExampleConvertForProduct() {
	flour := canonical.Product{SKU: "FLOUR-T55", BaseUnit: canonical.UnitKilogram,
		Conversions: []canonical.UnitConversion{{Unit: "BG", Factor: canonical.MustDecimal("25")}}}
	q, err := mapping.ConvertForProduct(flour, canonical.Qty(4, "BG"), canonical.UnitKilogram)
	fmt.Println(q, err)
	// Output:
	// 100 KGM <nil>
}

func ExampleNormalizeUnit() {
	for _, s := range []string{"kg", "pcs", "Box", "BOX12"} {
		u, err := mapping.NormalizeUnit(s)
		fmt.Println(u, err)
	}
	// Output:
	// KGM <nil>
	// H87 <nil>
	// BX <nil>
	//  mapping: invalid unit "BOX12": not a UN/ECE Rec 20 unit code or a known unit name
}

func ExampleE164() {
	for _, p := range []struct{ raw, country string }{
		{"020 7946 0958", "GB"},
		{"+44 (0)20 7946 0958", ""},
		{"0170 1234567", "DE"},
		{"06-12345678", "NL"},
		{"(212) 555-0123 ext. 4", "US"},
		{"06 1234 5678", "IT"},
		{"0207 946", "GB"},
	} {
		e, err := mapping.E164(p.raw, p.country)
		fmt.Println(e, err)
	}
	// Output:
	// +442079460958 <nil>
	// +442079460958 <nil>
	// +491701234567 <nil>
	// +31612345678 <nil>
	// +12125550123 <nil>
	// +390612345678 <nil>
	//  mapping: invalid phone "0207 946": too short: 6 digits after +44, want 9 to 10
}

func ExampleNormalizePostcode() {
	for _, p := range [][2]string{{"GB", "sw1a1aa"}, {"NL", "1234ab"}, {"US", "123456789"}, {"DE", "1067"}, {"GB", "SW1A"}} {
		pc, err := mapping.NormalizePostcode(p[0], p[1])
		fmt.Printf("%q %v\n", pc, err)
	}
	// Output:
	// "SW1A 1AA" <nil>
	// "1234 AB" <nil>
	// "12345-6789" <nil>
	// "" mapping: invalid postcode "1067": a DE postcode has 5 digits; was a leading zero lost in a spreadsheet?
	// "" mapping: invalid postcode "SW1A": not a valid GB postcode, want a UK postcode such as "SW1A 1AA"
}

func ExampleNormalizeAddress() {
	a, err := mapping.NormalizeAddress(canonical.Address{
		Lines:      []string{"  221b  Baker Street ", ""},
		City:       " London",
		PostalCode: "nw16xe",
		Country:    "United Kingdom",
		Phone:      "020 7946 0000",
	})
	fmt.Printf("%q %s %s %s %s %v\n", a.Lines, a.City, a.PostalCode, a.Country, a.Phone, err)

	errs := mapping.Errors{Entity: "SalesOrder", Key: "1001"}
	_, err = mapping.NormalizeAddress(canonical.Address{City: "Utrecht", PostalCode: "35O1 AB", Country: "Holland"})
	_ = errs.Collect("shipTo", err)
	fmt.Println(errs.Err())
	// Output:
	// ["221b Baker Street"] London NW1 6XE GB +442079460000 <nil>
	// mapping SalesOrder 1001: shipTo.postalCode: not a valid NL postcode, want 4 digits and 2 letters such as "1234 AB" (postcode) [value "35O1 AB"]
}

func ExampleMatch() {
	pool := []canonical.Customer{
		{Meta: canonical.Meta{ID: "erp-1"}, Name: "ACME Trading Limited", Email: "accounts@acme.example",
			Addresses: []canonical.Address{{Country: "GB", PostalCode: "SW1A 1AA"}}},
		{Meta: canonical.Meta{ID: "erp-2"}, Name: "Jane Doe", Email: "jane@example.com"},
	}

	// A shop customer with a known e-mail address: a definite match.
	res := mapping.Match(canonical.Customer{Name: "J. Doe", Email: " Jane@Example.com"}, slices.Values(pool), mapping.MatchOptions{})
	fmt.Println(res.Kind, res.Match.Customer.ID, res.Match.Reasons)

	// Same company by name and postcode: only proposed, for a person to confirm.
	res = mapping.Match(canonical.Customer{Name: "Acme Trading Ltd.", Addresses: []canonical.Address{{Country: "UK", PostalCode: "sw1a1aa"}}},
		slices.Values(pool), mapping.MatchOptions{})
	for _, c := range res.Candidates {
		fmt.Println(res.Kind, c.Customer.ID, c.Score, c.Reasons)
	}
	// Output:
	// definite erp-2 [email "jane@example.com"]
	// proposed erp-1 65 [name "acme trading" postcode GB SW1A 1AA]
}

func ExampleErrors() {
	errs := mapping.Errors{System: "shopify", Entity: "SalesOrder", Key: "1001"}

	currency, err := mapping.NormalizeCurrency("EURO")
	_ = errs.Collect("currency", err)
	country, err := mapping.NormalizeCountry("Atlantis")
	_ = errs.Collect(mapping.Path("shipTo", "country"), err)
	errs.Add(mapping.Path("lines", 0, "ordered"), "negative", "quantity must not be negative", "-1")
	_, _ = currency, country

	err = errs.Err()
	fmt.Println(err)
	var fe interface{ FieldErrors() []canonical.FieldError } // what connector.KindOf looks for
	if errors.As(err, &fe) {
		for _, f := range fe.FieldErrors() {
			fmt.Println(f.Path, f.Code)
		}
	}
	// Output:
	// mapping shopify SalesOrder 1001: 3 problems: currency: not an ISO 4217 currency code (currency) [value "EURO"]; shipTo.country: not an ISO 3166-1 code or a known country name (country) [value "Atlantis"]; lines[0].ordered: quantity must not be negative (negative) [value "-1"]
	// currency currency
	// shipTo.country country
	// lines[0].ordered negative
}

func ExamplePath() {
	fmt.Println(mapping.Path("lines", 2, "sku"))
	fmt.Println(mapping.Path("shipTo", "lines", 0))
	// Output:
	// lines[2].sku
	// shipTo.lines[0]
}

func ExampleDiff() {
	before := canonical.SalesOrder{
		Meta:   canonical.Meta{Refs: []canonical.ExternalRef{{System: "bc", ID: "SO-1", Version: "7"}}},
		Number: "1001", Status: canonical.OrderSubmitted,
		Lines: []canonical.SalesOrderLine{
			{LineID: "1", SKU: "A", Ordered: canonical.Qty(1, "C62"), UnitPrice: canonical.MustMoney("10.00", "EUR")},
			{LineID: "2", SKU: "B", Ordered: canonical.Qty(2, "C62"), UnitPrice: canonical.MustMoney("5.00", "EUR")},
		},
	}
	after := before
	after.Refs = []canonical.ExternalRef{{System: "bc", ID: "SO-1", Version: "8"}}
	after.Lines = slices.Clone(before.Lines)
	after.Lines[0].UnitPrice = canonical.MustMoney("10.0", "EUR") // same amount
	after.Lines[1].Ordered = canonical.Qty(3, "C62")
	after.Status = canonical.OrderAccepted

	for _, c := range mapping.Diff(before, after, mapping.IgnoreFields("version")) {
		fmt.Println(c)
	}
	fmt.Println(mapping.Equal(before, after, mapping.IgnorePaths("status", "lines[*].ordered"), mapping.IgnoreFields("version")))
	// Output:
	// status: submitted → accepted
	// lines[1].ordered.value: 2 → 3
	// true
}
