/* pf-transcript.c — the redacted protocol log shown for troubleshooting
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pf-sanitize.h"
#include "pf-transcript.h"

/* Memory stays flat for a session of any length: the start (greeting,
 * CAPA, TLS, login — where troubleshooting looks) and the most recent
 * lines are kept, the middle is counted. */
#define HEAD_MAX 200
#define TAIL_MAX 1000
/* A single entry never holds more than this many bytes of text. */
#define TEXT_MAX 1024

#define REDACTED "<redacted>"

struct _PfTranscript
{
  GObject             parent_instance;

  gint64              start_us;
  GPtrArray          *head;               /* PfTranscriptEntry*, at most HEAD_MAX */
  PfTranscriptEntry  *tail[TAIL_MAX];     /* ring buffer */
  guint               tail_start;
  guint               tail_len;
  guint64             n_dropped;
  PfTranscriptEntry  *dropped_marker;     /* between head and tail once n_dropped > 0 */
};

G_DEFINE_FINAL_TYPE (PfTranscript, pf_transcript, G_TYPE_OBJECT)

static void
entry_free (PfTranscriptEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->text);
  g_free (entry);
}

static void
pf_transcript_finalize (GObject *object)
{
  PfTranscript *self = PF_TRANSCRIPT (object);

  g_ptr_array_unref (self->head);
  for (guint i = 0; i < self->tail_len; i++)
    entry_free (self->tail[(self->tail_start + i) % TAIL_MAX]);
  entry_free (self->dropped_marker);

  G_OBJECT_CLASS (pf_transcript_parent_class)->finalize (object);
}

static void
pf_transcript_class_init (PfTranscriptClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pf_transcript_finalize;
}

static void
pf_transcript_init (PfTranscript *self)
{
  self->start_us = g_get_monotonic_time ();
  self->head = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
}

PfTranscript *
pf_transcript_new (void)
{
  return g_object_new (PF_TYPE_TRANSCRIPT, NULL);
}

/* Cut @text (valid UTF-8) to at most TEXT_MAX bytes on a character boundary. */
static char *
bound_text (char *text)
{
  gsize len = strlen (text);
  const char *cut;
  char *bounded;

  if (len <= TEXT_MAX)
    return text;
  cut = g_utf8_find_prev_char (text, text + TEXT_MAX - strlen ("…") + 1);
  bounded = g_strdup_printf ("%.*s…", (int) (cut - text), text);
  g_free (text);
  return bounded;
}

static void
update_dropped_marker (PfTranscript *self,
                       gint64        time_us)
{
  if (self->dropped_marker == NULL)
    {
      self->dropped_marker = g_new0 (PfTranscriptEntry, 1);
      self->dropped_marker->direction = PF_TRANSCRIPT_INFO;
    }
  self->dropped_marker->time_us = time_us;
  g_free (self->dropped_marker->text);
  self->dropped_marker->text =
    g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                  "%lu line left out to save memory",
                                  "%lu lines left out to save memory",
                                  self->n_dropped > G_MAXULONG ? G_MAXULONG : (gulong) self->n_dropped),
                     self->n_dropped > G_MAXULONG ? G_MAXULONG : (gulong) self->n_dropped);
}

/* Takes @text. */
static void
append (PfTranscript          *self,
        PfTranscriptDirection  direction,
        gboolean               tls,
        char                  *text)
{
  PfTranscriptEntry *entry = g_new0 (PfTranscriptEntry, 1);

  entry->time_us = g_get_monotonic_time () - self->start_us;
  entry->direction = direction;
  entry->tls = tls;
  entry->text = bound_text (text);

  if (self->head->len < HEAD_MAX)
    {
      g_ptr_array_add (self->head, entry);
      return;
    }

  if (self->tail_len == TAIL_MAX)
    {
      PfTranscriptEntry *oldest = self->tail[self->tail_start];

      self->n_dropped++;
      update_dropped_marker (self, oldest->time_us);
      entry_free (oldest);
      self->tail[self->tail_start] = entry;
      self->tail_start = (self->tail_start + 1) % TAIL_MAX;
      return;
    }

  self->tail[(self->tail_start + self->tail_len) % TAIL_MAX] = entry;
  self->tail_len++;
}

/* "PASS secret" → "PASS <redacted>": keep the command (and for APOP and
 * AUTH the user name or mechanism) so the transcript still says what
 * happened, and drop the secret-bearing argument. */
