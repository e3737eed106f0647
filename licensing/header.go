package licensing

import (
	"slices"
	"strings"

	"github.com/daftar-ir/daftar"
)

// field is one column Daftar reads from an exam-result file.
type field int

const (
	fNationalCode field = iota
	fFirstName
	fLastName
	fGender
	fBirthDate
	fExamProvince
	fScore
	fRank
	fResult
	fPreferences
	numFields
)

// fieldSpec describes a column: its canonical (English) name, its Persian
// header, whether the header row must have it, and the other headers that
// name it. Headers are compared folded (FoldForMatch: Arabic letters, digits,
// case, ZWNJ, punctuation) and with spaces removed, so "National Code",
// "national_code", "کد ملی" and "كدملي" are one header.
type fieldSpec struct {
	name, fa string
	required bool
	aliases  []string
}

var fieldSpecs = [numFields]fieldSpec{
	fNationalCode: {"national_code", "کد ملی", true, []string{"national code", "nationalcode", "national id", "national_id",
		"nid", "code melli", "melli code", "codemelli", "کدملی", "شماره ملی", "کد ملي"}},
	fFirstName: {"first_name", "نام", true, []string{"first name", "firstname", "given name", "name", "نام داوطلب"}},
	fLastName: {"last_name", "نام خانوادگی", true, []string{"last name", "lastname", "surname", "family name", "family",
		"نام‌خانوادگی", "فامیلی", "نام فامیلی"}},
	fGender:       {"gender", "جنسیت", false, []string{"sex", "جنس"}},
	fBirthDate:    {"birth_date", "تاریخ تولد", false, []string{"birth date", "birthdate", "date of birth", "dob", "تاریخ‌تولد"}},
	fExamProvince: {"exam_province", "استان محل آزمون", true, []string{"exam province", "province", "استان آزمون", "استان", "محل آزمون"}},
	fScore: {"score", "نمره تراز", true, []string{"exam score", "standard score", "taraz", "score taraz", "نمره", "تراز",
		"نمره کل", "نمره‌تراز"}},
	fRank:   {"rank", "رتبه", true, []string{"exam rank", "rank in exam", "رتبه کشوری", "رتبه کل"}},
	fResult: {"result", "نتیجه", true, []string{"exam result", "outcome", "status", "نتیجه آزمون", "وضعیت قبولی", "وضعیت"}},
	fPreferences: {"preferences", "اولویت‌ها", true, []string{"city preferences", "preferred cities", "choices",
		"اولویتها", "اولویت ها", "اولویت‌های شهر", "اولویت شهرها", "شهرهای انتخابی", "شهرهای مورد تقاضا"}},
}

// headerKey is the form headers are compared in.
func headerKey(s string) string { return strings.ReplaceAll(daftar.FoldForMatch(s), " ", "") }

type headerMatch struct {
	field     field
	canonical bool // the field's own English or Persian name, not an alias
}

// headerAliases maps every accepted header key to its field.
var headerAliases = func() map[string]headerMatch {
	m := map[string]headerMatch{}
	for f, spec := range fieldSpecs {
		for i, h := range append([]string{spec.name, spec.fa}, spec.aliases...) {
			m[headerKey(h)] = headerMatch{field(f), i < 2}
		}
	}
	return m
}()

// FieldName is the canonical name of a column index of fieldSpecs.
func (f field) String() string { return fieldSpecs[f].name }

// columnMap says where each field is in the file's rows.
type columnMap struct {
	index   [numFields]int // -1: absent
	header  []string       // the header row as read
	ignored []string       // headers of columns Daftar does not read
	// scoreMax is the scale written in the score column's header
	// ("نمره (از ۲۰)"); 0 when it names none.
	scoreMax float64
}

func (m columnMap) has(f field) bool { return m.index[f] >= 0 }

// cell returns the field's cell of a row ("" when the row is short or the
// column is absent).
func (m columnMap) cell(row []string, f field) string {
	i := m.index[f]
	if i < 0 || i >= len(row) {
		return ""
	}
	return row[i]
}

// mapHeader recognises the columns of a header row. It returns how many
// known columns it found and, for a row that is a header, the problems with
// it (missing or repeated columns) as an unprocessable error.
func mapHeader(cells []string) (columnMap, int, error) {
	m := columnMap{header: append([]string(nil), cells...)}
	for i := range m.index {
		m.index[i] = -1
	}
	known := 0
	var fe daftar.FieldErrors
	var canonical [numFields]bool
	for i, c := range cells {
		text := strings.TrimSpace(daftar.NormalizeText(c))
		if text == "" {
			continue
		}
		hm, ok := headerAliases[headerKey(text)]
		if !ok {
			// A score header may carry its scale: "نمره (از ۲۰)".
			if base, max := splitHeaderScale(text); max > 0 {
				if sm, isScore := headerAliases[headerKey(base)]; isScore && sm.field == fScore && m.index[fScore] < 0 {
					hm, ok, m.scoreMax = sm, true, max
				}
			}
		}
		if !ok {
			m.ignored = append(m.ignored, text)
			continue
		}
		f := hm.field
		if prev := m.index[f]; prev >= 0 {
			// The field's own name beats an alias ("استان محل آزمون" beside
			// a plain "استان"); two equal claims are ambiguous.
			switch {
			case canonical[f] && !hm.canonical:
				m.ignored = append(m.ignored, text)
			case hm.canonical && !canonical[f]:
				m.ignored = append(m.ignored, strings.TrimSpace(daftar.NormalizeText(cells[prev])))
				m.index[f], canonical[f] = i, true
			default:
				fe.Add(fieldSpecs[f].name, "duplicate_column", "the column "+fieldSpecs[f].name+" ("+fieldSpecs[f].fa+
					") appears twice: columns "+columnLetter(prev)+" and "+columnLetter(i))
			}
			continue
		}
		m.index[f], canonical[f] = i, hm.canonical
		known++
	}
	for f, spec := range fieldSpecs {
		if spec.required && m.index[f] < 0 {
			fe.Add(spec.name, "missing_column", "the header row has no column "+spec.name+" ("+spec.fa+")")
		}
	}
	if len(fe) > 0 {
		var missing []string
		for _, e := range fe {
			if e.Code == "missing_column" {
				missing = append(missing, e.Field)
			}
		}
		msg := "the header row is not usable"
		if len(missing) > 0 {
			msg = "required columns are missing: " + strings.Join(missing, ", ")
		}
		return m, known, fe.Err(daftar.KindUnprocessable, "bad_header", msg)
	}
	return m, known, nil
}

// columnLetter names a zero-based column the way a spreadsheet does: A, B, ... Z, AA.
func columnLetter(i int) string {
	var b []byte
	for i++; i > 0; i = (i - 1) / 26 {
		b = append(b, byte('A'+(i-1)%26))
	}
	slices.Reverse(b)
	return string(b)
}
