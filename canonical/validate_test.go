package canonical

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestFixturesAreValid(t *testing.T) {
	o, c, p, s := validOrder(), validCustomer(), validProduct(), validStockLevel()
	pl, sh, inv, cn := validPriceList(), validShipment(), validInvoice(), validCreditNote()
	pay, rf, rt := validPayment(), validRefund(), validReturn()
	big := bigOrder(t, 20)
	for name, v := range map[string]interface{ Validate() error }{
		"SalesOrder": &o, "Customer": &c, "Product": &p, "StockLevel": &s, "PriceList": &pl,
		"Shipment": &sh, "Invoice": &inv, "CreditNote": &cn, "Payment": &pay, "Refund": &rf,
		"Return": &rt, "SalesOrder(20 lines)": &big,
	} {
		if err := v.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidateNil(t *testing.T) {
	for name, v := range map[string]interface{ Validate() error }{
		"SalesOrder": (*SalesOrder)(nil), "Customer": (*Customer)(nil), "Product": (*Product)(nil),
		"StockLevel": (*StockLevel)(nil), "PriceList": (*PriceList)(nil), "Shipment": (*Shipment)(nil),
		"Invoice": (*Invoice)(nil), "CreditNote": (*CreditNote)(nil), "Payment": (*Payment)(nil),
		"Refund": (*Refund)(nil), "Return": (*Return)(nil),
	} {
		var ve *ValidationError
		if err := v.Validate(); !errors.As(err, &ve) || ve.Entity != name {
			t.Errorf("%s: Validate on nil = %v, want a *ValidationError for %s", name, err, name)
		}
	}
}

func TestSalesOrderValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(o *SalesOrder)
		want   []string
	}{
		{"valid", func(o *SalesOrder) {}, nil},
		{"number missing", func(o *SalesOrder) { o.Number = "" }, []string{"number required"}},
		{"unknown status", func(o *SalesOrder) { o.Status = "shipped" }, []string{"status oneof"}},
		{"document currency not ISO", func(o *SalesOrder) {
			// Every amount now disagrees with the document currency too.
			o.Currency = "EURO"
			o.Lines = o.Lines[:1]
			o.Lines[0].Taxes = nil
			o.Lines[0].Discounts = nil
			o.Charges, o.Taxes, o.Payments = nil, nil, nil
			o.Totals = Totals{}
			o.Lines[0].UnitPrice, o.Lines[0].Net = Money{}, Money{}
		}, []string{"currency currency"}},
		{"line price in another currency", func(o *SalesOrder) { o.Lines[0].UnitPrice.Currency = "USD" },
			[]string{"lines[0].unitPrice.currency currency_mismatch"}},
		{"line price currency not ISO", func(o *SalesOrder) { o.Lines[0].UnitPrice.Currency = "EUX" },
			[]string{"lines[0].unitPrice.currency currency", "lines[0].unitPrice.currency currency_mismatch"}},
		{"discount in another currency", func(o *SalesOrder) { o.Lines[0].Discounts[0].Amount.Currency = "GBP" },
			[]string{"lines[0].discounts[0].amount.currency currency_mismatch"}},
		{"line tax in another currency", func(o *SalesOrder) { o.Lines[1].Taxes[0].Tax.Currency = "GBP" },
			[]string{"lines[1].taxes[0].tax.currency currency_mismatch"}},
		{"charge in another currency", func(o *SalesOrder) { o.Charges[1].Amount.Currency = "USD" },
			[]string{"charges[1].amount.currency currency_mismatch"}},
		{"tax breakdown in another currency", func(o *SalesOrder) { o.Taxes[0].Taxable.Currency = "USD" },
			[]string{"taxes[0].taxable.currency currency_mismatch"}},
		{"total in another currency", func(o *SalesOrder) { o.Totals.Tax.Currency = "GBP" },
			[]string{"totals.tax.currency currency_mismatch"}},
		{"payment in another currency", func(o *SalesOrder) { o.Payments[1].Amount.Currency = "USD" },
			[]string{"payments[1].amount.currency currency_mismatch"}},
		{"non-zero amount without currency", func(o *SalesOrder) {
			o.Totals.Prepaid = Money{Amount: dec("1.00")}
		}, []string{"totals.prepaid.currency required", "totals.payable.amount totals_mismatch"}},
		{"zero amount in document currency is fine", func(o *SalesOrder) { o.Totals.Prepaid = eur("0.00") }, nil},
		{"ship-to country unknown", func(o *SalesOrder) { o.ShipTo.Country = "XX" }, []string{"shipTo.country country"}},
		{"ship-to country lower case", func(o *SalesOrder) { o.ShipTo.Country = "gb" }, []string{"shipTo.country country"}},
		{"ship-to country UK is not ISO", func(o *SalesOrder) { o.ShipTo.Country = "UK" }, []string{"shipTo.country country"}},
		{"empty bill-to is not checked", func(o *SalesOrder) { o.BillTo = Address{} }, nil},
		{"bill-to without country", func(o *SalesOrder) { o.BillTo.Country = "" }, []string{"billTo.country required"}},
		{"customer email", func(o *SalesOrder) { o.Customer.Email = "ada at example" }, []string{"customer.email email"}},
		{"ref without system", func(o *SalesOrder) { o.Refs[1].System = "" }, []string{"refs[1].system required"}},
		{"hold type unknown", func(o *SalesOrder) { o.Holds[0].Type = "vip" }, []string{"holds[0].type oneof"}},
		{"hold stage unknown", func(o *SalesOrder) { o.Holds[0].Blocks = []Stage{"shipping"} }, []string{"holds[0].blocks[0] oneof"}},
		{"rounding mode unknown", func(o *SalesOrder) { o.Rounding = "bankers" }, []string{"rounding oneof"}},
		{"no lines", func(o *SalesOrder) { o.Lines = nil }, []string{"lines required", "totals.lineNet.amount totals_mismatch"}},
		{"empty lines", func(o *SalesOrder) { o.Lines = []SalesOrderLine{} }, []string{"lines min", "totals.lineNet.amount totals_mismatch"}},
		{"sku with a space", func(o *SalesOrder) { o.Lines[1].SKU = "MUG WHT" }, []string{"lines[1].sku sku"}},
		{"sku with a control character", func(o *SalesOrder) { o.Lines[1].SKU = "MUG\x07" }, []string{"lines[1].sku sku"}},
		{"sku of 65 characters", func(o *SalesOrder) { o.Lines[1].SKU = longString("A", 65) }, []string{"lines[1].sku sku"}},
		{"sku of 64 multi-byte characters", func(o *SalesOrder) { o.Lines[1].SKU = longString("Ä", 64) }, nil},
		{"sku missing", func(o *SalesOrder) { o.Lines[1].SKU = "" }, []string{"lines[1].sku required"}},
		{"line id missing", func(o *SalesOrder) { o.Lines[2].LineID = "" }, []string{"lines[2].lineId required"}},
		{"line id repeated", func(o *SalesOrder) { o.Lines[2].LineID = "1" }, []string{"lines[2].lineId duplicate_line_id"}},
		{"ordered unit not Rec 20", func(o *SalesOrder) { o.Lines[0].Ordered.Unit = "BOGUS" }, []string{
			"lines[0].ordered.unit unit", "lines[0].allocated.unit unit_mismatch",
			"lines[0].shipped.unit unit_mismatch", "lines[0].invoiced.unit unit_mismatch",
		}},
		{"ordered without unit", func(o *SalesOrder) { o.Lines[2].Ordered.Unit = ""; o.Lines[2].Allocated = Quantity{} },
			[]string{"lines[2].ordered.unit required"}},
		{"ordered zero", func(o *SalesOrder) { o.Lines[2].Ordered.Value = dec("0") }, []string{
			// The bucket invariants are not checked against a bad Ordered.
			"lines[2].ordered.value not_positive", "lines[2].net.amount totals_mismatch",
		}},
		{"ordered negative", func(o *SalesOrder) { o.Lines[2].Ordered.Value = dec("-1.5") }, []string{
			"lines[2].ordered.value not_positive", "lines[2].net.amount totals_mismatch",
		}},
		{"bucket in another unit", func(o *SalesOrder) { o.Lines[0].Shipped.Unit = UnitKilogram },
			[]string{"lines[0].shipped.unit unit_mismatch"}},
		{"non-zero bucket without unit", func(o *SalesOrder) { o.Lines[0].Shipped.Unit = "" },
			[]string{"lines[0].shipped.unit required"}},
		{"bucket negative", func(o *SalesOrder) { o.Lines[2].Cancelled = qty("-1", UnitKilogram) },
			[]string{"lines[2].cancelled.value negative"}},
		{"shipped + cancelled over ordered", func(o *SalesOrder) { o.Lines[1].Shipped = qty("2", UnitPiece) },
			[]string{"lines[1].shipped.value over_shipped"}},
		{"cancelled over ordered", func(o *SalesOrder) { o.Lines[1].Cancelled = qty("3", UnitPiece) },
			[]string{"lines[1].cancelled.value over_cancelled", "lines[1].invoiced.value over_invoiced"}},
		{"allocated over open", func(o *SalesOrder) { o.Lines[0].Allocated = qty("2", UnitOne) },
			[]string{"lines[0].allocated.value over_allocated"}},
		{"allocated equal to open", func(o *SalesOrder) { o.Lines[0].Allocated = qty("1.000", UnitOne) }, nil},
		{"returned over shipped", func(o *SalesOrder) { o.Lines[1].Returned = qty("2", UnitPiece) },
			[]string{"lines[1].returned.value over_returned"}},
		{"invoiced over ordered − cancelled", func(o *SalesOrder) { o.Lines[1].Invoiced = qty("2", UnitPiece) },
			[]string{"lines[1].invoiced.value over_invoiced"}},
		{"invoiced ahead of shipping is allowed", func(o *SalesOrder) { o.Lines[0].Invoiced = qty("3", UnitOne) }, nil},
		{"negative unit price", func(o *SalesOrder) {
			o.Lines[1].UnitPrice = eur("-8.50")
		}, []string{"lines[1].unitPrice.amount negative", "lines[1].net.amount totals_mismatch"}},
		{"negative discount", func(o *SalesOrder) { o.Lines[0].Discounts[0].Amount = eur("-6.00") },
			[]string{"lines[0].discounts[0].amount.amount negative", "lines[0].net.amount totals_mismatch"}},
		{"negative tax rate", func(o *SalesOrder) { o.Lines[0].Taxes[0].Rate = dec("-20") },
			[]string{"lines[0].taxes[0].rate negative"}},
		{"tax line without category", func(o *SalesOrder) { o.Taxes[0].Category = "" },
			[]string{"taxes[0].category required"}},
		{"line net off by a cent", func(o *SalesOrder) { o.Lines[0].Net = eur("53.98") },
			[]string{"lines[0].net.amount totals_mismatch", "totals.lineNet.amount totals_mismatch"}},
		{"line net unrounded", func(o *SalesOrder) {
			// 1.5 × 24.899 = 37.3485 must be stated as 37.35.
			o.Lines[2].UnitPrice = eur("24.899")
		}, nil},
		{"line net carries sub-cent digits", func(o *SalesOrder) {
			o.Lines[2].UnitPrice = eur("24.899")
			o.Lines[2].Net = eur("37.3485")
		}, []string{"lines[2].net.amount totals_mismatch", "totals.lineNet.amount totals_mismatch"}},
		{"line net with trailing zeros", func(o *SalesOrder) { o.Lines[2].Net = eur("37.3500") }, nil},
		{"line charge adds", func(o *SalesOrder) {
			o.Lines[1].Discounts = []AllowanceCharge{{IsCharge: true, Code: "GIFTWRAP", Amount: eur("1.00")}}
			o.Lines[1].Net = eur("18.00")
			o.Totals.LineNet = eur("109.32")
			o.Totals.Payable = eur("130.92")
		}, nil},
		{"total line net wrong", func(o *SalesOrder) { o.Totals.LineNet = eur("108.33") },
			[]string{"totals.lineNet.amount totals_mismatch", "totals.payable.amount totals_mismatch"}},
		{"total allowances wrong", func(o *SalesOrder) { o.Totals.Allowances = eur("4.00") },
			[]string{"totals.allowances.amount totals_mismatch", "totals.payable.amount totals_mismatch"}},
		{"total charges wrong", func(o *SalesOrder) { o.Totals.Charges = Money{} },
			[]string{"totals.charges.amount totals_mismatch", "totals.payable.amount totals_mismatch"}},
		{"total tax disagrees with breakdown", func(o *SalesOrder) {
			o.Totals.Tax = eur("21.66")
			o.Totals.Payable = eur("129.93")
		}, []string{"totals.tax.amount totals_mismatch"}},
		{"payable wrong", func(o *SalesOrder) { o.Totals.Payable = eur("129.91") },
			[]string{"totals.payable.amount totals_mismatch"}},
		{"payable with prepaid and rounding", func(o *SalesOrder) {
			o.Totals.Prepaid = eur("29.92")
			o.Totals.Rounding = eur("0.02")
			o.Totals.Payable = eur("100.02")
		}, nil},
		{"per-line tax within one cent per line", func(o *SalesOrder) {
			// Lines say 10.79 + 3.40 + 7.47 = 21.66; the total 21.65 came from
			// rounding the summed base, which is within 3 × 0.01.
			o.Taxes = nil
		}, nil},
		{"per-line tax at the tolerance edge", func(o *SalesOrder) {
			o.Taxes = nil
			o.Totals.Tax = eur("21.63")
			o.Totals.Payable = eur("129.90")
		}, nil},
		{"per-line tax beyond tolerance", func(o *SalesOrder) {
			o.Taxes = nil
			o.Totals.Tax = eur("21.70")
			o.Totals.Payable = eur("129.97")
		}, []string{"totals.tax.amount totals_mismatch"}},
		{"prices include tax: payable must not add tax", func(o *SalesOrder) { o.PricesIncludeTax = true },
			[]string{"totals.payable.amount totals_mismatch"}},
		{"prices include tax", func(o *SalesOrder) {
			o.PricesIncludeTax = true
			o.Totals.Payable = eur("108.27")
		}, nil},
		{"refunds exceed captures", func(o *SalesOrder) {
			o.Payments = append(o.Payments, PaymentTransaction{ID: "r2", Kind: TxnRefund, Status: TxnSuccess, Amount: eur("71.51")})
		}, []string{"payments refund_exceeds_capture"}},
		{"refunds equal captures", func(o *SalesOrder) {
			o.Payments = append(o.Payments, PaymentTransaction{ID: "r2", Kind: TxnRefund, Status: TxnSuccess, Amount: eur("71.50")})
		}, nil},
		{"failed and pending refunds do not count", func(o *SalesOrder) {
			o.Payments = append(o.Payments,
				PaymentTransaction{ID: "r2", Kind: TxnRefund, Status: TxnFailure, Amount: eur("500")},
				PaymentTransaction{ID: "r3", Kind: TxnRefund, Status: TxnPending, Amount: eur("500")})
		}, nil},
		{"sales count as captures", func(o *SalesOrder) {
			o.Payments = []PaymentTransaction{
				{ID: "s1", Kind: TxnSale, Status: TxnSuccess, Amount: eur("50.00")},
				{ID: "r1", Kind: TxnRefund, Status: TxnSuccess, Amount: eur("50.00")},
			}
		}, nil},
		{"captures exceed the authorisation", func(o *SalesOrder) {
			o.Payments = append(o.Payments, PaymentTransaction{ID: "c2", Kind: TxnCapture, Status: TxnSuccess, Amount: eur("49.93"), ParentID: "a1"})
		}, []string{"payments[3].amount.amount capture_exceeds_authorization"}},
		{"transaction amount zero", func(o *SalesOrder) { o.Payments[1].Amount = eur("0") },
			[]string{"payments[1].amount.amount not_positive", "payments refund_exceeds_capture"}},
		{"void of zero", func(o *SalesOrder) {
			o.Payments = append(o.Payments, PaymentTransaction{ID: "v1", Kind: TxnVoid, Status: TxnSuccess, Amount: eur("0"), ParentID: "a1"})
		}, nil},
		{"transaction id repeated", func(o *SalesOrder) { o.Payments[2].ID = "a1" }, []string{"payments[2].id duplicate"}},
		{"transaction kind unknown", func(o *SalesOrder) { o.Payments[0].Kind = "preauth" }, []string{"payments[0].kind oneof"}},
		{"every problem at once", func(o *SalesOrder) {
			o.Number = ""
			o.Lines[0].SKU = "bad sku"
			o.Lines[1].Returned = qty("2", UnitPiece)
			o.Totals.Payable = eur("1")
		}, []string{"number required", "lines[0].sku sku", "lines[1].returned.value over_returned", "totals.payable.amount totals_mismatch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validOrder()
			tt.mutate(&o)
			checkProblems(t, o.Validate(), tt.want...)
		})
	}
}

