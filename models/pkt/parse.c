/*
 * models/pkt/parse.c — the receive parser: link header, VLAN tags, IPv4/IPv6
 * (options, fragments, extension headers), TCP/UDP ports.
 *
 * Models what a NIC's header parser extracts for checksum, RSS and TOE
 * decisions. It leaves out: reassembly (a non-first fragment has no L4),
 * tunnels other than IP-in-IP (GRE, VXLAN, ... end as l4 OTHER), IPsec (AH is
 * skipped by length, ESP stops the chain), MPLS and LLC/SNAP (non-IP).
 *
 * Invariant: every read is inside [frame, frame + caplen). Each layer checks
 * the bytes it needs against caplen before touching them; there is no loop
 * over payload bytes, only over headers (VLAN tags <= PARSE_VLAN_MAX,
 * extension headers <= PARSE_EXT_MAX, option TLVs inside a captured header).
 * Offsets fit the result's 16 bits: at most 16 extension headers of at most
 * 2048 bytes each, plus fixed headers, stay below 64 KiB.
 *
 * PARSE_F_HAS_PORTS means the 4 port bytes lie inside both the capture and
 * the datagram the IP header describes, even when the rest of the TCP/UDP
 * header is cut (TRUNC_L4) or bogus (BAD_L4): that is when tshark reports
 * ports, and the flow counts (traces/flows.c) follow tshark.
 *
 * Cost: ~8-12 ns per frame on the shared captures (one core of an AMD EPYC,
 * -O2), measured with a throwaway loop over frames held in memory.
 *
 * References: IEEE 802.1Q §9.6 (tag format; 0x88a8 S-tag; 0x9100 is the
 * pre-standard QinQ TPID many switches still send); RFC 791 §3.1 (IPv4
 * header, fragment fields); RFC 8200 §4 (extension header order and formats,
 * §4.5 fragment header), RFC 2675 §2 (Jumbo Payload option); RFC 4302 §2.2
 * (AH payload length in 32-bit words minus 2); RFC 6275 §6.1 (Mobility
 * header), §6.3 (Home Address option 0xC9), §6.4 (type-2 routing header);
 * RFC 9293 §3.1 (TCP data offset); RFC 768 (UDP length); Linux cooked
 * headers: tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html and
 * LINKTYPE_LINUX_SLL2.html.
 */
#include "models/pkt/parse.h"

#include <string.h>

/* Extension headers (IPv6) and IP-in-IP levels followed before giving up with
 * PARSE_BAD_EXT. RFC 8200 §4.1 lists at most ~8 in a sane packet; 16 leaves
 * room for odd but legal chains while bounding a crafted loop. */
#define PARSE_EXT_MAX 16

/* IP-in-IP nesting followed for ports (one level: outer + inner). Deeper
 * nesting ends as l4 OTHER. */
#define PARSE_TUNNEL_MAX 1

#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_VLAN 0x8100u  /* 802.1Q C-tag */
#define ETHERTYPE_QINQ 0x88a8u  /* 802.1ad S-tag */
#define ETHERTYPE_QINQ_OLD 0x9100u

#define ETH_HDR_BYTES 14u
#define VLAN_TAG_BYTES 4u
#define SLL_HDR_BYTES 16u
#define SLL2_HDR_BYTES 20u
#define IPV6_FRAG_HDR_BYTES 8u

/* Linux packet types (linux/if_packet.h), as SLL/SLL2 carry them. */
#define SLL_PKTTYPE_HOST 0u
#define SLL_PKTTYPE_BROADCAST 1u
#define SLL_PKTTYPE_MULTICAST 2u
#define SLL_PKTTYPE_OUTGOING 4u

#define IPPROTO_HOPOPTS_ 0u
#define IPPROTO_ICMP_ 1u
#define IPPROTO_IPIP_ 4u
#define IPPROTO_IPV6_ 41u
#define IPPROTO_ROUTING_ 43u
#define IPPROTO_FRAGMENT_ 44u
#define IPPROTO_ESP_ 50u
#define IPPROTO_AH_ 51u
#define IPPROTO_NONE_ 59u
#define IPPROTO_DSTOPTS_ 60u
#define IPPROTO_MH_ 135u

