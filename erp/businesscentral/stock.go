package businesscentral

import (
	"cmp"
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/httpx"
)

// Stock returns the source of stock levels, one per item whose inventory
// moved, keyed "sku@location" (the location is Config.StockLocation).
//
// An item's inventory in API v2.0 is a sum over its item ledger entries,
// and posting an entry does not touch the item record, so the item's
// lastModifiedDateTime says nothing about stock. The source therefore
// reads the item ledger: the entries after the cursor's entry number
// (entry numbers only grow), to the end, then the current inventory of
// each item they touch (in batches of items). Each level's Sequence, its
// Version and its cursor are the number of the item's last entry read, so
// a late level is recognised and a resumed read yields exactly the levels
// after the cursor.
//
// Approximations: inventory is the total over all locations (v2.0 items
// have no per-location inventory), and Allocated is zero (v2.0 does not
// expose reservations), so Available equals OnHand.
func (c *Client) Stock() connector.Source[canonical.StockLevel] { return stockSource{c} }

type stockSource struct{ c *Client }

// Topics names the webhook resources that may ring the stock flow: items
// (new items, item changes) and salesOrders (a posted shipment changes its
// order). Other postings (purchases, adjustments) notify nothing, so the
// flow also needs a schedule.
func (stockSource) Topics() []string { return []string{"items", "salesOrders"} }

// stockCursorPrefix marks a stock cursor: "e" and an entry number.
const stockCursorPrefix = "e"

// itemsPerRequest bounds the items fetched in one filter, to keep the URL
// short.
const itemsPerRequest = 20

// Changes yields the stock levels of the items whose ledger moved after
// the cursor.
func (s stockSource) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[canonical.StockLevel], error] {
	return func(yield func(connector.Change[canonical.StockLevel], error) bool) {
		const op = "changes itemLedgerEntries"
		c := s.c
		var zero connector.Change[canonical.StockLevel]
		var from int64
		if after != "" {
			n, err := strconv.ParseInt(strings.TrimPrefix(string(after), stockCursorPrefix), 10, 64)
			if err != nil || !strings.HasPrefix(string(after), stockCursorPrefix) || n < 0 {
				yield(zero, c.errorf(connector.Invalid, op, "cursor %q is not a stock cursor", after))
				return
			}
			from = n
		}
		if err := ctx.Err(); err != nil {
			yield(zero, c.errorf(connector.Transient, op, "reading the item ledger: %w", err))
			return
		}
		// Read every new entry; keep each item's last entry number.
		last := map[string]int64{}
		q := url.Values{"$filter": {"entryNumber gt " + strconv.FormatInt(from, 10)}, "$orderby": {"entryNumber asc"},
			"$select": {"entryNumber,itemNumber,quantity"}}
		req := &httpx.Request{Path: c.CompanyPath("itemLedgerEntries"), Query: q, Header: c.prefer()}
		for e, err := range httpx.Paginate[bcLedgerEntry](ctx, c.http, req, httpx.OData{}) {
			if err != nil {
				yield(zero, err)
				return
			}
			if e.ItemNumber != "" && e.EntryNumber > last[e.ItemNumber] {
				last[e.ItemNumber] = e.EntryNumber
			}
		}
		if len(last) == 0 {
			return
		}
		skus := make([]string, 0, len(last))
		for sku := range last {
			skus = append(skus, sku)
		}
		slices.SortFunc(skus, func(a, b string) int { return cmp.Compare(last[a], last[b]) })
		now := c.clock.Now()
		for start := 0; start < len(skus); start += itemsPerRequest {
			batch := skus[start:min(start+itemsPerRequest, len(skus))]
			items, err := c.itemsByNumber(ctx, batch)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, sku := range batch {
				it, ok := items[sku]
				if !ok {
					continue // deleted since
				}
				if err := ctx.Err(); err != nil {
					yield(zero, c.errorf(connector.Transient, op, "reading the item ledger: %w", err))
					return
				}
				seq := last[sku]
				lvl := c.stockLevel(it, seq, now)
				raw, _ := json.Marshal(it)
				ch := connector.Change[canonical.StockLevel]{
					System: c.system, Key: lvl.SKU + "@" + lvl.Location, Op: connector.Upsert,
					Version: connector.SeqVersion(seq), Cursor: connector.Cursor(stockCursorPrefix + strconv.FormatInt(seq, 10)),
					Entity: lvl, Raw: raw, At: now,
				}
				if !yield(ch, nil) {
					return
				}
			}
		}
	}
}

// stockLevel is an item's inventory as a stock level.
func (c *Client) stockLevel(it bcItem, seq int64, asOf time.Time) canonical.StockLevel {
	u := c.unit(it.BaseUnitOfMeasureCode)
	q := canonical.Quantity{Value: it.Inventory, Unit: u}
	return canonical.StockLevel{
		SKU: it.Number, Location: c.cfg.StockLocation,
		OnHand: q, Allocated: canonical.Quantity{Unit: u}, Available: q,
		AsOf: asOf, Source: c.system, Sequence: seq,
	}
}

// itemsByNumber reads items by number.
func (c *Client) itemsByNumber(ctx context.Context, numbers []string) (map[string]bcItem, error) {
	parts := make([]string, len(numbers))
	for i, n := range numbers {
		parts[i] = "number eq " + quote(n)
	}
	q := url.Values{"$filter": {strings.Join(parts, " or ")}}
	out := make(map[string]bcItem, len(numbers))
	req := &httpx.Request{Path: c.CompanyPath("items"), Query: q, Header: c.prefer()}
	for it, err := range httpx.Paginate[bcItem](ctx, c.http, req, httpx.OData{}) {
		if err != nil {
			return nil, err
		}
		out[it.Number] = it
	}
	return out, nil
}

// Get reads the current stock level of key ("sku@location"), with the
// number of the item's last ledger entry as its Sequence.
func (s stockSource) Get(ctx context.Context, key string) (connector.Change[canonical.StockLevel], error) {
	const op = "stock.get"
	c := s.c
	var zero connector.Change[canonical.StockLevel]
	sku, loc, ok := strings.Cut(key, "@")
	if !ok || loc != c.cfg.StockLocation || sku == "" {
		return zero, c.errorf(connector.NotFound, op, "no stock level %q: keys are sku@%s", key, c.cfg.StockLocation)
	}
	items, err := c.itemsByNumber(ctx, []string{sku})
	if err != nil {
		return zero, err
	}
	it, ok := items[sku]
	if !ok {
		return zero, c.errorf(connector.NotFound, op, "no item %s", sku)
	}
	var page struct {
		Value []bcLedgerEntry `json:"value"`
	}
	q := url.Values{"$filter": {"itemNumber eq " + quote(sku)}, "$orderby": {"entryNumber desc"}, "$top": {"1"}}
	if err := c.http.DoJSON(ctx, &httpx.Request{Path: c.CompanyPath("itemLedgerEntries"), Query: q}, &page); err != nil {
		return zero, err
	}
	var seq int64
	if len(page.Value) > 0 {
		seq = page.Value[0].EntryNumber
	}
	now := c.clock.Now()
	lvl := c.stockLevel(it, seq, now)
	raw, _ := json.Marshal(it)
	return connector.Change[canonical.StockLevel]{System: c.system, Key: key, Op: connector.Upsert,
		Version: connector.SeqVersion(seq), Entity: lvl, Raw: raw, At: now}, nil
}
