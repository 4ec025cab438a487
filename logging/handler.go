package logging

import (
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"sync"

	"go.opentelemetry.io/otel/trace"
)

// recordWriter is implemented by writers that take one whole record per
// call and serialise concurrent calls themselves, such as *File.
type recordWriter interface {
	writeRecord(p []byte) error
}

// core is what a handler and the handlers derived from it share.
type core struct {
	mu        sync.Mutex
	w         io.Writer
	rw        recordWriter
	level     slog.Leveler
	addSource bool
	red       redactor
	pool      sync.Pool
}

// handler is the sanitising JSON-lines slog.Handler.
type handler struct {
	c         *core
	pre       []byte   // encoded attributes from base options and WithAttrs
	groups    []string // groups from WithGroup
	nOpen     int      // groups already opened in pre
	redactAll bool     // a WithGroup name was secret: redact every value below it
}

// NewHandler returns a slog.Handler that writes each record to w as one
// line of JSON, with secrets redacted by key name and by value shape and
// with control characters escaped. Each record is one w.Write call;
// concurrent records are serialised. A nil opts gives the secure defaults.
func NewHandler(w io.Writer, opts *HandlerOptions) slog.Handler {
	if w == nil {
		w = io.Discard
	}
	c := &core{w: w, level: slog.LevelInfo, red: newRedactor(opts)}
	c.rw, _ = w.(recordWriter)
	c.pool.New = func() any { b := make([]byte, 0, 1024); return &b }
	h := &handler{c: c}
	if opts != nil {
		if opts.Level != nil {
			c.level = opts.Level
		}
		c.addSource = opts.AddSource
		for _, kv := range [...][2]string{{"service", opts.Service}, {"version", opts.Version}, {"host", opts.Host}} {
			if kv[1] != "" {
				h.pre = c.appendKey(h.pre, kv[0])
				h.pre = c.red.appendString(h.pre, kv[1])
			}
		}
	}
	return h
}

// Enabled reports whether level is at or above the configured minimum.
func (h *handler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.c.level.Level()
}

// WithAttrs returns a handler whose records carry attrs, encoded once now.
func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := *h
	buf := append([]byte(nil), h.pre...)
	buf = h.openGroups(buf)
	wrote := false
	for _, a := range attrs {
		var ok bool
		buf, ok = h.appendRecordAttr(buf, a)
		wrote = wrote || ok
	}
	if !wrote {
		return h
	}
	h2.pre = buf
	h2.nOpen = len(h.groups)
	return &h2
}

// WithGroup returns a handler that nests later attributes under name.
func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.groups = append(h.groups[:len(h.groups):len(h.groups)], name)
	h2.redactAll = h.redactAll || h.c.red.keys.sensitive(name)
	return &h2
}

func (h *handler) openGroups(buf []byte) []byte {
	for _, g := range h.groups[h.nOpen:] {
		buf = h.c.appendKey(buf, g)
		buf = append(buf, '{')
	}
	return buf
}

func (h *handler) appendRecordAttr(buf []byte, a slog.Attr) ([]byte, bool) {
	if h.redactAll {
		if isEmptyAttr(a) {
			return buf, false
		}
		buf = h.c.appendKey(buf, a.Key)
		return append(buf, `"[REDACTED:key]"`...), true
	}
	return h.c.appendAttr(buf, a, 0)
}

// Handle encodes r as one JSON line and writes it.
func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	c := h.c
	bp := c.pool.Get().(*[]byte)
	buf := append((*bp)[:0], '{')
	if !r.Time.IsZero() {
		buf = append(buf, `"time":"`...)
		buf = appendTimestamp(buf, r.Time)
		buf = append(buf, `",`...)
	}
	buf = append(buf, `"level":"`...)
	buf = appendLevel(buf, r.Level)
	buf = append(buf, `","msg":`...)
	buf = c.red.appendString(buf, r.Message)
	if c.addSource && r.PC != 0 {
		f, _ := runtime.CallersFrames([]uintptr{r.PC}).Next()
		buf = append(buf, `,"source":`...)
		buf = c.red.appendString(buf, f.File+":"+strconv.Itoa(f.Line))
	}
	if ctx != nil {
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			tid, sid := sc.TraceID(), sc.SpanID()
			buf = append(buf, `,"trace_id":"`...)
			buf = hex.AppendEncode(buf, tid[:])
			buf = append(buf, `","span_id":"`...)
			buf = hex.AppendEncode(buf, sid[:])
			buf = append(buf, '"')
		}
	}
	buf = append(buf, h.pre...)
	open := h.nOpen
	if r.NumAttrs() > 0 {
		mark := len(buf)
		buf = h.openGroups(buf)
		wrote := false
		r.Attrs(func(a slog.Attr) bool {
			var ok bool
			buf, ok = h.appendRecordAttr(buf, a)
			wrote = wrote || ok
			return true
		})
		if wrote {
			open = len(h.groups)
		} else {
			buf = buf[:mark]
		}
	}
	for ; open > 0; open-- {
		buf = append(buf, '}')
	}
	buf = append(buf, '}', '\n')
	var err error
	if c.rw != nil {
		err = c.rw.writeRecord(buf)
	} else {
		c.mu.Lock()
		_, err = c.w.Write(buf)
		c.mu.Unlock()
	}
	if cap(buf) <= 16<<10 {
		*bp = buf
		c.pool.Put(bp)
	}
	return err
}

func appendLevel(buf []byte, l slog.Level) []byte {
	switch l {
	case slog.LevelDebug:
		return append(buf, "DEBUG"...)
	case slog.LevelInfo:
		return append(buf, "INFO"...)
	case slog.LevelWarn:
		return append(buf, "WARN"...)
	case slog.LevelError:
		return append(buf, "ERROR"...)
	}
	return append(buf, l.String()...)
}
