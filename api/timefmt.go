package api

import (
	"time"

	"github.com/daftar-ir/daftar"
)

// Times go out as RFC 3339 UTC in a field like created_at, with the Jalali
// rendering in Tehran time beside it in created_at_jalali.

func utc(t time.Time) time.Time { return t.UTC() }

func jalali(t time.Time) string { return daftar.FormatJalaliDateTime(t) }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func jalaliPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	j := jalali(*t)
	return &j
}
