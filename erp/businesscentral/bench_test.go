package businesscentral_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/junctionhq/junction/erp/businesscentral"
	"github.com/junctionhq/junction/erp/businesscentral/bctest"
)

// BenchmarkSyncUtilisation syncs 3,000 customers (300 pages of 10) from a
// fake that allows 60 requests a minute, on a fake clock shared by client
// and server, and reports how much of the allowed rate the client used and
// how many 429s it met after the first:
//
//	go test ./erp/businesscentral -run '^$' -bench SyncUtilisation -benchtime 3x
//
// "configured" gives the client the server's limit (Config.Limits); "not
// configured" leaves the client at its default (600 a minute, ten times
// too fast), so it learns the limit from 429 and Retry-After.
func BenchmarkSyncUtilisation(b *testing.B) {
	const (
		records  = 3000
		pageSize = 10
	)
	rl := bctest.RateLimit{Requests: 60, Window: time.Minute}
	for _, sc := range []struct {
		name       string
		configured bool
	}{{"configured", true}, {"not configured", false}} {
		b.Run(sc.name, func(b *testing.B) {
			b.ReportAllocs()
			var util, extra429, minutes float64
			for b.Loop() {
				b.StopTimer()
				e := newEnv(b, bctest.Options{RateLimit: rl}, func(c *businesscentral.Config) {
					c.PageSize = pageSize
					c.Limits = businesscentral.ProductionLimits()
					if sc.configured {
						c.Limits = businesscentral.Limits{Requests: rl.Requests, Window: rl.Window, MaxInFlight: 5}
					}
					c.Retry.MaxAttempts = 50
					c.Retry.MaxElapsed = 24 * time.Hour
					c.Retry.MaxWait = 10 * time.Minute
					c.Retry.InitialInterval = time.Second
					c.Retry.MaxInterval = time.Minute
				})
				for i := range records - 1 { // one is seeded
					if _, err := e.srv.AddCustomer(bctest.CustomerInput{Name: fmt.Sprintf("Customer %d", i)}); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				n := 0
				for _, err := range e.bc.CustomerChanges().Changes(b.Context(), "") {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				b.StopTimer()
				if n != records {
					b.Fatalf("read %d customers, want %d", n, records)
				}
				st := e.srv.Stats()
				elapsed := st.LastRequest.Sub(st.FirstRequest)
				// Requests served after the first, over the time they took,
				// against the allowed rate.
				allowed := float64(rl.Requests) / rl.Window.Seconds()
				util = float64(st.Requests-1) / elapsed.Seconds() / allowed
				extra429 = float64(max(0, st.Throttled-1))
				minutes = elapsed.Minutes()
				b.StartTimer()
			}
			b.ReportMetric(100*util, "%allowed-rate")
			b.ReportMetric(extra429, "429s-after-first")
			b.ReportMetric(minutes, "sync-minutes")
		})
	}
}
