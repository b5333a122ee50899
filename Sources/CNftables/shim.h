// libnftables: the whole API is functions and a few named enums; the flag constants are macros in some
// releases and enum members in others, so they are re-exported here as functions.
#ifndef VNET_CNFTABLES_SHIM_H
#define VNET_CNFTABLES_SHIM_H
#include <nftables/libnftables.h>
#include <asm/byteorder.h>

static inline unsigned vnet_nft_ctx_default(void) { return NFT_CTX_DEFAULT; }
static inline unsigned vnet_nft_output_json(void) { return NFT_CTX_OUTPUT_JSON; }
static inline unsigned vnet_nft_output_handle(void) { return NFT_CTX_OUTPUT_HANDLE; }
static inline unsigned vnet_nft_output_terse(void) { return NFT_CTX_OUTPUT_TERSE; }

// Base chain priorities of family ip: nft's JSON input takes them only as numbers, and "srcnat" is the
// kernel's NF_IP_PRI_NAT_SRC. The kernel header is included inside the function on purpose: at file
// scope its struct in_addr/in6_addr (via linux/in.h) would clash with Glibc's module in every Swift file
// that imports both; at block scope its types stay local and only the enum value escapes. The byte-order
// helpers it pulls in are functions, which cannot be defined in a block: <asm/byteorder.h> above brings
// them in at file scope first (they clash with nothing in glibc).
static inline int vnet_nf_ip_pri_nat_src(void) {
#include <linux/netfilter_ipv4.h>
    return NF_IP_PRI_NAT_SRC;
}
#endif
