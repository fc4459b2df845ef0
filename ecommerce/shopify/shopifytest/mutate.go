package shopifytest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
)

// userError is one entry of a mutation payload's userErrors.
type userError struct {
	field []string
	msg   string
	code  string
}

func userErrorsObj(typ string, errs []userError) []object {
	out := make([]object, len(errs))
	for i, e := range errs {
		out[i] = fieldsOf(typ, func(n string, _ map[string]any) (any, bool, error) {
			switch n {
			case "field":
				if e.field == nil {
					return nil, true, nil
				}
				return e.field, true, nil
			case "message":
				return e.msg, true, nil
			case "code":
				if e.code == "" {
					return nil, true, nil
				}
				return e.code, true, nil
			}
			return nil, false, nil
		})
	}
	return out
}

// payload builds a mutation payload: the named result field, or userErrors.
func payload(typ, resultField string, result any, errTyp string, errs []userError) object {
	return fieldsOf(typ, func(n string, _ map[string]any) (any, bool, error) {
		switch n {
		case resultField:
			if len(errs) > 0 {
				return nil, true, nil
			}
			return result, true, nil
		case "userErrors":
			return userErrorsObj(errTyp, errs), true, nil
		}
		return nil, false, nil
	})
}

func (s *Server) mutationRoot(version string) object {
	return fieldsOf("Mutation", func(name string, args map[string]any) (any, bool, error) {
		switch name {
		case "inventorySetQuantities":
			in, _ := args["input"].(map[string]any)
			return s.inventorySetQuantities(in, version), true, nil
		case "fulfillmentCreate":
			in, _ := args["fulfillment"].(map[string]any)
			return s.fulfillmentCreate(in), true, nil
		case "fulfillmentTrackingInfoUpdate":
			in, _ := args["trackingInfoInput"].(map[string]any)
			return s.fulfillmentTrackingInfoUpdate(str(args["fulfillmentId"]), in), true, nil
		case "fulfillmentCancel":
			return s.fulfillmentCancel(str(args["id"])), true, nil
		case "metafieldsSet":
			list, _ := args["metafields"].([]any)
			return s.metafieldsSet(list), true, nil
		}
		return nil, false, nil
	})
}

// inventoryReasons are the reasons Shopify accepts for a quantity change.
var inventoryReasons = []string{
	"correction", "cycle_count_available", "damaged", "movement_created", "movement_updated",
	"movement_received", "movement_canceled", "other", "promotion", "quality_control",
	"received", "reservation_created", "reservation_deleted", "reservation_updated",
	"restock", "safety_stock", "shrinkage",
}

// usesChangeFrom reports whether a version names the compare field
// changeFromQuantity (2026-04 and later) instead of compareQuantity.
func usesChangeFrom(version string) bool { return version == "unstable" || version >= "2026-04" }

