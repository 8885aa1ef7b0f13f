/*
 * sim/systemc/nicsim_systemc.cpp — nicsim-systemc: `nicsim run` with the NIC
 * and the host as SystemC/TLM-2.0 modules, SystemC owning time.
 *
 * The example platform: copy it to put nicsim's NIC into a platform of your
 * own (docs/systemc.md). The run command (sim/nicsim/cmd_run.c) composes the
 * run as nicsim does; at its bind hook this file wraps each half of the bus in
 * a module, binds the sockets and routes the bus through them; at its drive
 * hook it hands time to SystemC (sc_start), whose kernel_module thread steps
 * the C events. Reports are nicsim's, with run.kernel naming this kernel.
 */
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "sim/systemc/nicsim_sc.h"

#include "sim/nicsim/cli_run.h"

namespace {

/* The default quantum: 1 us. Virtual platforms commonly run their CPUs
 * decoupled by 1 to 10 us; 1 us keeps an interrupt's added delay below the
 * driver's moderation intervals (tens of us, host/itr.h) while SystemC
 * switches context at most once per simulated microsecond. docs/systemc.md
 * gives the figures. */
constexpr uint64_t default_quantum_ps = 1000000ull;

const char usage_head[] =
	"usage: nicsim-systemc [--quantum T] [run options] TRACE\n"
	"\n"
	"`nicsim run` inside a SystemC/TLM-2.0 platform: the NIC, the host (driver, CPUs, memory)\n"
	"and the capture are SystemC modules that reach each other only through TLM-2.0 sockets\n"
	"(BAR0, DMA and MSI-X, Ethernet; docs/systemc.md), and SystemC steps time. Same options,\n"
	"same report (run.kernel names the kernel and its quantum).\n"
	"\n"
	"  --quantum T       the TLM-2.0 global quantum: how far the model runs ahead of SystemC\n"
	"                    time between synchronisations (0, or a number with ps, ns, us or ms;\n"
	"                    default 1us). 0: every event at its own SystemC time, the report\n"
	"                    identical to nicsim run's. Larger: faster; the host takes an\n"
	"                    interrupt at the next quantum boundary, so latencies grow by up to T.\n"
	"\n";

/* "0", or a whole number with a unit: ps. */
bool parse_quantum(const char *s, uint64_t *ps)
{
	if (!s || !*s || *s < '0' || *s > '9')
		return false;
	char *end = nullptr;
	errno = 0;
	unsigned long long n = std::strtoull(s, &end, 10);
	if (errno)
		return false;
	static const struct { const char *unit; uint64_t ps; } units[] = {
		{ "ps", 1 }, { "ns", SIM_PS_PER_NS }, { "us", SIM_PS_PER_US }, { "ms", SIM_PS_PER_MS }, { "s", SIM_PS_PER_S },
	};
	if (!*end)
		return n == 0 ? (*ps = 0, true) : false;   /* a bare number other than 0 has no unit */
	for (const auto &u : units)
		if (!std::strcmp(end, u.unit)) {
			if (n > SIM_TIME_MAX / u.ps / 4)
				return false;
			*ps = n * u.ps;
			return true;
		}
	return false;
}

/* The platform: the modules around the C halves, made at the run's bind hook
 * (during elaboration: before sc_start). */
struct platform {
	uint64_t quantum_ps = default_quantum_ps;
	std::unique_ptr<nicsim_sc::nic_module> nic;
	std::unique_ptr<nicsim_sc::host_module> host;
	std::unique_ptr<nicsim_sc::trace_source> trace;
	std::unique_ptr<nicsim_sc::wire_sink> wire;
	std::unique_ptr<nicsim_sc::kernel_module> kernel;
	std::unique_ptr<nicsim_sc::bus_router> router;
};

int bind(void *ctx, struct run *r, char *err, size_t err_len)
{
	platform &p = *static_cast<platform *>(ctx);
	if (p.nic) {
		std::snprintf(err, err_len, "one run per process: SystemC cannot elaborate a second platform");
		return -1;
	}
	/* Each module wraps the entry points its C half put on the bus. */
	p.nic.reset(new nicsim_sc::nic_module("nic", run_bus(r)->nic));
	p.host.reset(new nicsim_sc::host_module("host", run_bus(r)->host, run_sim_kernel(r), p.quantum_ps));
	p.trace.reset(new nicsim_sc::trace_source("trace"));
	p.wire.reset(new nicsim_sc::wire_sink("wire", run_bus(r)->host.wire, run_bus(r)->host.frame_out));
	p.kernel.reset(new nicsim_sc::kernel_module("kernel", run_sim_kernel(r), p.quantum_ps));
	/* The platform's wiring. */
	p.host->mmio.bind(p.nic->bar0);
	p.nic->dma.bind(p.host->mem);
	p.trace->eth.bind(p.nic->eth_in);
	p.nic->eth_out.bind(p.wire->eth);
	/* From here on every bus call is a transaction. */
	p.router.reset(new nicsim_sc::bus_router(*p.nic, *p.host, *p.trace));
	p.router->route(run_bus(r));
	return 0;
}

void drive(void *ctx, struct run *r, uint64_t stop_ps)
{
	(void)r;
	platform &p = *static_cast<platform *>(ctx);
	p.kernel->set_stop(stop_ps);
	sc_core::sc_start();   /* returns when the kernel thread has finished and nothing else is due */
}

}  // namespace

int sc_main(int argc, char **argv)
{
	platform p;
	std::vector<char *> args;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!std::strcmp(a, "--quantum")) {
			if (i + 1 >= argc || !parse_quantum(argv[i + 1], &p.quantum_ps)) {
				std::fprintf(stderr, "nicsim-systemc: --quantum needs 0 or a whole number with a unit "
						     "(ps, ns, us, ms, s), e.g. --quantum 1us; got %s\n",
					     i + 1 < argc ? argv[i + 1] : "nothing");
				return CLI_EXIT_USAGE;
			}
			i++;
			continue;
		}
		if (cli_is_help(a)) {
			std::fputs(usage_head, stdout);
			std::fputs("nicsim run's options and text follow.\n\n", stdout);
		}
		args.push_back(argv[i]);
	}
	args.push_back(nullptr);
	struct run_kernel rk = {};
	rk.name = "systemc";
	rk.quantum_ps = p.quantum_ps;
	rk.cli_name = "nicsim-systemc";
	rk.ctx = &p;
	rk.bind = bind;
	rk.drive = drive;
	return cli_run((int)args.size() - 1, args.data(), &rk);
}

/* SystemC's own main() would print its banner before sc_main runs, on
 * stdout, into `--json -`'s report: this one turns it off first, then does
 * what SystemC's does. */
int main(int argc, char **argv)
{
	setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
	return sc_core::sc_elab_and_sim(argc, argv);
}
