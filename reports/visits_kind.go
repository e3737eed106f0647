package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo/visits"
)

// The visits report: a period's visits, one row each, streamed from the
// database to the writer (a month of the national year is two and a half
// million rows). It carries nothing that identifies a citizen or ties a
// visit to its survey: no mobile, no ticket, no visit id (visits'
// ExportedVisit), and times to the minute. Owners get their own office's.

// visitsMaxDays bounds the span of one visits report: a quarter.
const visitsMaxDays = 92

func (r *Reports) visits(ctx context.Context, p Params) (Table, error) {
	t := Table{Kind: "visits", TitleFa: "مراجعات", TitleEn: "Visits", Columns: []Column{
		{Key: "office", Fa: "کد دفتر", En: "Office", Width: 12}, {Key: "province", Fa: "استان", En: "Province"},
		{Key: "city", Fa: "شهر", En: "City"}, {Key: "service", Fa: "خدمت", En: "Service", Width: 28},
		{Key: "date", Fa: "تاریخ", En: "Date (Jalali)", Width: 11}, {Key: "arrived", Fa: "ساعت ورود", En: "Arrived", Width: 9},
		{Key: "wait_min", Fa: "انتظار (دقیقه)", En: "Wait (min)", Width: 10}, {Key: "service_min", Fa: "زمان خدمت (دقیقه)", En: "Service (min)", Width: 10},
		{Key: "outcome", Fa: "نتیجه", En: "Outcome", Width: 10}, {Key: "channel", Fa: "نوبت", En: "Channel", Width: 11},
		{Key: "counter", Fa: "باجه", En: "Counter", Width: 7},
	}}
	if r.Visits == nil {
		return t, daftar.NotFound("report_not_found", "the visits report is not available here")
	}
	from, to := p.From.Unix(), p.To.Unix()
	if to-from > visitsMaxDays*daftar.DaySeconds {
		return t, daftar.Invalid("invalid_query", "the span is too long for the visits report",
			daftar.Field("to", "range_too_long", fmt.Sprintf("the visits report spans at most %d days (a quarter); ask for a month or a quarter", visitsMaxDays)))
	}
	all, err := r.Offices.All(ctx)
	if err != nil {
		return t, err
	}
	type where struct{ code, province, city string }
	at := make(map[int64]where, len(all))
	for _, o := range all {
		at[o.ID] = where{o.Code, r.regionName(p.Lang, o.ProvinceCode), r.regionName(p.Lang, o.CityCode)}
	}
	services := map[string]string{}
	for _, s := range r.Catalogue.All() {
		services[s.Code] = name(p.Lang, s.NameFa, s.NameEn)
	}
	outcomes, channels := visitOutcomes, visitChannels
	if p.Lang == "en" {
		outcomes, channels = nil, nil
	}
	t.Stream = func(yield func(row []any) error) error {
		row := make([]any, len(t.Columns))
		var days dayLabels
		return r.Visits.EachVisit(ctx, from, to, p.OfficeID, func(v *visits.ExportedVisit) error {
			w := at[v.OfficeID]
			svc, ok := services[v.Service]
			if !ok {
				svc = v.Service
			}
			row[0], row[1], row[2], row[3] = w.code, w.province, w.city, svc
			row[4], row[5] = days.label(v.Arrived), clock(v.Arrived)
			row[6], row[7] = minutesBetween(v.Arrived, v.Called), minutesBetween(v.Called, v.Finished)
			row[8], row[9] = label(outcomes, v.Outcome), label(channels, v.Channel)
			row[10] = nil
			if v.Counter > 0 {
				row[10] = v.Counter
			}
			return yield(row)
		})
	}
	return t, nil
}

var visitOutcomes = map[string]string{visits.OutcomeServed: "خدمت گرفت", visits.OutcomeNoShow: "حاضر نشد",
	visits.OutcomeCancelled: "انصراف", visits.OutcomeReferred: "ارجاع"}

var visitChannels = map[string]string{visits.ChannelWalkIn: "حضوری", visits.ChannelAppointment: "نوبت قبلی"}

func label(m map[string]string, v string) string {
	if s, ok := m[v]; ok {
		return s
	}
	return v
}

// dayLabels writes the Jalali date of a Unix second, remembering the last
// day (rows come in runs of one office's days).
type dayLabels struct {
	from, to int64
	text     string
}

func (d *dayLabels) label(unix int64) string {
	if d.text == "" || unix < d.from || unix >= d.to {
		d.from = daftar.DayStart(unix)
		d.to = d.from + daftar.DaySeconds
		d.text = daftar.ToJalali(time.Unix(d.from, 0)).String()
	}
	return d.text
}

// clock is the Tehran wall time of a Unix second, to the minute (HH:MM).
func clock(unix int64) string {
	s := unix - daftar.DayStart(unix)
	h, m := s/3600, s%3600/60
	return string([]byte{byte('0' + h/10), byte('0' + h%10), ':', byte('0' + m/10), byte('0' + m%10)})
}

// minutesBetween is to-from in minutes to 0.1, nil when either is absent.
func minutesBetween(from, to int64) any {
	if from == 0 || to == 0 || to < from {
		return nil
	}
	return float64((to-from)*10/60) / 10
}
