package businesscentral_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/httpx"
	"github.com/junctionhq/junction/erp/businesscentral"
	"github.com/junctionhq/junction/erp/businesscentral/bctest"
)

// epoch is the fake clocks' start.
var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// env is a fake Business Central and a Client connected to it, sharing one
// fake clock: every wait of the client advances the server's time.
type env struct {
	srv   *bctest.Server
	bc    *businesscentral.Client
	clock *connectortest.Clock
}

// newEnv starts a fake with opts and connects a Client; mod adjusts the
// Config. The fake is seeded with customer C10000 and items MUG-01 (25.17,
// 100 in stock, 19% VAT) and TEE-01 (12.50, 50 in stock).
func newEnv(t testing.TB, opts bctest.Options, mod func(*businesscentral.Config)) *env {
	t.Helper()
	clock := connectortest.NewClock(epoch)
	if opts.Clock == nil {
		opts.Clock = clock
	}
	srv := bctest.NewServer(opts)
	t.Cleanup(srv.Close)
	cfg := config(srv, clock)
	if mod != nil {
		mod(&cfg)
	}
	bc, err := businesscentral.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	must(t, seed(srv))
	return &env{srv: srv, bc: bc, clock: clock}
}

// config is a Config for the fake: generous limits, quick retries.
func config(srv *bctest.Server, clock connector.Clock) businesscentral.Config {
	return businesscentral.Config{
		BaseURL:     srv.URL,
		TenantID:    srv.TenantID,
		Environment: srv.Environment,
		CompanyID:   srv.CompanyID,
		Credentials: businesscentral.ClientCredentials{
			TokenURL: srv.TokenURL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
		},
		HTTPClient:    srv.Client(),
		Clock:         clock,
		LocalCurrency: "EUR",
		Limits:        businesscentral.Limits{Requests: 1_000_000, Window: time.Minute, MaxInFlight: 16},
		Retry:         httpx.Retry{InitialInterval: time.Millisecond, MaxInterval: 10 * time.Millisecond},
	}
}

// newEnvOn connects another Client to an existing fake.
func newEnvOn(t testing.TB, srv *bctest.Server, mod func(*businesscentral.Config)) *businesscentral.Client {
	t.Helper()
	cfg := config(srv, connectortest.NewClock(epoch))
	if mod != nil {
		mod(&cfg)
	}
	bc, err := businesscentral.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return bc
}

func seed(srv *bctest.Server) error {
	if _, err := srv.AddCustomer(bctest.CustomerInput{Number: "C10000", Name: "Ng GmbH", Email: "buyer@ng.example", Country: "DE"}); err != nil {
		return err
	}
	if _, err := srv.AddItem(bctest.ItemInput{Number: "MUG-01", Name: "Mug", UnitPrice: canonical.MustDecimal("25.17"),
		Inventory: canonical.DecimalFromInt(100), TaxPercent: canonical.DecimalFromInt(19)}); err != nil {
		return err
	}
	_, err := srv.AddItem(bctest.ItemInput{Number: "TEE-01", Name: "T-shirt", UnitPrice: canonical.MustDecimal("12.50"),
		Inventory: canonical.DecimalFromInt(50)})
	return err
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// line is an order line for a test order.
type line struct {
	sku   string
	qty   int64
	price string
}

// order builds a valid canonical order for customer C10000 with channel
// reference po.
func order(po string, lines ...line) canonical.SalesOrder {
	o := canonical.SalesOrder{
		Number: po, CustomerPO: po, Channel: "web", Currency: "EUR", Status: canonical.OrderAccepted,
		Customer: canonical.PartyRef{Refs: []canonical.ExternalRef{{System: businesscentral.DefaultSystem, ID: "C10000"}}},
	}
	total := canonical.Zero("EUR")
	for i, l := range lines {
		price := canonical.MustMoney(l.price, "EUR")
		net, _ := price.Amount.Mul(canonical.DecimalFromInt(l.qty))
		netM := canonical.Money{Amount: net.Round(2, canonical.HalfUp), Currency: "EUR"}
		o.Lines = append(o.Lines, canonical.SalesOrderLine{LineID: "L" + strconv.Itoa(i+1), SKU: l.sku,
			Ordered: canonical.Qty(l.qty, canonical.UnitOne), UnitPrice: price, Net: netM})
		total, _ = total.Add(netM)
	}
	o.Totals = canonical.Totals{LineNet: total, Payable: total}
	return o
}

// write builds the Write the engine would send for revision rev of key.
func write(key string, rev int, o canonical.SalesOrder, target *canonical.ExternalRef) connector.Write[canonical.SalesOrder] {
	v := connector.SeqVersion(int64(rev))
	return connector.Write[canonical.SalesOrder]{
		Change:         connector.Change[canonical.SalesOrder]{System: "shop", Key: key, Version: v, Entity: o},
		IdempotencyKey: fmt.Sprintf("test:%s:%s", key, v),
		Target:         target,
	}
}
