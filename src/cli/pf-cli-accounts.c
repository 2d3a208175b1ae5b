/* pf-cli-accounts.c — add, list, show, edit, remove, set-password
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "pf-account-store.h"
#include "pf-cli.h"
#include "pf-cli-oauth2.h"
#include "pf-paths.h"
#include "pf-demo.h"
#include "pf-detector.h"
#include "pf-port-map.h"
#include "pf-error.h"
#include "pf-goa.h"
#include "pf-keyring.h"

gboolean
pf_cli_load_accounts (PfAccountStore  *store,
                      GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pf_account_store_load_async (store, NULL, pf_cli_store_result, &result);
  return pf_account_store_load_finish (store, pf_cli_wait_for (&result), error);
}

static gboolean
save_accounts (PfAccountStore  *store,
               GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pf_account_store_save_async (store, NULL, pf_cli_store_result, &result);
  return pf_account_store_save_finish (store, pf_cli_wait_for (&result), error);
}

static gboolean
keyring_store (PfAccount   *account,
               const char  *password,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pf_keyring_store_async (pf_account_get_name (account),
                          pf_account_get_host (account),
                          pf_account_get_user (account),
                          password, NULL, pf_cli_store_result, &result);
  return pf_keyring_store_finish (pf_cli_wait_for (&result), error);
}

static char *
keyring_lookup (const char  *host,
                const char  *user,
                GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pf_keyring_lookup_async (host, user, NULL, pf_cli_store_result, &result);
  return pf_keyring_lookup_finish (pf_cli_wait_for (&result), error);
}

/* Passwords ------------------------------------------------------------------ */

char *
pf_cli_account_password (PfAccount   *account,
                         gboolean     from_stdin,
                         const char  *file,
                         GError     **error)
{
  g_return_val_if_fail (PF_IS_ACCOUNT (account), NULL);

  if (from_stdin || file != NULL)
    return pf_cli_read_password (from_stdin, file, NULL, error);
  return keyring_lookup (pf_account_get_host (account), pf_account_get_user (account), error);
}

/* Confirmation --------------------------------------------------------------- */

static gboolean
confirm (const char *question)
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

/* Settings from the command line -------------------------------------------- */

typedef struct
{
  char     *address;
  char     *name;
  char     *host;
  int       port;
  char     *security;
  char     *user;
  char     *mechanism;
  char     *maildir;
  gboolean  keep;
  gboolean  delete_;
  int       delete_after;
  char     *max_size;
  int       interval;
  char     *pin;
  gboolean  no_pin;
  gboolean  allow_plaintext;
  gboolean  no_allow_plaintext;
  char     *ca_file;
  gboolean  no_ca_file;
  gboolean  password_stdin;
  char     *password_file;
  gboolean  yes;
  gboolean  json;
  gboolean  skip_test;
  PfCliOAuth2Options oauth2;
  gboolean  goa;
} CliOptions;

static void
cli_options_clear (CliOptions *o)
{
  g_free (o->address);
  g_free (o->name);
  g_free (o->host);
  g_free (o->security);
  g_free (o->user);
  g_free (o->mechanism);
  g_free (o->maildir);
  g_free (o->max_size);
  g_free (o->pin);
  g_free (o->ca_file);
  g_free (o->password_file);
  pf_cli_oauth2_options_clear (&o->oauth2);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliOptions, cli_options_clear)

#define SETTING_ENTRIES(o) \
  { "name", 0, 0, G_OPTION_ARG_STRING, &(o).name, N_("Account name (default: the address)"), N_("NAME") }, \
  { "host", 0, 0, G_OPTION_ARG_STRING, &(o).host, N_("POP3 server"), N_("HOST") }, \
  { "port", 0, 0, G_OPTION_ARG_INT, &(o).port, N_("Port (default: 995 for tls, 110 otherwise)"), N_("PORT") }, \
  { "security", 0, 0, G_OPTION_ARG_STRING, &(o).security, N_("tls, starttls or none"), N_("MODE") }, \
  { "user", 0, 0, G_OPTION_ARG_STRING, &(o).user, N_("Login name (default: the address)"), N_("USER") }, \
  { "mechanism", 0, 0, G_OPTION_ARG_STRING, &(o).mechanism, N_("Authentication mechanism, or auto"), N_("MECH") }, \
  { "maildir", 0, 0, G_OPTION_ARG_FILENAME, &(o).maildir, N_("Maildir to deliver into (default: ~/Mail/NAME)"), N_("DIR") }, \
  { "keep", 0, 0, G_OPTION_ARG_NONE, &(o).keep, N_("Keep messages on the server"), NULL }, \
  { "delete", 0, 0, G_OPTION_ARG_NONE, &(o).delete_, N_("Delete messages from the server once delivered"), NULL }, \
  { "delete-after", 0, 0, G_OPTION_ARG_INT, &(o).delete_after, N_("Delete delivered messages older than DAYS"), N_("DAYS") }, \
  { "max-size", 0, 0, G_OPTION_ARG_STRING, &(o).max_size, N_("Leave larger messages on the server (bytes, or with K, M, G; 0: no limit)"), N_("SIZE") }, \
  { "interval", 0, 0, G_OPTION_ARG_INT, &(o).interval, N_("Minutes between automatic fetches (0: only on request)"), N_("MINUTES") }, \
  { "pin", 0, 0, G_OPTION_ARG_STRING, &(o).pin, N_("Trust the certificate with this SHA-256 fingerprint"), N_("SHA256") }, \
  { "allow-plaintext", 0, 0, G_OPTION_ARG_NONE, &(o).allow_plaintext, N_("Allow the password to cross an unencrypted connection (unsafe)"), NULL }, \
  { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &(o).ca_file, N_("Trust only the CA certificates in this PEM file"), N_("FILE") }

#define PASSWORD_ENTRIES(o) \
  { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &(o).password_stdin, N_("Read the password from the first line of standard input"), NULL }, \
  { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &(o).password_file, N_("Read the password from the first line of FILE"), N_("FILE") }

static void
cli_options_init (CliOptions *o)
{
  memset (o, 0, sizeof *o);
  o->port = -1;
  o->delete_after = -1;
  o->interval = -1;
}

