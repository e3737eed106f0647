package daftar

import (
	"strconv"
	"strings"
	"time"
)

// The Solar Hijri (Jalali) calendar, the civil calendar of Iran.
//
// The conversion is the arithmetic algorithm of jalaali-js (Borkowski's
// "jalCal" with its table of breaks), which follows the astronomical calendar
// for the years -61 to 3177. Nothing is looked up at run time.

// tehranZone is immutable; a fixed zone is safe to share.
var tehranZone = time.FixedZone("IRST", 3*3600+30*60)

// Tehran returns Iran Standard Time. Iran has kept +03:30 all year since 2022
// (no DST), and Daftar's data starts after that.
func Tehran() *time.Location { return tehranZone }

const (
	minJalaliYear = -61
	maxJalaliYear = 3177
)

// jalaliBreaks are the years in which the leap-year pattern changes.
var jalaliBreaks = [...]int{
	-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210,
	1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178,
}

// jalCal returns, for a Jalali year within [minJalaliYear, maxJalaliYear],
// the Gregorian year in which it starts, the day of March of its first day,
// and the number of years since the last leap year (0: jy itself is leap).
// Go's integer division truncates like the ~~ of the reference code.
func jalCal(jy int) (gy, march, leap int) {
	leapJ := -14
	jp := jalaliBreaks[0]
	jump := 0
	for i := 1; i < len(jalaliBreaks); i++ {
		jm := jalaliBreaks[i]
		jump = jm - jp
		if jy < jm {
			break
		}
		leapJ += jump/33*8 + jump%33/4
		jp = jm
	}
	n := jy - jp
	leapJ += n/33*8 + (n%33+3)/4
	if jump%33 == 4 && jump-n == 4 {
		leapJ++
	}
	gy = jy + 621
	leapG := gy/4 - (gy/100+1)*3/4 - 150
	march = 20 + leapJ - leapG

	if jump-n < 6 {
		n = n - jump + (jump+4)/33*33
	}
	leap = ((n+1)%33 - 1) % 4
	if leap == -1 {
		leap = 4
	}
	return gy, march, leap
}

func jalaliYearInRange(y int) bool { return y >= minJalaliYear && y <= maxJalaliYear }

