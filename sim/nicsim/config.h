/*
 * sim/nicsim/config.h — the whole run's configuration: every block's cfg struct,
 * the registry of their parameter tables, and the INI-file / --set front end.
 *
 * File format (sim/nicsim/ini.h): sections are block names, keys are the
 * part after the dot; `[rss]\ntable_size = 256` sets rss.table_size.
 * config_write_ini's output reads back through config_load to the same
 * configuration. docs/config.md lists every key and the syntax (generated:
 * `nicsim config --docs`).
 */
#ifndef NICSIM_SIM_NICSIM_CONFIG_H
#define NICSIM_SIM_NICSIM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "host/chimney.h"
#include "host/cost.h"
#include "host/driver.h"
#include "host/netdma.h"
#include "host/rebalance.h"
#include "host/replay.h"
#include "host/itr.h"
#include "host/txstack.h"
#include "models/mac.h"
#include "models/nic.h"
#include "models/pcie.h"
#include "models/rss.h"
#include "sim/param.h"

struct run_cfg {
	uint32_t stop_us;         /* simulated time limit, 0 = until the trace is done */
};

struct nicsim_cfg {
	struct run_cfg run;
	struct replay_cfg replay;
	struct mac_cfg mac;
	struct nic_cfg nic;
	struct pcie_cfg pcie;            /* the NIC's PCIe link (pcie.*): DMA timing */
	struct rss_cfg rss;              /* the NIC's RSS capacity (rss.queues, rss.table_size) */
	struct drv_rss_cfg rss_policy;   /* the driver's RSS policy (the other rss.* keys) */
	struct itr_cfg irq;              /* the driver's interrupt moderation (irq.*) */
	struct host_cfg host;
	struct cost_cfg cost;
	struct rebalance_cfg rebalance;
	struct tx_cfg tx;                /* the host's sends from the capture (tx.*) */
	struct chimney_cfg chimney;      /* TCP Chimney, the host's side (toe.enable, toe.offload_after_bytes, ...) */
	struct toe_cfg toe;              /* the NIC's offload engine (the other toe.* keys) */
	struct netdma_cfg netdma;        /* NetDMA, the host's copy engine (netdma.*) */
};

extern const struct param_group config_groups[];

void config_defaults(struct nicsim_cfg *cfg);
/* A key that no longer exists and what replaced it: the message config_set_kv
 * refuses it with, or NULL for any other key. config_write_ini and the docs
 * leave a retired key out even if a block still declares it, so that what
 * nicsim writes it can read back. */
const char *config_retired(const char *key);
/* "section.key=value". Returns 0 or -1 with a message naming the key. */
int config_set(struct nicsim_cfg *cfg, const char *assignment, char *err, size_t err_len);
int config_set_kv(struct nicsim_cfg *cfg, const char *key, const char *value, char *err, size_t err_len);
/* Load an INI file. Messages name the file, line and key; a key set twice in
 * the file, a directory and text that is not UTF-8 are refused. */
int config_load(struct nicsim_cfg *cfg, const char *path, char *err, size_t err_len);
/* Cross-key checks before a run (the whole config is known). */
int config_validate(const struct nicsim_cfg *cfg, char *err, size_t err_len);
/* The software path (nicsim run --baseline, docs/cost-model.md): every
 * offload off, an interrupt per frame, applied over a configuration. */
void config_baseline(struct nicsim_cfg *cfg);
/* Settings allowed together that probably do not mean what was meant: a key
 * set away from its default that another key makes meaningless, more queues
 * than CPUs for them. Each message names both keys. Writes up to max
 * messages into out; returns how many there are (call after
 * config_validate). */
#define CONFIG_WARNING_CHARS 256
size_t config_warnings(const struct nicsim_cfg *cfg, char (*out)[CONFIG_WARNING_CHARS], size_t max);
/* Markdown reference of every key (docs/config.md). */
void config_write_docs(FILE *f);
/* One line per key: key = value  (unit) — for --help and the text report. */
void config_write_ini(const struct nicsim_cfg *cfg, FILE *f, bool only_changed);

#endif
