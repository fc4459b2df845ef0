package businesscentral_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/store/memstore"
	"github.com/junctionhq/junction/erp/businesscentral"
	"github.com/junctionhq/junction/erp/businesscentral/bctest"
)

// connect returns a Client for the fake, as an application would for a
// real environment (there: TenantID, Environment, CompanyID and the app
// registration's ClientID and ClientSecret; no BaseURL or TokenURL).
func connect(srv *bctest.Server) *businesscentral.Client {
	bc, err := businesscentral.New(businesscentral.Config{
		BaseURL:     srv.URL,
		TenantID:    srv.TenantID,
		Environment: srv.Environment,
		CompanyID:   srv.CompanyID,
		Credentials: businesscentral.ClientCredentials{
			TokenURL:     srv.TokenURL,
			ClientID:     srv.ClientID,
			ClientSecret: srv.ClientSecret,
		},
		HTTPClient:    srv.Client(),
		LocalCurrency: "EUR",
		LocalCountry:  "DE",
	})
	if err != nil {
		log.Fatal(err)
	}
	return bc
}

// Connecting to an environment: the Client fetches a token with the client
// credentials and lists the companies.
func Example() {
	srv := bctest.NewServer(bctest.Options{})
	defer srv.Close()
	bc := connect(srv)

	companies, err := bc.Companies(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range companies {
		fmt.Println(c.Name, c.ID == srv.CompanyID)
	}
	// Output: CRONUS Test true
}

// Syncing sales orders from a shop into Business Central with the flow
// engine, then reading the shipment the warehouse posts.
func Example_syncSalesOrders() {
	ctx := context.Background()
	srv := bctest.NewServer(bctest.Options{})
	defer srv.Close()
	if err := seed(srv); err != nil {
		log.Fatal(err)
	}
	bc := connect(srv)

	shop := connectortest.NewMemory[canonical.SalesOrder]("shop") // stands in for the shop's order feed
	eng := flow.NewEngine(memstore.New(), flow.WithLogger(slog.New(slog.DiscardHandler)))
	if err := flow.Add(eng, flow.Flow[canonical.SalesOrder, canonical.SalesOrder]{
		Name: "shop-orders-to-erp", Source: shop, Map: flow.Identity[canonical.SalesOrder], Sink: bc.SalesOrders(),
		Entity: "SalesOrder", TargetSystem: bc.System(),
	}); err != nil {
		log.Fatal(err)
	}
	shop.Put("1042", order("SHOP-1042", line{"MUG-01", 2, "25.17"}, line{"TEE-01", 1, "12.50"}))
	rep, err := eng.RunOnce(ctx, "shop-orders-to-erp")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("applied:", rep.Applied)

	o := srv.OrdersByExternal("SHOP-1042")[0]
	fmt.Println("order", o.Number, "for", o.CustomerNumber, "total", o.TotalInclTax, o.Currency)
	for _, l := range o.Lines {
		fmt.Println(" line", l.Sequence, l.Number, l.Quantity, "×", l.UnitPrice)
	}

	// The warehouse ships the mugs; the despatch source reads the posted
	// shipment.
	if _, err := srv.ShipOrder(o.Number, nil, false); err != nil {
		log.Fatal(err)
	}
	for c, err := range bc.Despatches().Changes(ctx, "") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("shipment", c.Key, "of order", c.Entity.Order, c.Entity.Status)
	}
	// Output:
	// applied: 1
	// order 101001 for C10000 total 72.40 EUR
	//  line 10000 MUG-01 2 × 25.17
	//  line 20000 TEE-01 1 × 12.50
	// shipment 102001 of order 101001 shipped
}

// Amending an order with its ETag: a write based on an ETag Business
// Central no longer has is a Conflict; the engine's retry of the same write
// applies it on top of the order as it now is.
func Example_amendWithETag() {
	ctx := context.Background()
	srv := bctest.NewServer(bctest.Options{})
	defer srv.Close()
	if err := seed(srv); err != nil {
		log.Fatal(err)
	}
	orders := connect(srv).SalesOrders()

	created, err := orders.Apply(ctx, write("1042", 1, order("SHOP-1042", line{"MUG-01", 2, "25.17"}), nil))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(created.Action, created.Ref.ID)

	// A user changes the order in Business Central: its ETag changes.
	if err := srv.EditOrder(created.Ref.ID); err != nil {
		log.Fatal(err)
	}
	amend := write("1042", 2, order("SHOP-1042", line{"MUG-01", 3, "25.17"}), &created.Ref)
	_, err = orders.Apply(ctx, amend)
	fmt.Println("conflict:", errors.Is(err, connector.Conflict))

	// The engine re-reads the shop's order, finds this amendment still the
	// newest, and retries it once.
	updated, err := orders.Apply(ctx, amend)
	if err != nil {
		log.Fatal(err)
	}
	o, _ := srv.Order(updated.Ref.ID)
	fmt.Println(updated.Action, "quantity", o.Lines[0].Quantity, "ETag current:", updated.Ref.Version == o.ETag)

	// Once the order is released to the warehouse, Business Central refuses
	// changes: a business rule, with its reason.
	if err := srv.LockOrder(o.Number, ""); err != nil {
		log.Fatal(err)
	}
	next := updated.Ref
	next.Version = ""
	_, err = orders.Apply(ctx, write("1042", 3, order("SHOP-1042", line{"MUG-01", 4, "25.17"}), &next))
	fmt.Println("business rule:", errors.Is(err, connector.BusinessRule))
	// Output:
	// created 101001
	// conflict: true
	// updated quantity 3 ETag current: true
	// business rule: true
}
