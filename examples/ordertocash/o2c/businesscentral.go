package o2c

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/sim"
	"github.com/junctionhq/junction/erp/businesscentral"
	"github.com/junctionhq/junction/erp/businesscentral/bctest"
)

// The company's set-up in Business Central, which a real deployment reads
// from its chart of accounts.
const (
	// bcChargeAccount is the G/L account shipping charges are booked to, as
	// order lines of type Account.
	bcChargeAccount = "6630"
	// bcCreditAccount is the G/L account refunds are credited to: the
	// shop's refunds name an amount per order line, not goods coming back.
	bcCreditAccount = "6620"
	// bcCountry is the company's country, which Business Central leaves
	// out of addresses in it.
	bcCountry = "DE"
	// bcStockLocation is the location of every stock level: API v2.0 has
	// one inventory per item, the total over all locations.
	bcStockLocation = businesscentral.DefaultStockLocation
)

// bcBack is the ERP on the Business Central fake. The flows reach it through
// the Business Central connector over HTTP on loopback, as they would reach
// a real environment (OAuth client credentials, OData paging, ETags, the
// production rate limit), on the day's clock. The warehouse, the credit
// controller and goods receipts act in the fake's admin (its seed methods),
// and the operator reads documents back through a second connector client
// and the fake's admin.
//
// Where Business Central is not memerp, the adapter says so:
//
//   - No allocation. API v2.0 exposes no reservations, so an order takes no
//     stock until the warehouse ships it: Release posts shipments, oldest
//     order first, from what is on hand, and backorders the rest.
//   - Despatches are posted shipments. Posting ships and invoices at once
//     (shipAndInvoice, one invoice per shipment, as memerp invoices per
//     despatch), so a despatch has left and been invoiced before a label is
//     bought for it; there is no planned despatch, and nothing to confirm.
//   - Stock is one level per item (location bcStockLocation), the total
//     over all locations: a receipt "at" a location adds to it.
//   - Lines are numbered by Business Central (10000, 20000, ...); see
//     lineMatch for how the flows pair them with the shop's.
//   - A fully shipped and invoiced order is deleted, and so is a cancelled
//     one. The adapter keeps the last view of every order a warehouse wave
//     saw (as Business Central's order archive does), so the read-backs
//     still show such orders: completed when shipments were posted of them,
//     cancelled otherwise.
//   - A credit hold is the customer blocked for shipping (Blocked "Ship"),
//     which the connector reads as a hold and refuses new orders for. New
//     accounts have no credit limit: Business Central's credit fields are
//     its own, and the connector never writes them.
type bcBack struct {
	// Client is the connector the flows use.
	*businesscentral.Client
	// admin reads back for the operator, on its own request budget.
	admin     *businesscentral.Client
	shipments connector.Getter[canonical.Shipment]
	invoices  connector.Getter[canonical.Invoice]
	stock     connector.Getter[canonical.StockLevel]
	srv       *bctest.Server
	// taxPercent is the VAT rate of every item, as the shop charges it.
	taxPercent canonical.Decimal

	flowRequests, adminRequests atomic.Int64

	mu     sync.Mutex
	faulty bool
	// archive is the last view of every order a warehouse wave saw: for an
	// order it posted to the end, the view just before the last posting.
	archive map[string]bctest.Order
}

