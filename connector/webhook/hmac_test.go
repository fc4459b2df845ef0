package webhook_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/webhook"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// shopifyStyle is the HMAC the Shopify package is expected to build.
func shopifyStyle(secrets ...string) webhook.HMAC {
	return webhook.HMAC{
		System:          "shopify",
		Header:          "X-Shopify-Hmac-Sha256",
		Encoding:        webhook.Base64,
		Secrets:         secrets,
		IDHeader:        "X-Shopify-Webhook-Id",
		TopicHeader:     "X-Shopify-Topic",
		TimestampHeader: "X-Shopify-Triggered-At",
	}
}

// hubspotPayload signs method + full URL + body + timestamp, as HubSpot v3.
func hubspotPayload(r *http.Request, body []byte) ([]byte, error) {
	ts := r.Header.Get("X-HubSpot-Request-Timestamp")
	if ts == "" {
		return nil, errors.New("no timestamp")
	}
	url := "https://" + r.Host + r.URL.RequestURI()
	return []byte(r.Method + url + string(body) + ts), nil
}

func hubspotStyle(secret string) webhook.HMAC {
	return webhook.HMAC{
		System:          "hubspot",
		Header:          "X-HubSpot-Signature-v3",
		Secrets:         []string{secret},
		Payload:         hubspotPayload,
		TimestampHeader: "X-HubSpot-Request-Timestamp",
		Tolerance:       5 * time.Minute,
	}
}

