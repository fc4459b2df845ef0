package o2c

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/ecommerce"
	"github.com/junctionhq/junction/ecommerce/memshop"
	"github.com/junctionhq/junction/ecommerce/shopify"
	"github.com/junctionhq/junction/ecommerce/shopify/shopifytest"
)

// shopifyFront is the shop on the Shopify fake. Customers and the merchant act
// in the shop's admin (the fake's seed methods: checkouts, order edits,
// cancellations, refunds); the flows reach it through the Shopify connector
// over HTTP, as they would reach a real shop; and the operator reads orders
// and refunds back through the Admin API as well.
type shopifyFront struct {
	// Shop is the connector the flows use. Its incremental reads stay
	// shopify.DefaultSettle behind the present.
	ecommerce.Shop
	port *shopify.Client
	// admin reads back for people and the reconciliation, with no settle lag.
	admin  *shopify.Client
	orders connector.Getter[canonical.SalesOrder]
	srv    *shopifytest.Server
	// taxRate is the VAT rate on every checkout, as memshop's TaxRate.
	taxRate string

	mu        sync.Mutex
	customers map[string]canonical.Customer
	faulty    bool
	checkouts int
}

// shopifyLag is how far the connector's reads stay behind the present, and a
// second more for Shopify's whole-second timestamps: Sync lets that much time
// pass first, so that it reads everything that happened before it.
const shopifyLag = shopify.DefaultSettle + time.Second

// newShopifyFront starts the fake shop with the warehouse's two locations and
// connects to it over HTTP on loopback. The fake's clock is the day's, so its
// timestamps and its rate limit's leaky bucket follow simulated time, and so
// do the connector's waits: time the flows spend waiting for the bucket is
// time the day loses. The bucket restores at the Advanced plan's rate, 200
// points a second, and holds 4,000; on the fake's default (the old Standard
// plan, 50 a second) the flows fall hours behind a busy day.
func newShopifyFront(clk *Clock, logger *slog.Logger, taxRate canonical.Decimal) (*shopifyFront, error) {
	srv := shopifytest.NewServer(shopifytest.Options{Clock: clk, Currency: string(Currency), Locations: []string{"warehouse", "store"},
		BucketSize: 4000, RestoreRate: 200})
	cfg := shopify.Config{Shop: srv.Domain, Token: srv.Token, BaseURL: srv.URL, HTTPClient: srv.Client(),
		Clock: clk, Logger: logger, System: Shop}
	port, err := shopify.New(cfg)
	if err != nil {
		srv.Close()
		return nil, err
	}
	cfg.Settle = -1
	admin, err := shopify.New(cfg)
	if err != nil {
		srv.Close()
		return nil, err
	}
	getter, ok := admin.Orders().(connector.Getter[canonical.SalesOrder])
	if !ok {
		srv.Close()
		return nil, errors.New("o2c: the Shopify orders source cannot get an order by name")
	}
	return &shopifyFront{Shop: port, port: port, admin: admin, orders: getter, srv: srv,
		taxRate: taxRate.String(), customers: map[string]canonical.Customer{}}, nil
}

// Close stops the fake shop.
func (f *shopifyFront) Close() { f.srv.Close() }

// SetFaults switches the shop's misbehaviour on or off: throttles answered
// 429 with Retry-After, and (see PlaceOrder) bursts of 503s now and then.
func (f *shopifyFront) SetFaults(flt memshop.Faults) {
	f.mu.Lock()
	f.faulty = flt.Transient > 0 || flt.RateLimit > 0
	faulty := f.faulty
	f.mu.Unlock()
	if faulty {
		f.srv.SetFaults(shopifytest.Faults{ThrottleStatus: 429})
	} else {
		f.srv.SetFaults(shopifytest.Faults{})
	}
}

// summary describes the API traffic, for the report.
func (f *shopifyFront) summary() string {
	p, a, s := f.port.Stats(), f.admin.Stats(), f.srv.Stats()
	return fmt.Sprintf("Shopify Admin API (the fake, over HTTP): %d requests by the flows and %d by the operator's read-backs,\n"+
		"        %d answered THROTTLED and retried, %d held back by the client's pacer, %d injected 5xx; %d cost points charged",
		p.Requests, a.Requests, s.Throttled, p.Waits+a.Waits, s.ServerErrors, s.PointsCharged)
}

