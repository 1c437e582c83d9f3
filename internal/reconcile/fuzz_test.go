package reconcile

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// oneSlip reports whether a and b (same length) differ by one replaced
// symbol or one swap of neighbours.
func oneSlip(a, b string) bool {
	if len(a) != len(b) || a == b {
		return false
	}
	var diff []int
	for i := range len(a) {
		if a[i] != b[i] {
			diff = append(diff, i)
		}
	}
	switch len(diff) {
	case 1:
		return true
	case 2:
		i, j := diff[0], diff[1]
		return j == i+1 && a[i] == b[j] && a[j] == b[i]
	}
	return false
}

// checkCorrections: every correction of code is a valid reference one slip
// away from it, sorted and without duplicates.
func checkCorrections(t *testing.T, code string, fixes []string) {
	t.Helper()
	if !slices.IsSorted(fixes) || len(slices.Compact(slices.Clone(fixes))) != len(fixes) {
		t.Fatalf("CorrectionsOf(%q) = %q: not sorted or has duplicates", code, fixes)
	}
	for _, f := range fixes {
		if !ValidReference(f) || !strings.HasPrefix(f, Prefix) {
			t.Fatalf("CorrectionsOf(%q) gives %q, which is not a valid reference", code, f)
		}
		if !oneSlip(strings.ToUpper(code), f[len(Prefix):]) {
			t.Fatalf("CorrectionsOf(%q) gives %q, which is not one slip away", code, f)
		}
	}
}

// FuzzReference: a reference NewReference makes from any random bytes is
// valid, in any case and with spaces around; Scan finds it in text as
// written and as banks mangle it; any one mistyped symbol or swap of
// neighbours makes it invalid, and CorrectionsOf the slip lists it.
func FuzzReference(f *testing.F) {
	f.Add([]byte("seven!!"), uint8(0), uint8(0), "Invoice 42 ")
	f.Add([]byte{255, 254, 248, 247, 0, 1, 2, 3, 4, 5, 6, 7}, uint8(7), uint8(30), "")
	f.Add([]byte{}, uint8(3), uint8(5), "STL ")
	f.Fuzz(func(t *testing.T, random []byte, pos, sym uint8, before string) {
		// The fuzzer's bytes, then zeros: NewReference skips bytes >= 248.
		ref, err := NewReference(io.MultiReader(bytes.NewReader(random), zeros{}))
		if err != nil {
			t.Fatal(err)
		}
		code := ref[len(Prefix):]
		if !ValidReference(ref) || !ValidReference(" "+strings.ToLower(ref)+"\t") || len(code) != CodeLen {
			t.Fatalf("NewReference = %q, not valid", ref)
		}
		for _, text := range []string{ref, "Payment " + ref + " thanks", "stl " + strings.ToLower(code[:4]+" "+code[4:]),
			"STL" + code, "STL-" + code[:4] + "-" + code[4:] + ".", "ref:" + ref,
			"STL-" + code[:3] + "\n" + code[3:], "STL\u00a0" + code[:4] + "\r\n" + code[4:]} {
			sc := Scan(text)
			if len(sc.Refs) != 1 || sc.Refs[0].Written != ref || !sc.Refs[0].Valid {
				t.Fatalf("Scan(%q).Refs = %+v, want just %s", text, sc.Refs, ref)
			}
		}
		// After fuzzed text that does not end in a letter or digit, the
		// reference is still found (Scan must not be thrown by what comes
		// before it).
		if before == "" || !isWordRune(lastRune(before)) {
			text := before + " " + ref
			if !slices.ContainsFunc(Scan(text).Refs, func(m RefMention) bool { return m.Written == ref && m.Valid }) {
				t.Fatalf("Scan(%q) = %+v does not find %s", text, Scan(text).Refs, ref)
			}
		}

		i := int(pos) % CodeLen
		b := []byte(code)
		if c := Alphabet[int(sym)%modulus]; c != b[i] {
			b[i] = c
			checkSlip(t, ref, string(b))
		}
		if i+1 < CodeLen && code[i] != code[i+1] {
			b = []byte(code)
			b[i], b[i+1] = b[i+1], b[i]
			checkSlip(t, ref, string(b))
		}
	})
}

