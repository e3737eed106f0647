package daftar

import (
	"testing"
	"time"
)

// jt is h:m in Tehran on the Jalali day y/mo/d.
func jt(y, mo, d, h, m int) time.Time {
	t, err := FromJalali(y, mo, d)
	if err != nil {
		panic(err)
	}
	return t.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// endOf is 23:59:59 Tehran of a Jalali day, in UTC.
func endOf(y, mo, d int) time.Time { return jt(y, mo, d, 23, 59).Add(59 * time.Second).UTC() }

func days(whole int, half bool) WorkingDays {
	w := WorkingDays(whole) * WorkingDay
	if half {
		w += HalfWorkingDay
	}
	return w
}

// Mehr 1405 has no holiday: 1405/07/04 is a Saturday, 07/08 a Wednesday,
// 07/09 a Thursday, 07/10 a Friday, 07/11 the next Saturday.
func TestDeadline(t *testing.T) {
	c := OfficialWorkCalendar()
	tests := []struct {
		name  string
		filed time.Time
		n     WorkingDays
		want  time.Time
	}{
		{"saturday, one day", jt(1405, 7, 4, 9, 0), days(1, false), endOf(1405, 7, 5)},
		{"saturday late at night, one day", jt(1405, 7, 4, 23, 59), days(1, false), endOf(1405, 7, 5)},
		{"wednesday, one day: thursday half and saturday", jt(1405, 7, 8, 10, 0), days(1, false), endOf(1405, 7, 11)},
		{"wednesday, half a day: thursday", jt(1405, 7, 8, 10, 0), HalfWorkingDay, endOf(1405, 7, 9)},
		{"thursday, one day: friday off", jt(1405, 7, 9, 10, 0), days(1, false), endOf(1405, 7, 11)},
		{"friday, one day", jt(1405, 7, 10, 10, 0), days(1, false), endOf(1405, 7, 11)},
		{"tuesday, one and a half: thursday", jt(1405, 7, 7, 10, 0), days(1, true), endOf(1405, 7, 9)},
		{"tuesday, two: past the weekend", jt(1405, 7, 7, 10, 0), days(2, false), endOf(1405, 7, 11)},
		{"saturday, four and a half: thursday", jt(1405, 7, 4, 10, 0), days(4, true), endOf(1405, 7, 9)},
		{"saturday, five: next saturday", jt(1405, 7, 4, 10, 0), days(5, false), endOf(1405, 7, 11)},
		{"saturday, ten: two weeks less the weekend", jt(1405, 7, 4, 10, 0), days(10, false), endOf(1405, 7, 16)},
		// Filed at 00:30 Saturday Tehran, which is Friday 21:00 UTC.
		{"the day is Tehran's", time.Date(2026, 9, 25, 21, 0, 0, 0, time.UTC), days(1, false), endOf(1405, 7, 5)},
		// Nowruz: 1404/12/28 Thursday, 12/29 Friday (oil day), 1405/01/01-04
		// Nowruz, 01/05 Wednesday, 01/06 Thursday, 01/08 Saturday.
		{"across Nowruz", jt(1404, 12, 27, 10, 0), days(3, false), endOf(1405, 1, 8)},
		// Tasua and Ashura: 1405/04/03 Wednesday, 04/04 Thursday.
		{"across Tasua and Ashura", jt(1405, 4, 2, 10, 0), days(1, false), endOf(1405, 4, 6)},
		// Eid al-Fitr 1448: 1405/12/19 Wednesday, 12/20 Thursday.
		{"across Eid al-Fitr", jt(1405, 12, 18, 10, 0), days(1, false), endOf(1405, 12, 22)},
		// The year's end: 1405/12/28 Friday, 12/29 Saturday (oil day), Nowruz
		// 1406 Sunday to Wednesday, 1406/01/05 Thursday, 01/07 Saturday.
		{"across the year's end", jt(1405, 12, 27, 10, 0), days(2, false), endOf(1406, 1, 8)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Deadline(tt.filed, tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Fatalf("Deadline(%s, %s) = %s (%s), want %s", FormatJalaliDateTime(tt.filed), tt.n,
					FormatJalaliDateTime(got), got, FormatJalaliDateTime(tt.want))
			}
			if got.Location() != time.UTC {
				t.Errorf("location %v, want UTC", got.Location())
			}
		})
	}
}

