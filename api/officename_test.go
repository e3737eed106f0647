package api

import "testing"

func TestBriefOfficeName(t *testing.T) {
	for in, want := range map[string]string{
		"دفتر خدمات الکترونیک قضائی اصفهان شماره ۲۶": "اصفهان شماره ۲۶",
		"Judicial e-services office Isfahan No. 26":  "Isfahan No. 26",
		"دفتر خدمات الکترونیک قضائی ":                "دفتر خدمات الکترونیک قضائی ",
		"دفتر پیشخوان مرکزی":                         "دفتر پیشخوان مرکزی",
		"":                                           "",
	} {
		if got := briefOfficeName(in); got != want {
			t.Errorf("briefOfficeName(%q) = %q, want %q", in, got, want)
		}
	}
}
