/* pf-fetcher.c — one fetch run: POP3 into a Maildir, exactly once
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-fetcher.h"
#include "pf-journal.h"
#include "pf-maildir.h"

/* RETR commands on their way: as many as keep RETRIEVE_WINDOW_BYTES of
 * messages (by their LIST sizes) on the wire, so that on a slow link a
 * fetch waits for bandwidth, not for round trips: 8 MiB covers a round
 * trip of 50 ms at over 1 Gbit/s, while one large message at a time keeps
 * the window from holding many of them at once. Each RETR holds an open
 * file in tmp/ (its 64 KiB buffer only while data arrives), hence also at
 * most RETRIEVE_WINDOW_MESSAGES: small messages, which make a round trip
 * bound fetch, fill it long before the bytes do. The client pipelines them
 * within its own window. */
#define RETRIEVE_WINDOW_BYTES (8 * 1024 * 1024)
#define RETRIEVE_WINDOW_MESSAGES 256
/* A message LIST gave no size for counts as this much. */
#define RETRIEVE_UNKNOWN_SIZE (64 * 1024)
/* A cancelled fetch lets the replies already on their way arrive (and
 * keeps those messages), then says QUIT; after this long it cuts the
 * link instead. */
#define WIND_UP_SECONDS 3
#define PREPARE_BATCH 32
#define PROGRESS_INTERVAL_MS 100
#define SECONDS_PER_DAY (24 * 60 * 60)
/* TOP n 0 answers only a header; more than this is no header. */
#define HEADER_CAP (1024 * 1024)

struct _PfFetcher
{
  GObject          parent_instance;

  PfServerSettings *settings;
  char            *user;
  char            *maildir;
  PfAuthMechanism  mechanism;
  PfCredentials   *credentials;
  guint            stall_window;
  char            *state_dir;
  char            *account_name;
  PfFetchPolicy    policy;
  guint            days;
  guint64          size_limit;
  gint64           now;

  PfPop3Client    *client;
  gboolean         running;

  PfFetchPhase     phase;
  guint            messages_done;
  guint            messages_total;
  guint64          bytes_done;
  guint64          bytes_total;
  double           rate;
};

G_DEFINE_FINAL_TYPE (PfFetcher, pf_fetcher, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PHASE,
  PROP_MESSAGES_DONE,
  PROP_MESSAGES_TOTAL,
  PROP_BYTES_DONE,
  PROP_BYTES_TOTAL,
  PROP_RATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  struct _Run    *run;           /* while it is being retrieved */
  guint           msgno;
  char           *uid;           /* NULL until hashed in the no-UIDL fallback */
  guint64         server_size;
  gboolean        size_known;    /* LIST gave it */
  char           *base;
  char           *name;
  char           *header_digest;
  GOutputStream  *stream;
  guint64         size;
  gboolean        duplicate;
} Message;

/* A message delivered in an earlier run, due for deletion once TOP
 * shows the server still holds that very message. */
typedef struct
{
  struct _Run    *run;
  guint           msgno;
  char           *uid;
  guint64         size;
  char           *header_digest;  /* as journaled */
  GOutputStream  *sink;
} Confirm;

typedef struct _Run
{
  PfFetcher      *self;          /* owned by the task */
  GTask          *task;          /* not owned */
  GCancellable   *cancellable;   /* ours: every operation of the run */
  GSource        *user_cancel;   /* watches the caller's cancellable */
  gboolean        winding_up;    /* cancelled while fetching: QUIT, no cut */
  guint           wind_up_timer;
  const char     *fault;         /* POPFETCH_FAULT */
  gint64          now;
  /* From the credentials, asked once per run when the first session is
   * up; kept (wiped when freed) while a login may still need it: a
   * mechanism's refusal retries on a new connection with the same one.
   * Freed at the login's success or final failure, and with the run. */
  PfSecret       *secret;
  PfServerSettings *settings;    /* the fetcher's, with its CA file read */
  PfAuthMechanism fallback;      /* after a mechanism's refusal, the one tried instead */
  /* An access token the server refused was renewed once (invalidate) and
   * tried again on a new connection: a second refusal is final. */
  gboolean        token_renewed;

  PfMaildir      *maildir;
  PfJournal      *journal;
  /* Unique-ids the user deleted in the reader and wants gone from the
   * server too (KEY.delete beside the journal), or NULL. */
  GHashTable     *requested;
  GHashTable     *server_uids;   /* uid → msgno (GUINT_TO_POINTER); until fetching starts */
  PfUidlList     *server_uidl;   /* holds server_uids' keys */
  GPtrArray      *todo;          /* Message*, in server order */
  guint           next_to_queue;
  guint           in_flight;
  guint64         bytes_in_flight;  /* their sizes, by LIST */
  guint           listing;       /* UIDL and LIST replies still to come */
  PfUidlList     *listed_uids;   /* the UIDL answer, until LIST's arrives */
  GArray         *listed_sizes;  /* the LIST answer, until UIDL's arrives */
  GQueue          retrieving;    /* Message*, oldest first */
  GPtrArray      *ready;         /* Message* downloaded, not yet durable */
  gboolean        committing;
  gboolean        compacting;
  gboolean        preparing;
  GQueue          spare;         /* Slot*: tmp/ files made ahead */
  guint           deletes_in_flight;
  guint           deletes_acked;
  GQueue          delete_uids;   /* char*: the ids of the DELEs in flight, in order */
  GPtrArray      *deleted_uids;  /* DELE acknowledged; gone once QUIT commits */
  guint           confirming;    /* TOP checks before a DELE, in flight */
  gboolean        planned;       /* compaction and checks done: fetch */
  gboolean        recording;     /* the gone records being written */
  gboolean        session_lost;  /* a message ran past the size limit: no QUIT */
  gboolean        no_uidl;
  gboolean        quitting;
  GError         *error;         /* the first failure */

  guint64         bytes_completed;
  guint           progress_source;
  gint64          rate_time;
  guint64         rate_bytes;

  PfFetchResult  *result;
  gint64          start_us;
} Run;

typedef struct
{
  char          *base;
  GOutputStream *stream;
} Slot;

