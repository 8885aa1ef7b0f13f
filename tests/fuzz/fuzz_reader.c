/*
 * tests/fuzz/fuzz_reader.c — the capture reader (traces/reader.h) on any
 * bytes: pcap, pcapng, gzip or garbage.
 *
 * The input is the file. Every record delivered must respect the reader's
 * documented bounds (1 <= cap_len <= wire_len, cap_len <= TRACE_CAPLEN_MAX,
 * record numbers rising, the backwards flag consistent with the time stamps)
 * and every byte of it is read (so AddressSanitizer sees a short buffer); an
 * error must come with a message that starts with the file's name and must
 * repeat on the next call.
 *
 * Then the same bytes are gzip-compressed and read again: the gzip layer must
 * be invisible, so both reads must give the same records, counts, outcome
 * and digest (traces/reader.h: "same bytes, same digest, however they were
 * chunked or compressed"), and the same bytes consumed when the read ends
 * cleanly. Inputs that are gzip already are read once only.
 */
#include "tests/fuzz/fuzz.h"

#include <string.h>
#include <zlib.h>

#include "traces/reader.h"

struct pass {
	int rc;                  /* TRACE_EOF, or the error (from trace_open or trace_next) */
	bool is_opened;
	uint64_t delivered;
	uint64_t records_hash;   /* FNV-1a over every delivered record's fields and bytes */
	uint64_t digest;         /* trace_digest, when rc == TRACE_EOF */
	struct trace_stats stats;
	struct trace_info info;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static void check_message(const char *path, const char *err, int rc)
{
	size_t n = strlen(path);
	FUZZ_CHECK(err[0] != '\0', "error %d without a message", rc);
	FUZZ_CHECK(strncmp(err, path, n) == 0 && err[n] == ':', "error %d: message does not name the file: %s", rc,
		   err);
}

static void read_all(const char *path, struct pass *ps)
{
	char err[TRACE_ERR_MAX] = "";
	struct trace_reader *r;
	memset(ps, 0, sizeof *ps);
	ps->records_hash = 0xcbf29ce484222325ull;
	ps->rc = trace_open(&r, path, err, sizeof err);
	if (ps->rc < 0) {
		FUZZ_CHECK(r == NULL, "trace_open failed (%d) but returned a reader", ps->rc);
		check_message(path, err, ps->rc);
		return;
	}
	FUZZ_CHECK(ps->rc == TRACE_OK, "trace_open returned %d", ps->rc);
	ps->is_opened = true;
	struct trace_record rec;
	uint64_t prev_index = 0, prev_ts = 0;
	for (;;) {
		int rc = trace_next(r, &rec, err, sizeof err);
		if (rc == TRACE_EOF) {
			ps->digest = trace_digest(r);
			ps->rc = rc;
			break;
		}
		if (rc < 0) {
			check_message(path, err, rc);
			char again[TRACE_ERR_MAX] = "";
			struct trace_record rec2;
			FUZZ_CHECK(trace_next(r, &rec2, again, sizeof again) == rc, "error %d does not repeat", rc);
			ps->rc = rc;
			break;
		}
		FUZZ_CHECK(rc == TRACE_OK, "trace_next returned %d", rc);
		FUZZ_CHECK(rec.index > prev_index, "record %llu after record %llu", (unsigned long long)rec.index,
			   (unsigned long long)prev_index);
		FUZZ_CHECK(rec.cap_len >= 1 && rec.cap_len <= TRACE_CAPLEN_MAX, "record %llu: cap_len %u",
			   (unsigned long long)rec.index, rec.cap_len);
		FUZZ_CHECK(rec.cap_len <= rec.wire_len, "record %llu: cap_len %u > wire_len %u",
			   (unsigned long long)rec.index, rec.cap_len, rec.wire_len);
		if (ps->delivered > 0) {
			/* Clamping keeps the order, so the flag and the clamped
			 * time stamps must agree. */
			if (rec.is_ts_backwards)
				FUZZ_CHECK(rec.ts_ps <= prev_ts, "record %llu: flagged backwards but later",
					   (unsigned long long)rec.index);
			else
				FUZZ_CHECK(rec.ts_ps >= prev_ts, "record %llu: earlier but not flagged backwards",
					   (unsigned long long)rec.index);
		}
		uint64_t h = ps->records_hash;
		h = fnv(h, &rec.index, sizeof rec.index);
		h = fnv(h, &rec.ts_ps, sizeof rec.ts_ps);
		h = fnv(h, &rec.cap_len, sizeof rec.cap_len);
		h = fnv(h, &rec.wire_len, sizeof rec.wire_len);
		h = fnv(h, &rec.iface, sizeof rec.iface);
		h = fnv(h, &rec.is_ts_backwards, sizeof rec.is_ts_backwards);
		ps->records_hash = fnv(h, rec.data, rec.cap_len);
		prev_index = rec.index;
		prev_ts = rec.ts_ps;
		ps->delivered++;
	}
	ps->stats = *trace_get_stats(r);
	ps->info = *trace_get_info(r);
	FUZZ_CHECK(ps->stats.records == ps->delivered, "stats.records %llu, delivered %llu",
		   (unsigned long long)ps->stats.records, (unsigned long long)ps->delivered);
	trace_close(r);
}

static size_t gzip_to(const uint8_t *data, size_t size, uint8_t **out)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	/* windowBits 15 + 16: a gzip wrapper, as gzip(1) writes. */
	FUZZ_CHECK(deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK, "deflateInit2");
	size_t cap = deflateBound(&zs, size);
	*out = malloc(cap);
	FUZZ_CHECK(*out != NULL, "out of memory");
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)size;
	zs.next_out = *out;
	zs.avail_out = (uInt)cap;
	FUZZ_CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END, "deflate");
	size_t n = zs.total_out;
	deflateEnd(&zs);
	return n;
}

#define SAME(field) FUZZ_CHECK(a.field == b.field, "plain and gzip differ in " #field)

int fuzz_reader_one(const uint8_t *data, size_t size)
{
	struct pass a, b;
	read_all(fuzz_file(0, data, size), &a);
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		return 0;
	uint8_t *gz;
	size_t gz_size = gzip_to(data, size, &gz);
	read_all(fuzz_file(1, gz, gz_size), &b);
	free(gz);
	SAME(rc);
	SAME(is_opened);
	SAME(delivered);
	SAME(records_hash);
	SAME(digest);
	SAME(stats.records);
	SAME(stats.skipped_zero_len);
	SAME(stats.skipped_caplen_gt_len);
	SAME(stats.ts_backwards);
	SAME(stats.blocks_skipped);
	SAME(stats.ts_clamped);
	/* After an error a gzip stream is read to its end (to learn whether
	 * zlib has the real cause), so the bytes consumed differ then. */
	if (a.rc == TRACE_EOF)
		SAME(stats.bytes_read);
	if (a.is_opened) {
		FUZZ_CHECK(!a.info.is_gzip && b.info.is_gzip, "gzip not detected by content");
		FUZZ_CHECK(strcmp(a.info.format, b.info.format) == 0, "formats differ");
		SAME(info.is_nanosecond);
		SAME(info.is_big_endian);
		SAME(info.linktype);
		SAME(info.link);
		SAME(info.snaplen);
		SAME(info.interfaces);
		SAME(info.ts_base_s);
	}
	return 0;
}
