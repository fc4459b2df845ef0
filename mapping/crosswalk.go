package mapping

import (
	"context"

	"github.com/junctionhq/junction/canonical"
)

// Crosswalk is the store of cross-references: which refs in which systems are
// the same canonical entity. It is many-to-one (two shop customers may be one
// ERP account). connector/store implements it; mapping only declares what it
// needs, so mapping stays below the connector layer.
//
// Entity names the entity type ("Customer", "SalesOrder", "SalesOrderLine",
// "Address", "Contact"). Sub-entities use composite IDs built with LineKey.
type Crosswalk interface {
	// Lookup returns the canonical ID that ref is linked to. A ref linked to a
	// customer that was later merged resolves to the surviving ID.
	Lookup(ctx context.Context, entity string, ref canonical.ExternalRef) (id string, ok bool, err error)
	// Refs returns every ref linked to the canonical ID, including refs of
	// entities merged into it.
	Refs(ctx context.Context, entity, id string) ([]canonical.ExternalRef, error)
	// Link links ref to the canonical ID. Linking a ref again to the same ID is a
	// no-op; linking it to a different ID re-points it.
	Link(ctx context.Context, entity, id string, ref canonical.ExternalRef) error
	// Merge folds loser into winner: loser's refs resolve to winner from now on,
	// and loser is kept as an alias so old references still resolve.
	Merge(ctx context.Context, entity, loser, winner string) error
}
