/* pf-fetcher-session.c — PfFetcher: a run's POP3 session, from connecting
 * and logging in through listing, planning, retrieving and deleting to QUIT
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-fetcher-private.h"

/* ------------------------------------------------------------------ */
/* Finishing                                                            */

static void
on_quit (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  if (!pf_pop3_client_quit_finish (PF_POP3_CLIENT (source), result, &error))
    {
      /* The deletions were not committed; the messages stay delivered
       * and will be deleted by a later run. */
      pf_fetcher_run_fail (run, g_steal_pointer (&error));
      pf_fetcher_run_return (run);
      return;
    }
  run->result->deleted += run->deletes_acked;
  pf_fetcher_session_ended (run);

  /* The server deleted them: the ids are free for it to hand out again,
   * and a message listed under one later is new mail. The server view
   * is written with them. */
  run->recording = TRUE;
  task = g_task_new (NULL, NULL, pf_fetcher_on_gone_recorded, run);
  g_task_set_source_tag (task, on_quit);
  g_task_set_task_data (task, run, NULL);
  g_task_run_in_thread (task, pf_fetcher_gone_thread);
}

void
pf_fetcher_run_maybe_finish (Run *run)
{
  gboolean more_to_fetch = run->error == NULL && !run->session_lost && run->todo != NULL
                           && (!run->planned || run->next_to_queue < run->todo->len);

  if (run->quitting)
    return;
  /* Whatever arrived whole is made durable, even after a failure. */
  pf_fetcher_commit_start (run);
  if (run->in_flight > 0 || run->committing || run->compacting || run->preparing
      || more_to_fetch || run->deletes_in_flight > 0 || run->confirming > 0 || run->listing > 0
      || run->reading_headers > 0)
    return;
  pf_fetcher_drop_spare (run);

  run->quitting = TRUE;
  if ((run->error != NULL && !run->winding_up) || run->session_lost)
    {
      /* Drop the link without QUIT: the server commits no deletion. */
      pf_pop3_client_close (run->self->client);
      pf_fetcher_run_return (run);
      return;
    }

  /* After a cancel (winding up) QUIT ends the session as cleanly as a
   * finished fetch; the deletions it commits are of messages durable
   * here. Cancelling it too is the wind-up timer's business; a finished
   * fetch's QUIT is not cut short by a late cancel. */
  pf_fetcher_fault_point (run->fault, "before-quit");
  pf_fetcher_set_phase (run->self, PF_FETCH_PHASE_DELETING);
  pf_pop3_client_quit_async (run->self->client, run->winding_up ? run->cancellable : NULL,
                             on_quit, run);
}

static gboolean
on_wind_up_timeout (gpointer user_data)
{
  Run *run = user_data;

  /* The replies on their way take too long: cut the link. */
  run->wind_up_timer = 0;
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_REMOVE;
}

/* The caller cancelled. Before any message is on its way: stop at once.
 * While fetching: no further RETR goes out, the replies on the wire
 * arrive whole and are kept, and QUIT ends the session (for at most
 * WIND_UP_SECONDS). Cutting the link in the middle of a reply instead
 * leaves some servers holding the mailbox locked for the cut session:
 * Dovecot with pop3_lock_session, behind its TLS login proxy, refused the
 * next fetch for tens of seconds. */
