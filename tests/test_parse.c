/*
 * tests/test_parse.c — the receive parser (models/pkt/parse.c).
 *
 * Every frame here is written out byte by byte with its layout in comments;
 * the expected offsets, ports and lengths are worked out by hand from those
 * layouts (RFC 791, RFC 8200, RFC 6275, RFC 9293, RFC 768, the SLL/SLL2 link
 * type pages), not computed by the parser. The truncation sweep cuts every
 * frame at every length and expects the status the hand-written layer
 * boundaries imply; each cut frame lives in a buffer of exactly that size, so
 * under -DNICSIM_SANITIZE=ON any read past caplen is an ASan error. Random
 * and mutated frames (fixed seed) check the same bounds on garbage.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "models/pkt/parse.h"
#include "traces/reader.h"

/* ---- hand-built frames ------------------------------------------------- */

/* Ethernet + IPv4 + TCP with 12 bytes of options + 5 bytes of data: 71 bytes.
 *   [0..13]   Ethernet: dst 02:00:00:00:00:01, src 02:00:00:00:00:02, 0x0800
 *   [14..33]  IPv4: IHL 5, total length 57 = 20 + 32 + 5, DF, TTL 64, TCP,
 *             10.0.0.1 -> 10.0.0.2
 *   [34..65]  TCP: 4660 -> 80, data offset 8 (32 bytes), flags PSH|ACK 0x18
 *   [54..65]  options: MSS 1460 (4), WS 7 (3), NOP (1), SACK-perm (2), NOP NOP
 *   [66..70]  "hello"
 * Expect l3_off 14, l4_off 34, payload_off 66, payload_len 5, l3_len 57. */
static const uint8_t eth_ipv4_tcp_opts[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x39, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	10, 0, 0, 1, 10, 0, 0, 2,
	0x12, 0x34, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x80, 0x18, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x04, 0x05, 0xb4, 0x03, 0x03, 0x07, 0x01, 0x04, 0x02, 0x01, 0x01,
	'h', 'e', 'l', 'l', 'o',
};

/* QinQ: 802.1ad S-tag VLAN 100 over 802.1Q C-tag VLAN 200, IPv4, UDP: 54 bytes.
 *   [0..11]   MACs (dst ff:ff:ff:ff:ff:ff: broadcast)
 *   [12..15]  TPID 0x88a8, TCI 0x0064 (VID 100)
 *   [16..19]  TPID 0x8100, TCI 0x20c8 (PCP 1, VID 200)
 *   [20..21]  ethertype 0x0800
 *   [22..41]  IPv4: total length 32 = 20 + 8 + 4, UDP, 192.168.0.1 -> 192.168.0.255
 *   [42..49]  UDP: 68 -> 67, length 12
 *   [50..53]  data
 * Expect vlan_count 2, vlan_id 100 (outermost), l3_off 22, l4_off 42,
 * payload_off 50, payload_len 4. */
static const uint8_t eth_qinq_ipv4_udp[] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x88, 0xa8, 0x00, 0x64,
	0x81, 0x00, 0x20, 0xc8,
	0x08, 0x00,
	0x45, 0x00, 0x00, 0x20, 0x00, 0x02, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
	192, 168, 0, 1, 192, 168, 0, 255,
	0x00, 0x44, 0x00, 0x43, 0x00, 0x0c, 0x00, 0x00,
	1, 2, 3, 4,
};

/* IPv4 with a 4-byte Router Alert option (RFC 2113: 0x94 0x04 0x00 0x00),
 * then UDP: 50 bytes.
 *   [0..13]   Ethernet
 *   [14..37]  IPv4: IHL 6 (24 bytes), total length 36 = 24 + 8 + 4, UDP,
 *             10.1.1.1 -> 224.0.0.22
 *   [34..37]  the option
 *   [38..45]  UDP: 1000 -> 2000, length 12
 *   [46..49]  data
 * Expect PARSE_F_IP_OPTIONS, l4_off 38, payload_off 46. */
static const uint8_t eth_ipv4_opts_udp[] = {
	0x01, 0x00, 0x5e, 0x00, 0x00, 0x16, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00,
	0x46, 0x00, 0x00, 0x24, 0x00, 0x03, 0x00, 0x00, 0x01, 0x11, 0x00, 0x00,
	10, 1, 1, 1, 224, 0, 0, 22,
	0x94, 0x04, 0x00, 0x00,
	0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0c, 0x00, 0x00,
	9, 9, 9, 9,
};

/* First fragment of a TCP datagram: MF set, offset 0: 62 bytes.
 *   [14..33]  IPv4: total length 48 = 20 + 20 + 8, flags/offset 0x2000 (MF)
 *   [34..53]  TCP: 5555 -> 443, data offset 5, SYN|ACK 0x12
 *   [54..61]  data
 * Expect PARSE_F_FRAG | PARSE_F_FRAG_FIRST, ports, l4_off 34, payload_off 54. */
static const uint8_t eth_ipv4_frag_first_tcp[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x30, 0x00, 0x04, 0x20, 0x00, 0x40, 0x06, 0x00, 0x00,
	10, 0, 0, 1, 10, 0, 0, 2,
	0x15, 0xb3, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x50, 0x12, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	1, 2, 3, 4, 5, 6, 7, 8,
};

/* A later fragment: MF clear, offset 185 units (1480 bytes), flags/offset
 * 0x00b9. Its first bytes look like ports (0x1234, 0x5678) but are data.
 *   [14..33]  IPv4: total length 28 = 20 + 8, TCP
 *   [34..41]  data
 * Expect PARSE_F_FRAG only, l4 NONE, no ports, status OK. */
static const uint8_t eth_ipv4_frag_later[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x08, 0x00,
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x04, 0x00, 0xb9, 0x40, 0x06, 0x00, 0x00,
	10, 0, 0, 1, 10, 0, 0, 2,
	0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0,
};

