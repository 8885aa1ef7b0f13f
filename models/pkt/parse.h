/*
 * models/pkt/parse.h — packet header parser (a packet helper that knows no device).
 *
 * Parses what a NIC's receive parser sees: Ethernet II, 802.1Q / 802.1ad
 * (QinQ, any depth up to PARSE_VLAN_MAX), Linux cooked headers (SLL, SLL2) and
 * raw IPv4/IPv6 captures; IPv4 with options and fragments; IPv6 with the
 * hop-by-hop, routing, fragment, destination-options (and AH/mobility skipped
 * by length) extension headers; TCP with options; UDP.
 *
 * Never reads outside [frame, frame + caplen). A frame that cannot be parsed
 * to the transport header is still returned with everything found so far and
 * a status that says why (truncated vs malformed, at which layer); the caller
 * counts it and passes it on as "not parsed".
 *
 * References: IEEE 802.1Q; RFC 791 (IPv4), RFC 8200 (IPv6 ext headers),
 * RFC 6275 §6.3/§6.4 (Home Address option, type-2 routing header, for RSS
 * IPv6_EX), RFC 9293 (TCP), RFC 768 (UDP); Linux cooked headers:
 * tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and LINKTYPE_LINUX_SLL2.html.
 */
#ifndef NICSIM_MODELS_PKT_PARSE_H
#define NICSIM_MODELS_PKT_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/stats.h"

#define PARSE_VLAN_MAX 4

/* The link layer in front of the frame (from the capture's link type). */
enum parse_link {
	PARSE_LINK_ETH = 0,  /* LINKTYPE_ETHERNET (1) */
	PARSE_LINK_SLL,      /* LINKTYPE_LINUX_SLL (113), 16-byte cooked header */
	PARSE_LINK_SLL2,     /* LINKTYPE_LINUX_SLL2 (276), 20-byte cooked header */
	PARSE_LINK_RAW,      /* LINKTYPE_RAW (101, also 12/14): IPv4 or IPv6 by version nibble */
	PARSE_LINK_IPV4,     /* LINKTYPE_IPV4 (228) */
	PARSE_LINK_IPV6,     /* LINKTYPE_IPV6 (229) */
};

/* Why parsing stopped. PARSE_OK means "everything the frame claims to have was
 * understood": for a TCP/UDP packet that includes the transport header. A
 * non-IP frame (ARP, LLDP, ...) and an IP packet with another transport
 * (ICMP, GRE, ...) are PARSE_OK too; l3/l4 say what was found. */
enum parse_status {
	PARSE_OK = 0,
	PARSE_TRUNC_L2,      /* capture ends inside the link header or a VLAN tag */
	PARSE_TRUNC_L3,      /* ... inside the IPv4/IPv6 fixed header */
	PARSE_BAD_L3,        /* IPv4: version/IHL/total length impossible; IPv6: version */
	PARSE_TRUNC_EXT,     /* ... inside IPv4 options or an IPv6 extension header */
	PARSE_BAD_EXT,       /* extension header chain impossible (length beyond payload, too many) */
	PARSE_TRUNC_L4,      /* ... inside the TCP/UDP header (first fragment included) */
	PARSE_BAD_L4,        /* TCP data offset < 5 or beyond the IP payload; UDP length < 8 */
	PARSE_STATUS_COUNT
};

enum parse_l3 { PARSE_L3_NONE = 0, PARSE_L3_IPV4, PARSE_L3_IPV6 };
enum parse_l4 { PARSE_L4_NONE = 0, PARSE_L4_TCP, PARSE_L4_UDP, PARSE_L4_OTHER };

/* parse_result.flags */
#define PARSE_F_FRAG          0x0001u /* an IP fragment (first or not) */
#define PARSE_F_FRAG_FIRST    0x0002u /* offset 0 of a fragmented datagram (carries the L4 header) */
#define PARSE_F_IP_OPTIONS    0x0004u /* IPv4 header longer than 20 bytes */
#define PARSE_F_IPV6_EXT      0x0008u /* at least one IPv6 extension header was skipped */
#define PARSE_F_TCP_OPTIONS   0x0010u /* TCP header longer than 20 bytes */
#define PARSE_F_HAS_PORTS     0x0020u /* sport/dport valid: the 4 port bytes lie inside the capture and
                                       * the IP length (the rest of the TCP/UDP header may be cut or bad,
                                       * as tshark still reports ports then) */
