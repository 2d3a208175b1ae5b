/* pf-cli-detect.c — `popfetch-cli detect` and `popfetch-cli test`
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

#include "pf-autoconfig.h"
#include "pf-cli.h"
#include "pf-cli-accounts-private.h"
#include "pf-demo.h"
#include "pf-detector.h"
#include "pf-diagnosis.h"
#include "pf-error.h"
#include "pf-keyring.h"
#include "pf-tls-database.h"

/* A password read for one run, wiped when freed. */

/* ---- Shared ------------------------------------------------------------- */

/* The demo (POPFETCH_DEMO) maps names, ports and trust. A CA file joins
 * the system CAs for detect (@with_system), which probes many hosts, and
 * replaces them for test, as it does for fetch. */
static gboolean
load_trust (const char     *ca_file,
            gboolean        with_system,
            PfDemo        **demo,
            GTlsDatabase  **database,
            GError        **error)
{
  *demo = pf_demo_load_from_environment (error);
  if (*demo == NULL && error != NULL && *error != NULL)
    return FALSE;
  if (ca_file != NULL)
    {
      g_autofree char *path = pf_cli_absolute_path (ca_file);

      if (with_system)
        *database = pf_tls_database_new_with_ca_file (path, error);
      else
        *database = g_tls_file_database_new (path, error);
      if (*database == NULL)
        return FALSE;
    }
  return TRUE;
}

static void
json_strv (GString            *out,
           const char * const *strv)
{
  g_string_append_c (out, '[');
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      pf_cli_json_string (out, strv[i]);
    }
  g_string_append_c (out, ']');
}

