package memcrm_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/sim"
	"github.com/junctionhq/junction/crm/memcrm"
)

var (
	t0  = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ctx = context.Background()
)

func newCRM(t *testing.T) *memcrm.Sim {
	t.Helper()
	return memcrm.New(memcrm.Config{Clock: connectortest.NewClock(t0)})
}

func customer(name, email string) canonical.Customer {
	return canonical.Customer{Name: name, Email: email}
}

func write[T any](key string, version int64, e T) connector.Write[T] {
	return connector.Write[T]{
		Change:         connector.Change[T]{System: "shop", Key: key, Version: connector.SeqVersion(version), Entity: e},
		IdempotencyKey: fmt.Sprintf("shop:%s:%d", key, version),
	}
}

func mustApply[T any](t *testing.T, sink connector.Sink[T], w connector.Write[T]) connector.Result {
	t.Helper()
	r, err := sink.Apply(ctx, w)
	if err != nil {
		t.Fatalf("applying %s: %v", w.Key, err)
	}
	return r
}

func wantKind(t *testing.T, err error, kind connector.Kind, path string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("got %v (kind %s), want the %s kind", err, connector.KindOf(err), kind)
	}
	if path == "" {
		return
	}
	var ce *connector.Error
	if !errors.As(err, &ce) || len(ce.Fields) != 1 || ce.Fields[0].Path != path {
		t.Errorf("%v does not name the field %s", err, path)
	}
}

func TestContactsAreUniqueByEmail(t *testing.T) {
	c := newCRM(t)
	sink := c.Contacts()
	first := mustApply(t, sink, write("shop-1", 1, customer("Ada Lovelace", "ada@example.com")))
	if first.Action != connector.Created || first.Ref.ID != "contact-1" || first.Ref.System != "memcrm" {
		t.Fatalf("first: %+v", first)
	}
	tests := []struct {
		name   string
		key    string
		email  string
		action connector.Action
	}{
		{"another key, same email in another case", "erp-C042", "  ADA@Example.com ", connector.Updated},
		{"the same key again", "shop-1", "ada@example.com", connector.Updated},
		{"a third key", "shop-9", "ada@example.com", connector.Updated},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustApply(t, sink, write(tc.key, int64(i+2), customer(fmt.Sprintf("Ada %d", i), tc.email)))
			if r.Action != tc.action || r.Ref != first.Ref {
				t.Errorf("got %+v, want %s %v", r, tc.action, first.Ref)
			}
		})
	}
	if n := c.ContactCount(); n != 1 {
		t.Fatalf("%d contacts, want 1", n)
	}
	got, ok := c.Contact("Ada@example.com")
	if !ok || got.ID != "contact-1" || got.Email != "ada@example.com" {
		t.Fatalf("contact %+v", got)
	}
	if !slices.Equal(got.Aliases, []string{"shop-1", "erp-C042", "shop-9"}) {
		t.Errorf("aliases %v", got.Aliases)
	}
	if got.Customer.Name != "Ada 2" {
		t.Errorf("name %q, want the last write's", got.Customer.Name)
	}
	// Another email is another contact.
	if r := mustApply(t, sink, write("shop-2", 1, customer("Grace", "grace@example.com"))); r.Ref.ID != "contact-2" {
		t.Errorf("second contact: %+v", r)
	}
}

func TestContactsNeedAnEmail(t *testing.T) {
	tests := []struct {
		name  string
		email string
		code  string
	}{
		{"none", "", canonical.CodeRequired},
		{"blank", "   ", canonical.CodeRequired},
		{"no at", "ada.example.com", "email"},
		{"no domain", "ada@", "email"},
		{"no dot in the domain", "ada@localhost", "email"},
		{"a space", "ada lovelace@example.com", "email"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCRM(t)
			_, err := c.Contacts().Apply(ctx, write("shop-1", 1, customer("Ada", tc.email)))
			wantKind(t, err, connector.Invalid, "email")
			var ce *connector.Error
			if errors.As(err, &ce) && ce.Fields[0].Code != tc.code {
				t.Errorf("code %s, want %s", ce.Fields[0].Code, tc.code)
			}
			if c.ContactCount() != 0 {
				t.Error("a contact was created")
			}
		})
	}
}

func TestEmailChanges(t *testing.T) {
	c := newCRM(t)
	sink := c.Contacts()
	mustApply(t, sink, write("shop-1", 1, customer("Ada", "ada@example.com")))
	mustApply(t, sink, write("shop-2", 1, customer("Grace", "grace@example.com")))
	// A customer moving to an unused email keeps its contact.
	r := mustApply(t, sink, write("shop-1", 2, customer("Ada", "ada@lovelace.example")))
	if r.Ref.ID != "contact-1" || r.Action != connector.Updated {
		t.Errorf("email change: %+v", r)
	}
	if _, ok := c.Contact("ada@example.com"); ok {
		t.Error("the old email still finds the contact")
	}
	if got, _ := c.Contact("ada@lovelace.example"); got.ID != "contact-1" {
		t.Errorf("the new email finds %q", got.ID)
	}
	// Moving to another contact's email would merge two contacts: a person decides.
	_, err := sink.Apply(ctx, write("shop-1", 3, customer("Ada", "grace@example.com")))
	wantKind(t, err, connector.BusinessRule, "")
	if c.ContactCount() != 2 {
		t.Errorf("%d contacts, want 2", c.ContactCount())
	}
}

