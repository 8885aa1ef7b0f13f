/*
 * tests/test_reader.c — the streaming capture reader (traces/reader.c).
 *
 * Expected values come from outside the reader: libpcap reads every reference
 * capture (and the well-formed hand-made pcapng files) as the independent
 * oracle; the hand-made files carry timestamps and lengths worked out by
 * hand in the comments; the digest is checked against the published FNV-1a
 * test vectors (draft-eastlake-fnv, appendix) before it is used.
 */
#include "testutil.h"

#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "traces/reader.h"

#define PS_PER_S 1000000000000ull
#define PS_PER_US 1000000ull

/* ---- building files byte by byte ---- */

struct bb {
	uint8_t *p;
	size_t n, cap;
	bool is_be;
};

static void bb_put(struct bb *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (n)
		memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void bb_u8(struct bb *b, uint8_t v) { bb_put(b, &v, 1); }

static void bb_uint(struct bb *b, uint64_t v, int bytes)
{
	uint8_t t[8];
	for (int i = 0; i < bytes; i++)
		t[b->is_be ? bytes - 1 - i : i] = (uint8_t)(v >> (8 * i));
	bb_put(b, t, (size_t)bytes);
}

static void bb_u16(struct bb *b, uint16_t v) { bb_uint(b, v, 2); }
static void bb_u32(struct bb *b, uint32_t v) { bb_uint(b, v, 4); }
static void bb_u64(struct bb *b, uint64_t v) { bb_uint(b, v, 8); }

static void bb_set_u32(struct bb *b, size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b->p[at + (size_t)(b->is_be ? 3 - i : i)] = (uint8_t)(v >> (8 * i));
}

static void bb_free(struct bb *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* Packet payload that differs per record and per byte. */
static uint8_t pat(uint32_t seed, uint32_t i) { return (uint8_t)(seed * 31u + i * 7u + 1u); }

static void bb_pat(struct bb *b, uint32_t seed, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		bb_u8(b, pat(seed, i));
}

static void pcap_hdr(struct bb *b, bool is_ns, uint32_t snaplen, uint32_t linktype)
{
	bb_u32(b, is_ns ? 0xA1B23C4Du : 0xA1B2C3D4u);
	bb_u16(b, 2);
	bb_u16(b, 4);
	bb_u32(b, 0); /* thiszone */
	bb_u32(b, 0); /* sigfigs */
	bb_u32(b, snaplen);
	bb_u32(b, linktype);
}

/* A record whose data (caplen bytes of pattern `seed`) is written in full. */
static void pcap_rec(struct bb *b, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t len,
		     uint32_t seed)
{
	bb_u32(b, sec);
	bb_u32(b, frac);
	bb_u32(b, caplen);
	bb_u32(b, len);
	bb_pat(b, seed, caplen);
}

static void ng_shb(struct bb *b)
{
	bb_u32(b, 0x0A0D0D0Au);
	bb_u32(b, 28);
	bb_u32(b, 0x1A2B3C4Du);
	bb_u16(b, 1);
	bb_u16(b, 0);
	bb_u64(b, UINT64_MAX); /* section length unknown */
	bb_u32(b, 28);
}

/* tsresol < 0: no if_tsresol option; has_off: if_tsoffset = off_s. */
static void ng_idb(struct bb *b, uint16_t linktype, uint32_t snaplen, int tsresol, bool has_off,
		   int64_t off_s)
{
	uint32_t len = 20 + (tsresol >= 0 ? 8 : 0) + (has_off ? 12 : 0) +
		       ((tsresol >= 0 || has_off) ? 4 : 0);
	bb_u32(b, 1);
	bb_u32(b, len);
	bb_u16(b, linktype);
	bb_u16(b, 0);
	bb_u32(b, snaplen);
	if (tsresol >= 0) {
		bb_u16(b, 9);
		bb_u16(b, 1);
		bb_u8(b, (uint8_t)tsresol);
		bb_u8(b, 0);
		bb_u8(b, 0);
		bb_u8(b, 0);
	}
	if (has_off) {
		bb_u16(b, 14);
		bb_u16(b, 8);
		bb_u64(b, (uint64_t)off_s);
	}
	if (tsresol >= 0 || has_off) {
		bb_u16(b, 0);
		bb_u16(b, 0);
	}
	bb_u32(b, len);
}

/* EPB with optional comment option of opt_bytes bytes (0: none). */
static void ng_epb(struct bb *b, uint32_t iface, uint64_t ticks, uint32_t caplen, uint32_t len,
		   uint32_t seed, uint32_t opt_bytes)
{
	uint32_t pad = (caplen + 3) & ~3u;
	uint32_t opts = opt_bytes ? 4 + ((opt_bytes + 3) & ~3u) + 4 : 0;
	uint32_t blen = 32 + pad + opts;
	bb_u32(b, 6);
	bb_u32(b, blen);
	bb_u32(b, iface);
	bb_u32(b, (uint32_t)(ticks >> 32));
	bb_u32(b, (uint32_t)ticks);
	bb_u32(b, caplen);
	bb_u32(b, len);
	bb_pat(b, seed, caplen);
	for (uint32_t i = caplen; i < pad; i++)
		bb_u8(b, 0);
	if (opt_bytes) {
		bb_u16(b, 1); /* opt_comment */
		bb_u16(b, (uint16_t)opt_bytes);
		for (uint32_t i = 0; i < ((opt_bytes + 3) & ~3u); i++)
			bb_u8(b, i < opt_bytes ? 'c' : 0);
		bb_u16(b, 0);
		bb_u16(b, 0);
	}
	bb_u32(b, blen);
}

/* SPB carrying data_bytes of pattern `seed` (padded). */
static void ng_spb(struct bb *b, uint32_t origlen, uint32_t data_bytes, uint32_t seed)
{
	uint32_t pad = (data_bytes + 3) & ~3u;
	uint32_t blen = 16 + pad;
	bb_u32(b, 3);
	bb_u32(b, blen);
	bb_u32(b, origlen);
	bb_pat(b, seed, data_bytes);
	for (uint32_t i = data_bytes; i < pad; i++)
		bb_u8(b, 0);
	bb_u32(b, blen);
}

/* A block of another type (Name Resolution Block, 4, or any) with n body bytes. */
static void ng_other(struct bb *b, uint32_t type, uint32_t body_bytes)
{
	uint32_t blen = 12 + ((body_bytes + 3) & ~3u);
	bb_u32(b, type);
	bb_u32(b, blen);
	for (uint32_t i = 12; i < blen; i++)
		bb_u8(b, 0);
	bb_u32(b, blen);
}

static const char *write_tmp(const struct bb *b, const char *suffix)
{
	const char *p = tu_tmpfile(suffix);
	tu_write_file(p, b->p, b->n);
	return p;
}

static void gzip_file(const char *dst, const void *data, size_t len)
{
	gzFile g = gzopen(dst, "wb");
	assert_non_null(g);
	assert_int_equal(gzwrite(g, data, (unsigned)len), (int)len);
	assert_int_equal(gzclose(g), Z_OK);
}

/* ---- reading a whole file ---- */

#define GOT_RECS_MAX 16

struct got_rec {
	uint64_t index, ts_ps;
	uint32_t cap_len, wire_len, iface;
	bool is_ts_backwards;
	uint8_t data[64]; /* first bytes */
};

struct got {
	int open_rc, rc;  /* rc: the code that ended the read (TRACE_EOF or an error) */
	char err[TRACE_ERR_MAX];
	uint64_t n;
	struct got_rec recs[GOT_RECS_MAX];
	struct trace_info info;
	struct trace_stats stats;
	uint64_t digest;
};

static void read_all(const char *path, struct got *g)
{
	memset(g, 0, sizeof *g);
	struct trace_reader *r = NULL;
	g->open_rc = trace_open(&r, path, g->err, sizeof g->err);
	if (g->open_rc != TRACE_OK) {
		assert_null(r);
		g->rc = g->open_rc;
		return;
	}
	struct trace_record rec;
	int rc;
	while ((rc = trace_next(r, &rec, g->err, sizeof g->err)) == TRACE_OK) {
		if (g->n < GOT_RECS_MAX) {
			struct got_rec *o = &g->recs[g->n];
			o->index = rec.index;
			o->ts_ps = rec.ts_ps;
			o->cap_len = rec.cap_len;
			o->wire_len = rec.wire_len;
			o->iface = rec.iface;
			o->is_ts_backwards = rec.is_ts_backwards;
			memcpy(o->data, rec.data, rec.cap_len < 64 ? rec.cap_len : 64);
		}
		g->n++;
	}
	g->rc = rc;
	g->info = *trace_get_info(r);
	g->stats = *trace_get_stats(r);
	g->digest = trace_digest(r);
	trace_close(r);
}

/* Write the built capture to a temporary file (suffix picks the name) and
 * read it all; the path, for messages and drop_built. */
static const char *read_built(const struct bb *b, const char *suffix, struct got *g)
{
	const char *p = write_tmp(b, suffix);
	read_all(p, g);
	return p;
}

static void drop_built(const char *path, struct bb *b)
{
	unlink(path);
	bb_free(b);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("message \"%s\" lacks \"%s\"", hay, needle);
}

static void assert_err(const struct got *g, int code, const char *path, const char *part)
{
	if (g->rc != code)
		fail_msg("expected code %d, got %d (%s)", code, g->rc, g->err);
	assert_contains(g->err, path);
	if (part)
		assert_contains(g->err, part);
	assert_null(strchr(g->err, '\n'));
}

static void assert_data_pat(const struct got_rec *o, uint32_t seed)
{
	for (uint32_t i = 0; i < o->cap_len && i < 64; i++)
		assert_int_equal(o->data[i], pat(seed, i));
}

/* ---- the libpcap oracle ---- */

static void decompress_to(const char *src, const char *dst)
{
	gzFile g = gzopen(src, "rb");
	assert_non_null(g);
	FILE *f = fopen(dst, "wb");
	assert_non_null(f);
	static uint8_t buf[1 << 16];
	int n;
	while ((n = gzread(g, buf, sizeof buf)) > 0)
		assert_int_equal(fwrite(buf, 1, (size_t)n, f), (size_t)n);
	assert_true(n == 0);
	fclose(f);
	gzclose(g);
}

/* Read path with our reader and plain_path with libpcap (nanosecond
 * precision) and require the same records. Our reader skips what libpcap
 * delivers with caplen 0, caplen > len or len > 256 KiB (counted), so those
 * are matched against the skip counters. Returns false when libpcap cannot open the file
 * (nothing to compare against). */
static bool matches_libpcap(const char *path, const char *plain_path, uint64_t *n_out)
{
	char perr[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(plain_path, PCAP_TSTAMP_PRECISION_NANO,
							      perr);
	if (!p) {
		print_message("libpcap cannot open %s (%s): no oracle for it\n", path, perr);
		return false;
	}
	char err[TRACE_ERR_MAX];
	struct trace_reader *r;
	int rc = trace_open(&r, path, err, sizeof err);
	if (rc != TRACE_OK)
		fail_msg("%s: ours refused what libpcap opened: %s", path, err);
	uint64_t n = 0, skipped_zero = 0, skipped_gt = 0, skipped_absurd = 0, pcap_no = 0;
	for (;;) {
		struct pcap_pkthdr *h;
		const u_char *d;
		int prc = pcap_next_ex(p, &h, &d);
		if (prc == PCAP_ERROR_BREAK) {
			struct trace_record rec;
			rc = trace_next(r, &rec, err, sizeof err);
			if (rc != TRACE_EOF)
				fail_msg("%s: libpcap ended after %" PRIu64 " records, ours gave %d (%s)",
					 path, pcap_no, rc, rc < 0 ? err : "a record");
			break;
		}
		if (prc != 1) {
			/* libpcap found the file broken after pcap_no records (e.g. a
			 * trailing partial record header): ours must fail there too,
			 * naming the next record. */
			struct trace_record rec;
			rc = trace_next(r, &rec, err, sizeof err);
			if (rc >= 0)
				fail_msg("%s: libpcap failed after %" PRIu64 " records (%s), ours did not",
					 path, pcap_no, pcap_geterr(p));
			char want[64];
			snprintf(want, sizeof want, "record %" PRIu64 ":", pcap_no + 1);
			assert_contains(err, want);
			assert_contains(err, path);
			break;
		}
		pcap_no++;
		if (h->caplen == 0) {
			skipped_zero++;
			continue;
		}
		if (h->len > TRACE_WIRE_LEN_MAX) {
			skipped_absurd++;
			continue;
		}
		if (h->caplen > h->len) {
			skipped_gt++;
			continue;
		}
		struct trace_record rec;
		rc = trace_next(r, &rec, err, sizeof err);
		if (rc != TRACE_OK)
			fail_msg("%s: record %" PRIu64 ": libpcap has it, ours gave %d (%s)", path,
				 pcap_no, rc, rc < 0 ? err : "EOF");
		const struct trace_info *info = trace_get_info(r);
		int64_t ours_ns = info->ts_base_s * 1000000000ll + (int64_t)(rec.ts_ps / 1000u);
		int64_t pcap_ns = (int64_t)h->ts.tv_sec * 1000000000ll + (int64_t)h->ts.tv_usec;
		if (rec.index != pcap_no || rec.cap_len != h->caplen || rec.wire_len != h->len ||
		    ours_ns != pcap_ns || memcmp(rec.data, d, h->caplen) != 0)
			fail_msg("%s: record %" PRIu64 " differs: ours index %" PRIu64
				 " caplen %u len %u ns %" PRId64 "; libpcap caplen %u len %u ns %" PRId64,
				 path, pcap_no, rec.index, rec.cap_len, rec.wire_len, ours_ns,
				 h->caplen, h->len, pcap_ns);
		n++;
	}
	const struct trace_stats *st = trace_get_stats(r);
	assert_int_equal(st->records, n);
	assert_int_equal(st->skipped_zero_len, skipped_zero);
	assert_int_equal(st->skipped_caplen_gt_len, skipped_gt);
	assert_int_equal(st->skipped_len_absurd, skipped_absurd);
	/* libpcap reports DLT values: the same numbers, except that raw IP
	 * (LINKTYPE 101, 12, 14) becomes the platform's DLT_RAW. */
	const struct trace_info *info = trace_get_info(r);
	uint32_t dlt = (uint32_t)pcap_datalink(p);
	assert_true(dlt == info->linktype ||
		    (info->link == PARSE_LINK_RAW && (dlt == 12 || dlt == 14)));
	trace_close(r);
	pcap_close(p);
	if (n_out)
		*n_out = n;
	return true;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

struct path_list {
	char **v;
	size_t n;
};

static void collect_one(const char *path, void *ctx)
{
	struct path_list *out = ctx;
	out->v = realloc(out->v, (out->n + 1) * sizeof *out->v);
	assert_non_null(out->v);
	out->v[out->n] = strdup(path);
	assert_non_null(out->v[out->n]);
	out->n++;
}

static void collect(const char *dir, struct path_list *out) { tu_walk_files(dir, tu_capture_suffixes, collect_one, out); }

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The test's own FNV-1a 64, checked against published vectors first. */
static uint64_t ref_fnv1a64(const void *d, size_t n)
{
	const uint8_t *p = d;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The reader's definition (traces/reader.h), written independently here:
 * FNV-1a's step over little-endian 64-bit words, the last zero-padded, then
 * the length folded in. Word assembly is byte by byte, so it does not share
 * the reader's chunking code. */
static uint64_t ref_words_digest(const void *d, size_t n)
{
	const uint8_t *p = d;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = 0;
		for (size_t j = 0; j < 8 && i + j < n; j++)
			w |= (uint64_t)p[i + j] << (8 * j);
		h = (h ^ w) * 0x100000001b3ull;
	}
	return (h ^ (uint64_t)n) * 0x100000001b3ull;
}

static void test_reader_matches_libpcap_on_every_reference_capture(void **state)
{
	(void)state;
	struct path_list pl = {0};
	collect(tu_ref_dir(), &pl);
	qsort(pl.v, pl.n, sizeof *pl.v, cmp_str);
	assert_true(pl.n >= 20); /* traces/ref/README.md lists more; a missing dir is a failure */
	size_t compared = 0;
	for (size_t i = 0; i < pl.n; i++) {
		const char *path = pl.v[i];
		char plain[512];
		bool is_gz = has_suffix(path, ".gz");
		if (is_gz) {
			snprintf(plain, sizeof plain, "%s", tu_tmpfile(".pcap"));
			decompress_to(path, plain);
		} else {
			snprintf(plain, sizeof plain, "%s", path);
		}
		uint64_t n = 0;
		if (matches_libpcap(path, plain, &n))
			compared++;
		if (is_gz) {
			/* The compressed and decompressed files are the same bytes
			 * after decompression: same digest, same byte count. */
			struct got a, b;
			read_all(path, &a);
			read_all(plain, &b);
			assert_true(a.info.is_gzip);
			assert_false(b.info.is_gzip);
			assert_int_equal(a.digest, b.digest);
			assert_int_equal(a.stats.bytes_read, b.stats.bytes_read);
			/* ... and those bytes are the plain file's (the test's own digest). */
			size_t plain_len;
			char *bytes = tu_read_file(plain, &plain_len);
			assert_non_null(bytes);
			assert_true(a.digest == ref_words_digest(bytes, plain_len));
			assert_true(a.stats.bytes_read == plain_len);
			free(bytes);
			assert_int_equal(a.n, b.n);
			unlink(plain);
		}
		print_message("  %s: %" PRIu64 " records match libpcap\n", path, n);
		free(pl.v[i]);
	}
	free(pl.v);
	assert_true(compared >= 20);
}

/* ---- digest ---- */

static void test_reader_digest_is_fnv1a64_of_all_file_bytes(void **state)
{
	(void)state;
	/* draft-eastlake-fnv test vectors (FNV-1a, 64 bits). */
	assert_int_equal(ref_fnv1a64("", 0), 0xcbf29ce484222325ull);
	assert_int_equal(ref_fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);
	assert_int_equal(ref_fnv1a64("foobar", 6), 0x85944171f73967e8ull);

	struct bb b = {0};
	pcap_hdr(&b, false, 65535, 1);
	for (uint32_t i = 0; i < 3000; i++) /* ~ 2.6 MB: many window refills */
		pcap_rec(&b, 1000 + i, i, 60 + (i * 37) % 1400, 1514, i);
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	assert_int_equal(g.rc, TRACE_EOF);
	assert_int_equal(g.n, 3000);
	assert_int_equal(g.stats.bytes_read, b.n);
	/* ref_fnv1a64 is checked against the published vectors above; the word
	 * digest uses the same offset basis and prime (one word == one step). */
	assert_int_equal(ref_words_digest("", 0), 0xcbf29ce484222325ull * 0x100000001b3ull);
	assert_int_equal(g.digest, ref_words_digest(b.p, b.n));

	/* Same bytes gzip-compressed: the digest is of the decompressed bytes. */
	const char *gz = tu_tmpfile(".pcap.gz");
	gzip_file(gz, b.p, b.n);
	struct got z;
	read_all(gz, &z);
	assert_int_equal(z.rc, TRACE_EOF);
	assert_int_equal(z.digest, g.digest);
	unlink(p);
	drop_built(gz, &b);
}

/* ---- classic pcap, good files ---- */

/* Two records, hand-worked: base = 1000 s; record 1 at 1000 s + 5 us =
 * 5,000,000 ps; record 2 at 1001 s + 999,999 us = 1,999,999,000,000 ps. */
static void build_two_records(struct bb *b, bool is_be, bool is_ns)
{
	b->is_be = is_be;
	pcap_hdr(b, is_ns, 65535, 1);
	pcap_rec(b, 1000, is_ns ? 5000 : 5, 60, 60, 1);
	pcap_rec(b, 1001, is_ns ? 999999000 : 999999, 14, 100, 2);
}

static void check_two_records(const struct got *g)
{
	assert_int_equal(g->rc, TRACE_EOF);
	assert_string_equal(g->info.format, "pcap");
	assert_int_equal(g->info.linktype, 1);
	assert_string_equal(g->info.linktype_name, "ethernet");
	assert_int_equal(g->info.link, PARSE_LINK_ETH);
	assert_int_equal(g->info.snaplen, 65535);
	assert_int_equal(g->info.interfaces, 1);
	assert_int_equal(g->info.ts_base_s, 1000);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->recs[0].index, 1);
	assert_int_equal(g->recs[0].ts_ps, 5 * PS_PER_US);
	assert_int_equal(g->recs[0].cap_len, 60);
	assert_int_equal(g->recs[0].wire_len, 60);
	assert_data_pat(&g->recs[0], 1);
	assert_int_equal(g->recs[1].index, 2);
	assert_int_equal(g->recs[1].ts_ps, 1999999000000ull);
	assert_int_equal(g->recs[1].cap_len, 14);
	assert_int_equal(g->recs[1].wire_len, 100);
	assert_data_pat(&g->recs[1], 2);
	assert_false(g->recs[1].is_ts_backwards);
	assert_int_equal(g->stats.records, 2);
	assert_int_equal(g->stats.ts_backwards, 0);
	/* 24 + (16 + 60) + (16 + 14) */
	assert_int_equal(g->stats.bytes_read, 130);
}

static void test_reader_pcap_little_endian_microseconds(void **state)
{
	(void)state;
	struct bb b = {0};
	build_two_records(&b, false, false);
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	check_two_records(&g);
	assert_false(g.info.is_gzip);
	assert_false(g.info.is_big_endian);
	assert_false(g.info.is_nanosecond);
	drop_built(p, &b);
}

static void test_reader_pcap_big_endian_reads_same_records(void **state)
{
	(void)state;
	struct bb b = {0};
	build_two_records(&b, true, false);
	assert_int_equal(b.p[0], 0xA1); /* the file really is big-endian */
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	check_two_records(&g);
	assert_true(g.info.is_big_endian);
	assert_false(g.info.is_nanosecond);
	drop_built(p, &b);
}

static void test_reader_pcap_nanosecond_keeps_nanoseconds(void **state)
{
	(void)state;
	struct bb b = {0};
	build_two_records(&b, false, true);
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	check_two_records(&g);
	assert_true(g.info.is_nanosecond);
	drop_built(p, &b);

	/* A sub-microsecond part survives: 1000 s + 123,456,789 ns. */
	struct bb c = {.is_be = true};
	pcap_hdr(&c, true, 0, 1);
	pcap_rec(&c, 1000, 123456789, 20, 20, 3);
	p = write_tmp(&c, ".pcap");
	read_all(p, &g);
	assert_int_equal(g.rc, TRACE_EOF);
	assert_true(g.info.is_nanosecond);
	assert_true(g.info.is_big_endian);
	assert_int_equal(g.recs[0].ts_ps, 123456789000ull);
	drop_built(p, &c);
}

static void test_reader_accepted_link_types_map_to_parser_links(void **state)
{
	(void)state;
	/* Numbers and names from tcpdump.org/linktypes.html. */
	static const struct {
		uint32_t lt;
		const char *name;
		enum parse_link link;
	} cases[] = {
		{1, "ethernet", PARSE_LINK_ETH},   {113, "linux_sll", PARSE_LINK_SLL},
		{276, "linux_sll2", PARSE_LINK_SLL2}, {101, "raw", PARSE_LINK_RAW},
		{12, "raw", PARSE_LINK_RAW},       {14, "raw", PARSE_LINK_RAW},
		{228, "ipv4", PARSE_LINK_IPV4},    {229, "ipv6", PARSE_LINK_IPV6},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct bb b = {0};
		pcap_hdr(&b, false, 65535, cases[i].lt);
		pcap_rec(&b, 5, 0, 40, 40, 9);
		struct got g;
		const char *p = read_built(&b, ".pcap", &g);
		assert_int_equal(g.rc, TRACE_EOF);
		assert_int_equal(g.n, 1);
		assert_int_equal(g.info.linktype, cases[i].lt);
		assert_string_equal(g.info.linktype_name, cases[i].name);
		assert_int_equal(g.info.link, cases[i].link);
		drop_built(p, &b);
	}
}

static void test_reader_record_of_exactly_caplen_max_is_read(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, false, TRACE_CAPLEN_MAX, 1);
	pcap_rec(&b, 7, 0, 100, 100, 1);
	pcap_rec(&b, 7, 1, TRACE_CAPLEN_MAX, TRACE_CAPLEN_MAX, 2);
	pcap_rec(&b, 7, 2, 100, 100, 3);
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	assert_int_equal(g.rc, TRACE_EOF);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.recs[1].cap_len, TRACE_CAPLEN_MAX);
	assert_data_pat(&g.recs[1], 2);
	assert_data_pat(&g.recs[2], 3);
	drop_built(p, &b);
}

/* ---- classic pcap, bad input ---- */

static void test_reader_empty_file_is_refused_clearly(void **state)
{
	(void)state;
	const char *p = tu_tmpfile(".pcap");
	tu_write_file(p, "", 0);
	struct got g;
	read_all(p, &g);
	assert_err(&g, TRACE_E_TRUNCATED, p, "empty file");
	unlink(p);
}

static void test_reader_missing_file_is_io_error_naming_it(void **state)
{
	(void)state;
	const char *p = "/nonexistent-dir/nicsim-no-such.pcap";
	struct got g;
	read_all(p, &g);
	assert_err(&g, TRACE_E_IO, p, "No such file");
}

static void test_reader_truncated_file_header_is_refused(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, false, 65535, 1);
	b.n = 10;
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	assert_err(&g, TRACE_E_TRUNCATED, p, "expected 24 bytes, got 10");
	unlink(p);

	/* Three bytes: not even a magic number. */
	b.n = 3;
	p = write_tmp(&b, ".pcap");
	read_all(p, &g);
	assert_err(&g, TRACE_E_TRUNCATED, p, "got 3");
	drop_built(p, &b);
}

