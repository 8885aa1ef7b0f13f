/*
 * host/txstack.h — the host stack's transmit side as a replay sees it: the
 * frames a capture shows the host sending become the sends its TCP/IP stack
 * would have handed the driver.
 *
 * With large send on (tx.lso), consecutive in-order data segments of one TCP
 * connection are coalesced into one send, as a stack with TSO builds one
 * super-segment from an application's write:
 *   - a segment continues the connection's open send when it carries
 *     payload, its sequence number is the open send's next byte, its flags
 *     are ACK (and PSH/FIN/CWR/ECE, see below) with no SYN, RST or URG, its
 *     headers are the open send's, it is captured whole, and it arrives no
 *     more than tx.coalesce_gap_us after the last one. "Its headers are the
 *     open send's": the link header, the IP header and the TCP header byte
 *     for byte (addresses, ports, header lengths, TOS/traffic class, TTL,
 *     IP and TCP options: a TCP timestamp that moved ends the send, as it
 *     ends a TSO burst), except what differs between one send's frames (IP
 *     lengths, identification, checksum; sequence and acknowledgment
 *     numbers, flags, window, TCP checksum, urgent pointer);
 *   - the open send ends (is handed to the driver) at a segment with PSH or
 *     FIN (which it includes), when the next segment would take its payload
 *     past TSO_SEND_MAX_PAYLOAD (64 KiB) or its IP length field (IPv4 total
 *     length, IPv6 payload length) past 65535, at a frame of its connection
 *     that does not continue it (the open send goes first; the frame then
 *     starts a new send or goes alone), or when tx.coalesce_gap_us pass
 *     without a segment (a timer at SIM_PRIO_HOST: a frame that comes
 *     exactly then at the wire's priority still joins);
 *   - the send's headers are its first segment's, with the flags of the
 *     segments it covers OR-ed together (the NIC puts PSH and FIN on the
 *     last frame only and CWR on the first, models/pkt/tso.h) and the IP
 *     length of the whole send (an over-long but consistent frame); the
 *     checksums stay as the first segment had them (the NIC, or the host
 *     with tx.csum off, inserts them); its MSS is the largest payload of
 *     its segments, so the NIC cuts it where the capture's sender did;
 *   - every other frame (pure ACKs, SYN/FIN/RST without payload, UDP,
 *     non-IP, fragments, truncated records) is a send of its own at once.
 * A frame longer than the port's MTU allows (mac.mtu) is a TSO/GSO
 * super-frame captured on the sending host: a send as it is, with MSS =
 * mac.mtu - IP header - TCP header.
 * With tx.lso off every frame is a send of its own (the host segments).
 *
 * A frame whose TCP/UDP checksum is unfinished in the capture (taken before
 * the sender's checksum offload, tx_csum_is_partial) is marked so: the NIC
 * finishes it, or the host in software when insertion (tx.csum) is off.
 *
 * Memory: a fixed table of open sends (TXSTACK_OPEN_MAX); when a new
 * connection finds it full, the oldest open send (the first opened) is
 * handed on first. Each open send holds one frame record of at most 64 KiB
 * + headers.
 *
 * Sends are handed on at the simulated time they end, in that order; a
 * frame that goes alone is not held back behind other connections' open
 * sends (a stack's sockets do not wait for each other either).
 */
#ifndef NICSIM_HOST_TXSTACK_H
#define NICSIM_HOST_TXSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/pkt/parse.h"
#include "models/pkt/tso.h"
#include "sim/kernel.h"
#include "sim/param.h"
#include "sim/pkt.h"
#include "sim/stats.h"

#define TXSTACK_OPEN_MAX 256u

struct tx_cfg {
	bool is_lso;               /* tx.lso: the NIC segments large sends */
	bool is_csum;              /* tx.csum: the NIC inserts IPv4/TCP/UDP checksums */
	uint32_t coalesce_gap_us;  /* tx.coalesce_gap_us */
};
extern const struct param_def tx_params[];

/* A send, handed to the driver. The record is lent for the call (the
 * driver takes its own reference). */
struct tx_send {
	struct pkt *pkt;           /* the send's bytes: headers + payload; wire_len == cap_len, but for a
				    * truncated record (has_offload false), handed on as captured */
	uint32_t len;              /* the bytes of pkt that are the send: up to the end of its IP datagram
				    * (a frame captured on a wire may carry the padding, trailer or FCS the
				    * sender's MAC added, which its stack never built); cap_len otherwise */
	struct tx_offload off;     /* lengths and mss from the stack (mss: the largest segment's payload, a
				    * super-frame's mac.mtu - IP - TCP header, 0 without TCP payload); flags
				    * cleared: the driver sets what it asks of the NIC */
	bool has_offload;          /* off is valid (IPv4/IPv6 TCP or UDP, parsed, whole) */
	bool is_l4_partial;        /* the capture's L4 checksum was unfinished */
	bool is_pure_ack;          /* TCP, no payload, only ACK (maybe with ECE/CWR) */
	uint32_t segments;         /* capture frames it covers (1 for a super-frame) */
	uint32_t payload_bytes;    /* L4 payload */
	uint64_t t_first_ps;       /* time of its first segment (the send's origin) */
};
typedef void (*txstack_send_fn)(void *ctx, const struct tx_send *s);

struct txstack_stats {
	uint64_t frames;                 /* host frames taken from the capture */
	uint64_t sends;                  /* sends handed on */
	uint64_t coalesced_segments;     /* segments that joined an open send (not its first) */
	uint64_t superframes;            /* frames longer than the MTU: captured TSO/GSO sends */
	uint64_t partial_csum;           /* frames whose L4 checksum was unfinished */
	uint64_t end_psh, end_fin, end_max, end_gap, end_break, end_table, end_flush;  /* why sends built in the
											    * table ended (one-segment ones too):
											    * their sum + sends of their own = sends */
};
extern const struct stat_def txstack_stat_defs[];

/* What a run asks of the stack and the driver: large send needs checksum
 * insertion (the NIC computes every frame's checksums when it segments),
 * and Linux drops TSO from a device without checksum offload
 * (netdev_fix_features), so with tx.csum off the host segments too
 * (config_warnings says so). */
static inline struct tx_cfg tx_cfg_effective(const struct tx_cfg *c)
{
	struct tx_cfg e = *c;
	e.is_lso = c->is_lso && c->is_csum;
	return e;
}

struct txstack;
/* mtu: mac.mtu (IP bytes a frame carries). */
int txstack_new(struct txstack **out, struct sim_kernel *k, const struct tx_cfg *cfg, uint32_t mtu, char *err,
		size_t err_len);
void txstack_free(struct txstack *s);
void txstack_on_send(struct txstack *s, txstack_send_fn fn, void *ctx);
/* A frame the capture shows the host sending, at the current simulated
 * time, with its parse. The record is lent (take a reference to keep it). */
void txstack_frame(struct txstack *s, struct pkt *p, const struct parse_result *pr);
/* Hand on every open send now, oldest first (end of the trace). */
void txstack_flush(struct txstack *s);
const struct txstack_stats *txstack_stats(const struct txstack *s);
/* Records of the stack's own pool (the open sends', and sends not yet let
 * go by whoever took them): 0 when every send has been released. */
uint64_t txstack_records_in_use(const struct txstack *s);

#endif
