/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands: one file each (user/cmd_NAME.c), one entry each in the
 * dispatch table in main.c.  Each returns an exit code (enum pb_exit) and
 * parses its own options, argv[0] being its name, through its option
 * table (user/common/opts.h) where it has one. */
#ifndef PEELBENCH_COMMANDS_H
#define PEELBENCH_COMMANDS_H

int cmd_run(int argc, char **argv);	/* driver + tracer (default) */
int cmd_trace(int argc, char **argv);	/* tracer alone */
int cmd_probes(int argc, char **argv);	/* print the probe plan */
int cmd_overhead(int argc, char **argv);	/* the tracer's own cost */
int cmd_check(int argc, char **argv);	/* sctp_peeloff(3) conformance */
int cmd_compare(int argc, char **argv);	/* two results, with statistics */
int cmd_history(int argc, char **argv);	/* SQLite store, change points */
int cmd_plot(int argc, char **argv);	/* gnuplot figures */
int cmd_export(int argc, char **argv);	/* CSV tables */
int cmd_matrix(int argc, char **argv);	/* kernels x sweeps */
int cmd_bisect(int argc, char **argv);	/* first release where a metric steps */

/* run's options ARGV (without the command's name) checked as run would
 * check them, without running: 0, or PB_EXIT_USAGE after run's one-line
 * error (matrix: before the first guest boots). */
int run_args_check(int argc, const char **argv);
/* The guest memory (MiB) for `run ARGV`: pb_guest_mem_mib of its
 * --assocs (run's default when absent or bad: the guest says why). */
unsigned long long run_args_guest_mem(int argc, char **argv);

#endif
