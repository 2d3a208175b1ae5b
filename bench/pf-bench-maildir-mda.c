/* pf-bench-maildir-mda.c — deliver standard input into a Maildir, safely
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * fetchmail has no Maildir delivery of its own; the benchmark gives it this
 * minimal MDA (the classic safecat steps): write tmp/NAME, fsync it,
 * rename to new/NAME, fsync new/. Exit 0 only when the message is durable.
 *
 *   pf-bench-maildir-mda MAILDIR < message
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static int
fail (const char *what)
{
  fprintf (stderr, "pf-bench-maildir-mda: %s: %s\n", what, strerror (errno));
  return 75;   /* EX_TEMPFAIL: fetchmail keeps the message */
}

int
main (int    argc,
      char **argv)
{
  char host[256], name[512], tmp_path[4096], new_path[4096], new_dir[4096];
  char buffer[65536];
  struct timeval now;
  ssize_t n;
  int fd, dir_fd;

  if (argc != 2)
    {
      fprintf (stderr, "usage: pf-bench-maildir-mda MAILDIR < message\n");
      return 64;
    }

  gettimeofday (&now, NULL);
  if (gethostname (host, sizeof host) != 0)
    snprintf (host, sizeof host, "localhost");
  snprintf (name, sizeof name, "%lld.M%ldP%d.%s", (long long) now.tv_sec, (long) now.tv_usec,
            (int) getpid (), host);
  snprintf (tmp_path, sizeof tmp_path, "%s/tmp/%s", argv[1], name);
  snprintf (new_path, sizeof new_path, "%s/new/%s", argv[1], name);
  snprintf (new_dir, sizeof new_dir, "%s/new", argv[1]);

  fd = open (tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail (tmp_path);
  while ((n = read (STDIN_FILENO, buffer, sizeof buffer)) != 0)
    {
      ssize_t done = 0;

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return fail ("stdin");
        }
      while (done < n)
        {
          ssize_t w = write (fd, buffer + done, n - done);

          if (w < 0)
            return fail (tmp_path);
          done += w;
        }
    }
  if (fsync (fd) != 0 || close (fd) != 0)
    return fail (tmp_path);
  if (rename (tmp_path, new_path) != 0)
    return fail (new_path);
  dir_fd = open (new_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0 || fsync (dir_fd) != 0)
    return fail (new_dir);
  close (dir_fd);
  return 0;
}
