package shopifytest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
)

// The fake's records. Every ID comes from one counter, as Shopify's global
// IDs do, so an ID alone orders records by creation.

type product struct {
	id               int64
	title, handle    string
	status           string
	created, updated time.Time
	variants         []*variant
}

type variant struct {
	id               int64
	product          *product
	sku, title       string
	barcode          string
	price            canonical.Decimal
	item             *invItem
	created, updated time.Time
}

type invItem struct {
	id      int64
	variant *variant
	levels  map[int64]*level // by location ID
	updated time.Time
}

type level struct {
	id                int64
	available, onHand int
	set               bool // set through inventorySetQuantities at least once
	updated           time.Time
}

type shopLocation struct {
	id   int64
	name string
}

type customer struct {
	id                 int64
	first, last, email string
	phone              string
	addr               *Address
	created, updated   time.Time
}

type order struct {
	id                int64
	name, email, note string
	customer          *customer
	currency          string
	taxesIncluded     bool
	created, updated  time.Time
	cancelledAt       time.Time
	cancelReason      string
	shipTo, billTo    *Address
	lines             []*lineItem
	shipping, taxRate canonical.Decimal
	txns              []*txn
	refunds           []*refund
	foID              int64
	fulfillments      []*fulfillment
	metafields        map[string]string // namespace + "." + key → value
}

type lineItem struct {
	id                int64
	sku, title        string
	variant           *variant
	quantity, current int
	unit, discUnit    canonical.Decimal
	fulfilled         int
	foLineID          int64
}

type txn struct {
	id      int64
	kind    string
	status  string
	gateway string
	amount  canonical.Decimal
	parent  *txn
	created time.Time
}

type refund struct {
	id               int64
	order            *order
	note             string
	created, updated time.Time
	lines            []refundLine
	total            canonical.Decimal
	txns             []*txn
}

type refundLine struct {
	li            *lineItem
	qty           int
	subtotal, tax canonical.Decimal
	restock       string
}

type fulfillment struct {
	id               int64
	order            *order
	status           string
	tracking         []Tracking
	lines            []fulfilledLine
	created, updated time.Time
}

type fulfilledLine struct {
	li  *lineItem
	qty int
}

// gid returns Shopify's global ID for a record.
func gid(typ string, id int64) string {
	return "gid://shopify/" + typ + "/" + strconv.FormatInt(id, 10)
}

