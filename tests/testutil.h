/*
 * tests/testutil.h — small helpers shared by the CMocka tests: where the
 * reference captures and vectors live, hex decoding, reading a JSON file,
 * temporary files.
 * (CMocka needs <stdarg.h>, <stddef.h>, <setjmp.h> before <cmocka.h>; include
 * this header first.)
 */
#ifndef NICSIM_TESTS_TESTUTIL_H
#define NICSIM_TESTS_TESTUTIL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>
#include <jansson.h>

/* Source tree root (shipped traces, golden files). */
const char *tu_src_dir(void);
/* The reference captures and their tshark CSVs: traces/ref in the source tree. */
const char *tu_ref_dir(void);
/* The published test vectors: tests/vectors in the source tree. */
const char *tu_vectors_dir(void);
/* The nicsim binary built with the tests. */
const char *tu_nicsim_bin(void);
/* snprintf into a static rotating buffer: "DIR/REL". */
const char *tu_path(const char *dir, const char *rel);
/* Decode hex (optional 0x prefix, no separators) into out; returns bytes or -1. */
int tu_hex_decode(const char *hex, uint8_t *out, size_t out_max);
/* Load a JSON file; fails the test with a message if it cannot. */
json_t *tu_load_json(const char *path);
/* A fresh temporary file path (mkstemp under $TMPDIR or /tmp); caller unlinks. */
const char *tu_tmpfile(const char *suffix);
/* Write len bytes to path; fails the test on error. */
void tu_write_file(const char *path, const void *data, size_t len);
/* Run a shell command, capture stdout into a malloc'd string; returns exit status. */
int tu_run(const char *cmd, char **out);
/* A whole file, malloc'd and NUL-terminated (*len without the NUL, if len is
 * not NULL); NULL if it cannot be opened. */
char *tu_read_file(const char *path, size_t *len);
/* Call fn(path, ctx) for every file under dir, recursively (names starting
 * with '.' skipped), whose name ends with one of the NULL-terminated
 * suffixes, in name order. Fails the test if dir cannot be read. Returns how
 * many files fn was called for. */
size_t tu_walk_files(const char *dir, const char *const *suffixes, void (*fn)(const char *path, void *ctx),
		     void *ctx);
/* The same for the files directly in dir only (subdirectories not entered). */
size_t tu_walk_dir(const char *dir, const char *const *suffixes, void (*fn)(const char *path, void *ctx), void *ctx);
/* The capture suffixes (".pcap", ".pcapng", ".pcap.gz"), for tu_walk_files. */
extern const char *const tu_capture_suffixes[];

/* The Toeplitz hash transcribed from its specification (Microsoft, "RSS
 * hashing functions"), one input bit at a time: for every set input bit,
 * MSB first, XOR in the leftmost 32 bits of the key, then shift the key left
 * by one (key bits past key_len read as zero). Slow and independent of
 * models/pkt/rss_toeplitz.c; test_rss holds it to the published vectors. */
uint32_t tu_toeplitz(const uint8_t *key, size_t key_len, const uint8_t *in, size_t in_len);

/* Building small pcap files in memory. The classic pcap header (little
 * endian, microsecond timestamps, version 2.4, snaplen 65535, Ethernet):
 * writes 24 bytes, returns 24. */
size_t tu_pcap_header(uint8_t *out);
/* One record: an Ethernet/IPv4/TCP frame of frame_len bytes (at least 54;
 * the rest is zero payload) from src:sport to dst:dport with the given TCP
 * flags, at ts_us. Checksums are left zero. Writes and returns 16 + frame_len. */
size_t tu_pcap_tcp4(uint8_t *out, uint32_t ts_us, uint32_t frame_len, const uint8_t src[4], uint16_t sport,
		    const uint8_t dst[4], uint16_t dport, uint8_t tcp_flags);

/* A run of the trace at path with the defaults and then each
 * "KEY=VALUE" of sets (NULL-terminated; sets itself may be NULL); fails
 * the test naming the setting or the run's error. run_free it. */
struct run;
struct run *tu_run_sets(const char *path, const char *const *sets);

/* libpcap's reading of an Ethernet capture, for tests to count with
 * independently of nicsim's parser: for every IPv4 or IPv6 record, fn gets
 * its addresses (4 or 16 bytes) and IP protocol (the fixed header's next
 * header for IPv6), and for TCP and UDP their flags (TCP) and L4 payload
 * length from the IP and L4 headers (0 for anything else). */
struct tu_l4 {
	bool is_ipv6;
	const uint8_t *src, *dst;
	uint8_t proto, tcp_flags;
	uint32_t payload_len;
};
void tu_pcap_l4_walk(const char *path, void (*fn)(const struct tu_l4 *l, void *ctx), void *ctx);

#endif
