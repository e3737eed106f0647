package api

import (
	"net/http"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/gin-gonic/gin"
)

func (s *Server) listDirectives(c *gin.Context) {
	list, err := s.Ranking.Directives(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, listOf(list, Page{Page: 1, PageSize: len(list)}, int64(len(list))))
}

type directiveRequest struct {
	Name          string              `json:"name"`
	EffectiveFrom string              `json:"effective_from" doc:"YYYY-MM-DD; in force from this day until a later version's day"`
	Criteria      []ranking.Criterion `json:"criteria" doc:"weights sum to 1"`
	MinResponses  int                 `json:"min_responses"`
	PriorWeight   float64             `json:"prior_weight"`
	Grades        []ranking.Grade     `json:"grades"`
	Penalties     ranking.Penalties   `json:"penalties"`
	Peers         *ranking.PeerRules  `json:"peers,omitempty" doc:"the peer groups of the peers_city and peers_size normalisations"`
	Rules         []ranking.Rule      `json:"rules,omitempty" doc:"each criterion's reading in words, Persian and English"`
}

func (s *Server) addDirective(c *gin.Context) {
	var req directiveRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.Ranking.AddDirective(c.Request.Context(), ranking.Directive{Name: req.Name, EffectiveFrom: req.EffectiveFrom, Criteria: req.Criteria,
		MinResponses: req.MinResponses, PriorWeight: req.PriorWeight, Grades: req.Grades, Penalties: req.Penalties, Peers: req.Peers, Rules: req.Rules})
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusCreated, d)
}

type runRequest struct {
	Period string `json:"period" doc:"a Jalali month (1405-07) or quarter (1405-Q3)"`
}

func (s *Server) computeRun(c *gin.Context) {
	var req runRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if req.Period == "" {
		s.fail(c, daftar.Invalid("invalid_run", "the period is required", daftar.Field("period", "required", "a Jalali month like 1405-07 or a quarter like 1405-Q3")))
		return
	}
	run, err := s.Ranking.Compute(c.Request.Context(), req.Period)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", etagOf(run.Version))
	writeJSON(c, http.StatusCreated, run)
}

func (s *Server) listRuns(c *gin.Context) {
	p, fe := pageOf(c, 50, 500)
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	list, total, err := s.Ranking.Runs(c.Request.Context(), p.PageSize, p.Offset())
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, listOf(list, p, total))
}

func (s *Server) getRun(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	run, err := s.Ranking.Get(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", etagOf(run.Version))
	writeJSON(c, http.StatusOK, run)
}

var resultsQuery = append([]param{
	{Name: "province", Type: "string", Description: "province code"},
	{Name: "grade", Type: "string"},
}, pageQuery...)

func (s *Server) runResults(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	p, fe := pageOf(c, 100, 2000)
	f := ranking.ResultFilter{Limit: p.PageSize, Offset: p.Offset(), Grade: queryString(c, &fe, "grade", 10)}
	if v := c.Query("province"); v != "" {
		if r, ok := s.Gazetteer.Get(v); !ok || r.Level != "province" {
			fe.Add("province", "unknown", "is not a province code")
		}
		f.Province = v
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.Ranking.Get(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	list, total, err := s.Ranking.Results(c.Request.Context(), id, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, listOf(list, p, total))
}

func (s *Server) publishRun(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	version, err := versionFrom(c, nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	run, err := s.Ranking.Publish(c.Request.Context(), id, version)
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, run)
}

func (s *Server) verifyRun(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	v, err := s.Ranking.Verify(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, v)
}

// officeRanking is an office's published results with their explanation.
type officeRanking struct {
	OfficeID int64                   `json:"office_id"`
	Results  []ranking.OfficeRanking `json:"results" doc:"newest period first; each with every criterion's raw figure, score, weight, contribution, peer median and best"`
}

func (s *Server) officeRanking(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.Offices.Get(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.Ranking.OfficeResults(c.Request.Context(), id, 24)
	if err != nil {
		s.fail(c, err)
		return
	}
	if list == nil {
		list = []ranking.OfficeRanking{}
	}
	writeJSON(c, http.StatusOK, officeRanking{OfficeID: id, Results: list})
}

type inspectionRequest struct {
	InspectedOn string              `json:"inspected_on" doc:"the day, ISO (2026-11-20) or Jalali (1405/08/29)"`
	Violations  []ranking.Violation `json:"violations" doc:"each with code, severity (minor, major, critical) and description"`
	Notes       string              `json:"notes,omitempty"`
}

func (s *Server) recordInspection(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req inspectionRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.Offices.Get(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	insp, err := s.Ranking.RecordInspection(c.Request.Context(), id, ranking.NewInspection{InspectedOn: req.InspectedOn, Violations: req.Violations, Notes: req.Notes})
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusCreated, insp)
}

func (s *Server) listInspections(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	p, fe := pageOf(c, 50, 500)
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.Offices.Get(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	list, total, err := s.Ranking.Inspections(c.Request.Context(), id, p.PageSize, p.Offset())
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, listOf(list, p, total))
}
