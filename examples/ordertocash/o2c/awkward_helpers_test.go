package o2c

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the SQLite driver for the sqlstore runs

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/memstore"
	"github.com/junctionhq/junction/connector/store/sqlstore"
	"github.com/junctionhq/junction/ecommerce/memshop"
)

// The awkward-case stories build a few customers and orders by hand, drive
// them through the five systems and the engine, and end by checking every
// system: the end state the story is about, that nothing was lost (no open
// exception, an outcome for every change every flow read), that no system
// holds a duplicate document, and that the reconciliation agrees.

// Addresses the stories ship to; every one is deliverable.
var (
	london = canonical.Address{Lines: []string{"10 Downing Street"}, City: "London", PostalCode: "SW1A 2AA", Country: "GB"}
	berlin = canonical.Address{Lines: []string{"Unter den Linden 5"}, City: "Berlin", PostalCode: "10117", Country: "DE"}
	paris  = canonical.Address{Lines: []string{"12 Rue de Rivoli"}, City: "Paris", PostalCode: "75004", Country: "FR"}
)

// shipping is the charge on every story's order.
var shipping = canonical.MustMoney("4.95", Currency)

// world is one story: an integration and the context its steps run in.
type world struct {
	t   *testing.T
	ctx context.Context
	in  *Integration
}

// eachStore runs a story on the in-memory store and on sqlstore over SQLite:
// the integration behaves the same whichever keeps the engine's state.
// Stories share nothing, so they run in parallel.
func eachStore(t *testing.T, story func(w *world)) {
	t.Parallel()
	t.Run("memstore", func(t *testing.T) {
		t.Parallel()
		story(newWorld(t, memstore.New()))
	})
	t.Run("sqlstore", func(t *testing.T) {
		t.Parallel()
		story(newWorld(t, sqliteStore(t)))
	})
}

