package o2c

import (
	"context"
	"errors"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/flow"
)

// addFlows registers every flow of the integration on the engine.
func (in *Integration) addFlows() error {
	var postedOrders func(context.Context, connector.Change[canonical.SalesOrder]) (bool, string)
	if in.erpOn == OnBusinessCentral {
		postedOrders = in.unposted
	}
	return errors.Join(
		add(in, flow.Flow[canonical.Customer, canonical.Customer]{
			Name: FlowCustomers, Source: in.Shop.Customers(), Map: in.customerToERP, Sink: in.ERP.Customers(),
			Entity: entCustomer, TargetSystem: ERP,
			// One at a time: two accounts with one email must not both create.
			Concurrency: 1,
		}),
		add(in, flow.Flow[canonical.SalesOrder, canonical.SalesOrder]{
			Name: FlowOrders, Source: in.Shop.Orders(), Map: in.orderToERP, Sink: in.ERP.SalesOrders(),
			Entity: entOrder, TargetSystem: ERP, Filter: postedOrders,
		}),
		add(in, flow.Flow[canonical.Shipment, canonical.Shipment]{
			Name: FlowDespatch, Source: flow.Split(in.ERP.Despatches(), cancelAsVoid), Filter: in.toBook,
			Map:  in.despatchToCourier,
			Sink: in.Courier.Shipments(), Entity: entShipment, TargetSystem: Courier,
		}),
		add(in, flow.Flow[canonical.Shipment, canonical.Shipment]{
			Name: FlowConfirm, Source: in.Courier.Tracking(), Map: flow.Identity[canonical.Shipment],
			Sink: in.ERP.ShipmentConfirmations(), Filter: in.toConfirm,
			// Tracking events are snapshots of a parcel: a later one (delivered,
			// voided) still applies when an earlier one is parked.
			Parked: flow.ContinuePastParked,
		}),
		add(in, flow.Flow[canonical.Shipment, canonical.Shipment]{
			Name: FlowFulfil, Source: in.Courier.Tracking(), Map: in.trackingToShop, Sink: in.Shop.Fulfillments(),
			Parked: flow.ContinuePastParked,
		}),
		add(in, flow.Flow[canonical.Invoice, canonical.Invoice]{
			Name: FlowInvoices, Source: in.ERP.Invoices(), Map: flow.Identity[canonical.Invoice], Sink: in.Ledger.Invoices(),
			Entity: entInvoice, TargetSystem: Ledger,
		}),
		add(in, flow.Flow[paymentIn, canonical.Payment]{
			Name: FlowPayments, Source: flow.Split(in.Shop.Orders(), captures), Filter: in.payable, Map: in.paymentToLedger,
			Sink: in.Ledger.Payments(),
		}),
		add(in, flow.Flow[canonical.Refund, canonical.CreditNote]{
			Name: FlowERPCredits, Source: in.Shop.Refunds(), Filter: in.creditable, Map: in.refundToCreditNote,
			Sink: in.ERP.CreditNotes(),
		}),
		add(in, flow.Flow[canonical.Refund, canonical.CreditNote]{
			Name: FlowLedgerCredits, Source: in.Shop.Refunds(), Filter: in.creditable, Map: in.refundToCreditNote,
			Sink: in.Ledger.CreditNotes(),
		}),
		add(in, flow.Flow[canonical.StockLevel, canonical.StockLevel]{
			Name: FlowStock, Source: in.ERP.Stock(), Map: in.stockToShop, Sink: in.Shop.Inventory(),
			// Stock levels are snapshots: the newest wins, and a late one is stale.
			Parked: flow.ContinuePastParked,
		}),
		add(in, flow.Flow[canonical.Customer, canonical.Customer]{
			Name: FlowContacts, Source: in.Shop.Customers(), Map: flow.Identity[canonical.Customer], Sink: in.CRM.Contacts(),
		}),
		add(in, flow.Flow[canonical.SalesOrder, canonical.SalesOrder]{
			Name: FlowDeals, Source: in.Shop.Orders(), Map: flow.Identity[canonical.SalesOrder], Sink: in.CRM.Deals(),
		}),
	)
}

// add registers a flow with the integration's worker count, unless the flow
// sets its own.
func add[S, D any](in *Integration, f flow.Flow[S, D]) error {
	if f.Concurrency == 0 {
		f.Concurrency = in.workers
	}
	return flow.Add(in.Engine, f)
}
