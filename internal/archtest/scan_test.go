package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/daftar-ir/daftar"

// source is one parsed Go file and the package (directory below the
// module root, "" for the root) it belongs to.
type source struct {
	path string // relative to the module root
	pkg  string
	file *ast.File
}

// moduleRoot is the directory holding go.mod, above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// moduleSources parses every non-test .go file of the module.
func moduleSources(t *testing.T) []source {
	t.Helper()
	root := moduleRoot(t)
	fset := token.NewFileSet()
	var out []source
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution|parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		pkg := filepath.ToSlash(filepath.Dir(rel))
		if pkg == "." {
			pkg = ""
		}
		out = append(out, source{path: filepath.ToSlash(rel), pkg: pkg, file: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 50 {
		t.Fatalf("only %d Go files found under %s", len(out), root)
	}
	return out
}

// parseSource parses a fixture as the file path of package pkg.
func parseSource(t *testing.T, pkg, path, src string) source {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	return source{path: path, pkg: pkg, file: f}
}

// imports maps a file's import names to module packages (paths below the
// module), and says under which name it imports gorm.io/gorm ("" if not).
func imports(f *ast.File) (local map[string]string, gormName string) {
	local = map[string]string{}
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if im.Name != nil {
			name = im.Name.Name
		}
		switch {
		case p == "gorm.io/gorm":
			gormName = name
		case p == module:
			local[name] = ""
		case strings.HasPrefix(p, module+"/"):
			local[name] = strings.TrimPrefix(p, module+"/")
		}
	}
	return local, gormName
}

// A use of a table in a file.
type use struct {
	table, pkg, where string
}

var sqlTable = regexp.MustCompile(`\b(?:FROM|JOIN|INTO|UPDATE|TABLE|TRUNCATE|ON)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(?:ONLY\s+)?"?([a-z_][a-z0-9_]*)`)

// tablesInSQL lists the known tables a statement (or a piece of one)
// names after FROM, JOIN, INTO, UPDATE, TABLE, TRUNCATE or ON.
func tablesInSQL(s string, known map[string]string) []string {
	var out []string
	for _, m := range sqlTable.FindAllStringSubmatch(s, -1) {
		if _, ok := known[m[1]]; ok {
			out = append(out, m[1])
		}
	}
	return out
}

// stringLit is the value of a string literal expression.
func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

func callName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// columnList reports whether e reads as a list of columns: a []string
// literal, or a name or call that says cols.
func columnList(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.CompositeLit:
		if at, ok := x.Type.(*ast.ArrayType); ok {
			id, ok := at.Elt.(*ast.Ident)
			return ok && id.Name == "string"
		}
	case *ast.Ident:
		return strings.Contains(strings.ToLower(x.Name), "col")
	case *ast.SelectorExpr:
		return strings.Contains(strings.ToLower(x.Sel.Name), "col")
	case *ast.CallExpr:
		return strings.Contains(strings.ToLower(callName(x)), "col")
	}
	return false
}

// gormCalls are the gorm methods that act on a model's table.
var gormCalls = map[string]bool{"Model": true, "Find": true, "First": true, "Last": true, "Take": true, "Create": true,
	"CreateInBatches": true, "Save": true, "Delete": true, "Updates": true, "FirstOrCreate": true, "FirstOrInit": true}

// rowType names the type of a gorm model argument (&pkg.T{}, pkg.T{},
// &[]pkg.T{}, new(pkg.T)): its package name and type name.
func rowType(e ast.Expr) (pkg, name string, ok bool) {
	if u, isAddr := e.(*ast.UnaryExpr); isAddr && u.Op == token.AND {
		e = u.X
	}
	var t ast.Expr
	switch x := e.(type) {
	case *ast.CompositeLit:
		t = x.Type
	case *ast.CallExpr:
		if id, isID := x.Fun.(*ast.Ident); isID && id.Name == "new" && len(x.Args) == 1 {
			t = x.Args[0]
		}
	}
	if at, isArr := t.(*ast.ArrayType); isArr {
		t = at.Elt
	}
	if sel, isSel := t.(*ast.SelectorExpr); isSel {
		if id, isID := sel.X.(*ast.Ident); isID {
			return id.Name, sel.Sel.Name, true
		}
	}
	return "", "", false
}

