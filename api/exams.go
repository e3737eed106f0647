package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/daftar-ir/daftar/reports"
	"github.com/gin-gonic/gin"
)

// Exam-result intake: POST a CSV or XLSX file, read the report, download the
// refused rows as a right-to-left spreadsheet. docs/exam-import.md.

type rejectionResponse struct {
	Row      int    `json:"row" doc:"the row's number in the file (the header is row 1 unless title rows stand above it)"`
	Column   string `json:"column" doc:"canonical column: national_code, first_name, last_name, gender, birth_date, exam_province, score, rank, result, preferences"`
	Header   string `json:"header" doc:"that column's header as written in the file"`
	Value    string `json:"value" doc:"the offending cell as read; national codes masked (******1234)"`
	Code     string `json:"code" doc:"machine-readable reason"`
	ReasonFa string `json:"reason_fa"`
	ReasonEn string `json:"reason_en"`
}

type examImportResponse struct {
	ID              *int64              `json:"id" doc:"null for a dry run"`
	Status          string              `json:"status" doc:"accepted (every row), partially_accepted, or refused (no row)"`
	ExamYear        int                 `json:"exam_year" doc:"Jalali year of the exam"`
	ScoreMax        float64             `json:"score_max" doc:"the scale the scores were read on: 0 to score_max"`
	ScoreScale      string              `json:"score_scale" doc:"where score_max came from: given (with the upload), header (written in the score column's header, e.g. نمره (از ۲۰)) or default (100)"`
	DryRun          bool                `json:"dry_run" doc:"true: validated and reported, nothing written"`
	ContentSHA256   string              `json:"content_sha256" doc:"the file's SHA-256: the same content is imported once"`
	FileName        string              `json:"file_name"`
	Format          string              `json:"format" doc:"csv or xlsx"`
	Encoding        string              `json:"encoding,omitempty" doc:"CSV: utf-8, utf-8-bom, utf-16le, utf-16be or windows-1256"`
	Sheet           string              `json:"sheet,omitempty" doc:"XLSX: the sheet asked for (empty: the first)"`
	HeaderRow       int                 `json:"header_row"`
	Rows            int                 `json:"rows" doc:"data rows read (blank rows skipped)"`
	Accepted        int                 `json:"accepted"`
	Refused         int                 `json:"refused"`
	Passed          int                 `json:"passed" doc:"accepted candidates who passed"`
	NotPassed       int                 `json:"not_passed" doc:"accepted candidates who did not pass (kept, state not_passed)"`
	IgnoredColumns  []string            `json:"ignored_columns" doc:"headers of columns Daftar does not read"`
	Rejections      []rejectionResponse `json:"rejections" doc:"one page of the reasons rows were refused, in row order"`
	RejectionsTotal int                 `json:"rejections_total"`
	Page            int                 `json:"page"`
	PageSize        int                 `json:"page_size"`
	RejectionsXLSX  *string             `json:"rejections_xlsx" doc:"where to download the refused rows as a spreadsheet; null for a dry run"`
	CreatedAt       time.Time           `json:"created_at"`
	CreatedAtJalali string              `json:"created_at_jalali"`
	CreatedBy       string              `json:"created_by"`
}

type examImportSummary struct {
	ID              int64     `json:"id"`
	Status          string    `json:"status"`
	ExamYear        int       `json:"exam_year"`
	ScoreMax        float64   `json:"score_max"`
	ContentSHA256   string    `json:"content_sha256"`
	FileName        string    `json:"file_name"`
	Format          string    `json:"format"`
	Rows            int       `json:"rows"`
	Accepted        int       `json:"accepted"`
	Refused         int       `json:"refused"`
	Passed          int       `json:"passed"`
	NotPassed       int       `json:"not_passed"`
	CreatedAt       time.Time `json:"created_at"`
	CreatedAtJalali string    `json:"created_at_jalali"`
	CreatedBy       string    `json:"created_by"`
}

func examImportOf(r licensing.Report, p Page) examImportResponse {
	out := examImportResponse{Status: r.Status, ExamYear: r.ExamYear, ScoreMax: r.ScoreMax, ScoreScale: r.ScoreScale, DryRun: r.DryRun, ContentSHA256: r.ContentSHA256,
		FileName: r.FileName, Format: string(r.Format), Encoding: r.Encoding, Sheet: r.Sheet, HeaderRow: r.HeaderRow,
		Rows: r.Rows, Accepted: r.Accepted, Refused: r.Refused, Passed: r.Passed, NotPassed: r.NotPassed,
		IgnoredColumns: r.IgnoredColumns, RejectionsTotal: r.RejectionsTotal, Page: p.Page, PageSize: p.PageSize,
		CreatedAt: utc(r.CreatedAt), CreatedAtJalali: jalali(r.CreatedAt), CreatedBy: r.CreatedBy,
		Rejections: make([]rejectionResponse, len(r.Rejections))}
	if out.IgnoredColumns == nil {
		out.IgnoredColumns = []string{}
	}
	if r.ID != 0 {
		id := r.ID
		out.ID = &id
		x := fmt.Sprintf("/api/v1/exam-imports/%d/rejections.xlsx", r.ID)
		out.RejectionsXLSX = &x
	}
	for i, j := range r.Rejections {
		out.Rejections[i] = rejectionResponse{Row: j.Row, Column: j.Column, Header: j.Header, Value: j.Value, Code: j.Code,
			ReasonFa: j.ReasonFa, ReasonEn: j.ReasonEn}
	}
	return out
}

