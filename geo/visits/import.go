package visits

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The visits CSV (daftar import visits FILE): UTF-8, comma-separated, a
// header row naming the columns in any order (case-insensitive):
//
//	office       office code (THR-0001), or office_id with the numeric id
//	ticket       the office's ticket reference (unique per office)
//	service      service code of the catalogue
//	arrived_at   RFC 3339 time, or "2026-11-22 09:30[:ss]" in Tehran time
//	called_at    as arrived_at; required for served and referred
//	finished_at  as arrived_at; required for served and referred
//	outcome      served, no_show, cancelled or referred
//	counter      counter number, 1 to the office's counters
//	channel      walk_in (default) or appointment
//	mobile       optional citizen mobile (kept for the survey invitation)
//
// Every row gets the validation of the API. The file loads in one
// transaction: all of it or none.

// ImportOptions tunes an import.
type ImportOptions struct {
	// AllowInactive loads visits of offices that are suspended, closed or
	// pending (history); by default they are refused as in the API.
	AllowInactive bool
	// ChunkRows is how many rows are written at a time (default 50,000).
	ChunkRows int
	// Progress, when set, is told the number of rows read so far.
	Progress func(rows int64)
	// MaxRejections bounds the rejections kept in the report (default 1000);
	// the counts are always complete.
	MaxRejections int
	// OfficeID, when set, restricts the file to that office (an owner's
	// upload from the dashboard): a row of any other office, existing or
	// not, is refused with the same reason, so an owner learns nothing of
	// the others.
	OfficeID int64
	// MaxRows, when set, refuses a longer file as a whole (413), before
	// anything is written.
	MaxRows int
	// MemoryVisits bounds the visits kept in memory to build their rollups
	// from (default 2,000,000, about 50 MB); beyond it the rollups of the
	// offices concerned are built by reading their visits back, so memory
	// stays flat whatever the file's size.
	MemoryVisits int
	// BeforeCommit, when set, runs inside the import's transaction once
	// every row and rollup is written, with the import's report: the
	// caller records its audit event there, so the visits and their event
	// commit together or not at all. Its error rolls the import back.
	BeforeCommit func(ctx context.Context, tx *db.Tx, rep ImportReport) error
}

// ImportRejection is one row not loaded.
type ImportRejection struct {
	Line   int // line of the file (the header is line 1)
	Ticket string
	Status string // refused or duplicate
	Field  string
	// Code is the machine-readable reason, for a page to say it in its
	// own words: a field error's code (invalid, too_old, ...) or one of
	// not_your_office, unknown_office, office_inactive, repeated, recorded.
	Code   string
	Reason string
}

// ImportReport sums up an import.
type ImportReport struct {
	Rows, Accepted, Duplicates, Refused int
	Offices, Days                       int // office-days whose rollups were rebuilt
	Rejections                          []ImportRejection
}

var importColumns = []string{"office", "office_id", "ticket", "service", "arrived_at", "called_at", "finished_at", "outcome", "counter", "channel", "mobile"}

const importLockKey = 727004

// importRow is a valid row waiting to be written.
type importRow struct {
	line int
	v    Visit
}

// importer holds the state of one import. Reading (parse and validate)
// runs a chunk ahead of writing, in its own goroutine: each side keeps its
// own rejections (read: refused rows; write: duplicates), merged at the end.
type importer struct {
	v       *Service
	opt     ImportOptions
	rules   visitRules
	byCode  map[string]*offices.Serving
	byID    map[int64]*offices.Serving
	locked  map[int64]bool
	touched map[int64][]int64
	seen    map[int64]map[int64]bool // office → days already in touched
	mem     map[int64][]memVisit     // the visits inserted, per office
	memN    int                      // visits in mem
	spilled map[int64]bool           // offices whose visits are read back instead
	read    rejections               // the reader's
	wrote   rejections               // the writer's
	rows    int
	lastDay [2]int64 // office and day last touched
	values  []any    // COPY's row buffer
}

type rejections struct {
	n    int
	list []ImportRejection
}

