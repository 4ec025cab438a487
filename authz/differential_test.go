package authz

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/metadata"
)

// bytesource turns fuzz input into choices; it yields zeros once drained.
type bytesource struct{ b []byte }

func (s *bytesource) next() int {
	if len(s.b) == 0 {
		return 0
	}
	v := int(s.b[0])
	s.b = s.b[1:]
	return v
}

func (s *bytesource) pick(list []string) string { return list[s.next()%len(list)] }

// picks returns one to three entries of list, or nil when the field is left
// out (about half the time).
func (s *bytesource) picks(list []string) []string {
	v := s.next()
	if v%2 == 0 {
		return nil
	}
	n := 1 + (v/2)%3
	out := make([]string, n)
	for i := range out {
		out[i] = s.pick(list)
	}
	return out
}

var (
	vocabPrincipals = []string{"*", "spiffe://a.org/ns/x", "spiffe://a.org/ns/*", "spiffe://a.org",
		"spiffe://b.org/*", "spiffe://a.org/ns/x/*", "spiffe://a.org/ns/xy"}
	vocabReqPrincipals = []string{"*", "iss1/alice", "iss1/*", "*/alice", "iss2/bob", "iss1/", "*e"}
	vocabPaths         = []string{"/", "/admin", "/admin/*", "/admin*", "/v1/orders/{id}", "/v1/{x}/items",
		"*.json", "*", "/v1/*", "/v1/orders", "/v1/orders/", "/*", "/v1/orders/{id}/items", "/ADMIN"}
	vocabGRPC    = []string{"*", "/a.S/M", "/a.S/*", "/b.T/N", "/a.S/N"}
	vocabMethods = []string{"GET", "POST", "DELETE"}
	vocabHosts   = []string{"api.example.com", "*.example.com", "api.*", "*", "API.example.com"}
	vocabPorts   = []string{"443", "8443"}
	// Values starting with "=" are written bare, so YAML reads them as
	// numbers or booleans in spellings that are not canonical.
	vocabValues = []string{"read", "write", "admin", "adm*", "*", "42", "true", "t1", "t*", "*1",
		"=42", "=0x2A", "=42.0", "=True", "=FALSE", "=1e3", "=1000", "=1.5", "=1e21", "=1e-7", "=0.0000001", "=1"}
	vocabClaims  = []string{"scope", "groups", "n", "flag", "missing", "big", "frac"}
	vocabHeaders = []string{"X-Tenant", "x-env"}

	reqPeers = []string{"", "spiffe://a.org/ns/x", "spiffe://a.org/ns/xy", "spiffe://a.org/ns",
		"spiffe://b.org/ns/x", "spiffe://a.org/ns/x/y", "spiffe://a.org/other"}
	reqPaths = []string{"/", "/admin", "/admin/", "/admin/x", "/adminx", "/v1/orders/7", "/v1/orders/7/",
		"/v1/a/items", "/v1/orders", "/x.json", "/v1/orders/%37", "/admin/../x", "//admin", "/ADMIN",
		"/v1/items.json", "/v1/orders/7/items", "/%61dmin", "/admin%2F", "/v1/", "/v1"}
	reqMethods = []string{"GET", "POST", "DELETE", "HEAD"}
	reqGRPC    = []string{"/a.S/M", "/a.S/N", "/b.T/N", "/c.U/X", "bad"}
	reqHosts   = []string{"", "API.example.com:8443", "x.example.com", "other.org", "api.example.com"}
	reqTenants = []string{"", "t1", "t2", "x1"}
)

func genPolicy(s *bytesource) string {
	var b strings.Builder
	b.WriteString("version: 1\nrules:\n")
	list := func(key string, vals []string) string {
		if len(vals) == 0 {
			return ""
		}
		q := make([]string, len(vals))
		for i, v := range vals {
			q[i] = fmt.Sprintf("%q", v)
			if strings.HasSuffix(key, "orts") {
				q[i] = v
			} else if bare, ok := strings.CutPrefix(v, "="); ok {
				q[i] = bare
			}
		}
		return fmt.Sprintf("%s: [%s]", key, strings.Join(q, ", "))
	}
	section := func(indent, head string, items ...string) {
		var lines []string
		for _, it := range items {
			if it != "" {
				lines = append(lines, indent+"  "+it+"\n")
			}
		}
		if len(lines) > 0 {
			b.WriteString(indent + head + "\n" + strings.Join(lines, ""))
		}
	}
	n := s.next() % 12
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - name: r%d\n    action: %s\n", i, []string{"allow", "deny", "audit", "allow"}[s.next()%4])
		section("    ", "from:",
			list("principals", s.picks(vocabPrincipals)),
			list("notPrincipals", s.picks(vocabPrincipals)),
			list("requestPrincipals", s.picks(vocabReqPrincipals)),
			list("notRequestPrincipals", s.picks(vocabReqPrincipals)))
		var op []string
		if s.next()%3 == 0 {
			op = []string{list("grpcMethods", s.picks(vocabGRPC)), list("notGrpcMethods", s.picks(vocabGRPC))}
		} else {
			op = []string{list("methods", s.picks(vocabMethods)), list("notMethods", s.picks(vocabMethods)),
				list("paths", s.picks(vocabPaths)), list("notPaths", s.picks(vocabPaths))}
		}
		section("    ", "to:", append(op,
			list("hosts", s.picks(vocabHosts)), list("notHosts", s.picks(vocabHosts)),
			list("ports", s.picks(vocabPorts)), list("notPorts", s.picks(vocabPorts)))...)
		if c := s.next() % 4; c > 0 {
			b.WriteString("    when:\n")
			for ; c > 0; c-- {
				vals, not := s.picks(vocabValues), s.picks(vocabValues)
				if vals == nil && not == nil {
					vals = []string{s.pick(vocabValues)}
				}
				if s.next()%2 == 0 {
					b.WriteString("      - claim: " + s.pick(vocabClaims) + "\n")
				} else {
					b.WriteString("      - header: " + s.pick(vocabHeaders) + "\n")
				}
				for _, l := range []string{list("values", vals), list("notValues", not)} {
					if l != "" {
						b.WriteString("        " + l + "\n")
					}
				}
			}
		}
	}
	return b.String()
}

