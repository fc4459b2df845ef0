package canonical

import (
	"fmt"
	"slices"
)

// The state machines below follow the research note's section 7.2. Each is a
// read-only table from a state to the states it may move to; a state with no
// next states is terminal. A transition that is not in the table, or whose
// guard fails, returns a *TransitionError. A transition to the current state
// is not an edge and is refused like any other.
//
// Where real systems need more than the note lists, the table adds an edge
// and says so: shipments may go from in transit straight to delivered
// (carriers skip the out-for-delivery scan) and may be cancelled while a label
// problem is open; invoices may go from issued straight to paid (paid in one
// go); returns may go from awaiting return straight to received (a parcel
// without tracking).

// machine is one entity's state machine.
type machine[S ~string] struct {
	entity string
	next   map[S][]S
}

// known reports whether s is a state of the machine.
func (m *machine[S]) known(s S) bool {
	_, ok := m.next[s]
	return ok
}

// allows reports whether the table has the edge from → to.
func (m *machine[S]) allows(from, to S) bool { return slices.Contains(m.next[from], to) }

// terminal reports whether s is a known state with no way out.
func (m *machine[S]) terminal(s S) bool {
	n, ok := m.next[s]
	return ok && len(n) == 0
}

// edge returns nil if the table has from → to, or a *TransitionError.
func (m *machine[S]) edge(from, to S) error {
	if !m.allows(from, to) {
		return &TransitionError{Entity: m.entity, From: string(from), To: string(to)}
	}
	return nil
}

// refuse returns the *TransitionError for a failed guard.
func (m *machine[S]) refuse(from, to S, reason string) error {
	return &TransitionError{Entity: m.entity, From: string(from), To: string(to), Reason: reason}
}

var orderMachine = machine[OrderStatus]{
	entity: "SalesOrder",
	next: map[OrderStatus][]OrderStatus{
		OrderDraft:      {OrderSubmitted, OrderCancelled},
		OrderSubmitted:  {OrderAccepted, OrderRejected, OrderCancelled},
		OrderAccepted:   {OrderInProgress, OrderCancelled},
		OrderInProgress: {OrderCompleted, OrderCancelled},
		OrderCompleted:  {OrderClosed},
		OrderRejected:   nil,
		OrderClosed:     nil,
		OrderCancelled:  nil,
	},
}

var shipmentMachine = machine[ShipmentStatus]{
	entity: "Shipment",
	next: map[ShipmentStatus][]ShipmentStatus{
		ShipmentPlanned:          {ShipmentLabelPending, ShipmentCancelled},
		ShipmentLabelPending:     {ShipmentLabelCreated, ShipmentLabelFailed, ShipmentCancelled},
		ShipmentLabelFailed:      {ShipmentLabelPending, ShipmentAwaitingAction, ShipmentCancelled},
		ShipmentAwaitingAction:   {ShipmentLabelPending, ShipmentCancelled},
		ShipmentLabelCreated:     {ShipmentShipped, ShipmentCancelled},
		ShipmentShipped:          {ShipmentInTransit},
		ShipmentInTransit:        {ShipmentOutForDelivery, ShipmentDelivered, ShipmentException},
		ShipmentOutForDelivery:   {ShipmentDelivered, ShipmentException},
		ShipmentException:        {ShipmentInTransit, ShipmentReturnedToSender, ShipmentLost},
		ShipmentDelivered:        nil,
		ShipmentReturnedToSender: nil,
		ShipmentLost:             nil,
		ShipmentCancelled:        nil,
	},
}

var invoiceMachine = machine[InvoiceStatus]{
	entity: "Invoice",
	next: map[InvoiceStatus][]InvoiceStatus{
		InvoiceDraft:         {InvoiceIssued, InvoiceCancelled},
		InvoiceIssued:        {InvoicePartiallyPaid, InvoicePaid, InvoiceCredited},
		InvoicePartiallyPaid: {InvoicePaid, InvoiceCredited},
		InvoicePaid:          nil,
		InvoiceCredited:      nil,
		InvoiceCancelled:     nil,
	},
}

