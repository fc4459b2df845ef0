package crm_test

import (
	"context"
	"fmt"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/crm"
	"github.com/junctionhq/junction/crm/memcrm"
)

// Two customer records with one email are one contact in the CRM.
func Example() {
	ctx := context.Background()
	var c crm.CRM = memcrm.New(memcrm.Config{System: "crm"})
	for i, email := range []string{"ada@example.com", " ADA@example.com"} {
		res, err := c.Contacts().Apply(ctx, connector.Write[canonical.Customer]{
			Change:         connector.Change[canonical.Customer]{Key: fmt.Sprint("cust-", i), Entity: canonical.Customer{Name: "Ada", Email: email}},
			IdempotencyKey: fmt.Sprint("c", i),
		})
		fmt.Println(res.Action, res.Ref.ID, err)
	}
	// Output:
	// created contact-1 <nil>
	// updated contact-1 <nil>
}
