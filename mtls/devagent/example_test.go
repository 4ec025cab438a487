package devagent_test

import (
	"context"
	"fmt"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/jwtsvid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"

	"github.com/ztkit/ztkit/mtls/devagent"
)

// go-spiffe's own Workload API client talks to the agent unchanged.
func Example() {
	ctx := context.Background()
	agent, err := devagent.Start(ctx, devagent.Config{TrustDomain: "example.org"})
	if err != nil {
		panic(err)
	}
	defer agent.Close()

	addr, err := agent.Socket(spiffeid.RequireFromString("spiffe://example.org/orders"))
	if err != nil {
		panic(err)
	}
	client, err := workloadapi.New(ctx, workloadapi.WithAddr(addr))
	if err != nil {
		panic(err)
	}
	defer client.Close()

	x509SVID, err := client.FetchX509SVID(ctx)
	if err != nil {
		panic(err)
	}
	jwtSVID, err := client.FetchJWTSVID(ctx, jwtsvid.Params{Audience: "inventory"})
	if err != nil {
		panic(err)
	}
	fmt.Println(x509SVID.ID, jwtSVID.Audience)
	// Output: spiffe://example.org/orders [inventory]
}
