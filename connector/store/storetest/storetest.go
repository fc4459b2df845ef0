// Package storetest is the conformance suite for store.Store implementations.
// Every store in this module passes it, and a store written elsewhere can run
// it from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return mystore.New() })
//	}
//
// The suite checks behaviour, not layout: checkpoints, the ledger and its
// outcomes, the exception queue, leases, webhook deliveries and the crosswalk,
// including what must hold under concurrent use.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
)

// Run runs the conformance suite. newStore must return an empty store each
// time it is called; it is called once per subtest, and subtests run in
// parallel, so it must be safe to call from several goroutines. Cleanup of
// the store belongs in t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"Checkpoints", testCheckpoints},
		{"RecordAndLastApplied", testRecordAndLastApplied},
		{"OutcomesOrderAndFilter", testOutcomes},
		{"RecordIsAllOrNothing", testRecordAtomic},
		{"OnePerChangeDropsDuplicates", testDuplicatesDropped},
		{"OnePerChangeReplacesParked", testParkedReplaced},
		{"OnePerChangeWithinBatch", testDuplicatesWithinBatch},
		{"OnePerChangeConcurrent", testDuplicatesConcurrent},
		{"LedgerMovesWithEntity", testLedgerMovesWithEntity},
		{"LastAppliedMany", testLastAppliedMany},
		{"IteratorsAllowWrites", testIteratorsAllowWrites},
		{"ExceptionsParkAndUpdate", testParkAndUpdate},
		{"ExceptionsListAndFilter", testExceptionsList},
		{"ExceptionsOpenAndClose", testOpenAndClose},
		{"Leases", testLeases},
		{"Deliveries", testDeliveries},
		{"CrosswalkLink", testCrosswalkLink},
		{"CrosswalkMerge", testCrosswalkMerge},
		{"CrosswalkConcurrentMerges", testConcurrentMerges},
		{"InvalidArguments", testInvalid},
		{"CancelledContext", testCancelled},
		{"ConcurrentWriters", testConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

// base returns a time with nanoseconds in a zone other than UTC, so round
// trips show both precision and the move to UTC.
func base() time.Time {
	return time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600))
}

func testCheckpoints(t *testing.T, s store.Store) {
	ctx := t.Context()
	if c, err := s.Checkpoint(ctx, "orders"); err != nil || c != "" {
		t.Fatalf("Checkpoint of a new flow = %q, %v; want \"\", nil", c, err)
	}
	must(t, s.SaveCheckpoint(ctx, "orders", "c1"))
	must(t, s.SaveCheckpoint(ctx, "stock", "s9"))
	must(t, s.SaveCheckpoint(ctx, "orders", "c2"))
	for flow, want := range map[string]connector.Cursor{"orders": "c2", "stock": "s9", "prices": ""} {
		c, err := s.Checkpoint(ctx, flow)
		if err != nil || c != want {
			t.Errorf("Checkpoint(%q) = %q, %v; want %q", flow, c, err, want)
		}
	}
}

// outcome builds a distinct, fully populated outcome.
func outcome(flow, key string, n int, r store.Result) store.Outcome {
	o := store.Outcome{
		Flow:    flow,
		Key:     key,
		Version: connector.Version{Seq: int64(n + 1), At: base().Add(time.Duration(n) * time.Second), Tag: fmt.Sprintf("W/\"%d|x\"", n)},
		Result:  r,
		Detail:  fmt.Sprintf("detail %d", n),
		At:      base().Add(time.Duration(n) * time.Millisecond),
	}
	switch r {
	case store.Applied:
		o.IdempotencyKey = fmt.Sprintf("%s/%s/%d", flow, key, n)
		o.Entity = json.RawMessage(fmt.Sprintf(`{"key": %q, "n": %d}`, key, n))
		o.Target = canonical.ExternalRef{System: "erp", Type: "SalesOrder", ID: "SO-" + key, Version: fmt.Sprint(n)}
		if n%2 == 0 {
			o.Reason = store.NotOwner
		}
	case store.Skipped:
		o.Reason = store.Duplicate
	case store.Parked:
		o.Exception = fmt.Sprintf("ex-%06d", n+1)
	}
	return o
}

func testRecordAndLastApplied(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, ok, err := s.LastApplied(ctx, "orders", "A"); err != nil || ok {
		t.Fatalf("LastApplied before any Record = ok %v, err %v; want false, nil", ok, err)
	}
	a1, a2 := outcome("orders", "A", 1, store.Applied), outcome("orders", "A", 2, store.Applied)
	b1 := outcome("orders", "B", 3, store.Applied)
	must(t, s.Record(ctx, a1, b1, outcome("orders", "C", 4, store.Skipped), a2, outcome("orders", "A", 5, store.Parked)))
	checkLedger(t, s, a2) // the last Applied of the batch wins; Parked without an Entity does not touch the ledger
	checkLedger(t, s, b1)
	if _, ok, _ := s.LastApplied(ctx, "orders", "C"); ok {
		t.Error("LastApplied found an entry for a key that was only skipped")
	}
	if _, ok, _ := s.LastApplied(ctx, "stock", "A"); ok {
		t.Error("LastApplied found another flow's entry")
	}
	// A later batch replaces the entry, whatever its version.
	a0 := outcome("orders", "A", 0, store.Applied)
	a0.Target, a0.IdempotencyKey, a0.At = canonical.ExternalRef{}, "", time.Time{}
	must(t, s.Record(ctx, a0, outcome("orders", "B", 6, store.Skipped)))
	checkLedger(t, s, a0)
	checkLedger(t, s, b1)
	// An outcome without an Entity never touches the ledger, Applied included.
	bare := outcome("orders", "A", 7, store.Applied)
	bare.Entity = nil
	must(t, s.Record(ctx, bare))
	checkLedger(t, s, a0)
	must(t, s.Record(ctx)) // an empty batch is fine
}

func checkLedger(t *testing.T, s store.Store, o store.Outcome) {
	t.Helper()
	e, ok, err := s.LastApplied(t.Context(), o.Flow, o.Key)
	if err != nil || !ok {
		t.Fatalf("LastApplied(%q, %q) = ok %v, err %v", o.Flow, o.Key, ok, err)
	}
	want := store.LedgerEntry{Flow: o.Flow, Key: o.Key, Version: o.Version, IdempotencyKey: o.IdempotencyKey, Entity: o.Entity, Target: o.Target, At: o.At}
	if d := diffLedger(e, want); d != "" {
		t.Errorf("LastApplied(%q, %q): %s", o.Flow, o.Key, d)
	}
}

