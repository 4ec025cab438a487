package authz

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePolicyYAMLAndJSONAgree(t *testing.T) {
	y := mustPolicy(t, `
version: 1
rules:
  - name: a
    action: allow
    from: {principals: ["spiffe://example.org/ns/*"]}
    to: {methods: [GET], paths: ["/v1/{id}"], ports: [443]}
    when:
      - {claim: scope, values: [read]}
`)
	j := mustPolicy(t, "{\n\t\"version\": 1,\n\t\"rules\": [{\"name\": \"a\", \"action\": \"allow\",\n"+
		"\t\"from\": {\"principals\": [\"spiffe://example.org/ns/*\"]},\n"+
		"\t\"to\": {\"methods\": [\"GET\"], \"paths\": [\"/v1/{id}\"], \"ports\": [443]},\n"+
		"\t\"when\": [{\"claim\": \"scope\", \"values\": [\"read\"]}]}]}")
	assert.Equal(t, 1, y.Version())
	assert.Equal(t, 1, y.Len())
	require.Equal(t, y.Len(), j.Len())
	y.rules[0].line, j.rules[0].line = 0, 0
	assert.Equal(t, y.rules, j.rules)
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // substrings of the error
	}{
		{"empty file", "", []string{"empty policy file"}},
		{"missing version", "rules: []", []string{"version: missing"}},
		{"bad version", "version: 2", []string{"line 1", "unsupported version 2"}},
		{"version type", `version: "1"`, []string{"want an integer"}},
		{"unknown top field", "version: 1\nrulez: []", []string{"line 2", "rulez: unknown field"}},
		{"syntax", "version: 1\nrules: [", []string{"syntax"}},
		{"bad JSON", `{"version": 1,}`, []string{"invalid JSON"}},
		{"two documents", "version: 1\n---\nversion: 1", []string{"more than one YAML document"}},
		{"rules not a list", "version: 1\nrules: {}", []string{"rules: want a list"}},
		{"missing name", "version: 1\nrules:\n  - action: allow", []string{"line 3", "name: missing"}},
		{"bad action", "version: 1\nrules:\n  - name: r1\n    action: permit", []string{"line 4", `rule "r1"`, "action", `"permit"`}},
		{"duplicate name", "version: 1\nrules:\n  - {name: r, action: allow}\n  - {name: r, action: deny}", []string{"line 4", "duplicate rule name (first on line 3)"}},
		{"duplicate key", "version: 1\nrules:\n  - name: r\n    action: allow\n    action: deny", []string{"line 5", "duplicate field"}},
		{"unknown rule field", "version: 1\nrules:\n  - name: r\n    action: allow\n    form: {}", []string{"line 5", `rule "r"`, "form: unknown field"}},
		{"unknown to field", "version: 1\nrules:\n  - name: r\n    action: allow\n    to:\n      path: [/x]", []string{"line 6", "to.path: unknown field"}},
		{"scalar for list", "version: 1\nrules:\n  - name: r\n    action: allow\n    to:\n      methods: GET", []string{"line 6", "to.methods: want a list"}},
		{"empty list", "version: 1\nrules:\n  - name: r\n    action: allow\n    to:\n      paths: []", []string{"empty list"}},
		{"lower-case method", "version: 1\nrules:\n  - name: r\n    action: allow\n    to:\n      methods: [get]", []string{"to.methods[0]", "case-sensitive"}},
		{"dot segment path", "version: 1\nrules:\n  - name: r\n    action: allow\n    to:\n      paths: [/a/../b]", []string{"line 6", "to.paths[0]", "dot segment"}},
		{"encoded path", "version: 1\nrules:\n  - name: r\n    action: allow\n    to:\n      paths: [/a%2Fb]", []string{"write paths decoded"}},
		{"inner star", "version: 1\nrules:\n  - name: r\n    action: allow\n    to:\n      paths: [/a/*/b]", []string{"only at the start or the end"}},
		{"bad template", "version: 1\nrules:\n  - name: r\n    action: allow\n    to:\n      paths: [\"/a/x{id}\"]", []string{"whole segment"}},
		{"template with star", "version: 1\nrules:\n  - name: r\n    action: allow\n    to:\n      paths: [\"/a/{id}*\"]", []string{"templates cannot be combined"}},
		{"bad principal", "version: 1\nrules:\n  - name: r\n    action: allow\n    from:\n      principals: [\"spiffe://example.org/ns*\"]", []string{"segment boundary"}},
		{"not spiffe", "version: 1\nrules:\n  - name: r\n    action: allow\n    from:\n      principals: [\"https://example.org/x\"]", []string{"from.principals[0]", "scheme"}},
		{"bad grpc", "version: 1\nrules:\n  - name: r\n    action: allow\n    to:\n      grpcMethods: [pkg.S/M]", []string{"want /package.Service/Method"}},
		{"http and grpc", "version: 1\nrules:\n  - name: r\n    action: allow\n    to:\n      paths: [/a]\n      grpcMethods: [/a.B/C]", []string{"cannot share a rule"}},
		{"bad port", "version: 1\nrules:\n  - name: r\n    action: allow\n    to:\n      ports: [0, 70000, x]", []string{"port 0 out of range", "port 70000", "want an integer"}},
		{"host with port", "version: 1\nrules:\n  - name: r\n    action: allow\n    to:\n      hosts: [\"a.example:443\"]", []string{"without the port"}},
		{"condition both", "version: 1\nrules:\n  - name: r\n    action: allow\n    when:\n      - {claim: a, header: b, values: [x]}", []string{"exactly one of claim or header"}},
		{"condition no values", "version: 1\nrules:\n  - name: r\n    action: allow\n    when:\n      - {claim: a}", []string{"want values, notValues or both"}},
		{"bad header", "version: 1\nrules:\n  - name: r\n    action: allow\n    when:\n      - {header: \"a b\", values: [x]}", []string{"not a header name"}},
		{"alias", "version: 1\nrules:\n  - &r {name: r, action: allow}\n  - *r", []string{"anchors and aliases"}},
		{"header Host", "version: 1\nrules:\n  - name: r\n    action: allow\n    when:\n      - {header: Host, values: [x]}", []string{"line 6", "when[0].header", "use to.hosts"}},
		{"header host", "version: 1\nrules:\n  - name: r\n    action: allow\n    when:\n      - {header: host, values: [x]}", []string{"use to.hosts"}},
		{"header :authority", "version: 1\nrules:\n  - name: r\n    action: allow\n    when:\n      - {header: \":authority\", values: [x]}", []string{"use to.hosts"}},
		{"value infinity", "version: 1\nrules:\n  - name: r\n    action: allow\n    when:\n      - {claim: a, values: [.inf]}", []string{"line 6", "when[0].values[0]", "not a finite number"}},
		{"value NaN", "version: 1\nrules:\n  - name: r\n    action: allow\n    when:\n      - {claim: a, notValues: [.nan]}", []string{"when[0].notValues[0]", "not a finite number"}},
		{"value legacy octal", "version: 1\nrules:\n  - name: r\n    action: allow\n    when:\n      - {claim: a, values: [017]}", []string{"leading 0"}},
		{"value beyond 2^53", "version: 1\nrules:\n  - name: r\n    action: allow\n    when:\n      - {claim: a, values: [9007199254740993]}", []string{"beyond ±2^53"}},
		{"value beyond int64", "version: 1\nrules:\n  - name: r\n    action: allow\n    when:\n      - {claim: a, values: [99999999999999999999]}", []string{"beyond ±2^53"}},
		{"condition value type", "version: 1\nrules:\n  - name: r\n    action: allow\n    when:\n      - {claim: a, values: [[x]]}", []string{"want a string, number or boolean"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePolicy([]byte(tc.src))
			require.Error(t, err)
			assert.Nil(t, p)
			assert.ErrorIs(t, err, ErrInvalidPolicy)
			assert.Contains(t, err.Error(), "authz: invalid policy")
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestParsePolicyReportsEveryProblem(t *testing.T) {
	_, err := ParsePolicy([]byte(`version: 1
rules:
  - name: one
    action: allow
    to:
      methods: [get]
  - name: two
    action: maybe
`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `line 6: rule "one": to.methods[0]`)
	assert.Contains(t, err.Error(), `line 8: rule "two": action`)
	var pe *PolicyError
	require.True(t, errors.As(err, &pe))
	assert.Equal(t, 6, pe.Line)
	assert.Equal(t, "one", pe.Rule)
	assert.Equal(t, "to.methods[0]", pe.Field)
}

func TestLoadPolicy(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "policy.yaml")
	require.NoError(t, os.WriteFile(good, []byte("version: 1\nrules:\n  - {name: r, action: allow}\n"), 0o600))
	p, err := LoadPolicy(good)
	require.NoError(t, err)
	assert.Equal(t, 1, p.Len())

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"version": 1, "rules": [{"name": "r", "action": "nope"}]}`), 0o600))
	_, err = LoadPolicy(bad)
	require.ErrorIs(t, err, ErrInvalidPolicy)
	assert.Contains(t, err.Error(), bad+": line 1: rule \"r\": action")

	_, err = LoadPolicy(filepath.Join(dir, "missing.yaml"))
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "authz: load policy")
}

func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(semanticsPolicy))
	f.Add([]byte(`{"version": 1, "rules": [{"name": "r", "action": "allow", "to": {"paths": ["/v1/{id}"]}}]}`))
	f.Add([]byte("version: 1\nrules:\n  - &a {name: r, action: allow}\n  - *a\n"))
	f.Add([]byte("version: 1\nrules:\n  - name: r\n    action: deny\n    when: [{header: x, notValues: [\"*\"]}]\n"))
	f.Add([]byte("{\"version\":1,\"rules\":[{\"name\":\"\\u0000\"}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidPolicy) {
				t.Fatalf("error does not wrap ErrInvalidPolicy: %v", err)
			}
			return
		}
		// Whatever parses compiles and decides without panicking.
		a, err := New(p)
		if err != nil {
			t.Fatal(err)
		}
		a.Decide(t.Context(), &Request{Method: "GET", Path: "/a/b"})
		a.Decide(t.Context(), &Request{GRPCMethod: "/a.B/C", Claims: testClaims{"iss": "i", "sub": "s"}})
	})
}