static gboolean
parse_size (const char  *text,
            guint64     *bytes,
            GError     **error)
{
  g_autofree char *number = g_strstrip (g_strdup (text));
  guint64 factor = 1;
  gsize len = strlen (number);

  if (len > 0)
    switch (g_ascii_toupper (number[len - 1]))
      {
      case 'K': factor = 1024; break;
      case 'M': factor = 1024 * 1024; break;
      case 'G': factor = 1024 * 1024 * 1024; break;
      default: break;
      }
  if (factor > 1)
    number[len - 1] = '\0';

  if (!g_ascii_string_to_unsigned (number, 10, 0, G_MAXUINT64 / factor, bytes, NULL))
    {
      g_set_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                   _("“%s” is not a size: use bytes, or a number with K, M or G"), text);
      return FALSE;
    }
  *bytes *= factor;
  return TRUE;
}

/* Apply what the command line says to @account; only given options. */
static gboolean
apply_options (PfAccount         *account,
               const CliOptions  *o,
               GError           **error)
{
  if ((o->keep ? 1 : 0) + (o->delete_ ? 1 : 0) + (o->delete_after >= 0 ? 1 : 0) > 1)
    {
      g_set_error_literal (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                           _("Choose one of --keep, --delete and --delete-after"));
      return FALSE;
    }
  if (o->allow_plaintext && o->no_allow_plaintext)
    {
      g_set_error_literal (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                           _("Choose --allow-plaintext or --no-allow-plaintext, not both"));
      return FALSE;
    }

  if (o->address != NULL)
    pf_account_set_address (account, o->address);
  if (o->name != NULL)
    pf_account_set_name (account, o->name);
  if (o->host != NULL)
    pf_account_set_host (account, o->host);
  if (o->security != NULL)
    {
      PfSecurity security;

      if (!pf_security_from_string (o->security, &security))
        {
          g_set_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                       _("Security must be tls, starttls or none, not “%s”"), o->security);
          return FALSE;
        }
      /* A new security setting brings its usual port unless one is given. */
      if (security != pf_account_get_security (account) && o->port < 0)
        pf_account_set_port (account, security == PF_SECURITY_TLS ? 995 : 110);
      pf_account_set_security (account, security);
    }
  if (o->port >= 0)
    {
      if (o->port < 1 || o->port > 65535)
        {
          g_set_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                       _("The port must be between 1 and 65535, not %d"), o->port);
          return FALSE;
        }
      pf_account_set_port (account, (guint) o->port);
    }
  if (o->user != NULL)
    pf_account_set_user (account, o->user);
  if (o->mechanism != NULL)
    {
      PfAuthMechanism mechanism;

      if (!pf_auth_mechanism_from_string (o->mechanism, &mechanism))
        {
          g_set_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                       _("Unknown authentication mechanism “%s”"), o->mechanism);
          return FALSE;
        }
      pf_account_set_mechanism (account, mechanism);
    }
  if (o->maildir != NULL)
    {
      g_autofree char *maildir = pf_cli_absolute_path (o->maildir);

      pf_account_set_maildir (account, maildir);
    }
  if (o->keep)
    pf_account_set_policy (account, PF_FETCH_KEEP);
  if (o->delete_)
    pf_account_set_policy (account, PF_FETCH_DELETE);
  if (o->delete_after >= 0)
    {
      pf_account_set_policy (account, PF_FETCH_DELETE_AFTER_DAYS);
      pf_account_set_delete_after_days (account, (guint) o->delete_after);
    }
  if (o->max_size != NULL)
    {
      guint64 bytes;

      if (!parse_size (o->max_size, &bytes, error))
        return FALSE;
      pf_account_set_max_size (account, bytes);
    }
  if (o->interval >= 0)
    pf_account_set_interval (account, (guint) o->interval);
  if (o->pin != NULL)
    {
      g_autofree char *pin = pf_sha256_fingerprint_normalize (o->pin);

      if (pin == NULL)
        {
          g_set_error_literal (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                               _("--pin takes the SHA-256 fingerprint of the certificate: "
                                 "64 hexadecimal digits, colons allowed"));
          return FALSE;
        }
      pf_account_set_pinned_fingerprint (account, pin);
    }
  if (o->no_pin)
    pf_account_set_pinned_fingerprint (account, NULL);
  if (o->allow_plaintext)
    pf_account_set_allow_plaintext (account, TRUE);
  if (o->no_allow_plaintext)
    pf_account_set_allow_plaintext (account, FALSE);
  if (o->ca_file != NULL)
    {
      g_autofree char *ca_file = pf_cli_absolute_path (o->ca_file);

      pf_account_set_ca_file (account, ca_file);
    }
  if (o->no_ca_file)
    pf_account_set_ca_file (account, NULL);

  return pf_account_validate (account, error);
}

/* Output --------------------------------------------------------------------- */

static void
account_to_json (GString   *out,
                 PfAccount *account)
{
  g_autofree char *maildir = pf_account_dup_effective_maildir (account);

  g_string_append (out, "{\"name\":");
  pf_cli_json_string (out, pf_account_get_name (account));
  g_string_append (out, ",\"address\":");
  pf_cli_json_string (out, pf_account_get_address (account));
  g_string_append (out, ",\"host\":");
  pf_cli_json_string (out, pf_account_get_host (account));
  g_string_append_printf (out, ",\"port\":%u,\"security\":", pf_account_get_port (account));
  pf_cli_json_string (out, pf_security_to_string (pf_account_get_security (account)));
  g_string_append (out, ",\"user\":");
  pf_cli_json_string (out, pf_account_get_user (account));
  g_string_append (out, ",\"mechanism\":");
  pf_cli_json_string (out, pf_auth_mechanism_to_string (pf_account_get_mechanism (account)));
  g_string_append (out, ",\"maildir\":");
  pf_cli_json_string (out, maildir);
  g_string_append (out, ",\"policy\":");
  pf_cli_json_string (out, pf_enum_to_nick (PF_TYPE_FETCH_POLICY, pf_account_get_policy (account)));
  g_string_append_printf (out, ",\"delete_after_days\":%u", pf_account_get_delete_after_days (account));
  g_string_append_printf (out, ",\"max_size\":%" G_GUINT64_FORMAT, pf_account_get_max_size (account));
  g_string_append (out, ",\"pinned_sha256\":");
  pf_cli_json_string (out, pf_account_get_pinned_fingerprint (account));
  g_string_append (out, ",\"ca_file\":");
  pf_cli_json_string (out, pf_account_get_ca_file (account));
  g_string_append_printf (out, ",\"allow_plaintext\":%s,\"interval\":%u",
                          pf_account_get_allow_plaintext (account) ? "true" : "false",
                          pf_account_get_interval (account));
  g_string_append (out, ",\"auth\":");
  pf_cli_json_string (out, pf_enum_to_nick (PF_TYPE_ACCOUNT_AUTH, pf_account_get_auth (account)));
  g_string_append (out, ",\"oauth2_source\":");
  pf_cli_json_string (out, pf_account_get_oauth2_source (account));
  g_string_append (out, ",\"oauth2_client_id\":");
  pf_cli_json_string (out, pf_account_get_oauth2_client_id (account));
  g_string_append_c (out, '}');
}

