package o2c

import (
	"context"
	"errors"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/ecommerce/memshop"
)

// A small day with the shop on the Shopify fake: the flows read and write it
// through the Shopify connector over HTTP, and at the end of the day every
// system reconciles with nothing left open.
func TestShopifyDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	in, err := New(Config{Seed: 1, Shop: OnShopify})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.Close)
	if in.MemShop != nil {
		t.Error("MemShop is set with the shop on Shopify")
	}
	st, err := in.Trade(ctx, Day{Orders: 60, Hours: 4}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if st.Orders != 60 || st.Cancelled == 0 || st.Amended == 0 {
		t.Errorf("the day placed %d orders, amended %d, cancelled %d; want 60 and some of each", st.Orders, st.Amended, st.Cancelled)
	}
	for _, c := range in.Reconcile(ctx) {
		if !c.OK() {
			t.Errorf("%s: %d drift: %q", c.Name, len(c.Drift), c.Drift)
		}
		if c.Compared == 0 {
			t.Errorf("%s compared nothing", c.Name)
		}
	}
	for ex, err := range in.Store.Exceptions(ctx, store.ExceptionFilter{Status: store.Open}) {
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("open exception %s %s %s: %s", ex.Flow, ex.Key, ex.Kind, ex.Message)
	}
	sf := in.Shop.(*shopifyFront)
	if n := sf.port.Stats().Requests; n == 0 {
		t.Error("the flows sent the Shopify connector no requests")
	}
	// Tracking reached the shop as Shopify fulfilments, and refunds as
	// credit notes numbered by the refund's ID.
	fulfilled, credited := 0, 0
	for _, o := range in.Shop.ListOrders() {
		fulfilled += len(in.Shop.FulfillmentsOf(o.Number))
		for _, r := range in.Shop.RefundsOf(o.Number) {
			if _, ok := in.Ledger.CreditNote("CN-" + refundID(r)); ok {
				credited++
			}
		}
	}
	if fulfilled == 0 || credited == 0 {
		t.Errorf("%d fulfilments in the shop, %d refunds credited in the ledger; want some of each", fulfilled, credited)
	}
}

