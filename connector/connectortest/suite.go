package connectortest

import (
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
)

// Harness tells the conformance suite how to drive and inspect the system
// under test. Set Source, Sink or both; every check that needs a function the
// harness leaves nil, or a capability the connector lacks, is skipped and says
// why.
//
// The suite runs its checks one after another, never in parallel, and makes
// new records for each check, with keys that start with "conformance-". Give
// it a fresh system (a new fake server) for every Run.
type Harness[T any] struct {
	// System is the name the connector reports: the System of the changes the
	// Source yields and of the Refs the Sink returns. Empty skips comparing
	// them.
	System string

	// Source is the source under test; nil skips the source checks.
	Source connector.Source[T]
	// Create makes n new records directly in the system (not through Sink) and
	// returns their keys, as the Source reports them, in creation order. The
	// source checks need it.
	Create func(ctx context.Context, n int) ([]string, error)
	// Update changes the record key directly in the system, so that the Source
	// reports a newer version of it (optional).
	Update func(ctx context.Context, key string) error
	// Records is how many records the source checks create to read back
	// (default 5, at least 3). Set it above the source's page size so that
	// resuming is tested across a page boundary.
	Records int

	// Sink is the sink under test; nil skips the sink checks.
	Sink connector.Sink[T]
	// Entity returns a valid entity to write for key at revision rev (1, 2,
	// ...). Entities for different revisions must differ. The sink checks need
	// it.
	Entity func(key string, rev int) T
	// Count reports how many live (not deleted or cancelled) records the
	// system holds for the key the sink was given: 0 or 1 for a correct sink.
	// It is how the suite sees duplicates. The sink checks need it.
	Count func(ctx context.Context, key string) (int, error)
	// Revision reports the rev of the entity the system holds for key, to
	// prove a stale write did not overwrite a newer one (optional).
	Revision func(ctx context.Context, key string) (int, error)
	// Invalid returns an entity for key that the sink must refuse with the
	// Invalid kind and field paths (optional).
	Invalid func(key string) T
	// Conflict edits the record for key directly in the system, so that a
	// write based on the version the sink reported before the edit must fail
	// with the Conflict kind (optional). The suite passes that earlier
	// Result.Ref as the Write's Target, as the engine does.
	Conflict func(ctx context.Context, key string) error

	// Missing is a key that does not exist in the system, for the NotFound
	// checks of a connector.Getter (default "conformance-missing").
	Missing string
	// Clock stamps the changes the suite writes (default the system clock).
	Clock connector.Clock
}

// Bounds that keep a broken connector from hanging the suite. They are
// failure guards only; a correct connector finishes far inside them.
const (
	promptly   = 2 * time.Second  // cancellation must take effect within this
	readGuard  = 30 * time.Second // a whole read must finish within this
	maxChanges = 100_000          // a stream longer than this is taken to be endless
)

// sourceSystem is the source that the suite's writes claim to come from.
const sourceSystem = "conformance"

// check is one conformance check. It reports through tb only, so tests can
// drive it with a recorder instead of a *testing.T.
type check[T any] struct {
	name string
	run  func(tb testing.TB, h *Harness[T])
}