func (s *Server) inventorySetQuantities(in map[string]any, version string) object {
	var errs []userError
	name := str(in["name"])
	if name != "available" && name != "on_hand" {
		errs = append(errs, userError{[]string{"input", "name"}, "The quantity name must be either 'available' or 'on_hand'.", "INVALID_NAME"})
	}
	reason := str(in["reason"])
	if !slices.Contains(inventoryReasons, reason) {
		errs = append(errs, userError{[]string{"input", "reason"}, "The specified reason is invalid.", "INVALID_REASON"})
	}
	ignore, _ := in["ignoreCompareQuantity"].(bool)
	compareField, staleCode := "compareQuantity", "COMPARE_QUANTITY_STALE"
	if usesChangeFrom(version) {
		compareField, staleCode = "changeFromQuantity", "CHANGE_FROM_QUANTITY_STALE"
	}
	qs, _ := in["quantities"].([]any)
	if len(qs) > maxPage {
		errs = append(errs, userError{[]string{"input", "quantities"}, "The input array size of 251 is greater than the maximum allowed of 250.", "INVALID_QUANTITY_TOO_HIGH"})
	}
	type change struct {
		it  *invItem
		lv  *level
		loc int64
		q   int
	}
	var changes []change
	seen := map[[2]int64]bool{}
	for i, raw := range qs {
		q, _ := raw.(map[string]any)
		path := func(f string) []string { return []string{"input", "quantities", strconv.Itoa(i), f} }
		itemID, ok1 := parseGID("InventoryItem", str(q["inventoryItemId"]))
		it := s.items[itemID]
		if !ok1 || it == nil {
			errs = append(errs, userError{path("inventoryItemId"), "The specified inventory item could not be found.", "INVALID_INVENTORY_ITEM"})
			continue
		}
		locID, ok2 := parseGID("Location", str(q["locationId"]))
		if !ok2 || s.locationByID(locID) == nil {
			errs = append(errs, userError{path("locationId"), "The specified location could not be found.", "INVALID_LOCATION"})
			continue
		}
		if seen[[2]int64{itemID, locID}] {
			errs = append(errs, userError{path("inventoryItemId"), "The combination of inventoryItemId and locationId must be unique.", "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR"})
			continue
		}
		seen[[2]int64{itemID, locID}] = true
		lv := it.levels[locID]
		if lv == nil {
			errs = append(errs, userError{path("locationId"), "The specified inventory item is not stocked at the location.", "ITEM_NOT_STOCKED_AT_LOCATION"})
			continue
		}
		n, err := toInt(q["quantity"])
		if err != nil {
			errs = append(errs, userError{path("quantity"), "The quantity must be an integer.", "INVALID_QUANTITY_TOO_LOW"})
			continue
		}
		if n > 1_000_000_000 {
			errs = append(errs, userError{path("quantity"), "The quantity can't be higher than 1,000,000,000.", "INVALID_QUANTITY_TOO_HIGH"})
			continue
		}
		if name == "on_hand" && n < 0 {
			errs = append(errs, userError{path("quantity"), "The quantity can't be negative.", "INVALID_QUANTITY_NEGATIVE"})
			continue
		}
		current := lv.available
		if name == "on_hand" {
			current = lv.onHand
		}
		cmpRaw, present := q[compareField]
		switch {
		case usesChangeFrom(version) && !present:
			errs = append(errs, userError{path(compareField), "The changeFromQuantity field is required; pass null to skip the check.", "CHANGE_FROM_QUANTITY_REQUIRED"})
			continue
		case !usesChangeFrom(version) && ignore:
		case cmpRaw == nil && !usesChangeFrom(version):
			errs = append(errs, userError{path(compareField), "The compareQuantity argument must be given to each quantity or ignored using ignoreCompareQuantity.", "COMPARE_QUANTITY_REQUIRED"})
			continue
		case cmpRaw != nil:
			c, err := toInt(cmpRaw)
			if err != nil || c != current {
				errs = append(errs, userError{path(compareField), fmt.Sprintf("The %s value does not match the stored value.", compareField), staleCode})
				continue
			}
		}
		changes = append(changes, change{it, lv, locID, n})
	}
	if len(errs) > 0 {
		return payload("InventorySetQuantitiesPayload", "inventoryAdjustmentGroup", nil, "InventorySetQuantitiesUserError", errs)
	}
	now := s.now()
	type applied struct {
		itemID, locID int64
		delta, after  int
	}
	var done []applied
	for _, c := range changes {
		before := c.lv.available
		if name == "on_hand" {
			before = c.lv.onHand
		}
		delta := c.q - before
		c.lv.available += delta
		c.lv.onHand += delta
		c.lv.set = true
		c.lv.updated = now
		c.it.updated = now
		done = append(done, applied{c.it.id, c.loc, delta, c.q})
	}
	groupID := s.newID()
	ref := str(in["referenceDocumentUri"])
	group := fieldsOf("InventoryAdjustmentGroup", func(n string, _ map[string]any) (any, bool, error) {
		switch n {
		case "id":
			return gid("InventoryAdjustmentGroup", groupID), true, nil
		case "createdAt":
			return stamp(now), true, nil
		case "reason":
			return reason, true, nil
		case "referenceDocumentUri":
			return nullable(ref), true, nil
		case "changes":
			out := make([]object, len(done))
			for i, a := range done {
				out[i] = fieldsOf("InventoryChange", func(f string, _ map[string]any) (any, bool, error) {
					switch f {
					case "name":
						return name, true, nil
					case "delta":
						return a.delta, true, nil
					case "quantityAfterChange":
						return a.after, true, nil
					case "item":
						return s.itemObj(s.items[a.itemID]), true, nil
					case "location":
						return s.locationObj(s.locationByID(a.locID)), true, nil
					}
					return nil, false, nil
				})
			}
			return out, true, nil
		}
		return nil, false, nil
	})
	return payload("InventorySetQuantitiesPayload", "inventoryAdjustmentGroup", group, "InventorySetQuantitiesUserError", nil)
}