func TestSalesOrderRoundingMode(t *testing.T) {
	// One line of 1 × price; the net must be the price rounded with the
	// document's mode.
	tests := []struct {
		price string
		mode  RoundingMode
		net   string
		ok    bool
	}{
		{"0.125", HalfUp, "0.13", true},
		{"0.125", "", "0.13", true}, // empty means half-up
		{"0.125", HalfEven, "0.12", true},
		{"0.125", HalfEven, "0.13", false},
		{"0.135", HalfEven, "0.14", true},
		{"0.1251", HalfEven, "0.13", true},
		{"0.124", HalfUp, "0.12", true},
	}
	for _, tt := range tests {
		t.Run(tt.price+" "+string(tt.mode)+" "+tt.net, func(t *testing.T) {
			o := SalesOrder{
				Number: "SO-1", Currency: "EUR", Status: OrderDraft, Rounding: tt.mode,
				Lines:  []SalesOrderLine{{LineID: "1", SKU: "X", Ordered: Qty(1, UnitOne), UnitPrice: eur(tt.price), Net: eur(tt.net)}},
				Totals: Totals{LineNet: eur(tt.net), Payable: eur(tt.net)},
			}
			err := o.Validate()
			if tt.ok {
				checkProblems(t, err)
			} else {
				checkProblems(t, err, "lines[0].net.amount totals_mismatch")
			}
		})
	}
}

