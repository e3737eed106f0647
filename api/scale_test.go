package api_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/xuri/excelize/v2"
)

// TestVisitsReport: a period's visits, one row each, as CSV and XLSX,
// with nothing that identifies the citizen; an owner gets their office's;
// more than a quarter is refused.
func TestVisitsReport(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		staff := h.tokens[daftar.RoleMinistry]
		for _, office := range []int64{h.officeA, h.officeB} {
			body := map[string]any{"visits": []any{visitJSON(fmt.Sprintf("TICKET-%d-1", office), 9), visitJSON(fmt.Sprintf("TICKET-%d-2", office), 10)}}
			if res := h.do("POST", fmt.Sprintf("/api/v1/offices/%d/visits", office), h.tokens[daftar.RoleAdmin], body); res.Code != 200 {
				t.Fatalf("%d %s", res.Code, res.Body)
			}
		}
		res := h.do("GET", "/api/v1/reports/visits.csv?period=1405-08&lang=en", staff, nil)
		if res.Code != 200 || res.Header().Get("Content-Disposition") != `attachment; filename="daftar-visits-1405-08.csv"` {
			t.Fatalf("%d %v %s", res.Code, res.Header(), res.Body)
		}
		csv := res.Body.String()
		lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(csv, "\ufeff")), "\n")
		if len(lines) != 5 || !strings.HasPrefix(lines[0], "Office,Province,City,Service,Date (Jalali),Arrived,Wait (min)") ||
			!strings.Contains(lines[1], "1405/08/30,09:00,40,10,served,walk_in,1") {
			t.Fatalf("visits.csv:\n%s", csv)
		}
		if strings.Contains(csv, "TICKET") || strings.Contains(csv, "0912") {
			t.Fatalf("visits.csv names a ticket or a mobile:\n%s", csv)
		}
		res = h.do("GET", "/api/v1/reports/visits.xlsx?period=1405-08", staff, nil)
		f, err := excelize.OpenReader(bytes.NewReader(res.Body.Bytes()))
		if err != nil {
			t.Fatalf("%d: %v", res.Code, err)
		}
		rows, _ := f.GetRows(f.GetSheetName(0))
		f.Close()
		if len(rows) != 5 || rows[0][0] != "کد دفتر" || rows[1][8] != "خدمت گرفت" {
			t.Fatalf("visits.xlsx %v", rows)
		}
		owner := h.do("GET", "/api/v1/reports/visits.csv?period=1405-08", h.tokens[daftar.RoleOfficeOwner], nil).Body.String()
		if n := strings.Count(owner, "\n"); n != 3 || !strings.Contains(owner, "THR-0001") || strings.Contains(owner, "KRZ-0001") {
			t.Fatalf("the owner's visits.csv:\n%s", owner)
		}
		res = h.do("GET", "/api/v1/reports/visits.csv?from=2026-01-01&to=2026-11-01", staff, nil)
		if pr := problemOf(t, res); res.Code != 400 || len(pr.Errors) == 0 || pr.Errors[0].Field != "to" || res.Header().Get("Content-Disposition") != "" {
			t.Fatalf("a year of visits: %d %s", res.Code, res.Body)
		}
	})
}