func (im *importer) reject(to *rejections, line int, ticket, status, field, code, reason string) {
	to.n++
	if len(to.list) < im.opt.MaxRejections {
		to.list = append(to.list, ImportRejection{Line: line, Ticket: ticket, Status: status, Field: field, Code: code, Reason: reason})
	}
}

func (im *importer) touch(v *Visit) {
	if !im.spilled[v.OfficeID] {
		// The outcome is one of four constants: keeping the row's own
		// string would keep its whole CSV line alive.
		im.mem[v.OfficeID] = append(im.mem[v.OfficeID], compactVisit(v))
		if im.memN++; im.memN > im.opt.MemoryVisits {
			// Over the budget: every office held so far is rebuilt from
			// the database at the end instead.
			for id := range im.mem {
				im.spilled[id] = true
			}
			im.mem, im.memN = map[int64][]memVisit{}, 0
		}
	}
	day := daftar.DayStart(v.Arrived)
	if im.lastDay == [2]int64{v.OfficeID, day} {
		return
	}
	im.lastDay = [2]int64{v.OfficeID, day}
	s := im.seen[v.OfficeID]
	if s == nil {
		s = map[int64]bool{}
		im.seen[v.OfficeID] = s
	}
	if !s[day] {
		s[day] = true
		im.touched[v.OfficeID] = append(im.touched[v.OfficeID], day)
	}
}

// memVisit is a visit kept to build its rollups from, in 24 bytes rather
// than rawVisit's 40: called and finished as seconds after arrival (-1 when
// absent; a visit lasts at most MaxDuration), the outcome as its index.
type memVisit struct {
	arrived          int64
	called, finished int32
	outcome          uint8
}

func compactVisit(v *Visit) memVisit {
	m := memVisit{arrived: v.Arrived, called: -1, finished: -1}
	if v.Called > 0 {
		m.called = int32(v.Called - v.Arrived)
	}
	if v.Finished > 0 {
		m.finished = int32(v.Finished - v.Arrived)
	}
	for i, o := range Outcomes {
		if v.Outcome == o {
			m.outcome = uint8(i)
		}
	}
	return m
}

func (m memVisit) raw() rawVisit {
	r := rawVisit{Arrived: m.arrived, Outcome: Outcomes[m.outcome]}
	if m.called >= 0 {
		r.Called = m.arrived + int64(m.called)
	}
	if m.finished >= 0 {
		r.Finished = m.arrived + int64(m.finished)
	}
	return r
}

// report assembles the import's report.
func (im *importer) report() ImportReport {
	rep := ImportReport{Rows: im.rows, Refused: im.read.n, Duplicates: im.wrote.n, Offices: len(im.touched)}
	rep.Accepted = im.rows - im.read.n - im.wrote.n
	for _, days := range im.touched {
		rep.Days += len(days)
	}
	rep.Rejections = append(append(rep.Rejections, im.read.list...), im.wrote.list...)
	slices.SortStableFunc(rep.Rejections, func(a, b ImportRejection) int { return a.Line - b.Line })
	if len(rep.Rejections) > im.opt.MaxRejections {
		rep.Rejections = rep.Rejections[:im.opt.MaxRejections]
	}
	return rep
}

