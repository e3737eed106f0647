package daftar

import (
	"strings"
	"time"
)

// ParseDate reads a calendar day typed either way people write it here:
// ISO (2026-11-21) or Jalali (1405/08/30, 1405-08-30), Persian digits
// accepted. It returns midnight of that day in Tehran.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(NormalizeDigits(s))
	// Years tell the calendars apart: ISO years from 1900, Jalali years
	// 1200-1599 (Gregorian 1821-2221).
	if t, err := time.ParseInLocation("2006-01-02", s, Tehran()); err == nil && t.Year() >= 1900 {
		return t, nil
	}
	if d, err := ParseJalaliDate(s); err == nil && d.Year >= 1200 && d.Year < 1600 {
		if t, err := d.Time(); err == nil {
			return t, nil
		}
	}
	return time.Time{}, Invalid("invalid_date", "a date must look like 2026-11-21 or 1405/08/30")
}