func TestDeadlineRefusesBadCounts(t *testing.T) {
	c := OfficialWorkCalendar()
	for _, n := range []WorkingDays{0, -1, -WorkingDay, maxDeadline + 1} {
		if _, err := c.Deadline(jt(1405, 7, 4, 9, 0), n); !IsKind(err, KindInvalid) {
			t.Errorf("Deadline(n=%s) err = %v, want invalid", n, err)
		}
	}
	if _, err := c.Deadline(jt(1405, 7, 4, 9, 0), maxDeadline); err != nil {
		t.Errorf("Deadline(max) = %v", err)
	}
}

// Across every day of 1405 and 1406, at an hour that moves through the day:
// a deadline never falls on a Friday or a holiday, never before a shorter
// deadline, and is the first day on which the working time reaches n.
func TestDeadlineProperties(t *testing.T) {
	c := OfficialWorkCalendar()
	start := jt(1405, 1, 1, 0, 0)
	for i := 0; i < 730; i++ {
		filed := start.AddDate(0, 0, i).Add(time.Duration(i*37%1440) * time.Minute)
		var prev time.Time
		for n := HalfWorkingDay; n <= 30*WorkingDay; n++ {
			d, err := c.Deadline(filed, n)
			if err != nil {
				t.Fatal(err)
			}
			local := d.In(Tehran())
			switch {
			case local.Weekday() == time.Friday || c.IsHoliday(d):
				t.Fatalf("Deadline(%s, %s) = %s: a day off", FormatJalaliDateTime(filed), n, FormatJalaliDateTime(d))
			case local.Hour() != 23 || local.Minute() != 59 || local.Second() != 59:
				t.Fatalf("Deadline(%s, %s) = %s: not the end of the day", FormatJalaliDateTime(filed), n, local)
			case d.Before(prev):
				t.Fatalf("Deadline(%s, %s) = %s is before the deadline of %s", FormatJalaliDateTime(filed), n, d, n-1)
			case !d.After(filed):
				t.Fatalf("Deadline(%s, %s) = %s is not after filing", FormatJalaliDateTime(filed), n, d)
			}
			if got := c.Between(filed, d); got < n || got > n+HalfWorkingDay {
				t.Fatalf("Between(filed, Deadline(%s)) = %s", n, got)
			}
			if got := c.Between(filed, d.AddDate(0, 0, -1)); got >= n {
				t.Fatalf("the day before Deadline(%s) already has %s", n, got)
			}
			prev = d
		}
	}
}

