/*
 * traces/reader.c — streaming capture reader (contract in traces/reader.h).
 *
 * What it reads: classic pcap (tcpdump.org/manpages/pcap-savefile.5.html,
 * draft-ietf-opsawg-pcap) and pcapng (draft-ietf-opsawg-pcapng §3 block
 * layout, §4.1 SHB, §4.2 IDB and its if_tsresol/if_tsoffset options, §4.3
 * EPB, §4.4 SPB; the obsolete Packet Block, appendix A, is read like an EPB
 * because dropping its packets silently would change the numbers), through
 * zlib's gz* layer so gzip is found by content, not by name.
 *
 * What it leaves out: pcapng options other than if_tsresol/if_tsoffset
 * (comments, flags, hashes are skipped), the "modified" pcap format
 * (magic a1b2cd34), FCS bits in the pcap link-type field (masked off as
 * libpcap's LT_LINKTYPE does), Name Resolution / statistics / custom blocks
 * (skipped by length and counted).
 *
 * How it reads: bytes come from gzread into one window buffer (64 KiB,
 * grown to the largest contiguous record ever needed, at most
 * TRACE_CAPLEN_MAX plus a block header and a few KiB of trailing options).
 * A record is handed out in place (rec->data points into the window), so
 * there is no per-record copy or allocation; a record that straddles the end
 * of the window is moved to the front once. The digest is fed as each chunk
 * arrives from zlib, which is every byte in file order.
 *
 * Main invariant: pos <= end <= cap, and every length read from the file is
 * checked against TRACE_CAPLEN_MAX (or the block length) before it sizes a
 * fill, so an absurd length is refused before any allocation and every loop
 * iteration consumes at least one header's worth of bytes (no hang).
 */
#include "traces/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Picoseconds need more than 64 bits before the base is subtracted (a 2024
 * Unix time is ~1.7e21 ps), and a 2^-n pcapng resolution needs ticks * 10^12
 * exactly; GCC and Clang both have 128-bit integers. */
__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define PS_PER_S 1000000000000ll
/* zlib's input buffer (its output buffer is twice this). gzread reads or
 * inflates straight into the caller's buffer when asked for at least twice
 * the buffer size, so with 8 KiB nearly every fill of the window (tens of
 * KiB) skips zlib's own copy: 83 instructions and 2.6 level-1 misses a frame
 * less (cachegrind, benchmark capture), the same speed on gzip input. At
 * 256 KiB the 512 KiB output buffer also swept half a level-2 cache on every
 * refill (docs/performance.md). */
#define TRACE_GZBUF_BYTES (8u * 1024u)
#define TRACE_WINDOW_MIN_BYTES (64u * 1024u)
/* Options + trailer of a packet block up to this size are read together with
 * the packet, so the trailing length is checked before the record is handed
 * out; a longer tail (a long comment) is skipped on the next call. */
#define PCAPNG_TAIL_INLINE_BYTES 4096u
/* An IDB is parsed in place; real ones are tens of bytes. */
#define PCAPNG_IDB_MAX_BYTES (64u * 1024u)
/* Interfaces per section: bounds memory against a file of nothing but IDBs
 * (16 bytes each at most 1 MiB). */
#define PCAPNG_IFACES_MAX 65536u

#define PCAP_FILE_HDR_BYTES 24u
#define PCAP_REC_HDR_BYTES 16u

#define PCAPNG_BT_SHB 0x0A0D0D0Au
#define PCAPNG_BT_IDB 0x00000001u
#define PCAPNG_BT_PB 0x00000002u   /* obsolete Packet Block */
#define PCAPNG_BT_SPB 0x00000003u
#define PCAPNG_BT_EPB 0x00000006u
#define PCAPNG_BLOCK_MIN_BYTES 12u /* type, length, trailing length */
#define PCAPNG_SHB_MIN_BYTES 28u
#define PCAPNG_IDB_MIN_BYTES 20u
#define PCAPNG_EPB_HDR_BYTES 28u   /* type..original length */
#define PCAPNG_SPB_HDR_BYTES 12u   /* type, length, original length */
#define PCAPNG_OPT_TSRESOL 9u
#define PCAPNG_OPT_TSOFFSET 14u

/* FNV-1a 64 (Fowler/Noll/Vo, draft-eastlake-fnv §6.1.2: offset basis and
 * prime). */
#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME 0x00000100000001b3ull

enum tsres_kind {
	TSRES_MUL,   /* ps = ticks * factor          (10^-v, v <= 12) */
	TSRES_DIV,   /* ps = ticks / factor          (10^-v, 12 < v <= 31) */
	TSRES_SHIFT, /* ps = ticks * 10^12 >> shift  (2^-shift) */
};

struct iface {
	uint32_t linktype;
	uint32_t snaplen;
	uint64_t tsres_factor;
	uint8_t tsres_kind;
	uint8_t tsres_shift;
	int64_t tsoffset_s;
};

struct trace_reader {
	gzFile gz;
	int fd;                   /* kept for trace_rewind; zlib reads a duplicate */
	bool is_regular;          /* fd is a regular file: it can be read again */
	int64_t start_off, size;  /* where reading started in it, and its size */
	char *path;

	/* Window: valid bytes are buf[pos, end). */
	uint8_t *buf;
	size_t cap, pos, end;
	bool is_eof;              /* gzread has nothing more to give */
	int gz_err;               /* zlib error met at the end of the data (Z_OK if none) */
	char gz_msg[160];
	uint64_t filled_bytes;    /* bytes taken from zlib so far */
	uint64_t digest;
	uint64_t digest_word;     /* bytes of a 64-bit word not yet complete */
	unsigned digest_word_n;   /* how many (0..7) */

	bool is_pcapng;
	bool is_swapped;          /* file byte order differs from the host's */
	bool is_opening;          /* pcapng: trace_open reads up to the first IDB */
	bool is_started;          /* trace_open has succeeded */
	uint64_t pcap_frac_ps;    /* pcap: ps per unit of the fraction field */
	uint64_t rec_no;          /* packet records met (delivered or skipped) */

	bool has_base, has_prev;
	i128 base_ps;             /* ts_base_s in ps */
	i128 prev_abs_ps;         /* previous delivered record, ps since 1970 */
	i128 latest_abs_ps;       /* with prev_abs_ps: the latest timestamp so far (see deliver) */
	i128 earliest_abs_ps;     /* the earliest timestamp so far; both ps since 1970 */
	uint64_t max_gap_ps;      /* trace_set_max_gap_ps (0: no cut) */
	i128 base_cut_ps;         /* base_ps plus the idle time cut so far */

	struct iface *ifaces;     /* current pcapng section */
	uint32_t n_ifaces, ifaces_cap;
	uint32_t section;         /* 1-based pcapng section number */
	bool has_linktype;

