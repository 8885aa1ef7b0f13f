/*
 * tests/test_tx.c — the transmit path end to end: what the NIC puts on the
 * wire (--tx-pcap, --wire-pcap) and what the host pays for it.
 *
 * Expected values come from outside the simulator:
 *   - tshark (Wireshark 4.0 in Debian 12) reads every shipped capture and
 *     the frames the NIC transmitted for it, with every checksum check on and
 *     IP reassembly off; it judges checksums and well-formedness, and gives
 *     the lengths and per-flow payload sums compared here. It picks the
 *     host's frames by the rule of docs/replay.md ("Who the host is"), given
 *     only the address the run identified (the report's host_identity);
 *   - the cost rule of docs/tx.md and host/cost.h with the defaults of
 *     docs/config.md, written here as literals, applied to the counts the
 *     run reports and to per-frame counts tshark gives;
 *   - libpcap counts the records of a written pcap.
 * Every capture under traces/ (traces/ref included) is found at run time.
 * A capture byte-identical to one already checked (the golden captures in
 * traces/ have copies in traces/ref) gives the same run: it is named and not
 * read again. tshark runs twice a capture (the capture, the NIC's frames),
 * the two at once; the whole file takes about 15 s on two cores (tshark's
 * start-up, about 0.3 s a run, is most of it).
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/nicsim/run.h"

/* docs/config.md, the defaults: mac.mtu and the transmit costs. */
#define MTU_BYTES 1500u
#define TX_WIRE_CYCLES 4200u         /* cost.tx_wire_cycles */
#define TX_WIRE_TSO_CYCLES 850u      /* cost.tx_wire_tso_cycles */
#define ACK_TX_CYCLES 1500u          /* cost.ack_tx_cycles */
#define TX_COPY_MCYC_PER_BYTE 200u   /* cost.tx_copy_mcyc_per_byte */
#define CSUM_MCYC_PER_BYTE 250u      /* cost.csum_mcyc_per_byte */
#define TX_CLEAN_CYCLES 300u         /* cost.tx_clean_cycles */

/* The capture the cost and wire tests run: the server (10.77.0.1) sends a
 * TCP bulk transfer back while it receives a UDP stream (traces/ref/README.md). */
#define BULK_SEND_TRACE "udp-and-reverse.pcap"

/* ---- tshark ---- */

static bool have_tshark(void)
{
	char *o;
	int rc = tu_run("command -v tshark >/dev/null 2>&1", &o);
	free(o);
	return rc == 0;
}

static void skip_without_tshark(void)
{
	if (!have_tshark()) {
		print_message("tshark is not installed (.ci/setup.sh installs it): skipping\n");
		skip();
	}
}

/* The fields read from every frame, in this order. Checksums are checked;
 * IP fragments stay fragments (a non-first fragment has no ports and
 * belongs to no flow, as in traces/ref/README.md); the first occurrence of
 * a field is the outer header's. */
#define TSHARK_OPTS                                                                                            \
	"-n -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE "                  \
	"-o ip.defragment:FALSE -o ipv6.defragment:FALSE -E occurrence=f -T fields"
enum field {
	F_NUM, F_LEN, F_CAP_LEN, F_ETH_SRC, F_ETH_DST, F_ETH_PADDING, F_ETH_TRAILER, F_ETH_FCS, F_SLL_PKTTYPE,
	F_IP_SRC, F_IP_DST, F_IP6_SRC, F_IP6_DST, F_IP_LEN, F_IP6_PLEN, F_TCP_SPORT, F_TCP_DPORT, F_UDP_SPORT,
	F_UDP_DPORT, F_TCP_LEN, F_UDP_LENGTH, F_TCP_FLAGS, F_IP_CSUM, F_TCP_CSUM, F_UDP_CSUM, F_MALFORMED, F_ICMP,
	F_ICMP6, F_COUNT
};
static const char *const field_names[F_COUNT] = {
	"frame.number", "frame.len", "frame.cap_len", "eth.src", "eth.dst", "eth.padding", "eth.trailer", "eth.fcs",
	"sll.pkttype", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.len", "ipv6.plen", "tcp.srcport",
	"tcp.dstport", "udp.srcport", "udp.dstport", "tcp.len", "udp.length", "tcp.flags", "ip.checksum.status",
	"tcp.checksum.status", "udp.checksum.status", "_ws.malformed", "icmp.type", "icmpv6.type",
};

/* "tshark -r PATH OPTS -e ... > OUT 2> OUT.err", its exit status into RC. */
static void tshark_cmd(char *cmd, size_t cap, const char *path, const char *out, const char *rc)
{
	int n = snprintf(cmd, cap, "(tshark -r '%s' " TSHARK_OPTS, path);
	for (int f = 0; f < F_COUNT; f++)
		n += snprintf(cmd + n, cap - (size_t)n, " -e %s", field_names[f]);
	snprintf(cmd + n, cap - (size_t)n, " > '%s' 2> '%s.err'; echo $? > '%s')", out, out, rc);
}

/* Exit 0; or 2 for a file that ends inside a record (suri-pgsql-gro-offload
 * does), which tshark reads up to there, as nicsim does. */
static void expect_tshark_ok(const char *rc_path, const char *out, const char *what)
{
	char err_path[600];
	snprintf(err_path, sizeof err_path, "%s.err", out);
	char *s = tu_read_file(rc_path, NULL), *e = tu_read_file(err_path, NULL);
	int rc = s ? atoi(s) : -1;
	if (rc != 0 && !(rc == 2 && e && strstr(e, "cut short in the middle of a packet")))
		fail_msg("tshark on %s: exit %d: %.500s", what, rc, e ? e : "");
	free(s);
	free(e);
	unlink(rc_path);
	unlink(err_path);
}

/* tshark on two files at once (the CI has two cores): their field rows,
 * malloc'd, into *out_a and *out_b. */
