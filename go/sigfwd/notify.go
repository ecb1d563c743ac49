// SPDX-License-Identifier: LGPL-2.1-or-later

package sigfwd

import (
	"runtime"
	"syscall"
	"unsafe"
)

// Data is struct seccomp_data.
type Data struct {
	Nr                 int32
	Arch               uint32
	InstructionPointer uint64
	Args               [6]uint64
}

// Notif is struct seccomp_notif.
type Notif struct {
	ID    uint64
	Pid   uint32
	Flags uint32
	Data  Data
}

// NotifResp is struct seccomp_notif_resp.
type NotifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

const seccompMagic = '!'

var (
	IocNotifRecv    = ioc(iocRead|iocWrite, seccompMagic, 0, unsafe.Sizeof(Notif{}))
	IocNotifSend    = ioc(iocRead|iocWrite, seccompMagic, 1, unsafe.Sizeof(NotifResp{}))
	IocNotifIDValid = ioc(iocWrite, seccompMagic, 2, 8)
)

// RecvNotif receives the next notification on a seccomp listener fd.
func RecvNotif(listener int) (Notif, error) {
	var n Notif
	err := ioctl(listener, IocNotifRecv, unsafe.Pointer(&n))
	return n, err
}

// Reply answers notification id with val, or with -errno when errno != 0.
// ENOENT: the task is gone or the call was withdrawn.
func Reply(listener int, id uint64, val int64, errno syscall.Errno) error {
	r := NotifResp{ID: id, Val: val, Error: -int32(errno)}
	return ioctl(listener, IocNotifSend, unsafe.Pointer(&r))
}

// ReplyInterrupt replies "interrupt as the kernel would": restart with
// SA_RESTART, EINTR without, a transparent restart if no signal is left.
func ReplyInterrupt(listener int, id uint64) error {
	return Reply(listener, id, 0, ERestart)
}

// IDValid says whether notification id is still waiting for its reply.
func IDValid(listener int, id uint64) bool {
	return ioctl(listener, IocNotifIDValid, unsafe.Pointer(&id)) == nil
}

const (
	seccompSetModeFilter  = 1
	filterFlagTsync       = 1 << 0
	filterFlagNewListener = 1 << 3
	filterFlagTsyncEsrch  = 1 << 4
	bpfLdWAbs             = 0x20
	bpfJeqK               = 0x15
	bpfRetK               = 0x06
	seccompDataNrOffset   = 0
	seccompDataArchOffset = 4
	prSetNoNewPrivs       = 38
)

type sockFilter struct {
	Code uint16
	Jt   uint8
	Jf   uint8
	K    uint32
}

type sockFprog struct {
	Len    uint16
	Filter *sockFilter
}

// TrapFilter installs, on every thread of the process (Go runs goroutines
// on many), a filter that traps syscall nr with RetNotif(policy), or with a
// plain SECCOMP_RET_USER_NOTIF when untagged; the listener fd.
func TrapFilter(nr int, policy uint32, untagged bool) (int, error) {
	ret := RetNotif(policy)
	if untagged {
		ret = RetUserNotif
	}
	insns := []sockFilter{
		{bpfLdWAbs, 0, 0, seccompDataArchOffset},
		{bpfJeqK, 1, 0, auditArch},
		{bpfRetK, 0, 0, RetAllow},
		{bpfLdWAbs, 0, 0, seccompDataNrOffset},
		{bpfJeqK, 0, 1, uint32(nr)},
		{bpfRetK, 0, 0, ret},
		{bpfRetK, 0, 0, RetAllow},
	}
	prog := sockFprog{Len: uint16(len(insns)), Filter: &insns[0]}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0); e != 0 {
		return -1, e
	}
	fd, _, e := syscall.RawSyscall(sysSeccomp, seccompSetModeFilter,
		filterFlagNewListener|filterFlagTsync|filterFlagTsyncEsrch, uintptr(unsafe.Pointer(&prog)))
	runtime.KeepAlive(insns)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}
