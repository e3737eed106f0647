package licensing

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/geo"
)

// Candidate states, in the order a candidate moves through them:
// passed ▸ documents_submitted ▸ approved | rejected ▸ allocated ▸ licensed.
// not_passed candidates are kept (the file's result, and one candidate per
// national code and exam year) but go nowhere.
const (
	StateNotPassed          = "not_passed"
	StatePassed             = "passed"
	StateDocumentsSubmitted = "documents_submitted"
	StateApproved           = "approved"
	StateRejected           = "rejected"
	StateAllocated          = "allocated"
	StateLicensed           = "licensed"
)

// CandidateStates lists every state.
var CandidateStates = []string{StateNotPassed, StatePassed, StateDocumentsSubmitted, StateApproved, StateRejected,
	StateAllocated, StateLicensed}

// Exam results as stored.
const (
	ResultPassed    = "passed"
	ResultNotPassed = "not_passed"
)

// Limits of the values in a row.
const (
	maxCellBytes   = 4096
	maxNameRunes   = 100
	maxPreferences = 200 // entries in one cell, before removing repeats
	maxRank        = 10_000_000
	minAge, maxAge = 18, 100
)

// Rejection is one reason a row of an exam-result file was refused.
type Rejection struct {
	Row      int    // the row's number in the file (the header is usually row 1)
	Column   string // canonical column name: national_code, score, ...
	Header   string // that column's header as written in the file
	Value    string // the cell as read (trimmed, shortened), national codes masked
	Code     string // machine-readable reason
	ReasonFa string
	ReasonEn string
}

// candidateRow is one accepted row, ready to write.
type candidateRow struct {
	row         int
	code        string // normalised national code: sealed, never written in clear
	hash        string
	masked      string
	enc         []byte
	firstName   string
	lastName    string
	searchText  string
	gender      string // "" when not given
	birthDate   string // "" when not given
	province    string
	score       float64
	scoreMax    float64 // the import's scale, kept with the candidate
	rank        int64   // 0 when not given
	result      string
	preferences string // JSON array of city codes
}

type cityHit struct {
	code       string
	isProvince bool // the name is a province, not a city
}

type provinceHit struct {
	code string
	ok   bool
}

type prefsHit struct {
	json    string
	n       int
	unknown []string // names that are not cities
	prov    []string // names that are provinces
	tooMany bool
}

type dateHit struct {
	d   daftar.JalaliDate
	err error
}

// rowParser normalises and validates the rows of one file. It caches the
// normalised form of the values that repeat (names, provinces, city lists,
// results), so a large file costs little more than reading it. Not safe for
// concurrent use.
type rowParser struct {
	gaz      *geo.Gazetteer
	hasher   *codeHasher
	cm       columnMap
	examYear int
	scoreMax float64
	// scaleSource says where scoreMax came from (ScaleGiven, ...): an
	// out-of-range score on the default scale gets a hint.
	scaleSource string

	text     map[string]string
	fold     map[string]string
	province map[string]provinceHit
	city     map[string]cityHit
	prefs    map[string]prefsHit
	result   map[string]string
	gender   map[string]string
	dates    map[string]dateHit
	rejs     []Rejection
}

const parserCacheMax = 50_000

func newRowParser(gaz *geo.Gazetteer, codes *NationalCodes, cm columnMap, examYear int, scoreMax float64) *rowParser {
	return &rowParser{gaz: gaz, hasher: codes.hasher(), cm: cm, examYear: examYear, scoreMax: scoreMax,
		text: map[string]string{}, fold: map[string]string{}, province: map[string]provinceHit{},
		city: map[string]cityHit{}, prefs: map[string]prefsHit{}, result: map[string]string{},
		gender: map[string]string{}, dates: map[string]dateHit{}}
}

func cacheSet[V any](m map[string]V, k string, v V) {
	if len(m) < parserCacheMax {
		m[k] = v
	}
}

