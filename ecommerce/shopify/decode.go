package shopify

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
)

// JSON shapes of the GraphQL answers, as the documents in queries.go ask
// for them. Nullable strings decode to "".

type pageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

type moneyV2 struct {
	Amount       string `json:"amount"`
	CurrencyCode string `json:"currencyCode"`
}

type moneyBag struct {
	ShopMoney moneyV2 `json:"shopMoney"`
}

type addressNode struct {
	Name          string `json:"name"`
	Company       string `json:"company"`
	Address1      string `json:"address1"`
	Address2      string `json:"address2"`
	City          string `json:"city"`
	Province      string `json:"province"`
	ProvinceCode  string `json:"provinceCode"`
	Zip           string `json:"zip"`
	CountryCodeV2 string `json:"countryCodeV2"`
	Phone         string `json:"phone"`
}

type lineNode struct {
	ID                  string `json:"id"`
	SKU                 string `json:"sku"`
	Title               string `json:"title"`
	Quantity            int64  `json:"quantity"`
	CurrentQuantity     int64  `json:"currentQuantity"`
	UnfulfilledQuantity int64  `json:"unfulfilledQuantity"`
	Variant             *struct {
		ID  string `json:"id"`
		SKU string `json:"sku"`
	} `json:"variant"`
	OriginalUnitPriceSet moneyBag `json:"originalUnitPriceSet"`
	TotalDiscountSet     moneyBag `json:"totalDiscountSet"`
}

type txnNode struct {
	ID                string   `json:"id"`
	Kind              string   `json:"kind"`
	Status            string   `json:"status"`
	Gateway           string   `json:"gateway"`
	ProcessedAt       string   `json:"processedAt"`
	AmountSet         moneyBag `json:"amountSet"`
	ParentTransaction *struct {
		ID string `json:"id"`
	} `json:"parentTransaction"`
}

