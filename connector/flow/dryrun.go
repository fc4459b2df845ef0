package flow

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/mapping"
)

// DryRunReport says what a flow would do from its checkpoint.
type DryRunReport struct {
	Flow    string
	Entries []DryRunEntry
	// Counts tallies entries by Action.
	Counts map[string]int
}

// DryRunEntry is what one change would do.
type DryRunEntry struct {
	Key     string
	Version connector.Version
	// Action is "create", "update", "delete", "skip:<reason>" or "park:<kind>".
	Action string
	// Changes lists what would change against what was last written, field
	// by field with JSON paths; empty for a create.
	Changes []mapping.Change
	// Diff is Changes as text, one "path: old → new" line each.
	Diff string
	// Detail explains a skip or a park.
	Detail string
}

// String renders the report for a person: one line per change, then diffs.
func (r DryRunReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "dry run of %s: %d changes\n", r.Flow, len(r.Entries))
	for _, e := range r.Entries {
		fmt.Fprintf(&b, "  %-14s %s @ %s", e.Action, e.Key, e.Version)
		if e.Detail != "" {
			fmt.Fprintf(&b, " (%s)", e.Detail)
		}
		b.WriteByte('\n')
		for _, l := range strings.Split(strings.TrimRight(e.Diff, "\n"), "\n") {
			if l != "" {
				b.WriteString("      " + l + "\n")
			}
		}
	}
	return b.String()
}

func (r *flowRunner[S, D]) dryRun(ctx context.Context) (DryRunReport, error) {
	r.st.run.Lock()
	defer r.st.run.Unlock()
	rep := DryRunReport{Flow: r.f.Name, Counts: map[string]int{}}
	cursor, err := r.e.store.Checkpoint(ctx, r.f.Name)
	if err != nil {
		return rep, err
	}
	// A virtual ledger, so two changes of one key in the run compare properly.
	seen := map[string]store.LedgerEntry{}
	blocked := map[string]bool{}
	for ch, err := range r.f.Source.Changes(ctx, cursor) {
		if err != nil {
			return rep, fmt.Errorf("flow %s: dry run: source: %w", r.f.Name, err)
		}
		e := r.dryOne(ctx, ch, seen, blocked)
		rep.Entries = append(rep.Entries, e)
		rep.Counts[e.Action]++
	}
	return rep, nil
}

func (r *flowRunner[S, D]) dryOne(ctx context.Context, ch connector.Change[S], seen map[string]store.LedgerEntry, blocked map[string]bool) DryRunEntry {
	e := DryRunEntry{Key: ch.Key, Version: ch.Version}
	parkAs := func(kind connector.Kind, err error) DryRunEntry {
		blocked[ch.Key] = true
		e.Action, e.Detail = "park:"+kind.String(), err.Error()
		return e
	}
	if r.f.Parked == WaitBehindParked {
		if blocked[ch.Key] {
			e.Action, e.Detail = "park:"+connector.BusinessRule.String(), "waits behind an earlier parked change"
			return e
		}
		if ex, ok, err := r.e.store.OpenException(ctx, r.f.Name, ch.Key); err == nil && ok {
			e.Action, e.Detail = "park:"+connector.BusinessRule.String(), "waits behind parked change "+ex.ID
			return e
		}
	}
	if r.f.Filter != nil {
		if keep, reason := r.f.Filter(ctx, ch); !keep {
			e.Action, e.Detail = "skip:"+string(store.Filtered), reason
			return e
		}
	}
	last, hasLast := seen[ch.Key]
	if !hasLast {
		var err error
		if last, hasLast, err = r.e.store.LastApplied(ctx, r.f.Name, ch.Key); err != nil {
			return parkAs(connector.Transient, err)
		}
	}
	if hasLast {
		if c, ok := ch.Version.Compare(last.Version); ok && c <= 0 {
			reason := store.Stale
			if c == 0 {
				reason = store.Duplicate
			}
			e.Action = "skip:" + string(reason)
			return e
		}
	}
	env := Env{Flow: r.f.Name, XRef: r.e.store, Logger: r.e.log, Clock: r.e.clock}
	d, err := r.f.Map(ctx, env, ch.Entity)
	if err != nil {
		kind := connector.KindOf(err)
		if kind == connector.Unknown {
			kind = connector.Invalid
		}
		return parkAs(kind, err)
	}
	if ch.Op == connector.Upsert {
		if err := r.validate(ctx, &d); err != nil {
			return parkAs(connector.Invalid, err)
		}
	}
	mapped, err := json.Marshal(d)
	if err != nil {
		return parkAs(connector.Invalid, err)
	}
	if r.f.Ownership != nil && ch.Op == connector.Upsert {
		owned, fields, err := r.f.Ownership.enforce(ch.System, mapped, last.Entity)
		if err != nil {
			return parkAs(connector.Invalid, err)
		}
		if len(fields) > 0 {
			var nd D
			if json.Unmarshal(owned, &nd) == nil {
				d, mapped = nd, owned
				e.Detail = "not owned, dropped: " + strings.Join(fields, ", ")
			}
		}
	}
	entry := store.LedgerEntry{Key: ch.Key, Version: ch.Version, Entity: mapped}
	switch {
	case ch.Op == connector.Delete:
		e.Action = "delete"
	case !hasLast || len(last.Entity) == 0:
		e.Action = "create"
	case r.same(mapped, last.Entity):
		e.Action = "skip:" + string(store.Unchanged)
		entry.Entity = last.Entity
	default:
		e.Action = "update"
		var prev D
		if json.Unmarshal(last.Entity, &prev) == nil {
			e.Changes = mapping.Diff(prev, d)
			lines := make([]string, len(e.Changes))
			for i, c := range e.Changes {
				lines[i] = c.String()
			}
			e.Diff = strings.Join(lines, "\n")
		}
	}
	seen[ch.Key] = entry
	return e
}
