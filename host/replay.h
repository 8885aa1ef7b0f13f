/*
 * host/replay.h — puts a capture on the wire, streaming.
 *
 * Each record is parsed and classified by direction:
 *   - to the host (RX): put on the wire into the NIC at its time;
 *   - from the host (TX): handed to the host's stack at its time
 *     (replay_on_send; counted and dropped when no one takes them);
 *   - neither (traffic between other stations in a capture of a shared
 *     segment): counted as foreign and not replayed, as a NIC's address
 *     filter would drop it.
 * Who the host is (docs/replay.md): host.ip / host.mac when given; else for
 * Linux cooked captures the packet type (4 = outgoing); else, in the
 * look-ahead (below), the address that is an end of the most flows (either
 * direction; group addresses never), ties broken by the most frames sent
 * with an unfinished checksum (a capture on the sending host), then the most
 * TCP SYNs received, then the lowest address. The host MAC is then learnt
 * from the first Ethernet frame to that address, and frames to it count as
 * RX too (the same host's other address family).
 *
 * Timing: replay.timing = trace (capture timestamps, shifted to start at 0),
 * scaled (divided by replay.speed_pct/100), or linerate (all at time 0: the
 * MAC serialises them back to back). Timestamps that go backwards are
 * clamped to the previous one and counted; with replay.max_gap_us, idle gaps
 * longer than that are cut to it (counted). replay.loops repeats the
 * capture, each pass shifted after the previous one by its span plus
 * replay.gap_us.
 *
 * Time cannot wrap: a frame is put on the wire no later than
 * REPLAY_TIME_MAX_PS. A capture whose own span is longer is refused naming the
 * record (TRACE_E_LIMIT); one that settings (speed_pct, loops and gap_us,
 * the wire's rate) would carry past it is refused with REPLAY_E_SETTINGS
 * naming them. Both are found in the look-ahead before the run starts when
 * the offending record is in it, else when it is read.
 *
 * The trace is read once, as a stream (a pipe or standard input works): the
 * first REPLAY_LOOKAHEAD_RECORDS records (at most REPLAY_LOOKAHEAD_BYTES of
 * frames) are read ahead and kept, to find the host and check the times,
 * then replayed before the rest. After them one record is read ahead: memory
 * does not grow with trace length nor with the number of flows. Loops read a
 * regular file again; a pipe cannot loop (REPLAY_E_SETTINGS).
 *
 * The replay parses each frame to tell its direction, and the NIC parses it
 * again as its hardware would: a second parse per frame (~8 ns), paid so
 * that nothing but the frame crosses the bus.
 */
#ifndef NICSIM_HOST_REPLAY_H
#define NICSIM_HOST_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/stats.h"
#include "models/bus.h"
#include "models/pkt/parse.h"
#include "sim/kernel.h"
#include "sim/param.h"
#include "sim/pkt.h"
#include "traces/reader.h"

/* The look-ahead: choice, at most 1.25 MiB of index (40 bytes a record) and
 * 4 MiB of frames (the record that passes it is the last), plus detection's
 * flow table for at most as many flows (about 100 bytes each). More than the
 * shipped captures hold (5,742 records at most); the benchmark capture's host
 * (82,582 records) is plain within its first 32,768. */
#define REPLAY_LOOKAHEAD_RECORDS 32768u
#define REPLAY_LOOKAHEAD_BYTES (4u * 1024u * 1024u)
/* Addresses counted for detection (open addressing): both ends of each
 * flow; a SYN flood's sources beyond the table are not counted (the report
 * says how many frames), its one destination is. */
#define REPLAY_DETECT_ADDRS 4096u
#define REPLAY_HOST_IPS_MAX 8
/* The latest time a frame is put on the wire: SIM_TIME_MAX less a day for
 * the NIC and the host to finish what is in flight (rings, timers, table
 * moves take seconds at most, whatever the settings). */
#define REPLAY_DRAIN_PS (86400ull * SIM_PS_PER_S)
#define REPLAY_TIME_MAX_PS (SIM_TIME_MAX - REPLAY_DRAIN_PS)
/* A trace that is readable but cannot be replayed with these settings (the
 * message names the keys): a usage error, not a bad trace. */
#define REPLAY_E_SETTINGS (-64)
/* replay_on_progress is called every this many records. */
#define REPLAY_PROGRESS_RECORDS 4096u
/* The most wire frames one received super-frame is cut into: 64 KiB at
 * the smallest MSS mac.mtu allows (576 - 60 - 60 = 456 bytes) is 144. */
#define REPLAY_PIECES_MAX 160u

enum replay_timing { REPLAY_TIMING_TRACE = 0, REPLAY_TIMING_SCALED, REPLAY_TIMING_LINERATE };

struct replay_cfg {
	uint32_t timing;        /* enum replay_timing */
	uint32_t speed_pct;     /* scaled: 200 = twice as fast */
	uint32_t loops;         /* passes over the capture */
	uint32_t gap_us;        /* idle time between passes */
	uint32_t max_gap_us;    /* cut idle gaps in the capture longer than this (0 = off) */
	bool is_resegment;      /* cut received TCP super-frames (GRO/LRO) into the wire frames they were */
	uint32_t mtu;           /* the port's (mac.mtu, copied by the run): what "super" means */
	/* The wire the replay drives (copied from mac.* by the run): frames are
	 * offered no faster than it carries them, so the NIC holds one at a time. */
	uint32_t wire_rate_mbps;
	uint32_t wire_fcs_bytes;
	uint32_t wire_overhead_bytes;
};
extern const struct param_def replay_params[];

