package daftar

import (
	"strings"
	"testing"
	"time"
)

func gdate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestTehran(t *testing.T) {
	name, off := time.Date(2025, 7, 1, 12, 0, 0, 0, Tehran()).Zone()
	if name != "IRST" || off != 3*3600+30*60 {
		t.Fatalf("Tehran zone = %s %d", name, off)
	}
	// No DST: the offset is the same in summer and winter.
	if _, off2 := time.Date(2025, 1, 1, 12, 0, 0, 0, Tehran()).Zone(); off2 != off {
		t.Fatalf("offset changes: %d vs %d", off, off2)
	}
}

func TestJalaliKnownPairs(t *testing.T) {
	tests := []struct {
		j JalaliDate
		g time.Time
	}{
		{JalaliDate{1403, 1, 1}, gdate(2024, 3, 20)},
		{JalaliDate{1404, 1, 1}, gdate(2025, 3, 21)},
		{JalaliDate{1405, 1, 1}, gdate(2026, 3, 21)},
		{JalaliDate{1375, 6, 21}, gdate(1996, 9, 11)},
		{JalaliDate{1399, 12, 30}, gdate(2021, 3, 20)},
		{JalaliDate{1403, 12, 30}, gdate(2025, 3, 20)},
		{JalaliDate{1404, 12, 29}, gdate(2026, 3, 20)},
		{JalaliDate{1348, 10, 11}, gdate(1970, 1, 1)},
		{JalaliDate{1357, 11, 22}, gdate(1979, 2, 11)},
		{JalaliDate{1360, 5, 26}, gdate(1981, 8, 17)},
		{JalaliDate{1391, 10, 21}, gdate(2013, 1, 10)},
		{JalaliDate{1393, 5, 13}, gdate(2014, 8, 4)},
		{JalaliDate{1400, 1, 1}, gdate(2021, 3, 21)},
		{JalaliDate{1402, 12, 29}, gdate(2024, 3, 19)},
		{JalaliDate{1405, 9, 5}, gdate(2026, 11, 26)},
		{JalaliDate{1405, 7, 1}, gdate(2026, 9, 23)},
		{JalaliDate{1300, 1, 1}, gdate(1921, 3, 21)},
		{JalaliDate{1479, 1, 1}, gdate(2100, 3, 21)},
		{JalaliDate{1478, 12, 30}, gdate(2100, 3, 20)},
	}
	for _, tt := range tests {
		t.Run(tt.j.String(), func(t *testing.T) {
			got, err := FromJalali(tt.j.Year, tt.j.Month, tt.j.Day)
			if err != nil {
				t.Fatal(err)
			}
			if y, m, d := got.Date(); y != tt.g.Year() || m != tt.g.Month() || d != tt.g.Day() {
				t.Errorf("FromJalali(%v) = %v, want %v", tt.j, got, tt.g.Format(time.DateOnly))
			}
			if got.Location() != Tehran() || got.Hour() != 0 || got.Minute() != 0 || got.Nanosecond() != 0 {
				t.Errorf("FromJalali(%v) = %v, want midnight in Tehran", tt.j, got)
			}
			// Noon UTC of the Gregorian day is the same day in Tehran.
			if j := ToJalali(tt.g.Add(12 * time.Hour)); j != tt.j {
				t.Errorf("ToJalali(%v) = %v, want %v", tt.g.Format(time.DateOnly), j, tt.j)
			}
		})
	}
}

