package api_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

// TestExamImportScoreMax: score_max as a multipart form field (or query
// parameter) sets the file's scale: a file of standard scores imports with
// 12000, the score over it refused with its row, column and reason; the
// report and the candidates say the scale; a score_max that is no scale
// is a 400 naming the field.
func TestExamImportScoreMax(t *testing.T) {
	file, err := os.ReadFile(filepath.Join("..", "licensing", "testdata", "exam-standard-scores.csv"))
	if err != nil {
		t.Fatal(err)
	}
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		ministry := h.tokens[daftar.RoleMinistry]
		for _, bad := range []string{"abc", "0", "-5", "2000000"} {
			res := h.upload(ministry, "", file, "taraz.csv", "score_max", bad)
			if res.Code != 400 || !strings.Contains(res.Body.String(), `"field":"score_max"`) {
				t.Fatalf("score_max %q: %d %s", bad, res.Code, res.Body)
			}
		}
		res := h.upload(ministry, "?dry_run=true", file, "taraz.csv")
		if res.Code != 200 || !strings.Contains(res.Body.String(), `"score_max":100,"score_scale":"default"`) {
			t.Fatalf("default scale: %d %s", res.Code, res.Body)
		}
		res = h.upload(ministry, "", file, "taraz.csv", "exam_year", "1405", "score_max", "۱۲۰۰۰")
		if res.Code != 201 {
			t.Fatalf("score_max 12000: %d %s", res.Code, res.Body)
		}
		rep := decode[struct {
			importJSON
			ScoreMax   float64 `json:"score_max"`
			ScoreScale string  `json:"score_scale"`
		}](t, res)
		if rep.Accepted != 5 || rep.Refused != 1 || rep.ScoreMax != 12000 || rep.ScoreScale != "given" || len(rep.Rejections) != 1 {
			t.Fatalf("report %+v", rep)
		}
		if j := rep.Rejections[0]; j.Row != 7 || j.Column != "score" || j.Code != "score_out_of_range" ||
			j.ReasonEn != "the score must be between 0 and 12000" {
			t.Fatalf("rejection %+v", j)
		}
		list := decode[struct {
			Total int
			Items []struct {
				Score    float64 `json:"score"`
				ScoreMax float64 `json:"score_max"`
			}
		}](t, h.do("GET", "/api/v1/candidates?exam_year=1405", ministry, nil))
		if list.Total != 5 || list.Items[0].ScoreMax != 12000 || list.Items[0].Score != 11781 {
			t.Fatalf("candidates %+v", list)
		}
	})
}