#define PARSE_F_IPV6_HOME     0x0040u /* Home Address option seen; home_addr_off valid */
#define PARSE_F_IPV6_RT2      0x0080u /* type-2 routing header seen; rt2_addr_off valid */
#define PARSE_F_L2_BCAST      0x0100u /* Ethernet destination is broadcast or multicast */
#define PARSE_F_SLL_OUTGOING  0x0200u /* SLL/SLL2 packet type 4: sent by the capturing host */
#define PARSE_F_SLL_HOST      0x0400u /* SLL/SLL2 packet type 0: addressed to the capturing host */
#define PARSE_F_IP_TUNNEL     0x0800u /* IP-in-IP: addresses/ports are the outer header's */

#define PARSE_FINAL_DST_UNKNOWN 0xffffu /* parse_result.final_dst_off: a routing type not understood */

/* Header sizes and IP protocol numbers the parser and the checksum share
 * (RFC 791, 8200, 9293, 768; IANA protocol numbers). */
#define IPV4_HDR_MIN_BYTES 20u
#define IPV6_HDR_BYTES 40u
#define TCP_HDR_MIN_BYTES 20u
#define UDP_HDR_BYTES 8u
#define IPPROTO_TCP_ 6u
#define IPPROTO_UDP_ 17u
#define IPPROTO_ESP_ 50u   /* IPsec ESP, RFC 4303 */
#define IPPROTO_AH_ 51u    /* IPsec AH, RFC 4302 */

/* Big-endian 16- and 32-bit fields at p: read, and written. */
static inline uint16_t parse_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t parse_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void parse_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void parse_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#define ETH_MIN_FRAME_NO_FCS 60u  /* IEEE 802.3: 64-byte minimum frame including the FCS */

/* Time a frame of wire_len bytes (as captured: no FCS) holds a wire of
 * rate_mbps, padding, FCS and overhead (preamble, SFD, IFG) included, in ps
 * rounded up. A packet helper: the MAC and the replay's sender pacing share it. */
static inline uint64_t eth_wire_time_ps(uint32_t wire_len, uint32_t rate_mbps, uint32_t fcs_bytes,
					uint32_t overhead_bytes)
{
	uint64_t bytes = (uint64_t)(wire_len < ETH_MIN_FRAME_NO_FCS ? ETH_MIN_FRAME_NO_FCS : wire_len) + fcs_bytes +
			 overhead_bytes;
	return (bytes * 8u * 1000000u + rate_mbps - 1) / rate_mbps;  /* bits * 1e6 / (Mb/s) = ps */
}

/* TCP flag bits of parse_result.tcp_flags (RFC 9293 §3.1). */
#define TCP_FLAG_FIN 0x01u
#define TCP_FLAG_SYN 0x02u
#define TCP_FLAG_RST 0x04u
#define TCP_FLAG_PSH 0x08u
#define TCP_FLAG_ACK 0x10u
#define TCP_FLAG_URG 0x20u
#define TCP_FLAG_ECE 0x40u   /* RFC 3168 §6.1 */
#define TCP_FLAG_CWR 0x80u

struct parse_result {
	uint8_t status;          /* enum parse_status */
	uint8_t l3;              /* enum parse_l3 */
	uint8_t l4;              /* enum parse_l4 */
	uint8_t ip_proto;        /* final upper-layer protocol number (after extension headers) */
	uint8_t vlan_count;      /* VLAN tags seen (802.1Q and 802.1ad) */
	uint8_t tcp_flags;       /* TCP flags byte: TCP_FLAG_* */
	uint16_t flags;          /* PARSE_F_* */
	uint16_t ethertype;      /* innermost ethertype (0 for raw IP links) */
	uint16_t vlan_id;        /* outermost VLAN ID (12 bits), valid if vlan_count > 0 */
	uint16_t l3_off;         /* offset of the IP header */
	uint16_t l4_off;         /* offset of the TCP/UDP header */
	uint16_t payload_off;    /* offset of the L4 payload */
	uint16_t home_addr_off;  /* offset of the IPv6 Home Address (PARSE_F_IPV6_HOME) */
	uint16_t rt2_addr_off;   /* offset of the type-2 routing header address (PARSE_F_IPV6_RT2) */
	uint16_t final_dst_off;  /* IPv6 with a routing header still in transit (Segments Left > 0,
	                          * outer header only): offset of the final destination (RFC 8200
	                          * §8.1); PARSE_FINAL_DST_UNKNOWN for a type whose final destination
	                          * is not known; 0: none, the fixed header's dst is final */
	uint16_t inner_l3_off;   /* PARSE_F_IP_TUNNEL: offset of the inner IP header */
	uint8_t inner_l3;        /* PARSE_F_IP_TUNNEL: its version (enum parse_l3) */
	uint32_t l3_len;         /* IP datagram length from the header (IPv4 total length, IPv6 40 + payload length; jumbogram from HBH) */
	uint32_t payload_len;    /* L4 payload bytes according to the IP/L4 headers (not the capture) */
	uint16_t sport, dport;   /* host byte order; valid with PARSE_F_HAS_PORTS */
	uint8_t src[16], dst[16];/* IP addresses in network order; IPv4 uses the first 4 bytes */
};

