package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// Every source reads incrementally by updated_at: a search query
// updated_at:>='<checkpoint>' (and, with Config.Settle, updated_at:<= a few
// seconds ago), sorted by UPDATED_AT, paged with pageInfo cursors. Records
// in the checkpoint's second that were already read are skipped by ID, so
// resuming from any change's cursor yields exactly the changes after it.
// https://shopify.dev/docs/api/usage/pagination-graphql
// https://shopify.dev/docs/api/usage/search-syntax

// window returns the search query for the records updated after cur.
func (c *Client) window(cur orderCursor) string {
	var parts []string
	if !cur.at.IsZero() {
		parts = append(parts, "updated_at:>="+quote(cur.at.UTC().Format(time.RFC3339)))
	}
	if c.cfg.Settle > 0 {
		upper := c.clock.Now().Add(-c.cfg.Settle).UTC().Truncate(time.Second)
		parts = append(parts, "updated_at:<="+quote(upper.Format(time.RFC3339)))
	}
	return strings.Join(parts, " AND ")
}

// pageSize is the largest page (at most 250) whose requested cost, given
// the cost of one item and the fixed cost around the page, stays under the
// single-query cap and the bucket.
func (c *Client) pageSize(fixed, item int) int {
	limit := c.cfg.Limits.MaxQueryCost
	if b := c.cfg.Limits.BucketSize; b > 0 && b < limit {
		limit = b
	}
	n := (limit - fixed) / max(item, 1)
	return min(max(n, 1), 250)
}

// listPages runs a paged query and calls each with every node of the
// connection at root, until each returns false, a page fails or the pages
// end.
func (c *Client) listPages(ctx context.Context, op, doc, root string, vars map[string]any, cost int, each func(raw json.RawMessage) (bool, error)) error {
	vars = maps(vars)
	for {
		if err := ctx.Err(); err != nil {
			return connector.Errorf(connector.Transient, c.system, "%s: %w", op, err)
		}
		var out map[string]struct {
			PageInfo pageInfo          `json:"pageInfo"`
			Nodes    []json.RawMessage `json:"nodes"`
		}
		if err := c.query(ctx, op, doc, vars, cost, &out); err != nil {
			return err
		}
		page := out[root]
		for _, raw := range page.Nodes {
			more, err := each(raw)
			if err != nil || !more {
				return err
			}
			if err := ctx.Err(); err != nil {
				return connector.Errorf(connector.Transient, c.system, "%s: %w", op, err)
			}
		}
		if !page.PageInfo.HasNextPage || page.PageInfo.EndCursor == "" {
			return nil
		}
		vars["after"] = page.PageInfo.EndCursor
	}
}

func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// badCursor is the error for a cursor a source did not write.
func (c *Client) badCursor(op string, err error) error {
	e := connector.Errorf(connector.Invalid, c.system, "%s: %w", op, err)
	e.Fields = []canonical.FieldError{{Path: "cursor", Code: "invalid", Message: err.Error()}}
	return e
}

// decodeFail wraps a decode or mapping failure of one record.
func (c *Client) decodeFail(op, key string, err error, raw []byte) error {
	e := connector.Errorf(connector.Invalid, c.system, "%s: record %s: %w", op, key, err)
	e.Op = op
	var fe interface{ FieldErrors() []canonical.FieldError }
	if ok := asFieldErrors(err, &fe); ok {
		e.Fields = fe.FieldErrors()
	}
	e.Body = raw
	return e
}

func asFieldErrors(err error, target *interface{ FieldErrors() []canonical.FieldError }) bool {
	if f, ok := err.(interface{ FieldErrors() []canonical.FieldError }); ok {
		*target = f
		return true
	}
	return false
}

// idOf returns the numeric ID of a GID, or 0.
func idOf(gid string) int64 {
	n, _ := strconv.ParseInt(legacyID(gid), 10, 64)
	return n
}

// ---- orders ----

// OrderSource reads orders by updated_at. The key of a change is the order
// name ("#1001"); its version is the order's updatedAt, so an amended,
// fulfilled, refunded or cancelled order comes through again as a newer
// version of the same key. A cancellation is an upsert with status
// cancelled. It is a connector.Getter (by name) and a connector.Notifier.
type OrderSource struct{ c *Client }

