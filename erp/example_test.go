package erp_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/erp"
	"github.com/junctionhq/junction/erp/memerp"
)

// Code written against the port runs on any ERP. An order for an unknown
// account is refused as invalid, naming the field.
func Example() {
	var e erp.ERP = memerp.New(memerp.Config{System: "erp"})
	_, err := e.SalesOrders().Apply(context.Background(), connector.Write[canonical.SalesOrder]{
		Change: connector.Change[canonical.SalesOrder]{Key: "#1001", Entity: canonical.SalesOrder{
			Number: "#1001", CustomerPO: "#1001", Currency: "EUR", Status: canonical.OrderSubmitted,
		}},
		IdempotencyKey: "k1",
	})
	var ce *connector.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.Kind, ce.Fields[0].Path)
	}
	// Output:
	// invalid customer.refs
}
