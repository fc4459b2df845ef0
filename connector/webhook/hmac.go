package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/junctionhq/junction/connector"
)

// Encoding is how a signature header spells the MAC bytes.
type Encoding uint8

// Signature encodings.
const (
	// Base64 is standard base64 (Shopify, Xero, WooCommerce, HubSpot v3).
	// Verification also accepts it without padding.
	Base64 Encoding = iota
	// Hex is hexadecimal (EasyPost, GitHub). Sign writes lower case;
	// verification accepts either case.
	Hex
)

// String returns "base64" or "hex".
func (e Encoding) String() string {
	switch e {
	case Base64:
		return "base64"
	case Hex:
		return "hex"
	}
	return "encoding(" + strconv.Itoa(int(e)) + ")"
}

func (e Encoding) valid() bool { return e == Base64 || e == Hex }

func (e Encoding) encode(mac []byte) string {
	switch e {
	case Base64:
		return base64.StdEncoding.EncodeToString(mac)
	case Hex:
		return hex.EncodeToString(mac)
	}
	return ""
}

func (e Encoding) decode(s string) ([]byte, bool) {
	var (
		b   []byte
		err error
	)
	switch e {
	case Base64:
		if strings.HasSuffix(s, "=") {
			b, err = base64.StdEncoding.DecodeString(s)
		} else {
			b, err = base64.RawStdEncoding.DecodeString(s)
		}
	case Hex:
		b, err = hex.DecodeString(s)
	default:
		return nil, false
	}
	return b, err == nil
}

// Sign returns the HMAC-SHA256 of payload under secret, in encoding enc: the
// value a platform puts in its signature header (before any prefix). Fake
// servers and tests use it to send webhooks a verifier accepts. It returns ""
// for an unknown encoding, which never verifies.
func Sign(enc Encoding, secret string, payload []byte) string {
	return enc.encode(mac(secret, payload))
}

func mac(secret string, payload []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(payload)
	return m.Sum(nil)
}

// Payload builds the bytes a platform signs from the request and its raw
// body, for platforms that sign more than the body. HubSpot v3, for example,
// signs method + full URL + body + timestamp header. The request is the
// incoming one when verifying and the outgoing one when signing, so a Payload
// that needs the full URL must work with both (a server request's URL has no
// scheme or host; r.Host has the host).
type Payload func(r *http.Request, body []byte) ([]byte, error)

// HMAC is a Verifier for the common webhook scheme: an HMAC-SHA256 of the raw
// body, or of a payload built from the request, sent base64 or hex in a
// header. Platform packages build their verifiers from it:
//
//	webhook.HMAC{
//		System:          "shopify",
//		Header:          "X-Shopify-Hmac-Sha256",
//		Secrets:         []string{secret},
//		IDHeader:        "X-Shopify-Webhook-Id",
//		TopicHeader:     "X-Shopify-Topic",
//		TimestampHeader: "X-Shopify-Triggered-At",
//	}
//
// Signatures are compared in constant time. A zero HMAC rejects everything.
// The value is read-only once in use and safe for concurrent use.
type HMAC struct {
	// System names the platform in the Delivery and in errors.
	System string
	// Header is the signature header, such as "X-Shopify-Hmac-Sha256".
	// Required.
	Header string
	// Prefix is text the header value starts with before the encoded MAC,
	// such as "sha256=" (GitHub) or "hmac-sha256-hex=" (EasyPost).
	Prefix string
	// Encoding of the MAC in the header. The zero value is Base64.
	Encoding Encoding
	// Secrets are the valid signing secrets; a signature made with any of them
	// verifies, so a rotation can list the new secret first and keep the old
	// one until the platform stops using it. SignRequest signs with the first.
	// Empty strings are ignored: an empty key would let anyone sign.
	Secrets []string
	// Payload builds the signed bytes from the request. Nil means the raw body.
	Payload Payload
	// IDHeader names the header with the delivery ID, for de-duplication.
	IDHeader string
	// TopicHeader names the header with the topic, for routing.
	TopicHeader string
	// TimestampHeader names the header with the time of sending.
	TimestampHeader string
	// ParseTime reads TimestampHeader. Nil means ParseTimestamp.
	ParseTime func(string) (time.Time, error)
	// Tolerance, when positive, refuses a delivery whose timestamp is missing,
	// unreadable, or more than Tolerance before or after now. It guards against
	// replays only when the platform signs the timestamp (HubSpot v3 does;
	// Shopify does not).
	Tolerance time.Duration
}

