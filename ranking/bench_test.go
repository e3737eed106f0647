package ranking_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/daftar-ir/daftar/surveys/complaints"
	"github.com/daftar-ir/daftar/surveys/complaints/adapters"
)

const (
	benchOffices   = 2000
	benchResponses = 1_000_000
)

// fillYear writes a year of data for 2,000 offices: month rollups for
// every office and Jalali month (one real office-month of about 430 visits,
// rolled up by geo/visits, copied to every office and month: some 10 million
// visits' worth), 1,000,000 survey responses over the year, and
// inspections with their corrective actions, and complaints.
func fillYear(b *testing.B, d *db.DB) (daftar.Period, *surveys.Service, *offices.Register) {
	b.Helper()
	ctx := daftar.WithActor(context.Background(), daftar.SystemActor("bench"))
	if err := geo.LoadReference(ctx, d); err != nil {
		b.Fatal(err)
	}
	gaz, _ := geo.LoadGazetteer(ctx, d)
	cat, _ := geo.LoadCatalogue(ctx, d)
	clock := daftar.NewManualClock(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC))
	al := audit.New(d, clock)
	register, err := offices.New(d, clock, al, gaz, cat, offices.NewChanges(), offices.Config{})
	if err != nil {
		b.Fatal(err)
	}
	cities := gaz.Level(geo.LevelCity)
	var list []offices.Office
	for i := 0; i < benchOffices; i++ {
		c := cities[i%len(cities)]
		prov, _ := gaz.Province(c.Code)
		list = append(list, offices.Office{Code: fmt.Sprintf("B-%05d", i), NameFa: "دفتر", ProvinceCode: prov.Code, CityCode: c.Code,
			Latitude: c.Latitude, Longitude: c.Longitude, Counters: 1 + i%7, Hours: geo.DefaultOpeningHours(), Status: offices.Active, Version: 1, Services: []string{"criminal_record"}})
	}
	if err := d.InTx(ctx, func(tx *db.Tx) error { return register.InsertBatch(ctx, tx, list) }); err != nil {
		b.Fatal(err)
	}
	// One real office-month of visits, rolled up by geo/visits. The period
	// measured is Aban (1405-08, under directive v2); Mehr before it is
	// published, so the run compares with it and counts its late data.
	period := daftar.Period{Year: 1405, Kind: daftar.PeriodMonth, Index: 8}
	vs, err := visits.New(d, clock, register, noInvitations{}, nil, visits.Config{MaxAge: -1})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	var items []visits.Input
	for day := period.Start(); day.Before(period.End()); day = day.Add(24 * time.Hour) {
		if day.In(daftar.Tehran()).Weekday() == time.Friday {
			continue
		}
		for k := 0; k < 17; k++ {
			arr := day.Add(time.Duration(8*60+rng.IntN(300)) * time.Minute)
			wait := time.Duration(rng.IntN(50)) * time.Minute
			items = append(items, visits.Input{Ticket: fmt.Sprintf("%d-%d", day.Unix(), k), Service: "criminal_record",
				ArrivedAt: arr.Format(time.RFC3339), CalledAt: arr.Add(wait).Format(time.RFC3339),
				FinishedAt: arr.Add(wait + 12*time.Minute).Format(time.RFC3339), Outcome: "served", Channel: "walk_in", Counter: "1"})
		}
	}
	first := list[0].ID
	for len(items) > 0 {
		n := min(len(items), 500)
		if _, err := vs.Record(ctx, first, items[:n]); err != nil {
			b.Fatal(err)
		}
		items = items[n:]
	}
	// Copy the month row to every office and every month of the year.
	const cols = "arrivals, served, no_shows, cancelled, referred, waits, wait_sum, wait_max, services, service_sum, service_max, busy_s, open_s, counter_s, queue_area, queue_max, wait_sketch, service_sketch, hours"
	src := daftar.MonthStart(period.Start().Unix())
	p := daftar.Period{Year: 1405, Kind: daftar.PeriodMonth, Index: 1}
	for m := 0; m < 12; m++ {
		at := p.Start().Unix()
		skip := int64(0) // the source row itself is already there
		if at == src {
			skip = first
		}
		if err := d.Gorm.Exec(fmt.Sprintf(`INSERT INTO crowding_months (office_id, month_at, %s) SELECT o.id, ?, %s FROM offices o CROSS JOIN
			(SELECT %s FROM crowding_months WHERE office_id = ? AND month_at = ?) s WHERE o.id <> ?`, cols, prefixed(cols), cols),
			at, first, src, skip).Error; err != nil {
			b.Fatal(err)
		}
		p = p.Next()
	}
	// A million answers over the year.
	d.Gorm.Exec("INSERT INTO survey_templates (version, body, published_at, published_by) VALUES (1, '{}', ?, 'bench')", clock.Now())
	respCols := []string{"office_id", "service_code", "visit_day", "template_version", "overall", "courtesy", "waiting", "fees_clear",
		"extra_fee", "recommend", "answers", "pattern", "received_hour", "excluded"}
	yearStart := daftar.Period{Year: 1405, Kind: daftar.PeriodMonth, Index: 1}.Start()
	err = d.BulkWithoutIndexes(ctx, []string{"survey_responses"}, func(ins db.Inserter) error {
		return ins("survey_responses", respCols, func(yield func([]any) bool) {
			for i := 0; i < benchResponses; i++ {
				o := 1 + rng.IntN(5)
				at := yearStart.AddDate(0, 0, rng.IntN(365))
				day := at.In(daftar.Tehran()).Format("2006-01-02")
				received := at.Unix() + int64(rng.IntN(3*86400))/3600*3600
				if !yield([]any{list[rng.IntN(len(list))].ID, "criminal_record", day, int64(1), o, o, 1 + rng.IntN(5), o,
					rng.IntN(25) == 0, min(10, 2*o), "{}", "p", received, false}) {
					return
				}
			}
		})
	})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 3000; i++ {
		o := list[rng.IntN(len(list))].ID
		d.Gorm.Exec("INSERT INTO inspections (office_id, inspected_on, inspector, violations, minor, major, critical, created_at) VALUES (?, ?, 'b', '[]', ?, ?, 0, ?)",
			o, yearStart.AddDate(0, 0, rng.IntN(300)).In(daftar.Tehran()).Format("2006-01-02"), rng.IntN(3), rng.IntN(2), clock.Now())
	}
	// Corrective actions of those inspections (a third overdue at Aban's
	// end) and 3,000 complaints over the year, a third decided upheld.
	var insp []struct{ ID, OfficeID int64 }
	d.Gorm.Raw("SELECT id, office_id FROM inspections").Scan(&insp)
	for i, x := range insp[:min(len(insp), 2000)] {
		due := yearStart.AddDate(0, 0, 200+rng.IntN(120)).In(daftar.Tehran()).Format("2006-01-02")
		if err := d.Gorm.Exec(`INSERT INTO corrective_actions (office_id, inspection_id, item_code, severity, finding, state, due_on, created_at, updated_at)
			VALUES (?, ?, ?, 'minor', 'x', 'open', ?, ?, ?)`, x.OfficeID, x.ID, fmt.Sprintf("item-%d", i), due, yearStart, yearStart).Error; err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < 3000; i++ {
		o := list[rng.IntN(len(list))]
		filed := yearStart.Add(time.Duration(rng.IntN(365*24)) * time.Hour)
		state, outcome := "new", any(nil)
		if k := rng.IntN(3); k > 0 {
			state, outcome = "resolved", map[int]string{1: "upheld", 2: "not_upheld"}[k]
		}
		if err := d.Gorm.Exec(`INSERT INTO complaints (tracking_code, office_id, office_code, office_name, province_code, city_code, category, description,
			state, outcome, filed_at, due_at, updated_at) VALUES (?, ?, ?, 'دفتر', ?, ?, 'extra_fee', 'x', ?, ?, ?, ?, ?)`,
			fmt.Sprintf("BENCH%06d", i), o.ID, o.Code, o.ProvinceCode, o.CityCode, state, outcome, filed, filed.AddDate(0, 0, 14), filed).Error; err != nil {
			b.Fatal(err)
		}
	}
	d.Gorm.Exec("ANALYZE")
	sv, err := surveys.New(d, clock, al, register, nil, []byte("k"), surveys.Config{})
	if err != nil {
		b.Fatal(err)
	}
	return period, sv, register
}