func checkSlip(t *testing.T, ref, slipped string) {
	t.Helper()
	if ValidCode(slipped) {
		t.Fatalf("%s with one slip, %s, still passes the check", ref, slipped)
	}
	fixes := CorrectionsOf(slipped)
	checkCorrections(t, slipped, fixes)
	if !slices.Contains(fixes, ref) {
		t.Fatalf("CorrectionsOf(%s) = %q, missing the original %s", slipped, fixes, ref)
	}
	sc := Scan("ref " + Prefix + slipped)
	if len(sc.Refs) != 1 || sc.Refs[0].Valid || !slices.Equal(sc.Refs[0].Fixes, fixes) {
		t.Fatalf("Scan of %s = %+v, want invalid with fixes %q", slipped, sc.Refs, fixes)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func lastRune(s string) rune {
	r := []rune(s)
	return r[len(r)-1]
}

// FuzzScan: whatever a bank puts in the reference text, Scan's mentions
// are "STL-" + 8 upper-case symbols, Valid exactly when ValidReference
// says so, with corrections (only when invalid) that are valid and one
// slip away; its words are distinct non-empty tokens without spaces;
// and Lookups lists exactly the valid references and the corrections.
func FuzzScan(f *testing.F) {
	for _, s := range []string{"STL-7K3M9QXP", "stl 7k3m 9qxp", "STL7K3M9QXP INV-2026-001 ACME", "Rechnung #R-1/26, Kunde K.99",
		"STL-0O1IL234", "STL STL-23456789", "\xff\xfe STL-2345678K", "STL-2345678K STL-2345678K", "ＳＴＬ-2345678K", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		sc := Scan(text)
		var wantRefs []string
		for _, m := range sc.Refs {
			if len(m.Written) != len(Prefix)+CodeLen || !strings.HasPrefix(m.Written, Prefix) || m.Written != strings.ToUpper(m.Written) {
				t.Fatalf("Scan(%q): mention %q is not STL- and 8 upper-case symbols", text, m.Written)
			}
			if m.Valid != ValidReference(m.Written) {
				t.Fatalf("Scan(%q): mention %q Valid=%t, ValidReference says %t", text, m.Written, m.Valid, !m.Valid)
			}
			if m.Valid {
				if len(m.Fixes) > 0 {
					t.Fatalf("Scan(%q): valid %q has fixes %q", text, m.Written, m.Fixes)
				}
				wantRefs = append(wantRefs, m.Written)
				continue
			}
			checkCorrections(t, m.Written[len(Prefix):], m.Fixes)
			wantRefs = append(wantRefs, m.Fixes...)
		}
		seen := map[string]bool{}
		for _, w := range sc.Words {
			if w == "" || seen[w] || strings.ContainsFunc(w, func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Z, r) }) ||
				strings.Trim(w, ".-_/#") != w {
				t.Fatalf("Scan(%q): bad or repeated word %q in %q", text, w, sc.Words)
			}
			seen[w] = true
		}
		refs, words := sc.Lookups()
		if !slices.Equal(refs, wantRefs) || !slices.Equal(words, sc.Words) {
			t.Fatalf("Scan(%q).Lookups() = %q, %q; want %q, %q", text, refs, words, wantRefs, sc.Words)
		}
	})
}

// FuzzCorrections: for any 8 characters, the corrections are valid
// references one slip away (none for a valid code or a wrong length).
func FuzzCorrections(f *testing.F) {
	for _, s := range []string{"2345678K", "2345678L", "3245678K", "O345678K", "00000000", "abcdefgh", "2345678", "\xff\xff\xff\xff\xff\xff\xff\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		fixes := CorrectionsOf(code)
		if (len(code) != CodeLen || ValidCode(strings.ToUpper(code))) && fixes != nil {
			t.Fatalf("CorrectionsOf(%q) = %q, want none", code, fixes)
		}
		checkCorrections(t, code, fixes)
	})
}
