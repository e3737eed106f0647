package licensing

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/deps"
)

// The demand model: how many offices each city needs, from three
// independent readings of the same question, each shown with its inputs so
// the official who signs a round can follow every number.
//
//   - population: residents per active office against a target (by default
//     the national average; the notary law's 15,000-20,000 urban residents
//     per office is shown beside it for comparison);
//   - queueing: at the city's peak hour, the offices of typical counters
//     needed for the Erlang C expected wait to stay under the target, from
//     the observed arrival rate and service time (demand_queue.go);
//   - accessibility: the E2SFCA score of the city's residents, and the
//     offices that would bring it to the national level (e2sfca.go).
//
// Offices needed is the largest of the three; the shortage is what is
// needed beyond the active offices and the licences issued but not yet
// open. Observed crowding (p90 wait, share over target, utilisation) is
// shown beside them: it is what the queueing reading is computed from, not
// a fourth need.

// DemandConfig holds the demand model's settings.
type DemandConfig struct {
	// TargetPopulationPerOffice is the residents one office should serve;
	// 0 takes the national average (urban residents per active office).
	TargetPopulationPerOffice float64
	// WaitTarget is the Erlang C expected wait at the peak hour that the
	// queueing need keeps under (default 10m).
	WaitTarget time.Duration
	// WindowDays is the span of visits read, ending yesterday (default 90).
	WindowDays int
	// Zones are the E2SFCA catchment zones (default DefaultZones).
	Zones []Zone
}

func (c DemandConfig) withDefaults() DemandConfig {
	if c.WaitTarget == 0 {
		c.WaitTarget = 10 * time.Minute
	}
	if c.WindowDays == 0 {
		c.WindowDays = 90
	}
	if len(c.Zones) == 0 {
		c.Zones = DefaultZones
	}
	return c
}

// The notary law's range of urban residents per office, shown for
// comparison.
const (
	NotaryLawMin = 15000
	NotaryLawMax = 20000
)

// Which reading sets a city's need.
const (
	BindingPopulation    = "population"
	BindingQueueing      = "queueing"
	BindingAccessibility = "accessibility"
)

// Demand computes the demand model.
type Demand struct {
	db       *db.DB
	clock    daftar.Clock
	gaz      *geo.Gazetteer
	offices  *offices.Register
	crowding *visits.Crowding
	cfg      DemandConfig
	points   []PopPoint
	pointOf  []string // city of each point
}

// NewDemand returns the demand model.
func NewDemand(d *db.DB, clock daftar.Clock, register *offices.Register, crowding *visits.Crowding, cfg DemandConfig) (*Demand, error) {
	if err := deps.Check("demand", "database", d, "clock", clock, "office register", register, "crowding", crowding); err != nil {
		return nil, err
	}
	gaz := register.Gazetteer()
	pts, city := populationPoints(gaz)
	return &Demand{db: d, clock: clock, gaz: gaz, offices: register, crowding: crowding, cfg: cfg.withDefaults(), points: pts, pointOf: city}, nil
}

// Config returns the effective configuration.
func (m *Demand) Config() DemandConfig { return m.cfg }

// DemandQuery narrows or overrides a computation.
type DemandQuery struct {
	// From and To are the first and last day of visits read (Tehran);
	// zero takes the configured window ending yesterday.
	From, To time.Time
	// TargetPopulationPerOffice and WaitTarget override the configuration
	// (a round's policy); zero keeps it.
	TargetPopulationPerOffice float64
	WaitTarget                time.Duration
}