#define IPV6_OPT_PAD1 0x00u
#define IPV6_OPT_JUMBO 0xc2u     /* RFC 2675 §2: length 4 */
#define IPV6_OPT_HOME_ADDR 0xc9u /* RFC 6275 §6.3: length 16 */

static inline uint32_t rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* State shared by the layers of one parse. */
struct parse_ctx {
	const uint8_t *f;
	uint32_t caplen;
	uint32_t wire_len;
	unsigned ext_count;   /* extension headers + tunnel levels so far (PARSE_EXT_MAX) */
	unsigned tunnel_depth;
	struct parse_result *r;
};

static enum parse_status parse_ipv4(struct parse_ctx *c, uint32_t o);
/* The final destination of a routing header still in transit, for the
 * pseudo-header of RFC 8200 §8.1 ("If the IPv6 packet contains a Routing
 * header, the Destination Address used in the pseudo-header is that of the
 * final destination"): the offset of that address in the frame, or
 * PARSE_FINAL_DST_UNKNOWN. Type 0 (RFC 2460 §4.4, deprecated but seen in
 * captures): the last address; type 2 (RFC 6275 §6.4): its one address, the
 * home address; type 4 (SRH, RFC 8754 §2): Segment List[0], the last segment.
 * The header (8 bytes + 16 per address) is inside the capture (the caller
 * checked its length). */
static uint16_t routing_final_dst(const uint8_t *f, uint32_t p)
{
	uint8_t type = f[p + 2];
	uint32_t addrs = f[p + 1] / 2u;   /* 16-byte addresses after the first 8 bytes */
	if (addrs == 0)
		return PARSE_FINAL_DST_UNKNOWN;
	if (type == 0)
		return (uint16_t)(p + 8 + 16 * (addrs - 1));
	if (type == 2 || type == 4)
		return (uint16_t)(p + 8);
	return PARSE_FINAL_DST_UNKNOWN;
}

static enum parse_status parse_ipv6(struct parse_ctx *c, uint32_t o);

static enum parse_status done(struct parse_result *r, enum parse_status s)
{
	r->status = (uint8_t)s;
	return s;
}

/* The transport header at p; end = offset one past the IP payload as the IP
 * header claims it (may lie beyond the capture). */
static enum parse_status parse_l4(struct parse_ctx *c, uint32_t p, uint32_t end, bool is_ipv6)
{
	struct parse_result *r = c->r;
	const uint8_t *f = c->f;
	uint8_t proto = r->ip_proto;

