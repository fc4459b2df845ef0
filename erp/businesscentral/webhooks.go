package businesscentral

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/httpx"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/webhook"
)

// Webhooks, as documented in "Working with webhooks in Dynamics 365
// Business Central":
// https://learn.microsoft.com/dynamics365/business-central/dev-itpro/api-reference/v2.0/dynamics-subscriptions
//
// A subscription names a notification URL, an entity set of a company and
// a clientState (a shared secret of up to 2,048 characters that comes back
// in every notification). Creating and renewing one makes Business Central
// call the URL with a validationToken that must be echoed with 200.
// Subscriptions expire after three days unless renewed. Notifications
// arrive about 30 seconds after the first change, one per changed record,
// or one "collection" notification when more than 1,000 records changed.
// Business Central retries a notification answered 408, 429 or 5xx for
// about 36 hours, and deletes the subscription on any other error status.

// SubscriptionLifetime is how long a subscription lives unless renewed.
const SubscriptionLifetime = 72 * time.Hour

// DefaultRenewBefore is how long before expiry EnsureSubscriptions renews
// a subscription.
const DefaultRenewBefore = 24 * time.Hour

// MaxClientState is the longest clientState Business Central accepts.
const MaxClientState = 2048

// Subscription is a webhook subscription.
type Subscription struct {
	// ID is the subscriptionId.
	ID string `json:"subscriptionId"`
	// NotificationURL is where notifications are sent.
	NotificationURL string `json:"notificationUrl"`
	// Resource is the entity set subscribed to, such as
	// "/api/v2.0/companies(…)/salesOrders".
	Resource string `json:"resource"`
	// ClientState is the shared secret sent with every notification.
	ClientState string `json:"clientState"`
	// Expires is the expirationDateTime, three days after the last renewal.
	Expires time.Time `json:"expirationDateTime"`
	// ETag is the subscription's ETag, for If-Match on renewal.
	ETag string `json:"@odata.etag"`
}

// EntitySet returns the entity set the subscription's resource names
// ("salesOrders"), or "".
func (s Subscription) EntitySet() string { return resourceSet(s.Resource) }

// resourceSet reads the entity set from a resource path such as
// "/api/v2.0/companies(…)/customers", "api/v2.0/companies(…)/items(…)" or
// ".../salesInvoices?$filter=…".
func resourceSet(resource string) string {
	r, _, _ := strings.Cut(resource, "?")
	i := strings.Index(r, "companies(")
	if i < 0 {
		return ""
	}
	r = r[i:]
	_, rest, ok := strings.Cut(r, ")/")
	if !ok {
		return ""
	}
	set, _, _ := strings.Cut(rest, "(")
	set, _, _ = strings.Cut(set, "/")
	return set
}

// resource is the subscription resource of an entity set of the company.
func (c *Client) resource(set string) string {
	return "/api/v2.0/companies(" + c.cfg.CompanyID + ")/" + set
}

// subscribes reports whether s sends notifications of the company's
// entity set to url, whatever form (relative or absolute) its resource is
// written in.
func (c *Client) subscribes(s Subscription, url, set string) bool {
	return s.NotificationURL == url && s.EntitySet() == set &&
		strings.Contains(strings.ToLower(s.Resource), "companies("+strings.ToLower(c.cfg.CompanyID)+")")
}

// subscriptionPath is the path of one subscription; its key is a string.
func subscriptionPath(id string) string { return "/subscriptions(" + quote(id) + ")" }

// Subscriptions lists the environment's webhook subscriptions.
func (c *Client) Subscriptions(ctx context.Context) ([]Subscription, error) {
	return readAll[Subscription](ctx, c, "/subscriptions")
}

