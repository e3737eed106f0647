package geo

import "testing"

// Every shipped province has its landline area code, each code belongs to
// one province, and the well-known ones are right.
func TestAreaCodes(t *testing.T) {
	regions, _ := refTestRegions(t)
	seen := map[string]string{}
	for _, r := range regions {
		if r.Level != LevelProvince {
			continue
		}
		c, ok := AreaCode(r.Code)
		if !ok || len(c) != 3 || c[0] != '0' {
			t.Errorf("%s: area code %q", r.Code, c)
			continue
		}
		if other, dup := seen[c]; dup {
			t.Errorf("%s and %s share %s", r.Code, other, c)
		}
		seen[c] = r.Code
	}
	if len(seen) != 31 || len(areaCodes) != 31 {
		t.Errorf("%d provinces with codes, %d codes", len(seen), len(areaCodes))
	}
	for prov, want := range map[string]string{"THR": "021", "KRZ": "051", "ISF": "031", "FAR": "071", "EAZ": "041", "KHZ": "061", "ALB": "026"} {
		if got, _ := AreaCode(prov); got != want {
			t.Errorf("%s: %s, want %s", prov, got, want)
		}
	}
	if _, ok := AreaCode("XXX"); ok {
		t.Error("an unknown province has an area code")
	}
}
