package webhook_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector/webhook"
)

// FuzzVerifyHMAC checks that Verify never panics on any body or header, that
// a body signed with a configured secret always verifies, that an empty
// secret never does, and that a forged header verifies only if it decodes to
// the true MAC.
func FuzzVerifyHMAC(f *testing.F) {
	f.Add([]byte(`{"id":1}`), "s3cret", "garbage", "2026-03-02T10:00:00Z", false, int64(0))
	f.Add([]byte{}, "", "", "", true, int64(-90))
	f.Add([]byte("\x00\xff"), "key with spaces", "sha256=00ff", "1772445600000", true, int64(3600))
	f.Add([]byte(`[]`), "k", "sha256=AAAA====", "not a time", false, int64(299))

	f.Fuzz(func(t *testing.T, body []byte, secret, forged, ts string, hexEnc bool, skewSeconds int64) {
		enc := webhook.Base64
		if hexEnc {
			enc = webhook.Hex
		}
		h := webhook.HMAC{
			System:          "fuzz",
			Header:          "X-Sig",
			Prefix:          "sha256=",
			Encoding:        enc,
			Secrets:         []string{"current", secret},
			IDHeader:        "X-Id",
			TopicHeader:     "X-Topic",
			TimestampHeader: "X-Ts",
			Tolerance:       5 * time.Minute,
		}
		request := func(sig, ts string) *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.Header["X-Sig"] = []string{sig}
			r.Header["X-Ts"] = []string{ts}
			r.Header["X-Id"] = []string{ts}
			r.Header["X-Topic"] = []string{forged}
			return r
		}

		// Arbitrary headers: no panic, and success means the MAC was right.
		if _, err := h.Verify(request(forged, ts), body, t0); err == nil {
			got, ok := decodeSig(enc, forged)
			if !ok || (!macIs(enc, got, "current", body) && !(secret != "" && macIs(enc, got, secret, body))) {
				t.Fatalf("forged signature %q verified", forged)
			}
		}

		// A correct signature with a timestamp within tolerance verifies,
		// under either secret; an empty secret never does.
		sent := strconv.FormatInt(t0.Add(time.Duration(skewSeconds%300)*time.Second).Unix(), 10)
		r := request("", sent)
		if err := h.SignRequest(r, body); err != nil {
			t.Fatalf("SignRequest: %v", err)
		}
		d, err := h.Verify(r, body, t0)
		if err != nil {
			t.Fatalf("body signed by SignRequest refused: %v", err)
		}
		if d.System != "fuzz" || d.ID != sent {
			t.Fatalf("Delivery = %+v", d)
		}
		old := request("sha256="+webhook.Sign(enc, secret, body), sent)
		_, err = h.Verify(old, body, t0)
		if secret == "" {
			if err == nil {
				t.Fatal("signature made with an empty key verified")
			}
		} else if err != nil {
			t.Fatalf("body signed with the second secret refused: %v", err)
		}

		// Any change to the body breaks it.
		tampered := append(bytes.Clone(body), '!')
		if _, err := h.Verify(r, tampered, t0); !errors.Is(err, webhook.ErrBadSignature) {
			t.Fatalf("tampered body: err = %v, want ErrBadSignature", err)
		}
	})
}

// decodeSig is the test's own reading of a "sha256="-prefixed header.
func decodeSig(enc webhook.Encoding, v string) ([]byte, bool) {
	s, ok := strings.CutPrefix(strings.TrimSpace(v), "sha256=")
	if !ok {
		return nil, false
	}
	var b []byte
	var err error
	switch {
	case enc == webhook.Hex:
		b, err = hex.DecodeString(s)
	case strings.HasSuffix(s, "="):
		b, err = base64.StdEncoding.DecodeString(s)
	default:
		b, err = base64.RawStdEncoding.DecodeString(s)
	}
	return b, err == nil
}

func macIs(enc webhook.Encoding, got []byte, secret string, body []byte) bool {
	want, _ := decodeSig(enc, "sha256="+webhook.Sign(enc, secret, body))
	return bytes.Equal(got, want)
}