// Topics implements connector.Notifier: the webhook topics after which the
// orders source has something new to read.
func (s *OrderSource) Topics() []string { return TopicsFor(StreamOrders) }

func (c *Client) linesPerOrder() int { return c.cfg.LinesPerOrder }

func (c *Client) ordersPage() int { return c.pageSize(2, costOrder(c.linesPerOrder())) }

// Changes implements connector.Source.
func (s *OrderSource) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[canonical.SalesOrder], error] {
	c := s.c
	const op = "orders.list"
	return func(yield func(connector.Change[canonical.SalesOrder], error) bool) {
		cur, err := parseOrderCursor(string(after))
		if err != nil {
			yield(connector.Change[canonical.SalesOrder]{}, c.badCursor(op, err))
			return
		}
		first, lines := c.ordersPage(), c.linesPerOrder()
		vars := map[string]any{"first": first, "lines": lines, "query": c.window(cur)}
		stopped := false
		err = c.listPages(ctx, op, docOrders, "orders", vars, costOrders(first, lines), func(raw json.RawMessage) (bool, error) {
			ch, skip, err := c.orderChange(ctx, op, raw, cur)
			if err != nil || skip {
				return err == nil, err
			}
			if !yield(ch, nil) {
				stopped = true
				return false, nil
			}
			return true, nil
		})
		if err != nil && !stopped {
			yield(connector.Change[canonical.SalesOrder]{}, err)
		}
	}
}

// orderChange decodes one order node, completes its line items and
// transactions, and maps it. skip reports an order at or before cur.
func (c *Client) orderChange(ctx context.Context, op string, raw json.RawMessage, cur orderCursor) (connector.Change[canonical.SalesOrder], bool, error) {
	var zero connector.Change[canonical.SalesOrder]
	var n orderNode
	if err := json.Unmarshal(raw, &n); err != nil {
		return zero, false, c.decodeFail(op, "?", err, raw)
	}
	updated, err := parseTime("updatedAt", n.UpdatedAt)
	if err != nil {
		return zero, false, c.decodeFail(op, n.Name, err, raw)
	}
	id := idOf(n.ID)
	if !cur.before(updated, id) {
		return zero, true, nil
	}
	completed, err := c.completeOrder(ctx, &n)
	if err != nil {
		return zero, false, err
	}
	if completed {
		if b, err := json.Marshal(n); err == nil {
			raw = b
		}
	}
	o, err := mapOrder(c.system, n)
	if err != nil {
		return zero, false, c.decodeFail(op, n.Name, err, raw)
	}
	at := updated.UTC().Truncate(time.Second)
	return connector.Change[canonical.SalesOrder]{
		System: c.system, Key: n.Name, Op: connector.Upsert,
		Version: connector.TimeVersion(at),
		Cursor:  connector.Cursor(orderCursor{at: at, id: id}.String()),
		Entity:  o, Raw: raw, At: at,
	}, false, nil
}

// linesFollowUp is the page size of the follow-up line item queries.
const linesFollowUp = 150

// completeOrder fetches the line items and transactions an orders page
// left out. It reports whether it fetched anything.
func (c *Client) completeOrder(ctx context.Context, n *orderNode) (bool, error) {
	did := false
	for n.LineItems.PageInfo.HasNextPage {
		var out struct {
			Order *struct {
				LineItems struct {
					PageInfo pageInfo   `json:"pageInfo"`
					Nodes    []lineNode `json:"nodes"`
				} `json:"lineItems"`
			} `json:"order"`
		}
		vars := map[string]any{"id": n.ID, "first": linesFollowUp, "after": n.LineItems.PageInfo.EndCursor}
		if err := c.query(ctx, "orders.lines", docOrderLines, vars, costOrderLines(linesFollowUp), &out); err != nil {
			return did, err
		}
		if out.Order == nil {
			return did, connector.Errorf(connector.NotFound, c.system, "order %s vanished while its line items were read", n.Name)
		}
		n.LineItems.Nodes = append(n.LineItems.Nodes, out.Order.LineItems.Nodes...)
		n.LineItems.PageInfo = out.Order.LineItems.PageInfo
		did = true
	}
	if len(n.Transactions) >= txnsPerOrder {
		const first = 100
		var out struct {
			Order *struct {
				Transactions []txnNode `json:"transactions"`
			} `json:"order"`
		}
		if err := c.query(ctx, "orders.transactions", docOrderTransactions, map[string]any{"id": n.ID, "first": first}, costOrderTransactions(first), &out); err != nil {
			return did, err
		}
		if out.Order != nil {
			n.Transactions = out.Order.Transactions
		}
		did = true
	}
	return did, nil
}

