package shopify

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/junctionhq/junction/connector"
)

// pacer models Shopify's leaky bucket on the client side so that requests
// wait for their cost instead of being throttled.
//
// Every response carries extensions.cost.throttleStatus: the bucket's size,
// the points available when the response left the server and the restore
// rate. The pacer takes that as the truth, minus what other calls have
// reserved and not yet reported back, and lets the bucket refill at the
// restore rate in between. Before each attempt a call reserves its
// requested cost; when the model says the points are not there yet, the
// call sleeps exactly until they are. Shopify charges the requested cost up
// front and refunds the difference to the actual cost afterwards, which
// the next response's currentlyAvailable already shows.
// https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
//
// Until the first response arrives the pacer knows nothing and lets calls
// through, unless PlanLimits gave a bucket size and restore rate.
type pacer struct {
	mu       sync.Mutex
	known    bool
	size     float64 // bucket capacity, points
	rate     float64 // points per second
	avail    float64 // points available at `at`, net of reservations
	at       time.Time
	inflight float64 // points reserved by calls that have not reported back
	learned  map[string]float64
}

func newPacer(l PlanLimits) *pacer {
	p := &pacer{learned: map[string]float64{}}
	if l.BucketSize > 0 && l.RestoreRate > 0 {
		p.known = true
		p.size, p.rate, p.avail = float64(l.BucketSize), float64(l.RestoreRate), float64(l.BucketSize)
	}
	return p
}

// refill brings avail up to now. The caller holds p.mu.
func (p *pacer) refill(now time.Time) {
	if p.at.IsZero() {
		p.at = now
		return
	}
	if d := now.Sub(p.at); d > 0 {
		p.avail = math.Min(p.size, p.avail+d.Seconds()*p.rate)
		p.at = now
	}
}

// reserve takes cost points for one attempt (more, if the server has
// reported a higher requested cost for op before), sleeping on clock until
// the model says they are there. It returns the points reserved, which
// observe must be given back, and how long it slept.
func (p *pacer) reserve(ctx context.Context, clock connector.Clock, op string, cost float64) (float64, time.Duration, error) {
	p.mu.Lock()
	if l := p.learned[op]; l > cost {
		cost = l
	}
	if !p.known {
		p.inflight += cost
		p.mu.Unlock()
		return cost, 0, ctx.Err()
	}
	now := clock.Now()
	p.refill(now)
	// A request larger than the bucket can never be paced; send it and let
	// the server say so.
	cost = math.Min(cost, p.size)
	p.inflight += cost
	p.avail -= cost
	var wait time.Duration
	if p.avail < 0 {
		wait = time.Duration(math.Ceil(-p.avail / p.rate * float64(time.Second)))
	}
	p.mu.Unlock()
	if wait <= 0 {
		return cost, 0, ctx.Err()
	}
	if err := clock.Sleep(ctx, wait); err != nil {
		p.mu.Lock()
		p.avail += cost
		p.inflight = math.Max(0, p.inflight-cost)
		p.mu.Unlock()
		return 0, 0, err
	}
	return cost, wait, nil
}

// observe ends a reservation of cost points and, when the response carried
// a throttle status, resets the model from it.
func (p *pacer) observe(op string, cost float64, ci *costInfo, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight = math.Max(0, p.inflight-cost)
	if ci == nil || ci.ThrottleStatus.RestoreRate <= 0 || ci.ThrottleStatus.MaximumAvailable <= 0 {
		return
	}
	if ci.RequestedQueryCost > 0 {
		p.learned[op] = ci.RequestedQueryCost
	}
	ts := ci.ThrottleStatus
	p.known = true
	p.size, p.rate = ts.MaximumAvailable, ts.RestoreRate
	// Other calls' reservations may or may not have reached the server yet;
	// counting them as spent errs on the side of waiting.
	p.avail = ts.CurrentlyAvailable - p.inflight
	p.at = now
}
