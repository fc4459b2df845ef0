package bctest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/junctionhq/junction/canonical"
)

// ErrNotFound is returned by the seed helpers and accessors for a record
// the fake does not hold.
var ErrNotFound = errors.New("bctest: not found")

// Blocked values of a customer: which transactions Business Central
// refuses.
const (
	BlockedNone    = ""
	BlockedShip    = "Ship"
	BlockedInvoice = "Invoice"
	BlockedAll     = "All"
)

// CustomerInput describes a customer to seed.
type CustomerInput struct {
	// Number is the customer number; empty takes the next ("C10000", ...).
	Number string
	// Name is the displayName.
	Name string
	// Email and Phone are the contact details.
	Email string
	Phone string
	// Address fields.
	AddressLine1, City, PostalCode, Country string
	// Currency is the customer's currency (default the company's).
	Currency string
	// CreditLimit is the credit limit (0 means none).
	CreditLimit canonical.Decimal
	// Balance is the balance due.
	Balance canonical.Decimal
	// Blocked is BlockedNone, BlockedShip, BlockedInvoice or BlockedAll.
	Blocked string
}

// Customer is a customer as the fake holds it.
type Customer struct {
	// ID, Number, Name (displayName), Email, Currency and Blocked are the
	// customer's fields.
	ID, Number, Name, Email, Currency, Blocked string
	// CreditLimit and Balance (balanceDue) are its credit.
	CreditLimit, Balance canonical.Decimal
	// ETag and LastModified are its version.
	ETag         string
	LastModified time.Time
}

// AddCustomer creates a customer and returns it.
func (s *Server) AddCustomer(in CustomerInput) (Customer, error) {
	switch in.Blocked {
	case BlockedNone, BlockedShip, BlockedInvoice, BlockedAll:
	default:
		return Customer{}, fmt.Errorf("bctest: blocked %q is not one of \"\", Ship, Invoice, All", in.Blocked)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.Number != "" && byNumber(s.customers, in.Number) != nil {
		return Customer{}, fmt.Errorf("bctest: customer %s exists", in.Number)
	}
	c := &customer{id: newGUID(), number: in.Number, displayName: in.Name, typ: "Company", email: in.Email,
		phone: in.Phone, addressLine1: in.AddressLine1, city: in.City, zip: in.PostalCode, country: in.Country,
		currencyCode: in.Currency, creditLimit: in.CreditLimit, balanceDue: in.Balance, blocked: in.Blocked}
	if c.number == "" {
		c.number = s.number("customer")
	}
	if c.currencyCode == "" {
		c.currencyCode = s.opts.Currency
	}
	c.modified, c.ver = s.stamp(), s.nextVersion()
	s.customers = append(s.customers, c)
	s.notify("customers", c.id, "created")
	return customerView(c), nil
}

func customerView(c *customer) Customer {
	return Customer{ID: c.id, Number: c.number, Name: c.displayName, Email: c.email, Currency: c.currencyCode,
		Blocked: c.blocked, CreditLimit: c.creditLimit, Balance: c.balanceDue, ETag: etag(c.ver), LastModified: c.modified}
}

// Customer returns the customer with the given number.
func (s *Server) Customer(number string) (Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := byNumber(s.customers, number)
	if c == nil {
		return Customer{}, false
	}
	return customerView(c), true
}

// Customers returns every customer, in creation order.
func (s *Server) Customers() []Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Customer, len(s.customers))
	for i, c := range s.customers {
		out[i] = customerView(c)
	}
	return out
}

// editCustomer changes a customer as a user in Business Central would.
func (s *Server) editCustomer(number string, edit func(c *customer)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := byNumber(s.customers, number)
	if c == nil {
		return fmt.Errorf("%w: customer %s", ErrNotFound, number)
	}
	edit(c)
	c.modified, c.ver = s.stamp(), s.nextVersion()
	s.notify("customers", c.id, "updated")
	return nil
}

// SetBlocked blocks a customer (BlockedShip, BlockedInvoice, BlockedAll) or
// releases it (BlockedNone).
func (s *Server) SetBlocked(number, blocked string) error {
	switch blocked {
	case BlockedNone, BlockedShip, BlockedInvoice, BlockedAll:
	default:
		return fmt.Errorf("bctest: blocked %q is not one of \"\", Ship, Invoice, All", blocked)
	}
	return s.editCustomer(number, func(c *customer) { c.blocked = blocked })
}

// SetCreditLimit sets a customer's credit limit (0 removes it).
func (s *Server) SetCreditLimit(number string, limit canonical.Decimal) error {
	return s.editCustomer(number, func(c *customer) { c.creditLimit = limit })
}