static void test_reader_bad_magic_shows_bytes_and_accepted_formats(void **state)
{
	(void)state;
	const char *p = tu_tmpfile(".pcap");
	tu_write_file(p, "GIF89a, not a capture at all", 28);
	struct got g;
	read_all(p, &g);
	assert_err(&g, TRACE_E_FORMAT, p, "47 49 46 38");
	assert_contains(g.err, "pcapng");
	assert_contains(g.err, "a1b2c3d4");
	unlink(p);
}

static void test_reader_truncated_record_header_names_record(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, false, 65535, 1);
	pcap_rec(&b, 1, 0, 60, 60, 1);
	pcap_rec(&b, 1, 1, 60, 60, 2);
	b.n = 24 + 76 + 5; /* record 2: 5 of its 16 header bytes */
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	assert_int_equal(g.n, 1); /* record 1 was delivered first */
	assert_err(&g, TRACE_E_TRUNCATED, p, "record 2:");
	assert_contains(g.err, "expected 16 bytes, got 5");
	drop_built(p, &b);
}

static void test_reader_truncated_record_data_names_record(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, false, 65535, 1);
	pcap_rec(&b, 1, 0, 60, 60, 1);
	pcap_rec(&b, 1, 1, 100, 100, 2);
	b.n = 24 + 76 + 16 + 40; /* record 2: 40 of 100 data bytes */
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	assert_int_equal(g.n, 1);
	assert_err(&g, TRACE_E_TRUNCATED, p, "record 2:");
	assert_contains(g.err, "expected 100 bytes, got 40");
	drop_built(p, &b);
}

