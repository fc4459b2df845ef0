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
//   - connector/connectortest: the conformance suite any Source or Sink must pass,
//     an in-memory system and a fake clock for tests.
//   - connector/sim: what simulators share: seeded faults and change logs that
//     duplicate and reorder events as real feeds do.
//   - ecommerce, erp, courier, finance, crm: one port per domain, in canonical
//     types. Below each, the platform packages (ecommerce/shopify,
//     erp/businesscentral), each with a fake server (shopifytest, bctest), and
//     an in-memory simulator (memshop, memerp, memcourier, memledger, memcrm).
//   - examples: runnable programs on the simulators; examples/ordertocash is
//     the whole order-to-cash day.
//
// # Quick start
//
// A flow reads changes from a source, maps them, validates them and applies them
// to a sink. The engine keeps the checkpoint, skips duplicates and stale
// versions, retries transient failures and parks what cannot be applied:
//
//	st := memstore.New() // or sqlstore.Open(ctx, db, sqlstore.Postgres)
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
// Webhooks ring the doorbell (webhook.New with a platform's Verifier and
// eng.Notify); the poll from the checkpoint is the truth, so a missed or
// duplicated delivery loses nothing. Parked changes wait in the store's
// exception queue with their payload and reason; eng.Replay runs one again
// through the current mapping after a fix.
package junction
