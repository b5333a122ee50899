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

/// glibc's setns(2) and pipe2(2); declared here because glibc hides them behind _GNU_SOURCE.
extern int setns(int fd, int nstype);
extern int pipe2(int fds[2], int flags);

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

// Detached processes: work whose only remaining cost is the kernel's own housekeeping, done where no one
// waits for it (VNetSystem's DetachedProcess). Async-signal-safe calls only after fork, since the caller
// may have threads.
#include <errno.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>

/// Forks a child that closes every descriptor but `keepA` and `keepB` (-1 for none), so it holds no pipe to
/// the runtime and no lock, runs `work` (given `argument`) and exits. Returns its pid (the caller reaps it
/// later, without waiting: see DetachedProcess), or -1 with errno. Not waited for here on purpose: a child
/// of a big process takes a millisecond to exit (its copy of the address space is torn down).
static inline pid_t vnet_detach(void (*work)(void *), void *argument, int keepA, int keepB) {
    pid_t child = fork();
    if (child != 0) return child;
    int low = keepA < keepB ? keepA : keepB, high = keepA < keepB ? keepB : keepA;
    unsigned next = 0;
    if (low >= 0) { if (low > 0) syscall(SYS_close_range, next, (unsigned)(low - 1), 0U); next = (unsigned)low + 1; }
    if (high >= 0 && high != low) { if ((unsigned)high > next) syscall(SYS_close_range, next, (unsigned)(high - 1), 0U); next = (unsigned)high + 1; }
    syscall(SYS_close_range, next, ~0U, 0U);
    work(argument);
    _exit(0);
}

/// Whether the detached child `pid` is gone (reaped now, or not ours to reap any more). Never blocks.
static inline int vnet_reap_if_exited(pid_t pid) {
    int status = 0;
    pid_t result = waitpid(pid, &status, WNOHANG);
    return result == pid || (result < 0 && errno == ECHILD);
}

struct vnet_detached_send { int fd; const void *bytes; size_t length; };

static inline void vnet_detached_send_work(void *argument) {
    struct vnet_detached_send *send_ = (struct vnet_detached_send *)argument;
    (void)send(send_->fd, send_->bytes, send_->length, 0);
}

/// Sends `length` bytes on socket `fd` from a detached child (see vnet_detach) and returns its pid once it
/// exists, without waiting for the send. The child shares the socket, so answers arrive here.
static inline pid_t vnet_send_from_detached_process(int fd, const void *bytes, size_t length) {
    struct vnet_detached_send send_ = { fd, bytes, length };
    return vnet_detach(vnet_detached_send_work, &send_, fd, -1);
}

static inline void vnet_detached_hold_work(void *argument) {
    int lifeline = *(int *)argument;
    char byte;
    while (read(lifeline, &byte, 1) != 0) {
        if (errno != EINTR) break;
    }
}

/// Makes a detached child hold a reference to `fd` until the calling process has exited (it waits on a
/// pipe whose write end only the caller holds, close-on-exec), so the caller's own close of `fd`, and its
/// exit, are never the last close and never wait for what the kernel does on that last close. Returns the
/// child's pid, or -1 with errno.
static inline pid_t vnet_hold_until_exit(int fd) {
    int lifeline[2];
    if (pipe2(lifeline, O_CLOEXEC) != 0) return -1;
    pid_t child = vnet_detach(vnet_detached_hold_work, &lifeline[0], fd, lifeline[0]);
    int saved = errno;
    close(lifeline[0]);
    if (child < 0) { close(lifeline[1]); errno = saved; return -1; }
    return child;   // lifeline[1] stays open, on purpose, until the caller exits.
}

// Closing on a thread (Files.closeInBackground).
#include <pthread.h>
#include <stdint.h>

static inline void *vnet_close_thread(void *fd) {
    (void)close((int)(intptr_t)fd);
    return NULL;
}

/// Closes `fd` on a detached thread and returns at once: 0, or -1 when no thread could be started (the
/// caller then closes it itself). For the last descriptor of an unlinked file: freeing its blocks, the
/// kernel's slowest part of a state commit, happens when it closes. Should the process exit first, the
/// kernel closes it on the way out, so the file never outlives the process (a name would).
static inline int vnet_close_in_background(int fd) {
    pthread_attr_t attributes;
    if (pthread_attr_init(&attributes) != 0) return -1;
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    int result = pthread_create(&thread, &attributes, vnet_close_thread, (void *)(intptr_t)fd);
    pthread_attr_destroy(&attributes);
    return result == 0 ? 0 : -1;
}

// Prefaulting a fresh buffer (Files.prefault).
#include <stdint.h>
#include <sys/mman.h>

/// Asks the kernel to back the whole pages of [base, base + length) with writable memory now, in one call,
/// instead of one page fault per page on first touch (each a trip through the VM's exception path).
/// 0 on success; -1 with errno (EINVAL on kernels before 5.14) and then the pages simply fault as usual.
static inline int vnet_prefault(void *base, size_t length) {
#ifdef MADV_POPULATE_WRITE
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || length == 0) return 0;
    uintptr_t start = ((uintptr_t)base + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t end = ((uintptr_t)base + length) & ~((uintptr_t)page - 1);
    if (end <= start) return 0;
    return madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#else
    (void)base; (void)length;
    errno = ENOSYS;
    return -1;
#endif
}
#endif
