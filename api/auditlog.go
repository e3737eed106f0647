package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/daftar-ir/daftar"
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

func (s *Server) listAudit(c *gin.Context) {
	p, fe := pageOf(c, 50, 500)
	q := audit.Query{Entity: queryString(c, &fe, "entity", 64), EntityID: queryString(c, &fe, "entity_id", 64), Limit: p.PageSize, Offset: p.Offset()}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	events, total, err := audit.List(c.Request.Context(), s.DB, q)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]auditResponse, len(events))
	for i, e := range events {
		out[i] = auditResponse{ID: e.ID, At: utc(e.At), AtJalali: jalali(e.At), ActorID: e.ActorID, ActorName: e.ActorName,
			ActorRole: e.ActorRole, Action: e.Action, Entity: e.Entity, EntityID: e.EntityID,
			Before: raw(e.BeforeJSON), After: raw(e.AfterJSON), Hash: e.Hash, PrevHash: e.PrevHash}
	}
	writeJSON(c, http.StatusOK, listOf(out, p, total))
}