// noInvitations is the survey inviter of these benchmarks: no visit gets a
// link.
type noInvitations struct{}

func (noInvitations) Invite(context.Context, *db.Tx, int64, []visits.Visit) (map[int64]string, error) {
	return nil, nil
}

func prefixed(cols string) string { return "s." + strings.ReplaceAll(cols, ", ", ", s.") }

// bareInputs runs the aggregates a run reads, raw, and sorts the offices
// by a weighted total: the floor the run is measured against.
func bareInputs(ctx context.Context, d *db.DB, p daftar.Period) (int, error) {
	r := surveys.RangeOf(p)
	ph := func(i int) string {
		if d.Dialect == db.Postgres {
			return fmt.Sprintf("$%d", i)
		}
		return "?"
	}
	type row struct {
		n, sum, extra int64
		served        int64
		counterS      int64
		sketch        []byte
	}
	rows := map[int64]*row{}
	get := func(id int64) *row {
		if rows[id] == nil {
			rows[id] = &row{}
		}
		return rows[id]
	}
	q := func(sql string, args []any, scan func(rs interface{ Scan(...any) error }) error) error {
		rs, err := d.SQL.QueryContext(ctx, sql, args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			if err := scan(rs); err != nil {
				return err
			}
		}
		return rs.Err()
	}
	if err := q("SELECT office_id, COUNT(*), SUM(overall), SUM(CASE WHEN extra_fee THEN 1 ELSE 0 END) FROM survey_responses WHERE visit_day >= "+ph(1)+" AND visit_day < "+ph(2)+" AND excluded = FALSE GROUP BY office_id",
		[]any{r.From, r.To}, func(rs interface{ Scan(...any) error }) error {
			var id, n, s, e int64
			if err := rs.Scan(&id, &n, &s, &e); err != nil {
				return err
			}
			x := get(id)
			x.n, x.sum, x.extra = n, s, e
			return nil
		}); err != nil {
		return 0, err
	}
	m := daftar.MonthStart(p.Start().Unix())
	if err := q("SELECT office_id, served, counter_s, wait_sketch FROM crowding_months WHERE month_at >= "+ph(1)+" AND month_at < "+ph(2),
		[]any{m, daftar.MonthEnd(m)}, func(rs interface{ Scan(...any) error }) error {
			var id, served, cs int64
			var sk []byte
			if err := rs.Scan(&id, &served, &cs, &sk); err != nil {
				return err
			}
			x := get(id)
			x.served, x.counterS, x.sketch = served, cs, sk
			return nil
		}); err != nil {
		return 0, err
	}
	if err := q("SELECT office_id, SUM(minor), SUM(major) FROM inspections WHERE inspected_on >= "+ph(1)+" AND inspected_on < "+ph(2)+" GROUP BY office_id",
		[]any{"2025-10-23", r.To}, func(rs interface{ Scan(...any) error }) error {
			var id, a, b int64
			return rs.Scan(&id, &a, &b)
		}); err != nil {
		return 0, err
	}
	if err := q("SELECT office_id, COUNT(*) FROM complaints WHERE filed_at >= "+ph(1)+" AND filed_at < "+ph(2)+" AND outcome = 'upheld' GROUP BY office_id",
		[]any{p.Start().UTC(), p.End().UTC()}, func(rs interface{ Scan(...any) error }) error {
			var id, n int64
			return rs.Scan(&id, &n)
		}); err != nil {
		return 0, err
	}
	at := p.End().UTC()
	if err := q("SELECT office_id, severity, COUNT(*) FROM corrective_actions WHERE created_at <= "+ph(1)+" AND due_on < "+ph(2)+
		" AND (confirmed_at IS NULL OR confirmed_at > "+ph(3)+") GROUP BY office_id, severity",
		[]any{at, daftar.TehranDate(at), at}, func(rs interface{ Scan(...any) error }) error {
			var id, n int64
			var sev string
			return rs.Scan(&id, &sev, &n)
		}); err != nil {
		return 0, err
	}
	type scored struct {
		id    int64
		score float64
	}
	list := make([]scored, 0, len(rows))
	for id, x := range rows {
		s := 0.0
		if x.n > 0 {
			s = float64(x.sum)/float64(x.n) - float64(x.extra)/float64(x.n)
		}
		if x.counterS > 0 {
			s += float64(x.served) / float64(x.counterS)
		}
		list = append(list, scored{id, s})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].score > list[j].score })
	return len(list), nil
}