static char *
describe_policy (PfAccount *account)
{
  switch (pf_account_get_policy (account))
    {
    case PF_FETCH_DELETE:
      return g_strdup (_("delete from the server once delivered"));
    case PF_FETCH_DELETE_AFTER_DAYS:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "delete from the server %u day after delivery",
                                           "delete from the server %u days after delivery",
                                           pf_account_get_delete_after_days (account)),
                              pf_account_get_delete_after_days (account));
    case PF_FETCH_KEEP:
    default:
      return g_strdup (_("keep on the server"));
    }
}

static void
print_account (PfAccount *account)
{
  g_autofree char *maildir = pf_account_dup_effective_maildir (account);
  g_autofree char *policy = describe_policy (account);
  PfSecurity security = pf_account_get_security (account);

  printf ("%-18s %s\n", _("Name:"), pf_account_get_name (account));
  printf ("%-18s %s\n", _("Address:"), pf_account_get_address (account));
  printf ("%-18s %s:%u\n", _("Server:"), pf_account_get_host (account), pf_account_get_port (account));
  printf ("%-18s %s%s\n", _("Security:"), pf_security_to_string (security),
          security == PF_SECURITY_NONE ? _(" (unsafe: no encryption)") : "");
  printf ("%-18s %s\n", _("User:"), pf_account_get_user (account));
  printf ("%-18s %s\n", _("Mechanism:"), pf_auth_mechanism_to_string (pf_account_get_mechanism (account)));
  if (pf_account_get_auth (account) == PF_ACCOUNT_AUTH_OAUTH2)
    {
      const char *source = pf_account_get_oauth2_source (account);

      if (g_strcmp0 (source, PF_ACCOUNT_OAUTH2_SOURCE_GOA) == 0)
        printf ("%-18s %s\n", _("Sign-in:"), _("OAuth2 through GNOME Online Accounts"));
      else if (source != NULL)
        printf (_("%-18s OAuth2 with %s\n"), _("Sign-in:"), source);
      else
        printf (_("%-18s OAuth2 with %s\n"), _("Sign-in:"), pf_account_get_oauth2_token_url (account));
      if (pf_account_get_oauth2_client_id (account) != NULL)
        printf ("%-18s %s\n", _("Client id:"), pf_account_get_oauth2_client_id (account));
    }
  printf ("%-18s %s\n", _("Maildir:"), maildir);
  printf ("%-18s %s\n", _("Policy:"), policy);
  if (pf_account_get_max_size (account) > 0)
    {
      g_autofree char *size = g_format_size_full (pf_account_get_max_size (account), G_FORMAT_SIZE_IEC_UNITS);

      printf ("%-18s %s\n", _("Size limit:"), size);
    }
  if (pf_account_get_pinned_fingerprint (account) != NULL)
    printf ("%-18s %s\n", _("Pinned SHA-256:"), pf_account_get_pinned_fingerprint (account));
  if (pf_account_get_ca_file (account) != NULL)
    printf ("%-18s %s\n", _("CA file:"), pf_account_get_ca_file (account));
  if (pf_account_get_interval (account) > 0)
    printf ("%-18s %u %s\n", _("Fetch every:"), pf_account_get_interval (account), _("minutes"));
  else
    printf ("%-18s %s\n", _("Fetch every:"), _("only on request"));
}

/* Shared steps ----------------------------------------------------------------- */

static PfAccountStore *
open_store (GError **error)
{
  g_autoptr(PfAccountStore) store = pf_account_store_new (NULL);

  if (!pf_cli_load_accounts (store, error))
    return NULL;
  return g_steal_pointer (&store);
}

static PfAccount *
find_or_fail (PfAccountStore  *store,
              const char      *name,
              GError         **error)
{
  PfAccount *account = pf_account_store_lookup (store, name);

  if (account == NULL)
    g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                 _("There is no account called “%s”; “popfetch-cli list” shows them"), name);
  return account;
}

/* A missing account is a configuration problem (78), not a broken file. */
static int
report_missing (const GError *error)
{
  /* Not the "damaged file" explanation of PF_ERROR_CONFIG: the file is fine. */
  fprintf (stderr, "popfetch-cli: %s\n", error->message);
  return PF_EXIT_CONFIG;
}

int
pf_cli_open_account (const char      *name,
                     PfAccountStore **store,
                     PfAccount      **account)
{
  g_autoptr(PfAccountStore) opened = NULL;
  g_autoptr(GError) error = NULL;

  opened = open_store (&error);
  if (opened == NULL)
    return pf_cli_report_error (error);
  *account = find_or_fail (opened, name, &error);
  if (*account == NULL)
    return report_missing (error);
  *store = g_steal_pointer (&opened);
  return PF_EXIT_OK;
}

/* Detection and the login test ------------------------------------------------- */

