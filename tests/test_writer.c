/*
 * tests/test_writer.c — the capture writer (traces/writer.c).
 *
 * Expected values come from outside the writer: libpcap reads every file
 * written (bytes, lengths, nanosecond timestamps, link type, snaplen);
 * tshark reads the pcapng direction (libpcap 1.10 does not expose
 * epb_flags); the layout of a one-frame pcapng is checked word by word
 * against the block lengths worked out by hand from draft-ietf-opsawg-pcapng
 * §4.1-4.3. traces/reader.c reads the same files as a second opinion. The
 * timestamps in the frame table are written out by hand, not computed.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "traces/reader.h"
#include "traces/writer.h"

#define LINKTYPE_ETHERNET 1u
#define SNAPLEN 128u
#define BASE_S 1700000000ll

/* Frame payload that differs per frame and per byte. */
static uint8_t pat(uint32_t seed, uint32_t i) { return (uint8_t)(seed * 31u + i * 7u + 1u); }

struct frame {
	uint64_t t_ps;
	uint32_t cap_len, wire_len;
	enum trace_dir dir;
	/* What a reader must see, worked by hand from BASE_S + t_ps / 1000 ns. */
	int64_t want_s;
	uint32_t want_ns;
	uint32_t want_cap, want_wire;
	const char *want_dir; /* tshark's frame.packet_flags_direction, "" if absent */
};

static const struct frame frames[] = {
	/* At t = 0: the base second itself; 60 bytes, no padding. */
	{ 0, 60, 60, TRACE_DIR_IN, 1700000000, 0, 60, 60, "0x00000001" },
	/* 999 ps below the next second: the ps are dropped, not rounded up, and
	 * 61 bytes need 3 bytes of padding. */
	{ 999999999999ull, 61, 61, TRACE_DIR_OUT, 1700000000, 999999999, 61, 61, "0x00000002" },
	/* Exactly one second: the second boundary; 62 bytes (2 of padding). */
	{ 1000000000000ull, 62, 62, TRACE_DIR_UNKNOWN, 1700000001, 0, 62, 62, "" },
	/* Truncated: 63 of 1514 bytes captured, 123 ns and 456 ps. */
	{ 1000000123456ull, 63, 1514, TRACE_DIR_IN, 1700000001, 123, 63, 1514, "0x00000001" },
	/* One byte (3 of padding), half a second and one ps. */
	{ 2500000000001ull, 1, 1, TRACE_DIR_OUT, 1700000002, 500000000, 1, 1, "0x00000002" },
	/* Longer than SNAPLEN: cut to 128 bytes, wire length kept. */
	{ 3000000007000ull, 200, 200, TRACE_DIR_UNKNOWN, 1700000003, 7, SNAPLEN, 200, "" },
};
#define NFRAMES (sizeof frames / sizeof frames[0])

static void frame_data(uint32_t seed, uint32_t n, uint8_t *out)
{
	for (uint32_t i = 0; i < n; i++)
		out[i] = pat(seed, i);
}

static void write_frames(const char *path, enum trace_write_format fmt)
{
	char err[256];
	struct trace_writer *w;
	if (trace_writer_open(&w, path, fmt, LINKTYPE_ETHERNET, SNAPLEN, BASE_S, err, sizeof err) != 0)
		fail_msg("open %s: %s", path, err);
	uint8_t buf[256];
	for (uint32_t i = 0; i < NFRAMES; i++) {
		frame_data(i, frames[i].cap_len, buf);
		assert_int_equal(trace_writer_put(w, frames[i].t_ps, buf, frames[i].cap_len, frames[i].wire_len,
						  frames[i].dir),
				 0);
	}
	assert_int_equal(trace_writer_frames(w), NFRAMES);
	if (trace_writer_close(w, err, sizeof err) != 0)
		fail_msg("close %s: %s", path, err);
}

