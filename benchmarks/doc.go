// Package benchmarks measures ztkit against the libraries a user would pick
// instead, side by side in one run. It is a separate module so that the
// comparison libraries never enter ztkit's own go.mod.
package benchmarks
