package api

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/gin-gonic/gin"
)

// roundResponse is a licensing round with Jalali times beside the UTC ones.
type roundResponse struct {
	licensing.Round
	Demand            demandModelResponse `json:"demand" doc:"the demand model's shared inputs when the quotas were computed"`
	CreatedAtJalali   string              `json:"created_at_jalali"`
	UpdatedAtJalali   string              `json:"updated_at_jalali"`
	AllocatedAtJalali *string             `json:"allocated_at_jalali"`
	ClosedAtJalali    *string             `json:"closed_at_jalali"`
}

func roundOf(r licensing.Round) roundResponse {
	if r.Quotas == nil {
		r.Quotas = []licensing.Quota{}
	}
	return roundResponse{Round: r, Demand: demandModelOf(r.Demand), CreatedAtJalali: jalali(r.CreatedAt), UpdatedAtJalali: jalali(r.UpdatedAt),
		AllocatedAtJalali: jalaliPtr(r.AllocatedAt), ClosedAtJalali: jalaliPtr(r.ClosedAt)}
}

type roundRequest struct {
	Name          string           `json:"name"`
	TotalLicences int              `json:"total_licences" doc:"the round's licences: the quotas sum exactly to it"`
	Policy        licensing.Policy `json:"policy" required:"false" doc:"targets, siting distance and who qualifies; absent fields take the configuration"`
}

func (s *Server) createRound(c *gin.Context) {
	var req roundRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.Rounds.Create(c.Request.Context(), licensing.NewRound{Name: req.Name, TotalLicences: req.TotalLicences, Policy: req.Policy})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/licensing-rounds/"+strconv.FormatInt(r.ID, 10))
	writeJSON(c, http.StatusCreated, roundOf(r))
}

var roundsQuery = append([]param{
	{Name: "state", Type: "string", Enum: []string{licensing.RoundOpen, licensing.RoundAllocated, licensing.RoundClosed}},
}, pageQuery...)

func (s *Server) listRounds(c *gin.Context) {
	p, fe := pageOf(c, 20, 100)
	state := c.Query("state")
	if state != "" && !slices.Contains([]string{licensing.RoundOpen, licensing.RoundAllocated, licensing.RoundClosed}, state) {
		fe.Add("state", "invalid", "must be open, allocated or closed")
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	list, total, err := s.Rounds.List(c.Request.Context(), licensing.RoundFilter{State: state, Limit: p.PageSize, Offset: p.Offset()})
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]roundResponse, len(list))
	for i, r := range list {
		out[i] = roundOf(r)
	}
	writeJSON(c, http.StatusOK, listOf(out, p, total))
}

func (s *Server) getRound(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.Rounds.Get(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("ETag", etagOf(r.Version))
	writeJSON(c, http.StatusOK, roundOf(r))
}

type quotaOverrideRequest struct {
	Quota  opt[int] `json:"quota" doc:"the city's quota; null removes the override (the computed share again)"`
	Reason string   `json:"reason" doc:"why: required, kept in the audit log"`
}

func (s *Server) overrideQuota(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req quotaOverrideRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if !req.Quota.Set {
		s.fail(c, daftar.Invalid("invalid_override", "the quota is required", daftar.Field("quota", "required", "a whole number, or null to remove the override")))
		return
	}
	r, err := s.Rounds.OverrideQuota(c.Request.Context(), id, c.Param("code"), req.Quota.ptr(), req.Reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, roundOf(r))
}

// bindOptionalJSON reads a body that may be absent.
func bindOptionalJSON(c *gin.Context, dst any) error {
	if c.Request.ContentLength == 0 {
		return nil
	}
	return bindJSON(c, dst)
}

func (s *Server) allocateRound(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req struct{}
	if err := bindOptionalJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	start := time.Now()
	r, err := s.Rounds.Allocate(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Server-Timing", "allocate;dur="+strconv.FormatInt(time.Since(start).Milliseconds(), 10))
	writeJSON(c, http.StatusOK, roundOf(r))
}

type closeRoundRequest struct {
	Reason string `json:"reason,omitempty"`
}

func (s *Server) closeRound(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req closeRoundRequest
	if err := bindOptionalJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	r, err := s.Rounds.Close(c.Request.Context(), id, req.Reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, roundOf(r))
}

var allocationsQuery = append([]param{
	{Name: "region", Type: "string", Description: "city code"},
	{Name: "placed", Type: "boolean", Description: "true: placed only; false: unplaced only"},
}, pageQuery...)

func (s *Server) listAllocations(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	p, fe := pageOf(c, 100, 1000)
	f := licensing.AllocationFilter{Limit: p.PageSize, Offset: p.Offset(), Region: queryString(c, &fe, "region", 64)}
	if f.Region != "" {
		if _, ok := s.Gazetteer.Get(f.Region); !ok {
			fe.Add("region", "unknown", "is not a region code")
		}
	}
	if v := c.Query("placed"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fe.Add("placed", "invalid", "must be true or false")
		}
		f.Placed = &b
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	list, total, err := s.Rounds.Allocations(c.Request.Context(), id, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, listOf(list, p, total))
}

// allocationItem is one candidate's result in a round.
type allocationItem = licensing.AllocationItem
