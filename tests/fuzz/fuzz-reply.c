/* fuzz-reply.c — status lines, response codes, sanitising, listings
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdint.h>

#include "pf-pop3-parse.h"
#include "pf-transcript.h"

#include "fuzz-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_reply (const char *line,
             gsize       len)
{
  PfPop3Reply reply = { 0 };
  g_autoptr(GError) error = NULL;

  if (pf_pop3_parse_reply (line, len, &reply, &error))
    {
      FUZZ_CHECK (error == NULL);
      FUZZ_CHECK (len <= PF_POP3_MAX_STATUS_LINE);
      FUZZ_CHECK (reply.text != NULL);
      if (reply.status == PF_POP3_STATUS_CONTINUE)
        FUZZ_CHECK (line[0] == '+');
      else
        {
          fuzz_check_sanitised (reply.text);
          FUZZ_CHECK (reply.status == PF_POP3_STATUS_OK ? strncmp (line, "+OK", 3) == 0
                                                        : strncmp (line, "-ERR", 4) == 0);
        }
      if (reply.code_text != NULL)
        {
          FUZZ_CHECK (reply.code != PF_POP3_CODE_NONE);
          FUZZ_CHECK (strchr (reply.code_text, ' ') == NULL && strchr (reply.code_text, ']') == NULL);
        }
      else
        FUZZ_CHECK (reply.code == PF_POP3_CODE_NONE);
      if (reply.status == PF_POP3_STATUS_ERR)
        {
          g_autoptr(GError) server_error = NULL;

          pf_pop3_reply_set_error (&reply, PF_ERROR_SERVER, &server_error);
          FUZZ_CHECK (server_error != NULL && server_error->domain == PF_ERROR);
        }
    }
  else
    {
      FUZZ_CHECK (error != NULL && error->domain == PF_ERROR && error->code == PF_ERROR_PROTOCOL);
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
      FUZZ_CHECK (reply.text == NULL && reply.code_text == NULL);
    }
  pf_pop3_reply_clear (&reply);
}

static void
check_listing (const char *line)
{
  guint msgno = 0;
  guint64 size = 0;
  char *uid = NULL;
  g_autofree char *timestamp = NULL;
  g_autofree char *redacted = NULL;

  if (pf_pop3_parse_list_line (line, &msgno, &size, NULL))
    FUZZ_CHECK (msgno > 0);
  if (pf_pop3_parse_uidl_line (line, &msgno, &uid, NULL))
    {
      FUZZ_CHECK (msgno > 0);
      FUZZ_CHECK (pf_pop3_uid_is_valid (uid, strlen (uid)));
      FUZZ_CHECK (strlen (uid) <= PF_POP3_MAX_UID_LEN);
      g_free (uid);
    }
  else
    FUZZ_CHECK (uid == NULL);
  pf_pop3_parse_stat (line, &msgno, &size, NULL);

  timestamp = pf_pop3_parse_apop_timestamp (line);
  if (timestamp != NULL)
    FUZZ_CHECK (timestamp[0] == '<' && timestamp[strlen (timestamp) - 1] == '>' &&
                strchr (timestamp, '@') != NULL);

  redacted = pf_transcript_redact_command (line, FALSE);
  fuzz_check_sanitised (redacted);
  /* Whatever follows PASS, or the digest of APOP, never shows. */
  if (g_ascii_strncasecmp (line, "PASS ", 5) == 0 && strspn (line + 5, " \t\r\n") < strlen (line + 5))
    FUZZ_CHECK (strlen (redacted) == strlen ("PASS <redacted>") && g_str_has_suffix (redacted, " <redacted>"));
  if (g_ascii_strncasecmp (line, "APOP ", 5) == 0 && strspn (line + 5, " \t\r\n") < strlen (line + 5))
    FUZZ_CHECK (g_str_has_suffix (redacted, " <redacted>"));
}

/* The glued-reply scan gives one answer however the data is split. */
static void
check_glued_reply (const uint8_t *data,
                   size_t         size)
{
  guint64 listed_size = size > 0 ? data[0] : 0;
  PfGluedReplyScan whole = { 0 };
  PfGluedReplyScan split = { 0 };
  size_t half = size / 2;

  pf_pop3_glued_reply_scan (&whole, listed_size, (const char *) data, size);
  pf_pop3_glued_reply_scan (&split, listed_size, (const char *) data, half);
  pf_pop3_glued_reply_scan (&split, listed_size, (const char *) data + half, size - half);
  FUZZ_CHECK (whole.found == split.found);
  FUZZ_CHECK (whole.found || whole.offset == size);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *whole = fuzz_strdup (data, size);
  g_autofree char *clean = pf_pop3_sanitize_text ((const char *) data, (gssize) size);
  const char *start = whole;

  fuzz_check_sanitised (clean);

  /* The whole input as one line (embedded NULs and all) … */
  check_reply ((const char *) data, size);
  check_glued_reply (data, size);

  /* … and each LF-separated line, as the line reader would hand them over. */
  for (;;)
    {
      const char *end = strchr (start, '\n');
      g_autofree char *line = g_strndup (start, end != NULL ? (gsize) (end - start) : strlen (start));
      gsize len = strlen (line);

      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
      check_reply (line, len);
      check_listing (line);
      if (end == NULL)
        break;
      start = end + 1;
    }

  return 0;
}
