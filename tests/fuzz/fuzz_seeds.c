/*
 * tests/fuzz/fuzz_seeds.c — writes the fuzz targets' seed corpora from the
 * captures and settings shipped in the repository (nothing is committed but
 * this program and tests/fuzz/regress/).
 *
 *   fuzz_seeds SRC_DIR OUT_DIR
 *
 * For every capture in SRC_DIR/traces and (recursively) SRC_DIR/traces/ref:
 *   OUT_DIR/reader/  the file's first 4 KiB as they are (a pcapng or gzip head
 *                    cut short), and its first 16 records rewritten as a
 *                    classic pcap, plain and gzip-compressed;
 *   OUT_DIR/parse/   its first 16 frames, each as fuzz_parse reads them;
 *   OUT_DIR/run/     its first 24 records in fuzz_run's format, settings bytes
 *                    varied from file to file.
 * From SRC_DIR/docs/example.ini (every key at its default):
 *   OUT_DIR/config/  the file itself, and the same keys as --set lines.
 * Every saved input under SRC_DIR/tests/fuzz/regress/TARGET/ is copied too,
 * so a long run starts from the inputs that once broke something.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "sim/nicsim/ini.h"
#include "traces/reader.h"

#define SEED_HEAD_BYTES 4096u
#define SEED_READER_RECORDS 16u
#define SEED_PARSE_FRAMES 16u
#define SEED_PARSE_FRAME_BYTES 2048u
#define SEED_RUN_RECORDS 24u
#define SEED_RUN_BYTES 8192u

static const char *out_dir;
static unsigned written;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "fuzz_seeds: %s: %s (%s)\n", path, what, strerror(errno));
	exit(1);
}

static void save(const char *target, const char *name, const char *suffix, const void *p, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s/%s%s", out_dir, target, name, suffix);
	FILE *f = fopen(path, "wb");
	if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f))
		die("cannot write", path);
	written++;
}

static void save_gz(const char *target, const char *name, const char *suffix, const void *p, size_t n)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s/%s%s", out_dir, target, name, suffix);
	gzFile g = gzopen(path, "wb9");
	if (!g || (n && gzwrite(g, p, (unsigned)n) != (int)n) || gzclose(g) != Z_OK)
		die("cannot write", path);
	written++;
}

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			die("out of memory", "");
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static void put32le(struct buf *b, uint32_t v)
{
	uint8_t le[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	put(b, le, 4);
}

static void put16be(struct buf *b, uint32_t v)
{
	uint8_t be[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put(b, be, 2);
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* A name for the corpus: the path below SRC_DIR with '/' turned into '_'. */
static void corpus_name(const char *rel, char *out, size_t len)
{
	snprintf(out, len, "%s", rel);
	for (char *c = out; *c; c++)
		if (*c == '/')
			*c = '_';
}

static void seed_head(const char *path, const char *name)
{
	uint8_t head[SEED_HEAD_BYTES];
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot open", path);
	size_t n = fread(head, 1, sizeof head, f);
	fclose(f);
	save("reader", name, ".head", head, n);
}

static void seed_records(const char *path, const char *name)
{
	struct trace_reader *r;
	char err[TRACE_ERR_MAX];
	if (trace_open(&r, path, err, sizeof err) < 0) {
		fprintf(stderr, "fuzz_seeds: %s\n", err);
		exit(1);
	}
	const struct trace_info *ti = trace_get_info(r);
	struct buf pcap = { 0 }, run = { 0 };
	uint32_t h = name_hash(name);
	/* fuzz_run's 8 settings bytes: the link type first, the rest varied. */
	uint8_t settings[8] = { (uint8_t)ti->link, (uint8_t)h, (uint8_t)(h >> 8), (uint8_t)(h >> 16),
				(uint8_t)(h >> 24), 6u | 7u << 3, 8u | 3u << 4, 0 };
	put(&run, settings, sizeof settings);
	put32le(&pcap, 0xa1b2c3d4u);
	put32le(&pcap, 2u | (4u << 16));
	put32le(&pcap, 0);
	put32le(&pcap, 0);
	put32le(&pcap, TRACE_CAPLEN_MAX);
	put32le(&pcap, ti->linktype);
	struct trace_record rec;
	uint64_t prev_ps = 0;
	for (unsigned i = 0; i < SEED_RUN_RECORDS && trace_next(r, &rec, err, sizeof err) == TRACE_OK; i++) {
		if (i < SEED_READER_RECORDS) {
			uint64_t us = rec.ts_ps / 1000000u;
			put32le(&pcap, (uint32_t)(ti->ts_base_s + (int64_t)(us / 1000000u)));
			put32le(&pcap, (uint32_t)(us % 1000000u));
			put32le(&pcap, rec.cap_len);
			put32le(&pcap, rec.wire_len);
			put(&pcap, rec.data, rec.cap_len);
		}
		if (i < SEED_PARSE_FRAMES) {
			char suffix[32];
			struct buf fr = { 0 };
			uint8_t hdr[2] = { (uint8_t)ti->link, 0 };
			put(&fr, hdr, 2);
			put(&fr, rec.data, rec.cap_len < SEED_PARSE_FRAME_BYTES ? rec.cap_len : SEED_PARSE_FRAME_BYTES);
			snprintf(suffix, sizeof suffix, ".%u", i + 1);
			save("parse", name, suffix, fr.p, fr.n);
			free(fr.p);
		}
		uint64_t delta_us = i ? (rec.ts_ps - prev_ps) / 1000000u : 0;
		if (rec.ts_ps < prev_ps)
			delta_us = 0;
		prev_ps = rec.ts_ps;
		uint32_t len = rec.cap_len;
		if (run.n + 4 + len > SEED_RUN_BYTES)
			break;
		put16be(&run, len);
		put16be(&run, delta_us > 0xffffu ? 0xffffu : (uint32_t)delta_us);
		put(&run, rec.data, len);
	}
	trace_close(r);
	save("reader", name, ".pcap", pcap.p, pcap.n);
	save_gz("reader", name, ".pcap.gz", pcap.p, pcap.n);
	save("run", name, "", run.p, run.n);
	free(pcap.p);
	free(run.p);
}

