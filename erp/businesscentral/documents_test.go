package businesscentral_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/erp/businesscentral"
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

func TestCreditNotes(t *testing.T) {
	tests := []struct {
		name string
		// lines of the credit note: sku ("" for a refund on the account),
		// quantity, unit price.
		lines []line
		// failPost fails the first post action, leaving a draft.
		failPost bool
		account  string
		op       connector.Op
		kind     connector.Kind
		stock    int64 // MUG-01 afterwards (97 after the sale of 3)
		balance  string
	}{
		{name: "a partial refund", lines: []line{{"", 1, "5.00"}}, account: "8400", stock: 97, balance: "84.86"},
		{name: "a return restocks", lines: []line{{"MUG-01", 1, "25.17"}}, stock: 98, balance: "59.91"},
		{name: "a draft left by a failed post is posted", lines: []line{{"", 1, "5.00"}}, account: "8400", failPost: true, stock: 97, balance: "84.86"},
		{name: "more than the invoice", lines: []line{{"", 1, "500.00"}}, account: "8400", kind: connector.BusinessRule, stock: 97, balance: "89.86"},
		{name: "a refund line without an account", lines: []line{{"", 1, "5.00"}}, kind: connector.Invalid, stock: 97, balance: "89.86"},
		{name: "a delete", lines: []line{{"", 1, "5.00"}}, account: "8400", op: connector.Delete, kind: connector.Unsupported, stock: 97, balance: "89.86"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var posts *failPOSTs
			e := newEnv(t, bctest.Options{}, func(c *businesscentral.Config) {
				c.CreditAccount = tt.account
				if tt.failPost {
					posts = &failPOSTs{next: c.HTTPClient.Transport, fail: 1, only: "/Microsoft.NAV.post"}
					c.HTTPClient = &http.Client{Transport: posts}
				}
			})
			o, err := e.srv.AddOrder(bctest.OrderInput{CustomerNumber: "C10000", Lines: []bctest.OrderLineInput{{Item: "MUG-01", Quantity: canonical.DecimalFromInt(3)}}})
			must(t, err)
			_, err = e.srv.ShipOrder(o.Number, nil, true) // 3 × 25.17 = 75.51 + 14.35 VAT = 89.86
			must(t, err)
			inv := e.srv.Invoices()[0]
			cn := canonical.CreditNote{Number: "RF-1001", Status: canonical.InvoiceIssued, Currency: "EUR", Invoice: inv.Number,
				IssueDate: canonical.Date{Year: 2026, Month: 3, Day: 2},
				Customer:  canonical.PartyRef{Refs: []canonical.ExternalRef{{System: "businesscentral", ID: "C10000"}}}}
			for i, l := range tt.lines {
				price := canonical.MustMoney(l.price, "EUR")
				net, _ := price.Amount.Mul(canonical.DecimalFromInt(l.qty))
				cn.Lines = append(cn.Lines, canonical.InvoiceLine{LineID: strconv.Itoa(i + 1), SKU: l.sku, Description: "refund",
					Quantity: canonical.Qty(l.qty, canonical.UnitOne), UnitPrice: price, Net: canonical.Money{Amount: net, Currency: "EUR"}})
				cn.Totals.LineNet, _ = cn.Totals.LineNet.Add(canonical.Money{Amount: net, Currency: "EUR"})
			}
			cn.Totals.Payable = cn.Totals.LineNet
			w := connector.Write[canonical.CreditNote]{Change: connector.Change[canonical.CreditNote]{Key: "refund-1", Op: tt.op,
				Version: connector.SeqVersion(1), Entity: cn}, IdempotencyKey: "k1"}
			res, err := e.bc.CreditNotes().Apply(t.Context(), w)
			if tt.failPost {
				if !errors.Is(err, connector.Transient) {
					t.Fatalf("the failed post: %v", err)
				}
				w.IdempotencyKey = "k2"
				res, err = e.bc.CreditNotes().Apply(t.Context(), w)
			}
			switch {
			case tt.kind != connector.Unknown:
				if !errors.Is(err, tt.kind) {
					t.Fatalf("got %v, want kind %s", err, tt.kind)
				}
			case err != nil:
				t.Fatal(err)
			default:
				memos := e.srv.CreditMemos()
				if res.Action != connector.Created || len(memos) != 1 || memos[0].Status != "Open" || res.Ref.ID != memos[0].Number {
					t.Fatalf("result %+v, memos %+v", res, memos)
				}
				w.IdempotencyKey = "k3"
				again, err := e.bc.CreditNotes().Apply(t.Context(), w)
				if err != nil || again.Action != connector.Unchanged || len(e.srv.CreditMemos()) != 1 {
					t.Errorf("the same credit note again: %+v, %v, %d memos", again, err, len(e.srv.CreditMemos()))
				}
			}
			it, _ := e.srv.Item("MUG-01")
			c, _ := e.srv.Customer("C10000")
			if !it.Inventory.Equal(canonical.DecimalFromInt(tt.stock)) || c.Balance.String() != tt.balance {
				t.Errorf("stock %s, balance %s; want %d, %s", it.Inventory, c.Balance, tt.stock, tt.balance)
			}
		})
	}
}