static void test_reader_caplen_over_snaplen_names_record(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, false, 64, 1);
	pcap_rec(&b, 1, 0, 64, 64, 1);
	pcap_rec(&b, 1, 1, 65, 65, 2);
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	assert_int_equal(g.n, 1);
	assert_err(&g, TRACE_E_LIMIT, p, "record 2: caplen 65 > snaplen 64");
	drop_built(p, &b);
}

static void test_reader_absurd_caplen_is_refused_before_reading(void **state)
{
	(void)state;
	/* snaplen 0x7fffffff lets the snaplen check pass; the record claims
	 * 4 GiB - 16 and carries 8 bytes. A reader that allocated first would
	 * ask for 4 GiB (and ASan would object). */
	struct bb b = {0};
	pcap_hdr(&b, false, 0x7fffffffu, 1);
	pcap_rec(&b, 1, 0, 30, 30, 1);
	bb_u32(&b, 1);
	bb_u32(&b, 2);
	bb_u32(&b, 0xfffffff0u);
	bb_u32(&b, 0xfffffff0u);
	bb_pat(&b, 3, 8);
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	assert_int_equal(g.n, 1);
	assert_err(&g, TRACE_E_LIMIT, p, "record 2: caplen 4294967280 > 262144");
	drop_built(p, &b);

	/* snaplen 0 (no snaplen check): one byte over the maximum. */
	struct bb c = {0};
	pcap_hdr(&c, false, 0, 1);
	pcap_rec(&c, 1, 0, TRACE_CAPLEN_MAX + 1, TRACE_CAPLEN_MAX + 1, 1);
	p = write_tmp(&c, ".pcap");
	read_all(p, &g);
	assert_err(&g, TRACE_E_LIMIT, p, "record 1: caplen 262145 > 262144");
	drop_built(p, &c);
}

