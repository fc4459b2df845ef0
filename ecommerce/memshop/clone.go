package memshop

import (
	"maps"
	"slices"

	"github.com/junctionhq/junction/canonical"
)

// The shop treats every stored record as immutable: a change clones the
// record, edits the clone and stores it, so the values already appended to a
// feed or handed to a caller never change underneath them. These functions
// copy every slice, map and pointer a record holds.

func cloneMeta(m canonical.Meta) canonical.Meta {
	m.Refs = slices.Clone(m.Refs)
	return m
}

func cloneAddress(a canonical.Address) canonical.Address {
	a.Lines = slices.Clone(a.Lines)
	return a
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneCharges(cs []canonical.AllowanceCharge) []canonical.AllowanceCharge {
	cs = slices.Clone(cs)
	for i := range cs {
		cs[i].Percent = clonePtr(cs[i].Percent)
	}
	return cs
}

func cloneHolds(hs []canonical.Hold) []canonical.Hold {
	hs = slices.Clone(hs)
	for i := range hs {
		hs[i].Blocks = slices.Clone(hs[i].Blocks)
		hs[i].ReleasedAt = clonePtr(hs[i].ReleasedAt)
	}
	return hs
}

func cloneOrder(o canonical.SalesOrder) canonical.SalesOrder {
	o.Meta = cloneMeta(o.Meta)
	o.Customer.Refs = slices.Clone(o.Customer.Refs)
	o.BillTo = cloneAddress(o.BillTo)
	o.ShipTo = cloneAddress(o.ShipTo)
	o.Holds = cloneHolds(o.Holds)
	o.Lines = slices.Clone(o.Lines)
	for i := range o.Lines {
		o.Lines[i].Discounts = cloneCharges(o.Lines[i].Discounts)
		o.Lines[i].Taxes = slices.Clone(o.Lines[i].Taxes)
	}
	o.Charges = cloneCharges(o.Charges)
	o.Taxes = slices.Clone(o.Taxes)
	o.Payments = slices.Clone(o.Payments)
	return o
}

func cloneShipment(s canonical.Shipment) canonical.Shipment {
	s.Meta = cloneMeta(s.Meta)
	s.ShipTo = cloneAddress(s.ShipTo)
	s.Lines = slices.Clone(s.Lines)
	if s.Label != nil {
		l := *s.Label
		l.Cost = clonePtr(l.Cost)
		s.Label = &l
	}
	s.Weight = clonePtr(s.Weight)
	s.Events = slices.Clone(s.Events)
	s.Problems = slices.Clone(s.Problems)
	return s
}

func cloneCustomer(c canonical.Customer) canonical.Customer {
	c.Meta = cloneMeta(c.Meta)
	c.Addresses = slices.Clone(c.Addresses)
	for i := range c.Addresses {
		c.Addresses[i] = cloneAddress(c.Addresses[i])
	}
	c.Contacts = slices.Clone(c.Contacts)
	for i := range c.Contacts {
		c.Contacts[i].Meta = cloneMeta(c.Contacts[i].Meta)
	}
	c.TaxIDs = slices.Clone(c.TaxIDs)
	c.CreditLimit = clonePtr(c.CreditLimit)
	c.Balance = clonePtr(c.Balance)
	return c
}

func cloneProduct(p canonical.Product) canonical.Product {
	p.Meta = cloneMeta(p.Meta)
	p.Conversions = slices.Clone(p.Conversions)
	p.Variants = slices.Clone(p.Variants)
	for i := range p.Variants {
		v := &p.Variants[i]
		v.Meta = cloneMeta(v.Meta)
		v.Options = maps.Clone(v.Options)
		v.Price = clonePtr(v.Price)
		v.Weight = clonePtr(v.Weight)
	}
	p.Weight = clonePtr(p.Weight)
	return p
}

func cloneRefund(r canonical.Refund) canonical.Refund {
	r.Meta = cloneMeta(r.Meta)
	r.Lines = slices.Clone(r.Lines)
	r.Shipping = clonePtr(r.Shipping)
	r.Transactions = slices.Clone(r.Transactions)
	return r
}
