package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// FulfillmentSink records shipments as Shopify fulfilments, keyed by the
// shipment number. It also implements connector.Deleter.
//
// A new shipment becomes one fulfillmentCreate against the order's
// fulfilment orders: each shipment line names an order line (LineID, the
// numeric line item ID or its GID, as the orders source reports them) and
// a quantity, which is taken from the fulfilment order line items that
// still have that much remaining, so split deliveries are several
// shipments with part quantities. Carrier, TrackingNumber and TrackingURL
// become the tracking info. Shipments still being prepared (planned, label
// pending or failed, awaiting action) are not fulfilments yet and report
// Unchanged.
// https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentCreate
//
// Shopify fulfilments carry no reference of ours, so the sink records each
// shipment number, the fulfilment it became and the version last applied
// in an order metafield (namespace MetafieldNamespace, one key per number).
// A later write of the same number updates the tracking
// (fulfillmentTrackingInfoUpdate), a Delete or status cancelled cancels the
// fulfilment (fulfillmentCancel), a write older than the recorded version
// is Stale, and the same write again is Unchanged. If a fulfilment was
// created but its record could not be written, the next attempt adopts the
// fulfilment with the same tracking number instead of creating another.
// The lines of a recorded fulfilment cannot change: cancel it and send a
// new shipment.
//
// Errors: a shipment failing canonical validation, or a line pointing at a
// line the order does not have, is Invalid with field paths; an unknown
// order is NotFound; shipping more than is open, or a cancelled order, is
// BusinessRule.
type FulfillmentSink struct{ c *Client }

// SupportsDelete reports true: a Delete cancels the fulfilment.
func (f *FulfillmentSink) SupportsDelete() bool { return true }

type fulfillmentContext struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	CancelledAt string `json:"cancelledAt"`
	Metafield   *struct {
		Value string `json:"value"`
	} `json:"metafield"`
	Fulfillments []struct {
		ID           string `json:"id"`
		Status       string `json:"status"`
		TrackingInfo []struct {
			Company string `json:"company"`
			Number  string `json:"number"`
			URL     string `json:"url"`
		} `json:"trackingInfo"`
	} `json:"fulfillments"`
	FulfillmentOrders struct {
		Nodes []struct {
			ID        string `json:"id"`
			Status    string `json:"status"`
			LineItems struct {
				Nodes []struct {
					ID                string `json:"id"`
					RemainingQuantity int64  `json:"remainingQuantity"`
					LineItem          struct {
						ID  string `json:"id"`
						SKU string `json:"sku"`
					} `json:"lineItem"`
				} `json:"nodes"`
			} `json:"lineItems"`
		} `json:"nodes"`
	} `json:"fulfillmentOrders"`
}

// notYetShipped are shipment states that are no fulfilment yet.
var notYetShipped = map[canonical.ShipmentStatus]bool{
	canonical.ShipmentPlanned: true, canonical.ShipmentLabelPending: true,
	canonical.ShipmentLabelFailed: true, canonical.ShipmentAwaitingAction: true,
}

func (c *Client) businessRule(op, format string, args ...any) error {
	e := connector.Errorf(connector.BusinessRule, c.system, format, args...)
	e.Op = op
	return e
}

func tracking(sh canonical.Shipment) map[string]any {
	t := map[string]any{}
	if sh.Carrier != "" {
		t["company"] = sh.Carrier
	}
	if sh.TrackingNumber != "" {
		t["number"] = sh.TrackingNumber
	}
	if sh.TrackingURL != "" {
		t["url"] = sh.TrackingURL
	}
	return t
}