func TestConsentBelongsToTheCRM(t *testing.T) {
	c := newCRM(t)
	sink := c.Contacts()
	in := customer("Ada", "ada@example.com")
	in.Contacts = []canonical.Contact{
		{FirstName: "Ada", Email: "ADA@example.com", Consent: true},
		{FirstName: "Charles", Email: "charles@example.com", Consent: true},
	}
	mustApply(t, sink, write("shop-1", 1, in))
	got, _ := c.Contact("ada@example.com")
	if got.Consent || got.Customer.Contacts[0].Consent || got.Customer.Contacts[1].Consent {
		t.Fatalf("a write set consent: %+v", got)
	}
	if err := c.SetConsent(ctx, "Ada@Example.com", true); err != nil {
		t.Fatal(err)
	}
	// A later write that says "no consent" does not take it away.
	in.Name = "Ada King"
	in.Contacts[0].Consent = false
	mustApply(t, sink, write("shop-1", 2, in))
	got, _ = c.Contact("ada@example.com")
	if !got.Consent || !got.Customer.Contacts[0].Consent || got.Customer.Contacts[1].Consent {
		t.Errorf("after a write: consent %v, contacts %+v", got.Consent, got.Customer.Contacts)
	}
	if got.Customer.Name != "Ada King" {
		t.Errorf("name %q, want the write's", got.Customer.Name)
	}
	// A customer without contact entries gets one carrying the CRM's consent.
	mustApply(t, sink, write("shop-1", 3, customer("Ada", "ada@example.com")))
	got, _ = c.Contact("ada@example.com")
	if len(got.Customer.Contacts) != 1 || got.Customer.Contacts[0].Email != "ada@example.com" || !got.Customer.Contacts[0].Consent {
		t.Errorf("contacts %+v", got.Customer.Contacts)
	}
}

func TestContactChangesReportConsent(t *testing.T) {
	c := newCRM(t)
	mustApply(t, c.Contacts(), write("shop-1", 1, customer("Ada", "ada@example.com")))
	if err := c.SetConsent(ctx, "ada@example.com", true); err != nil {
		t.Fatal(err)
	}
	if err := c.SetConsent(ctx, "ada@example.com", true); err != nil { // no change
		t.Fatal(err)
	}
	if err := c.SetConsent(ctx, "ada@example.com", false); err != nil {
		t.Fatal(err)
	}
	if err := c.SetConsent(ctx, "nobody@example.com", true); !errors.Is(err, connector.NotFound) {
		t.Errorf("unknown email: %v, want the NotFound kind", err)
	}
	var got []bool
	for ch, err := range c.ContactChanges().Changes(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		if ch.Key != "contact-1" || ch.System != "memcrm" {
			t.Errorf("change %s from %s", ch.Key, ch.System)
		}
		got = append(got, ch.Entity.Contacts[0].Consent)
	}
	if !slices.Equal(got, []bool{true, false}) {
		t.Errorf("consent changes %v, want [true false]: writes are not echoed and no-ops not reported", got)
	}
}

func order(number, email string, status canonical.OrderStatus, payable string) canonical.SalesOrder {
	return canonical.SalesOrder{
		Number: number, Status: status, Currency: "GBP",
		Customer: canonical.PartyRef{Email: email},
		Totals:   canonical.Totals{Payable: canonical.MustMoney(payable, "GBP")},
	}
}

func TestDealsFollowOrders(t *testing.T) {
	c := newCRM(t)
	mustApply(t, c.Contacts(), write("shop-1", 1, customer("Ada", "ada@example.com")))
	mustApply(t, c.Contacts(), write("shop-2", 1, customer("Grace", "grace@example.com")))
	deals := c.Deals()
	tests := []struct {
		name    string
		status  canonical.OrderStatus
		email   string
		payable string
		action  connector.Action
		stage   string
		contact string
	}{
		{"submitted", canonical.OrderSubmitted, "ada@example.com", "100.00", connector.Created, memcrm.StageOpen, "contact-1"},
		{"accepted", canonical.OrderAccepted, "ada@example.com", "100.00", connector.Unchanged, memcrm.StageOpen, "contact-1"},
		{"amended", canonical.OrderAccepted, "ADA@example.com", "80.00", connector.Updated, memcrm.StageOpen, "contact-1"},
		{"in progress", canonical.OrderInProgress, "ada@example.com", "80.00", connector.Updated, memcrm.StageWon, "contact-1"},
		{"completed", canonical.OrderCompleted, "ada@example.com", "80.00", connector.Unchanged, memcrm.StageWon, "contact-1"},
		{"moved to another customer", canonical.OrderCompleted, "grace@example.com", "80.00", connector.Updated, memcrm.StageWon, "contact-2"},
		{"cancelled", canonical.OrderCancelled, "grace@example.com", "80.00", connector.Updated, memcrm.StageLost, "contact-2"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustApply(t, deals, write("SO-1", int64(i+1), order("SO-1", tc.email, tc.status, tc.payable)))
			if r.Action != tc.action || r.Ref != (canonical.ExternalRef{System: "memcrm", Type: "deal", ID: "deal-1"}) {
				t.Errorf("got %+v, want %s deal-1", r, tc.action)
			}
			d, _ := c.Deal("SO-1")
			if d.Stage != tc.stage || d.Contact != tc.contact || !d.Amount.Equal(canonical.MustMoney(tc.payable, "GBP")) {
				t.Errorf("deal %+v, want %s for %s of %s", d, tc.stage, tc.contact, tc.payable)
			}
		})
	}
	if all := c.AllDeals(); len(all) != 1 {
		t.Errorf("%d deals for one order", len(all))
	}
}

