package memshop

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
)

func TestFaultsFailEveryCall(t *testing.T) {
	for _, c := range []struct {
		name   string
		faults Faults
		kind   connector.Kind
	}{
		{"transient", Faults{Transient: 1}, connector.Transient},
		{"rate limit", Faults{RateLimit: 1, RetryAfter: 3 * time.Second}, connector.RateLimited},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newTestShop(t, Config{})
			o := place(t, s, order(s, NewLine("MUG", 2, eur("5.00"))))
			before := len(feed(t, s.Orders()))
			s.SetFaults(c.faults)
			calls := map[string]func() error{
				"PlaceOrder": func() error { _, err := s.PlaceOrder(order(s, NewLine("MUG", 1, eur("5")))); return err },
				"AmendOrder": func() error {
					_, err := s.AmendOrder(o.Number, func(o *canonical.SalesOrder) error { o.Note = "x"; return nil })
					return err
				},
				"CancelOrder": func() error { _, err := s.CancelOrder(o.Number, ""); return err },
				"Refund": func() error {
					_, err := s.Refund(o.Number, []canonical.RefundLine{refundLine("L1", 1)}, nil, "")
					return err
				},
				"AddProduct": func() error { return s.AddProduct(canonical.Product{SKU: "NEW", Name: "New"}) },
				"UpdateProduct": func() error {
					_, err := s.UpdateProduct("MUG", func(*canonical.Product) error { return nil })
					return err
				},
				"AddCustomer": func() error { _, err := s.AddCustomer(canonical.Customer{Name: "B"}); return err },
				"UpdateCustomer": func() error {
					_, err := s.UpdateCustomer("cust-1", func(*canonical.Customer) error { return nil })
					return err
				},
				"Inventory.Apply": func() error {
					_, err := s.Inventory().Apply(t.Context(), write("MUG", level("MUG", "main", 1, 1), "i"))
					return err
				},
				"Fulfillments.Apply": func() error {
					_, err := s.Fulfillments().Apply(t.Context(), write("S1", ship("S1", o.Number, "L1", 1), "f"))
					return err
				},
				"Orders.Changes": func() error {
					for _, err := range s.Orders().Changes(t.Context(), "") {
						return err
					}
					return nil
				},
			}
			for name, call := range calls {
				for range 3 {
					err := call()
					if !errors.Is(err, c.kind) {
						t.Fatalf("%s: %v, want kind %s", name, err, c.kind)
					}
					if c.kind == connector.RateLimited && connector.RetryAfterOf(err) != 3*time.Second {
						t.Errorf("%s: retry after %v, want 3s", name, connector.RetryAfterOf(err))
					}
				}
			}
			s.SetFaults(Faults{})
			if got, _ := s.OrderByNumber(o.Number); !same(got, o) || len(feed(t, s.Orders())) != before || len(s.ListOrders()) != 1 {
				t.Errorf("failed calls changed the shop")
			}
			if _, ok := s.Available("MUG", "main"); ok {
				t.Errorf("a failed stock write was applied")
			}
		})
	}
}

func TestLatencyRunsOnTheShopClock(t *testing.T) {
	clock := connectortest.NewClock(t0)
	s := newTestShop(t, Config{Clock: clock})
	s.SetFaults(Faults{Latency: 2 * time.Second})
	o := place(t, s, order(s, NewLine("MUG", 1, eur("5"))))
	if want := t0.Add(2 * time.Second); !o.OrderedAt.Equal(want) {
		t.Errorf("ordered at %v, want %v (after the simulated latency)", o.OrderedAt, want)
	}
}

// transcript runs the same script on a shop with seed and faults and
// records everything observable: which calls failed, numbers, payment
// references, and the order feed as delivered (with duplicates and swaps).
func transcript(t *testing.T, seed uint64) string {
	t.Helper()
	s := newTestShop(t, Config{Seed: seed})
	s.SetFaults(Faults{Transient: 0.3, RateLimit: 0.1, Duplicate: 0.3, Reorder: 0.3})
	var b strings.Builder
	for i := range 20 {
		o, err := s.PlaceOrder(order(s, NewLine("MUG", int64(1+i%3), eur("5.00"))))
		if err != nil {
			fmt.Fprintf(&b, "place %d: %s\n", i, connector.KindOf(err))
			continue
		}
		fmt.Fprintf(&b, "place %d: %s %s\n", i, o.Number, o.Payments[0].ProviderRef)
		_, err = s.Fulfillments().Apply(t.Context(), write("S-"+o.Number, ship("S-"+o.Number, o.Number, "L1", 1), o.Number))
		fmt.Fprintf(&b, "ship %s: %v\n", o.Number, connector.KindOf(err))
	}
	s.SetFaults(Faults{Duplicate: 0.3, Reorder: 0.3})
	for c := range s.Orders().Changes(t.Context(), "") {
		fmt.Fprintf(&b, "%s@%s ", c.Key, c.Version)
	}
	return b.String()
}

func TestSameSeedSameRun(t *testing.T) {
	a, b := transcript(t, 7), transcript(t, 7)
	if a != b {
		t.Fatalf("seed 7 ran differently:\n%s\n---\n%s", a, b)
	}
	if c := transcript(t, 8); c == a {
		t.Errorf("seeds 7 and 8 ran the same: the seed has no effect")
	}
	for _, want := range []string{"transient", "#1001", "pi_"} {
		if !strings.Contains(a, want) {
			t.Errorf("the run shows no %q, so it does not exercise what it compares:\n%s", want, a)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newTestShop(t, Config{})
	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*3)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				o, err := s.PlaceOrder(order(s, NewLine("MUG", 2, eur("5.00"))))
				if err != nil {
					errs <- err
					continue
				}
				n := fmt.Sprintf("S-%d-%d", w, i)
				if _, err := s.Fulfillments().Apply(t.Context(), write(n, ship(n, o.Number, "L1", 2), n)); err != nil {
					errs <- err
				}
				if _, err := s.Inventory().Apply(t.Context(), write("MUG", level("MUG", "main", int64(i), int64(w*each+i+1)), n)); err != nil {
					errs <- err
				}
				if _, err := s.Refund(o.Number, []canonical.RefundLine{refundLine("L1", 1)}, nil, "r"); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	orders := s.ListOrders()
	seen := map[string]bool{}
	for _, o := range orders {
		seen[o.Number] = true
		if o.FulfillmentStatus() != canonical.FulfillmentFulfilled || o.PaymentStatus() != canonical.PaymentPartiallyRefunded {
			t.Errorf("%s: %s, %s", o.Number, o.FulfillmentStatus(), o.PaymentStatus())
		}
	}
	if len(seen) != workers*each {
		t.Errorf("%d distinct order numbers for %d orders", len(seen), workers*each)
	}
	if n := len(feed(t, s.Orders())); n != 3*workers*each {
		t.Errorf("orders feed has %d versions, want %d", n, 3*workers*each)
	}
	if lvl, _ := s.StockLevel("MUG", "main"); lvl.Sequence != workers*each {
		t.Errorf("the level kept sequence %d, want the highest, %d", lvl.Sequence, workers*each)
	}
}
