package complaints_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/audit"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
	"github.com/daftar-ir/daftar/surveys/complaints"
)

// fieldsOf returns the fields an error names, with their codes.
func fieldsOf(err error) map[string]string {
	out := map[string]string{}
	if de, ok := daftar.AsError(err); ok {
		for _, f := range de.Fields {
			out[f.Field] = f.Code
		}
	}
	return out
}

func TestFileRefusesBadInput(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.surveys["tok-yazd-b"] = complaints.SurveyVisit{OfficeID: f.yazdB.ID, Day: "2026-05-29", Service: "criminal_record"}
		ok := complaints.Filing{OfficeID: f.yazdA.ID, Category: "misconduct", Description: "کارمند با مراجعه‌کننده بدرفتاری کرد"}
		with := func(change func(*complaints.Filing)) complaints.Filing {
			in := ok
			change(&in)
			return in
		}
		cases := []struct {
			name     string
			in       complaints.Filing
			field    string
			code     string
			otherBad int // more fields wrong at once
		}{
			{"no office", with(func(in *complaints.Filing) { in.OfficeID = 0 }), "office_id", "required", 0},
			{"unknown office id", with(func(in *complaints.Filing) { in.OfficeID = 999999 }), "office_id", "unknown_office", 0},
			{"negative office id", with(func(in *complaints.Filing) { in.OfficeID = -3 }), "office_id", "unknown_office", 0},
			{"unknown office code", with(func(in *complaints.Filing) { in.OfficeID, in.OfficeCode = 0, "NOPE-1" }), "code", "unknown_office", 0},
			{"id and code disagree", with(func(in *complaints.Filing) { in.OfficeCode = "YAZ-0002" }), "code", "office_mismatch", 0},
			{"no category", with(func(in *complaints.Filing) { in.Category = "" }), "category", "required", 0},
			{"unknown category", with(func(in *complaints.Filing) { in.Category = "rudeness" }), "category", "unknown_category", 0},
			{"unknown service", with(func(in *complaints.Filing) { in.Service = "passport" }), "service", "unknown_service", 0},
			{"extra fee without amount", with(func(in *complaints.Filing) { in.Category = "extra_fee" }), "amount_paid_rials", "required", 0},
			{"amount zero", with(func(in *complaints.Filing) { in.AmountPaid = "0" }), "amount_paid_rials", "invalid_amount", 0},
			{"amount negative", with(func(in *complaints.Filing) { in.AmountPaid = "-5000" }), "amount_paid_rials", "invalid_amount", 0},
			{"amount with decimals", with(func(in *complaints.Filing) { in.AmountPaid = "1500.5" }), "amount_paid_rials", "invalid_amount", 0},
			{"amount not a number", with(func(in *complaints.Filing) { in.AmountPaid = "صد هزار" }), "amount_paid_rials", "invalid_amount", 0},
			{"amount absurd", with(func(in *complaints.Filing) { in.AmountPaid = "1000000000000000" }), "amount_paid_rials", "invalid_amount", 0},
			{"no description", with(func(in *complaints.Filing) { in.Description = " \n\u200f " }), "description", "required", 0},
			{"short description", with(func(in *complaints.Filing) { in.Description = "بد" }), "description", "description_too_short", 0},
			{"long description", with(func(in *complaints.Filing) { in.Description = strings.Repeat("ب", 2001) }), "description", "description_too_long", 0},
			{"bad mobile", with(func(in *complaints.Filing) { in.Mobile = "02188776655" }), "mobile", "invalid_mobile", 0},
			{"unknown survey token", with(func(in *complaints.Filing) { in.SurveyToken = "no-such-token" }), "survey_token", "unknown_survey_token", 0},
			{"survey of another office", with(func(in *complaints.Filing) { in.SurveyToken = "tok-yazd-b" }), "office_id", "office_mismatch", 0},
			{"everything wrong", complaints.Filing{OfficeID: 999999, Category: "x", AmountPaid: "-1", Description: "", Mobile: "1"},
				"office_id", "unknown_office", 4},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := f.s.File(context.Background(), c.in)
				if !daftar.IsKind(err, daftar.KindUnprocessable) {
					t.Fatalf("want 422, got %v", err)
				}
				got := fieldsOf(err)
				if got[c.field] != c.code {
					t.Fatalf("want field %s code %s, got %v", c.field, c.code, got)
				}
				if len(got) != 1+c.otherBad {
					t.Fatalf("want %d fields named, got %v", 1+c.otherBad, got)
				}
			})
		}
		var n int
		if err := d.Query(context.Background(), "SELECT COUNT(*) FROM complaints", nil, func(scan func(...any) error) error {
			return scan(&n)
		}); err != nil || n != 0 {
			t.Fatalf("refused filings left %d complaints (%v)", n, err)
		}
	})
}