func fa(n int) string { return daftar.PersianDigits(strconv.Itoa(n)) }

// reject records a reason the current row is refused.
func (p *rowParser) reject(row int, f field, value, code, reasonFa, reasonEn string) {
	switch f {
	case fNationalCode:
		value = daftar.MaskNationalCode(value)
	case fScore, fRank:
		value = shorten(strings.TrimSpace(value), 200)
	default:
		// A national code in the wrong column is masked all the same.
		value = shorten(MaskDigitRuns(strings.TrimSpace(value)), 200)
	}
	header := ""
	if i := p.cm.index[f]; i >= 0 && i < len(p.cm.header) {
		header = strings.TrimSpace(p.cm.header[i])
	}
	p.rejs = append(p.rejs, Rejection{Row: row, Column: fieldSpecs[f].name, Header: header, Value: value, Code: code,
		ReasonFa: reasonFa, ReasonEn: reasonEn})
}

func shorten(s string, maxRunes int) string {
	if utf8.RuneCountInString(s) <= maxRunes {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	r := []rune(s)
	return string(r[:maxRunes]) + "…"
}

// isBlank reports whether every cell is empty or white space.
func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimFunc(c, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) }) != "" {
			return false
		}
	}
	return true
}

func trimCell(s string) string {
	// Fast path: nothing to trim.
	if s == "" || (s[0] > ' ' && s[0] < 0x80 && s[len(s)-1] > ' ' && s[len(s)-1] < 0x80) {
		return s
	}
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) })
}

// parse reads one data row. It returns the candidate and whether the row is
// clean; the reasons it is not are in p.rejs (reset by the caller). codeKey
// is the national code as a number when the code itself is valid (whatever
// else is wrong), for finding duplicates.
func (p *rowParser) parse(row int, cells []string) (c candidateRow, codeKey uint64, codeOK bool) {
	start := len(p.rejs)
	c.row = row
	get := func(f field) (string, bool) {
		v := trimCell(p.cm.cell(cells, f))
		if len(v) > maxCellBytes {
			p.reject(row, f, v, "too_long", "مقدار این خانه بیش از اندازه طولانی است",
				"the value is too long (more than "+strconv.Itoa(maxCellBytes)+" bytes)")
			return "", false
		}
		return v, true
	}

	// National code.
	if raw, ok := get(fNationalCode); ok {
		codeKey, codeOK = p.nationalCode(row, raw, &c)
	}
	// Names.
	if raw, ok := get(fFirstName); ok {
		c.firstName = p.name(row, fFirstName, raw)
	}
	if raw, ok := get(fLastName); ok {
		c.lastName = p.name(row, fLastName, raw)
	}
	// Result first: it decides what else is required.
	if raw, ok := get(fResult); ok {
		c.result = p.examResult(row, raw)
	}
	if p.cm.has(fGender) {
		if raw, ok := get(fGender); ok && raw != "" {
			c.gender = p.genderOf(row, raw)
		}
	}
	if p.cm.has(fBirthDate) {
		if raw, ok := get(fBirthDate); ok && raw != "" {
			c.birthDate = p.birthDate(row, raw)
		}
	}
	if raw, ok := get(fExamProvince); ok {
		c.province = p.provinceOf(row, raw)
	}
	if raw, ok := get(fScore); ok {
		c.score = p.scoreOf(row, raw)
	}
	c.scoreMax = p.scoreMax
	if raw, ok := get(fRank); ok {
		c.rank = p.rankOf(row, raw, c.result == ResultPassed)
	}
	if raw, ok := get(fPreferences); ok {
		c.preferences = p.preferencesOf(row, raw, c.result == ResultPassed)
	}
	if len(p.rejs) == start && c.firstName != "" && c.lastName != "" {
		c.searchText = p.folded(c.firstName) + " " + p.folded(c.lastName)
	}
	return c, codeKey, codeOK
}