/* libpcap, nanosecond precision: every frame as the table says. */
static void check_with_libpcap(const char *path)
{
	char perr[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!p)
		fail_msg("libpcap cannot open %s: %s", path, perr);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	assert_int_equal(pcap_snapshot(p), SNAPLEN);
	uint8_t want[256];
	for (uint32_t i = 0; i < NFRAMES; i++) {
		struct pcap_pkthdr *h;
		const u_char *d;
		int rc = pcap_next_ex(p, &h, &d);
		if (rc != 1)
			fail_msg("%s: frame %u: libpcap says %d (%s)", path, i + 1, rc, pcap_geterr(p));
		const struct frame *f = &frames[i];
		if ((int64_t)h->ts.tv_sec != f->want_s || (uint32_t)h->ts.tv_usec != f->want_ns || h->caplen != f->want_cap ||
		    h->len != f->want_wire)
			fail_msg("%s: frame %u: libpcap reads %lld.%09ld caplen %u len %u, want %lld.%09u caplen %u len %u",
				 path, i + 1, (long long)h->ts.tv_sec, (long)h->ts.tv_usec, h->caplen, h->len,
				 (long long)f->want_s, f->want_ns, f->want_cap, f->want_wire);
		frame_data(i, f->want_cap, want);
		assert_memory_equal(d, want, f->want_cap);
	}
	struct pcap_pkthdr *h;
	const u_char *d;
	assert_int_equal(pcap_next_ex(p, &h, &d), PCAP_ERROR_BREAK); /* and nothing after */
	pcap_close(p);
}

/* The project's own reader agrees (a second opinion, not the oracle). */
static void check_with_reader(const char *path, const char *want_format)
{
	char err[TRACE_ERR_MAX];
	struct trace_reader *r;
	if (trace_open(&r, path, err, sizeof err) != TRACE_OK)
		fail_msg("reader: %s", err);
	uint8_t want[256];
	for (uint32_t i = 0; i < NFRAMES; i++) {
		struct trace_record rec;
		int rc = trace_next(r, &rec, err, sizeof err);
		if (rc != TRACE_OK)
			fail_msg("reader: frame %u: %d %s", i + 1, rc, rc < 0 ? err : "EOF");
		const struct frame *f = &frames[i];
		const struct trace_info *info = trace_get_info(r);
		/* The reader counts from the first record's whole second. */
		assert_int_equal(info->ts_base_s, BASE_S);
		uint64_t want_ps = (uint64_t)(f->want_s - BASE_S) * 1000000000000ull + (uint64_t)f->want_ns * 1000ull;
		assert_int_equal(rec.ts_ps, want_ps);
		assert_int_equal(rec.cap_len, f->want_cap);
		assert_int_equal(rec.wire_len, f->want_wire);
		frame_data(i, f->want_cap, want);
		assert_memory_equal(rec.data, want, f->want_cap);
	}
	struct trace_record rec;
	assert_int_equal(trace_next(r, &rec, err, sizeof err), TRACE_EOF);
	const struct trace_info *info = trace_get_info(r);
	assert_string_equal(info->format, want_format);
	assert_true(info->is_nanosecond);
	assert_int_equal(info->linktype, LINKTYPE_ETHERNET);
	assert_int_equal(info->snaplen, SNAPLEN);
	const struct trace_stats *st = trace_get_stats(r);
	assert_int_equal(st->records, NFRAMES);
	assert_int_equal(st->skipped_zero_len + st->skipped_caplen_gt_len + st->skipped_len_absurd, 0);
	trace_close(r);
}

static void test_writer_pcap_reads_back_in_libpcap_and_reader(void **state)
{
	(void)state;
	const char *path = tu_tmpfile(".pcap");
	write_frames(path, TRACE_WRITE_PCAP);
	check_with_libpcap(path);
	check_with_reader(path, "pcap");
	/* 24-byte header, then 16 + caplen per record, no padding:
	 * 24 + 6*16 + 60+61+62+63+1+128 = 495. */
	size_t len;
	char *bytes = tu_read_file(path, &len);
	assert_non_null(bytes);
	assert_int_equal(len, 495);
	uint32_t magic;
	memcpy(&magic, bytes, 4);
	assert_int_equal(magic, 0xA1B23C4Du);
	free(bytes);
	unlink(path);
}

static void test_writer_pcapng_reads_back_in_libpcap_and_reader(void **state)
{
	(void)state;
	const char *path = tu_tmpfile(".pcapng");
	write_frames(path, TRACE_WRITE_PCAPNG);
	check_with_libpcap(path);
	check_with_reader(path, "pcapng");
	/* SHB 28 + IDB 32, then per EPB 28 + padded data + 4, and 12 more
	 * with epb_flags: 104, 108, 96, 108, 48, 160 = 624; total 684. */
	size_t len;
	char *bytes = tu_read_file(path, &len);
	assert_non_null(bytes);
	assert_int_equal(len, 684);
	free(bytes);
	unlink(path);
}

static bool have_tshark(void)
{
	char *o;
	int rc = tu_run("command -v tshark >/dev/null 2>&1", &o);
	free(o);
	return rc == 0;
}

/* Wireshark 4.0 shows epb_flags' direction bits as
 * frame.packet_flags_direction (`tshark -G fields | grep -i direction`);
 * a frame without the option has no such field. */
