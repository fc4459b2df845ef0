// Package businesscentral connects junction to Microsoft Dynamics 365
// Business Central online through its API v2.0, as an erp.ERP.
//
// # Connecting
//
// A Client serves one company of one environment. It authenticates with the
// OAuth 2.0 client-credentials grant of a Microsoft Entra app registration:
// tokens are fetched from the token endpoint, cached, and replaced before
// they expire; a token the API refuses after it had worked is dropped and
// the call retried with a new one.
//
//	bc, err := businesscentral.New(businesscentral.Config{
//		TenantID:    tenantID,
//		Environment: "production",
//		CompanyID:   companyID,
//		Credentials: businesscentral.ClientCredentials{ClientID: id, ClientSecret: secret},
//		LocalCurrency: "EUR",
//	})
//
// Requests go through connector/httpx, paced to the environment's budget
// (Limits: 600 requests a minute and 5 at a time by default; Microsoft also
// publishes 6,000 per five minutes per user, see PerUserLimits), retried on
// 429 (after Retry-After when sent, with backoff otherwise), 408 and 5xx,
// and classified by the OData error envelope {"error":{"code","message"}}
// (see KindForCode).
//
// # What it reads and writes
//
//   - Customers (a sink) creates and updates customers; CustomerChanges (a
//     source) reads them with a CreditStatus derived from blocked and from
//     the balance against the credit limit (an account hold).
//   - SalesOrders (a sink) creates an order with its lines in one request
//     (deep insert), keyed by externalDocumentNumber, the channel's order
//     reference, so a retried create finds the order instead of making a
//     second one; it amends orders line by line with If-Match and ETags,
//     and cancels them by deleting them.
//   - Despatches and Invoices (sources) read posted sales shipments and
//     sales invoices with their lines; Stock reads inventory as stock
//     levels, driven by the item ledger.
//   - ShipmentConfirmations posts shipments made outside Business Central
//     (shipAndInvoice); CreditNotes issues posted sales credit memos against
//     invoices, keyed by externalDocumentNumber.
//
// Sources read changes by lastModifiedDateTime (or, for stock, by item
// ledger entry number) with server-driven paging: Prefer:
// odata.maxpagesize and @odata.nextLink. Their cursors resume exactly
// after the last change read, including when several records share one
// modification time.
//
// # Conflicts and business rules
//
// The version of a record is its lastModifiedDateTime and its ETag, and the
// ref a sink returns carries the ETag. A write based on an ETag Business
// Central no longer has is a connector.Conflict: the flow engine re-reads
// the source and retries once, and that retry is applied on top of the
// record as it now is. What Business Central refuses on business grounds
// (a released or shipped order, a blocked customer, a credit limit) is a
// connector.BusinessRule, with Business Central's reason.
//
// # Webhooks
//
// EnsureSubscriptions and KeepSubscribed create and renew webhook
// subscriptions (they expire after three days). NewWebhookHandler serves
// the notification URL: it answers the validationToken handshake, checks
// each notification's clientState, rings the flows routed to the entity
// sets notified (a "collection" notification included), and answers only
// 200, 408, 429 or 5xx, so that Business Central never deletes a
// subscription because of an answer. Webhooks ring the doorbell; the
// sources read the truth.
//
// # Testing
//
// Package bctest is a fake Business Central that serves all of this over
// HTTP, with a token endpoint, rate limits, ETags, paging and webhooks;
// this package's own tests run against it.
package businesscentral
