package logging

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// run is the flusher: it owns the open file and writes the buffered
// records at every FlushInterval, when the buffer is half full, on Flush
// and once more on Close.
func (f *File) run() {
	defer close(f.done)
	t := time.NewTicker(f.opts.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-f.stop:
			err := f.flush()
			if f.f != nil {
				if f.opts.Sync != SyncNever {
					err = errors.Join(err, f.f.Sync())
				}
				err = errors.Join(err, f.f.Close())
				f.f = nil
			}
			if err != nil {
				f.closeErr = fmt.Errorf("logging: close log file: %w", err)
			}
			return
		case reply := <-f.flushReq:
			reply <- f.flush()
		case <-t.C:
			_ = f.flush()
		case <-f.kick:
			_ = f.flush()
		}
	}
}

// flush swaps the buffers, wakes writers waiting for space and writes the
// records taken.
func (f *File) flush() error {
	f.mu.Lock()
	batch := f.buf
	if len(batch) == 0 {
		f.mu.Unlock()
		return f.reportDrops()
	}
	f.buf, f.spare = f.spare[:0], nil
	waiting := f.space
	f.space = make(chan struct{})
	f.stalled = false
	f.mu.Unlock()
	close(waiting)

	err := f.writeBatch(batch, true)
	if err == nil && f.opts.Sync == SyncEveryFlush && f.f != nil {
		err = f.f.Sync()
	}
	f.mu.Lock()
	if cap(batch) <= 2*f.opts.BufferSize {
		f.spare = batch[:0]
	}
	f.mu.Unlock()
	return errors.Join(err, f.reportDrops())
}

// reportDrops writes a record saying how many records were dropped since
// the last report, once the file is writable again.
func (f *File) reportDrops() error {
	d := f.dropped.Load()
	if d == f.reported {
		return nil
	}
	rec := []byte(`{"time":"`)
	rec = appendTimestamp(rec, f.now())
	rec = append(rec, `","level":"WARN","msg":"logging: records dropped","event":"`+string(LogRecordsDropped)+`","dropped":`...)
	rec = strconv.AppendUint(rec, d-f.reported, 10)
	rec = append(rec, `,"dropped_total":`...)
	rec = strconv.AppendUint(rec, d, 10)
	rec = append(rec, "}\n"...)
	if err := f.writeBatch(rec, false); err != nil {
		return err
	}
	f.reported = d
	return nil
}

// writeBatch writes whole records, rotating between records as needed.
// With count false (the drop report) the records are not counted.
func (f *File) writeBatch(b []byte, count bool) error {
	rotateFailed := false
	for len(b) > 0 {
		if f.f == nil {
			if err := f.open(); err != nil {
				return f.fail(b, err, count)
			}
		}
		now := f.now()
		if f.size > 0 && f.opts.RotateEvery > 0 && !rotateFailed && !f.periodOf(now).Equal(f.period) {
			if err := f.rotate(now); err != nil {
				rotateFailed = true
				f.noteErr(err)
			}
			continue
		}
		chunk := b
		if room := f.opts.MaxSize - f.size; int64(len(chunk)) > room && !rotateFailed {
			cut := 0
			if room > 0 {
				cut = bytes.LastIndexByte(chunk[:room], '\n') + 1
			}
			if cut == 0 && f.size > 0 {
				if err := f.rotate(now); err != nil {
					rotateFailed = true
					f.noteErr(err)
				}
				continue
			}
			if cut == 0 { // one record larger than MaxSize: alone in its file
				if cut = bytes.IndexByte(chunk, '\n') + 1; cut == 0 {
					cut = len(chunk)
				}
			}
			chunk = chunk[:cut]
		}
		n, err := f.write(f.f, chunk)
		f.size += int64(n)
		if err != nil {
			_ = f.f.Close()
			f.f = nil
			return f.fail(b[n:], err, count)
		}
		if count {
			f.written.Add(uint64(bytes.Count(chunk, []byte{'\n'})))
		}
		b = b[len(chunk):]
	}
	return nil
}

// fail counts the records in lost as dropped and remembers err.
func (f *File) fail(lost []byte, err error, count bool) error {
	if count {
		f.dropped.Add(uint64(bytes.Count(lost, []byte{'\n'})))
	}
	f.noteErr(err)
	return fmt.Errorf("logging: write log file: %w", err)
}

func (f *File) noteErr(err error) {
	f.writeErrors.Add(1)
	msg := err.Error()
	f.lastErr.Store(&msg)
}