	/* A packet block whose tail (options + trailer) was left for the next
	 * call: tail_skip bytes of options, then the trailing length. */
	bool has_tail;
	uint64_t tail_skip;
	uint32_t tail_len;
	uint64_t tail_rec;
	uint64_t tail_at;
	uint32_t tail_type;

	int err_code;
	uint64_t err_rec;         /* the record err_msg names, 0 if none */
	char err_msg[TRACE_ERR_MAX];
	char skip_note[TRACE_ERR_MAX]; /* the first record skipped for its original length */
	struct trace_info info;
	struct trace_stats stats;
};

/* ---- byte order ---- */

static inline uint32_t rd32(const struct trace_reader *r, const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return r->is_swapped ? __builtin_bswap32(v) : v;
}

static inline uint16_t rd16(const struct trace_reader *r, const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return r->is_swapped ? __builtin_bswap16(v) : v;
}

static inline uint64_t rd64(const struct trace_reader *r, const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return r->is_swapped ? __builtin_bswap64(v) : v;
}

static inline uint32_t pad4(uint32_t n) { return (n + 3u) & ~3u; }

/* ---- digest ---- */

/* FNV-1a's step (h ^= x; h *= prime) over 64-bit little-endian words rather
 * than bytes: the same mixing, an eighth of the multiplies, so the digest
 * costs a fraction of the read (byte-wise FNV-1a was ~90% of it). Words are
 * formed across chunk boundaries (digest_word carries a partial one), so the
 * value depends only on the bytes, not on how zlib or read() chunked them;
 * trace_digest() folds in the zero-padded last word and the length. */
static void digest_feed(struct trace_reader *r, const uint8_t *p, size_t n)
{
	uint64_t h = r->digest;
	while (n && r->digest_word_n) {
		r->digest_word |= (uint64_t)*p++ << (8 * r->digest_word_n);
		n--;
		if (++r->digest_word_n == 8) {
			h = (h ^ r->digest_word) * FNV64_PRIME;
			r->digest_word = 0;
			r->digest_word_n = 0;
		}
	}
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		h = (h ^ w) * FNV64_PRIME;
	}
	r->digest = h;
	while (n) {
		r->digest_word |= (uint64_t)*p++ << (8 * r->digest_word_n);
		r->digest_word_n++;
		n--;
	}
}

/* ---- link types (tcpdump.org/linktypes.html) ---- */

struct linktype_desc {
	uint32_t linktype;
	const char *name;
	bool is_supported;
	enum parse_link link;
};

static const struct linktype_desc linktypes[] = {
	{1, "ethernet", true, PARSE_LINK_ETH},
	{113, "linux_sll", true, PARSE_LINK_SLL},
	{276, "linux_sll2", true, PARSE_LINK_SLL2},
	{101, "raw", true, PARSE_LINK_RAW},
	{12, "raw", true, PARSE_LINK_RAW},  /* DLT_RAW on some BSDs, found in files */
	{14, "raw", true, PARSE_LINK_RAW},  /* DLT_RAW on OpenBSD */
	{228, "ipv4", true, PARSE_LINK_IPV4},
	{229, "ipv6", true, PARSE_LINK_IPV6},
	/* Refused, but named so the message says what the file is. */
	{0, "null", false, PARSE_LINK_ETH},
	{6, "ieee802_5", false, PARSE_LINK_ETH},
	{9, "ppp", false, PARSE_LINK_ETH},
	{10, "fddi", false, PARSE_LINK_ETH},
	{104, "c_hdlc", false, PARSE_LINK_ETH},
	{105, "ieee802_11", false, PARSE_LINK_ETH},
	{108, "loop", false, PARSE_LINK_ETH},
	{119, "ieee802_11_prism", false, PARSE_LINK_ETH},
	{127, "ieee802_11_radiotap", false, PARSE_LINK_ETH},
	{192, "ppi", false, PARSE_LINK_ETH},
	{220, "usb_linux_mmapped", false, PARSE_LINK_ETH},
	{239, "nflog", false, PARSE_LINK_ETH},
	{253, "netlink", false, PARSE_LINK_ETH},
};

static const struct linktype_desc *linktype_find(uint32_t lt)
{
	for (size_t i = 0; i < sizeof linktypes / sizeof linktypes[0]; i++)
		if (linktypes[i].linktype == lt)
			return &linktypes[i];
	return NULL;
}

/* Writes " (name)" or "" for a link type. */
static const char *linktype_paren(uint32_t lt, char *buf, size_t len)
{
	const struct linktype_desc *d = linktype_find(lt);
	if (d)
		snprintf(buf, len, " (%s)", d->name);
	else
		buf[0] = '\0';
	return buf;
}

/* ---- errors ---- */

static void read_gz_error(struct trace_reader *r)
{
	int errnum = Z_OK;
	const char *m = gzerror(r->gz, &errnum);
	if (errnum == Z_OK)
		return;
	r->gz_err = errnum;
	/* zlib prefixes its message with the name it knows the file by
	 * ("<fd:N>" from gzdopen); we add our own prefix, so drop zlib's. */
	if (m && !strncmp(m, "<fd:", 4)) {
		const char *e = strstr(m, ">: ");
		if (e)
			m = e + 3;
	}
	snprintf(r->gz_msg, sizeof r->gz_msg, "%s", m ? m : "unknown zlib error");
}

/* Read up to want bytes of the stream into dst, digest and count them.
 * gzread loops until it has want bytes, so a short count is the end of the
 * data — or a zlib error, which a truncated gzip stream reports only through
 * gzerror (Z_BUF_ERROR): either way the stream is over (is_eof) and any
 * error is kept for the message. On a data error gzread drops everything it
 * produced in that call, and with the small gzbuffer a window refill is
 * inflated in one call straight into the window (tens of KiB, more for a
 * large record), so the record named is the one being read when zlib gave
 * up, which may precede the damage by about that much (up to 55 KB seen on
 * the test capture; 423 KB with the old 256 KiB buffer). */
static size_t read_chunk(struct trace_reader *r, uint8_t *dst, size_t want)
{
	int got = gzread(r->gz, dst, (unsigned)want);
	size_t n = got > 0 ? (size_t)got : 0;
	digest_feed(r, dst, n);
	r->filled_bytes += n;
	if (n < want) {
		read_gz_error(r);
		r->is_eof = true;
	}
	return n;
}

/* Read (and digest) what is left of the stream, to learn whether zlib has an
 * error to report. Costs up to the rest of the file, on the error path only. */
static void drain(struct trace_reader *r)
{
	while (!r->is_eof)
		(void)read_chunk(r, r->buf, r->cap);
	r->pos = r->end = 0;
}