// newBCBack starts the fake Business Central environment and connects to it
// over HTTP on loopback, with the day's clock: tokens expire, the rate
// limit's window slides and documents are dated on simulated time, and the
// connector's waits for its request budget (600 a minute, Business
// Central's production limit) are time the day loses.
func newBCBack(clk *Clock, logger *slog.Logger, taxRate canonical.Decimal) (*bcBack, error) {
	srv := bctest.NewServer(bctest.Options{Clock: clk, Currency: string(Currency), CompanyName: "Junction Trading GmbH", Logger: logger})
	b := &bcBack{srv: srv, archive: map[string]bctest.Order{}}
	pct, err := taxRate.Mul(canonical.DecimalFromInt(100))
	if err != nil {
		srv.Close()
		return nil, err
	}
	b.taxPercent = pct
	connect := func(n *atomic.Int64, limits businesscentral.Limits) (*businesscentral.Client, error) {
		hc := *srv.Client()
		rt := hc.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		hc.Transport = countRequests{rt, n}
		return businesscentral.New(businesscentral.Config{
			BaseURL: srv.URL, TenantID: srv.TenantID, Environment: srv.Environment, CompanyID: srv.CompanyID,
			Credentials: businesscentral.ClientCredentials{TokenURL: srv.TokenURL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret},
			HTTPClient:  &hc, Logger: logger, Clock: clk, System: ERP, Limits: limits,
			LocalCurrency: Currency, LocalCountry: bcCountry, ChargeAccount: bcChargeAccount, CreditAccount: bcCreditAccount,
		})
	}
	if b.Client, err = connect(&b.flowRequests, businesscentral.ProductionLimits()); err != nil {
		srv.Close()
		return nil, err
	}
	if b.admin, err = connect(&b.adminRequests, businesscentral.PerUserLimits()); err != nil {
		srv.Close()
		return nil, err
	}
	var ok1, ok2, ok3 bool
	b.shipments, ok1 = b.admin.Despatches().(connector.Getter[canonical.Shipment])
	b.invoices, ok2 = b.admin.Invoices().(connector.Getter[canonical.Invoice])
	b.stock, ok3 = b.admin.Stock().(connector.Getter[canonical.StockLevel])
	if !ok1 || !ok2 || !ok3 {
		srv.Close()
		return nil, errors.New("o2c: the Business Central sources cannot get a record by number")
	}
	return b, nil
}

// countRequests counts the HTTP requests a client sends.
type countRequests struct {
	base http.RoundTripper
	n    *atomic.Int64
}

func (c countRequests) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

// Close stops the fake environment.
func (b *bcBack) Close() { b.srv.Close() }

// summary describes the API traffic, for the report.
func (b *bcBack) summary() string {
	s := b.srv.Stats()
	return fmt.Sprintf("Business Central API v2.0 (the fake, over HTTP): %d requests by the flows and %d by the operator's read-backs,\n"+
		"        %d answered 429 and retried, %d injected 503s, %d access tokens; the warehouse posted %d shipments and %d invoices",
		b.flowRequests.Load(), b.adminRequests.Load(), s.Throttled, s.ServerErrors, s.Tokens, len(b.srv.Shipments()), len(b.srv.Invoices()))
}

func (b *bcBack) fail(kind connector.Kind, format string, args ...any) error {
	return connector.Errorf(kind, ERP, format, args...)
}

// seedErr classifies an error of the fake's admin: an unknown record is
// NotFound, anything else a refusal.
func (b *bcBack) seedErr(op string, err error) error {
	if errors.Is(err, bctest.ErrNotFound) {
		return b.fail(connector.NotFound, "%s: %w", op, err)
	}
	return b.fail(connector.BusinessRule, "%s: %w", op, err)
}

// SetFaults switches Business Central's misbehaviour on or off: the
// production rate limit enforced by the server (600 requests a minute per
// client, answered 429 with Retry-After), and (see Release) a burst of 503s
// at every warehouse wave.
func (b *bcBack) SetFaults(f sim.Faults) {
	faulty := f.Transient > 0 || f.RateLimit > 0
	b.mu.Lock()
	b.faulty = faulty
	b.mu.Unlock()
	if faulty {
		b.srv.SetRateLimit(bctest.RateLimit{Requests: 600, Window: time.Minute})
		return
	}
	b.srv.SetRateLimit(bctest.RateLimit{})
	b.srv.SetFaults(bctest.Faults{})
}

// AddItem creates an item with the shop's VAT rate and no stock.
func (b *bcBack) AddItem(sku, name string, unitPrice canonical.Money) error {
	if _, err := b.srv.AddItem(bctest.ItemInput{Number: sku, Name: name, UnitPrice: unitPrice.Amount, TaxPercent: b.taxPercent}); err != nil {
		return b.fail(connector.Invalid, "add item %s: %w", sku, err)
	}
	return nil
}

// Receive books a goods receipt as a positive adjustment in the item
// ledger. Business Central's API keeps one inventory per item, so the
// location only says where the goods went in the warehouse.
func (b *bcBack) Receive(ctx context.Context, sku, _ string, qty canonical.Quantity) error {
	if err := ctx.Err(); err != nil {
		return b.fail(connector.Transient, "receive %s: %w", sku, err)
	}
	if !qty.Value.IsPos() {
		return b.fail(connector.Invalid, "receive %s: quantity %s is not positive", sku, qty.Value)
	}
	if err := b.srv.AdjustInventory(sku, qty.Value); err != nil {
		return b.seedErr("receive "+sku, err)
	}
	return nil
}