// Import loads a visits CSV. The rollups of every office-day it touched
// are rebuilt before the transaction commits (from the rows loaded, for
// days that had no visits before; see rebuildImported). On PostgreSQL the rows go
// through COPY (a chunk that hits an existing ticket is retried with
// INSERT ... ON CONFLICT DO NOTHING), on SQLite through multi-row INSERTs.
func (v *Service) Import(ctx context.Context, src io.Reader, opt ImportOptions) (ImportReport, error) {
	if opt.ChunkRows <= 0 {
		opt.ChunkRows = 50_000
	}
	if opt.MaxRejections <= 0 {
		opt.MaxRejections = 1000
	}
	if opt.MemoryVisits <= 0 {
		opt.MemoryVisits = 2_000_000
	}
	im := &importer{v: v, opt: opt, rules: v.rules(ctx), locked: map[int64]bool{}, touched: map[int64][]int64{}, seen: map[int64]map[int64]bool{},
		mem: map[int64][]memVisit{}, spilled: map[int64]bool{}}
	cr := csv.NewReader(src)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return ImportReport{}, daftar.Unprocessable("empty_file", "the file is empty; a header row is expected")
		}
		return ImportReport{}, daftar.Unprocessable("unreadable_file", "the file is not readable CSV: "+err.Error())
	}
	col, err := importHeader(header, opt.OfficeID != 0)
	if err != nil {
		return ImportReport{}, err
	}
	run := func(tx *db.Tx, write func(ctx context.Context, rows []importRow) error) error {
		if err := im.loadOffices(ctx, tx); err != nil {
			return err
		}
		rctx, cancel := context.WithCancel(ctx)
		defer cancel()
		type chunkMsg struct {
			rows []importRow
			err  error
		}
		chunks := make(chan chunkMsg, 1)
		free := make(chan []importRow, 2)
		go func() { // the reader
			defer close(chunks)
			send := func(m chunkMsg) bool {
				select {
				case chunks <- m:
					return true
				case <-rctx.Done():
					return false
				}
			}
			chunk := make([]importRow, 0, opt.ChunkRows)
			var read int64
			for {
				rec, err := cr.Read()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					var pe *csv.ParseError
					if errors.As(err, &pe) {
						err = daftar.Unprocessable("unreadable_file", fmt.Sprintf("the file is not readable CSV: line %d: %v", pe.Line, pe.Err))
					}
					send(chunkMsg{err: err})
					return
				}
				line, _ := cr.FieldPos(0)
				read++
				if opt.MaxRows > 0 && read > int64(opt.MaxRows) {
					send(chunkMsg{err: daftar.TooLarge("too_many_rows", fmt.Sprintf("the file holds more than %d visits; split it", opt.MaxRows)).With("max_rows", opt.MaxRows)})
					return
				}
				if row, ok := im.row(line, rec, col); ok {
					chunk = append(chunk, row)
				}
				if len(chunk) == opt.ChunkRows {
					if !send(chunkMsg{rows: chunk}) {
						return
					}
					select {
					case chunk = <-free:
					default:
						chunk = make([]importRow, 0, opt.ChunkRows)
					}
				}
				if opt.Progress != nil && read%1000 == 0 {
					opt.Progress(read)
				}
			}
			if opt.Progress != nil {
				opt.Progress(read)
			}
			im.rows = int(read) // read by the writer after the channel closes
			send(chunkMsg{rows: chunk})
		}()
		for m := range chunks {
			if m.err != nil {
				return m.err
			}
			if err := im.flush(ctx, tx, m.rows, write); err != nil {
				return err
			}
			select {
			case free <- m.rows[:0]:
			default:
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := v.rebuildImported(ctx, tx, im.touched, im.mem, im.spilled); err != nil {
			return err
		}
		if opt.BeforeCommit != nil {
			return opt.BeforeCommit(ctx, tx, im.report())
		}
		return nil
	}
	if v.db.Dialect == db.Postgres {
		err = v.db.InBulkTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(?)", importLockKey); err != nil {
				return err
			}
			return run(tx, func(ctx context.Context, rows []importRow) error { return im.copyChunk(ctx, tx, rows) })
		})
	} else {
		err = v.db.InTx(ctx, func(tx *db.Tx) error {
			return run(tx, func(ctx context.Context, rows []importRow) error { return im.insertChunk(ctx, tx, rows) })
		})
	}
	if err != nil {
		return ImportReport{}, err
	}
	rep := im.report()
	v.log.InfoContext(ctx, "visits imported", "rows", rep.Rows, "accepted", rep.Accepted,
		"duplicates", rep.Duplicates, "refused", rep.Refused, "office_days", rep.Days)
	return rep, nil
}

