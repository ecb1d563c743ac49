// SPDX-License-Identifier: GPL-2.0

// sigfwd-gotrapped: the trapped side of the Go guest case. It traps its own
// getppid() calls (all threads) with a policy, hands the listener to its
// supervisor (sigfwd-gosup) over fd 3, then makes CALLS trapped calls on the
// main thread while its runtime preempts goroutines with SIGURG and a
// goroutine sends the process SIGURG every 2 ms. Each call must
// return what the supervisor answered: its argument plus one.
//
//	sigfwd-gotrapped POLICY untagged|tagged CALLS
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"seccomp-sigfwd/go/sigfwd"
)

// The trapped calls run on the main thread, the one kill() signals prefer.
func init() { runtime.LockOSThread() }

func die(f string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "sigfwd-gotrapped: "+f+"\n", a...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 4 {
		die("usage: sigfwd-gotrapped POLICY untagged|tagged CALLS")
	}
	policy, err1 := strconv.ParseUint(os.Args[1], 0, 32)
	calls, err2 := strconv.Atoi(os.Args[3])
	if err1 != nil || err2 != nil {
		die("bad arguments")
	}
	sock := 3

	var stop atomic.Bool
	// A goroutine that never blocks: the runtime preempts it (SIGURG).
	go func() {
		x := 0
		for !stop.Load() {
			x++
		}
		_ = x
	}()
	go func() {
		for !stop.Load() {
			syscall.Kill(os.Getpid(), syscall.SIGURG)
			time.Sleep(2 * time.Millisecond)
		}
	}()

	listener, err := sigfwd.TrapFilter(syscall.SYS_GETPPID, uint32(policy), os.Args[2] == "untagged")
	if err != nil {
		die("installing the filter: %v", err)
	}
	if err := syscall.Sendmsg(sock, []byte{'L'}, syscall.UnixRights(listener), nil, 0); err != nil {
		die("sending the listener: %v", err)
	}
	syscall.Close(listener)
	// Wait for the supervisor to be ready (policy set, epoll armed).
	buf := make([]byte, 1)
	if _, err := syscall.Read(sock, buf); err != nil {
		die("waiting for the supervisor: %v", err)
	}
	for i := 0; i < calls; i++ {
		arg := uintptr(1000 + i)
		r, _, e := syscall.Syscall(syscall.SYS_GETPPID, arg, 0, 0)
		if e != 0 || r != arg+1 {
			die("call %d returned %d, errno %d (%v), not %d", i, int(r), int(e), e, arg+1)
		}
	}
	stop.Store(true)
	fmt.Printf("sigfwd-gotrapped: %d calls completed\n", calls)
}
