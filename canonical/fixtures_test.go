package canonical

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The fixtures are realistic documents whose amounts were worked out by hand;
// each is valid, and tests mutate copies of them.

func dec(s string) Decimal { return MustDecimal(s) }

func eur(s string) Money { return MustMoney(s, "EUR") }

func qty(s string, u UnitCode) Quantity { return Quantity{Value: dec(s), Unit: u} }

func ptr[T any](v T) *T { return &v }

var fixedTime = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// validOrder is a web order for three lines, part shipped, with a welcome
// discount, a shipping charge, 20% VAT and a payment ledger.
//
//	line 1: 3 × 19.99 = 59.97, 10% off 6.00  → net 53.97 (tax 10.79)
//	line 2: 2 × 8.50                          → net 17.00 (tax  3.40)
//	line 3: 1.5 KGM × 24.90                   → net 37.35 (tax  7.47)
//	lineNet 108.32 − allowance 5.00 + shipping 4.95 = taxable 108.27
//	VAT 20% of 108.27 = 21.654 → 21.65; payable 108.27 + 21.65 = 129.92
func validOrder() SalesOrder {
	vat := func(base, tax string) []TaxLine {
		return []TaxLine{{Category: "S", Name: "VAT", Rate: dec("20"), Taxable: eur(base), Tax: eur(tax)}}
	}
	return SalesOrder{
		Meta: Meta{
			ID:        "01J9ZK3V8Q6W5X2Y7T4R1N0M9B",
			Refs:      []ExternalRef{{System: "shopify", Type: "Order", ID: "5893012345", Version: "2026-03-14T09:31:02Z"}, {System: "bc:prod", ID: "SO-100234"}},
			Revision:  2,
			UpdatedAt: fixedTime,
		},
		Number:     "SO-100234",
		CustomerPO: "#1001",
		Channel:    "shopify",
		Customer:   PartyRef{ID: "cust-42", Refs: []ExternalRef{{System: "shopify", ID: "7001"}}, Name: "Ada Lovelace", Email: "ada@example.com"},
		BillTo:     Address{Name: "Ada Lovelace", Lines: []string{"12 St James's Square"}, City: "London", PostalCode: "SW1Y 4JH", Country: "GB"},
		ShipTo:     Address{Name: "Ada Lovelace", Lines: []string{"12 St James's Square"}, City: "London", PostalCode: "SW1Y 4JH", Country: "GB", Validation: AddressVerified},
		Currency:   "EUR",
		Status:     OrderInProgress,
		Holds:      []Hold{{Type: HoldFraud, Blocks: []Stage{StageFulfillment}, Reason: "manual review", Source: "shopify", PlacedAt: fixedTime, ReleasedAt: ptr(fixedTime.Add(time.Hour))}},
		Lines: []SalesOrderLine{
			{
				LineID: "1", ExternalLineID: "13450001", SKU: "TSHIRT-BLK-M", Description: "T-shirt, black, M",
				Ordered: qty("3", UnitOne), Allocated: qty("1", UnitOne), Shipped: qty("2", UnitOne), Invoiced: qty("2", UnitOne),
				UnitPrice: eur("19.99"),
				Discounts: []AllowanceCharge{{Reason: "10% off tees", Code: "TEE10", Amount: eur("6.00"), Percent: ptr(dec("10"))}},
				Taxes:     vat("53.97", "10.79"),
				Net:       eur("53.97"),
			},
			{
				LineID: "2", ExternalLineID: "13450002", SKU: "MUG-WHT", Description: "Mug, white",
				Ordered: qty("2", UnitPiece), Shipped: qty("1", UnitPiece), Cancelled: qty("1", UnitPiece),
				Invoiced: qty("1", UnitPiece), Returned: qty("1", UnitPiece),
				UnitPrice: eur("8.50"),
				Taxes:     vat("17.00", "3.40"),
				Net:       eur("17.00"),
			},
			{
				LineID: "3", ExternalLineID: "13450003", SKU: "COFFEE-1KG", Description: "Coffee beans, by weight",
				Ordered: qty("1.5", UnitKilogram), Allocated: qty("1.5", UnitKilogram),
				UnitPrice: eur("24.90"),
				Taxes:     vat("37.35", "7.47"),
				Net:       eur("37.35"),
			},
		},
		Charges: []AllowanceCharge{
			{Reason: "Welcome discount", Code: "WELCOME5", Amount: eur("5.00")},
			{IsCharge: true, Reason: "Standard shipping", Code: "SHIPPING", Amount: eur("4.95"), TaxCategory: "S"},
		},
		Taxes: vat("108.27", "21.65"),
		Totals: Totals{
			LineNet: eur("108.32"), Allowances: eur("5.00"), Charges: eur("4.95"),
			Tax: eur("21.65"), Payable: eur("129.92"),
		},
		Payments: []PaymentTransaction{
			{ID: "a1", Kind: TxnAuthorization, Status: TxnSuccess, Amount: eur("129.92"), Gateway: "shopify_payments", ProviderRef: "pi_1", At: fixedTime},
			{ID: "c1", Kind: TxnCapture, Status: TxnSuccess, Amount: eur("80.00"), ParentID: "a1", Gateway: "shopify_payments", At: fixedTime.Add(2 * time.Hour)},
			{ID: "r1", Kind: TxnRefund, Status: TxnSuccess, Amount: eur("8.50"), ParentID: "c1", Gateway: "shopify_payments", At: fixedTime.Add(48 * time.Hour)},
		},
		OrderedAt: fixedTime,
		Note:      "Leave with the concierge",
	}
}

