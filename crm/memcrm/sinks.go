package memcrm

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

const (
	contactsSink = "contacts"
	dealsSink    = "deals"
)

// Contacts creates or updates contacts from customers; see crm.CRM. The
// write's key (the customer's key in the source) becomes an alias of the
// contact. A customer whose email a contact already has updates that contact
// and gets its ref, so two customer records with one email make one contact.
// A customer without a valid email is refused with connector.Invalid at the
// path "email"; moving a known customer to an email another contact has is
// connector.BusinessRule. Consent is the CRM's own: the consent in a write is
// ignored. Delete is connector.Unsupported. The sink is also a
// connector.Getter by customer key.
func (s *Sim) Contacts() connector.Sink[canonical.Customer] { return contactSink{s} }

// Deals records each sales order, keyed by order number, as one deal of the
// contact with the order's customer email (connector.NotFound while no such
// contact exists, so the flow retries until the contacts flow has run). The
// amount is the order's payable total; the stage is open for draft,
// submitted and accepted orders, won for in_progress, completed and closed
// ones, lost for cancelled and rejected ones. A Delete marks the deal lost.
func (s *Sim) Deals() connector.Sink[canonical.SalesOrder] { return dealSink{s} }

type contactSink struct{ s *Sim }
type dealSink struct{ s *Sim }

