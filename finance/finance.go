// Package finance is the port for accounting systems (Xero, QuickBooks,
// NetSuite's ledger): invoices, credit notes, payments and what is still due,
// in canonical types. finance/memledger simulates one in memory.
package finance

import (
	"context"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// Ledger is an accounts-receivable ledger.
type Ledger interface {
	// Invoices records issued invoices, keyed by invoice number.
	Invoices() connector.Sink[canonical.Invoice]
	// CreditNotes records credit notes and applies them to the invoice they
	// credit.
	CreditNotes() connector.Sink[canonical.CreditNote]
	// Payments records payments received; allocations in the payment are
	// applied to the invoices they name, and an unallocated payment is matched
	// to an open invoice of the customer by reference and amount.
	Payments() connector.Sink[canonical.Payment]
	// AllocatePayment applies part of a recorded payment to an invoice.
	AllocatePayment(ctx context.Context, paymentID, invoice string, amount canonical.Money) error
	// AmountDue returns what is still owed on an invoice.
	AmountDue(ctx context.Context, invoice string) (canonical.Money, error)
}
