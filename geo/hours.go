package geo

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
)

// dayKeys are the weekdays in Iranian order, Saturday first, as they appear
// in opening hours.
var dayKeys = [7]string{"sat", "sun", "mon", "tue", "wed", "thu", "fri"}

// DayKey returns the key of a Go weekday ("sat" for time.Saturday, ...).
func DayKey(w time.Weekday) string { return dayKeys[(int(w)+1)%7] }

// Span is one opening span in minutes after midnight, Tehran time.
type Span struct{ Open, Close int }

func (s Span) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", s.Open/60, s.Open%60, s.Close/60, s.Close%60)
}

// OpeningHours holds each weekday's spans, Saturday first. On the wire it is
// {"sat": ["08:00-13:00", "16:00-19:00"], ..., "fri": []}.
type OpeningHours [7][]Span

// DefaultOpeningHours is the usual pattern of the offices: Saturday to
// Wednesday mornings and afternoons, Thursday mornings, Friday closed.
func DefaultOpeningHours() OpeningHours {
	var h OpeningHours
	for d := 0; d < 5; d++ {
		h[d] = []Span{{7*60 + 30, 13*60 + 30}, {15 * 60, 18 * 60}}
	}
	h[5] = []Span{{7*60 + 30, 12*60 + 30}}
	return h
}

// MarshalJSON writes the map form, days in Iranian order (Saturday first).
func (h OpeningHours) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for d, spans := range h {
		if d > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + dayKeys[d] + `":[`)
		for i, s := range spans {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + s.String() + `"`)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// UnmarshalJSON reads the map form; ParseOpeningHours gives field errors.
func (h *OpeningHours) UnmarshalJSON(b []byte) error {
	var m map[string][]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	parsed, fe := ParseOpeningHours(m)
	if len(fe) > 0 {
		return fmt.Errorf("%s: %s", fe[0].Field, fe[0].Message)
	}
	*h = parsed
	return nil
}

// ParseOpeningHours checks and converts the wire form. Spans must be
// HH:MM-HH:MM within one day, in order, not overlapping; Persian digits are
// accepted.
func ParseOpeningHours(m map[string][]string) (OpeningHours, daftar.FieldErrors) {
	var h OpeningHours
	var fe daftar.FieldErrors
	index := map[string]int{}
	for i, k := range dayKeys {
		index[k] = i
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d, ok := index[strings.ToLower(k)]
		field := "opening_hours." + k
		if !ok {
			fe.Add(field, "unknown_day", "days are sat, sun, mon, tue, wed, thu, fri")
			continue
		}
		if len(m[k]) > 4 {
			fe.Add(field, "too_many", "at most 4 spans a day")
			continue
		}
		for i, raw := range m[k] {
			s, err := parseSpan(raw)
			if err != "" {
				fe.Add(fmt.Sprintf("%s[%d]", field, i), "invalid", err)
				continue
			}
			if n := len(h[d]); n > 0 && s.Open < h[d][n-1].Close {
				fe.Add(fmt.Sprintf("%s[%d]", field, i), "overlap", "spans must be in order and not overlap")
				continue
			}
			h[d] = append(h[d], s)
		}
	}
	return h, fe
}

func parseSpan(raw string) (Span, string) {
	raw = strings.ReplaceAll(daftar.NormalizeDigits(raw), " ", "")
	parts := strings.Split(raw, "-")
	if len(parts) != 2 {
		return Span{}, "must look like 08:00-13:00"
	}
	open, ok1 := parseClock(parts[0])
	closing, ok2 := parseClock(parts[1])
	if !ok1 || !ok2 {
		return Span{}, "must look like 08:00-13:00"
	}
	if closing <= open {
		return Span{}, "must close after it opens, on the same day"
	}
	return Span{open, closing}, ""
}

func parseClock(s string) (int, bool) {
	var hh, mm int
	if len(s) < 4 || len(s) > 5 {
		return 0, false
	}
	if _, err := fmt.Sscanf(s, "%d:%d", &hh, &mm); err != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, false
	}
	if !strings.Contains(s, ":") || len(s[strings.Index(s, ":")+1:]) != 2 {
		return 0, false
	}
	return hh*60 + mm, true
}

// IsOpen reports whether the office is open at t.
func (h OpeningHours) IsOpen(t time.Time) bool {
	local := t.In(daftar.Tehran())
	minute := local.Hour()*60 + local.Minute()
	for _, s := range h[(int(local.Weekday())+1)%7] {
		if minute >= s.Open && minute < s.Close {
			return true
		}
	}
	return false
}

// Day returns the spans of a Go weekday.
func (h OpeningHours) Day(w time.Weekday) []Span { return h[(int(w)+1)%7] }

// WeeklyMinutes is the number of open minutes in a week.
func (h OpeningHours) WeeklyMinutes() int {
	n := 0
	for _, d := range h {
		for _, s := range d {
			n += s.Close - s.Open
		}
	}
	return n
}
