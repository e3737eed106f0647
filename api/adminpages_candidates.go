package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/gin-gonic/gin"
)

// /admin/candidates: the candidates (GET /api/v1/candidates), one
// candidate's document review (PATCH /api/v1/candidates/{id}: the same
// service call, with the version read) and, for admins only, the full
// national code (the service's audited reveal).

type candidateRow struct {
	ID                                  int64
	Masked, Name, Score, Rank, Province string
	State, StateClass, Preferences      string
}

type candidatesData struct {
	staffForm
	Rows                           []candidateRow
	Pager                          pager
	Sort                           sorting
	SortOptions                    []option
	Q, Year, Province, City, State string
	Result, ScoreMin, ImportID     string
	ProvinceOptions, StateOptions  []option
	ResultOptions                  []option
	XLSX, CSV                      string
}

func (s *Server) adminCandidates(c *gin.Context) { s.staffPage(s.candidatesPage)(c) }

func (s *Server) candidatesPage(c *gin.Context, v *staffView) (staffResult, error) {
	p, fe := pageOf(c, 50, 500)
	sort := v.sortOf(&fe, licensing.CandidatesByScore, licensing.CandidatesByName, licensing.CandidatesByRecent)
	f := licensing.CandidateFilter{Limit: p.PageSize, Offset: p.Offset(), Query: queryString(c, &fe, "q", 200), Sort: sort.By,
		NationalCode: queryString(c, &fe, "national_code", 40)}
	f.ExamYear = int(intQuery(c, &fe, "exam_year", 1, 9999))
	f.ImportID = intQuery(c, &fe, "import_id", 1, 1<<62)
	if f.Province = c.Query("province"); f.Province != "" {
		if r, ok := s.Gazetteer.Get(f.Province); !ok || r.Level != geo.LevelProvince {
			fe.Add("province", "unknown", "is not a province code")
		}
	}
	city := strings.TrimSpace(c.Query("city"))
	if city != "" {
		r, ok := s.Gazetteer.MatchCity(city)
		if !ok {
			fe.Add("city", "unknown", "no city of that name")
		} else {
			f.City = r.Code
		}
	}
	if f.State = c.Query("state"); f.State != "" && !slices.Contains(licensing.CandidateStates, f.State) {
		fe.Add("state", "invalid", "is not a candidate state")
	}
	if f.Result = c.Query("result"); f.Result != "" && f.Result != licensing.ResultPassed && f.Result != licensing.ResultNotPassed {
		fe.Add("result", "invalid", "must be passed or not_passed")
	}
	if v := strings.TrimSpace(c.Query("score_min")); v != "" {
		x, err := daftar.ParseFloat(v)
		if err != nil {
			fe.Add("score_min", "invalid", "must be a number")
		}
		f.ScoreMin = &x
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		return staffResult{}, err
	}
	list, total, err := s.Candidates.List(c.Request.Context(), f)
	if err != nil {
		return staffResult{}, err
	}
	d := candidatesData{staffForm: v.notice(), Pager: v.pager(p, total), Sort: sort,
		SortOptions: v.options("cand_sort_", sort.By, licensing.CandidatesByScore, licensing.CandidatesByName, licensing.CandidatesByRecent),
		Q:           f.Query, Year: c.Query("exam_year"), Province: f.Province, City: city, State: f.State, Result: f.Result,
		ScoreMin: c.Query("score_min"), ImportID: c.Query("import_id"), ProvinceOptions: v.provinceOptions(f.Province),
		StateOptions:  v.options("cand_state_", f.State, licensing.CandidateStates...),
		ResultOptions: v.options("cand_result_", f.Result, licensing.ResultPassed, licensing.ResultNotPassed),
		XLSX:          v.report("candidates", "xlsx"), CSV: v.report("candidates", "csv")}
	for _, x := range list {
		d.Rows = append(d.Rows, v.candidateRowOf(x))
	}
	return staffResult{page: "admin_candidates", title: "candidates_title", data: d}, nil
}

func (v *staffView) candidateRowOf(x licensing.Candidate) candidateRow {
	var prefs []string
	for i, code := range x.Preferences {
		if i == 3 {
			prefs = append(prefs, "…")
			break
		}
		prefs = append(prefs, v.region(code))
	}
	row := candidateRow{ID: x.ID, Masked: x.NationalCodeMasked, Name: x.FirstName + " " + x.LastName,
		Score: v.num(x.Score, 2) + " / " + v.num(x.ScoreMax, 0), Rank: "—", Province: v.region(x.ExamProvince),
		State: v.word("cand_state_", x.State), StateClass: candidateBadge(x.State), Preferences: strings.Join(prefs, "، ")}
	if x.Rank != nil {
		row.Rank = v.count(*x.Rank)
	}
	return row
}

func candidateBadge(state string) string {
	switch state {
	case licensing.StateApproved, licensing.StateAllocated, licensing.StateLicensed:
		return "badge-good"
	case licensing.StateRejected, licensing.StateNotPassed:
		return "badge-bad"
	}
	return "badge-warn"
}

