package o2c_test

import (
	"context"
	"fmt"

	"github.com/junctionhq/junction/examples/ordertocash/o2c"
)

// A small day of trading through the whole integration, then the
// reconciliation of the five systems.
func Example() {
	ctx := context.Background()
	in, err := o2c.New(o2c.Config{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer in.Close()
	if _, err := in.Trade(ctx, o2c.Day{Orders: 40, Hours: 2}, 1); err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range in.Reconcile(ctx) {
		fmt.Println(c.OK(), c.Name)
	}
	// Output:
	// true stock: shop available = ERP available
	// true orders: one ERP order per shop order, same lines
	// true invoices: ledger = ERP
	// true credit notes: refunds = ERP credits = ledger credits
	// true payments: ledger received = shop captured
}
