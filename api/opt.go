package api

import (
	"encoding/json"
	"reflect"
)

// opt is a request field that may be absent, null, or a value, so that a
// PATCH can tell "leave it" from "clear it".
type opt[T any] struct {
	Set   bool // the field was in the body
	Null  bool // it was null
	Value T
}

func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}

func (o opt[T]) MarshalJSON() ([]byte, error) {
	if !o.Set || o.Null {
		return []byte("null"), nil
	}
	return json.Marshal(o.Value)
}

func (o *opt[T]) optionalElem() reflect.Type { return reflect.TypeOf((*T)(nil)).Elem() }

// ptr returns the value as a pointer: nil when absent or null.
func (o opt[T]) ptr() *T {
	if !o.Set || o.Null {
		return nil
	}
	v := o.Value
	return &v
}
