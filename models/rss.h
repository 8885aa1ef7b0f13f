/*
 * models/rss.h — Receive-Side Scaling: hash-type selection, Toeplitz hash,
 * indirection table. The queue -> CPU map is the host's (the driver points
 * each queue's MSI-X vector and DPC at a CPU from rss.base_cpu and
 * rss.max_cpus, host/driver.c), as in NDIS where the NIC only names queues.
 *
 * Sources: the Microsoft NDIS RSS pages (windows-driver-docs, network/), the Intel
 * 82598/82599/I210 datasheets. What is hashed when (rss-hashing-types.md):
 *   - TCP over IPv4/IPv6 with TCP_IPV4/TCP_IPV6 on: 4-tuple;
 *   - UDP likewise with UDP_IPV4/UDP_IPV6 (NDIS 6.80 flags);
 *   - otherwise IPV4/IPV6 on: 2-tuple; IP fragments (first included): 2-tuple;
 *   - IPv4 options and IPv6 extension headers are skipped;
 *   - the _EX types substitute the Home Address option / type-2 routing header
 *     addresses when present;
 *   - unparsed packets, or a type not enabled: no hash, default queue.
 * Indirection: index = hash & (table_size - 1); entry = queue.
 */
#ifndef NICSIM_MODELS_RSS_H
#define NICSIM_MODELS_RSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/pkt/parse.h"
#include "models/pkt/rss_toeplitz.h"
#include "sim/param.h"

/* NDIS_HASH_* flag values (ntddndis.h; Linux drivers/net/hyperv/hyperv_net.h). */
#define RSS_HASH_IPV4         0x00000100u
#define RSS_HASH_TCP_IPV4     0x00000200u
#define RSS_HASH_IPV6         0x00000400u
#define RSS_HASH_IPV6_EX      0x00000800u
#define RSS_HASH_TCP_IPV6     0x00001000u
#define RSS_HASH_TCP_IPV6_EX  0x00002000u
#define RSS_HASH_UDP_IPV4     0x00004000u
#define RSS_HASH_UDP_IPV6     0x00008000u
#define RSS_HASH_UDP_IPV6_EX  0x00010000u

#define RSS_QUEUES_MAX 1024u
#define RSS_TABLE_MIN 64u
#define RSS_TABLE_MAX 2048u

struct rss_cfg {
	uint32_t queues;          /* number of RX queues, 1..1024 */
	uint32_t table_size;      /* indirection entries, power of two, 64..2048 */
	uint8_t key[RSS_KEY_BYTES_MAX];
	uint32_t key_len;         /* bytes, 40..52; 0 = no key yet (as after reset) */
	uint32_t hash_types;      /* PARAM_FLAGS bit set over rss_hash_type_names; see rss_ndis_flags() */
	uint32_t default_queue;   /* queue for packets without a hash */
	uint32_t tunnel_hash;     /* enum rss_tunnel: what an IP-in-IP packet hashes */
};
/* rss.tunnel_hash: IP-in-IP (and IPv6-in-IPv4) packets hash the outer
 * header's 2-tuple (as the 82599, whose parser stops at the outer header),
 * or the inner header's 2- or 4-tuple; never outer addresses with inner
 * ports. */
enum rss_tunnel { RSS_TUNNEL_OUTER = 0, RSS_TUNNEL_INNER };

/* The NIC's RSS capacity (keys rss.queues, rss.table_size), terminated by
 * {NULL}. The rest of rss.* is the driver's policy (host/driver.h). */
extern const struct param_def rss_params[];
/* Cross-field checks after all keys are set (e.g. key length vs input). */
int rss_cfg_validate(const struct rss_cfg *cfg, char *err, size_t err_len);
/* Convert cfg->hash_types (bit per choice) to NDIS_HASH_* flags. */
uint32_t rss_ndis_flags(const struct rss_cfg *cfg);

struct rss;
int rss_init(struct rss **out, const struct rss_cfg *cfg, char *err, size_t err_len);
void rss_free(struct rss *r);
/* Default table: entry i -> queue i mod queues (as Linux ethtool_rxfh_indir_default). */
void rss_reset(struct rss *r);

/* Build the hash input for a parsed frame under the enabled types. Returns the
 * input length (8, 12, 32 or 36) and the NDIS type used, or 0 if the packet
 * must not be hashed. */
uint32_t rss_input(const struct rss *r, const uint8_t *frame, const struct parse_result *pr,
		   uint8_t in[RSS_INPUT_BYTES_MAX], uint32_t *ndis_type);
/* Toeplitz hash of in[0..len) with the block's key (its C engine, kept up to
 * date by rss_set_key). */
uint32_t rss_toeplitz_of(const struct rss *r, const uint8_t *in, uint32_t len);
/* Hash a parsed frame. Returns false (no hash) when rss_input returns 0. */
bool rss_hash(const struct rss *r, const uint8_t *frame, const struct parse_result *pr,
	      uint32_t *hash, uint32_t *ndis_type);
uint32_t rss_table_index(const struct rss *r, uint32_t hash);
uint16_t rss_table_get(const struct rss *r, uint32_t index);
void rss_table_set(struct rss *r, uint32_t index, uint16_t queue);
uint32_t rss_table_size(const struct rss *r);
/* Queue for a hash (table lookup) or for a packet without one (default queue). */
uint16_t rss_queue_of(const struct rss *r, bool has_hash, uint32_t hash);
/* Enable hash types at run time (register write MRQC): bit i = choice i of
 * rss.hash_types; unknown bits are ignored. */
void rss_set_hash_types(struct rss *r, uint32_t hash_types);
/* Queue for packets without a hash (register write RSSDEFQ). */
void rss_set_default_queue(struct rss *r, uint16_t queue);
/* Replace the key at run time (register write RSSRK). */
void rss_set_key(struct rss *r, const uint8_t *key, uint32_t key_len);

#endif
