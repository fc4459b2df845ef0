// Package memstore is the in-memory store.Store: the default for a single
// process, for tests and for examples. It is safe for concurrent use and keeps
// nothing across restarts; use sqlstore to keep state or share it between
// replicas.
//
// The store copies what it is given and what it returns, so a caller may reuse
// or change its slices and raw JSON afterwards. Iterators copy a page of
// results under the lock and yield them without it, so a loop body may call
// the store, even to write.
package memstore

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/internal/check"
)

// pageSize is how many records an iterator copies per lock.
const pageSize = 256

// Store is an in-memory store.Store. Create one with New; the zero value is
// not usable.
type Store struct {
	mu sync.RWMutex

	checkpoints map[string]connector.Cursor

	outcomes outcomeLog
	changes  map[check.Change]int // position in outcomes of each change's outcome
	ledger   map[flowKey]store.LedgerEntry

	exceptions []store.Exception    // exceptions[n-1] has the ID check.ExceptionID(n)
	byKey      map[flowKey][]int    // indexes into exceptions, in park order
	leases     map[string]lease     // by lease name
	deliveries map[string]*delivery // by system
	xref       map[string]*xrefEntity
}

var _ store.Store = (*Store)(nil)

type flowKey struct{ flow, key string }

type lease struct {
	owner   string
	expires time.Time
}

type delivery struct {
	seen   map[string]time.Time // delivery ID -> first recorded
	pruned time.Time            // when expired records were last dropped
}

// New returns an empty store.
func New() *Store {
	return &Store{
		checkpoints: make(map[string]connector.Cursor),
		changes:     make(map[check.Change]int),
		ledger:      make(map[flowKey]store.LedgerEntry),
		byKey:       make(map[flowKey][]int),
		leases:      make(map[string]lease),
		deliveries:  make(map[string]*delivery),
		xref:        make(map[string]*xrefEntity),
	}
}

// Checkpoint returns the flow's saved cursor, or "" if none.
func (s *Store) Checkpoint(ctx context.Context, flow string) (connector.Cursor, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.checkpoints[flow], nil
}

// SaveCheckpoint stores the flow's cursor.
func (s *Store) SaveCheckpoint(ctx context.Context, flow string, c connector.Cursor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := check.Flow(flow); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkpoints[flow] = c
	return nil
}

// Record stores outcomes, one per change, and moves the ledger for those with
// an Entity.
func (s *Store) Record(ctx context.Context, outcomes ...store.Outcome) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := check.Outcomes(outcomes); err != nil {
		return err
	}
	// Copy and name the changes outside the lock.
	copied := make([]store.Outcome, len(outcomes))
	changes := make([]check.Change, len(outcomes))
	for i, o := range outcomes {
		copied[i] = cloneOutcome(o)
		changes[i] = check.ChangeOf(o)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, o := range copied {
		logged := o
		logged.Entity = nil // the log keeps decisions; the ledger keeps the entity
		if at, ok := s.changes[changes[i]]; !ok {
			s.changes[changes[i]] = s.outcomes.n
			s.outcomes.push(logged)
		} else if old := s.outcomes.at(at); check.Replaceable(*old) {
			*old = logged
		}
		if check.MovesLedger(o) {
			s.ledger[flowKey{o.Flow, o.Key}] = store.LedgerEntry{
				Flow:           o.Flow,
				Key:            o.Key,
				Version:        o.Version,
				IdempotencyKey: o.IdempotencyKey,
				Entity:         o.Entity,
				Target:         o.Target,
				At:             o.At,
			}
		}
	}
	return nil
}

// LastAppliedMany returns the ledger entries of the keys that have one.
func (s *Store) LastAppliedMany(ctx context.Context, flow string, keys []string) (map[string]store.LedgerEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]store.LedgerEntry, len(keys))
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, k := range keys {
		if e, ok := s.ledger[flowKey{flow, k}]; ok {
			e.Entity = cloneRaw(e.Entity)
			out[k] = e
		}
	}
	return out, nil
}

