#include "testutil.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "sim/nicsim/config.h"
#include "sim/nicsim/run.h"
#include "traces/reader.h"

const char *tu_src_dir(void) { return NICSIM_SRC; }
const char *tu_ref_dir(void) { return NICSIM_SRC "/traces/ref"; }
const char *tu_vectors_dir(void) { return NICSIM_SRC "/tests/vectors"; }
const char *tu_nicsim_bin(void) { return NICSIM_BIN; }

const char *tu_path(const char *dir, const char *rel)
{
	static char bufs[8][4096];
	static unsigned n;
	char *b = bufs[n++ % 8];
	snprintf(b, sizeof bufs[0], "%s/%s", dir, rel);
	return b;
}

int tu_hex_decode(const char *hex, uint8_t *out, size_t out_max)
{
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	size_t n = strlen(hex);
	if (n % 2 || n / 2 > out_max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}

json_t *tu_load_json(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);
	if (!j)
		fail_msg("%s:%d: %s", path, e.line, e.text);
	return j;
}

const char *tu_tmpfile(const char *suffix)
{
	static char bufs[8][512];
	static unsigned n;
	char *b = bufs[n++ % 8];
	const char *dir = getenv("TMPDIR");
	snprintf(b, sizeof bufs[0], "%s/nicsim-test-XXXXXX%s", (dir && *dir) ? dir : "/tmp",
		 suffix ? suffix : "");
	int fd = mkstemps(b, suffix ? (int)strlen(suffix) : 0);
	if (fd < 0)
		fail_msg("mkstemps %s: %s", b, strerror(errno));
	close(fd);
	return b;
}

void tu_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	if (len && fwrite(data, 1, len, f) != len)
		fail_msg("%s: short write", path);
	fclose(f);
}

int tu_run(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		fail_msg("popen %s: %s", cmd, strerror(errno));
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t r;
	while ((r = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += r;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	buf[len] = 0;
	int st = pclose(p);
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	assert_non_null(buf);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

const char *const tu_capture_suffixes[] = { ".pcap", ".pcapng", ".pcap.gz", NULL };

static bool ends_with_one_of(const char *s, const char *const *suffixes)
{
	size_t a = strlen(s);
	for (; *suffixes; suffixes++) {
		size_t b = strlen(*suffixes);
		if (a >= b && strcmp(s + a - b, *suffixes) == 0)
			return true;
	}
	return false;
}

static int cmp_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static size_t walk(const char *dir, const char *const *suffixes, void (*fn)(const char *path, void *ctx), void *ctx,
		   bool is_recursive)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, cmp_name);
	if (n < 0)
		fail_msg("%s: %s", dir, strerror(errno));
	size_t count = 0;
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (name[0] != '.') {
			char path[4096];
			snprintf(path, sizeof path, "%s/%s", dir, name);
			struct stat st;
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
				if (is_recursive)
					count += walk(path, suffixes, fn, ctx, true);
			} else if (ends_with_one_of(name, suffixes)) {
				fn(path, ctx);
				count++;
			}
		}
		free(names[i]);
	}
	free(names);
	return count;
}

size_t tu_walk_files(const char *dir, const char *const *suffixes, void (*fn)(const char *path, void *ctx),
		     void *ctx)
{
	return walk(dir, suffixes, fn, ctx, true);
}

size_t tu_walk_dir(const char *dir, const char *const *suffixes, void (*fn)(const char *path, void *ctx), void *ctx)
{
	return walk(dir, suffixes, fn, ctx, false);
}

size_t tu_pcap_header(uint8_t *out)
{
	static const uint8_t h[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				       0xff, 0xff, 0, 0, 1, 0, 0, 0 };
	memcpy(out, h, sizeof h);
	return sizeof h;
}