// Run runs the conformance suite for the harness's Source and Sink as
// subtests named "source/<check>" and "sink/<check>", one after another.
//
// Source checks (they need Create):
//   - resume: every change has a Cursor and no change repeats; resuming from
//     the cursor of any created record's change yields exactly the changes
//     that followed it, with no gaps or repeats; resuming from the last
//     cursor yields nothing.
//   - update (needs Update): after the record is updated, reading on from the
//     last cursor yields it with a Version that Compare orders as newer.
//   - cancel-before: with a cancelled context the stream ends, within two
//     seconds, with an error that wraps context.Canceled.
//   - cancel-during: cancelled after the first change, the stream ends within
//     two seconds, with such an error unless it had yielded every change.
//   - break: breaking out of the loop stops the iterator (it must honour
//     yield's false), and the source reads normally afterwards.
//   - get-missing (a connector.Getter): Get of Harness.Missing is NotFound.
//
// Sink checks (they need Entity and Count):
//   - idempotent: the same Write twice gives the same Ref and one record.
//   - update: a newer version reports Updated, same Ref, one record.
//   - stale: an older version fails with Conflict or reports Stale, and does
//     not overwrite the newer one (checked with Revision, if set).
//   - invalid (needs Invalid): the write fails with the Invalid kind, the error
//     has a FieldErrors method listing problems with paths, and nothing is
//     stored.
//   - conflict (needs Conflict): after an edit in the system, a write whose
//     Target is the Ref from before the edit fails with the Conflict kind.
//   - delete (Deleter that supports Delete): a Delete reports Deleted and
//     leaves no live record; repeating it succeeds.
//   - cancel: with a cancelled context Apply returns, within two seconds, an
//     error that wraps context.Canceled, and stores nothing.
//   - concurrent: writes to eight keys in parallel all succeed.
//   - batch (a connector.BatchSink): one result per write, in order, no
//     errors; the same batch again leaves one record per key.
//   - get-missing (a connector.Getter): Get of Harness.Missing is NotFound.
//
// The time bounds only guard against hangs; they are not performance targets.
func Run[T any](t *testing.T, h Harness[T]) {
	t.Helper()
	if h.Source == nil && h.Sink == nil {
		t.Fatal("connectortest: the harness has neither a Source nor a Sink")
	}
	h = h.withDefaults()
	t.Run("source", func(t *testing.T) {
		if h.Source == nil {
			t.Skip("the harness has no Source")
		}
		for _, c := range sourceChecks[T]() {
			t.Run(c.name, func(t *testing.T) { c.run(t, &h) })
		}
	})
	t.Run("sink", func(t *testing.T) {
		if h.Sink == nil {
			t.Skip("the harness has no Sink")
		}
		if h.Entity == nil || h.Count == nil {
			t.Fatal("connectortest: the sink checks need Harness.Entity and Harness.Count")
		}
		for _, c := range sinkChecks[T]() {
			t.Run(c.name, func(t *testing.T) { c.run(t, &h) })
		}
	})
}

func (h Harness[T]) withDefaults() Harness[T] {
	if h.Records == 0 {
		h.Records = 5
	}
	h.Records = max(h.Records, 3)
	if h.Missing == "" {
		h.Missing = "conformance-missing"
	}
	if h.Clock == nil {
		h.Clock = connector.SystemClock()
	}
	return h
}

func sourceChecks[T any]() []check[T] {
	return []check[T]{
		{"resume", checkResume[T]},
		{"update", checkUpdate[T]},
		{"cancel-before", checkCancelBefore[T]},
		{"cancel-during", checkCancelDuring[T]},
		{"break", checkBreak[T]},
		{"get-missing", checkSourceGetMissing[T]},
	}
}

func sinkChecks[T any]() []check[T] {
	return []check[T]{
		{"idempotent", checkIdempotent[T]},
		{"update", checkSinkUpdate[T]},
		{"stale", checkStale[T]},
		{"invalid", checkInvalid[T]},
		{"conflict", checkConflict[T]},
		{"delete", checkDelete[T]},
		{"cancel", checkSinkCancel[T]},
		{"concurrent", checkConcurrent[T]},
		{"batch", checkBatch[T]},
		{"get-missing", checkSinkGetMissing[T]},
	}
}

// ---- source checks ----

// checkResume creates Records records and reads the whole stream. Every change
// must carry a cursor (and the harness's System), no change may repeat, and
// the new records must appear in creation order. Then, from the cursor of each
// new record's change, a resumed read must yield exactly the changes that
// followed it in the whole read: no gaps, no repeats. From the last cursor it
// must yield nothing.
func checkResume[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	keys := create(tb, h, h.Records)
	all := readAll(tb, h, "")
	seen := make(map[string]bool)
	for _, c := range all {
		if c.Cursor == "" {
			tb.Errorf("the change %s has no Cursor to resume from", changeID(c))
		}
		if h.System != "" && c.System != h.System {
			tb.Errorf("the change %s has System %q, want %q", changeID(c), c.System, h.System)
		}
		if seen[changeID(c)] {
			tb.Errorf("the stream repeats the change %s", changeID(c))
		}
		seen[changeID(c)] = true
	}
	pos := make([]int, 0, len(keys))
	for _, k := range keys {
		i := slices.IndexFunc(all, func(c connector.Change[T]) bool { return c.Key == k })
		if i < 0 {
			tb.Errorf("the created record %q never appears in the stream", k)
			continue
		}
		if n := len(pos); n > 0 && i < pos[n-1] {
			tb.Errorf("the created record %q appears before the one created before it", k)
		}
		pos = append(pos, i)
	}
	if tb.Failed() {
		return
	}
	for _, i := range pos {
		rest := readAll(tb, h, all[i].Cursor)
		want, got := changeIDs(all[i+1:]), changeIDs(rest)
		if slices.Equal(want, got) {
			continue
		}
		gaps, repeats := diff(want, got)
		tb.Errorf("resuming after %q (the change %s): missing %q, unexpected %q; got %q, want %q",
			all[i].Cursor, changeID(all[i]), gaps, repeats, got, want)
	}
}

