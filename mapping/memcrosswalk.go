package mapping

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/junctionhq/junction/canonical"
)

// MemCrosswalk is an in-memory Crosswalk for tests, examples and dry runs. It
// is safe for concurrent use and its zero value is ready to use; it keeps
// nothing across restarts (connector/store keeps the production crosswalk).
type MemCrosswalk struct {
	mu     sync.RWMutex
	refs   map[refKey]memRef     // ref → linked ID and the ref as last linked
	merged map[entityID]string   // loser → winner
	losers map[entityID][]string // winner → the IDs merged into it directly
	byID   map[entityID][]refKey // linked ID → its refs (by the ID given to Link)
}

type refKey struct{ entity, system, typ, id string }

type entityID struct{ entity, id string }

type memRef struct {
	id  string
	ref canonical.ExternalRef
}

// NewMemCrosswalk returns an empty MemCrosswalk.
func NewMemCrosswalk() *MemCrosswalk { return &MemCrosswalk{} }

func keyOf(entity string, r canonical.ExternalRef) refKey {
	return refKey{entity: entity, system: r.System, typ: r.Type, id: r.ID}
}

// resolve follows merges from id to the surviving ID. Merge never makes a
// cycle (a loser is merged once, and never into an ID that resolves to it),
// so the walk ends. Callers hold mu.
func (c *MemCrosswalk) resolve(entity, id string) string {
	for {
		w, ok := c.merged[entityID{entity, id}]
		if !ok {
			return id
		}
		id = w
	}
}

// Lookup implements Crosswalk.
func (c *MemCrosswalk) Lookup(ctx context.Context, entity string, ref canonical.ExternalRef) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	r, ok := c.refs[keyOf(entity, ref)]
	if !ok {
		return "", false, nil
	}
	return c.resolve(entity, r.id), true, nil
}

// Refs implements Crosswalk. The refs are sorted by system, type and ID.
func (c *MemCrosswalk) Refs(ctx context.Context, entity, id string) ([]canonical.ExternalRef, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []canonical.ExternalRef
	// Walk the merge tree down from the surviving ID: every ID merged into it,
	// directly or through others, contributes its refs.
	stack := []string{c.resolve(entity, id)}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, k := range c.byID[entityID{entity, cur}] {
			out = append(out, c.refs[k].ref)
		}
		stack = append(stack, c.losers[entityID{entity, cur}]...)
	}
	slices.SortFunc(out, func(a, b canonical.ExternalRef) int {
		return cmp.Or(cmp.Compare(a.System, b.System), cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Link implements Crosswalk. It rejects an empty entity, ID, ref system or
// ref ID.
func (c *MemCrosswalk) Link(ctx context.Context, entity, id string, ref canonical.ExternalRef) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if entity == "" || id == "" || ref.System == "" || ref.ID == "" {
		return fmt.Errorf("mapping: link %q %q to %q: entity, ID, system and ref ID are required", entity, ref, id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refs == nil {
		c.refs = make(map[refKey]memRef)
		c.byID = make(map[entityID][]refKey)
	}
	k := keyOf(entity, ref)
	if old, ok := c.refs[k]; !ok || old.id != id {
		if ok { // re-point: drop k from the old ID's list
			oid := entityID{entity, old.id}
			c.byID[oid] = slices.DeleteFunc(c.byID[oid], func(x refKey) bool { return x == k })
			if len(c.byID[oid]) == 0 {
				delete(c.byID, oid)
			}
		}
		nid := entityID{entity, id}
		c.byID[nid] = append(c.byID[nid], k)
	}
	c.refs[k] = memRef{id: id, ref: ref}
	return nil
}

// Merge implements Crosswalk. Merging an ID into itself or into an ID that
// resolves to it, and merging a loser a second time, are errors. The winner
// may itself be merged later; aliases then resolve through the chain.
func (c *MemCrosswalk) Merge(ctx context.Context, entity, loser, winner string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if loser == "" || winner == "" {
		return errors.New("mapping: merge: loser and winner IDs are required")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if w, ok := c.merged[entityID{entity, loser}]; ok {
		return fmt.Errorf("mapping: merge %s %q: already merged into %q", entity, loser, w)
	}
	if c.resolve(entity, winner) == loser {
		return fmt.Errorf("mapping: merge %s %q into %q: already the same entity", entity, loser, winner)
	}
	if c.merged == nil {
		c.merged = make(map[entityID]string)
		c.losers = make(map[entityID][]string)
	}
	c.merged[entityID{entity, loser}] = winner
	c.losers[entityID{entity, winner}] = append(c.losers[entityID{entity, winner}], loser)
	return nil
}
