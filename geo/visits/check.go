package visits

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
)

// visitRules validates visits against one moment and one office.
type visitRules struct {
	now, skew, maxAge, maxDur int64 // seconds; maxAge < 0: none
	cat                       *geo.Catalogue
}

// rules are the checks of a batch; an office owner's arrivals may be at
// most OwnerMaxAge old, staff's MaxAge.
func (v *Service) rules(ctx context.Context) visitRules {
	maxAge := v.cfg.MaxAge
	if a, ok := daftar.ActorFrom(ctx); ok && a.Role == daftar.RoleOfficeOwner && (maxAge < 0 || v.cfg.OwnerMaxAge < maxAge) {
		maxAge = v.cfg.OwnerMaxAge
	}
	r := visitRules{now: v.clock.Now().Unix(), skew: int64(v.cfg.Skew / time.Second),
		maxAge: int64(maxAge / time.Second), maxDur: int64(v.cfg.MaxDuration / time.Second), cat: v.cat}
	if maxAge < 0 {
		r.maxAge = -1
	}
	return r
}

// NormalizeTicket is the canonical form of a ticket reference: digits made
// ASCII, spaces around removed.
func NormalizeTicket(s string) string { return strings.TrimSpace(daftar.NormalizeDigits(s)) }

// ParseVisitTime reads a visit time: RFC 3339 with a zone
// ("2026-11-22T09:30:00+03:30", "...Z"), or a date and time without a zone
// ("2026-11-22 09:30" or with seconds, also with a T), read as Tehran time.
// Persian and Arabic-Indic digits are accepted; fractions of a second are
// dropped.
func ParseVisitTime(s string) (int64, bool) {
	s = strings.TrimSpace(daftar.NormalizeDigits(s))
	if s == "" {
		return 0, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.Unix(), true
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, daftar.Tehran()); err == nil {
			return t.Unix(), true
		}
	}
	return 0, false
}

// NormalizeMobile reads an Iranian mobile number (09121234567,
// +98 912 123 4567, 00989121234567, 9121234567, Persian digits) and returns
// it as 09XXXXXXXXX.
func NormalizeMobile(s string) (string, bool) {
	s = daftar.NormalizeDigits(s)
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')':
		case r == '+' && i == 0:
		default:
			return "", false
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "0098"):
		d = "0" + d[4:]
	case strings.HasPrefix(d, "98") && len(d) == 12:
		d = "0" + d[2:]
	case strings.HasPrefix(d, "9") && len(d) == 10:
		d = "0" + d
	}
	if len(d) != 11 || !strings.HasPrefix(d, "09") {
		return "", false
	}
	return d, true
}

func validTicket(t string) string {
	if t == "" {
		return "is required"
	}
	if utf8.RuneCountInString(t) > 64 {
		return "must be at most 64 characters"
	}
	for _, r := range t {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			return "must have no spaces or control characters"
		}
	}
	return ""
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

