package inspections_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/ranking/inspections"
)

// env is a fresh database with n offices (n >= 1; the owner account owns the
// first), the inspections service with the default checklist, and a planner
// over fake offices, surveys and complaints and the real accounts.
type env struct {
	t       *testing.T
	d       *db.DB
	clock   *daftar.ManualClock
	svc     *inspections.Service
	planner *inspections.Planner
	offices []inspections.Office
	survey  fakeSurveys
	compl   fakeComplaints
	// accounts: an inspector, a disabled inspector and an office owner
	inspectorID, disabledID, ownerID int64
	accounts                         *accounts.Service
	// actors
	admin, inspector, ministry context.Context
	owner                      func(officeID int64) context.Context
}

type fakeOffices struct{ e *env }

func (f fakeOffices) ActiveOffices(ctx context.Context) ([]inspections.Office, error) {
	return f.e.offices, nil
}

type fakeSurveys map[int64]inspections.SurveyFigures

func (f fakeSurveys) RiskFigures(ctx context.Context, from, to time.Time, ids []int64) (map[int64]inspections.SurveyFigures, error) {
	if ids == nil {
		return f, nil
	}
	out := map[int64]inspections.SurveyFigures{}
	for _, id := range ids {
		if v, ok := f[id]; ok {
			out[id] = v
		}
	}
	return out, nil
}

type fakeComplaints map[int64]inspections.ComplaintCounts

func (f fakeComplaints) RiskByOffice(ctx context.Context, from, to time.Time) (map[int64]inspections.ComplaintCounts, error) {
	return f, nil
}

// Today in the tests: 2026-11-25 (1405/09/04), noon in Tehran.
var testNow = time.Date(2026, 11, 25, 8, 30, 0, 0, time.UTC)

func setup(t *testing.T, d *db.DB, n int) *env {
	t.Helper()
	sys := daftar.WithActor(context.Background(), daftar.SystemActor("test"))
	if err := geo.LoadReference(sys, d); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, d: d, clock: daftar.NewManualClock(testNow), survey: fakeSurveys{}, compl: fakeComplaints{}}
	gaz, _ := geo.LoadGazetteer(sys, d)
	cat, _ := geo.LoadCatalogue(sys, d)
	al := audit.New(d, e.clock)
	reg, err := offices.New(d, e.clock, al, gaz, cat, offices.NewChanges(), offices.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		code, city, lat, lon := fmt.Sprintf("T-%03d", i), "yazd", 31.85+float64(i%10)/100, 54.33+float64(i/10)/100
		o, err := reg.Create(sys, offices.Input{Code: &code, NameFa: &code, City: &city, Latitude: &lat, Longitude: &lon, Counters: ptr(3)})
		if err != nil {
			t.Fatal(err)
		}
		e.offices = append(e.offices, inspections.Office{ID: o.ID, Code: o.Code, Name: o.NameFa, Province: o.ProvinceCode, City: o.CityCode})
	}
	acc, err := accounts.New(d, e.clock, al, reg, nil, accounts.Config{Argon2: accounts.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	user := func(name string, role daftar.Role, office *int64) int64 {
		u, err := acc.Create(sys, accounts.NewUser{Username: name, Password: "test-password-1", Role: role, OfficeID: office})
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	e.inspectorID = user("insp", daftar.RoleInspector, nil)
	e.disabledID = user("insp-off", daftar.RoleInspector, nil)
	if _, err := acc.Update(sys, e.disabledID, accounts.Patch{Disabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	e.ownerID = user("owner", daftar.RoleOfficeOwner, &e.offices[0].ID)
	e.accounts = acc
	if e.svc, err = inspections.New(d, e.clock, al, daftar.OfficialWorkCalendar(), nil); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.EnsureDefaultChecklist(sys); err != nil {
		t.Fatal(err)
	}
	e.planner, err = inspections.NewPlanner(e.svc, inspections.Sources{Offices: fakeOffices{e}, Surveys: e.survey, Complaints: e.compl, Accounts: acc}, inspections.RiskConfig{})
	if err != nil {
		t.Fatal(err)
	}
	bg := context.Background()
	e.admin = daftar.WithActor(bg, daftar.Actor{UserID: 1, Username: "admin", Role: daftar.RoleAdmin})
	e.inspector = daftar.WithActor(bg, daftar.Actor{UserID: e.inspectorID, Username: "insp", Role: daftar.RoleInspector})
	e.ministry = daftar.WithActor(bg, daftar.Actor{UserID: 2, Username: "min", Role: daftar.RoleMinistry})
	e.owner = func(officeID int64) context.Context {
		return daftar.WithActor(bg, daftar.Actor{UserID: e.ownerID, Username: "owner", Role: daftar.RoleOfficeOwner, OfficeID: officeID})
	}
	return e
}

func ptr[T any](v T) *T { return &v }

// allPass answers every item of the default checklist with pass, except
// the given items' results.
func answers(except map[string]string) []inspections.ResultInput {
	var out []inspections.ResultInput
	for _, it := range inspections.DefaultChecklist().Items {
		r := inspections.ResultPass
		if v, ok := except[it.Code]; ok {
			r = v
		}
		out = append(out, inspections.ResultInput{Item: it.Code, Result: r})
	}
	return out
}

// record records an inspection of office on day (ISO) by the inspector.
func (e *env) record(office int64, day string, except map[string]string) inspections.Inspection {
	e.t.Helper()
	in, err := e.svc.RecordInspection(e.inspector, office, inspections.NewInspection{InspectedOn: day, Results: answers(except)})
	if err != nil {
		e.t.Fatalf("record %s: %v", day, err)
	}
	return in
}

// auditCount counts the audit events of an action.
func (e *env) auditCount(action string) int {
	e.t.Helper()
	var n int
	if err := e.d.Query(context.Background(), "SELECT COUNT(*) FROM audit_events WHERE action = ?", []any{action},
		func(scan func(...any) error) error { return scan(&n) }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// fieldOf returns the field named by the first field error of err.
func fieldOf(err error) string {
	if de, ok := daftar.AsError(err); ok && len(de.Fields) > 0 {
		return de.Fields[0].Field
	}
	return ""
}