gboolean
pf_fetcher_on_user_cancelled (GCancellable *cancellable,
                              gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  g_clear_pointer (&run->user_cancel, g_source_unref);
  if (run->quitting)
    return G_SOURCE_REMOVE;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  pf_fetcher_run_fail (run, error);
  if (run->self->phase != PF_FETCH_PHASE_FETCHING || run->self->client == NULL)
    {
      g_cancellable_cancel (run->cancellable);
      return G_SOURCE_REMOVE;
    }

  run->winding_up = TRUE;
  run->wind_up_timer = g_timeout_add_seconds (WIND_UP_SECONDS, on_wind_up_timeout, run);
  pf_pop3_client_drop_pending (run->self->client, run->error);
  pf_fetcher_run_maybe_finish (run);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* Deleting                                                             */

static void
on_delete (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  /* Answers come in the order the commands went out. */
  char *uid = g_queue_pop_head (&run->delete_uids);

  run->deletes_in_flight--;
  if (pf_pop3_client_delete_finish (PF_POP3_CLIENT (source), result, &error))
    {
      run->deletes_acked++;
      g_ptr_array_add (run->deleted_uids, uid);
    }
  else
    {
      g_free (uid);
      if (!run->session_lost)
        pf_fetcher_run_fail (run, g_steal_pointer (&error));
    }
  pf_fetcher_run_maybe_finish (run);
}

void
pf_fetcher_queue_delete (Run        *run,
                         guint       msgno,
                         const char *uid,
                         guint64     size)
{
  run->deletes_in_flight++;
  run->delete_bytes += size;
  g_queue_push_tail (&run->delete_uids, g_strdup (uid));
  pf_pop3_client_delete_async (run->self->client, msgno, run->cancellable, on_delete, run);
}

gboolean
pf_fetcher_policy_deletes (Run    *run,
                           gint64  first_seen)
{
  switch (run->self->policy)
    {
    case PF_FETCH_DELETE:
      return TRUE;
    case PF_FETCH_DELETE_AFTER_DAYS:
      return run->now - first_seen >= (gint64) run->self->days * SECONDS_PER_DAY;
    case PF_FETCH_KEEP:
    default:
      return FALSE;
    }
}

/* A deletion the user asked for in the reader: the same checks as any
 * deletion (journaled, same size, same headers) decide. */
static gboolean
requested_deletes (Run        *run,
                   const char *uid)
{
  return run->requested != NULL && g_hash_table_contains (run->requested, uid);
}

/* ------------------------------------------------------------------ */
/* Retrieving                                                           */

static GError *
local_error_of (Message *message,
                GError  *error)
{
  /* A write error from our own stream is already PF_ERROR_LOCAL_DISK;
   * make sure it stays classified that way whatever the client wrapped. */
  if (error->domain == G_IO_ERROR
      && (error->code == G_IO_ERROR_NO_SPACE || error->code == G_IO_ERROR_PERMISSION_DENIED))
    return g_error_new (PF_ERROR, PF_ERROR_LOCAL_DISK, "%s", error->message);
  return g_error_copy (error);
}

/* The data of a message ran past the size limit although LIST gave it as
 * smaller: the client stopped reading it and ended the session. The first
 * message to fail so is that one; every RETR after it failed with it. */
static void
note_past_size_limit (Run     *run,
                      Message *message)
{
  g_autoptr(GError) error = NULL;

  if (run->session_lost)
    return;
  run->session_lost = TRUE;

  pf_fetcher_note_over_limit (run, message->uid, message->msgno,
                              MAX (message->server_size, run->self->size_limit + 1),
                              message->server_size, FALSE);
  /* Not synced: losing it costs one more stopped RETR next run. Without
   * it every run would stop at this message and never reach the rest. */
  if (message->uid != NULL
      && !pf_journal_record_oversize (run->journal, message->uid, message->server_size, &error))
    g_warning ("%s", error->message);
}

static void
on_retrieve (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Message *message = user_data;
  Run *run = message->run;
  g_autoptr(GError) error = NULL;
  guint64 bytes = 0;
  gboolean ok;

  run->in_flight--;
  run->bytes_in_flight -= pf_fetcher_retrieve_size (message);
  g_queue_remove (&run->retrieving, message);

  ok = pf_pop3_client_retrieve_finish (PF_POP3_CLIENT (source), result, &bytes, &error);
  /* Closing flushes the last buffer to the page cache only. */
  if (ok)
    ok = g_output_stream_close (message->stream, NULL, &error);

  if (!ok)
    {
      g_autoptr(GError) ignored = NULL;

      /* Half a message never reaches new/: remove it now (recovery would
       * too, as its pending record has no delivered record). */
      if (!g_output_stream_is_closed (message->stream))
        g_output_stream_close (message->stream, NULL, NULL);
      pf_maildir_remove_tmp (run->maildir, message->base, &ignored);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE))
        note_past_size_limit (run, message);
      else
        pf_fetcher_run_fail (run, local_error_of (message, error));
      pf_fetcher_message_free (message);
      pf_fetcher_run_maybe_finish (run);
      return;
    }

  message->size = pf_maildir_tmp_get_size (message->stream);
  message->header_digest = g_strdup (pf_maildir_tmp_get_header_digest (message->stream));
  message->name = pf_maildir_make_name (message->base, message->size);
  if (run->no_uidl)
    message->uid = g_strconcat ("sha256:", pf_maildir_tmp_get_sha256 (message->stream), NULL);
  g_clear_object (&message->stream);

  run->bytes_completed += message->server_size;
  pf_fetcher_set_uint (run->self, &run->self->messages_done, run->self->messages_done + 1, PROP_MESSAGES_DONE);

  g_ptr_array_add (run->ready, message);
  pf_fetcher_commit_start (run);
  pf_fetcher_run_queue_retrieves (run);
  pf_fetcher_run_maybe_finish (run);
}

