package main

// This file is a fake Acme Parcel Lockers API: what the connector is tested
// and demonstrated against. Acme Parcel Lockers is FICTIONAL; this fake is
// its whole specification:
//
//	GET    /v1/parcels?after=<seq>&limit=<n>  the change feed, oldest first: every
//	                                          change of a parcel is a new entry
//	                                          {"parcels": [...], "next_after": "<seq>" or ""}
//	GET    /v1/parcels/{ref}                  one parcel, or 404
//	PUT    /v1/parcels/{ref}                  book or change a parcel: 201 created, 200 updated
//	DELETE /v1/parcels/{ref}?source_version=  cancel the booking
//
// A parcel is
//
//	{"ref": "SH-1001", "order_ref": "SO-77", "locker_site": "DUB-014",
//	 "recipient": "Ada Lovelace", "email": "ada@example.com", "country": "IE",
//	 "state": "booked", "pickup_code": "4821",
//	 "items": [{"line": "1", "order_line": "L1", "sku": "TEE-BLK-M", "qty": 2}],
//	 "source_version": 7, "rev": 1, "seq": 12, "updated_at": "2026-..."}
//
// Shippers set ref, order_ref, locker_site, the recipient (Acme emails the
// pickup code), items, source_version and the state "booked" or "cancelled";
// Acme sets the rest, and moves parcels to
// "in_locker", "collected" or "expired". Every call needs
// "Authorization: Bearer <api key>" (401 otherwise). A PUT or DELETE may send
// "If-Match: <rev>" (409 rev_mismatch if the parcel changed since) and an
// Idempotency-Key (a repeat gets the first answer again). A write whose
// source_version is below the one Acme holds is refused with 409
// stale_version. Bad data is 422 with the problems by field:
//
//	{"error": {"code": "invalid", "message": "1 problem",
//	           "fields": [{"field": "items[0].qty", "code": "min", "problem": "must be at least 1"}]}}

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// fakeParcel is a parcel as the fake stores and sends it.
type fakeParcel struct {
	Ref           string     `json:"ref"`
	OrderRef      string     `json:"order_ref"`
	Site          string     `json:"locker_site"`
	Recipient     string     `json:"recipient"`
	Email         string     `json:"email"`
	Country       string     `json:"country"`
	State         string     `json:"state"`
	PickupCode    string     `json:"pickup_code,omitempty"`
	Items         []fakeItem `json:"items"`
	SourceVersion int64      `json:"source_version"`
	Rev           int64      `json:"rev"`
	Seq           int64      `json:"seq"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

type fakeItem struct {
	Line      string `json:"line"`
	OrderLine string `json:"order_line"`
	SKU       string `json:"sku"`
	Qty       int64  `json:"qty"`
}

type fakeProblem struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Problem string `json:"problem"`
}

type fakeReply struct {
	status int
	body   []byte
}

// fakeLockers is the fake API, an http.Handler. Serve it with
// httptest.NewServer. It is safe for concurrent use.
type fakeLockers struct {
	apiKey string
	mux    *http.ServeMux
	sites  map[string]bool // locker sites that exist
	start  time.Time

	mu       sync.Mutex
	parcels  map[string]*fakeParcel
	feed     []fakeParcel         // feed[i].Seq == i+1
	replies  map[string]fakeReply // by Idempotency-Key
	faults   []int                // statuses to answer the next requests with
	requests map[string]int       // requests served, by "METHOD /path-pattern"
	booked   int                  // parcels booked in Acme's own portal
}

// newFakeLockers returns an empty fake that accepts apiKey.
func newFakeLockers(apiKey string) *fakeLockers {
	f := &fakeLockers{
		apiKey: apiKey, mux: http.NewServeMux(),
		sites:   map[string]bool{"DUB-014": true, "DUB-022": true, "CRK-003": true},
		start:   time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),
		parcels: map[string]*fakeParcel{}, replies: map[string]fakeReply{}, requests: map[string]int{},
	}
	f.mux.HandleFunc("GET /v1/parcels", f.list)
	f.mux.HandleFunc("GET /v1/parcels/{ref}", f.get)
	f.mux.HandleFunc("PUT /v1/parcels/{ref}", f.put)
	f.mux.HandleFunc("DELETE /v1/parcels/{ref}", f.cancel)
	return f
}

// ServeHTTP checks the API key and the injected faults, then routes.
func (f *fakeLockers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, pattern := f.mux.Handler(r)
	f.requests[pattern]++
	if len(f.faults) > 0 {
		status := f.faults[0]
		f.faults = f.faults[1:]
		w.Header().Set("Retry-After", "1")
		f.fail(w, status, "unavailable", "try again shortly")
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.apiKey {
		f.fail(w, http.StatusUnauthorized, "unauthorized", "missing or wrong API key")
		return
	}
	f.mux.ServeHTTP(w, r)
}

func (f *fakeLockers) list(w http.ResponseWriter, r *http.Request) {
	after, err1 := f.intParam(r, "after", 0)
	limit, err2 := f.intParam(r, "limit", 100)
	if err1 != nil || err2 != nil || after < 0 || limit < 1 || limit > 500 {
		f.fail(w, http.StatusBadRequest, "bad_request", "after must be a feed position and limit 1 to 500")
		return
	}
	rest := f.feed[min(int(after), len(f.feed)):]
	page := append([]fakeParcel{}, rest[:min(int(limit), len(rest))]...)
	next := ""
	if len(rest) > len(page) {
		next = strconv.FormatInt(page[len(page)-1].Seq, 10)
	}
	f.send(w, http.StatusOK, map[string]any{"parcels": page, "next_after": next})
}

func (f *fakeLockers) get(w http.ResponseWriter, r *http.Request) {
	p, ok := f.parcels[r.PathValue("ref")]
	if !ok {
		f.fail(w, http.StatusNotFound, "not_found", "no parcel "+r.PathValue("ref"))
		return
	}
	f.send(w, http.StatusOK, p)
}

func (f *fakeLockers) put(w http.ResponseWriter, r *http.Request) {
	if f.replay(w, r) {
		return
	}
	var in fakeParcel
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		f.fail(w, http.StatusBadRequest, "bad_request", "malformed JSON: "+err.Error())
		return
	}
	if probs := f.validate(in); len(probs) > 0 {
		body, _ := json.Marshal(map[string]any{"error": map[string]any{
			"code": "invalid", "message": fmt.Sprintf("%d problem(s)", len(probs)), "fields": probs}})
		f.reply(w, r, http.StatusUnprocessableEntity, body)
		return
	}
	ref := r.PathValue("ref")
	p := f.parcels[ref]
	if !f.writable(w, r, p, in.SourceVersion) {
		return
	}
	status := http.StatusOK
	if p == nil {
		p, status = &fakeParcel{Ref: ref}, http.StatusCreated
		f.parcels[ref] = p
	}
	p.OrderRef, p.Site, p.State, p.Items, p.SourceVersion = in.OrderRef, in.Site, in.State, in.Items, in.SourceVersion
	p.Recipient, p.Email, p.Country = in.Recipient, in.Email, in.Country
	f.commit(p)
	body, _ := json.Marshal(p)
	f.reply(w, r, status, body)
}

func (f *fakeLockers) cancel(w http.ResponseWriter, r *http.Request) {
	if f.replay(w, r) {
		return
	}
	p, ok := f.parcels[r.PathValue("ref")]
	if !ok {
		f.fail(w, http.StatusNotFound, "not_found", "no parcel "+r.PathValue("ref"))
		return
	}
	version, err := f.intParam(r, "source_version", 0)
	if err != nil || !f.writable(w, r, p, version) {
		if err != nil {
			f.fail(w, http.StatusBadRequest, "bad_request", "source_version must be a number")
		}
		return
	}
	if p.State != "cancelled" {
		p.State, p.SourceVersion = "cancelled", version
		f.commit(p)
	}
	body, _ := json.Marshal(p)
	f.reply(w, r, http.StatusOK, body)
}

// writable refuses a write older than the parcel (stale_version) or based on
// another revision (rev_mismatch).
func (f *fakeLockers) writable(w http.ResponseWriter, r *http.Request, p *fakeParcel, version int64) bool {
	match := r.Header.Get("If-Match")
	switch {
	case p != nil && version < p.SourceVersion:
		f.fail(w, http.StatusConflict, "stale_version", fmt.Sprintf("source_version %d is older than %d", version, p.SourceVersion))
	case match != "" && (p == nil || match != strconv.FormatInt(p.Rev, 10)):
		f.fail(w, http.StatusConflict, "rev_mismatch", "the parcel changed since revision "+match)
	default:
		return true
	}
	return false
}

// validate lists what is wrong with a shipper's parcel, by field.
func (f *fakeLockers) validate(in fakeParcel) []fakeProblem {
	var probs []fakeProblem
	add := func(field, code, problem string) { probs = append(probs, fakeProblem{field, code, problem}) }
	if in.OrderRef == "" {
		add("order_ref", "required", "is required")
	}
	switch {
	case in.Site == "":
		add("locker_site", "required", "a locker site is required")
	case !f.sites[in.Site]:
		add("locker_site", "unknown_site", "there is no locker site "+in.Site)
	}
	if in.Email == "" {
		add("email", "required", "the pickup code goes to this address")
	}
	if in.Country == "" {
		add("country", "required", "is required")
	}
	if in.State != "booked" && in.State != "cancelled" {
		add("state", "not_settable", "shippers may set booked or cancelled")
	}
	if len(in.Items) == 0 {
		add("items", "required", "a parcel holds at least one item")
	}
	for i, it := range in.Items {
		if it.SKU == "" {
			add(fmt.Sprintf("items[%d].sku", i), "required", "is required")
		}
		if it.Qty < 1 {
			add(fmt.Sprintf("items[%d].qty", i), "min", "must be at least 1")
		}
	}
	return probs
}

// commit gives p its next revision and appends it to the change feed.
func (f *fakeLockers) commit(p *fakeParcel) {
	p.Rev++
	p.Seq = int64(len(f.feed) + 1)
	p.UpdatedAt = f.start.Add(time.Duration(p.Seq) * time.Minute)
	snap := *p
	snap.Items = append([]fakeItem(nil), p.Items...)
	f.feed = append(f.feed, snap)
}

// replay answers a repeated Idempotency-Key with the first answer.
func (f *fakeLockers) replay(w http.ResponseWriter, r *http.Request) bool {
	rep, ok := f.replies[r.Header.Get("Idempotency-Key")]
	if ok {
		f.write(w, rep.status, rep.body)
	}
	return ok
}

// reply answers a write and remembers the answer under its Idempotency-Key.
func (f *fakeLockers) reply(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		f.replies[key] = fakeReply{status, body}
	}
	f.write(w, status, body)
}

func (f *fakeLockers) send(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	f.write(w, status, body)
}

func (f *fakeLockers) fail(w http.ResponseWriter, status int, code, msg string) {
	f.send(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func (f *fakeLockers) write(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (f *fakeLockers) intParam(r *http.Request, name string, def int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

// ---- what happens at Acme, outside the API ----

// failNext makes the next requests answer the given statuses, in order.
func (f *fakeLockers) failNext(statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, statuses...)
}

// book books n parcels in Acme's own web portal and returns their refs.
func (f *fakeLockers) book(n int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	refs := make([]string, n)
	for i := range refs {
		f.booked++
		refs[i] = fmt.Sprintf("WEB-%04d", f.booked)
		p := &fakeParcel{Ref: refs[i], OrderRef: "PORTAL", Site: "DUB-014", State: "booked",
			Recipient: "Walk-in", Email: "desk@example.com", Country: "IE",
			Items: []fakeItem{{Line: "1", OrderLine: "1", SKU: "BOX", Qty: 1}}}
		f.parcels[p.Ref] = p
		f.commit(p)
	}
	return refs
}

// deposit has a courier put parcel ref into its locker: it gets a pickup code.
func (f *fakeLockers) deposit(ref string) error {
	return f.move(ref, "booked", "in_locker")
}

// collect has the customer collect parcel ref from its locker.
func (f *fakeLockers) collect(ref string) error {
	return f.move(ref, "in_locker", "collected")
}

func (f *fakeLockers) move(ref, from, to string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.parcels[ref]
	if !ok || p.State != from {
		return fmt.Errorf("fake acme: parcel %s is not %s", ref, from)
	}
	p.State = to
	if to == "in_locker" {
		p.PickupCode = fmt.Sprintf("%04d", (int64(len(f.feed)+1)*7919)%10000)
	}
	f.commit(p)
	return nil
}

// live reports whether parcel ref exists and is not cancelled.
func (f *fakeLockers) live(ref string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.parcels[ref]
	return ok && p.State != "cancelled"
}

// quantity returns the quantity of the first item of parcel ref.
func (f *fakeLockers) quantity(ref string) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.parcels[ref]; ok && len(p.Items) > 0 {
		return p.Items[0].Qty
	}
	return 0
}

// served returns how many requests the fake answered for a route pattern,
// such as "GET /v1/parcels".
func (f *fakeLockers) served(pattern string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[pattern]
}
