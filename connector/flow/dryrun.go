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
	last, hasLast := seen[ch.Key]
	if !hasLast {
		var err error
		if last, hasLast, err = r.e.store.LastApplied(ctx, r.f.Name, ch.Key); err != nil {
			return parkAs(connector.Transient, err)
		}
	}
	pr := r.prepare(ctx, ch, last, hasLast, nil, &processed{})
	switch {
	case pr.parkErr != nil:
		return parkAs(pr.parkKind, pr.parkErr)
	case pr.skip != "" && pr.skip != store.Unchanged && pr.skip != store.NotOwner:
		e.Action, e.Detail = "skip:"+string(pr.skip), pr.detail
		return e
	}
	d, mapped := pr.d, pr.mapped
	if mapped == nil {
		var err error
		if mapped, err = json.Marshal(d); err != nil {
			return parkAs(connector.Invalid, err)
		}
	}
	if len(pr.dropped) > 0 {
		e.Detail = "not owned, dropped: " + strings.Join(pr.dropped, ", ")
	}
	entry := store.LedgerEntry{Key: ch.Key, Version: ch.Version, Entity: mapped}
	switch {
	case ch.Op == connector.Delete:
		e.Action = "delete"
	case !hasLast || len(last.Entity) == 0:
		e.Action = "create"
	case pr.skip != "":
		e.Action = "skip:" + string(pr.skip)
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
