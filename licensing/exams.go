package licensing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

// ExamConfig configures exam-result intake.
type ExamConfig struct {
	// MaxRows caps the data rows of one file (default 100,000); a longer
	// file is refused as a whole.
	MaxRows int
	// ScoreMax is the top of the score scale (default 100).
	ScoreMax float64
	// BatchRows is how many candidates travel together from the parser to
	// the writer (default 1,000).
	BatchRows int
	// OpenXLSX reads XLSX workbooks (reports.XLSXRows); without it XLSX
	// uploads are refused.
	OpenXLSX XLSXOpener
	Log      *slog.Logger
}

func (c ExamConfig) withDefaults() ExamConfig {
	if c.MaxRows <= 0 {
		c.MaxRows = 100_000
	}
	if c.ScoreMax <= 0 {
		c.ScoreMax = 100
	}
	if c.BatchRows <= 0 {
		c.BatchRows = 1000
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Exams takes in the assessment organisation's result files.
type Exams struct {
	db    *db.DB
	clock daftar.Clock
	audit *audit.Log
	gaz   *geo.Gazetteer
	codes *NationalCodes
	cfg   ExamConfig

	// failWrite, in tests, makes the writing transaction fail: it is called
	// with the number of candidates handed to the database so far.
	failWrite func(written int) error
}

// NewExams returns the intake service.
func NewExams(d *db.DB, clock daftar.Clock, a *audit.Log, gaz *geo.Gazetteer, codes *NationalCodes, cfg ExamConfig) *Exams {
	return &Exams{db: d, clock: clock, audit: a, gaz: gaz, codes: codes, cfg: cfg.withDefaults()}
}

// Config returns the effective configuration.
func (e *Exams) Config() ExamConfig { return e.cfg }

// Gazetteer returns the regions names are matched against.
func (e *Exams) Gazetteer() *geo.Gazetteer { return e.gaz }

// Import statuses.
const (
	ImportAccepted          = "accepted"           // every row accepted
	ImportPartiallyAccepted = "partially_accepted" // some rows refused
	ImportRefused           = "refused"            // no row accepted
)

// ImportInput is one file to take in.
type ImportInput struct {
	Content  io.ReaderAt
	Size     int64
	FileName string
	// ExamYear is the Jalali year of the exam; 0 means the current year.
	ExamYear int
	// Sheet names the XLSX sheet to read; "" reads the first.
	Sheet  string
	DryRun bool
	// RejectionsLimit bounds the rejections returned in the report (0: all).
	RejectionsLimit int
	// Progress, when set, is told the number of data rows read so far (from
	// the parsing goroutine, every 1,000 rows and at the end).
	Progress func(rows int)
}

// Report is what an import did.
type Report struct {
	ID              int64 // 0 for a dry run
	Status          string
	ExamYear        int
	DryRun          bool
	ContentSHA256   string
	FileName        string
	Format          Format
	Encoding        string // CSV only
	Sheet           string // XLSX only
	HeaderRow       int
	Rows            int // data rows read (blank rows are skipped)
	Accepted        int
	Refused         int
	Passed          int // accepted rows with result passed
	NotPassed       int
	IgnoredColumns  []string
	Rejections      []Rejection
	RejectionsTotal int
	CreatedAt       time.Time
	CreatedBy       string
}

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
	CreatedBy      string    `gorm:"column:created_by"`
	CreatedAt      time.Time `gorm:"column:created_at"`
}

func (examImport) TableName() string { return "exam_imports" }

// examImportLockKey serialises imports on PostgreSQL (SQLite has one writer).
const examImportLockKey = 727003

// CurrentExamYear is the Jalali year of now.
func (e *Exams) CurrentExamYear() int { return daftar.ToJalali(e.clock.Now()).Year }

// CheckExamYear refuses a year outside 1390 to next year.
func (e *Exams) CheckExamYear(y int) error {
	cur := e.CurrentExamYear()
	if y < 1390 || y > cur+1 {
		return daftar.Invalid("invalid_exam_year", "the exam year is not valid",
			daftar.Field("exam_year", "out_of_range", fmt.Sprintf("must be a Jalali year from 1390 to %d", cur+1)))
	}
	return nil
}

// Import takes in one file: it reads, normalises and validates every row and
// writes the accepted candidates, the import record and what was refused in
// one transaction. The same content again (by SHA-256, and for XLSX the same
// sheet asked for) returns the first import's report and writes nothing
// (created is false); a dry run writes nothing and is not remembered.
//
// A file Daftar cannot read (not a spreadsheet, damaged, no header, missing
// columns, over the row cap) is an unprocessable error and writes nothing.
func (e *Exams) Import(ctx context.Context, in ImportInput) (rep Report, created bool, err error) {
	if in.ExamYear == 0 {
		in.ExamYear = e.CurrentExamYear()
	}
	if err := e.CheckExamYear(in.ExamYear); err != nil {
		return Report{}, false, err
	}
	in.FileName = cleanFileName(in.FileName)
	c, err := scanContent(ctx, in.Content, in.Size)
	if err != nil {
		return Report{}, false, err
	}
	if f, err := sniff(c.head); err != nil {
		return Report{}, false, err
	} else if f != FormatXLSX {
		in.Sheet = ""
	}
	if !in.DryRun {
		if id, ok, err := e.importByHash(e.db.WithContext(ctx), c.sha256, in.Sheet); err != nil {
			return Report{}, false, err
		} else if ok {
			rep, err := e.Get(ctx, id, 0, in.RejectionsLimit)
			return rep, false, err
		}
	}
	r, err := e.openRun(ctx, in, c)
	if err != nil {
		return Report{}, false, err
	}
	defer r.close()
	if in.DryRun {
		return e.dryRun(ctx, r)
	}
	return e.write(ctx, r)
}

func cleanFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" {
		name = ""
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	return name
}