char *
pf_transcript_redact_command (const char *line,
                              gboolean    in_sasl)
{
  g_autofree char *keyword = NULL;
  g_autofree char *argument = NULL;
  gsize keyword_len;
  const char *rest;
  const char *arg_end;

  g_return_val_if_fail (line != NULL, NULL);

  /* A SASL answer is all secret, except the "*" that cancels the exchange. */
  if (in_sasl)
    return g_strdup (strcmp (line, "*") == 0 ? "*" : REDACTED);

  /* Decide on the raw bytes, so sanitising can never join a secret to
   * something that is kept: the keyword is the leading letters, and
   * whatever separates it from a secret, the secret goes. */
  for (keyword_len = 0; g_ascii_isalpha (line[keyword_len]); keyword_len++)
    ;
  rest = line + keyword_len;
  if (*rest == '\0' || strspn (rest, " \t\r\n") == strlen (rest))
    return pf_pop3_sanitize_text (line, -1);
  keyword = g_strndup (line, keyword_len);

  if (g_ascii_strcasecmp (keyword, "PASS") == 0)
    return g_strconcat (keyword, " " REDACTED, NULL);

  if (g_ascii_strcasecmp (keyword, "APOP") != 0 && g_ascii_strcasecmp (keyword, "AUTH") != 0)
    return pf_pop3_sanitize_text (line, -1);

  /* APOP user digest, AUTH mechanism [initial-response] */
  rest += strspn (rest, " \t");
  arg_end = rest + strcspn (rest, " \t");
  if (strspn (arg_end, " \t\r\n") == strlen (arg_end))
    {
      if (g_ascii_strcasecmp (keyword, "APOP") == 0)
        return g_strconcat (keyword, " " REDACTED, NULL);
      return pf_pop3_sanitize_text (line, -1);
    }
  argument = pf_pop3_sanitize_text (rest, arg_end - rest);
  return g_strconcat (keyword, " ", argument, " " REDACTED, NULL);
}

void
pf_transcript_add_command (PfTranscript *self,
                           const char   *line,
                           gboolean      tls,
                           gboolean      in_sasl)
{
  g_return_if_fail (PF_IS_TRANSCRIPT (self));
  g_return_if_fail (line != NULL);

  append (self, PF_TRANSCRIPT_SENT, tls, pf_transcript_redact_command (line, in_sasl));
}

void
pf_transcript_add_reply (PfTranscript *self,
                         const char   *line,
                         gsize         len,
                         gboolean      tls)
{
  g_return_if_fail (PF_IS_TRANSCRIPT (self));
  g_return_if_fail (line != NULL || len == 0);

  /* Sanitising copies at most what is kept, whatever the line's length. */
  append (self, PF_TRANSCRIPT_RECEIVED, tls,
          pf_pop3_sanitize_text (line, (gssize) MIN (len, (gsize) TEXT_MAX * 4)));
}

void
pf_transcript_add_data (PfTranscript *self,
                        guint64       bytes,
                        gboolean      tls)
{
  g_return_if_fail (PF_IS_TRANSCRIPT (self));

  append (self, PF_TRANSCRIPT_RECEIVED, tls,
          g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "(%lu byte of data)",
                                        "(%lu bytes of data)",
                                        bytes > G_MAXULONG ? G_MAXULONG : (gulong) bytes),
                           bytes > G_MAXULONG ? G_MAXULONG : (gulong) bytes));
}

void
pf_transcript_add_info (PfTranscript *self,
                        const char   *format,
                        ...)
{
  va_list args;
  g_autofree char *text = NULL;

  g_return_if_fail (PF_IS_TRANSCRIPT (self));
  g_return_if_fail (format != NULL);

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  append (self, PF_TRANSCRIPT_INFO, FALSE, pf_pop3_sanitize_text (text, -1));
}

guint
pf_transcript_get_n_entries (PfTranscript *self)
{
  g_return_val_if_fail (PF_IS_TRANSCRIPT (self), 0);

  return self->head->len + (self->n_dropped > 0 ? 1 : 0) + self->tail_len;
}

guint64
pf_transcript_get_n_dropped (PfTranscript *self)
{
  g_return_val_if_fail (PF_IS_TRANSCRIPT (self), 0);

  return self->n_dropped;
}

const PfTranscriptEntry *
pf_transcript_get_entry (PfTranscript *self,
                         guint         index)
{
  g_return_val_if_fail (PF_IS_TRANSCRIPT (self), NULL);
  g_return_val_if_fail (index < pf_transcript_get_n_entries (self), NULL);

  if (index < self->head->len)
    return g_ptr_array_index (self->head, index);
  index -= self->head->len;

  if (self->n_dropped > 0)
    {
      if (index == 0)
        return self->dropped_marker;
      index--;
    }

  return self->tail[(self->tail_start + index) % TAIL_MAX];
}

char *
pf_transcript_to_string (PfTranscript *self)
{
  GString *out;
  guint n;

  g_return_val_if_fail (PF_IS_TRANSCRIPT (self), NULL);

  out = g_string_new (NULL);
  n = pf_transcript_get_n_entries (self);
  for (guint i = 0; i < n; i++)
    {
      const PfTranscriptEntry *entry = pf_transcript_get_entry (self, i);
      const char *who;

      switch (entry->direction)
        {
        case PF_TRANSCRIPT_SENT:     who = entry->tls ? "C:" : "C (plain):"; break;
        case PF_TRANSCRIPT_RECEIVED: who = entry->tls ? "S:" : "S (plain):"; break;
        case PF_TRANSCRIPT_INFO:
        default:                     who = "--"; break;
        }

      g_string_append_printf (out, "+%" G_GINT64_FORMAT ".%03d %s %s\n",
                              entry->time_us / G_USEC_PER_SEC,
                              (int) (entry->time_us % G_USEC_PER_SEC / 1000),
                              who, entry->text);
    }

  return g_string_free (out, FALSE);
}
