/* pf-cli.c — popfetch-cli dispatch, help and error reporting
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "pf-cli.h"
#include "pf-cli-oauth2.h"
#include "pf-error.h"

const PfCliCommand pf_cli_commands[] = {
  { "detect", N_("Find the POP3 settings for an e-mail address"), pf_cli_detect },
  { "test", N_("Log in once and say which step fails, and why"), pf_cli_test },
  { "add", N_("Add an account: test the login, save it, keep the password in the keyring"), pf_cli_run_add },
  { "list", N_("List the saved accounts"), pf_cli_run_list },
  { "show", N_("Show the settings of a saved account"), pf_cli_run_show },
  { "edit", N_("Change settings of a saved account"), pf_cli_run_edit },
  { "remove", N_("Remove a saved account and its password"), pf_cli_run_remove },
  { "set-password", N_("Store or replace the password of a saved account"), pf_cli_run_set_password },
  { "sign-in", N_("Sign in again to an account that signs in with OAuth2"), pf_cli_run_sign_in },
  { "fetch", N_("Fetch mail into a Maildir, each message exactly once"), pf_cli_fetch },
  { "schedule", N_("Fetch every saved account on a timer (a systemd user service)"), pf_cli_schedule },
  { NULL, NULL, NULL },
};

static void
print_help (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: popfetch-cli COMMAND [OPTION…]"));
  fprintf (out, "%s\n\n", _("Set up POP3 accounts, diagnose failing logins and fetch mail into a Maildir."));
  fprintf (out, "%s\n", _("Commands:"));
  for (const PfCliCommand *c = pf_cli_commands; c->name != NULL; c++)
    fprintf (out, "  %-14s %s\n", c->name, _(c->summary));
  fprintf (out, "\n%s\n", _("Run “popfetch-cli COMMAND --help” for the options of a command."));
  fprintf (out, "\n%s\n", _("Exit status:"));
  fprintf (out, "  0   %s\n", _("success"));
  fprintf (out, "  64  %s\n", _("bad command line"));
  fprintf (out, "  65  %s\n", _("bad input data (accounts file)"));
  fprintf (out, "  68  %s\n", _("the server name did not resolve"));
  fprintf (out, "  69  %s\n", _("the server is unreachable or refused the request"));
  fprintf (out, "  70  %s\n", _("internal error"));
  fprintf (out, "  73  %s\n", _("cannot create the Maildir or state files"));
  fprintf (out, "  74  %s\n", _("local input/output error, such as a full disk"));
  fprintf (out, "  75  %s\n", _("temporary failure: try again later"));
  fprintf (out, "  76  %s\n", _("the server broke the POP3 protocol"));
  fprintf (out, "  77  %s\n", _("login, certificate or encryption refused"));
  fprintf (out, "  78  %s\n", _("account missing or misconfigured, or no keyring"));
  fprintf (out, "  79  %s\n", _("the OAuth2 sign-in was revoked or expired: run “popfetch-cli sign-in NAME”"));
}

/* popfetch-cli-fetch next to this program in the build tree, in
 * libexecdir once installed. */
static char *
fetch_helper_path (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;

  if (self == NULL)
    return NULL;
  dir = g_path_get_dirname (self);
  if (g_str_equal (dir, PF_BINDIR))
    return g_build_filename (PF_LIBEXECDIR, "popfetch-cli-fetch", NULL);
  return g_build_filename (dir, "popfetch-cli-fetch", NULL);
}

static int
fetch_saved (PfCliFetchOptions *options)
{
  if (options->password_file != NULL && options->password_stdin)
    {
      fprintf (stderr, "popfetch-cli fetch: %s\n",
               _("Give the password with one of --password-file and --password-stdin."));
      return PF_EXIT_USAGE;
    }
  return pf_cli_fetch_saved_accounts ((const char * const *) options->names,
                                      options->password_stdin, options->password_file,
                                      options->keep ? PF_FETCH_KEEP
                                      : options->delete ? PF_FETCH_DELETE : -1,
                                      options->jobs > 0 ? (guint) options->jobs
                                                        : PF_CLI_FETCH_DEFAULT_JOBS,
                                      options->notify, pf_cli_fetch_options_output (options));
}

/* This process maps libsoup and libsecret (with their own dependencies,
 * about 2.7 MiB in all) for the other commands; an ad hoc fetch needs
 * neither, so it runs in a program without them. The password has not
 * been read yet: --password-stdin still finds it on standard input.
 * @argv: the command line from "fetch" on, as given. */
static int
fetch_ad_hoc (const char * const *argv,
              PfCliFetchOptions  *options)
{
  g_autofree char *helper = fetch_helper_path ();
  g_autoptr(GPtrArray) helper_argv = g_ptr_array_new ();

  g_ptr_array_add (helper_argv, (gpointer) "popfetch-cli");
  for (const char * const *arg = argv; *arg != NULL; arg++)
    g_ptr_array_add (helper_argv, (gpointer) *arg);
  g_ptr_array_add (helper_argv, NULL);
  fflush (NULL);
  if (helper != NULL)
    execv (helper, (char **) helper_argv->pdata);

  /* No helper (a copied binary, say): the same fetch, here. */
  return pf_cli_fetch_ad_hoc (options);
}

int
pf_cli_fetch (int    argc,
              char **argv)
{
  g_auto(GStrv) original = g_strdupv (argv);
  PfCliFetchOptions options = { 0 };
  int exit_code;

  /* One malloc arena for every thread: each worker thread's own arena
   * would hold a few hundred KiB for a handful of small blocks. */
  mallopt (M_ARENA_MAX, 1);

  exit_code = pf_cli_fetch_parse (argc, argv, &options);
  if (exit_code == PF_EXIT_OK)
    exit_code = pf_cli_fetch_options_ad_hoc (&options)
                ? fetch_ad_hoc ((const char * const *) original, &options)
                : fetch_saved (&options);
  pf_cli_fetch_options_clear (&options);
  return exit_code;
}

int
pf_cli_main (int    argc,
             char **argv)
{
  pf_cli_init ();

  if (argc < 2)
    {
      print_help (stderr);
      return PF_EXIT_USAGE;
    }

  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_help (stdout);
      return PF_EXIT_OK;
    }

  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("popfetch-cli %s\n", PACKAGE_VERSION);
      return PF_EXIT_OK;
    }

  for (const PfCliCommand *c = pf_cli_commands; c->name != NULL; c++)
    if (strcmp (argv[1], c->name) == 0)
      return c->run (argc - 1, argv + 1);

  fprintf (stderr, _("popfetch-cli: unknown command “%s”\n"), argv[1]);
  fprintf (stderr, "%s\n", _("Run “popfetch-cli --help” for the list of commands."));
  return PF_EXIT_USAGE;
}
