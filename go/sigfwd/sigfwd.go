// SPDX-License-Identifier: LGPL-2.1-or-later

// Package sigfwd is the supervisor's side of the seccomp_sigfwd kernel
// module in Go, over <linux/seccomp_sigfwd.h>, with the standard library
// only: open and bind the device, set and get a listener's policy, receive
// forwarded-signal records (blocking, or non-blocking with the device fd in
// the same epoll as the listener, EPOLLPRI), the tagged filter return value,
// and the seccomp listener calls a supervisor needs (receive, reply, reply
// "interrupt as the kernel would").
package sigfwd

import (
	"fmt"
	"syscall"
	"unsafe"
)

// LibVersion is this package's version, set from the top-level VERSION file
// at build time (-ldflags -X, scripts/build-go).
var LibVersion = "unset"

// Device is the module's device node.
const Device = "/dev/seccomp-sigfwd"

// Policy bits (SECCOMP_SIGFWD_*).
const (
	KillableAfterRecv  uint32 = 1 << 0
	KillableBeforeRecv uint32 = 1 << 1
	Forward            uint32 = 1 << 2
	Killable                  = KillableAfterRecv | KillableBeforeRecv
	PolicyMask                = Killable | Forward
)

// Filter return value data: a tag and the policy.
const (
	DataTag        uint32 = 0xf5a0
	DataTagMask    uint32 = 0xfff0
	DataPolicyMask uint32 = 0x000f
	RetUserNotif   uint32 = 0x7fc00000 // SECCOMP_RET_USER_NOTIF
	RetAllow       uint32 = 0x7fff0000 // SECCOMP_RET_ALLOW
)

// ERestart as a reply error asks for the kernel's own signal behaviour.
const ERestart = 512

// Features (SECCOMP_SIGFWD_FEAT_*).
const (
	FeatNativeKillableRecv uint32 = 1 << 0
	FeatFilterData         uint32 = 1 << 1
)

// Record flags (SECCOMP_SIGFWD_SIG_*).
const (
	SigRestart    uint32 = 1 << 0
	SigBeforeRecv uint32 = 1 << 1
	SigKilled     uint32 = 1 << 2
)

// RetData is SECCOMP_SIGFWD_RET_DATA(policy).
func RetData(policy uint32) uint32 {
	return DataTag | (policy & DataPolicyMask)
}

// RetNotif is the return value a filter uses to trap a call with policy.
func RetNotif(policy uint32) uint32 {
	return RetUserNotif | RetData(policy)
}

// Version is struct seccomp_sigfwd_version.
type Version struct {
	Version       uint32
	Policies      uint32
	Features      uint32
	KernelVersion uint32
	Reserved      [4]uint32
}

type bind struct {
	ListenerFd int32
	Flags      uint32
}

type policy struct {
	Policy uint32
	Flags  uint32
}

// Signal is a forwarded-signal record, struct seccomp_sigfwd_signal.
type Signal struct {
	ID       uint64
	Pid      uint32
	Tid      uint32
	Signo    uint32
	Flags    uint32
	Pending  uint64
	Reserved [2]uint64
}

// Linux's generic ioctl number encoding (x86-64 and arm64).
func ioc(dir, typ, nr, size uintptr) uintptr {
	return dir<<30 | size<<16 | typ<<8 | nr
}

const (
	iocWrite = 1
	iocRead  = 2
	magic    = 0xb5
)

var (
	IocVersion    = ioc(iocRead, magic, 0, unsafe.Sizeof(Version{}))
	IocBind       = ioc(iocWrite, magic, 1, unsafe.Sizeof(bind{}))
	IocSetPolicy  = ioc(iocWrite, magic, 2, unsafe.Sizeof(policy{}))
	IocGetPolicy  = ioc(iocRead, magic, 3, unsafe.Sizeof(policy{}))
	IocRecvSignal = ioc(iocRead, magic, 4, unsafe.Sizeof(Signal{}))
)

func ioctl(fd int, req uintptr, arg unsafe.Pointer) error {
	for {
		_, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), req, uintptr(arg))
		switch e {
		case 0:
			return nil
		case syscall.EINTR:
			continue
		default:
			return e
		}
	}
}

// Dev is an open /dev/seccomp-sigfwd.
type Dev struct {
	fd int
}

// Open opens the device (close-on-exec; non-blocking record reads when
// nonblock).
func Open(nonblock bool) (*Dev, error) {
	flags := syscall.O_RDWR | syscall.O_CLOEXEC
	if nonblock {
		flags |= syscall.O_NONBLOCK
	}
	fd, err := syscall.Open(Device, flags, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", Device, err)
	}
	return &Dev{fd: fd}, nil
}

// OpenBound opens the device and binds it to the seccomp listener fd.
func OpenBound(listener int, nonblock bool) (*Dev, error) {
	d, err := Open(nonblock)
	if err != nil {
		return nil, err
	}
	if err := d.Bind(listener); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Fd is the device fd: EPOLLPRI on it (and on the bound listener) when a
// record is ready.
func (d *Dev) Fd() int { return d.fd }

// Close closes the device fd.
func (d *Dev) Close() error { return syscall.Close(d.fd) }

// Bind binds the device fd to a seccomp listener fd (from NEW_LISTENER).
func (d *Dev) Bind(listener int) error {
	b := bind{ListenerFd: int32(listener)}
	if err := ioctl(d.fd, IocBind, unsafe.Pointer(&b)); err != nil {
		return fmt.Errorf("sigfwd bind: %w", err)
	}
	return nil
}

// SetPolicy sets the bound listener's policy.
func (d *Dev) SetPolicy(p uint32) error {
	arg := policy{Policy: p}
	if err := ioctl(d.fd, IocSetPolicy, unsafe.Pointer(&arg)); err != nil {
		return fmt.Errorf("sigfwd set policy %#x: %w", p, err)
	}
	return nil
}

// Policy is the bound listener's policy (the default until set).
func (d *Dev) Policy() (uint32, error) {
	var arg policy
	if err := ioctl(d.fd, IocGetPolicy, unsafe.Pointer(&arg)); err != nil {
		return 0, fmt.Errorf("sigfwd get policy: %w", err)
	}
	return arg.Policy, nil
}

// Version asks the module for its interface version and features.
func (d *Dev) Version() (Version, error) {
	var v Version
	if err := ioctl(d.fd, IocVersion, unsafe.Pointer(&v)); err != nil {
		return v, fmt.Errorf("sigfwd version: %w", err)
	}
	return v, nil
}

// RecvSignal is the next record: it blocks, or returns syscall.EAGAIN when
// none is ready and the device was opened non-blocking (errors.Is works).
func (d *Dev) RecvSignal() (Signal, error) {
	var s Signal
	err := ioctl(d.fd, IocRecvSignal, unsafe.Pointer(&s))
	return s, err
}
