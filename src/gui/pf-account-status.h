/* pf-account-status.h — what the app knows about one account while it runs
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-account.h"

G_BEGIN_DECLS

#define PF_TYPE_ACCOUNT_STATUS (pf_account_status_get_type ())

G_DECLARE_FINAL_TYPE (PfAccountStatus, pf_account_status, PF, ACCOUNT_STATUS, GObject)

/* Properties (all read-only, notified on change):
 *   "account"        the PfAccount
 *   "busy"           a fetch is running
 *   "fraction"       progress of the running fetch, 0…1
 *   "progress-text"  "3 of 10 messages · 1.2 MB · 300 kB/s"
 *   "summary"        "Fetched 3 messages at 10:04", "Not fetched yet", …
 *   "error"          the GError of the last failed fetch, or NULL
 * Signals:
 *   "finished" (guint new_messages, GError *error_or_null)
 */
PfAccountStatus *pf_account_status_new                (PfAccount       *account);

PfAccount       *pf_account_status_get_account        (PfAccountStatus *self);
void             pf_account_status_set_account        (PfAccountStatus *self,
                                                       PfAccount       *account);
gboolean         pf_account_status_get_busy           (PfAccountStatus *self);
/* After the last fetch: the login method that worked once the first was
 * refused as a method, which the account should keep; else PF_AUTH_AUTO. */
PfAuthMechanism  pf_account_status_get_learned_mechanism (PfAccountStatus *self);
double           pf_account_status_get_fraction       (PfAccountStatus *self);
const char      *pf_account_status_get_progress_text  (PfAccountStatus *self);
const char      *pf_account_status_get_summary        (PfAccountStatus *self);
const GError    *pf_account_status_get_error          (PfAccountStatus *self);
/* The redacted transcript of the last failed fetch, or NULL. */
const char      *pf_account_status_get_transcript     (PfAccountStatus *self);
GDateTime       *pf_account_status_get_last_fetch     (PfAccountStatus *self);
guint            pf_account_status_get_last_count     (PfAccountStatus *self);

/* The last successful fetch as remembered from an earlier run; ignored
 * once this run has fetched or is fetching. */
void             pf_account_status_restore_last_fetch (PfAccountStatus *self,
                                                       GDateTime       *last_fetch,
                                                       guint            count);

/* The server panel's Download Anyway or Delete from Server changed how
 * many messages the size limit leaves on the server: the summary says
 * the new count at once, not only after the next fetch. */
void             pf_account_status_set_too_large      (PfAccountStatus *self,
                                                       guint            too_large);

/* Start a fetch unless one is running: the password comes from the
 * keyring; "finished" is emitted at the end. */
void             pf_account_status_fetch              (PfAccountStatus *self);
void             pf_account_status_cancel             (PfAccountStatus *self);

/* Pure: the summary line for a last fetch at @last_fetch (NULL: none)
 * with @count new messages, or a failed one; the date is shown unless
 * @last_fetch is on the same day as @now. */
char            *pf_account_status_format_summary     (GDateTime       *last_fetch,
                                                       guint            count,
                                                       gboolean         failed,
                                                       GDateTime       *now);

/* Pure: the summary line after a fetch cancelled at @cancelled_at that had
 * saved @kept messages. */
char            *pf_account_status_format_cancelled   (GDateTime       *cancelled_at,
                                                       guint            kept,
                                                       GDateTime       *now);

/* Pure: @summary followed by how many messages the size limit left on the
 * server. */
char            *pf_account_status_format_too_large   (const char      *summary,
                                                       guint            too_large);

/* Pure: the progress line; @rate in bytes per second, 0 if unknown. */
char            *pf_account_status_format_progress    (guint            done,
                                                       guint            total,
                                                       guint64          bytes,
                                                       guint64          rate);

G_END_DECLS