static void
slot_free (gpointer data)
{
  Slot *slot = data;

  if (slot == NULL)
    return;   /* handed over */
  g_free (slot->base);
  g_clear_object (&slot->stream);
  g_free (slot);
}

/* The data of one worker-thread step (open, commit, prepare, compact,
 * gone): the run, which the main thread keeps alive until the step is
 * back, and what this step alone works on. */
typedef struct
{
  Run       *run;
  GPtrArray *batch;    /* commit: the messages to make durable */
  guint      wanted;   /* prepare: how many tmp/ files to make */
} Step;

static Step *
step_new (Run *run)
{
  Step *step = g_new0 (Step, 1);

  step->run = run;
  return step;
}

static void
step_free (gpointer data)
{
  Step *step = data;

  g_clear_pointer (&step->batch, g_ptr_array_unref);
  g_free (step);
}

static void run_maybe_finish (Run *run);
static void drop_spare (Run *run);
static void run_queue_retrieves (Run *run);
static void commit_start (Run *run);

/* ------------------------------------------------------------------ */

/* The nicks are what the accounts file stores. */
G_DEFINE_ENUM_TYPE (PfFetchPolicy, pf_fetch_policy,
  G_DEFINE_ENUM_VALUE (PF_FETCH_KEEP, "keep"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_DELETE, "delete"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_DELETE_AFTER_DAYS, "delete-after"))

G_DEFINE_ENUM_TYPE (PfFetchPhase, pf_fetch_phase,
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_RECOVERING, "recovering"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_AUTHENTICATING, "authenticating"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_LISTING, "listing"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_FETCHING, "fetching"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_DELETING, "deleting"),
  G_DEFINE_ENUM_VALUE (PF_FETCH_PHASE_DONE, "done"))

static void
skipped_clear (gpointer data)
{
  PfFetchSkipped *skipped = data;

  g_clear_pointer (&skipped->uid, g_free);
}

void
pf_fetch_result_free (PfFetchResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->over_limit, g_array_unref);
  g_free (result);
}

/* What a message weighs in the RETR window. */
static guint64
retrieve_size (const Message *message)
{
  return message->size_known ? message->server_size : RETRIEVE_UNKNOWN_SIZE;
}

static void
message_free (gpointer data)
{
  Message *message = data;

  if (message == NULL)
    return;   /* taken out of todo when its RETR was queued */
  g_free (message->uid);
  g_free (message->base);
  g_free (message->name);
  g_free (message->header_digest);
  g_clear_object (&message->stream);
  g_free (message);
}

static void
confirm_free (Confirm *confirm)
{
  g_free (confirm->uid);
  g_free (confirm->header_digest);
  g_clear_object (&confirm->sink);
  g_free (confirm);
}

/* The run's timers and its watch on the caller's cancellable. */
static void
run_stop_sources (Run *run)
{
  g_clear_handle_id (&run->progress_source, g_source_remove);
  g_clear_handle_id (&run->wind_up_timer, g_source_remove);
  if (run->user_cancel != NULL)
    {
      g_source_destroy (run->user_cancel);
      g_clear_pointer (&run->user_cancel, g_source_unref);
    }
}

static void
run_free (gpointer data)
{
  Run *run = data;

  run_stop_sources (run);
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->secret, pf_secret_free);
  g_clear_pointer (&run->settings, pf_server_settings_unref);
  g_clear_pointer (&run->server_uids, g_hash_table_unref);
  g_clear_pointer (&run->server_uidl, pf_uidl_list_unref);
  g_clear_pointer (&run->listed_uids, pf_uidl_list_unref);
  g_clear_pointer (&run->listed_sizes, g_array_unref);
  g_clear_pointer (&run->todo, g_ptr_array_unref);
  g_queue_clear (&run->retrieving);
  g_queue_clear_full (&run->spare, slot_free);
  g_clear_pointer (&run->ready, g_ptr_array_unref);
  g_clear_pointer (&run->deleted_uids, g_ptr_array_unref);
  g_clear_pointer (&run->requested, g_hash_table_unref);
  g_queue_clear_full (&run->delete_uids, g_free);
  g_clear_error (&run->error);
  g_clear_pointer (&run->result, pf_fetch_result_free);
  /* The journal goes last: closing it releases the account lock. */
  g_clear_pointer (&run->maildir, pf_maildir_free);
  g_clear_pointer (&run->journal, pf_journal_free);
  g_free (run);
}

/* POPFETCH_FAULT=STEP makes the process stop dead at that step of the
 * durability sequence, as a crash would; the crash tests use it. Only test
 * builds (-Dtest_hooks=true) read the variable. */
static void
fault_point (const char *fault,
             const char *step)
{
  if (fault != NULL && strcmp (fault, step) == 0)
    _exit (86);
}

static void
run_fail (Run    *run,
          GError *error)
{
  if (run->error == NULL)
    run->error = error;
  else
    g_error_free (error);
}

/* ------------------------------------------------------------------ */
/* Progress                                                             */

static void
set_phase (PfFetcher    *self,
           PfFetchPhase  phase)
{
  if (self->phase == phase)
    return;
  self->phase = phase;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHASE]);
}

