package businesscentral_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/httpx"
	"github.com/junctionhq/junction/connector/store/memstore"
	"github.com/junctionhq/junction/erp/businesscentral"
	"github.com/junctionhq/junction/erp/businesscentral/bctest"
)

func TestCreateDeepInsert(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	before := e.srv.Stats().Requests
	res, err := e.bc.SalesOrders().Apply(t.Context(), write("SHOP-1042", 1, order("SHOP-1042", line{"MUG-01", 2, "25.17"}, line{"TEE-01", 1, "12.50"}), nil))
	must(t, err)
	if res.Action != connector.Created || res.Ref.System != businesscentral.DefaultSystem || res.Ref.ID == "" || res.Ref.Version == "" {
		t.Fatalf("result %+v", res)
	}
	o, ok := e.srv.Order(res.Ref.ID)
	if !ok {
		t.Fatalf("no order %s in the fake", res.Ref.ID)
	}
	if o.ExternalDocumentNumber != "SHOP-1042" || o.CustomerNumber != "C10000" || len(o.Lines) != 2 || o.ETag != res.Ref.Version {
		t.Fatalf("order %+v", o)
	}
	// MUG 2 × 25.17 = 50.34 + 19% VAT 9.56; TEE 12.50 without VAT.
	if o.TotalExclTax.String() != "62.84" || o.TotalTax.String() != "9.56" || o.TotalInclTax.String() != "72.40" {
		t.Errorf("totals %s + %s = %s", o.TotalExclTax, o.TotalTax, o.TotalInclTax)
	}
	// One lookup by externalDocumentNumber, one credit check, one POST with
	// the lines inside.
	if n := e.srv.Stats().Requests - before; n != 3 {
		t.Errorf("create took %d requests, want 3", n)
	}
}

// dropFirstPOSTResponse lets the first POST reach the server and then
// loses its answer, as a timeout after the server committed does.
type dropFirstPOSTResponse struct {
	next    http.RoundTripper
	dropped atomic.Bool
}

func (d *dropFirstPOSTResponse) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/salesOrders") && d.dropped.CompareAndSwap(false, true) {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errors.New("connection reset after the request was sent")
	}
	return resp, err
}

func TestDuplicateCreatePrevention(t *testing.T) {
	tests := []struct {
		name string
		// lose drops the answer of the first create.
		lose bool
		// second is the action of the second write.
		second connector.Action
	}{
		{name: "retry after a crash, new idempotency key", second: connector.Unchanged},
		{name: "answer lost after Business Central created the order", lose: true, second: connector.Unchanged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rt *dropFirstPOSTResponse
			e := newEnv(t, bctest.Options{}, func(c *businesscentral.Config) {
				if tt.lose {
					rt = &dropFirstPOSTResponse{next: c.HTTPClient.Transport}
					c.HTTPClient = &http.Client{Transport: rt}
				}
			})
			o := order("SHOP-7", line{"MUG-01", 1, "25.17"})
			_, err := e.bc.SalesOrders().Apply(t.Context(), write("SHOP-7", 1, o, nil))
			if tt.lose {
				if !errors.Is(err, connector.Transient) {
					t.Fatalf("the lost answer gave %v, want a Transient error", err)
				}
			} else {
				must(t, err)
			}
			// The engine (or a new process) writes again: no Target, another key.
			w := write("SHOP-7", 1, o, nil)
			w.IdempotencyKey = "after-restart"
			res, err := e.bc.SalesOrders().Apply(t.Context(), w)
			must(t, err)
			if res.Action != tt.second {
				t.Errorf("second write: %s, want %s", res.Action, tt.second)
			}
			if n := len(e.srv.OrdersByExternal("SHOP-7")); n != 1 {
				t.Errorf("Business Central holds %d orders for SHOP-7, want 1", n)
			}
		})
	}
}