func testOutcomes(t *testing.T, s store.Store) {
	ctx := t.Context()
	results := []store.Result{store.Applied, store.Skipped, store.Parked}
	var all []store.Outcome
	for batch := range 3 {
		var b []store.Outcome
		for i := range 7 {
			n := batch*7 + i
			b = append(b, outcome([]string{"orders", "stock"}[n%2], fmt.Sprintf("K%d", n%3), n, results[n%3]))
		}
		must(t, s.Record(ctx, b...))
		all = append(all, b...)
	}
	// One batch larger than any reasonable chunk or page keeps its order too.
	var big []store.Outcome
	for n := range 521 {
		big = append(big, outcome("bulk", fmt.Sprintf("K%04d", n), n, results[n%3]))
	}
	must(t, s.Record(ctx, big...))
	all = append(all, big...)

	filters := []store.OutcomeFilter{
		{},
		{Flow: "orders"},
		{Key: "K1"},
		{Result: store.Skipped},
		{Flow: "stock", Key: "K2"},
		{Flow: "orders", Result: store.Applied},
		{Flow: "stock", Key: "K0", Result: store.Parked},
		{Flow: "bulk", Result: store.Parked},
		{Flow: "nope"},
	}
	for _, f := range filters {
		var want []store.Outcome
		for _, o := range all {
			if (f.Flow == "" || o.Flow == f.Flow) && (f.Key == "" || o.Key == f.Key) && (f.Result == "" || o.Result == f.Result) {
				want = append(want, o)
			}
		}
		got := collect(t, s.Outcomes(ctx, f))
		if len(got) != len(want) {
			t.Errorf("Outcomes(%+v) gave %d outcomes, want %d", f, len(got), len(want))
			continue
		}
		for i := range got {
			if d := diffOutcome(got[i], want[i]); d != "" {
				t.Errorf("Outcomes(%+v)[%d]: %s", f, i, d)
				break
			}
		}
	}

	// Stopping early stops the iterator.
	n := 0
	for _, err := range s.Outcomes(ctx, store.OutcomeFilter{}) {
		must(t, err)
		if n++; n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("iterated %d outcomes before break, want 3", n)
	}
}

func testRecordAtomic(t *testing.T, s store.Store) {
	ctx := t.Context()
	bad := outcome("orders", "B", 2, store.Applied)
	bad.Result = "maybe"
	err := s.Record(ctx, outcome("orders", "A", 1, store.Applied), bad)
	if !errors.Is(err, connector.Invalid) {
		t.Fatalf("Record with an unknown result: err = %v, want connector.Invalid", err)
	}
	if got := collect(t, s.Outcomes(ctx, store.OutcomeFilter{})); len(got) != 0 {
		t.Errorf("a refused batch left %d outcomes behind", len(got))
	}
	if _, ok, _ := s.LastApplied(ctx, "orders", "A"); ok {
		t.Error("a refused batch updated the ledger")
	}
}

// checkOutcomes fails unless the store lists exactly want for f, in order.
func checkOutcomes(t *testing.T, s store.Store, f store.OutcomeFilter, want ...store.Outcome) {
	t.Helper()
	got := collect(t, s.Outcomes(t.Context(), f))
	if len(got) != len(want) {
		t.Fatalf("Outcomes(%+v) gave %d outcomes %v, want %d %v", f, len(got), details(got), len(want), details(want))
	}
	for i := range got {
		if d := diffOutcome(got[i], want[i]); d != "" {
			t.Errorf("Outcomes(%+v)[%d]: %s", f, i, d)
		}
	}
}

func details(os []store.Outcome) []string {
	var ds []string
	for _, o := range os {
		ds = append(ds, string(o.Result)+":"+o.Detail)
	}
	return ds
}

// again returns another outcome for the same change as o: same flow, key and
// version, everything else different.
func again(o store.Outcome, r store.Result, n int) store.Outcome {
	a := outcome(o.Flow, o.Key, n, r)
	a.Version = o.Version
	return a
}

func testDuplicatesDropped(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := outcome("orders", "A", 1, store.Applied)
	k := outcome("orders", "B", 2, store.Skipped)
	must(t, s.Record(ctx, a, k))
	// Read again after a crash, or delivered twice: the first outcome stays,
	// whatever the new one says, and the ledger keeps the first write's fields.
	dupA := again(a, store.Applied, 10)
	dupA.Entity = a.Entity
	dupA.Target, dupA.IdempotencyKey, dupA.At = a.Target, a.IdempotencyKey, a.At
	utc := again(a, store.Skipped, 11)
	utc.Version.At = utc.Version.At.UTC() // the same version, written in another zone
	must(t, s.Record(ctx, dupA, utc, again(a, store.Parked, 12), again(k, store.Applied, 13), again(k, store.Parked, 14)))
	checkOutcomes(t, s, store.OutcomeFilter{}, a, k)
	checkLedger(t, s, a)

	// A new version of the same key, or the same version under another key or
	// flow, is another change.
	next := outcome("orders", "A", 3, store.Skipped)
	otherKey, otherFlow := again(a, store.Skipped, 4), again(a, store.Skipped, 5)
	otherKey.Key, otherFlow.Flow = "Z", "stock"
	must(t, s.Record(ctx, next, otherKey, otherFlow))
	checkOutcomes(t, s, store.OutcomeFilter{}, a, k, next, otherKey, otherFlow)
}

func testParkedReplaced(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := outcome("orders", "A", 1, store.Parked)
	b := outcome("orders", "B", 2, store.Applied)
	q := outcome("orders", "C", 3, store.Parked)
	must(t, s.Record(ctx, p, b, q))
	must(t, s.Record(ctx, outcome("orders", "D", 4, store.Skipped)))

	// A re-park replaces the parked outcome in its place.
	rp := again(p, store.Parked, 20)
	must(t, s.Record(ctx, rp))
	d := outcome("orders", "D", 4, store.Skipped)
	checkOutcomes(t, s, store.OutcomeFilter{}, rp, b, q, d)

	// A replay's result replaces it in its place too, and then stays.
	ra := again(p, store.Applied, 21)
	rs := again(q, store.Skipped, 22)
	rs.Reason = store.Filtered
	must(t, s.Record(ctx, ra, rs))
	checkOutcomes(t, s, store.OutcomeFilter{}, ra, b, rs, d)
	checkLedger(t, s, ra)
	must(t, s.Record(ctx, again(p, store.Parked, 23), again(p, store.Applied, 24), again(q, store.Parked, 25)))
	checkOutcomes(t, s, store.OutcomeFilter{}, ra, b, rs, d)
	checkOutcomes(t, s, store.OutcomeFilter{Result: store.Parked})
	checkOutcomes(t, s, store.OutcomeFilter{Key: "A", Result: store.Applied}, ra)
}

func testDuplicatesWithinBatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := outcome("orders", "W", 1, store.Parked)
	must(t, s.Record(ctx, w))

	x := outcome("orders", "X", 2, store.Parked)
	y := outcome("orders", "Y", 3, store.Applied)
	z := outcome("orders", "Z", 4, store.Applied)
	xp := again(x, store.Parked, 5)   // re-park of X in the batch: replaces x
	xa := again(x, store.Applied, 6)  // replaces xp
	xs := again(x, store.Skipped, 7)  // dropped: X has an applied outcome
	zp := again(z, store.Parked, 8)   // dropped: z is applied
	wp := again(w, store.Parked, 9)   // replaces the stored w
	wa := again(w, store.Applied, 10) // replaces wp
	wx := again(w, store.Skipped, 11) // dropped
	must(t, s.Record(ctx, x, y, xp, z, wp, xa, zp, wa, xs, wx))
	checkOutcomes(t, s, store.OutcomeFilter{}, wa, xa, y, z)

	// A batch larger than a database chunk, its repeats far from the change's
	// first outcome.
	var big, want []store.Outcome
	for n := range 600 {
		o := outcome("bulk", fmt.Sprintf("K%04d", n), n, store.Parked)
		big = append(big, o)
		want = append(want, o)
	}
	for n := range 600 {
		if n%3 == 0 {
			o := again(want[n], store.Applied, 1000+n)
			big = append(big, o)
			want[n] = o
		}
		if n%5 == 0 {
			big = append(big, again(want[n], store.Parked, 2000+n)) // drops after an applied
			if n%3 != 0 {
				want[n] = big[len(big)-1]
			}
		}
	}
	must(t, s.Record(ctx, big...))
	checkOutcomes(t, s, store.OutcomeFilter{Flow: "bulk"}, want...)
}

// testDuplicatesConcurrent has several writers record the same changes at
// once, in the same order, as replicas re-reading a source might: each change
// ends with exactly one outcome.
func testDuplicatesConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	const workers, changes = 6, 120
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b []store.Outcome
			for n := range changes {
				o := outcome("orders", fmt.Sprintf("K%03d", n), n, []store.Result{store.Parked, store.Applied, store.Skipped}[(n+w)%3])
				o.Detail = fmt.Sprintf("worker %d", w)
				b = append(b, o)
			}
			for len(b) > 0 {
				k := min(len(b), 25)
				if err := s.Record(ctx, b[:k]...); err != nil {
					errs <- err
					return
				}
				b = b[k:]
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	outs := collect(t, s.Outcomes(ctx, store.OutcomeFilter{}))
	if len(outs) != changes {
		t.Fatalf("%d writers recording the same %d changes left %d outcomes, want %d", workers, changes, len(outs), changes)
	}
	for i, o := range outs {
		if want := fmt.Sprintf("K%03d", i); o.Key != want {
			t.Fatalf("outcome %d is for %s, want %s", i, o.Key, want)
		}
		if o.Result == store.Parked {
			t.Errorf("%s ended parked, though some writer recorded a result other than parked", o.Key)
		}
	}
}

func testLedgerMovesWithEntity(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := outcome("orders", "A", 1, store.Applied)
	b := outcome("orders", "B", 2, store.Applied)
	must(t, s.Record(ctx, a, b))

	// The engine skips a newer version that changes nothing (or nothing the
	// source owns) with the entry's fields and the newer version: the entry
	// moves to that version, so a later, older change is seen as stale.
	moved := func(prev store.Outcome, n int, r store.Reason) store.Outcome {
		o := outcome(prev.Flow, prev.Key, n, store.Skipped)
		o.Reason = r
		o.Entity, o.Target, o.IdempotencyKey = prev.Entity, prev.Target, prev.IdempotencyKey
		return o
	}
	ua := moved(a, 3, store.Unchanged)
	nb := moved(b, 4, store.NotOwner)
	must(t, s.Record(ctx, ua, nb))
	checkLedger(t, s, ua)
	checkLedger(t, s, nb)

	// Skipped and Parked outcomes without an Entity leave it alone.
	stale := outcome("orders", "A", 0, store.Skipped)
	stale.Reason = store.Stale
	filtered := outcome("orders", "B", 5, store.Skipped)
	filtered.Reason = store.Filtered
	must(t, s.Record(ctx, stale, filtered, outcome("orders", "A", 6, store.Parked)))
	checkLedger(t, s, ua)
	checkLedger(t, s, nb)
	if _, ok, _ := s.LastApplied(ctx, "orders", "C"); ok {
		t.Error("a Skipped outcome without an Entity created a ledger entry")
	}

	// In a batch, the last outcome with an Entity per key wins, whatever its
	// Result, and outcomes without one in between do not count.
	a7 := outcome("orders", "A", 7, store.Applied)
	u8 := moved(a7, 8, store.Unchanged)
	b9 := outcome("orders", "B", 9, store.Applied)
	u10 := moved(b9, 10, store.NotOwner)
	a11 := outcome("orders", "A", 11, store.Skipped)
	must(t, s.Record(ctx, a7, u10, b9, u8, a11))
	checkLedger(t, s, u8)
	checkLedger(t, s, b9)
	checkOutcomes(t, s, store.OutcomeFilter{Key: "A", Result: store.Skipped}, ua, stale, u8, a11)
}

