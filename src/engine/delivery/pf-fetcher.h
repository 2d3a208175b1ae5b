/* pf-fetcher.h — one fetch run: POP3 into a Maildir, exactly once
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-credentials.h"
#include "pf-pop3-client.h"
#include "pf-server-settings.h"
#include "pf-server-view.h"

G_BEGIN_DECLS

/* What happens on the server to a message once it is delivered. */
typedef enum
{
  PF_FETCH_KEEP,               /* leave every message on the server (default) */
  PF_FETCH_DELETE,             /* DELE each message once it is durable here */
  PF_FETCH_DELETE_AFTER_DAYS,  /* DELE messages first seen at least N days ago */
} PfFetchPolicy;

/* Nicks "keep", "delete", "delete-after": as the accounts file spells them. */
#define PF_TYPE_FETCH_POLICY (pf_fetch_policy_get_type ())
GType pf_fetch_policy_get_type (void) G_GNUC_CONST;

/* Where a run is; the "phase" property. */
typedef enum
{
  PF_FETCH_PHASE_IDLE,
  PF_FETCH_PHASE_RECOVERING,      /* lock, journal, crash recovery */
  PF_FETCH_PHASE_CONNECTING,
  PF_FETCH_PHASE_AUTHENTICATING,
  PF_FETCH_PHASE_LISTING,         /* UIDL, LIST */
  PF_FETCH_PHASE_FETCHING,
  PF_FETCH_PHASE_DELETING,        /* DELE and QUIT */
  PF_FETCH_PHASE_DONE,
} PfFetchPhase;

#define PF_TYPE_FETCH_PHASE (pf_fetch_phase_get_type ())
GType pf_fetch_phase_get_type (void) G_GNUC_CONST;

/* What a run does; pf_fetcher_set_target(). Every target takes the lock,
 * recovers, lists and writes the server view (pf-server-view.h); the
 * exactly-once rules are the same for all. */
typedef enum
{
  PF_FETCH_TARGET_ALL,         /* fetch new mail, delete as the policy says (default) */
  PF_FETCH_TARGET_SURVEY,      /* look only: list, read the headers of the
                                * messages over the size limit; fetch and
                                * delete nothing */
  PF_FETCH_TARGET_ONE,         /* fetch the message with the given unique-id
                                * only, whatever the size limit; the policy
                                * applies to it as to any message */
  PF_FETCH_TARGET_DELETE_ONE,  /* delete the message with the given
                                * unique-id only (delivered here or not);
                                * the journal records it gone */
} PfFetchTarget;

/* Nicks "all", "survey", "one", "delete-one". */
#define PF_TYPE_FETCH_TARGET (pf_fetch_target_get_type ())
GType pf_fetch_target_get_type (void) G_GNUC_CONST;

/* A message left on the server because it is over the size limit. */
typedef struct
{
  char    *uid;      /* NULL when the server has no UIDL */
  guint    msgno;
  guint64  size;     /* as the server's LIST reports it; for a message whose
                      * data ran past the limit although LIST said less,
                      * more than the limit */
} PfFetchSkipped;

/* What one run did; pf_fetcher_run_finish() returns it. */
typedef struct
{
  guint     fetched;         /* messages delivered into new/ by this run */
  guint64   fetched_bytes;   /* their size on disk */
  guint     already_had;     /* on the server and already delivered earlier */
  guint     deleted;         /* DELE acknowledged and committed by QUIT */
  guint     recovered;       /* left by an interrupted run, moved into new/ by recovery */
  guint     discarded;       /* partial files of an interrupted run removed by recovery */
  guint     duplicates;      /* no-UIDL fallback only: downloaded, same content as a delivered message, not delivered again */
  gboolean  no_uidl;         /* the server lacks UIDL; the content-hash fallback ran */
  GArray   *over_limit;      /* PfFetchSkipped, in server order */
  gint64    elapsed_us;
  /* The login method that worked. After a refusal that may be the method's
   * (a -PLUS the server binds differently, an APOP it cannot check), a run
   * left on PF_AUTH_AUTO tries one other method on a new connection; an
   * account stores this so the next run goes straight to it. */
  PfAuthMechanism mechanism;
  gboolean        fell_back;  /* the first method was refused; this one worked */
  /* Sessions the run logged in (more than one at a provider that hands
   * out its mailbox in batches: pf_fetcher_set_max_sessions). */
  guint           sessions;
  /* What the last session saw on the server, as written to KEY.server;
   * NULL when the run failed before it listed. */
  PfServerView   *server_view;
} PfFetchResult;

