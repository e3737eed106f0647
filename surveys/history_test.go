package surveys_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/surveys"
)

// LoadHistory: every visit counts as invited on its day, the answers are
// stored and read back in the figures like submitted ones, and an answer
// the template refuses writes nothing at all.
func TestLoadHistory(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d, 2, surveys.Config{MinResponses: 1})
		ctx := context.Background()
		arrived := start.Add(-24 * time.Hour)
		good := surveys.Answers{surveys.QOverall: 4, surveys.QCourtesy: 5, surveys.QWaiting: 3, surveys.QFeesClear: 4,
			surveys.QExtraFee: false, surveys.QRecommend: 8}
		visitAt := func(office int64, at time.Time, a surveys.Answers) surveys.HistoricVisit {
			return surveys.HistoricVisit{OfficeID: office, ServiceCode: "criminal_record", ArrivedAt: at,
				Answers: a, ReceivedAt: at.Add(time.Hour)}
		}
		visit := func(a surveys.Answers) surveys.HistoricVisit { return visitAt(f.offices[0], arrived, a) }

		bad := map[string]any{}
		for k, v := range good {
			bad[k] = v
		}
		bad[surveys.QOverall] = 9
		_, _, err := f.s.LoadHistory(ctx, slices.Values([]surveys.HistoricVisit{visit(good), visit(bad)}))
		if de, ok := daftar.AsError(err); !ok || de.Kind != daftar.KindUnprocessable {
			t.Fatalf("an answer out of range: %v", err)
		}
		var n int64
		d.Gorm.Table("survey_responses").Count(&n)
		if n != 0 {
			t.Fatalf("a refused history wrote %d responses", n)
		}

		// Runs of one office and day, broken and taken up again.
		other, earlier := f.offices[1], arrived.Add(-48*time.Hour)
		inv, resp, err := f.s.LoadHistory(ctx, slices.Values([]surveys.HistoricVisit{visit(good), visit(nil), visitAt(other, arrived, nil),
			visit(nil), visitAt(other, earlier, good), visit(good), visitAt(other, arrived, nil)}))
		if err != nil || inv != 7 || resp != 3 {
			t.Fatalf("invitations %d, responses %d, %v", inv, resp, err)
		}
		dayRange := func(at time.Time) surveys.Range {
			return surveys.Range{From: at.In(daftar.Tehran()).Format("2006-01-02"), To: at.In(daftar.Tehran()).AddDate(0, 0, 1).Format("2006-01-02")}
		}
		for _, c := range []struct {
			office    int64
			at        time.Time
			inv, resp int64
		}{{f.offices[0], arrived, 4, 2}, {other, arrived, 2, 0}, {other, earlier, 1, 1}} {
			figs, err := f.s.FiguresFor(ctx, dayRange(c.at), []int64{c.office})
			if err != nil {
				t.Fatal(err)
			}
			fig := figs[c.office]
			if fig == nil || fig.Invitations != c.inv || fig.Responses != c.resp || c.resp > 0 && fig.MeanOverall != 4 {
				t.Fatalf("office %d on %s: figures %+v", c.office, dayRange(c.at).From, fig)
			}
		}
	})
}
