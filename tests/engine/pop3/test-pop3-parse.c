/* test-pop3-parse.c — status lines, response codes, sanitising, listings, CAPA
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-error.h"
#include "pf-pop3-parse.h"

static gboolean
parse (const char  *line,
       PfPop3Reply *reply,
       GError     **error)
{
  return pf_pop3_parse_reply (line, strlen (line), reply, error);
}

static void
test_reply_ok (void)
{
  PfPop3Reply reply = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (parse ("+OK POP3 server ready", &reply, &error));
  g_assert_no_error (error);
  g_assert_cmpint (reply.status, ==, PF_POP3_STATUS_OK);
  g_assert_cmpint (reply.code, ==, PF_POP3_CODE_NONE);
  g_assert_null (reply.code_text);
  g_assert_cmpstr (reply.text, ==, "POP3 server ready");
  pf_pop3_reply_clear (&reply);

  g_assert_true (parse ("+OK", &reply, &error));
  g_assert_cmpint (reply.status, ==, PF_POP3_STATUS_OK);
  g_assert_cmpstr (reply.text, ==, "");
  pf_pop3_reply_clear (&reply);

  g_assert_true (parse ("-ERR", &reply, &error));
  g_assert_cmpint (reply.status, ==, PF_POP3_STATUS_ERR);
  g_assert_cmpstr (reply.text, ==, "");
  pf_pop3_reply_clear (&reply);

  g_assert_true (parse ("-ERR no such message", &reply, &error));
  g_assert_cmpint (reply.status, ==, PF_POP3_STATUS_ERR);
  g_assert_cmpstr (reply.text, ==, "no such message");
  pf_pop3_reply_clear (&reply);
  g_assert_null (reply.text);
}

static void
test_reply_continuation (void)
{
  PfPop3Reply reply = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_true (parse ("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+", &reply, &error));
  g_assert_cmpint (reply.status, ==, PF_POP3_STATUS_CONTINUE);
  g_assert_cmpstr (reply.text, ==, "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
  pf_pop3_reply_clear (&reply);

  g_assert_true (parse ("+ ", &reply, &error));
  g_assert_cmpint (reply.status, ==, PF_POP3_STATUS_CONTINUE);
  g_assert_cmpstr (reply.text, ==, "");
  pf_pop3_reply_clear (&reply);

  g_assert_true (parse ("+", &reply, &error));
  g_assert_cmpint (reply.status, ==, PF_POP3_STATUS_CONTINUE);
  g_assert_cmpstr (reply.text, ==, "");
  pf_pop3_reply_clear (&reply);
}

static void
test_reply_rejects (void)
{
  const char *bad[] = {
    "", "+ok", "+Ok ready", "-err", "-Err x", "OK", "+OKAY", "-ERROR x",
    "+OK\tready", "* OK imap", "220 smtp", " +OK", "+\tx", "-", "--ERR",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      PfPop3Reply reply = { 0 };
      g_autoptr(GError) error = NULL;

      g_test_message ("line: \"%s\"", bad[i]);
      g_assert_false (parse (bad[i], &reply, &error));
      g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
      g_assert_null (reply.text);
      g_assert_null (reply.code_text);
    }
}

static void
test_reply_length_cap (void)
{
  PfPop3Reply reply = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_malloc (PF_POP3_MAX_STATUS_LINE + 2);

  memcpy (line, "+OK ", 4);
  memset (line + 4, 'a', PF_POP3_MAX_STATUS_LINE - 4);
  line[PF_POP3_MAX_STATUS_LINE] = '\0';
  g_assert_true (pf_pop3_parse_reply (line, PF_POP3_MAX_STATUS_LINE, &reply, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (reply.text), ==, PF_POP3_MAX_STATUS_LINE - 4);
  pf_pop3_reply_clear (&reply);

  line[PF_POP3_MAX_STATUS_LINE] = 'a';
  line[PF_POP3_MAX_STATUS_LINE + 1] = '\0';
  g_assert_false (pf_pop3_parse_reply (line, PF_POP3_MAX_STATUS_LINE + 1, &reply, &error));
  g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  g_assert_null (reply.text);
}

static void
test_reply_codes (void)
{
  static const struct {
    const char *line;
    PfPop3Code  code;
    const char *code_text;
    const char *text;
  } cases[] = {
    { "-ERR [IN-USE] Mailbox locked", PF_POP3_CODE_IN_USE, "IN-USE", "Mailbox locked" },
    { "-ERR [LOGIN-DELAY] wait 15 minutes", PF_POP3_CODE_LOGIN_DELAY, "LOGIN-DELAY", "wait 15 minutes" },
    { "-ERR [SYS/TEMP] try later", PF_POP3_CODE_SYS_TEMP, "SYS/TEMP", "try later" },
    { "-ERR [SYS/PERM] account disabled", PF_POP3_CODE_SYS_PERM, "SYS/PERM", "account disabled" },
    { "-ERR [AUTH] Authentication failed.", PF_POP3_CODE_AUTH, "AUTH", "Authentication failed." },
    { "-ERR [UTF8] needs UTF8", PF_POP3_CODE_UTF8, "UTF8", "needs UTF8" },
    { "-ERR [SYS/TEMP/QUOTA] over quota", PF_POP3_CODE_SYS_TEMP, "SYS/TEMP/QUOTA", "over quota" },
    { "-ERR [IN-USE/DOVECOT] locked", PF_POP3_CODE_IN_USE, "IN-USE/DOVECOT", "locked" },
    { "-ERR [in-use] lower case", PF_POP3_CODE_IN_USE, "in-use", "lower case" },
    { "-ERR [SYS] too short", PF_POP3_CODE_OTHER, "SYS", "too short" },
    { "-ERR [SYS/TEMPORARY] not a level match", PF_POP3_CODE_OTHER, "SYS/TEMPORARY", "not a level match" },
    { "-ERR [AUTHX] not AUTH", PF_POP3_CODE_OTHER, "AUTHX", "not AUTH" },
    { "-ERR [X-VENDOR] something", PF_POP3_CODE_OTHER, "X-VENDOR", "something" },
    { "+OK [UTF8] fine", PF_POP3_CODE_UTF8, "UTF8", "fine" },
    { "-ERR [AUTH]", PF_POP3_CODE_AUTH, "AUTH", "" },
    /* Not codes: stays text. */
    { "-ERR [no close", PF_POP3_CODE_NONE, NULL, "[no close" },
    { "-ERR [] empty", PF_POP3_CODE_NONE, NULL, "[] empty" },
    { "-ERR [SYS//TEMP] empty level", PF_POP3_CODE_NONE, NULL, "[SYS//TEMP] empty level" },
    { "-ERR [SYS/] trailing slash", PF_POP3_CODE_NONE, NULL, "[SYS/] trailing slash" },
    { "-ERR [IN USE] space", PF_POP3_CODE_NONE, NULL, "[IN USE] space" },
    { "-ERR x [IN-USE] not first", PF_POP3_CODE_NONE, NULL, "x [IN-USE] not first" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PfPop3Reply reply = { 0 };
      g_autoptr(GError) error = NULL;

      g_test_message ("line: %s", cases[i].line);
      g_assert_true (parse (cases[i].line, &reply, &error));
      g_assert_no_error (error);
      g_assert_cmpint (reply.code, ==, cases[i].code);
      g_assert_cmpstr (reply.code_text, ==, cases[i].code_text);
      g_assert_cmpstr (reply.text, ==, cases[i].text);
      pf_pop3_reply_clear (&reply);
    }
}