/* IPv6 with hop-by-hop, destination options (Home Address), type-2 routing
 * header, then TCP: 134 bytes.
 *   [0..13]    Ethernet, 0x86dd
 *   [14..53]   IPv6: payload length 80 = 8 + 24 + 24 + 20 + 4, next 0 (HBH),
 *              2001:db8::1 -> 2001:db8::2
 *   [54..61]   HBH: next 60, len 0 (8 bytes), PadN(4)
 *   [62..85]   DstOpts: next 43, len 2 (24 bytes), PadN(2) at [64..67],
 *              Home Address option type 0xc9 len 16 at [68..69],
 *              address 2001:db8::99 at [70..85]   (RFC 6275 §6.3: 8n+6)
 *   [86..109]  Routing: next 6, len 2 (24 bytes), type 2, segments left 1,
 *              reserved [90..93], address 2001:db8::77 at [94..109]
 *   [110..129] TCP: 443 -> 50000, data offset 5, SYN 0x02
 *   [130..133] data
 * Expect PARSE_F_IPV6_EXT | PARSE_F_IPV6_HOME | PARSE_F_IPV6_RT2 | HAS_PORTS,
 * home_addr_off 70, rt2_addr_off 94, l4_off 110, payload_off 130,
 * l3_len 120, ip_proto 6. */
static const uint8_t eth_ipv6_ext_tcp[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x50, 0x00, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	60, 0, 0x01, 0x04, 0, 0, 0, 0,
	43, 2, 0x01, 0x02, 0, 0, 0xc9, 0x10,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99,
	6, 2, 2, 1, 0, 0, 0, 0,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x77,
	0x01, 0xbb, 0xc3, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
	0xde, 0xad, 0xbe, 0xef,
};

/* IPv6 first fragment carrying UDP: 78 bytes.
 *   [14..53]  IPv6: payload length 24 = 8 + 8 + 8, next 44, fe80::1 -> fe80::2
 *   [54..61]  Fragment: next 17, offset 0, M 1 (0x0001), id 0x12345678
 *   [62..69]  UDP: 5353 -> 53, length 2000 (the whole datagram's)
 *   [70..77]  data
 * Expect FRAG | FRAG_FIRST | IPV6_EXT, ports, l4_off 62, payload_off 70. */
static const uint8_t eth_ipv6_frag_first_udp[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 44, 0x40,
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	17, 0, 0x00, 0x01, 0x12, 0x34, 0x56, 0x78,
	0x14, 0xe9, 0x00, 0x35, 0x07, 0xd0, 0x00, 0x00,
	1, 2, 3, 4, 5, 6, 7, 8,
};

/* The same datagram's later fragment: offset 181 units (1448 bytes) = 0x05a8,
 * M 0. Payload [62..69] looks like a UDP header but is data.
 *   [14..53]  IPv6: payload length 16 = 8 + 8, next 44
 *   [54..61]  Fragment: next 17, 0x05a8, id 0x12345678
 * Expect FRAG (not FRAG_FIRST), l4 NONE, ip_proto 17, no ports. */
static const uint8_t eth_ipv6_frag_later[] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x86, 0xdd,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x10, 44, 0x40,
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	17, 0, 0x05, 0xa8, 0x12, 0x34, 0x56, 0x78,
	0x14, 0xe9, 0x00, 0x35, 0x07, 0xd0, 0x00, 0x00,
};

/* Linux cooked (SLL), sent by the capturing host, IPv4 + TCP: 56 bytes.
 *   [0..1]    packet type 4 (outgoing)   [2..3] ARPHRD 1 (Ethernet)
 *   [4..5]    address length 6           [6..13] address + 2 pad bytes
 *   [14..15]  protocol 0x0800
 *   [16..35]  IPv4: total length 40, TCP, 192.168.1.1 -> 192.168.1.2
 *   [36..55]  TCP: 22 -> 40000, data offset 5, ACK 0x10
 * Expect PARSE_F_SLL_OUTGOING, ethertype 0x0800, l3_off 16, l4_off 36,
 * payload_off 56, payload_len 0. */
static const uint8_t sll_ipv4_tcp[] = {
	0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
	0x08, 0x00,
	0x45, 0x00, 0x00, 0x28, 0x00, 0x05, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
	192, 168, 1, 1, 192, 168, 1, 2,
	0x00, 0x16, 0x9c, 0x40, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0,
};

/* Linux cooked v2 (SLL2), addressed to the capturing host, IPv6 + UDP: 72 bytes.
 *   [0..1]    protocol 0x86dd            [2..3] reserved
 *   [4..7]    interface index 2          [8..9] ARPHRD 1
 *   [10]      packet type 0 (host)       [11] address length 6
 *   [12..19]  address + 2 pad bytes
 *   [20..59]  IPv6: payload length 12 = 8 + 4, next 17, fe80::1 -> fe80::2
 *   [60..67]  UDP: 547 -> 546, length 12
 *   [68..71]  data
 * Expect PARSE_F_SLL_HOST, l3_off 20, l4_off 60, payload_off 68,
 * payload_len 4. */
static const uint8_t sll2_ipv6_udp[] = {
	0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x06,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 17, 0x40,
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	0x02, 0x23, 0x02, 0x22, 0x00, 0x0c, 0x00, 0x00,
	1, 2, 3, 4,
};

/* Raw IPv4 (no link header) + UDP: 28 bytes.
 *   [0..19]   IPv4: total length 28, UDP, 172.16.0.1 -> 172.16.0.2
 *   [20..27]  UDP: 123 -> 123, length 8
 * Expect l3_off 0, l4_off 20, payload_off 28, payload_len 0. */
static const uint8_t raw_ipv4_udp[] = {
	0x45, 0x00, 0x00, 0x1c, 0x00, 0x06, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
	172, 16, 0, 1, 172, 16, 0, 2,
	0x00, 0x7b, 0x00, 0x7b, 0x00, 0x08, 0x00, 0x00,
};

/* Raw IPv6 + TCP: 60 bytes.
 *   [0..39]   IPv6: payload length 20, next 6, ::1 -> ::1
 *   [40..59]  TCP: 80 -> 44730, data offset 5, FIN|ACK 0x11
 * Expect l3_off 0, l4_off 40, payload_off 60. */
static const uint8_t raw_ipv6_tcp[] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 6, 0x40,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x00, 0x50, 0xae, 0xba, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x11, 0xff, 0xff, 0, 0, 0, 0,
};

/* Parse a copy of frame[0..caplen) held in a buffer of exactly caplen bytes,
 * so that ASan flags any read past it. */