// Get implements connector.Getter: the order with this name ("#1001") or
// GID, or a NotFound error.
func (s *OrderSource) Get(ctx context.Context, key string) (connector.Change[canonical.SalesOrder], error) {
	c := s.c
	const op = "orders.get"
	q := "name:" + quote(key)
	if strings.HasPrefix(key, "gid://") {
		q = "id:" + legacyID(key)
	}
	lines := c.linesPerOrder()
	var found *connector.Change[canonical.SalesOrder]
	err := c.listPages(ctx, op, docOrders, "orders", map[string]any{"first": 1, "lines": lines, "query": q}, costOrders(1, lines), func(raw json.RawMessage) (bool, error) {
		ch, _, err := c.orderChange(ctx, op, raw, orderCursor{})
		if err != nil {
			return false, err
		}
		if ch.Key == key || ch.Entity.Meta.Refs[0].ID == key {
			found = &ch
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return connector.Change[canonical.SalesOrder]{}, err
	}
	if found == nil {
		e := connector.Errorf(connector.NotFound, c.system, "no order %q", key)
		e.Op = op
		return connector.Change[canonical.SalesOrder]{}, e
	}
	return *found, nil
}

// ---- customers ----

// CustomerSource reads customers by updated_at, keyed by customer GID.
type CustomerSource struct{ c *Client }

// Topics implements connector.Notifier.
func (s *CustomerSource) Topics() []string { return TopicsFor(StreamCustomers) }

type customerNode struct {
	ID                  string `json:"id"`
	FirstName           string `json:"firstName"`
	LastName            string `json:"lastName"`
	DisplayName         string `json:"displayName"`
	Note                string `json:"note"`
	UpdatedAt           string `json:"updatedAt"`
	DefaultEmailAddress *struct {
		EmailAddress string `json:"emailAddress"`
	} `json:"defaultEmailAddress"`
	DefaultPhoneNumber *struct {
		PhoneNumber string `json:"phoneNumber"`
	} `json:"defaultPhoneNumber"`
	DefaultAddress *addressNode `json:"defaultAddress"`
}

func mapCustomer(system string, n customerNode) (canonical.Customer, time.Time, error) {
	updated, err := parseTime("updatedAt", n.UpdatedAt)
	if err != nil {
		return canonical.Customer{}, updated, err
	}
	cu := canonical.Customer{
		Meta:   canonical.Meta{UpdatedAt: updated, Refs: []canonical.ExternalRef{{System: system, Type: "Customer", ID: n.ID, Version: n.UpdatedAt}}},
		Number: legacyID(n.ID),
		Name:   strings.TrimSpace(n.FirstName + " " + n.LastName),
	}
	if n.DefaultEmailAddress != nil {
		cu.Email = n.DefaultEmailAddress.EmailAddress
	}
	if n.DefaultPhoneNumber != nil {
		cu.Phone = n.DefaultPhoneNumber.PhoneNumber
	}
	if cu.Name == "" {
		cu.Name = n.DisplayName
	}
	if cu.Name == "" {
		cu.Name = cu.Email
	}
	if a := mapAddress(n.DefaultAddress); !a.IsZero() {
		cu.Addresses = []canonical.Address{a}
	}
	if n.FirstName != "" || n.LastName != "" {
		cu.Contacts = []canonical.Contact{{FirstName: n.FirstName, LastName: n.LastName, Email: cu.Email, Phone: cu.Phone}}
	}
	return cu, updated, nil
}

// Changes implements connector.Source.
func (s *CustomerSource) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[canonical.Customer], error] {
	c := s.c
	const op = "customers.list"
	return func(yield func(connector.Change[canonical.Customer], error) bool) {
		cur, err := parseOrderCursor(string(after))
		if err != nil {
			yield(connector.Change[canonical.Customer]{}, c.badCursor(op, err))
			return
		}
		first := c.pageSize(2, 4)
		stopped := false
		err = c.listPages(ctx, op, docCustomers, "customers", map[string]any{"first": first, "query": c.window(cur)}, costCustomers(first), func(raw json.RawMessage) (bool, error) {
			var n customerNode
			if err := json.Unmarshal(raw, &n); err != nil {
				return false, c.decodeFail(op, "?", err, raw)
			}
			cu, updated, err := mapCustomer(c.system, n)
			if err != nil {
				return false, c.decodeFail(op, n.ID, err, raw)
			}
			at, id := updated.UTC().Truncate(time.Second), idOf(n.ID)
			if !cur.before(at, id) {
				return true, nil
			}
			ch := connector.Change[canonical.Customer]{System: c.system, Key: n.ID, Op: connector.Upsert,
				Version: connector.TimeVersion(at), Cursor: connector.Cursor(orderCursor{at, id}.String()), Entity: cu, Raw: raw, At: at}
			if !yield(ch, nil) {
				stopped = true
				return false, nil
			}
			return true, nil
		})
		if err != nil && !stopped {
			yield(connector.Change[canonical.Customer]{}, err)
		}
	}
}

// ---- products ----

// ProductSource reads products with their variants by updated_at, keyed by
// product GID. Each variant keeps its SKU and, as refs, its variant GID and
// its inventory item GID (Type "InventoryItem"), which the inventory sink
// and other systems use.
type ProductSource struct{ c *Client }

// Topics implements connector.Notifier.
func (s *ProductSource) Topics() []string { return TopicsFor(StreamProducts) }

type variantNode struct {
	ID            string `json:"id"`
	SKU           string `json:"sku"`
	Title         string `json:"title"`
	Barcode       string `json:"barcode"`
	Price         string `json:"price"`
	InventoryItem struct {
		ID string `json:"id"`
	} `json:"inventoryItem"`
}

type productNode struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Handle    string `json:"handle"`
	Status    string `json:"status"`
	UpdatedAt string `json:"updatedAt"`
	Variants  struct {
		PageInfo pageInfo      `json:"pageInfo"`
		Nodes    []variantNode `json:"nodes"`
	} `json:"variants"`
}