static void
json_error (GString      *out,
            const GError *error)
{
  g_autoptr(PfExplanation) explanation = NULL;

  if (error == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  explanation = pf_oauth2_error_explain (error);
  if (explanation == NULL)
    explanation = pf_error_explain (error);
  g_string_append (out, "{\"domain\":");
  pf_cli_json_string (out, g_quark_to_string (error->domain));
  g_string_append_printf (out, ",\"code\":%d,\"message\":", error->code);
  pf_cli_json_string (out, error->message);
  g_string_append (out, ",\"title\":");
  pf_cli_json_string (out, explanation->title);
  g_string_append (out, "}");
}

static void
json_date (GString   *out,
           GDateTime *date)
{
  g_autofree char *text = date != NULL ? g_date_time_format_iso8601 (date) : NULL;

  pf_cli_json_string (out, text);
}

static void
json_cert (GString          *out,
           const PfCertInfo *info)
{
  g_auto(GStrv) failed = NULL;

  if (info == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  failed = pf_cert_errors_describe (info->errors);
  g_string_append (out, "{\"subject\":");
  pf_cli_json_string (out, info->subject);
  g_string_append (out, ",\"issuer\":");
  pf_cli_json_string (out, info->issuer);
  g_string_append (out, ",\"names\":");
  json_strv (out, (const char * const *) info->names);
  g_string_append (out, ",\"not_before\":");
  json_date (out, info->not_before);
  g_string_append (out, ",\"not_after\":");
  json_date (out, info->not_after);
  g_string_append (out, ",\"sha256\":");
  pf_cli_json_string (out, info->sha256);
  g_string_append_printf (out, ",\"self_signed\":%s,\"failed_checks\":", info->self_signed ? "true" : "false");
  json_strv (out, (const char * const *) failed);
  g_string_append (out, "}");
}

static void
json_capabilities (GString              *out,
                   const PfCapabilities *caps)
{
  if (caps == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append_printf (out, "{\"user\":%s,\"top\":%s,\"uidl\":%s,\"pipelining\":%s,\"stls\":%s,"
                          "\"resp_codes\":%s,\"login_delay\":%" G_GINT64_FORMAT ",\"expire\":",
                          caps->user ? "true" : "false", caps->top ? "true" : "false",
                          caps->uidl ? "true" : "false", caps->pipelining ? "true" : "false",
                          caps->stls ? "true" : "false", caps->resp_codes ? "true" : "false",
                          caps->login_delay);
  if (caps->expire == G_MAXINT64)
    g_string_append (out, "\"never\"");
  else
    g_string_append_printf (out, "%" G_GINT64_FORMAT, caps->expire);
  g_string_append (out, ",\"sasl\":");
  json_strv (out, (const char * const *) caps->sasl);
  g_string_append (out, ",\"implementation\":");
  pf_cli_json_string (out, caps->implementation);
  g_string_append (out, "}");
}

static const char *
imap_to_string (PfProbeImap imap)
{
  switch (imap)
    {
    case PF_PROBE_IMAP_OPEN:
      return "open";
    case PF_PROBE_IMAP_CLOSED:
      return "closed";
    case PF_PROBE_IMAP_UNKNOWN:
    default:
      return "unknown";
    }
}

static void
json_probe (GString *out,
            PfProbe *probe)
{
  g_autofree char *sources = pf_probe_source_to_string (pf_probe_get_sources (probe));

  g_string_append (out, "{\"host\":");
  pf_cli_json_string (out, pf_probe_get_host (probe));
  g_string_append_printf (out, ",\"port\":%u,\"security\":", pf_probe_get_port (probe));
  pf_cli_json_string (out, pf_security_to_string (pf_probe_get_security (probe)));
  g_string_append (out, ",\"sources\":");
  pf_cli_json_string (out, sources);
  g_string_append (out, ",\"verdict\":");
  pf_cli_json_string (out, pf_probe_verdict_to_string (pf_probe_get_verdict (probe)));
  g_string_append_printf (out, ",\"rank\":%u,\"duration_ms\":%u,\"error\":",
                          pf_probe_get_rank (probe), pf_probe_get_duration_ms (probe));
  json_error (out, pf_probe_get_error (probe));
  g_string_append (out, ",\"greeting\":");
  pf_cli_json_string (out, pf_probe_get_greeting (probe));
  g_string_append_printf (out, ",\"apop\":%s,\"best_mechanism\":", pf_probe_get_apop (probe) ? "true" : "false");
  pf_cli_json_string (out, pf_probe_get_best_mechanism (probe) != PF_AUTH_AUTO
                    ? pf_auth_mechanism_to_string (pf_probe_get_best_mechanism (probe)) : NULL);
  g_string_append (out, ",\"username_hint\":");
  pf_cli_json_string (out, pf_probe_get_username_hint (probe));
  g_string_append (out, ",\"capabilities\":");
  json_capabilities (out, pf_probe_get_capabilities (probe));
  g_string_append (out, ",\"certificate\":");
  json_cert (out, pf_probe_get_cert_info (probe));
  g_string_append (out, ",\"tls\":");
  pf_cli_json_string (out, pf_probe_get_tls_description (probe));
  g_string_append (out, ",\"imap_993\":");
  pf_cli_json_string (out, imap_to_string (pf_probe_get_imap (probe)));
  g_string_append (out, "}");
}

/* ---- detect ------------------------------------------------------------- */

static void
json_provider (GString    *out,
               PfDetector *detector)
{
  PfProvider *provider = pf_detector_get_provider (detector);
  g_autoptr(GFlagsClass) auth_class = NULL;
  PfProviderAuth auth;
  gboolean first = TRUE;

  if (provider == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append (out, "{\"id\":");
  pf_cli_json_string (out, pf_provider_get_id (provider));
  g_string_append (out, ",\"name\":");
  pf_cli_json_string (out, pf_provider_get_name (provider));
  g_string_append (out, ",\"pop3\":");
  switch (pf_provider_get_pop3 (provider))
    {
    case PF_PROVIDER_POP3_NO:
      g_string_append (out, "false");
      break;
    case PF_PROVIDER_POP3_PLAN:
      g_string_append (out, "\"plan\"");
      break;
    case PF_PROVIDER_POP3_YES:
    default:
      g_string_append (out, "true");
      break;
    }
  g_string_append_printf (out, ",\"via_mx\":%s,\"auth\":[",
                          pf_detector_get_provider_via_mx (detector) ? "true" : "false");
  auth_class = g_type_class_ref (PF_TYPE_PROVIDER_AUTH);
  auth = pf_provider_get_auth (provider);
  for (guint i = 0; i < auth_class->n_values; i++)
    if (auth & auth_class->values[i].value)
      {
        if (!first)
          g_string_append_c (out, ',');
        pf_cli_json_string (out, auth_class->values[i].value_nick);
        first = FALSE;
      }
  g_string_append (out, "],\"oauth2\":");
  pf_cli_json_string (out, pf_provider_get_oauth2 (provider));
  g_string_append (out, ",\"enable_url\":");
  pf_cli_json_string (out, pf_provider_get_enable_url (provider));
  g_string_append (out, ",\"notes\":");
  json_strv (out, pf_provider_get_notes (provider));
  g_string_append (out, "}");
}

/* "app password, OAuth2": the sign-in methods, for a table line. */
static char *
describe_auth (PfProviderAuth auth)
{
  GPtrArray *names = g_ptr_array_new ();
  char *joined;

  if (auth & PF_PROVIDER_AUTH_PASSWORD)
    g_ptr_array_add (names, (gpointer) _("password"));
  if (auth & PF_PROVIDER_AUTH_APP_PASSWORD)
    g_ptr_array_add (names, (gpointer) _("app password"));
  if (auth & PF_PROVIDER_AUTH_OAUTH2)
    g_ptr_array_add (names, (gpointer) "OAuth2");
  g_ptr_array_add (names, NULL);
  joined = g_strjoinv (", ", (char **) names->pdata);
  g_ptr_array_unref (names);
  return joined;
}

static void
print_provider (PfDetector *detector)
{
  PfProvider *provider = pf_detector_get_provider (detector);
  const char * const *notes;
  g_autofree char *pop3 = NULL;

  if (provider == NULL)
    return;

  if (pf_detector_get_provider_via_mx (detector))
    printf (_("Provider: %s (known by the domain’s mail exchanger)\n"), pf_provider_get_name (provider));
  else
    printf (_("Provider: %s (known by the address’s domain)\n"), pf_provider_get_name (provider));
  pop3 = pf_provider_describe_pop3 (provider);
  if (pop3 != NULL)
    printf ("  %s\n", pop3);
  if (pf_provider_get_pop3 (provider) != PF_PROVIDER_POP3_NO)
    {
      g_autofree char *auth = describe_auth (pf_provider_get_auth (provider));

      if (*auth != '\0')
        printf ("  %-15s %s\n", _("Sign-in:"), auth);
      if (pf_provider_get_enable_url (provider) != NULL)
        printf ("  %-15s %s\n", _("Switch POP3 on:"), pf_provider_get_enable_url (provider));
    }
  notes = pf_provider_get_notes (provider);
  for (guint i = 0; notes[i] != NULL; i++)
    printf ("  %s %s\n", _("Note:"), notes[i]);
  printf ("\n");
}

static char *
probe_details (PfProbe *probe)
{
  const PfCapabilities *caps = pf_probe_get_capabilities (probe);
  const GError *error = pf_probe_get_error (probe);
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
  char *joined;

  if (caps != NULL)
    {
      if (pf_probe_get_best_mechanism (probe) != PF_AUTH_AUTO)
        g_ptr_array_add (parts, g_strdup (pf_auth_mechanism_to_string (pf_probe_get_best_mechanism (probe))));
      if (caps->uidl)
        g_ptr_array_add (parts, g_strdup ("UIDL"));
      if (caps->pipelining)
        g_ptr_array_add (parts, g_strdup ("PIPELINING"));
      if (pf_probe_get_apop (probe))
        g_ptr_array_add (parts, g_strdup ("APOP"));
      if (caps->login_delay >= 0)
        g_ptr_array_add (parts, g_strdup_printf ("LOGIN-DELAY %" G_GINT64_FORMAT, caps->login_delay));
      if (caps->expire == G_MAXINT64)
        g_ptr_array_add (parts, g_strdup ("EXPIRE NEVER"));
      else if (caps->expire >= 0)
        g_ptr_array_add (parts, g_strdup_printf ("EXPIRE %" G_GINT64_FORMAT, caps->expire));
    }
  if (error != NULL)
    g_ptr_array_add (parts, g_strdup (error->message));
  if (pf_probe_get_security (probe) == PF_SECURITY_TLS && pf_probe_get_imap (probe) == PF_PROBE_IMAP_OPEN)
    g_ptr_array_add (parts, g_strdup (_("IMAP on 993 too")));
  g_ptr_array_add (parts, NULL);
  joined = g_strjoinv ("; ", (char **) parts->pdata);
  g_ptr_array_unref (parts);
  return joined;
}

static void
print_cert (const PfCertInfo *info,
            const char       *indent)
{
  g_autofree char *fingerprint = pf_cert_info_format_fingerprint (info->sha256);
  g_autofree char *names = g_strjoinv (", ", info->names);
  g_autofree char *until = info->not_after != NULL ? g_date_time_format (info->not_after, "%Y-%m-%d") : NULL;
  g_autofree char *from = info->not_before != NULL ? g_date_time_format (info->not_before, "%Y-%m-%d") : NULL;
  g_auto(GStrv) failed = pf_cert_errors_describe (info->errors);

  printf ("%s%-12s %s\n", indent, _("Subject:"), info->subject);
  printf ("%s%-12s %s\n", indent, _("Issuer:"), info->issuer);
  printf ("%s%-12s %s\n", indent, _("Names:"), names);
  printf ("%s%-12s %s – %s\n", indent, _("Valid:"), from ? from : "?", until ? until : "?");
  printf ("%s%-12s %s\n", indent, "SHA-256:", fingerprint);
  if (failed[0] != NULL)
    {
      g_autofree char *words = g_strjoinv (", ", failed);
      printf ("%s%-12s %s\n", indent, _("Problems:"), words);
    }
}

static void
print_detect_table (PfDetector *detector,
                    GPtrArray  *probes)
{
  GPtrArray *lookups = pf_detector_get_lookups (detector);
  PfProbe *best = pf_detector_get_recommended (detector);
  /* One row per server: its other names are said, not repeated. */
  g_autoptr(GPtrArray) groups = pf_probe_groups_new (probes);
  g_autofree char *best_aliases = NULL;
  guint option = 0;

  printf (_("POP3 settings for %s\n\n"), pf_detector_get_address (detector));
  print_provider (detector);
  if (probes->len == 0)
    return;
  printf ("%-4s %-28s %-5s %-9s %-18s %-20s %s\n",
          _("RANK"), _("HOST"), _("PORT"), _("SECURITY"), _("SOURCE"), _("VERDICT"), _("DETAILS"));
  for (guint i = 0; i < groups->len; i++)
    {
      PfProbeGroup *group = groups->pdata[i];
      PfProbe *probe = group->probe;
      g_autofree char *sources = pf_probe_source_to_string (pf_probe_get_sources (probe));
      g_autofree char *details = probe_details (probe);
      g_autofree char *aliases = pf_probe_group_dup_alias_names (group);
      /* Options are numbered as shown; the JSON keeps each probe's rank. */
      g_autofree char *rank = pf_probe_get_rank (probe) > 0 ? g_strdup_printf ("%u", ++option)
                                                             : g_strdup ("-");

      if (aliases != NULL)
        {
          g_autofree char *also = g_strdup_printf (_("also reachable as %s"), aliases);
          char *joined = *details != '\0' ? g_strconcat (details, "; ", also, NULL) : g_strdup (also);

          g_free (details);
          details = joined;
          if (probe == best)
            best_aliases = g_strdup (aliases);
        }

      printf ("%-4s %-28s %-5u %-9s %-18s %-20s %s\n", rank, pf_probe_get_host (probe),
              pf_probe_get_port (probe), pf_security_to_string (pf_probe_get_security (probe)),
              sources, pf_probe_verdict_describe (pf_probe_get_verdict (probe)), details);
    }

  printf ("\n%s\n", _("Lookups:"));
  for (guint i = 0; i < lookups->len; i++)
    {
      PfLookup *lookup = lookups->pdata[i];
      const char * const *hosts = pf_lookup_get_hosts (lookup);
      g_autofree char *found = g_strjoinv (", ", (char **) hosts);
      const GError *error = pf_lookup_get_error (lookup);

      printf ("  %-10s %s%s: %s\n", pf_lookup_kind_to_string (pf_lookup_get_kind (lookup)),
              pf_lookup_get_query (lookup), pf_lookup_get_via_mx (lookup) ? _(" (MX’s domain)") : "",
              hosts[0] != NULL ? found : (error != NULL ? error->message : _("nothing")));
    }

  printf ("\n");
  if (best == NULL)
    return;

  printf ("%s\n", _("Recommended settings:"));
  printf ("  %-12s %s\n", _("Host:"), pf_probe_get_host (best));
  if (best_aliases != NULL)
    printf ("  %-12s %s\n", _("Also as:"), best_aliases);
  printf ("  %-12s %u\n", _("Port:"), pf_probe_get_port (best));
  printf ("  %-12s %s\n", _("Security:"), pf_security_to_string (pf_probe_get_security (best)));
  printf ("  %-12s %s\n", _("User name:"),
          pf_probe_get_username_hint (best) != NULL ? pf_probe_get_username_hint (best)
                                                    : pf_detector_get_address (detector));
  if (pf_probe_get_best_mechanism (best) != PF_AUTH_AUTO)
    printf ("  %-12s %s\n", _("Login:"), pf_auth_mechanism_to_string (pf_probe_get_best_mechanism (best)));
  if (pf_probe_get_cert_info (best) != NULL)
    {
      printf ("  %s\n", _("Certificate:"));
      print_cert (pf_probe_get_cert_info (best), "    ");
    }
  printf ("\n");
  printf (_("Recommended after %u ms; every probe done after %u ms.\n"),
          pf_detector_get_recommended_ms (detector), pf_detector_get_elapsed_ms (detector));
}

static void
print_detect_json (PfDetector *detector,
                   GPtrArray  *probes)
{
  g_autoptr(GString) out = g_string_new ("{\"address\":");
  GPtrArray *lookups = pf_detector_get_lookups (detector);

  pf_cli_json_string (out, pf_detector_get_address (detector));
  g_string_append (out, ",\"recommended\":");
  if (pf_detector_get_recommended (detector) != NULL)
    json_probe (out, pf_detector_get_recommended (detector));
  else
    g_string_append (out, "null");
  g_string_append_printf (out, ",\"recommended_ms\":%u,\"elapsed_ms\":%u,\"probes\":[",
                          pf_detector_get_recommended_ms (detector), pf_detector_get_elapsed_ms (detector));
  for (guint i = 0; i < probes->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      json_probe (out, probes->pdata[i]);
    }
  g_string_append (out, "],\"lookups\":[");
  for (guint i = 0; i < lookups->len; i++)
    {
      PfLookup *lookup = lookups->pdata[i];

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, "{\"kind\":");
      pf_cli_json_string (out, pf_lookup_kind_to_string (pf_lookup_get_kind (lookup)));
      g_string_append (out, ",\"query\":");
      pf_cli_json_string (out, pf_lookup_get_query (lookup));
      g_string_append_printf (out, ",\"via_mx\":%s,\"hosts\":", pf_lookup_get_via_mx (lookup) ? "true" : "false");
      json_strv (out, pf_lookup_get_hosts (lookup));
      g_string_append (out, ",\"error\":");
      json_error (out, pf_lookup_get_error (lookup));
      g_string_append (out, "}");
    }
  g_string_append (out, "],\"provider\":");
  json_provider (out, detector);
  g_string_append (out, "}\n");
  fputs (out->str, stdout);
}

int
pf_cli_detect (int    argc,
               char **argv)
{
  gboolean json = FALSE;
  gboolean allow_plaintext = FALSE;
  gint timeout = 20;
  g_autofree char *ca_file = NULL;
  g_autofree char *ispdb = NULL;
  gboolean no_ispdb = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("Stop detection after SECONDS (default 20)"), N_("SECONDS") },
    { "allow-plaintext", 0, 0, G_OPTION_ARG_NONE, &allow_plaintext, N_("Also recommend a server without encryption (unsafe)"), NULL },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, N_("Also trust the CAs in this PEM file"), N_("FILE") },
    { "ispdb", 0, 0, G_OPTION_ARG_STRING, &ispdb, N_("Base https URL of the ISP database"), N_("URL") },
    { "no-ispdb", 0, 0, G_OPTION_ARG_NONE, &no_ispdb, N_("Do not ask the ISP database"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("ADDRESS — find the POP3 settings for an e-mail address"));
  g_autoptr(GError) error = NULL;
  g_autoptr(PfDemo) demo = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(PfDetector) detector = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) probes = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pf_cli_usage_error ("detect", error->message);
  if (argc != 2)
    return pf_cli_usage_error ("detect", _("detect needs exactly one e-mail address."));
  if (timeout <= 0 || timeout > 600)
    return pf_cli_usage_error ("detect", _("--timeout must be between 1 and 600 seconds."));
  if (ispdb != NULL && !g_str_has_prefix (ispdb, "https://"))
    return pf_cli_usage_error ("detect", _("--ispdb must be an https:// address."));

  if (!load_trust (ca_file, TRUE, &demo, &database, &error))
    return pf_cli_report_error (error);

  detector = pf_detector_new ();
  if (demo != NULL && !pf_demo_apply_to_detector (demo, detector, &error))
    return pf_cli_report_error (error);
  if (database != NULL)
    pf_detector_set_tls_database (detector, database);
  pf_detector_set_timeout (detector, (guint) timeout);
  pf_detector_set_probe_timeout (detector, MIN (8, (guint) timeout));
  pf_detector_set_allow_plaintext (detector, allow_plaintext);
  if (no_ispdb)
    pf_detector_set_ispdb_base (detector, NULL);
  else if (ispdb != NULL)
    pf_detector_set_ispdb_base (detector, ispdb);

  pf_detector_run_async (detector, argv[1], NULL, pf_cli_store_result, &result);
  probes = pf_detector_run_finish (detector, pf_cli_wait_for (&result), &error);
  if (probes == NULL)
    return pf_cli_report_error (error);

  if (json)
    print_detect_json (detector, probes);
  else
    print_detect_table (detector, probes);

  if (pf_detector_get_recommended (detector) == NULL)
    {
      g_autoptr(GError) no_pop3 = pf_detector_dup_no_pop3_error (detector);
      g_autoptr(GError) not_found = NULL;

      /* The provider's own word is the whole explanation: no advice to
       * enter a server by hand. */
      if (no_pop3 != NULL)
        {
          if (!json)
            fprintf (stderr, "popfetch-cli: %s\n", no_pop3->message);
          return pf_cli_exit_code_for_error (no_pop3);
        }
      not_found = g_error_new (PF_ERROR, PF_ERROR_NOT_FOUND,
                               _("No POP3 server for %s was found that can be used safely."),
                               argv[1]);
      if (json)
        return pf_cli_exit_code_for_error (not_found);
      return pf_cli_report_error (not_found);
    }
  return PF_EXIT_OK;
}

/* ---- test --------------------------------------------------------------- */

static void
print_diagnosis (PfLoginTest *test,
                 PfDiagnosis *diagnosis,
                 PfAccount   *account,
                 const char  *host,
                 guint16      port,
                 PfSecurity   security)
{
  g_autoptr(PfExplanation) account_explanation = NULL;
  const PfDiagnosisStep order[] = {
    PF_DIAGNOSIS_STEP_LOOKUP,
    PF_DIAGNOSIS_STEP_CONNECT,
    PF_DIAGNOSIS_STEP_STLS,
    PF_DIAGNOSIS_STEP_TLS,
    PF_DIAGNOSIS_STEP_AUTHENTICATION,
    PF_DIAGNOSIS_STEP_MAILBOX,
  };
  PfDiagnosisStep failed = pf_diagnosis_get_failed_step (diagnosis);
  gboolean reached_failure = FALSE;
  const PfExplanation *explanation = pf_diagnosis_get_explanation (diagnosis);

  /* A saved account knows what a failure means for its sign-in (OAuth2). */
  if (account != NULL && pf_diagnosis_get_error (diagnosis) != NULL)
    explanation = account_explanation = pf_account_explain_error (account, pf_diagnosis_get_error (diagnosis));

  printf (_("Login test on %s port %u (%s)\n\n"), host, port, pf_security_to_string (security));
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      const char *mark;
      g_autofree char *extra = NULL;

      if (order[i] == PF_DIAGNOSIS_STEP_STLS && security != PF_SECURITY_STARTTLS)
        continue;
      if (order[i] == PF_DIAGNOSIS_STEP_TLS && security == PF_SECURITY_NONE)
        continue;

      if (reached_failure)
        mark = "[ -- ]";
      else if (order[i] == failed)
        {
          mark = "[FAIL]";
          reached_failure = TRUE;
        }
      else
        mark = "[ ok ]";

      if (!reached_failure || order[i] == failed)
        {
          if (order[i] == PF_DIAGNOSIS_STEP_AUTHENTICATION && pf_diagnosis_get_user (diagnosis) != NULL)
            extra = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                  " as %s with %s (%u attempt)",
                                                  " as %s with %s (%u attempts)",
                                                  pf_diagnosis_get_attempts (diagnosis)),
                                     pf_diagnosis_get_user (diagnosis),
                                     pf_diagnosis_get_mechanism (diagnosis) != PF_AUTH_AUTO
                                       ? pf_auth_mechanism_to_string (pf_diagnosis_get_mechanism (diagnosis))
                                       : _("the strongest shared method"),
                                     pf_diagnosis_get_attempts (diagnosis));
          else if (order[i] == PF_DIAGNOSIS_STEP_MAILBOX && failed == PF_DIAGNOSIS_STEP_NONE)
            extra = g_strdup_printf (_(": %u messages, %lu bytes"),
                                     pf_diagnosis_get_message_count (diagnosis),
                                     (gulong) MIN (pf_diagnosis_get_mailbox_size (diagnosis), G_MAXULONG));
        }
      printf ("  %s %s%s\n", mark, pf_diagnosis_step_describe (order[i]), extra != NULL ? extra : "");
    }

  {
    guint n_tried = 0;
    const PfAuthMechanism *tried = pf_diagnosis_get_mechanisms_tried (diagnosis, &n_tried);

    /* After a refusal that may be the method's, the login tried another:
     * say which ones were sent, in order. */
    if (n_tried > 1)
      {
        g_autoptr(GString) names = g_string_new (NULL);

        for (guint i = 0; i < n_tried; i++)
          g_string_append_printf (names, "%s%s", i > 0 ? ", " : "",
                                  pf_auth_mechanism_to_string (tried[i]));
        printf ("\n  %-12s %s\n", _("Methods tried:"), names->str);
      }
  }
  if (pf_diagnosis_get_greeting (diagnosis) != NULL)
    printf ("\n  %-12s %s\n", _("Greeting:"), pf_diagnosis_get_greeting (diagnosis));
  if (pf_diagnosis_get_cert_info (diagnosis) != NULL)
    {
      printf ("\n  %s\n", _("Certificate:"));
      print_cert (pf_diagnosis_get_cert_info (diagnosis), "    ");
    }

  printf ("\n");
  if (pf_diagnosis_get_success (diagnosis))
    printf ("%s\n", _("The login works."));
  else
    {
      printf ("%s\n", explanation->title);
      if (explanation->what != NULL && *explanation->what != '\0')
        printf ("  %s\n", explanation->what);
      if (explanation->next != NULL && *explanation->next != '\0')
        printf ("  %s\n", explanation->next);
    }
  if (pf_diagnosis_get_hint_text (diagnosis) != NULL)
    printf ("  %s\n", pf_diagnosis_get_hint_text (diagnosis));
}

