package reports

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/geo/visits"
	"github.com/daftar-ir/daftar/licensing"
	"github.com/daftar-ir/daftar/ranking"
	"github.com/daftar-ir/daftar/ranking/inspections"
	"github.com/daftar-ir/daftar/surveys"
	"github.com/daftar-ir/daftar/surveys/complaints"
)

// Reports builds the spreadsheets behind GET /api/v1/reports/{kind}.
type Reports struct {
	Gazetteer  *geo.Gazetteer
	Catalogue  *geo.Catalogue
	Offices    *offices.Register
	Crowding   *visits.Crowding
	Surveys    *surveys.Service
	Ranking    *ranking.Service
	Candidates *licensing.Candidates
	Licences   *licensing.Licences
	Rounds     *licensing.Rounds
	Demand     *licensing.Demand
	// Inspections are the inspections and their corrective actions.
	Inspections *inspections.Service
	// Complaints, when set, gives the complaints kind.
	Complaints *complaints.Service
}

// Params narrow a report.
type Params struct {
	From, To time.Time // the span, for figures over time
	// SpanGiven says the caller chose the span; without it a report with
	// its own usual window (demand) uses that instead.
	SpanGiven bool
	Period    string // the Jalali period asked for, if any
	OfficeID  int64  // only this office (office owners); 0 for all
	Lang      string // fa or en, for names
}

// staffOnly are the kinds an office owner may not read: they are about
// people or the whole country, not one office.
var staffOnly = map[string]bool{"candidates": true, "licences": true, "allocations": true, "demand": true, "inspections": true}

// StaffOnly reports whether only staff may read a kind.
func StaffOnly(kind string) bool { return staffOnly[kind] }

// Kinds lists the kinds available.
func (r *Reports) Kinds() []string {
	out := []string{"offices", "crowding", "surveys", "rankings", "candidates"}
	if r.Inspections != nil {
		out = append(out, "inspections")
	}
	if r.Licences != nil && r.Rounds != nil && r.Demand != nil {
		out = append(out, "licences", "allocations", "demand")
	}
	if r.Complaints != nil {
		out = append(out, "complaints")
	}
	sort.Strings(out)
	return out
}

// Build builds a report.
func (r *Reports) Build(ctx context.Context, kind string, p Params) (Table, error) {
	switch kind {
	case "offices":
		return r.offices(ctx, p)
	case "crowding":
		return r.crowding(ctx, p)
	case "surveys":
		return r.surveys(ctx, p)
	case "rankings":
		return r.rankings(ctx, p)
	case "candidates":
		return r.candidates(ctx, p)
	case "inspections":
		if r.Inspections != nil {
			return r.inspections(ctx, p)
		}
	}
	if r.Licences != nil && r.Rounds != nil && r.Demand != nil {
		switch kind {
		case "licences":
			return r.licences(ctx, p)
		case "allocations":
			return r.allocations(ctx, p)
		case "demand":
			return r.demand(ctx, p)
		}
	}
	if kind == "complaints" && r.Complaints != nil {
		return r.complaints(ctx, p)
	}
	return Table{}, daftar.NotFound("report_not_found", "no such report; kinds: "+strings.Join(r.Kinds(), ", "))
}

func name(lang, fa, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	return fa
}

func (r *Reports) regionName(lang, code string) string {
	if reg, ok := r.Gazetteer.Get(code); ok {
		return name(lang, reg.NameFa, reg.NameEn)
	}
	return code
}

func (r *Reports) offices(ctx context.Context, p Params) (Table, error) {
	t := Table{Kind: "offices", TitleFa: "دفاتر", TitleEn: "Offices", Columns: []Column{
		{Key: "id", Fa: "شناسه", En: "ID", Width: 8}, {Key: "code", Fa: "کد", En: "Code", Width: 12},
		{Key: "name", Fa: "نام", En: "Name", Width: 40}, {Key: "province", Fa: "استان", En: "Province"},
		{Key: "city", Fa: "شهر", En: "City"}, {Key: "owner", Fa: "مدیر دفتر", En: "Owner", Width: 22},
		{Key: "counters", Fa: "باجه", En: "Counters", Width: 8}, {Key: "status", Fa: "وضعیت", En: "Status", Width: 10},
		{Key: "latitude", Fa: "عرض جغرافیایی", En: "Latitude", Width: 11}, {Key: "longitude", Fa: "طول جغرافیایی", En: "Longitude", Width: 11},
		{Key: "address", Fa: "نشانی", En: "Address", Width: 40}, {Key: "phone", Fa: "تلفن", En: "Phone", Width: 14},
		{Key: "services", Fa: "تعداد خدمات", En: "Services", Width: 8},
	}}
	all, err := r.Offices.All(ctx)
	if err != nil {
		return t, err
	}
	for _, o := range all {
		if p.OfficeID != 0 && o.ID != p.OfficeID {
			continue
		}
		t.Rows = append(t.Rows, []any{o.ID, o.Code, name(p.Lang, o.NameFa, o.NameEn), r.regionName(p.Lang, o.ProvinceCode),
			r.regionName(p.Lang, o.CityCode), o.OwnerName, o.Counters, o.Status, o.Latitude, o.Longitude, o.Address, o.Phone, len(o.Services)})
	}
	return t, nil
}

