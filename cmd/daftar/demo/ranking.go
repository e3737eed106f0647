package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/ranking"
)

// RankingsReport sums up the demo rankings.
type RankingsReport struct {
	Inspections int
	Published   []string
	Draft       string
}

// inspectionViolations are what the demo inspectors find.
var inspectionViolations = []ranking.Violation{
	{Code: "FEE-TARIFF", Severity: ranking.SeverityMajor, Description: "تعرفه رسمی در معرض دید نیست"},
	{Code: "FEE-EXTRA", Severity: ranking.SeverityCritical, Description: "دریافت وجه بیش از تعرفه"},
	{Code: "HOURS", Severity: ranking.SeverityMinor, Description: "رعایت نکردن ساعات کاری اعلام‌شده"},
	{Code: "QUEUE", Severity: ranking.SeverityMinor, Description: "نبود سامانه نوبت‌دهی"},
	{Code: "STAFF-ID", Severity: ranking.SeverityMinor, Description: "کارکنان کارت شناسایی ندارند"},
	{Code: "PRIVACY", Severity: ranking.SeverityMajor, Description: "نگهداری نامناسب مدارک مراجعان"},
}

// Rankings records inspections over the last months, with findings (every
// office where citizens often report extra fees is inspected, and usually
// found charging over the tariff; about 15% of the others at random), and
// publishes the ranking of every Jalali month of the demo history that has
// ended, leaving the running month as a draft.
func Rankings(ctx context.Context, s *ranking.Service, register *offices.Register, now time.Time, seed uint64) (RankingsReport, error) {
	ctx = daftar.WithActor(ctx, daftar.SystemActor("demo"))
	rng := rand.New(rand.NewPCG(seed, seed^0x1a))
	all, err := register.All(ctx)
	if err != nil {
		return RankingsReport{}, err
	}
	var rep RankingsReport
	for _, o := range all {
		risky := extraFeeOffice(seed, o.ID)
		if o.Status != offices.Active || (rng.IntN(100) >= 15 && !risky) {
			continue
		}
		for k := 0; k < 1+rng.IntN(2); k++ {
			day := now.AddDate(0, 0, -(5 + rng.IntN(170)))
			var found []ranking.Violation
			for _, v := range inspectionViolations {
				chance := 12
				switch {
				case risky && (v.Code == "FEE-EXTRA" || v.Code == "FEE-TARIFF"):
					chance = 60
				case v.Severity == ranking.SeverityCritical:
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
			if _, err := s.RecordInspection(ctx, o.ID, ranking.NewInspection{InspectedOn: day.In(daftar.Tehran()).Format("2006-01-02"), Violations: found, Notes: notes}); err != nil {
				return rep, fmt.Errorf("demo inspection: %w", err)
			}
			rep.Inspections++
		}
	}
	// Months of the history: the demo visits cover the last 60 days.
	current := daftar.MonthOf(now)
	for p := daftar.MonthOf(now.AddDate(0, 0, -60)); p != current; p = p.Next() {
		run, err := s.Compute(ctx, p.String())
		if err != nil {
			return rep, fmt.Errorf("demo ranking %s: %w", p, err)
		}
		if _, err := s.Publish(ctx, run.ID, run.Version); err != nil {
			return rep, fmt.Errorf("demo ranking %s: %w", p, err)
		}
		rep.Published = append(rep.Published, p.String())
	}
	if _, err := s.Compute(ctx, current.String()); err != nil {
		return rep, fmt.Errorf("demo ranking %s: %w", current, err)
	}
	rep.Draft = current.String()
	return rep, nil
}
