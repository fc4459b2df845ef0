package main

// This file is the connector, the one to copy: a Client for Acme Parcel
// Lockers (FICTIONAL; fakeserver.go specifies its API) whose Parcels are a
// connector.Source, Sink, Getter and Deleter of canonical.Shipment. It never
// retries on its own: connector/httpx retries what is safe within one call,
// and every failure is a *connector.Error whose kind tells the engine what to
// do next.

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/httpx"
	"github.com/junctionhq/junction/mapping"
)

// Config configures a Client. BaseURL and APIKey are required.
type Config struct {
	// BaseURL is the API's root ("https://api.acme-lockers.example"); APIKey
	// authenticates every call.
	BaseURL, APIKey string
	// System names the account in refs and errors (default "acmelockers").
	System string
	// PageSize is how many parcels a page of the change feed asks for (100).
	PageSize int
	// HTTPClient, Clock and Logger are handed to httpx; nil takes its defaults.
	HTTPClient *http.Client
	Clock      connector.Clock
	Logger     *slog.Logger
}

// Client talks to one Acme Parcel Lockers account, safe for concurrent use.
type Client struct {
	http     *httpx.Client
	system   string
	pageSize int
	// states reads Acme's states; bookable writes those a shipper may set.
	states   *mapping.Table[string, canonical.ShipmentStatus]
	bookable *mapping.Table[canonical.ShipmentStatus, string]
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" || cfg.APIKey == "" {
		return nil, errors.New("acmelockers: BaseURL and APIKey are required")
	}
	system := cmp.Or(cfg.System, "acmelockers")
	hc, err := httpx.New(httpx.Config{
		System: system, BaseURL: cfg.BaseURL, HTTPClient: cfg.HTTPClient, Clock: cfg.Clock, Logger: cfg.Logger,
		// A static key; a token that expires would be set by Config.Auth instead.
		Header: http.Header{"Authorization": {"Bearer " + cfg.APIKey}}, ClassifyError: classify,
	})
	if err != nil {
		return nil, err
	}
	c := &Client{http: hc, system: system, pageSize: cmp.Or(max(cfg.PageSize, 0), 100)}
	c.states = mapping.NewTable("acme parcel state", map[string]canonical.ShipmentStatus{
		"booked":    canonical.ShipmentLabelCreated,
		"in_locker": canonical.ShipmentOutForDelivery, // waiting for the customer
		"collected": canonical.ShipmentDelivered,
		"expired":   canonical.ShipmentReturnedToSender, // not collected in time
		"cancelled": canonical.ShipmentCancelled,
	})
	c.bookable = mapping.NewTable("shipment status → acme parcel state", map[canonical.ShipmentStatus]string{
		canonical.ShipmentPlanned: "booked", canonical.ShipmentLabelCreated: "booked",
		canonical.ShipmentCancelled: "cancelled", // Acme alone moves parcels in and out of lockers
	})
	return c, nil
}

// Parcels returns the account's parcels, keyed by ref (the shipment number).
func (c *Client) Parcels() *Parcels { return &Parcels{c: c} }

// Parcels is a connector.Source, Sink, Getter and Deleter of
// canonical.Shipment. The locker site travels in Shipment.Service and the
// pickup code in TrackingNumber.
type Parcels struct{ c *Client }

// parcel is Acme's JSON shape.
type parcel struct {
	Ref           string       `json:"ref"`
	OrderRef      string       `json:"order_ref"`
	Site          string       `json:"locker_site"`
	Recipient     string       `json:"recipient"` // Acme sends the pickup code to the
	Email         string       `json:"email"`     // recipient's email
	Country       string       `json:"country"`
	State         string       `json:"state"`
	PickupCode    string       `json:"pickup_code,omitempty"`
	Items         []parcelItem `json:"items"`
	SourceVersion int64        `json:"source_version"`
	Rev           int64        `json:"rev,omitempty"`       // Acme's revision, for If-Match
	Seq           int64        `json:"seq,omitempty"`       // position in the change feed
	UpdatedAt     time.Time    `json:"updated_at,omitzero"` // set by Acme
}

type parcelItem struct {
	Line      string `json:"line"`
	OrderLine string `json:"order_line"`
	SKU       string `json:"sku"`
	Qty       int64  `json:"qty"`
}

