package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/cmd/daftar/demo/geodemo"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/licensing"
)

// RoundsSpec sizes the demo's licensing history.
type RoundsSpec struct {
	PastTotal int     // licences of the closed past round
	OpenShare float64 // share of the past round's licences whose office has opened
	OpenTotal int     // licences of the open round, not yet allocated
	// OpenTarget is the open round's residents per office (the policy
	// behind a national expansion); 0 keeps the national average.
	OpenTarget float64
	Seed       uint64
}

// RoundsReport says what Rounds made.
type RoundsReport struct {
	PastRound, OpenRound int64
	Issued, Activated    int
	Suspended            int
}

// Rounds gives the demo a closed past round whose licences were
// issued (most of them opened offices, one office is suspended) and an
// open round ready to allocate, through the same services the API uses.
// The approved candidates must exist.
func Rounds(ctx context.Context, rounds *licensing.Rounds, licences *licensing.Licences, register *offices.Register, d RoundsSpec) (RoundsReport, error) {
	ctx = daftar.WithActor(ctx, daftar.SystemActor("demo"))
	var rep RoundsReport
	rng := rand.New(rand.NewPCG(d.Seed, 5))
	past, err := rounds.Create(ctx, licensing.NewRound{Name: "دور نخست صدور مجوز ۱۴۰۵", TotalLicences: d.PastTotal})
	if err != nil {
		return rep, fmt.Errorf("demo past round: %w", err)
	}
	rep.PastRound = past.ID
	if _, err := rounds.Allocate(ctx, past.ID); err != nil {
		return rep, fmt.Errorf("demo allocation: %w", err)
	}
	if _, err := rounds.Close(ctx, past.ID, "تأیید نتیجهٔ تخصیص در کمیسیون"); err != nil {
		return rep, err
	}
	issued, err := licences.Issue(ctx, licensing.IssueRequest{RoundID: past.ID})
	if err != nil {
		return rep, fmt.Errorf("demo licences: %w", err)
	}
	rep.Issued = len(issued)
	for _, l := range issued {
		if rng.Float64() >= d.OpenShare {
			continue // licensed, office not open yet: the demand model counts it
		}
		ok, err := activate(ctx, licences, register, rng, l)
		if err != nil {
			return rep, err
		}
		if !ok {
			continue
		}
		rep.Activated++
		if rep.Suspended == 0 && rep.Activated%25 == 0 {
			if _, err := licences.Act(ctx, l.ID, licensing.ActionSuspend, licensing.ActionInput{Reason: "عدم رعایت تعرفهٔ مصوب در بازرسی"}); err != nil {
				return rep, err
			}
			rep.Suspended++
		}
	}
	var policy licensing.Policy
	if d.OpenTarget > 0 {
		policy.TargetPopulationPerOffice = &d.OpenTarget
	}
	open, err := rounds.Create(ctx, licensing.NewRound{Name: "دور دوم صدور مجوز ۱۴۰۵", TotalLicences: d.OpenTotal, Policy: policy})
	if err != nil {
		return rep, fmt.Errorf("demo open round: %w", err)
	}
	rep.OpenRound = open.ID
	return rep, nil
}

// activate opens the licence's office at a random site in its city
// that keeps the minimum distance, trying a few; false when none was found
// (a crowded small city), which leaves the licence issued.
func activate(ctx context.Context, licences *licensing.Licences, register *offices.Register, rng *rand.Rand, l licensing.Licence) (bool, error) {
	city, ok := register.Gazetteer().City(l.Region)
	if !ok {
		return false, fmt.Errorf("demo: licence %s of unknown city %s", l.Number, l.Region)
	}
	radius := register.CityRadius(city)
	counters := 2 + rng.IntN(3)
	for try := 0; try < 25; try++ {
		// Uniform over the inner 80% of the city's disc.
		p := geo.Destination(city.Centroid(), 0.8*radius*math.Sqrt(rng.Float64()), 2*math.Pi*rng.Float64())
		lat, lon := p.Lat(), p.Lon()
		if !city.Contains(p, radius) {
			continue
		}
		address := fmt.Sprintf("%s، خیابان %s، پلاک %s", city.NameFa, geodemo.Streets[rng.IntN(len(geodemo.Streets))],
			daftar.PersianDigits(fmt.Sprint(1+rng.IntN(300))))
		_, err := licences.Act(ctx, l.ID, licensing.ActionActivate, licensing.ActionInput{Office: &licensing.NewOfficeInput{Latitude: &lat, Longitude: &lon,
			Address: &address, Counters: &counters}})
		var de *daftar.Error
		if errors.As(err, &de) && (de.Code == "too_close_to_office" || de.Code == "outside_city") {
			continue // too near an office: another site
		}
		if err != nil {
			return false, fmt.Errorf("demo activation of %s: %w", l.Number, err)
		}
		return true, nil
	}
	return false, nil
}
