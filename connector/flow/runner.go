package flow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/mapping"
)

// errLeaseLost cancels a pass whose lease could not be renewed.
var errLeaseLost = errors.New("flow: lease lost")

type flowRunner[S, D any] struct {
	f  Flow[S, D]
	e  *Engine
	st *flowState
}

func (r *flowRunner[S, D]) name() string         { return r.f.Name }
func (r *flowRunner[S, D]) every() time.Duration { return r.f.Every }
func (r *flowRunner[S, D]) state() *flowState    { return r.st }

// IdempotencyKey is the key the engine passes to sinks: deterministic in
// (flow, key, version), so a write repeated after a crash or a retry carries
// the same key and has one effect.
func IdempotencyKey(flow, key string, v connector.Version) string {
	h := sha256.New()
	h.Write([]byte(flow))
	h.Write([]byte{0})
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write([]byte(v.String()))
	return "jn-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// passState is what the workers of one pass share.
type passState struct {
	mu      sync.Mutex
	blocked map[string][]parkedRef // key -> its open exceptions, oldest first
	ledger  map[string]ledgerSlot  // what this pass knows of the ledger
}

// ledgerSlot caches one key's ledger entry; ok is false for a key known to
// have none. value is the entity written in this pass, when its JSON has not
// been made yet (the collector encodes it off the worker's path).
type ledgerSlot struct {
	e     store.LedgerEntry
	ok    bool
	value any
}

// parkedRef is an open exception of a key: its ID, the change's version and
// the kind it was parked with.
type parkedRef struct {
	id      string
	version connector.Version
	kind    connector.Kind
}

func newPassState() *passState {
	return &passState{blocked: map[string][]parkedRef{}, ledger: map[string]ledgerSlot{}}
}

// blocker returns the key's oldest open exception, and, when the change at
// version v is itself already parked (read again after a crash, or delivered
// twice), that exception.
func (p *passState) blocker(key string, v connector.Version) (oldest string, self *parkedRef) {
	p.mu.Lock()
	defer p.mu.Unlock()
	refs := p.blocked[key]
	for i, r := range refs {
		if c, ok := r.version.Compare(v); ok && c == 0 {
			return refs[0].id, &refs[i]
		}
	}
	if len(refs) == 0 {
		return "", nil
	}
	return refs[0].id, nil
}

func (p *passState) block(key string, r parkedRef) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, have := range p.blocked[key] {
		if have.id == r.id {
			return
		}
	}
	p.blocked[key] = append(p.blocked[key], r)
}

func (p *passState) remember(key string, e store.LedgerEntry, value any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ledger[key] = ledgerSlot{e: e, ok: true, value: value}
}

// cached returns the key's ledger entry (ok) if the pass knows it, whether it
// knows anything about the key at all, and the entity written in this pass
// if its JSON is not made yet.
func (p *passState) cached(key string) (e store.LedgerEntry, ok, known bool, value any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, known := p.ledger[key]
	return s.e, s.ok, known, s.value
}

// unknown returns the keys the pass has no ledger knowledge of.
func (p *passState) unknown(keys []string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, k := range keys {
		if _, known := p.ledger[k]; !known {
			out = append(out, k)
		}
	}
	return out
}

// prefetched records a batch read: found entries, and the absence of the rest.
func (p *passState) prefetched(keys []string, found map[string]store.LedgerEntry) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range keys {
		if _, known := p.ledger[k]; known {
			continue // a worker got there first with fresher news
		}
		e, ok := found[k]
		p.ledger[k] = ledgerSlot{e: e, ok: ok}
	}
}

// result is one processed change: its outcome, or abandoned when the pass was
// cancelled before the change got one (it will be read again next pass).
type result struct {
	idx       int
	cursor    connector.Cursor
	out       store.Outcome
	kind      connector.Kind
	retries   int
	lag       time.Duration
	abandoned bool
	value     any
}

