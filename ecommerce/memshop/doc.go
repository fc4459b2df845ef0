// Package memshop is an in-memory sales channel that implements
// ecommerce.Shop and behaves like a hosted shop (Shopify, WooCommerce), so
// that flows, examples and tests run offline against realistic behaviour
// instead of a map.
//
// A Shop has a catalogue (AddProduct, unique SKUs), customer accounts
// (AddCustomer, where two accounts may share an email, as guest and
// registered checkouts do), and orders that customers place (PlaceOrder),
// amend (AmendOrder: lines added, changed or removed with stable line IDs) and
// cancel (CancelOrder), and that the merchant refunds line by line (Refund).
// The shop prices every order itself: line nets rounded half-up to the
// currency, discounts and shipping, an optional VAT rate, and a captured
// payment whose ledger follows every amendment, cancellation and refund.
//
// Other systems write to it through two sinks: Inventory takes stock levels
// per SKU and location and reports late (out-of-order) snapshots as stale;
// Fulfillments records shipments against orders, split deliveries
// included, refusing to ship more than is open. Orders, customers, products
// and refunds are read through change feeds (connector.Source) that, with
// faults switched on, deliver some events twice or out of order, as
// webhooks do.
//
// Every command and every sink write starts like a remote call: it can be
// slowed and can fail with a transient or rate-limit error (Config.Faults,
// SetFaults), drawn from a seeded random source, so a run can be replayed.
// Errors are *connector.Error values whose Kind says what to do: Invalid
// with field paths for bad data, BusinessRule for what the shop refuses
// (over-shipping, refunding more than was captured, amending a cancelled
// order), NotFound, Conflict, Transient and RateLimited.
package memshop
