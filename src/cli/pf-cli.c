/* pf-cli.c — popfetch-cli dispatch, help and error reporting
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "pf-cli.h"
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
  { "fetch", N_("Fetch mail into a Maildir, each message exactly once"), pf_cli_fetch },
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
}

int
pf_cli_exit_code_for_error (const GError *error)
{
  if (error == NULL)
    return PF_EXIT_OK;

  if (error->domain == PF_ERROR)
    {
      switch ((PfErrorCode) error->code)
        {
        case PF_ERROR_RESOLVE:
          return PF_EXIT_NOHOST;
        case PF_ERROR_REFUSED:
        case PF_ERROR_SYS_PERM:
        case PF_ERROR_SERVER:
        case PF_ERROR_NOT_FOUND:
        case PF_ERROR_NO_UIDL:
          return PF_EXIT_UNAVAILABLE;
        case PF_ERROR_TIMEOUT:
        case PF_ERROR_CLOSED:
        case PF_ERROR_IN_USE:
        case PF_ERROR_LOGIN_DELAY:
        case PF_ERROR_SYS_TEMP:
        case PF_ERROR_ACCOUNT_BUSY:
          return PF_EXIT_TEMPFAIL;
        case PF_ERROR_TLS_HANDSHAKE:
        case PF_ERROR_CERT_UNTRUSTED:
        case PF_ERROR_CERT_EXPIRED:
        case PF_ERROR_CERT_HOST:
        case PF_ERROR_CERT_PIN_MISMATCH:
        case PF_ERROR_STLS_UNAVAILABLE:
        case PF_ERROR_STLS_INJECTION:
        case PF_ERROR_PLAINTEXT_REFUSED:
        case PF_ERROR_AUTH_REJECTED:
        case PF_ERROR_NO_COMMON_MECHANISM:
          return PF_EXIT_NOPERM;
        case PF_ERROR_PROTOCOL:
          return PF_EXIT_PROTOCOL;
        case PF_ERROR_LOCAL_DISK:
          return PF_EXIT_IOERR;
        case PF_ERROR_KEYRING_UNAVAILABLE:
        case PF_ERROR_KEYRING_LOCKED:
        case PF_ERROR_NO_PASSWORD:
          return PF_EXIT_CONFIG;
        case PF_ERROR_CONFIG:
          return PF_EXIT_DATAERR;
        case PF_ERROR_INVALID_INPUT:
          return PF_EXIT_USAGE;
        default:
          return PF_EXIT_SOFTWARE;
        }
    }

  if (error->domain == G_RESOLVER_ERROR)
    return PF_EXIT_NOHOST;
  if (error->domain == G_TLS_ERROR)
    return PF_EXIT_NOPERM;
  if (error->domain == G_OPTION_ERROR)
    return PF_EXIT_USAGE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return PF_EXIT_TEMPFAIL;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    return PF_EXIT_IOERR;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    return PF_EXIT_CANTCREAT;
  if (error->domain == G_IO_ERROR)
    return PF_EXIT_UNAVAILABLE;
  return PF_EXIT_SOFTWARE;
}

void
pf_cli_json_string (GString    *out,
                    const char *text)
{
  g_autofree char *valid = NULL;

  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, *p);
        }
    }
  g_string_append_c (out, '"');
}

int
pf_cli_report_error (const GError *error)
{
  g_autoptr(PfExplanation) explanation = pf_error_explain (error);

  fprintf (stderr, "popfetch-cli: %s\n", explanation->title);
  if (explanation->what != NULL && *explanation->what != '\0')
    fprintf (stderr, "  %s\n", explanation->what);
  if (explanation->next != NULL && *explanation->next != '\0')
    fprintf (stderr, "  %s\n", explanation->next);
  return pf_cli_exit_code_for_error (error);
}

int
pf_cli_main (int    argc,
             char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("popfetch-cli");

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