static void test_writer_pcapng_direction_is_what_tshark_sees(void **state)
{
	(void)state;
	if (!have_tshark()) {
		print_message("tshark is not installed: skipping the direction check\n");
		skip();
	}
	const char *path = tu_tmpfile(".pcapng");
	write_frames(path, TRACE_WRITE_PCAPNG);
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "tshark -r '%s' -T fields -e frame.packet_flags_direction -e frame.len 2>/dev/null",
		 path);
	char *o;
	int rc = tu_run(cmd, &o);
	if (rc != 0)
		fail_msg("tshark exit %d on %s:\n%s", rc, path, o);
	char want[1024] = "";
	size_t n = 0;
	for (uint32_t i = 0; i < NFRAMES; i++)
		n += (size_t)snprintf(want + n, sizeof want - n, "%s\t%u\n", frames[i].want_dir, frames[i].want_wire);
	assert_string_equal(o, want);
	free(o);
	unlink(path);
}

static uint32_t word(const uint8_t *b, size_t at)
{
	uint32_t v;
	memcpy(&v, b + at, 4);
	return v;
}

/* One 5-byte outbound frame, the whole file laid out by hand:
 *   SHB: type 0x0A0D0D0A, length 28, magic, 1.0, section length -1, 28
 *   IDB: type 1, length 32, link type 1 + reserved, snaplen, if_tsresol
 *        (code 9, length 1, value 9, 3 bytes padding), opt_endofopt, 32
 *   EPB: type 6, length 28 + 8 (5 bytes + 3 padding) + 8 (epb_flags)
 *        + 4 (opt_endofopt) + 4 = 52; interface 0; 1 s + 2 ns after the
 *        epoch with base_s 1 = 1000000002 ns = 0x3B9ACA02 (high word 0);
 *        caplen 5, len 9; option 2 length 4 value 2; 0; 52. */
static void test_writer_pcapng_layout_matches_the_draft(void **state)
{
	(void)state;
	const char *path = tu_tmpfile(".pcapng");
	char err[256];
	struct trace_writer *w;
	assert_int_equal(trace_writer_open(&w, path, TRACE_WRITE_PCAPNG, 1, 65535, 1, err, sizeof err), 0);
	const uint8_t data[5] = { 0xde, 0xad, 0xbe, 0xef, 0x42 };
	assert_int_equal(trace_writer_put(w, 2000, data, 5, 9, TRACE_DIR_OUT), 0);
	assert_int_equal(trace_writer_close(w, err, sizeof err), 0);

	size_t len;
	uint8_t *b = (uint8_t *)tu_read_file(path, &len);
	assert_non_null(b);
	assert_int_equal(len, 28 + 32 + 52);
	/* SHB */
	assert_int_equal(word(b, 0), 0x0A0D0D0Au);
	assert_int_equal(word(b, 4), 28);
	assert_int_equal(word(b, 8), 0x1A2B3C4Du);
	uint16_t ver[2];
	memcpy(ver, b + 12, 4);
	assert_int_equal(ver[0], 1);
	assert_int_equal(ver[1], 0);
	assert_int_equal(word(b, 16), 0xFFFFFFFFu);
	assert_int_equal(word(b, 20), 0xFFFFFFFFu);
	assert_int_equal(word(b, 24), 28);
	/* IDB */
	const uint8_t *i = b + 28;
	assert_int_equal(word(i, 0), 1);
	assert_int_equal(word(i, 4), 32);
	uint16_t lt[2];
	memcpy(lt, i + 8, 4);
	assert_int_equal(lt[0], 1);
	assert_int_equal(lt[1], 0);
	assert_int_equal(word(i, 12), 65535);
	uint16_t opt[2];
	memcpy(opt, i + 16, 4);
	assert_int_equal(opt[0], 9);
	assert_int_equal(opt[1], 1);
	static const uint8_t tsresol[4] = { 9, 0, 0, 0 };
	assert_memory_equal(i + 20, tsresol, 4);
	assert_int_equal(word(i, 24), 0);
	assert_int_equal(word(i, 28), 32);
	/* EPB */
	const uint8_t *e = b + 60;
	assert_int_equal(word(e, 0), 6);
	assert_int_equal(word(e, 4), 52);
	assert_int_equal(word(e, 8), 0);
	assert_int_equal(word(e, 12), 0);
	assert_int_equal(word(e, 16), 0x3B9ACA02u);
	assert_int_equal(word(e, 20), 5);
	assert_int_equal(word(e, 24), 9);
	static const uint8_t padded[8] = { 0xde, 0xad, 0xbe, 0xef, 0x42, 0, 0, 0 };
	assert_memory_equal(e + 28, padded, 8);
	memcpy(opt, e + 36, 4);
	assert_int_equal(opt[0], 2);
	assert_int_equal(opt[1], 4);
	assert_int_equal(word(e, 40), 2);
	assert_int_equal(word(e, 44), 0);
	assert_int_equal(word(e, 48), 52);
	free(b);
	unlink(path);
}

