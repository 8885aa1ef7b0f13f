/*
 * models/pkt/tso.c — transmit checksum insertion and TCP segmentation
 * (models/pkt/tso.h has the rules and their sources).
 *
 * What it models: the 82599's per-segment header rewrite (IP lengths, IPv4
 * identification, TCP sequence number and flags) and the IPv4 header and
 * TCP/UDP checksums, computed here over the pseudo-header of each frame.
 *
 * What it leaves out: the pseudo-header's destination is always the IPv6
 * fixed header's. RFC 8200 §8.1 wants the final destination of a routing
 * header still in transit (and RFC 6275 the Home Address option's source);
 * a real NIC takes the pseudo-header sum the driver seeds in the checksum
 * field, so the host gets this right and we do not. tx_offload_from_parse
 * refuses such frames rather than send a wrong checksum. No UDP
 * segmentation, no tunnels (inner headers), no SCTP CRC32c.
 *
 * Invariant: every byte read or written lies in [send, send + send_len) or
 * [out, out + out_cap) (or [frame, frame + len)); a context or length that
 * does not fit gives 0 / false / no change, never a partial frame.
 */
#include "models/pkt/tso.h"

#include <string.h>

#include "models/pkt/csum.h"

#define IPV4_ID_OFF 4u                 /* RFC 791 header layout */
#define IPV4_TOTLEN_OFF 2u
#define IPV4_CSUM_OFF 10u
#define IPV4_ADDRS_OFF 12u             /* source then destination, 8 bytes */
#define IPV6_PLEN_OFF 4u               /* RFC 8200 §3 */
#define IPV6_ADDRS_OFF 8u              /* source then destination, 32 bytes */
#define TCP_SEQ_OFF 4u                 /* RFC 9293 §3.1 */
#define TCP_FLAGS_OFF 13u
#define TCP_CSUM_OFF 16u
#define UDP_CSUM_OFF 6u                /* RFC 768 */

static bool is_tcp_or_udp(const struct tx_offload *o)
{
	return o->l4 == PARSE_L4_TCP || o->l4 == PARSE_L4_UDP;
}

static uint32_t hdr_bytes(const struct tx_offload *o)
{
	return (uint32_t)o->l2_len + o->l3_len + o->l4_len;
}

/* The header lengths hold the fields we write: an IP header at least its
 * fixed size, a TCP header of 20 bytes or more, a UDP header of 8. A
 * context without a transport (l4 NONE) may still ask for the IPv4 header
 * checksum; its l4_len is taken as given. */
static bool ctx_ok(const struct tx_offload *o)
{
	if (o->l3_len < (o->is_ipv6 ? IPV6_HDR_BYTES : IPV4_HDR_MIN_BYTES))
		return false;
	if (o->l4 == PARSE_L4_TCP && o->l4_len < TCP_HDR_MIN_BYTES)
		return false;
	if (o->l4 == PARSE_L4_UDP && o->l4_len < UDP_HDR_BYTES)
		return false;
	return true;
}

/* Segmentation applies only to TCP, and mss 0 means "do not segment"
 * (a context that cannot cut is treated as TSO off, not as an error). */
static bool is_segmenting(const struct tx_offload *o)
{
	return o->do_tso && o->l4 == PARSE_L4_TCP && o->mss > 0;
}

/* The IPv4 header checksum over l3_len bytes, the field itself taken as 0. */
static void insert_ip_csum(const struct tx_offload *o, uint8_t *frame)
{
	uint8_t *ip = frame + o->l2_len;
	parse_put_be16(ip + IPV4_CSUM_OFF, 0);
	parse_put_be16(ip + IPV4_CSUM_OFF, csum_finish(csum_partial(ip, o->l3_len, 0)));
}

/* The TCP/UDP checksum over the pseudo-header and l4_bytes from the L4
 * header on (RFC 768, RFC 9293 §3.1, RFC 8200 §8.1). false, frame
 * unchanged, when IPv4's 16-bit length cannot hold l4_bytes. */
