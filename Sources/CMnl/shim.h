// libmnl and the rtnetlink headers, plus static-inline wrappers for the macros Swift cannot import.
#ifndef VNET_CMNL_SHIM_H
#define VNET_CMNL_SHIM_H
// glibc's <net/if.h> and <netinet/in.h> must come before any linux/ header: linux/libc-compat.h decides on
// its first inclusion whether glibc owns IFF_*, struct ifreq, in6_addr and friends (else Swift sees two
// different definitions); then <linux/if.h> adds only IFF_LOWER_UP and IF_OPER_*.
#include <net/if.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/if_bridge.h>
#include <linux/veth.h>
#include <linux/neighbour.h>
#include <linux/if.h>
// CLONE_NEWNET from the kernel header: glibc declares it (and setns) only under _GNU_SOURCE, which Swift's
// Glibc module is not built with.
#include <linux/sched.h>
// nf_tables over netlink (VNetNAT's per-pod set elements); <linux/netfilter.h> for the NFPROTO_* families.
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

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
// Added for the netlink adapter (VNetNetlink).
/// MNL_ALIGN: netlink's 4-byte alignment of headers and attributes.
static inline size_t vnet_mnl_align(size_t len) { return MNL_ALIGN(len); }
/// MNL_NLMSG_HDRLEN: the aligned size of struct nlmsghdr.
static inline size_t vnet_mnl_nlmsg_hdrlen(void) { return MNL_NLMSG_HDRLEN; }
static inline unsigned vnet_mnl_socket_autopid(void) { return MNL_SOCKET_AUTOPID; }
static inline int vnet_nlmsg_noop(void) { return NLMSG_NOOP; }
static inline int vnet_nlmsg_overrun(void) { return NLMSG_OVERRUN; }
static inline int vnet_nlm_f_multi(void) { return NLM_F_MULTI; }
static inline int vnet_nlm_f_dump_intr(void) { return NLM_F_DUMP_INTR; }
static inline int vnet_nlm_f_capped(void) { return NLM_F_CAPPED; }
static inline int vnet_nlm_f_ack_tlvs(void) { return NLM_F_ACK_TLVS; }
static inline int vnet_netlink_ext_ack(void) { return NETLINK_EXT_ACK; }
static inline int vnet_netlink_cap_ack(void) { return NETLINK_CAP_ACK; }
static inline int vnet_sol_netlink(void) { return SOL_NETLINK; }
static inline unsigned vnet_rtmgrp_neigh(void) { return RTMGRP_NEIGH; }
static inline unsigned vnet_rtmgrp_ipv4_route(void) { return RTMGRP_IPV4_ROUTE; }
static inline unsigned vnet_iff_loopback(void) { return IFF_LOOPBACK; }
static inline unsigned vnet_rtnh_f_onlink(void) { return RTNH_F_ONLINK; }
static inline unsigned vnet_nud_permanent(void) { return NUD_PERMANENT; }
static inline unsigned vnet_if_namesize(void) { return IF_NAMESIZE; }

/// The kernel's operational states (RFC 2863 as numbered by linux/if.h), one helper per state.
static inline unsigned char vnet_if_oper_unknown(void) { return IF_OPER_UNKNOWN; }
static inline unsigned char vnet_if_oper_notpresent(void) { return IF_OPER_NOTPRESENT; }
static inline unsigned char vnet_if_oper_down(void) { return IF_OPER_DOWN; }
static inline unsigned char vnet_if_oper_lowerlayerdown(void) { return IF_OPER_LOWERLAYERDOWN; }
static inline unsigned char vnet_if_oper_testing(void) { return IF_OPER_TESTING; }
static inline unsigned char vnet_if_oper_dormant(void) { return IF_OPER_DORMANT; }
static inline unsigned char vnet_if_oper_up(void) { return IF_OPER_UP; }

/// RTM_GETSTATS: the filter bit that asks only for each link's 64-bit counters.
static inline unsigned vnet_ifla_stats_filter_link64(void) { return IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64); }

/// nfnetlink: the nf_tables subsystem, batch delimiters, protocol version, and the netlink family.
static inline int vnet_netlink_netfilter(void) { return NETLINK_NETFILTER; }
static inline unsigned vnet_nfnl_subsys_nftables(void) { return NFNL_SUBSYS_NFTABLES; }
static inline unsigned vnet_nfnl_msg_batch_begin(void) { return NFNL_MSG_BATCH_BEGIN; }
static inline unsigned vnet_nfnl_msg_batch_end(void) { return NFNL_MSG_BATCH_END; }
static inline unsigned char vnet_nfnetlink_v0(void) { return NFNETLINK_V0; }
static inline unsigned char vnet_nfproto_ipv4(void) { return NFPROTO_IPV4; }
static inline unsigned char vnet_nfproto_unspec(void) { return NFPROTO_UNSPEC; }
/// Asks the kernel to send the change it makes back to the requester too (NetlinkSocket.executeDetached).
static inline int vnet_nlm_f_echo(void) { return NLM_F_ECHO; }

#endif