func (r *flowRunner[S, D]) pass(parent context.Context) (rep Report, err error) {
	r.st.run.Lock()
	defer r.st.run.Unlock()
	e := r.e
	rep.Flow = r.f.Name
	defer func() { r.st.passDone(e.clock.Now(), err) }()

	ok, err := e.store.AcquireLease(parent, r.f.Name, e.owner, e.clock.Now(), e.leaseTTL)
	if err != nil {
		return rep, fmt.Errorf("flow %s: lease: %w", r.f.Name, err)
	}
	if !ok {
		return rep, ErrNotLeader
	}
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	go r.heartbeat(ctx, cancel)

	cursor, err := e.store.Checkpoint(ctx, r.f.Name)
	if err != nil {
		return rep, fmt.Errorf("flow %s: checkpoint: %w", r.f.Name, err)
	}
	rep.Checkpoint = cursor
	ps := newPassState()
	// Open exceptions: later changes of their keys wait behind them, and a
	// parked change read again after a crash is recognised, not parked twice.
	for ex, err := range e.store.Exceptions(ctx, store.ExceptionFilter{Flow: r.f.Name, Status: store.Open}) {
		if err != nil {
			return rep, fmt.Errorf("flow %s: open exceptions: %w", r.f.Name, err)
		}
		ps.block(ex.Key, parkedRef{id: ex.ID, version: ex.Version, kind: ex.Kind})
	}

	// Workers own keys by hash, so one key's changes run in order on one worker
	// while different keys run in parallel.
	n := r.f.Concurrency
	queues := make([]chan item[S], n)
	results := make(chan result, recordBatch) // workers go on while a batch is recorded
	var workers sync.WaitGroup
	seed := maphash.MakeSeed()
	for i := range queues {
		queues[i] = make(chan item[S], 16)
		workers.Add(1)
		go func(q <-chan item[S]) {
			defer workers.Done()
			for it := range q {
				results <- r.work(ctx, cancel, ps, it)
			}
		}(queues[i])
	}

	// The collector records outcomes in batches and moves the checkpoint to the
	// last change before which every change has an outcome.
	collected := make(chan collectorResult, 1)
	go func() { collected <- r.collect(context.WithoutCancel(ctx), results, cursor) }()

	var srcErr error
	idx := 0
	// With a store that reads the ledger in batches, changes are dispatched in
	// chunks whose keys are read in one round trip; otherwise one by one.
	batch, _ := e.store.(store.LedgerBatch)
	chunk := make([]connector.Change[S], 0, prefetchChunk)
	dispatch := func() bool {
		if batch != nil && len(chunk) > 0 {
			keys := make([]string, len(chunk))
			for i, c := range chunk {
				keys[i] = c.Key
			}
			keys = ps.unknown(keys)
			if len(keys) > 0 {
				found, err := batch.LastAppliedMany(ctx, r.f.Name, keys)
				if err == nil {
					ps.prefetched(keys, found)
				} // on error each change reads its own entry, as without batching
			}
		}
		for _, ch := range chunk {
			w := queues[maphash.String(seed, ch.Key)%uint64(n)]
			select {
			case w <- item[S]{idx: idx, ch: ch}:
				idx++
			case <-ctx.Done():
				return false
			}
		}
		chunk = chunk[:0]
		return true
	}
	for ch, err := range r.f.Source.Changes(ctx, cursor) {
		if err != nil {
			srcErr = err
			break
		}
		chunk = append(chunk, ch)
		if batch == nil || len(chunk) == cap(chunk) {
			if !dispatch() {
				break
			}
		}
	}
	dispatch()
	for _, q := range queues {
		close(q)
	}
	workers.Wait()
	close(results)
	cr := <-collected

	rep.Read = idx
	rep.Applied, rep.Skipped, rep.Parked = cr.applied, cr.skipped, cr.parked
	rep.Checkpoint = cr.checkpoint
	r.st.add(int64(idx), int64(cr.retries))
	level := slog.LevelInfo
	if idx == 0 {
		level = slog.LevelDebug // an empty poll is not news
	}
	e.log.LogAttrs(parent, level, "flow pass",
		slog.String("flow", r.f.Name), slog.Int("read", idx), slog.Int("applied", cr.applied),
		slog.Int("skipped", cr.skipped), slog.Int("parked", cr.parked))

	switch {
	case cr.err != nil:
		return rep, cr.err
	case context.Cause(ctx) != nil && !errors.Is(context.Cause(ctx), context.Canceled):
		return rep, context.Cause(ctx)
	case parent.Err() != nil:
		return rep, parent.Err()
	case srcErr != nil:
		return rep, fmt.Errorf("flow %s: source: %w", r.f.Name, srcErr)
	}
	return rep, nil
}

type item[S any] struct {
	idx int
	ch  connector.Change[S]
}

