package flow

import (
	"sync"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
)

// Stats are a flow's counters since the engine started.
type Stats struct {
	Flow    string
	Read    int64
	Applied int64
	// Skipped counts skipped changes by reason.
	Skipped map[store.Reason]int64
	// Parked counts parked changes by error kind.
	Parked map[connector.Kind]int64
	// Retries counts sink calls repeated after a retryable failure.
	Retries int64
	// Passes counts completed passes.
	Passes int64
	// Lag is how far behind the source the last change applied was: the time
	// between the change happening (Change.At) and its outcome.
	Lag time.Duration
	// LastSuccess is when a pass last completed without error.
	LastSuccess time.Time
	// LastError is the last pass error, if the last pass failed.
	LastError string
	// Stopped is set while the flow is stopped by an auth failure.
	Stopped string
}

// Report is what one pass did.
type Report struct {
	Flow    string
	Read    int
	Applied int
	Skipped int
	Parked  int
	// Checkpoint is the cursor saved at the end of the pass.
	Checkpoint connector.Cursor
}

// flowState is a flow's mutable runtime state: counters, the doorbell and the
// stopped flag. It also serialises passes and replays of the flow.
type flowState struct {
	run  sync.Mutex // held by a pass, a replay or a dry run
	bell chan struct{}

	mu      sync.Mutex
	stats   Stats
	stopped *StoppedError
}

func newFlowState(name string) *flowState {
	return &flowState{
		bell: make(chan struct{}, 1),
		stats: Stats{
			Flow:    name,
			Skipped: map[store.Reason]int64{},
			Parked:  map[connector.Kind]int64{},
		},
	}
}

func (s *flowState) ring() {
	select {
	case s.bell <- struct{}{}:
	default:
	}
}

func (s *flowState) setStopped(e *StoppedError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = e
	if e != nil {
		s.stats.Stopped = e.Error()
	} else {
		s.stats.Stopped = ""
	}
}

func (s *flowState) stoppedErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped == nil {
		return nil
	}
	return s.stopped
}

// count adds one outcome to the counters.
func (s *flowState) count(o store.Outcome, kind connector.Kind, lag time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch o.Result {
	case store.Applied:
		s.stats.Applied++
	case store.Skipped:
		s.stats.Skipped[o.Reason]++
	case store.Parked:
		s.stats.Parked[kind]++
	}
	if lag > 0 {
		s.stats.Lag = lag
	}
}

func (s *flowState) add(read, retries int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Read += read
	s.stats.Retries += retries
}

func (s *flowState) passDone(now time.Time, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Passes++
	if err != nil {
		s.stats.LastError = err.Error()
		return
	}
	s.stats.LastError = ""
	s.stats.LastSuccess = now
}

func (s *flowState) snapshot() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.stats
	c.Skipped = make(map[store.Reason]int64, len(s.stats.Skipped))
	for k, v := range s.stats.Skipped {
		c.Skipped[k] = v
	}
	c.Parked = make(map[connector.Kind]int64, len(s.stats.Parked))
	for k, v := range s.stats.Parked {
		c.Parked[k] = v
	}
	return c
}
