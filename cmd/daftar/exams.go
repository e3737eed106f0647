package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/cmd/daftar/demo"
	"github.com/daftar-ir/daftar/internal/progress"
	"github.com/daftar-ir/daftar/internal/secrets"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/daftar-ir/daftar/reports"
)

// initExams builds exam intake and the candidates' register. National codes
// are keyed and encrypted with keys derived from the configured secret.
func (a *app) initExams() error {
	codes, err := licensing.NewNationalCodes(secrets.Derive(a.secret, secrets.NationalCodeHash),
		secrets.Derive(a.secret, secrets.NationalCodeEncrypt))
	if err != nil {
		return err
	}
	a.exams = licensing.NewExams(a.db, a.clock, a.audit, a.gazetteer, codes, licensing.ExamConfig{
		OpenXLSX: reports.XLSXRows(reports.XLSXLimits{}), Log: a.log})
	a.candidates = licensing.NewCandidates(a.db, a.clock, a.audit, a.gazetteer, codes)
	return nil
}

func examResultsImporter() importer {
	return importer{kind: "exam-results",
		summary: "load the assessment organisation's result file (CSV or XLSX; docs/exam-import.md)",
		flags: []flagSpec{
			{name: "dry-run", help: "validate and report; write nothing"},
			{name: "exam-year", arg: "YEAR", help: "Jalali year of the exam (default: the current year)"},
			{name: "score-max", arg: "N", help: "top of the score scale: 100 for raw scores (default, unless the score header says \"(از ۲۰)\"), e.g. 12000 for standard scores (تراز)"},
			{name: "sheet", arg: "NAME", help: "XLSX: the sheet to read (default: the first)"},
			{name: "show", arg: "N", help: "print the first N rejections (default 50; 0: all)"},
		},
		run: importExamResults}
}

// importExamResults: daftar import exam-results FILE [--dry-run]
// [--exam-year Y] [--score-max N] [--sheet NAME] [--show N]. It prints the
// same report as the API, and fails (exit 1) when the file is refused as a
// whole.
func importExamResults(ctx context.Context, e env, args []string) error {
	vals, pos, rest, err := splitArgs(args, map[string]bool{"dry-run": true, "exam-year": false, "score-max": false, "sheet": false, "show": false})
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("import exam-results needs one FILE")
	}
	path, sheet := pos[0], vals["sheet"]
	dry, err := switchValue(vals, "dry-run")
	if err != nil {
		return err
	}
	year := 0
	if v, ok := vals["exam-year"]; ok {
		n, err := daftar.ParseInt(v)
		if err != nil {
			return usageErr("--exam-year must be a Jalali year like 1405")
		}
		year = int(n)
	}
	scoreMax := 0.0
	if v, ok := vals["score-max"]; ok {
		f, err := daftar.ParseFloat(v)
		if err != nil || licensing.CheckScoreMax(f) != nil {
			return usageErr("--score-max must be the top of the score scale, above 0 and at most 1,000,000 (100 for raw scores, e.g. 12000 for standard scores)")
		}
		scoreMax = f
	}
	show := 50
	if v, ok := vals["show"]; ok {
		if show, err = strconv.Atoi(v); err != nil || show < 0 {
			return usageErr("--show must be a number of rejections to print (0: all)")
		}
	}
	ctx = daftar.WithActor(ctx, daftar.SystemActor("cli"))
	return withApp(ctx, e, "import", rest, func(a *app, _ []string) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		if st.Size() > a.cfg.UploadMaxBytes {
			return fmt.Errorf("%s is %d bytes, larger than the upload limit of %d (DAFTAR_UPLOAD_MAX)", path, st.Size(), a.cfg.UploadMaxBytes)
		}
		bar := progress.New(e.stderr, "reading "+filepath.Base(path), 0, "rows")
		limit := show
		in := licensing.ImportInput{Content: f, Size: st.Size(), FileName: filepath.Base(path), ExamYear: year, Sheet: sheet, ScoreMax: scoreMax,
			DryRun: dry, RejectionsLimit: limit, Progress: func(n int) { bar.Set(int64(n)) }}
		start := time.Now()
		rep, created, err := a.exams.Import(ctx, in)
		bar.Finish()
		if err != nil {
			return describe(err)
		}
		printExamReport(e.stdout, rep, created, time.Since(start))
		if rep.Status == licensing.ImportRefused {
			return fmt.Errorf("the file was refused: no row was accepted")
		}
		return nil
	})
}

