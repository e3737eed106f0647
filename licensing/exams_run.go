package licensing

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"gorm.io/gorm"
)

// The import run: one file read row by row, each row decided (parsed and
// validated, checked against the rest of the file and against candidates
// already imported for the exam year), and the report of what was decided.
// A dry run stops here; exams_write.go stores what a real run decided.

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

	scoreMax    float64 // the scale: examscale.go
	scaleSource string
	replaces    int64 // an earlier import of this content, refused whole on another scale (examscale.go)

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
	r.scoreMax, r.scaleSource = e.scaleOf(in, r.cm)
	r.parser = newRowParser(e.gaz, e.codes, r.cm, in.ExamYear, r.scoreMax)
	r.parser.scaleSource = r.scaleSource
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
	rep := Report{ID: id, Status: r.status(), ExamYear: r.in.ExamYear, ScoreMax: r.scoreMax, ScoreScale: r.scaleSource, DryRun: r.in.DryRun, ContentSHA256: r.c.sha256,
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

// loadExisting reads the keyed hashes of the exam year's candidates.
func (r *importRun) loadExisting(tx *gorm.DB) error {
	if err := r.checkYearScale(tx); err != nil {
		return err
	}
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
			rep, created, err = Report{}, false, e.parsePanic(ctx, p)
		}
	}()
	if err := r.stream(ctx, func(*candidateRow) error { return nil }); err != nil {
		return Report{}, false, err
	}
	r.settleDuplicates()
	return r.report(0, e.clock.Now().UTC(), importActor(ctx)), false, nil
}

// parsePanic turns a panic of the parsing code into an unprocessable error.
func (e *Exams) parsePanic(ctx context.Context, p any) error {
	e.cfg.Log.ErrorContext(ctx, "exam import: panic while parsing", "panic", fmt.Sprint(p))
	de := unreadable("unreadable_file", "the file could not be read: it is damaged or not a spreadsheet")
	de.Err = fmt.Errorf("panic: %v", p)
	return de
}