// bigOrder returns a valid order of n lines for benchmarks and the fuzz seed.
// Its amounts are computed with the package's own Money arithmetic.
func bigOrder(tb testing.TB, n int) SalesOrder {
	tb.Helper()
	o := validOrder()
	o.Lines = nil
	o.Taxes = nil
	o.Charges = nil
	o.Payments = nil
	var lineNet Money
	for i := range n {
		price := MustMoney(fmt.Sprintf("%d.%02d", 3+i%40, (i*37)%100), "EUR")
		q := qty(fmt.Sprint(1+i%5), UnitPiece)
		gross, err := price.Mul(q.Value)
		if err != nil {
			tb.Fatal(err)
		}
		net := gross.Round(HalfUp)
		o.Lines = append(o.Lines, SalesOrderLine{
			LineID: fmt.Sprint(i + 1), SKU: fmt.Sprintf("SKU-%04d", i), Description: "item",
			Ordered: q, Shipped: qty("1", UnitPiece), UnitPrice: price, Net: net,
		})
		if lineNet, err = lineNet.Add(net); err != nil {
			tb.Fatal(err)
		}
	}
	o.Totals = Totals{LineNet: lineNet, Payable: lineNet}
	return o
}

func validCustomer() Customer {
	return Customer{
		Meta:         Meta{ID: "cust-42", Refs: []ExternalRef{{System: "bc:prod", Type: "Customer", ID: "C00042"}}},
		Number:       "C00042",
		Name:         "Analytical Engines Ltd",
		LegalName:    "Analytical Engines Limited",
		Email:        "accounts@engines.example",
		Phone:        "+442079460000",
		Addresses:    []Address{{Company: "Analytical Engines Ltd", Lines: []string{"1 Babbage Row"}, City: "London", PostalCode: "EC1A 1BB", Country: "GB"}},
		Contacts:     []Contact{{FirstName: "Ada", LastName: "Lovelace", Email: "ada@engines.example", Role: "buyer"}},
		TaxIDs:       []TaxID{{Scheme: "VAT", Country: "GB", Value: "GB123456789"}},
		Currency:     "EUR",
		CreditLimit:  ptr(eur("25000.00")),
		Balance:      ptr(eur("1234.56")),
		CreditStatus: CreditOK,
		PaymentTerms: "NET30",
	}
}

func validProduct() Product {
	return Product{
		Meta:        Meta{ID: "prod-7"},
		SKU:         "TSHIRT-BLK",
		Name:        "T-shirt, black",
		GTIN:        "05012345678900",
		BaseUnit:    UnitOne,
		Conversions: []UnitConversion{{Unit: UnitBox, Factor: dec("12")}},
		TaxCategory: "standard",
		Variants: []Variant{
			{SKU: "TSHIRT-BLK-M", Title: "M", Options: map[string]string{"size": "M"}, Price: ptr(eur("19.99")), Weight: ptr(qty("0.180", UnitKilogram))},
			{SKU: "TSHIRT-BLK-L", Title: "L", Options: map[string]string{"size": "L"}, Price: ptr(eur("19.99")), Weight: ptr(qty("0.200", UnitKilogram))},
		},
		Weight: ptr(qty("0.190", UnitKilogram)),
		Active: true,
	}
}

func validStockLevel() StockLevel {
	return StockLevel{
		SKU: "TSHIRT-BLK-M", Location: "WH-LONDON",
		OnHand: qty("120", UnitOne), Allocated: qty("15", UnitOne), Available: qty("105", UnitOne),
		AsOf: fixedTime, Source: "bc:prod", Sequence: 8812,
	}
}

