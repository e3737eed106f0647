package db

import "testing"

func TestBulkKinds(t *testing.T) {
	if _, err := bulkKinds([]string{"x"}, [][]any{{int64(0)}, {nil}}); err == nil {
		t.Fatal("0 and NULL in one integer column were accepted")
	}
	if _, err := bulkKinds([]string{"x"}, [][]any{{int64(1)}, {"a"}}); err == nil {
		t.Fatal("mixed types accepted")
	}
	if _, err := bulkKinds([]string{"x"}, [][]any{{1.5}}); err == nil {
		t.Fatal("a float was accepted")
	}
	k, err := bulkKinds([]string{"b", "n"}, [][]any{{true, nil}, {false, nil}})
	if err != nil || k[0] != bulkInt || k[1] != bulkSkip {
		t.Fatalf("bools and all-NULL: %v %v", k, err)
	}
}
