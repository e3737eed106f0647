package reports

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/licensing"
)

// The licensing kinds: licences, a round's allocation, and the demand
// model. All are staff-only.

func (r *Reports) licences(ctx context.Context, p Params) (Table, error) {
	t := Table{Kind: "licences", TitleFa: "مجوزها", TitleEn: "Licences", Columns: []Column{
		{Key: "number", Fa: "شماره مجوز", En: "Number", Width: 16}, {Key: "state", Fa: "وضعیت", En: "State", Width: 10},
		{Key: "province", Fa: "استان", En: "Province"}, {Key: "city", Fa: "شهر", En: "City"},
		{Key: "holder", Fa: "دارنده", En: "Holder", Width: 24}, {Key: "holder_national_code", Fa: "کد ملی دارنده", En: "Holder national code", Width: 13},
		{Key: "source", Fa: "مبنا", En: "Source", Width: 10}, {Key: "round_id", Fa: "دور", En: "Round", Width: 6},
		{Key: "office_id", Fa: "شناسه دفتر", En: "Office ID", Width: 8},
		{Key: "valid_from", Fa: "اعتبار از", En: "Valid from"}, {Key: "valid_until", Fa: "اعتبار تا", En: "Valid until"},
		{Key: "renewals", Fa: "تمدید", En: "Renewals", Width: 6}, {Key: "state_reason", Fa: "دلیل وضعیت", En: "State reason", Width: 30},
	}}
	for offset := 0; ; offset += 1000 {
		list, _, err := r.Licences.List(ctx, licensing.LicenceFilter{Limit: 1000, Offset: offset})
		if err != nil {
			return t, err
		}
		for _, l := range list {
			t.Rows = append(t.Rows, []any{l.Number, l.State, r.regionName(p.Lang, l.Province), r.regionName(p.Lang, l.Region),
				l.HolderName, l.HolderNationalCodeMasked, l.Source, l.RoundID, l.OfficeID,
				jalaliDay(l.ValidFrom), jalaliDay(l.ValidUntil), l.Renewals, l.StateReason})
		}
		if len(list) < 1000 {
			return t, nil
		}
	}
}

// allocations is the latest allocated round's result (the one a clerk
// checks before closing it).
func (r *Reports) allocations(ctx context.Context, p Params) (Table, error) {
	t := Table{Kind: "allocations", TitleFa: "نتیجهٔ تخصیص", TitleEn: "Allocation", Columns: []Column{
		{Key: "round_id", Fa: "دور", En: "Round", Width: 6}, {Key: "candidate_id", Fa: "شناسه داوطلب", En: "Candidate ID", Width: 10},
		{Key: "national_code_masked", Fa: "کد ملی", En: "National code", Width: 13},
		{Key: "first_name", Fa: "نام", En: "First name"}, {Key: "last_name", Fa: "نام خانوادگی", En: "Last name"},
		{Key: "score", Fa: "نمره تراز", En: "Score"}, {Key: "exam_rank", Fa: "رتبه", En: "Rank"},
		{Key: "region", Fa: "شهر تخصیص", En: "Placed in"}, {Key: "preference_rank", Fa: "اولویت", En: "Preference", Width: 8},
		{Key: "reason", Fa: "توضیح", En: "Reason", Width: 60}, {Key: "licence_id", Fa: "شناسه مجوز", En: "Licence ID", Width: 8},
	}}
	rounds, _, err := r.Rounds.List(ctx, licensing.RoundFilter{Limit: 50})
	if err != nil {
		return t, err
	}
	var round *licensing.Round
	for i := range rounds {
		if rounds[i].AllocatedAt != nil {
			round = &rounds[i]
			break
		}
	}
	if round == nil {
		return t, nil // no allocation yet: an empty sheet with its headers
	}
	t.TitleFa += "، " + round.Name
	t.TitleEn += ", " + round.Name
	for offset := 0; ; offset += 1000 {
		list, _, err := r.Rounds.Allocations(ctx, round.ID, licensing.AllocationFilter{Limit: 1000, Offset: offset})
		if err != nil {
			return t, err
		}
		for _, a := range list {
			var region any
			if a.Region != nil {
				region = r.regionName(p.Lang, *a.Region)
			}
			t.Rows = append(t.Rows, []any{round.ID, a.CandidateID, a.NationalCodeMasked, a.FirstName, a.LastName, a.Score, a.ExamRank,
				region, a.PreferenceRank, name(p.Lang, a.ReasonFa, a.Reason), a.LicenceID})
		}
		if len(list) < 1000 {
			return t, nil
		}
	}
}

