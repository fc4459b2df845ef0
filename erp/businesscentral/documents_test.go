package businesscentral_test

import (
	"errors"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/erp/businesscentral/bctest"
)

func TestShipmentConfirmations(t *testing.T) {
	type result struct {
		action connector.Action
		kind   connector.Kind
	}
	tests := []struct {
		name    string
		shipped map[int]int64 // posted in Business Central first: sequence → quantity
		ship    func(order string, posted string) canonical.Shipment
		op      connector.Op
		want    result
		// after is the shipped quantity of the mug line afterwards.
		after int64
	}{
		{name: "a shipment Business Central posted", shipped: map[int]int64{10000: 1},
			ship: func(o, posted string) canonical.Shipment { return shipment(posted, o, "10000", "MUG-01", 1) },
			want: result{action: connector.Unchanged}, after: 1},
		{name: "cancelling a posted shipment", shipped: map[int]int64{10000: 1},
			ship: func(o, posted string) canonical.Shipment {
				s := shipment(posted, o, "10000", "MUG-01", 1)
				s.Status = canonical.ShipmentCancelled
				return s
			},
			want: result{kind: connector.BusinessRule}, after: 1},
		{name: "a third-party warehouse shipped, by line number",
			ship: func(o, _ string) canonical.Shipment { return shipment("3PL-1", o, "10000", "MUG-01", 2) },
			want: result{action: connector.Created}, after: 2},
		{name: "a third-party warehouse shipped, matched by item",
			ship: func(o, _ string) canonical.Shipment { return shipment("3PL-2", o, "L1", "MUG-01", 1) },
			want: result{action: connector.Created}, after: 1},
		{name: "more than was ordered", shipped: map[int]int64{10000: 1},
			ship: func(o, _ string) canonical.Shipment { return shipment("3PL-3", o, "10000", "MUG-01", 2) },
			want: result{kind: connector.BusinessRule}, after: 1},
		{name: "not sent yet",
			ship: func(o, _ string) canonical.Shipment {
				s := shipment("3PL-4", o, "10000", "MUG-01", 1)
				s.Status = canonical.ShipmentPlanned
				return s
			},
			want: result{kind: connector.BusinessRule}, after: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, bctest.Options{}, nil)
			o, err := e.srv.AddOrder(bctest.OrderInput{CustomerNumber: "C10000", ExternalDocumentNumber: "SHOP-S",
				Lines: []bctest.OrderLineInput{{Item: "MUG-01", Quantity: canonical.DecimalFromInt(2)}, {Item: "TEE-01", Quantity: canonical.DecimalFromInt(1)}}})
			must(t, err)
			var posted string
			if tt.shipped != nil {
				q := map[int]canonical.Decimal{}
				for seq, n := range tt.shipped {
					q[seq] = canonical.DecimalFromInt(n)
				}
				posted, err = e.srv.ShipOrder(o.Number, q, false)
				must(t, err)
			}
			w := connector.Write[canonical.Shipment]{Change: connector.Change[canonical.Shipment]{Key: "sh", Op: tt.op,
				Version: connector.SeqVersion(1), Entity: tt.ship(o.Number, posted)}, IdempotencyKey: "idem-" + tt.name}
			sink := e.bc.ShipmentConfirmations()
			res, err := sink.Apply(t.Context(), w)
			switch {
			case tt.want.kind != connector.Unknown:
				if !errors.Is(err, tt.want.kind) {
					t.Fatalf("got %v, want kind %s", err, tt.want.kind)
				}
			case err != nil:
				t.Fatal(err)
			case res.Action != tt.want.action:
				t.Fatalf("action %s, want %s", res.Action, tt.want.action)
			}
			if got, ok := e.srv.Order(o.Number); ok {
				if !got.Lines[0].Shipped.Equal(canonical.DecimalFromInt(tt.after)) || !got.Lines[1].Shipped.IsZero() {
					t.Errorf("shipped %s and %s, want %d and 0", got.Lines[0].Shipped, got.Lines[1].Shipped, tt.after)
				}
			}
			if tt.want.action == connector.Created {
				if res.Ref.ID == "" || len(e.srv.Invoices()) != 1 {
					t.Errorf("ref %+v, %d invoices", res.Ref, len(e.srv.Invoices()))
				}
				again, err := sink.Apply(t.Context(), w)
				if err != nil || again.Action != connector.Unchanged || again.Ref.ID != res.Ref.ID {
					t.Errorf("the same write again: %+v, %v", again, err)
				}
				if n := len(e.srv.Shipments()); n != 1 {
					t.Errorf("%d shipments posted, want 1", n)
				}
			}
		})
	}
}

// shipment is a sent shipment of one order line.
func shipment(number, order, lineID, sku string, qty int64) canonical.Shipment {
	return canonical.Shipment{Number: number, Order: order, Status: canonical.ShipmentShipped,
		ShipTo:  canonical.Address{Name: "Ng GmbH", Country: "DE"},
		Carrier: "dhl", TrackingNumber: "00340434161234567890",
		Lines: []canonical.ShipmentLine{{LineID: "1", OrderLine: canonical.LineRef{Document: order, LineID: lineID}, SKU: sku,
			Quantity: canonical.Qty(qty, canonical.UnitOne)}}}
}

func TestCreditNotesUnsupported(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	_, err := e.bc.CreditNotes().Apply(t.Context(), connector.Write[canonical.CreditNote]{})
	if !errors.Is(err, connector.Unsupported) {
		t.Errorf("got %v, want Unsupported", err)
	}
}