func testIteratorsAllowWrites(t *testing.T, s store.Store) {
	// More records than one page of a paging store (sqlstore reads 500 a
	// query), so the loop body writes between pages too.
	ctx := t.Context()
	var b []store.Outcome
	for n := range 700 {
		b = append(b, outcome("read", fmt.Sprintf("K%d", n), n, store.Skipped))
	}
	must(t, s.Record(ctx, b...))
	for n := range 520 {
		if _, err := s.Park(ctx, exception("read", fmt.Sprintf("K%d", n), n)); err != nil {
			t.Fatal(err)
		}
	}
	within(t, 30*time.Second, func() {
		seen := 0
		for o, err := range s.Outcomes(ctx, store.OutcomeFilter{Flow: "read"}) {
			must(t, err)
			if seen%10 == 0 { // write inside the loop, to the same store: must not deadlock
				must(t, s.Record(ctx, outcome("write", o.Key, seen, store.Applied)))
			}
			seen++
		}
		if seen != 700 {
			t.Errorf("Outcomes yielded %d outcomes while the loop wrote, want 700", seen)
		}
		seen = 0
		for ex, err := range s.Exceptions(ctx, store.ExceptionFilter{Flow: "read", Limit: 510}) {
			must(t, err)
			if seen%5 == 0 {
				must(t, s.CloseException(ctx, ex.ID, store.Resolved, "replayed"))
			}
			if seen%50 == 0 {
				if _, err := s.Park(ctx, exception("write", ex.Key, seen)); err != nil {
					t.Fatal(err)
				}
			}
			seen++
		}
		if seen != 510 {
			t.Errorf("Exceptions with Limit 510 yielded %d while the loop wrote, want 510", seen)
		}
	})
	if got := collect(t, s.Outcomes(ctx, store.OutcomeFilter{Flow: "write"})); len(got) != 70 {
		t.Errorf("the loop recorded %d outcomes, want 70", len(got))
	}
	if got := collect(t, s.Exceptions(ctx, store.ExceptionFilter{Flow: "write"})); len(got) != 11 {
		t.Errorf("the loop parked %d exceptions, want 11", len(got))
	}
	closed := collect(t, s.Exceptions(ctx, store.ExceptionFilter{Flow: "read", Status: store.Resolved}))
	if len(closed) != 102 || closed[101].Key != "K505" {
		t.Errorf("the loop closed %d exceptions (%v), want 102, every fifth up to K505", len(closed), keys(closed))
	}
}

// exception builds a distinct, fully populated new exception.
func exception(flow, key string, n int) store.Exception {
	return store.Exception{
		Flow:      flow,
		Key:       key,
		System:    "shopify",
		Op:        connector.Op(n % 2),
		Version:   connector.Version{Seq: int64(n + 1), At: base().Add(time.Duration(n) * time.Minute)},
		Cursor:    connector.Cursor(fmt.Sprintf("cur-%d", n)),
		Kind:      []connector.Kind{connector.Invalid, connector.BusinessRule, connector.Conflict}[n%3],
		Message:   fmt.Sprintf("problem %d", n),
		Fields:    []canonical.FieldError{{Path: "lines[0].sku", Code: "required", Message: "is required"}, {Path: "total", Code: "range", Message: "too big", Value: fmt.Sprint(n)}},
		Payload:   json.RawMessage(fmt.Sprintf(`{"id":%d,"raw":true}`, n)),
		Source:    json.RawMessage(fmt.Sprintf(`{"number":"%d"}`, n)),
		Mapped:    json.RawMessage(fmt.Sprintf(`{"mapped":%d}`, n)),
		BlockedBy: "",
		Attempts:  1,
		FirstSeen: base().Add(time.Duration(n) * time.Hour),
		LastSeen:  base().Add(time.Duration(n)*time.Hour + time.Nanosecond),
	}
}

func testParkAndUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	ex1 := exception("orders", "A", 1)
	id1, err := s.Park(ctx, ex1)
	must(t, err)
	ex2 := exception("orders", "B", 2)
	ex2.FirstSeen = time.Time{}
	ex2.Fields, ex2.Mapped, ex2.Payload = nil, nil, nil
	ex2.BlockedBy = id1
	id2, err := s.Park(ctx, ex2)
	must(t, err)
	if id1 != "ex-000001" || id2 != "ex-000002" {
		t.Fatalf("Park gave IDs %q, %q; want ex-000001, ex-000002", id1, id2)
	}

	ex1.ID, ex1.Status = id1, store.Open
	checkException(t, s, ex1)
	ex2.ID, ex2.Status, ex2.FirstSeen = id2, store.Open, ex2.LastSeen
	checkException(t, s, ex2)

	// Re-park: a replay that failed again replaces only what the replay changes.
	re := exception("other", "Z", 7)
	re.ID = id1
	re.Status = store.Discarded
	re.Attempts = 2
	re.Kind = connector.Unsupported
	re.Fields = []canonical.FieldError{{Path: "sku", Code: "unknown", Message: "no such product"}}
	if got, err := s.Park(ctx, re); err != nil || got != id1 {
		t.Fatalf("re-Park(%s) = %q, %v; want the same ID", id1, got, err)
	}
	want := ex1
	want.Attempts, want.LastSeen, want.Kind, want.Message, want.Fields, want.Mapped = re.Attempts, re.LastSeen, re.Kind, re.Message, re.Fields, re.Mapped
	checkException(t, s, want)
	// Clearing Fields and Mapped on re-park clears them.
	re.Fields, re.Mapped, re.Attempts = nil, nil, 3
	_, err = s.Park(ctx, re)
	must(t, err)
	want.Fields, want.Mapped, want.Attempts = nil, nil, 3
	checkException(t, s, want)

	// An unknown ID is parked as new under a fresh ID.
	for _, unknown := range []string{"ex-000099", "ex-3", "custom"} {
		ex := exception("orders", "C", 3)
		ex.ID = unknown
		id, err := s.Park(ctx, ex)
		must(t, err)
		if id == unknown || id == id1 || id == id2 {
			t.Errorf("Park with unknown ID %q gave %q, want a fresh ID", unknown, id)
		}
		if _, err := s.Exception(ctx, unknown); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Exception(%q) after parking it as new: err = %v, want ErrNotFound", unknown, err)
		}
	}
	if n := len(collect(t, s.Exceptions(ctx, store.ExceptionFilter{}))); n != 5 {
		t.Errorf("store holds %d exceptions, want 5", n)
	}
	for _, id := range []string{"", "ex-000000", "ex-000006", "ex-1", "EX-000001", "ex-00000x"} {
		if _, err := s.Exception(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Exception(%q): err = %v, want ErrNotFound", id, err)
		}
	}
}

func checkException(t *testing.T, s store.Store, want store.Exception) {
	t.Helper()
	got, err := s.Exception(t.Context(), want.ID)
	if err != nil {
		t.Fatalf("Exception(%q): %v", want.ID, err)
	}
	if d := diffException(got, want); d != "" {
		t.Errorf("Exception(%q): %s", want.ID, d)
	}
}

