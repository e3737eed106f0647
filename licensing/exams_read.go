package licensing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

// Stored imports: the import record, its reports, its rejections and its
// refused rows.

// examImport is the stored import.
type examImport struct {
	ID             int64     `gorm:"column:id;primaryKey"`
	ContentSHA256  string    `gorm:"column:content_sha256"`
	ExamYear       int       `gorm:"column:exam_year"`
	FileName       string    `gorm:"column:file_name"`
	Format         string    `gorm:"column:format"`
	Encoding       string    `gorm:"column:encoding"`
	Sheet          string    `gorm:"column:sheet"`
	Status         string    `gorm:"column:status"`
	RowsRead       int       `gorm:"column:rows_read"`
	Accepted       int       `gorm:"column:accepted"`
	Refused        int       `gorm:"column:refused"`
	Passed         int       `gorm:"column:passed"`
	NotPassed      int       `gorm:"column:not_passed"`
	HeaderRow      int       `gorm:"column:header_row"`
	Header         string    `gorm:"column:header"`
	ColumnMap      string    `gorm:"column:column_map"`
	IgnoredColumns string    `gorm:"column:ignored_columns"`
	ScoreMax       float64   `gorm:"column:score_max"`
	ScoreScale     string    `gorm:"column:score_scale"`
	CreatedBy      string    `gorm:"column:created_by"`
	CreatedAt      time.Time `gorm:"column:created_at"`
}

func (examImport) TableName() string { return "exam_imports" }

// header is the file's header row as stored.
func (imp examImport) header() []string {
	var header []string
	json.Unmarshal([]byte(imp.Header), &header)
	return header
}

// columns maps each canonical column name to its index in the header.
func (imp examImport) columns() map[string]int {
	var cols map[string]int
	json.Unmarshal([]byte(imp.ColumnMap), &cols)
	return cols
}

// Get returns a stored import's report with a page of its rejections
// (limit 0: all of them).
func (e *Exams) Get(ctx context.Context, id int64, offset, limit int) (Report, error) {
	imp, err := e.importRecord(ctx, id)
	if err != nil {
		return Report{}, err
	}
	rep := reportOf(imp)
	var total int64
	if err := e.db.WithContext(ctx).Table("exam_import_rejections").Where("import_id = ?", id).Count(&total).Error; err != nil {
		return Report{}, err
	}
	rep.RejectionsTotal = int(total)
	rep.Rejections, err = e.rejections(ctx, imp, offset, limit)
	return rep, err
}

// importRecord reads one stored import.
func (e *Exams) importRecord(ctx context.Context, id int64) (examImport, error) {
	var imp examImport
	if err := e.db.WithContext(ctx).Where("id = ?", id).Take(&imp).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return examImport{}, daftar.NotFound("exam_import_not_found", "no such exam import")
		}
		return examImport{}, err
	}
	return imp, nil
}

type rejectionRow struct {
	RowNumber  int    `gorm:"column:row_number"`
	ColumnName string `gorm:"column:column_name"`
	Value      string `gorm:"column:value"`
	Code       string `gorm:"column:code"`
	ReasonFa   string `gorm:"column:reason_fa"`
	ReasonEn   string `gorm:"column:reason_en"`
}

func (e *Exams) rejections(ctx context.Context, imp examImport, offset, limit int) ([]Rejection, error) {
	q := e.db.WithContext(ctx).Table("exam_import_rejections").Where("import_id = ?", imp.ID).Order("seq").Offset(offset)
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []rejectionRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	headers := headerByColumn(imp)
	out := make([]Rejection, len(rows))
	for i, x := range rows {
		out[i] = Rejection{Row: x.RowNumber, Column: x.ColumnName, Header: headers[x.ColumnName], Value: x.Value,
			Code: x.Code, ReasonFa: x.ReasonFa, ReasonEn: x.ReasonEn}
	}
	return out, nil
}

// headerByColumn maps each canonical column name to its header in the file.
func headerByColumn(imp examImport) map[string]string {
	header := imp.header()
	out := map[string]string{}
	for name, i := range imp.columns() {
		if i >= 0 && i < len(header) {
			out[name] = strings.TrimSpace(header[i])
		}
	}
	return out
}