type orderNode struct {
	ID                       string `json:"id"`
	Name                     string `json:"name"`
	Email                    string `json:"email"`
	Note                     string `json:"note"`
	CreatedAt                string `json:"createdAt"`
	UpdatedAt                string `json:"updatedAt"`
	CancelledAt              string `json:"cancelledAt"`
	CancelReason             string `json:"cancelReason"`
	CurrencyCode             string `json:"currencyCode"`
	TaxesIncluded            bool   `json:"taxesIncluded"`
	DisplayFinancialStatus   string `json:"displayFinancialStatus"`
	DisplayFulfillmentStatus string `json:"displayFulfillmentStatus"`
	Customer                 *struct {
		ID        string `json:"id"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
	} `json:"customer"`
	ShippingAddress         *addressNode `json:"shippingAddress"`
	BillingAddress          *addressNode `json:"billingAddress"`
	CurrentSubtotalPriceSet moneyBag     `json:"currentSubtotalPriceSet"`
	CurrentShippingPriceSet moneyBag     `json:"currentShippingPriceSet"`
	CurrentTotalTaxSet      moneyBag     `json:"currentTotalTaxSet"`
	CurrentTotalPriceSet    moneyBag     `json:"currentTotalPriceSet"`
	TotalRefundedSet        moneyBag     `json:"totalRefundedSet"`
	Transactions            []txnNode    `json:"transactions"`
	LineItems               struct {
		PageInfo pageInfo   `json:"pageInfo"`
		Nodes    []lineNode `json:"nodes"`
	} `json:"lineItems"`
}

// decodeError reports data Shopify sent that cannot be mapped, naming the
// field.
type decodeError struct {
	path, msg string
}

func (e *decodeError) Error() string { return e.path + ": " + e.msg }

// FieldErrors lets the connector package classify it as invalid data.
func (e *decodeError) FieldErrors() []canonical.FieldError {
	return []canonical.FieldError{{Path: e.path, Code: "undecodable", Message: e.msg}}
}

// legacyID returns the numeric tail of a global ID ("gid://shopify/Order/12"
// gives "12"), or the ID as it is when it has no slash.
func legacyID(gid string) string {
	if i := strings.LastIndexByte(gid, '/'); i >= 0 {
		gid = gid[i+1:]
	}
	if i := strings.IndexByte(gid, '?'); i >= 0 {
		gid = gid[:i]
	}
	return gid
}

// parseTime reads Shopify's DateTime (ISO 8601 with an offset).
func parseTime(path, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, &decodeError{path, fmt.Sprintf("%q is not an ISO 8601 date-time", s)}
	}
	return t, nil
}

// parseMoney reads a MoneyBag's shop money as an exact decimal. A bag with
// no currency takes fallback (the order currency).
func parseMoney(path string, b moneyBag, fallback string) (canonical.Money, error) {
	cur := b.ShopMoney.CurrencyCode
	if cur == "" {
		cur = fallback
	}
	if b.ShopMoney.Amount == "" {
		return canonical.Money{Currency: canonical.CurrencyCode(cur)}, nil
	}
	d, err := canonical.ParseDecimal(b.ShopMoney.Amount)
	if err != nil {
		return canonical.Money{}, &decodeError{path + ".shopMoney.amount", fmt.Sprintf("%q is not a decimal amount", b.ShopMoney.Amount)}
	}
	return canonical.Money{Amount: d, Currency: canonical.CurrencyCode(cur)}, nil
}

func mapAddress(a *addressNode) canonical.Address {
	if a == nil {
		return canonical.Address{}
	}
	out := canonical.Address{Name: a.Name, Company: a.Company, City: a.City, PostalCode: a.Zip, Country: a.CountryCodeV2, Phone: a.Phone}
	for _, l := range []string{a.Address1, a.Address2} {
		if l != "" {
			out.Lines = append(out.Lines, l)
		}
	}
	out.Region = a.ProvinceCode
	if out.Region == "" {
		out.Region = a.Province
	}
	return out
}

var txnKinds = map[string]canonical.TxnKind{
	"SALE": canonical.TxnSale, "CAPTURE": canonical.TxnCapture, "AUTHORIZATION": canonical.TxnAuthorization,
	"EMV_AUTHORIZATION": canonical.TxnAuthorization, "VOID": canonical.TxnVoid, "REFUND": canonical.TxnRefund,
}

func txnStatus(s string) canonical.TxnStatus {
	switch s {
	case "SUCCESS":
		return canonical.TxnSuccess
	case "FAILURE", "ERROR":
		return canonical.TxnFailure
	}
	return canonical.TxnPending
}

// mapTransactions turns order transactions into the payment ledger. CHANGE
// and SUGGESTED_REFUND entries, and zero amounts other than voids, carry no
// money movement and are left out.
func mapTransactions(prefix string, ts []txnNode, currency string) ([]canonical.PaymentTransaction, error) {
	var out []canonical.PaymentTransaction
	for i, t := range ts {
		kind, ok := txnKinds[t.Kind]
		if !ok {
			continue
		}
		p := fmt.Sprintf("%s[%d]", prefix, i)
		amt, err := parseMoney(p+".amountSet", t.AmountSet, currency)
		if err != nil {
			return nil, err
		}
		if !amt.Amount.IsPos() && kind != canonical.TxnVoid {
			continue
		}
		pt := canonical.PaymentTransaction{ID: legacyID(t.ID), Kind: kind, Status: txnStatus(t.Status), Amount: amt, Gateway: t.Gateway}
		if t.ParentTransaction != nil {
			pt.ParentID = legacyID(t.ParentTransaction.ID)
		}
		if t.ProcessedAt != "" {
			if at, err := parseTime(p+".processedAt", t.ProcessedAt); err == nil {
				pt.At = at
			}
		}
		out = append(out, pt)
	}
	return out, nil
}

// lineSKU is the line's SKU, the variant's when the line has none, or a
// stand-in naming the line item, so that custom lines still map.
func lineSKU(l lineNode) string {
	switch {
	case l.SKU != "" && canonical.ValidSKU(l.SKU):
		return l.SKU
	case l.Variant != nil && l.Variant.SKU != "" && canonical.ValidSKU(l.Variant.SKU):
		return l.Variant.SKU
	}
	return "shopify-line-" + legacyID(l.ID)
}

// mapOrder turns an order, with all its line items and transactions, into
// a canonical SalesOrder.
//
//   - Number and CustomerPO are the order name ("#1001"); the order's GID is
//     its ref, with updatedAt as the ref's version.
//   - Lines keep Shopify's line item IDs: LineID is the numeric ID and
//     ExternalLineID the GID. Ordered is the current quantity (after order
//     edits; a line edited down to zero is left out), Shipped is current −
//     unfulfilled, and on a cancelled order the rest is Cancelled.
//   - Money is the shop money, as exact decimals: the unit price, the
//     line's discount (totalDiscountSet) and Net = Ordered × price −
//     discount rounded to the currency; shipping is a charge; Tax and
//     Payable are the current totals, with any difference Shopify's own
//     rounding leaves in Totals.Rounding.
//   - Status: cancelled (cancelledAt set), completed (FULFILLED),
//     in_progress (PARTIALLY_FULFILLED, IN_PROGRESS) or accepted. An
//     ON_HOLD fulfilment status is a manual hold blocking fulfilment; a
//     PENDING financial status is a payment hold blocking fulfilment.
//   - Payments are the order's transactions: sales, captures,
//     authorisations, voids and refunds.
func mapOrder(system string, n orderNode) (canonical.SalesOrder, error) {
	var o canonical.SalesOrder
	updated, err := parseTime("updatedAt", n.UpdatedAt)
	if err != nil {
		return o, err
	}
	if n.Name == "" {
		return o, &decodeError{"name", "the order has no name"}
	}
	cur := n.CurrencyCode
	o.Meta = canonical.Meta{UpdatedAt: updated, Refs: []canonical.ExternalRef{{System: system, Type: "Order", ID: n.ID, Version: n.UpdatedAt}}}
	o.Number, o.CustomerPO, o.Channel = n.Name, n.Name, system
	o.Currency = canonical.CurrencyCode(cur)
	o.Note = n.Note
	o.PricesIncludeTax = n.TaxesIncluded
	if n.CreatedAt != "" {
		if o.OrderedAt, err = parseTime("createdAt", n.CreatedAt); err != nil {
			return o, err
		}
	}
	o.Customer = canonical.PartyRef{Email: n.Email}
	if c := n.Customer; c != nil {
		o.Customer.Refs = []canonical.ExternalRef{{System: system, Type: "Customer", ID: c.ID}}
		o.Customer.Name = strings.TrimSpace(c.FirstName + " " + c.LastName)
	}
	o.ShipTo = mapAddress(n.ShippingAddress)
	o.BillTo = mapAddress(n.BillingAddress)

	cancelled := n.CancelledAt != ""
	digits, ok := canonical.CurrencyCode(cur).MinorUnits()
	if !ok {
		digits = 2
	}
	var lineNet canonical.Decimal
	for i, l := range n.LineItems.Nodes {
		p := fmt.Sprintf("lineItems[%d]", i)
		if legacyID(l.ID) == "" {
			return o, &decodeError{p + ".id", "the line item has no ID"}
		}
		if l.CurrentQuantity < 0 || l.Quantity < 0 || l.UnfulfilledQuantity < 0 {
			return o, &decodeError{p + ".quantity", "a quantity is negative"}
		}
		ordered := l.CurrentQuantity
		if ordered == 0 {
			if !cancelled {
				continue // removed by an order edit
			}
			ordered = l.Quantity
		}
		shipped := min(max(l.CurrentQuantity-l.UnfulfilledQuantity, 0), ordered)
		unit, err := parseMoney(p+".originalUnitPriceSet", l.OriginalUnitPriceSet, cur)
		if err != nil {
			return o, err
		}
		disc, err := parseMoney(p+".totalDiscountSet", l.TotalDiscountSet, cur)
		if err != nil {
			return o, err
		}
		gross, err := unit.Amount.Mul(canonical.DecimalFromInt(ordered))
		if err != nil {
			return o, &decodeError{p, "the line amount overflows"}
		}
		net, err := gross.Sub(disc.Amount)
		if err != nil {
			return o, &decodeError{p, "the line amount overflows"}
		}
		line := canonical.SalesOrderLine{
			LineID: legacyID(l.ID), ExternalLineID: l.ID, SKU: lineSKU(l), Description: l.Title,
			Ordered:   canonical.Qty(ordered, canonical.UnitOne),
			UnitPrice: unit,
			Net:       canonical.Money{Amount: net.Round(digits, canonical.HalfUp), Currency: unit.Currency},
		}
		if shipped > 0 {
			line.Shipped = canonical.Qty(shipped, canonical.UnitOne)
		}
		if cancelled && ordered > shipped {
			line.Cancelled = canonical.Qty(ordered-shipped, canonical.UnitOne)
		}
		if disc.Amount.IsPos() {
			line.Discounts = []canonical.AllowanceCharge{{Reason: "discount", Amount: disc}}
		}
		if lineNet, err = lineNet.Add(line.Net.Amount); err != nil {
			return o, &decodeError{p, "the line amounts overflow"}
		}
		o.Lines = append(o.Lines, line)
	}

	shipping, err := parseMoney("currentShippingPriceSet", n.CurrentShippingPriceSet, cur)
	if err != nil {
		return o, err
	}
	tax, err := parseMoney("currentTotalTaxSet", n.CurrentTotalTaxSet, cur)
	if err != nil {
		return o, err
	}
	total, err := parseMoney("currentTotalPriceSet", n.CurrentTotalPriceSet, cur)
	if err != nil {
		return o, err
	}
	c := canonical.CurrencyCode(cur)
	o.Totals.LineNet = canonical.Money{Amount: lineNet, Currency: c}
	if shipping.Amount.IsPos() {
		o.Charges = []canonical.AllowanceCharge{{IsCharge: true, Code: "SHIPPING", Reason: "shipping", Amount: shipping}}
		o.Totals.Charges = shipping
	}
	o.Totals.Tax = tax
	o.Totals.Payable = total
	sum, err := lineNet.Add(shipping.Amount)
	if err == nil && !n.TaxesIncluded {
		sum, err = sum.Add(tax.Amount)
	}
	if err == nil {
		var diff canonical.Decimal
		if diff, err = total.Amount.Sub(sum); err == nil && !diff.IsZero() {
			o.Totals.Rounding = canonical.Money{Amount: diff, Currency: c}
		}
	}
	if err != nil {
		return o, &decodeError{"currentTotalPriceSet", "the totals overflow"}
	}

	switch {
	case cancelled:
		o.Status = canonical.OrderCancelled
		o.CancelReason = strings.ToLower(n.CancelReason)
		if o.CancelReason == "" {
			o.CancelReason = "cancelled"
		}
	case n.DisplayFulfillmentStatus == "FULFILLED":
		o.Status = canonical.OrderCompleted
	case n.DisplayFulfillmentStatus == "PARTIALLY_FULFILLED" || n.DisplayFulfillmentStatus == "IN_PROGRESS":
		o.Status = canonical.OrderInProgress
	default:
		o.Status = canonical.OrderAccepted
	}
	if n.DisplayFulfillmentStatus == "ON_HOLD" {
		o.Holds = append(o.Holds, canonical.Hold{Type: canonical.HoldManual, Blocks: []canonical.Stage{canonical.StageFulfillment},
			Reason: "fulfilment is on hold in Shopify", Source: system})
	}
	if n.DisplayFinancialStatus == "PENDING" && !cancelled {
		o.Holds = append(o.Holds, canonical.Hold{Type: canonical.HoldPayment, Blocks: []canonical.Stage{canonical.StageFulfillment},
			Reason: "payment is pending", Source: system})
	}
	if o.Payments, err = mapTransactions("transactions", n.Transactions, cur); err != nil {
		return o, err
	}
	return o, nil
}

// orderCursor is a position in the orders-by-updated-at stream: the
// updatedAt of the last order read (whole seconds, as Shopify stamps) and
// its numeric ID, which breaks ties.
type orderCursor struct {
	at time.Time
	id int64
}

func (c orderCursor) String() string {
	if c.at.IsZero() {
		return ""
	}
	return strconv.FormatInt(c.at.Unix(), 10) + ":" + strconv.FormatInt(c.id, 10)
}

func parseOrderCursor(s string) (orderCursor, error) {
	if s == "" {
		return orderCursor{}, nil
	}
	a, b, ok := strings.Cut(s, ":")
	sec, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || sec < 0 || id < 0 {
		return orderCursor{}, fmt.Errorf("cursor %q is not <unix seconds>:<id>", s)
	}
	return orderCursor{at: time.Unix(sec, 0).UTC(), id: id}, nil
}

// after reports whether (at, id) comes after the cursor.
func (c orderCursor) before(at time.Time, id int64) bool {
	at = at.Truncate(time.Second)
	if !at.Equal(c.at) {
		return at.After(c.at)
	}
	return id > c.id
}
