// Package canonical holds the typed business entities that every system in an
// integration shares: customers, products, stock levels, price lists, sales
// orders, shipments, invoices, credit notes, payments, refunds and returns.
// Connectors translate each platform's shape to and from these types; flows,
// mappings and stores speak only these types. The package imports nothing
// else from this module, so every other package can depend on it.
//
// # Money and quantities
//
// Amounts are exact decimals (Decimal, up to 19 significant digits) paired
// with an ISO 4217 code (Money); quantities are decimals paired with a UN/ECE
// Rec 20 unit (Quantity). Nothing here uses float64 for either. In JSON an
// amount is always a string, so "12.30" keeps its trailing zero:
//
//	{"amount":"12.30","currency":"EUR"}   {"value":"2","unit":"C62"}
//
// A bare JSON number amount is accepted when decoding. Money arithmetic fails
// with *CurrencyMismatchError across currencies and Quantity arithmetic with
// *UnitMismatchError across units; Money{} and Quantity{} (zero, no code) are
// the empty values an omitted field decodes to, and count as zero in any
// currency or unit. Round rounds to the currency's minor units (owned here in
// an ISO 4217 table: JPY 0, EUR 2, KWD 3) half-up or half-even; MinorUnits and
// FromMinorUnits convert to and from integer cents at a connector's boundary;
// Allocate splits an amount over weights so the parts add up exactly.
//
// # Identity
//
// Every entity embeds Meta: a canonical ID minted by the integration and
// stable across systems, the entity's ExternalRef in each system it lives in
// (system, type, ID and the system's version), and a Revision that counts
// applied amendments. Documents carry their business number (DocumentRef:
// number and revision). Lines have IDs that are stable across amendments, and
// a line in another document points back with a LineRef (document number and
// line ID): a shipment line at the order line it ships, a return line at the
// order line it returns.
//
// # Statuses
//
// Lifecycle statuses (OrderStatus, ShipmentStatus, InvoiceStatus,
// ReturnStatus) move only along explicit state machines: Transition applies a
// change or returns a *TransitionError, CheckTransition asks first, and each
// status type reports its next states and whether it is terminal. Holds and
// the Disputed flag are overlays that never change a lifecycle status.
//
// Progress statuses are derived, never stored: an order's FulfillmentStatus
// and BillingStatus come from the quantity buckets on its lines (Ordered,
// Allocated, Shipped, Cancelled, Invoiced, Returned), its PaymentStatus from
// its payment ledger against Totals.Payable, and an invoice's AmountDue and
// Overdue from its totals, payments and due date. Connectors set buckets and
// ledger entries; they never set these statuses.
//
// # Validation
//
// Each entity has a Validate method that returns nil or a *ValidationError
// listing every problem at once. Each FieldError has the JSON path of the
// field ("lines[2].ordered.value"), a stable code ("required",
// "currency_mismatch", "over_shipped", see the Code constants), a message and
// the offending value. Struct tags cover field shapes (ISO currency and
// country codes, Rec 20 units, SKUs, required fields); Go code covers the
// business rules that span fields.
//
// # Totals
//
// Documents carry the amounts the system of record computed; Validate checks
// that they agree rather than recomputing them. With the document's rounding
// mode (half-up unless Rounding says half_even) and its currency's minor
// units:
//
//   - each line: Net = round(Quantity × UnitPrice − line allowances + line
//     charges), exactly; an order line is priced on Ordered;
//   - Totals.LineNet = Σ line Net, exactly;
//   - Totals.Allowances and Totals.Charges = Σ document-level allowances and
//     charges, exactly;
//   - Totals.Tax = Σ the document tax breakdown (Taxes), exactly, when there
//     is one. Without a breakdown, when lines carry their own tax (tax
//     rounded per line), Totals.Tax may differ from Σ line taxes by at most
//     one minor unit per taxed line: the gap between rounding each line and
//     rounding the sum;
//   - Totals.Payable = LineNet − Allowances + Charges + Tax − Prepaid +
//     Rounding, exactly; when PricesIncludeTax is set the tax is already in
//     the line amounts and is not added again.
package canonical