func TestFileKeepsWhatItShould(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		desc := "کد ملی من ۰۰۸۴۵۷۵۹۴۸ است و شماره‌ام 0912 345 6789. <script>alert(1)</script>"
		r, err := f.s.File(ctx, complaints.Filing{OfficeCode: "yaz-0001", Category: "extra_fee", Service: "criminal_record",
			AmountPaid: "۲۵۰٬۰۰۰", Description: desc, Mobile: "+98 935 000 1122"})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.TrackingCode) != 10 || r.State != complaints.StateNew || r.OfficeName != f.yazdA.Name {
			t.Fatalf("receipt %+v", r)
		}
		// Filed Saturday 1405/03/09 09:00, 5 working days: Sun 1, Mon 2,
		// Tue 3, Wed 4, Thu 03/14 and Fri 03/15 holidays, Sat 03/16 5.
		if got := daftar.ToJalali(r.DueAt).String(); got != "1405/03/16" {
			t.Fatalf("due %s, want 1405/03/16", got)
		}
		c, err := f.s.Get(admin(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.AmountPaidRials == nil || *c.AmountPaidRials != 250000 || c.OfficialFeeRials == nil || *c.OfficialFeeRials != 115000 {
			t.Fatalf("amounts %v %v", c.AmountPaidRials, c.OfficialFeeRials)
		}
		if x := c.ExtraRials(); x == nil || *x != 135000 {
			t.Fatalf("extra %v", x)
		}
		wantDesc := "کد ملی من ******۵۹۴۸ است و شماره‌ام *******6789. <script>alert(1)</script>"
		if c.Description != wantDesc {
			t.Fatalf("description stored as %q", c.Description)
		}
		if !c.HasMobile || c.MobileMasked != "*******1122" {
			t.Fatalf("mobile %v %q", c.HasMobile, c.MobileMasked)
		}
		// The stored row has neither the code nor the number in clear.
		var raw string
		var enc []byte
		if err := d.Query(ctx, "SELECT description, mobile_enc FROM complaints WHERE id = ?", []any{r.ID},
			func(scan func(...any) error) error { return scan(&raw, &enc) }); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(raw, "۰۰۸۴۵۷۵۹۴۸") || strings.Contains(string(enc), "09350001122") || len(enc) < 28 {
			t.Fatalf("stored in clear: %q / %q", raw, enc)
		}
		// The office's owner was told, with the case number and not the
		// tracking code.
		msgs := f.outbox.sent()
		if len(msgs) != 1 || msgs[0].mobile != "09131112233" || strings.Contains(msgs[0].body, r.TrackingCode) ||
			!strings.Contains(msgs[0].body, daftar.PersianDigits(fmt.Sprint(r.ID))) {
			t.Fatalf("owner notice %+v", msgs)
		}
		// The list has no mobile digits.
		list, total, err := f.s.List(admin(), complaints.Filter{})
		if err != nil || total != 1 || list[0].MobileMasked != "" || !list[0].HasMobile {
			t.Fatalf("list %+v %d %v", list, total, err)
		}
	})
}