static enum parse_status parse_exact(const uint8_t *frame, uint32_t caplen, uint32_t wire_len,
				     enum parse_link link, struct parse_result *r)
{
	uint8_t *copy = malloc(caplen ? caplen : 1);
	assert_non_null(copy);
	if (caplen)
		memcpy(copy, frame, caplen);
	enum parse_status s = parse_frame(copy, caplen, wire_len, link, r);
	free(copy);
	return s;
}

#define PARSE_FULL(frame, link, r) \
	parse_exact((frame), sizeof(frame), sizeof(frame), (link), (r))

static const uint8_t addr6_db8_1[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};
static const uint8_t addr6_db8_2[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x02};

/* ---- one test per layout ----------------------------------------------- */

static void test_parse_eth_ipv4_tcp_with_options_gives_offsets_and_ports(void **state)
{
	(void)state;
	struct parse_result r;
	assert_int_equal(PARSE_FULL(eth_ipv4_tcp_opts, PARSE_LINK_ETH, &r), PARSE_OK);
	assert_int_equal(r.l3, PARSE_L3_IPV4);
	assert_int_equal(r.l4, PARSE_L4_TCP);
	assert_int_equal(r.ip_proto, 6);
	assert_int_equal(r.ethertype, 0x0800);
	assert_int_equal(r.vlan_count, 0);
	assert_int_equal(r.l3_off, 14);
	assert_int_equal(r.l4_off, 34);
	assert_int_equal(r.payload_off, 66);
	assert_int_equal(r.payload_len, 5);
	assert_int_equal(r.l3_len, 57);
	assert_int_equal(r.sport, 4660);
	assert_int_equal(r.dport, 80);
	assert_int_equal(r.tcp_flags, 0x18);
	assert_int_equal(r.flags, PARSE_F_HAS_PORTS | PARSE_F_TCP_OPTIONS);
	static const uint8_t src[4] = {10, 0, 0, 1}, dst[4] = {10, 0, 0, 2};
	assert_memory_equal(r.src, src, 4);
	assert_memory_equal(r.dst, dst, 4);
}

static void test_parse_qinq_tags_are_skipped_and_outer_vid_kept(void **state)
{
	(void)state;
	struct parse_result r;
	assert_int_equal(PARSE_FULL(eth_qinq_ipv4_udp, PARSE_LINK_ETH, &r), PARSE_OK);
	assert_int_equal(r.vlan_count, 2);
	assert_int_equal(r.vlan_id, 100);
	assert_int_equal(r.ethertype, 0x0800);
	assert_int_equal(r.l3_off, 22);
	assert_int_equal(r.l4, PARSE_L4_UDP);
	assert_int_equal(r.l4_off, 42);
	assert_int_equal(r.payload_off, 50);
	assert_int_equal(r.payload_len, 4);
	assert_int_equal(r.sport, 68);
	assert_int_equal(r.dport, 67);
	assert_true(r.flags & PARSE_F_L2_BCAST);

	/* The pre-standard 0x9100 S-tag is a tag too. */
	uint8_t f[sizeof eth_qinq_ipv4_udp];
	memcpy(f, eth_qinq_ipv4_udp, sizeof f);
	f[12] = 0x91;
	f[13] = 0x00;
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_ETH, &r), PARSE_OK);
	assert_int_equal(r.vlan_count, 2);
	assert_int_equal(r.l4_off, 42);
}

static void test_parse_vlan_tags_beyond_max_leave_frame_non_ip(void **state)
{
	(void)state;
	/* PARSE_VLAN_MAX (4) tags and then a fifth: 14 + 5*4 + 20 + 8 bytes.
	 * The parser stops after 4 tags with ethertype = the fifth TPID. */
	uint8_t f[14 + 5 * 4 + 28];
	memset(f, 0, sizeof f);
	f[12] = 0x81;
	f[13] = 0x00;
	for (int i = 0; i < 5; i++) {
		uint8_t *tag = f + 14 + 4 * i;   /* TCI at 14+4i, next type at 16+4i */
		tag[1] = (uint8_t)(i + 1);
		tag[2] = 0x81;
		tag[3] = 0x00;
	}
	f[14 + 4 * 4 + 2] = 0x08; /* after the fifth tag: IPv4 */
	f[14 + 4 * 4 + 3] = 0x00;
	struct parse_result r;
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_ETH, &r), PARSE_OK);
	assert_int_equal(r.vlan_count, PARSE_VLAN_MAX);
	assert_int_equal(r.vlan_id, 1);
	assert_int_equal(r.ethertype, 0x8100);
	assert_int_equal(r.l3, PARSE_L3_NONE);
}

static void test_parse_ipv4_options_are_skipped_and_flagged(void **state)
{
	(void)state;
	struct parse_result r;
	assert_int_equal(PARSE_FULL(eth_ipv4_opts_udp, PARSE_LINK_ETH, &r), PARSE_OK);
	assert_true(r.flags & PARSE_F_IP_OPTIONS);
	assert_int_equal(r.l4_off, 38);
	assert_int_equal(r.payload_off, 46);
	assert_int_equal(r.sport, 1000);
	assert_int_equal(r.dport, 2000);
	assert_true(r.flags & PARSE_F_L2_BCAST); /* 01:00:5e: multicast */
}

static void test_parse_ipv4_first_fragment_has_ports(void **state)
{
	(void)state;
	struct parse_result r;
	assert_int_equal(PARSE_FULL(eth_ipv4_frag_first_tcp, PARSE_LINK_ETH, &r), PARSE_OK);
	assert_int_equal(r.flags & (PARSE_F_FRAG | PARSE_F_FRAG_FIRST | PARSE_F_HAS_PORTS),
			 PARSE_F_FRAG | PARSE_F_FRAG_FIRST | PARSE_F_HAS_PORTS);
	assert_int_equal(r.l4, PARSE_L4_TCP);
	assert_int_equal(r.sport, 5555);
	assert_int_equal(r.dport, 443);
	assert_int_equal(r.tcp_flags, 0x12);
	assert_int_equal(r.payload_off, 54);
	assert_int_equal(r.payload_len, 8);
}

static void test_parse_ipv4_later_fragment_has_no_l4(void **state)
{
	(void)state;
	struct parse_result r;
	assert_int_equal(PARSE_FULL(eth_ipv4_frag_later, PARSE_LINK_ETH, &r), PARSE_OK);
	assert_true(r.flags & PARSE_F_FRAG);
	assert_false(r.flags & (PARSE_F_FRAG_FIRST | PARSE_F_HAS_PORTS));
	assert_int_equal(r.l4, PARSE_L4_NONE);
	assert_int_equal(r.ip_proto, 6);
	assert_int_equal(r.sport, 0);
}