	r->l4_off = (uint16_t)p;
	if (proto == IPPROTO_TCP_ || proto == IPPROTO_UDP_) {
		r->l4 = proto == IPPROTO_TCP_ ? PARSE_L4_TCP : PARSE_L4_UDP;
		/* Ports count as present once their 4 bytes are inside both the
		 * capture and the datagram the IP header describes, whatever
		 * follows: Wireshark's TCP and UDP dissectors read and add the
		 * ports first and only then check the data offset / length, on a
		 * buffer cut to the IP length. A flow counter keyed like the
		 * tshark references needs exactly that. */
		if (p + 4 > end)
			return done(r, PARSE_BAD_L4);
		if (p + 4 > c->caplen)
			return done(r, PARSE_TRUNC_L4);
		r->sport = parse_be16(f + p);
		r->dport = parse_be16(f + p + 2);
		r->flags |= PARSE_F_HAS_PORTS;
	}
	if (proto == IPPROTO_TCP_) {
		if (p + TCP_HDR_MIN_BYTES > c->caplen)
			return done(r, PARSE_TRUNC_L4);
		uint32_t hdr_bytes = (uint32_t)(f[p + 12] >> 4) * 4u;
		r->tcp_flags = f[p + 13];
		if (hdr_bytes < TCP_HDR_MIN_BYTES || p + hdr_bytes > end)
			return done(r, PARSE_BAD_L4);
		if (hdr_bytes > TCP_HDR_MIN_BYTES)
			r->flags |= PARSE_F_TCP_OPTIONS;
		if (p + hdr_bytes > c->caplen)
			return done(r, PARSE_TRUNC_L4);
		r->payload_off = (uint16_t)(p + hdr_bytes);
		r->payload_len = end - (p + hdr_bytes);
		return done(r, PARSE_OK);
	}
	if (proto == IPPROTO_UDP_) {
		if (p + UDP_HDR_BYTES > c->caplen)
			return done(r, PARSE_TRUNC_L4);
		uint32_t udp_bytes = parse_be16(f + p + 4);
		/* RFC 2675 §4: a UDP datagram in an IPv6 jumbogram carries length
		 * 0; its length is the IP payload's. */
		if (udp_bytes == 0 && is_ipv6 && end - p > 0xffffu)
			udp_bytes = end - p;
		if (udp_bytes < UDP_HDR_BYTES)
			return done(r, PARSE_BAD_L4);
		r->payload_off = (uint16_t)(p + UDP_HDR_BYTES);
		r->payload_len = udp_bytes - UDP_HDR_BYTES;
		return done(r, PARSE_OK);
	}
	if ((proto == IPPROTO_IPIP_ || proto == IPPROTO_IPV6_) && c->tunnel_depth < PARSE_TUNNEL_MAX) {
		/* IP-in-IP (RFC 2003 / RFC 4213): the outer addresses stay (as
		 * tshark's first occurrence of ip.src), the ports come from the
		 * inner transport header. The inner header sets ip_proto,
		 * fragment flags, l4 and ports; it leaves l3, l3_off and the
		 * addresses alone (tunnel_depth > 0) and l3_len is restored. */
		uint32_t l3_len = r->l3_len;
		r->flags |= PARSE_F_IP_TUNNEL;
		r->inner_l3_off = (uint16_t)p;
		r->inner_l3 = proto == IPPROTO_IPIP_ ? PARSE_L3_IPV4 : PARSE_L3_IPV6;
		c->tunnel_depth++;
		if (++c->ext_count > PARSE_EXT_MAX)
			return done(r, PARSE_BAD_EXT);
		enum parse_status s = proto == IPPROTO_IPIP_ ? parse_ipv4(c, p) : parse_ipv6(c, p);
		r->l3_len = l3_len;
		return s;
	}
	/* ICMP, ICMPv6, GRE, SCTP, ...: found, not looked into. */
	r->l4 = PARSE_L4_OTHER;
	r->payload_off = (uint16_t)p;
	r->payload_len = end > p ? end - p : 0;
	return done(r, PARSE_OK);
}

static enum parse_status parse_ipv4(struct parse_ctx *c, uint32_t o)
{
	struct parse_result *r = c->r;
	const uint8_t *f = c->f;

