/* pf-fetcher-summary.c — PfFetcher: what a session saw on the server (the
 * server view), and logging in again at providers that show a mailbox in
 * batches
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pf-error.h"
#include "pf-fetcher-private.h"

/* A header for the view is read with TOP n 0; one larger than this is
 * not one to show (and the message keeps its size alone). */
#define VIEW_HEADER_CAP (256 * 1024)

typedef struct
{
  Run             *run;
  PfServerMessage *message;   /* in run->over_limit_view, which outlives the TOP */
  GOutputStream   *sink;
} HeaderRead;

char *
pf_fetcher_server_view_path (PfJournal *journal)
{
  const char *journal_path = pf_journal_get_path (journal);
  g_autofree char *base = g_str_has_suffix (journal_path, ".journal")
                          ? g_strndup (journal_path, strlen (journal_path) - strlen (".journal"))
                          : g_strdup (journal_path);

  return g_strconcat (base, ".server", NULL);
}

static void
on_header (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  HeaderRead *read = user_data;
  Run *run = read->run;
  g_autoptr(GError) error = NULL;

  run->reading_headers--;
  if (pf_pop3_client_retrieve_finish (PF_POP3_CLIENT (source), result, NULL, &error)
      && g_output_stream_close (read->sink, NULL, &error))
    {
      GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (read->sink);

      pf_server_message_set_header (read->message, g_memory_output_stream_get_data (memory),
                                    g_memory_output_stream_get_data_size (memory));
    }
  else if (!g_error_matches (error, PF_ERROR, PF_ERROR_SERVER))
    pf_fetcher_run_fail (run, g_steal_pointer (&error));
  /* -ERR: a server without TOP; the view shows the size alone. */

  g_object_unref (read->sink);
  g_free (read);
  pf_fetcher_maybe_start_fetching (run);
}

void
pf_fetcher_note_over_limit (Run        *run,
                            const char *uid,
                            guint       msgno,
                            guint64     reported_size,
                            guint64     listed_size,
                            gboolean    read_header)
{
  PfFetchSkipped skipped = { g_strdup (uid), msgno, reported_size };
  PfServerMessage *message;

  g_array_append_val (run->result->over_limit, skipped);

  if (run->over_limit_view == NULL)
    run->over_limit_view = g_ptr_array_new_with_free_func ((GDestroyNotify) pf_server_message_free);
  message = pf_server_view_dup_known (run->previous_view, uid, listed_size);
  if (message == NULL)
    message = pf_server_message_new (uid, listed_size);
  g_ptr_array_add (run->over_limit_view, message);

  /* Only a survey reads headers: a header past the cap ends the session,
   * which must never keep a fetch from the rest of the mailbox. A fetch
   * keeps the headers a survey read before. */
  if (!read_header || run->self->target != PF_FETCH_TARGET_SURVEY
      || message->from != NULL || message->subject != NULL || message->date != NULL)
    return;

  /* Pipelined with the listing's other checks; fetching starts once the
   * headers are in. */
  {
    HeaderRead *read = g_new0 (HeaderRead, 1);

    read->run = run;
    read->message = message;
    read->sink = g_memory_output_stream_new_resizable ();
    run->reading_headers++;
    pf_pop3_client_retrieve_checked_async (run->self->client, msgno, 0, -1, VIEW_HEADER_CAP,
                                           read->sink, run->cancellable, on_header, read);
  }
}

/* A response code that speaks of the quota ("+OK [QUOTA/WARN] …"), in
 * what the server said during the session: RFC 2449 has none for it, but
 * servers that warn put it there. Text received before TLS on a TLS
 * session is not trusted. */
static const char *
find_quota_reply (PfPop3Client *client)
{
  PfTranscript *transcript = pf_pop3_client_get_transcript (client);
  gboolean tls = pf_pop3_client_get_tls_active (client);
  guint n = transcript != NULL ? pf_transcript_get_n_entries (transcript) : 0;

  for (guint i = 0; i < n; i++)
    {
      const PfTranscriptEntry *entry = pf_transcript_get_entry (transcript, i);
      const char *code, *close;
      g_autofree char *upper = NULL;

      if (entry->direction != PF_TRANSCRIPT_RECEIVED || (tls && !entry->tls) || entry->text == NULL)
        continue;
      if (g_str_has_prefix (entry->text, "+OK ["))
        code = entry->text + 4;
      else if (g_str_has_prefix (entry->text, "-ERR ["))
        code = entry->text + 5;
      else
        continue;
      close = strchr (code, ']');
      if (close == NULL)
        continue;
      upper = g_ascii_strup (code, close - code);
      if (strstr (upper, "QUOTA") != NULL)
        return entry->text;
    }
  return NULL;
}