func validPriceList() PriceList {
	from, _ := ParseDate("2026-01-01")
	to, _ := ParseDate("2026-12-31")
	return PriceList{
		Meta:     Meta{ID: "pl-trade"},
		Name:     "Trade 2026",
		Currency: "EUR",
		Customer: &PartyRef{ID: "cust-42", Name: "Analytical Engines Ltd"},
		Prices: []Price{
			{SKU: "TSHIRT-BLK-M", UnitPrice: eur("14.50"), ValidFrom: from, ValidTo: to},
			{SKU: "TSHIRT-BLK-M", UnitPrice: eur("12.90"), MinQuantity: ptr(qty("10", UnitOne)), ValidFrom: from, ValidTo: to},
			{SKU: "MUG-WHT", UnitPrice: eur("6.00")},
		},
	}
}

func validShipment() Shipment {
	return Shipment{
		Meta:     Meta{ID: "shp-1", Refs: []ExternalRef{{System: "dhl", ID: "JD014600003828"}}},
		Number:   "DESP-5001",
		Order:    "SO-100234",
		Status:   ShipmentInTransit,
		ShipFrom: "WH-LONDON",
		ShipTo:   Address{Name: "Ada Lovelace", Lines: []string{"12 St James's Square"}, City: "London", PostalCode: "SW1Y 4JH", Country: "GB"},
		Lines: []ShipmentLine{
			{LineID: "1", OrderLine: LineRef{Document: "SO-100234", LineID: "1"}, SKU: "TSHIRT-BLK-M", Quantity: qty("2", UnitOne)},
			{LineID: "2", OrderLine: LineRef{Document: "SO-100234", LineID: "2"}, SKU: "MUG-WHT", Quantity: qty("1", UnitPiece)},
		},
		Carrier: "dhl", Service: "express",
		TrackingNumber: "JD014600003828",
		TrackingURL:    "https://www.dhl.com/track?id=JD014600003828",
		Label:          &Label{ID: "lbl-9", Format: "PDF", URL: "https://labels.example/lbl-9.pdf", Cost: ptr(eur("6.20"))},
		Weight:         ptr(qty("0.72", UnitKilogram)),
		Events:         []TrackingEvent{{At: fixedTime.Add(5 * time.Hour), Status: ShipmentInTransit, Code: "PU", Description: "Picked up", Location: "London"}},
		ShippedAt:      fixedTime.Add(4 * time.Hour),
	}
}

// validInvoice bills what validOrder shipped:
//
//	2 × 19.99 = 39.98 − 4.00 discount = 35.98 (tax 7.20)
//	1 × 8.50                          =  8.50 (tax 1.70)
//	lineNet 44.48 + shipping 4.95 = 49.43; VAT 20% = 9.886 → 9.89; payable 59.32
func validInvoice() Invoice {
	issue, _ := ParseDate("2026-03-15")
	return Invoice{
		Meta:      Meta{ID: "inv-1", Refs: []ExternalRef{{System: "xero", ID: "INV-0042"}}},
		Number:    "INV-0042",
		Status:    InvoicePartiallyPaid,
		IssueDate: issue,
		DueDate:   issue.AddDays(30),
		Customer:  PartyRef{ID: "cust-42", Name: "Ada Lovelace"},
		BillTo:    Address{Name: "Ada Lovelace", City: "London", Country: "GB"},
		Currency:  "EUR",
		Orders:    []string{"SO-100234"},
		Shipments: []string{"DESP-5001"},
		Lines: []InvoiceLine{
			{
				LineID: "1", OrderLine: &LineRef{Document: "SO-100234", LineID: "1"}, ShipmentLine: &LineRef{Document: "DESP-5001", LineID: "1"},
				SKU: "TSHIRT-BLK-M", Description: "T-shirt, black, M", Quantity: qty("2", UnitOne), UnitPrice: eur("19.99"),
				Discounts: []AllowanceCharge{{Reason: "10% off tees", Amount: eur("4.00")}},
				Taxes:     []TaxLine{{Category: "S", Rate: dec("20"), Taxable: eur("35.98"), Tax: eur("7.20")}},
				Net:       eur("35.98"),
			},
			{
				LineID: "2", OrderLine: &LineRef{Document: "SO-100234", LineID: "2"},
				SKU: "MUG-WHT", Quantity: qty("1", UnitPiece), UnitPrice: eur("8.50"),
				Taxes: []TaxLine{{Category: "S", Rate: dec("20"), Taxable: eur("8.50"), Tax: eur("1.70")}},
				Net:   eur("8.50"),
			},
		},
		Charges:  []AllowanceCharge{{IsCharge: true, Code: "SHIPPING", Amount: eur("4.95")}},
		Taxes:    []TaxLine{{Category: "S", Name: "VAT", Rate: dec("20"), Taxable: eur("49.43"), Tax: eur("9.89")}},
		Rounding: HalfUp,
		Totals:   Totals{LineNet: eur("44.48"), Charges: eur("4.95"), Tax: eur("9.89"), Payable: eur("59.32")},
		Paid:     eur("20.00"),
	}
}

