// SPDX-License-Identifier: LGPL-2.1-or-later

package sigfwd

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// The C header is the reference: compile a program that prints its values
// and compare them with the package's.
func TestMatchesUAPIHeader(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc to read the C header")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "v.c")
	prog := `#include <stdio.h>
#include <linux/seccomp.h>
#include <linux/seccomp_sigfwd.h>
int main(void)
{
	printf("%lx %lx %lx %lx %lx %lx %lx %lx\n",
	       (unsigned long)SECCOMP_SIGFWD_IOC_VERSION, (unsigned long)SECCOMP_SIGFWD_IOC_BIND,
	       (unsigned long)SECCOMP_SIGFWD_IOC_SET_POLICY, (unsigned long)SECCOMP_SIGFWD_IOC_GET_POLICY,
	       (unsigned long)SECCOMP_SIGFWD_IOC_RECV_SIGNAL, (unsigned long)SECCOMP_IOCTL_NOTIF_RECV,
	       (unsigned long)SECCOMP_IOCTL_NOTIF_SEND, (unsigned long)SECCOMP_IOCTL_NOTIF_ID_VALID);
	printf("%x %x %x %x %d %x\n", SECCOMP_SIGFWD_KILLABLE_AFTER_RECV, SECCOMP_SIGFWD_KILLABLE_BEFORE_RECV,
	       SECCOMP_SIGFWD_FORWARD, SECCOMP_RET_USER_NOTIF | SECCOMP_SIGFWD_RET_DATA(SECCOMP_SIGFWD_FORWARD),
	       SECCOMP_SIGFWD_ERESTART, SECCOMP_SIGFWD_SIG_KILLED);
	printf("%zu %zu %zu %zu\n", sizeof(struct seccomp_sigfwd_version),
	       sizeof(struct seccomp_sigfwd_signal), sizeof(struct seccomp_notif),
	       sizeof(struct seccomp_notif_resp));
	return 0;
}
`
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "v")
	out, err := exec.Command("gcc", "-I../../include/uapi", "-o", bin, src).CombinedOutput()
	if err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	out, err = exec.Command(bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%x %x %x %x %x %x %x %x\n%x %x %x %x %d %x\n%d %d %d %d\n",
		IocVersion, IocBind, IocSetPolicy, IocGetPolicy, IocRecvSignal,
		IocNotifRecv, IocNotifSend, IocNotifIDValid,
		KillableAfterRecv, KillableBeforeRecv, Forward, RetNotif(Forward), ERestart, SigKilled,
		unsafe.Sizeof(Version{}), unsafe.Sizeof(Signal{}), unsafe.Sizeof(Notif{}),
		unsafe.Sizeof(NotifResp{}))
	if string(out) != want {
		t.Errorf("C header says\n%sGo says\n%s", out, want)
	}
}

func TestRetNotif(t *testing.T) {
	for p := uint32(0); p <= 0xff; p++ {
		r := RetNotif(p)
		if r&0xffff0000 != RetUserNotif || r&DataTagMask != DataTag || r&DataPolicyMask != p&DataPolicyMask {
			t.Fatalf("RetNotif(%#x) = %#x", p, r)
		}
	}
}

// Without the module (the host): a clear error naming the device.
func TestOpenWithoutModule(t *testing.T) {
	if _, err := os.Stat(Device); err == nil {
		t.Skip("the module is loaded here")
	}
	_, err := Open(true)
	if err == nil || !errors.Is(err, syscall.ENOENT) || !strings.Contains(err.Error(), Device) {
		t.Fatalf("Open without the module: %v", err)
	}
}
