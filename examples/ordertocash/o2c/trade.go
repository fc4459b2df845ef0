package o2c

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/ecommerce/memshop"
	"github.com/junctionhq/junction/mapping"
)

// Day sizes a simulated day of trading.
type Day struct {
	// Orders is how many orders customers place (default 2000).
	Orders int
	// Hours is the length of the trading day (default 10).
	Hours int
	// Customers is how many shop accounts exist (default Orders/4).
	Customers int
	// Progress, if set, is called after every simulated hour.
	Progress func(Progress)
}

// Progress reports how far a day has got.
type Progress struct {
	Hour, Hours  int
	OrdersPlaced int
}

// Story counts the awkward cases a day mixed in.
type Story struct {
	Orders, Amended, Cancelled, Refunded, DuplicateCustomers int
	CreditHolds, BadAddresses, Receipts                      int
	AmendRefused, CancelRefused                              int
}

// addresses are deliverable addresses in the shop's markets.
var addresses = []canonical.Address{
	{Lines: []string{"10 Downing Street"}, City: "London", PostalCode: "SW1A 2AA", Country: "GB"},
	{Lines: []string{"1 Deansgate"}, City: "Manchester", PostalCode: "M3 1AZ", Country: "GB"},
	{Lines: []string{"22 Broad Street"}, City: "Birmingham", PostalCode: "B1 2HF", Country: "GB"},
	{Lines: []string{"Unter den Linden 5"}, City: "Berlin", PostalCode: "10117", Country: "DE"},
	{Lines: []string{"Marienplatz 1"}, City: "München", PostalCode: "80331", Country: "DE"},
	{Lines: []string{"Damrak 70"}, City: "Amsterdam", PostalCode: "1012 LM", Country: "NL"},
	{Lines: []string{"Coolsingel 40"}, City: "Rotterdam", PostalCode: "3011 AD", Country: "NL"},
	{Lines: []string{"12 Rue de Rivoli"}, City: "Paris", PostalCode: "75004", Country: "FR"},
	{Lines: []string{"3 Quai Saint-Antoine"}, City: "Lyon", PostalCode: "69002", Country: "FR"},
}

var firstNames = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Niklaus", "Radia", "Tim"}
var lastNames = []string{"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Wirth", "Perlman", "Berners-Lee"}

// Trade runs a day of trading: customers register and place orders, amend and
// cancel some, a few accounts go on credit hold, a few addresses cannot be
// delivered to, stock runs short and is replenished (split deliveries), parcels
// travel, and some delivered orders are partly refunded. The integration syncs
// every simulated quarter hour. At the end of the day the credit controller
// releases the holds, an operator corrects the bad addresses, the parked
// changes are replayed, and the systems are left to settle.
func (in *Integration) Trade(ctx context.Context, d Day, seed uint64) (Story, error) {
	if d.Orders <= 0 {
		d.Orders = 2000
	}
	if d.Hours <= 0 {
		d.Hours = 10
	}
	if d.Customers <= 0 {
		d.Customers = max(d.Orders/4, 4)
	}
	rnd := rand.New(rand.NewPCG(seed, seed+1))
	var st Story

	// Opening stock: enough for most of the day, short on some items so that
	// orders are backordered and ship in two parcels after the midday receipt.
	perItem := max(d.Orders*11/2/len(in.Catalogue), 4)
	for i, it := range in.Catalogue {
		qty := perItem
		if i%5 == 0 {
			qty = perItem / 3
		}
		if err := in.ERP.Receive(ctx, it.ERPItem, "WH1", canonical.Qty(int64(qty*2/3), canonical.UnitOne)); err != nil {
			return st, err
		}
		if err := in.ERP.Receive(ctx, it.ERPItem, "WH2", canonical.Qty(int64(qty-qty*2/3), canonical.UnitOne)); err != nil {
			return st, err
		}
	}

	customers, err := in.registerCustomers(d.Customers, rnd, &st)
	if err != nil {
		return st, err
	}
	in.StartFaults()
	if err := in.Sync(ctx); err != nil {
		return st, err
	}
	// A few accounts are put on credit hold by the credit controller.
	for i := 0; i < 3 && i < len(customers); i++ {
		c := customers[rnd.IntN(len(customers))]
		if ref, ok := in.erpAccount(ctx, c); ok {
			if err := again(func() error { return in.ERP.SetCreditStatus(ctx, ref, canonical.CreditHold) }); err == nil {
				st.CreditHolds++
			}
		}
	}

	steps := d.Hours * 4
	perStep := d.Orders / steps
	var placed []string
	wave := 0 // placed[wave:] are not yet released to the warehouse
	for step := 0; step < steps; step++ {
		n := perStep
		if step == steps-1 {
			n = d.Orders - perStep*(steps-1)
		}
		for range n {
			in.Clock.Advance(15 * time.Minute / time.Duration(max(n, 1)))
			num, err := in.placeOrder(customers, rnd, &st)
			if err != nil {
				return st, err
			}
			placed = append(placed, num)
		}
		in.amendAndCancel(placed[wave:], rnd, &st)
		if step == steps/2 {
			// The midday delivery from the supplier.
			for i, it := range in.Catalogue {
				if i%5 == 0 {
					if err := again(func() error {
						return in.ERP.Receive(ctx, it.ERPItem, "WH1", canonical.Qty(int64(perItem), canonical.UnitOne))
					}); err != nil {
						return st, err
					}
					st.Receipts++
				}
			}
		}
		if err := in.advance(ctx); err != nil {
			return st, err
		}
		if err := in.Sync(ctx); err != nil {
			return st, err
		}
		if step%4 == 3 {
			// The warehouse releases in hourly waves; until then customers
			// may still amend or cancel what the ERP has imported.
			if err := in.Release(ctx); err != nil {
				return st, err
			}
			wave = len(placed)
		}
		in.refundSome(placed, rnd, &st)
		if d.Progress != nil && step%4 == 3 {
			d.Progress(Progress{Hour: step/4 + 1, Hours: d.Hours, OrdersPlaced: len(placed)})
		}
	}
	return st, in.EndOfDay(ctx)
}

