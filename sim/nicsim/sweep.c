/*
 * sim/nicsim/sweep.c — `nicsim sweep` (sweep.h, docs/sweep.md).
 *
 * Every point is a separate `nicsim run` of this same binary (the local
 * runner forks and executes it, a Slurm array task runs it the same way), so
 * a point's report is what `nicsim run --config points/NNNN.ini TRACE` gives
 * anywhere: the local and the Slurm tables are equal by construction, and a
 * test holds them to it. The host identity of each trace is found once (a
 * run stopped at its start) and written into every point's configuration as
 * host.ip, so no point detects it again.
 */
#include "sim/nicsim/sweep.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "sim/nicsim/cli.h"
#include "sim/nicsim/config.h"
#include "sim/nicsim/run.h"
#include "sim/nicsim/svg.h"

enum { SWEEP_EXIT_USAGE = CLI_EXIT_USAGE, SWEEP_EXIT_FAIL = 3 };
/* Limits chosen, not measured: each guards an array or a directory, not a
 * cost of the model.
 * SWEEP_VARY_MAX    varied keys: struct sweep holds them inline; 8 keys of
 *                   only 2 values each are already 256 points a trace.
 * SWEEP_VALUES_MAX  values of one key: struct vary holds them inline; 256
 *                   covers every integer of an 8-bit field.
 * SWEEP_POINTS_MAX  points: the names are NNNN (%04, wider past 9999) and
 *                   each point is up to 7 files in one directory, so 100000
 *                   points are up to 700000 entries in points/.
 * SWEEP_TRACES_MAX  traces named on the command line, held inline.
 * SWEEP_JOBS_MAX    -j: runs at once, each a process and a pid slot; 4096
 *                   is past any one machine's core count we run on. */
#define SWEEP_VARY_MAX 8
#define SWEEP_VALUES_MAX 256
#define SWEEP_POINTS_MAX 100000
#define SWEEP_TRACES_MAX 64
#define SWEEP_JOBS_MAX 4096
/* The progress bar's width in characters: about a third of an 80-column
 * terminal, leaving the rest of the line to the counts and times. The bar's
 * "=" literal in progress() is this many characters long. */
#define SWEEP_BAR_CHARS 30

const char sweep_usage[] =
	"usage: nicsim sweep [--config FILE] [--set KEY=VALUE]... --vary KEY=VALUES [--vary ...] --out DIR\n"
	"                    [-j N] [--slurm] [--quiet] TRACE...\n"
	"       nicsim sweep --collect DIR\n"
	"\n"
	"Runs every combination of the varied keys' values (the cartesian product) on every trace,\n"
	"each point a separate deterministic `nicsim run`, and collects one row a point into\n"
	"DIR/table.csv and DIR/table.json (docs/sweep.md lists the columns). The base configuration\n"
	"is --config and --set, applied in order; each point sets its varied keys on top.\n"
	"\n"
	"  --vary KEY=VALUES  VALUES is a list, 1,2,4 or fixed,adaptive; or a range of integers:\n"
	"                     A..B (step 1), A..B+S (step S), A..B*M (times M: 1..64*2 is 1,2,4,...,64)\n"
	"  --out DIR          the sweep's directory (created); points already done there with the same\n"
	"                     inputs (nicsim version, configuration, trace bytes) are not run again, so\n"
	"                     an interrupted sweep resumes where it stopped\n"
	"  -j N               points run at once (default: the number of online CPUs)\n"
	"  --slurm            do not run: write DIR/sweep.sbatch, a Slurm job array with one task a point\n"
	"                     (submit it with sbatch; then nicsim sweep --collect DIR)\n"
	"  --collect DIR      build the table from the points' reports in DIR (after --slurm)\n"
	"  --quiet            no progress line\n"
	"\n"
	"Example:\n"
	"  nicsim sweep --vary rss.queues=1..64*2 --vary irq.mode=fixed,adaptive --out sw \\\n"
	"      traces/many-flows-ipv4.pcap.gz traces/bulk-ipv6.pcap\n";

struct vary {
	char key[128];
	uint32_t n;
	char *val[SWEEP_VALUES_MAX];
};

struct sweep_trace {
	char path[PATH_MAX];
	char digest[17];
	char host_ip[128];   /* found once, "" to leave host.ip as it is */
};

struct sweep {
	const char *dir;
	struct nicsim_cfg base;
	struct vary vary[SWEEP_VARY_MAX];
	uint32_t n_vary;
	struct sweep_trace *tr;
	uint32_t n_tr;
	uint64_t n_points;
	uint32_t jobs;
	bool is_quiet;
	char self_digest[17];   /* this binary's bytes: a rebuilt nicsim reruns every point */
};

/* ---- small helpers ---- */

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("nicsim sweep: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return SWEEP_EXIT_FAIL;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;   /* FNV-1a 64 (Fowler, Noll, Vo; IETF draft-eastlake-fnv) */
	}
	return h;
}
#define FNV_OFFSET 0xcbf29ce484222325ull

static int file_digest(const char *path, char out[17])
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	uint64_t h = FNV_OFFSET;
	static uint8_t buf[1 << 16];   /* 64 KiB a read: a size, not a limit */
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		h = fnv1a(h, buf, n);
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return -1;
	snprintf(out, 17, "%016" PRIx64, h);
	return 0;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;   /* a page; doubled as the file needs */
	char *s = malloc(cap);
	size_t k;
	while (s && (k = fread(s + n, 1, cap - n - 1, f)) > 0) {
		n += k;
		if (n + 1 == cap) {
			char *t = realloc(s, cap *= 2);
			if (!t) {
				free(s);
				s = NULL;
			}
			s = t;
		}
	}
	fclose(f);
	if (s)
		s[n] = 0;
	return s;
}

/* Write text to path through path.tmp and a rename: a reader sees the old
 * file or the whole new one. */
static int write_atomic(const char *path, const char *text)
{
	char tmp[PATH_MAX + 32];
	snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return -1;
	size_t len = strlen(text);
	int bad = fwrite(text, 1, len, f) != len;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int mkdir_p(const char *dir)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s", dir);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			if (mkdir(p, 0777) && errno != EEXIST)
				return -1;
			*s = '/';
		}
	if (mkdir(p, 0777) && errno != EEXIST)
		return -1;
	struct stat st;
	return stat(p, &st) || !S_ISDIR(st.st_mode) ? -1 : 0;
}