// Apply implements connector.Sink.
func (f *FulfillmentSink) Apply(ctx context.Context, w connector.Write[canonical.Shipment]) (connector.Result, error) {
	c := f.c
	const op = "fulfillments.apply"
	if err := ctx.Err(); err != nil {
		return connector.Result{}, connector.Errorf(connector.Transient, c.system, "%s: %w", op, err)
	}
	sh := w.Entity
	number := sh.Number
	switch {
	case number == "" && w.Key == "":
		return connector.Result{}, invalid(c.system, op, "the shipment has no number",
			canonical.FieldError{Path: "number", Code: canonical.CodeRequired, Message: "is required (or give the write a key)"})
	case number == "":
		number = w.Key
		sh.Number = number
	case w.Key != "" && w.Key != number:
		return connector.Result{}, invalid(c.system, op, "the shipment number differs from the key",
			canonical.FieldError{Path: "number", Code: "key_mismatch", Value: number, Message: fmt.Sprintf("is %q, but the write's key is %q", number, w.Key)})
	}
	cancel := w.Op == connector.Delete || sh.Status == canonical.ShipmentCancelled
	if !cancel {
		if err := validateShipment(sh); err != nil {
			return connector.Result{}, fromValidation(c.system, op, "shipment "+number, err)
		}
	}
	if sh.Order == "" {
		return connector.Result{}, invalid(c.system, op, "the shipment names no order",
			canonical.FieldError{Path: "order", Code: canonical.CodeRequired, Message: "is required to find the order's fulfilments"})
	}
	key := metafieldKey(number)
	q := "name:" + quote(sh.Order)
	if strings.HasPrefix(sh.Order, "gid://") {
		q = "id:" + legacyID(sh.Order)
	}
	var out struct {
		Orders struct {
			Nodes []fulfillmentContext `json:"nodes"`
		} `json:"orders"`
	}
	if err := c.query(ctx, "fulfillments.context", docFulfillmentContext, map[string]any{"query": q, "key": key}, costFulfillmentContext, &out); err != nil {
		return connector.Result{}, err
	}
	var o *fulfillmentContext
	for i := range out.Orders.Nodes {
		if n := &out.Orders.Nodes[i]; n.Name == sh.Order || n.ID == sh.Order {
			o = n
		}
	}
	if o == nil {
		e := connector.Errorf(connector.NotFound, c.system, "no order %q for shipment %s", sh.Order, number)
		e.Op = op
		return connector.Result{}, e
	}
	var rec *shipmentRecord
	if o.Metafield != nil {
		r, err := parseRecord(o.Metafield.Value)
		if err != nil {
			c.log.Warn("shopify: unreadable shipment record; treating the shipment as new", "order", o.Name, "shipment", number, "err", err)
		}
		rec = r
	}
	ref := func(id string) canonical.ExternalRef {
		return canonical.ExternalRef{System: c.system, Type: "Fulfillment", ID: id, Version: w.Version.String()}
	}
	if rec != nil {
		held, err := connector.ParseVersion(rec.Version)
		if cmp, ok := w.Version.Compare(held); err == nil && ok && cmp < 0 && !w.Version.IsZero() {
			return connector.Result{Action: connector.Stale, Ref: canonical.ExternalRef{System: c.system, Type: "Fulfillment", ID: rec.Fulfillment, Version: rec.Version}}, nil
		}
		if w.IdempotencyKey != "" && rec.Key == w.IdempotencyKey {
			action := connector.Unchanged
			if cancel {
				action = connector.Deleted
			}
			return connector.Result{Action: action, Ref: canonical.ExternalRef{System: c.system, Type: "Fulfillment", ID: rec.Fulfillment, Version: rec.Version}}, nil
		}
	}
	status := ""
	var current map[string]any
	if rec != nil {
		for _, fl := range o.Fulfillments {
			if fl.ID == rec.Fulfillment {
				status = fl.Status
				current = map[string]any{}
				if len(fl.TrackingInfo) > 0 {
					t := fl.TrackingInfo[0]
					for k, v := range map[string]string{"company": t.Company, "number": t.Number, "url": t.URL} {
						if v != "" {
							current[k] = v
						}
					}
				}
			}
		}
	}

	switch {
	case cancel:
		if rec == nil {
			e := connector.Errorf(connector.NotFound, c.system, "no fulfilment for shipment %s of order %s to cancel", number, o.Name)
			e.Op = op
			return connector.Result{}, e
		}
		if status != "CANCELLED" && status != "" {
			if err := c.fulfillmentMutation(ctx, op, docFulfillmentCancel, map[string]any{"id": rec.Fulfillment}, "fulfillmentCancel"); err != nil {
				return connector.Result{}, err
			}
		}
		if err := c.saveRecord(ctx, op, o.ID, key, shipmentRecord{Number: number, Fulfillment: rec.Fulfillment, Version: w.Version.String(), Key: w.IdempotencyKey}); err != nil {
			return connector.Result{}, err
		}
		return connector.Result{Action: connector.Deleted, Ref: ref(rec.Fulfillment)}, nil

	case rec != nil:
		if status == "CANCELLED" {
			return connector.Result{}, c.businessRule(op, "the fulfilment of shipment %s was cancelled and cannot be reopened; send a new shipment", number)
		}
		action := connector.Unchanged
		if want := tracking(sh); !sameTracking(want, current) {
			vars := map[string]any{"id": rec.Fulfillment, "tracking": want, "notify": c.cfg.NotifyCustomer}
			if err := c.fulfillmentMutation(ctx, op, docTrackingUpdate, vars, "fulfillmentTrackingInfoUpdate"); err != nil {
				return connector.Result{}, err
			}
			action = connector.Updated
		}
		if err := c.saveRecord(ctx, op, o.ID, key, shipmentRecord{Number: number, Fulfillment: rec.Fulfillment, Version: w.Version.String(), Key: w.IdempotencyKey}); err != nil {
			return connector.Result{}, err
		}
		return connector.Result{Action: action, Ref: ref(rec.Fulfillment)}, nil
	}

	if notYetShipped[sh.Status] {
		return connector.Result{Action: connector.Unchanged, Ref: canonical.ExternalRef{System: c.system, Type: "Fulfillment", ID: "pending:" + number}}, nil
	}
	if o.CancelledAt != "" {
		return connector.Result{}, c.businessRule(op, "order %s is cancelled: shipment %s cannot be recorded", o.Name, number)
	}
	// A fulfilment created by an earlier attempt whose record was lost.
	if sh.TrackingNumber != "" {
		for _, fl := range o.Fulfillments {
			if fl.Status == "CANCELLED" || len(fl.TrackingInfo) == 0 || fl.TrackingInfo[0].Number != sh.TrackingNumber {
				continue
			}
			if err := c.saveRecord(ctx, op, o.ID, key, shipmentRecord{Number: number, Fulfillment: fl.ID, Version: w.Version.String(), Key: w.IdempotencyKey}); err != nil {
				return connector.Result{}, err
			}
			return connector.Result{Action: connector.Created, Ref: ref(fl.ID)}, nil
		}
	}
	groups, err := c.allocate(op, o, sh)
	if err != nil {
		return connector.Result{}, err
	}
	input := map[string]any{"lineItemsByFulfillmentOrder": groups, "notifyCustomer": c.cfg.NotifyCustomer}
	if t := tracking(sh); len(t) > 0 {
		input["trackingInfo"] = t
	}
	var res struct {
		FulfillmentCreate struct {
			Fulfillment *struct {
				ID string `json:"id"`
			} `json:"fulfillment"`
			UserErrors []userError `json:"userErrors"`
		} `json:"fulfillmentCreate"`
	}
	body, err := c.run(ctx, call{op: op, doc: docFulfillmentCreate, vars: map[string]any{"fulfillment": input}, cost: costMutation, mutation: true}, &res)
	if err != nil {
		return connector.Result{}, err
	}
	if ue := res.FulfillmentCreate.UserErrors; len(ue) > 0 || res.FulfillmentCreate.Fulfillment == nil {
		return connector.Result{}, c.userErrorsError(op, ue, body)
	}
	id := res.FulfillmentCreate.Fulfillment.ID
	if err := c.saveRecord(ctx, op, o.ID, key, shipmentRecord{Number: number, Fulfillment: id, Version: w.Version.String(), Key: w.IdempotencyKey}); err != nil {
		return connector.Result{}, err
	}
	return connector.Result{Action: connector.Created, Ref: ref(id)}, nil
}