func TestDealRules(t *testing.T) {
	c := newCRM(t)
	mustApply(t, c.Contacts(), write("shop-1", 1, customer("Ada", "ada@example.com")))

	_, err := c.Deals().Apply(ctx, write("SO-1", 1, order("SO-1", "nobody@example.com", canonical.OrderSubmitted, "10.00")))
	wantKind(t, err, connector.NotFound, "")

	_, err = c.Deals().Apply(ctx, write("SO-2", 1, order("SO-2", "", canonical.OrderSubmitted, "10.00")))
	wantKind(t, err, connector.Invalid, "customer.email")

	_, err = c.Deals().Apply(ctx, write("SO-3", 1, order("SO-3", "ada@example.com", "shipped", "10.00")))
	wantKind(t, err, connector.Invalid, "status")
	if n := len(c.AllDeals()); n != 0 {
		t.Fatalf("%d deals after refused writes", n)
	}

	// Without an email, a customer key the CRM knows finds the contact.
	byKey := order("SO-4", "", canonical.OrderSubmitted, "10.00")
	byKey.Customer.Refs = []canonical.ExternalRef{{System: "shop", ID: "shop-1"}}
	if r := mustApply(t, c.Deals(), write("SO-4", 1, byKey)); r.Action != connector.Created {
		t.Errorf("deal by customer key: %+v", r)
	}
	// Older versions are stale; a Delete loses the deal.
	if r := mustApply(t, c.Deals(), write("SO-4", 5, order("SO-4", "ada@example.com", canonical.OrderInProgress, "10.00"))); r.Action != connector.Updated {
		t.Errorf("update: %+v", r)
	}
	if r := mustApply(t, c.Deals(), write("SO-4", 4, order("SO-4", "ada@example.com", canonical.OrderSubmitted, "10.00"))); r.Action != connector.Stale {
		t.Errorf("older version: %+v, want stale", r)
	}
	del := write("SO-4", 6, canonical.SalesOrder{})
	del.Op = connector.Delete
	if r := mustApply(t, c.Deals(), del); r.Action != connector.Deleted {
		t.Errorf("delete: %+v", r)
	}
	if d, _ := c.Deal("SO-4"); d.Stage != memcrm.StageLost {
		t.Errorf("stage %s after a delete, want lost", d.Stage)
	}
}

func TestContactsIdempotencyAndStaleness(t *testing.T) {
	c := newCRM(t)
	sink := c.Contacts()
	w := write("shop-1", 2, customer("Ada v2", "ada@example.com"))
	first := mustApply(t, sink, w)
	if again := mustApply(t, sink, w); again.Ref != first.Ref || again.Action != connector.Unchanged {
		t.Errorf("repeat: %+v", again)
	}
	r := mustApply(t, sink, write("shop-1", 1, customer("Ada v1", "ada@example.com")))
	if r.Action != connector.Stale || r.Ref != first.Ref {
		t.Errorf("older version: %+v, want stale", r)
	}
	if got, _ := c.Contact("ada@example.com"); got.Customer.Name != "Ada v2" {
		t.Errorf("name %q after a stale write", got.Customer.Name)
	}
	del := write("shop-1", 3, canonical.Customer{})
	del.Op = connector.Delete
	_, err := sink.Apply(ctx, del)
	wantKind(t, err, connector.Unsupported, "")
}

func TestInjectedFaults(t *testing.T) {
	c := memcrm.New(memcrm.Config{Clock: connectortest.NewClock(t0), Faults: sim.Faults{Transient: 1}})
	_, err := c.Contacts().Apply(ctx, write("shop-1", 1, customer("Ada", "ada@example.com")))
	wantKind(t, err, connector.Transient, "")
	wantKind(t, c.SetConsent(ctx, "ada@example.com", true), connector.Transient, "")
	c.SetFaults(sim.Faults{})
	if c.ContactCount() != 0 {
		t.Error("a failed call created a contact")
	}
}