func testExceptionsList(t *testing.T, s store.Store) {
	ctx := t.Context()
	var all []store.Exception
	for n := range 30 {
		ex := exception([]string{"orders", "stock"}[n%2], fmt.Sprintf("K%d", n%4), n)
		id, err := s.Park(ctx, ex)
		must(t, err)
		ex.ID, ex.Status = id, store.Open
		all = append(all, ex)
	}
	for i := range all {
		if i%5 == 0 {
			must(t, s.CloseException(ctx, all[i].ID, store.Discarded, "duplicate order"))
			all[i].Status, all[i].Resolution = store.Discarded, "duplicate order"
		}
	}
	filters := []store.ExceptionFilter{
		{},
		{Flow: "stock"},
		{Key: "K2"},
		{Kind: connector.BusinessRule},
		{Status: store.Open},
		{Status: store.Discarded},
		{Flow: "orders", Key: "K0", Status: store.Open},
		{Flow: "orders", Kind: connector.Conflict},
		{Limit: 4},
		{Flow: "stock", Status: store.Open, Limit: 3},
		{Flow: "stock", Limit: 100},
		{Status: store.Resolved},
	}
	for _, f := range filters {
		var want []store.Exception
		for _, ex := range all {
			if (f.Flow == "" || ex.Flow == f.Flow) && (f.Key == "" || ex.Key == f.Key) &&
				(f.Kind == connector.Unknown || ex.Kind == f.Kind) && (f.Status == "" || ex.Status == f.Status) &&
				(f.Limit == 0 || len(want) < f.Limit) {
				want = append(want, ex)
			}
		}
		got := collect(t, s.Exceptions(ctx, f))
		if len(got) != len(want) {
			t.Errorf("Exceptions(%+v) gave %d (%v), want %d (%v)", f, len(got), keys(got), len(want), keys(want))
			continue
		}
		for i := range got {
			if d := diffException(got[i], want[i]); d != "" {
				t.Errorf("Exceptions(%+v)[%d]: %s", f, i, d)
				break
			}
		}
	}
}

func testOpenAndClose(t *testing.T, s store.Store) {
	ctx := t.Context()
	if _, ok, err := s.OpenException(ctx, "orders", "A"); err != nil || ok {
		t.Fatalf("OpenException with none parked = ok %v, err %v", ok, err)
	}
	var ids []string
	for n := range 3 {
		id, err := s.Park(ctx, exception("orders", "A", n))
		must(t, err)
		ids = append(ids, id)
		_, err = s.Park(ctx, exception("orders", "B", n)) // another key
		must(t, err)
		_, err = s.Park(ctx, exception("stock", "A", n)) // another flow
		must(t, err)
	}
	wantOpen := func(want string) {
		t.Helper()
		ex, ok, err := s.OpenException(ctx, "orders", "A")
		switch {
		case err != nil:
			t.Fatal(err)
		case want == "" && ok:
			t.Errorf("OpenException = %s, want none", ex.ID)
		case want != "" && (!ok || ex.ID != want):
			t.Errorf("OpenException = %q (ok %v), want %q", ex.ID, ok, want)
		}
	}
	wantOpen(ids[0])
	// Re-parking the oldest keeps it the oldest.
	re := exception("orders", "A", 9)
	re.ID = ids[0]
	_, err := s.Park(ctx, re)
	must(t, err)
	wantOpen(ids[0])

	must(t, s.CloseException(ctx, ids[0], store.Resolved, "applied"))
	ex, err := s.Exception(ctx, ids[0])
	must(t, err)
	if ex.Status != store.Resolved || ex.Resolution != "applied" {
		t.Errorf("closed exception has status %q resolution %q", ex.Status, ex.Resolution)
	}
	wantOpen(ids[1])
	must(t, s.CloseException(ctx, ids[2], store.Discarded, "cancelled in the shop"))
	wantOpen(ids[1])
	must(t, s.CloseException(ctx, ids[1], store.Discarded, "cancelled"))
	wantOpen("")

	if err := s.CloseException(ctx, "ex-999999", store.Resolved, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CloseException of an unknown ID: err = %v, want ErrNotFound", err)
	}
	if err := s.CloseException(ctx, ids[0], store.Open, ""); !errors.Is(err, connector.Invalid) {
		t.Errorf("CloseException to Open: err = %v, want connector.Invalid", err)
	}
}

func testLeases(t *testing.T, s store.Store) {
	ctx := t.Context()
	ttl := 30 * time.Second
	t0 := base()
	acquire := func(name, owner string, now time.Time, want bool) {
		t.Helper()
		got, err := s.AcquireLease(ctx, name, owner, now, ttl)
		if err != nil || got != want {
			t.Fatalf("AcquireLease(%s, %s, t0%+v) = %v, %v; want %v", name, owner, now.Sub(t0), got, err, want)
		}
	}
	acquire("orders", "r1", t0, true)
	acquire("orders", "r2", t0, false)
	acquire("orders", "r1", t0.Add(20*time.Second), true) // renew: now held until t0+50s
	acquire("stock", "r2", t0.Add(20*time.Second), true)  // leases are independent
	acquire("orders", "r2", t0.Add(40*time.Second), false)
	acquire("orders", "r2", t0.Add(50*time.Second), false) // the end instant is still held
	acquire("orders", "r2", t0.Add(50*time.Second+time.Nanosecond), true)
	acquire("orders", "r1", t0.Add(51*time.Second), false)

	must(t, s.ReleaseLease(ctx, "orders", "r1")) // not the holder: no effect
	acquire("orders", "r1", t0.Add(52*time.Second), false)
	must(t, s.ReleaseLease(ctx, "orders", "r2"))
	acquire("orders", "r1", t0.Add(52*time.Second), true)
	must(t, s.ReleaseLease(ctx, "never", "r1"))
}

func testDeliveries(t *testing.T, s store.Store) {
	ctx := t.Context()
	ttl := time.Hour
	t0 := base()
	seen := func(system, id string, now time.Time, want bool) {
		t.Helper()
		got, err := s.SeenDelivery(ctx, system, id, now, ttl)
		if err != nil || got != want {
			t.Fatalf("SeenDelivery(%s, %s, t0%+v) = %v, %v; want %v", system, id, now.Sub(t0), got, err, want)
		}
	}
	seen("shopify", "d1", t0, false)
	seen("shopify", "d1", t0.Add(time.Minute), true)
	seen("stripe", "d1", t0.Add(time.Minute), false)
	seen("shopify", "d2", t0.Add(time.Minute), false)
	seen("shopify", "d1", t0.Add(ttl-time.Nanosecond), true) // a repeat does not extend it
	seen("shopify", "d1", t0.Add(ttl+time.Nanosecond), false)
	seen("shopify", "d1", t0.Add(ttl+2*time.Nanosecond), true)
	seen("shopify", "d2", t0.Add(ttl+time.Minute), false)
	// Many deliveries, then a long pause: all are forgotten.
	for i := range 50 {
		seen("many", fmt.Sprint(i), t0.Add(time.Duration(i)*time.Second), false)
	}
	for i := range 50 {
		seen("many", fmt.Sprint(i), t0.Add(3*ttl), false)
	}
	seen("many", "7", t0.Add(3*ttl+time.Second), true)
}

