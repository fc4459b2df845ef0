package connectortest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// memoryHarness wires a Memory into the suite as both Source and Sink.
func memoryHarness(m *Memory[item]) Harness[item] {
	var mu sync.Mutex
	next := 0
	m.ValidateWith(func(v item) error {
		if v.Name == "" {
			return &canonical.ValidationError{Entity: "item", Errors: []canonical.FieldError{
				{Path: "name", Code: "required", Message: "is required"}}}
		}
		return nil
	})
	return Harness[item]{
		System: m.System(),
		Source: m,
		Sink:   m,
		Create: func(_ context.Context, n int) ([]string, error) {
			mu.Lock()
			defer mu.Unlock()
			keys := make([]string, n)
			for i := range keys {
				next++
				keys[i] = fmt.Sprintf("c%d", next)
				m.Put(keys[i], item{Name: keys[i], Rev: 1})
			}
			return keys, nil
		},
		Update: func(_ context.Context, key string) error {
			v, ok := m.Value(key)
			if !ok {
				return fmt.Errorf("no record %q", key)
			}
			v.Rev++
			m.Put(key, v)
			return nil
		},
		Records: 7,
		Entity:  func(key string, rev int) item { return item{Name: key, Rev: rev} },
		Invalid: func(string) item { return item{} },
		Count: func(_ context.Context, key string) (int, error) {
			if _, ok := m.Value(key); ok {
				return 1, nil
			}
			return 0, nil
		},
		Revision: func(_ context.Context, key string) (int, error) {
			v, _ := m.Value(key)
			return v.Rev, nil
		},
		Conflict: func(_ context.Context, key string) error {
			v, _ := m.Value(key)
			v.Name += " (edited)"
			m.Put(key, v)
			return nil
		},
	}
}

func TestRunMemory(t *testing.T) {
	clk := NewClock(t0)
	h := memoryHarness(NewMemory[item]("mem", WithClock(clk), WithPageDelay(3, time.Second)))
	h.Clock = clk
	Run(t, h)
}

func TestRunMemoryStaleConflict(t *testing.T) {
	Run(t, memoryHarness(NewMemory[item]("mem", WithStaleConflict())))
}

// batchMemory adds connector.BatchSink to a Memory.
type batchMemory struct{ *Memory[item] }

func (b batchMemory) ApplyBatch(ctx context.Context, ws []connector.Write[item]) ([]connector.Result, []error) {
	results, errs := make([]connector.Result, len(ws)), make([]error, len(ws))
	for i, w := range ws {
		results[i], errs[i] = b.Apply(ctx, w)
	}
	return results, errs
}

func TestRunBatchSink(t *testing.T) {
	m := NewMemory[item]("mem")
	h := memoryHarness(m)
	h.Source, h.Sink = nil, batchMemory{m}
	if !connector.CapabilitiesOf[item](h.Sink).Batch {
		t.Fatal("batchMemory is not a BatchSink")
	}
	Run(t, h)
}

// recorder is a testing.TB that records failures and skips instead of
// reporting them, so a test can assert that a check fails. Fatal, FailNow and
// Skip end the check's goroutine, as they do for a *testing.T.
type recorder struct {
	testing.TB // the real test: Context, Cleanup, Log

	mu      sync.Mutex
	errs    []string
	skipped string
}

func (r *recorder) Helper()      {}
func (r *recorder) Fail()        { r.record("failed") }
func (r *recorder) FailNow()     { r.record("failed"); runtime.Goexit() }
func (r *recorder) Failed() bool { r.mu.Lock(); defer r.mu.Unlock(); return len(r.errs) > 0 }
func (r *recorder) Error(args ...any) {
	r.record(fmt.Sprint(args...))
}
func (r *recorder) Errorf(format string, args ...any) { r.record(fmt.Sprintf(format, args...)) }
func (r *recorder) Fatal(args ...any)                 { r.Error(args...); runtime.Goexit() }
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); runtime.Goexit() }
func (r *recorder) Skip(args ...any)                  { r.skip(fmt.Sprint(args...)) }
func (r *recorder) Skipf(format string, args ...any)  { r.skip(fmt.Sprintf(format, args...)) }
func (r *recorder) SkipNow()                          { r.skip("skipped") }
func (r *recorder) Skipped() bool                     { r.mu.Lock(); defer r.mu.Unlock(); return r.skipped != "" }

