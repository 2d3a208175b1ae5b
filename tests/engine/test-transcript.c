/* test-transcript.c — redaction and bounded memory of the protocol log
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-transcript.h"

#define SECRET "s3cr3t-Passw0rd"

static void
check_redact (const char *line,
              gboolean    in_sasl,
              const char *expected)
{
  g_autofree char *out = pf_transcript_redact_command (line, in_sasl);

  g_assert_cmpstr (out, ==, expected);
}

static void
test_redact_pass (void)
{
  check_redact ("PASS " SECRET, FALSE, "PASS <redacted>");
  check_redact ("pass " SECRET, FALSE, "pass <redacted>");
  check_redact ("PASS with spaces " SECRET, FALSE, "PASS <redacted>");
  check_redact ("PASS  " SECRET, FALSE, "PASS <redacted>");
  check_redact ("PASS\t" SECRET, FALSE, "PASS <redacted>");
  check_redact ("PASS " SECRET "\r\n", FALSE, "PASS <redacted>");
  check_redact ("PASS\x01" SECRET, FALSE, "PASS <redacted>");
  check_redact ("PASS \x1b]" SECRET, FALSE, "PASS <redacted>");
  check_redact ("PASS ", FALSE, "PASS");
  check_redact ("PASS", FALSE, "PASS");
  check_redact ("USER bob", FALSE, "USER bob");
  check_redact ("RETR 1", FALSE, "RETR 1");
  check_redact ("CAPA", FALSE, "CAPA");
}

static void
test_redact_apop (void)
{
  check_redact ("APOP mrose c4c9334bac560ecc979e58001b3e22fb", FALSE, "APOP mrose <redacted>");
  check_redact ("APOP c4c9334bac560ecc979e58001b3e22fb", FALSE, "APOP <redacted>");
}

static void
test_redact_auth (void)
{
  check_redact ("AUTH PLAIN AGJvYgBzM2NyM3QtUGFzc3cwcmQ=", FALSE, "AUTH PLAIN <redacted>");
  check_redact ("AUTH PLAIN =", FALSE, "AUTH PLAIN <redacted>");
  check_redact ("AUTH\tPLAIN\tAGJvYgBw", FALSE, "AUTH PLAIN <redacted>");
  check_redact ("AUTH PLAIN\r\n", FALSE, "AUTH PLAIN");
  check_redact ("AUTH SCRAM-SHA-256", FALSE, "AUTH SCRAM-SHA-256");
  check_redact ("AUTH", FALSE, "AUTH");
  check_redact ("dXNlcgBwYXNz", TRUE, "<redacted>");
  check_redact ("", TRUE, "<redacted>");
  check_redact ("*", TRUE, "*");
}

static void
test_redact_sanitises (void)
{
  check_redact ("USER \x1b[31mbob\x1b[0m", FALSE, "USER bob");
}

static void
test_session_never_holds_secret (void)
{
  g_autoptr(PfTranscript) transcript = pf_transcript_new ();
  g_autofree char *text = NULL;
  g_autofree char *b64 = g_base64_encode ((const guchar *) "\0bob\0" SECRET, 5 + strlen (SECRET));

  pf_transcript_add_info (transcript, "Connecting to %s:%u", "localhost", 110);
  pf_transcript_add_reply (transcript, "+OK ready <1.2@host>", 20, FALSE);
  pf_transcript_add_command (transcript, "USER bob", TRUE, FALSE);
  pf_transcript_add_reply (transcript, "+OK", 3, TRUE);
  pf_transcript_add_command (transcript, "PASS " SECRET, TRUE, FALSE);
  pf_transcript_add_reply (transcript, "-ERR [AUTH] no", 14, TRUE);
  {
    g_autofree char *cmd = g_strconcat ("AUTH PLAIN ", b64, NULL);
    pf_transcript_add_command (transcript, cmd, TRUE, FALSE);
  }
  pf_transcript_add_command (transcript, "AUTH LOGIN", TRUE, FALSE);
  pf_transcript_add_reply (transcript, "+ VXNlcm5hbWU6", 14, TRUE);
  pf_transcript_add_command (transcript, "Ym9i", TRUE, TRUE);
  pf_transcript_add_reply (transcript, "+ UGFzc3dvcmQ6", 14, TRUE);
  {
    g_autofree char *pw = g_base64_encode ((const guchar *) SECRET, strlen (SECRET));
    pf_transcript_add_command (transcript, pw, TRUE, TRUE);
    pf_transcript_add_command (transcript, SECRET, TRUE, TRUE);
  }
  pf_transcript_add_command (transcript, "APOP bob 0123456789abcdef0123456789abcdef", FALSE, FALSE);
  pf_transcript_add_data (transcript, 4096, TRUE);

  g_assert_cmpuint (pf_transcript_get_n_entries (transcript), ==, 15);
  text = pf_transcript_to_string (transcript);
  g_test_message ("%s", text);
  g_assert_null (strstr (text, SECRET));
  g_assert_null (strstr (text, b64));
  g_assert_null (strstr (text, "0123456789abcdef"));
  g_assert_nonnull (strstr (text, "C: PASS <redacted>\n"));
  g_assert_nonnull (strstr (text, "C: AUTH PLAIN <redacted>\n"));
  g_assert_nonnull (strstr (text, "C (plain): APOP bob <redacted>\n"));
  g_assert_nonnull (strstr (text, "S (plain): +OK ready <1.2@host>\n"));
  g_assert_nonnull (strstr (text, "-- Connecting to localhost:110\n"));
  g_assert_nonnull (strstr (text, "S: (4096 bytes of data)\n"));
  g_assert_true (g_str_has_prefix (text, "+0."));
}

static void
test_entries (void)
{
  g_autoptr(PfTranscript) transcript = pf_transcript_new ();
  const PfTranscriptEntry *entry;

  pf_transcript_add_reply (transcript, "-ERR \x1b]0;pwned\x07" "bad\x9b", 19, TRUE);
  pf_transcript_add_command (transcript, "QUIT", FALSE, FALSE);

  entry = pf_transcript_get_entry (transcript, 0);
  g_assert_cmpint (entry->direction, ==, PF_TRANSCRIPT_RECEIVED);
  g_assert_true (entry->tls);
  g_assert_cmpstr (entry->text, ==, "-ERR bad\xef\xbf\xbd");
  g_assert_cmpint (entry->time_us, >=, 0);

  entry = pf_transcript_get_entry (transcript, 1);
  g_assert_cmpint (entry->direction, ==, PF_TRANSCRIPT_SENT);
  g_assert_false (entry->tls);
  g_assert_cmpstr (entry->text, ==, "QUIT");
  g_assert_cmpuint (pf_transcript_get_n_dropped (transcript), ==, 0);
}

static void
test_long_line_bounded (void)
{
  g_autoptr(PfTranscript) transcript = pf_transcript_new ();
  gsize len = 10 * 1024 * 1024;
  g_autofree char *line = g_malloc (len);
  const PfTranscriptEntry *entry;

  memset (line, 'x', len);
  pf_transcript_add_reply (transcript, line, len, FALSE);
  entry = pf_transcript_get_entry (transcript, 0);
  g_assert_cmpuint (strlen (entry->text), <=, 1024);
  g_assert_true (g_str_has_suffix (entry->text, "…"));
  g_assert_true (g_utf8_validate (entry->text, -1, NULL));

  /* Cut on a character boundary */
  {
    GString *wide = g_string_new (NULL);
    for (guint i = 0; i < 1000; i++)
      g_string_append (wide, "é");
    pf_transcript_add_reply (transcript, wide->str, wide->len, FALSE);
    entry = pf_transcript_get_entry (transcript, 1);
    g_assert_true (g_utf8_validate (entry->text, -1, NULL));
    g_assert_cmpuint (strlen (entry->text), <=, 1024);
    g_string_free (wide, TRUE);
  }
}

