package bctest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/junctionhq/junction/canonical"
)

// maxBody caps a request body.
const maxBody = 10 << 20

// segment is one part of a resource path: "salesOrders(1e8c...)".
type segment struct {
	name   string
	key    string
	hasKey bool
}

// parseSegments splits "companies(x)/salesOrders(y)/salesOrderLines" into
// segments; a key may be quoted ('...' with ” for a quote).
func parseSegments(p string) ([]segment, error) {
	if p == "" {
		return nil, nil
	}
	var out []segment
	for part := range strings.SplitSeq(p, "/") {
		if part == "" {
			return nil, errors.New("empty path segment")
		}
		open := strings.IndexByte(part, '(')
		if open < 0 {
			out = append(out, segment{name: part})
			continue
		}
		if !strings.HasSuffix(part, ")") || open == 0 {
			return nil, errors.New("bad key segment " + part)
		}
		key := part[open+1 : len(part)-1]
		if len(key) >= 2 && key[0] == '\'' && key[len(key)-1] == '\'' {
			key = strings.ReplaceAll(key[1:len(key)-1], "''", "'")
		}
		out = append(out, segment{name: part[:open], key: key, hasKey: true})
	}
	return out, nil
}

// segmentNotFound is the answer to a path segment that names nothing.
func segmentNotFound(name string) *apiError {
	return errorf(http.StatusNotFound, "BadRequest_NotFound", "Resource not found for the segment '%s'.", name)
}

func notFound(what string) *apiError {
	return errorf(http.StatusNotFound, "BadRequest_NotFound", "The %s does not exist.", what)
}

func methodNotAllowed(r *http.Request) *apiError {
	return errorf(http.StatusMethodNotAllowed, "BadRequest_MethodNotAllowed", "'%s' requests for this resource are not supported.", r.Method)
}

// route dispatches an authenticated API request.
func (s *Server) route(w http.ResponseWriter, r *http.Request, rest string) {
	segs, err := parseSegments(rest)
	if err != nil || len(segs) == 0 {
		writeError(w, segmentNotFound(rest))
		return
	}
	if segs[0].name == "subscriptions" {
		s.serveSubscriptions(w, r, segs)
		return
	}
	if segs[0].name != "companies" {
		writeError(w, segmentNotFound(segs[0].name))
		return
	}
	if !segs[0].hasKey {
		if len(segs) > 1 || r.Method != http.MethodGet {
			writeError(w, methodNotAllowed(r))
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.list(w, r, "companies", []obj{s.companyObj()})
		return
	}
	if !strings.EqualFold(segs[0].key, s.opts.CompanyID) {
		writeError(w, errorf(http.StatusNotFound, "Internal_CompanyNotFound", "Cannot process the request because the company %s cannot be found.", segs[0].key))
		return
	}
	if len(segs) == 1 {
		if r.Method != http.MethodGet {
			writeError(w, methodNotAllowed(r))
			return
		}
		s.mu.Lock()
		o := s.companyObj()
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, o)
		return
	}
	var e *apiError
	switch segs[1].name {
	case "customers":
		e = s.serveCustomers(w, r, segs[1:])
	case "items":
		e = s.serveItems(w, r, segs[1:])
	case "salesOrders":
		e = s.serveOrders(w, r, segs[1:])
	case "salesShipments":
		e = s.servePosted(w, r, segs[1:], "salesShipments", "salesShipmentLines")
	case "salesInvoices":
		e = s.servePosted(w, r, segs[1:], "salesInvoices", "salesInvoiceLines")
	case "salesCreditMemos":
		e = s.serveCreditMemos(w, r, segs[1:])
	case "itemLedgerEntries":
		e = s.serveLedger(w, r, segs[1:])
	default:
		e = segmentNotFound(segs[1].name)
	}
	if e != nil {
		writeError(w, e)
	}
}

func (s *Server) companyObj() obj {
	return obj{
		{"id", s.opts.CompanyID},
		{"systemVersion", "27.0"},
		{"timestamp", 0},
		{"name", s.opts.CompanyName},
		{"displayName", s.opts.CompanyName},
		{"businessProfileId", ""},
		{"systemCreatedAt", s.lastStamp},
		{"systemCreatedBy", zeroGUID},
		{"systemModifiedAt", s.lastStamp},
		{"systemModifiedBy", zeroGUID},
	}
}

