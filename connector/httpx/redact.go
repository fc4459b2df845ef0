package httpx

import (
	"net/http"
	"net/url"
	"strings"
)

// redacted replaces a secret value in logs and error messages.
const redacted = "REDACTED"

// secretWords are the fragments that mark a header or query parameter name as
// secret. Matching is by substring on the lower-cased name, so "access_token",
// "X-Api-Key", "client_secret" and "Ocp-Apim-Subscription-Key" all match.
// Redacting a harmless parameter by mistake costs a little log detail; leaking
// a token costs much more, so the list errs on the wide side.
var secretWords = [...]string{
	"token", "key", "secret", "passw", "pwd", "signature", "auth",
	"credential", "session", "cookie",
}

// IsSecretName reports whether a header or query parameter called name is
// treated as secret: it contains token, key, secret, password, signature,
// auth, credential, session or cookie (in any case), or is "sig" or "code".
func IsSecretName(name string) bool {
	n := strings.ToLower(name)
	if n == "sig" || n == "code" {
		return true
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// RedactURL renders u as path and query, with the value of every secret query
// parameter (see IsSecretName) replaced by REDACTED. Scheme, host and user
// information are left out: logs and error messages name the endpoint, not the
// server's credentials.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery == "" {
		return p
	}
	return p + "?" + redactQuery(u.RawQuery)
}

// redactQuery rewrites a raw query, keeping the order and encoding of every
// parameter and replacing secret values.
func redactQuery(raw string) string {
	var b strings.Builder
	b.Grow(len(raw))
	for i, part := range strings.Split(raw, "&") {
		if i > 0 {
			b.WriteByte('&')
		}
		name, _, hasValue := strings.Cut(part, "=")
		dec, err := url.QueryUnescape(name)
		if err != nil {
			dec = name
		}
		if hasValue && IsSecretName(dec) {
			b.WriteString(name)
			b.WriteString("=" + redacted)
			continue
		}
		b.WriteString(part)
	}
	return b.String()
}

// RedactHeader returns a copy of h in which Authorization, Proxy-Authorization,
// Cookie, Set-Cookie and every header named like a secret (see IsSecretName)
// hold REDACTED. Hooks that log headers should log this copy.
func RedactHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, v := range h {
		if IsSecretName(k) {
			out[k] = []string{redacted}
			continue
		}
		out[k] = append([]string(nil), v...)
	}
	return out
}

// redactURLString parses s and redacts it; a string that does not parse is
// dropped entirely, since it cannot be checked.
func redactURLString(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return RedactURL(u)
}