static void tshark_pair(const char *a, const char *b, char **out_a, char **out_b)
{
	const char *oa = tu_tmpfile(".txt"), *ob = tu_tmpfile(".txt"), *ra = tu_tmpfile(".rc"), *rb = tu_tmpfile(".rc");
	char ca[2048], cb[2048], cmd[4200];
	tshark_cmd(ca, sizeof ca, a, oa, ra);
	tshark_cmd(cb, sizeof cb, b, ob, rb);
	snprintf(cmd, sizeof cmd, "%s & %s & wait", ca, cb);
	assert_int_equal(tu_run(cmd, NULL), 0);
	expect_tshark_ok(ra, oa, a);
	expect_tshark_ok(rb, ob, b);
	*out_a = tu_read_file(oa, NULL);
	*out_b = tu_read_file(ob, NULL);
	assert_non_null(*out_a);
	assert_non_null(*out_b);
	unlink(oa);
	unlink(ob);
}

/* Split one row (tab-separated, in place) into its fields; the next row. */
static char *next_row(char *s, char *f[F_COUNT])
{
	char *end = strchr(s, '\n');
	if (end)
		*end = '\0';
	for (int i = 0; i < F_COUNT; i++) {
		f[i] = s;
		char *tab = strchr(s, '\t');
		if (tab) {
			*tab = '\0';
			s = tab + 1;
		} else {
			s += strlen(s);
		}
	}
	return end ? end + 1 : NULL;
}

static bool has(const char *field) { return field[0] != '\0'; }
static long num(const char *field) { return strtol(field, NULL, 0); }

/* ---- per-flow sums ---- */

struct flow_sum {
	char key[160];           /* proto src sport dst dport */
	uint64_t payload_bytes;
};
struct flow_set {
	struct flow_sum *v;
	size_t n, cap;
};

static void flow_add(struct flow_set *s, const char *key, uint64_t bytes)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].key, key) == 0) {
			s->v[i].payload_bytes += bytes;
			return;
		}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		assert_non_null(s->v);
	}
	snprintf(s->v[s->n].key, sizeof s->v[0].key, "%s", key);
	s->v[s->n++].payload_bytes = bytes;
}

static const struct flow_sum *flow_find(const struct flow_set *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].key, key) == 0)
			return &s->v[i];
	return NULL;
}

/* A frame's flow as traces/ref/README.md counts flows: TCP or UDP with
 * ports, ICMP errors (which quote an inner header) left out. Returns false
 * for a frame of no flow; else its key and L4 payload (tcp.len, or the UDP
 * length less its 8-byte header). */
static bool frame_flow(char *const f[F_COUNT], char *key, size_t cap, uint64_t *payload)
{
	if (has(f[F_ICMP]) || has(f[F_ICMP6]))
		return false;
	const char *src = has(f[F_IP_SRC]) ? f[F_IP_SRC] : f[F_IP6_SRC];
	const char *dst = has(f[F_IP_SRC]) ? f[F_IP_DST] : f[F_IP6_DST];
	if (has(f[F_TCP_SPORT])) {
		snprintf(key, cap, "tcp %s %s %s %s", src, f[F_TCP_SPORT], dst, f[F_TCP_DPORT]);
		*payload = (uint64_t)num(f[F_TCP_LEN]);
		return true;
	}
	if (has(f[F_UDP_SPORT])) {
		snprintf(key, cap, "udp %s %s %s %s", src, f[F_UDP_SPORT], dst, f[F_UDP_DPORT]);
		long l = num(f[F_UDP_LENGTH]);
		*payload = l > 8 ? (uint64_t)(l - 8) : 0;
		return true;
	}
	return false;
}

/* A pure ACK as docs/tx.md has it: TCP, no payload, ACK and at most ECE
 * and CWR besides. */
static bool is_pure_ack(char *const f[F_COUNT])
{
	return has(f[F_TCP_SPORT]) && num(f[F_TCP_LEN]) == 0 && (num(f[F_TCP_FLAGS]) & 0x3f) == 0x10;
}

/* ---- the host's frames in a capture (docs/replay.md "Who the host is") ---- */

struct host_sel {
	char ip[REPLAY_HOST_IPS_MAX][INET6_ADDRSTRLEN];
	uint32_t n_ip;
	bool is_sll;             /* cooked capture: packet type 4 (outgoing) is the host's */
	bool has_mac;
	char mac[32];            /* learnt from the first Ethernet frame sent to the host's address */
};

static struct host_sel host_sel_of(const struct host_id *id)
{
	struct host_sel h = { .n_ip = id->n_ip, .is_sll = id->use_sll_type };
	for (uint32_t i = 0; i < id->n_ip; i++)
		assert_non_null(inet_ntop(id->ip_is_v6[i] ? AF_INET6 : AF_INET, id->ip[i], h.ip[i], sizeof h.ip[i]));
	return h;
}

static bool is_host_ip(const struct host_sel *h, const char *a)
{
	for (uint32_t i = 0; i < h->n_ip && has(a); i++)
		if (strcmp(h->ip[i], a) == 0)
			return true;
	return false;
}

/* Whether the host sent this frame. Called on every frame in capture order
 * (it learns the MAC as the replay does). */
static bool host_sent(struct host_sel *h, char *const f[F_COUNT])
{
	if (h->is_sll)
		return num(f[F_SLL_PKTTYPE]) == 4;
	if (h->n_ip) {
		const char *src = has(f[F_IP_SRC]) ? f[F_IP_SRC] : f[F_IP6_SRC];
		const char *dst = has(f[F_IP_SRC]) ? f[F_IP_DST] : f[F_IP6_DST];
		if (is_host_ip(h, dst)) {
			/* A group address (I/G bit set) teaches nothing. */
			if (!h->has_mac && has(f[F_ETH_DST])) {
				snprintf(h->mac, sizeof h->mac, "%s", f[F_ETH_DST]);
				h->has_mac = (strtoul(f[F_ETH_DST], NULL, 16) & 1u) == 0;
			}
			return false;
		}
		if (is_host_ip(h, src))
			return true;
	}
	return h->has_mac && strcmp(f[F_ETH_DST], h->mac) != 0 && strcmp(f[F_ETH_SRC], h->mac) == 0;
}

