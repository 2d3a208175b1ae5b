/* test-provider.c — the provider table: every entry parses, every fact has
 * its source, and the matching by domain, alias, MX and server
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-error.h"
#include "pf-provider.h"

static GKeyFile *
load_compiled_table (void)
{
  g_autoptr(GBytes) data = pf_provider_table_dup_data ();
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_key_file_load_from_bytes (file, data, G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&file);
}

static void
test_every_entry_parses (void)
{
  const char *required[] = {
    "gmail", "google-workspace", "outlook", "microsoft365", "yahoo", "aol", "icloud", "gmx",
    "webde", "fastmail", "proton", "yandex", "mailru", "zoho", "tonline", "orange", "libero",
    "comcast", NULL
  };
  g_autoptr(GKeyFile) file = load_compiled_table ();
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) groups = g_key_file_get_groups (file, NULL);
  GPtrArray *table = pf_provider_table_get ();

  parsed = pf_provider_table_parse (file, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsed->len, ==, g_strv_length (groups));
  g_assert_cmpuint (table->len, ==, parsed->len);

  for (guint i = 0; required[i] != NULL; i++)
    {
      PfProvider *provider = pf_provider_lookup_id (required[i]);

      g_test_message ("provider %s", required[i]);
      g_assert_nonnull (provider);
      g_assert_cmpstr (pf_provider_get_id (provider), ==, required[i]);
      g_assert_nonnull (pf_provider_get_name (provider));
    }

  for (guint i = 0; i < table->len; i++)
    {
      PfProvider *provider = table->pdata[i];
      GPtrArray *servers = pf_provider_get_servers (provider);

      /* POP3 offered means a server to probe, and a secure one. */
      if (pf_provider_get_pop3 (provider) != PF_PROVIDER_POP3_NO)
        g_assert_cmpuint (servers->len, >, 0);
      for (guint j = 0; j < servers->len; j++)
        {
          PfProviderServer *server = servers->pdata[j];

          g_assert_cmpint (server->security, !=, PF_SECURITY_NONE);
          g_assert_cmpuint (server->port, >, 0);
        }
      if (pf_provider_get_auth (provider) & PF_PROVIDER_AUTH_OAUTH2)
        g_assert_nonnull (pf_provider_get_oauth2 (provider));
      for (const char * const *note = pf_provider_get_notes (provider); *note != NULL; note++)
        g_assert_true (g_str_has_suffix (*note, "."));
    }
}

static void
test_domains_unique (void)
{
  GPtrArray *table = pf_provider_table_get ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) parsed = NULL;

  for (guint i = 0; i < table->len; i++)
    {
      PfProvider *provider = table->pdata[i];
      const char * const *lists[] = { pf_provider_get_domains (provider), pf_provider_get_aliases (provider) };

      for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
        for (guint j = 0; lists[l][j] != NULL; j++)
          {
            g_test_message ("%s: %s", pf_provider_get_id (provider), lists[l][j]);
            g_assert_false (g_hash_table_contains (seen, lists[l][j]));
            g_hash_table_add (seen, (gpointer) lists[l][j]);
          }
    }

  /* The parser refuses a table that gives one domain to two providers. */
  g_key_file_load_from_data (file,
                             "[one]\nname=One\ndomains=one.test;\npop3=no\n"
                             "[two]\nname=Two\ndomains=two.test;\naliases=ONE.test.;\npop3=no\n",
                             -1, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  parsed = pf_provider_table_parse (file, &error);
  g_assert_null (parsed);
  g_assert_error (error, PF_ERROR, PF_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "one.test"));
}

/* Every key but the name has "Source: https://…" in its comment. */
static void
test_every_fact_has_a_source (void)
{
  g_autoptr(GKeyFile) file = load_compiled_table ();
  g_auto(GStrv) groups = g_key_file_get_groups (file, NULL);
  guint facts = 0;

  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (file, groups[i], NULL, NULL);

      for (guint j = 0; keys[j] != NULL; j++)
        {
          g_autofree char *comment = NULL;

          if (strcmp (keys[j], "name") == 0 || strchr (keys[j], '[') != NULL)
            continue;
          comment = g_key_file_get_comment (file, groups[i], keys[j], NULL);
          if (comment == NULL || strstr (comment, "Source: https://") == NULL)
            g_error ("[%s] %s has no source in its comment", groups[i], keys[j]);
          facts++;
        }
    }
  g_assert_cmpuint (facts, >, 100);
}

/* A source is the provider's own page: its host is one of the provider's
 * help or developer sites. A new provider adds its sites here. */