static void point_path(char *buf, size_t len, const char *dir, uint64_t i, const char *ext)
{
	snprintf(buf, len, "%s/points/%04" PRIu64 "%s", dir, i, ext);
}

/* ---- --vary ---- */

static int vary_add_value(struct vary *v, const char *s, size_t n)
{
	if (v->n == SWEEP_VALUES_MAX)
		return -1;
	v->val[v->n] = strndup(s, n);
	return v->val[v->n++] ? 0 : -1;
}

/* KEY=v1,v2 or KEY=A..B, A..B+S, A..B*M; every value checked against the
 * key by setting it on a scratch configuration. */
static int vary_parse(struct vary *v, const char *arg)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || !eq[1] || (size_t)(eq - arg) >= sizeof v->key) {
		fprintf(stderr, "nicsim sweep: --vary %s: expected KEY=VALUES, e.g. --vary rss.queues=1..64*2\n", arg);
		return SWEEP_EXIT_USAGE;
	}
	memset(v, 0, sizeof *v);
	memcpy(v->key, arg, (size_t)(eq - arg));
	const char *spec = eq + 1;
	const char *dots = strstr(spec, "..");
	if (dots && !strchr(spec, ',')) {
		char *end;
		errno = 0;
		if (spec[0] == '-' || dots[2] == '-') {
			fprintf(stderr, "nicsim sweep: --vary %s: a range is of integers from 0 up\n", arg);
			return SWEEP_EXIT_USAGE;
		}
		unsigned long long a = strtoull(spec, &end, 10), b, step = 1;
		bool is_mul = false, ok = end == dots && !errno;
		b = strtoull(dots + 2, &end, 10);
		ok = ok && end != dots + 2 && !errno;
		if (ok && (*end == '*' || *end == '+')) {
			is_mul = *end == '*';
			const char *s = end + 1;
			step = strtoull(s, &end, 10);
			ok = end != s && !errno;
		}
		ok = ok && !*end && a <= b && step >= (is_mul ? 2u : 1u) && (!is_mul || a >= 1);
		if (!ok) {
			fprintf(stderr, "nicsim sweep: --vary %s: a range is A..B, A..B+STEP or A..B*FACTOR with "
					"integers A <= B (FACTOR >= 2, A >= 1 with a factor)\n", arg);
			return SWEEP_EXIT_USAGE;
		}
		for (unsigned long long x = a; x <= b;) {
			char num[24];
			int n = snprintf(num, sizeof num, "%llu", x);
			if (vary_add_value(v, num, (size_t)n)) {
				fprintf(stderr, "nicsim sweep: --vary %s: more than %d values\n", arg, SWEEP_VALUES_MAX);
				return SWEEP_EXIT_USAGE;
			}
			if (is_mul ? x > b / step : x > b - step)
				break;   /* the next one would pass B (or 2^64) */
			x = is_mul ? x * step : x + step;
		}
	} else {
		for (const char *s = spec;;) {
			const char *c = strchr(s, ',');
			size_t n = c ? (size_t)(c - s) : strlen(s);
			if (!n || vary_add_value(v, s, n)) {
				fprintf(stderr, "nicsim sweep: --vary %s: %s\n", arg,
					n ? "too many values" : "an empty value (a list is v1,v2,...)");
				return SWEEP_EXIT_USAGE;
			}
			if (!c)
				break;
			s = c + 1;
		}
	}
	struct nicsim_cfg scratch;
	config_defaults(&scratch);
	for (uint32_t i = 0; i < v->n; i++) {
		char err[600];
		if (config_set_kv(&scratch, v->key, v->val[i], err, sizeof err)) {
			fprintf(stderr, "nicsim sweep: --vary %s: %s\n", arg, err);
			return SWEEP_EXIT_USAGE;
		}
	}
	return 0;
}

/* Point p's trace, and the index of its value of varied key k: the points
 * of a trace are the cartesian product of the values, the last --vary
 * changing fastest. */
static uint32_t point_trace(const struct sweep *s, uint64_t p) { return (uint32_t)(p / (s->n_points / s->n_tr)); }

static uint32_t point_value_index(const struct sweep *s, uint64_t p, uint32_t k)
{
	uint64_t rest = p % (s->n_points / s->n_tr);
	for (uint32_t j = s->n_vary; j-- > k + 1;)
		rest /= s->vary[j].n;
	return (uint32_t)(rest % s->vary[k].n);
}

/* The point's configuration: base, the trace's host, the varied values. */
static int point_cfg(const struct sweep *s, uint64_t p, struct nicsim_cfg *cfg, uint32_t *trace, char *err,
		     size_t err_len)
{
	*cfg = s->base;
	*trace = point_trace(s, p);
	if (s->tr[*trace].host_ip[0] && config_set_kv(cfg, "host.ip", s->tr[*trace].host_ip, err, err_len))
		return -1;
	for (uint32_t k = 0; k < s->n_vary; k++)
		if (config_set_kv(cfg, s->vary[k].key, s->vary[k].val[point_value_index(s, p, k)], err, err_len))
			return -1;
	return config_validate(cfg, err, err_len);
}

/* ---- preparing the directory ---- */

/* The host identity of a trace, found once: a run of the base
 * configuration stopped at its start. */
static int trace_host(const struct sweep *s, struct sweep_trace *t)
{
	t->host_ip[0] = 0;
	if (strcmp(s->base.host.ip, "auto"))
		return 0;
	struct nicsim_cfg cfg = s->base;
	cfg.run.stop_us = 1;
	struct run *r;
	char err[1024];
	if (run_trace(&cfg, t->path, NULL, &r, err, sizeof err))
		return fail("%s", err);
	const struct host_id *id = &r->host;
	size_t n = 0;
	for (uint32_t i = 0; i < id->n_ip && !id->use_sll_type; i++) {
		char b[64];
		inet_ntop(id->ip_is_v6[i] ? AF_INET6 : AF_INET, id->ip[i], b, sizeof b);
		if (n + strlen(b) + 2 > sizeof t->host_ip)
			break;
		n += (size_t)snprintf(t->host_ip + n, sizeof t->host_ip - n, "%s%s", n ? "," : "", b);
	}
	run_free(r);
	return 0;
}