func (f *shopifyFront) fail(kind connector.Kind, format string, args ...any) error {
	return connector.Errorf(kind, Shop, format, args...)
}

// seedErr classifies an error of the fake's admin: an unknown record is
// NotFound, anything else a refusal.
func (f *shopifyFront) seedErr(op string, err error) error {
	if errors.Is(err, shopifytest.ErrNotFound) {
		return f.fail(connector.NotFound, "%s: %w", op, err)
	}
	return f.fail(connector.BusinessRule, "%s: %w", op, err)
}

func splitName(name string) (first, last string) {
	name = strings.TrimSpace(name)
	if i := strings.IndexByte(name, ' '); i > 0 {
		return name[:i], strings.TrimSpace(name[i+1:])
	}
	return "", name
}

func toShopifyAddress(a canonical.Address) *shopifytest.Address {
	if a.IsZero() {
		return nil
	}
	first, last := splitName(a.Name)
	out := &shopifytest.Address{FirstName: first, LastName: last, Company: a.Company, City: a.City,
		ProvinceCode: a.Region, Zip: a.PostalCode, Country: a.Country, Phone: a.Phone}
	if len(a.Lines) > 0 {
		out.Address1 = a.Lines[0]
		out.Address2 = strings.Join(a.Lines[1:], ", ")
	}
	return out
}

// units returns a quantity as a whole number of units.
func units(q canonical.Quantity) (int, bool) {
	n, ok := q.Value.Int64(0)
	if !ok || !canonical.DecimalFromInt(n).Equal(q.Value) {
		return 0, false
	}
	return int(n), true
}

func invalidField(path, msg string) error {
	e := connector.Errorf(connector.Invalid, Shop, "%s %s", path, msg)
	e.Fields = []canonical.FieldError{{Path: path, Code: "invalid", Message: msg}}
	return e
}

// AddProduct adds a product with one variant per SKU.
func (f *shopifyFront) AddProduct(p canonical.Product) error {
	in := shopifytest.ProductInput{Title: p.Name}
	if !p.Active {
		in.Status = "DRAFT"
	}
	if len(p.Variants) == 0 {
		in.Variants = []shopifytest.VariantInput{{SKU: p.SKU, Barcode: p.GTIN}}
	}
	for _, v := range p.Variants {
		vi := shopifytest.VariantInput{SKU: v.SKU, Title: v.Title, Barcode: v.GTIN}
		if v.Price != nil {
			vi.Price = v.Price.Amount.String()
		}
		in.Variants = append(in.Variants, vi)
	}
	if _, err := f.srv.AddProduct(in); err != nil {
		return invalidField("sku", err.Error())
	}
	return nil
}

// AddCustomer registers an account; its key is the customer's GID. Shopify
// keeps emails as given; like memshop, the storefront lower-cases them.
func (f *shopifyFront) AddCustomer(c canonical.Customer) (string, error) {
	c.Email = strings.ToLower(strings.TrimSpace(c.Email))
	first, last := splitName(c.Name)
	in := shopifytest.CustomerInput{FirstName: first, LastName: last, Email: c.Email, Phone: c.Phone}
	if len(c.Addresses) > 0 {
		in.Address = toShopifyAddress(c.Addresses[0])
	}
	id := f.srv.AddCustomer(in)
	c.Refs = []canonical.ExternalRef{{System: Shop, Type: "Customer", ID: id}}
	f.mu.Lock()
	f.customers[id] = c
	f.mu.Unlock()
	return id, nil
}

// Customer returns the account as it was registered.
func (f *shopifyFront) Customer(key string) (canonical.Customer, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.customers[key]
	return c, ok
}

