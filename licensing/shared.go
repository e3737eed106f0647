package licensing

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
)

// What rounds and licences share: their configuration and the small
// helpers both use.

// Config holds the licensing settings shared by rounds and licences.
type Config struct {
	// MinDistanceM is the least distance between a new office and every
	// active office, unless a round's policy says otherwise (default 500).
	MinDistanceM float64
	// ValidityYears is how long a licence is valid, and how much a renewal
	// adds (default 5).
	ValidityYears int
	// ExpiryWarning is how long before the end of its validity a licence is
	// flagged as expiring (default 90 days).
	ExpiryWarning time.Duration
}

func (c Config) withDefaults() Config {
	if c.MinDistanceM == 0 {
		c.MinDistanceM = 500
	}
	if c.ValidityYears == 0 {
		c.ValidityYears = 5
	}
	if c.ExpiryWarning == 0 {
		c.ExpiryWarning = 90 * 24 * time.Hour
	}
	return c
}

// actorName is who is recorded as having done a change.
func actorName(ctx context.Context) string {
	if a, ok := daftar.ActorFrom(ctx); ok {
		return a.Username
	}
	return "system"
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// checkReason normalises the reason an official gives for a change and
// checks its length.
func checkReason(reason string, required bool, fe *daftar.FieldErrors) string {
	reason = daftar.NormalizeText(reason)
	switch n := utf8.RuneCountInString(reason); {
	case n == 0 && required:
		fe.Add("reason", "required", "a reason is required")
	case n > 0 && n < 3:
		fe.Add("reason", "too_short", "must be at least 3 characters")
	case n > 1000:
		fe.Add("reason", "too_long", "must be at most 1000 characters")
	}
	return reason
}