func (r *flowRunner[S, D]) heartbeat(ctx context.Context, cancel context.CancelCauseFunc) {
	t := time.NewTicker(max(r.e.leaseTTL/3, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			ok, err := r.e.store.AcquireLease(ctx, r.f.Name, r.e.owner, r.e.clock.Now(), r.e.leaseTTL)
			if ctx.Err() != nil {
				return
			}
			if err != nil || !ok {
				r.e.log.WarnContext(ctx, "flow lease lost", "flow", r.f.Name, "err", err)
				cancel(errLeaseLost)
				return
			}
		}
	}
}

func (r *flowRunner[S, D]) work(ctx context.Context, cancel context.CancelCauseFunc, ps *passState, it item[S]) result {
	res := result{idx: it.idx, cursor: it.ch.Cursor}
	p, err := r.process(ctx, ps, it.ch, nil)
	res.retries = p.retries
	if err != nil {
		var se *StoppedError
		if errors.As(err, &se) {
			cancel(se)
		}
		res.abandoned = true
		return res
	}
	res.out, res.kind, res.value = p.out, p.kind, p.value
	if !it.ch.At.IsZero() {
		res.lag = r.e.clock.Now().Sub(it.ch.At)
	}
	return res
}

type collectorResult struct {
	applied, skipped, parked, retries int
	checkpoint                        connector.Cursor
	err                               error
}

const (
	recordBatch   = 256 // outcomes per store.Record call
	prefetchChunk = 256 // changes per batched ledger read
)

func (r *flowRunner[S, D]) collect(ctx context.Context, results <-chan result, start connector.Cursor) collectorResult {
	cr := collectorResult{checkpoint: start}
	done := map[int]result{}
	next := 0
	// record stores one batch and moves the checkpoint. It runs on its own
	// goroutine, one batch at a time and in order, so that the next batch is
	// gathered (and its entities encoded) while this one is written.
	record := func(batch []store.Outcome, pending []result) {
		if cr.err != nil {
			return
		}
		if len(batch) > 0 {
			if err := r.e.store.Record(ctx, batch...); err != nil {
				cr.err = fmt.Errorf("flow %s: record outcomes: %w", r.f.Name, err)
				return
			}
		}
		for _, res := range pending {
			done[res.idx] = res
			if res.abandoned {
				continue
			}
			r.st.count(res.out, res.kind, res.lag)
			switch res.out.Result {
			case store.Applied:
				cr.applied++
			case store.Skipped:
				cr.skipped++
			case store.Parked:
				cr.parked++
			}
		}
		moved := false
		for {
			d, ok := done[next]
			if !ok || d.abandoned {
				break
			}
			delete(done, next)
			next++
			if d.cursor != "" {
				cr.checkpoint = d.cursor
				moved = true
			}
		}
		if moved {
			if err := r.e.store.SaveCheckpoint(ctx, r.f.Name, cr.checkpoint); err != nil {
				cr.err = fmt.Errorf("flow %s: save checkpoint: %w", r.f.Name, err)
			}
		}
	}
	// Two buffers: one being recorded while the other fills.
	type work struct {
		batch   []store.Outcome
		pending []result
	}
	queue := make(chan *work, 1)
	free := make(chan *work, 2)
	for range 2 {
		free <- &work{make([]store.Outcome, 0, recordBatch), make([]result, 0, recordBatch)}
	}
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		for w := range queue {
			record(w.batch, w.pending)
			clear(w.pending) // drop references to entities now recorded
			w.batch, w.pending = w.batch[:0], w.pending[:0]
			free <- w
		}
	}()

	retries := 0
	w := <-free
	for res := range results {
		retries += res.retries
		if !res.abandoned {
			if res.value != nil && res.out.Entity == nil {
				b, err := json.Marshal(res.value)
				if err != nil {
					r.e.log.ErrorContext(ctx, "flow cannot encode an applied entity for the ledger", "flow", r.f.Name, "key", res.out.Key, "err", err)
				}
				res.out.Entity = b
			}
			w.batch = append(w.batch, res.out)
		}
		w.pending = append(w.pending, res)
		if len(w.pending) >= recordBatch || len(results) == 0 {
			queue <- w
			w = <-free
		}
	}
	if len(w.pending) > 0 {
		queue <- w
	}
	close(queue)
	<-recorded
	cr.retries = retries
	return cr
}

