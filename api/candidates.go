package api

import (
	"net/http"
	"slices"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/gin-gonic/gin"
)

type candidateResponse struct {
	ID                 int64     `json:"id"`
	NationalCodeMasked string    `json:"national_code_masked" doc:"the last four digits: ******1234"`
	NationalCode       *string   `json:"national_code,omitempty" doc:"only with ?reveal=national_code, for admins (audited)"`
	FirstName          string    `json:"first_name"`
	LastName           string    `json:"last_name"`
	Score              float64   `json:"score" doc:"0 to score_max, two decimals"`
	ScoreMax           float64   `json:"score_max" doc:"the top of the exam's score scale: 100 for raw scores, e.g. 12000 for standard scores (not the filter of the same name)"`
	Rank               *int64    `json:"rank" doc:"rank in the exam; null when the file gave none (not passed)"`
	Preferences        []string  `json:"preferences" doc:"city region codes in the candidate's order"`
	State              string    `json:"state" doc:"not_passed, passed, documents_submitted, approved, rejected, allocated, licensed"`
	StateReason        string    `json:"state_reason" doc:"the reason given with the last review (a rejection's reason)"`
	ExamYear           int       `json:"exam_year"`
	Result             string    `json:"result" doc:"passed or not_passed, as in the file"`
	Gender             *string   `json:"gender" doc:"male, female or null"`
	BirthDate          *string   `json:"birth_date" doc:"Jalali, 1375/06/21"`
	ExamProvince       string    `json:"exam_province" doc:"province code"`
	AllocatedRegion    *string   `json:"allocated_region" doc:"the region allocated by a licensing round"`
	ImportID           int64     `json:"import_id"`
	SourceRow          int       `json:"source_row" doc:"the candidate's row in the imported file"`
	Version            int64     `json:"version"`
	CreatedAt          time.Time `json:"created_at"`
	CreatedAtJalali    string    `json:"created_at_jalali"`
	UpdatedAt          time.Time `json:"updated_at"`
	UpdatedAtJalali    string    `json:"updated_at_jalali"`
}

func candidateOf(c licensing.Candidate) candidateResponse {
	return candidateResponse{ID: c.ID, NationalCodeMasked: c.NationalCodeMasked, FirstName: c.FirstName, LastName: c.LastName,
		Score: c.Score, ScoreMax: c.ScoreMax, Rank: c.Rank, Preferences: c.Preferences, State: c.State, StateReason: c.StateReason,
		ExamYear: c.ExamYear, Result: c.Result, Gender: c.Gender, BirthDate: c.BirthDate, ExamProvince: c.ExamProvince,
		AllocatedRegion: c.AllocatedRegion, ImportID: c.ImportID, SourceRow: c.SourceRow, Version: c.Version,
		CreatedAt: utc(c.CreatedAt), CreatedAtJalali: jalali(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt), UpdatedAtJalali: jalali(c.UpdatedAt)}
}

var candidatesQuery = append([]param{
	{Name: "exam_year", Type: "integer", Description: "Jalali exam year"},
	{Name: "province", Type: "string", Description: "exam province code"},
	{Name: "city", Type: "string", Description: "a city code among the candidate's preferences"},
	{Name: "state", Type: "string", Enum: licensing.CandidateStates},
	{Name: "result", Type: "string", Enum: []string{licensing.ResultPassed, licensing.ResultNotPassed}},
	{Name: "score_min", Type: "number", Description: "candidates scoring at least this"},
	{Name: "score_max", Type: "number", Description: "candidates scoring at most this (a filter; a candidate's own score_max is its scale)"},
	{Name: "q", Type: "string", Description: "text in the first or last name (fa or en)"},
	{Name: "national_code", Type: "string", Description: "a full national code, matched through its keyed hash"},
	{Name: "import_id", Type: "integer", Description: "candidates created by one import"},
}, pageQuery...)

func (s *Server) listCandidates(c *gin.Context) {
	p, fe := pageOf(c, 50, 500)
	f := licensing.CandidateFilter{Limit: p.PageSize, Offset: p.Offset(), Query: queryString(c, &fe, "q", 200),
		NationalCode: queryString(c, &fe, "national_code", 40)}
	intParam := func(name string, lo, hi int64) int64 {
		v := c.Query(name)
		if v == "" {
			return 0
		}
		n, err := daftar.ParseInt(v)
		if err != nil || n < lo || n > hi {
			fe.Add(name, "invalid", "must be a whole number")
			return 0
		}
		return n
	}
	f.ExamYear = int(intParam("exam_year", 1, 9999))
	f.ImportID = intParam("import_id", 1, 1<<62)
	floatParam := func(name string) *float64 {
		v := c.Query(name)
		if v == "" {
			return nil
		}
		x, err := daftar.ParseFloat(v)
		if err != nil {
			fe.Add(name, "invalid", "must be a number")
			return nil
		}
		return &x
	}
	f.ScoreMin, f.ScoreMax = floatParam("score_min"), floatParam("score_max")
	if v := c.Query("province"); v != "" {
		if r, ok := s.Gazetteer.Get(v); !ok || r.Level != geo.LevelProvince {
			fe.Add("province", "unknown", "is not a province code")
		}
		f.Province = v
	}
	if v := c.Query("city"); v != "" {
		if r, ok := s.Gazetteer.Get(v); !ok || r.Level != geo.LevelCity {
			fe.Add("city", "unknown", "is not a city code")
		}
		f.City = v
	}
	if v := c.Query("state"); v != "" {
		if !slices.Contains(licensing.CandidateStates, v) {
			fe.Add("state", "invalid", "is not a candidate state")
		}
		f.State = v
	}
	if v := c.Query("result"); v != "" {
		if v != licensing.ResultPassed && v != licensing.ResultNotPassed {
			fe.Add("result", "invalid", "must be passed or not_passed")
		}
		f.Result = v
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	list, total, err := s.Candidates.List(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]candidateResponse, len(list))
	for i, x := range list {
		out[i] = candidateOf(x)
	}
	writeJSON(c, http.StatusOK, listOf(out, p, total))
}

var candidateQuery = []param{{Name: "reveal", Type: "string", Enum: []string{"national_code"},
	Description: "admins only, audited: include the full national code"}}

func (s *Server) getCandidate(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	reveal, err := revealOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	cand, err := s.Candidates.Get(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := candidateOf(cand)
	if reveal {
		code, err := s.Candidates.RevealNationalCode(c.Request.Context(), id)
		if err != nil {
			s.fail(c, err)
			return
		}
		out.NationalCode = &code
		c.Header("Cache-Control", "no-store")
	}
	c.Header("ETag", etagOf(cand.Version))
	writeJSON(c, http.StatusOK, out)
}

// candidateReviewRequest is a document-review decision.
type candidateReviewRequest struct {
	State   string     `json:"state" doc:"documents_submitted, approved or rejected"`
	Reason  string     `json:"reason" required:"false" doc:"required for rejected"`
	Version opt[int64] `json:"version" doc:"the version read (or send If-Match)"`
}

func (s *Server) reviewCandidate(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req candidateReviewRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	version, err := versionFrom(c, req.Version.ptr())
	if err != nil {
		s.fail(c, err)
		return
	}
	cand, err := s.Candidates.Review(c.Request.Context(), id, licensing.Review{State: req.State, Reason: req.Reason}, version)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", etagOf(cand.Version))
	writeJSON(c, http.StatusOK, candidateOf(cand))
}