/* ---- one capture through a run, and tshark on both sides ---- */

/* What tshark says of the host's frames in the capture. */
struct capture_side {
	uint64_t frames;                 /* the host's frames */
	uint64_t pure_acks;
	uint64_t payload_bytes;          /* TCP/UDP payload of the flows */
	uint64_t copy_cycles;            /* per frame: its payload at tx_copy_mcyc_per_byte, rounded up */
	uint64_t csum_bytes, csum_cycles;/* per whole IPv4 TCP/UDP frame: the IPv4 header and segment (ip.len) summed */
	struct flow_set flows;
	struct flow_set overlap_flows;   /* flows with TCP data that overlaps data sent before (retransmissions) */
	struct flow_set malformed_flows; /* flows with frames tshark calls malformed otherwise, and how many */
};

/* What tshark says of the frames the NIC transmitted. */
struct tx_side {
	uint64_t frames, pure_acks;
	uint64_t bad_csum;               /* frames with a bad IP, TCP or UDP checksum, trailer-less */
	uint64_t bad_csum_trailer;       /* the same, on frames with bytes after the IP datagram (see the test) */
	uint64_t malformed;              /* tshark's _ws.malformed, but for those below */
	uint64_t overlaps;               /* malformed as a TCP reassembly overlap, in a flow that overlaps in the capture */
	uint64_t malformed_as_captured;  /* malformed otherwise, no more often than in the flow in the capture */
	uint64_t over_mtu;               /* IP datagrams longer than mac.mtu */
	char first_bad[256];
	struct flow_set flows;
};

struct capture {
	char path[4096];
	const char *dup_of;              /* byte-identical to this capture, already checked (not owned) */
	uint64_t size_bytes, hash;
	char how[160];
	uint64_t host_tx_frames;         /* replay.tx_frames */
	uint64_t nic_tx_frames;          /* frames the NIC put on the wire, all queues */
	uint64_t unsendable;             /* tx.host.unsendable: sends no one could cut to the MTU */
	struct capture_side cap;
	struct tx_side tx;
};

static struct {
	bool is_attempted, is_loaded;
	struct capture *v;
	size_t n, cap;
} caps;

/* "Reassembly error, protocol TCP: New fragment overlaps old data": TCP
 * reassembly found bytes that overlap bytes already seen, with different
 * boundaries or contents; a capture with retransmissions has them, and the
 * NIC's cut of a retransmitted send moves them to other frames. */
static bool is_overlap(const char *malformed) { return strstr(malformed, "overlaps old data") != NULL; }

static void read_capture_side(char *rows, struct host_sel *h, struct capture_side *c)
{
	char *f[F_COUNT], key[160];
	for (char *s = rows; s && *s;) {
		s = next_row(s, f);
		bool is_host = host_sent(h, f);
		uint64_t payload;
		bool is_flow = frame_flow(f, key, sizeof key, &payload);
		if (is_flow && is_overlap(f[F_MALFORMED]))
			flow_add(&c->overlap_flows, key, 0);
		else if (is_flow && has(f[F_MALFORMED]))
			flow_add(&c->malformed_flows, key, 1);
		if (!is_host)
			continue;
		c->frames++;
		c->pure_acks += is_pure_ack(f);
		if (!is_flow)
			continue;
		flow_add(&c->flows, key, payload);
		c->payload_bytes += payload;
		c->copy_cycles += (payload * TX_COPY_MCYC_PER_BYTE + 999) / 1000;
		if (has(f[F_IP_LEN]) && num(f[F_LEN]) == num(f[F_CAP_LEN])) {
			uint64_t b = (uint64_t)num(f[F_IP_LEN]);
			c->csum_bytes += b;
			c->csum_cycles += (b * CSUM_MCYC_PER_BYTE + 999) / 1000;
		}
	}
}

static void note_bad(struct tx_side *t, char *const f[F_COUNT], const char *what)
{
	if (!t->first_bad[0])
		snprintf(t->first_bad, sizeof t->first_bad, "frame %s: %s %.150s", f[F_NUM], what, f[F_MALFORMED]);
}

static void read_tx_side(char *rows, const struct capture_side *c, struct tx_side *t)
{
	char *f[F_COUNT], key[160];
	struct flow_set malformed = { 0 };   /* per flow, as malformed_flows */
	for (char *s = rows; s && *s;) {
		s = next_row(s, f);
		t->frames++;
		t->pure_acks += is_pure_ack(f);
		uint64_t payload;
		bool is_flow = frame_flow(f, key, sizeof key, &payload);
		if (is_flow)
			flow_add(&t->flows, key, payload);
		/* tshark: 0 bad, 1 good, 2 not checked (docs of epan's proto_checksum_enum_e). */
		bool is_bad = strcmp(f[F_IP_CSUM], "0") == 0 || strcmp(f[F_TCP_CSUM], "0") == 0 ||
			      strcmp(f[F_UDP_CSUM], "0") == 0;
		bool has_trailer = has(f[F_ETH_PADDING]) || has(f[F_ETH_TRAILER]) || has(f[F_ETH_FCS]);
		if (is_bad && has_trailer) {
			t->bad_csum_trailer++;
		} else if (is_bad) {
			t->bad_csum++;
			note_bad(t, f, "bad checksum");
		}
		if (has(f[F_MALFORMED])) {
			const struct flow_sum *m = is_flow ? flow_find(&c->malformed_flows, key) : NULL;
			if (is_flow && is_overlap(f[F_MALFORMED]) && flow_find(&c->overlap_flows, key)) {
				t->overlaps++;
			} else if (m && !is_overlap(f[F_MALFORMED]) &&
				   (flow_add(&malformed, key, 1), flow_find(&malformed, key)->payload_bytes <= m->payload_bytes)) {
				/* The host's payload was so in the capture (an
				 * application dissector fails on the same bytes). */
				t->malformed_as_captured++;
			} else {
				t->malformed++;
				note_bad(t, f, "malformed");
			}
		}
		if ((has(f[F_IP_LEN]) && num(f[F_IP_LEN]) > MTU_BYTES) ||
		    (!has(f[F_IP_LEN]) && has(f[F_IP6_PLEN]) && num(f[F_IP6_PLEN]) + 40 > MTU_BYTES)) {
			t->over_mtu++;
			note_bad(t, f, "longer than the MTU");
		}
	}
	free(malformed.v);
}

