package businesscentral

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/httpx"
)

// Despatches returns the source of posted sales shipments, keyed by
// shipment number, with their lines.
//
// Approximation: Business Central's API v2.0 exposes shipments once they
// are posted, that is once the goods have left; there is no planned
// despatch to put a courier label on first. Every shipment this source
// yields is therefore in status shipped, its lines pointing at the order
// lines by line number (LineRef.LineID is the line's sequence). Sales
// shipments are not among the webhook-supported entities; posting one
// changes its sales order, so the "salesOrders" notification rings this
// source.
func (c *Client) Despatches() connector.Source[canonical.Shipment] {
	return &feed[canonical.Shipment]{c: c, set: "salesShipments", expand: "salesShipmentLines", topics: []string{"salesOrders"},
		decode: func(raw json.RawMessage) (string, canonical.Shipment, bool, error) {
			var b bcShipment
			if err := json.Unmarshal(raw, &b); err != nil {
				return "", canonical.Shipment{}, false, err
			}
			return b.Number, c.shipment(b), false, nil
		}}
}

// Invoices returns the source of sales invoices, keyed by invoice number,
// with their lines. Draft invoices are left out unless
// Config.IncludeDraftInvoices is set. A payment changes the invoice's
// remaining amount and status (issued, partially_paid, paid), which shows
// as a newer version of it.
func (c *Client) Invoices() connector.Source[canonical.Invoice] {
	return &feed[canonical.Invoice]{c: c, set: "salesInvoices", expand: "salesInvoiceLines", topics: []string{"salesInvoices"},
		decode: func(raw json.RawMessage) (string, canonical.Invoice, bool, error) {
			var b bcInvoice
			if err := json.Unmarshal(raw, &b); err != nil {
				return "", canonical.Invoice{}, false, err
			}
			if !isPosted(b.Status) && !c.cfg.IncludeDraftInvoices {
				return b.Number, canonical.Invoice{}, true, nil
			}
			return b.Number, c.invoice(b), false, nil
		}}
}

// ShipmentConfirmations returns the sink that records shipments in
// Business Central.
func (c *Client) ShipmentConfirmations() connector.Sink[canonical.Shipment] { return confirmSink{c} }

type confirmSink struct{ c *Client }

