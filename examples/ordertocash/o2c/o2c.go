package o2c

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/sim"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/memstore"
	"github.com/junctionhq/junction/courier/memcourier"
	"github.com/junctionhq/junction/crm/memcrm"
	"github.com/junctionhq/junction/ecommerce/memshop"
	"github.com/junctionhq/junction/erp/memerp"
	"github.com/junctionhq/junction/finance/memledger"
	"github.com/junctionhq/junction/mapping"
)

// System names, as they appear in refs, the crosswalk and reports.
const (
	Shop    = "shop"
	ERP     = "erp"
	Courier = "courier"
	Ledger  = "ledger"
	CRM     = "crm"
)

// Flow names, in the order Sync runs them.
const (
	FlowCustomers     = "customers→erp"
	FlowOrders        = "orders→erp"
	FlowDespatch      = "despatches→courier"
	FlowConfirm       = "tracking→erp"
	FlowFulfil        = "tracking→shop"
	FlowInvoices      = "invoices→ledger"
	FlowPayments      = "payments→ledger"
	FlowERPCredits    = "refunds→erp"
	FlowLedgerCredits = "refunds→ledger"
	FlowStock         = "stock→shop"
	FlowContacts      = "customers→crm"
	FlowDeals         = "orders→crm"
)

// Flows lists the flow names in the order Sync runs them.
var Flows = []string{
	FlowCustomers, FlowOrders, FlowDespatch, FlowConfirm, FlowFulfil, FlowInvoices,
	FlowPayments, FlowERPCredits, FlowLedgerCredits, FlowStock, FlowContacts, FlowDeals,
}

// Currency is the currency the shop trades in.
const Currency canonical.CurrencyCode = "EUR"

//go:embed catalogue.csv
var catalogueCSV []byte

// Item is one catalogue entry: the shop's SKU, the ERP's item number, a name
// and a price.
type Item struct {
	ShopSKU, ERPItem, Name string
	Price                  canonical.Money
}

// Config sizes and shapes an integration.
type Config struct {
	// Seed makes every random choice reproducible.
	Seed uint64
	// Faults turns on injected failures in every system: transient errors,
	// rate limits, duplicated and reordered change events.
	Faults bool
	// Store keeps the engine's state (default: a new memstore).
	Store store.Store
	// Logger receives the engine's logs (default: discarded).
	Logger *slog.Logger
	// Workers is how many keys each flow applies in parallel. The default, 1,
	// makes a run reproducible: the same seed gives the same day, faults
	// included. More workers run faster and in a different order each time.
	Workers int
	// Start is when the simulated day begins (default 2026-11-26 08:00 UTC).
	Start time.Time
	// Shop is the platform the shop runs on: OnMemshop (the in-memory
	// simulator, the default) or OnShopify (the Shopify fake, which the flows
	// reach through the Shopify connector over HTTP).
	Shop string
	// ERP is the platform the ERP runs on: OnMemerp (the in-memory
	// simulator, the default) or OnBusinessCentral (the Business Central
	// fake, which the flows reach through the Business Central connector
	// over HTTP; see bcBack for where it differs).
	ERP string
}

// Integration is the five systems and the engine that joins them. Shop is
// the shop on the platform Config.Shop chose; MemShop is the in-memory shop
// when the shop runs on it (nil on Shopify), for what only the simulator
// offers. Likewise ERP is the ERP on the platform Config.ERP chose, and
// MemERP the in-memory ERP when it runs on it (nil on Business Central).
type Integration struct {
	Clock   *Clock
	Shop    Storefront
	MemShop *memshop.Shop
	ERP     Backoffice
	MemERP  *memerp.ERP
	Courier *memcourier.Sim
	Ledger  *memledger.Sim
	CRM     *memcrm.Sim
	Engine  *flow.Engine
	Store   store.Store

	// Catalogue lists the items both systems sell.
	Catalogue []Item
	// SKUs maps shop SKUs to ERP items; Locations maps ERP locations to shop
	// locations.
	SKUs, Locations *mapping.Table[string, string]
	erpSKUs         *mapping.Table[string, string]
	shopLocations   *mapping.Table[string, string]

	faults  sim.Faults
	workers int
	// shopLag is how far behind the present the shop's feeds read; Sync lets
	// that much time pass first.
	shopLag   time.Duration
	closeShop func()
	// erpOn is the ERP's platform, Config.ERP; closeERP stops the Business
	// Central fake.
	erpOn    string
	closeERP func()

	mu sync.Mutex
	// addressFixes are corrections an operator enters for parked labels,
	// keyed by ERP shipment number.
	addressFixes map[string]canonical.Address
	// shipmentLines pairs the lines of each ERP despatch with the shop
	// order's, once, when its first tracking event arrives (Business Central
	// only; see lineMatch).
	shipmentLines map[string]lineMatch
}

