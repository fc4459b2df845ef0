// Package ecommerce is the port for sales channels: what a shop (Shopify,
// WooCommerce, a marketplace) offers the rest of the business, in canonical
// types. Platform packages below it implement Shop against real APIs;
// ecommerce/memshop simulates one in memory.
package ecommerce

import (
	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// Shop is a sales channel. Each method returns a connector for one stream;
// capabilities beyond the contract (webhooks, get-by-key, batches) are
// discovered with connector.CapabilitiesOf.
type Shop interface {
	// Orders yields orders as customers place, amend and cancel them. An
	// amendment is a newer version of the same key; a cancellation is an order
	// with status cancelled.
	Orders() connector.Source[canonical.SalesOrder]
	// Customers yields customer accounts.
	Customers() connector.Source[canonical.Customer]
	// Products yields products and their variants.
	Products() connector.Source[canonical.Product]
	// Refunds yields refunds, full and partial, so finance can issue credit notes.
	Refunds() connector.Source[canonical.Refund]
	// Inventory sets stock levels per SKU and location. The shop keeps the
	// highest Sequence it applied per (SKU, location) and reports an older one
	// as stale.
	Inventory() connector.Sink[canonical.StockLevel]
	// Fulfillments records shipments against orders (split deliveries are
	// several shipments), with tracking, so customers see where parcels are.
	// The key of a write is the shipment number.
	Fulfillments() connector.Sink[canonical.Shipment]
}