func (r *Reports) crowding(ctx context.Context, p Params) (Table, error) {
	t := Table{Kind: "crowding", TitleFa: "ازدحام دفاتر", TitleEn: "Crowding", Columns: []Column{
		{Key: "office_id", Fa: "شناسه", En: "ID", Width: 8}, {Key: "code", Fa: "کد", En: "Code", Width: 12},
		{Key: "province", Fa: "استان", En: "Province"}, {Key: "city", Fa: "شهر", En: "City"},
		{Key: "arrivals", Fa: "مراجعه", En: "Arrivals"}, {Key: "served", Fa: "خدمت‌گرفته", En: "Served"},
		{Key: "no_shows", Fa: "عدم حضور", En: "No-shows"},
		{Key: "wait_p50_min", Fa: "میانه انتظار (دقیقه)", En: "Wait p50 (min)"}, {Key: "wait_p90_min", Fa: "صدک ۹۰ انتظار", En: "Wait p90 (min)"},
		{Key: "wait_p95_min", Fa: "صدک ۹۵ انتظار", En: "Wait p95 (min)"}, {Key: "wait_max_min", Fa: "بیشترین انتظار", En: "Wait max (min)"},
		{Key: "service_mean_min", Fa: "میانگین زمان خدمت", En: "Service mean (min)"},
		{Key: "over_target_share", Fa: "سهم انتظار بیش از هدف", En: "Over target share"},
		{Key: "utilisation", Fa: "بهره‌وری باجه‌ها", En: "Utilisation"}, {Key: "erlang_c_wait_min", Fa: "انتظار ارلانگ C", En: "Erlang C wait (min)"},
	}}
	rng, err := visits.NewCrowdingRange(p.From, p.To.Add(-time.Second), 3*366)
	if err != nil {
		return t, err
	}
	stats, err := r.Crowding.OfficesStats(ctx, rng)
	if err != nil {
		return t, err
	}
	all, err := r.Offices.All(ctx)
	if err != nil {
		return t, err
	}
	for _, o := range all {
		st, ok := stats[o.ID]
		if !ok || (p.OfficeID != 0 && o.ID != p.OfficeID) {
			continue
		}
		f := st.Figures
		t.Rows = append(t.Rows, []any{o.ID, o.Code, r.regionName(p.Lang, o.ProvinceCode), r.regionName(p.Lang, o.CityCode),
			f.Arrivals, f.Served, f.NoShows, f.WaitP50, f.WaitP90, f.WaitP95, f.WaitMax, f.ServiceMean, f.OverTargetShare, f.Utilisation, f.ErlangCWait})
	}
	return t, nil
}

