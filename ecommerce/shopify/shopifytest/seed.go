package shopifytest

import (
	"errors"
	"fmt"
	"strings"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/webhook"
)

// Sign returns the X-Shopify-Hmac-Sha256 value for body under secret: the
// base64 HMAC-SHA256 of the raw bytes.
func Sign(secret string, body []byte) string { return webhook.Sign(webhook.Base64, secret, body) }

// Address is a postal address as Shopify's MailingAddress holds it.
type Address struct {
	// FirstName, LastName and Company name the recipient.
	FirstName, LastName, Company string
	// Address1, Address2 and City are the street lines and the town.
	Address1, Address2, City string
	// Province, ProvinceCode and Zip are the region and postal code.
	Province, ProvinceCode, Zip string
	// Country is the ISO 3166-1 alpha-2 code.
	Country string
	// Phone is the recipient's phone number.
	Phone string
}

// Tracking is one tracking entry of a fulfilment.
type Tracking struct {
	// Company is the carrier, Number the tracking number, URL its page.
	Company, Number, URL string
}

// ProductInput describes a product to add.
type ProductInput struct {
	// Title is the product's name.
	Title string
	// Status is ACTIVE (default), DRAFT or ARCHIVED.
	Status string
	// Variants are the product's variants, one SKU each.
	Variants []VariantInput
}

// VariantInput describes one variant.
type VariantInput struct {
	// SKU must be unique in the shop (or empty).
	SKU string
	// Title defaults to "Default Title"; Barcode is the GTIN, if any.
	Title, Barcode string
	// Price is a decimal string in the shop currency.
	Price string
	// Available is the initial stock at every location.
	Available int
}

// Product is a product as the fake holds it.
type Product struct {
	// ID is the product's GID.
	ID string
	// Title is the product's name.
	Title string
	// Variants are its variants, in order.
	Variants []Variant
}

// Variant is one variant of a Product.
type Variant struct {
	// ID is the variant's GID, SKU its SKU and InventoryItemID the GID of
	// its inventory item.
	ID, SKU, InventoryItemID string
}

// CustomerInput describes a customer to add.
type CustomerInput struct {
	// FirstName, LastName, Email and Phone are the customer's contact data.
	FirstName, LastName, Email, Phone string
	// Address is the default address, if any.
	Address *Address
}

// OrderInput describes an order to add. Amounts are decimal strings in the
// order currency.
type OrderInput struct {
	// Name is the order name; default "#1001", "#1002", ...
	Name string
	// Email of the buyer; CustomerID links a customer added before.
	Email, CustomerID string
	// Currency defaults to the shop currency.
	Currency string
	// Lines are the order lines; at least one.
	Lines []LineInput
	// Shipping is the shipping charge; TaxRate a fraction (0.2) applied to
	// the subtotal and shipping.
	Shipping, TaxRate string
	// Unpaid leaves the order pending; otherwise a SALE of the total is
	// captured.
	Unpaid bool
	// ShipTo is the shipping (and billing) address.
	ShipTo *Address
	// Note is the order note.
	Note string
}

// LineInput is one order line. A SKU of a product added before links its
// variant; an unknown SKU makes a custom line.
type LineInput struct {
	// SKU and Title describe the item; Title defaults to the product's.
	SKU, Title string
	// Quantity is the number of units, at least 1.
	Quantity int
	// Price is the unit price (default the variant's); Discount a discount
	// per unit.
	Price, Discount string
}

// Order is an order as the fake holds it.
type Order struct {
	// ID is the order's GID and Name its name ("#1001").
	ID, Name string
	// FulfillmentOrderID is the order's one fulfilment order.
	FulfillmentOrderID string
	// Lines are the order's line items.
	Lines []Line
	// Total is the current total price, Refunded what was refunded.
	Total, Refunded string
	// Cancelled reports a cancelled order.
	Cancelled bool
	// FinancialStatus and FulfillmentStatus are Shopify's display statuses.
	FinancialStatus, FulfillmentStatus string
	// UpdatedAt is the order's updatedAt.
	UpdatedAt string
}

// Line is one line item of an Order.
type Line struct {
	// ID is the line item's GID and SKU its SKU.
	ID, SKU string
	// Quantity is the quantity ordered, CurrentQuantity after edits.
	Quantity, CurrentQuantity int
	// Fulfilled and Unfulfilled split the current quantity.
	Fulfilled, Unfulfilled int
	// FulfillmentOrderLineItemID is the line's fulfilment order line item.
	FulfillmentOrderLineItemID string
}