// DemandModel is what every city's figures share: the window, the targets
// and the national levels they are measured against.
type DemandModel struct {
	From time.Time `json:"from" doc:"first day of visits read"`
	To   time.Time `json:"to" doc:"the day after the last day read"`
	Days int       `json:"days"`
	// TargetPopulationPerOffice is what the population need divides by;
	// TargetSource says where it came from: national_average, configured
	// or requested (a round's policy or the query).
	TargetPopulationPerOffice float64 `json:"target_population_per_office"`
	TargetSource              string  `json:"target_source" doc:"national_average, configured or requested"`
	NationalAverage           float64 `json:"national_average_population_per_office" doc:"urban residents per active office over the gazetteer's cities"`
	NotaryLawMin              int     `json:"notary_law_min_population_per_office"`
	NotaryLawMax              int     `json:"notary_law_max_population_per_office"`
	WaitTargetMin             float64 `json:"wait_target_min" doc:"the Erlang C expected wait at the peak hour the queueing need keeps under"`
	CrowdingTargetMin         float64 `json:"crowding_target_min" doc:"the wait over_target_share counts beyond"`
	TypicalCounters           int     `json:"typical_counters" doc:"median counters of the active offices, for cities without their own"`
	Zones                     []Zone  `json:"accessibility_zones" doc:"E2SFCA distance bands and weights"`
	CatchmentM                float64 `json:"accessibility_catchment_m"`
	AccessTarget              float64 `json:"accessibility_target" doc:"national accessibility: offices within reach per 100,000 residents, population-weighted"`
	PopulationPoints          int     `json:"population_points"`
	Population                int64   `json:"population" doc:"residents of the gazetteer's cities"`
	ActiveOffices             int     `json:"active_offices"`
	LicensedNotOpen           int     `json:"licensed_not_open"`
	Needed                    int     `json:"needed"`
	Shortage                  int     `json:"shortage"`
}

// PopulationNeed is the need read from residents per office.
type PopulationNeed struct {
	TargetPopulationPerOffice float64 `json:"target_population_per_office"`
	OfficesNeeded             int     `json:"offices_needed" doc:"population / target, rounded up"`
	OfficesAtNotaryMin        int     `json:"offices_at_15000" doc:"for comparison: one office per 15,000 residents"`
	OfficesAtNotaryMax        int     `json:"offices_at_20000" doc:"for comparison: one office per 20,000 residents"`
}

// QueueNeed is the need read from the queues at the peak hour.
type QueueNeed struct {
	// Available is false when the window holds no visits for the city.
	Available       bool     `json:"available"`
	PeakHour        *int     `json:"peak_hour" doc:"hour of the day (Tehran) with the most arrivals per open hour"`
	ArrivalsPerHour *float64 `json:"peak_arrivals_per_hour" doc:"the whole city's arrivals per hour at the peak hour"`
	ServiceMeanMin  *float64 `json:"service_mean_min" doc:"mean service time at the peak hour"`
	Counters        int      `json:"counters" doc:"counters of the active offices"`
	TypicalCounters int      `json:"typical_counters" doc:"median counters per active office of the city (national median without any)"`
	WaitTargetMin   float64  `json:"wait_target_min"`
	// Utilisation and ExpectedWaitMin model today's offices at the peak
	// hour; the wait is null when the queues are unstable (ρ ≥ 1).
	Utilisation     *float64 `json:"peak_utilisation" doc:"arrivals × service time / counters: at or above 1 the queues grow without bound"`
	ExpectedWaitMin *float64 `json:"expected_wait_min" doc:"Erlang C expected wait today at the peak hour; null when unstable"`
	WaitP90Min      *float64 `json:"wait_p90_min" doc:"Erlang C 90th percentile wait today at the peak hour; null when unstable"`
	Stable          bool     `json:"stable"`
	CountersNeeded  *int     `json:"counters_needed"`
	OfficesNeeded   *int     `json:"offices_needed"`
}

// AccessNeed is the need read from spatial accessibility.
type AccessNeed struct {
	Score            float64 `json:"score" doc:"E2SFCA: offices within reach per 100,000 residents, population-weighted over the city's points"`
	TargetScore      float64 `json:"target_score" doc:"the national level"`
	CatchmentM       float64 `json:"catchment_m"`
	PopulationPoints int     `json:"population_points"`
	OfficesNeeded    int     `json:"offices_needed" doc:"active offices plus those that would bring the score to the national level"`
}

// ObservedCrowding are the crowding figures of the city's offices over
// the window.
type ObservedCrowding struct {
	OfficesWithVisits int      `json:"offices_with_visits"`
	Arrivals          int64    `json:"arrivals"`
	Served            int64    `json:"served"`
	WaitP90Min        *float64 `json:"wait_p90_min"`
	OverTargetShare   *float64 `json:"over_target_share"`
	Utilisation       *float64 `json:"utilisation"`
}