static void test_reader_zero_length_record_is_skipped_and_counted(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, false, 65535, 1);
	pcap_rec(&b, 1, 0, 60, 60, 1);
	pcap_rec(&b, 1, 1, 0, 60, 2);
	pcap_rec(&b, 1, 2, 50, 60, 3);
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	assert_int_equal(g.rc, TRACE_EOF);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.recs[0].index, 1);
	assert_int_equal(g.recs[1].index, 3); /* numbering counts the skipped record */
	assert_int_equal(g.recs[1].cap_len, 50);
	assert_data_pat(&g.recs[1], 3);
	assert_int_equal(g.stats.skipped_zero_len, 1);
	assert_int_equal(g.stats.records, 2);
	drop_built(p, &b);
}

static void test_reader_caplen_over_len_is_skipped_and_counted(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, false, 65535, 1);
	pcap_rec(&b, 1, 0, 60, 60, 1);
	pcap_rec(&b, 1, 1, 60, 50, 2);
	pcap_rec(&b, 1, 2, 40, 40, 3);
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	assert_int_equal(g.rc, TRACE_EOF);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.recs[1].index, 3);
	assert_data_pat(&g.recs[1], 3);
	assert_int_equal(g.stats.skipped_caplen_gt_len, 1);
	drop_built(p, &b);
}

