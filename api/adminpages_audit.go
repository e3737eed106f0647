package api

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/gin-gonic/gin"
)

// /admin/audit (admins only, as GET /api/v1/audit-events): the log with
// its filters, and on request a walk of the whole hash chain.

type auditRow struct {
	ID                        int64
	When, Actor, Role, Action string
	Entity, EntityID, Href    string
	Before, After, Hash       string
}

type auditData struct {
	staffForm
	Rows                            []auditRow
	Pager                           pager
	Entity, EntityID, Action, Actor string
	EntityOptions                   []option
	Verified                        bool
	ChainOK                         bool
	Checked, BrokenAt, BrokenReason string
	VerifyHref                      string
}

// auditEntities are the records the log names, each with the page that
// shows one (empty: none).
var auditEntities = map[string]string{
	"office": "/admin/offices/", "licence": "/admin/licences/", "candidate": "/admin/candidates/", "user": "/admin/users/",
	"licensing_round": "/admin/licensing/", "exam_import": "/admin/imports/", "ranking_run": "/admin/ranking?run=",
	"survey_flag": "", "survey_template": "", "ranking_directive": "", "inspection": "",
}

func (s *Server) adminAudit(c *gin.Context) { s.staffPage(s.auditPage)(c) }

func (s *Server) auditPage(c *gin.Context, v *staffView) (staffResult, error) {
	ctx := c.Request.Context()
	p, fe := pageOf(c, 50, 500)
	q := audit.Query{Entity: queryString(c, &fe, "entity", 64), EntityID: queryString(c, &fe, "entity_id", 64),
		Action: queryString(c, &fe, "action", 100), Actor: queryString(c, &fe, "actor", 100), Limit: p.PageSize, Offset: p.Offset()}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		return staffResult{}, err
	}
	events, total, err := audit.List(ctx, s.DB, q)
	if err != nil {
		return staffResult{}, err
	}
	d := auditData{staffForm: v.notice(), Pager: v.pager(p, total), Entity: q.Entity, EntityID: q.EntityID, Action: q.Action, Actor: q.Actor,
		VerifyHref: v.link("verify", "1") + "#chain"}
	var names []string
	for e := range auditEntities {
		names = append(names, e)
	}
	slices.Sort(names)
	d.EntityOptions = v.options("audit_entity_", q.Entity, names...)
	if c.Query("verify") == "1" {
		n, err := audit.Verify(ctx, s.DB)
		d.Verified, d.Checked = true, v.count(int64(n))
		if b, broken := audit.IsBroken(err); broken {
			d.BrokenAt, d.BrokenReason = v.count(b.EventID), b.Reason
		} else if err != nil {
			return staffResult{}, err
		} else {
			d.ChainOK = true
		}
	}
	for _, e := range events {
		row := auditRow{ID: e.ID, When: v.dateTime(e.At), Actor: e.ActorName, Role: v.word("role_", e.ActorRole),
			Action: v.auditAction(e.Action), Entity: v.word("audit_entity_", e.Entity), EntityID: e.EntityID,
			Before: prettyJSON(e.BeforeJSON), After: prettyJSON(e.AfterJSON), Hash: short(e.Hash)}
		if base := auditEntities[e.Entity]; base != "" {
			row.Href = base + e.EntityID
		}
		d.Rows = append(d.Rows, row)
	}
	return staffResult{page: "admin_audit", title: "audit_title", data: d}, nil
}

// auditAction names an action ("licence.suspend") in the reader's words:
// the record's name and the verb's.
func (v *staffView) auditAction(action string) string {
	entity, verb, ok := strings.Cut(action, ".")
	if !ok {
		return v.word("audit_verb_", action)
	}
	return v.word("audit_entity_", entity) + ": " + v.word("audit_verb_", verb)
}

// prettyJSON indents a stored change for reading; what does not parse is
// shown as it is.
func prettyJSON(p *string) string {
	if p == nil {
		return ""
	}
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(*p), "", "  ") != nil {
		return *p
	}
	return buf.String()
}
