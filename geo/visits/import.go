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
	mem     map[int64][]rawVisit     // the visits inserted, per office
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

func (im *importer) reject(to *rejections, line int, ticket, status, field, reason string) {
	to.n++
	if len(to.list) < im.opt.MaxRejections {
		to.list = append(to.list, ImportRejection{Line: line, Ticket: ticket, Status: status, Field: field, Reason: reason})
	}
}

func (im *importer) touch(v *Visit) {
	im.mem[v.OfficeID] = append(im.mem[v.OfficeID], rawVisit{Arrived: v.Arrived, Called: v.Called, Finished: v.Finished, Outcome: v.Outcome})
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
	im := &importer{v: v, opt: opt, rules: v.rules(ctx), locked: map[int64]bool{}, touched: map[int64][]int64{}, seen: map[int64]map[int64]bool{},
		mem: map[int64][]rawVisit{}}
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
	col, err := importHeader(header)
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
		if err := v.rebuildImported(ctx, tx, im.touched, im.mem); err != nil {
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

// importHeader maps column names to positions.
func importHeader(header []string) (map[string]int, error) {
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
	if hasCode == hasID {
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
	if _, byCode := col["office"]; byCode {
		code := strings.ToUpper(strings.TrimSpace(daftar.NormalizeDigits(get("office"))))
		off = im.byCode[code]
		if off == nil {
			im.reject(&im.read, line, ticket, StatusRefused, "office", fmt.Sprintf("office %q is not in the register", truncate(code, 40)))
			return importRow{}, false
		}
	} else {
		id, err := strconv.ParseInt(strings.TrimSpace(daftar.NormalizeDigits(get("office_id"))), 10, 64)
		if off = im.byID[id]; err != nil || off == nil {
			im.reject(&im.read, line, ticket, StatusRefused, "office_id", "is not the id of an office of the register")
			return importRow{}, false
		}
	}
	if off.Status != offices.Active && !im.opt.AllowInactive {
		im.reject(&im.read, line, ticket, StatusRefused, "office", fmt.Sprintf("the office is %s: it records no visits (see -allow-inactive)", off.Status))
		return importRow{}, false
	}
	v, fe := im.rules.check(in, off)
	if len(fe) > 0 {
		im.reject(&im.read, line, ticket, StatusRefused, fe[0].Field, reasonOf(fe))
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
			im.reject(&im.wrote, row.line, row.v.Ticket, StatusDuplicate, "ticket", fmt.Sprintf("repeats the ticket of line %d", first))
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
			im.reject(&im.wrote, rows[i].line, rows[i].v.Ticket, StatusDuplicate, "ticket", "this ticket is already recorded")
		}
	}
	return nil
}

// visitSource streams a chunk to COPY (pgx encodes each row before
// asking for the next, so one buffer serves).
type visitSource struct {
	rows []importRow
	i    int
	buf  []any
}

func (s *visitSource) Next() bool { s.i++; return s.i <= len(s.rows) }
func (s *visitSource) Values() ([]any, error) {
	s.buf = s.rows[s.i-1].v.appendValues(s.buf[:0])
	return s.buf, nil
}
func (s *visitSource) Err() error { return nil }

// copyChunk COPYs a chunk under a savepoint; when a ticket already exists
// (unique violation) it rolls back to the savepoint and inserts the chunk
// row by row with ON CONFLICT DO NOTHING instead.
func (im *importer) copyChunk(ctx context.Context, tx *db.Tx, rows []importRow) error {
	sp, err := tx.Pgx().Begin(ctx) // a savepoint
	if err != nil {
		return err
	}
	src := &visitSource{rows: rows, buf: im.values}
	_, err = sp.CopyFrom(ctx, pgx.Identifier{"visits"}, visitCols, src)
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
