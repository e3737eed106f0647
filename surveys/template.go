package surveys

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
)

// Question kinds.
const (
	KindScale = "scale" // an integer from Min to Max
	KindBool  = "bool"  // yes or no
	KindText  = "text"  // free text up to MaxLen characters
)

// Question is one question of a template.
type Question struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Min      int    `json:"min,omitempty"`
	Max      int    `json:"max,omitempty"`
	MaxLen   int    `json:"max_len,omitempty"`
	Required bool   `json:"required"`
	LabelFa  string `json:"label_fa"`
	LabelEn  string `json:"label_en"`
	// Low and high ends of a scale, for the page.
	LowFa  string `json:"low_fa,omitempty"`
	LowEn  string `json:"low_en,omitempty"`
	HighFa string `json:"high_fa,omitempty"`
	HighEn string `json:"high_en,omitempty"`
}

// Template is one version of the survey.
type Template struct {
	Version   int        `json:"version"`
	TitleFa   string     `json:"title_fa"`
	TitleEn   string     `json:"title_en"`
	Questions []Question `json:"questions"`
}

// The questions the figures are built on; every template must keep them
// with these kinds so that figures compare across versions.
const (
	QOverall   = "overall"
	QCourtesy  = "courtesy"
	QWaiting   = "waiting"
	QFeesClear = "fees_clear"
	QExtraFee  = "extra_fee"
	QRecommend = "recommend"
	QComment   = "comment"
)

// MaxCommentLen bounds the optional comment.
const MaxCommentLen = 1000

// Bounds of a template's texts.
const (
	maxTitleLen    = 200
	maxLabelLen    = 500
	maxEndLabelLen = 100 // a scale's end labels: "very poor", "excellent"
)

// DefaultTemplate is version 1.
func DefaultTemplate() Template {
	scale := func(id, fa, en string) Question {
		return Question{ID: id, Kind: KindScale, Min: 1, Max: 5, Required: true, LabelFa: fa, LabelEn: en,
			LowFa: "خیلی بد", LowEn: "very poor", HighFa: "عالی", HighEn: "excellent"}
	}
	return Template{
		Version: 1,
		TitleFa: "نظرسنجی از خدمات دفتر خدمات الکترونیک قضائی",
		TitleEn: "How was your visit to the judicial e-services office?",
		Questions: []Question{
			scale(QOverall, "رضایت کلی شما از خدمت دریافت‌شده", "Overall, how satisfied are you with the service?"),
			scale(QCourtesy, "برخورد و احترام کارکنان", "Courtesy of the staff"),
			scale(QWaiting, "زمان انتظار", "Waiting time"),
			scale(QFeesClear, "روشن بودن هزینه‌ها و تعرفه‌ها", "Clarity of the fees"),
			{ID: QExtraFee, Kind: KindBool, Required: true, LabelFa: "آیا از شما مبلغی بیش از تعرفه رسمی خواسته شد؟", LabelEn: "Were you asked to pay anything beyond the official fee?"},
			{ID: QRecommend, Kind: KindScale, Min: 0, Max: 10, Required: true, LabelFa: "چقدر احتمال دارد این دفتر را به دیگران پیشنهاد کنید؟", LabelEn: "How likely are you to recommend this office to others?",
				LowFa: "اصلاً", LowEn: "not at all", HighFa: "حتماً", HighEn: "certainly"},
			{ID: QComment, Kind: KindText, MaxLen: MaxCommentLen, LabelFa: "توضیحات (اختیاری)", LabelEn: "Comments (optional)"},
		},
	}
}

