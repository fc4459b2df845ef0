package bctest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Webhook subscriptions, as documented in "Working with webhooks in
// Dynamics 365 Business Central":
// https://learn.microsoft.com/dynamics365/business-central/dev-itpro/api-reference/v2.0/dynamics-subscriptions

// webhookSets are the entity sets the fake sends notifications for: those
// of the documented list of webhook-supported entities that it models.
// Sales shipments and item ledger entries are not on that list.
var webhookSets = []string{"customers", "items", "salesOrders", "salesInvoices", "salesCreditMemos"}

type subscription struct {
	id, notificationURL, resource, set, clientState string
	created, modified, expires                      time.Time
	ver                                             int64
	queue                                           []note
	failingSince                                    time.Time
}

// note is one change waiting to be notified.
type note struct {
	id, change string
	at         time.Time
}

// Subscription is a webhook subscription as the fake holds it.
type Subscription struct {
	// ID, NotificationURL, Resource and ClientState are the subscription's
	// fields.
	ID, NotificationURL, Resource, ClientState string
	// Expires is the expirationDateTime.
	Expires time.Time
	// Pending counts the changes waiting to be notified.
	Pending int
}

// Subscriptions returns the live (unexpired) subscriptions.
func (s *Server) Subscriptions() []Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropExpired()
	out := make([]Subscription, 0, len(s.subs))
	for _, sub := range s.subs {
		out = append(out, Subscription{ID: sub.id, NotificationURL: sub.notificationURL, Resource: sub.resource,
			ClientState: sub.clientState, Expires: sub.expires, Pending: len(sub.queue)})
	}
	return out
}

// dropExpired forgets subscriptions past their expirationDateTime.
func (s *Server) dropExpired() {
	now := s.now()
	s.subs = slices.DeleteFunc(s.subs, func(sub *subscription) bool { return !now.Before(sub.expires) })
}

// notify queues a change for the subscriptions to its entity set.
func (s *Server) notify(set, id, change string) {
	now := s.now()
	for _, sub := range s.subs {
		if sub.set == set && now.Before(sub.expires) {
			sub.queue = append(sub.queue, note{id: id, change: change, at: s.lastStamp})
		}
	}
}

func (sub *subscription) obj() obj {
	return obj{
		{"@odata.etag", etag(sub.ver)},
		{"subscriptionId", sub.id},
		{"notificationUrl", sub.notificationURL},
		{"resource", sub.resource},
		{"timestamp", sub.ver},
		{"userId", zeroGUID},
		{"lastModifiedDateTime", sub.modified},
		{"clientState", sub.clientState},
		{"expirationDateTime", sub.expires},
		{"systemCreatedAt", sub.created},
		{"systemCreatedBy", zeroGUID},
		{"systemModifiedAt", sub.modified},
		{"systemModifiedBy", zeroGUID},
	}
}

// resourceSet reads the entity set a subscription's resource names:
// "/api/v2.0/companies({id})/customers", relative or absolute.
func (s *Server) resourceSet(resource string) (string, bool) {
	r := strings.TrimPrefix(resource, s.APIURL)
	if u, err := url.Parse(r); err == nil && u.IsAbs() {
		return "", false
	}
	r = strings.TrimPrefix(r, "/")
	r = strings.TrimPrefix(r, "api/v2.0/")
	segs, err := parseSegments(r)
	if err != nil || len(segs) != 2 || segs[0].name != "companies" || !strings.EqualFold(segs[0].key, s.opts.CompanyID) || segs[1].hasKey {
		return "", false
	}
	return segs[1].name, slices.Contains(webhookSets, segs[1].name)
}

func newSubscriptionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// serveSubscriptions handles /subscriptions and /subscriptions('{id}').
func (s *Server) serveSubscriptions(w http.ResponseWriter, r *http.Request, segs []segment) {
	if len(segs) > 1 {
		writeError(w, segmentNotFound(segs[1].name))
		return
	}
	if !segs[0].hasKey {
		switch r.Method {
		case http.MethodGet:
			s.mu.Lock()
			s.dropExpired()
			s.list(w, r, "subscriptions", renderAll(s.subs, (*subscription).obj))
			s.mu.Unlock()
		case http.MethodPost:
			s.createSubscription(w, r)
		default:
			writeError(w, methodNotAllowed(r))
		}
		return
	}
	s.mu.Lock()
	s.dropExpired()
	i := slices.IndexFunc(s.subs, func(sub *subscription) bool { return sub.id == segs[0].key })
	if i < 0 {
		s.mu.Unlock()
		writeError(w, notFound("subscription"))
		return
	}
	sub := s.subs[i]
	switch r.Method {
	case http.MethodGet:
		o := sub.obj()
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, o)
	case http.MethodDelete:
		s.subs = slices.Delete(s.subs, i, i+1)
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPatch:
		if e := s.checkIfMatch(r, sub.ver); e != nil {
			s.mu.Unlock()
			writeError(w, e)
			return
		}
		ver := sub.ver
		next := *sub
		s.mu.Unlock()
		if _, e := s.subscriptionBody(r, &next); e != nil {
			writeError(w, e)
			return
		}
		// Renewal needs the handshake, like creation.
		if err := s.handshake(r.Context(), next.notificationURL); err != nil {
			writeError(w, errorf(http.StatusBadRequest, "BadRequest", "The subscription could not be renewed: %v", err))
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if sub.ver != ver {
			writeError(w, errorf(s.opts.StaleETagStatus, "Request_EntityChanged", "Another user has already changed the record."))
			return
		}
		now := s.now()
		sub.notificationURL, sub.resource, sub.set, sub.clientState = next.notificationURL, next.resource, next.set, next.clientState
		sub.modified, sub.expires, sub.ver = now, now.Add(s.opts.SubscriptionLifetime), s.nextVersion()
		writeJSON(w, http.StatusOK, sub.obj())
	default:
		s.mu.Unlock()
		writeError(w, methodNotAllowed(r))
	}
}

// subscriptionBody applies a POST or PATCH body to sub.
func (s *Server) subscriptionBody(r *http.Request, sub *subscription) (map[string]json.RawMessage, *apiError) {
	body, e := readBody(r)
	if e != nil {
		return nil, e
	}
	setters := map[string]setter{
		"notificationUrl": str("notificationUrl", 2048, &sub.notificationURL),
		"resource":        str("resource", 2048, &sub.resource),
		"clientState":     str("clientState", 2048, &sub.clientState),
		"subscriptionId":  ignore, "timestamp": ignore, "userId": ignore, "expirationDateTime": ignore,
		"lastModifiedDateTime": ignore, "systemCreatedAt": ignore, "systemCreatedBy": ignore,
		"systemModifiedAt": ignore, "systemModifiedBy": ignore,
	}
	if e := apply("subscriptions", body, setters, nil); e != nil {
		return nil, e
	}
	if !utf8.ValidString(sub.clientState) {
		return nil, errorf(http.StatusBadRequest, "BadRequest", "The clientState is not valid text.")
	}
	u, err := url.Parse(sub.notificationURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errorf(http.StatusBadRequest, "BadRequest", "The notificationUrl '%s' is not a valid URL.", sub.notificationURL)
	}
	set, ok := s.resourceSet(sub.resource)
	if !ok {
		return nil, errorf(http.StatusBadRequest, "BadRequest", "The resource '%s' does not support webhooks.", sub.resource)
	}
	sub.set = set
	return body, nil
}