/* One frame at t_ps with base_s, read back by libpcap at ns precision. */
static void one_frame_libpcap_time(enum trace_write_format fmt, int64_t base_s, uint64_t t_ps, long long *sec,
				   long *ns)
{
	const char *path = tu_tmpfile(fmt == TRACE_WRITE_PCAP ? ".pcap" : ".pcapng");
	char err[256];
	struct trace_writer *w;
	assert_int_equal(trace_writer_open(&w, path, fmt, 1, 0, base_s, err, sizeof err), 0);
	const uint8_t data[14] = { 0 };
	assert_int_equal(trace_writer_put(w, t_ps, data, sizeof data, sizeof data, TRACE_DIR_UNKNOWN), 0);
	assert_int_equal(trace_writer_close(w, err, sizeof err), 0);
	char perr[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!p)
		fail_msg("libpcap cannot open %s: %s", path, perr);
	/* snaplen 0 asked for: written as libpcap's largest, 262144. */
	assert_int_equal(pcap_snapshot(p), 262144);
	struct pcap_pkthdr *h;
	const u_char *d;
	assert_int_equal(pcap_next_ex(p, &h, &d), 1);
	*sec = (long long)h->ts.tv_sec;
	*ns = (long)h->ts.tv_usec;
	pcap_close(p);
	unlink(path);
}

/* A time before 1970 is written as the epoch; one past the format's end as
 * its last nanosecond. pcapng's end is 2^64 - 1 ns = 18446744073 s and
 * 709551615 ns. */
static void test_writer_time_out_of_range_is_clamped(void **state)
{
	(void)state;
	long long s;
	long ns;
	one_frame_libpcap_time(TRACE_WRITE_PCAP, -5, 1000, &s, &ns);
	assert_true(s == 0 && ns == 0);
	one_frame_libpcap_time(TRACE_WRITE_PCAPNG, -5, 1000, &s, &ns);
	assert_true(s == 0 && ns == 0);
	/* -1 s + 1.5 s = 0.5 s: only the total is clamped, not base_s alone. */
	one_frame_libpcap_time(TRACE_WRITE_PCAPNG, -1, 1500000000000ull, &s, &ns);
	assert_true(s == 0 && ns == 500000000);
	one_frame_libpcap_time(TRACE_WRITE_PCAPNG, INT64_MAX, UINT64_MAX, &s, &ns);
	assert_true(s == 18446744073ll && ns == 709551615);
	one_frame_libpcap_time(TRACE_WRITE_PCAPNG, INT64_MIN, UINT64_MAX, &s, &ns);
	assert_true(s == 0 && ns == 0);

	/* pcap's seconds are 32 bits unsigned (the draft, Wireshark); libpcap
	 * 1.10 reads them signed, so the clamped end is checked in the bytes:
	 * record header at offset 24, seconds then nanoseconds. */
	const char *path = tu_tmpfile(".pcap");
	char err[256];
	struct trace_writer *w;
	assert_int_equal(trace_writer_open(&w, path, TRACE_WRITE_PCAP, 1, 65535, INT64_MAX, err, sizeof err), 0);
	const uint8_t data[14] = { 0 };
	assert_int_equal(trace_writer_put(w, 0, data, sizeof data, sizeof data, TRACE_DIR_UNKNOWN), 0);
	assert_int_equal(trace_writer_close(w, err, sizeof err), 0);
	size_t len;
	uint8_t *b = (uint8_t *)tu_read_file(path, &len);
	assert_non_null(b);
	assert_int_equal(len, 24 + 16 + 14);
	assert_int_equal(word(b, 24), 0xFFFFFFFFu);
	assert_int_equal(word(b, 28), 999999999u);
	free(b);
	unlink(path);
}

/* "-" is standard output: with fd 1 pointed at a file, libpcap reads it. */
static void test_writer_dash_writes_to_stdout(void **state)
{
	(void)state;
	const char *path = tu_tmpfile(".pcap");
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	int fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_true(dup2(fd, STDOUT_FILENO) >= 0);
	close(fd);
	write_frames("-", TRACE_WRITE_PCAP);
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	check_with_libpcap(path);
	unlink(path);
}