static void test_reader_backwards_timestamp_is_flagged_and_counted(void **state)
{
	(void)state;
	/* 10.5 s, 10.2 s (backwards), 11.0 s (forward again). base 10 s. */
	struct bb b = {0};
	pcap_hdr(&b, false, 65535, 1);
	pcap_rec(&b, 10, 500000, 40, 40, 1);
	pcap_rec(&b, 10, 200000, 40, 40, 2);
	pcap_rec(&b, 11, 0, 40, 40, 3);
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	assert_int_equal(g.rc, TRACE_EOF);
	assert_int_equal(g.n, 3);
	assert_false(g.recs[0].is_ts_backwards);
	assert_true(g.recs[1].is_ts_backwards);
	assert_int_equal(g.recs[1].ts_ps, 200000 * PS_PER_US);
	assert_false(g.recs[2].is_ts_backwards);
	assert_int_equal(g.recs[2].ts_ps, PS_PER_S);
	assert_int_equal(g.stats.ts_backwards, 1);
	assert_int_equal(g.stats.ts_clamped, 0);
	drop_built(p, &b);
}

static void test_reader_timestamp_outside_2_pow_63_ps_is_clamped_and_counted(void **state)
{
	(void)state;
	/* base 1,600,000,000 s. Record 2 is before the base (clamped to 0,
	 * flagged backwards); record 3 is 300 days after it, beyond 2^63 ps
	 * (106.75 days): clamped to INT64_MAX, so no report shows a negative
	 * time. */
	struct bb b = {0};
	pcap_hdr(&b, false, 65535, 1);
	pcap_rec(&b, 1600000000u, 0, 40, 40, 1);
	pcap_rec(&b, 1599999999u, 0, 40, 40, 2);
	pcap_rec(&b, 1600000000u + 300u * 86400u, 0, 40, 40, 3);
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	assert_int_equal(g.rc, TRACE_EOF);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.info.ts_base_s, 1600000000);
	assert_int_equal(g.recs[1].ts_ps, 0);
	assert_true(g.recs[1].is_ts_backwards);
	assert_int_equal(g.recs[2].ts_ps, INT64_MAX);
	assert_false(g.recs[2].is_ts_backwards);
	assert_int_equal(g.stats.ts_clamped, 2);
	assert_int_equal(g.stats.ts_backwards, 1);
	drop_built(p, &b);
}

static void test_reader_unsupported_link_type_is_refused_by_name_and_number(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, false, 65535, 105);
	pcap_rec(&b, 1, 0, 40, 40, 1);
	struct got g;
	const char *p = read_built(&b, ".pcap", &g);
	assert_err(&g, TRACE_E_LINKTYPE, p, "link type 105 (ieee802_11) not supported");
	assert_contains(g.err, "ethernet, linux_sll, linux_sll2, raw, ipv4, ipv6");
	drop_built(p, &b);

	struct bb c = {0};
	pcap_hdr(&c, false, 65535, 300);
	p = write_tmp(&c, ".pcap");
	read_all(p, &g);
	assert_err(&g, TRACE_E_LINKTYPE, p, "link type 300 not supported");
	drop_built(p, &c);
}

static void test_reader_error_is_sticky(void **state)
{
	(void)state;
	struct bb b = {0};
	pcap_hdr(&b, false, 64, 1);
	pcap_rec(&b, 1, 0, 65, 65, 1);
	pcap_rec(&b, 1, 0, 20, 20, 1);
	const char *p = write_tmp(&b, ".pcap");
	char e1[TRACE_ERR_MAX], e2[TRACE_ERR_MAX];
	struct trace_reader *r;
	assert_int_equal(trace_open(&r, p, e1, sizeof e1), TRACE_OK);
	struct trace_record rec;
	assert_int_equal(trace_next(r, &rec, e1, sizeof e1), TRACE_E_LIMIT);
	assert_int_equal(trace_next(r, &rec, e2, sizeof e2), TRACE_E_LIMIT);
	assert_string_equal(e1, e2);
	/* A short err buffer is filled as far as it goes, never overrun. */
	char tiny[8];
	assert_int_equal(trace_next(r, &rec, tiny, sizeof tiny), TRACE_E_LIMIT);
	assert_int_equal(strlen(tiny), 7);
	trace_close(r);
	drop_built(p, &b);
}

/* ---- pcapng ---- */

static void test_reader_pcapng_two_interfaces_with_their_own_tsresol(void **state)
{
	(void)state;
	/* Interface 0: 10^-6 s ticks; interface 1: 10^-9 s ticks.
	 * EPB on 0: 1000,000,005 us = 1000 s + 5 us -> base 1000, 5,000,000 ps.
	 * EPB on 1: 1001,000,000,007 ns = 1001 s + 7 ns -> 1,000,000,007,000 ps.
	 * EPB on 0: 1002 s exactly -> 2,000,000,000,000 ps. */
	struct bb b = {0};
	ng_shb(&b);
	ng_idb(&b, 1, 0, 6, false, 0);
	ng_idb(&b, 1, 0, 9, false, 0);
	ng_epb(&b, 0, 1000000005ull, 60, 60, 1, 0);
	ng_epb(&b, 1, 1001000000007ull, 61, 70, 2, 0);
	ng_epb(&b, 0, 1002000000ull, 62, 62, 3, 0);
	struct got g;
	const char *p = read_built(&b, ".pcapng", &g);
	assert_int_equal(g.rc, TRACE_EOF);
	assert_string_equal(g.info.format, "pcapng");
	assert_int_equal(g.info.interfaces, 2);
	assert_false(g.info.is_nanosecond); /* interface 0 is microseconds */
	assert_int_equal(g.info.ts_base_s, 1000);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.recs[0].ts_ps, 5 * PS_PER_US);
	assert_int_equal(g.recs[0].iface, 0);
	assert_int_equal(g.recs[1].ts_ps, 1000000007000ull);
	assert_int_equal(g.recs[1].iface, 1);
	assert_int_equal(g.recs[1].cap_len, 61);
	assert_int_equal(g.recs[1].wire_len, 70);
	assert_data_pat(&g.recs[1], 2);
	assert_int_equal(g.recs[2].ts_ps, 2 * PS_PER_S);
	assert_int_equal(g.stats.bytes_read, b.n);
	assert_true(matches_libpcap(p, p, NULL));
	drop_built(p, &b);
}