// Fulfillment is a fulfilment as the fake holds it.
type Fulfillment struct {
	// ID is the fulfilment's GID; Status SUCCESS or CANCELLED.
	ID, Status string
	// Tracking is its tracking info.
	Tracking []Tracking
	// Lines maps line item IDs to fulfilled quantities.
	Lines map[string]int
	// UpdatedAt is the fulfilment's updatedAt.
	UpdatedAt string
}

// RefundInput describes a refund.
type RefundInput struct {
	// Lines are the line quantities refunded.
	Lines []RefundLineInput
	// Shipping is a refunded shipping amount.
	Shipping string
	// Note is the refund's note (its reason).
	Note string
}

// RefundLineInput refunds a quantity of one line item.
type RefundLineInput struct {
	// LineItemID is the line item's GID.
	LineItemID string
	// Quantity is the number of units refunded.
	Quantity int
	// Restock returns the units to stock (restock type RETURN).
	Restock bool
}

// Level is an inventory level.
type Level struct {
	// Available and OnHand are the named quantities.
	Available, OnHand int
	// Set reports whether inventorySetQuantities ever set it.
	Set bool
}

// ErrNotFound is returned by seed methods for an unknown record.
var ErrNotFound = errors.New("shopifytest: not found")

// AddProduct adds a product with its variants, each stocked at every
// location, and returns it with its IDs. SKUs must be unique in the shop.
func (s *Server) AddProduct(in ProductInput) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if in.Status == "" {
		in.Status = "ACTIVE"
	}
	p := &product{id: s.newID(), title: in.Title, status: in.Status, created: now, updated: now,
		handle: strings.ToLower(strings.ReplaceAll(strings.TrimSpace(in.Title), " ", "-"))}
	out := Product{ID: gid("Product", p.id), Title: p.title}
	for _, vi := range in.Variants {
		if vi.SKU != "" && s.bySKU[vi.SKU] != nil {
			return Product{}, fmt.Errorf("shopifytest: SKU %q exists", vi.SKU)
		}
		price, err := dec(vi.Price)
		if err != nil {
			return Product{}, err
		}
		title := vi.Title
		if title == "" {
			title = "Default Title"
		}
		v := &variant{id: s.newID(), product: p, sku: vi.SKU, title: title, barcode: vi.Barcode, price: price, created: now, updated: now}
		it := &invItem{id: s.newID(), variant: v, levels: map[int64]*level{}, updated: now}
		for _, l := range s.locations {
			it.levels[l.id] = &level{id: s.newID(), available: vi.Available, onHand: vi.Available, updated: now}
		}
		v.item = it
		s.items[it.id] = it
		if vi.SKU != "" {
			s.bySKU[vi.SKU] = v
		}
		p.variants = append(p.variants, v)
		out.Variants = append(out.Variants, Variant{ID: gid("ProductVariant", v.id), SKU: v.sku, InventoryItemID: gid("InventoryItem", it.id)})
	}
	s.products = append(s.products, p)
	return out, nil
}

// UpdateProduct renames a product, giving it a newer updatedAt.
func (s *Server) UpdateProduct(id, title string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := parseGID("Product", id)
	for _, p := range s.products {
		if p.id == n {
			p.title = title
			p.updated = s.touch(p.updated)
			return nil
		}
	}
	return ErrNotFound
}

// AddCustomer adds a customer and returns its ID.
func (s *Server) AddCustomer(in CustomerInput) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	c := &customer{id: s.newID(), first: in.FirstName, last: in.LastName, email: in.Email, phone: in.Phone, addr: in.Address, created: now, updated: now}
	s.customers = append(s.customers, c)
	return gid("Customer", c.id)
}

// UpdateCustomer changes a customer's email, giving it a newer updatedAt.
func (s *Server) UpdateCustomer(id, email string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := parseGID("Customer", id)
	for _, c := range s.customers {
		if c.id == n {
			c.email = email
			c.updated = s.touch(c.updated)
			return nil
		}
	}
	return ErrNotFound
}

// AddOrder adds an order, as a checkout would, and returns it. Unless
// in.Unpaid, a successful SALE of the total is recorded.
func (s *Server) AddOrder(in OrderInput) (Order, error) {
	o, err := s.addOrder(in)
	if err != nil {
		return Order{}, err
	}
	s.notify("orders/create", s.restOrder(o.ID))
	return o, nil
}

