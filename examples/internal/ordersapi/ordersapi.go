// Package ordersapi is the gRPC contract of the examples' orders service.
// Its messages are protobuf Structs and its service descriptor is written by
// hand, as protoc would generate it, so the examples need no generated code.
package ordersapi

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/structpb"
)

// PlaceOrderMethod is the full method name, as authz policies name it.
const PlaceOrderMethod = "/ztkit.examples.Orders/PlaceOrder"

// Server is the orders service.
type Server interface {
	PlaceOrder(ctx context.Context, req *structpb.Struct) (*structpb.Struct, error)
}

// Register adds srv to a gRPC server.
func Register(r grpc.ServiceRegistrar, srv Server) {
	r.RegisterService(&serviceDesc, srv)
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: "ztkit.examples.Orders",
	HandlerType: (*Server)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "PlaceOrder",
		Handler: func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			req := new(structpb.Struct)
			if err := dec(req); err != nil {
				return nil, err
			}
			s := srv.(Server)
			if icpt == nil {
				return s.PlaceOrder(ctx, req)
			}
			info := &grpc.UnaryServerInfo{Server: srv, FullMethod: PlaceOrderMethod}
			return icpt(ctx, req, info, func(ctx context.Context, req any) (any, error) {
				return s.PlaceOrder(ctx, req.(*structpb.Struct))
			})
		},
	}},
}

// PlaceOrder asks the orders service on conn to order one item.
func PlaceOrder(ctx context.Context, conn grpc.ClientConnInterface, item string, opts ...grpc.CallOption) (*structpb.Struct, error) {
	req, err := structpb.NewStruct(map[string]any{"item": item})
	if err != nil {
		return nil, fmt.Errorf("orders request: %w", err)
	}
	resp := new(structpb.Struct)
	if err := conn.Invoke(ctx, PlaceOrderMethod, req, resp, opts...); err != nil {
		return nil, err
	}
	return resp, nil
}
