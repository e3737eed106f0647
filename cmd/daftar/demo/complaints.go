package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/geo/offices"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/surveys/complaints"
)

// Demo complaints: a few hundred over the demo's days, many more where the
// demo survey answers often report an extra fee (extraFeeOffice), in every
// state a case can be in. Each is filed and moved through the service's
// own File and Act, on a clock the generator sets to the moment of each
// step, so the history (deadlines, events, audit) is what it would have
// been; overdue cases are then escalated as of now. Deterministic for a
// seed but for the tracking codes, which are random by design.

// ComplaintOptions tunes the demo complaints.
type ComplaintOptions struct {
	Seed  uint64
	Days  int // how far back filings go (default 60)
	Count int // how many (default 360)
	// Inspectors are the accounts cases are assigned to (at least one).
	Inspectors []int64
}

// ComplaintsReport sums up what was written.
type ComplaintsReport struct {
	Filed     int
	ByState   map[complaints.State]int
	Escalated int
}

// complaintTexts are what citizens write, by category.
var complaintTexts = map[complaints.Category][]string{
	complaints.ExtraFee: {"برای %s بیش از تعرفه از من پول گرفتند و رسید ندادند.", "بابت %s مبلغی اضافه با عنوان «هزینه خدمات» دریافت شد.",
		"تعرفه روی تابلو نبود و برای %s بیشتر از مبلغ رسمی پرداخت کردم."},
	complaints.RefusedService: {"گفتند امروز %s انجام نمی‌شود و مرا به دفتر دیگری فرستادند.", "با وجود نوبت، از ارائه %s خودداری کردند."},
	complaints.Misconduct:     {"کارمند باجه هنگام %s با من بی‌احترامی کرد.", "برای تسریع در %s پیشنهاد پرداخت غیررسمی شد."},
	complaints.Privacy:        {"مدارکم را هنگام %s جلوی دیگران بلند خواندند.", "از من خواستند برای %s رمز حساب کاربری‌ام را بگویم."},
	complaints.Delay:          {"بیش از دو ساعت برای %s منتظر ماندم و نوبت رعایت نشد.", "چند نفر بدون نوبت برای %s جلو افتادند."},
	complaints.Other:          {"سامانه هنگام %s بارها قطع شد و کسی راهنمایی نکرد.", "برای %s ساعت کاری اعلام‌شده رعایت نشد."},
}

// categoryWeights: at offices with many extra-fee reports most complaints
// are about money; elsewhere waiting leads.
var (
	feeOfficeCategories = []weighted{{string(complaints.ExtraFee), 70}, {string(complaints.Misconduct), 10},
		{string(complaints.Delay), 10}, {string(complaints.RefusedService), 5}, {string(complaints.Other), 5}}
	otherCategories = []weighted{{string(complaints.Delay), 30}, {string(complaints.ExtraFee), 15},
		{string(complaints.RefusedService), 15}, {string(complaints.Misconduct), 15}, {string(complaints.Privacy), 5},
		{string(complaints.Other), 20}}
)

type weighted struct {
	value  string
	weight int
}

func pick(rng *rand.Rand, list []weighted) string {
	total := 0
	for _, w := range list {
		total += w.weight
	}
	n := rng.IntN(total)
	for _, w := range list {
		if n < w.weight {
			return w.value
		}
		n -= w.weight
	}
	return list[len(list)-1].value
}

// plannedStep is one step of one demo case at a moment.
type plannedStep struct {
	at     time.Time
	caseNo int
	order  int // keeps one case's steps in order when times tie; -2 files it
	in     complaints.ActionInput
	actor  daftar.Actor
}

