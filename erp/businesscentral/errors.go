package businesscentral

import (
	"net/http"
	"strings"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// KindForCode maps a Business Central OData error code, with the HTTP
// status it came with, to a connector kind. The families are documented in
// "Error codes" (BadRequest_*, Authentication_*, Authorization_*,
// Internal_*, Application_*):
// https://learn.microsoft.com/dynamics365/business-central/dev-itpro/webservices/dynamics-error-codes
//
//   - 429 is RateLimited and 408 or 5xx Transient, whatever the code says;
//   - Request_EntityChanged (another user changed the record since the
//     ETag was read; sent with 409) and any 412 are Conflict, and so is
//     Internal_EntityWithSameKeyExists;
//   - Authentication_* is Unauthorized, Authorization_* and
//     Internal_CompanyNotFound Forbidden: the flow must stop;
//   - Application_StringExceededLength, Application_EvaluateException,
//     Application_Invalid_GUID and Internal_InvalidTableRelation are
//     Invalid: the data does not fit;
//   - any other Application_* (a dialog or a field validation: an order
//     that is released or shipped, a blocked customer or item) is
//     BusinessRule, with Business Central's message as the reason;
//   - Internal_RecordNotFound and a 404 are NotFound; other Internal_* are
//     Transient;
//   - BadRequest_MethodNotAllowed is Unsupported, other BadRequest_* Invalid.
func KindForCode(status int, code string) connector.Kind {
	switch {
	case status == http.StatusTooManyRequests:
		return connector.RateLimited
	case status == http.StatusRequestTimeout || status >= 500:
		return connector.Transient
	case code == "Request_EntityChanged" || status == http.StatusPreconditionFailed:
		return connector.Conflict
	case code == "Internal_EntityWithSameKeyExists":
		return connector.Conflict
	case strings.HasPrefix(code, "Authentication_") || strings.HasPrefix(code, "Authenciation_"): // sic, in the documented table
		return connector.Unauthorized
	case strings.HasPrefix(code, "Authorization_") || code == "Internal_CompanyNotFound":
		return connector.Forbidden
	case code == "Application_StringExceededLength" || code == "Application_EvaluateException" ||
		code == "Application_Invalid_GUID" || code == "Internal_InvalidTableRelation":
		return connector.Invalid
	case strings.HasPrefix(code, "Application_"):
		return connector.BusinessRule
	case code == "Internal_RecordNotFound" || status == http.StatusNotFound:
		return connector.NotFound
	case strings.HasPrefix(code, "Internal_"):
		return connector.Transient
	case code == "BadRequest_MethodNotAllowed" || code == "BadRequest_MethodNotImplemented":
		return connector.Unsupported
	case strings.HasPrefix(code, "BadRequest"):
		return connector.Invalid
	}
	return connector.KindForStatus(status)
}

// classify refines the error httpx built for a non-2xx answer: the kind
// from the OData code, and for a 401 the token is dropped from the cache.
// A 401 for a token that has worked before (it expired early or was
// revoked) is Transient, so the call is retried with a fresh token; a 401
// for a token that never worked is Unauthorized.
func (c *Client) classify(e *connector.Error, resp *http.Response) {
	e.Kind = KindForCode(e.Status, e.Code)
	if e.Status != http.StatusUnauthorized || resp == nil || resp.Request == nil {
		return
	}
	tok, ok := strings.CutPrefix(resp.Request.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return
	}
	c.tokens.Invalidate(tok)
	c.goodMu.Lock()
	worked := tok == c.goodToken
	c.goodMu.Unlock()
	if worked {
		e.Kind = connector.Transient
		e.Message = "the access token was refused after it had worked (expired or revoked); a new one will be fetched: " + e.Message
	}
}

// invalid builds an Invalid error for one field of a canonical entity.
func (c *Client) invalid(op, path, code, value, message string) *connector.Error {
	e := connector.Errorf(connector.Invalid, c.system, "invalid %s: %s", path, message)
	e.Op = op
	e.Fields = []canonical.FieldError{{Path: path, Code: code, Value: value, Message: message}}
	return e
}

// overflow builds the Invalid error for amounts at path whose arithmetic
// (what says which) comes to more than canonical.Decimal's 19 significant
// digits.
func (c *Client) overflow(op, path, what string) *connector.Error {
	return c.invalid(op, path, canonical.CodeOverflow, "", what+": more than 19 significant digits")
}

// errorf builds an error of this connector.
func (c *Client) errorf(kind connector.Kind, op, format string, args ...any) *connector.Error {
	e := connector.Errorf(kind, c.system, format, args...)
	e.Op = op
	return e
}

// validation turns a canonical validation error into an Invalid error with
// its field paths.
func (c *Client) validation(op, what string, err error) error {
	if err == nil {
		return nil
	}
	if fe, ok := err.(interface{ FieldErrors() []canonical.FieldError }); ok {
		e := c.errorf(connector.Invalid, op, "%s is invalid", what)
		e.Fields, e.Err = fe.FieldErrors(), err
		return e
	}
	return c.errorf(connector.Invalid, op, "%s is invalid: %w", what, err)
}