static void test_reader_pcapng_power_of_two_tsresol_and_tsoffset(void **state)
{
	(void)state;
	/* if_tsresol 0x8a: 2^-10 s ticks; if_tsoffset 100 s.
	 * EPB 1: ticks 5*1024 + 3 -> 5 s + 3/1024 s = 5 s + 2,929,687,500 ps,
	 *        plus 100 s -> base 105, ts 2,929,687,500 ps.
	 * EPB 2: ticks 6*1024 + 1 -> 106 s + 976,562,500 ps
	 *        -> 1,000,976,562,500 ps. */
	struct bb b = {0};
	ng_shb(&b);
	ng_idb(&b, 1, 65535, 0x80 | 10, true, 100);
	ng_epb(&b, 0, 5 * 1024 + 3, 40, 40, 1, 0);
	ng_epb(&b, 0, 6 * 1024 + 1, 40, 40, 2, 0);
	struct got g;
	const char *p = read_built(&b, ".pcapng", &g);
	assert_int_equal(g.rc, TRACE_EOF);
	assert_int_equal(g.info.ts_base_s, 105);
	assert_false(g.info.is_nanosecond); /* 2^-10 s is coarser than 1 us */
	assert_int_equal(g.recs[0].ts_ps, 2929687500ull);
	assert_int_equal(g.recs[1].ts_ps, 1000976562500ull);
	assert_true(matches_libpcap(p, p, NULL));
	drop_built(p, &b);
}

static void test_reader_pcapng_spb_takes_iface0_snaplen_and_previous_time(void **state)
{
	(void)state;
	/* Interface 0 snaplen 64, default 10^-6 resolution.
	 * EPB at 1000.5 s (ts 500,000,000,000 ps from base 1000).
	 * SPB original length 100 carrying 64 bytes: caplen 64 (snaplen).
	 * SPB original length 10 carrying 10 (+2 padding): caplen 10. */
	struct bb b = {0};
	ng_shb(&b);
	ng_idb(&b, 1, 64, -1, false, 0);
	ng_epb(&b, 0, 1000500000ull, 60, 60, 1, 0);
	ng_spb(&b, 100, 64, 2);
	ng_spb(&b, 10, 10, 3);
	struct got g;
	const char *p = read_built(&b, ".pcapng", &g);
	assert_int_equal(g.rc, TRACE_EOF);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.recs[1].index, 2);
	assert_int_equal(g.recs[1].cap_len, 64);
	assert_int_equal(g.recs[1].wire_len, 100);
	assert_int_equal(g.recs[1].ts_ps, 500000000000ull);
	assert_false(g.recs[1].is_ts_backwards);
	assert_data_pat(&g.recs[1], 2);
	assert_int_equal(g.recs[2].cap_len, 10);
	assert_int_equal(g.recs[2].wire_len, 10);
	assert_int_equal(g.recs[2].ts_ps, 500000000000ull);
	assert_data_pat(&g.recs[2], 3);
	drop_built(p, &b);
}

static void test_reader_pcapng_other_blocks_are_skipped_and_counted(void **state)
{
	(void)state;
	struct bb b = {0};
	ng_shb(&b);
	ng_other(&b, 4, 20);          /* Name Resolution Block before the IDB */
	ng_idb(&b, 1, 0, -1, false, 0);
	ng_epb(&b, 0, 1, 40, 40, 1, 0);
	ng_other(&b, 5, 100);         /* Interface Statistics Block */
	ng_other(&b, 0x40000BAD, 7);  /* a custom block, padded */
	ng_epb(&b, 0, 2, 41, 41, 2, 0);
	struct got g;
	const char *p = read_built(&b, ".pcapng", &g);
	assert_int_equal(g.rc, TRACE_EOF);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.recs[1].index, 2); /* blocks are not records */
	assert_data_pat(&g.recs[1], 2);
	assert_int_equal(g.stats.blocks_skipped, 3);
	drop_built(p, &b);
}

static void test_reader_pcapng_long_options_after_packet_are_skipped(void **state)
{
	(void)state;
	/* A 5000-byte comment makes the EPB's tail longer than what is read
	 * with the packet; the record must still be intact and the next one
	 * found. */
	struct bb b = {0};
	ng_shb(&b);
	ng_idb(&b, 1, 0, -1, false, 0);
	ng_epb(&b, 0, 1, 40, 40, 1, 5000);
	size_t first_end = b.n;
	ng_epb(&b, 0, 2, 41, 41, 2, 10);
	struct got g;
	const char *p = read_built(&b, ".pcapng", &g);
	assert_int_equal(g.rc, TRACE_EOF);
	assert_int_equal(g.n, 2);
	assert_data_pat(&g.recs[0], 1);
	assert_data_pat(&g.recs[1], 2);
	assert_true(matches_libpcap(p, p, NULL));
	unlink(p);

	/* Same, with the long block's trailing length wrong: record 1 is
	 * named, though the check happens after it was handed out. */
	bb_set_u32(&b, first_end - 4, 12345);
	p = write_tmp(&b, ".pcapng");
	read_all(p, &g);
	assert_err(&g, TRACE_E_FORMAT, p, "record 1:");
	assert_contains(g.err, "trailing length 12345");
	drop_built(p, &b);
}

static void test_reader_pcapng_bad_block_length_names_record(void **state)
{
	(void)state;
	struct bb good = {0};
	ng_shb(&good);
	ng_idb(&good, 1, 0, -1, false, 0);
	ng_epb(&good, 0, 1, 40, 40, 1, 0);
	size_t epb2 = good.n;
	ng_epb(&good, 0, 2, 40, 40, 2, 0);

	/* Not a multiple of 4. */
	struct bb b = {0};
	bb_put(&b, good.p, good.n);
	bb_set_u32(&b, epb2 + 4, 75);
	struct got g;
	const char *p = read_built(&b, ".pcapng", &g);
	assert_int_equal(g.n, 1);
	assert_err(&g, TRACE_E_FORMAT, p, "record 2:");
	assert_contains(g.err, "block length 75");
	unlink(p);

	/* Below the 12-byte minimum of any block. */
	bb_set_u32(&b, epb2 + 4, 8);
	p = write_tmp(&b, ".pcapng");
	read_all(p, &g);
	assert_err(&g, TRACE_E_FORMAT, p, "record 2:");
	assert_contains(g.err, "block length 8");
	unlink(p);

	/* Trailing length disagrees with the leading one. */
	memcpy(b.p, good.p, good.n);
	bb_set_u32(&b, good.n - 4, 76);
	p = write_tmp(&b, ".pcapng");
	read_all(p, &g);
	assert_err(&g, TRACE_E_FORMAT, p, "record 2:");
	assert_contains(g.err, "trailing length 76 != leading length 72");
	unlink(p);

	/* The caplen does not fit the block. */
	memcpy(b.p, good.p, good.n);
	bb_set_u32(&b, epb2 + 20, 60);
	p = write_tmp(&b, ".pcapng");
	read_all(p, &g);
	assert_err(&g, TRACE_E_FORMAT, p, "record 2:");
	assert_contains(g.err, "caplen 60 does not fit in block length 72");
	unlink(p);

	/* A non-packet block with a bad length names its byte offset. */
	struct bb c = {0};
	bb_put(&c, good.p, epb2);
	ng_other(&c, 4, 8);
	bb_set_u32(&c, epb2 + 4, 13);
	p = write_tmp(&c, ".pcapng");
	read_all(p, &g);
	char at[64];
	snprintf(at, sizeof at, "at byte %zu", epb2);
	assert_err(&g, TRACE_E_FORMAT, p, at);
	assert_contains(g.err, "block length 13");
	drop_built(p, &c);
	bb_free(&b);
	bb_free(&good);
}

