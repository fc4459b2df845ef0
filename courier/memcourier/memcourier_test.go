package memcourier_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/sim"
	"github.com/junctionhq/junction/courier/memcourier"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newSim(t *testing.T, cfg memcourier.Config) (*memcourier.Sim, *connectortest.Clock) {
	t.Helper()
	clock := connectortest.NewClock(t0)
	if cfg.Clock == nil {
		cfg.Clock = clock
	}
	return memcourier.New(cfg), clock
}

func kg(s string) *canonical.Quantity {
	return &canonical.Quantity{Value: canonical.MustDecimal(s), Unit: canonical.UnitKilogram}
}

// shipment returns a valid UK shipment with n lines of one unit each.
func shipment(number string, lines int) canonical.Shipment {
	sh := canonical.Shipment{
		Number: number,
		Order:  "SO-1",
		Status: canonical.ShipmentPlanned,
		ShipTo: canonical.Address{
			Name: "Ada Lovelace", Lines: []string{"10 Downing Street"}, City: "London",
			PostalCode: "SW1A 2AA", Country: "GB",
		},
	}
	for i := range lines {
		sh.Lines = append(sh.Lines, canonical.ShipmentLine{
			LineID: fmt.Sprint(i + 1), OrderLine: canonical.LineRef{Document: "SO-1", LineID: fmt.Sprint(i + 1)},
			SKU: fmt.Sprintf("SKU-%d", i+1), Quantity: canonical.Qty(1, canonical.UnitOne),
		})
	}
	return sh
}

func write(sh canonical.Shipment, version int64, op connector.Op) connector.Write[canonical.Shipment] {
	return connector.Write[canonical.Shipment]{
		Change: connector.Change[canonical.Shipment]{
			System: "erp", Key: sh.Number, Op: op, Version: connector.SeqVersion(version), Entity: sh,
		},
		IdempotencyKey: fmt.Sprintf("erp:%s:%s:%d", sh.Number, op, version),
	}
}

func book(t *testing.T, s *memcourier.Sim, sh canonical.Shipment) connector.Result {
	t.Helper()
	r, err := s.Shipments().Apply(context.Background(), write(sh, 1, connector.Upsert))
	if err != nil {
		t.Fatalf("booking %s: %v", sh.Number, err)
	}
	return r
}