// RegionDemand is one city's (or district's) figures.
type RegionDemand struct {
	Region              string           `json:"region"`
	NameFa              string           `json:"name_fa"`
	NameEn              string           `json:"name_en"`
	Level               string           `json:"level"`
	Province            string           `json:"province"`
	Population          int64            `json:"population"`
	CensusYear          int              `json:"census_year"`
	ActiveOffices       int              `json:"active_offices"`
	LicensedNotOpen     int              `json:"licensed_not_open" doc:"licences issued whose office has not opened"`
	PopulationPerOffice *float64         `json:"population_per_office" doc:"null without active offices"`
	Needed              int              `json:"needed" doc:"the largest of the three needs"`
	Binding             string           `json:"binding" doc:"which need sets needed: population, queueing or accessibility"`
	Shortage            int              `json:"shortage" doc:"needed - active - licensed_not_open, at least 0"`
	PopulationNeed      PopulationNeed   `json:"population_need"`
	Queueing            QueueNeed        `json:"queueing"`
	Accessibility       AccessNeed       `json:"accessibility"`
	Crowding            ObservedCrowding `json:"crowding"`
	Explanation         string           `json:"explanation"`
	ExplanationFa       string           `json:"explanation_fa"`

	queue cityQueue // for what-if
}

// DemandResult is the model's answer: shared inputs and every city, by
// shortage (largest first).
type DemandResult struct {
	Model   DemandModel
	Regions []RegionDemand
}

// Region returns one region's figures.
func (r *DemandResult) Region(code string) (*RegionDemand, bool) {
	for i := range r.Regions {
		if r.Regions[i].Region == code {
			return &r.Regions[i], true
		}
	}
	return nil, false
}

// area is a city or district being computed.
type area struct {
	region *geo.Region
	city   string
	active []offices.Summary
	all    []int64 // every office (whatever its status): their visits are the area's demand
	points []int
}

// Compute runs the model over every city (and district with a population)
// of the gazetteer.
func (m *Demand) Compute(ctx context.Context, q DemandQuery) (*DemandResult, error) {
	rng, err := m.window(q)
	if err != nil {
		return nil, err
	}
	list, err := m.offices.Summaries(ctx)
	if err != nil {
		return nil, err
	}
	var notOpen []struct {
		Region string
		N      int
	}
	if err := m.db.WithContext(ctx).Raw("SELECT region, COUNT(*) AS n FROM licences WHERE state = ? GROUP BY region", LicenceIssued).Scan(&notOpen).Error; err != nil {
		return nil, err
	}
	hourly, err := m.crowding.OfficesHourly(ctx, rng)
	if err != nil {
		return nil, err
	}
	return m.compute(q, rng, list, notOpen, hourly), nil
}

func (m *Demand) window(q DemandQuery) (visits.CrowdingRange, error) {
	first, last := q.From, q.To
	if first.IsZero() && last.IsZero() {
		today := m.clock.Now()
		first, last = today.AddDate(0, 0, -m.cfg.WindowDays), today.AddDate(0, 0, -1)
	}
	if first.IsZero() {
		first = last.AddDate(0, 0, -m.cfg.WindowDays+1)
	}
	if last.IsZero() {
		last = first.AddDate(0, 0, m.cfg.WindowDays-1)
	}
	return visits.NewCrowdingRange(first, last, 3*366)
}

