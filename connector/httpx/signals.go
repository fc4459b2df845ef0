package httpx

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Observation is what one response says about the server's rate limits. The
// zero Observation says nothing.
type Observation struct {
	// Wait is how long every caller should hold off: a Retry-After, or the
	// time until an exhausted quota resets.
	Wait time.Duration
	// Rate is the sustained rate the server allows, in requests (or cost
	// units) per second; zero when the response does not say.
	Rate rate.Limit
}

// merge combines two observations: the longer wait and the lower known rate.
func (o Observation) merge(p Observation) Observation {
	if p.Wait > o.Wait {
		o.Wait = p.Wait
	}
	if p.Rate > 0 && (o.Rate <= 0 || p.Rate < o.Rate) {
		o.Rate = p.Rate
	}
	return o
}

// Signal reads rate-limit information from a response. body is the response
// body as read by the Client (capped at the response or error-body limit), so a
// Signal can look inside it: a Shopify GraphQL signal reads
// extensions.cost.throttleStatus from the JSON. now is the Client's clock.
// A Signal must not keep resp or body, and must be safe for concurrent use.
type Signal func(resp *http.Response, body []byte, now time.Time) Observation

// DefaultSignals returns the Signals a Client uses when Config.Signals is nil:
// RetryAfter, RateLimitHeaders and XRateLimitHeaders. Platform packages append
// their own:
//
//	Signals: append(httpx.DefaultSignals(), httpx.HubSpotHeaders)
func DefaultSignals() []Signal {
	return []Signal{RetryAfter, RateLimitHeaders, XRateLimitHeaders}
}

// RetryAfter reads the Retry-After header (RFC 9110, section 10.2.3) of a 429
// or 5xx response, in delta-seconds or as an HTTP-date. A date is measured
// against the response's Date header when there is one, so that the wait does
// not depend on how far our clock is from the server's; otherwise against now.
func RetryAfter(resp *http.Response, _ []byte, now time.Time) Observation {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
		return Observation{}
	}
	return Observation{Wait: retryAfter(resp.Header, now)}
}

// retryAfter parses Retry-After; zero when absent, malformed or in the past.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, ok := parseSeconds(v); ok {
		return secs
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		now = d
	}
	if wait := at.Sub(now); wait > 0 {
		return wait
	}
	return 0
}

// parseSeconds reads a non-negative number of seconds, whole or decimal.
func parseSeconds(v string) (time.Duration, bool) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	if f > float64(math.MaxInt64/int64(time.Second)) {
		f = float64(math.MaxInt64 / int64(time.Second))
	}
	return time.Duration(f * float64(time.Second)), true
}

// Header names in this file are written in canonical form ("X-Ratelimit-Reset"
// for X-RateLimit-Reset), which spares http.Header.Get an allocation per lookup.

// headerInt reads an integer header; ok is false when absent or malformed.
func headerInt(h http.Header, name string) (int64, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	// Some servers send "5, 5" when a proxy duplicates the header.
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, false
		}
		n = int64(f)
	}
	return n, true
}

// epochThreshold separates a reset given as a Unix time from one given in
// seconds: no API resets its quota more than thirty years from now.
const epochThreshold = 1e9

// XRateLimitHeaders reads the de-facto X-RateLimit-Limit, X-RateLimit-Remaining
// and X-RateLimit-Reset headers (GitHub, many others). When Remaining is 0 it
// asks to wait until the reset. Reset is taken as a Unix time in seconds when it
// is large enough to be one, otherwise as seconds from now. These headers do not
// name their window, so they yield no Rate.
func XRateLimitHeaders(resp *http.Response, _ []byte, now time.Time) Observation {
	rem, ok := headerInt(resp.Header, "X-Ratelimit-Remaining")
	if !ok || rem > 0 {
		return Observation{}
	}
	v := strings.TrimSpace(resp.Header.Get("X-Ratelimit-Reset"))
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return Observation{}
	}
	if f >= epochThreshold {
		sec, frac := math.Modf(f)
		wait := time.Unix(int64(sec), int64(frac*1e9)).Sub(now)
		if wait <= 0 {
			return Observation{}
		}
		return Observation{Wait: wait}
	}
	d, _ := parseSeconds(v)
	return Observation{Wait: d}
}

// RateLimitHeaders reads the IETF RateLimit header fields
// (draft-ietf-httpapi-ratelimit-headers) in the forms servers send today:
//
//   - RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (delta-seconds),
//     with the quota policy either in RateLimit-Policy ("100;w=60") or, as in
//     early drafts, inside RateLimit-Limit ("100, 100;w=60");
//   - the newer structured RateLimit-Policy (`"default";q=100;w=60`) and the
//     combined RateLimit header, both `"default";r=0;t=30` and the older
//     `limit=100, remaining=0, reset=30`.
//
// A policy gives Rate = quota / window (the lowest, when several are listed);
// Remaining 0 with a reset gives Wait.
func RateLimitHeaders(resp *http.Response, _ []byte, _ time.Time) Observation {
	h := resp.Header
	var obs Observation
	for _, name := range [...]string{"Ratelimit-Policy", "Ratelimit-Limit"} {
		for _, v := range h.Values(name) {
			obs = obs.merge(Observation{Rate: policyRate(v)})
		}
	}
	remaining, haveRem := headerInt(h, "Ratelimit-Remaining")
	var reset time.Duration
	if v := strings.TrimSpace(h.Get("Ratelimit-Reset")); v != "" {
		reset, _ = parseSeconds(v)
	}
	if v := h.Get("Ratelimit"); v != "" {
		if r, t, ok := combinedRateLimit(v); ok {
			remaining, haveRem, reset = r, true, t
		}
	}
	if haveRem && remaining <= 0 && reset > 0 {
		obs.Wait = reset
	}
	return obs
}

