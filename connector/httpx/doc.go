// Package httpx is the HTTP/JSON client that every HTTP connector builds on. It
// does the things each connector would otherwise get subtly wrong: pacing
// requests to the server's quota, retrying only what is safe to retry, turning
// every failure into a *connector.Error with the right kind, and logging each
// attempt without leaking a secret.
//
// # A call, step by step
//
// Client.Do (and DoJSON, GetJSON, PostJSON) run one logical call as a series of
// attempts. Each attempt
//
//  1. takes one of Config.MaxInFlight in-flight slots (golang.org/x/sync/semaphore);
//  2. takes Request.Cost tokens from the Limiter, sleeping on the injected
//     connector.Clock until they are due (rate.Limiter.ReserveN, never Wait);
//  3. builds a fresh *http.Request, applies Config.Header, the idempotency key
//     and Config.Auth (called on every attempt, so tokens can refresh);
//  4. sends it with the injected *http.Client and reads the body, capped at
//     Config.MaxResponseBytes (or Config.MaxErrorBodyBytes for an error);
//  5. feeds the response to the Signals, whose Observation adapts the Limiter;
//  6. classifies the outcome: a status error (refined by Config.ClassifyError),
//     a logical error in a 2xx (Config.CheckResponse), or a JSON decode error.
//
// A failed attempt is retried when the call is safe to repeat and the error's
// kind is Transient or RateLimited, within Retry.MaxAttempts and
// Retry.MaxElapsed. The wait is the server's Retry-After when it gave one, and
// exponential backoff with jitter (github.com/cenkalti/backoff/v4) otherwise.
// Every wait runs on the Clock and ends at once when the context is done. A
// wait longer than Retry.MaxWait is not slept: the call returns a RateLimited
// error whose RetryAfter tells the flow engine when to come back. The client's
// retries are the short, in-call kind (a dropped connection, a brief 429); the
// flow engine still decides from the returned kind what happens after that. A
// platform that wants the engine to do all retrying sets Retry.MaxAttempts to 1.
//
// # What is safe to retry
//
// GET, HEAD, PUT, DELETE and OPTIONS are retried. POST and PATCH are retried
// only when they carry an idempotency key (Request.IdempotencyKey, a key in the
// idempotency header, or one generated per call when Config.AutoIdempotencyKey
// is set) or are marked Request.Idempotent. The key is chosen once per call and
// sent unchanged on every attempt, so the server can recognise a repeat.
//
// # Rate limits
//
// A Limiter is a token bucket plus what the server has told it. Signals read
// Retry-After, the X-RateLimit-* and IETF RateLimit-* headers by default, and
// Xero's and HubSpot's headers when a platform adds XeroHeaders or
// HubSpotHeaders. A Signal sees the body too, so a platform can read a cost
// budget from JSON (Shopify GraphQL's extensions.cost.throttleStatus). A wait
// pauses every caller of the Limiter; an advertised rate caps the bucket at
// that rate times the headroom. A Limiter with no configured rate sends its
// first request alone, so that callers starting together learn the server's
// policy before they flood it. Share one Limiter between the Clients that spend
// one quota.
//
// # Errors
//
// Every error is a *connector.Error with System, Op ("GET /v2/orders"), Kind
// and, when there was a response, Status and the error Body (capped). Test them
// with errors.Is(err, connector.RateLimited) and errors.As.
//
// # Pagination
//
// Paginate walks a listing as an iter.Seq2[T, error], one item at a time, with a
// Paging for the scheme: LinkHeader (RFC 8288), Cursor (a cursor or next URL in
// the body), OData (@odata.nextLink) and PageNumber (page numbers and totals).
//
// # Observability
//
// Each attempt writes one log/slog record (method, URL path and query, status,
// attempt, wait, duration; plus kind, error and retry decision on failure). The
// query's secret parameters are redacted (see IsSecretName) and no header is
// logged. Config.OnRequest and Config.OnResponse receive each Attempt, for
// metrics and tracing.
//
// A Client holds no global state and is safe for concurrent use; so is a
// Limiter. Hooks, Signals, Auth and the classifiers may be called from several
// goroutines at once.
package httpx
