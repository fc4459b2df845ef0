package junction_test

import (
	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

func writeCustomer(name string) connector.Write[canonical.Customer] {
	return connector.Write[canonical.Customer]{
		Change: connector.Change[canonical.Customer]{System: "shop", Key: "cust-1",
			Entity: canonical.Customer{Name: name, Email: "ada@example.com", Currency: "EUR"}},
		IdempotencyKey: "create-ada",
	}
}