// SetCreditStatus blocks the customer in Business Central, which has no
// credit-hold flag of its own: a hold blocks shipping ("Ship"), so the
// connector refuses the account's new orders as on hold and the warehouse
// cannot ship its open ones; blocked is "All"; ok clears the block.
func (b *bcBack) SetCreditStatus(ctx context.Context, number string, s canonical.CreditStatus) error {
	if err := ctx.Err(); err != nil {
		return b.fail(connector.Transient, "set credit status of %s: %w", number, err)
	}
	var blocked string
	switch s {
	case canonical.CreditOK:
		blocked = bctest.BlockedNone
	case canonical.CreditHold:
		blocked = bctest.BlockedShip
	case canonical.CreditBlocked:
		blocked = bctest.BlockedAll
	default:
		return b.fail(connector.Invalid, "credit status %q is not one of ok, hold, blocked", s)
	}
	if err := b.srv.SetBlocked(number, blocked); err != nil {
		return b.seedErr("set credit status of "+number, err)
	}
	return nil
}

// Release runs a warehouse wave, as memerp's Release does, but the Business
// Central way: for every open order, oldest first, of a customer not
// blocked, it ships what is on hand of each line and posts the shipment with
// its invoice (shipAndInvoice). What is short stays on the order for a later
// wave: a split delivery. The shipping charge goes with the first parcel.
func (b *bcBack) Release(ctx context.Context) ([]canonical.Shipment, error) {
	if err := ctx.Err(); err != nil {
		return nil, b.fail(connector.Transient, "release: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.faulty {
		// Business Central has a bad minute while the warehouse posts: the
		// next few API calls answer 503.
		b.srv.SetFaults(bctest.Faults{ServerErrors: 3})
	}
	onHand := map[string]canonical.Decimal{}
	var out []canonical.Shipment
	for _, o := range b.srv.Orders() {
		b.archive[o.Number] = o
		if c, ok := b.srv.Customer(o.CustomerNumber); !ok || c.Blocked != bctest.BlockedNone {
			continue // on hold or blocked: not despatched, as in memerp
		}
		qty := map[int]canonical.Decimal{}
		goods := false
		for _, l := range o.Lines {
			open, err := l.Quantity.Sub(l.Shipped)
			if err != nil || !open.IsPos() {
				continue
			}
			if l.Type != "Item" {
				qty[l.Sequence] = open
				continue
			}
			have, ok := onHand[l.Number]
			if !ok {
				it, _ := b.srv.Item(l.Number)
				have = it.Inventory
			}
			n := open
			if have.Cmp(n) < 0 {
				n = have
			}
			if n.IsPos() {
				qty[l.Sequence], goods = n, true
				have, _ = have.Sub(n)
			}
			onHand[l.Number] = have
		}
		if !goods {
			continue
		}
		number, err := b.srv.ShipOrder(o.Number, qty, true)
		if err != nil {
			return out, b.seedErr("post a shipment of order "+o.Number, err)
		}
		out = append(out, canonical.Shipment{Number: number, Order: o.Number, Status: canonical.ShipmentShipped})
	}
	return out, nil
}

// bcOrderOf converts the fake's view of an order. Only item lines are
// order lines; the shipping charge on bcChargeAccount is not goods.
func bcOrderOf(o bctest.Order, status canonical.OrderStatus) canonical.SalesOrder {
	cur := canonical.CurrencyCode(o.Currency)
	if cur == "" {
		cur = Currency
	}
	money := func(d canonical.Decimal) canonical.Money { return canonical.Money{Amount: d, Currency: cur} }
	qty := func(d canonical.Decimal) canonical.Quantity {
		return canonical.Quantity{Value: d, Unit: canonical.UnitOne}
	}
	so := canonical.SalesOrder{
		Meta:       canonical.Meta{Refs: []canonical.ExternalRef{{System: ERP, ID: o.Number, Version: o.ETag}}, UpdatedAt: o.LastModified},
		Number:     o.Number,
		CustomerPO: o.ExternalDocumentNumber,
		Customer:   canonical.PartyRef{Refs: []canonical.ExternalRef{{System: ERP, ID: o.CustomerNumber}}},
		Currency:   cur,
		Status:     status,
		Totals:     canonical.Totals{Payable: money(o.TotalInclTax), Tax: money(o.TotalTax)},
	}
	for _, l := range o.Lines {
		if l.Type != "Item" {
			continue
		}
		ol := canonical.SalesOrderLine{
			LineID: strconv.Itoa(l.Sequence), SKU: l.Number, Description: l.Description,
			Ordered: qty(l.Quantity), Shipped: qty(l.Shipped), Invoiced: qty(l.Invoiced),
			UnitPrice: money(l.UnitPrice), Net: money(l.NetAmount),
		}
		if status == canonical.OrderCompleted {
			ol.Shipped, ol.Invoiced = ol.Ordered, ol.Ordered
		}
		if l.Shipped.IsPos() && so.Status == canonical.OrderAccepted {
			so.Status = canonical.OrderInProgress
		}
		so.Lines = append(so.Lines, ol)
	}
	return so
}

// Orders returns the open orders and those Business Central deleted since
// a warehouse wave saw them, by number.
func (b *bcBack) Orders() []canonical.SalesOrder {
	open := b.srv.Orders()
	posted := b.postedOrders()
	b.mu.Lock()
	defer b.mu.Unlock()
	isOpen := map[string]bool{}
	out := make([]canonical.SalesOrder, 0, len(open)+len(b.archive))
	for _, o := range open {
		isOpen[o.Number] = true
		out = append(out, bcOrderOf(o, canonical.OrderAccepted))
	}
	for num, o := range b.archive {
		if !isOpen[num] {
			out = append(out, bcArchived(o, posted[num]))
		}
	}
	slices.SortFunc(out, func(a, b canonical.SalesOrder) int { return strings.Compare(a.Number, b.Number) })
	return out
}

// bcArchived is an order Business Central deleted: completed once shipments
// were posted of it (it deletes an order fully shipped and invoiced, and an
// order with a shipment cannot be deleted otherwise), cancelled if not.
func bcArchived(o bctest.Order, posted bool) canonical.SalesOrder {
	if posted {
		return bcOrderOf(o, canonical.OrderCompleted)
	}
	return bcOrderOf(o, canonical.OrderCancelled)
}

// postedOrders lists the orders of the posted shipments.
func (b *bcBack) postedOrders() map[string]bool {
	out := map[string]bool{}
	for _, sh := range b.srv.Shipments() {
		out[sh.OrderNumber] = true
	}
	return out
}

// Order returns the order, open or archived.
func (b *bcBack) Order(number string) (canonical.SalesOrder, bool) {
	if o, ok := b.srv.Order(number); ok {
		return bcOrderOf(o, canonical.OrderAccepted), true
	}
	posted := b.postedOrders()
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.archive[number]
	if !ok {
		return canonical.SalesOrder{}, false
	}
	return bcArchived(o, posted[number]), true
}

// OrderByPO returns the order whose externalDocumentNumber is po, open or
// archived.
func (b *bcBack) OrderByPO(po string) (canonical.SalesOrder, bool) {
	if os := b.srv.OrdersByExternal(po); len(os) > 0 {
		return bcOrderOf(os[0], canonical.OrderAccepted), true
	}
	posted := b.postedOrders()
	b.mu.Lock()
	defer b.mu.Unlock()
	var found []bctest.Order
	for _, o := range b.archive {
		if o.ExternalDocumentNumber == po {
			found = append(found, o)
		}
	}
	if len(found) == 0 {
		return canonical.SalesOrder{}, false
	}
	slices.SortFunc(found, func(a, b bctest.Order) int { return strings.Compare(a.Number, b.Number) })
	return bcArchived(found[0], posted[found[0].Number]), true
}

// Shipment reads a posted shipment through the connector.
func (b *bcBack) Shipment(number string) (canonical.Shipment, bool) {
	var ch connector.Change[canonical.Shipment]
	err := again(func() (err error) {
		ch, err = b.shipments.Get(context.Background(), number)
		return err
	})
	return ch.Entity, err == nil
}

// ShipmentsOf returns the posted shipments of an order.
func (b *bcBack) ShipmentsOf(order string) []canonical.Shipment {
	var out []canonical.Shipment
	for _, sh := range b.srv.Shipments() {
		if sh.OrderNumber != order {
			continue
		}
		if s, ok := b.Shipment(sh.Number); ok {
			out = append(out, s)
		}
	}
	return out
}

// Invoice reads a posted invoice through the connector.
func (b *bcBack) Invoice(number string) (canonical.Invoice, bool) {
	var ch connector.Change[canonical.Invoice]
	err := again(func() (err error) {
		ch, err = b.invoices.Get(context.Background(), number)
		return err
	})
	return ch.Entity, err == nil
}

// InvoicesOf returns the posted invoices of an order.
func (b *bcBack) InvoicesOf(order string) []canonical.Invoice {
	var out []canonical.Invoice
	for _, inv := range b.srv.Invoices() {
		if inv.OrderNumber != order {
			continue
		}
		if i, ok := b.Invoice(inv.Number); ok {
			out = append(out, i)
		}
	}
	return out
}

// CreditNote returns a posted sales credit memo by its posted number. Its
// Refund is the shop refund the flows numbered it after ("CN-" and the
// refund's ID in externalDocumentNumber).
func (b *bcBack) CreditNote(number string) (canonical.CreditNote, bool) {
	for _, m := range b.srv.CreditMemos() {
		if m.Number != number || m.Status == "Draft" {
			continue
		}
		total := canonical.Money{Amount: m.TotalInclTax, Currency: Currency}
		cn := canonical.CreditNote{
			Meta:     canonical.Meta{Refs: []canonical.ExternalRef{{System: ERP, ID: m.Number}}},
			Number:   m.Number,
			Status:   canonical.InvoiceIssued,
			Customer: canonical.PartyRef{Refs: []canonical.ExternalRef{{System: ERP, ID: m.CustomerNumber}}},
			Currency: Currency, Invoice: m.InvoiceNumber,
			Refund: strings.TrimPrefix(m.ExternalDocumentNumber, "CN-"),
			Totals: canonical.Totals{LineNet: total, Payable: total},
		}
		return cn, true
	}
	return canonical.CreditNote{}, false
}

// bcCustomerOf converts the fake's view of a customer, with the credit status
// the connector derives (blocked Ship or Invoice, or over the limit, is a
// hold; All is blocked).
func bcCustomerOf(c bctest.Customer) canonical.Customer {
	cur := canonical.CurrencyCode(c.Currency)
	out := canonical.Customer{
		Meta:   canonical.Meta{Refs: []canonical.ExternalRef{{System: ERP, ID: c.Number, Version: c.ETag}}, UpdatedAt: c.LastModified},
		Number: c.Number, Name: c.Name, Email: c.Email, Currency: cur, CreditStatus: canonical.CreditOK,
	}
	switch c.Blocked {
	case bctest.BlockedShip, bctest.BlockedInvoice:
		out.CreditStatus = canonical.CreditHold
	case bctest.BlockedAll:
		out.CreditStatus = canonical.CreditBlocked
	}
	bal := canonical.Money{Amount: c.Balance, Currency: cur}
	out.Balance = &bal
	if c.CreditLimit.IsPos() {
		lim := canonical.Money{Amount: c.CreditLimit, Currency: cur}
		out.CreditLimit = &lim
		if c.Balance.Cmp(c.CreditLimit) > 0 && out.CreditStatus == canonical.CreditOK {
			out.CreditStatus = canonical.CreditHold
		}
	}
	return out
}

// Customer returns the customer with the given number.
func (b *bcBack) Customer(number string) (canonical.Customer, bool) {
	c, ok := b.srv.Customer(number)
	if !ok {
		return canonical.Customer{}, false
	}
	return bcCustomerOf(c), true
}

// Accounts returns every customer, in creation order.
func (b *bcBack) Accounts() []canonical.Customer {
	var out []canonical.Customer
	for _, c := range b.srv.Customers() {
		out = append(out, bcCustomerOf(c))
	}
	return out
}

// Level reads an item's stock level through the connector: its inventory
// over all locations, whatever location is asked for, with nothing
// allocated, and the number of its last item ledger entry as Sequence.
func (b *bcBack) Level(sku, _ string) canonical.StockLevel {
	var ch connector.Change[canonical.StockLevel]
	err := again(func() (err error) {
		ch, err = b.stock.Get(context.Background(), sku+"@"+bcStockLocation)
		return err
	})
	if err != nil {
		return canonical.StockLevel{SKU: sku, Location: bcStockLocation}
	}
	return ch.Entity
}