// printExamReport writes an import report for a terminal.
func printExamReport(w io.Writer, rep licensing.Report, created bool, took time.Duration) {
	switch {
	case rep.DryRun:
		fmt.Fprintf(w, "daftar: dry run of %s: nothing was written\n", rep.FileName)
	case created:
		fmt.Fprintf(w, "daftar: exam import %d created from %s\n", rep.ID, rep.FileName)
	default:
		fmt.Fprintf(w, "daftar: this file was already imported as import %d on %s by %s; nothing was written\n",
			rep.ID, daftar.FormatJalaliDateTime(rep.CreatedAt), rep.CreatedBy)
	}
	format := string(rep.Format)
	if rep.Encoding != "" {
		format += ", " + rep.Encoding
	}
	if rep.Sheet != "" {
		format += ", sheet " + rep.Sheet
	}
	fmt.Fprintf(w, "  exam year %d; scores out of %s (%s); %s; header on row %d; sha256 %s\n", rep.ExamYear,
		strconv.FormatFloat(rep.ScoreMax, 'f', -1, 64), scaleWords[rep.ScoreScale], format, rep.HeaderRow, rep.ContentSHA256)
	fmt.Fprintf(w, "  status %s: %d rows, %d accepted (%d passed, %d not passed), %d refused (%s)\n", rep.Status, rep.Rows,
		rep.Accepted, rep.Passed, rep.NotPassed, rep.Refused, took.Round(time.Millisecond))
	if len(rep.IgnoredColumns) > 0 {
		fmt.Fprintf(w, "  ignored columns: %s\n", strings.Join(rep.IgnoredColumns, "، "))
	}
	if rep.RejectionsTotal == 0 {
		return
	}
	fmt.Fprintf(w, "  rejections (%d):\n", rep.RejectionsTotal)
	for _, j := range rep.Rejections {
		fmt.Fprintf(w, "    row %d, %s %q: %s | %s\n", j.Row, j.Column, j.Value, j.ReasonEn, j.ReasonFa)
	}
	if more := rep.RejectionsTotal - len(rep.Rejections); more > 0 {
		fmt.Fprintf(w, "    ... and %d more (--show 0 prints all)\n", more)
	}
	if rep.ID != 0 {
		fmt.Fprintf(w, "  the refused rows as a spreadsheet: GET /api/v1/exam-imports/%d/rejections.xlsx\n", rep.ID)
	}
}

// scaleWords say where an import's scale came from.
var scaleWords = map[string]string{licensing.ScaleGiven: "as given", licensing.ScaleHeader: "as the score header says",
	licensing.ScaleDefault: "the default; --score-max for another scale"}

// The demo exam year: about 2,000 passed candidates, some through the
// document review, so that allocation has approved candidates to place.
const (
	demoExamYear      = 1405
	demoExamPassed    = 2000
	demoExamNotPassed = 350
)

// seedDemoCandidates imports the demo's exam file and reviews most passed
// candidates' documents.
func (a *app) seedDemoCandidates(ctx context.Context) error {
	start := time.Now()
	rep, err := demo.Candidates(ctx, a.exams, a.candidates, demo.CandidatesSpec{ExamYear: demoExamYear,
		Passed: demoExamPassed, NotPassed: demoExamNotPassed, Seed: demoSeed})
	if err != nil || !rep.Created {
		return err
	}
	a.log.Info("demo candidates seeded", "exam_year", rep.ExamYear, "import_id", rep.ImportID, "passed", rep.Passed,
		"not_passed", rep.NotPassed, "reviews", rep.Reviews, "elapsed_ms", time.Since(start).Milliseconds())
	return nil
}
