/*
 * models/rss.c — Receive-Side Scaling: which bytes are hashed for which
 * packet, the Toeplitz hash and the indirection table.
 *
 * Sources: Microsoft NDIS documentation, rss-hashing-types.md
 * (what is hashed when, fragments, "must not hash" cases), rss-hashing-
 * functions.md (input byte order), introduction-to-receive-side-scaling.md and
 * Intel I210 §7.1.2.10 / 82575EB SDM §5.4.2 (index = low bits of the hash,
 * 128-entry RETA), Intel 82598EB datasheet p.237 (priority TCP > UDP > IP and
 * "not fragmented" as a condition for the 4-tuple).
 *
 * What it leaves out: the timing of the hash engine (rss_toeplitz_cycles and
 * the RTL twin), the register map (the NIC shell writes RETA/RSSRK through
 * rss_table_set/rss_set_key after validating the values), and in-order
 * delivery across table updates (the driver/TOE side: this block only answers
 * "which queue now"), and the queue -> CPU map (the driver's: rss.base_cpu,
 * rss.max_cpus). The key, hash types and default queue are what the driver
 * programs (RSSRK, MRQC, RSSDEFQ); the NIC's capacity (queues, table
 * entries) is declared here.
 *
 * Invariant: every indirection entry names a queue < cfg.queues, and
 * table_size is a power of two, so rss_queue_of always returns a valid queue.
 */
#include "models/rss.h"

#include "models/nic_regs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/check.h"

/* Bit i of cfg.hash_types is choice i of this list; rss_ndis_bits[i] is its
 * NDIS_HASH_* value. Keep the two in the same order. */
#define RSS_HASH_TYPE_CHOICES NIC_MRQC_TYPE_CHOICES
static const uint32_t rss_ndis_bits[] = {
	RSS_HASH_IPV4, RSS_HASH_TCP_IPV4, RSS_HASH_UDP_IPV4,
	RSS_HASH_IPV6, RSS_HASH_TCP_IPV6, RSS_HASH_UDP_IPV6,
	RSS_HASH_IPV6_EX, RSS_HASH_TCP_IPV6_EX, RSS_HASH_UDP_IPV6_EX,
};
#define RSS_HASH_TYPE_COUNT (sizeof rss_ndis_bits / sizeof rss_ndis_bits[0])

const struct param_def rss_params[] = {
	{
		.key = "rss.queues", .type = PARAM_U32,
		.offset = offsetof(struct rss_cfg, queues), .unit = "queues",
		.defval = "8", .min = 1, .max = RSS_QUEUES_MAX,
		.desc = "Number of RX queues the indirection table spreads flows over.",
		.source = "one queue per CPU of the default 8-core host (host.cpus); " "Microsoft *NumRSSQueues defaults to 16, capped by the CPU count (standardized-inf-keywords-for-rss.md)",
	},
	{
		.key = "rss.table_size", .type = PARAM_U32,
		.offset = offsetof(struct rss_cfg, table_size), .unit = "entries",
		.defval = "128", .min = RSS_TABLE_MIN, .max = RSS_TABLE_MAX, .flags = PARAM_F_POW2,
		.desc = "Indirection table entries; the low log2(size) bits of the hash index it.",
		.source = "Intel 82599/I210 RETA has 128 entries; NDIS_RSS_INDIRECTION_TABLE_MAX_SIZE_REVISION_1 " "= 128 (ntddndis.h); range up to the E810 PF LUT (2048, Linux ice_adminq_cmd.h ICE_LUT_PF_SIZE)",
	},
	{
		.key = "rss.tunnel_hash", .type = PARAM_ENUM,
		.offset = offsetof(struct rss_cfg, tunnel_hash), .unit = "",
		.defval = "outer", .choices = "outer,inner",
		.desc = "What an IP-in-IP or IPv6-in-IPv4 packet hashes: outer, the outer header's 2-tuple (no ports); "
			"inner, the inner header's 2-tuple or 4-tuple by the enabled types. Never outer addresses with "
			"inner ports.",
		.source = "Intel 82599: its receive parser does not look inside IP-in-IP, so RSS sees the outer "
			  "addresses only [recalled, not checked against the datasheet]; inner hashing as later NICs "
			  "(i40e, ice) offer it",
	},
	{ .key = NULL },
};

struct rss {
	struct rss_cfg cfg;
	uint32_t ndis_flags;        /* rss_ndis_flags(&cfg), cached for the per-packet path */
	struct rss_toeplitz engine; /* lookup tables for cfg.key */
	uint16_t *table;            /* table_size entries, each a queue < cfg.queues */
};

