package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strconv"
	"sync"
	"time"

	"github.com/junctionhq/junction/connector"
)

// Log is an append-only change log that a simulator exposes as a
// connector.Source. Every append is a new version of its key (Version.Seq is
// the log position, so versions rise per key). With the Env's Duplicate and
// Reorder faults it delivers some events twice or swapped with the next one,
// but each change's Cursor only ever covers events already delivered, so a
// consumer that resumes from any cursor it was given misses nothing.
type Log[T any] struct {
	env *Env

	mu      sync.Mutex
	entries []connector.Change[T]
	latest  map[string]int // key -> index of its newest entry
}

// NewLog returns an empty log for env's system.
func NewLog[T any](env *Env) *Log[T] {
	return &Log[T]{env: env, latest: map[string]int{}}
}

// Append records a change of key and returns it. Raw is v as JSON.
func (l *Log[T]) Append(key string, op connector.Op, v T) connector.Change[T] {
	raw, _ := json.Marshal(v)
	l.mu.Lock()
	defer l.mu.Unlock()
	pos := len(l.entries) + 1
	c := connector.Change[T]{
		System: l.env.System, Key: key, Op: op,
		Version: connector.Version{Seq: int64(pos)},
		Entity:  v, Raw: raw, At: l.env.Clock.Now(),
		Cursor: connector.Cursor(strconv.Itoa(pos)),
	}
	l.entries = append(l.entries, c)
	l.latest[key] = pos - 1
	return c
}

// Len returns the number of entries.
func (l *Log[T]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// Latest returns the newest change of key.
func (l *Log[T]) Latest(key string) (connector.Change[T], bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i, ok := l.latest[key]
	if !ok {
		return connector.Change[T]{}, false
	}
	return l.entries[i], true
}

// Get implements connector.Getter: the newest change of key, or NotFound.
func (l *Log[T]) Get(ctx context.Context, key string) (connector.Change[T], error) {
	if err := l.env.Call(ctx, "get"); err != nil {
		return connector.Change[T]{}, err
	}
	c, ok := l.Latest(key)
	if !ok {
		return c, connector.Errorf(connector.NotFound, l.env.System, "no record %q", key)
	}
	return c, nil
}

// Changes implements connector.Source. The stream may fail with an injected
// fault at its start, like a failed first page.
func (l *Log[T]) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[T], error] {
	return func(yield func(connector.Change[T], error) bool) {
		start := 0
		if after != "" {
			n, err := strconv.Atoi(string(after))
			if err != nil || n < 0 {
				yield(connector.Change[T]{}, connector.Errorf(connector.Invalid, l.env.System, "bad cursor %q", after))
				return
			}
			start = n
		}
		if err := l.env.Call(ctx, "changes"); err != nil {
			yield(connector.Change[T]{}, err)
			return
		}
		l.mu.Lock()
		entries := l.entries[min(start, len(l.entries)):]
		l.mu.Unlock()
		f := l.env.Faults()
		delivered := start // every position <= delivered has been yielded
		for i := 0; i < len(entries); i++ {
			if err := ctx.Err(); err != nil {
				yield(connector.Change[T]{}, err)
				return
			}
			order := []int{i}
			if i+1 < len(entries) && l.env.Chance(f.Reorder) {
				order = []int{i + 1, i}
				i++
			}
			for j, k := range order {
				c := entries[k]
				if j == len(order)-1 {
					delivered = start + i + 1 // now both of a swapped pair are out
				}
				c.Cursor = connector.Cursor(strconv.Itoa(delivered))
				if !yield(c, nil) {
					return
				}
				if l.env.Chance(f.Duplicate) && !yield(c, nil) {
					return
				}
			}
		}
	}
}

// Stamp returns the simulator's current time, for entities' timestamps.
func (e *Env) Stamp() time.Time { return e.Clock.Now() }

// Seq formats n as a document number with a prefix: Seq("SO", 7) is "SO-000007".
func Seq(prefix string, n int) string { return fmt.Sprintf("%s-%06d", prefix, n) }
