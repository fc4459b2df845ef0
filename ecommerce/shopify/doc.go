// Package shopify connects junction to a Shopify shop through the GraphQL
// Admin API. A Client implements ecommerce.Shop:
//
//   - Orders, Customers, Products and Refunds are sources that read
//     incrementally by updated_at with cursor pagination, mapping money from
//     shopMoney to exact decimals;
//   - Inventory is a sink that sets stock with inventorySetQuantities,
//     compare-and-set and, from API version 2026-01, @idempotent;
//   - Fulfillments is a sink that turns shipments into fulfillmentCreate
//     calls against the order's fulfilment orders, split deliveries
//     included.
//
// Connect with New and a Config: the shop, an Admin API access token and,
// optionally, an API version (DefaultAPIVersion), an *http.Client, a
// logger, a clock and the plan's limits. The client is built on
// connector/httpx.
//
// # Rate limits
//
// Shopify limits GraphQL calls by calculated query cost with a leaky
// bucket per app and shop. Every response reports the bucket in
// extensions.cost.throttleStatus; the client reads it on every response
// and, before each request, waits until the bucket holds the request's
// cost, so it runs at the restore rate without draining the bucket. A
// THROTTLED answer (HTTP 200 with the error code, or 429) is retried after
// the time the missing points take to restore. Page sizes are chosen so
// that no query's requested cost exceeds the single-query cap.
// https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
//
// # Errors
//
// Every error is a *connector.Error. userErrors become Invalid (or
// BusinessRule when they name no input field, Conflict for a stale compare
// quantity) with their field paths; top-level GraphQL errors and HTTP
// errors are classified by code and status; the original body is kept in
// Error.Body.
//
// # Webhooks
//
// NewVerifier checks X-Shopify-Hmac-Sha256 and names each delivery by
// X-Shopify-Webhook-Id for de-duplication; Routes maps topics to the flows
// whose streams they ring. Webhooks ring the doorbell: the flows then read
// from their checkpoints.
//
// The fake shop in shopifytest speaks the same API over HTTP for tests.
package shopify
