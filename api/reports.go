package api

import (
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
	// The file is written straight to the response, row by row (a visits
	// report is millions of rows): an error before anything was sent is a
	// problem+json answer; one after cuts the connection, so the client
	// sees a failed download rather than a short file that looks whole.
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	name := kind
	if sp.Period != "" {
		name += "-" + sp.Period
	}
	c.Header("Content-Type", ctype)
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="daftar-%s.%s"`, name, format))
	c.Header("Cache-Control", "no-store")
	if format == "xlsx" {
		err = reports.WriteXLSX(c.Writer, t, lang)
	} else {
		err = reports.WriteCSV(c.Writer, t, lang)
	}
	if err == nil {
		return
	}
	if !c.Writer.Written() {
		c.Writer.Header().Del("Content-Disposition")
		s.fail(c, err)
		return
	}
	s.log.ErrorContext(c.Request.Context(), "report cut off", "request_id", requestID(c), "kind", kind, "error", err.Error())
	panic(http.ErrAbortHandler)
}