func ref(system, id string) canonical.ExternalRef {
	return canonical.ExternalRef{System: system, ID: id}
}

func testCrosswalkLink(t *testing.T, s store.Store) {
	ctx := t.Context()
	if id, ok, err := s.Lookup(ctx, "Customer", ref("shopify", "1")); err != nil || ok {
		t.Fatalf("Lookup of an unlinked ref = %q, %v, %v", id, ok, err)
	}
	if refs, err := s.Refs(ctx, "Customer", "cust-1"); err != nil || len(refs) != 0 {
		t.Fatalf("Refs of an unknown ID = %v, %v", refs, err)
	}
	shop1 := canonical.ExternalRef{System: "shopify", ID: "1", Version: "v1"}
	shop2 := ref("shopify", "2")
	erp := canonical.ExternalRef{System: "bc:prod", Type: "Customer", ID: "C100", Version: "etag-1"}
	must(t, s.Link(ctx, "Customer", "cust-1", shop1))
	must(t, s.Link(ctx, "Customer", "cust-1", erp))
	must(t, s.Link(ctx, "Customer", "cust-1", shop2)) // many-to-one
	must(t, s.Link(ctx, "Customer", "cust-1", shop2)) // again: no-op
	must(t, s.Link(ctx, "SalesOrder", "so-1", ref("shopify", "1")))
	lookup(t, s, "Customer", shop1, "cust-1")
	lookup(t, s, "Customer", shop2, "cust-1")
	lookup(t, s, "Customer", erp, "cust-1")
	lookup(t, s, "SalesOrder", shop1, "so-1") // entities are separate
	// Type is part of a ref's identity; Version is not.
	lookup(t, s, "Customer", canonical.ExternalRef{System: "bc:prod", ID: "C100"}, "")
	lookup(t, s, "Customer", canonical.ExternalRef{System: "shopify", ID: "1", Version: "other"}, "cust-1")
	refsOf(t, s, "Customer", "cust-1", erp, shop1, shop2)

	// Relinking keeps the latest Version.
	shop1.Version = "v2"
	must(t, s.Link(ctx, "Customer", "cust-1", shop1))
	refsOf(t, s, "Customer", "cust-1", erp, shop1, shop2)

	// Re-point: the ref moves to the other ID.
	must(t, s.Link(ctx, "Customer", "cust-2", shop2))
	lookup(t, s, "Customer", shop2, "cust-2")
	refsOf(t, s, "Customer", "cust-1", erp, shop1)
	refsOf(t, s, "Customer", "cust-2", shop2)
}

func testCrosswalkMerge(t *testing.T, s store.Store) {
	ctx := t.Context()
	a1, a2, b1, c1, d1 := ref("shopify", "a1"), ref("shopify", "a2"), ref("crm", "b1"), ref("bc", "c1"), ref("bc", "d1")
	must(t, s.Link(ctx, "Customer", "A", a1))
	must(t, s.Link(ctx, "Customer", "A", a2))
	must(t, s.Link(ctx, "Customer", "B", b1))
	must(t, s.Link(ctx, "Customer", "C", c1))
	must(t, s.Link(ctx, "Customer", "D", d1))

	must(t, s.Merge(ctx, "Customer", "A", "B"))
	lookup(t, s, "Customer", a1, "B")
	lookup(t, s, "Customer", b1, "B")
	refsOf(t, s, "Customer", "B", b1, a1, a2)
	refsOf(t, s, "Customer", "A", b1, a1, a2) // the alias resolves

	// A chain: A -> B -> C resolves to C.
	must(t, s.Merge(ctx, "Customer", "B", "C"))
	lookup(t, s, "Customer", a2, "C")
	lookup(t, s, "Customer", b1, "C")
	refsOf(t, s, "Customer", "C", c1, b1, a1, a2)
	refsOf(t, s, "Customer", "A", c1, b1, a1, a2)

	// Merging back into a merged-away ID is a no-op: it is the same entity.
	must(t, s.Merge(ctx, "Customer", "C", "A"))
	must(t, s.Merge(ctx, "Customer", "C", "C"))
	lookup(t, s, "Customer", a1, "C")
	lookup(t, s, "Customer", c1, "C")

	// Merging into an alias lands on its survivor.
	must(t, s.Merge(ctx, "Customer", "D", "A"))
	lookup(t, s, "Customer", d1, "C")
	refsOf(t, s, "Customer", "C", c1, d1, b1, a1, a2)

	// Linking to a merged-away ID resolves too, and re-pointing out of the
	// merged entity removes the ref from it.
	e1 := ref("shopify", "e1")
	must(t, s.Link(ctx, "Customer", "A", e1))
	lookup(t, s, "Customer", e1, "C")
	must(t, s.Link(ctx, "Customer", "Z", a1))
	lookup(t, s, "Customer", a1, "Z")
	refsOf(t, s, "Customer", "C", c1, d1, b1, a2, e1)

	// Merges do not cross entities.
	must(t, s.Link(ctx, "Product", "A", ref("shopify", "p1")))
	lookup(t, s, "Product", ref("shopify", "p1"), "A")
}

