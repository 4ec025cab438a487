package authz

import (
	"math"
	"slices"
)

// none is the rule position that means "no rule matched".
const none = int32(math.MaxInt32)

// index maps exact values, prefixes and suffixes to V. Lookups cost one map
// probe for the exact value plus one per distinct prefix or suffix length,
// whatever the number of patterns.
type index[V any] struct {
	exact      map[string]V
	prefix     map[string]V
	prefixLens []int
	suffix     map[string]V
	suffixLens []int
}

// find appends to out the value of every pattern that matches key.
func (ix *index[V]) find(key []byte, out []V) []V {
	if v, ok := ix.exact[string(key)]; ok {
		out = append(out, v)
	}
	for _, n := range ix.prefixLens {
		if n > len(key) {
			break
		}
		if v, ok := ix.prefix[string(key[:n])]; ok {
			out = append(out, v)
		}
	}
	for _, n := range ix.suffixLens {
		if n > len(key) {
			break
		}
		if v, ok := ix.suffix[string(key[len(key)-n:])]; ok {
			out = append(out, v)
		}
	}
	return out
}

// slot returns the value for pattern p, creating it with mk. It reports
// false for patterns the index does not hold (any, templates).
func (ix *index[V]) slot(p *pattern, mk func() V) (V, bool) {
	var m *map[string]V
	var lens *[]int
	switch p.kind {
	case kindExact:
		m = &ix.exact
	case kindPrefix:
		m, lens = &ix.prefix, &ix.prefixLens
	case kindSuffix:
		m, lens = &ix.suffix, &ix.suffixLens
	default:
		var zero V
		return zero, false
	}
	if *m == nil {
		*m = make(map[string]V)
	}
	v, ok := (*m)[p.text]
	if !ok {
		v = mk()
		(*m)[p.text] = v
		if lens != nil {
			if i, found := slices.BinarySearch(*lens, len(p.text)); !found {
				*lens = slices.Insert(*lens, i, len(p.text))
			}
		}
	}
	return v, true
}

// bucket holds the rules of one operation key, indexed by who is calling.
// Rule positions in every list ascend, so a scan can stop at the first
// match or at a position past the best match found so far.
type bucket struct {
	peer    index[*[]int32] // rules with principals, by peer SPIFFE ID
	peerAny []int32         // rules with principal "*"
	rp      index[*[]int32] // rules with requestPrincipals (and no principals)
	rpAny   []int32
	rest    []int32 // rules that name neither
}

func newList() *[]int32 { return new([]int32) }

func (b *bucket) add(r *rule, pos int32) {
	switch {
	case len(r.principals) > 0:
		addKeyed(&b.peer, &b.peerAny, r.principals, pos)
	case len(r.reqPrincipals) > 0:
		addKeyed(&b.rp, &b.rpAny, r.reqPrincipals, pos)
	default:
		b.rest = appendPos(b.rest, pos)
	}
}

// addKeyed files pos under each of pats in ix, or in anyList for "*".
func addKeyed(ix *index[*[]int32], anyList *[]int32, pats []pattern, pos int32) {
	for i := range pats {
		if l, ok := ix.slot(&pats[i], newList); ok {
			*l = appendPos(*l, pos)
		} else {
			*anyList = appendPos(*anyList, pos)
		}
	}
}

// appendPos appends pos unless it is already last (a rule listing two
// values that land in the same list).
func appendPos(l []int32, pos int32) []int32 {
	if len(l) > 0 && l[len(l)-1] == pos {
		return l
	}
	return append(l, pos)
}

// tnode is a node of the path template trie; "" children stand for
// {param} segments.
type tnode struct {
	lit   map[string]*tnode
	param *tnode
	end   *bucket
}

func (n *tnode) insert(segs []string) *bucket {
	for _, s := range segs {
		var next **tnode
		if s == "" {
			next = &n.param
		} else {
			if n.lit == nil {
				n.lit = make(map[string]*tnode)
			}
			c := n.lit[s]
			if c == nil {
				c = &tnode{}
				n.lit[s] = c
			}
			next = &c
		}
		if *next == nil {
			*next = &tnode{}
		}
		n = *next
	}
	if n.end == nil {
		n.end = &bucket{}
	}
	return n.end
}

// tframe is a pending step of a template trie walk.
type tframe struct {
	n    *tnode
	rest []byte
}

// walk appends the buckets of every template matching rest, the path key
// without its leading "/". It keeps its own stack rather than recursing,
// so that nothing it touches has to leave the caller's frame.
func (n *tnode) walk(rest []byte, out []*bucket) []*bucket {
	// At most one sibling per level waits, and templates have at most
	// maxTemplateSegments levels.
	var st [maxTemplateSegments + 1]tframe
	st[0] = tframe{n, rest}
	top := 1
	for top > 0 {
		top--
		f := st[top]
		j := 0
		for j < len(f.rest) && f.rest[j] != '/' {
			j++
		}
		seg, last := f.rest[:j], j == len(f.rest)
		next := [2]*tnode{f.n.lit[string(seg)]}
		if len(seg) > 0 {
			next[1] = f.n.param
		}
		for _, c := range next {
			switch {
			case c == nil:
			case last:
				if c.end != nil {
					out = append(out, c.end)
				}
			case top < len(st):
				st[top] = tframe{c, f.rest[j+1:]}
				top++
			}
		}
	}
	return out
}

// opIndex finds the buckets of rules whose operation (HTTP path or gRPC
// method) patterns match a request.
type opIndex struct {
	keys index[*bucket]
	tmpl *tnode
	any  *bucket
}

func newBucket() *bucket { return &bucket{} }

func (o *opIndex) add(r *rule, pos int32, pats []pattern) {
	for i := range pats {
		p := &pats[i]
		switch p.kind {
		case kindTemplate:
			if o.tmpl == nil {
				o.tmpl = &tnode{}
			}
			o.tmpl.insert(p.segs).add(r, pos)
		case kindAny:
			if o.any == nil {
				o.any = &bucket{}
			}
			o.any.add(r, pos)
		default:
			b, _ := o.keys.slot(p, newBucket)
			b.add(r, pos)
			if p.dir {
				// "/admin/*" also covers "/admin".
				dir := pattern{kind: kindExact, text: p.text[:len(p.text)-1]}
				b, _ := o.keys.slot(&dir, newBucket)
				b.add(r, pos)
			}
		}
	}
}

func (o *opIndex) find(key []byte, out []*bucket) []*bucket {
	out = o.keys.find(key, out)
	if o.tmpl != nil && len(key) > 0 && key[0] == '/' {
		out = o.tmpl.walk(key[1:], out)
	}
	if o.any != nil && len(key) > 0 {
		out = append(out, o.any)
	}
	return out
}

// actionIndex holds the rules of one action.
type actionIndex struct {
	http opIndex // rules with paths
	grpc opIndex // rules with grpcMethods
	rest bucket  // rules that name neither
	n    int
}

func (ai *actionIndex) add(r *rule, pos int32) {
	ai.n++
	switch {
	case len(r.paths) > 0:
		ai.http.add(r, pos, r.paths)
	case len(r.grpc) > 0:
		ai.grpc.add(r, pos, r.grpc)
	default:
		ai.rest.add(r, pos)
	}
}