// check validates one visit for the office; the visit is returned with its
// fields normalised.
func (r *visitRules) check(in Input, off *offices.Serving) (Visit, daftar.FieldErrors) {
	fe := append(daftar.FieldErrors(nil), in.Problems...)
	v := Visit{OfficeID: off.ID, RecordedAt: r.now}
	v.Ticket = NormalizeTicket(in.Ticket)
	if len(in.Problems) > 0 {
		return v, fe
	}
	if msg := validTicket(v.Ticket); msg != "" {
		code := "invalid"
		if v.Ticket == "" {
			code = "required"
		}
		fe.Add("ticket", code, msg)
	}
	v.Service = strings.TrimSpace(in.Service)
	switch {
	case v.Service == "":
		fe.Add("service", "required", "is required")
	case r.cat != nil:
		if _, ok := r.cat.Get(v.Service); !ok {
			fe.Add("service", "unknown", fmt.Sprintf("%q is not a service code of the catalogue", truncate(v.Service, 40)))
		} else if !off.Services[v.Service] {
			fe.Add("service", "not_offered", fmt.Sprintf("the office does not offer %s", v.Service))
		}
	}
	timeField := func(name, raw string, required bool) int64 {
		if strings.TrimSpace(raw) == "" {
			if required {
				fe.Add(name, "required", "is required")
			}
			return 0
		}
		t, ok := ParseVisitTime(raw)
		if !ok {
			fe.Add(name, "invalid", "must be an RFC 3339 time such as 2026-11-22T09:30:00+03:30 (or 2026-11-22 09:30 in Tehran time)")
			return 0
		}
		if t > r.now+r.skew {
			fe.Add(name, "in_future", "lies in the future")
			return 0
		}
		if t <= 0 {
			fe.Add(name, "invalid", "is before 1970")
			return 0
		}
		return t
	}
	v.Arrived = timeField("arrived_at", in.ArrivedAt, true)
	if v.Arrived > 0 && r.maxAge >= 0 && v.Arrived < r.now-r.maxAge {
		fe.Add("arrived_at", "too_old", fmt.Sprintf("is more than %d days ago", r.maxAge/86400))
	}
	v.Outcome = strings.TrimSpace(in.Outcome)
	seen := v.Outcome == OutcomeServed || v.Outcome == OutcomeReferred
	switch {
	case v.Outcome == "":
		fe.Add("outcome", "required", "is required")
	case !contains(Outcomes, v.Outcome):
		fe.Add("outcome", "invalid", "must be served, no_show, cancelled or referred")
	}
	v.Called = timeField("called_at", in.CalledAt, seen)
	v.Finished = timeField("finished_at", in.FinishedAt, seen)
	if v.Arrived > 0 && v.Called > 0 && v.Called < v.Arrived {
		fe.Add("called_at", "before_arrival", "is before arrived_at")
	}
	if v.Finished > 0 {
		switch {
		case v.Called > 0 && v.Finished < v.Called:
			fe.Add("finished_at", "before_call", "is before called_at")
		case v.Arrived > 0 && v.Finished < v.Arrived:
			fe.Add("finished_at", "before_arrival", "is before arrived_at")
		case v.Arrived > 0 && v.Finished-v.Arrived > r.maxDur:
			fe.Add("finished_at", "too_long", fmt.Sprintf("the visit lasts more than %d hours", r.maxDur/3600))
		}
	}
	if v.Called > 0 && v.Arrived > 0 && v.Finished == 0 && v.Called-v.Arrived > r.maxDur {
		fe.Add("called_at", "too_long", fmt.Sprintf("the wait lasts more than %d hours", r.maxDur/3600))
	}
	if c := strings.TrimSpace(daftar.NormalizeDigits(in.Counter)); c != "" {
		n, err := daftar.ParseInt(c)
		switch {
		case err != nil:
			fe.Add("counter", "invalid", "must be a whole number")
		case n < 1 || n > int64(off.Counters):
			fe.Add("counter", "out_of_range", fmt.Sprintf("must be between 1 and %d, the office's counters", off.Counters))
		default:
			v.Counter = int(n)
		}
	} else if seen {
		fe.Add("counter", "required", "is required for a served or referred visit")
	}
	v.Channel = strings.TrimSpace(in.Channel)
	if v.Channel == "" {
		v.Channel = ChannelWalkIn
	} else if !contains(Channels, v.Channel) {
		fe.Add("channel", "invalid", "must be walk_in or appointment")
	}
	if m := strings.TrimSpace(in.Mobile); m != "" {
		if norm, ok := NormalizeMobile(m); ok {
			v.Mobile = norm
		} else {
			fe.Add("mobile", "invalid", "must be an Iranian mobile number such as 09121234567")
		}
	}
	return v, fe
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func reasonOf(fe daftar.FieldErrors) string {
	parts := make([]string, len(fe))
	for i, f := range fe {
		parts[i] = f.Field + " " + f.Message
	}
	return strings.Join(parts, "; ")
}
