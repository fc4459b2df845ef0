package httpx

import (
	"crypto/rand"
	"encoding/hex"
)

// DefaultIdempotencyHeader is the header that carries an idempotency key unless
// Config.IdempotencyHeader names another.
const DefaultIdempotencyHeader = "Idempotency-Key"

// NewIdempotencyKey returns a random version 4 UUID from crypto/rand, suitable
// as an idempotency key. Generate one per logical call and reuse it on every
// retry of that call; the Client does exactly that for keys it generates.
func NewIdempotencyKey() string {
	var u [16]byte
	// crypto/rand.Read never returns an error on supported platforms (Go 1.24+).
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:36], u[10:16])
	return string(s[:])
}