size_t tu_pcap_tcp4(uint8_t *out, uint32_t ts_us, uint32_t frame_len, const uint8_t src[4], uint16_t sport,
		    const uint8_t dst[4], uint16_t dport, uint8_t tcp_flags)
{
	assert_true(frame_len >= 54);
	memset(out, 0, 16 + (size_t)frame_len);
	memcpy(out + 4, &ts_us, 4);
	memcpy(out + 8, &frame_len, 4);
	memcpy(out + 12, &frame_len, 4);
	uint8_t *f = out + 16;
	static const uint8_t dmac[6] = { 2, 0, 0, 0, 0, 2 }, smac[6] = { 2, 0, 0, 0, 0, 1 };
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x08;                           /* IPv4 */
	uint8_t *ip = f + 14;
	uint32_t ip_len = frame_len - 14;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ip_len >> 8);
	ip[3] = (uint8_t)ip_len;
	ip[8] = 64;
	ip[9] = 6;                              /* TCP */
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	uint8_t *tcp = ip + 20;
	tcp[0] = (uint8_t)(sport >> 8);
	tcp[1] = (uint8_t)sport;
	tcp[2] = (uint8_t)(dport >> 8);
	tcp[3] = (uint8_t)dport;
	tcp[12] = 5 << 4;
	tcp[13] = tcp_flags;
	return 16 + (size_t)frame_len;
}

static unsigned key_bit(const uint8_t *key, size_t key_len, size_t i)
{
	return i / 8 < key_len ? (key[i / 8] >> (7 - i % 8)) & 1u : 0;
}

uint32_t tu_toeplitz(const uint8_t *key, size_t key_len, const uint8_t *in, size_t in_len)
{
	uint32_t window = 0, result = 0;
	size_t next = 0;
	for (; next < 32; next++)
		window = (window << 1) | key_bit(key, key_len, next);
	for (size_t i = 0; i < in_len * 8; i++) {
		if ((in[i / 8] >> (7 - i % 8)) & 1u)
			result ^= window;
		window = (window << 1) | key_bit(key, key_len, next++);
	}
	return result;
}

struct run *tu_run_sets(const char *path, const char *const *sets)
{
	struct nicsim_cfg cfg;
	config_defaults(&cfg);
	char err[TRACE_ERR_MAX + 128] = "";
	for (; sets && *sets; sets++)
		if (config_set(&cfg, *sets, err, sizeof err))
			fail_msg("%s: %s", *sets, err);
	struct run *r = NULL;
	if (run_trace(&cfg, path, NULL, &r, err, sizeof err))
		fail_msg("%s: %s", path, err);
	return r;
}

void tu_pcap_l4_walk(const char *path, void (*fn)(const struct tu_l4 *l, void *ctx), void *ctx)
{
	char eb[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, eb);
	if (!p)
		fail_msg("%s: %s", path, eb);
	struct pcap_pkthdr *h;
	const u_char *d;
	while (pcap_next_ex(p, &h, &d) == 1) {
		if (h->caplen < 14 + 40 || (d[12] != 0x08 && d[12] != 0x86))
			continue;
		const u_char *ip = d + 14;
		struct tu_l4 l = { 0 };
		uint32_t l4_off, ip_end;
		if (d[12] == 0x08 && d[13] == 0x00 && (ip[0] >> 4) == 4) {
			uint32_t ihl = (uint32_t)(ip[0] & 15) * 4;
			ip_end = (uint32_t)ip[2] << 8 | ip[3];
			l.proto = ip[9];
			l.src = ip + 12;
			l.dst = ip + 16;
			l4_off = ihl;
		} else if (d[12] == 0x86 && d[13] == 0xdd && (ip[0] >> 4) == 6) {
			l.is_ipv6 = true;
			ip_end = 40 + ((uint32_t)ip[4] << 8 | ip[5]);
			l.proto = ip[6];
			l.src = ip + 8;
			l.dst = ip + 24;
			l4_off = 40;
		} else {
			continue;
		}
		if (l.proto == 6 && h->caplen >= 14 + l4_off + 20) {
			uint32_t doff = (uint32_t)(ip[l4_off + 12] >> 4) * 4;
			l.tcp_flags = ip[l4_off + 13];
			l.payload_len = ip_end - l4_off - doff;
		} else if (l.proto == 17 && h->caplen >= 14 + l4_off + 8) {
			l.payload_len = ip_end - l4_off - 8;
		}
		fn(&l, ctx);
	}
	pcap_close(p);
}
