/* pf-pop3-parse.h — POP3 response, CAPA and listing parsers, pure
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pf-error.h"
#include "pf-sanitize.h"

G_BEGIN_DECLS

/* A status line longer than this (without CRLF) is a protocol violation.
 * RFC 2449 allows 512 octets; SASL challenges can be longer, so be generous. */
#define PF_POP3_MAX_STATUS_LINE 8192
/* RFC 1939: a unique-id is 1 to 70 characters in 0x21..0x7E. */
#define PF_POP3_MAX_UID_LEN 70

typedef enum
{
  PF_POP3_STATUS_OK,
  PF_POP3_STATUS_ERR,
  PF_POP3_STATUS_CONTINUE,   /* "+ " SASL continuation */
} PfPop3Status;

/* RFC 2449 and RFC 3206 extended response codes. */
typedef enum
{
  PF_POP3_CODE_NONE,
  PF_POP3_CODE_IN_USE,
  PF_POP3_CODE_LOGIN_DELAY,
  PF_POP3_CODE_SYS_TEMP,
  PF_POP3_CODE_SYS_PERM,
  PF_POP3_CODE_AUTH,
  PF_POP3_CODE_UTF8,
  PF_POP3_CODE_OTHER,
} PfPop3Code;

typedef struct
{
  PfPop3Status  status;
  PfPop3Code    code;
  char         *code_text;  /* raw code between brackets, e.g. "SYS/TEMP", or NULL */
  char         *text;       /* the rest, sanitised (see pf_pop3_sanitize_text) */
} PfPop3Reply;

void     pf_pop3_reply_clear (PfPop3Reply *reply);

/* @line excludes CRLF. Fails (PF_ERROR_PROTOCOL) for anything that is not
 * +OK, -ERR or "+ ", and for lines over PF_POP3_MAX_STATUS_LINE. For
 * PF_POP3_STATUS_CONTINUE, text holds the raw base64 (not sanitised). */
gboolean pf_pop3_parse_reply (const char   *line,
                              gsize         len,
                              PfPop3Reply  *reply,
                              GError      **error);

/* The PF_ERROR code a response code stands for: IN-USE, LOGIN-DELAY,
 * SYS/TEMP, SYS/PERM and AUTH map to their own codes, anything else
 * (no code, UTF8, unknown) to @fallback. */
PfErrorCode pf_pop3_code_to_error (PfPop3Code  code,
                                   PfErrorCode fallback);
/* Set @error from an -ERR reply: the code via pf_pop3_code_to_error(), the
 * message the server's sanitised text (or a generic sentence when empty). */
void     pf_pop3_reply_set_error (const PfPop3Reply  *reply,
                                  PfErrorCode         fallback,
                                  GError            **error);

/* The "<...@...>" timestamp of an APOP greeting, or NULL. */
char    *pf_pop3_parse_apop_timestamp (const char *greeting);

gboolean pf_pop3_uid_is_valid (const char *uid,
                               gsize       len);

/* One line of a multi-line LIST / UIDL answer (already unstuffed, no CRLF):
 * "msgno size" / "msgno uid". Strict: exactly one space, decimal msgno > 0,
 * decimal size, a valid uid. PF_ERROR_PROTOCOL otherwise. */
gboolean pf_pop3_parse_list_line (const char  *line,
                                  guint       *msgno,
                                  guint64     *size,
                                  GError     **error);
gboolean pf_pop3_parse_uidl_line (const char  *line,
                                  guint       *msgno,
                                  char       **uid,
                                  GError     **error);
/* How far a message's data may run past the size LIST gave for it before
 * it counts as a framing error (the terminating dot missed, the next
 * reply swallowed) or a lie about its size. Servers count line ends
 * differently (CRLF as sent, LF as stored, or with a line or two of their
 * own), so the data as received (CRLF, dot-unstuffed) may hold up to
 * @listed_size + one byte per line received (@lines) + max (1 KiB,
 * @listed_size / 50). Pure. */
gboolean pf_pop3_data_fits_listed_size (guint64 listed_size,
                                        guint64 bytes,
                                        guint64 lines);

/* The next reply glued to a message whose terminating dot lost its CRLF
 * ("last line.\r\n+OK\r\n…"): when the swallowed message is small, the
 * data stays inside the tolerance above, so the shape is looked for too.
 * A line that starts after all @listed_size bytes, follows a line ending
 * in ".", and begins "+OK" or "-ERR" is the next reply, not data. Only the
 * last few bytes before the listed size and what comes after are looked
 * at byte by byte. Zero-initialise, then feed the data (as received,
 * dot-unstuffed) in order; TRUE once such a line was seen. Pure. */
typedef struct
{
  guint64 offset;      /* data bytes fed so far */
  gboolean dot;        /* the line so far ends in "." (CR aside) */
  gboolean at_start;   /* at a line start past the listed size, after such a line */
  guint8  matched;     /* bytes of "+OK" or "-ERR" matched at a line start */
  char    first;       /* '+' or '-' while matching, else 0 */
  gboolean found;
} PfGluedReplyScan;

gboolean pf_pop3_glued_reply_scan (PfGluedReplyScan *scan,
                                   guint64           listed_size,
                                   const char       *data,
                                   gsize             len);

/* The first message number given twice in a LIST or UIDL answer (an
 * array of elements of @element_size bytes, each starting with its guint
 * msgno), or 0 when every number is unique. Pure; O(n) when the numbers
 * ascend, as every server sends them, else it sorts a copy. */
guint    pf_pop3_find_duplicate_msgno  (const void *entries,
                                        guint       n_entries,
                                        gsize       element_size);

/* Single-line "+OK msgno size" / "+OK msgno uid" and STAT "+OK count size". */
gboolean pf_pop3_parse_stat (const char  *text,
                             guint       *count,
                             guint64     *size,
                             GError     **error);

/* What CAPA (RFC 2449) said. */
typedef struct
{
  gboolean   top;
  gboolean   user;
  gboolean   uidl;
  gboolean   pipelining;
  gboolean   stls;
  gboolean   resp_codes;
  gboolean   auth_resp_code;
  gboolean   utf8;
  gint64     login_delay;    /* seconds, -1 when not announced */
  gint64     expire;         /* days; -1 not announced; G_MAXINT64 for NEVER */
  char     **sasl;           /* upper-case mechanism names, NULL-terminated, never NULL */
  char      *implementation; /* sanitised, or NULL */
} PfCapabilities;

PfCapabilities *pf_capabilities_new      (void);
void            pf_capabilities_free     (PfCapabilities *caps);
PfCapabilities *pf_capabilities_copy     (const PfCapabilities *caps);
/* Feed one line of the CAPA answer; unknown capabilities are ignored,
 * malformed arguments of known ones fail with PF_ERROR_PROTOCOL. */
gboolean        pf_capabilities_add_line (PfCapabilities *caps,
                                          const char     *line,
                                          GError        **error);
gboolean        pf_capabilities_has_sasl (const PfCapabilities *caps,
                                          const char           *mechanism);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfCapabilities, pf_capabilities_free)

G_END_DECLS