// Subscribe creates a subscription to an entity set of the company (such
// as "salesOrders"). Business Central calls notificationURL with a
// validationToken before it answers, so the webhook handler must be
// serving by then.
func (c *Client) Subscribe(ctx context.Context, entitySet, notificationURL, clientState string) (Subscription, error) {
	if err := checkNotificationURL(notificationURL); err != nil {
		return Subscription{}, c.invalid("subscriptions.create", "notificationUrl", "url", notificationURL, err.Error())
	}
	if len(clientState) > MaxClientState {
		return Subscription{}, c.invalid("subscriptions.create", "clientState", "max", "", fmt.Sprintf("is longer than %d characters", MaxClientState))
	}
	body := map[string]any{"notificationUrl": notificationURL, "resource": c.resource(entitySet), "clientState": clientState}
	var out Subscription
	err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodPost, Path: "/subscriptions", Body: body}, &out)
	return out, err
}

// Renew extends a subscription by another lifetime (PATCH with If-Match,
// which makes Business Central repeat the handshake).
func (c *Client) Renew(ctx context.Context, s Subscription) (Subscription, error) {
	body := map[string]any{"notificationUrl": s.NotificationURL, "resource": s.Resource, "clientState": s.ClientState}
	var out Subscription
	err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodPatch, Path: subscriptionPath(s.ID), Header: ifMatch(s.ETag),
		Body: body, Idempotent: true}, &out)
	return out, err
}

// Unsubscribe deletes a subscription; one that is gone already is not an
// error.
func (c *Client) Unsubscribe(ctx context.Context, s Subscription) error {
	_, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: subscriptionPath(s.ID), Header: ifMatch(s.ETag)})
	if connector.KindOf(err) == connector.NotFound {
		return nil
	}
	return err
}

// SubscriptionSpec says which subscriptions should exist.
type SubscriptionSpec struct {
	// NotificationURL is where Business Central sends notifications: the
	// URL the WebhookHandler serves.
	NotificationURL string
	// ClientState is the shared secret sent with every notification.
	ClientState string
	// EntitySets are the entity sets to subscribe to, such as "customers",
	// "salesOrders", "salesInvoices", "items".
	EntitySets []string
	// RenewBefore renews a subscription that expires within this time
	// (default DefaultRenewBefore).
	RenewBefore time.Duration
}

// EnsureSubscriptions makes the subscriptions of spec exist and last: it
// creates those missing, renews those that expire within RenewBefore (or
// whose clientState changed), and leaves the others. It returns the
// subscriptions of spec, in the order of spec.EntitySets.
func (c *Client) EnsureSubscriptions(ctx context.Context, spec SubscriptionSpec) ([]Subscription, error) {
	if spec.RenewBefore <= 0 {
		spec.RenewBefore = DefaultRenewBefore
	}
	have, err := c.Subscriptions(ctx)
	if err != nil {
		return nil, err
	}
	now := c.clock.Now()
	out := make([]Subscription, 0, len(spec.EntitySets))
	var errs []error
	for _, set := range spec.EntitySets {
		i := slices.IndexFunc(have, func(s Subscription) bool { return c.subscribes(s, spec.NotificationURL, set) })
		switch {
		case i < 0:
			s, err := c.Subscribe(ctx, set, spec.NotificationURL, spec.ClientState)
			if err != nil {
				errs = append(errs, fmt.Errorf("subscribe to %s: %w", set, err))
				continue
			}
			out = append(out, s)
		case have[i].Expires.Sub(now) < spec.RenewBefore || have[i].ClientState != spec.ClientState:
			s := have[i]
			s.ClientState = spec.ClientState
			r, err := c.Renew(ctx, s)
			if connector.KindOf(err) == connector.NotFound {
				r, err = c.Subscribe(ctx, set, spec.NotificationURL, spec.ClientState)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("renew the subscription to %s: %w", set, err))
				continue
			}
			out = append(out, r)
		default:
			out = append(out, have[i])
		}
	}
	return out, errors.Join(errs...)
}