/* FNV-1a over the file, and its size: to find byte-identical copies. */
static uint64_t file_hash(const char *path, uint64_t *size)
{
	size_t len;
	char *b = tu_read_file(path, &len);
	if (!b)
		fail_msg("%s: %s", path, strerror(errno));
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)b[i]) * 1099511628211ull;
	free(b);
	*size = len;
	return h;
}

static bool same_bytes(const char *a, const char *b)
{
	size_t la, lb;
	char *x = tu_read_file(a, &la), *y = tu_read_file(b, &lb);
	bool is_same = x && y && la == lb && memcmp(x, y, la) == 0;
	free(x);
	free(y);
	return is_same;
}

static uint64_t nic_tx_frames(const struct run *r)
{
	uint64_t n = 0;
	for (uint32_t q = 0; q < nic_queues(r->nic); q++)
		n += nic_txq_stats(r->nic, q)->tx_packets;
	return n;
}

/* A run of the capture with the defaults, the NIC's frames into tx_pcap. */
static struct run *run_with(const char *path, const char *const *sets, const struct run_opts *o)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	for (; sets && *sets; sets++)
		assert_int_equal(config_set(&cfg, *sets, NULL, 0), 0);
	struct run *r;
	char err[1024];
	if (run_trace(&cfg, path, o, &r, err, sizeof err))
		fail_msg("%s: %s", path, err);
	return r;
}

static void load_one(const char *path, void *ctx)
{
	(void)ctx;
	if (caps.n == caps.cap) {
		caps.cap = caps.cap ? 2 * caps.cap : 64;
		caps.v = realloc(caps.v, caps.cap * sizeof *caps.v);
		assert_non_null(caps.v);
	}
	struct capture *c = &caps.v[caps.n];
	memset(c, 0, sizeof *c);
	snprintf(c->path, sizeof c->path, "%s", path);
	c->hash = file_hash(path, &c->size_bytes);
	for (size_t i = 0; i < caps.n; i++)
		if (!caps.v[i].dup_of && caps.v[i].hash == c->hash && caps.v[i].size_bytes == c->size_bytes &&
		    same_bytes(caps.v[i].path, path)) {
			c->dup_of = caps.v[i].path;
			caps.n++;
			return;
		}
	const char *tx_pcap = tu_tmpfile(".pcap");
	struct run_opts o = { .tx_pcap = tx_pcap };
	struct run *r = run_with(path, NULL, &o);
	struct host_sel h = host_sel_of(&r->host);
	snprintf(c->how, sizeof c->how, "%s", r->host.how);
	c->host_tx_frames = replay_stats(r->rep)->tx_frames;
	c->nic_tx_frames = nic_tx_frames(r);
	c->unsendable = driver_tx_stats(r->drv)->unsendable;
	assert_int_equal(run_frames_in_flight(r), 0);
	run_free(r);
	char *rows_cap, *rows_tx;
	tshark_pair(path, tx_pcap, &rows_cap, &rows_tx);
	unlink(tx_pcap);
	read_capture_side(rows_cap, &h, &c->cap);
	read_tx_side(rows_tx, &c->cap, &c->tx);
	free(rows_cap);
	free(rows_tx);
	caps.n++;
}

/* Every capture through a run and tshark, once for all the tests that look
 * at the results (the first to ask pays). */
static void load_captures(void)
{
	if (caps.is_loaded)
		return;
	skip_without_tshark();
	if (caps.is_attempted)
		fail_msg("the captures could not be run and read (see the first test's failure)");
	caps.is_attempted = true;
	size_t n = tu_walk_files(tu_path(tu_src_dir(), "traces"), tu_capture_suffixes, load_one, NULL);
	assert_true(n >= 20);   /* the README's captures: the walk found the tree */
	caps.is_loaded = true;
}

static const char *rel(const char *path)
{
	size_t n = strlen(tu_src_dir());
	return strncmp(path, tu_src_dir(), n) == 0 && path[n] == '/' ? path + n + 1 : path;
}

/* ---- 1. what the NIC sent, frame by frame ---- */