// importRun is one file being read.
type importRun struct {
	e         *Exams
	in        ImportInput
	c         content
	format    Format
	encoding  string
	sheet     string
	open      func() (RowSource, error)
	src       RowSource
	cm        columnMap
	headerRow int
	rowNum    int // the file row number of the last row read
	parser    *rowParser

	existing map[string]int64 // keyed hash → import of the candidate already in the exam year
	seen     map[uint64]seenRow
	dups     map[uint64][]int
	rejs     []Rejection
	refused  map[int][]string // original cells of refused rows (writes only)

	rows, accepted, passed, notPassed int

	seal   bool
	nonces nonces
}

type seenRow struct {
	row      int32
	accepted bool
	passed   bool
}

func (r *importRun) close() {
	if r.src != nil {
		r.src.Close()
	}
}

// openRun sniffs the format, opens the rows and finds the header.
func (e *Exams) openRun(ctx context.Context, in ImportInput, c content) (*importRun, error) {
	format, err := sniff(c.head)
	if err != nil {
		return nil, err
	}
	r := &importRun{e: e, in: in, c: c, format: format, seen: map[uint64]seenRow{}, dups: map[uint64][]int{},
		refused: map[int][]string{}, seal: !in.DryRun}
	switch format {
	case FormatXLSX:
		if e.cfg.OpenXLSX == nil {
			return nil, unreadable("xlsx_not_supported", "XLSX files are not accepted by this server; upload CSV")
		}
		r.sheet = in.Sheet
		r.open = func() (RowSource, error) {
			return safeOpen(func() (RowSource, error) { return e.cfg.OpenXLSX(in.Content, in.Size, in.Sheet) })
		}
	default:
		r.encoding = detectEncoding(c)
		r.open = func() (RowSource, error) {
			return OpenCSV(io.NewSectionReader(in.Content, 0, in.Size), r.encoding)
		}
	}
	if r.src, err = r.open(); err != nil {
		return nil, err
	}
	if err := r.readHeader(); err != nil {
		r.close()
		return nil, err
	}
	r.parser = newRowParser(e.gaz, e.codes, r.cm, in.ExamYear, e.cfg.ScoreMax)
	return r, nil
}

