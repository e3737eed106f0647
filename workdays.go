package daftar

import (
	"strconv"
	"strings"
	"time"
)

// Working time in Iran's public administration: Saturday to Wednesday are
// working days, Thursday is half a day, Friday and official holidays are off.
// Deadlines given "in working days" (complaint answers, corrective actions)
// count on this calendar, day by day in Tehran.

// WorkingDays is an amount of working time counted in half days, so that
// Thursday's half day stays exact: 3*WorkingDay + HalfWorkingDay is three and
// a half working days.
type WorkingDays int

const (
	HalfWorkingDay WorkingDays = 1
	WorkingDay     WorkingDays = 2
)

// maxDeadline bounds a deadline: ten years of working days is far beyond any
// rule and keeps a mistyped figure from scanning the calendar for ever.
const maxDeadline = 3000 * WorkingDay

// Days returns w in days (2.5 for two and a half days).
func (w WorkingDays) Days() float64 { return float64(w) / 2 }

// String formats w in days with ASCII digits: "3", "2.5", "-0.5".
func (w WorkingDays) String() string {
	s := strconv.Itoa(int(w / 2))
	if w%2 != 0 {
		if w < 0 && w > -2 {
			s = "-0"
		}
		s += ".5"
	}
	return s
}

// Persian formats w with Persian digits and the Persian decimal separator:
// "۲٫۵".
func (w WorkingDays) Persian() string {
	return PersianDigits(strings.Replace(w.String(), ".", "٫", 1))
}

// ParseWorkingDays reads a number of working days: a whole number or a half
// ("3", "2.5", "۲٫۵", "2/5" as Persian keyboards type the decimal separator).
// Negative numbers and other fractions are refused (code
// "invalid_working_days").
func ParseWorkingDays(s string) (WorkingDays, error) {
	in := NormalizeDigits(trimInput(s))
	in = strings.NewReplacer("٫", ".", "/", ".", ",", ".").Replace(in)
	bad := Invalid("invalid_working_days", "working days must be a whole number or a half, like 3 or 2.5")
	whole, frac, hasFrac := strings.Cut(in, ".")
	n, ok := asciiDigits(whole)
	if !ok {
		return 0, bad
	}
	w := WorkingDays(n) * WorkingDay
	if hasFrac {
		switch strings.TrimRight(frac, "0") {
		case "":
		case "5":
			w += HalfWorkingDay
		default:
			return 0, bad
		}
	}
	if w > maxDeadline {
		return 0, Invalid("invalid_working_days", "working days must be at most "+maxDeadline.String())
	}
	return w, nil
}

// WorkCalendar knows which days of Tehran are working days. It is immutable
// and safe for concurrent use.
type WorkCalendar struct {
	lunar   map[JalaliDate][]Holiday
	covered map[int]bool
}

// NewWorkCalendar builds a calendar from a table of lunar holidays (the
// solar ones are rules and always apply). The years the table holds are the
// years it covers; any other year has only the solar holidays. A row whose
// date does not exist is refused.
func NewWorkCalendar(lunar []Holiday) (*WorkCalendar, error) {
	c := &WorkCalendar{lunar: map[JalaliDate][]Holiday{}, covered: map[int]bool{}}
	for _, h := range lunar {
		if !h.Date.Valid() {
			return nil, Invalid("invalid_holiday", "holiday "+h.describe()+" has a date that does not exist")
		}
		h.Lunar = true
		c.lunar[h.Date] = append(c.lunar[h.Date], h)
		c.covered[h.Date.Year] = true
	}
	return c, nil
}

// OfficialWorkCalendar is the calendar of the shipped holiday table (lunar
// holidays of 1405 and 1406).
func OfficialWorkCalendar() *WorkCalendar {
	c, err := NewWorkCalendar(lunarHolidayTable[:])
	if err != nil {
		// The shipped table is checked by its tests; a bad row is a build bug.
		panic(err)
	}
	return c
}

// Covers reports whether the calendar knows the lunar holidays of Jalali
// year y. Outside the years it covers only the solar holidays count, so
// deadlines there may fall on a lunar holiday.
func (c *WorkCalendar) Covers(y int) bool { return c.covered[y] }

// Holidays returns the official holidays of Jalali year y in date order.
func (c *WorkCalendar) Holidays(y int) []Holiday {
	out := FixedHolidays(y)
	for d, hs := range c.lunar {
		if d.Year == y {
			out = append(out, hs...)
		}
	}
	sortHolidays(out)
	return out
}