static bool is_pow2(uint32_t v) { return v && !(v & (v - 1)); }

int rss_cfg_validate(const struct rss_cfg *cfg, char *err, size_t err_len)
{
	/* param_set checks each key alone; these are the cross-field checks plus
	 * the ranges again, for a cfg built in code rather than from text. */
	if (cfg->queues < 1 || cfg->queues > RSS_QUEUES_MAX) {
		snprintf(err, err_len, "rss.queues: %u out of range 1..%u", cfg->queues, RSS_QUEUES_MAX);
		return -EINVAL;
	}
	if (!is_pow2(cfg->table_size) || cfg->table_size < RSS_TABLE_MIN || cfg->table_size > RSS_TABLE_MAX) {
		snprintf(err, err_len, "rss.table_size: %u must be a power of two in %u..%u",
			 cfg->table_size, RSS_TABLE_MIN, RSS_TABLE_MAX);
		return -EINVAL;
	}
	if (cfg->key_len && (cfg->key_len < RSS_KEY_BYTES_MIN || cfg->key_len > RSS_KEY_BYTES_MAX)) {
		snprintf(err, err_len,
			 "rss.key: %u bytes; need %u..%u (36 input bytes of the TCP/IPv6 4-tuple + 4)",
			 cfg->key_len, RSS_KEY_BYTES_MIN, RSS_KEY_BYTES_MAX);
		return -EINVAL;
	}
	if (cfg->hash_types >> RSS_HASH_TYPE_COUNT) {
		snprintf(err, err_len, "rss.hash_types: unknown bits 0x%x; choices are " RSS_HASH_TYPE_CHOICES,
			 cfg->hash_types);
		return -EINVAL;
	}
	if (cfg->default_queue >= cfg->queues) {
		snprintf(err, err_len, "rss.default_queue: %u must be below rss.queues (%u)",
			 cfg->default_queue, cfg->queues);
		return -EINVAL;
	}
	return 0;
}

uint32_t rss_ndis_flags(const struct rss_cfg *cfg)
{
	uint32_t f = 0;
	for (size_t i = 0; i < RSS_HASH_TYPE_COUNT; i++)
		if (cfg->hash_types & (1u << i))
			f |= rss_ndis_bits[i];
	return f;
}

int rss_init(struct rss **out, const struct rss_cfg *cfg, char *err, size_t err_len)
{
	*out = NULL;
	int rc = rss_cfg_validate(cfg, err, err_len);
	if (rc)
		return rc;
	struct rss *r = calloc(1, sizeof *r);
	uint16_t *table = calloc(cfg->table_size, sizeof *table);
	if (!r || !table) {
		free(r);
		free(table);
		snprintf(err, err_len, "rss: out of memory for a %u-entry table", cfg->table_size);
		return -ENOMEM;
	}
	r->cfg = *cfg;
	r->table = table;
	r->ndis_flags = rss_ndis_flags(cfg);
	rss_toeplitz_setkey(&r->engine, r->cfg.key, r->cfg.key_len);
	rss_reset(r);
	*out = r;
	return 0;
}

void rss_free(struct rss *r)
{
	if (!r)
		return;
	free(r->table);
	free(r);
}

void rss_reset(struct rss *r)
{
	/* Round robin, as Linux ethtool_rxfh_indir_default(): with table_size a
	 * multiple of queues every queue gets the same share of the hash space. */
	for (uint32_t i = 0; i < r->cfg.table_size; i++)
		r->table[i] = (uint16_t)(i % r->cfg.queues);
}

/* Is the IP layer (fixed header, IPv4 options, IPv6 extension headers) fully
 * understood, so that the addresses and the fragment flag can be trusted?
 *
 * Decision: a packet whose parse stopped only at the transport header
 * (PARSE_TRUNC_L4, PARSE_BAD_L4) still gets the 2-tuple hash when the IP type
 * is enabled. That is NDIS's fallback "use the 4-tuple if a TCP header is
 * present, else the 2-tuple" (rss-hashing-types.md): without a usable
 * transport header the packet is an IP packet like any other. A packet whose
 * IP layer could not be parsed (truncated or malformed fixed header, options
 * or extension headers) is "cannot parse": no hash (same page: "if it cannot
 * skip extension headers, it must not compute a hash").
 * Caveat: in a capture cut by a small snaplen, PARSE_TRUNC_L4 is an artefact of
 * the capture; the real NIC saw the ports. Such packets may land on another
 * queue than the rest of their flow. The parser counts them. */
