// libnftables: the whole API is functions and a few named enums; the flag constants are macros in some
// releases and enum members in others, so they are re-exported here as functions.
#ifndef VNET_CNFTABLES_SHIM_H
#define VNET_CNFTABLES_SHIM_H
#include <nftables/libnftables.h>

static inline unsigned vnet_nft_ctx_default(void) { return NFT_CTX_DEFAULT; }
static inline unsigned vnet_nft_output_json(void) { return NFT_CTX_OUTPUT_JSON; }
static inline unsigned vnet_nft_output_handle(void) { return NFT_CTX_OUTPUT_HANDLE; }
#endif
