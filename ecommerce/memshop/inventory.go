package memshop

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// levelKey is the natural key of a stock level.
type levelKey struct{ sku, location string }

// levelState is the stock level the shop holds for one SKU at one location.
type levelState struct {
	level   canonical.StockLevel
	version connector.Version // the newest Write.Version applied
}

// inventorySink is the shop's connector.Sink for stock levels.
type inventorySink struct{ s *Shop }

// older reports whether v is known to be older than last.
func older(v, last connector.Version) bool {
	c, ok := v.Compare(last)
	return ok && c < 0 && !v.IsZero()
}

// Apply sets the stock of one SKU at one location to the snapshot in
// w.Entity: the shop takes its Available quantity (and keeps OnHand and
// Allocated for reference). The natural key is (SKU, Location), whatever
// w.Key is.
//
// The shop keeps the highest Sequence it applied per (SKU, location): a
// snapshot with a lower Sequence, or with the same Sequence and other
// quantities, is a late update and is reported as Action Stale without
// effect; the same snapshot again is Unchanged. A write whose Version is
// older than the last one applied to the level is Stale too. A repeated
// IdempotencyKey returns the first result.
//
// Errors: an unknown SKU is NotFound; an unknown location is Invalid naming
// "location"; a snapshot that fails canonical validation is Invalid with
// its field paths; a Delete is Unsupported (stock is set, never deleted).
func (k *inventorySink) Apply(ctx context.Context, w connector.Write[canonical.StockLevel]) (connector.Result, error) {
	s := k.s
	const op = "inventory.apply"
	if err := s.call(ctx, op); err != nil {
		return connector.Result{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.invDone[w.IdempotencyKey]; ok && w.IdempotencyKey != "" {
		return r, nil
	}
	if w.Op == connector.Delete {
		return connector.Result{}, s.errorf(connector.Unsupported, op, "stock levels are set, not deleted (key %q)", w.Key)
	}
	sl := w.Entity
	var fe []canonical.FieldError
	if err := sl.Validate(); err != nil {
		var v interface{ FieldErrors() []canonical.FieldError }
		if !errors.As(err, &v) {
			return connector.Result{}, s.fromValidation(op, "stock level", err)
		}
		fe = append(fe, v.FieldErrors()...)
	}
	if sl.Location != "" && !slices.Contains(s.locations, sl.Location) {
		fe = append(fe, fieldError("location", "unknown_location", sl.Location, "the shop has no location %q (it has %v)", sl.Location, s.locations))
	}
	if len(fe) > 0 {
		return connector.Result{}, s.invalid(op, "stock level of "+sl.SKU, fe)
	}
	if _, ok := s.catalog[sl.SKU]; !ok {
		return connector.Result{}, s.errorf(connector.NotFound, op, "no product with SKU %q in the catalogue", sl.SKU)
	}
	key := levelKey{sl.SKU, sl.Location}
	ref := canonical.ExternalRef{System: s.system, Type: "inventory_level", ID: sl.SKU + "@" + sl.Location}
	res := connector.Result{Action: connector.Created}
	if st := s.levels[key]; st != nil {
		last := st.level
		ref.Version = strconv.FormatInt(last.Sequence, 10)
		sameCount := sameQty(sl.Available, last.Available) && sameQty(sl.OnHand, last.OnHand) && sameQty(sl.Allocated, last.Allocated)
		switch {
		case older(w.Version, st.version), sl.Sequence < last.Sequence,
			sl.Sequence == last.Sequence && sl.Sequence != 0 && !sameCount:
			return s.rememberInventory(w, connector.Result{Action: connector.Stale, Ref: ref}), nil
		case sl.Sequence == last.Sequence && sameCount:
			if !w.Version.IsZero() {
				st.version = w.Version
			}
			return s.rememberInventory(w, connector.Result{Action: connector.Unchanged, Ref: ref}), nil
		}
		res.Action = connector.Updated
	}
	st := &levelState{level: sl, version: w.Version}
	if prev := s.levels[key]; prev != nil && w.Version.IsZero() {
		st.version = prev.version
	}
	s.levels[key] = st
	ref.Version = strconv.FormatInt(sl.Sequence, 10)
	res.Ref = ref
	return s.rememberInventory(w, res), nil
}

// rememberInventory keeps r as the result for w's idempotency key and returns
// it. The caller holds s.mu.
func (s *Shop) rememberInventory(w connector.Write[canonical.StockLevel], r connector.Result) connector.Result {
	if w.IdempotencyKey != "" {
		s.invDone[w.IdempotencyKey] = r
	}
	return r
}

// sameQty reports whether two quantities are equal in value and unit.
func sameQty(a, b canonical.Quantity) bool {
	c, err := a.Cmp(b)
	return err == nil && c == 0
}

// Available returns the quantity of sku the shop can sell at location: the
// Available of the newest stock level applied. ok is false when no level was
// ever applied for the pair. The shop does not reserve stock for orders:
// levels come from the system of record through the Inventory sink.
func (s *Shop) Available(sku, location string) (canonical.Quantity, bool) {
	l, ok := s.StockLevel(sku, location)
	return l.Available, ok
}

// StockLevel returns the newest stock level applied for sku at location.
func (s *Shop) StockLevel(sku, location string) (canonical.StockLevel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.levels[levelKey{sku, location}]
	if !ok {
		return canonical.StockLevel{}, false
	}
	return st.level, true
}