// validateShipment validates sh, except that a shipment without a ship-to
// address is fine: Shopify ships to the order's address.
func validateShipment(sh canonical.Shipment) error {
	err := sh.Validate()
	if err == nil || !sh.ShipTo.IsZero() {
		return err
	}
	ve, ok := err.(*canonical.ValidationError)
	if !ok {
		return err
	}
	var keep []canonical.FieldError
	for _, f := range ve.Errors {
		if !strings.HasPrefix(f.Path, "shipTo") {
			keep = append(keep, f)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return &canonical.ValidationError{Entity: ve.Entity, Errors: keep}
}

func sameTracking(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// allocate takes each shipment line's quantity from the fulfilment order
// line items of its order line that still have some remaining.
func (c *Client) allocate(op string, o *fulfillmentContext, sh canonical.Shipment) ([]map[string]any, error) {
	type foLine struct {
		fo, id    string
		remaining int64
	}
	byLine := map[string][]*foLine{}
	skus := map[string]string{}
	for _, fo := range o.FulfillmentOrders.Nodes {
		switch fo.Status {
		case "CLOSED", "CANCELLED", "INCOMPLETE":
			continue
		}
		for _, li := range fo.LineItems.Nodes {
			lid := legacyID(li.LineItem.ID)
			byLine[lid] = append(byLine[lid], &foLine{fo: fo.ID, id: li.ID, remaining: li.RemainingQuantity})
			skus[lid] = li.LineItem.SKU
		}
	}
	var fields []canonical.FieldError
	take := map[string]map[string]int64{} // fulfilment order → line item → quantity
	var order []string
	for i, l := range sh.Lines {
		p := fmt.Sprintf("lines[%d]", i)
		lid := legacyID(l.OrderLine.LineID)
		cands, known := byLine[lid]
		if !known {
			fields = append(fields, canonical.FieldError{Path: p + ".orderLine.lineId", Code: "unknown_line", Value: l.OrderLine.LineID,
				Message: fmt.Sprintf("order %s has no open line %q", o.Name, l.OrderLine.LineID)})
			continue
		}
		if l.SKU != "" && skus[lid] != "" && l.SKU != skus[lid] {
			fields = append(fields, canonical.FieldError{Path: p + ".sku", Code: "sku_mismatch", Value: l.SKU,
				Message: fmt.Sprintf("is %s, but order line %s sells %s", l.SKU, lid, skus[lid])})
			continue
		}
		n, ok := l.Quantity.Value.Int64(0)
		if !ok || !l.Quantity.Value.Trim(0).Equal(canonical.DecimalFromInt(n)) {
			fields = append(fields, canonical.FieldError{Path: p + ".quantity.value", Code: "not_integer", Value: l.Quantity.Value.String(), Message: "must be a whole number of units"})
			continue
		}
		var open int64
		for _, cnd := range cands {
			open += cnd.remaining
		}
		if n > open {
			return nil, c.businessRule(op, "shipment %s ships %d of line %s of order %s, but only %d is open", sh.Number, n, lid, o.Name, open)
		}
		for _, cnd := range cands {
			if n == 0 {
				break
			}
			q := min(n, cnd.remaining)
			if q <= 0 {
				continue
			}
			cnd.remaining -= q
			n -= q
			if take[cnd.fo] == nil {
				take[cnd.fo] = map[string]int64{}
				order = append(order, cnd.fo)
			}
			take[cnd.fo][cnd.id] += q
		}
	}
	if len(fields) > 0 {
		return nil, invalid(c.system, op, "shipment "+sh.Number+" does not match order "+o.Name, fields...)
	}
	groups := make([]map[string]any, 0, len(order))
	for _, fo := range order {
		var items []map[string]any
		for _, cnd := range o.FulfillmentOrders.Nodes {
			if cnd.ID != fo {
				continue
			}
			for _, li := range cnd.LineItems.Nodes {
				if q := take[fo][li.ID]; q > 0 {
					items = append(items, map[string]any{"id": li.ID, "quantity": q})
				}
			}
		}
		groups = append(groups, map[string]any{"fulfillmentOrderId": fo, "fulfillmentOrderLineItems": items})
	}
	return groups, nil
}

// fulfillmentMutation runs a fulfilment mutation whose payload has
// userErrors under field.
func (c *Client) fulfillmentMutation(ctx context.Context, op, doc string, vars map[string]any, field string) error {
	var res map[string]struct {
		UserErrors []userError `json:"userErrors"`
	}
	// Cancelling and setting tracking are idempotent by nature.
	body, err := c.run(ctx, call{op: op, doc: doc, vars: vars, cost: costMutation, mutation: true, key: "natural"}, &res)
	if err != nil {
		return err
	}
	if ue := res[field].UserErrors; len(ue) > 0 {
		return c.userErrorsError(op, ue, body)
	}
	return nil
}

// saveRecord writes the shipment record to the order's metafield.
func (c *Client) saveRecord(ctx context.Context, op, orderID, key string, r shipmentRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	mf := []map[string]any{{"ownerId": orderID, "namespace": MetafieldNamespace, "key": key, "type": "json", "value": string(b)}}
	var res struct {
		MetafieldsSet struct {
			UserErrors []userError `json:"userErrors"`
		} `json:"metafieldsSet"`
	}
	body, err := c.run(ctx, call{op: op, doc: docMetafieldsSet, vars: map[string]any{"metafields": mf}, cost: costMutation, mutation: true, key: "natural"}, &res)
	if err != nil {
		return err
	}
	if ue := res.MetafieldsSet.UserErrors; len(ue) > 0 {
		return c.userErrorsError(op, ue, body)
	}
	return nil
}