/* /dev/full fails every write with ENOSPC. The writer's buffer hides the
 * first failures, so after enough frames to fill it a put fails, later
 * puts are dropped, and close names the file and the cause. */
static void test_writer_full_disk_is_reported_at_close_naming_file(void **state)
{
	(void)state;
	char err[256];
	struct trace_writer *w;
	assert_int_equal(trace_writer_open(&w, "/dev/full", TRACE_WRITE_PCAPNG, 1, 65535, 0, err, sizeof err), 0);
	static uint8_t data[1500];
	int rc = 0;
	uint32_t i;
	for (i = 0; i < 4000 && rc == 0; i++)
		rc = trace_writer_put(w, (uint64_t)i * 1000000, data, sizeof data, sizeof data, TRACE_DIR_OUT);
	assert_int_equal(rc, -1);
	uint64_t written = trace_writer_frames(w);
	assert_true(written < i);
	assert_int_equal(trace_writer_put(w, 0, data, 60, 60, TRACE_DIR_IN), -1);
	assert_int_equal(trace_writer_frames(w), written);
	char want[256];
	snprintf(want, sizeof want, "/dev/full: %s", strerror(ENOSPC));
	assert_int_equal(trace_writer_close(w, err, sizeof err), -1);
	assert_string_equal(err, want);

	/* A few small frames stay in the buffer: the error comes from the
	 * final flush, still at close. */
	assert_int_equal(trace_writer_open(&w, "/dev/full", TRACE_WRITE_PCAP, 1, 65535, 0, err, sizeof err), 0);
	assert_int_equal(trace_writer_put(w, 0, data, 60, 60, TRACE_DIR_UNKNOWN), 0);
	strcpy(err, "untouched");
	assert_int_equal(trace_writer_close(w, err, sizeof err), -1);
	assert_string_equal(err, want);
}

static void test_writer_close_null_is_zero(void **state)
{
	(void)state;
	char err[64] = "untouched";
	assert_int_equal(trace_writer_close(NULL, err, sizeof err), 0);
	assert_string_equal(err, "untouched");
	assert_int_equal(trace_writer_frames(NULL), 0);
	assert_int_equal(trace_writer_put(NULL, 0, NULL, 0, 0, TRACE_DIR_UNKNOWN), -1);
}

static void test_writer_open_failure_names_file(void **state)
{
	(void)state;
	char err[256];
	struct trace_writer *w = (struct trace_writer *)&w; /* must be cleared */
	const char *bad = "/nonexistent-dir-for-nicsim/x.pcap";
	assert_int_equal(trace_writer_open(&w, bad, TRACE_WRITE_PCAP, 1, 65535, 0, err, sizeof err), -1);
	assert_null(w);
	char want[256];
	snprintf(want, sizeof want, "%s: %s", bad, strerror(ENOENT));
	assert_string_equal(err, want);

	/* pcapng holds a link type in 16 bits. */
	const char *path = tu_tmpfile(".pcapng");
	assert_int_equal(trace_writer_open(&w, path, TRACE_WRITE_PCAPNG, 70000, 65535, 0, err, sizeof err), -1);
	assert_null(w);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "70000"));
	unlink(path);
}

/* A caller's slip is an error kept for close, not a crash. */
static void test_writer_frame_without_data_is_an_error_at_close(void **state)
{
	(void)state;
	const char *path = tu_tmpfile(".pcap");
	char err[256];
	struct trace_writer *w;
	assert_int_equal(trace_writer_open(&w, path, TRACE_WRITE_PCAP, 1, 65535, 0, err, sizeof err), 0);
	assert_int_equal(trace_writer_put(w, 0, NULL, 10, 10, TRACE_DIR_UNKNOWN), -1);
	assert_int_equal(trace_writer_frames(w), 0);
	assert_int_equal(trace_writer_close(w, err, sizeof err), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "frame 1"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_pcap_reads_back_in_libpcap_and_reader),
		cmocka_unit_test(test_writer_pcapng_reads_back_in_libpcap_and_reader),
		cmocka_unit_test(test_writer_pcapng_direction_is_what_tshark_sees),
		cmocka_unit_test(test_writer_pcapng_layout_matches_the_draft),
		cmocka_unit_test(test_writer_time_out_of_range_is_clamped),
		cmocka_unit_test(test_writer_dash_writes_to_stdout),
		cmocka_unit_test(test_writer_full_disk_is_reported_at_close_naming_file),
		cmocka_unit_test(test_writer_close_null_is_zero),
		cmocka_unit_test(test_writer_open_failure_names_file),
		cmocka_unit_test(test_writer_frame_without_data_is_an_error_at_close),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
