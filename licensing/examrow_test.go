package licensing

import (
	"strings"
	"testing"

	"github.com/daftar-ir/daftar/geo"
	"github.com/daftar-ir/daftar/internal/db"
	"github.com/daftar-ir/daftar/internal/dbtest"
)

func parserFor(t testing.TB, gaz *geo.Gazetteer, header []string) *rowParser {
	t.Helper()
	cm, _, err := mapHeader(header)
	if err != nil {
		t.Fatal(err)
	}
	return newRowParser(gaz, testCodes(t), cm, 1405, 100)
}

func sqliteGazetteer(t testing.TB) *geo.Gazetteer {
	t.Helper()
	return testGazetteer(t, dbtest.Open(t, db.SQLite))
}

// TestRowRules runs every normalisation and validation rule of a row: each
// case changes one column of a good row and says what must come out.
func TestRowRules(t *testing.T) {
	gaz := sqliteGazetteer(t)
	code := validCode(7)
	cols := map[string]int{}
	for i, f := range []string{"national_code", "first_name", "last_name", "gender", "birth_date", "exam_province", "score", "rank", "result", "preferences"} {
		cols[f] = i
	}
	type want struct {
		reject string // rejection code, "" when accepted
		check  func(c candidateRow) bool
	}
	persian := func(s string) string {
		r := strings.NewReplacer("0", "۰", "1", "۱", "2", "۲", "3", "۳", "4", "۴", "5", "۵", "6", "۶", "7", "۷", "8", "۸", "9", "۹")
		return r.Replace(s)
	}
	arabicIndic := func(s string) string {
		r := strings.NewReplacer("0", "٠", "1", "١", "2", "٢", "3", "٣", "4", "٤", "5", "٥", "6", "٦", "7", "٧", "8", "٨", "9", "٩")
		return r.Replace(s)
	}
	zeroCode := "0012345679" // a valid code with two leading zeros
	cases := []struct {
		name, col, value string
		want             want
	}{
		// National code.
		{"code ok", "national_code", code, want{"", func(c candidateRow) bool { return c.code == code && c.masked == "******"+code[6:] && len(c.hash) == 64 }}},
		{"code persian digits", "national_code", persian(code), want{"", func(c candidateRow) bool { return c.code == code }}},
		{"code arabic-indic digits", "national_code", arabicIndic(code), want{"", func(c candidateRow) bool { return c.code == code }}},
		{"code with spaces and marks", "national_code", "\u200f " + code[:3] + "-" + code[3:9] + "-" + code[9:] + " \u00a0", want{"", func(c candidateRow) bool { return c.code == code }}},
		{"code lost leading zeros (number in Excel)", "national_code", strings.TrimLeft(zeroCode, "0"), want{"", func(c candidateRow) bool { return c.code == zeroCode }}},
		{"code as 12345679.0", "national_code", strings.TrimLeft(zeroCode, "0") + ".0", want{"", func(c candidateRow) bool { return c.code == zeroCode }}},
		{"code in scientific notation", "national_code", "1.234567891E+09", want{"", func(c candidateRow) bool { return c.code == "1234567891" }}},
		{"code scientific lost digits", "national_code", "1.23457E+09", want{"invalid_national_code", nil}},
		{"code check digit", "national_code", badCheck(code), want{"national_code_check_digit", nil}},
		{"code repeated digit", "national_code", "1111111111", want{"national_code_repeated_digits", nil}},
		{"code empty", "national_code", "  ", want{"required", nil}},
		{"code letters", "national_code", "12345abcde", want{"invalid_national_code", nil}},
		{"code too short", "national_code", "1234567", want{"invalid_national_code", nil}},
		{"code too long", "national_code", "123456789012", want{"invalid_national_code", nil}},
		// Names.
		{"name arabic letters", "first_name", "علي", want{"", func(c candidateRow) bool { return c.firstName == "علی" }}},
		{"name kaf", "last_name", "كريمي", want{"", func(c candidateRow) bool {
			return c.lastName == "کریمی" && strings.HasSuffix(c.searchText, "کریمی")
		}}},
		{"name zwnj and spaces", "last_name", "  عبدالله\u200c\u200cزاده  ", want{"", func(c candidateRow) bool { return c.lastName == "عبدالله\u200cزاده" }}},
		{"name zwnj at end dropped", "first_name", "مهدی\u200c", want{"", func(c candidateRow) bool { return c.firstName == "مهدی" }}},
		{"name inner spaces collapsed", "last_name", "آل   احمد", want{"", func(c candidateRow) bool { return c.lastName == "آل احمد" }}},
		{"name latin", "first_name", "Ali", want{"", func(c candidateRow) bool { return c.firstName == "Ali" }}},
		{"name empty", "first_name", "", want{"required", nil}},
		{"name digits", "last_name", "احمدی۲", want{"name_has_digits", nil}},
		{"name symbols", "first_name", "علی@", want{"name_invalid", nil}},
		{"name only punctuation", "first_name", "-.-", want{"name_invalid", nil}},
		{"name too long", "last_name", strings.Repeat("ب", 101), want{"too_long", nil}},
		{"cell too long", "last_name", strings.Repeat("ب", 3000), want{"too_long", nil}},
		// Gender.
		{"gender male fa", "gender", "مرد", want{"", func(c candidateRow) bool { return c.gender == "male" }}},
		{"gender female fa", "gender", "خانم", want{"", func(c candidateRow) bool { return c.gender == "female" }}},
		{"gender en", "gender", "Female", want{"", func(c candidateRow) bool { return c.gender == "female" }}},
		{"gender empty", "gender", "", want{"", func(c candidateRow) bool { return c.gender == "" }}},
		{"gender bad", "gender", "x", want{"gender_invalid", nil}},
		// Birth date.
		{"birth persian digits", "birth_date", "۱۳۷۵/۰۶/۲۱", want{"", func(c candidateRow) bool { return c.birthDate == "1375/06/21" }}},
		{"birth dashes", "birth_date", "1375-6-21", want{"", func(c candidateRow) bool { return c.birthDate == "1375/06/21" }}},
		{"birth esfand 30 leap", "birth_date", "1375/12/30", want{"", func(c candidateRow) bool { return c.birthDate == "1375/12/30" }}},
		{"birth esfand 30 common", "birth_date", "1376/12/30", want{"birth_date_invalid", nil}},
		{"birth mehr 31", "birth_date", "1370/07/31", want{"birth_date_invalid", nil}},
		{"birth gregorian", "birth_date", "1996/09/11", want{"birth_date_out_of_range", nil}},
		{"birth excel serial", "birth_date", "35000", want{"birth_date_invalid", nil}},
		{"birth too young", "birth_date", "1395/01/01", want{"birth_date_out_of_range", nil}},
		{"birth empty", "birth_date", "", want{"", func(c candidateRow) bool { return c.birthDate == "" }}},
		// Province.
		{"province fa", "exam_province", "اصفهان", want{"", func(c candidateRow) bool { return c.province == "ISF" }}},
		{"province en variant", "exam_province", "Esfahan", want{"", func(c candidateRow) bool { return c.province == "ISF" }}},
		{"province code", "exam_province", "KRZ", want{"", func(c candidateRow) bool { return c.province == "KRZ" }}},
		{"province arabic yeh", "exam_province", "خراسان رضوي", want{"", func(c candidateRow) bool { return c.province == "KRZ" }}},
		{"province by city", "exam_province", "مشهد", want{"", func(c candidateRow) bool { return c.province == "KRZ" }}},
		{"province unknown", "exam_province", "آتلانتیس", want{"province_unknown", nil}},
		{"province empty", "exam_province", "", want{"required", nil}},
		// Score.
		{"score decimal", "score", "87.456", want{"", func(c candidateRow) bool { return c.score == 87.46 }}},
		{"score persian", "score", "۸۷٫۵", want{"", func(c candidateRow) bool { return c.score == 87.5 }}},
		{"score excel float noise", "score", "87.499999999999993", want{"", func(c candidateRow) bool { return c.score == 87.5 }}},
		{"score bounds", "score", "100", want{"", func(c candidateRow) bool { return c.score == 100 }}},
		{"score zero", "score", "0", want{"", func(c candidateRow) bool { return c.score == 0 }}},
		{"score over", "score", "100.01", want{"score_out_of_range", nil}},
		{"score negative", "score", "-1", want{"score_out_of_range", nil}},
		{"score text", "score", "عالی", want{"score_invalid", nil}},
		{"score empty", "score", "", want{"required", nil}},
		// Rank.
		{"rank persian", "rank", "۱۲", want{"", func(c candidateRow) bool { return c.rank == 12 }}},
		{"rank excel float", "rank", "12.0", want{"", func(c candidateRow) bool { return c.rank == 12 }}},
		{"rank thousands", "rank", "1,234", want{"", func(c candidateRow) bool { return c.rank == 1234 }}},
		{"rank fraction", "rank", "12.5", want{"rank_invalid", nil}},
		{"rank zero", "rank", "0", want{"rank_out_of_range", nil}},
		{"rank huge", "rank", "99999999999", want{"rank_out_of_range", nil}},
		{"rank empty when passed", "rank", "", want{"required", nil}},
		// Result.
		{"result qabul", "result", "قبول", want{"", func(c candidateRow) bool { return c.result == ResultPassed }}},
		{"result passed", "result", "Passed", want{"", func(c candidateRow) bool { return c.result == ResultPassed }}},
		{"result mardood", "result", "مردود", want{"", func(c candidateRow) bool { return c.result == ResultNotPassed }}},
		{"result not_passed", "result", "not_passed", want{"", func(c candidateRow) bool { return c.result == ResultNotPassed }}},
		{"result bad", "result", "شاید", want{"result_invalid", nil}},
		{"result empty", "result", "", want{"required", nil}},
		// Preferences.
		{"prefs fa with ،", "preferences", "تهران، کرج، اصفهان", want{"", func(c candidateRow) bool { return c.preferences == `["tehran","karaj","isfahan"]` }}},
		{"prefs ; and codes", "preferences", "mashhad; qom-city;shiraz", want{"", func(c candidateRow) bool { return c.preferences == `["mashhad","qom-city","shiraz"]` }}},
		{"prefs aliases", "preferences", "Esfahan, Teheran", want{"", func(c candidateRow) bool { return c.preferences == `["isfahan","tehran"]` }}},
		{"prefs numbered", "preferences", "۱- تهران؛ ۲- کرج", want{"", func(c candidateRow) bool { return c.preferences == `["tehran","karaj"]` }}},
		{"prefs line breaks", "preferences", "تهران\nکرج", want{"", func(c candidateRow) bool { return c.preferences == `["tehran","karaj"]` }}},
		{"prefs repeat keeps first place", "preferences", "کرج، تهران، Karaj", want{"", func(c candidateRow) bool { return c.preferences == `["karaj","tehran"]` }}},
		{"prefs arabic letters", "preferences", "كرمانشاه", want{"", func(c candidateRow) bool { return c.preferences == `["kermanshah"]` }}},
		{"prefs unknown city", "preferences", "تهران، گاتهام", want{"city_unknown", nil}},
		{"prefs province not city", "preferences", "فارس", want{"city_unknown", nil}},
		{"prefs empty when passed", "preferences", " ; ، ", want{"required", nil}},
		{"prefs too many", "preferences", strings.Repeat("تهران،", 201), want{"preferences_too_many", nil}},
	}
	p := parserFor(t, gaz, stdHeader)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := goodRow(7)
			r[cols[tc.col]] = tc.value
			p.rejs = p.rejs[:0]
			c, _, _ := p.parse(2, r)
			if tc.want.reject == "" {
				if len(p.rejs) > 0 {
					t.Fatalf("%q refused: %+v", tc.value, p.rejs)
				}
				if tc.want.check != nil && !tc.want.check(c) {
					t.Fatalf("%q parsed as %+v", tc.value, c)
				}
				return
			}
			if len(p.rejs) != 1 || p.rejs[0].Code != tc.want.reject || p.rejs[0].Column != tc.col {
				t.Fatalf("%q: rejections %+v, want one %s on %s", tc.value, p.rejs, tc.want.reject, tc.col)
			}
			j := p.rejs[0]
			if j.ReasonFa == "" || j.ReasonEn == "" || j.Row != 2 || j.Header == "" {
				t.Fatalf("incomplete rejection %+v", j)
			}
			if tc.col == "national_code" && strings.ContainsAny(strings.TrimLeft(j.Value, "*"), "0123456789") && len(strings.TrimLeft(j.Value, "*")) > 4 {
				t.Fatalf("national code not masked: %q", j.Value)
			}
		})
	}
}

