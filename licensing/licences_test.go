package licensing

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// closedRound approves n candidates who all want city (national codes from
// base), places them in a round with quota seats there, and closes it.
func (e *licEnv) closedRound(t testing.TB, base, n, quota int, city, cityFa string, pol Policy) (Round, []int64) {
	t.Helper()
	specs := make([]candSpec, n)
	for i := range specs {
		specs[i] = candSpec{score: 90 - float64(i)*0.5, prefs: cityFa}
	}
	var ids []int64
	if n > 0 {
		ids = e.approve(t, base, specs...)
	}
	r := e.pinnedRound(t, quota, city, pol)
	r, err := e.rounds.Allocate(e.ministry, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Placed != min(n, quota) {
		t.Fatalf("placed %d of %d", r.Placed, n)
	}
	if r, err = e.rounds.Close(e.ministry, r.ID, "نهایی"); err != nil {
		t.Fatal(err)
	}
	return r, ids
}

func (e *licEnv) issueAll(t testing.TB, roundID int64) []Licence {
	t.Helper()
	list, err := e.licences.Issue(e.ministry, IssueRequest{RoundID: roundID})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// tehranSpot is a point in Tehran k steps of 1.5 km from the centre, on a
// grid: far enough from each other for the distance rule.
func tehranSpot(e *licEnv, k int) (float64, float64) {
	c, _ := e.gaz.Get("tehran")
	lat := metresNorth(c.Latitude, float64(k/6)*1500-4000)
	lon := c.Longitude + (float64(k%6)*1500-4000)/(math.Pi*geo.EarthRadiusM/180*math.Cos(c.Latitude*math.Pi/180))
	return lat, lon
}

func officeAt(lat, lon float64) ActionInput {
	return ActionInput{Office: &NewOfficeInput{Latitude: &lat, Longitude: &lon, Address: ptrTo("تهران، خیابان آزادی، پلاک ۱۰"), Counters: ptrTo(3)}}
}

func TestIssueLicences(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLicEnv(t, d, DemandConfig{}, Config{})
		ids := e.approve(t, 400, candSpec{90, "تهران"}, candSpec{88, "تهران"}, candSpec{86, "تهران"}, candSpec{84, "کرج"})
		r := e.pinnedRound(t, 5, "tehran", Policy{})
		if _, err := e.rounds.OverrideQuota(e.ministry, r.ID, "tehran", ptrTo(4), "چهار مجوز"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.rounds.OverrideQuota(e.ministry, r.ID, "karaj", ptrTo(1), "یک مجوز"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.rounds.Allocate(e.ministry, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.licences.Issue(e.ministry, IssueRequest{RoundID: r.ID}); errCode(err) != "round_not_closed" {
			t.Fatalf("issuing from an open round: %v", err)
		}
		if _, err := e.rounds.Close(e.ministry, r.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.licences.Issue(e.ministry, IssueRequest{RoundID: 999}); errCode(err) != "round_not_found" {
			t.Fatalf("no such round: %v", err)
		}
		list := e.issueAll(t, r.ID)
		var numbers []string
		for _, l := range list {
			numbers = append(numbers, l.Number)
			if l.State != LicenceIssued || l.Source != "allocation" || l.HolderName != "علی احمدی" || !strings.HasPrefix(l.HolderNationalCodeMasked, "******") ||
				!l.ValidUntil.Equal(l.ValidFrom.AddDate(5, 0, 0)) || *l.RoundID != r.ID || l.Year != 1405 {
				t.Fatalf("licence %+v", l)
			}
		}
		sort.Strings(numbers)
		if !slices.Equal(numbers, []string{"ALB-1405-0001", "THR-1405-0001", "THR-1405-0002", "THR-1405-0003"}) {
			t.Fatalf("numbers %v", numbers)
		}
		for _, id := range ids {
			if c, _ := e.cands.Get(context.Background(), id); c.State != StateLicensed {
				t.Fatalf("candidate %d is %s", id, c.State)
			}
		}
		if again := e.issueAll(t, r.ID); len(again) != 0 {
			t.Fatalf("issued %d more", len(again))
		}
		if _, err := e.licences.Issue(e.ministry, IssueRequest{RoundID: r.ID, CandidateID: ids[0]}); errCode(err) != "already_licensed" {
			t.Fatalf("twice: %v", err)
		}
		rr, _ := e.rounds.Get(context.Background(), r.ID)
		if q := quotaOf(rr, "tehran"); q.Issued != 3 || q.Filled != 3 || rr.Issued != 4 {
			t.Fatalf("tehran %+v", q)
		}

		// Singly, by an admin, against the unfilled seat.
		x := e.approve(t, 500, candSpec{50, "مشهد"})[0]
		single := IssueRequest{RoundID: r.ID, CandidateID: x, Region: "tehran", Reason: "جابه‌جایی به استان همجوار بر پایه رتبه"}
		if _, err := e.licences.Issue(e.ministry, single); !daftar.IsKind(err, daftar.KindForbidden) {
			t.Fatalf("single by the ministry: %v", err)
		}
		if _, err := e.licences.Issue(e.admin, IssueRequest{RoundID: r.ID, CandidateID: x, Region: "tehran"}); errCode(err) != "invalid_issue" {
			t.Fatalf("single without a reason: %v", err)
		}
		if _, err := e.licences.Issue(e.admin, IssueRequest{RoundID: r.ID, CandidateID: x, Region: "isfahan", Reason: "بدون سهمیه"}); errCode(err) != "invalid_issue" {
			t.Fatalf("single without a quota: %v", err)
		}
		got, err := e.licences.Issue(e.admin, single)
		if err != nil || len(got) != 1 || got[0].Number != "THR-1405-0004" || got[0].Source != "single" {
			t.Fatalf("single: %v %+v", err, got)
		}
		items, _, _ := e.rounds.Allocations(context.Background(), r.ID, AllocationFilter{Region: "tehran", Limit: 10})
		if len(items) != 4 || items[3].CandidateID != x || !strings.Contains(items[3].Reason, "placed singly") || items[3].LicenceID == nil {
			t.Fatalf("single placement not in the results: %+v", items)
		}
		y := e.approve(t, 600, candSpec{50, "تهران"})[0]
		if _, err := e.licences.Issue(e.admin, IssueRequest{RoundID: r.ID, CandidateID: y, Region: "tehran", Reason: "ظرفیت نیست"}); errCode(err) != "quota_exhausted" {
			t.Fatalf("over the quota: %v", err)
		}
		if c, _ := e.cands.Get(context.Background(), y); c.State != StateApproved {
			t.Fatalf("a refused issue moved the candidate to %s", c.State)
		}
		events, total, _ := audit.List(context.Background(), d, audit.Query{Entity: "licence", Limit: 100})
		if total != 5 || events[0].Action != "licence.issue" {
			t.Fatalf("audit %d", total)
		}
		all, n, err := e.licences.List(context.Background(), LicenceFilter{Province: "THR", Limit: 10})
		if err != nil || n != 4 || len(all) != 4 {
			t.Fatal(err, n)
		}
		if _, n, _ := e.licences.List(context.Background(), LicenceFilter{Query: "thr-1405-0002", Limit: 10}); n != 1 {
			t.Fatalf("query by number: %d", n)
		}
	})
}

// TestLicenceLifecycle tries every action on a licence in every state:
// the allowed ones move it (and its office), the others are refused with
// 409 and change nothing.
func TestLicenceLifecycle(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLicEnv(t, d, DemandConfig{}, Config{})
		states := LicenceStates
		n := len(states) * len(LicenceActions)
		r, _ := e.closedRound(t, 1000, n, n, "tehran", "تهران", Policy{})
		list := e.issueAll(t, r.ID)
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
		ctx := e.admin
		k := 0
		act := func(l Licence, action string) (Licence, error) {
			in := ActionInput{Reason: "دلیل آزمون"}
			if action == ActionActivate {
				lat, lon := tehranSpot(e, k)
				k++
				in = officeAt(lat, lon)
			}
			return e.licences.Act(ctx, l.ID, action, in)
		}
		must := func(l Licence, action string) Licence {
			t.Helper()
			out, err := act(l, action)
			if err != nil {
				t.Fatalf("%s %s: %v", action, l.Number, err)
			}
			return out
		}
		drive := func(l Licence, state string) Licence {
			switch state {
			case LicenceActive:
				return must(l, ActionActivate)
			case LicenceSuspended:
				return must(must(l, ActionActivate), ActionSuspend)
			case LicenceRevoked:
				return must(l, ActionRevoke)
			case LicenceExpired:
				l = must(l, ActionActivate)
				if err := d.Gorm.Exec("UPDATE licences SET valid_until = ? WHERE id = ?", e.clock.Now().Add(-time.Hour), l.ID).Error; err != nil {
					t.Fatal(err)
				}
				if n, err := e.licences.ExpireDue(context.Background()); err != nil || n != 1 {
					t.Fatalf("expire: %d %v", n, err)
				}
				l, _ = e.licences.Get(context.Background(), l.ID)
			}
			return l
		}
		wantOffice := map[string]string{LicenceActive: offices.Active, LicenceSuspended: offices.Suspended,
			LicenceRevoked: offices.Closed, LicenceExpired: offices.Suspended}
		i := 0
		for _, state := range states {
			for _, action := range LicenceActions {
				l := drive(list[i], state)
				i++
				if l.State != state {
					t.Fatalf("drove %s to %s", l.Number, l.State)
				}
				allowed := slices.Contains(licenceFrom[action], state)
				out, err := act(l, action)
				if !allowed {
					if errCode(err) != "licence_transition_forbidden" || !daftar.IsKind(err, daftar.KindConflict) {
						t.Errorf("%s on %s: %v, want 409", action, state, err)
					}
					if again, _ := e.licences.Get(context.Background(), l.ID); again.State != state || again.Version != l.Version {
						t.Errorf("a refused %s changed the licence", action)
					}
					continue
				}
				if err != nil {
					t.Errorf("%s on %s: %v", action, state, err)
					continue
				}
				want := map[string]string{ActionActivate: LicenceActive, ActionSuspend: LicenceSuspended, ActionReinstate: LicenceActive,
					ActionRevoke: LicenceRevoked, ActionRenew: state}[action]
				if action == ActionRenew && state == LicenceExpired {
					want = LicenceActive // it expired while active
				}
				if out.State != want || out.StateReason == "" && action != ActionActivate || out.Version != l.Version+1 {
					t.Errorf("%s on %s: %s (v%d)", action, state, out.State, out.Version)
				}
				if action == ActionRenew && (out.Renewals != 1 || !out.ValidUntil.After(l.ValidUntil)) {
					t.Errorf("renew: %+v", out)
				}
				if out.OfficeID != nil {
					off, _ := e.offices.Get(context.Background(), *out.OfficeID)
					if off.Status != wantOffice[out.State] {
						t.Errorf("%s on %s: office %s", action, state, off.Status)
					}
				}
				var evs int64
				d.Gorm.Raw("SELECT COUNT(*) FROM licence_events WHERE licence_id = ? AND action = ?", l.ID, action).Scan(&evs)
				if evs != 1 {
					t.Errorf("%s on %s: %d events", action, state, evs)
				}
			}
		}
		if _, err := e.licences.Act(ctx, list[0].ID, "cancel", ActionInput{Reason: "x"}); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("unknown action: %v", err)
		}
		if _, err := e.licences.Act(ctx, list[0].ID, ActionSuspend, ActionInput{}); errCode(err) != "invalid_action" {
			t.Fatalf("no reason: %v", err)
		}
		if _, err := e.licences.Act(ctx, 99999, ActionSuspend, ActionInput{Reason: "نیست"}); !daftar.IsKind(err, daftar.KindNotFound) {
			t.Fatalf("no licence: %v", err)
		}
		if n, err := audit.Verify(context.Background(), d); err != nil || n == 0 {
			t.Fatalf("audit chain: %d %v", n, err)
		}
	})
}

// TestSitingRules: an office opens inside the licence's city and at least
// the minimum distance from every active office, checked at the edges.
func TestSitingRules(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLicEnv(t, d, DemandConfig{}, Config{})
		r, _ := e.closedRound(t, 2000, 8, 8, "tehran", "تهران", Policy{})
		list := e.issueAll(t, r.ID)
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
		c, _ := e.gaz.Get("tehran")
		existing := e.office(t, "tehran", c.Latitude, c.Longitude, 3)

		// The minimum distance (500 m by default), just under and just over.
		_, err := e.licences.Act(e.admin, list[0].ID, ActionActivate, officeAt(metresNorth(c.Latitude, 499.9), c.Longitude))
		de, _ := daftar.AsError(err)
		if de == nil || de.Code != "too_close_to_office" || de.Kind != daftar.KindUnprocessable || len(de.Fields) != 2 || de.Fields[0].Field != "latitude" {
			t.Fatalf("499.9 m away: %v", err)
		}
		near := de.Extra["nearest_office"].(offices.NearestOffice)
		if near.ID != existing.ID || near.Code != existing.Code || math.Abs(near.DistanceM-499.9) > 0.1 || de.Extra["min_distance_m"] != 500.0 {
			t.Fatalf("nearest %+v", de.Extra)
		}
		if !strings.Contains(de.Message, existing.Code) || !strings.Contains(de.Message, "500 m") {
			t.Fatalf("message %q", de.Message)
		}
		if l, _ := e.licences.Get(context.Background(), list[0].ID); l.State != LicenceIssued || l.OfficeID != nil {
			t.Fatalf("a refused activation changed the licence: %+v", l)
		}
		l, err := e.licences.Act(e.admin, list[0].ID, ActionActivate, officeAt(metresNorth(c.Latitude, 500.1), c.Longitude))
		if err != nil || l.State != LicenceActive || l.OfficeID == nil {
			t.Fatalf("500.1 m away: %v", err)
		}
		off, _ := e.offices.Get(context.Background(), *l.OfficeID)
		if off.Status != offices.Active || off.CityCode != "tehran" || off.OwnerName != "علی احمدی" || !strings.HasPrefix(off.Code, "THR-") ||
			len(off.Services) != len(e.cat.All()) {
			t.Fatalf("office %+v", off)
		}

		// The city's area: its radius (no boundary is known) just inside and just outside.
		radius := e.offices.CityRadius(c)
		_, err = e.licences.Act(e.admin, list[1].ID, ActionActivate, officeAt(metresNorth(c.Latitude, radius+1), c.Longitude))
		if de, _ := daftar.AsError(err); de == nil || de.Code != "outside_city" || de.Fields[0].Code != "outside_city" {
			t.Fatalf("just outside the city: %v", err)
		}
		if _, err := e.licences.Act(e.admin, list[1].ID, ActionActivate, officeAt(metresNorth(c.Latitude, radius-1), c.Longitude)); err != nil {
			t.Fatalf("just inside the city: %v", err)
		}
		if _, err := e.licences.Act(e.admin, list[2].ID, ActionActivate, officeAt(20, 40)); errCode(err) != "outside_iran" {
			t.Fatalf("outside Iran: %v", err)
		}
		// A suspended office does not count, a closed one neither.
		if _, err := e.offices.Update(e.admin, existing.ID, offices.Input{Status: ptrTo(offices.Suspended)}, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := e.licences.Act(e.admin, list[2].ID, ActionActivate, officeAt(metresNorth(c.Latitude, -100), c.Longitude)); err != nil {
			t.Fatalf("next to a suspended office: %v", err)
		}
		// Missing fields.
		_, err = e.licences.Act(e.admin, list[3].ID, ActionActivate, ActionInput{Office: &NewOfficeInput{Latitude: ptrTo(35.7)}})
		if de, _ := daftar.AsError(err); de == nil || len(de.Fields) != 3 {
			t.Fatalf("missing fields: %v", err)
		}
		// An existing pending office of the city.
		plat, plon := tehranSpot(e, 30)
		pending, err := e.offices.Create(e.admin, offices.Input{NameFa: ptrTo("دفتر در انتظار"), City: ptrTo("tehran"), Latitude: &plat, Longitude: &plon,
			Counters: ptrTo(4), Status: ptrTo(offices.Pending)})
		if err != nil {
			t.Fatal(err)
		}
		l, err = e.licences.Act(e.admin, list[3].ID, ActionActivate, ActionInput{OfficeID: pending.ID})
		if err != nil || *l.OfficeID != pending.ID {
			t.Fatalf("pending office: %v", err)
		}
		if off, _ := e.offices.Get(context.Background(), pending.ID); off.Status != offices.Active {
			t.Fatalf("pending office is %s", off.Status)
		}
		if _, err := e.licences.Act(e.admin, list[4].ID, ActionActivate, ActionInput{OfficeID: pending.ID}); errCode(err) != "invalid_office" {
			t.Fatalf("an active office: %v", err)
		}
		mashhad := e.office(t, "mashhad", 36.30, 59.60, 3)
		if _, err := e.offices.Update(e.admin, mashhad.ID, offices.Input{Status: ptrTo(offices.Pending)}, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := e.licences.Act(e.admin, list[4].ID, ActionActivate, ActionInput{OfficeID: mashhad.ID}); errCode(err) != "invalid_office" {
			t.Fatalf("an office of another city: %v", err)
		}

		// A round's policy sets its own distance.
		r2, _ := e.closedRound(t, 3000, 1, 1, "tehran", "تهران", Policy{MinDistanceM: ptrTo(2000.0)})
		l2 := e.issueAll(t, r2.ID)[0]
		olat, olon := tehranSpot(e, 31)
		e.office(t, "tehran", olat, olon, 3)
		_, err = e.licences.Act(e.admin, l2.ID, ActionActivate, officeAt(metresNorth(olat, 1500), olon))
		if de, _ := daftar.AsError(err); de == nil || de.Code != "too_close_to_office" || de.Extra["min_distance_m"] != 2000.0 {
			t.Fatalf("the round's distance: %v", err)
		}
	})
}

// TestLicenceJobs: flagging those about to expire, expiring those past
// validity (their offices suspended), renewing, and the suspensions the
// ranking reads.
func TestLicenceJobs(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLicEnv(t, d, DemandConfig{}, Config{ExpiryWarning: 60 * 24 * time.Hour})
		r, _ := e.closedRound(t, 4000, 3, 3, "tehran", "تهران", Policy{})
		list := e.issueAll(t, r.ID)
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
		ctx := context.Background()
		lat, lon := tehranSpot(e, 0)
		a, err := e.licences.Act(e.admin, list[0].ID, ActionActivate, officeAt(lat, lon))
		if err != nil {
			t.Fatal(err)
		}
		lat, lon = tehranSpot(e, 1)
		b, err := e.licences.Act(e.admin, list[1].ID, ActionActivate, officeAt(lat, lon))
		if err != nil {
			t.Fatal(err)
		}
		// Suspensions: a from day 10 to day 20; b from day 15 on.
		day0 := e.clock.Now()
		e.clock.Set(day0.AddDate(0, 0, 10))
		if a, err = e.licences.Act(e.admin, a.ID, ActionSuspend, ActionInput{Reason: "تخلف در دریافت وجه"}); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(day0.AddDate(0, 0, 15))
		if b, err = e.licences.Act(e.admin, b.ID, ActionSuspend, ActionInput{Reason: "بازرسی"}); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(day0.AddDate(0, 0, 20))
		if a, err = e.licences.Act(e.admin, a.ID, ActionReinstate, ActionInput{Reason: "رفع تخلف"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			from, to int
			want     map[int64]bool
		}{
			{0, 9, map[int64]bool{}},
			{0, 11, map[int64]bool{*a.OfficeID: true}},
			{12, 14, map[int64]bool{*a.OfficeID: true}},
			{16, 18, map[int64]bool{*a.OfficeID: true, *b.OfficeID: true}},
			{21, 40, map[int64]bool{*b.OfficeID: true}},
		} {
			got, err := e.licences.SuspendedDuring(ctx, day0.AddDate(0, 0, c.from), day0.AddDate(0, 0, c.to))
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("suspended during days %d-%d: %v, want %v", c.from, c.to, got, c.want)
			}
		}

		// Nothing to flag or expire yet.
		if n, _ := e.licences.FlagExpiring(ctx); n != 0 {
			t.Fatalf("flagged %d too early", n)
		}
		e.clock.Set(list[0].ValidUntil.AddDate(0, 0, -30))
		if n, err := e.licences.FlagExpiring(ctx); err != nil || n != 3 {
			t.Fatalf("flagged %d: %v", n, err)
		}
		if n, _ := e.licences.FlagExpiring(ctx); n != 0 {
			t.Fatalf("flagged %d twice", n)
		}
		if _, n, _ := e.licences.List(ctx, LicenceFilter{Expiring: ptrTo(true), Limit: 10}); n != 3 {
			t.Fatalf("%d listed as expiring", n)
		}
		e.clock.Set(list[0].ValidUntil.Add(time.Minute))
		if n, err := e.licences.ExpireDue(ctx); err != nil || n != 3 {
			t.Fatalf("expired %d: %v", n, err)
		}
		if n, _ := e.licences.ExpireDue(ctx); n != 0 {
			t.Fatalf("expired %d twice", n)
		}
		a, _ = e.licences.Get(ctx, a.ID)
		b, _ = e.licences.Get(ctx, b.ID)
		if a.State != LicenceExpired || b.State != LicenceExpired {
			t.Fatalf("states %s %s", a.State, b.State)
		}
		if off, _ := e.offices.Get(ctx, *a.OfficeID); off.Status != offices.Suspended {
			t.Fatalf("expired licence's office is %s", off.Status)
		}
		if _, err := e.licences.Act(e.admin, a.ID, ActionReinstate, ActionInput{Reason: "x y z"}); errCode(err) != "licence_transition_forbidden" {
			t.Fatalf("reinstate expired: %v", err)
		}
		// Renewing brings each back to where it was.
		a, err = e.licences.Act(e.admin, a.ID, ActionRenew, ActionInput{Reason: "تمدید پنج‌ساله"})
		if err != nil || a.State != LicenceActive || a.ExpiryFlaggedAt != nil || !a.ValidUntil.Equal(e.now().AddDate(5, 0, 0)) {
			t.Fatalf("renew a: %v %+v", err, a)
		}
		if off, _ := e.offices.Get(ctx, *a.OfficeID); off.Status != offices.Active {
			t.Fatalf("renewed licence's office is %s", off.Status)
		}
		b, err = e.licences.Act(e.admin, b.ID, ActionRenew, ActionInput{Reason: "تمدید", Years: 2})
		if err != nil || b.State != LicenceSuspended || !b.ValidUntil.Equal(e.now().AddDate(2, 0, 0)) {
			t.Fatalf("renew b: %v %+v", err, b)
		}
		c, err := e.licences.Act(e.admin, list[2].ID, ActionRenew, ActionInput{Reason: "تمدید"})
		if err != nil || c.State != LicenceIssued {
			t.Fatalf("renew c: %v %+v", err, c)
		}
	})
}