func (p *rowParser) nationalCode(row int, raw string, c *candidateRow) (uint64, bool) {
	if raw == "" {
		p.reject(row, fNationalCode, raw, "required", "کد ملی خالی است", "the national code is empty")
		return 0, false
	}
	code := raw
	if !isTenDigits(code) {
		n, err := daftar.NormalizeNationalCode(raw)
		if err != nil {
			msg := "the national code must have 10 digits"
			msgFa := "کد ملی باید ۱۰ رقم باشد"
			if de, ok := daftar.AsError(err); ok {
				msg = de.Message
				switch {
				case strings.Contains(msg, "scientific"):
					msgFa = "کد ملی به صورت نماد علمی ذخیره شده و ارقامی از آن از دست رفته است؛ ستون را به قالب متن درآورید و دوباره خروجی بگیرید"
				case strings.Contains(msg, "only digits"), strings.Contains(msg, "whole number"):
					msgFa = "کد ملی فقط باید رقم داشته باشد"
				}
			}
			p.reject(row, fNationalCode, raw, "invalid_national_code", msgFa, msg)
			return 0, false
		}
		code = n
	}
	if strings.Count(code, code[:1]) == len(code) {
		p.reject(row, fNationalCode, raw, "national_code_repeated_digits", "کد ملی با یک رقم تکراری معتبر نیست",
			"a national code of one repeated digit is not valid")
		return 0, false
	}
	if !daftar.ValidNationalCode(code) {
		p.reject(row, fNationalCode, raw, "national_code_check_digit", "رقم کنترل کد ملی درست نیست",
			"the national code's check digit is wrong")
		return 0, false
	}
	key, _ := strconv.ParseUint(code, 10, 64)
	c.code = code
	c.hash = p.hasher.hash(code)
	c.masked = "******" + code[6:]
	return key, true
}

func isTenDigits(s string) bool {
	if len(s) != 10 {
		return false
	}
	for i := 0; i < 10; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (p *rowParser) normText(raw string) string {
	if v, ok := p.text[raw]; ok {
		return v
	}
	v := daftar.NormalizeText(raw)
	cacheSet(p.text, raw, v)
	return v
}

func (p *rowParser) folded(name string) string {
	if v, ok := p.fold[name]; ok {
		return v
	}
	v := daftar.FoldForMatch(name)
	cacheSet(p.fold, name, v)
	return v
}

func (p *rowParser) name(row int, f field, raw string) string {
	label, labelFa := "first name", "نام"
	if f == fLastName {
		label, labelFa = "last name", "نام خانوادگی"
	}
	if raw == "" {
		p.reject(row, f, raw, "required", labelFa+" خالی است", "the "+label+" is empty")
		return ""
	}
	n := p.normText(raw)
	letters := 0
	for _, r := range n {
		switch {
		case unicode.IsLetter(r), unicode.Is(unicode.Mn, r):
			letters++
		case r == ' ', r == '\u200c', r == '-', r == '.', r == '\'', r == '’', r == '(', r == ')':
		case unicode.IsDigit(r):
			p.reject(row, f, raw, "name_has_digits", labelFa+" نباید رقم داشته باشد", "the "+label+" must not contain digits")
			return ""
		default:
			p.reject(row, f, raw, "name_invalid", labelFa+" نویسه‌های نامعتبر دارد", "the "+label+" has characters a name does not have")
			return ""
		}
	}
	if letters == 0 {
		p.reject(row, f, raw, "name_invalid", labelFa+" باید حرف داشته باشد", "the "+label+" must contain letters")
		return ""
	}
	if utf8.RuneCountInString(n) > maxNameRunes {
		p.reject(row, f, raw, "too_long", labelFa+" بیش از "+fa(maxNameRunes)+" نویسه است",
			"the "+label+" is longer than "+strconv.Itoa(maxNameRunes)+" characters")
		return ""
	}
	return n
}

var resultWords = map[string]string{
	"passed": ResultPassed, "pass": ResultPassed, "accepted": ResultPassed, "yes": ResultPassed,
	"قبول": ResultPassed, "قبول شده": ResultPassed, "پذیرفته": ResultPassed, "پذیرفته شده": ResultPassed, "مجاز": ResultPassed,
	"not passed": ResultNotPassed, "not_passed": ResultNotPassed, "notpassed": ResultNotPassed, "failed": ResultNotPassed,
	"fail": ResultNotPassed, "rejected": ResultNotPassed, "no": ResultNotPassed,
	"مردود": ResultNotPassed, "رد": ResultNotPassed, "رد شده": ResultNotPassed, "قبول نشده": ResultNotPassed,
	"غیر مجاز": ResultNotPassed, "غیرمجاز": ResultNotPassed, "عدم قبولی": ResultNotPassed,
}

var foldedResultWords = foldKeys(resultWords)

var genderWords = foldKeys(map[string]string{
	"male": "male", "m": "male", "man": "male", "مرد": "male", "آقا": "male", "مذکر": "male",
	"female": "female", "f": "female", "woman": "female", "زن": "female", "خانم": "female", "بانو": "female", "مونث": "female", "مؤنث": "female",
})

func foldKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[daftar.FoldForMatch(k)] = v
	}
	return out
}