func TestAmendLines(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	sink := e.bc.SalesOrders()
	r1, err := sink.Apply(t.Context(), write("SHOP-9", 1, order("SHOP-9", line{"MUG-01", 2, "25.17"}, line{"TEE-01", 1, "12.50"}), nil))
	must(t, err)
	tests := []struct {
		name   string
		lines  []line
		action connector.Action
		want   string // sku×qty@price of the fake's lines
	}{
		{"change a quantity", []line{{"MUG-01", 3, "25.17"}, {"TEE-01", 1, "12.50"}}, connector.Updated, "MUG-01×3@25.17 TEE-01×1@12.5"},
		{"same again", []line{{"MUG-01", 3, "25.17"}, {"TEE-01", 1, "12.50"}}, connector.Unchanged, "MUG-01×3@25.17 TEE-01×1@12.5"},
		{"remove a line", []line{{"MUG-01", 3, "25.17"}}, connector.Updated, "MUG-01×3@25.17"},
		{"add a line and reprice", []line{{"MUG-01", 3, "24.00"}, {"TEE-01", 4, "12.50"}}, connector.Updated, "MUG-01×3@24 TEE-01×4@12.5"},
	}
	target := r1.Ref
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := sink.Apply(t.Context(), write("SHOP-9", i+2, order("SHOP-9", tt.lines...), &target))
			must(t, err)
			if res.Action != tt.action || res.Ref.ID != r1.Ref.ID {
				t.Fatalf("result %+v, want %s of %s", res, tt.action, r1.Ref.ID)
			}
			o, _ := e.srv.Order(r1.Ref.ID)
			var got []string
			for _, l := range o.Lines {
				got = append(got, l.Number+"×"+l.Quantity.String()+"@"+l.UnitPrice.Trim(0).String())
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("lines %q, want %q", strings.Join(got, " "), tt.want)
			}
			if res.Ref.Version != o.ETag {
				t.Errorf("the ref carries ETag %s, the order has %s", res.Ref.Version, o.ETag)
			}
			target = res.Ref
		})
	}
}

func TestETagConflict(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	sink := e.bc.SalesOrders()
	r1, err := sink.Apply(t.Context(), write("SHOP-3", 1, order("SHOP-3", line{"MUG-01", 1, "25.17"}), nil))
	must(t, err)
	must(t, e.srv.EditOrder(r1.Ref.ID)) // a user moves the delivery date
	edited, _ := e.srv.Order(r1.Ref.ID)

	w2 := write("SHOP-3", 2, order("SHOP-3", line{"MUG-01", 5, "25.17"}), &r1.Ref)
	_, err = sink.Apply(t.Context(), w2)
	if !errors.Is(err, connector.Conflict) {
		t.Fatalf("a write on the ETag from before the edit gave %v, want Conflict", err)
	}
	if o, _ := e.srv.Order(r1.Ref.ID); o.ETag != edited.ETag {
		t.Fatal("the conflicting write changed the order")
	}
	// The engine re-reads the source, finds the write still newest and
	// retries it once: the retry applies on top of the user's edit.
	res, err := sink.Apply(t.Context(), w2)
	must(t, err)
	o, _ := e.srv.Order(r1.Ref.ID)
	if res.Action != connector.Updated || !o.Lines[0].Quantity.Equal(canonical.DecimalFromInt(5)) || o.RequestedDate != edited.RequestedDate {
		t.Errorf("retry: %+v; order lines %+v, delivery %s (the user's %s)", res, o.Lines, o.RequestedDate, edited.RequestedDate)
	}
}

func TestETagConflictThroughEngine(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	shop := connectortest.NewMemory[canonical.SalesOrder]("shop")
	eng := flow.NewEngine(memstore.New(), flow.WithClock(e.clock))
	must(t, flow.Add(eng, flow.Flow[canonical.SalesOrder, canonical.SalesOrder]{
		Name: "orders", Source: shop, Map: flow.Identity[canonical.SalesOrder], Sink: e.bc.SalesOrders(),
	}))
	shop.Put("SHOP-5", order("SHOP-5", line{"MUG-01", 1, "25.17"}))
	rep, err := eng.RunOnce(t.Context(), "orders")
	must(t, err)
	if rep.Applied != 1 {
		t.Fatalf("first pass %+v", rep)
	}
	o := e.srv.OrdersByExternal("SHOP-5")[0]
	must(t, e.srv.EditOrder(o.Number))
	shop.Put("SHOP-5", order("SHOP-5", line{"MUG-01", 2, "25.17"}))
	rep, err = eng.RunOnce(t.Context(), "orders")
	must(t, err)
	if rep.Applied != 1 || rep.Parked != 0 {
		t.Fatalf("amendment after an edit in Business Central: %+v, want it applied after the conflict", rep)
	}
	if got, _ := e.srv.Order(o.Number); !got.Lines[0].Quantity.Equal(canonical.DecimalFromInt(2)) {
		t.Errorf("quantity %s, want 2", got.Lines[0].Quantity)
	}
}

