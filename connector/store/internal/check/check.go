// Package check holds the argument rules and ID format that every store
// implementation shares, so memstore and sqlstore refuse and name things the
// same way.
package check

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
)

// Invalid returns an error matching connector.Invalid that says what is wrong.
func Invalid(format string, args ...any) error {
	return fmt.Errorf("store: %w: %s", connector.Invalid, fmt.Sprintf(format, args...))
}

// idPrefix starts every exception ID.
const idPrefix = "ex-"

// ExceptionID formats the n-th exception's ID: "ex-000001".
func ExceptionID(n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) < 6 {
		s = strings.Repeat("0", 6-len(s)) + s
	}
	return idPrefix + s
}

// ParseExceptionID returns the sequence number of an ID that ExceptionID wrote.
// Any other string, including a different spelling of the same number, gives
// false.
func ParseExceptionID(id string) (int64, bool) {
	digits, ok := strings.CutPrefix(id, idPrefix)
	if !ok || digits == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n <= 0 || ExceptionID(n) != id {
		return 0, false
	}
	return n, true
}

// Flow checks a flow name.
func Flow(flow string) error {
	if flow == "" {
		return Invalid("empty flow name")
	}
	return nil
}

// Outcomes checks a batch for Record.
func Outcomes(outcomes []store.Outcome) error {
	for i, o := range outcomes {
		switch {
		case o.Flow == "":
			return Invalid("outcome %d: empty flow", i)
		case o.Result != store.Applied && o.Result != store.Skipped && o.Result != store.Parked:
			return Invalid("outcome %d: unknown result %q", i, o.Result)
		}
	}
	return nil
}

// Kind checks that k has a stable name.
func Kind(k connector.Kind) error {
	if _, err := connector.ParseKind(k.String()); err != nil {
		return Invalid("unknown error kind %s", k)
	}
	return nil
}

// Exception checks an exception for Park.
func Exception(ex store.Exception) error {
	if ex.Flow == "" {
		return Invalid("exception without a flow")
	}
	switch ex.Status {
	case "", store.Open, store.Resolved, store.Discarded:
	default:
		return Invalid("unknown exception status %q", ex.Status)
	}
	if ex.Attempts < 0 {
		return Invalid("negative attempts %d", ex.Attempts)
	}
	return Kind(ex.Kind)
}

// CloseStatus checks the status given to CloseException.
func CloseStatus(s store.ExceptionStatus) error {
	if s != store.Resolved && s != store.Discarded {
		return Invalid("an exception closes as %q or %q, not %q", store.Resolved, store.Discarded, s)
	}
	return nil
}

// Lease checks a lease name and owner.
func Lease(name, owner string) error {
	if name == "" || owner == "" {
		return Invalid("lease needs a name and an owner")
	}
	return nil
}

// Delivery checks a delivery's system and ID.
func Delivery(system, id string) error {
	if system == "" || id == "" {
		return Invalid("delivery needs a system and an ID")
	}
	return nil
}

// XrefID checks an entity name and canonical ID.
func XrefID(entity, id string) error {
	if entity == "" || id == "" {
		return Invalid("crosswalk needs an entity and an ID")
	}
	return nil
}

// Ref checks an entity name and an external ref.
func Ref(entity string, ref canonical.ExternalRef) error {
	if entity == "" || ref.System == "" || ref.ID == "" {
		return Invalid("crosswalk ref needs an entity, a system and an ID")
	}
	return nil
}

// Change identifies the change an outcome is for: at most one outcome per
// Change is stored.
type Change struct{ Flow, Key, Version string }

// ChangeOf returns the change o is for: its flow, key and version as
// connector.Version.String writes it.
func ChangeOf(o store.Outcome) Change {
	return Change{o.Flow, o.Key, o.Version.String()}
}

// Replaceable reports whether a stored outcome gives way to a later outcome
// for the same change: only a Parked one does (a replay's result, or a
// re-park). Any other later outcome for the change is dropped.
func Replaceable(stored store.Outcome) bool { return stored.Result == store.Parked }

// OnePerChange applies the one-outcome-per-change rule within a batch: a later
// outcome for a change replaces an earlier Parked one in its place and is
// dropped otherwise. It returns outcomes itself, not a copy, when no change
// repeats.
func OnePerChange(outcomes []store.Outcome) []store.Outcome {
	if len(outcomes) < 2 {
		return outcomes
	}
	seen := make(map[Change]int, len(outcomes))
	var out []store.Outcome // nil until a change repeats; until then positions are the same
	for i, o := range outcomes {
		c := ChangeOf(o)
		j, dup := seen[c]
		if !dup {
			if out != nil {
				seen[c] = len(out)
				out = append(out, o)
			} else {
				seen[c] = i
			}
			continue
		}
		if out == nil {
			out = slices.Clone(outcomes[:i])
		}
		if Replaceable(out[j]) {
			out[j] = o
		}
	}
	if out == nil {
		return outcomes
	}
	return out
}

// MovesLedger reports whether o replaces its (flow, key) ledger entry: every
// outcome with an Entity does, whatever its Result.
func MovesLedger(o store.Outcome) bool { return len(o.Entity) > 0 }

// LedgerMoves returns the outcomes of a batch that move the ledger
// (MovesLedger), one per (flow, key), the last of each winning, sorted by flow
// then key. Sorting gives concurrent batches one lock order in a database.
func LedgerMoves(outcomes []store.Outcome) []store.Outcome {
	type fk struct{ flow, key string }
	var idx map[fk]int
	var out []store.Outcome
	for _, o := range outcomes {
		if !MovesLedger(o) {
			continue
		}
		if idx == nil {
			idx = make(map[fk]int)
		}
		k := fk{o.Flow, o.Key}
		if i, ok := idx[k]; ok {
			out[i] = o
			continue
		}
		idx[k] = len(out)
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b store.Outcome) int {
		if c := strings.Compare(a.Flow, b.Flow); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}
