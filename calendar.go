package daftar

import "time"

// Tehran calendar arithmetic on Unix seconds, for what runs per visit and
// per day (rollups, surveys, rankings): Tehran keeps one offset from UTC
// all year (see Tehran), so a day's start is integer arithmetic rather than
// a time.Location lookup.

// DaySeconds is the length of a Tehran day.
const DaySeconds = 86400

// tehranOffset is Tehran's fixed offset from UTC (+03:30 all year).
const tehranOffset = 3*3600 + 30*60

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// DayStart returns the Unix second at which the Tehran day containing unix
// begins.
func DayStart(unix int64) int64 {
	return floorDiv(unix+tehranOffset, DaySeconds)*DaySeconds - tehranOffset
}

// HourOf returns the Tehran hour of day (0-23) of unix.
func HourOf(unix int64) int { return int((unix - DayStart(unix)) / 3600) }

// WeekdayIndex returns the weekday of the Tehran day containing unix, in
// Iranian order: 0 Saturday ... 6 Friday (the index of opening hours).
func WeekdayIndex(unix int64) int {
	days := floorDiv(unix+tehranOffset, DaySeconds) // 1970-01-01 was a Thursday
	goWeekday := (days%7 + 7 + 4) % 7
	return int((goWeekday + 1) % 7)
}

// MonthStart returns the Unix second at which the Jalali month containing
// unix begins (Tehran midnight of its first day).
func MonthStart(unix int64) int64 {
	j := ToJalali(time.Unix(unix, 0))
	t, err := FromJalali(j.Year, j.Month, 1)
	if err != nil {
		return DayStart(unix)
	}
	return t.Unix()
}

// MonthEnd returns the start of the Jalali month after the one containing
// unix.
func MonthEnd(unix int64) int64 {
	j := ToJalali(time.Unix(unix, 0))
	return MonthStart(unix + int64(JalaliMonthLength(j.Year, j.Month)-j.Day+1)*DaySeconds)
}

// TehranDate is the Tehran calendar day of t as YYYY-MM-DD (the key of
// survey days, inspection days and directive dates).
func TehranDate(t time.Time) string { return t.In(Tehran()).Format("2006-01-02") }