func safeOpen(open func() (RowSource, error)) (src RowSource, err error) {
	defer func() {
		if p := recover(); p != nil {
			e := unreadable("unreadable_file", "the file could not be read: it is damaged or not a spreadsheet")
			e.Err = fmt.Errorf("panic while opening: %v", p)
			src, err = nil, e
		}
	}()
	return open()
}

// headerSearchRows is how many non-blank rows may stand above the header
// (a title, a date line).
const headerSearchRows = 10

// readHeader finds the header: the first row, among the first non-blank
// ones, that names at least two known columns.
func (r *importRun) readHeader() error {
	nonBlank := 0
	bestKnown, bestErr := 0, error(nil)
	for nonBlank < headerSearchRows {
		ok, err := safeNext(r.src)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		r.rowNum = nextRowNumber(r.src, r.rowNum)
		cells := r.src.Row()
		if isBlank(cells) {
			continue
		}
		nonBlank++
		cm, known, err := mapHeader(cells)
		if known >= 2 {
			if err != nil {
				return err
			}
			r.cm, r.headerRow = cm, r.rowNum
			return nil
		}
		if known > bestKnown {
			bestKnown, bestErr = known, err
		}
	}
	if nonBlank == 0 {
		return unreadable("empty_file", "the file has no rows")
	}
	if bestErr != nil {
		return bestErr
	}
	names := make([]string, 0, numFields)
	for _, s := range fieldSpecs {
		if s.required {
			names = append(names, s.fa+" ("+s.name+")")
		}
	}
	return unreadable("no_header", "no header row was found: the first row must name the columns, e.g. "+strings.Join(names, ", "))
}

// tooManyRows refuses a file over the row cap.
func (r *importRun) tooManyRows() error {
	return unreadable("too_many_rows", fmt.Sprintf("the file has more than %d rows; split it into smaller files", r.e.cfg.MaxRows))
}

// stream reads every data row, deciding each; accepted candidates go to
// emit. It owns the run's state until it returns.
func (r *importRun) stream(ctx context.Context, emit func(*candidateRow) error) error {
	p := r.parser
	for {
		ok, err := safeNext(r.src)
		if err != nil {
			if de, isDe := daftar.AsError(err); isDe && de.Kind == daftar.KindUnprocessable {
				de.Message += fmt.Sprintf(" (after row %d)", r.rowNum)
			}
			return err
		}
		if !ok {
			break
		}
		r.rowNum = nextRowNumber(r.src, r.rowNum)
		cells := r.src.Row()
		if isBlank(cells) {
			continue
		}
		r.rows++
		if r.rows > r.e.cfg.MaxRows {
			return r.tooManyRows()
		}
		if r.rows%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if r.in.Progress != nil {
				r.in.Progress(r.rows)
			}
		}
		p.rejs = p.rejs[:0]
		cand, key, codeOK := p.parse(r.rowNum, cells)
		refused := len(p.rejs) > 0
		dup := false
		if codeOK {
			if first, ok := r.seen[key]; ok {
				dup = true
				if r.dups[key] == nil {
					r.dups[key] = []int{int(first.row)}
				}
				r.dups[key] = append(r.dups[key], r.rowNum)
			}
		}
		if codeOK && !refused && !dup {
			if imp, ok := r.existing[cand.hash]; ok {
				y := strconv.Itoa(r.in.ExamYear)
				p.reject(r.rowNum, fNationalCode, cand.code, "already_imported",
					"این داوطلب پیش‌تر برای آزمون سال "+daftar.PersianDigits(y)+" وارد شده است (ورود شمارهٔ "+fa(int(imp))+")",
					"this candidate was already imported for exam year "+y+" (import "+strconv.FormatInt(imp, 10)+")")
				refused = true
			}
		}
		accepted := !refused && !dup
		if codeOK && !dup {
			r.seen[key] = seenRow{row: int32(r.rowNum), accepted: accepted, passed: cand.result == ResultPassed}
		}
		if !accepted {
			r.rejs = append(r.rejs, p.rejs...)
			if r.seal {
				r.keepCells(r.rowNum, cells)
			}
			continue
		}
		if r.seal {
			nonce, err := r.nonces.next()
			if err != nil {
				return err
			}
			cand.enc = r.e.codes.seal(cand.code, cand.hash, nonce)
		}
		r.accepted++
		if cand.result == ResultPassed {
			r.passed++
		} else {
			r.notPassed++
		}
		if err := emit(&cand); err != nil {
			return err
		}
	}
	if r.in.Progress != nil {
		r.in.Progress(r.rows)
	}
	if r.rows == 0 {
		return unreadable("no_rows", "the file has a header but no rows")
	}
	return nil
}