func TestBookingRefusesUndeliverableShipments(t *testing.T) {
	type problem struct{ path, code, suggestion string }
	tests := []struct {
		name   string
		edit   func(*canonical.Shipment)
		errors []problem
	}{
		{"no country", func(s *canonical.Shipment) { s.ShipTo.Country = "" },
			[]problem{{"shipTo.country", memcourier.CodeRequired, ""}}},
		{"UK is not ISO", func(s *canonical.Shipment) { s.ShipTo.Country = "UK" },
			[]problem{{"shipTo.country", memcourier.CodeUnknownCountry, "GB"}}},
		{"made-up country", func(s *canonical.Shipment) { s.ShipTo.Country = "XX" },
			[]problem{{"shipTo.country", memcourier.CodeUnknownCountry, ""}}},
		{"no postcode", func(s *canonical.Shipment) { s.ShipTo.PostalCode = "  " },
			[]problem{{"shipTo.postalCode", memcourier.CodeRequired, ""}}},
		{"GB postcode badly written", func(s *canonical.Shipment) { s.ShipTo.PostalCode = "sw1a1aa" },
			[]problem{{"shipTo.postalCode", memcourier.CodePostcodeFormat, "SW1A 1AA"}}},
		{"GB postcode that is none", func(s *canonical.Shipment) { s.ShipTo.PostalCode = "12345" },
			[]problem{{"shipTo.postalCode", memcourier.CodeInvalidPostcode, ""}}},
		{"US ZIP lost its leading zero", func(s *canonical.Shipment) {
			s.ShipTo.Country, s.ShipTo.PostalCode = "US", "2134"
		}, []problem{{"shipTo.postalCode", memcourier.CodeInvalidPostcode, ""}}},
		{"US ZIP+4 without hyphen", func(s *canonical.Shipment) {
			s.ShipTo.Country, s.ShipTo.PostalCode = "US", "021341234"
		}, []problem{{"shipTo.postalCode", memcourier.CodePostcodeFormat, "02134-1234"}}},
		{"DE postcode too short", func(s *canonical.Shipment) {
			s.ShipTo.Country, s.ShipTo.PostalCode = "DE", "1011"
		}, []problem{{"shipTo.postalCode", memcourier.CodeInvalidPostcode, ""}}},
		{"FR postcode with letters", func(s *canonical.Shipment) {
			s.ShipTo.Country, s.ShipTo.PostalCode = "FR", "75O01"
		}, []problem{{"shipTo.postalCode", memcourier.CodeInvalidPostcode, ""}}},
		{"NL postcode without space", func(s *canonical.Shipment) {
			s.ShipTo.Country, s.ShipTo.PostalCode = "NL", "1012ab"
		}, []problem{{"shipTo.postalCode", memcourier.CodePostcodeFormat, "1012 AB"}}},
		{"no city", func(s *canonical.Shipment) { s.ShipTo.City = "" },
			[]problem{{"shipTo.city", memcourier.CodeRequired, ""}}},
		{"blank address lines", func(s *canonical.Shipment) { s.ShipTo.Lines = []string{" ", ""} },
			[]problem{{"shipTo.lines", memcourier.CodeRequired, ""}}},
		{"no lines", func(s *canonical.Shipment) { s.Lines = nil },
			[]problem{{"lines", memcourier.CodeRequired, ""}}},
		{"zero quantity", func(s *canonical.Shipment) { s.Lines[1].Quantity = canonical.Qty(0, canonical.UnitOne) },
			[]problem{{"lines[1].quantity", memcourier.CodeNotPositive, ""}}},
		{"zero weight", func(s *canonical.Shipment) { s.Weight = kg("0") },
			[]problem{{"weight", memcourier.CodeNotPositive, ""}}},
		{"too heavy", func(s *canonical.Shipment) { s.Weight = kg("30.5") },
			[]problem{{"weight", memcourier.CodeTooHeavy, ""}}},
		{"weight in metres", func(s *canonical.Shipment) {
			s.Weight = &canonical.Quantity{Value: canonical.DecimalFromInt(2), Unit: "MTR"}
		}, []problem{{"weight.unit", memcourier.CodeUnit, ""}}},
		{"unknown service", func(s *canonical.Shipment) { s.Service = "overnight" },
			[]problem{{"service", memcourier.CodeUnsupportedService, "standard"}}},
		{"everything wrong at once", func(s *canonical.Shipment) {
			s.ShipTo = canonical.Address{Country: "GB", PostalCode: "sw1a1aa"}
			s.Weight = kg("-1")
		}, []problem{
			{"shipTo.postalCode", memcourier.CodePostcodeFormat, "SW1A 1AA"},
			{"shipTo.city", memcourier.CodeRequired, ""},
			{"shipTo.lines", memcourier.CodeRequired, ""},
			{"weight", memcourier.CodeNotPositive, ""},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newSim(t, memcourier.Config{})
			sh := shipment("SH-1", 2)
			tc.edit(&sh)
			_, err := s.Shipments().Apply(context.Background(), write(sh, 1, connector.Upsert))
			if !errors.Is(err, connector.Invalid) {
				t.Fatalf("got %v, want the Invalid kind", err)
			}
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("%v is not a *connector.Error", err)
			}
			probs := memcourier.Problems(err)
			if len(ce.Fields) != len(tc.errors) || len(probs) != len(tc.errors) {
				t.Fatalf("got fields %v and problems %v, want %v", ce.Fields, probs, tc.errors)
			}
			for i, want := range tc.errors {
				if f := ce.Fields[i]; f.Path != want.path || f.Code != want.code {
					t.Errorf("field %d = %s (%s), want %s (%s)", i, f.Path, f.Code, want.path, want.code)
				}
				if p := probs[i]; p.Field != want.path || p.Suggestion != want.suggestion {
					t.Errorf("problem %d = %s suggesting %q, want %s suggesting %q", i, p.Field, p.Suggestion, want.path, want.suggestion)
				}
			}
			if _, ok := s.Shipment("SH-1"); ok {
				t.Error("a refused shipment was stored")
			}
			if a := s.Account(); a.Purchased != 0 || !a.Spent.IsZero() {
				t.Errorf("a refused shipment was charged: %+v", a)
			}
		})
	}
}

