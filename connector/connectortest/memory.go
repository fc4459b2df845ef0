package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// Option configures a Memory.
type Option func(*memoryConfig)

type memoryConfig struct {
	clock         connector.Clock
	pageSize      int
	pageDelay     time.Duration
	staleConflict bool
}

// WithClock sets the clock that stamps changes (Change.At) and runs page
// delays. The default is connector.SystemClock().
func WithClock(c connector.Clock) Option {
	return func(cfg *memoryConfig) {
		if c != nil {
			cfg.clock = c
		}
	}
}

// WithPageDelay makes a change stream wait d on the Memory's clock before every
// page of size changes, as a paging API would. With a fake Clock the waits cost
// nothing and are recorded. A size or delay of zero or less turns paging off.
func WithPageDelay(size int, d time.Duration) Option {
	return func(cfg *memoryConfig) {
		cfg.pageSize, cfg.pageDelay = size, d
	}
}

// WithStaleConflict makes Apply refuse a write older than the version it holds
// with a connector.Conflict error, instead of the default Result with Action
// connector.Stale. Both answers are allowed by the Sink contract; the option
// lets engine tests exercise both.
func WithStaleConflict() Option {
	return func(cfg *memoryConfig) { cfg.staleConflict = true }
}

// Memory is an in-memory system for tests. It is a connector.Source of its own
// change log, a connector.Sink that stores what it is given, a
// connector.Getter and a connector.Deleter. All methods are safe for
// concurrent use.
//
// Every change to the system, whether made with Put and Delete (edits "in the
// system", out of band) or through Apply, gets the next number of one
// monotonic sequence. That number is the change's Version.Seq and, as a
// decimal string, its Cursor, and it is the record's own version: the Ref an
// Apply returns carries it in Ref.Version.
//
// As a Sink, Memory keeps the rules of the connector.Sink contract:
//   - a Write whose IdempotencyKey was applied before returns the first
//     Result again, with Action Unchanged, and has no effect;
//   - a Write whose Version is older than the version of the last write
//     applied to the key returns Action Stale and has no effect (or a
//     Conflict error, WithStaleConflict); writes with a zero Version, or a
//     Version that cannot be ordered against the held one, are applied;
//   - a Write whose Target carries a Version (the Ref.Version of an earlier
//     Result) that is no longer the record's own version, because the record
//     changed since, fails with a Conflict error (optimistic concurrency);
//   - a Delete marks the record deleted and keeps its version, so a late,
//     older upsert is still stale. Deleting a record that does not exist
//     returns Action Unchanged.
//
// Faults can be injected with FailNext, FailKey, FailSourceAfter and OnApply,
// and entities can be validated with ValidateWith.
type Memory[T any] struct {
	system string
	cfg    memoryConfig

	mu       sync.Mutex
	seq      int64
	log      []connector.Change[T]
	records  map[string]*memRecord[T]
	done     map[string]connector.Result // by idempotency key
	writes   map[string]int
	failN    int
	failErr  error
	failKeys map[string]error
	srcFault *sourceFault
	onApply  func(connector.Write[T]) error
	validate func(T) error
}

type memRecord[T any] struct {
	value   T
	raw     json.RawMessage
	at      time.Time
	own     connector.Version // the system's version: the Seq of its last change
	applied connector.Version // the Version of the last write applied to it
	deleted bool
}

type sourceFault struct {
	after int
	err   error
}

// NewMemory returns an empty in-memory system named system. The name is the
// System of every change it reports and of every Ref it returns.
func NewMemory[T any](system string, opts ...Option) *Memory[T] {
	cfg := memoryConfig{clock: connector.SystemClock()}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	return &Memory[T]{
		system:   system,
		cfg:      cfg,
		records:  make(map[string]*memRecord[T]),
		done:     make(map[string]connector.Result),
		writes:   make(map[string]int),
		failKeys: make(map[string]error),
	}
}

// System returns the system's name.
func (m *Memory[T]) System() string { return m.system }

