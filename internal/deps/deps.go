// Package deps checks, when a service is built, that it was handed every
// dependency it needs: a missing one stops start-up with its name, instead
// of a nil pointer at the first request that reaches it (or, worse, a
// feature that silently does nothing).
package deps

import (
	"fmt"
	"reflect"
)

// Check returns an error naming the first missing dependency of service.
// named alternates names and values: Check("visits", "database", d,
// "survey inviter", inv). A value is missing when it is nil, a nil pointer,
// or an interface holding one.
func Check(service string, named ...any) error {
	if len(named)%2 != 0 {
		panic("deps.Check: names and values must come in pairs")
	}
	for i := 0; i < len(named); i += 2 {
		if isNil(named[i+1]) {
			return fmt.Errorf("%s: missing dependency: %v", service, named[i])
		}
	}
	return nil
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Func, reflect.Slice, reflect.Chan:
		return rv.IsNil()
	}
	return false
}
