// Package o2c wires the order-to-cash integration that examples/ordertocash
// runs: a shop, an ERP, a courier, a finance ledger and a CRM (the in-memory
// simulators), joined by flows on one engine.
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
