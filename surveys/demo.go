package surveys

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"iter"
	"math"
	"math/rand/v2"

	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/internal/db"
)

// Demo responses: a share of the demo's served visits answered, with
// satisfaction that falls as the wait grows, and a few offices where
// citizens often report being asked for more than the official fee.

// DemoOptions tunes the demo answers.
type DemoOptions struct {
	Seed         uint64
	ResponseRate float64 // share of served visits that answer (default 0.15)
}

// DemoReport sums up what was written.
type DemoReport struct {
	Invitations, Responses int
	ExtraFeeOffices        []int64
}

var demoComments = []string{
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

// SeedDemo answers a share of the served visits (as geo/visits lists
// them, in id order); answers depend on the wait. Deterministic for a seed.
// One bulk transaction.
func (s *Service) SeedDemo(ctx context.Context, served []visits.Visit, opt DemoOptions) (DemoReport, error) {
	if opt.ResponseRate <= 0 {
		opt.ResponseRate = 0.15
	}
	if err := s.EnsureDefaultTemplate(ctx); err != nil {
		return DemoReport{}, err
	}
	type visit struct {
		ID, OfficeID        int64
		ServiceCode         string
		ArrivedAt, CalledAt int64
		FinishedAt          int64
	}
	visits := make([]visit, len(served))
	for i, v := range served {
		visits[i] = visit{ID: v.ID, OfficeID: v.OfficeID, ServiceCode: v.Service, ArrivedAt: v.Arrived, CalledAt: v.Called, FinishedAt: v.Finished}
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x5eed))
	now := s.clock.Now()
	rep := DemoReport{}
	seenExtra := map[int64]bool{}
	answered := make([]bool, len(visits))
	for i := range visits {
		answered[i] = rng.Float64() < opt.ResponseRate
	}
	respCols := []string{"office_id", "service_code", "visit_day", "template_version", "overall", "courtesy", "waiting", "fees_clear",
		"extra_fee", "recommend", "comment", "answers", "pattern", "received_hour", "excluded"}
	// The demo's links are never handed out, so it stores no invitation
	// rows, only how many were sent per office and day (what response
	// rates read).
	err := s.db.BulkWithoutIndexes(ctx, []string{"survey_responses"}, func(ins db.Inserter) error {
		type officeDay struct {
			office int64
			day    string
		}
		perDay := map[officeDay]int64{}
		var order []officeDay
		for _, v := range visits {
			k := officeDay{v.OfficeID, dayOf(v.ArrivedAt)}
			if perDay[k] == 0 {
				order = append(order, k)
			}
			perDay[k]++
		}
		err := ins("survey_invitation_days", []string{"office_id", "visit_day", "invitations"}, func(yield func([]any) bool) {
			for _, k := range order {
				if !yield([]any{k.office, k.day, perDay[k]}) {
					return
				}
				rep.Invitations += int(perDay[k])
			}
		})
		if err != nil {
			return err
		}
		return ins("survey_responses", respCols, iter.Seq[[]any](func(yield func([]any) bool) {
			for i, v := range visits {
				if !answered[i] {
					continue
				}
				waitMin := 0.0
				if v.CalledAt > v.ArrivedAt {
					waitMin = float64(v.CalledAt-v.ArrivedAt) / 60
				}
				a := demoAnswers(rng, waitMin, extraFeeOffice(opt.Seed, v.OfficeID))
				if a[QExtraFee] == true && extraFeeOffice(opt.Seed, v.OfficeID) && !seenExtra[v.OfficeID] {
					seenExtra[v.OfficeID] = true
					rep.ExtraFeeOffices = append(rep.ExtraFeeOffices, v.OfficeID)
				}
				body, _ := json.Marshal(a)
				var comment any
				if c, ok := a[QComment].(string); ok {
					comment = c
				}
				received := v.FinishedAt + int64(600+rng.IntN(3*24*3600))
				if received > now.Unix() {
					received = now.Unix()
				}
				if !yield([]any{v.OfficeID, v.ServiceCode, dayOf(v.ArrivedAt), int64(1), a[QOverall], a[QCourtesy], a[QWaiting], a[QFeesClear],
					a[QExtraFee], a[QRecommend], comment, string(body), patternOf(a), received / 3600 * 3600, false}) {
					return
				}
				rep.Responses++
			}
		}))
	})
	if err != nil {
		return DemoReport{}, fmt.Errorf("demo responses: %w", err)
	}
	return rep, nil
}

// demoAnswers draws one citizen's answers: satisfaction falls about one
// point for every half hour of waiting.
func demoAnswers(rng *rand.Rand, waitMin float64, extraFeeOffice bool) Answers {
	score := func(mean float64) int {
		v := int(math.Round(mean + rng.NormFloat64()*0.7))
		return max(1, min(5, v))
	}
	overallMean := 4.7 - waitMin/30
	a := Answers{
		QOverall:   score(overallMean),
		QCourtesy:  score(overallMean + 0.3),
		QWaiting:   score(5 - waitMin/15),
		QFeesClear: score(4.2),
	}
	p := 0.02
	if extraFeeOffice {
		p = 0.3
		a[QFeesClear] = score(2.8)
	}
	a[QExtraFee] = rng.Float64() < p
	if a[QExtraFee] == true {
		a[QOverall] = max(1, a[QOverall].(int)-1)
	}
	a[QRecommend] = max(0, min(10, 2*a[QOverall].(int)+rng.IntN(3)-1))
	if rng.IntN(8) == 0 {
		a[QComment] = demoComments[rng.IntN(len(demoComments))]
	}
	return a
}