static void test_parse_ipv4_bad_header_and_total_length_are_bad_l3(void **state)
{
	(void)state;
	struct parse_result r;
	uint8_t f[sizeof eth_ipv4_tcp_opts];

	memcpy(f, eth_ipv4_tcp_opts, sizeof f);
	f[14] = 0x44; /* IHL 4: 16 bytes < the 20-byte minimum */
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_ETH, &r), PARSE_BAD_L3);
	assert_false(r.flags & PARSE_F_HAS_PORTS);

	memcpy(f, eth_ipv4_tcp_opts, sizeof f);
	f[14] = 0x65; /* version 6 behind ethertype 0x0800 */
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_ETH, &r), PARSE_BAD_L3);

	memcpy(f, eth_ipv4_tcp_opts, sizeof f);
	f[17] = 19; /* total length 19 < IHL*4 = 20 */
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_ETH, &r), PARSE_BAD_L3);
	assert_false(r.flags & PARSE_F_HAS_PORTS);

	memcpy(f, eth_ipv4_tcp_opts, sizeof f);
	f[17] = 22; /* total length 22: the datagram ends inside the ports */
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_ETH, &r), PARSE_BAD_L4);
	assert_false(r.flags & PARSE_F_HAS_PORTS);
}

static void test_parse_ipv4_total_length_zero_takes_frame_length_as_tso(void **state)
{
	(void)state;
	/* A GRO/TSO super-frame: total length 0, wire length 20014 (frame
	 * 71 bytes captured). Expected l3_len = 20014 - 14 = 20000 and the TCP
	 * payload 20000 - 20 - 32 = 19948. */
	uint8_t f[sizeof eth_ipv4_tcp_opts];
	memcpy(f, eth_ipv4_tcp_opts, sizeof f);
	f[16] = 0;
	f[17] = 0;
	struct parse_result r;
	assert_int_equal(parse_exact(f, sizeof f, 20014, PARSE_LINK_ETH, &r), PARSE_OK);
	assert_int_equal(r.l3_len, 20000);
	assert_int_equal(r.payload_len, 19948);
	assert_true(r.flags & PARSE_F_HAS_PORTS);
}

static void test_parse_tcp_bad_data_offset_keeps_ports(void **state)
{
	(void)state;
	struct parse_result r;
	uint8_t f[sizeof eth_ipv4_tcp_opts];

	memcpy(f, eth_ipv4_tcp_opts, sizeof f);
	f[46] = 0x40; /* data offset 4 (16 bytes) < 5 */
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_ETH, &r), PARSE_BAD_L4);
	assert_int_equal(r.l4, PARSE_L4_TCP);
	assert_true(r.flags & PARSE_F_HAS_PORTS);
	assert_int_equal(r.sport, 4660);

	memcpy(f, eth_ipv4_tcp_opts, sizeof f);
	f[46] = 0xf0; /* data offset 15 (60 bytes) > 37 bytes of IP payload */
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_ETH, &r), PARSE_BAD_L4);
	assert_true(r.flags & PARSE_F_HAS_PORTS);
}

static void test_parse_udp_length_below_8_is_bad_l4(void **state)
{
	(void)state;
	uint8_t f[sizeof eth_qinq_ipv4_udp];
	memcpy(f, eth_qinq_ipv4_udp, sizeof f);
	f[47] = 7; /* UDP length 7 at [46..47] */
	struct parse_result r;
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_ETH, &r), PARSE_BAD_L4);
	assert_int_equal(r.l4, PARSE_L4_UDP);
	assert_true(r.flags & PARSE_F_HAS_PORTS);
}

static void test_parse_ipv6_ext_headers_give_home_and_rt2_offsets(void **state)
{
	(void)state;
	struct parse_result r;
	assert_int_equal(PARSE_FULL(eth_ipv6_ext_tcp, PARSE_LINK_ETH, &r), PARSE_OK);
	assert_int_equal(r.l3, PARSE_L3_IPV6);
	assert_int_equal(r.l4, PARSE_L4_TCP);
	assert_int_equal(r.ip_proto, 6);
	assert_int_equal(r.flags, PARSE_F_IPV6_EXT | PARSE_F_IPV6_HOME | PARSE_F_IPV6_RT2 |
					  PARSE_F_HAS_PORTS);
	assert_int_equal(r.home_addr_off, 70);
	assert_int_equal(r.rt2_addr_off, 94);
	assert_int_equal(r.final_dst_off, 94); /* type 2, segments left 1: its address is the final destination */
	assert_int_equal(r.l4_off, 110);
	assert_int_equal(r.payload_off, 130);
	assert_int_equal(r.payload_len, 4);
	assert_int_equal(r.l3_len, 120);
	assert_int_equal(r.sport, 443);
	assert_int_equal(r.dport, 50000);
	assert_memory_equal(r.src, addr6_db8_1, 16);
	assert_memory_equal(r.dst, addr6_db8_2, 16);
	assert_int_equal(eth_ipv6_ext_tcp[r.home_addr_off + 15], 0x99);
	assert_int_equal(eth_ipv6_ext_tcp[r.rt2_addr_off + 15], 0x77);
}

static void test_parse_ipv6_ext_header_beyond_payload_is_bad_ext(void **state)
{
	(void)state;
	uint8_t f[sizeof eth_ipv6_ext_tcp];
	memcpy(f, eth_ipv6_ext_tcp, sizeof f);
	f[19] = 20; /* payload length 20: the 24-byte dst-opts at [62..85] overruns 54+20 */
	struct parse_result r;
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_ETH, &r), PARSE_BAD_EXT);
	assert_false(r.flags & PARSE_F_HAS_PORTS);
}

