package csvin

import (
	"strings"
	"testing"
)

// A bare quote in a row's first field made Next call FieldPos on a record
// with no field, which panics (found by FuzzReader): an import with such a
// row crashed the request instead of reporting the line.
func TestNext_BareQuoteInFirstFieldIsALineProblem(t *testing.T) {
	rd, err := NewReader(strings.NewReader("external_ref,name\nok,Fine\nA\"B,x\n"), Customers, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bad, err := rd.Next(); bad != nil || err != nil {
		t.Fatalf("line 2: %+v, %v", bad, err)
	}
	bad, err := rd.Next()
	if err != nil || bad == nil {
		t.Fatalf("line 3: %+v, %v; want a row problem", bad, err)
	}
	if bad.Line != 3 || !strings.Contains(bad.Message, "bare \" in non-quoted-field") {
		t.Errorf("problem = %+v, want line 3, bare quote", bad)
	}
}

// Header names match mapping columns case-insensitively, so a mapping that
// names one file column twice in different case is ambiguous (which target
// won depended on map order); found by FuzzParseMapping.
func TestParseMapping_DuplicateIgnoringCase(t *testing.T) {
	_, err := ParseMapping("Client=customer_ref, client=number")
	if err == nil || !strings.Contains(err.Error(), `column "client" is mapped twice (as "Client" and "client"`) {
		t.Fatalf("err = %v", err)
	}
	_, err = ParseMapping("a=b,a=c")
	if err == nil || !strings.Contains(err.Error(), `column "a" is mapped twice`) {
		t.Fatalf("err = %v", err)
	}
}
