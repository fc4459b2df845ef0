package connectortest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
)

type Customer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// A Memory is a source and a sink: edits made with Put show in its change
// feed, and a flow's writes land in another Memory.
func ExampleMemory() {
	ctx := context.Background()
	shop := connectortest.NewMemory[Customer]("shop")
	erp := connectortest.NewMemory[Customer]("erp")

	shop.Put("c1", Customer{Name: "Ada", Email: "ada@example.com"})
	shop.Put("c2", Customer{Name: "Bob", Email: "bob@example.com"})
	shop.Put("c1", Customer{Name: "Ada Lovelace", Email: "ada@example.com"})

	var last connector.Cursor
	for c, err := range shop.Changes(ctx, "") {
		if err != nil {
			fmt.Println("read:", err)
			return
		}
		res, err := erp.Apply(ctx, connector.Write[Customer]{
			Change:         c,
			IdempotencyKey: "shop-to-erp:" + c.Key + ":" + c.Version.String(),
		})
		if err != nil {
			fmt.Println("apply:", err)
			return
		}
		fmt.Println(c.Key, c.Version, string(c.Raw), "->", res.Action, res.Ref)
		last = c.Cursor
	}
	v, _ := erp.Value("c1")
	fmt.Println("erp holds", erp.Keys(), "c1 is", v.Name, "resume after", last)
	// Output:
	// c1 s1 {"name":"Ada","email":"ada@example.com"} -> created erp:erp-c1
	// c2 s2 {"name":"Bob","email":"bob@example.com"} -> created erp:erp-c2
	// c1 s3 {"name":"Ada Lovelace","email":"ada@example.com"} -> updated erp:erp-c1
	// erp holds [c1 c2] c1 is Ada Lovelace resume after 3
}

// Apply keeps the sink contract: a repeated idempotency key has one effect,
// and an older version than the one held is reported stale.
func ExampleMemory_Apply() {
	ctx := context.Background()
	erp := connectortest.NewMemory[Customer]("erp")
	write := func(seq int64, name string) connector.Write[Customer] {
		return connector.Write[Customer]{
			Change: connector.Change[Customer]{
				Key: "c1", Version: connector.SeqVersion(seq), Entity: Customer{Name: name},
			},
			IdempotencyKey: fmt.Sprint("c1:", seq),
		}
	}
	for _, w := range []connector.Write[Customer]{
		write(2, "Ada v2"),
		write(2, "Ada v2"), // a retry of the same write
		write(1, "Ada v1"), // arrives late
	} {
		res, err := erp.Apply(ctx, w)
		fmt.Println(w.Version, res.Action, err)
	}
	v, _ := erp.Value("c1")
	fmt.Println(v.Name, "after", erp.Writes("c1"), "write")
	// Output:
	// s2 created <nil>
	// s2 unchanged <nil>
	// s1 stale <nil>
	// Ada v2 after 1 write
}

// Faults make a Memory fail the way real systems do, to test how a flow
// retries and parks.
func ExampleMemory_FailNext() {
	ctx := context.Background()
	erp := connectortest.NewMemory[Customer]("erp")
	erp.FailNext(1, connector.Errorf(connector.RateLimited, "erp", "slow down"))
	erp.FailKey("c2", connector.Errorf(connector.BusinessRule, "erp", "account on hold"))

	for _, key := range []string{"c1", "c1", "c2"} {
		_, err := erp.Apply(ctx, connector.Write[Customer]{
			Change: connector.Change[Customer]{Key: key, Entity: Customer{Name: key}},
		})
		fmt.Printf("%s: kind=%s retryable=%v err=%v\n", key, connector.KindOf(err), connector.KindOf(err).Retryable(), err)
	}

	shop := connectortest.NewMemory[Customer]("shop")
	shop.Put("c1", Customer{})
	shop.Put("c2", Customer{})
	shop.FailSourceAfter(1, errors.New("connection reset"))
	for c, err := range shop.Changes(ctx, "") {
		if err != nil {
			fmt.Println("read failed:", err)
			break
		}
		fmt.Println("read", c.Key)
	}
	// Output:
	// c1: kind=rate-limited retryable=true err=erp: rate-limited: slow down
	// c1: kind=unknown retryable=true err=<nil>
	// c2: kind=business-rule retryable=false err=erp: business-rule: account on hold
	// read c1
	// read failed: connection reset
}
