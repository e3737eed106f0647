package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/gin-gonic/gin"
)

// /admin/imports: an exam-result file is checked first (a dry run: nothing
// is written) and imported only once checked, both by POST
// /api/v1/exam-imports's service call; every import's report and refused
// rows stay readable (GET /api/v1/exam-imports/{id}).

type importRow struct {
	ID                                    int64
	Name, Format, Status, StatusClass     string
	Year, Rows, Accepted, Refused, Passed string
	When, By                              string
}

type rejectionRow struct {
	Row, Column, Value, Reason string
}

type importReport struct {
	ID                                     int64
	DryRun                                 bool
	Name, Status, StatusClass, Format, SHA string
	Encoding, Sheet, HeaderRow, Year       string
	ScoreMax, ScoreScale                   string
	Rows, Accepted, Refused, Passed, NotP  string
	Ignored                                []string
	When, By                               string
	Rejections                             []rejectionRow
	RejectionsTotal                        string
	Pager                                  pager
	XLSX, CandidatesHref                   string
}

type importsData struct {
	staffForm
	History     []importRow
	Pager       pager
	Report      *importReport
	CheckedSHA  string // the checked file's SHA-256: the import step needs the same file
	CurrentYear string
}

// importMemory is how much of an upload is held in memory; the rest of it
// waits in a temporary file (the route's body limit bounds the whole).
const importMemory = 8 << 20

func (s *Server) adminImports(c *gin.Context) { s.staffPage(s.importsPage)(c) }

func (s *Server) importsPage(c *gin.Context, v *staffView) (staffResult, error) {
	return s.buildImports(c, v, v.notice(), http.StatusOK, nil, "")
}

func (s *Server) buildImports(c *gin.Context, v *staffView, form staffForm, status int, rep *importReport, checked string) (staffResult, error) {
	p, fe := pageOf(c, 20, 200)
	if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
		return staffResult{}, err
	}
	list, total, err := s.Exams.List(c.Request.Context(), licensing.ImportFilter{Limit: p.PageSize, Offset: p.Offset()})
	if err != nil {
		return staffResult{}, err
	}
	d := importsData{staffForm: form, Pager: v.pager(p, total), Report: rep, CheckedSHA: checked,
		CurrentYear: v.digits(strconv.Itoa(s.Exams.CurrentExamYear()))}
	if d.Form == nil {
		d.Form = map[string]string{"exam_year": d.CurrentYear}
	}
	for _, r := range list {
		d.History = append(d.History, importRow{ID: r.ID, Name: r.FileName, Format: v.word("format_", string(r.Format)),
			Status: v.word("import_status_", r.Status), StatusClass: importBadge(r.Status), Year: v.digits(strconv.Itoa(r.ExamYear)),
			Rows: v.count(int64(r.Rows)), Accepted: v.count(int64(r.Accepted)), Refused: v.count(int64(r.Refused)),
			Passed: v.count(int64(r.Passed)), When: v.dateTime(r.CreatedAt), By: r.CreatedBy})
	}
	return staffResult{status: status, page: "admin_imports", title: "imports_title", data: d}, nil
}

// reportOf lays out an import's report; p pages its rejections.
func (v *staffView) reportOf(r licensing.Report, p Page) *importReport {
	out := &importReport{ID: r.ID, DryRun: r.DryRun, Name: r.FileName, Status: v.word("import_status_", r.Status), StatusClass: importBadge(r.Status),
		Format: v.word("format_", string(r.Format)), SHA: short(r.ContentSHA256), Encoding: r.Encoding, Sheet: r.Sheet,
		HeaderRow: v.count(int64(r.HeaderRow)), Year: v.digits(strconv.Itoa(r.ExamYear)), ScoreMax: v.num(r.ScoreMax, 2),
		ScoreScale: v.word("score_scale_", r.ScoreScale), Rows: v.count(int64(r.Rows)), Accepted: v.count(int64(r.Accepted)),
		Refused: v.count(int64(r.Refused)), Passed: v.count(int64(r.Passed)), NotP: v.count(int64(r.NotPassed)),
		Ignored: r.IgnoredColumns, RejectionsTotal: v.count(int64(r.RejectionsTotal)), Pager: v.pager(p, int64(r.RejectionsTotal))}
	if !r.DryRun {
		out.When, out.By = v.dateTime(r.CreatedAt), r.CreatedBy
		id := strconv.FormatInt(r.ID, 10)
		out.XLSX = "/api/v1/exam-imports/" + id + "/rejections.xlsx"
		out.CandidatesHref = "/admin/candidates?import_id=" + id
	}
	for _, j := range r.Rejections {
		col := j.Header
		if col == "" {
			col = v.word("column_", j.Column)
		}
		out.Rejections = append(out.Rejections, rejectionRow{Row: v.count(int64(j.Row)), Column: col, Value: j.Value,
			Reason: nameIn(v.lang, j.ReasonFa, j.ReasonEn)})
	}
	return out
}

