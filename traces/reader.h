/*
 * traces/reader.h — streaming capture reader: classic pcap and pcapng, plain
 * or gzip-compressed (detected by content, not by name).
 *
 * Formats: pcap with micro- or nanosecond timestamps in either byte order
 * (magic a1b2c3d4 / a1b23c4d); pcapng Section Header, Interface Description
 * (if_tsresol, several interfaces of the same link type), Enhanced and Simple
 * Packet Blocks; other pcapng blocks are skipped by length. Sources:
 * tcpdump.org/manpages/pcap-savefile.5.html; IETF draft-ietf-opsawg-pcapng
 * §4.1–4.4 and §4.6 (if_tsresol).
 *
 * Link types accepted: Ethernet (1), Linux SLL (113), SLL2 (276), raw IP
 * (101, and 12/14 as written by some BSDs), IPv4 (228), IPv6 (229). Any other
 * is refused by name and number.
 *
 * Memory is bounded: one record buffer (grown to the largest record seen, at
 * most TRACE_CAPLEN_MAX) and zlib's window; nothing grows with trace length.
 *
 * Bad input never crashes or hangs. Fatal problems (bad magic, truncated
 * header or record, caplen beyond limits, corrupt gzip, unknown link type)
 * return a negative code and a one-line message "FILE: record N: what";
 * recoverable oddities are counted in trace_stats and the record is either
 * delivered with a flag (timestamp going backwards) or skipped (zero-length
 * record, caplen > original length, an original length no frame can have).
 */
#ifndef NICSIM_TRACES_READER_H
#define NICSIM_TRACES_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/pkt/parse.h"

/* The largest capture length accepted: 256 KiB, libpcap's MAXIMUM_SNAPLEN
 * (pcap/pcap-int.h, 262144). */
#define TRACE_CAPLEN_MAX (256u * 1024u)
/* The largest original (wire) length accepted, the same 256 KiB: above the
 * largest IPv6 jumbogram or GRO/BIG TCP super-frame a capture holds (tens of
 * KiB), far below 0xFFFFFFFF. A record claiming more is skipped and counted
 * (trace_stats.skipped_len_absurd, trace_skip_note names the first): replayed,
 * it would occupy a wire for a second per gigabyte. */
#define TRACE_WIRE_LEN_MAX (256u * 1024u)
#define TRACE_ERR_MAX 512

enum trace_err {
	TRACE_OK = 0,
	TRACE_EOF = 1,            /* trace_next: no more records (not an error) */
	TRACE_E_IO = -1,          /* open/read failed (errno text in the message) */
	TRACE_E_FORMAT = -2,      /* bad magic, unsupported version, malformed block */
	TRACE_E_TRUNCATED = -3,   /* file ends inside a header or record */
	TRACE_E_LIMIT = -4,       /* caplen > snaplen or > TRACE_CAPLEN_MAX */
	TRACE_E_LINKTYPE = -5,    /* link type not supported (named in the message) */
	TRACE_E_GZIP = -6,        /* corrupt or truncated gzip stream */
	TRACE_E_NOMEM = -7,
};

struct trace_record {
	uint64_t index;           /* 1-based packet record number in the file; skipped
	                           * records use up their numbers too (like
	                           * Wireshark's frame numbers), so "record N" in a
	                           * message is the Nth packet record */
	uint64_t ts_ps;           /* picoseconds since trace_info.ts_base_s (Unix
	                           * time, s), less the idle gaps cut so far
	                           * (trace_set_max_gap_ps), in 0..TRACE_TS_MAX_PS:
	                           * 2^63 ps is only 106 days, so an absolute ps
	                           * count since 1970 cannot fit. */
	uint32_t cap_len;         /* bytes in data */
	uint32_t wire_len;        /* original length on the wire */
	uint32_t iface;           /* pcapng interface id (0 for pcap) */
	bool is_ts_backwards;     /* earlier than the previous record's timestamp */
	const uint8_t *data;      /* valid until the next trace_next/trace_close */
};

struct trace_info {
	const char *format;       /* "pcap" or "pcapng" */
	bool is_gzip;
	bool is_nanosecond;       /* pcap: nanosecond magic; pcapng: resolution of interface 0 finer than 1 us */
	bool is_big_endian;       /* byte order of the file */
	uint32_t linktype;        /* LINKTYPE_* number */
	const char *linktype_name;/* "ethernet", "linux_sll", "linux_sll2", "raw", "ipv4", "ipv6" */
	enum parse_link link;     /* what the parser should expect */
	uint32_t snaplen;         /* from the file header / IDB (0 = unlimited in pcapng) */
	uint32_t interfaces;      /* pcapng IDBs seen so far (1 for pcap) */
	int64_t ts_base_s;        /* Unix time (s) that ts_ps counts from: the whole
	                           * second of the first timestamped record; 0 until
	                           * that record is read. Absolute time of a record =
	                           * ts_base_s * 10^12 + ts_ps picoseconds. */
};

