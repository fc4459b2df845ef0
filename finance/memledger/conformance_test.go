package memledger_test

import (
	"context"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/finance/memledger"
)

func TestInvoicesConformance(t *testing.T) {
	clock := connectortest.NewClock(t0)
	l := memledger.New(memledger.Config{Seed: 1, Clock: clock})
	entity := func(key string, rev int) canonical.Invoice {
		inv := invoice(key, "SO-"+key, "100.00")
		inv.Revision = rev // a bookkeeping change: amounts stay as issued
		return inv
	}
	connectortest.Run(t, connectortest.Harness[canonical.Invoice]{
		System: "memledger",
		Clock:  clock,
		Sink:   l.Invoices(),
		Entity: entity,
		Count: func(ctx context.Context, key string) (int, error) {
			if _, ok := l.Invoice(key); ok {
				return 1, nil
			}
			return 0, nil
		},
		Revision: func(ctx context.Context, key string) (int, error) {
			inv, _ := l.Invoice(key)
			return inv.Revision, nil
		},
		Invalid: func(key string) canonical.Invoice {
			inv := entity(key, 1)
			inv.Totals.Payable = gbp("1.00")
			return inv
		},
	})
}
