// Package reconcile matches incoming bank transfers to what customers owe.
// It is pure: the service reads a statement line, looks up what the
// line's reference text names (plans by bank reference, invoices by
// number, customers by external ref) and hands that evidence to Match,
// which decides "matched" (with the customer, and the plan or invoice
// the money pays) or "review" (with the reason a person must look).
//
// A plan's bank reference is "STL-" and eight characters from a 31-symbol
// alphabet without the look-alikes 0/O and 1/I/L: seven random symbols
// and a check symbol. The check is a weighted sum modulo 31 (a prime), so
// any one mistyped symbol, and any swap of two neighbours, is detected;
// CorrectionsOf lists the valid references one such slip away, and the
// matcher accepts a corrected reference only when exactly one of them
// belongs to a stored plan.
package reconcile

import (
	"crypto/rand"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"
)

// Prefix starts every plan bank reference.
const Prefix = "STL-"

// Alphabet is the reference's symbols: 31 (a prime), no 0, O, 1, I or L.
const Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// CodeLen is the number of symbols after the prefix: BodyLen random ones and a check symbol.
const (
	CodeLen = 8
	BodyLen = CodeLen - 1
)

const modulus = len(Alphabet) // 31

func value(c byte) int { return strings.IndexByte(Alphabet, c) }

// checkSymbol is the symbol that makes body (BodyLen valid symbols) a
// valid code: Σ (i+1)·v(body[i]) + 8·v(check) ≡ 0 (mod 31). Weights 1..8
// are distinct and non-zero modulo 31, so changing one symbol changes the
// sum by (weight × difference) ≢ 0, and swapping neighbours i, i+1
// changes it by (v_i − v_{i+1}) ≢ 0.
func checkSymbol(body string) byte {
	sum := 0
	for i := 0; i < BodyLen; i++ {
		sum += (i + 1) * value(body[i])
	}
	// 8·c ≡ −sum (mod 31); 8⁻¹ ≡ 4 (mod 31) since 8·4 = 32 ≡ 1.
	c := ((-sum%modulus + modulus) * 4) % modulus
	return Alphabet[c]
}

// NewReference returns a fresh reference, "STL-" + 8 symbols, reading
// randomness from r (nil: crypto/rand).
func NewReference(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [BodyLen]byte
	body := make([]byte, 0, CodeLen)
	for len(body) < BodyLen {
		need := b[:BodyLen-len(body)]
		if _, err := io.ReadFull(r, need); err != nil {
			return "", fmt.Errorf("bank reference: %w", err)
		}
		for _, x := range need {
			// 248 = 8·31: values below it map evenly onto the alphabet.
			if x < 248 {
				body = append(body, Alphabet[int(x)%modulus])
			}
		}
	}
	body = append(body, checkSymbol(string(body)))
	return Prefix + string(body), nil
}

// ValidCode reports whether code (the 8 symbols after the prefix, upper
// case) passes the check.
func ValidCode(code string) bool {
	if len(code) != CodeLen {
		return false
	}
	for i := 0; i < CodeLen; i++ {
		if value(code[i]) < 0 {
			return false
		}
	}
	return checkSymbol(code[:BodyLen]) == code[CodeLen-1]
}

// ValidReference reports whether s is a well-formed reference with a
// correct check symbol ("STL-" prefix required, any case).
func ValidReference(s string) bool {
	s = strings.ToUpper(strings.TrimSpace(s))
	return strings.HasPrefix(s, Prefix) && ValidCode(s[len(Prefix):])
}

