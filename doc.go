// Package junction is an embeddable Go SDK for business-systems integration: the
// order-to-cash traffic between e-commerce channels, ERP, courier platforms,
// finance systems and CRM. Customers, products, stock, prices, sales orders,
// invoices, shipment status and payments move accurately and on time, and every
// exception is visible, explained and replayable.
//
// # Package map
//
//   - canonical: typed business entities shared by every system, with exact
//     decimal money and quantities, validation and state machines.
//   - mapping: lookup tables, ID crosswalks, code and unit conversion, customer
//     matching, field-path errors and diffs.
//   - connector: the contract every connector implements (Source, Sink, Change,
//     Cursor, Version), error kinds and capabilities.
//   - connector/flow: the sync engine that runs flows on a schedule or a trigger
//     and records exactly one outcome for every change.
//   - connector/store: the state a flow keeps (checkpoints, ledger, exception
//     queue, crosswalk, leases); memstore in memory, sqlstore on PostgreSQL or SQLite.
//   - connector/httpx: the rate-limited, retrying HTTP/JSON client connectors
//     build on.
//   - connector/webhook: signature verification, de-duplication and an
//     http.Handler that rings a flow's doorbell.
//   - connector/connectortest: the conformance suite any Source or Sink must pass.
//
// # Quick start
//
// A flow reads changes from a source, maps them, validates them and applies them
// to a sink. The engine keeps the checkpoint, skips duplicates and stale
// versions, retries transient failures and parks what cannot be applied:
//
//	st := memstore.New()
//	eng := flow.NewEngine(st, flow.WithLogger(slog.Default()))
//	flow.Add(eng, flow.Flow[canonical.SalesOrder, canonical.SalesOrder]{
//		Name:   "shop-orders-to-erp",
//		Source: shopOrders,
//		Map:    mapOrder,
//		Sink:   erpOrders,
//		Every:  time.Minute,
//	})
//	go eng.Run(ctx)
//
// Webhooks ring the doorbell; the poll from the checkpoint is the truth, so a
// missed or duplicated delivery loses nothing.
package junction
