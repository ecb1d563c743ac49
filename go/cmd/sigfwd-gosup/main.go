// SPDX-License-Identifier: GPL-2.0

// sigfwd-gosup: a Go supervisor for the guest case. It starts
// sigfwd-gotrapped, takes its seccomp listener, binds the module's device
// (non-blocking, in the same epoll as the listener), and answers every
// trapped call after DELAY ms with its argument plus one; a forwarded signal
// record gets the answer at once. The policy comes from the filter (tagged
// return value) or from the listener (SetPolicy). Under a policy with
// KILLABLE_BEFORE_RECV every call must reach it exactly once; under the
// others a repeat must be a call withdrawn by a signal racing RECV, as on the
// stock kernel; under FORWARD it must see records.
//
//	sigfwd-gosup [-listener] [-calls N] [-delay MS] POLICY PATH-TO-sigfwd-gotrapped
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"seccomp-sigfwd/go/sigfwd"
)

func die(f string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "sigfwd-gosup: "+f+"\n", a...)
	os.Exit(1)
}

type pending struct {
	arg      uint64
	deadline time.Time
}

func main() {
	viaListener := flag.Bool("listener", false, "policy through SetPolicy, not the filter")
	calls := flag.Int("calls", 40, "trapped calls")
	delay := flag.Int("delay", 10, "ms before each answer")
	flag.Parse()
	if flag.NArg() != 2 {
		die("usage: sigfwd-gosup [-listener] [-calls N] [-delay MS] POLICY TRAPPED")
	}
	p64, err := strconv.ParseUint(flag.Arg(0), 0, 32)
	if err != nil {
		die("bad policy %q", flag.Arg(0))
	}
	policy := uint32(p64)

	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		die("socketpair: %v", err)
	}
	mode := "tagged"
	filterPolicy := policy
	if *viaListener {
		mode, filterPolicy = "untagged", 0
	}
	cmd := exec.Command(flag.Arg(1), strconv.FormatUint(uint64(filterPolicy), 10), mode,
		strconv.Itoa(*calls))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{os.NewFile(uintptr(fds[1]), "sock")}
	if err := cmd.Start(); err != nil {
		die("starting %s: %v", flag.Arg(1), err)
	}
	syscall.Close(fds[1])
	sock := fds[0]

	buf, oob := make([]byte, 1), make([]byte, syscall.CmsgSpace(4))
	_, oobn, _, _, err := syscall.Recvmsg(sock, buf, oob, 0)
	if err != nil {
		die("receiving the listener: %v", err)
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		die("no listener from the trapped program (%v)", err)
	}
	rights, err := syscall.ParseUnixRights(&msgs[0])
	if err != nil || len(rights) != 1 {
		die("no listener fd (%v)", err)
	}
	listener := rights[0]

	dev, err := sigfwd.OpenBound(listener, true)
	if err != nil {
		die("%v", err)
	}
	v, err := dev.Version()
	if err != nil {
		die("%v", err)
	}
	if *viaListener {
		if err := dev.SetPolicy(policy); err != nil {
			die("%v", err)
		}
		got, err := dev.Policy()
		if err != nil || got != policy {
			die("policy reads back as %#x (%v), set %#x", got, err, policy)
		}
	} else if v.Features&sigfwd.FeatFilterData == 0 {
		die("the module does not take the policy from the filter")
	}

	// Child exit wakes the loop through a pipe in the same epoll.
	var exitPipe [2]int
	if err := syscall.Pipe2(exitPipe[:], syscall.O_CLOEXEC); err != nil {
		die("pipe: %v", err)
	}
	waitErr := make(chan error, 1)
	go func() {
		waitErr <- cmd.Wait()
		syscall.Write(exitPipe[1], []byte{1})
	}()

	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		die("epoll: %v", err)
	}
	add := func(fd int, ev uint32) {
		e := syscall.EpollEvent{Events: ev, Fd: int32(fd)}
		if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &e); err != nil {
			die("epoll add %d: %v", fd, err)
		}
	}
	add(listener, syscall.EPOLLIN)
	add(dev.Fd(), syscall.EPOLLPRI)
	add(exitPipe[0], syscall.EPOLLIN)
	if _, err := syscall.Write(sock, []byte{'G'}); err != nil {
		die("starting the calls: %v", err)
	}

	seen := map[uint64]int{}
	wait := map[uint64]pending{}
	records, replyFailures, notifs := 0, 0, 0
	reply := func(id uint64) {
		p := wait[id]
		delete(wait, id)
		if err := sigfwd.Reply(listener, id, int64(p.arg+1), 0); err != nil {
			replyFailures++
			fmt.Printf("# reply to call %d: %v\n", p.arg, err)
		}
	}
	events := make([]syscall.EpollEvent, 8)
	for done := false; !done; {
		timeout := -1
		now := time.Now()
		for _, p := range wait {
			ms := int(p.deadline.Sub(now)/time.Millisecond) + 1
			if ms < 0 {
				ms = 0
			}
			if timeout < 0 || ms < timeout {
				timeout = ms
			}
		}
		n, err := syscall.EpollWait(ep, events, timeout)
		if err != nil {
			if !errors.Is(err, syscall.EINTR) {
				die("epoll_wait: %v", err)
			}
			n = 0 // SIGURG, SIGCHLD: the runtime's signals interrupt the wait
		}
		for _, e := range events[:n] {
			switch {
			case int(e.Fd) == exitPipe[0]:
				done = true
			case int(e.Fd) == listener && e.Events&syscall.EPOLLIN != 0:
				nt, err := sigfwd.RecvNotif(listener)
				if err != nil {
					// ENOENT: withdrawn by a signal before it was received.
					continue
				}
				notifs++
				seen[nt.Data.Args[0]]++
				wait[nt.ID] = pending{nt.Data.Args[0], time.Now().Add(time.Duration(*delay) * time.Millisecond)}
			case int(e.Fd) == listener:
				// HUP: the trapped program is gone.
				syscall.EpollCtl(ep, syscall.EPOLL_CTL_DEL, listener, nil)
			case int(e.Fd) == dev.Fd():
				for {
					s, err := dev.RecvSignal()
					if errors.Is(err, syscall.EAGAIN) {
						break
					}
					if err != nil {
						die("RecvSignal: %v", err)
					}
					records++
					if s.Flags&sigfwd.SigKilled == 0 {
						if _, ok := wait[s.ID]; ok {
							reply(s.ID)
						}
					}
				}
			}
		}
		now = time.Now()
		for id, p := range wait {
			if !now.Before(p.deadline) {
				reply(id)
			}
		}
	}
	if err := <-waitErr; err != nil {
		die("the trapped program failed: %v", err)
	}
	dups := 0
	for _, c := range seen {
		if c > 1 {
			dups += c - 1
		}
	}
	fmt.Printf("sigfwd-gosup %s: policy %#x (%s): %d calls, %d notifications, %d repeated, %d records, %d failed replies\n",
		sigfwd.LibVersion, policy, map[bool]string{true: "listener", false: "filter"}[*viaListener], len(seen), notifs, dups, records, replyFailures)
	if policy == 0 {
		return // the stock kernel: a signal withdraws a call, received or not
	}
	if len(seen) != *calls {
		die("under policy %#x only %d of %d calls reached the supervisor", policy, len(seen), *calls)
	}
	// Without KILLABLE_BEFORE_RECV the wait before RECV is the stock one: a
	// signal that races the supervisor's RECV withdraws the call it just
	// received (its reply fails with ENOENT) and the call comes again. Every
	// repeat must be such a withdrawn call, never a call answered twice.
	if policy&sigfwd.KillableBeforeRecv == 0 {
		if dups != replyFailures {
			die("under policy %#x %d repeats but %d withdrawn calls", policy, dups, replyFailures)
		}
	} else if dups != 0 || replyFailures != 0 {
		die("under policy %#x every call must reach the supervisor exactly once", policy)
	}
	if policy&sigfwd.Forward != 0 && records == 0 {
		die("FORWARD, but no signal record in %d calls", *calls)
	}
}