// creditNoteMachine is the invoice machine under the credit note's name.
var creditNoteMachine = machine[InvoiceStatus]{entity: "CreditNote", next: invoiceMachine.next}

var returnMachine = machine[ReturnStatus]{
	entity: "Return",
	next: map[ReturnStatus][]ReturnStatus{
		ReturnRequested:      {ReturnAuthorized, ReturnDeclined, ReturnCancelled},
		ReturnAuthorized:     {ReturnAwaitingReturn, ReturnResolved, ReturnCancelled},
		ReturnAwaitingReturn: {ReturnInTransit, ReturnReceived, ReturnCancelled},
		ReturnInTransit:      {ReturnReceived},
		ReturnReceived:       {ReturnInspected},
		ReturnInspected:      {ReturnResolved},
		ReturnResolved:       {ReturnClosed},
		ReturnDeclined:       nil,
		ReturnClosed:         nil,
		ReturnCancelled:      nil,
	},
}

// Valid reports whether s is a known order state.
func (s OrderStatus) Valid() bool { return orderMachine.known(s) }

// IsTerminal reports whether s is a final state (rejected, closed, cancelled).
func (s OrderStatus) IsTerminal() bool { return orderMachine.terminal(s) }

// CanTransitionTo reports whether the state machine has an edge from s to to.
// Guards that depend on the order's data are checked by
// SalesOrder.CheckTransition.
func (s OrderStatus) CanTransitionTo(to OrderStatus) bool { return orderMachine.allows(s, to) }

// Next returns the states s may move to, in a new slice.
func (s OrderStatus) Next() []OrderStatus { return slices.Clone(orderMachine.next[s]) }

// Valid reports whether s is a known shipment state.
func (s ShipmentStatus) Valid() bool { return shipmentMachine.known(s) }

// IsTerminal reports whether s is a final state (delivered, returned to
// sender, lost, cancelled).
func (s ShipmentStatus) IsTerminal() bool { return shipmentMachine.terminal(s) }

// CanTransitionTo reports whether the state machine has an edge from s to to.
func (s ShipmentStatus) CanTransitionTo(to ShipmentStatus) bool {
	return shipmentMachine.allows(s, to)
}

// Next returns the states s may move to, in a new slice.
func (s ShipmentStatus) Next() []ShipmentStatus { return slices.Clone(shipmentMachine.next[s]) }

// Valid reports whether s is a known invoice (or credit note) state.
func (s InvoiceStatus) Valid() bool { return invoiceMachine.known(s) }

// IsTerminal reports whether s is a final state (paid, credited, cancelled).
func (s InvoiceStatus) IsTerminal() bool { return invoiceMachine.terminal(s) }

// CanTransitionTo reports whether the state machine has an edge from s to to.
func (s InvoiceStatus) CanTransitionTo(to InvoiceStatus) bool { return invoiceMachine.allows(s, to) }

// Next returns the states s may move to, in a new slice.
func (s InvoiceStatus) Next() []InvoiceStatus { return slices.Clone(invoiceMachine.next[s]) }

// Valid reports whether s is a known return state.
func (s ReturnStatus) Valid() bool { return returnMachine.known(s) }

// IsTerminal reports whether s is a final state (declined, closed, cancelled).
func (s ReturnStatus) IsTerminal() bool { return returnMachine.terminal(s) }

// CanTransitionTo reports whether the state machine has an edge from s to to.
func (s ReturnStatus) CanTransitionTo(to ReturnStatus) bool { return returnMachine.allows(s, to) }

// Next returns the states s may move to, in a new slice.
func (s ReturnStatus) Next() []ReturnStatus { return slices.Clone(returnMachine.next[s]) }

