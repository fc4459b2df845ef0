package o2c

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/mapping"
)

// Settle lets time pass and syncs until no flow has anything left to read
// and every parcel has reached its end: the integration is quiescent.
func (in *Integration) Settle(ctx context.Context) error {
	quiet := 0
	for round := 0; round < 200; round++ {
		before := in.totalRead()
		if err := in.Release(ctx); err != nil {
			return err
		}
		if err := in.Sync(ctx); err != nil {
			return err
		}
		in.Clock.Advance(6 * time.Hour)
		if err := again(func() error { return in.Courier.Tick(ctx) }); err != nil && !connector.KindOf(err).Retryable() {
			return err
		}
		if in.totalRead() == before {
			quiet++
			if quiet >= 3 { // a few empty rounds: nothing in flight anywhere
				return nil
			}
		} else {
			quiet = 0
		}
	}
	return fmt.Errorf("o2c: the systems did not settle")
}

func (in *Integration) totalRead() int64 {
	var n int64
	for _, f := range Flows {
		s, _ := in.Engine.Stats(f)
		n += s.Read
	}
	return n
}

// heldAccounts lists ERP accounts on credit hold.
func (in *Integration) heldAccounts() []string {
	var out []string
	seen := map[string]bool{}
	for _, o := range in.ERP.Orders() {
		for _, r := range o.Customer.Refs {
			if r.System != ERP || seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			if c, ok := in.ERP.Customer(r.ID); ok && c.CreditStatus == canonical.CreditHold {
				out = append(out, r.ID)
			}
		}
	}
	// Accounts whose every order was parked have no ERP order yet.
	for _, c := range in.ERP.Accounts() {
		if c.CreditStatus == canonical.CreditHold && !seen[c.Number] {
			out = append(out, c.Number)
		}
	}
	return out
}

// fixAddresses is the operator correcting the addresses the carrier refused:
// it looks at the parked labels, strips the typo the customer made and
// records the correction for the replay.
func (in *Integration) fixAddresses() {
	ctx := context.Background()
	for ex, err := range in.Store.Exceptions(ctx, store.ExceptionFilter{Flow: FlowDespatch, Status: store.Open, Kind: connector.Invalid}) {
		if err != nil {
			return
		}
		sh, ok := in.ERP.Shipment(ex.Key)
		if !ok {
			continue
		}
		a := sh.ShipTo
		a.PostalCode = strings.TrimPrefix(a.PostalCode, "XX9 ")
		if na, err := mapping.NormalizeAddress(a); err == nil {
			a = na
		}
		in.FixAddress(ex.Key, a)
	}
}

// ReplayParked replays every open exception through the current mappings.
func (in *Integration) ReplayParked(ctx context.Context) error {
	for _, f := range Flows {
		if _, err := in.Engine.ReplayAll(ctx, store.ExceptionFilter{Flow: f}); err != nil {
			return fmt.Errorf("o2c: replay %s: %w", f, err)
		}
	}
	return nil
}
