package daftar

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	ok := []struct {
		in   string
		want Period
	}{
		{"1405-07", Period{1405, PeriodMonth, 7}},
		{"1405-7", Period{1405, PeriodMonth, 7}},
		{"1405-12", Period{1405, PeriodMonth, 12}},
		{"1405-01", Period{1405, PeriodMonth, 1}},
		{"1405-Q3", Period{1405, PeriodQuarter, 3}},
		{"1405-q3", Period{1405, PeriodQuarter, 3}},
		{"1405-Q1", Period{1405, PeriodQuarter, 1}},
		{"1405-Q4", Period{1405, PeriodQuarter, 4}},
		{"۱۴۰۵-۰۷", Period{1405, PeriodMonth, 7}},
		{"١٤٠٥-٧", Period{1405, PeriodMonth, 7}},
		{"۱۴۰۵-Q۳", Period{1405, PeriodQuarter, 3}},
		{" 1405-07\t", Period{1405, PeriodMonth, 7}},
		{"\u200f1405-07\u200e", Period{1405, PeriodMonth, 7}},
		{"\u00a01403-Q2\u202f", Period{1403, PeriodQuarter, 2}},
	}
	for _, tt := range ok {
		got, err := ParsePeriod(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	bad := []string{
		"", " ", "1405", "1405-", "1405-00", "1405-0", "1405-13", "1405-007", "1405-Q0", "1405-Q5",
		"1405-Q", "1405-Q03", "1405-QQ", "1405-M7", "1405/07", "1405_07", "05-07", "405-07", "01405-07",
		"0999-01", "3178-01", "1405-07-01", "1405-+7", "1405--7", "-1405-07", "1405 07", "Q3-1405",
		"1405-Q3 x", "1405-٫7", "1405-07\x00", "abcd-ef", "1405-Ｑ3", "\xff\xfe\xfd\xfc\xfb\xfa\xf9",
	}
	for _, in := range bad {
		p, err := ParsePeriod(in)
		de, ok := AsError(err)
		if !ok || de.Kind != KindInvalid || de.Code != "invalid_period" {
			t.Errorf("ParsePeriod(%q) = %v, %v; want invalid_period", in, p, err)
			continue
		}
		if len(de.Fields) != 1 || de.Fields[0].Field != "period" {
			t.Errorf("ParsePeriod(%q) fields = %v, want one on \"period\"", in, de.Fields)
		}
	}
}

func TestPeriodString(t *testing.T) {
	tests := []struct {
		p                 Period
		want, fa, enLabel string
	}{
		{Period{1405, PeriodMonth, 7}, "1405-07", "مهر ۱۴۰۵", "Mehr 1405"},
		{Period{1405, PeriodMonth, 1}, "1405-01", "فروردین ۱۴۰۵", "Farvardin 1405"},
		{Period{1405, PeriodMonth, 12}, "1405-12", "اسفند ۱۴۰۵", "Esfand 1405"},
		{Period{1405, PeriodQuarter, 1}, "1405-Q1", "فصل اول ۱۴۰۵", "Q1 1405"},
		{Period{1405, PeriodQuarter, 2}, "1405-Q2", "فصل دوم ۱۴۰۵", "Q2 1405"},
		{Period{1405, PeriodQuarter, 3}, "1405-Q3", "فصل سوم ۱۴۰۵", "Q3 1405"},
		{Period{1405, PeriodQuarter, 4}, "1405-Q4", "فصل چهارم ۱۴۰۵", "Q4 1405"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
		if got := tt.p.LabelFa(); got != tt.fa {
			t.Errorf("LabelFa() = %q, want %q", got, tt.fa)
		}
		if got := tt.p.LabelEn(); got != tt.enLabel {
			t.Errorf("LabelEn() = %q, want %q", got, tt.enLabel)
		}
		if back, err := ParsePeriod(tt.want); err != nil || back != tt.p {
			t.Errorf("ParsePeriod(%q) = %v, %v", tt.want, back, err)
		}
	}
	for _, p := range []Period{{}, {1405, PeriodMonth, 13}, {1405, PeriodQuarter, 5}, {1405, "week", 1}, {1405, PeriodMonth, 0}} {
		if p.Valid() {
			t.Errorf("%#v.Valid() = true", p)
		}
		if p.LabelFa() != "" || p.LabelEn() != "" || !p.Start().IsZero() || !p.End().IsZero() || p.Contains(time.Now()) {
			t.Errorf("invalid period %#v has labels or bounds", p)
		}
		if _, err := ParsePeriod(p.String()); err == nil {
			t.Errorf("String() of invalid %#v parses: %q", p, p.String())
		}
	}
}

func TestPeriodBounds(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	tests := []struct {
		p          Period
		start, end time.Time
	}{
		// Tehran midnight is 20:30 UTC the day before.
		{Period{1405, PeriodMonth, 7}, utc(2026, 9, 22, 20, 30), utc(2026, 10, 22, 20, 30)},
		{Period{1405, PeriodMonth, 1}, utc(2026, 3, 20, 20, 30), utc(2026, 4, 20, 20, 30)},
		{Period{1403, PeriodMonth, 12}, utc(2025, 2, 18, 20, 30), utc(2025, 3, 20, 20, 30)}, // 30 days, leap
		{Period{1404, PeriodMonth, 12}, utc(2026, 2, 19, 20, 30), utc(2026, 3, 20, 20, 30)}, // 29 days
		{Period{1405, PeriodQuarter, 1}, utc(2026, 3, 20, 20, 30), utc(2026, 6, 21, 20, 30)},
		{Period{1405, PeriodQuarter, 3}, utc(2026, 9, 22, 20, 30), utc(2026, 12, 21, 20, 30)},
		{Period{1404, PeriodQuarter, 4}, utc(2025, 12, 21, 20, 30), utc(2026, 3, 20, 20, 30)},
	}
	for _, tt := range tests {
		t.Run(tt.p.String(), func(t *testing.T) {
			start, end := tt.p.Start(), tt.p.End()
			if !start.Equal(tt.start) || start.Location() != time.UTC {
				t.Errorf("Start() = %v, want %v in UTC", start, tt.start)
			}
			if !end.Equal(tt.end) {
				t.Errorf("End() = %v, want %v", end, tt.end)
			}
			if !tt.p.Contains(start) || tt.p.Contains(start.Add(-time.Nanosecond)) ||
				!tt.p.Contains(end.Add(-time.Nanosecond)) || tt.p.Contains(end) {
				t.Error("Contains is not [Start, End)")
			}
			if !tt.p.Next().Start().Equal(end) {
				t.Errorf("Next().Start() = %v, want End %v", tt.p.Next().Start(), end)
			}
		})
	}
}

func TestPeriodNextPrevious(t *testing.T) {
	tests := []struct{ p, next Period }{
		{Period{1405, PeriodMonth, 7}, Period{1405, PeriodMonth, 8}},
		{Period{1405, PeriodMonth, 12}, Period{1406, PeriodMonth, 1}},
		{Period{1405, PeriodQuarter, 3}, Period{1405, PeriodQuarter, 4}},
		{Period{1405, PeriodQuarter, 4}, Period{1406, PeriodQuarter, 1}},
	}
	for _, tt := range tests {
		if got := tt.p.Next(); got != tt.next {
			t.Errorf("%v.Next() = %v, want %v", tt.p, got, tt.next)
		}
		if got := tt.next.Previous(); got != tt.p {
			t.Errorf("%v.Previous() = %v, want %v", tt.next, got, tt.p)
		}
	}
}

// Walking month by month and quarter by quarter tiles time with no gap or
// overlap, and MonthOf/QuarterOf find the period of every instant.
func TestPeriodsTile(t *testing.T) {
	for _, first := range []Period{{1300, PeriodMonth, 1}, {1300, PeriodQuarter, 1}} {
		p := first
		for p.Year <= 1500 {
			start, end := p.Start(), p.End()
			if next := p.Next(); !next.Start().Equal(end) {
				t.Fatalf("%v ends %v, %v starts %v", p, end, next, next.Start())
			}
			if p.Next().Previous() != p {
				t.Fatalf("%v.Next().Previous() = %v", p, p.Next().Previous())
			}
			of := MonthOf
			if p.Kind == PeriodQuarter {
				of = QuarterOf
			}
			for _, at := range []time.Time{start, start.Add(36 * time.Hour), end.Add(-time.Nanosecond)} {
				if got := of(at); got != p {
					t.Fatalf("period of %v = %v, want %v", at, got, p)
				}
			}
			p = p.Next()
		}
	}
}

func TestMonthOfQuarterOf(t *testing.T) {
	tests := []struct {
		t          time.Time
		month, qtr string
	}{
		{time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), "1405-09", "1405-Q3"},
		{time.Date(2026, 9, 22, 20, 29, 0, 0, time.UTC), "1405-06", "1405-Q2"},
		{time.Date(2026, 9, 22, 20, 30, 0, 0, time.UTC), "1405-07", "1405-Q3"},
		{time.Date(2026, 3, 20, 20, 30, 0, 0, time.UTC), "1405-01", "1405-Q1"},
		{time.Date(2026, 3, 20, 20, 29, 59, 0, time.UTC), "1404-12", "1404-Q4"},
		{time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC), "1403-12", "1403-Q4"},
	}
	for _, tt := range tests {
		if got := MonthOf(tt.t).String(); got != tt.month {
			t.Errorf("MonthOf(%v) = %s, want %s", tt.t, got, tt.month)
		}
		if got := QuarterOf(tt.t).String(); got != tt.qtr {
			t.Errorf("QuarterOf(%v) = %s, want %s", tt.t, got, tt.qtr)
		}
	}
	if p := QuarterOf(time.Time{}); p.Valid() {
		t.Errorf("QuarterOf(zero) = %v, want invalid", p)
	}
}