void            pf_fetch_result_free (PfFetchResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfFetchResult, pf_fetch_result_free)

#define PF_TYPE_FETCHER (pf_fetcher_get_type ())

G_DECLARE_FINAL_TYPE (PfFetcher, pf_fetcher, PF, FETCHER, GObject)

/* Properties (read-only, notified on the main context of the run, at most
 * about ten times a second, and once more at the end): "phase"
 * (PF_TYPE_FETCH_PHASE), "messages-done", "messages-total" (messages this
 * run will download), "bytes-done", "bytes-total" (server sizes), "rate"
 * (bytes per second, double, over the last seconds).
 *
 * Exactly once: see DESIGN.md, "Delivery: exactly once". A message is
 * written into tmp/, a batch of files is made durable with one syncfs()
 * of the Maildir's file system, the batch's "UID NAME TIME" lines are
 * appended to the journal and fsynced once, then the files are renamed into
 * new/ and new/ is fsynced once. DELE goes only to unique-ids already durable
 * in the journal, and only as the policy says; the server commits deletions
 * at QUIT. Cancelling, a dropped or stalled connection, a full disk or a
 * crash at any moment loses no message and duplicates none: the next run
 * recovers and completes.
 *
 * A journaled id is the message delivered only if LIST gives the size
 * journaled with it; otherwise the server reused the id and the message is
 * new. Before a DELE of a message delivered in an earlier run, TOP n 0
 * checks its header digest against the journal's; a mismatch is fetched as
 * new, never deleted. Ids whose deletion QUIT committed are recorded as
 * gone. Each RETR is checked against its listed size
 * (pf_pop3_data_fits_listed_size) and the size limit: data past them ends
 * the session without QUIT, nothing of that message is delivered; a
 * message past the size limit is reported in over_limit and not retrieved
 * again while listed with that size.
 *
 * State (journal and lock) lives in the state directory, keyed by the
 * saved account (pf_fetcher_set_account) or else by the settings' host
 * and the user, not port. A second run for the same key, in this process or another, fails
 * at once with PF_ERROR_ACCOUNT_BUSY.
 *
 * A server without UIDL: the run fails with PF_ERROR_NO_UIDL unless the
 * policy is PF_FETCH_DELETE. With PF_FETCH_DELETE, a message's identity is
 * the SHA-256 of its content: every message is downloaded, made durable,
 * recorded by its hash and deleted; a message whose hash is already in the
 * journal (downloaded before, but its deletion never committed) is not
 * delivered again. Two messages identical byte for byte count as one. */
PfFetcher      *pf_fetcher_new (PfServerSettings *settings,
                                const char       *user,
                                const char       *maildir);

/* The connection settings (a CA file there is read when the run starts;
 * a bad file fails the run with PF_ERROR_CONFIG). */
PfServerSettings *pf_fetcher_get_settings          (PfFetcher       *self);
void            pf_fetcher_set_mechanism           (PfFetcher       *self,
                                                    PfAuthMechanism  mechanism);
/* Asked for the secret when a run has connected and is about to log in;
 * without credentials the run fails with PF_ERROR_NO_PASSWORD there. The
 * secret is asked once per run and kept, wiped when freed, until the login
 * succeeds or finally fails: the retry on a new connection after a
 * mechanism's refusal uses it again. */
void            pf_fetcher_set_credentials         (PfFetcher       *self,
                                                    PfCredentials   *credentials);
/* As the client's "stall-window"; 0 keeps the client's default. */
void            pf_fetcher_set_stall_window        (PfFetcher       *self,
                                                    guint            seconds);

