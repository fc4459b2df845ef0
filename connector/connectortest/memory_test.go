package connectortest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// item is the entity the package's tests move around.
type item struct {
	Name string `json:"name"`
	Rev  int    `json:"rev"`
}

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// read collects a stream until it ends or fails.
func read[T any](t *testing.T, src connector.Source[T], after connector.Cursor) ([]connector.Change[T], error) {
	t.Helper()
	var out []connector.Change[T]
	for c, err := range src.Changes(t.Context(), after) {
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
	return out, nil
}

// summary renders changes as "key op version" lines for comparison.
func summary[T any](cs []connector.Change[T]) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%s %s %s @%s", c.Key, c.Op, c.Version, c.Cursor)
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func write(key string, seq int64, v item) connector.Write[item] {
	return connector.Write[item]{
		Change: connector.Change[item]{
			System: "src", Key: key, Op: connector.Upsert,
			Version: connector.SeqVersion(seq), Entity: v,
		},
		IdempotencyKey: fmt.Sprintf("f:%s:%d", key, seq),
	}
}

func TestMemoryPutDeleteChanges(t *testing.T) {
	clk := NewClock(t0)
	m := NewMemory[item]("crm", WithClock(clk))
	c1 := m.Put("a", item{"Ada", 1})
	clk.Advance(time.Minute)
	m.Put("b", item{"Bob", 1})
	m.Put("a", item{"Ada", 2})
	d := m.Delete("b")

	if c1.Version.Seq != 1 || c1.Cursor != "1" || c1.System != "crm" || !c1.At.Equal(t0) {
		t.Errorf("first change = %+v, want seq 1, cursor 1, system crm, at %v", c1, t0)
	}
	if string(c1.Raw) != `{"name":"Ada","rev":1}` {
		t.Errorf("Raw = %s", c1.Raw)
	}
	if d.Op != connector.Delete || d.Entity.Name != "Bob" {
		t.Errorf("delete change = %+v, want Delete carrying the last value", d)
	}

	all, err := read[item](t, m, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a upsert s1 @1", "b upsert s2 @2", "a upsert s3 @3", "b delete s4 @4"}
	if got := summary(all); !equalStrings(got, want) {
		t.Errorf("Changes(\"\") = %q, want %q", got, want)
	}
	rest, err := read[item](t, m, "2")
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(rest); !equalStrings(got, want[2:]) {
		t.Errorf("Changes(2) = %q, want %q", got, want[2:])
	}
	if rest, _ := read[item](t, m, "4"); len(rest) != 0 {
		t.Errorf("Changes(4) = %q, want nothing", summary(rest))
	}
	if got := m.Keys(); !equalStrings(got, []string{"a"}) {
		t.Errorf("Keys() = %q, want [a]", got)
	}
	if v, ok := m.Value("a"); !ok || v.Rev != 2 {
		t.Errorf("Value(a) = %v, %v; want rev 2", v, ok)
	}
	if _, ok := m.Value("b"); ok {
		t.Error("Value(b) found a deleted record")
	}
	if m.Writes("a") != 0 {
		t.Errorf("Writes(a) = %d: Put is not a sink write", m.Writes("a"))
	}
}

func TestMemoryChangesBadCursor(t *testing.T) {
	m := NewMemory[item]("crm")
	m.Put("a", item{})
	for _, c := range []connector.Cursor{"x", "-1", "1.5"} {
		got, err := read[item](t, m, c)
		if !errors.Is(err, connector.Invalid) || len(got) != 0 {
			t.Errorf("Changes(%q) = %d changes, %v; want an Invalid error", c, len(got), err)
		}
	}
}

func TestMemoryChangesStopsOnCancel(t *testing.T) {
	m := NewMemory[item]("crm")
	for i := range 5 {
		m.Put(fmt.Sprint(i), item{})
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var n int
	var last error
	for _, err := range m.Changes(ctx, "") {
		if err != nil {
			last = err
			break
		}
		n++
		cancel()
	}
	if n != 1 || !errors.Is(last, context.Canceled) {
		t.Errorf("after cancel: %d changes, err %v; want 1 change then context.Canceled", n, last)
	}
}

func TestMemoryChangesSeesLiveAppends(t *testing.T) {
	m := NewMemory[item]("crm")
	m.Put("a", item{})
	var keys []string
	for c, err := range m.Changes(t.Context(), "") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, c.Key)
		if c.Key == "a" {
			m.Put("b", item{})
		}
	}
	if !equalStrings(keys, []string{"a", "b"}) {
		t.Errorf("keys = %q, want [a b]", keys)
	}
}

func TestMemoryPageDelay(t *testing.T) {
	clk := NewClock(t0)
	m := NewMemory[item]("crm", WithClock(clk), WithPageDelay(2, time.Second))
	for i := range 5 {
		m.Put(fmt.Sprint(i), item{})
	}
	got, err := read[item](t, m, "")
	if err != nil || len(got) != 5 {
		t.Fatalf("read %d, %v", len(got), err)
	}
	if s := clk.Sleeps(); len(s) != 3 || s[0] != time.Second {
		t.Errorf("sleeps = %v, want three pages of 1s", s)
	}
}

func TestMemoryGet(t *testing.T) {
	m := NewMemory[item]("crm")
	m.Put("a", item{"Ada", 1})
	m.Put("gone", item{})
	m.Delete("gone")

	c, err := m.Get(t.Context(), "a")
	if err != nil || c.Entity.Name != "Ada" || c.Version.Seq != 1 || c.Key != "a" {
		t.Errorf("Get(a) = %+v, %v", c, err)
	}
	for _, k := range []string{"nope", "gone"} {
		_, err := m.Get(t.Context(), k)
		if connector.KindOf(err) != connector.NotFound {
			t.Errorf("Get(%s) error %v, want NotFound", k, err)
		}
	}
}

func TestMemoryApply(t *testing.T) {
	ctx := t.Context()
	m := NewMemory[item]("erp")

	r1, err := m.Apply(ctx, write("a", 1, item{"Ada", 1}))
	if err != nil || r1.Action != connector.Created {
		t.Fatalf("first Apply = %+v, %v; want Created", r1, err)
	}
	wantRef := canonical.ExternalRef{System: "erp", ID: "erp-a", Version: "s1"}
	if r1.Ref != wantRef {
		t.Errorf("Ref = %+v, want %+v", r1.Ref, wantRef)
	}

	again, err := m.Apply(ctx, write("a", 1, item{"Ada", 1}))
	if err != nil || again.Action != connector.Unchanged || again.Ref != r1.Ref {
		t.Errorf("repeat Apply = %+v, %v; want Unchanged with the first Ref", again, err)
	}
	if n := m.Writes("a"); n != 1 {
		t.Errorf("Writes(a) = %d after a repeat, want 1", n)
	}

	r2, err := m.Apply(ctx, write("a", 3, item{"Ada", 3}))
	if err != nil || r2.Action != connector.Updated || r2.Ref.ID != "erp-a" {
		t.Errorf("newer Apply = %+v, %v; want Updated", r2, err)
	}

	stale, err := m.Apply(ctx, write("a", 2, item{"Ada", 2}))
	if err != nil || stale.Action != connector.Stale {
		t.Errorf("older Apply = %+v, %v; want Stale", stale, err)
	}
	if v, _ := m.Value("a"); v.Rev != 3 {
		t.Errorf("a stale write overwrote the value: rev %d", v.Rev)
	}
	if n := m.Writes("a"); n != 2 {
		t.Errorf("Writes(a) = %d, want 2 (create, update)", n)
	}

	// A zero version cannot be ordered: it applies.
	zero := write("a", 0, item{"Ada", 9})
	if r, err := m.Apply(ctx, zero); err != nil || r.Action != connector.Updated {
		t.Errorf("zero-version Apply = %+v, %v; want Updated", r, err)
	}

	// Writes show in the system's own change feed.
	all, err := read[item](t, m, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(all); !equalStrings(got, []string{"a upsert s1 @1", "a upsert s2 @2", "a upsert s3 @3"}) {
		t.Errorf("change feed after writes = %q", got)
	}
	if all[0].System != "erp" {
		t.Errorf("feed System = %q, want erp", all[0].System)
	}
}

func TestMemoryApplyStaleConflict(t *testing.T) {
	m := NewMemory[item]("erp", WithStaleConflict())
	if _, err := m.Apply(t.Context(), write("a", 2, item{"Ada", 2})); err != nil {
		t.Fatal(err)
	}
	_, err := m.Apply(t.Context(), write("a", 1, item{"Ada", 1}))
	if !errors.Is(err, connector.Conflict) {
		t.Errorf("older Apply error = %v, want Conflict", err)
	}
	if v, _ := m.Value("a"); v.Rev != 2 || m.Writes("a") != 1 {
		t.Errorf("value rev %d, writes %d; want 2, 1", v.Rev, m.Writes("a"))
	}
}

func TestMemoryApplyTargetConflict(t *testing.T) {
	ctx := t.Context()
	m := NewMemory[item]("erp")
	r1, err := m.Apply(ctx, write("a", 1, item{"Ada", 1}))
	if err != nil {
		t.Fatal(err)
	}
	w := write("a", 2, item{"Ada", 2})
	w.Target = &r1.Ref
	m.Put("a", item{"Edited in the ERP", 1})

	_, err = m.Apply(ctx, w)
	if !errors.Is(err, connector.Conflict) {
		t.Fatalf("write based on an old version: err %v, want Conflict", err)
	}
	cur, err := m.Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	// Re-read and retry with the current version: it applies.
	w.Target = &canonical.ExternalRef{System: "erp", ID: "erp-a", Version: cur.Version.String()}
	if r, err := m.Apply(ctx, w); err != nil || r.Action != connector.Updated {
		t.Errorf("retry after re-read = %+v, %v; want Updated", r, err)
	}
}

func TestMemoryApplyDelete(t *testing.T) {
	ctx := t.Context()
	m := NewMemory[item]("erp")
	if _, err := m.Apply(ctx, write("a", 1, item{"Ada", 1})); err != nil {
		t.Fatal(err)
	}
	del := write("a", 2, item{})
	del.Op = connector.Delete
	r, err := m.Apply(ctx, del)
	if err != nil || r.Action != connector.Deleted {
		t.Fatalf("delete = %+v, %v; want Deleted", r, err)
	}
	if _, ok := m.Value("a"); ok || len(m.Keys()) != 0 {
		t.Error("record still there after delete")
	}
	if _, err := m.Get(ctx, "a"); !errors.Is(err, connector.NotFound) {
		t.Errorf("Get after delete: %v, want NotFound", err)
	}
	// A late upsert older than the delete stays deleted.
	late := write("a", 1, item{"late", 1})
	late.IdempotencyKey = "late"
	if r, err := m.Apply(ctx, late); err != nil || r.Action != connector.Stale {
		t.Errorf("late upsert after delete = %+v, want Stale", r)
	}
	// A newer upsert recreates it.
	if r, err := m.Apply(ctx, write("a", 3, item{"Ada", 3})); err != nil || r.Action != connector.Created {
		t.Errorf("upsert after delete = %+v, %v; want Created", r, err)
	}
	// Deleting what does not exist has no effect.
	missing := write("nope", 1, item{})
	missing.Op = connector.Delete
	if r, err := m.Apply(ctx, missing); err != nil || r.Action != connector.Unchanged {
		t.Errorf("delete of unknown key = %+v, %v; want Unchanged", r, err)
	}
	if m.Writes("nope") != 0 || m.Writes("a") != 3 {
		t.Errorf("writes nope=%d a=%d, want 0 and 3", m.Writes("nope"), m.Writes("a"))
	}
	if !connector.CapabilitiesOf[item](m).Delete || !connector.CapabilitiesOf[item](m).Get {
		t.Error("Memory should report Get and Delete capabilities")
	}
}

func TestMemoryApplyCancelled(t *testing.T) {
	m := NewMemory[item]("erp")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := m.Apply(ctx, write("a", 1, item{})); !errors.Is(err, context.Canceled) {
		t.Errorf("Apply with a cancelled context: %v", err)
	}
	if m.Writes("a") != 0 {
		t.Error("cancelled Apply had an effect")
	}
}

func TestMemoryValidate(t *testing.T) {
	m := NewMemory[item]("erp")
	m.ValidateWith(func(v item) error {
		switch {
		case v.Name == "":
			return &canonical.ValidationError{Entity: "item", Errors: []canonical.FieldError{
				{Path: "name", Code: "required", Message: "is required"}}}
		case v.Name == "locked":
			return fmt.Errorf("check: %w", &canonical.TransitionError{Entity: "item", From: "open", To: "locked"})
		}
		return nil
	})
	_, err := m.Apply(t.Context(), write("a", 1, item{}))
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.Invalid || len(ce.Fields) != 1 || ce.Fields[0].Path != "name" {
		t.Errorf("invalid entity: %v, want Invalid with field path name", err)
	}
	_, err = m.Apply(t.Context(), write("b", 1, item{Name: "locked"}))
	if connector.KindOf(err) != connector.BusinessRule {
		t.Errorf("rule failure: kind %v, want business-rule", connector.KindOf(err))
	}
	if len(m.Keys()) != 0 {
		t.Errorf("refused writes stored records: %q", m.Keys())
	}
	if r, err := m.Apply(t.Context(), write("a", 2, item{Name: "Ada"})); err != nil || r.Action != connector.Created {
		t.Errorf("valid entity = %+v, %v", r, err)
	}
}

func TestMemoryFailNextAndFailKey(t *testing.T) {
	ctx := t.Context()
	boom := errors.New("boom")
	m := NewMemory[item]("erp")

	m.FailNext(2, boom)
	for i := range 3 {
		_, err := m.Apply(ctx, write("a", 1, item{}))
		if want := i < 2; errors.Is(err, boom) != want {
			t.Errorf("call %d: err %v, want failure %v", i, err, want)
		}
	}
	if m.Writes("a") != 1 {
		t.Errorf("Writes(a) = %d, want 1: failed calls have no effect", m.Writes("a"))
	}

	m.FailKey("b", boom)
	for seq := range int64(2) {
		if _, err := m.Apply(ctx, write("b", seq+1, item{})); !errors.Is(err, boom) {
			t.Errorf("FailKey: err %v, want boom", err)
		}
	}
	if _, err := m.Apply(ctx, write("c", 1, item{})); err != nil {
		t.Errorf("other keys must not fail: %v", err)
	}
	m.FailKey("b", nil)
	if _, err := m.Apply(ctx, write("b", 1, item{})); err != nil {
		t.Errorf("after clearing FailKey: %v", err)
	}

	m.FailNext(5, boom)
	m.FailNext(0, nil)
	if _, err := m.Apply(ctx, write("d", 1, item{})); err != nil {
		t.Errorf("after clearing FailNext: %v", err)
	}
}

func TestMemoryOnApply(t *testing.T) {
	m := NewMemory[item]("erp")
	rateLimited := connector.Errorf(connector.RateLimited, "erp", "slow down")
	var seen []string
	var mu sync.Mutex
	m.OnApply(func(w connector.Write[item]) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, w.Key)
		if w.Key == "slow" {
			return rateLimited
		}
		_ = m.Keys() // the hook may call back into the Memory
		return nil
	})
	if _, err := m.Apply(t.Context(), write("slow", 1, item{})); !errors.Is(err, connector.RateLimited) {
		t.Errorf("hook error not returned: %v", err)
	}
	if _, err := m.Apply(t.Context(), write("ok", 1, item{})); err != nil {
		t.Error(err)
	}
	if !equalStrings(seen, []string{"slow", "ok"}) || m.Writes("slow") != 0 {
		t.Errorf("seen %q, writes(slow) %d", seen, m.Writes("slow"))
	}
	m.OnApply(nil)
	if _, err := m.Apply(t.Context(), write("slow", 1, item{})); err != nil {
		t.Errorf("after removing the hook: %v", err)
	}
}

