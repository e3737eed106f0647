package daftar

import (
	"testing"
	"time"
)

// tabularJDN is the Julian day number of a Hijri date in the arithmetic
// (tabular, civil epoch) Islamic calendar: 30-year cycles with leap years
// 2, 5, 7, 10, 13, 16, 18, 21, 24, 26, 29. Iran's observed calendar stays
// within a day of it, which makes it a check on the table's rows.
func tabularJDN(y, m, d int) int64 {
	return int64(d + (59*(m-1)+1)/2 + (y-1)*354 + (3+11*y)/30 + 1948439)
}

// jdnOf is the Julian day number of the Tehran day of t.
func jdnOf(t time.Time) int64 {
	y, m, d := t.In(Tehran()).Date()
	return civilDay(y, m, d) + 2440588
}

func TestTabularJDNKnown(t *testing.T) {
	// 1 Muharram 1 AH (civil epoch) is 16 July 622 (Julian), JDN 1948440;
	// 1 Muharram 1447 was 27 June 2025 in the tabular calendar.
	if got := tabularJDN(1, 1, 1); got != 1948440 {
		t.Fatalf("epoch JDN = %d", got)
	}
	if got, want := tabularJDN(1447, 1, 1), jdnOf(time.Date(2025, 6, 27, 12, 0, 0, 0, Tehran())); got != want {
		t.Fatalf("1447/01/01 JDN = %d, want %d", got, want)
	}
}

func TestLunarTableRows(t *testing.T) {
	rows := OfficialLunarHolidays()
	if len(rows) == 0 {
		t.Fatal("empty table")
	}
	seen := map[JalaliDate]map[string]bool{}
	for i, h := range rows {
		o, ok := lunarOccasions[h.Code]
		switch {
		case !ok:
			t.Errorf("row %d (%s): unknown code", i, h.describe())
			continue
		case !h.Date.Valid():
			t.Errorf("row %d (%s): date does not exist", i, h.describe())
		case h.Date.Year != 1405 && h.Date.Year != 1406:
			t.Errorf("row %d (%s): year outside 1405-1406", i, h.describe())
		case !h.Lunar || h.NameFa == "" || h.NameEn == "":
			t.Errorf("row %d (%s): not lunar or unnamed", i, h.describe())
		case h.Hijri.Month != o.month:
			t.Errorf("row %d (%s): Hijri month %d, the occasion is in month %d", i, h.describe(), h.Hijri.Month, o.month)
		case o.day != 0 && h.Hijri.Day != o.day:
			t.Errorf("row %d (%s): Hijri day %d, the occasion is on day %d", i, h.describe(), h.Hijri.Day, o.day)
		case o.day == 0 && h.Hijri.Day != 29 && h.Hijri.Day != 30:
			t.Errorf("row %d (%s): end of month must be day 29 or 30", i, h.describe())
		case h.Estimated != (h.Date.Year == 1406):
			t.Errorf("row %d (%s): 1405 comes from the published calendar, 1406 is estimated", i, h.describe())
		}
		if i > 0 && compareJalali(rows[i-1].Date, h.Date) > 0 {
			t.Errorf("row %d (%s) is out of date order", i, h.describe())
		}
		if seen[h.Date][h.Code] {
			t.Errorf("row %d (%s) repeats", i, h.describe())
		}
		if seen[h.Date] == nil {
			seen[h.Date] = map[string]bool{}
		}
		seen[h.Date][h.Code] = true
		// Against the tabular calendar: within a day.
		tm, err := h.Date.Time()
		if err != nil {
			continue
		}
		if diff := jdnOf(tm) - tabularJDN(h.Hijri.Year, h.Hijri.Month, h.Hijri.Day); diff < -1 || diff > 1 {
			t.Errorf("row %d (%s, Hijri %s) is %d days from the tabular calendar", i, h.describe(), h.Hijri, diff)
		}
	}
}

// Every lunar occasion that falls inside a covered year is in the table, once
// per time it falls there (Eid al-Fitr falls twice in 1405).
func TestLunarTableComplete(t *testing.T) {
	c := OfficialWorkCalendar()
	for _, year := range []int{1405, 1406} {
		start, _ := FromJalali(year, 1, 1)
		next, _ := FromJalali(year+1, 1, 1)
		first, last := jdnOf(start), jdnOf(next)-1
		found := map[string]int{}
		for _, h := range c.Holidays(year) {
			if h.Lunar {
				found[h.Code]++
			}
		}
		// A day the tabular calendar puts within a day of the year's edges
		// may fall on either side of it (1 Shawwal 1447 is 1 Farvardin 1405,
		// the tabular calendar says the day before).
		want, maybe := map[string]int{}, map[string]int{}
		for code, o := range lunarOccasions {
			for hy := 1446; hy <= 1450; hy++ {
				day := o.day
				if day == 0 {
					day = 29
				}
				switch j := tabularJDN(hy, o.month, day); {
				case j >= first-1 && j <= first || j >= last && j <= last+1:
					maybe[code]++
				case j > first && j < last:
					want[code]++
				}
			}
		}
		for code := range lunarOccasions {
			if n := found[code]; n < want[code] || n > want[code]+maybe[code] {
				t.Errorf("%d: %s appears %d times, the tabular calendar puts it there %d times (%d more at the edges)",
					year, code, n, want[code], maybe[code])
			}
		}
	}
}