// ---- listing ----

// pageState is what a $skiptoken carries: how many entities were served and
// the id of the last one, so a page resumes after it even when earlier
// entities changed in between.
type pageState struct {
	Offset int    `json:"o"`
	LastID string `json:"i"`
}

// list answers a collection GET: $filter, $orderby, $skip, $top, $select,
// server-driven paging (Prefer: odata.maxpagesize, $skiptoken).
func (s *Server) list(w http.ResponseWriter, r *http.Request, set string, all []obj) {
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "$filter", "$orderby", "$top", "$skip", "$skiptoken", "$select", "$expand", "$count", "$schemaversion", "company", "tenant":
		default:
			if strings.HasPrefix(k, "$") {
				writeError(w, errorf(http.StatusBadRequest, "BadRequest_NotFound", "The query parameter '%s' is not supported.", k))
				return
			}
		}
	}
	items := all
	if f := q.Get("$filter"); f != "" {
		expr, err := parseFilter(f)
		if err != nil {
			writeError(w, errorf(http.StatusBadRequest, "BadRequest_NotFound", "%s", err.Error()))
			return
		}
		kept := make([]obj, 0, len(items))
		for _, o := range items {
			ok, err := expr.eval(o)
			if err != nil {
				writeError(w, errorf(http.StatusBadRequest, "BadRequest_NotFound", "%s", err.Error()))
				return
			}
			if ok {
				kept = append(kept, o)
			}
		}
		items = kept
	}
	keys, err := parseOrderBy(q.Get("$orderby"))
	if err != nil {
		writeError(w, errorf(http.StatusBadRequest, "BadRequest_NotFound", "%s", err.Error()))
		return
	}
	for _, k := range keys {
		if len(items) > 0 {
			if _, ok := items[0].get(k.prop); !ok {
				writeError(w, errorf(http.StatusBadRequest, "BadRequest_NotFound", "Could not find a property named '%s'.", k.prop))
				return
			}
		}
	}
	if len(keys) > 0 {
		slices.SortStableFunc(items, func(a, b obj) int {
			for _, k := range keys {
				av, _ := a.get(k.prop)
				bv, _ := b.get(k.prop)
				c := compareValues(av, bv)
				if k.desc {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		})
	}
	num := func(name string) (int, bool) {
		v := q.Get(name)
		if v == "" {
			return 0, true
		}
		n, err := strconv.Atoi(v)
		return n, err == nil && n >= 0
	}
	skip, ok1 := num("$skip")
	top, ok2 := num("$top")
	if !ok1 || !ok2 {
		writeError(w, errorf(http.StatusBadRequest, "BadRequest_NotFound", "$top and $skip must be non-negative integers."))
		return
	}
	if q.Has("$top") {
		if skip+top < len(items) {
			items = items[:skip+top]
		}
	}
	if skip > len(items) {
		skip = len(items)
	}
	items = items[skip:]

	start := 0
	if tok := q.Get("$skiptoken"); tok != "" {
		st, ok := decodeSkipToken(tok)
		if !ok {
			writeError(w, errorf(http.StatusBadRequest, "BadRequest_NotFound", "The $skiptoken is not valid."))
			return
		}
		start = min(st.Offset, len(items))
		if start > 0 && items[start-1].str("id") != st.LastID {
			if i := slices.IndexFunc(items, func(o obj) bool { return o.str("id") == st.LastID }); i >= 0 {
				start = i + 1
			}
		}
	}
	size := s.opts.MaxPageSize
	pref := maxPageSize(r.Header.Values("Prefer"))
	if pref > 0 && pref < size {
		size = pref
		w.Header().Set("Preference-Applied", "odata.maxpagesize="+strconv.Itoa(pref))
	}
	end := min(start+size, len(items))
	page := items[start:end]
	var sel []string
	if v := q.Get("$select"); v != "" {
		for f := range strings.SplitSeq(v, ",") {
			sel = append(sel, strings.TrimSpace(f))
		}
		if exp := q.Get("$expand"); exp != "" {
			sel = append(sel, exp)
		}
	}
	value := make([]obj, len(page))
	for i, o := range page {
		value[i] = o.selectFields(sel)
	}
	resp := obj{{"@odata.context", s.contextURL(set)}, {"value", value}}
	if end < len(items) {
		nq := url.Values{}
		for k, v := range q {
			if k != "$skiptoken" {
				nq[k] = v
			}
		}
		last := ""
		if len(page) > 0 {
			last = page[len(page)-1].str("id")
		}
		nq.Set("$skiptoken", encodeSkipToken(pageState{Offset: end, LastID: last}))
		next := s.URL + r.URL.Path + "?" + nq.Encode()
		resp = append(resp, field{"@odata.nextLink", next})
	}
	writeJSON(w, http.StatusOK, resp)
}

func encodeSkipToken(p pageState) string {
	b, _ := json.Marshal(p)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeSkipToken(tok string) (pageState, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return pageState{}, false
	}
	var p pageState
	if err := json.Unmarshal(b, &p); err != nil || p.Offset < 0 {
		return pageState{}, false
	}
	return p, true
}

// document is a sales document, rendered with or without its lines.
type document interface{ obj(expandLines bool) obj }

// serveDocumentSet answers a request for the document set set as a whole
// (segs[0] has no key): GET lists docs, with their lines (the navigation
// property nav) when $expand asks for them, and POST creates a document.
func serveDocumentSet[D document](s *Server, w http.ResponseWriter, r *http.Request, segs []segment, set, nav string,
	docs []D, create func(http.ResponseWriter, *http.Request) *apiError) *apiError {
	if len(segs) > 1 {
		return segmentNotFound(segs[1].name)
	}
	switch r.Method {
	case http.MethodGet:
		expand, e := expandsLines(r, nav)
		if e != nil {
			return e
		}
		s.list(w, r, set, renderAll(docs, func(d D) obj { return d.obj(expand) }))
		return nil
	case http.MethodPost:
		return create(w, r)
	}
	return methodNotAllowed(r)
}

// getDocument answers a GET of one document, with its lines (the
// navigation property nav) when $expand asks for them.
func getDocument(w http.ResponseWriter, r *http.Request, nav string, d document) *apiError {
	expand, e := expandsLines(r, nav)
	if e != nil {
		return e
	}
	writeJSON(w, http.StatusOK, d.obj(expand))
	return nil
}

// expandsLines reports whether $expand asks for the named navigation
// property; any other expansion is an error.
func expandsLines(r *http.Request, nav string) (bool, *apiError) {
	exp := r.URL.Query().Get("$expand")
	if exp == "" {
		return false, nil
	}
	for e := range strings.SplitSeq(exp, ",") {
		if strings.TrimSpace(e) != nav {
			return false, errorf(http.StatusBadRequest, "BadRequest_NotFound", "Could not find a navigation property named '%s'.", strings.TrimSpace(e))
		}
	}
	return true, nil
}

// ---- request bodies ----

// readBody reads a JSON object body into its properties. OData annotations
// ("@odata.etag") are ignored.
func readBody(r *http.Request) (map[string]json.RawMessage, *apiError) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "BadRequest", "The request body could not be read.")
	}
	if len(b) > maxBody {
		return nil, errorf(http.StatusRequestEntityTooLarge, "BadRequest", "The request body is too large.")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, errorf(http.StatusBadRequest, "BadRequest", "The request body is not a JSON object.")
	}
	for k := range m {
		if strings.HasPrefix(k, "@") {
			delete(m, k)
		}
	}
	return m, nil
}

