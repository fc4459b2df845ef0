package bctest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
)

// Sales credit memos, as in
// https://learn.microsoft.com/dynamics365/business-central/dev-itpro/api-reference/v2.0/resources/dynamics_salescreditmemo
// A memo is created as a draft (with its lines, deep insert) and posted
// with the Microsoft.NAV.post action, which gives it a posted number,
// takes its total off the customer's balance and the invoice it is linked
// to, and books item lines back into stock.

type creditMemo struct {
	id, number, extDoc    string
	cust                  *customer
	invoice               *invoice
	memoDate, postingDate canonical.Date
	currencyCode          string
	status                string // "Draft", "Open"
	lines                 []*postedLine
	exclTax, tax, inclTax canonical.Decimal
	modified              time.Time
	ver                   int64
	cache                 renderedDoc
}

func (m *creditMemo) obj(expandLines bool) obj { return m.cache.get(m.ver, expandLines, m.render) }

func (m *creditMemo) render(expandLines bool) obj {
	invID, invNo := zeroGUID, ""
	if m.invoice != nil {
		invID, invNo = m.invoice.id, m.invoice.number
	}
	out := slices.Concat(
		obj{
			{"@odata.etag", etag(m.ver)},
			{"id", m.id},
			{"number", m.number},
			{"externalDocumentNumber", m.extDoc},
			{"creditMemoDate", m.memoDate},
			{"postingDate", m.postingDate},
			{"dueDate", m.memoDate},
		},
		customerFields(m.cust),
		sellToBillToFields(m.cust),
		obj{
			{"shortcutDimension1Code", ""},
			{"shortcutDimension2Code", ""},
			{"currencyId", zeroGUID},
			{"currencyCode", m.currencyCode},
			{"paymentTermsId", zeroGUID},
			{"shipmentMethodId", zeroGUID},
			{"salesperson", ""},
			{"pricesIncludeTax", false},
		},
		totalsFields(canonical.Decimal{}, m.exclTax, m.tax, m.inclTax),
		obj{
			{"status", m.status},
			{"lastModifiedDateTime", m.modified},
			{"invoiceId", invID},
			{"invoiceNumber", invNo},
			{"phoneNumber", ""},
			{"email", ""},
			{"customerReturnReasonId", zeroGUID},
		},
	)
	if expandLines {
		out = append(out, field{"salesCreditMemoLines", renderAll(m.lines, func(l *postedLine) obj {
			return append(l.obj(m.id, m.ver), field{"locationId", zeroGUID})
		})})
	}
	return out
}

