package memcrm_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/crm/memcrm"
)

func TestConformance(t *testing.T) {
	clock := connectortest.NewClock(t0)
	c := memcrm.New(memcrm.Config{Seed: 1, Clock: clock})
	entity := func(key string, rev int) canonical.Customer {
		cu := customer(fmt.Sprintf("Customer %s rev %d", key, rev), key+"@example.com")
		cu.Revision = rev
		return cu
	}
	var (
		mu      sync.Mutex
		created int
		emails  = map[string]string{} // contact ID -> email
		consent = map[string]bool{}
	)
	connectortest.Run(t, connectortest.Harness[canonical.Customer]{
		System: "memcrm",
		Clock:  clock,
		// ContactChanges reports consent set in the CRM: Create makes
		// contacts through the sink and gives each consent.
		Source: c.ContactChanges(),
		Create: func(ctx context.Context, n int) ([]string, error) {
			mu.Lock()
			defer mu.Unlock()
			keys := make([]string, n)
			for i := range keys {
				created++
				email := fmt.Sprintf("src-%d@example.com", created)
				r, err := c.Contacts().Apply(ctx, connector.Write[canonical.Customer]{
					Change: connector.Change[canonical.Customer]{Key: email, Entity: customer("Source", email)},
				})
				if err != nil {
					return nil, err
				}
				if err := c.SetConsent(ctx, email, true); err != nil {
					return nil, err
				}
				keys[i], emails[r.Ref.ID], consent[r.Ref.ID] = r.Ref.ID, email, true
			}
			return keys, nil
		},
		Update: func(ctx context.Context, key string) error {
			mu.Lock()
			defer mu.Unlock()
			consent[key] = !consent[key]
			return c.SetConsent(ctx, emails[key], consent[key])
		},

		Sink:   c.Contacts(),
		Entity: entity,
		Count: func(ctx context.Context, key string) (int, error) {
			if got, ok := c.Contact(key + "@example.com"); ok && slices.Contains(got.Aliases, key) {
				return 1, nil
			}
			return 0, nil
		},
		Revision: func(ctx context.Context, key string) (int, error) {
			got, _ := c.Contact(key + "@example.com")
			return got.Customer.Revision, nil
		},
		Invalid: func(key string) canonical.Customer { return customer("No Email", "") },
	})
}
