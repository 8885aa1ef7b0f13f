/*
 * sim/nicsim/sweep.h — `nicsim sweep`: a design-space sweep, many runs of
 * one base configuration with some keys varied, on one or more traces, in
 * parallel on this machine or as a Slurm job array, collected into one table.
 *
 * A sweep lives in a directory:
 *   sweep.json          the manifest: varied keys, every point's values and trace
 *   points/NNNN.ini     a point's whole configuration (what `nicsim run --config` reads)
 *   points/NNNN.trace   its trace's path
 *   points/NNNN.want    the digest of its inputs (nicsim version, configuration, trace bytes)
 *   points/NNNN.json    its report, once it ran (written under another name, then renamed)
 *   points/NNNN.key     the inputs digest of that report (a copy of .want when it finished)
 *   table.csv, table.json   one row a point (sweep_collect)
 *   sweep.sbatch        with --slurm: the job array that runs the points
 * A point whose report exists and whose .key equals its .want is done and is
 * not run again: an interrupted sweep resumes, and one whose inputs changed
 * reruns only the points they change. docs/sweep.md.
 */
#ifndef NICSIM_SIM_NICSIM_SWEEP_H
#define NICSIM_SIM_NICSIM_SWEEP_H

int cmd_sweep(int argc, char **argv);
extern const char sweep_usage[];

#endif