struct host_id {
	uint32_t n_ip;
	uint8_t ip[REPLAY_HOST_IPS_MAX][16];
	uint8_t ip_is_v6[REPLAY_HOST_IPS_MAX];
	bool has_mac;
	uint8_t mac[6];
	bool use_sll_type;      /* cooked capture: the packet type says */
	/* "configured", "sll packet type", "auto: most TCP SYNs received", "auto:
	 * most flows received" (either followed by what detection could not
	 * count, if anything), "none" */
	char how[160];
};

/* host.ip / host.mac parsed into id (how = "configured", or "none" for auto,
 * which replay_new then detects); -1 with a message naming the key. */
int replay_host_id_parse(const char *cfg_ip, const char *cfg_mac, struct host_id *id, char *err, size_t err_len);

struct replay_stats {
	uint64_t records, rx_frames, rx_bytes, tx_frames, tx_bytes, foreign_frames;
	uint64_t ts_clamped;                 /* frames placed at the previous frame's time (timestamp went back) */
	uint64_t reseg_superframes;          /* received super-frames cut into wire frames */
	uint64_t reseg_frames;               /* the frames they became */
	uint64_t reseg_refused;              /* received frames over the MTU that could not be cut (left whole) */
	uint64_t paced;                      /* frames the capture had closer than the line rate */
	uint64_t gaps_cut;                   /* idle gaps longer than max_gap_us, cut to it (all passes) */
	uint64_t gap_cut_us;                 /* the time they lost (all passes; saturates at INT64_MAX) */
	uint64_t truncated_tail;             /* 1 if the file ended inside a record (read as the end) */
	char truncated_msg[TRACE_ERR_MAX];
	char skip_note[TRACE_ERR_MAX];       /* the first record skipped for its length (trace_skip_note) */
	uint64_t first_ts_ps, last_ts_ps;    /* of the capture (first pass) */
	struct trace_stats trace;            /* of the last pass */
	uint64_t digest;                     /* trace_digest of the first pass */
	uint32_t passes;
};
/* The replay's counters, declared once (sim/stats.h). */
extern const struct stat_def replay_stat_defs[];

/* Called for every record read (each pass), with the replay's parse of it
 * and its direction; for flows. */
typedef void (*replay_record_fn)(void *ctx, const struct pkt *p, const struct parse_result *pr, int direction);

/* What a progress display shows (replay_on_progress). */
struct replay_progress {
	bool has_share;                      /* the file's size is known (not a pipe) */
	uint32_t share_ppm;                  /* of all passes read, in parts per million */
	uint32_t pass, passes;
	uint64_t records, rx_frames;
	uint64_t sim_now_ps;
};
typedef void (*replay_progress_fn)(void *ctx, const struct replay_progress *p);

struct replay;
/* Open the trace, read the look-ahead, find the host if id leaves it to
 * detection (how "none") and check the look-ahead's times. Returns 0, a
 * negative trace_err, REPLAY_E_SETTINGS or -1, with a message. */
int replay_new(struct replay **out, struct sim_kernel *k, struct bus *bus, struct pkt_pool *pool,
	       const char *path, const struct replay_cfg *cfg, const struct host_id *id, char *err,
	       size_t err_len);
/* The host identity in use: configured, or detected by replay_new. */
const struct host_id *replay_host(const struct replay *r);
void replay_on_record(struct replay *r, replay_record_fn fn, void *ctx);
/* Called for every frame the host sent, at its time (trace time, or as
 * replay.timing places it; not paced to the wire: the transmit path does
 * that), with the replay's parse of it. The record is lent. Unset, such
 * frames are counted and dropped. */
typedef void (*replay_send_fn)(void *ctx, struct pkt *p, const struct parse_result *pr);
void replay_on_send(struct replay *r, replay_send_fn fn, void *ctx);
/* Called for every frame put on the wire to the NIC, at that time (the
 * wire written as a capture). */
typedef void (*replay_wire_fn)(void *ctx, uint64_t t_ps, const struct pkt *p);
void replay_on_wire(struct replay *r, replay_wire_fn fn, void *ctx);
/* Called for every frame to the NIC before it goes (and before on_wire):
 * true when the gate keeps it (its own reference) to give it later with
 * replay_rx_now, which taps it (on_wire) and puts it on the wire at t_ps.
 * The offload replay rule uses it (host/chimney.h). */
typedef bool (*replay_gate_fn)(void *ctx, uint64_t t_ps, struct pkt *p);
void replay_on_rx_gate(struct replay *r, replay_gate_fn fn, void *ctx);
void replay_rx_now(struct replay *r, uint64_t t_ps, struct pkt *p);
/* Called every REPLAY_PROGRESS_RECORDS records (the caller decides whether
 * enough wall time passed to show anything). */
void replay_on_progress(struct replay *r, replay_progress_fn fn, void *ctx);
/* Read ahead the first frame and schedule it. */
int replay_start(struct replay *r);
/* 0, or the fatal trace error that stopped the replay (message in replay_error). */
int replay_status(const struct replay *r);
const char *replay_error(const struct replay *r);
const struct replay_stats *replay_stats(const struct replay *r);
const struct trace_info *replay_trace_info(const struct replay *r);
/* Where simulated time 0 is on the capture's clock: Unix seconds *base_s
 * plus *first_ps, the first record's time (under replay.timing=trace a frame
 * at simulated t was captured at base + first + t). Known once replay_new
 * has read the look-ahead. */
void replay_time_origin(const struct replay *r, int64_t *base_s, uint64_t *first_ps);
void replay_free(struct replay *r);

#endif