// Get returns the contact that the customer key was written to.
func (k contactSink) Get(ctx context.Context, key string) (connector.Change[canonical.Customer], error) {
	s := k.s
	if err := s.env.Call(ctx, "contacts.get"); err != nil {
		return connector.Change[canonical.Customer]{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byAlias[key]
	if !ok {
		return connector.Change[canonical.Customer]{}, connector.Errorf(connector.NotFound, s.cfg.System, "no contact for customer %q", key)
	}
	return connector.Change[canonical.Customer]{
		System: s.cfg.System, Key: key, Entity: cloneCustomer(r.customer), At: r.customer.UpdatedAt,
	}, nil
}

// SupportsDelete reports that a Delete marks a deal lost.
func (dealSink) SupportsDelete() bool { return true }

// begin runs the steps every write shares, with s.mu held: a repeated
// idempotency key returns the first result (done true), and a version older
// than the last applied one is stale.
func (s *Sim) begin(sink, key, idem string, v connector.Version, ref func() canonical.ExternalRef) (connector.Result, bool) {
	if idem != "" {
		if r, ok := s.done[sink+"\x00"+idem]; ok {
			r.Action = connector.Unchanged
			return r, true
		}
	}
	if last, ok := s.versions[sink+"\x00"+key]; ok && !v.IsZero() {
		if c, ok := v.Compare(last); ok && c < 0 {
			return connector.Result{Action: connector.Stale, Ref: ref()}, true
		}
	}
	return connector.Result{}, false
}

// finish remembers a successful write. Callers hold s.mu.
func (s *Sim) finish(sink, key, idem string, v connector.Version, r connector.Result) {
	if !v.IsZero() {
		s.versions[sink+"\x00"+key] = v
	}
	if idem != "" {
		s.done[sink+"\x00"+idem] = r
	}
}

func (s *Sim) contactRef(r *contactRec) canonical.ExternalRef {
	if r == nil {
		return canonical.ExternalRef{System: s.cfg.System, Type: "contact"}
	}
	return canonical.ExternalRef{System: s.cfg.System, Type: "contact", ID: r.id}
}

func (s *Sim) dealRef(d *Deal) canonical.ExternalRef {
	if d == nil {
		return canonical.ExternalRef{System: s.cfg.System, Type: "deal"}
	}
	return canonical.ExternalRef{System: s.cfg.System, Type: "deal", ID: d.ID}
}

func (s *Sim) invalid(op, path, code, value, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	err := connector.Errorf(connector.Invalid, s.cfg.System, "%s", msg)
	err.Op, err.Status = op, 400
	err.Fields = []canonical.FieldError{{Path: path, Code: code, Message: msg, Value: value}}
	return err
}

// Apply creates or updates the contact for a customer.
func (k contactSink) Apply(ctx context.Context, w connector.Write[canonical.Customer]) (connector.Result, error) {
	s := k.s
	const op = "contacts.apply"
	if err := s.env.Call(ctx, op); err != nil {
		return connector.Result{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	email := normEmail(w.Entity.Email)
	key := w.Key
	if key == "" {
		key = email
	}
	if r, done := s.begin(contactsSink, key, w.IdempotencyKey, w.Version, func() canonical.ExternalRef {
		return s.contactRef(s.byAlias[key])
	}); done {
		return r, nil
	}
	if w.Op == connector.Delete {
		err := connector.Errorf(connector.Unsupported, s.cfg.System, "contacts cannot be deleted through the sync; archive them in the CRM")
		err.Op = op
		return connector.Result{}, err
	}
	switch {
	case email == "":
		return connector.Result{}, s.invalid(op, "email", canonical.CodeRequired, "",
			"the CRM needs an email address to identify a contact")
	case !validEmail(email):
		return connector.Result{}, s.invalid(op, "email", "email", w.Entity.Email,
			"%q is not an email address", w.Entity.Email)
	}
	byKey, byEmail := s.byAlias[key], s.byEmail[email]
	if byKey != nil && byEmail != nil && byKey != byEmail {
		err := connector.Errorf(connector.BusinessRule, s.cfg.System,
			"customer %s is contact %s, but its new email %s belongs to contact %s; merge them in the CRM",
			key, byKey.id, email, byEmail.id)
		err.Op, err.Status = op, 409
		return connector.Result{}, err
	}
	now := s.env.Stamp()
	rec := byKey
	if rec == nil {
		rec = byEmail
	}
	if rec == nil {
		rec = &contactRec{id: fmt.Sprintf("contact-%d", len(s.contacts)+1), email: email, aliases: []string{key}}
		s.contacts = append(s.contacts, rec)
		s.byEmail[email] = rec
		s.byAlias[key] = rec
		rec.customer = s.owned(w.Entity, rec, now)
		res := connector.Result{Action: connector.Created, Ref: s.contactRef(rec)}
		s.finish(contactsSink, key, w.IdempotencyKey, w.Version, res)
		return res, nil
	}
	res := connector.Result{Action: connector.Unchanged, Ref: s.contactRef(rec)}
	if s.byAlias[key] == nil {
		s.byAlias[key] = rec
		rec.aliases = append(rec.aliases, key)
		res.Action = connector.Updated
	}
	if rec.email != email { // the customer's email changed to an unused one
		delete(s.byEmail, rec.email)
		rec.email = email
		s.byEmail[email] = rec
	}
	next := s.owned(w.Entity, rec, rec.customer.UpdatedAt)
	if customerView(next) != customerView(rec.customer) {
		next.UpdatedAt = now
		rec.customer = next
		res.Action = connector.Updated
	}
	s.finish(contactsSink, key, w.IdempotencyKey, w.Version, res)
	return res, nil
}

// owned returns c as the CRM stores it: with its ref, its update time, and
// consent taken from the CRM (the entry for the contact's email, added if
// missing, carries the contact's consent; other entries have none).
func (s *Sim) owned(c canonical.Customer, rec *contactRec, at time.Time) canonical.Customer {
	c = cloneCustomer(c)
	c.UpdatedAt = at
	c.SetRef(s.contactRef(rec))
	found := false
	for i := range c.Contacts {
		if normEmail(c.Contacts[i].Email) == rec.email && !found {
			c.Contacts[i].Consent = rec.consent
			found = true
			continue
		}
		c.Contacts[i].Consent = false
	}
	if !found {
		c.Contacts = append(c.Contacts, canonical.Contact{Email: rec.email, Consent: rec.consent})
	}
	return c
}

func customerView(c canonical.Customer) string {
	c.UpdatedAt = time.Time{}
	b, _ := json.Marshal(c)
	return string(b)
}

// SetConsent records a contact's marketing consent, as a person does in the
// CRM, and reports the change on ContactChanges. Setting the consent it
// already has changes nothing. An unknown email is connector.NotFound.
func (s *Sim) SetConsent(ctx context.Context, email string, consent bool) error {
	if err := s.env.Call(ctx, "contacts.consent"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.byEmail[normEmail(email)]
	if rec == nil {
		return connector.Errorf(connector.NotFound, s.cfg.System, "no contact with email %q", email)
	}
	if rec.consent == consent {
		return nil
	}
	rec.consent = consent
	rec.customer = s.owned(rec.customer, rec, s.env.Stamp())
	s.log.Append(rec.id, connector.Upsert, cloneCustomer(rec.customer))
	return nil
}

// stageOf maps an order status to a deal stage.
func stageOf(st canonical.OrderStatus) (string, bool) {
	switch st {
	case canonical.OrderDraft, canonical.OrderSubmitted, canonical.OrderAccepted:
		return StageOpen, true
	case canonical.OrderInProgress, canonical.OrderCompleted, canonical.OrderClosed:
		return StageWon, true
	case canonical.OrderCancelled, canonical.OrderRejected:
		return StageLost, true
	}
	return "", false
}

// Apply creates or updates the deal of a sales order.
func (k dealSink) Apply(ctx context.Context, w connector.Write[canonical.SalesOrder]) (connector.Result, error) {
	s := k.s
	const op = "deals.apply"
	if err := s.env.Call(ctx, op); err != nil {
		return connector.Result{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := w.Entity
	number := o.Number
	if number == "" {
		number = w.Key
	}
	if r, done := s.begin(dealsSink, number, w.IdempotencyKey, w.Version, func() canonical.ExternalRef {
		return s.dealRef(s.byOrder[number])
	}); done {
		return r, nil
	}
	now := s.env.Stamp()
	d := s.byOrder[number]
	if w.Op == connector.Delete {
		res := connector.Result{Action: connector.Unchanged, Ref: s.dealRef(d)}
		if d != nil && d.Stage != StageLost {
			d.Stage, d.UpdatedAt = StageLost, now
			res.Action = connector.Deleted
		}
		s.finish(dealsSink, number, w.IdempotencyKey, w.Version, res)
		return res, nil
	}
	if number == "" {
		return connector.Result{}, s.invalid(op, "number", canonical.CodeRequired, "", "the order has no number")
	}
	stage, ok := stageOf(o.Status)
	if !ok {
		return connector.Result{}, s.invalid(op, "status", "oneof", string(o.Status), "order status %q has no deal stage", o.Status)
	}
	contact, err := s.contactOf(op, o.Customer)
	if err != nil {
		return connector.Result{}, err
	}
	amount := o.Totals.Payable
	if amount.Currency == "" {
		amount.Currency = o.Currency
	}
	if d == nil {
		d = &Deal{
			ID: fmt.Sprintf("deal-%d", len(s.deals)+1), Order: number, Contact: contact.id,
			Amount: amount, Stage: stage, UpdatedAt: now,
		}
		s.deals = append(s.deals, d)
		s.byOrder[number] = d
		res := connector.Result{Action: connector.Created, Ref: s.dealRef(d)}
		s.finish(dealsSink, number, w.IdempotencyKey, w.Version, res)
		return res, nil
	}
	res := connector.Result{Action: connector.Unchanged, Ref: s.dealRef(d)}
	if d.Contact != contact.id || d.Stage != stage || !d.Amount.Equal(amount) {
		d.Contact, d.Stage, d.Amount, d.UpdatedAt = contact.id, stage, amount, now
		res.Action = connector.Updated
	}
	s.finish(dealsSink, number, w.IdempotencyKey, w.Version, res)
	return res, nil
}

// contactOf finds the contact of an order's customer: by email, or else by a
// customer key (the party's ID or a ref ID) written to Contacts. Callers hold
// s.mu.
func (s *Sim) contactOf(op string, p canonical.PartyRef) (*contactRec, error) {
	if email := normEmail(p.Email); email != "" {
		if rec := s.byEmail[email]; rec != nil {
			return rec, nil
		}
		return nil, connector.Errorf(connector.NotFound, s.cfg.System,
			"no contact with email %s yet; sync the customer to the CRM first", email)
	}
	keys := []string{p.ID}
	for _, r := range p.Refs {
		keys = append(keys, r.ID)
	}
	for _, k := range keys {
		if rec := s.byAlias[k]; k != "" && rec != nil {
			return rec, nil
		}
	}
	return nil, s.invalid(op, "customer.email", canonical.CodeRequired, "",
		"the order's customer has no email and no key the CRM knows")
}
