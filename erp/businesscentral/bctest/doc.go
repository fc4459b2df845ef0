// Package bctest is a fake Microsoft Dynamics 365 Business Central
// environment for tests: an httptest server that speaks API v2.0 the way
// Business Central documents it, with a Microsoft Entra style OAuth 2.0
// token endpoint in front.
//
// It serves, under Server.APIURL (".../v2.0/{tenant}/{environment}/api/v2.0"):
//
//   - companies, and per company customers, items, salesOrders with
//     salesOrderLines (deep insert on POST, the lines as their own entity
//     set, and the Microsoft.NAV.shipAndInvoice action), salesShipments and
//     salesInvoices with their lines, salesCreditMemos (deep insert and the
//     Microsoft.NAV.post action), and itemLedgerEntries;
//   - OData query options: $filter (eq, ne, gt, ge, lt, le, and, or, not,
//     parentheses; strings, numbers, booleans, dates, DateTimeOffsets and
//     GUIDs), $orderby, $top, $skip, $select and $expand of document lines;
//   - server-driven paging: at most Options.MaxPageSize entities a page,
//     fewer when the request says Prefer: odata.maxpagesize=N, with an
//     @odata.nextLink carrying a $skiptoken;
//   - amounts as bare JSON numbers, @odata.etag on every entity, and
//     If-Match enforcement on PATCH and DELETE: a missing If-Match is 400
//     BadRequest_InvalidToken, a stale one 409 (or 412)
//     Request_EntityChanged;
//   - OData error envelopes {"error":{"code","message"}} with Business
//     Central's code families (BadRequest_*, Authentication_*,
//     Application_*, Internal_*, Request_*);
//   - bearer tokens from Server.TokenURL (client credentials), which
//     expire on the Options.Clock and can be revoked;
//   - a sliding-window rate limit per client answered 429 with Retry-After,
//     and injectable 503s and latency;
//   - document numbering ("101001" for orders, "102001" shipments,
//     "103001" invoices, "1001" draft and "104001" posted credit memos,
//     "C10000" customers);
//   - webhook subscriptions (/subscriptions) with the validationToken
//     handshake on create and renew, a three-day expiry, clientState, and
//     notifications sent on DeliverNotifications, including "collection"
//     notifications and the deletion of a subscription whose URL answers
//     anything but 2xx, 408, 429 or 5xx.
//
// Business rules come with it: a customer blocked "All" cannot get an
// order; a shipped line cannot be removed, have its item changed or go
// below what shipped; LockOrder makes an order non-editable as releasing
// it does; posting (ShipOrder or shipAndInvoice) books a shipment, item
// ledger entries and an invoice, and a fully shipped and invoiced order is
// deleted. Postings leave the item's and the customer's
// lastModifiedDateTime alone, as in Business Central.
//
// Use it from any package's tests:
//
//	srv := bctest.NewServer(bctest.Options{})
//	defer srv.Close()
//	srv.AddCustomer(bctest.CustomerInput{Number: "C10000", Name: "Ng GmbH"})
//	srv.AddItem(bctest.ItemInput{Number: "MUG-01", Name: "Mug", UnitPrice: canonical.MustDecimal("25.17"), Inventory: canonical.DecimalFromInt(100)})
//	// connect with srv.URL, srv.TenantID, srv.Environment, srv.CompanyID,
//	// srv.TokenURL, srv.ClientID, srv.ClientSecret and srv.Client()
//
// and read back what the code under test did with Order, OrdersByExternal,
// Customer, Item, Shipments, Invoices, Subscriptions and Stats.
package bctest