func trackingFrom(in map[string]any) []Tracking {
	if in == nil {
		return nil
	}
	var ts []Tracking
	if n := str(in["number"]); n != "" || str(in["company"]) != "" || str(in["url"]) != "" {
		ts = append(ts, Tracking{Company: str(in["company"]), Number: n, URL: str(in["url"])})
	}
	nums, _ := in["numbers"].([]any)
	urls, _ := in["urls"].([]any)
	for i, n := range nums {
		t := Tracking{Company: str(in["company"]), Number: str(n)}
		if i < len(urls) {
			t.URL = str(urls[i])
		}
		ts = append(ts, t)
	}
	return ts
}

func (s *Server) fulfillmentCreate(in map[string]any) object {
	const typ, errTyp = "FulfillmentCreatePayload", "UserError"
	fail := func(field []string, msg string) object {
		return payload(typ, "fulfillment", nil, errTyp, []userError{{field, msg, ""}})
	}
	groups, _ := in["lineItemsByFulfillmentOrder"].([]any)
	if len(groups) == 0 {
		return fail([]string{"fulfillment", "lineItemsByFulfillmentOrder"}, "Line items by fulfillment order must not be empty.")
	}
	var o *order
	var lines []fulfilledLine
	for i, g := range groups {
		gm, _ := g.(map[string]any)
		gp := []string{"fulfillment", "lineItemsByFulfillmentOrder", strconv.Itoa(i)}
		foID, _ := parseGID("FulfillmentOrder", str(gm["fulfillmentOrderId"]))
		fo := s.orderByFO[foID]
		if fo == nil {
			return fail(append(gp, "fulfillmentOrderId"), "Fulfillment order does not exist.")
		}
		if o != nil && fo != o {
			return fail(append(gp, "fulfillmentOrderId"), "All fulfillment orders must belong to the same order.")
		}
		o = fo
		switch st := o.foStatus(); st {
		case "CLOSED", "CANCELLED", "INCOMPLETE":
			return fail(append(gp, "fulfillmentOrderId"), fmt.Sprintf("Fulfillment order %s has an unfulfillable status= %s.", gid("FulfillmentOrder", foID), st))
		}
		items, hasItems := gm["fulfillmentOrderLineItems"].([]any)
		if !hasItems || len(items) == 0 {
			for _, l := range o.lines {
				if r := l.remaining(o); r > 0 {
					lines = append(lines, fulfilledLine{l, r})
				}
			}
			continue
		}
		for j, it := range items {
			im, _ := it.(map[string]any)
			ip := append(slices.Clone(gp), "fulfillmentOrderLineItems", strconv.Itoa(j))
			id, _ := parseGID("FulfillmentOrderLineItem", str(im["id"]))
			idx := slices.IndexFunc(o.lines, func(l *lineItem) bool { return l.foLineID == id })
			if idx < 0 {
				return fail(append(ip, "id"), "Invalid fulfillment order line item id.")
			}
			l := o.lines[idx]
			q, err := toInt(im["quantity"])
			already := 0
			for _, x := range lines {
				if x.li == l {
					already += x.qty
				}
			}
			if err != nil || q <= 0 || q+already > l.remaining(o) {
				return fail(append(ip, "quantity"), fmt.Sprintf("Invalid fulfillment order line item quantity requested: %v of %d remaining.", im["quantity"], l.remaining(o)-already))
			}
			lines = append(lines, fulfilledLine{l, q})
		}
	}
	if len(lines) == 0 {
		return fail([]string{"fulfillment"}, "There are no items left to fulfill.")
	}
	now := s.now()
	tracking, _ := in["trackingInfo"].(map[string]any)
	f := &fulfillment{id: s.newID(), order: o, status: "SUCCESS", tracking: trackingFrom(tracking), lines: lines, created: now, updated: now}
	for _, l := range lines {
		l.li.fulfilled += l.qty
	}
	o.fulfillments = append(o.fulfillments, f)
	s.touchOrder(o)
	return payload(typ, "fulfillment", s.fulfillmentObj(f), errTyp, nil)
}

