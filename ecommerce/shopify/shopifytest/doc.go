// Package shopifytest is a fake Shopify shop that serves the GraphQL Admin
// API over HTTP (net/http/httptest), for tests of code that talks to
// Shopify: the shopify connector's own tests, and users' integration tests.
//
//	srv := shopifytest.NewServer(shopifytest.Options{})
//	defer srv.Close()
//	shop, _ := shopify.New(shopify.Config{Shop: srv.Domain, Token: srv.Token, BaseURL: srv.URL, HTTPClient: srv.Client()})
//	o, _ := srv.AddOrder(shopifytest.OrderInput{Lines: []shopifytest.LineInput{{SKU: "MUG", Quantity: 2, Price: "9.50"}}})
//
// # What it serves
//
// POST /admin/api/{version}/graphql.json with the X-Shopify-Access-Token
// header; a wrong token answers 401 and an unknown version 404, as Shopify
// does. Requests are parsed by a small purpose-built GraphQL parser (see
// parse.go for what it accepts: operations, variables, aliases, arguments,
// @include/@skip/@idempotent, all value kinds; no fragments) and run
// against an in-memory shop:
//
//   - queries: shop, orders, order, refund, customers, customer, products,
//     productVariants, locations, with first/last/after/before/reverse,
//     sortKey (ID, UPDATED_AT, CREATED_AT, ...) and a query filter in
//     Shopify's search syntax (updated_at, created_at, name, id, email, sku
//     with :, :<, :<=, :>, :>=); connections answer nodes, edges with
//     cursors, and pageInfo, with opaque base64 cursors; pages hold at most
//     250 items;
//   - mutations: inventorySetQuantities (compare-and-set with
//     compareQuantity, or changeFromQuantity from 2026-04; Shopify's
//     userError codes), fulfillmentCreate (against fulfilment orders, with
//     quantities per line item and tracking), fulfillmentTrackingInfoUpdate,
//     fulfillmentCancel and metafieldsSet (on orders);
//   - @idempotent(key:) on mutations from 2026-01 (unknown before, and
//     required for inventorySetQuantities from 2026-04): a repeated key
//     replays the first result, and a key reused with other parameters is
//     refused.
//
// Unknown fields answer undefinedField errors, as Shopify's validation
// does, so a test learns at once when a query asks for something the fake
// (or Shopify) does not have.
//
// # Rate limits
//
// Every query's requested cost is computed before it runs as Shopify
// documents it (objects 1, connections 2 plus the page size times an
// item, mutations 10), and its actual cost from what it returned. A leaky
// bucket with configurable size and restore rate (Options.BucketSize,
// Options.RestoreRate), driven by Options.Clock, charges the requested cost
// and refunds the difference. A query over the bucket's available points
// answers THROTTLED exactly as documented: no data, an error with
// extensions.code THROTTLED, and the cost extension with a null actual
// cost; with HTTP 200 by default or 429 (with Retry-After) by
// Faults.ThrottleStatus. A query over Options.MaxQueryCost answers
// MAX_COST_EXCEEDED. Every answer carries extensions.cost.throttleStatus.
//
// # Seeding and reading back
//
// AddProduct, AddCustomer and AddOrder create records (orders are priced,
// taxed, paid with a SALE transaction and given a fulfilment order);
// SetLineQuantity and AddLine amend orders; CancelOrder cancels (and
// refunds what was captured); RefundOrder refunds lines and shipping;
// TouchOrder, UpdateCustomer and UpdateProduct make newer versions;
// SetInventory edits stock as a merchant would. Order, Fulfillments,
// Inventory, Metafield and Stats read the state back. Every change stamps
// updatedAt in whole seconds, as Shopify does, and each record's updatedAt
// only moves forward.
//
// # Webhooks and faults
//
// Subscribe registers a URL for topics; the seed methods then deliver
// signed webhooks (X-Shopify-Hmac-Sha256 and the other X-Shopify-*
// headers), and SendWebhook sends one directly. Faults switch on throttles
// as 429, bursts of 503, slow answers and duplicated webhook deliveries.
//
// Not modelled: bulk operations, multiple fulfilment orders per order
// (each order has one), order edits through the API, REST endpoints.
package shopifytest
