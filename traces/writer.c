/*
 * traces/writer.c — capture writer: classic pcap or pcapng (contract in
 * traces/writer.h).
 *
 * What it writes:
 *   - pcap (tcpdump.org/manpages/pcap-savefile.5.html, draft-ietf-opsawg-pcap
 *     §4-5): a 24-byte file header with the nanosecond magic 0xa1b23c4d,
 *     version 2.4, thiszone and sigfigs 0, snaplen, link type; then a 16-byte
 *     record header (seconds, nanoseconds, captured length, original length)
 *     before each frame;
 *   - pcapng (draft-ietf-opsawg-pcapng §4.1 SHB, §4.2 IDB, §4.3 EPB): a
 *     Section Header Block (byte-order magic 0x1A2B3C4D, version 1.0, section
 *     length -1 = not given), one Interface Description Block (link type,
 *     snaplen, if_tsresol = 9, i.e. 10^-9 s), then one Enhanced Packet Block
 *     a frame on interface 0, its data padded to 32 bits, with an epb_flags
 *     option (direction in bits 0-1) when the direction is known.
 * Everything is in the host's byte order, which both formats allow: readers
 * tell the order by the magic.
 *
 * What it leaves out: other pcapng options and blocks (comments, statistics,
 * name resolution), more than one interface, compression.
 *
 * Limits, chosen so that every file written is one that libpcap, Wireshark
 * and traces/reader.c read without complaint:
 *   - snaplen 0 or above TRACE_CAPLEN_MAX (256 KiB, the most libpcap and our
 *     reader accept) is written as TRACE_CAPLEN_MAX;
 *   - a frame longer than snaplen is cut to snaplen bytes and keeps its
 *     wire_len, as a capture with a snap length would hold it;
 *   - a wire_len below cap_len is raised to cap_len (readers skip a record
 *     claiming fewer bytes on the wire than it holds);
 *   - time is clamped to what the format can hold: pcap's seconds are an
 *     unsigned 32-bit field (1970 to 2106), pcapng's timestamp an unsigned
 *     64-bit count of ns (1970 to 2554). A time before 1970 (a negative
 *     base_s) is written as 0.000000000, a time past the end as the last
 *     representable nanosecond, so the order of frames is kept. libpcap 1.10
 *     reads pcap seconds as signed, so it shows times from 2038 on as before
 *     1970; Wireshark and traces/reader.c read them as the format says.
 *
 * Errors: the first failure (fwrite short, fflush or fclose failing, a frame
 * with no data) is kept as "PATH: why"; later frames are dropped and
 * trace_writer_put returns -1; trace_writer_close reports it. A closed pipe
 * shows up as EPIPE only if the program ignores SIGPIPE (the library leaves
 * signal handling to the program).
 *
 * Main invariant: once w->has_err is set nothing more reaches the FILE, and
 * w->frames counts exactly the frames handed to it before that.
 */
#include "traces/writer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "traces/reader.h"

/* Whole seconds and ns need more than 64 bits when base_s is near INT64_MAX;
 * GCC and Clang both have 128-bit integers (traces/reader.c uses them too). */
__extension__ typedef __int128 i128;

#define PS_PER_NS 1000ull
#define NS_PER_S 1000000000ll

/* The FILE's buffer: frames arrive a few hundred bytes at a time, and one
 * write(2) per MiB keeps system calls out of the run's profile. */
#define WRITER_BUF_BYTES (1024u * 1024u)
#define WRITER_ERR_BYTES 512u
/* What messages call "-". */
#define WRITER_STDOUT_NAME "stdout"

#define PCAP_MAGIC_NS 0xA1B23C4Du
#define PCAP_FILE_HDR_BYTES 24u
#define PCAP_REC_HDR_BYTES 16u