static void
test_sources_are_the_providers_own (void)
{
  static const struct { const char *id; const char *hosts; } sites[] = {
    { "google-workspace", "support.google.com developers.google.com" },
    { "gmail", "support.google.com developers.google.com" },
    { "microsoft365", "learn.microsoft.com support.microsoft.com" },
    { "outlook", "support.microsoft.com learn.microsoft.com" },
    { "yahoo", "help.yahoo.com" },
    { "aol", "help.aol.com" },
    { "icloud", "support.apple.com" },
    { "gmx", "hilfe.gmx.net" },
    { "webde", "hilfe.web.de" },
    { "fastmail", "www.fastmail.help" },
    { "proton", "proton.me" },
    { "yandex", "yandex.com" },
    { "mailru", "help.mail.ru" },
    { "zoho", "www.zoho.com" },
    { "tonline", "www.telekom.de" },
    { "orange", "assistance.orange.fr" },
    { "libero", "aiuto.libero.it" },
    { "comcast", "www.xfinity.com" },
  };
  g_autoptr(GKeyFile) file = load_compiled_table ();
  g_auto(GStrv) groups = g_key_file_get_groups (file, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_auto(GStrv) allowed = NULL;
      g_auto(GStrv) keys = g_key_file_get_keys (file, groups[i], NULL, NULL);

      for (guint s = 0; s < G_N_ELEMENTS (sites) && allowed == NULL; s++)
        if (strcmp (sites[s].id, groups[i]) == 0)
          allowed = g_strsplit (sites[s].hosts, " ", -1);
      if (allowed == NULL)
        g_error ("[%s]: add the provider's own help sites to this test", groups[i]);

      for (guint j = 0; keys[j] != NULL; j++)
        {
          g_autofree char *comment = g_key_file_get_comment (file, groups[i], keys[j], NULL);
          const char *at = comment;

          while (at != NULL && (at = strstr (at, "Source: ")) != NULL)
            {
              g_autofree char *url = NULL;
              g_autoptr(GUri) uri = NULL;
              gsize len;

              at += strlen ("Source: ");
              len = strcspn (at, " \n");
              url = g_strndup (at, len);
              uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
              g_test_message ("[%s] %s: %s", groups[i], keys[j], url);
              g_assert_nonnull (uri);
              g_assert_cmpstr (g_uri_get_scheme (uri), ==, "https");
              if (!g_strv_contains ((const char * const *) allowed, g_uri_get_host (uri)))
                g_error ("[%s] %s: %s is not one of the provider's own sites", groups[i], keys[j], url);
              at += len;
            }
        }
    }
}

static void
test_match_domain (void)
{
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_domain ("gmail.com")), ==, "gmail");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_domain ("Jo.Doe@GMail.com")), ==, "gmail");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_domain ("jo@gmx.de.")), ==, "gmx");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_domain ("jo@web.de")), ==, "webde");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_domain ("jo@icloud.com")), ==, "icloud");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_domain ("jo@comcast.net")), ==, "comcast");
}

static void
test_match_alias (void)
{
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_domain ("jo@googlemail.com")), ==, "gmail");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_domain ("jo@hotmail.com")), ==, "outlook");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_domain ("jo@live.com")), ==, "outlook");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_domain ("jo@msn.com")), ==, "outlook");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_domain ("jo@me.com")), ==, "icloud");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_domain ("jo@pm.me")), ==, "proton");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_domain ("jo@wanadoo.fr")), ==, "orange");
}

static void
test_match_mx (void)
{
  /* A company domain at Google Workspace or Microsoft 365, known by its MX. */
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_mx ("aspmx.l.google.com")), ==, "google-workspace");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_mx ("ALT2.ASPMX.L.GOOGLE.COM.")), ==, "google-workspace");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_mx ("smtp.google.com")), ==, "google-workspace");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_mx ("contoso-com.mail.protection.outlook.com")), ==,
                   "microsoft365");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_mx ("Contoso-Com.Mail.Protection.Outlook.Com.")), ==,
                   "microsoft365");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_mx ("mailsec.protonmail.ch")), ==, "proton");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_mx ("mx2.zoho.eu")), ==, "zoho");

  /* Whole-name patterns: a look-alike is not the provider. */
  g_assert_null (pf_provider_lookup_mx ("aspmx.l.google.com.evil.example"));
  g_assert_null (pf_provider_lookup_mx ("mail.protection.outlook.com.example"));
  g_assert_null (pf_provider_lookup_mx ("mx.example.org"));
  g_assert_null (pf_provider_lookup_mx (""));
}

