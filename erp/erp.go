// Package erp is the port for ERP systems: the system of record for customers'
// credit, stock, sales orders, despatches and invoices, in canonical types.
// Platform packages below it (erp/businesscentral) implement ERP against real
// APIs; erp/memerp simulates one in memory.
package erp

import (
	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// ERP is an enterprise resource planning system.
type ERP interface {
	// Customers creates and updates customer accounts (Sink) keyed by the
	// caller's key; the ERP assigns the account number returned in the ref.
	Customers() connector.Sink[canonical.Customer]
	// CustomerChanges yields account changes made in the ERP: credit limit,
	// holds, blocking.
	CustomerChanges() connector.Source[canonical.Customer]
	// SalesOrders creates and amends sales orders. A retry of a create never
	// makes a second order: the ERP finds the existing one by the channel's
	// order reference (CustomerPO). An order from a customer on hold, over its
	// credit limit, or an amendment of a shipped order is refused with the
	// connector.BusinessRule kind; a cancelled order is a Delete change.
	SalesOrders() connector.Sink[canonical.SalesOrder]
	// Despatches yields shipments the warehouse has picked and packed, ready for
	// a courier label (status planned), and their later states.
	Despatches() connector.Source[canonical.Shipment]
	// ShipmentConfirmations records a shipment as sent (label bought, tracking
	// known) or cancelled. Confirming a shipment moves the ordered stock out,
	// locks the shipped lines and issues the invoice for what shipped.
	ShipmentConfirmations() connector.Sink[canonical.Shipment]
	// Invoices yields invoices as the ERP issues them.
	Invoices() connector.Source[canonical.Invoice]
	// CreditNotes records credit notes (from refunds and returns) against
	// invoices.
	CreditNotes() connector.Sink[canonical.CreditNote]
	// Stock yields stock levels per SKU and location, with a per-source
	// sequence so that a late update is recognised.
	Stock() connector.Source[canonical.StockLevel]
}