// SetBalance sets a customer's balance due. As in Business Central, where
// the balance is a sum over ledger entries, this does not change the
// customer's lastModifiedDateTime.
func (s *Server) SetBalance(number string, balance canonical.Decimal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := byNumber(s.customers, number)
	if c == nil {
		return fmt.Errorf("%w: customer %s", ErrNotFound, number)
	}
	c.balanceDue = balance
	c.cache.valid = false
	return nil
}

// RenameCustomer changes a customer's name, as a user would: the customer
// gets a new ETag and lastModifiedDateTime.
func (s *Server) RenameCustomer(number, name string) error {
	return s.editCustomer(number, func(c *customer) { c.displayName = name })
}

// ItemInput describes an item to seed.
type ItemInput struct {
	// Number is the item number (the SKU); empty takes the next.
	Number string
	// Name is the displayName.
	Name string
	// UnitPrice is the sales price.
	UnitPrice canonical.Decimal
	// Inventory is the opening stock, booked as a positive adjustment.
	Inventory canonical.Decimal
	// TaxPercent is the VAT rate the fake applies to lines of the item.
	TaxPercent canonical.Decimal
	// Unit is the base unit of measure code (default "PCS").
	Unit string
	// GTIN is the barcode.
	GTIN string
	// Blocked refuses new lines with the item.
	Blocked bool
}

// Item is an item as the fake holds it.
type Item struct {
	// ID, Number, Name and Unit (baseUnitOfMeasureCode) are the item's
	// fields.
	ID, Number, Name, Unit string
	// UnitPrice and Inventory are its price and stock.
	UnitPrice, Inventory canonical.Decimal
	// Blocked refuses new lines with the item.
	Blocked bool
	// ETag and LastModified are its version.
	ETag         string
	LastModified time.Time
}

// AddItem creates an item with opening stock and returns it.
func (s *Server) AddItem(in ItemInput) (Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.Number != "" && byNumber(s.items, in.Number) != nil {
		return Item{}, fmt.Errorf("bctest: item %s exists", in.Number)
	}
	it := &item{id: newGUID(), number: in.Number, displayName: in.Name, typ: "Inventory", gtin: in.GTIN,
		blocked: in.Blocked, unitPrice: in.UnitPrice, taxPercent: in.TaxPercent, baseUnit: in.Unit}
	if it.number == "" {
		it.number = s.number("item")
	}
	if it.baseUnit == "" {
		it.baseUnit = "PCS"
	}
	it.modified, it.ver = s.stamp(), s.nextVersion()
	s.items = append(s.items, it)
	s.notify("items", it.id, "created")
	if !in.Inventory.IsZero() {
		s.moveStock(it.number, in.Inventory, "Positive Adjmt.", "", "OPENING", "Opening stock")
	}
	return itemView(it), nil
}

func itemView(it *item) Item {
	return Item{ID: it.id, Number: it.number, Name: it.displayName, Unit: it.baseUnit, UnitPrice: it.unitPrice,
		Inventory: it.inventory, Blocked: it.blocked, ETag: etag(it.ver), LastModified: it.modified}
}

// Item returns the item with the given number.
func (s *Server) Item(number string) (Item, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := byNumber(s.items, number)
	if it == nil {
		return Item{}, false
	}
	return itemView(it), true
}

// AdjustInventory books an item journal adjustment of delta units (a
// positive or negative adjustment entry in the item ledger). Like
// postings in Business Central it leaves the item record's
// lastModifiedDateTime alone.
func (s *Server) AdjustInventory(number string, delta canonical.Decimal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := byNumber(s.items, number)
	if it == nil {
		return fmt.Errorf("%w: item %s", ErrNotFound, number)
	}
	if _, err := it.inventory.Add(delta); err != nil {
		return fmt.Errorf("bctest: item %s: %w", number, err)
	}
	kind := "Positive Adjmt."
	if delta.IsNeg() {
		kind = "Negative Adjmt."
	}
	s.moveStock(number, delta, kind, "", "ADJ", "Inventory adjustment")
	return nil
}

// SetItemBlocked blocks or unblocks an item.
func (s *Server) SetItemBlocked(number string, blocked bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := byNumber(s.items, number)
	if it == nil {
		return fmt.Errorf("%w: item %s", ErrNotFound, number)
	}
	it.blocked = blocked
	it.modified, it.ver = s.stamp(), s.nextVersion()
	s.notify("items", it.id, "updated")
	return nil
}