// keepCells keeps a refused row's original cells (as wide as the header).
func (r *importRun) keepCells(row int, cells []string) {
	n := min(len(cells), max(len(r.cm.header), 1))
	r.refused[row] = append([]string(nil), cells[:n]...)
}

// settleDuplicates refuses every row of each national code met more than
// once, naming the other rows. It returns the keyed hashes of the first rows
// that had been accepted (and written) and the row numbers whose cells must
// be read again.
func (r *importRun) settleDuplicates() (unwrite []string, reread []int) {
	keys := make([]uint64, 0, len(r.dups))
	for k := range r.dups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return r.dups[keys[i]][0] < r.dups[keys[j]][0] })
	for _, k := range keys {
		rows := r.dups[k]
		code := fmt.Sprintf("%010d", k)
		for i, row := range rows {
			others := make([]string, 0, len(rows)-1)
			othersFa := make([]string, 0, len(rows)-1)
			for j, o := range rows {
				if j != i {
					others = append(others, strconv.Itoa(o))
					othersFa = append(othersFa, fa(o))
				}
			}
			r.parser.rejs = r.parser.rejs[:0]
			rowsFa, rowsEn := "ردیف‌های ", "rows "
			if len(others) == 1 {
				rowsFa, rowsEn = "ردیف ", "row "
			}
			r.parser.reject(row, fNationalCode, code, "duplicate_in_file",
				"این کد ملی در "+rowsFa+strings.Join(othersFa, "، ")+" همین فایل هم آمده است",
				"this national code also appears in "+rowsEn+strings.Join(others, ", ")+" of this file")
			r.rejs = append(r.rejs, r.parser.rejs...)
		}
		first := r.seen[k]
		if first.accepted {
			r.accepted--
			if first.passed {
				r.passed--
			} else {
				r.notPassed--
			}
			unwrite = append(unwrite, r.parser.hasher.hash(code))
			reread = append(reread, int(first.row))
		}
	}
	order := map[string]int{}
	for i, s := range fieldSpecs {
		order[s.name] = i
	}
	sort.SliceStable(r.rejs, func(i, j int) bool {
		a, b := r.rejs[i], r.rejs[j]
		if a.Row != b.Row {
			return a.Row < b.Row
		}
		return order[a.Column] < order[b.Column]
	})
	return unwrite, reread
}

// rereadCells reads the file again for the cells of rows refused after they
// were read (the first row of a duplicated national code).
func (r *importRun) rereadCells(rows []int) error {
	if len(rows) == 0 {
		return nil
	}
	need := map[int]bool{}
	last := 0
	for _, n := range rows {
		need[n] = true
		last = max(last, n)
	}
	src, err := r.open()
	if err != nil {
		return err
	}
	defer src.Close()
	for n := 0; n < last; {
		ok, err := safeNext(src)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("licensing: the file changed while it was read (row %d missing)", n+1)
		}
		n = nextRowNumber(src, n)
		if need[n] {
			r.keepCells(n, src.Row())
		}
	}
	return nil
}