// storeLocations are the shop's stock locations.
var storeLocations = []string{"warehouse", "store"}

// New builds the systems, loads the catalogue into both shop and ERP, and
// registers every flow.
func New(cfg Config) (*Integration, error) {
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	}
	if cfg.Store == nil {
		cfg.Store = memstore.New()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	switch cfg.Shop {
	case "", OnMemshop, OnShopify:
	default:
		return nil, fmt.Errorf("o2c: unknown shop platform %q (want %q or %q)", cfg.Shop, OnMemshop, OnShopify)
	}
	switch cfg.ERP {
	case "", OnMemerp, OnBusinessCentral:
	default:
		return nil, fmt.Errorf("o2c: unknown ERP platform %q (want %q or %q)", cfg.ERP, OnMemerp, OnBusinessCentral)
	}
	clk := NewClock(cfg.Start)
	in := &Integration{Clock: clk, Store: cfg.Store, addressFixes: map[string]canonical.Address{}, workers: max(cfg.Workers, 1),
		erpOn: OnMemerp, shipmentLines: map[string]lineMatch{}}
	// Faults start once the systems are set up (see Trade); a perfect start
	// keeps the catalogue load simple.
	var faults sim.Faults
	if cfg.Faults {
		in.faults = sim.Faults{Transient: 0.03, RateLimit: 0.02, RetryAfter: 2 * time.Second, Duplicate: 0.05, Reorder: 0.05}
	}
	taxRate := canonical.MustDecimal("0.20")
	switch cfg.Shop {
	case "", OnMemshop:
		in.MemShop = memshop.New(memshop.Config{System: Shop, Seed: cfg.Seed, Clock: clk, Faults: faults,
			Locations: storeLocations, TaxRate: taxRate})
		in.Shop = memFront{in.MemShop}
	case OnShopify:
		sf, err := newShopifyFront(clk, cfg.Logger, taxRate)
		if err != nil {
			return nil, err
		}
		in.Shop, in.shopLag, in.closeShop = sf, shopifyLag, sf.Close
	}
	switch cfg.ERP {
	case "", OnMemerp:
		limit := canonical.MustDecimal("2500")
		in.MemERP = memerp.New(memerp.Config{System: ERP, Seed: cfg.Seed + 1, Clock: clk, Faults: faults,
			Currency: Currency, CreditLimit: &limit, Locations: []string{"WH1", "WH2"}})
		in.ERP = memBack{in.MemERP}
	case OnBusinessCentral:
		b, err := newBCBack(clk, cfg.Logger, taxRate)
		if err != nil {
			in.Close()
			return nil, err
		}
		in.ERP, in.closeERP, in.erpOn = b, b.Close, OnBusinessCentral
	}
	in.Courier = memcourier.New(memcourier.Config{System: Courier, Seed: cfg.Seed + 2, Clock: clk, Faults: faults})
	in.Ledger = memledger.New(memledger.Config{System: Ledger, Seed: cfg.Seed + 3, Clock: clk, Faults: faults})
	in.CRM = memcrm.New(memcrm.Config{System: CRM, Seed: cfg.Seed + 4, Clock: clk, Faults: faults})

	if err := in.setUp(cfg, clk); err != nil {
		in.Close()
		return nil, err
	}
	return in, nil
}

func (in *Integration) setUp(cfg Config, clk *Clock) error {
	if err := in.loadCatalogue(); err != nil {
		return err
	}
	in.Locations = mapping.NewTable("locations", map[string]string{"WH1": "warehouse", "WH2": "store"})
	if in.erpOn == OnBusinessCentral {
		// Business Central reports one stock level per item, the total over
		// its locations: the shop sells it from its warehouse.
		in.Locations = mapping.NewTable("locations", map[string]string{bcStockLocation: "warehouse"})
	}
	var err error
	if in.shopLocations, err = mapping.Reverse(in.Locations); err != nil {
		return err
	}
	if in.erpSKUs, err = mapping.Reverse(in.SKUs); err != nil {
		return err
	}
	in.Engine = flow.NewEngine(cfg.Store, flow.WithClock(clk), flow.WithLogger(cfg.Logger), flow.WithOwner("o2c"))
	return in.addFlows()
}

