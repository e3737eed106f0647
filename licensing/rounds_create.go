package licensing

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

// NewRound is what creating a round takes.
type NewRound struct {
	Name          string
	TotalLicences int
	Policy        Policy
}

const maxRoundLicences = 100000

// checkPolicy validates a policy and fills what it leaves to the
// configuration (except the targets, which the demand model reports).
func (s *Rounds) checkPolicy(ctx context.Context, p *Policy, fe *daftar.FieldErrors) {
	if v := p.TargetPopulationPerOffice; v != nil && (*v < 1000 || *v > 1_000_000) {
		fe.Add("policy.target_population_per_office", "out_of_range", "must be between 1,000 and 1,000,000 residents")
	}
	if v := p.WaitTargetMin; v != nil && (*v < 1 || *v > 240) {
		fe.Add("policy.wait_target_min", "out_of_range", "must be between 1 and 240 minutes")
	}
	if v := p.MinDistanceM; v != nil && (*v < 0 || *v > 20000) {
		fe.Add("policy.min_distance_m", "out_of_range", "must be between 0 and 20,000 metres")
	}
	if p.MinDistanceM == nil {
		d := s.cfg.MinDistanceM
		p.MinDistanceM = &d
	}
	if v := p.MinScore; v != nil && (*v < 0 || *v > MaxScoreMax) {
		fe.Add("policy.min_score", "out_of_range", "must be between 0 and the exam's score scale (score_max)")
	}
	cur := daftar.ToJalali(s.clock.Now()).Year
	switch {
	case p.ExamYear == 0:
		var y *int
		if err := s.db.WithContext(ctx).Raw("SELECT MAX(exam_year) FROM candidates WHERE state = ?", StateApproved).Scan(&y).Error; err == nil && y != nil {
			p.ExamYear = *y
		} else {
			p.ExamYear = cur
		}
	case p.ExamYear < 1390 || p.ExamYear > cur+1:
		fe.Add("policy.exam_year", "out_of_range", fmt.Sprintf("must be a Jalali year from 1390 to %d", cur+1))
	}
	seen := map[string]bool{}
	var provs []string
	for i, code := range p.ExamProvinces {
		if r, ok := s.gaz.Get(code); !ok || r.Level != geo.LevelProvince {
			fe.Add(fmt.Sprintf("policy.exam_provinces[%d]", i), "unknown", fmt.Sprintf("%q is not a province code", code))
			continue
		}
		if !seen[code] {
			seen[code] = true
			provs = append(provs, code)
		}
	}
	p.ExamProvinces = provs
}

func (p Policy) demandQuery() DemandQuery {
	var q DemandQuery
	if p.TargetPopulationPerOffice != nil {
		q.TargetPopulationPerOffice = *p.TargetPopulationPerOffice
	}
	if p.WaitTargetMin != nil {
		q.WaitTarget = time.Duration(*p.WaitTargetMin * float64(time.Minute))
	}
	return q
}

// Create computes a round's quotas from the demand model under its policy
// and stores it, open.
func (s *Rounds) Create(ctx context.Context, in NewRound) (Round, error) {
	var fe daftar.FieldErrors
	in.Name = daftar.NormalizeText(in.Name)
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		fe.Add("name", "required", "is required")
	case n < 3 || n > 200:
		fe.Add("name", "length", "must be 3 to 200 characters")
	}
	if in.TotalLicences < 1 || in.TotalLicences > maxRoundLicences {
		fe.Add("total_licences", "out_of_range", fmt.Sprintf("must be a whole number from 1 to %d", maxRoundLicences))
	}
	pol := in.Policy
	s.checkPolicy(ctx, &pol, &fe)
	if err := fe.Err(daftar.KindUnprocessable, "invalid_round", "the round is not valid"); err != nil {
		return Round{}, err
	}
	res, err := s.demand.Compute(ctx, pol.demandQuery())
	if err != nil {
		return Round{}, err
	}
	target, wait := res.Model.TargetPopulationPerOffice, res.Model.WaitTargetMin
	pol.TargetPopulationPerOffice, pol.WaitTargetMin = &target, &wait
	var cities []RegionDemand
	for _, r := range res.Regions {
		if r.Level == geo.LevelCity {
			cities = append(cities, r)
		}
	}
	slices.SortFunc(cities, func(a, b RegionDemand) int { return strings.Compare(a.Region, b.Region) })
	weights := make([]float64, len(cities))
	sum := 0
	for i, c := range cities {
		weights[i] = float64(c.Shortage)
		sum += c.Shortage
	}
	if sum == 0 {
		return Round{}, daftar.Unprocessable("no_shortage", "no city has a shortage under this policy: there is nothing to apportion",
			daftar.Field("total_licences", "no_shortage", "no city is short of offices under this policy"))
	}
	quotas := LargestRemainder(in.TotalLicences, weights)
	polJSON, _ := json.Marshal(pol)
	demJSON, _ := json.Marshal(res.Model)
	now := s.now()
	row := roundRow{Name: in.Name, State: RoundOpen, TotalLicences: in.TotalLicences, ExamYear: pol.ExamYear, Policy: string(polJSON),
		Demand: string(demJSON), Version: 1, CreatedBy: actorName(ctx), CreatedAt: now, UpdatedAt: now}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		rows := make([]quotaRow, len(cities))
		given := map[string]int{}
		for i, c := range cities {
			rows[i] = quotaRow{RoundID: row.ID, Region: c.Region, Needed: c.Needed, ActiveOffices: c.ActiveOffices,
				LicensedNotOpen: c.LicensedNotOpen, Shortage: c.Shortage, ComputedQuota: quotas[i], Quota: quotas[i]}
			if quotas[i] > 0 {
				given[c.Region] = quotas[i]
			}
		}
		if err := tx.CreateInBatches(rows, 200).Error; err != nil {
			return err
		}
		return s.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "licensing_round.create", Entity: "licensing_round", EntityID: row.ID,
			After: map[string]any{"name": row.Name, "total_licences": row.TotalLicences, "policy": pol, "quotas": given,
				"target_population_per_office": target, "national_average": res.Model.NationalAverage}})
	})
	if err != nil {
		return Round{}, err
	}
	return s.Get(ctx, row.ID)
}