static void
test_reply_code_to_error (void)
{
  static const struct { const char *line; PfErrorCode code; } cases[] = {
    { "-ERR [IN-USE] locked", PF_ERROR_IN_USE },
    { "-ERR [LOGIN-DELAY] wait", PF_ERROR_LOGIN_DELAY },
    { "-ERR [SYS/TEMP] later", PF_ERROR_SYS_TEMP },
    { "-ERR [SYS/PERM] never", PF_ERROR_SYS_PERM },
    { "-ERR [AUTH] wrong", PF_ERROR_AUTH_REJECTED },
    { "-ERR [UTF8] utf8", PF_ERROR_SERVER },
    { "-ERR [X-FOO] other", PF_ERROR_SERVER },
    { "-ERR plain", PF_ERROR_SERVER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PfPop3Reply reply = { 0 };
      g_autoptr(GError) error = NULL;

      g_assert_true (parse (cases[i].line, &reply, NULL));
      pf_pop3_reply_set_error (&reply, PF_ERROR_SERVER, &error);
      g_assert_error (error, PF_ERROR, (gint) cases[i].code);
      g_assert_cmpstr (error->message, ==, reply.text);
      pf_pop3_reply_clear (&reply);
    }

  {
    PfPop3Reply reply = { 0 };
    g_autoptr(GError) error = NULL;

    g_assert_true (parse ("-ERR", &reply, NULL));
    pf_pop3_reply_set_error (&reply, PF_ERROR_AUTH_REJECTED, &error);
    g_assert_error (error, PF_ERROR, PF_ERROR_AUTH_REJECTED);
    g_assert_cmpstr (error->message, !=, "");
    pf_pop3_reply_clear (&reply);
  }
}

static void
test_reply_sanitised (void)
{
  PfPop3Reply reply = { 0 };
  const char line[] = "-ERR \x1b[2J\x1b[31mYour password \x1b]0;owned\x07" "expired\x7f\x01 call 555";

  g_assert_true (pf_pop3_parse_reply (line, sizeof line - 1, &reply, NULL));
  g_assert_cmpstr (reply.text, ==, "Your password expired call 555");
  pf_pop3_reply_clear (&reply);
}

static void
check_sanitize (const char *in,
                gssize      len,
                const char *expected)
{
  g_autofree char *out = pf_pop3_sanitize_text (in, len);

  g_assert_true (g_utf8_validate (out, -1, NULL));
  g_assert_cmpstr (out, ==, expected);
}

static void
test_sanitize_controls (void)
{
  check_sanitize ("plain text", -1, "plain text");
  check_sanitize ("  padded  ", -1, "padded");
  check_sanitize ("tab\there", -1, "tab here");
  check_sanitize ("bell\a back\bspace\x7f", -1, "bell backspace");
  check_sanitize ("nul\0inside", 10, "nulinside");
  check_sanitize ("cr\rlf\nend", -1, "cr lf end");
  check_sanitize (NULL, -1, "");
  check_sanitize ("", 0, "");
  check_sanitize ("abc", 2, "ab");
}

static void
test_sanitize_escape_sequences (void)
{
  /* CSI with parameters and intermediates */
  check_sanitize ("a\x1b[1;31mred\x1b[0m b", -1, "ared b");
  check_sanitize ("a\x1b[?25lb", -1, "ab");
  /* OSC terminated by BEL and by ST: window title / hyperlink spoofing */
  check_sanitize ("x\x1b]0;title\x07y", -1, "xy");
  check_sanitize ("x\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\y", -1, "xclicky");
  /* DCS, APC */
  check_sanitize ("x\x1bPq#0;2;0;0;0\x1b\\y", -1, "xy");
  check_sanitize ("x\x1b_hidden\x1b\\y", -1, "xy");
  /* Two-byte escapes: RIS, charset switch */
  check_sanitize ("x\x1b" "cy", -1, "xy");
  check_sanitize ("x\x1b(0y", -1, "xy");
  /* Unterminated sequences eat to the end, never past it */
  check_sanitize ("x\x1b]0;never ends", -1, "x");
  check_sanitize ("x\x1b[12", -1, "x");
  check_sanitize ("x\x1b", -1, "x");
  /* C1 controls encoded in UTF-8: U+009B is CSI, U+009D OSC */
  check_sanitize ("a\xc2\x9b" "31mb", -1, "ab");
  check_sanitize ("a\xc2\x9d" "0;t\xc2\x9c" "b", -1, "ab");
  check_sanitize ("a\xc2\x85" "b", -1, "ab");
  /* Bidi overrides */
  check_sanitize ("a\xe2\x80\xae" "cba\xe2\x80\xac" "d", -1, "acbad");
}

static void
test_sanitize_utf8 (void)
{
  check_sanitize ("caf\xc3\xa9", -1, "café");
  check_sanitize ("Gr\xc3\xbc\xc3\x9f" "e \xe2\x9c\x93", -1, "Grüße ✓");
  check_sanitize ("bad\xff" "byte", -1, "bad\xef\xbf\xbd" "byte");
  /* A lone 0x9B byte is invalid UTF-8, not an 8-bit CSI. */
  check_sanitize ("a\x9b" "31mb", -1, "a\xef\xbf\xbd" "31mb");
  /* truncated sequence at the end */
  check_sanitize ("end\xc3", -1, "end\xef\xbf\xbd");
  /* overlong encoding of '/' */
  check_sanitize ("a\xc0\xaf" "b", -1, "a\xef\xbf\xbd\xef\xbf\xbd" "b");
  /* UTF-16 surrogate */
  check_sanitize ("a\xed\xa0\x80" "b", -1, "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "b");
}

static void
test_apop_timestamp (void)
{
  static const struct { const char *greeting; const char *timestamp; } cases[] = {
    { "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>", "<1896.697170952@dbc.mtview.ca.us>" },
    { "POP3 server ready <1896.697170952@dbc.mtview.ca.us>", "<1896.697170952@dbc.mtview.ca.us>" },
    { "Dovecot ready. <4d2f.1.5f1e2a3b.abcd==@host>", "<4d2f.1.5f1e2a3b.abcd==@host>" },
    { "ready <a@b> trailing", "<a@b>" },
    { "no timestamp here", NULL },
    { "ready <>", NULL },
    { "ready <no-at-sign>", NULL },
    { "ready <has space@x>", NULL },
    { "ready <unterminated@x", NULL },
    { "ready <a<b@c>", NULL },
    { "ready <a\x01@b>", NULL },
    { "ready <caf\xc3\xa9@b>", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *ts = pf_pop3_parse_apop_timestamp (cases[i].greeting);
      g_assert_cmpstr (ts, ==, cases[i].timestamp);
    }
  g_assert_null (pf_pop3_parse_apop_timestamp (NULL));
}

static void
test_uid_valid (void)
{
  char uid[PF_POP3_MAX_UID_LEN + 2];

  g_assert_true (pf_pop3_uid_is_valid ("whqtswO00WBw418f9t5JxYwZ", 24));
  g_assert_true (pf_pop3_uid_is_valid ("!", 1));
  g_assert_true (pf_pop3_uid_is_valid ("~", 1));
  g_assert_false (pf_pop3_uid_is_valid ("", 0));
  g_assert_false (pf_pop3_uid_is_valid (NULL, 0));
  g_assert_false (pf_pop3_uid_is_valid ("a b", 3));
  g_assert_false (pf_pop3_uid_is_valid ("a\tb", 3));
  g_assert_false (pf_pop3_uid_is_valid ("a\x7f", 2));
  g_assert_false (pf_pop3_uid_is_valid ("caf\xc3\xa9", 5));
  g_assert_false (pf_pop3_uid_is_valid ("a\0b", 3));

  memset (uid, 'x', sizeof uid);
  g_assert_true (pf_pop3_uid_is_valid (uid, PF_POP3_MAX_UID_LEN));
  g_assert_false (pf_pop3_uid_is_valid (uid, PF_POP3_MAX_UID_LEN + 1));
}

static void
test_list_line (void)
{
  static const char *bad[] = {
    "", "1", "1 ", " 1 120", "1  120", "1 120 ", "1 120 extra", "0 120", "-1 120",
    "+1 120", "1 +120", "1 -120", "a 120", "1 12a", "1\t120", "4294967296 1",
    "1 18446744073709551616", "1 0x10",
  };
  guint msgno = 0;
  guint64 size = 0;

  g_assert_true (pf_pop3_parse_list_line ("1 120", &msgno, &size, NULL));
  g_assert_cmpuint (msgno, ==, 1);
  g_assert_cmpuint (size, ==, 120);
  g_assert_true (pf_pop3_parse_list_line ("4294967295 18446744073709551615", &msgno, &size, NULL));
  g_assert_cmpuint (msgno, ==, G_MAXUINT);
  g_assert_cmpuint (size, ==, G_MAXUINT64);
  g_assert_true (pf_pop3_parse_list_line ("2 0", &msgno, &size, NULL));
  g_assert_cmpuint (size, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("line: \"%s\"", bad[i]);
      g_assert_false (pf_pop3_parse_list_line (bad[i], &msgno, &size, &error));
      g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
    }
}

static void
test_uidl_line (void)
{
  static const char *bad[] = {
    "", "1", "1 ", " 1 abc", "1  abc", "1 abc ", "1 abc def", "0 abc", "x abc",
    "1\tabc", "1 ab\x7f", "1 caf\xc3\xa9",
    "1 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", /* 71 */
  };
  guint msgno = 0;
  g_autofree char *uid = NULL;

  g_assert_true (pf_pop3_parse_uidl_line ("1 whqtswO00WBw418f9t5JxYwZ", &msgno, &uid, NULL));
  g_assert_cmpuint (msgno, ==, 1);
  g_assert_cmpstr (uid, ==, "whqtswO00WBw418f9t5JxYwZ");
  g_clear_pointer (&uid, g_free);

  g_assert_true (pf_pop3_parse_uidl_line ("2 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", /* 70 */
                                          &msgno, &uid, NULL));
  g_assert_cmpuint (strlen (uid), ==, 70);
  g_clear_pointer (&uid, g_free);

  g_assert_true (pf_pop3_parse_uidl_line ("3 <0001.abc@host>!~", &msgno, &uid, NULL));
  g_assert_cmpstr (uid, ==, "<0001.abc@host>!~");
  g_clear_pointer (&uid, g_free);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("line: \"%s\"", bad[i]);
      g_assert_false (pf_pop3_parse_uidl_line (bad[i], &msgno, &uid, &error));
      g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
      g_assert_null (uid);
    }
}

static void
test_stat (void)
{
  static const char *bad[] = { "", "2", "2 ", "two 320", "2 320x", "-2 320", "2  320", " 2 320" };
  guint count = 0;
  guint64 size = 0;

  g_assert_true (pf_pop3_parse_stat ("2 320", &count, &size, NULL));
  g_assert_cmpuint (count, ==, 2);
  g_assert_cmpuint (size, ==, 320);
  g_assert_true (pf_pop3_parse_stat ("0 0", &count, &size, NULL));
  g_assert_cmpuint (count, ==, 0);
  g_assert_true (pf_pop3_parse_stat ("5 1000 messages", &count, &size, NULL));
  g_assert_cmpuint (count, ==, 5);
  g_assert_cmpuint (size, ==, 1000);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("text: \"%s\"", bad[i]);
      g_assert_false (pf_pop3_parse_stat (bad[i], &count, &size, &error));
      g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
    }
}

static void
test_capa_dovecot (void)
{
  g_autoptr(PfCapabilities) caps = pf_capabilities_new ();
  g_autoptr(PfCapabilities) copy = NULL;
  const char *lines[] = {
    "CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE",
    "USER", "SASL PLAIN LOGIN scram-sha-256 SCRAM-SHA-1 CRAM-MD5", "STLS",
  };

  g_assert_false (caps->top);
  g_assert_cmpint (caps->login_delay, ==, -1);
  g_assert_cmpint (caps->expire, ==, -1);
  g_assert_nonnull (caps->sasl);
  g_assert_null (caps->sasl[0]);

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    g_assert_true (pf_capabilities_add_line (caps, lines[i], NULL));

  g_assert_true (caps->top);
  g_assert_true (caps->uidl);
  g_assert_true (caps->resp_codes);
  g_assert_true (caps->pipelining);
  g_assert_true (caps->auth_resp_code);
  g_assert_true (caps->user);
  g_assert_true (caps->stls);
  g_assert_false (caps->utf8);
  g_assert_cmpuint (g_strv_length (caps->sasl), ==, 5);
  g_assert_cmpstr (caps->sasl[0], ==, "PLAIN");
  g_assert_cmpstr (caps->sasl[2], ==, "SCRAM-SHA-256");
  g_assert_true (pf_capabilities_has_sasl (caps, "scram-sha-256"));
  g_assert_true (pf_capabilities_has_sasl (caps, "CRAM-MD5"));
  g_assert_false (pf_capabilities_has_sasl (caps, "GSSAPI"));
  g_assert_null (caps->implementation);

  copy = pf_capabilities_copy (caps);
  g_assert_true (copy->sasl != caps->sasl);
  g_assert_true (g_strv_equal ((const char * const *) copy->sasl, (const char * const *) caps->sasl));
  g_assert_true (copy->stls);
}

static void
test_capa_arguments (void)
{
  g_autoptr(PfCapabilities) caps = pf_capabilities_new ();

  g_assert_true (pf_capabilities_add_line (caps, "LOGIN-DELAY 900", NULL));
  g_assert_cmpint (caps->login_delay, ==, 900);
  g_assert_true (pf_capabilities_add_line (caps, "LOGIN-DELAY 0 USER", NULL));
  g_assert_cmpint (caps->login_delay, ==, 0);
  g_assert_true (pf_capabilities_add_line (caps, "EXPIRE 30", NULL));
  g_assert_cmpint (caps->expire, ==, 30);
  g_assert_true (pf_capabilities_add_line (caps, "expire NEVER", NULL));
  g_assert_cmpint (caps->expire, ==, G_MAXINT64);
  g_assert_true (pf_capabilities_add_line (caps, "EXPIRE 0 USER", NULL));
  g_assert_cmpint (caps->expire, ==, 0);
  g_assert_true (pf_capabilities_add_line (caps, "IMPLEMENTATION Shlemazle-Plotz-v302", NULL));
  g_assert_cmpstr (caps->implementation, ==, "Shlemazle-Plotz-v302");
  g_assert_true (pf_capabilities_add_line (caps, "IMPLEMENTATION \x1b[31mEvil\x1b[0m server\x07", NULL));
  g_assert_cmpstr (caps->implementation, ==, "Evil server");
  g_assert_true (pf_capabilities_add_line (caps, "UTF8 USER", NULL));
  g_assert_true (caps->utf8);
  g_assert_true (pf_capabilities_add_line (caps, "SASL PLAIN", NULL));
  g_assert_true (pf_capabilities_add_line (caps, "SASL plain  XOAUTH2", NULL));
  g_assert_cmpuint (g_strv_length (caps->sasl), ==, 2);
  g_assert_cmpstr (caps->sasl[1], ==, "XOAUTH2");
  g_assert_true (pf_capabilities_add_line (caps, "SASL", NULL));
  g_assert_true (pf_capabilities_add_line (caps, "X-UNKNOWN whatever \x01", NULL));
  g_assert_true (pf_capabilities_add_line (caps, "", NULL));
  g_assert_true (pf_capabilities_add_line (caps, "stls", NULL));
  g_assert_true (caps->stls);
}

static void
test_capa_malformed (void)
{
  static const char *bad[] = {
    "LOGIN-DELAY", "LOGIN-DELAY soon", "LOGIN-DELAY -5", "LOGIN-DELAY 10 ADMIN",
    "LOGIN-DELAY 10 USER more", "LOGIN-DELAY 99999999999999999999", "EXPIRE",
    "EXPIRE never-ever", "EXPIRE 1x", "SASL PL@IN", "SASL ABCDEFGHIJKLMNOPQRSTU",
    "SASL caf\xc3\xa9",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(PfCapabilities) caps = pf_capabilities_new ();
      g_autoptr(GError) error = NULL;

      g_test_message ("line: \"%s\"", bad[i]);
      g_assert_false (pf_capabilities_add_line (caps, bad[i], &error));
      g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
    }
}

static void
test_capa_sasl_bounded (void)
{
  g_autoptr(PfCapabilities) caps = pf_capabilities_new ();
  g_autoptr(GError) error = NULL;
  guint i;

  for (i = 0; i < 1000; i++)
    {
      g_autofree char *line = g_strdup_printf ("SASL X-MECH-%u", i);

      if (!pf_capabilities_add_line (caps, line, &error))
        break;
    }
  g_assert_error (error, PF_ERROR, PF_ERROR_PROTOCOL);
  g_assert_cmpuint (i, <, 1000);
  g_assert_cmpuint (g_strv_length (caps->sasl), ==, i);
}

static void
test_listed_size_tolerance (void)
{
  /* Exact, and up to max (1 KiB, size/50) over. */
  g_assert_true (pf_pop3_data_fits_listed_size (100, 100, 0));
  g_assert_true (pf_pop3_data_fits_listed_size (100, 1124, 0));
  g_assert_false (pf_pop3_data_fits_listed_size (100, 1125, 0));
  g_assert_true (pf_pop3_data_fits_listed_size (1000000, 1020000, 0));
  g_assert_false (pf_pop3_data_fits_listed_size (1000000, 1020001, 0));
  /* A server counting LF line ends: one byte more per line. */
  g_assert_true (pf_pop3_data_fits_listed_size (6000, 9000 + 1024, 3000));
  g_assert_false (pf_pop3_data_fits_listed_size (6000, 9000 + 1025, 3000));
  /* Less than listed is no framing error. */
  g_assert_true (pf_pop3_data_fits_listed_size (5000, 0, 0));
}

/* Feeds @data whole, then again byte by byte (every split of a chunk). */
static gboolean
glued_in (guint64     listed_size,
          const char *data)
{
  PfGluedReplyScan whole = { 0 };
  PfGluedReplyScan bytes = { 0 };
  gboolean found = pf_pop3_glued_reply_scan (&whole, listed_size, data, strlen (data));

  for (const char *p = data; *p != '\0'; p++)
    pf_pop3_glued_reply_scan (&bytes, listed_size, p, 1);
  g_assert_cmpint (bytes.found, ==, found);
  return found;
}

static void
test_glued_reply (void)
{
  /* "body 2" is 6 bytes as listed; its dot glued on, then message 3's reply. */
  g_assert_true (glued_in (6, "body 2.\r\n+OK\r\nSubject: 3\r\n"));
  g_assert_true (glued_in (6, "body 2.\n-ERR no such message\n"));
  g_assert_true (glued_in (40, "Subject: 2\r\n\r\nlong enough body 2\r\nend.\r\n+OK 54 octets\r\n"));
  /* A server counting LF line ends lists fewer bytes: still past it. */
  g_assert_true (glued_in (36, "Subject: 2\r\n\r\nlong enough body 2\r\nend.\r\n+OK\r\n"));
  /* Inside the listed bytes it is the message's own text. */
  g_assert_false (glued_in (100, "Subject: x\r\n\r\nThe server said.\r\n+OK\r\nand so on\r\n"));
  g_assert_false (glued_in (23, "The server said.\r\n+OK\r\n"));
  /* Past them, but not after a line ending in a dot, or not a reply. */
  g_assert_false (glued_in (6, "body 2\r\n+OK\r\n"));
  g_assert_false (glued_in (6, "body 2.\r\n+Ok\r\n"));
  g_assert_false (glued_in (6, "body 2.\r\n-ER\r\n"));
  g_assert_false (glued_in (6, "body 2.\r\n\r\n+OK\r\n"));
  g_assert_false (glued_in (6, "body 2.\r\n +OK\r\n"));
}

/* Shaped like a LIST answer's entries. */
typedef struct
{
  guint   msgno;
  guint64 size;
} ListEntry;

static void
test_duplicate_msgno (void)
{
  ListEntry ascending[] = { { 1, 10 }, { 2, 20 }, { 5, 50 } };
  ListEntry shuffled[] = { { 5, 10 }, { 2, 20 }, { 3, 50 } };
  ListEntry twice[] = { { 1, 10 }, { 2, 20 }, { 1, 30 } };
  ListEntry twice_adjacent[] = { { 1, 10 }, { 1, 20 } };

  g_assert_cmpuint (pf_pop3_find_duplicate_msgno (ascending, 3, sizeof (ListEntry)), ==, 0);
  g_assert_cmpuint (pf_pop3_find_duplicate_msgno (shuffled, 3, sizeof (ListEntry)), ==, 0);
  g_assert_cmpuint (pf_pop3_find_duplicate_msgno (twice, 3, sizeof (ListEntry)), ==, 1);
  g_assert_cmpuint (pf_pop3_find_duplicate_msgno (twice_adjacent, 2, sizeof (ListEntry)), ==, 1);
  g_assert_cmpuint (pf_pop3_find_duplicate_msgno (NULL, 0, sizeof (ListEntry)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/pop3/parse/reply/ok-and-err", test_reply_ok);
  g_test_add_func ("/engine/pop3/parse/reply/continuation", test_reply_continuation);
  g_test_add_func ("/engine/pop3/parse/reply/not-pop3-rejected", test_reply_rejects);
  g_test_add_func ("/engine/pop3/parse/reply/length-cap", test_reply_length_cap);
  g_test_add_func ("/engine/pop3/parse/reply/response-codes", test_reply_codes);
  g_test_add_func ("/engine/pop3/parse/reply/code-to-error", test_reply_code_to_error);
  g_test_add_func ("/engine/pop3/parse/reply/text-sanitised", test_reply_sanitised);
  g_test_add_func ("/engine/pop3/parse/sanitize/controls", test_sanitize_controls);
  g_test_add_func ("/engine/pop3/parse/sanitize/escape-sequences", test_sanitize_escape_sequences);
  g_test_add_func ("/engine/pop3/parse/sanitize/invalid-utf8", test_sanitize_utf8);
  g_test_add_func ("/engine/pop3/parse/apop/timestamp", test_apop_timestamp);
  g_test_add_func ("/engine/pop3/parse/uid/valid", test_uid_valid);
  g_test_add_func ("/engine/pop3/parse/list/line-strict", test_list_line);
  g_test_add_func ("/engine/pop3/parse/uidl/line-strict", test_uidl_line);
  g_test_add_func ("/engine/pop3/parse/stat/answer", test_stat);
  g_test_add_func ("/engine/pop3/parse/capa/dovecot", test_capa_dovecot);
  g_test_add_func ("/engine/pop3/parse/capa/arguments", test_capa_arguments);
  g_test_add_func ("/engine/pop3/parse/capa/malformed-rejected", test_capa_malformed);
  g_test_add_func ("/engine/pop3/parse/capa/sasl-list-bounded", test_capa_sasl_bounded);
  g_test_add_func ("/engine/pop3/parse/data/listed-size-tolerance", test_listed_size_tolerance);
  g_test_add_func ("/engine/pop3/parse/list/duplicate-msgno", test_duplicate_msgno);
  g_test_add_func ("/engine/pop3/parse/data/glued-reply", test_glued_reply);

  return g_test_run ();
}