// validCreditNote credits the returned mug: 1 × 8.50 + 20% VAT 1.70 = 10.20.
func validCreditNote() CreditNote {
	issue, _ := ParseDate("2026-03-20")
	return CreditNote{
		Meta:      Meta{ID: "cn-1"},
		Number:    "CN-0007",
		Status:    InvoiceIssued,
		IssueDate: issue,
		Customer:  PartyRef{ID: "cust-42"},
		Currency:  "EUR",
		Invoice:   "INV-0042",
		Order:     "SO-100234",
		Reason:    "returned damaged",
		Refund:    "ref-1",
		Lines: []InvoiceLine{{
			LineID: "1", OrderLine: &LineRef{Document: "SO-100234", LineID: "2"}, SKU: "MUG-WHT",
			Quantity: qty("1", UnitPiece), UnitPrice: eur("8.50"), Net: eur("8.50"),
		}},
		Taxes:  []TaxLine{{Category: "S", Rate: dec("20"), Taxable: eur("8.50"), Tax: eur("1.70")}},
		Totals: Totals{LineNet: eur("8.50"), Tax: eur("1.70"), Payable: eur("10.20")},
	}
}

func validPayment() Payment {
	on, _ := ParseDate("2026-03-16")
	return Payment{
		Meta:       Meta{ID: "pay-1"},
		Customer:   PartyRef{ID: "cust-42"},
		Amount:     eur("100.00"),
		Method:     "bank_transfer",
		Reference:  "INV-0042 INV-0043",
		ReceivedOn: on,
		Allocations: []PaymentAllocation{
			{Invoice: "INV-0042", Amount: eur("59.32")},
			{Invoice: "INV-0043", Amount: eur("40.68")},
		},
	}
}

// validRefund refunds the mug (8.50 + 1.70 VAT) and part of shipping.
func validRefund() Refund {
	return Refund{
		Meta:     Meta{ID: "ref-1", Refs: []ExternalRef{{System: "shopify", ID: "refund-77"}}},
		Order:    "SO-100234",
		Currency: "EUR",
		Amount:   eur("12.20"),
		Reason:   "damaged",
		Lines:    []RefundLine{{OrderLine: LineRef{Document: "SO-100234", LineID: "2"}, Quantity: qty("1", UnitPiece), Amount: eur("10.20")}},
		Shipping: ptr(eur("2.00")),
		Restock:  false,
		Transactions: []PaymentTransaction{
			{ID: "r1", Kind: TxnRefund, Status: TxnSuccess, Amount: eur("12.20"), ParentID: "c1"},
		},
		CreatedAt: fixedTime.Add(48 * time.Hour),
	}
}

func validReturn() Return {
	return Return{
		Meta:   Meta{ID: "rma-1"},
		Number: "RMA-311",
		Order:  "SO-100234",
		Status: ReturnReceived,
		Lines: []ReturnLine{{
			LineID: "1", OrderLine: LineRef{Document: "SO-100234", LineID: "2"}, SKU: "MUG-WHT",
			Requested: qty("1", UnitPiece), Received: qty("1", UnitPiece), Reason: "damaged", Disposition: DispositionScrap,
		}},
	}
}

// problems renders a validation result as sorted "path code" strings.
func problems(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	ve, ok := err.(*ValidationError)
	if !ok {
		t.Fatalf("error is %T, want *ValidationError: %v", err, err)
	}
	var out []string
	for _, fe := range ve.Errors {
		if fe.Message == "" {
			t.Errorf("%s %s: empty message", fe.Path, fe.Code)
		}
		out = append(out, fe.Path+" "+fe.Code)
	}
	slices.Sort(out)
	return out
}

// checkProblems compares the problems of err with want ("path code" strings,
// any order).
func checkProblems(t *testing.T, err error, want ...string) {
	t.Helper()
	got := problems(t, err)
	want = slices.Clone(want)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s\nerror: %v", diff, err)
	}
}

// longString returns n copies of s.
func longString(s string, n int) string { return strings.Repeat(s, n) }
