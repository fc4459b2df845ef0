//go:build !race

package shopify

// raceEnabled shortens the longest tests under the race detector.
const raceEnabled = false
