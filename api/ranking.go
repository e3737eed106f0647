package api

import (
	"net/http"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/gin-gonic/gin"
)

func (s *Server) listDirectives(c *gin.Context) (any, error) {
	list, err := s.Ranking.Directives(c.Request.Context())
	if err != nil {
		return nil, err
	}
	return listOf(list, Page{Page: 1, PageSize: len(list)}, int64(len(list))), nil
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

func (s *Server) addDirective(c *gin.Context) (any, error) {
	var req directiveRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	d, err := s.Ranking.AddDirective(c.Request.Context(), ranking.Directive{Name: req.Name, EffectiveFrom: req.EffectiveFrom, Criteria: req.Criteria,
		MinResponses: req.MinResponses, PriorWeight: req.PriorWeight, Grades: req.Grades, Penalties: req.Penalties, Peers: req.Peers, Rules: req.Rules})
	if err != nil {
		return nil, err
	}
	return reply{Status: http.StatusCreated, Body: d}, nil
}

type runRequest struct {
	Period string `json:"period" doc:"a Jalali month (1405-07) or quarter (1405-Q3)"`
}

func (s *Server) computeRun(c *gin.Context) (any, error) {
	var req runRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	if req.Period == "" {
		return nil, daftar.Invalid("invalid_run", "the period is required", daftar.Field("period", "required", "a Jalali month like 1405-07 or a quarter like 1405-Q3"))
	}
	run, err := s.Ranking.Compute(c.Request.Context(), req.Period)
	if err != nil {
		return nil, err
	}
	return reply{Status: http.StatusCreated, Body: run, ETag: run.Version}, nil
}

func (s *Server) listRuns(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(50, 500)
	if err := q.err(); err != nil {
		return nil, err
	}
	list, total, err := s.Ranking.Runs(c.Request.Context(), p.PageSize, p.Offset())
	if err != nil {
		return nil, err
	}
	return listOf(list, p, total), nil
}

func (s *Server) getRun(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	run, err := s.Ranking.Get(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	return tagged(run, run.Version), nil
}

var resultsQuery = append([]param{
	{Name: "province", Type: "string", Description: "province code"},
	{Name: "grade", Type: "string"},
}, pageQuery...)

func (s *Server) runResults(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	q := s.query(c)
	p := q.page(100, 2000)
	f := ranking.ResultFilter{Limit: p.PageSize, Offset: p.Offset(), Grade: q.text("grade", 10), Province: q.province("province")}
	if err := q.err(); err != nil {
		return nil, err
	}
	if _, err := s.Ranking.Get(c.Request.Context(), id); err != nil {
		return nil, err
	}
	list, total, err := s.Ranking.Results(c.Request.Context(), id, f)
	if err != nil {
		return nil, err
	}
	return listOf(list, p, total), nil
}

func (s *Server) publishRun(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	version, err := versionFrom(c, nil, func() (int64, error) {
		run, err := s.Ranking.Get(c.Request.Context(), id)
		return run.Version, err
	})
	if err != nil {
		return nil, err
	}
	return s.Ranking.Publish(c.Request.Context(), id, version)
}

func (s *Server) verifyRun(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	return s.Ranking.Verify(c.Request.Context(), id)
}

// officeRanking is an office's published results with their explanation.
type officeRanking struct {
	OfficeID int64                   `json:"office_id"`
	Results  []ranking.OfficeRanking `json:"results" doc:"newest period first; each with every criterion's raw figure, score, weight, contribution, peer median and best"`
}

func (s *Server) officeRanking(c *gin.Context) (any, error) {
	id, err := s.officeParam(c)
	if err != nil {
		return nil, err
	}
	list, err := s.Ranking.OfficeResults(c.Request.Context(), id, 24)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []ranking.OfficeRanking{}
	}
	return officeRanking{OfficeID: id, Results: list}, nil
}
