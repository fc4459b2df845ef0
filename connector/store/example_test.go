package store_test

import (
	"context"
	"fmt"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/memstore"
)

// Operators work the exception queue: list what is open for a flow, read why,
// and close an item with a reason once it is dealt with.
func Example() {
	ctx := context.Background()
	var st store.Store = memstore.New()
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	_, _ = st.Park(ctx, store.Exception{Flow: "orders", Key: "#1001", Kind: connector.BusinessRule,
		Message: "customer C-000028 is on credit hold", Payload: []byte(`{"name":"#1001"}`), FirstSeen: now, LastSeen: now})
	for ex, err := range st.Exceptions(ctx, store.ExceptionFilter{Flow: "orders", Status: store.Open}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(ex.ID, ex.Key, ex.Kind, ex.Message)
		_ = st.CloseException(ctx, ex.ID, store.Discarded, "order cancelled by phone")
	}
	ex, _ := st.Exception(ctx, "ex-000001")
	fmt.Println(ex.Status, ex.Resolution)
	// Output:
	// ex-000001 #1001 business-rule customer C-000028 is on credit hold
	// discarded order cancelled by phone
}