// LastApplied returns the ledger entry for (flow, key).
func (s *Store) LastApplied(ctx context.Context, flow, key string) (store.LedgerEntry, bool, error) {
	if err := ctx.Err(); err != nil {
		return store.LedgerEntry{}, false, err
	}
	s.mu.RLock()
	e, ok := s.ledger[flowKey{flow, key}]
	s.mu.RUnlock()
	if ok {
		e.Entity = cloneRaw(e.Entity)
	}
	return e, ok, nil
}

// Outcomes lists recorded outcomes in the order they were first recorded.
func (s *Store) Outcomes(ctx context.Context, f store.OutcomeFilter) iter.Seq2[store.Outcome, error] {
	return func(yield func(store.Outcome, error) bool) {
		next := 0
		for {
			if err := ctx.Err(); err != nil {
				yield(store.Outcome{}, err)
				return
			}
			page := make([]store.Outcome, 0, pageSize)
			s.mu.RLock()
			for ; next < s.outcomes.n && len(page) < pageSize; next++ {
				if o := s.outcomes.at(next); matchOutcome(o, f) {
					page = append(page, cloneOutcome(*o))
				}
			}
			done := next >= s.outcomes.n
			s.mu.RUnlock()
			for _, o := range page {
				if !yield(o, nil) {
					return
				}
			}
			if done {
				return
			}
		}
	}
}

// outcomeLog is a list that only grows, kept in fixed-size blocks, so that
// growing it never copies what it already holds. An entry may be overwritten
// in place (a Parked outcome replaced).
type outcomeLog struct {
	blocks [][]store.Outcome
	n      int
}

const logBlock = 4096

func (l *outcomeLog) push(o store.Outcome) {
	if l.n%logBlock == 0 {
		l.blocks = append(l.blocks, make([]store.Outcome, 0, logBlock))
	}
	last := &l.blocks[len(l.blocks)-1]
	*last = append(*last, o)
	l.n++
}

func (l *outcomeLog) at(i int) *store.Outcome { return &l.blocks[i/logBlock][i%logBlock] }

func matchOutcome(o *store.Outcome, f store.OutcomeFilter) bool {
	return (f.Flow == "" || o.Flow == f.Flow) &&
		(f.Key == "" || o.Key == f.Key) &&
		(f.Result == "" || o.Result == f.Result)
}

// Park stores a new exception, or updates the one ex.ID names.
func (s *Store) Park(ctx context.Context, ex store.Exception) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := check.Exception(ex); err != nil {
		return "", err
	}
	ex = cloneException(ex)
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.exceptionIndex(ex.ID); ok {
		old := &s.exceptions[i]
		old.Attempts = ex.Attempts
		old.LastSeen = ex.LastSeen
		old.Kind = ex.Kind
		old.Message = ex.Message
		old.Fields = ex.Fields
		old.Mapped = ex.Mapped
		return old.ID, nil
	}
	i := len(s.exceptions)
	ex.ID = check.ExceptionID(int64(i + 1))
	if ex.Status == "" {
		ex.Status = store.Open
	}
	if ex.FirstSeen.IsZero() {
		ex.FirstSeen = ex.LastSeen
	}
	s.exceptions = append(s.exceptions, ex)
	k := flowKey{ex.Flow, ex.Key}
	s.byKey[k] = append(s.byKey[k], i)
	return ex.ID, nil
}

// exceptionIndex finds an exception by ID. The caller holds the lock.
func (s *Store) exceptionIndex(id string) (int, bool) {
	n, ok := check.ParseExceptionID(id)
	if !ok || n > int64(len(s.exceptions)) {
		return 0, false
	}
	return int(n - 1), true
}