func (s *Server) addOrder(in OrderInput) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(in.Lines) == 0 {
		return Order{}, errors.New("shopifytest: an order needs a line")
	}
	now := s.now()
	o := &order{id: s.newID(), name: in.Name, email: in.Email, note: in.Note, currency: in.Currency,
		created: now, updated: now, shipTo: in.ShipTo, billTo: in.ShipTo, foID: s.newID()}
	if o.name == "" {
		o.name = fmt.Sprintf("#%d", s.nextOrder)
		s.nextOrder++
	}
	for _, x := range s.orders {
		if x.name == o.name {
			return Order{}, fmt.Errorf("shopifytest: order %s exists", o.name)
		}
	}
	if o.currency == "" {
		o.currency = s.opts.Currency
	}
	if in.CustomerID != "" {
		n, _ := parseGID("Customer", in.CustomerID)
		for _, c := range s.customers {
			if c.id == n {
				o.customer = c
			}
		}
		if o.customer == nil {
			return Order{}, fmt.Errorf("shopifytest: customer %s: %w", in.CustomerID, ErrNotFound)
		}
		if o.email == "" {
			o.email = o.customer.email
		}
	}
	var err error
	if o.shipping, err = dec(in.Shipping); err != nil {
		return Order{}, err
	}
	if o.taxRate, err = dec(in.TaxRate); err != nil {
		return Order{}, err
	}
	for _, li := range in.Lines {
		l, err := s.newLine(li)
		if err != nil {
			return Order{}, err
		}
		o.lines = append(o.lines, l)
	}
	if !in.Unpaid {
		o.txns = append(o.txns, &txn{id: s.newID(), kind: "SALE", status: "SUCCESS", gateway: "bogus", amount: o.total(), created: now})
	}
	s.orders = append(s.orders, o)
	s.orderByID[o.id] = o
	s.orderByFO[o.foID] = o
	return s.orderView(o), nil
}

func (s *Server) newLine(li LineInput) (*lineItem, error) {
	if li.Quantity <= 0 {
		return nil, fmt.Errorf("shopifytest: line %q: quantity must be positive", li.SKU)
	}
	unit, err := dec(li.Price)
	if err != nil {
		return nil, err
	}
	disc, err := dec(li.Discount)
	if err != nil {
		return nil, err
	}
	l := &lineItem{id: s.newID(), foLineID: s.newID(), sku: li.SKU, title: li.Title, quantity: li.Quantity, current: li.Quantity, unit: unit, discUnit: disc}
	if v := s.bySKU[li.SKU]; v != nil {
		l.variant = v
		if l.title == "" {
			l.title = v.product.title
		}
		if li.Price == "" {
			l.unit = v.price
		}
	}
	if l.title == "" {
		l.title = li.SKU
	}
	return l, nil
}

func (s *Server) orderNamed(name string) *order {
	if id, ok := parseGID("Order", name); ok {
		return s.orderByID[id]
	}
	for _, o := range s.orders {
		if o.name == name {
			return o
		}
	}
	return nil
}

// Order returns the order with this name ("#1001") or ID.
func (s *Server) Order(name string) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderNamed(name)
	if o == nil {
		return Order{}, false
	}
	return s.orderView(o), true
}

func (s *Server) orderView(o *order) Order {
	v := Order{ID: gid("Order", o.id), Name: o.name, FulfillmentOrderID: gid("FulfillmentOrder", o.foID),
		Total: money(o.total()), Refunded: money(o.refunded()), Cancelled: o.cancelled(),
		FinancialStatus: o.financialStatus(), FulfillmentStatus: o.fulfillmentStatus(), UpdatedAt: stamp(o.updated)}
	for _, l := range o.lines {
		v.Lines = append(v.Lines, Line{ID: gid("LineItem", l.id), SKU: l.sku, Quantity: l.quantity, CurrentQuantity: l.current,
			Fulfilled: l.fulfilled, Unfulfilled: l.unfulfilled(o), FulfillmentOrderLineItemID: gid("FulfillmentOrderLineItem", l.foLineID)})
	}
	return v
}

// restOrder is the REST-shaped (snake_case) webhook payload of an order.
func (s *Server) restOrder(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := parseGID("Order", id)
	o := s.orderByID[n]
	if o == nil {
		return map[string]any{"admin_graphql_api_id": id}
	}
	return map[string]any{
		"id": o.id, "admin_graphql_api_id": gid("Order", o.id), "name": o.name, "email": o.email,
		"updated_at": stamp(o.updated), "created_at": stamp(o.created), "currency": o.currency,
		"total_price": money(o.total()), "financial_status": strings.ToLower(o.financialStatus()),
	}
}

