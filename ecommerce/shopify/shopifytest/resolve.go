package shopifytest

import (
	"slices"
	"strings"

	"github.com/junctionhq/junction/canonical"
)

// Resolvers turn the fake's records into GraphQL objects. Each knows the
// fields the connector reads and a few more a test may ask for; any other
// field is an "undefinedField" error, as Shopify answers for a field its
// schema lacks.

func fieldsOf(typ string, m func(name string, args map[string]any) (any, bool, error)) object {
	return object{typ: typ, get: func(name string, args map[string]any) (any, error) {
		v, ok, err := m(name, args)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errNoField
		}
		return v, nil
	}}
}

func (s *Server) moneyBag(d canonical.Decimal, currency string) object {
	m := object{typ: "MoneyV2", get: func(name string, _ map[string]any) (any, error) {
		switch name {
		case "amount":
			return money(d), nil
		case "currencyCode":
			return currency, nil
		}
		return nil, errNoField
	}}
	return object{typ: "MoneyBag", get: func(name string, _ map[string]any) (any, error) {
		switch name {
		case "shopMoney", "presentmentMoney":
			return m, nil
		}
		return nil, errNoField
	}}
}

func addressObj(a *Address) any {
	if a == nil {
		return nil
	}
	return fieldsOf("MailingAddress", func(name string, _ map[string]any) (any, bool, error) {
		v := map[string]string{
			"firstName": a.FirstName, "lastName": a.LastName, "company": a.Company,
			"address1": a.Address1, "address2": a.Address2, "city": a.City,
			"province": a.Province, "provinceCode": a.ProvinceCode, "zip": a.Zip,
			"countryCodeV2": a.Country, "phone": a.Phone,
		}
		if name == "name" {
			return strings.TrimSpace(a.FirstName + " " + a.LastName), true, nil
		}
		s, ok := v[name]
		if !ok {
			return nil, false, nil
		}
		if s == "" {
			return nil, true, nil
		}
		return s, true, nil
	})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Server) customerObj(c *customer) object {
	return fieldsOf("Customer", func(name string, args map[string]any) (any, bool, error) {
		switch name {
		case "id":
			return gid("Customer", c.id), true, nil
		case "legacyResourceId":
			return c.id, true, nil
		case "firstName":
			return nullable(c.first), true, nil
		case "lastName":
			return nullable(c.last), true, nil
		case "displayName":
			n := strings.TrimSpace(c.first + " " + c.last)
			if n == "" {
				n = c.email
			}
			return n, true, nil
		case "email":
			return nullable(c.email), true, nil
		case "phone":
			return nullable(c.phone), true, nil
		case "note":
			return nil, true, nil
		case "defaultEmailAddress":
			if c.email == "" {
				return nil, true, nil
			}
			return fieldsOf("CustomerEmailAddress", func(n string, _ map[string]any) (any, bool, error) {
				if n == "emailAddress" {
					return c.email, true, nil
				}
				return nil, false, nil
			}), true, nil
		case "defaultPhoneNumber":
			if c.phone == "" {
				return nil, true, nil
			}
			return fieldsOf("CustomerPhoneNumber", func(n string, _ map[string]any) (any, bool, error) {
				if n == "phoneNumber" {
					return c.phone, true, nil
				}
				return nil, false, nil
			}), true, nil
		case "defaultAddress":
			return addressObj(c.addr), true, nil
		case "addresses":
			if c.addr == nil {
				return []object{}, true, nil
			}
			return []object{addressObj(c.addr).(object)}, true, nil
		case "createdAt":
			return stamp(c.created), true, nil
		case "updatedAt":
			return stamp(c.updated), true, nil
		}
		return nil, false, nil
	})
}

func (s *Server) productObj(p *product) object {
	return fieldsOf("Product", func(name string, args map[string]any) (any, bool, error) {
		switch name {
		case "id":
			return gid("Product", p.id), true, nil
		case "legacyResourceId":
			return p.id, true, nil
		case "title":
			return p.title, true, nil
		case "handle":
			return p.handle, true, nil
		case "status":
			return p.status, true, nil
		case "createdAt":
			return stamp(p.created), true, nil
		case "updatedAt":
			return stamp(p.updated), true, nil
		case "variants":
			es := make([]entry, len(p.variants))
			for i, v := range p.variants {
				es[i] = entry{id: v.id, val: sortValue("ID", v.id, v.created, v.updated, ""), obj: func() object { return s.variantObj(v) }}
			}
			c, err := connection("ProductVariant", es, args)
			return c, true, err
		}
		return nil, false, nil
	})
}