	if (c->tunnel_depth == 0) {
		r->l3 = PARSE_L3_IPV4;
		r->l3_off = (uint16_t)o;
	}
	if (o + IPV4_HDR_MIN_BYTES > c->caplen)
		return done(r, PARSE_TRUNC_L3);
	const uint8_t *ip = f + o;
	uint32_t hdr_bytes = (uint32_t)(ip[0] & 0x0f) * 4u;
	if ((ip[0] >> 4) != 4 || hdr_bytes < IPV4_HDR_MIN_BYTES)
		return done(r, PARSE_BAD_L3);
	uint32_t total_bytes = parse_be16(ip + 2);
	if (total_bytes == 0) {
		/* Total length 0 is what a capture of a TSO/GRO super-frame
		 * holds when the datagram exceeds 65535 or the stack left the
		 * field for the NIC to fill. Wireshark's IPv4 dissector
		 * (packet-ip.c, preference ip.tso_support, on by default) then
		 * takes the length the frame reports (wire length minus the link
		 * header); do the same so such frames count as tshark counts
		 * them. Any frame qualifies, not only long ones: that is
		 * Wireshark's rule too. */
		total_bytes = c->wire_len > o ? c->wire_len - o : 0;
	}
	if (total_bytes < hdr_bytes)
		return done(r, PARSE_BAD_L3);
	r->l3_len = total_bytes;
	if (c->tunnel_depth == 0) {
		memcpy(r->src, ip + 12, 4);
		memcpy(r->dst, ip + 16, 4);
	}
	r->ip_proto = ip[9];
	if (hdr_bytes > IPV4_HDR_MIN_BYTES) {
		r->flags |= PARSE_F_IP_OPTIONS;
		if (o + hdr_bytes > c->caplen)
			return done(r, PARSE_TRUNC_EXT);
	}
	/* RFC 791 §3.1: flags (bit 2 = MF) and the 13-bit offset in 8-byte
	 * units. Only offset 0 carries the transport header. */
	uint16_t frag = parse_be16(ip + 6);
	if (frag & 0x3fffu) {
		r->flags |= PARSE_F_FRAG;
		if (frag & 0x1fffu) {
			r->l4 = PARSE_L4_NONE;
			return done(r, PARSE_OK);
		}
		r->flags |= PARSE_F_FRAG_FIRST;
	}
	return parse_l4(c, o + hdr_bytes, o + total_bytes, false);
}

/* Find option `type` (with data length opt_bytes) in the TLV options of the
 * hop-by-hop or destination-options header at p whose length is hdr_bytes
 * (RFC 8200 §4.2). Only captured bytes are looked at; the walk is bounded by
 * the header length (at most 2048 bytes) and every step advances. Returns
 * the offset of the option's data, or 0. */
static uint32_t find_ipv6_option(const struct parse_ctx *c, uint32_t p, uint32_t hdr_bytes,
				 uint8_t type, uint32_t opt_bytes)
{
	const uint8_t *f = c->f;
	uint32_t q = p + 2, end = p + hdr_bytes;
	if (end > c->caplen)
		end = c->caplen;
	while (q + 2 <= end) {
		if (f[q] == IPV6_OPT_PAD1) {
			q++;
			continue;
		}
		uint32_t len = f[q + 1];
		if (q + 2 + len > end)
			return 0;
		if (f[q] == type)
			return len == opt_bytes ? q + 2 : 0;
		q += 2 + len;
	}
	return 0;
}

/* The Jumbo Payload length from the hop-by-hop header at p, or 0. */
static uint32_t ipv6_jumbo_bytes(const struct parse_ctx *c, uint32_t p)
{
	if (p + 2 > c->caplen)
		return 0;
	uint32_t q = find_ipv6_option(c, p, ((uint32_t)c->f[p + 1] + 1u) * 8u, IPV6_OPT_JUMBO, 4);
	uint32_t jumbo_bytes = q ? rd32(c->f + q) : 0;
	return jumbo_bytes > 0xffffu ? jumbo_bytes : 0;
}

/* RFC 6275 §6.3: the Home Address option in a destination-options header
 * (already inside the capture) gives RSS IPv6_EX its source address. */
static void scan_home_address(struct parse_ctx *c, uint32_t p, uint32_t hdr_bytes)
{
	if (c->tunnel_depth != 0)
		return;
	uint32_t q = find_ipv6_option(c, p, hdr_bytes, IPV6_OPT_HOME_ADDR, 16);
	if (q) {
		c->r->flags |= PARSE_F_IPV6_HOME;
		c->r->home_addr_off = (uint16_t)q;
	}
}

static enum parse_status parse_ipv6(struct parse_ctx *c, uint32_t o)
{
	struct parse_result *r = c->r;
	const uint8_t *f = c->f;