func (s *Server) createSubscription(w http.ResponseWriter, r *http.Request) {
	sub := &subscription{id: newSubscriptionID()}
	if _, e := s.subscriptionBody(r, sub); e != nil {
		writeError(w, e)
		return
	}
	if err := s.handshake(r.Context(), sub.notificationURL); err != nil {
		writeError(w, errorf(http.StatusBadRequest, "BadRequest", "The subscription could not be created: %v", err))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	sub.created, sub.modified, sub.expires, sub.ver = now, now, now.Add(s.opts.SubscriptionLifetime), s.nextVersion()
	s.subs = append(s.subs, sub)
	writeJSON(w, http.StatusCreated, sub.obj())
}

// handshake calls the notification URL with a validationToken, which it
// must echo with 200 within the handshake timeout.
func (s *Server) handshake(ctx context.Context, notificationURL string) error {
	token := newSubscriptionID()
	u, err := url.Parse(notificationURL)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("validationToken", token)
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, s.opts.HandshakeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.stats.Handshakes++
	s.mu.Unlock()
	resp, err := s.wh.Do(req)
	if err != nil {
		return fmt.Errorf("the handshake failed: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the handshake was answered %d", resp.StatusCode)
	}
	if strings.TrimSpace(string(b)) != token {
		return errors.New("the handshake answer did not contain the validationToken")
	}
	return nil
}

// notification is one entry of a notification body.
type notification struct {
	SubscriptionID       string `json:"subscriptionId"`
	ClientState          string `json:"clientState"`
	ExpirationDateTime   string `json:"expirationDateTime"`
	Resource             string `json:"resource"`
	ChangeType           string `json:"changeType"`
	LastModifiedDateTime string `json:"lastModifiedDateTime"`
}

// batch is what one notification POST carries, and what it covers.
type batch struct {
	url   string
	notes []notification
	sent  map[*subscription]int // queued notes covered, per subscription
}

// DeliverNotifications sends the queued change notifications now, as
// Business Central does about 30 seconds after the first change: one POST
// per notification URL with a "value" array. Several changes to one entity
// become one notification; more than the collection threshold of changes
// to one subscription become a single "collection" notification whose
// resource carries a $filter. A subscriber answering 408, 429 or 5xx (or
// not answering) gets the same notifications again on a later call, for
// the retry window; any other status deletes the subscriptions of that
// URL. It returns how many notifications were delivered.
func (s *Server) DeliverNotifications(ctx context.Context) (int, error) {
	s.mu.Lock()
	s.dropExpired()
	byURL := map[string]*batch{}
	var order []string
	for _, sub := range s.subs {
		if len(sub.queue) == 0 {
			continue
		}
		b := byURL[sub.notificationURL]
		if b == nil {
			b = &batch{url: sub.notificationURL, sent: map[*subscription]int{}}
			byURL[sub.notificationURL] = b
			order = append(order, sub.notificationURL)
		}
		b.sent[sub] = len(sub.queue)
		base := "api/v2.0/companies(" + s.opts.CompanyID + ")/" + sub.set
		exp := formatTime(sub.expires)
		if len(sub.queue) > s.opts.CollectionThreshold {
			first, last := sub.queue[0].at, sub.queue[len(sub.queue)-1].at
			// The documented example spells the property
			// "lastDateTimeModified".
			b.notes = append(b.notes, notification{SubscriptionID: sub.id, ClientState: sub.clientState,
				ExpirationDateTime: exp, ChangeType: "collection", LastModifiedDateTime: formatTime(last),
				Resource: "/" + base + "?$filter=lastDateTimeModified%20gt%20" + formatTime(first.Add(-time.Millisecond))})
			continue
		}
		// One notification per entity: its last change.
		last := map[string]int{}
		for i, n := range sub.queue {
			last[n.id] = i
		}
		for i, n := range sub.queue {
			if last[n.id] != i {
				continue
			}
			b.notes = append(b.notes, notification{SubscriptionID: sub.id, ClientState: sub.clientState,
				ExpirationDateTime: exp, Resource: base + "(" + n.id + ")", ChangeType: n.change,
				LastModifiedDateTime: formatTime(n.at)})
		}
	}
	s.mu.Unlock()

	delivered := 0
	var errs []error
	for _, u := range order {
		b := byURL[u]
		status, err := s.send(ctx, b)
		s.mu.Lock()
		now := s.now()
		switch {
		case err == nil && status/100 == 2:
			delivered += len(b.notes)
			for sub, n := range b.sent {
				sub.queue = sub.queue[min(n, len(sub.queue)):]
				sub.failingSince = time.Time{}
			}
		case err != nil || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500:
			if err != nil {
				errs = append(errs, err)
			}
			for sub := range b.sent {
				if sub.failingSince.IsZero() {
					sub.failingSince = now
				} else if now.Sub(sub.failingSince) > s.opts.RetryWindow {
					sub.queue, sub.failingSince = nil, time.Time{}
				}
			}
		default:
			// Any other answer deletes the subscription.
			s.subs = slices.DeleteFunc(s.subs, func(sub *subscription) bool { _, ok := b.sent[sub]; return ok })
		}
		s.mu.Unlock()
	}
	return delivered, errors.Join(errs...)
}

func (s *Server) send(ctx context.Context, b *batch) (int, error) {
	body, err := json.Marshal(map[string]any{"value": b.notes})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	s.mu.Lock()
	s.stats.Notifications++
	s.mu.Unlock()
	resp, err := s.wh.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, nil
}
