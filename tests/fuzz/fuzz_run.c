/*
 * tests/fuzz/fuzz_run.c — a whole short run (sim/nicsim/run.h): a capture
 * built from the input, replayed through the NIC and the host, then both
 * reports.
 *
 * Input: 8 bytes of settings, then records. The settings pick the link type
 * and a spread of configurations (queues, CPUs, legacy or RSS, interrupt
 * moderation, replay timing, checksum offload, hash types, rebalancing,
 * ring, FIFO and buffer sizes, line rate, a snap length); each is applied
 * with config_set, as --set would. Each record is a 4-byte header (frame
 * length, big-endian 16 bits; time since the previous record in us,
 * big-endian 16 bits) and then that many frame bytes (fewer if the input
 * ends). The capture is a well-formed pcap, so the run gets past the reader
 * (fuzz_reader covers the file format) into the simulation. Time stamps
 * advance at most 65535 us a record and the run stops at 2 s of simulated
 * time (run.stop_us), with one pass (replay.loops = 1): runs stay short.
 *
 * Checked: a refused run says why; a run that finished (no event left) is
 * conserved as tests/test_run.c requires: every frame put on the wire was
 * delivered or dropped, every record was received, sent or foreign, and no
 * packet record, descriptor or DMA is left in flight.
 */
#include "tests/fuzz/fuzz.h"

#include <stdarg.h>
#include <string.h>

#include "sim/nicsim/run.h"

#define FUZZ_RUN_RECORDS_MAX 512u
#define FUZZ_RUN_SNAP_BYTES 96u
#define FUZZ_RUN_BASE_S 1000000000u   /* 2001-09-09: any plausible capture time */

static const uint32_t linktypes[] = { 1, 113, 276, 101, 228, 229 };   /* pcap LINKTYPE_* numbers */
static const char *const irq_modes[] = { "fixed", "adaptive", "off" };
static const char *const timings[] = { "trace", "scaled", "linerate" };
static const uint32_t rates_mbps[] = { 10000, 1000, 100, 40000 };

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
		FUZZ_CHECK(b->p != NULL, "out of memory");
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void put32(struct buf *b, uint32_t v)
{
	uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	put(b, le, 4);
}

/* The capture: classic pcap, little-endian, microseconds, version 2.4. */
static void build_capture(const uint8_t *s, const uint8_t *in, size_t n, struct buf *b)
{
	put32(b, 0xa1b2c3d4u);
	put32(b, 2u | (4u << 16));
	put32(b, 0);
	put32(b, 0);
	put32(b, 262144u);
	put32(b, linktypes[s[0] % (sizeof linktypes / sizeof linktypes[0])]);
	bool is_snapped = s[7] & 1u;
	uint64_t t_us = 0;
	size_t at = 0;
	for (unsigned rec = 0; rec < FUZZ_RUN_RECORDS_MAX && at + 4 <= n; rec++) {
		uint32_t len = (uint32_t)in[at] << 8 | in[at + 1];
		t_us += (uint32_t)in[at + 2] << 8 | in[at + 3];
		at += 4;
		if (len > n - at)
			len = (uint32_t)(n - at);
		if (len == 0)
			continue;
		uint32_t cap = is_snapped && len > FUZZ_RUN_SNAP_BYTES ? FUZZ_RUN_SNAP_BYTES : len;
		put32(b, FUZZ_RUN_BASE_S + (uint32_t)(t_us / 1000000u));
		put32(b, (uint32_t)(t_us % 1000000u));
		put32(b, cap);
		put32(b, len);
		put(b, in + at, cap);
		at += len;
	}
}

