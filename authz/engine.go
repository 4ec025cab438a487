package authz

import (
	"net/http"

	"google.golang.org/grpc/metadata"
)

// engine is a compiled Policy. It is immutable and safe for concurrent use.
type engine struct {
	policy             *Policy
	rules              []rule
	deny, allow, audit actionIndex
	headers            bool // some condition reads headers
	hosts              bool // some rule names hosts
}

func compile(p *Policy) *engine {
	e := &engine{policy: p, rules: p.rules}
	for i := range e.rules {
		r := &e.rules[i]
		switch r.action {
		case actionDeny:
			e.deny.add(r, int32(i))
		case actionAllow:
			e.allow.add(r, int32(i))
		case actionAudit:
			e.audit.add(r, int32(i))
		}
		if len(r.hosts) > 0 || len(r.notHosts) > 0 {
			e.hosts = true
		}
		for _, c := range r.when {
			if c.claim == "" {
				e.headers = true
			}
		}
	}
	return e
}

// search is the state of one decision. It lives on the stack; its byte
// slices point into buffers of the caller's frame.
type search struct {
	e       *engine
	grpc    bool
	op      []byte // path match key or gRPC full method
	method  string
	peer    []byte
	hasPeer bool
	rp      []byte // request principal, issuer "/" subject
	hasRP   bool
	host    string
	port    int
	header  http.Header
	md      metadata.MD
}

// scan returns the position of the first rule of ai, in policy order, that
// matches, or none. The claims travel beside s rather than in it: calling
// their methods through the interface would otherwise make the compiler
// move everything s points to, the stack buffers included, to the heap.
func (s *search) scan(ai *actionIndex, claims Claims) int32 {
	if ai.n == 0 {
		return none
	}
	var arr [8]*bucket
	bs := arr[:0]
	if s.grpc {
		bs = ai.grpc.find(s.op, bs)
	} else {
		bs = ai.http.find(s.op, bs)
	}
	best := s.scanBucket(&ai.rest, none, claims)
	for _, b := range bs {
		best = s.scanBucket(b, best, claims)
	}
	return best
}

func (s *search) scanBucket(b *bucket, best int32, claims Claims) int32 {
	var arr [8]*[]int32
	if s.hasPeer {
		for _, l := range b.peer.find(s.peer, arr[:0]) {
			best = s.scanList(*l, best, claims)
		}
		best = s.scanList(b.peerAny, best, claims)
	}
	if s.hasRP {
		for _, l := range b.rp.find(s.rp, arr[:0]) {
			best = s.scanList(*l, best, claims)
		}
		best = s.scanList(b.rpAny, best, claims)
	}
	return s.scanList(b.rest, best, claims)
}

func (s *search) scanList(l []int32, best int32, claims Claims) int32 {
	for _, pos := range l {
		if pos >= best {
			break
		}
		if s.matches(&s.e.rules[pos], claims) {
			return pos
		}
	}
	return best
}

// matches evaluates every field of r against the request. The indexes only
// pick candidates; this is the definition of a match.
func (s *search) matches(r *rule, claims Claims) bool {
	if len(r.principals) > 0 && (!s.hasPeer || !anyMatch(r.principals, s.peer)) {
		return false
	}
	if len(r.notPrincipals) > 0 && s.hasPeer && anyMatch(r.notPrincipals, s.peer) {
		return false
	}
	if len(r.reqPrincipals) > 0 && (!s.hasRP || !anyMatch(r.reqPrincipals, s.rp)) {
		return false
	}
	if len(r.notReqPrincipals) > 0 && s.hasRP && anyMatch(r.notReqPrincipals, s.rp) {
		return false
	}
	if s.grpc {
		if len(r.methods) > 0 || len(r.paths) > 0 {
			return false
		}
		if len(r.grpc) > 0 && !anyMatch(r.grpc, s.op) {
			return false
		}
		if len(r.notGRPC) > 0 && anyMatch(r.notGRPC, s.op) {
			return false
		}
	} else {
		if len(r.grpc) > 0 {
			return false
		}
		if len(r.methods) > 0 && !hasMethod(r.methods, s.method) {
			return false
		}
		if len(r.notMethods) > 0 && hasMethod(r.notMethods, s.method) {
			return false
		}
		if len(r.paths) > 0 && !anyMatch(r.paths, s.op) {
			return false
		}
		if len(r.notPaths) > 0 && anyMatch(r.notPaths, s.op) {
			return false
		}
	}
	if len(r.hosts) > 0 && (s.host == "" || !anyFold(r.hosts, s.host)) {
		return false
	}
	if len(r.notHosts) > 0 && s.host != "" && anyFold(r.notHosts, s.host) {
		return false
	}
	if len(r.ports) > 0 && (s.port == 0 || !hasInt(r.ports, s.port)) {
		return false
	}
	if len(r.notPorts) > 0 && s.port != 0 && hasInt(r.notPorts, s.port) {
		return false
	}
	for i := range r.when {
		if !s.condition(&r.when[i], claims) {
			return false
		}
	}
	return true
}

func anyMatch(ps []pattern, v []byte) bool {
	for i := range ps {
		if ps[i].match(v) {
			return true
		}
	}
	return false
}

func anyFold(ps []pattern, v string) bool {
	for i := range ps {
		if ps[i].matchFold(v) {
			return true
		}
	}
	return false
}

// hasMethod reports whether list names method. GET also names HEAD, since
// net/http.ServeMux routes HEAD requests to GET handlers.
func hasMethod(list []string, method string) bool {
	for _, v := range list {
		if v == method || (v == http.MethodGet && method == http.MethodHead) {
			return true
		}
	}
	return false
}

func hasInt(list []int, n int) bool {
	for _, v := range list {
		if v == n {
			return true
		}
	}
	return false
}