// importHeader maps column names to positions. A file restricted to one
// office may leave both office columns out.
func importHeader(header []string, restricted bool) (map[string]int, error) {
	col := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(importColumns, name) {
			return nil, daftar.Unprocessable("unknown_column", fmt.Sprintf("column %d %q is not a visits column; the columns are %s",
				i+1, truncate(name, 40), strings.Join(importColumns, ", ")))
		}
		if _, dup := col[name]; dup {
			return nil, daftar.Unprocessable("duplicate_column", fmt.Sprintf("column %q appears twice", name))
		}
		col[name] = i
	}
	_, hasCode := col["office"]
	_, hasID := col["office_id"]
	if hasCode && hasID || !hasCode && !hasID && !restricted {
		return nil, daftar.Unprocessable("missing_column", "the file needs exactly one of the columns office (code) and office_id")
	}
	for _, req := range []string{"ticket", "service", "arrived_at", "outcome"} {
		if _, ok := col[req]; !ok {
			return nil, daftar.Unprocessable("missing_column", fmt.Sprintf("the file has no %s column", req))
		}
	}
	return col, nil
}

// loadOffices reads what checking the rows needs of every office.
func (im *importer) loadOffices(ctx context.Context, tx *db.Tx) error {
	all, err := im.v.offices.Servings(ctx, tx, nil)
	if err != nil {
		return err
	}
	im.byCode, im.byID = make(map[string]*offices.Serving, len(all)), all
	for _, o := range all {
		im.byCode[o.Code] = o
	}
	return nil
}

