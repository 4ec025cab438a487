package jwtauth

import (
	"context"
	"errors"
)

// TokenSource supplies the token to attach to an outgoing request.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// StaticToken always supplies token.
func StaticToken(token string) TokenSource { return staticToken(token) }

type staticToken string

func (s staticToken) Token(context.Context) (string, error) {
	if s == "" {
		return "", wrap(ErrMissing, "static token is empty")
	}
	return string(s), nil
}

// ForwardedToken supplies the token that Middleware or the server
// interceptors verified for the incoming request whose context the outgoing
// call carries, so that a service can call onward on the caller's behalf.
func ForwardedToken() TokenSource { return forwardedToken{} }

type forwardedToken struct{}

func (forwardedToken) Token(ctx context.Context) (string, error) {
	if t, ok := tokenFromContext(ctx); ok {
		return t, nil
	}
	return "", wrap(ErrMissing, "the context carries no verified incoming token to forward")
}

// errNoSource is returned by the outgoing helpers when given no TokenSource.
var errNoSource = errors.New("jwtauth: no token source")