// CorrectionsOf lists the valid references one slip away from code (8
// symbols that fail the check): one symbol replaced, or two neighbours
// swapped. A symbol outside the alphabet (an O, a 0, an I …) must be the
// slip, so only its position is tried. Sorted, without duplicates.
func CorrectionsOf(code string) []string {
	code = strings.ToUpper(code)
	if len(code) != CodeLen || ValidCode(code) {
		return nil
	}
	bad := -1
	for i := 0; i < CodeLen; i++ {
		if value(code[i]) < 0 {
			if bad >= 0 {
				return nil // two symbols outside the alphabet: more than one slip
			}
			bad = i
		}
	}
	seen := map[string]bool{}
	var out []string
	add := func(b []byte) {
		s := string(b)
		if ValidCode(s) && !seen[s] {
			seen[s] = true
			out = append(out, Prefix+s)
		}
	}
	for i := 0; i < CodeLen; i++ {
		if bad >= 0 && i != bad {
			continue
		}
		for j := 0; j < modulus; j++ {
			b := []byte(code)
			if b[i] == Alphabet[j] {
				continue
			}
			b[i] = Alphabet[j]
			add(b)
		}
	}
	if bad < 0 {
		for i := 0; i+1 < CodeLen; i++ {
			if code[i] != code[i+1] {
				b := []byte(code)
				b[i], b[i+1] = b[i+1], b[i]
				add(b)
			}
		}
	}
	sortStrings(out)
	return out
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// RefMention is a plan reference found in a line's text.
type RefMention struct {
	Written string   // as found, normalised: "STL-" + 8 upper-case symbols
	Valid   bool     // passes the check
	Fixes   []string // when not Valid: the valid references one slip away
}

// Scanned is what a reference text mentions.
type Scanned struct {
	Refs  []RefMention
	Words []string // other tokens, as written: candidate invoice numbers and customer refs
}

// Banks mangle references: "STL 7K3M 9QXP", "stl-7k3m9qxp", "STL7K3M9QXP",
// and wrap long remittance text: a line break or a no-break space may sit
// anywhere a space can ("\r\n" is two; \s is ASCII-only, hence \p{Z}).
var refPattern = regexp.MustCompile(`^(?i)STL[\s\p{Z}\-_.:/]*((?:[0-9A-Z][\s\p{Z}\-]{0,2}){7}[0-9A-Z])\b`)

// refStart finds where a reference may start: every "STL" at a word's
// start. Each is tried on its own (refPattern, anchored there), so that a
// mangled mention that swallows the next one's prefix ("STL00000  STL-…"
// read as STL-00000STL) does not hide it.
var refStart = regexp.MustCompile(`(?i)\bSTL`)

// dropSeparators removes what refPattern allows between a code's symbols.
func dropSeparators(r rune) rune {
	if r == '-' || unicode.IsSpace(r) || unicode.Is(unicode.Z, r) {
		return -1
	}
	return r
}

// Scan finds the plan references and other tokens in a reference text.
func Scan(text string) Scanned {
	var sc Scanned
	type found struct {
		from, to int
		rm       RefMention
	}
	var all []found
	for _, at := range refStart.FindAllStringIndex(text, -1) {
		m := refPattern.FindStringSubmatchIndex(text[at[0]:])
		if m == nil {
			continue
		}
		code := strings.ToUpper(strings.Map(dropSeparators, text[at[0]+m[2]:at[0]+m[3]]))
		if len(code) != CodeLen {
			continue
		}
		rm := RefMention{Written: Prefix + code, Valid: ValidCode(code)}
		if !rm.Valid {
			rm.Fixes = CorrectionsOf(code)
		}
		all = append(all, found{at[0], at[0] + m[1], rm})
	}
	// Overlapping mentions: a valid one wins over an invalid one it
	// overlaps; of two of the same kind, the first.
	var kept []found
	for i, f := range all {
		drop := false
		for j, g := range all {
			if i == j || f.to <= g.from || g.to <= f.from {
				continue
			}
			if (g.rm.Valid && !f.rm.Valid) || (g.rm.Valid == f.rm.Valid && j < i) {
				drop = true
			}
		}
		if !drop {
			kept = append(kept, f)
		}
	}
	var rest strings.Builder
	last := 0
	for _, f := range kept {
		sc.Refs = append(sc.Refs, f.rm)
		if f.from >= last {
			rest.WriteString(text[last:f.from])
			rest.WriteString(" ")
			last = f.to
		}
	}
	rest.WriteString(text[last:])
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(rest.String(), func(r rune) bool {
		return !(r == '-' || r == '/' || r == '_' || r == '.' || r == '#' ||
			('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') ||
			(r > 127 && !unicode.IsSpace(r) && !unicode.Is(unicode.Z, r)))
	}) {
		w = strings.Trim(w, ".-_/#")
		if w == "" || seen[w] {
			continue
		}
		seen[w] = true
		sc.Words = append(sc.Words, w)
	}
	return sc
}

// Lookups lists what the service must look up for a scan: every
// reference (as written when valid, else its corrections) and every word.
func (sc Scanned) Lookups() (refs, words []string) {
	for _, r := range sc.Refs {
		if r.Valid {
			refs = append(refs, r.Written)
		} else {
			refs = append(refs, r.Fixes...)
		}
	}
	return refs, sc.Words
}