func (s *Server) variantObj(v *variant) object {
	return fieldsOf("ProductVariant", func(name string, args map[string]any) (any, bool, error) {
		switch name {
		case "id":
			return gid("ProductVariant", v.id), true, nil
		case "legacyResourceId":
			return v.id, true, nil
		case "sku":
			return nullable(v.sku), true, nil
		case "title":
			return v.title, true, nil
		case "displayName":
			return v.product.title + " - " + v.title, true, nil
		case "barcode":
			return nullable(v.barcode), true, nil
		case "price":
			return money(v.price), true, nil
		case "product":
			return s.productObj(v.product), true, nil
		case "inventoryItem":
			return s.itemObj(v.item), true, nil
		case "createdAt":
			return stamp(v.created), true, nil
		case "updatedAt":
			return stamp(v.updated), true, nil
		}
		return nil, false, nil
	})
}

func (s *Server) itemObj(it *invItem) object {
	return fieldsOf("InventoryItem", func(name string, args map[string]any) (any, bool, error) {
		switch name {
		case "id":
			return gid("InventoryItem", it.id), true, nil
		case "legacyResourceId":
			return it.id, true, nil
		case "sku":
			return nullable(it.variant.sku), true, nil
		case "tracked":
			return true, true, nil
		case "variant":
			return s.variantObj(it.variant), true, nil
		case "updatedAt":
			return stamp(it.updated), true, nil
		case "inventoryLevel":
			lid, ok := parseGID("Location", str(args["locationId"]))
			if !ok {
				return nil, true, &gqlError{Message: "Invalid global id '" + str(args["locationId"]) + "'", Extensions: map[string]any{"code": "argumentLiteralsIncompatible"}}
			}
			lv := it.levels[lid]
			if lv == nil {
				return nil, true, nil
			}
			return s.levelObj(it, lid, lv), true, nil
		}
		return nil, false, nil
	})
}

func (s *Server) levelObj(it *invItem, locID int64, lv *level) object {
	return fieldsOf("InventoryLevel", func(name string, args map[string]any) (any, bool, error) {
		switch name {
		case "id":
			return gid("InventoryLevel", lv.id) + "?inventory_item_id=" + itoa(it.id), true, nil
		case "updatedAt":
			return stamp(lv.updated), true, nil
		case "item":
			return s.itemObj(it), true, nil
		case "location":
			return s.locationObj(s.locationByID(locID)), true, nil
		case "quantities":
			var out []object
			names, _ := args["names"].([]any)
			for _, n := range names {
				qn := str(n)
				var q int
				switch qn {
				case "available":
					q = lv.available
				case "on_hand":
					q = lv.onHand
				case "committed", "reserved", "incoming", "damaged", "safety_stock", "quality_control":
					q = 0
				default:
					return nil, true, &gqlError{Message: "Invalid quantity name: " + qn}
				}
				out = append(out, fieldsOf("InventoryQuantity", func(f string, _ map[string]any) (any, bool, error) {
					switch f {
					case "name":
						return qn, true, nil
					case "quantity":
						return q, true, nil
					case "updatedAt":
						return stamp(lv.updated), true, nil
					}
					return nil, false, nil
				}))
			}
			return out, true, nil
		}
		return nil, false, nil
	})
}

func (s *Server) locationObj(l *shopLocation) any {
	if l == nil {
		return nil
	}
	return fieldsOf("Location", func(name string, _ map[string]any) (any, bool, error) {
		switch name {
		case "id":
			return gid("Location", l.id), true, nil
		case "legacyResourceId":
			return l.id, true, nil
		case "name":
			return l.name, true, nil
		case "isActive":
			return true, true, nil
		}
		return nil, false, nil
	})
}

func (s *Server) txnObj(o *order, t *txn) object {
	return fieldsOf("OrderTransaction", func(name string, _ map[string]any) (any, bool, error) {
		switch name {
		case "id":
			return gid("OrderTransaction", t.id), true, nil
		case "kind":
			return t.kind, true, nil
		case "status":
			return t.status, true, nil
		case "gateway":
			return nullable(t.gateway), true, nil
		case "amountSet":
			return s.moneyBag(t.amount, o.currency), true, nil
		case "parentTransaction":
			if t.parent == nil {
				return nil, true, nil
			}
			return s.txnObj(o, t.parent), true, nil
		case "createdAt", "processedAt":
			return stamp(t.created), true, nil
		}
		return nil, false, nil
	})
}

