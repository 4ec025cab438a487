package logging

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Rotated files are named <stem>-<UTC time>[-n]<ext>[.gz], for example
// service-20261204T141234.123Z.log.gz, so that they sort by age.
const backupTimeLayout = "20060102T150405.000"

// rotate closes the active file, renames it with its rotation time and
// opens a fresh one.
func (f *File) rotate(now time.Time) error {
	if f.f != nil {
		if f.opts.Sync != SyncNever {
			_ = f.f.Sync()
		}
		_ = f.f.Close()
		f.f = nil
	}
	dst, err := f.backupName(now)
	if err == nil {
		err = os.Rename(f.opts.Path, dst)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return errors.Join(fmt.Errorf("logging: rotate log file: %w", err), f.open())
	}
	f.rotations.Add(1)
	f.kickClean()
	return f.open()
}

func (f *File) backupName(now time.Time) (string, error) {
	dir := filepath.Dir(f.opts.Path)
	stamp := now.UTC().Format(backupTimeLayout) + "Z"
	for n := 0; n < 1000; n++ {
		name := f.stem + "-" + stamp
		if n > 0 {
			name += "-" + strconv.Itoa(n)
		}
		name = filepath.Join(dir, name+f.ext)
		if !exists(name) && !exists(name+".gz") {
			return name, nil
		}
	}
	return "", errors.New("logging: no free name for a rotated log file")
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

type backup struct {
	path string
	time time.Time
	gz   bool
}

// backups lists the rotated files of f, newest first.
func (f *File) backups() ([]backup, error) {
	dir := filepath.Dir(f.opts.Path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []backup
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, f.stem+"-") {
			continue
		}
		rest, gz := strings.CutSuffix(name[len(f.stem)+1:], ".gz")
		rest, ok := strings.CutSuffix(rest, f.ext)
		if !ok || len(rest) < len(backupTimeLayout)+1 || rest[len(backupTimeLayout)] != 'Z' {
			continue
		}
		t, err := time.Parse(backupTimeLayout, rest[:len(backupTimeLayout)])
		if err != nil {
			continue
		}
		out = append(out, backup{path: filepath.Join(dir, name), time: t, gz: gz})
	}
	slices.SortFunc(out, func(a, b backup) int {
		if c := b.time.Compare(a.time); c != 0 {
			return c
		}
		return strings.Compare(b.path, a.path)
	})
	return out, nil
}