func TestNotPassedRows(t *testing.T) {
	gaz := sqliteGazetteer(t)
	p := parserFor(t, gaz, stdHeader)
	// A candidate who did not pass needs no rank and no preferences.
	r := row(validCode(3), "سارا", "نوری", "زن", "", "قم", "41", "", "مردود", "")
	c, _, ok := p.parse(5, r)
	if len(p.rejs) != 0 || !ok || c.result != ResultNotPassed || c.rank != 0 || c.preferences != "[]" {
		t.Fatalf("not passed: %+v %+v", c, p.rejs)
	}
	// Several problems in one row: one rejection per column.
	p.rejs = p.rejs[:0]
	p.parse(6, row(badCheck(validCode(3)), "", "نوری", "?", "1300/13/01", "x", "200", "-", "قبول", "گاتهام"))
	got := map[string]string{}
	for _, j := range p.rejs {
		got[j.Column] = j.Code
	}
	want := map[string]string{"national_code": "national_code_check_digit", "first_name": "required", "gender": "gender_invalid",
		"birth_date": "birth_date_invalid", "exam_province": "province_unknown", "score": "score_out_of_range", "rank": "rank_invalid",
		"preferences": "city_unknown"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	// The unknown city is named.
	for _, j := range p.rejs {
		if j.Column == "preferences" && (!strings.Contains(j.ReasonEn, "گاتهام") || !strings.Contains(j.ReasonFa, "گاتهام")) {
			t.Errorf("unknown city not named: %+v", j)
		}
	}
}

func TestMaskDigitRuns(t *testing.T) {
	for in, want := range map[string]string{
		"0084575948":            "******5948",
		"علی ۰۰۸۴۵۷۵۹۴۸":        "علی ******5948",
		"84575948":              "******5948",
		"1375/06/21":            "1375/06/21",
		"1234567":               "1234567",
		"a 12345678 b 1234":     "a ******5678 b 1234",
		"":                      "",
		"٠٠٨٤٥٧٥٩٤٨, 008457594": "******5948, ******7594",
	} {
		if got := MaskDigitRuns(in); got != want {
			t.Errorf("MaskDigitRuns(%q) = %q, want %q", in, got, want)
		}
	}
	// A national code typed into the name column does not leak into the report.
	gaz := sqliteGazetteer(t)
	p := parserFor(t, gaz, stdHeader)
	r := goodRow(1)
	r[1] = "0084575948"
	p.parse(2, r)
	if len(p.rejs) != 1 || p.rejs[0].Value != "******5948" {
		t.Fatalf("%+v", p.rejs)
	}
}