static bool insert_l4_csum(const struct tx_offload *o, uint8_t *frame, uint32_t l4_bytes)
{
	uint8_t *ip = frame + o->l2_len;
	uint8_t *l4 = ip + o->l3_len;
	bool is_tcp = o->l4 == PARSE_L4_TCP;
	if (!o->is_ipv6 && l4_bytes > 0xffffu)
		return false;
	/* Source and destination are adjacent in both headers; IPv6's upper-layer
	 * length is 32 bits, so its high half is added too (0 for IPv4). */
	uint32_t sum = o->is_ipv6 ? csum_partial(ip + IPV6_ADDRS_OFF, 32, 0) : csum_partial(ip + IPV4_ADDRS_OFF, 8, 0);
	sum += (is_tcp ? IPPROTO_TCP_ : IPPROTO_UDP_) + (l4_bytes >> 16) + (l4_bytes & 0xffffu);
	uint8_t *field = l4 + (is_tcp ? TCP_CSUM_OFF : UDP_CSUM_OFF);
	parse_put_be16(field, 0);
	uint16_t c = csum_finish(csum_partial(l4, l4_bytes, sum));
	if (!is_tcp && c == 0)
		c = 0xffffu;   /* RFC 768: 0 means "no checksum"; -0 is sent instead */
	parse_put_be16(field, c);
	return true;
}

bool tx_offload_from_parse(const struct parse_result *pr, struct tx_offload *o)
{
	if (!pr || !o)
		return false;
	memset(o, 0, sizeof *o);
	if (pr->status != PARSE_OK || (pr->l3 != PARSE_L3_IPV4 && pr->l3 != PARSE_L3_IPV6))
		return false;
	/* Only TCP and UDP: an IPv4 frame with another transport could still have
	 * its header checksum inserted, but a caller can build that context by
	 * hand (l4 NONE); from a parse we promise the whole offload or nothing. */
	if (pr->l4 != PARSE_L4_TCP && pr->l4 != PARSE_L4_UDP)
		return false;
	/* A fragment carries part of the segment the checksum covers; a tunnel's
	 * offsets are the outer header's. */
	if (pr->flags & (PARSE_F_FRAG | PARSE_F_IP_TUNNEL))
		return false;
	/* The pseudo-header we build uses the fixed header's addresses (see the
	 * top of this file): a routing header in transit or a Home Address
	 * option would get a wrong checksum. */
	if (pr->l3 == PARSE_L3_IPV6 && (pr->final_dst_off != 0 || (pr->flags & PARSE_F_IPV6_HOME)))
		return false;
	if (pr->l4_off < pr->l3_off || pr->payload_off < pr->l4_off || pr->payload_off > TSO_HDR_MAX)
		return false;
	o->l2_len = pr->l3_off;
	o->l3_len = (uint16_t)(pr->l4_off - pr->l3_off);
	o->l4_len = (uint16_t)(pr->payload_off - pr->l4_off);
	o->l4 = pr->l4;
	o->is_ipv6 = pr->l3 == PARSE_L3_IPV6;
	if (!ctx_ok(o)) {
		memset(o, 0, sizeof *o);
		return false;
	}
	return true;
}

uint32_t tso_segment_count(const struct tx_offload *o, uint32_t send_len)
{
	if (!o || !ctx_ok(o) || send_len < hdr_bytes(o))
		return 0;
	if (!is_segmenting(o))
		return 1;
	uint32_t payload = send_len - hdr_bytes(o);
	if (payload > TSO_SEND_MAX_PAYLOAD || hdr_bytes(o) > TSO_HDR_MAX)
		return 0;   /* more than a context may describe */
	/* The largest frame (a full mss, or the whole payload if smaller) must
	 * fit the IP length field: IPv4 total length, IPv6 payload length. */
	uint32_t seg_max = payload < o->mss ? payload : o->mss;
	uint32_t ip_len = (uint32_t)o->l3_len + o->l4_len + seg_max - (o->is_ipv6 ? IPV6_HDR_BYTES : 0);
	if (ip_len > 0xffffu)
		return 0;
	if (payload == 0)
		return 1;
	return (payload + o->mss - 1) / o->mss;
}