static void test_reader_pcapng_interfaces_of_different_link_types_are_refused(void **state)
{
	(void)state;
	struct bb b = {0};
	ng_shb(&b);
	ng_idb(&b, 1, 0, -1, false, 0);
	ng_idb(&b, 113, 0, -1, false, 0);
	ng_epb(&b, 0, 1, 40, 40, 1, 0);
	struct got g;
	const char *p = read_built(&b, ".pcapng", &g);
	assert_err(&g, TRACE_E_LINKTYPE, p, "113 (linux_sll)");
	assert_contains(g.err, "1 (ethernet)");
	drop_built(p, &b);
}

static void test_reader_pcapng_unsupported_link_type_is_refused(void **state)
{
	(void)state;
	struct bb b = {0};
	ng_shb(&b);
	ng_idb(&b, 127, 0, -1, false, 0);
	struct got g;
	const char *p = read_built(&b, ".pcapng", &g);
	assert_err(&g, TRACE_E_LINKTYPE, p, "link type 127 (ieee802_11_radiotap) not supported");
	drop_built(p, &b);
}

static void test_reader_pcapng_new_section_resets_interfaces(void **state)
{
	(void)state;
	/* Section 1 (little-endian): interfaces 0 (us) and 1 (us).
	 * Section 2 (big-endian): interface 0 in ns. An EPB on interface 0 of
	 * section 2 must use ns: 1001 s + 7 ns -> 1,000,000,007,000 ps from
	 * base 1000. Then an EPB on interface 1, which section 2 lacks. */
	struct bb b = {0};
	ng_shb(&b);
	ng_idb(&b, 1, 0, 6, false, 0);
	ng_idb(&b, 1, 0, 6, false, 0);
	ng_epb(&b, 1, 1000000000ull, 40, 40, 1, 0);
	b.is_be = true;
	ng_shb(&b);
	ng_idb(&b, 1, 0, 9, false, 0);
	ng_epb(&b, 0, 1001000000007ull, 41, 41, 2, 0);
	struct bb ok = {0};
	bb_put(&ok, b.p, b.n);
	ng_epb(&b, 1, 1002000000000ull, 42, 42, 3, 0);

	struct got g;
	const char *p = read_built(&ok, ".pcapng", &g);
	assert_int_equal(g.rc, TRACE_EOF);
	assert_false(g.info.is_big_endian); /* the first section's order */
	assert_int_equal(g.info.interfaces, 3);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.recs[0].ts_ps, 0);
	assert_int_equal(g.recs[1].ts_ps, 1000000007000ull);
	assert_data_pat(&g.recs[1], 2);
	unlink(p);

	p = write_tmp(&b, ".pcapng");
	read_all(p, &g);
	assert_int_equal(g.n, 2);
	assert_err(&g, TRACE_E_FORMAT, p, "record 3:");
	assert_contains(g.err, "interface 1 not defined");
	drop_built(p, &ok);
	bb_free(&b);
}

static void test_reader_pcapng_big_endian_reads_same_records(void **state)
{
	(void)state;
	struct bb b = {.is_be = true};
	ng_shb(&b);
	ng_idb(&b, 1, 0, 9, false, 0);
	ng_epb(&b, 0, 1000000000005ull, 45, 50, 1, 0);
	struct got g;
	const char *p = read_built(&b, ".pcapng", &g);
	assert_int_equal(g.rc, TRACE_EOF);
	assert_true(g.info.is_big_endian);
	assert_true(g.info.is_nanosecond);
	assert_int_equal(g.recs[0].ts_ps, 5000);
	assert_int_equal(g.recs[0].cap_len, 45);
	assert_int_equal(g.recs[0].wire_len, 50);
	assert_data_pat(&g.recs[0], 1);
	assert_true(matches_libpcap(p, p, NULL));
	drop_built(p, &b);
}

static void test_reader_pcapng_packet_before_any_interface_is_refused(void **state)
{
	(void)state;
	struct bb b = {0};
	ng_shb(&b);
	ng_epb(&b, 0, 1, 40, 40, 1, 0);
	struct got g;
	const char *p = read_built(&b, ".pcapng", &g);
	assert_err(&g, TRACE_E_FORMAT, p, "record 1:");
	assert_contains(g.err, "interface 0 not defined");
	unlink(p);

	struct bb c = {0};
	ng_shb(&c);
	p = write_tmp(&c, ".pcapng");
	read_all(p, &g);
	assert_err(&g, TRACE_E_FORMAT, p, "no interface description block");
	drop_built(p, &c);
	bb_free(&b);
}

static void test_reader_pcapng_caplen_over_snaplen_names_record(void **state)
{
	(void)state;
	struct bb b = {0};
	ng_shb(&b);
	ng_idb(&b, 1, 64, -1, false, 0);
	ng_epb(&b, 0, 1, 64, 64, 1, 0);
	ng_epb(&b, 0, 2, 65, 65, 2, 0);
	struct got g;
	const char *p = read_built(&b, ".pcapng", &g);
	assert_int_equal(g.n, 1);
	assert_err(&g, TRACE_E_LIMIT, p, "record 2: caplen 65 > snaplen 64");
	drop_built(p, &b);
}

/* ---- gzip ---- */

/* A pcap of n records with varied lengths (compresses, but not to nothing). */
static void build_many(struct bb *b, uint32_t n)
{
	pcap_hdr(b, false, 65535, 1);
	uint32_t x = 12345;
	for (uint32_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		uint32_t len = 60 + (x >> 16) % 1400;
		bb_u32(b, 1000 + i / 100);
		bb_u32(b, (i % 100) * 10000);
		bb_u32(b, len);
		bb_u32(b, len);
		for (uint32_t k = 0; k < len; k++) {
			x = x * 1103515245u + 12345u;
			bb_u8(b, (uint8_t)((x >> 24) & 0x0F)); /* 4 bits of entropy a byte */
		}
	}
}

static void test_reader_gzip_of_pcap_gives_same_records_as_plain(void **state)
{
	(void)state;
	struct bb b = {0};
	build_two_records(&b, false, false);
	/* Named .pcap: detection is by content. */
	const char *gz = tu_tmpfile(".pcap");
	gzip_file(gz, b.p, b.n);
	struct got g;
	read_all(gz, &g);
	check_two_records(&g);
	assert_true(g.info.is_gzip);
	drop_built(gz, &b);
}

static int err_record_no(const char *err)
{
	const char *s = strstr(err, "record ");
	return s ? atoi(s + 7) : -1;
}