// TouchOrder gives an order a newer updatedAt (a note added in the admin).
func (s *Server) TouchOrder(name, note string) error {
	s.mu.Lock()
	o := s.orderNamed(name)
	if o == nil {
		s.mu.Unlock()
		return ErrNotFound
	}
	o.note = note
	s.touchOrder(o)
	id := gid("Order", o.id)
	s.mu.Unlock()
	s.notify("orders/updated", s.restOrder(id))
	return nil
}

// SetLineQuantity amends an order, as an order edit would: the line's
// current quantity becomes qty (0 removes it). It may not fall below what
// was fulfilled.
func (s *Server) SetLineQuantity(name, lineItemID string, qty int) error {
	s.mu.Lock()
	o := s.orderNamed(name)
	if o == nil {
		s.mu.Unlock()
		return ErrNotFound
	}
	id, _ := parseGID("LineItem", lineItemID)
	var l *lineItem
	for _, x := range o.lines {
		if x.id == id {
			l = x
		}
	}
	switch {
	case l == nil:
		s.mu.Unlock()
		return fmt.Errorf("shopifytest: line %s: %w", lineItemID, ErrNotFound)
	case o.cancelled():
		s.mu.Unlock()
		return errors.New("shopifytest: a cancelled order cannot be edited")
	case qty < l.fulfilled:
		s.mu.Unlock()
		return fmt.Errorf("shopifytest: %d of line %s are fulfilled", l.fulfilled, lineItemID)
	}
	l.current = qty
	s.touchOrder(o)
	oid := gid("Order", o.id)
	s.mu.Unlock()
	s.notify("orders/edited", s.restOrder(oid))
	s.notify("orders/updated", s.restOrder(oid))
	return nil
}

// AddLine amends an order with a new line and returns its line item ID.
func (s *Server) AddLine(name string, li LineInput) (string, error) {
	s.mu.Lock()
	o := s.orderNamed(name)
	if o == nil {
		s.mu.Unlock()
		return "", ErrNotFound
	}
	if o.cancelled() {
		s.mu.Unlock()
		return "", errors.New("shopifytest: a cancelled order cannot be edited")
	}
	l, err := s.newLine(li)
	if err != nil {
		s.mu.Unlock()
		return "", err
	}
	o.lines = append(o.lines, l)
	s.touchOrder(o)
	oid := gid("Order", o.id)
	s.mu.Unlock()
	s.notify("orders/edited", s.restOrder(oid))
	s.notify("orders/updated", s.restOrder(oid))
	return gid("LineItem", l.id), nil
}

// CancelOrder cancels an order with a reason (CUSTOMER, DECLINED, FRAUD,
// INVENTORY, STAFF or OTHER) and refunds what was captured and not yet
// refunded, as a refund record with a REFUND transaction.
func (s *Server) CancelOrder(name, reason string) error {
	s.mu.Lock()
	o := s.orderNamed(name)
	if o == nil {
		s.mu.Unlock()
		return ErrNotFound
	}
	if o.cancelled() {
		s.mu.Unlock()
		return errors.New("shopifytest: the order is already cancelled")
	}
	if reason == "" {
		reason = "OTHER"
	}
	o.cancelledAt = s.now()
	o.cancelReason = reason
	if left := sub(o.paid(), o.refunded()); left.IsPos() {
		var lines []refundLine
		if !o.refunded().IsPos() {
			for _, l := range o.lines {
				if q := l.current - l.fulfilled; q > 0 {
					st := mul(sub(l.unit, l.discUnit), q)
					lines = append(lines, refundLine{li: l, qty: q, subtotal: st, tax: o.taxOf(st), restock: "CANCEL"})
				}
			}
		}
		s.addRefund(o, lines, left, "Order cancelled")
	}
	s.touchOrder(o)
	oid := gid("Order", o.id)
	s.mu.Unlock()
	s.notify("orders/cancelled", s.restOrder(oid))
	s.notify("orders/updated", s.restOrder(oid))
	return nil
}

// addRefund records a refund of amount with a REFUND transaction. The
// caller holds s.mu.
func (s *Server) addRefund(o *order, lines []refundLine, amount canonical.Decimal, note string) *refund {
	now := s.now()
	var parent *txn
	for _, t := range o.txns {
		if t.kind == "SALE" || t.kind == "CAPTURE" {
			parent = t
		}
	}
	r := &refund{id: s.newID(), order: o, note: note, created: now, updated: now, lines: lines, total: amount}
	t := &txn{id: s.newID(), kind: "REFUND", status: "SUCCESS", gateway: "bogus", amount: amount, parent: parent, created: now}
	r.txns = []*txn{t}
	o.txns = append(o.txns, t)
	o.refunds = append(o.refunds, r)
	return r
}