// processed is the outcome of one change, with the kind of a parked error.
type processed struct {
	out     store.Outcome
	kind    connector.Kind
	retries int
	// value is the entity to encode into out.Entity before recording, when
	// the worker did not need its JSON itself.
	value any
}

// process takes one change through filter, ledger, map, validate, ownership,
// unchanged check and sink, and returns its outcome. Parking happens here (the
// exception ID goes into the outcome); recording the outcome is the caller's.
// An error means the change was abandoned without an outcome: the context was
// cancelled or the flow must stop.
func (r *flowRunner[S, D]) process(ctx context.Context, ps *passState, ch connector.Change[S], replay *store.Exception) (processed, error) {
	e := r.e
	now := e.clock.Now()
	p := processed{out: store.Outcome{Flow: r.f.Name, Key: ch.Key, Version: ch.Version, At: now}}
	skip := func(reason store.Reason, detail string) (processed, error) {
		p.out.Result, p.out.Reason, p.out.Detail = store.Skipped, reason, detail
		return p, nil
	}
	var mapped []byte // the mapped entity's JSON, for the exception, once known
	park := func(kind connector.Kind, err error, blockedBy string, attempts int) (processed, error) {
		if ctx.Err() != nil {
			return p, ctx.Err()
		}
		return r.park(ctx, ps, p, ch, mapped, kind, err, blockedBy, attempts, replay)
	}

	if replay == nil {
		id, self := ps.blocker(ch.Key, ch.Version)
		switch {
		case self != nil:
			// Parked already (read again after a crash, or delivered twice):
			// the outcome points at the same exception. The store keeps one
			// outcome per change, so recording it again is harmless, and it
			// covers a crash between parking and recording.
			p.kind = self.kind
			p.out.Result, p.out.Exception = store.Parked, self.id
			p.out.Detail = self.kind.String() + ": parked as " + self.id
			return p, nil
		case id != "" && r.f.Parked == WaitBehindParked:
			return park(connector.BusinessRule, fmt.Errorf("waits behind parked change %s of the same key", id), id, 0)
		}
	}
	last, hasLast, known, lastValue := ps.cached(ch.Key)
	if !known {
		var err error
		if last, hasLast, err = e.store.LastApplied(ctx, r.f.Name, ch.Key); err != nil {
			if ctx.Err() != nil {
				return p, ctx.Err()
			}
			return park(connector.Transient, fmt.Errorf("read ledger: %w", err), "", 0)
		}
	}
	pr := r.prepare(ctx, ch, last, hasLast, lastValue, &p)
	d, dropped := pr.d, pr.dropped
	mapped = pr.mapped
	switch {
	case pr.parkErr != nil:
		return park(pr.parkKind, pr.parkErr, "", pr.attempts)
	case pr.skip != "":
		if pr.skip == store.Unchanged || pr.skip == store.NotOwner {
			// The version advances in the ledger so a late older change is
			// still recognised as stale.
			p.out.Entity, p.out.Target, p.out.IdempotencyKey = last.Entity, last.Target, last.IdempotencyKey
			p.value = lastValue
			last.Version, last.At = ch.Version, now
			ps.remember(ch.Key, last, lastValue)
		}
		return skip(pr.skip, pr.detail)
	}

	w := connector.Write[D]{
		Change: connector.Change[D]{
			System: ch.System, Key: ch.Key, Op: ch.Op, Version: ch.Version,
			Cursor: ch.Cursor, Entity: d, Raw: ch.Raw, At: ch.At,
		},
		IdempotencyKey: IdempotencyKey(r.f.Name, ch.Key, ch.Version),
	}
	canonID, haveID := r.target(ctx, ch, &w, last, hasLast)

	res, attempts, err := r.apply(ctx, ch, w, &p)
	if err != nil {
		if ctx.Err() != nil {
			return p, ctx.Err()
		}
		kind := connector.KindOf(err)
		switch kind {
		case connector.Unauthorized, connector.Forbidden:
			return p, &StoppedError{Flow: r.f.Name, Err: err}
		case connector.Unknown:
			kind = connector.Transient
		}
		if mapped == nil {
			mapped, _ = json.Marshal(d)
		}
		return park(kind, err, "", attempts)
	}
	if res.Action == connector.Stale {
		return skip(store.Stale, "the sink holds a newer version")
	}
	p.out.Result = store.Applied
	p.out.Entity, p.out.Target, p.out.IdempotencyKey = mapped, res.Ref, w.IdempotencyKey
	var value any
	if mapped == nil {
		value = d
		p.value = d
	}
	p.out.Detail = res.Action.String()
	if len(dropped) > 0 {
		p.out.Reason, p.out.Detail = store.NotOwner, res.Action.String()+"; "+pr.notOwned(ch.System)
	}
	ps.remember(ch.Key, store.LedgerEntry{
		Flow: r.f.Name, Key: ch.Key, Version: ch.Version, IdempotencyKey: w.IdempotencyKey,
		Entity: mapped, Target: res.Ref, At: now,
	}, value)
	r.link(ctx, ch, res.Ref, canonID, haveID)
	return p, nil
}