// setter applies one property of a request body.
type setter func(raw json.RawMessage) *apiError

// apply runs the setters for the properties of body in a stable order; a
// property with no setter is unknown or read-only.
func apply(entity string, body map[string]json.RawMessage, setters map[string]setter, readOnly []string) *apiError {
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		set, ok := setters[k]
		if !ok {
			if slices.Contains(readOnly, k) {
				return errorf(http.StatusBadRequest, "BadRequest_InvalidOperation", "Control '%s' is read-only.", k)
			}
			return errorf(http.StatusBadRequest, "BadRequest", "The property '%s' does not exist on type 'Microsoft.NAV.%s'. Make sure to only use property names that are defined by the type.", k, entity)
		}
		if e := set(body[k]); e != nil {
			return e
		}
	}
	return nil
}

func typeError(name, want string, raw json.RawMessage) *apiError {
	v := string(raw)
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	return errorf(http.StatusBadRequest, "BadRequest", "Cannot convert the literal '%s' of property '%s' to the expected type '%s'.", v, name, want)
}

// str returns a setter for a string property of at most maxLen characters.
func str(name string, maxLen int, dst *string) setter {
	return func(raw json.RawMessage) *apiError {
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return typeError(name, "Edm.String", raw)
		}
		if n := utf8.RuneCountInString(v); n > maxLen {
			return errorf(http.StatusBadRequest, "Application_StringExceededLength",
				"The length of the string is %d, but it must be less than or equal to %d characters. Value: %s", n, maxLen, v)
		}
		*dst = v
		return nil
	}
}