// erpAccount returns the ERP account number of a shop customer.
func (in *Integration) erpAccount(ctx context.Context, shopKey string) (string, bool) {
	return in.erpRef(ctx, entCustomer, shopKey)
}

// erpRef returns the ERP's ID of the shop record of entity with key shopKey,
// as the crosswalk links them.
func (in *Integration) erpRef(ctx context.Context, entity, shopKey string) (string, bool) {
	ref, err := mapping.Translate(ctx, in.Store, entity, canonical.ExternalRef{System: Shop, ID: shopKey}, ERP)
	return ref.ID, err == nil
}

func (in *Integration) registerCustomers(n int, rnd *rand.Rand, st *Story) ([]string, error) {
	var keys []string
	for i := range n {
		first, last := firstNames[rnd.IntN(len(firstNames))], lastNames[rnd.IntN(len(lastNames))]
		email := fmt.Sprintf("%s.%s.%d@example.com", first, last, i)
		// One in twenty registers a second account (a guest checkout) with the
		// same email, in other case: the duplicate-customer case.
		if i > 0 && i%20 == 0 {
			if prev, ok := in.Shop.Customer(keys[rnd.IntN(len(keys))]); ok {
				email, first, last = prev.Email, "", prev.Name
				st.DuplicateCustomers++
			}
		}
		addr := addresses[rnd.IntN(len(addresses))]
		name := last
		if first != "" {
			name = first + " " + last
		}
		addr.Name = name
		key, err := in.Shop.AddCustomer(canonical.Customer{Name: name, Email: email, Currency: Currency, Addresses: []canonical.Address{addr}})
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}

func (in *Integration) placeOrder(customers []string, rnd *rand.Rand, st *Story) (string, error) {
	key := customers[rnd.IntN(len(customers))]
	c, _ := in.Shop.Customer(key)
	o := canonical.SalesOrder{
		Currency: Currency,
		Customer: canonical.PartyRef{Refs: []canonical.ExternalRef{{System: Shop, ID: key}}, Name: c.Name, Email: c.Email},
		ShipTo:   c.Addresses[0],
		BillTo:   c.Addresses[0],
		Charges:  []canonical.AllowanceCharge{{IsCharge: true, Code: "SHIPPING", Reason: "standard shipping", Amount: canonical.MustMoney("4.95", Currency)}},
	}
	if rnd.IntN(100) == 0 {
		// A typo the shop does not check but the carrier will.
		o.ShipTo.PostalCode = "XX9 " + o.ShipTo.PostalCode
		st.BadAddresses++
	}
	seen := map[int]bool{}
	for range 1 + rnd.IntN(4) {
		i := rnd.IntN(len(in.Catalogue))
		if seen[i] {
			continue
		}
		seen[i] = true
		it := in.Catalogue[i]
		o.Lines = append(o.Lines, memshop.NewLine(it.ShopSKU, int64(1+rnd.IntN(3)), it.Price))
	}
	var placed canonical.SalesOrder
	err := again(func() (err error) {
		placed, err = in.Shop.PlaceOrder(o)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("o2c: place order: %w", err)
	}
	st.Orders++
	return placed.Number, nil
}

// amendAndCancel lets customers change their minds about recent orders. The
// shop refuses what it must (an order already fulfilled); those count as
// refused, not as errors.
func (in *Integration) amendAndCancel(placed []string, rnd *rand.Rand, st *Story) {
	if len(placed) == 0 {
		return
	}
	for range max(len(placed)/8, 1) {
		num := placed[rnd.IntN(len(placed))]
		switch rnd.IntN(4) {
		case 0:
			if err := again(func() error {
				_, err := in.Shop.CancelOrder(num, "customer changed their mind")
				return err
			}); err != nil {
				st.CancelRefused++
			} else {
				st.Cancelled++
			}
		default:
			err := again(func() error {
				_, err := in.Shop.AmendOrder(num, func(o *canonical.SalesOrder) error {
					it := in.Catalogue[rnd.IntN(len(in.Catalogue))]
					switch {
					case len(o.Lines) > 1 && rnd.IntN(3) == 0:
						o.Lines = o.Lines[:len(o.Lines)-1] // a line removed
					case rnd.IntN(2) == 0:
						o.Lines[0].Ordered = canonical.Qty(1+int64(rnd.IntN(4)), canonical.UnitOne) // quantity changed
					default:
						o.Lines = append(o.Lines, memshop.NewLine(it.ShopSKU, 1, it.Price)) // a line added
					}
					return nil
				})
				return err
			})
			if err != nil {
				st.AmendRefused++
			} else {
				st.Amended++
			}
		}
	}
}

// refundSome refunds part of a few delivered orders: one unit of one line.
func (in *Integration) refundSome(placed []string, rnd *rand.Rand, st *Story) {
	for range max(len(placed)/300, 1) {
		num := placed[rnd.IntN(len(placed))]
		o, ok := in.Shop.OrderByNumber(num)
		if !ok || o.Status == canonical.OrderCancelled {
			continue
		}
		for _, l := range o.Lines {
			if l.Shipped.Value.IsPos() && l.Returned.IsZero() {
				err := again(func() error {
					_, err := in.Shop.Refund(num, []canonical.RefundLine{{
						OrderLine: canonical.LineRef{Document: num, LineID: l.LineID}, Quantity: canonical.Qty(1, l.Ordered.Unit),
					}}, nil, "arrived damaged")
					return err
				})
				if err == nil {
					st.Refunded++
				}
				break
			}
		}
	}
}

// advance moves simulated time on and lets parcels travel.
func (in *Integration) advance(ctx context.Context) error {
	in.Clock.Advance(15 * time.Minute)
	return again(func() error { return in.Courier.Tick(ctx) })
}

// EndOfDay is the operators' routine: release the credit holds that were
// reviewed, correct addresses the carrier refused, replay what was parked,
// and let every system settle until no flow has anything left to read.
func (in *Integration) EndOfDay(ctx context.Context) error {
	if err := in.Settle(ctx); err != nil {
		return err
	}
	for _, c := range in.heldAccounts() {
		if err := again(func() error { return in.ERP.SetCreditStatus(ctx, c, canonical.CreditOK) }); err != nil {
			return err
		}
	}
	// A replay can release work that others wait on (an order's invoice,
	// which a refund's credit note needs; the despatches of an order whose
	// hold was released, whose address may need correcting too), so correct
	// and replay until nothing moves.
	for range 3 {
		in.fixAddresses()
		before := in.openExceptions()
		if err := in.ReplayParked(ctx); err != nil {
			return err
		}
		if err := in.Settle(ctx); err != nil {
			return err
		}
		if in.openExceptions() == before {
			break
		}
	}
	return nil
}

func (in *Integration) openExceptions() int {
	n := 0
	for _, err := range in.Store.Exceptions(context.Background(), store.ExceptionFilter{Status: store.Open}) {
		if err == nil {
			n++
		}
	}
	return n
}