func TestBookingAcceptsWellFormedAddresses(t *testing.T) {
	tests := []struct{ country, postcode string }{
		{"GB", "SW1A 1AA"}, {"gb", "EC1A 1BB"}, {"US", "02134"}, {"US", "02134-1234"},
		{"DE", "10115"}, {"FR", "75001"}, {"NL", "1012 AB"}, {"HK", ""}, {"JP", "100-0001"},
	}
	for _, tc := range tests {
		t.Run(tc.country+" "+tc.postcode, func(t *testing.T) {
			s, _ := newSim(t, memcourier.Config{})
			sh := shipment("SH-1", 1)
			sh.ShipTo.Country, sh.ShipTo.PostalCode = tc.country, tc.postcode
			if r := book(t, s, sh); r.Action != connector.Created {
				t.Errorf("action %s, want created", r.Action)
			}
		})
	}
}

func TestBookingBuysAPricedLabel(t *testing.T) {
	tests := []struct {
		name    string
		service string
		lines   int
		weight  *canonical.Quantity
		cost    string
	}{
		{"standard, light", "", 1, kg("1.5"), "4.50"},
		{"standard, grams", "standard", 1, &canonical.Quantity{Value: canonical.DecimalFromInt(2000), Unit: canonical.UnitGram}, "4.50"},
		{"standard, medium", "Standard", 1, kg("2.01"), "7.95"},
		{"standard, heavy", "standard", 1, kg("30"), "12.50"},
		{"express, light", "express", 1, kg("0.2"), "8.95"},
		{"express, medium", "EXPRESS", 1, kg("10"), "13.50"},
		{"express, heavy", "express", 1, kg("11"), "21.00"},
		{"no weight, 2 lines", "", 2, nil, "4.50"},
		{"no weight, 3 lines", "", 3, nil, "7.95"},
		{"no weight, 6 lines", "express", 6, nil, "21.00"},
	}
	tracking := regexp.MustCompile(`^JN\d{10}$`)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newSim(t, memcourier.Config{Carrier: "acme-post"})
			sh := shipment("SH-1", tc.lines)
			sh.Service, sh.Weight = tc.service, tc.weight
			r := book(t, s, sh)
			got, _ := s.Shipment("SH-1")
			if !tracking.MatchString(got.TrackingNumber) {
				t.Errorf("tracking number %q is not JN and 10 digits", got.TrackingNumber)
			}
			if r.Action != connector.Created || r.Ref != (canonical.ExternalRef{System: "memcourier", ID: got.TrackingNumber}) {
				t.Errorf("result %+v, want created with the tracking number as ref", r)
			}
			if got.Status != canonical.ShipmentLabelCreated || got.Carrier != "acme-post" {
				t.Errorf("status %s carrier %s, want label_created by acme-post", got.Status, got.Carrier)
			}
			l := got.Label
			if l == nil || l.Format != "PDF" || l.URL != "https://labels.example/"+l.ID+".pdf" || l.Cost == nil {
				t.Fatalf("label %+v", l)
			}
			if want := canonical.MustMoney(tc.cost, "GBP"); !l.Cost.Equal(want) {
				t.Errorf("label cost %s, want %s", l.Cost, want)
			}
			if a := s.Account(); a.Purchased != 1 || !a.Spent.Equal(*l.Cost) {
				t.Errorf("account %+v, want one purchase of %s", a, l.Cost)
			}
			if len(got.Events) != 1 || got.Events[0].Status != canonical.ShipmentLabelCreated || !got.Events[0].At.Equal(t0) {
				t.Errorf("events %+v, want one label_created at %s", got.Events, t0)
			}
		})
	}
}

