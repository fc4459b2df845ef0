// Command newconnector shows how to write a connector for a system junction
// does not ship, test it against a fake server, and prove it with the
// conformance kit.
//
// The system is Acme Parcel Lockers, a FICTIONAL parcel-locker network
// invented for this example: shippers book parcels into lockers, couriers
// deposit them, customers collect them. The files:
//
//   - lockers.go is the connector, in under 300 lines: a Client built on
//     connector/httpx (auth, retries, paging, errors by kind) and Parcels,
//     a connector.Source, Sink, Getter and Deleter of canonical.Shipment.
//     It is the template to copy: rename, change the wire types and the
//     mapping, keep the shape.
//
//   - fakeserver.go is a fake Acme API, served by net/http/httptest, which
//     behaves as the API is specified there: auth, the paged change feed,
//     If-Match, idempotency keys, stale versions and errors by field.
//
//   - main_test.go runs connectortest.Run, the conformance suite every
//     Source and Sink must pass, against the connector and a fresh fake:
//
//     go test ./examples/newconnector          # runs the conformance kit on it
//     go test -v -run Conformance ./examples/newconnector
//
// This program uses the connector in two tiny flows: a warehouse's
// despatches are booked into lockers (one of them refused by Acme with a
// field error, and one call retried by httpx after a 503), Acme moves the
// parcels, and the locker feed is read back, page by page, into the shop's
// view of its shipments. Run it with
//
//	go run ./examples/newconnector
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/memstore"
)

const (
	apiKey    = "acme_test_key" // the fake's key; a real service reads its own from configuration
	bookFlow  = "despatches→lockers"
	trackFlow = "lockers→shop"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "newconnector:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer) error {
	fake := newFakeLockers(apiKey)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	// A fake clock: httpx's backoff and Retry-After waits cost no wall time.
	clock := connectortest.NewClock(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	acme, err := New(Config{BaseURL: srv.URL, APIKey: apiKey, PageSize: 2, Clock: clock})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "junction newconnector: Acme Parcel Lockers (a fictional API, served by a fake on 127.0.0.1)")

	warehouse := connectortest.NewMemory[canonical.Shipment]("warehouse", connectortest.WithClock(clock))
	shop := connectortest.NewMemory[canonical.Shipment]("shop", connectortest.WithClock(clock))
	st := memstore.New()
	eng := flow.NewEngine(st, flow.WithClock(clock), flow.WithLogger(slog.New(slog.DiscardHandler)))
	if err := errors.Join(
		flow.Add(eng, flow.Flow[canonical.Shipment, canonical.Shipment]{
			Name: bookFlow, Source: warehouse, Map: flow.Identity[canonical.Shipment], Sink: acme.Parcels(),
			Concurrency: 1, // one at a time, so the printed story is the same on every run
		}),
		flow.Add(eng, flow.Flow[canonical.Shipment, canonical.Shipment]{
			Name: trackFlow, Source: acme.Parcels(), Map: flow.Identity[canonical.Shipment], Sink: shop,
		}),
	); err != nil {
		return err
	}

	fmt.Fprintf(w, "\n1. Book: flow %q sends the warehouse's despatches to Acme\n", bookFlow)
	warehouse.Put("SH-1001", despatch("SH-1001", "SO-77", "DUB-014", 2))
	warehouse.Put("SH-1002", despatch("SH-1002", "SO-78", "CRK-003", 1))
	warehouse.Put("SH-1003", despatch("SH-1003", "SO-79", "", 1)) // nobody chose a locker
	fake.failNext(http.StatusServiceUnavailable)                  // Acme has a bad moment
	if _, err := eng.RunOnce(ctx, bookFlow); err != nil {
		return err
	}
	for o, err := range st.Outcomes(ctx, store.OutcomeFilter{Flow: bookFlow}) {
		if err != nil {
			return err
		}
		switch o.Result {
		case store.Applied:
			fmt.Fprintf(w, "   %s → %s as %s\n", o.Key, o.Detail, o.Target)
		default:
			ex, err := st.Exception(ctx, o.Exception)
			if err != nil {
				return err
			}
			for _, f := range ex.Fields {
				fmt.Fprintf(w, "   %s → parked %s: %s, field %q: %s (%s)\n", o.Key, ex.ID, ex.Kind, f.Path, f.Message, f.Code)
			}
		}
	}
	fmt.Fprintf(w, "   Acme answered the first PUT with 503; httpx retried it: %d PUTs for 3 despatches\n",
		fake.served("PUT /v1/parcels/{ref}"))

	fmt.Fprintln(w, "\n2. At the lockers: a courier deposits SH-1001 and SH-1002; the customer collects SH-1001")
	if err := errors.Join(fake.deposit("SH-1001"), fake.deposit("SH-1002"), fake.collect("SH-1001")); err != nil {
		return err
	}

	fmt.Fprintf(w, "\n3. Track: flow %q reads Acme's change feed, %d parcels a page\n", trackFlow, 2)
	rep, err := eng.RunOnce(ctx, trackFlow)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   read %d changes in %d pages, applied %d; checkpoint %s\n",
		rep.Read, fake.served("GET /v1/parcels"), rep.Applied, rep.Checkpoint)
	for _, k := range shop.Keys() {
		sh, _ := shop.Value(k)
		fmt.Fprintf(w, "   shop sees %s: %s at locker %s, pickup code %q\n", k, sh.Status, sh.Service, sh.TrackingNumber)
	}

	fmt.Fprintln(w, "\n4. Errors carry a kind, which is all the engine needs to decide")
	if _, err := acme.Parcels().Get(ctx, "SH-9999"); err != nil {
		fmt.Fprintf(w, "   Get SH-9999 with the right key → kind %s: the engine parks the change for a person\n      %v\n", connector.KindOf(err), err)
	}
	wrong, err := New(Config{BaseURL: srv.URL, APIKey: "expired", Clock: clock})
	if err != nil {
		return err
	}
	if _, err := wrong.Parcels().Get(ctx, "SH-1001"); err != nil {
		fmt.Fprintf(w, "   Get SH-1001 with a wrong key → kind %s: the engine stops the flow until Resume\n      %v\n", connector.KindOf(err), err)
	}
	return nil
}

// despatch is a shipment the warehouse is about to hand to Acme: qty tees of
// line L1 of order, for the locker site (empty when none was chosen).
func despatch(number, order, site string, qty int64) canonical.Shipment {
	return canonical.Shipment{
		Number: number, Order: order, Status: canonical.ShipmentLabelCreated, Service: site,
		ShipTo: canonical.Address{Name: "Ada Lovelace", Email: "ada@example.com", City: "Dublin", Country: "IE"},
		Lines: []canonical.ShipmentLine{{
			LineID: "1", OrderLine: canonical.LineRef{Document: order, LineID: "L1"},
			SKU: "TEE-BLK-M", Quantity: canonical.Qty(qty, canonical.UnitOne),
		}},
	}
}
