package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/reports"
	"github.com/gin-gonic/gin"
)

// The visits an owner sends from the dashboard: a CSV file through the
// same import as `daftar import visits`, restricted to their own office,
// and the latest batches the office sent.

// ownerImportRows bounds an owner's file: a few months of a busy office.
// Bigger loads are the judiciary's, through the command line.
const ownerImportRows = 20_000

// batchesShown is how many of the latest batches the dashboard lists.
const batchesShown = 10

type visitsView struct {
	MaxRows   string
	Window    string // how far back an owner's visits may go
	Columns   []template.HTML
	Batches   []batchRow
	NoBatches bool
}

type batchRow struct {
	At, Visits, Served, Arrivals string
}

func (s *Server) visitsSection(c *gin.Context, k kit, id int64) (visitsView, error) {
	list, err := s.Visits.Batches(c.Request.Context(), id, batchesShown)
	if err != nil {
		return visitsView{}, err
	}
	v := visitsView{MaxRows: k.Int(ownerImportRows), NoBatches: len(list) == 0,
		Window: strings.ReplaceAll(k.t("visits_file_window"), "{days}", k.Num(s.Visits.Config().OwnerMaxAge.Hours()/24, 1))}
	for _, col := range []string{"ticket", "service", "arrived_at", "called_at", "finished_at", "outcome", "counter", "channel", "mobile"} {
		v.Columns = append(v.Columns, k.LTR(col))
	}
	for _, b := range list {
		first, last := time.Unix(b.FirstArrival, 0), time.Unix(b.LastArrival, 0)
		arr := k.DateTime(first)
		if b.LastArrival != b.FirstArrival {
			arr += " " + k.t("until") + " " + k.DateTime(last)
		}
		v.Batches = append(v.Batches, batchRow{At: k.DateTime(time.Unix(b.RecordedAt, 0)), Visits: k.Int(int64(b.Visits)),
			Served: k.Int(int64(b.Served)), Arrivals: arr})
	}
	return v, nil
}

// uploadView is the page answering an upload.
type uploadView struct {
	Error                           string
	Rows, Accepted, Dupes, Refused  string
	Rejections                      []ownerRejectionRow
	More                            string // rejections past those listed
	Download                        template.URL
	DownloadName                    string
	RowsN, AcceptedN, DupesN, RefsN int
}

type ownerRejectionRow struct {
	Line   string
	Ticket template.HTML
	Status string
	Reason template.HTML
}

// uploadVisits is POST /dashboard/visits: a CSV of the owner's visits.
func (s *Server) uploadVisits(c *gin.Context) (any, error) {
	id, err := ownerOffice(c)
	if err != nil {
		return nil, err
	}
	k := s.kitOf(c)
	c.Header("Cache-Control", "no-store")
	answer := func(status int, v uploadView) (any, error) {
		return page{Status: status, Name: "dashboard_visits", Title: "visits_upload", Data: pageData{Data: v}}, nil
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return answer(http.StatusRequestEntityTooLarge, uploadView{Error: k.t("upload_too_large")})
		}
		return answer(http.StatusBadRequest, uploadView{Error: k.t("upload_choose_file")})
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep, err := s.Visits.Import(c.Request.Context(), f, visits.ImportOptions{OfficeID: id, MaxRows: ownerImportRows,
		// The file is stored with its audit event or not at all, as the CLI's import.
		BeforeCommit: func(ctx context.Context, tx *db.Tx, rep visits.ImportReport) error {
			return s.Audit.Record(ctx, tx, audit.Change{Action: "visits.import", Entity: "visits", EntityID: fh.Filename,
				After: map[string]any{"office_id": id, "rows": rep.Rows, "accepted": rep.Accepted, "duplicates": rep.Duplicates, "refused": rep.Refused}})
		}})
	if err != nil {
		de, ok := daftar.AsError(err)
		if !ok || (de.Kind != daftar.KindUnprocessable && de.Kind != daftar.KindTooLarge && de.Kind != daftar.KindInvalid) {
			return nil, err
		}
		msg := k.t("upload_err_" + de.Code)
		if msg == "upload_err_"+de.Code {
			msg = k.t("upload_unreadable")
		}
		return answer(statusOf(de.Kind), uploadView{Error: msg})
	}
	v := uploadView{Rows: k.Int(int64(rep.Rows)), Accepted: k.Int(int64(rep.Accepted)), Dupes: k.Int(int64(rep.Duplicates)),
		Refused: k.Int(int64(rep.Refused)), RowsN: rep.Rows, AcceptedN: rep.Accepted, DupesN: rep.Duplicates, RefsN: rep.Refused}
	table := reports.Table{Kind: "visit_rejections", TitleFa: "ردیف‌های پذیرفته‌نشده", TitleEn: "Rows not loaded",
		Columns: []reports.Column{{Key: "line", Fa: "سطر", En: "Line"}, {Key: "ticket", Fa: "نوبت", En: "Ticket"},
			{Key: "status", Fa: "وضعیت", En: "Status"}, {Key: "field", Fa: "ستون", En: "Column"}, {Key: "reason", Fa: "دلیل", En: "Reason"}}}
	for _, r := range rep.Rejections {
		reason := rejectionReason(k, r)
		v.Rejections = append(v.Rejections, ownerRejectionRow{Line: k.Int(int64(r.Line)), Ticket: k.LTR(r.Ticket), Status: k.t("visit_" + r.Status), Reason: k.Text(reason)})
		table.Rows = append(table.Rows, []any{float64(r.Line), r.Ticket, k.t("visit_" + r.Status), r.Field, reason})
	}
	if missing := rep.Refused + rep.Duplicates - len(rep.Rejections); missing > 0 {
		v.More = k.Int(int64(missing))
	}
	if len(table.Rows) > 0 {
		var buf bytes.Buffer
		if err := reports.WriteCSV(&buf, table, k.lang); err != nil {
			return nil, err
		}
		v.Download = template.URL("data:text/csv;charset=utf-8;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()))
		v.DownloadName = "visits-rejections.csv"
	}
	return answer(http.StatusOK, v)
}

// rejectionReason says why a row was not loaded, in the page's words:
// the column and what was wrong with it.
func rejectionReason(k kit, r visits.ImportRejection) string {
	what := k.t("visit_err_" + r.Field + "_" + r.Code) // the column's own words first
	if what == "visit_err_"+r.Field+"_"+r.Code {
		what = k.t("visit_err_" + r.Code)
	}
	if what == "visit_err_"+r.Code {
		what = k.t("visit_err_other")
	}
	col := k.t("visit_col_" + r.Field)
	if col == "visit_col_"+r.Field {
		col = r.Field
	}
	return strings.TrimSpace(col + ": " + what)
}