// parseGID reads a global ID of the given type; ok is false for anything else.
func parseGID(typ string, s string) (int64, bool) {
	rest, ok := strings.CutPrefix(s, "gid://shopify/"+typ+"/")
	if !ok {
		return 0, false
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest = rest[:i]
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil && n > 0
}

// stamp formats a time as Shopify's DateTime: UTC, whole seconds.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// money formats an amount with two decimals, as Shopify's Decimal scalar
// reads in practice ("59.90").
func money(d canonical.Decimal) string { return d.Round(2, canonical.HalfUp).Pad(2).String() }

func dec(s string) (canonical.Decimal, error) {
	if s == "" {
		return canonical.Decimal{}, nil
	}
	return canonical.ParseDecimal(s)
}

func mul(d canonical.Decimal, n int) canonical.Decimal {
	r, _ := d.Mul(canonical.DecimalFromInt(int64(n)))
	return r
}

func add(a, b canonical.Decimal) canonical.Decimal {
	r, _ := a.Add(b)
	return r
}

func sub(a, b canonical.Decimal) canonical.Decimal {
	r, _ := a.Sub(b)
	return r
}

// subtotal is Σ current × (unit − discount) over the lines.
func (o *order) subtotal() canonical.Decimal {
	var s canonical.Decimal
	for _, l := range o.lines {
		s = add(s, mul(sub(l.unit, l.discUnit), l.current))
	}
	return s
}

func (o *order) discounts() canonical.Decimal {
	var s canonical.Decimal
	for _, l := range o.lines {
		s = add(s, mul(l.discUnit, l.current))
	}
	return s
}

// tax is the rate times subtotal and shipping, rounded to cents.
func (o *order) tax() canonical.Decimal {
	t, _ := o.taxRate.Mul(add(o.subtotal(), o.shipping))
	return t.Round(2, canonical.HalfUp)
}

// taxOf is the order's tax rate applied to an amount, rounded to cents.
func (o *order) taxOf(d canonical.Decimal) canonical.Decimal {
	t, _ := o.taxRate.Mul(d)
	return t.Round(2, canonical.HalfUp)
}

func (o *order) total() canonical.Decimal {
	return add(add(o.subtotal(), o.shipping), o.tax())
}

func (o *order) paid() canonical.Decimal {
	var s canonical.Decimal
	for _, t := range o.txns {
		if t.status == "SUCCESS" && (t.kind == "SALE" || t.kind == "CAPTURE") {
			s = add(s, t.amount)
		}
	}
	return s
}

func (o *order) refunded() canonical.Decimal {
	var s canonical.Decimal
	for _, t := range o.txns {
		if t.status == "SUCCESS" && t.kind == "REFUND" {
			s = add(s, t.amount)
		}
	}
	return s
}

func (o *order) cancelled() bool { return !o.cancelledAt.IsZero() }

func (o *order) financialStatus() string {
	paid, refunded := o.paid(), o.refunded()
	switch {
	case !paid.IsPos():
		return "PENDING"
	case refunded.IsPos() && refunded.Cmp(paid) >= 0:
		return "REFUNDED"
	case refunded.IsPos():
		return "PARTIALLY_REFUNDED"
	case paid.Cmp(o.total()) < 0:
		return "PARTIALLY_PAID"
	}
	return "PAID"
}

func (o *order) fulfillmentStatus() string {
	want, done := 0, 0
	for _, l := range o.lines {
		want += l.current
		done += min(l.fulfilled, l.current)
	}
	switch {
	case done == 0:
		return "UNFULFILLED"
	case done >= want:
		return "FULFILLED"
	}
	return "PARTIALLY_FULFILLED"
}

// unfulfilled is the line's current quantity not yet fulfilled; a
// cancellation does not change it.
func (l *lineItem) unfulfilled(*order) int { return max(0, l.current-l.fulfilled) }

// remaining is what the fulfilment order still has to fulfil: nothing once
// the order is cancelled.
func (l *lineItem) remaining(o *order) int {
	if o.cancelled() {
		return 0
	}
	return l.unfulfilled(o)
}

func (o *order) foStatus() string {
	if o.cancelled() {
		return "CANCELLED"
	}
	open, done := 0, 0
	for _, l := range o.lines {
		open += l.unfulfilled(o)
		done += l.fulfilled
	}
	switch {
	case open == 0:
		return "CLOSED"
	case done > 0:
		return "IN_PROGRESS"
	}
	return "OPEN"
}

// ---- cursors and listings ----

// cursorData is what an opaque cursor holds, in the style of Shopify's own:
// base64 of {"last_id":…,"last_value":…}.
type cursorData struct {
	LastID    int64  `json:"last_id"`
	LastValue string `json:"last_value"`
}

func encodeCursor(id int64, value string) string {
	b, _ := json.Marshal(cursorData{LastID: id, LastValue: value})
	return base64.StdEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursorData, error) {
	var c cursorData
	b, err := base64.StdEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.LastID <= 0 {
		return c, &gqlError{Message: "Invalid cursor for current pagination", Extensions: map[string]any{"code": "BAD_REQUEST"}}
	}
	return c, nil
}

// entry is one record in a listing, with its sort value.
type entry struct {
	id  int64
	val string
	obj func() object
}

func before(a, b entry) bool {
	if a.val != b.val {
		return a.val < b.val
	}
	return a.id < b.id
}

// maxPage is the largest page Shopify serves.
const maxPage = 250

// connection pages entries (sorted ascending by value, then ID) as a Relay
// connection of type typ, honouring first/last, after/before and reverse.
func connection(typ string, entries []entry, args map[string]any) (any, error) {
	if r, _ := args["reverse"].(bool); r {
		entries = slices.Clone(entries)
		slices.Reverse(entries)
	}
	less := func(a, b entry) bool { return before(a, b) }
	if r, _ := args["reverse"].(bool); r {
		less = func(a, b entry) bool { return before(b, a) }
	}
	first, hasFirst := args["first"]
	last, hasLast := args["last"]
	if (!hasFirst || first == nil) && (!hasLast || last == nil) {
		return nil, &gqlError{Message: "you must provide one of first or last", Extensions: map[string]any{"code": "BAD_REQUEST"}}
	}
	lo, hi := 0, len(entries)
	if s := str(args["after"]); s != "" {
		c, err := decodeCursor(s)
		if err != nil {
			return nil, err
		}
		pos := entry{id: c.LastID, val: c.LastValue}
		lo = len(entries)
		for i, e := range entries {
			if less(pos, e) {
				lo = i
				break
			}
		}
	}
	if s := str(args["before"]); s != "" {
		c, err := decodeCursor(s)
		if err != nil {
			return nil, err
		}
		pos := entry{id: c.LastID, val: c.LastValue}
		hi = lo
		for i := lo; i < len(entries); i++ {
			if !less(entries[i], pos) {
				break
			}
			hi = i + 1
		}
	}
	window := entries[lo:hi]
	hasNext, hasPrev := hi < len(entries), lo > 0
	if hasFirst && first != nil {
		n, err := toInt(first)
		if err != nil || n < 0 || n > maxPage {
			return nil, &gqlError{Message: fmt.Sprintf("The first argument must be between 0 and %d", maxPage), Extensions: map[string]any{"code": "BAD_REQUEST"}}
		}
		if len(window) > n {
			window, hasNext = window[:n], true
		}
	} else {
		n, err := toInt(last)
		if err != nil || n < 0 || n > maxPage {
			return nil, &gqlError{Message: fmt.Sprintf("The last argument must be between 0 and %d", maxPage), Extensions: map[string]any{"code": "BAD_REQUEST"}}
		}
		if len(window) > n {
			window, hasPrev = window[len(window)-n:], true
		}
	}
	nodes := make([]object, len(window))
	for i, e := range window {
		nodes[i] = e.obj()
	}
	cursor := func(e entry) string { return encodeCursor(e.id, e.val) }
	return object{typ: typ + "Connection", get: func(name string, _ map[string]any) (any, error) {
		switch name {
		case "nodes":
			return nodes, nil
		case "edges":
			edges := make([]object, len(window))
			for i, e := range window {
				node := nodes[i]
				c := cursor(e)
				edges[i] = object{typ: typ + "Edge", get: func(n string, _ map[string]any) (any, error) {
					switch n {
					case "cursor":
						return c, nil
					case "node":
						return node, nil
					}
					return nil, errNoField
				}}
			}
			return edges, nil
		case "pageInfo":
			var start, end any
			if len(window) > 0 {
				start, end = cursor(window[0]), cursor(window[len(window)-1])
			}
			return object{typ: "PageInfo", get: func(n string, _ map[string]any) (any, error) {
				switch n {
				case "hasNextPage":
					return hasNext, nil
				case "hasPreviousPage":
					return hasPrev, nil
				case "startCursor":
					return start, nil
				case "endCursor":
					return end, nil
				}
				return nil, errNoField
			}}, nil
		}
		return nil, errNoField
	}}, nil
}

// sortValue returns a record's value for a sort key, as text that sorts in
// the same order.
func sortValue(key string, id int64, created, updated time.Time, name string) string {
	switch key {
	case "UPDATED_AT":
		return stamp(updated)
	case "CREATED_AT", "PROCESSED_AT":
		return stamp(created)
	case "NAME", "ORDER_NUMBER", "TITLE":
		return name
	}
	return fmt.Sprintf("%020d", id)
}

// ---- search syntax ----

// term is one filter of a search query, such as updated_at:>='2026-01-01'.
type term struct {
	field, op, value string
}

// parseQuery reads the subset of Shopify's search syntax the fake filters
// on: space- or AND-separated field:value terms, with the comparators
// :<, :<=, :>, :>= and values optionally in single or double quotes.
// Free text and unknown fields are ignored, as Shopify ignores filters it
// does not know.
func parseQuery(q string) []term {
	var out []term
	for len(q) > 0 {
		q = strings.TrimLeft(q, " ")
		if q == "" {
			break
		}
		end := 0
		var quote byte
		for end < len(q) {
			c := q[end]
			if quote != 0 {
				if c == quote {
					quote = 0
				}
			} else if c == '\'' || c == '"' {
				quote = c
			} else if c == ' ' {
				break
			}
			end++
		}
		tok := q[:end]
		q = q[end:]
		if tok == "AND" {
			continue
		}
		f, v, ok := strings.Cut(tok, ":")
		if !ok {
			continue
		}
		op := "="
		for _, o := range [...]string{"<=", ">=", "<", ">"} {
			if strings.HasPrefix(v, o) {
				op, v = o, v[len(o):]
				break
			}
		}
		v = strings.Trim(v, `'"`)
		out = append(out, term{field: strings.ToLower(f), op: op, value: v})
	}
	return out
}

// matchTime applies a comparison term to a time.
func matchTime(t term, at time.Time) bool {
	v, err := time.Parse(time.RFC3339, t.value)
	if err != nil {
		d, err2 := time.Parse("2006-01-02", t.value)
		if err2 != nil {
			return true
		}
		v = d
	}
	at = at.Truncate(time.Second)
	switch t.op {
	case "<":
		return at.Before(v)
	case "<=":
		return !at.After(v)
	case ">":
		return at.After(v)
	case ">=":
		return !at.Before(v)
	}
	return at.Equal(v)
}

func matchInt(t term, n int64) bool {
	v, err := strconv.ParseInt(t.value, 10, 64)
	if err != nil {
		return false
	}
	switch t.op {
	case "<":
		return n < v
	case "<=":
		return n <= v
	case ">":
		return n > v
	case ">=":
		return n >= v
	}
	return n == v
}
