package shopify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/ecommerce/shopify/shopifytest"
)

// TestThrottledRetry drains the bucket before the first call: the fake
// answers THROTTLED (as HTTP 200 or 429), and the client waits exactly the
// time the missing points take to restore, then succeeds.
func TestThrottledRetry(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusTooManyRequests} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			e := newEnv(t, shopifytest.Options{BucketSize: 100, RestoreRate: 10, Faults: shopifytest.Faults{ThrottleStatus: status}}, Config{})
			e.srv.SetBucket(0)
			name, err := e.shop.Ping(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if name == "" {
				t.Error("no shop name")
			}
			if got := e.srv.Stats().Throttled; got != 1 {
				t.Errorf("the fake throttled %d times, want 1", got)
			}
			if got := e.shop.Stats().Throttled; got != 1 {
				t.Errorf("the client saw %d throttles, want 1", got)
			}
			// One point at 10 points a second: a 100 ms wait, give or take
			// the Retry-After header's rounding to tenths of a second.
			sleeps := e.clock.Sleeps()
			if len(sleeps) == 0 || sleeps[0] < 100*time.Millisecond || sleeps[0] > 200*time.Millisecond {
				t.Errorf("waits %v, want one of about 100ms", sleeps)
			}
		})
	}
}

// TestThrottledMutationRetry: a mutation without an idempotency key is not
// retried on errors in general, but a throttled one never ran and is sent
// again.
func TestThrottledMutationRetry(t *testing.T) {
	e := newEnv(t, shopifytest.Options{BucketSize: 1000, RestoreRate: 50}, Config{})
	e.product(t, "T-1", "1.00")
	o := e.order(t, shopifytest.OrderInput{Lines: []shopifytest.LineInput{{SKU: "T-1", Quantity: 1}}})
	// Another app drains the bucket just before the mutation arrives.
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if body, _ := io.ReadAll(r.Body); bytes.Contains(body, []byte("mutation FulfillmentCreate")) {
			if e.srv.Stats().Throttled == 0 {
				e.srv.SetBucket(0)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		} else {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		return e.srv.Client().Transport.RoundTrip(r)
	})}
	sh := canonical.Shipment{Number: "S-1", Order: o.Name, Status: canonical.ShipmentShipped,
		Lines: []canonical.ShipmentLine{{LineID: "1", OrderLine: canonical.LineRef{Document: o.Name, LineID: o.Lines[0].ID}, SKU: "T-1", Quantity: canonical.Qty(1, canonical.UnitOne)}}}
	shop, err := New(Config{BaseURL: e.srv.URL, Token: e.srv.Token, HTTPClient: hc, Clock: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	r, err := shop.Fulfillments().Apply(context.Background(), connector.Write[canonical.Shipment]{Change: connector.Change[canonical.Shipment]{Key: "S-1", Entity: sh, Version: connector.SeqVersion(1)}, IdempotencyKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Action != connector.Created || len(e.srv.Fulfillments(o.Name)) != 1 {
		t.Errorf("action %s, fulfilments %v", r.Action, e.srv.Fulfillments(o.Name))
	}
	if e.srv.Stats().Throttled != 1 {
		t.Errorf("throttled %d times, want 1", e.srv.Stats().Throttled)
	}
}

// syncFigures syncs n orders against a fake with a small bucket, on a
// shared fake clock, and returns the share of the restore rate the sync
// used and the THROTTLED answers after the first.
func syncFigures(tb testing.TB, n int) (utilisation float64, throttledAfterFirst int, pages int) {
	tb.Helper()
	const bucket, restore = 1000, 50
	e := newEnv(tb, shopifytest.Options{BucketSize: bucket, RestoreRate: restore}, Config{})
	e.product(tb, "U-1", "3.00")
	e.product(tb, "U-2", "4.00")
	for i := range n {
		lines := []shopifytest.LineInput{{SKU: "U-1", Quantity: 1 + i%3}}
		if i%2 == 0 {
			lines = append(lines, shopifytest.LineInput{SKU: "U-2", Quantity: 2})
		}
		if _, err := e.srv.AddOrder(shopifytest.OrderInput{Lines: lines}); err != nil {
			tb.Fatal(err)
		}
	}
	e.settle()
	before := e.srv.Stats()
	start, startAvail := e.clock.Now(), e.srv.Available()
	got := 0
	for _, err := range e.shop.Orders().Changes(context.Background(), "") {
		if err != nil {
			tb.Fatal(err)
		}
		got++
	}
	if got != n {
		tb.Fatalf("synced %d orders, want %d", got, n)
	}
	after := e.srv.Stats()
	elapsed := e.clock.Now().Sub(start).Seconds()
	charged := float64(after.PointsCharged - before.PointsCharged)
	fromRestore := charged - (startAvail - e.srv.Available())
	utilisation = fromRestore / (elapsed * restore)
	throttledAfterFirst = max(0, after.Throttled-before.Throttled-1)
	return utilisation, throttledAfterFirst, after.Requests - before.Requests
}

// TestRateLimitUtilisation syncs 5,000 orders with a 1,000-point bucket
// restoring 50 points a second: the client must use at least 95% of the
// restore rate and never be throttled after the first answer. The clock is
// a fake shared with the fake shop, so the figure measures the pacing, not
// the machine.
func TestRateLimitUtilisation(t *testing.T) {
	if testing.Short() {
		t.Skip("syncs 5,000 orders")
	}
	n := 5000
	if raceEnabled {
		n = 1000
	}
	u, throttled, pages := syncFigures(t, n)
	t.Logf("%d orders in %d requests: %.2f%% of the restore rate used, %d THROTTLED after the first", n, pages, 100*u, throttled)
	if u < 0.95 || u > 1.001 {
		t.Errorf("used %.2f%% of the restore rate, want 95%% to 100%%", 100*u)
	}
	if throttled > 0 {
		t.Errorf("%d THROTTLED answers after the first", throttled)
	}
}

// BenchmarkSync5000Orders reports the restore-rate utilisation and the
// throttles of a 5,000-order sync against a small bucket:
//
//	go test -run '^$' -bench Sync5000 ./ecommerce/shopify/
func BenchmarkSync5000Orders(b *testing.B) {
	b.ReportAllocs()
	var u float64
	var throttled, pages int
	for b.Loop() {
		u, throttled, pages = syncFigures(b, 5000)
	}
	b.ReportMetric(100*u, "%restore-used")
	b.ReportMetric(float64(throttled), "throttled-after-first")
	b.ReportMetric(float64(pages), "requests")
}

// TestMaxCostExceeded: a page whose requested cost is over the fake's cap
// fails with the Invalid kind and the MAX_COST_EXCEEDED code, body kept.
func TestMaxCostExceeded(t *testing.T) {
	e := newEnv(t, shopifytest.Options{MaxQueryCost: 500}, Config{Limits: PlanLimits{MaxQueryCost: 2000}})
	e.settle()
	var err error
	for _, err = range e.shop.Orders().Changes(context.Background(), "") {
		if err != nil {
			break
		}
	}
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.Invalid || ce.Code != "MAX_COST_EXCEEDED" || len(ce.Body) == 0 {
		t.Fatalf("got %v, want an Invalid MAX_COST_EXCEEDED error with the body", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