func (m *Demand) compute(q DemandQuery, rng visits.CrowdingRange, list []offices.Summary, notOpen []struct {
	Region string
	N      int
}, hourly map[int64]*visits.OfficeHourly) *DemandResult {
	res := &DemandResult{}
	mod := &res.Model
	mod.From, mod.To, mod.Days = time.Unix(rng.From, 0).UTC(), time.Unix(rng.To, 0).UTC(), rng.Days()
	mod.NotaryLawMin, mod.NotaryLawMax = NotaryLawMin, NotaryLawMax
	mod.Zones = m.cfg.Zones
	mod.CatchmentM = m.cfg.Zones[len(m.cfg.Zones)-1].UpToM
	mod.PopulationPoints = len(m.points)
	crowdTarget := m.crowding.Config().TargetWait
	mod.CrowdingTargetMin = crowdTarget.Minutes()
	waitTarget := m.cfg.WaitTarget
	if q.WaitTarget > 0 {
		waitTarget = q.WaitTarget
	}
	mod.WaitTargetMin = waitTarget.Minutes()

	// Areas: every city, and every district with a population.
	areas := map[string]*area{}
	var order []*area
	for _, r := range m.gaz.All() {
		switch {
		case r.Level == geo.LevelCity:
		case r.Level == geo.LevelDistrict && r.Population > 0:
		default:
			continue
		}
		city, _ := m.gaz.City(r.Code)
		a := &area{region: r}
		if city != nil {
			a.city = city.Code
		}
		areas[r.Code] = a
		order = append(order, a)
	}
	var allCounters []int
	activeTotal := 0
	for _, o := range list {
		codes := []string{o.CityCode}
		if o.DistrictCode != nil {
			codes = append(codes, *o.DistrictCode)
		}
		for _, code := range codes {
			a, ok := areas[code]
			if !ok {
				continue
			}
			a.all = append(a.all, o.ID)
			if o.Status == offices.Active {
				a.active = append(a.active, o)
			}
		}
		if o.Status == offices.Active {
			if _, ok := areas[o.CityCode]; ok {
				activeTotal++
				allCounters = append(allCounters, o.Counters)
			}
		}
	}
	for i, city := range m.pointOf {
		if a, ok := areas[city]; ok {
			a.points = append(a.points, i)
		}
	}
	var popTotal int64
	for _, a := range order {
		if a.region.Level == geo.LevelCity {
			popTotal += a.region.Population
		}
	}
	mod.Population, mod.ActiveOffices = popTotal, activeTotal
	mod.TypicalCounters = median(allCounters, 3)
	if activeTotal > 0 {
		mod.NationalAverage = round2(float64(popTotal) / float64(activeTotal))
	}
	switch {
	case q.TargetPopulationPerOffice > 0:
		mod.TargetPopulationPerOffice, mod.TargetSource = q.TargetPopulationPerOffice, "requested"
	case m.cfg.TargetPopulationPerOffice > 0:
		mod.TargetPopulationPerOffice, mod.TargetSource = m.cfg.TargetPopulationPerOffice, "configured"
	case mod.NationalAverage > 0:
		mod.TargetPopulationPerOffice, mod.TargetSource = mod.NationalAverage, "national_average"
	default:
		// No office anywhere yet: the notary law's upper figure.
		mod.TargetPopulationPerOffice, mod.TargetSource = NotaryLawMax, "notary_law"
	}

	// Accessibility: E2SFCA from the population points to the active offices.
	var sites []Site
	for _, o := range list {
		if o.Status == offices.Active {
			sites = append(sites, Site{Lat: o.Latitude, Lon: o.Longitude, Supply: 1})
		}
	}
	_, access := E2SFCA(m.points, sites, m.cfg.Zones)
	var wsum, psum float64
	for i, p := range m.points {
		wsum += p.Pop * access[i]
		psum += p.Pop
	}
	if psum > 0 {
		mod.AccessTarget = round4(wsum / psum * 1e5)
	}

	notOpenBy := map[string]int{}
	for _, n := range notOpen {
		notOpenBy[n.Region] = n.N
		if _, ok := areas[n.Region]; ok {
			mod.LicensedNotOpen += n.N
		}
	}
	target := mod.TargetPopulationPerOffice
	for _, a := range order {
		rd := RegionDemand{Region: a.region.Code, NameFa: a.region.NameFa, NameEn: a.region.NameEn, Level: a.region.Level,
			Population: a.region.Population, CensusYear: a.region.CensusYear, ActiveOffices: len(a.active),
			LicensedNotOpen: notOpenBy[a.region.Code]}
		if p, ok := m.gaz.Province(a.region.Code); ok {
			rd.Province = p.Code
		}
		pop := float64(a.region.Population)
		if rd.ActiveOffices > 0 {
			v := round2(pop / float64(rd.ActiveOffices))
			rd.PopulationPerOffice = &v
		}
		// Population.
		rd.PopulationNeed = PopulationNeed{TargetPopulationPerOffice: target, OfficesNeeded: ceilInt(pop / target),
			OfficesAtNotaryMin: ceilInt(pop / NotaryLawMin), OfficesAtNotaryMax: ceilInt(pop / NotaryLawMax)}
		// Accessibility.
		var ap, aw float64
		for _, i := range a.points {
			ap += m.points[i].Pop
			aw += m.points[i].Pop * access[i]
		}
		score := 0.0
		if ap > 0 {
			score = aw / ap * 1e5
		}
		rd.Accessibility = AccessNeed{Score: round4(score), TargetScore: mod.AccessTarget, CatchmentM: mod.CatchmentM,
			PopulationPoints: len(a.points),
			OfficesNeeded:    max(0, ceilInt(float64(rd.ActiveOffices)+(mod.AccessTarget-score)*pop/1e5))}
		// Queueing and observed crowding.
		rd.Queueing, rd.Crowding, rd.queue = m.queueing(a, hourly, mod.TypicalCounters, waitTarget, crowdTarget)

		rd.Needed, rd.Binding = rd.PopulationNeed.OfficesNeeded, BindingPopulation
		if qn := rd.Queueing.OfficesNeeded; qn != nil && *qn > rd.Needed {
			rd.Needed, rd.Binding = *qn, BindingQueueing
		}
		if rd.Accessibility.OfficesNeeded > rd.Needed {
			rd.Needed, rd.Binding = rd.Accessibility.OfficesNeeded, BindingAccessibility
		}
		rd.Shortage = max(0, rd.Needed-rd.ActiveOffices-rd.LicensedNotOpen)
		if a.region.Level == geo.LevelCity {
			mod.Needed += rd.Needed
			mod.Shortage += rd.Shortage
		}
		rd.Explanation, rd.ExplanationFa = explain(&rd, mod)
		res.Regions = append(res.Regions, rd)
	}
	slices.SortStableFunc(res.Regions, func(a, b RegionDemand) int {
		if c := cmp.Compare(b.Shortage, a.Shortage); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Population, a.Population); c != 0 {
			return c
		}
		return cmp.Compare(a.Region, b.Region)
	})
	return res
}