static bool ip_layer_parsed(const struct parse_result *pr)
{
	switch (pr->status) {
	case PARSE_OK:
	case PARSE_TRUNC_L4:
	case PARSE_BAD_L4:
		return pr->l3 == PARSE_L3_IPV4 || pr->l3 == PARSE_L3_IPV6;
	default:
		return false;
	}
}

/* Ports usable for a 4-tuple: transport header parsed and not a fragment
 * (a first fragment carries the TCP header but still uses the 2-tuple:
 * rss-hashing-types.md; Intel 82598EB p.237 "not fragmented"). */
static bool has_4tuple(const struct parse_result *pr)
{
	return pr->status == PARSE_OK && (pr->flags & PARSE_F_HAS_PORTS) && !(pr->flags & PARSE_F_FRAG);
}

static void put_ports(uint8_t *p, const struct parse_result *pr)
{
	/* Network byte order, source first (rss-hashing-functions.md; the
	 * derived_negative vectors catch host order and swapped ports). */
	p[0] = (uint8_t)(pr->sport >> 8);
	p[1] = (uint8_t)pr->sport;
	p[2] = (uint8_t)(pr->dport >> 8);
	p[3] = (uint8_t)pr->dport;
}

uint32_t rss_input(const struct rss *r, const uint8_t *frame, const struct parse_result *pr,
		   uint8_t in[RSS_INPUT_BYTES_MAX], uint32_t *ndis_type)
{
	uint32_t en = r->ndis_flags;
	*ndis_type = 0;
	if (!ip_layer_parsed(pr))
		return 0;   /* non-IP or unparsed: no hash, default queue */

	bool ports = has_4tuple(pr);
	enum parse_l3 l3 = (enum parse_l3)pr->l3;
	const uint8_t *a_src = pr->src, *a_dst = pr->dst;
	if (pr->flags & PARSE_F_IP_TUNNEL) {
		if (r->cfg.tunnel_hash == RSS_TUNNEL_INNER) {
			/* The inner header's addresses, with its ports. */
			l3 = (enum parse_l3)pr->inner_l3;
			const uint8_t *ih = frame + pr->inner_l3_off;
			a_src = l3 == PARSE_L3_IPV4 ? ih + 12 : ih + 8;
			a_dst = l3 == PARSE_L3_IPV4 ? ih + 16 : ih + 24;
		} else {
			ports = false;   /* the outer header has none of its own */
		}
	}
	bool tcp = ports && pr->l4 == PARSE_L4_TCP;
	bool udp = ports && pr->l4 == PARSE_L4_UDP;

	if (l3 == PARSE_L3_IPV4) {
		/* Intel priority TcpIPv4 > UdpIPv4 > IPv4; a packet is at most one
		 * of TCP and UDP, so the order only decides the fallback to IPv4. */
		uint32_t type;
		if (tcp && (en & RSS_HASH_TCP_IPV4))
			type = RSS_HASH_TCP_IPV4;
		else if (udp && (en & RSS_HASH_UDP_IPV4))
			type = RSS_HASH_UDP_IPV4;
		else if (en & RSS_HASH_IPV4)
			type = RSS_HASH_IPV4;
		else
			return 0;   /* e.g. UDP with only TCP_IPV4 on: "must not hash" */
		memcpy(in, a_src, 4);
		memcpy(in + 4, a_dst, 4);
		*ndis_type = type;
		if (type == RSS_HASH_IPV4)
			return 8;
		put_ports(in + 8, pr);
		return 12;
	}

	/* IPv6: TcpIPv6Ex/TcpIPv6 > UdpIPv6Ex/UdpIPv6 > IPv6Ex/IPv6 (82598EB
	 * p.237). Within a pair the _EX type wins when enabled: it hashes the same
	 * bytes as the plain type when no Home Address / type-2 routing header is
	 * present, and the mobile node's stable addresses when they are. */
	uint32_t type;
	if (tcp && (en & RSS_HASH_TCP_IPV6_EX))
		type = RSS_HASH_TCP_IPV6_EX;
	else if (tcp && (en & RSS_HASH_TCP_IPV6))
		type = RSS_HASH_TCP_IPV6;
	else if (udp && (en & RSS_HASH_UDP_IPV6_EX))
		type = RSS_HASH_UDP_IPV6_EX;
	else if (udp && (en & RSS_HASH_UDP_IPV6))
		type = RSS_HASH_UDP_IPV6;
	else if (en & RSS_HASH_IPV6_EX)
		type = RSS_HASH_IPV6_EX;
	else if (en & RSS_HASH_IPV6)
		type = RSS_HASH_IPV6;
	else
		return 0;

	bool is_ex = type & (RSS_HASH_TCP_IPV6_EX | RSS_HASH_UDP_IPV6_EX | RSS_HASH_IPV6_EX);
	const uint8_t *src = a_src, *dst = a_dst;
	/* NDIS_HASH_IPV6_EX: source = Home Address option if present, destination
	 * = type-2 routing header address if present (RFC 6275 §6.3, §6.4). The
	 * parser only sets the offsets for addresses wholly inside the capture. */
	if (is_ex && (pr->flags & PARSE_F_IPV6_HOME))
		src = frame + pr->home_addr_off;
	if (is_ex && (pr->flags & PARSE_F_IPV6_RT2))
		dst = frame + pr->rt2_addr_off;
	memcpy(in, src, 16);
	memcpy(in + 16, dst, 16);
	*ndis_type = type;
	if (type == RSS_HASH_IPV6 || type == RSS_HASH_IPV6_EX)
		return 32;
	put_ports(in + 32, pr);
	return 36;
}