// testConcurrentMerges folds a row of IDs into one from many goroutines at
// once, in no particular order: every ref must end up resolving to one
// surviving ID that lists them all, however the merges interleaved.
func testConcurrentMerges(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 12
	var all []canonical.ExternalRef
	for i := range n {
		r := ref("shopify", fmt.Sprint(i))
		must(t, s.Link(ctx, "Customer", fmt.Sprintf("c%d", i), r))
		all = append(all, r)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Merge(ctx, "Customer", fmt.Sprintf("c%d", i), fmt.Sprintf("c%d", i+1)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	survivor, ok, err := s.Lookup(ctx, "Customer", all[0])
	if err != nil || !ok {
		t.Fatalf("Lookup after merges: %v, %v", ok, err)
	}
	for _, r := range all {
		lookup(t, s, "Customer", r, survivor)
	}
	refsOf(t, s, "Customer", survivor, all...)
	refsOf(t, s, "Customer", "c0", all...)
}

func lookup(t *testing.T, s store.Store, entity string, r canonical.ExternalRef, want string) {
	t.Helper()
	id, ok, err := s.Lookup(t.Context(), entity, r)
	if err != nil || ok != (want != "") || id != want {
		t.Errorf("Lookup(%s, %v) = %q, %v, %v; want %q", entity, r, id, ok, err, want)
	}
}

func refsOf(t *testing.T, s store.Store, entity, id string, want ...canonical.ExternalRef) {
	t.Helper()
	got, err := s.Refs(t.Context(), entity, id)
	if err != nil {
		t.Fatalf("Refs(%s, %s): %v", entity, id, err)
	}
	slices.SortFunc(want, func(a, b canonical.ExternalRef) int {
		return strings.Compare(a.System+"\x00"+a.Type+"\x00"+a.ID, b.System+"\x00"+b.Type+"\x00"+b.ID)
	})
	if !slices.Equal(got, want) {
		t.Errorf("Refs(%s, %s) = %v, want %v (sorted by system, type, ID)", entity, id, got, want)
	}
}

func testInvalid(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := base()
	badStatus := exception("orders", "A", 1)
	badStatus.Status = "pending"
	badKind := exception("orders", "A", 1)
	badKind.Kind = connector.Kind(200)
	calls := map[string]func() error{
		"SaveCheckpoint without flow": func() error { return s.SaveCheckpoint(ctx, "", "c") },
		"Record without flow":         func() error { return s.Record(ctx, store.Outcome{Key: "A", Result: store.Applied}) },
		"Park without flow":           func() error { _, err := s.Park(ctx, store.Exception{Key: "A"}); return err },
		"Park with unknown status":    func() error { _, err := s.Park(ctx, badStatus); return err },
		"Park with unknown kind":      func() error { _, err := s.Park(ctx, badKind); return err },
		"AcquireLease without owner": func() error {
			_, err := s.AcquireLease(ctx, "orders", "", now, time.Second)
			return err
		},
		"SeenDelivery without ID": func() error {
			_, err := s.SeenDelivery(ctx, "shopify", "", now, time.Second)
			return err
		},
		"Link without ref ID":   func() error { return s.Link(ctx, "Customer", "c1", ref("shopify", "")) },
		"Link without entity":   func() error { return s.Link(ctx, "", "c1", ref("shopify", "1")) },
		"Link without ID":       func() error { return s.Link(ctx, "Customer", "", ref("shopify", "1")) },
		"Merge without a loser": func() error { return s.Merge(ctx, "Customer", "", "c1") },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, connector.Invalid) {
			t.Errorf("%s: err = %v, want one matching connector.Invalid", name, err)
		}
	}
	if n := len(collect(t, s.Exceptions(ctx, store.ExceptionFilter{}))); n != 0 {
		t.Errorf("refused Parks stored %d exceptions", n)
	}
}

func testCancelled(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Record(ctx, outcome("orders", "A", 1, store.Applied)); err == nil {
		t.Error("Record with a cancelled context succeeded")
	}
	if _, err := s.Park(ctx, exception("orders", "A", 1)); err == nil {
		t.Error("Park with a cancelled context succeeded")
	}
	var err error
	for _, e := range s.Outcomes(ctx, store.OutcomeFilter{}) {
		err = e
	}
	if err == nil {
		t.Error("Outcomes with a cancelled context yielded no error")
	}
	if got := collect(t, s.Outcomes(t.Context(), store.OutcomeFilter{})); len(got) != 0 {
		t.Errorf("a cancelled Record stored %d outcomes", len(got))
	}
}

func testConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	const workers, rounds, batch = 8, 25, 4
	var wg sync.WaitGroup
	ids := make([][]string, workers)
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				var b []store.Outcome
				for i := range batch {
					b = append(b, outcome("orders", fmt.Sprintf("w%d-k%d", w, i), r*batch+i, store.Applied))
				}
				if err := s.Record(ctx, b...); err != nil {
					errs <- err
					return
				}
				id, err := s.Park(ctx, exception("orders", fmt.Sprintf("w%d", w), r))
				if err != nil {
					errs <- err
					return
				}
				ids[w] = append(ids[w], id)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	outs := collect(t, s.Outcomes(ctx, store.OutcomeFilter{Flow: "orders"}))
	if len(outs) != workers*rounds*batch {
		t.Fatalf("%d concurrent writers recorded %d outcomes, want %d", workers, len(outs), workers*rounds*batch)
	}
	// Each writer's outcomes appear in the order it recorded them.
	last := map[string]int64{}
	for _, o := range outs {
		if o.Version.Seq <= last[o.Key] {
			t.Fatalf("outcome for %s version %d listed after version %d", o.Key, o.Version.Seq, last[o.Key])
		}
		last[o.Key] = o.Version.Seq
	}
	for w := range workers {
		for i := range batch {
			key := fmt.Sprintf("w%d-k%d", w, i)
			e, ok, err := s.LastApplied(ctx, "orders", key)
			if err != nil || !ok || e.Version.Seq != int64((rounds-1)*batch+i+1) {
				t.Errorf("LastApplied(%s) = seq %d, %v, %v; want the last round's", key, e.Version.Seq, ok, err)
			}
		}
	}
	exs := collect(t, s.Exceptions(ctx, store.ExceptionFilter{}))
	if len(exs) != workers*rounds {
		t.Fatalf("concurrent Parks stored %d exceptions, want %d", len(exs), workers*rounds)
	}
	seen := map[string]bool{}
	for _, ex := range exs {
		if seen[ex.ID] {
			t.Fatalf("exception ID %s listed twice", ex.ID)
		}
		seen[ex.ID] = true
	}
	for w := range workers {
		for _, id := range ids[w] {
			if !seen[id] {
				t.Errorf("Park returned %s but Exceptions does not list it", id)
			}
		}
		open, ok, err := s.OpenException(ctx, "orders", fmt.Sprintf("w%d", w))
		if err != nil || !ok || open.ID != ids[w][0] {
			t.Errorf("OpenException(w%d) = %s, %v, %v; want its first, %s", w, open.ID, ok, err, ids[w][0])
		}
	}
}

