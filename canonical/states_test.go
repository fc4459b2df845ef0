package canonical

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The expected edges are written out here from the research note's section
// 7.2 (plus the additions documented in states.go), independently of the
// tables in states.go, and every pair of states is tried against them.

type edge struct{ from, to string }

func edges(pairs ...string) map[edge]bool {
	out := map[edge]bool{}
	for _, p := range pairs {
		from, to, _ := strings.Cut(p, ">")
		out[edge{from, to}] = true
	}
	return out
}

var wantOrderEdges = edges(
	"draft>submitted", "draft>cancelled",
	"submitted>accepted", "submitted>rejected", "submitted>cancelled",
	"accepted>in_progress", "accepted>cancelled",
	"in_progress>completed", "in_progress>cancelled",
	"completed>closed",
)

var wantShipmentEdges = edges(
	"planned>label_pending", "planned>cancelled",
	"label_pending>label_created", "label_pending>label_failed", "label_pending>cancelled",
	"label_failed>label_pending", "label_failed>awaiting_action", "label_failed>cancelled",
	"awaiting_action>label_pending", "awaiting_action>cancelled",
	"label_created>shipped", "label_created>cancelled",
	"shipped>in_transit",
	"in_transit>out_for_delivery", "in_transit>delivered", "in_transit>exception",
	"out_for_delivery>delivered", "out_for_delivery>exception",
	"exception>in_transit", "exception>returned_to_sender", "exception>lost",
)

var wantInvoiceEdges = edges(
	"draft>issued", "draft>cancelled",
	"issued>partially_paid", "issued>paid", "issued>credited",
	"partially_paid>paid", "partially_paid>credited",
)

var wantReturnEdges = edges(
	"requested>authorized", "requested>declined", "requested>cancelled",
	"authorized>awaiting_return", "authorized>resolved", "authorized>cancelled",
	"awaiting_return>in_transit", "awaiting_return>received", "awaiting_return>cancelled",
	"in_transit>received",
	"received>inspected",
	"inspected>resolved",
	"resolved>closed",
)

var (
	allOrderStates = []OrderStatus{OrderDraft, OrderSubmitted, OrderAccepted, OrderRejected, OrderInProgress,
		OrderCompleted, OrderClosed, OrderCancelled}
	allShipmentStates = []ShipmentStatus{ShipmentPlanned, ShipmentLabelPending, ShipmentLabelFailed,
		ShipmentAwaitingAction, ShipmentLabelCreated, ShipmentShipped, ShipmentInTransit, ShipmentOutForDelivery,
		ShipmentDelivered, ShipmentException, ShipmentReturnedToSender, ShipmentLost, ShipmentCancelled}
	allInvoiceStates = []InvoiceStatus{InvoiceDraft, InvoiceIssued, InvoicePartiallyPaid, InvoicePaid,
		InvoiceCredited, InvoiceCancelled}
	allReturnStates = []ReturnStatus{ReturnRequested, ReturnAuthorized, ReturnDeclined, ReturnAwaitingReturn,
		ReturnInTransit, ReturnReceived, ReturnInspected, ReturnResolved, ReturnClosed, ReturnCancelled}
)

// checkMachine tries every pair of states (and an unknown state on each side)
// with try, which must put a fresh entity in from, attempt the move to to,
// and return the error and the entity's status afterwards.
func checkMachine[S ~string](t *testing.T, entity string, states []S, want map[edge]bool, try func(from, to S) (S, error)) {
	t.Helper()
	states = append(slices.Clone(states), "bogus")
	for _, from := range states {
		for _, to := range states {
			name := fmt.Sprintf("%s>%s", from, to)
			allowed := want[edge{string(from), string(to)}]
			after, err := try(from, to)
			if allowed {
				if err != nil || after != to {
					t.Errorf("%s %s: got %v, status %s; want the move", entity, name, err, after)
				}
				continue
			}
			var te *TransitionError
			if !errors.As(err, &te) {
				t.Errorf("%s %s: got %v, want *TransitionError", entity, name, err)
				continue
			}
			if te.Entity != entity || te.From != string(from) || te.To != string(to) || te.Reason != "" {
				t.Errorf("%s %s: error %+v", entity, name, te)
			}
			if after != from {
				t.Errorf("%s %s: status changed to %s on a refused move", entity, name, after)
			}
		}
	}
}

