package memshop

import (
	"slices"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// shippedOf returns the Shipped bucket of every line of order number.
func shippedOf(t *testing.T, s *Shop, number string) []string {
	t.Helper()
	o, _ := s.OrderByNumber(number)
	var out []string
	for _, l := range o.Lines {
		out = append(out, l.LineID+":"+orNone(l.Shipped))
	}
	mustValid(t, o)
	return out
}

func TestSplitFulfilmentAndOverShip(t *testing.T) {
	s := newTestShop(t, Config{})
	o := place(t, s, order(s, NewLine("MUG", 3, eur("5.00")), NewLine("CAP", 1, eur("9.00"))))
	fs := s.Fulfillments()
	delivered := ship("S1", o.Number, "L1", 2)
	delivered.Status = canonical.ShipmentDelivered
	delivered.Events = []canonical.TrackingEvent{{At: t0, Status: canonical.ShipmentDelivered, Description: "Delivered"}}
	cancelled := ship("S2", o.Number, "L1", 1, "L2", 1)
	cancelled.Status = canonical.ShipmentCancelled

	steps := []struct {
		name    string
		w       connector.Write[canonical.Shipment]
		action  connector.Action
		kind    connector.Kind
		path    string
		shipped []string
		status  canonical.FulfillmentStatus
	}{
		{name: "first parcel", w: write("S1", ship("S1", o.Number, "L1", 2), "1"), action: connector.Created,
			shipped: []string{"L1:2 C62", "L2:0"}, status: canonical.FulfillmentPartial},
		{name: "over-ship refused", w: write("S2", ship("S2", o.Number, "L1", 2), "2"), kind: connector.BusinessRule,
			shipped: []string{"L1:2 C62", "L2:0"}, status: canonical.FulfillmentPartial},
		{name: "same parcel again", w: write("S1", ship("S1", o.Number, "L1", 2), "1"), action: connector.Created,
			shipped: []string{"L1:2 C62", "L2:0"}, status: canonical.FulfillmentPartial},
		{name: "tracking update: delivered", w: write("S1", delivered, "3"), action: connector.Updated,
			shipped: []string{"L1:2 C62", "L2:0"}, status: canonical.FulfillmentPartial},
		{name: "unchanged update", w: write("S1", delivered, "4"), action: connector.Unchanged,
			shipped: []string{"L1:2 C62", "L2:0"}, status: canonical.FulfillmentPartial},
		{name: "second parcel", w: write("S2", ship("S2", o.Number, "L1", 1, "L2", 1), "5"), action: connector.Created,
			shipped: []string{"L1:3 C62", "L2:1 C62"}, status: canonical.FulfillmentFulfilled},
		{name: "second parcel cancelled", w: write("S2", cancelled, "6"), action: connector.Updated,
			shipped: []string{"L1:2 C62", "L2:0"}, status: canonical.FulfillmentPartial},
		{name: "cancelled parcel cannot reopen", w: write("S2", ship("S2", o.Number, "L1", 1), "7"), kind: connector.BusinessRule,
			shipped: []string{"L1:2 C62", "L2:0"}, status: canonical.FulfillmentPartial},
		{name: "unknown line", w: write("S3", ship("S3", o.Number, "L9", 1), "8"), kind: connector.Invalid, path: "lines[0].orderLine.lineId",
			shipped: []string{"L1:2 C62", "L2:0"}, status: canonical.FulfillmentPartial},
		{name: "unknown order", w: write("S4", ship("S4", "#7777", "L1", 1), "9"), kind: connector.NotFound,
			shipped: []string{"L1:2 C62", "L2:0"}, status: canonical.FulfillmentPartial},
		{name: "third parcel", w: write("S5", ship("S5", o.Number, "L1", 1, "L2", 1), "10"), action: connector.Created,
			shipped: []string{"L1:3 C62", "L2:1 C62"}, status: canonical.FulfillmentFulfilled},
	}
	for _, st := range steps {
		versions := len(feed(t, s.Orders()))
		before := shippedOf(t, s, o.Number)
		res, err := fs.Apply(t.Context(), st.w)
		switch {
		case st.path != "":
			wantField(t, err, st.path)
		case st.kind != 0:
			wantKind(t, err, st.kind)
		case err != nil:
			t.Fatalf("%s: %v", st.name, err)
		case res.Action != st.action:
			t.Errorf("%s: %s, want %s", st.name, res.Action, st.action)
		}
		after := shippedOf(t, s, o.Number)
		if !slices.Equal(after, st.shipped) {
			t.Errorf("%s: shipped %v, want %v", st.name, after, st.shipped)
		}
		// The order gets a new version exactly when its Shipped buckets change.
		grew := len(feed(t, s.Orders())) - versions
		if changed := !slices.Equal(before, after); (grew == 1) != changed || grew > 1 {
			t.Errorf("%s: the orders feed grew by %d while the buckets changed=%v", st.name, grew, changed)
		}
		got, _ := s.OrderByNumber(o.Number)
		if got.FulfillmentStatus() != st.status {
			t.Errorf("%s: fulfilment status %s, want %s", st.name, got.FulfillmentStatus(), st.status)
		}
	}
	fl := s.FulfillmentsOf(o.Number)
	if len(fl) != 3 || fl[0].Status != canonical.ShipmentDelivered || fl[1].Status != canonical.ShipmentCancelled || fl[0].TrackingNumber != "TRK-S1" {
		t.Errorf("fulfilments %+v", fl)
	}
	if fl[0].ShipTo.City != "Berlin" || fl[0].Lines[0].SKU != "MUG" || fl[0].Lines[0].OrderLine.Document != o.Number {
		t.Errorf("the shop did not fill ship-to, SKU and order from the order: %+v", fl[0])
	}
}

func TestFulfilmentIdempotentAndStale(t *testing.T) {
	s := newTestShop(t, Config{})
	o := place(t, s, order(s, NewLine("MUG", 4, eur("5.00"))))
	fs := s.Fulfillments()
	w := write("S1", ship("S1", o.Number, "L1", 2), "flow:S1:s1")
	w.Version = connector.SeqVersion(1)
	first, err := fs.Apply(t.Context(), w)
	if err != nil {
		t.Fatal(err)
	}
	again, err := fs.Apply(t.Context(), w)
	if err != nil {
		t.Fatal(err)
	}
	if first != again || first.Action != connector.Created {
		t.Errorf("results %+v then %+v, want the same Created twice", first, again)
	}
	if got := shippedOf(t, s, o.Number); got[0] != "L1:2 C62" {
		t.Errorf("shipped %v after the same write twice, want 2", got)
	}
	newer := write("S1", ship("S1", o.Number, "L1", 3), "flow:S1:s3")
	newer.Version = connector.SeqVersion(3)
	if res, err := fs.Apply(t.Context(), newer); err != nil || res.Action != connector.Updated {
		t.Fatalf("newer version: %v, %v", res.Action, err)
	}
	late := write("S1", ship("S1", o.Number, "L1", 1), "flow:S1:s2")
	late.Version = connector.SeqVersion(2)
	if res, err := fs.Apply(t.Context(), late); err != nil || res.Action != connector.Stale {
		t.Fatalf("older version: %v, %v; want Stale", res.Action, err)
	}
	if got := shippedOf(t, s, o.Number); got[0] != "L1:3 C62" {
		t.Errorf("shipped %v after a stale write, want 3", got)
	}
	if n := len(s.FulfillmentsOf(o.Number)); n != 1 {
		t.Errorf("%d fulfilments for one shipment number", n)
	}
}

func TestFulfilmentRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, s *Shop, number string)
		sh    func(number string) canonical.Shipment
		kind  connector.Kind
		path  string
	}{
		{"cancelled order", func(t *testing.T, s *Shop, n string) {
			if _, err := s.CancelOrder(n, ""); err != nil {
				t.Fatal(err)
			}
		}, func(n string) canonical.Shipment { return ship("S1", n, "L1", 1) }, connector.BusinessRule, ""},
		{"fulfilment hold", func(t *testing.T, s *Shop, n string) {
			if _, err := s.AmendOrder(n, func(o *canonical.SalesOrder) error {
				o.Holds = []canonical.Hold{{Type: canonical.HoldFraud, Blocks: []canonical.Stage{canonical.StageFulfillment}}}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}, func(n string) canonical.Shipment { return ship("S1", n, "L1", 1) }, connector.BusinessRule, ""},
		{"wrong SKU", nil, func(n string) canonical.Shipment {
			sh := ship("S1", n, "L1", 1)
			sh.Lines[0].SKU = "CAP"
			return sh
		}, connector.Invalid, "lines[0].sku"},
		{"other order's line", nil, func(n string) canonical.Shipment {
			sh := ship("S1", n, "L1", 1)
			sh.Lines[0].OrderLine.Document = "#1999"
			return sh
		}, connector.Invalid, "lines[0].orderLine.document"},
		{"zero quantity", nil, func(n string) canonical.Shipment { return ship("S1", n, "L1", 0) }, connector.Invalid, "lines[0].quantity.value"},
		{"no order", nil, func(n string) canonical.Shipment { return ship("S1", "", "L1", 1) }, connector.Invalid, "order"},
		{"more than ordered", nil, func(n string) canonical.Shipment { return ship("S1", n, "L1", 3) }, connector.BusinessRule, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestShop(t, Config{})
			o := place(t, s, order(s, NewLine("MUG", 2, eur("5.00"))))
			if c.setup != nil {
				c.setup(t, s, o.Number)
			}
			_, err := s.Fulfillments().Apply(t.Context(), write("S1", c.sh(o.Number), "x"))
			if c.path != "" {
				wantField(t, err, c.path)
			} else {
				wantKind(t, err, c.kind)
			}
			if _, ok := s.Shipment("S1"); ok {
				t.Errorf("a refused shipment was recorded")
			}
		})
	}
	s := newTestShop(t, Config{})
	_, err := s.Fulfillments().Apply(t.Context(), connector.Write[canonical.Shipment]{Change: connector.Change[canonical.Shipment]{Key: "S9", Op: connector.Delete}})
	wantKind(t, err, connector.NotFound)
}
