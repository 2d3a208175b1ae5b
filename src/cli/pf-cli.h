/* pf-cli.h — popfetch-cli commands and what they share
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit codes, sysexits style; documented in `popfetch-cli --help` and the
 * README. Scripts rely on them: append only. */
typedef enum
{
  PF_EXIT_OK          = 0,
  PF_EXIT_USAGE       = 64,   /* EX_USAGE: bad command line */
  PF_EXIT_DATAERR     = 65,   /* EX_DATAERR: bad input data (accounts file) */
  PF_EXIT_NOHOST      = 68,   /* EX_NOHOST: name did not resolve */
  PF_EXIT_UNAVAILABLE = 69,   /* EX_UNAVAILABLE: server refused, down, or said -ERR */
  PF_EXIT_SOFTWARE    = 70,   /* EX_SOFTWARE: internal error */
  PF_EXIT_CANTCREAT   = 73,   /* EX_CANTCREAT: cannot write the Maildir or journal */
  PF_EXIT_IOERR       = 74,   /* EX_IOERR: local I/O failed (disk full) */
  PF_EXIT_TEMPFAIL    = 75,   /* EX_TEMPFAIL: timeout, dropped link, in use, login delay, busy */
  PF_EXIT_PROTOCOL    = 76,   /* EX_PROTOCOL: the server broke the protocol */
  PF_EXIT_NOPERM      = 77,   /* EX_NOPERM: login rejected, certificate or TLS refused */
  PF_EXIT_CONFIG      = 78,   /* EX_CONFIG: account missing or misconfigured, no keyring */
} PfExitCode;

typedef struct
{
  const char *name;
  const char *summary;     /* one line for `popfetch-cli --help` */
  int       (*run) (int argc, char **argv);  /* argv[0] is the command name */
} PfCliCommand;

/* The commands, NULL-terminated; pf-cli.c lists them. */
extern const PfCliCommand pf_cli_commands[];

int  pf_cli_main (int argc, char **argv);

/* Print pf_error_explain() of @error to stderr and return the exit code of
 * its class. */
int  pf_cli_report_error (const GError *error);
int  pf_cli_exit_code_for_error (const GError *error);

/* pf-cli-detect.c */
int  pf_cli_detect (int argc, char **argv);
int  pf_cli_test   (int argc, char **argv);

G_END_DECLS
