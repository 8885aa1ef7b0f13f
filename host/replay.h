/*
 * host/replay.h — puts a capture on the wire, streaming.
 *
 * Each record is parsed and classified by direction:
 *   - to the host (RX): put on the wire into the NIC at its time;
 *   - from the host (TX): counted (the transmit path is a later issue);
 *   - neither (traffic between other stations in a capture of a shared
 *     segment): counted as foreign and not replayed, as a NIC's address
 *     filter would drop it.
 * Who the host is (docs/replay.md): host.ip / host.mac when given; else for
 * Linux cooked captures the packet type (4 = outgoing); else the address that
 * is the destination of the most TCP SYNs (without ACK), or failing any, of
 * the most distinct flows, in a pre-pass over the first REPLAY_DETECT_RECORDS
 * records; ties go to the lowest address. The host MAC is then learnt from the
 * first Ethernet frame to that address, and frames to it count as RX too (the
 * same host's other address family).
 *
 * Timing: replay.timing = trace (capture timestamps, shifted to start at 0),
 * scaled (divided by replay.speed_pct/100), or linerate (all at time 0: the
 * MAC serialises them back to back). Timestamps that go backwards are
 * clamped to the previous one and counted. replay.loops repeats the capture,
 * each pass shifted after the previous one by its span plus replay.gap_us.
 *
 * Only one record is read ahead: memory does not grow with trace length.
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

#define REPLAY_DETECT_RECORDS 1000000u  /* choice: bounds the pre-pass; enough for every shared capture */
#define REPLAY_HOST_IPS_MAX 8

enum replay_timing { REPLAY_TIMING_TRACE = 0, REPLAY_TIMING_SCALED, REPLAY_TIMING_LINERATE };

struct replay_cfg {
	uint32_t timing;        /* enum replay_timing */
	uint32_t speed_pct;     /* scaled: 200 = twice as fast */
	uint32_t loops;         /* passes over the capture */
	uint32_t gap_us;        /* idle time between passes */
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

/* Work out the host identity (configured strings or detection, see above).
 * Returns 0, or a negative trace_err / -1 with a message naming the file or key. */
/* Only the configured part: host.ip / host.mac parsed into id (how =
 * "configured", or "none" for auto); -1 with a message naming the key. */
int replay_host_id_parse(const char *cfg_ip, const char *cfg_mac, struct host_id *id, char *err, size_t err_len);
int replay_identify_host(const char *path, const char *cfg_ip, const char *cfg_mac, struct host_id *id,
			 char *err, size_t err_len);

struct replay_stats {
	uint64_t records, rx_frames, rx_bytes, tx_frames, tx_bytes, foreign_frames;
	uint64_t ts_clamped;
	uint64_t paced;                      /* frames the capture had closer than the line rate */
	uint64_t truncated_tail;             /* 1 if the file ended inside a record (read as the end) */
	char truncated_msg[TRACE_ERR_MAX];
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

struct replay;
int replay_new(struct replay **out, struct sim_kernel *k, struct bus *bus, struct pkt_pool *pool,
	       const char *path, const struct replay_cfg *cfg, const struct host_id *id, char *err,
	       size_t err_len);
void replay_on_record(struct replay *r, replay_record_fn fn, void *ctx);
/* Read ahead the first frame and schedule it. */
int replay_start(struct replay *r);
/* 0, or the fatal trace error that stopped the replay (message in replay_error). */
int replay_status(const struct replay *r);
const char *replay_error(const struct replay *r);
const struct replay_stats *replay_stats(const struct replay *r);
const struct trace_info *replay_trace_info(const struct replay *r);
void replay_free(struct replay *r);

#endif