// checkUpdate creates a record, reads to the end of the stream and updates the
// record. Reading on from the last cursor must yield the record again, with a
// Version newer than before (Version.Compare > 0).
func checkUpdate[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	if h.Update == nil {
		tb.Skip("the harness has no Update")
	}
	key := create(tb, h, 1)[0]
	all := readAll(tb, h, "")
	i := lastIndex(all, key)
	if i < 0 {
		tb.Fatalf("the created record %q never appears in the stream", key)
	}
	before := all[i].Version
	if err := h.Update(tb.Context(), key); err != nil {
		tb.Fatalf("Harness.Update(%q): %v", key, err)
	}
	after := readAll(tb, h, all[len(all)-1].Cursor)
	found := false
	for _, c := range after {
		if c.Key != key {
			continue
		}
		found = true
		switch cmp, ok := c.Version.Compare(before); {
		case !ok:
			tb.Errorf("the update of %q has version %s, which cannot be ordered against %s", key, c.Version, before)
		case cmp <= 0:
			tb.Errorf("the update of %q has version %s, not newer than %s", key, c.Version, before)
		}
	}
	if !found {
		tb.Errorf("the update of %q does not appear after the last cursor %q; got %q",
			key, all[len(all)-1].Cursor, changeIDs(after))
	}
}

// checkCancelBefore reads with a context that is already cancelled. The
// stream must end, promptly, with an error that wraps context.Canceled.
func checkCancelBefore[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	create(tb, h, 1)
	ctx, cancel := context.WithCancel(tb.Context())
	cancel()
	var n int
	var err error
	if !within(tb, "reading with a cancelled context", promptly, func() {
		n, err = drain(h.Source.Changes(ctx, ""), maxChanges, nil)
	}) {
		return
	}
	switch {
	case err == nil:
		tb.Errorf("with a cancelled context the stream yielded %d changes and no error; it must end with the context's error", n)
	case !errors.Is(err, context.Canceled):
		tb.Errorf("with a cancelled context the stream failed with %v, which does not wrap context.Canceled", err)
	}
}

// checkCancelDuring cancels the context after the first change. The stream
// must end promptly; if it ends before yielding every change there is, it
// must end with an error that wraps context.Canceled, never silently.
func checkCancelDuring[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	create(tb, h, h.Records)
	total := len(readAll(tb, h, ""))
	ctx, cancel := context.WithCancel(tb.Context())
	defer cancel()
	var n int
	var err error
	if !within(tb, "reading after cancelling the context", promptly, func() {
		n, err = drain(h.Source.Changes(ctx, ""), total+1, cancel)
	}) {
		return
	}
	switch {
	case err != nil && !errors.Is(err, context.Canceled):
		tb.Errorf("after cancellation the stream failed with %v, which does not wrap context.Canceled", err)
	case err == nil && n < total:
		tb.Errorf("after cancellation the stream ended without an error after %d of %d changes; an early end must carry the context's error", n, total)
	case n > total:
		tb.Errorf("after cancellation the stream yielded %d changes, more than the %d there are", n, total)
	}
}

// checkBreak breaks out of a read after the first change. The iterator must
// stop (Go panics if it calls yield again) and the source must still read
// normally afterwards.
func checkBreak[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	create(tb, h, 2)
	if !within(tb, "breaking out of a read", readGuard, func() {
		for range h.Source.Changes(tb.Context(), "") {
			break
		}
	}) {
		return
	}
	readAll(tb, h, "")
}

