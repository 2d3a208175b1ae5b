/* pf-cli-common.c — what popfetch-cli and popfetch-cli-fetch share
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Start-up, exit codes, error reports and JSON strings. popfetch-cli-fetch
 * links this file: nothing here may call into detection (libsoup) or the
 * keyring (libsecret), or the fetch process maps them again (the test
 * /engine/fetch/cli/lean-process notices).
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "pf-cli-common.h"
#include "pf-error.h"
#include "pf-oauth2.h"

/* The password passes through this process's memory: no core file may
 * keep it, and no other process of the user may read it through ptrace or
 * /proc/PID/mem. Exec makes a process dumpable again, so every program
 * calls this itself. */
static void
harden_process (void)
{
  const struct rlimit no_core = { 0, 0 };

  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    g_warning ("Cannot make this process non-dumpable: %s", g_strerror (errno));
  if (setrlimit (RLIMIT_CORE, &no_core) != 0)
    g_warning ("Cannot turn core files off: %s", g_strerror (errno));
}

void
pf_cli_init (void)
{
  harden_process ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("popfetch-cli");
}

char *
pf_cli_absolute_path (const char *path)
{
  g_autofree char *expanded = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_str_has_prefix (path, "~/"))
    expanded = g_build_filename (g_get_home_dir (), path + 2, NULL);
  return g_canonicalize_filename (expanded != NULL ? expanded : path, NULL);
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
        case PF_ERROR_TLS_OUTDATED:
        case PF_ERROR_CERT_UNTRUSTED:
        case PF_ERROR_CERT_EXPIRED:
        case PF_ERROR_CERT_HOST:
        case PF_ERROR_CERT_PIN_MISMATCH:
        case PF_ERROR_STLS_UNAVAILABLE:
        case PF_ERROR_STLS_INJECTION:
        case PF_ERROR_PLAINTEXT_REFUSED:
        case PF_ERROR_AUTH_REJECTED:
        case PF_ERROR_AUTH_MECHANISM_FAILED:
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

  if (error->domain == PF_OAUTH2_ERROR)
    {
      switch ((PfOAuth2ErrorCode) error->code)
        {
        case PF_OAUTH2_ERROR_SIGN_IN_AGAIN:
          return PF_EXIT_SIGN_IN;
        case PF_OAUTH2_ERROR_NO_CLIENT_ID:
        case PF_OAUTH2_ERROR_UNKNOWN_PROVIDER:
        case PF_OAUTH2_ERROR_INSECURE_URL:
        case PF_OAUTH2_ERROR_NO_DEVICE_FLOW:
          return PF_EXIT_CONFIG;
        case PF_OAUTH2_ERROR_CONSENT_REFUSED:
        case PF_OAUTH2_ERROR_ADMIN_CONSENT:
        case PF_OAUTH2_ERROR_PROVIDER:
        case PF_OAUTH2_ERROR_POP_REFUSED:
          return PF_EXIT_NOPERM;
        case PF_OAUTH2_ERROR_TIMEOUT:
        case PF_OAUTH2_ERROR_DEVICE_EXPIRED:
          return PF_EXIT_TEMPFAIL;
        case PF_OAUTH2_ERROR_BROWSER:
        case PF_OAUTH2_ERROR_HTTP:
        default:
          return PF_EXIT_UNAVAILABLE;
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

int
pf_cli_report_error (const GError *error)
{
  g_autoptr(PfExplanation) explanation = NULL;

  /* The OAuth2 domain explains itself; everything else as the engine says. */
  explanation = pf_oauth2_error_explain (error);
  if (explanation == NULL)
    explanation = pf_error_explain (error);

  fprintf (stderr, "popfetch-cli: %s\n", explanation->title);
  if (explanation->what != NULL && *explanation->what != '\0')
    fprintf (stderr, "  %s\n", explanation->what);
  if (explanation->next != NULL && *explanation->next != '\0')
    fprintf (stderr, "  %s\n", explanation->next);
  return pf_cli_exit_code_for_error (error);
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

/* The steps of a command ------------------------------------------------- */

void
pf_cli_store_result (GObject      *source,
                     GAsyncResult *result,
                     gpointer      slot)
{
  GAsyncResult **result_slot = slot;

  *result_slot = g_object_ref (result);
}

GAsyncResult *
pf_cli_wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

gboolean
pf_cli_parse_options (const char    *parameter,
                      const char    *summary,
                      GOptionEntry  *entries,
                      int           *argc,
                      char        ***argv,
                      GError       **error)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameter);

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  return g_option_context_parse (context, argc, argv, error);
}

int
pf_cli_usage_error (const char *command,
                    const char *message)
{
  if (command != NULL)
    {
      fprintf (stderr, "popfetch-cli %s: %s\n", command, message);
      /* Translators: %s is a command of popfetch-cli, e.g. "fetch" */
      fprintf (stderr, _("Run “popfetch-cli %s --help” for the options."), command);
    }
  else
    {
      fprintf (stderr, "popfetch-cli: %s\n", message);
      fputs (_("Run “popfetch-cli --help” for the commands."), stderr);
    }
  fputc ('\n', stderr);
  return PF_EXIT_USAGE;
}

/* On /dev/tty, not stdout: the question must reach the person even when
 * the output goes to a file or a pipe, and the answer must not come from
 * a script's stdin. */
gboolean
pf_cli_confirm (const char *question)
{
  g_autofree char *prompt = g_strdup_printf ("%s [y/N] ", question);
  char answer[16] = { 0 };
  gssize n;
  int fd;

  fd = open ("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return FALSE;
  if (write (fd, prompt, strlen (prompt)) < 0)
    {
      close (fd);
      return FALSE;
    }
  n = read (fd, answer, sizeof answer - 1);
  close (fd);
  return n > 0 && (answer[0] == 'y' || answer[0] == 'Y');
}
