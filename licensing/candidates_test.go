package licensing

import (
	"strconv"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

func TestTransitions(t *testing.T) {
	allowed := map[[2]string]bool{
		{StatePassed, StateDocumentsSubmitted}: true, {StatePassed, StateRejected}: true,
		{StateDocumentsSubmitted, StateApproved}: true, {StateDocumentsSubmitted, StateRejected}: true,
		{StateApproved, StateAllocated}: true, {StateAllocated, StateLicensed}: true, {StateAllocated, StateApproved}: true,
	}
	for _, from := range CandidateStates {
		for _, to := range CandidateStates {
			if got := CanMove(from, to); got != allowed[[2]string{from, to}] {
				t.Errorf("CanMove(%s, %s) = %v", from, to, got)
			}
		}
	}
}

func TestCandidateReview(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{})
		notPassed := row(validCode(9), "سارا", "نوری", "زن", "", "قم", "41", "", "مردود", "")
		mustImport(t, e, fileOf(t, goodRow(1), goodRow(2), goodRow(3), notPassed))
		list, _, err := e.cands.List(e.ctx, CandidateFilter{Limit: 10})
		if err != nil || len(list) != 4 {
			t.Fatal(err, len(list))
		}
		byCode := map[string]Candidate{}
		for _, c := range list {
			code, _ := e.codes.Open(c.NationalCodeEnc, c.NationalCodeHash)
			byCode[code] = c
		}
		a, b, c, np := byCode[validCode(1)], byCode[validCode(2)], byCode[validCode(3)], byCode[validCode(9)]

		cases := []struct {
			name    string
			id      int64
			review  Review
			version int64
			kind    daftar.Kind // "" when it goes through
			state   string
		}{
			{"passed to approved skips a step", a.ID, Review{State: StateApproved}, 0, daftar.KindConflict, ""},
			{"documents submitted", a.ID, Review{State: StateDocumentsSubmitted}, 1, "", StateDocumentsSubmitted},
			{"stale version", a.ID, Review{State: StateApproved}, 1, daftar.KindConflict, ""},
			{"again documents submitted", a.ID, Review{State: StateDocumentsSubmitted}, 0, daftar.KindConflict, ""},
			{"approved", a.ID, Review{State: StateApproved}, 2, "", StateApproved},
			{"approved cannot be rejected", a.ID, Review{State: StateRejected, Reason: "x"}, 0, daftar.KindConflict, ""},
			{"rejection needs a reason", b.ID, Review{State: StateRejected}, 0, daftar.KindUnprocessable, ""},
			{"blank reason is no reason", b.ID, Review{State: StateRejected, Reason: " \u200c "}, 0, daftar.KindUnprocessable, ""},
			{"passed rejected (no documents)", b.ID, Review{State: StateRejected, Reason: "مدارک در مهلت نرسید"}, 0, "", StateRejected},
			{"rejected is final", b.ID, Review{State: StateDocumentsSubmitted}, 0, daftar.KindConflict, ""},
			{"not a review state", c.ID, Review{State: StateAllocated}, 0, daftar.KindUnprocessable, ""},
			{"unknown state", c.ID, Review{State: "hired"}, 0, daftar.KindUnprocessable, ""},
			{"not passed goes nowhere", np.ID, Review{State: StateDocumentsSubmitted}, 0, daftar.KindConflict, ""},
			{"unknown candidate", 999999, Review{State: StateDocumentsSubmitted}, 0, daftar.KindNotFound, ""},
		}
		for _, tc := range cases {
			got, err := e.cands.Review(e.ctx, tc.id, tc.review, tc.version)
			if tc.kind != "" {
				if !daftar.IsKind(err, tc.kind) {
					t.Fatalf("%s: %v, want %s", tc.name, err, tc.kind)
				}
				continue
			}
			if err != nil || got.State != tc.state {
				t.Fatalf("%s: %+v %v", tc.name, got, err)
			}
		}
		got, _ := e.cands.Get(e.ctx, b.ID)
		if got.State != StateRejected || got.StateReason != "مدارک در مهلت نرسید" || got.Version != 2 {
			t.Fatalf("rejected candidate %+v", got)
		}

		// Allocation and licensing (issue 5) move approved candidates on.
		err = d.InTx(e.ctx, func(tx *db.Tx) error {
			if _, err := e.cands.Allocate(e.ctx, tx, a.ID, "nowhere"); !daftar.IsKind(err, daftar.KindUnprocessable) {
				t.Errorf("allocate to an unknown region: %v", err)
			}
			if _, err := e.cands.Allocate(e.ctx, tx, c.ID, "tehran"); !daftar.IsKind(err, daftar.KindConflict) {
				t.Errorf("allocate a passed candidate: %v", err)
			}
			x, err := e.cands.Allocate(e.ctx, tx, a.ID, "karaj")
			if err != nil || x.State != StateAllocated || x.AllocatedRegion == nil || *x.AllocatedRegion != "karaj" {
				t.Fatalf("allocate: %+v %v", x, err)
			}
			if x, err = e.cands.ReleaseAllocation(e.ctx, tx, a.ID, "round re-run"); err != nil || x.State != StateApproved || x.AllocatedRegion != nil {
				t.Fatalf("release: %+v %v", x, err)
			}
			if _, err = e.cands.Allocate(e.ctx, tx, a.ID, "tehran"); err != nil {
				return err
			}
			x, err = e.cands.MarkLicensed(e.ctx, tx, a.ID)
			if err != nil || x.State != StateLicensed || *x.AllocatedRegion != "tehran" {
				t.Fatalf("licensed: %+v %v", x, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, _ = e.cands.Get(e.ctx, a.ID)
		if got.State != StateLicensed || got.AllocatedRegion == nil || *got.AllocatedRegion != "tehran" {
			t.Fatalf("stored %+v", got)
		}
		var events int64
		d.Gorm.Table("audit_events").Where("entity = ? AND entity_id = ?", "candidate", strconv.FormatInt(a.ID, 10)).Count(&events)
		if events != 6 { // submitted, approved, allocated, approved, allocated, licensed
			t.Fatalf("%d audit events for the candidate", events)
		}
	})
}

func TestCandidateRevealAndFilters(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{})
		r2 := goodRow(2)
		r2[1], r2[2], r2[5], r2[6], r2[9] = "زهرا", "موسوی", "فارس", "60", "شیراز، مشهد"
		mustImport(t, e, fileOf(t, goodRow(1), r2))
		list, _, _ := e.cands.List(e.ctx, CandidateFilter{Limit: 10})
		if _, err := e.cands.RevealNationalCode(e.ctx, list[0].ID); !daftar.IsKind(err, daftar.KindForbidden) {
			t.Fatalf("ministry reveal: %v", err)
		}
		admin := daftar.WithActor(e.ctx, daftar.Actor{UserID: 1, Username: "admin", Role: daftar.RoleAdmin})
		code, err := e.cands.RevealNationalCode(admin, list[0].ID)
		if err != nil || code != validCode(1) {
			t.Fatalf("reveal: %q %v", code, err)
		}
		f := func(x float64) *float64 { return &x }
		for _, tc := range []struct {
			name string
			f    CandidateFilter
			want int64
		}{
			{"all", CandidateFilter{}, 2},
			{"province", CandidateFilter{Province: "FAR"}, 1},
			{"preferred city", CandidateFilter{City: "mashhad"}, 1},
			{"preferred city (not a prefix)", CandidateFilter{City: "tehran"}, 1},
			{"score range", CandidateFilter{ScoreMin: f(61), ScoreMax: f(90)}, 1},
			{"state", CandidateFilter{State: StatePassed}, 2},
			{"name fa", CandidateFilter{Query: "موسوي"}, 1},
			{"names", CandidateFilter{Query: "علی احمدی"}, 1},
			{"national code", CandidateFilter{NationalCode: daftar.PersianDigits(validCode(2))}, 1},
			{"exam year", CandidateFilter{ExamYear: 1404}, 0},
		} {
			tc.f.Limit = 10
			_, total, err := e.cands.List(e.ctx, tc.f)
			if err != nil || total != tc.want {
				t.Errorf("%s: %d %v, want %d", tc.name, total, err, tc.want)
			}
		}
		if _, _, err := e.cands.List(e.ctx, CandidateFilter{NationalCode: "123", Limit: 1}); !daftar.IsKind(err, daftar.KindInvalid) {
			t.Errorf("bad national code filter: %v", err)
		}
	})
}