static void
test_bounded_entries (void)
{
  g_autoptr(PfTranscript) transcript = pf_transcript_new ();
  const PfTranscriptEntry *entry;
  g_autofree char *text = NULL;
  guint total = 50000;

  for (guint i = 0; i < total; i++)
    {
      g_autofree char *line = g_strdup_printf ("RETR %u", i + 1);
      pf_transcript_add_command (transcript, line, TRUE, FALSE);
    }

  g_assert_cmpuint (pf_transcript_get_n_dropped (transcript), ==, total - 200 - 1000);
  g_assert_cmpuint (pf_transcript_get_n_entries (transcript), ==, 200 + 1 + 1000);

  entry = pf_transcript_get_entry (transcript, 0);
  g_assert_cmpstr (entry->text, ==, "RETR 1");
  entry = pf_transcript_get_entry (transcript, 199);
  g_assert_cmpstr (entry->text, ==, "RETR 200");
  entry = pf_transcript_get_entry (transcript, 200);
  g_assert_cmpint (entry->direction, ==, PF_TRANSCRIPT_INFO);
  g_assert_cmpstr (entry->text, ==, "48800 lines left out to save memory");
  entry = pf_transcript_get_entry (transcript, 201);
  g_assert_cmpstr (entry->text, ==, "RETR 49001");
  entry = pf_transcript_get_entry (transcript, 1200);
  g_assert_cmpstr (entry->text, ==, "RETR 50000");

  text = pf_transcript_to_string (transcript);
  g_assert_nonnull (strstr (text, "-- 48800 lines left out to save memory\n"));
  g_assert_null (strstr (text, "RETR 49000\n"));
}

static void
test_bounded_edge (void)
{
  g_autoptr(PfTranscript) transcript = pf_transcript_new ();

  for (guint i = 0; i < 1200; i++)
    pf_transcript_add_info (transcript, "note %u", i);
  g_assert_cmpuint (pf_transcript_get_n_dropped (transcript), ==, 0);
  g_assert_cmpuint (pf_transcript_get_n_entries (transcript), ==, 1200);

  pf_transcript_add_info (transcript, "one more");
  g_assert_cmpuint (pf_transcript_get_n_dropped (transcript), ==, 1);
  g_assert_cmpuint (pf_transcript_get_n_entries (transcript), ==, 1201);
  g_assert_cmpstr (pf_transcript_get_entry (transcript, 200)->text, ==, "1 line left out to save memory");
  g_assert_cmpstr (pf_transcript_get_entry (transcript, 201)->text, ==, "note 201");
  g_assert_cmpstr (pf_transcript_get_entry (transcript, 1200)->text, ==, "one more");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/transcript/redact/pass", test_redact_pass);
  g_test_add_func ("/engine/transcript/redact/apop-digest", test_redact_apop);
  g_test_add_func ("/engine/transcript/redact/auth-and-sasl", test_redact_auth);
  g_test_add_func ("/engine/transcript/redact/sanitised", test_redact_sanitises);
  g_test_add_func ("/engine/transcript/session/no-secret", test_session_never_holds_secret);
  g_test_add_func ("/engine/transcript/entries", test_entries);
  g_test_add_func ("/engine/transcript/bounded/long-line", test_long_line_bounded);
  g_test_add_func ("/engine/transcript/bounded/entries", test_bounded_entries);
  g_test_add_func ("/engine/transcript/bounded/edge", test_bounded_edge);

  return g_test_run ();
}
