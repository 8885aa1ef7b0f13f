/*
 * rtl/rtl_twins.h — plain C API of the Verilog twins (rtl/NAME.sv, verilated;
 * shims rtl/NAME_shim.cpp). Linked in when the build has NICSIM_HAVE_RTL=1.
 *
 * Every twin is a handle that owns its own VerilatedContext and model, so
 * handles are independent (and may live on different threads, one thread per
 * handle). Open zeroes every input, applies reset and, with a VCD path, dumps
 * every clock edge to that file (GTKWave-readable; see docs/rtl.md).
 *
 * The clock: one call to *_step() is one clock cycle. The inputs driven by
 * *_feed*() (and the write ports) are what the RTL samples on that cycle's
 * rising edge. step() returns true when the input word was accepted on that
 * edge (valid && ready); a word not accepted stays on the bus (AXI rule), an
 * accepted one is taken off it (valid low) unless fed again. *_result()
 * then tells whether an output was handed over on the same edge.
 *
 * Cycle counts: a whole operation counted from the cycle its first word is on
 * the bus to the cycle its result is handed over, both included, with no
 * stalls. They equal the C twins' contracts:
 *   Toeplitz  ceil(len / width) + RTL_TOEPLITZ_LATENCY_CYCLES  (rss_toeplitz_cycles)
 *   checksum  ceil(len / width) + RTL_CSUM_LATENCY_CYCLES      (csum_cycles)
 *   RETA      1 + RTL_RSS_INDIR_LATENCY_CYCLES
 * except for len == 0, which still needs one (empty) word: 1 cycle more.
 *
 * Errors (bad parameters, a VCD that cannot be opened): a negative errno and a
 * one-line message in err. Misuse (feeding more bytes than a word holds,
 * stepping a closed handle) is a bug in the caller and asserts. The
 * whole-operation calls expect an idle twin (nothing fed, no result waiting);
 * should the RTL never answer (a bug in it) they give up after 64 extra
 * cycles, return 0 and set *cycles to UINT32_MAX.
 */
#ifndef NICSIM_RTL_RTL_TWINS_H
#define NICSIM_RTL_RTL_TWINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RTL_TOEPLITZ_LATENCY_CYCLES 1u   /* rtl/rss_toeplitz.sv: the accumulator register is the output */
#define RTL_TOEPLITZ_KEY_BYTES_MAX 52u   /* the engine's key capacity (KEY_BYTES) */
#define RTL_TOEPLITZ_KEY_BYTES_MIN 40u   /* the NDIS key length (Microsoft rss-hashing-functions.md): set_key takes no shorter */
#define RTL_TOEPLITZ_FAULT_KEY_BIT 5     /* the key bit the faulty build flips (0 = MSB of byte 0) */
#define RTL_CSUM_LATENCY_CYCLES 2u       /* rtl/csum.sv: accumulate, fold + output register */
#define RTL_RSS_INDIR_LATENCY_CYCLES 1u  /* rtl/rss_indir.sv: one synchronous RAM read */
#define RTL_RSS_INDIR_TABLE_MAX 2048u    /* the built table capacity (TABLE_SIZE) */
#define RTL_RSS_INDIR_QUEUE_BITS 10u     /* QUEUE_W: queues 0..1023 (RSS_QUEUES_MAX) */

/* ------------------------------------------------------------ Toeplitz hash */

struct rtl_toeplitz;
struct rtl_toeplitz_params {
	uint32_t width_bytes;  /* input bytes per cycle: 4 or 8 */
	bool is_faulty;        /* the deliberately wrong build (FAULT_FLIP_KEY_BIT =
	                        * RTL_TOEPLITZ_FAULT_KEY_BIT), for negative tests; width 8 only */
};
int rtl_toeplitz_open(struct rtl_toeplitz **out, const struct rtl_toeplitz_params *p,
		      const char *vcd_path, char *err, size_t err_len);
void rtl_toeplitz_close(struct rtl_toeplitz *h);
/* Synchronous reset (2 cycles): drops any packet in flight; the key stays. */
void rtl_toeplitz_reset(struct rtl_toeplitz *h);
/* Load the key (40..52 bytes; zero-padded to 52) through the config port:
 * one clock per 32-bit word (13 cycles). Only while idle. -EINVAL on a bad length. */
int rtl_toeplitz_set_key(struct rtl_toeplitz *h, const uint8_t *key, size_t key_len);
/* Drive one input word: n_bytes (1..width, or 0 only with is_last) from bytes, lane 0 first. */
void rtl_toeplitz_feed(struct rtl_toeplitz *h, const uint8_t *bytes, uint32_t n_bytes, bool is_last);
/* Drive no word (valid low): a stall. */
void rtl_toeplitz_feed_idle(struct rtl_toeplitz *h);
/* Output backpressure: ready low holds the hash and stalls the input. Default true. */
void rtl_toeplitz_set_out_ready(struct rtl_toeplitz *h, bool is_ready);
/* One clock. Returns true if the driven word was accepted on this edge. */
bool rtl_toeplitz_step(struct rtl_toeplitz *h);
/* After a step: true and *hash if a hash was handed over on that edge. */
bool rtl_toeplitz_result(const struct rtl_toeplitz *h, uint32_t *hash);
/* A packet part-way in or a hash waiting (the RTL's busy output). */
bool rtl_toeplitz_is_busy(const struct rtl_toeplitz *h);
/* Clock cycles since open. */
uint64_t rtl_toeplitz_cycle(const struct rtl_toeplitz *h);
/* One whole hash of in[0..len) (len <= 48): feeds it back to back and
 * returns the hash; *cycles (if not NULL) gets the cycles it took. */
