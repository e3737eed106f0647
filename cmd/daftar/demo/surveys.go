package demo

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"iter"
	"math"
	"math/rand/v2"
	"time"

	"github.com/daftar-ir/daftar/cmd/daftar/demo/geodemo"
	geovisits "github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/surveys"
)

// Demo survey answers: a share of the demo's served visits answered, with
// satisfaction that falls as the wait grows and follows the office's
// courtesy (geodemo.Traits), and a few offices where citizens often report
// being asked for more than the official fee.

// SurveyOptions tunes the demo answers.
type SurveyOptions struct {
	Seed         uint64
	ResponseRate float64 // share of served visits that answer (default 0.15)
}

// SurveysReport sums up what was written.
type SurveysReport struct {
	Invitations, Responses int
	ExtraFeeOffices        []int64
}

var surveyComments = []string{
	"برخورد کارکنان بسیار محترمانه بود.", "زمان انتظار خیلی طولانی بود.", "سامانه کند بود و چند بار قطع شد.",
	"راهنمایی خوبی دریافت کردم.", "هزینه‌ها روی تابلو نوشته نشده بود.", "نوبت‌دهی منظم بود.", "جای نشستن کافی نبود.",
	"کار من سریع انجام شد، سپاسگزارم.",
}

// extraFeeOffice picks the few offices with frequent extra-fee reports
// (about 2% of them), stably by id.
func extraFeeOffice(seed uint64, id int64) bool {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d/%d", seed, id)
	return h.Sum64()%50 == 7
}

// SurveyAnswers answers a share of the served visits already stored, every
// one of them counted as invited; answers depend on the wait.
// Deterministic for a seed. One bulk transaction (surveys' LoadHistoryFrom).
func SurveyAnswers(ctx context.Context, svc *surveys.Service, visits *geovisits.Service, now time.Time, opt SurveyOptions) (SurveysReport, error) {
	if opt.ResponseRate <= 0 {
		opt.ResponseRate = 0.15
	}
	if err := svc.EnsureDefaultTemplate(ctx); err != nil {
		return SurveysReport{}, err
	}
	// The visits are streamed from the database while the answers are
	// written, so memory does not grow with the history. Two random
	// streams, one deciding who answers and one drawing the answers,
	// started where a single stream drawing every decision first would
	// be: the same answers as ever for a seed.
	n, err := visits.CountServed(ctx)
	if err != nil {
		return SurveysReport{}, err
	}
	pick := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5eed))
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5eed))
	for range n {
		rng.Float64()
	}
	var rep SurveysReport
	seenExtra := map[int64]bool{}
	courtesyOf := map[int64]float64{}
	stop := errors.New("stop")
	history := iter.Seq2[surveys.HistoricVisit, error](func(yield func(surveys.HistoricVisit, error) bool) {
		err := visits.EachServed(ctx, func(v geovisits.ServedVisit) error {
			h := surveys.HistoricVisit{OfficeID: v.OfficeID, ServiceCode: v.Service, ArrivedAt: time.Unix(v.Arrived, 0)}
			if pick.Float64() < opt.ResponseRate {
				waitMin := 0.0
				if v.Called > v.Arrived {
					waitMin = float64(v.Called-v.Arrived) / 60
				}
				extra := extraFeeOffice(opt.Seed, v.OfficeID)
				courtesy, ok := courtesyOf[v.OfficeID]
				if !ok {
					courtesy = geodemo.Traits(opt.Seed, v.OfficeID).Courtesy
					courtesyOf[v.OfficeID] = courtesy
				}
				h.Answers = drawAnswers(rng, waitMin, courtesy, extra)
				if h.Answers[surveys.QExtraFee] == true && extra && !seenExtra[v.OfficeID] {
					seenExtra[v.OfficeID] = true
					rep.ExtraFeeOffices = append(rep.ExtraFeeOffices, v.OfficeID)
				}
				received := v.Finished + int64(600+rng.IntN(3*24*3600))
				if received > now.Unix() {
					received = now.Unix()
				}
				h.ReceivedAt = time.Unix(received, 0)
			}
			if !yield(h, nil) {
				return stop
			}
			return nil
		})
		if err != nil && !errors.Is(err, stop) {
			yield(surveys.HistoricVisit{}, err)
		}
	})
	rep.Invitations, rep.Responses, err = svc.LoadHistoryFrom(ctx, history)
	if err != nil {
		return SurveysReport{}, fmt.Errorf("demo responses: %w", err)
	}
	return rep, nil
}

// drawAnswers draws one citizen's answers: satisfaction falls about one
// point for every half hour of waiting.
func drawAnswers(rng *rand.Rand, waitMin, courtesy float64, extraFeeOffice bool) surveys.Answers {
	score := func(mean float64) int {
		v := int(math.Round(mean + rng.NormFloat64()*0.7))
		return max(1, min(5, v))
	}
	overallMean := 4.6 + courtesy - waitMin/30
	a := surveys.Answers{
		surveys.QOverall:   score(overallMean),
		surveys.QCourtesy:  score(overallMean + 0.3),
		surveys.QWaiting:   score(5 - waitMin/15),
		surveys.QFeesClear: score(4.2),
	}
	p := 0.02
	if extraFeeOffice {
		p = 0.3
		a[surveys.QFeesClear] = score(2.8)
	}
	a[surveys.QExtraFee] = rng.Float64() < p
	if a[surveys.QExtraFee] == true {
		a[surveys.QOverall] = max(1, a[surveys.QOverall].(int)-1)
	}
	a[surveys.QRecommend] = max(0, min(10, 2*a[surveys.QOverall].(int)+rng.IntN(3)-1))
	if rng.IntN(8) == 0 {
		a[surveys.QComment] = surveyComments[rng.IntN(len(surveyComments))]
	}
	return a
}