/* Record a fatal error: "PATH: record N: what" (rec_no 0: "PATH: what").
 * Garbage out of a corrupt gzip stream often parses as a malformed record
 * before zlib notices; when zlib has (or will have, once drained) an error,
 * that error is the cause and is the one reported. */
__attribute__((format(printf, 4, 5)))
static int fail(struct trace_reader *r, int code, uint64_t rec_no, const char *fmt, ...)
{
	const char *stream_what = NULL;
	if (r->info.is_gzip && code != TRACE_E_NOMEM && code != TRACE_E_IO && code != TRACE_E_GZIP) {
		drain(r);
		if (r->gz_err == Z_ERRNO) {
			code = TRACE_E_IO;
			stream_what = "read error";
		} else if (r->gz_err != Z_OK) {
			code = TRACE_E_GZIP;
			stream_what = "corrupt gzip data";
		}
	}
	/* A stream error past the file header belongs to the record being read,
	 * even when it struck between blocks. */
	if ((code == TRACE_E_GZIP || code == TRACE_E_IO) && rec_no == 0 && r->is_started)
		rec_no = r->rec_no + 1;
	size_t size = sizeof r->err_msg;
	int off = rec_no ? snprintf(r->err_msg, size, "%s: record %" PRIu64 ": ", r->path, rec_no)
			 : snprintf(r->err_msg, size, "%s: ", r->path);
	if (off < 0 || (size_t)off >= size)
		off = (int)size - 1;
	if (stream_what) {
		snprintf(r->err_msg + off, size - (size_t)off, "%s (%s)", stream_what, r->gz_msg);
	} else {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->err_msg + off, size - (size_t)off, fmt, ap);
		va_end(ap);
	}
	r->err_code = code;
	r->err_rec = rec_no;
	return code;
}

/* ---- the window ---- */

static uint64_t offset_now(const struct trace_reader *r)
{
	return r->filled_bytes - (uint64_t)(r->end - r->pos);
}

/* Make n contiguous bytes available at buf + pos. TRACE_OK when they are,
 * TRACE_EOF when the data ends first (fewer are available), TRACE_E_NOMEM.
 * n is at most TRACE_CAPLEN_MAX + a block header + PCAPNG_TAIL_INLINE_BYTES:
 * every caller has checked the length it came from. */
static int fill(struct trace_reader *r, size_t n)
{
	size_t have = r->end - r->pos;
	if (have >= n)
		return TRACE_OK;
	if (r->is_eof)
		return TRACE_EOF;
	if (r->pos) {   /* live bytes to the front (before a realloc: it then copies only those) */
		memmove(r->buf, r->buf + r->pos, have);
		r->pos = 0;
		r->end = have;
	}
	if (n > r->cap) {
		size_t cap = (n + 4095u) & ~(size_t)4095u;   /* whole pages */
		uint8_t *b = realloc(r->buf, cap);
		if (!b)
			return TRACE_E_NOMEM;
		r->buf = b;
		r->cap = cap;
	}
	while (r->end < n && !r->is_eof)
		r->end += read_chunk(r, r->buf + r->end, r->cap - r->end);
	return r->end - r->pos >= n ? TRACE_OK : TRACE_EOF;
}

/* The data ended (fill gave TRACE_EOF or NOMEM) while `what` needed
 * `expected` bytes and `got` were there. Returns TRACE_EOF only for a clean
 * end at a record boundary (got == 0 and is_boundary). */
static int short_read(struct trace_reader *r, int fill_rc, uint64_t rec_no, bool is_boundary,
		      const char *what, uint64_t expected, uint64_t got)
{
	if (fill_rc == TRACE_E_NOMEM)
		return fail(r, TRACE_E_NOMEM, rec_no, "out of memory for a %" PRIu64 "-byte %s",
			    expected, what);
	if (r->gz_err == Z_ERRNO)
		return fail(r, TRACE_E_IO, rec_no, "read error (%s)", r->gz_msg);
	if (r->gz_err != Z_OK)
		return fail(r, TRACE_E_GZIP, rec_no, "corrupt gzip data (%s)", r->gz_msg);
	if (got == 0 && is_boundary)
		return TRACE_EOF;
	return fail(r, TRACE_E_TRUNCATED, rec_no,
		    "file ends inside the %s: expected %" PRIu64 " bytes, got %" PRIu64, what,
		    expected, got);
}

/* fill(n), and the error of a short read of `what` (n bytes) if it fails. */
static int need(struct trace_reader *r, size_t n, uint64_t rec_no, const char *what)
{
	int rc = fill(r, n);
	return rc == TRACE_OK ? TRACE_OK : short_read(r, rc, rec_no, false, what, n, r->end - r->pos);
}

/* Consume n bytes, possibly more than the window holds. */
static int skip(struct trace_reader *r, uint64_t n, uint64_t rec_no, const char *what)
{
	uint64_t total = n;
	while (n) {
		size_t have = r->end - r->pos;
		if (have == 0) {
			int rc = fill(r, 1);
			if (rc != TRACE_OK)
				return short_read(r, rc, rec_no, false, what, total, total - n);
			have = r->end - r->pos;
		}
		size_t take = have < n ? have : (size_t)n;
		r->pos += take;
		n -= take;
	}
	return TRACE_OK;
}

/* ---- timestamps ---- */

/* Place an absolute time (ps since 1970) on the trace's timeline, flag it
 * against the previous record, and hand the record out. has_ts false (SPB):
 * the record takes the previous record's time. Backwards is judged on the
 * true times, so a record clamped to 0 is still flagged.
 *
 * The timeline is the true time since the base minus the idle gaps cut so
 * far: a record later than every earlier one by more than max_gap_ps (when
 * set) has the excess taken out, for it and every record after it. What is
 * left is clamped to 0..TRACE_TS_MAX_PS and counted. */