// checkQueries compares the status type's queries with the expected edges.
func checkQueries[S interface {
	~string
	Valid() bool
	IsTerminal() bool
	CanTransitionTo(S) bool
	Next() []S
}](t *testing.T, states []S, want map[edge]bool, terminal []S) {
	t.Helper()
	for _, s := range states {
		if !s.Valid() {
			t.Errorf("%s: Valid() = false", s)
		}
		if got := s.IsTerminal(); got != slices.Contains(terminal, s) {
			t.Errorf("%s: IsTerminal() = %v", s, got)
		}
		var next []S
		for _, to := range states {
			if got := s.CanTransitionTo(to); got != want[edge{string(s), string(to)}] {
				t.Errorf("%s.CanTransitionTo(%s) = %v", s, to, got)
			}
			if want[edge{string(s), string(to)}] {
				next = append(next, to)
			}
		}
		got := s.Next()
		slices.Sort(got)
		slices.Sort(next)
		if !slices.Equal(got, next) {
			t.Errorf("%s.Next() = %v, want %v", s, got, next)
		}
		if n := s.Next(); len(n) > 0 {
			n[0] = "mutated" // Next returns a copy; the table must not change.
			if s.Next()[0] == "mutated" {
				t.Errorf("%s.Next() exposes the table", s)
			}
		}
	}
	var bogus S = "bogus"
	if bogus.Valid() || bogus.IsTerminal() || len(bogus.Next()) != 0 {
		t.Errorf("unknown state %q reads as known", bogus)
	}
}

func TestOrderStateMachine(t *testing.T) {
	checkQueries(t, allOrderStates, wantOrderEdges, []OrderStatus{OrderRejected, OrderClosed, OrderCancelled})
	checkMachine(t, "SalesOrder", allOrderStates, wantOrderEdges, func(from, to OrderStatus) (OrderStatus, error) {
		// An order whose guards pass: nothing shipped for a cancel, all
		// shipped for completion, no active hold.
		o := validOrder()
		o.Status = from
		if to == OrderCompleted {
			for i := range o.Lines {
				l := &o.Lines[i]
				l.Shipped, _ = l.Ordered.Sub(l.Cancelled)
				l.Allocated = Quantity{}
			}
		} else {
			for i := range o.Lines {
				o.Lines[i].Shipped = Quantity{}
			}
		}
		err := o.Transition(to)
		return o.Status, err
	})
}

func TestShipmentStateMachine(t *testing.T) {
	checkQueries(t, allShipmentStates, wantShipmentEdges,
		[]ShipmentStatus{ShipmentDelivered, ShipmentReturnedToSender, ShipmentLost, ShipmentCancelled})
	checkMachine(t, "Shipment", allShipmentStates, wantShipmentEdges, func(from, to ShipmentStatus) (ShipmentStatus, error) {
		s := validShipment()
		s.Status = from
		if to == ShipmentCancelled {
			s.Label.Voided = true
		}
		err := s.Transition(to)
		return s.Status, err
	})
}

func TestInvoiceStateMachine(t *testing.T) {
	checkQueries(t, allInvoiceStates, wantInvoiceEdges, []InvoiceStatus{InvoicePaid, InvoiceCredited, InvoiceCancelled})
	checkMachine(t, "Invoice", allInvoiceStates, wantInvoiceEdges, func(from, to InvoiceStatus) (InvoiceStatus, error) {
		inv := validInvoice() // 20.00 paid of 59.32: a part payment
		inv.Status = from
		if to == InvoicePaid {
			inv.Paid = inv.Totals.Payable
		}
		err := inv.Transition(to)
		return inv.Status, err
	})
}