// prepared is what a change comes to before the sink: skipped (skip set),
// parked (parkErr set) or an entity to write (d, its JSON when already made,
// and the fields dropped as not owned).
type prepared[D any] struct {
	skip     store.Reason
	detail   string
	parkKind connector.Kind
	parkErr  error
	attempts int
	d        D
	mapped   []byte
	dropped  []string
}

// prepare takes a change through the steps a pass and a dry run share:
// filter, the ledger's version check, mapping (retried when transient),
// validation, ownership and the unchanged check. last is the key's ledger
// entry (hasLast), and lastValue the entity written in this pass if its JSON
// is not made yet.
func (r *flowRunner[S, D]) prepare(ctx context.Context, ch connector.Change[S], last store.LedgerEntry, hasLast bool, lastValue any, p *processed) prepared[D] {
	var pr prepared[D]
	parkAs := func(kind connector.Kind, err error) prepared[D] {
		pr.parkKind, pr.parkErr = kind, err
		return pr
	}
	if r.f.Filter != nil {
		if keep, reason := r.f.Filter(ctx, ch); !keep {
			pr.skip, pr.detail = store.Filtered, reason
			return pr
		}
	}
	if hasLast {
		if c, ok := ch.Version.Compare(last.Version); ok && c == 0 {
			pr.skip, pr.detail = store.Duplicate, "version "+ch.Version.String()+" already applied"
			return pr
		} else if ok && c < 0 {
			pr.skip, pr.detail = store.Stale, "version "+ch.Version.String()+" is older than applied "+last.Version.String()
			return pr
		}
	}
	env := Env{Flow: r.f.Name, XRef: r.e.store, Logger: r.e.log, Clock: r.e.clock}
	d, attempts, err := r.mapEntity(ctx, env, ch, p)
	pr.d, pr.attempts = d, attempts
	if err != nil {
		kind := connector.KindOf(err)
		if kind == connector.Unknown {
			kind = connector.Invalid // a mapping failure is a data problem unless it says otherwise
		}
		return parkAs(kind, fmt.Errorf("map: %w", err))
	}
	if ch.Op == connector.Upsert {
		if err := r.validate(ctx, &d); err != nil {
			pr.mapped, _ = json.Marshal(d)
			pr.attempts = 0
			return parkAs(connector.Invalid, err)
		}
	}
	// The JSON is needed here only to compare with what was written before or
	// to enforce ownership; otherwise the collector makes it for the ledger,
	// off the worker's path.
	if r.f.Ownership != nil || (hasLast && lastValue == nil) {
		if pr.mapped, err = json.Marshal(d); err != nil {
			return parkAs(connector.Invalid, fmt.Errorf("encode mapped entity: %w", err))
		}
	}
	if r.f.Ownership != nil && ch.Op == connector.Upsert {
		var prev []byte
		if hasLast {
			prev = last.Entity
		}
		owned, fields, err := r.f.Ownership.enforce(ch.System, pr.mapped, prev)
		if err != nil {
			return parkAs(connector.Invalid, err)
		}
		if len(fields) > 0 {
			var nd D
			if err := json.Unmarshal(owned, &nd); err != nil {
				return parkAs(connector.Invalid, fmt.Errorf("ownership: %w", err))
			}
			pr.d, pr.mapped, pr.dropped = nd, owned, fields
		}
	}
	if hasLast && ch.Op == connector.Upsert && r.unchanged(pr.d, pr.mapped, last.Entity, lastValue) {
		pr.skip, pr.detail = store.Unchanged, "mapped entity equals the one last written"
		if len(pr.dropped) > 0 {
			pr.skip, pr.detail = store.NotOwner, pr.notOwned(ch.System)
		}
	}
	return pr
}