/* Frame i's headers after the copy: lengths, ID, sequence number, flags. */
static void rewrite_headers(const struct tx_offload *o, uint8_t *out, uint32_t i, uint32_t n, uint32_t seg)
{
	uint8_t *ip = out + o->l2_len;
	uint8_t *tcp = ip + o->l3_len;
	if (o->is_ipv6) {
		/* Extension headers count in the payload length (RFC 8200 §3). */
		parse_put_be16(ip + IPV6_PLEN_OFF, (uint16_t)(o->l3_len - IPV6_HDR_BYTES + o->l4_len + seg));
	} else {
		parse_put_be16(ip + IPV4_TOTLEN_OFF, (uint16_t)(o->l3_len + o->l4_len + seg));
		parse_put_be16(ip + IPV4_ID_OFF, (uint16_t)(parse_be16(ip + IPV4_ID_OFF) + i));   /* mod 2^16 */
	}
	parse_put_be32(tcp + TCP_SEQ_OFF, parse_be32(tcp + TCP_SEQ_OFF) + i * o->mss);   /* mod 2^32 */
	/* The send's FIN and PSH belong to its last byte, so only the last frame
	 * carries them; CWR marks the first data after a window cut, so only the
	 * first frame (82599 DTXTCPFLGL/H defaults; Linux tcp_gso_segment). */
	uint8_t flags = tcp[TCP_FLAGS_OFF];
	if (i + 1 < n)
		flags &= (uint8_t)~(TCP_FLAG_FIN | TCP_FLAG_PSH);
	if (i > 0)
		flags &= (uint8_t)~TCP_FLAG_CWR;
	tcp[TCP_FLAGS_OFF] = flags;
}

uint32_t tso_segment(const struct tx_offload *o, const uint8_t *send, uint32_t send_len, uint32_t i, uint8_t *out,
		     uint32_t out_cap)
{
	if (!o || !send || !out)
		return 0;
	uint32_t n = tso_segment_count(o, send_len);
	if (i >= n)
		return 0;   /* also n == 0: a context or send that does not fit */
	if (!is_segmenting(o)) {
		if (out_cap < send_len)
			return 0;
		memcpy(out, send, send_len);
		tx_csum_insert(o, out, send_len);
		return send_len;
	}
	uint32_t hdr = hdr_bytes(o);
	uint32_t payload = send_len - hdr;
	uint32_t off = i * o->mss;   /* < payload <= 64 KiB: no overflow */
	uint32_t seg = payload - off < o->mss ? payload - off : o->mss;
	if (out_cap < hdr + seg)
		return 0;
	memcpy(out, send, hdr);
	memcpy(out + hdr, send + hdr + off, seg);
	rewrite_headers(o, out, i, n, seg);
	if (o->do_ip_csum && !o->is_ipv6)
		insert_ip_csum(o, out);
	if (o->do_l4_csum)
		(void)insert_l4_csum(o, out, o->l4_len + seg);   /* fits: tso_segment_count checked the IP length */
	return hdr + seg;
}

void tx_csum_insert(const struct tx_offload *o, uint8_t *frame, uint32_t len)
{
	if (!o || !frame || !ctx_ok(o) || len < hdr_bytes(o))
		return;
	/* The L4 length is the frame's, as the 82599 sums to the end of the
	 * packet: the host's frame carries no Ethernet padding (the MAC pads). */
	if (o->do_l4_csum && is_tcp_or_udp(o))
		(void)insert_l4_csum(o, frame, len - o->l2_len - o->l3_len);
	if (o->do_ip_csum && !o->is_ipv6)
		insert_ip_csum(o, frame);
}

bool tx_csum_is_partial(const uint8_t *frame, uint32_t cap_len, const struct parse_result *pr)
{
	if (!frame || !pr || (pr->l4 != PARSE_L4_TCP && pr->l4 != PARSE_L4_UDP))
		return false;
	/* The receive plan has every rule for "can the whole segment be summed"
	 * (parsed, not a fragment or tunnel, captured whole) and the
	 * pseudo-header sum for the segment's length from the IP headers. */
	struct csum_rx_plan pl = csum_rx_plan(frame, cap_len, pr);
	if (!pl.l4.is_summed)
		return false;
	uint32_t field_off = pl.l4.off + (pr->l4 == PARSE_L4_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF);
	if (field_off + 2 > pl.l4.off + pl.l4.len)
		return false;   /* the plan's range always covers the header; stay sure */
	uint16_t field = parse_be16(frame + field_off);
	/* Linux CHECKSUM_PARTIAL preloads ~csum_tcpudp_magic(), which is the
	 * folded pseudo-header sum. A frame whose sum verifies is finished even
	 * if its field happens to hold that value. */
	return field == csum_fold(pl.l4.init) && csum_range_sum(frame, &pl.l4) != 0xffffu;
}
