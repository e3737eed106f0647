package inspections

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
)

var demoViolations = []Violation{
	{Code: "FEE-TARIFF", Severity: SeverityMajor, Description: "تعرفه رسمی در معرض دید نیست"},
	{Code: "FEE-EXTRA", Severity: SeverityCritical, Description: "دریافت وجه بیش از تعرفه"},
	{Code: "HOURS", Severity: SeverityMinor, Description: "رعایت نکردن ساعات کاری اعلام‌شده"},
	{Code: "QUEUE", Severity: SeverityMinor, Description: "نبود سامانه نوبت‌دهی"},
	{Code: "STAFF-ID", Severity: SeverityMinor, Description: "کارکنان کارت شناسایی ندارند"},
	{Code: "PRIVACY", Severity: SeverityMajor, Description: "نگهداری نامناسب مدارک مراجعان"},
}

// SeedDemo records inspections for some offices over the last months and
// returns how many.
func SeedDemo(ctx context.Context, s *Service, offices *geo.Offices, now time.Time, seed uint64) (int, error) {
	ctx = daftar.WithActor(ctx, daftar.SystemActor("demo"))
	rng := rand.New(rand.NewPCG(seed, seed^0x1a))
	all, err := offices.All(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range all {
		if o.Status != geo.OfficeActive || rng.IntN(100) >= 15 {
			continue
		}
		for k := 0; k < 1+rng.IntN(2); k++ {
			day := now.AddDate(0, 0, -(5 + rng.IntN(170)))
			var found []Violation
			for _, v := range demoViolations {
				chance := 12
				if v.Severity == SeverityCritical {
					chance = 3
				}
				if rng.IntN(100) < chance {
					found = append(found, v)
				}
			}
			notes := "بازرسی دوره‌ای"
			if len(found) == 0 {
				notes = "بازرسی دوره‌ای؛ تخلفی مشاهده نشد"
			}
			if _, err := s.RecordInspection(ctx, o.ID, NewInspection{InspectedOn: day.In(daftar.Tehran()).Format("2006-01-02"), Violations: found, Notes: notes}); err != nil {
				return n, fmt.Errorf("demo inspection: %w", err)
			}
			n++
		}
	}
	return n, nil
}
