/* pf-fetcher-private.h — what the files of PfFetcher share: the object,
 * a run and its messages, and the steps one file calls in another
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pf-fetcher.h"
#include "pf-journal.h"
#include "pf-maildir.h"

G_BEGIN_DECLS

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
  PfFetchTarget    target;
  char            *target_uid;
  guint            max_sessions;
  guint64          quota;

  PfPop3Client    *client;
  gboolean         running;

  PfFetchPhase     phase;
  guint            messages_done;
  guint            messages_total;
  guint64          bytes_done;
  guint64          bytes_total;
  double           rate;
};

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

/* A message to fetch, as planned: 16 bytes, so that a mailbox of a
 * million new messages costs 16 MB here, not a record of its own each.
 * The full record (Message) is made when its RETR is queued. */
#define TODO_NO_UID G_MAXUINT32
typedef struct
{
  guint32         msgno;
  guint32         uid_index;     /* in run->server_uidl, or TODO_NO_UID without UIDL */
  guint64         size;          /* by LIST */
} Todo;

typedef struct
{
  struct _Run    *run;           /* while it is being retrieved */
  guint           msgno;
  char           *uid;           /* NULL until hashed in the no-UIDL fallback */
  guint64         server_size;
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
  guint           uid_index;      /* in run->server_uidl */
  char           *uid;
  guint64         size;
  char           *header_digest;  /* as journaled, or of the file delivered */
  char           *name;           /* the file delivered, as journaled */
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
  /* For compaction, when the listing had unique-ids: an empty set, the
   * ids the journal knows being marked in the journal itself
   * (pf_journal_note_listed). Until compaction is done. */
  GHashTable     *listed_known;
  PfUidlList     *server_uidl;   /* this session's UIDL answer; todo points into it */
  GArray         *todo;          /* Todo, in server order */
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
  /* Confirm*: due for deletion, journaled without a header digest (before
   * digests were): the compaction thread reads the digest from the file
   * delivered, then TOP compares as for any other. */
  GPtrArray      *unverified;
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

  /* The server view and the sessions (pf-fetcher-summary.c) */
  PfServerView   *previous_view;    /* KEY.server as the last session left it, or NULL */
  PfServerView   *view;             /* this session's, once QUIT committed */
  GPtrArray      *over_limit_view;  /* PfServerMessage*, as result->over_limit */
  guint           reading_headers;  /* TOP n 0 of messages over the limit, in flight */
  guint           listed_count;     /* LIST's answer */
  guint64         listed_bytes;
  guint           here_listed;      /* listed and delivered here already */
  guint           deleted_undelivered;  /* PF_FETCH_TARGET_DELETE_ONE of a message never fetched */
  guint64         delete_bytes;     /* the listed sizes of the DELEs queued */
  gboolean        target_found;
  guint           sessions;         /* logged in so far */
  guint           fetched_before;   /* result->fetched when this session began */
  gboolean        log_in_again;     /* after this session's QUIT */
} Run;

typedef struct
{
  char          *base;
  GOutputStream *stream;
} Slot;

/* The data of one worker-thread step (open, commit, prepare, compact,
 * gone): the run, which the main thread keeps alive until the step is
 * back, and what this step alone works on. */
typedef struct
{
  Run       *run;
  GPtrArray *batch;    /* commit: the messages to make durable */
  guint      wanted;   /* prepare: how many tmp/ files to make */
} Step;

/* pf-fetcher.c: the run's pieces, progress, the run's end */
void      pf_fetcher_slot_free          (gpointer      data);
Step     *pf_fetcher_step_new           (Run          *run);
void      pf_fetcher_step_free          (gpointer      data);
guint64   pf_fetcher_retrieve_size      (const Message *message);
void      pf_fetcher_message_free       (gpointer      data);
void      pf_fetcher_confirm_free       (Confirm      *confirm);
void      pf_fetcher_fault_point        (const char   *fault,
                                         const char   *step);
void      pf_fetcher_run_fail           (Run          *run,
                                         GError       *error);
void      pf_fetcher_set_phase          (PfFetcher    *self,
                                         PfFetchPhase  phase);
void      pf_fetcher_set_uint           (PfFetcher    *self,
                                         guint        *field,
                                         guint         value,
                                         int           prop);
void      pf_fetcher_set_uint64         (PfFetcher    *self,
                                         guint64      *field,
                                         guint64       value,
                                         int           prop);
gboolean  pf_fetcher_on_progress_tick   (gpointer      user_data);
void      pf_fetcher_run_return         (Run          *run);

/* pf-fetcher-session.c: the POP3 session */
void      pf_fetcher_run_connect        (Run          *run);
void      pf_fetcher_run_maybe_finish   (Run          *run);
gboolean  pf_fetcher_on_user_cancelled  (GCancellable *cancellable,
                                         gpointer      user_data);
void      pf_fetcher_queue_delete       (Run          *run,
                                         guint         msgno,
                                         const char   *uid,
                                         guint64       size);
void      pf_fetcher_maybe_start_fetching (Run        *run);
gboolean  pf_fetcher_policy_deletes     (Run          *run,
                                         gint64        first_seen);
void      pf_fetcher_run_queue_retrieves (Run         *run);

/* pf-fetcher-steps.c: blocking file work in worker threads */
void      pf_fetcher_open_thread        (GTask        *task,
                                         gpointer      source_object,
                                         gpointer      task_data,
                                         GCancellable *cancellable);
void      pf_fetcher_on_opened          (GObject      *source,
                                         GAsyncResult *result,
                                         gpointer      user_data);
void      pf_fetcher_commit_start       (Run          *run);
void      pf_fetcher_prepare_start      (Run          *run);
void      pf_fetcher_drop_spare         (Run          *run);
void      pf_fetcher_compact_thread     (GTask        *task,
                                         gpointer      source_object,
                                         gpointer      task_data,
                                         GCancellable *cancellable);
void      pf_fetcher_gone_thread        (GTask        *task,
                                         gpointer      source_object,
                                         gpointer      task_data,
                                         GCancellable *cancellable);
void      pf_fetcher_on_gone_recorded   (GObject      *source,
                                         GAsyncResult *result,
                                         gpointer      user_data);

/* pf-fetcher-summary.c: the server view, and sessions */
char     *pf_fetcher_server_view_path   (PfJournal    *journal);
/* A message left on the server over the size limit: in the result (at
 * @reported_size) and the view (at @listed_size), its header read with
 * TOP n 0 when @read_header and no earlier view knows it. */
void      pf_fetcher_note_over_limit    (Run          *run,
                                         const char   *uid,
                                         guint         msgno,
                                         guint64       reported_size,
                                         guint64       listed_size,
                                         gboolean      read_header);
/* After QUIT: the view of this session, and whether to log in again. */
void      pf_fetcher_session_ended      (Run          *run);
void      pf_fetcher_session_reset      (Run          *run);

G_END_DECLS
