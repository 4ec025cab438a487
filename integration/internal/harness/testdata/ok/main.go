// Command ok is a program that builds, for the harness's cache tests.
package main

func main() {}
