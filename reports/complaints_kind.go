package reports

import (
	"context"
	"time"

	"github.com/daftar-ir/daftar"

	"github.com/daftar-ir/daftar/surveys/complaints"
)

// The complaints kind: the cases filed in the span. Staff get every office's
// with the tracking code and the inspector; an owner gets their own office's
// as the API shows them to owners, without the tracking code, the visit,
// the inspector or anything about the citizen. Nobody gets a mobile number.

func (r *Reports) complaints(ctx context.Context, p Params) (Table, error) {
	if p.OfficeID != 0 {
		return r.ownerComplaints(ctx, p)
	}
	t := Table{Kind: "complaints", TitleFa: "شکایات", TitleEn: "Complaints", Columns: []Column{
		{Key: "id", Fa: "شماره", En: "ID", Width: 8}, {Key: "tracking_code", Fa: "کد پیگیری", En: "Tracking code", Width: 13},
		{Key: "filed_at", Fa: "زمان ثبت", En: "Filed", Width: 17}, {Key: "office_id", Fa: "شناسه دفتر", En: "Office ID", Width: 8},
		{Key: "office_code", Fa: "کد دفتر", En: "Office code", Width: 12}, {Key: "office_name", Fa: "نام دفتر", En: "Office", Width: 30},
		{Key: "province", Fa: "استان", En: "Province"}, {Key: "city", Fa: "شهر", En: "City"},
		{Key: "category", Fa: "موضوع", En: "Category", Width: 22}, {Key: "service", Fa: "خدمت", En: "Service", Width: 24},
		{Key: "amount_paid_rials", Fa: "مبلغ پرداختی (ریال)", En: "Amount paid (rials)"},
		{Key: "official_fee_rials", Fa: "تعرفه رسمی (ریال)", En: "Official fee (rials)"},
		{Key: "extra_rials", Fa: "مبلغ اضافه (ریال)", En: "Extra (rials)"},
		{Key: "state", Fa: "وضعیت", En: "State", Width: 13}, {Key: "outcome", Fa: "نتیجه", En: "Outcome", Width: 11},
		{Key: "due_at", Fa: "مهلت", En: "Due", Width: 11}, {Key: "overdue", Fa: "گذشته از مهلت", En: "Overdue", Width: 8},
		{Key: "escalated_at", Fa: "زمان پیگیری ویژه", En: "Escalated", Width: 17},
		{Key: "resolved_at", Fa: "زمان رسیدگی", En: "Resolved", Width: 17}, {Key: "inspector_id", Fa: "بازرس", En: "Inspector", Width: 8},
		{Key: "from_survey", Fa: "از نظرسنجی", En: "From a survey", Width: 8},
		{Key: "description", Fa: "شرح", En: "Description", Width: 60}, {Key: "owner_reply", Fa: "پاسخ دفتر", En: "Owner's reply", Width: 40},
		{Key: "public_note", Fa: "توضیح نتیجه", En: "Outcome note", Width: 40},
	}}
	for page := 1; ; page++ {
		list, _, err := r.Complaints.List(ctx, complaints.Filter{FiledFrom: p.From, FiledTo: p.To, Page: page, PageSize: 200})
		if err != nil {
			return t, err
		}
		for _, c := range list {
			t.Rows = append(t.Rows, []any{c.ID, complaints.FormatTrackingCode(c.TrackingCode), jalaliMoment(c.FiledAt),
				c.OfficeID, c.OfficeCode, c.OfficeName, r.regionName(p.Lang, c.Province), r.regionName(p.Lang, c.City),
				r.categoryName(p.Lang, c.Category), r.serviceName(p.Lang, c.Service), c.AmountPaidRials, c.OfficialFeeRials,
				c.ExtraRials(), string(c.State), string(c.Outcome), jalaliDay(c.DueAt), c.Overdue, jalaliMomentPtr(c.EscalatedAt),
				jalaliMomentPtr(c.ResolvedAt), c.InspectorID, c.FromSurvey, c.Description, c.OwnerReply, c.PublicNote})
		}
		if len(list) < 200 {
			return t, nil
		}
	}
}

func (r *Reports) ownerComplaints(ctx context.Context, p Params) (Table, error) {
	t := Table{Kind: "complaints", TitleFa: "شکایات از دفتر", TitleEn: "Complaints about the office", Columns: []Column{
		{Key: "id", Fa: "شماره", En: "ID", Width: 8}, {Key: "filed_on", Fa: "روز ثبت", En: "Filed on", Width: 11},
		{Key: "category", Fa: "موضوع", En: "Category", Width: 22}, {Key: "service", Fa: "خدمت", En: "Service", Width: 24},
		{Key: "amount_paid_rials", Fa: "مبلغ پرداختی (ریال)", En: "Amount paid (rials)"},
		{Key: "official_fee_rials", Fa: "تعرفه رسمی (ریال)", En: "Official fee (rials)"},
		{Key: "state", Fa: "وضعیت", En: "State", Width: 13}, {Key: "outcome", Fa: "نتیجه", En: "Outcome", Width: 11},
		{Key: "due_at", Fa: "مهلت", En: "Due", Width: 11}, {Key: "overdue", Fa: "گذشته از مهلت", En: "Overdue", Width: 8},
		{Key: "description", Fa: "شرح", En: "Description", Width: 60}, {Key: "owner_reply", Fa: "پاسخ دفتر", En: "Owner's reply", Width: 40},
		{Key: "public_note", Fa: "توضیح نتیجه", En: "Outcome note", Width: 40},
	}}
	for page := 1; ; page++ {
		list, _, err := r.Complaints.OfficeComplaints(ctx, p.OfficeID,
			complaints.Filter{FiledFrom: p.From, FiledTo: p.To, Page: page, PageSize: 200})
		if err != nil {
			return t, err
		}
		for _, v := range list {
			t.Rows = append(t.Rows, []any{v.ID, v.FiledOn.String(), r.categoryName(p.Lang, v.Category),
				r.serviceName(p.Lang, v.Service), v.AmountPaidRials, v.OfficialFeeRials, string(v.State), string(v.Outcome),
				jalaliDay(v.DueAt), v.Overdue, v.Description, v.OwnerReply, v.PublicNote})
		}
		if len(list) < 200 {
			return t, nil
		}
	}
}

// jalaliMoment is t in Jalali with its Tehran time (1405/09/05 14:30).
func jalaliMoment(t time.Time) string { return daftar.FormatJalaliDateTime(t) }

func jalaliMomentPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := jalaliMoment(*t)
	return &s
}

func (r *Reports) categoryName(lang string, c complaints.Category) string {
	if rule, ok := complaints.RuleOf(c); ok {
		return rule.Name(lang)
	}
	return string(c)
}

func (r *Reports) serviceName(lang, code string) string {
	if code == "" {
		return ""
	}
	if s, ok := r.Catalogue.Get(code); ok {
		return name(lang, s.NameFa, s.NameEn)
	}
	return code
}