// PlaceOrder checks out: Shopify numbers the order, prices and taxes it, and
// captures the total in one sale.
func (f *shopifyFront) PlaceOrder(o canonical.SalesOrder) (canonical.SalesOrder, error) {
	in := shopifytest.OrderInput{Email: o.Customer.Email, Currency: string(o.Currency), TaxRate: f.taxRate, Note: o.Note}
	ref, ok := o.Customer.Ref(Shop)
	if ok {
		in.CustomerID = ref.ID
	}
	shipTo := o.ShipTo
	if shipTo.IsZero() && ok {
		if c, found := f.Customer(ref.ID); found && len(c.Addresses) > 0 {
			shipTo = c.Addresses[0]
		}
	}
	in.ShipTo = toShopifyAddress(shipTo)
	shipping := canonical.Zero(o.Currency)
	for _, ch := range o.Charges {
		if ch.IsCharge {
			shipping, _ = shipping.Add(ch.Amount)
		}
	}
	if shipping.Amount.IsPos() {
		in.Shipping = shipping.Amount.String()
	}
	for i, l := range o.Lines {
		n, ok := units(l.Ordered)
		if !ok || n <= 0 {
			return canonical.SalesOrder{}, invalidField(fmt.Sprintf("lines[%d].ordered.value", i), "must be a positive whole number")
		}
		in.Lines = append(in.Lines, shopifytest.LineInput{SKU: l.SKU, Quantity: n, Price: l.UnitPrice.Amount.String()})
	}
	f.mu.Lock()
	f.checkouts++
	burst := f.faulty && f.checkouts%25 == 0
	f.mu.Unlock()
	if burst {
		// Shopify has a bad minute: the next few API calls answer 503.
		f.srv.SetFaults(shopifytest.Faults{ThrottleStatus: 429, ServerErrors: 3})
	}
	placed, err := f.srv.AddOrder(in)
	if err != nil {
		return canonical.SalesOrder{}, f.fail(connector.Invalid, "place order: %w", err)
	}
	// The order is placed: a failed read-back must not make the customer
	// check out again.
	return f.readBack(placed.Name), nil
}

// get reads an order through the Admin API.
func (f *shopifyFront) get(number string) (canonical.SalesOrder, error) {
	var ch connector.Change[canonical.SalesOrder]
	err := again(func() (err error) {
		ch, err = f.orders.Get(context.Background(), number)
		return err
	})
	return ch.Entity, err
}

// readBack returns the order after a change, or only its number if it cannot
// be read.
func (f *shopifyFront) readBack(number string) canonical.SalesOrder {
	o, err := f.get(number)
	if err != nil {
		return canonical.SalesOrder{Number: number, CustomerPO: number}
	}
	return o
}

// OrderByNumber reads the order through the Admin API.
func (f *shopifyFront) OrderByNumber(number string) (canonical.SalesOrder, bool) {
	o, err := f.get(number)
	return o, err == nil
}