func TestHMACVerify(t *testing.T) {
	body := []byte(`{"id":820982911946154508,"total_price":"10.00"}`)
	b64 := func(secret string, b []byte) string { return webhook.Sign(webhook.Base64, secret, b) }
	hexs := func(secret string, b []byte) string { return webhook.Sign(webhook.Hex, secret, b) }
	ms := func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
	hsSig := func(secret, method, target, ts string, b []byte) string {
		p, _ := hubspotPayload(withHeaders(httptest.NewRequest(method, target, nil),
			map[string]string{"X-HubSpot-Request-Timestamp": ts}), b)
		return b64(secret, p)
	}
	const hsURL = "https://hooks.example.com/hubspot?portal=42"

	tests := []struct {
		name    string
		h       webhook.HMAC
		method  string // default POST
		target  string // default https://hooks.example.com/shopify
		headers map[string]string
		body    []byte
		now     time.Time
		wantErr error // nil: verifies
		want    webhook.Delivery
	}{
		{
			name: "base64 valid, delivery read from headers",
			h:    shopifyStyle("s3cret"),
			headers: map[string]string{
				"X-Shopify-Hmac-Sha256":  b64("s3cret", body),
				"X-Shopify-Webhook-Id":   "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
				"X-Shopify-Topic":        "orders/create",
				"X-Shopify-Triggered-At": "2026-03-02T09:59:58.123456789Z",
			},
			body: body,
			want: webhook.Delivery{
				System:    "shopify",
				ID:        "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
				Topic:     "orders/create",
				Timestamp: time.Date(2026, 3, 2, 9, 59, 58, 123456789, time.UTC),
			},
		},
		{
			name:    "base64 without padding",
			h:       shopifyStyle("s3cret"),
			headers: map[string]string{"X-Shopify-Hmac-Sha256": strings.TrimRight(b64("s3cret", body), "=")},
			body:    body,
			want:    webhook.Delivery{System: "shopify"},
		},
		{
			name:    "hex valid",
			h:       webhook.HMAC{System: "gh", Header: "X-Sig", Encoding: webhook.Hex, Secrets: []string{"k"}},
			headers: map[string]string{"X-Sig": hexs("k", body)},
			body:    body,
			want:    webhook.Delivery{System: "gh"},
		},
		{
			name:    "hex upper case valid",
			h:       webhook.HMAC{Header: "X-Sig", Encoding: webhook.Hex, Secrets: []string{"k"}},
			headers: map[string]string{"X-Sig": strings.ToUpper(hexs("k", body))},
			body:    body,
		},
		{
			name:    "hex with prefix (EasyPost style)",
			h:       webhook.HMAC{Header: "X-Hmac-Signature", Prefix: "hmac-sha256-hex=", Encoding: webhook.Hex, Secrets: []string{"k"}},
			headers: map[string]string{"X-Hmac-Signature": "hmac-sha256-hex=" + hexs("k", body)},
			body:    body,
		},
		{
			name:    "prefix missing",
			h:       webhook.HMAC{Header: "X-Hmac-Signature", Prefix: "hmac-sha256-hex=", Encoding: webhook.Hex, Secrets: []string{"k"}},
			headers: map[string]string{"X-Hmac-Signature": hexs("k", body)},
			body:    body,
			wantErr: webhook.ErrBadSignature,
		},
		{
			name:    "hex signature where base64 is expected",
			h:       shopifyStyle("s3cret"),
			headers: map[string]string{"X-Shopify-Hmac-Sha256": hexs("s3cret", body)},
			body:    body,
			wantErr: webhook.ErrBadSignature,
		},
		{
			name:    "rotation: old secret still valid",
			h:       shopifyStyle("new", "old"),
			headers: map[string]string{"X-Shopify-Hmac-Sha256": b64("old", body)},
			body:    body,
			want:    webhook.Delivery{System: "shopify"},
		},
		{
			name:    "rotation: new secret valid",
			h:       shopifyStyle("new", "old"),
			headers: map[string]string{"X-Shopify-Hmac-Sha256": b64("new", body)},
			body:    body,
			want:    webhook.Delivery{System: "shopify"},
		},
		{
			name:    "retired secret refused",
			h:       shopifyStyle("new"),
			headers: map[string]string{"X-Shopify-Hmac-Sha256": b64("old", body)},
			body:    body,
			wantErr: webhook.ErrBadSignature,
		},
		{
			name:    "tampered body",
			h:       shopifyStyle("s3cret"),
			headers: map[string]string{"X-Shopify-Hmac-Sha256": b64("s3cret", body)},
			body:    []byte(strings.Replace(string(body), "10.00", "0.01", 1)),
			wantErr: webhook.ErrBadSignature,
		},
		{
			name:    "re-serialised body (whitespace) refused",
			h:       shopifyStyle("s3cret"),
			headers: map[string]string{"X-Shopify-Hmac-Sha256": b64("s3cret", body)},
			body:    []byte(strings.Replace(string(body), ",", ", ", 1)),
			wantErr: webhook.ErrBadSignature,
		},
		{
			name:    "missing signature header",
			h:       shopifyStyle("s3cret"),
			headers: map[string]string{"X-Shopify-Webhook-Id": "1"},
			body:    body,
			wantErr: webhook.ErrNoSignature,
		},
		{
			name:    "signature not decodable",
			h:       shopifyStyle("s3cret"),
			headers: map[string]string{"X-Shopify-Hmac-Sha256": "%%%not base64%%%"},
			body:    body,
			wantErr: webhook.ErrBadSignature,
		},
		{
			name:    "no header configured",
			h:       webhook.HMAC{Secrets: []string{"k"}},
			headers: map[string]string{"X-Sig": b64("k", body)},
			body:    body,
			wantErr: webhook.ErrNoSignature,
		},
		{
			name:    "no secret configured",
			h:       shopifyStyle(),
			headers: map[string]string{"X-Shopify-Hmac-Sha256": b64("", body)},
			body:    body,
			wantErr: webhook.ErrNoSecret,
		},
		{
			name:    "empty secret is ignored, never an open door",
			h:       shopifyStyle(""),
			headers: map[string]string{"X-Shopify-Hmac-Sha256": b64("", body)},
			body:    body,
			wantErr: webhook.ErrNoSecret,
		},
		{
			name:    "unknown encoding",
			h:       webhook.HMAC{Header: "X-Sig", Encoding: 9, Secrets: []string{"k"}},
			headers: map[string]string{"X-Sig": b64("k", body)},
			body:    body,
			wantErr: webhook.ErrBadSignature,
		},
		{
			name:    "tolerance 0 ignores an unreadable timestamp",
			h:       shopifyStyle("s3cret"),
			headers: map[string]string{"X-Shopify-Hmac-Sha256": b64("s3cret", body), "X-Shopify-Triggered-At": "yesterday"},
			body:    body,
			want:    webhook.Delivery{System: "shopify"},
		},
		{
			name:   "hubspot v3 valid within tolerance",
			h:      hubspotStyle("cs"),
			target: hsURL,
			headers: map[string]string{
				"X-HubSpot-Request-Timestamp": ms(t0.Add(-4 * time.Minute)),
				"X-HubSpot-Signature-v3":      hsSig("cs", "POST", hsURL, ms(t0.Add(-4*time.Minute)), body),
			},
			body: body,
			now:  t0,
			want: webhook.Delivery{System: "hubspot", Timestamp: time.UnixMilli(t0.Add(-4 * time.Minute).UnixMilli())},
		},
		{
			name:   "hubspot v3 too old",
			h:      hubspotStyle("cs"),
			target: hsURL,
			headers: map[string]string{
				"X-HubSpot-Request-Timestamp": ms(t0.Add(-6 * time.Minute)),
				"X-HubSpot-Signature-v3":      hsSig("cs", "POST", hsURL, ms(t0.Add(-6*time.Minute)), body),
			},
			body:    body,
			now:     t0,
			wantErr: webhook.ErrTimestamp,
		},
		{
			name:   "hubspot v3 from the future",
			h:      hubspotStyle("cs"),
			target: hsURL,
			headers: map[string]string{
				"X-HubSpot-Request-Timestamp": ms(t0.Add(6 * time.Minute)),
				"X-HubSpot-Signature-v3":      hsSig("cs", "POST", hsURL, ms(t0.Add(6*time.Minute)), body),
			},
			body:    body,
			now:     t0,
			wantErr: webhook.ErrTimestamp,
		},
		{
			name:   "hubspot v3 replayed with a fresh timestamp",
			h:      hubspotStyle("cs"),
			target: hsURL,
			headers: map[string]string{
				"X-HubSpot-Request-Timestamp": ms(t0),
				"X-HubSpot-Signature-v3":      hsSig("cs", "POST", hsURL, ms(t0.Add(-time.Hour)), body),
			},
			body:    body,
			now:     t0,
			wantErr: webhook.ErrBadSignature,
		},
		{
			name:   "hubspot v3 signed for another URL",
			h:      hubspotStyle("cs"),
			target: hsURL,
			headers: map[string]string{
				"X-HubSpot-Request-Timestamp": ms(t0),
				"X-HubSpot-Signature-v3":      hsSig("cs", "POST", "https://hooks.example.com/hubspot?portal=43", ms(t0), body),
			},
			body:    body,
			now:     t0,
			wantErr: webhook.ErrBadSignature,
		},
		{
			name:    "hubspot v3 without timestamp",
			h:       hubspotStyle("cs"),
			target:  hsURL,
			headers: map[string]string{"X-HubSpot-Signature-v3": hsSig("cs", "POST", hsURL, "", body)},
			body:    body,
			now:     t0,
			wantErr: webhook.ErrBadSignature, // the payload needs it
		},
		{
			name: "tolerance without timestamp header",
			h: webhook.HMAC{
				Header: "X-Sig", Secrets: []string{"k"},
				TimestampHeader: "X-Ts", Tolerance: time.Minute,
			},
			headers: map[string]string{"X-Sig": b64("k", body)},
			body:    body,
			now:     t0,
			wantErr: webhook.ErrTimestamp,
		},
		{
			name: "tolerance with unreadable timestamp",
			h: webhook.HMAC{
				Header: "X-Sig", Secrets: []string{"k"},
				TimestampHeader: "X-Ts", Tolerance: time.Minute,
			},
			headers: map[string]string{"X-Sig": b64("k", body), "X-Ts": "soon"},
			body:    body,
			now:     t0,
			wantErr: webhook.ErrTimestamp,
		},
		{
			name: "tolerance with Unix seconds at the edge",
			h: webhook.HMAC{
				Header: "X-Sig", Secrets: []string{"k"},
				TimestampHeader: "X-Ts", Tolerance: time.Minute,
			},
			headers: map[string]string{"X-Sig": b64("k", body), "X-Ts": strconv.FormatInt(t0.Add(-time.Minute).Unix(), 10)},
			body:    body,
			now:     t0,
			want:    webhook.Delivery{Timestamp: time.Unix(t0.Add(-time.Minute).Unix(), 0)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, target := tt.method, tt.target
			if method == "" {
				method = http.MethodPost
			}
			if target == "" {
				target = "https://hooks.example.com/shopify"
			}
			r := withHeaders(httptest.NewRequest(method, target, nil), tt.headers)
			d, err := tt.h.Verify(r, tt.body, tt.now)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
				}
				if !errors.Is(err, connector.Unauthorized) {
					t.Errorf("Verify error kind = %v, want unauthorized", connector.KindOf(err))
				}
				for _, v := range tt.headers {
					if len(v) > 8 && strings.Contains(err.Error(), v) {
						t.Errorf("error %q leaks header value %q", err, v)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !d.Timestamp.Equal(tt.want.Timestamp) {
				t.Errorf("Timestamp = %v, want %v", d.Timestamp, tt.want.Timestamp)
			}
			d.Timestamp, tt.want.Timestamp = time.Time{}, time.Time{}
			if d != tt.want {
				t.Errorf("Delivery = %+v, want %+v", d, tt.want)
			}
		})
	}
}

func TestHMACSignRequestRoundTrip(t *testing.T) {
	body := []byte(`{"events":[],"entropy":"XYZ"}`)
	configs := map[string]webhook.HMAC{
		"xero base64":    {System: "xero", Header: "x-xero-signature", Secrets: []string{"key"}},
		"easypost hex":   {Header: "X-Hmac-Signature", Prefix: "hmac-sha256-hex=", Encoding: webhook.Hex, Secrets: []string{"key"}},
		"rotation first": {Header: "X-Sig", Secrets: []string{"", "new", "old"}},
		"hubspot v3":     hubspotStyle("cs"),
	}
	for name, h := range configs {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "https://hooks.example.com/in?a=b", nil)
			r.Header.Set("X-HubSpot-Request-Timestamp", strconv.FormatInt(t0.UnixMilli(), 10))
			if err := h.SignRequest(r, body); err != nil {
				t.Fatalf("SignRequest: %v", err)
			}
			if _, err := h.Verify(r, body, t0); err != nil {
				t.Fatalf("Verify after SignRequest: %v", err)
			}
			// Signed with the first non-empty secret: a verifier that knows only
			// that one accepts it.
			only := h
			only.Secrets = []string{firstNonEmpty(h.Secrets)}
			if _, err := only.Verify(r, body, t0); err != nil {
				t.Errorf("not signed with the first secret: %v", err)
			}
		})
	}
}

