package finance_test

import (
	"context"
	"fmt"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/finance"
	"github.com/junctionhq/junction/finance/memledger"
)

// An invoice and its payment through the port: nothing left due.
func Example() {
	ctx := context.Background()
	var l finance.Ledger = memledger.New(memledger.Config{System: "ledger"})
	amount := canonical.MustMoney("24.00", "EUR")
	cust := canonical.PartyRef{ID: "C-1", Email: "ada@example.com"}
	inv := canonical.Invoice{
		Number: "INV-1", Status: canonical.InvoiceIssued, IssueDate: canonical.Date{Year: 2026, Month: 11, Day: 26},
		Customer: cust, Currency: "EUR", Orders: []string{"SO-1"},
		Lines: []canonical.InvoiceLine{{LineID: "1", Quantity: canonical.Qty(2, canonical.UnitOne),
			UnitPrice: canonical.MustMoney("12.00", "EUR"), Net: amount}},
		Totals: canonical.Totals{LineNet: amount, Payable: amount},
	}
	if _, err := l.Invoices().Apply(ctx, connector.Write[canonical.Invoice]{
		Change: connector.Change[canonical.Invoice]{Key: "INV-1", Entity: inv}, IdempotencyKey: "i1"}); err != nil {
		fmt.Println(err)
		return
	}
	pay := canonical.Payment{Meta: canonical.Meta{ID: "P-1"}, Customer: cust, Amount: amount, Reference: "SO-1",
		ReceivedOn: canonical.Date{Year: 2026, Month: 11, Day: 27}}
	if _, err := l.Payments().Apply(ctx, connector.Write[canonical.Payment]{
		Change: connector.Change[canonical.Payment]{Key: "P-1", Entity: pay}, IdempotencyKey: "p1"}); err != nil {
		fmt.Println(err)
		return
	}
	due, _ := l.AmountDue(ctx, "INV-1")
	fmt.Println("due:", due)
	// Output:
	// due: 0.00 EUR
}