static void deliver(struct trace_reader *r, struct trace_record *rec, uint64_t rec_no, i128 abs_ps,
		    bool has_ts, uint32_t cap_len, uint32_t wire_len, uint32_t iface,
		    const uint8_t *data)
{
	if (!has_ts)
		abs_ps = r->has_prev ? r->prev_abs_ps : 0;   /* the base is only set with the first record */
	bool is_backwards = r->has_prev && abs_ps < r->prev_abs_ps;
	/* The latest time so far is max(latest_abs_ps, prev_abs_ps): the
	 * previous record is the latest until the times go back, when it is
	 * kept. So the common record, later than the one before, costs no
	 * test beyond the backwards one. */
	if (!r->has_base) {
		if (has_ts) {
			i128 s = abs_ps / PS_PER_S;
			if (abs_ps < 0 && abs_ps % PS_PER_S)
				s -= 1; /* floor, so the first record's ts_ps is >= 0 */
			if (s < INT64_MIN)
				s = INT64_MIN;
			if (s > INT64_MAX)
				s = INT64_MAX;
			r->has_base = true;
			r->base_ps = s * PS_PER_S;
			r->base_cut_ps = r->base_ps;
			r->info.ts_base_s = (int64_t)s;
			/* Records before had no time of their own. */
			r->latest_abs_ps = r->earliest_abs_ps = abs_ps;
		}
	} else if (is_backwards) {
		if (r->prev_abs_ps > r->latest_abs_ps)
			r->latest_abs_ps = r->prev_abs_ps;
		if (abs_ps < r->earliest_abs_ps)
			r->earliest_abs_ps = abs_ps;
	} else if (r->max_gap_ps) {
		i128 latest = r->latest_abs_ps > r->prev_abs_ps ? r->latest_abs_ps : r->prev_abs_ps;
		if (abs_ps - latest > (i128)r->max_gap_ps) {
			r->base_cut_ps += abs_ps - latest - (i128)r->max_gap_ps;
			r->stats.gaps_cut++;
		}
	}
	i128 rel = abs_ps - r->base_cut_ps;
	uint64_t ts_ps;
	if (rel < 0) {
		ts_ps = 0;
		r->stats.ts_clamped++;
	} else if (rel > (i128)TRACE_TS_MAX_PS) {
		ts_ps = TRACE_TS_MAX_PS;
		r->stats.ts_clamped++;
	} else {
		ts_ps = (uint64_t)rel;
	}
	rec->index = rec_no;
	rec->ts_ps = ts_ps;
	rec->cap_len = cap_len;
	rec->wire_len = wire_len;
	rec->iface = iface;
	rec->data = data;
	rec->is_ts_backwards = is_backwards;
	r->stats.ts_backwards += is_backwards;
	r->prev_abs_ps = abs_ps;
	r->has_prev = true;
	r->stats.records++;
}

/* ---- checks shared by pcap and pcapng records ---- */

/* A record's caplen against the largest accepted and the snaplen (0: none;
 * iface >= 0 names the pcapng interface it belongs to). */
static int check_caplen(struct trace_reader *r, uint64_t no, uint32_t caplen, uint32_t snaplen, int64_t iface)
{
	if (caplen > TRACE_CAPLEN_MAX)
		return fail(r, TRACE_E_LIMIT, no,
			    "caplen %" PRIu32 " > %u (the largest capture length accepted, libpcap's MAXIMUM_SNAPLEN)",
			    caplen, TRACE_CAPLEN_MAX);
	if (snaplen && caplen > snaplen) {
		if (iface < 0)
			return fail(r, TRACE_E_LIMIT, no, "caplen %" PRIu32 " > snaplen %" PRIu32, caplen, snaplen);
		return fail(r, TRACE_E_LIMIT, no, "caplen %" PRIu32 " > snaplen %" PRIu32 " of interface %" PRIu32,
			    caplen, snaplen, (uint32_t)iface);
	}
	return TRACE_OK;
}

static void skip_absurd_len(struct trace_reader *r, uint64_t no, uint32_t len)
{
	if (!r->stats.skipped_len_absurd++)
		snprintf(r->skip_note, sizeof r->skip_note,
			 "%s: record %" PRIu64 ": original length %" PRIu32 " > %u (no frame is that long): skipped",
			 r->path, no, len, TRACE_WIRE_LEN_MAX);
}

/* Records that carry nothing to deliver, or nothing a wire could carry:
 * counted and skipped; the first of an absurd length is named. */
static bool is_skipped(struct trace_reader *r, uint64_t no, uint32_t caplen, uint32_t len)
{
	if (caplen == 0) {
		r->stats.skipped_zero_len++;
		return true;
	}
	if (len > TRACE_WIRE_LEN_MAX) {
		skip_absurd_len(r, no, len);
		return true;
	}
	if (caplen > len) {
		r->stats.skipped_caplen_gt_len++;
		return true;
	}
	return false;
}

/* ---- classic pcap ---- */

static int pcap_next(struct trace_reader *r, struct trace_record *rec)
{
	for (;;) {
		int rc;
		if (r->end - r->pos < PCAP_REC_HDR_BYTES) {
			rc = fill(r, PCAP_REC_HDR_BYTES);
			if (rc != TRACE_OK)
				return short_read(r, rc, r->rec_no + 1, true, "record header",
						  PCAP_REC_HDR_BYTES, r->end - r->pos);
		}
		const uint8_t *h = r->buf + r->pos;
		uint64_t no = ++r->rec_no;
		uint32_t sec = rd32(r, h);
		uint32_t frac = rd32(r, h + 4);
		uint32_t caplen = rd32(r, h + 8);
		uint32_t len = rd32(r, h + 12);
		if ((rc = check_caplen(r, no, caplen, r->info.snaplen, -1)) != TRACE_OK)
			return rc;
		size_t rec_bytes = PCAP_REC_HDR_BYTES + caplen;
		if (r->end - r->pos < rec_bytes) {
			rc = fill(r, rec_bytes);
			if (rc != TRACE_OK)
				return short_read(r, rc, no, false, "packet data", caplen,
						  r->end - r->pos - PCAP_REC_HDR_BYTES);
		}
		const uint8_t *data = r->buf + r->pos + PCAP_REC_HDR_BYTES;
		r->pos += rec_bytes;
		if (is_skipped(r, no, caplen, len))
			continue;
		/* sec is unsigned (pcap-savefile(5)); frac may exceed one second
		 * in broken files and is added as it stands, as libpcap does. */
		i128 abs_ps = (i128)sec * PS_PER_S + (i128)frac * r->pcap_frac_ps;
		deliver(r, rec, no, abs_ps, true, caplen, len, 0, data);
		return TRACE_OK;
	}
}

static int linktype_set(struct trace_reader *r, uint32_t lt, uint32_t iface)
{
	char nb[48], ob[48];
	const struct linktype_desc *d = linktype_find(lt);
	if (!d || !d->is_supported)
		return fail(r, TRACE_E_LINKTYPE, 0,
			    "link type %" PRIu32 "%s not supported; nicsim reads ethernet, linux_sll, linux_sll2, raw, ipv4, ipv6",
			    lt, linktype_paren(lt, nb, sizeof nb));
	if (r->has_linktype && r->info.linktype != lt)
		return fail(r, TRACE_E_LINKTYPE, 0,
			    "interface %" PRIu32 " of section %" PRIu32 " has link type %" PRIu32
			    "%s but the first interface has link type %" PRIu32
			    "%s; nicsim reads one link type per file",
			    iface, r->section, lt, linktype_paren(lt, nb, sizeof nb), r->info.linktype,
			    linktype_paren(r->info.linktype, ob, sizeof ob));
	r->has_linktype = true;
	r->info.linktype = lt;
	r->info.linktype_name = d->name;
	r->info.link = d->link;
	return TRACE_OK;
}