// Put records a new version of key with value v, as an edit made directly in
// the system would, and returns the change it appended to the log. Raw is the
// JSON encoding of v, or nil if v cannot be encoded.
func (m *Memory[T]) Put(key string, v T) connector.Change[T] {
	raw, _ := json.Marshal(v)
	now := m.cfg.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.records[key]
	if rec == nil {
		rec = &memRecord[T]{}
		m.records[key] = rec
	}
	rec.value, rec.raw, rec.at, rec.deleted = v, raw, now, false
	return m.appendLocked(key, connector.Upsert, rec)
}

// Delete deletes key, as an edit made directly in the system would, and
// returns the Delete change it appended to the log. The change's Entity is the
// record's last value, if it had one.
func (m *Memory[T]) Delete(key string) connector.Change[T] {
	now := m.cfg.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.records[key]
	if rec == nil {
		rec = &memRecord[T]{}
		m.records[key] = rec
	}
	rec.at, rec.deleted = now, true
	return m.appendLocked(key, connector.Delete, rec)
}

// appendLocked gives rec the next sequence number and logs the change.
func (m *Memory[T]) appendLocked(key string, op connector.Op, rec *memRecord[T]) connector.Change[T] {
	m.seq++
	rec.own = connector.SeqVersion(m.seq)
	c := connector.Change[T]{
		System:  m.system,
		Key:     key,
		Op:      op,
		Version: rec.own,
		Cursor:  seqCursor(m.seq),
		Entity:  rec.value,
		Raw:     slices.Clone(rec.raw),
		At:      rec.at,
	}
	m.log = append(m.log, c)
	return c
}

func seqCursor(n int64) connector.Cursor { return connector.Cursor(strconv.FormatInt(n, 10)) }

// Changes yields the log's changes after the cursor, oldest first, including
// changes appended while the stream runs. The cursor is a change's sequence
// number in decimal; "" reads from the beginning, and anything else that is
// not a non-negative number yields an Invalid error. The stream checks ctx
// before every change and ends with ctx.Err() once it is done.
func (m *Memory[T]) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[T], error] {
	return func(yield func(connector.Change[T], error) bool) {
		var zero connector.Change[T]
		from, err := m.parseCursor(after)
		if err != nil {
			yield(zero, err)
			return
		}
		var fault *sourceFault
		if ctx.Err() == nil { // a stream that cannot run leaves the fault armed
			m.mu.Lock()
			fault, m.srcFault = m.srcFault, nil
			m.mu.Unlock()
		}
		for n := 0; ; n++ {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			if fault != nil && n >= fault.after {
				yield(zero, fault.err)
				return
			}
			c, ok := m.next(from)
			if !ok {
				if fault != nil {
					yield(zero, fault.err)
				}
				return
			}
			if m.cfg.pageSize > 0 && m.cfg.pageDelay > 0 && n%m.cfg.pageSize == 0 {
				if err := m.cfg.clock.Sleep(ctx, m.cfg.pageDelay); err != nil {
					yield(zero, err)
					return
				}
			}
			if !yield(c, nil) {
				return
			}
			from = c.Version.Seq
		}
	}
}

func (m *Memory[T]) parseCursor(c connector.Cursor) (int64, error) {
	if c == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(c), 10, 64)
	if err != nil || n < 0 {
		return 0, &connector.Error{Kind: connector.Invalid, System: m.system, Op: "changes",
			Message: fmt.Sprintf("bad cursor %q", string(c))}
	}
	return n, nil
}

// next returns the first logged change with a sequence number above seq.
func (m *Memory[T]) next(seq int64) (connector.Change[T], bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := sort.Search(len(m.log), func(i int) bool { return m.log[i].Version.Seq > seq })
	if i == len(m.log) {
		return connector.Change[T]{}, false
	}
	c := m.log[i]
	c.Raw = slices.Clone(c.Raw)
	return c, true
}