// checkSourceGetMissing asks a Source that is a connector.Getter for a key
// that does not exist: the error must be of the NotFound kind.
func checkSourceGetMissing[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	getMissing(tb, h, h.Source)
}

// ---- sink checks ----

// checkIdempotent applies the same Write twice. Both calls must succeed with
// the same Ref (System, Type, ID), and the system must hold one record.
func checkIdempotent[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	key := "conformance-idempotent"
	w := h.write(key, 1, connector.Upsert)
	first := apply(tb, h, w, connector.Created, connector.Updated)
	checkRef(tb, h, first.Ref)
	again, err := h.Sink.Apply(tb.Context(), w)
	if err != nil {
		tb.Fatalf("applying the same write again (IdempotencyKey %q): %v", w.IdempotencyKey, err)
	}
	if !sameRef(first.Ref, again.Ref) {
		tb.Errorf("the repeated write returned Ref %v, want the first write's %v", again.Ref, first.Ref)
	}
	wantCount(tb, h, key, 1, "after applying the same write twice")
}

// checkSinkUpdate writes revision 1, then revision 2 with the first Ref as
// Target. The second write must report Updated with the same Ref, and the
// system must hold one record, at revision 2.
func checkSinkUpdate[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	key := "conformance-update"
	r1 := apply(tb, h, h.write(key, 1, connector.Upsert), connector.Created, connector.Updated)
	w2 := h.write(key, 2, connector.Upsert)
	w2.Target = &r1.Ref
	r2 := apply(tb, h, w2, connector.Updated)
	if !sameRef(r1.Ref, r2.Ref) {
		tb.Errorf("the update returned Ref %v, want %v", r2.Ref, r1.Ref)
	}
	wantCount(tb, h, key, 1, "after an update")
	wantRevision(tb, h, key, 2, "after an update")
}

// checkStale writes revision 2, then revision 1 (an older Version, a new
// IdempotencyKey). The older write must fail with the Conflict kind or report
// Action Stale, and must not overwrite revision 2.
func checkStale[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	key := "conformance-stale"
	r2 := apply(tb, h, h.write(key, 2, connector.Upsert), connector.Created, connector.Updated)
	w1 := h.write(key, 1, connector.Upsert)
	w1.Target = &r2.Ref
	res, err := h.Sink.Apply(tb.Context(), w1)
	switch {
	case err != nil && !errors.Is(err, connector.Conflict):
		tb.Errorf("an older write failed with %v (kind %s); want the Conflict kind or Action Stale", err, connector.KindOf(err))
	case err == nil && res.Action != connector.Stale:
		tb.Errorf("an older write reported %s; want Action Stale or a Conflict error", res.Action)
	}
	wantCount(tb, h, key, 1, "after an older write")
	wantRevision(tb, h, key, 2, "after an older write")
}

// checkInvalid writes Harness.Invalid. The sink must refuse it with the
// Invalid kind and name the bad fields: the error (through errors.As) has a
// FieldErrors method, as *connector.Error and canonical.ValidationError do,
// returning at least one problem, each with a Path. Nothing may be stored.
func checkInvalid[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	if h.Invalid == nil {
		tb.Skip("the harness has no Invalid")
	}
	key := "conformance-invalid"
	w := h.write(key, 1, connector.Upsert)
	w.Entity = h.Invalid(key)
	_, err := h.Sink.Apply(tb.Context(), w)
	if !errors.Is(err, connector.Invalid) {
		tb.Errorf("an invalid entity gave %v (kind %s), want the Invalid kind", err, connector.KindOf(err))
	}
	var fe interface{ FieldErrors() []canonical.FieldError }
	switch {
	case err == nil:
	case !errors.As(err, &fe) || len(fe.FieldErrors()) == 0:
		tb.Errorf("the Invalid error %q names no fields; set connector.Error.Fields", err)
	default:
		for _, f := range fe.FieldErrors() {
			if f.Path == "" {
				tb.Errorf("the field problem %q has no Path", f.Error())
			}
		}
	}
	wantCount(tb, h, key, 0, "after an invalid write")
}

