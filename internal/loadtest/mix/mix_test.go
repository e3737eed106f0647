package mix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar/internal/loadtest"
)

// fakeDaftar answers the routes the mix uses, checking sign-in like the
// real server, and records the requests of the load itself.
type fakeDaftar struct {
	mu     sync.Mutex
	paths  map[string]int
	bodies [][]byte
}

var fakeOffices = []map[string]any{
	{"id": 1, "province": "THR", "city": "THR-TEH", "counters": 4, "services": []string{"criminal_record", "e_notice"}, "status": "active"},
	{"id": 2, "province": "THR", "city": "THR-TEH", "counters": 2, "services": []string{"e_notice"}, "status": "active"},
	{"id": 3, "province": "KHR", "city": "KHR-MSH", "counters": 3, "services": []string{"criminal_record"}, "status": "active"},
	{"id": 4, "province": "KHR", "city": "KHR-MSH", "counters": 0, "services": []string{"criminal_record"}, "status": "active"},
	{"id": 5, "province": "ESF", "city": "ESF-ESF", "counters": 5, "services": []string{"case_status"}, "status": "active"},
}

func (f *fakeDaftar) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/api/v1/auth/login" {
		var in map[string]string
		json.NewDecoder(r.Body).Decode(&in)
		if in["username"] != "admin" || in["password"] != "s3cret" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"title":"Unauthorized","detail":"wrong username or password"}`))
			return
		}
		fmt.Fprintf(w, `{"token":"tok","expires_at":%q}`, time.Now().Add(12*time.Hour).UTC().Format(time.RFC3339))
		return
	}
	if r.Header.Get("Authorization") != "Bearer tok" && r.URL.Path != "/api/v1/services" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	switch {
	case r.URL.Path == "/api/v1/offices" && r.URL.Query().Get("status") == "active":
		// Two a page, whatever page_size asks, to exercise paging.
		lo, hi := min((page-1)*2, len(fakeOffices)), min(page*2, len(fakeOffices))
		json.NewEncoder(w).Encode(map[string]any{"items": fakeOffices[lo:hi], "total": len(fakeOffices)})
		return
	case r.URL.Path == "/api/v1/regions" && r.URL.Query().Get("level") == "city":
		items := []map[string]any{}
		if page == 1 {
			items = []map[string]any{
				{"code": "THR-TEH", "population": 8700000, "latitude": 35.6892, "longitude": 51.389, "radius_m": 15000},
				{"code": "KHR-MSH", "population": 3000000, "latitude": 36.2605, "longitude": 59.6168, "radius_m": 10000},
				{"code": "XXX-NOWHERE", "population": 10, "latitude": 0, "longitude": 0},
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"items": items, "total": 3})
		return
	case r.URL.Path == "/api/v1/services":
		w.Write([]byte(`{"items":[{"code":"criminal_record"},{"code":"e_notice"},{"code":"not_offered"}],"total":3}`))
		return
	}
	f.mu.Lock()
	if f.paths == nil {
		f.paths = map[string]int{}
	}
	key := r.Method + " " + r.URL.Path
	if strings.HasPrefix(r.URL.Path, "/api/v1/offices/") {
		key = r.Method + " /api/v1/offices/{id}" + r.URL.Path[strings.LastIndex(r.URL.Path, "/"):]
		if strings.Count(r.URL.Path, "/") == 4 {
			key = r.Method + " /api/v1/offices/{id}"
		}
	}
	f.paths[key]++
	if r.Method == http.MethodPost {
		b, _ := io.ReadAll(r.Body)
		f.bodies = append(f.bodies, b)
		var batch struct{ Visits []json.RawMessage }
		json.Unmarshal(b, &batch)
		fmt.Fprintf(w, `{"accepted":%d,"duplicates":0,"refused":0,"results":[]}`, len(batch.Visits))
	} else {
		w.Write([]byte(`{}`))
	}
	f.mu.Unlock()
}

func signIn(t *testing.T) (*API, World) {
	t.Helper()
	srv := httptest.NewServer(&fakeDaftar{})
	t.Cleanup(srv.Close)
	api, err := Login(context.Background(), srv.Client(), srv.URL+"/", "admin", "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	w, err := api.Discover(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return api, w
}

func TestLoginAndDiscover(t *testing.T) {
	srv := httptest.NewServer(&fakeDaftar{})
	defer srv.Close()
	if _, err := Login(context.Background(), srv.Client(), srv.URL, "admin", "wrong"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("bad password: %v", err)
	}
	if _, err := Login(context.Background(), srv.Client(), "ftp://x", "admin", "s3cret"); err == nil {
		t.Fatal("ftp URL accepted")
	}
	api, w := signIn(t)
	// Office 4 has no counters; the city without a centre is left out; the
	// service no office offers too.
	var ids []int64
	for _, o := range w.Offices {
		ids = append(ids, o.ID)
	}
	if !slices.Equal(ids, []int64{1, 2, 3, 5}) || len(w.Cities) != 2 || !slices.Equal(w.Services, []string{"criminal_record", "e_notice"}) {
		t.Fatalf("world: offices %v, %d cities, services %v", ids, len(w.Cities), w.Services)
	}
	if api.Expires.IsZero() {
		t.Error("no expiry read")
	}
	limited, err := api.Discover(context.Background(), 3)
	if err != nil || len(limited.Offices) != 3 {
		t.Fatalf("max offices: %v %v", len(limited.Offices), err)
	}
}

func newMix(t *testing.T, now time.Time) (*Mix, World, *Notes) {
	api, w := signIn(t)
	notes := &Notes{}
	m, err := New(api, w, Options{Province: "THR", PageSize: 20, FinderLimit: 10, CrowdingDays: 30, Batch: 20,
		MobileShare: 0.5, Seed: 7, RunID: "abcd1234", Now: func() time.Time { return now }}, notes)
	if err != nil {
		t.Fatal(err)
	}
	return m, w, notes
}

func build(t *testing.T, m *Mix, name string, seq int64) *http.Request {
	t.Helper()
	eps, err := m.Endpoints([]string{name})
	if err != nil {
		t.Fatal(err)
	}
	req, err := eps[0].NewRequest(context.Background(), seq)
	if err != nil {
		t.Fatal(err)
	}
	if req.Header.Get("Authorization") != "Bearer tok" {
		t.Fatalf("%s: not signed in", name)
	}
	return req
}

// The query parameters are the handlers' own names (api/offices.go,
// api/finder.go, api/crowding.go).
func TestRequestsMatchTheAPI(t *testing.T) {
	now := time.Date(2026, 11, 30, 22, 0, 0, 0, time.UTC) // 01:30 on 1 December in Tehran
	m, w, _ := newMix(t, now)
	ids := map[string]bool{"1": true, "2": true, "3": true, "5": true}
	tests := []struct {
		name, method, path string
		query              []string
	}{
		{EndpointOffice, "GET", "/api/v1/offices/{id}", nil},
		{EndpointOfficesList, "GET", "/api/v1/offices", []string{"page_size", "province"}},
		{EndpointFinder, "GET", "/api/v1/finder", []string{"lat", "limit", "lon", "service"}},
		{EndpointCrowding, "GET", "/api/v1/offices/{id}/crowding", []string{"from", "to"}},
		{EndpointVisits, "POST", "/api/v1/offices/{id}/visits", nil},
		{EndpointCrowdingRegions, "GET", "/api/v1/crowding/regions", nil},
		{EndpointDemand, "GET", "/api/v1/demand", nil},
	}
	for _, tt := range tests {
		for seq := range int64(50) {
			req := build(t, m, tt.name, seq)
			path := req.URL.Path
			if parts := strings.Split(path, "/"); len(parts) > 4 && parts[3] == "offices" {
				if !ids[parts[4]] {
					t.Fatalf("%s: office %s is not an active office with counters", tt.name, parts[4])
				}
				parts[4] = "{id}"
				path = strings.Join(parts, "/")
			}
			var keys []string
			for k := range req.URL.Query() {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if req.Method != tt.method || path != tt.path || !slices.Equal(keys, tt.query) {
				t.Fatalf("%s: %s %s ?%v, want %s %s ?%v", tt.name, req.Method, path, keys, tt.method, tt.path, tt.query)
			}
			q := req.URL.Query()
			switch tt.name {
			case EndpointOfficesList:
				if q.Get("province") != "THR" || q.Get("page_size") != "20" {
					t.Fatalf("offices_list query %v", q)
				}
			case EndpointFinder:
				lat, _ := strconv.ParseFloat(q.Get("lat"), 64)
				lon, _ := strconv.ParseFloat(q.Get("lon"), 64)
				near := false
				for _, c := range w.Cities {
					dy := (lat - c.Latitude) * 111_320
					dx := (lon - c.Longitude) * 111_320 * math.Cos(c.Latitude*math.Pi/180)
					near = near || math.Hypot(dx, dy) <= c.RadiusM+1
				}
				if !near || !slices.Contains(w.Services, q.Get("service")) || q.Get("limit") != "10" {
					t.Fatalf("finder query %v is not in a city or asks for a service nobody offers", q)
				}
			case EndpointCrowding:
				// Thirty days ending today in Tehran (1 December 2026).
				if q.Get("from") != "2026-11-02" || q.Get("to") != "2026-12-01" {
					t.Fatalf("crowding range %s..%s", q.Get("from"), q.Get("to"))
				}
			}
		}
	}
	if a, b := build(t, m, EndpointFinder, 3).URL.RawQuery, build(t, m, EndpointFinder, 3).URL.RawQuery; a != b {
		t.Errorf("the same seed and sequence give different requests: %s, %s", a, b)
	}
}

// strictVisit has exactly the wire names of a visit; anything else fails
// to decode.
type strictVisit struct {
	Ticket     string  `json:"ticket"`
	Service    string  `json:"service"`
	ArrivedAt  string  `json:"arrived_at"`
	CalledAt   *string `json:"called_at"`
	FinishedAt *string `json:"finished_at"`
	Outcome    string  `json:"outcome"`
	Counter    *string `json:"counter"`
	Channel    string  `json:"channel"`
	Mobile     *string `json:"mobile"`
}

func TestVisitBatches(t *testing.T) {
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	m, w, _ := newMix(t, now)
	offices := map[string]Office{}
	for _, o := range w.Offices {
		offices[strconv.FormatInt(o.ID, 10)] = o
	}
	tickets := map[string]bool{}
	outcomes := map[string]int{}
	for seq := range int64(40) {
		req := build(t, m, EndpointVisits, seq)
		if req.Header.Get("Content-Type") != "application/json" {
			t.Fatal("no JSON content type")
		}
		o := offices[strings.Split(req.URL.Path, "/")[4]]
		dec := json.NewDecoder(req.Body)
		dec.DisallowUnknownFields()
		var batch struct {
			Visits []strictVisit `json:"visits"`
		}
		if err := dec.Decode(&batch); err != nil {
			t.Fatalf("batch %d: %v", seq, err)
		}
		if len(batch.Visits) != 20 {
			t.Fatalf("batch %d has %d visits", seq, len(batch.Visits))
		}
		for _, v := range batch.Visits {
			if tickets[v.Ticket] || len(v.Ticket) > 64 || strings.ContainsAny(v.Ticket, " \t") {
				t.Fatalf("ticket %q repeats or is not a valid reference", v.Ticket)
			}
			tickets[v.Ticket] = true
			outcomes[v.Outcome]++
			if !slices.Contains(o.Services, v.Service) {
				t.Fatalf("office %d does not offer %s", o.ID, v.Service)
			}
			if v.Channel != "walk_in" && v.Channel != "appointment" {
				t.Fatalf("channel %q", v.Channel)
			}
			arrived, err := time.Parse(time.RFC3339, v.ArrivedAt)
			if err != nil || arrived.Before(now.Add(-24*time.Hour)) || arrived.After(now) {
				t.Fatalf("arrived_at %q is not within the last day (%v)", v.ArrivedAt, err)
			}
			if _, off := arrived.Zone(); off != 3*3600+1800 {
				t.Fatalf("arrived_at %q is not in Tehran time", v.ArrivedAt)
			}
			seen := v.Outcome == "served" || v.Outcome == "referred"
			if seen != (v.CalledAt != nil && v.FinishedAt != nil && v.Counter != nil) {
				t.Fatalf("%s visit: called %v finished %v counter %v", v.Outcome, v.CalledAt, v.FinishedAt, v.Counter)
			}
			if seen {
				called, err1 := time.Parse(time.RFC3339, *v.CalledAt)
				finished, err2 := time.Parse(time.RFC3339, *v.FinishedAt)
				c, err3 := strconv.Atoi(*v.Counter)
				if err1 != nil || err2 != nil || err3 != nil || called.Before(arrived) || finished.Before(called) ||
					finished.After(now) || c < 1 || c > o.Counters {
					t.Fatalf("visit times or counter wrong: %+v", v)
				}
			}
			if v.Mobile != nil {
				if len(*v.Mobile) != 11 || !strings.HasPrefix(*v.Mobile, "09") {
					t.Fatalf("mobile %q", *v.Mobile)
				}
			}
		}
	}
	for _, o := range []string{"served", "no_show", "cancelled", "referred"} {
		if outcomes[o] == 0 {
			t.Errorf("no %s visit in 800", o)
		}
	}
}

func TestCheckVisits(t *testing.T) {
	m, _, notes := newMix(t, time.Now())
	if err := m.checkVisits([]byte(`{"accepted":20,"duplicates":0,"refused":0,"results":[]}`)); err != nil {
		t.Fatal(err)
	}
	bad := []string{
		`{"accepted":18,"duplicates":0,"refused":2,"results":[{"status":"accepted"},{"status":"refused","reason":"arrived_at: lies in the future"}]}`,
		`{"accepted":0,"duplicates":20,"refused":0,"results":[{"status":"duplicate","reason":"already recorded"}]}`,
		`{"title":"oops"}`,
		`not json`,
	}
	for _, b := range bad {
		if err := m.checkVisits([]byte(b)); err == nil {
			t.Errorf("%s passed the check", b)
		}
	}
	m.checkVisits([]byte(bad[0]))
	list := notes.List()
	if len(list) != 3 || !strings.Contains(list[0], "lies in the future (2 times)") {
		t.Errorf("notes: %q", list)
	}
}

func TestStepRates(t *testing.T) {
	all := Names()
	tests := []struct {
		name    string
		names   []string
		weights map[string]float64
		fixed   map[string][]float64
		totals  []float64
		want    [][]float64
		err     bool
	}{
		{"one total shared by weight", []string{EndpointOffice, EndpointDemand}, map[string]float64{EndpointOffice: 3, EndpointDemand: 1},
			nil, []float64{100}, [][]float64{{75, 25}}, false},
		{"steps", []string{EndpointOffice}, DefaultWeights(), nil, []float64{50, 100, 200, 400},
			[][]float64{{50}, {100}, {200}, {400}}, false},
		{"fixed beside shared", []string{EndpointOffice, EndpointVisits}, DefaultWeights(),
			map[string][]float64{EndpointVisits: {200}}, []float64{100, 300}, [][]float64{{100, 200}, {300, 200}}, false},
		{"fixed steps, the last repeating", []string{EndpointOffice, EndpointVisits}, DefaultWeights(),
			map[string][]float64{EndpointVisits: {100, 200, 400}, EndpointOffice: {5}}, nil,
			[][]float64{{5, 100}, {5, 200}, {5, 400}}, false},
		{"the default mix", all, DefaultWeights(), nil, []float64{160},
			[][]float64{{40, 20, 40, 20, 20, 10, 10}}, false},
		{"nothing given", all, DefaultWeights(), nil, nil, nil, true},
		{"all rates zero", all, DefaultWeights(), nil, []float64{0}, nil, true},
		{"a total with nobody to share it", []string{EndpointVisits}, DefaultWeights(),
			map[string][]float64{EndpointVisits: {10}}, []float64{100}, nil, true},
		{"weights all zero", []string{EndpointOffice}, map[string]float64{EndpointOffice: 0}, nil, []float64{10}, nil, true},
	}
	for _, tt := range tests {
		got, err := stepRates(tt.names, tt.weights, tt.fixed, tt.totals)
		if (err != nil) != tt.err {
			t.Errorf("%s: err = %v", tt.name, err)
			continue
		}
		if !tt.err && !slices.EqualFunc(got, tt.want, func(a, b []float64) bool { return slices.Equal(a, b) }) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseFlags(t *testing.T) {
	env := func(k string) string {
		if k == "DAFTAR_ADMIN_PASSWORD" {
			return "from-env"
		}
		return ""
	}
	s, err := parseFlags([]string{"--rates", "50,100", "--step", "5s", "-weights", "demand=0", "-skip", "visits"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s.password != "from-env" || !slices.Equal(s.rates, []float64{50, 100}) || s.step != 5*time.Second ||
		s.weights[EndpointDemand] != 0 || s.weights[EndpointOffice] != 4 || slices.Contains(s.names, EndpointVisits) {
		t.Fatalf("settings %+v", s)
	}
	s, err = parseFlags([]string{"-password", "flag", "-endpoint-rates", "visits=10/20", "-only", "visits,demand"}, env, io.Discard)
	if err != nil || s.password != "flag" || !slices.Equal(s.fixed[EndpointVisits], []float64{10, 20}) ||
		!slices.Equal(s.names, []string{EndpointVisits, EndpointDemand}) {
		t.Fatalf("settings %+v, %v", s, err)
	}
	if _, err := parseFlags([]string{"-h"}, env, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	for _, bad := range [][]string{
		{"-rates", "fast"},
		{"-rates", "-5"},
		{"-weights", "nosuch=1"},
		{"-weights", "office"},
		{"-weights", "office=-1"},
		{"-endpoint-rates", "visits=1/x"},
		{"-only", "nosuch"},
		{"-only", "demand", "-skip", "demand"},
		{"-step", "0s"},
		{"-max-in-flight", "0"},
		{"-timeout", "0s"},
		{"extra"},
	} {
		if _, err := parseFlags(bad, env, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if _, err := parseFlags(nil, func(string) string { return "" }, io.Discard); err == nil || !strings.Contains(err.Error(), "password") {
		t.Errorf("no password: %v", err)
	}
}

// A short real run against the fake server: the whole tool, wired as the
// script runs it. It asserts what was sent and written, never how fast.
func TestMainRuns(t *testing.T) {
	fake := &fakeDaftar{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-url", srv.URL, "-rates", "32", "-step", "1s", "-warmup", "0s", "-json", filepath.Join(dir, "out.json"),
		"-markdown", filepath.Join(dir, "out.md")}
	env := func(k string) string {
		if k == "DAFTAR_ADMIN_PASSWORD" {
			return "s3cret"
		}
		return ""
	}
	if code := Main(context.Background(), args, env, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "s3cret") {
		t.Fatal("the password was printed")
	}
	// 32/s by the default weights (4,2,4,2,2,1,1 of 16) for one second.
	want := map[string]int{"GET /api/v1/offices/{id}": 8, "GET /api/v1/offices": 4, "GET /api/v1/finder": 8,
		"GET /api/v1/offices/{id}/crowding": 4, "POST /api/v1/offices/{id}/visits": 4, "GET /api/v1/crowding/regions": 2,
		"GET /api/v1/demand": 2}
	fake.mu.Lock()
	got := fake.paths
	fake.mu.Unlock()
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d requests, want %d (all: %v)", k, got[k], n, got)
		}
	}
	for _, n := range Names() {
		if !strings.Contains(stdout.String(), n) {
			t.Errorf("table lacks %s:\n%s", n, stdout.String())
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, "out.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep loadtest.Report
	if err := json.Unmarshal(raw, &rep); err != nil || len(rep.Steps) != 1 || rep.Steps[0].Total.OK != 32 || rep.Steps[0].Total.Errors() != 0 {
		t.Fatalf("json report: %v %+v", err, rep)
	}
	if md, err := os.ReadFile(filepath.Join(dir, "out.md")); err != nil || !strings.Contains(string(md), "| 1 | visits | 4 | 4 | 4 |") {
		t.Fatalf("markdown: %v\n%s", err, md)
	}
	// Wrong password: a clear failure, exit 1.
	stderr.Reset()
	if code := Main(context.Background(), append(args, "-password", "nope"), env, io.Discard, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "wrong username or password") {
		t.Fatalf("bad password: exit %d, %s", code, stderr.String())
	}
	if code := Main(context.Background(), []string{"-rates", "x"}, env, io.Discard, io.Discard); code != 2 {
		t.Fatalf("bad flags: exit %d", code)
	}
}