func (p *rowParser) examResult(row int, raw string) string {
	if raw == "" {
		p.reject(row, fResult, raw, "required", "نتیجه خالی است", "the result is empty")
		return ""
	}
	v, ok := p.result[raw]
	if !ok {
		v = foldedResultWords[daftar.FoldForMatch(raw)]
		cacheSet(p.result, raw, v)
	}
	if v == "" {
		p.reject(row, fResult, raw, "result_invalid", "نتیجه باید «قبول» یا «مردود» باشد",
			"the result must be passed or not_passed (قبول / مردود)")
	}
	return v
}

func (p *rowParser) genderOf(row int, raw string) string {
	v, ok := p.gender[raw]
	if !ok {
		v = genderWords[daftar.FoldForMatch(raw)]
		cacheSet(p.gender, raw, v)
	}
	if v == "" {
		p.reject(row, fGender, raw, "gender_invalid", "جنسیت باید «مرد» یا «زن» باشد", "the gender must be male or female (مرد / زن)")
	}
	return v
}

func (p *rowParser) birthDate(row int, raw string) string {
	h, ok := p.dates[raw]
	if !ok {
		h.d, h.err = daftar.ParseJalaliDate(raw)
		cacheSet(p.dates, raw, h)
	}
	if h.err != nil {
		msg := "the birth date must be a Jalali date like 1375/06/21"
		if de, ok := daftar.AsError(h.err); ok && strings.Contains(de.Message, "does not exist") {
			msg = de.Message
		}
		p.reject(row, fBirthDate, raw, "birth_date_invalid", "تاریخ تولد باید تاریخی شمسی و موجود به شکل ۱۳۷۵/۰۶/۲۱ باشد", msg)
		return ""
	}
	if age := p.examYear - h.d.Year; age < minAge || age > maxAge {
		p.reject(row, fBirthDate, raw, "birth_date_out_of_range",
			"سن داوطلب در سال آزمون باید بین "+fa(minAge)+" و "+fa(maxAge)+" سال باشد",
			"the candidate's age in the exam year must be between "+strconv.Itoa(minAge)+" and "+strconv.Itoa(maxAge))
		return ""
	}
	return h.d.String()
}