static json_t *manifest_json(const struct sweep *s)
{
	json_t *m = json_object();
	json_object_set_new(m, "generator", json_string("nicsim " NICSIM_VERSION));
	json_t *keys = json_array();
	for (uint32_t k = 0; k < s->n_vary; k++)
		json_array_append_new(keys, json_string(s->vary[k].key));
	json_object_set_new(m, "varied", keys);
	json_t *pts = json_array();
	for (uint64_t p = 0; p < s->n_points; p++) {
		json_t *o = json_object();
		json_object_set_new(o, "point", json_integer((json_int_t)p));
		json_object_set_new(o, "trace", json_string(s->tr[point_trace(s, p)].path));
		json_t *vals = json_object();
		for (uint32_t k = 0; k < s->n_vary; k++)
			json_object_set_new(vals, s->vary[k].key, json_string(s->vary[k].val[point_value_index(s, p, k)]));
		json_object_set_new(o, "values", vals);
		json_array_append_new(pts, o);
	}
	json_object_set_new(m, "points", pts);
	return m;
}

/* Every point's .ini, .trace and .want; the manifest. */
static int prepare(struct sweep *s)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/points", s->dir);
	if (mkdir_p(path))
		return fail("%s: cannot create the directory (%s)", path, strerror(errno));
	for (uint64_t p = 0; p < s->n_points; p++) {
		struct nicsim_cfg cfg;
		uint32_t t;
		char err[600];
		if (point_cfg(s, p, &cfg, &t, err, sizeof err))
			return fail("point %" PRIu64 ": %s", p, err);
		char *ini = NULL;
		size_t ini_len = 0;
		FILE *mem = open_memstream(&ini, &ini_len);
		if (!mem)
			return fail("out of memory");
		config_write_ini(&cfg, mem, false);
		fclose(mem);
		uint64_t h = fnv1a(FNV_OFFSET, "nicsim " NICSIM_VERSION "\n", strlen("nicsim " NICSIM_VERSION "\n"));
		h = fnv1a(h, s->self_digest, 16);
		h = fnv1a(h, ini, ini_len);
		h = fnv1a(h, s->tr[t].digest, 16);
		char want[40];
		snprintf(want, sizeof want, "%016" PRIx64 "\n", h);
		char tline[PATH_MAX + 2];
		snprintf(tline, sizeof tline, "%s\n", s->tr[t].path);
		int bad = 0;
		point_path(path, sizeof path, s->dir, p, ".ini");
		bad |= write_atomic(path, ini);
		point_path(path, sizeof path, s->dir, p, ".trace");
		bad |= write_atomic(path, tline);
		point_path(path, sizeof path, s->dir, p, ".want");
		bad |= write_atomic(path, want);
		free(ini);
		if (bad)
			return fail("%s: cannot write (%s)", path, strerror(errno));
	}
	json_t *m = manifest_json(s);
	char *text = json_dumps(m, JSON_INDENT(1));
	json_decref(m);
	snprintf(path, sizeof path, "%s/sweep.json", s->dir);
	int bad = !text || write_atomic(path, text);
	free(text);
	return bad ? fail("%s: cannot write (%s)", path, strerror(errno)) : 0;
}

/* Done: the report exists and was made from the inputs the point has now.
 * If rep is not NULL, the loaded report is left there for the caller (to
 * json_decref), so it is read once. */
static bool point_is_done(const char *dir, uint64_t p, json_t **rep)
{
	if (rep)
		*rep = NULL;
	char path[PATH_MAX + 64], json[PATH_MAX + 64], key[PATH_MAX + 64];
	point_path(json, sizeof json, dir, p, ".json");
	if (access(json, R_OK))
		return false;
	point_path(path, sizeof path, dir, p, ".want");
	char *want = read_all(path);
	point_path(key, sizeof key, dir, p, ".key");
	char *k = read_all(key);
	bool done = want && k && !strcmp(want, k);
	free(want);
	free(k);
	if (done) {
		/* A report that does not load (cut short, edited) is not a result:
		 * it goes, and the point runs again. */
		json_error_t je;
		json_t *j = json_load_file(json, 0, &je);
		if (!j) {
			unlink(json);
			unlink(key);
			return false;
		}
		if (rep)
			*rep = j;
		else
			json_decref(j);
	}
	return done;
}

/* ---- running the points here ---- */

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }

static uint64_t mono_s(void) { return cli_mono_ns() / 1000000000ull; }

/* Start `nicsim run` for point p: its report goes to .json.part, its
 * messages to .log. */
static pid_t point_start(const char *self, const char *dir, uint64_t p, const char *trace)
{
	char ini[PATH_MAX + 64], part[PATH_MAX + 64], log[PATH_MAX + 64];
	point_path(ini, sizeof ini, dir, p, ".ini");
	point_path(part, sizeof part, dir, p, ".json.part");
	point_path(log, sizeof log, dir, p, ".log");
	/* The old key goes first: a report renamed into place by a run that
	 * dies before it writes the key must not pass for the old inputs'. */
	char key[PATH_MAX + 64];
	point_path(key, sizeof key, dir, p, ".key");
	unlink(key);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGTERM);   /* a sweep killed outright takes its runs with it */
	if (getppid() == 1)
		_exit(127);
	int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	/* /proc/self/exe: this very binary, even if the file was rebuilt
	 * meanwhile (its inputs digest names this one, sweep_self_digest). */
	execl("/proc/self/exe", self, "run", "--quiet", "--config", ini, "--json", part, trace, (char *)NULL);
	fprintf(stderr, "nicsim sweep: cannot run %s (%s)\n", self, strerror(errno));
	_exit(127);
}

/* A point's run ended with status: keep its report under its name, with
 * the key it was made from. */
static int point_finish(const char *dir, uint64_t p, int status)
{
	char part[PATH_MAX + 64], json[PATH_MAX + 64], want[PATH_MAX + 64], key[PATH_MAX + 64];
	point_path(part, sizeof part, dir, p, ".json.part");
	point_path(json, sizeof json, dir, p, ".json");
	point_path(want, sizeof want, dir, p, ".want");
	point_path(key, sizeof key, dir, p, ".key");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		unlink(part);
		return -1;
	}
	char *w = read_all(want);
	int bad = !w || rename(part, json) || write_atomic(key, w);
	free(w);
	return bad ? -1 : 0;
}