func reportOf(imp examImport) Report {
	rep := Report{ID: imp.ID, Status: imp.Status, ExamYear: imp.ExamYear, ScoreMax: imp.ScoreMax, ScoreScale: imp.ScoreScale, ContentSHA256: imp.ContentSHA256, FileName: imp.FileName,
		Format: Format(imp.Format), Encoding: imp.Encoding, Sheet: imp.Sheet, HeaderRow: imp.HeaderRow, Rows: imp.RowsRead,
		Accepted: imp.Accepted, Refused: imp.Refused, Passed: imp.Passed, NotPassed: imp.NotPassed, CreatedAt: imp.CreatedAt.UTC(),
		CreatedBy: imp.CreatedBy, Rejections: []Rejection{}}
	json.Unmarshal([]byte(imp.IgnoredColumns), &rep.IgnoredColumns)
	rep.IgnoredColumns = nonNil(rep.IgnoredColumns)
	return rep
}

// ImportFilter selects imports.
type ImportFilter struct {
	ExamYear      int
	Limit, Offset int
}

// List returns imports newest first (without their rejections).
func (e *Exams) List(ctx context.Context, f ImportFilter) ([]Report, int64, error) {
	q := e.db.WithContext(ctx).Model(&examImport{})
	if f.ExamYear != 0 {
		q = q.Where("exam_year = ?", f.ExamYear)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []examImport
	if err := q.Order("id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]Report, len(rows))
	for i, imp := range rows {
		out[i] = reportOf(imp)
		out[i].RejectionsTotal = -1
	}
	return out, total, nil
}

// RefusedRow is one refused row of a file: its original cells and every
// reason.
type RefusedRow struct {
	Row        int
	Cells      []string
	Rejections []Rejection
}

// RefusedFile is what rejections.xlsx shows: the file's header and its
// refused rows.
type RefusedFile struct {
	Report Report
	Header []string
	// NationalCodeColumn is the index of the national code in Header and
	// Cells (-1 if none).
	NationalCodeColumn int
	Rows               []RefusedRow
	Revealed           bool
}

// RefusedRows returns the refused rows of an import with their original
// cells. National codes are masked unless reveal is set, which only admins
// may ask for, and which is audited.
func (e *Exams) RefusedRows(ctx context.Context, id int64, reveal bool) (RefusedFile, error) {
	if reveal {
		if a, ok := daftar.ActorFrom(ctx); !ok || a.Role != daftar.RoleAdmin {
			return RefusedFile{}, daftar.Forbidden("reveal_forbidden", "only admins may see full national codes")
		}
	}
	imp, err := e.importRecord(ctx, id)
	if err != nil {
		return RefusedFile{}, err
	}
	out := RefusedFile{Report: reportOf(imp), NationalCodeColumn: -1, Revealed: reveal, Header: imp.header()}
	cols := imp.columns()
	if i, ok := cols[fieldSpecs[fNationalCode].name]; ok {
		out.NationalCodeColumn = i
	}
	rejs, err := e.rejections(ctx, imp, 0, 0)
	if err != nil {
		return RefusedFile{}, err
	}
	out.Report.Rejections, out.Report.RejectionsTotal = rejs, len(rejs)
	var stored []struct {
		RowNumber int    `gorm:"column:row_number"`
		Cells     []byte `gorm:"column:cells"`
	}
	if err := e.db.WithContext(ctx).Table("exam_import_refused_rows").Where("import_id = ?", id).Order("row_number").
		Find(&stored).Error; err != nil {
		return RefusedFile{}, err
	}
	numeric := map[int]bool{} // score and rank: long digit runs there are not codes
	for _, f := range []field{fScore, fRank} {
		if i, ok := cols[fieldSpecs[f].name]; ok {
			numeric[i] = true
		}
	}
	byRow := map[int][]Rejection{}
	for _, j := range rejs {
		byRow[j.Row] = append(byRow[j.Row], j)
	}
	for _, s := range stored {
		plain, err := e.codes.openBlob(s.Cells, refusedRowAAD(id, s.RowNumber))
		if err != nil {
			return RefusedFile{}, fmt.Errorf("licensing: refused row %d of import %d: %w", s.RowNumber, id, err)
		}
		var cells []string
		if err := json.Unmarshal(plain, &cells); err != nil {
			return RefusedFile{}, err
		}
		if !reveal {
			for i := range cells {
				switch {
				case i == out.NationalCodeColumn:
					cells[i] = daftar.MaskNationalCode(cells[i])
				case !numeric[i]:
					cells[i] = MaskDigitRuns(cells[i])
				}
			}
		}
		out.Rows = append(out.Rows, RefusedRow{Row: s.RowNumber, Cells: cells, Rejections: byRow[s.RowNumber]})
	}
	if reveal {
		err := e.db.Tx(ctx, func(tx *gorm.DB) error {
			return e.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "exam_import.reveal_refused_rows", Entity: "exam_import",
				EntityID: id, After: map[string]any{"rows": len(out.Rows)}})
		})
		if err != nil {
			return RefusedFile{}, err
		}
	}
	return out, nil
}