// checkConflict writes revision 1, edits the record with Harness.Conflict and
// writes revision 2 with the first Result's Ref as Target. That write must
// fail with the Conflict kind.
func checkConflict[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	if h.Conflict == nil {
		tb.Skip("the harness has no Conflict")
	}
	key := "conformance-conflict"
	r1 := apply(tb, h, h.write(key, 1, connector.Upsert), connector.Created, connector.Updated)
	if err := h.Conflict(tb.Context(), key); err != nil {
		tb.Fatalf("Harness.Conflict(%q): %v", key, err)
	}
	w2 := h.write(key, 2, connector.Upsert)
	w2.Target = &r1.Ref
	res, err := h.Sink.Apply(tb.Context(), w2)
	if !errors.Is(err, connector.Conflict) {
		tb.Errorf("a write based on version %q after an edit in the system gave %v, %v; want the Conflict kind",
			r1.Ref.Version, res.Action, err)
	}
}

// checkDelete, for a sink that supports Delete, writes a record and deletes
// it with a newer Version. The delete must report Deleted and leave no live
// record; repeating it must succeed. A sink that is a connector.Getter must
// then report the key NotFound or as a Delete.
func checkDelete[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	if !connector.CapabilitiesOf[T](h.Sink).Delete {
		tb.Skip("the sink does not support Delete")
	}
	key := "conformance-delete"
	r1 := apply(tb, h, h.write(key, 1, connector.Upsert), connector.Created, connector.Updated)
	del := h.write(key, 2, connector.Delete)
	del.Target = &r1.Ref
	apply(tb, h, del, connector.Deleted)
	wantCount(tb, h, key, 0, "after a delete")
	if _, err := h.Sink.Apply(tb.Context(), del); err != nil {
		tb.Errorf("repeating the delete: %v", err)
	}
	wantCount(tb, h, key, 0, "after repeating the delete")
	if g, ok := h.Sink.(connector.Getter[T]); ok {
		c, err := g.Get(tb.Context(), key)
		if err == nil && c.Op != connector.Delete {
			tb.Errorf("Get(%q) after a delete returned a live record; want NotFound or a Delete", key)
		} else if err != nil && !errors.Is(err, connector.NotFound) {
			tb.Errorf("Get(%q) after a delete: %v; want the NotFound kind", key, err)
		}
	}
}

// checkSinkCancel applies a write with a context that is already cancelled.
// Apply must return promptly an error that wraps context.Canceled, and store
// nothing.
func checkSinkCancel[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	key := "conformance-cancel"
	ctx, cancel := context.WithCancel(tb.Context())
	cancel()
	var err error
	if !within(tb, "Apply with a cancelled context", promptly, func() {
		_, err = h.Sink.Apply(ctx, h.write(key, 1, connector.Upsert))
	}) {
		return
	}
	if !errors.Is(err, context.Canceled) {
		tb.Errorf("Apply with a cancelled context returned %v; want an error that wraps context.Canceled", err)
	}
	wantCount(tb, h, key, 0, "after a cancelled write")
}

// checkConcurrent writes revisions 1 and 2 of eight keys, the keys in
// parallel, as the engine does (revision 2 with the Ref of revision 1 as
// Target). Every write must succeed and every key must
// end with one record at revision 2.
func checkConcurrent[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprintf("conformance-concurrent-%d", i)
			var target *canonical.ExternalRef
			for rev := 1; rev <= 2; rev++ {
				w := h.write(key, rev, connector.Upsert)
				w.Target = target
				r, err := h.Sink.Apply(tb.Context(), w)
				if err != nil {
					errs[i] = fmt.Errorf("%s revision %d: %w", key, rev, err)
					return
				}
				target = &r.Ref
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		tb.Fatalf("concurrent writes to different keys: %v", err)
	}
	for i := range n {
		key := fmt.Sprintf("conformance-concurrent-%d", i)
		wantCount(tb, h, key, 1, "after concurrent writes")
		wantRevision(tb, h, key, 2, "after concurrent writes")
	}
}

