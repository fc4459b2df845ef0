package shopify

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// InventorySink sets stock levels with inventorySetQuantities, compare-and-
// set: it reads the level's current quantity and sets the new one only if
// Shopify still holds what it read, so a sale or an edit in between is not
// overwritten. A stale compare quantity (COMPARE_QUANTITY_STALE, or
// CHANGE_FROM_QUANTITY_STALE from 2026-04) is a Conflict error: the engine
// re-reads and retries. On API versions that know it (2026-01 and later)
// the mutation carries @idempotent(key:) with a UUID derived from the
// engine's idempotency key, so a retried write is applied once.
// https://shopify.dev/docs/api/admin-graphql/latest/mutations/inventorySetQuantities
//
// The natural key is (SKU, location): the SKU is looked up among product
// variants and the location mapped with Config.Locations or by name. The
// quantity set is StockLevel.Available (or OnHand, with Config.InventoryName
// "on_hand") and must be a whole number.
//
// Late snapshots: the Ref a write returns carries the snapshot's Sequence
// as its Version. A write whose Target (the engine's record of the last
// write) holds a higher Sequence is reported Stale without a call.
//
// Errors: a snapshot failing canonical validation, a fractional quantity
// or an unknown location is Invalid with field paths; an unknown SKU is
// NotFound; a SKU shared by several variants or not stocked at the location
// is BusinessRule; a Delete is Unsupported.
type InventorySink struct{ c *Client }

type stockNode struct {
	ID            string `json:"id"`
	SKU           string `json:"sku"`
	InventoryItem struct {
		ID             string `json:"id"`
		InventoryLevel *struct {
			ID         string `json:"id"`
			Quantities []struct {
				Name     string `json:"name"`
				Quantity int64  `json:"quantity"`
			} `json:"quantities"`
		} `json:"inventoryLevel"`
	} `json:"inventoryItem"`
}

func invalid(system, op, msg string, fields ...canonical.FieldError) *connector.Error {
	e := connector.Errorf(connector.Invalid, system, "%s", msg)
	e.Op = op
	e.Fields = fields
	return e
}

func fromValidation(system, op, what string, err error) error {
	if fe, ok := err.(interface{ FieldErrors() []canonical.FieldError }); ok {
		return invalid(system, op, what+" is invalid", fe.FieldErrors()...)
	}
	return connector.Errorf(connector.Invalid, system, "%s: %s is invalid: %w", op, what, err)
}

// locationID resolves a canonical location code to a Location GID.
func (c *Client) locationID(ctx context.Context, op, code string) (string, error) {
	if strings.HasPrefix(code, "gid://shopify/Location/") {
		return code, nil
	}
	if id, ok := c.cfg.Locations[code]; ok {
		return id, nil
	}
	c.locMu.Lock()
	locs := c.locs
	c.locMu.Unlock()
	if locs == nil {
		var out struct {
			Locations struct {
				Nodes []struct {
					ID   string `json:"id"`
					Name string `json:"name"`
				} `json:"nodes"`
			} `json:"locations"`
		}
		if err := c.query(ctx, "locations.list", docLocations, nil, costLocations, &out); err != nil {
			return "", err
		}
		locs = map[string]string{}
		for _, l := range out.Locations.Nodes {
			locs[l.Name] = l.ID
			locs[legacyID(l.ID)] = l.ID
		}
		c.locMu.Lock()
		c.locs = locs
		c.locMu.Unlock()
	}
	if id, ok := locs[code]; ok {
		return id, nil
	}
	return "", invalid(c.system, op, fmt.Sprintf("the shop has no location %q", code),
		canonical.FieldError{Path: "location", Code: "unknown_location", Value: code, Message: "is not a location of the shop (by name, ID or Config.Locations)"})
}