// HolidaysOn returns the holidays on day d (none on most days).
func (c *WorkCalendar) HolidaysOn(d JalaliDate) []Holiday {
	var out []Holiday
	for _, f := range fixedHolidays {
		if f.month == d.Month && f.day == d.Day && d.Valid() {
			out = append(out, Holiday{Date: d, Code: f.code, NameFa: f.nameFa, NameEn: f.nameEn})
		}
	}
	out = append(out, c.lunar[d]...)
	if len(out) > 1 {
		sortHolidays(out)
	}
	return out
}

// IsHoliday reports whether the Tehran day of t is an official holiday.
func (c *WorkCalendar) IsHoliday(t time.Time) bool { return c.isHoliday(ToJalali(t)) }

func (c *WorkCalendar) isHoliday(d JalaliDate) bool {
	for _, f := range fixedHolidays {
		if f.month == d.Month && f.day == d.Day {
			return true
		}
	}
	return len(c.lunar[d]) > 0
}

// WorkOn returns the working time of the Tehran day of t: a WorkingDay from
// Saturday to Wednesday, HalfWorkingDay on Thursday, nothing on Friday or an
// official holiday.
func (c *WorkCalendar) WorkOn(t time.Time) WorkingDays {
	local := t.In(Tehran())
	return c.workOn(local.Weekday(), ToJalali(local))
}

func (c *WorkCalendar) workOn(w time.Weekday, d JalaliDate) WorkingDays {
	switch {
	case w == time.Friday || c.isHoliday(d):
		return 0
	case w == time.Thursday:
		return HalfWorkingDay
	default:
		return WorkingDay
	}
}

// dayStart is midnight in Tehran of the day of t.
func dayStart(t time.Time) time.Time {
	y, m, d := t.In(Tehran()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Tehran())
}

// endOfDay is the last second of a Tehran day that starts at midnight m.
func endOfDay(m time.Time) time.Time {
	return m.AddDate(0, 0, 1).Add(-time.Second).UTC()
}

// Deadline returns when n working days given at filed run out.
//
// The rule: the day of filing never counts, whatever the hour. Counting
// starts on the next day and takes each Tehran day's working time (Saturday
// to Wednesday one day, Thursday half, Friday and official holidays none);
// the deadline is the end (23:59:59 Tehran) of the day on which the total
// reaches n. So it always falls on a working day: a day from filing on
// Wednesday gives Saturday (Thursday's half and Saturday's first half), half
// a day gives Thursday. n must be positive (a half day at least) and at most
// 3000 working days (code "invalid_working_days"). The result is in UTC.
func (c *WorkCalendar) Deadline(filed time.Time, n WorkingDays) (time.Time, error) {
	if n <= 0 || n > maxDeadline {
		return time.Time{}, Invalid("invalid_working_days", "a deadline takes from half a working day to "+
			maxDeadline.String()+" working days; got "+n.String())
	}
	day := dayStart(filed)
	var got WorkingDays
	for got < n {
		day = day.AddDate(0, 0, 1)
		d := ToJalali(day)
		if !d.Valid() {
			return time.Time{}, Invalid("invalid_working_days", "the deadline lies outside the calendar")
		}
		got += c.workOn(day.Weekday(), d)
	}
	return endOfDay(day), nil
}

// Between returns the working time from from to to on the same rule as
// Deadline: the days after from's Tehran day up to and including to's day.
// For a deadline d and now after it, Between(d, now) is how many working
// days the case is overdue; Between(filed, Deadline(filed, n)) is at least n
// (more only when the last day added a whole day where half was missing).
// It is negative when to is before from, and zero on the same day.
func (c *WorkCalendar) Between(from, to time.Time) WorkingDays {
	a, b := dayStart(from), dayStart(to)
	sign := WorkingDays(1)
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	var got WorkingDays
	for day := a.AddDate(0, 0, 1); !day.After(b); day = day.AddDate(0, 0, 1) {
		d := ToJalali(day)
		if !d.Valid() {
			break
		}
		got += c.workOn(day.Weekday(), d)
	}
	return sign * got
}

var weekdayNamesFa = [7]string{"یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه"}

// JalaliWeekdayName returns the name of weekday w: in English when lang
// starts with "en", in Persian otherwise ("شنبه" for Saturday, the first day
// of the Iranian week).
func JalaliWeekdayName(w time.Weekday, lang string) string {
	if w < time.Sunday || w > time.Saturday {
		return ""
	}
	if isEnglish(lang) {
		return w.String()
	}
	return weekdayNamesFa[w]
}