// OrderLine is a sales order line as the fake holds it.
type OrderLine struct {
	// ID is the line's id and Sequence its line number (10000, 20000, …).
	ID       string
	Sequence int
	// Type is the lineType ("Item", "Account", "Comment", ...) and Number
	// the lineObjectNumber (the item number for an item line).
	Type, Number, Description string
	// Quantity, UnitPrice and Discount (discountAmount) are what was
	// ordered.
	Quantity, UnitPrice, Discount canonical.Decimal
	// Shipped, Invoiced, ShipQuantity (to ship next) and NetAmount (after
	// discounts, before tax) are the line's progress and value.
	Shipped, Invoiced, ShipQuantity, NetAmount canonical.Decimal
}

// Order is a sales order as the fake holds it.
type Order struct {
	// ID, Number, ExternalDocumentNumber, CustomerNumber, Currency and
	// Status are the order's fields.
	ID, Number, ExternalDocumentNumber, CustomerNumber, Currency, Status string
	// Locked is the reason Business Central refuses changes, or "".
	Locked string
	// Discount is the order's discountAmount.
	Discount canonical.Decimal
	// TotalExclTax, TotalTax and TotalInclTax are the order's totals.
	TotalExclTax, TotalTax, TotalInclTax canonical.Decimal
	// ShipToName, ShipToCity and ShipToCountry are from the ship-to
	// address.
	ShipToName, ShipToCity, ShipToCountry string
	// Lines are the order's lines, by sequence.
	Lines []OrderLine
	// ETag and LastModified are the order's version.
	ETag         string
	LastModified time.Time
	// OrderDate and RequestedDate are the order date and the requested
	// delivery date.
	OrderDate, RequestedDate canonical.Date
}

func orderView(o *order) Order {
	v := Order{ID: o.id, Number: o.number, ExternalDocumentNumber: o.extDoc, Currency: o.currencyCode, Status: o.status,
		Locked: o.lock, Discount: o.discountAmount, TotalExclTax: o.exclTax, TotalTax: o.tax, TotalInclTax: o.inclTax,
		ShipToName: o.shipTo.name, ShipToCity: o.shipTo.city, ShipToCountry: o.shipTo.country, ETag: etag(o.ver),
		LastModified: o.modified, OrderDate: o.orderDate, RequestedDate: o.requestedDelivery}
	if o.cust != nil {
		v.CustomerNumber = o.cust.number
	}
	for _, l := range o.lines {
		v.Lines = append(v.Lines, OrderLine{ID: l.id, Sequence: l.sequence, Type: l.lineType, Number: l.objectNumber,
			Description: l.description, Quantity: l.quantity, UnitPrice: l.unitPrice, Discount: l.discountAmount,
			Shipped: l.shipped, Invoiced: l.invoiced, ShipQuantity: l.shipQty, NetAmount: l.net})
	}
	return v
}

// Order returns the sales order with the given number.
func (s *Server) Order(number string) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := byNumber(s.orders, number)
	if o == nil {
		return Order{}, false
	}
	return orderView(o), true
}

// OrdersByExternal returns the sales orders whose externalDocumentNumber is
// ref: more than one means a duplicate was created.
func (s *Server) OrdersByExternal(ref string) []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Order
	for _, o := range s.orders {
		if o.extDoc == ref {
			out = append(out, orderView(o))
		}
	}
	return out
}

// Orders returns every open sales order, in creation order.
func (s *Server) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Order, len(s.orders))
	for i, o := range s.orders {
		out[i] = orderView(o)
	}
	return out
}

// OrderInput describes a sales order to seed directly, as if a user had
// typed it into Business Central.
type OrderInput struct {
	// CustomerNumber names an existing customer.
	CustomerNumber string
	// ExternalDocumentNumber is the channel's reference, if any.
	ExternalDocumentNumber string
	// Lines are the item lines.
	Lines []OrderLineInput
}

// OrderLineInput is one item line of an OrderInput.
type OrderLineInput struct {
	// Item is the item number.
	Item string
	// Quantity is the quantity ordered.
	Quantity canonical.Decimal
	// UnitPrice overrides the item's price when set.
	UnitPrice *canonical.Decimal
}

