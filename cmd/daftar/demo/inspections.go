package demo

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
	"github.com/daftar-ir/daftar/ranking/inspections"
)

// InspectionsReport sums up the demo inspections.
type InspectionsReport struct {
	Inspections int
	Actions     map[string]int // by state
	Assignments map[string]int // by state
}

// demoChecklistV2 adds a receipt to the default items: the version the
// last two months of demo inspections answer.
func checklistV2() inspections.Checklist {
	c := inspections.DefaultChecklist()
	c.Title = "بازرسی دوره‌ای دفاتر خدمات الکترونیک قضائی (ویرایش ۲)"
	c.Items = append(c.Items, inspections.Item{Code: "receipt_given", TitleFa: "برای هر وجه دریافتی رسید داده می‌شود", TitleEn: "A receipt is given for every fee", Severity: inspections.SeverityMajor})
	return c
}

// Inspections plans and records the demo's inspections over the last months,
// deterministically for a seed and a day: the riskiest offices of the
// worklist and some others inspected against the checklist (a second
// version published two months ago), owners answering their corrective
// actions, follow-up inspections confirming or reopening them, staff
// reviewing some by hand, and assignments in every state. It runs its own
// service on a clock it moves through the days, so every step carries the
// day it happened on. inspector is the demo inspector's account.
func Inspections(ctx context.Context, d *db.DB, al *audit.Log, src inspections.Sources, inspector daftar.Actor, now time.Time, seed uint64) (InspectionsReport, error) {
	rep := InspectionsReport{Actions: map[string]int{}, Assignments: map[string]int{}}
	clock := daftar.NewManualClock(now)
	svc, err := inspections.New(d, clock, al, daftar.OfficialWorkCalendar(), nil)
	if err != nil {
		return rep, err
	}
	p, err := inspections.NewPlanner(svc, src, inspections.RiskConfig{})
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
	if _, err := svc.PublishChecklist(sys, checklistV2()); err != nil {
		return rep, fmt.Errorf("demo checklist: %w", err)
	}
	lists, err := svc.Checklists(sys)
	if err != nil {
		return rep, err
	}
	byVersion := map[int]inspections.Checklist{}
	for _, c := range lists {
		byVersion[c.Version] = c
	}

	// Whom to inspect: the riskiest 120 of today's worklist and 60 others.
	clock.Set(now)
	all, _, err := p.Worklist(staff, inspections.WorklistFilter{Limit: 1 << 20})
	if err != nil {
		return rep, err
	}
	type pick struct {
		office inspections.Office
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
	answer := func(c inspections.Checklist, risky bool, before map[string]bool) []inspections.ResultInput {
		var out []inspections.ResultInput
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
			r := inspections.ResultPass
			switch n := rng.IntN(100); {
			case n < chance:
				r = inspections.ResultFail
			case n > 96 && it.Code == "data_handling":
				r = inspections.ResultNotApplicable
			}
			out = append(out, inspections.ResultInput{Item: it.Code, Result: r})
		}
		return out
	}
	record := func(office inspections.Office, day time.Time, in inspections.NewInspection) (inspections.Inspection, error) {
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
	owner := func(o inspections.Office) context.Context {
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
		in := inspections.NewInspection{Results: answer(c, pk.risky, nil), Notes: "بازرسی دوره‌ای بر پایه فهرست خطر"}
		if rng.IntN(100) < 10 {
			in.Violations = []inspections.Violation{{Code: "SIGN-BOARD", Severity: inspections.SeverityMinor, Description: "تابلوی مشخصات دفتر نصب نشده است"}}
		}
		first, err := record(o, d1, in)
		if err != nil {
			return rep, err
		}
		// The owner answers most actions within days.
		failed := map[string]bool{}
		for _, r := range first.Results {
			if r.Result == inspections.ResultFail {
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
			if _, err := svc.Act(owner(o), o.ID, id, inspections.DoDone, ownerNotes[(int(id)+k)%len(ownerNotes)]); err != nil {
				return rep, fmt.Errorf("demo action: %w", err)
			}
		}
		// A follow-up for most offices that failed something, planned
		// through an assignment that the inspection does.
		d2 := d1.AddDate(0, 0, 15+rng.IntN(30))
		if len(first.Actions.Opened) > 0 && d2.Before(today) && rng.IntN(100) < 65 {
			if followUps < 8 {
				clock.Set(at(d2.AddDate(0, 0, -10), 9))
				if _, err := p.Assign(staff, inspections.NewAssignment{OfficeID: o.ID, InspectorID: inspector.UserID, DueOn: daftar.TehranDate(d2.AddDate(0, 0, 2)),
					Reason: "بازرسی پیگیری اقدامات اصلاحی"}); err != nil {
					return rep, fmt.Errorf("demo assignment: %w", err)
				}
			}
			followUps++
			c2 := byVersion[1]
			if !d2.Before(v2day) {
				c2 = byVersion[2]
			}
			if _, err := record(o, d2, inspections.NewInspection{Results: answer(c2, pk.risky, failed), Notes: "بازرسی پیگیری"}); err != nil {
				return rep, err
			}
			continue
		}
		// Otherwise staff review some of what the owner says by hand.
		acts, _, err := svc.CorrectiveActions(staff, inspections.ActionFilter{OfficeID: o.ID, State: inspections.ActionDone})
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
				_, err = svc.Act(staff, o.ID, a.ID, inspections.DoConfirm, "با تصویر ارسالی تأیید شد")
			case n < 55:
				_, err = svc.Act(staff, o.ID, a.ID, inspections.DoReopen, "تصویر ارسالی اصلاح را نشان نمی‌دهد")
			}
			if err != nil {
				return rep, fmt.Errorf("demo review: %w", err)
			}
		}
	}

	// Assignments from today's worklist: open ones (three already late)
	// and a few cancelled.
	clock.Set(now)
	open, _, err := p.Worklist(staff, inspections.WorklistFilter{Unassigned: true, Limit: 14})
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
		a, err := p.Assign(staff, inspections.NewAssignment{OfficeID: it.Office.ID, InspectorID: inspector.UserID, DueOn: daftar.TehranDate(due), Reason: reason})
		if err != nil {
			return rep, fmt.Errorf("demo assignment: %w", err)
		}
		if i >= 10 {
			if _, err := p.ActOnAssignment(staff, a.ID, inspections.AssignmentCancel, "به دور بعدی بازرسی موکول شد"); err != nil {
				return rep, err
			}
		}
	}
	clock.Set(now)
	for _, st := range []string{inspections.ActionOpen, inspections.ActionDone, inspections.ActionConfirmed, inspections.ActionReopened} {
		_, n, err := svc.CorrectiveActions(staff, inspections.ActionFilter{State: st, Limit: 1})
		if err != nil {
			return rep, err
		}
		rep.Actions[st] = int(n)
	}
	for _, st := range []string{inspections.AssignmentAssigned, inspections.AssignmentDone, inspections.AssignmentCancelled} {
		_, n, err := p.Assignments(staff, inspections.AssignmentFilter{State: st, Limit: 1})
		if err != nil {
			return rep, err
		}
		rep.Assignments[st] = int(n)
	}
	return rep, nil
}

var inspectionReasonFa = map[string]string{inspections.ReasonUpheldComplaints: "شکایت وارد", inspections.ReasonOpenComplaints: "شکایت در جریان", inspections.ReasonExtraFee: "وجه اضافه",
	inspections.ReasonSurveyFlags: "پاسخ مشکوک", inspections.ReasonLowSatisfaction: "رضایت پایین", inspections.ReasonOverdueActions: "اقدام اصلاحی معوق",
	inspections.ReasonSinceInspection: "مدت از آخرین بازرسی"}

// reasonsFa names the two largest reasons in Persian.
func reasonsFa(rs []inspections.Reason) string {
	rs = append([]inspections.Reason(nil), rs...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Points > rs[j].Points })
	var names []string
	for i := 0; i < len(rs) && i < 2; i++ {
		names = append(names, inspectionReasonFa[rs[i].Code])
	}
	return strings.Join(names, "، ")
}