func TestCreditNoteStateMachine(t *testing.T) {
	checkMachine(t, "CreditNote", allInvoiceStates, wantInvoiceEdges, func(from, to InvoiceStatus) (InvoiceStatus, error) {
		cn := validCreditNote()
		cn.Status = from
		err := cn.Transition(to)
		return cn.Status, err
	})
}

func TestReturnStateMachine(t *testing.T) {
	checkQueries(t, allReturnStates, wantReturnEdges, []ReturnStatus{ReturnDeclined, ReturnClosed, ReturnCancelled})
	checkMachine(t, "Return", allReturnStates, wantReturnEdges, func(from, to ReturnStatus) (ReturnStatus, error) {
		r := validReturn()
		r.Status = from
		if to == ReturnCancelled {
			r.Lines[0].Received = Quantity{}
		}
		err := r.Transition(to)
		return r.Status, err
	})
}

func TestTransitionGuards(t *testing.T) {
	tests := []struct {
		name   string
		try    func() (status string, err error)
		from   string
		reason string // part of TransitionError.Reason
	}{
		{"cancel an order with shipped lines", func() (string, error) {
			o := validOrder() // in progress, line 1 shipped 2
			err := o.Transition(OrderCancelled)
			return string(o.Status), err
		}, "in_progress", "line 1 has shipped 2 C62"},
		{"complete an order with open lines", func() (string, error) {
			o := validOrder()
			err := o.Transition(OrderCompleted)
			return string(o.Status), err
		}, "in_progress", "line 1 still has 1 C62 to ship"},
		{"release an order under an active hold", func() (string, error) {
			o := validOrder()
			o.Status = OrderAccepted
			o.Holds = append(o.Holds, Hold{Type: HoldCredit, Blocks: []Stage{StageBilling, StageFulfillment}})
			err := o.Transition(OrderInProgress)
			return string(o.Status), err
		}, "accepted", "a credit hold blocks fulfillment"},
		{"buy-label state without a label", func() (string, error) {
			s := validShipment()
			s.Status, s.Label = ShipmentLabelPending, nil
			err := s.Transition(ShipmentLabelCreated)
			return string(s.Status), err
		}, "label_pending", "no label"},
		{"cancel a shipment with a live label", func() (string, error) {
			s := validShipment()
			s.Status = ShipmentLabelCreated
			err := s.Transition(ShipmentCancelled)
			return string(s.Status), err
		}, "label_created", "void the label lbl-9 first"},
		{"issue an invoice without a number", func() (string, error) {
			inv := validInvoice()
			inv.Status, inv.Number = InvoiceDraft, ""
			err := inv.Transition(InvoiceIssued)
			return string(inv.Status), err
		}, "draft", "needs a number and an issue date"},
		{"mark an invoice paid with money due", func() (string, error) {
			inv := validInvoice()
			err := inv.Transition(InvoicePaid)
			return string(inv.Status), err
		}, "partially_paid", "39.32 EUR is still due"},
		{"mark an unpaid invoice partially paid", func() (string, error) {
			inv := validInvoice()
			inv.Status, inv.Paid = InvoiceIssued, Money{}
			err := inv.Transition(InvoicePartiallyPaid)
			return string(inv.Status), err
		}, "issued", "not a part payment"},
		{"mark a fully paid invoice partially paid", func() (string, error) {
			inv := validInvoice()
			inv.Status, inv.Paid = InvoiceIssued, inv.Totals.Payable
			err := inv.Transition(InvoicePartiallyPaid)
			return string(inv.Status), err
		}, "issued", "not a part payment"},
		{"issue a credit note without a date", func() (string, error) {
			cn := validCreditNote()
			cn.Status, cn.IssueDate = InvoiceDraft, Date{}
			err := cn.Transition(InvoiceIssued)
			return string(cn.Status), err
		}, "draft", "needs a number and an issue date"},
		{"receive a return with nothing received", func() (string, error) {
			r := validReturn()
			r.Status, r.Lines[0].Received = ReturnInTransit, Quantity{}
			err := r.Transition(ReturnReceived)
			return string(r.Status), err
		}, "in_transit", "no line has a received quantity"},
		{"cancel a return with goods received", func() (string, error) {
			r := validReturn()
			r.Status = ReturnAwaitingReturn
			err := r.Transition(ReturnCancelled)
			return string(r.Status), err
		}, "awaiting_return", "goods have been received"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, err := tt.try()
			var te *TransitionError
			if !errors.As(err, &te) {
				t.Fatalf("got %v, want *TransitionError", err)
			}
			if !strings.Contains(te.Reason, tt.reason) || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("reason %q, want it to mention %q", te.Reason, tt.reason)
			}
			if status != tt.from || te.From != tt.from {
				t.Errorf("status %s, error from %s; want both %s", status, te.From, tt.from)
			}
			if !te.BusinessRule() {
				t.Error("a refused transition is a business-rule error")
			}
		})
	}
}

