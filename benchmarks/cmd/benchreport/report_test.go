package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sample = `goos: linux
BenchmarkMTLSHandshake/crypto_tls-2   2974   800 ns/op   100 B/op   10 allocs/op
BenchmarkMTLSHandshake/ztkit_mtls-2   3013   840 ns/op   110 B/op   11 allocs/op
BenchmarkMTLSHandshake/crypto_tls-2   2974   900 ns/op   100 B/op   10 allocs/op
BenchmarkMTLSHandshake/ztkit_mtls-2   3013   860 ns/op   110 B/op   11 allocs/op
BenchmarkMTLSHandshake/crypto_tls-2   2974   700 ns/op   100 B/op   10 allocs/op
BenchmarkMTLSHandshake/ztkit_mtls-2   3013   820 ns/op   110 B/op   11 allocs/op
BenchmarkStack/full-2   100   2000 ns/op   5 B/op   1 allocs/op   1500 p90-ns
BenchmarkStack/anchor_bare-2   100   1000 ns/op   5 B/op   1 allocs/op
PASS
`

func TestParseGroupsAndMedians(t *testing.T) {
	groups := parse(strings.NewReader(sample))
	require.Len(t, groups, 2)
	g := groups[0]
	assert.Equal(t, "MTLSHandshake", g.name)
	require.Len(t, g.variants, 2)
	assert.Equal(t, 800.0, median(g.anchor().metrics["ns/op"]))
	assert.Equal(t, 840.0, median(g.variants[1].metrics["ns/op"]))
	assert.Equal(t, "Stack/anchor_bare", groups[1].anchor().name, "a variant named anchor… wins over the first")
	assert.Equal(t, []string{"p90-ns"}, groups[1].extraUnits())
}

func TestRenderShowsRatios(t *testing.T) {
	var buf bytes.Buffer
	render(&buf, parse(strings.NewReader(sample)), "test machine", runInfo{count: 3, benchtime: "1x"})
	out := buf.String()
	assert.Contains(t, out, "| ztkit_mtls | 840 | 1.05× | 110 | 11 |")
	assert.Contains(t, out, "| crypto_tls | 800 | anchor | 100 | 10 |")
	assert.Contains(t, out, "| full | 2000 | 2.00× | 5 | 1 | 1500 |")
	assert.Contains(t, out, "test machine")
}
