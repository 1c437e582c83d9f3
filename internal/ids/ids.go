// Package ids makes settle's public identifiers: a type prefix and a
// 26-character Crockford base32 ULID (48-bit millisecond time + 80 random
// bits). Ids made later sort after ids made earlier (to the millisecond),
// which keeps cursor pagination in creation order.
package ids

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

// Prefixes of the public id types.
const (
	Customer    = "cus"
	Invoice     = "inv"
	Payment     = "pay"
	Import      = "imp"
	Token       = "tok"
	Audit       = "aud"
	Allocation  = "alc"
	Promise     = "prm"
	Plan        = "pln"
	Policy      = "pol"
	Negotiation = "neg"
	Interaction = "int"
	Message     = "msg"
	Run         = "run"
	Task        = "tsk"
	Webhook     = "whk"
	Delivery    = "dlv"
	Event       = "evt"
	User        = "usr"
)

const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

var (
	mu       sync.Mutex
	lastMS   uint64
	lastRand [10]byte
)

// New returns prefix + "_" + a new ULID. Within one millisecond the random
// part is incremented, so ids from one process are strictly increasing.
func New(prefix string) string {
	return NewAt(prefix, time.Now())
}

// NewAt is New with an explicit time (for deterministic generators).
func NewAt(prefix string, t time.Time) string {
	ms := uint64(t.UnixMilli())
	mu.Lock()
	var r [10]byte
	if ms <= lastMS {
		ms = lastMS
		r = lastRand
		for i := len(r) - 1; i >= 0; i-- {
			r[i]++
			if r[i] != 0 {
				break
			}
		}
	} else {
		if _, err := rand.Read(r[:]); err != nil {
			// crypto/rand does not fail on supported platforms (Go 1.24+).
			panic("ids: crypto/rand: " + err.Error())
		}
	}
	lastMS, lastRand = ms, r
	mu.Unlock()
	return prefix + "_" + encode(ms, r)
}

func encode(ms uint64, r [10]byte) string {
	var raw [16]byte
	binary.BigEndian.PutUint16(raw[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(raw[2:6], uint32(ms))
	copy(raw[6:], r[:])
	hi := binary.BigEndian.Uint64(raw[0:8])
	lo := binary.BigEndian.Uint64(raw[8:16])
	var out [26]byte
	// 128 bits as 26 base32 digits: the first digit carries the top 3 bits.
	for i := 25; i >= 0; i-- {
		out[i] = alphabet[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// HasPrefix reports whether id has the given type prefix.
func HasPrefix(id, prefix string) bool {
	return strings.HasPrefix(id, prefix+"_") && len(id) == len(prefix)+27
}
