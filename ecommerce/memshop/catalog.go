package memshop

import (
	"context"
	"fmt"
	"slices"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// AddProduct adds a product to the catalogue and reports it on the products
// feed, keyed by its SKU. Every SKU in the shop (products and variants) is
// unique: a SKU that is already taken is refused as Invalid, naming the SKU
// and its path ("sku" or "variants[1].sku"). A product that fails
// canonical validation is refused as Invalid with its field paths.
func (s *Shop) AddProduct(p canonical.Product) error {
	const op = "products.add"
	if err := s.call(context.Background(), op); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p = cloneProduct(p)
	if err := p.Validate(); err != nil {
		return s.fromValidation(op, "product "+p.SKU, err)
	}
	if fe := s.takenSKUs(p, ""); len(fe) > 0 {
		return s.invalid(op, "product "+p.SKU, fe)
	}
	p.Meta = canonical.Meta{Revision: 1, UpdatedAt: s.env.Stamp()}
	p.SetRef(canonical.ExternalRef{System: s.system, Type: "product", ID: p.SKU, Version: "1"})
	s.storeProduct(p)
	return nil
}

// UpdateProduct changes the product whose SKU is sku: edit receives a copy
// and changes it. The SKU cannot change; new variant SKUs must be unique in
// the shop. The product gets a new revision on the products feed, unless
// edit changed nothing. It is NotFound for an unknown SKU; an error from edit
// is returned as it is.
func (s *Shop) UpdateProduct(sku string, edit func(*canonical.Product) error) (canonical.Product, error) {
	const op = "products.update"
	if edit == nil {
		return canonical.Product{}, s.errorf(connector.Invalid, op, "no edit function for product %s", sku)
	}
	if err := s.call(context.Background(), op); err != nil {
		return canonical.Product{}, err
	}
	s.mu.Lock()
	old, ok := s.productBySKU[sku]
	s.mu.Unlock()
	if !ok {
		return canonical.Product{}, s.errorf(connector.NotFound, op, "no product with SKU %q", sku)
	}
	p := cloneProduct(old)
	if err := edit(&p); err != nil {
		return canonical.Product{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.productBySKU[sku]; cur.Revision != old.Revision {
		return canonical.Product{}, s.errorf(connector.Conflict, op, "product %s changed while it was being edited; edit it again", sku)
	}
	if p.SKU != sku {
		return canonical.Product{}, s.invalid(op, "product "+sku, []canonical.FieldError{
			fieldError("sku", "immutable", p.SKU, "cannot change from %q; add a new product instead", sku)})
	}
	if err := p.Validate(); err != nil {
		return canonical.Product{}, s.fromValidation(op, "product "+sku, err)
	}
	if fe := s.takenSKUs(p, sku); len(fe) > 0 {
		return canonical.Product{}, s.invalid(op, "product "+sku, fe)
	}
	p.Meta = old.Meta
	if same(old, p) {
		return cloneProduct(old), nil
	}
	p.Meta = cloneMeta(old.Meta)
	p.Revision++
	p.UpdatedAt = s.env.Stamp()
	p.SetRef(canonical.ExternalRef{System: s.system, Type: "product", ID: sku, Version: fmt.Sprint(p.Revision)})
	for _, v := range old.Variants {
		delete(s.catalog, v.SKU)
	}
	s.storeProduct(p)
	return cloneProduct(p), nil
}

// takenSKUs reports every SKU of p that another product (not the one whose
// SKU is self) already uses, or that p repeats.
func (s *Shop) takenSKUs(p canonical.Product, self string) []canonical.FieldError {
	var fe []canonical.FieldError
	check := func(path, sku string) {
		if owner, ok := s.catalog[sku]; ok && owner != self {
			fe = append(fe, fieldError(path, canonical.CodeDuplicate, sku, "SKU %q is already used by product %s", sku, owner))
		}
	}
	check("sku", p.SKU)
	for i, v := range p.Variants {
		if v.SKU == p.SKU {
			fe = append(fe, fieldError(fmt.Sprintf("variants[%d].sku", i), canonical.CodeDuplicate, v.SKU, "SKU %q is the product's own SKU", v.SKU))
			continue
		}
		check(fmt.Sprintf("variants[%d].sku", i), v.SKU)
	}
	return fe
}

// storeProduct records p and appends it to the feed. The caller holds s.mu.
func (s *Shop) storeProduct(p canonical.Product) {
	s.productBySKU[p.SKU] = p
	s.catalog[p.SKU] = p.SKU
	for _, v := range p.Variants {
		s.catalog[v.SKU] = p.SKU
	}
	s.products.Append(p.SKU, connector.Upsert, cloneProduct(p))
}

// Product returns the product that sells sku: the product with that SKU or
// the one with a variant of that SKU.
func (s *Shop) Product(sku string) (canonical.Product, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	owner, ok := s.catalog[sku]
	if !ok {
		return canonical.Product{}, false
	}
	return cloneProduct(s.productBySKU[owner]), true
}

// AddCustomer creates a customer account and returns its key ("cust-1",
// "cust-2", ...), which is also the ID of its ref in this shop. The email
// is stored trimmed and lower-cased. As real shops do, the shop accepts a
// second account with the same email (a guest checkout next to a registered
// account): deduplicating customers is the integration's job. A customer
// that fails canonical validation is refused as Invalid with its field
// paths.
func (s *Shop) AddCustomer(c canonical.Customer) (string, error) {
	const op = "customers.add"
	if err := s.call(context.Background(), op); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c = cloneCustomer(c)
	c.Email = normaliseEmail(c.Email)
	if err := c.Validate(); err != nil {
		return "", s.fromValidation(op, "customer", err)
	}
	s.nextCustomer++
	key := fmt.Sprintf("cust-%d", s.nextCustomer)
	c.Meta = canonical.Meta{Revision: 1, UpdatedAt: s.env.Stamp()}
	c.SetRef(canonical.ExternalRef{System: s.system, Type: "customer", ID: key, Version: "1"})
	s.customerByID[key] = c
	s.customerIDs = append(s.customerIDs, key)
	s.customers.Append(key, connector.Upsert, cloneCustomer(c))
	return key, nil
}

// UpdateCustomer changes the customer account key: edit receives a copy and
// changes it; the email is normalised again and the account validated. The
// account gets a new revision on the customers feed, unless edit changed
// nothing. It is NotFound for an unknown key; an error from edit is returned
// as it is.
func (s *Shop) UpdateCustomer(key string, edit func(*canonical.Customer) error) (canonical.Customer, error) {
	const op = "customers.update"
	if edit == nil {
		return canonical.Customer{}, s.errorf(connector.Invalid, op, "no edit function for customer %s", key)
	}
	if err := s.call(context.Background(), op); err != nil {
		return canonical.Customer{}, err
	}
	s.mu.Lock()
	old, ok := s.customerByID[key]
	s.mu.Unlock()
	if !ok {
		return canonical.Customer{}, s.errorf(connector.NotFound, op, "no customer %q", key)
	}
	c := cloneCustomer(old)
	if err := edit(&c); err != nil {
		return canonical.Customer{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.customerByID[key]; cur.Revision != old.Revision {
		return canonical.Customer{}, s.errorf(connector.Conflict, op, "customer %s changed while it was being edited; edit it again", key)
	}
	c.Email = normaliseEmail(c.Email)
	if err := c.Validate(); err != nil {
		return canonical.Customer{}, s.fromValidation(op, "customer "+key, err)
	}
	c.Meta = old.Meta
	if same(old, c) {
		return cloneCustomer(old), nil
	}
	c.Meta = cloneMeta(old.Meta)
	c.Revision++
	c.UpdatedAt = s.env.Stamp()
	c.SetRef(canonical.ExternalRef{System: s.system, Type: "customer", ID: key, Version: fmt.Sprint(c.Revision)})
	s.customerByID[key] = c
	s.customers.Append(key, connector.Upsert, cloneCustomer(c))
	return cloneCustomer(c), nil
}

// Customer returns the customer account key.
func (s *Shop) Customer(key string) (canonical.Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.customerByID[key]
	if !ok {
		return canonical.Customer{}, false
	}
	return cloneCustomer(c), true
}

// FindCustomers returns every account whose email matches email (compared
// trimmed and case-insensitively), oldest first. More than one is the
// duplicate-customer case.
func (s *Shop) FindCustomers(email string) []canonical.Customer {
	email = normaliseEmail(email)
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []canonical.Customer
	for _, id := range s.customerIDs {
		if c := s.customerByID[id]; c.Email == email {
			out = append(out, cloneCustomer(c))
		}
	}
	return slices.Clip(out)
}
