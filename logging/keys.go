package logging

// Key matching is case and separator insensitive: "X-Api-Key", "api_key"
// and "apiKey" all normalise to "apikey". The matcher is an Aho-Corasick
// automaton over the normalised alphabet, so a key costs one table lookup
// per byte and no allocation, whatever the number of patterns.

// defaultContainsKeys are the key fragments whose values are always
// redacted: a key matches when its normalised form (letters and digits
// only, lower case) contains one of them.
var defaultContainsKeys = []string{
	"password", "passwd", "passphrase", "secret", "token", "apikey",
	"accesskey", "accountkey", "privatekey", "authorization", "cookie",
	"session", "credential", "signature", "bearer", "connectionstring",
}

// defaultExactKeys redact only when the whole normalised key is equal to
// them: as fragments they would match too many ordinary words.
var defaultExactKeys = []string{
	"pwd", "pass", "auth", "jwt", "sig", "otp", "cvv", "cvc", "pin", "csrf", "xsrf",
}

// DefaultRedactKeys returns the key names redacted by default: a key
// matches when its normalised form contains one of the fragments, or
// equals one of the short names (pwd, pass, auth, jwt, sig, otp, cvv, cvc,
// pin, csrf, xsrf) that would match too much as fragments.
func DefaultRedactKeys() []string {
	out := make([]string, 0, len(defaultContainsKeys)+len(defaultExactKeys))
	out = append(out, defaultContainsKeys...)
	return append(out, defaultExactKeys...)
}

const (
	keyClasses  = 37 // a-z, 0-9, other
	classOther  = 36
	classIgnore = 255
)

// keyClass maps a byte to its alphabet class; separators and punctuation
// are ignored, which is what makes "api_key" equal to "apiKey".
var keyClass = func() (t [256]uint8) {
	for i := range t {
		switch {
		case i >= 'a' && i <= 'z':
			t[i] = uint8(i - 'a')
		case i >= 'A' && i <= 'Z':
			t[i] = uint8(i - 'A')
		case i >= '0' && i <= '9':
			t[i] = uint8(26 + i - '0')
		case i >= 0x80:
			t[i] = classOther
		default:
			t[i] = classIgnore
		}
	}
	return t
}()

const (
	flagContains = 1 << iota // some pattern ending here (or in a suffix) is a fragment match
	flagExact                // this node is an exact-match pattern
	flagAllow                // this node is an allowed key
)

// keyMatcher decides whether a key names a secret.
type keyMatcher struct {
	// delta maps row+class to the next state's row (state*keyClasses),
	// with that state's flags in the top byte.
	delta []uint32
	flags []uint8
	depth []uint16
	allow bool // any allowed keys configured
}

// normKey returns the normalised form of k: lower-case letters and digits.
func normKey(k string) string {
	b := make([]byte, 0, len(k))
	for i := 0; i < len(k); i++ {
		c := keyClass[k[i]]
		switch {
		case c == classIgnore:
		case c < 26:
			b = append(b, 'a'+c)
		case c < 36:
			b = append(b, '0'+c-26)
		}
	}
	return string(b)
}

// newKeyMatcher builds the automaton. contains and exact are normalised
// fragments; allow are normalised keys that are never redacted by name.
func newKeyMatcher(contains, exact, allow []string) *keyMatcher {
	type node struct {
		next  [keyClasses]int32
		flags uint8
		depth uint16
	}
	nodes := []node{{}}
	for i := range nodes[0].next {
		nodes[0].next[i] = -1
	}
	insert := func(p string, fl uint8) {
		s := 0
		for i := 0; i < len(p); i++ {
			c := keyClass[p[i]]
			if c == classIgnore {
				continue
			}
			if nodes[s].next[c] < 0 {
				n := node{depth: nodes[s].depth + 1}
				for j := range n.next {
					n.next[j] = -1
				}
				nodes = append(nodes, n)
				nodes[s].next[c] = int32(len(nodes) - 1)
			}
			s = int(nodes[s].next[c])
		}
		if s != 0 {
			nodes[s].flags |= fl
		}
	}
	for _, p := range contains {
		insert(p, flagContains)
	}
	for _, p := range exact {
		insert(p, flagExact)
	}
	for _, p := range allow {
		insert(p, flagAllow)
	}
	// Breadth-first construction of the goto function with failure links.
	next := make([]uint16, len(nodes)*keyClasses)
	m := &keyMatcher{
		delta: make([]uint32, len(nodes)*keyClasses),
		flags: make([]uint8, len(nodes)),
		depth: make([]uint16, len(nodes)),
		allow: len(allow) > 0,
	}
	fail := make([]int, len(nodes))
	queue := make([]int, 0, len(nodes))
	for c := 0; c < keyClasses; c++ {
		if n := nodes[0].next[c]; n >= 0 {
			next[c] = uint16(n)
			queue = append(queue, int(n))
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		m.flags[s] = nodes[s].flags
		m.depth[s] = nodes[s].depth
		if nodes[fail[s]].flags&flagContains != 0 || m.flags[fail[s]]&flagContains != 0 {
			m.flags[s] |= flagContains
		}
		for c := 0; c < keyClasses; c++ {
			f := int(next[fail[s]*keyClasses+c])
			if n := nodes[s].next[c]; n >= 0 {
				fail[n] = f
				if s == 0 {
					fail[n] = 0
				}
				next[s*keyClasses+c] = uint16(n)
				queue = append(queue, int(n))
			} else {
				next[s*keyClasses+c] = uint16(f)
			}
		}
	}
	for i, n := range next {
		m.delta[i] = uint32(n)*keyClasses | uint32(m.flags[n])<<24
	}
	return m
}

// sensitive reports whether key names a secret.
func (m *keyMatcher) sensitive(key string) bool {
	s, n := 0, 0
	hit := false
	for i := 0; i < len(key); i++ {
		c := keyClass[key[i]]
		if c == classIgnore {
			continue
		}
		n++
		v := m.delta[s+int(c)]
		s = int(v & 0xffffff)
		if (v>>24)&flagContains != 0 {
			if !m.allow {
				return true
			}
			hit = true
		}
	}
	st := s / keyClasses
	whole := int(m.depth[st]) == n
	if whole && m.flags[st]&flagAllow != 0 {
		return false
	}
	return hit || (whole && m.flags[st]&flagExact != 0)
}