/* TCP sequence numbers compared modulo 2^32 (RFC 9293 §3.4): a before b,
 * a at or before b. */
static inline bool tcp_seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool tcp_seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

/* A pure ACK as a receiver counts it (cost.ack_rx_cycles, the TOE's
 * frames the host would have received): TCP parsed whole, no payload, ACK
 * set and none of SYN, FIN, RST. */
static inline bool parse_is_pure_ack(const struct parse_result *pr)
{
	return pr->status == PARSE_OK && pr->l4 == PARSE_L4_TCP && !pr->payload_len &&
	       (pr->tcp_flags & (TCP_FLAG_ACK | TCP_FLAG_SYN | TCP_FLAG_FIN | TCP_FLAG_RST)) == TCP_FLAG_ACK;
}
/* A pure ACK as a sender's stack builds it (cost.ack_tx_cycles, a send of
 * its own in host/txstack.h): TCP parsed whole, no payload, only ACK (with
 * ECE or CWR, RFC 3168). */
static inline bool parse_is_bare_ack(const struct parse_result *pr)
{
	return pr->status == PARSE_OK && pr->l4 == PARSE_L4_TCP && !pr->payload_len && (pr->tcp_flags & TCP_FLAG_ACK) &&
	       !(pr->tcp_flags & ~(TCP_FLAG_ACK | TCP_FLAG_ECE | TCP_FLAG_CWR));
}

/* Parse frame[0 .. caplen). wire_len is the original length (>= caplen).
 * Always fills *out (zeroed first) and returns out->status. */
enum parse_status parse_frame(const uint8_t *frame, uint32_t caplen, uint32_t wire_len,
			      enum parse_link link, struct parse_result *out);
/* The same, without the shortcut parse_frame takes for the commonest frame
 * (Ethernet + IPv4 without options + TCP/UDP): the reference the shortcut
 * is tested against. */
enum parse_status parse_frame_general(const uint8_t *frame, uint32_t caplen, uint32_t wire_len,
				      enum parse_link link, struct parse_result *out);

/* The TCP options of a header (doff: its length in bytes, 20..60), as an
 * offload engine and the host's offload policy read them: MSS (kind 2),
 * window scale (3, its shift capped at 14, RFC 7323 §2.3), SACK permitted
 * (4), SACK blocks (5, noted, not kept), timestamps (8); any other kind but
 * EOL and NOP is is_unsupported. A malformed length ends the walk. */
struct tcp_opts {
	bool has_mss, has_ws, has_sack_perm, has_ts, is_unsupported;
	uint16_t mss;
	uint8_t ws;
	uint32_t tsval, tsecr;
};
void tcp_opts_parse(const uint8_t *tcp, uint32_t doff, struct tcp_opts *o);

/* A connection's 4-tuple as a table's hash: FNV-1a 32 (Fowler/Noll/Vo,
 * draft-eastlake-fnv §6.1.1: offset basis 2166136261, prime 16777619) over
 * the local address, the remote address (4 bytes, or 16 for IPv6), then the
 * ports. */
uint32_t parse_tuple_hash(bool is_ipv6, const uint8_t *local, const uint8_t *remote, uint16_t lport, uint16_t rport);

/* Short stable names for reports: "ok", "trunc_l2", "bad_l3", ... */
const char *parse_status_name(enum parse_status s);

/* Counts by status, for reports (a block's stats). */
struct parse_stats {
	uint64_t by_status[PARSE_STATUS_COUNT];
	uint64_t ipv4, ipv6, tcp, udp, other_l4, non_ip, vlan_tagged, fragments;
};
void parse_stats_add(struct parse_stats *st, const struct parse_result *r);
/* The kinds counted, declared once (sim/stats.h). */
extern const struct stat_def parse_kind_stat_defs[];

#endif