	if (c->tunnel_depth == 0) {
		r->l3 = PARSE_L3_IPV6;
		r->l3_off = (uint16_t)o;
	}
	if (o + IPV6_HDR_BYTES > c->caplen)
		return done(r, PARSE_TRUNC_L3);
	const uint8_t *ip = f + o;
	if ((ip[0] >> 4) != 6)
		return done(r, PARSE_BAD_L3);
	uint32_t payload_bytes = parse_be16(ip + 4);
	uint8_t nh = ip[6];
	if (payload_bytes == 0 && nh == IPPROTO_HOPOPTS_) {
		/* RFC 2675 §2: a jumbogram has payload length 0 and its length in
		 * the Jumbo Payload option of a hop-by-hop header that must come
		 * first; only values above 65535 are valid (as Wireshark's
		 * ipv6_get_jumbo_plen). edge/bigtcp-ipv6-hbh.pcap is one: 80 KB,
		 * counted by tshark as one packet of 80094 bytes. */
		payload_bytes = ipv6_jumbo_bytes(c, o + IPV6_HDR_BYTES);
		/* A jumbo length near 4 GiB would wrap the end offset. */
		if (payload_bytes > UINT32_MAX - o - IPV6_HDR_BYTES)
			return done(r, PARSE_BAD_EXT);
	}
	/* Payload length 0 otherwise means an empty payload: unlike IPv4
	 * (parse_ipv4, total length 0), no "assume TSO" here. That is Wireshark's
	 * default (its ipv6 tso_support preference is off, so tshark sees no
	 * TCP in such a frame) and Linux's (ipv6_rcv trims the packet to the
	 * stated length). */
	r->l3_len = IPV6_HDR_BYTES + payload_bytes;
	if (c->tunnel_depth == 0) {
		memcpy(r->src, ip + 8, 16);
		memcpy(r->dst, ip + 24, 16);
	}
	uint32_t end = o + IPV6_HDR_BYTES + payload_bytes;
	uint32_t p = o + IPV6_HDR_BYTES;

	for (;;) {
		r->ip_proto = nh;
		switch (nh) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_DSTOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_AH_:
		case IPPROTO_FRAGMENT_:
			break;
		case IPPROTO_NONE_:
			r->l4 = PARSE_L4_NONE;
			return done(r, PARSE_OK);
		case IPPROTO_ESP_:
		case IPPROTO_MH_:
			/* ESP: the rest is encrypted. Mobility header (RFC 6275
			 * §6.1.1): its payload proto must be 59, nothing follows
			 * that a NIC could hash. */
			r->l4 = PARSE_L4_OTHER;
			r->l4_off = (uint16_t)p;
			return done(r, PARSE_OK);
		default:
			return parse_l4(c, p, end, true);
		}
		if (++c->ext_count > PARSE_EXT_MAX)
			return done(r, PARSE_BAD_EXT);
		r->flags |= PARSE_F_IPV6_EXT;
		if (p + 2 > end)
			return done(r, PARSE_BAD_EXT);
		if (p + 2 > c->caplen)
			return done(r, PARSE_TRUNC_EXT);
		uint32_t ext_bytes;
		if (nh == IPPROTO_FRAGMENT_)
			ext_bytes = IPV6_FRAG_HDR_BYTES;
		else if (nh == IPPROTO_AH_)
			ext_bytes = ((uint32_t)f[p + 1] + 2u) * 4u; /* RFC 4302 §2.2 */
		else
			ext_bytes = ((uint32_t)f[p + 1] + 1u) * 8u; /* RFC 8200 §4.3 */
		if (p + ext_bytes > end)
			return done(r, PARSE_BAD_EXT);
		if (p + ext_bytes > c->caplen)
			return done(r, PARSE_TRUNC_EXT);