func TestIfMatchEnforced(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		ifMatch string
		kind    connector.Kind
	}{
		{"stale ETag answered 409", http.StatusConflict, "stale", connector.Conflict},
		{"stale ETag answered 412", http.StatusPreconditionFailed, "stale", connector.Conflict},
		{"no If-Match", http.StatusConflict, "", connector.Invalid},
		{"current ETag", http.StatusConflict, "current", connector.Unknown},
		{"wildcard", http.StatusConflict, "*", connector.Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, bctest.Options{StaleETagStatus: tt.status}, nil)
			res, err := e.bc.SalesOrders().Apply(t.Context(), write("SHOP-1", 1, order("SHOP-1", line{"MUG-01", 1, "25.17"}), nil))
			must(t, err)
			o, _ := e.srv.Order(res.Ref.ID)
			h := http.Header{}
			switch tt.ifMatch {
			case "stale":
				h.Set("If-Match", o.ETag)
				must(t, e.srv.EditOrder(o.Number))
			case "current":
				h.Set("If-Match", o.ETag)
			case "*":
				h.Set("If-Match", "*")
			}
			_, err = e.bc.HTTP().Do(t.Context(), &httpx.Request{Method: http.MethodPatch,
				Path: e.bc.CompanyPath("salesOrders") + "(" + o.ID + ")", Header: h, Body: map[string]any{"email": "x@example.com"}})
			if got := connector.KindOf(err); got != tt.kind {
				t.Errorf("PATCH: %v (kind %s), want kind %s", err, got, tt.kind)
			}
		})
	}
}

func TestOrderBusinessRules(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, e *env, number string)
		// amend is the second revision's lines; nil cancels the order.
		amend []line
		// customer of the first write, when not C10000 (created blocked).
		blocked string
		limit   string
		balance string
		skip    bool // SkipCreditCheck
		reason  string
	}{
		{name: "order released", amend: []line{{"MUG-01", 2, "25.17"}},
			setup:  func(t *testing.T, e *env, n string) { must(t, e.srv.LockOrder(n, "")) },
			reason: "Current value is 'Released'"},
		{name: "below what shipped", amend: []line{{"MUG-01", 1, "25.17"}, {"TEE-01", 1, "12.50"}},
			setup: func(t *testing.T, e *env, n string) {
				_, err := e.srv.ShipOrder(n, map[int]canonical.Decimal{10000: canonical.DecimalFromInt(2)}, false)
				must(t, err)
			},
			reason: "has shipped 2"},
		{name: "shipped line removed", amend: []line{{"TEE-01", 1, "12.50"}},
			setup: func(t *testing.T, e *env, n string) {
				_, err := e.srv.ShipOrder(n, map[int]canonical.Decimal{10000: canonical.DecimalFromInt(1)}, false)
				must(t, err)
			},
			reason: "cannot be removed"},
		{name: "shipped order cancelled",
			setup: func(t *testing.T, e *env, n string) {
				_, err := e.srv.ShipOrder(n, map[int]canonical.Decimal{20000: canonical.DecimalFromInt(1)}, false)
				must(t, err)
			},
			reason: "cannot be cancelled"},
		{name: "fully posted order amended", amend: []line{{"MUG-01", 9, "25.17"}},
			setup: func(t *testing.T, e *env, n string) {
				_, err := e.srv.ShipOrder(n, nil, true)
				must(t, err)
			},
			reason: "no longer in Business Central"},
		{name: "customer blocked", blocked: bctest.BlockedAll, reason: "blocked (All)"},
		{name: "customer on hold", blocked: bctest.BlockedShip, reason: "on hold"},
		{name: "over the credit limit", limit: "100", balance: "80", reason: "over its credit limit"},
		{name: "blocked, refused by Business Central itself", blocked: bctest.BlockedAll, skip: true, reason: "is blocked with type All"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, bctest.Options{}, func(c *businesscentral.Config) { c.SkipCreditCheck = tt.skip })
			sink := e.bc.SalesOrders()
			first := order("SHOP-R", line{"MUG-01", 2, "25.17"}, line{"TEE-01", 1, "12.50"})
			if tt.blocked != "" || tt.limit != "" {
				must(t, e.srv.SetBlocked("C10000", tt.blocked))
				if tt.limit != "" {
					must(t, e.srv.SetCreditLimit("C10000", canonical.MustDecimal(tt.limit)))
					must(t, e.srv.SetBalance("C10000", canonical.MustDecimal(tt.balance)))
				}
				_, err := sink.Apply(t.Context(), write("SHOP-R", 1, first, nil))
				checkRule(t, err, tt.reason)
				if n := len(e.srv.OrdersByExternal("SHOP-R")); n != 0 {
					t.Errorf("%d orders created", n)
				}
				return
			}
			r1, err := sink.Apply(t.Context(), write("SHOP-R", 1, first, nil))
			must(t, err)
			tt.setup(t, e, r1.Ref.ID)
			cur, ok := e.srv.Order(r1.Ref.ID)
			target := r1.Ref
			if ok {
				target.Version = cur.ETag // the engine has seen the change
			}
			w := write("SHOP-R", 2, order("SHOP-R", tt.amend...), &target)
			if tt.amend == nil {
				w.Op = connector.Delete
				w.Entity = first
			}
			_, err = sink.Apply(t.Context(), w)
			checkRule(t, err, tt.reason)
		})
	}
}