/* The byte cap of a RETR: the size limit, which a message fetched on
 * purpose (PF_FETCH_TARGET_ONE) is not held to. */
static guint64
retrieve_cap (Run *run)
{
  return run->self->target == PF_FETCH_TARGET_ONE ? 0 : run->self->size_limit;
}

void
pf_fetcher_run_queue_retrieves (Run *run)
{
  while (run->error == NULL && !run->session_lost && run->in_flight < RETRIEVE_WINDOW_MESSAGES
         && run->next_to_queue < run->todo->len)
    {
      const Todo *todo = &g_array_index (run->todo, Todo, run->next_to_queue);
      guint64 size = todo->size;
      Message *message;
      Slot *slot;

      /* One message always goes, however large. */
      if (run->in_flight > 0 && run->bytes_in_flight + size > RETRIEVE_WINDOW_BYTES)
        break;
      slot = g_queue_pop_head (&run->spare);
      if (slot == NULL)
        break;
      run->next_to_queue++;

      /* Its full record only now: it lives in the callback. */
      message = g_new0 (Message, 1);
      message->msgno = todo->msgno;
      if (todo->uid_index != TODO_NO_UID)
        message->uid = g_strdup (pf_uidl_list_get_uid (run->server_uidl, todo->uid_index));
      message->server_size = todo->size;
      message->base = g_steal_pointer (&slot->base);
      message->stream = g_steal_pointer (&slot->stream);
      pf_fetcher_slot_free (slot);
      message->run = run;

      run->in_flight++;
      run->bytes_in_flight += size;
      g_queue_push_tail (&run->retrieving, message);
      pf_pop3_client_retrieve_checked_async (run->self->client, message->msgno, -1,
                                             (gint64) message->server_size,
                                             retrieve_cap (run), message->stream,
                                             run->cancellable, on_retrieve, message);
    }

  if (g_queue_get_length (&run->spare) < PREPARE_BATCH / 2)
    pf_fetcher_prepare_start (run);
}

/* ------------------------------------------------------------------ */
/* Planning                                                             */

static void
start_fetching (Run *run)
{
  PfFetcher *self = run->self;
  guint64 total = 0;

  for (guint i = 0; i < run->todo->len; i++)
    total += g_array_index (run->todo, Todo, i).size;

  g_object_freeze_notify (G_OBJECT (self));
  pf_fetcher_set_phase (self, PF_FETCH_PHASE_FETCHING);
  /* A later session of the run adds to the totals of the earlier ones. */
  pf_fetcher_set_uint (self, &self->messages_total, self->messages_done + run->todo->len,
                       PROP_MESSAGES_TOTAL);
  pf_fetcher_set_uint64 (self, &self->bytes_total, run->bytes_completed + total, PROP_BYTES_TOTAL);
  g_object_thaw_notify (G_OBJECT (self));

  run->rate_time = g_get_monotonic_time ();
  run->progress_source = g_timeout_add (PROGRESS_INTERVAL_MS, pf_fetcher_on_progress_tick, run);

  pf_fetcher_run_queue_retrieves (run);
  pf_fetcher_run_maybe_finish (run);
}

