package webhook

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
)

// Defaults for Config fields left zero.
const (
	// DefaultMaxBody is the body size limit: 1 MiB.
	DefaultMaxBody int64 = 1 << 20
	// DefaultDedupeTTL is how long delivery IDs are remembered: longer than
	// the retry windows of the platforms we know (Xero 24 h, Business
	// Central about 36 h).
	DefaultDedupeTTL = 72 * time.Hour
)

// Outcomes, as logged in the "outcome" attribute of each request's log line.
const (
	OutcomeAccepted  = "accepted"           // verified, recorded, flows rung
	OutcomeDuplicate = "duplicate"          // delivery ID already seen; nothing rung
	OutcomeRejected  = "rejected"           // verification failed (401, or 503 if transient)
	OutcomeTooLarge  = "too-large"          // body over MaxBody (413)
	OutcomeBadBody   = "unreadable"         // body could not be read (400)
	OutcomeStoreErr  = "store-error"        // de-duplication store failed (503)
	OutcomeHandshake = "handshake"          // a Handshake answered
	OutcomeMethod    = "method-not-allowed" // not GET or POST, or GET that is no handshake (405)
)

// Config configures a Handler. Verifier and Notify are required.
type Config struct {
	// Verifier checks each delivery. Required.
	Verifier Verifier
	// Notify rings one flow, typically the engine's Notify method. Required.
	Notify Notify
	// Router picks the flows to ring for a delivery's topic. Nil rings only
	// Flows.
	Router Router
	// Flows are rung for every accepted delivery, whatever its topic.
	Flows []string
	// Deliveries records delivery IDs to drop duplicates, keyed by the
	// Delivery's System and ID. Nil disables de-duplication, and so does a
	// Delivery without a System or an ID: every verified delivery then rings,
	// which costs a poll and loses nothing.
	Deliveries store.Deliveries
	// DedupeTTL is how long a delivery ID is remembered. Zero means
	// DefaultDedupeTTL.
	DedupeTTL time.Duration
	// MaxBody limits the body size in bytes; a larger body answers 413. Zero
	// or less means DefaultMaxBody.
	MaxBody int64
	// Handshake, if set, answers subscription handshakes before verification.
	Handshake Handshake
	// OnDelivery, if set, sees every accepted delivery with its verified raw
	// body, for logging or metrics, before the flows are rung. It must not
	// treat the body as the truth, must return quickly, and must not modify
	// the body.
	OnDelivery func(ctx context.Context, d Delivery, body []byte)
	// Clock gives the time for verification and de-duplication. Nil means
	// connector.SystemClock().
	Clock connector.Clock
	// Logger gets one line per request. Nil discards logs. Secrets and
	// signatures are never logged.
	Logger *slog.Logger
}

// Handler is an http.Handler for one webhook endpoint. It limits the body,
// answers handshakes, verifies, de-duplicates, answers, and rings the flows
// routed to the delivery's topic. It is safe for concurrent use.
type Handler struct {
	cfg Config
}

// New returns a Handler for cfg, or an error if Verifier or Notify is missing.
func New(cfg Config) (*Handler, error) {
	if cfg.Verifier == nil {
		return nil, errors.New("webhook: Config.Verifier is required")
	}
	if cfg.Notify == nil {
		return nil, errors.New("webhook: Config.Notify is required")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.DedupeTTL <= 0 {
		cfg.DedupeTTL = DefaultDedupeTTL
	}
	if cfg.Clock == nil {
		cfg.Clock = connector.SystemClock()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Flows = append([]string(nil), cfg.Flows...)
	return &Handler{cfg: cfg}, nil
}

// ServeHTTP handles one request. See the package documentation for the
// answers it gives.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		h.methodNotAllowed(w, r)
		return
	}
	if r.ContentLength > h.cfg.MaxBody {
		h.log(ctx, slog.LevelWarn, r, Delivery{}, OutcomeTooLarge, http.StatusRequestEntityTooLarge, nil)
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.log(ctx, slog.LevelWarn, r, Delivery{}, OutcomeTooLarge, http.StatusRequestEntityTooLarge, nil)
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		h.log(ctx, slog.LevelWarn, r, Delivery{}, OutcomeBadBody, http.StatusBadRequest, err)
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}

	if h.cfg.Handshake != nil && h.cfg.Handshake(w, r, body) {
		h.log(ctx, slog.LevelInfo, r, Delivery{}, OutcomeHandshake, 0, nil)
		return
	}
	if r.Method != http.MethodPost {
		h.methodNotAllowed(w, r)
		return
	}

	now := h.cfg.Clock.Now()
	d, err := h.cfg.Verifier.Verify(r, body, now)
	if err != nil {
		status := http.StatusUnauthorized
		if connector.KindOf(err) == connector.Transient {
			status = http.StatusServiceUnavailable
		}
		h.log(ctx, slog.LevelWarn, r, d, OutcomeRejected, status, err)
		http.Error(w, http.StatusText(status), status)
		return
	}

	if h.cfg.Deliveries != nil && d.System != "" && d.ID != "" {
		seen, err := h.cfg.Deliveries.SeenDelivery(ctx, d.System, d.ID, now, h.cfg.DedupeTTL)
		if err != nil {
			h.log(ctx, slog.LevelError, r, d, OutcomeStoreErr, http.StatusServiceUnavailable, err)
			http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
			return
		}
		if seen {
			h.log(ctx, slog.LevelInfo, r, d, OutcomeDuplicate, http.StatusOK, nil)
			w.WriteHeader(http.StatusOK)
			return
		}
	}

	if h.cfg.OnDelivery != nil {
		h.cfg.OnDelivery(ctx, d, body)
	}
	flows := h.flows(d)
	// Answer first: the flows read from their checkpoints on their own time.
	w.WriteHeader(http.StatusOK)
	for _, f := range flows {
		h.cfg.Notify(f)
	}
	h.log(ctx, slog.LevelInfo, r, d, OutcomeAccepted, http.StatusOK, nil, slog.Any("flows", flows))
}

// flows returns the routed flows followed by the default ones, each once.
func (h *Handler) flows(d Delivery) []string {
	var routed []string
	if h.cfg.Router != nil {
		routed = h.cfg.Router.Route(d)
	}
	out := make([]string, 0, len(routed)+len(h.cfg.Flows))
	seen := make(map[string]bool, cap(out))
	for _, list := range [][]string{routed, h.cfg.Flows} {
		for _, f := range list {
			if f != "" && !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

func (h *Handler) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	allow := "POST"
	if h.cfg.Handshake != nil {
		allow = "GET, POST"
	}
	w.Header().Set("Allow", allow)
	h.log(r.Context(), slog.LevelWarn, r, Delivery{}, OutcomeMethod, http.StatusMethodNotAllowed, nil)
	http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
}

func (h *Handler) log(ctx context.Context, level slog.Level, r *http.Request, d Delivery, outcome string, status int, err error, extra ...slog.Attr) {
	if !h.cfg.Logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 8+len(extra))
	attrs = append(attrs,
		slog.String("system", clip(d.System)),
		slog.String("topic", clip(d.Topic)),
		slog.String("id", clip(d.ID)),
		slog.String("outcome", outcome),
		slog.String("method", r.Method),
	)
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	attrs = append(attrs, extra...)
	h.cfg.Logger.LogAttrs(ctx, level, "webhook delivery", attrs...)
}

// clip shortens a header value for a log line: a rejected request's headers
// are whatever the sender chose, up to the server's header limit.
func clip(s string) string {
	const limit = 200
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "…"
}