static void test_parse_ipv6_ext_chain_longer_than_16_is_bad_ext(void **state)
{
	(void)state;
	/* 17 destination-options headers of 8 bytes (next 60, len 0, PadN 4),
	 * the last pointing at TCP. payload length 17*8 = 136. */
	uint8_t f[14 + 40 + 17 * 8];
	memset(f, 0, sizeof f);
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[18] = 0;
	f[19] = 136;
	f[20] = 60;
	for (int i = 0; i < 17; i++) {
		uint8_t *h = f + 54 + 8 * i;
		h[0] = i == 16 ? 6 : 60;
		h[2] = 0x01;
		h[3] = 0x04;
	}
	struct parse_result r;
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_ETH, &r), PARSE_BAD_EXT);

	/* 16 of them are fine: the chain ends in ip_proto 6 with no room for
	 * the ports (payload ends at the last header): BAD_L4. */
	f[19] = 128;
	f[54 + 8 * 15] = 6;
	assert_int_equal(parse_exact(f, 14 + 40 + 128, 14 + 40 + 128, PARSE_LINK_ETH, &r), PARSE_BAD_L4);
	assert_int_equal(r.ip_proto, 6);
}

static void test_parse_ipv6_first_fragment_has_ports(void **state)
{
	(void)state;
	struct parse_result r;
	assert_int_equal(PARSE_FULL(eth_ipv6_frag_first_udp, PARSE_LINK_ETH, &r), PARSE_OK);
	assert_int_equal(r.flags & (PARSE_F_FRAG | PARSE_F_FRAG_FIRST | PARSE_F_HAS_PORTS |
				    PARSE_F_IPV6_EXT),
			 PARSE_F_FRAG | PARSE_F_FRAG_FIRST | PARSE_F_HAS_PORTS | PARSE_F_IPV6_EXT);
	assert_int_equal(r.l4, PARSE_L4_UDP);
	assert_int_equal(r.l4_off, 62);
	assert_int_equal(r.payload_off, 70);
	assert_int_equal(r.payload_len, 1992); /* the UDP header's 2000 - 8 */
	assert_int_equal(r.sport, 5353);
	assert_int_equal(r.dport, 53);
}

static void test_parse_ipv6_later_fragment_has_no_l4(void **state)
{
	(void)state;
	struct parse_result r;
	assert_int_equal(PARSE_FULL(eth_ipv6_frag_later, PARSE_LINK_ETH, &r), PARSE_OK);
	assert_true(r.flags & PARSE_F_FRAG);
	assert_false(r.flags & (PARSE_F_FRAG_FIRST | PARSE_F_HAS_PORTS));
	assert_int_equal(r.l4, PARSE_L4_NONE);
	assert_int_equal(r.ip_proto, 17);
}

static void test_parse_ipv6_jumbogram_length_comes_from_hbh_option(void **state)
{
	(void)state;
	/* IPv6 payload length 0, HBH with Jumbo Payload 100000 (0x000186a0),
	 * then TCP; only the headers are captured, the wire length is the
	 * jumbogram's: 14 + 40 + 100000 = 100054.
	 *   [54..61]  HBH: next 6, len 0, 0xc2 0x04 00 01 86 a0
	 *   [62..81]  TCP: 41851 -> 43913, data offset 5
	 * Expect l3_len 100040, payload_len 100000 - 8 - 20 = 99972. */
	uint8_t f[14 + 40 + 8 + 20];
	memset(f, 0, sizeof f);
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[20] = 0;   /* next header: HBH */
	uint8_t *hbh = f + 54;
	hbh[0] = 6;
	hbh[2] = 0xc2;
	hbh[3] = 0x04;
	hbh[4] = 0x00;
	hbh[5] = 0x01;
	hbh[6] = 0x86;
	hbh[7] = 0xa0;
	uint8_t *tcp = f + 62;
	tcp[0] = 0xa3;
	tcp[1] = 0x7b;
	tcp[2] = 0xab;
	tcp[3] = 0x89;
	tcp[12] = 0x50;
	struct parse_result r;
	assert_int_equal(parse_exact(f, sizeof f, 100054, PARSE_LINK_ETH, &r), PARSE_OK);
	assert_int_equal(r.l3_len, 100040);
	assert_int_equal(r.payload_len, 99972);
	assert_int_equal(r.sport, 41851);
	assert_int_equal(r.dport, 43913);

	/* Without the option, payload length 0 means no payload (Wireshark's
	 * default and Linux's ipv6_rcv): the TCP header lies outside the
	 * datagram. */
	memset(hbh + 2, 0, 6);
	hbh[2] = 0x01;
	hbh[3] = 0x04;
	assert_int_equal(parse_exact(f, sizeof f, 100054, PARSE_LINK_ETH, &r), PARSE_BAD_EXT);
	assert_false(r.flags & PARSE_F_HAS_PORTS);
}

static void test_parse_ipv6_mobility_and_esp_end_as_other(void **state)
{
	(void)state;
	uint8_t f[sizeof raw_ipv6_tcp];
	struct parse_result r;

	memcpy(f, raw_ipv6_tcp, sizeof f);
	f[6] = 135; /* mobility header */
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_RAW, &r), PARSE_OK);
	assert_int_equal(r.l4, PARSE_L4_OTHER);
	assert_int_equal(r.ip_proto, 135);
	assert_false(r.flags & PARSE_F_HAS_PORTS);

	f[6] = 50; /* ESP */
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_RAW, &r), PARSE_OK);
	assert_int_equal(r.l4, PARSE_L4_OTHER);
	assert_int_equal(r.ip_proto, 50);

	f[6] = 59; /* no next header */
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_RAW, &r), PARSE_OK);
	assert_int_equal(r.l4, PARSE_L4_NONE);
}

static void test_parse_ipv6_ah_is_skipped_by_its_length(void **state)
{
	(void)state;
	/* AH (RFC 4302 §2.2) of payload length 4: (4 + 2) * 4 = 24 bytes, then
	 * TCP. IPv6 payload length 24 + 20 = 44.
	 *   [0..39]  IPv6, next 51     [40..63] AH, next 6, len 4
	 *   [64..83] TCP 80 -> 44730
	 * Expect l4_off 64. */
	uint8_t f[40 + 24 + 20];
	memset(f, 0, sizeof f);
	f[0] = 0x60;
	f[5] = 44;
	f[6] = 51;
	f[40] = 6;
	f[41] = 4;
	memcpy(f + 64, raw_ipv6_tcp + 40, 20);
	struct parse_result r;
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_IPV6, &r), PARSE_OK);
	assert_int_equal(r.l4_off, 64);
	assert_int_equal(r.sport, 80);
	assert_true(r.flags & PARSE_F_IPV6_EXT);
}