// civilDay numbers Gregorian dates: days since 1970-01-01.
func civilDay(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// jalaliYearStart is the civil day of 1 Farvardin of jy (jy in range).
func jalaliYearStart(jy int) int64 {
	gy, march, _ := jalCal(jy)
	return civilDay(gy, time.March, march)
}

func jalaliYearLength(jy int) int64 {
	if IsJalaliLeap(jy) {
		return 366
	}
	return 365
}

// jalaliDayOfYear is the zero-based day of the year of month m, day d.
func jalaliDayOfYear(m, d int) int {
	if m <= 6 {
		return (m-1)*31 + d - 1
	}
	return 186 + (m-7)*30 + d - 1
}

// IsJalaliLeap reports whether Esfand of Jalali year y has 30 days. Years
// outside the supported range (-61 to 3177) report false.
func IsJalaliLeap(y int) bool {
	if !jalaliYearInRange(y) {
		return false
	}
	_, _, leap := jalCal(y)
	return leap == 0
}

// JalaliMonthLength returns the number of days of month m of year y: 31 for
// months 1-6, 30 for 7-11, 29 or 30 for Esfand. It returns 0 for a month
// outside 1-12 or a year outside the supported range.
func JalaliMonthLength(y, m int) int {
	switch {
	case !jalaliYearInRange(y) || m < 1 || m > 12:
		return 0
	case m <= 6:
		return 31
	case m <= 11:
		return 30
	case IsJalaliLeap(y):
		return 30
	default:
		return 29
	}
}

// JalaliDate is a day of the Jalali calendar. The zero value is not a valid
// date.
type JalaliDate struct{ Year, Month, Day int }

// Valid reports whether d exists in the calendar (and in the supported range
// of years).
func (d JalaliDate) Valid() bool {
	return d.Day >= 1 && d.Day <= JalaliMonthLength(d.Year, d.Month)
}

// String formats d as "1405/09/05" with ASCII digits.
func (d JalaliDate) String() string {
	var b strings.Builder
	b.Grow(10)
	b.WriteString(pad(d.Year, 4))
	b.WriteByte('/')
	b.WriteString(pad(d.Month, 2))
	b.WriteByte('/')
	b.WriteString(pad(d.Day, 2))
	return b.String()
}

// Persian formats d as "۱۴۰۵/۰۹/۰۵" with Persian digits.
func (d JalaliDate) Persian() string { return PersianDigits(d.String()) }

// Time returns midnight in Tehran of d, as FromJalali does.
func (d JalaliDate) Time() (time.Time, error) { return FromJalali(d.Year, d.Month, d.Day) }

// pad formats n in decimal with at least width digits (a sign comes first).
func pad(n, width int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	if len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	if neg {
		s = "-" + s
	}
	return s
}

// ToJalali returns the date of t as seen in Tehran. For an instant outside
// the supported years (before 1 Farvardin -61 or after the end of 3177) it
// returns the zero JalaliDate, which is not Valid.
func ToJalali(t time.Time) JalaliDate {
	gy, gm, gd := t.In(Tehran()).Date()
	day := civilDay(gy, gm, gd)
	jy := gy - 621
	if jy > maxJalaliYear {
		jy = maxJalaliYear
	}
	if jy < minJalaliYear {
		return JalaliDate{}
	}
	start := jalaliYearStart(jy)
	if day < start {
		jy--
		if jy < minJalaliYear {
			return JalaliDate{}
		}
		start = jalaliYearStart(jy)
	}
	k := day - start
	if k >= jalaliYearLength(jy) {
		return JalaliDate{}
	}
	if k < 186 {
		return JalaliDate{Year: jy, Month: 1 + int(k/31), Day: int(k%31) + 1}
	}
	k -= 186
	return JalaliDate{Year: jy, Month: 7 + int(k/30), Day: int(k%30) + 1}
}

// FromJalali returns midnight in Tehran of the Jalali date y/m/d. It returns
// an error (code "invalid_jalali_date") when the date does not exist: month
// outside 1-12, day outside 1-31 in months 1-6, 1-30 in months 7-11, 1-29 in
// Esfand of a common year and 1-30 in Esfand of a leap year, or a year outside
// -61 to 3177.
func FromJalali(y, m, d int) (time.Time, error) {
	jd := JalaliDate{Year: y, Month: m, Day: d}
	if !jd.Valid() {
		return time.Time{}, invalidJalaliDate(jd)
	}
	day := jalaliYearStart(y) + int64(jalaliDayOfYear(m, d))
	gy, gm, gd := time.Unix(day*86400, 0).UTC().Date()
	return time.Date(gy, gm, gd, 0, 0, 0, 0, Tehran()), nil
}

func invalidJalaliDate(d JalaliDate) *Error {
	switch {
	case !jalaliYearInRange(d.Year):
		return Invalid("invalid_jalali_date", "Jalali year "+strconv.Itoa(d.Year)+
			" is outside the supported range -61 to 3177")
	case d.Month < 1 || d.Month > 12:
		return Invalid("invalid_jalali_date", "Jalali month must be between 1 and 12")
	default:
		return Invalid("invalid_jalali_date", "Jalali date "+d.String()+" does not exist: month "+
			strconv.Itoa(d.Month)+" of "+strconv.Itoa(d.Year)+" has "+
			strconv.Itoa(JalaliMonthLength(d.Year, d.Month))+" days")
	}
}

// ParseJalaliDate reads a Jalali date written year first: "1375/06/21",
// "1375-6-21", "۱۳۷۵/۰۶/۲۱" (Persian or Arabic-Indic digits), with spaces or
// direction marks around it. The year has four digits (1000 or later), month
// and day one or two, and both separators are the same ("/" or "-"). A date
// that does not exist is refused (code "invalid_jalali_date").
func ParseJalaliDate(s string) (JalaliDate, error) {
	in := NormalizeDigits(trimInput(s))
	bad := func() (JalaliDate, error) {
		return JalaliDate{}, Invalid("invalid_jalali_date",
			"Jalali date must look like 1403/01/15 (year/month/day, four-digit year)")
	}
	if len(in) < 8 || len(in) > 10 {
		return bad()
	}
	sep := in[4]
	if sep != '/' && sep != '-' {
		return bad()
	}
	parts := strings.Split(in, string(sep))
	if len(parts) != 3 || len(parts[0]) != 4 || parts[0][0] == '0' ||
		len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) < 1 || len(parts[2]) > 2 {
		return bad()
	}
	var v [3]int
	for i, p := range parts {
		n, ok := asciiDigits(p)
		if !ok {
			return bad()
		}
		v[i] = n
	}
	d := JalaliDate{Year: v[0], Month: v[1], Day: v[2]}
	if !d.Valid() {
		return JalaliDate{}, invalidJalaliDate(d)
	}
	return d, nil
}

// asciiDigits parses a short run of ASCII digits (no sign, at most 9).
func asciiDigits(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// FormatJalaliDateTime formats t in Tehran as "1405/09/05 14:30".
func FormatJalaliDateTime(t time.Time) string {
	return ToJalali(t).String() + " " + t.In(Tehran()).Format("15:04")
}

var jalaliMonthNamesFa = [12]string{
	"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
	"مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
}

var jalaliMonthNamesEn = [12]string{
	"Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
	"Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
}

// JalaliMonthName returns the name of month m (1-12): in English when lang
// starts with "en" ("en", "en-US"), in Persian otherwise ("fa" is the
// default). It returns "" for a month outside 1-12.
func JalaliMonthName(m int, lang string) string {
	if m < 1 || m > 12 {
		return ""
	}
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		return jalaliMonthNamesEn[m-1]
	}
	return jalaliMonthNamesFa[m-1]
}