// queueing reads an area's peak hour from its offices' hourly counts and
// models its queues.
func (m *Demand) queueing(a *area, hourly map[int64]*visits.OfficeHourly, typicalNational int, waitTarget, crowdTarget time.Duration) (QueueNeed, ObservedCrowding, cityQueue) {
	counters := make([]int, 0, len(a.active))
	q := cityQueue{offices: map[int]int{}}
	for _, o := range a.active {
		counters = append(counters, o.Counters)
		q.offices[o.Counters]++
	}
	qn := QueueNeed{TypicalCounters: median(counters, typicalNational), Counters: q.counters(), WaitTargetMin: waitTarget.Minutes()}
	var obs ObservedCrowding
	var total visits.Stats
	var rate [24]float64
	var hours [24]visits.Counts
	for _, id := range a.all {
		h, ok := hourly[id]
		if !ok {
			continue
		}
		obs.OfficesWithVisits++
		total.Merge(&h.Stats)
		for hr := range 24 {
			c := &h.Hours[hr]
			hours[hr].Add(c)
			if c.OpenS > 0 {
				rate[hr] += float64(c.Arrivals) / (float64(c.OpenS) / 3600)
			}
		}
	}
	f := total.Figures(int64(crowdTarget / time.Second))
	obs.Arrivals, obs.Served = f.Arrivals, f.Served
	obs.WaitP90Min, obs.OverTargetShare, obs.Utilisation = round2p(f.WaitP90), round4p(f.OverTargetShare), round4p(f.Utilisation)

	peak := -1
	for hr := range 24 {
		if rate[hr] > 0 && (peak < 0 || rate[hr] > rate[peak]) {
			peak = hr
		}
	}
	if peak < 0 {
		return qn, obs, q
	}
	service := 0.0
	switch {
	case hours[peak].Services > 0:
		service = float64(hours[peak].ServiceSum) / float64(hours[peak].Services) / 60
	case total.Services > 0:
		service = float64(total.ServiceSum) / float64(total.Services) / 60
	default:
		return qn, obs, q
	}
	if service <= 0 {
		return qn, obs, q
	}
	q.lambda, q.service = rate[peak]/60, service
	qn.Available = true
	ph := peak
	qn.PeakHour = &ph
	qn.ArrivalsPerHour, qn.ServiceMeanMin = round2p(&rate[peak]), round2p(&service)
	rho := q.utilisation()
	if !math.IsInf(rho, 0) {
		qn.Utilisation = round4p(&rho)
	}
	if w, ok := q.meanWait(); ok {
		qn.Stable = true
		qn.ExpectedWaitMin = round2p(&w)
		p90, _ := q.waitQuantile(0.9)
		qn.WaitP90Min = round2p(&p90)
	}
	target := waitTarget.Minutes()
	k := qn.TypicalCounters
	var needed, ctrs int
	if q.meets(target) {
		needed = min(q.count(), fewestTypical(q.lambda, q.service, k, target))
		ctrs = min(q.counters(), needed*k)
	} else if add := q.addsNeeded(k, target); add >= 0 {
		needed, ctrs = q.count()+add, q.counters()+add*k
	} else {
		return qn, obs, q
	}
	qn.OfficesNeeded, qn.CountersNeeded = &needed, &ctrs
	return qn, obs, q
}

