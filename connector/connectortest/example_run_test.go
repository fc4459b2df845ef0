package connectortest_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
)

// Contact is the entity of a made-up CRM connector.
type Contact struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Rev   int    `json:"rev"`
}

// A connector's test builds a Harness that knows how to create, edit and
// count records in the system under test, and hands it to Run:
//
//	func TestContactsConformance(t *testing.T) {
//		connectortest.Run(t, contactsHarness())
//	}
//
// Here a Memory stands in for the CRM's contacts connector and its fake
// server; the example calls the harness's functions the way the suite does.
func ExampleRun() {
	crm := connectortest.NewMemory[Contact]("crm")
	crm.ValidateWith(func(c Contact) error {
		if c.Email == "" {
			return &canonical.ValidationError{Entity: "Contact", Errors: []canonical.FieldError{
				{Path: "email", Code: "required", Message: "is required"}}}
		}
		return nil
	})
	var mu sync.Mutex
	created := 0

	h := connectortest.Harness[Contact]{
		System: "crm",
		Source: crm, // the connector's source, talking to the fake server
		Sink:   crm, // the connector's sink
		Create: func(ctx context.Context, n int) ([]string, error) {
			mu.Lock()
			defer mu.Unlock()
			keys := make([]string, n)
			for i := range keys {
				created++
				keys[i] = fmt.Sprintf("contact-%d", created)
				crm.Put(keys[i], Contact{Email: keys[i] + "@example.com", Rev: 1})
			}
			return keys, nil
		},
		Update: func(ctx context.Context, key string) error {
			c, _ := crm.Value(key)
			c.Rev++
			crm.Put(key, c)
			return nil
		},
		Entity: func(key string, rev int) Contact {
			return Contact{Email: key + "@example.com", Name: "Contact " + key, Rev: rev}
		},
		Invalid: func(key string) Contact { return Contact{Name: key} },
		Count: func(ctx context.Context, key string) (int, error) {
			if _, ok := crm.Value(key); ok {
				return 1, nil
			}
			return 0, nil
		},
	}

	ctx := context.Background()
	keys, _ := h.Create(ctx, 2)
	_, err := h.Sink.Apply(ctx, connector.Write[Contact]{
		Change: connector.Change[Contact]{Key: "bad", Entity: h.Invalid("bad")},
	})
	fmt.Println(keys)
	fmt.Printf("%+v\n", connector.CapabilitiesOf[Contact](h.Sink))
	fmt.Println(connector.KindOf(err), err)
	// Output:
	// [contact-1 contact-2]
	// {Batch:false Get:true Delete:true Webhooks:false}
	// invalid crm apply: invalid: entity is invalid: email: is required (required)
}
