/* pf-cli-fetch.h — one fetch run of popfetch-cli, and everything
 * popfetch-cli-fetch (the lean process of an ad hoc fetch) sees
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pf-cli-common.h"
#include "pf-fetcher.h"

G_BEGIN_DECLS

typedef struct
{
  char            *label;               /* shown in the summary; NULL: the user name */
  char            *user;
  /* Set up by the caller: from a saved account by the accounts layer
   * (pf_account_create_fetcher), or from the ad hoc options. A CA file in
   * its settings is read before the run and becomes the process's trust. */
  PfFetcher       *fetcher;
  /* Set by the run: the login method that worked after the first one was
   * refused as a method (a saved account remembers it), else AUTO. */
  PfAuthMechanism  fell_back_to;
  /* Optional: turns the run's error into the one to show (a saved account
   * knows what a refusal means for its sign-in: pf_account_classify_error).
   * Set only by popfetch-cli, so popfetch-cli-fetch links no account code. */
  GObject         *account;
  GError        *(*classify_error) (GObject *account, const GError *error);
} PfCliFetchSettings;

typedef enum
{
  PF_CLI_FETCH_OUTPUT_TEXT,    /* progress bar on a TTY, summary on stdout */
  PF_CLI_FETCH_OUTPUT_QUIET,   /* errors only */
  PF_CLI_FETCH_OUTPUT_JSON,    /* one JSON object on stdout */
} PfCliFetchOutput;

/* Run one fetch; errors go to stderr via pf_cli_report_error(). Returns
 * the exit code. Does not free @settings (see _clear). */
int  pf_cli_fetch_run            (PfCliFetchSettings *settings,
                                  PfCliFetchOutput    output);
/* Run the fetches of @n accounts, at most @jobs at once and never two on
 * one mailbox (host and user) at once: a second one waits for the first.
 * One progress line per account on a terminal; summaries (stdout) and
 * errors (stderr) in the order of @settings once all are done; JSON is
 * one object for one account, an array in that order for several. Returns
 * the exit code of the first failing account in that order. @fetched
 * and @exit_codes (NULL, or @n entries each) receive each account's new
 * messages and exit code. */
int  pf_cli_fetch_run_many       (PfCliFetchSettings **settings,
                                  guint                n,
                                  guint                jobs,
                                  PfCliFetchOutput     output,
                                  guint               *fetched,
                                  int                 *exit_codes);
/* Frees the strings and drops the fetcher. */
void pf_cli_fetch_settings_clear (PfCliFetchSettings *settings);

/* pf-cli-notify.c: "N new messages", one line per account that has new
 * mail, through org.freedesktop.Notifications when a session bus is
 * there; nothing otherwise, nor when nothing is new. */
void pf_cli_notify_new_mail      (const char * const *labels,
                                  const guint        *fetched,
                                  guint               n);

#define PF_CLI_FETCH_DEFAULT_JOBS 4

/* The options of `popfetch-cli fetch`. */
typedef struct
{
  char     *host;
  int       port;
  char     *security;
  char     *user;
  char     *password_file;
  gboolean  password_stdin;
  char     *maildir;
  char     *state_dir;
  char     *ca_file;
  char     *mechanism;   /* a pf_auth_mechanism_from_string() name, or NULL */
  char     *oauth2_token_file;  /* an OAuth2 access token instead of a password */
  gboolean  keep;
  gboolean  delete;
  gboolean  quiet;
  gboolean  json;
  gboolean  notify;      /* a desktop notification for new mail */
  int       jobs;        /* accounts fetched at once; 0: PF_CLI_FETCH_DEFAULT_JOBS */
  GStrv     names;       /* saved accounts */
} PfCliFetchOptions;

/* popfetch-cli fetch (pf-cli.c): saved accounts in this process; an ad hoc
 * fetch (--host …) in popfetch-cli-fetch, which this execs (or, when that
 * is missing, in this process too). */
int              pf_cli_fetch                (int                      argc,
                                              char                   **argv);
/* popfetch-cli-fetch's main(): the ad hoc fetch only. */
int              pf_cli_fetch_main           (int                      argc,
                                              char                   **argv);
/* Parses @argv (argv[0] is "fetch") into @options; on a usage error prints
 * it and returns PF_EXIT_USAGE, else PF_EXIT_OK. */
int              pf_cli_fetch_parse          (int                      argc,
                                              char                   **argv,
                                              PfCliFetchOptions       *options);
/* TRUE when @options describe one server ad hoc rather than saved accounts. */
gboolean         pf_cli_fetch_options_ad_hoc (const PfCliFetchOptions *options);
PfCliFetchOutput pf_cli_fetch_options_output (const PfCliFetchOptions *options);
/* Checks the ad hoc options, reads the password and fetches. */
int              pf_cli_fetch_ad_hoc         (PfCliFetchOptions       *options);
void             pf_cli_fetch_options_clear  (PfCliFetchOptions       *options);

G_END_DECLS
