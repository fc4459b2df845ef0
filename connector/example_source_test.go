package connector_test

import (
	"context"
	"fmt"
	"iter"
	"strconv"

	"github.com/junctionhq/junction/connector"
)

// Product is the entity the example source reports.
type Product struct {
	SKU  string
	Name string
}

// row is one entry of a system's change table.
type row struct {
	id      int64 // increases with every change
	sku     string
	name    string
	deleted bool
}

// productFeed is a minimal Source over a table of changes, read in pages as a
// paging API would be. The cursor is the last row id read.
type productFeed struct {
	rows     []row
	pageSize int
}

// Changes yields every row after the cursor. It checks ctx before every page,
// stops as soon as the consumer breaks out of its loop (yield returns false),
// and ends the stream with the first error.
func (f *productFeed) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[Product], error] {
	return func(yield func(connector.Change[Product], error) bool) {
		var last int64
		if after != "" {
			n, err := strconv.ParseInt(string(after), 10, 64)
			if err != nil {
				yield(connector.Change[Product]{}, connector.Errorf(connector.Invalid, "pim", "bad cursor %q", after))
				return
			}
			last = n
		}
		for {
			if err := ctx.Err(); err != nil {
				yield(connector.Change[Product]{}, err)
				return
			}
			page := f.page(last)
			if len(page) == 0 {
				return // caught up
			}
			for _, r := range page {
				c := connector.Change[Product]{
					System:  "pim",
					Key:     r.sku,
					Version: connector.SeqVersion(r.id),
					Cursor:  connector.Cursor(strconv.FormatInt(r.id, 10)),
					Entity:  Product{SKU: r.sku, Name: r.name},
				}
				if r.deleted {
					c.Op = connector.Delete
				}
				if !yield(c, nil) {
					return
				}
				last = r.id
			}
		}
	}
}

// page stands in for one API call: the rows after id, at most pageSize.
func (f *productFeed) page(after int64) []row {
	var out []row
	for _, r := range f.rows {
		if r.id > after && len(out) < f.pageSize {
			out = append(out, r)
		}
	}
	return out
}

// A Source is one method returning an iter.Seq2. The consumer ranges over it,
// keeps the cursor of the last change it handled, and resumes from there.
func Example_source() {
	var src connector.Source[Product] = &productFeed{pageSize: 2, rows: []row{
		{id: 1, sku: "A-1", name: "Anvil"},
		{id: 2, sku: "B-2", name: "Bucket"},
		{id: 3, sku: "A-1", name: "Anvil, large"},
		{id: 4, sku: "B-2", deleted: true},
	}}
	ctx := context.Background()

	var saved connector.Cursor
	for c, err := range src.Changes(ctx, "") {
		if err != nil {
			fmt.Println("read failed:", err)
			return
		}
		fmt.Println(c.Op, c.Key, c.Version, c.Entity.Name)
		saved = c.Cursor
		if c.Version.Seq == 2 {
			break // stop early, as a flow does on shutdown
		}
	}
	fmt.Println("resume after", saved)
	for c, err := range src.Changes(ctx, saved) {
		if err != nil {
			fmt.Println("read failed:", err)
			return
		}
		fmt.Println(c.Op, c.Key, c.Version, c.Entity.Name)
	}
	// Output:
	// upsert A-1 s1 Anvil
	// upsert B-2 s2 Bucket
	// resume after 2
	// upsert A-1 s3 Anvil, large
	// delete B-2 s4
}
