/* pf-bench-rusage.c — run a command, print its wall time and peak RSS
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The benchmark driver is a Python process; a child forked from it starts
 * with Python's resident set, which the kernel would count in the tool's
 * peak RSS. This small program forks the tool itself, so ru_maxrss is the
 * tool's own. Prints "SECONDS MAXRSS_KIB" on stderr's last line.
 *
 *   pf-bench-rusage COMMAND [ARG…]
 */

#include "config.h"

#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main (int    argc,
      char **argv)
{
  struct timespec start, end;
  struct rusage usage;
  int status;
  pid_t pid;

  if (argc < 2)
    {
      fprintf (stderr, "usage: pf-bench-rusage COMMAND [ARG…]\n");
      return 64;
    }

  clock_gettime (CLOCK_MONOTONIC, &start);
  pid = fork ();
  if (pid < 0)
    return 71;
  if (pid == 0)
    {
      execvp (argv[1], argv + 1);
      _exit (127);
    }
  if (wait4 (pid, &status, 0, &usage) != pid)
    return 71;
  clock_gettime (CLOCK_MONOTONIC, &end);

  fprintf (stderr, "\n%.6f %ld\n",
           (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9,
           usage.ru_maxrss);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}