static void test_reader_corrupt_gzip_is_reported_as_gzip_error(void **state)
{
	(void)state;
	/* gzread drops what it inflated in the call that fails (a window
	 * refill, tens of KiB), so the corruption must sit past the first
	 * refills for records to be read before the error: ~2.3 MB here. */
	struct bb b = {0};
	build_many(&b, 3000);
	assert_true(b.n > 3 * 512 * 1024);
	const char *gz = tu_tmpfile(".pcap.gz");
	gzip_file(gz, b.p, b.n);
	size_t zn;
	uint8_t *z = (uint8_t *)tu_read_file(gz, &zn);
	if (!z)
		fail_msg("%s: %s", gz, strerror(errno));
	for (size_t i = zn / 2; i < zn / 2 + 16; i++)
		z[i] ^= 0x5A;
	tu_write_file(gz, z, zn);
	struct got g;
	read_all(gz, &g);
	assert_err(&g, TRACE_E_GZIP, gz, "corrupt gzip data (");
	/* The record being read when zlib gave up, after those delivered. */
	int no = err_record_no(g.err);
	print_message("  corrupt gzip: %s (%" PRIu64 " records before)\n", g.err, g.n);
	assert_true(g.n > 0 && g.n < 3000);
	assert_true(no >= 1 && (uint64_t)no >= g.n + 1 && no <= 3001);
	free(z);
	drop_built(gz, &b);
}

static void test_reader_truncated_gzip_is_reported_naming_record(void **state)
{
	(void)state;
	struct bb b = {0};
	build_many(&b, 400);
	const char *gz = tu_tmpfile(".pcap.gz");
	gzip_file(gz, b.p, b.n);
	size_t zn;
	uint8_t *z = (uint8_t *)tu_read_file(gz, &zn);
	if (!z)
		fail_msg("%s: %s", gz, strerror(errno));
	tu_write_file(gz, z, zn / 2);
	struct got g;
	read_all(gz, &g);
	assert_err(&g, TRACE_E_GZIP, gz, "corrupt gzip data (unexpected end of file)");
	/* Everything before the cut is intact, so the error names the record
	 * right after the last one delivered. */
	assert_true(g.n > 0 && g.n < 400);
	assert_int_equal((uint64_t)err_record_no(g.err), g.n + 1);
	free(z);
	drop_built(gz, &b);
}

/* ---- robustness ---- */

/* Deterministic mutations of good files: every outcome must be a clean EOF
 * or an error whose message names the file; under the sanitizer build any
 * out-of-bounds read or leak fails the run. */
static void test_reader_mutated_files_never_crash(void **state)
{
	(void)state;
	struct bb src[3] = {{0}, {0}, {0}};
	build_many(&src[0], 20);
	ng_shb(&src[1]);
	ng_idb(&src[1], 1, 0, 9, true, -5);
	ng_idb(&src[1], 1, 100, 0x80 | 20, false, 0);
	for (uint32_t i = 0; i < 12; i++) {
		ng_epb(&src[1], i & 1, 1000000000000ull + i, 30 + i, 40, i, i == 3 ? 40 : 0);
		if (i == 5)
			ng_spb(&src[1], 80, 80, 5);
		if (i == 7)
			ng_other(&src[1], 4, 16);
	}
	build_two_records(&src[2], true, true);
	const char *p = tu_tmpfile(".bin");
	char path[512];
	snprintf(path, sizeof path, "%s", p);
	uint32_t x = 777;
	for (int iter = 0; iter < 3000; iter++) {
		const struct bb *s = &src[iter % 3];
		struct bb m = {0};
		bb_put(&m, s->p, s->n);
		x = x * 1103515245u + 12345u;
		int flips = 1 + (int)((x >> 16) % 4);
		for (int k = 0; k < flips; k++) {
			x = x * 1103515245u + 12345u;
			size_t at = (x >> 8) % m.n;
			x = x * 1103515245u + 12345u;
			m.p[at] = (x >> 20) & 1 ? (uint8_t)(x >> 12) : 0xFF;
		}
		x = x * 1103515245u + 12345u;
		if ((x >> 16) % 4 == 0)
			m.n = (x >> 4) % m.n; /* and sometimes truncate */
		tu_write_file(path, m.p, m.n);
		struct got g;
		read_all(path, &g);
		if (g.rc != TRACE_EOF) {
			assert_true(g.rc < 0);
			assert_contains(g.err, path);
		}
		bb_free(&m);
	}
	unlink(path);
	for (int i = 0; i < 3; i++)
		bb_free(&src[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_matches_libpcap_on_every_reference_capture),
		cmocka_unit_test(test_reader_digest_is_fnv1a64_of_all_file_bytes),
		cmocka_unit_test(test_reader_pcap_little_endian_microseconds),
		cmocka_unit_test(test_reader_pcap_big_endian_reads_same_records),
		cmocka_unit_test(test_reader_pcap_nanosecond_keeps_nanoseconds),
		cmocka_unit_test(test_reader_accepted_link_types_map_to_parser_links),
		cmocka_unit_test(test_reader_record_of_exactly_caplen_max_is_read),
		cmocka_unit_test(test_reader_empty_file_is_refused_clearly),
		cmocka_unit_test(test_reader_missing_file_is_io_error_naming_it),
		cmocka_unit_test(test_reader_truncated_file_header_is_refused),
		cmocka_unit_test(test_reader_bad_magic_shows_bytes_and_accepted_formats),
		cmocka_unit_test(test_reader_truncated_record_header_names_record),
		cmocka_unit_test(test_reader_truncated_record_data_names_record),
		cmocka_unit_test(test_reader_caplen_over_snaplen_names_record),
		cmocka_unit_test(test_reader_absurd_caplen_is_refused_before_reading),
		cmocka_unit_test(test_reader_zero_length_record_is_skipped_and_counted),
		cmocka_unit_test(test_reader_caplen_over_len_is_skipped_and_counted),
		cmocka_unit_test(test_reader_backwards_timestamp_is_flagged_and_counted),
		cmocka_unit_test(test_reader_timestamp_outside_2_pow_63_ps_is_clamped_and_counted),
		cmocka_unit_test(test_reader_unsupported_link_type_is_refused_by_name_and_number),
		cmocka_unit_test(test_reader_error_is_sticky),
		cmocka_unit_test(test_reader_pcapng_two_interfaces_with_their_own_tsresol),
		cmocka_unit_test(test_reader_pcapng_power_of_two_tsresol_and_tsoffset),
		cmocka_unit_test(test_reader_pcapng_spb_takes_iface0_snaplen_and_previous_time),
		cmocka_unit_test(test_reader_pcapng_other_blocks_are_skipped_and_counted),
		cmocka_unit_test(test_reader_pcapng_long_options_after_packet_are_skipped),
		cmocka_unit_test(test_reader_pcapng_bad_block_length_names_record),
		cmocka_unit_test(test_reader_pcapng_interfaces_of_different_link_types_are_refused),
		cmocka_unit_test(test_reader_pcapng_unsupported_link_type_is_refused),
		cmocka_unit_test(test_reader_pcapng_new_section_resets_interfaces),
		cmocka_unit_test(test_reader_pcapng_big_endian_reads_same_records),
		cmocka_unit_test(test_reader_pcapng_packet_before_any_interface_is_refused),
		cmocka_unit_test(test_reader_pcapng_caplen_over_snaplen_names_record),
		cmocka_unit_test(test_reader_gzip_of_pcap_gives_same_records_as_plain),
		cmocka_unit_test(test_reader_corrupt_gzip_is_reported_as_gzip_error),
		cmocka_unit_test(test_reader_truncated_gzip_is_reported_naming_record),
		cmocka_unit_test(test_reader_mutated_files_never_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
