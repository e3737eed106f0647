package api

import (
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/gin-gonic/gin"
)

// span is a time range a report is asked for.
type span struct {
	From, To time.Time // [From, To)
	Period   string    // "1405-08" when asked by period
}

// spanOf reads ?period=1405-08 (or 1405-Q3), or ?from=&to= as ISO dates
// (2026-10-23) or Jalali dates (1405/08/01, Persian digits accepted; to is
// inclusive of its day). Without either it is the current Jalali month.
func spanOf(c *gin.Context, now time.Time, fe *daftar.FieldErrors) span {
	p, from, to := c.Query("period"), c.Query("from"), c.Query("to")
	switch {
	case p != "" && (from != "" || to != ""):
		fe.Add("period", "conflict", "give either period or from/to, not both")
	case p != "":
		per, err := daftar.ParsePeriod(p)
		if err != nil {
			fe.Add("period", "invalid", "must be a Jalali month like 1405-08 or a quarter like 1405-Q3")
			return span{}
		}
		return span{From: per.Start(), To: per.End(), Period: per.String()}
	case from != "" || to != "":
		f, okF := parseDay(from)
		t, okT := parseDay(to)
		if !okF {
			fe.Add("from", "invalid", "must be a date like 2026-10-23 or 1405/08/01")
		}
		if !okT {
			fe.Add("to", "invalid", "must be a date like 2026-11-21 or 1405/08/30")
		}
		if okF && okT {
			t = t.AddDate(0, 0, 1)
			if !t.After(f) {
				fe.Add("to", "before_from", "must not be before from")
			} else if t.Sub(f) > 3*366*24*time.Hour {
				fe.Add("to", "too_long", "a range spans at most three years")
			}
		}
		return span{From: f, To: t}
	}
	per := daftar.MonthOf(now)
	return span{From: per.Start(), To: per.End(), Period: per.String()}
}

// parseDay reads one day, ISO or Jalali, as Tehran midnight.
func parseDay(s string) (time.Time, bool) {
	t, err := daftar.ParseDate(s)
	return t, err == nil
}