// notOwned describes the fields dropped because system does not own them.
func (pr prepared[D]) notOwned(system string) string {
	return "fields not owned by " + system + ": " + strings.Join(pr.dropped, ", ")
}

// mapEntity runs the mapping, retrying it inside the flow's budget when it
// fails with a transient or rate-limited error (a crosswalk lookup that timed
// out); any other failure is final. It returns the attempts made.
func (r *flowRunner[S, D]) mapEntity(ctx context.Context, env Env, ch connector.Change[S], p *processed) (D, int, error) {
	var bo *backoff.ExponentialBackOff
	for attempt := 1; ; attempt++ {
		d, err := r.f.Map(ctx, env, ch.Entity)
		kind := connector.KindOf(err)
		if err == nil || (kind != connector.Transient && kind != connector.RateLimited) || attempt >= r.f.Retry.MaxAttempts {
			return d, attempt, err
		}
		if bo == nil {
			bo = r.backoff()
		}
		p.retries++
		if err := r.e.clock.Sleep(ctx, max(bo.NextBackOff(), connector.RetryAfterOf(err))); err != nil {
			return d, attempt, err
		}
	}
}

func (r *flowRunner[S, D]) backoff() *backoff.ExponentialBackOff {
	return backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(r.f.Retry.Initial),
		backoff.WithMaxInterval(r.f.Retry.Max),
		backoff.WithMaxElapsedTime(0),
	)
}