/* Stop and reap the runs still going (an error path). */
static void stop_children(pid_t *pids, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (uint32_t i = 0; i < n; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
}

static void progress(bool is_on, uint64_t done, uint64_t total, uint64_t t0)
{
	if (!is_on)
		return;
	uint64_t el = mono_s() - t0;
	char eta[32] = "--:--";
	if (done)
		snprintf(eta, sizeof eta, "%02" PRIu64 ":%02" PRIu64, (el * (total - done) / done) / 60,
			 (el * (total - done) / done) % 60);
	int width = SWEEP_BAR_CHARS, fill = (int)(total ? done * (uint64_t)width / total : 0);
	fprintf(stderr, "\rnicsim sweep: [%.*s%*s] %" PRIu64 "/%" PRIu64 " points, %02" PRIu64 ":%02" PRIu64
		" elapsed, ETA %s\033[K", fill, "==============================", width - fill, "", done, total,
		el / 60, el % 60, eta);
	fflush(stderr);
}

static int run_local(struct sweep *s, uint64_t *ran, uint64_t *failed)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return fail("cannot find this program's own path (/proc/self/exe)");
	self[n] = 0;
	uint64_t *todo = malloc(s->n_points * sizeof *todo), n_todo = 0;
	pid_t *pids = calloc(s->jobs, sizeof *pids);
	uint64_t *pid_point = calloc(s->jobs, sizeof *pid_point);
	if (!todo || !pids || !pid_point)
		return fail("out of memory");
	for (uint64_t p = 0; p < s->n_points; p++)
		if (!point_is_done(s->dir, p, NULL))
			todo[n_todo++] = p;
	uint64_t done_before = s->n_points - n_todo;
	if (!s->is_quiet)
		fprintf(stderr, "nicsim sweep: %" PRIu64 " points, %" PRIu64 " done before, %" PRIu64 " to run, %u at once\n",
			s->n_points, done_before, n_todo, s->jobs);
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	bool is_tty = !s->is_quiet && isatty(STDERR_FILENO);
	uint64_t t0 = mono_s(), next = 0, running = 0, finished = 0;
	bool is_stopping = false;
	*ran = *failed = 0;
	while ((next < n_todo && !stop_signal) || running) {
		while (next < n_todo && running < s->jobs && !stop_signal) {
			uint64_t p = todo[next++];
			char tpath[PATH_MAX + 64];
			point_path(tpath, sizeof tpath, s->dir, p, ".trace");
			char *t = read_all(tpath);
			if (!t) {
				stop_children(pids, s->jobs);
				return fail("%s: cannot read", tpath);
			}
			t[strcspn(t, "\n")] = 0;
			uint32_t slot = 0;
			while (pids[slot])
				slot++;
			pids[slot] = point_start(self, s->dir, p, t);
			free(t);
			if (pids[slot] < 0) {
				pids[slot] = 0;
				stop_children(pids, s->jobs);
				return fail("cannot start a run (%s)", strerror(errno));
			}
			pid_point[slot] = p;
			running++;
		}
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (stop_signal && !is_stopping) {
			/* Stopped (before or during the wait): the runs stop too;
			 * what they leave is .json.part, never a result. */
			is_stopping = true;
			for (uint32_t i = 0; i < s->jobs; i++)
				if (pids[i])
					kill(pids[i], SIGTERM);
		}
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (uint32_t i = 0; i < s->jobs; i++)
			if (pids[i] == pid) {
				pids[i] = 0;
				running--;
				if (point_finish(s->dir, pid_point[i], status) == 0) {
					(*ran)++;
				} else if (!stop_signal) {
					(*failed)++;
					char log[PATH_MAX + 64];
					point_path(log, sizeof log, s->dir, pid_point[i], ".log");
					if (is_tty)
						fputs("\r\033[K", stderr);
					fprintf(stderr, "nicsim sweep: point %" PRIu64 " failed: see %s\n", pid_point[i], log);
				}
				finished++;
				progress(is_tty, done_before + finished, s->n_points, t0);
			}
	}
	if (is_tty)
		fputs("\r\033[K", stderr);
	free(todo);
	free(pids);
	free(pid_point);
	if (stop_signal) {
		fprintf(stderr, "nicsim sweep: stopped by signal %d: %" PRIu64 " points done; run the same command again "
				"to finish\n", (int)stop_signal, *ran);
		return 128 + (int)stop_signal;
	}
	return 0;
}

/* ---- Slurm ---- */

/* s quoted for sh: in single quotes, each ' as '\'' . */
static void sh_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

static int write_sbatch(const struct sweep *s)
{
	char self[PATH_MAX], dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0 || !realpath(s->dir, dir))
		return fail("cannot resolve this program's path or %s", s->dir);
	self[n] = 0;
	/* sbatch reads #SBATCH lines as words of its own: the output path in
	 * one cannot hold blanks or quotes. The script body quotes everything. */
	if (strpbrk(dir, " \t\n'\"\\%"))
		return fail("%s: --slurm needs a directory whose path has no blank, quote, backslash or %%, since sbatch "
			    "reads it from an #SBATCH line", dir);
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/slurm", dir);
	if (mkdir_p(path))
		return fail("%s: cannot create (%s)", path, strerror(errno));
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return fail("out of memory");
	fprintf(f,
		"#!/bin/sh\n"
		"# nicsim sweep: one array task a point (written by nicsim %s). Submit with\n"
		"#   sbatch %s/sweep.sbatch\n"
		"# then build the table with\n"
		"#   nicsim sweep --collect %s\n"
		"#SBATCH --job-name=nicsim-sweep\n"
		"#SBATCH --array=0-%" PRIu64 "\n"
		"#SBATCH --ntasks=1\n"
		"#SBATCH --cpus-per-task=1\n"
		"#SBATCH --output=%s/slurm/task-%%a.out\n"
		"set -eu\n"
		"nicsim=",
		NICSIM_VERSION, dir, dir, s->n_points - 1, dir);
	sh_quote(f, self);
	fputs("\ndir=", f);
	sh_quote(f, dir);
	fputs("\n"
	      "p=\"$dir/points/$(printf %04d \"$SLURM_ARRAY_TASK_ID\")\"\n"
	      "# Done already with the same inputs: nothing to do (a resubmitted sweep resumes).\n"
	      "if [ -f \"$p.json\" ] && [ -f \"$p.key\" ] && cmp -s \"$p.want\" \"$p.key\"; then exit 0; fi\n"
	      "rm -f \"$p.json.part\" \"$p.key\"\n"
	      "\"$nicsim\" run --quiet --config \"$p.ini\" --json \"$p.json.part\" \"$(cat \"$p.trace\")\" >\"$p.log\" 2>&1\n"
	      "mv \"$p.json.part\" \"$p.json\"\n"
	      "cp \"$p.want\" \"$p.key\"\n",
	      f);
	fclose(f);
	snprintf(path, sizeof path, "%s/sweep.sbatch", dir);
	int bad = write_atomic(path, text) || chmod(path, 0755);
	free(text);
	if (bad)
		return fail("%s: cannot write (%s)", path, strerror(errno));
	printf("wrote %s (%" PRIu64 " array tasks); submit it with sbatch, then: nicsim sweep --collect %s\n", path,
	       s->n_points, s->dir);
	return 0;
}

