package deps

import (
	"strings"
	"testing"
)

type thing struct{}

func (*thing) Do() {}

type doer interface{ Do() }

func TestCheckNamesTheFirstMissing(t *testing.T) {
	var nilThing *thing
	var nilDoer doer = nilThing
	for _, c := range []struct {
		named []any
		want  string
	}{
		{[]any{"a", &thing{}, "b", 1}, ""},
		{[]any{"a", &thing{}, "b", nil}, "svc: missing dependency: b"},
		{[]any{"a", nilThing, "b", nil}, "svc: missing dependency: a"},
		{[]any{"inviter", nilDoer}, "svc: missing dependency: inviter"},
		{[]any{"hook", (func())(nil)}, "svc: missing dependency: hook"},
		{[]any{"hook", func() {}}, ""},
	} {
		err := Check("svc", c.named...)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v: %v", c.named, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%v: got %v, want %q", c.named, err, c.want)
		}
	}
}