		if (nh == IPPROTO_DSTOPTS_) {
			scan_home_address(c, p, ext_bytes);
		} else if (nh == IPPROTO_ROUTING_) {
			/* RFC 6275 §6.4: type 2, one address, length field 2. */
			if (ext_bytes >= 24 && f[p + 2] == 2 && c->tunnel_depth == 0) {
				r->flags |= PARSE_F_IPV6_RT2;
				r->rt2_addr_off = (uint16_t)(p + 8);
			}
			if (f[p + 3] > 0 && c->tunnel_depth == 0)   /* Segments Left > 0: in transit */
				r->final_dst_off = routing_final_dst(f, p);
		} else if (nh == IPPROTO_FRAGMENT_) {
			/* RFC 8200 §4.5: offset in 8-byte units in the top 13
			 * bits, M flag in bit 0. */
			uint16_t off_m = parse_be16(f + p + 2);
			r->flags |= PARSE_F_FRAG;
			if (off_m & 0xfff8u) {
				r->ip_proto = f[p];
				r->l4 = PARSE_L4_NONE;
				return done(r, PARSE_OK);
			}
			r->flags |= PARSE_F_FRAG_FIRST;
		}
		nh = f[p];
		p += ext_bytes;
	}
}

static bool is_vlan_tpid(uint16_t t)
{
	return t == ETHERTYPE_VLAN || t == ETHERTYPE_QINQ || t == ETHERTYPE_QINQ_OLD;
}

/* The commonest frame, Ethernet + IPv4 without options or fragmentation +
 * TCP or UDP, all headers captured and their lengths consistent, parsed
 * straight into a local result; every other frame (and any doubt) goes to
 * the general path, which gives this one the same result (test_parse holds
 * the two to each other on every frame of the reference captures and on
 * mutations of them). The wire length matters only to an IPv4 total length
 * of 0, which takes the general path. Returns false when the frame is not of
 * that kind. */
static bool parse_common(const uint8_t *f, uint32_t caplen, struct parse_result *out)
{
	enum { L3 = ETH_HDR_BYTES, L4 = ETH_HDR_BYTES + IPV4_HDR_MIN_BYTES };
	if (caplen < L4 + UDP_HDR_BYTES || f[12] != 0x08 || f[13] != 0x00 || f[L3] != 0x45)
		return false;
	const uint8_t *ip = f + L3;
	uint32_t total = parse_be16(ip + 2);
	uint8_t proto = ip[9];
	if (total < IPV4_HDR_MIN_BYTES || (parse_be16(ip + 6) & 0x3fffu) || (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_))
		return false;
	uint32_t end = L3 + total;   /* one past the datagram, as the IP header claims */
	struct parse_result r = { .l3 = PARSE_L3_IPV4, .ip_proto = proto, .ethertype = ETHERTYPE_IPV4, .l3_off = L3,
				  .l4_off = L4, .l3_len = total };
	if (f[0] & 1u)
		r.flags |= PARSE_F_L2_BCAST;
	memcpy(r.src, ip + 12, 4);
	memcpy(r.dst, ip + 16, 4);
	const uint8_t *l4 = f + L4;
	if (proto == IPPROTO_TCP_) {
		if (caplen < L4 + TCP_HDR_MIN_BYTES)
			return false;
		uint32_t hdr = (uint32_t)(l4[12] >> 4) * 4u;
		if (hdr < TCP_HDR_MIN_BYTES || L4 + hdr > end || L4 + hdr > caplen)
			return false;
		r.l4 = PARSE_L4_TCP;
		r.tcp_flags = l4[13];
		if (hdr > TCP_HDR_MIN_BYTES)
			r.flags |= PARSE_F_TCP_OPTIONS;
		r.payload_off = (uint16_t)(L4 + hdr);
		r.payload_len = end - (L4 + hdr);
	} else {
		uint32_t udp_bytes = parse_be16(l4 + 4);
		if (L4 + 4 > end || udp_bytes < UDP_HDR_BYTES)
			return false;
		r.l4 = PARSE_L4_UDP;
		r.payload_off = L4 + UDP_HDR_BYTES;
		r.payload_len = udp_bytes - UDP_HDR_BYTES;
	}
	r.sport = parse_be16(l4);
	r.dport = parse_be16(l4 + 2);
	r.flags |= PARSE_F_HAS_PORTS;
	r.status = PARSE_OK;
	*out = r;
	return true;
}