// icuNowruz is the Gregorian month and day of 1 Farvardin for the years
// 1300-1501 as ICU's Persian calendar computes them (generated with Node's
// Intl.DateTimeFormat "en-u-ca-persian"): an independent reference.
const icuNowruz = "0321 0322 0322 0321 0321 0322 0322 0321 0321 0321 0322 0321 0321 0321 0322 0321 0321 0321 0322 0321 " +
	"0321 0321 0322 0321 0321 0321 0322 0321 0321 0321 0322 0321 0321 0321 0322 0321 0321 0321 0322 0321 " +
	"0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 " +
	"0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0320 0321 0321 0321 0320 " +
	"0321 0321 0321 0320 0321 0321 0321 0320 0321 0321 0321 0320 0321 0321 0321 0320 0321 0321 0321 0320 " +
	"0321 0321 0321 0320 0321 0321 0321 0320 0320 0321 0321 0320 0320 0321 0321 0320 0320 0321 0321 0320 " +
	"0320 0321 0321 0320 0320 0321 0321 0320 0320 0321 0321 0320 0320 0321 0321 0320 0320 0321 0321 0320 " +
	"0320 0320 0321 0320 0320 0320 0321 0320 0320 0320 0321 0320 0320 0320 0321 0320 0320 0320 0321 0320 " +
	"0320 0320 0321 0320 0320 0320 0321 0320 0320 0320 0321 0320 0320 0320 0320 0320 0320 0320 0320 0321 " +
	"0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 0321 " +
	"0321 0321"

