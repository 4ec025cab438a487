package harness

import "syscall"

// sysProcAttr puts the child in its own process group, so that stopping it
// reaches everything it started, and kills it if the test binary dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
