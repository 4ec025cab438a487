package logging_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/ztkit/ztkit/logging"
)

// noTime drops the record time so the example output is stable.
func noTime(w *os.File) *slog.Logger {
	h := logging.NewHandler(w, &logging.HandlerOptions{Service: "orders"})
	return slog.New(timeless{h})
}

type timeless struct{ slog.Handler }

func (t timeless) Handle(ctx context.Context, r slog.Record) error {
	r.Time = time.Time{}
	return t.Handler.Handle(ctx, r)
}

func ExampleNewHandler() {
	l := noTime(os.Stdout)
	l.Info("login failed password=hunter2",
		"user", "bob",
		"authorization", "Bearer abc.def.ghi",
		"dsn", "postgres://app:s3cret@db:5432/orders",
		"err", errors.New("upstream rejected eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJl"),
		"note", "line one\nline two")
	// Output:
	// {"level":"INFO","msg":"login failed password=[REDACTED:key]","service":"orders","user":"bob","authorization":"[REDACTED:key]","dsn":"postgres://app:[REDACTED:url_password]@db:5432/orders","err":"upstream rejected [REDACTED:jwt]","note":"line one\nline two"}
}

func ExampleSecret() {
	key := logging.Secret("sk_live_51H8xY2eZvKYlo2C0123456789")
	noTime(os.Stdout).Info("charging", "stripe_key_value", key)
	fmt.Printf("%s %v %q\n", key, key, key)
	// Output:
	// {"level":"INFO","msg":"charging","service":"orders","stripe_key_value":"[REDACTED:secret]"}
	// [REDACTED:secret] [REDACTED:secret] [REDACTED:secret]
}

func ExampleNew() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	l, err := logging.New(logging.Config{
		File:    logging.FileOptions{Path: filepath.Join(dir, "orders", "orders.log"), MaxSize: 50 << 20, MaxBackups: 5, Compress: true},
		Handler: logging.HandlerOptions{Service: "orders", Version: "1.4.2"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	l.Info("started", "port", 8443)
	if err := l.Close(); err != nil {
		fmt.Println(err)
	}
	st, _ := os.Stat(filepath.Join(dir, "orders", "orders.log"))
	fmt.Println(st.Mode().Perm(), l.File().Stats().Written)
	// Output:
	// -rw------- 1
}

func ExampleAccessLog() {
	l := noTime(os.Stdout)
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hi") })
	handler := logging.AccessLog(l)(mux)
	_ = &http.Server{Addr: "127.0.0.1:8443", Handler: handler}
	fmt.Println("access log installed")
	// Output:
	// access log installed
}

func ExampleLogEvent() {
	l := noTime(os.Stdout)
	logging.LogEvent(context.Background(), l, slog.LevelWarn, logging.AuthzFail, "request denied",
		slog.String("method", "/orders.v1.Orders/Delete"), slog.String("peer_id", "spiffe://example.org/web"))
	// Output:
	// {"level":"WARN","msg":"request denied","service":"orders","event":"authz_fail","method":"/orders.v1.Orders/Delete","peer_id":"spiffe://example.org/web"}
}
