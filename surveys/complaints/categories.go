package complaints

import (
	"time"

	"github.com/daftar-ir/daftar"
)

// Category is what a complaint is about.
type Category string

const (
	ExtraFee       Category = "extra_fee"       // charged more than the official fee
	RefusedService Category = "refused_service" // a service the office offers was refused
	Misconduct     Category = "misconduct"      // rudeness, pressure, irregular conduct
	Privacy        Category = "privacy"         // personal data mishandled
	Delay          Category = "delay"           // kept waiting, queue order not kept
	Other          Category = "other"
)

// CategoryRule is what a category sets: how long the case may take, in
// working days from the day after filing, and what the filing must carry.
type CategoryRule struct {
	Category Category
	NameFa   string
	NameEn   string
	// Answer is the deadline for a decision.
	Answer daftar.WorkingDays
	// NeedsAmount: the complaint is about money, so the amount paid is
	// required.
	NeedsAmount bool
}

// rulesByCategory: money and refused services are answered first, because
// the citizen is out of pocket or still without the service; misconduct and
// "other" need witnesses and take longest.
var categoryRules = []CategoryRule{
	{ExtraFee, "دریافت وجه اضافه", "Extra fee charged", 5 * daftar.WorkingDay, true},
	{RefusedService, "خودداری از ارائه خدمت", "Service refused", 3 * daftar.WorkingDay, false},
	{Misconduct, "رفتار نامناسب", "Misconduct", 10 * daftar.WorkingDay, false},
	{Privacy, "افشا یا سوءاستفاده از اطلاعات", "Personal data mishandled", 7 * daftar.WorkingDay, false},
	{Delay, "معطلی و رعایت نکردن نوبت", "Delay or queue not kept", 5 * daftar.WorkingDay, false},
	{Other, "سایر", "Other", 10 * daftar.WorkingDay, false},
}

// Categories returns the categories with their rules, in the order the form
// lists them.
func Categories() []CategoryRule { return append([]CategoryRule(nil), categoryRules...) }

// RuleOf returns the rule of category c.
func RuleOf(c Category) (CategoryRule, bool) {
	for _, r := range categoryRules {
		if r.Category == c {
			return r, true
		}
	}
	return CategoryRule{}, false
}

// Name returns the category's name in English when lang starts with "en",
// in Persian otherwise.
func (r CategoryRule) Name(lang string) string {
	if len(lang) >= 2 && lang[:2] == "en" {
		return r.NameEn
	}
	return r.NameFa
}

// DueAt is when a case of category c filed (or reopened) at t must be
// decided.
func (s *Service) DueAt(c Category, t time.Time) (time.Time, error) {
	r, ok := RuleOf(c)
	if !ok {
		return time.Time{}, daftar.Invalid("unknown_category", "unknown complaint category "+string(c))
	}
	return s.cal.Deadline(t, r.Answer)
}
