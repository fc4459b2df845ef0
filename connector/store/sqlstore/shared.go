package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/store/internal/check"
)

// AcquireLease takes or renews the lease for owner until now+ttl, with one
// atomic upsert: it changes a row only when the lease is free, expired (its
// end is before now) or already owner's.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (bool, error) {
	if err := check.Lease(name, owner); err != nil {
		return false, err
	}
	at, err := nanos(now)
	if err != nil {
		return false, err
	}
	until, err := nanos(now.Add(ttl))
	if err != nil {
		return false, err
	}
	if at == nil || until == nil {
		return false, check.Invalid("lease needs a non-zero now and end")
	}
	res, err := s.db.ExecContext(ctx, s.q.acquireLease, name, owner, until, at)
	if err != nil {
		return false, wrap("acquire lease", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, wrap("acquire lease", err)
	}
	return n == 1, nil
}

// ReleaseLease gives the lease up if owner holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	_, err := s.db.ExecContext(ctx, s.q.releaseLease, name, owner)
	return wrap("release lease", err)
}

// SeenDelivery records the delivery and reports whether it was recorded
// within ttl, with one atomic upsert. Expired records of the system are
// deleted at most once per ttl (per Store).
func (s *Store) SeenDelivery(ctx context.Context, system, id string, now time.Time, ttl time.Duration) (bool, error) {
	if err := check.Delivery(system, id); err != nil {
		return false, err
	}
	at, err := nanos(now)
	if err != nil {
		return false, err
	}
	cutoff, err := nanos(now.Add(-ttl))
	if err != nil {
		return false, err
	}
	if at == nil || cutoff == nil {
		return false, check.Invalid("delivery needs a non-zero now and cutoff")
	}
	if s.duePrune(system, now, ttl) {
		if _, err := s.db.ExecContext(ctx, s.q.pruneDeliveries, system, cutoff); err != nil {
			return false, wrap("prune deliveries", err)
		}
	}
	res, err := s.db.ExecContext(ctx, s.q.seeDelivery, system, id, at, cutoff)
	if err != nil {
		return false, wrap("seen delivery", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, wrap("seen delivery", err)
	}
	return n == 0, nil
}

// duePrune reports whether the system's expired deliveries are due to be
// deleted, and notes that they are being deleted.
func (s *Store) duePrune(system string, now time.Time, ttl time.Duration) bool {
	s.pruneMu.Lock()
	defer s.pruneMu.Unlock()
	last, ok := s.pruned[system]
	if ok && now.Sub(last) < ttl {
		return false
	}
	s.pruned[system] = now
	return ok // the first call only starts the clock
}

// Lookup returns the canonical ID that ref resolves to.
func (s *Store) Lookup(ctx context.Context, entity string, ref canonical.ExternalRef) (string, bool, error) {
	var id string
	err := s.db.QueryRowContext(ctx, s.q.lookup, entity, ref.System, ref.Type, ref.ID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, wrap("lookup", err)
	}
	return id, true, nil
}

// Refs returns the refs of id and of every ID merged into it, sorted by
// system, type and ID.
func (s *Store) Refs(ctx context.Context, entity, id string) ([]canonical.ExternalRef, error) {
	rows, err := s.db.QueryContext(ctx, s.q.refs, entity, id)
	if err != nil {
		return nil, wrap("refs", err)
	}
	defer rows.Close()
	var refs []canonical.ExternalRef
	for rows.Next() {
		var r canonical.ExternalRef
		if err := rows.Scan(&r.System, &r.Type, &r.ID, &r.Version); err != nil {
			return nil, wrap("refs", err)
		}
		refs = append(refs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("refs", err)
	}
	// Sorted here, not in SQL: PostgreSQL would sort by the database's
	// collation, and the order must not depend on it.
	slices.SortFunc(refs, func(a, b canonical.ExternalRef) int {
		if c := strings.Compare(a.System, b.System); c != 0 {
			return c
		}
		if c := strings.Compare(a.Type, b.Type); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return refs, nil
}

// Link links ref to id, re-pointing it if it was linked elsewhere. The ref's
// Version replaces the one kept.
func (s *Store) Link(ctx context.Context, entity, id string, ref canonical.ExternalRef) error {
	if err := check.XrefID(entity, id); err != nil {
		return err
	}
	if err := check.Ref(entity, ref); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.q.link, entity, ref.System, ref.Type, ref.ID, ref.Version, id)
	return wrap("link", err)
}

// Merge folds loser into winner. Both are resolved first, so merging into an
// ID that was itself merged away lands on its survivor, and merging two IDs
// that already resolve to one entity does nothing. Aliases always point at a
// survivor, so a lookup follows one hop however long the chain of merges;
// merges run one at a time under the store's merge lock to keep it so.
func (s *Store) Merge(ctx context.Context, entity, loser, winner string) error {
	if err := check.XrefID(entity, loser); err != nil {
		return err
	}
	if err := check.XrefID(entity, winner); err != nil {
		return err
	}
	tx, err := s.beginLocked(ctx, "merge")
	if err != nil {
		return wrap("merge", err)
	}
	defer func() { _ = tx.Rollback() }()
	resolve := func(id string) (string, error) {
		var w string
		err := tx.QueryRowContext(ctx, s.q.resolve, entity, id).Scan(&w)
		if errors.Is(err, sql.ErrNoRows) {
			return id, nil
		}
		return w, err
	}
	l, err := resolve(loser)
	if err != nil {
		return wrap("merge", err)
	}
	w, err := resolve(winner)
	if err != nil {
		return wrap("merge", err)
	}
	if l == w {
		return nil
	}
	if _, err := tx.ExecContext(ctx, s.q.moveAlias, w, entity, l); err != nil {
		return wrap("merge", err)
	}
	if _, err := tx.ExecContext(ctx, s.q.addAlias, entity, l, w); err != nil {
		return wrap("merge", err)
	}
	return wrap("merge", tx.Commit())
}