func (r *recorder) record(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, msg)
}

func (r *recorder) skip(msg string) {
	r.mu.Lock()
	r.skipped = msg
	r.mu.Unlock()
	runtime.Goexit()
}

// outcome runs one check against a recorder: "pass", "skip: <reason>" or
// "fail: <first error>".
func outcome[T any](t *testing.T, c check[T], h Harness[T]) string {
	t.Helper()
	r := &recorder{TB: t}
	h = h.withDefaults()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.run(r, &h)
	}()
	<-done
	switch {
	case len(r.errs) > 0:
		return "fail: " + r.errs[0]
	case r.skipped != "":
		return "skip: " + r.skipped
	}
	return "pass"
}

func TestRecorderFatalStopsTheCheck(t *testing.T) {
	reached := false
	c := check[item]{"fatal", func(tb testing.TB, _ *Harness[item]) {
		tb.Fatalf("stop")
		reached = true
	}}
	if got := outcome(t, c, Harness[item]{}); got != "fail: stop" || reached {
		t.Errorf("outcome %q, reached %v", got, reached)
	}
}

// flawedSink is a sink with one chosen flaw, to prove that the suite catches
// it. Without a flaw it is correct. It keeps every record it creates, so
// duplicates show in Count.
type flawedSink struct {
	flaw string

	mu   sync.Mutex
	recs map[string][]item            // live records per key
	vers map[string]connector.Version // version of the last write per key
	own  map[string]int               // the system's own version per key
	done map[string]connector.Result  // results by idempotency key
}

func newFlawedSink(flaw string) *flawedSink {
	return &flawedSink{flaw: flaw, recs: map[string][]item{}, vers: map[string]connector.Version{},
		own: map[string]int{}, done: map[string]connector.Result{}}
}

func (s *flawedSink) SupportsDelete() bool { return true }

func (s *flawedSink) Apply(ctx context.Context, w connector.Write[item]) (connector.Result, error) {
	if err := ctx.Err(); err != nil && s.flaw != "ignores-context" {
		return connector.Result{}, err
	}
	if w.Op == connector.Upsert && w.Entity.Name == "" {
		e := connector.Errorf(connector.Invalid, "flawed", "name is required")
		if s.flaw != "no-field-paths" {
			e.Fields = []canonical.FieldError{{Path: "name", Code: "required", Message: "is required"}}
		}
		return connector.Result{}, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.done[w.IdempotencyKey]; ok && s.flaw != "duplicates" {
		r.Action = connector.Unchanged
		return r, nil
	}
	recs := s.recs[w.Key]
	ref := func() canonical.ExternalRef {
		return canonical.ExternalRef{System: "flawed", ID: "f-" + w.Key, Version: strconv.Itoa(s.own[w.Key])}
	}
	if c, ok := w.Version.Compare(s.vers[w.Key]); ok && c < 0 && s.flaw != "ignores-versions" {
		return connector.Result{Action: connector.Stale, Ref: ref()}, nil
	}
	if w.Target != nil && len(recs) > 0 && w.Target.Version != ref().Version && s.flaw != "no-conflict" {
		return connector.Result{}, connector.Errorf(connector.Conflict, "flawed", "changed since %s", w.Target.Version)
	}
	var action connector.Action
	switch {
	case w.Op == connector.Delete:
		action = connector.Deleted
		if s.flaw != "keeps-deleted" {
			recs = nil
		}
	case len(recs) == 0 || (s.flaw == "duplicates" && w.Target == nil):
		// The duplicates flaw: without a Target it creates a record blindly.
		action = connector.Created
		recs = append(recs, w.Entity)
	default:
		action = connector.Updated
		recs[len(recs)-1] = w.Entity
	}
	s.recs[w.Key] = recs
	s.vers[w.Key] = w.Version
	s.own[w.Key]++
	r := connector.Result{Action: action, Ref: ref()}
	s.done[w.IdempotencyKey] = r
	return r, nil
}

func (s *flawedSink) harness() Harness[item] {
	return Harness[item]{
		System: "flawed",
		Sink:   s,
		Entity: func(key string, rev int) item { return item{Name: key, Rev: rev} },
		Count: func(_ context.Context, key string) (int, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			return len(s.recs[key]), nil
		},
		Revision: func(_ context.Context, key string) (int, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if recs := s.recs[key]; len(recs) > 0 {
				return recs[len(recs)-1].Rev, nil
			}
			return 0, nil
		},
		Invalid: func(string) item { return item{} },
		Conflict: func(_ context.Context, key string) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.own[key]++
			return nil
		},
	}
}