/* POPFETCH_DEMO maps the demo domain and ports onto the local demo server. */
static gboolean
load_demo (PfDemo  **demo,
           GError  **error)
{
  g_autoptr(GError) local_error = NULL;

  *demo = pf_demo_load_from_environment (&local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static PfProbe *
detect_settings (const char  *address,
                 const PfDemo *demo,
                 gboolean     allow_plaintext,
                 const char  *pin,
                 GError     **error)
{
  g_autoptr(PfDetector) detector = pf_detector_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) probes = NULL;
  PfProbe *recommended;

  pf_detector_set_allow_plaintext (detector, allow_plaintext);
  if (pin != NULL)
    pf_detector_add_pinned_fingerprint (detector, pin);
  if (demo != NULL && !pf_demo_apply_to_detector (demo, detector, error))
    return NULL;

  printf (_("Looking for the POP3 server of %s…\n"), address);
  fflush (stdout);
  pf_detector_run_async (detector, address, NULL, pf_cli_store_result, &result);
  probes = pf_detector_run_finish (detector, pf_cli_wait_for (&result), error);
  if (probes == NULL)
    return NULL;

  for (guint i = 0; i < probes->len; i++)
    {
      PfProbe *probe = g_ptr_array_index (probes, i);

      if (pf_probe_get_state (probe) != PF_PROBE_STATE_DONE
          || pf_probe_get_verdict (probe) == PF_PROBE_VERDICT_FAILED)
        continue;
      printf ("  %-30s %5u  %-9s %s\n", pf_probe_get_host (probe), pf_probe_get_port (probe),
              pf_security_to_string (pf_probe_get_security (probe)),
              pf_probe_verdict_describe (pf_probe_get_verdict (probe)));
    }

  recommended = pf_detector_get_recommended (detector);
  if (recommended == NULL)
    {
      g_set_error (error, PF_ERROR, PF_ERROR_NOT_FOUND,
                   _("No usable POP3 server found for %s; give it with --host"), address);
      return NULL;
    }
  return g_object_ref (recommended);
}

/* Log in once per user-name form; on success the account takes the user
 * name that worked. */
static gboolean
test_login (PfAccount     *account,
            gboolean       user_given,
            PfCredentials *credentials,
            GError       **error)
{
  g_autoptr(PfLoginTest) test = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PfDiagnosis) diagnosis = NULL;

  test = pf_account_create_login_test (account, error);
  if (test == NULL)
    return FALSE;
  if (!user_given)
    pf_login_test_set_user (test, NULL);

  pf_login_test_run_async (test, credentials, NULL, pf_cli_store_result, &result);
  diagnosis = pf_login_test_run_finish (test, pf_cli_wait_for (&result), error);
  if (diagnosis == NULL)
    return FALSE;

  if (!pf_diagnosis_get_success (diagnosis))
    {
      fprintf (stderr, _("The login failed at this step: %s\n"),
               pf_diagnosis_step_describe (pf_diagnosis_get_failed_step (diagnosis)));
      if (pf_diagnosis_get_hint_text (diagnosis) != NULL)
        fprintf (stderr, "%s\n", pf_diagnosis_get_hint_text (diagnosis));
      g_propagate_error (error, pf_account_classify_error (account, pf_diagnosis_get_error (diagnosis)));
      return FALSE;
    }

  pf_account_set_user (account, pf_diagnosis_get_user (diagnosis));
  printf (_("Login works as %s (%s).\n"), pf_diagnosis_get_user (diagnosis),
          pf_auth_mechanism_to_string (pf_diagnosis_get_mechanism (diagnosis)));
  return TRUE;
}

/* add ------------------------------------------------------------------------ */

/* The rest of `add --oauth2`: sign in, test the login with the new token,
 * save the account, keep the refresh token in the keyring. */
static int
add_oauth2 (PfAccountStore   *store,
            PfAccount        *account,
            const CliOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfOAuth2Tokens) tokens = NULL;
  g_autoptr(PfCredentials) credentials = NULL;

  tokens = pf_cli_oauth2_sign_in (account, &o->oauth2, &error);
  if (tokens == NULL)
    {
      int status = pf_cli_report_error (error);

      fprintf (stderr, "%s\n", _("Nothing was saved."));
      return status;
    }
  credentials = pf_cli_oauth2_credentials (account, tokens, &error);
  if (credentials == NULL)
    return pf_cli_report_error (error);

  if (!o->skip_test)
    {
      printf (_("Testing the login to %s…\n"), pf_account_get_host (account));
      fflush (stdout);
      /* The user name is the one the token is for: no other form. */
      if (!test_login (account, TRUE, credentials, &error))
        {
          int status = pf_cli_report_error (error);

          fprintf (stderr, "%s\n", _("Nothing was saved."));
          return status;
        }
    }

  if (!pf_account_store_add (store, account, &error) || !save_accounts (store, &error))
    return pf_cli_report_error (error);
  printf (_("Saved account “%s”.\n"), pf_account_get_name (account));

  if (!pf_cli_oauth2_store (account, tokens, &error))
    {
      int status = pf_cli_report_error (error);

      fprintf (stderr, _("The account is saved, but its sign-in is not. Run “popfetch-cli "
                         "sign-in %s” once the keyring works.\n"), pf_account_get_name (account));
      return status;
    }
  printf ("%s\n", _("The sign-in is in the keyring."));
  return PF_EXIT_OK;
}

/* The GOA account of @address, or NULL with a message that says why not. */
static PfGoaAccount *
find_goa_account (const char  *address,
                  GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  PfGoaAccount *found;

  pf_goa_list_mail_accounts_async (NULL, pf_cli_store_result, &result);
  accounts = pf_goa_list_mail_accounts_finish (pf_cli_wait_for (&result), error);
  if (accounts == NULL)
    return NULL;
  found = pf_goa_find_by_address (accounts, address);
  if (found == NULL)
    {
      g_autofree char *why = pf_goa_explain_missing (accounts, address);

      g_set_error_literal (error, PF_ERROR, PF_ERROR_CONFIG, why);
      return NULL;
    }
  return pf_goa_account_copy (found);
}

/* add --goa: GNOME Online Accounts keeps the sign-in; nothing goes to the
 * keyring. */