// demand is the demand model over the report's span, largest shortage
// first, with the figures behind each city's need.
func (r *Reports) demand(ctx context.Context, p Params) (Table, error) {
	t := Table{Kind: "demand", TitleFa: "نیاز و کمبود دفاتر", TitleEn: "Need and shortage of offices", Columns: []Column{
		{Key: "region", Fa: "شهر", En: "City"}, {Key: "province", Fa: "استان", En: "Province"},
		{Key: "population", Fa: "جمعیت", En: "Population", Width: 12}, {Key: "active_offices", Fa: "دفاتر فعال", En: "Active offices"},
		{Key: "licensed_not_open", Fa: "مجوز صادره، افتتاح‌نشده", En: "Licensed, not open"},
		{Key: "population_per_office", Fa: "جمعیت به ازای هر دفتر", En: "Residents per office"},
		{Key: "population_need", Fa: "نیاز جمعیتی", En: "Need by population"},
		{Key: "queue_need", Fa: "نیاز صف (ارلانگ C)", En: "Need by queueing (Erlang C)"},
		{Key: "access_need", Fa: "نیاز دسترسی (E2SFCA)", En: "Need by accessibility (E2SFCA)"},
		{Key: "needed", Fa: "دفاتر لازم", En: "Needed"}, {Key: "binding", Fa: "معیار تعیین‌کننده", En: "Binding need"},
		{Key: "shortage", Fa: "کمبود", En: "Shortage"},
		{Key: "wait_p90_min", Fa: "صدک ۹۰ انتظار (دقیقه)", En: "Wait p90 (min)"},
		{Key: "over_target_share", Fa: "سهم انتظار بیش از هدف", En: "Share over target"},
		{Key: "utilisation", Fa: "بهره‌وری باجه‌ها", En: "Counter utilisation"},
		{Key: "explanation", Fa: "توضیح", En: "Explanation", Width: 80},
	}}
	var q licensing.DemandQuery
	if p.SpanGiven {
		q.From, q.To = p.From, p.To.AddDate(0, 0, -1) // To is the day after the span
	}
	var res *licensing.DemandResult
	var err error
	if r.DemandModels != nil {
		res, _, err = r.DemandModels.Get(ctx, q)
	} else {
		res, err = r.Demand.Compute(ctx, q)
	}
	if err != nil {
		return t, err
	}
	for _, d := range res.Regions {
		t.Rows = append(t.Rows, []any{name(p.Lang, d.NameFa, d.NameEn), r.regionName(p.Lang, d.Province), d.Population, d.ActiveOffices,
			d.LicensedNotOpen, d.PopulationPerOffice, d.PopulationNeed.OfficesNeeded, d.Queueing.OfficesNeeded, d.Accessibility.OfficesNeeded,
			d.Needed, d.Binding, d.Shortage, d.Crowding.WaitP90Min, d.Crowding.OverTargetShare, d.Crowding.Utilisation,
			name(p.Lang, d.ExplanationFa, d.Explanation)})
	}
	return t, nil
}

// jalaliDay is the Jalali date of t in Tehran (1405/09/05).
func jalaliDay(t time.Time) string {
	return daftar.ToJalali(t).String()
}