// variantsPerProduct is how many variants a products page reads per
// product; a product with more is completed by follow-up queries.
const variantsPerProduct = 20

func isGTIN(s string) bool {
	if len(s) < 8 || len(s) > 14 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func mapProduct(system, currency string, n productNode) (canonical.Product, time.Time, error) {
	updated, err := parseTime("updatedAt", n.UpdatedAt)
	if err != nil {
		return canonical.Product{}, updated, err
	}
	p := canonical.Product{
		Meta:   canonical.Meta{UpdatedAt: updated, Refs: []canonical.ExternalRef{{System: system, Type: "Product", ID: n.ID, Version: n.UpdatedAt}}},
		Name:   n.Title,
		Active: n.Status == "ACTIVE",
	}
	for i, v := range n.Variants.Nodes {
		sku := v.SKU
		if !canonical.ValidSKU(sku) {
			sku = "shopify-variant-" + legacyID(v.ID)
		}
		cv := canonical.Variant{
			Meta: canonical.Meta{Refs: []canonical.ExternalRef{
				{System: system, Type: "ProductVariant", ID: v.ID},
				{System: system, Type: "InventoryItem", ID: v.InventoryItem.ID},
			}},
			SKU: sku, Title: v.Title,
		}
		if isGTIN(v.Barcode) {
			cv.GTIN = v.Barcode
		}
		if v.Price != "" {
			d, err := canonical.ParseDecimal(v.Price)
			if err != nil {
				return p, updated, &decodeError{fmt.Sprintf("variants[%d].price", i), fmt.Sprintf("%q is not a decimal", v.Price)}
			}
			cv.Price = &canonical.Money{Amount: d, Currency: canonical.CurrencyCode(currency)}
		}
		p.Variants = append(p.Variants, cv)
	}
	switch {
	case len(p.Variants) > 0:
		p.SKU = p.Variants[0].SKU
		if len(p.Variants) == 1 {
			p.GTIN = p.Variants[0].GTIN
		}
	default:
		p.SKU = "shopify-product-" + legacyID(n.ID)
	}
	return p, updated, nil
}

// shopCurrency returns the shop's currency, which product prices are in.
func (c *Client) shopCurrency(ctx context.Context) (string, error) {
	c.locMu.Lock()
	cur := c.currency
	c.locMu.Unlock()
	if cur != "" {
		return cur, nil
	}
	var out struct {
		Shop struct {
			CurrencyCode string `json:"currencyCode"`
		} `json:"shop"`
	}
	if err := c.query(ctx, "shop.get", docShop, nil, costShop, &out); err != nil {
		return "", err
	}
	c.locMu.Lock()
	c.currency = out.Shop.CurrencyCode
	c.locMu.Unlock()
	return out.Shop.CurrencyCode, nil
}

// Changes implements connector.Source.
func (s *ProductSource) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[canonical.Product], error] {
	c := s.c
	const op = "products.list"
	return func(yield func(connector.Change[canonical.Product], error) bool) {
		cur, err := parseOrderCursor(string(after))
		if err != nil {
			yield(connector.Change[canonical.Product]{}, c.badCursor(op, err))
			return
		}
		currency, err := c.shopCurrency(ctx)
		if err != nil {
			yield(connector.Change[canonical.Product]{}, err)
			return
		}
		first := c.pageSize(2, 1+2+variantsPerProduct*2)
		vars := map[string]any{"first": first, "variants": variantsPerProduct, "query": c.window(cur)}
		stopped := false
		err = c.listPages(ctx, op, docProducts, "products", vars, costProducts(first, variantsPerProduct), func(raw json.RawMessage) (bool, error) {
			var n productNode
			if err := json.Unmarshal(raw, &n); err != nil {
				return false, c.decodeFail(op, "?", err, raw)
			}
			for n.Variants.PageInfo.HasNextPage {
				const more = 250
				var out struct {
					Product *struct {
						Variants struct {
							PageInfo pageInfo      `json:"pageInfo"`
							Nodes    []variantNode `json:"nodes"`
						} `json:"variants"`
					} `json:"product"`
				}
				vars := map[string]any{"id": n.ID, "first": more, "after": n.Variants.PageInfo.EndCursor}
				if err := c.query(ctx, "products.variants", docProductVariants, vars, costProductVariants(more), &out); err != nil {
					return false, err
				}
				if out.Product == nil {
					break
				}
				n.Variants.Nodes = append(n.Variants.Nodes, out.Product.Variants.Nodes...)
				n.Variants.PageInfo = out.Product.Variants.PageInfo
			}
			p, updated, err := mapProduct(c.system, currency, n)
			if err != nil {
				return false, c.decodeFail(op, n.ID, err, raw)
			}
			at, id := updated.UTC().Truncate(time.Second), idOf(n.ID)
			if !cur.before(at, id) {
				return true, nil
			}
			ch := connector.Change[canonical.Product]{System: c.system, Key: n.ID, Op: connector.Upsert,
				Version: connector.TimeVersion(at), Cursor: connector.Cursor(orderCursor{at, id}.String()), Entity: p, Raw: raw, At: at}
			if !yield(ch, nil) {
				stopped = true
				return false, nil
			}
			return true, nil
		})
		if err != nil && !stopped {
			yield(connector.Change[canonical.Product]{}, err)
		}
	}
}

