package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/daftar-ir/daftar/geo"
	"github.com/gin-gonic/gin"
)

// doc is what the OpenAPI document says of a route.
type doc struct {
	Summary  string
	Tag      string
	Request  any // a zero value of the request type
	Response any // a zero value of the success response type
	Status   int // success status, default 200
	Query    []param
	Headers  []param
	Produces string // a non-JSON success type (xlsx, csv, html)
	Form     bool   // the request is multipart/form-data with a file
	Errors   []int  // error statuses beyond the common ones
}

// param is a documented query or header parameter.
type param struct {
	Name, Type, Description string
	Enum                    []string
}

var (
	pageQuery     = []param{{Name: "page", Type: "integer", Description: "page number, from 1"}, {Name: "page_size", Type: "integer", Description: "items per page"}}
	ifMatchHeader = param{Name: "If-Match", Type: "string", Description: "the version read (the ETag); a stale one is refused with 409"}
)

var ginParam = regexp.MustCompile(`[:*]([a-zA-Z_]+)`)

// openAPIPath turns /offices/:id into /offices/{id}.
func openAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

type openAPIDoc struct {
	once sync.Once
	body []byte
	err  error
}

func (s *Server) openAPIHandler(c *gin.Context) (any, error) {
	b, err := s.OpenAPI()
	return document(b), err
}

// OpenAPI returns the OpenAPI 3 document of every /api/v1 route, built
// from the route table and the request and response types.
func (s *Server) OpenAPI() ([]byte, error) {
	s.openapi.once.Do(func() { s.openapi.body, s.openapi.err = jsonMarshal(s.buildOpenAPI()) })
	return s.openapi.body, s.openapi.err
}

func (s *Server) buildOpenAPI() map[string]any {
	g := &schemaGen{schemas: map[string]any{}}
	g.schemas["Problem"] = g.schemaOf(reflect.TypeOf(Problem{}))
	paths := map[string]map[string]any{}
	for _, r := range s.routes {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		p := openAPIPath(r.Path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(r.Method)] = g.operation(r)
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "Daftar API",
			"version":     "1",
			"description": "The national register of judicial e-services offices: licensing, visits and crowding, surveys, ranking and reports. Times are RFC 3339 UTC; lists are paginated; errors are application/problem+json.",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": g.schemas,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "the token from POST /api/v1/auth/login"},
				"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": cookieName},
			},
		},
	}
}

func (g *schemaGen) operation(r route) map[string]any {
	d := r.Doc
	op := map[string]any{
		"summary":     d.Summary,
		"description": "Who: " + r.Access.describe() + ".",
		"operationId": operationID(r),
		"tags":        []string{d.Tag},
	}
	if !r.Access.Public {
		op["security"] = []any{map[string]any{"bearer": []string{}}, map[string]any{"cookie": []string{}}}
	}
	var params []any
	for _, name := range ginParam.FindAllStringSubmatch(r.Path, -1) {
		t := "integer"
		if name[1] == "code" || name[1] == "token" || name[1] == "kind" || name[1] == "action" || name[1] == "file" {
			t = "string"
		}
		params = append(params, map[string]any{"name": name[1], "in": "path", "required": true, "schema": map[string]any{"type": t}})
	}
	for _, q := range d.Query {
		params = append(params, paramDoc(q, "query"))
	}
	for _, h := range d.Headers {
		params = append(params, paramDoc(h, "header"))
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	switch {
	case d.Form:
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{
			"schema": map[string]any{"type": "object", "required": []string{"file"}, "properties": map[string]any{
				"file": map[string]any{"type": "string", "format": "binary"}}}}}}
	case d.Request != nil:
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": g.ref(reflect.TypeOf(d.Request))}}}
	}
	status, errs := r.statuses()
	responses := map[string]any{}
	ok := map[string]any{"description": http.StatusText(status)}
	switch {
	case d.Produces != "":
		ok["content"] = map[string]any{d.Produces: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
	case d.Response != nil:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.ref(reflect.TypeOf(d.Response))}}
	}
	responses[fmt.Sprint(status)] = ok
	problem := map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}
	for _, e := range append(errs, 500) {
		responses[fmt.Sprint(e)] = map[string]any{"description": http.StatusText(e), "content": problem}
	}
	op["responses"] = responses
	return op
}

// statuses are a route's success status and the error statuses it may
// answer besides 500 (which any route may): its own, 401 and 403 when it
// needs a session, 413 when it takes a body, 400 when it reads a query.
// The OpenAPI document and docs/api.md both come from here.
func (r route) statuses() (success int, errs []int) {
	success = r.Doc.Status
	if success == 0 {
		success = http.StatusOK
	}
	errs = append([]int{}, r.Doc.Errors...)
	if !r.Access.Public {
		errs = append(errs, 401, 403)
	}
	if r.Method != http.MethodGet {
		errs = append(errs, 413)
	}
	if len(r.Doc.Query) > 0 {
		errs = append(errs, 400)
	}
	sort.Ints(errs)
	return success, slices.Compact(errs)
}