func TestTrackingNumbersFollowTheSeed(t *testing.T) {
	numbers := func(seed uint64) []string {
		s, _ := newSim(t, memcourier.Config{Seed: seed})
		var out []string
		for i := range 5 {
			out = append(out, book(t, s, shipment(fmt.Sprintf("SH-%d", i), 1)).Ref.ID)
		}
		return out
	}
	a, b, c := numbers(7), numbers(7), numbers(8)
	if !slices.Equal(a, b) {
		t.Errorf("same seed, different tracking numbers: %v and %v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("different seeds, same tracking numbers: %v", a)
	}
	if len(slices.Compact(slices.Sorted(slices.Values(a)))) != len(a) {
		t.Errorf("repeated tracking numbers: %v", a)
	}
}

func TestRetriesNeverBuyASecondLabel(t *testing.T) {
	ctx := context.Background()
	s, _ := newSim(t, memcourier.Config{})
	sink := s.Shipments()
	sh := shipment("SH-1", 1)
	first := book(t, s, sh)

	// The same write again (a retry after a lost response).
	again, err := sink.Apply(ctx, write(sh, 1, connector.Upsert))
	if err != nil || again.Ref != first.Ref || again.Action != connector.Unchanged {
		t.Fatalf("repeat: %+v, %v; want unchanged %v", again, err, first.Ref)
	}
	// The same shipment under a new idempotency key (another flow run).
	w := write(sh, 1, connector.Upsert)
	w.IdempotencyKey = "another-run"
	again, err = sink.Apply(ctx, w)
	if err != nil || again.Ref != first.Ref || again.Action != connector.Unchanged {
		t.Fatalf("same content, new key: %+v, %v; want unchanged %v", again, err, first.Ref)
	}
	// A bookkeeping change keeps the label.
	sh.Revision = 2
	upd, err := sink.Apply(ctx, write(sh, 2, connector.Upsert))
	if err != nil || upd.Action != connector.Updated || upd.Ref != first.Ref {
		t.Fatalf("update: %+v, %v; want updated %v", upd, err, first.Ref)
	}
	// A new address needs a new label: refused until the old one is voided.
	moved := sh
	moved.ShipTo.City, moved.ShipTo.Lines = "Manchester", []string{"1 Deansgate"}
	_, err = sink.Apply(ctx, write(moved, 3, connector.Upsert))
	if !errors.Is(err, connector.BusinessRule) {
		t.Fatalf("address change after the label: %v, want the BusinessRule kind", err)
	}
	if a := s.Account(); a.Purchased != 1 {
		t.Errorf("bought %d labels, want 1", a.Purchased)
	}
	got, _ := s.Shipment("SH-1")
	if got.Revision != 2 || got.ShipTo.City != "London" {
		t.Errorf("held revision %d in %s, want revision 2 in London", got.Revision, got.ShipTo.City)
	}
}

func TestOlderVersionsAreStale(t *testing.T) {
	ctx := context.Background()
	s, _ := newSim(t, memcourier.Config{})
	sh := shipment("SH-1", 1)
	sh.Revision = 2
	r2, err := s.Shipments().Apply(ctx, write(sh, 2, connector.Upsert))
	if err != nil {
		t.Fatal(err)
	}
	sh.Revision = 1
	r1, err := s.Shipments().Apply(ctx, write(sh, 1, connector.Upsert))
	if err != nil || r1.Action != connector.Stale || r1.Ref != r2.Ref {
		t.Fatalf("older write: %+v, %v; want stale %v", r1, err, r2.Ref)
	}
	if got, _ := s.Shipment("SH-1"); got.Revision != 2 {
		t.Errorf("held revision %d, want 2", got.Revision)
	}
}

func TestDeleteVoidsAndRefundsTheLabel(t *testing.T) {
	ctx := context.Background()
	s, _ := newSim(t, memcourier.Config{})
	sh := shipment("SH-1", 1)
	first := book(t, s, sh)
	r, err := s.Shipments().Apply(ctx, write(sh, 2, connector.Delete))
	if err != nil || r.Action != connector.Deleted || r.Ref != first.Ref {
		t.Fatalf("delete: %+v, %v", r, err)
	}
	got, _ := s.Shipment("SH-1")
	if got.Status != canonical.ShipmentCancelled || !got.Label.Voided {
		t.Errorf("after the void: status %s, voided %v", got.Status, got.Label.Voided)
	}
	a := s.Account()
	if a.Voided != 1 || !a.Refunded.Equal(a.Spent) {
		t.Errorf("account %+v, want the label refunded", a)
	}
	// A second void (by label ID) refunds nothing more.
	if err := s.VoidLabel(ctx, got.Label.ID); err != nil {
		t.Errorf("voiding again: %v", err)
	}
	if s.Account() != a {
		t.Errorf("a second void changed the account: %+v", s.Account())
	}
	var last connector.Change[canonical.Shipment]
	for c, err := range s.Tracking().Changes(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		last = c
	}
	if last.Op != connector.Delete || last.Entity.Status != canonical.ShipmentCancelled {
		t.Errorf("the tracking feed ends with %s %s, want a delete of the cancelled shipment", last.Op, last.Entity.Status)
	}
	// Booking the number again buys a new label.
	re, err := s.Shipments().Apply(ctx, write(sh, 3, connector.Upsert))
	if err != nil || re.Action != connector.Created || re.Ref == first.Ref {
		t.Fatalf("rebooking: %+v, %v; want a new label", re, err)
	}
	if a := s.Account(); a.Purchased != 2 {
		t.Errorf("bought %d labels, want 2", a.Purchased)
	}
}

func TestAUsedLabelCannotBeVoided(t *testing.T) {
	ctx := context.Background()
	s, _ := newSim(t, memcourier.Config{})
	sh := shipment("SH-1", 1)
	book(t, s, sh)
	if err := s.Advance(ctx, 7*time.Hour); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Shipment("SH-1")
	if err := s.VoidLabel(ctx, got.Label.ID); !errors.Is(err, connector.BusinessRule) {
		t.Errorf("VoidLabel of a collected parcel: %v, want the BusinessRule kind", err)
	}
	if _, err := s.Shipments().Apply(ctx, write(sh, 2, connector.Delete)); !errors.Is(err, connector.BusinessRule) {
		t.Errorf("Delete of a collected parcel: %v, want the BusinessRule kind", err)
	}
	if a := s.Account(); a.Voided != 0 || !a.Refunded.IsZero() {
		t.Errorf("a used label was refunded: %+v", a)
	}
	if err := s.VoidLabel(ctx, "LBL-999999"); !errors.Is(err, connector.NotFound) {
		t.Errorf("VoidLabel of an unknown label: %v, want the NotFound kind", err)
	}
	r, err := s.Shipments().Apply(ctx, write(shipment("SH-404", 1), 1, connector.Delete))
	if err != nil || r.Action != connector.Unchanged {
		t.Errorf("deleting an unknown shipment: %+v, %v; want unchanged", r, err)
	}
}

func statuses(events []canonical.TrackingEvent) []canonical.ShipmentStatus {
	var out []canonical.ShipmentStatus
	for _, e := range events {
		out = append(out, e.Status)
	}
	return out
}

func TestTrackingProgressesToDelivered(t *testing.T) {
	ctx := context.Background()
	s, _ := newSim(t, memcourier.Config{})
	std := shipment("SH-STD", 1)
	exp := shipment("SH-EXP", 1)
	exp.Service = memcourier.Express
	book(t, s, std)
	book(t, s, exp)

	if err := s.Advance(ctx, 20*time.Hour); err != nil {
		t.Fatal(err)
	}
	e, _ := s.Shipment("SH-EXP")
	d, _ := s.Shipment("SH-STD")
	if e.Status != canonical.ShipmentDelivered || d.Status != canonical.ShipmentInTransit {
		t.Errorf("after 20h express is %s and standard %s; want delivered and in_transit", e.Status, d.Status)
	}
	if err := s.Advance(ctx, 20*time.Hour); err != nil {
		t.Fatal(err)
	}
	events, err := s.Track(ctx, d.TrackingNumber)
	if err != nil {
		t.Fatal(err)
	}
	want := []canonical.ShipmentStatus{
		canonical.ShipmentLabelCreated, canonical.ShipmentShipped, canonical.ShipmentInTransit,
		canonical.ShipmentOutForDelivery, canonical.ShipmentDelivered,
	}
	if got := statuses(events); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	offsets := []time.Duration{0, 6 * time.Hour, 12 * time.Hour, 30 * time.Hour, 34 * time.Hour}
	for i, ev := range events {
		if !ev.At.Equal(t0.Add(offsets[i])) {
			t.Errorf("event %s at %s, want %s", ev.Status, ev.At, t0.Add(offsets[i]))
		}
	}
	if got, _ := s.Shipment("SH-STD"); !got.ShippedAt.Equal(t0.Add(6 * time.Hour)) {
		t.Errorf("shipped at %s, want the collection time", got.ShippedAt)
	}
	// The feed has one version per event, in time order, each newer than the last.
	var feed []canonical.ShipmentStatus
	var last connector.Version
	for c, err := range s.Tracking().Changes(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		if c.Key == "SH-STD" {
			feed = append(feed, c.Entity.Status)
			if cmp, _ := c.Version.Compare(last); !last.IsZero() && cmp <= 0 {
				t.Errorf("version %s is not newer than %s", c.Version, last)
			}
			last = c.Version
		}
	}
	if !slices.Equal(feed, want) {
		t.Errorf("feed %v, want %v", feed, want)
	}
	if _, err := s.Track(ctx, "JN0000000000"); !errors.Is(err, connector.NotFound) {
		t.Errorf("tracking an unknown number: %v, want the NotFound kind", err)
	}
}

func TestTickFollowsTheClock(t *testing.T) {
	ctx := context.Background()
	s, clock := newSim(t, memcourier.Config{})
	book(t, s, shipment("SH-1", 1))
	clock.Advance(13 * time.Hour)
	if got, _ := s.Shipment("SH-1"); got.Status != canonical.ShipmentLabelCreated {
		t.Fatalf("status %s before Tick, want label_created", got.Status)
	}
	if err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Shipment("SH-1"); got.Status != canonical.ShipmentInTransit {
		t.Errorf("status %s after Tick at 13h, want in_transit", got.Status)
	}
	if err := s.Advance(ctx, -time.Hour); !errors.Is(err, connector.Invalid) {
		t.Errorf("advancing backwards: %v, want the Invalid kind", err)
	}
}

func TestFailedDeliveryIsRetried(t *testing.T) {
	ctx := context.Background()
	s, _ := newSim(t, memcourier.Config{ExceptionRate: 1})
	book(t, s, shipment("SH-1", 1))
	if err := s.Advance(ctx, 96*time.Hour); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Shipment("SH-1")
	want := []canonical.ShipmentStatus{
		canonical.ShipmentLabelCreated, canonical.ShipmentShipped, canonical.ShipmentInTransit,
		canonical.ShipmentOutForDelivery, canonical.ShipmentException, canonical.ShipmentInTransit,
		canonical.ShipmentOutForDelivery, canonical.ShipmentDelivered,
	}
	if s := statuses(got.Events); !slices.Equal(s, want) {
		t.Fatalf("events %v, want %v", s, want)
	}
	if at := got.Events[len(got.Events)-1].At; !at.Equal(t0.Add(34*time.Hour + 2*time.Hour + 18*time.Hour + 4*time.Hour)) {
		t.Errorf("delivered at %s", at)
	}
}

func TestExceptionsFollowTheRateAndSeed(t *testing.T) {
	count := func(seed uint64) int {
		s, _ := newSim(t, memcourier.Config{Seed: seed, ExceptionRate: 0.3})
		for i := range 60 {
			book(t, s, shipment(fmt.Sprintf("SH-%d", i), 1))
		}
		if err := s.Advance(context.Background(), 100*time.Hour); err != nil {
			t.Fatal(err)
		}
		n := 0
		for i := range 60 {
			sh, _ := s.Shipment(fmt.Sprintf("SH-%d", i))
			if sh.Status != canonical.ShipmentDelivered {
				t.Fatalf("%s is %s after 100h", sh.Number, sh.Status)
			}
			if slices.Contains(statuses(sh.Events), canonical.ShipmentException) {
				n++
			}
		}
		return n
	}
	a, b := count(3), count(3)
	if a != b {
		t.Errorf("same seed, %d and %d exceptions", a, b)
	}
	if a < 5 || a > 35 {
		t.Errorf("%d of 60 shipments had an exception at rate 0.3", a)
	}
}

func TestQuotePricesEveryService(t *testing.T) {
	ctx := context.Background()
	s, _ := newSim(t, memcourier.Config{Currency: "EUR"})
	sh := shipment("SH-1", 1)
	sh.Weight = kg("5")
	sh.Service = "whatever"
	rates, err := s.Quote(ctx, sh)
	if err != nil {
		t.Fatal(err)
	}
	if len(rates) != 2 || rates[0].Service != memcourier.Standard || rates[1].Service != memcourier.Express {
		t.Fatalf("rates %+v", rates)
	}
	if !rates[0].Price.Equal(canonical.MustMoney("7.95", "EUR")) || !rates[1].Price.Equal(canonical.MustMoney("13.50", "EUR")) {
		t.Errorf("prices %s and %s, want 7.95 and 13.50 EUR", rates[0].Price, rates[1].Price)
	}
	if rates[0].Days <= rates[1].Days || rates[0].Carrier != "simpost" {
		t.Errorf("rates %+v: standard must be slower than express", rates)
	}
	sh.Weight = kg("31")
	if _, err := s.Quote(ctx, sh); !errors.Is(err, connector.Invalid) {
		t.Errorf("quoting 31 kg: %v, want the Invalid kind", err)
	}
	if a := s.Account(); a.Purchased != 0 {
		t.Errorf("a quote bought a label")
	}
}

func TestInjectedFaultsLeaveNoTrace(t *testing.T) {
	ctx := context.Background()
	s, _ := newSim(t, memcourier.Config{Faults: sim.Faults{Transient: 1}})
	sh := shipment("SH-1", 1)
	if _, err := s.Shipments().Apply(ctx, write(sh, 1, connector.Upsert)); !errors.Is(err, connector.Transient) {
		t.Fatalf("with an outage: %v, want the Transient kind", err)
	}
	if _, ok := s.Shipment("SH-1"); ok {
		t.Fatal("a failed call stored the shipment")
	}
	if err := s.Advance(ctx, time.Hour); !errors.Is(err, connector.Transient) {
		t.Errorf("Advance during an outage: %v", err)
	}
	s.SetFaults(sim.Faults{RateLimit: 1, RetryAfter: 3 * time.Second})
	_, err := s.Quote(ctx, sh)
	if !errors.Is(err, connector.RateLimited) || connector.RetryAfterOf(err) != 3*time.Second {
		t.Errorf("rate limited quote: %v", err)
	}
	s.SetFaults(sim.Faults{})
	if r := book(t, s, sh); r.Action != connector.Created {
		t.Errorf("after the outage: %s", r.Action)
	}
}

func TestConcurrentBookings(t *testing.T) {
	s, _ := newSim(t, memcourier.Config{})
	const n = 20
	refs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sh := shipment(fmt.Sprintf("SH-%d", i), 1)
			r, err := s.Shipments().Apply(context.Background(), write(sh, 1, connector.Upsert))
			if err != nil {
				t.Error(err)
			}
			refs[i] = r.Ref.ID
		})
	}
	wg.Go(func() { _ = s.Advance(context.Background(), time.Hour) })
	wg.Wait()
	if len(slices.Compact(slices.Sorted(slices.Values(refs)))) != n {
		t.Errorf("tracking numbers repeat: %v", refs)
	}
	if a := s.Account(); a.Purchased != n {
		t.Errorf("bought %d labels, want %d", a.Purchased, n)
	}
}

func TestTrackingFeedDuplicatesUnderFaults(t *testing.T) {
	ctx := context.Background()
	s, _ := newSim(t, memcourier.Config{})
	book(t, s, shipment("SH-1", 1))
	if err := s.Advance(ctx, 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	s.SetFaults(sim.Faults{Duplicate: 1})
	seen := map[connector.Version]int{}
	for c, err := range s.Tracking().Changes(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		seen[c.Version]++
	}
	if len(seen) != 5 {
		t.Fatalf("%d distinct events, want 5", len(seen))
	}
	for v, n := range seen {
		if n != 2 {
			t.Errorf("event %s delivered %d times, want twice", v, n)
		}
	}
}
