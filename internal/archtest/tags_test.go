package archtest

import (
	"go/ast"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// bothTags lists the struct types of a file that carry gorm and json tags
// at once: a row (gorm) is not a wire type (json), so one struct must not
// be both; the two shapes meet in a named converter instead.
func bothTags(s source) []string {
	var out []string
	ast.Inspect(s.file, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok || st.Fields == nil {
			return true
		}
		var gorm, json bool
		for _, f := range st.Fields.List {
			if f.Tag == nil {
				continue
			}
			raw, err := strconv.Unquote(f.Tag.Value)
			if err != nil {
				continue
			}
			tag := reflect.StructTag(raw)
			if _, ok := tag.Lookup("gorm"); ok {
				gorm = true
			}
			if v, ok := tag.Lookup("json"); ok && v != "-" {
				json = true
			}
		}
		if gorm && json {
			out = append(out, s.path+": "+ts.Name.Name+" has gorm and json tags")
		}
		return true
	})
	return out
}

func TestNoStructWithGormAndJSONTags(t *testing.T) {
	var bad []string
	for _, s := range moduleSources(t) {
		bad = append(bad, bothTags(s)...)
	}
	if len(bad) > 0 {
		t.Errorf("a struct carries gorm tags or json tags, not both (split the row from the wire type):\n  %s", strings.Join(bad, "\n  "))
	}
}

func TestBothTagsDetector(t *testing.T) {
	for _, c := range []struct {
		src  string
		want int
	}{
		{"package x\ntype R struct{ A int `gorm:\"column:a\" json:\"a\"` }", 1},
		{"package x\ntype R struct{ A int `gorm:\"column:a\"`; B int `json:\"b\"` }", 1},
		{"package x\ntype R struct{ A int `gorm:\"column:a\" json:\"-\"` }", 0},
		{"package x\ntype R struct{ A int `gorm:\"column:a\"` }\ntype W struct{ A int `json:\"a\"` }", 0},
		{"package x\nfunc f() { type r struct{ A int `gorm:\"column:a\" json:\"a\"` }; _ = r{} }", 1},
	} {
		if got := len(bothTags(parseSource(t, "x", "x/x.go", c.src))); got != c.want {
			t.Errorf("%q: %d findings, want %d", c.src, got, c.want)
		}
	}
}