// row validates one record.
func (im *importer) row(line int, rec []string, col map[string]int) (importRow, bool) {
	get := func(name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	in := Input{Ticket: get("ticket"), Service: get("service"), ArrivedAt: get("arrived_at"), CalledAt: get("called_at"),
		FinishedAt: get("finished_at"), Outcome: get("outcome"), Counter: get("counter"), Channel: get("channel"), Mobile: get("mobile")}
	ticket := truncate(NormalizeTicket(in.Ticket), 64)
	var off *offices.Serving
	_, byCode := col["office"]
	_, byID := col["office_id"]
	if !byCode && !byID { // restricted to one office (importHeader)
		if off = im.byID[im.opt.OfficeID]; off == nil {
			im.reject(&im.read, line, ticket, StatusRefused, "office", "not_your_office", "is not your office: the file may hold only your office's visits")
			return importRow{}, false
		}
	} else if byCode {
		code := strings.ToUpper(strings.TrimSpace(daftar.NormalizeDigits(get("office"))))
		off = im.byCode[code]
		if off == nil && im.opt.OfficeID != 0 {
			im.reject(&im.read, line, ticket, StatusRefused, "office", "not_your_office", "is not your office: the file may hold only your office's visits")
			return importRow{}, false
		}
		if off == nil {
			im.reject(&im.read, line, ticket, StatusRefused, "office", "unknown_office", fmt.Sprintf("office %q is not in the register", truncate(code, 40)))
			return importRow{}, false
		}
	} else {
		id, err := strconv.ParseInt(strings.TrimSpace(daftar.NormalizeDigits(get("office_id"))), 10, 64)
		if off = im.byID[id]; (err != nil || off == nil) && im.opt.OfficeID != 0 {
			im.reject(&im.read, line, ticket, StatusRefused, "office_id", "not_your_office", "is not your office: the file may hold only your office's visits")
			return importRow{}, false
		}
		if err != nil || off == nil {
			im.reject(&im.read, line, ticket, StatusRefused, "office_id", "unknown_office", "is not the id of an office of the register")
			return importRow{}, false
		}
	}
	if im.opt.OfficeID != 0 && off.ID != im.opt.OfficeID {
		im.reject(&im.read, line, ticket, StatusRefused, "office", "not_your_office", "is not your office: the file may hold only your office's visits")
		return importRow{}, false
	}
	if off.Status != offices.Active && !im.opt.AllowInactive {
		im.reject(&im.read, line, ticket, StatusRefused, "office", "office_inactive", fmt.Sprintf("the office is %s: it records no visits (see -allow-inactive)", off.Status))
		return importRow{}, false
	}
	v, fe := im.rules.check(in, off)
	if len(fe) > 0 {
		im.reject(&im.read, line, ticket, StatusRefused, fe[0].Field, fe[0].Code, reasonOf(fe))
		return importRow{}, false
	}
	return importRow{line: line, v: v}, true
}

// flush locks the offices the chunk is the first to touch, and writes it.
func (im *importer) flush(ctx context.Context, tx *db.Tx, chunk []importRow, write func(context.Context, []importRow) error) error {
	if len(chunk) == 0 {
		return nil
	}
	var newOffices []int64
	for i := range chunk {
		if id := chunk[i].v.OfficeID; !im.locked[id] {
			im.locked[id] = true
			newOffices = append(newOffices, id)
		}
	}
	if err := im.v.offices.Lock(ctx, tx, newOffices); err != nil {
		return err
	}
	return write(ctx, chunk)
}

// insertChunk writes with INSERT ... ON CONFLICT DO NOTHING and tells
// accepted rows from duplicates (also tickets repeated within the chunk).
func (im *importer) insertChunk(ctx context.Context, tx *db.Tx, chunk []importRow) error {
	inChunk := make(map[visitKey]int, len(chunk))
	rows := chunk[:0] // filtered in place
	for _, row := range chunk {
		k := visitKey{row.v.OfficeID, row.v.Ticket}
		if first, dup := inChunk[k]; dup {
			im.reject(&im.wrote, row.line, row.v.Ticket, StatusDuplicate, "ticket", "repeated", fmt.Sprintf("repeats the ticket of line %d", first))
			continue
		}
		inChunk[k] = row.line
		rows = append(rows, row)
	}
	list := make([]Visit, len(rows))
	for i := range rows {
		list[i] = rows[i].v
	}
	ids, err := insertVisits(ctx, tx, list)
	if err != nil {
		return err
	}
	for i := range rows {
		if _, ok := ids[visitKey{rows[i].v.OfficeID, rows[i].v.Ticket}]; ok {
			im.touch(&rows[i].v)
		} else {
			im.reject(&im.wrote, rows[i].line, rows[i].v.Ticket, StatusDuplicate, "ticket", "recorded", "this ticket is already recorded")
		}
	}
	return nil
}

// visitSource streams a chunk to COPY (pgx encodes each row before
// asking for the next, so one buffer serves); keys streams the chunk's
// rows of visit_keys instead.
type visitSource struct {
	rows []importRow
	i    int
	buf  []any
	keys bool
}

func (s *visitSource) Next() bool { s.i++; return s.i <= len(s.rows) }
func (s *visitSource) Values() ([]any, error) {
	v := &s.rows[s.i-1].v
	if s.keys {
		s.buf = append(s.buf[:0], v.OfficeID, v.Ticket, v.Arrived)
		return s.buf, nil
	}
	s.buf = v.appendValues(s.buf[:0])
	return s.buf, nil
}
func (s *visitSource) Err() error { return nil }

// copyChunk COPYs a chunk's keys and visits under a savepoint; when a
// ticket already exists (a unique violation of visit_keys) it rolls back
// to the savepoint and inserts the chunk with ON CONFLICT DO NOTHING
// instead.
func (im *importer) copyChunk(ctx context.Context, tx *db.Tx, rows []importRow) error {
	sp, err := tx.Pgx().Begin(ctx) // a savepoint
	if err != nil {
		return err
	}
	src := &visitSource{rows: rows, buf: im.values, keys: true}
	_, err = sp.CopyFrom(ctx, pgx.Identifier{"visit_keys"}, keyCols, src)
	if err == nil {
		src.i, src.keys = 0, false
		_, err = sp.CopyFrom(ctx, pgx.Identifier{"visits"}, visitCols, src)
	}
	im.values = src.buf
	if err == nil {
		if err := sp.Commit(ctx); err != nil { // releases the savepoint
			return err
		}
		for i := range rows {
			im.touch(&rows[i].v)
		}
		return nil
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		sp.Rollback(ctx)
		return fmt.Errorf("copy visits: %w", err)
	}
	if err := sp.Rollback(ctx); err != nil {
		return err
	}
	return im.insertChunk(ctx, tx, rows)
}
