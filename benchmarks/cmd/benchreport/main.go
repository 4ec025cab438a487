// Command benchreport runs the comparison benchmarks of this module several
// times and writes BENCHMARKS.md: one table per comparison with the median
// ns/op, B/op and allocs/op of each side and its ratio to the anchor (the
// first side, or the one named "anchor…"), plus the machine and Go version.
//
//	cd benchmarks && go run ./cmd/benchreport            # writes ../BENCHMARKS.md
//	go run ./cmd/benchreport -count 3 -benchtime 200ms -bench JWT
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

func main() {
	count := flag.Int("count", 5, "runs of each benchmark; the report takes the median")
	benchtime := flag.String("benchtime", "300ms", "go test -benchtime for each run")
	bench := flag.String("bench", ".", "go test -bench pattern")
	out := flag.String("o", "../BENCHMARKS.md", "report file")
	input := flag.String("input", "", "read `go test -bench` output from this file instead of running it")
	flag.Parse()

	raw, elapsed, err := benchOutput(*input, *bench, *benchtime, *count)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
	groups := parse(bytes.NewReader(raw))
	if len(groups) == 0 {
		fmt.Fprintln(os.Stderr, "benchreport: no benchmark results in the output")
		os.Exit(1)
	}
	var buf bytes.Buffer
	render(&buf, groups, machine(), runInfo{count: *count, benchtime: *benchtime, elapsed: elapsed})
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s: %d comparisons in %s\n", *out, len(groups), elapsed.Round(time.Second))
}

func benchOutput(input, bench, benchtime string, count int) ([]byte, time.Duration, error) {
	if input != "" {
		b, err := os.ReadFile(input)
		return b, 0, err
	}
	start := time.Now()
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", bench, "-benchmem",
		"-benchtime", benchtime, "-count", fmt.Sprint(count), "-timeout", "30m", "./...")
	var buf bytes.Buffer
	cmd.Stdout = io.MultiWriter(&buf, os.Stderr)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, 0, fmt.Errorf("go test -bench: %w", err)
	}
	return buf.Bytes(), time.Since(start), nil
}