func dec(name string, dst *canonical.Decimal) setter {
	return func(raw json.RawMessage) *apiError {
		var d canonical.Decimal
		if string(raw) == "null" || d.UnmarshalJSON(raw) != nil {
			return typeError(name, "Edm.Decimal", raw)
		}
		*dst = d
		return nil
	}
}

func date(name string, dst *canonical.Date) setter {
	return func(raw json.RawMessage) *apiError {
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return typeError(name, "Edm.Date", raw)
		}
		if v == "" || v == "0001-01-01" {
			*dst = canonical.Date{}
			return nil
		}
		d, err := canonical.ParseDate(v)
		if err != nil {
			return typeError(name, "Edm.Date", raw)
		}
		*dst = d
		return nil
	}
}

func boolean(name string, dst *bool) setter {
	return func(raw json.RawMessage) *apiError {
		if err := json.Unmarshal(raw, dst); err != nil {
			return typeError(name, "Edm.Boolean", raw)
		}
		return nil
	}
}

// ignore accepts a property the fake does not model.
func ignore(json.RawMessage) *apiError { return nil }

// readPatch reads the body of a PATCH of an entity at version ver, which
// the request's If-Match must name (see checkIfMatch).
func (s *Server) readPatch(r *http.Request, ver int64) (map[string]json.RawMessage, *apiError) {
	if e := s.checkIfMatch(r, ver); e != nil {
		return nil, e
	}
	return readBody(r)
}

// checkIfMatch enforces optimistic concurrency: PATCH and DELETE need an
// If-Match with the entity's current ETag or "*".
// https://learn.microsoft.com/dynamics365/business-central/dev-itpro/api-reference/v2.0/api/dynamics_salesorder_update
func (s *Server) checkIfMatch(r *http.Request, current int64) *apiError {
	im := strings.TrimSpace(r.Header.Get("If-Match"))
	if im == "" {
		return errorf(http.StatusBadRequest, "BadRequest_InvalidToken",
			"Could not validate the client concurrency token required by the service. Please provide a valid token in the client request.")
	}
	if im == "*" {
		return nil
	}
	for t := range strings.SplitSeq(im, ",") {
		if strings.TrimSpace(t) == etag(current) {
			return nil
		}
	}
	return errorf(s.opts.StaleETagStatus, "Request_EntityChanged", "Another user has already changed the record.")
}

// assignNumber gives a new record the next number of series when it comes
// without one; a number another record of table (held in es) has is
// refused, as Business Central refuses a duplicate key.
func assignNumber[E keyed](s *Server, number *string, es []E, series, table string) *apiError {
	if *number == "" {
		*number = s.number(series)
		return nil
	}
	if slices.ContainsFunc(es, func(e E) bool { _, n := e.keys(); return n == *number }) {
		return errorf(http.StatusBadRequest, "Internal_EntityWithSameKeyExists",
			"The record in table %s already exists. Identification fields and values: No.='%s'", table, *number)
	}
	return nil
}

// ---- customers ----