static void test_parse_ip_in_ip_keeps_outer_addresses_and_inner_ports(void **state)
{
	(void)state;
	/* IPv4 (proto 4) carrying the raw IPv4+UDP frame above: 48 bytes.
	 *   [0..19]  outer IPv4: total 48, proto 4, 198.51.100.1 -> 198.51.100.2
	 *   [20..39] inner IPv4: 172.16.0.1 -> 172.16.0.2, UDP
	 *   [40..47] UDP 123 -> 123
	 * Expect IP_TUNNEL, outer addresses, l3_off 0, l3_len 48, inner ports,
	 * l4_off 40. */
	uint8_t f[20 + sizeof raw_ipv4_udp];
	static const uint8_t outer[20] = {0x45, 0, 0, 48, 0, 7, 0, 0, 64, 4, 0, 0,
					  198, 51, 100, 1, 198, 51, 100, 2};
	memcpy(f, outer, 20);
	memcpy(f + 20, raw_ipv4_udp, sizeof raw_ipv4_udp);
	struct parse_result r;
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_IPV4, &r), PARSE_OK);
	assert_true(r.flags & PARSE_F_IP_TUNNEL);
	assert_int_equal(r.l3, PARSE_L3_IPV4);
	assert_int_equal(r.l3_off, 0);
	assert_int_equal(r.l3_len, 48);
	assert_memory_equal(r.src, outer + 12, 4);
	assert_memory_equal(r.dst, outer + 16, 4);
	assert_int_equal(r.l4, PARSE_L4_UDP);
	assert_int_equal(r.l4_off, 40);
	assert_int_equal(r.sport, 123);
}

static void test_parse_icmp_is_other_without_ports(void **state)
{
	(void)state;
	/* An ICMP port-unreachable quoting a UDP header must not yield the
	 * quoted ports (flows leave ICMP out). */
	uint8_t f[20 + 8 + 28];
	memset(f, 0, sizeof f);
	f[0] = 0x45;
	f[3] = sizeof f;
	f[9] = 1;
	f[20] = 3;
	f[21] = 3;
	memcpy(f + 28, raw_ipv4_udp, 28);
	struct parse_result r;
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_RAW, &r), PARSE_OK);
	assert_int_equal(r.l4, PARSE_L4_OTHER);
	assert_int_equal(r.ip_proto, 1);
	assert_false(r.flags & PARSE_F_HAS_PORTS);
}

static void test_parse_sll_outgoing_ipv4_tcp(void **state)
{
	(void)state;
	struct parse_result r;
	assert_int_equal(PARSE_FULL(sll_ipv4_tcp, PARSE_LINK_SLL, &r), PARSE_OK);
	assert_true(r.flags & PARSE_F_SLL_OUTGOING);
	assert_false(r.flags & PARSE_F_SLL_HOST);
	assert_int_equal(r.ethertype, 0x0800);
	assert_int_equal(r.l3_off, 16);
	assert_int_equal(r.l4_off, 36);
	assert_int_equal(r.payload_off, 56);
	assert_int_equal(r.payload_len, 0);
	assert_int_equal(r.sport, 22);
	assert_int_equal(r.dport, 40000);
	assert_int_equal(r.tcp_flags, 0x10);
}

static void test_parse_sll2_host_ipv6_udp(void **state)
{
	(void)state;
	struct parse_result r;
	assert_int_equal(PARSE_FULL(sll2_ipv6_udp, PARSE_LINK_SLL2, &r), PARSE_OK);
	assert_true(r.flags & PARSE_F_SLL_HOST);
	assert_false(r.flags & PARSE_F_SLL_OUTGOING);
	assert_int_equal(r.ethertype, 0x86dd);
	assert_int_equal(r.l3_off, 20);
	assert_int_equal(r.l4_off, 60);
	assert_int_equal(r.payload_off, 68);
	assert_int_equal(r.payload_len, 4);
	assert_int_equal(r.sport, 547);
	assert_int_equal(r.dport, 546);
}

static void test_parse_raw_ip_picks_version_from_first_nibble(void **state)
{
	(void)state;
	struct parse_result r;
	assert_int_equal(PARSE_FULL(raw_ipv4_udp, PARSE_LINK_RAW, &r), PARSE_OK);
	assert_int_equal(r.l3, PARSE_L3_IPV4);
	assert_int_equal(r.l3_off, 0);
	assert_int_equal(r.l4_off, 20);
	assert_int_equal(r.payload_off, 28);
	assert_int_equal(r.ethertype, 0);

	assert_int_equal(PARSE_FULL(raw_ipv6_tcp, PARSE_LINK_RAW, &r), PARSE_OK);
	assert_int_equal(r.l3, PARSE_L3_IPV6);
	assert_int_equal(r.l3_off, 0);
	assert_int_equal(r.l4_off, 40);
	assert_int_equal(r.payload_off, 60);
	assert_int_equal(r.sport, 80);
	assert_int_equal(r.dport, 44730);
	assert_int_equal(r.tcp_flags, 0x11);

	uint8_t f[sizeof raw_ipv4_udp];
	memcpy(f, raw_ipv4_udp, sizeof f);
	f[0] = 0x55; /* version 5 */
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_RAW, &r), PARSE_BAD_L3);
}

static void test_parse_non_ip_ethertype_is_ok_without_l3(void **state)
{
	(void)state;
	uint8_t f[42];
	memset(f, 0xff, 6);
	memset(f + 6, 0x02, 6);
	f[12] = 0x08;
	f[13] = 0x06; /* ARP */
	memset(f + 14, 0, 28);
	struct parse_result r;
	assert_int_equal(PARSE_FULL(f, PARSE_LINK_ETH, &r), PARSE_OK);
	assert_int_equal(r.l3, PARSE_L3_NONE);
	assert_int_equal(r.ethertype, 0x0806);
}

/* ---- truncation sweep -------------------------------------------------- */

/* A frame and its layer boundaries, read off the layouts above. */
struct trunc_case {
	const char *name;
	const uint8_t *frame;
	uint32_t len;
	enum parse_link link;
	uint32_t l3_off;       /* link header (and tags) end here */
	uint32_t l3_fixed_end; /* IPv4 20-byte / IPv6 40-byte header ends here */
	uint32_t l4_off;       /* options / extension headers end here */
	uint32_t l4_end;       /* transport header ends here (= l4_off if none) */
};