static int
add_goa (PfAccountStore   *store,
         PfAccount        *account,
         const CliOptions *o)
{
  g_autoptr(GError) error = NULL;

  if (!o->skip_test)
    {
      g_autoptr(PfCredentials) credentials = NULL;

      credentials = pf_account_create_credentials (account, &error);
      if (credentials == NULL)
        return pf_cli_report_error (error);
      printf (_("Testing the login to %s…\n"), pf_account_get_host (account));
      fflush (stdout);
      /* The user name is the one GOA's token is for: no other form. */
      if (!test_login (account, TRUE, credentials, &error))
        {
          int status = pf_cli_report_error (error);

          fprintf (stderr, "%s\n", _("Nothing was saved."));
          return status;
        }
    }

  if (!pf_account_store_add (store, account, &error) || !save_accounts (store, &error))
    return pf_cli_report_error (error);
  printf (_("Saved account “%s”.\n"), pf_account_get_name (account));
  printf ("%s\n", _("It signs in through GNOME Online Accounts, which keeps the sign-in."));
  return PF_EXIT_OK;
}

int
pf_cli_run_add (int    argc,
                char **argv)
{
  g_auto(CliOptions) o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(PfAccount) account = NULL;
  g_autoptr(PfKeyringPassword) password = NULL;
  g_autoptr(PfDemo) demo = NULL;
  gboolean user_given = FALSE;
  const char *address;

  cli_options_init (&o);
  {
    GOptionEntry entries[] = {
      SETTING_ENTRIES (o),
      PASSWORD_ENTRIES (o),
      PF_CLI_OAUTH2_ENTRIES (o.oauth2),
      { "goa", 0, 0, G_OPTION_ARG_NONE, &o.goa, N_("Sign in with the GNOME Online Accounts account of this address"), NULL },
      { "skip-test", 0, 0, G_OPTION_ARG_NONE, &o.skip_test, N_("Save without testing the login"), NULL },
      { "yes", 'y', 0, G_OPTION_ARG_NONE, &o.yes, N_("Do not ask for confirmation"), NULL },
      { NULL }
    };

    if (!pf_cli_parse_options (_("ADDRESS"), _("Add a POP3 account: test the login, save the settings, "
                                        "keep the password in the keyring."),
                        entries, &argc, &argv, &error))
      return pf_cli_report_error (error);
  }

  if (argc != 2)
    return pf_cli_usage_error ("add", _("add takes one mail address: popfetch-cli add ADDRESS"));
  address = argv[1];
  if (pf_cli_oauth2_options_given (&o.oauth2) && !o.oauth2.oauth2)
    return pf_cli_usage_error ("add", _("The --oauth2-… options and --device-code go with --oauth2."));
  if (o.oauth2.oauth2 && (o.password_stdin || o.password_file != NULL))
    return pf_cli_usage_error ("add", _("An OAuth2 sign-in takes no password."));
  if (o.goa && (o.oauth2.oauth2 || o.password_stdin || o.password_file != NULL))
    return pf_cli_usage_error ("add", _("--goa takes no password and no other sign-in."));

  store = open_store (&error);
  if (store == NULL)
    return pf_cli_report_error (error);

  if (!load_demo (&demo, &error))
    return pf_cli_report_error (error);

  account = pf_account_new (o.name != NULL ? o.name : address);
  pf_account_set_address (account, address);
  pf_account_set_user (account, address);
  if (o.goa)
    {
      /* Asked first: without the GOA account nothing else matters. */
      g_autoptr(PfGoaAccount) goa = find_goa_account (address, &error);

      if (goa == NULL)
        return report_missing (error);
      printf (_("GNOME Online Accounts signs in to %s (%s).\n"), goa->address,
              goa->provider_name ? goa->provider_name : goa->provider_type);
      pf_account_set_auth (account, PF_ACCOUNT_AUTH_OAUTH2);
      pf_account_set_oauth2_source (account, PF_ACCOUNT_OAUTH2_SOURCE_GOA);
      pf_account_set_goa_account_id (account, goa->id);
    }
  if (o.host == NULL)
    {
      g_autofree char *pin = o.pin != NULL ? pf_sha256_fingerprint_normalize (o.pin) : NULL;
      g_autoptr(PfProbe) probe = detect_settings (address, demo, o.allow_plaintext, pin, &error);

      if (probe == NULL)
        return pf_cli_report_error (error);
      pf_account_set_host (account, pf_probe_get_host (probe));
      pf_account_set_security (account, pf_probe_get_security (probe));
      pf_account_set_port (account, pf_probe_get_port (probe));
      if (pf_probe_get_username_hint (probe) != NULL && o.user == NULL)
        {
          pf_account_set_user (account, pf_probe_get_username_hint (probe));
          user_given = TRUE;
        }
      printf ("\n");
    }
  else if (o.security == NULL && o.port == 110)
    pf_account_set_security (account, PF_SECURITY_STARTTLS);
  if (o.user != NULL)
    user_given = TRUE;
  if (o.oauth2.oauth2 && !pf_cli_oauth2_apply (account, &o.oauth2, &error))
    return pf_cli_report_error (error);
  if (!apply_options (account, &o, &error))
    return pf_cli_report_error (error);
  if (pf_account_store_lookup (store, pf_account_get_name (account)) != NULL)
    {
      g_set_error (&error, PF_ERROR, PF_ERROR_INVALID_INPUT,
                   _("An account called “%s” already exists; choose another with --name"),
                   pf_account_get_name (account));
      return pf_cli_report_error (error);
    }

  print_account (account);
  printf ("\n");
  fflush (stdout);

  if (!o.yes && !o.password_stdin && o.password_file == NULL && isatty (STDIN_FILENO)
      && !confirm (_("Use these settings?")))
    {
      fprintf (stderr, "%s\n", _("Nothing was saved."));
      return PF_EXIT_USAGE;
    }

  if (o.oauth2.oauth2)
    return add_oauth2 (store, account, &o);
  if (o.goa)
    return add_goa (store, account, &o);

  {
    g_autofree char *prompt = g_strdup_printf (_("Password for %s: "), pf_account_get_user (account));

    password = pf_cli_read_password (o.password_stdin, o.password_file, prompt, &error);
    if (password == NULL)
      return pf_cli_report_error (error);
  }

  if (!o.skip_test)
    {
      g_autoptr(PfCredentials) credentials = pf_credentials_new_for_password (password);

      printf (_("Testing the login to %s…\n"), pf_account_get_host (account));
      fflush (stdout);
      if (!test_login (account, user_given, credentials, &error))
        {
          int status = pf_cli_report_error (error);

          fprintf (stderr, "%s\n", _("Nothing was saved."));
          return status;
        }
    }

  if (!pf_account_store_add (store, account, &error) || !save_accounts (store, &error))
    return pf_cli_report_error (error);
  printf (_("Saved account “%s”.\n"), pf_account_get_name (account));

  if (!keyring_store (account, password, &error))
    {
      int status = pf_cli_report_error (error);

      fprintf (stderr, "%s\n",
               _("The account is saved, but its password is not. Run “popfetch-cli set-password NAME” "
                 "once the keyring works, or pass --password-stdin to each fetch."));
      return status;
    }
  printf ("%s\n", _("The password is in the keyring."));
  return PF_EXIT_OK;
}