func (s *Server) lineObj(o *order, l *lineItem) object {
	return fieldsOf("LineItem", func(name string, _ map[string]any) (any, bool, error) {
		switch name {
		case "id":
			return gid("LineItem", l.id), true, nil
		case "sku":
			return nullable(l.sku), true, nil
		case "title", "name":
			return l.title, true, nil
		case "quantity":
			return l.quantity, true, nil
		case "currentQuantity":
			return l.current, true, nil
		case "unfulfilledQuantity":
			return l.unfulfilled(o), true, nil
		case "originalUnitPriceSet":
			return s.moneyBag(l.unit, o.currency), true, nil
		case "totalDiscountSet":
			return s.moneyBag(mul(l.discUnit, l.current), o.currency), true, nil
		case "discountedTotalSet":
			return s.moneyBag(mul(sub(l.unit, l.discUnit), l.current), o.currency), true, nil
		case "variant":
			if l.variant == nil {
				return nil, true, nil
			}
			return s.variantObj(l.variant), true, nil
		case "product":
			if l.variant == nil {
				return nil, true, nil
			}
			return s.productObj(l.variant.product), true, nil
		}
		return nil, false, nil
	})
}

func (s *Server) refundObj(r *refund) object {
	o := r.order
	return fieldsOf("Refund", func(name string, args map[string]any) (any, bool, error) {
		switch name {
		case "id":
			return gid("Refund", r.id), true, nil
		case "legacyResourceId":
			return r.id, true, nil
		case "note":
			return nullable(r.note), true, nil
		case "createdAt":
			return stamp(r.created), true, nil
		case "updatedAt":
			return stamp(r.updated), true, nil
		case "order":
			return s.orderObj(o), true, nil
		case "totalRefundedSet":
			return s.moneyBag(r.total, o.currency), true, nil
		case "refundLineItems":
			es := make([]entry, len(r.lines))
			for i, rl := range r.lines {
				es[i] = entry{id: int64(i + 1), val: sortValue("ID", int64(i+1), r.created, r.updated, ""), obj: func() object {
					return fieldsOf("RefundLineItem", func(n string, _ map[string]any) (any, bool, error) {
						switch n {
						case "lineItem":
							return s.lineObj(o, rl.li), true, nil
						case "quantity":
							return rl.qty, true, nil
						case "restockType":
							return rl.restock, true, nil
						case "subtotalSet":
							return s.moneyBag(rl.subtotal, o.currency), true, nil
						case "totalTaxSet":
							return s.moneyBag(rl.tax, o.currency), true, nil
						case "priceSet":
							return s.moneyBag(rl.li.unit, o.currency), true, nil
						}
						return nil, false, nil
					})
				}}
			}
			c, err := connection("RefundLineItem", es, args)
			return c, true, err
		case "transactions":
			es := make([]entry, len(r.txns))
			for i, t := range r.txns {
				es[i] = entry{id: t.id, val: sortValue("ID", t.id, t.created, t.created, ""), obj: func() object { return s.txnObj(o, t) }}
			}
			c, err := connection("OrderTransaction", es, args)
			return c, true, err
		}
		return nil, false, nil
	})
}

func limitList[T any](xs []T, args map[string]any) ([]T, error) {
	if v, ok := args["first"]; ok && v != nil {
		n, err := toInt(v)
		if err != nil || n < 0 || n > maxPage {
			return nil, &gqlError{Message: "The first argument must be between 0 and 250", Extensions: map[string]any{"code": "BAD_REQUEST"}}
		}
		if len(xs) > n {
			xs = xs[:n]
		}
	}
	return xs, nil
}

