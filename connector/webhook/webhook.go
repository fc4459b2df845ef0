package webhook

import (
	"errors"
	"net/http"
	"time"
)

// Delivery describes one verified webhook delivery. It names the delivery; it
// does not carry the data, which the flows read from the system itself.
type Delivery struct {
	// System names the platform that sent it, such as "shopify".
	System string
	// ID is the platform's delivery ID (X-Shopify-Webhook-Id, ...), the key for
	// de-duplication. Empty means the delivery cannot be de-duplicated; it still
	// rings, which is harmless because the poll is the truth.
	ID string
	// Topic is the event topic, such as "orders/create", used for routing.
	Topic string
	// Timestamp is when the platform says it sent the delivery, if it says.
	Timestamp time.Time
}

// Verifier checks that a request came from the platform and describes it.
//
// Verify gets the request (headers, method, URL), the raw body bytes exactly as
// received, and the current time from the handler's clock. It returns an error
// when the request must be refused; the handler then answers 401 and rings no
// one. An error of kind connector.Transient (a key server that is down, say)
// answers 503 instead, so the platform retries. Verify may fill the Delivery
// it returns with an error as far as it got, for logging; the handler never
// acts on it. Implementations must be safe for concurrent use and must not
// read r.Body: the handler has already read it into body.
type Verifier interface {
	Verify(r *http.Request, body []byte, now time.Time) (Delivery, error)
}

// VerifierFunc adapts a function to a Verifier.
type VerifierFunc func(r *http.Request, body []byte, now time.Time) (Delivery, error)

// Verify calls f.
func (f VerifierFunc) Verify(r *http.Request, body []byte, now time.Time) (Delivery, error) {
	return f(r, body, now)
}

// Errors a verifier built with HMAC wraps, inside a *connector.Error of kind
// connector.Unauthorized. Test with errors.Is. Their text never contains a
// secret or a signature.
var (
	// ErrNoSignature means the signature header is missing or not configured.
	ErrNoSignature = errors.New("webhook: missing signature")
	// ErrBadSignature means the signature does not match the body under any
	// of the secrets, or cannot be decoded.
	ErrBadSignature = errors.New("webhook: signature mismatch")
	// ErrTimestamp means a tolerance is set and the timestamp is missing,
	// unreadable, or too far from now.
	ErrTimestamp = errors.New("webhook: timestamp missing or outside tolerance")
	// ErrNoSecret means the verifier has no non-empty secret to check with.
	ErrNoSecret = errors.New("webhook: no secret configured")
)

// Notify rings the doorbell of one flow: it asks the flow to read from its
// checkpoint soon. The engine's Notify method has this shape. It must return
// quickly and must be safe for concurrent use; the handler calls it before it
// returns, once per flow per delivery.
type Notify func(flow string)

// Router says which flows listen to a delivery.
type Router interface {
	// Route returns the names of the flows to ring for d.
	Route(d Delivery) []string
}

// RouterFunc adapts a function to a Router.
type RouterFunc func(d Delivery) []string

// Route calls f.
func (f RouterFunc) Route(d Delivery) []string { return f(d) }

// Routes maps a topic to the flows that listen to it. A topic that is not in
// the map rings no flow (beyond the handler's default Flows).
type Routes map[string][]string

// Route returns the flows listed for d.Topic.
func (m Routes) Route(d Delivery) []string { return m[d.Topic] }

// Handshake answers a request that is a subscription handshake rather than a
// delivery. It runs before verification, for GET and POST, with the body
// already read (and limited). If the request is a handshake it writes the
// whole answer and returns true; otherwise it writes nothing and returns false,
// and the handler treats the request as a delivery.
type Handshake func(w http.ResponseWriter, r *http.Request, body []byte) (handled bool)

// ValidationToken returns the handshake of Business Central and Microsoft
// Graph subscriptions: when the URL has the query parameter param (they use
// "validationToken") with a non-empty value, it answers 200 with the value as
// a text/plain body.
func ValidationToken(param string) Handshake {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) bool {
		token := r.URL.Query().Get(param)
		if token == "" {
			return false
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(token))
		return true
	}
}