// The dates the press reported from the official 1405 calendar.
func TestHolidaysPublished1405(t *testing.T) {
	c := OfficialWorkCalendar()
	tests := []struct {
		d    JalaliDate
		code string
	}{
		{JalaliDate{1405, 1, 1}, "nowruz"},
		{JalaliDate{1405, 1, 1}, "eid_fitr"},
		{JalaliDate{1405, 1, 2}, "eid_fitr_2"},
		{JalaliDate{1405, 1, 13}, "nature_day"},
		{JalaliDate{1405, 3, 6}, "eid_adha"},
		{JalaliDate{1405, 3, 14}, "eid_ghadir"},
		{JalaliDate{1405, 3, 14}, "khomeini"},
		{JalaliDate{1405, 4, 3}, "tasua"},
		{JalaliDate{1405, 4, 4}, "ashura"},
		{JalaliDate{1405, 12, 19}, "eid_fitr"},
		{JalaliDate{1405, 12, 29}, "oil_day"},
	}
	for _, tt := range tests {
		ok := false
		for _, h := range c.HolidaysOn(tt.d) {
			ok = ok || h.Code == tt.code
		}
		if !ok {
			t.Errorf("%s: no %s holiday (have %v)", tt.d, tt.code, c.HolidaysOn(tt.d))
		}
	}
	// The published calendar counts 25 holidays, 6 on a Thursday and 3 on a
	// Friday; reports of it leave out 25 Farvardin (25 Shawwal, Imam Sadiq),
	// which 1 Shawwal = 1 Farvardin puts there, so the table has 26 days.
	days := map[JalaliDate]bool{}
	var thu, fri int
	for _, h := range c.Holidays(1405) {
		if days[h.Date] {
			continue
		}
		days[h.Date] = true
		tm, _ := h.Date.Time()
		switch tm.Weekday() {
		case time.Thursday:
			thu++
		case time.Friday:
			fri++
		}
	}
	if len(days) != 26 || thu != 6 || fri != 3 {
		t.Errorf("1405: %d holiday days, %d on Thursday, %d on Friday; want 26, 6, 3", len(days), thu, fri)
	}
}

func TestHolidaysOutsideTable(t *testing.T) {
	c := OfficialWorkCalendar()
	for _, y := range []int{1404, 1407, 1410} {
		if c.Covers(y) {
			t.Errorf("Covers(%d) = true", y)
		}
		hs := c.Holidays(y)
		if len(hs) != len(fixedHolidays) {
			t.Errorf("%d: %d holidays, want the %d solar ones", y, len(hs), len(fixedHolidays))
		}
		for _, h := range hs {
			if h.Lunar {
				t.Errorf("%d: lunar holiday %s outside the table", y, h.describe())
			}
		}
	}
	for _, y := range []int{1405, 1406} {
		if !c.Covers(y) {
			t.Errorf("Covers(%d) = false", y)
		}
	}
	if got := FixedHolidays(99999); got != nil {
		t.Errorf("FixedHolidays out of range = %v", got)
	}
}

func TestHolidaysOrderAndNames(t *testing.T) {
	c := OfficialWorkCalendar()
	hs := c.Holidays(1405)
	for i := 1; i < len(hs); i++ {
		if compareJalali(hs[i-1].Date, hs[i].Date) > 0 {
			t.Fatalf("Holidays(1405) out of order at %d", i)
		}
	}
	on := c.HolidaysOn(JalaliDate{1405, 1, 1})
	if len(on) != 2 || on[0].Code != "nowruz" || on[1].Code != "eid_fitr" {
		t.Fatalf("1 Farvardin 1405 = %v", on)
	}
	if on[0].Name("fa") != "آغاز نوروز" || on[1].Name("en-US") != "Eid al-Fitr" || on[1].Hijri.String() != "1447/10/01" {
		t.Errorf("names: %q %q %q", on[0].Name("fa"), on[1].Name("en-US"), on[1].Hijri)
	}
	if got := c.HolidaysOn(JalaliDate{1405, 7, 5}); len(got) != 0 {
		t.Errorf("5 Mehr 1405 = %v", got)
	}
}

func TestNewWorkCalendarRefusesBadRow(t *testing.T) {
	_, err := NewWorkCalendar([]Holiday{{Date: JalaliDate{1405, 7, 31}, Code: "x"}})
	if !IsKind(err, KindInvalid) {
		t.Fatalf("err = %v", err)
	}
	// An amended table: a lunar day moved by announcement.
	c, err := NewWorkCalendar([]Holiday{{Date: JalaliDate{1405, 4, 5}, Code: "ashura"}})
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsHoliday(jt(1405, 4, 5, 10, 0)) || c.IsHoliday(jt(1405, 4, 4, 10, 0)) || !c.Covers(1405) || c.Covers(1406) {
		t.Errorf("amended calendar wrong")
	}
}