// BenchmarkRankingRun: a month's run over 2,000 offices with a year of data
// (1,000,000 responses; month rollups worth some 10 million visits) under
// directive v2, the month before published, against the bare aggregates it
// reads plus an in-memory sort, interleaved in one run. "compute" is the run
// computed from today's data without storing it (verify's drift part);
// "compute+store" computes and stores the draft with its 2,000 results and
// its notes, as POST /ranking/runs does; "reproduce" is verify's other part
// (the stored inputs read back, recomputed and checked).
func BenchmarkRankingRun(b *testing.B) {
	for _, engine := range dbtest.Engines(b) {
		b.Run(string(engine), func(b *testing.B) {
			d := dbtest.Open(b, engine)
			p, sv, register := fillYear(b, d)
			clock := daftar.NewManualClock(time.Date(2026, 12, 25, 8, 0, 0, 0, time.UTC))
			al := audit.New(d, clock)
			crowd, err := visits.NewCrowding(d, register, visits.CrowdingConfig{})
			if err != nil {
				b.Fatal(err)
			}
			insp, err := inspections.New(d, clock, al, daftar.OfficialWorkCalendar(), nil)
			if err != nil {
				b.Fatal(err)
			}
			acc, err := accounts.New(d, clock, al, register, nil, accounts.Config{})
			if err != nil {
				b.Fatal(err)
			}
			cat, _ := geo.LoadCatalogue(context.Background(), d)
			cs, err := complaints.New(complaints.Deps{DB: d, Clock: clock, Audit: al, Calendar: daftar.OfficialWorkCalendar(),
				Offices: adapters.Offices{Register: register}, Catalogue: cat, Surveys: adapters.Surveys{Service: sv},
				Outbox: sv, Inspectors: adapters.Inspectors{Accounts: acc}, MobileKey: []byte("complaints-bench-key-32-bytes-ab")}, complaints.Config{})
			if err != nil {
				b.Fatal(err)
			}
			svc, err := ranking.New(d, clock, al, register, nil, ranking.Sources{DB: d, Offices: register, Surveys: sv, Crowding: benchCrowding{crowd},
				Inspections: insp, Complaints: cs, Actions: insp})
			if err != nil {
				b.Fatal(err)
			}
			ctx := daftar.WithActor(context.Background(), daftar.SystemActor("bench"))
			svc.EnsureDefaultDirective(ctx)
			// Mehr's run drafted and published the day after it ends, as
			// the scheduled draft would; Aban's a day into Azar.
			clock.Set(p.Start().Add(24 * time.Hour))
			before, err := svc.Compute(ctx, p.Previous().String())
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.Publish(ctx, before.ID, before.Version); err != nil {
				b.Fatal(err)
			}
			clock.Set(p.End().Add(24 * time.Hour))
			run, err := svc.Compute(ctx, p.String())
			if err != nil || run.Ranked < benchOffices/2 || run.DirectiveVersion != 2 || len(run.Notes) != 1 {
				b.Fatalf("%+v %v", run, err)
			}
			// The run reads the complaints and the corrective actions (the
			// measure is worth nothing otherwise).
			results, _, err := svc.Results(ctx, run.ID, ranking.ResultFilter{Limit: -1})
			if err != nil {
				b.Fatal(err)
			}
			complained, overdue := 0, 0
			for _, r := range results {
				for _, c := range r.Components {
					if c.Criterion == ranking.CritCompliance {
						complained += strings.Count(c.Note, "upheld complaints per 1,000 visits")
						overdue += strings.Count(c.Note, "overdue at the period's end")
					}
				}
			}
			if complained == 0 || overdue == 0 {
				b.Fatalf("compliance read %d offices' complaints, %d offices' overdue actions", complained, overdue)
			}
			var computeT, storeT, bareT, reproT time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if _, err := svc.Drift(ctx, run.ID); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if run, err = svc.Compute(ctx, p.String()); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				if n, err := bareInputs(ctx, d, p); err != nil || n < benchOffices/2 {
					b.Fatalf("bare: %d %v", n, err)
				}
				t3 := time.Now()
				if rep, err := svc.Reproduce(ctx, run.ID); err != nil || !rep.OK {
					b.Fatalf("reproduce: %+v %v", rep, err)
				}
				t4 := time.Now()
				computeT += t1.Sub(t0)
				storeT += t2.Sub(t1)
				bareT += t3.Sub(t2)
				reproT += t4.Sub(t3)
			}
			b.ReportMetric(float64(computeT.Milliseconds())/float64(b.N), "compute-ms")
			b.ReportMetric(float64(storeT.Milliseconds())/float64(b.N), "compute+store-ms")
			b.ReportMetric(float64(reproT.Milliseconds())/float64(b.N), "reproduce-ms")
			b.ReportMetric(float64(bareT.Milliseconds())/float64(b.N), "bare-ms")
			b.ReportMetric(float64(computeT)/float64(bareT), "compute/bare")
			b.ReportMetric(float64(storeT)/float64(bareT), "compute+store/bare")
			b.ReportMetric(float64(reproT)/float64(bareT), "reproduce/bare")
		})
	}
}

type benchCrowding struct{ c *visits.Crowding }

func (s benchCrowding) RankingFigures(ctx context.Context, from, to time.Time) (map[int64]ranking.CrowdingFigures, error) {
	r, err := visits.NewCrowdingRange(from, to.Add(-time.Second), 400)
	if err != nil {
		return nil, err
	}
	stats, err := s.c.OfficesStats(ctx, r)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]ranking.CrowdingFigures, len(stats))
	for id, st := range stats {
		out[id] = ranking.CrowdingFigures{WaitP90Min: st.Figures.WaitP90, OverTargetShare: st.Figures.OverTargetShare,
			Served: st.Counts.Served, CounterHours: float64(st.Counts.CounterS) / 3600, Arrivals: st.Counts.Arrivals}
	}
	return out, nil
}

func (s benchCrowding) RankingArrivals(ctx context.Context, from, to time.Time) (map[int64]int64, error) {
	r, err := visits.NewCrowdingRange(from, to.Add(-time.Second), 400)
	if err != nil {
		return nil, err
	}
	return s.c.OfficesArrivals(ctx, r)
}
