// Command broken does not compile, for the harness's build failure test.
package main

func main() { undefinedFunction() }