static void
set_uint (PfFetcher *self,
          guint     *field,
          guint      value,
          int        prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_uint64 (PfFetcher *self,
            guint64   *field,
            guint64    value,
            int        prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
update_progress (Run *run)
{
  PfFetcher *self = run->self;
  guint64 bytes = run->bytes_completed;
  Message *head = g_queue_peek_head (&run->retrieving);
  gint64 now = g_get_monotonic_time ();

  /* The message arriving now, as far as it reached the file. */
  if (head != NULL && head->stream != NULL)
    bytes += MIN (pf_maildir_tmp_get_size (head->stream), head->server_size);

  g_object_freeze_notify (G_OBJECT (self));
  set_uint64 (self, &self->bytes_done, MAX (bytes, self->bytes_done), PROP_BYTES_DONE);
  if (now - run->rate_time >= G_USEC_PER_SEC)
    {
      double instant = (double) (self->bytes_done - run->rate_bytes) * G_USEC_PER_SEC / (now - run->rate_time);
      double rate = self->rate == 0 ? instant : 0.5 * self->rate + 0.5 * instant;

      run->rate_time = now;
      run->rate_bytes = self->bytes_done;
      if (rate != self->rate)
        {
          self->rate = rate;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE]);
        }
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
on_progress_tick (gpointer user_data)
{
  update_progress (user_data);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* Finishing                                                            */

static void
run_return (Run *run)
{
  GTask *task = run->task;
  PfFetcher *self = run->self;

  run_stop_sources (run);
  update_progress (run);
  self->running = FALSE;

  /* No worker thread is busy now. Release the account lock as the run
   * ends, not when the last reference to its result goes. */
  g_assert (!run->committing && !run->compacting && !run->preparing && !run->recording);
  g_clear_pointer (&run->maildir, pf_maildir_free);
  g_clear_pointer (&run->journal, pf_journal_free);

  if (run->error != NULL)
    {
      set_phase (self, PF_FETCH_PHASE_IDLE);
      g_task_return_error (task, g_steal_pointer (&run->error));
    }
  else
    {
      run->result->elapsed_us = g_get_monotonic_time () - run->start_us;
      set_phase (self, PF_FETCH_PHASE_DONE);
      g_task_return_pointer (task, g_steal_pointer (&run->result), (GDestroyNotify) pf_fetch_result_free);
    }
  g_object_unref (task);
}

static void
gone_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Run *run = task_data;
  GError *error = NULL;

  if (!pf_journal_record_gone (run->journal, (const char * const *) run->deleted_uids->pdata,
                               run->deleted_uids->len, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_gone_recorded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  run->recording = FALSE;
  /* The deletions are committed whatever happened here: a gone record
   * that did not make it only leaves an id compaction forgets later. */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Could not record deleted messages: %s", error->message);
  run_return (run);
}

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
      run_fail (run, g_steal_pointer (&error));
      run_return (run);
      return;
    }
  run->result->deleted = run->deletes_acked;
  if (run->deleted_uids == NULL || run->deleted_uids->len == 0)
    {
      run_return (run);
      return;
    }

  /* The server deleted them: the ids are free for it to hand out again,
   * and a message listed under one later is new mail. */
  run->recording = TRUE;
  task = g_task_new (NULL, NULL, on_gone_recorded, run);
  g_task_set_source_tag (task, on_quit);
  g_task_set_task_data (task, run, NULL);
  g_task_run_in_thread (task, gone_thread);
}

static void
run_maybe_finish (Run *run)
{
  gboolean more_to_fetch = run->error == NULL && !run->session_lost && run->todo != NULL
                           && (!run->planned || run->next_to_queue < run->todo->len);

  if (run->quitting)
    return;
  /* Whatever arrived whole is made durable, even after a failure. */
  commit_start (run);
  if (run->in_flight > 0 || run->committing || run->compacting || run->preparing
      || more_to_fetch || run->deletes_in_flight > 0 || run->confirming > 0 || run->listing > 0)
    return;
  drop_spare (run);

  run->quitting = TRUE;
  if ((run->error != NULL && !run->winding_up) || run->session_lost)
    {
      /* Drop the link without QUIT: the server commits no deletion. */
      pf_pop3_client_close (run->self->client);
      run_return (run);
      return;
    }

  /* After a cancel (winding up) QUIT ends the session as cleanly as a
   * finished fetch; the deletions it commits are of messages durable
   * here. Cancelling it too is the wind-up timer's business; a finished
   * fetch's QUIT is not cut short by a late cancel. */
  fault_point (run->fault, "before-quit");
  set_phase (run->self, PF_FETCH_PHASE_DELETING);
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
static gboolean
on_user_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  g_clear_pointer (&run->user_cancel, g_source_unref);
  if (run->quitting)
    return G_SOURCE_REMOVE;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  run_fail (run, error);
  if (run->self->phase != PF_FETCH_PHASE_FETCHING || run->self->client == NULL)
    {
      g_cancellable_cancel (run->cancellable);
      return G_SOURCE_REMOVE;
    }

  run->winding_up = TRUE;
  run->wind_up_timer = g_timeout_add_seconds (WIND_UP_SECONDS, on_wind_up_timeout, run);
  pf_pop3_client_drop_pending (run->self->client, run->error);
  run_maybe_finish (run);
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
        run_fail (run, g_steal_pointer (&error));
    }
  run_maybe_finish (run);
}

static void
queue_delete (Run        *run,
              guint       msgno,
              const char *uid)
{
  run->deletes_in_flight++;
  g_queue_push_tail (&run->delete_uids, g_strdup (uid));
  pf_pop3_client_delete_async (run->self->client, msgno, run->cancellable, on_delete, run);
}

static gboolean
policy_deletes (Run    *run,
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

/* Blocking: the reader's "to delete" list beside the journal, one
 * unique-id a line; missing is empty. Ids no longer on the server are
 * harmless: a reused id names new mail, which the header check keeps. */
static GHashTable *
read_requested (PfJournal *journal)
{
  const char *journal_path = pf_journal_get_path (journal);
  g_autofree char *base = g_str_has_suffix (journal_path, ".journal")
                          ? g_strndup (journal_path, strlen (journal_path) - strlen (".journal"))
                          : g_strdup (journal_path);
  g_autofree char *path = g_strconcat (base, ".delete", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *requested;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  requested = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*g_strstrip (lines[i]) != '\0')
      g_hash_table_add (requested, g_strdup (lines[i]));
  return requested;
}

/* ------------------------------------------------------------------ */
/* Group commit                                                         */

static void
commit_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Step *step = task_data;
  Run *run = step->run;
  GPtrArray *batch = step->batch;
  g_autofree PfJournalRecord *records = g_new0 (PfJournalRecord, batch->len);
  g_autoptr(GHashTable) seen = NULL;
  guint n_records = 0;
  GError *error = NULL;

  /* 1. Every file of the batch, and its tmp/ entry, durable at once. */
  fault_point (run->fault, "before-sync");
  if (!pf_maildir_sync_files (run->maildir, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  fault_point (run->fault, "after-sync");

  /* 2. Their journal records, one fdatasync. */
  if (run->no_uidl)
    seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < batch->len; i++)
    {
      Message *message = g_ptr_array_index (batch, i);

      if (run->no_uidl
          && (pf_journal_lookup (run->journal, message->uid, NULL, NULL)
              || !g_hash_table_add (seen, message->uid)))
        {
          message->duplicate = TRUE;
          continue;
        }
      records[n_records].uid = message->uid;
      records[n_records].name = message->name;
      records[n_records].first_seen = run->now;
      records[n_records].size = message->server_size;
      records[n_records].header_digest = message->header_digest;
      n_records++;
    }
  if (!pf_journal_append (run->journal, records, n_records, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  fault_point (run->fault, "after-journal");

  /* 3. Into new/, one directory fsync. */
  for (guint i = 0; i < batch->len; i++)
    {
      Message *message = g_ptr_array_index (batch, i);
      gboolean ok;

      if (message->duplicate)
        ok = pf_maildir_remove_tmp (run->maildir, message->base, &error);
      else
        ok = pf_maildir_deliver (run->maildir, message->base, message->name, &error);
      if (!ok)
        {
          /* Journaled already: recovery finishes the move next run. */
          g_task_return_error (task, error);
          return;
        }
    }
  fault_point (run->fault, "after-rename");
  if (!pf_maildir_sync_new (run->maildir, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  fault_point (run->fault, "after-commit");
  g_task_return_boolean (task, TRUE);
}

static void
on_commit (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Run *run = user_data;
  Step *step = g_task_get_task_data (G_TASK (result));
  GPtrArray *batch = step->batch;
  g_autoptr(GError) error = NULL;

  run->committing = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      run_fail (run, g_steal_pointer (&error));
    }
  else
    {
      for (guint i = 0; i < batch->len; i++)
        {
          Message *message = g_ptr_array_index (batch, i);

          if (message->duplicate)
            run->result->duplicates++;
          else
            {
              run->result->fetched++;
              run->result->fetched_bytes += message->size;
            }
          if (policy_deletes (run, run->now) && !run->session_lost)
            queue_delete (run, message->msgno, message->uid);
        }
    }

  if (run->ready->len > 0)
    commit_start (run);
  run_maybe_finish (run);
}

static void
commit_start (Run *run)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *batch;
  Step *step;

  if (run->committing || run->ready->len == 0)
    return;
  if (run->error != NULL && !g_error_matches (run->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && run->error->domain == PF_ERROR && run->error->code == PF_ERROR_LOCAL_DISK)
    {
      /* The disk failed: what is still waiting stays in tmp/ as pending
       * and is fetched again next run. */
      g_ptr_array_set_size (run->ready, 0);
      return;
    }

  /* Everything that arrived while the last commit ran goes in this one:
   * the batch grows with the rate, one flush per batch. */
  batch = g_steal_pointer (&run->ready);
  run->ready = g_ptr_array_new_with_free_func (message_free);
  run->committing = TRUE;

  task = g_task_new (NULL, NULL, on_commit, run);
  g_task_set_source_tag (task, commit_start);
  step = step_new (run);
  step->batch = batch;
  g_task_set_task_data (task, step, step_free);
  g_task_run_in_thread (task, commit_thread);
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
  PfFetchSkipped skipped = { NULL, message->msgno, 0 };

  if (run->session_lost)
    return;
  run->session_lost = TRUE;

  skipped.uid = g_strdup (message->uid);
  skipped.size = MAX (message->server_size, run->self->size_limit + 1);
  g_array_append_val (run->result->over_limit, skipped);
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
  run->bytes_in_flight -= retrieve_size (message);
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
        run_fail (run, local_error_of (message, error));
      message_free (message);
      run_maybe_finish (run);
      return;
    }

  message->size = pf_maildir_tmp_get_size (message->stream);
  message->header_digest = g_strdup (pf_maildir_tmp_get_header_digest (message->stream));
  message->name = pf_maildir_make_name (message->base, message->size);
  if (run->no_uidl)
    message->uid = g_strconcat ("sha256:", pf_maildir_tmp_get_sha256 (message->stream), NULL);
  g_clear_object (&message->stream);

  run->bytes_completed += message->server_size;
  set_uint (run->self, &run->self->messages_done, run->self->messages_done + 1, PROP_MESSAGES_DONE);

  g_ptr_array_add (run->ready, message);
  commit_start (run);
  run_queue_retrieves (run);
  run_maybe_finish (run);
}

/* Creating a file can cost the file system far more than writing a small
 * one (ext4 searches its inode tables), so tmp/ files are made ahead, a
 * few dozen at a time, in a worker thread, and the read loop never waits
 * on them. */
static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Step *step = task_data;
  Run *run = step->run;
  guint wanted = step->wanted;
  g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func (slot_free);
  GError *error = NULL;

  for (guint i = 0; i < wanted; i++)
    {
      Slot *slot = g_new0 (Slot, 1);

      slot->base = pf_maildir_next_base (run->maildir);
      g_ptr_array_add (slots, slot);
      if (!pf_journal_note_pending (run->journal, slot->base, &error)
          || (slot->stream = pf_maildir_create_tmp (run->maildir, slot->base,
                                                    run->no_uidl, &error)) == NULL)
        {
          /* Files made so far are announced: recovery removes them. */
          for (guint j = 0; j + 1 < slots->len; j++)
            {
              Slot *made = g_ptr_array_index (slots, j);

              g_output_stream_close (made->stream, NULL, NULL);
              pf_maildir_remove_tmp (run->maildir, made->base, NULL);
            }
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_pointer (task, g_steal_pointer (&slots), (GDestroyNotify) g_ptr_array_unref);
}

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GPtrArray) slots = NULL;
  GError *error = NULL;

  run->preparing = FALSE;
  slots = g_task_propagate_pointer (G_TASK (result), &error);
  if (slots == NULL)
    run_fail (run, error);
  else
    for (guint i = 0; i < slots->len; i++)
      g_queue_push_tail (&run->spare, g_steal_pointer (&slots->pdata[i]));

  run_queue_retrieves (run);
  run_maybe_finish (run);
}

static void
prepare_start (Run *run)
{
  g_autoptr(GTask) task = NULL;
  guint remaining = run->todo->len - run->next_to_queue;
  guint wanted;
  Step *step;

  if (run->preparing || run->error != NULL || remaining <= g_queue_get_length (&run->spare))
    return;
  wanted = MIN (remaining - g_queue_get_length (&run->spare), PREPARE_BATCH);

  run->preparing = TRUE;
  task = g_task_new (NULL, NULL, on_prepared, run);
  g_task_set_source_tag (task, prepare_start);
  step = step_new (run);
  step->wanted = wanted;
  g_task_set_task_data (task, step, step_free);
  g_task_run_in_thread (task, prepare_thread);
}

/* Files prepared but not needed after all (a failure, a cancel). */
static void
drop_spare (Run *run)
{
  Slot *slot;

  /* Unlinking an empty file; recovery would remove it as well. */
  while ((slot = g_queue_pop_head (&run->spare)) != NULL)
    {
      g_output_stream_close (slot->stream, NULL, NULL);
      pf_maildir_remove_tmp (run->maildir, slot->base, NULL);
      slot_free (slot);
    }
}

static void
run_queue_retrieves (Run *run)
{
  while (run->error == NULL && !run->session_lost && run->in_flight < RETRIEVE_WINDOW_MESSAGES
         && run->next_to_queue < run->todo->len)
    {
      Message *message = g_ptr_array_index (run->todo, run->next_to_queue);
      guint64 size = retrieve_size (message);
      Slot *slot;

      /* One message always goes, however large. */
      if (run->in_flight > 0 && run->bytes_in_flight + size > RETRIEVE_WINDOW_BYTES)
        break;
      slot = g_queue_pop_head (&run->spare);
      if (slot == NULL)
        break;

      /* Steal it from todo: it now lives in the callback. */
      run->todo->pdata[run->next_to_queue] = NULL;
      run->next_to_queue++;

      message->base = g_steal_pointer (&slot->base);
      message->stream = g_steal_pointer (&slot->stream);
      slot_free (slot);
      message->run = run;

      run->in_flight++;
      run->bytes_in_flight += size;
      g_queue_push_tail (&run->retrieving, message);
      pf_pop3_client_retrieve_checked_async (run->self->client, message->msgno, -1,
                                             message->size_known ? (gint64) message->server_size : -1,
                                             run->self->size_limit, message->stream,
                                             run->cancellable, on_retrieve, message);
    }

  if (g_queue_get_length (&run->spare) < PREPARE_BATCH / 2)
    prepare_start (run);
}

/* ------------------------------------------------------------------ */
/* Planning                                                             */

static void
start_fetching (Run *run)
{
  PfFetcher *self = run->self;
  guint64 total = 0;

  /* The server's ids served planning and compaction, both done: a large
   * mailbox's table would otherwise stay for the whole run. */
  g_clear_pointer (&run->server_uids, g_hash_table_unref);
  g_clear_pointer (&run->server_uidl, pf_uidl_list_unref);

  for (guint i = 0; i < run->todo->len; i++)
    total += ((Message *) g_ptr_array_index (run->todo, i))->server_size;

  g_object_freeze_notify (G_OBJECT (self));
  set_phase (self, PF_FETCH_PHASE_FETCHING);
  set_uint (self, &self->messages_total, run->todo->len, PROP_MESSAGES_TOTAL);
  set_uint64 (self, &self->bytes_total, total, PROP_BYTES_TOTAL);
  g_object_thaw_notify (G_OBJECT (self));

  run->rate_time = g_get_monotonic_time ();
  run->progress_source = g_timeout_add (PROGRESS_INTERVAL_MS, on_progress_tick, run);

  run_queue_retrieves (run);
  run_maybe_finish (run);
}

static void
compact_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Run *run = task_data;
  GError *error = NULL;

  if (!pf_journal_compact (run->journal, run->server_uids, run->now, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Fetching starts once compaction and the checks before deleting are
 * done: a check that fails adds its message to the ones to fetch. */
static void
maybe_start_fetching (Run *run)
{
  if (run->planned || run->compacting || run->confirming > 0)
    return;
  run->planned = TRUE;
  if (run->error != NULL)
    {
      run_maybe_finish (run);
      return;
    }
  start_fetching (run);
}

static void
on_compacted (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  run->compacting = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    run_fail (run, error);
  maybe_start_fetching (run);
}

static Message *
message_new (guint          msgno,
             const char    *uid,
             const guint64 *size)
{
  Message *message = g_new0 (Message, 1);

  message->msgno = msgno;
  message->uid = g_strdup (uid);
  message->server_size = size != NULL ? *size : 0;
  message->size_known = size != NULL;
  return message;
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
          queue_delete (run, confirm->msgno, confirm->uid);
        }
      else
        {
          /* Same id, same size, another header: the server gave a used id
           * to a new message. Fetch it; never delete it unread. */
          g_debug ("Message %u (%s) is not the one journaled under its id", confirm->msgno,
                   confirm->uid);
          g_ptr_array_add (run->todo, message_new (confirm->msgno, confirm->uid, &confirm->size));
        }
    }
  else if (g_error_matches (error, PF_ERROR, PF_ERROR_SERVER))
    {
      /* No TOP: the message cannot be told from another; it stays. */
      run->result->already_had++;
    }
  else
    run_fail (run, g_steal_pointer (&error));

  confirm_free (confirm);
  maybe_start_fetching (run);
}

/* Before deleting a message delivered in an earlier run: is it still the
 * one delivered? TOP n 0 (pipelined with the rest) and its header digest
 * against the journal's. */
static void
queue_confirm (Run                  *run,
               guint                 msgno,
               const char           *uid,
               guint64               size,
               const PfJournalEntry *entry)
{
  Confirm *confirm = g_new0 (Confirm, 1);

  confirm->run = run;
  confirm->msgno = msgno;
  confirm->uid = g_strdup (uid);
  confirm->size = size;
  confirm->header_digest = g_strdup (entry->header_digest);
  confirm->sink = g_memory_output_stream_new_resizable ();
  run->confirming++;
  pf_pop3_client_retrieve_checked_async (run->self->client, msgno, 0, -1, HEADER_CAP,
                                         confirm->sink, run->cancellable, on_confirmed, confirm);
}

static int
compare_list_entries (gconstpointer a,
                      gconstpointer b)
{
  guint first = ((const PfListEntry *) a)->msgno;
  guint second = ((const PfListEntry *) b)->msgno;

  return first < second ? -1 : first > second;
}

/* @uids: the UIDL answer, or NULL without UIDL; @sizes: the LIST answer
 * (sorted here). */
static void
plan (Run        *run,
      PfUidlList *uids,
      GArray     *sizes)
{
  PfFetcher *self = run->self;

  run->server_uids = g_hash_table_new (g_str_hash, g_str_equal);
  run->todo = g_ptr_array_new_with_free_func (message_free);

  /* Sizes by message number: a binary search in the LIST answer (in
   * order already from every server seen), not a table of its own, which
   * for a large mailbox would be a few hundred KiB more at the peak. */
  g_array_sort (sizes, compare_list_entries);

  if (uids != NULL)
    run->server_uidl = pf_uidl_list_ref (uids);
  for (guint i = 0; i < (uids != NULL ? pf_uidl_list_get_length (uids) : sizes->len); i++)
    {
      guint msgno = uids != NULL ? pf_uidl_list_get_msgno (uids, i)
                                 : g_array_index (sizes, PfListEntry, i).msgno;
      const char *uid = NULL;
      const PfListEntry key = { msgno, 0 };
      const PfListEntry *listed = bsearch (&key, sizes->data, sizes->len, sizeof (PfListEntry),
                                           compare_list_entries);
      const guint64 *size = listed != NULL ? &listed->size : NULL;
      PfJournalEntry entry;

      if (uids != NULL)
        {
          /* The table's keys are the UIDL answer's own strings, kept
           * with it (server_uidl): one copy fewer per message. */
          uid = pf_uidl_list_get_uid (uids, i);
          g_hash_table_replace (run->server_uids, (char *) uid, GUINT_TO_POINTER (msgno));
          if (pf_journal_get_entry (run->journal, uid, &entry)
              && (size == NULL || pf_journal_entry_matches_size (&entry, *size)))
            {
              if (size != NULL)
                pf_journal_learn_size (run->journal, uid, *size);
              /* A message LIST does not name cannot be checked: it stays. */
              if (!(policy_deletes (run, entry.first_seen) || requested_deletes (run, uid)) || size == NULL)
                run->result->already_had++;
              else if (entry.header_digest != NULL)
                queue_confirm (run, msgno, uid, *size, &entry);
              else
                {
                  /* Journaled before header digests were: the size
                   * (when known) is all there is to check. */
                  run->result->already_had++;
                  queue_delete (run, msgno, uid);
                }
              continue;
            }
          /* Not journaled, or journaled with another size: a reused id
           * names a new message. */
          if (size != NULL && pf_journal_is_oversize (run->journal, uid, *size))
            {
              PfFetchSkipped skipped = { g_strdup (uid), msgno, MAX (*size, self->size_limit + 1) };
              g_array_append_val (run->result->over_limit, skipped);
              continue;
            }
        }

      if (self->size_limit > 0 && size != NULL && *size > self->size_limit)
        {
          PfFetchSkipped skipped = { g_strdup (uid), msgno, *size };
          g_array_append_val (run->result->over_limit, skipped);
          continue;
        }

      g_ptr_array_add (run->todo, message_new (msgno, uid, size));
    }

  /* Without UIDL the hashes are kept as they are: until a deletion is
   * committed any of them may still be on the server. */
  if (run->no_uidl)
    g_clear_pointer (&run->server_uids, g_hash_table_unref);

  {
    g_autoptr(GTask) task = g_task_new (NULL, NULL, on_compacted, run);

    /* Forget ids long gone from the server, count the misses of the
     * others, and drop the pending records recovery has dealt with. The
     * journal writes only when something changed. Holds the run open:
     * DELE and TOP replies may come back meanwhile. */
    g_task_set_source_tag (task, plan);
    g_task_set_task_data (task, run, NULL);
    run->compacting = TRUE;
    g_task_run_in_thread (task, compact_thread);
  }
}

/* UIDL and LIST went out together; the plan starts once both answered. */
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
      run_maybe_finish (run);
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
    run_fail (run, error);
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
        run_fail (run, g_steal_pointer (&error));
      /* -ERR to UIDL: the server does not have it. */
      else if (run->self->policy != PF_FETCH_DELETE)
        run_fail (run, g_error_new (PF_ERROR, PF_ERROR_NO_UIDL,
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

/* UIDL and LIST in the same turn of the main loop: with PIPELINING the
 * client sends them in one write, and the listing costs one round trip,
 * not two. */
static void
list_start (Run          *run,
            PfPop3Client *client)
{
  set_phase (run->self, PF_FETCH_PHASE_LISTING);
  run->listing = 2;
  pf_pop3_client_uidl_async (client, run->cancellable, on_uidl, run);
  pf_pop3_client_list_async (client, run->cancellable, on_list, run);
}

/* ------------------------------------------------------------------ */
/* Connecting                                                           */

static void run_connect (Run *run);

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
      /* A refused access token may just be stale (revoked early, or the
       * clocks disagree): the source renews it once, on a new connection.
       * A password source has nothing to renew, so this is tokens only. */
      if (g_error_matches (error, PF_ERROR, PF_ERROR_AUTH_REJECTED) &&
          pf_secret_get_kind (run->secret) == PF_SECRET_ACCESS_TOKEN && !run->token_renewed)
        {
          run->token_renewed = TRUE;
          pf_transcript_add_info (pf_pop3_client_get_transcript (PF_POP3_CLIENT (source)),
                                  "The access token was refused; renewing it once");
          pf_credentials_invalidate (run->self->credentials, run->secret);
          g_clear_pointer (&run->secret, pf_secret_free);
          g_clear_error (&error);
          pf_pop3_client_close (PF_POP3_CLIENT (source));
          run_connect (run);
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
              run_connect (run);
              return;
            }
        }
      g_clear_pointer (&run->secret, pf_secret_free);
      run_fail (run, error);
      run_maybe_finish (run);
      return;
    }
  g_clear_pointer (&run->secret, pf_secret_free);
  run->result->mechanism = used;
  run->result->fell_back = run->fallback != PF_AUTH_AUTO;
  list_start (run, PF_POP3_CLIENT (source));
}

static void
authenticate (Run *run)
{
  PfAuthMechanism mechanism = run->fallback != PF_AUTH_AUTO ? run->fallback : run->self->mechanism;

  /* A token goes only to a mechanism made for it, never as a password. */
  if (mechanism == PF_AUTH_AUTO && pf_secret_get_kind (run->secret) == PF_SECRET_ACCESS_TOKEN)
    {
      const PfCapabilities *caps = pf_pop3_client_get_capabilities (run->self->client);

      mechanism = pf_sasl_choose_for_token (caps != NULL ? (const char * const *) caps->sasl : NULL);
      if (mechanism == PF_AUTH_AUTO)
        {
          g_clear_pointer (&run->secret, pf_secret_free);
          run_fail (run, g_error_new_literal (PF_ERROR, PF_ERROR_NO_COMMON_MECHANISM,
                                              _("The server offers neither XOAUTH2 nor "
                                                "OAUTHBEARER, so it takes no OAuth2 sign-in.")));
          run_maybe_finish (run);
          return;
        }
    }
  set_phase (run->self, PF_FETCH_PHASE_AUTHENTICATING);
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
      run_fail (run, error);
      run_maybe_finish (run);
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
      run_fail (run, error);
      run_maybe_finish (run);
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
      run_fail (run, g_error_new_literal (PF_ERROR, PF_ERROR_NO_PASSWORD,
                                          _("No password was given for this account.")));
      run_maybe_finish (run);
      return;
    }
  pf_credentials_get_secret_async (self->credentials, run->cancellable, on_secret, run);
}

static void
run_connect (Run *run)
{
  PfFetcher *self = run->self;
  PfPop3Client *client;

  g_clear_object (&self->client);
  self->client = client = pf_pop3_client_new_for_settings (run->settings);
  if (self->stall_window > 0)
    pf_pop3_client_set_stall_window (client, self->stall_window);

  set_phase (self, PF_FETCH_PHASE_CONNECTING);
  pf_pop3_client_connect_async (client, run->cancellable, on_connected, run);
}

/* ------------------------------------------------------------------ */
/* Opening: lock, journal, recovery, all blocking file work             */

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Run *run = task_data;
  PfFetcher *self = run->self;
  GError *error = NULL;
  guint delivered = 0, removed = 0;

  if (!pf_server_settings_load_ca_file (run->settings, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* The lock first: recovery must not race another run's deliveries. */
  if (self->account_name != NULL)
    {
      g_autofree char *key = pf_journal_saved_account_key (self->account_name);
      g_autofree char *legacy_key = pf_journal_account_key (pf_server_settings_get_host (self->settings), self->user);

      run->journal = pf_journal_open_keyed (self->state_dir, key, legacy_key,
                                            self->account_name, &error);
    }
  else
    run->journal = pf_journal_open (self->state_dir, pf_server_settings_get_host (self->settings), self->user, &error);
  if (run->journal == NULL || !pf_journal_set_user (run->journal, self->user, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  run->requested = read_requested (run->journal);
  if (self->account_name == NULL && pf_journal_get_n_entries (run->journal) == 0)
    {
      g_autofree char *other = pf_journal_find_other_holding (run->journal, self->user,
                                                              self->maildir);

      /* Refused before anything is downloaded: going on would fetch every
       * message the Maildir already has a second time. */
      if (other != NULL)
        {
          g_task_return_new_error (task, PF_ERROR, PF_ERROR_INVALID_INPUT,
                                   _("The Maildir %s already holds mail fetched for %s under "
                                     "another record (%s). Fetching it under the name %s would "
                                     "download all of it again. Fetch it as before: the saved "
                                     "account, or the same server name. If the server was "
                                     "renamed, rename that file to %s to carry the record over."),
                                   self->maildir, self->user, other,
                                   pf_server_settings_get_host (self->settings),
                                   pf_journal_get_path (run->journal));
          return;
        }
    }
  run->maildir = pf_maildir_open (self->maildir, &error);
  if (run->maildir == NULL
      || !pf_journal_recover (run->journal, run->maildir, &delivered, &removed, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  run->result->recovered = delivered;
  run->result->discarded = removed;
  g_task_return_boolean (task, TRUE);
}

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      run_fail (run, error);
      run->quitting = TRUE;
      run_return (run);
      return;
    }
  run_connect (run);
}

void
pf_fetcher_run_async (PfFetcher           *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task;
  g_autoptr(GTask) open_task = NULL;
  Run *run;

  g_return_if_fail (PF_IS_FETCHER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_fetcher_run_async);

  if (self->running)
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_ACCOUNT_BUSY,
                               _("This account is being fetched already."));
      g_object_unref (task);
      return;
    }
  self->running = TRUE;

  run = g_new0 (Run, 1);
  run->self = self;
  run->task = task;
  run->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      run->user_cancel = g_cancellable_source_new (cancellable);
      g_source_set_callback (run->user_cancel, (GSourceFunc) (void (*) (void)) on_user_cancelled,
                             run, NULL);
      g_source_attach (run->user_cancel, g_main_context_get_thread_default ());
    }
  run->fault = PF_TEST_HOOKS ? g_getenv ("POPFETCH_FAULT") : NULL;
  run->now = self->now != 0 ? self->now : g_get_real_time () / G_USEC_PER_SEC;
  /* The run's own copy: the worker thread reads the CA file into it. */
  run->settings = pf_server_settings_copy (self->settings);
  run->ready = g_ptr_array_new_with_free_func (message_free);
  run->result = g_new0 (PfFetchResult, 1);
  run->result->over_limit = g_array_new (FALSE, TRUE, sizeof (PfFetchSkipped));
  g_array_set_clear_func (run->result->over_limit, skipped_clear);
  run->start_us = g_get_monotonic_time ();
  g_queue_init (&run->retrieving);
  g_queue_init (&run->spare);
  g_queue_init (&run->delete_uids);
  run->deleted_uids = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, run, run_free);

  g_object_freeze_notify (G_OBJECT (self));
  set_uint (self, &self->messages_done, 0, PROP_MESSAGES_DONE);
  set_uint (self, &self->messages_total, 0, PROP_MESSAGES_TOTAL);
  set_uint64 (self, &self->bytes_done, 0, PROP_BYTES_DONE);
  set_uint64 (self, &self->bytes_total, 0, PROP_BYTES_TOTAL);
  self->rate = 0;
  set_phase (self, PF_FETCH_PHASE_RECOVERING);
  g_object_thaw_notify (G_OBJECT (self));

  open_task = g_task_new (NULL, NULL, on_opened, run);
  g_task_set_source_tag (open_task, open_thread);
  g_task_set_task_data (open_task, run, NULL);
  g_task_run_in_thread (open_task, open_thread);
}

