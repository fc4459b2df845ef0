package mapping

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/junctionhq/junction/canonical"
)

// Crosswalk is the store of cross-references: which refs in which systems are
// the same canonical entity. It is many-to-one (two shop customers may be one
// ERP account). connector/store implements it; mapping only declares what it
// needs, so mapping stays below the connector layer. MemCrosswalk is a small
// in-memory implementation for tests and examples.
//
// Entity names the entity type ("Customer", "SalesOrder", "SalesOrderLine",
// "Address", "Contact"); each entity type is a separate namespace. Sub-entities
// use composite IDs built with LineKey or SubRef.
//
// A ref is identified by System, Type and ID; Version is carried along (Refs
// returns the version last linked) but is not part of the identity.
// Implementations are safe for concurrent use. The helpers Translate,
// TranslateAll, ResolveOrCreate and Merge in this package build on it.
type Crosswalk interface {
	// Lookup returns the canonical ID that ref is linked to. A ref linked to a
	// customer that was later merged resolves to the surviving ID. ok is false
	// when ref is not linked; err is for failures of the store itself.
	Lookup(ctx context.Context, entity string, ref canonical.ExternalRef) (id string, ok bool, err error)
	// Refs returns every ref linked to the canonical ID, including refs of
	// entities merged into it. An unknown ID has no refs (and no error).
	Refs(ctx context.Context, entity, id string) ([]canonical.ExternalRef, error)
	// Link links ref to the canonical ID. Linking a ref again to the same ID is a
	// no-op; linking it to a different ID re-points it.
	Link(ctx context.Context, entity, id string, ref canonical.ExternalRef) error
	// Merge folds loser into winner: loser's refs resolve to winner from now on,
	// and loser is kept as an alias so old references still resolve.
	Merge(ctx context.Context, entity, loser, winner string) error
}

// Translate returns the ref in toSystem of the entity that from identifies:
// the Shopify customer 7 is the ERP account C10023. Two shop customers linked
// to one ERP account both translate to it (many-to-one works as is).
//
// A miss is a *NotLinkedError naming the entity, the system and the ID (code
// CodeNotLinked, or CodeAmbiguous when the entity has several refs in
// toSystem; use TranslateAll for those). It matches ErrUnmapped and is a data
// problem for Errors.Collect. Errors of the crosswalk itself are returned
// wrapped, as they are.
func Translate(ctx context.Context, cw Crosswalk, entity string, from canonical.ExternalRef, toSystem string) (canonical.ExternalRef, error) {
	refs, err := TranslateAll(ctx, cw, entity, from, toSystem)
	if err != nil {
		return canonical.ExternalRef{}, err
	}
	if len(refs) > 1 {
		return canonical.ExternalRef{}, &NotLinkedError{Entity: entity, From: from, ToSystem: toSystem, Candidates: refs}
	}
	return refs[0], nil
}