func genRequest(s *bytesource) Request {
	var r Request
	if p := s.pick(reqPeers); p != "" {
		r.PeerID = spiffeid.RequireFromString(p)
	}
	switch s.next() % 4 {
	case 1:
		r.Claims = testClaims{"iss": "iss1", "sub": "alice", "scope": "read write", "groups": []any{"admin", "dev", float64(1)},
			"n": float64(42), "flag": true, "big": float64(1000), "frac": 1.5}
	case 2:
		r.Claims = testClaims{"iss": "iss2", "sub": "bob", "scope": "read", "groups": "t1", "n": float64(7),
			"flag": false, "big": 1e21, "frac": 1e-7}
	case 3:
		r.Claims = testClaims{"iss": "iss1", "sub": ""}
	}
	r.Host = s.pick(reqHosts)
	r.Port = []int{0, 443, 8443}[s.next()%3]
	tenant := s.pick(reqTenants)
	if s.next()%3 == 0 {
		r.GRPCMethod = s.pick(reqGRPC)
		if tenant != "" {
			r.Metadata = metadata.Pairs("x-tenant", tenant)
		}
	} else {
		r.Method = s.pick(reqMethods)
		r.Path = s.pick(reqPaths)
		if tenant != "" {
			r.Header = http.Header{"X-Tenant": {tenant}}
		}
	}
	return r
}

func FuzzDecideMatchesReference(f *testing.F) {
	f.Add([]byte{3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
	f.Add([]byte{11, 1, 5, 1, 3, 4, 1, 1, 9, 0, 7, 7, 7, 7, 1, 2, 3, 200, 100, 50})
	f.Add([]byte("a fairly long seed so that many rules and fields get chosen by the generator ......"))
	f.Add([]byte{5, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 3, 1, 1, 1, 2, 2, 2, 2, 9, 9, 9, 9, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &bytesource{b: data}
		src := genPolicy(s)
		p, err := ParsePolicy([]byte(src))
		if err != nil {
			t.Fatalf("generated policy does not parse: %v\n%s", err, src)
		}
		a, err := New(p)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 8; i++ {
			r := genRequest(s)
			got := refOf(a.Decide(t.Context(), &r))
			want := refDecide(p, &r)
			if got != want {
				t.Fatalf("engine %+v, reference %+v\nrequest %+v\npolicy:\n%s", got, want, r, src)
			}
		}
	})
}

// TestDecideMatchesReferenceSpread runs the differential check over a fixed
// pseudo-random set of inputs in normal test runs, and checks that the
// generator reaches every kind of outcome, so the comparison means
// something.
func TestDecideMatchesReferenceSpread(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[Reason]int{}
	audits := 0
	for i := 0; i < 3000; i++ {
		data := make([]byte, 40+rng.IntN(200))
		for j := range data {
			data[j] = byte(rng.UintN(256))
		}
		s := &bytesource{b: data}
		src := genPolicy(s)
		p, err := ParsePolicy([]byte(src))
		require.NoError(t, err, src)
		a, err := New(p)
		require.NoError(t, err)
		for k := 0; k < 8; k++ {
			r := genRequest(s)
			got := refOf(a.Decide(t.Context(), &r))
			want := refDecide(p, &r)
			require.Equal(t, want, got, "request %+v\npolicy:\n%s", r, src)
			seen[got.Reason]++
			if got.Audit != "" {
				audits++
			}
		}
	}
	for _, r := range []Reason{ReasonAllowRule, ReasonDenyRule, ReasonNoMatch, ReasonInvalidRequest} {
		assert.Greater(t, seen[r], 100, "outcome %s", r)
	}
	assert.Greater(t, audits, 100, "audit matches")
}