// TestSinkChecksCatchFlaws runs every sink check against sinks with one flaw
// each: exactly the checks named must fail, and every other check must pass
// or skip.
func TestSinkChecksCatchFlaws(t *testing.T) {
	tests := []struct {
		flaw string
		fail []string
	}{
		{flaw: ""},
		{flaw: "duplicates", fail: []string{"idempotent", "batch"}},
		{flaw: "ignores-versions", fail: []string{"stale"}},
		{flaw: "no-field-paths", fail: []string{"invalid"}},
		{flaw: "no-conflict", fail: []string{"conflict"}},
		{flaw: "keeps-deleted", fail: []string{"delete"}},
		{flaw: "ignores-context", fail: []string{"cancel"}},
	}
	for _, tt := range tests {
		t.Run("flaw="+tt.flaw, func(t *testing.T) {
			s := newFlawedSink(tt.flaw)
			h := s.harness()
			for _, c := range sinkChecks[item]() {
				if c.name == "batch" && tt.flaw == "duplicates" {
					// Exercise the batch check with the flawed sink too.
					h.Sink = batchFlawed{s}
				}
				got := outcome(t, c, h)
				t.Logf("%s: %s", c.name, got)
				h.Sink = s
				wantFail := slices.Contains(tt.fail, c.name)
				if strings.HasPrefix(got, "fail") != wantFail {
					t.Errorf("check %s: %s; want failure %v", c.name, got, wantFail)
				}
			}
		})
	}
}

type batchFlawed struct{ *flawedSink }

func (b batchFlawed) ApplyBatch(ctx context.Context, ws []connector.Write[item]) ([]connector.Result, []error) {
	results := make([]connector.Result, len(ws))
	for i, w := range ws {
		results[i], _ = b.Apply(ctx, w)
	}
	return results, nil
}

// flawedSource is a Memory's change stream with one chosen flaw.
type flawedSource struct {
	m    *Memory[item]
	flaw string
}

func (s flawedSource) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[item], error] {
	return func(yield func(connector.Change[item], error) bool) {
		if after != "" {
			n, _ := strconv.Atoi(string(after))
			switch s.flaw {
			case "repeats":
				after = connector.Cursor(strconv.Itoa(n - 1))
			case "skips":
				after = connector.Cursor(strconv.Itoa(n + 1))
			}
		}
		if s.flaw == "ignores-context" {
			ctx = context.WithoutCancel(ctx)
		}
		for c, err := range s.m.Changes(ctx, after) {
			switch {
			case err != nil && s.flaw == "silent-cancel" && errors.Is(err, context.Canceled):
				return
			case s.flaw == "unordered-versions":
				c.Version = connector.Version{Tag: "etag-" + c.Key + "-" + string(c.Cursor)}
			case s.flaw == "no-cursor":
				c.Cursor = ""
			}
			if s.flaw == "ignores-break" {
				yield(c, err) // a bug: the result of yield is ignored
				continue
			}
			if !yield(c, err) {
				return
			}
		}
	}
}

// TestSourceChecksCatchFlaws runs every source check against sources with one
// flaw each: exactly the checks named must fail.
func TestSourceChecksCatchFlaws(t *testing.T) {
	tests := []struct {
		flaw string
		fail []string
	}{
		{flaw: ""},
		{flaw: "repeats", fail: []string{"resume", "update"}},
		{flaw: "skips", fail: []string{"resume", "update"}},
		{flaw: "ignores-context", fail: []string{"cancel-before"}},
		{flaw: "silent-cancel", fail: []string{"cancel-before", "cancel-during"}},
		{flaw: "ignores-break", fail: []string{"break"}},
		{flaw: "unordered-versions", fail: []string{"update"}},
		{flaw: "no-cursor", fail: []string{"resume", "update"}},
	}
	for _, tt := range tests {
		t.Run("flaw="+tt.flaw, func(t *testing.T) {
			m := NewMemory[item]("mem")
			h := memoryHarness(m)
			h.Source, h.Sink = flawedSource{m: m, flaw: tt.flaw}, nil
			for _, c := range sourceChecks[item]() {
				got := outcome(t, c, h)
				t.Logf("%s: %s", c.name, got)
				wantFail := slices.Contains(tt.fail, c.name)
				if strings.HasPrefix(got, "fail") != wantFail {
					t.Errorf("check %s: %s; want failure %v", c.name, got, wantFail)
				}
			}
		})
	}
}