// Changes yields the change feed after cursor, a feed position, page by page.
// A change's Cursor is its own position: resuming there reads what followed.
func (p *Parcels) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[canonical.Shipment], error] {
	return func(yield func(connector.Change[canonical.Shipment], error) bool) {
		q := url.Values{"after": {cmp.Or(string(after), "0")}, "limit": {strconv.Itoa(p.c.pageSize)}}
		paging := httpx.Cursor{Items: "parcels", NextCursor: "next_after", Param: "after"}
		for raw, err := range httpx.Paginate[json.RawMessage](ctx, p.c.http, &httpx.Request{Path: "/v1/parcels", Query: q}, paging) {
			if err == nil {
				err = ctx.Err() // stop promptly, even within a page
			}
			var pc parcel
			if err == nil && json.Unmarshal(raw, &pc) != nil {
				err = connector.Errorf(connector.Invalid, p.c.system, "parcel feed: undecodable parcel %s", raw)
			}
			if err != nil {
				yield(connector.Change[canonical.Shipment]{}, err)
				return
			}
			if !yield(p.c.change(pc, raw), nil) {
				return
			}
		}
	}
}

// Get returns the parcel ref as it is now.
func (p *Parcels) Get(ctx context.Context, ref string) (connector.Change[canonical.Shipment], error) {
	resp, err := p.c.http.Do(ctx, &httpx.Request{Path: "/v1/parcels/" + url.PathEscape(ref)})
	if err != nil {
		return connector.Change[canonical.Shipment]{}, err
	}
	var pc parcel
	if err := resp.Decode(&pc); err != nil {
		return connector.Change[canonical.Shipment]{}, err
	}
	return p.c.change(pc, resp.Body), nil
}

// SupportsDelete reports true: a Delete cancels the booking.
func (p *Parcels) SupportsDelete() bool { return true }

// Apply books, changes or cancels a parcel. It sends the engine's
// idempotency key, the write's version (Acme answers stale_version when it
// holds a newer one: reported as Action Stale) and, when the engine knows the
// parcel's revision, If-Match (a rev_mismatch is a Conflict error).
func (p *Parcels) Apply(ctx context.Context, w connector.Write[canonical.Shipment]) (connector.Result, error) {
	ref := cmp.Or(w.Entity.Number, w.Key)
	if w.Target != nil && w.Target.ID != "" {
		ref = w.Target.ID
	}
	req := &httpx.Request{Method: http.MethodPut, Path: "/v1/parcels/" + url.PathEscape(ref), IdempotencyKey: w.IdempotencyKey}
	if w.Op == connector.Delete {
		req.Method, req.Query = http.MethodDelete, url.Values{"source_version": {strconv.FormatInt(sourceVersion(w.Version), 10)}}
	} else {
		pc, err := p.c.toParcel(w, ref)
		if err != nil {
			return connector.Result{}, err
		}
		req.Body = pc
	}
	if w.Target != nil && w.Target.Version != "" {
		req.Header = http.Header{"If-Match": {w.Target.Version}}
	}
	resp, err := p.c.http.Do(ctx, req)
	var ce *connector.Error
	bare := canonical.ExternalRef{System: p.c.system, Type: "parcel", ID: ref}
	switch {
	case errors.As(err, &ce) && ce.Code == "stale_version": // Acme holds a newer version
		return connector.Result{Action: connector.Stale, Ref: bare}, nil
	case w.Op == connector.Delete && errors.Is(err, connector.NotFound): // nothing to cancel
		return connector.Result{Action: connector.Unchanged, Ref: bare}, nil
	case err != nil:
		return connector.Result{}, err
	}
	var pc parcel
	if err := resp.Decode(&pc); err != nil {
		return connector.Result{}, err
	}
	res := connector.Result{Action: connector.Updated, Ref: p.c.ref(pc)}
	if w.Op == connector.Delete {
		res.Action = connector.Deleted
	} else if resp.Status == http.StatusCreated {
		res.Action = connector.Created
	}
	return res, nil
}