// Complaints files and follows the demo complaints. d is the service's
// dependencies but for the clock (and the audit log's), which the
// generator keeps.
func Complaints(ctx context.Context, d complaints.Deps, register *offices.Register, cat *geo.Catalogue, now time.Time,
	opt ComplaintOptions) (ComplaintsReport, error) {
	if opt.Days <= 0 {
		opt.Days = 60
	}
	if opt.Count <= 0 {
		opt.Count = 360
	}
	if len(opt.Inspectors) == 0 {
		return ComplaintsReport{}, fmt.Errorf("demo complaints: no inspector to assign cases to")
	}
	clock := daftar.NewManualClock(now)
	d.Clock, d.Audit = clock, audit.New(d.DB, clock)
	svc, err := complaints.New(d, complaints.Config{})
	if err != nil {
		return ComplaintsReport{}, err
	}
	all, err := register.All(ctx)
	if err != nil {
		return ComplaintsReport{}, err
	}
	var active []offices.Office
	weights := make([]int, 0, len(all))
	total := 0
	for _, o := range all {
		if o.Status != offices.Active {
			continue
		}
		w := 1
		if extraFeeOffice(opt.Seed, o.ID) {
			w = 25
		}
		active = append(active, o)
		weights = append(weights, w)
		total += w
	}
	if len(active) == 0 {
		return ComplaintsReport{}, nil
	}
	rng := rand.New(rand.NewPCG(opt.Seed, opt.Seed^0xc0a1))
	staff := daftar.SystemActor("demo")
	type planned struct {
		office offices.Office
		filing complaints.Filing
		at     time.Time
	}
	cases := make([]planned, opt.Count)
	var steps []plannedStep
	span := time.Duration(opt.Days) * 24 * time.Hour
	for i := range cases {
		n := rng.IntN(total)
		k := 0
		for n >= weights[k] {
			n -= weights[k]
			k++
		}
		o := active[k]
		list := otherCategories
		if weights[k] > 1 {
			list = feeOfficeCategories
		}
		c := complaints.Category(pick(rng, list))
		f := complaints.Filing{OfficeID: o.ID, Category: string(c)}
		svcName := "خدمت"
		if len(o.Services) > 0 {
			code := o.Services[rng.IntN(len(o.Services))]
			f.Service = code
			if s, ok := cat.Get(code); ok {
				svcName = s.NameFa
				if c == complaints.ExtraFee {
					extra := int64(1+rng.IntN(20)) * 50_000
					f.AmountPaid = fmt.Sprint(s.FeeRials + extra)
				}
			}
		}
		if c == complaints.ExtraFee && f.AmountPaid == "" {
			f.AmountPaid = fmt.Sprint(int64(2+rng.IntN(10)) * 100_000)
		}
		texts := complaintTexts[c]
		f.Description = fmt.Sprintf(texts[rng.IntN(len(texts))], svcName)
		if rng.IntN(4) == 0 {
			f.Mobile = fmt.Sprintf("0912%07d", rng.IntN(10_000_000))
		}
		// The first cases are old and go to each state in turn, so every
		// state is in the demo; the others take what their age allows.
		at := now.Add(-time.Duration(rng.Int64N(int64(span))))
		target := complaints.State("")
		if i < len(complaints.States) {
			at = now.Add(-span + time.Duration(i)*time.Hour)
			target = complaints.States[i]
		}
		cases[i] = planned{office: o, filing: f, at: at}
		steps = append(steps, caseSteps(rng, i, o, at, now, target, opt.Inspectors, extraFeeOffice(opt.Seed, o.ID), staff)...)
	}
	// One timeline: each filing, then each step, at its moment.
	for i, c := range cases {
		steps = append(steps, plannedStep{at: c.at, caseNo: i, order: -2})
	}
	sort.SliceStable(steps, func(a, b int) bool {
		if !steps[a].at.Equal(steps[b].at) {
			return steps[a].at.Before(steps[b].at)
		}
		return steps[a].caseNo < steps[b].caseNo || steps[a].caseNo == steps[b].caseNo && steps[a].order < steps[b].order
	})
	ids := make([]int64, len(cases))
	for _, st := range steps {
		clock.Set(st.at)
		if st.order == -2 {
			r, err := svc.File(ctx, cases[st.caseNo].filing)
			if err != nil {
				return ComplaintsReport{}, fmt.Errorf("demo complaint %d: %w", st.caseNo, err)
			}
			ids[st.caseNo] = r.ID
			continue
		}
		if _, err := svc.Act(daftar.WithActor(ctx, st.actor), ids[st.caseNo], st.in); err != nil {
			return ComplaintsReport{}, fmt.Errorf("demo complaint %d, %s: %w", st.caseNo, st.in.Action, err)
		}
	}
	clock.Set(now)
	rep := ComplaintsReport{Filed: len(cases), ByState: map[complaints.State]int{}}
	if rep.Escalated, err = svc.Escalate(ctx); err != nil {
		return ComplaintsReport{}, err
	}
	staffCtx := daftar.WithActor(ctx, staff)
	for _, s := range complaints.States {
		_, n, err := svc.List(staffCtx, complaints.Filter{State: s, PageSize: 1})
		if err != nil {
			return ComplaintsReport{}, err
		}
		rep.ByState[s] = int(n)
	}
	return rep, nil
}