#define TC(f, link, a, b, c, d) {#f, f, sizeof(f), link, a, b, c, d}

static const struct trunc_case trunc_cases[] = {
	TC(eth_ipv4_tcp_opts, PARSE_LINK_ETH, 14, 34, 34, 66),
	TC(eth_qinq_ipv4_udp, PARSE_LINK_ETH, 22, 42, 42, 50),
	TC(eth_ipv4_opts_udp, PARSE_LINK_ETH, 14, 34, 38, 46),
	TC(eth_ipv4_frag_first_tcp, PARSE_LINK_ETH, 14, 34, 34, 54),
	TC(eth_ipv4_frag_later, PARSE_LINK_ETH, 14, 34, 34, 34),
	TC(eth_ipv6_ext_tcp, PARSE_LINK_ETH, 14, 54, 110, 130),
	TC(eth_ipv6_frag_first_udp, PARSE_LINK_ETH, 14, 54, 62, 70),
	TC(eth_ipv6_frag_later, PARSE_LINK_ETH, 14, 54, 62, 62),
	TC(sll_ipv4_tcp, PARSE_LINK_SLL, 16, 36, 36, 56),
	TC(sll2_ipv6_udp, PARSE_LINK_SLL2, 20, 60, 60, 68),
	TC(raw_ipv4_udp, PARSE_LINK_RAW, 0, 20, 20, 28),
	TC(raw_ipv6_tcp, PARSE_LINK_RAW, 0, 40, 40, 60),
};

static void test_parse_truncated_frames_report_the_layer_they_end_in(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof trunc_cases / sizeof trunc_cases[0]; i++) {
		const struct trunc_case *tc = &trunc_cases[i];
		for (uint32_t caplen = 0; caplen <= tc->len; caplen++) {
			struct parse_result r;
			enum parse_status s = parse_exact(tc->frame, caplen, tc->len, tc->link, &r);
			enum parse_status want;
			if (caplen < tc->l3_off)
				want = PARSE_TRUNC_L2;
			else if (caplen < tc->l3_fixed_end)
				want = PARSE_TRUNC_L3;
			else if (caplen < tc->l4_off)
				want = PARSE_TRUNC_EXT;
			else if (caplen < tc->l4_end)
				want = PARSE_TRUNC_L4;
			else
				want = PARSE_OK;
			if (s != want || r.status != (uint8_t)s)
				fail_msg("%s cut at %u: status %s, want %s", tc->name, caplen,
					 parse_status_name(s), parse_status_name(want));
			/* Ports are reported exactly when their 4 bytes are in. */
			bool want_ports = tc->l4_end > tc->l4_off && caplen >= tc->l4_off + 4;
			if (!!(r.flags & PARSE_F_HAS_PORTS) != want_ports)
				fail_msg("%s cut at %u: has_ports %d", tc->name, caplen,
					 !!(r.flags & PARSE_F_HAS_PORTS));
		}
	}
}

static void test_parse_truncated_ipv6_ext_header_is_counted(void **state)
{
	(void)state;
	/* Cut inside the routing header [86..109]: TRUNC_EXT, and the
	 * destination-options header before it was still seen. */
	struct parse_result r;
	assert_int_equal(parse_exact(eth_ipv6_ext_tcp, 100, sizeof eth_ipv6_ext_tcp, PARSE_LINK_ETH, &r),
			 PARSE_TRUNC_EXT);
	assert_true(r.flags & PARSE_F_IPV6_HOME);
	assert_int_equal(r.home_addr_off, 70);
	assert_int_equal(r.ip_proto, 43);

	struct parse_stats st;
	memset(&st, 0, sizeof st);
	parse_stats_add(&st, &r);
	assert_int_equal(st.by_status[PARSE_TRUNC_EXT], 1);
	assert_int_equal(st.ipv6, 1);
	assert_string_equal(parse_status_name(PARSE_TRUNC_EXT), "trunc_ext");
}

/* ---- garbage ----------------------------------------------------------- */

