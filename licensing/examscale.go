package licensing

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"gorm.io/gorm"
)

// The score scale of an exam-result file. The assessment organisation
// publishes results on more than one scale: raw scores out of 100 (or 20),
// and standard scores (تراز), typically 4,000 to 12,000. Every import
// states its scale, every candidate keeps it, and one exam year holds one
// scale, so that allocation, which compares the scores of one exam year,
// never compares scores of different scales.

// Where an import's scale came from.
const (
	ScaleGiven   = "given"   // score_max sent with the upload (--score-max)
	ScaleHeader  = "header"  // written in the score column's header: "نمره (از ۲۰)", "score out of 12000"
	ScaleDefault = "default" // neither: ExamConfig.ScoreMax, 100 unless configured
)

// MaxScoreMax bounds score_max: above every published scale, below
// anything a typo would make.
const MaxScoreMax = 1_000_000

// CheckScoreMax refuses a scale that is not a positive number up to
// MaxScoreMax.
func CheckScoreMax(v float64) error {
	if !(v > 0 && v <= MaxScoreMax) {
		return daftar.Invalid("invalid_score_max", "the score scale is not valid",
			daftar.Field("score_max", "out_of_range", "must be a number above 0 and at most 1,000,000 (100 for raw scores, e.g. 12000 for standard scores)"))
	}
	return nil
}

// headerScale finds a scale written after the score column's name:
// "نمره (از ۲۰)", "score (out of 100)", "score/20", "نمره تراز از ۱۲۰۰۰".
// Digits are already ASCII (NormalizeText).
var headerScale = regexp.MustCompile(`^(.*?)\s*(?:[(\[]\s*(?:از|out\s+of|max|of|حداکثر)?\s*([0-9][0-9,٬]*(?:\.[0-9]+)?)\s*[)\]]|(?:/|\s+از|\s+out\s+of)\s*([0-9][0-9,٬]*(?:\.[0-9]+)?))$`)

// splitHeaderScale returns a header without its scale, and the scale (0
// when the header names none).
func splitHeaderScale(text string) (string, float64) {
	m := headerScale.FindStringSubmatch(strings.ToLower(text))
	if m == nil || strings.TrimSpace(m[1]) == "" {
		return text, 0
	}
	num := m[2]
	if num == "" {
		num = m[3]
	}
	v, err := strconv.ParseFloat(strings.NewReplacer(",", "", "٬", "").Replace(num), 64)
	if err != nil || CheckScoreMax(v) != nil {
		return text, 0
	}
	return m[1], v
}

// scaleOf decides an import's scale: the one given, else the header's,
// else the configured default.
func (e *Exams) scaleOf(in ImportInput, cm columnMap) (float64, string) {
	switch {
	case in.ScoreMax > 0:
		return in.ScoreMax, ScaleGiven
	case cm.scoreMax > 0:
		return cm.scoreMax, ScaleHeader
	}
	return e.cfg.ScoreMax, ScaleDefault
}

// checkYearScale refuses a file whose scale differs from that of the
// candidates its exam year already holds.
func (r *importRun) checkYearScale(tx *gorm.DB) error {
	var scales []float64
	if err := tx.Raw("SELECT DISTINCT score_max FROM candidates WHERE exam_year = ? ORDER BY score_max", r.in.ExamYear).
		Scan(&scales).Error; err != nil {
		return err
	}
	for _, s := range scales {
		if s != r.scoreMax {
			y, have, this := strconv.Itoa(r.in.ExamYear), fmtScale(s), fmtScale(r.scoreMax)
			return daftar.Unprocessable("score_scale_mismatch",
				"the candidates of exam year "+y+" are scored out of "+have+", this file out of "+this+
					" ("+r.scaleSource+"): one exam year has one scale, so that scores compare; import it with score_max "+have+
					" if that is its scale, or into its own exam year",
				daftar.Field("score_max", "scale_mismatch", "exam year "+y+" is scored out of "+have))
		}
	}
	return nil
}

func fmtScale(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// scaleHint is added to an out-of-range score's reason when the scale was
// nobody's choice: the likeliest cause is a file on another scale.
func scaleHint(source string) (fa, en string) {
	if source != ScaleDefault {
		return "", ""
	}
	return " (مقیاس پیش‌فرض؛ برای مقیاس دیگر، مانند نمرهٔ تراز، score_max را بدهید)",
		" (the default scale; for another, such as standard scores, give score_max)"
}

// checkScales refuses to compare scores of different scales: the
// qualifying candidates of one allocation must share one.
func checkScales(scales []float64, examYear int) error {
	for _, s := range scales[min(1, len(scales)):] {
		if s != scales[0] {
			return daftar.Unprocessable("mixed_score_scales",
				"the approved candidates of exam year "+strconv.Itoa(examYear)+" are scored on different scales ("+
					fmtScale(scales[0])+" and "+fmtScale(s)+"): their scores cannot be compared; correct the imports before allocating")
		}
	}
	return nil
}

// rescaled reports whether an earlier import of the same content may be
// replaced rather than answered: it accepted no row, and a scale other
// than the one it was read on is now given. (A file of standard scores
// uploaded without score_max is refused row by row; sent again with its
// scale, it is imported, not answered with the first refusal.)
func (e *Exams) rescaled(tx *gorm.DB, id int64, in ImportInput) (bool, error) {
	if in.ScoreMax <= 0 {
		return false, nil
	}
	var prior examImport
	if err := tx.Where("id = ?", id).Take(&prior).Error; err != nil {
		return false, err
	}
	return prior.Status == ImportRefused && prior.Accepted == 0 && prior.ScoreMax != in.ScoreMax, nil
}

// replace removes the refused import r supersedes (its rejections and
// refused rows go with it; it has no candidates), inside the writing
// transaction, and audits it.
func (e *Exams) replace(ctx context.Context, tx *gorm.DB, id int64, r *importRun) error {
	var prior examImport
	if err := tx.Where("id = ?", id).Take(&prior).Error; err != nil {
		return err
	}
	if prior.Accepted != 0 || prior.Status != ImportRefused {
		return daftar.Conflict("exam_import_changed", "the earlier import of this file changed meanwhile; upload it again")
	}
	var n int64
	if err := tx.Table("candidates").Where("import_id = ?", id).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return daftar.Conflict("exam_import_changed", "the earlier import of this file has candidates; it cannot be replaced")
	}
	if err := tx.Exec("DELETE FROM exam_imports WHERE id = ?", id).Error; err != nil {
		return err
	}
	return e.audit.Record(ctx, db.Wrap(tx), audit.Change{Action: "exam_import.replace", Entity: "exam_import", EntityID: id,
		Before: map[string]any{"status": prior.Status, "score_max": prior.ScoreMax, "rows": prior.RowsRead},
		After:  map[string]any{"score_max": r.scoreMax, "reason": "read again on the scale given"}})
}

// scalesOf lists the distinct scales of the qualifying candidates.
func scalesOf(cands []qualifying) []float64 {
	var out []float64
	seen := map[float64]bool{}
	for _, c := range cands {
		if !seen[c.ScoreMax] {
			seen[c.ScoreMax] = true
			out = append(out, c.ScoreMax)
		}
	}
	return out
}
