package flow_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/memstore"
)

type rig struct {
	st    store.Store
	clock *connectortest.Clock
	eng   *flow.Engine
	src   *script[item]
	sink  *connectortest.Memory[item]
}

func newRig(t *testing.T, st store.Store, mod func(*flow.Flow[item, item])) *rig {
	t.Helper()
	r := &rig{st: st, clock: connectortest.NewClock(epoch), src: &script[item]{}}
	r.sink = connectortest.NewMemory[item]("dst", connectortest.WithClock(r.clock))
	r.eng = flow.NewEngine(st, flow.WithClock(r.clock), flow.WithLogger(quiet))
	f := flow.Flow[item, item]{Name: "items", Source: r.src, Map: flow.Identity[item], Sink: r.sink}
	if mod != nil {
		mod(&f)
	}
	if err := flow.Add(r.eng, f); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) run(t *testing.T) flow.Report {
	t.Helper()
	rep, err := r.eng.RunOnce(context.Background(), "items")
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return rep
}

func TestAppliesEveryChangeOnceAndResumesFromCheckpoint(t *testing.T) {
	r := newRig(t, memstore.New(), nil)
	for i := range 50 {
		r.src.add(fmt.Sprintf("sku-%d", i), seq(1), item{SKU: fmt.Sprintf("sku-%d", i), Price: price("9.99"), Stock: i})
	}
	rep := r.run(t)
	if rep.Read != 50 || rep.Applied != 50 || rep.Checkpoint != "50" {
		t.Fatalf("first pass = %+v, want 50 read and applied, checkpoint 50", rep)
	}
	r.src.add("sku-1", seq(2), item{SKU: "sku-1", Price: price("10.49"), Stock: 1})
	rep = r.run(t)
	if rep.Read != 1 || rep.Applied != 1 {
		t.Fatalf("second pass = %+v, want only the new change", rep)
	}
	if got := r.sink.Writes("sku-1"); got != 2 {
		t.Errorf("sku-1 written %d times, want 2", got)
	}
	if v, _ := r.sink.Value("sku-1"); !v.Price.Equal(price("10.49")) {
		t.Errorf("sku-1 price = %s, want 10.49", v.Price)
	}
	if n := len(outcomes(t, r.st, "items")); n != 51 {
		t.Errorf("%d outcomes recorded, want 51", n)
	}
}

func TestSkipsDuplicateStaleAndUnchanged(t *testing.T) {
	r := newRig(t, memstore.New(), nil)
	r.src.add("a", seq(2), item{SKU: "a", Stock: 5})  // applied
	r.src.add("a", seq(2), item{SKU: "a", Stock: 5})  // the same change delivered twice
	r.src.add("a", seq(1), item{SKU: "a", Stock: 9})  // late, older stock update
	r.src.add("a", seq(4), item{SKU: "a", Stock: 5})  // newer version, same content
	r.src.add("a", seq(3), item{SKU: "a", Stock: 7})  // older than the unchanged v4
	r.src.add("b", seq(1), item{SKU: "b", Note: "x"}) // another key
	r.run(t)

	// One outcome per change: the duplicate delivery is the same change.
	want := map[int64]struct {
		res    store.Result
		reason store.Reason
	}{
		2: {store.Applied, ""}, 1: {store.Skipped, store.Stale}, 4: {store.Skipped, store.Unchanged}, 3: {store.Skipped, store.Stale},
	}
	got := map[int64]store.Outcome{}
	for _, o := range outcomes(t, r.st, "items") {
		if o.Key == "a" {
			if _, dup := got[o.Version.Seq]; dup {
				t.Errorf("change a@%d has two outcomes", o.Version.Seq)
			}
			got[o.Version.Seq] = o
		}
	}
	for v, w := range want {
		if got[v].Result != w.res || got[v].Reason != w.reason {
			t.Errorf("a@%d: %s/%s, want %s/%s", v, got[v].Result, got[v].Reason, w.res, w.reason)
		}
	}
	st, _ := r.eng.Stats("items")
	if st.Skipped[store.Duplicate] != 1 || st.Skipped[store.Stale] != 2 || st.Skipped[store.Unchanged] != 1 {
		t.Errorf("skipped by reason %v, want 1 duplicate, 2 stale, 1 unchanged", st.Skipped)
	}
	if v, _ := r.sink.Value("a"); v.Stock != 5 {
		t.Errorf("a stock = %d, want 5: a late update overwrote a newer one", v.Stock)
	}
	if n := r.sink.Writes("a"); n != 1 {
		t.Errorf("a written %d times, want 1", n)
	}
}