// AddOrder creates a sales order and returns it.
func (s *Server) AddOrder(in OrderInput) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := byNumber(s.customers, in.CustomerNumber)
	if c == nil {
		return Order{}, fmt.Errorf("%w: customer %s", ErrNotFound, in.CustomerNumber)
	}
	o := &order{id: newGUID(), number: s.number("order"), extDoc: in.ExternalDocumentNumber, cust: c, status: "Draft",
		orderDate: s.today(), postingDate: s.today(), currencyCode: c.currencyCode, nextSeq: 10000,
		shipTo: address{name: c.displayName, line1: c.addressLine1, city: c.city, zip: c.zip, country: c.country}}
	for _, li := range in.Lines {
		it := byNumber(s.items, li.Item)
		if it == nil {
			return Order{}, fmt.Errorf("%w: item %s", ErrNotFound, li.Item)
		}
		l := &orderLine{id: newGUID(), sequence: o.nextSeq, lineType: "Item", objectNumber: it.number, itemID: it.id,
			description: it.displayName, uom: it.baseUnit, quantity: li.Quantity, unitPrice: it.unitPrice,
			taxPercent: it.taxPercent, shipQty: li.Quantity, invoiceQty: li.Quantity, ver: s.nextVersion()}
		if li.UnitPrice != nil {
			l.unitPrice = *li.UnitPrice
		}
		o.lines = append(o.lines, l)
		o.nextSeq += 10000
	}
	if _, err := priceLines(o.lines, o.discountAmount); err != nil {
		return Order{}, fmt.Errorf("bctest: order %s: %w", o.number, err)
	}
	s.orders = append(s.orders, o)
	s.touchOrder(o, "created")
	return orderView(o), nil
}

// EditOrder changes an order as a user in Business Central would (its
// shipment date is moved by a day), so that it gets a new ETag: a client
// holding the old one must then get a conflict.
func (s *Server) EditOrder(number string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := byNumber(s.orders, number)
	if o == nil {
		return fmt.Errorf("%w: order %s", ErrNotFound, number)
	}
	if o.requestedDelivery.IsZero() {
		o.requestedDelivery = s.today()
	}
	o.requestedDelivery = o.requestedDelivery.AddDays(1)
	s.touchOrder(o, "updated")
	return nil
}

// SetLineQuantity changes the quantity of the order line with the given
// sequence, as a user would.
func (s *Server) SetLineQuantity(number string, sequence int, qty canonical.Decimal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := byNumber(s.orders, number)
	if o == nil {
		return fmt.Errorf("%w: order %s", ErrNotFound, number)
	}
	i := slices.IndexFunc(o.lines, func(l *orderLine) bool { return l.sequence == sequence })
	if i < 0 {
		return fmt.Errorf("%w: order %s line %d", ErrNotFound, number, sequence)
	}
	l := o.lines[i]
	next := *l
	next.quantity = qty
	var a arith
	next.shipQty = next.toShip(&a)
	next.invoiceQty = next.toInvoice(&a)
	err := a.err
	if err == nil {
		_, err = priceLines(withLine(o.lines, l, &next), o.discountAmount)
	}
	if err != nil {
		return fmt.Errorf("bctest: order %s line %d: %w", number, sequence, err)
	}
	next.ver = s.nextVersion()
	*l = next
	s.touchOrder(o, "updated")
	return nil
}

// LockOrder makes an order non-editable, as releasing it to the warehouse
// does: every change through the API is then refused with reason (as
// Business Central's field-validation error). An empty reason says the
// order is released.
func (s *Server) LockOrder(number, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := byNumber(s.orders, number)
	if o == nil {
		return fmt.Errorf("%w: order %s", ErrNotFound, number)
	}
	if reason == "" {
		reason = fmt.Sprintf("Status must be equal to 'Open'  in Sales Header: Document Type=Order, No.=%s. Current value is 'Released'.", o.number)
	}
	o.lock, o.status = reason, "Open"
	s.touchOrder(o, "updated")
	return nil
}

// UnlockOrder makes a locked order editable again (reopens it).
func (s *Server) UnlockOrder(number string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := byNumber(s.orders, number)
	if o == nil {
		return fmt.Errorf("%w: order %s", ErrNotFound, number)
	}
	o.lock, o.status = "", "Draft"
	s.touchOrder(o, "updated")
	return nil
}

// ShipOrder posts a shipment of an order, as the warehouse does: qty maps
// line sequences to the quantity to ship, or is nil to ship everything
// outstanding. With invoice set the shipped quantities are invoiced too
// (shipAndInvoice). Shipped lines can no longer be reduced below what
// shipped, nor removed. It returns the posted shipment's number.
func (s *Server) ShipOrder(number string, qty map[int]canonical.Decimal, invoice bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := byNumber(s.orders, number)
	if o == nil {
		return "", fmt.Errorf("%w: order %s", ErrNotFound, number)
	}
	o.cache = renderedDoc{}
	var a arith
	for _, l := range o.lines {
		if qty == nil {
			l.shipQty = l.toShip(&a)
		} else {
			l.shipQty = qty[l.sequence]
		}
		shipped := a.add(l.shipped, l.shipQty)
		if a.err != nil {
			return "", fmt.Errorf("bctest: order %s line %d: %w", number, l.sequence, a.err)
		}
		if shipped.Cmp(l.quantity) > 0 || l.shipQty.IsNeg() {
			return "", fmt.Errorf("bctest: order %s line %d: cannot ship %s of %s (shipped %s)", number, l.sequence, l.shipQty, l.quantity, l.shipped)
		}
		l.invoiceQty = l.shipQty
	}
	before := len(s.shipments)
	if e := s.post(o, invoice); e != nil {
		return "", fmt.Errorf("bctest: %s", e.message)
	}
	if len(s.shipments) == before {
		return "", nil
	}
	return s.shipments[len(s.shipments)-1].number, nil
}

