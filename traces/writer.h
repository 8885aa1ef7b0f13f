/*
 * traces/writer.h — writes frames out as a capture: classic pcap or pcapng.
 *
 * What the NIC put on the wire (`nicsim run --tx-pcap`) and both directions
 * in time order (`--wire-pcap`) are written with this, stamped with
 * simulated time, so that Wireshark and tshark open them.
 *
 * Formats (the reader's sources, traces/reader.h):
 *   - pcap: nanosecond magic 0xa1b23c4d, version 2.4, native byte order,
 *     one link type; timestamps are seconds + nanoseconds
 *     (tcpdump.org/manpages/pcap-savefile.5.html);
 *   - pcapng: one Section Header Block, one Interface Description Block with
 *     if_tsresol = 9 (nanoseconds), Enhanced Packet Blocks whose epb_flags
 *     option carries the direction (bits 0-1: 1 inbound, 2 outbound;
 *     draft-ietf-opsawg-pcapng §4.3.1).
 * Simulated time t_ps is written as base_s seconds (the capture's own
 * epoch, so a replayed trace keeps its dates) plus t_ps rounded down to the
 * nanosecond.
 *
 * Output is buffered; every write error (a full disk, a closed pipe) is
 * kept and reported by trace_writer_close naming the file, and writes after
 * an error are dropped, so a run never dies half way through a report.
 */
#ifndef NICSIM_TRACES_WRITER_H
#define NICSIM_TRACES_WRITER_H

#include <stddef.h>
#include <stdint.h>

enum trace_write_format { TRACE_WRITE_PCAP = 0, TRACE_WRITE_PCAPNG };
enum trace_dir { TRACE_DIR_UNKNOWN = 0, TRACE_DIR_IN = 1, TRACE_DIR_OUT = 2 };

struct trace_writer;
/* Create path ("-" = standard output) and write the file header. linktype
 * is the LINKTYPE_* number (the capture's, trace_info.linktype); snaplen
 * the largest frame to be written. base_s: Unix seconds of t_ps = 0.
 * Returns 0, or -1 with "PATH: why" in err. */
int trace_writer_open(struct trace_writer **out, const char *path, enum trace_write_format fmt, uint32_t linktype,
		      uint32_t snaplen, int64_t base_s, char *err, size_t err_len);
/* One frame: cap_len bytes of data, its original length wire_len (>=
 * cap_len), at t_ps; dir is written by pcapng only. Returns 0, or -1 once
 * a write has failed (the error waits for close). */
int trace_writer_put(struct trace_writer *w, uint64_t t_ps, const uint8_t *data, uint32_t cap_len, uint32_t wire_len,
		     enum trace_dir dir);
/* Frames written. */
uint64_t trace_writer_frames(const struct trace_writer *w);
/* Flush and close (NULL is a no-op returning 0). Returns 0, or -1 with
 * "PATH: why" (the first write error, or the close's) in err. */
int trace_writer_close(struct trace_writer *w, char *err, size_t err_len);

#endif