static void set(struct nicsim_cfg *cfg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set(struct nicsim_cfg *cfg, const char *fmt, ...)
{
	char kv[256], err[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(kv, sizeof kv, fmt, ap);
	va_end(ap);
	FUZZ_CHECK(config_set(cfg, kv, err, sizeof err) == 0, "%s: %s", kv, err);
}

static void configure(struct nicsim_cfg *cfg, const uint8_t *s)
{
	config_defaults(cfg);
	set(cfg, "run.stop_us=2000000");
	set(cfg, "replay.loops=1");
	set(cfg, "rss.queues=%u", 1u + s[1] % 16u);
	set(cfg, "host.cpus=%u", 1u + (s[1] >> 4));
	set(cfg, "host.mode=%s", s[2] & 1u ? "legacy" : "rss");
	set(cfg, "irq.mode=%s", irq_modes[(s[2] >> 1) % 3u]);
	set(cfg, "replay.timing=%s", timings[(s[2] >> 3) % 3u]);
	set(cfg, "replay.speed_pct=%u", 50u * (1u + (s[2] >> 5)));
	set(cfg, "nic.rx_csum=%s", s[3] & 1u ? "false" : "true");
	if (s[3] & 2u)
		set(cfg, "rss.hash_types=ipv4|tcp_ipv4|udp_ipv4|ipv6|tcp_ipv6|udp_ipv6|ipv6_ex|tcp_ipv6_ex|udp_ipv6_ex");
	/* irq.usecs=0 (no time limit) with irq.frames other than 1 leaves the
	 * last frames of a capture in the ring, never signalled: nicsim warns
	 * and reports them (run.frames_in_flight_at_end, test_run), but the
	 * conservation check below would count them as lost, so it is not
	 * generated. */
	uint32_t usecs = 10u * ((s[3] >> 2) & 15u);
	set(cfg, "irq.usecs=%u", usecs);
	set(cfg, "irq.frames=%u", usecs ? (unsigned)(s[3] >> 6) : 1u);
	if (s[4] & 1u) {
		set(cfg, "rebalance.policy=busiest_to_idlest");
		set(cfg, "rebalance.interval_us=%u", 100u + 50u * ((s[4] >> 1) & 15u));
		set(cfg, "rebalance.move=%s", s[4] & 0x20u ? "drain" : "immediate");
	}
	set(cfg, "host.ring_entries=%u", 8u << (s[5] % 8u));
	set(cfg, "host.dpc_budget_pkts=%u", 1u + (s[5] >> 3));
	set(cfg, "mac.rx_fifo_bytes=%u", 2048u << (s[6] % 10u));
	set(cfg, "host.buf_bytes=%u", 256u << ((s[6] >> 4) % 4u));
	if (s[7] & 2u)
		set(cfg, "rss.table_size=64");
	set(cfg, "mac.rate_mbps=%u", rates_mbps[(s[7] >> 2) % 4u]);
}

static void check_conserved(const struct run *r)
{
	uint64_t delivered = run_frames_delivered(r), dropped = run_frames_dropped(r);
	const struct replay_stats *rs = replay_stats(r->rep);
	FUZZ_CHECK(delivered + dropped == rs->rx_frames, "%llu delivered + %llu dropped != %llu on the wire",
		   (unsigned long long)delivered, (unsigned long long)dropped, (unsigned long long)rs->rx_frames);
	/* A received super-frame cut into n wire frames is one record. */
	uint64_t rx_records = rs->rx_frames - rs->reseg_frames + rs->reseg_superframes;
	FUZZ_CHECK(rx_records + rs->tx_frames + rs->foreign_frames == rs->records,
		   "records %llu != rx %llu (%llu frames cut from %llu) + tx %llu + foreign %llu",
		   (unsigned long long)rs->records, (unsigned long long)rx_records, (unsigned long long)rs->reseg_frames,
		   (unsigned long long)rs->reseg_superframes, (unsigned long long)rs->tx_frames,
		   (unsigned long long)rs->foreign_frames);
	FUZZ_CHECK(nic_tx_in_flight(r->nic) == 0 && driver_tx_in_flight(r->drv) == 0 &&
			   txstack_records_in_use(r->txs) == 0,
		   "the transmit path holds sends at the end");
	FUZZ_CHECK(pkt_pool_in_use(r->pool) == 0, "%llu packet records in use",
		   (unsigned long long)pkt_pool_in_use(r->pool));
	FUZZ_CHECK(nic_in_flight(r->nic) == 0, "NIC has frames in flight");
	FUZZ_CHECK(driver_in_flight(r->drv) == 0, "driver has frames in flight");
	FUZZ_CHECK(driver_bad_dma(r->drv) == 0, "DMA outside host memory");
}

int fuzz_run_one(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	struct nicsim_cfg cfg;
	configure(&cfg, data);
	struct buf cap = { 0 };
	build_capture(data, data + 8, size - 8, &cap);
	const char *path = fuzz_file(0, cap.p, cap.n);
	free(cap.p);

	struct run *r = NULL;
	char err[1024] = "";
	struct run_opts opts = { .want_flows = (data[7] & 0x10u) != 0 };
	int rc = run_trace(&cfg, path, &opts, &r, err, sizeof err);
	if (rc != 0) {
		FUZZ_CHECK(r == NULL && err[0] != '\0', "run refused (%d) without a message", rc);
		return 0;
	}
	if (sim_next_time_ps(r->k) == SIM_TIME_NEVER)
		check_conserved(r);
	json_t *j = report_json(r);
	FUZZ_CHECK(j != NULL, "no JSON report");
	char *s = json_dumps(j, JSON_COMPACT);
	FUZZ_CHECK(s != NULL, "JSON report does not serialise");
	free(s);
	json_decref(j);
	char *text = NULL;
	size_t text_len = 0;
	FILE *f = open_memstream(&text, &text_len);
	FUZZ_CHECK(f != NULL, "open_memstream");
	report_text(r, f);
	fclose(f);
	free(text);
	run_free(r);
	return 0;
}