// checkBatch, for a connector.BatchSink, applies three new writes in one call,
// then the same batch again. Results must come in order, one per write,
// without errors, and each key must end with one record.
func checkBatch[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	bs, ok := h.Sink.(connector.BatchSink[T])
	if !ok {
		tb.Skip("the sink is not a connector.BatchSink")
	}
	keys := []string{"conformance-batch-1", "conformance-batch-2", "conformance-batch-3"}
	ws := make([]connector.Write[T], len(keys))
	for i, k := range keys {
		ws[i] = h.write(k, 1, connector.Upsert)
	}
	for round := 1; round <= 2; round++ {
		results, errs := bs.ApplyBatch(tb.Context(), ws)
		if len(results) != len(ws) {
			tb.Fatalf("round %d: ApplyBatch returned %d results for %d writes", round, len(results), len(ws))
		}
		if len(errs) != 0 && len(errs) != len(ws) {
			tb.Fatalf("round %d: ApplyBatch returned %d errors for %d writes; want none or one per write", round, len(errs), len(ws))
		}
		if err := errors.Join(errs...); err != nil {
			tb.Fatalf("round %d: ApplyBatch: %v", round, err)
		}
		for i, r := range results {
			if round == 1 && r.Action != connector.Created && r.Action != connector.Updated {
				tb.Errorf("result %d for %s: %s, want created or updated", i, keys[i], r.Action)
			}
			if r.Ref.ID == "" {
				tb.Errorf("result %d for %s has no Ref.ID", i, keys[i])
			}
		}
	}
	for _, k := range keys {
		wantCount(tb, h, k, 1, "after applying the same batch twice")
	}
}

// checkSinkGetMissing asks a Sink that is a connector.Getter for a key that
// does not exist: the error must be of the NotFound kind.
func checkSinkGetMissing[T any](tb testing.TB, h *Harness[T]) {
	tb.Helper()
	getMissing(tb, h, h.Sink)
}

// ---- helpers ----

// write builds the Write the engine would send for revision rev of key.
func (h *Harness[T]) write(key string, rev int, op connector.Op) connector.Write[T] {
	e := h.Entity(key, rev)
	raw, _ := json.Marshal(e)
	v := connector.SeqVersion(int64(rev))
	return connector.Write[T]{
		Change: connector.Change[T]{
			System:  sourceSystem,
			Key:     key,
			Op:      op,
			Version: v,
			Cursor:  connector.Cursor(fmt.Sprint(rev)),
			Entity:  e,
			Raw:     raw,
			At:      h.Clock.Now(),
		},
		IdempotencyKey: fmt.Sprintf("%s:%s:%s:%s", sourceSystem, key, op, v),
	}
}

// apply applies w and requires success with one of the actions.
func apply[T any](tb testing.TB, h *Harness[T], w connector.Write[T], actions ...connector.Action) connector.Result {
	tb.Helper()
	r, err := h.Sink.Apply(tb.Context(), w)
	if err != nil {
		tb.Fatalf("Apply(%s %s version %s): %v", w.Op, w.Key, w.Version, err)
	}
	if !slices.Contains(actions, r.Action) {
		tb.Errorf("Apply(%s %s version %s) reported %s, want one of %v", w.Op, w.Key, w.Version, r.Action, actions)
	}
	return r
}

func checkRef[T any](tb testing.TB, h *Harness[T], ref canonical.ExternalRef) {
	tb.Helper()
	if ref.ID == "" {
		tb.Errorf("the Result has no Ref.ID")
	}
	if h.System != "" && ref.System != h.System {
		tb.Errorf("the Result's Ref.System is %q, want %q", ref.System, h.System)
	}
}

func sameRef(a, b canonical.ExternalRef) bool {
	return a.System == b.System && a.Type == b.Type && a.ID == b.ID
}

func wantCount[T any](tb testing.TB, h *Harness[T], key string, want int, when string) {
	tb.Helper()
	n, err := h.Count(tb.Context(), key)
	if err != nil {
		tb.Fatalf("Harness.Count(%q): %v", key, err)
	}
	if n != want {
		tb.Errorf("%s the system holds %d records for %q, want %d", when, n, key, want)
	}
}

