package o2c

import (
	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/ecommerce"
	"github.com/junctionhq/junction/ecommerce/memshop"
)

// Shop platforms Config.Shop chooses between.
const (
	// OnMemshop runs the shop on the in-memory simulator (the default).
	OnMemshop = "memshop"
	// OnShopify runs the shop on the Shopify fake (shopifytest), reached by
	// the Shopify connector over HTTP on loopback.
	OnShopify = "shopify"
)

// Storefront is the shop as the day uses it. The flows use only its port
// (ecommerce.Shop); the rest is what people do at the shop, customers
// registering, checking out, amending and cancelling, the merchant adding
// products and refunding, and what an operator reads back from its admin to
// reconcile. Every shop platform the example runs on implements it.
//
// Keys are the shop's own: customers by the key AddCustomer returns (which is
// also the ID of the customer's shop ref), orders by their number ("#1001").
// Errors are *connector.Error values whose Kind says whether to try again.
type Storefront interface {
	ecommerce.Shop

	// AddProduct adds a product to the catalogue.
	AddProduct(p canonical.Product) error
	// AddCustomer registers a customer account and returns its key.
	AddCustomer(c canonical.Customer) (string, error)
	// Customer returns the account key.
	Customer(key string) (canonical.Customer, bool)
	// PlaceOrder checks out an order for a customer (a PartyRef with the
	// shop's ref): lines (SKU, Ordered, UnitPrice), a shipping charge and the
	// addresses. The shop numbers, prices and takes payment for it.
	PlaceOrder(o canonical.SalesOrder) (canonical.SalesOrder, error)
	// AmendOrder changes an order's lines: edit receives a copy; a line
	// without LineID is added, a line whose Ordered changed is changed, a line
	// left out is removed.
	AmendOrder(number string, edit func(*canonical.SalesOrder) error) (canonical.SalesOrder, error)
	// CancelOrder cancels an order nothing of which has shipped, and refunds
	// what was paid.
	CancelOrder(number, reason string) (canonical.SalesOrder, error)
	// Refund refunds a quantity of some lines and, optionally, shipping.
	Refund(number string, lines []canonical.RefundLine, shipping *canonical.Money, reason string) (canonical.Refund, error)

	// OrderByNumber returns the order as the shop holds it now.
	OrderByNumber(number string) (canonical.SalesOrder, bool)
	// ListOrders returns every order, oldest first.
	ListOrders() []canonical.SalesOrder
	// RefundsOf returns an order's refunds, oldest first: those made with
	// Refund and those its cancellation (or amendments) issued.
	RefundsOf(number string) []canonical.Refund
	// FulfillmentsOf returns an order's fulfilments, oldest first.
	FulfillmentsOf(number string) []canonical.Shipment
	// Available returns what the shop can sell of sku at location; ok is
	// false when no stock level was ever set there.
	Available(sku, location string) (canonical.Quantity, bool)
}

// memFront is the in-memory shop as a Storefront.
type memFront struct{ *memshop.Shop }

// Refund refunds money only (no restock), as the day's partial refunds do.
func (m memFront) Refund(number string, lines []canonical.RefundLine, shipping *canonical.Money, reason string) (canonical.Refund, error) {
	return m.Shop.Refund(number, lines, shipping, reason)
}

var (
	_ Storefront = memFront{}
	_ Storefront = (*shopifyFront)(nil)
)