// The Shopify storefront does what memshop does with the commands the day
// gives, and refuses what memshop refuses.
func TestStorefronts(t *testing.T) {
	t.Parallel()
	for _, shop := range []string{OnMemshop, OnShopify} {
		t.Run(shop, func(t *testing.T) {
			t.Parallel()
			in, err := New(Config{Seed: 1, Shop: shop})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(in.Close)
			s := in.Shop
			key, err := s.AddCustomer(canonical.Customer{Name: "Ada Lovelace", Email: " Ada@Example.com", Currency: Currency,
				Addresses: []canonical.Address{addresses[0]}})
			if err != nil {
				t.Fatal(err)
			}
			c, ok := s.Customer(key)
			if !ok || c.Email != "ada@example.com" {
				t.Fatalf("Customer(%q) = %+v, %v", key, c, ok)
			}
			if ref, ok := c.Ref(Shop); !ok || ref.ID != key {
				t.Errorf("the customer's shop ref is %v, want the key %q", c.Refs, key)
			}
			tee, mug := in.Catalogue[0], in.Catalogue[len(in.Catalogue)-1]
			place := func() canonical.SalesOrder {
				t.Helper()
				o, err := s.PlaceOrder(canonical.SalesOrder{
					Currency: Currency, ShipTo: c.Addresses[0], BillTo: c.Addresses[0],
					Customer: canonical.PartyRef{Refs: []canonical.ExternalRef{{System: Shop, ID: key}}, Name: c.Name, Email: c.Email},
					Charges:  []canonical.AllowanceCharge{{IsCharge: true, Code: "SHIPPING", Amount: canonical.MustMoney("4.95", Currency)}},
					Lines:    []canonical.SalesOrderLine{memshop.NewLine(tee.ShopSKU, 2, tee.Price), memshop.NewLine(mug.ShopSKU, 1, mug.Price)},
				})
				if err != nil {
					t.Fatal(err)
				}
				if o.Number == "" || len(o.Lines) != 2 || o.Lines[0].LineID == "" || !o.Totals.Tax.Amount.IsPos() || len(o.Payments) != 1 {
					t.Fatalf("placed %+v: want a number, two lines with IDs, tax and one payment", o)
				}
				return o
			}
			wantKind := func(err error, kind connector.Kind, what string) {
				t.Helper()
				if !errors.Is(err, kind) {
					t.Errorf("%s: %v, want %s", what, err, kind)
				}
			}

			o := place()
			amended, err := s.AmendOrder(o.Number, func(o *canonical.SalesOrder) error {
				o.Lines[0].Ordered = canonical.Qty(3, canonical.UnitOne)
				o.Lines = append(o.Lines[:1], memshop.NewLine(mug.ShopSKU, 4, mug.Price)) // the mug line removed, another added
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(amended.Lines) != 2 || !amended.Lines[0].Ordered.Value.Equal(canonical.DecimalFromInt(3)) ||
				amended.Lines[1].LineID == o.Lines[1].LineID || !amended.Lines[1].Ordered.Value.Equal(canonical.DecimalFromInt(4)) {
				t.Errorf("amended lines %+v: want the tee at 3 and a new mug line of 4", amended.Lines)
			}
			_, err = s.AmendOrder(o.Number, func(o *canonical.SalesOrder) error { o.Lines[0].SKU = mug.ShopSKU; return nil })
			wantKind(err, connector.Invalid, "changing a line's SKU")

			r, err := s.Refund(o.Number, []canonical.RefundLine{{OrderLine: canonical.LineRef{Document: o.Number, LineID: o.Lines[0].LineID},
				Quantity: canonical.Qty(1, canonical.UnitOne)}}, nil, "arrived damaged")
			if err != nil {
				t.Fatal(err)
			}
			if refundID(r) == "" || len(r.Lines) != 1 || !r.Amount.Amount.IsPos() || r.Order != o.Number {
				t.Errorf("refund %+v: want an ID, one line and an amount", r)
			}
			got := s.RefundsOf(o.Number)
			if len(got) == 0 || refundID(got[len(got)-1]) != refundID(r) {
				t.Errorf("RefundsOf(%s) = %+v, want the refund %s last", o.Number, got, refundID(r))
			}
			_, err = s.AmendOrder(o.Number, func(o *canonical.SalesOrder) error {
				o.Lines[0].Ordered = canonical.Qty(5, canonical.UnitOne)
				return nil
			})
			wantKind(err, connector.BusinessRule, "changing a refunded line")

			if _, err := s.CancelOrder(o.Number, "customer changed their mind"); err != nil {
				t.Fatal(err)
			}
			cancelled, ok := s.OrderByNumber(o.Number)
			if !ok || cancelled.Status != canonical.OrderCancelled {
				t.Errorf("after cancelling, %s is %s", o.Number, cancelled.Status)
			}
			_, err = s.CancelOrder(o.Number, "again")
			wantKind(err, connector.BusinessRule, "cancelling twice")
			_, err = s.AmendOrder(o.Number, func(o *canonical.SalesOrder) error { o.Lines = o.Lines[:1]; return nil })
			wantKind(err, connector.BusinessRule, "amending a cancelled order")
			_, err = s.Refund(o.Number, []canonical.RefundLine{{OrderLine: canonical.LineRef{Document: o.Number, LineID: o.Lines[0].LineID},
				Quantity: canonical.Qty(1, canonical.UnitOne)}}, nil, "late")
			wantKind(err, connector.BusinessRule, "refunding a cancelled order")
			_, err = s.Refund(place().Number, []canonical.RefundLine{{OrderLine: canonical.LineRef{LineID: "nope"},
				Quantity: canonical.Qty(1, canonical.UnitOne)}}, nil, "wrong line")
			wantKind(err, connector.Invalid, "refunding a line the order does not have")

			if n := len(s.ListOrders()); n != 2 {
				t.Errorf("ListOrders has %d orders, want 2", n)
			}
			if _, ok := s.Available(tee.ShopSKU, "warehouse"); ok {
				t.Error("Available reports a level nobody set")
			}
		})
	}
}

func TestUnknownShop(t *testing.T) {
	if _, err := New(Config{Shop: "woocommerce"}); err == nil {
		t.Error("New accepted an unknown shop platform")
	}
}