// RefundOrder refunds line quantities (at their discounted unit price, plus
// tax at the order's rate) and shipping, and returns the refund's ID. It
// may not refund more than was captured.
func (s *Server) RefundOrder(name string, in RefundInput) (string, error) {
	s.mu.Lock()
	o := s.orderNamed(name)
	if o == nil {
		s.mu.Unlock()
		return "", ErrNotFound
	}
	var lines []refundLine
	var amount canonical.Decimal
	for _, rl := range in.Lines {
		id, _ := parseGID("LineItem", rl.LineItemID)
		var l *lineItem
		for _, x := range o.lines {
			if x.id == id {
				l = x
			}
		}
		if l == nil || rl.Quantity <= 0 || rl.Quantity > l.current {
			s.mu.Unlock()
			return "", fmt.Errorf("shopifytest: cannot refund %d of line %s", rl.Quantity, rl.LineItemID)
		}
		restock := "NO_RESTOCK"
		if rl.Restock {
			restock = "RETURN"
		}
		st := mul(sub(l.unit, l.discUnit), rl.Quantity)
		tax := o.taxOf(st)
		lines = append(lines, refundLine{li: l, qty: rl.Quantity, subtotal: st, tax: tax, restock: restock})
		amount = add(add(amount, st), tax)
	}
	ship, err := dec(in.Shipping)
	if err != nil {
		s.mu.Unlock()
		return "", err
	}
	amount = add(add(amount, ship), o.taxOf(ship))
	if !amount.IsPos() || add(o.refunded(), amount).Cmp(o.paid()) > 0 {
		s.mu.Unlock()
		return "", fmt.Errorf("shopifytest: refund of %s exceeds the %s captured and not refunded", money(amount), money(sub(o.paid(), o.refunded())))
	}
	r := s.addRefund(o, lines, amount, in.Note)
	s.touchOrder(o)
	oid := gid("Order", o.id)
	rid := gid("Refund", r.id)
	s.mu.Unlock()
	s.notify("refunds/create", map[string]any{"id": r.id, "admin_graphql_api_id": rid, "order_id": o.id})
	s.notify("orders/updated", s.restOrder(oid))
	return rid, nil
}

// Fulfillments returns an order's fulfilments, oldest first.
func (s *Server) Fulfillments(name string) []Fulfillment {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderNamed(name)
	if o == nil {
		return nil
	}
	out := make([]Fulfillment, 0, len(o.fulfillments))
	for _, f := range o.fulfillments {
		v := Fulfillment{ID: gid("Fulfillment", f.id), Status: f.status, Tracking: append([]Tracking(nil), f.tracking...), Lines: map[string]int{}, UpdatedAt: stamp(f.updated)}
		for _, l := range f.lines {
			v.Lines[gid("LineItem", l.li.id)] += l.qty
		}
		out = append(out, v)
	}
	return out
}

// Metafield returns the value of an order's metafield.
func (s *Server) Metafield(orderName, namespace, key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orderNamed(orderName)
	if o == nil {
		return "", false
	}
	v, ok := o.metafields[namespace+"."+key]
	return v, ok
}

// LocationID returns the ID of the location with this name.
func (s *Server) LocationID(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.locations {
		if l.name == name {
			return gid("Location", l.id), true
		}
	}
	return "", false
}

// Inventory returns the level of sku at the named location.
func (s *Server) Inventory(sku, location string) (Level, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lv := s.levelOf(sku, location)
	if lv == nil {
		return Level{}, false
	}
	return Level{Available: lv.available, OnHand: lv.onHand, Set: lv.set}, true
}

// SetInventory sets the available (and on-hand) quantity of sku at the
// named location, as a merchant editing stock in the admin would.
func (s *Server) SetInventory(sku, location string, available int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	lv := s.levelOf(sku, location)
	if lv == nil {
		return ErrNotFound
	}
	delta := available - lv.available
	lv.available += delta
	lv.onHand += delta
	lv.updated = s.now()
	return nil
}

func (s *Server) levelOf(sku, location string) *level {
	v := s.bySKU[sku]
	if v == nil {
		return nil
	}
	for _, l := range s.locations {
		if l.name == location {
			return v.item.levels[l.id]
		}
	}
	return nil
}