// caseSteps plans one case's steps after filing at `at`: triage within the
// day, assignment, investigation, a decision, closing, sometimes a reopening
// and the owner's reply, each a little later, as long as it is before now.
// A target state, when given, is reached whatever the dice say.
func caseSteps(rng *rand.Rand, caseNo int, o offices.Office, at, now time.Time, target complaints.State, inspectors []int64,
	feeOffice bool, staff daftar.Actor) []plannedStep {
	insp := inspectors[rng.IntN(len(inspectors))]
	inspector := daftar.Actor{UserID: insp, Username: "inspector", Role: daftar.RoleInspector}
	owner := daftar.Actor{Username: "owner-" + o.Code, Role: daftar.RoleOfficeOwner, OfficeID: o.ID}
	note := func(a complaints.Action) complaints.ActionInput {
		return complaints.ActionInput{Action: a, Note: demoNotes[a]}
	}
	outcome, upheldPct := complaints.NotUpheld, 35
	if feeOffice {
		upheldPct = 70
	}
	if rng.IntN(100) < upheldPct {
		outcome = complaints.Upheld
	}
	resolve := note(complaints.Resolve)
	resolve.Outcome = outcome
	resolve.Note = demoOutcomeNotes[outcome]
	assign := note(complaints.Assign)
	assign.InspectorID = insp
	path := []plannedStep{
		{in: note(complaints.Triage), actor: staff}, {in: assign, actor: staff},
		{in: note(complaints.Investigate), actor: inspector}, {in: resolve, actor: inspector},
		{in: note(complaints.Close), actor: staff},
	}
	// How far the case got: by target, or by chance (most decided cases
	// are closed; a few reopened).
	reach := 1 + rng.IntN(len(path))
	if now.Sub(at) > 15*24*time.Hour && rng.IntN(100) < 85 {
		reach = 4 + rng.IntN(2) // most older cases are decided by now
	}
	reopen := rng.IntN(20) == 0
	switch target {
	case complaints.StateNew:
		reach = 0
	case complaints.StateTriaged:
		reach = 1
	case complaints.StateAssigned:
		reach = 2
	case complaints.StateInvestigating:
		reach = 3
	case complaints.StateResolved:
		reach, reopen = 4, false
	case complaints.StateClosed:
		reach, reopen = 5, false
	case complaints.StateReopened:
		reach, reopen = 5, true
	}
	gaps := []time.Duration{time.Duration(2+rng.IntN(20)) * time.Hour, time.Duration(1+rng.IntN(2)) * 24 * time.Hour,
		time.Duration(1+rng.IntN(3)) * 24 * time.Hour, time.Duration(1+rng.IntN(4)) * 24 * time.Hour,
		time.Duration(1+rng.IntN(3)) * 24 * time.Hour}
	var out []plannedStep
	t := at
	for k := 0; k < reach; k++ {
		t = t.Add(gaps[k])
		if target == "" && !t.Before(now) {
			break
		}
		st := path[k]
		st.at, st.caseNo, st.order = t, caseNo, k
		out = append(out, st)
	}
	if reopen && len(out) == len(path) {
		t = t.Add(time.Duration(2+rng.IntN(4)) * 24 * time.Hour)
		if target != "" || t.Before(now) {
			out = append(out, plannedStep{at: t, caseNo: caseNo, order: len(path), in: note(complaints.Reopen), actor: staff})
		}
	}
	// The owner answers two cases in five, within two days: always before
	// a decision, which takes three days at the least.
	if last := at.Add(time.Duration(4+rng.IntN(40)) * time.Hour); rng.IntN(5) < 2 && last.Before(now) {
		reply := complaints.ActionInput{Action: complaints.Reply, Note: demoReplies[rng.IntN(len(demoReplies))]}
		out = append(out, plannedStep{at: last, caseNo: caseNo, order: -1, in: reply, actor: owner})
	}
	return out
}

var demoNotes = map[complaints.Action]string{
	complaints.Triage:      "شکایت بررسی و قابل رسیدگی تشخیص داده شد.",
	complaints.Assign:      "به بازرس استان ارجاع شد.",
	complaints.Investigate: "بازرسی از دفتر و بررسی رسیدها آغاز شد.",
	complaints.Close:       "پرونده مختومه شد.",
	complaints.Reopen:      "شاکی اعتراض کرد؛ پرونده دوباره بررسی می‌شود.",
}

var demoOutcomeNotes = map[complaints.Outcome]string{
	complaints.Upheld:    "تخلف دفتر احراز شد؛ مبلغ اضافه باید بازگردانده شود و به دفتر تذکر کتبی داده شد.",
	complaints.NotUpheld: "با بررسی رسیدها و توضیح دفتر، تخلفی احراز نشد.",
}

var demoReplies = []string{
	"مبلغ دریافتی مطابق تعرفه بوده و رسید آن موجود است.",
	"از مراجعه‌کننده عذرخواهی می‌کنیم؛ موضوع با کارمند باجه در میان گذاشته شد.",
	"در آن روز سامانه قطع بود و امکان ارائه خدمت نداشتیم.",
}
