// libnftables: the whole API is functions and a few named enums; the flag constants are macros in some
// releases and enum members in others, so they are re-exported here as functions.
//
// The library is loaded on first use (dlopen), not linked: every CNI call starts a process, and loading
// libnftables with libnftnl, libxtables, libjansson and libgmp cost ~1.2 ms and several MB at each start,
// while the per-pod work goes over nf_tables netlink without it. Only building, repairing and listing the
// table need it. The wrappers below keep libnftables' names with a vnet_ prefix.
#ifndef VNET_CNFTABLES_SHIM_H
#define VNET_CNFTABLES_SHIM_H
#include <nftables/libnftables.h>
#include <asm/byteorder.h>
#include <dlfcn.h>
#include <stddef.h>

static inline unsigned vnet_nft_ctx_default(void) { return NFT_CTX_DEFAULT; }
static inline unsigned vnet_nft_output_json(void) { return NFT_CTX_OUTPUT_JSON; }
static inline unsigned vnet_nft_output_handle(void) { return NFT_CTX_OUTPUT_HANDLE; }
static inline unsigned vnet_nft_output_terse(void) { return NFT_CTX_OUTPUT_TERSE; }

/// The libnftables functions vnet calls, resolved once from the shared library.
struct vnet_nft_api {
    struct nft_ctx *(*ctx_new)(uint32_t flags);
    void (*ctx_free)(struct nft_ctx *ctx);
    void (*ctx_output_set_flags)(struct nft_ctx *ctx, unsigned int flags);
    int (*ctx_buffer_output)(struct nft_ctx *ctx);
    int (*ctx_buffer_error)(struct nft_ctx *ctx);
    const char *(*ctx_get_output_buffer)(struct nft_ctx *ctx);
    const char *(*ctx_get_error_buffer)(struct nft_ctx *ctx);
    int (*run_cmd_from_buffer)(struct nft_ctx *nft, const char *buf);
};

/// The loaded API, or NULL (with the reason in *why) when the library or a symbol is missing.
static inline const struct vnet_nft_api *vnet_nft_load(const char **why) {
    static struct vnet_nft_api api;
    static int loaded = 0;
    static const char *failure = NULL;
    if (!loaded) {
        void *library = dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
        if (!library) {
            failure = dlerror();
        } else {
            api.ctx_new = (struct nft_ctx *(*)(uint32_t))dlsym(library, "nft_ctx_new");
            api.ctx_free = (void (*)(struct nft_ctx *))dlsym(library, "nft_ctx_free");
            api.ctx_output_set_flags = (void (*)(struct nft_ctx *, unsigned int))dlsym(library, "nft_ctx_output_set_flags");
            api.ctx_buffer_output = (int (*)(struct nft_ctx *))dlsym(library, "nft_ctx_buffer_output");
            api.ctx_buffer_error = (int (*)(struct nft_ctx *))dlsym(library, "nft_ctx_buffer_error");
            api.ctx_get_output_buffer = (const char *(*)(struct nft_ctx *))dlsym(library, "nft_ctx_get_output_buffer");
            api.ctx_get_error_buffer = (const char *(*)(struct nft_ctx *))dlsym(library, "nft_ctx_get_error_buffer");
            api.run_cmd_from_buffer = (int (*)(struct nft_ctx *, const char *))dlsym(library, "nft_run_cmd_from_buffer");
            if (!api.ctx_new || !api.ctx_free || !api.ctx_output_set_flags || !api.ctx_buffer_output || !api.ctx_buffer_error
                || !api.ctx_get_output_buffer || !api.ctx_get_error_buffer || !api.run_cmd_from_buffer) {
                failure = "libnftables.so.1 lacks a function vnet needs";
            }
        }
        loaded = 1;
    }
    if (failure) {
        if (why) *why = failure;
        return NULL;
    }
    return &api;
}

// Base chain priorities of family ip: nft's JSON input takes them only as numbers, and "srcnat" is the
// kernel's NF_IP_PRI_NAT_SRC. The kernel header is included inside the function on purpose: at file
// scope its struct in_addr/in6_addr (via linux/in.h) would clash with Glibc's module in every Swift file
// that imports both; at block scope its types stay local and only the enum value escapes. The byte-order
// helpers it pulls in are functions, which cannot be defined in a block: <asm/byteorder.h> above brings
// them in at file scope first (they clash with nothing in glibc).
// One function holds the include (its guard would leave a second one empty): NF_IP_PRI_NAT_DST when `dst`,
// else NF_IP_PRI_NAT_SRC.
static inline int vnet_nf_ip_pri_nat(int dst) {
#include <linux/netfilter_ipv4.h>
    return dst ? NF_IP_PRI_NAT_DST : NF_IP_PRI_NAT_SRC;
}

static inline int vnet_nf_ip_pri_nat_src(void) { return vnet_nf_ip_pri_nat(0); }

/// dstnat (-100): vnet's prerouting and output nat chains (public IPs and host ports).
static inline int vnet_nf_ip_pri_nat_dst(void) { return vnet_nf_ip_pri_nat(1); }
#endif