// policyRate returns the lowest quota/window among the comma-separated quota
// policies in v ("100;w=60, 1000;w=3600" or `"a";q=100;w=60`), or 0.
func policyRate(v string) rate.Limit {
	var best rate.Limit
	for _, item := range strings.Split(v, ",") {
		params := strings.Split(item, ";")
		var quota, window float64
		for i, p := range params {
			p = strings.TrimSpace(p)
			k, val, hasEq := strings.Cut(p, "=")
			switch {
			case i == 0 && !hasEq:
				quota, _ = strconv.ParseFloat(p, 64) // draft form: the quota comes first
			case k == "q":
				quota, _ = strconv.ParseFloat(val, 64)
			case k == "w":
				window, _ = strconv.ParseFloat(val, 64)
			}
		}
		if quota > 0 && window > 0 && !math.IsInf(quota, 0) {
			r := rate.Limit(quota / window)
			if best == 0 || r < best {
				best = r
			}
		}
	}
	return best
}

// combinedRateLimit reads remaining and reset from the combined RateLimit
// header, in either draft syntax.
func combinedRateLimit(v string) (remaining int64, reset time.Duration, ok bool) {
	haveR, haveT := false, false
	for _, item := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
		k, val, found := strings.Cut(strings.TrimSpace(item), "=")
		if !found {
			continue
		}
		switch strings.ToLower(k) {
		case "r", "remaining":
			if n, err := strconv.ParseInt(val, 10, 64); err == nil {
				remaining, haveR = n, true
			}
		case "t", "reset":
			if d, good := parseSeconds(val); good {
				reset, haveT = d, true
			}
		}
	}
	return remaining, reset, haveR && haveT
}

// XeroHeaders reads Xero's X-MinLimit-Remaining, X-AppMinLimit-Remaining and
// X-DayLimit-Remaining. Xero sends no limit or reset time, only the calls left
// (per tenant: 60 a minute and 5000 a day; per app: 10,000 a minute across
// tenants), and a 429 with Retry-After when a limit is hit. So the signal
// holds everyone off for a minute when a minute quota is used up; an exhausted
// day quota is left to the 429's Retry-After, which names the real wait.
// Configure Xero's 60 calls a minute and 5 concurrent calls on the Limiter and
// Config.MaxInFlight.
//
// Source: https://developer.xero.com/faq/limits ("Each API response you
// receive will include the X-DayLimit-Remaining, X-MinLimit-Remaining and
// X-AppMinLimit-Remaining headers").
func XeroHeaders(resp *http.Response, _ []byte, _ time.Time) Observation {
	for _, name := range [...]string{"X-Minlimit-Remaining", "X-Appminlimit-Remaining"} {
		if n, ok := headerInt(resp.Header, name); ok && n <= 0 {
			return Observation{Wait: time.Minute}
		}
	}
	return Observation{}
}

// HubSpotHeaders reads HubSpot's X-HubSpot-RateLimit-* headers:
// X-HubSpot-RateLimit-Max requests per X-HubSpot-RateLimit-Interval-Milliseconds
// (and X-HubSpot-RateLimit-Secondly per second) give the Rate; when
// X-HubSpot-RateLimit-Remaining (or -Secondly-Remaining) is 0 it waits one
// interval. The daily quota (X-HubSpot-RateLimit-Daily-Remaining, sent only for
// API-key calls) is left to the 429 that follows, which says how long to wait.
//
// Sources: https://developers.hubspot.com/changelog/2018-11-06-rate-limit-information-headers-will-be-included-in-http-responses
// and https://developers.hubspot.com/changelog/rate-limit-headers-will-now-appear-for-oauth-authenticated-calls
// (see also https://developers.hubspot.com/apps/api_guidelines).
func HubSpotHeaders(resp *http.Response, _ []byte, _ time.Time) Observation {
	h := resp.Header
	var obs Observation
	interval := time.Duration(0)
	if ms, ok := headerInt(h, "X-Hubspot-Ratelimit-Interval-Milliseconds"); ok && ms > 0 {
		interval = time.Duration(ms) * time.Millisecond
		if limit, ok := headerInt(h, "X-Hubspot-Ratelimit-Max"); ok && limit > 0 {
			obs.Rate = rate.Limit(float64(limit) / interval.Seconds())
		}
		if rem, ok := headerInt(h, "X-Hubspot-Ratelimit-Remaining"); ok && rem <= 0 {
			obs.Wait = interval
		}
	}
	if per, ok := headerInt(h, "X-Hubspot-Ratelimit-Secondly"); ok && per > 0 {
		obs = obs.merge(Observation{Rate: rate.Limit(per)})
		if rem, ok := headerInt(h, "X-Hubspot-Ratelimit-Secondly-Remaining"); ok && rem <= 0 {
			obs = obs.merge(Observation{Wait: time.Second})
		}
	}
	return obs
}