static void
test_match_server (void)
{
  /* A shared server names the business offer first. */
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_server ("pop.gmail.com")), ==, "google-workspace");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_server ("Outlook.Office365.com.")), ==, "microsoft365");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_server ("pop.gmx.net")), ==, "gmx");
  /* A name under a provider's domain. */
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_server ("pop3.web.de")), ==, "webde");
  g_assert_cmpstr (pf_provider_get_id (pf_provider_lookup_server ("pop.mail.me.com")), ==, "icloud");
  g_assert_null (pf_provider_lookup_server ("pop.example.org"));
  g_assert_true (pf_provider_has_server (pf_provider_lookup_id ("gmail"), "POP.GMAIL.COM"));
}

static void
test_unknown_domain (void)
{
  g_assert_null (pf_provider_lookup_domain ("jo@example.org"));
  g_assert_null (pf_provider_lookup_domain ("jo@gmail.com.evil.example"));
  g_assert_null (pf_provider_lookup_domain ("jo@notgmail.com"));
  g_assert_null (pf_provider_lookup_domain ("jo@mail.gmx.net"));
  g_assert_null (pf_provider_lookup_domain ("jo@"));
  g_assert_null (pf_provider_lookup_domain (NULL));
  g_assert_null (pf_provider_lookup_id ("nope"));
}

static void
test_facts (void)
{
  PfProvider *icloud = pf_provider_lookup_id ("icloud");
  PfProvider *outlook = pf_provider_lookup_id ("outlook");
  PfProvider *gmail = pf_provider_lookup_id ("gmail");
  PfProvider *gmx = pf_provider_lookup_id ("gmx");
  PfProviderServer *server;
  g_autofree char *no_pop3 = pf_provider_describe_pop3 (icloud);
  g_autofree char *plan = pf_provider_describe_pop3 (pf_provider_lookup_id ("zoho"));
  g_autoptr(GEnumClass) pop3_class = g_type_class_ref (PF_TYPE_PROVIDER_POP3);

  g_assert_cmpint (pf_provider_get_pop3 (icloud), ==, PF_PROVIDER_POP3_NO);
  g_assert_cmpstr (no_pop3, ==, "iCloud Mail does not offer POP3; use IMAP in a mail client.");
  g_assert_cmpint (pf_provider_get_pop3 (pf_provider_lookup_id ("zoho")), ==, PF_PROVIDER_POP3_PLAN);
  g_assert_nonnull (plan);
  g_assert_null (pf_provider_describe_pop3 (gmail));
  g_assert_cmpstr (g_enum_get_value (pop3_class, PF_PROVIDER_POP3_PLAN)->value_nick, ==, "plan");

  g_assert_cmpint (pf_provider_get_auth (outlook), ==, PF_PROVIDER_AUTH_OAUTH2);
  g_assert_cmpstr (pf_provider_get_oauth2 (outlook), ==, "microsoft");
  g_assert_true (pf_provider_get_pop3_off_by_default (outlook));
  server = pf_provider_get_servers (outlook)->pdata[0];
  g_assert_cmpstr (server->host, ==, "outlook.office365.com");
  g_assert_cmpuint (server->port, ==, 995);
  g_assert_cmpint (server->security, ==, PF_SECURITY_TLS);

  g_assert_cmpint (pf_provider_get_auth (gmail), ==, PF_PROVIDER_AUTH_APP_PASSWORD | PF_PROVIDER_AUTH_OAUTH2);

  /* A company domain found by its Zoho MX uses the organisations' server. */
  g_assert_true (pf_provider_has_server (pf_provider_lookup_mx ("mx.zoho.com"), "poppro.zoho.com"));
  g_assert_true (pf_provider_has_server (pf_provider_lookup_id ("zoho"), "pop.zoho.com"));
  g_assert_true (pf_provider_get_pop3_may_switch_off (gmx));
  g_assert_nonnull (pf_provider_get_enable_url (gmx));
  g_assert_nonnull (pf_provider_get_notes (gmail)[0]);

  /* Gmail's own setting decides what "keep on server" means there: the
   * account page names it and links to it. */
  g_assert_cmpstr (pf_provider_get_keep_setting_url (gmail), ==, "https://mail.google.com/mail/u/0/#settings/fwdandpop");
  g_assert_nonnull (strstr (pf_provider_get_note (gmail, "keep"), "When messages are accessed with POP"));
  g_assert_nonnull (pf_provider_get_keep_setting_url (pf_provider_lookup_server ("pop.gmail.com")));
  g_assert_null (pf_provider_get_keep_setting_url (gmx));
  g_assert_null (pf_provider_get_note (gmx, "keep"));

  /* Gmail's replies, case-insensitive, with its help link after them. */
  g_assert_cmpint (pf_provider_match_reply (gmail, "Application-specific password required: "
                                                   "https://support.google.com/accounts/answer/185833"), ==,
                   PF_PROVIDER_REPLY_APP_PASSWORD);
  g_assert_cmpint (pf_provider_match_reply (gmail, "web login required: https://support.google.com/mail/answer/78754"),
                   ==, PF_PROVIDER_REPLY_WEB_LOGIN);
  g_assert_cmpint (pf_provider_match_reply (gmail, "Your account is not enabled for POP access. Please visit your "
                                                   "Gmail settings page and enable your account for POP access."),
                   ==, PF_PROVIDER_REPLY_POP3_OFF);
  g_assert_cmpint (pf_provider_match_reply (gmail, "Username and password not accepted."), ==, PF_PROVIDER_REPLY_NONE);
  g_assert_cmpint (pf_provider_match_reply (gmx, "Application-specific password required"), ==,
                   PF_PROVIDER_REPLY_NONE);
}