// nextRowNumber is the row number of the row src just moved to.
func nextRowNumber(src RowSource, prev int) int {
	if rn, ok := src.(rowNumberer); ok {
		return rn.RowNumber()
	}
	return prev + 1
}

func (r *importRun) status() string {
	switch {
	case r.accepted == 0:
		return ImportRefused
	case r.accepted == r.rows:
		return ImportAccepted
	}
	return ImportPartiallyAccepted
}

func (r *importRun) report(id int64, at time.Time, by string) Report {
	rep := Report{ID: id, Status: r.status(), ExamYear: r.in.ExamYear, DryRun: r.in.DryRun, ContentSHA256: r.c.sha256,
		FileName: r.in.FileName, Format: r.format, Encoding: r.encoding, Sheet: r.sheet, HeaderRow: r.headerRow,
		Rows: r.rows, Accepted: r.accepted, Refused: r.rows - r.accepted, Passed: r.passed, NotPassed: r.notPassed,
		IgnoredColumns: nonNil(r.cm.ignored), Rejections: r.rejs, RejectionsTotal: len(r.rejs), CreatedAt: at, CreatedBy: by}
	if l := r.in.RejectionsLimit; l > 0 && len(rep.Rejections) > l {
		rep.Rejections = rep.Rejections[:l]
	}
	if rep.Rejections == nil {
		rep.Rejections = []Rejection{}
	}
	return rep
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func importActor(ctx context.Context) string {
	if a, ok := daftar.ActorFrom(ctx); ok {
		return a.Username
	}
	return "system:unknown"
}

// loadExisting reads the keyed hashes of the exam year's candidates.
func (r *importRun) loadExisting(tx *gorm.DB) error {
	rows, err := tx.Raw("SELECT national_code_hash, import_id FROM candidates WHERE exam_year = ?", r.in.ExamYear).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	r.existing = map[string]int64{}
	for rows.Next() {
		var h string
		var id int64
		if err := rows.Scan(&h, &id); err != nil {
			return err
		}
		r.existing[h] = id
	}
	return rows.Err()
}

func (e *Exams) dryRun(ctx context.Context, r *importRun) (rep Report, created bool, err error) {
	if err := r.loadExisting(e.db.WithContext(ctx)); err != nil {
		return Report{}, false, err
	}
	defer func() {
		if p := recover(); p != nil {
			e.cfg.Log.ErrorContext(ctx, "exam import: panic while parsing", "panic", fmt.Sprint(p))
			de := unreadable("unreadable_file", "the file could not be read: it is damaged or not a spreadsheet")
			de.Err = fmt.Errorf("panic: %v", p)
			rep, created, err = Report{}, false, de
		}
	}()
	if err := r.stream(ctx, func(*candidateRow) error { return nil }); err != nil {
		return Report{}, false, err
	}
	r.settleDuplicates()
	return r.report(0, e.clock.Now().UTC(), importActor(ctx)), false, nil
}

// importByHash finds the import of the same content (and sheet).
func (e *Exams) importByHash(tx *gorm.DB, sha, sheet string) (int64, bool, error) {
	var ids []int64
	if err := tx.Raw("SELECT id FROM exam_imports WHERE content_sha256 = ? AND sheet = ?", sha, sheet).Scan(&ids).Error; err != nil {
		return 0, false, err
	}
	if len(ids) == 0 {
		return 0, false, nil
	}
	return ids[0], true, nil
}

// errExisting carries the id of an import of the same content found inside
// the writing transaction.
type errExisting struct{ id int64 }

func (e errExisting) Error() string { return "licensing: import exists" }

// write runs the import in one transaction; see writeTx.
func (e *Exams) write(ctx context.Context, r *importRun) (Report, bool, error) {
	rep, err := e.writeTx(ctx, r)
	var ex errExisting
	if errors.As(err, &ex) {
		rep, err := e.Get(ctx, ex.id, 0, r.in.RejectionsLimit)
		return rep, false, err
	}
	if err != nil {
		return Report{}, false, err
	}
	return rep, true, nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// writeTx: under the import lock, check the content is new, read the exam
// year's candidates, insert the import, then stream: the parser decides rows
// in one goroutine while the accepted ones are copied into the database
// (COPY on PostgreSQL, batched prepared inserts on SQLite). Duplicates found
// late are taken out again, the refusals written, the import completed and
// audited, and everything committed at once: a failure or cancellation at
// any point rolls all of it back.
func (e *Exams) writeTx(ctx context.Context, r *importRun) (Report, error) {
	w, err := beginWrite(ctx, e.db)
	if err != nil {
		return Report{}, err
	}
	defer w.rollback()
	tx := w.g
	if e.db.Dialect == db.Postgres {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", examImportLockKey).Error; err != nil {
			return Report{}, err
		}
	}
	if id, ok, err := e.importByHash(tx, r.c.sha256, r.sheet); err != nil {
		return Report{}, err
	} else if ok {
		return Report{}, errExisting{id}
	}
	if err := r.loadExisting(tx); err != nil {
		return Report{}, err
	}
	now := e.clock.Now().UTC().Truncate(time.Microsecond)
	by := importActor(ctx)
	colMap := map[string]int{}
	for f, s := range fieldSpecs {
		if r.cm.index[f] >= 0 {
			colMap[s.name] = r.cm.index[f]
		}
	}
	imp := examImport{ContentSHA256: r.c.sha256, ExamYear: r.in.ExamYear, FileName: r.in.FileName, Format: string(r.format),
		Encoding: r.encoding, Sheet: r.sheet, Status: ImportRefused, HeaderRow: r.headerRow, Header: jsonText(nonNil(r.cm.header)),
		ColumnMap: jsonText(colMap), IgnoredColumns: jsonText(nonNil(r.cm.ignored)), CreatedBy: by, CreatedAt: now}
	if err := tx.Create(&imp).Error; err != nil {
		if db.IsUniqueViolation(err) {
			w.rollback()
			if id, ok, err2 := e.importByHash(e.db.WithContext(ctx), r.c.sha256, r.sheet); err2 == nil && ok {
				return Report{}, errExisting{id}
			}
		}
		return Report{}, err
	}

	var streamErr error
	if e.db.Dialect == db.Postgres {
		streamErr = e.streamConcurrently(ctx, w, r, imp.ID, now)
	} else {
		streamErr = e.streamInline(ctx, w, r, imp.ID, now)
	}
	if streamErr != nil {
		if ctx.Err() != nil {
			return Report{}, ctx.Err()
		}
		if db.IsUniqueViolation(streamErr) {
			return Report{}, daftar.Conflict("candidates_changed", "candidates of this exam year changed during the import; upload the file again")
		}
		return Report{}, streamErr
	}

	unwrite, reread := r.settleDuplicates()
	for start := 0; start < len(unwrite); start += 500 {
		part := unwrite[start:min(start+500, len(unwrite))]
		if err := tx.Exec("DELETE FROM candidates WHERE import_id = ? AND national_code_hash IN ?", imp.ID, part).Error; err != nil {
			return Report{}, err
		}
	}
	if err := r.rereadCells(reread); err != nil {
		return Report{}, err
	}
	if err := e.writeRefusals(ctx, w, imp.ID, r); err != nil {
		return Report{}, err
	}
	imp.Status = r.status()
	if err := tx.Model(&examImport{}).Where("id = ?", imp.ID).Updates(map[string]any{
		"status": imp.Status, "rows_read": r.rows, "accepted": r.accepted, "refused": r.rows - r.accepted,
		"passed": r.passed, "not_passed": r.notPassed,
	}).Error; err != nil {
		return Report{}, err
	}
	if err := e.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "exam_import.create", Entity: "exam_import", EntityID: imp.ID,
		After: map[string]any{"exam_year": r.in.ExamYear, "file_name": r.in.FileName, "content_sha256": r.c.sha256,
			"format": r.format, "rows": r.rows, "accepted": r.accepted, "refused": r.rows - r.accepted, "status": imp.Status}}); err != nil {
		return Report{}, err
	}
	if err := w.commit(); err != nil {
		return Report{}, err
	}
	e.cfg.Log.InfoContext(ctx, "exam import", "import_id", imp.ID, "exam_year", r.in.ExamYear, "rows", r.rows,
		"accepted", r.accepted, "refused", r.rows-r.accepted)
	return r.report(imp.ID, now, by), nil
}

