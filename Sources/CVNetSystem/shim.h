// Kernel interfaces VNetSystem needs that Swift cannot reach through Glibc: setns(2) and CLONE_NEWNET are
// declared only under _GNU_SOURCE, which Swift's Glibc module is not built with, and the namespace-file
// checks are macros (NSFS_MAGIC, NS_GET_NSTYPE). Static-inline helpers, so no value is hard-coded in Swift.
#ifndef VNET_CVNETSYSTEM_SHIM_H
#define VNET_CVNETSYSTEM_SHIM_H
#include <linux/sched.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

/// glibc's setns(2); declared here because glibc hides it behind _GNU_SOURCE.
extern int setns(int fd, int nstype);

/// Moves the calling thread into the network namespace open at `fd`.
static inline int vnet_setns_net(int fd) { return setns(fd, CLONE_NEWNET); }

/// CLONE_NEWNET, for IFLA_NET_NS_FD users and comparisons.
static inline int vnet_clone_newnet_flag(void) { return CLONE_NEWNET; }

/// 1 when `fd` is a file of the namespace filesystem (nsfs), 0 when not, -1 with errno on failure.
static inline int vnet_is_nsfs(int fd) {
    struct statfs info;
    if (fstatfs(fd, &info) != 0) return -1;
    return info.f_type == NSFS_MAGIC ? 1 : 0;
}

/// 1 when the namespace file `fd` is a network namespace, 0 when another kind, -1 with errno on failure.
static inline int vnet_is_net_namespace(int fd) {
    int type = ioctl(fd, NS_GET_NSTYPE);
    if (type < 0) return -1;
    return type == CLONE_NEWNET ? 1 : 0;
}

/// A timer that delivers SIGALRM to the calling thread only (SIGEV_THREAD_ID), so it interrupts that
/// thread's blocking call even in a multi-threaded process. 0 on success.
static inline int vnet_thread_timer_create(timer_t *out) {
    struct sigevent event = {0};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = SIGALRM;
    event._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    return timer_create(CLOCK_MONOTONIC, &event, out);
}

/// Arms (or with 0, disarms) a one-shot timer `milliseconds` from now.
static inline int vnet_thread_timer_arm(timer_t timer, long milliseconds) {
    struct itimerspec spec = {0};
    spec.it_value.tv_sec = milliseconds / 1000;
    spec.it_value.tv_nsec = (milliseconds % 1000) * 1000000L;
    return timer_settime(timer, 0, &spec, NULL);
}

static inline int vnet_thread_timer_delete(timer_t timer) { return timer_delete(timer); }
#endif