func (s *Server) fulfillmentObj(f *fulfillment) object {
	o := f.order
	return fieldsOf("Fulfillment", func(name string, args map[string]any) (any, bool, error) {
		switch name {
		case "id":
			return gid("Fulfillment", f.id), true, nil
		case "legacyResourceId":
			return f.id, true, nil
		case "name":
			for i, x := range o.fulfillments {
				if x == f {
					return o.name + "-F" + itoa(int64(i+1)), true, nil
				}
			}
			return o.name, true, nil
		case "status":
			return f.status, true, nil
		case "createdAt":
			return stamp(f.created), true, nil
		case "updatedAt":
			return stamp(f.updated), true, nil
		case "totalQuantity":
			n := 0
			for _, l := range f.lines {
				n += l.qty
			}
			return n, true, nil
		case "order":
			return s.orderObj(o), true, nil
		case "trackingInfo":
			ts, err := limitList(f.tracking, args)
			if err != nil {
				return nil, true, err
			}
			out := make([]object, len(ts))
			for i, t := range ts {
				out[i] = fieldsOf("FulfillmentTrackingInfo", func(n string, _ map[string]any) (any, bool, error) {
					switch n {
					case "company":
						return nullable(t.Company), true, nil
					case "number":
						return nullable(t.Number), true, nil
					case "url":
						return nullable(t.URL), true, nil
					}
					return nil, false, nil
				})
			}
			return out, true, nil
		case "fulfillmentLineItems":
			es := make([]entry, len(f.lines))
			for i, fl := range f.lines {
				es[i] = entry{id: int64(i + 1), val: sortValue("ID", int64(i+1), f.created, f.created, ""), obj: func() object {
					return fieldsOf("FulfillmentLineItem", func(n string, _ map[string]any) (any, bool, error) {
						switch n {
						case "quantity":
							return fl.qty, true, nil
						case "lineItem":
							return s.lineObj(o, fl.li), true, nil
						}
						return nil, false, nil
					})
				}}
			}
			c, err := connection("FulfillmentLineItem", es, args)
			return c, true, err
		}
		return nil, false, nil
	})
}

func (s *Server) fulfillmentOrderObj(o *order) object {
	return fieldsOf("FulfillmentOrder", func(name string, args map[string]any) (any, bool, error) {
		switch name {
		case "id":
			return gid("FulfillmentOrder", o.foID), true, nil
		case "status":
			return o.foStatus(), true, nil
		case "createdAt":
			return stamp(o.created), true, nil
		case "updatedAt":
			return stamp(o.updated), true, nil
		case "orderId":
			return gid("Order", o.id), true, nil
		case "lineItems":
			es := make([]entry, 0, len(o.lines))
			for _, l := range o.lines {
				es = append(es, entry{id: l.foLineID, val: sortValue("ID", l.foLineID, o.created, o.updated, ""), obj: func() object {
					return fieldsOf("FulfillmentOrderLineItem", func(n string, _ map[string]any) (any, bool, error) {
						switch n {
						case "id":
							return gid("FulfillmentOrderLineItem", l.foLineID), true, nil
						case "totalQuantity":
							return l.current, true, nil
						case "remainingQuantity":
							return l.remaining(o), true, nil
						case "sku":
							return nullable(l.sku), true, nil
						case "lineItem":
							return s.lineObj(o, l), true, nil
						}
						return nil, false, nil
					})
				}})
			}
			c, err := connection("FulfillmentOrderLineItem", es, args)
			return c, true, err
		}
		return nil, false, nil
	})
}

