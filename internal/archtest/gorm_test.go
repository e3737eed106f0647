package archtest

import (
	"go/ast"
	"sort"
	"strings"
	"testing"
)

// gormAdaptor is the one package whose exported API may speak gorm.
const gormAdaptor = "internal/db"

// mentionsGorm reports whether a type expression names gorm's DB.
func mentionsGorm(e ast.Node, gormName string) bool {
	if e == nil || gormName == "" {
		return false
	}
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == gormName && sel.Sel.Name == "DB" {
				found = true
			}
		}
		return !found
	})
	return found
}

// gormInAPI lists the exported functions, methods, types, fields and
// variables of a file whose signature or type mentions *gorm.DB.
func gormInAPI(s source) []string {
	_, gormName := imports(s.file)
	if gormName == "" || s.pkg == gormAdaptor {
		return nil
	}
	var out []string
	report := func(what string) { out = append(out, s.path+": "+what+" mentions *gorm.DB") }
	for _, d := range s.file.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			name := d.Name.Name
			if d.Recv != nil && len(d.Recv.List) == 1 {
				name = recvName(d.Recv.List[0].Type) + "." + name
			}
			if mentionsGorm(d.Type, gormName) {
				report("func " + name)
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch sp := spec.(type) {
				case *ast.TypeSpec:
					if !sp.Name.IsExported() {
						continue
					}
					switch t := sp.Type.(type) {
					case *ast.StructType:
						for _, f := range t.Fields.List {
							if !mentionsGorm(f.Type, gormName) {
								continue
							}
							if len(f.Names) == 0 {
								report("type " + sp.Name.Name + " (embedded field)")
							}
							for _, n := range f.Names {
								if n.IsExported() {
									report("field " + sp.Name.Name + "." + n.Name)
								}
							}
						}
					case *ast.InterfaceType:
						for _, m := range t.Methods.List {
							for _, n := range m.Names {
								if n.IsExported() && mentionsGorm(m.Type, gormName) {
									report("method " + sp.Name.Name + "." + n.Name)
								}
							}
						}
					default:
						if mentionsGorm(sp.Type, gormName) {
							report("type " + sp.Name.Name)
						}
					}
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						if n.IsExported() && mentionsGorm(sp.Type, gormName) {
							report("var " + n.Name)
						}
					}
				}
			}
		}
	}
	return out
}

func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvName(t.X)
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return "?"
}

// TestNoGormInExportedSignatures: outside internal/db no exported
// function, method, field or type takes, returns or holds *gorm.DB; work
// that spans packages passes a *db.Tx.
func TestNoGormInExportedSignatures(t *testing.T) {
	var found []string
	for _, s := range moduleSources(t) {
		found = append(found, gormInAPI(s)...)
	}
	sort.Strings(found)
	for _, f := range found {
		t.Error(f)
	}
}

// TestGormDetector: each place gorm can leak into an API is found; the
// unexported helpers and internal/db are left alone.
func TestGormDetector(t *testing.T) {
	src := `package geo
import g "gorm.io/gorm"
func Open(d *g.DB) error { return nil }
func Get() (*g.DB, error) { return nil, nil }
func Run(fn func(tx *g.DB) error) {}
type S struct{}
func (s *S) Do(tx *g.DB) {}
type Holder struct { Conn *g.DB; conn *g.DB }
type Embeds struct { *g.DB }
type Runner interface { Run(tx *g.DB) error; run(tx *g.DB) }
type Fn func(*g.DB)
var Handle *g.DB
func helper(tx *g.DB) {}
func (s *S) helper(tx *g.DB) {}
type hidden struct { Conn *g.DB }
`
	got := gormInAPI(parseSource(t, "geo", "geo/x.go", src))
	want := []string{"func Open", "func Get", "func Run", "func S.Do", "field Holder.Conn", "type Embeds (embedded field)",
		"method Runner.Run", "type Fn", "var Handle"}
	if len(got) != len(want) {
		t.Fatalf("found %d: %q, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if !strings.Contains(got[i], "geo/x.go: "+w+" mentions *gorm.DB") {
			t.Errorf("#%d: %q, want %s", i, got[i], w)
		}
	}
	if got := gormInAPI(parseSource(t, "internal/db", "internal/db/x.go", src)); len(got) != 0 {
		t.Errorf("internal/db is the adaptor: %q", got)
	}
	if got := gormInAPI(parseSource(t, "geo", "geo/y.go", "package geo\nfunc Open(d *DB) {}\n")); len(got) != 0 {
		t.Errorf("no gorm import: %q", got)
	}
}