#define PCAPNG_BT_SHB 0x0A0D0D0Au
#define PCAPNG_BT_IDB 0x00000001u
#define PCAPNG_BT_EPB 0x00000006u
#define PCAPNG_BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define PCAPNG_SHB_BYTES 28u          /* no options */
#define PCAPNG_IDB_BYTES 32u          /* 16 + if_tsresol (8) + opt_endofopt (4) + trailer (4) */
#define PCAPNG_EPB_HDR_BYTES 28u      /* type .. original length */
#define PCAPNG_OPT_ENDOFOPT 0u
#define PCAPNG_OPT_IF_TSRESOL 9u
#define PCAPNG_OPT_EPB_FLAGS 2u
/* if_tsresol = 9: the most significant bit clear, so 10^-9 s (§4.2). */
#define PCAPNG_TSRESOL_NS 9u

struct trace_writer {
	FILE *f;
	enum trace_write_format fmt;
	uint32_t snaplen;
	int64_t base_s;
	uint64_t frames;
	bool has_err;
	char *buf;                    /* the FILE's buffer (setvbuf), freed after fclose */
	char name[256];               /* path as messages show it */
	char err[WRITER_ERR_BYTES];   /* the first error, "PATH: why" */
};

static void set_msg(char *err, size_t err_len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_msg(char *err, size_t err_len, const char *fmt, ...)
{
	if (!err || err_len == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

/* Keep the first error only: it is the cause, the rest are consequences. */
static void fail_errno(struct trace_writer *w, int errnum)
{
	if (w->has_err)
		return;
	w->has_err = true;
	/* A short fwrite sets errno in glibc; "write failed" covers a libc that
	 * does not. */
	snprintf(w->err, sizeof w->err, "%s: %s", w->name, errnum ? strerror(errnum) : "write failed");
}

static void out(struct trace_writer *w, const void *p, size_t n)
{
	if (w->has_err || n == 0)
		return;
	errno = 0;
	if (fwrite(p, 1, n, w->f) != n)
		fail_errno(w, errno);
}

static void put_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, sizeof v); }
static void put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, sizeof v); }
static void put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, sizeof v); }

static uint32_t pad4(uint32_t n) { return (4u - (n & 3u)) & 3u; }

static void write_pcap_header(struct trace_writer *w, uint32_t linktype)
{
	uint8_t h[PCAP_FILE_HDR_BYTES];
	put_u32(h, PCAP_MAGIC_NS);
	put_u16(h + 4, 2);
	put_u16(h + 6, 4);
	put_u32(h + 8, 0);   /* thiszone: timestamps are UTC */
	put_u32(h + 12, 0);  /* sigfigs: 0, as every writer sets it */
	put_u32(h + 16, w->snaplen);
	put_u32(h + 20, linktype);
	out(w, h, sizeof h);
}

static void write_pcapng_header(struct trace_writer *w, uint16_t linktype)
{
	uint8_t shb[PCAPNG_SHB_BYTES];
	put_u32(shb, PCAPNG_BT_SHB);
	put_u32(shb + 4, PCAPNG_SHB_BYTES);
	put_u32(shb + 8, PCAPNG_BYTE_ORDER_MAGIC);
	put_u16(shb + 12, 1);
	put_u16(shb + 14, 0);
	put_u64(shb + 16, UINT64_MAX); /* section length -1: not given, the file is streamed */
	put_u32(shb + 24, PCAPNG_SHB_BYTES);
	out(w, shb, sizeof shb);

	uint8_t idb[PCAPNG_IDB_BYTES] = { 0 };
	put_u32(idb, PCAPNG_BT_IDB);
	put_u32(idb + 4, PCAPNG_IDB_BYTES);
	put_u16(idb + 8, linktype);
	put_u16(idb + 10, 0); /* reserved */
	put_u32(idb + 12, w->snaplen);
	put_u16(idb + 16, PCAPNG_OPT_IF_TSRESOL);
	put_u16(idb + 18, 1);
	idb[20] = PCAPNG_TSRESOL_NS; /* then 3 bytes of padding, left zero */
	put_u16(idb + 24, PCAPNG_OPT_ENDOFOPT);
	put_u16(idb + 26, 0);
	put_u32(idb + 28, PCAPNG_IDB_BYTES);
	out(w, idb, sizeof idb);
}

