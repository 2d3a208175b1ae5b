/* pf-cli-common.h — what every popfetch-cli program shares, the lean
 * popfetch-cli-fetch included: exit codes, start-up, errors, JSON, passwords
 * and the steps of a command
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-credentials.h"

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
  PF_EXIT_SIGN_IN     = 79,   /* the OAuth2 sign-in was revoked or expired: sign in again */
} PfExitCode;

/* No core files and no ptrace for this process, then locale, translations
 * and program name. First thing in every main(). */
void pf_cli_init (void);

/* @path made absolute against the current directory (and "~/" against
 * home): GIO loads a CA file only by absolute path. */
char *pf_cli_absolute_path (const char *path);

/* Print pf_error_explain() of @error to stderr and return the exit code of
 * its class. */
int  pf_cli_report_error (const GError *error);
int  pf_cli_exit_code_for_error (const GError *error);

/* Append @text to @out as a JSON string (null for NULL). Bytes that are not
 * UTF-8, which a server may send, become U+FFFD so the output stays JSON. */
void pf_cli_json_string (GString    *out,
                         const char *text);

/* pf-cli-detect.c */
/* The password for one run (pf-cli-password.c): the first line of stdin
 * (@from_stdin), of @file, or typed without echo on the terminal after
 * @prompt (NULL: no prompting). Never from argv or the environment. Free
 * with pf_wipe_string(). */
char *pf_cli_read_password (gboolean     from_stdin,
                            const char  *file,
                            const char  *prompt,
                            GError     **error);

/* The steps every command takes (pf-cli-common.c). The CLI drives the
 * same async API as the app from its own main loop: pass
 * pf_cli_store_result with a NULL-initialised slot as the callback, then
 * pf_cli_wait_for (&slot) gives the result. */
void          pf_cli_store_result  (GObject       *source,
                                    GAsyncResult  *result,
                                    gpointer       slot);
GAsyncResult *pf_cli_wait_for      (GAsyncResult **slot);
/* Parse @argv with @entries; @parameter and @summary are --help's. */
gboolean      pf_cli_parse_options (const char    *parameter,
                                    const char    *summary,
                                    GOptionEntry  *entries,
                                    int           *argc,
                                    char        ***argv,
                                    GError       **error);
/* Print "popfetch-cli COMMAND: MESSAGE" and where the options are told;
 * returns PF_EXIT_USAGE. @command may be NULL. */
int           pf_cli_usage_error   (const char    *command,
                                    const char    *message);
/* Ask @question on the terminal ("[y/N]"): TRUE only for an answer that
 * starts with y or Y; FALSE without a terminal. Whether a command asks
 * at all when stdin is not a terminal is the caller's choice. */
gboolean      pf_cli_confirm       (const char    *question);

G_END_DECLS
