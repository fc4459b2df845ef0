// Package memerp is an in-memory ERP: the system of record for customer
// credit, stock, sales orders, despatches and invoices. It implements the
// erp.ERP port and behaves like a real ERP rather than a map, so that flows
// can be built and tested offline against the awkward cases of order to
// cash.
//
// # What it does
//
//   - Items and stock. AddItem creates an item; Receive books a goods receipt
//     at a location. Stock is kept per SKU and location as OnHand, Allocated
//     and Available = OnHand − Allocated; every change appends a snapshot to
//     the Stock log, keyed "sku@location", with a Sequence that rises across
//     the ERP, so a consumer recognises a late update.
//   - Customer accounts. The Customers sink opens an account ("C-000001") or
//     updates it, found by the Write's Target or the caller's key, so a retry
//     never opens a second one. The ERP owns credit: a default limit from
//     Config, SetCreditLimit, SetCreditStatus (ok, hold, blocked), and a
//     Balance of open invoices less credit notes. Every change is appended to
//     the CustomerChanges log.
//   - Sales orders. The SalesOrders sink needs the order's customer mapped to
//     an account (a ref with this ERP's System in Customer.Refs) and known
//     items; otherwise it is Invalid with the field paths. A create is
//     deduplicated by CustomerPO (the channel's order reference), numbered
//     ("SO-000001"), credit-checked (an account on hold or blocked, or
//     balance + open orders + this order over the limit, is a BusinessRule
//     error: the flow parks it, and a replay after the account is released
//     succeeds) and allocated from the locations in Config order; what is
//     short stays backordered and is filled by later receipts, oldest order
//     first. An amendment (a newer version of the same key) adds, changes and
//     removes lines by LineID and re-allocates; it may not take a line below
//     what has shipped, change a shipped line's SKU or price, touch what is
//     released to the warehouse, or change a fully shipped order: those are
//     BusinessRule errors. A Delete, or an order with status cancelled,
//     cancels an order that has not shipped and frees its stock.
//   - Despatches. Release creates planned shipments ("SH-000001") for the
//     allocated, unreleased stock of orders without a fulfilment hold, one
//     per order and location, and appends them to the Despatches log. Short
//     stock ships later in another shipment: a split delivery.
//   - Confirmations and invoices. The ShipmentConfirmations sink takes a
//     despatch as sent (label_created or later, with a tracking number): the
//     stock leaves, the order lines are shipped, the order moves to
//     in_progress or completed, and an invoice ("INV-000001") is issued for
//     exactly what shipped, appended to the Invoices log and added to the
//     account's balance. A despatch cancelled before it was sent returns its
//     quantities to the order's allocation. Repeating a confirmation has no
//     second effect.
//   - Credit notes. The CreditNotes sink issues a credit note ("CN-000001")
//     against an existing invoice, up to what is left of it, and reduces the
//     balance; an invoice credited in full becomes credited.
//
// Every sink is idempotent by Write.IdempotencyKey (a repeated key returns
// the first result, as Unchanged) and by the record's natural key, and
// reports a write older than the last version applied to its key as
// connector.Stale. Every sink call and command starts with the simulator's
// fault injection (latency, transient errors, rate limits), and every source
// is a change log that may deliver events twice or out of order, reproducibly
// for a given Config.Seed.
package memerp