func (s *Server) customerSetters(c *customer) map[string]setter {
	return map[string]setter{
		"number":                str("number", 20, &c.number),
		"displayName":           str("displayName", 100, &c.displayName),
		"type":                  str("type", 20, &c.typ),
		"addressLine1":          str("addressLine1", 100, &c.addressLine1),
		"addressLine2":          str("addressLine2", 50, &c.addressLine2),
		"city":                  str("city", 30, &c.city),
		"state":                 str("state", 30, &c.state),
		"country":               str("country", 10, &c.country),
		"postalCode":            str("postalCode", 20, &c.zip),
		"phoneNumber":           str("phoneNumber", 30, &c.phone),
		"email":                 str("email", 80, &c.email),
		"website":               str("website", 80, &c.website),
		"currencyCode":          str("currencyCode", 10, &c.currencyCode),
		"taxRegistrationNumber": str("taxRegistrationNumber", 20, &c.taxRegNo),
		"creditLimit":           dec("creditLimit", &c.creditLimit),
		"blocked": func(raw json.RawMessage) *apiError {
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return typeError("blocked", "Microsoft.NAV.customerBlocked", raw)
			}
			switch v {
			case "", " ", "_x0020_":
				c.blocked = ""
			case "Ship", "Invoice", "All":
				c.blocked = v
			default:
				return errorf(http.StatusBadRequest, "Application_EvaluateException", "The value \"%s\" can't be evaluated into type Option.", v)
			}
			return nil
		},
		"taxLiable":          ignore,
		"taxAreaId":          ignore,
		"salespersonCode":    ignore,
		"currencyId":         ignore,
		"paymentTermsId":     ignore,
		"shipmentMethodId":   ignore,
		"paymentMethodId":    ignore,
		"taxAreaDisplayName": ignore,
	}
}

var customerReadOnly = []string{"id", "balanceDue", "lastModifiedDateTime"}

