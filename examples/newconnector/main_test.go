package main

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
)

// TestConformance runs the conformance kit on the connector, against a fresh
// fake Acme server. This is the test every connector must pass: copy it with
// the connector, and point it at your own fake.
func TestConformance(t *testing.T) {
	fake := newFakeLockers("test-key")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	clock := connectortest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	// Two parcels a page, so that resuming is tested across page boundaries.
	acme, err := New(Config{BaseURL: srv.URL, APIKey: "test-key", PageSize: 2, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	parcels := acme.Parcels()
	connectortest.Run(t, connectortest.Harness[canonical.Shipment]{
		System:  "acmelockers",
		Source:  parcels,
		Create:  func(_ context.Context, n int) ([]string, error) { return fake.book(n), nil },
		Update:  func(_ context.Context, ref string) error { return fake.deposit(ref) },
		Records: 5,

		Sink:   parcels,
		Entity: func(ref string, rev int) canonical.Shipment { return despatch(ref, "SO-"+ref, "DUB-014", int64(rev)) },
		Count: func(_ context.Context, ref string) (int, error) {
			if fake.live(ref) {
				return 1, nil
			}
			return 0, nil
		},
		Revision: func(_ context.Context, ref string) (int, error) { return int(fake.quantity(ref)), nil },
		// No locker site: Acme refuses it with 422 and the field.
		Invalid:  func(ref string) canonical.Shipment { return despatch(ref, "SO-"+ref, "", 1) },
		Conflict: func(_ context.Context, ref string) error { return fake.deposit(ref) },
		Clock:    clock,
	})
}

// TestRun runs the example and checks the lines that tell its story.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	t.Log("\n" + got)
	for _, want := range []string{
		"SH-1001 → created as acmelockers:SH-1001",
		"SH-1002 → created as acmelockers:SH-1002",
		`SH-1003 → parked ex-000001: invalid, field "service": a locker site is required (required)`,
		"httpx retried it: 4 PUTs for 3 despatches",
		"read 5 changes in 3 pages, applied 5; checkpoint 5",
		"shop sees SH-1001: delivered at locker DUB-014",
		"shop sees SH-1002: out_for_delivery at locker CRK-003",
		"Get SH-9999 with the right key → kind not-found",
		"acmelockers GET /v1/parcels/SH-9999: not-found (HTTP 404): no parcel SH-9999",
		"Get SH-1001 with a wrong key → kind unauthorized",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
}

// TestErrorsByKind checks the error mapping the engine relies on.
func TestErrorsByKind(t *testing.T) {
	ctx := context.Background()
	fake := newFakeLockers("k")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	acme, err := New(Config{BaseURL: srv.URL, APIKey: "k", Clock: connectortest.NewClock(time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	parcels := acme.Parcels()
	write := func(sh canonical.Shipment, seq int64) connector.Write[canonical.Shipment] {
		return connector.Write[canonical.Shipment]{Change: connector.Change[canonical.Shipment]{
			Key: sh.Number, Version: connector.SeqVersion(seq), Entity: sh}}
	}

	// Field problems found locally and by Acme both come back with canonical paths.
	bad := despatch("SH-1", "SO-1", "NOWHERE", 1)
	bad.Lines[0].Quantity = canonical.Quantity{Value: canonical.MustDecimal("1.5"), Unit: canonical.UnitOne}
	_, err = parcels.Apply(ctx, write(bad, 1))
	if !errors.Is(err, connector.Invalid) || !hasField(err, "lines[0].quantity") {
		t.Errorf("a half parcel: %v, want Invalid at lines[0].quantity", err)
	}
	bad = despatch("SH-1", "SO-1", "NOWHERE", 0)
	_, err = parcels.Apply(ctx, write(bad, 1))
	if !errors.Is(err, connector.Invalid) || !hasField(err, "service") || !hasField(err, "lines[0].quantity") {
		t.Errorf("an unknown site and no quantity: %v, want Invalid at service and lines[0].quantity", err)
	}
	shipped := despatch("SH-1", "SO-1", "DUB-014", 1)
	shipped.Status = canonical.ShipmentDelivered
	if _, err = parcels.Apply(ctx, write(shipped, 1)); !errors.Is(err, connector.Invalid) || !hasField(err, "status") {
		t.Errorf("a delivered shipment: %v, want Invalid at status (only Acme delivers)", err)
	}

	// Transient failures are retried by httpx within the call.
	fake.failNext(503, 503)
	if res, err := parcels.Apply(ctx, write(despatch("SH-2", "SO-2", "DUB-014", 1), 5)); err != nil || res.Action != connector.Created {
		t.Errorf("after two 503s: %v, %v; want created", res.Action, err)
	}
	// An older version is stale, not an error.
	if res, err := parcels.Apply(ctx, write(despatch("SH-2", "SO-2", "DUB-014", 3), 4)); err != nil || res.Action != connector.Stale {
		t.Errorf("an older version: %v, %v; want stale", res.Action, err)
	}
	if got := fake.quantity("SH-2"); got != 1 {
		t.Errorf("the stale write changed the parcel: quantity %d", got)
	}
}

func hasField(err error, path string) bool {
	var fe interface{ FieldErrors() []canonical.FieldError }
	if !errors.As(err, &fe) {
		return false
	}
	for _, f := range fe.FieldErrors() {
		if f.Path == path {
			return true
		}
	}
	return false
}