static void
assert_parse_fails (const char *text,
                    const char *expected)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) parsed = NULL;

  g_key_file_load_from_data (file, text, -1, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  parsed = pf_provider_table_parse (file, &error);
  g_assert_null (parsed);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, expected));
}

static void
test_parse_refusals (void)
{
  assert_parse_fails ("[x]\nname=X\ndomains=x.test;\npop3=maybe\n", "pop3");
  assert_parse_fails ("[x]\nname=X\ndomains=x.test;\npop3=yes\n", "no server");
  assert_parse_fails ("[x]\nname=X\ndomains=x.test;\npop3=yes\nservers=pop.x.test:110:none;\n", "servers");
  assert_parse_fails ("[x]\nname=X\ndomains=x.test;\npop3=yes\nservers=pop.x.test:99999:tls;\n", "servers");
  assert_parse_fails ("[x]\nname=X\ndomains=x.test;\npop3=no\nauth=oauth2;\n", "OAuth2");
  assert_parse_fails ("[x]\nname=X\ndomains=x.test;\npop3=no\nauth=carrier-pigeon;\n", "auth");
  assert_parse_fails ("[x]\nname=X\ndomains=x.test;\npop3=no\nenable_url=https://x.test/\n", "unknown key");
  assert_parse_fails ("[X Y]\nname=X\ndomains=x.test;\npop3=no\n", "provider id");
  assert_parse_fails ("[x]\ndomains=x.test;\npop3=no\n", "no name");
  assert_parse_fails ("[x]\nname=X\npop3=no\n", "neither domains nor MX");
  assert_parse_fails ("[x]\nname=X\ndomains=x.test;\npop3=no\nquota=15\n", "quota");
  assert_parse_fails ("[x]\nname=X\ndomains=x.test;\npop3=no\nquota=lots GB\n", "quota");
  assert_parse_fails ("[x]\nname=X\ndomains=x.test;\npop3=no\npop3-batch=0\n", "pop3-batch");
}

/* Gmail hands out its mailbox in batches and states its mailbox limit;
 * the keys parse into numbers. */
static void
test_batch_and_quota (void)
{
  PfProvider *gmail = pf_provider_lookup_id ("gmail");
  PfProvider *gmx = pf_provider_lookup_id ("gmx");

  g_assert_nonnull (gmail);
  g_assert_cmpuint (pf_provider_get_pop3_batch (gmail), ==, 250);
  g_assert_cmpuint (pf_provider_get_quota (gmail), ==, G_GUINT64_CONSTANT (15000000000));
  g_assert_nonnull (gmx);
  g_assert_cmpuint (pf_provider_get_pop3_batch (gmx), ==, 0);
  g_assert_cmpuint (pf_provider_get_quota (gmx), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/detect/provider/every-entry-parses", test_every_entry_parses);
  g_test_add_func ("/engine/detect/provider/batch-and-quota", test_batch_and_quota);
  g_test_add_func ("/engine/detect/provider/domains-unique", test_domains_unique);
  g_test_add_func ("/engine/detect/provider/every-fact-has-a-source", test_every_fact_has_a_source);
  g_test_add_func ("/engine/detect/provider/sources-are-the-providers-own", test_sources_are_the_providers_own);
  g_test_add_func ("/engine/detect/provider/match-domain", test_match_domain);
  g_test_add_func ("/engine/detect/provider/match-alias", test_match_alias);
  g_test_add_func ("/engine/detect/provider/match-mx", test_match_mx);
  g_test_add_func ("/engine/detect/provider/match-server", test_match_server);
  g_test_add_func ("/engine/detect/provider/unknown-domain", test_unknown_domain);
  g_test_add_func ("/engine/detect/provider/facts", test_facts);
  g_test_add_func ("/engine/detect/provider/parse-refusals", test_parse_refusals);

  return g_test_run ();
}
