package api_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

// The Persian-page scanner of the staff pages' tests: what a reader of a
// Persian page must not meet. It is the owner pages' scanner (written beside
// this one at the same time) under other names, so both files build in one
// package until the two are made one.
// Every page test may run it on the HTML the server (or the browser) gave:
//
//	for _, p := range scanStaffPage(t, body) { t.Error(p) }
//
// It reads the text a person reads (text nodes, including an SVG chart's
// text, title and desc, and the title, alt, aria-label and placeholder
// attributes; not scripts, styles, comments or other attributes) and
// reports, outside text marked left to right:
//   - ascii_digit: a digit 0-9 (Persian pages write ۰-۹);
//   - english: a run of Latin letters;
//   - middle_dot: '·' and its look-alikes, which read as a Persian zero.
//
// Text is marked left to right inside an element with dir="ltr" (such as
// <bdi dir="ltr"> around a code, a username or a phone number), or between
// the Unicode isolates LRI (U+2066) or FSI (U+2068) and PDI (U+2069).

// staffProblem is one thing found, with the text around it.
type staffProblem struct {
	Kind    string // ascii_digit, english or middle_dot
	Text    string // what was found
	Context string // the text it was found in
}

func (p staffProblem) String() string { return fmt.Sprintf("%s %q in %q", p.Kind, p.Text, p.Context) }

// scanStaffPage lists the problems of a Persian page's HTML; a page that
// cannot be parsed fails the test.
func scanStaffPage(t testing.TB, page string) []staffProblem {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(page))
	type open struct {
		tag string
		ltr bool
	}
	var stack []open
	ltr := func() bool {
		for _, o := range stack {
			if o.ltr {
				return true
			}
		}
		return false
	}
	var out []staffProblem
	for {
		switch z.Next() {
		case html.ErrorToken:
			if err := z.Err(); err != nil && err.Error() != "EOF" {
				t.Fatalf("scan: %v", err)
			}
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			marked := false
			for _, a := range tok.Attr {
				switch a.Key {
				case "dir":
					marked = strings.EqualFold(a.Val, "ltr")
				case "title", "alt", "aria-label", "placeholder":
					if !ltr() {
						out = append(out, scanStaffText(a.Val)...)
					}
				}
			}
			if tok.Type == html.StartTagToken && !staffVoidElement(tok.Data) {
				stack = append(stack, open{tok.Data, marked})
			}
			if tok.Data == "script" || tok.Data == "style" {
				skipStaffRaw(z, tok.Data)
				stack = stack[:len(stack)-1]
			}
		case html.EndTagToken:
			tok := z.Token()
			for i := len(stack) - 1; i >= 0; i-- { // close up to the matching element
				if stack[i].tag == tok.Data {
					stack = stack[:i]
					break
				}
			}
		case html.TextToken:
			if !ltr() {
				out = append(out, scanStaffText(string(z.Text()))...)
			}
		}
	}
}

// skipStaffRaw passes over a script's or style's text.
func skipStaffRaw(z *html.Tokenizer, tag string) {
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		if tt == html.EndTagToken {
			if name, _ := z.TagName(); string(name) == tag {
				return
			}
		}
	}
}

func staffVoidElement(tag string) bool {
	switch tag {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr":
		return true
	}
	return false
}

// scanStaffText finds the problems of one piece of text, leaving out the runs
// isolated left to right.
func scanStaffText(s string) []staffProblem {
	var out []staffProblem
	context := strings.Join(strings.Fields(s), " ")
	if len(context) > 120 {
		context = context[:120] + "…"
	}
	depth := 0
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\u2066' || r == '\u2068':
			depth++
			continue
		case r == '\u2069':
			depth = max(depth-1, 0)
			continue
		case depth > 0:
			continue
		case r == '·' || r == '•' || r == '∙' || r == '⋅':
			out = append(out, staffProblem{"middle_dot", string(r), context})
		case r >= '0' && r <= '9':
			j := i
			for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
				j++
			}
			out = append(out, staffProblem{"ascii_digit", string(rs[i:j]), context})
			i = j - 1
		case r < unicode.MaxASCII && unicode.IsLetter(r):
			j := i
			for j < len(rs) && rs[j] < unicode.MaxASCII && unicode.IsLetter(rs[j]) {
				j++
			}
			out = append(out, staffProblem{"english", string(rs[i:j]), context})
			i = j - 1
		}
	}
	return out
}

// TestScanStaffPage: the scanner finds what it should and nothing that
// is marked left to right, in scripts, styles or plain attributes.
func TestScanStaffPage(t *testing.T) {
	for _, c := range []struct {
		name, page string
		want       []string // kind:text, in order
	}{
		{"clean", `<p>دفتر شمارهٔ ۱۴، ساعت ۰۹:۳۰</p>`, nil},
		{"ascii digits", `<p>پلاک 191 و ۱۹۲</p>`, []string{"ascii_digit:191"}},
		{"english word", `<p>وضعیت: active</p>`, []string{"english:active"}},
		{"middle dot", `<p>شماره ۱ · تهران</p>`, []string{"middle_dot:·"}},
		{"bdi ltr", `<p>کاربر <bdi dir="ltr">owner-thr-0001</bdi> (<span dir="LTR">021-8877</span>)</p>`, nil},
		{"nested in ltr", `<div dir="ltr"><b>THR 1</b><i>x</i></div><p>y</p>`, []string{"english:y"}},
		{"isolates", "<p>نام \u2066THR-1405-0036\u2069 و B</p>", []string{"english:B"}},
		{"script and style", `<script>var a = 1;</script><style>p{margin:0}</style><p>متن</p>`, nil},
		{"attributes", `<a href="/x?id=1" class="b" title="Go 2">x</a><input placeholder="نام" value="abc">`, []string{"english:Go", "ascii_digit:2", "english:x"}},
		{"svg text", `<svg viewBox="0 0 10 10" data-points="3"><title>نمودار</title><text x="1" y="2">12</text></svg>`, []string{"ascii_digit:12"}},
		{"void elements", `<p>الف<br>ب<img alt="C" src="a.png"></p><span dir="ltr">OK<br>OK</span>`, []string{"english:C"}},
	} {
		var got []string
		for _, p := range scanStaffPage(t, c.page) {
			got = append(got, p.Kind+":"+p.Text)
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