func sqliteStore(t *testing.T) store.Store {
	t.Helper()
	dsn := "file:" + filepath.Join(t.TempDir(), "o2c.db") +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	st, err := sqlstore.Open(context.Background(), db, sqlstore.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func newWorld(t *testing.T, st store.Store) *world {
	t.Helper()
	in, err := New(Config{Seed: 1, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return &world{t: t, ctx: context.Background(), in: in}
}

// item returns the catalogue entry of a shop SKU.
func (w *world) item(sku string) Item {
	w.t.Helper()
	for _, it := range w.in.Catalogue {
		if it.ShopSKU == sku {
			return it
		}
	}
	w.t.Fatalf("no catalogue item %s", sku)
	return Item{}
}

// receive books a goods receipt of n units of a shop SKU in the ERP.
func (w *world) receive(sku, location string, n int64) {
	w.t.Helper()
	if err := w.in.ERP.Receive(w.ctx, w.item(sku).ERPItem, location, canonical.Qty(n, canonical.UnitOne)); err != nil {
		w.t.Fatal(err)
	}
}

// level is the ERP's stock level of a shop SKU.
func (w *world) level(sku, location string) canonical.StockLevel {
	w.t.Helper()
	return w.in.ERP.Level(w.item(sku).ERPItem, location)
}

// customer opens a shop account and returns its key.
func (w *world) customer(name, email string, addr canonical.Address) string {
	w.t.Helper()
	addr.Name = name
	key, err := w.in.Shop.AddCustomer(canonical.Customer{Name: name, Email: email, Currency: Currency, Addresses: []canonical.Address{addr}})
	if err != nil {
		w.t.Fatal(err)
	}
	return key
}

// ln is an order line: qty units of a shop SKU at the catalogue price.
type ln struct {
	sku string
	qty int64
}

// place places an order for a shop customer, shipped to the account's address.
func (w *world) place(customer string, lines ...ln) canonical.SalesOrder {
	w.t.Helper()
	return w.placeTo(customer, canonical.Address{}, lines...)
}

// placeTo places an order shipped to shipTo (the account's address if zero).
func (w *world) placeTo(customer string, shipTo canonical.Address, lines ...ln) canonical.SalesOrder {
	w.t.Helper()
	c, ok := w.in.Shop.Customer(customer)
	if !ok {
		w.t.Fatalf("no shop customer %s", customer)
	}
	o := canonical.SalesOrder{
		Currency: Currency,
		Customer: canonical.PartyRef{Refs: []canonical.ExternalRef{{System: Shop, ID: customer}}, Name: c.Name, Email: c.Email},
		ShipTo:   shipTo,
		Charges:  []canonical.AllowanceCharge{{IsCharge: true, Code: "SHIPPING", Reason: "standard shipping", Amount: shipping}},
	}
	for _, l := range lines {
		o.Lines = append(o.Lines, memshop.NewLine(l.sku, l.qty, w.item(l.sku).Price))
	}
	placed, err := w.in.Shop.PlaceOrder(o)
	if err != nil {
		w.t.Fatal(err)
	}
	return placed
}

func (w *world) sync() {
	w.t.Helper()
	if err := w.in.Sync(w.ctx); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) release() {
	w.t.Helper()
	if err := w.in.Release(w.ctx); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) settle() {
	w.t.Helper()
	if err := w.in.Settle(w.ctx); err != nil {
		w.t.Fatal(err)
	}
}

// shopOrder returns a shop order as the shop holds it now.
func (w *world) shopOrder(number string) canonical.SalesOrder {
	w.t.Helper()
	o, ok := w.in.Shop.OrderByNumber(number)
	if !ok {
		w.t.Fatalf("no shop order %s", number)
	}
	return o
}

// erpOrder returns the one ERP order of a shop order.
func (w *world) erpOrder(shopNumber string) canonical.SalesOrder {
	w.t.Helper()
	var found []canonical.SalesOrder
	for _, o := range w.in.ERP.Orders() {
		if o.CustomerPO == shopNumber {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		w.t.Fatalf("shop order %s has %d ERP orders, want 1", shopNumber, len(found))
	}
	return found[0]
}

// erpAccountOf returns the ERP account the crosswalk links a shop customer to.
func (w *world) erpAccountOf(shopKey string) string {
	w.t.Helper()
	acc, ok := w.in.erpAccount(w.ctx, shopKey)
	if !ok {
		w.t.Fatalf("shop customer %s is linked to no ERP account", shopKey)
	}
	return acc
}

// exceptions lists a flow's exceptions with a status (all when empty).
func (w *world) exceptions(flowName string, status store.ExceptionStatus) []store.Exception {
	w.t.Helper()
	var out []store.Exception
	for ex, err := range w.in.Store.Exceptions(w.ctx, store.ExceptionFilter{Flow: flowName, Status: status}) {
		if err != nil {
			w.t.Fatal(err)
		}
		out = append(out, ex)
	}
	return out
}

// outcomes lists the outcomes recorded for one key of a flow.
func (w *world) outcomes(flowName, key string) []store.Outcome {
	w.t.Helper()
	var out []store.Outcome
	for o, err := range w.in.Store.Outcomes(w.ctx, store.OutcomeFilter{Flow: flowName, Key: key}) {
		if err != nil {
			w.t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

// wantQty fails unless q is n units.
func wantQty(t *testing.T, what string, q canonical.Quantity, n int64) {
	t.Helper()
	if !q.Value.Equal(canonical.DecimalFromInt(n)) {
		t.Errorf("%s = %s, want %d", what, q.Value, n)
	}
}

// wantMoney fails unless got equals want.
func wantMoney(t *testing.T, what string, got, want canonical.Money) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// sum adds amounts of one currency.
func sum(t *testing.T, ms ...canonical.Money) canonical.Money {
	t.Helper()
	total := canonical.Zero(Currency)
	for _, m := range ms {
		var err error
		if total, err = total.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	return total
}

// checkEnd is how every story ends: nothing lost, nothing duplicated, and
// the systems reconcile.
func (w *world) checkEnd() {
	w.t.Helper()
	w.checkNothingLost()
	w.checkNoDuplicates()
	for _, c := range w.in.Reconcile(w.ctx) {
		if !c.OK() {
			w.t.Errorf("reconciliation %q drifts: %s", c.Name, strings.Join(c.Drift, "; "))
		}
	}
}

// checkNothingLost: no exception is open, and every change each flow's
// source holds has an outcome in the store that is not parked.
func (w *world) checkNothingLost() {
	w.t.Helper()
	for _, ex := range w.exceptions("", store.Open) {
		w.t.Errorf("open exception %s: %s %s (%s): %s", ex.ID, ex.Flow, ex.Key, ex.Kind, ex.Message)
	}
	in := w.in
	sources := map[string]func() ([]string, error){
		FlowCustomers:     changes(w.ctx, in.Shop.Customers()),
		FlowOrders:        changes(w.ctx, in.Shop.Orders()),
		FlowDespatch:      changes(w.ctx, in.ERP.Despatches()),
		FlowConfirm:       changes(w.ctx, in.Courier.Tracking()),
		FlowFulfil:        changes(w.ctx, in.Courier.Tracking()),
		FlowInvoices:      changes(w.ctx, in.ERP.Invoices()),
		FlowPayments:      changes(w.ctx, flow.Split(in.Shop.Orders(), captures)),
		FlowERPCredits:    changes(w.ctx, in.Shop.Refunds()),
		FlowLedgerCredits: changes(w.ctx, in.Shop.Refunds()),
		FlowStock:         changes(w.ctx, in.ERP.Stock()),
		FlowContacts:      changes(w.ctx, in.Shop.Customers()),
		FlowDeals:         changes(w.ctx, in.Shop.Orders()),
	}
	for _, f := range Flows {
		read, err := sources[f]()
		if err != nil {
			w.t.Fatalf("%s: read the source: %v", f, err)
		}
		got := map[string]store.Result{}
		for o, err := range in.Store.Outcomes(w.ctx, store.OutcomeFilter{Flow: f}) {
			if err != nil {
				w.t.Fatal(err)
			}
			got[o.Key+"@"+o.Version.String()] = o.Result
		}
		for _, id := range read {
			switch r, ok := got[id]; {
			case !ok:
				w.t.Errorf("%s: change %s has no outcome", f, id)
			case r == store.Parked:
				w.t.Errorf("%s: change %s is still parked", f, id)
			}
		}
	}
}

// changes reads every change a source holds, as "key@version", once each.
func changes[T any](ctx context.Context, src connector.Source[T]) func() ([]string, error) {
	return func() ([]string, error) {
		var out []string
		for c, err := range src.Changes(ctx, "") {
			if err != nil {
				return nil, err
			}
			// A split source repeats a part in every version of its parent.
			if id := c.Key + "@" + c.Version.String(); !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		return out, nil
	}
}

// checkNoDuplicates: one ERP account per email, one ERP order per shop
// order, one label in use per despatch, one invoice per despatch sent (in the
// ERP and the ledger), one credit note per refund (in both), one CRM contact
// per email and one deal per order, one shop fulfilment per despatch sent.
func (w *world) checkNoDuplicates() {
	w.t.Helper()
	t, in := w.t, w.in

	// Shop customers and their distinct emails.
	emails := map[string]bool{}
	for i := 1; ; i++ {
		c, ok := in.Shop.Customer(fmt.Sprintf("cust-%d", i))
		if !ok {
			break
		}
		emails[strings.ToLower(strings.TrimSpace(c.Email))] = true
	}
	accounts := map[string][]string{}
	for i := 1; ; i++ {
		num := fmt.Sprintf("C-%06d", i)
		c, ok := in.ERP.Customer(num)
		if !ok {
			break
		}
		e := strings.ToLower(strings.TrimSpace(c.Email))
		accounts[e] = append(accounts[e], num)
	}
	for e, nums := range accounts {
		if len(nums) != 1 {
			t.Errorf("ERP: email %s has %d accounts %v, want 1", e, len(nums), nums)
		}
	}
	for e := range emails {
		if len(accounts[e]) == 0 {
			t.Errorf("ERP: no account for %s", e)
		}
		if _, ok := in.CRM.Contact(e); !ok {
			t.Errorf("CRM: no contact for %s", e)
		}
	}
	if n := in.CRM.ContactCount(); n != len(emails) {
		t.Errorf("CRM: %d contacts for %d emails", n, len(emails))
	}

	// Orders: one ERP order and one CRM deal per shop order.
	shopOrders := in.Shop.ListOrders()
	byPO := map[string]int{}
	for _, o := range in.ERP.Orders() {
		byPO[o.CustomerPO]++
	}
	deals := map[string]int{}
	for _, d := range in.CRM.AllDeals() {
		deals[d.Order]++
	}
	for _, so := range shopOrders {
		if byPO[so.Number] != 1 {
			t.Errorf("ERP: shop order %s has %d orders, want 1", so.Number, byPO[so.Number])
		}
		if deals[so.Number] != 1 {
			t.Errorf("CRM: shop order %s has %d deals, want 1", so.Number, deals[so.Number])
		}
	}
	if n := len(in.ERP.Orders()); n != len(shopOrders) {
		t.Errorf("ERP: %d orders for %d shop orders", n, len(shopOrders))
	}
	if n := len(in.CRM.AllDeals()); n != len(shopOrders) {
		t.Errorf("CRM: %d deals for %d shop orders", n, len(shopOrders))
	}

	// Despatches: one label in use each, one invoice each once sent, and one
	// shop fulfilment each.
	inUse := 0
	erpInvoiced := canonical.Zero(Currency)
	for _, eo := range in.ERP.Orders() {
		invs := in.ERP.InvoicesOf(eo.Number)
		shopFul := map[string]canonical.Shipment{}
		for _, f := range in.Shop.FulfillmentsOf(eo.CustomerPO) {
			shopFul[f.Number] = f
		}
		for _, sh := range in.ERP.ShipmentsOf(eo.Number) {
			parcel, booked := in.Courier.Shipment(sh.Number)
			var billed []string
			for _, inv := range invs {
				if slices.Contains(inv.Shipments, sh.Number) {
					billed = append(billed, inv.Number)
				}
			}
			switch sh.Status {
			case canonical.ShipmentCancelled:
				if booked && (parcel.Label == nil || !parcel.Label.Voided) {
					t.Errorf("courier: despatch %s is cancelled in the ERP but its label is in use", sh.Number)
				}
				if len(billed) != 0 {
					t.Errorf("ERP: cancelled despatch %s is invoiced by %v", sh.Number, billed)
				}
				if f, ok := shopFul[sh.Number]; ok && f.Status != canonical.ShipmentCancelled {
					t.Errorf("shop: fulfilment %s of a cancelled despatch is %s", sh.Number, f.Status)
				}
				continue
			case canonical.ShipmentPlanned:
				t.Errorf("ERP: despatch %s is still waiting for a label", sh.Number)
				continue
			}
			inUse++
			if !booked || parcel.Label == nil || parcel.Label.Voided {
				t.Errorf("courier: despatch %s (%s) has no label in use", sh.Number, sh.Status)
			} else if parcel.TrackingNumber != sh.TrackingNumber {
				t.Errorf("despatch %s: courier tracking %s, ERP %s", sh.Number, parcel.TrackingNumber, sh.TrackingNumber)
			}
			if len(billed) != 1 {
				t.Errorf("ERP: despatch %s is invoiced by %v, want one invoice", sh.Number, billed)
			}
			if f, ok := shopFul[sh.Number]; !ok || f.Status != sh.Status {
				t.Errorf("shop: despatch %s (%s) has fulfilment %v (%s)", sh.Number, sh.Status, ok, f.Status)
			}
		}
		for _, inv := range invs {
			if len(inv.Shipments) != 1 {
				t.Errorf("ERP: invoice %s bills despatches %v, want one", inv.Number, inv.Shipments)
			}
			erpInvoiced = sum(t, erpInvoiced, inv.Totals.Payable)
			if got, ok := in.Ledger.Invoice(inv.Number); !ok {
				t.Errorf("ledger: no invoice %s", inv.Number)
			} else {
				wantMoney(t, "ledger invoice "+inv.Number, got.Totals.Payable, inv.Totals.Payable)
			}
		}
	}
	if a := in.Courier.Account(); a.Purchased-a.Voided != inUse {
		t.Errorf("courier: %d labels bought, %d voided, for %d despatches", a.Purchased, a.Voided, inUse)
	}
	wantMoney(t, "ledger total invoiced", in.Ledger.Totals(Currency).Invoiced, erpInvoiced)

	// Credit notes: one per refund of delivered goods, in each system.
	erpCN := map[string][]canonical.CreditNote{}
	erpCredited := canonical.Zero(Currency)
	for i := 1; ; i++ {
		cn, ok := in.ERP.CreditNote(fmt.Sprintf("CN-%06d", i))
		if !ok {
			break
		}
		erpCN[cn.Refund] = append(erpCN[cn.Refund], cn)
		erpCredited = sum(t, erpCredited, cn.Totals.Payable)
	}
	refunds := 0
	for _, so := range shopOrders {
		for _, r := range in.Shop.RefundsOf(so.Number) {
			if len(r.Lines) == 0 && r.Shipping == nil {
				continue // a cancellation's or amendment's refund: nothing invoiced to credit
			}
			refunds++
			id := refundID(r)
			if len(erpCN[id]) != 1 {
				t.Errorf("ERP: refund %s has %d credit notes, want 1", id, len(erpCN[id]))
				continue
			}
			e := erpCN[id][0]
			l, ok := in.Ledger.CreditNote("CN-" + id)
			if !ok {
				t.Errorf("ledger: no credit note for refund %s", id)
				continue
			}
			if l.Invoice != e.Invoice || !l.Totals.Payable.Equal(e.Totals.Payable) {
				t.Errorf("refund %s: ERP credits %s on %s, ledger %s on %s", id, e.Totals.Payable, e.Invoice, l.Totals.Payable, l.Invoice)
			}
		}
	}
	if len(erpCN) != refunds {
		t.Errorf("ERP: credit notes for %d refunds, want %d", len(erpCN), refunds)
	}
	wantMoney(t, "ledger total credited", in.Ledger.Totals(Currency).Credited, erpCredited)
}
