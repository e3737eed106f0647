package api

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/reports"
	"github.com/gin-gonic/gin"
)

var reportQuery = append([]param{
	{Name: "lang", Type: "string", Enum: []string{"fa", "en"}, Description: "headers and names; default fa (right to left)"},
}, surveyRangeQuery...)

// report is GET /api/v1/reports/{kind}.xlsx or .csv. Each kind follows
// the access rule of the routes whose records it holds (reportaccess.go):
// office owners get their own office's rows of the kinds they may read.
func (s *Server) report(c *gin.Context) (any, error) {
	kind, format, ok := strings.Cut(c.Param("file"), ".")
	if !ok || (format != "xlsx" && format != "csv") {
		return nil, daftar.NotFound("report_not_found", "reports are /api/v1/reports/{kind}.xlsx or .csv")
	}
	a, _ := daftar.ActorFrom(c.Request.Context())
	q := s.query(c)
	sp := q.span()
	lang := q.oneOfOr("lang", "fa", []string{"fa", "en"})
	if err := q.err(); err != nil {
		return nil, err
	}
	p := reports.Params{From: sp.From, To: sp.To, Period: sp.Period, Lang: lang,
		SpanGiven: c.Query("period") != "" || c.Query("from") != "" || c.Query("to") != ""}
	switch {
	case !slices.Contains(s.Reports.Kinds(), kind):
		return nil, daftar.NotFound("report_not_found", "no such report; kinds: "+strings.Join(s.Reports.Kinds(), ", "))
	case !s.mayRead(kind, a):
		return nil, daftar.Forbidden("forbidden", "your role may not read this report")
	}
	if a.Role == daftar.RoleOfficeOwner {
		p.OfficeID = a.OfficeID
	}
	t, err := s.Reports.Build(c.Request.Context(), kind, p)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = xlsxType
		err = reports.WriteXLSX(&buf, t, lang)
	} else {
		err = reports.WriteCSV(&buf, t, lang)
	}
	if err != nil {
		return nil, err
	}
	name := kind
	if sp.Period != "" {
		name += "-" + sp.Period
	}
	return file{ContentType: ctype, Name: fmt.Sprintf("daftar-%s.%s", name, format), Data: buf.Bytes()}, nil
}