// ---- refunds ----

// RefundSource reads refunds, full and partial, so finance can issue credit
// notes. Shopify has no refunds listing, so it reads the orders updated
// since the checkpoint and each of their refunds, keyed by refund GID. A
// refund of an order that changes again is read again with the same
// version; the flow engine skips it as a duplicate. Its cursor is the
// order's position and the refund's ID.
type RefundSource struct{ c *Client }

// Topics implements connector.Notifier.
func (s *RefundSource) Topics() []string { return TopicsFor(StreamRefunds) }

type refundNode struct {
	ID               string   `json:"id"`
	CreatedAt        string   `json:"createdAt"`
	UpdatedAt        string   `json:"updatedAt"`
	Note             string   `json:"note"`
	TotalRefundedSet moneyBag `json:"totalRefundedSet"`
	RefundLineItems  struct {
		PageInfo pageInfo `json:"pageInfo"`
		Nodes    []struct {
			Quantity    int64  `json:"quantity"`
			RestockType string `json:"restockType"`
			LineItem    struct {
				ID  string `json:"id"`
				SKU string `json:"sku"`
			} `json:"lineItem"`
			SubtotalSet moneyBag `json:"subtotalSet"`
			TotalTaxSet moneyBag `json:"totalTaxSet"`
		} `json:"nodes"`
	} `json:"refundLineItems"`
	Transactions struct {
		Nodes []txnNode `json:"nodes"`
	} `json:"transactions"`
}