enum parse_status parse_frame(const uint8_t *frame, uint32_t caplen, uint32_t wire_len,
			      enum parse_link link, struct parse_result *out)
{
	if (link == PARSE_LINK_ETH && parse_common(frame, caplen, out))
		return PARSE_OK;
	return parse_frame_general(frame, caplen, wire_len, link, out);
}

enum parse_status parse_frame_general(const uint8_t *frame, uint32_t caplen, uint32_t wire_len,
				      enum parse_link link, struct parse_result *out)
{
	memset(out, 0, sizeof *out);
	struct parse_ctx c = {
		.f = frame,
		.caplen = caplen,
		.wire_len = wire_len > caplen ? wire_len : caplen,
		.r = out,
	};
	uint32_t o;
	uint16_t ethertype;

	switch (link) {
	case PARSE_LINK_ETH:
		if (caplen < ETH_HDR_BYTES)
			return done(out, PARSE_TRUNC_L2);
		if (frame[0] & 1u) /* I/G bit: group address (broadcast too) */
			out->flags |= PARSE_F_L2_BCAST;
		ethertype = parse_be16(frame + 12);
		o = ETH_HDR_BYTES;
		break;
	case PARSE_LINK_SLL:
	case PARSE_LINK_SLL2: {
		uint32_t hdr = link == PARSE_LINK_SLL ? SLL_HDR_BYTES : SLL2_HDR_BYTES;
		if (caplen < hdr)
			return done(out, PARSE_TRUNC_L2);
		unsigned pkttype = link == PARSE_LINK_SLL ? parse_be16(frame) : frame[10];
		ethertype = link == PARSE_LINK_SLL ? parse_be16(frame + 14) : parse_be16(frame);
		if (pkttype == SLL_PKTTYPE_OUTGOING)
			out->flags |= PARSE_F_SLL_OUTGOING;
		else if (pkttype == SLL_PKTTYPE_HOST)
			out->flags |= PARSE_F_SLL_HOST;
		else if (pkttype == SLL_PKTTYPE_BROADCAST || pkttype == SLL_PKTTYPE_MULTICAST)
			out->flags |= PARSE_F_L2_BCAST;
		o = hdr;
		break;
	}
	case PARSE_LINK_RAW:
		if (caplen < 1)
			return done(out, PARSE_TRUNC_L3);
		if ((frame[0] >> 4) == 4)
			return parse_ipv4(&c, 0);
		if ((frame[0] >> 4) == 6)
			return parse_ipv6(&c, 0);
		return done(out, PARSE_BAD_L3);
	case PARSE_LINK_IPV4:
		return parse_ipv4(&c, 0);
	case PARSE_LINK_IPV6:
		return parse_ipv6(&c, 0);
	default:
		return done(out, PARSE_OK);
	}

	/* 802.1Q / 802.1ad tags, outermost first. Beyond PARSE_VLAN_MAX the
	 * frame is left as non-IP (ethertype = the next TPID), as a hardware
	 * parser with a fixed tag budget would. */
	while (is_vlan_tpid(ethertype) && out->vlan_count < PARSE_VLAN_MAX) {
		if (o + VLAN_TAG_BYTES > caplen) {
			out->ethertype = ethertype;
			return done(out, PARSE_TRUNC_L2);
		}
		if (out->vlan_count == 0)
			out->vlan_id = parse_be16(frame + o) & 0x0fffu;
		out->vlan_count++;
		ethertype = parse_be16(frame + o + 2);
		o += VLAN_TAG_BYTES;
	}
	out->ethertype = ethertype;
	if (ethertype == ETHERTYPE_IPV4)
		return parse_ipv4(&c, o);
	if (ethertype == ETHERTYPE_IPV6)
		return parse_ipv6(&c, o);
	return done(out, PARSE_OK); /* ARP, LLDP, 802.3 length field, ...: not IP */
}

