package memcrm_test

import (
	"context"
	"fmt"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/crm/memcrm"
)

// The same person arrives twice, once from the shop and once from the ERP,
// with the email typed differently. The CRM keeps one contact and remembers
// both keys; her order becomes a deal of that contact.
func Example() {
	ctx := context.Background()
	crm := memcrm.New(memcrm.Config{
		Clock: connectortest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)),
	})
	put := func(system, key string, c canonical.Customer) {
		r, err := crm.Contacts().Apply(ctx, connector.Write[canonical.Customer]{
			Change: connector.Change[canonical.Customer]{System: system, Key: key, Entity: c},
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(system, key, "->", r.Action, r.Ref.ID)
	}
	put("shopify", "gid-7781", canonical.Customer{Name: "Ada Lovelace", Email: "ada@example.com"})
	put("erp", "C0042", canonical.Customer{Name: "Ada King", Email: " Ada@Example.COM "})

	contact, _ := crm.Contact("ada@example.com")
	fmt.Println("contacts:", crm.ContactCount(), "aliases:", contact.Aliases, "name:", contact.Customer.Name)

	order := canonical.SalesOrder{
		Number: "SO-1001", Status: canonical.OrderAccepted, Currency: "GBP",
		Customer: canonical.PartyRef{Email: "ada@example.com"},
		Totals:   canonical.Totals{Payable: canonical.MustMoney("120.00", "GBP")},
	}
	if _, err := crm.Deals().Apply(ctx, connector.Write[canonical.SalesOrder]{
		Change: connector.Change[canonical.SalesOrder]{Key: order.Number, Entity: order},
	}); err != nil {
		fmt.Println(err)
		return
	}
	deal, _ := crm.Deal("SO-1001")
	fmt.Println(deal.ID, deal.Contact, deal.Stage, deal.Amount)
	// Output:
	// shopify gid-7781 -> created contact-1
	// erp C0042 -> updated contact-1
	// contacts: 1 aliases: [gid-7781 C0042] name: Ada King
	// deal-1 contact-1 open 120.00 GBP
}