/* ---- the table ---- */

/* Values a table wanted that a report did not have (a report of another
 * schema version, or edited): counted, and the table says so. */
static uint64_t jget_missing;

static uint64_t jget(json_t *o, const char *path)
{
	/* "a.b.c" */
	char buf[128];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *tok = strtok(buf, "."); tok && o; tok = strtok(NULL, "."))
		o = json_object_get(o, tok);
	if (!json_is_integer(o)) {
		jget_missing++;
		return 0;
	}
	return (uint64_t)json_integer_value(o);
}

static void csv_field(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* The headline metrics of a point's report, in the table's column order. */
static const char *const metric_names[] = {
	"rx_frames", "delivered", "drop_buffer_full", "drop_no_descriptor", "drop_rx_disabled",
	"e2e_p50_ps", "e2e_p99_ps", "e2e_p99_9_ps", "e2e_max_ps", "worst_queue_p99_ps",
	"cpu_util_max_ppm", "cpu_util_mean_ppm", "interrupts_per_s", "pcie_up_ppm", "pcie_down_ppm",
	"host_cycles", "baseline_cycles",
};
enum { N_METRICS = sizeof metric_names / sizeof metric_names[0] };

static void metrics_of(json_t *rep, uint64_t m[N_METRICS], json_t *row)
{
	json_t *qs = json_object_get(rep, "queues"), *cpus = json_object_get(rep, "cpus");
	uint64_t delivered = 0, irqs = 0, worst = 0, umax = 0, usum = 0;
	json_t *per_q = json_array();
	size_t i;
	json_t *q;
	json_array_foreach(qs, i, q) {
		delivered += jget(q, "packets");
		irqs += jget(q, "interrupts");
		uint64_t p99 = jget(q, "latency_ps.end_to_end.p99");
		if (p99 > worst)
			worst = p99;
		json_t *o = json_object();
		json_object_set_new(o, "queue", json_integer((json_int_t)jget(q, "queue")));
		json_object_set_new(o, "packets", json_integer((json_int_t)jget(q, "packets")));
		json_object_set_new(o, "e2e_p50_ps", json_integer((json_int_t)jget(q, "latency_ps.end_to_end.p50")));
		json_object_set_new(o, "e2e_p99_ps", json_integer((json_int_t)p99));
		json_object_set_new(o, "e2e_p99_9_ps", json_integer((json_int_t)jget(q, "latency_ps.end_to_end.p99_9")));
		json_object_set_new(o, "drops", json_deep_copy(json_object_get(q, "drops")));
		json_array_append_new(per_q, o);
	}
	json_t *util = json_array();
	json_t *c;
	json_array_foreach(cpus, i, c) {
		uint64_t u = jget(c, "utilisation_ppm");
		umax = u > umax ? u : umax;
		usum += u;
		json_array_append_new(util, json_integer((json_int_t)u));
	}
	uint64_t sim_ps = jget(rep, "run.sim_time_ps");
	uint64_t v[N_METRICS] = {
		jget(rep, "replay.rx_frames"), delivered, jget(rep, "drops.buffer_full"), jget(rep, "drops.no_descriptor"),
		jget(rep, "drops.rx_disabled"), jget(rep, "latency_ps_all_queues.end_to_end.p50"),
		jget(rep, "latency_ps_all_queues.end_to_end.p99"), jget(rep, "latency_ps_all_queues.end_to_end.p99_9"),
		jget(rep, "latency_ps_all_queues.end_to_end.max"), worst, umax,
		json_array_size(cpus) ? usum / json_array_size(cpus) : 0,
		sim_ps ? (uint64_t)((sim_u128)irqs * SIM_PS_PER_S / sim_ps) : 0,
		jget(rep, "pcie.up.utilisation_ppm"), jget(rep, "pcie.down.utilisation_ppm"),
		jget(rep, "host_cycles"), jget(rep, "baseline_cycles"),
	};
	memcpy(m, v, sizeof v);
	for (int k = 0; k < N_METRICS; k++)
		json_object_set_new(row, metric_names[k], json_integer((json_int_t)m[k]));
	json_object_set_new(row, "queues", per_q);
	json_object_set_new(row, "cpu_util_ppm", util);
	json_object_set_new(row, "drops", json_deep_copy(json_object_get(rep, "drops")));
	json_t *sav = json_object_get(rep, "savings");   /* issue #18's, when a report has it */
	if (sav)
		json_object_set_new(row, "savings", json_deep_copy(sav));
}


/* ---- plots next to the table ---- */

/* The metrics plotted against the varied key: the column, its label, the
 * unit, and what one of the column's units is in the plot's unit. */
static const struct {
	const char *column, *file, *label, *unit;
	double div;
} sweep_plot_metrics[] = {
	{ "e2e_p99_ps", "plot-e2e-p99.svg", "end-to-end latency p99, all queues", "µs", 1e6 },
	{ "worst_queue_p99_ps", "plot-worst-queue-p99.svg", "the worst queue's p99 latency", "µs", 1e6 },
	{ "cpu_util_max_ppm", "plot-cpu-util-max.svg", "busiest core's utilisation", "%", 1e4 },
	{ "interrupts_per_s", "plot-interrupts.svg", "interrupts", "1/s", 1 },
	{ "drops", "plot-drops.svg", "frames dropped (every cause)", "frames", 1 },
};

/* The unit the configuration reference gives a key ("" if none). */
static const char *key_unit(const char *key)
{
	for (const struct param_group *g = config_groups; g->section; g++)
		for (const struct param_def *d = g->defs; d->key; d++)
			if (!strcmp(d->key, key))
				return d->unit ? d->unit : "";
	return "";
}

static bool is_number(const char *s, double *v)
{
	char *end;
	if (!s || !*s)
		return false;
	*v = strtod(s, &end);
	return !*end;
}

/* One plot a metric: the metric against the first varied key whose values
 * are all numbers, one line per trace and combination of the other varied
 * keys' values. */
static int sweep_plots(const char *dir, json_t *keys, json_t *rows, bool *is_plotted)
{
	size_t nk = json_array_size(keys), nr = json_array_size(rows);
	size_t xk = nk;
	for (size_t k = 0; k < nk && xk == nk; k++) {
		const char *key = json_string_value(json_array_get(keys, k));
		bool all = nr > 0;
		for (size_t r = 0; r < nr && all; r++) {
			double v;
			all = is_number(json_string_value(json_object_get(json_object_get(json_array_get(rows, r), "values"), key)), &v);
		}
		if (all)
			xk = k;
	}
	if (xk == nk) {
		if (nr)
			printf("no plots: no varied key takes numbers only\n");
		return 0;
	}
	const char *xkey = json_string_value(json_array_get(keys, xk));
	/* Series: rows with the same trace and other values, in table order. */
	char **names = calloc(nr, sizeof *names);
	size_t *series_of = calloc(nr, sizeof *series_of), n_series = 0;
	double *x = calloc(nr, sizeof *x), *y = calloc(nr, sizeof *y);
	struct svg_series *ser = calloc(nr, sizeof *ser);
	if (!names || !series_of || !x || !y || !ser)
		return fail("out of memory for the plots");
	double xmin = 0, xmax = 0;
	for (size_t r = 0; r < nr; r++) {
		json_t *row = json_array_get(rows, r), *vals = json_object_get(row, "values");
		char name[512];
		int n = snprintf(name, sizeof name, "%s", json_string_value(json_object_get(row, "trace")));
		for (size_t k = 0; k < nk; k++) {
			const char *key = json_string_value(json_array_get(keys, k));
			if (k != xk && n < (int)sizeof name)
				n += snprintf(name + n, sizeof name - (size_t)n, ", %s=%s", key,
					      json_string_value(json_object_get(vals, key)));
		}
		size_t s = 0;
		while (s < n_series && strcmp(names[s], name))
			s++;
		if (s == n_series)
			names[n_series++] = strdup(name);
		series_of[r] = s;
		is_number(json_string_value(json_object_get(vals, xkey)), &x[r]);
		xmin = r == 0 || x[r] < xmin ? x[r] : xmin;
		xmax = r == 0 || x[r] > xmax ? x[r] : xmax;
	}
	int rc = 0;
	*is_plotted = true;
	for (size_t m = 0; m < sizeof sweep_plot_metrics / sizeof sweep_plot_metrics[0] && !rc; m++) {
		/* Rows of a series, in table order (the varied key ascends in it). */
		double *xs = calloc(nr, sizeof *xs), *ys = calloc(nr, sizeof *ys);
		size_t used = 0;
		for (size_t s = 0; s < n_series; s++) {
			ser[s] = (struct svg_series){ .name = names[s], .x = xs + used, .y = ys + used };
			for (size_t r = 0; r < nr; r++)
				if (series_of[r] == s) {
					json_t *row = json_array_get(rows, r);
					double v;
					if (!strcmp(sweep_plot_metrics[m].column, "drops")) {
						v = (double)(json_integer_value(json_object_get(row, "drop_buffer_full")) +
							     json_integer_value(json_object_get(row, "drop_no_descriptor")) +
							     json_integer_value(json_object_get(row, "drop_rx_disabled")));
					} else {
						v = (double)json_integer_value(json_object_get(row, sweep_plot_metrics[m].column));
					}
					xs[used] = x[r];
					ys[used++] = v / sweep_plot_metrics[m].div;
					ser[s].n++;
				}
		}
		char title[256], path[PATH_MAX + 64], err[600];
		snprintf(title, sizeof title, "%s against %s", sweep_plot_metrics[m].label, xkey);
		struct svg_plot p = { .title = title, .x_label = xkey, .x_unit = key_unit(xkey), .y_label = sweep_plot_metrics[m].label,
				      .y_unit = sweep_plot_metrics[m].unit, .is_log_x = xmin > 0 && xmax >= 16 * xmin,
				      .has_y_min = true, .y_min = 0, .n_series = n_series, .series = ser };
		snprintf(path, sizeof path, "%s/%s", dir, sweep_plot_metrics[m].file);
		if (svg_lines(path, &p, err, sizeof err))
			rc = fail("%s", err);
		free(xs);
		free(ys);
	}
	for (size_t s = 0; s < n_series; s++)
		free(names[s]);
	free(names);
	free(series_of);
	free(x);
	free(y);
	free(ser);
	return rc;
}

/* The CSV: a row a point, the varied values, the headline metrics, then
 * each queue's p50/p99/p99.9 and each core's utilisation, as many columns as
 * the point with the most has (empty where a point has fewer). */
static void csv_write(FILE *f, json_t *keys, json_t *rows)
{
	size_t max_q = 0, max_c = 0, i, k;
	json_t *row, *key;
	json_array_foreach(rows, i, row) {
		size_t q = json_array_size(json_object_get(row, "queues")), c = json_array_size(json_object_get(row, "cpu_util_ppm"));
		max_q = q > max_q ? q : max_q;
		max_c = c > max_c ? c : max_c;
	}
	static const char *const qcols[] = { "e2e_p50_ps", "e2e_p99_ps", "e2e_p99_9_ps" };
	fputs("point,trace", f);
	json_array_foreach(keys, k, key) {
		fputc(',', f);
		csv_field(f, json_string_value(key));
	}
	for (int j = 0; j < N_METRICS; j++)
		fprintf(f, ",%s", metric_names[j]);
	for (size_t q = 0; q < max_q; q++)
		for (int j = 0; j < 3; j++)
			fprintf(f, ",q%zu_%s", q, qcols[j]);
	for (size_t c = 0; c < max_c; c++)
		fprintf(f, ",cpu%zu_util_ppm", c);
	fputc('\n', f);
	json_array_foreach(rows, i, row) {
		fprintf(f, "%" JSON_INTEGER_FORMAT ",", json_integer_value(json_object_get(row, "point")));
		csv_field(f, json_string_value(json_object_get(row, "trace")));
		json_t *vals = json_object_get(row, "values");
		json_array_foreach(keys, k, key) {
			fputc(',', f);
			csv_field(f, json_string_value(json_object_get(vals, json_string_value(key))));
		}
		for (int j = 0; j < N_METRICS; j++)
			fprintf(f, ",%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(row, metric_names[j])));
		json_t *qs = json_object_get(row, "queues"), *cu = json_object_get(row, "cpu_util_ppm");
		for (size_t q = 0; q < max_q; q++)
			for (int j = 0; j < 3; j++) {
				json_t *v = json_object_get(json_array_get(qs, q), qcols[j]);
				if (v)
					fprintf(f, ",%" JSON_INTEGER_FORMAT, json_integer_value(v));
				else
					fputc(',', f);
			}
		for (size_t c = 0; c < max_c; c++) {
			json_t *v = json_array_get(cu, c);
			if (v)
				fprintf(f, ",%" JSON_INTEGER_FORMAT, json_integer_value(v));
			else
				fputc(',', f);
		}
		fputc('\n', f);
	}
}

static int collect(const char *dir)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/sweep.json", dir);
	json_error_t je;
	json_t *m = json_load_file(path, 0, &je);
	if (!m)
		return fail("%s: %s (not a sweep directory? nicsim sweep --out writes it)", path, je.text);
	json_t *keys = json_object_get(m, "varied"), *pts = json_object_get(m, "points");
	bool is_ok = json_is_array(keys) && json_is_array(pts);
	size_t vi, pi;
	json_t *it;
	json_array_foreach(keys, vi, it)
		is_ok = is_ok && json_is_string(it);
	json_array_foreach(pts, pi, it) {
		json_t *id = json_object_get(it, "point");
		is_ok = is_ok && json_is_object(it) && json_is_integer(id) && json_integer_value(id) >= 0 &&
			json_integer_value(id) < SWEEP_POINTS_MAX && json_is_string(json_object_get(it, "trace")) &&
			json_is_object(json_object_get(it, "values"));
	}
	if (!is_ok) {
		json_decref(m);
		return fail("%s: not a manifest nicsim sweep wrote (varied: a list of keys; points: objects with point, "
			    "trace and values)", path);
	}
	char *csv = NULL;
	size_t csv_len = 0;
	FILE *f = open_memstream(&csv, &csv_len);
	json_t *rows = json_array();
	size_t i, k;
	json_t *p, *key;
	uint64_t missing = 0, first_missing = 0;
	json_array_foreach(pts, i, p) {
		uint64_t id = (uint64_t)json_integer_value(json_object_get(p, "point"));
		json_t *rep;
		if (!point_is_done(dir, id, &rep)) {
			if (!missing++)
				first_missing = id;
			continue;
		}
		const char *trace = json_string_value(json_object_get(p, "trace"));
		const char *base = strrchr(trace ? trace : "", '/');
		base = base ? base + 1 : trace ? trace : "";
		json_t *row = json_object();
		json_object_set_new(row, "point", json_integer((json_int_t)id));
		json_object_set_new(row, "trace", json_string(base));
		json_t *vals = json_object_get(p, "values"), *rv = json_object();
		json_array_foreach(keys, k, key) {
			const char *v = json_string_value(json_object_get(vals, json_string_value(key)));
			json_object_set_new(rv, json_string_value(key), json_string(v ? v : ""));
		}
		json_object_set_new(row, "values", rv);
		uint64_t mv[N_METRICS];
		metrics_of(rep, mv, row);
		json_array_append_new(rows, row);
		json_decref(rep);
	}
	csv_write(f, keys, rows);
	fclose(f);
	int rc = 0;
	if (missing) {
		rc = fail("%" PRIu64 " of %zu points have no report yet (the first: %s/points/%04" PRIu64 ".json); the table "
			  "lists the others", missing, json_array_size(pts), dir, first_missing);
	}
	size_t n_pts = json_array_size(pts);
	if (jget_missing)
		fprintf(stderr, "nicsim sweep: warning: %" PRIu64 " values the table wants were not in the points' reports "
				"(reports of another nicsim's schema? they are 0 in the table)\n", jget_missing);
	bool is_plotted = false;
	int prc = sweep_plots(dir, keys, rows, &is_plotted);
	if (prc && !rc)
		rc = prc;
	json_t *table = json_object();
	json_object_set_new(table, "generator", json_string("nicsim " NICSIM_VERSION));
	json_object_set_new(table, "varied", json_deep_copy(keys));
	json_object_set_new(table, "rows", rows);
	char *tj = json_dumps(table, JSON_INDENT(1));
	json_decref(table);
	json_decref(m);
	snprintf(path, sizeof path, "%s/table.csv", dir);
	int bad = write_atomic(path, csv);
	snprintf(path, sizeof path, "%s/table.json", dir);
	bad |= !tj || write_atomic(path, tj);
	free(csv);
	free(tj);
	if (bad)
		return fail("%s: cannot write the table (%s)", dir, strerror(errno));
	if (!rc)
		printf("wrote %s/table.csv and %s/table.json (%zu points)%s\n", dir, dir, n_pts,
		       is_plotted ? " and the plots beside them" : "");
	return rc;
}

/* One sweep at a time in a directory: an exclusive lock on DIR/.lock, held
 * until the process ends. Returns the descriptor or -1 after the message. */
static int sweep_lock(const char *dir)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		fail("%s: cannot open (%s)", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		fail("%s: another nicsim sweep is using this directory; wait for it, or use another --out", dir);
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- the command ---- */

int cmd_sweep(int argc, char **argv)
{
	struct sweep s = { 0 };
	config_defaults(&s.base);
	bool is_slurm = false;
	const char *collect_dir = NULL;
	const char *traces[SWEEP_TRACES_MAX];
	uint32_t n_traces = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	s.jobs = cpus > 0 ? (uint32_t)cpus : 1;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(sweep_usage, stdout);
			return 0;
		} else if (!strcmp(a, "--config") || !strcmp(a, "--set")) {
			int rc = cli_apply_cfg_opt(&s.base, a, v, "sweep");
			if (rc)
				return rc;
			i++;
		} else if (!strcmp(a, "--vary")) {
			if (!v)
				return fprintf(stderr, "nicsim sweep: --vary needs KEY=VALUES\n"), SWEEP_EXIT_USAGE;
			if (s.n_vary == SWEEP_VARY_MAX)
				return fprintf(stderr, "nicsim sweep: at most %d --vary\n", SWEEP_VARY_MAX), SWEEP_EXIT_USAGE;
			int rc = vary_parse(&s.vary[s.n_vary], v);
			if (rc)
				return rc;
			for (uint32_t k = 0; k < s.n_vary; k++)
				if (!strcmp(s.vary[k].key, s.vary[s.n_vary].key))
					return fprintf(stderr, "nicsim sweep: %s varied twice\n", s.vary[k].key), SWEEP_EXIT_USAGE;
			s.n_vary++;
			i++;
		} else if (!strcmp(a, "--out") || !strcmp(a, "--collect")) {
			if (!v)
				return fprintf(stderr, "nicsim sweep: %s needs a directory\n", a), SWEEP_EXIT_USAGE;
			if (!strcmp(a, "--out"))
				s.dir = v;
			else
				collect_dir = v;
			i++;
		} else if (!strcmp(a, "-j")) {
			char *end;
			long j = v ? strtol(v, &end, 10) : 0;
			if (!v || *end || j < 1 || j > SWEEP_JOBS_MAX)
				return fprintf(stderr, "nicsim sweep: -j needs a number of runs at once, 1..%d (got %s)\n",
					       SWEEP_JOBS_MAX, v ? v : "nothing"), SWEEP_EXIT_USAGE;
			s.jobs = (uint32_t)j;
			i++;
		} else if (!strcmp(a, "--slurm")) {
			is_slurm = true;
		} else if (!strcmp(a, "--quiet")) {
			s.is_quiet = true;
		} else if (a[0] == '-' && a[1]) {
			return fprintf(stderr, "nicsim sweep: unknown option %s (see: nicsim help sweep)\n", a), SWEEP_EXIT_USAGE;
		} else {
			if (n_traces == SWEEP_TRACES_MAX)
				return fprintf(stderr, "nicsim sweep: at most %d traces\n", SWEEP_TRACES_MAX), SWEEP_EXIT_USAGE;
			traces[n_traces++] = a;
		}
	}
	if (collect_dir) {
		if (s.dir || n_traces || s.n_vary)
			return fprintf(stderr, "nicsim sweep: --collect DIR takes nothing else\n"), SWEEP_EXIT_USAGE;
		struct stat st;
		if (stat(collect_dir, &st) || !S_ISDIR(st.st_mode))
			return fail("%s: not a sweep directory (nicsim sweep --out writes one)", collect_dir);
		if (sweep_lock(collect_dir) < 0)
			return SWEEP_EXIT_FAIL;
		return collect(collect_dir);
	}
	if (!s.dir || !n_traces)
		return fprintf(stderr, "nicsim sweep: %s (see: nicsim help sweep)\n",
			       !s.dir ? "--out DIR is needed" : "no trace given"), SWEEP_EXIT_USAGE;
	/* The base's warnings (each point is validated on its own: a base the
	 * varied keys complete need not be valid alone). */
	cli_print_cfg_warnings(&s.base, "sweep");
	if (is_slurm && strpbrk(s.dir, " \t\n'\"\\%"))
		return fail("%s: --slurm needs a directory whose path has no blank, quote, backslash or %%, since sbatch "
			    "reads it from an #SBATCH line", s.dir);
	uint64_t per_trace = 1;
	for (uint32_t k = 0; k < s.n_vary; k++) {
		per_trace *= s.vary[k].n;
		if (per_trace * n_traces > SWEEP_POINTS_MAX)
			return fprintf(stderr, "nicsim sweep: more than %d points; split the sweep\n", SWEEP_POINTS_MAX),
			       SWEEP_EXIT_USAGE;
	}
	s.n_points = per_trace * n_traces;
	if (file_digest("/proc/self/exe", s.self_digest))
		return fail("cannot read this program's own binary (/proc/self/exe)");
	if (mkdir_p(s.dir))
		return fail("%s: cannot create the directory (%s)", s.dir, strerror(errno));
	int lock = sweep_lock(s.dir);
	if (lock < 0)
		return SWEEP_EXIT_FAIL;
	s.n_tr = n_traces;
	s.tr = calloc(n_traces, sizeof *s.tr);
	if (!s.tr)
		return fail("out of memory");
	for (uint32_t t = 0; t < n_traces; t++) {
		if (!realpath(traces[t], s.tr[t].path))
			return fail("%s: %s", traces[t], strerror(errno));
		if (file_digest(s.tr[t].path, s.tr[t].digest))
			return fail("%s: cannot read (%s)", traces[t], strerror(errno));
		int rc = trace_host(&s, &s.tr[t]);
		if (rc)
			return rc;
	}
	int rc = prepare(&s);
	if (!rc && is_slurm)
		rc = write_sbatch(&s);
	else if (!rc) {
		uint64_t ran = 0, failed = 0;
		rc = run_local(&s, &ran, &failed);
		if (!rc) {
			rc = collect(s.dir);
			if (failed && !rc)
				rc = SWEEP_EXIT_FAIL;
		}
	}
	for (uint32_t k = 0; k < s.n_vary; k++)
		for (uint32_t i = 0; i < s.vary[k].n; i++)
			free(s.vary[k].val[i]);
	free(s.tr);
	return rc;
}
