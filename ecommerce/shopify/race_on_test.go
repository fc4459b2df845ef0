//go:build race

package shopify

// raceEnabled shortens the longest tests under the race detector, which
// slows them tenfold without finding more.
const raceEnabled = true
