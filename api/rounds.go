package api

import (
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

func (s *Server) createRound(c *gin.Context) (any, error) {
	var req roundRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	r, err := s.Rounds.Create(c.Request.Context(), licensing.NewRound{Name: req.Name, TotalLicences: req.TotalLicences, Policy: req.Policy})
	if err != nil {
		return nil, err
	}
	return created(roundOf(r), "/api/v1/licensing-rounds/"+strconv.FormatInt(r.ID, 10)), nil
}

var roundStates = []string{licensing.RoundOpen, licensing.RoundAllocated, licensing.RoundClosed}

var roundsQuery = append([]param{
	{Name: "state", Type: "string", Enum: roundStates},
}, pageQuery...)

func (s *Server) listRounds(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(20, 100)
	f := licensing.RoundFilter{State: q.oneOf("state", roundStates), Limit: p.PageSize, Offset: p.Offset()}
	if err := q.err(); err != nil {
		return nil, err
	}
	list, total, err := s.Rounds.List(c.Request.Context(), f)
	if err != nil {
		return nil, err
	}
	out := make([]roundResponse, len(list))
	for i, r := range list {
		out[i] = roundOf(r)
	}
	return listOf(out, p, total), nil
}

func (s *Server) getRound(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	r, err := s.Rounds.Get(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	return tagged(roundOf(r), r.Version), nil
}

type quotaOverrideRequest struct {
	Quota  opt[int] `json:"quota" doc:"the city's quota; null removes the override (the computed share again)"`
	Reason string   `json:"reason" doc:"why: required, kept in the audit log"`
}

func (s *Server) overrideQuota(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	var req quotaOverrideRequest
	if err := bindJSON(c, &req); err != nil {
		return nil, err
	}
	if !req.Quota.Set {
		return nil, daftar.Invalid("invalid_override", "the quota is required", daftar.Field("quota", "required", "a whole number, or null to remove the override"))
	}
	r, err := s.Rounds.OverrideQuota(c.Request.Context(), id, c.Param("code"), req.Quota.ptr(), req.Reason)
	if err != nil {
		return nil, err
	}
	return roundOf(r), nil
}

// bindOptionalJSON reads a body that may be absent.
func bindOptionalJSON(c *gin.Context, dst any) error {
	if c.Request.ContentLength == 0 {
		return nil
	}
	return bindJSON(c, dst)
}

func (s *Server) allocateRound(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	var req struct{}
	if err := bindOptionalJSON(c, &req); err != nil {
		return nil, err
	}
	start := time.Now()
	r, err := s.Rounds.Allocate(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	c.Header("Server-Timing", "allocate;dur="+strconv.FormatInt(time.Since(start).Milliseconds(), 10))
	return roundOf(r), nil
}

type closeRoundRequest struct {
	Reason string `json:"reason,omitempty"`
}

func (s *Server) closeRound(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	var req closeRoundRequest
	if err := bindOptionalJSON(c, &req); err != nil {
		return nil, err
	}
	r, err := s.Rounds.Close(c.Request.Context(), id, req.Reason)
	if err != nil {
		return nil, err
	}
	return roundOf(r), nil
}

var allocationsQuery = append([]param{
	{Name: "region", Type: "string", Description: "city code"},
	{Name: "placed", Type: "boolean", Description: "true: placed only; false: unplaced only"},
}, pageQuery...)

func (s *Server) listAllocations(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	q := s.query(c)
	p := q.page(100, 1000)
	f := licensing.AllocationFilter{Limit: p.PageSize, Offset: p.Offset(), Region: q.region("region", ""), Placed: q.boolean("placed")}
	if err := q.err(); err != nil {
		return nil, err
	}
	list, total, err := s.Rounds.Allocations(c.Request.Context(), id, f)
	if err != nil {
		return nil, err
	}
	return listOf(list, p, total), nil
}

// allocationItem is one candidate's result in a round.
type allocationItem = licensing.AllocationItem
