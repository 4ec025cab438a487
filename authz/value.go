package authz

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ztkit/ztkit/internal/jsonnum"
)

// Condition values and claims compare as text, and numbers and booleans
// by their canonical JSON text: the text encoding/json writes for the
// float64 or bool a JSON claim decodes to. Both sides are brought to that
// form, so that a policy value and a claim compare by what they are, not by
// how they were spelt: True, 0x10, 1.0 and 1e3 in a policy are the claims
// true, 16, 1 and 1000.

// maxExactInt is the largest integer every float64 up to it represents
// exactly; JSON numbers decode to float64, so a larger policy integer
// could never be compared exactly.
const maxExactInt = 1 << 53

// canonicalValue returns the text a condition value compares by: a string
// as written, a boolean or number in canonical JSON form. It rejects
// numbers no JSON claim can be compared with exactly or unambiguously.
func canonicalValue(n *yaml.Node) (string, error) {
	switch n.Tag {
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return "", fmt.Errorf("%q: not a boolean", n.Value)
		}
		return strconv.FormatBool(b), nil
	case "!!int":
		digits := strings.TrimLeft(n.Value, "+-")
		if len(digits) > 1 && digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9' {
			return "", fmt.Errorf("%q: a leading 0 reads as octal; write the decimal number, or quote it to match text", n.Value)
		}
		var v int64
		if err := n.Decode(&v); err != nil || v > maxExactInt || v < -maxExactInt {
			return "", fmt.Errorf("%q: integers beyond ±2^53 cannot be compared exactly with a JSON number; quote it to match text", n.Value)
		}
		return strconv.FormatInt(v, 10), nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return "", fmt.Errorf("%q: not a finite number (JSON has no infinities or NaN)", n.Value)
		}
		if !strings.ContainsAny(n.Value, ".eE") {
			// An integer too large for int64.
			return "", fmt.Errorf("%q: integers beyond ±2^53 cannot be compared exactly with a JSON number; quote it to match text", n.Value)
		}
		return string(appendJSONNumber(nil, f)), nil
	}
	return n.Value, nil
}

// appendJSONNumber appends f as encoding/json writes a float64, except
// that -0 is written 0, since it compares as 0.
func appendJSONNumber(b []byte, f float64) []byte {
	if f == 0 {
		f = 0
	}
	return jsonnum.Append(b, f)
}