/* Fetching starts once compaction and the checks before deleting are
 * done: a check that fails adds its message to the ones to fetch. */
void
pf_fetcher_maybe_start_fetching (Run *run)
{
  if (run->planned || run->compacting || run->confirming > 0 || run->reading_headers > 0)
    return;
  run->planned = TRUE;
  if (run->error != NULL)
    {
      pf_fetcher_run_maybe_finish (run);
      return;
    }
  start_fetching (run);
}


/* @uid_index: in run->server_uidl, or TODO_NO_UID. */
static void
todo_add (Run     *run,
          guint    msgno,
          guint    uid_index,
          guint64  size)
{
  Todo todo = { msgno, uid_index, size };

  g_array_append_val (run->todo, todo);
}

static void
on_confirmed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Confirm *confirm = user_data;
  Run *run = confirm->run;
  g_autoptr(GError) error = NULL;

  run->confirming--;
  if (pf_pop3_client_retrieve_finish (PF_POP3_CLIENT (source), result, NULL, &error)
      && g_output_stream_close (confirm->sink, NULL, &error))
    {
      GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (confirm->sink);
      g_autofree char *digest = pf_maildir_header_digest (g_memory_output_stream_get_data (memory),
                                                          g_memory_output_stream_get_data_size (memory));

      if (strcmp (digest, confirm->header_digest) == 0)
        {
          run->result->already_had++;
          pf_fetcher_queue_delete (run, confirm->msgno, confirm->uid, confirm->size);
        }
      else
        {
          /* Same id, same size, another header: the server gave a used id
           * to a new message. Fetch it; never delete it unread. */
          g_debug ("Message %u (%s) is not the one journaled under its id", confirm->msgno,
                   confirm->uid);
          run->here_listed--;
          todo_add (run, confirm->msgno, confirm->uid_index, confirm->size);
        }
    }
  else if (g_error_matches (error, PF_ERROR, PF_ERROR_SERVER))
    {
      /* No TOP: the message cannot be told from another; it stays. */
      run->result->already_had++;
    }
  else
    pf_fetcher_run_fail (run, g_steal_pointer (&error));

  pf_fetcher_confirm_free (confirm);
  pf_fetcher_maybe_start_fetching (run);
}

static Confirm *
confirm_new (Run                  *run,
             guint                 msgno,
             guint                 uid_index,
             const char           *uid,
             guint64               size,
             const PfJournalEntry *entry)
{
  Confirm *confirm = g_new0 (Confirm, 1);

  confirm->run = run;
  confirm->msgno = msgno;
  confirm->uid_index = uid_index;
  confirm->uid = g_strdup (uid);
  confirm->size = size;
  confirm->header_digest = g_strdup (entry->header_digest);
  confirm->name = g_strdup (entry->name);
  return confirm;
}

/* Before deleting a message delivered in an earlier run: is it still the
 * one delivered? TOP n 0 (pipelined with the rest) and its header digest
 * against the journal's. Takes @confirm. */
static void
queue_confirm (Run     *run,
               Confirm *confirm)
{
  g_assert (confirm->header_digest != NULL);
  confirm->sink = g_memory_output_stream_new_resizable ();
  run->confirming++;
  pf_pop3_client_retrieve_checked_async (run->self->client, confirm->msgno, 0, -1, HEADER_CAP,
                                         confirm->sink, run->cancellable, on_confirmed, confirm);
}

