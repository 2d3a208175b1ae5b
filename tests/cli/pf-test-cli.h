/* pf-test-cli.h — run popfetch-cli from a test, in the test's own directories
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  int   status;   /* exit status */
  char *out;
  char *err;
} PfTestRun;

void  pf_test_run_clear (PfTestRun *run);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PfTestRun, pf_test_run_clear)

/* The built popfetch-cli (needs G_TEST_BUILDDIR = the tests build dir, as
 * test_env sets it). */
const char *pf_test_cli_path (void);

/* Run popfetch-cli with @argv (without the program name, NULL-terminated)
 * and @input on stdin (NULL: empty). HOME and the XDG directories are the
 * current test's isolated ones. */
void  pf_test_run_cli  (PfTestRun          *run,
                        const char         *input,
                        const char * const *argv);

/* The same with @env (NULL-terminated "NAME=VALUE"; a bare "NAME" unsets
 * it) on top. */
void  pf_test_run_cli_env (PfTestRun          *run,
                           const char         *input,
                           const char * const *env,
                           const char * const *argv);

/* A launcher for popfetch-cli in the current test's own HOME and XDG
 * directories, messages in English (LC_ALL=C.UTF-8), in @cwd (NULL: the
 * test's own), with pipes for standard input, output and error. */
GSubprocessLauncher *pf_test_cli_launcher_new (const char *cwd);

/* Like pf_test_run_cli_env(), with that launcher in @cwd, iterating the
 * thread-default main context while popfetch-cli runs: for a test whose
 * server answers in the test's own process. */
void  pf_test_run_cli_iterating (PfTestRun          *run,
                                 const char         *cwd,
                                 const char         *input,
                                 const char * const *env,
                                 const char * const *argv);

/* The same with the arguments inline, NULL-terminated. */
void  pf_test_run_clif (PfTestRun          *run,
                        const char         *input,
                        ...) G_GNUC_NULL_TERMINATED;

/* $XDG_CONFIG_HOME/popfetch/accounts.ini of the current test. */
char *pf_test_accounts_file (void);

G_END_DECLS