func TestSameKeyIsSerialisedAndOrdered(t *testing.T) {
	var inFlight sync.Map // key -> *int32
	var mu sync.Mutex
	order := map[string][]int64{}
	var overlap atomic.Bool
	r := newRig(t, memstore.New(), func(f *flow.Flow[item, item]) { f.Concurrency = 8 })
	r.sink.OnApply(func(w connector.Write[item]) error {
		c, _ := inFlight.LoadOrStore(w.Key, new(int32))
		if atomic.AddInt32(c.(*int32), 1) > 1 {
			overlap.Store(true)
		}
		time.Sleep(50 * time.Microsecond) // widen the window for a race
		atomic.AddInt32(c.(*int32), -1)
		mu.Lock()
		order[w.Key] = append(order[w.Key], w.Version.Seq)
		mu.Unlock()
		return nil
	})
	for v := int64(1); v <= 20; v++ {
		for k := range 10 {
			r.src.add(fmt.Sprintf("k%d", k), seq(v), item{SKU: "x", Stock: int(v)})
		}
	}
	if rep := r.run(t); rep.Applied != 200 {
		t.Fatalf("applied %d, want 200", rep.Applied)
	}
	if overlap.Load() {
		t.Error("two changes of one key were applied at the same time")
	}
	for k, vs := range order {
		for i := 1; i < len(vs); i++ {
			if vs[i] <= vs[i-1] {
				t.Fatalf("key %s applied out of order: %v", k, vs)
			}
		}
	}
}

func TestTransientFailuresRetryWithBackoffThenApply(t *testing.T) {
	r := newRig(t, memstore.New(), func(f *flow.Flow[item, item]) {
		f.Retry = flow.RetryPolicy{MaxAttempts: 4, Initial: time.Second, Max: 10 * time.Second}
	})
	r.sink.FailNext(2, connector.Errorf(connector.Transient, "dst", "connection reset"))
	r.src.add("a", seq(1), item{SKU: "a", Stock: 1})
	if rep := r.run(t); rep.Applied != 1 {
		t.Fatalf("report %+v, want applied after retries", rep)
	}
	sleeps := r.clock.Sleeps()
	if len(sleeps) != 2 {
		t.Fatalf("slept %v, want two backoff waits", sleeps)
	}
	for _, d := range sleeps {
		if d < 500*time.Millisecond || d > 3*time.Second {
			t.Errorf("backoff %v outside the jittered range of a 1s-2s exponential policy", d)
		}
	}
	st, _ := r.eng.Stats("items")
	if st.Retries != 2 || st.Applied != 1 {
		t.Errorf("stats %+v, want 2 retries and 1 applied", st)
	}
}

func TestRateLimitedHonoursRetryAfter(t *testing.T) {
	r := newRig(t, memstore.New(), func(f *flow.Flow[item, item]) {
		f.Retry = flow.RetryPolicy{Initial: time.Millisecond}
	})
	rl := connector.Errorf(connector.RateLimited, "dst", "slow down")
	rl.RetryAfter = 7 * time.Second
	r.sink.FailNext(1, rl)
	r.src.add("a", seq(1), item{SKU: "a"})
	r.run(t)
	if s := r.clock.Sleeps(); len(s) != 1 || s[0] != 7*time.Second {
		t.Fatalf("slept %v, want the 7s the system asked for", s)
	}
}