// PostedLine is a line of a posted shipment or invoice.
type PostedLine struct {
	// Sequence is the order line's number the line comes from.
	Sequence int
	// Type is the lineType and Number the lineObjectNumber.
	Type, Number string
	// Quantity is what was shipped or invoiced; Amount the invoice line's
	// amount excluding tax (zero on a shipment).
	Quantity, Amount canonical.Decimal
}

// postedLineViews returns the lines of a posted document (a shipment
// line's amount is zero).
func postedLineViews(lines []*postedLine) []PostedLine {
	var out []PostedLine
	for _, l := range lines {
		out = append(out, PostedLine{Sequence: l.sequence, Type: l.lineType, Number: l.objectNumber, Quantity: l.quantity, Amount: l.amount})
	}
	return out
}

// Shipment is a posted sales shipment.
type Shipment struct {
	// ID, Number, OrderNumber and ExternalDocumentNumber are the
	// shipment's fields.
	ID, Number, OrderNumber, ExternalDocumentNumber string
	// Lines are the shipped lines.
	Lines []PostedLine
	// LastModified is when it was posted.
	LastModified time.Time
}

// Shipments returns the posted sales shipments, in posting order.
func (s *Server) Shipments() []Shipment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Shipment, len(s.shipments))
	for i, sh := range s.shipments {
		v := Shipment{ID: sh.id, Number: sh.number, OrderNumber: sh.orderNumber, ExternalDocumentNumber: sh.extDoc, LastModified: sh.modified}
		v.Lines = postedLineViews(sh.lines)
		out[i] = v
	}
	return out
}

// Invoice is a posted sales invoice.
type Invoice struct {
	// ID, Number, OrderNumber, ExternalDocumentNumber and Status ("Open",
	// "Paid") are the invoice's fields.
	ID, Number, OrderNumber, ExternalDocumentNumber, Status string
	// TotalExclTax, TotalInclTax and Remaining (remainingAmount) are its
	// amounts.
	TotalExclTax, TotalInclTax, Remaining canonical.Decimal
	// Lines are the invoiced lines.
	Lines []PostedLine
	// LastModified is when it last changed.
	LastModified time.Time
}

// Invoices returns the posted sales invoices, in posting order.
func (s *Server) Invoices() []Invoice {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Invoice, len(s.invoices))
	for i, inv := range s.invoices {
		v := Invoice{ID: inv.id, Number: inv.number, OrderNumber: inv.orderNumber, ExternalDocumentNumber: inv.extDoc,
			Status: inv.status, TotalExclTax: inv.exclTax, TotalInclTax: inv.inclTax, Remaining: inv.remaining, LastModified: inv.modified}
		v.Lines = postedLineViews(inv.lines)
		out[i] = v
	}
	return out
}

// PayInvoice records a payment of amount against a posted invoice: its
// remaining amount falls, the customer's balance too, and a fully paid
// invoice becomes "Paid".
func (s *Server) PayInvoice(number string, amount canonical.Decimal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := byNumber(s.invoices, number)
	if inv == nil {
		return fmt.Errorf("%w: invoice %s", ErrNotFound, number)
	}
	if amount.Cmp(inv.remaining) > 0 {
		amount = inv.remaining
	}
	var a arith
	remaining := a.sub(inv.remaining, amount)
	var balance canonical.Decimal
	if inv.cust != nil {
		balance = a.sub(inv.cust.balanceDue, amount)
	}
	if a.err != nil {
		return fmt.Errorf("bctest: invoice %s: %w", number, a.err)
	}
	inv.remaining = remaining
	if inv.cust != nil {
		inv.cust.balanceDue = balance
		inv.cust.cache.valid = false
	}
	if inv.remaining.IsZero() {
		inv.status = "Paid"
	}
	inv.modified, inv.ver = s.stamp(), s.nextVersion()
	s.notify("salesInvoices", inv.id, "updated")
	return nil
}

// LedgerEntries counts the item ledger entries.
func (s *Server) LedgerEntries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ledger)
}
