package memstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/memstore"
)

// Park a change the ERP refused, then list the open exceptions of the flow, as
// an operator's dashboard would.
func Example() {
	ctx := context.Background()
	st := memstore.New()
	now := time.Date(2025, 6, 2, 9, 30, 0, 0, time.UTC)

	id, err := st.Park(ctx, store.Exception{
		Flow:    "shop-orders-to-erp",
		Key:     "1001",
		System:  "shopify",
		Version: connector.SeqVersion(3),
		Kind:    connector.Invalid,
		Message: "customer has no ERP account",
		Fields: []canonical.FieldError{
			{Path: "customer.accountNumber", Code: "required", Message: "is required"},
		},
		Attempts: 1,
		LastSeen: now,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("parked", id)

	for ex, err := range st.Exceptions(ctx, store.ExceptionFilter{Flow: "shop-orders-to-erp", Status: store.Open}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(ex.ID, ex.Key, ex.Kind, ex.Status, ex.Fields[0])
	}
	// Output:
	// parked ex-000001
	// ex-000001 1001 invalid open customer.accountNumber: is required (required)
}
