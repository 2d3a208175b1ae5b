/* test-autoconfig.c — the config-v1.1.xml parser on fixtures
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>

#include "pf-autoconfig.h"

static char *
load_fixture (const char *name,
              gsize      *len)
{
  g_autofree char *path = g_build_filename (FIXTURES_DIR, name, NULL);
  char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

static void
test_provider (void)
{
  gsize len;
  g_autofree char *xml = load_fixture ("provider.xml", &len);
  g_autofree char *display_name = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  PfAutoconfigServer *s;

  servers = pf_autoconfig_parse (xml, len, "Jo.Doe@Example.org", &display_name, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (display_name, ==, "Example Mail");
  g_assert_cmpuint (servers->len, ==, 2);

  s = servers->pdata[0];
  g_assert_cmpstr (s->hostname, ==, "pop.example.org");
  g_assert_cmpuint (s->port, ==, 995);
  g_assert_cmpint (s->security, ==, PF_SECURITY_TLS);
  g_assert_cmpstr (s->username, ==, "Jo.Doe");
  g_assert_cmpint (s->authentication, ==,
                   PF_AUTOCONFIG_AUTH_PASSWORD_CLEARTEXT | PF_AUTOCONFIG_AUTH_PASSWORD_ENCRYPTED);

  s = servers->pdata[1];
  g_assert_cmpstr (s->hostname, ==, "pop3.example.org");
  g_assert_cmpuint (s->port, ==, 110);
  g_assert_cmpint (s->security, ==, PF_SECURITY_STARTTLS);
  g_assert_cmpstr (s->username, ==, "Jo.Doe@Example.org");
  g_assert_cmpint (s->authentication, ==, PF_AUTOCONFIG_AUTH_OAUTH2);
}

static void
test_invalid_entries_skipped (void)
{
  gsize len;
  g_autofree char *xml = load_fixture ("skipped.xml", &len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  PfAutoconfigServer *s;

  servers = pf_autoconfig_parse (xml, len, "a@odd.example", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (servers->len, ==, 1);
  s = servers->pdata[0];
  g_assert_cmpstr (s->hostname, ==, "mail.odd.example");
  g_assert_cmpint (s->security, ==, PF_SECURITY_NONE);
  g_assert_null (s->username);
  g_assert_cmpint (s->authentication, ==,
                   PF_AUTOCONFIG_AUTH_PASSWORD_CLEARTEXT | PF_AUTOCONFIG_AUTH_OTHER);
}

static void
test_imap_only (void)
{
  gsize len;
  g_autofree char *xml = load_fixture ("imap-only.xml", &len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = NULL;

  servers = pf_autoconfig_parse (xml, len, "a@imaponly.example", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (servers->len, ==, 0);
}

static void
test_malformed (void)
{
  const char *names[] = {
    "malformed-unclosed.xml",
    "malformed-entity.xml",
    "malformed-binary.xml",
    "wrong-root.xml",
    "empty.xml",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gsize len;
      g_autofree char *xml = load_fixture (names[i], &len);
      g_autofree char *display_name = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) servers = NULL;

      g_test_message ("%s", names[i]);
      servers = pf_autoconfig_parse (xml, len, "a@x.example", &display_name, &error);
      g_assert_null (servers);
      g_assert_null (display_name);
      g_assert_error (error, G_MARKUP_ERROR, error->code);
    }
}

static void
test_truncations (void)
{
  gsize len;
  g_autofree char *xml = load_fixture ("provider.xml", &len);

  /* Every prefix either parses or fails cleanly; none crashes or leaks. */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) servers = pf_autoconfig_parse (xml, cut, "a@example.org", NULL, &error);

      g_assert_true ((servers == NULL) != (error == NULL));
    }
}

static void
test_expand (void)
{
  struct { const char *in, *address, *out; } cases[] = {
    { "%EMAILADDRESS%", "bob@example.com", "bob@example.com" },
    { "%EMAILLOCALPART%", "bob@example.com", "bob" },
    { "pop.%EMAILDOMAIN%", "bob@Example.COM", "pop.example.com" },
    { "%EMAILLOCALPART%+pop@%EMAILDOMAIN%", "a.b@c.d", "a.b+pop@c.d" },
    { "%UNKNOWN%%", "a@b.c", "%UNKNOWN%%" },
    { "%EMAILLOCALPART", "a@b.c", "%EMAILLOCALPART" },
    { "%EMAILLOCALPART%", "not-an-address", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = pf_autoconfig_expand (cases[i].in, cases[i].address);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_address_split (void)
{
  g_autofree char *local = NULL;
  g_autofree char *domain = NULL;

  g_assert_true (pf_address_split ("Odd@Name@Mail.Example", &local, &domain));
  g_assert_cmpstr (local, ==, "Odd@Name");
  g_assert_cmpstr (domain, ==, "mail.example");

  g_assert_false (pf_address_split ("@example.com", NULL, NULL));
  g_assert_false (pf_address_split ("bob@", NULL, NULL));
  g_assert_false (pf_address_split ("bob", NULL, NULL));
  g_assert_false (pf_address_split ("bob@exa mple.com", NULL, NULL));
  g_assert_false (pf_address_split ("bob@example.com\r\n", NULL, NULL));
  g_assert_false (pf_address_split ("bob@.example.com", NULL, NULL));
  g_assert_false (pf_address_split ("bob@example..com", NULL, NULL));
  g_assert_false (pf_address_split ("bob@ex/ample.com", NULL, NULL));
}

static void
test_urls (void)
{
  g_auto(GStrv) urls = pf_autoconfig_urls ("a+b@example.com", "https://ispdb.example/v1.1");
  g_auto(GStrv) no_ispdb = pf_autoconfig_urls ("a@example.com", NULL);
  g_auto(GStrv) http_ispdb = pf_autoconfig_urls ("a@example.com", "http://insecure.example/");

  g_assert_cmpuint (g_strv_length (urls), ==, 3);
  g_assert_cmpstr (urls[0], ==, "https://autoconfig.example.com/mail/config-v1.1.xml?emailaddress=a%2Bb%40example.com");
  g_assert_cmpstr (urls[1], ==, "https://example.com/.well-known/autoconfig/mail/config-v1.1.xml");
  g_assert_cmpstr (urls[2], ==, "https://ispdb.example/v1.1/example.com");
  g_assert_cmpuint (g_strv_length (no_ispdb), ==, 2);
  g_assert_cmpuint (g_strv_length (http_ispdb), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/detect/autoconfig/provider", test_provider);
  g_test_add_func ("/engine/detect/autoconfig/invalid-entries-skipped", test_invalid_entries_skipped);
  g_test_add_func ("/engine/detect/autoconfig/imap-only", test_imap_only);
  g_test_add_func ("/engine/detect/autoconfig/malformed-is-an-error", test_malformed);
  g_test_add_func ("/engine/detect/autoconfig/truncated-never-crashes", test_truncations);
  g_test_add_func ("/engine/detect/autoconfig/placeholders", test_expand);
  g_test_add_func ("/engine/detect/autoconfig/address-split", test_address_split);
  g_test_add_func ("/engine/detect/autoconfig/urls", test_urls);

  return g_test_run ();
}