struct trace_stats {
	uint64_t records;           /* packet records delivered */
	uint64_t skipped_zero_len;  /* caplen == 0: skipped */
	uint64_t skipped_caplen_gt_len; /* caplen > original length: skipped */
	uint64_t skipped_len_absurd; /* original length > TRACE_WIRE_LEN_MAX: skipped */
	uint64_t ts_backwards;      /* delivered, flagged is_ts_backwards */
	uint64_t blocks_skipped;    /* pcapng blocks of other types */
	uint64_t bytes_read;        /* file bytes consumed (after decompression) */
	uint64_t ts_clamped;        /* timestamp before ts_base_s (ts_ps = 0) or
	                             * more than TRACE_TS_MAX_PS after it (ts_ps =
	                             * TRACE_TS_MAX_PS): delivered, clamped, counted */
	uint64_t gaps_cut;          /* forward jumps shortened to the max gap */
};

/* The largest ts_ps: 2^63 - 1 ps, 106.75 days. Times stay within int64 so
 * that every report (JSON integers are signed) carries them as they are. */
#define TRACE_TS_MAX_PS ((uint64_t)INT64_MAX)

/* The true time between the earliest and the latest record delivered so
 * far, whatever their order and however far apart, and the idle time cut
 * out of the timeline: whole seconds (saturated at INT64_MAX) and ps. */
struct trace_span {
	uint64_t s, frac_ps;
	uint64_t cut_s, cut_frac_ps;
};

struct trace_reader;

/* Messages name standard input so. */
#define TRACE_STDIN_NAME "stdin"

/* Open path: a file, a named pipe, /dev/fd/N (a shell's <(...)), or "-" for
 * standard input. The stream is read once, front to back, without seeking;
 * trace_rewind reads a regular file again, keeping trace_set_max_gap_ps. On failure returns a negative
 * enum trace_err and writes a one-line message naming the file into err. */
int trace_open(struct trace_reader **out, const char *path, char *err, size_t err_len);
/* Whether trace_rewind can work: the capture is a regular file (standard
 * input redirected from one included), not a pipe. */
bool trace_can_rewind(const struct trace_reader *r);
/* Start again from the beginning, as a freshly opened reader (stats, digest
 * and record numbers restart). TRACE_E_IO with a message for a pipe. */
int trace_rewind(struct trace_reader *r, char *err, size_t err_len);
/* For a progress display: bytes of the file consumed so far (compressed
 * bytes for gzip) and the file's size. false when the size is unknown (a
 * pipe). */
bool trace_progress(const struct trace_reader *r, uint64_t *done_bytes, uint64_t *total_bytes);
/* Next packet record: TRACE_OK with *rec filled, TRACE_EOF at the end, or a
 * negative enum trace_err with a message "FILE: record N: ..." in err. After an
 * error, further calls return the same error. */
int trace_next(struct trace_reader *r, struct trace_record *rec, char *err, size_t err_len);
const struct trace_info *trace_get_info(const struct trace_reader *r);
const struct trace_stats *trace_get_stats(const struct trace_reader *r);
/* Cut idle gaps: a record later than every earlier one by more than
 * max_gap_ps is placed max_gap_ps after the latest, and the records after it
 * keep their spacing (counted in gaps_cut). 0 (the default) cuts nothing.
 * Set before the first trace_next. */
void trace_set_max_gap_ps(struct trace_reader *r, uint64_t max_gap_ps);
void trace_time_span(const struct trace_reader *r, struct trace_span *span);
/* "FILE: record N: original length L > 262144 ...: skipped" for the first
 * record skipped for its original length, "" if none: what a caller prints
 * as a warning beside the count. */
const char *trace_skip_note(const struct trace_reader *r);
/* The record the last fatal error named (0 if it named none): what "the file
 * ends inside record N" says, counting skipped records too. */
uint64_t trace_error_record(const struct trace_reader *r);
void trace_close(struct trace_reader *r);

/* Digest of the file contents as read (after decompression), for reports:
 * FNV-1a's step over 64-bit little-endian words (the last zero-padded), then
 * the byte count folded in. Same bytes, same digest, however they were
 * chunked or compressed. Not a cryptographic hash. Final after EOF. */
uint64_t trace_digest(const struct trace_reader *r);

#endif