static uint64_t rng_state = 0x6e696373696d2121ull; /* fixed seed: "nicsim!!" */
static uint64_t rng_next(void)
{
	/* xorshift64* (Vigna 2016) */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void check_invariants(const struct parse_result *r, uint32_t caplen)
{
	assert_true(r->status < PARSE_STATUS_COUNT);
	assert_true(r->vlan_count <= PARSE_VLAN_MAX);
	if (r->flags & PARSE_F_HAS_PORTS)
		assert_true((uint32_t)r->l4_off + 4 <= caplen);
	if (r->status == PARSE_OK && (r->l4 == PARSE_L4_TCP || r->l4 == PARSE_L4_UDP))
		assert_true(r->payload_off <= caplen && r->l4_off < r->payload_off);
	if (r->flags & PARSE_F_IPV6_HOME)
		assert_true((uint32_t)r->home_addr_off + 16 <= caplen);
	if (r->flags & PARSE_F_IPV6_RT2)
		assert_true((uint32_t)r->rt2_addr_off + 16 <= caplen);
	if (r->l3 != PARSE_L3_NONE)
		assert_true(r->l3_off <= caplen);
}

static void test_parse_random_garbage_never_reads_out_of_bounds(void **state)
{
	(void)state;
	uint8_t buf[256];
	for (int i = 0; i < 100000; i++) {
		uint32_t caplen = (uint32_t)(rng_next() % sizeof buf);
		for (uint32_t j = 0; j < caplen; j++)
			buf[j] = (uint8_t)rng_next();
		/* Steer some frames into the IP paths so the deeper code runs. */
		enum parse_link link = (enum parse_link)(rng_next() % 6);
		if (caplen > 14 && (i & 3) == 1) {
			buf[12] = 0x08;
			buf[13] = 0x00;
		} else if (caplen > 14 && (i & 3) == 2) {
			buf[12] = 0x86;
			buf[13] = 0xdd;
		}
		struct parse_result r;
		uint32_t wire_len = caplen + (uint32_t)(rng_next() % 3000);
		parse_exact(buf, caplen, wire_len, link, &r);
		check_invariants(&r, caplen);
	}
}

static void test_parse_mutated_frames_never_read_out_of_bounds(void **state)
{
	(void)state;
	/* Valid frames with 1-4 random bytes changed and a random cut reach
	 * the extension-header and transport code far more often than pure
	 * noise does. */
	size_t n_cases = sizeof trunc_cases / sizeof trunc_cases[0];
	uint8_t buf[256];
	for (int i = 0; i < 100000; i++) {
		const struct trunc_case *tc = &trunc_cases[rng_next() % n_cases];
		memcpy(buf, tc->frame, tc->len);
		int flips = 1 + (int)(rng_next() % 4);
		for (int k = 0; k < flips; k++)
			buf[rng_next() % tc->len] = (uint8_t)rng_next();
		uint32_t caplen = (uint32_t)(rng_next() % (tc->len + 1));
		struct parse_result r;
		parse_exact(buf, caplen, tc->len, tc->link, &r);
		check_invariants(&r, caplen);
	}
}

/* parse_frame's shortcut for the commonest frame must give the general
 * path's result: every frame of every shipped and reference capture, and
 * for each Ethernet one 24 mutations of its header bytes (lengths, IHL,
 * flags, protocol, data offset, cut capture), through both. */
struct same_walk {
	uint64_t frames, compared;
};

static void expect_same_parse(const uint8_t *f, uint32_t caplen, uint32_t wire_len, enum parse_link link,
			      const char *where, uint64_t rec)
{
	struct parse_result a, b;
	enum parse_status sa = parse_frame(f, caplen, wire_len, link, &a);
	enum parse_status sb = parse_frame_general(f, caplen, wire_len, link, &b);
	if (sa != sb || memcmp(&a, &b, sizeof a))
		fail_msg("%s: record %llu (caplen %u): the shortcut and the general parse differ", where,
			 (unsigned long long)rec, caplen);
}

static void same_parse_file(const char *path, void *ctx)
{
	struct same_walk *w = ctx;
	char err[TRACE_ERR_MAX];
	struct trace_reader *r;
	if (trace_open(&r, path, err, sizeof err) < 0)
		return;   /* the damaged captures: the reader's tests cover them */
	enum parse_link link = trace_get_info(r)->link;
	struct trace_record rec;
	uint8_t m[256];
	uint32_t seed = 1;
	while (trace_next(r, &rec, err, sizeof err) == TRACE_OK) {
		w->frames++;
		expect_same_parse(rec.data, rec.cap_len, rec.wire_len, link, path, rec.index);
		w->compared++;
		if (link != PARSE_LINK_ETH || rec.cap_len < 14)
			continue;
		uint32_t n = rec.cap_len < sizeof m ? rec.cap_len : (uint32_t)sizeof m;
		for (int k = 0; k < 24; k++) {
			memcpy(m, rec.data, n);
			seed = seed * 1103515245u + 12345u;
			uint32_t at = 12 + (seed >> 16) % (n > 70 ? 58 : n - 12);   /* a header byte */
			m[at] ^= (uint8_t)(1u << ((seed >> 8) % 8));
			uint32_t cut = k % 6 == 5 ? (seed >> 4) % (n + 1) : n;     /* sometimes a shorter capture */
			expect_same_parse(m, cut, rec.wire_len, link, path, rec.index);
			w->compared++;
		}
	}
	trace_close(r);
}

static void test_parse_shortcut_equals_the_general_path_on_every_capture(void **state)
{
	(void)state;
	struct same_walk w = { 0 };
	tu_walk_files(tu_ref_dir(), tu_capture_suffixes, same_parse_file, &w);
	tu_walk_dir(tu_path(tu_src_dir(), "traces"), tu_capture_suffixes, same_parse_file, &w);
	assert_true(w.frames > 50000);
	assert_true(w.compared > 20 * w.frames / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_eth_ipv4_tcp_with_options_gives_offsets_and_ports),
		cmocka_unit_test(test_parse_shortcut_equals_the_general_path_on_every_capture),
		cmocka_unit_test(test_parse_qinq_tags_are_skipped_and_outer_vid_kept),
		cmocka_unit_test(test_parse_vlan_tags_beyond_max_leave_frame_non_ip),
		cmocka_unit_test(test_parse_ipv4_options_are_skipped_and_flagged),
		cmocka_unit_test(test_parse_ipv4_first_fragment_has_ports),
		cmocka_unit_test(test_parse_ipv4_later_fragment_has_no_l4),
		cmocka_unit_test(test_parse_ipv4_bad_header_and_total_length_are_bad_l3),
		cmocka_unit_test(test_parse_ipv4_total_length_zero_takes_frame_length_as_tso),
		cmocka_unit_test(test_parse_tcp_bad_data_offset_keeps_ports),
		cmocka_unit_test(test_parse_udp_length_below_8_is_bad_l4),
		cmocka_unit_test(test_parse_ipv6_ext_headers_give_home_and_rt2_offsets),
		cmocka_unit_test(test_parse_ipv6_ext_header_beyond_payload_is_bad_ext),
		cmocka_unit_test(test_parse_ipv6_ext_chain_longer_than_16_is_bad_ext),
		cmocka_unit_test(test_parse_ipv6_first_fragment_has_ports),
		cmocka_unit_test(test_parse_ipv6_later_fragment_has_no_l4),
		cmocka_unit_test(test_parse_ipv6_jumbogram_length_comes_from_hbh_option),
		cmocka_unit_test(test_parse_ipv6_mobility_and_esp_end_as_other),
		cmocka_unit_test(test_parse_ipv6_ah_is_skipped_by_its_length),
		cmocka_unit_test(test_parse_ip_in_ip_keeps_outer_addresses_and_inner_ports),
		cmocka_unit_test(test_parse_icmp_is_other_without_ports),
		cmocka_unit_test(test_parse_sll_outgoing_ipv4_tcp),
		cmocka_unit_test(test_parse_sll2_host_ipv6_udp),
		cmocka_unit_test(test_parse_raw_ip_picks_version_from_first_nibble),
		cmocka_unit_test(test_parse_non_ip_ethertype_is_ok_without_l3),
		cmocka_unit_test(test_parse_truncated_frames_report_the_layer_they_end_in),
		cmocka_unit_test(test_parse_truncated_ipv6_ext_header_is_counted),
		cmocka_unit_test(test_parse_random_garbage_never_reads_out_of_bounds),
		cmocka_unit_test(test_parse_mutated_frames_never_read_out_of_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
