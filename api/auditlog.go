package api

import (
	"encoding/json"
	"time"

	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/gin-gonic/gin"
)

type auditResponse struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	AtJalali  string          `json:"at_jalali"`
	ActorID   *int64          `json:"actor_id"`
	ActorName string          `json:"actor_name"`
	ActorRole string          `json:"actor_role"`
	Action    string          `json:"action"`
	Entity    string          `json:"entity"`
	EntityID  string          `json:"entity_id"`
	Before    json.RawMessage `json:"before"`
	After     json.RawMessage `json:"after"`
	Hash      string          `json:"hash"`
	PrevHash  string          `json:"prev_hash"`
}

var auditQuery = append([]param{
	{Name: "entity", Type: "string", Description: "office, user, licence, candidate, ..."},
	{Name: "entity_id", Type: "string"},
}, pageQuery...)

func raw(p *string) json.RawMessage {
	if p == nil {
		return json.RawMessage("null")
	}
	return json.RawMessage(*p)
}

func (s *Server) listAudit(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(50, 500)
	aq := audit.Query{Entity: q.text("entity", 64), EntityID: q.text("entity_id", 64), Limit: p.PageSize, Offset: p.Offset()}
	if err := q.err(); err != nil {
		return nil, err
	}
	events, total, err := audit.List(c.Request.Context(), s.DB, aq)
	if err != nil {
		return nil, err
	}
	out := make([]auditResponse, len(events))
	for i, e := range events {
		out[i] = auditResponse{ID: e.ID, At: utc(e.At), AtJalali: jalali(e.At), ActorID: e.ActorID, ActorName: e.ActorName,
			ActorRole: e.ActorRole, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID,
			Before: raw(e.BeforeJSON), After: raw(e.AfterJSON), Hash: e.Hash, PrevHash: e.PrevHash}
	}
	return listOf(out, p, total), nil
}