static void
on_compacted (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  run->compacting = FALSE;
  g_clear_pointer (&run->listed_known, g_hash_table_unref);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    pf_fetcher_run_fail (run, error);

  /* The entries from before header digests: the compaction thread read
   * the digest of each one's file. Without the file (deleted here, or
   * moved by a mail reader) nothing tells the message from another that
   * took its id: it stays on the server. */
  for (guint i = 0; run->unverified != NULL && i < run->unverified->len; i++)
    {
      Confirm *confirm = g_steal_pointer (&run->unverified->pdata[i]);

      if (run->error == NULL && confirm->header_digest != NULL)
        queue_confirm (run, confirm);
      else
        {
          if (confirm->header_digest == NULL)
            g_debug ("Message %u (%s): its file %s is gone, it cannot be checked; kept",
                     confirm->msgno, confirm->uid, confirm->name);
          run->result->already_had++;
          pf_fetcher_confirm_free (confirm);
        }
    }
  if (run->unverified != NULL)
    g_ptr_array_set_size (run->unverified, 0);
  pf_fetcher_maybe_start_fetching (run);
}

static int
compare_list_entries (gconstpointer a,
                      gconstpointer b)
{
  guint first = ((const PfListEntry *) a)->msgno;
  guint second = ((const PfListEntry *) b)->msgno;

  return first < second ? -1 : first > second;
}

/* UIDL and LIST must name the same messages (each answer has no number
 * twice: the client refuses that): a message with an id and no size
 * could not be held to the size limit nor checked against the journal,
 * and one with a size and no id could not be told from mail already
 * here. @sizes is sorted. */
static gboolean
listing_agrees (PfUidlList  *uids,
                GArray      *sizes,
                GError     **error)
{
  guint n = pf_uidl_list_get_length (uids);

  if (n != sizes->len)
    {
      g_set_error (error, PF_ERROR, PF_ERROR_PROTOCOL,
                   _("The server’s UIDL and LIST answers do not agree: %u unique-ids for %u "
                     "messages."), n, sizes->len);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      const PfListEntry key = { pf_uidl_list_get_msgno (uids, i), 0 };

      if (bsearch (&key, sizes->data, sizes->len, sizeof (PfListEntry), compare_list_entries) == NULL)
        {
          g_set_error (error, PF_ERROR, PF_ERROR_PROTOCOL,
                       _("The server’s UIDL and LIST answers do not agree: message %u has a "
                         "unique-id but no size."), key.msgno);
          return FALSE;
        }
    }
  return TRUE;
}

/* @uids: the UIDL answer, or NULL without UIDL; @sizes: the LIST answer
 * (sorted here). Each listed message is looked up in the journal as the
 * listing is walked: what is to be fetched is kept as a Todo of 16 bytes
 * pointing into @uids, and only the ids the journal knows are kept
 * apart for compaction. */
