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
#endif