// refundLinesPerQuery is how many refund lines one refund query reads.
const refundLinesPerQuery = 100

// mapRefund maps a refund of the order named order. Each line's amount is
// its subtotal plus its tax; what the refund total holds beyond the lines
// (shipping and its tax) is Shipping.
func mapRefund(system, order string, n refundNode) (canonical.Refund, time.Time, error) {
	var r canonical.Refund
	updated, err := parseTime("updatedAt", n.UpdatedAt)
	if err != nil {
		return r, updated, err
	}
	total, err := parseMoney("totalRefundedSet", n.TotalRefundedSet, "")
	if err != nil {
		return r, updated, err
	}
	cur := string(total.Currency)
	r = canonical.Refund{
		Meta:     canonical.Meta{UpdatedAt: updated, Refs: []canonical.ExternalRef{{System: system, Type: "Refund", ID: n.ID, Version: n.UpdatedAt}}},
		Order:    order,
		Currency: total.Currency,
		Amount:   total,
		Reason:   n.Note,
	}
	if n.CreatedAt != "" {
		if r.CreatedAt, err = parseTime("createdAt", n.CreatedAt); err != nil {
			return r, updated, err
		}
	}
	lines := canonical.Money{Currency: total.Currency}
	for i, l := range n.RefundLineItems.Nodes {
		p := fmt.Sprintf("refundLineItems[%d]", i)
		sub, err := parseMoney(p+".subtotalSet", l.SubtotalSet, cur)
		if err != nil {
			return r, updated, err
		}
		tax, err := parseMoney(p+".totalTaxSet", l.TotalTaxSet, cur)
		if err != nil {
			return r, updated, err
		}
		amt, err := sub.Add(tax)
		if err != nil {
			return r, updated, &decodeError{p, err.Error()}
		}
		if l.Quantity <= 0 {
			continue
		}
		r.Lines = append(r.Lines, canonical.RefundLine{
			OrderLine: canonical.LineRef{Document: order, LineID: legacyID(l.LineItem.ID)},
			Quantity:  canonical.Qty(l.Quantity, canonical.UnitOne),
			Amount:    amt,
		})
		if lines, err = lines.Add(amt); err != nil {
			return r, updated, &decodeError{p, err.Error()}
		}
		if l.RestockType == "RETURN" || l.RestockType == "CANCEL" || l.RestockType == "LEGACY_RESTOCK" {
			r.Restock = true
		}
	}
	if len(r.Lines) > 0 {
		if rest, err := total.Sub(lines); err == nil && rest.Amount.IsPos() {
			r.Shipping = &rest
		}
	}
	var refunds []txnNode
	for _, t := range n.Transactions.Nodes {
		if t.Kind == "REFUND" {
			refunds = append(refunds, t)
		}
	}
	if r.Transactions, err = mapTransactions("transactions", refunds, cur); err != nil {
		return r, updated, err
	}
	return r, updated, nil
}

// refundCursor is an order's position and the last refund read of it.
type refundCursor struct {
	order  orderCursor
	refund int64
}

func (c refundCursor) String() string {
	return c.order.String() + ":" + strconv.FormatInt(c.refund, 10)
}

