/* pf-cli-accounts.c — add, list, show, edit, remove, set-password
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "pf-account-store.h"
#include "pf-cli.h"
#include "pf-cli-accounts-private.h"
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

gboolean
pf_cli_save_accounts (PfAccountStore  *store,
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

PfAccountStore *
pf_cli_open_store (GError **error)
{
  g_autoptr(PfAccountStore) store = pf_account_store_new (NULL);

  if (!pf_cli_load_accounts (store, error))
    return NULL;
  return g_steal_pointer (&store);
}

PfAccount *
pf_cli_find_account (PfAccountStore  *store,
                     const char      *name,
                     GError         **error)
{
  PfAccount *account = pf_account_store_lookup (store, name);

  if (account == NULL)
    g_set_error (error, PF_ERROR, PF_ERROR_CONFIG,
                 _("There is no account called “%s”; “popfetch-cli list” shows them"), name);
  return account;
}

int
pf_cli_report_missing (const GError *error)
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

  opened = pf_cli_open_store (&error);
  if (opened == NULL)
    return pf_cli_report_error (error);
  *account = pf_cli_find_account (opened, name, &error);
  if (*account == NULL)
    return pf_cli_report_missing (error);
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

gboolean
pf_cli_test_login (PfAccount     *account,
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

  pf_account_learn_from_login_test (account, diagnosis);
  printf (_("Login works as %s (%s).\n"), pf_diagnosis_get_user (diagnosis),
          pf_auth_mechanism_to_string (pf_diagnosis_get_mechanism (diagnosis)));
  return TRUE;
}

/* Unless @credentials is NULL (--skip-test), test the login with them and
 * save nothing when it fails; then add @account to @store and save. */
int
pf_cli_test_and_save (PfAccountStore *store,
                      PfAccount      *account,
                      gboolean        user_given,
                      PfCredentials  *credentials)
{
  g_autoptr(GError) error = NULL;

  if (credentials != NULL)
    {
      printf (_("Testing the login to %s…\n"), pf_account_get_host (account));
      fflush (stdout);
      if (!pf_cli_test_login (account, user_given, credentials, &error))
        {
          int status = pf_cli_report_error (error);

          fprintf (stderr, "%s\n", _("Nothing was saved."));
          return status;
        }
    }

  if (!pf_account_store_add (store, account, &error) || !pf_cli_save_accounts (store, &error))
    return pf_cli_report_error (error);
  printf (_("Saved account “%s”.\n"), pf_account_get_name (account));
  return PF_EXIT_OK;
}

/* add ------------------------------------------------------------------------ */

int
pf_cli_run_add (int    argc,
                char **argv)
{
  g_auto(CliOptions) o = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(PfAccount) account = NULL;
  g_autoptr(PfWipedString) password = NULL;
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

  store = pf_cli_open_store (&error);
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
      g_autoptr(PfGoaAccount) goa = pf_cli_goa_find_account (address, &error);

      if (goa == NULL)
        return pf_cli_report_missing (error);
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
      && !pf_cli_confirm (_("Use these settings?")))
    {
      fprintf (stderr, "%s\n", _("Nothing was saved."));
      return PF_EXIT_USAGE;
    }

  if (o.oauth2.oauth2)
    return pf_cli_oauth2_add (store, account, &o.oauth2, o.skip_test);
  if (o.goa)
    return pf_cli_goa_add (store, account, o.skip_test);

  {
    g_autofree char *prompt = g_strdup_printf (_("Password for %s: "), pf_account_get_user (account));

    password = pf_cli_read_password (o.password_stdin, o.password_file, prompt, &error);
    if (password == NULL)
      return pf_cli_report_error (error);
  }

  {
    g_autoptr(PfCredentials) credentials = NULL;
    int status;

    if (!o.skip_test)
      credentials = pf_credentials_new_for_password (password);
    status = pf_cli_test_and_save (store, account, user_given, credentials);
    if (status != PF_EXIT_OK)
      return status;
  }

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

  store = pf_cli_open_store (&error);
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
  g_autoptr(PfAccount) before = NULL;
  PfAccount *account;

  cli_options_init (&o);
  {
    GOptionEntry entries[] = {
      { "address", 0, 0, G_OPTION_ARG_STRING, &o.address, N_("Mail address"), N_("ADDRESS") },
      SETTING_ENTRIES (o),
      { "no-pin", 0, 0, G_OPTION_ARG_NONE, &o.no_pin, N_("Forget the pinned certificate"), NULL },
      { "no-allow-plaintext", 0, 0, G_OPTION_ARG_NONE, &o.no_allow_plaintext, N_("Never send the password unencrypted"), NULL },
      { "no-ca-file", 0, 0, G_OPTION_ARG_NONE, &o.no_ca_file, N_("Trust the system CA certificates again"), NULL },
      PF_CLI_OAUTH2_SETTING_ENTRIES (o.oauth2),
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

  /* The store replaces its account with the edited one. */
  before = g_object_ref (account);
  edited = pf_account_copy (account);
  if (pf_cli_oauth2_options_given (&o.oauth2))
    {
      /* A password has no OAuth2 settings, and GNOME Online Accounts
       * keeps its own. */
      if (pf_account_get_auth (account) != PF_ACCOUNT_AUTH_OAUTH2)
        return pf_cli_usage_error ("edit", _("The --oauth2-… options go with an account that "
                                             "signs in with OAuth2; this one uses a password."));
      if (g_strcmp0 (pf_account_get_oauth2_source (account), PF_ACCOUNT_OAUTH2_SOURCE_GOA) == 0)
        return pf_cli_usage_error ("edit", _("This account signs in through GNOME Online "
                                             "Accounts, which keeps its own OAuth2 settings."));
      if (!pf_cli_oauth2_edit (edited, &o.oauth2, &error))
        return pf_cli_report_error (error);
    }
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
  /* The refresh token is the provider's answer to the old token endpoint
   * and client id; the accounts layer cleared it. */
  if (pf_account_get_auth (before) == PF_ACCOUNT_AUTH_OAUTH2 &&
      g_strcmp0 (pf_account_get_oauth2_source (before), PF_ACCOUNT_OAUTH2_SOURCE_GOA) != 0 &&
      !pf_account_same_oauth2_sign_in (before, edited))
    printf (_("The sign-in no longer matches these settings; sign in again with "
              "“popfetch-cli sign-in %s”.\n"), pf_account_get_name (edited));
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

      if (!isatty (STDIN_FILENO) || !pf_cli_confirm (question))
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
  g_autoptr(PfWipedString) password = NULL;
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
