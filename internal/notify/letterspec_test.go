package notify

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/money"
)

// TestLetterSpec_RoundTrip: for every step, tone and locale, the letter
// laid out from its stored spec is byte for byte the letter laid out at
// once, and the spec gives back every field of the data a letter uses.
func TestLetterSpec_RoundTrip(t *testing.T) {
	for _, step := range Steps {
		if step == StepFollowUp {
			continue // a meeting invitation goes by email with its .ics, never as a stored letter
		}
		for _, tone := range []string{ToneDirect, ToneIndirect} {
			for _, loc := range goldenLocales {
				t.Run(step+"/"+tone+"/"+loc, func(t *testing.T) {
					t.Parallel()
					d := stepData(t, step, tone, loc)
					d.OptOutURL, d.Meeting = "", nil
					d.Channel = ChannelLetter
					spec, err := MarshalLetter(step, d, letterAddress[loc])
					if err != nil {
						t.Fatal(err)
					}
					var s letterSpec
					if err := json.Unmarshal(spec, &s); err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(d, s.data(), cmp.AllowUnexported(money.Amount{})); diff != "" {
						t.Fatalf("data after the round trip (-want +got):\n%s", diff)
					}
					direct, err := LetterPDF(step, d, letterAddress[loc])
					if err != nil {
						t.Fatal(err)
					}
					later, err := LetterFromSpec(spec)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(direct, later) {
						t.Fatalf("the PDF from the spec (%d bytes) differs from the direct one (%d bytes)", len(later), len(direct))
					}
				})
			}
		}
	}
}

// TestLetterSpec_CoversMessageData fails when MessageData gains a field
// that the spec does not carry: a letter laid out later would silently
// lose it. Channel is always letter; a letter has no meeting and no
// opt-out line, and no pay-online link (emails only).
func TestLetterSpec_CoversMessageData(t *testing.T) {
	skip := map[string]bool{"Channel": true, "Meeting": true, "OptOutURL": true, "PayURL": true}
	spec := reflect.TypeFor[dataSpec]()
	for f := range reflect.TypeFor[MessageData]().Fields() {
		if skip[f.Name] {
			continue
		}
		if _, ok := spec.FieldByName(f.Name); !ok {
			t.Errorf("MessageData.%s is not in the letter spec", f.Name)
		}
	}
}

func TestLetterSpec_Errors(t *testing.T) {
	if _, err := MarshalLetter("demand", MessageData{}, nil); err == nil {
		t.Error("a demand without data was stored")
	}
	if _, err := LetterFromSpec([]byte("{not json")); err == nil {
		t.Error("a broken spec was laid out")
	}
}

// TestRenderText is Render without the HTML, word for word.
func TestRenderText(t *testing.T) {
	for _, step := range Steps {
		for _, ch := range []string{ChannelEmail, ChannelSMS, ChannelLetter} {
			d := stepData(t, step, ToneDirect, "de")
			d.Channel = ch
			if ch == ChannelLetter {
				d.OptOutURL = ""
			}
			full, err1 := Render(step, d)
			text, err2 := RenderText(step, d)
			if (err1 == nil) != (err2 == nil) {
				t.Fatalf("%s %s: errors %v and %v", step, ch, err1, err2)
			}
			full.HTML = ""
			if full != text {
				t.Errorf("%s %s: RenderText differs from Render", step, ch)
			}
		}
	}
}