func (r *Reports) surveys(ctx context.Context, p Params) (Table, error) {
	t := Table{Kind: "surveys", TitleFa: "نظرسنجی‌ها", TitleEn: "Surveys", Columns: []Column{
		{Key: "office_id", Fa: "شناسه", En: "ID", Width: 8}, {Key: "code", Fa: "کد", En: "Code", Width: 12},
		{Key: "province", Fa: "استان", En: "Province"}, {Key: "invitations", Fa: "دعوت", En: "Invitations"},
		{Key: "responses", Fa: "پاسخ", En: "Responses"}, {Key: "flagged", Fa: "پاسخ مشکوک", En: "Flagged"},
		{Key: "response_rate", Fa: "نرخ پاسخ", En: "Response rate"}, {Key: "overall", Fa: "رضایت کلی", En: "Overall"},
		{Key: "adjusted", Fa: "رضایت تعدیل‌شده", En: "Adjusted satisfaction"}, {Key: "csat", Fa: "CSAT", En: "CSAT"},
		{Key: "nps", Fa: "NPS", En: "NPS"}, {Key: "extra_fee_rate", Fa: "نرخ گزارش وجه اضافه", En: "Extra-fee rate"},
		{Key: "extra_fee_low", Fa: "حد پایین ویلسون", En: "Wilson low"}, {Key: "extra_fee_high", Fa: "حد بالای ویلسون", En: "Wilson high"},
		{Key: "withheld", Fa: "کمتر از حداقل پاسخ", En: "Below the minimum"},
	}}
	var ids []int64
	if p.OfficeID != 0 {
		ids = []int64{p.OfficeID}
	}
	figs, err := r.Surveys.FiguresFor(ctx, surveys.RangeOfTimes(p.From, p.To), ids)
	if err != nil {
		return t, err
	}
	all, err := r.Offices.All(ctx)
	if err != nil {
		return t, err
	}
	for _, o := range all {
		f, ok := figs[o.ID]
		if !ok {
			continue
		}
		row := []any{o.ID, o.Code, r.regionName(p.Lang, o.ProvinceCode), f.Invitations, f.Responses, f.Flagged}
		// An owner's report withholds figures below the minimum, as the API does.
		if p.OfficeID != 0 && f.Withheld {
			row = append(row, nil, nil, nil, nil, nil, nil, nil, nil, true)
		} else {
			row = append(row, f.ResponseRate, f.MeanOverall, f.Adjusted, f.CSAT, f.NPS, f.ExtraFeeRate, f.ExtraFeeLow, f.ExtraFeeHigh, f.Withheld)
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

func (r *Reports) rankings(ctx context.Context, p Params) (Table, error) {
	t := Table{Kind: "rankings", TitleFa: "رتبه‌بندی دفاتر", TitleEn: "Rankings", Columns: []Column{
		{Key: "period", Fa: "دوره", En: "Period", Width: 9}, {Key: "state", Fa: "وضعیت اجرا", En: "Run state", Width: 10},
		{Key: "office_id", Fa: "شناسه", En: "ID", Width: 8}, {Key: "code", Fa: "کد", En: "Code", Width: 12},
		{Key: "province", Fa: "استان", En: "Province"}, {Key: "score", Fa: "امتیاز", En: "Score"},
		{Key: "rank_national", Fa: "رتبه کشوری", En: "National rank"}, {Key: "rank_province", Fa: "رتبه استانی", En: "Provincial rank"},
		{Key: "grade", Fa: "درجه", En: "Grade", Width: 7}, {Key: "insufficient_data", Fa: "داده ناکافی", En: "Insufficient data"},
		{Key: "responses", Fa: "پاسخ", En: "Responses"}, {Key: "score_change", Fa: "تغییر امتیاز", En: "Score change"},
		{Key: "rank_change", Fa: "تغییر رتبه", En: "Rank change"},
	}}
	runs, _, err := r.Ranking.Runs(ctx, 500, 0)
	if err != nil {
		return t, err
	}
	var run *ranking.Run
	for i := range runs {
		// The period asked for, or the latest; owners see published runs only.
		if p.OfficeID != 0 && runs[i].State != ranking.StatePublished {
			continue
		}
		if p.Period == "" || runs[i].Period == p.Period {
			run = &runs[i]
			break
		}
	}
	if run == nil {
		return t, nil
	}
	results, _, err := r.Ranking.Results(ctx, run.ID, ranking.ResultFilter{OfficeID: p.OfficeID, Limit: 100000})
	if err != nil {
		return t, err
	}
	for _, x := range results {
		t.Rows = append(t.Rows, []any{run.Period, run.State, x.OfficeID, x.Code, r.regionName(p.Lang, x.Province), x.Score,
			x.RankNational, x.RankProvince, x.Grade, x.InsufficientData, x.Responses, x.ScoreChange, x.RankChange})
	}
	return t, nil
}

func (r *Reports) candidates(ctx context.Context, p Params) (Table, error) {
	t := Table{Kind: "candidates", TitleFa: "داوطلبان", TitleEn: "Candidates", Columns: []Column{
		{Key: "id", Fa: "شناسه", En: "ID", Width: 8}, {Key: "exam_year", Fa: "سال آزمون", En: "Exam year", Width: 8},
		{Key: "national_code_masked", Fa: "کد ملی", En: "National code", Width: 13},
		{Key: "first_name", Fa: "نام", En: "First name"}, {Key: "last_name", Fa: "نام خانوادگی", En: "Last name"},
		{Key: "exam_province", Fa: "استان محل آزمون", En: "Exam province"}, {Key: "score", Fa: "نمره تراز", En: "Score"},
		{Key: "rank", Fa: "رتبه", En: "Rank"}, {Key: "preferences", Fa: "اولویت‌ها", En: "Preferences", Width: 40},
		{Key: "state", Fa: "وضعیت", En: "State", Width: 16},
	}}
	for offset := 0; ; offset += 1000 {
		list, _, err := r.Candidates.List(ctx, licensing.CandidateFilter{Limit: 1000, Offset: offset})
		if err != nil {
			return t, err
		}
		for _, c := range list {
			prefs := make([]string, len(c.Preferences))
			for i, code := range c.Preferences {
				prefs[i] = r.regionName(p.Lang, code)
			}
			t.Rows = append(t.Rows, []any{c.ID, c.ExamYear, c.NationalCodeMasked, c.FirstName, c.LastName,
				r.regionName(p.Lang, c.ExamProvince), c.Score, c.Rank, strings.Join(prefs, "، "), c.State})
		}
		if len(list) < 1000 {
			return t, nil
		}
	}
}