// WhatIfScenario is a city with a number of offices.
type WhatIfScenario struct {
	Offices             int      `json:"offices"`
	Counters            int      `json:"counters"`
	PopulationPerOffice *float64 `json:"population_per_office"`
	Utilisation         *float64 `json:"peak_utilisation"`
	ExpectedWaitMin     *float64 `json:"expected_wait_min" doc:"Erlang C at the peak hour; null when the queues are unstable or there are no visits to model"`
	WaitP90Min          *float64 `json:"wait_p90_min"`
	Stable              bool     `json:"stable"`
}

// WhatIf is the predicted effect of adding offices to a city.
type WhatIf struct {
	Region          string         `json:"region"`
	NameFa          string         `json:"name_fa"`
	NameEn          string         `json:"name_en"`
	Add             int            `json:"add"`
	CountersEach    int            `json:"counters_each" doc:"counters of each added office: the city's typical counters"`
	Population      int64          `json:"population"`
	PeakHour        *int           `json:"peak_hour"`
	ArrivalsPerHour *float64       `json:"peak_arrivals_per_hour"`
	ServiceMeanMin  *float64       `json:"service_mean_min"`
	WaitTargetMin   float64        `json:"wait_target_min"`
	Before          WhatIfScenario `json:"before"`
	After           WhatIfScenario `json:"after"`
	Note            string         `json:"note,omitempty"`
}

// WhatIf predicts a city's waits and population per office after adding
// offices of its typical counters (each office its own Erlang C queue, the
// peak arrivals shared by counters).
func (m *Demand) WhatIf(ctx context.Context, code string, add int, q DemandQuery) (WhatIf, error) {
	if err := m.checkWhatIf(code, add); err != nil {
		return WhatIf{}, err
	}
	res, err := m.Compute(ctx, q)
	if err != nil {
		return WhatIf{}, err
	}
	return m.WhatIfFrom(res, code, add)
}

// checkWhatIf refuses a region that is not a city or district, and an
// addition out of range, before any computing.
func (m *Demand) checkWhatIf(code string, add int) error {
	reg, ok := m.gaz.Get(code)
	if !ok {
		return daftar.NotFound("region_not_found", "no such region")
	}
	if reg.Level != geo.LevelCity && reg.Level != geo.LevelDistrict {
		return daftar.Unprocessable("not_a_city", "what-if is computed for a city or district",
			daftar.Field("region", "not_a_city", "must be a city (or district) code, not a province"))
	}
	if add < 0 || add > 10000 {
		return daftar.Invalid("invalid_query", "the query is not valid", daftar.Field("add", "out_of_range", "must be a whole number from 0 to 10000"))
	}
	return nil
}

