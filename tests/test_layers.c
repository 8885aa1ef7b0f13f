/*
 * tests/test_layers.c — who may include whom. Every C/C++ source and header
 * of the simulator is read and each `#include "..."` checked against the
 * layer rules of docs/design.md:
 *
 *   sim/ (the kernel layer: the files directly in sim/) includes nothing from models/,
 *        host/, traces/, rtl/ or the program above it (sim/nicsim/);
 *   models/ includes nothing from host/, traces/ or sim/nicsim/;
 *   models/pkt/ (packet facts) includes nothing else from models/;
 *   host/ includes from models/ only the bus (models/bus.h), the register
 *        map (models/nic_regs.h) and the packet facts (models/pkt/);
 *   traces/ includes from models/ only the packet facts, and nothing from
 *        host/ or sim/nicsim/.
 *
 * The rules are written here as the table below, from that page, not derived
 * from the code; the first test shows the checker refuses what it should.
 */
#include "testutil.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct rule {
	const char *dir;         /* files directly in it (kernel layer) or below it */
	bool is_direct_only;     /* only files directly in dir, not in its subfolders */
	const char *forbidden[8];
	const char *allowed_in_forbidden[4];  /* exceptions under a forbidden prefix */
};

static const struct rule rules[] = {
	{ "sim/", true, { "models/", "host/", "traces/", "rtl/", "sim/nicsim/", "sim/systemc/" }, { NULL } },
	{ "models/", false, { "host/", "traces/", "sim/nicsim/", "rtl/" }, { NULL } },
	{ "models/pkt/", false, { "models/" }, { "models/pkt/" } },
	{ "host/", false, { "models/", "sim/nicsim/" }, { "models/bus.h", "models/nic_regs.h", "models/pkt/" } },
	{ "traces/", false, { "models/", "host/", "sim/nicsim/" }, { "models/pkt/" } },
};

static bool starts(const char *s, const char *prefix) { return !strncmp(s, prefix, strlen(prefix)); }

static bool rule_applies(const struct rule *r, const char *rel)
{
	if (!starts(rel, r->dir))
		return false;
	return !r->is_direct_only || !strchr(rel + strlen(r->dir), '/');
}

/* The reason an include is forbidden for the file at rel, or NULL. */
static const char *forbidden_why(const char *rel, const char *inc)
{
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		const struct rule *r = &rules[i];
		if (!rule_applies(r, rel))
			continue;
		for (const char *const *f = r->forbidden; *f; f++) {
			if (!starts(inc, *f))
				continue;
			bool is_excepted = false;
			for (const char *const *a = r->allowed_in_forbidden; *a; a++)
				is_excepted |= starts(inc, *a);
			if (!is_excepted)
				return r->dir;
		}
	}
	return NULL;
}

struct walk {
	size_t files, includes, bad;
	char msgs[4096];
};

static void check_text(const char *rel, const char *text, struct walk *w)
{
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "#include", 8))
			continue;
		p += 8;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '"')
			continue;
		char inc[256];
		size_t n = strcspn(p + 1, "\"\n");
		if (n >= sizeof inc)
			n = sizeof inc - 1;
		memcpy(inc, p + 1, n);
		inc[n] = 0;
		w->includes++;
		const char *why = forbidden_why(rel, inc);
		if (why) {
			w->bad++;
			size_t used = strlen(w->msgs);
			snprintf(w->msgs + used, sizeof w->msgs - used, "  %s includes \"%s\" (not allowed in %s)\n", rel,
				 inc, why);
		}
	}
}

static void check_file(const char *path, void *ctx)
{
	struct walk *w = ctx;
	const char *rel = path + strlen(tu_src_dir()) + 1;
	char *text = tu_read_file(path, NULL);
	assert_non_null(text);
	w->files++;
	check_text(rel, text, w);
	free(text);
}

static void test_layers_checker_refuses_what_the_rules_forbid(void **state)
{
	(void)state;
	struct walk w = { 0 };
	check_text("sim/kernel.c", "#include \"models/nic.h\"\n", &w);
	check_text("sim/nicsim/run.c", "#include \"models/nic.h\"\n", &w);      /* the program: allowed */
	check_text("host/driver.c", "#include \"models/irq.h\"\n", &w);
	check_text("host/driver.c", "  #include \"models/nic_regs.h\"\n", &w);  /* allowed */
	check_text("host/replay.c", "#include \"models/pkt/parse.h\"\n", &w);  /* allowed */
	check_text("models/pkt/csum.c", "#include \"models/rss.h\"\n", &w);
	check_text("models/pkt/csum.c", "#include \"models/pkt/parse.h\"\n", &w);  /* allowed */
	check_text("traces/reader.c", "#include \"host/replay.h\"\n", &w);
	check_text("models/nic.c", "#include <host/x.h>\n", &w);               /* system include: not ours */
	assert_int_equal(w.includes, 8);
	assert_int_equal(w.bad, 4);
}

static void test_layers_no_source_file_includes_across_its_layer(void **state)
{
	(void)state;
	static const char *const suffixes[] = { ".c", ".h", ".cpp", NULL };
	struct walk w = { 0 };
	const char *dirs[] = { "sim", "models", "host", "traces", "rtl" };
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		tu_walk_files(tu_path(tu_src_dir(), dirs[i]), suffixes, check_file, &w);
	assert_true(w.files > 40);
	assert_true(w.includes > 100);
	if (w.bad)
		fail_msg("%zu include(s) cross a layer:\n%s", w.bad, w.msgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layers_checker_refuses_what_the_rules_forbid),
		cmocka_unit_test(test_layers_no_source_file_includes_across_its_layer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