func (e *licEnv) now() time.Time { return e.clock.Now().UTC().Truncate(time.Microsecond) }

// TestConcurrentIssuing: 50 issues at once for one city never take more
// than its quota, and the numbers of a province stay gap-free.
func TestConcurrentIssuing(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newLicEnv(t, d, DemandConfig{}, Config{})
		// Five seats in Tehran that the allocation left unfilled.
		r, _ := e.closedRound(t, 5000, 0, 5, "tehran", "تهران", Policy{})
		specs := make([]candSpec, 50)
		for i := range specs {
			specs[i] = candSpec{60, "تهران"}
		}
		ids := e.approve(t, 5100, specs...)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var numbers []string
		codes := map[string]int{}
		for _, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := e.licences.Issue(e.admin, IssueRequest{RoundID: r.ID, CandidateID: id, Region: "tehran", Reason: "صدور تکی هم‌زمان"})
				mu.Lock()
				defer mu.Unlock()
				codes[errCode(err)]++
				if err == nil {
					numbers = append(numbers, got[0].Number)
				}
			}()
		}
		wg.Wait()
		sort.Strings(numbers)
		if codes[""] != 5 || codes["quota_exhausted"] != 45 ||
			!slices.Equal(numbers, []string{"THR-1405-0001", "THR-1405-0002", "THR-1405-0003", "THR-1405-0004", "THR-1405-0005"}) {
			t.Fatalf("outcomes %v, numbers %v", codes, numbers)
		}
		var licensed int64
		d.Gorm.Raw("SELECT COUNT(*) FROM candidates WHERE state = ?", StateLicensed).Scan(&licensed)
		if licensed != 5 {
			t.Fatalf("%d candidates licensed", licensed)
		}
	})
}