func TestSalesOrderRoundingJPY(t *testing.T) {
	// Yen has no minor unit: 3 × 333.5 = 1000.5 rounds to 1001 half-up.
	o := SalesOrder{
		Number: "SO-1", Currency: "JPY", Status: OrderDraft,
		Lines:  []SalesOrderLine{{LineID: "1", SKU: "X", Ordered: Qty(3, UnitOne), UnitPrice: MustMoney("333.5", "JPY"), Net: MustMoney("1001", "JPY")}},
		Totals: Totals{LineNet: MustMoney("1001", "JPY"), Payable: MustMoney("1001", "JPY")},
	}
	checkProblems(t, o.Validate())
	o.Lines[0].Net = MustMoney("1000.5", "JPY")
	o.Totals = Totals{LineNet: MustMoney("1000.5", "JPY"), Payable: MustMoney("1000.5", "JPY")}
	checkProblems(t, o.Validate(), "lines[0].net.amount totals_mismatch")
}

func TestValidationErrorDetails(t *testing.T) {
	o := validOrder()
	o.Lines[1].Shipped = qty("2", UnitPiece)
	o.ShipTo.Country = "XX"
	err := o.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate() = %v, want *ValidationError", err)
	}
	if ve.Entity != "SalesOrder" {
		t.Errorf("Entity = %q", ve.Entity)
	}
	byPath := map[string]FieldError{}
	for _, fe := range ve.FieldErrors() {
		byPath[fe.Path] = fe
	}
	if fe := byPath["lines[1].shipped.value"]; fe.Code != CodeOverShipped || fe.Value != "2" || !strings.Contains(fe.Message, "ordered 2") {
		t.Errorf("over-shipped error = %+v", fe)
	}
	if fe := byPath["shipTo.country"]; fe.Code != CodeCountry || fe.Value != "XX" {
		t.Errorf("country error = %+v", fe)
	}
	if !strings.Contains(err.Error(), "SalesOrder is invalid: ") || !strings.Contains(err.Error(), "shipTo.country: ") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestValidSKU(t *testing.T) {
	tests := []struct {
		sku  string
		want bool
	}{
		{"TSHIRT-BLK-M", true},
		{"a/b_c.d#1", true},
		{"Größe-XL", true},
		{longString("x", 64), true},
		{longString("ß", 64), true},
		{"", false},
		{longString("x", 65), false},
		{"TSHIRT BLK", false},
		{"TSHIRT\tBLK", false},
		{"TSHIRT\u00a0BLK", false}, // no-break space
		{"TSHIRT\u2003BLK", false}, // em space
		{"SKU\x00", false},
		{"SKU\u0085", false}, // next line (control)
		{"\xff\xfe", false},  // not UTF-8
	}
	for _, tt := range tests {
		if got := ValidSKU(tt.sku); got != tt.want {
			t.Errorf("ValidSKU(%q) = %v, want %v", tt.sku, got, tt.want)
		}
	}
}