// adminImport is one import's report with a page of its refused rows.
func (s *Server) adminImport(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		id, err := pathID(c, "id")
		if err != nil {
			return staffResult{}, err
		}
		p, fe := pageOf(c, 100, 1000)
		if err := fe.Err(daftar.KindInvalid, "invalid_query", "the query is not valid"); err != nil {
			return staffResult{}, err
		}
		rep, err := s.Exams.Get(c.Request.Context(), id, p.Offset(), p.PageSize)
		if err != nil {
			return staffResult{}, err
		}
		return staffResult{page: "admin_import", title: "import_report", data: struct {
			staffForm
			Report *importReport
		}{v.notice(), v.reportOf(rep, p)}}, nil
	})(c)
}

// uploadImport is the upload form: step "check" is a dry run; step
// "import" writes, and only the file that was checked (by its SHA-256).
func (s *Server) uploadImport(c *gin.Context) {
	s.staffPage(func(c *gin.Context, v *staffView) (staffResult, error) {
		v.at("/admin/imports")
		c.Request.URL.RawQuery = ""
		in, form, cleanup, err := s.importForm(c)
		defer cleanup()
		refuse := func(err error, checked string) (staffResult, error) {
			f, status, err := v.refused(err, "upload", form)
			if err != nil {
				return staffResult{}, err
			}
			return s.buildImports(c, v, f, status, nil, checked)
		}
		if err != nil {
			return refuse(err, form["checked_sha"])
		}
		importing := form["step"] == "import"
		if importing {
			sum, err := fileSHA(in.Content, in.Size)
			if err != nil {
				return staffResult{}, err
			}
			if form["checked_sha"] == "" || sum != form["checked_sha"] {
				return refuse(daftar.Invalid("import_not_checked", "check this file before importing it",
					daftar.Field("file", "not_checked", "check the file first")), "")
			}
		}
		in.DryRun = !importing
		in.RejectionsLimit = 100
		rep, created, err := s.Exams.Import(c.Request.Context(), in)
		if err != nil {
			return refuse(err, form["checked_sha"])
		}
		if !importing {
			f := staffForm{Form: form}
			return s.buildImports(c, v, f, http.StatusOK, v.reportOf(rep, Page{Page: 1, PageSize: 100}), rep.ContentSHA256)
		}
		key := "imported"
		if !created {
			key = "already_imported"
		}
		return done("/admin/imports/"+strconv.FormatInt(rep.ID, 10), key, v.lang), nil
	})(c)
}

// importForm reads the upload: the file and the fields beside it, as
// the API route reads them (exam year, score scale, sheet).
func (s *Server) importForm(c *gin.Context) (licensing.ImportInput, map[string]string, func(), error) {
	none := func() {}
	form := map[string]string{}
	if err := c.Request.ParseMultipartForm(importMemory); err != nil {
		if errors.Is(err, http.ErrNotMultipart) || errors.Is(err, http.ErrMissingBoundary) {
			return licensing.ImportInput{}, form, none, daftar.Invalid("file_required", "the form has no file",
				daftar.Field("file", "required", "a CSV or XLSX file is required"))
		}
		return licensing.ImportInput{}, form, none, uploadError(err)
	}
	cleanup := func() { c.Request.MultipartForm.RemoveAll() }
	for _, k := range []string{"exam_year", "score_max", "sheet", "step", "checked_sha"} {
		val := strings.TrimSpace(c.Request.PostFormValue(k))
		if len([]rune(val)) > 100 {
			val = string([]rune(val)[:100])
		}
		form[k] = val
	}
	var fe daftar.FieldErrors
	in := licensing.ImportInput{}
	if n := intField(&fe, form, "exam_year", 1, 9999); n != nil {
		in.ExamYear = int(*n)
	}
	if x := floatField(&fe, form, "score_max", 0, 1_000_000); x != nil {
		if licensing.CheckScoreMax(*x) != nil {
			fe.Add("score_max", "out_of_range", "must be above 0 and at most 1,000,000")
		} else {
			in.ScoreMax = *x
		}
	}
	in.Sheet = form["sheet"]
	f, h, err := c.Request.FormFile("file")
	if err != nil {
		fe.Add("file", "required", "a CSV or XLSX file is required")
	} else {
		in.Content, in.Size, in.FileName = f, h.Size, h.Filename
		prev := cleanup
		cleanup = func() { f.Close(); prev() }
	}
	return in, form, cleanup, fe.Err(daftar.KindInvalid, "invalid_import", "the import request is not valid")
}

// fileSHA is the SHA-256 of an upload, as the import records it.
func fileSHA(r io.ReaderAt, size int64) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
