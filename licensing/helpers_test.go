package licensing

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/secrets"
)

const testSecret = "test-secret-0123456789abcdef0123456789"

func testCodes(t testing.TB) *NationalCodes {
	t.Helper()
	nc, err := NewNationalCodes(secrets.Derive(testSecret, secrets.NationalCodeHash), secrets.Derive(testSecret, secrets.NationalCodeEncrypt))
	if err != nil {
		t.Fatal(err)
	}
	return nc
}

// testGazetteer loads the shipped gazetteer once, through a throwaway SQLite
// database (the gazetteer only loads from a database).
func testGazetteer(t testing.TB, d *db.DB) *geo.Gazetteer {
	t.Helper()
	ctx := context.Background()
	if err := geo.LoadReference(ctx, d); err != nil {
		t.Fatal(err)
	}
	g, err := geo.LoadGazetteer(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

type testEnv struct {
	d     *db.DB
	clock *daftar.ManualClock
	gaz   *geo.Gazetteer
	codes *NationalCodes
	exams *Exams
	cands *Candidates
	audit *audit.Log
	ctx   context.Context
}

// 2026-11-22 is 1405/09/01 in Tehran.
var testNow = time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)

func newTestEnv(t testing.TB, d *db.DB, cfg ExamConfig) *testEnv {
	t.Helper()
	e := &testEnv{d: d, clock: daftar.NewManualClock(testNow), gaz: testGazetteer(t, d), codes: testCodes(t)}
	e.audit = audit.New(d, e.clock)
	e.exams = NewExams(d, e.clock, e.audit, e.gaz, e.codes, cfg)
	e.cands = NewCandidates(d, e.clock, e.audit, e.gaz, e.codes)
	e.ctx = daftar.WithActor(context.Background(), daftar.Actor{UserID: 0, Username: "ministry-user", Role: daftar.RoleMinistry})
	return e
}

// validCode makes the n-th valid national code (never of one repeated digit).
func validCode(n int) string {
	first9 := fmt.Sprintf("%09d", 100_000_000+n*7919%800_000_000)
	c, _ := daftar.NationalCodeCheckDigit(first9)
	return first9 + strconv.Itoa(c)
}

// badCheck returns code with a wrong check digit.
func badCheck(code string) string {
	d := (int(code[9]-'0') + 1) % 10
	return code[:9] + strconv.Itoa(d)
}

var stdHeader = []string{"کد ملی", "نام", "نام خانوادگی", "جنسیت", "تاریخ تولد", "استان محل آزمون", "نمره تراز", "رتبه", "نتیجه", "اولویت‌ها"}

// row builds a data row in stdHeader's order.
func row(code, first, last, gender, birth, province, score, rank, result, prefs string) []string {
	return []string{code, first, last, gender, birth, province, score, rank, result, prefs}
}

// goodRow is a valid passed candidate.
func goodRow(n int) []string {
	return row(validCode(n), "علی", "احمدی", "مرد", "1370/05/12", "تهران", "85.5", strconv.Itoa(n+1), "قبول", "تهران، کرج؛ اصفهان")
}

func csvOf(t testing.TB, rows ...[]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func fileOf(t testing.TB, rows ...[]string) []byte {
	return csvOf(t, append([][]string{stdHeader}, rows...)...)
}

func (e *testEnv) importBytes(t testing.TB, b []byte, mod ...func(*ImportInput)) (Report, bool, error) {
	t.Helper()
	in := ImportInput{FileName: "results.csv", ExamYear: 1405}
	in.Content, in.Size = BytesInput(b)
	for _, m := range mod {
		m(&in)
	}
	return e.exams.Import(e.ctx, in)
}

func dryRun(in *ImportInput) { in.DryRun = true }

func (e *testEnv) count(t testing.TB, table string) int64 {
	t.Helper()
	var n int64
	if err := e.d.Gorm.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