uint32_t rtl_toeplitz_hash(struct rtl_toeplitz *h, const uint8_t *in, size_t len, uint32_t *cycles);

/* --------------------------------------------------------- Internet checksum */

struct rtl_csum;
struct rtl_csum_params {
	uint32_t width_bytes;  /* input bytes per cycle: 4 or 8 */
};
int rtl_csum_open(struct rtl_csum **out, const struct rtl_csum_params *p,
		  const char *vcd_path, char *err, size_t err_len);
void rtl_csum_close(struct rtl_csum *h);
void rtl_csum_reset(struct rtl_csum *h);
/* Drive the per-packet sideband, sampled with a packet's first word: the
 * range starts start_bytes into the stream (bytes before it are not summed);
 * init is the initial partial sum (e.g. the pseudo-header's). Held until changed. */
void rtl_csum_set_packet(struct rtl_csum *h, uint32_t start_bytes, uint32_t init);
void rtl_csum_feed(struct rtl_csum *h, const uint8_t *bytes, uint32_t n_bytes, bool is_last);
void rtl_csum_feed_idle(struct rtl_csum *h);
void rtl_csum_set_out_ready(struct rtl_csum *h, bool is_ready);
bool rtl_csum_step(struct rtl_csum *h);
/* After a step: true and *sum (the folded 16-bit ones'-complement sum, not
 * complemented: csum_fold(csum_partial(range, len, init))) if handed over. */
bool rtl_csum_result(const struct rtl_csum *h, uint16_t *sum);
bool rtl_csum_is_busy(const struct rtl_csum *h);
uint64_t rtl_csum_cycle(const struct rtl_csum *h);
/* Folded sum of data[0..len) plus init, streamed from lane 0;
 * cycles = ceil(len / width) + RTL_CSUM_LATENCY_CYCLES. */
uint16_t rtl_csum_sum(struct rtl_csum *h, const uint8_t *data, size_t len, uint32_t init, uint32_t *cycles);
/* Several sums in one go, the ranges streamed back to back (a range's first
 * word in the cycle after the previous range's last), as the NIC sums an IPv4
 * header and then its TCP/UDP segment: sums[i] and cycles[i] are what
 * rtl_csum_sum would give for segs[i] alone (cycles from the range's first
 * word on the bus to its sum's hand-over), but the pipeline overlaps one
 * range's latency with the next range's words, so the whole takes fewer
 * clocks to simulate. n is 1..RTL_CSUM_SEGS_MAX; cycles may be NULL. Returns
 * 0, -EINVAL for a bad n, or -EIO if the RTL stopped answering (cycles[i] =
 * UINT32_MAX; the twin is reset). */
#define RTL_CSUM_SEGS_MAX 4
struct rtl_csum_seg {
	const uint8_t *data;
	size_t len;
	uint32_t init;   /* initial partial sum */
};
int rtl_csum_sums(struct rtl_csum *h, const struct rtl_csum_seg *segs, size_t n, uint16_t *sums, uint32_t *cycles);
/* Folded sum of frame[start..end) plus init, the frame word-aligned as it
 * comes off the MAC: streamed from the word holding byte start, with the start
 * offset doing the rest; cycles = ceil(end / w) - floor(start / w) + latency. */
uint16_t rtl_csum_range(struct rtl_csum *h, const uint8_t *frame, size_t start, size_t end, uint32_t init,
			uint32_t *cycles);

/* ------------------------------------------------------ RSS indirection table */

struct rtl_rss_indir;
struct rtl_rss_indir_params {
	uint32_t table_size;   /* active entries: power of two, 2..RTL_RSS_INDIR_TABLE_MAX */
};
int rtl_rss_indir_open(struct rtl_rss_indir **out, const struct rtl_rss_indir_params *p,
		       const char *vcd_path, char *err, size_t err_len);
void rtl_rss_indir_close(struct rtl_rss_indir *h);
/* Resets the lookup pipe; the table entries stay (they are RAM). */
void rtl_rss_indir_reset(struct rtl_rss_indir *h);
/* Drive the write port for the next step (entry index <- queue). */
void rtl_rss_indir_write(struct rtl_rss_indir *h, uint32_t index, uint16_t queue);
/* Drive a lookup for the next step. */
void rtl_rss_indir_feed(struct rtl_rss_indir *h, uint32_t hash);
void rtl_rss_indir_feed_idle(struct rtl_rss_indir *h);
void rtl_rss_indir_set_out_ready(struct rtl_rss_indir *h, bool is_ready);
/* One clock. Returns true if the driven lookup was accepted on this edge. */
bool rtl_rss_indir_step(struct rtl_rss_indir *h);
/* After a step: true, *queue (and *index if not NULL) if a lookup was handed over. */
bool rtl_rss_indir_result(const struct rtl_rss_indir *h, uint16_t *queue, uint32_t *index);
bool rtl_rss_indir_is_busy(const struct rtl_rss_indir *h);
uint64_t rtl_rss_indir_cycle(const struct rtl_rss_indir *h);
/* Write one entry (one clock). -EINVAL if index >= table_size or queue >= 2^QUEUE_BITS. */
int rtl_rss_indir_table_set(struct rtl_rss_indir *h, uint32_t index, uint16_t queue);
/* One lookup: the queue for hash; *cycles = 1 + RTL_RSS_INDIR_LATENCY_CYCLES. */
uint16_t rtl_rss_indir_lookup(struct rtl_rss_indir *h, uint32_t hash, uint32_t *cycles);

#ifdef __cplusplus
}
#endif

#endif