// validate runs the entity's own Validate method, if any, then the flow's
// rules, and returns every problem found.
func (r *flowRunner[S, D]) validate(ctx context.Context, d *D) error {
	var errs []error
	if v, ok := any(d).(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if r.f.Validate != nil {
		if err := r.f.Validate(ctx, *d); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// unchanged reports whether the mapped entity d equals the one last written:
// compared as values when that one was written in this pass and is still at
// hand, else through its JSON (see same).
func (r *flowRunner[S, D]) unchanged(d D, mapped, last []byte, lastValue any) bool {
	if lv, ok := lastValue.(D); ok {
		return mapping.Equal(d, lv)
	}
	return r.same(mapped, last)
}

// same reports whether a mapped entity equals the one last written: the same
// JSON, or, when the JSON differs only in form (12.3 vs 12.30), equal under
// mapping.Equal (decimals and money compared numerically).
func (r *flowRunner[S, D]) same(mapped, last []byte) bool {
	if len(last) == 0 {
		return false
	}
	if string(mapped) == string(last) {
		return true
	}
	var a, b D
	if json.Unmarshal(mapped, &a) != nil || json.Unmarshal(last, &b) != nil {
		return false
	}
	return mapping.Equal(a, b)
}

// target finds the record's ref in the sink's system through the crosswalk or
// the ledger, and sets it on w.
func (r *flowRunner[S, D]) target(ctx context.Context, ch connector.Change[S], w *connector.Write[D], last store.LedgerEntry, hasLast bool) (string, bool) {
	if hasLast && last.Target.ID != "" {
		t := last.Target
		w.Target = &t
	}
	if r.f.Entity == "" {
		return "", false
	}
	id, ok, err := r.e.store.Lookup(ctx, r.f.Entity, canonical.ExternalRef{System: ch.System, ID: ch.Key})
	if err != nil || !ok {
		return "", false
	}
	refs, err := r.e.store.Refs(ctx, r.f.Entity, id)
	if err == nil {
		for _, ref := range refs {
			if ref.System == r.f.TargetSystem {
				w.Target = &ref
				break
			}
		}
	}
	return id, true
}

// link records in the crosswalk that the source ref and the sink's ref are the
// same entity.
func (r *flowRunner[S, D]) link(ctx context.Context, ch connector.Change[S], to canonical.ExternalRef, id string, haveID bool) {
	if r.f.Entity == "" || to.ID == "" {
		return
	}
	src := canonical.ExternalRef{System: ch.System, ID: ch.Key}
	if !haveID {
		id = src.String()
		if err := r.e.store.Link(ctx, r.f.Entity, id, src); err != nil {
			r.e.log.WarnContext(ctx, "crosswalk link failed", "flow", r.f.Name, "ref", src.String(), "err", err)
			return
		}
	}
	if err := r.e.store.Link(ctx, r.f.Entity, id, to); err != nil {
		r.e.log.WarnContext(ctx, "crosswalk link failed", "flow", r.f.Name, "ref", to.String(), "err", err)
	}
}

// apply calls the sink, retrying retryable failures with backoff inside the
// flow's budget and a conflict once. It returns the attempts made.
func (r *flowRunner[S, D]) apply(ctx context.Context, ch connector.Change[S], w connector.Write[D], p *processed) (connector.Result, int, error) {
	pol := r.f.Retry
	bo := r.backoff()
	conflictRetried := false
	for attempt := 1; ; attempt++ {
		res, err := r.f.Sink.Apply(ctx, w)
		if err == nil {
			return res, attempt, nil
		}
		if ctx.Err() != nil {
			return res, attempt, err
		}
		switch kind := connector.KindOf(err); kind {
		case connector.Transient, connector.RateLimited, connector.Unknown:
			if attempt >= pol.MaxAttempts {
				return res, attempt, err
			}
			wait := bo.NextBackOff()
			if ra := connector.RetryAfterOf(err); ra > wait {
				wait = ra
			}
			r.e.log.DebugContext(ctx, "flow retry", "flow", r.f.Name, "key", ch.Key, "attempt", attempt, "wait", wait, "err", err)
			p.retries++
			if err := r.e.clock.Sleep(ctx, wait); err != nil {
				return res, attempt, err
			}
		case connector.Conflict:
			if conflictRetried {
				return res, attempt, err
			}
			conflictRetried = true
			if superseded := r.superseded(ctx, ch); superseded {
				return connector.Result{Action: connector.Stale}, attempt, nil
			}
			p.retries++
		default:
			return res, attempt, err
		}
	}
}

// superseded re-reads the key from the source, when the source can, and
// reports whether the source now holds a newer version than ch: that newer
// change will come through the stream, so this one is stale.
func (r *flowRunner[S, D]) superseded(ctx context.Context, ch connector.Change[S]) bool {
	g, ok := r.f.Source.(connector.Getter[S])
	if !ok {
		return false
	}
	fresh, err := g.Get(ctx, ch.Key)
	if err != nil {
		return false
	}
	c, ok := fresh.Version.Compare(ch.Version)
	return ok && c > 0
}

// park stores (or, on replay, updates) the exception and returns the parked
// outcome.
func (r *flowRunner[S, D]) park(ctx context.Context, ps *passState, p processed, ch connector.Change[S], mapped []byte, kind connector.Kind, cause error, blockedBy string, attempts int, replay *store.Exception) (processed, error) {
	now := r.e.clock.Now()
	src, _ := json.Marshal(ch.Entity)
	ex := store.Exception{
		Flow: r.f.Name, Key: ch.Key, System: ch.System, Op: ch.Op, Version: ch.Version,
		Cursor: ch.Cursor, Kind: kind, Message: cause.Error(), Fields: fieldsOf(cause),
		Payload: ch.Raw, Source: src, Mapped: mapped, BlockedBy: blockedBy,
		Attempts: max(attempts, 1), FirstSeen: now, LastSeen: now, Status: store.Open,
	}
	if replay != nil {
		ex.ID, ex.FirstSeen, ex.BlockedBy = replay.ID, replay.FirstSeen, ""
		ex.Attempts += replay.Attempts
	}
	id, err := r.e.store.Park(context.WithoutCancel(ctx), ex)
	if err != nil {
		return p, fmt.Errorf("flow %s: park %s: %w", r.f.Name, ch.Key, err)
	}
	if ps != nil {
		ps.block(ch.Key, parkedRef{id: id, version: ch.Version, kind: kind})
	}
	p.kind = kind
	p.out.Result, p.out.Exception, p.out.Detail = store.Parked, id, kind.String()+": "+cause.Error()
	r.e.log.WarnContext(ctx, "flow parked change", "flow", r.f.Name, "key", ch.Key,
		"version", ch.Version.String(), "kind", kind.String(), "exception", id, "err", cause)
	return p, nil
}

// fieldsOf collects the field errors of err and of every error joined or
// wrapped in it.
func fieldsOf(err error) []canonical.FieldError {
	var out []canonical.FieldError
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if fe, ok := err.(interface{ FieldErrors() []canonical.FieldError }); ok {
			out = append(out, fe.FieldErrors()...)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}
