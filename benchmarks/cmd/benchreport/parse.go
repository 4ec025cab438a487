package main

import (
	"bufio"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// result is every run of one benchmark: its metrics by unit, one value per
// run (ns/op, B/op, allocs/op and any custom unit a benchmark reports).
type result struct {
	name    string
	metrics map[string][]float64
}

// group is one comparison: the benchmarks that share a name up to their
// last path segment, in the order they ran. The first is the anchor the
// others are compared with, unless a variant is named "anchor" explicitly.
type group struct {
	name     string
	variants []*result
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.*)$`)

// parse reads `go test -bench` output and groups the results.
func parse(r io.Reader) []*group {
	byName := map[string]*result{}
	var order []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		name := strings.TrimPrefix(m[1], "Benchmark")
		res, ok := byName[name]
		if !ok {
			res = &result{name: name, metrics: map[string][]float64{}}
			byName[name] = res
			order = append(order, name)
		}
		fields := strings.Fields(m[3])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				continue
			}
			res.metrics[fields[i+1]] = append(res.metrics[fields[i+1]], v)
		}
	}
	groups := map[string]*group{}
	var gorder []string
	for _, name := range order {
		gname, _ := split(name)
		g, ok := groups[gname]
		if !ok {
			g = &group{name: gname}
			groups[gname] = g
			gorder = append(gorder, gname)
		}
		g.variants = append(g.variants, byName[name])
	}
	out := make([]*group, 0, len(gorder))
	for _, n := range gorder {
		out = append(out, groups[n])
	}
	return out
}

// split cuts a benchmark name into its group and variant.
func split(name string) (group, variant string) {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return name, name
	}
	return name[:i], name[i+1:]
}

func (g *group) anchor() *result {
	for _, v := range g.variants {
		if _, variant := split(v.name); strings.HasPrefix(variant, "anchor") {
			return v
		}
	}
	return g.variants[0]
}

func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// extraUnits lists the custom units reported in g, sorted, beyond the
// standard three.
func (g *group) extraUnits() []string {
	seen := map[string]bool{}
	for _, v := range g.variants {
		for u := range v.metrics {
			switch u {
			case "ns/op", "B/op", "allocs/op", "MB/s":
			default:
				seen[u] = true
			}
		}
	}
	units := make([]string, 0, len(seen))
	for u := range seen {
		units = append(units, u)
	}
	sort.Strings(units)
	return units
}