func TestValidCountry(t *testing.T) {
	if len(countries) != 249 {
		t.Errorf("country table has %d codes, want ISO 3166-1's 249", len(countries))
	}
	for _, c := range []string{"GB", "DE", "US", "JP", "AX", "BQ", "CW", "SS", "SX", "ZW", "AQ"} {
		if !ValidCountry(c) {
			t.Errorf("ValidCountry(%q) = false", c)
		}
	}
	for _, c := range []string{"", "UK", "EU", "XK", "gb", "GBR", "G", "AN", "YU", "ZZ"} {
		if ValidCountry(c) {
			t.Errorf("ValidCountry(%q) = true", c)
		}
	}
}

func TestCustomerValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Customer)
		want   []string
	}{
		{"valid", func(c *Customer) {}, nil},
		{"name missing", func(c *Customer) { c.Name = "" }, []string{"name required"}},
		{"email", func(c *Customer) { c.Email = "accounts@" }, []string{"email email"}},
		{"address country", func(c *Customer) { c.Addresses[0].Country = "England" }, []string{"addresses[0].country country"}},
		{"contact email", func(c *Customer) { c.Contacts[0].Email = "ada" }, []string{"contacts[0].email email"}},
		{"tax id scheme", func(c *Customer) { c.TaxIDs[0].Scheme = "" }, []string{"taxIds[0].scheme required"}},
		{"tax id country", func(c *Customer) { c.TaxIDs[0].Country = "GR1" }, []string{"taxIds[0].country country"}},
		{"currency", func(c *Customer) { c.Currency = "EURO" }, []string{
			"currency currency", "creditLimit.currency currency_mismatch", "balance.currency currency_mismatch",
		}},
		{"credit status", func(c *Customer) { c.CreditStatus = "frozen" }, []string{"creditStatus oneof"}},
		{"credit limit in another currency", func(c *Customer) { c.CreditLimit = ptr(MustMoney("100", "USD")) },
			[]string{"creditLimit.currency currency_mismatch"}},
		{"credit limit negative", func(c *Customer) { c.CreditLimit = ptr(eur("-1")) }, []string{"creditLimit.amount negative"}},
		{"balance may be negative (credit balance)", func(c *Customer) { c.Balance = ptr(eur("-50.00")) }, nil},
		{"no currency: limit and balance agree", func(c *Customer) { c.Currency = ""; c.Balance = ptr(MustMoney("1", "USD")) },
			[]string{"balance.currency currency_mismatch"}},
		{"ref id missing", func(c *Customer) { c.Refs[0].ID = "" }, []string{"refs[0].id required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCustomer()
			tt.mutate(&c)
			checkProblems(t, c.Validate(), tt.want...)
		})
	}
}

func TestProductValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *Product)
		want   []string
	}{
		{"valid", func(p *Product) {}, nil},
		{"sku", func(p *Product) { p.SKU = "T SHIRT" }, []string{"sku sku"}},
		{"name", func(p *Product) { p.Name = "" }, []string{"name required"}},
		{"gtin letters", func(p *Product) { p.GTIN = "05012345A78900" }, []string{"gtin numeric"}},
		{"gtin short", func(p *Product) { p.GTIN = "1234567" }, []string{"gtin min"}},
		{"base unit", func(p *Product) { p.BaseUnit = "pcs" }, []string{"baseUnit unit"}},
		{"conversion unit", func(p *Product) { p.Conversions[0].Unit = "BOX12" }, []string{"conversions[0].unit unit"}},
		{"conversion factor zero", func(p *Product) { p.Conversions[0].Factor = dec("0") }, []string{"conversions[0].factor not_positive"}},
		{"conversion unit repeated", func(p *Product) {
			p.Conversions = append(p.Conversions, UnitConversion{Unit: UnitBox, Factor: dec("24")})
		}, []string{"conversions[1].unit duplicate"}},
		{"variant sku repeated", func(p *Product) { p.Variants[1].SKU = p.Variants[0].SKU }, []string{"variants[1].sku duplicate"}},
		{"variant sku missing", func(p *Product) { p.Variants[1].SKU = "" }, []string{"variants[1].sku required"}},
		{"variant price negative", func(p *Product) { p.Variants[0].Price = ptr(eur("-1")) }, []string{"variants[0].price.amount negative"}},
		{"variant price without currency", func(p *Product) { p.Variants[0].Price.Currency = "" }, []string{"variants[0].price.currency required"}},
		{"variant price currency", func(p *Product) { p.Variants[0].Price.Currency = "EUX" }, []string{"variants[0].price.currency currency"}},
		{"weight without unit", func(p *Product) { p.Weight.Unit = "" }, []string{"weight.unit required"}},
		{"weight negative", func(p *Product) { p.Variants[1].Weight = ptr(qty("-0.2", UnitKilogram)) }, []string{"variants[1].weight.value negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validProduct()
			tt.mutate(&p)
			checkProblems(t, p.Validate(), tt.want...)
		})
	}
}

func TestStockLevelValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(s *StockLevel)
		want   []string
	}{
		{"valid", func(s *StockLevel) {}, nil},
		{"oversold is allowed", func(s *StockLevel) { s.OnHand = qty("-3", UnitOne); s.Available = qty("-18", UnitOne) }, nil},
		{"sku", func(s *StockLevel) { s.SKU = "" }, []string{"sku required"}},
		{"location", func(s *StockLevel) { s.Location = "" }, []string{"location required"}},
		{"as of", func(s *StockLevel) { s.AsOf = time.Time{} }, []string{"asOf required"}},
		{"on hand unit", func(s *StockLevel) { s.OnHand.Unit = "" }, []string{"onHand.unit required"}},
		{"allocated in another unit", func(s *StockLevel) { s.Allocated.Unit = UnitBox }, []string{"allocated.unit unit_mismatch"}},
		{"available unit not Rec 20", func(s *StockLevel) { s.Available.Unit = "pcs" }, []string{"available.unit unit", "available.unit unit_mismatch"}},
		{"allocated negative", func(s *StockLevel) { s.Allocated = qty("-1", UnitOne) }, []string{"allocated.value negative"}},
		{"sequence negative", func(s *StockLevel) { s.Sequence = -1 }, []string{"sequence negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validStockLevel()
			tt.mutate(&s)
			checkProblems(t, s.Validate(), tt.want...)
		})
	}
}

func TestPriceListValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(pl *PriceList)
		want   []string
	}{
		{"valid", func(pl *PriceList) {}, nil},
		{"name", func(pl *PriceList) { pl.Name = "" }, []string{"name required"}},
		{"currency", func(pl *PriceList) { pl.Currency = "" }, []string{"currency required"}},
		{"price in another currency", func(pl *PriceList) { pl.Prices[2].UnitPrice.Currency = "GBP" }, []string{"prices[2].unitPrice.currency currency_mismatch"}},
		{"price negative", func(pl *PriceList) { pl.Prices[2].UnitPrice = eur("-6") }, []string{"prices[2].unitPrice.amount negative"}},
		{"free item", func(pl *PriceList) { pl.Prices[2].UnitPrice = eur("0.00") }, nil},
		{"price sku", func(pl *PriceList) { pl.Prices[0].SKU = "" }, []string{"prices[0].sku required"}},
		{"min quantity zero", func(pl *PriceList) { pl.Prices[1].MinQuantity = ptr(qty("0", UnitOne)) }, []string{"prices[1].minQuantity.value not_positive"}},
		{"min quantity without unit", func(pl *PriceList) { pl.Prices[1].MinQuantity.Unit = "" }, []string{"prices[1].minQuantity.unit required"}},
		{"valid to before valid from", func(pl *PriceList) { pl.Prices[0].ValidTo = pl.Prices[0].ValidFrom.AddDays(-1) }, []string{"prices[0].validTo invalid_range"}},
		{"one-day price", func(pl *PriceList) { pl.Prices[0].ValidTo = pl.Prices[0].ValidFrom }, nil},
		{"same break twice", func(pl *PriceList) {
			p := pl.Prices[1]
			p.MinQuantity = ptr(qty("10.0", UnitOne)) // numerically the same break
			pl.Prices = append(pl.Prices, p)
		}, []string{"prices[3] duplicate"}},
		{"another break", func(pl *PriceList) {
			p := pl.Prices[1]
			p.MinQuantity = ptr(qty("100", UnitOne))
			pl.Prices = append(pl.Prices, p)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := validPriceList()
			tt.mutate(&pl)
			checkProblems(t, pl.Validate(), tt.want...)
		})
	}
}

func TestShipmentValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(s *Shipment)
		want   []string
	}{
		{"valid", func(s *Shipment) {}, nil},
		{"status", func(s *Shipment) { s.Status = "gone" }, []string{"status oneof"}},
		{"order", func(s *Shipment) { s.Order = "" }, []string{"order required"}},
		{"no lines", func(s *Shipment) { s.Lines = nil }, []string{"lines required"}},
		{"quantity zero", func(s *Shipment) { s.Lines[1].Quantity.Value = dec("0") }, []string{"lines[1].quantity.value not_positive"}},
		{"quantity negative", func(s *Shipment) { s.Lines[1].Quantity.Value = dec("-1") }, []string{"lines[1].quantity.value not_positive"}},
		{"quantity without unit", func(s *Shipment) { s.Lines[0].Quantity.Unit = "" }, []string{"lines[0].quantity.unit required"}},
		{"line of another order", func(s *Shipment) { s.Lines[1].OrderLine.Document = "SO-999" }, []string{"lines[1].orderLine.document order_mismatch"}},
		{"order line ref incomplete", func(s *Shipment) { s.Lines[1].OrderLine.LineID = "" }, []string{"lines[1].orderLine.lineId required"}},
		{"line id repeated", func(s *Shipment) { s.Lines[1].LineID = "1" }, []string{"lines[1].lineId duplicate_line_id"}},
		{"ship-to country", func(s *Shipment) { s.ShipTo.Country = "" }, []string{"shipTo.country required"}},
		{"tracking url", func(s *Shipment) { s.TrackingURL = "not a url" }, []string{"trackingUrl url"}},
		{"label cost currency", func(s *Shipment) { s.Label.Cost.Currency = "EUX" }, []string{"label.cost.currency currency"}},
		{"weight negative", func(s *Shipment) { s.Weight = ptr(qty("-1", UnitKilogram)) }, []string{"weight.value negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validShipment()
			tt.mutate(&s)
			checkProblems(t, s.Validate(), tt.want...)
		})
	}
}

func TestInvoiceValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(inv *Invoice)
		want   []string
	}{
		{"valid", func(inv *Invoice) {}, nil},
		{"draft without issue date", func(inv *Invoice) { inv.Status = InvoiceDraft; inv.IssueDate, inv.DueDate = Date{}, Date{} }, nil},
		{"issued without issue date", func(inv *Invoice) { inv.IssueDate = Date{} }, []string{"issueDate required"}},
		{"due before issue", func(inv *Invoice) { inv.DueDate = inv.IssueDate.AddDays(-1) }, []string{"dueDate invalid_range"}},
		{"status", func(inv *Invoice) { inv.Status = "overdue" }, []string{"status oneof"}},
		{"quantity zero", func(inv *Invoice) {
			inv.Lines[1].Quantity.Value = dec("0")
		}, []string{"lines[1].quantity.value not_positive", "lines[1].net.amount totals_mismatch"}},
		{"line id repeated", func(inv *Invoice) { inv.Lines[1].LineID = "1" }, []string{"lines[1].lineId duplicate_line_id"}},
		{"line sku", func(inv *Invoice) { inv.Lines[1].SKU = "MUG WHT" }, []string{"lines[1].sku sku"}},
		{"line without sku is fine", func(inv *Invoice) { inv.Lines[1].SKU = "" }, nil},
		{"order line ref incomplete", func(inv *Invoice) { inv.Lines[0].OrderLine.LineID = "" }, []string{"lines[0].orderLine.lineId required"}},
		{"net wrong", func(inv *Invoice) { inv.Lines[0].Net = eur("39.98") },
			[]string{"lines[0].net.amount totals_mismatch", "totals.lineNet.amount totals_mismatch"}},
		{"paid in another currency", func(inv *Invoice) { inv.Paid.Currency = "USD" }, []string{"paid.currency currency_mismatch"}},
		{"paid negative", func(inv *Invoice) { inv.Paid = eur("-1") }, []string{"paid.amount negative"}},
		{"payable wrong", func(inv *Invoice) { inv.Totals.Payable = eur("59.33") }, []string{"totals.payable.amount totals_mismatch"}},
		{"charges total wrong", func(inv *Invoice) { inv.Totals.Charges = Money{} },
			[]string{"totals.charges.amount totals_mismatch", "totals.payable.amount totals_mismatch"}},
		{"half-even document", func(inv *Invoice) {
			// 2 × 19.99 − 4.00 = 35.98 has no tie; the rule accepts the mode.
			inv.Rounding = HalfEven
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := validInvoice()
			tt.mutate(&inv)
			checkProblems(t, inv.Validate(), tt.want...)
		})
	}
}

func TestCreditNoteValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(cn *CreditNote)
		want   []string
	}{
		{"valid", func(cn *CreditNote) {}, nil},
		{"number", func(cn *CreditNote) { cn.Number = "" }, []string{"number required"}},
		{"issued without date", func(cn *CreditNote) { cn.IssueDate = Date{} }, []string{"issueDate required"}},
		{"stated as a negative amount", func(cn *CreditNote) {
			cn.Lines[0].UnitPrice = eur("-8.50")
			cn.Lines[0].Net = eur("-8.50")
			cn.Taxes[0].Taxable, cn.Taxes[0].Tax = eur("-8.50"), eur("-1.70")
			cn.Totals = Totals{LineNet: eur("-8.50"), Tax: eur("-1.70"), Payable: eur("-10.20")}
		}, []string{"lines[0].unitPrice.amount negative", "totals.payable.amount negative"}},
		{"totals disagree with lines", func(cn *CreditNote) { cn.Totals.LineNet = eur("10.00") },
			[]string{"totals.lineNet.amount totals_mismatch", "totals.payable.amount totals_mismatch"}},
		{"tax disagrees with breakdown", func(cn *CreditNote) { cn.Totals.Tax = eur("1.71"); cn.Totals.Payable = eur("10.21") },
			[]string{"totals.tax.amount totals_mismatch"}},
		{"line in another currency", func(cn *CreditNote) { cn.Lines[0].Net.Currency = "USD" },
			[]string{"lines[0].net.currency currency_mismatch"}},
		{"quantity without unit", func(cn *CreditNote) { cn.Lines[0].Quantity.Unit = "" }, []string{"lines[0].quantity.unit required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cn := validCreditNote()
			tt.mutate(&cn)
			checkProblems(t, cn.Validate(), tt.want...)
		})
	}
}

func TestPaymentValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *Payment)
		want   []string
	}{
		{"valid", func(p *Payment) {}, nil},
		{"unallocated remainder is fine", func(p *Payment) { p.Allocations = p.Allocations[:1] }, nil},
		{"amount zero", func(p *Payment) { p.Amount = eur("0"); p.Allocations = nil }, []string{"amount.amount not_positive"}},
		{"currency missing", func(p *Payment) {
			p.Amount.Currency = ""
			p.Allocations = nil
		}, []string{"amount.currency required"}},
		{"received on", func(p *Payment) { p.ReceivedOn = Date{} }, []string{"receivedOn required"}},
		{"allocation in another currency", func(p *Payment) { p.Allocations[1].Amount.Currency = "USD" },
			[]string{"allocations[1].amount.currency currency_mismatch"}},
		{"allocation zero", func(p *Payment) { p.Allocations[1].Amount = eur("0") }, []string{"allocations[1].amount.amount not_positive"}},
		{"allocations exceed payment", func(p *Payment) { p.Allocations[1].Amount = eur("40.69") }, []string{"allocations over_allocated"}},
		{"invoice allocated twice", func(p *Payment) { p.Allocations[1].Invoice = "INV-0042" }, []string{"allocations[1].invoice duplicate"}},
		{"allocation without invoice", func(p *Payment) { p.Allocations[1].Invoice = "" }, []string{"allocations[1].invoice required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validPayment()
			tt.mutate(&p)
			checkProblems(t, p.Validate(), tt.want...)
		})
	}
}

func TestRefundValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(r *Refund)
		want   []string
	}{
		{"valid", func(r *Refund) {}, nil},
		{"amount only, no lines", func(r *Refund) { r.Lines, r.Shipping = nil, nil }, nil},
		{"amount disagrees with lines and shipping", func(r *Refund) { r.Shipping = ptr(eur("3.00")) },
			[]string{"amount.amount refund_amount_mismatch"}},
		{"amount zero", func(r *Refund) {
			r.Amount = eur("0")
			r.Lines, r.Shipping, r.Transactions = nil, nil, nil
		}, []string{"amount.amount not_positive"}},
		{"amount in another currency", func(r *Refund) { r.Amount.Currency = "USD" }, []string{"amount.currency currency_mismatch"}},
		{"order", func(r *Refund) { r.Order = "" }, []string{"order required"}},
		{"line of another order", func(r *Refund) { r.Lines[0].OrderLine.Document = "SO-1" }, []string{"lines[0].orderLine.document order_mismatch"}},
		{"line quantity zero", func(r *Refund) { r.Lines[0].Quantity.Value = dec("0") }, []string{"lines[0].quantity.value not_positive"}},
		{"line amount negative", func(r *Refund) {
			r.Lines[0].Amount = eur("-10.20")
			r.Amount = eur("2.00")
			r.Transactions[0].Amount = eur("2.00")
		}, []string{"lines[0].amount.amount negative", "amount.amount refund_amount_mismatch"}},
		{"transaction of another kind", func(r *Refund) { r.Transactions[0].Kind = TxnCapture }, []string{"transactions[0].kind invalid_kind"}},
		{"transactions exceed the refund", func(r *Refund) {
			r.Transactions = append(r.Transactions, PaymentTransaction{ID: "r2", Kind: TxnRefund, Status: TxnSuccess, Amount: eur("0.01")})
		}, []string{"transactions refund_exceeds_amount"}},
		{"failed retry does not count", func(r *Refund) {
			r.Transactions = append(r.Transactions, PaymentTransaction{ID: "r0", Kind: TxnRefund, Status: TxnFailure, Amount: eur("12.20")})
		}, nil},
		{"transaction id repeated", func(r *Refund) {
			r.Transactions = append(r.Transactions, PaymentTransaction{ID: "r1", Kind: TxnRefund, Status: TxnFailure, Amount: eur("1")})
		}, []string{"transactions[1].id duplicate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRefund()
			tt.mutate(&r)
			checkProblems(t, r.Validate(), tt.want...)
		})
	}
}

func TestReturnValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(r *Return)
		want   []string
	}{
		{"valid", func(r *Return) {}, nil},
		{"nothing received yet", func(r *Return) { r.Lines[0].Received = Quantity{} }, nil},
		{"status", func(r *Return) { r.Status = "lost" }, []string{"status oneof"}},
		{"requested zero", func(r *Return) { r.Lines[0].Requested.Value = dec("0") },
			[]string{"lines[0].requested.value not_positive", "lines[0].received.value over_received"}},
		{"received over requested", func(r *Return) { r.Lines[0].Received = qty("2", UnitPiece) }, []string{"lines[0].received.value over_received"}},
		{"received in another unit", func(r *Return) { r.Lines[0].Received.Unit = UnitBox }, []string{"lines[0].received.unit unit_mismatch"}},
		{"received negative", func(r *Return) { r.Lines[0].Received.Value = dec("-1") }, []string{"lines[0].received.value negative"}},
		{"disposition", func(r *Return) { r.Lines[0].Disposition = "burn" }, []string{"lines[0].disposition oneof"}},
		{"line of another order", func(r *Return) { r.Lines[0].OrderLine.Document = "SO-1" }, []string{"lines[0].orderLine.document order_mismatch"}},
		{"line id repeated", func(r *Return) { r.Lines = append(r.Lines, r.Lines[0]) }, []string{"lines[1].lineId duplicate_line_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validReturn()
			tt.mutate(&r)
			checkProblems(t, r.Validate(), tt.want...)
		})
	}
}
