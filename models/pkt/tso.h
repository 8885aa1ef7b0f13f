/*
 * models/pkt/tso.h — the transmit side of the packet helpers: checksum
 * insertion and TCP segmentation (large send offload, LSO/TSO), as a NIC's
 * transmit offload does them and as a host does them in software when the
 * offload is off. A packet helper: it knows no device and no time.
 *
 * A send is one frame's bytes: the headers of its first segment (link
 * header, IP header with options or extension headers, TCP header with
 * options) followed by up to 64 KiB of payload. struct tx_offload says where
 * the headers end and what to do, as an Intel 82599 advanced context
 * descriptor does (MACLEN, IPLEN, L4LEN, MSS, L4T) with the data
 * descriptor's IXSM/TXSM/TSE bits.
 *
 * Segment i of a TCP send (82599 datasheet §7.2.4 "TCP segmentation"; the
 * same rules Linux's software GSO follows, net/ipv4/tcp_offload.c):
 *   - payload bytes [i*mss, min((i+1)*mss, payload));
 *   - IPv4: total length = IPLEN + L4LEN + segment payload; identification
 *     = the send's + i (mod 2^16); header checksum recomputed;
 *   - IPv6: payload length = IPLEN - 40 + L4LEN + segment payload;
 *   - TCP: sequence number = the send's + i*mss; FIN and PSH only on the
 *     last segment, CWR only on the first; every other header byte as sent;
 *   - the TCP checksum over the pseudo-header with this segment's length.
 * A UDP send is never segmented (the 82599 has no UDP segmentation).
 *
 * Checksums (RFC 1071; pseudo-headers RFC 768, RFC 9293 §3.1, RFC 8200
 * §8.1): the IPv4 header checksum when do_ip_csum; the TCP or UDP checksum
 * when do_l4_csum (a UDP checksum that computes to 0 is sent as 0xffff,
 * RFC 768). Whatever the checksum fields held before is ignored.
 */
#ifndef NICSIM_MODELS_PKT_TSO_H
#define NICSIM_MODELS_PKT_TSO_H

#include <stdbool.h>
#include <stdint.h>

#include "models/pkt/parse.h"

/* The largest send a context may describe: 64 KiB of payload plus headers,
 * as IPv4's 16-bit total length allows (the 82599's PAYLEN has 18 bits;
 * hosts send at most 64 KiB: Linux GSO_MAX_SIZE 65536, Windows LSOv2). */
#define TSO_SEND_MAX_PAYLOAD 65536u
#define TSO_HDR_MAX 256u   /* link + IP + TCP headers the engine takes */

struct tx_offload {
	uint16_t l2_len;     /* MACLEN: bytes before the IP header (link header, VLAN tags) */
	uint16_t l3_len;     /* IPLEN: IP header with options / extension headers */
	uint16_t l4_len;     /* L4LEN: TCP header with options; 8 for UDP */
	uint16_t mss;        /* payload bytes per segment (TSO) */
	uint8_t l4;          /* enum parse_l4: PARSE_L4_TCP, PARSE_L4_UDP, or PARSE_L4_NONE */
	bool is_ipv6;
	bool do_ip_csum;     /* IXSM: insert the IPv4 header checksum */
	bool do_l4_csum;     /* TXSM: insert the TCP/UDP checksum */
	bool do_tso;         /* TSE: segment the TCP payload into mss-sized frames */
};

/* The context for a parsed frame (lengths from the parse; flags cleared;
 * mss 0): false if offloads cannot take it (not IPv4/IPv6, a fragment, not
 * parsed to the transport header, headers longer than TSO_HDR_MAX, a tunnel).
 * Also false for a transport other than TCP/UDP (a context for the IPv4
 * header checksum alone is built by hand, l4 PARSE_L4_NONE) and for IPv6
 * with a routing header in transit or a Home Address option: the
 * pseudo-header here uses the fixed header's addresses, which RFC 8200 §8.1
 * and RFC 6275 §9.3.1 replace there. *o is zeroed when false. */
bool tx_offload_from_parse(const struct parse_result *pr, struct tx_offload *o);

/* Frames a send of send_len bytes (headers included) becomes: 1 without TSO,
 * for UDP, or when the payload fits one mss; else ceil(payload / mss).
 * A send with no payload is one frame. mss 0 means "do not segment" (as TSO
 * off). 0 when the frame cannot be built: send shorter than its headers,
 * header lengths shorter than the fixed headers, or, when segmenting,
 * payload above TSO_SEND_MAX_PAYLOAD, headers above TSO_HDR_MAX, or a frame
 * whose IP length would not fit 16 bits. */
uint32_t tso_segment_count(const struct tx_offload *o, uint32_t send_len);

/* Build frame i (0-based) of the send into out[0 .. out_cap): headers as the
 * rules above, payload slice, checksums as the flags ask. Returns its length,
 * 0 if i is out of range, out_cap too small, or the send shorter than its
 * headers. Without TSO, frame 0 is the send with its checksums inserted.
 * The flags are taken literally: TSO without do_l4_csum leaves each frame
 * the template's TCP checksum (the 82599 wants TXSM with TSE; so do we). */
uint32_t tso_segment(const struct tx_offload *o, const uint8_t *send, uint32_t send_len, uint32_t i, uint8_t *out,
		     uint32_t out_cap);

/* Checksum insertion in place in one frame (no segmentation): what the
 * flags ask. len is the frame's length (headers + payload): the L4 checksum
 * covers everything from the L4 header to len (the host's frame, before the
 * MAC pads it), and no length field is changed. A context that does not fit
 * len changes nothing. */
void tx_csum_insert(const struct tx_offload *o, uint8_t *frame, uint32_t len);

/* Whether a captured frame's TCP/UDP checksum is unfinished: it holds only
 * the pseudo-header's folded sum (not complemented), as a capture taken on
 * the sending host before its checksum offload shows (Linux CHECKSUM_PARTIAL:
 * skb->csum_start/csum_offset, the field preloaded with ~csum_tcpudp_magic).
 * Needs the whole segment captured; false when unsure. */
bool tx_csum_is_partial(const uint8_t *frame, uint32_t cap_len, const struct parse_result *pr);

#endif