uint32_t rss_toeplitz_of(const struct rss *r, const uint8_t *in, uint32_t len)
{
	return rss_toeplitz_hash(&r->engine, in, len);
}

bool rss_hash(const struct rss *r, const uint8_t *frame, const struct parse_result *pr,
	      uint32_t *hash, uint32_t *ndis_type)
{
	uint8_t in[RSS_INPUT_BYTES_MAX];
	uint32_t len = rss_input(r, frame, pr, in, ndis_type);
	if (!len)
		return false;
	*hash = rss_toeplitz_hash(&r->engine, in, len);
	return true;
}

uint32_t rss_table_index(const struct rss *r, uint32_t hash)
{
	/* Low-order bits (introduction-to-receive-side-scaling.md; I210 RETA is
	 * indexed by the 7 LSBs). table_size is a power of two (validated). */
	return hash & (r->cfg.table_size - 1u);
}

uint16_t rss_table_get(const struct rss *r, uint32_t index)
{
	sim_check(index < r->cfg.table_size, "rss_table_get: index beyond the indirection table");
	return r->table[index];
}

void rss_table_set(struct rss *r, uint32_t index, uint16_t queue)
{
	/* The register-map shell validates RETA writes from the driver (bad input
	 * is its to report); here an out-of-range value is a bug in nicsim. */
	sim_check(index < r->cfg.table_size, "rss_table_set: index beyond the indirection table");
	sim_check(queue < r->cfg.queues, "rss_table_set: queue beyond rss.queues");
	r->table[index] = queue;
}

uint32_t rss_table_size(const struct rss *r) { return r->cfg.table_size; }

uint16_t rss_queue_of(const struct rss *r, bool has_hash, uint32_t hash)
{
	if (!has_hash)
		return (uint16_t)r->cfg.default_queue;
	return r->table[rss_table_index(r, hash)];
}

void rss_set_key(struct rss *r, const uint8_t *key, uint32_t key_len)
{
	/* Rebuilding the tables costs 36 x 256 XORs; a key change is rare (NDIS
	 * may reset the NIC for it: rss-configuration.md). */
	sim_check(key_len >= RSS_KEY_BYTES_MIN && key_len <= RSS_KEY_BYTES_MAX,
		  "rss_set_key: key length outside 40..52 (validated by the caller)");
	memset(r->cfg.key, 0, sizeof r->cfg.key);
	memcpy(r->cfg.key, key, key_len);
	r->cfg.key_len = key_len;
	rss_toeplitz_setkey(&r->engine, r->cfg.key, r->cfg.key_len);
}

void rss_set_default_queue(struct rss *r, uint16_t queue)
{
	sim_check(queue < r->cfg.queues, "rss_set_default_queue: queue beyond rss.queues (validated by the caller)");
	r->cfg.default_queue = queue;
}

void rss_set_hash_types(struct rss *r, uint32_t hash_types)
{
	r->cfg.hash_types = hash_types & ((1u << RSS_HASH_TYPE_COUNT) - 1u);
	r->ndis_flags = rss_ndis_flags(&r->cfg);
}
