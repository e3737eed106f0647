package api

import "testing"

// The dictionaries are merged into one map, so a key in two of them would
// silently lose one of its translations.
func TestDictionariesDoNotOverlap(t *testing.T) {
	parts := map[string]map[string][2]string{"shared": sharedDictionary(), "staff": staffDictionary(), "staff work": staffWorkDictionary()}
	seen := map[string]string{}
	for name, d := range parts {
		for k := range d {
			if other, ok := seen[k]; ok {
				t.Errorf("key %q is in both the %s and the %s dictionary", k, other, name)
			}
			seen[k] = name
		}
	}
	if len(dictionary()) != len(seen) {
		t.Errorf("dictionary() has %d keys, its parts %d", len(dictionary()), len(seen))
	}
}