// TranslateAll is Translate for the one-to-many direction: the ERP account
// C10023 is the shop customers 7 and 9. It returns every ref in toSystem, at
// least one, or a *NotLinkedError.
func TranslateAll(ctx context.Context, cw Crosswalk, entity string, from canonical.ExternalRef, toSystem string) ([]canonical.ExternalRef, error) {
	id, ok, err := cw.Lookup(ctx, entity, from)
	if err != nil {
		return nil, fmt.Errorf("mapping: crosswalk lookup %s %s: %w", entity, from, err)
	}
	if !ok {
		return nil, &NotLinkedError{Entity: entity, From: from, ToSystem: toSystem}
	}
	all, err := cw.Refs(ctx, entity, id)
	if err != nil {
		return nil, fmt.Errorf("mapping: crosswalk refs %s %s: %w", entity, id, err)
	}
	var out []canonical.ExternalRef
	for _, r := range all {
		if r.System == toSystem {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, &NotLinkedError{Entity: entity, From: from, ToSystem: toSystem, ID: id}
	}
	return out, nil
}

// NotLinkedError says that the crosswalk cannot translate a ref: it is not
// linked at all (ID is empty), its entity has no ref in the target system, or
// it has several (Candidates lists them). It matches ErrUnmapped, and
// connector.KindOf reports it as Invalid: the record waits in the exception
// queue until the missing entity is synced or linked, then is replayed.
type NotLinkedError struct {
	Entity   string
	From     canonical.ExternalRef
	ToSystem string
	// ID is the canonical ID From resolved to, if it resolved.
	ID string
	// Candidates are the refs in ToSystem when there are several.
	Candidates []canonical.ExternalRef
}

// Error names the entity, the source ref and the target system.
func (e *NotLinkedError) Error() string {
	return "mapping: " + e.message()
}

func (e *NotLinkedError) message() string {
	switch {
	case len(e.Candidates) > 1:
		ids := make([]string, len(e.Candidates))
		for i, r := range e.Candidates {
			ids[i] = r.ID
		}
		return fmt.Sprintf("%s %s has %d refs in %s (%s); pick one with TranslateAll",
			e.Entity, e.From, len(e.Candidates), e.ToSystem, strings.Join(ids, ", "))
	case e.ID == "":
		return fmt.Sprintf("%s %s is not linked to any %s %s", e.Entity, e.From, e.ToSystem, e.Entity)
	}
	return fmt.Sprintf("%s %s (canonical %s) has no ref in %s", e.Entity, e.From, e.ID, e.ToSystem)
}

// Is matches ErrUnmapped.
func (e *NotLinkedError) Is(target error) bool { return target == ErrUnmapped }

// FieldErrors returns the miss as one problem with an empty path and the
// source ref's ID as the value.
func (e *NotLinkedError) FieldErrors() []canonical.FieldError {
	code := CodeNotLinked
	if len(e.Candidates) > 1 {
		code = CodeAmbiguous
	}
	return []canonical.FieldError{{Code: code, Message: e.message(), Value: e.From.ID}}
}

// ResolveOrCreate returns the canonical ID that ref is linked to. When ref is
// not linked yet, it calls create, which makes the entity in the target system
// (or finds it there) and returns the canonical ID to use and the entity's ref
// in the target system; ResolveOrCreate then links both refs to that ID, the
// target ref first, and reports created = true.
//
// A targetRef with an empty System or ID is not linked (create may only mint
// an ID). If create fails, nothing is linked and its error is returned as is,
// so its kind (transient, invalid, ...) reaches the engine.
//
// The crosswalk has no compare-and-set, so two concurrent calls for the same
// ref may both call create; the flow engine runs one partition per key at a
// time, and create should be idempotent on the target (search by the source
// key before inserting, or send an idempotency key).
func ResolveOrCreate(ctx context.Context, cw Crosswalk, entity string, ref canonical.ExternalRef,
	create func(ctx context.Context) (canonicalID string, targetRef canonical.ExternalRef, err error),
) (id string, created bool, err error) {
	id, ok, err := cw.Lookup(ctx, entity, ref)
	if err != nil {
		return "", false, fmt.Errorf("mapping: crosswalk lookup %s %s: %w", entity, ref, err)
	}
	if ok {
		return id, false, nil
	}
	id, target, err := create(ctx)
	if err != nil {
		return "", false, err
	}
	if id == "" {
		return "", false, fmt.Errorf("mapping: create %s for %s returned no canonical ID", entity, ref)
	}
	if target.System != "" && target.ID != "" {
		if err := cw.Link(ctx, entity, id, target); err != nil {
			return "", false, fmt.Errorf("mapping: crosswalk link %s %s to %s: %w", entity, target, id, err)
		}
	}
	if err := cw.Link(ctx, entity, id, ref); err != nil {
		return "", false, fmt.Errorf("mapping: crosswalk link %s %s to %s: %w", entity, ref, id, err)
	}
	return id, true, nil
}

// Merge folds the canonical entity loser into winner, for example after a
// person confirmed a duplicate customer that Match proposed. The crosswalk
// keeps loser as an alias: refs linked to loser, and loser's own ID held in
// old documents, resolve to winner from now on, so nothing that pointed at the
// duplicate breaks. Merge only re-points identities; copying the loser's data
// into the winner (survivorship) and setting Customer.MergedInto are the
// caller's job.
func Merge(ctx context.Context, cw Crosswalk, entity, loser, winner string) error {
	switch {
	case loser == "" || winner == "":
		return errors.New("mapping: merge " + entity + ": loser and winner IDs are required")
	case loser == winner:
		return errors.New("mapping: merge " + entity + " " + quote(loser) + " into itself")
	}
	if err := cw.Merge(ctx, entity, loser, winner); err != nil {
		return fmt.Errorf("mapping: merge %s %s into %s: %w", entity, loser, winner, err)
	}
	return nil
}