// Verify implements Verifier. It fills ID, Topic and Timestamp from the
// configured headers and checks, in order, the signature and the timestamp.
// A failure is a *connector.Error of kind connector.Unauthorized wrapping
// ErrNoSecret, ErrNoSignature, ErrBadSignature or ErrTimestamp.
func (h HMAC) Verify(r *http.Request, body []byte, now time.Time) (Delivery, error) {
	d := Delivery{System: h.System}
	if h.IDHeader != "" {
		d.ID = r.Header.Get(h.IDHeader)
	}
	if h.TopicHeader != "" {
		d.Topic = r.Header.Get(h.TopicHeader)
	}
	var tsErr error
	switch {
	case h.TimestampHeader == "":
		tsErr = errors.New("no timestamp header configured")
	case r.Header.Get(h.TimestampHeader) == "":
		tsErr = fmt.Errorf("missing header %s", h.TimestampHeader)
	default:
		parse := h.ParseTime
		if parse == nil {
			parse = ParseTimestamp
		}
		ts, err := parse(r.Header.Get(h.TimestampHeader))
		if err != nil {
			tsErr = fmt.Errorf("header %s: %v", h.TimestampHeader, err)
		} else {
			d.Timestamp = ts
		}
	}

	secrets := h.secrets()
	if len(secrets) == 0 {
		return d, h.reject(ErrNoSecret, "")
	}
	if !h.Encoding.valid() {
		return d, h.reject(ErrBadSignature, "unknown encoding "+h.Encoding.String())
	}
	if h.Header == "" {
		return d, h.reject(ErrNoSignature, "no signature header configured")
	}
	raw := r.Header.Get(h.Header)
	if raw == "" {
		return d, h.reject(ErrNoSignature, "header "+h.Header+" is empty or absent")
	}
	encoded, ok := strings.CutPrefix(strings.TrimSpace(raw), h.Prefix)
	if !ok {
		return d, h.reject(ErrBadSignature, "header "+h.Header+" lacks its prefix")
	}
	got, ok := h.Encoding.decode(encoded)
	if !ok {
		return d, h.reject(ErrBadSignature, "header "+h.Header+" is not "+h.Encoding.String())
	}
	payload, err := h.payload(r, body)
	if err != nil {
		return d, h.reject(ErrBadSignature, "signed payload: "+err.Error())
	}
	match := false
	for _, s := range secrets {
		// Check every secret, so the time taken does not say which matched.
		if hmac.Equal(got, mac(s, payload)) {
			match = true
		}
	}
	if !match {
		return d, h.reject(ErrBadSignature, "")
	}

	if h.Tolerance > 0 {
		if tsErr != nil {
			return d, h.reject(ErrTimestamp, tsErr.Error())
		}
		skew := now.Sub(d.Timestamp)
		if skew > h.Tolerance || skew < -h.Tolerance {
			return d, h.reject(ErrTimestamp, fmt.Sprintf("%s is %s from now, tolerance %s",
				d.Timestamp.UTC().Format(time.RFC3339), skew.Round(time.Second), h.Tolerance))
		}
	}
	return d, nil
}

// SignRequest sets the signature header of r as the platform would, with the
// first secret, for the body r will carry. Set any headers the Payload reads
// (a timestamp) before calling it. Fake servers use it to send webhooks.
func (h HMAC) SignRequest(r *http.Request, body []byte) error {
	secrets := h.secrets()
	switch {
	case len(secrets) == 0:
		return h.reject(ErrNoSecret, "")
	case h.Header == "":
		return h.reject(ErrNoSignature, "no signature header configured")
	case !h.Encoding.valid():
		return h.reject(ErrBadSignature, "unknown encoding "+h.Encoding.String())
	}
	payload, err := h.payload(r, body)
	if err != nil {
		return h.reject(ErrBadSignature, "signed payload: "+err.Error())
	}
	r.Header.Set(h.Header, h.Prefix+Sign(h.Encoding, secrets[0], payload))
	return nil
}

func (h HMAC) payload(r *http.Request, body []byte) ([]byte, error) {
	if h.Payload == nil {
		return body, nil
	}
	return h.Payload(r, body)
}

func (h HMAC) secrets() []string {
	out := make([]string, 0, len(h.Secrets))
	for _, s := range h.Secrets {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (h HMAC) reject(sentinel error, detail string) error {
	msg := sentinel.Error()
	if detail != "" {
		msg += ": " + detail
	}
	return &connector.Error{
		Kind:    connector.Unauthorized,
		System:  h.System,
		Op:      "webhook.verify",
		Message: msg,
		Err:     sentinel,
	}
}

// ParseTimestamp reads the timestamps platforms put in webhook headers: Unix
// seconds or Unix milliseconds (a number of 10^11 or more is taken as
// milliseconds, as HubSpot sends), or RFC 3339 with optional fractional
// seconds (as Shopify sends).
func ParseTimestamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n >= 1e11 || n <= -1e11 {
			return time.UnixMilli(n), nil
		}
		return time.Unix(n, 0), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errors.New("timestamp is neither Unix time nor RFC 3339")
	}
	return t, nil
}