func checkRule(t *testing.T, err error, reason string) {
	t.Helper()
	if !errors.Is(err, connector.BusinessRule) {
		t.Fatalf("got %v (kind %s), want BusinessRule", err, connector.KindOf(err))
	}
	if !strings.Contains(err.Error(), reason) {
		t.Errorf("the reason %q does not say %q", err, reason)
	}
}

func TestOrderInvalid(t *testing.T) {
	tests := []struct {
		name string
		edit func(o *canonical.SalesOrder)
		path string
	}{
		{"unknown item", func(o *canonical.SalesOrder) { o.Lines[0].SKU = "NOPE-1" }, "lines[0].sku"},
		{"no channel reference", func(o *canonical.SalesOrder) { o.CustomerPO = "" }, "customerPo"},
		{"reference too long", func(o *canonical.SalesOrder) { o.CustomerPO = strings.Repeat("X", 36) }, "customerPo"},
		{"customer not mapped", func(o *canonical.SalesOrder) { o.Customer.Refs = nil }, "customer.refs"},
		{"unknown customer", func(o *canonical.SalesOrder) { o.Customer.Refs[0].ID = "C99999" }, "customer.refs"},
		{"charge without an account", func(o *canonical.SalesOrder) {
			o.Charges = []canonical.AllowanceCharge{{IsCharge: true, Reason: "shipping", Amount: canonical.MustMoney("4.90", "EUR")}}
			o.Totals.Charges = canonical.MustMoney("4.90", "EUR")
			o.Totals.Payable, _ = o.Totals.Payable.Add(o.Totals.Charges)
		}, "charges[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, bctest.Options{}, nil)
			o := order("SHOP-I", line{"MUG-01", 1, "25.17"})
			tt.edit(&o)
			_, err := e.bc.SalesOrders().Apply(t.Context(), write("SHOP-I", 1, o, nil))
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Kind != connector.Invalid {
				t.Fatalf("got %v, want an Invalid *connector.Error", err)
			}
			if len(ce.Fields) == 0 || ce.Fields[0].Path != tt.path {
				t.Errorf("fields %+v, want the path %s", ce.Fields, tt.path)
			}
			if n := len(e.srv.Orders()); n != 0 {
				t.Errorf("%d orders created", n)
			}
		})
	}
}

func TestChargesOnAccount(t *testing.T) {
	e := newEnv(t, bctest.Options{}, func(c *businesscentral.Config) { c.ChargeAccount = "6110" })
	o := order("SHOP-C", line{"TEE-01", 2, "12.50"})
	o.Charges = []canonical.AllowanceCharge{{IsCharge: true, Reason: "Shipping", Amount: canonical.MustMoney("4.90", "EUR")}}
	o.Totals.Charges = canonical.MustMoney("4.90", "EUR")
	o.Totals.Payable = canonical.MustMoney("29.90", "EUR")
	sink := e.bc.SalesOrders()
	r1, err := sink.Apply(t.Context(), write("SHOP-C", 1, o, nil))
	must(t, err)
	got, _ := e.srv.Order(r1.Ref.ID)
	if len(got.Lines) != 2 || got.Lines[1].Type != "Account" || got.Lines[1].Number != "6110" || got.TotalInclTax.String() != "29.90" {
		t.Fatalf("order %+v", got)
	}
	// Read back, the account line is an order-level charge again.
	ch, err := sink.(connector.Getter[canonical.SalesOrder]).Get(t.Context(), "SHOP-C")
	must(t, err)
	if len(ch.Entity.Lines) != 1 || len(ch.Entity.Charges) != 1 || !ch.Entity.Totals.Payable.Equal(canonical.MustMoney("29.90", "EUR")) {
		t.Errorf("read back %+v", ch.Entity)
	}
	if err := ch.Entity.Validate(); err != nil {
		t.Errorf("the order read back is not valid: %v", err)
	}
	res, err := sink.Apply(t.Context(), write("SHOP-C", 2, o, &r1.Ref))
	must(t, err)
	if res.Action != connector.Unchanged {
		t.Errorf("the same order again: %s, want unchanged", res.Action)
	}
}

func TestCancelDeletesOrder(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	sink := e.bc.SalesOrders()
	o := order("SHOP-X", line{"MUG-01", 1, "25.17"})
	r1, err := sink.Apply(t.Context(), write("SHOP-X", 1, o, nil))
	must(t, err)
	o.Status = canonical.OrderCancelled
	res, err := sink.Apply(context.Background(), write("SHOP-X", 2, o, &r1.Ref))
	must(t, err)
	if res.Action != connector.Deleted || len(e.srv.Orders()) != 0 {
		t.Errorf("cancel: %+v, %d orders left", res, len(e.srv.Orders()))
	}
}