static void
print_diagnosis_json (PfDiagnosis *diagnosis,
                      const char  *host,
                      guint16      port,
                      PfSecurity   security,
                      gboolean     with_transcript)
{
  g_autoptr(GString) out = g_string_new ("{\"host\":");
  const PfExplanation *explanation = pf_diagnosis_get_explanation (diagnosis);
  PfAuthMechanism mechanism = pf_diagnosis_get_mechanism (diagnosis);

  pf_cli_json_string (out, host);
  g_string_append_printf (out, ",\"port\":%u,\"security\":", port);
  pf_cli_json_string (out, pf_security_to_string (security));
  g_string_append_printf (out, ",\"success\":%s,\"failed_step\":",
                          pf_diagnosis_get_success (diagnosis) ? "true" : "false");
  pf_cli_json_string (out, pf_diagnosis_get_success (diagnosis)
                    ? NULL : pf_diagnosis_step_to_string (pf_diagnosis_get_failed_step (diagnosis)));
  g_string_append (out, ",\"error\":");
  json_error (out, pf_diagnosis_get_error (diagnosis));
  g_string_append (out, ",\"explanation\":");
  if (explanation != NULL)
    {
      g_string_append (out, "{\"title\":");
      pf_cli_json_string (out, explanation->title);
      g_string_append (out, ",\"what\":");
      pf_cli_json_string (out, explanation->what);
      g_string_append (out, ",\"next\":");
      pf_cli_json_string (out, explanation->next);
      g_string_append (out, "}");
    }
  else
    g_string_append (out, "null");
  g_string_append (out, ",\"hint\":");
  pf_cli_json_string (out, pf_diagnosis_get_hint_text (diagnosis));
  {
    g_autoptr(GEnumClass) hints = g_type_class_ref (PF_TYPE_PROVIDER_HINT);
    PfProvider *provider = pf_diagnosis_get_provider (diagnosis);

    g_string_append (out, ",\"hint_kind\":");
    pf_cli_json_string (out, g_enum_get_value (hints, pf_diagnosis_get_hint (diagnosis))->value_nick);
    g_string_append (out, ",\"provider\":");
    pf_cli_json_string (out, provider != NULL ? pf_provider_get_id (provider) : NULL);
  }
  g_string_append (out, ",\"user\":");
  pf_cli_json_string (out, pf_diagnosis_get_user (diagnosis));
  g_string_append (out, ",\"mechanism\":");
  pf_cli_json_string (out, mechanism != PF_AUTH_AUTO ? pf_auth_mechanism_to_string (mechanism) : NULL);
  g_string_append (out, ",\"mechanisms_tried\":[");
  {
    guint n_tried = 0;
    const PfAuthMechanism *tried = pf_diagnosis_get_mechanisms_tried (diagnosis, &n_tried);

    for (guint i = 0; i < n_tried; i++)
      {
        if (i > 0)
          g_string_append_c (out, ',');
        pf_cli_json_string (out, pf_auth_mechanism_to_string (tried[i]));
      }
  }
  g_string_append_printf (out, "],\"attempts\":%u,\"messages\":%u,\"mailbox_bytes\":%" G_GUINT64_FORMAT
                          ",\"greeting\":",
                          pf_diagnosis_get_attempts (diagnosis), pf_diagnosis_get_message_count (diagnosis),
                          pf_diagnosis_get_mailbox_size (diagnosis));
  pf_cli_json_string (out, pf_diagnosis_get_greeting (diagnosis));
  g_string_append (out, ",\"capabilities\":");
  json_capabilities (out, pf_diagnosis_get_capabilities (diagnosis));
  g_string_append (out, ",\"certificate\":");
  json_cert (out, pf_diagnosis_get_cert_info (diagnosis));
  if (with_transcript)
    {
      g_autofree char *text = pf_diagnosis_dup_transcript_text (diagnosis);

      g_string_append (out, ",\"transcript\":");
      pf_cli_json_string (out, text);
    }
  g_string_append (out, "}\n");
  fputs (out->str, stdout);
}

