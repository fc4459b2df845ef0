package memledger_test

import (
	"context"
	"fmt"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/finance/memledger"
)

// An invoice is issued for an order; the customer pays by bank transfer,
// quoting the order number. The ledger matches the payment to the invoice,
// and nothing is due any more.
func Example() {
	ctx := context.Background()
	ledger := memledger.New(memledger.Config{
		Clock: connectortest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)),
	})
	customer := canonical.PartyRef{ID: "cust-42", Name: "Acme Ltd", Email: "ap@acme.example"}
	total := canonical.MustMoney("120.00", "GBP")

	inv := canonical.Invoice{
		Number: "INV-1001", Status: canonical.InvoiceIssued, Currency: "GBP", Customer: customer,
		IssueDate: canonical.DateOf(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)),
		Orders:    []string{"SO-1001"},
		Lines: []canonical.InvoiceLine{{
			LineID: "1", SKU: "MUG-BLUE", Quantity: canonical.Qty(4, canonical.UnitOne),
			UnitPrice: canonical.MustMoney("30.00", "GBP"), Net: total,
		}},
		Totals: canonical.Totals{LineNet: total, Payable: total},
	}
	if _, err := ledger.Invoices().Apply(ctx, connector.Write[canonical.Invoice]{
		Change: connector.Change[canonical.Invoice]{Key: inv.Number, Entity: inv},
	}); err != nil {
		fmt.Println(err)
		return
	}
	due, _ := ledger.AmountDue(ctx, "INV-1001")
	fmt.Println("due after invoicing:", due)

	pay := canonical.Payment{
		Customer: customer, Amount: total, Method: "bank_transfer", Reference: "SO-1001",
		ReceivedOn: canonical.DateOf(time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)),
	}
	if _, err := ledger.Payments().Apply(ctx, connector.Write[canonical.Payment]{
		Change: connector.Change[canonical.Payment]{Key: "PAY-77", Entity: pay},
	}); err != nil {
		fmt.Println(err)
		return
	}
	due, _ = ledger.AmountDue(ctx, "INV-1001")
	settled, _ := ledger.Invoice("INV-1001")
	fmt.Println("due after payment:", due)
	fmt.Println("status:", settled.Status, "paid:", settled.Paid)
	// Output:
	// due after invoicing: 120.00 GBP
	// due after payment: 0.00 GBP
	// status: paid paid: 120.00 GBP
}
