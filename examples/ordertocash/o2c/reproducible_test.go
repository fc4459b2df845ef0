package o2c

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector/flow"
)

// The same seed gives the same day, faults included: same story, and every
// flow read, applied, skipped and parked the same changes.
func TestSameSeedSameDay(t *testing.T) {
	run := func() (Story, map[string]flow.Stats) {
		in, err := New(Config{Seed: 5, Faults: true})
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		st, err := in.Trade(context.Background(), Day{Orders: 60, Hours: 2}, 5)
		if err != nil {
			t.Fatal(err)
		}
		stats := map[string]flow.Stats{}
		for _, f := range Flows {
			s, _ := in.Engine.Stats(f)
			// Backoff jitter moves the simulated clock by different amounts,
			// so when a pass ended is not part of the comparison.
			s.LastSuccess, s.Lag = time.Time{}, 0
			stats[f] = s
		}
		return st, stats
	}
	st1, stats1 := run()
	st2, stats2 := run()
	if st1 != st2 {
		t.Errorf("stories differ:\n%+v\n%+v", st1, st2)
	}
	for _, f := range Flows {
		if !reflect.DeepEqual(stats1[f], stats2[f]) {
			t.Errorf("%s: stats differ:\n%+v\n%+v", f, stats1[f], stats2[f])
		}
	}
	if stats1[FlowOrders].Retries == 0 && stats1[FlowStock].Retries == 0 {
		t.Error("no retries: the faults did not happen, so the test proves nothing")
	}
}