// Exception returns one exception by ID, or store.ErrNotFound.
func (s *Store) Exception(ctx context.Context, id string) (store.Exception, error) {
	if err := ctx.Err(); err != nil {
		return store.Exception{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, ok := s.exceptionIndex(id)
	if !ok {
		return store.Exception{}, store.ErrNotFound
	}
	return cloneException(s.exceptions[i]), nil
}

// Exceptions lists exceptions in the order they were first parked.
func (s *Store) Exceptions(ctx context.Context, f store.ExceptionFilter) iter.Seq2[store.Exception, error] {
	return func(yield func(store.Exception, error) bool) {
		next, sent := 0, 0
		for {
			if err := ctx.Err(); err != nil {
				yield(store.Exception{}, err)
				return
			}
			want := pageSize
			if f.Limit > 0 {
				want = min(want, f.Limit-sent)
			}
			page := make([]store.Exception, 0, want)
			s.mu.RLock()
			for ; next < len(s.exceptions) && len(page) < want; next++ {
				if ex := &s.exceptions[next]; matchException(ex, f) {
					page = append(page, cloneException(*ex))
				}
			}
			done := next >= len(s.exceptions)
			s.mu.RUnlock()
			for _, ex := range page {
				if !yield(ex, nil) {
					return
				}
			}
			sent += len(page)
			if done || (f.Limit > 0 && sent >= f.Limit) {
				return
			}
		}
	}
}

func matchException(ex *store.Exception, f store.ExceptionFilter) bool {
	return (f.Flow == "" || ex.Flow == f.Flow) &&
		(f.Key == "" || ex.Key == f.Key) &&
		(f.Kind == connector.Unknown || ex.Kind == f.Kind) &&
		(f.Status == "" || ex.Status == f.Status)
}

// OpenException returns the oldest open exception for (flow, key).
func (s *Store) OpenException(ctx context.Context, flow, key string) (store.Exception, bool, error) {
	if err := ctx.Err(); err != nil {
		return store.Exception{}, false, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, i := range s.byKey[flowKey{flow, key}] {
		if s.exceptions[i].Status == store.Open {
			return cloneException(s.exceptions[i]), true, nil
		}
	}
	return store.Exception{}, false, nil
}

// CloseException marks an exception Resolved or Discarded with a note.
func (s *Store) CloseException(ctx context.Context, id string, status store.ExceptionStatus, note string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := check.CloseStatus(status); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.exceptionIndex(id)
	if !ok {
		return store.ErrNotFound
	}
	s.exceptions[i].Status = status
	s.exceptions[i].Resolution = note
	return nil
}

// AcquireLease takes or renews the lease for owner until now+ttl.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if err := check.Lease(name, owner); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[name]; ok && l.owner != owner && !l.expires.Before(now) {
		return false, nil
	}
	s.leases[name] = lease{owner: owner, expires: now.Add(ttl)}
	return true, nil
}

// ReleaseLease gives the lease up if owner holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[name]; ok && l.owner == owner {
		delete(s.leases, name)
	}
	return nil
}

// SeenDelivery records the delivery and reports whether it was already
// recorded within ttl. Expired records of the system are dropped at most once
// per ttl, so memory stays bounded by the deliveries of about two ttl spans.
func (s *Store) SeenDelivery(ctx context.Context, system, id string, now time.Time, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if err := check.Delivery(system, id); err != nil {
		return false, err
	}
	cutoff := now.Add(-ttl)
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.deliveries[system]
	if d == nil {
		d = &delivery{seen: make(map[string]time.Time), pruned: now}
		s.deliveries[system] = d
	}
	if now.Sub(d.pruned) >= ttl {
		for k, at := range d.seen {
			if !at.After(cutoff) {
				delete(d.seen, k)
			}
		}
		d.pruned = now
	}
	if at, ok := d.seen[id]; ok && at.After(cutoff) {
		return true, nil
	}
	d.seen[id] = now
	return false, nil
}

// Crosswalk.

// refKey is what identifies a ref; its Version is kept beside it.
type refKey struct{ system, typ, id string }

type link struct {
	id      string // the canonical ID as linked, possibly merged away since
	version string
}

type xrefEntity struct {
	links   map[refKey]link
	byID    map[string]map[refKey]struct{} // linked ID -> its refs
	alias   map[string]string              // merged-away ID -> surviving ID
	members map[string][]string            // surviving ID -> IDs merged into it
}

func (e *xrefEntity) resolve(id string) string {
	if w, ok := e.alias[id]; ok {
		return w
	}
	return id
}

