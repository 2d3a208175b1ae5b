/* pf-cli.h — popfetch-cli commands and what they share
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pf-account-store.h"
#include "pf-cli-common.h"
#include "pf-cli-fetch.h"
#include "pf-diagnosis.h"

G_BEGIN_DECLS

typedef struct
{
  const char *name;
  const char *summary;     /* one line for `popfetch-cli --help` */
  int       (*run) (int argc, char **argv);  /* argv[0] is the command name */
} PfCliCommand;

/* The commands, NULL-terminated; pf-cli.c lists them. */
extern const PfCliCommand pf_cli_commands[];

int  pf_cli_main (int argc, char **argv);

int  pf_cli_detect (int argc, char **argv);
int  pf_cli_test   (int argc, char **argv);

/* Accounts (pf-cli-accounts.c; fetch and test of a saved account in
 * pf-cli-saved.c) */

/* For `popfetch-cli test NAME`: a login test set up from the saved account
 * NAME and its credentials (the password from the keyring, or
 * @password_stdin / @password_file for this run; for an OAuth2 account
 * the road's token source), the account itself, plus the server it dials.
 * On failure the error is already reported and the exit code is returned. */
int  pf_cli_saved_login_test (const char     *name,
                              gboolean        password_stdin,
                              const char     *password_file,
                              PfLoginTest   **test,
                              PfCredentials **credentials,
                              PfAccount     **account,
                              char          **host,
                              gint           *port,
                              PfSecurity     *security,
                              GError        **error);

int  pf_cli_run_add          (int argc, char **argv);
int  pf_cli_run_list         (int argc, char **argv);
int  pf_cli_run_show         (int argc, char **argv);
int  pf_cli_run_edit         (int argc, char **argv);
int  pf_cli_run_remove       (int argc, char **argv);
int  pf_cli_run_set_password (int argc, char **argv);

/* Load the accounts file from the CLI's main loop. */
gboolean pf_cli_load_accounts (PfAccountStore  *store,
                               GError         **error);
/* The password of a saved account for this run: from stdin or @file when
 * given, else from the keyring (PF_ERROR_KEYRING_*, PF_ERROR_NO_PASSWORD). */
char    *pf_cli_account_password (PfAccount   *account,
                                  gboolean     from_stdin,
                                  const char  *file,
                                  GError     **error);


/* The saved account @name from the accounts file: on success PF_EXIT_OK
 * with @store and @account set (the account belongs to the store); else
 * the error is printed and its exit code returned — a missing account is a
 * configuration problem (78), not a damaged file. */
int      pf_cli_open_account (const char      *name,
                              PfAccountStore **store,
                              PfAccount      **account);

/* popfetch-cli fetch [NAME…] (pf-cli-saved.c): fetch the named saved
 * accounts, or all of them when @names is empty, @jobs at a time (see
 * pf_cli_fetch_run_many()); the password comes from the keyring unless
 * @password_stdin or @password_file gives it (then exactly one account).
 * @policy_override: a PfFetchPolicy, or -1 for each account's own.
 * @notify: a desktop notification when new mail arrived. Returns the exit
 * code of the first failing account, having still tried the others. */
int  pf_cli_fetch_saved_accounts (const char * const *names,
                                  gboolean            password_stdin,
                                  const char         *password_file,
                                  int                 policy_override,
                                  guint               jobs,
                                  gboolean            notify,
                                  PfCliFetchOutput    output);

/* pf-cli-server.c: the mail left on the server. `server NAME`, `fetch
 * NAME --uid UID` (pf_cli_fetch hands it over), `delete-on-server NAME
 * --uid UID`. */
int  pf_cli_server           (int argc, char **argv);
int  pf_cli_delete_on_server (int argc, char **argv);
int  pf_cli_fetch_one        (PfCliFetchOptions *options);

/* pf-cli-schedule.c: popfetch-cli schedule enable|disable|status. */
#define PF_CLI_SCHEDULE_DEFAULT_MINUTES 15
int   pf_cli_schedule              (int         argc,
                                    char      **argv);
/* The units it writes: the service running @program, the timer. */
char *pf_cli_schedule_service_text (const char *program);
char *pf_cli_schedule_timer_text   (guint       minutes);

G_END_DECLS
