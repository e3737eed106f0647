package api

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/daftar-ir/daftar"
	"github.com/daftar-ir/daftar/api/chart"
	"github.com/gin-gonic/gin"
)

// kit writes what a page shows a person, in the page's language: numbers
// rounded for people (Persian digits and separators on Persian pages),
// Jalali dates, clock times, and left-to-right codes wrapped so they keep
// their place in right-to-left text. Handlers build their view models with
// it, so templates only place strings. It is for every page (owner, staff,
// citizen); nothing in it is specific to one.
type kit struct {
	lang string
	t    func(string) string
}

func (s *Server) kitOf(c *gin.Context) kit {
	lang := s.langOf(c)
	return kit{lang: lang, t: translator(lang)}
}

func (k kit) fa() bool { return k.lang != "en" }

// Num writes v with at most decimals places, trailing zeros dropped; NaN
// is "—".
func (k kit) Num(v float64, decimals int) string { return chart.FormatNumber(v, decimals, k.fa()) }

// NumP is Num for an optional figure: nil is "—".
func (k kit) NumP(p *float64, decimals int) string {
	if p == nil {
		return "—"
	}
	return k.Num(*p, decimals)
}

// Int writes a count with thousands grouped.
func (k kit) Int(n int64) string { return k.Num(float64(n), 0) }

// Digits writes a string's ASCII digits as Persian digits on Persian pages
// (a date or time already formatted).
func (k kit) Digits(s string) string {
	if k.fa() {
		return daftar.PersianDigits(s)
	}
	return s
}

// Pct writes a share (0.123) as a percentage ("۱۲٫۳٪", "12.3%").
func (k kit) Pct(share float64, decimals int) string {
	if math.IsNaN(share) {
		return "—"
	}
	if k.fa() {
		return k.Num(share*100, decimals) + "٪"
	}
	return k.Num(share*100, decimals) + "%"
}

// PctP is Pct for an optional share.
func (k kit) PctP(p *float64, decimals int) string {
	if p == nil {
		return "—"
	}
	return k.Pct(*p, decimals)
}

// Minutes writes a duration in minutes, whole above ten, with its unit.
func (k kit) Minutes(p *float64) string {
	if p == nil {
		return "—"
	}
	d := 1
	if math.Abs(*p) >= 10 {
		d = 0
	}
	return k.Num(*p, d) + " " + k.t("minutes")
}

// Rials writes an amount of rials with its unit.
func (k kit) Rials(n int64) string { return k.Int(n) + " " + k.t("rials") }

// Date writes t's Tehran day as a Jalali date (۱۴۰۵/۰۹/۱۰).
func (k kit) Date(t time.Time) string { return k.Digits(daftar.ToJalali(t).String()) }

// DateTime writes t as a Jalali date and a Tehran clock time.
func (k kit) DateTime(t time.Time) string { return k.Digits(daftar.FormatJalaliDateTime(t)) }

// Clock writes a minute of the day as HH:MM.
func (k kit) Clock(minute int) string {
	return k.Digits(pad2(minute/60) + ":" + pad2(minute%60))
}

// Hour writes an hour of the day as a span ("۱۰ تا ۱۱", "10-11").
func (k kit) Hour(h int) string {
	if k.fa() {
		return k.Num(float64(h), 0) + " " + k.t("to") + " " + k.Num(float64(h+1), 0)
	}
	return pad2(h) + ":00-" + pad2(h+1) + ":00"
}

// Period writes a Jalali month or quarter ("آبان ۱۴۰۵", "Aban 1405").
func (k kit) Period(p daftar.Period) string {
	if k.fa() {
		return p.LabelFa()
	}
	return p.LabelEn()
}

// DayShort writes a day as month/day (۹/۱۰) for a chart's axis.
func (k kit) DayShort(t time.Time) string {
	d := daftar.ToJalali(t)
	return k.Num(float64(d.Month), 0) + "/" + k.Num(float64(d.Day), 0)
}

// LTR wraps text that reads left to right (a code, a username, a phone
// number, a ticket) so that it keeps its own order and its place inside
// right-to-left text.
func (k kit) LTR(s string) template.HTML {
	return template.HTML(`<bdi dir="ltr">` + template.HTMLEscapeString(s) + `</bdi>`)
}

// Chart is the chart options of the page's language, every word from the
// dictionary.
func (k kit) Chart(title, desc string) chart.Options {
	o := chart.ForLang(k.lang)
	o.Title, o.Desc, o.NoData = title, desc, k.t("no_data")
	return o
}

// Figure draws a chart with its table alternative; with nothing to draw
// it is one line saying so, not an empty frame.
func (k kit) Figure(c chart.Chart, o chart.Options) template.HTML {
	if c.Marks() == 0 {
		return template.HTML(`<p class="chart-nodata" data-empty="true">` + template.HTMLEscapeString(o.NoData) + `</p>`)
	}
	return chart.Figure(c, o, k.t("show_as_table"))
}

// Weekday is the name of a weekday (0 Saturday).
func (k kit) Weekday(i int) string {
	keys := [7]string{"sat", "sun", "mon", "tue", "wed", "thu", "fri"}
	if i < 0 || i > 6 {
		return ""
	}
	return k.t(keys[i])
}

func pad2(n int) string { return fmt.Sprintf("%02d", n) }

// Text writes free text from the register (a name, an address) for the
// page: on Persian pages its digits become Persian, and a code inside it
// (a run of Latin letters with digits or hyphens, THR-1405-0036) is
// wrapped to read left to right. On English pages it is isolated, so that
// Persian text keeps its own direction.
func (k kit) Text(s string) template.HTML {
	if !k.fa() { // Persian text on an English page keeps its own direction
		return template.HTML("<bdi>" + template.HTMLEscapeString(s) + "</bdi>")
	}
	return template.HTML(k.mixed(s, template.HTMLEscapeString, func(code string) string {
		return `<bdi dir="ltr">` + template.HTMLEscapeString(code) + `</bdi>`
	}))
}

// Plain is Text for places that take plain text (a chart's labels): a code
// is isolated left to right by Unicode's LRI and PDI marks.
func (k kit) Plain(s string) string {
	return k.mixed(s, func(s string) string { return s }, func(code string) string { return "\u2066" + code + "\u2069" })
}

func (k kit) mixed(s string, esc func(string) string, code func(string) string) string {
	if !k.fa() {
		return esc(s)
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if !isCodeRune(rs[i]) {
			b.WriteString(esc(string(rs[i])))
			i++
			continue
		}
		j := i
		letters := false
		for j < len(rs) && (isCodeRune(rs[j]) || (rs[j] == '-' || rs[j] == '/' || rs[j] == '.') && j+1 < len(rs) && isCodeRune(rs[j+1])) {
			letters = letters || rs[j] >= 'A' && rs[j] <= 'Z' || rs[j] >= 'a' && rs[j] <= 'z'
			j++
		}
		if run := string(rs[i:j]); letters {
			b.WriteString(code(run))
		} else {
			b.WriteString(esc(daftar.PersianDigits(run)))
		}
		i = j
	}
	return b.String()
}

func isCodeRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z'
}