func (s *Server) serveCustomers(w http.ResponseWriter, r *http.Request, segs []segment) *apiError {
	if len(segs) > 1 {
		return segmentNotFound(segs[1].name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !segs[0].hasKey {
		switch r.Method {
		case http.MethodGet:
			s.list(w, r, "customers", renderAll(s.customers, (*customer).obj))
			return nil
		case http.MethodPost:
			body, e := readBody(r)
			if e != nil {
				return e
			}
			c := &customer{id: newGUID(), typ: "Company"}
			if e := apply("customer", body, s.customerSetters(c), customerReadOnly); e != nil {
				return e
			}
			if e := assignNumber(s, &c.number, s.customers, "customer", "Customer"); e != nil {
				return e
			}
			if c.currencyCode == "" {
				c.currencyCode = s.opts.Currency
			}
			c.modified, c.ver = s.stamp(), s.nextVersion()
			s.customers = append(s.customers, c)
			s.notify("customers", c.id, "created")
			writeJSON(w, http.StatusCreated, c.obj())
			return nil
		}
		return methodNotAllowed(r)
	}
	c := byID(s.customers, segs[0].key)
	if c == nil {
		return notFound("customer")
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, c.obj())
		return nil
	case http.MethodPatch:
		body, e := s.readPatch(r, c.ver)
		if e != nil {
			return e
		}
		next := *c
		if e := apply("customer", body, s.customerSetters(&next), customerReadOnly); e != nil {
			return e
		}
		if next.number != c.number {
			return errorf(http.StatusBadRequest, "BadRequest_InvalidOperation", "Control 'number' cannot be changed.")
		}
		*c = next
		c.modified, c.ver = s.stamp(), s.nextVersion()
		s.notify("customers", c.id, "updated")
		writeJSON(w, http.StatusOK, c.obj())
		return nil
	case http.MethodDelete:
		if e := s.checkIfMatch(r, c.ver); e != nil {
			return e
		}
		for _, o := range s.orders {
			if o.cust == c {
				return errorf(http.StatusBadRequest, "Application_DialogException",
					"You cannot delete Customer %s because there is at least one outstanding Sales Order for this customer.", c.number)
			}
		}
		s.customers = slices.DeleteFunc(s.customers, func(x *customer) bool { return x == c })
		s.notify("customers", c.id, "deleted")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return methodNotAllowed(r)
}

// ---- items ----

func (s *Server) itemSetters(it *item) map[string]setter {
	return map[string]setter{
		"number":                str("number", 20, &it.number),
		"displayName":           str("displayName", 100, &it.displayName),
		"type":                  str("type", 20, &it.typ),
		"gtin":                  str("gtin", 14, &it.gtin),
		"blocked":               boolean("blocked", &it.blocked),
		"unitPrice":             dec("unitPrice", &it.unitPrice),
		"priceIncludesTax":      boolean("priceIncludesTax", &it.priceIncludesTax),
		"unitCost":              dec("unitCost", &it.unitCost),
		"baseUnitOfMeasureCode": str("baseUnitOfMeasureCode", 10, &it.baseUnit),
		"itemCategoryId":        ignore, "itemCategoryCode": ignore, "taxGroupId": ignore, "taxGroupCode": ignore,
		"baseUnitOfMeasureId": ignore, "generalProductPostingGroupId": ignore, "generalProductPostingGroupCode": ignore,
		"inventoryPostingGroupId": ignore, "inventoryPostingGroupCode": ignore,
	}
}

var itemReadOnly = []string{"id", "inventory", "lastModifiedDateTime"}

func (s *Server) serveItems(w http.ResponseWriter, r *http.Request, segs []segment) *apiError {
	if len(segs) > 1 {
		return segmentNotFound(segs[1].name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !segs[0].hasKey {
		switch r.Method {
		case http.MethodGet:
			s.list(w, r, "items", renderAll(s.items, (*item).obj))
			return nil
		case http.MethodPost:
			body, e := readBody(r)
			if e != nil {
				return e
			}
			it := &item{id: newGUID(), typ: "Inventory", baseUnit: "PCS"}
			if e := apply("item", body, s.itemSetters(it), itemReadOnly); e != nil {
				return e
			}
			if e := assignNumber(s, &it.number, s.items, "item", "Item"); e != nil {
				return e
			}
			it.modified, it.ver = s.stamp(), s.nextVersion()
			s.items = append(s.items, it)
			s.notify("items", it.id, "created")
			writeJSON(w, http.StatusCreated, it.obj())
			return nil
		}
		return methodNotAllowed(r)
	}
	it := byID(s.items, segs[0].key)
	if it == nil {
		return notFound("item")
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, it.obj())
		return nil
	case http.MethodPatch:
		body, e := s.readPatch(r, it.ver)
		if e != nil {
			return e
		}
		next := *it
		if e := apply("item", body, s.itemSetters(&next), itemReadOnly); e != nil {
			return e
		}
		*it = next
		it.modified, it.ver = s.stamp(), s.nextVersion()
		s.notify("items", it.id, "updated")
		writeJSON(w, http.StatusOK, it.obj())
		return nil
	}
	return methodNotAllowed(r)
}

// ---- item ledger entries ----

func (s *Server) serveLedger(w http.ResponseWriter, r *http.Request, segs []segment) *apiError {
	if len(segs) > 1 || r.Method != http.MethodGet {
		return methodNotAllowed(r)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if segs[0].hasKey {
		for _, e := range s.ledger {
			if strings.EqualFold(e.id, segs[0].key) {
				writeJSON(w, http.StatusOK, e.obj())
				return nil
			}
		}
		return notFound("item ledger entry")
	}
	s.list(w, r, "itemLedgerEntries", renderAll(s.ledger, (*ledgerEntry).obj))
	return nil
}

// ---- posted documents ----

func (s *Server) servePosted(w http.ResponseWriter, r *http.Request, segs []segment, set, nav string) *apiError {
	if r.Method != http.MethodGet {
		return methodNotAllowed(r)
	}
	expand, e := expandsLines(r, nav)
	if e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []obj
	var ids []string
	if set == "salesShipments" {
		for _, sh := range s.shipments {
			all = append(all, sh.obj(expand || (len(segs) > 1)))
			ids = append(ids, sh.id)
		}
	} else {
		for _, inv := range s.invoices {
			all = append(all, inv.obj(expand || (len(segs) > 1)))
			ids = append(ids, inv.id)
		}
	}
	if !segs[0].hasKey {
		if len(segs) > 1 {
			return segmentNotFound(segs[1].name)
		}
		s.list(w, r, set, all)
		return nil
	}
	i := slices.IndexFunc(ids, func(id string) bool { return strings.EqualFold(id, segs[0].key) })
	if i < 0 {
		return notFound(strings.TrimSuffix(set, "s"))
	}
	if len(segs) == 1 {
		writeJSON(w, http.StatusOK, all[i])
		return nil
	}
	if segs[1].name != nav || len(segs) > 2 {
		return segmentNotFound(segs[1].name)
	}
	v, _ := all[i].get(nav)
	lines, _ := v.([]obj)
	if segs[1].hasKey {
		for _, l := range lines {
			if strings.EqualFold(l.str("id"), segs[1].key) {
				writeJSON(w, http.StatusOK, l)
				return nil
			}
		}
		return notFound("line")
	}
	s.list(w, r, nav, lines)
	return nil
}
