package businesscentral

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/httpx"
)

// CreditNotes returns the sink that issues credit notes as posted sales
// credit memos.
// https://learn.microsoft.com/dynamics365/business-central/dev-itpro/api-reference/v2.0/resources/dynamics_salescreditmemo
func (c *Client) CreditNotes() connector.Sink[canonical.CreditNote] { return creditNoteSink{c} }

type creditNoteSink struct{ c *Client }

// bcCreditMemo is a sales credit memo.
type bcCreditMemo struct {
	ETag                    string            `json:"@odata.etag"`
	ID                      string            `json:"id"`
	Number                  string            `json:"number"`
	ExternalDocumentNumber  string            `json:"externalDocumentNumber"`
	Status                  string            `json:"status"`
	TotalAmountIncludingTax canonical.Decimal `json:"totalAmountIncludingTax"`
}

// Apply issues a credit note.
//
// The memo's externalDocumentNumber carries CreditNote.Number (required,
// at most 35 characters), and a memo is found by it, so a retried write
// never credits twice. A new memo is created with its lines (deep insert),
// linked to the invoice CreditNote.Invoice names, and posted with the
// Microsoft.NAV.post action; a draft left by an earlier attempt that
// failed before posting is posted. Lines with a SKU are item lines (the
// goods come back into stock), others go to Config.CreditAccount. The
// customer is CreditNote.Customer's ref in this system, or the invoice's
// customer. Business Central computes the tax. A memo that would exceed
// its invoice is refused by Business Central with the BusinessRule kind.
// A Delete is Unsupported: a posted credit memo is corrected by an
// invoice.
func (s creditNoteSink) Apply(ctx context.Context, w connector.Write[canonical.CreditNote]) (connector.Result, error) {
	const op = "creditNotes.apply"
	c := s.c
	if err := ctx.Err(); err != nil {
		return connector.Result{}, c.errorf(connector.Transient, op, "%w", err)
	}
	if w.Op == connector.Delete {
		return connector.Result{}, c.errorf(connector.Unsupported, op, "posted credit memos are not deleted; correct them with an invoice")
	}
	if c.credits.stale(w.Key, w.Version) {
		return connector.Result{Action: connector.Stale}, nil
	}
	cn := w.Entity
	if err := cn.Validate(); err != nil {
		return connector.Result{}, c.validation(op, "credit note", err)
	}
	if n := utf8.RuneCountInString(cn.Number); n > maxExternalDocumentNumber {
		return connector.Result{}, c.invalid(op, "number", "max", cn.Number,
			fmt.Sprintf("is %d characters; Business Central's externalDocumentNumber holds %d", n, maxExternalDocumentNumber))
	}
	var lines []map[string]any
	for i, l := range cn.Lines {
		disc, err := c.lineDiscount(op, fmt.Sprintf("lines[%d]", i), l.Discounts)
		if err != nil {
			return connector.Result{}, err
		}
		wl := wantLine{lineType: "Item", number: l.SKU, description: truncate(l.Description, 100),
			quantity: l.Quantity.Value, unitPrice: l.UnitPrice.Amount, discount: disc, uom: c.bcUnit(l.Quantity.Unit)}
		if l.SKU == "" {
			if c.cfg.CreditAccount == "" {
				return connector.Result{}, c.invalid(op, fmt.Sprintf("lines[%d].sku", i), canonical.CodeRequired, "",
					"a credit line without a SKU needs Config.CreditAccount, the G/L account it is booked to")
			}
			wl.lineType, wl.number, wl.uom = "Account", c.cfg.CreditAccount, ""
		}
		lines = append(lines, lineBody(wl))
	}

	memo, found, err := c.getCreditMemo(ctx, "externalDocumentNumber eq "+quote(cn.Number))
	if err != nil {
		return connector.Result{}, err
	}
	if found && memo.Status != "Draft" {
		c.credits.applied(w.Key, w.Version, memo.Number)
		return connector.Result{Action: connector.Unchanged, Ref: c.ref(memo.Number, memo.ETag)}, nil
	}
	if !found {
		customer := ""
		if r, ok := cn.Customer.Ref(c.system); ok {
			customer = r.ID
		}
		if customer == "" && cn.Invoice != "" {
			inv, ok, err := c.getInvoice(ctx, cn.Invoice)
			if err != nil {
				return connector.Result{}, err
			}
			if !ok {
				return connector.Result{}, c.invalid(op, "invoice", "unknown", cn.Invoice, "names no invoice of "+c.system)
			}
			customer = inv.CustomerNumber
		}
		if customer == "" {
			return connector.Result{}, c.invalid(op, "customer.refs", canonical.CodeRequired, "",
				"has no customer number in "+c.system+", and no invoice names one")
		}
		body := map[string]any{
			"externalDocumentNumber": cn.Number,
			"customerNumber":         customer,
			"salesCreditMemoLines":   lines,
		}
		if cn.Invoice != "" {
			body["invoiceNumber"] = cn.Invoice
		}
		if cn.Currency != "" && cn.Currency != c.cfg.LocalCurrency {
			body["currencyCode"] = string(cn.Currency)
		}
		if !cn.IssueDate.IsZero() {
			body["creditMemoDate"] = cn.IssueDate.String()
		}
		// Not retried by the client; a retried write finds the draft by
		// externalDocumentNumber and posts it.
		if err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodPost, Path: c.CompanyPath("salesCreditMemos"), Body: body}, &memo); err != nil {
			return connector.Result{}, err
		}
	}
	post := &httpx.Request{Method: http.MethodPost, Path: c.entityPath("salesCreditMemos", memo.ID) + "/Microsoft.NAV.post"}
	if _, err := c.http.Do(ctx, post); err != nil {
		return connector.Result{}, err
	}
	// Posting gives the memo its posted number; the id stays.
	var posted bcCreditMemo
	if err := c.http.DoJSON(ctx, &httpx.Request{Path: c.entityPath("salesCreditMemos", memo.ID)}, &posted); err != nil {
		return connector.Result{}, err
	}
	c.credits.applied(w.Key, w.Version, posted.Number)
	return connector.Result{Action: connector.Created, Ref: c.ref(posted.Number, posted.ETag)}, nil
}

// getCreditMemo reads the first sales credit memo matching filter.
func (c *Client) getCreditMemo(ctx context.Context, filter string) (bcCreditMemo, bool, error) {
	var page struct {
		Value []bcCreditMemo `json:"value"`
	}
	q := url.Values{"$filter": {filter}, "$top": {"1"}}
	if err := c.http.DoJSON(ctx, &httpx.Request{Path: c.CompanyPath("salesCreditMemos"), Query: q}, &page); err != nil {
		return bcCreditMemo{}, false, err
	}
	if len(page.Value) == 0 {
		return bcCreditMemo{}, false, nil
	}
	return page.Value[0], true, nil
}

// getInvoice reads the sales invoice with a number.
func (c *Client) getInvoice(ctx context.Context, number string) (bcInvoice, bool, error) {
	var page struct {
		Value []bcInvoice `json:"value"`
	}
	q := url.Values{"$filter": {"number eq " + quote(number)}, "$top": {"1"}}
	if err := c.http.DoJSON(ctx, &httpx.Request{Path: c.CompanyPath("salesInvoices"), Query: q}, &page); err != nil {
		return bcInvoice{}, false, err
	}
	if len(page.Value) == 0 {
		return bcInvoice{}, false, nil
	}
	return page.Value[0], true, nil
}
