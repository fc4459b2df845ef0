package businesscentral

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/httpx"
)

// CustomerChanges returns the source of customer changes, keyed by
// customer number. A customer's CreditStatus comes from its blocked field
// and its balance against its credit limit (see creditStatus).
//
// Approximation: Business Central keeps the balance as a sum over ledger
// entries, so a posting that takes a customer over its limit does not
// change the customer's lastModifiedDateTime; the hold shows with the
// customer's next change (or a Get).
func (c *Client) CustomerChanges() connector.Source[canonical.Customer] {
	return &feed[canonical.Customer]{c: c, set: "customers", topics: []string{"customers"},
		decode: func(raw json.RawMessage) (string, canonical.Customer, bool, error) {
			var b bcCustomer
			if err := json.Unmarshal(raw, &b); err != nil {
				return "", canonical.Customer{}, false, err
			}
			return b.Number, c.customer(b), false, nil
		}}
}

// Customers returns the sink that creates and updates customers.
func (c *Client) Customers() connector.Sink[canonical.Customer] { return customerSink{c} }

type customerSink struct{ c *Client }

// getCustomer reads the customer with a number; ok is false when there is
// none.
func (c *Client) getCustomer(ctx context.Context, filter string) (bcCustomer, bool, error) {
	var page struct {
		Value []bcCustomer `json:"value"`
	}
	q := url.Values{"$filter": {filter}, "$top": {"1"}}
	if err := c.http.DoJSON(ctx, &httpx.Request{Path: c.CompanyPath("customers"), Query: q}, &page); err != nil {
		return bcCustomer{}, false, err
	}
	if len(page.Value) == 0 {
		return bcCustomer{}, false, nil
	}
	return page.Value[0], true, nil
}

// Apply creates or updates a customer.
//
// The customer is found by Write.Target (its number), else by the number
// this Client gave the caller's key before, else by Customer.Number, else
// by Email: a retry of a create finds what the first attempt made.
// (Approximation: Business Central customers have no field for an
// external reference, so a customer with neither number nor email can be
// created twice when a create is retried after a crash.) A new customer
// gets Business Central's next number. Credit fields (limit, balance,
// blocked) belong to Business Central and are never written. An update
// based on a Target whose version is no longer current is a Conflict. A
// Delete is Unsupported: block customers in Business Central instead.
func (s customerSink) Apply(ctx context.Context, w connector.Write[canonical.Customer]) (connector.Result, error) {
	const op = "customers.apply"
	c := s.c
	if err := ctx.Err(); err != nil {
		return connector.Result{}, c.errorf(connector.Transient, op, "%w", err)
	}
	if w.Op == connector.Delete {
		return connector.Result{}, c.errorf(connector.Unsupported, op, "customers are blocked in Business Central, not deleted")
	}
	if c.customers.stale(w.Key, w.Version) {
		return connector.Result{Action: connector.Stale}, nil
	}
	in := w.Entity
	if err := in.Validate(); err != nil {
		return connector.Result{}, c.validation(op, "customer", err)
	}
	var filter string
	switch n, ok := c.customers.number(w.Key); {
	case w.Target != nil && w.Target.System == c.system && w.Target.ID != "":
		filter = "number eq " + quote(w.Target.ID)
	case ok:
		filter = "number eq " + quote(n)
	case in.Number != "":
		filter = "number eq " + quote(in.Number)
	case in.Email != "":
		filter = "email eq " + quote(in.Email)
	}
	var cur bcCustomer
	found := false
	if filter != "" {
		var err error
		if cur, found, err = c.getCustomer(ctx, filter); err != nil {
			return connector.Result{}, err
		}
	}
	if !found && w.Target != nil && w.Target.System == c.system && w.Target.ID != "" {
		return connector.Result{}, c.errorf(connector.NotFound, op, "no customer %s", w.Target.ID)
	}
	body := customerBody(c, in)
	if !found {
		if in.Number != "" {
			body["number"] = in.Number
		}
		var out bcCustomer
		err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodPost, Path: c.CompanyPath("customers"), Body: body}, &out)
		if err != nil {
			return connector.Result{}, err
		}
		c.customers.applied(w.Key, w.Version, out.Number)
		return connector.Result{Action: connector.Created, Ref: c.ref(out.Number, out.ETag)}, nil
	}
	if w.Target != nil && w.Target.Version != "" && w.Target.Version != cur.ETag && !c.customers.retrying(w.IdempotencyKey) {
		c.customers.conflicted(w.IdempotencyKey)
		return connector.Result{}, c.errorf(connector.Conflict, op,
			"customer %s changed in Business Central since version %s", cur.Number, w.Target.Version)
	}
	changed := changedFields(body, customerBody(c, c.customer(cur)))
	if len(changed) == 0 {
		c.customers.applied(w.Key, w.Version, cur.Number)
		return connector.Result{Action: connector.Unchanged, Ref: c.ref(cur.Number, cur.ETag)}, nil
	}
	var out bcCustomer
	err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodPatch, Path: c.entityPath("customers", cur.ID),
		Header: ifMatch(cur.ETag), Body: changed, Idempotent: true}, &out)
	if err != nil {
		return connector.Result{}, err
	}
	c.customers.applied(w.Key, w.Version, out.Number)
	return connector.Result{Action: connector.Updated, Ref: c.ref(out.Number, out.ETag)}, nil
}

// customerBody is what the connector writes of a customer.
func customerBody(c *Client, in canonical.Customer) map[string]any {
	b := map[string]any{
		"displayName": in.Name,
		"email":       in.Email,
		"phoneNumber": in.Phone,
	}
	if len(in.Addresses) > 0 {
		a := in.Addresses[0]
		line := func(i int) string {
			if i < len(a.Lines) {
				return a.Lines[i]
			}
			return ""
		}
		b["addressLine1"], b["addressLine2"] = line(0), line(1)
		b["city"], b["state"], b["postalCode"], b["country"] = a.City, a.Region, a.PostalCode, a.Country
	}
	for _, t := range in.TaxIDs {
		if t.Scheme == "VAT" {
			b["taxRegistrationNumber"] = t.Value
			break
		}
	}
	if in.Currency != "" && in.Currency != c.cfg.LocalCurrency {
		b["currencyCode"] = string(in.Currency)
	}
	return b
}

// changedFields returns the entries of want that differ from have.
func changedFields(want, have map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range want {
		if have[k] != v {
			out[k] = v
		}
	}
	return out
}
