// Package jsonnum formats float64 values exactly as encoding/json does,
// without allocating, for the packages that write or compare JSON numbers
// themselves (logging's encoder, authz's claim conditions).
package jsonnum

import (
	"math"
	"strconv"
)

// Append appends f as encoding/json writes a float64: the shortest text
// that reads back as f, in exponent form below 1e-6 and from 1e21 on. f
// must be finite; JSON cannot carry NaN or infinities.
func Append(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Write e-07 as e-7, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
