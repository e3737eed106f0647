package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/reports"
	"github.com/gin-gonic/gin"
)

var reportQuery = append([]param{
	{Name: "lang", Type: "string", Enum: []string{"fa", "en"}, Description: "headers and names; default fa (right to left)"},
}, surveyRangeQuery...)

// report is GET /api/v1/reports/{kind}.xlsx or .csv. Office owners get
// their own office's rows, and no report about people or the whole
// country.
func (s *Server) report(c *gin.Context) {
	file := c.Param("file")
	kind, format, ok := strings.Cut(file, ".")
	if !ok || (format != "xlsx" && format != "csv") {
		s.fail(c, daftar.NotFound("report_not_found", "reports are /api/v1/reports/{kind}.xlsx or .csv"))
		return
	}
	a, _ := daftar.ActorFrom(c.Request.Context())
	var fe daftar.FieldErrors
	sp := spanOf(c, s.Clock.Now(), &fe)
	lang := c.DefaultQuery("lang", "fa")
	if lang != "fa" && lang != "en" {
		fe.Add("lang", "invalid", "must be fa or en")
	}
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		s.fail(c, err)
		return
	}
	p := reports.Params{From: sp.From, To: sp.To, Period: sp.Period, Lang: lang,
		SpanGiven: c.Query("period") != "" || c.Query("from") != "" || c.Query("to") != ""}
	if a.Role == daftar.RoleOfficeOwner {
		if reports.StaffOnly(kind) {
			s.fail(c, daftar.Forbidden("forbidden", "this report is for staff"))
			return
		}
		p.OfficeID = a.OfficeID
	}
	t, err := s.Reports.Build(c.Request.Context(), kind, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	var buf bytes.Buffer
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		err = reports.WriteXLSX(&buf, t, lang)
	} else {
		err = reports.WriteCSV(&buf, t, lang)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	name := kind
	if sp.Period != "" {
		name += "-" + sp.Period
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="daftar-%s.%s"`, name, format))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, ctype, buf.Bytes())
}