int trace_writer_open(struct trace_writer **out_w, const char *path, enum trace_write_format fmt, uint32_t linktype,
		      uint32_t snaplen, int64_t base_s, char *err, size_t err_len)
{
	if (!out_w) {
		set_msg(err, err_len, "trace_writer_open: no place for the writer");
		return -1;
	}
	*out_w = NULL;
	if (!path || !*path) {
		set_msg(err, err_len, "trace_writer_open: no file name");
		return -1;
	}
	const bool is_stdout = strcmp(path, "-") == 0;
	const char *name = is_stdout ? WRITER_STDOUT_NAME : path;
	if (fmt != TRACE_WRITE_PCAP && fmt != TRACE_WRITE_PCAPNG) {
		set_msg(err, err_len, "%s: unknown capture format %d", name, (int)fmt);
		return -1;
	}
	/* pcapng's IDB holds the link type in 16 bits; pcap's 32-bit field also
	 * carries FCS flags in its upper bits, so it is written as given. */
	if (fmt == TRACE_WRITE_PCAPNG && linktype > UINT16_MAX) {
		set_msg(err, err_len, "%s: link type %" PRIu32 " does not fit pcapng's 16-bit field", name, linktype);
		return -1;
	}

	struct trace_writer *w = calloc(1, sizeof *w);
	if (w)
		w->buf = malloc(WRITER_BUF_BYTES);
	if (!w || !w->buf) {
		if (w)
			free(w);
		set_msg(err, err_len, "%s: out of memory", name);
		return -1;
	}
	w->fmt = fmt;
	w->snaplen = (snaplen == 0 || snaplen > TRACE_CAPLEN_MAX) ? TRACE_CAPLEN_MAX : snaplen;
	w->base_s = base_s;
	snprintf(w->name, sizeof w->name, "%s", name);

	if (is_stdout) {
		/* A FILE of its own on a copy of descriptor 1: its own large buffer,
		 * and fclose reports the last flush's error without closing the
		 * program's stdout. Whatever stdout holds goes out first. */
		fflush(stdout);
		int fd = dup(STDOUT_FILENO);
		w->f = fd >= 0 ? fdopen(fd, "wb") : NULL;
		if (!w->f && fd >= 0)
			close(fd);
	} else {
		w->f = fopen(path, "wb");
	}
	if (!w->f) {
		set_msg(err, err_len, "%s: %s", name, strerror(errno));
		free(w->buf);
		free(w);
		return -1;
	}
	if (setvbuf(w->f, w->buf, _IOFBF, WRITER_BUF_BYTES) != 0) {
		/* The default buffer still works, only smaller. */
		free(w->buf);
		w->buf = NULL;
	}

	if (fmt == TRACE_WRITE_PCAP)
		write_pcap_header(w, linktype);
	else
		write_pcapng_header(w, (uint16_t)linktype);
	if (w->has_err) {
		set_msg(err, err_len, "%s", w->err);
		fclose(w->f);
		free(w->buf);
		free(w);
		return -1;
	}
	*out_w = w;
	return 0;
}

/* Absolute time in ns since 1970, clamped to [0, max_ns]. */
static uint64_t abs_ns(const struct trace_writer *w, uint64_t t_ps, uint64_t max_ns)
{
	i128 ns = (i128)w->base_s * NS_PER_S + (i128)(t_ps / PS_PER_NS);
	if (ns < 0)
		return 0;
	if (ns > (i128)max_ns)
		return max_ns;
	return (uint64_t)ns;
}

/* The largest pcap time: UINT32_MAX.999999999 s. */
#define PCAP_MAX_NS ((uint64_t)UINT32_MAX * (uint64_t)NS_PER_S + (uint64_t)(NS_PER_S - 1))

static void write_pcap_record(struct trace_writer *w, uint64_t t_ps, const uint8_t *data, uint32_t cap_len,
			      uint32_t wire_len)
{
	uint64_t ns = abs_ns(w, t_ps, PCAP_MAX_NS);
	uint8_t h[PCAP_REC_HDR_BYTES];
	put_u32(h, (uint32_t)(ns / (uint64_t)NS_PER_S));
	put_u32(h + 4, (uint32_t)(ns % (uint64_t)NS_PER_S));
	put_u32(h + 8, cap_len);
	put_u32(h + 12, wire_len);
	out(w, h, sizeof h);
	out(w, data, cap_len);
}