// WhatIfFrom is WhatIf over a model already computed (a page that shows
// the model and a what-if computes it once).
func (m *Demand) WhatIfFrom(res *DemandResult, code string, add int) (WhatIf, error) {
	if err := m.checkWhatIf(code, add); err != nil {
		return WhatIf{}, err
	}
	rd, ok := res.Region(code)
	if !ok {
		return WhatIf{}, daftar.NotFound("region_not_found", "the region has no population in the gazetteer")
	}
	qn := rd.Queueing
	out := WhatIf{Region: rd.Region, NameFa: rd.NameFa, NameEn: rd.NameEn, Add: add, CountersEach: qn.TypicalCounters,
		Population: rd.Population, PeakHour: qn.PeakHour, ArrivalsPerHour: qn.ArrivalsPerHour, ServiceMeanMin: qn.ServiceMeanMin,
		WaitTargetMin: qn.WaitTargetMin}
	scen := func(cq cityQueue) WhatIfScenario {
		s := WhatIfScenario{Offices: cq.count(), Counters: cq.counters()}
		if s.Offices > 0 {
			v := round2(float64(rd.Population) / float64(s.Offices))
			s.PopulationPerOffice = &v
		}
		if !qn.Available {
			return s
		}
		if rho := cq.utilisation(); !math.IsInf(rho, 0) {
			s.Utilisation = round4p(&rho)
		}
		if w, ok := cq.meanWait(); ok {
			s.Stable = true
			s.ExpectedWaitMin = round2p(&w)
			p90, _ := cq.waitQuantile(0.9)
			s.WaitP90Min = round2p(&p90)
		}
		return s
	}
	out.Before = scen(rd.queue)
	out.After = scen(rd.queue.plus(add, qn.TypicalCounters))
	if !qn.Available {
		out.Note = "no visits in the window: waits cannot be modelled, only population per office"
	}
	return out, nil
}

