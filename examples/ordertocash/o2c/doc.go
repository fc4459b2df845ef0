// Package o2c wires the order-to-cash integration that examples/ordertocash
// runs: a shop, an ERP, a courier, a finance ledger and a CRM (the in-memory
// simulators), joined by flows on one engine. The shop can run on the Shopify
// fake instead (Config.Shop = OnShopify): the flows then reach it through the
// Shopify connector over HTTP, and the day's customers and merchant act in
// the fake's admin. Either way the day drives it as a Storefront: the port
// the flows use, plus what people do at a shop and read back from it.
//
// Likewise the ERP can run on the Business Central fake (Config.ERP =
// OnBusinessCentral): the flows reach it through the Business Central
// connector over HTTP, the warehouse posts shipments and invoices in the
// fake's admin, and the day drives it as a Backoffice. Business Central is
// not memerp (no allocation, one stock level per item, despatches posted
// before a label is bought, its own line numbers); bcBack lists the
// differences, and the flows and checks that depend on them say so.
//
//	shop customers ─▶ ERP accounts (duplicates by email become one account) and CRM contacts
//	shop orders    ─▶ ERP sales orders (customer resolved or created, SKUs mapped), CRM deals
//	ERP despatches ─▶ courier labels;  courier tracking ─▶ ERP confirmations and shop fulfilments
//	ERP invoices   ─▶ ledger invoices; shop payments ─▶ ledger payments
//	shop refunds   ─▶ ERP and ledger credit notes;  ERP stock ─▶ shop inventory
//
// Everything a real deployment would configure lives in plain values: the
// SKU table (catalogue.csv, editable without a deploy), the location table, the
// ownership of stock, and address corrections an operator enters to fix a
// parked label. The awkward-case tests in this package drive each story
// through it and check the end state of every system.
package o2c