/* Default: $XDG_STATE_HOME/popfetch. */
void            pf_fetcher_set_state_dir           (PfFetcher       *self,
                                                    const char      *path);
/* The saved account this fetcher runs for (its name), or NULL for an
 * ad-hoc fetch. A saved account's journal and lock belong to it
 * (pf_journal_saved_account_key), not to the host name, so they survive
 * an edit of the host; the journal an earlier version kept under host
 * and user is taken over once. */
void            pf_fetcher_set_account             (PfFetcher       *self,
                                                    const char      *account_name);
/* @days matters for PF_FETCH_DELETE_AFTER_DAYS only. */
void            pf_fetcher_set_policy              (PfFetcher       *self,
                                                    PfFetchPolicy    policy,
                                                    guint            days);
/* Messages larger than @bytes (by LIST, or by the data as it arrives) are
 * left on the server and reported in PfFetchResult.over_limit; 0 means no
 * limit. */
void            pf_fetcher_set_size_limit          (PfFetcher       *self,
                                                    guint64          bytes);
/* PF_FETCH_TARGET_ALL (the default), or one of the others; @uid: the
 * unique-id for PF_FETCH_TARGET_ONE and PF_FETCH_TARGET_DELETE_ONE (a
 * message the server does not list under it fails the run with
 * PF_ERROR_INVALID_INPUT; a server without UIDL, with PF_ERROR_NO_UIDL). */
void            pf_fetcher_set_target              (PfFetcher       *self,
                                                    PfFetchTarget    target,
                                                    const char      *uid);
#define PF_FETCHER_MAX_SESSIONS 100
/* At most this many sessions per run (default 1, at most
 * PF_FETCHER_MAX_SESSIONS): while a
 * session brought new messages, the run logs in again, for providers that
 * show a mailbox in batches (Gmail: about 250 conversations a session). */
void            pf_fetcher_set_max_sessions        (PfFetcher       *self,
                                                    guint            sessions);
/* The mailbox limit the provider table knows (bytes, 0: unknown), for
 * the server view; a limit the server states wins. */
void            pf_fetcher_set_quota               (PfFetcher       *self,
                                                    guint64          bytes);
/* For tests: the Unix time used as "now" (first-seen times and the age
 * for PF_FETCH_DELETE_AFTER_DAYS); 0 means the real clock. */
void            pf_fetcher_set_now                 (PfFetcher       *self,
                                                    gint64           unix_time);

/* Run once. Fails with PF_ERROR_* (PF_ERROR_LOCAL_DISK for Maildir and
 * journal trouble, PF_ERROR_ACCOUNT_BUSY, PF_ERROR_NO_UIDL, and the
 * connection and login errors of PfPop3Client) or G_IO_ERROR_CANCELLED.
 * Whatever was made durable before a failure stays delivered; the
 * counters in the properties say how far the run got. One run at a time
 * per fetcher. */
void            pf_fetcher_run_async  (PfFetcher           *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
PfFetchResult  *pf_fetcher_run_finish (PfFetcher           *self,
                                       GAsyncResult        *result,
                                       GError             **error);

PfFetchPhase    pf_fetcher_get_phase          (PfFetcher *self);
guint           pf_fetcher_get_messages_done  (PfFetcher *self);
guint           pf_fetcher_get_messages_total (PfFetcher *self);
guint64         pf_fetcher_get_bytes_done     (PfFetcher *self);
guint64         pf_fetcher_get_bytes_total    (PfFetcher *self);
double          pf_fetcher_get_rate           (PfFetcher *self);

/* The session of the last run (NULL before the first): its transcript,
 * and its peer certificate when a run failed on the certificate. */
PfPop3Client   *pf_fetcher_get_client         (PfFetcher *self);
PfTranscript   *pf_fetcher_get_transcript     (PfFetcher *self);
GTlsCertificate *pf_fetcher_get_peer_certificate (PfFetcher *self);
GTlsCertificateFlags pf_fetcher_get_peer_certificate_errors (PfFetcher *self);

G_END_DECLS