PfFetchResult *
pf_fetcher_run_finish (PfFetcher     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_fetcher_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Object                                                               */

PfFetcher *
pf_fetcher_new (PfServerSettings *settings,
                const char       *user,
                const char       *maildir)
{
  PfFetcher *self;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (maildir != NULL, NULL);

  self = g_object_new (PF_TYPE_FETCHER, NULL);
  self->settings = pf_server_settings_ref (settings);
  self->user = g_strdup (user);
  self->maildir = g_strdup (maildir);
  return self;
}

PfServerSettings *
pf_fetcher_get_settings (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), NULL);
  return self->settings;
}

void
pf_fetcher_set_mechanism (PfFetcher       *self,
                          PfAuthMechanism  mechanism)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  self->mechanism = mechanism;
}

void
pf_fetcher_set_credentials (PfFetcher     *self,
                            PfCredentials *credentials)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  g_return_if_fail (credentials == NULL || PF_IS_CREDENTIALS (credentials));

  g_set_object (&self->credentials, credentials);
}

void
pf_fetcher_set_stall_window (PfFetcher *self,
                             guint      seconds)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  self->stall_window = seconds;
}

void
pf_fetcher_set_state_dir (PfFetcher  *self,
                          const char *path)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  g_free (self->state_dir);
  self->state_dir = path != NULL ? g_strdup (path)
                                 : g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
}

