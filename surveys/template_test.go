package surveys

import (
	"strings"
	"testing"

	"github.com/daftar-ir/daftar"
)

func TestParseAnswers(t *testing.T) {
	tmpl := DefaultTemplate()
	good := func() map[string]any {
		return map[string]any{"overall": 5.0, "courtesy": 4.0, "waiting": 3.0, "fees_clear": 5.0, "extra_fee": false, "recommend": 9.0}
	}
	a, err := tmpl.ParseAnswers(good())
	if err != nil || a[QOverall] != 5 || a[QExtraFee] != false {
		t.Fatalf("good answers: %v %v", a, err)
	}
	// Form posts: strings, Persian digits and words.
	form := map[string]any{"overall": "۵", "courtesy": "4", "waiting": " 3 ", "fees_clear": "5", "extra_fee": "خیر", "recommend": "۱۰", "comment": "  خوب   بود  "}
	a, err = tmpl.ParseAnswers(form)
	if err != nil || a[QOverall] != 5 || a[QRecommend] != 10 || a[QComment] != "خوب بود" || a[QExtraFee] != false {
		t.Fatalf("form answers: %v %v", a, err)
	}
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		field string
		code  string
	}{
		{"missing overall", func(m map[string]any) { delete(m, "overall") }, "answers.overall", "required"},
		{"empty overall", func(m map[string]any) { m["overall"] = "" }, "answers.overall", "required"},
		{"null overall", func(m map[string]any) { m["overall"] = nil }, "answers.overall", "required"},
		{"overall 0", func(m map[string]any) { m["overall"] = 0.0 }, "answers.overall", "out_of_range"},
		{"overall 6", func(m map[string]any) { m["overall"] = 6.0 }, "answers.overall", "out_of_range"},
		{"overall 4.5", func(m map[string]any) { m["overall"] = 4.5 }, "answers.overall", "not_a_number"},
		{"overall text", func(m map[string]any) { m["overall"] = "good" }, "answers.overall", "not_a_number"},
		{"overall bool", func(m map[string]any) { m["overall"] = true }, "answers.overall", "not_a_number"},
		{"recommend 11", func(m map[string]any) { m["recommend"] = 11.0 }, "answers.recommend", "out_of_range"},
		{"recommend -1", func(m map[string]any) { m["recommend"] = -1.0 }, "answers.recommend", "out_of_range"},
		{"extra fee number", func(m map[string]any) { m["extra_fee"] = 2.0 }, "answers.extra_fee", "not_yes_no"},
		{"extra fee word", func(m map[string]any) { m["extra_fee"] = "maybe" }, "answers.extra_fee", "not_yes_no"},
		{"missing extra fee", func(m map[string]any) { delete(m, "extra_fee") }, "answers.extra_fee", "required"},
		{"comment too long", func(m map[string]any) { m["comment"] = strings.Repeat("ب", MaxCommentLen+1) }, "answers.comment", "too_long"},
		{"comment not text", func(m map[string]any) { m["comment"] = 5.0 }, "answers.comment", "not_text"},
		{"unknown question", func(m map[string]any) { m["age"] = 40.0 }, "answers.age", "unknown"},
	}
	for _, c := range cases {
		m := good()
		c.edit(m)
		_, err := tmpl.ParseAnswers(m)
		de, ok := daftar.AsError(err)
		if !ok || de.Kind != daftar.KindUnprocessable {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		found := false
		for _, f := range de.Fields {
			found = found || (f.Field == c.field && f.Code == c.code)
		}
		if !found {
			t.Errorf("%s: want %s/%s in %+v", c.name, c.field, c.code, de.Fields)
		}
	}
}

func TestTemplateValidation(t *testing.T) {
	if err := DefaultTemplate().Validate(); err != nil {
		t.Fatal(err)
	}
	extra := DefaultTemplate()
	extra.Questions = append(extra.Questions, Question{ID: "cleanliness", Kind: KindScale, Min: 1, Max: 5, LabelFa: "پاکیزگی"})
	if err := extra.Validate(); err != nil {
		t.Fatalf("a template with one more question: %v", err)
	}
	for name, edit := range map[string]func(*Template){
		"no title":     func(t *Template) { t.TitleFa = "" },
		"core missing": func(t *Template) { t.Questions = t.Questions[1:] },
		"core changed": func(t *Template) { t.Questions[0].Max = 10 },
		"duplicate id": func(t *Template) { t.Questions = append(t.Questions, t.Questions[0]) },
		"bad kind":     func(t *Template) { t.Questions[6].Kind = "essay" },
		"bad scale": func(t *Template) {
			t.Questions = append(t.Questions, Question{ID: "x", Kind: KindScale, Min: 3, Max: 2, LabelFa: "x"})
		},
		"no label":      func(t *Template) { t.Questions[1].LabelFa = "" },
		"text no limit": func(t *Template) { t.Questions[6].MaxLen = 0 },
	} {
		tmpl := DefaultTemplate()
		edit(&tmpl)
		if err := tmpl.Validate(); !daftar.IsKind(err, daftar.KindUnprocessable) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzParseAnswers: never panics; what it accepts is within the template.
func FuzzParseAnswers(f *testing.F) {
	f.Add("5", "4", "true", "10", "خوب")
	f.Add("۵", "x", "خیر", "-1", "")
	f.Fuzz(func(t *testing.T, overall, courtesy, extra, recommend, comment string) {
		a, err := DefaultTemplate().ParseAnswers(map[string]any{"overall": overall, "courtesy": courtesy, "waiting": "3", "fees_clear": "3",
			"extra_fee": extra, "recommend": recommend, "comment": comment})
		if err != nil {
			return
		}
		if o := a[QOverall].(int); o < 1 || o > 5 {
			t.Fatalf("overall %d accepted", o)
		}
		if r := a[QRecommend].(int); r < 0 || r > 10 {
			t.Fatalf("recommend %d accepted", r)
		}
	})
}