// KeepSubscribed runs EnsureSubscriptions now and again before the
// earliest expiry, on the Client's clock, until ctx is done; a failure is
// logged and retried after retryAfter (one minute when zero). It returns
// ctx's error.
func (c *Client) KeepSubscribed(ctx context.Context, spec SubscriptionSpec, retryAfter time.Duration) error {
	if retryAfter <= 0 {
		retryAfter = time.Minute
	}
	if spec.RenewBefore <= 0 {
		spec.RenewBefore = DefaultRenewBefore
	}
	for {
		subs, err := c.EnsureSubscriptions(ctx, spec)
		wait := retryAfter
		if err != nil {
			c.log.WarnContext(ctx, "businesscentral: keeping webhook subscriptions", "err", err)
		} else if len(subs) > 0 {
			next := subs[0].Expires
			for _, s := range subs[1:] {
				if s.Expires.Before(next) {
					next = s.Expires
				}
			}
			wait = max(retryAfter, next.Add(-spec.RenewBefore).Sub(c.clock.Now())+time.Second)
		}
		if err := c.clock.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// notificationBody is what Business Central posts to a notification URL.
type notificationBody struct {
	Value []Notification `json:"value"`
}

// Notification is one entry of a notification.
type Notification struct {
	// SubscriptionID names the subscription that notifies.
	SubscriptionID string `json:"subscriptionId"`
	// ClientState is the subscription's shared secret.
	ClientState string `json:"clientState"`
	// Resource is the changed record ("api/v2.0/companies(…)/items(…)")
	// or, for a collection, the entity set with a $filter.
	Resource string `json:"resource"`
	// ChangeType is "created", "updated", "deleted" or "collection" (many
	// records changed; Resource then carries a $filter).
	ChangeType string `json:"changeType"`
	// LastModifiedDateTime is when the record last changed.
	LastModifiedDateTime time.Time `json:"lastModifiedDateTime"`
}

// WebhookConfig configures a WebhookHandler.
type WebhookConfig struct {
	// ClientStates are the accepted clientState values: the current one
	// first, and during a rotation the previous one. Required.
	ClientStates []string
	// Notify rings a flow (typically the engine's Notify). Required.
	Notify webhook.Notify
	// Routes maps an entity set ("salesOrders") to the flows its
	// notifications ring.
	Routes map[string][]string
	// Flows are rung for every accepted notification, whatever its entity
	// set.
	Flows []string
	// Deliveries drops repeated deliveries (Business Central retries a
	// notification with the same body); nil rings on every delivery, which
	// costs a poll and loses nothing.
	Deliveries store.Deliveries
	// System names the deliveries for de-duplication (default
	// DefaultSystem).
	System string
	// MaxBody limits a notification body (default 4 MiB: a thousand
	// notifications fit in well under one).
	MaxBody int64
	// Clock times de-duplication (default the system clock).
	Clock connector.Clock
	// Logger gets a line per request (default: discard).
	Logger *slog.Logger
}

// defaultMaxBody is WebhookConfig.MaxBody's default.
const defaultMaxBody = 4 << 20

// NewWebhookHandler returns the http.Handler to serve at a subscription's
// notification URL. It
//
//   - answers the validationToken handshake (creation and renewal) with 200
//     and the token;
//   - accepts a notification when its clientState is one of ClientStates
//     (compared in constant time), ignoring entries of other subscribers;
//   - rings the flows routed to the entity sets the notifications name
//     ("collection" ones included): the doorbell, the flows then read from
//     their checkpoints;
//   - answers only 200, 408, 429 or 5xx: a delivery it refuses (a wrong
//     clientState, a body it cannot read) is answered 200 and dropped, and
//     one it could not record is answered 503, so Business Central never
//     deletes the subscription because of an answer.
func NewWebhookHandler(cfg WebhookConfig) (http.Handler, error) {
	if len(slices.DeleteFunc(slices.Clone(cfg.ClientStates), func(s string) bool { return s == "" })) == 0 {
		return nil, errors.New("businesscentral: WebhookConfig.ClientStates needs a non-empty clientState")
	}
	if cfg.Notify == nil {
		return nil, errors.New("businesscentral: WebhookConfig.Notify is required")
	}
	if cfg.System == "" {
		cfg.System = DefaultSystem
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = defaultMaxBody
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	states := slices.DeleteFunc(slices.Clone(cfg.ClientStates), func(s string) bool { return s == "" })
	inner, err := webhook.New(webhook.Config{
		Verifier:   webhook.VerifierFunc(verifier(cfg.System, states)),
		Notify:     cfg.Notify,
		Router:     webhook.RouterFunc(router(cfg.Routes)),
		Flows:      cfg.Flows,
		Deliveries: cfg.Deliveries,
		MaxBody:    cfg.MaxBody,
		Handshake:  webhook.ValidationToken("validationToken"),
		Clock:      cfg.Clock,
		Logger:     cfg.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("businesscentral: %w", err)
	}
	return &webhookHandler{inner: inner, log: cfg.Logger}, nil
}

// verifier checks the clientState of each notification and names the
// delivery: its ID is a hash of the body (a retry sends the same body) and
// its topic the entity sets it names, space-separated.
func verifier(system string, states []string) func(*http.Request, []byte, time.Time) (webhook.Delivery, error) {
	return func(r *http.Request, body []byte, _ time.Time) (webhook.Delivery, error) {
		d := webhook.Delivery{System: system}
		if r.Method != http.MethodPost {
			return d, connector.Errorf(connector.Unauthorized, system, "a notification is a POST")
		}
		var nb notificationBody
		if err := json.Unmarshal(body, &nb); err != nil {
			return d, connector.Errorf(connector.Unauthorized, system, "the notification body does not decode: %v", err)
		}
		var sets []string
		for _, n := range nb.Value {
			if !knownState(states, n.ClientState) {
				continue // another subscriber's, or forged
			}
			if set := resourceSet(n.Resource); set != "" && !slices.Contains(sets, set) {
				sets = append(sets, set)
			}
		}
		if len(sets) == 0 {
			return d, connector.Errorf(connector.Unauthorized, system, "no notification with a known clientState")
		}
		sum := sha256.Sum256(body)
		d.ID = hex.EncodeToString(sum[:16])
		d.Topic = strings.Join(sets, " ")
		return d, nil
	}
}

// knownState compares a clientState with the accepted ones in constant
// time.
func knownState(states []string, got string) bool {
	ok := false
	for _, s := range states {
		if subtle.ConstantTimeCompare([]byte(s), []byte(got)) == 1 {
			ok = true
		}
	}
	return ok
}

// router rings the flows of every entity set a delivery names.
func router(routes map[string][]string) func(webhook.Delivery) []string {
	return func(d webhook.Delivery) []string {
		var out []string
		for set := range strings.FieldsSeq(d.Topic) {
			for _, f := range routes[set] {
				if !slices.Contains(out, f) {
					out = append(out, f)
				}
			}
		}
		return out
	}
}

// webhookHandler rewrites the statuses Business Central would take as a
// reason to delete the subscription.
type webhookHandler struct {
	inner http.Handler
	log   *slog.Logger
}

// ServeHTTP serves the inner handler and keeps its answer to 200, 408,
// 429 or 5xx.
func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.inner.ServeHTTP(&safeStatus{ResponseWriter: w, log: h.log, r: r}, r)
}

// safeStatus turns any status other than 2xx, 408, 429 and 5xx into 200.
type safeStatus struct {
	http.ResponseWriter
	log   *slog.Logger
	r     *http.Request
	wrote bool
}

// WriteHeader writes a status Business Central will not delete the
// subscription for.
func (s *safeStatus) WriteHeader(code int) {
	if s.wrote {
		return
	}
	s.wrote = true
	switch {
	case code/100 == 2, code == http.StatusRequestTimeout, code == http.StatusTooManyRequests, code >= 500:
	default:
		s.log.WarnContext(s.r.Context(), "businesscentral: webhook request refused; answered 200 so the subscription stays",
			"status", code, "path", s.r.URL.Path)
		code = http.StatusOK
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write writes the body (after a 200 if no status was written).
func (s *safeStatus) Write(b []byte) (int, error) {
	if !s.wrote {
		s.WriteHeader(http.StatusOK)
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the original writer.
func (s *safeStatus) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// notificationURL checks a notification URL.
func checkNotificationURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return fmt.Errorf("businesscentral: notification URL %q is not an http(s) URL", u)
	}
	return nil
}