// change turns a parcel into a change. An unknown state leaves Status empty:
// validation parks the change, naming "status", rather than guess.
func (c *Client) change(pc parcel, raw []byte) connector.Change[canonical.Shipment] {
	sh := canonical.Shipment{
		Meta:   canonical.Meta{Refs: []canonical.ExternalRef{c.ref(pc)}, UpdatedAt: pc.UpdatedAt},
		Number: pc.Ref, Order: pc.OrderRef, Carrier: c.system, Service: pc.Site, TrackingNumber: pc.PickupCode,
		ShipTo: canonical.Address{Name: pc.Recipient, Email: pc.Email, Country: pc.Country},
	}
	sh.Status, _ = c.states.Get(pc.State)
	for _, it := range pc.Items {
		sh.Lines = append(sh.Lines, canonical.ShipmentLine{
			LineID: it.Line, SKU: it.SKU, Quantity: canonical.Qty(it.Qty, canonical.UnitOne),
			OrderLine: canonical.LineRef{Document: pc.OrderRef, LineID: it.OrderLine},
		})
	}
	op := connector.Upsert
	if pc.State == "cancelled" {
		op = connector.Delete
	}
	return connector.Change[canonical.Shipment]{
		System: c.system, Key: pc.Ref, Op: op, Version: connector.SeqVersion(pc.Seq),
		Cursor: connector.Cursor(strconv.FormatInt(pc.Seq, 10)), Entity: sh, Raw: raw, At: pc.UpdatedAt,
	}
}

// toParcel maps a shipment to Acme's shape, or reports every field Acme
// cannot take as an Invalid error with canonical paths.
func (c *Client) toParcel(w connector.Write[canonical.Shipment], ref string) (parcel, error) {
	sh := w.Entity
	errs := mapping.Errors{System: c.system, Entity: "Shipment", Key: w.Key}
	pc := parcel{Ref: ref, OrderRef: sh.Order, Site: sh.Service, SourceVersion: sourceVersion(w.Version),
		Recipient: sh.ShipTo.Name, Email: sh.ShipTo.Email, Country: sh.ShipTo.Country}
	pc.State = c.bookable.Map(&errs, "status", sh.Status)
	for i, l := range sh.Lines {
		n, ok := l.Quantity.Value.Int64(0)
		if !ok || !canonical.DecimalFromInt(n).Equal(l.Quantity.Value) || !mapping.EquivalentUnits(l.Quantity.Unit, canonical.UnitOne) {
			errs.Add(mapping.Path("lines", i, "quantity"), mapping.CodeUnit, "Acme lockers take whole pieces", l.Quantity.String())
		}
		pc.Items = append(pc.Items, parcelItem{Line: l.LineID, OrderLine: l.OrderLine.LineID, SKU: l.SKU, Qty: n})
	}
	if err := errs.Err(); err != nil {
		e := connector.Errorf(connector.Invalid, c.system, "%w", err)
		e.Op, e.Fields = "PUT /v1/parcels", errs.Fields()
		return pc, e
	}
	return pc, nil
}

// ref is the parcel's ref, with Acme's revision as its version.
func (c *Client) ref(pc parcel) canonical.ExternalRef {
	return canonical.ExternalRef{System: c.system, Type: "parcel", ID: pc.Ref, Version: strconv.FormatInt(pc.Rev, 10)}
}

// classify adds Acme's field problems to an error, with canonical paths, so a
// parked change names the field the user maps. httpx has already set the kind
// (from the status), Code and Message.
func classify(e *connector.Error, _ *http.Response) {
	var body struct {
		Error struct {
			Fields []struct{ Field, Code, Problem string } // "field", "code", "problem"
		}
	}
	_ = json.Unmarshal(e.Body, &body) // another shape: no fields to add
	for _, f := range body.Error.Fields {
		e.Fields = append(e.Fields, canonical.FieldError{Path: canonicalPath(f.Field), Code: f.Code, Message: f.Problem})
	}
}

// canonicalPath turns a path in Acme's JSON ("items[0].qty") into the
// canonical Shipment's ("lines[0].quantity").
func canonicalPath(p string) string {
	names := map[string]string{
		"ref": "number", "order_ref": "order", "locker_site": "service", "state": "status",
		"recipient": "shipTo.name", "email": "shipTo.email", "country": "shipTo.country",
		"items": "lines", "line": "lineId", "order_line": "orderLine.lineId", "qty": "quantity",
	}
	parts := strings.Split(p, ".")
	for i, part := range parts {
		name, index, indexed := strings.Cut(part, "[")
		if n, ok := names[name]; ok {
			parts[i] = n
			if indexed {
				parts[i] += "[" + index
			}
		}
	}
	return strings.Join(parts, ".")
}

// sourceVersion is the number Acme orders writes by: the change's sequence,
// or its time for sources that version by time.
func sourceVersion(v connector.Version) int64 {
	if v.Seq != 0 || v.At.IsZero() {
		return v.Seq
	}
	return v.At.UnixMicro()
}
