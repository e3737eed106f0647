package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	geovisits "github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/accounts"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/snapshots"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/daftar-ir/daftar/reports"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/daftar-ir/daftar/surveys/complaints"
	"github.com/daftar-ir/daftar/surveys/complaints/adapters"
)

// harness is a whole server over a fresh database with one account per role
// and two offices: A (Tehran, owned by the owner account) and B (Mashhad).
type harness struct {
	t       testing.TB
	d       *db.DB
	clock   *daftar.ManualClock
	srv     *api.Server
	h       http.Handler
	logs    *syncBuffer
	tokens  map[daftar.Role]string
	officeA int64
	officeB int64
	users   map[daftar.Role]int64
	// surveys, catalogue and register, for the survey tests.
	surveys   *surveys.Service
	catalogue *geo.Catalogue
	register  *offices.Register
	// the stored models (scale): tests refresh them after changing their
	// inputs, as the job models-refresh does.
	regionModels *geovisits.RegionModels
	demandModels *licensing.DemandModels
	// jobs are the scheduler's test jobs, for the jobs tests.
	jobs *testJobs
	// complaints, for the complaint tests, and how many client addresses
	// they have used.
	complaints *complaints.Service
	n          int
	reports    *reports.Reports
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const testPassword = "test-password-1"

func newHarness(t testing.TB, d *db.DB) *harness { return newHarnessWith(t, d, nil) }

// newHarnessWith is newHarness with the server's configuration changed by
// cfg (nil: the tests' usual one).
func newHarnessWith(t testing.TB, d *db.DB, cfg func(*api.Config)) *harness {
	t.Helper()
	ctx := context.Background()
	h := &harness{t: t, d: d, clock: daftar.NewManualClock(time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)),
		logs: &syncBuffer{}, tokens: map[daftar.Role]string{}, users: map[daftar.Role]int64{}}
	log := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if err := geo.LoadReference(ctx, d); err != nil {
		t.Fatal(err)
	}
	gaz, err := geo.LoadGazetteer(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := geo.LoadCatalogue(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	al := audit.New(d, h.clock)
	changes := offices.NewChanges()
	register, err := offices.New(d, h.clock, al, gaz, cat, changes, offices.Config{})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := accounts.New(d, h.clock, al, register, log, accounts.Config{Argon2: accounts.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	exams, cands := newExamServices(t, d, h.clock, al, gaz)
	h.surveys = newSurveyService(t, d, h.clock, al, register)
	h.catalogue = cat
	h.register = register
	h.complaints, err = complaints.New(complaints.Deps{DB: d, Clock: h.clock, Audit: al, Calendar: daftar.OfficialWorkCalendar(),
		Offices: adapters.Offices{Register: register}, Catalogue: cat, Surveys: adapters.Surveys{Service: h.surveys},
		Outbox: h.surveys, Inspectors: adapters.Inspectors{Accounts: acc}, MobileKey: []byte("complaints-test-key-32-bytes-abc"), Log: log},
		complaints.Config{})
	if err != nil {
		t.Fatal(err)
	}
	visits, crowding := newVisitServices(t, d, h.clock, register, h.surveys, log)
	insp, planner := newInspectionServices(t, d, h.clock, al, register, h.surveys, acc)
	rank := newRankingService(t, d, h.clock, al, register, h.surveys, insp, h.complaints)
	finder := newFinder(t, register, changes, crowding, rank, h.clock, log)
	demand, rounds, licences := newLicensingServices(t, d, h.clock, al, gaz, register, cands, crowding)
	store, err := snapshots.NewStore(d, h.clock, log)
	if err != nil {
		t.Fatal(err)
	}
	if h.regionModels, err = geovisits.NewRegionModels(crowding, store, h.clock); err != nil {
		t.Fatal(err)
	}
	if h.demandModels, err = licensing.NewDemandModels(demand, store); err != nil {
		t.Fatal(err)
	}
	reps := &reports.Reports{Gazetteer: gaz, Catalogue: cat, Offices: register, Crowding: crowding, Surveys: h.surveys, Ranking: rank,
		Candidates: cands, Licences: licences, Rounds: rounds, Demand: demand, DemandModels: h.demandModels, Visits: visits,
		Inspections: insp, Complaints: h.complaints}
	h.reports = reps
	apiCfg := api.Config{Version: "test", MaxBodyBytes: 64 << 10, UploadMaxBytes: 1 << 20}
	if cfg != nil {
		cfg(&apiCfg)
	}
	h.srv, err = api.New(api.Deps{Log: log, DB: d, Clock: h.clock, Accounts: acc, Gazetteer: gaz, Catalogue: cat, Offices: register,
		Exams: exams, Candidates: cands, Surveys: h.surveys, Ranking: rank, Inspections: insp, Planner: planner,
		Visits: visits, Crowding: crowding, Finder: finder, Reports: reps, Audit: al,
		Demand: demand, Rounds: rounds, Licences: licences, Jobs: h.newJobs(d, log), Complaints: h.complaints,
		DemandModels: h.demandModels, RegionModels: h.regionModels},
		apiCfg)
	if err != nil {
		t.Fatal(err)
	}
	h.h = h.srv.Handler()
	sys := daftar.WithActor(ctx, daftar.SystemActor("test"))
	mk := func(code, city string, lat, lon float64) int64 {
		o, err := register.Create(sys, offices.Input{Code: &code, NameFa: ptr("دفتر " + code), NameEn: ptr("Office " + code),
			City: &city, Latitude: &lat, Longitude: &lon, Counters: ptr(3), Services: []string{"criminal_record", "e_notification"}})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	h.officeA = mk("THR-0001", "tehran", 35.70, 51.40)
	h.officeB = mk("KRZ-0001", "mashhad", 36.30, 59.60)
	for _, r := range daftar.Roles {
		in := accounts.NewUser{Username: string(r) + "-user", Password: testPassword, Role: r}
		if r == daftar.RoleOfficeOwner {
			in.OfficeID = &h.officeA
		}
		u, err := acc.Create(sys, in)
		if err != nil {
			t.Fatal(err)
		}
		h.users[r] = u.ID
		h.tokens[r] = h.login(in.Username, testPassword)
	}
	return h
}

func ptr[T any](v T) *T { return &v }

func (h *harness) login(user, pw string) string {
	h.t.Helper()
	res := h.do("POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": pw})
	if res.Code != 200 {
		h.t.Fatalf("login %s: %d %s", user, res.Code, res.Body)
	}
	var out struct{ Token string }
	json.Unmarshal(res.Body.Bytes(), &out)
	return out.Token
}

// do sends a request; body may be nil, a string (sent raw) or a value (JSON).
func (h *harness) do(method, path, token string, body any, headers ...string) *httptest.ResponseRecorder {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		r = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec
}

// problem decodes a problem+json answer, failing the test if it is not one.
func problemOf(t testing.TB, res *httptest.ResponseRecorder) api.Problem {
	t.Helper()
	if ct := res.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("status %d: content type %q, want application/problem+json; body %s", res.Code, ct, res.Body)
	}
	var p api.Problem
	if err := json.Unmarshal(res.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem body: %v", err)
	}
	if p.Status != res.Code || p.Code == "" {
		t.Fatalf("problem %+v does not match status %d", p, res.Code)
	}
	return p
}

func decode[T any](t testing.TB, res *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(res.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T: %v: %s", v, err, res.Body)
	}
	return v
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func bodyString(b any) string {
	switch v := b.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	buf, _ := json.Marshal(b)
	return string(buf)
}