type candidateData struct {
	staffForm
	candidateRow
	Version                   int64
	Year, Gender, BirthDate   string
	Result, Reason, Allocated string
	PrefList                  []string
	Created, Updated, Import  string
	ImportHref                string
	Moves                     []option
	CanReview, CanReveal      bool
	Revealed                  string
	Licences                  []homeLicence
}

// adminCandidate is one candidate with the review form.
func (s *Server) adminCandidate(c *gin.Context) { s.staffPage(s.candidatePage)(c) }

func (s *Server) candidatePage(c *gin.Context, v *staffView) (staffResult, error) {
	return s.buildCandidate(c, v, v.notice(), http.StatusOK, "")
}

func (s *Server) buildCandidate(c *gin.Context, v *staffView, form staffForm, status int, revealed string) (staffResult, error) {
	ctx := c.Request.Context()
	id, err := pathID(c, "id")
	if err != nil {
		return staffResult{}, err
	}
	x, err := s.Candidates.Get(ctx, id)
	if err != nil {
		return staffResult{}, err
	}
	d := candidateData{staffForm: form, candidateRow: v.candidateRowOf(x), Version: x.Version, Year: v.digits(strconv.Itoa(x.ExamYear)),
		Result: v.word("cand_result_", x.Result), Reason: x.StateReason, Created: v.dateTime(x.CreatedAt), Updated: v.dateTime(x.UpdatedAt),
		Import: v.count(x.ImportID) + " (" + v.t("row") + " " + v.count(int64(x.SourceRow)) + ")", ImportHref: "/admin/imports/" + strconv.FormatInt(x.ImportID, 10),
		CanReview: v.can(http.MethodPost, "/admin/candidates/:id/review"), CanReveal: v.can(http.MethodPost, "/admin/candidates/:id/reveal"),
		Revealed: revealed}
	if x.Gender != nil {
		d.Gender = v.word("gender_", *x.Gender)
	}
	if x.BirthDate != nil {
		d.BirthDate = v.digits(*x.BirthDate)
	}
	if x.AllocatedRegion != nil {
		d.Allocated = v.region(*x.AllocatedRegion)
	}
	for _, code := range x.Preferences {
		d.PrefList = append(d.PrefList, v.region(code))
	}
	chosen := ""
	if form.Form != nil {
		chosen = form.Form["state"]
	}
	for _, st := range licensing.ReviewStates {
		if licensing.CanMove(x.State, st) {
			d.Moves = append(d.Moves, option{Value: st, Label: v.word("cand_move_", st), Selected: st == chosen})
		}
	}
	lic, _, err := s.Licences.List(ctx, licensing.LicenceFilter{CandidateID: id, Limit: 5})
	if err != nil {
		return staffResult{}, err
	}
	for _, l := range lic {
		d.Licences = append(d.Licences, homeLicence{Number: l.Number, City: v.region(l.Region), Holder: v.word("licence_", l.State),
			Until: v.date(l.ValidUntil), Href: "/admin/licences/" + strconv.FormatInt(l.ID, 10)})
	}
	return staffResult{status: status, page: "admin_candidate", title: "candidates_title", data: d}, nil
}

// reviewCandidatePage is the review form: PATCH /api/v1/candidates/{id}'s
// service call with the version the page was read at.
func (s *Server) reviewCandidatePage(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		id, err := pathID(c, "id")
		if err != nil {
			return staffResult{}, err
		}
		form := formOf(c, 1100, "state", "reason", "version")
		var fe daftar.FieldErrors
		version := intField(&fe, form, "version", 1, 1<<62)
		if version == nil && form["version"] == "" {
			fe.Add("version", "required", "the version read")
		}
		err = fe.Err(daftar.KindInvalid, "invalid_review", "the review is not valid")
		if err == nil {
			_, err = s.Candidates.Review(c.Request.Context(), id, licensing.Review{State: form["state"], Reason: form["reason"]}, *version)
		}
		if err != nil {
			f, status, err := v.refused(err, "review", form)
			if err != nil {
				return staffResult{}, err
			}
			return s.buildCandidate(c, v.at("/admin/candidates/"+strconv.FormatInt(id, 10)), f, status, "")
		}
		return done("/admin/candidates/"+strconv.FormatInt(id, 10), "reviewed_"+form["state"], v.lang), nil
	})(c)
}

// revealCandidatePage shows an admin the full national code: the
// service checks the role again and audits the reveal; the page is never
// cached.
func (s *Server) revealCandidatePage(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		id, err := pathID(c, "id")
		if err != nil {
			return staffResult{}, err
		}
		code, err := s.Candidates.RevealNationalCode(c.Request.Context(), id)
		if err != nil {
			return staffResult{}, err
		}
		return s.buildCandidate(c, v.at("/admin/candidates/"+strconv.FormatInt(id, 10)), staffForm{}, http.StatusOK, code)
	})(c)
}