func (s *Server) serveCreditMemos(w http.ResponseWriter, r *http.Request, segs []segment) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !segs[0].hasKey {
		return serveDocumentSet(s, w, r, segs, "salesCreditMemos", "salesCreditMemoLines", s.memos, s.createMemo)
	}
	m := byID(s.memos, segs[0].key)
	if m == nil {
		return notFound("sales credit memo")
	}
	if len(segs) == 1 {
		switch r.Method {
		case http.MethodGet:
			return getDocument(w, r, "salesCreditMemoLines", m)
		case http.MethodDelete:
			if e := s.checkIfMatch(r, m.ver); e != nil {
				return e
			}
			if m.status != "Draft" {
				return errorf(http.StatusBadRequest, "Application_DialogException", "You cannot delete posted Credit Memo %s.", m.number)
			}
			s.memos = slices.DeleteFunc(s.memos, func(x *creditMemo) bool { return x == m })
			s.notify("salesCreditMemos", m.id, "deleted")
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		return methodNotAllowed(r)
	}
	switch segs[1].name {
	case "salesCreditMemoLines":
		if r.Method != http.MethodGet || len(segs) > 2 {
			return methodNotAllowed(r)
		}
		v, _ := m.obj(true).get("salesCreditMemoLines")
		lines, _ := v.([]obj)
		s.list(w, r, "salesCreditMemoLines", lines)
		return nil
	case "Microsoft.NAV.post":
		if r.Method != http.MethodPost || len(segs) > 2 {
			return methodNotAllowed(r)
		}
		if e := s.postMemo(m); e != nil {
			return e
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return segmentNotFound(segs[1].name)
}

func (s *Server) createMemo(w http.ResponseWriter, r *http.Request) *apiError {
	body, e := readBody(r)
	if e != nil {
		return e
	}
	rawLines, deep := body["salesCreditMemoLines"]
	delete(body, "salesCreditMemoLines")
	m := &creditMemo{id: newGUID(), status: "Draft"}
	var custNo, invNo string
	setters := map[string]setter{
		"externalDocumentNumber": str("externalDocumentNumber", 35, &m.extDoc),
		"creditMemoDate":         date("creditMemoDate", &m.memoDate),
		"postingDate":            date("postingDate", &m.postingDate),
		"currencyCode":           str("currencyCode", 10, &m.currencyCode),
		"customerNumber":         str("customerNumber", 20, &custNo),
		"invoiceNumber":          str("invoiceNumber", 20, &invNo),
		"customerReturnReasonId": ignore, "paymentTermsId": ignore, "shipmentMethodId": ignore, "salesperson": ignore,
		"currencyId": ignore, "customerId": ignore, "invoiceId": ignore, "phoneNumber": ignore, "email": ignore,
	}
	if e := apply("salesCreditMemo", body, setters, []string{"id", "number", "status", "totalAmountIncludingTax", "lastModifiedDateTime"}); e != nil {
		return e
	}
	if m.cust = byNumber(s.customers, custNo); m.cust == nil {
		return errorf(http.StatusBadRequest, "Internal_RecordNotFound", "The Customer does not exist. Identification fields and values: No.='%s'", custNo)
	}
	if invNo != "" {
		if m.invoice = byNumber(s.invoices, invNo); m.invoice == nil {
			return errorf(http.StatusBadRequest, "Internal_RecordNotFound", "The Sales Invoice Header does not exist. Identification fields and values: No.='%s'", invNo)
		}
		if m.invoice.cust != m.cust {
			return errorf(http.StatusBadRequest, "Application_DialogException", "Invoice %s is not an invoice of customer %s.", invNo, custNo)
		}
	}
	if m.currencyCode == "" {
		m.currencyCode = m.cust.currencyCode
	}
	if m.memoDate.IsZero() {
		m.memoDate = s.today()
	}
	if deep {
		var lines []map[string]json.RawMessage
		if err := json.Unmarshal(rawLines, &lines); err != nil {
			return typeError("salesCreditMemoLines", "Collection(Microsoft.NAV.salesCreditMemoLine)", rawLines)
		}
		drafts := make([]*orderLine, len(lines))
		for i, lb := range lines {
			l := &orderLine{id: newGUID(), sequence: (i + 1) * 10000}
			var ref string
			for k := range lb {
				if strings.HasPrefix(k, "@") {
					delete(lb, k)
				}
			}
			if e := apply("salesCreditMemoLine", lb, s.lineSetters(l, &ref), lineReadOnly); e != nil {
				return e
			}
			if e := s.setLine(&order{number: "credit memo"}, l, nil, ref, lb); e != nil {
				return e
			}
			drafts[i] = l
		}
		// A memo's lines are priced as an order's, with no order discount.
		p, err := priceLines(drafts, canonical.Decimal{})
		if err != nil {
			return overflow(err)
		}
		for i, l := range drafts {
			ml := l.posted(l.quantity, canonical.Date{})
			ml.discount, ml.amount, ml.tax, ml.amtInc = l.discountAmount, p.lines[i].net, p.lines[i].tax, p.lines[i].netInclTax
			m.lines = append(m.lines, ml)
		}
		m.exclTax, m.tax, m.inclTax = p.exclTax, p.tax, p.inclTax
	}
	m.number = s.number("memo")
	m.modified, m.ver = s.stamp(), s.nextVersion()
	s.memos = append(s.memos, m)
	s.notify("salesCreditMemos", m.id, "created")
	w.Header().Set("Location", s.companyURL()+"/salesCreditMemos("+m.id+")")
	writeJSON(w, http.StatusCreated, m.obj(deep))
	return nil
}

// postMemo posts a draft credit memo: it gets a posted number, the
// customer's balance and the linked invoice's remaining amount fall by its
// total, and item lines come back into stock. The id stays, as the API
// carries it over to the posted document.
func (s *Server) postMemo(m *creditMemo) *apiError {
	if m.status != "Draft" {
		return errorf(http.StatusBadRequest, "Application_DialogException", "Credit Memo %s is already posted.", m.number)
	}
	if len(m.lines) == 0 {
		return errorf(http.StatusBadRequest, "Application_DialogException", "There is nothing to post.")
	}
	if m.invoice != nil && m.inclTax.Cmp(m.invoice.inclTax) > 0 {
		return errorf(http.StatusBadRequest, "Application_DialogException",
			"The credit memo of %s exceeds invoice %s of %s.", m.inclTax, m.invoice.number, m.invoice.inclTax)
	}
	// What the posting does to the items' inventory, the customer's balance
	// and the invoice's remaining amount is checked before anything is
	// booked: an amount that overflows refuses the posting.
	var a arith
	stock := inventories{}
	for _, l := range m.lines {
		if l.lineType == "Item" {
			stock.move(s, &a, l.objectNumber, l.quantity)
		}
	}
	var balance, remaining canonical.Decimal
	if c := m.cust; c != nil {
		balance = a.sub(c.balanceDue, m.inclTax)
	}
	if inv := m.invoice; inv != nil {
		credit := m.inclTax
		if credit.Cmp(inv.remaining) > 0 {
			credit = inv.remaining
		}
		remaining = a.sub(inv.remaining, credit)
	}
	if a.err != nil {
		return overflow(a.err)
	}
	m.number, m.status, m.postingDate = s.number("postedMemo"), "Open", s.today()
	for _, l := range m.lines {
		if l.lineType == "Item" {
			s.moveStock(l.objectNumber, l.quantity, "Sale", "Sales Credit Memo", m.number, l.descr)
		}
	}
	if c := m.cust; c != nil {
		c.balanceDue = balance
		c.cache.valid = false
	}
	if inv := m.invoice; inv != nil {
		inv.remaining = remaining
		if inv.remaining.IsZero() {
			inv.status = "Paid"
		}
		inv.modified, inv.ver = s.stamp(), s.nextVersion()
		s.notify("salesInvoices", inv.id, "updated")
	}
	m.modified, m.ver = s.stamp(), s.nextVersion()
	s.notify("salesCreditMemos", m.id, "updated")
	return nil
}

// CreditMemo is a sales credit memo as the fake holds it.
type CreditMemo struct {
	// ID, Number, ExternalDocumentNumber, CustomerNumber, InvoiceNumber
	// and Status ("Draft", "Open") are the memo's fields.
	ID, Number, ExternalDocumentNumber, CustomerNumber, InvoiceNumber, Status string
	// TotalInclTax is its total.
	TotalInclTax canonical.Decimal
	// Lines are its lines.
	Lines []PostedLine
}

// CreditMemos returns every sales credit memo, drafts and posted, in
// creation order.
func (s *Server) CreditMemos() []CreditMemo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CreditMemo, len(s.memos))
	for i, m := range s.memos {
		v := CreditMemo{ID: m.id, Number: m.number, ExternalDocumentNumber: m.extDoc, Status: m.status, TotalInclTax: m.inclTax}
		if m.cust != nil {
			v.CustomerNumber = m.cust.number
		}
		if m.invoice != nil {
			v.InvoiceNumber = m.invoice.number
		}
		v.Lines = postedLineViews(m.lines)
		out[i] = v
	}
	return out
}
