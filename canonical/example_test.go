package canonical_test

import (
	"errors"
	"fmt"

	"github.com/junctionhq/junction/canonical"
)

// newOrder builds a two-line order the way a connector would after reading
// one from a shop: 2 × 12.50 and 1 × 7.99 EUR, with a 2.00 welcome discount.
func newOrder() canonical.SalesOrder {
	eur := func(s string) canonical.Money { return canonical.MustMoney(s, "EUR") }
	return canonical.SalesOrder{
		Meta:     canonical.Meta{ID: "ord-1", Refs: []canonical.ExternalRef{{System: "shopify", ID: "5893012345"}}},
		Number:   "SO-1001",
		Currency: "EUR",
		Status:   canonical.OrderSubmitted,
		ShipTo:   canonical.Address{Name: "Ada Lovelace", City: "London", Country: "GB"},
		Lines: []canonical.SalesOrderLine{
			{LineID: "1", SKU: "MUG-WHT", Ordered: canonical.Qty(2, canonical.UnitPiece), UnitPrice: eur("12.50"), Net: eur("25.00")},
			{LineID: "2", SKU: "TEA-EARLGREY", Ordered: canonical.Qty(1, canonical.UnitPiece), UnitPrice: eur("7.99"), Net: eur("7.99")},
		},
		Charges: []canonical.AllowanceCharge{{Code: "WELCOME", Amount: eur("2.00")}},
		Totals: canonical.Totals{
			LineNet:    eur("32.99"),
			Allowances: eur("2.00"),
			Payable:    eur("30.99"),
		},
	}
}

// Build an order, check it, and read what is derived from it.
func ExampleSalesOrder() {
	o := newOrder()
	if err := o.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(o.Number, o.Status, o.Totals.Payable)
	fmt.Println(o.FulfillmentStatus(), o.BillingStatus(), o.PaymentStatus())

	// The warehouse ships one mug: fulfilment is now partial.
	o.Lines[0].Shipped = canonical.Qty(1, canonical.UnitPiece)
	fmt.Println(o.FulfillmentStatus())
	// Output:
	// SO-1001 submitted 30.99 EUR
	// unfulfilled unbilled pending
	// partial
}

// Validation reports every problem at once, each with a JSON path and a
// stable code.
func ExampleSalesOrder_Validate() {
	o := newOrder()
	o.Lines[1].SKU = "TEA EARLGREY"                            // a space
	o.Lines[0].Shipped = canonical.Qty(3, canonical.UnitPiece) // more than ordered
	o.Lines[1].UnitPrice = canonical.MustMoney("7.99", "USD")  // wrong currency
	o.Totals.Payable = canonical.MustMoney("31.00", "EUR")     // does not add up
	o.ShipTo.Country = "UK"                                    // ISO says GB

	var ve *canonical.ValidationError
	if errors.As(o.Validate(), &ve) {
		for _, fe := range ve.Errors {
			fmt.Printf("%-28s %s\n", fe.Path, fe.Code)
		}
	}
	// Output:
	// shipTo.country               country
	// lines[1].sku                 sku
	// lines[0].shipped.value       over_shipped
	// lines[1].unitPrice.currency  currency_mismatch
	// totals.payable.amount        totals_mismatch
}

// Spread an order discount over the lines in proportion to their nets; the
// parts always add up to the discount exactly.
func ExampleMoney_Allocate() {
	discount := canonical.MustMoney("10.00", "EUR")
	nets := []canonical.Decimal{
		canonical.MustDecimal("25.00"),
		canonical.MustDecimal("7.99"),
		canonical.MustDecimal("14.50"),
	}
	parts, err := discount.Allocate(nets...)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, p := range parts {
		fmt.Printf("line %d: %s\n", i+1, p)
	}

	thirds, _ := canonical.MustMoney("100.00", "EUR").Allocate(
		canonical.DecimalFromInt(1), canonical.DecimalFromInt(1), canonical.DecimalFromInt(1))
	fmt.Println(thirds)
	// Output:
	// line 1: 5.27 EUR
	// line 2: 1.68 EUR
	// line 3: 3.05 EUR
	// [33.34 EUR 33.33 EUR 33.33 EUR]
}

// A move the state machine does not allow returns a *TransitionError; the
// order keeps its status.
func ExampleSalesOrder_Transition() {
	o := newOrder() // submitted
	if err := o.Transition(canonical.OrderAccepted); err != nil {
		fmt.Println(err)
	}
	err := o.Transition(canonical.OrderClosed) // must be completed first
	var te *canonical.TransitionError
	if errors.As(err, &te) {
		fmt.Println(te.Entity, te.From, "→", te.To, "refused")
	}
	fmt.Println(o.Status, o.Status.Next())
	// Output:
	// SalesOrder accepted → closed refused
	// accepted [in_progress cancelled]
}

// A guard refuses a move the table allows: an order that has shipped cannot
// be cancelled outright, but Cancel cancels the remainder and completes it.
func ExampleSalesOrder_Cancel() {
	o := newOrder()
	o.Status = canonical.OrderInProgress
	o.Lines[0].Shipped = canonical.Qty(1, canonical.UnitPiece)

	fmt.Println(o.Transition(canonical.OrderCancelled))
	if err := o.Cancel("customer request"); err != nil {
		fmt.Println(err)
	}
	fmt.Println(o.Status, o.Lines[0].Cancelled, o.Lines[1].Cancelled, o.FulfillmentStatus())
	// Output:
	// SalesOrder: transition from "in_progress" to "cancelled" is not allowed: line 1 has shipped 1 H87; cancel the remainder instead
	// completed 1 H87 1 H87 fulfilled
}
