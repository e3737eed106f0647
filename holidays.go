package daftar

import (
	"slices"
	"strconv"
)

// Iran's official public holidays (تعطیلات رسمی). The solar ones fall on the
// same Jalali day every year and are rules; the lunar ones follow the Hijri
// calendar as Iran observes it, move about eleven days a year, and come from
// the table in holidays_table.go, which ships only the years it knows.

// HijriDate is a day of the lunar Hijri calendar as Iran observes it. It is a
// label carried by a lunar holiday; nothing converts to it.
type HijriDate struct{ Year, Month, Day int }

// String formats d as "1448/01/09".
func (d HijriDate) String() string {
	if d.Year == 0 {
		return ""
	}
	return pad(d.Year, 4) + "/" + pad(d.Month, 2) + "/" + pad(d.Day, 2)
}

// Holiday is one official public holiday on one Jalali day. Two holidays may
// share a day (1 Farvardin 1405 is both Nowruz and Eid al-Fitr).
type Holiday struct {
	Date JalaliDate
	// Code names the occasion, the same every year: "nowruz", "tasua", ...
	Code   string
	NameFa string
	NameEn string
	// Lunar holidays follow the Hijri calendar; Hijri is the day they mark.
	Lunar bool
	Hijri HijriDate
	// Estimated marks a lunar date that no published official calendar
	// confirms yet (the calendar of a year is published in the autumn
	// before it).
	Estimated bool
}

// Name returns the holiday's name in English when lang starts with "en",
// in Persian otherwise.
func (h Holiday) Name(lang string) string {
	if isEnglish(lang) {
		return h.NameEn
	}
	return h.NameFa
}

// fixedHoliday is a solar holiday: the same Jalali month and day each year.
type fixedHoliday struct {
	month, day     int
	code           string
	nameFa, nameEn string
}

// fixedHolidays are the solar holidays of the law on official holidays.
// 29 Esfand stays the holiday in a leap year too (30 Esfand is a working day).
var fixedHolidays = [...]fixedHoliday{
	{1, 1, "nowruz", "آغاز نوروز", "Nowruz (New Year)"},
	{1, 2, "nowruz", "عید نوروز", "Nowruz holiday"},
	{1, 3, "nowruz", "عید نوروز", "Nowruz holiday"},
	{1, 4, "nowruz", "عید نوروز", "Nowruz holiday"},
	{1, 12, "republic_day", "روز جمهوری اسلامی ایران", "Islamic Republic Day"},
	{1, 13, "nature_day", "روز طبیعت", "Nature Day"},
	{3, 14, "khomeini", "رحلت حضرت امام خمینی (ره)", "Death of Imam Khomeini"},
	{3, 15, "khordad_15", "قیام ۱۵ خرداد", "15 Khordad uprising"},
	{11, 22, "revolution_day", "پیروزی انقلاب اسلامی", "Victory of the Islamic Revolution"},
	{12, 29, "oil_day", "روز ملی شدن صنعت نفت ایران", "Oil Nationalisation Day"},
}

// FixedHolidays returns the solar holidays of Jalali year y, which apply to
// every year whether or not the lunar table covers it.
func FixedHolidays(y int) []Holiday {
	if !jalaliYearInRange(y) {
		return nil
	}
	out := make([]Holiday, 0, len(fixedHolidays))
	for _, f := range fixedHolidays {
		out = append(out, Holiday{Date: JalaliDate{Year: y, Month: f.month, Day: f.day}, Code: f.code,
			NameFa: f.nameFa, NameEn: f.nameEn})
	}
	return out
}

// OfficialLunarHolidays returns a copy of the shipped table of lunar
// holidays (Jalali years 1405 and 1406), in date order.
func OfficialLunarHolidays() []Holiday { return slices.Clone(lunarHolidayTable[:]) }

// lunarOccasion is what every year's lunar holiday of one code shares.
type lunarOccasion struct {
	month, day     int // day 0: the last day of the month
	nameFa, nameEn string
}