/* list ----------------------------------------------------------------------- */

int
pf_cli_run_list (int    argc,
                 char **argv)
{
  g_auto(CliOptions) o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  GListModel *accounts;
  guint n;

  cli_options_init (&o);
  {
    GOptionEntry entries[] = {
      { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print JSON"), NULL },
      { NULL }
    };

    if (!pf_cli_parse_options (NULL, _("List the saved accounts."), entries, &argc, &argv, &error))
      return pf_cli_report_error (error);
  }
  if (argc != 1)
    return pf_cli_usage_error ("list", _("list takes no arguments"));

  store = open_store (&error);
  if (store == NULL)
    return pf_cli_report_error (error);

  accounts = pf_account_store_get_accounts (store);
  n = g_list_model_get_n_items (accounts);

  if (o.json)
    {
      g_autoptr(GString) out = g_string_new ("[");

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(PfAccount) account = g_list_model_get_item (accounts, i);

          if (i > 0)
            g_string_append_c (out, ',');
          account_to_json (out, account);
        }
      g_string_append (out, "]\n");
      fputs (out->str, stdout);
      return PF_EXIT_OK;
    }

  if (n == 0)
    {
      printf ("%s\n", _("No accounts yet. Add one with “popfetch-cli add ADDRESS”."));
      return PF_EXIT_OK;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PfAccount) account = g_list_model_get_item (accounts, i);

      printf ("%-20s %-30s %s:%u (%s)\n",
              pf_account_get_name (account),
              pf_account_get_address (account),
              pf_account_get_host (account),
              pf_account_get_port (account),
              pf_security_to_string (pf_account_get_security (account)));
    }
  return PF_EXIT_OK;
}

/* show ----------------------------------------------------------------------- */

int
pf_cli_run_show (int    argc,
                 char **argv)
{
  g_auto(CliOptions) o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  int exit_code;
  PfAccount *account;

  cli_options_init (&o);
  {
    GOptionEntry entries[] = {
      { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print JSON"), NULL },
      { NULL }
    };

    if (!pf_cli_parse_options (_("NAME"), _("Show the settings of a saved account."),
                        entries, &argc, &argv, &error))
      return pf_cli_report_error (error);
  }
  if (argc != 2)
    return pf_cli_usage_error ("show", _("show takes one account name"));

  exit_code = pf_cli_open_account (argv[1], &store, &account);
  if (exit_code != PF_EXIT_OK)
    return exit_code;

  if (o.json)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      account_to_json (out, account);
      g_string_append_c (out, '\n');
      fputs (out->str, stdout);
    }
  else
    print_account (account);
  return PF_EXIT_OK;
}

/* edit ----------------------------------------------------------------------- */

int
pf_cli_run_edit (int    argc,
                 char **argv)
{
  g_auto(CliOptions) o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  int exit_code;
  g_autoptr(PfAccount) edited = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  PfAccount *account;

  cli_options_init (&o);
  {
    GOptionEntry entries[] = {
      { "address", 0, 0, G_OPTION_ARG_STRING, &o.address, N_("Mail address"), N_("ADDRESS") },
      SETTING_ENTRIES (o),
      { "no-pin", 0, 0, G_OPTION_ARG_NONE, &o.no_pin, N_("Forget the pinned certificate"), NULL },
      { "no-allow-plaintext", 0, 0, G_OPTION_ARG_NONE, &o.no_allow_plaintext, N_("Never send the password unencrypted"), NULL },
      { "no-ca-file", 0, 0, G_OPTION_ARG_NONE, &o.no_ca_file, N_("Trust the system CA certificates again"), NULL },
      { NULL }
    };

    if (!pf_cli_parse_options (_("NAME"), _("Change settings of a saved account: "
                                     "popfetch-cli edit NAME --option value…"),
                        entries, &argc, &argv, &error))
      return pf_cli_report_error (error);
  }
  if (argc != 2)
    return pf_cli_usage_error ("edit", _("edit takes one account name, then the options to change"));

  exit_code = pf_cli_open_account (argv[1], &store, &account);
  if (exit_code != PF_EXIT_OK)
    return exit_code;

  edited = pf_account_copy (account);
  if (!apply_options (edited, &o, &error))
    return pf_cli_report_error (error);

  /* The accounts layer applies the rules of an edit: the pin, the keyring. */
  pf_account_store_update_async (store, argv[1], edited, NULL, pf_cli_store_result, &result);
  if (!pf_account_store_update_finish (store, pf_cli_wait_for (&result), &error))
    {
      int status = pf_cli_report_error (error);

      if (pf_account_store_error_is_keyring (error))
        fprintf (stderr, "%s\n", _("The settings are saved; set the password again with "
                                   "“popfetch-cli set-password NAME”."));
      return status;
    }

  print_account (edited);
  return PF_EXIT_OK;
}

/* remove --------------------------------------------------------------------- */