// parsePanic turns a panic of the parsing code into an unprocessable error.
func (e *Exams) parsePanic(ctx context.Context, p any) error {
	e.cfg.Log.ErrorContext(ctx, "exam import: panic while parsing", "panic", fmt.Sprint(p))
	de := unreadable("unreadable_file", "the file could not be read: it is damaged or not a spreadsheet")
	de.Err = fmt.Errorf("panic: %v", p)
	return de
}

// streamConcurrently (PostgreSQL): the parser runs in its own goroutine and
// hands batches of accepted candidates to COPY as it goes, so reading the
// file and the server's writing overlap.
func (e *Exams) streamConcurrently(ctx context.Context, w *writeSession, r *importRun, importID int64, now time.Time) error {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []candidateRow, 4)
	free := make(chan []candidateRow, 6)
	done := make(chan struct{})
	var parseErr error
	go func() {
		defer close(done)
		defer close(batches)
		defer func() {
			if p := recover(); p != nil {
				parseErr = e.parsePanic(ctx, p)
			}
		}()
		size := e.cfg.BatchRows
		batch := make([]candidateRow, 0, size)
		send := func() error {
			select {
			case batches <- batch:
			case <-sctx.Done():
				return sctx.Err()
			}
			select {
			case batch = <-free:
				batch = batch[:0]
			default:
				batch = make([]candidateRow, 0, size)
			}
			return nil
		}
		parseErr = r.stream(sctx, func(c *candidateRow) error {
			batch = append(batch, *c)
			if len(batch) == size {
				return send()
			}
			return nil
		})
		if parseErr == nil && len(batch) > 0 {
			parseErr = send()
		}
	}()
	src := &candidateSource{ctx: sctx, ch: batches, free: free, done: done, parseErr: &parseErr, importID: importID,
		examYear: r.in.ExamYear, now: now, fail: e.failWrite, vals: make([]any, len(candidateColumns))}
	_, copyErr := w.copyFrom(sctx, "candidates", candidateColumns, src)
	if copyErr != nil {
		if src.err != nil {
			// COPY reports a source's failure only as its message.
			copyErr = src.err
		}
		cancel()
	}
	<-done
	switch {
	case parseErr != nil && !errors.Is(parseErr, context.Canceled):
		return parseErr
	case copyErr != nil:
		return copyErr
	}
	return parseErr
}