static void
plan (Run        *run,
      PfUidlList *uids,
      GArray     *sizes)
{
  PfFetcher *self = run->self;
  GError *error = NULL;
  guint n;

  /* Sizes by message number: a binary search in the LIST answer (in
   * order already from every server seen), not a table of its own. */
  g_array_sort (sizes, compare_list_entries);
  if (uids != NULL && !listing_agrees (uids, sizes, &error))
    {
      pf_fetcher_run_fail (run, error);
      pf_fetcher_run_maybe_finish (run);
      return;
    }

  run->todo = g_array_new (FALSE, FALSE, sizeof (Todo));
  if (run->unverified == NULL)
    run->unverified = g_ptr_array_new_with_free_func ((GDestroyNotify) pf_fetcher_confirm_free);

  run->listed_count = sizes->len;
  for (guint i = 0; i < sizes->len; i++)
    run->listed_bytes += g_array_index (sizes, PfListEntry, i).size;

  if (uids != NULL)
    {
      run->server_uidl = pf_uidl_list_ref (uids);
      /* The ids the journal knows are marked in it as listed
       * (pf_journal_note_listed), not kept here a second time: a mailbox
       * of a million journaled messages would need a set as large. The
       * set, empty, says that the listing had ids. */
      run->listed_known = g_hash_table_new (g_str_hash, g_str_equal);
    }
  n = uids != NULL ? pf_uidl_list_get_length (uids) : sizes->len;
  for (guint i = 0; i < n; i++)
    {
      guint msgno = uids != NULL ? pf_uidl_list_get_msgno (uids, i)
                                 : g_array_index (sizes, PfListEntry, i).msgno;
      guint uid_index = uids != NULL ? i : TODO_NO_UID;
      const char *uid = NULL;
      const PfListEntry key = { msgno, 0 };
      const PfListEntry *listed = bsearch (&key, sizes->data, sizes->len, sizeof (PfListEntry),
                                           compare_list_entries);
      /* Found: UIDL and LIST agree, and without UIDL LIST is the list. */
      guint64 size = listed->size;
      PfJournalEntry entry;
      gboolean is_target = FALSE;

      if (uids != NULL)
        {
          gboolean journaled;

          uid = pf_uidl_list_get_uid (uids, i);
          is_target = self->target_uid != NULL && strcmp (uid, self->target_uid) == 0;
          run->target_found |= is_target;
          journaled = pf_journal_get_entry (run->journal, uid, &entry);
          /* Marks the entry or oversize record, if @uid has one. */
          pf_journal_note_listed (run->journal, uid);
          if (journaled && pf_journal_entry_matches_size (&entry, size))
            {
              pf_journal_learn_size (run->journal, uid, size);
              run->here_listed++;
              if (is_target && self->target == PF_FETCH_TARGET_DELETE_ONE)
                {
                  pf_fetcher_queue_delete (run, msgno, uid, size);
                  continue;
                }
              /* Only a whole fetch deletes by the policy or the reader's
               * requests. */
              if (self->target != PF_FETCH_TARGET_ALL)
                {
                  run->result->already_had++;
                  continue;
                }
              if (!(pf_fetcher_policy_deletes (run, entry.first_seen) || requested_deletes (run, uid)))
                run->result->already_had++;
              else if (entry.header_digest != NULL)
                queue_confirm (run, confirm_new (run, msgno, i, uid, size, &entry));
              else
                {
                  /* Journaled before header digests were (and sizes:
                   * such an entry matches any): the file delivered
                   * gives the digest, read with the compaction. */
                  g_ptr_array_add (run->unverified, confirm_new (run, msgno, i, uid, size, &entry));
                }
              continue;
            }
          /* Not journaled, or journaled with another size: a reused id
           * names a new message. The one asked for by its id goes
           * whatever its size. */
          if (is_target && self->target == PF_FETCH_TARGET_ONE)
            {
              todo_add (run, msgno, uid_index, size);
              continue;
            }
          if (is_target && self->target == PF_FETCH_TARGET_DELETE_ONE)
            {
              run->deleted_undelivered++;
              pf_fetcher_queue_delete (run, msgno, uid, size);
              continue;
            }
          if (pf_journal_is_oversize (run->journal, uid, size))
            {
              pf_fetcher_note_over_limit (run, uid, msgno, MAX (size, self->size_limit + 1),
                                          size, TRUE);
              continue;
            }
        }

      if (self->size_limit > 0 && size > self->size_limit)
        {
          pf_fetcher_note_over_limit (run, uid, msgno, size, size, TRUE);
          continue;
        }

      if (self->target == PF_FETCH_TARGET_ALL)
        todo_add (run, msgno, uid_index, size);
    }

  if ((self->target == PF_FETCH_TARGET_ONE || self->target == PF_FETCH_TARGET_DELETE_ONE)
      && !run->target_found)
    {
      if (uids == NULL)
        pf_fetcher_run_fail (run, g_error_new (PF_ERROR, PF_ERROR_NO_UIDL,
                                               _("The server cannot name its messages (no UIDL), "
                                                 "so one message cannot be picked out by its "
                                                 "unique-id.")));
      else
        pf_fetcher_run_fail (run, g_error_new (PF_ERROR, PF_ERROR_INVALID_INPUT,
                                               _("The server holds no message with the unique-id "
                                                 "“%s”."), self->target_uid));
    }

  /* Without UIDL the hashes are kept as they are (no set for
   * compaction): until a deletion is committed any of them may still be
   * on the server. */

  {
    g_autoptr(GTask) task = g_task_new (NULL, NULL, on_compacted, run);

    /* Forget ids long gone from the server, count the misses of the
     * others, and drop the pending records recovery has dealt with. The
     * journal writes only when something changed. Holds the run open:
     * DELE and TOP replies may come back meanwhile. */
    g_task_set_source_tag (task, plan);
    g_task_set_task_data (task, run, NULL);
    run->compacting = TRUE;
    g_task_run_in_thread (task, pf_fetcher_compact_thread);
  }
}