int
pf_cli_run_remove (int    argc,
                   char **argv)
{
  g_auto(CliOptions) o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  int exit_code;
  g_autoptr(PfAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  PfAccount *found;

  cli_options_init (&o);
  {
    GOptionEntry entries[] = {
      { "yes", 'y', 0, G_OPTION_ARG_NONE, &o.yes, N_("Do not ask for confirmation"), NULL },
      { NULL }
    };

    if (!pf_cli_parse_options (_("NAME"), _("Remove a saved account and its password from the keyring. "
                                     "The Maildir is left alone."),
                        entries, &argc, &argv, &error))
      return pf_cli_report_error (error);
  }
  if (argc != 2)
    return pf_cli_usage_error ("remove", _("remove takes one account name"));

  exit_code = pf_cli_open_account (argv[1], &store, &found);
  if (exit_code != PF_EXIT_OK)
    return exit_code;
  account = g_object_ref (found);

  if (!o.yes)
    {
      g_autofree char *question = g_strdup_printf (_("Remove the account “%s” and its password?"),
                                                   pf_account_get_name (account));

      if (!isatty (STDIN_FILENO) || !confirm (question))
        {
          fprintf (stderr, "%s\n", _("Nothing was removed (use --yes to remove without asking)."));
          return PF_EXIT_USAGE;
        }
    }

  /* The accounts layer keeps a password another account still uses. */
  pf_account_store_remove_async (store, pf_account_get_name (account), NULL, pf_cli_store_result, &result);
  if (!pf_account_store_remove_finish (store, pf_cli_wait_for (&result), &error))
    {
      int status;

      if (!pf_account_store_error_is_keyring (error))
        return pf_cli_report_error (error);
      printf (_("Removed account “%s”.\n"), pf_account_get_name (account));
      status = pf_cli_report_error (error);
      fprintf (stderr, "%s\n", _("The password may still be in the keyring."));
      return status;
    }
  printf (_("Removed account “%s”.\n"), pf_account_get_name (account));
  return PF_EXIT_OK;
}

/* set-password --------------------------------------------------------------- */

int
pf_cli_run_set_password (int    argc,
                         char **argv)
{
  g_auto(CliOptions) o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  int exit_code;
  g_autoptr(PfKeyringPassword) password = NULL;
  g_autofree char *prompt = NULL;
  PfAccount *account;

  cli_options_init (&o);
  {
    GOptionEntry entries[] = {
      PASSWORD_ENTRIES (o),
      { NULL }
    };

    if (!pf_cli_parse_options (_("NAME"), _("Store or replace the password of a saved account in the keyring."),
                        entries, &argc, &argv, &error))
      return pf_cli_report_error (error);
  }
  if (argc != 2)
    return pf_cli_usage_error ("set-password", _("set-password takes one account name"));

  exit_code = pf_cli_open_account (argv[1], &store, &account);
  if (exit_code != PF_EXIT_OK)
    return exit_code;

  prompt = g_strdup_printf (_("Password for %s at %s: "),
                            pf_account_get_user (account), pf_account_get_host (account));
  password = pf_cli_read_password (o.password_stdin, o.password_file, prompt, &error);
  if (password == NULL || !keyring_store (account, password, &error))
    return pf_cli_report_error (error);

  printf ("%s\n", _("The password is in the keyring."));
  return PF_EXIT_OK;
}

/* fetch NAME… ------------------------------------------------------------------ */

/* The method that worked after the first was refused as a method: the
 * account keeps it (when it was on "auto"), so the next login goes
 * straight to it. Not being able to save that is worth a warning only. */
static void
remember_mechanism (PfAccountStore  *store,
                    PfAccount       *account,
                    PfAuthMechanism  mechanism)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pf_account_store_remember_mechanism_async (store, pf_account_get_name (account), mechanism,
                                             NULL, pf_cli_store_result, &result);
  if (!pf_account_store_remember_mechanism_finish (store, pf_cli_wait_for (&result), &error))
    fprintf (stderr, _("popfetch-cli: could not remember the sign-in method for “%s”: %s\n"),
             pf_account_get_name (account), error->message);
  else if (pf_account_get_mechanism (pf_account_store_lookup (store, pf_account_get_name (account)))
           == mechanism)
    fprintf (stderr, _("Account “%s” signs in with %s from now on: the server refused the first method.\n"),
             pf_account_get_name (account), pf_auth_mechanism_to_string (mechanism));
}