// Validate checks a template an admin wants to publish.
func (t Template) Validate() error {
	var fe daftar.FieldErrors
	if strings.TrimSpace(t.TitleFa) == "" {
		fe.Add("title_fa", "required", "is required")
	}
	// Texts a person reads on a phone: bounded, whatever the body limit.
	for name, text := range map[string]string{"title_fa": t.TitleFa, "title_en": t.TitleEn} {
		if utf8.RuneCountInString(text) > maxTitleLen {
			fe.Add(name, "too_long", fmt.Sprintf("must be at most %d characters", maxTitleLen))
		}
	}
	if len(t.Questions) == 0 || len(t.Questions) > 30 {
		fe.Add("questions", "count", "a template has 1 to 30 questions")
	}
	seen := map[string]bool{}
	for i, q := range t.Questions {
		f := fmt.Sprintf("questions[%d]", i)
		if q.ID == "" || len(q.ID) > 40 || strings.ContainsAny(q.ID, " \"'<>") {
			fe.Add(f+".id", "invalid", "a short identifier")
		}
		if seen[q.ID] {
			fe.Add(f+".id", "duplicate", "ids must be unique")
		}
		seen[q.ID] = true
		if strings.TrimSpace(q.LabelFa) == "" {
			fe.Add(f+".label_fa", "required", "is required")
		}
		for name, text := range map[string]string{"label_fa": q.LabelFa, "label_en": q.LabelEn} {
			if utf8.RuneCountInString(text) > maxLabelLen {
				fe.Add(f+"."+name, "too_long", fmt.Sprintf("must be at most %d characters", maxLabelLen))
			}
		}
		for name, text := range map[string]string{"low_fa": q.LowFa, "low_en": q.LowEn, "high_fa": q.HighFa, "high_en": q.HighEn} {
			if utf8.RuneCountInString(text) > maxEndLabelLen {
				fe.Add(f+"."+name, "too_long", fmt.Sprintf("must be at most %d characters", maxEndLabelLen))
			}
		}
		switch q.Kind {
		case KindScale:
			if q.Min < 0 || q.Max > 10 || q.Max <= q.Min {
				fe.Add(f+".max", "invalid", "a scale runs from min to max within 0-10")
			}
		case KindBool:
		case KindText:
			if q.MaxLen <= 0 || q.MaxLen > 4000 {
				fe.Add(f+".max_len", "invalid", "1 to 4000 characters")
			}
		default:
			fe.Add(f+".kind", "invalid", "scale, bool or text")
		}
	}
	// The questions the figures and the ranking read must stay.
	core := map[string]Question{}
	for _, q := range DefaultTemplate().Questions {
		core[q.ID] = q
	}
	for id, want := range core {
		found := false
		for _, q := range t.Questions {
			if q.ID == id {
				found = true
				if q.Kind != want.Kind || q.Min != want.Min || q.Max != want.Max {
					fe.Add("questions", "core_changed", fmt.Sprintf("question %q must stay a %s %d-%d", id, want.Kind, want.Min, want.Max))
				}
			}
		}
		if !found {
			fe.Add("questions", "core_missing", fmt.Sprintf("question %q is needed by the figures", id))
		}
	}
	return fe.Err(daftar.KindUnprocessable, "invalid_template", "the template is not valid")
}

// Answers are one response's values by question id: int for scales, bool,
// string for text.
type Answers map[string]any

// ParseAnswers checks raw answers (from JSON or a form) against the
// template, naming each bad question. Form values arrive as strings; JSON
// numbers as float64. Persian digits are accepted.
func (t Template) ParseAnswers(raw map[string]any) (Answers, error) {
	var fe daftar.FieldErrors
	out := Answers{}
	known := map[string]bool{}
	for _, q := range t.Questions {
		known[q.ID] = true
		field := "answers." + q.ID
		v, present := raw[q.ID]
		if s, ok := v.(string); ok && strings.TrimSpace(s) == "" && q.Kind != KindText {
			present = false
		}
		if !present || v == nil {
			if q.Required {
				fe.Add(field, "required", "needs an answer")
			}
			continue
		}
		switch q.Kind {
		case KindScale:
			n, ok := toInt(v)
			if !ok {
				fe.Add(field, "not_a_number", fmt.Sprintf("must be a whole number from %d to %d", q.Min, q.Max))
			} else if n < q.Min || n > q.Max {
				fe.Add(field, "out_of_range", fmt.Sprintf("must be from %d to %d", q.Min, q.Max))
			} else {
				out[q.ID] = n
			}
		case KindBool:
			b, ok := toBool(v)
			if !ok {
				fe.Add(field, "not_yes_no", "must be true or false")
			} else {
				out[q.ID] = b
			}
		case KindText:
			s, ok := v.(string)
			if !ok {
				fe.Add(field, "not_text", "must be text")
				continue
			}
			s = daftar.NormalizeText(s)
			if utf8.RuneCountInString(s) > q.MaxLen {
				fe.Add(field, "too_long", fmt.Sprintf("must be at most %d characters", q.MaxLen))
				continue
			}
			if s != "" {
				out[q.ID] = s
			}
		}
	}
	for id := range raw {
		if !known[id] {
			fe.Add("answers."+id, "unknown", "is not a question of this survey")
		}
	}
	if err := fe.Err(daftar.KindUnprocessable, "invalid_answers", "some answers are not valid"); err != nil {
		return nil, err
	}
	return out, nil
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		if x != float64(int(x)) {
			return 0, false
		}
		return int(x), true
	case int:
		return x, true
	case json.Number:
		n, err := strconv.Atoi(string(x))
		return n, err == nil
	case string:
		n, err := daftar.ParseInt(x)
		if err != nil || n > 1000 || n < -1000 {
			return 0, false
		}
		return int(n), true
	}
	return 0, false
}

func toBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(strings.TrimSpace(daftar.NormalizeText(x))) {
		case "true", "yes", "1", "بله", "آری", "on":
			return true, true
		case "false", "no", "0", "خیر", "نه", "off":
			return false, true
		}
	}
	return false, false
}