func TestJalaliNowruzMatchesICU(t *testing.T) {
	days := strings.Fields(icuNowruz)
	if len(days) != 202 {
		t.Fatalf("reference has %d years", len(days))
	}
	for i, md := range days {
		y := 1300 + i
		got, err := FromJalali(y, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if s := got.Format("0102"); s != md {
			t.Errorf("1 Farvardin %d = %s, ICU says %s", y, got.Format(time.DateOnly), md)
		}
	}
}

func TestIsJalaliLeap(t *testing.T) {
	leap := map[int]bool{
		1370: true, 1375: true, 1379: true, 1383: true, 1387: true, 1391: true, 1395: true,
		1399: true, 1403: true, 1408: true, 1412: true, 1416: true,
		1374: false, 1393: false, 1394: false, 1396: false, 1400: false, 1401: false, 1402: false,
		1404: false, 1405: false, 1406: false, 1407: false,
		-62: false, 3178: false, 100000: false,
	}
	for y, want := range leap {
		if got := IsJalaliLeap(y); got != want {
			t.Errorf("IsJalaliLeap(%d) = %v, want %v", y, got, want)
		}
	}
}

func TestJalaliMonthLength(t *testing.T) {
	tests := []struct{ y, m, want int }{
		{1393, 1, 31}, {1393, 4, 31}, {1393, 6, 31}, {1393, 7, 30}, {1393, 10, 30}, {1393, 11, 30},
		{1393, 12, 29}, {1394, 12, 29}, {1395, 12, 30}, {1403, 12, 30}, {1404, 12, 29},
		{1403, 0, 0}, {1403, 13, 0}, {1403, -1, 0}, {3178, 1, 0}, {-62, 1, 0},
	}
	for _, tt := range tests {
		if got := JalaliMonthLength(tt.y, tt.m); got != tt.want {
			t.Errorf("JalaliMonthLength(%d, %d) = %d, want %d", tt.y, tt.m, got, tt.want)
		}
	}
}

// The start of each year plus its length is the start of the next, over the
// whole supported range: jalCal's leap flag agrees with its own March dates.
func TestJalaliYearsAreContiguous(t *testing.T) {
	for y := minJalaliYear; y < maxJalaliYear; y++ {
		if got, want := jalaliYearStart(y+1)-jalaliYearStart(y), jalaliYearLength(y); got != want {
			t.Fatalf("year %d: next year starts %d days later, length is %d", y, got, want)
		}
	}
}

func TestJalaliRoundTripEveryDay(t *testing.T) {
	var prev time.Time
	days := 0
	for y := 1300; y <= 1500; y++ {
		for m := 1; m <= 12; m++ {
			for d := 1; d <= JalaliMonthLength(y, m); d++ {
				j := JalaliDate{y, m, d}
				tm, err := FromJalali(y, m, d)
				if err != nil {
					t.Fatalf("FromJalali(%v): %v", j, err)
				}
				if got := ToJalali(tm); got != j {
					t.Fatalf("ToJalali(FromJalali(%v)) = %v", j, got)
				}
				// The last second of the day is still that day.
				if got := ToJalali(tm.Add(24*time.Hour - time.Nanosecond)); got != j {
					t.Fatalf("ToJalali(end of %v) = %v", j, got)
				}
				if !prev.IsZero() && !tm.Equal(prev.Add(24*time.Hour)) {
					t.Fatalf("%v is %v, previous day was %v", j, tm, prev)
				}
				prev = tm
				days++
			}
		}
	}
	// 201 years of 365 or 366 days.
	if days < 201*365 || days > 201*366 {
		t.Fatalf("walked %d days", days)
	}
}

func TestToJalaliBoundaries(t *testing.T) {
	tests := []struct {
		t    time.Time
		want JalaliDate
	}{
		// Nowruz 1403 starts at 20:30 UTC on 19 March 2024.
		{time.Date(2024, 3, 19, 20, 29, 59, 0, time.UTC), JalaliDate{1402, 12, 29}},
		{time.Date(2024, 3, 19, 20, 30, 0, 0, time.UTC), JalaliDate{1403, 1, 1}},
		{time.Date(2026, 9, 22, 20, 30, 0, 0, time.UTC), JalaliDate{1405, 7, 1}},
		{time.Date(2026, 9, 22, 23, 0, 0, 0, time.FixedZone("X", 5*3600)), JalaliDate{1405, 6, 31}},
		{time.Date(2026, 11, 26, 0, 0, 0, 0, Tehran()), JalaliDate{1405, 9, 5}},
		// Outside the supported range: the zero date.
		{time.Time{}, JalaliDate{}},
		{time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), JalaliDate{}},
		{time.Date(560, 3, 1, 0, 0, 0, 0, time.UTC), JalaliDate{}},
	}
	for _, tt := range tests {
		if got := ToJalali(tt.t); got != tt.want {
			t.Errorf("ToJalali(%v) = %v, want %v", tt.t, got, tt.want)
		}
	}
	// The first and last day of the supported range.
	first, err := FromJalali(minJalaliYear, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := ToJalali(first); got != (JalaliDate{minJalaliYear, 1, 1}) {
		t.Errorf("ToJalali(first) = %v", got)
	}
	if got := ToJalali(first.Add(-time.Second)); got.Valid() {
		t.Errorf("day before the range = %v, want invalid", got)
	}
	last, err := FromJalali(maxJalaliYear, 12, JalaliMonthLength(maxJalaliYear, 12))
	if err != nil {
		t.Fatal(err)
	}
	if got := ToJalali(last); got != (JalaliDate{maxJalaliYear, 12, JalaliMonthLength(maxJalaliYear, 12)}) {
		t.Errorf("ToJalali(last) = %v", got)
	}
	if got := ToJalali(last.Add(24 * time.Hour)); got.Valid() {
		t.Errorf("day after the range = %v, want invalid", got)
	}
}

func TestFromJalaliInvalid(t *testing.T) {
	tests := []JalaliDate{
		{1404, 12, 30}, {1402, 12, 30}, {1403, 12, 31}, {1403, 13, 1}, {1403, 0, 10}, {1403, 7, 31},
		{1403, 11, 31}, {1403, 1, 32}, {1403, 1, 0}, {1403, 6, 32}, {1403, -1, 1}, {1403, 1, -1},
		{3178, 1, 1}, {-62, 1, 1}, {0, 0, 0},
	}
	for _, d := range tests {
		_, err := FromJalali(d.Year, d.Month, d.Day)
		de, ok := AsError(err)
		if !ok || de.Kind != KindInvalid || de.Code != "invalid_jalali_date" || de.Message == "" {
			t.Errorf("FromJalali(%v) error = %v, want invalid_jalali_date", d, err)
		}
		if d.Valid() {
			t.Errorf("%v.Valid() = true", d)
		}
	}
	for _, d := range []JalaliDate{{1403, 12, 30}, {1399, 12, 30}, {1404, 12, 29}, {1404, 6, 31}, {1404, 7, 30}} {
		if !d.Valid() {
			t.Errorf("%v.Valid() = false", d)
		}
	}
}

func TestJalaliDateFormat(t *testing.T) {
	tests := []struct {
		d              JalaliDate
		ascii, persian string
	}{
		{JalaliDate{1405, 9, 5}, "1405/09/05", "۱۴۰۵/۰۹/۰۵"},
		{JalaliDate{1375, 6, 21}, "1375/06/21", "۱۳۷۵/۰۶/۲۱"},
		{JalaliDate{1403, 12, 30}, "1403/12/30", "۱۴۰۳/۱۲/۳۰"},
		{JalaliDate{5, 1, 1}, "0005/01/01", "۰۰۰۵/۰۱/۰۱"},
		{JalaliDate{-5, 1, 1}, "-0005/01/01", "-۰۰۰۵/۰۱/۰۱"},
		{JalaliDate{}, "0000/00/00", "۰۰۰۰/۰۰/۰۰"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.ascii {
			t.Errorf("String() = %q, want %q", got, tt.ascii)
		}
		if got := tt.d.Persian(); got != tt.persian {
			t.Errorf("Persian() = %q, want %q", got, tt.persian)
		}
	}
}

func TestJalaliDateTime(t *testing.T) {
	d := JalaliDate{1405, 9, 5}
	tm, err := d.Time()
	if err != nil {
		t.Fatal(err)
	}
	if got := FormatJalaliDateTime(tm.Add(14*time.Hour + 30*time.Minute)); got != "1405/09/05 14:30" {
		t.Errorf("FormatJalaliDateTime = %q", got)
	}
	// 21:00 UTC is 00:30 the next day in Tehran.
	if got := FormatJalaliDateTime(time.Date(2026, 11, 25, 21, 0, 0, 0, time.UTC)); got != "1405/09/05 00:30" {
		t.Errorf("FormatJalaliDateTime = %q", got)
	}
	if _, err := (JalaliDate{1404, 12, 30}).Time(); err == nil {
		t.Error("Time() of a missing date: no error")
	}
}

func TestParseJalaliDate(t *testing.T) {
	ok := []struct {
		in   string
		want JalaliDate
	}{
		{"1375/06/21", JalaliDate{1375, 6, 21}},
		{"1375-6-21", JalaliDate{1375, 6, 21}},
		{"1375-06-21", JalaliDate{1375, 6, 21}},
		{"1375/6/1", JalaliDate{1375, 6, 1}},
		{"۱۳۷۵/۰۶/۲۱", JalaliDate{1375, 6, 21}},
		{"١٣٧٥/٠٦/٢١", JalaliDate{1375, 6, 21}},
		{"۱۳۷۵/6/٢١", JalaliDate{1375, 6, 21}},
		{"  1403/12/30 ", JalaliDate{1403, 12, 30}},
		{"\u00a01403/12/30\t\n", JalaliDate{1403, 12, 30}},
		{"\u200f۱۴۰۳/۱۲/۳۰\u200e", JalaliDate{1403, 12, 30}},
		{"\ufeff1399/12/30", JalaliDate{1399, 12, 30}},
		{"1405/09/05", JalaliDate{1405, 9, 5}},
		{"3177/01/01", JalaliDate{3177, 1, 1}},
		{"1000/01/01", JalaliDate{1000, 1, 1}},
	}
	for _, tt := range ok {
		got, err := ParseJalaliDate(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseJalaliDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	bad := []string{
		"", " ", "1404/12/30", "1402/12/30", "1403/13/01", "1403/00/01", "1403/01/00", "1403/07/31",
		"1403/01/32", "75/06/21", "375/06/21", "01375/06/21", "0999/01/01", "3178/01/01", "9999/01/01",
		"21/06/1375", "1375/06", "1375/06/21/1", "1375/06-21", "1375-06/21", "1375.06.21", "1375 06 21",
		"1375//21", "1375/006/21", "1375/06/021", "1375/+6/21", "1375/-6/21", "-1375/06/21",
		"1375/06/21 12:00", "abcd/ef/gh", "۱۳۷۵/۰۶/۲۱x", "1375\u200c/06/21", "1375/06/2\u200e1",
		"1375/٫6/21", "1375/06/21\x00", "\xff\xfe", "1375/06/21/", "/1375/06/21",
	}
	for _, in := range bad {
		d, err := ParseJalaliDate(in)
		de, ok := AsError(err)
		if !ok || de.Kind != KindInvalid || de.Code != "invalid_jalali_date" {
			t.Errorf("ParseJalaliDate(%q) = %v, %v; want invalid_jalali_date", in, d, err)
		}
	}
}

func TestJalaliMonthName(t *testing.T) {
	fa := []string{"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"}
	en := []string{"Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar", "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand"}
	for m := 1; m <= 12; m++ {
		if got := JalaliMonthName(m, "fa"); got != fa[m-1] {
			t.Errorf("JalaliMonthName(%d, fa) = %q", m, got)
		}
		if got := JalaliMonthName(m, "en"); got != en[m-1] {
			t.Errorf("JalaliMonthName(%d, en) = %q", m, got)
		}
		if got := JalaliMonthName(m, "en-US"); got != en[m-1] {
			t.Errorf("JalaliMonthName(%d, en-US) = %q", m, got)
		}
		if got := JalaliMonthName(m, ""); got != fa[m-1] {
			t.Errorf("JalaliMonthName(%d, \"\") = %q", m, got)
		}
		// Persian names are already in normal form (Persian ی and ک).
		if NormalizeText(fa[m-1]) != fa[m-1] {
			t.Errorf("month name %q is not normalised", fa[m-1])
		}
	}
	for _, m := range []int{0, 13, -1} {
		if got := JalaliMonthName(m, "fa"); got != "" {
			t.Errorf("JalaliMonthName(%d) = %q", m, got)
		}
	}
}

func FuzzParseJalaliDate(f *testing.F) {
	for _, s := range []string{"1375/06/21", "1375-6-21", "۱۳۷۵/۰۶/۲۱", " 1403/12/30 ", "1404/12/30", "75/6/21", "", "\u200f1400/1/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseJalaliDate(s)
		if err != nil {
			if _, ok := AsError(err); !ok {
				t.Fatalf("error %v is not a *Error", err)
			}
			return
		}
		if !d.Valid() {
			t.Fatalf("accepted invalid date %v from %q", d, s)
		}
		again, err := ParseJalaliDate(d.String())
		if err != nil || again != d {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, d, d.String(), again, err)
		}
		if again, err := ParseJalaliDate(d.Persian()); err != nil || again != d {
			t.Fatalf("Persian %q -> %v, %v", d.Persian(), again, err)
		}
		tm, err := FromJalali(d.Year, d.Month, d.Day)
		if err != nil || ToJalali(tm) != d {
			t.Fatalf("FromJalali(%v) = %v, %v", d, tm, err)
		}
	})
}

// A quick check that pad behaves for widths wider and narrower than n.
func TestPad(t *testing.T) {
	for _, tt := range []struct {
		n, w int
		want string
	}{{5, 2, "05"}, {12, 2, "12"}, {123, 2, "123"}, {-5, 4, "-0005"}, {0, 4, "0000"}} {
		if got := pad(tt.n, tt.w); got != tt.want {
			t.Errorf("pad(%d, %d) = %q, want %q", tt.n, tt.w, got, tt.want)
		}
	}
}