// uuidFrom derives a stable UUID-shaped key from the engine's idempotency
// key, as Shopify recommends UUIDs for @idempotent.
func uuidFrom(key string) string {
	h := sha256.Sum256([]byte("junction-shopify:" + key))
	h[6] = h[6]&0x0f | 0x50 // version 5-style: name-based
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// Apply implements connector.Sink.
func (k *InventorySink) Apply(ctx context.Context, w connector.Write[canonical.StockLevel]) (connector.Result, error) {
	c := k.c
	const op = "inventory.apply"
	if err := ctx.Err(); err != nil {
		return connector.Result{}, connector.Errorf(connector.Transient, c.system, "%s: %w", op, err)
	}
	if w.Op == connector.Delete {
		return connector.Result{}, connector.Errorf(connector.Unsupported, c.system, "%s: stock levels are set, not deleted (key %q)", op, w.Key)
	}
	sl := w.Entity
	if err := sl.Validate(); err != nil {
		return connector.Result{}, fromValidation(c.system, op, "stock level", err)
	}
	field, q := "available", sl.Available
	if c.cfg.InventoryName == "on_hand" {
		field, q = "onHand", sl.OnHand
	}
	want, ok := q.Value.Int64(0)
	if !ok || !q.Value.Trim(0).Equal(canonical.DecimalFromInt(want)) {
		return connector.Result{}, invalid(c.system, op, "Shopify counts whole units",
			canonical.FieldError{Path: field + ".value", Code: "not_integer", Value: q.Value.String(), Message: "must be a whole number of units"})
	}
	ref := canonical.ExternalRef{System: c.system, Type: "InventoryLevel", ID: sl.SKU + "@" + sl.Location, Version: strconv.FormatInt(sl.Sequence, 10)}
	if t := w.Target; t != nil && t.Version != "" {
		if held, err := strconv.ParseInt(t.Version, 10, 64); err == nil && held > sl.Sequence {
			r := *t
			return connector.Result{Action: connector.Stale, Ref: r}, nil
		}
	}
	loc, err := c.locationID(ctx, op, sl.Location)
	if err != nil {
		return connector.Result{}, err
	}
	var out struct {
		ProductVariants struct {
			Nodes []stockNode `json:"nodes"`
		} `json:"productVariants"`
	}
	if err := c.query(ctx, "inventory.read", docVariantStock, map[string]any{"query": "sku:" + quote(sl.SKU), "location": loc}, costVariantStock, &out); err != nil {
		return connector.Result{}, err
	}
	var match []stockNode
	for _, n := range out.ProductVariants.Nodes {
		if n.SKU == sl.SKU {
			match = append(match, n)
		}
	}
	switch {
	case len(match) == 0:
		e := connector.Errorf(connector.NotFound, c.system, "no product variant with SKU %q", sl.SKU)
		e.Op = op
		return connector.Result{}, e
	case len(match) > 1:
		e := connector.Errorf(connector.BusinessRule, c.system, "several product variants have SKU %q; make it unique in Shopify", sl.SKU)
		e.Op = op
		return connector.Result{}, e
	case match[0].InventoryItem.InventoryLevel == nil:
		e := connector.Errorf(connector.BusinessRule, c.system, "SKU %q is not stocked at location %q; activate it there in Shopify", sl.SKU, sl.Location)
		e.Op = op
		return connector.Result{}, e
	}
	item := match[0].InventoryItem
	name := c.cfg.InventoryName
	var have int64
	for _, qn := range item.InventoryLevel.Quantities {
		if qn.Name == name {
			have = qn.Quantity
		}
	}
	if have == want {
		return connector.Result{Action: connector.Unchanged, Ref: ref}, nil
	}
	compare := "compareQuantity"
	if usesChangeFrom(c.version) {
		compare = "changeFromQuantity"
	}
	doc := fmt.Sprintf("gid://junction/StockLevel/%s/%d", url.PathEscape(sl.SKU+"@"+sl.Location), sl.Sequence)
	input := map[string]any{
		"name":                 name,
		"reason":               c.cfg.InventoryReason,
		"referenceDocumentUri": doc,
		"quantities": []map[string]any{{
			"inventoryItemId": item.ID, "locationId": loc, "quantity": want, compare: have,
		}},
	}
	vars := map[string]any{"input": input}
	key := w.IdempotencyKey
	if key == "" {
		key = fmt.Sprintf("%s|%s|%d|%d", sl.SKU, sl.Location, sl.Sequence, want)
	}
	if hasIdempotent(c.version) {
		vars["key"] = uuidFrom(key)
	}
	var res struct {
		InventorySetQuantities struct {
			UserErrors []userError `json:"userErrors"`
		} `json:"inventorySetQuantities"`
	}
	// Compare-and-set makes the mutation safe to resend even without a key:
	// a repeat after success finds the quantity changed and fails stale.
	body, err := c.run(ctx, call{op: op, doc: docSetQuantities(c.version), vars: vars, cost: costMutation, mutation: true, key: "cas"}, &res)
	if err != nil {
		return connector.Result{}, err
	}
	if ue := res.InventorySetQuantities.UserErrors; len(ue) > 0 {
		return connector.Result{}, c.userErrorsError(op, ue, body)
	}
	return connector.Result{Action: connector.Updated, Ref: ref}, nil
}

// shipmentRecord is what the fulfilment sink keeps in an order metafield
// for one shipment number.
type shipmentRecord struct {
	Number      string `json:"number"`
	Fulfillment string `json:"fulfillment"`
	Version     string `json:"version,omitempty"`
	Key         string `json:"key,omitempty"`
}

// metafieldKey is the metafield key for a shipment number: letters, digits
// and dashes only, so any number fits.
func metafieldKey(number string) string {
	h := sha256.Sum256([]byte(number))
	return fmt.Sprintf("shipment-%x", h[:12])
}

func parseRecord(s string) (*shipmentRecord, error) {
	if s == "" {
		return nil, nil
	}
	var r shipmentRecord
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return nil, err
	}
	return &r, nil
}
