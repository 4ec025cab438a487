// Package jwtauth verifies JSON Web Tokens for HTTP and gRPC servers.
package jwtauth
