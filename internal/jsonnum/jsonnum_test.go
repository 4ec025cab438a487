package jsonnum

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendMatchesEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 1000, 1e6, 1.5, 1e20, 1e21, 1e-6, 1e-7, 123456789.125, -2.5e-9, 5e300} {
		want, err := json.Marshal(f)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(Append(nil, f)), "%v", f)
	}
}
