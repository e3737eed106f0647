package api

import (
	"math"
	"time"

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

func (s *Server) listCandidates(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(50, 500)
	f := licensing.CandidateFilter{Limit: p.PageSize, Offset: p.Offset(), Query: q.text("q", 200),
		NationalCode: q.text("national_code", 40), ExamYear: int(q.intIn("exam_year", 1, 9999)), ImportID: q.id("import_id"),
		ScoreMin: q.number("score_min", -math.MaxFloat64, math.MaxFloat64), ScoreMax: q.number("score_max", -math.MaxFloat64, math.MaxFloat64),
		Province: q.province("province"), City: q.city("city"), State: q.oneOf("state", licensing.CandidateStates),
		Result: q.oneOf("result", []string{licensing.ResultPassed, licensing.ResultNotPassed})}
	if err := q.err(); err != nil {
		return nil, err
	}
	list, total, err := s.Candidates.List(c.Request.Context(), f)
	if err != nil {
		return nil, err
	}
	out := make([]candidateResponse, len(list))
	for i, x := range list {
		out[i] = candidateOf(x)
	}
	return listOf(out, p, total), nil
}

var candidateQuery = []param{{Name: "reveal", Type: "string", Enum: []string{"national_code"},
	Description: "admins only, audited: include the full national code"}}

func (s *Server) getCandidate(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	reveal, err := revealOf(c)
	if err != nil {
		return nil, err
	}
	cand, err := s.Candidates.Get(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	out := candidateOf(cand)
	if reveal {
		code, err := s.Candidates.RevealNationalCode(c.Request.Context(), id)
		if err != nil {
			return nil, err
		}
		out.NationalCode = &code
		c.Header("Cache-Control", "no-store")
	}
	return tagged(out, cand.Version), nil
}

// candidateReviewRequest is a document-review decision.
type candidateReviewRequest struct {
	State   string     `json:"state" doc:"documents_submitted, approved or rejected"`
	Reason  string     `json:"reason" required:"false" doc:"required for rejected"`
	Version opt[int64] `json:"version" doc:"the version read (or send If-Match)"`
}

func (s *Server) reviewCandidate(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	var req candidateReviewRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	version, err := versionFrom(c, req.Version.ptr(), func() (int64, error) {
		cand, err := s.Candidates.Get(c.Request.Context(), id)
		return cand.Version, err
	})
	if err != nil {
		return nil, err
	}
	cand, err := s.Candidates.Review(c.Request.Context(), id, licensing.Review{State: req.State, Reason: req.Reason}, version)
	if err != nil {
		return nil, err
	}
	return tagged(candidateOf(cand), cand.Version), nil
}
