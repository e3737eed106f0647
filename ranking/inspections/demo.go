package inspections

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
)

// DemoReport sums up the demo inspections.
type DemoReport struct {
	Inspections int
	Actions     map[string]int // by state
	Assignments map[string]int // by state
}

// demoChecklistV2 adds a receipt to the default items: the version the
// last two months of demo inspections answer.
func demoChecklistV2() Checklist {
	c := DefaultChecklist()
	c.Title = "بازرسی دوره‌ای دفاتر خدمات الکترونیک قضائی (ویرایش ۲)"
	c.Items = append(c.Items, Item{Code: "receipt_given", TitleFa: "برای هر وجه دریافتی رسید داده می‌شود", TitleEn: "A receipt is given for every fee", Severity: SeverityMajor})
	return c
}

// SeedDemo plans and records the demo's inspections over the last months,
// deterministically for a seed and a day: the riskiest offices of the
// worklist and some others inspected against the checklist (a second
// version published two months ago), owners answering their corrective
// actions, follow-up inspections confirming or reopening them, staff
// reviewing some by hand, and assignments in every state. It runs its own
// service on a clock it moves through the days, so every step carries the
// day it happened on. inspector is the demo inspector's account.
func SeedDemo(ctx context.Context, d *db.DB, al *audit.Log, src Sources, inspector daftar.Actor, now time.Time, seed uint64) (DemoReport, error) {
	rep := DemoReport{Actions: map[string]int{}, Assignments: map[string]int{}}
	clock := daftar.NewManualClock(now)
	svc := New(d, clock, al, nil)
	p, err := NewPlanner(svc, src, RiskConfig{})
	if err != nil {
		return rep, err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x1a))
	tehran := daftar.Tehran()
	today := now.In(tehran)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, tehran)
	at := func(day time.Time, hour int) time.Time { return day.Add(time.Duration(hour) * time.Hour) }
	staff := daftar.WithActor(ctx, inspector)
	sys := daftar.WithActor(ctx, daftar.SystemActor("demo"))

	v2day := today.AddDate(0, 0, -60)
	clock.Set(at(v2day, 9))
	if _, err := svc.PublishChecklist(sys, demoChecklistV2()); err != nil {
		return rep, fmt.Errorf("demo checklist: %w", err)
	}
	lists, err := svc.Checklists(sys)
	if err != nil {
		return rep, err
	}
	byVersion := map[int]Checklist{}
	for _, c := range lists {
		byVersion[c.Version] = c
	}

	// Whom to inspect: the riskiest 120 of today's worklist and 60 others.
	clock.Set(now)
	all, _, err := p.Worklist(staff, WorklistFilter{Limit: 1 << 20})
	if err != nil {
		return rep, err
	}
	type pick struct {
		office Office
		risky  bool
	}
	var picks []pick
	for i, it := range all {
		switch {
		case i < 120:
			picks = append(picks, pick{it.Office, true})
		case rng.IntN(100) < 6:
			picks = append(picks, pick{it.Office, false})
		}
	}
	answer := func(c Checklist, risky bool, before map[string]bool) []ResultInput {
		var out []ResultInput
		for _, it := range c.Items {
			chance := 6
			if risky {
				chance = 18
				if it.Code == "fees_match" || it.Code == "tariff_posted" {
					chance = 35
				}
			}
			if before != nil { // a follow-up: most failures were fixed
				chance = 4
				if before[it.Code] {
					chance = 35
				}
			}
			r := ResultPass
			switch n := rng.IntN(100); {
			case n < chance:
				r = ResultFail
			case n > 96 && it.Code == "data_handling":
				r = ResultNotApplicable
			}
			out = append(out, ResultInput{Item: it.Code, Result: r})
		}
		return out
	}
	record := func(office Office, day time.Time, in NewInspection) (Inspection, error) {
		clock.Set(at(day, 10+rng.IntN(5)))
		in.InspectedOn = daftar.TehranDate(day)
		if day.Before(v2day) {
			in.ChecklistVersion = 1
		} else {
			in.ChecklistVersion = 2
		}
		insp, err := svc.RecordInspection(staff, office.ID, in)
		if err != nil {
			return insp, fmt.Errorf("demo inspection of %s: %w", office.Code, err)
		}
		rep.Inspections++
		return insp, nil
	}
	owner := func(o Office) context.Context {
		return daftar.WithActor(ctx, daftar.Actor{Username: "owner-" + strings.ToLower(o.Code), Role: daftar.RoleOfficeOwner, OfficeID: o.ID})
	}
	ownerNotes := []string{"تعرفه رسمی در ورودی دفتر نصب شد", "مبلغ اضافه به مراجع بازگردانده شد و صندوق کنترل می‌شود",
		"سامانه نوبت‌دهی راه‌اندازی شد", "کارت شناسایی برای همه کارکنان صادر شد", "ساعات کاری روی تابلو اصلاح شد",
		"بایگانی مدارک قفل‌دار شد و امحای اسناد ثبت می‌شود", "دفترچه رسید چاپ شد"}
	followUps := 0
	for _, pk := range picks {
		o := pk.office
		d1 := today.AddDate(0, 0, -(12 + rng.IntN(160)))
		c := byVersion[1]
		if !d1.Before(v2day) {
			c = byVersion[2]
		}
		in := NewInspection{Results: answer(c, pk.risky, nil), Notes: "بازرسی دوره‌ای بر پایه فهرست خطر"}
		if rng.IntN(100) < 10 {
			in.Violations = []Violation{{Code: "SIGN-BOARD", Severity: SeverityMinor, Description: "تابلوی مشخصات دفتر نصب نشده است"}}
		}
		first, err := record(o, d1, in)
		if err != nil {
			return rep, err
		}
		// The owner answers most actions within days.
		failed := map[string]bool{}
		for _, r := range first.Results {
			if r.Result == ResultFail {
				failed[r.Item] = true
			}
		}
		for k, id := range first.Actions.Opened {
			if rng.IntN(100) >= 60 {
				continue
			}
			day := d1.AddDate(0, 0, 2+rng.IntN(12))
			if !day.Before(today) {
				continue
			}
			clock.Set(at(day, 11))
			if _, err := svc.Act(owner(o), o.ID, id, DoDone, ownerNotes[(int(id)+k)%len(ownerNotes)]); err != nil {
				return rep, fmt.Errorf("demo action: %w", err)
			}
		}
		// A follow-up for most offices that failed something, planned
		// through an assignment that the inspection does.
		d2 := d1.AddDate(0, 0, 15+rng.IntN(30))
		if len(first.Actions.Opened) > 0 && d2.Before(today) && rng.IntN(100) < 65 {
			if followUps < 8 {
				clock.Set(at(d2.AddDate(0, 0, -10), 9))
				if _, err := p.Assign(staff, NewAssignment{OfficeID: o.ID, InspectorID: inspector.UserID, DueOn: daftar.TehranDate(d2.AddDate(0, 0, 2)),
					Reason: "بازرسی پیگیری اقدامات اصلاحی"}); err != nil {
					return rep, fmt.Errorf("demo assignment: %w", err)
				}
			}
			followUps++
			c2 := byVersion[1]
			if !d2.Before(v2day) {
				c2 = byVersion[2]
			}
			if _, err := record(o, d2, NewInspection{Results: answer(c2, pk.risky, failed), Notes: "بازرسی پیگیری"}); err != nil {
				return rep, err
			}
			continue
		}
		// Otherwise staff review some of what the owner says by hand.
		acts, _, err := svc.CorrectiveActions(staff, ActionFilter{OfficeID: o.ID, State: ActionDone})
		if err != nil {
			return rep, err
		}
		for _, a := range acts {
			day := a.DoneAt.In(tehran).AddDate(0, 0, 3)
			if !day.Before(today) {
				continue
			}
			clock.Set(at(day, 12))
			switch n := rng.IntN(100); {
			case n < 40:
				_, err = svc.Act(staff, o.ID, a.ID, DoConfirm, "با تصویر ارسالی تأیید شد")
			case n < 55:
				_, err = svc.Act(staff, o.ID, a.ID, DoReopen, "تصویر ارسالی اصلاح را نشان نمی‌دهد")
			}
			if err != nil {
				return rep, fmt.Errorf("demo review: %w", err)
			}
		}
	}

	// Assignments from today's worklist: open ones (three already late)
	// and a few cancelled.
	clock.Set(now)
	open, _, err := p.Worklist(staff, WorklistFilter{Unassigned: true, Limit: 14})
	if err != nil {
		return rep, err
	}
	for i, it := range open {
		due := today.AddDate(0, 0, 3+rng.IntN(20))
		clock.Set(now)
		if i < 3 {
			clock.Set(at(today.AddDate(0, 0, -25), 9))
			due = today.AddDate(0, 0, -4-i)
		}
		reason := "امتیاز خطر بالا: " + reasonsFa(it.Reasons)
		a, err := p.Assign(staff, NewAssignment{OfficeID: it.Office.ID, InspectorID: inspector.UserID, DueOn: daftar.TehranDate(due), Reason: reason})
		if err != nil {
			return rep, fmt.Errorf("demo assignment: %w", err)
		}
		if i >= 10 {
			if _, err := p.ActOnAssignment(staff, a.ID, AssignmentCancel, "به دور بعدی بازرسی موکول شد"); err != nil {
				return rep, err
			}
		}
	}
	clock.Set(now)
	for _, st := range []string{ActionOpen, ActionDone, ActionConfirmed, ActionReopened} {
		_, n, err := svc.CorrectiveActions(staff, ActionFilter{State: st, Limit: 1})
		if err != nil {
			return rep, err
		}
		rep.Actions[st] = int(n)
	}
	for _, st := range []string{AssignmentAssigned, AssignmentDone, AssignmentCancelled} {
		_, n, err := p.Assignments(staff, AssignmentFilter{State: st, Limit: 1})
		if err != nil {
			return rep, err
		}
		rep.Assignments[st] = int(n)
	}
	return rep, nil
}

var reasonFa = map[string]string{ReasonUpheldComplaints: "شکایت وارد", ReasonOpenComplaints: "شکایت در جریان", ReasonExtraFee: "وجه اضافه",
	ReasonSurveyFlags: "پاسخ مشکوک", ReasonLowSatisfaction: "رضایت پایین", ReasonOverdueActions: "اقدام اصلاحی معوق",
	ReasonSinceInspection: "مدت از آخرین بازرسی"}

// reasonsFa names the two largest reasons in Persian.
func reasonsFa(rs []Reason) string {
	rs = append([]Reason(nil), rs...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Points > rs[j].Points })
	var names []string
	for i := 0; i < len(rs) && i < 2; i++ {
		names = append(names, reasonFa[rs[i].Code])
	}
	return strings.Join(names, "، ")
}
