package canonical

import "time"

// TxnKind is the kind of a payment transaction.
type TxnKind string

// Payment transaction kinds.
const (
	TxnAuthorization TxnKind = "authorization"
	TxnCapture       TxnKind = "capture"
	TxnSale          TxnKind = "sale" // authorise and capture at once
	TxnVoid          TxnKind = "void"
	TxnRefund        TxnKind = "refund"
	TxnChargeback    TxnKind = "chargeback"
)

// TxnStatus is the outcome of a payment transaction.
type TxnStatus string

// Payment transaction outcomes.
const (
	TxnPending TxnStatus = "pending"
	TxnSuccess TxnStatus = "success"
	TxnFailure TxnStatus = "failure"
)

// PaymentTransaction is one movement in an order's payment ledger.
type PaymentTransaction struct {
	ID     string    `json:"id" validate:"required"`
	Kind   TxnKind   `json:"kind" validate:"required,oneof=authorization capture sale void refund chargeback"`
	Status TxnStatus `json:"status" validate:"required,oneof=pending success failure"`
	Amount Money     `json:"amount"`
	// ParentID is the transaction this one acts on: the authorisation a capture
	// takes, the capture a refund returns.
	ParentID string `json:"parentId,omitempty"`
	// Gateway names the payment provider; ProviderRef is its transaction ID.
	Gateway     string    `json:"gateway,omitempty"`
	ProviderRef string    `json:"providerRef,omitempty"`
	At          time.Time `json:"at,omitzero"`
}

// Payment is money received from a customer, allocated to invoices.
type Payment struct {
	Meta
	Customer PartyRef `json:"customer"`
	Amount   Money    `json:"amount"`
	// Method is the payment method code ("card", "bank_transfer").
	Method      string              `json:"method,omitempty"`
	Reference   string              `json:"reference,omitempty"`
	ReceivedOn  Date                `json:"receivedOn"`
	Allocations []PaymentAllocation `json:"allocations,omitempty" validate:"dive"`
}

// PaymentAllocation applies part of a payment to one invoice.
type PaymentAllocation struct {
	Invoice string `json:"invoice" validate:"required"`
	Amount  Money  `json:"amount"`
}

// Refund is money returned to a customer against an order, possibly for some
// lines only (a partial refund). Finance turns it into a credit note.
type Refund struct {
	Meta
	Order    string       `json:"order" validate:"required"`
	Currency CurrencyCode `json:"currency" validate:"required,currency"`
	Amount   Money        `json:"amount"`
	Reason   string       `json:"reason,omitempty"`
	Lines    []RefundLine `json:"lines,omitempty" validate:"dive"`
	// Shipping is the refunded shipping amount, if any.
	Shipping *Money `json:"shipping,omitempty"`
	// Restock says whether refunded items go back to stock.
	Restock      bool                 `json:"restock,omitempty"`
	Transactions []PaymentTransaction `json:"transactions,omitempty" validate:"dive"`
	CreatedAt    time.Time            `json:"createdAt,omitzero"`
}

// RefundLine refunds a quantity of one order line.
type RefundLine struct {
	OrderLine LineRef  `json:"orderLine"`
	Quantity  Quantity `json:"quantity"`
	Amount    Money    `json:"amount"`
}