static int pcap_open(struct trace_reader *r)
{
	int rc = need(r, PCAP_FILE_HDR_BYTES, 0, "pcap file header");
	if (rc != TRACE_OK)
		return rc;
	const uint8_t *h = r->buf + r->pos;
	uint16_t major = rd16(r, h + 4), minor = rd16(r, h + 6);
	/* Version 2.4 everywhere since 1998; libpcap refuses < 2 as archaic. */
	if (major != 2)
		return fail(r, TRACE_E_FORMAT, 0,
			    "pcap version %u.%u not supported (nicsim reads 2.x)", major, minor);
	r->info.snaplen = rd32(r, h + 16);
	/* Upper bits carry FCS information (LT_FCS_* in libpcap's pcap-common.h). */
	uint32_t lt = rd32(r, h + 20) & 0x03FFFFFFu;
	r->pos += PCAP_FILE_HDR_BYTES;
	r->info.format = "pcap";
	r->info.interfaces = 1;
	return linktype_set(r, lt, 0);
}

/* ---- pcapng ---- */

static const char *pcapng_block_name(uint32_t type)
{
	switch (type) {
	case PCAPNG_BT_SHB: return "section header block";
	case PCAPNG_BT_IDB: return "interface description block";
	case PCAPNG_BT_EPB: return "enhanced packet block";
	case PCAPNG_BT_SPB: return "simple packet block";
	case PCAPNG_BT_PB: return "packet block";
	default: return "block";
	}
}

/* A block's trailing length must repeat its leading one (pcapng §3.1). */
static int check_tail(struct trace_reader *r, uint32_t tail, uint32_t len, uint64_t rec_no, uint64_t at,
		      uint32_t type)
{
	if (tail != len)
		return fail(r, TRACE_E_FORMAT, rec_no,
			    "%s at byte %" PRIu64 ": trailing length %" PRIu32 " != leading length %" PRIu32,
			    pcapng_block_name(type), at, tail, len);
	return TRACE_OK;
}

/* Read the trailing length at pos (after a skip) and compare. */
static int pcapng_trailer(struct trace_reader *r, uint32_t len, uint64_t rec_no, uint64_t at,
			  uint32_t type)
{
	int rc = need(r, 4, rec_no, "block trailing length");
	if (rc != TRACE_OK)
		return rc;
	uint32_t tail = rd32(r, r->buf + r->pos);
	r->pos += 4;
	return check_tail(r, tail, len, rec_no, at, type);
}

static int pcapng_shb(struct trace_reader *r, uint64_t at)
{
	int rc = need(r, 16, 0, "section header block");
	if (rc != TRACE_OK)
		return rc;
	const uint8_t *b = r->buf + r->pos;
	/* The byte-order magic decides how to read everything else in the
	 * section, the block length included. */
	uint32_t bom;
	memcpy(&bom, b + 8, 4);
	if (bom == 0x1A2B3C4Du)
		r->is_swapped = false;
	else if (bom == 0x4D3C2B1Au)
		r->is_swapped = true;
	else
		return fail(r, TRACE_E_FORMAT, 0,
			    "section header block at byte %" PRIu64
			    ": bad byte-order magic %02x %02x %02x %02x (expected 1a 2b 3c 4d in either byte order)",
			    at, b[8], b[9], b[10], b[11]);
	uint32_t len = rd32(r, b + 4);
	uint16_t major = rd16(r, b + 12), minor = rd16(r, b + 14);
	if (len % 4 || len < PCAPNG_SHB_MIN_BYTES)
		return fail(r, TRACE_E_FORMAT, 0,
			    "section header block at byte %" PRIu64 ": block length %" PRIu32
			    " is not a multiple of 4 or < %u",
			    at, len, PCAPNG_SHB_MIN_BYTES);
	if (major != 1)
		return fail(r, TRACE_E_FORMAT, 0,
			    "section header block at byte %" PRIu64
			    ": pcapng version %u.%u not supported (nicsim reads 1.x)",
			    at, major, minor);
	if (r->section == 0)
		r->info.is_big_endian = b[8] == 0x1A;
	r->section++;
	r->n_ifaces = 0; /* interface ids are per section (§4.1) */
	r->pos += 16;
	rc = skip(r, (uint64_t)len - 16 - 4, 0, "section header block");
	if (rc != TRACE_OK)
		return rc;
	return pcapng_trailer(r, len, 0, at, PCAPNG_BT_SHB);
}

