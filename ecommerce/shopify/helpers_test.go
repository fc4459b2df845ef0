package shopify

import (
	"context"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/ecommerce/shopify/shopifytest"
)

// epoch is where the tests' fake clocks start.
var epoch = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// env is a fake shop and a client for it, sharing a fake clock.
type env struct {
	srv   *shopifytest.Server
	shop  *Client
	clock *connectortest.Clock
}

func newEnv(tb testing.TB, opts shopifytest.Options, cfg Config) *env {
	tb.Helper()
	clock := connectortest.NewClock(epoch)
	if opts.Clock == nil {
		opts.Clock = clock
	}
	srv := shopifytest.NewServer(opts)
	tb.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL
	cfg.Shop = srv.Domain
	if cfg.Token == "" {
		cfg.Token = srv.Token
	}
	cfg.HTTPClient = srv.Client()
	if cfg.Clock == nil {
		cfg.Clock = clock
	}
	shop, err := New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return &env{srv: srv, shop: shop, clock: clock}
}

// settle moves the clock past the client's settle window, so that records
// just made are readable.
func (e *env) settle() { e.clock.Advance(time.Minute) }

func (e *env) product(tb testing.TB, sku, price string) shopifytest.Product {
	tb.Helper()
	p, err := e.srv.AddProduct(shopifytest.ProductInput{Title: "Product " + sku, Variants: []shopifytest.VariantInput{{SKU: sku, Price: price}}})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func (e *env) order(tb testing.TB, in shopifytest.OrderInput) shopifytest.Order {
	tb.Helper()
	o, err := e.srv.AddOrder(in)
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

// readAll drains a source from a cursor.
func readAll[T any](tb testing.TB, src connector.Source[T], after connector.Cursor) []connector.Change[T] {
	tb.Helper()
	var out []connector.Change[T]
	for c, err := range src.Changes(context.Background(), after) {
		if err != nil {
			tb.Fatalf("reading after %q: %v", after, err)
		}
		out = append(out, c)
	}
	return out
}