func paramDoc(p param, in string) map[string]any {
	schema := map[string]any{"type": p.Type}
	if p.Type == "" {
		schema["type"] = "string"
	}
	if len(p.Enum) > 0 {
		schema["enum"] = p.Enum
	}
	return map[string]any{"name": p.Name, "in": in, "required": false, "description": p.Description, "schema": schema}
}

func operationID(r route) string {
	parts := []string{strings.ToLower(r.Method)}
	for _, seg := range strings.Split(strings.TrimPrefix(r.Path, "/api/v1/"), "/") {
		seg = strings.NewReplacer(":", "by_", "-", "_", ".", "_").Replace(seg)
		parts = append(parts, seg)
	}
	return strings.Join(parts, "_")
}

// schemaGen derives JSON schemas from Go types through their json tags.
type schemaGen struct {
	schemas map[string]any
}

var timeType = reflect.TypeOf(time.Time{})

// optionalMarker is implemented by opt[T]: a field that may be absent,
// null, or a value.
type optionalMarker interface{ optionalElem() reflect.Type }

func schemaName(t reflect.Type) string {
	n := t.Name()
	n = strings.NewReplacer("[", "_", "]", "", ".", "_", "/", "_", "*", "").Replace(n)
	if i := strings.LastIndex(n, "_"); i >= 0 && strings.Contains(n, "github") {
		// generic instantiation: keep the element's short name
		n = strings.SplitN(n, "_", 2)[0] + "_" + n[i+1:]
	}
	return strings.ToUpper(n[:1]) + n[1:]
}

// ref returns a $ref for named structs (adding them to components) and an
// inline schema for everything else.
func (g *schemaGen) ref(t reflect.Type) map[string]any {
	if t.Kind() == reflect.Pointer {
		s := g.ref(t.Elem())
		if _, isRef := s["$ref"]; isRef {
			return map[string]any{"allOf": []any{s}, "nullable": true}
		}
		s["nullable"] = true
		return s
	}
	if o, ok := schemaOverrides()[t]; ok {
		return o
	}
	if t.Kind() == reflect.Struct && t != timeType && t.Name() != "" && !reflect.PointerTo(t).Implements(reflect.TypeOf((*optionalMarker)(nil)).Elem()) {
		name := schemaName(t)
		if _, ok := g.schemas[name]; !ok {
			g.schemas[name] = map[string]any{} // placeholder against recursion
			g.schemas[name] = g.schemaOf(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return g.schemaOf(t)
}

// schemaOverrides gives the schema of types whose JSON form is not what
// their Go shape says (they marshal themselves).
func schemaOverrides() map[reflect.Type]map[string]any {
	return map[reflect.Type]map[string]any{
		reflect.TypeOf(json.RawMessage{}): {"description": "any JSON value", "nullable": true},
		reflect.TypeOf(geo.OpeningHours{}): {"type": "object", "description": "spans per weekday, Tehran time",
			"additionalProperties": map[string]any{"type": "array", "items": map[string]any{"type": "string", "example": "08:00-13:00"}}},
	}
}

func (g *schemaGen) schemaOf(t reflect.Type) map[string]any {
	if o, ok := schemaOverrides()[t]; ok {
		return o
	}
	if reflect.PointerTo(t).Implements(reflect.TypeOf((*optionalMarker)(nil)).Elem()) {
		elem := reflect.New(t).Interface().(optionalMarker).optionalElem()
		s := g.schemaOf(elem)
		s["nullable"] = true
		return s
	}
	if m, ok := reflect.New(t).Interface().(interface{ OpenAPISchema() map[string]any }); ok {
		return m.OpenAPISchema()
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := g.schemaOf(t.Elem())
		if _, isRef := s["$ref"]; isRef {
			return map[string]any{"allOf": []any{s}, "nullable": true}
		}
		s["nullable"] = true
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": g.ref(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.ref(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		if t == timeType {
			return map[string]any{"type": "string", "format": "date-time"}
		}
		props := map[string]any{}
		var required []string
		g.fields(t, props, &required)
		s := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			sort.Strings(required)
			s["required"] = required
		}
		return s
	}
	return map[string]any{}
}

// fields adds t's JSON fields to props. As in encoding/json, a field of t
// hides a promoted field of the same name from an embedded struct.
func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	var embedded []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			embedded = append(embedded, f.Type)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.ref(f.Type)
		if desc := f.Tag.Get("doc"); desc != "" {
			if _, isRef := s["$ref"]; isRef {
				s = map[string]any{"allOf": []any{s}, "description": desc}
			} else {
				s["description"] = desc
			}
		}
		props[name] = s
		isOpt := reflect.PointerTo(f.Type).Implements(reflect.TypeOf((*optionalMarker)(nil)).Elem())
		if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer && !isOpt && f.Tag.Get("required") != "false" {
			*required = append(*required, name)
		}
	}
	for _, et := range embedded {
		inner, innerReq := map[string]any{}, []string(nil)
		g.fields(et, inner, &innerReq)
		for name, s := range inner {
			if _, shadowed := props[name]; !shadowed {
				props[name] = s
				if slices.Contains(innerReq, name) {
					*required = append(*required, name)
				}
			}
		}
	}
}
