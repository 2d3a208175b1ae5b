/* pf-transcript.h — the redacted protocol log shown for troubleshooting
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  PF_TRANSCRIPT_SENT,
  PF_TRANSCRIPT_RECEIVED,
  PF_TRANSCRIPT_INFO,      /* Popfetch's own notes: "connecting to …", "TLS 1.3 established" */
} PfTranscriptDirection;

typedef struct
{
  gint64                 time_us;     /* since the transcript started */
  PfTranscriptDirection  direction;
  gboolean               tls;         /* the line crossed an encrypted link */
  char                  *text;        /* already redacted and sanitised */
} PfTranscriptEntry;

#define PF_TYPE_TRANSCRIPT (pf_transcript_get_type ())

G_DECLARE_FINAL_TYPE (PfTranscript, pf_transcript, PF, TRANSCRIPT, GObject)

PfTranscript *pf_transcript_new        (void);

/* A command as it will be sent; secrets are redacted here: PASS argument,
 * APOP digest, AUTH initial response. @in_sasl marks a line sent as a SASL
 * continuation answer, which is redacted whole. */
void          pf_transcript_add_command (PfTranscript *self,
                                         const char   *line,
                                         gboolean      tls,
                                         gboolean      in_sasl);
/* A line from the server (sanitised here). */
void          pf_transcript_add_reply   (PfTranscript *self,
                                         const char   *line,
                                         gsize         len,
                                         gboolean      tls);
/* Multi-line payload is not recorded, only its size. */
void          pf_transcript_add_data    (PfTranscript *self,
                                         guint64       bytes,
                                         gboolean      tls);
void          pf_transcript_add_info    (PfTranscript *self,
                                         const char   *format,
                                         ...) G_GNUC_PRINTF (2, 3);

/* Memory is bounded: the first 200 and the last 1000 entries are kept, and
 * once lines were left out in between, one PF_TRANSCRIPT_INFO entry there
 * says how many (its text changes as more are dropped). Entries hold at
 * most 1 KiB of text. Pointers stay valid until the next add. */
guint                    pf_transcript_get_n_entries (PfTranscript *self);
guint64                  pf_transcript_get_n_dropped (PfTranscript *self);
const PfTranscriptEntry *pf_transcript_get_entry     (PfTranscript *self,
                                                      guint         index);

/* Plain text, one entry per line: "+0.123 C: USER bob", "S:", "--" for
 * notes; lines that crossed an unencrypted link read "C (plain):" and
 * "S (plain):". */
char         *pf_transcript_to_string  (PfTranscript *self);

/* Pure: the redacted form of a command line: "PASS <redacted>",
 * "APOP user <redacted>", "AUTH MECH <redacted>" (initial response), and
 * with @in_sasl the whole line "<redacted>" (except the cancelling "*"). */
char         *pf_transcript_redact_command (const char *line,
                                            gboolean    in_sasl);

G_END_DECLS
