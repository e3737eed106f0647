package reports

import (
	"context"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/ranking/inspections"
)

// inspections is every inspection of the span (by its day), with what it
// found and what became of the corrective actions it raised. Staff only,
// as the inspections are in the API.
func (r *Reports) inspections(ctx context.Context, p Params) (Table, error) {
	t := Table{Kind: "inspections", TitleFa: "بازرسی‌ها", TitleEn: "Inspections", Columns: []Column{
		{Key: "id", Fa: "شناسه", En: "ID", Width: 8}, {Key: "inspected_on", Fa: "تاریخ بازرسی", En: "Inspected on"},
		{Key: "office_id", Fa: "شناسه دفتر", En: "Office ID", Width: 8}, {Key: "code", Fa: "کد دفتر", En: "Office code", Width: 12},
		{Key: "province", Fa: "استان", En: "Province"}, {Key: "city", Fa: "شهر", En: "City"},
		{Key: "inspector", Fa: "بازرس", En: "Inspector", Width: 16}, {Key: "checklist_version", Fa: "نسخه چک‌لیست", En: "Checklist version", Width: 8},
		{Key: "failed_items", Fa: "موارد ناموفق", En: "Failed items", Width: 30}, {Key: "findings", Fa: "یافته‌های دیگر", En: "Other findings", Width: 8},
		{Key: "minor", Fa: "جزئی", En: "Minor", Width: 7}, {Key: "major", Fa: "عمده", En: "Major", Width: 7}, {Key: "critical", Fa: "بحرانی", En: "Critical", Width: 7},
		{Key: "actions", Fa: "اقدام اصلاحی", En: "Corrective actions", Width: 8},
		{Key: "actions_unconfirmed", Fa: "تأییدنشده", En: "Not yet confirmed", Width: 8},
		{Key: "actions_overdue", Fa: "معوق", En: "Overdue", Width: 8},
		{Key: "assignment_id", Fa: "شناسه مأموریت", En: "Assignment", Width: 8}, {Key: "notes", Fa: "توضیحات", En: "Notes", Width: 40},
	}}
	list, err := r.Inspections.AllInspections(ctx, inspections.InspectionFilter{OfficeID: p.OfficeID,
		From: daftar.TehranDate(p.From), To: daftar.TehranDate(p.To)})
	if err != nil {
		return t, err
	}
	ids := make([]int64, len(list))
	for i, in := range list {
		ids[i] = in.ID
	}
	counts, err := r.Inspections.ActionCountsOf(ctx, ids)
	if err != nil {
		return t, err
	}
	all, err := r.Offices.Summaries(ctx)
	if err != nil {
		return t, err
	}
	type place struct{ code, province, city string }
	where := make(map[int64]place, len(all))
	for _, o := range all {
		where[o.ID] = place{o.Code, o.ProvinceCode, o.CityCode}
	}
	for _, in := range list {
		var failed []string
		for _, res := range in.Results {
			if res.Result == inspections.ResultFail {
				failed = append(failed, res.Item)
			}
		}
		o, c := where[in.OfficeID], counts[in.ID]
		t.Rows = append(t.Rows, []any{in.ID, jalaliOfDay(in.InspectedOn), in.OfficeID, o.code, r.regionName(p.Lang, o.province),
			r.regionName(p.Lang, o.city), in.Inspector, in.ChecklistVersion, strings.Join(failed, ", "), len(in.Violations),
			in.Minor, in.Major, in.Critical, c.Raised, c.Unconfirmed, c.Overdue, in.AssignmentID, in.Notes})
	}
	return t, nil
}

// jalaliOfDay renders a Tehran day YYYY-MM-DD as its Jalali date.
func jalaliOfDay(day string) string {
	t, err := time.ParseInLocation("2006-01-02", day, daftar.Tehran())
	if err != nil {
		return day
	}
	return jalaliDay(t)
}
