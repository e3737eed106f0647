package licensing

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

// Writing an import: the whole run happens inside one transaction, so a
// file is taken in completely or not at all.

// examImportLockKey serialises imports on PostgreSQL (SQLite has one writer).
const examImportLockKey = 727003

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
	} else if ok && id == r.replaces {
		if err := e.replace(ctx, tx, id, r); err != nil {
			return Report{}, err
		}
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
		ColumnMap: jsonText(colMap), IgnoredColumns: jsonText(nonNil(r.cm.ignored)), ScoreMax: r.scoreMax, ScoreScale: r.scaleSource,
		CreatedBy: by, CreatedAt: now}
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
		After: map[string]any{"exam_year": r.in.ExamYear, "score_max": r.scoreMax, "file_name": r.in.FileName, "content_sha256": r.c.sha256,
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