func (s *Server) findFulfillment(id string) *fulfillment {
	n, ok := parseGID("Fulfillment", id)
	if !ok {
		return nil
	}
	for _, o := range s.orders {
		for _, f := range o.fulfillments {
			if f.id == n {
				return f
			}
		}
	}
	return nil
}

func (s *Server) fulfillmentTrackingInfoUpdate(id string, in map[string]any) object {
	const typ = "FulfillmentTrackingInfoUpdatePayload"
	f := s.findFulfillment(id)
	if f == nil {
		return payload(typ, "fulfillment", nil, "UserError", []userError{{[]string{"fulfillmentId"}, "Fulfillment does not exist.", ""}})
	}
	if f.status == "CANCELLED" {
		return payload(typ, "fulfillment", nil, "UserError", []userError{{[]string{"fulfillmentId"}, "Cannot update tracking of a cancelled fulfillment.", ""}})
	}
	f.tracking = trackingFrom(in)
	f.updated = s.now()
	s.touchOrder(f.order)
	return payload(typ, "fulfillment", s.fulfillmentObj(f), "UserError", nil)
}

func (s *Server) fulfillmentCancel(id string) object {
	const typ = "FulfillmentCancelPayload"
	f := s.findFulfillment(id)
	if f == nil {
		return payload(typ, "fulfillment", nil, "UserError", []userError{{[]string{"id"}, "Fulfillment does not exist.", ""}})
	}
	if f.status == "CANCELLED" {
		return payload(typ, "fulfillment", nil, "UserError", []userError{{[]string{"id"}, "Fulfillment is already cancelled.", ""}})
	}
	f.status = "CANCELLED"
	for _, l := range f.lines {
		l.li.fulfilled -= l.qty
	}
	f.updated = s.now()
	s.touchOrder(f.order)
	return payload(typ, "fulfillment", s.fulfillmentObj(f), "UserError", nil)
}

var metafieldKey = regexp.MustCompile(`^[A-Za-z0-9_-]{2,64}$`)

func (s *Server) metafieldsSet(list []any) object {
	const typ, errTyp = "MetafieldsSetPayload", "MetafieldsSetUserError"
	var errs []userError
	if len(list) > 25 {
		errs = append(errs, userError{[]string{"metafields"}, "Exceeded the maximum metafields input limit of 25.", "LESS_THAN_OR_EQUAL_TO"})
	}
	type set struct {
		o              *order
		ns, key, value string
	}
	var sets []set
	for i, raw := range list {
		m, _ := raw.(map[string]any)
		p := func(f string) []string { return []string{"metafields", strconv.Itoa(i), f} }
		id, ok := parseGID("Order", str(m["ownerId"]))
		o := s.orderByID[id]
		if !ok || o == nil {
			errs = append(errs, userError{p("ownerId"), "Owner does not exist.", "INVALID_VALUE"})
			continue
		}
		ns, key, value := str(m["namespace"]), str(m["key"]), str(m["value"])
		if ns == "" {
			ns = "$app"
		}
		if len(ns) < 2 || len(ns) > 255 {
			errs = append(errs, userError{p("namespace"), "Namespace is too short or too long.", "INVALID"})
			continue
		}
		if !metafieldKey.MatchString(key) {
			errs = append(errs, userError{p("key"), "Key must be 2 to 64 characters of letters, digits, '-' and '_'.", "INVALID"})
			continue
		}
		if t := str(m["type"]); t == "json" && !json.Valid([]byte(value)) {
			errs = append(errs, userError{p("value"), "Value must be valid JSON.", "INVALID_VALUE"})
			continue
		}
		sets = append(sets, set{o, ns, key, value})
	}
	if len(errs) > 0 {
		return payload(typ, "metafields", nil, errTyp, errs)
	}
	out := make([]object, len(sets))
	for i, st := range sets {
		if st.o.metafields == nil {
			st.o.metafields = map[string]string{}
		}
		st.o.metafields[st.ns+"."+st.key] = st.value
		out[i] = metafieldObj(st.ns, st.key, st.value)
	}
	return payload(typ, "metafields", out, errTyp, nil)
}