// tableNames finds the TableName methods of every package: package →
// type → table.
func tableNames(srcs []source) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, s := range srcs {
		for _, d := range s.file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || fd.Name.Name != "TableName" || fd.Body == nil || len(fd.Body.List) != 1 {
				continue
			}
			ret, ok := fd.Body.List[0].(*ast.ReturnStmt)
			if !ok || len(ret.Results) != 1 {
				continue
			}
			table, ok := stringLit(ret.Results[0])
			if !ok {
				continue
			}
			recv := fd.Recv.List[0].Type
			if st, isStar := recv.(*ast.StarExpr); isStar {
				recv = st.X
			}
			if id, isID := recv.(*ast.Ident); isID {
				if out[s.pkg] == nil {
					out[s.pkg] = map[string]string{}
				}
				out[s.pkg][id.Name] = table
			}
		}
	}
	return out
}

// tableUses lists every use of a known table in a file.
func tableUses(s source, known map[string]string, models map[string]map[string]string) []use {
	local, _ := imports(s.file)
	var out []use
	add := func(table, how string) {
		out = append(out, use{table: table, pkg: s.pkg, where: s.path + ": " + how})
	}
	// Struct tags hold no SQL.
	tags := map[*ast.BasicLit]bool{}
	ast.Inspect(s.file, func(n ast.Node) bool {
		if f, ok := n.(*ast.Field); ok && f.Tag != nil {
			tags[f.Tag] = true
		}
		return true
	})
	for _, tbl := range tableNames([]source{s})[s.pkg] {
		if _, ok := known[tbl]; ok {
			add(tbl, "TableName "+tbl)
		}
	}
	ast.Inspect(s.file, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BasicLit:
			if tags[x] {
				return true
			}
			if v, ok := stringLit(x); ok {
				for _, tbl := range tablesInSQL(v, known) {
					add(tbl, strconv.Quote(truncate(v, 60)))
				}
			}
		case *ast.CompositeLit:
			if sel, ok := x.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Identifier" {
				for _, e := range x.Elts {
					if v, ok := stringLit(e); ok {
						if _, known := known[v]; known {
							add(v, "Identifier{"+strconv.Quote(v)+"}")
						}
					}
				}
			}
		case *ast.CallExpr:
			name := callName(x)
			if name == "Table" && len(x.Args) > 0 {
				if v, ok := stringLit(x.Args[0]); ok {
					tbl := strings.Fields(v + " ")[0]
					if _, ok := known[tbl]; ok {
						add(tbl, "Table("+strconv.Quote(v)+")")
					}
				}
			}
			for i, a := range x.Args {
				if v, ok := stringLit(a); ok && i+1 < len(x.Args) && columnList(x.Args[i+1]) {
					if _, ok := known[v]; ok {
						add(v, name+"("+strconv.Quote(v)+", columns)")
					}
				}
				if cl, ok := a.(*ast.CompositeLit); ok && name == "BulkWithoutIndexes" {
					for _, e := range cl.Elts {
						if v, ok := stringLit(e); ok {
							if _, ok := known[v]; ok {
								add(v, "BulkWithoutIndexes("+strconv.Quote(v)+")")
							}
						}
					}
				}
				if gormCalls[name] {
					if pkgName, typ, ok := rowType(a); ok {
						if path, ok := local[pkgName]; ok {
							if tbl, ok := models[path][typ]; ok {
								add(tbl, name+"("+pkgName+"."+typ+")")
							}
						}
					}
				}
			}
		}
		return true
	})
	return out
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// violations are the uses of tables outside their owners.
func violations(srcs []source, owners map[string]string) []string {
	models := tableNames(srcs)
	var out []string
	for _, s := range srcs {
		for _, u := range tableUses(s, owners, models) {
			if owner := owners[u.table]; owner != u.pkg {
				out = append(out, u.where+": table "+u.table+" belongs to "+owner+", not "+pkgLabel(u.pkg))
			}
		}
	}
	sort.Strings(out)
	return out
}

func pkgLabel(pkg string) string {
	if pkg == "" {
		return "the root package"
	}
	return pkg
}