// streamInline (SQLite): parsing and inserting take turns on one goroutine,
// a batch at a time, so memory holds one batch. SQLite has one writer and
// runs in this process: a second goroutine would only compete with it for
// the same CPUs (measured, in processes of their own: within 1.1x of bare
// inserts either way).
func (e *Exams) streamInline(ctx context.Context, w *writeSession, r *importRun, importID int64, now time.Time) (err error) {
	ins, err := newSQLiteInserter(ctx, w.tx, "candidates", candidateColumns)
	if err != nil {
		return err
	}
	defer ins.close()
	defer func() {
		if p := recover(); p != nil {
			err = e.parsePanic(ctx, p)
		}
	}()
	vals := make([]any, len(candidateColumns))
	batch := make([]candidateRow, 0, e.cfg.BatchRows)
	written := 0
	flush := func() error {
		if e.failWrite != nil {
			if err := e.failWrite(written); err != nil {
				return err
			}
		}
		for i := range batch {
			candidateValues(&batch[i], importID, r.in.ExamYear, now, vals)
			if err := ins.insert(ctx, vals); err != nil {
				return err
			}
		}
		written += len(batch)
		batch = batch[:0]
		return nil
	}
	err = r.stream(ctx, func(c *candidateRow) error {
		batch = append(batch, *c)
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

var rejectionColumns = []string{"import_id", "seq", "row_number", "column_name", "value", "code", "reason_fa", "reason_en"}
var refusedRowColumns = []string{"import_id", "row_number", "cells"}

func refusedRowAAD(importID int64, row int) []byte {
	return []byte("daftar/exam-refused-row/" + strconv.FormatInt(importID, 10) + "/" + strconv.Itoa(row))
}

// writeRefusals stores the reasons and the encrypted original cells.
func (e *Exams) writeRefusals(ctx context.Context, w *writeSession, importID int64, r *importRun) error {
	if len(r.rejs) == 0 {
		return nil
	}
	rows := make([][]any, len(r.rejs))
	for i, j := range r.rejs {
		rows[i] = []any{importID, int64(i + 1), int64(j.Row), j.Column, j.Value, j.Code, j.ReasonFa, j.ReasonEn}
	}
	if _, err := w.copyFrom(ctx, "exam_import_rejections", rejectionColumns, &sliceSource{rows: rows, idx: -1}); err != nil {
		return err
	}
	nums := make([]int, 0, len(r.refused))
	for n := range r.refused {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	cells := make([][]any, 0, len(nums))
	for _, n := range nums {
		plain, err := json.Marshal(r.refused[n])
		if err != nil {
			return err
		}
		enc, err := e.codes.sealBlob(plain, refusedRowAAD(importID, n))
		if err != nil {
			return err
		}
		cells = append(cells, []any{importID, int64(n), enc})
	}
	_, err := w.copyFrom(ctx, "exam_import_refused_rows", refusedRowColumns, &sliceSource{rows: cells, idx: -1})
	return err
}

// Get returns a stored import's report with a page of its rejections
// (limit 0: all of them).
func (e *Exams) Get(ctx context.Context, id int64, offset, limit int) (Report, error) {
	var imp examImport
	if err := e.db.WithContext(ctx).Where("id = ?", id).Take(&imp).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Report{}, daftar.NotFound("exam_import_not_found", "no such exam import")
		}
		return Report{}, err
	}
	rep := reportOf(imp)
	var total int64
	if err := e.db.WithContext(ctx).Table("exam_import_rejections").Where("import_id = ?", id).Count(&total).Error; err != nil {
		return Report{}, err
	}
	rep.RejectionsTotal = int(total)
	var err error
	rep.Rejections, err = e.rejections(ctx, imp, offset, limit)
	return rep, err
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
	var header []string
	var cols map[string]int
	json.Unmarshal([]byte(imp.Header), &header)
	json.Unmarshal([]byte(imp.ColumnMap), &cols)
	out := map[string]string{}
	for name, i := range cols {
		if i >= 0 && i < len(header) {
			out[name] = strings.TrimSpace(header[i])
		}
	}
	return out
}

func reportOf(imp examImport) Report {
	rep := Report{ID: imp.ID, Status: imp.Status, ExamYear: imp.ExamYear, ContentSHA256: imp.ContentSHA256, FileName: imp.FileName,
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
	var imp examImport
	if err := e.db.WithContext(ctx).Where("id = ?", id).Take(&imp).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return RefusedFile{}, daftar.NotFound("exam_import_not_found", "no such exam import")
		}
		return RefusedFile{}, err
	}
	out := RefusedFile{Report: reportOf(imp), NationalCodeColumn: -1, Revealed: reveal}
	json.Unmarshal([]byte(imp.Header), &out.Header)
	var cols map[string]int
	json.Unmarshal([]byte(imp.ColumnMap), &cols)
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

// bytesReaderAt is a convenience for callers holding the file in memory.
func BytesInput(b []byte) (io.ReaderAt, int64) { return bytes.NewReader(b), int64(len(b)) }
