package licensing

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
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
	Sheet string
	// ScoreMax is the top of the file's score scale (examscale.go); 0 takes
	// the scale written in the score header, else ExamConfig.ScoreMax.
	ScoreMax float64
	DryRun   bool
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
	ScoreMax        float64 // the scale scores were read on: 0 to ScoreMax
	ScoreScale      string  // where it came from: ScaleGiven, ScaleHeader, ScaleDefault
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
	if in.ScoreMax != 0 {
		if err := CheckScoreMax(in.ScoreMax); err != nil {
			return Report{}, false, err
		}
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
	replaces := int64(0)
	if !in.DryRun {
		if id, ok, err := e.importByHash(e.db.WithContext(ctx), c.sha256, in.Sheet); err != nil {
			return Report{}, false, err
		} else if ok {
			again, err := e.rescaled(e.db.WithContext(ctx), id, in)
			if err != nil {
				return Report{}, false, err
			}
			if !again {
				rep, err := e.Get(ctx, id, 0, in.RejectionsLimit)
				return rep, false, err
			}
			replaces = id
		}
	}
	r, err := e.openRun(ctx, in, c)
	if err != nil {
		return Report{}, false, err
	}
	r.replaces = replaces
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

// BytesInput is a convenience for callers holding the file in memory.
func BytesInput(b []byte) (io.ReaderAt, int64) { return bytes.NewReader(b), int64(len(b)) }
