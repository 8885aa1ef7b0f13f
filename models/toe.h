/*
 * models/toe.h — the TCP offload engine's protocol core (TCP Chimney).
 *
 * The engine holds whole established connections handed to it by the host
 * (the host always does connection set-up; ../docs/toe.md). It is device
 * free, like models/pkt/: it knows no register, ring or bus. The NIC shell
 * (models/nic_toe.c) feeds it received frames after the parser and the RSS
 * hash, gives it the application's send data once that is in NIC memory,
 * and carries what it asks for (frames to the wire, data to the host,
 * events) across the bus. A test drives it directly (tests/test_toe.c).
 *
 * What it does per connection (specs: MS "Required and suggested TCP/IP
 * protocol support" for offload targets; RFC 9293 (793), RFC 1122, RFC 5681,
 * RFC 6298, RFC 7323):
 *   receive: sequence and ACK validation (RFC 9293 §3.10.7.4), in-order data
 *     to the host (ops.deliver), out-of-order segments kept in a bounded
 *     reassembly store (cfg.reasm_bytes, engine-wide) and dropped and
 *     counted beyond it, duplicates dropped, FIN and RST to the host;
 *   ACKs: delayed (ACK when at least cfg.ack_every_segs full-sized segments
 *     are unacknowledged, else when the delayed-ACK timer cfg.delack_us
 *     fires), immediate on an out-of-order segment, a duplicate, a segment
 *     that fills a hole (RFC 5681 §4.2) and a FIN; window updates when
 *     toe_conn_rcv_credit opens the window by at least an MSS or half of it;
 *   send: application bytes (toe_conn_send) become MSS-sized segments within
 *     min(peer window, cwnd) (RFC 5681 slow start and congestion avoidance,
 *     Nagle), a retransmission timer per RFC 6298 (Karn; RTO min cfg.rto_min_us,
 *     backed off), fast retransmit and recovery on three duplicate ACKs
 *     (RFC 5681 §3.2), a persist timer with 1-byte window probes on a zero
 *     window (RFC 1122 §4.2.2.17);
 *   upload requests (ops.event TOE_EV_UPLOAD_REQ with a reason) for the
 *     triggers of docs/toe.md [WDK-upload]
 *
 * The engine builds every frame it sends whole (Ethernet II, IPv4 with DF and
 * an ID from 0x8000-0xFFFF, or IPv6; TCP with the timestamp option when
 * negotiated; checksums filled in): what ops.xmit gets is what the wire
 * carries.
 *
 * Time: every call takes the caller's time t_ps; the engine's timers are
 * struct sim_event inside each connection, on the kernel given to toe_new.
 * State is integers; a run is deterministic.
 */
#ifndef NICSIM_MODELS_TOE_H
#define NICSIM_MODELS_TOE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/pkt/parse.h"
#include "models/nic_regs.h"   /* the state block, struct toe_state */
#include "sim/kernel.h"
#include "sim/param.h"
#include "sim/stats.h"

/* The most connections toe.conns may ask for: nicsim's bound, not a part's
 * (no source in the corpus gives a Chimney NIC's table size, so toe.conns is
 * a design parameter, docs/toe.md). A connection's index fits 16 bits, and
 * the table is allocated whole at toe_new. */
#define TOE_CONNS_MAX 65536u

const char *toe_tcp_state_name(enum toe_tcp_state s);
/* "urgent_data", "high_out_of_order", ...: stable names for reports. */
const char *toe_upload_reason_name(enum toe_upload_reason r);

struct toe_cfg {
	uint32_t conns;              /* connection table capacity (<= TOE_CONNS_MAX) */
	uint32_t reasm_bytes;        /* out-of-order store, all connections together */
	uint32_t ooo_upload_segs;    /* out-of-order segments on one connection after which it asks for upload (0: never) */
	uint32_t delack_us;          /* delayed-ACK timer */
	uint32_t ack_every_segs;     /* ACK at once when this many full-sized segments are unacknowledged */
	uint32_t rto_min_us, rto_max_us, rto_initial_us;   /* RFC 6298 */
	uint32_t max_retrans;        /* retransmissions of one segment before TimeoutExpiration */
	uint32_t snd_buf_bytes;      /* per connection: unacknowledged plus unsent bytes the engine holds */
};
extern const struct param_def toe_params[];   /* keys toe.* the engine reads */

/* What the engine tells the host (ops.event). */
enum toe_event {
	TOE_EV_SEND_DONE = 0,   /* arg: bytes newly acknowledged by the peer (the host completes its send requests) */
	TOE_EV_FIN,             /* the peer closed its half; all data before it was delivered */
	TOE_EV_RST,             /* an acceptable RST: the connection is gone (closed in the table) */
	TOE_EV_UPLOAD_REQ,      /* arg: enum toe_upload_reason */
	TOE_EV_COUNT
};

/* What a frame the engine sends is (its counters, and the report). */
enum toe_seg_kind {
	TOE_SEG_DATA = 0,       /* new data */
	TOE_SEG_RETRANS,        /* data again: RTO or fast retransmit */
	TOE_SEG_ACK,            /* a pure ACK (delayed, immediate or duplicate) */
	TOE_SEG_WINDOW_UPDATE,  /* a pure ACK sent because the window opened */
	TOE_SEG_PROBE,          /* a zero-window probe */
	TOE_SEG_FIN,            /* a FIN (with or without data) */
	TOE_SEG_KIND_COUNT
};