// TestChecksSkipWithReason: a harness without the optional functions and a
// connector without the optional capabilities skip those checks, saying why.
func TestChecksSkipWithReason(t *testing.T) {
	m := NewMemory[item]("mem")
	full := memoryHarness(m)
	bare := Harness[item]{
		Source: sourceOnly{m},
		Sink:   sinkOnly{m},
		Create: full.Create,
		Entity: full.Entity,
		Count:  full.Count,
	}
	want := map[string]string{
		"source/update":      "skip: the harness has no Update",
		"source/get-missing": "skip: not a connector.Getter",
		"sink/invalid":       "skip: the harness has no Invalid",
		"sink/conflict":      "skip: the harness has no Conflict",
		"sink/delete":        "skip: the sink does not support Delete",
		"sink/batch":         "skip: the sink is not a connector.BatchSink",
		"sink/get-missing":   "skip: not a connector.Getter",
	}
	got := map[string]string{}
	for _, c := range sourceChecks[item]() {
		got["source/"+c.name] = outcome(t, c, bare)
	}
	for _, c := range sinkChecks[item]() {
		got["sink/"+c.name] = outcome(t, c, bare)
	}
	for name, g := range got {
		w, ok := want[name]
		if !ok {
			w = "pass"
		}
		if g != w {
			t.Errorf("%s: %s, want %s", name, g, w)
		}
	}

	bare.Create = nil
	for _, c := range sourceChecks[item]() {
		if got := outcome(t, c, bare); !strings.HasPrefix(got, "skip") {
			t.Errorf("source/%s without Create: %s, want a skip", c.name, got)
		}
	}
}

// sourceOnly and sinkOnly hide the Memory's optional interfaces.
type sourceOnly struct{ m *Memory[item] }

func (s sourceOnly) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[item], error] {
	return s.m.Changes(ctx, after)
}

type sinkOnly struct{ m *Memory[item] }

func (s sinkOnly) Apply(ctx context.Context, w connector.Write[item]) (connector.Result, error) {
	return s.m.Apply(ctx, w)
}

// hangingSource never ends and ignores its context; the guards must turn the
// hang into failures instead of a stuck test.
type hangingSource struct{ release chan struct{} }

func (s hangingSource) Changes(context.Context, connector.Cursor) iter.Seq2[connector.Change[item], error] {
	return func(func(connector.Change[item], error) bool) { <-s.release }
}

func TestWithinGuardsHangs(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	r := &recorder{TB: t}
	done := make(chan bool)
	go func() {
		done <- within(r, "reading", 10*time.Millisecond, func() {
			for range (hangingSource{release}).Changes(t.Context(), "") {
			}
		})
	}()
	if <-done || len(r.errs) != 1 || !strings.Contains(r.errs[0], "did not finish within") {
		t.Errorf("a hang was not reported: %q", r.errs)
	}
}

func TestDiff(t *testing.T) {
	tests := []struct {
		want, got       []string
		missing, extras []string
	}{
		{want: []string{"a", "b", "c"}, got: []string{"b", "c"}, missing: []string{"a"}},
		{want: []string{"b", "c"}, got: []string{"a", "b", "c", "c"}, extras: []string{"a", "c"}},
		{want: []string{"a", "b"}, got: []string{"b", "a"}, extras: []string{"(out of order) b, a"}},
	}
	for _, tt := range tests {
		m, e := diff(tt.want, tt.got)
		if !slices.Equal(m, tt.missing) || !slices.Equal(e, tt.extras) {
			t.Errorf("diff(%q, %q) = %q, %q; want %q, %q", tt.want, tt.got, m, e, tt.missing, tt.extras)
		}
	}
}