// BenchmarkRecord measures Record with batches of batch Applied outcomes over a
// rolling set of keys, as the flow engine writes them, and reports outcomes/s.
func BenchmarkRecord(b *testing.B, s store.Store, batch int) {
	ctx := b.Context()
	const nkeys = 10_000
	keys := make([]string, nkeys)
	targets := make([]canonical.ExternalRef, nkeys)
	for k := range keys {
		keys[k] = fmt.Sprintf("K%05d", k)
		targets[k] = canonical.ExternalRef{System: "erp", ID: "SO-" + keys[k]}
	}
	entity := json.RawMessage(`{"number":"SO-1001","customer":"C-42","lines":[{"sku":"ABC-1","qty":"2","price":"19.99 EUR"},{"sku":"XYZ-9","qty":"1","price":"5.00 EUR"}],"total":"44.98 EUR"}`)
	outs := make([]store.Outcome, batch)
	at := base()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for i := range outs {
			k := (n*batch + i) % nkeys
			outs[i] = store.Outcome{
				Flow: "orders", Key: keys[k], Version: connector.SeqVersion(int64(n + 1)),
				Result: store.Applied, IdempotencyKey: keys[k], Entity: entity, Target: targets[k], At: at,
			}
		}
		if err := s.Record(ctx, outs...); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n*batch)/b.Elapsed().Seconds(), "outcomes/s")
}

// Helpers.

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func collect[T any](t *testing.T, seq iter.Seq2[T, error]) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// within fails the test if fn does not return in d: a deadlocked iterator
// would otherwise hang until the test binary's timeout.
func within(t *testing.T, d time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("did not finish in %v: does an iterator hold a lock or connection while yielding?", d)
	}
}

func keys(exs []store.Exception) []string {
	var ks []string
	for _, ex := range exs {
		ks = append(ks, ex.ID+"/"+ex.Flow+"/"+ex.Key)
	}
	return ks
}

// differ collects field differences.
type differ []string

func (d *differ) eq(field string, got, want any) {
	if got != want {
		*d = append(*d, fmt.Sprintf("%s = %v, want %v", field, got, want))
	}
}

func (d *differ) time(field string, got, want time.Time) {
	if !got.Equal(want) {
		*d = append(*d, fmt.Sprintf("%s = %v, want %v", field, got, want))
	} else if !got.IsZero() && got.Location() != time.UTC {
		*d = append(*d, fmt.Sprintf("%s is in %v, want UTC", field, got.Location()))
	}
}

func (d *differ) raw(field string, got, want []byte) {
	if !bytes.Equal(got, want) {
		*d = append(*d, fmt.Sprintf("%s = %s, want %s", field, got, want))
	}
}

func (d *differ) version(field string, got, want connector.Version) {
	d.eq(field+".Seq", got.Seq, want.Seq)
	d.time(field+".At", got.At, want.At)
	d.eq(field+".Tag", got.Tag, want.Tag)
}

func (d differ) String() string { return strings.Join(d, "; ") }

// diffOutcome compares a listed outcome with the one recorded. The log keeps
// no Entity (the ledger does), so a listed outcome must have none.
func diffOutcome(got, want store.Outcome) string {
	var d differ
	want.Entity = nil
	d.eq("Flow", got.Flow, want.Flow)
	d.eq("Key", got.Key, want.Key)
	d.version("Version", got.Version, want.Version)
	d.eq("Result", got.Result, want.Result)
	d.eq("Reason", got.Reason, want.Reason)
	d.eq("Detail", got.Detail, want.Detail)
	d.eq("IdempotencyKey", got.IdempotencyKey, want.IdempotencyKey)
	d.raw("Entity", got.Entity, want.Entity)
	d.eq("Target", got.Target, want.Target)
	d.eq("Exception", got.Exception, want.Exception)
	d.time("At", got.At, want.At)
	return d.String()
}

func diffLedger(got, want store.LedgerEntry) string {
	var d differ
	d.eq("Flow", got.Flow, want.Flow)
	d.eq("Key", got.Key, want.Key)
	d.version("Version", got.Version, want.Version)
	d.eq("IdempotencyKey", got.IdempotencyKey, want.IdempotencyKey)
	d.raw("Entity", got.Entity, want.Entity)
	d.eq("Target", got.Target, want.Target)
	d.time("At", got.At, want.At)
	return d.String()
}

func diffException(got, want store.Exception) string {
	var d differ
	d.eq("ID", got.ID, want.ID)
	d.eq("Flow", got.Flow, want.Flow)
	d.eq("Key", got.Key, want.Key)
	d.eq("System", got.System, want.System)
	d.eq("Op", got.Op, want.Op)
	d.version("Version", got.Version, want.Version)
	d.eq("Cursor", got.Cursor, want.Cursor)
	d.eq("Kind", got.Kind, want.Kind)
	d.eq("Message", got.Message, want.Message)
	if !slices.Equal(got.Fields, want.Fields) {
		d = append(d, fmt.Sprintf("Fields = %v, want %v", got.Fields, want.Fields))
	}
	d.raw("Payload", got.Payload, want.Payload)
	d.raw("Source", got.Source, want.Source)
	d.raw("Mapped", got.Mapped, want.Mapped)
	d.eq("BlockedBy", got.BlockedBy, want.BlockedBy)
	d.eq("Attempts", got.Attempts, want.Attempts)
	d.time("FirstSeen", got.FirstSeen, want.FirstSeen)
	d.time("LastSeen", got.LastSeen, want.LastSeen)
	d.eq("Status", got.Status, want.Status)
	d.eq("Resolution", got.Resolution, want.Resolution)
	return d.String()
}

// testLastAppliedMany checks the optional batch read against LastApplied.
func testLastAppliedMany(t *testing.T, s store.Store) {
	lb, ok := s.(store.LedgerBatch)
	if !ok {
		t.Skip("the store does not implement store.LedgerBatch")
	}
	ctx := t.Context()
	var keys []string
	for i := range 700 { // more than one SQL chunk
		k := fmt.Sprintf("K%03d", i)
		keys = append(keys, k)
		if i%3 != 0 {
			if err := s.Record(ctx, outcome("many", k, i, store.Applied)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.Record(ctx, outcome("other", "K001", 1, store.Applied)); err != nil {
		t.Fatal(err)
	}
	got, err := lb.LastAppliedMany(ctx, "many", append(keys, "missing"))
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		want, has, err := s.LastApplied(ctx, "many", k)
		if err != nil {
			t.Fatal(err)
		}
		e, in := got[k]
		if in != has || (i%3 == 0) == has {
			t.Fatalf("%s: batch has %v, LastApplied has %v", k, in, has)
		}
		if has && (e.Version.String() != want.Version.String() || string(e.Entity) != string(want.Entity) || e.Target != want.Target) {
			t.Errorf("%s: batch entry %+v, LastApplied %+v", k, e, want)
		}
	}
	if _, in := got["missing"]; in || len(got) != 466 {
		t.Errorf("batch returned %d entries, want 466 and none for a missing key", len(got))
	}
}