static int pcapng_idb(struct trace_reader *r, uint32_t len, uint64_t at)
{
	if (len < PCAPNG_IDB_MIN_BYTES)
		return fail(r, TRACE_E_FORMAT, 0,
			    "interface description block at byte %" PRIu64 ": block length %" PRIu32
			    " < %u",
			    at, len, PCAPNG_IDB_MIN_BYTES);
	if (len > PCAPNG_IDB_MAX_BYTES)
		return fail(r, TRACE_E_LIMIT, 0,
			    "interface description block at byte %" PRIu64 ": block length %" PRIu32
			    " > %u",
			    at, len, PCAPNG_IDB_MAX_BYTES);
	if (r->n_ifaces >= PCAPNG_IFACES_MAX)
		return fail(r, TRACE_E_LIMIT, 0,
			    "interface description block at byte %" PRIu64
			    ": more than %u interfaces in section %" PRIu32,
			    at, PCAPNG_IFACES_MAX, r->section);
	int rc = need(r, len, 0, "interface description block");
	if (rc != TRACE_OK)
		return rc;
	const uint8_t *b = r->buf + r->pos;
	if ((rc = check_tail(r, rd32(r, b + len - 4), len, 0, at, PCAPNG_BT_IDB)) != TRACE_OK)
		return rc;
	struct iface ifc = {
		.linktype = rd16(r, b + 8),
		.snaplen = rd32(r, b + 12),
		.tsres_kind = TSRES_MUL,
		.tsres_factor = 1000000, /* default 10^-6 (§4.2, if_tsresol) */
	};
	bool is_finer_than_us = false;
	uint32_t p = 16, opt_end = len - 4;
	while (p + 4 <= opt_end) {
		uint16_t code = rd16(r, b + p), olen = rd16(r, b + p + 2);
		if (code == 0) /* opt_endofopt */
			break;
		if ((uint64_t)p + 4 + olen > opt_end)
			return fail(r, TRACE_E_FORMAT, 0,
				    "interface description block at byte %" PRIu64
				    ": option %u of %u bytes runs past the block",
				    at, code, olen);
		const uint8_t *v = b + p + 4;
		if (code == PCAPNG_OPT_TSRESOL && olen >= 1) {
			uint8_t res = v[0];
			if (res & 0x80) {
				ifc.tsres_kind = TSRES_SHIFT;
				ifc.tsres_shift = res & 0x7F;
				is_finer_than_us = ifc.tsres_shift >= 20; /* 2^-20 s < 1 us */
			} else if (res <= 12) {
				uint64_t f = 1;
				for (unsigned i = res; i < 12; i++)
					f *= 10;
				ifc.tsres_kind = TSRES_MUL;
				ifc.tsres_factor = f;
				is_finer_than_us = res > 6;
			} else if (res <= 31) {
				/* Finer than 1 ps: divide (10^19 still fits 64 bits). */
				uint64_t f = 1;
				for (unsigned i = 12; i < res; i++)
					f *= 10;
				ifc.tsres_kind = TSRES_DIV;
				ifc.tsres_factor = f;
				is_finer_than_us = true;
			} else {
				return fail(r, TRACE_E_FORMAT, 0,
					    "interface description block at byte %" PRIu64
					    ": if_tsresol 10^-%u not supported (at most 10^-31)",
					    at, res);
			}
		} else if (code == PCAPNG_OPT_TSOFFSET && olen == 8) {
			ifc.tsoffset_s = (int64_t)rd64(r, v);
		}
		p += 4 + pad4(olen);
	}
	r->pos += len;
	rc = linktype_set(r, ifc.linktype, r->n_ifaces);
	if (rc != TRACE_OK)
		return rc;
	if (r->n_ifaces == r->ifaces_cap) {
		uint32_t ncap = r->ifaces_cap ? r->ifaces_cap * 2 : 4;
		struct iface *ni = realloc(r->ifaces, ncap * sizeof *ni);
		if (!ni)
			return fail(r, TRACE_E_NOMEM, 0, "out of memory for interface %" PRIu32,
				    r->n_ifaces);
		r->ifaces = ni;
		r->ifaces_cap = ncap;
	}
	if (r->n_ifaces == 0) {
		r->info.snaplen = ifc.snaplen;
		r->info.is_nanosecond = is_finer_than_us;
	}
	r->ifaces[r->n_ifaces++] = ifc;
	r->info.interfaces++;
	return TRACE_OK;
}

static i128 pcapng_ticks_to_ps(const struct iface *ifc, uint64_t ticks)
{
	i128 ps;
	switch (ifc->tsres_kind) {
	case TSRES_MUL:
		ps = (i128)ticks * (i128)ifc->tsres_factor;
		break;
	case TSRES_DIV:
		ps = (i128)(ticks / ifc->tsres_factor);
		break;
	default:
		/* ticks < 2^64, 10^12 < 2^40: the product fits 104 bits. */
		ps = (i128)(((u128)ticks * (u128)PS_PER_S) >> ifc->tsres_shift);
		break;
	}
	return ps + (i128)ifc->tsoffset_s * PS_PER_S;
}

/* EPB, SPB or the obsolete PB, whose leading type and length were checked.
 * With TRACE_OK, *is_delivered says whether rec was filled (a zero-length
 * or caplen > len record is counted and skipped). rec->data
 * points into the window, which is not moved before the next call: a tail
 * too long to read now is left in has_tail for the next call. */
static int pcapng_packet(struct trace_reader *r, struct trace_record *rec, uint32_t type,
			 uint32_t len, uint64_t at, bool *is_delivered)
{
	uint64_t no = ++r->rec_no;
	const char *name = pcapng_block_name(type);
	bool is_spb = type == PCAPNG_BT_SPB;
	uint32_t hdr_bytes = is_spb ? PCAPNG_SPB_HDR_BYTES : PCAPNG_EPB_HDR_BYTES;
	*is_delivered = false;
	if (len < hdr_bytes + 4)
		return fail(r, TRACE_E_FORMAT, no,
			    "%s at byte %" PRIu64 ": block length %" PRIu32 " < %" PRIu32, name, at,
			    len, hdr_bytes + 4);
	int rc = need(r, hdr_bytes, no, "packet block header");
	if (rc != TRACE_OK)
		return rc;
	const uint8_t *b = r->buf + r->pos;
	uint32_t iface, caplen, wire_len;
	uint64_t ticks = 0;
	if (is_spb) {
		if (r->n_ifaces == 0)
			return fail(r, TRACE_E_FORMAT, no,
				    "%s at byte %" PRIu64 " before any interface description block",
				    name, at);
		iface = 0;
		wire_len = rd32(r, b + 8);
		/* §4.4: the captured length is the smaller of the original length
		 * and interface 0's snaplen; the block length bounds it too. */
		uint32_t room = len - hdr_bytes - 4;
		caplen = wire_len < room ? wire_len : room;
		if (r->ifaces[0].snaplen && caplen > r->ifaces[0].snaplen)
			caplen = r->ifaces[0].snaplen;
	} else {
		iface = type == PCAPNG_BT_PB ? rd16(r, b + 8) : rd32(r, b + 8);
		ticks = (uint64_t)rd32(r, b + 12) << 32 | rd32(r, b + 16);
		caplen = rd32(r, b + 20);
		wire_len = rd32(r, b + 24);
		if (iface >= r->n_ifaces)
			return fail(r, TRACE_E_FORMAT, no,
				    "%s at byte %" PRIu64 ": interface %" PRIu32
				    " not defined (section %" PRIu32 " has %" PRIu32 ")",
				    name, at, iface, r->section, r->n_ifaces);
	}
	if ((rc = check_caplen(r, no, caplen, r->ifaces[iface].snaplen, iface)) != TRACE_OK)
		return rc;
	uint64_t body = (uint64_t)hdr_bytes + pad4(caplen);
	if (body + 4 > len)
		return fail(r, TRACE_E_FORMAT, no,
			    "%s at byte %" PRIu64 ": caplen %" PRIu32
			    " does not fit in block length %" PRIu32,
			    name, at, caplen, len);
	uint64_t rest = len - body; /* options + trailing length, >= 4 */
	bool is_inline = rest <= PCAPNG_TAIL_INLINE_BYTES;
	size_t want = (size_t)(is_inline ? len : body);
	rc = need(r, want, no, "packet block");
	if (rc != TRACE_OK)
		return rc;
	b = r->buf + r->pos;
	const uint8_t *data = b + hdr_bytes;
	if (is_inline) {
		if ((rc = check_tail(r, rd32(r, b + len - 4), len, no, at, type)) != TRACE_OK)
			return rc;
		r->pos += len;
	} else {
		r->pos += body;
		r->has_tail = true;
		r->tail_skip = rest - 4;
		r->tail_len = len;
		r->tail_rec = no;
		r->tail_at = at;
		r->tail_type = type;
	}
	if (is_skipped(r, no, caplen, wire_len))
		return TRACE_OK;
	i128 abs_ps = is_spb ? 0 : pcapng_ticks_to_ps(&r->ifaces[iface], ticks);
	deliver(r, rec, no, abs_ps, !is_spb, caplen, wire_len, iface, data);
	*is_delivered = true;
	return TRACE_OK;
}