// Close releases what the integration started: the Shopify fake's server
// when the shop runs on it, the Business Central fake's when the ERP does.
// The integration is not to be used after.
func (in *Integration) Close() {
	if in.closeShop != nil {
		in.closeShop()
		in.closeShop = nil
	}
	if in.closeERP != nil {
		in.closeERP()
		in.closeERP = nil
	}
}

func (in *Integration) loadCatalogue() error {
	r := csv.NewReader(bytes.NewReader(catalogueCSV))
	rows, err := r.ReadAll()
	if err != nil {
		return fmt.Errorf("o2c: catalogue: %w", err)
	}
	skus := map[string]string{}
	for i, row := range rows[1:] {
		price, err := canonical.NewMoney(row[3], Currency)
		if err != nil {
			return fmt.Errorf("o2c: catalogue line %d: %w", i+2, err)
		}
		it := Item{ShopSKU: row[0], ERPItem: row[1], Name: row[2], Price: price}
		in.Catalogue = append(in.Catalogue, it)
		skus[it.ShopSKU] = it.ERPItem
		p := canonical.Product{SKU: it.ShopSKU, Name: it.Name, BaseUnit: canonical.UnitOne, Active: true}
		if err := in.Shop.AddProduct(p); err != nil {
			return err
		}
		if err := in.ERP.AddItem(it.ERPItem, it.Name, price); err != nil {
			return err
		}
	}
	in.SKUs = mapping.NewTable("skus", skus)
	// The table is checked total over the shop's catalogue at start-up, so a
	// product missing from it fails here, not on the first order.
	keys := make([]string, 0, len(in.Catalogue))
	for _, it := range in.Catalogue {
		keys = append(keys, it.ShopSKU)
	}
	return in.SKUs.CheckTotal(keys...)
}

// CatalogueCSV returns the catalogue file as shipped, for display.
func CatalogueCSV() io.Reader { return bytes.NewReader(catalogueCSV) }

// FixAddress records an operator's correction of a shipment's address; the
// next replay of the parked label uses it.
func (in *Integration) FixAddress(shipment string, a canonical.Address) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.addressFixes[shipment] = a
}

func (in *Integration) addressFix(shipment string) (canonical.Address, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	a, ok := in.addressFixes[shipment]
	return a, ok
}

// Release runs a warehouse wave: memerp plans despatches for what it has
// allocated; Business Central posts shipments (and their invoices) of what
// is on hand. A failed call is tried again at the next wave.
func (in *Integration) Release(ctx context.Context) error {
	if err := again(func() error { _, err := in.ERP.Release(ctx); return err }); err != nil && !connector.KindOf(err).Retryable() {
		return fmt.Errorf("o2c: release: %w", err)
	}
	return nil
}

// StartFaults turns on the injected failures chosen in Config.Faults in
// every system.
func (in *Integration) StartFaults() {
	if s, ok := in.Shop.(interface{ SetFaults(memshop.Faults) }); ok {
		s.SetFaults(in.faults)
	}
	in.ERP.SetFaults(in.faults)
	in.Courier.SetFaults(in.faults)
	in.Ledger.SetFaults(in.faults)
	in.CRM.SetFaults(in.faults)
}

// again runs a command a person or a system gives, repeating it while it
// fails with a retryable error, as they would.
func again(fn func() error) error {
	var err error
	for range 20 {
		if err = fn(); err == nil || !connector.KindOf(err).Retryable() {
			return err
		}
	}
	return err
}

// Sync runs every flow once, in dependency order. When the shop's feeds read
// some way behind the present (Shopify's do, so as not to miss a change made
// in the same second), Sync first lets that much time pass, so that it reads
// everything that happened before it was called.
func (in *Integration) Sync(ctx context.Context) error {
	if in.shopLag > 0 {
		in.Clock.Advance(in.shopLag)
	}
	for _, name := range Flows {
		if _, err := in.Engine.RunOnce(ctx, name); err != nil {
			if connector.KindOf(err).Retryable() {
				continue // the next round reads from the checkpoint again
			}
			return fmt.Errorf("o2c: %s: %w", name, err)
		}
	}
	return nil
}

// Clock is the simulated time every system and the engine share. Waits
// (retries, rate limits) advance it instantly, so a day runs in seconds.
type Clock = connectortest.Clock

// NewClock returns a simulated clock set to start.
func NewClock(start time.Time) *Clock { return connectortest.NewClock(start) }
