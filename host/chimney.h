/*
 * host/chimney.h — the host's side of TCP Chimney: which connections go to
 * the NIC's offload engine, how they are handed over and taken back, and
 * what the host still does for them (docs/toe.md).
 *
 * Part of the driver (host/driver.c calls it from its DPC; it programs the
 * NIC through the TOE registers of models/nic_regs.h and reads the NIC's
 * event queues in host memory). It tracks every TCP connection the host's
 * stack sees (both SYNs and their options, the sequence numbers, windows and
 * timestamps), decides by the policy of docs/toe.md [MS-policy] which established ones
 * go (after toe.offload_after_bytes, never an ineligible one, never beyond
 * the engine's table), writes the state block (struct toe_state) to host
 * memory and posts OFFLOAD; holds the connection's frames that reach the
 * host during the handoff and forwards them once it completes; posts the
 * capture's host data as SEND requests, posts receive buffers and gives
 * indicated bytes back (CREDIT); and uploads a connection when the engine
 * asks (UPLOAD_REQ). Every request and completion costs host cycles
 * (cost.toe_*: docs/cost-model.md), charged in the queue's DPC.
 *
 * The replay's rule for offloaded connections (docs/toe.md "Replay") lives
 * here too, because it needs the connection table: a peer frame whose ACK
 * covers host data the wire has not shown yet (without holes) waits until
 * the engine has sent that much, or at most toe.replay_hold_us, then goes
 * with its ACK lowered to what the wire shows (a pure ACK that would then
 * acknowledge nothing new is dropped); each is counted
 * (chimney_hold_peer, chimney_wire_frame).
 */
#ifndef NICSIM_HOST_CHIMNEY_H
#define NICSIM_HOST_CHIMNEY_H

#include <stdbool.h>
#include <stdint.h>

#include "models/pkt/parse.h"
#include "models/nic_regs.h"   /* the state block, struct toe_state */
#include "sim/param.h"
#include "sim/pkt.h"
#include "sim/stats.h"

struct chimney_cfg {
	bool enable;                  /* toe.enable: the engine on and the host offloading */
	uint32_t offload_after_bytes; /* payload bytes both ways before a connection is offloaded */
	uint32_t track_conns;         /* connections the host's table follows (its memory bound) */
	uint32_t replay_hold_us;      /* the replay rule's patience (docs/toe.md) */
};
extern const struct param_def chimney_params[];

/* Why a connection stays on the host (counted once per connection). */
enum chim_inel {
	CHIM_INEL_NO_HANDSHAKE = 0, /* first seen after its SYNs: options unknown */
	CHIM_INEL_IP_OPTIONS,       /* IPv4 options (docs/toe.md [MS-policy]) */
	CHIM_INEL_FRAGMENTS,        /* IP fragments (docs/toe.md [WDK-toe]: the engine does not reassemble) */
	CHIM_INEL_URGENT,           /* urgent data before the offload */
	CHIM_INEL_TCP_OPTIONS,      /* an option the engine does not support (MSS, WS, SACK, TS are) */
	CHIM_INEL_VLAN,             /* VLAN-tagged: the engine builds untagged frames */
	CHIM_INEL_LINK,             /* the capture is not Ethernet: the engine builds Ethernet frames */
	CHIM_INEL_IPV6_EXT,         /* IPv6 extension headers */
	CHIM_INEL_BAD_CSUM,         /* the peer's TCP checksums fail: a capture taken before checksum offload
	                             * finished them; the engine would drop every segment */
	CHIM_INEL_COUNT
};
const char *chim_inel_name(enum chim_inel r);

struct chimney_stats {
	uint64_t conns_tracked, track_full, track_evicted;
	uint64_t ineligible[CHIM_INEL_COUNT];
	uint64_t ipsec_frames;        /* AH/ESP frames: IPsec keeps its connections on the host (docs/toe.md [MS-policy]) */
	uint64_t offloads, offloads_done, offloads_refused, table_full;
	uint64_t upload_reqs, uploads;
	uint64_t held_frames, forwarded_frames;
	uint64_t sends, send_bytes, closes;
	uint64_t capture_acks_skipped;      /* the capture's pure ACKs from the host the engine replaces */
	uint64_t capture_data_segs;         /* the capture's host data segments, sent by the engine instead */
	uint64_t rx_indicated_bytes, rx_placed_bytes;
	uint64_t events;
	uint64_t replay_held, replay_changed, replay_dropped, replay_held_at_end;   /* the replay rule (docs/toe.md) */
	uint64_t cycles_offload, cycles_upload, cycles_io, cycles_copy;
};
extern const struct stat_def chimney_stat_defs[];

/* One connection that was offloaded, for the report. */
struct chimney_rec {
	uint32_t id;                      /* the host's offload id */
	bool is_ipv6;
	uint8_t local_ip[16], remote_ip[16];
	uint16_t local_port, remote_port;
	uint64_t t_offload_ps, t_upload_ps;   /* t_upload 0: still offloaded at the end */
	uint8_t upload_reason;            /* enum toe_upload_reason asked by the engine; 0 none */
	uint64_t capture_acks, capture_data_segs;   /* the capture's host frames of it after the offload */
	uint64_t capture_peer_bytes;      /* payload the peer sent after the offload (the capture's) */
	uint64_t send_bytes;              /* the host's data handed to the engine */
	uint64_t replay_held, replay_changed;   /* its peer frames the replay rule held, whose ACK it lowered */
};

struct driver;
/* Iterate the connections offloaded during the run, in offload order. */
uint32_t chimney_recs(const struct driver *d);
const struct chimney_rec *chimney_rec(const struct driver *d, uint32_t i);
const struct chimney_stats *chimney_stats(const struct driver *d);   /* NULL when off */

/* Set up (before driver_start); reads from the NIC how many connections
 * its engine holds (TOE_CAPS) and how many send bytes a connection
 * (TOE_SNDBUF: the host posts no more than that unacknowledged). */
int chimney_enable(struct driver *d, const struct chimney_cfg *cfg, char *err, size_t err_len);
/* At the run's end, before the report: count what the replay rule still holds. */
void chimney_count_held(struct driver *d);
/* A frame the capture shows the host sending: true when the chimney takes
 * it (its connection is offloaded, or being offloaded); false: the host's
 * normal transmit path, the connection's state followed. */
bool chimney_host_send(struct driver *d, struct pkt *p, const struct parse_result *pr);

/* The replay rule. hold_peer: a peer frame at the wire; true when held
 * (the chimney keeps a reference and gives it back through release).
 * wire_frame: every frame the NIC puts on the wire. */
typedef void (*chimney_release_fn)(void *ctx, uint64_t t_ps, struct pkt *p);
void chimney_on_release(struct driver *d, chimney_release_fn fn, void *ctx);
bool chimney_hold_peer(struct driver *d, uint64_t t_ps, struct pkt *p);
void chimney_wire_frame(struct driver *d, uint64_t t_ps, const struct pkt *p);

#endif
