package o2c

import (
	"context"
	"fmt"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/sim"
	"github.com/junctionhq/junction/erp"
	"github.com/junctionhq/junction/erp/memerp"
)

// ERP platforms Config.ERP chooses between.
const (
	// OnMemerp runs the ERP on the in-memory simulator (the default).
	OnMemerp = "memerp"
	// OnBusinessCentral runs the ERP on the Business Central fake (bctest),
	// reached by the Business Central connector over HTTP on loopback.
	OnBusinessCentral = "bc"
)

// Backoffice is the ERP as the day uses it. The flows use only its port
// (erp.ERP); the rest is what people do in the ERP, the warehouse receiving
// goods and posting despatches, the credit controller holding and releasing
// accounts, and what an operator reads back from it to reconcile. Every ERP
// platform the example runs on implements it.
//
// Keys are the ERP's own: accounts, orders, despatches, invoices and credit
// notes by their numbers, items by the ERP's item number. Errors are
// *connector.Error values whose Kind says whether to try again.
type Backoffice interface {
	erp.ERP

	// AddItem adds an item to the catalogue at a list price.
	AddItem(sku, name string, unitPrice canonical.Money) error
	// Receive books a goods receipt of qty of sku at location.
	Receive(ctx context.Context, sku, location string, qty canonical.Quantity) error
	// SetCreditStatus puts an account on credit hold, blocks it, or releases
	// it (canonical.CreditOK). Orders of an account on hold are refused and
	// not despatched.
	SetCreditStatus(ctx context.Context, number string, s canonical.CreditStatus) error
	// Release runs a warehouse wave over the open orders of accounts not on
	// hold, and returns the despatches it made, oldest order first.
	Release(ctx context.Context) ([]canonical.Shipment, error)
	// SetFaults switches the ERP's injected misbehaviour on or off.
	SetFaults(f sim.Faults)

	// Orders returns every sales order, by number, those the ERP has
	// finished with (completed, cancelled) included.
	Orders() []canonical.SalesOrder
	// Order returns the sales order with the given number.
	Order(number string) (canonical.SalesOrder, bool)
	// OrderByPO returns the sales order with the given CustomerPO (the
	// shop's order number).
	OrderByPO(po string) (canonical.SalesOrder, bool)
	// Shipment returns the despatch with the given number.
	Shipment(number string) (canonical.Shipment, bool)
	// ShipmentsOf returns the despatches of an order, by number.
	ShipmentsOf(order string) []canonical.Shipment
	// Invoice returns the invoice with the given number.
	Invoice(number string) (canonical.Invoice, bool)
	// InvoicesOf returns the invoices of an order, by number.
	InvoicesOf(order string) []canonical.Invoice
	// CreditNote returns the credit note with the given number.
	CreditNote(number string) (canonical.CreditNote, bool)
	// Customer returns the account with the given number.
	Customer(number string) (canonical.Customer, bool)
	// Accounts returns every account, in the order they were opened.
	Accounts() []canonical.Customer
	// Level returns the stock level of sku at location; a level that never
	// changed has Sequence 0.
	Level(sku, location string) canonical.StockLevel
}

// memBack is the in-memory ERP as a Backoffice.
type memBack struct{ *memerp.ERP }

// Accounts returns the accounts memerp numbers C-000001, C-000002, ...
func (m memBack) Accounts() []canonical.Customer {
	var out []canonical.Customer
	for i := 1; ; i++ {
		num := fmt.Sprintf("C-%06d", i)
		c, ok := m.Customer(num)
		if !ok {
			return out
		}
		if c.Number == "" {
			c.Number = num
		}
		out = append(out, c)
	}
}

var (
	_ Backoffice = memBack{}
	_ Backoffice = (*bcBack)(nil)
)
