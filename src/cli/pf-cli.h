/* pf-cli.h — popfetch-cli commands and what they share
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pf-account-store.h"
#include "pf-diagnosis.h"
#include "pf-fetcher.h"

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

/* pf-cli-common.c, shared with popfetch-cli-fetch. */

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
int  pf_cli_detect (int argc, char **argv);
int  pf_cli_test   (int argc, char **argv);

/* Accounts (pf-cli-accounts.c) */

/* For `popfetch-cli test NAME`: a login test set up from the saved account
 * NAME and its password (from the keyring, or @password_stdin /
 * @password_file for this run), plus the server it dials. On failure the
 * error is already reported and the exit code is returned. */
int  pf_cli_saved_login_test (const char    *name,
                              gboolean       password_stdin,
                              const char    *password_file,
                              PfLoginTest  **test,
                              char         **password,
                              char         **host,
                              gint          *port,
                              PfSecurity    *security,
                              GError       **error);

int  pf_cli_run_add          (int argc, char **argv);
int  pf_cli_run_list         (int argc, char **argv);
int  pf_cli_run_show         (int argc, char **argv);
int  pf_cli_run_edit         (int argc, char **argv);
int  pf_cli_run_remove       (int argc, char **argv);
int  pf_cli_run_set_password (int argc, char **argv);

/* The password for one run (pf-cli-password.c): the first line of stdin
 * (@from_stdin), of @file, or typed without echo on the terminal after
 * @prompt (NULL: no prompting). Never from argv or the environment. Free
 * with pf_cli_password_free() (or pf_keyring_password_free(): both wipe). */
char *pf_cli_read_password (gboolean     from_stdin,
                            const char  *file,
                            const char  *prompt,
                            GError     **error);
void  pf_cli_password_free (char        *password);

/* Load the accounts file from the CLI's main loop. */
gboolean pf_cli_load_accounts (PfAccountStore  *store,
                               GError         **error);
/* The password of a saved account for this run: from stdin or @file when
 * given, else from the keyring (PF_ERROR_KEYRING_*, PF_ERROR_NO_PASSWORD). */
char    *pf_cli_account_password (PfAccount   *account,
                                  gboolean     from_stdin,
                                  const char  *file,
                                  GError     **error);


typedef struct
{
  char            *label;               /* shown in the summary; NULL: the user name */
  char            *user;
  /* Set up by the caller: from a saved account by the accounts layer
   * (pf_account_create_fetcher), or from the ad hoc options. A CA file in
   * its settings is read before the run and becomes the process's trust. */
  PfFetcher       *fetcher;
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
/* Frees the strings and drops the fetcher. */
void pf_cli_fetch_settings_clear (PfCliFetchSettings *settings);

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
  gboolean  keep;
  gboolean  delete;
  gboolean  quiet;
  gboolean  json;
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

/* popfetch-cli fetch [NAME…] (pf-cli-accounts.c): fetch the named saved
 * accounts, or all of them when @names is empty, one after the other; the
 * password comes from the keyring unless @password_stdin or @password_file
 * gives it (then exactly one account). @policy_override: a PfFetchPolicy,
 * or -1 for each account's own. Returns the exit code of the first failure,
 * having still tried the other accounts. */
int  pf_cli_fetch_saved_accounts (const char * const *names,
                                  gboolean            password_stdin,
                                  const char         *password_file,
                                  int                 policy_override,
                                  PfCliFetchOutput    output);

G_END_DECLS