func TestPeriodJSON(t *testing.T) {
	type req struct {
		Period Period `json:"period"`
	}
	b, err := json.Marshal(req{Period{1405, PeriodQuarter, 3}})
	if err != nil || string(b) != `{"period":"1405-Q3"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var r req
	if err := json.Unmarshal([]byte(`{"period":"۱۴۰۵-۰۷"}`), &r); err != nil || r.Period != (Period{1405, PeriodMonth, 7}) {
		t.Fatalf("Unmarshal = %v, %v", r.Period, err)
	}
	err = json.Unmarshal([]byte(`{"period":"1405-13"}`), &r)
	if !IsKind(err, KindInvalid) {
		t.Fatalf("Unmarshal of a bad period: %v", err)
	}
	if _, err := json.Marshal(req{}); err == nil {
		t.Fatal("Marshal of the zero period: no error")
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"1405-07", "1405-7", "1405-Q3", "1405-q3", "۱۴۰۵-۰۷", "1405-13", "", "3177-Q4", "1000-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			de, ok := AsError(err)
			if !ok || de.Code != "invalid_period" {
				t.Fatalf("error %v is not invalid_period", err)
			}
			return
		}
		if !p.Valid() {
			t.Fatalf("accepted invalid %#v from %q", p, s)
		}
		again, err := ParsePeriod(p.String())
		if err != nil || again != p {
			t.Fatalf("%q -> %#v -> %q -> %#v, %v", s, p, p.String(), again, err)
		}
		start, end := p.Start(), p.End()
		if start.IsZero() || !start.Before(end) || !p.Contains(start) || p.Contains(end) {
			t.Fatalf("%v: bounds %v %v", p, start, end)
		}
		if p.LabelFa() == "" || p.LabelEn() == "" {
			t.Fatalf("%v: empty label", p)
		}
		if prev := p.Previous(); prev.Valid() && !prev.End().Equal(start) {
			t.Fatalf("%v: previous ends %v, starts %v", p, prev.End(), start)
		}
	})
}