const char *parse_status_name(enum parse_status s)
{
	static const char *const names[PARSE_STATUS_COUNT] = {
		[PARSE_OK] = "ok",
		[PARSE_TRUNC_L2] = "trunc_l2",
		[PARSE_TRUNC_L3] = "trunc_l3",
		[PARSE_BAD_L3] = "bad_l3",
		[PARSE_TRUNC_EXT] = "trunc_ext",
		[PARSE_BAD_EXT] = "bad_ext",
		[PARSE_TRUNC_L4] = "trunc_l4",
		[PARSE_BAD_L4] = "bad_l4",
	};
	return (unsigned)s < PARSE_STATUS_COUNT ? names[s] : "unknown";
}

void parse_stats_add(struct parse_stats *st, const struct parse_result *r)
{
	if (r->status < PARSE_STATUS_COUNT)
		st->by_status[r->status]++;
	if (r->l3 == PARSE_L3_IPV4)
		st->ipv4++;
	else if (r->l3 == PARSE_L3_IPV6)
		st->ipv6++;
	else
		st->non_ip++;
	if (r->l4 == PARSE_L4_TCP)
		st->tcp++;
	else if (r->l4 == PARSE_L4_UDP)
		st->udp++;
	else if (r->l4 == PARSE_L4_OTHER)
		st->other_l4++;
	if (r->vlan_count)
		st->vlan_tagged++;
	if (r->flags & PARSE_F_FRAG)
		st->fragments++;
}

const struct stat_def parse_kind_stat_defs[] = {
	STAT_DEF(struct parse_stats, ipv4, "ipv4", "frames", "IPv4 frames."),
	STAT_DEF(struct parse_stats, ipv6, "ipv6", "frames", "IPv6 frames."),
	STAT_DEF(struct parse_stats, tcp, "tcp", "frames", "TCP segments."),
	STAT_DEF(struct parse_stats, udp, "udp", "frames", "UDP datagrams."),
	STAT_DEF(struct parse_stats, other_l4, "other_l4", "frames", "IP frames of another transport (ICMP, GRE, ...)."),
	STAT_DEF(struct parse_stats, non_ip, "non_ip", "frames", "Frames that are not IP (ARP, LLDP, ...)."),
	STAT_DEF(struct parse_stats, vlan_tagged, "vlan_tagged", "frames", "Frames with at least one VLAN tag."),
	STAT_DEF(struct parse_stats, fragments, "fragments", "frames", "IP fragments (first ones included)."),
	{ NULL },
};

void tcp_opts_parse(const uint8_t *tcp, uint32_t doff, struct tcp_opts *o)
{
	memset(o, 0, sizeof *o);
	for (uint32_t i = TCP_HDR_MIN_BYTES; i < doff;) {
		uint8_t kind = tcp[i];
		if (kind == 0)   /* EOL */
			break;
		if (kind == 1) { /* NOP */
			i++;
			continue;
		}
		if (i + 1 >= doff || tcp[i + 1] < 2 || i + tcp[i + 1] > doff)
			break;
		uint8_t len = tcp[i + 1];
		switch (kind) {
		case 2:
			if (len == 4) {
				o->has_mss = true;
				o->mss = parse_be16(tcp + i + 2);
			}
			break;
		case 3:
			if (len == 3) {
				o->has_ws = true;
				o->ws = tcp[i + 2] > 14 ? 14 : tcp[i + 2];
			}
			break;
		case 4: o->has_sack_perm = true; break;
		case 5: break;
		case 8:
			if (len == 10) {
				o->has_ts = true;
				o->tsval = parse_be32(tcp + i + 2);
				o->tsecr = parse_be32(tcp + i + 6);
			}
			break;
		default: o->is_unsupported = true; break;
		}
		i += len;
	}
}

uint32_t parse_tuple_hash(bool is_ipv6, const uint8_t *local, const uint8_t *remote, uint16_t lport, uint16_t rport)
{
	uint32_t h = 2166136261u;
	size_t n = is_ipv6 ? 16 : 4;
	for (size_t i = 0; i < n; i++)
		h = (h ^ local[i]) * 16777619u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ remote[i]) * 16777619u;
	h = (h ^ lport) * 16777619u;
	return (h ^ rport) * 16777619u;
}