/* Next packet record; while opening, returns TRACE_OK (with no record) after
 * the first IDB instead. */
static int pcapng_next(struct trace_reader *r, struct trace_record *rec)
{
	for (;;) {
		int rc;
		if (r->has_tail) {
			r->has_tail = false;
			rc = skip(r, r->tail_skip, r->tail_rec, "packet block options");
			if (rc != TRACE_OK)
				return rc;
			rc = pcapng_trailer(r, r->tail_len, r->tail_rec, r->tail_at, r->tail_type);
			if (rc != TRACE_OK)
				return rc;
		}
		uint64_t at = offset_now(r);
		rc = fill(r, 8);
		if (rc != TRACE_OK) {
			if (r->is_opening && rc == TRACE_EOF && r->end == r->pos && r->gz_err == Z_OK)
				return fail(r, TRACE_E_FORMAT, 0,
					    "no interface description block before the end of the file");
			return short_read(r, rc, 0, true, "block header", 8, r->end - r->pos);
		}
		const uint8_t *b = r->buf + r->pos;
		uint32_t type = rd32(r, b);
		if (type == PCAPNG_BT_SHB) { /* palindrome: same in both byte orders */
			rc = pcapng_shb(r, at);
			if (rc != TRACE_OK)
				return rc;
			continue;
		}
		uint32_t len = rd32(r, b + 4);
		bool is_packet = type == PCAPNG_BT_EPB || type == PCAPNG_BT_SPB || type == PCAPNG_BT_PB;
		if (len % 4 || len < PCAPNG_BLOCK_MIN_BYTES) {
			if (is_packet)
				return fail(r, TRACE_E_FORMAT, r->rec_no + 1,
					    "%s at byte %" PRIu64 ": block length %" PRIu32
					    " is not a multiple of 4 or < %u",
					    pcapng_block_name(type), at, len, PCAPNG_BLOCK_MIN_BYTES);
			return fail(r, TRACE_E_FORMAT, 0,
				    "%s (type 0x%08" PRIx32 ") at byte %" PRIu64 ": block length %" PRIu32
				    " is not a multiple of 4 or < %u",
				    pcapng_block_name(type), type, at, len, PCAPNG_BLOCK_MIN_BYTES);
		}
		if (is_packet) {
			bool is_delivered;
			rc = pcapng_packet(r, rec, type, len, at, &is_delivered);
			if (rc != TRACE_OK)
				return rc;
			if (is_delivered)
				return TRACE_OK;
			continue;
		}
		if (type == PCAPNG_BT_IDB) {
			rc = pcapng_idb(r, len, at);
			if (rc != TRACE_OK)
				return rc;
			if (r->is_opening)
				return TRACE_OK;
			continue;
		}
		r->pos += 8;
		rc = skip(r, (uint64_t)len - 12, 0, pcapng_block_name(type));
		if (rc == TRACE_OK)
			rc = pcapng_trailer(r, len, 0, at, type);
		if (rc != TRACE_OK)
			return rc;
		r->stats.blocks_skipped++;
	}
}

static int pcapng_open(struct trace_reader *r)
{
	r->info.format = "pcapng";
	r->is_opening = true;
	/* The file must start with an SHB; pcapng_next reads it, then blocks
	 * up to the first IDB, which gives the link type. */
	int rc = pcapng_next(r, NULL);
	r->is_opening = false;
	return rc;
}

/* ---- API ---- */

static void copy_err(const struct trace_reader *r, char *err, size_t err_len)
{
	if (err && err_len)
		snprintf(err, err_len, "%s", r->err_msg);
}

/* A reader over fd (owned from here on), named name in messages; is_regular:
 * fd is a regular file that reading started at start_off of. */
static int open_fd(struct trace_reader **out, const char *name, int fd, bool is_regular, int64_t start_off,
		   int64_t size, char *err, size_t err_len)
{
	*out = NULL;
	struct trace_reader *r = calloc(1, sizeof *r);
	char *p = strdup(name);
	uint8_t *buf = malloc(TRACE_WINDOW_MIN_BYTES);
	if (!r || !p || !buf) {
		free(r);
		free(p);
		free(buf);
		close(fd);
		if (err && err_len)
			snprintf(err, err_len, "%s: out of memory", name);
		return TRACE_E_NOMEM;
	}
	r->fd = fd;
	r->is_regular = is_regular;
	r->start_off = start_off;
	r->size = size;
	r->path = p;
	r->buf = buf;
	r->cap = TRACE_WINDOW_MIN_BYTES;
	r->digest = FNV64_OFFSET;
	r->info.format = "pcap";
	r->info.linktype_name = "";

	int rc;
	/* zlib closes what it is given: a duplicate, so fd stays for
	 * trace_rewind. */
	int gz_fd = dup(fd);
	errno = 0;
	r->gz = gz_fd >= 0 ? gzdopen(gz_fd, "rb") : NULL;
	if (!r->gz) {
		int e = errno;
		if (gz_fd >= 0)
			close(gz_fd);
		rc = fail(r, TRACE_E_IO, 0, "cannot open (%s)", e ? strerror(e) : "out of memory");
		goto out_err;
	}
	/* Must precede the first read (zlib allocates its buffers then). */
	gzbuffer(r->gz, TRACE_GZBUF_BYTES);

	rc = fill(r, 4);
	r->info.is_gzip = !gzdirect(r->gz);
	if (rc != TRACE_OK) {
		size_t have = r->end - r->pos;
		if (rc == TRACE_EOF && r->gz_err == Z_OK && have == 0)
			rc = fail(r, TRACE_E_TRUNCATED, 0,
				  "empty file (0 bytes%s); expected a pcap or pcapng capture",
				  r->info.is_gzip ? " after gzip decompression" : "");
		else
			rc = short_read(r, rc, 0, false, "file header", 4, have);
		goto out_err;
	}
	const uint8_t *m = r->buf + r->pos;
	uint32_t magic;
	memcpy(&magic, m, 4);
	if (magic == 0xA1B2C3D4u || magic == 0xA1B23C4Du) {
		r->is_swapped = false;
	} else if (magic == 0xD4C3B2A1u || magic == 0x4D3CB2A1u) {
		r->is_swapped = true;
	} else if (magic == PCAPNG_BT_SHB) {
		r->is_pcapng = true;
	} else {
		rc = fail(r, TRACE_E_FORMAT, 0,
			  "not a capture file: magic %02x %02x %02x %02x%s; nicsim reads pcap (a1b2c3d4 microsecond, a1b23c4d nanosecond, either byte order) and pcapng (0a0d0d0a), plain or gzip-compressed",
			  m[0], m[1], m[2], m[3], r->info.is_gzip ? " (after gzip decompression)" : "");
		goto out_err;
	}
	if (r->is_pcapng) {
		rc = pcapng_open(r);
	} else {
		/* m[0] is the first byte in the file: a1 means big-endian. */
		r->info.is_big_endian = m[0] == 0xA1;
		r->info.is_nanosecond = (magic == 0xA1B23C4Du || magic == 0x4D3CB2A1u);
		r->pcap_frac_ps = r->info.is_nanosecond ? 1000u : 1000000u;
		rc = pcap_open(r);
	}
	if (rc != TRACE_OK)
		goto out_err;
	r->stats.bytes_read = offset_now(r);
	r->is_started = true;
	*out = r;
	return TRACE_OK;

out_err:
	copy_err(r, err, err_len);
	trace_close(r);
	return rc;
}