int
pf_cli_fetch_saved_accounts (const char * const *names,
                             gboolean            password_stdin,
                             const char         *password_file,
                             int                 policy_override,
                             guint               jobs,
                             gboolean            notify,
                             PfCliFetchOutput    output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) runs = g_ptr_array_new ();
  g_autoptr(GArray) run_index = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree PfCliFetchSettings *settings = NULL;
  g_autofree int *codes = NULL;
  int exit_code = PF_EXIT_OK;

  store = open_store (&error);
  if (store == NULL)
    return pf_cli_report_error (error);

  if (names != NULL && names[0] != NULL)
    {
      for (guint i = 0; names[i] != NULL; i++)
        {
          PfAccount *account = find_or_fail (store, names[i], &error);

          if (account == NULL)
            return report_missing (error);
          g_ptr_array_add (accounts, g_object_ref (account));
        }
    }
  else
    {
      GListModel *all = pf_account_store_get_accounts (store);

      for (guint i = 0; i < g_list_model_get_n_items (all); i++)
        g_ptr_array_add (accounts, g_list_model_get_item (all, i));
      if (accounts->len == 0)
        {
          fprintf (stderr, "popfetch-cli: %s\n",
                   _("No accounts yet. Add one with “popfetch-cli add ADDRESS”, "
                     "or fetch ad hoc with --host."));
          return PF_EXIT_CONFIG;
        }
    }

  if ((password_stdin || password_file != NULL) && accounts->len != 1)
    return pf_cli_usage_error ("fetch", _("--password-stdin and --password-file need exactly one account name"));

  /* Every password first, on this thread through the keyring's async API,
   * so that a missing one is said before any connection and the runs
   * below share the main loop with nothing else. */
  settings = g_new0 (PfCliFetchSettings, accounts->len);
  codes = g_new0 (int, accounts->len);
  for (guint i = 0; i < accounts->len; i++)
    {
      PfAccount *account = g_ptr_array_index (accounts, i);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(PfCredentials) credentials = NULL;
      char *password;

      /* OAuth2: the road's credentials refresh the token when the session
       * asks; a refused sign-in says "sign in again". */
      if (pf_account_get_auth (account) == PF_ACCOUNT_AUTH_OAUTH2)
        {
          if (password_stdin || password_file != NULL)
            {
              fprintf (stderr, _("popfetch-cli: Account “%s” signs in with OAuth2 and takes no "
                                 "password.\n"), pf_account_get_name (account));
              codes[i] = PF_EXIT_USAGE;
              continue;
            }
          settings[i].fetcher = pf_account_create_fetcher (account, NULL, &local_error);
          if (settings[i].fetcher == NULL)
            {
              codes[i] = pf_cli_report_error (local_error);
              continue;
            }
          settings[i].account = G_OBJECT (g_object_ref (account));
          settings[i].classify_error = pf_cli_oauth2_classify_error;
          settings[i].label = g_strdup (pf_account_get_name (account));
          settings[i].user = g_strdup (pf_account_get_user (account));
          if (policy_override >= 0)
            pf_fetcher_set_policy (settings[i].fetcher, (PfFetchPolicy) policy_override,
                                   pf_account_get_delete_after_days (account));
          g_ptr_array_add (runs, &settings[i]);
          g_array_append_val (run_index, i);
          continue;
        }

      password = pf_cli_account_password (account, password_stdin, password_file, &local_error);
      if (password == NULL)
        {
          codes[i] = pf_cli_report_error (local_error);
          if (g_error_matches (local_error, PF_ERROR, PF_ERROR_KEYRING_UNAVAILABLE)
              || g_error_matches (local_error, PF_ERROR, PF_ERROR_KEYRING_LOCKED)
              || g_error_matches (local_error, PF_ERROR, PF_ERROR_NO_PASSWORD))
            fprintf (stderr, _("  Account “%s”: give the password for this run with "
                               "“popfetch-cli fetch %s --password-stdin”.\n"),
                     pf_account_get_name (account), pf_account_get_name (account));
          continue;
        }

      credentials = pf_credentials_new_for_password (password);
      pf_keyring_password_free (password);
      settings[i].fetcher = pf_account_create_fetcher (account, credentials, &local_error);
      if (settings[i].fetcher == NULL)
        {
          codes[i] = pf_cli_report_error (local_error);
          continue;
        }
      settings[i].label = g_strdup (pf_account_get_name (account));
      settings[i].user = g_strdup (pf_account_get_user (account));
      if (policy_override >= 0)
        pf_fetcher_set_policy (settings[i].fetcher, (PfFetchPolicy) policy_override,
                               pf_account_get_delete_after_days (account));
      g_ptr_array_add (runs, &settings[i]);
      g_array_append_val (run_index, i);
    }

  if (runs->len > 0)
    {
      g_autofree guint *fetched = g_new0 (guint, runs->len);
      g_autofree int *run_codes = g_new0 (int, runs->len);

      pf_cli_fetch_run_many ((PfCliFetchSettings **) runs->pdata, runs->len, jobs,
                             output, fetched, run_codes);
      for (guint i = 0; i < runs->len; i++)
        {
          guint index = g_array_index (run_index, guint, i);

          codes[index] = run_codes[i];
          if (codes[index] == PF_EXIT_SIGN_IN)
            fprintf (stderr, _("  Sign in again with “popfetch-cli sign-in %s”.\n"),
                     pf_account_get_name (g_ptr_array_index (accounts, index)));
          /* Once every run is done: saving the accounts file waits on
           * this thread's loop, which the runs must have to themselves. */
          if (settings[index].fell_back_to != PF_AUTH_AUTO)
            remember_mechanism (store, g_ptr_array_index (accounts, index),
                                settings[index].fell_back_to);
        }
      if (notify)
        {
          g_autofree const char **labels = g_new0 (const char *, runs->len);

          for (guint i = 0; i < runs->len; i++)
            labels[i] = ((PfCliFetchSettings *) runs->pdata[i])->label;
          pf_cli_notify_new_mail (labels, fetched, runs->len);
        }
    }

  /* The first failing account's status, in account order. */
  for (guint i = 0; i < accounts->len && exit_code == PF_EXIT_OK; i++)
    exit_code = codes[i];

  for (guint i = 0; i < accounts->len; i++)
    pf_cli_fetch_settings_clear (&settings[i]);
  return exit_code;
}

/* test NAME ---------------------------------------------------------------- */

int
pf_cli_saved_login_test (const char     *name,
                         gboolean        password_stdin,
                         const char     *password_file,
                         PfLoginTest   **test,
                         PfCredentials **credentials,
                         PfAccount     **saved,
                         char          **host,
                         gint           *port,
                         PfSecurity     *security,
                         GError        **error)
{
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(PfLoginTest) login_test = NULL;
  PfAccount *account;
  char *secret;

  g_return_val_if_fail (name != NULL, PF_EXIT_SOFTWARE);

  store = open_store (error);
  if (store == NULL)
    return pf_cli_report_error (*error);
  account = find_or_fail (store, name, error);
  if (account == NULL)
    return report_missing (*error);

  login_test = pf_account_create_login_test (account, error);
  if (login_test == NULL)
    return pf_cli_report_error (*error);

  if (pf_account_get_auth (account) == PF_ACCOUNT_AUTH_OAUTH2)
    {
      if (password_stdin || password_file != NULL)
        return pf_cli_usage_error ("test", _("This account signs in with OAuth2 and takes no password."));
      *credentials = pf_account_create_credentials (account, error);
      if (*credentials == NULL)
        return pf_cli_report_error (*error);
    }
  else
    {
      secret = pf_cli_account_password (account, password_stdin, password_file, error);
      if (secret == NULL)
        {
          int status = pf_cli_report_error (*error);

          fprintf (stderr, _("  Give the password for this run with “popfetch-cli test %s --password-stdin”.\n"),
                   name);
          return status;
        }
      *credentials = pf_credentials_new_for_password (secret);
      pf_keyring_password_free (secret);
    }

  *test = g_steal_pointer (&login_test);
  *saved = g_object_ref (account);
  *host = g_strdup (pf_account_get_host (account));
  *port = (gint) pf_account_get_port (account);
  *security = pf_account_get_security (account);
  return PF_EXIT_OK;
}
