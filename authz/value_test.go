package authz

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConditionValuesCanonical checks that a condition value compares with
// a claim by what it is, whatever its spelling: a deny rule written with a
// non-canonical number or boolean must not be silently inert.
func TestConditionValuesCanonical(t *testing.T) {
	tests := []struct {
		written string // the value as written in the policy
		claim   any    // the claim as decoded from JSON
		match   bool
	}{
		{"true", true, true},
		{"True", true, true},
		{"TRUE", true, true},
		{"False", false, true},
		{"True", false, false},
		{"0x10", float64(16), true},
		{"0o17", float64(15), true},
		{"0b11", float64(3), true},
		{"+5", float64(5), true},
		{"-0", float64(0), true},
		{"1_000", float64(1000), true},
		{"1.0", float64(1), true},
		{"1e3", float64(1000), true},
		{"1E3", float64(1000), true},
		{"1000", float64(1000), true},
		{"1.50", 1.5, true},
		{"-.5", -0.5, true},
		{"1e21", 1e21, true},
		{"1e-7", 1e-7, true},
		{"0.0000001", 1e-7, true},
		{"0.1", 0.1, true},
		{"1.0", 1.5, false},
		{"1e3", float64(100), false},
		{"0x10", "0x10", false}, // a number does not match the string as written
		{"0x10", "16", true},    // the claim's text is compared
		{`"1.0"`, float64(1), false},
		{`"True"`, true, false},
		{`"1.0"`, "1.0", true},
		{"1e3", []any{"x", float64(1000)}, true},
		{"1", float64(1), true},
		{"1", int64(1), true},
		{"-0.0", math.Copysign(0, -1), true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s vs %v", tc.written, tc.claim), func(t *testing.T) {
			a := mustAuthorizer(t, fmt.Sprintf(`
version: 1
rules:
  - name: deny-flagged
    action: deny
    when:
      - {claim: c, values: [%s]}
  - name: everyone
    action: allow
`, tc.written))
			r := Request{Claims: testClaims{"iss": "i", "sub": "s", "c": tc.claim}, Method: "GET", Path: "/"}
			d := a.Decide(context.Background(), &r)
			assert.Equal(t, !tc.match, d.Allowed, "allowed")
			if tc.match {
				assert.Equal(t, "deny-flagged", d.Rule)
			}
			assert.Equal(t, refDecide(a.Policy(), &r), refOf(d), "reference evaluator disagrees")
		})
	}
}

// TestAppendJSONNumber checks the claim side against encoding/json itself.
func TestAppendJSONNumber(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 1000, 1.5, 0.1, 1e-6, 1e-7, 9.99e-7, 1e20, 1e21, 1.2345e22, -3e-300,
		math.MaxFloat64, math.SmallestNonzeroFloat64, 1 << 53, 123456789.125} {
		want, err := json.Marshal(f)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendJSONNumber(nil, f)), "%v", f)
	}
	assert.Equal(t, "0", string(appendJSONNumber(nil, math.Copysign(0, -1))))
}