int
pf_cli_test (int    argc,
             char **argv)
{
  g_autofree char *host = NULL;
  gint port = 0;
  g_autofree char *security_name = NULL;
  g_autofree char *user = NULL;
  g_autofree char *address = NULL;
  g_autofree char *password_file = NULL;
  gboolean password_stdin = FALSE;
  g_autofree char *ca_file = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *mechanism_name = NULL;
  gboolean transcript = FALSE;
  gboolean json = FALSE;
  gint timeout = 15;
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("Server host name"), N_("HOST") },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, N_("Server port (default 995 for tls, 110 otherwise)"), N_("PORT") },
    { "security", 0, 0, G_OPTION_ARG_STRING, &security_name, N_("tls, starttls or none (default tls)"), N_("MODE") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("User name (default: the address, then its local part)"), N_("NAME") },
    { "address", 0, 0, G_OPTION_ARG_STRING, &address, N_("E-mail address, for user names and provider hints"), N_("ADDRESS") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("Read the password from the first line of FILE"), N_("FILE") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("Read the password from the first line of standard input"), NULL },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, N_("Trust the certificate authorities in this PEM file instead of the system ones"), N_("PEM") },
    { "pin", 0, 0, G_OPTION_ARG_STRING, &pin, N_("Accept the certificate with this SHA-256 fingerprint"), N_("HEX") },
    { "mechanism", 0, 0, G_OPTION_ARG_STRING, &mechanism_name, N_("Login method (default: the strongest shared one)"), N_("NAME") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("Seconds to wait for each step (default 15)"), N_("SECONDS") },
    { "transcript", 0, 0, G_OPTION_ARG_NONE, &transcript, N_("Print the protocol transcript, secrets redacted"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the diagnosis as one JSON object"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— log in once and say which step fails"));
  g_autoptr(GError) error = NULL;
  g_autoptr(PfDemo) demo = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(PfLoginTest) test = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PfDiagnosis) diagnosis = NULL;
  g_autoptr(PfWipedString) password = NULL;
  g_autofree char *pin_hex = NULL;
  g_autoptr(PfCredentials) credentials = NULL;
  g_autoptr(PfAccount) account = NULL;
  PfServerSettings *settings;
  PfSecurity security = PF_SECURITY_TLS;
  PfAuthMechanism mechanism = PF_AUTH_AUTO;
  int status;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pf_cli_usage_error ("test", error->message);
  if (argc > 2)
    return pf_cli_usage_error ("test", _("test takes one saved account name, or options only."));
  if (security_name != NULL && !pf_security_from_string (security_name, &security))
    return pf_cli_usage_error ("test", _("--security must be tls, starttls or none."));
  if (mechanism_name != NULL && !pf_auth_mechanism_from_string (mechanism_name, &mechanism))
    return pf_cli_usage_error ("test", _("Unknown --mechanism."));
  if (port < 0 || port > G_MAXUINT16)
    return pf_cli_usage_error ("test", _("--port must be between 1 and 65535."));
  if (timeout <= 0 || timeout > 600)
    return pf_cli_usage_error ("test", _("--timeout must be between 1 and 600 seconds."));
  if (pin != NULL && (pin_hex = pf_sha256_fingerprint_normalize (pin)) == NULL)
    return pf_cli_usage_error ("test", _("--pin takes the SHA-256 fingerprint of the certificate: "
                                   "64 hexadecimal digits, colons allowed"));

  if (argc == 2)
    {
      /* A saved account: its settings, its password from the keyring. */
      if (host != NULL || port != 0 || security_name != NULL || user != NULL || address != NULL
          || ca_file != NULL || pin != NULL)
        return pf_cli_usage_error ("test", _("A saved account name and server options exclude each other."));
      status = pf_cli_saved_login_test (argv[1], password_stdin, password_file,
                                        &test, &credentials, &account, &host, &port, &security,
                                        &error);
      if (status != PF_EXIT_OK)
        return status;
      if (mechanism_name != NULL)
        pf_login_test_set_mechanism (test, mechanism);
    }
  else
    {
      if (!load_trust (ca_file, FALSE, &demo, &database, &error))
        return pf_cli_report_error (error);

      /* In the demo, the demo account is the default. */
      if (demo != NULL && address == NULL && user == NULL)
        address = g_strdup (demo->address);
      if (host == NULL)
        {
          g_autofree char *domain = NULL;

          if (demo == NULL || !pf_address_split (demo->address, NULL, &domain))
            return pf_cli_usage_error ("test", _("test needs --host, or a saved account name."));
          host = g_strdup_printf ("pop.%s", domain);
        }
      if (port == 0)
        port = security == PF_SECURITY_TLS ? 995 : 110;
      if (user == NULL && address == NULL)
        return pf_cli_usage_error ("test", _("test needs --user or --address."));

      /* Never from argv or the environment; the demo's public sample password
       * is the default for the demo account only. */
      if (password_file == NULL && !password_stdin && demo != NULL && g_strcmp0 (address, demo->address) == 0)
        password = g_strdup (demo->password);
      else
        password = pf_cli_read_password (password_stdin, password_file,
                                         isatty (STDIN_FILENO) ? _("Password: ") : NULL, &error);
      if (password == NULL)
        return pf_cli_report_error (error);

      {
        g_autoptr(PfServerSettings) given = pf_server_settings_new (host, (guint16) port, security);
        g_autoptr(PfServerSettings) mapped = NULL;

        pf_server_settings_set_tls_database (given, database);
        pf_server_settings_set_pinned_fingerprint (given, pin_hex);
        mapped = demo != NULL ? pf_demo_map_settings (demo, given, &error)
                              : pf_server_settings_ref (given);
        if (mapped == NULL)
          return pf_cli_report_error (error);
        test = pf_login_test_new (mapped);
      }
      pf_login_test_set_address (test, address);
      pf_login_test_set_user (test, user);
      pf_login_test_set_mechanism (test, mechanism);
    }
  /* Adjusted before the run: the test is this command's own. */
  settings = pf_login_test_get_settings (test);
  pf_server_settings_set_timeout (settings, (guint) timeout);
  /* Choosing "none" on the command line is the explicit, unsafe choice. */
  pf_server_settings_set_allow_plaintext_auth (settings, security == PF_SECURITY_NONE);

  if (credentials == NULL)
    credentials = pf_credentials_new_for_password (password);
  g_clear_pointer (&password, pf_wipe_string);
  pf_login_test_run_async (test, credentials, NULL, pf_cli_store_result, &result);
  diagnosis = pf_login_test_run_finish (test, pf_cli_wait_for (&result), &error);
  if (diagnosis == NULL)
    return pf_cli_report_error (error);

  if (json)
    print_diagnosis_json (diagnosis, host, (guint16) port, security, transcript);
  else
    print_diagnosis (test, diagnosis, account, host, (guint16) port, security);
  if (transcript && !json)
    {
      g_autofree char *text = pf_diagnosis_dup_transcript_text (diagnosis);

      printf ("\n%s\n%s", _("Transcript (secrets redacted):"), text);
    }

  /* A saved account keeps the method that worked after the first was
   * refused as a method, as `fetch NAME` does. */
  if (account != NULL && pf_diagnosis_get_success (diagnosis) && pf_diagnosis_get_fell_back (diagnosis))
    {
      g_autoptr(PfAccountStore) store = pf_cli_open_store (&error);

      if (store == NULL)
        fprintf (stderr, _("popfetch-cli: could not remember the sign-in method for “%s”: %s\n"),
                 pf_account_get_name (account), error->message);
      else
        pf_cli_remember_mechanism (store, account, pf_diagnosis_get_mechanism (diagnosis));
    }

  if (account != NULL && pf_diagnosis_get_error (diagnosis) != NULL)
    {
      g_autoptr(GError) classified = pf_account_classify_error (account, pf_diagnosis_get_error (diagnosis));

      status = pf_cli_exit_code_for_error (classified);
      if (status == PF_EXIT_SIGN_IN)
        fprintf (stderr, _("  Sign in again with “popfetch-cli sign-in %s”.\n"),
                 pf_account_get_name (account));
      return status;
    }
  status = pf_cli_exit_code_for_error (pf_diagnosis_get_error (diagnosis));
  return status;
}