func (s *Server) orderObj(o *order) object {
	return fieldsOf("Order", func(name string, args map[string]any) (any, bool, error) {
		cur := o.currency
		switch name {
		case "id":
			return gid("Order", o.id), true, nil
		case "legacyResourceId":
			return o.id, true, nil
		case "name":
			return o.name, true, nil
		case "email":
			return nullable(o.email), true, nil
		case "note":
			return nullable(o.note), true, nil
		case "createdAt", "processedAt":
			return stamp(o.created), true, nil
		case "updatedAt":
			return stamp(o.updated), true, nil
		case "cancelledAt":
			if !o.cancelled() {
				return nil, true, nil
			}
			return stamp(o.cancelledAt), true, nil
		case "cancelReason":
			if !o.cancelled() {
				return nil, true, nil
			}
			return o.cancelReason, true, nil
		case "closed":
			return false, true, nil
		case "closedAt":
			return nil, true, nil
		case "currencyCode":
			return cur, true, nil
		case "taxesIncluded":
			return o.taxesIncluded, true, nil
		case "displayFinancialStatus":
			return o.financialStatus(), true, nil
		case "displayFulfillmentStatus":
			return o.fulfillmentStatus(), true, nil
		case "customer":
			if o.customer == nil {
				return nil, true, nil
			}
			return s.customerObj(o.customer), true, nil
		case "shippingAddress":
			return addressObj(o.shipTo), true, nil
		case "billingAddress":
			return addressObj(o.billTo), true, nil
		case "currentSubtotalPriceSet", "subtotalPriceSet":
			return s.moneyBag(o.subtotal(), cur), true, nil
		case "currentTotalPriceSet", "totalPriceSet":
			return s.moneyBag(o.total(), cur), true, nil
		case "currentTotalTaxSet", "totalTaxSet":
			return s.moneyBag(o.tax(), cur), true, nil
		case "currentShippingPriceSet", "totalShippingPriceSet":
			return s.moneyBag(o.shipping, cur), true, nil
		case "currentTotalDiscountsSet", "totalDiscountsSet":
			return s.moneyBag(o.discounts(), cur), true, nil
		case "totalRefundedSet":
			return s.moneyBag(o.refunded(), cur), true, nil
		case "lineItems":
			es := make([]entry, len(o.lines))
			for i, l := range o.lines {
				es[i] = entry{id: l.id, val: sortValue("ID", l.id, o.created, o.updated, ""), obj: func() object { return s.lineObj(o, l) }}
			}
			c, err := connection("LineItem", es, args)
			return c, true, err
		case "transactions":
			ts, err := limitList(o.txns, args)
			if err != nil {
				return nil, true, err
			}
			out := make([]object, len(ts))
			for i, t := range ts {
				out[i] = s.txnObj(o, t)
			}
			return out, true, nil
		case "refunds":
			rs, err := limitList(o.refunds, args)
			if err != nil {
				return nil, true, err
			}
			out := make([]object, len(rs))
			for i, r := range rs {
				out[i] = s.refundObj(r)
			}
			return out, true, nil
		case "fulfillments":
			fs, err := limitList(o.fulfillments, args)
			if err != nil {
				return nil, true, err
			}
			out := make([]object, len(fs))
			for i, f := range fs {
				out[i] = s.fulfillmentObj(f)
			}
			return out, true, nil
		case "fulfillmentOrders":
			es := []entry{{id: o.foID, val: sortValue("ID", o.foID, o.created, o.updated, ""), obj: func() object { return s.fulfillmentOrderObj(o) }}}
			c, err := connection("FulfillmentOrder", es, args)
			return c, true, err
		case "metafield":
			v, ok := o.metafields[str(args["namespace"])+"."+str(args["key"])]
			if !ok {
				return nil, true, nil
			}
			ns, key := str(args["namespace"]), str(args["key"])
			return metafieldObj(ns, key, v), true, nil
		}
		return nil, false, nil
	})
}

func metafieldObj(ns, key, value string) object {
	return fieldsOf("Metafield", func(n string, _ map[string]any) (any, bool, error) {
		switch n {
		case "namespace":
			return ns, true, nil
		case "key":
			return key, true, nil
		case "value":
			return value, true, nil
		case "type":
			return "json", true, nil
		}
		return nil, false, nil
	})
}

// ---- root fields ----

func (s *Server) queryRoot() object {
	return fieldsOf("QueryRoot", func(name string, args map[string]any) (any, bool, error) {
		switch name {
		case "shop":
			return fieldsOf("Shop", func(n string, _ map[string]any) (any, bool, error) {
				switch n {
				case "name":
					return s.opts.ShopName, true, nil
				case "myshopifyDomain":
					return s.Domain, true, nil
				case "currencyCode":
					return s.opts.Currency, true, nil
				case "id":
					return gid("Shop", 1), true, nil
				}
				return nil, false, nil
			}), true, nil
		case "orders":
			c, err := s.listOrders(args)
			return c, true, err
		case "order":
			id, ok := parseGID("Order", str(args["id"]))
			if !ok {
				return nil, true, nil
			}
			if o := s.orderByID[id]; o != nil {
				return s.orderObj(o), true, nil
			}
			return nil, true, nil
		case "refund":
			id, ok := parseGID("Refund", str(args["id"]))
			if !ok {
				return nil, true, nil
			}
			for _, o := range s.orders {
				for _, r := range o.refunds {
					if r.id == id {
						return s.refundObj(r), true, nil
					}
				}
			}
			return nil, true, nil
		case "customers":
			c, err := s.listCustomers(args)
			return c, true, err
		case "customer":
			id, _ := parseGID("Customer", str(args["id"]))
			for _, c := range s.customers {
				if c.id == id {
					return s.customerObj(c), true, nil
				}
			}
			return nil, true, nil
		case "products":
			c, err := s.listProducts(args)
			return c, true, err
		case "productVariants":
			c, err := s.listVariants(args)
			return c, true, err
		case "locations":
			es := make([]entry, len(s.locations))
			for i, l := range s.locations {
				es[i] = entry{id: l.id, val: sortValue("ID", l.id, s.started, s.started, l.name), obj: func() object { return s.locationObj(l).(object) }}
			}
			c, err := connection("Location", es, args)
			return c, true, err
		}
		return nil, false, nil
	})
}

