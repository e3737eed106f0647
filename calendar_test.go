package daftar

import (
	"testing"
	"time"
)

func TestTehranCalendarArithmetic(t *testing.T) {
	for _, ts := range []time.Time{
		time.Date(2026, 11, 21, 20, 29, 59, 0, time.UTC), // 23:59:59 Tehran
		time.Date(2026, 11, 21, 20, 30, 0, 0, time.UTC),  // midnight Tehran
		time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC),
	} {
		local := ts.In(Tehran())
		midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, Tehran())
		if got := DayStart(ts.Unix()); got != midnight.Unix() {
			t.Errorf("DayStart(%v) = %v, want %v", ts, time.Unix(got, 0), midnight)
		}
		if got := HourOf(ts.Unix()); got != local.Hour() {
			t.Errorf("HourOf(%v) = %d, want %d", ts, got, local.Hour())
		}
		if got, want := WeekdayIndex(ts.Unix()), (int(local.Weekday())+1)%7; got != want {
			t.Errorf("WeekdayIndex(%v) = %d, want %d", ts, got, want)
		}
	}
	// 1405/09/01 is Sunday 2026-11-22; Azar has 30 days.
	sat := time.Date(2026, 11, 28, 10, 0, 0, 0, Tehran()).Unix()
	if WeekdayIndex(sat) != 0 {
		t.Fatalf("2026-11-28 is a Saturday")
	}
	azar1 := time.Date(2026, 11, 22, 0, 0, 0, 0, Tehran()).Unix()
	if MonthStart(sat) != azar1 || MonthStart(azar1+29*86400+3600) != azar1 || MonthEnd(sat) != azar1+30*86400 {
		t.Fatalf("Azar 1405: start %v end %v", time.Unix(MonthStart(sat), 0), time.Unix(MonthEnd(sat), 0))
	}
}
