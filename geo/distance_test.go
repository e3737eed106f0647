package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// Destination and Distance agree: the point d metres away on any bearing
// is d metres away.
func TestDestination(t *testing.T) {
	tehran := orb.Point{51.389, 35.6892}
	for _, tc := range []struct {
		d, theta float64
	}{
		{0, 0}, {500, 0}, {500, math.Pi / 2}, {2500, math.Pi}, {12_000, 4}, {250_000, 5.5},
	} {
		p := Destination(tehran, tc.d, tc.theta)
		if got := Distance(tehran, p); math.Abs(got-tc.d) > 1e-6*max(1, tc.d) {
			t.Errorf("Destination(%v m, %v rad) is %v m away", tc.d, tc.theta, got)
		}
	}
	if p := Destination(tehran, 1000, 0); p.Lat() <= tehran.Lat() || math.Abs(p.Lon()-tehran.Lon()) > 1e-9 {
		t.Errorf("bearing 0 is not north: %v", p)
	}
}