func parseRefundCursor(s string) (refundCursor, error) {
	if s == "" {
		return refundCursor{}, nil
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return refundCursor{}, fmt.Errorf("cursor %q is not <unix seconds>:<order id>:<refund id>", s)
	}
	oc, err := parseOrderCursor(s[:i])
	r, err2 := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil || err2 != nil || r < 0 || !strings.Contains(s[:i], ":") {
		return refundCursor{}, fmt.Errorf("cursor %q is not <unix seconds>:<order id>:<refund id>", s)
	}
	return refundCursor{order: oc, refund: r}, nil
}

// Changes implements connector.Source.
func (s *RefundSource) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[canonical.Refund], error] {
	c := s.c
	const op = "refunds.list"
	const perOrder = 20
	return func(yield func(connector.Change[canonical.Refund], error) bool) {
		cur, err := parseRefundCursor(string(after))
		if err != nil {
			yield(connector.Change[canonical.Refund]{}, c.badCursor(op, err))
			return
		}
		first := c.pageSize(2, 1+2+perOrder)
		vars := map[string]any{"first": first, "refunds": perOrder, "query": c.window(cur.order)}
		stopped := false
		err = c.listPages(ctx, op, docOrderRefunds, "orders", vars, costOrderRefunds(first, perOrder), func(raw json.RawMessage) (bool, error) {
			var n struct {
				ID        string `json:"id"`
				Name      string `json:"name"`
				UpdatedAt string `json:"updatedAt"`
				Refunds   []struct {
					ID string `json:"id"`
				} `json:"refunds"`
			}
			if err := json.Unmarshal(raw, &n); err != nil {
				return false, c.decodeFail(op, "?", err, raw)
			}
			updated, err := parseTime("updatedAt", n.UpdatedAt)
			if err != nil {
				return false, c.decodeFail(op, n.Name, err, raw)
			}
			oc := orderCursor{at: updated.UTC().Truncate(time.Second), id: idOf(n.ID)}
			same := oc.at.Equal(cur.order.at) && oc.id == cur.order.id
			if !same && !cur.order.before(oc.at, oc.id) {
				return true, nil
			}
			ids := make([]int64, 0, len(n.Refunds))
			for _, r := range n.Refunds {
				ids = append(ids, idOf(r.ID))
			}
			slices.Sort(ids)
			for _, rid := range ids {
				if same && rid <= cur.refund {
					continue
				}
				ch, err := c.refundChange(ctx, op, n.Name, rid, refundCursor{oc, rid})
				if err != nil {
					return false, err
				}
				if !yield(ch, nil) {
					stopped = true
					return false, nil
				}
				if err := ctx.Err(); err != nil {
					return false, connector.Errorf(connector.Transient, c.system, "%s: %w", op, err)
				}
			}
			return true, nil
		})
		if err != nil && !stopped {
			yield(connector.Change[canonical.Refund]{}, err)
		}
	}
}

func (c *Client) refundChange(ctx context.Context, op, order string, id int64, rc refundCursor) (connector.Change[canonical.Refund], error) {
	var zero connector.Change[canonical.Refund]
	gid := "gid://shopify/Refund/" + strconv.FormatInt(id, 10)
	var out struct {
		Refund *json.RawMessage `json:"refund"`
	}
	if err := c.query(ctx, "refunds.get", docRefund, map[string]any{"id": gid, "lines": refundLinesPerQuery}, costRefund(refundLinesPerQuery), &out); err != nil {
		return zero, err
	}
	if out.Refund == nil {
		return zero, connector.Errorf(connector.NotFound, c.system, "refund %s of order %s vanished", gid, order)
	}
	raw := *out.Refund
	var n refundNode
	if err := json.Unmarshal(raw, &n); err != nil {
		return zero, c.decodeFail(op, gid, err, raw)
	}
	r, updated, err := mapRefund(c.system, order, n)
	if err != nil {
		return zero, c.decodeFail(op, gid, err, raw)
	}
	at := updated.UTC().Truncate(time.Second)
	return connector.Change[canonical.Refund]{System: c.system, Key: gid, Op: connector.Upsert,
		Version: connector.TimeVersion(at), Cursor: connector.Cursor(rc.String()), Entity: r, Raw: raw, At: at}, nil
}
