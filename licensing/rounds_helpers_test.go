package licensing

import (
	"context"
	"math"
	"strconv"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
)

// licEnv is the licensing registers over a fresh database, on the test
// clock (1405/09/01).
type licEnv struct {
	*testEnv
	cat      *geo.Catalogue
	offices  *offices.Register
	visits   *visits.Service
	crowding *visits.Crowding
	demand   *Demand
	rounds   *Rounds
	licences *Licences
	admin    context.Context
	ministry context.Context
}

// noInvitations is the survey inviter of these tests: no visit gets a
// link.
type noInvitations struct{}

func (noInvitations) Invite(context.Context, *db.Tx, int64, []visits.Visit) (map[int64]string, error) {
	return nil, nil
}

func newLicEnv(t testing.TB, d *db.DB, dcfg DemandConfig, cfg Config) *licEnv {
	t.Helper()
	e := &licEnv{testEnv: newTestEnv(t, d, ExamConfig{})}
	var err error
	if e.cat, err = geo.LoadCatalogue(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if e.offices, err = offices.New(d, e.clock, e.audit, e.gaz, e.cat, offices.NewChanges(), offices.Config{}); err != nil {
		t.Fatal(err)
	}
	if e.visits, err = visits.New(d, e.clock, e.offices, noInvitations{}, nil, visits.Config{}); err != nil {
		t.Fatal(err)
	}
	if e.crowding, err = visits.NewCrowding(d, e.offices, visits.CrowdingConfig{}); err != nil {
		t.Fatal(err)
	}
	if e.demand, err = NewDemand(d, e.clock, e.offices, e.crowding, dcfg); err != nil {
		t.Fatal(err)
	}
	e.rounds = NewRounds(d, e.clock, e.audit, e.gaz, e.cands, e.demand, cfg)
	if e.licences, err = NewLicences(d, e.clock, e.audit, e.offices, e.cands, cfg); err != nil {
		t.Fatal(err)
	}
	e.admin = daftar.WithActor(context.Background(), daftar.Actor{UserID: 0, Username: "admin-user", Role: daftar.RoleAdmin})
	e.ministry = e.ctx
	return e
}

// candSpec is one candidate to import: score and preferences (city names
// separated by "، ").
type candSpec struct {
	score float64
	prefs string
}

// approve imports the candidates (national codes from base) and moves them
// to approved; it returns their ids in the order given.
func (e *licEnv) approve(t testing.TB, base int, specs ...candSpec) []int64 {
	t.Helper()
	rows := make([][]string, len(specs))
	for i, s := range specs {
		rows[i] = row(validCode(base+i), "علی", "احمدی", "مرد", "1370/05/12", "تهران",
			strconv.FormatFloat(s.score, 'f', 2, 64), strconv.Itoa(base+i+1), "قبول", s.prefs)
	}
	if rep := mustImport(t, e.testEnv, fileOf(t, rows...)); rep.Refused > 0 {
		t.Fatalf("import refused rows: %+v", rep.Rejections)
	}
	ids := make([]int64, len(specs))
	var items []ReviewItem
	for i := range specs {
		list, _, err := e.cands.List(e.ctx, CandidateFilter{NationalCode: validCode(base + i), Limit: 1})
		if err != nil || len(list) != 1 {
			t.Fatalf("candidate %d: %v %d", base+i, err, len(list))
		}
		ids[i] = list[0].ID
		items = append(items, ReviewItem{ID: ids[i], Review: Review{State: StateDocumentsSubmitted}},
			ReviewItem{ID: ids[i], Review: Review{State: StateApproved}})
	}
	if err := e.cands.ReviewBatch(e.ctx, items); err != nil {
		t.Fatal(err)
	}
	return ids
}

// office registers an active office.
func (e *licEnv) office(t testing.TB, city string, lat, lon float64, counters int) offices.Office {
	t.Helper()
	o, err := e.offices.Create(e.admin, offices.Input{NameFa: ptrTo("دفتر آزمون"), City: &city, Latitude: &lat, Longitude: &lon,
		Counters: &counters, Services: []string{"criminal_record"}})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func ptrTo[T any](v T) *T { return &v }

// pinnedRound creates a round of total licences with every one in city
// (pinned by override), under a target that gives every city a shortage.
func (e *licEnv) pinnedRound(t testing.TB, total int, city string, pol Policy) Round {
	t.Helper()
	if pol.TargetPopulationPerOffice == nil {
		pol.TargetPopulationPerOffice = ptrTo(1_000_000.0)
	}
	r, err := e.rounds.Create(e.ministry, NewRound{Name: "دور آزمون", TotalLicences: total, Policy: pol})
	if err != nil {
		t.Fatal(err)
	}
	r, err = e.rounds.OverrideQuota(e.ministry, r.ID, city, &total, "همه مجوزها برای آزمون")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// metresNorth moves a point d metres along its meridian.
func metresNorth(lat, d float64) float64 { return lat + d/(math.Pi*geo.EarthRadiusM/180) }

func kindOf(err error) daftar.Kind {
	if err == nil {
		return ""
	}
	return daftar.KindOf(err)
}

func errCode(err error) string {
	if de, ok := daftar.AsError(err); ok {
		return de.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}
