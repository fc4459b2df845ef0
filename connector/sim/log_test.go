package sim

import (
	"context"
	"fmt"
	"testing"

	"github.com/junctionhq/junction/connector"
)

// TestLogCursorsAreSafeUnderReorderAndDuplicates resumes from every cursor the
// log hands out and checks that nothing after it is ever missed, while the
// faults really do reorder and duplicate.
func TestLogCursorsAreSafeUnderReorderAndDuplicates(t *testing.T) {
	env := NewEnv("sys", 42, nil)
	env.SetFaults(Faults{Duplicate: 0.2, Reorder: 0.3})
	l := NewLog[int](env)
	const n = 300
	for i := range n {
		l.Append(fmt.Sprintf("k%d", i%17), connector.Upsert, i)
	}
	var got []connector.Change[int]
	for c, err := range l.Changes(context.Background(), "") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	seen := map[int64]int{}
	swapped := false
	for i, c := range got {
		seen[c.Version.Seq]++
		if i > 0 && c.Version.Seq < got[i-1].Version.Seq {
			swapped = true
		}
	}
	if len(seen) != n {
		t.Fatalf("delivered %d distinct events, want %d", len(seen), n)
	}
	if len(got) == n || !swapped {
		t.Fatalf("faults had no effect: %d deliveries, swapped=%v", len(got), swapped)
	}
	if last := got[len(got)-1].Cursor; last != "300" {
		t.Errorf("the last cursor is %s, want 300: a reader would read events again", last)
	}
	// Resuming from the cursor of delivery i must yield every event not yet
	// delivered by deliveries 0..i.
	for i, c := range got {
		before := map[int64]bool{}
		for _, p := range got[:i+1] {
			before[p.Version.Seq] = true
		}
		after := map[int64]bool{}
		for r, err := range l.Changes(context.Background(), c.Cursor) {
			if err != nil {
				t.Fatal(err)
			}
			after[r.Version.Seq] = true
		}
		for s := int64(1); s <= n; s++ {
			if !before[s] && !after[s] {
				t.Fatalf("resuming from cursor %s (delivery %d) loses event %d", c.Cursor, i, s)
			}
		}
	}
}

func TestCallInjectsFaultsReproducibly(t *testing.T) {
	run := func() string {
		env := NewEnv("sys", 7, nil)
		env.SetFaults(Faults{Transient: 0.3, RateLimit: 0.2})
		var out []byte
		for range 40 {
			switch connector.KindOf(env.Call(context.Background(), "op")) {
			case connector.Transient:
				out = append(out, 'T')
			case connector.RateLimited:
				out = append(out, 'R')
			default:
				out = append(out, '.')
			}
		}
		return string(out)
	}
	a, b := run(), run()
	if a != b {
		t.Fatalf("same seed, different faults:\n%s\n%s", a, b)
	}
	for _, k := range "TR." {
		if !containsRune(a, k) {
			t.Errorf("fault pattern %s never shows %q", a, k)
		}
	}
	if got := Seq("SO", 7); got != "SO-000007" {
		t.Errorf("Seq = %s", got)
	}
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}
