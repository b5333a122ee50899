// libmnl and the rtnetlink headers, plus static-inline wrappers for the macros Swift cannot import.
#ifndef VNET_CMNL_SHIM_H
#define VNET_CMNL_SHIM_H
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/veth.h>
#include <linux/neighbour.h>
#include <net/if.h>
#include <sched.h>

static inline size_t vnet_mnl_socket_buffer_size(void) { return MNL_SOCKET_BUFFER_SIZE; }
static inline int vnet_nlmsg_error(void) { return NLMSG_ERROR; }
static inline int vnet_nlmsg_done(void) { return NLMSG_DONE; }
static inline int vnet_nlm_f_request(void) { return NLM_F_REQUEST; }
static inline int vnet_nlm_f_ack(void) { return NLM_F_ACK; }
static inline int vnet_nlm_f_create(void) { return NLM_F_CREATE; }
static inline int vnet_nlm_f_excl(void) { return NLM_F_EXCL; }
static inline int vnet_nlm_f_replace(void) { return NLM_F_REPLACE; }
static inline int vnet_nlm_f_dump(void) { return NLM_F_DUMP; }
static inline int vnet_mnl_cb_ok(void) { return MNL_CB_OK; }
static inline int vnet_mnl_cb_stop(void) { return MNL_CB_STOP; }
static inline int vnet_mnl_cb_error(void) { return MNL_CB_ERROR; }
static inline int vnet_clone_newnet(void) { return CLONE_NEWNET; }
static inline unsigned vnet_rtmgrp_link(void) { return RTMGRP_LINK; }
static inline unsigned vnet_rtmgrp_ipv4_ifaddr(void) { return RTMGRP_IPV4_IFADDR; }
static inline unsigned vnet_iff_up(void) { return IFF_UP; }
static inline unsigned vnet_iff_lower_up(void) { return IFF_LOWER_UP; }
static inline unsigned vnet_iff_promisc(void) { return IFF_PROMISC; }

/// Payload of an nlmsghdr (NLMSG_DATA), for messages libmnl did not build.
static inline void *vnet_nlmsg_data(struct nlmsghdr *nlh) { return NLMSG_DATA(nlh); }
#endif