// TestReviewBatch applies many decisions in one transaction; one bad one
// rolls all back.
func TestReviewBatch(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		e := newTestEnv(t, d, ExamConfig{})
		mustImport(t, e, fileOf(t, goodRow(1), goodRow(2)))
		list, _, _ := e.cands.List(e.ctx, CandidateFilter{Limit: 10})
		bad := []ReviewItem{{list[0].ID, Review{State: StateDocumentsSubmitted}}, {list[1].ID, Review{State: StateApproved}}}
		if err := e.cands.ReviewBatch(e.ctx, bad); !daftar.IsKind(err, daftar.KindConflict) {
			t.Fatalf("bad batch: %v", err)
		}
		if c, _ := e.cands.Get(e.ctx, list[0].ID); c.State != StatePassed {
			t.Fatalf("bad batch left %s", c.State)
		}
		good := []ReviewItem{{list[0].ID, Review{State: StateDocumentsSubmitted}}, {list[0].ID, Review{State: StateApproved}},
			{list[1].ID, Review{State: StateRejected, Reason: "ناقص"}}}
		if err := e.cands.ReviewBatch(e.ctx, good); err != nil {
			t.Fatal(err)
		}
		if c, _ := e.cands.Get(e.ctx, list[0].ID); c.State != StateApproved || c.Version != 3 {
			t.Fatalf("batch: %+v", c)
		}
	})
}