// CheckTransition reports whether the order may move to state to: nil, or a
// *TransitionError. Besides the table it applies these guards:
//   - to in_progress (the first release to fulfilment): no active hold
//     blocks fulfilment;
//   - to cancelled from in_progress: nothing has shipped (otherwise cancel
//     the remainder with Cancel, which completes the order);
//   - to completed: every line has shipped all of Ordered − Cancelled.
func (o *SalesOrder) CheckTransition(to OrderStatus) error {
	m := &orderMachine
	if err := m.edge(o.Status, to); err != nil {
		return err
	}
	switch to {
	case OrderInProgress:
		for _, h := range o.Holds {
			if h.Active() && slices.Contains(h.Blocks, StageFulfillment) {
				return m.refuse(o.Status, to, fmt.Sprintf("a %s hold blocks fulfillment", h.Type))
			}
		}
	case OrderCancelled:
		if o.Status == OrderInProgress {
			for _, l := range o.Lines {
				if !l.Shipped.IsZero() {
					return m.refuse(o.Status, to, fmt.Sprintf("line %s has shipped %s; cancel the remainder instead", l.LineID, l.Shipped))
				}
			}
		}
	case OrderCompleted:
		for _, l := range o.Lines {
			open, err := l.Open()
			if err != nil {
				return m.refuse(o.Status, to, fmt.Sprintf("line %s: %v", l.LineID, err))
			}
			if open.Value.IsPos() {
				return m.refuse(o.Status, to, fmt.Sprintf("line %s still has %s to ship", l.LineID, open))
			}
		}
	}
	return nil
}

// Transition moves the order to state to if CheckTransition allows it, and
// otherwise returns its *TransitionError and leaves the order unchanged.
func (o *SalesOrder) Transition(to OrderStatus) error {
	if err := o.CheckTransition(to); err != nil {
		return err
	}
	o.Status = to
	return nil
}

// Cancel cancels what is left of the order and records reason. Before
// anything has shipped (draft, submitted, accepted, or in progress with
// nothing shipped) the order becomes cancelled. Once something has shipped,
// the unshipped remainder is cancelled and the order becomes completed. Either
// way each line's Cancelled bucket becomes Ordered − Shipped and its
// allocation is released. Any other state returns a *TransitionError and
// leaves the order unchanged.
func (o *SalesOrder) Cancel(reason string) error {
	to := OrderCancelled
	if o.Status == OrderInProgress && slices.ContainsFunc(o.Lines, func(l SalesOrderLine) bool { return !l.Shipped.IsZero() }) {
		to = OrderCompleted
	}
	if !orderMachine.allows(o.Status, to) {
		return &TransitionError{Entity: orderMachine.entity, From: string(o.Status), To: string(OrderCancelled)}
	}
	// Work out every line first so a failure leaves the order untouched.
	cancelled := make([]Quantity, len(o.Lines))
	for i, l := range o.Lines {
		c, err := l.Ordered.Sub(l.Shipped)
		if err != nil {
			return orderMachine.refuse(o.Status, to, fmt.Sprintf("line %s: %v", l.LineID, err))
		}
		if c.Value.IsNeg() {
			return orderMachine.refuse(o.Status, to, fmt.Sprintf("line %s has shipped more than ordered", l.LineID))
		}
		cancelled[i] = c
	}
	for i := range o.Lines {
		o.Lines[i].Cancelled = cancelled[i]
		o.Lines[i].Allocated = Quantity{}
	}
	o.Status = to
	o.CancelReason = reason
	return nil
}

// CheckTransition reports whether the shipment may move to state to: nil, or
// a *TransitionError. Guards: label_created needs a Label; cancelling a
// shipment whose label was bought needs the label voided first (so its cost
// is refunded or claimed).
func (s *Shipment) CheckTransition(to ShipmentStatus) error {
	m := &shipmentMachine
	if err := m.edge(s.Status, to); err != nil {
		return err
	}
	switch to {
	case ShipmentLabelCreated:
		if s.Label == nil {
			return m.refuse(s.Status, to, "the shipment has no label")
		}
	case ShipmentCancelled:
		if s.Label != nil && !s.Label.Voided {
			return m.refuse(s.Status, to, "void the label "+s.Label.ID+" first")
		}
	}
	return nil
}