/* STAT, UIDL and LIST went out together; the plan starts once all three
 * answered. */
static void
listing_done (Run *run)
{
  PfUidlList *uids;
  g_autoptr(GArray) sizes = NULL;

  g_assert (run->listing > 0);
  if (--run->listing > 0)
    return;

  uids = g_steal_pointer (&run->listed_uids);
  sizes = g_steal_pointer (&run->listed_sizes);
  if (run->error != NULL || sizes == NULL)
    {
      g_clear_pointer (&uids, pf_uidl_list_unref);
      pf_fetcher_run_maybe_finish (run);
      return;
    }
  plan (run, uids, sizes);
  g_clear_pointer (&uids, pf_uidl_list_unref);
}

static void
on_list (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  run->listed_sizes = pf_pop3_client_list_finish (PF_POP3_CLIENT (source), result, &error);
  if (run->listed_sizes == NULL)
    pf_fetcher_run_fail (run, error);
  listing_done (run);
}

static void
on_uidl (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  run->listed_uids = pf_pop3_client_uidl_finish (PF_POP3_CLIENT (source), result, &error);
  if (run->listed_uids == NULL)
    {
      if (!g_error_matches (error, PF_ERROR, PF_ERROR_SERVER))
        pf_fetcher_run_fail (run, g_steal_pointer (&error));
      /* -ERR to UIDL: the server does not have it. */
      else if (run->self->policy != PF_FETCH_DELETE)
        pf_fetcher_run_fail (run, g_error_new (PF_ERROR, PF_ERROR_NO_UIDL,
                                               _("The server cannot name its messages (no UIDL), so "
                                                 "Popfetch cannot tell new mail from mail it already "
                                                 "has without deleting it from the server.")));
      else
        {
          run->no_uidl = TRUE;
          run->result->no_uidl = TRUE;
        }
    }
  listing_done (run);
}

static void
on_stat (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  /* The client bounds the UIDL and LIST answers after it by this count:
   * one longer than the mailbox ends the session as a protocol error. */
  if (!pf_pop3_client_stat_finish (PF_POP3_CLIENT (source), result, NULL, NULL, &error))
    pf_fetcher_run_fail (run, error);
  listing_done (run);
}

/* STAT, UIDL and LIST in the same turn of the main loop: with PIPELINING
 * the client sends them in one write, and the listing costs one round
 * trip, not three. STAT comes first so that its count bounds both
 * listings: nothing arrives in a mailbox during a session. */
static void
list_start (Run          *run,
            PfPop3Client *client)
{
  pf_fetcher_set_phase (run->self, PF_FETCH_PHASE_LISTING);
  run->listing = 3;
  pf_pop3_client_stat_async (client, run->cancellable, on_stat, run);
  pf_pop3_client_uidl_async (client, run->cancellable, on_uidl, run);
  pf_pop3_client_list_async (client, run->cancellable, on_list, run);
}

/* ------------------------------------------------------------------ */
/* Connecting                                                           */