func TestRetryBudgetExhaustedParks(t *testing.T) {
	r := newRig(t, memstore.New(), func(f *flow.Flow[item, item]) {
		f.Retry = flow.RetryPolicy{MaxAttempts: 3, Initial: time.Millisecond}
	})
	r.sink.FailKey("a", connector.Errorf(connector.Transient, "dst", "503 from upstream"))
	r.src.add("a", seq(1), item{SKU: "a"})
	r.src.add("b", seq(1), item{SKU: "b"})
	rep := r.run(t)
	if rep.Parked != 1 || rep.Applied != 1 {
		t.Fatalf("report %+v, want a parked and b applied", rep)
	}
	ex := openExceptions(t, r.st, "items")
	if len(ex) != 1 || ex[0].Kind != connector.Transient || ex[0].Attempts != 3 || ex[0].Key != "a" {
		t.Fatalf("exceptions %+v, want one transient for a after 3 attempts", ex)
	}
	if !strings.Contains(string(ex[0].Payload), `"sku":"a"`) {
		t.Errorf("payload %s does not keep the raw change", ex[0].Payload)
	}
	if rep.Checkpoint != "2" {
		t.Errorf("checkpoint %q, want past the parked change (2)", rep.Checkpoint)
	}
}

func TestInvalidParksAtOnceAndLaterChangesWaitBehindIt(t *testing.T) {
	r := newRig(t, memstore.New(), nil)
	r.src.add("a", seq(1), item{SKU: "a", Stock: -1}) // invalid: parked
	r.src.add("a", seq(2), item{SKU: "a", Stock: 4})  // amendment: waits
	r.src.add("b", seq(1), item{SKU: "b", Stock: 1})  // other keys carry on
	rep := r.run(t)
	if rep.Parked != 2 || rep.Applied != 1 {
		t.Fatalf("report %+v, want 2 parked, 1 applied", rep)
	}
	if len(r.clock.Sleeps()) != 0 {
		t.Errorf("invalid data was retried: slept %v", r.clock.Sleeps())
	}
	ex := openExceptions(t, r.st, "items")
	if len(ex) != 2 {
		t.Fatalf("%d open exceptions, want 2", len(ex))
	}
	first, second := ex[0], ex[1]
	if first.Kind != connector.Invalid || len(first.Fields) != 1 || first.Fields[0].Path != "stock" {
		t.Errorf("first exception %+v, want invalid with the stock field", first)
	}
	if second.BlockedBy != first.ID {
		t.Errorf("second exception blocked by %q, want %q", second.BlockedBy, first.ID)
	}
	if _, ok := r.sink.Value("a"); ok {
		t.Fatal("the amendment was applied before the order it amends")
	}

	// The operator fixes the data at the source and replays; the replay runs
	// the stored change through the current mapping, so fix it there.
	if err := flow.Add(r.eng, flow.Flow[item, item]{Name: "unused", Source: r.src, Map: flow.Identity[item], Sink: r.sink}); err != nil {
		t.Fatal(err)
	}
	outs, err := r.eng.Replay(context.Background(), second.ID)
	if err != nil {
		t.Fatal(err)
	}
	// v1 is still invalid, so the replay parks it again and keeps v2 behind it.
	if len(outs) != 1 || outs[0].Result != store.Parked {
		t.Fatalf("replay outcomes %+v, want v1 parked again", outs)
	}
	if err := r.eng.Discard(context.Background(), first.ID, "customer confirmed the stock at 4"); err != nil {
		t.Fatal(err)
	}
	outs, err = r.eng.Replay(context.Background(), second.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 || outs[0].Result != store.Applied {
		t.Fatalf("replay outcomes %+v, want the amendment applied", outs)
	}
	if v, _ := r.sink.Value("a"); v.Stock != 4 {
		t.Errorf("a = %+v, want stock 4", v)
	}
	if n := len(openExceptions(t, r.st, "items")); n != 0 {
		t.Errorf("%d exceptions still open", n)
	}
}

func TestReplayAppliesAfterFixAndReleasesFollowers(t *testing.T) {
	var broken atomic.Bool
	broken.Store(true)
	r := newRig(t, memstore.New(), func(f *flow.Flow[item, item]) {
		f.Map = func(_ context.Context, _ flow.Env, in item) (item, error) {
			if broken.Load() && in.Note == "" {
				return item{}, errors.New("no note to map")
			}
			return in, nil
		}
	})
	r.src.add("a", seq(1), item{SKU: "a", Stock: 1})
	r.src.add("a", seq(2), item{SKU: "a", Stock: 2, Note: "ok"})
	r.run(t)
	ex := openExceptions(t, r.st, "items")
	if len(ex) != 2 || ex[0].Kind != connector.Invalid {
		t.Fatalf("exceptions %+v, want the mapping failure and its follower", ex)
	}
	broken.Store(false) // the mapping is fixed and deployed
	outs, err := r.eng.ReplayAll(context.Background(), store.ExceptionFilter{Flow: "items"})
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 2 || outs[0].Result != store.Applied || outs[1].Result != store.Applied {
		t.Fatalf("replay outcomes %+v, want both applied in order", outs)
	}
	if v, _ := r.sink.Value("a"); v.Stock != 2 {
		t.Errorf("a = %+v, want the later version", v)
	}
	for _, e := range ex {
		got, _ := r.st.Exception(context.Background(), e.ID)
		if got.Status != store.Resolved {
			t.Errorf("exception %s is %s, want resolved", e.ID, got.Status)
		}
	}
}

func TestContinuePastParkedLetsNewerSnapshotsThrough(t *testing.T) {
	r := newRig(t, memstore.New(), func(f *flow.Flow[item, item]) { f.Parked = flow.ContinuePastParked })
	r.src.add("a", seq(1), item{SKU: "a", Stock: -3})
	r.src.add("a", seq(2), item{SKU: "a", Stock: 8})
	rep := r.run(t)
	if rep.Parked != 1 || rep.Applied != 1 {
		t.Fatalf("report %+v, want one parked and the newer snapshot applied", rep)
	}
	ex := openExceptions(t, r.st, "items")
	outs, err := r.eng.Replay(context.Background(), ex[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if outs[0].Result != store.Skipped || outs[0].Reason != store.Stale {
		t.Errorf("replayed old snapshot: %+v, want skipped as stale", outs[0])
	}
}

func TestUnauthorizedStopsTheFlowWithoutLosingTheChange(t *testing.T) {
	r := newRig(t, memstore.New(), func(f *flow.Flow[item, item]) { f.Concurrency = 1 })
	r.src.add("a", seq(1), item{SKU: "a"})
	r.src.add("b", seq(1), item{SKU: "b"})
	r.sink.FailKey("b", connector.Errorf(connector.Unauthorized, "dst", "token expired"))
	_, err := r.eng.RunOnce(context.Background(), "items")
	var se *flow.StoppedError
	if !errors.As(err, &se) || !errors.Is(err, connector.Unauthorized) {
		t.Fatalf("err = %v, want a StoppedError for unauthorized", err)
	}
	if _, err := r.eng.RunOnce(context.Background(), "items"); !errors.As(err, &se) {
		t.Fatalf("a stopped flow ran again: %v", err)
	}
	for _, o := range outcomes(t, r.st, "items") {
		if o.Key == "b" {
			t.Fatalf("b got an outcome %+v while the flow stopped on it", o)
		}
	}
	r.sink.FailKey("b", nil)
	if err := r.eng.Resume("items"); err != nil {
		t.Fatal(err)
	}
	rep := r.run(t)
	if rep.Applied != 1 || rep.Read < 1 {
		t.Fatalf("after resume: %+v, want b applied", rep)
	}
	if _, ok := r.sink.Value("b"); !ok {
		t.Error("b lost after the flow was resumed")
	}
}

func TestConflictRetriedOnceThenParked(t *testing.T) {
	r := newRig(t, memstore.New(), nil)
	var calls atomic.Int32
	r.sink.OnApply(func(w connector.Write[item]) error {
		calls.Add(1)
		if w.Key == "a" {
			return connector.Errorf(connector.Conflict, "dst", "etag mismatch")
		}
		return nil
	})
	r.src.add("a", seq(1), item{SKU: "a"})
	rep := r.run(t)
	if rep.Parked != 1 || calls.Load() != 2 {
		t.Fatalf("report %+v after %d calls, want parked after exactly 2", rep, calls.Load())
	}
	if ex := openExceptions(t, r.st, "items"); ex[0].Kind != connector.Conflict {
		t.Errorf("parked as %s, want conflict", ex[0].Kind)
	}
}

func TestOwnershipDropsFieldsTheSourceDoesNotOwn(t *testing.T) {
	own := &flow.Ownership{Default: "src", Fields: map[string]string{"price": "erp"}}
	r := newRig(t, memstore.New(), func(f *flow.Flow[item, item]) { f.Ownership = own })
	r.src.add("a", seq(1), item{SKU: "a", Price: price("5.00"), Stock: 1})
	r.src.add("a", seq(2), item{SKU: "a", Price: price("6.00"), Stock: 1})
	r.src.add("a", seq(3), item{SKU: "a", Price: price("7.00"), Stock: 2})
	r.run(t)
	outs := outcomes(t, r.st, "items")
	if len(outs) != 3 {
		t.Fatalf("outcomes %+v", outs)
	}
	// On create the shop may not set the ERP's price either.
	if outs[0].Result != store.Applied || outs[0].Reason != store.NotOwner || !strings.Contains(outs[0].Detail, "price") {
		t.Errorf("first %+v, want applied with price dropped as not-owner", outs[0])
	}
	if outs[1].Result != store.Skipped || outs[1].Reason != store.NotOwner {
		t.Errorf("second %+v, want skipped: only an unowned field changed", outs[1])
	}
	if outs[2].Result != store.Applied {
		t.Errorf("third %+v, want applied for the stock change", outs[2])
	}
	v, _ := r.sink.Value("a")
	if v.Stock != 2 || !v.Price.IsZero() {
		t.Errorf("sink holds %+v, want stock 2 and the price untouched by the shop", v)
	}
}

func TestFilterSkipsWithReason(t *testing.T) {
	r := newRig(t, memstore.New(), func(f *flow.Flow[item, item]) {
		f.Filter = func(_ context.Context, c connector.Change[item]) (bool, string) {
			return !strings.HasPrefix(c.Entity.SKU, "gift-"), "gift cards are not stocked"
		}
	})
	r.src.add("g", seq(1), item{SKU: "gift-50"})
	r.src.add("s", seq(1), item{SKU: "shoe"})
	rep := r.run(t)
	if rep.Skipped != 1 || rep.Applied != 1 {
		t.Fatalf("report %+v", rep)
	}
	for _, o := range outcomes(t, r.st, "items") {
		if o.Key == "g" && (o.Reason != store.Filtered || o.Detail != "gift cards are not stocked") {
			t.Errorf("outcome %+v, want filtered with the reason", o)
		}
	}
}

func TestDryRunWritesNothingAndShowsDiffs(t *testing.T) {
	r := newRig(t, memstore.New(), nil)
	r.src.add("a", seq(1), item{SKU: "a", Price: price("5.00")})
	r.run(t)
	r.src.add("a", seq(2), item{SKU: "a", Price: price("5.50")})
	r.src.add("b", seq(1), item{SKU: "b", Stock: -1})
	r.src.add("c", seq(1), item{SKU: "c"})
	rep, err := r.eng.DryRun(context.Background(), "items")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts["update"] != 1 || rep.Counts["create"] != 1 || rep.Counts["park:invalid"] != 1 {
		t.Fatalf("counts %v", rep.Counts)
	}
	if d := rep.Entries[0].Diff; !strings.Contains(d, "5.00") || !strings.Contains(d, "5.50") {
		t.Errorf("diff %q does not show the price change", d)
	}
	if _, ok := r.sink.Value("c"); ok || r.sink.Writes("a") != 1 {
		t.Error("dry run wrote to the sink")
	}
	if cp, _ := r.st.Checkpoint(context.Background(), "items"); cp != "1" {
		t.Errorf("dry run moved the checkpoint to %q", cp)
	}
	if len(openExceptions(t, r.st, "items")) != 0 {
		t.Error("dry run parked an exception")
	}
}

func TestIdempotencyKeyIsDeterministic(t *testing.T) {
	a := flow.IdempotencyKey("f", "k", seq(3))
	if a != flow.IdempotencyKey("f", "k", seq(3)) {
		t.Fatal("same change, different keys")
	}
	for _, b := range []string{
		flow.IdempotencyKey("f", "k", seq(4)), flow.IdempotencyKey("g", "k", seq(3)), flow.IdempotencyKey("f", "k2", seq(3)),
	} {
		if a == b {
			t.Errorf("different changes share key %s", a)
		}
	}
}

func TestNotifyRunsTheFlow(t *testing.T) {
	r := newRig(t, memstore.New(), nil) // Every is zero: runs only when rung
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.eng.Run(ctx) }()
	deadline := time.After(10 * time.Second)
	// Run does a first pass at start; then only rings start passes.
	for !hasPassed(r.eng, 1) {
		select {
		case <-deadline:
			t.Fatal("first pass never ran")
		case <-time.After(time.Millisecond):
		}
	}
	r.src.add("a", seq(1), item{SKU: "a"})
	r.eng.Notify("items")
	for {
		if _, ok := r.sink.Value("a"); ok {
			break
		}
		select {
		case <-deadline:
			t.Fatal("Notify did not run the flow")
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v", err)
	}
}

func hasPassed(e *flow.Engine, n int64) bool {
	s, _ := e.Stats("items")
	return s.Passes >= n
}

func TestAddRejectsIncompleteFlows(t *testing.T) {
	e := flow.NewEngine(memstore.New(), flow.WithLogger(quiet))
	src := &script[item]{}
	sink := connectortest.NewMemory[item]("dst")
	cases := map[string]flow.Flow[item, item]{
		"no name":   {Source: src, Sink: sink, Map: flow.Identity[item]},
		"no source": {Name: "x", Sink: sink, Map: flow.Identity[item]},
		"no sink":   {Name: "x", Source: src, Map: flow.Identity[item]},
		"no map":    {Name: "x", Source: src, Sink: sink},
		"no target": {Name: "x", Source: src, Sink: sink, Map: flow.Identity[item], Entity: "Item"},
	}
	for name, f := range cases {
		if err := flow.Add(e, f); err == nil {
			t.Errorf("%s: Add accepted an incomplete flow", name)
		}
	}
	ok := flow.Flow[item, item]{Name: "x", Source: src, Sink: sink, Map: flow.Identity[item]}
	if err := flow.Add(e, ok); err != nil {
		t.Fatal(err)
	}
	if err := flow.Add(e, ok); err == nil {
		t.Error("Add accepted a duplicate name")
	}
	if _, err := e.RunOnce(context.Background(), "nope"); !errors.Is(err, flow.ErrUnknownFlow) {
		t.Errorf("unknown flow: %v", err)
	}
}

func TestTransientMappingFailureIsRetried(t *testing.T) {
	var calls atomic.Int32
	r := newRig(t, memstore.New(), func(f *flow.Flow[item, item]) {
		f.Retry = flow.RetryPolicy{MaxAttempts: 3, Initial: time.Second}
		f.Map = func(_ context.Context, _ flow.Env, in item) (item, error) {
			if calls.Add(1) < 3 {
				return in, connector.Errorf(connector.Transient, "crosswalk", "lookup timed out")
			}
			return in, nil
		}
	})
	r.src.add("a", seq(1), item{SKU: "a"})
	if rep := r.run(t); rep.Applied != 1 {
		t.Fatalf("report %+v, want applied on the third mapping attempt", rep)
	}
	if n := len(r.clock.Sleeps()); n != 2 {
		t.Errorf("%d backoff waits, want 2", n)
	}
}
