package canonical

import "time"

// ExternalRef is an entity's identity in one system. One canonical entity has a
// ref in every system it lives in: the Shopify order ID, the ERP sales order
// number, the finance invoice ID.
type ExternalRef struct {
	// System names the system instance, such as "shopify" or "bc:prod".
	System string `json:"system" validate:"required"`
	// Type is the system's own entity type when it has several ("DraftOrder").
	Type string `json:"type,omitempty"`
	// ID is the system's key for the entity.
	ID string `json:"id" validate:"required"`
	// Version is the system's version of the entity when last seen (an ETag,
	// updated-at or sequence), for optimistic concurrency.
	Version string `json:"version,omitempty"`
}

// String returns "system:id".
func (r ExternalRef) String() string { return r.System + ":" + r.ID }

// DocumentRef identifies a business document by number and revision: an order
// amended twice is the same document at revision 2.
type DocumentRef struct {
	Number   string `json:"number" validate:"required"`
	Revision int    `json:"revision,omitempty" validate:"gte=0"`
}

// LineRef points at one line of another document: a shipment line, invoice line
// or return line points at the sales-order line it comes from.
type LineRef struct {
	// Document is the number of the referenced document (a sales order number).
	Document string `json:"document" validate:"required"`
	// LineID is the stable line ID within that document.
	LineID string `json:"lineId" validate:"required"`
}

// Meta is the identity and bookkeeping every entity carries.
type Meta struct {
	// ID is the canonical ID, minted by the integration, stable across systems.
	ID string `json:"id,omitempty"`
	// Refs are the entity's identities in each system.
	Refs []ExternalRef `json:"refs,omitempty" validate:"dive"`
	// Revision counts applied changes: +1 per amendment.
	Revision int `json:"revision,omitempty" validate:"gte=0"`
	// UpdatedAt is when the system of record last changed the entity.
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// Ref returns the entity's ref in system, if it has one.
func (m Meta) Ref(system string) (ExternalRef, bool) {
	for _, r := range m.Refs {
		if r.System == system {
			return r, true
		}
	}
	return ExternalRef{}, false
}

// SetRef adds or replaces the ref for r.System.
func (m *Meta) SetRef(r ExternalRef) {
	for i := range m.Refs {
		if m.Refs[i].System == r.System && m.Refs[i].Type == r.Type {
			m.Refs[i] = r
			return
		}
	}
	m.Refs = append(m.Refs, r)
}