func TestBetween(t *testing.T) {
	c := OfficialWorkCalendar()
	tests := []struct {
		name     string
		from, to time.Time
		want     WorkingDays
	}{
		{"same day", jt(1405, 7, 4, 8, 0), jt(1405, 7, 4, 20, 0), 0},
		{"next day", jt(1405, 7, 4, 23, 0), jt(1405, 7, 5, 0, 30), WorkingDay},
		{"a week", jt(1405, 7, 4, 8, 0), jt(1405, 7, 11, 8, 0), days(5, true)},
		{"overdue from a saturday deadline to monday", endOf(1405, 7, 11), jt(1405, 7, 13, 10, 0), days(2, false)},
		{"over Nowruz", jt(1404, 12, 25, 9, 0), jt(1405, 1, 6, 9, 0), days(4, false)}, // 12/26-28: 2.5, 01/05-06: 1.5
		{"backwards", jt(1405, 7, 11, 8, 0), jt(1405, 7, 4, 8, 0), -days(5, true)},
	}
	for _, tt := range tests {
		if got := c.Between(tt.from, tt.to); got != tt.want {
			t.Errorf("%s: Between = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestWorkOn(t *testing.T) {
	c := OfficialWorkCalendar()
	tests := []struct {
		at   time.Time
		want WorkingDays
	}{
		{jt(1405, 7, 4, 12, 0), WorkingDay},     // Saturday
		{jt(1405, 7, 8, 12, 0), WorkingDay},     // Wednesday
		{jt(1405, 7, 9, 12, 0), HalfWorkingDay}, // Thursday
		{jt(1405, 7, 10, 12, 0), 0},             // Friday
		{jt(1405, 4, 3, 12, 0), 0},              // Tasua, a Wednesday
		{jt(1405, 4, 4, 12, 0), 0},              // Ashura, a Thursday
		{jt(1410, 1, 1, 12, 0), 0},              // Nowruz outside the table
		{jt(1410, 3, 14, 12, 0), 0},             // 14 Khordad outside the table
	}
	for _, tt := range tests {
		if got := c.WorkOn(tt.at); got != tt.want {
			t.Errorf("WorkOn(%s) = %s, want %s", FormatJalaliDateTime(tt.at), got, tt.want)
		}
	}
}

func TestWorkingDaysText(t *testing.T) {
	tests := []struct {
		in   string
		want WorkingDays
		str  string
		fa   string
	}{
		{"3", days(3, false), "3", "۳"},
		{"2.5", days(2, true), "2.5", "۲٫۵"},
		{" ۲٫۵ ", days(2, true), "2.5", "۲٫۵"},
		{"2/5", days(2, true), "2.5", "۲٫۵"},
		{"0.5", HalfWorkingDay, "0.5", "۰٫۵"},
		{"10.0", days(10, false), "10", "۱۰"},
	}
	for _, tt := range tests {
		got, err := ParseWorkingDays(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseWorkingDays(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			continue
		}
		if got.String() != tt.str || got.Persian() != tt.fa {
			t.Errorf("%q: String %q Persian %q", tt.in, got.String(), got.Persian())
		}
	}
	for _, bad := range []string{"", "-1", "2.25", "2.7", "x", "1e3", "99999"} {
		if _, err := ParseWorkingDays(bad); !IsKind(err, KindInvalid) {
			t.Errorf("ParseWorkingDays(%q) err = %v", bad, err)
		}
	}
	if s := (-HalfWorkingDay).String(); s != "-0.5" {
		t.Errorf("-0.5 formats as %q", s)
	}
	if s := (-3 * HalfWorkingDay).String(); s != "-1.5" {
		t.Errorf("-1.5 formats as %q", s)
	}
	if d := days(2, true).Days(); d != 2.5 {
		t.Errorf("Days = %v", d)
	}
}

func FuzzParseWorkingDays(f *testing.F) {
	for _, s := range []string{"3", "2.5", "۲٫۵", "", "-1", "9999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWorkingDays(s)
		if err != nil {
			return
		}
		if w < 0 || w > maxDeadline {
			t.Fatalf("ParseWorkingDays(%q) = %v", s, w)
		}
		if back, err := ParseWorkingDays(w.String()); err != nil || back != w {
			t.Fatalf("round trip of %q: %v %v", s, back, err)
		}
	})
}

func TestJalaliWeekdayName(t *testing.T) {
	sat, _ := FromJalali(1405, 1, 1)
	if sat.Weekday() != time.Saturday {
		t.Fatalf("1 Farvardin 1405 is a %s", sat.Weekday())
	}
	tests := []struct {
		w      time.Weekday
		fa, en string
	}{
		{time.Saturday, "شنبه", "Saturday"},
		{time.Tuesday, "سه‌شنبه", "Tuesday"},
		{time.Thursday, "پنجشنبه", "Thursday"},
		{time.Friday, "جمعه", "Friday"},
	}
	for _, tt := range tests {
		if got := JalaliWeekdayName(tt.w, ""); got != tt.fa {
			t.Errorf("%s fa = %q", tt.w, got)
		}
		if got := JalaliWeekdayName(tt.w, "en"); got != tt.en {
			t.Errorf("%s en = %q", tt.w, got)
		}
	}
	if JalaliWeekdayName(time.Weekday(9), "fa") != "" {
		t.Error("weekday 9 has a name")
	}
}