struct toe_ops {
	void *ctx;
	/* A frame for the wire, built whole; lent for the call. */
	void (*xmit)(void *ctx, uint64_t t_ps, uint32_t conn, const uint8_t *frame, uint32_t len,
		     enum toe_seg_kind kind);
	/* In-order payload for the application, in order, lent for the call.
	 * Returns how many of the bytes the application took at once (placed
	 * into a buffer it had posted: zero copy); the rest it holds until
	 * toe_conn_rcv_credit, and they close the window meanwhile. */
	uint32_t (*deliver)(void *ctx, uint64_t t_ps, uint32_t conn, const uint8_t *data, uint32_t len, bool is_push);
	void (*event)(void *ctx, uint64_t t_ps, uint32_t conn, enum toe_event ev, uint32_t arg);
};

/* Per connection, for the report (toe_conn_stats). */
struct toe_conn_stats {
	uint64_t rx_segs, rx_bytes;          /* segments taken and in-order payload delivered */
	uint64_t tx_segs_by_kind[TOE_SEG_KIND_COUNT];
	uint64_t tx_bytes;                   /* new payload bytes sent (retransmissions not counted) */
	uint64_t retrans_bytes;
	uint64_t ooo_segs;                   /* out-of-order segments kept */
	uint64_t ooo_dropped;                /* out-of-order segments dropped: store full */
	uint64_t dup_segs;                   /* duplicates dropped (entirely old data) */
	uint64_t bad_segs;                   /* unacceptable (outside the window, ACK of unsent data, bad checksum) */
	uint64_t fast_retrans, rto_fired, probes;
};

/* Engine-wide counters. */
struct toe_stats {
	uint64_t installs, removes, install_full;   /* table full at install */
	uint64_t rx_segs, rx_not_mine;
	uint64_t rx_to_host;                 /* frames of an offloaded connection passed to the host (fragments, IP options) */
	uint64_t upload_reqs_by_reason[TOE_UP_REASON_COUNT];
	uint64_t reasm_peak_bytes;
};
extern const struct stat_def toe_stat_defs[];

/* What toe_rx did with a frame. */
enum toe_rx_verdict {
	TOE_RX_NOT_MINE = 0,   /* no offloaded connection: the host's normal receive path */
	TOE_RX_CONSUMED,       /* the engine took it (delivered, kept, or dropped and counted) */
	TOE_RX_TO_HOST,        /* an offloaded connection's frame the engine does not process (IP fragment,
	                        * IPv4 options): to the host's normal path; the engine has asked for upload */
};

struct toe;
int toe_new(struct toe **out, struct sim_kernel *k, const struct toe_cfg *cfg, const struct toe_ops *ops,
	    char *err, size_t err_len);
void toe_free(struct toe *t);

/* Install a connection (offload). Returns its index (< cfg.conns), or -1 when
 * the table is full or the 4-tuple is already there. Data the host had in
 * flight, [snd_una, snd_max), must follow at once through toe_conn_send (the
 * engine counts it as sent and keeps it for retransmission). */
int toe_conn_install(struct toe *t, uint64_t t_ps, const struct toe_state *st);
/* Take a connection out (upload): its delegated state into *st, then the
 * out-of-order segments it kept, oldest first, to fn as TCP payload with
 * their sequence numbers (the host's stack owns them from now), and the
 * send bytes not yet acknowledged are the host's again (from st->snd_una).
 * The slot is free afterwards. */
typedef void (*toe_ooo_fn)(void *ctx, uint32_t seq, const uint8_t *data, uint32_t len);
void toe_conn_upload(struct toe *t, uint64_t t_ps, uint32_t conn, struct toe_state *st, toe_ooo_fn fn, void *ctx);
/* The connection a frame belongs to (after the parser), or -1. */
int toe_conn_lookup(const struct toe *t, const struct parse_result *pr);

/* A received frame (whole, as on the wire, after the NIC's parse; its
 * checksums as the NIC verified them: l4_ok false makes it a bad segment). */
enum toe_rx_verdict toe_rx(struct toe *t, uint64_t t_ps, const uint8_t *frame, uint32_t len,
			   const struct parse_result *pr, bool l4_ok);

/* The application's bytes to send, appended to the connection's send
 * buffer; returns how many it took (snd_buf_bytes bounds what is held). */
uint32_t toe_conn_send(struct toe *t, uint64_t t_ps, uint32_t conn, const uint8_t *data, uint32_t len);
/* Free room in the send buffer. */
uint32_t toe_conn_send_room(const struct toe *t, uint32_t conn);
/* The application closes its half: FIN after the data it sent. */
void toe_conn_close(struct toe *t, uint64_t t_ps, uint32_t conn);
/* The host consumed len more bytes of what ops.deliver gave it (the
 * application took them, or reposted a buffer): the engine advertises
 * rcv_wnd_max less what is delivered and not yet consumed, so the window may
 * open (a window update). */
void toe_conn_rcv_credit(struct toe *t, uint64_t t_ps, uint32_t conn, uint32_t len);

const struct toe_state *toe_conn_state(const struct toe *t, uint32_t conn);
const struct toe_conn_stats *toe_conn_stats(const struct toe *t, uint32_t conn);
bool toe_conn_is_live(const struct toe *t, uint32_t conn);
const struct toe_stats *toe_stats(const struct toe *t);
uint32_t toe_conns_live(const struct toe *t);

#endif
