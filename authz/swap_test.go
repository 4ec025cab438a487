package authz

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// swapOnValue swaps the policy the first time the request is read from
// the context, that is while the request is being built: the decision
// must then be made by one policy throughout, old or new.
type swapOnValue struct {
	context.Context
	once sync.Once
	swap func()
}

func (c *swapOnValue) Value(key any) any {
	c.once.Do(c.swap)
	return c.Context.Value(key)
}

type ctxStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s ctxStream) Context() context.Context { return s.ctx }

// TestSwapWhileBuildingRequest swaps from a policy that reads neither
// headers nor hosts to one that needs both, while a request that carries
// them is being built. Each policy alone allows it; a decision that used
// the request built for the old policy under the new one would deny it.
func TestSwapWhileBuildingRequest(t *testing.T) {
	const (
		before = "version: 1\nrules:\n  - {name: everyone, action: allow}\n"
		after  = `
version: 1
rules:
  - name: tenant-on-api
    action: allow
    to: {hosts: [api.example.com]}
    when: [{header: x-tenant, values: [t1]}]
`
	)
	md := metadata.Pairs("x-tenant", "t1", ":authority", "api.example.com:443")
	call := func(ctx context.Context, a *Authorizer) error {
		info := &grpc.UnaryServerInfo{FullMethod: "/a.S/M"}
		_, err := UnaryServerInterceptor(a)(ctx, nil, info, func(context.Context, any) (any, error) { return "ok", nil })
		return err
	}
	tests := []struct {
		name string
		run  func(ctx context.Context, a *Authorizer) error
	}{
		{"grpc unary", call},
		{"grpc stream", func(ctx context.Context, a *Authorizer) error {
			info := &grpc.StreamServerInfo{FullMethod: "/a.S/M"}
			return StreamServerInterceptor(a)(nil, ctxStream{ctx: ctx}, info, func(any, grpc.ServerStream) error { return nil })
		}},
		{"http", func(ctx context.Context, a *Authorizer) error {
			r := httptest.NewRequestWithContext(ctx, http.MethodGet, "http://api.example.com/x", nil)
			r.Header.Set("X-Tenant", "t1")
			rec := httptest.NewRecorder()
			Middleware(a)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, r)
			if rec.Code != http.StatusOK {
				return assert.AnError
			}
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Each policy alone allows the request.
			for _, src := range []string{before, after} {
				a := mustAuthorizer(t, src)
				require.NoError(t, tc.run(metadata.NewIncomingContext(context.Background(), md), a), src)
			}
			a := mustAuthorizer(t, before)
			newPolicy := mustPolicy(t, after)
			swapped := false
			ctx := &swapOnValue{Context: metadata.NewIncomingContext(context.Background(), md), swap: func() {
				swapped = true
				assert.NoError(t, a.Swap(newPolicy))
			}}
			assert.NoError(t, tc.run(ctx, a))
			assert.True(t, swapped, "the policy was swapped during the call")
			assert.Same(t, newPolicy, a.Policy())
		})
	}
}