// Apply records a shipment.
//
// A shipment Business Central already posted (Shipment.Number is a posted
// sales shipment, as every shipment from Despatches is) is Unchanged:
// API v2.0 has no field for a tracking number on a posted shipment. A
// shipment made elsewhere (a third-party warehouse) is posted: the order
// (Shipment.Order, its number) gets each line's shipQuantity set from the
// shipment's lines (matched by line number, else by item), the other
// lines 0, and the shipAndInvoice action ships and invoices them. A
// cancelled shipment of a posted one is a BusinessRule error: posted
// shipments are undone in Business Central, not through the API. A repeat
// of a write this Client applied is Unchanged.
func (s confirmSink) Apply(ctx context.Context, w connector.Write[canonical.Shipment]) (connector.Result, error) {
	const op = "shipments.apply"
	c := s.c
	if err := ctx.Err(); err != nil {
		return connector.Result{}, c.errorf(connector.Transient, op, "%w", err)
	}
	sh := w.Entity
	if n, ok := c.confirms.number(w.IdempotencyKey); ok && w.IdempotencyKey != "" {
		return connector.Result{Action: connector.Unchanged, Ref: c.ref(n, "")}, nil
	}
	if sh.Number != "" {
		posted, ok, err := c.postedShipment(ctx, "number eq "+quote(sh.Number))
		if err != nil {
			return connector.Result{}, err
		}
		if ok {
			if sh.Status == canonical.ShipmentCancelled || w.Op == connector.Delete {
				return connector.Result{}, c.errorf(connector.BusinessRule, op,
					"shipment %s is posted in Business Central; undo it there", sh.Number)
			}
			return connector.Result{Action: connector.Unchanged, Ref: c.ref(posted.Number, posted.ETag)}, nil
		}
	}
	if sh.Status == canonical.ShipmentCancelled || w.Op == connector.Delete {
		return connector.Result{Action: connector.Unchanged}, nil
	}
	switch sh.Status {
	case canonical.ShipmentPlanned, canonical.ShipmentLabelPending, canonical.ShipmentLabelFailed, canonical.ShipmentAwaitingAction:
		return connector.Result{}, c.errorf(connector.BusinessRule, op,
			"shipment %s is %s, not sent: Business Central posts shipments that have left", sh.Number, sh.Status)
	}
	if err := sh.Validate(); err != nil {
		return connector.Result{}, c.validation(op, "shipment", err)
	}
	o, ok, err := c.getOrder(ctx, "number eq "+quote(sh.Order))
	if err != nil {
		return connector.Result{}, err
	}
	if !ok {
		return connector.Result{}, c.errorf(connector.BusinessRule, op,
			"sales order %s is not open in Business Central (fully posted or deleted)", sh.Order)
	}
	qty := map[string]canonical.Decimal{} // line id → quantity to ship
	for i, sl := range sh.Lines {
		j := -1
		for k, l := range o.Lines {
			if sl.OrderLine.LineID != "" && strconv.Itoa(l.Sequence) == sl.OrderLine.LineID {
				j = k
				break
			}
		}
		if j < 0 {
			for k, l := range o.Lines {
				// What has shipped and what this shipment takes of the
				// line adds up to at most its quantity (checked below),
				// so the sum cannot overflow.
				taken, _ := l.ShippedQuantity.Add(qty[l.ID])
				if l.LineType == "Item" && l.LineObjectNumber == sl.SKU && l.Quantity.Cmp(taken) > 0 {
					j = k
					break
				}
			}
		}
		if j < 0 {
			return connector.Result{}, c.invalid(op, "lines["+strconv.Itoa(i)+"].orderLine", "unknown", sl.OrderLine.LineID,
				"matches no open line of sales order "+o.Number)
		}
		l := o.Lines[j]
		q, err := qty[l.ID].Add(sl.Quantity.Value)
		taken, err2 := l.ShippedQuantity.Add(q)
		if err != nil || err2 != nil {
			return connector.Result{}, c.overflow(op, "lines["+strconv.Itoa(i)+"].quantity",
				fmt.Sprintf("the quantity with what sales order %s line %d has shipped", o.Number, l.Sequence))
		}
		if taken.Cmp(l.Quantity) > 0 {
			return connector.Result{}, c.errorf(connector.BusinessRule, op,
				"sales order %s line %d (%s): shipping %s would exceed the %s ordered (%s shipped)", o.Number, l.Sequence, l.LineObjectNumber, q, l.Quantity, l.ShippedQuantity)
		}
		qty[l.ID] = q
	}
	linesPath := c.entityPath("salesOrders", o.ID) + "/salesOrderLines"
	for _, l := range o.Lines {
		if l.LineType == "Comment" {
			continue
		}
		q := qty[l.ID]
		if q.Equal(l.ShipQuantity) {
			continue
		}
		err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodPatch, Path: linesPath + "(" + l.ID + ")",
			Header: ifMatch(l.ETag), Body: map[string]any{"shipQuantity": jsonNumber(q)}, Idempotent: true}, nil)
		if err != nil {
			return connector.Result{}, err
		}
	}
	// Ship and invoice: https://learn.microsoft.com/dynamics365/business-central/dev-itpro/api-reference/v2.0/resources/dynamics_salesorder
	if _, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodPost,
		Path: c.entityPath("salesOrders", o.ID) + "/Microsoft.NAV.shipAndInvoice"}); err != nil {
		return connector.Result{}, err
	}
	posted, ok, err := c.postedShipment(ctx, "orderNumber eq "+quote(o.Number), "lastModifiedDateTime desc")
	if err != nil {
		return connector.Result{}, err
	}
	res := connector.Result{Action: connector.Created}
	if ok {
		res.Ref = c.ref(posted.Number, posted.ETag)
		c.confirms.applied(w.IdempotencyKey, connector.Version{}, posted.Number)
	}
	return res, nil
}

// postedShipment reads the first posted shipment matching filter.
func (c *Client) postedShipment(ctx context.Context, filter string, orderBy ...string) (bcShipment, bool, error) {
	var page struct {
		Value []bcShipment `json:"value"`
	}
	q := url.Values{"$filter": {filter}, "$top": {"1"}}
	if len(orderBy) > 0 {
		q.Set("$orderby", orderBy[0])
	}
	if err := c.http.DoJSON(ctx, &httpx.Request{Path: c.CompanyPath("salesShipments"), Query: q}, &page); err != nil {
		return bcShipment{}, false, err
	}
	if len(page.Value) == 0 {
		return bcShipment{}, false, nil
	}
	return page.Value[0], true, nil
}
