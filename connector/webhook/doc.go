// Package webhook receives platform webhooks: it verifies signatures,
// de-duplicates deliveries and rings the doorbell of the flows that listen.
//
// Webhooks ring the doorbell, the poll is the truth. A [Handler] never reads
// a delivery's body as data: once a delivery is verified and recorded, it
// calls a [Notify] function for each flow routed to the delivery's topic, and
// the flow reads from its checkpoint. A missed, duplicated or reordered
// delivery therefore loses nothing; at worst a flow runs once more than it
// had to.
//
// The pieces:
//
//   - [Verifier] checks that a request came from the platform and names the
//     [Delivery] (system, delivery ID, topic, timestamp). [HMAC] is a ready
//     verifier for the common scheme, an HMAC-SHA256 of the raw body (or of a
//     payload built from the request) sent base64 or hex in a header, with
//     secret rotation and an optional timestamp tolerance. Platform packages
//     build theirs from it, or write a [VerifierFunc] for schemes it does not
//     cover (a shared clientState, for example).
//   - [Router] maps a topic to flow names; [Routes] is the plain map.
//   - [Handshake] answers subscription handshakes, such as the validationToken
//     echo that Business Central and Microsoft Graph send ([ValidationToken]).
//   - [Handler] puts them together behind net/http, with a body size limit,
//     de-duplication through store.Deliveries and a log line per delivery.
//
// [Sign] and [HMAC.SignRequest] sign bodies the way the platforms do, so fake
// servers and tests can send webhooks the handler accepts.
//
// Answers follow what the platforms expect: 200 with an empty body for a
// delivery that was accepted or already seen, 401 for one that fails
// verification, 413 for a body over the limit, 405 for methods other than
// GET (handshakes) and POST, and 503 when the delivery could not be recorded,
// so the platform sends it again.
package webhook