var examImportQuery = append([]param{
	{Name: "exam_year", Type: "integer", Description: "Jalali year of the exam (default: the current year); also a form field"},
	{Name: "score_max", Type: "number", Description: "the top of the file's score scale: 100 for raw scores (the default), e.g. 12000 for standard scores (تراز); without it, a scale written in the score header (نمره (از ۲۰)) is used; also a form field"},
	{Name: "dry_run", Type: "boolean", Description: "validate and report without writing; also a form field"},
	{Name: "sheet", Type: "string", Description: "XLSX: the sheet to read (default: the first); also a form field"},
}, pageQuery...)

const rejectionsPageDefault, rejectionsPageMax = 1000, 10000

// createExamImport streams the multipart upload to a temporary file (the
// route's body limit answers 413 as soon as it is passed), then imports it.
func (s *Server) createExamImport(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(rejectionsPageDefault, rejectionsPageMax)
	up, err := readUpload(c, "file", "exam_year", "score_max", "dry_run", "sheet")
	defer up.close()
	if err != nil {
		return nil, err
	}
	in := licensing.ImportInput{Content: up.file, Size: up.size, FileName: up.name, RejectionsLimit: p.PageSize}
	if v := strings.TrimSpace(up.fields["exam_year"]); v != "" {
		n, err := daftar.ParseInt(v)
		if err != nil || n < 1 || n > 9999 {
			q.add("exam_year", "invalid", "must be a Jalali year like 1405")
		} else {
			in.ExamYear = int(n)
		}
	}
	if v := strings.TrimSpace(up.fields["score_max"]); v != "" {
		x, err := daftar.ParseFloat(v)
		if err != nil || licensing.CheckScoreMax(x) != nil {
			q.add("score_max", "invalid", "must be a number above 0 and at most 1,000,000 (100 for raw scores, e.g. 12000 for standard scores)")
		} else {
			in.ScoreMax = x
		}
	}
	if v := strings.TrimSpace(up.fields["dry_run"]); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			q.add("dry_run", "invalid", "must be true or false")
		}
		in.DryRun = b
	}
	if v := strings.TrimSpace(up.fields["sheet"]); v != "" {
		if len(v) > 100 {
			q.add("sheet", "too_long", "must be at most 100 bytes")
		}
		in.Sheet = v
	}
	if p.Page != 1 {
		q.add("page", "invalid", "an import answers with the first page of rejections; read more with GET")
	}
	if err := q.errAs("invalid_import", "the import request is not valid"); err != nil {
		return nil, err
	}
	rep, isNew, err := s.Exams.Import(c.Request.Context(), in)
	if err != nil {
		return nil, err
	}
	if isNew {
		return created(examImportOf(rep, p), fmt.Sprintf("/api/v1/exam-imports/%d", rep.ID)), nil
	}
	return examImportOf(rep, p), nil
}

// upload is a multipart form read: the one file, spooled to a temporary
// file, and the small fields asked for (the query's values, which the
// form's override).
type upload struct {
	file   *os.File
	size   int64
	name   string
	fields map[string]string
}

func (u upload) close() {
	if u.file != nil {
		u.file.Close()
		os.Remove(u.file.Name())
	}
}

// readUpload reads a multipart body with one file in the field fileField;
// other fields named in fields are kept (256 bytes at most), the rest are
// read past. The caller closes the upload, on error too.
func readUpload(c *gin.Context, fileField string, fields ...string) (upload, error) {
	up := upload{fields: map[string]string{}}
	for _, k := range fields {
		if v, ok := c.GetQuery(k); ok {
			up.fields[k] = v
		}
	}
	mr, err := c.Request.MultipartReader()
	if err != nil {
		return up, daftar.Invalid("multipart_required", "send the file as multipart/form-data in the field \""+fileField+"\"",
			daftar.Field(fileField, "required", "a CSV or XLSX file is required"))
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return up, uploadError(err)
		}
		err = up.readPart(part, fileField, fields)
		part.Close()
		if err != nil {
			return up, err
		}
	}
	if up.file == nil {
		return up, daftar.Invalid("file_required", "the form has no file", daftar.Field(fileField, "required", "a CSV or XLSX file is required"))
	}
	return up, nil
}