func sortKey(args map[string]any) string {
	if k := str(args["sortKey"]); k != "" {
		return k
	}
	return "ID"
}

func (s *Server) listOrders(args map[string]any) (any, error) {
	key := sortKey(args)
	terms := parseQuery(str(args["query"]))
	var es []entry
	for _, o := range s.orders {
		if !matchOrder(o, terms) {
			continue
		}
		es = append(es, entry{id: o.id, val: sortValue(key, o.id, o.created, o.updated, o.name), obj: func() object { return s.orderObj(o) }})
	}
	slices.SortFunc(es, func(a, b entry) int {
		if before(a, b) {
			return -1
		}
		return 1
	})
	return connection("Order", es, args)
}

func matchOrder(o *order, terms []term) bool {
	for _, t := range terms {
		switch t.field {
		case "updated_at":
			if !matchTime(t, o.updated) {
				return false
			}
		case "created_at", "processed_at":
			if !matchTime(t, o.created) {
				return false
			}
		case "name":
			if !strings.EqualFold(strings.TrimPrefix(o.name, "#"), strings.TrimPrefix(t.value, "#")) {
				return false
			}
		case "id":
			if !matchInt(t, o.id) {
				return false
			}
		case "email":
			if !strings.EqualFold(o.email, t.value) {
				return false
			}
		}
	}
	return true
}

func (s *Server) listCustomers(args map[string]any) (any, error) {
	key := sortKey(args)
	terms := parseQuery(str(args["query"]))
	var es []entry
	for _, c := range s.customers {
		ok := true
		for _, t := range terms {
			switch t.field {
			case "updated_at":
				ok = ok && matchTime(t, c.updated)
			case "created_at":
				ok = ok && matchTime(t, c.created)
			case "email":
				ok = ok && strings.EqualFold(c.email, t.value)
			case "id":
				ok = ok && matchInt(t, c.id)
			}
		}
		if ok {
			es = append(es, entry{id: c.id, val: sortValue(key, c.id, c.created, c.updated, c.last), obj: func() object { return s.customerObj(c) }})
		}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if before(a, b) {
			return -1
		}
		return 1
	})
	return connection("Customer", es, args)
}

func (s *Server) listProducts(args map[string]any) (any, error) {
	key := sortKey(args)
	terms := parseQuery(str(args["query"]))
	var es []entry
	for _, p := range s.products {
		ok := true
		for _, t := range terms {
			switch t.field {
			case "updated_at":
				ok = ok && matchTime(t, p.updated)
			case "created_at":
				ok = ok && matchTime(t, p.created)
			case "sku":
				ok = ok && slices.ContainsFunc(p.variants, func(v *variant) bool { return v.sku == t.value })
			case "id":
				ok = ok && matchInt(t, p.id)
			}
		}
		if ok {
			es = append(es, entry{id: p.id, val: sortValue(key, p.id, p.created, p.updated, p.title), obj: func() object { return s.productObj(p) }})
		}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if before(a, b) {
			return -1
		}
		return 1
	})
	return connection("Product", es, args)
}

func (s *Server) listVariants(args map[string]any) (any, error) {
	terms := parseQuery(str(args["query"]))
	var es []entry
	for _, p := range s.products {
		for _, v := range p.variants {
			ok := true
			for _, t := range terms {
				switch t.field {
				case "sku":
					ok = ok && v.sku == t.value
				case "updated_at":
					ok = ok && matchTime(t, v.updated)
				case "id":
					ok = ok && matchInt(t, v.id)
				}
			}
			if ok {
				es = append(es, entry{id: v.id, val: sortValue("ID", v.id, v.created, v.updated, ""), obj: func() object { return s.variantObj(v) }})
			}
		}
	}
	slices.SortFunc(es, func(a, b entry) int {
		if before(a, b) {
			return -1
		}
		return 1
	})
	return connection("ProductVariant", es, args)
}