// provinceOf matches the exam province by any known spelling; a city's name
// is read as its province ("مشهد" → Razavi Khorasan).
func (p *rowParser) provinceOf(row int, raw string) string {
	if raw == "" {
		p.reject(row, fExamProvince, raw, "required", "استان محل آزمون خالی است", "the exam province is empty")
		return ""
	}
	h, ok := p.province[raw]
	if !ok {
		if r, found := p.gaz.MatchProvince(raw); found {
			h = provinceHit{r.Code, true}
		} else if c, found := p.gaz.MatchCity(raw); found {
			if pr, found := p.gaz.Province(c.Code); found {
				h = provinceHit{pr.Code, true}
			}
		}
		cacheSet(p.province, raw, h)
	}
	if !h.ok {
		p.reject(row, fExamProvince, raw, "province_unknown", "استان «"+shorten(raw, 40)+"» شناخته نشد",
			"the province "+strconv.Quote(shorten(raw, 40))+" is not known")
		return ""
	}
	return h.code
}

// number reads a number as spreadsheets and people write it.
func number(raw string, integer bool) (float64, bool) {
	ascii := true
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; (c < '0' || c > '9') && c != '.' {
			ascii = false
			break
		}
	}
	if ascii && raw != "" && raw[0] != '.' && raw[len(raw)-1] != '.' {
		if integer && strings.IndexByte(raw, '.') < 0 && len(raw) <= 18 {
			n, err := strconv.ParseInt(raw, 10, 64)
			return float64(n), err == nil
		}
		f, err := strconv.ParseFloat(raw, 64)
		return f, err == nil
	}
	f, err := daftar.ParseFloat(raw)
	return f, err == nil
}

// scoreOf reads the score: a decimal number from 0 to the configured
// maximum, rounded to two decimals.
func (p *rowParser) scoreOf(row int, raw string) float64 {
	if raw == "" {
		p.reject(row, fScore, raw, "required", "نمره خالی است", "the score is empty")
		return 0
	}
	f, ok := number(raw, false)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		p.reject(row, fScore, raw, "score_invalid", "نمره باید عدد باشد", "the score must be a number")
		return 0
	}
	if f < 0 || f > p.scoreMax {
		max := strconv.FormatFloat(p.scoreMax, 'f', -1, 64)
		hintFa, hintEn := scaleHint(p.scaleSource)
		p.reject(row, fScore, raw, "score_out_of_range", "نمره باید بین ۰ و "+daftar.PersianDigits(max)+" باشد"+hintFa,
			"the score must be between 0 and "+max+hintEn)
		return 0
	}
	return math.Round(f*100) / 100
}

func (p *rowParser) rankOf(row int, raw string, required bool) int64 {
	if raw == "" {
		if required {
			p.reject(row, fRank, raw, "required", "رتبهٔ داوطلب قبول‌شده خالی است", "a passed candidate's rank is empty")
		}
		return 0
	}
	f, ok := number(raw, true)
	if !ok || f != math.Trunc(f) {
		p.reject(row, fRank, raw, "rank_invalid", "رتبه باید عددی صحیح باشد", "the rank must be a whole number")
		return 0
	}
	if f < 1 || f > maxRank {
		p.reject(row, fRank, raw, "rank_out_of_range", "رتبه باید بین ۱ و "+fa(maxRank)+" باشد",
			"the rank must be between 1 and "+strconv.Itoa(maxRank))
		return 0
	}
	return int64(f)
}

// isPrefSeparator splits a preference list: ';' '؛' '،' ',' '|' and line
// breaks.
func isPrefSeparator(r rune) bool {
	return r == ';' || r == '؛' || r == '،' || r == ',' || r == '|' || r == '\n' || r == '\r' || r == '\t'
}

// stripOrdinal removes a leading "1." "۲-" "3)" that people number their
// choices with.
func stripOrdinal(s string) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !(r >= '0' && r <= '9' || r >= '۰' && r <= '۹' || r >= '٠' && r <= '٩') {
			break
		}
		i += size
	}
	if i == 0 || i == len(s) {
		return s
	}
	rest := strings.TrimLeft(s[i:], " ")
	if rest != "" && (rest[0] == '.' || rest[0] == '-' || rest[0] == ')') {
		return strings.TrimSpace(rest[1:])
	}
	return s
}