static void test_tx_every_frame_sent_has_good_checksums_and_is_well_formed(void **state)
{
	(void)state;
	load_captures();
	int failures = 0;
	for (size_t i = 0; i < caps.n; i++) {
		const struct capture *c = &caps.v[i];
		if (c->dup_of) {
			print_message("%-50s same bytes as %s\n", rel(c->path), rel(c->dup_of));
			continue;
		}
		const struct tx_side *t = &c->tx;
		print_message("%-50s host (%s): %" PRIu64 " frames sent, the NIC %" PRIu64
			      "; bad checksums %" PRIu64 " (+%" PRIu64 " with a trailer), malformed %" PRIu64
			      " (+%" PRIu64 " reassembly overlaps, +%" PRIu64 " as in the capture)\n",
			      rel(c->path), c->how, c->cap.frames, t->frames, t->bad_csum, t->bad_csum_trailer,
			      t->malformed, t->overlaps, t->malformed_as_captured);
		/* The pcap holds what the NIC says it sent, and the replay took
		 * the host's frames tshark finds by the documented rule. */
		if (t->frames != c->nic_tx_frames || c->cap.frames != c->host_tx_frames) {
			print_error("%s: tshark: %" PRIu64 " host frames in the capture, %" PRIu64
				    " in the tx pcap; the run: replay.tx_frames %" PRIu64 ", NIC tx_packets %" PRIu64 "\n",
				    rel(c->path), c->cap.frames, t->frames, c->host_tx_frames, c->nic_tx_frames);
			failures++;
		}
		if (t->bad_csum || t->malformed) {
			print_error("%s: %s\n", rel(c->path), t->first_bad);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* Frames with bytes after the IP datagram (Ethernet padding of a short
 * frame, a trailer, a captured FCS): a host's stack never hands these to
 * its driver, and a checksum over the IP datagram must verify whatever
 * follows it. Apart from the test above so that it can say what it found. */
static void test_tx_checksums_of_frames_captured_with_a_trailer_are_good(void **state)
{
	(void)state;
	load_captures();
	uint64_t bad = 0;
	char where[1024] = "";
	size_t w = 0;
	for (size_t i = 0; i < caps.n; i++) {
		const struct capture *c = &caps.v[i];
		if (c->dup_of || !c->tx.bad_csum_trailer)
			continue;
		bad += c->tx.bad_csum_trailer;
		if (w < sizeof where)
			w += (size_t)snprintf(where + w, sizeof where - w, " %s (%" PRIu64 ")", rel(c->path),
					      c->tx.bad_csum_trailer);
	}
	/* The driver sends a frame as far as its IP length says
	 * (host/driver_tx.c send_len): the bytes after it are not the host's. */
	if (bad)
		fail_msg("%" PRIu64 " frames captured with bytes after the IP datagram were sent with a bad checksum:%s",
			 bad, where);
}

static void test_tx_no_frame_sent_is_longer_than_the_mtu(void **state)
{
	(void)state;
	load_captures();
	int failures = 0;
	for (size_t i = 0; i < caps.n; i++) {
		const struct capture *c = &caps.v[i];
		if (!c->dup_of && c->tx.over_mtu) {
			print_error("%s: %" PRIu64 " frames over %u IP bytes; %s\n", rel(c->path), c->tx.over_mtu,
				    MTU_BYTES, c->tx.first_bad);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* ---- 2. what the NIC sent, flow by flow ---- */

static int compare_flows(const char *path, const struct flow_set *want, const struct flow_set *got)
{
	int bad = 0;
	for (size_t i = 0; i < want->n; i++) {
		const struct flow_sum *g = flow_find(got, want->v[i].key);
		uint64_t gb = g ? g->payload_bytes : 0;
		if (gb != want->v[i].payload_bytes) {
			print_error("%s: flow %s: the capture's host sent %" PRIu64 " payload bytes, the NIC %" PRIu64 "\n",
				    path, want->v[i].key, want->v[i].payload_bytes, gb);
			bad++;
		}
	}
	for (size_t i = 0; i < got->n; i++)
		if (!flow_find(want, got->v[i].key)) {
			print_error("%s: flow %s: the NIC sent %" PRIu64 " payload bytes the capture's host did not\n", path,
				    got->v[i].key, got->v[i].payload_bytes);
			bad++;
		}
	return bad;
}

static void test_tx_every_flow_sends_the_payload_the_capture_shows_the_host_sending(void **state)
{
	(void)state;
	load_captures();
	int failures = 0;
	size_t flows = 0;
	for (size_t i = 0; i < caps.n; i++) {
		const struct capture *c = &caps.v[i];
		if (c->dup_of)
			continue;
		if (c->unsendable) {
			/* An IPv6 jumbogram (BIG TCP, RFC 2675): more than the NIC
			 * segments, its length in a hop-by-hop option the host's
			 * software segmentation would have to strip (not modelled,
			 * docs/tx.md). Only the tcpdump sample made for it has one. */
			assert_non_null(strstr(c->path, "bigtcp-ipv6-hbh"));
			print_message("%s: %" PRIu64 " send(s) not sent (an IPv6 jumbogram): flows not compared\n",
				      rel(c->path), c->unsendable);
			continue;
		}
		failures += compare_flows(rel(c->path), &c->cap.flows, &c->tx.flows);
		flows += c->cap.flows.n;
	}
	print_message("%zu flows compared\n", flows);
	assert_true(flows > 300);   /* the host sends in most captures */
	assert_int_equal(failures, 0);
}

/* ---- 3. the host's transmit cycles ---- */

static uint64_t json_u64(json_t *j, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(json_object_get(json_object_get(j, a), b), c);
	if (!json_is_integer(v))
		fail_msg("report has no %s.%s.%s", a, b, c);
	return (uint64_t)json_integer_value(v);
}

/* The report's tx.host counters of one run. */
struct tx_host {
	uint64_t sends, lso_sends, sw_segmented_sends, pure_acks_sent, data_frames, sw_csum_bytes, copy_bytes;
	uint64_t cycles_output, cycles_copy, cycles_csum, cycles_clean;
	uint64_t superframes;        /* tx.stack */
};
static struct tx_host tx_host_of(const struct run *r)
{
	json_t *j = report_json(r);
	struct tx_host h = {
		.sends = json_u64(j, "tx", "host", "sends"),
		.lso_sends = json_u64(j, "tx", "host", "lso_sends"),
		.sw_segmented_sends = json_u64(j, "tx", "host", "sw_segmented_sends"),
		.pure_acks_sent = json_u64(j, "tx", "host", "pure_acks_sent"),
		.data_frames = json_u64(j, "tx", "host", "data_frames"),
		.sw_csum_bytes = json_u64(j, "tx", "host", "sw_csum_bytes"),
		.copy_bytes = json_u64(j, "tx", "host", "copy_bytes"),
		.cycles_output = json_u64(j, "tx", "host", "cycles_output"),
		.cycles_copy = json_u64(j, "tx", "host", "cycles_copy"),
		.cycles_csum = json_u64(j, "tx", "host", "cycles_csum"),
		.cycles_clean = json_u64(j, "tx", "host", "cycles_clean"),
		.superframes = json_u64(j, "tx", "stack", "superframes"),
	};
	json_decref(j);
	return h;
}

static uint64_t tx_total(const struct tx_host *h)
{
	return h->cycles_output + h->cycles_copy + h->cycles_csum + h->cycles_clean;
}

/* A per-byte cost over `bytes` charged in `charges` pieces, each rounded up
 * to whole cycles on its own (cost_per_byte): at least the whole rounded
 * up, and less than one cycle more per charge (999 millicycles at most). */
struct range {
	uint64_t lo, hi;
};
static struct range per_byte_range(uint64_t bytes, uint64_t mcyc_per_byte, uint64_t charges)
{
	return (struct range){ (bytes * mcyc_per_byte + 999) / 1000, (bytes * mcyc_per_byte + 999 * charges) / 1000 };
}

static void assert_in(const char *what, uint64_t v, struct range r)
{
	if (v < r.lo || v > r.hi)
		fail_msg("%s: %" PRIu64 ", expected %" PRIu64 "..%" PRIu64, what, v, r.lo, r.hi);
}

/* The cost rule (docs/tx.md, host/cost.h): per send, its first frame costs
 * tx_wire_cycles (ack_tx_cycles for a pure ACK), each further frame
 * tx_wire_tso_cycles when the NIC cuts it and tx_wire_cycles when the host
 * does; its payload copy tx_copy_mcyc_per_byte; with insertion off the bytes
 * the host sums csum_mcyc_per_byte; cleaning it tx_clean_cycles. */
static void test_tx_lso_and_csum_off_charge_the_host_what_the_cost_model_predicts(void **state)
{
	(void)state;
	const char *trace = tu_path(tu_path(tu_src_dir(), "traces"), BULK_SEND_TRACE);
	const char *on_pcap = tu_tmpfile(".pcap");
	struct run_opts o = { .tx_pcap = on_pcap };
	struct run *r_on = run_with(trace, NULL, &o);
	struct host_sel h = host_sel_of(&r_on->host);
	struct run *r_off = run_with(trace, (const char *[]){ "tx.lso=false", "tx.csum=false", NULL }, NULL);
	const struct tx_host on = tx_host_of(r_on), off = tx_host_of(r_off);
	assert_int_equal(run_frames_in_flight(r_on) + run_frames_in_flight(r_off), 0);
	run_free(r_on);
	run_free(r_off);
	print_message("on:  sends %" PRIu64 " (pure ACKs %" PRIu64 "), data frames %" PRIu64 ", copy %" PRIu64
		      " B; cycles output %" PRIu64 " copy %" PRIu64 " csum %" PRIu64 " clean %" PRIu64 "\n",
		      on.sends, on.pure_acks_sent, on.data_frames, on.copy_bytes, on.cycles_output, on.cycles_copy,
		      on.cycles_csum, on.cycles_clean);
	print_message("off: sends %" PRIu64 " (pure ACKs %" PRIu64 "), data frames %" PRIu64 ", copy %" PRIu64
		      " B, summed %" PRIu64 " B; cycles output %" PRIu64 " copy %" PRIu64 " csum %" PRIu64
		      " clean %" PRIu64 "\n",
		      off.sends, off.pure_acks_sent, off.data_frames, off.copy_bytes, off.sw_csum_bytes, off.cycles_output,
		      off.cycles_copy, off.cycles_csum, off.cycles_clean);
	/* The capture's host sends a bulk transfer: large sends with LSO. */
	assert_true(on.lso_sends > 0);
	assert_true(on.data_frames > 10 * (on.sends - on.pure_acks_sent));

	/* With LSO on, every further frame is the NIC's; with it off, the
	 * host's, and no send is the NIC's to cut. */
	assert_int_equal(on.sw_segmented_sends, 0);
	assert_int_equal(off.lso_sends, 0);
	uint64_t on_data_sends = on.sends - on.pure_acks_sent, off_data_sends = off.sends - off.pure_acks_sent;
	uint64_t want_on_output = on.pure_acks_sent * ACK_TX_CYCLES + on_data_sends * TX_WIRE_CYCLES +
				  (on.data_frames - on_data_sends) * TX_WIRE_TSO_CYCLES;
	uint64_t want_off_output = off.pure_acks_sent * ACK_TX_CYCLES + off.data_frames * TX_WIRE_CYCLES;
	assert_int_equal(on.cycles_output, want_on_output);
	assert_int_equal(off.cycles_output, want_off_output);
	/* Every send cleaned once. */
	assert_int_equal(on.cycles_clean, on.sends * TX_CLEAN_CYCLES);
	assert_int_equal(off.cycles_clean, off.sends * TX_CLEAN_CYCLES);
	/* Insertion on: the host sums nothing. */
	assert_int_equal(on.sw_csum_bytes, 0);
	assert_int_equal(on.cycles_csum, 0);
	/* Per-byte costs round up per send: a pure ACK copies nothing, every
	 * other send adds less than a cycle to each. Checksums: every send of
	 * TCP or UDP is summed, pure ACKs too. */
	struct range on_copy = per_byte_range(on.copy_bytes, TX_COPY_MCYC_PER_BYTE, on_data_sends);
	struct range off_copy = per_byte_range(off.copy_bytes, TX_COPY_MCYC_PER_BYTE, off_data_sends);
	struct range off_csum = per_byte_range(off.sw_csum_bytes, CSUM_MCYC_PER_BYTE, off.sends);
	assert_in("cycles_copy, tx.lso on", on.cycles_copy, on_copy);
	assert_in("cycles_copy, tx.lso off", off.cycles_copy, off_copy);
	assert_in("cycles_csum, tx.csum off", off.cycles_csum, off_csum);
	assert_int_equal(on.copy_bytes, off.copy_bytes);   /* the same payload, however it is cut */

	/* The difference: exact but for the rounding of the per-byte charges. */
	uint64_t want_on_lo = want_on_output + on_copy.lo + on.sends * TX_CLEAN_CYCLES;
	uint64_t want_on_hi = want_on_output + on_copy.hi + on.sends * TX_CLEAN_CYCLES;
	uint64_t want_off_lo = want_off_output + off_copy.lo + off_csum.lo + off.sends * TX_CLEAN_CYCLES;
	uint64_t want_off_hi = want_off_output + off_copy.hi + off_csum.hi + off.sends * TX_CLEAN_CYCLES;
	assert_true(want_off_lo > want_on_hi);
	assert_true(tx_total(&off) > tx_total(&on));
	assert_in("extra transmit cycles with tx.lso and tx.csum off", tx_total(&off) - tx_total(&on),
		  (struct range){ want_off_lo - want_on_hi, want_off_hi - want_on_lo });
	print_message("extra transmit cycles with tx.lso and tx.csum off: %" PRIu64 " (the cost model: %" PRIu64
		      "..%" PRIu64 ")\n",
		      tx_total(&off) - tx_total(&on), want_off_lo - want_on_hi, want_off_hi - want_on_lo);

	/* tshark gives the counts themselves, and the exact per-byte charges
	 * of the run with large send off: there each captured frame is a send
	 * of its own (no super-frames in this capture), so each frame's payload
	 * and summed bytes are one charge, rounded up on its own. */
	if (!have_tshark()) {
		unlink(on_pcap);
		print_message("tshark is not installed: the counts themselves not checked\n");
		skip();
	}
	char *rows_cap, *rows_tx;
	tshark_pair(trace, on_pcap, &rows_cap, &rows_tx);
	unlink(on_pcap);
	struct capture_side c = { 0 };
	struct tx_side t = { 0 };
	read_capture_side(rows_cap, &h, &c);
	read_tx_side(rows_tx, &c, &t);
	free(rows_cap);
	free(rows_tx);
	free(c.flows.v);
	free(c.overlap_flows.v);
	free(c.malformed_flows.v);
	free(t.flows.v);
	assert_int_equal(off.superframes, 0);
	assert_int_equal(off.sends, c.frames);
	assert_int_equal(off.pure_acks_sent, c.pure_acks);
	assert_int_equal(off.data_frames, c.frames - c.pure_acks);
	assert_int_equal(off.copy_bytes, c.payload_bytes);
	assert_int_equal(off.cycles_copy, c.copy_cycles);
	assert_int_equal(off.sw_csum_bytes, c.csum_bytes);
	assert_int_equal(off.cycles_csum, c.csum_cycles);
	/* With LSO on: the NIC's frames are the sends' frames. */
	assert_int_equal(on.pure_acks_sent, t.pure_acks);
	assert_int_equal(on.data_frames, t.frames - t.pure_acks);
}

/* ---- 4. both directions on one wire ---- */

static uint64_t pcap_records(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, err);
	if (!p)
		fail_msg("libpcap: %s: %s", path, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0;
	while (pcap_next_ex(p, &h, &d) == 1)
		n++;
	pcap_close(p);
	return n;
}

/* "S.NNNNNNNNN" (tshark's frame.time_epoch) in ns. */
static uint64_t epoch_ns(const char *s)
{
	char *dot;
	uint64_t sec = strtoull(s, &dot, 10), ns = 0;
	int digits = 0;
	if (*dot == '.')
		for (const char *p = dot + 1; *p >= '0' && *p <= '9' && digits < 9; p++, digits++)
			ns = ns * 10 + (uint64_t)(*p - '0');
	for (; digits < 9; digits++)
		ns *= 10;
	return sec * 1000000000ull + ns;
}

static void test_tx_wire_pcap_holds_both_directions_in_time_order(void **state)
{
	(void)state;
	skip_without_tshark();
	const char *trace = tu_path(tu_path(tu_src_dir(), "traces"), BULK_SEND_TRACE);
	const char *wire = tu_tmpfile(".pcapng"), *tx = tu_tmpfile(".pcap");
	struct run_opts o = { .tx_pcap = tx, .wire_pcap = wire };
	struct run *r = run_with(trace, NULL, &o);
	uint64_t rx_frames = replay_stats(r->rep)->rx_frames, sent = nic_tx_frames(r);
	run_free(r);
	assert_true(rx_frames > 0 && sent > 0);
	assert_int_equal(pcap_records(tx), sent);
	char cmd[8192], *out;
	snprintf(cmd, sizeof cmd, "tshark -r '%s' -T fields -e frame.packet_flags_direction -e frame.time_epoch 2>/dev/null",
		 wire);
	int rc = tu_run(cmd, &out);
	if (rc)
		fail_msg("tshark exit %d on %s", rc, wire);
	uint64_t in = 0, outbound = 0, other = 0, backwards = 0, last_ns = 0, rows = 0;
	for (char *s = out; s && *s;) {
		char *end = strchr(s, '\n');
		if (end)
			*end = '\0';
		char *tab = strchr(s, '\t');
		assert_non_null(tab);
		*tab = '\0';
		long dir = strtol(s, NULL, 0);
		in += dir == 1;
		outbound += dir == 2;
		other += dir != 1 && dir != 2;
		uint64_t t = epoch_ns(tab + 1);
		backwards += rows && t < last_ns;
		last_ns = t;
		rows++;
		s = end ? end + 1 : NULL;
	}
	free(out);
	unlink(wire);
	unlink(tx);
	print_message("%s: %" PRIu64 " packets, %" PRIu64 " inbound, %" PRIu64 " outbound\n", BULK_SEND_TRACE, rows, in,
		      outbound);
	assert_int_equal(rows, rx_frames + sent);
	assert_int_equal(in, rx_frames);
	assert_int_equal(outbound, sent);
	assert_int_equal(other, 0);
	assert_int_equal(backwards, 0);
}

static int free_captures(void **state)
{
	(void)state;
	for (size_t i = 0; i < caps.n; i++) {
		free(caps.v[i].cap.flows.v);
		free(caps.v[i].cap.overlap_flows.v);
		free(caps.v[i].cap.malformed_flows.v);
		free(caps.v[i].tx.flows.v);
	}
	free(caps.v);
	caps.v = NULL;
	caps.n = caps.cap = 0;
	caps.is_loaded = false;
	return 0;
}

/* ---- 5. received super-frames cut into wire frames ---- */

/* Per flow, TCP payload bytes of the frames tshark selects in path, into
 * s; the largest IP datagram into *max_ip. */
static void rx_flows(const char *path, const char *filter, struct flow_set *s, uint64_t *max_ip)
{
	const char *out = tu_tmpfile(".txt");
	char cmd[1400];
	snprintf(cmd, sizeof cmd,
		 "tshark -r '%s' -n -o ip.defragment:FALSE -o ipv6.defragment:FALSE -E occurrence=f -T fields "
		 "-Y '%s' -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e tcp.srcport -e tcp.dstport -e tcp.len "
		 "-e ip.len -e ipv6.plen > '%s' 2>/dev/null",
		 path, filter, out);
	(void)tu_run(cmd, NULL);   /* a capture cut short ends tshark with 2, after the rows */
	char *rows = tu_read_file(out, NULL);
	assert_non_null(rows);
	*max_ip = 0;
	for (char *line = strtok(rows, "\n"); line; line = strtok(NULL, "\n")) {
		char *f[9] = { 0 };
		int n = 0;
		for (char *p = line; n < 9; n++) {
			f[n] = p;
			char *tab = strchr(p, '\t');
			if (!tab)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		if (n < 8)
			continue;
		uint64_t ip = has(f[7]) ? (uint64_t)num(f[7]) : has(f[8]) ? (uint64_t)num(f[8]) + 40 : 0;
		if (ip > *max_ip)
			*max_ip = ip;
		if (!has(f[4]))
			continue;
		char key[200];
		snprintf(key, sizeof key, "tcp %s %s %s %s", has(f[0]) ? f[0] : f[1], f[4], has(f[2]) ? f[2] : f[3], f[5]);
		flow_add(s, key, (uint64_t)num(f[6]));
	}
	free(rows);
	unlink(out);
}

/* Captures taken on the receiving host hold GRO super-frames (the SLL ones
 * of traces/ref: suri-sll2-gro, 79 of up to 64 KiB; mptcp-v1, one). The
 * replay cuts them into the frames that crossed the wire (replay.resegment,
 * on by default): every frame the NIC received is at most the MTU, and per
 * flow the payload is the capture's (tshark on the capture's incoming
 * frames against the wire capture's inbound ones). */
static void test_tx_received_super_frames_are_cut_to_the_mtu_with_the_payload_kept(void **state)
{
	(void)state;
	skip_without_tshark();
	static const char *const caps_gro[] = { "real/suri-sll2-gro.pcap", "edge/mptcp-v1.pcap" };
	for (size_t i = 0; i < sizeof caps_gro / sizeof caps_gro[0]; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", tu_ref_dir(), caps_gro[i]);
		const char *wire = tu_tmpfile(".pcapng");
		struct run_opts o = { .wire_pcap = wire };
		struct run *r = run_with(path, (const char *const[]){ NULL }, &o);
		const struct replay_stats *rs = replay_stats(r->rep);
		assert_true(rs->reseg_superframes > 0);
		assert_int_equal(nic_stats(r->nic)->rx_too_long, 0);
		/* The cut frames' checksums are rebuilt: the NIC finds them good
		 * (mptcp-v1 is a loopback capture: its other frames precede
		 * checksum offload and are bad as captured). */
		if (i == 0)
			assert_int_equal(nic_stats(r->nic)->csum_l4_bad, 0);
		print_message("%s: %" PRIu64 " super-frames cut into %" PRIu64 " frames\n", caps_gro[i],
			      rs->reseg_superframes, rs->reseg_frames);
		run_free(r);
		struct flow_set want = { 0 }, got = { 0 };
		uint64_t max_cap, max_wire;
		rx_flows(path, "sll.pkttype != 4", &want, &max_cap);
		rx_flows(wire, "frame.packet_flags_direction == 1", &got, &max_wire);
		assert_true(max_cap > 1500);       /* the capture does hold super-frames */
		assert_true(max_wire <= 1500);     /* mac.mtu */
		assert_int_equal(compare_flows(caps_gro[i], &want, &got), 0);
		assert_true(want.n > 0);
		free(want.v);
		free(got.v);
		unlink(wire);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tx_every_frame_sent_has_good_checksums_and_is_well_formed),
		cmocka_unit_test(test_tx_checksums_of_frames_captured_with_a_trailer_are_good),
		cmocka_unit_test(test_tx_no_frame_sent_is_longer_than_the_mtu),
		cmocka_unit_test(test_tx_every_flow_sends_the_payload_the_capture_shows_the_host_sending),
		cmocka_unit_test(test_tx_lso_and_csum_off_charge_the_host_what_the_cost_model_predicts),
		cmocka_unit_test(test_tx_wire_pcap_holds_both_directions_in_time_order),
		cmocka_unit_test(test_tx_received_super_frames_are_cut_to_the_mtu_with_the_payload_kept),
	};
	return cmocka_run_group_tests(tests, NULL, free_captures);
}