static void
on_authenticated (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;
  PfAuthMechanism used = PF_AUTH_AUTO;

  if (!pf_pop3_client_authenticate_finish (PF_POP3_CLIENT (source), result, &used, &error))
    {
      if (pf_pop3_client_renew_refused_token (PF_POP3_CLIENT (source), run->self->credentials,
                                              &run->secret, &run->token_renewed, error))
        {
          g_clear_error (&error);
          pf_fetcher_run_connect (run);
          return;
        }
      /* A refusal that may be the method's, not the password's (a -PLUS
       * bound differently, an APOP the server cannot check): one other
       * method on a new connection, when the account left the choice to
       * Popfetch. */
      if (g_error_matches (error, PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED) &&
          run->self->mechanism == PF_AUTH_AUTO && run->fallback == PF_AUTH_AUTO)
        {
          run->fallback = pf_pop3_client_choose_fallback (PF_POP3_CLIENT (source), used);
          if (run->fallback != PF_AUTH_AUTO)
            {
              g_clear_error (&error);
              pf_pop3_client_close (PF_POP3_CLIENT (source));
              pf_fetcher_run_connect (run);
              return;
            }
        }
      g_clear_pointer (&run->secret, pf_secret_free);
      pf_fetcher_run_fail (run, error);
      pf_fetcher_run_maybe_finish (run);
      return;
    }
  /* A run that may log in again keeps the secret for the next session
   * (wiped with the run). */
  if (run->self->max_sessions <= 1)
    g_clear_pointer (&run->secret, pf_secret_free);
  run->sessions++;
  run->result->sessions = run->sessions;
  run->result->mechanism = used;
  run->result->fell_back = run->fallback != PF_AUTH_AUTO;
  list_start (run, PF_POP3_CLIENT (source));
}

static void
authenticate (Run *run)
{
  PfAuthMechanism mechanism = PF_AUTH_AUTO;
  GError *error = NULL;

  if (!pf_pop3_client_choose_for_secret (run->self->client,
                                         run->fallback != PF_AUTH_AUTO ? run->fallback : run->self->mechanism,
                                         run->secret, &mechanism, &error))
    {
      g_clear_pointer (&run->secret, pf_secret_free);
      pf_fetcher_run_fail (run, error);
      pf_fetcher_run_maybe_finish (run);
      return;
    }
  pf_fetcher_set_phase (run->self, PF_FETCH_PHASE_AUTHENTICATING);
  pf_pop3_client_authenticate_async (run->self->client, run->self->user,
                                     pf_secret_get_value (run->secret), mechanism,
                                     run->cancellable, on_authenticated, run);
}

static void
on_secret (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  run->secret = pf_credentials_get_secret_finish (PF_CREDENTIALS (source), result, &error);
  if (run->secret == NULL)
    {
      pf_fetcher_run_fail (run, error);
      pf_fetcher_run_maybe_finish (run);
      return;
    }
  authenticate (run);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  PfFetcher *self = run->self;
  GError *error = NULL;

  if (!pf_pop3_client_connect_finish (PF_POP3_CLIENT (source), result, &error))
    {
      pf_fetcher_run_fail (run, error);
      pf_fetcher_run_maybe_finish (run);
      return;
    }

  /* The retry after a mechanism's refusal logs in with the secret the
   * first session was given: one keyring lookup (or prompt) per run. */
  if (run->secret != NULL)
    {
      authenticate (run);
      return;
    }
  /* Asked only now: an unreachable server costs no keyring prompt. */
  if (self->credentials == NULL)
    {
      pf_fetcher_run_fail (run, g_error_new_literal (PF_ERROR, PF_ERROR_NO_PASSWORD,
                                                     _("No password was given for this account.")));
      pf_fetcher_run_maybe_finish (run);
      return;
    }
  pf_credentials_get_secret_async (self->credentials, run->cancellable, on_secret, run);
}

void
pf_fetcher_run_connect (Run *run)
{
  PfFetcher *self = run->self;
  PfPop3Client *client;

  g_clear_object (&self->client);
  self->client = client = pf_pop3_client_new_for_settings (run->settings);
  if (self->stall_window > 0)
    pf_pop3_client_set_stall_window (client, self->stall_window);

  pf_fetcher_set_phase (self, PF_FETCH_PHASE_CONNECTING);
  pf_pop3_client_connect_async (client, run->cancellable, on_connected, run);
}