// Get returns the current state of key as an Upsert change carrying the
// record's own version, or a NotFound error if key does not exist or was
// deleted.
func (m *Memory[T]) Get(ctx context.Context, key string) (connector.Change[T], error) {
	if err := ctx.Err(); err != nil {
		return connector.Change[T]{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.records[key]
	if rec == nil || rec.deleted {
		return connector.Change[T]{}, m.notFound("get", key)
	}
	return connector.Change[T]{
		System:  m.system,
		Key:     key,
		Op:      connector.Upsert,
		Version: rec.own,
		Cursor:  seqCursor(rec.own.Seq),
		Entity:  rec.value,
		Raw:     slices.Clone(rec.raw),
		At:      rec.at,
	}, nil
}

func (m *Memory[T]) notFound(op, key string) error {
	return &connector.Error{Kind: connector.NotFound, System: m.system, Op: op,
		Message: fmt.Sprintf("no record %q", key)}
}

// Value returns the current value of key, and false if key does not exist or
// was deleted.
func (m *Memory[T]) Value(key string) (T, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.records[key]
	if rec == nil || rec.deleted {
		var zero T
		return zero, false
	}
	return rec.value, true
}

// Keys returns the keys of the records that exist, sorted.
func (m *Memory[T]) Keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.records))
	for k, rec := range m.records {
		if !rec.deleted {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// Writes returns how many writes Apply made to key: every successful write
// that was not a repeat of an earlier IdempotencyKey and not stale. Put and
// Delete are edits in the system, not writes, and are not counted.
func (m *Memory[T]) Writes(key string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.writes[key]
}

// SupportsDelete reports true: Memory applies Delete changes.
func (m *Memory[T]) SupportsDelete() bool { return true }

// FailNext makes the next n calls to Apply return err, without effect. A
// non-positive n or a nil err clears the fault.
func (m *Memory[T]) FailNext(n int, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n <= 0 || err == nil {
		m.failN, m.failErr = 0, nil
		return
	}
	m.failN, m.failErr = n, err
}

// FailKey makes every Apply for key return err, without effect, until it is
// cleared with a nil err.
func (m *Memory[T]) FailKey(key string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err == nil {
		delete(m.failKeys, key)
		return
	}
	m.failKeys[key] = err
}

// FailSourceAfter makes the next change stream that runs yield at most n
// changes and then err, which ends it; a stream with fewer changes yields all
// of them and then err. Streams after that one are not affected. A nil err
// clears the fault.
func (m *Memory[T]) FailSourceAfter(n int, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err == nil {
		m.srcFault = nil
		return
	}
	m.srcFault = &sourceFault{after: max(n, 0), err: err}
}

// OnApply sets a hook that Apply calls first with every write (after the
// FailNext and FailKey faults); if it returns an error, Apply returns that
// error without effect. The hook runs without the Memory's lock held, so it
// may call the Memory's methods, and it may run concurrently for different
// keys. A nil fn removes the hook.
func (m *Memory[T]) OnApply(fn func(connector.Write[T]) error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.onApply = fn
}

// ValidateWith sets a function that Apply calls with the entity of every new
// upsert (not with repeats of an applied IdempotencyKey). An error refuses the
// write without effect: Apply returns a *connector.Error of the error's kind
// (Invalid if it has none) that carries the error's field paths, when it has
// a FieldErrors method, and wraps it. A nil fn removes the validation.
func (m *Memory[T]) ValidateWith(fn func(T) error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.validate = fn
}

// Apply stores w's entity under w.Key, or deletes the record for a Delete
// change, following the rules in the Memory documentation. The Result's Ref
// is {System: <system>, ID: "<system>-<key>", Version: the record's own
// version}. Apply returns ctx.Err() without effect if ctx is done.
func (m *Memory[T]) Apply(ctx context.Context, w connector.Write[T]) (connector.Result, error) {
	if err := ctx.Err(); err != nil {
		return connector.Result{}, err
	}
	if err := m.injected(w); err != nil {
		return connector.Result{}, err
	}

	m.mu.Lock()
	if r, ok := m.done[w.IdempotencyKey]; ok && w.IdempotencyKey != "" {
		m.mu.Unlock()
		r.Action = connector.Unchanged
		return r, nil
	}
	validate := m.validate
	m.mu.Unlock()

	var raw json.RawMessage
	if w.Op != connector.Delete {
		if validate != nil {
			if err := validate(w.Entity); err != nil {
				return connector.Result{}, m.invalid(err)
			}
		}
		var err error
		if raw, err = json.Marshal(w.Entity); err != nil {
			return connector.Result{}, m.invalid(err)
		}
	}
	now := m.cfg.clock.Now()

	m.mu.Lock()
	defer m.mu.Unlock()
	// Checked again under the lock: a concurrent write with the same key may
	// have won while this one validated.
	if r, ok := m.done[w.IdempotencyKey]; ok && w.IdempotencyKey != "" {
		r.Action = connector.Unchanged
		return r, nil
	}
	rec := m.records[w.Key]
	live := rec != nil && !rec.deleted
	if rec != nil && !rec.applied.IsZero() && !w.Version.IsZero() {
		if c, ok := w.Version.Compare(rec.applied); ok && c < 0 {
			if m.cfg.staleConflict {
				return connector.Result{}, &connector.Error{Kind: connector.Conflict, System: m.system, Op: "apply",
					Message: fmt.Sprintf("%q holds version %s, newer than %s", w.Key, rec.applied, w.Version)}
			}
			return connector.Result{Action: connector.Stale, Ref: m.ref(w.Key, rec)}, nil
		}
	}
	if live && w.Target != nil && w.Target.Version != "" && w.Target.Version != rec.own.String() {
		return connector.Result{}, &connector.Error{Kind: connector.Conflict, System: m.system, Op: "apply",
			Message: fmt.Sprintf("%q changed since version %s: it is at %s", w.Key, w.Target.Version, rec.own)}
	}

	var action connector.Action
	switch {
	case w.Op == connector.Delete && !live:
		if rec == nil {
			rec = &memRecord[T]{deleted: true}
			m.records[w.Key] = rec
		}
		if !w.Version.IsZero() {
			rec.applied = w.Version
		}
		return connector.Result{Action: connector.Unchanged, Ref: m.ref(w.Key, rec)}, nil
	case w.Op == connector.Delete:
		action = connector.Deleted
		rec.deleted, rec.at = true, now
	default:
		action = connector.Updated
		if !live {
			action = connector.Created
			if rec == nil {
				rec = &memRecord[T]{}
				m.records[w.Key] = rec
			}
		}
		rec.value, rec.raw, rec.at, rec.deleted = w.Entity, raw, now, false
	}
	if !w.Version.IsZero() {
		rec.applied = w.Version
	}
	m.appendLocked(w.Key, w.Op, rec)
	m.writes[w.Key]++
	res := connector.Result{Action: action, Ref: m.ref(w.Key, rec)}
	if w.IdempotencyKey != "" {
		m.done[w.IdempotencyKey] = res
	}
	return res, nil
}

// injected returns the error of the first fault that applies to w.
func (m *Memory[T]) injected(w connector.Write[T]) error {
	m.mu.Lock()
	if m.failN > 0 {
		m.failN--
		err := m.failErr
		m.mu.Unlock()
		return err
	}
	if err, ok := m.failKeys[w.Key]; ok {
		m.mu.Unlock()
		return err
	}
	hook := m.onApply
	m.mu.Unlock()
	if hook != nil {
		return hook(w)
	}
	return nil
}

func (m *Memory[T]) invalid(err error) error {
	kind := connector.KindOf(err)
	if kind == connector.Unknown {
		kind = connector.Invalid
	}
	e := &connector.Error{Kind: kind, System: m.system, Op: "apply", Message: err.Error(), Err: err}
	var fe interface{ FieldErrors() []canonical.FieldError }
	if errors.As(err, &fe) {
		e.Fields = fe.FieldErrors()
		e.Message = "entity is invalid"
	}
	return e
}

func (m *Memory[T]) ref(key string, rec *memRecord[T]) canonical.ExternalRef {
	return canonical.ExternalRef{System: m.system, ID: m.system + "-" + key, Version: rec.own.String()}
}