func TestHMACSignRequestErrors(t *testing.T) {
	tests := []struct {
		name string
		h    webhook.HMAC
		want error
	}{
		{"no secret", webhook.HMAC{Header: "X-Sig"}, webhook.ErrNoSecret},
		{"no header", webhook.HMAC{Secrets: []string{"k"}}, webhook.ErrNoSignature},
		{"unknown encoding", webhook.HMAC{Header: "X-Sig", Secrets: []string{"k"}, Encoding: 7}, webhook.ErrBadSignature},
		{"payload fails", hubspotStyle("cs"), webhook.ErrBadSignature}, // no timestamp header set
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			if err := tt.h.SignRequest(r, []byte("{}")); !errors.Is(err, tt.want) {
				t.Fatalf("SignRequest error = %v, want %v", err, tt.want)
			}
			if len(r.Header) != 0 {
				t.Errorf("headers set on failure: %v", r.Header)
			}
		})
	}
}

func TestSignKnownVector(t *testing.T) {
	// RFC 4231 test case 2.
	const want = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if got := webhook.Sign(webhook.Hex, "Jefe", []byte("what do ya want for nothing?")); got != want {
		t.Errorf("Sign hex = %s, want %s", got, want)
	}
	if got := webhook.Sign(webhook.Encoding(5), "Jefe", nil); got != "" {
		t.Errorf("Sign with unknown encoding = %q, want empty", got)
	}
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "1772445600", want: time.Unix(1772445600, 0)},
		{in: " 1772445600 ", want: time.Unix(1772445600, 0)},
		{in: "1772445600123", want: time.UnixMilli(1772445600123)},
		{in: "2026-03-02T10:00:00Z", want: t0},
		{in: "2026-03-02T11:00:00.5+01:00", want: t0.Add(500 * time.Millisecond)},
		{in: "", wantErr: true},
		{in: "Mon, 02 Mar 2026 10:00:00 GMT", wantErr: true},
		{in: "99999999999999999999999", wantErr: true},
	}
	for _, tt := range tests {
		got, err := webhook.ParseTimestamp(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseTimestamp(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseTimestamp(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func withHeaders(r *http.Request, h map[string]string) *http.Request {
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return r
}

func firstNonEmpty(ss []string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