void
pf_fetcher_set_account (PfFetcher  *self,
                        const char *account_name)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  g_free (self->account_name);
  self->account_name = g_strdup (account_name);
}

void
pf_fetcher_set_policy (PfFetcher     *self,
                       PfFetchPolicy  policy,
                       guint          days)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  self->policy = policy;
  self->days = days;
}

void
pf_fetcher_set_size_limit (PfFetcher *self,
                           guint64    bytes)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  self->size_limit = bytes;
}

void
pf_fetcher_set_now (PfFetcher *self,
                    gint64     unix_time)
{
  g_return_if_fail (PF_IS_FETCHER (self));
  self->now = unix_time;
}

PfFetchPhase
pf_fetcher_get_phase (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), PF_FETCH_PHASE_IDLE);
  return self->phase;
}

guint
pf_fetcher_get_messages_done (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), 0);
  return self->messages_done;
}

guint
pf_fetcher_get_messages_total (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), 0);
  return self->messages_total;
}

guint64
pf_fetcher_get_bytes_done (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), 0);
  return self->bytes_done;
}

guint64
pf_fetcher_get_bytes_total (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), 0);
  return self->bytes_total;
}

double
pf_fetcher_get_rate (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), 0);
  return self->rate;
}

PfPop3Client *
pf_fetcher_get_client (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), NULL);
  return self->client;
}