// TestStoredModelsAPI: the regional crowding figures and the demand model
// are read from stored models: they say when they were computed, stay as
// they are when visits come in, and follow them after a refresh (the job
// models-refresh); ten first requests at once compute each model once.
func TestStoredModelsAPI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		staff := h.tokens[daftar.RoleMinistry]
		post := func(prefix string, n int) {
			var vs []any
			for i := range n {
				vs = append(vs, visitJSON(fmt.Sprintf("%s-%d", prefix, i), 9+i%3))
			}
			if res := h.do("POST", fmt.Sprintf("/api/v1/offices/%d/visits", h.officeA), h.tokens[daftar.RoleAdmin], map[string]any{"visits": vs}); res.Code != 200 {
				t.Fatalf("%d %s", res.Code, res.Body)
			}
		}
		post("A", 6)
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(2)
			go func() { defer wg.Done(); h.do("GET", "/api/v1/crowding/regions", staff, nil) }()
			go func() { defer wg.Done(); h.do("GET", "/api/v1/demand", staff, nil) }()
		}
		wg.Wait()
		for _, kind := range []string{"crowding_regions", "demand"} {
			if n := strings.Count(h.logs.String(), `"msg":"model computed","kind":"`+kind+`"`); n != 1 {
				t.Fatalf("%s computed %d times for ten first requests", kind, n)
			}
		}
		arrivals := func() (float64, string) {
			out := decode[map[string]any](t, h.do("GET", "/api/v1/crowding/regions", staff, nil))
			items, _ := out["items"].([]any)
			if len(items) != 1 {
				t.Fatalf("regions %v", out)
			}
			at, _ := out["computed_at"].(string)
			return items[0].(map[string]any)["arrivals"].(float64), at
		}
		n1, at1 := arrivals()
		demand := decode[map[string]any](t, h.do("GET", "/api/v1/demand", staff, nil))
		whatIf := decode[map[string]any](t, h.do("GET", "/api/v1/demand/tehran/what-if?add=2", staff, nil))
		if n1 != 6 || at1 == "" || demand["computed_at"] == "" || demand["inputs_version"] == "" || whatIf["computed_at"] != demand["computed_at"] {
			t.Fatalf("arrivals %v at %q; demand at %v, what-if at %v", n1, at1, demand["computed_at"], whatIf["computed_at"])
		}
		// New visits: the stored figures stay until the refresh.
		post("B", 3)
		h.clock.Advance(time.Minute)
		if n, at := arrivals(); n != 6 || at != at1 {
			t.Fatalf("before the refresh: %v at %q", n, at)
		}
		ctx := context.Background()
		if rep, err := h.regionModels.Refresh(ctx, time.Hour); err != nil || rep.Computed != 1 {
			t.Fatalf("refresh: %+v %v", rep, err)
		}
		if rep, err := h.demandModels.Refresh(ctx, time.Hour); err != nil || rep.Computed != 1 {
			t.Fatalf("refresh: %+v %v", rep, err)
		}
		h.clock.Advance(2 * time.Second)
		if n, at := arrivals(); n != 9 || at <= at1 {
			t.Fatalf("after the refresh: %v at %q (before %q)", n, at, at1)
		}
		if again := decode[map[string]any](t, h.do("GET", "/api/v1/demand", staff, nil)); again["computed_at"] == demand["computed_at"] {
			t.Fatal("the demand model was not recomputed")
		}
		// Nothing changed: a refresh computes nothing.
		if rep, err := h.regionModels.Refresh(ctx, time.Hour); err != nil || rep.Computed != 0 {
			t.Fatalf("idle refresh: %+v %v", rep, err)
		}
		// The staff pages read the same stored models and say when they
		// were computed.
		cookie := h.signIn(t, daftar.RoleMinistry)
		_, regionsAt := arrivals()
		demandAt := decode[map[string]any](t, h.do("GET", "/api/v1/demand", staff, nil))["computed_at"].(string)
		for path, at := range map[string]string{"/admin/crowding?lang=en": regionsAt, "/admin/demand?lang=en": demandAt} {
			when, err := time.Parse(time.RFC3339Nano, at)
			if err != nil {
				t.Fatal(err)
			}
			res := h.page("GET", path, cookie, nil)
			if want := daftar.FormatJalaliDateTime(when); res.Code != 200 || !strings.Contains(res.Body.String(), want) {
				t.Errorf("%s: %d, lacks the stored model's time %s", path, res.Code, want)
			}
		}
	})
}

// TestReplicaReads runs the server over a real streaming replica: /readyz
// shows it; lists and reports read from it, other reads from the primary,
// and a person who just wrote reads from the primary.
func TestReplicaReads(t *testing.T) {
	if len(dbtest.Engines(t)) < 2 {
		t.Log("PostgreSQL not available (DAFTAR_TEST_SQLITE_ONLY=1): read replicas are PostgreSQL's")
		return
	}
	primaryURL, replicaURL := dbtest.ReplicaPair(t)
	d, err := db.Open(context.Background(), db.Config{URL: primaryURL, ReplicaURLs: []string{replicaURL}, MaxReplicaLag: time.Hour}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	h := newHarness(t, d)
	ready := decode[map[string]any](t, h.do("GET", "/readyz", "", nil))
	reps, _ := ready["replicas"].([]any)
	if len(reps) != 1 || reps[0].(map[string]any)["in_use"] != true || reps[0].(map[string]any)["lag_seconds"] == nil {
		t.Fatalf("/readyz: %v", ready)
	}
	staff := h.tokens[daftar.RoleMinistry]
	reads := func(method, path, token string, body any) int64 {
		t.Helper()
		before := d.ReplicaReads()
		if res := h.do(method, path, token, body); res.Code >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, res.Code, res.Body)
		}
		return d.ReplicaReads() - before
	}
	for _, c := range []struct {
		path    string
		replica bool
	}{
		{"/api/v1/offices?page_size=5", true},
		{"/api/v1/reports/offices.csv", true},
		{"/api/v1/crowding/regions", true},
		{fmt.Sprintf("/api/v1/offices/%d", h.officeA), false},
		{"/api/v1/auth/me", false},
	} {
		if n := reads("GET", c.path, staff, nil); (n > 0) != c.replica {
			t.Errorf("%s: %d reads on the replica", c.path, n)
		}
	}
	// The admin registers an office, then lists: from the primary.
	admin := h.tokens[daftar.RoleAdmin]
	office := map[string]any{"code": "THR-0777", "name": "دفتر تازه", "city": "tehran", "latitude": 35.72, "longitude": 51.42,
		"counters": 2, "services": []string{"criminal_record"}}
	if n := reads("POST", "/api/v1/offices", admin, office); n != 0 {
		t.Fatalf("a write read %d times from the replica", n)
	}
	before := d.ReplicaReads()
	list := h.do("GET", "/api/v1/offices?page_size=100", admin, nil)
	if d.ReplicaReads() != before || !strings.Contains(list.Body.String(), "THR-0777") {
		t.Fatalf("right after writing, the list came from the replica (%d reads) or lacks the office", d.ReplicaReads()-before)
	}
	if n := reads("GET", "/api/v1/offices?page_size=5", staff, nil); n == 0 {
		t.Fatal("someone else's list did not read from the replica")
	}
}