func TestFileFromSurvey(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		f.surveys["tok-1"] = complaints.SurveyVisit{OfficeID: f.tehran.ID, Day: "2026-05-29", Service: "e_notification"}
		r, err := f.s.File(context.Background(), complaints.Filing{SurveyToken: "tok-1", Category: "delay",
			Description: "دو ساعت در صف ماندم و نوبت رعایت نشد"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := f.s.Get(admin(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.OfficeID != f.tehran.ID || !c.FromSurvey || c.VisitDay != "2026-05-29" || c.Service != "e_notification" {
			t.Fatalf("not tied to the visit: %+v", c)
		}
		// The same office named as well is fine.
		if _, err := f.s.File(context.Background(), complaints.Filing{SurveyToken: "tok-1", OfficeID: f.tehran.ID,
			Category: "delay", Description: "دو ساعت در صف ماندم"}); err != nil {
			t.Fatal(err)
		}
		// The owner sees neither the visit day nor that it came from a survey.
		views, _, err := f.s.OfficeComplaints(owner(f.tehran.ID), f.tehran.ID, complaints.Filter{})
		if err != nil || len(views) != 2 {
			t.Fatalf("owner list %v %v", views, err)
		}
	})
}

// A burst of concurrent filings: every one is filed, each with its own
// tracking code.
func TestFileConcurrentBurst(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		const n = 40
		codes := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r, err := f.s.File(context.Background(), complaints.Filing{OfficeID: f.yazdA.ID, Category: "other",
					Mobile: "09120000000", Description: fmt.Sprintf("شکایت شماره %d از یک هجوم همزمان", i)})
				codes[i], errs[i] = r.TrackingCode, err
			}(i)
		}
		wg.Wait()
		seen := map[string]bool{}
		for i := range codes {
			if errs[i] != nil {
				t.Fatalf("filing %d: %v", i, errs[i])
			}
			if seen[codes[i]] {
				t.Fatalf("code %s given twice", codes[i])
			}
			seen[codes[i]] = true
		}
		_, total, err := f.s.List(admin(), complaints.Filter{PageSize: 1})
		if err != nil || total != n {
			t.Fatalf("%d complaints stored, want %d (%v)", total, n, err)
		}
	})
}