// lunarOccasions are the lunar holidays by code, with their Hijri day.
var lunarOccasions = map[string]lunarOccasion{
	"tasua":         {1, 9, "تاسوعای حسینی", "Tasua"},
	"ashura":        {1, 10, "عاشورای حسینی", "Ashura"},
	"arbaeen":       {2, 20, "اربعین حسینی", "Arbaeen"},
	"prophet_death": {2, 28, "رحلت حضرت رسول اکرم (ص) و شهادت امام حسن مجتبی (ع)", "Death of the Prophet and martyrdom of Imam Hasan"},
	"imam_reza":     {2, 0, "شهادت امام رضا (ع)", "Martyrdom of Imam Reza"},
	"imam_askari":   {3, 8, "شهادت امام حسن عسکری (ع)", "Martyrdom of Imam Hasan al-Askari"},
	"mawlid":        {3, 17, "ولادت حضرت رسول اکرم (ص) و امام جعفر صادق (ع)", "Birth of the Prophet and of Imam Sadiq"},
	"fatima":        {6, 3, "شهادت حضرت فاطمه زهرا (س)", "Martyrdom of Fatima"},
	"imam_ali_born": {7, 13, "ولادت امام علی (ع) و روز پدر", "Birth of Imam Ali (Father's Day)"},
	"mabath":        {7, 27, "مبعث حضرت رسول اکرم (ص)", "Mab'ath"},
	"shaban_15":     {8, 15, "ولادت حضرت قائم (عج) و جشن نیمه شعبان", "Birth of the Mahdi (15 Sha'ban)"},
	"imam_ali_died": {9, 21, "شهادت حضرت علی (ع)", "Martyrdom of Imam Ali"},
	"eid_fitr":      {10, 1, "عید سعید فطر", "Eid al-Fitr"},
	"eid_fitr_2":    {10, 2, "تعطیل به مناسبت عید سعید فطر", "Eid al-Fitr holiday"},
	"imam_sadiq":    {10, 25, "شهادت امام جعفر صادق (ع)", "Martyrdom of Imam Sadiq"},
	"eid_adha":      {12, 10, "عید سعید قربان", "Eid al-Adha"},
	"eid_ghadir":    {12, 18, "عید سعید غدیر خم", "Eid al-Ghadir"},
}

// lunar builds one table row: Jalali day, occasion code, the Hijri day it
// marks, and whether it is still an estimate.
func lunar(jy, jm, jd int, code string, hy, hm, hd int, estimated bool) Holiday {
	o := lunarOccasions[code]
	return Holiday{Date: JalaliDate{Year: jy, Month: jm, Day: jd}, Code: code, NameFa: o.nameFa, NameEn: o.nameEn,
		Lunar: true, Hijri: HijriDate{Year: hy, Month: hm, Day: hd}, Estimated: estimated}
}

// isEnglish reports whether lang asks for English ("en", "en-US").
func isEnglish(lang string) bool {
	return len(lang) >= 2 && (lang[0] == 'e' || lang[0] == 'E') && (lang[1] == 'n' || lang[1] == 'N')
}

// sortHolidays orders by date, then solar before lunar, then code.
func sortHolidays(hs []Holiday) {
	slices.SortStableFunc(hs, func(a, b Holiday) int {
		if c := compareJalali(a.Date, b.Date); c != 0 {
			return c
		}
		if a.Lunar != b.Lunar {
			if a.Lunar {
				return 1
			}
			return -1
		}
		switch {
		case a.Code < b.Code:
			return -1
		case a.Code > b.Code:
			return 1
		}
		return 0
	})
}

func compareJalali(a, b JalaliDate) int {
	for _, d := range [3]int{a.Year - b.Year, a.Month - b.Month, a.Day - b.Day} {
		if d != 0 {
			return d
		}
	}
	return 0
}

// describe is a short text form for error messages.
func (h Holiday) describe() string {
	return h.Date.String() + " " + h.Code + " (" + strconv.Itoa(h.Hijri.Year) + ")"
}
