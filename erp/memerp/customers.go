package memerp

import (
	"context"
	"fmt"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/sim"
)

// customerSink is the Customers sink.
type customerSink struct{ e *ERP }

// Apply creates or updates a customer account.
//
// The account is found by Write.Target (this ERP's account number), else by
// the caller's key of an earlier write; otherwise a new account is opened
// with the next number ("C-000001"), the configured default credit limit,
// credit status ok and a zero balance. The ERP owns the credit fields
// (CreditLimit, Balance, CreditStatus): a write never changes them; use
// SetCreditLimit and SetCreditStatus. An account's currency is fixed when it
// is opened (Config.Currency if the customer names none). A Delete is
// Unsupported: accounts are blocked, not deleted.
func (s customerSink) Apply(ctx context.Context, w connector.Write[canonical.Customer]) (connector.Result, error) {
	const op = "customers.apply"
	e := s.e
	if err := e.call(ctx, op); err != nil {
		return connector.Result{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if r, ok := e.customerSink.replay(w.IdempotencyKey); ok {
		return r, nil
	}
	var c *canonical.Customer
	if t := w.Target; t != nil && t.System == e.cfg.System && t.ID != "" {
		if c = e.customers[t.ID]; c == nil {
			return connector.Result{}, e.errorf(connector.NotFound, op, "no customer %s", t.ID)
		}
	} else if n, ok := e.customerKeys[w.Key]; ok && w.Key != "" {
		c = e.customers[n]
	}
	if e.customerSink.stale(w.Key, w.Version) {
		res := connector.Result{Action: connector.Stale}
		if c != nil {
			res.Ref = e.ref(c.Number)
		}
		return res, nil
	}
	if w.Op == connector.Delete {
		return connector.Result{}, e.errorf(connector.Unsupported, op, "customer accounts cannot be deleted; block them with SetCreditStatus")
	}
	in := clone(w.Entity)
	var res connector.Result
	var err error
	if c == nil {
		res, err = e.openAccount(op, in)
	} else {
		res, err = e.updateAccount(op, c, in)
	}
	if err != nil {
		return connector.Result{}, err
	}
	if w.Key != "" {
		e.customerKeys[w.Key] = res.Ref.ID
	}
	record(&e.customerSink, w, res)
	return res, nil
}

// openAccount creates an account from a customer.
func (e *ERP) openAccount(op string, in canonical.Customer) (connector.Result, error) {
	number := sim.Seq("C", e.customerCount+1)
	c := in
	c.Number = number
	if c.Currency == "" {
		c.Currency = e.cfg.Currency
	}
	c.CreditLimit = nil
	if e.cfg.CreditLimit != nil {
		c.CreditLimit = &canonical.Money{Amount: *e.cfg.CreditLimit, Currency: c.Currency}
	}
	zero := canonical.Zero(c.Currency)
	c.Balance = &zero
	c.CreditStatus = canonical.CreditOK
	if c.PaymentTerms == "" {
		c.PaymentTerms = fmt.Sprintf("NET%d", e.cfg.PaymentDays)
	}
	c.SetRef(e.ref(number))
	c.Revision = 0
	if err := c.Validate(); err != nil {
		return connector.Result{}, e.validation(op, "customer", err)
	}
	e.customerCount++
	e.customers[number] = &c
	e.touchCustomer(&c)
	return connector.Result{Action: connector.Created, Ref: e.ref(number)}, nil
}

// updateAccount replaces an account's master data: names, contact details,
// addresses, contacts, tax IDs, payment terms and refs in other systems.
func (e *ERP) updateAccount(op string, c *canonical.Customer, in canonical.Customer) (connector.Result, error) {
	ref := e.ref(c.Number)
	if in.Currency != "" && in.Currency != c.Currency {
		return connector.Result{}, e.errorf(connector.BusinessRule, op,
			"customer %s trades in %s; its currency cannot change to %s", c.Number, c.Currency, in.Currency)
	}
	next := clone(*c)
	next.Name, next.LegalName, next.Email, next.Phone = in.Name, in.LegalName, in.Email, in.Phone
	next.Addresses, next.Contacts, next.TaxIDs = in.Addresses, in.Contacts, in.TaxIDs
	if in.ID != "" {
		next.ID = in.ID
	}
	if in.PaymentTerms != "" {
		next.PaymentTerms = in.PaymentTerms
	}
	for _, r := range in.Refs {
		if r.System != e.cfg.System {
			next.SetRef(r)
		}
	}
	if err := next.Validate(); err != nil {
		return connector.Result{}, e.validation(op, "customer", err)
	}
	if equal(next, *c) {
		return connector.Result{Action: connector.Unchanged, Ref: ref}, nil
	}
	*c = next
	e.touchCustomer(c)
	return connector.Result{Action: connector.Updated, Ref: ref}, nil
}

// touchCustomer bumps an account's revision and appends it to the
// CustomerChanges log.
func (e *ERP) touchCustomer(c *canonical.Customer) {
	c.Revision++
	c.UpdatedAt = e.env.Clock.Now()
	e.customerLog.Append(c.Number, connector.Upsert, clone(*c))
}

// SetCreditStatus puts an account on credit hold, blocks it, or releases it
// (canonical.CreditOK). Orders of an account on hold or blocked are refused
// and not released to the warehouse.
func (e *ERP) SetCreditStatus(ctx context.Context, number string, s canonical.CreditStatus) error {
	const op = "customers.setCreditStatus"
	if err := e.call(ctx, op); err != nil {
		return err
	}
	switch s {
	case canonical.CreditOK, canonical.CreditHold, canonical.CreditBlocked:
	default:
		return e.invalidField(op, "creditStatus", "oneof", string(s), "must be one of: ok hold blocked")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.customers[number]
	if !ok {
		return e.errorf(connector.NotFound, op, "no customer %s", number)
	}
	if c.CreditStatus == s {
		return nil
	}
	c.CreditStatus = s
	e.touchCustomer(c)
	return nil
}

// SetCreditLimit sets an account's credit limit, in the account's currency;
// nil removes the limit.
func (e *ERP) SetCreditLimit(ctx context.Context, number string, limit *canonical.Money) error {
	const op = "customers.setCreditLimit"
	if err := e.call(ctx, op); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.customers[number]
	if !ok {
		return e.errorf(connector.NotFound, op, "no customer %s", number)
	}
	if limit != nil {
		if limit.Currency != c.Currency {
			return e.invalidField(op, "creditLimit.currency", canonical.CodeCurrencyMismatch, string(limit.Currency),
				fmt.Sprintf("is %s, but customer %s trades in %s", limit.Currency, number, c.Currency))
		}
		if limit.Amount.IsNeg() {
			return e.invalidField(op, "creditLimit.amount", canonical.CodeNegative, limit.Amount.String(), "must not be negative")
		}
		l := *limit
		limit = &l
	}
	if equal(c.CreditLimit, limit) {
		return nil
	}
	c.CreditLimit = limit
	e.touchCustomer(c)
	return nil
}

// Customer returns the account with the given number.
func (e *ERP) Customer(number string) (canonical.Customer, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.customers[number]
	if !ok {
		return canonical.Customer{}, false
	}
	return clone(*c), true
}