PfTranscript *
pf_fetcher_get_transcript (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), NULL);
  return self->client != NULL ? pf_pop3_client_get_transcript (self->client) : NULL;
}

GTlsCertificate *
pf_fetcher_get_peer_certificate (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), NULL);
  return self->client != NULL ? pf_pop3_client_get_peer_certificate (self->client) : NULL;
}

GTlsCertificateFlags
pf_fetcher_get_peer_certificate_errors (PfFetcher *self)
{
  g_return_val_if_fail (PF_IS_FETCHER (self), 0);
  return self->client != NULL ? pf_pop3_client_get_peer_certificate_errors (self->client) : 0;
}

static void
pf_fetcher_finalize (GObject *object)
{
  PfFetcher *self = PF_FETCHER (object);

  g_clear_object (&self->client);
  g_clear_object (&self->credentials);
  g_clear_pointer (&self->settings, pf_server_settings_unref);
  g_free (self->user);
  g_free (self->maildir);
  g_free (self->state_dir);
  g_free (self->account_name);

  G_OBJECT_CLASS (pf_fetcher_parent_class)->finalize (object);
}

static void
pf_fetcher_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PfFetcher *self = PF_FETCHER (object);

  switch (prop_id)
    {
    case PROP_PHASE:
      g_value_set_enum (value, self->phase);
      break;
    case PROP_MESSAGES_DONE:
      g_value_set_uint (value, self->messages_done);
      break;
    case PROP_MESSAGES_TOTAL:
      g_value_set_uint (value, self->messages_total);
      break;
    case PROP_BYTES_DONE:
      g_value_set_uint64 (value, self->bytes_done);
      break;
    case PROP_BYTES_TOTAL:
      g_value_set_uint64 (value, self->bytes_total);
      break;
    case PROP_RATE:
      g_value_set_double (value, self->rate);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_fetcher_class_init (PfFetcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pf_fetcher_finalize;
  object_class->get_property = pf_fetcher_get_property;

  properties[PROP_PHASE] =
    g_param_spec_enum ("phase", NULL, NULL, PF_TYPE_FETCH_PHASE, PF_FETCH_PHASE_IDLE, flags);
  properties[PROP_MESSAGES_DONE] =
    g_param_spec_uint ("messages-done", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MESSAGES_TOTAL] =
    g_param_spec_uint ("messages-total", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_BYTES_DONE] =
    g_param_spec_uint64 ("bytes-done", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_BYTES_TOTAL] =
    g_param_spec_uint64 ("bytes-total", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_RATE] =
    g_param_spec_double ("rate", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pf_fetcher_init (PfFetcher *self)
{
  self->state_dir = g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
}
