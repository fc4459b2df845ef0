package sim_test

import (
	"context"
	"fmt"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/sim"
)

// A change log is a connector.Source. With duplicate and reorder faults it
// delivers events as a real feed might, yet resuming from any cursor it gave
// loses nothing.
func ExampleLog() {
	env := sim.NewEnv("erp", 7, nil)
	log := sim.NewLog[int](env)
	for i := range 6 {
		log.Append(fmt.Sprint("k", i%2), connector.Upsert, i)
	}
	env.SetFaults(sim.Faults{Reorder: 0.5})
	for ch, err := range log.Changes(context.Background(), "") {
		if err != nil {
			panic(err)
		}
		fmt.Println(ch.Key, ch.Version.Seq, "resume from", ch.Cursor)
	}
	// Output:
	// k1 2 resume from 0
	// k0 1 resume from 2
	// k0 3 resume from 3
	// k0 5 resume from 3
	// k1 4 resume from 5
	// k1 6 resume from 6
}