func wantRevision[T any](tb testing.TB, h *Harness[T], key string, want int, when string) {
	tb.Helper()
	if h.Revision == nil {
		return
	}
	rev, err := h.Revision(tb.Context(), key)
	if err != nil {
		tb.Fatalf("Harness.Revision(%q): %v", key, err)
	}
	if rev != want {
		tb.Errorf("%s the system holds revision %d of %q, want %d", when, rev, key, want)
	}
}

func getMissing[T any](tb testing.TB, h *Harness[T], v any) {
	tb.Helper()
	g, ok := v.(connector.Getter[T])
	if !ok {
		tb.Skip("not a connector.Getter")
	}
	_, err := g.Get(tb.Context(), h.Missing)
	if !errors.Is(err, connector.NotFound) {
		tb.Errorf("Get(%q) of a missing key: %v (kind %s); want the NotFound kind", h.Missing, err, connector.KindOf(err))
	}
}

// create calls Harness.Create and checks it returned n distinct keys.
func create[T any](tb testing.TB, h *Harness[T], n int) []string {
	tb.Helper()
	if h.Create == nil {
		tb.Skip("the harness has no Create")
	}
	keys, err := h.Create(tb.Context(), n)
	if err != nil {
		tb.Fatalf("Harness.Create(%d): %v", n, err)
	}
	if len(keys) != n {
		tb.Fatalf("Harness.Create(%d) returned %d keys", n, len(keys))
	}
	if s := slices.Compact(slices.Sorted(slices.Values(keys))); len(s) != n {
		tb.Fatalf("Harness.Create(%d) returned repeated keys: %q", n, keys)
	}
	return keys
}

// readAll reads the stream after a cursor to its end; an error, a stream that
// does not end or a read that hangs fails the check.
func readAll[T any](tb testing.TB, h *Harness[T], after connector.Cursor) []connector.Change[T] {
	tb.Helper()
	var got []connector.Change[T]
	var err error
	what := fmt.Sprintf("reading the changes after %q", after)
	if !within(tb, what, readGuard, func() {
		for c, e := range h.Source.Changes(tb.Context(), after) {
			if e != nil {
				err = e
				break
			}
			if len(got) == maxChanges {
				err = fmt.Errorf("the stream did not end after %d changes", maxChanges)
				break
			}
			got = append(got, c)
		}
	}) {
		tb.FailNow()
	}
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
	return got
}

// drain counts the changes of a stream until it ends, fails, or yields limit
// changes; it calls first after the first change, if first is not nil.
func drain[T any](seq iter.Seq2[connector.Change[T], error], limit int, first func()) (int, error) {
	n := 0
	for _, err := range seq {
		if err != nil {
			return n, err
		}
		n++
		if n == 1 && first != nil {
			first()
		}
		if n >= limit {
			break
		}
	}
	return n, nil
}

// within runs fn in a goroutine and reports whether it returned within d
// without panicking. On a timeout fn is left running: the check has failed.
// fn must not call tb.
func within(tb testing.TB, what string, d time.Duration, fn func()) bool {
	tb.Helper()
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		fn()
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case p := <-done:
		if p != nil {
			tb.Errorf("%s panicked: %v", what, p)
			return false
		}
		return true
	case <-timer.C:
		tb.Errorf("%s did not finish within %v", what, d)
		return false
	}
}

func changeID[T any](c connector.Change[T]) string {
	return fmt.Sprintf("%s/%s@%s", c.Key, c.Op, c.Version)
}

func changeIDs[T any](cs []connector.Change[T]) []string {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = changeID(c)
	}
	return ids
}

func lastIndex[T any](cs []connector.Change[T], key string) int {
	for i := len(cs) - 1; i >= 0; i-- {
		if cs[i].Key == key {
			return i
		}
	}
	return -1
}

// diff returns the ids in want that got lacks, and those in got beyond want,
// counting repeats.
func diff(want, got []string) (missing, extra []string) {
	left := make(map[string]int)
	for _, id := range got {
		left[id]++
	}
	for _, id := range want {
		if left[id] > 0 {
			left[id]--
		} else {
			missing = append(missing, id)
		}
	}
	for _, id := range got {
		if left[id] > 0 {
			left[id]--
			extra = append(extra, id)
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		// Same changes, different order.
		extra = []string{"(out of order) " + strings.Join(got, ", ")}
	}
	return missing, extra
}