// explain writes the figures behind a city's need as a sentence, in
// English and Persian.
func explain(rd *RegionDemand, mod *DemandModel) (string, string) {
	n := func(v float64) string { return fmtThousands(int64(math.Round(v))) }
	var en, fa strings.Builder
	ppo := "no active office"
	ppoFa := "بدون دفتر فعال"
	if rd.PopulationPerOffice != nil {
		ppo = n(*rd.PopulationPerOffice) + " residents per office"
		ppoFa = daftar.PersianDigits(n(*rd.PopulationPerOffice)) + " نفر برای هر دفتر"
	}
	fmt.Fprintf(&en, "%s: %s residents, %s (%s), %s licensed but not open. ", rd.NameEn, n(float64(rd.Population)),
		nounCount(rd.ActiveOffices, "active office", "active offices"), ppo, nounCount(rd.LicensedNotOpen, "office", "offices"))
	fmt.Fprintf(&fa, "%s: %s نفر جمعیت، %s دفتر فعال (%s)، %s مجوز صادرشده که هنوز افتتاح نشده. ", rd.NameFa,
		daftar.PersianDigits(n(float64(rd.Population))), pd(rd.ActiveOffices), ppoFa, pd(rd.LicensedNotOpen))
	pn := rd.PopulationNeed
	fmt.Fprintf(&en, "Population: %s at %s residents per office (%s); the notary law's 15,000-20,000 would give %d-%d. ",
		nounCount(pn.OfficesNeeded, "office", "offices"), n(pn.TargetPopulationPerOffice), strings.ReplaceAll(mod.TargetSource, "_", " "), pn.OfficesAtNotaryMax, pn.OfficesAtNotaryMin)
	fmt.Fprintf(&fa, "جمعیت: %s دفتر با هدف %s نفر برای هر دفتر (قانون دفاتر اسناد رسمی با ۱۵٬۰۰۰ تا ۲۰٬۰۰۰ نفر: %s تا %s دفتر). ",
		pd(pn.OfficesNeeded), daftar.PersianDigits(n(pn.TargetPopulationPerOffice)), pd(pn.OfficesAtNotaryMax), pd(pn.OfficesAtNotaryMin))
	qn := rd.Queueing
	if qn.Available && qn.OfficesNeeded != nil {
		now := "unstable queues"
		nowFa := "صف ناپایدار"
		if qn.ExpectedWaitMin != nil {
			now = fmt.Sprintf("%.1f min expected wait", *qn.ExpectedWaitMin)
			nowFa = fmt.Sprintf("میانگین انتظار %s دقیقه", daftar.PersianDigits(fmt.Sprintf("%.1f", *qn.ExpectedWaitMin)))
		}
		fmt.Fprintf(&en, "Queueing: at the peak hour (%02d:00) %.0f arrivals/hour with %.1f min service (%s today) need %s of %s to keep the Erlang C expected wait under %.0f min. ",
			*qn.PeakHour, *qn.ArrivalsPerHour, *qn.ServiceMeanMin, now, nounCount(*qn.OfficesNeeded, "office", "offices"),
			nounCount(qn.TypicalCounters, "counter", "counters"), qn.WaitTargetMin)
		fmt.Fprintf(&fa, "صف: در ساعت اوج (%s:۰۰) %s مراجعه در ساعت با زمان خدمت %s دقیقه (%s در وضع کنونی) به %s دفتر %s باجه‌ای نیاز دارد تا میانگین انتظار ارلانگ C زیر %s دقیقه بماند. ",
			daftar.PersianDigits(fmt.Sprintf("%02d", *qn.PeakHour)), daftar.PersianDigits(fmt.Sprintf("%.0f", *qn.ArrivalsPerHour)),
			daftar.PersianDigits(fmt.Sprintf("%.1f", *qn.ServiceMeanMin)), nowFa, pd(*qn.OfficesNeeded), pd(qn.TypicalCounters),
			daftar.PersianDigits(fmt.Sprintf("%.0f", qn.WaitTargetMin)))
	} else {
		en.WriteString("Queueing: no visits in the window to model. ")
		fa.WriteString("صف: مراجعه‌ای در این بازه ثبت نشده است. ")
	}
	ac := rd.Accessibility
	fmt.Fprintf(&en, "Accessibility (E2SFCA, %s km catchment): %.2f offices within reach per 100,000 residents against %.2f nationally: %s. ",
		n(ac.CatchmentM/1000), ac.Score, ac.TargetScore, nounCount(ac.OfficesNeeded, "office", "offices"))
	fmt.Fprintf(&fa, "دسترسی فضایی (شعاع %s کیلومتر): %s دفتر در دسترس برای هر ۱۰۰٬۰۰۰ نفر در برابر %s در کشور: %s دفتر. ",
		daftar.PersianDigits(n(ac.CatchmentM/1000)), daftar.PersianDigits(fmt.Sprintf("%.2f", ac.Score)),
		daftar.PersianDigits(fmt.Sprintf("%.2f", ac.TargetScore)), pd(ac.OfficesNeeded))
	fmt.Fprintf(&en, "Needed: %d (%s); shortage %d.", rd.Needed, rd.Binding, rd.Shortage)
	bindingFa := map[string]string{BindingPopulation: "جمعیت", BindingQueueing: "صف", BindingAccessibility: "دسترسی"}[rd.Binding]
	fmt.Fprintf(&fa, "نیاز: %s دفتر (بر پایه %s)؛ کمبود %s.", pd(rd.Needed), bindingFa, pd(rd.Shortage))
	return en.String(), fa.String()
}

// nounCount writes a number with its noun, singular for one: "1 office",
// "1,200 offices".
func nounCount(v int, one, many string) string {
	if v == 1 {
		return "1 " + one
	}
	return fmtThousands(int64(v)) + " " + many
}

func pd(n int) string { return daftar.PersianDigits(fmtThousands(int64(n))) }

// fmtThousands writes 1234567 as 1,234,567.
func fmtThousands(v int64) string {
	s := fmt.Sprint(v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func median(v []int, def int) int {
	if len(v) == 0 {
		return def
	}
	s := slices.Clone(v)
	sort.Ints(s)
	return s[(len(s)-1)/2]
}

// ceilInt rounds up, forgiving floating-point noise just above a whole
// number.
func ceilInt(v float64) int {
	if math.IsNaN(v) || v <= 0 {
		return 0
	}
	return int(math.Ceil(v - 1e-9))
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }
func round4(v float64) float64 { return math.Round(v*10000) / 10000 }

func round2p(v *float64) *float64 {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return nil
	}
	r := round2(*v)
	return &r
}

func round4p(v *float64) *float64 {
	if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return nil
	}
	r := round4(*v)
	return &r
}