func (up *upload) readPart(part *multipart.Part, fileField string, fields []string) error {
	name, err := cleanName("form", part.FormName(), 100)
	if err != nil {
		return err
	}
	switch {
	case name == fileField:
		if up.file != nil {
			return daftar.Invalid("one_file", "send one file per import", daftar.Field(fileField, "repeated", "only one file"))
		}
		fileName, err := cleanName(fileField, part.FileName(), 255)
		if err != nil {
			return err
		}
		tmp, err := os.CreateTemp("", "daftar-upload-*")
		if err != nil {
			return err
		}
		up.file, up.name = tmp, fileName
		if up.size, err = io.Copy(tmp, part); err != nil {
			return uploadError(err)
		}
	case slices.Contains(fields, name):
		v, err := io.ReadAll(io.LimitReader(part, 256))
		if err != nil {
			return uploadError(err)
		}
		up.fields[name] = string(v)
	default:
		if _, err := io.Copy(io.Discard, part); err != nil {
			return uploadError(err)
		}
	}
	return nil
}

// uploadError classifies a failure reading the upload: over the limit
// (413), the client gone or the request past its deadline (passed on), and
// anything else the multipart reader or the body says (a header line
// without a colon, a part cut short, a bad boundary) is a malformed body:
// the caller's mistake, 400.
func uploadError(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return daftar.TooLarge("upload_too_large", fmt.Sprintf("the upload is larger than %d bytes", mbe.Limit))
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return daftar.Invalid("malformed_multipart", "the multipart body is malformed or cut short")
}

// cleanName is a part's name as sent, refused when it holds control
// characters (a NUL, a CR or LF) or is too long: such a name could never
// be stored or shown as it is.
func cleanName(field, name string, maxLen int) (string, error) {
	if len(name) > maxLen || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", daftar.Invalid("malformed_multipart", "a part of the multipart body has a name that is not valid",
			daftar.Field(field, "invalid_name", fmt.Sprintf("names are at most %d bytes of text without control characters", maxLen)))
	}
	return name, nil
}

func (s *Server) getExamImport(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	q := s.query(c)
	p := q.page(rejectionsPageDefault, rejectionsPageMax)
	if err := q.err(); err != nil {
		return nil, err
	}
	rep, err := s.Exams.Get(c.Request.Context(), id, p.Offset(), p.PageSize)
	if err != nil {
		return nil, err
	}
	return examImportOf(rep, p), nil
}

var examImportsQuery = append([]param{{Name: "exam_year", Type: "integer"}}, pageQuery...)

func (s *Server) listExamImports(c *gin.Context) (any, error) {
	q := s.query(c)
	p := q.page(50, 200)
	f := licensing.ImportFilter{Limit: p.PageSize, Offset: p.Offset(), ExamYear: int(q.intIn("exam_year", 1, 9999))}
	if err := q.err(); err != nil {
		return nil, err
	}
	list, total, err := s.Exams.List(c.Request.Context(), f)
	if err != nil {
		return nil, err
	}
	out := make([]examImportSummary, len(list))
	for i, r := range list {
		out[i] = examImportSummary{ID: r.ID, Status: r.Status, ExamYear: r.ExamYear, ScoreMax: r.ScoreMax, ContentSHA256: r.ContentSHA256,
			FileName: r.FileName, Format: string(r.Format), Rows: r.Rows, Accepted: r.Accepted, Refused: r.Refused,
			Passed: r.Passed, NotPassed: r.NotPassed, CreatedAt: utc(r.CreatedAt), CreatedAtJalali: jalali(r.CreatedAt),
			CreatedBy: r.CreatedBy}
	}
	return listOf(out, p, total), nil
}

var rejectionsXLSXQuery = []param{{Name: "reveal", Type: "string", Enum: []string{"national_code"},
	Description: "admins only, audited: full national codes instead of masked ones"}}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// examRejectionsXLSX answers the refused rows as a right-to-left workbook.
func (s *Server) examRejectionsXLSX(c *gin.Context) (any, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	reveal, err := revealOf(c)
	if err != nil {
		return nil, err
	}
	rf, err := s.Exams.RefusedRows(c.Request.Context(), id, reveal)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := reports.WriteExamRejections(&buf, rf); err != nil {
		return nil, err
	}
	return file{ContentType: xlsxType, Name: fmt.Sprintf("exam-import-%d-rejections.xlsx", id), Data: buf.Bytes()}, nil
}

// revealOf reads ?reveal=national_code, which only admins may send.
func revealOf(c *gin.Context) (bool, error) {
	v, ok := c.GetQuery("reveal")
	if !ok {
		return false, nil
	}
	if v != "national_code" {
		return false, daftar.Invalid("invalid_query", "the query is not valid",
			daftar.Field("reveal", "invalid", "the only value is national_code"))
	}
	if a, _ := daftar.ActorFrom(c.Request.Context()); a.Role != daftar.RoleAdmin {
		return false, daftar.Forbidden("reveal_forbidden", "only admins may see full national codes")
	}
	return true, nil
}