func TestMemoryFailSourceAfter(t *testing.T) {
	boom := errors.New("feed down")
	m := NewMemory[item]("crm")
	for i := range 3 {
		m.Put(fmt.Sprint(i), item{})
	}
	tests := []struct {
		after   int
		wantN   int
		wantErr bool
	}{
		{after: 0, wantN: 0, wantErr: true},
		{after: 2, wantN: 2, wantErr: true},
		{after: 10, wantN: 3, wantErr: true}, // fewer changes than n: the error ends the stream
	}
	for _, tt := range tests {
		m.FailSourceAfter(tt.after, boom)
		got, err := read[item](t, m, "")
		if len(got) != tt.wantN || errors.Is(err, boom) != tt.wantErr {
			t.Errorf("FailSourceAfter(%d): %d changes, err %v", tt.after, len(got), err)
		}
		// The fault fires once: the next stream is whole.
		if got, err := read[item](t, m, ""); err != nil || len(got) != 3 {
			t.Errorf("stream after the fault: %d changes, %v", len(got), err)
		}
	}
	m.FailSourceAfter(1, boom)
	m.FailSourceAfter(0, nil)
	if _, err := read[item](t, m, ""); err != nil {
		t.Errorf("after clearing: %v", err)
	}

	// A stream that cannot start (its context is done) leaves the fault armed.
	m.FailSourceAfter(1, boom)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, err := range m.Changes(ctx, "") {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled stream: %v", err)
		}
	}
	if got, err := read[item](t, m, ""); len(got) != 1 || !errors.Is(err, boom) {
		t.Errorf("the fault did not survive a cancelled stream: %d changes, %v", len(got), err)
	}
}

func TestMemoryConcurrentApply(t *testing.T) {
	m := NewMemory[item]("erp")
	m.FailKey("k3", errors.New("down"))
	var wg sync.WaitGroup
	for i := range 8 {
		for range 3 { // the same write three times, concurrently
			wg.Go(func() {
				_, _ = m.Apply(t.Context(), write(fmt.Sprintf("k%d", i), 1, item{Rev: i}))
			})
		}
		wg.Go(func() { m.Put(fmt.Sprintf("p%d", i), item{}) })
	}
	wg.Wait()
	for i := range 8 {
		want := 1
		if i == 3 {
			want = 0
		}
		if n := m.Writes(fmt.Sprintf("k%d", i)); n != want {
			t.Errorf("Writes(k%d) = %d, want %d", i, n, want)
		}
	}
	all, err := read[item](t, m, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 15 {
		t.Errorf("feed holds %d changes, want 15 (7 writes, 8 puts)", len(all))
	}
	for i, c := range all {
		if c.Version.Seq != int64(i+1) {
			t.Fatalf("feed is not in sequence order: %q", summary(all))
		}
	}
}