func (s *Store) entity(name string, create bool) *xrefEntity {
	e := s.xref[name]
	if e == nil && create {
		e = &xrefEntity{
			links:   make(map[refKey]link),
			byID:    make(map[string]map[refKey]struct{}),
			alias:   make(map[string]string),
			members: make(map[string][]string),
		}
		s.xref[name] = e
	}
	return e
}

// Lookup returns the canonical ID that ref resolves to.
func (s *Store) Lookup(ctx context.Context, entity string, ref canonical.ExternalRef) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.entity(entity, false)
	if e == nil {
		return "", false, nil
	}
	l, ok := e.links[refKey{ref.System, ref.Type, ref.ID}]
	if !ok {
		return "", false, nil
	}
	return e.resolve(l.id), true, nil
}

// Refs returns the refs of id and of every ID merged into it, sorted by system,
// type and ID.
func (s *Store) Refs(ctx context.Context, entity, id string) ([]canonical.ExternalRef, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	e := s.entity(entity, false)
	if e == nil {
		return nil, nil
	}
	w := e.resolve(id)
	var refs []canonical.ExternalRef
	add := func(id string) {
		for k := range e.byID[id] {
			refs = append(refs, canonical.ExternalRef{System: k.system, Type: k.typ, ID: k.id, Version: e.links[k].version})
		}
	}
	add(w)
	for _, m := range e.members[w] {
		add(m)
	}
	slices.SortFunc(refs, compareRefs)
	return refs, nil
}

func compareRefs(a, b canonical.ExternalRef) int {
	if c := strings.Compare(a.System, b.System); c != 0 {
		return c
	}
	if c := strings.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// Link links ref to id, re-pointing it if it was linked elsewhere. The ref's
// Version replaces the one kept.
func (s *Store) Link(ctx context.Context, entity, id string, ref canonical.ExternalRef) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := check.XrefID(entity, id); err != nil {
		return err
	}
	if err := check.Ref(entity, ref); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entity(entity, true)
	k := refKey{ref.System, ref.Type, ref.ID}
	if old, ok := e.links[k]; ok && old.id != id {
		delete(e.byID[old.id], k)
		if len(e.byID[old.id]) == 0 {
			delete(e.byID, old.id)
		}
	}
	e.links[k] = link{id: id, version: ref.Version}
	if e.byID[id] == nil {
		e.byID[id] = make(map[refKey]struct{})
	}
	e.byID[id][k] = struct{}{}
	return nil
}

// Merge folds loser into winner. Both are resolved first, so merging into an
// ID that was itself merged away lands on its survivor, and merging two IDs
// that already resolve to one entity does nothing.
func (s *Store) Merge(ctx context.Context, entity, loser, winner string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := check.XrefID(entity, loser); err != nil {
		return err
	}
	if err := check.XrefID(entity, winner); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entity(entity, true)
	l, w := e.resolve(loser), e.resolve(winner)
	if l == w {
		return nil
	}
	e.alias[l] = w
	for _, m := range e.members[l] {
		e.alias[m] = w
	}
	e.members[w] = append(append(e.members[w], l), e.members[l]...)
	delete(e.members, l)
	return nil
}

// Copies, so callers never share memory with the store.

func cloneRaw(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return nil
	}
	return bytes.Clone(b)
}

func utcVersion(v connector.Version) connector.Version {
	v.At = v.At.UTC()
	return v
}

func cloneOutcome(o store.Outcome) store.Outcome {
	o.Version = utcVersion(o.Version)
	o.Entity = cloneRaw(o.Entity)
	o.At = o.At.UTC()
	return o
}

func cloneException(ex store.Exception) store.Exception {
	ex.Version = utcVersion(ex.Version)
	if len(ex.Fields) == 0 {
		ex.Fields = nil
	} else {
		ex.Fields = slices.Clone(ex.Fields)
	}
	ex.Payload = cloneRaw(ex.Payload)
	ex.Source = cloneRaw(ex.Source)
	ex.Mapped = cloneRaw(ex.Mapped)
	ex.FirstSeen = ex.FirstSeen.UTC()
	ex.LastSeen = ex.LastSeen.UTC()
	return ex
}
