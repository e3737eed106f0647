package daftar

import (
	"strconv"
	"time"
)

// PeriodKind says whether a period is a Jalali month or a Jalali quarter.
type PeriodKind string

const (
	PeriodMonth   PeriodKind = "month"
	PeriodQuarter PeriodKind = "quarter"
)

// Period is a Jalali month or quarter: the unit of ranking runs and reports.
// Index is the month (1-12) or the quarter (1-4); quarter 1 is Farvardin to
// Khordad. Its text form is "1405-07" for a month and "1405-Q3" for a
// quarter, which is also how it is written in JSON.
type Period struct {
	Year  int
	Kind  PeriodKind
	Index int
}

func invalidPeriod(msg string) *Error {
	return Invalid("invalid_period", msg, Field("period", "invalid_period", msg))
}

// ParsePeriod reads "1405-07" or "1405-7" (a month), "1405-Q3" or "1405-q3"
// (a quarter), with Persian or Arabic-Indic digits and spaces around it. Any
// other input is refused with a *Error of KindInvalid, code
// "invalid_period", naming the field "period".
func ParsePeriod(s string) (Period, error) {
	in := NormalizeDigits(trimInput(s))
	const msg = "period must be a Jalali month like 1405-07 or a quarter like 1405-Q3"
	if len(in) < 6 || len(in) > 7 || in[4] != '-' || in[0] == '0' {
		return Period{}, invalidPeriod(msg)
	}
	year, ok := asciiDigits(in[:4])
	if !ok {
		return Period{}, invalidPeriod(msg)
	}
	rest := in[5:]
	var p Period
	if rest[0] == 'Q' || rest[0] == 'q' {
		q, ok := asciiDigits(rest[1:])
		if !ok || len(rest) != 2 {
			return Period{}, invalidPeriod(msg)
		}
		p = Period{Year: year, Kind: PeriodQuarter, Index: q}
	} else {
		m, ok := asciiDigits(rest)
		if !ok {
			return Period{}, invalidPeriod(msg)
		}
		p = Period{Year: year, Kind: PeriodMonth, Index: m}
	}
	if !p.Valid() {
		return Period{}, invalidPeriod(msg)
	}
	return p, nil
}

// Valid reports whether p is a month 1-12 or a quarter 1-4 of a year the
// calendar supports.
func (p Period) Valid() bool {
	if !jalaliYearInRange(p.Year) {
		return false
	}
	switch p.Kind {
	case PeriodMonth:
		return p.Index >= 1 && p.Index <= 12
	case PeriodQuarter:
		return p.Index >= 1 && p.Index <= 4
	}
	return false
}

// String formats p as "1405-07" or "1405-Q3"; an invalid period shows as
// "invalid-period(...)".
func (p Period) String() string {
	switch {
	case !p.Valid():
		return "invalid-period(" + strconv.Itoa(p.Year) + "," + string(p.Kind) + "," + strconv.Itoa(p.Index) + ")"
	case p.Kind == PeriodQuarter:
		return pad(p.Year, 4) + "-Q" + strconv.Itoa(p.Index)
	default:
		return pad(p.Year, 4) + "-" + pad(p.Index, 2)
	}
}

// MarshalText writes p as String does; an invalid period is an error.
func (p Period) MarshalText() ([]byte, error) {
	if !p.Valid() {
		return nil, invalidPeriod("period is not valid")
	}
	return []byte(p.String()), nil
}

// UnmarshalText reads p as ParsePeriod does.
func (p *Period) UnmarshalText(b []byte) error {
	v, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// months returns the first month of p and the number of months it spans.
func (p Period) months() (first, n int) {
	if p.Kind == PeriodQuarter {
		return (p.Index-1)*3 + 1, 3
	}
	return p.Index, 1
}

// Start returns the first instant of p (midnight in Tehran) in UTC, or the
// zero time for an invalid period.
func (p Period) Start() time.Time {
	if !p.Valid() {
		return time.Time{}
	}
	first, _ := p.months()
	t, err := FromJalali(p.Year, first, 1)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// End returns the exclusive end of p: the Start of the next period (the zero
// time for an invalid period).
func (p Period) End() time.Time {
	start := p.Start()
	if start.IsZero() {
		return start
	}
	first, n := p.months()
	days := 0
	for m := first; m < first+n; m++ {
		days += JalaliMonthLength(p.Year, m)
	}
	// Tehran keeps a fixed offset, so a day is always 24 hours.
	return start.Add(time.Duration(days) * 24 * time.Hour)
}

// Contains reports whether t falls in [Start, End).
func (p Period) Contains(t time.Time) bool {
	start := p.Start()
	if start.IsZero() {
		return false
	}
	return !t.Before(start) && t.Before(p.End())
}

// Next returns the period of the same kind that follows p.
func (p Period) Next() Period {
	last := 12
	if p.Kind == PeriodQuarter {
		last = 4
	}
	if p.Index >= last {
		return Period{Year: p.Year + 1, Kind: p.Kind, Index: 1}
	}
	return Period{Year: p.Year, Kind: p.Kind, Index: p.Index + 1}
}

// Previous returns the period of the same kind that precedes p.
func (p Period) Previous() Period {
	last := 12
	if p.Kind == PeriodQuarter {
		last = 4
	}
	if p.Index <= 1 {
		return Period{Year: p.Year - 1, Kind: p.Kind, Index: last}
	}
	return Period{Year: p.Year, Kind: p.Kind, Index: p.Index - 1}
}

var quarterOrdinalsFa = [4]string{"اول", "دوم", "سوم", "چهارم"}

// LabelFa is the Persian label of p: "مهر ۱۴۰۵", "فصل سوم ۱۴۰۵".
func (p Period) LabelFa() string {
	if !p.Valid() {
		return ""
	}
	year := PersianDigits(strconv.Itoa(p.Year))
	if p.Kind == PeriodQuarter {
		return "فصل " + quarterOrdinalsFa[p.Index-1] + " " + year
	}
	return JalaliMonthName(p.Index, "fa") + " " + year
}

// LabelEn is the English label of p: "Mehr 1405", "Q3 1405".
func (p Period) LabelEn() string {
	if !p.Valid() {
		return ""
	}
	year := strconv.Itoa(p.Year)
	if p.Kind == PeriodQuarter {
		return "Q" + strconv.Itoa(p.Index) + " " + year
	}
	return JalaliMonthName(p.Index, "en") + " " + year
}

// MonthOf returns the Jalali month that contains t (in Tehran).
func MonthOf(t time.Time) Period {
	d := ToJalali(t)
	return Period{Year: d.Year, Kind: PeriodMonth, Index: d.Month}
}

// QuarterOf returns the Jalali quarter that contains t (in Tehran).
func QuarterOf(t time.Time) Period {
	d := ToJalali(t)
	q := 0
	if d.Month > 0 {
		q = (d.Month-1)/3 + 1
	}
	return Period{Year: d.Year, Kind: PeriodQuarter, Index: q}
}