static bool is_capture(const char *n)
{
	static const char *const sfx[] = { ".pcap", ".pcapng", ".pcap.gz" };
	size_t a = strlen(n);
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		size_t b = strlen(sfx[i]);
		if (a > b && strcmp(n + a - b, sfx[i]) == 0)
			return true;
	}
	return false;
}

static int cmp_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

/* fn(path, rel) for every file under src/rel (below it too if is_recursive). */
static void walk(const char *src, const char *rel, bool is_recursive, void (*fn)(const char *path, const char *rel))
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/%s", src, rel);
	struct dirent **names;
	int n = scandir(dir, &names, NULL, cmp_name);
	if (n < 0) {
		if (errno == ENOENT)
			return;
		die("cannot list", dir);
	}
	for (int i = 0; i < n; i++) {
		char path[4096], sub[4096];
		struct stat st;
		snprintf(sub, sizeof sub, "%s/%s", rel, names[i]->d_name);
		snprintf(path, sizeof path, "%s/%s", src, sub);
		if (names[i]->d_name[0] != '.' && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode) && is_recursive)
				walk(src, sub, true, fn);
			else if (S_ISREG(st.st_mode))
				fn(path, sub);
		}
		free(names[i]);
	}
	free(names);
}

static void seed_capture(const char *path, const char *rel)
{
	if (!is_capture(rel))
		return;
	char name[512];
	corpus_name(rel, name, sizeof name);
	seed_head(path, name);
	seed_records(path, name);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot open", path);
	struct buf b = { 0 };
	uint8_t chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		put(&b, chunk, n);
	fclose(f);
	put(&b, "", 1);
	*len = b.n - 1;
	return (char *)b.p;
}

/* example.ini as an INI input (mode byte 0) and as --set lines (mode byte 1). */
/* One `section.name=value` line a key, as --set takes it, read by the INI
 * reader the program uses. */
static int seed_set_line(void *ctx, const char *section, const char *name, const char *value, int line, char *err,
			 size_t err_len)
{
	(void)line;
	(void)err;
	(void)err_len;
	char kv[2300];
	int n = snprintf(kv, sizeof kv, "%s.%s=%s\n", section, name, value);
	put(ctx, kv, (size_t)n);
	return 0;
}

static void seed_config(const char *src)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/docs/example.ini", src);
	size_t len;
	char *ini = slurp(path, &len);
	struct buf a = { 0 }, b = { 0 };
	put(&a, "\0", 1);
	put(&a, ini, len);
	save("config", "example.ini", "", a.p, a.n);
	put(&b, "\1", 1);
	FILE *f = fopen(path, "r");
	char err[512];
	if (!f || ini_read(f, seed_set_line, &b, err, sizeof err)) {
		fprintf(stderr, "fuzz_seeds: %s: %s\n", path, f ? err : "cannot be opened");
		exit(1);
	}
	fclose(f);
	save("config", "example.set", "", b.p, b.n);
	free(a.p);
	free(b.p);
	free(ini);
}

static const char *regress_target;

static void seed_regress(const char *path, const char *rel)
{
	size_t len;
	char *data = slurp(path, &len);
	char name[512];
	corpus_name(rel, name, sizeof name);
	save(regress_target, name, "", data, len);
	free(data);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: fuzz_seeds SRC_DIR OUT_DIR\n");
		return 2;
	}
	const char *src = argv[1];
	out_dir = argv[2];
	static const char *const targets[] = { "reader", "parse", "config", "run" };
	mkdir(out_dir, 0755);
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		char d[4096];
		snprintf(d, sizeof d, "%s/%s", out_dir, targets[i]);
		if (mkdir(d, 0755) != 0 && errno != EEXIST)
			die("cannot create", d);
	}
	walk(src, "traces", false, seed_capture);
	walk(src, "traces/ref", true, seed_capture);
	seed_config(src);
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		char rel[256];
		regress_target = targets[i];
		snprintf(rel, sizeof rel, "tests/fuzz/regress/%s", targets[i]);
		walk(src, rel, false, seed_regress);
	}
	printf("fuzz_seeds: %u seed inputs in %s\n", written, out_dir);
	return 0;
}