// ListOrders reads every order through the Admin API, oldest first.
func (f *shopifyFront) ListOrders() []canonical.SalesOrder {
	var out []canonical.SalesOrder
	_ = again(func() error {
		out = out[:0]
		for ch, err := range f.admin.Orders().Changes(context.Background(), "") {
			if err != nil {
				return err
			}
			out = append(out, ch.Entity)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b canonical.SalesOrder) int {
		if c := a.OrderedAt.Compare(b.OrderedAt); c != 0 {
			return c
		}
		return cmp.Compare(orderSeq(a.Number), orderSeq(b.Number))
	})
	return out
}

func orderSeq(number string) int64 {
	n, _ := strconv.ParseInt(strings.TrimPrefix(number, "#"), 10, 64)
	return n
}

// AmendOrder edits an order as Shopify's order editing does: quantities
// changed, lines removed (quantity zero) and lines added; other changes the
// edit makes are ignored. Shopify keeps the payment as it was: the order's
// balance shows what is owed or due back. The
// storefront refuses what memshop refuses: amending a cancelled order,
// changing a SKU, falling below what shipped, and changing a refunded line.
func (f *shopifyFront) AmendOrder(number string, edit func(*canonical.SalesOrder) error) (canonical.SalesOrder, error) {
	cur, err := f.get(number)
	if err != nil {
		return cur, err
	}
	if cur.Status == canonical.OrderCancelled {
		return cur, f.fail(connector.BusinessRule, "order %s is cancelled and cannot be amended", number)
	}
	next := cur
	next.Lines = slices.Clone(cur.Lines)
	if err := edit(&next); err != nil {
		return cur, err
	}
	type setQty struct {
		line string
		qty  int
	}
	var sets []setQty
	var adds []shopifytest.LineInput
	var refunded map[string]int
	touched := func(l canonical.SalesOrderLine, path string) error {
		if refunded == nil {
			refunded = f.refundedUnits(number)
		}
		if refunded[l.LineID] > 0 {
			return f.fail(connector.BusinessRule, "%s: line %s of %s has refunds and cannot change", path, l.LineID, number)
		}
		return nil
	}
	kept := map[string]bool{}
	for i, l := range next.Lines {
		path := fmt.Sprintf("lines[%d]", i)
		n, ok := units(l.Ordered)
		if !ok || n < 0 {
			return cur, invalidField(path+".ordered.value", "must be a whole number")
		}
		if l.LineID == "" {
			if n > 0 {
				adds = append(adds, shopifytest.LineInput{SKU: l.SKU, Quantity: n, Price: l.UnitPrice.Amount.String()})
			}
			continue
		}
		old, ok := cur.Line(l.LineID)
		switch {
		case !ok:
			return cur, invalidField(path+".lineId", fmt.Sprintf("order %s has no line %q", number, l.LineID))
		case l.SKU != old.SKU:
			return cur, invalidField(path+".sku", "cannot change: remove the line and add another")
		}
		kept[l.LineID] = true
		if l.Ordered.Value.Equal(old.Ordered.Value) {
			continue
		}
		if shipped, _ := units(old.Shipped); n < shipped {
			return cur, f.fail(connector.BusinessRule, "%s: line %s of %s has %d shipped", path, l.LineID, number, shipped)
		}
		if err := touched(*old, path); err != nil {
			return cur, err
		}
		sets = append(sets, setQty{old.ExternalLineID, n})
	}
	for _, old := range cur.Lines {
		if kept[old.LineID] {
			continue
		}
		if old.Shipped.Value.IsPos() {
			return cur, f.fail(connector.BusinessRule, "line %s of %s has shipped and cannot be removed", old.LineID, number)
		}
		if err := touched(old, "lines"); err != nil {
			return cur, err
		}
		sets = append(sets, setQty{old.ExternalLineID, 0})
	}
	if len(sets) == 0 && len(adds) == 0 {
		return cur, nil
	}
	for _, s := range sets {
		if err := f.srv.SetLineQuantity(number, s.line, s.qty); err != nil {
			return cur, f.seedErr("amend "+number, err)
		}
	}
	for _, li := range adds {
		if _, err := f.srv.AddLine(number, li); err != nil {
			return cur, f.seedErr("amend "+number, err)
		}
	}
	return f.readBack(number), nil
}

// CancelOrder cancels an order nothing of which has been fulfilled; Shopify
// refunds what was paid.
func (f *shopifyFront) CancelOrder(number, reason string) (canonical.SalesOrder, error) {
	cur, err := f.get(number)
	if err != nil {
		return cur, err
	}
	if cur.Status == canonical.OrderCancelled {
		return cur, f.fail(connector.BusinessRule, "order %s is already cancelled", number)
	}
	for _, l := range cur.Lines {
		if l.Shipped.Value.IsPos() {
			return cur, f.fail(connector.BusinessRule, "order %s has been fulfilled in part and cannot be cancelled", number)
		}
	}
	code := "OTHER"
	if strings.Contains(strings.ToLower(reason), "customer") {
		code = "CUSTOMER"
	}
	if err := f.srv.CancelOrder(number, code); err != nil {
		return cur, f.seedErr("cancel "+number, err)
	}
	return f.readBack(number), nil
}

// Refund refunds some units of some lines, with their share of the tax, and
// optionally shipping. Items are not restocked: stock belongs to the ERP.
func (f *shopifyFront) Refund(number string, lines []canonical.RefundLine, shipping *canonical.Money, reason string) (canonical.Refund, error) {
	cur, err := f.get(number)
	if err != nil {
		return canonical.Refund{}, err
	}
	if cur.Status == canonical.OrderCancelled {
		return canonical.Refund{}, f.fail(connector.BusinessRule, "order %s is cancelled: its money went back when it was", number)
	}
	refunded := f.refundedUnits(number)
	in := shopifytest.RefundInput{Note: reason}
	for i, rl := range lines {
		path := fmt.Sprintf("lines[%d]", i)
		l, ok := cur.Line(rl.OrderLine.LineID)
		if !ok {
			return canonical.Refund{}, invalidField(path+".orderLine.lineId", fmt.Sprintf("order %s has no line %q", number, rl.OrderLine.LineID))
		}
		n, ok := units(rl.Quantity)
		if !ok || n <= 0 {
			return canonical.Refund{}, invalidField(path+".quantity.value", "must be a positive whole number")
		}
		if ordered, _ := units(l.Ordered); refunded[l.LineID]+n > ordered {
			return canonical.Refund{}, f.fail(connector.BusinessRule, "%s: %d of line %s refunded already, %d ordered", path, refunded[l.LineID], l.LineID, ordered)
		}
		in.Lines = append(in.Lines, shopifytest.RefundLineInput{LineItemID: l.ExternalLineID, Quantity: n})
	}
	if shipping != nil && !shipping.IsZero() {
		in.Shipping = shipping.Amount.String()
	}
	if len(in.Lines) == 0 && in.Shipping == "" {
		return canonical.Refund{}, invalidField("lines", "nothing to refund")
	}
	id, err := f.srv.RefundOrder(number, in)
	if err != nil {
		return canonical.Refund{}, f.seedErr("refund "+number, err)
	}
	for _, r := range f.RefundsOf(number) {
		if ref, ok := r.Ref(Shop); ok && ref.ID == id {
			return r, nil
		}
	}
	return canonical.Refund{Meta: canonical.Meta{Refs: []canonical.ExternalRef{{System: Shop, Type: "Refund", ID: id}}},
		Order: number, Currency: cur.Currency}, nil
}

// refundedUnits counts the units refunded per line of an order.
func (f *shopifyFront) refundedUnits(number string) map[string]int {
	out := map[string]int{}
	for _, r := range f.RefundsOf(number) {
		for _, l := range r.Lines {
			n, _ := units(l.Quantity)
			out[l.OrderLine.LineID] += n
		}
	}
	return out
}

// docRefundsOf reads an order's refunds in one query. The connector reads
// refunds as a feed; an order's refunds are a question for the GraphQL escape
// hatch.
const docRefundsOf = `query RefundsOf($query: String!) {
  orders(first: 1, query: $query) {
    nodes {
      name
      refunds(first: 8) {
        id createdAt updatedAt note
        totalRefundedSet { shopMoney { amount currencyCode } }
        refundLineItems(first: 8) {
          nodes { quantity restockType lineItem { id } subtotalSet { shopMoney { amount currencyCode } } totalTaxSet { shopMoney { amount currencyCode } } }
        }
      }
    }
  }
}`

type shopMoney struct {
	ShopMoney struct {
		Amount       string `json:"amount"`
		CurrencyCode string `json:"currencyCode"`
	} `json:"shopMoney"`
}

func (m shopMoney) money() canonical.Money {
	d, _ := canonical.ParseDecimal(m.ShopMoney.Amount)
	return canonical.Money{Amount: d, Currency: canonical.CurrencyCode(m.ShopMoney.CurrencyCode)}
}

// RefundsOf reads an order's refunds through the Admin API, oldest first,
// shaped as the connector's refunds feed shapes them: each line's amount is
// its subtotal and tax, and what the total holds beyond the lines is
// shipping.
func (f *shopifyFront) RefundsOf(number string) []canonical.Refund {
	var out struct {
		Orders struct {
			Nodes []struct {
				Name    string `json:"name"`
				Refunds []struct {
					ID, CreatedAt, UpdatedAt, Note string
					TotalRefundedSet               shopMoney
					RefundLineItems                struct {
						Nodes []struct {
							Quantity    int64  `json:"quantity"`
							RestockType string `json:"restockType"`
							LineItem    struct {
								ID string `json:"id"`
							} `json:"lineItem"`
							SubtotalSet shopMoney `json:"subtotalSet"`
							TotalTaxSet shopMoney `json:"totalTaxSet"`
						} `json:"nodes"`
					} `json:"refundLineItems"`
				} `json:"refunds"`
			} `json:"nodes"`
		} `json:"orders"`
	}
	q := "name:'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(number) + "'"
	err := again(func() error {
		return f.admin.GraphQL(context.Background(), docRefundsOf, map[string]any{"query": q}, &out)
	})
	if err != nil {
		return nil
	}
	var refunds []canonical.Refund
	for _, o := range out.Orders.Nodes {
		if o.Name != number {
			continue
		}
		for _, n := range o.Refunds {
			total := n.TotalRefundedSet.money()
			r := canonical.Refund{
				Meta:     canonical.Meta{Refs: []canonical.ExternalRef{{System: Shop, Type: "Refund", ID: n.ID, Version: n.UpdatedAt}}},
				Order:    number,
				Currency: total.Currency,
				Amount:   total,
				Reason:   n.Note,
			}
			r.CreatedAt, _ = time.Parse(time.RFC3339, n.CreatedAt)
			r.UpdatedAt, _ = time.Parse(time.RFC3339, n.UpdatedAt)
			lines := canonical.Zero(total.Currency)
			for _, l := range n.RefundLineItems.Nodes {
				if l.Quantity <= 0 {
					continue
				}
				amt, _ := l.SubtotalSet.money().Add(l.TotalTaxSet.money())
				r.Lines = append(r.Lines, canonical.RefundLine{
					OrderLine: canonical.LineRef{Document: number, LineID: gidTail(l.LineItem.ID)},
					Quantity:  canonical.Qty(l.Quantity, canonical.UnitOne),
					Amount:    amt,
				})
				lines, _ = lines.Add(amt)
				if l.RestockType == "RETURN" || l.RestockType == "CANCEL" || l.RestockType == "LEGACY_RESTOCK" {
					r.Restock = true
				}
			}
			if len(r.Lines) > 0 {
				if rest, err := total.Sub(lines); err == nil && rest.Amount.IsPos() {
					r.Shipping = &rest
				}
			}
			refunds = append(refunds, r)
		}
	}
	slices.SortFunc(refunds, func(a, b canonical.Refund) int {
		return cmp.Compare(gidSeq(a.Refs[0].ID), gidSeq(b.Refs[0].ID))
	})
	return refunds
}

// gidTail is the numeric tail of a global ID ("gid://shopify/LineItem/12"
// gives "12"), or the ID as it is.
func gidTail(id string) string {
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

func gidSeq(id string) int64 {
	n, _ := strconv.ParseInt(gidTail(id), 10, 64)
	return n
}

// FulfillmentsOf returns an order's fulfilments as the fake's admin shows
// them; a fulfilment's number is its ID, since Shopify does not know ours.
func (f *shopifyFront) FulfillmentsOf(number string) []canonical.Shipment {
	o, ok := f.srv.Order(number)
	if !ok {
		return nil
	}
	skus := map[string]string{}
	for _, l := range o.Lines {
		skus[l.ID] = l.SKU
	}
	var out []canonical.Shipment
	for _, fl := range f.srv.Fulfillments(number) {
		sh := canonical.Shipment{
			Meta:   canonical.Meta{Refs: []canonical.ExternalRef{{System: Shop, Type: "Fulfillment", ID: fl.ID}}},
			Number: gidTail(fl.ID), Order: number, Status: canonical.ShipmentShipped,
		}
		if fl.Status == "CANCELLED" {
			sh.Status = canonical.ShipmentCancelled
		}
		if len(fl.Tracking) > 0 {
			t := fl.Tracking[0]
			sh.Carrier, sh.TrackingNumber, sh.TrackingURL = t.Company, t.Number, t.URL
		}
		ids := make([]string, 0, len(fl.Lines))
		for id := range fl.Lines {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b string) int { return cmp.Compare(gidSeq(a), gidSeq(b)) })
		for i, id := range ids {
			sh.Lines = append(sh.Lines, canonical.ShipmentLine{
				LineID: strconv.Itoa(i + 1), OrderLine: canonical.LineRef{Document: number, LineID: gidTail(id)},
				SKU: skus[id], Quantity: canonical.Qty(int64(fl.Lines[id]), canonical.UnitOne),
			})
		}
		out = append(out, sh)
	}
	return out
}

// Available returns the quantity the shop can sell, as its admin shows it.
func (f *shopifyFront) Available(sku, location string) (canonical.Quantity, bool) {
	lv, ok := f.srv.Inventory(sku, location)
	if !ok || !lv.Set {
		return canonical.Quantity{}, false
	}
	return canonical.Qty(int64(lv.Available), canonical.UnitOne), true
}
