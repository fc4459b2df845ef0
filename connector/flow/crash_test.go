package flow_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/memstore"
)

var errCrashed = errors.New("process crashed")

// crashStore stands for the process's view of the store: once dead, every
// write fails, as if the process had died mid-pass. The store underneath
// keeps what was written before.
type crashStore struct {
	store.Store
	dead atomic.Bool
}

func (c *crashStore) Record(ctx context.Context, o ...store.Outcome) error {
	if c.dead.Load() {
		return errCrashed
	}
	return c.Store.Record(ctx, o...)
}

func (c *crashStore) SaveCheckpoint(ctx context.Context, f string, cur connector.Cursor) error {
	if c.dead.Load() {
		return errCrashed
	}
	return c.Store.SaveCheckpoint(ctx, f, cur)
}

func (c *crashStore) Park(ctx context.Context, ex store.Exception) (string, error) {
	if c.dead.Load() {
		return "", errCrashed
	}
	return c.Store.Park(ctx, ex)
}

func (c *crashStore) AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (bool, error) {
	if c.dead.Load() {
		return false, errCrashed
	}
	return c.Store.AcquireLease(ctx, name, owner, now, ttl)
}

// runCrashRestart drives thousands of changes through a failing sink while
// killing the engine at random points, then checks that every change has
// exactly one outcome, nothing was applied twice in effect and nothing is
// missing.
func runCrashRestart(t *testing.T, st store.Store) {
	const keys, changes = 400, 2000
	rnd := rand.New(rand.NewPCG(1, 2))
	var rmu sync.Mutex
	chance := func(p float64) bool {
		rmu.Lock()
		defer rmu.Unlock()
		return rnd.Float64() < p
	}
	clock := connectortest.NewClock(epoch)
	src := connectortest.NewMemory[item]("src")
	sink := connectortest.NewMemory[item]("dst", connectortest.WithClock(clock))
	for i := range changes {
		k := fmt.Sprintf("sku-%03d", rnd.IntN(keys))
		stock := rnd.IntN(100)
		if i%97 == 0 {
			stock = -1 // bad data: parked, and later changes of the key wait behind it
		}
		src.Put(k, item{SKU: k, Price: canonical.MustDecimal("1.00"), Stock: stock})
	}

	var kill atomic.Int64 // applies left before the crash; <0: no crash
	var cur atomic.Pointer[crashStore]
	var cancelRun atomic.Pointer[context.CancelFunc]
	sink.OnApply(func(w connector.Write[item]) error {
		if kill.Add(-1) == 0 {
			cur.Load().dead.Store(true)
			(*cancelRun.Load())()
		}
		switch {
		case chance(0.15):
			return connector.Errorf(connector.Transient, "dst", "connection reset")
		case chance(0.05):
			e := connector.Errorf(connector.RateLimited, "dst", "429")
			e.RetryAfter = 2 * time.Second
			return e
		}
		return nil
	})

	newEngine := func(crash int64) *flow.Engine {
		cs := &crashStore{Store: st}
		cur.Store(cs)
		kill.Store(crash)
		eng := flow.NewEngine(cs, flow.WithClock(clock), flow.WithLogger(quiet), flow.WithLeaseTTL(time.Minute))
		err := flow.Add(eng, flow.Flow[item, item]{
			Name: "items", Source: src, Map: flow.Identity[item], Sink: sink, Concurrency: 8,
			Retry: flow.RetryPolicy{MaxAttempts: 4, Initial: time.Second},
		})
		if err != nil {
			t.Fatal(err)
		}
		return eng
	}

	crashes := 0
	for run := 0; ; run++ {
		crash := int64(-1)
		if run < 12 {
			crash = int64(20 + rnd.IntN(400))
		}
		eng := newEngine(crash)
		ctx, cancel := context.WithCancel(context.Background())
		cancelRun.Store(&cancel)
		_, err := eng.RunOnce(ctx, "items")
		cancel()
		// The next run is a new process: the previous one's lease runs out.
		clock.Advance(2 * time.Minute)
		if cur.Load().dead.Load() {
			crashes++
			continue
		}
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if crash < 0 {
			break
		}
	}
	if crashes < 5 {
		t.Fatalf("only %d crashes happened; the test did not test restarts", crashes)
	}

	// Every change read has exactly one outcome.
	type kv struct {
		key string
		ver int64
	}
	outs := map[kv][]store.Outcome{}
	applied, parked := map[string]int{}, map[string]int{}
	for o, err := range st.Outcomes(context.Background(), store.OutcomeFilter{Flow: "items"}) {
		if err != nil {
			t.Fatal(err)
		}
		outs[kv{o.Key, o.Version.Seq}] = append(outs[kv{o.Key, o.Version.Seq}], o)
		switch o.Result {
		case store.Applied:
			applied[o.Key]++
		case store.Parked:
			parked[o.Key]++
		}
	}
	latest := map[string]connector.Change[item]{}
	parkedKeys := map[string]bool{}
	for ch, err := range src.Changes(context.Background(), "") {
		if err != nil {
			t.Fatal(err)
		}
		got := outs[kv{ch.Key, ch.Version.Seq}]
		if len(got) != 1 {
			t.Fatalf("change %s@%d has %d outcomes, want exactly 1: %+v", ch.Key, ch.Version.Seq, len(got), got)
		}
		if got[0].Result == store.Parked {
			parkedKeys[ch.Key] = true
		}
		latest[ch.Key] = ch
	}
	if len(outs) != changes {
		t.Fatalf("%d changes have outcomes, want %d", len(outs), changes)
	}
	// Nothing applied twice in effect: every applied change had its effect
	// once, and a parked one at most once (its write may have landed just
	// before a crash, the retry after it then failing).
	for k := range latest {
		if w := sink.Writes(k); w < applied[k] || w > applied[k]+parked[k] {
			t.Errorf("%s: %d writes in the sink for %d applied and %d parked changes", k, w, applied[k], parked[k])
		}
	}
	// Nothing missing: a key with nothing parked holds its newest version.
	for k, ch := range latest {
		if parkedKeys[k] {
			continue
		}
		if v, ok := sink.Value(k); !ok || v.Stock != ch.Entity.Stock {
			t.Errorf("%s: sink holds %+v (present %v), want the newest version %+v", k, v, ok, ch.Entity)
		}
	}
	// Every parked change is in the exception queue, open, with its payload.
	open := map[kv]bool{}
	for ex, err := range st.Exceptions(context.Background(), store.ExceptionFilter{Flow: "items", Status: store.Open}) {
		if err != nil {
			t.Fatal(err)
		}
		if len(ex.Payload) == 0 {
			t.Errorf("exception %s has no payload", ex.ID)
		}
		if open[kv{ex.Key, ex.Version.Seq}] {
			t.Errorf("change %s@%d parked twice", ex.Key, ex.Version.Seq)
		}
		open[kv{ex.Key, ex.Version.Seq}] = true
	}
	for id, o := range outs {
		if o[0].Result == store.Parked && !open[id] {
			t.Errorf("parked change %v has no open exception", id)
		}
	}
	t.Logf("%d changes, %d crashes, %d parked", changes, crashes, len(open))
}

func TestCrashRestartMemstore(t *testing.T) {
	runCrashRestart(t, memstore.New())
}