func TestReleasedHoldDoesNotBlock(t *testing.T) {
	o := validOrder() // its only hold is released
	o.Status = OrderAccepted
	o.Holds = append(o.Holds, Hold{Type: HoldCredit, Blocks: []Stage{StageBilling}}) // blocks billing only
	if err := o.Transition(OrderInProgress); err != nil {
		t.Fatal(err)
	}
}

func TestOrderCancel(t *testing.T) {
	t.Run("before shipping", func(t *testing.T) {
		o := validOrder()
		o.Status = OrderAccepted
		for i := range o.Lines {
			o.Lines[i].Shipped, o.Lines[i].Invoiced, o.Lines[i].Returned = Quantity{}, Quantity{}, Quantity{}
		}
		if err := o.Cancel("customer changed their mind"); err != nil {
			t.Fatal(err)
		}
		if o.Status != OrderCancelled || o.CancelReason != "customer changed their mind" {
			t.Errorf("status %s, reason %q", o.Status, o.CancelReason)
		}
		for _, l := range o.Lines {
			if !l.Cancelled.Value.Equal(l.Ordered.Value) || l.Cancelled.Unit != l.Ordered.Unit || !l.Allocated.IsZero() {
				t.Errorf("line %s: cancelled %s of %s, allocated %s", l.LineID, l.Cancelled, l.Ordered, l.Allocated)
			}
		}
		if err := o.Validate(); err != nil {
			t.Errorf("cancelled order is invalid: %v", err)
		}
		if got := o.FulfillmentStatus(); got != FulfillmentUnfulfilled {
			t.Errorf("fulfilment %s", got)
		}
	})
	t.Run("after part shipped", func(t *testing.T) {
		o := validOrder() // line 1 shipped 2 of 3, line 2 shipped 1 and cancelled 1, line 3 open
		if err := o.Cancel("out of stock"); err != nil {
			t.Fatal(err)
		}
		if o.Status != OrderCompleted {
			t.Errorf("status %s, want completed: the shipped part stands", o.Status)
		}
		want := map[string]string{"1": "1", "2": "1", "3": "1.5"}
		for _, l := range o.Lines {
			if l.Cancelled.Value.String() != want[l.LineID] {
				t.Errorf("line %s cancelled %s, want %s", l.LineID, l.Cancelled.Value, want[l.LineID])
			}
		}
		if err := o.Validate(); err != nil {
			t.Errorf("order is invalid after cancelling the remainder: %v", err)
		}
		if got := o.FulfillmentStatus(); got != FulfillmentFulfilled {
			t.Errorf("fulfilment %s, want fulfilled", got)
		}
	})
	t.Run("too late", func(t *testing.T) {
		for _, s := range []OrderStatus{OrderCompleted, OrderClosed, OrderRejected, OrderCancelled, "bogus"} {
			o := validOrder()
			o.Status = s
			before := o.Lines[2].Cancelled
			err := o.Cancel("x")
			var te *TransitionError
			if !errors.As(err, &te) || te.To != string(OrderCancelled) || o.Status != s || o.Lines[2].Cancelled != before || o.CancelReason != "" {
				t.Errorf("Cancel from %s = %v; order changed: status %s, reason %q", s, err, o.Status, o.CancelReason)
			}
		}
	})
}
