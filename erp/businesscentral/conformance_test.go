package businesscentral_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/erp/businesscentral"
	"github.com/junctionhq/junction/erp/businesscentral/bctest"
)

// smallPages makes listings page every 3 records, so the source checks
// resume across page boundaries.
func smallPages(c *businesscentral.Config) { c.PageSize = 3 }

func TestSalesOrdersConformance(t *testing.T) {
	e := newEnv(t, bctest.Options{}, smallPages)
	find := func(key string) (bctest.Order, bool) {
		os := e.srv.OrdersByExternal(key)
		if len(os) == 0 {
			return bctest.Order{}, false
		}
		return os[0], true
	}
	connectortest.Run(t, connectortest.Harness[canonical.SalesOrder]{
		System: businesscentral.DefaultSystem,
		Sink:   e.bc.SalesOrders(),
		Entity: func(key string, rev int) canonical.SalesOrder {
			return order(key, line{"MUG-01", int64(rev), "25.17"})
		},
		Count: func(_ context.Context, key string) (int, error) { return len(e.srv.OrdersByExternal(key)), nil },
		Revision: func(_ context.Context, key string) (int, error) {
			o, ok := find(key)
			if !ok || len(o.Lines) != 1 {
				return 0, fmt.Errorf("no order %s with one line", key)
			}
			n, ok := o.Lines[0].Quantity.Int64(0)
			if !ok {
				return 0, fmt.Errorf("quantity %s", o.Lines[0].Quantity)
			}
			return int(n), nil
		},
		Invalid: func(key string) canonical.SalesOrder {
			o := order(key, line{"MUG-01", 1, "25.17"})
			o.Lines = nil
			return o
		},
		Conflict: func(_ context.Context, key string) error {
			o, ok := find(key)
			if !ok {
				return fmt.Errorf("no order %s", key)
			}
			return e.srv.EditOrder(o.Number)
		},
		Clock: e.clock,
	})
}

func TestCustomersConformance(t *testing.T) {
	e := newEnv(t, bctest.Options{}, smallPages)
	var made atomic.Int64
	byEmail := func(key string) []bctest.Customer {
		var out []bctest.Customer
		for _, c := range e.srv.Customers() {
			if c.Email == key+"@example.com" {
				out = append(out, c)
			}
		}
		return out
	}
	connectortest.Run(t, connectortest.Harness[canonical.Customer]{
		System: businesscentral.DefaultSystem,
		Source: e.bc.CustomerChanges(),
		Create: func(_ context.Context, n int) ([]string, error) {
			keys := make([]string, n)
			for i := range keys {
				c, err := e.srv.AddCustomer(bctest.CustomerInput{Name: fmt.Sprintf("Source %d", made.Add(1))})
				if err != nil {
					return nil, err
				}
				keys[i] = c.Number
			}
			return keys, nil
		},
		Update:  func(_ context.Context, key string) error { return e.srv.RenameCustomer(key, "Renamed "+key) },
		Records: 7,
		Sink:    e.bc.Customers(),
		Entity: func(key string, rev int) canonical.Customer {
			return canonical.Customer{Name: fmt.Sprintf("%s rev %d", key, rev), Email: key + "@example.com"}
		},
		Count: func(_ context.Context, key string) (int, error) { return len(byEmail(key)), nil },
		Revision: func(_ context.Context, key string) (int, error) {
			cs := byEmail(key)
			if len(cs) != 1 {
				return 0, fmt.Errorf("%d customers for %s", len(cs), key)
			}
			_, rev, _ := strings.Cut(cs[0].Name, " rev ")
			return strconv.Atoi(rev)
		},
		Invalid: func(key string) canonical.Customer { return canonical.Customer{Email: key + "@example.com"} },
		Conflict: func(_ context.Context, key string) error {
			cs := byEmail(key)
			if len(cs) != 1 {
				return fmt.Errorf("%d customers for %s", len(cs), key)
			}
			return e.srv.SetCreditLimit(cs[0].Number, canonical.DecimalFromInt(5000))
		},
		Clock: e.clock,
	})
}

// shipOrders creates n orders in the fake and posts them: shipped, and
// invoiced too when invoice is set.
func shipOrders(e *env, n int, invoice bool) ([]string, []string, error) {
	var ships, invs []string
	for range n {
		o, err := e.srv.AddOrder(bctest.OrderInput{CustomerNumber: "C10000",
			Lines: []bctest.OrderLineInput{{Item: "MUG-01", Quantity: canonical.DecimalFromInt(2)}, {Item: "TEE-01", Quantity: canonical.DecimalFromInt(1)}}})
		if err != nil {
			return nil, nil, err
		}
		sh, err := e.srv.ShipOrder(o.Number, nil, invoice)
		if err != nil {
			return nil, nil, err
		}
		ships = append(ships, sh)
		if invoice {
			all := e.srv.Invoices()
			invs = append(invs, all[len(all)-1].Number)
		}
	}
	return ships, invs, nil
}

func TestDespatchesConformance(t *testing.T) {
	e := newEnv(t, bctest.Options{}, smallPages)
	connectortest.Run(t, connectortest.Harness[canonical.Shipment]{
		System: businesscentral.DefaultSystem,
		Source: e.bc.Despatches(),
		Create: func(_ context.Context, n int) ([]string, error) {
			ships, _, err := shipOrders(e, n, false)
			return ships, err
		},
		Records: 7,
		Clock:   e.clock,
	})
}

func TestInvoicesConformance(t *testing.T) {
	e := newEnv(t, bctest.Options{}, smallPages)
	connectortest.Run(t, connectortest.Harness[canonical.Invoice]{
		System: businesscentral.DefaultSystem,
		Source: e.bc.Invoices(),
		Create: func(_ context.Context, n int) ([]string, error) {
			_, invs, err := shipOrders(e, n, true)
			return invs, err
		},
		Update:  func(_ context.Context, key string) error { return e.srv.PayInvoice(key, canonical.DecimalFromInt(10)) },
		Records: 7,
		Clock:   e.clock,
	})
}

func TestStockConformance(t *testing.T) {
	e := newEnv(t, bctest.Options{}, smallPages)
	var made atomic.Int64
	connectortest.Run(t, connectortest.Harness[canonical.StockLevel]{
		System: businesscentral.DefaultSystem,
		Source: e.bc.Stock(),
		Create: func(_ context.Context, n int) ([]string, error) {
			keys := make([]string, n)
			for i := range keys {
				it, err := e.srv.AddItem(bctest.ItemInput{Number: fmt.Sprintf("SKU-%03d", made.Add(1)), Name: "Thing",
					UnitPrice: canonical.DecimalFromInt(5), Inventory: canonical.DecimalFromInt(int64(10 + i))})
				if err != nil {
					return nil, err
				}
				keys[i] = it.Number + "@" + businesscentral.DefaultStockLocation
			}
			return keys, nil
		},
		Update: func(_ context.Context, key string) error {
			sku, _, _ := strings.Cut(key, "@")
			return e.srv.AdjustInventory(sku, canonical.DecimalFromInt(-1))
		},
		Records: 7,
		Missing: "NO-SUCH-SKU@" + businesscentral.DefaultStockLocation,
		Clock:   e.clock,
	})
}