int trace_open(struct trace_reader **out, const char *path, char *err, size_t err_len)
{
	*out = NULL;
	bool is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? TRACE_STDIN_NAME : path;
	/* A FIFO's open waits for its writer, as cat's does; O_NONBLOCK would
	 * turn a late writer into an empty file. */
	int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (err && err_len)
			snprintf(err, err_len, "%s: cannot open (%s)", name, strerror(errno));
		return TRACE_E_IO;
	}
	struct stat st;
	bool has_stat = fstat(fd, &st) == 0;
	if (has_stat && S_ISDIR(st.st_mode)) {
		close(fd);
		if (err && err_len)
			snprintf(err, err_len, "%s: is a directory, not a capture file", name);
		return TRACE_E_IO;
	}
	bool is_regular = has_stat && S_ISREG(st.st_mode);
	int64_t start = is_regular ? (int64_t)lseek(fd, 0, SEEK_CUR) : -1;
	if (start < 0)
		is_regular = false;
	return open_fd(out, name, fd, is_regular, start, is_regular ? (int64_t)st.st_size : -1, err, err_len);
}

bool trace_can_rewind(const struct trace_reader *r) { return r->is_regular; }

int trace_rewind(struct trace_reader *r, char *err, size_t err_len)
{
	if (!r->is_regular) {
		if (err && err_len)
			snprintf(err, err_len, "%s: a pipe or terminal cannot be read twice", r->path);
		return TRACE_E_IO;
	}
	int fd = dup(r->fd);
	if (fd < 0 || lseek(fd, r->start_off, SEEK_SET) < 0) {
		if (err && err_len)
			snprintf(err, err_len, "%s: cannot read it again (%s)", r->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return TRACE_E_IO;
	}
	struct trace_reader *n;
	int rc = open_fd(&n, r->path, fd, true, r->start_off, r->size, err, err_len);
	if (rc < 0)
		return rc;
	/* Both are self-contained (every pointer is to their own allocations):
	 * swap, and close what was r. */
	struct trace_reader old = *r;
	*r = *n;
	*n = old;
	r->max_gap_ps = n->max_gap_ps;   /* a setting of the reader, not of the pass */
	trace_close(n);
	return TRACE_OK;
}

bool trace_progress(const struct trace_reader *r, uint64_t *done_bytes, uint64_t *total_bytes)
{
	if (!r->is_regular || r->size <= r->start_off)
		return false;
	/* Bytes of the file zlib has taken (compressed, for gzip): ahead of the
	 * record being read by at most zlib's buffer. */
	z_off_t at = gzoffset(r->gz);
	if (at < 0)
		return false;
	/* gzoffset counts from the start of the file, reading from start_off */
	uint64_t total = (uint64_t)(r->size - r->start_off);
	uint64_t done = (uint64_t)at > (uint64_t)r->start_off ? (uint64_t)at - (uint64_t)r->start_off : 0;
	*done_bytes = done < total ? done : total;
	*total_bytes = total;
	return true;
}

int trace_next(struct trace_reader *r, struct trace_record *rec, char *err, size_t err_len)
{
	if (r->err_code) {
		copy_err(r, err, err_len);
		return r->err_code;
	}
	int rc = r->is_pcapng ? pcapng_next(r, rec) : pcap_next(r, rec);
	r->stats.bytes_read = offset_now(r);
	if (rc < 0)
		copy_err(r, err, err_len);
	return rc;
}

const struct trace_info *trace_get_info(const struct trace_reader *r) { return &r->info; }

const struct trace_stats *trace_get_stats(const struct trace_reader *r) { return &r->stats; }

const char *trace_skip_note(const struct trace_reader *r) { return r->skip_note; }

void trace_set_max_gap_ps(struct trace_reader *r, uint64_t max_gap_ps) { r->max_gap_ps = max_gap_ps; }

/* Whole seconds and the picoseconds below them of a non-negative span,
 * seconds saturated at INT64_MAX. */
static void split_span(i128 ps, uint64_t *s, uint64_t *frac_ps)
{
	if (ps < 0)
		ps = 0;
	i128 whole = ps / PS_PER_S;
	*s = whole > INT64_MAX ? (uint64_t)INT64_MAX : (uint64_t)whole;
	*frac_ps = (uint64_t)(ps % PS_PER_S);
}

void trace_time_span(const struct trace_reader *r, struct trace_span *span)
{
	memset(span, 0, sizeof *span);
	if (!r->has_base)
		return;
	i128 latest = r->latest_abs_ps > r->prev_abs_ps ? r->latest_abs_ps : r->prev_abs_ps;
	split_span(latest - r->earliest_abs_ps, &span->s, &span->frac_ps);
	split_span(r->base_cut_ps - r->base_ps, &span->cut_s, &span->cut_frac_ps);
}

uint64_t trace_error_record(const struct trace_reader *r) { return r->err_code ? r->err_rec : 0; }

uint64_t trace_digest(const struct trace_reader *r)
{
	uint64_t h = r->digest;
	if (r->digest_word_n)
		h = (h ^ r->digest_word) * FNV64_PRIME;
	return (h ^ r->filled_bytes) * FNV64_PRIME;
}

void trace_close(struct trace_reader *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz);
	if (r->fd >= 0)
		close(r->fd);
	free(r->ifaces);
	free(r->buf);
	free(r->path);
	free(r);
}