// The deadline of each category, in working days from the Tehran day after
// filing, across Fridays, Thursdays' half days and official holidays.
// Every expected date is counted by hand in the comment beside it.
func TestDeadlines(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		tehran := func(jy, jm, jd, h, m int) time.Time {
			t0, err := daftar.FromJalali(jy, jm, jd)
			if err != nil {
				t.Fatal(err)
			}
			return t0.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
		}
		cases := []struct {
			name  string
			filed time.Time
			cat   complaints.Category
			want  string
		}{
			// Tue 03/05: Wed 03/06 Eid al-Adha 0, Thu 0.5, Fri 0, Sat 1.5,
			// Sun 2.5, Mon 03/11 3.5 ≥ 3.
			{"refused service over Eid al-Adha", tehran(1405, 3, 5, 10, 0), complaints.RefusedService, "1405/03/11"},
			// Wed 03/13: Thu 03/14 and Fri 03/15 holidays, Sat 1, Sun 2,
			// Mon 3, Tue 4, Wed 03/20 5.
			{"extra fee over 14-15 Khordad", tehran(1405, 3, 13, 16, 0), complaints.ExtraFee, "1405/03/20"},
			// Filed on Friday 03/08 (a day off): Sat 1 ... Wed 03/13 5,
			// Thu 03/14 and Fri 03/15 holidays, Sat 6, Sun 03/17 7.
			{"privacy filed on a Friday", tehran(1405, 3, 8, 11, 0), complaints.Privacy, "1405/03/17"},
			// Wed 1405/12/26: Thu 0.5, Fri 0, Sat 12/29 oil day 0, Nowruz
			// 1406/01/01-04 0, Thu 01/05 1, Fri 0, Sat 2, Sun 3, Mon 4,
			// Tue 5, Wed 6, Thu 01/12 and Fri 01/13 holidays, Sat 01/14
			// Imam Sadiq 0, Sun 7, Mon 8, Tue 9, Wed 1406/01/18 10.
			{"misconduct across Nowruz", tehran(1405, 12, 26, 9, 0), complaints.Misconduct, "1406/01/18"},
			// Tue 03/12 23:30 Tehran (20:00 UTC): Wed 1, Thu 03/14 and Fri
			// holidays, Sat 2, Sun 03/17 3.
			{"refused service late on Tuesday", tehran(1405, 3, 12, 23, 30), complaints.RefusedService, "1405/03/17"},
			// An hour later it is Wednesday in Tehran (still Tuesday in
			// UTC): Thu, Fri 0, Sat 1, Sun 2, Mon 03/18 3.
			{"refused service just after midnight", tehran(1405, 3, 13, 0, 30), complaints.RefusedService, "1405/03/18"},
			// Sat 03/09: Sun 1, Mon 2, Tue 3, Wed 4, Thu 03/14 holiday,
			// Fri 0, Sat 03/16 5.
			{"delay", tehran(1405, 3, 9, 8, 0), complaints.Delay, "1405/03/16"},
			// Thu 03/07: Fri 0, Sat 1 ... Wed 03/13 5, Thu, Fri holidays,
			// Sat 6, Sun 7, Mon 8, Tue 9, Wed 03/20 10.
			{"other", tehran(1405, 3, 7, 12, 0), complaints.Other, "1405/03/20"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f.clock.Set(c.filed)
				r := f.file(t, f.yazdB.ID, c.cat)
				got := r.DueAt.In(daftar.Tehran())
				if daftar.ToJalali(got).String() != c.want || got.Format("15:04:05") != "23:59:59" {
					t.Fatalf("due %s %s, want %s 23:59:59", daftar.ToJalali(got), got.Format("15:04:05"), c.want)
				}
			})
		}
	})
}

func TestNewNamesMissingDependencies(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	f := setup(t, d)
	cat, _ := geo.LoadCatalogue(context.Background(), d)
	full := func() complaints.Deps {
		return complaints.Deps{DB: d, Clock: f.clock, Audit: audit.New(d, f.clock), Calendar: daftar.OfficialWorkCalendar(),
			Offices: f.offices, Catalogue: cat, Surveys: f.surveys, Outbox: f.outbox, Inspectors: f.inspectors, MobileKey: testKey}
	}
	if _, err := complaints.New(full(), complaints.Config{}); err != nil {
		t.Fatal(err)
	}
	for name, drop := range map[string]func(*complaints.Deps){
		"database": func(x *complaints.Deps) { x.DB = nil }, "clock": func(x *complaints.Deps) { x.Clock = nil },
		"audit log": func(x *complaints.Deps) { x.Audit = nil }, "working-day calendar": func(x *complaints.Deps) { x.Calendar = nil },
		"offices": func(x *complaints.Deps) { x.Offices = nil }, "catalogue": func(x *complaints.Deps) { x.Catalogue = nil },
		"survey visits": func(x *complaints.Deps) { x.Surveys = nil }, "outbox": func(x *complaints.Deps) { x.Outbox = nil },
		"inspectors": func(x *complaints.Deps) { x.Inspectors = nil }, "mobile key": func(x *complaints.Deps) { x.MobileKey = nil },
	} {
		x := full()
		drop(&x)
		if _, err := complaints.New(x, complaints.Config{}); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("without the %s: %v", name, err)
		}
	}
	x := full()
	x.MobileKey = []byte("short")
	if _, err := complaints.New(x, complaints.Config{}); err == nil {
		t.Error("a short mobile key was taken")
	}
}