// Transition moves the shipment to state to if CheckTransition allows it, and
// otherwise returns its *TransitionError and leaves the shipment unchanged.
func (s *Shipment) Transition(to ShipmentStatus) error {
	if err := s.CheckTransition(to); err != nil {
		return err
	}
	s.Status = to
	return nil
}

// CheckTransition reports whether the invoice may move to state to: nil, or a
// *TransitionError. Guards: issued needs a number and an issue date;
// partially_paid needs 0 < Paid < Payable; paid needs Paid ≥ Payable. Record
// the payment in Paid before moving the status.
func (inv *Invoice) CheckTransition(to InvoiceStatus) error {
	m := &invoiceMachine
	if err := m.edge(inv.Status, to); err != nil {
		return err
	}
	switch to {
	case InvoiceIssued:
		if inv.Number == "" || inv.IssueDate.IsZero() {
			return m.refuse(inv.Status, to, "an issued invoice needs a number and an issue date")
		}
	case InvoicePartiallyPaid:
		due, err := inv.AmountDue()
		if err != nil {
			return m.refuse(inv.Status, to, err.Error())
		}
		if !inv.Paid.Amount.IsPos() || !due.Amount.IsPos() {
			return m.refuse(inv.Status, to, fmt.Sprintf("paid %s of %s is not a part payment", inv.Paid.Amount, inv.Totals.Payable.Amount))
		}
	case InvoicePaid:
		due, err := inv.AmountDue()
		if err != nil {
			return m.refuse(inv.Status, to, err.Error())
		}
		if due.Amount.IsPos() {
			return m.refuse(inv.Status, to, fmt.Sprintf("%s is still due", due))
		}
	}
	return nil
}

// Transition moves the invoice to state to if CheckTransition allows it, and
// otherwise returns its *TransitionError and leaves the invoice unchanged.
func (inv *Invoice) Transition(to InvoiceStatus) error {
	if err := inv.CheckTransition(to); err != nil {
		return err
	}
	inv.Status = to
	return nil
}

// CheckTransition reports whether the credit note may move to state to: nil,
// or a *TransitionError. A credit note uses the invoice state machine; issued
// needs a number and an issue date.
func (cn *CreditNote) CheckTransition(to InvoiceStatus) error {
	m := &creditNoteMachine
	if err := m.edge(cn.Status, to); err != nil {
		return err
	}
	if to == InvoiceIssued && (cn.Number == "" || cn.IssueDate.IsZero()) {
		return m.refuse(cn.Status, to, "an issued credit note needs a number and an issue date")
	}
	return nil
}

// Transition moves the credit note to state to if CheckTransition allows it,
// and otherwise returns its *TransitionError and leaves it unchanged.
func (cn *CreditNote) Transition(to InvoiceStatus) error {
	if err := cn.CheckTransition(to); err != nil {
		return err
	}
	cn.Status = to
	return nil
}

// CheckTransition reports whether the return may move to state to: nil, or a
// *TransitionError. Guards: received needs some line with a received
// quantity; cancelled needs nothing received.
func (rt *Return) CheckTransition(to ReturnStatus) error {
	m := &returnMachine
	if err := m.edge(rt.Status, to); err != nil {
		return err
	}
	received := slices.ContainsFunc(rt.Lines, func(l ReturnLine) bool { return l.Received.Value.IsPos() })
	switch {
	case to == ReturnReceived && !received:
		return m.refuse(rt.Status, to, "no line has a received quantity")
	case to == ReturnCancelled && received:
		return m.refuse(rt.Status, to, "goods have been received")
	}
	return nil
}

// Transition moves the return to state to if CheckTransition allows it, and
// otherwise returns its *TransitionError and leaves the return unchanged.
func (rt *Return) Transition(to ReturnStatus) error {
	if err := rt.CheckTransition(to); err != nil {
		return err
	}
	rt.Status = to
	return nil
}