/* After QUIT: what is on the server now. */
static PfServerView *
summarize (Run *run)
{
  PfFetcher *self = run->self;
  PfServerView *view = pf_server_view_new ();
  guint fetched = run->result->fetched - run->fetched_before;
  guint deleted_here = run->deletes_acked - MIN (run->deletes_acked, run->deleted_undelivered);
  guint here = run->here_listed + fetched;
  const char *quota_reply = self->client != NULL ? find_quota_reply (self->client) : NULL;

  pf_server_view_set_updated (view, run->now);
  pf_server_view_set_counts (view,
                             run->listed_count - MIN (run->listed_count, run->deletes_acked),
                             run->listed_bytes - MIN (run->listed_bytes, run->delete_bytes),
                             here - MIN (here, deleted_here));
  pf_server_view_set_size_limit (view, self->size_limit);
  pf_server_view_set_no_uidl (view, run->no_uidl);
  if (run->over_limit_view != NULL)
    pf_server_view_take_over_limit (view, g_steal_pointer (&run->over_limit_view));
  if (quota_reply != NULL)
    pf_server_view_set_quota (view, self->quota, PF_QUOTA_SOURCE_SERVER, quota_reply);
  else if (self->quota > 0)
    pf_server_view_set_quota (view, self->quota, PF_QUOTA_SOURCE_PROVIDER, NULL);
  return view;
}

void
pf_fetcher_session_ended (Run *run)
{
  PfFetcher *self = run->self;

  g_clear_pointer (&run->view, pf_server_view_unref);
  run->view = summarize (run);
  g_clear_pointer (&run->result->server_view, pf_server_view_unref);
  run->result->server_view = pf_server_view_ref (run->view);

  /* Some providers show a mailbox in batches: Gmail lists the oldest
   * (about) 250 conversations not yet downloaded, and the next batch only
   * to the next session. So while a session brought new mail, log in
   * again, at most max_sessions times a run. Only where the provider
   * table says so (the accounts road sets max_sessions): a session that
   * "showed exactly N messages" would not do, since Gmail counts
   * conversations, not messages, and elsewhere a needless second login a
   * fetch can meet a login delay ([LOGIN-DELAY]) or a mailbox still
   * locked by the session just ended. */
  run->log_in_again = run->error == NULL && self->target == PF_FETCH_TARGET_ALL
                      && run->sessions < self->max_sessions
                      && run->result->fetched > run->fetched_before;
}

/* Between two sessions of a run: forget what belonged to the last one. */
void
pf_fetcher_session_reset (Run *run)
{
  g_assert (run->in_flight == 0 && run->deletes_in_flight == 0 && run->confirming == 0
            && run->reading_headers == 0 && run->ready->len == 0);

  g_clear_pointer (&run->todo, g_array_unref);
  g_clear_pointer (&run->server_uidl, pf_uidl_list_unref);
  run->next_to_queue = 0;
  run->planned = FALSE;
  run->quitting = FALSE;
  run->log_in_again = FALSE;
  run->deletes_acked = 0;
  run->delete_bytes = 0;
  g_ptr_array_set_size (run->deleted_uids, 0);
  g_array_set_size (run->result->over_limit, 0);
  run->result->already_had = 0;
  run->listed_count = 0;
  run->listed_bytes = 0;
  run->here_listed = 0;
  run->deleted_undelivered = 0;
  run->fetched_before = run->result->fetched;
  g_clear_handle_id (&run->progress_source, g_source_remove);
  /* This session's headers serve the next one. */
  g_clear_pointer (&run->previous_view, pf_server_view_unref);
  run->previous_view = g_steal_pointer (&run->view);
}