static void write_pcapng_epb(struct trace_writer *w, uint64_t t_ps, const uint8_t *data, uint32_t cap_len,
			     uint32_t wire_len, enum trace_dir dir)
{
	static const uint8_t zeros[4];
	const bool has_flags = dir == TRACE_DIR_IN || dir == TRACE_DIR_OUT;
	/* cap_len <= TRACE_CAPLEN_MAX, so the total cannot overflow. */
	const uint32_t opts_bytes = has_flags ? 8u + 4u : 0u; /* epb_flags + opt_endofopt */
	const uint32_t total = PCAPNG_EPB_HDR_BYTES + cap_len + pad4(cap_len) + opts_bytes + 4u;
	uint64_t ns = abs_ns(w, t_ps, UINT64_MAX);

	uint8_t h[PCAPNG_EPB_HDR_BYTES];
	put_u32(h, PCAPNG_BT_EPB);
	put_u32(h + 4, total);
	put_u32(h + 8, 0); /* interface 0, the only one */
	put_u32(h + 12, (uint32_t)(ns >> 32));
	put_u32(h + 16, (uint32_t)ns);
	put_u32(h + 20, cap_len);
	put_u32(h + 24, wire_len);
	out(w, h, sizeof h);
	out(w, data, cap_len);
	out(w, zeros, pad4(cap_len));

	/* With no option to give, the option list is left out entirely rather
	 * than written as a lone opt_endofopt: the draft allows both (§3.5),
	 * and this keeps an undirected frame 4 bytes shorter. */
	if (has_flags) {
		uint8_t o[12];
		put_u16(o, PCAPNG_OPT_EPB_FLAGS);
		put_u16(o + 2, 4);
		put_u32(o + 4, (uint32_t)dir); /* bits 0-1: 1 inbound, 2 outbound; the rest 0 */
		put_u16(o + 8, PCAPNG_OPT_ENDOFOPT);
		put_u16(o + 10, 0);
		out(w, o, sizeof o);
	}
	uint8_t t[4];
	put_u32(t, total);
	out(w, t, sizeof t);
}

int trace_writer_put(struct trace_writer *w, uint64_t t_ps, const uint8_t *data, uint32_t cap_len, uint32_t wire_len,
		     enum trace_dir dir)
{
	if (!w)
		return -1;
	if (w->has_err)
		return -1;
	if (!data && cap_len > 0) {
		w->has_err = true;
		snprintf(w->err, sizeof w->err, "%s: frame %" PRIu64 ": %" PRIu32 " bytes without data", w->name,
			 w->frames + 1, cap_len);
		return -1;
	}
	if (wire_len < cap_len)
		wire_len = cap_len;
	if (cap_len > w->snaplen)
		cap_len = w->snaplen;

	if (w->fmt == TRACE_WRITE_PCAP)
		write_pcap_record(w, t_ps, data, cap_len, wire_len);
	else
		write_pcapng_epb(w, t_ps, data, cap_len, wire_len, dir);
	if (w->has_err)
		return -1;
	w->frames++;
	return 0;
}

uint64_t trace_writer_frames(const struct trace_writer *w) { return w ? w->frames : 0; }

int trace_writer_close(struct trace_writer *w, char *err, size_t err_len)
{
	if (!w)
		return 0;
	/* fflush first so its error (ENOSPC, EPIPE) is told apart from fclose's
	 * own; fclose still runs so the descriptor is never leaked. */
	if (!w->has_err) {
		errno = 0;
		if (fflush(w->f) != 0 || ferror(w->f))
			fail_errno(w, errno);
	}
	errno = 0;
	if (fclose(w->f) != 0)
		fail_errno(w, errno);
	int rc = 0;
	if (w->has_err) {
		set_msg(err, err_len, "%s", w->err);
		rc = -1;
	}
	free(w->buf);
	free(w);
	return rc;
}