func (p *rowParser) cityOf(token string) (cityHit, bool) {
	h, ok := p.city[token]
	if !ok {
		if r, found := p.gaz.MatchCity(token); found {
			h.code = r.Code
		} else if _, found := p.gaz.MatchProvince(token); found {
			h.isProvince = true
		}
		cacheSet(p.city, token, h)
	}
	return h, h.code != ""
}

// preferencesOf reads the ordered city choices: names (fa or en, any known
// spelling) or codes, separated by ; ، , or line breaks. A city named twice
// keeps its first place. It returns the JSON array of city codes.
func (p *rowParser) preferencesOf(row int, raw string, required bool) string {
	h, ok := p.prefs[raw]
	if !ok {
		h = p.parsePrefs(raw)
		cacheSet(p.prefs, raw, h)
	}
	switch {
	case h.tooMany:
		p.reject(row, fPreferences, raw, "preferences_too_many", "بیش از "+fa(maxPreferences)+" اولویت نوشته شده است",
			"more than "+strconv.Itoa(maxPreferences)+" preferences")
	case len(h.unknown) > 0 || len(h.prov) > 0:
		var fas, ens []string
		if len(h.unknown) > 0 {
			fas = append(fas, "این شهرها شناخته نشدند: «"+strings.Join(h.unknown, "»، «")+"»")
			ens = append(ens, "unknown cities: "+quoteAll(h.unknown))
		}
		if len(h.prov) > 0 {
			fas = append(fas, "این‌ها نام استان‌اند، نه شهر: «"+strings.Join(h.prov, "»، «")+"»")
			ens = append(ens, "provinces, not cities: "+quoteAll(h.prov))
		}
		p.reject(row, fPreferences, raw, "city_unknown", strings.Join(fas, "؛ "), strings.Join(ens, "; "))
	case h.n == 0 && required:
		p.reject(row, fPreferences, raw, "required", "داوطلب قبول‌شده باید دست‌کم یک شهر را اولویت داده باشد",
			"a passed candidate must list at least one city")
	default:
		return h.json
	}
	return ""
}

func quoteAll(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func (p *rowParser) parsePrefs(raw string) prefsHit {
	var h prefsHit
	var b strings.Builder
	b.WriteByte('[')
	seen := map[string]bool{}
	tokens := 0
	for _, tok := range strings.FieldsFunc(raw, isPrefSeparator) {
		tok = stripOrdinal(trimCell(tok))
		if tok == "" {
			continue
		}
		if tokens++; tokens > maxPreferences {
			h.tooMany = true
			return h
		}
		c, ok := p.cityOf(tok)
		if !ok {
			name := shorten(tok, 40)
			if c.isProvince {
				h.prov = append(h.prov, name)
			} else {
				h.unknown = append(h.unknown, name)
			}
			continue
		}
		if seen[c.code] {
			continue
		}
		seen[c.code] = true
		if h.n > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(c.code) // codes are [a-z0-9-]: nothing to escape
		b.WriteByte('"')
		h.n++
	}
	b.WriteByte(']')
	h.json = b.String()
	return h
}

// MaskDigitRuns masks every run of eight or more digits (ASCII, Persian or
// Arabic-Indic) as a national code is masked, keeping its last four:
// "0084575948" → "******5948". Dates, scores and short numbers stay.
func MaskDigitRuns(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && isDigit(rs[j]) {
			j++
		}
		switch {
		case j-i >= 8:
			b.WriteString("******")
			b.WriteString(daftar.NormalizeDigits(string(rs[j-4 : j])))
			i = j
		case j > i:
			b.WriteString(string(rs[i:j]))
			i = j
		default:
			b.WriteRune(rs[i])
			i++
		}
	}
	return b.String()
}

func isDigit(r rune) bool {
	return r >= '0' && r <= '9' || r >= '۰' && r <= '۹' || r >= '٠' && r <= '٩'
}
